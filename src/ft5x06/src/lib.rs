//! Driver for the FocalTech FT5x06 / FT5336 / FT6x06 family of capacitive touch controllers,
//! on [`embedded_hal::i2c::I2c`] (blocking) and [`embedded_hal_async::i2c::I2c`] (async).
//!
//! The register burst is decoded by the pure function [`parse`]; coordinates are mapped to
//! the screen by the pure [`Transform::apply`], with the semantics of Zephyr's common
//! touchscreen properties. Nothing the controller sends can make the driver panic: a
//! `TD_STATUS` above the chip's maximum is an [`InvalidData::TouchCount`] error.
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod asynch;
mod blocking;
mod chip;
mod config;
mod driver;
mod error;
mod frame;
pub mod regs;
mod transform;

pub use asynch::Ft5x06Async;
pub use blocking::Ft5x06;
pub use chip::{ChipId, DeviceInfo};
pub use config::{Config, InterruptMode, Variant, DEFAULT_ADDRESS};
pub use error::{Error, InvalidData};
pub use frame::{parse, Event, Frame, TouchPoint, MAX_BURST_LEN, MAX_POINTS};
pub use transform::{Transform, COORD_MAX};
