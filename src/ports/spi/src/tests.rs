// SPDX-License-Identifier: Apache-2.0

//! The synchronous path end to end against the fake register file: what the device sees,
//! what Erlang gets back.

use std::vec::Vec;

use atomvm_port::Error;

use crate::config::{BusLimits, DeviceConfig, Key, Raw};
use crate::fake::FakeRegs;
use crate::transfer::{run, DevError, Transfer};
use crate::txn::{Dir, Plan, Transaction};

const MAX: usize = 256;
const BUS: BusLimits = BusLimits { cs_count: 2 };

fn read_at(bus: &mut FakeRegs, dev: &DeviceConfig, addr: i64, bits: i64) -> Result<u64, Error> {
    let p = Plan::read_at(dev, Raw::Int(addr), Raw::Int(bits), MAX)?;
    let rx = run(bus, dev, &p)?;
    Ok(p.answer_int(&rx))
}

#[test]
fn write_at_then_read_at_round_trips_through_the_registers() {
    let mut bus = FakeRegs::new();
    let dev = DeviceConfig::DEFAULT;
    let p = Plan::write_at(&dev, Raw::Int(0x10), Raw::Int(16), Raw::Int(0xBEEF), MAX).unwrap();
    let rx = run(&mut bus, &dev, &p).unwrap();
    // The old contents of registers 0x10 and 0x11 came back.
    assert_eq!(p.answer_int(&rx), 0x1011);
    assert_eq!(&bus.regs[0x10..0x12], [0xBE, 0xEF]);
    assert_eq!(read_at(&mut bus, &dev, 0x10, 16), Ok(0xBEEF));
    assert_eq!(read_at(&mut bus, &dev, 0x11, 8), Ok(0xEF));
    assert_eq!(read_at(&mut bus, &dev, 0x7F, 16), Ok(0x7F00));
    assert_eq!(bus.log.len(), 4);
    assert_eq!(bus.log[0].1, [0x90, 0xBE, 0xEF]);
    assert_eq!(bus.log[1].1, [0x10, 0, 0]);
}

#[test]
fn write_then_write_read_with_transaction_maps() {
    let mut bus = FakeRegs::new();
    let dev = DeviceConfig::DEFAULT;
    let w = Transaction {
        address: Some(Raw::Int(0x80 | 0x20)),
        write_data: Some(Raw::Bin(&[1, 2, 3])),
        ..Transaction::default()
    };
    let p = Plan::new(&dev, &w, Dir::Write, MAX).unwrap();
    assert_eq!(run(&mut bus, &dev, &p), Ok(Vec::new()));
    assert!(!bus.log[0].2, "a write does not read");
    let r = Transaction {
        address: Some(Raw::Int(0x20)),
        read_bits: Some(Raw::Int(20)),
        ..Transaction::default()
    };
    let p = Plan::new(&dev, &r, Dir::WriteRead, MAX).unwrap();
    let rx = run(&mut bus, &dev, &p).unwrap();
    assert_eq!(p.answer(&rx), [1, 2, 0x00]);
    // read_bits defaults to the bits written.
    let r = Transaction {
        address: Some(Raw::Int(0x21)),
        write_data: Some(Raw::Bin(&[0, 0])),
        ..Transaction::default()
    };
    let p = Plan::new(&dev, &r, Dir::WriteRead, MAX).unwrap();
    assert_eq!(p.answer(&run(&mut bus, &dev, &p).unwrap()), [2, 3]);
}

#[test]
fn each_device_transfers_under_its_own_configuration() {
    let mut bus = FakeRegs::new();
    let slow = DeviceConfig::DEFAULT
        .with(
            &[
                (Key::Cs, Raw::Int(0)),
                (Key::Mode, Raw::Int(0)),
                (Key::ClockSpeedHz, Raw::Int(100_000)),
            ],
            &BUS,
        )
        .unwrap();
    let fast = DeviceConfig::DEFAULT
        .with(
            &[
                (Key::Cs, Raw::Int(1)),
                (Key::Mode, Raw::Int(3)),
                (Key::ClockSpeedHz, Raw::Int(8_000_000)),
            ],
            &BUS,
        )
        .unwrap();
    read_at(&mut bus, &slow, 1, 8).unwrap();
    read_at(&mut bus, &fast, 2, 8).unwrap();
    read_at(&mut bus, &slow, 3, 8).unwrap();
    let seen: Vec<(Option<u32>, u8, u32)> = bus
        .log
        .iter()
        .map(|(d, _, _)| (d.cs(), d.mode(), d.clock_speed_hz()))
        .collect();
    assert_eq!(
        seen,
        [
            (Some(0), 0, 100_000),
            (Some(1), 3, 8_000_000),
            (Some(0), 0, 100_000)
        ]
    );
}

#[test]
fn driver_errors_become_reasons() {
    let mut bus = FakeRegs::new();
    let dev = DeviceConfig::DEFAULT;
    bus.fail_next = Some(-5);
    assert_eq!(read_at(&mut bus, &dev, 0, 8), Err(Error::IO));
    // The next transfer works again.
    assert_eq!(read_at(&mut bus, &dev, 3, 8), Ok(3));
    for (errno, reason) in [
        (-116, Error::new("timeout")),
        (-134, Error::NOT_SUPPORTED),
        (-88, Error::NOT_SUPPORTED),
        (-22, Error::with("badarg", "config")),
        (-16, Error::BUSY),
        (-140, Error::new("cancelled")),
        (-5, Error::IO),
        (-1, Error::IO),
    ] {
        assert_eq!(Error::from(DevError(errno)), reason, "{errno}");
    }
}

#[test]
fn run_hands_the_driver_as_many_bytes_in_as_out() {
    struct Check(usize);
    impl Transfer for Check {
        fn transfer(
            &mut self,
            _: &DeviceConfig,
            tx: &[u8],
            rx: Option<&mut [u8]>,
        ) -> Result<(), DevError> {
            self.0 = tx.len();
            let rx = rx.ok_or(DevError(-22))?;
            assert_eq!(rx.len(), tx.len());
            rx.fill(0xA5);
            Ok(())
        }
    }
    let dev = DeviceConfig::DEFAULT;
    let p = Plan::read_at(&dev, Raw::Int(1), Raw::Int(24), MAX).unwrap();
    let mut c = Check(0);
    assert_eq!(run(&mut c, &dev, &p), Ok(std::vec![0xA5; 4]));
    assert_eq!(c.0, 4);
}
