use embedded_hal::i2c::I2c;

use crate::chip::{DeviceInfo, ID_BLOCK_LEN};
use crate::driver::Core;
use crate::{Config, Error, Frame, Transform};

/// The blocking driver, on an [`embedded_hal::i2c::I2c`] bus.
///
/// ```
/// # use embedded_hal_mock::eh1::i2c::{Mock, Transaction};
/// use ft5x06::{Config, Ft5x06, Variant, DEFAULT_ADDRESS};
///
/// # let mut burst = vec![0xFF; 15];
/// # burst[..9].copy_from_slice(&[0, 0, 1, 0x80, 100, 0x00, 50, 0, 0]);
/// # let i2c = Mock::new(&[
/// #     Transaction::write_read(0x38, vec![0xA1], vec![0, 1, 0x64, 1, 0, 2, 0, 0x11]),
/// #     Transaction::write(0x38, vec![0xA4, 1]),
/// #     Transaction::write_read(0x38, vec![0x00], burst),
/// # ]);
/// let mut touch = Ft5x06::new(i2c, DEFAULT_ADDRESS, Config::new(Variant::Ft6x06));
/// let info = touch.init()?;
/// assert_eq!(info.chip.variant(), Some(Variant::Ft6x06));
/// // Typically after the INT line fired:
/// for p in &touch.read_frame()? {
///     assert_eq!((p.x, p.y), (100, 50));
/// }
/// # touch.release().done();
/// # Ok::<(), ft5x06::Error<embedded_hal::i2c::ErrorKind>>(())
/// ```
#[derive(Debug)]
pub struct Ft5x06<I2C> {
    i2c: I2C,
    core: Core,
}

impl<I2C> Ft5x06<I2C> {
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

impl<I2C: I2c> Ft5x06<I2C> {
    /// Reads the identification registers (0xA1..=0xA8, one burst), then writes `ID_G_MODE`
    /// and the optional threshold and active period of the [`Config`].
    ///
    /// Fails with [`Error::UnknownChip`] before writing anything if the chip ID reads 0x00 or
    /// 0xFF; an unrecognised ID is returned as [`ChipId::Other`](crate::ChipId::Other).
    pub fn init(&mut self) -> Result<DeviceInfo, Error<I2C::Error>> {
        let mut block = [0; ID_BLOCK_LEN];
        self.i2c
            .write_read(self.core.address, &Core::ID_START, &mut block)
            .map_err(Error::Bus)?;
        let info = Core::decode_info(block)?;
        for write in self.core.init_writes() {
            self.i2c
                .write(self.core.address, &write)
                .map_err(Error::Bus)?;
        }
        Ok(info)
    }

    /// Reads one frame in a single `write_read` from register 0x00 (33 bytes for
    /// [`Variant::Ft5x06`](crate::Variant::Ft5x06), 15 for `Ft6x06`), decodes it with
    /// [`parse`](crate::parse) and applies the configured [`Transform`].
    pub fn read_frame(&mut self) -> Result<Frame, Error<I2C::Error>> {
        let (mut buf, len) = self.core.frame_buffer();
        let burst = &mut buf[..len];
        self.i2c
            .write_read(self.core.address, &Core::FRAME_START, burst)
            .map_err(Error::Bus)?;
        self.core.decode_frame(burst)
    }
}
