//! The blocking driver against mocked I2C transactions.
mod common;

use embedded_hal::i2c::ErrorKind;
use embedded_hal_mock::eh1::i2c::{Mock, Transaction};
use ft5x06::{
    ChipId, Config, DeviceInfo, Error, Event, Ft5x06, InterruptMode, Transform, Variant,
    DEFAULT_ADDRESS,
};

const ADDR: u8 = DEFAULT_ADDRESS;

fn frame_read(variant: Variant, burst: Vec<u8>) -> Transaction {
    assert_eq!(burst.len(), variant.burst_len());
    Transaction::write_read(ADDR, vec![0x00], burst)
}

/// The identification block 0xA1..=0xA8 with the given chip ID.
fn id_block(cipher: u8) -> Vec<u8> {
    vec![0x30, 0x05, cipher, 0x01, 0x00, 0x0A, 0x01, 0x11]
}

fn id_read(cipher: u8) -> Transaction {
    Transaction::write_read(ADDR, vec![0xA1], id_block(cipher))
}

#[test]
fn shared_vectors_in_one_write_read_each() {
    for v in common::vectors() {
        // The mock checks the address, the register written and the burst length.
        let i2c = Mock::new(&[frame_read(v.variant, v.burst.clone())]);
        let mut touch = Ft5x06::new(i2c, ADDR, Config::new(v.variant));
        let got = touch.read_frame();
        common::check(&v, got, |e| match e {
            Error::InvalidData(d) => Some(d),
            _ => None,
        });
        touch.release().done();
    }
}

#[test]
fn consecutive_frames_follow_a_finger() {
    use common::{burst, point};
    let v = Variant::Ft5x06;
    let i2c = Mock::new(&[
        frame_read(v, burst(v, 0, 1, &[point(0, 2, 10, 10, 0, 0)])),
        frame_read(v, burst(v, 0, 1, &[point(2, 2, 11, 12, 0, 0)])),
        frame_read(v, burst(v, 0, 0, &[point(1, 2, 11, 12, 0, 0)])),
    ]);
    let mut touch = Ft5x06::new(i2c, ADDR, Config::new(v));
    let f = touch.read_frame().unwrap();
    assert_eq!((f.points()[0].id, f.points()[0].event), (2, Event::Down));
    let f = touch.read_frame().unwrap();
    assert_eq!((f.points()[0].x, f.points()[0].event), (11, Event::Contact));
    assert!(touch.read_frame().unwrap().is_empty());
    touch.release().done();
}

#[test]
fn uses_the_given_address() {
    let v = Variant::Ft6x06;
    let i2c = Mock::new(&[Transaction::write_read(
        0x39,
        vec![0x00],
        common::burst(v, 0, 0, &[]),
    )]);
    let mut touch = Ft5x06::new(i2c, 0x39, Config::new(v));
    assert!(touch.read_frame().unwrap().is_empty());
    touch.release().done();
}

#[test]
fn read_frame_applies_the_transform() {
    let v = Variant::Ft6x06;
    let b = common::burst(v, 0, 1, &[common::point(2, 0, 10, 20, 0, 0)]);
    let i2c = Mock::new(&[frame_read(v, b.clone()), frame_read(v, b)]);
    let config = Config {
        transform: Transform {
            inverted_y: true,
            swapped_x_y: true,
            ..Transform::new(320, 240)
        },
        ..Config::new(v)
    };
    let mut touch = Ft5x06::new(i2c, ADDR, config);
    let p = touch.read_frame().unwrap().points()[0];
    assert_eq!((p.x, p.y), (239 - 20, 10));
    touch.set_transform(Transform::IDENTITY);
    assert_eq!(touch.config().transform, Transform::IDENTITY);
    let p = touch.read_frame().unwrap().points()[0];
    assert_eq!((p.x, p.y), (10, 20));
    touch.release().done();
}

#[test]
fn init_reads_the_id_block_then_sets_trigger_mode() {
    let i2c = Mock::new(&[id_read(0x55), Transaction::write(ADDR, vec![0xA4, 0x01])]);
    let mut touch = Ft5x06::new(i2c, ADDR, Config::default());
    let info = touch.init().unwrap();
    assert_eq!(
        info,
        DeviceInfo {
            chip: ChipId::Ft5x06,
            lib_version: 0x3005,
            firmware_id: 0x0A,
            vendor_id: 0x11,
        }
    );
    assert_eq!(info.chip.variant(), Some(Variant::Ft5x06));
    touch.release().done();
}

