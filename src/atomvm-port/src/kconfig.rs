// SPDX-License-Identifier: Apache-2.0

//! Kconfig values checked when the port is compiled.
//!
//! A port reads its options from the `zephyr` crate's generated `zephyr::kconfig` module (the
//! application's `.config`). Sizes of static queues must be powers of two in a sane range;
//! [`kconfig_depth!`](crate::kconfig_depth) checks that in a constant, so a bad value fails the
//! build with a message that names the option, never the running device.

/// Why a Kconfig value is refused as a queue depth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DepthError {
    /// Not `min..=max`.
    OutOfRange,
    /// In range, but not a power of two.
    NotPowerOfTwo,
}

/// `value` as a queue depth: a power of two in `min..=max`.
///
/// Takes `i128` so that both shapes of `zephyr::kconfig` integers (`isize` for decimal,
/// `usize` for hex) convert without loss.
pub const fn depth(value: i128, min: usize, max: usize) -> Result<usize, DepthError> {
    if value < min as i128 || value > max as i128 {
        return Err(DepthError::OutOfRange);
    }
    // In range of a usize: checked above.
    let v = value as usize;
    if !v.is_power_of_two() {
        return Err(DepthError::NotPowerOfTwo);
    }
    Ok(v)
}

/// The Kconfig integer option `$option` (read from `zephyr::kconfig` where the macro is used)
/// as a queue depth, checked at compile time: a power of two in `2..=65536`, or in
/// `$min..=$max` when given.
///
/// ```
/// # mod zephyr { pub mod kconfig { pub const CONFIG_DEMO_DEPTH: isize = 16; } }
/// const DEPTH: usize = atomvm_port::kconfig_depth!(CONFIG_DEMO_DEPTH);
/// const SMALL: usize = atomvm_port::kconfig_depth!(CONFIG_DEMO_DEPTH, 1, 16);
/// # fn main() {
/// assert_eq!((DEPTH, SMALL), (16, 16));
/// # }
/// ```
///
/// A value that is not a power of two stops the build with error E0080, "evaluation panicked:
/// CONFIG_DEMO_DEPTH must be a power of two":
///
/// ```compile_fail,E0080
/// # mod zephyr { pub mod kconfig { pub const CONFIG_DEMO_DEPTH: isize = 12; } }
/// const DEPTH: usize = atomvm_port::kconfig_depth!(CONFIG_DEMO_DEPTH);
/// # fn main() {}
/// ```
///
/// and so does one out of range ("CONFIG_DEMO_DEPTH is out of range (1..=8)"):
///
/// ```compile_fail,E0080
/// # mod zephyr { pub mod kconfig { pub const CONFIG_DEMO_DEPTH: isize = 16; } }
/// const DEPTH: usize = atomvm_port::kconfig_depth!(CONFIG_DEMO_DEPTH, 1, 8);
/// # fn main() {}
/// ```
#[macro_export]
macro_rules! kconfig_depth {
    ($option:ident) => {
        $crate::kconfig_depth!($option, 2, 65536)
    };
    ($option:ident, $min:expr, $max:expr) => {{
        const DEPTH: usize =
            match $crate::kconfig::depth(zephyr::kconfig::$option as i128, $min, $max) {
                Ok(depth) => depth,
                Err($crate::kconfig::DepthError::NotPowerOfTwo) => {
                    panic!(concat!(stringify!($option), " must be a power of two"))
                }
                Err($crate::kconfig::DepthError::OutOfRange) => panic!(concat!(
                    stringify!($option),
                    " is out of range (",
                    stringify!($min),
                    "..=",
                    stringify!($max),
                    ")"
                )),
            };
        DEPTH
    }};
}

#[cfg(test)]
mod tests {
    use super::{depth, DepthError};

    #[test]
    fn powers_of_two_in_range_pass() {
        assert_eq!(depth(2, 2, 65536), Ok(2));
        assert_eq!(depth(32, 2, 65536), Ok(32));
        assert_eq!(depth(65536, 2, 65536), Ok(65536));
        assert_eq!(depth(1, 1, 8), Ok(1));
    }

    #[test]
    fn other_values_fail() {
        assert_eq!(depth(12, 2, 65536), Err(DepthError::NotPowerOfTwo));
        assert_eq!(depth(3, 2, 65536), Err(DepthError::NotPowerOfTwo));
        assert_eq!(depth(1, 2, 65536), Err(DepthError::OutOfRange));
        assert_eq!(depth(0, 0, 8), Err(DepthError::NotPowerOfTwo));
        assert_eq!(depth(-8, 2, 65536), Err(DepthError::OutOfRange));
        assert_eq!(depth(131072, 2, 65536), Err(DepthError::OutOfRange));
        assert_eq!(
            depth(i128::from(u64::MAX) + 1, 2, 65536),
            Err(DepthError::OutOfRange)
        );
    }
}
