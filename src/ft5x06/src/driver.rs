//! What the blocking and the async driver share: everything except the bus calls.
use crate::chip::{DeviceInfo, ID_BLOCK_LEN, ID_BLOCK_START};
use crate::{parse, regs, Config, Error, Frame, MAX_BURST_LEN};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Core {
    pub(crate) address: u8,
    pub(crate) config: Config,
}

impl Core {
    /// The register the frame burst starts at, as the write half of `write_read`.
    pub(crate) const FRAME_START: [u8; 1] = [regs::DEVICE_MODE];
    /// The register the identification block starts at.
    pub(crate) const ID_START: [u8; 1] = [ID_BLOCK_START];

    /// A zeroed buffer for one frame and the length of the burst to read into it.
    pub(crate) fn frame_buffer(&self) -> ([u8; MAX_BURST_LEN], usize) {
        ([0; MAX_BURST_LEN], self.config.variant.burst_len())
    }

    /// Parses a burst and maps it to the screen.
    pub(crate) fn decode_frame<E>(&self, burst: &[u8]) -> Result<Frame, Error<E>> {
        let frame = parse(burst, self.config.variant)?;
        Ok(frame.transformed(&self.config.transform))
    }

    /// Decodes the identification block.
    pub(crate) fn decode_info<E>(block: [u8; ID_BLOCK_LEN]) -> Result<DeviceInfo, Error<E>> {
        DeviceInfo::decode(block).map_err(Error::UnknownChip)
    }

    /// The register writes of `init`, in order: `[register, value]`.
    pub(crate) fn init_writes(&self) -> impl Iterator<Item = [u8; 2]> {
        let c = &self.config;
        [
            Some([regs::ID_G_MODE, c.interrupt_mode as u8]),
            c.threshold.map(|t| [regs::ID_G_THGROUP, t]),
            c.active_period.map(|p| [regs::ID_G_PERIODACTIVE, p]),
        ]
        .into_iter()
        .flatten()
    }
}
