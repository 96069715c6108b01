// SPDX-License-Identifier: Apache-2.0

//! `embedded_hal::i2c::I2c` and `embedded_hal_async::i2c::I2c` over a Zephyr I2C controller.
//!
//! Every call is one `i2c_transfer()`: a message per operation, `I2C_MSG_READ`/`WRITE` by
//! direction, `I2C_MSG_RESTART` on a message whose direction differs from the one before (so
//! adjacent operations of the same direction are sent back to back, as embedded-hal requires)
//! and `I2C_MSG_STOP` on the last; `I2C_MSG_ADDR_10_BITS` on every message for a
//! `TenBitAddress`. Out-of-range addresses (7-bit above 0x7f, 10-bit above 0x3ff) are `-EINVAL`
//! without bus activity. Up to [`MAX_STACK_MSGS`] operations the messages live on
//! the stack; longer transactions (at most 255, Zephyr's limit) use the heap.

extern crate alloc;

use alloc::vec::Vec;

use embedded_hal::i2c::{
    ErrorKind, ErrorType, NoAcknowledgeSource, Operation, SevenBitAddress, TenBitAddress,
};

use crate::error::{Code, Errno};
use crate::raw;

/// Transactions up to this many operations need no allocation.
pub const MAX_STACK_MSGS: usize = 8;

/// An I2C error: the negative errno Zephyr returned, or one the adapter synthesised.
///
/// | errno | [`ErrorKind`] | origin |
/// |---|---|---|
/// | `-EIO`, `-ENXIO` | `NoAcknowledge(Unknown)` | Zephyr drivers report a NACK (address or data) as `-EIO` (a few as `-ENXIO`); the API cannot tell which byte was refused |
/// | `-EAGAIN`, `-EALREADY` | `ArbitrationLoss` | multi-controller drivers that lost the bus |
/// | `-EBUSY`, `-ETIMEDOUT` | `Bus` | bus held low / stuck, or the controller timed out |
/// | `-EOVERFLOW` | `Overrun` | controller FIFO overrun |
/// | `-EINVAL` | `Other` | also synthesised: an address out of range, more than 255 operations, or a buffer longer than `u32::MAX` |
/// | `-ENOMEM` | `Other` | synthesised: no heap for a transaction longer than [`MAX_STACK_MSGS`] |
/// | `-ENODEV` | `Other` | synthesised by [`I2c::new`]: the controller is not ready |
/// | anything else (`-ENOTSUP`, `-ENOSYS`, ...) | `Other` | |
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Error(pub Errno);

impl Error {
    /// The errno.
    pub fn errno(self) -> i32 {
        self.0 .0
    }
}

/// The embedded-hal classification of a Zephyr I2C errno (see [`Error`]).
pub fn error_kind(errno: i32) -> ErrorKind {
    match Errno(errno).code() {
        Some(Code::EIO | Code::ENXIO) => ErrorKind::NoAcknowledge(NoAcknowledgeSource::Unknown),
        Some(Code::EAGAIN | Code::EALREADY) => ErrorKind::ArbitrationLoss,
        Some(Code::EBUSY | Code::ETIMEDOUT) => ErrorKind::Bus,
        Some(Code::EOVERFLOW) => ErrorKind::Overrun,
        _ => ErrorKind::Other,
    }
}

impl embedded_hal::i2c::Error for Error {
    fn kind(&self) -> ErrorKind {
        error_kind(self.errno())
    }
}

/// An I2C controller. The target address is an argument of every call, so one `I2c` serves
/// every device on its bus; Zephyr serialises concurrent transfers on a controller, so several
/// `I2c`s over the same controller (in different threads) are fine.
pub struct I2c {
    bus: *const raw::device,
}

// SAFETY: the handle is a pointer to an immutable, static Zephyr device; Zephyr's I2C API is
// thread-safe (drivers lock the controller per transfer).
unsafe impl Send for I2c {}

impl I2c {
    /// The controller of a devicetree spec (its `addr` is for the caller, e.g.
    /// `spec.addr as u8`, since embedded-hal drivers take the address themselves).
    /// `Err(-ENODEV)` if the controller is not ready.
    pub fn new(spec: &'static raw::i2c_dt_spec) -> Result<Self, Error> {
        // SAFETY: a spec from ATOMVM_HAL_I2C_SPEC points at a static device.
        unsafe { Self::from_device(spec.bus) }
    }

