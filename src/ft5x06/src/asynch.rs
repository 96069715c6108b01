use embedded_hal_async::i2c::I2c;

use crate::chip::{DeviceInfo, ID_BLOCK_LEN};
use crate::driver::Core;
use crate::{Config, Error, Frame, Transform};

/// The async driver, on an [`embedded_hal_async::i2c::I2c`] bus: the same transfers as
/// [`Ft5x06`](crate::Ft5x06), the same decoding ([`parse`](crate::parse), [`Transform`]).
/// A separate type so that a bus implementing both traits has no ambiguous methods.
///
/// ```
/// # use embedded_hal_mock::eh1::i2c::{Mock, Transaction};
/// use ft5x06::{Config, Ft5x06Async, Variant, DEFAULT_ADDRESS};
///
/// # embassy_futures::block_on(async {
/// # let i2c = Mock::new(&[Transaction::write_read(0x38, vec![0x00], vec![0; 33])]);
/// let mut touch = Ft5x06Async::new(i2c, DEFAULT_ADDRESS, Config::new(Variant::Ft5x06));
/// // e.g. after awaiting the INT pin's falling edge:
/// let frame = touch.read_frame().await?;
/// assert!(frame.is_empty());
/// # touch.release().done();
/// # Ok::<(), ft5x06::Error<embedded_hal::i2c::ErrorKind>>(())
/// # }).unwrap();
/// ```
#[derive(Debug)]
pub struct Ft5x06Async<I2C> {
    i2c: I2C,
    core: Core,
}

impl<I2C> Ft5x06Async<I2C> {
    /// Wraps the bus; talks to nothing until [`init`](Self::init) or
    /// [`read_frame`](Self::read_frame).
    pub fn new(i2c: I2C, address: u8, config: Config) -> Self {
        Self {
            i2c,
            core: Core { address, config },
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.core.config
    }

    /// Replaces the coordinate transform, e.g. when the display rotates.
    pub fn set_transform(&mut self, transform: Transform) {
        self.core.config.transform = transform;
    }

    /// Gives the bus back.
    pub fn release(self) -> I2C {
        self.i2c
    }
}

impl<I2C: I2c> Ft5x06Async<I2C> {
    /// As [`Ft5x06::init`](crate::Ft5x06::init).
    pub async fn init(&mut self) -> Result<DeviceInfo, Error<I2C::Error>> {
        let mut block = [0; ID_BLOCK_LEN];
        self.i2c
            .write_read(self.core.address, &Core::ID_START, &mut block)
            .await
            .map_err(Error::Bus)?;
        let info = Core::decode_info(block)?;
        for write in self.core.init_writes() {
            self.i2c
                .write(self.core.address, &write)
                .await
                .map_err(Error::Bus)?;
        }
        Ok(info)
    }

    /// As [`Ft5x06::read_frame`](crate::Ft5x06::read_frame): one `write_read` of the burst.
    pub async fn read_frame(&mut self) -> Result<Frame, Error<I2C::Error>> {
        let (mut buf, len) = self.core.frame_buffer();
        let burst = &mut buf[..len];
        self.i2c
            .write_read(self.core.address, &Core::FRAME_START, burst)
            .await
            .map_err(Error::Bus)?;
        self.core.decode_frame(burst)
    }
}
