// SPDX-License-Identifier: Apache-2.0

//! Zephyr's negative errno values, carried unchanged inside the adapters' error types.
//!
//! The numeric values depend on the image's C library (Zephyr's minimal libc, picolibc, or the
//! host's on `native_sim` with `CONFIG_EXTERNAL_LIBC`), so the adapters never compare against
//! constants fixed at bindgen time (such as `zephyr::raw::ETIMEDOUT`): [`Code`] reads the values
//! the drivers were compiled with from a table compiled into the image.

use core::fmt;

use crate::raw;

macro_rules! codes {
    ($($name:ident),* $(,)?) => {
        /// The errno values the adapters interpret or synthesise.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[allow(clippy::upper_case_acronyms)]
        pub enum Code {
            $(
                #[doc = concat!("`", stringify!($name), "`")]
                $name,
            )*
        }

        impl Code {
            /// Every code.
            pub const ALL: &'static [Code] = &[$(Code::$name),*];

            fn index(self) -> usize {
                match self {
                    $(Code::$name => zephyr::paste! { raw::[<ATOMVM_HAL_ERRNO_ $name>] } as usize,)*
                }
            }

            /// The name, e.g. `"EIO"`.
            pub fn name(self) -> &'static str {
                match self {
                    $(Code::$name => stringify!($name),)*
                }
            }
        }
    };
}

codes!(
    EIO, ENXIO, EAGAIN, EALREADY, EBUSY, ETIMEDOUT, EOVERFLOW, EINVAL, ENODEV, ENOTSUP, ENOSYS,
    ENOMEM, ECANCELED,
);

const _: () = assert!(Code::ALL.len() == raw::ATOMVM_HAL_ERRNO_COUNT as usize);

impl Code {
    /// The positive value in this image's C library.
    pub fn value(self) -> i32 {
        // SAFETY: an immutable table of ATOMVM_HAL_ERRNO_COUNT ints, indexed in range.
        unsafe { raw::atomvm_hal_errnos[self.index()] }
    }

    /// The negative value, as Zephyr APIs return it.
    pub fn errno(self) -> i32 {
        -self.value()
    }
}

/// A negative errno returned by a Zephyr API (or synthesised by an adapter, see each module).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Errno(pub i32);

impl Errno {
    /// `Ok(ret)` for `ret >= 0`, else the errno: for the return of any Zephyr call (ports
    /// calling the raw bindings use it too).
    pub fn check(ret: i32) -> Result<i32, Errno> {
        if ret < 0 {
            Err(Errno(ret))
        } else {
            Ok(ret)
        }
    }

    /// The (negative) value.
    pub fn value(self) -> i32 {
        self.0
    }

    /// The code, if it is one of [`Code`].
    pub fn code(self) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.errno() == self.0)
    }
}

impl From<Code> for Errno {
    fn from(code: Code) -> Self {
        Errno(code.errno())
    }
}

impl fmt::Debug for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.code() {
            Some(code) => write!(f, "-{}", code.name()),
            None => write!(f, "{}", self.0),
        }
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}