    /// A controller device.
    ///
    /// # Safety
    /// `bus` must point to a Zephyr device implementing the I2C API, valid for the program's
    /// lifetime (every `DEVICE_DT_GET` is).
    pub unsafe fn from_device(bus: *const raw::device) -> Result<Self, Error> {
        // SAFETY: per the contract above.
        if unsafe { raw::device_is_ready(bus) } {
            Ok(Self { bus })
        } else {
            Err(Error(Errno::from(Code::ENODEV)))
        }
    }

    fn transfer(&mut self, address: Addr, ops: &mut [Operation<'_>]) -> Result<(), Error> {
        if ops.is_empty() {
            return Ok(());
        }
        let count = u8::try_from(ops.len()).map_err(|_| Error(Errno::from(Code::EINVAL)))?;
        if ops.len() <= MAX_STACK_MSGS {
            let mut msgs: [raw::i2c_msg; MAX_STACK_MSGS] =
                core::array::from_fn(|_| raw::i2c_msg::default());
            fill_msgs(ops, &mut msgs[..ops.len()], address.ten_bit)?;
            self.submit(address, &mut msgs[..ops.len()], count)
        } else {
            let mut msgs: Vec<raw::i2c_msg> = Vec::new();
            msgs.try_reserve_exact(ops.len())
                .map_err(|_| Error(Errno::from(Code::ENOMEM)))?;
            msgs.resize_with(ops.len(), raw::i2c_msg::default);
            fill_msgs(ops, &mut msgs, address.ten_bit)?;
            self.submit(address, &mut msgs, count)
        }
    }

    fn submit(&mut self, address: Addr, msgs: &mut [raw::i2c_msg], count: u8) -> Result<(), Error> {
        // SAFETY: the messages point into buffers borrowed for this call; i2c_transfer returns
        // only when the transfer is complete.
        let ret = unsafe { raw::i2c_transfer(self.bus, msgs.as_mut_ptr(), count, address.addr) };
        Errno::check(ret).map(drop).map_err(Error)
    }
}

/// The `i2c_msg` list of a transaction (see the module docs for the flags).
pub(crate) fn fill_msgs(
    ops: &mut [Operation<'_>],
    msgs: &mut [raw::i2c_msg],
    ten_bit: bool,
) -> Result<(), Error> {
    let last = ops.len() - 1;
    let mut prev_read: Option<bool> = None;
    for (i, (op, msg)) in ops.iter_mut().zip(msgs.iter_mut()).enumerate() {
        let (buf, len, read) = match op {
            Operation::Read(buf) => (buf.as_mut_ptr(), buf.len(), true),
            Operation::Write(buf) => (buf.as_ptr() as *mut u8, buf.len(), false),
        };
        msg.buf = buf;
        msg.len = u32::try_from(len).map_err(|_| Error(Errno::from(Code::EINVAL)))?;
        let mut flags = if read {
            raw::ATOMVM_HAL_I2C_MSG_READ
        } else {
            raw::ATOMVM_HAL_I2C_MSG_WRITE
        };
        if prev_read.is_some_and(|p| p != read) {
            flags |= raw::ATOMVM_HAL_I2C_MSG_RESTART;
        }
        if i == last {
            flags |= raw::ATOMVM_HAL_I2C_MSG_STOP;
        }
        if ten_bit {
            flags |= raw::ATOMVM_HAL_I2C_MSG_ADDR_10_BITS;
        }
        msg.flags = flags as u8;
        prev_read = Some(read);
    }
    Ok(())
}

impl ErrorType for I2c {
    type Error = Error;
}

/// A target address and its mode.
#[derive(Clone, Copy)]
struct Addr {
    addr: u16,
    ten_bit: bool,
}

/// Checks an embedded-hal address: 7-bit up to 0x7f, 10-bit (`I2C_MSG_ADDR_10_BITS` on every
/// message) up to 0x3ff; `-EINVAL` beyond.
trait Address: Copy {
    fn addr(self) -> Result<Addr, Error>;
}

impl Address for SevenBitAddress {
    fn addr(self) -> Result<Addr, Error> {
        if self > 0x7f {
            return Err(Error(Errno::from(Code::EINVAL)));
        }
        Ok(Addr {
            addr: self as u16,
            ten_bit: false,
        })
    }
}

impl Address for TenBitAddress {
    fn addr(self) -> Result<Addr, Error> {
        if self > 0x3ff {
            return Err(Error(Errno::from(Code::EINVAL)));
        }
        Ok(Addr {
            addr: self,
            ten_bit: true,
        })
    }
}

macro_rules! i2c_impls {
    ($mode:ty) => {
        impl embedded_hal::i2c::I2c<$mode> for I2c {
            fn read(&mut self, address: $mode, read: &mut [u8]) -> Result<(), Error> {
                self.transfer(address.addr()?, &mut [Operation::Read(read)])
            }

            fn write(&mut self, address: $mode, write: &[u8]) -> Result<(), Error> {
                self.transfer(address.addr()?, &mut [Operation::Write(write)])
            }

            fn write_read(
                &mut self,
                address: $mode,
                write: &[u8],
                read: &mut [u8],
            ) -> Result<(), Error> {
                self.transfer(
                    address.addr()?,
                    &mut [Operation::Write(write), Operation::Read(read)],
                )
            }

            fn transaction(
                &mut self,
                address: $mode,
                ops: &mut [Operation<'_>],
            ) -> Result<(), Error> {
                self.transfer(address.addr()?, ops)
            }
        }

        /// Asynchronous I2C. With `CONFIG_I2C_CALLBACK` and a controller that implements it,
        /// `i2c_transfer_cb()` starts the transfer and the future completes from the driver's
        /// callback (dropping the future before then blocks until the driver is done with the
        /// buffers). Otherwise (no CONFIG_I2C_CALLBACK, or the driver returns
        /// `-ENOSYS`/`-ENOTSUP`) the transfer runs synchronously inside the first `poll`,
        /// exactly as the blocking one.
        impl embedded_hal_async::i2c::I2c<$mode> for I2c {
            async fn read(&mut self, address: $mode, read: &mut [u8]) -> Result<(), Error> {
                self.transfer_async(address.addr()?, &mut [Operation::Read(read)])
                    .await
            }

            async fn write(&mut self, address: $mode, write: &[u8]) -> Result<(), Error> {
                self.transfer_async(address.addr()?, &mut [Operation::Write(write)])
                    .await
            }

            async fn write_read(
                &mut self,
                address: $mode,
                write: &[u8],
                read: &mut [u8],
            ) -> Result<(), Error> {
                self.transfer_async(
                    address.addr()?,
                    &mut [Operation::Write(write), Operation::Read(read)],
                )
                .await
            }

            async fn transaction(
                &mut self,
                address: $mode,
                ops: &mut [Operation<'_>],
            ) -> Result<(), Error> {
                self.transfer_async(address.addr()?, ops).await
            }
        }
    };
}

i2c_impls!(SevenBitAddress);
i2c_impls!(TenBitAddress);

impl I2c {
    #[cfg(not(zephyr_i2c_callback))]
    async fn transfer_async(
        &mut self,
        address: Addr,
        ops: &mut [Operation<'_>],
    ) -> Result<(), Error> {
        self.transfer(address, ops)
    }

    #[cfg(zephyr_i2c_callback)]
    async fn transfer_async(
        &mut self,
        address: Addr,
        ops: &mut [Operation<'_>],
    ) -> Result<(), Error> {
        if ops.is_empty() {
            return Ok(());
        }
        let count = u8::try_from(ops.len()).map_err(|_| Error(Errno::from(Code::EINVAL)))?;
        let mut stack: [raw::i2c_msg; MAX_STACK_MSGS] =
            core::array::from_fn(|_| raw::i2c_msg::default());
        let mut heap: Vec<raw::i2c_msg> = Vec::new();
        let msgs: &mut [raw::i2c_msg] = if ops.len() <= MAX_STACK_MSGS {
            &mut stack[..ops.len()]
        } else {
            heap.try_reserve_exact(ops.len())
                .map_err(|_| Error(Errno::from(Code::ENOMEM)))?;
            heap.resize_with(ops.len(), raw::i2c_msg::default);
            &mut heap
        };
        fill_msgs(ops, msgs, address.ten_bit)?;
        // Declared after the messages, so dropped (waiting for the driver) before them.
        let mut pending = crate::completion::Pending::new();
        let userdata = pending.userdata();
        // SAFETY: the messages and their buffers stay borrowed until the callback: `pending`
        // waits for it even if this future is dropped.
        let ret = unsafe {
            raw::i2c_transfer_cb(
                self.bus,
                msgs.as_mut_ptr(),
                count,
                address.addr,
                Some(crate::completion::complete),
                userdata,
            )
        };
        pending.submitted(ret, userdata);
        if ret == Code::ENOSYS.errno() || ret == Code::ENOTSUP.errno() {
            return self.submit(address, msgs, count);
        }
        Errno::check(ret).map_err(Error)?;
        Errno::check(pending.wait().await).map(drop).map_err(Error)
    }
}