#[test]
fn init_writes_polling_mode_threshold_and_period() {
    let i2c = Mock::new(&[
        id_read(0x64),
        Transaction::write(ADDR, vec![0xA4, 0x00]),
        Transaction::write(ADDR, vec![0x80, 40]),
        Transaction::write(ADDR, vec![0x88, 12]),
    ]);
    let config = Config {
        interrupt_mode: InterruptMode::Polling,
        threshold: Some(40),
        active_period: Some(12),
        ..Config::new(Variant::Ft6x06)
    };
    let mut touch = Ft5x06::new(i2c, ADDR, config);
    assert_eq!(touch.init().unwrap().chip, ChipId::Ft6x36U);
    touch.release().done();
}

#[test]
fn init_keeps_an_unrecognised_chip_id() {
    let i2c = Mock::new(&[id_read(0x54), Transaction::write(ADDR, vec![0xA4, 0x01])]);
    let mut touch = Ft5x06::new(i2c, ADDR, Config::default());
    let chip = touch.init().unwrap().chip;
    assert_eq!(chip, ChipId::Other(0x54));
    assert_eq!(chip.variant(), None);
    touch.release().done();
}

#[test]
fn init_rejects_chip_id_0x00_and_0xff_without_writing() {
    for cipher in [0x00, 0xFF] {
        // No write is expected: the mock would fail on one.
        let i2c = Mock::new(&[id_read(cipher)]);
        let mut touch = Ft5x06::new(i2c, ADDR, Config::default());
        assert_eq!(touch.init(), Err(Error::UnknownChip(cipher)));
        touch.release().done();
    }
}

#[test]
fn chip_ids() {
    let known = [
        (0x55, ChipId::Ft5x06, Variant::Ft5x06),
        (0x06, ChipId::Ft6206, Variant::Ft6x06),
        (0x36, ChipId::Ft6236, Variant::Ft6x06),
        (0x64, ChipId::Ft6x36U, Variant::Ft6x06),
    ];
    for (raw, chip, variant) in known {
        assert_eq!(ChipId::from(raw), chip);
        assert_eq!(chip.cipher(), raw);
        assert_eq!(chip.variant(), Some(variant));
    }
    assert_eq!(ChipId::from(0x14).cipher(), 0x14);
}

#[test]
fn bus_error_on_frame_read() {
    let v = Variant::Ft5x06;
    let i2c = Mock::new(&[frame_read(v, vec![0; v.burst_len()]).with_error(ErrorKind::Other)]);
    let mut touch = Ft5x06::new(i2c, ADDR, Config::new(v));
    assert_eq!(touch.read_frame(), Err(Error::Bus(ErrorKind::Other)));
    touch.release().done();
}

#[test]
fn bus_error_on_id_read_stops_init() {
    let i2c = Mock::new(&[id_read(0x55).with_error(ErrorKind::Other)]);
    let mut touch = Ft5x06::new(i2c, ADDR, Config::default());
    assert_eq!(touch.init(), Err(Error::Bus(ErrorKind::Other)));
    touch.release().done();
}

#[test]
fn bus_error_on_a_write_stops_init() {
    let nack = ErrorKind::NoAcknowledge(embedded_hal::i2c::NoAcknowledgeSource::Data);
    let i2c = Mock::new(&[
        id_read(0x06),
        Transaction::write(ADDR, vec![0xA4, 0x01]).with_error(nack),
    ]);
    let config = Config {
        threshold: Some(40), // never written: init stops at the failed write
        ..Config::new(Variant::Ft6x06)
    };
    let mut touch = Ft5x06::new(i2c, ADDR, config);
    assert_eq!(touch.init(), Err(Error::Bus(nack)));
    touch.release().done();
}

#[test]
fn errors_display() {
    let e: Error<ErrorKind> =
        Error::InvalidData(ft5x06::InvalidData::TouchCount { count: 7, max: 5 });
    assert_eq!(
        e.to_string(),
        "invalid touch data: TD_STATUS reports 7 touch points, at most 5 are valid"
    );
    let e: Error<ErrorKind> = Error::UnknownChip(0xFF);
    assert_eq!(e.to_string(), "no valid chip ID (ID_G_CIPHER = 0xff)");
}
