//! The async driver against the same mocked transactions as the blocking one.
mod common;

use embassy_futures::block_on;
use embedded_hal::i2c::ErrorKind;
use embedded_hal_mock::eh1::i2c::{Mock, Transaction};
use ft5x06::{
    ChipId, Config, DeviceInfo, Error, Ft5x06Async, InterruptMode, Transform, Variant,
    DEFAULT_ADDRESS,
};

const ADDR: u8 = DEFAULT_ADDRESS;

fn id_read(cipher: u8) -> Transaction {
    let block = vec![0x30, 0x05, cipher, 0x01, 0x00, 0x0A, 0x01, 0x11];
    Transaction::write_read(ADDR, vec![0xA1], block)
}

#[test]
fn shared_vectors_in_one_write_read_each() {
    for v in common::vectors() {
        let i2c = Mock::new(&[Transaction::write_read(ADDR, vec![0x00], v.burst.clone())]);
        let mut touch = Ft5x06Async::new(i2c, ADDR, Config::new(v.variant));
        let got = block_on(touch.read_frame());
        common::check(&v, got, |e| match e {
            Error::InvalidData(d) => Some(d),
            _ => None,
        });
        touch.release().done();
    }
}

#[test]
fn read_frame_applies_the_transform() {
    let v = Variant::Ft5x06;
    let b = common::burst(v, 0, 1, &[common::point(2, 0, 10, 20, 0, 0)]);
    let i2c = Mock::new(&[
        Transaction::write_read(ADDR, vec![0x00], b.clone()),
        Transaction::write_read(ADDR, vec![0x00], b),
    ]);
    let config = Config {
        transform: Transform {
            inverted_x: true,
            ..Transform::new(320, 240)
        },
        ..Config::new(v)
    };
    let mut touch = Ft5x06Async::new(i2c, ADDR, config);
    let p = block_on(touch.read_frame()).unwrap().points()[0];
    assert_eq!((p.x, p.y), (319 - 10, 20));
    touch.set_transform(Transform::IDENTITY);
    assert_eq!(touch.config().transform, Transform::IDENTITY);
    let p = block_on(touch.read_frame()).unwrap().points()[0];
    assert_eq!((p.x, p.y), (10, 20));
    touch.release().done();
}

#[test]
fn init_sequence() {
    let i2c = Mock::new(&[id_read(0x36), Transaction::write(ADDR, vec![0xA4, 0x01])]);
    let mut touch = Ft5x06Async::new(i2c, ADDR, Config::new(Variant::Ft6x06));
    assert_eq!(
        block_on(touch.init()),
        Ok(DeviceInfo {
            chip: ChipId::Ft6236,
            lib_version: 0x3005,
            firmware_id: 0x0A,
            vendor_id: 0x11,
        })
    );
    touch.release().done();
}

#[test]
fn init_writes_polling_mode_threshold_and_period() {
    let i2c = Mock::new(&[
        id_read(0x55),
        Transaction::write(ADDR, vec![0xA4, 0x00]),
        Transaction::write(ADDR, vec![0x80, 70]),
        Transaction::write(ADDR, vec![0x88, 6]),
    ]);
    let config = Config {
        interrupt_mode: InterruptMode::Polling,
        threshold: Some(70),
        active_period: Some(6),
        ..Config::default()
    };
    let mut touch = Ft5x06Async::new(i2c, ADDR, config);
    assert_eq!(block_on(touch.init()).unwrap().chip, ChipId::Ft5x06);
    touch.release().done();
}

#[test]
fn init_rejects_chip_id_0x00_and_0xff_without_writing() {
    for cipher in [0x00, 0xFF] {
        let i2c = Mock::new(&[id_read(cipher)]);
        let mut touch = Ft5x06Async::new(i2c, ADDR, Config::default());
        assert_eq!(block_on(touch.init()), Err(Error::UnknownChip(cipher)));
        touch.release().done();
    }
}

#[test]
fn bus_errors_propagate() {
    let i2c = Mock::new(&[
        Transaction::write_read(ADDR, vec![0x00], vec![0; 15]).with_error(ErrorKind::Bus),
        id_read(0x06),
        Transaction::write(ADDR, vec![0xA4, 0x01]).with_error(ErrorKind::ArbitrationLoss),
    ]);
    let mut touch = Ft5x06Async::new(i2c, ADDR, Config::new(Variant::Ft6x06));
    assert_eq!(
        block_on(touch.read_frame()),
        Err(Error::Bus(ErrorKind::Bus))
    );
    assert_eq!(
        block_on(touch.init()),
        Err(Error::Bus(ErrorKind::ArbitrationLoss))
    );
    touch.release().done();
}
