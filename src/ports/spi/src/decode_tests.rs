// SPDX-License-Identifier: Apache-2.0

//! Decoding against a small term tree (a [`Backend`] over borrowed nodes).

use std::boxed::Box;
use std::vec;
use std::vec::Vec;

use atomvm_port::gen::Request;
use atomvm_port::term::{Backend, Kind, Term};
use atomvm_port::Error;

use crate::config::{Key, Raw};
use crate::decode::{self, Command, DeviceSpec, OpenParams, UNKNOWN_OPTION};
use crate::txn::Transaction;

#[derive(Debug, PartialEq)]
enum T {
    Atom(&'static str),
    Int(i64),
    Big,
    Bin(Vec<u8>),
    Tuple(Vec<T>),
    Nil,
    Cons(Box<T>, Box<T>),
    Map(Vec<(T, T)>),
    Ref,
    Float,
}

#[derive(Clone, Copy, Debug)]
struct Tree;

impl<'a> Backend<'a> for Tree {
    type Raw = &'a T;
    fn kind(self, t: &'a T) -> Kind {
        match t {
            T::Atom(_) => Kind::Atom,
            T::Int(_) | T::Big => Kind::Integer,
            T::Bin(_) => Kind::Binary,
            T::Tuple(_) => Kind::Tuple,
            T::Nil => Kind::Nil,
            T::Cons(..) => Kind::Cons,
            T::Map(_) => Kind::Map,
            T::Ref => Kind::Reference,
            T::Float => Kind::Other,
        }
    }
    fn atom_name(self, t: &'a T) -> Option<&'a [u8]> {
        match t {
            T::Atom(a) => Some(a.as_bytes()),
            _ => None,
        }
    }
    fn integer(self, t: &'a T) -> Option<i64> {
        match t {
            T::Int(i) => Some(*i),
            _ => None,
        }
    }
    fn binary(self, t: &'a T) -> Option<&'a [u8]> {
        match t {
            T::Bin(b) => Some(b),
            _ => None,
        }
    }
    fn tuple_arity(self, t: &'a T) -> Option<usize> {
        match t {
            T::Tuple(v) => Some(v.len()),
            _ => None,
        }
    }
    fn tuple_element(self, t: &'a T, i: usize) -> Option<&'a T> {
        match t {
            T::Tuple(v) => v.get(i),
            _ => None,
        }
    }
    fn cons(self, t: &'a T) -> Option<(&'a T, &'a T)> {
        match t {
            T::Cons(h, t) => Some((h, t)),
            _ => None,
        }
    }
    fn map_size(self, t: &'a T) -> Option<usize> {
        match t {
            T::Map(v) => Some(v.len()),
            _ => None,
        }
    }
    fn map_entry(self, t: &'a T, i: usize) -> Option<(&'a T, &'a T)> {
        match t {
            T::Map(v) => v.get(i).map(|(k, v)| (k, v)),
            _ => None,
        }
    }
}

fn a(s: &'static str) -> T {
    T::Atom(s)
}
fn i(n: i64) -> T {
    T::Int(n)
}
fn l(items: Vec<T>) -> T {
    items
        .into_iter()
        .rev()
        .fold(T::Nil, |tail, h| T::Cons(Box::new(h), Box::new(tail)))
}
fn kv(k: &'static str, v: T) -> T {
    T::Tuple(vec![a(k), v])
}
fn m(items: Vec<(&'static str, T)>) -> T {
    T::Map(items.into_iter().map(|(k, v)| (a(k), v)).collect())
}
fn s(text: &str) -> T {
    l(text.bytes().map(|b| i(b.into())).collect())
}
fn term(t: &T) -> Term<'_, Tree> {
    Term::new(Tree, t)
}

#[test]
fn raw_values_by_kind() {
    assert_eq!(decode::raw(term(&i(-3))), Raw::Int(-3));
    assert_eq!(decode::raw(term(&T::Big)), Raw::Other);
    assert_eq!(decode::raw(term(&a("lsb_first"))), Raw::Atom("lsb_first"));
    assert_eq!(decode::raw(term(&T::Bin(vec![1, 2]))), Raw::Bin(&[1, 2]));
    assert_eq!(decode::raw(term(&T::Float)), Raw::Other);
    assert_eq!(decode::raw(term(&l(vec![i(1)]))), Raw::Other);
}

#[test]
fn open_params_as_atomvm_apps_write_them() {
    // The LIS3DH example's shape, pins and all.
    let p = l(vec![
        kv(
            "bus_config",
            l(vec![
                kv("sclk", i(18)),
                kv("mosi", i(23)),
                kv("miso", i(19)),
                kv("peripheral", s("spi1")),
            ]),
        ),
        kv(
            "device_config",
            l(vec![T::Tuple(vec![
                a("lis3dh"),
                l(vec![
                    kv("cs", i(0)),
                    kv("clock_speed_hz", i(1_000_000)),
                    kv("mode", i(3)),
                    kv("address_len_bits", i(8)),
                    kv("command_len_bits", i(0)),
                ]),
            ])]),
        ),
    ]);
    let got = decode::open_params(term(&p)).unwrap();
    assert_eq!(
        got,
        OpenParams {
            peripheral: Some(b"spi1".to_vec()),
            devices: vec![DeviceSpec {
                name: b"lis3dh",
                node: None,
                changes: vec![
                    (Key::Cs, Raw::Int(0)),
                    (Key::ClockSpeedHz, Raw::Int(1_000_000)),
                    (Key::Mode, Raw::Int(3)),
                    (Key::AddressLenBits, Raw::Int(8)),
                    (Key::CommandLenBits, Raw::Int(0)),
                ],
            }],
        }
    );
}

#[test]
fn open_params_as_maps_with_binary_peripheral_and_device_nodes() {
    let p = m(vec![
        (
            "bus_config",
            m(vec![("peripheral", T::Bin(b"spi0".to_vec()))]),
        ),
        (
            "device_config",
            m(vec![
                (
                    "flash",
                    m(vec![("device", a("flash0")), ("word_size", i(16))]),
                ),
                (
                    "adc",
                    l(vec![
                        kv("device", s("adc-node")),
                        kv("bit_order", a("lsb_first")),
                    ]),
                ),
            ]),
        ),
    ]);
    let got = decode::open_params(term(&p)).unwrap();
    assert_eq!(got.peripheral.as_deref(), Some(&b"spi0"[..]));
    assert_eq!(got.devices.len(), 2);
    assert_eq!(got.devices[0].node.as_deref(), Some(&b"flash0"[..]));
    assert_eq!(got.devices[0].changes, [(Key::WordSize, Raw::Int(16))]);
    assert_eq!(got.devices[1].name, b"adc");
    assert_eq!(got.devices[1].node.as_deref(), Some(&b"adc-node"[..]));
    assert_eq!(
        got.devices[1].changes,
        [(Key::BitOrder, Raw::Atom("lsb_first"))]
    );
    // Any byte but NUL.
    assert_eq!(decode::name(term(&l(vec![i(1), i(255)]))), Ok(vec![1, 255]));
    // Nothing at all: the default bus, no devices.
    let empty = decode::open_params(term(&T::Nil)).unwrap();
    assert_eq!((empty.peripheral, empty.devices.len()), (None, 0));
}

#[test]
fn bad_open_params_name_the_part() {
    let bad = |t: T| decode::open_params(term(&t)).unwrap_err();
    let b = |k| Error::with("badarg", k);
    assert_eq!(bad(i(1)), Error::BADARG);
    assert_eq!(bad(l(vec![a("bus_config")])), Error::BADARG);
    assert_eq!(bad(l(vec![kv("bus", T::Nil)])), UNKNOWN_OPTION);
    assert_eq!(bad(l(vec![kv("bus_config", i(1))])), b("bus_config"));
    assert_eq!(
        bad(l(vec![kv("bus_config", T::Nil), kv("bus_config", T::Nil)])),
        b("bus_config")
    );
    assert_eq!(
        bad(l(vec![kv("device_config", a("x"))])),
        b("device_config")
    );
    assert_eq!(
        bad(l(vec![
            kv("device_config", T::Nil),
            kv("device_config", T::Nil)
        ])),
        b("device_config")
    );
    assert_eq!(
        bad(l(vec![kv("bus_config", l(vec![kv("peripheral", i(2))]))])),
        b("peripheral")
    );
    assert_eq!(
        bad(l(vec![kv(
            "bus_config",
            l(vec![kv("peripheral", s("a")), kv("peripheral", s("b"))])
        )])),
        b("peripheral")
    );
    assert_eq!(
        bad(l(vec![kv("bus_config", l(vec![kv("sclk_io_num", i(2))]))])),
        UNKNOWN_OPTION
    );
    // A name with a NUL (it would cut the C string) or a non-byte is not a name.
    assert_eq!(
        bad(l(vec![kv(
            "bus_config",
            l(vec![kv("peripheral", T::Bin(vec![0x73, 0]))])
        )])),
        b("peripheral")
    );
    assert_eq!(
        bad(l(vec![kv(
            "bus_config",
            l(vec![kv("peripheral", l(vec![i(0x73), i(0)]))])
        )])),
        b("peripheral")
    );
    assert_eq!(
        bad(l(vec![kv(
            "bus_config",
            l(vec![kv("peripheral", l(vec![i(300)]))])
        )])),
        b("peripheral")
    );
    let dev = |opts: T| {
        l(vec![kv(
            "device_config",
            l(vec![T::Tuple(vec![a("d"), opts])]),
        )])
    };
    assert_eq!(bad(dev(i(1))), b("device_config"));
    assert_eq!(bad(dev(l(vec![kv("spi_clock_hz", i(1))]))), UNKNOWN_OPTION);
    assert_eq!(bad(dev(l(vec![kv("device", i(1))]))), b("device"));
    assert_eq!(
        bad(dev(l(vec![kv("device", s("a")), kv("device", s("a"))]))),
        b("device")
    );
    // A device name that is not an atom, or given twice.
    assert_eq!(
        bad(l(vec![kv(
            "device_config",
            l(vec![T::Tuple(vec![i(1), T::Nil])])
        )])),
        b("device_config")
    );
    assert_eq!(
        bad(l(vec![kv(
            "device_config",
            l(vec![
                T::Tuple(vec![a("d"), T::Nil]),
                T::Tuple(vec![a("d"), T::Nil])
            ])
        )])),
        b("device_config")
    );
}

#[test]
fn transactions_take_the_five_keys_and_ignore_others() {
    let t = m(vec![
        ("command", i(0x9F)),
        ("address", i(-1)),
        ("write_data", T::Bin(vec![1])),
        ("write_bits", i(4)),
        ("read_bits", a("all")),
        ("dummy", i(0)),
    ]);
    assert_eq!(
        decode::transaction(term(&t)).unwrap(),
        Transaction {
            command: Some(Raw::Int(0x9F)),
            address: Some(Raw::Int(-1)),
            write_data: Some(Raw::Bin(&[1])),
            write_bits: Some(Raw::Int(4)),
            read_bits: Some(Raw::Atom("all")),
        }
    );
    assert_eq!(
        decode::transaction(term(&m(vec![]))).unwrap(),
        Transaction::default()
    );
    assert_eq!(
        decode::transaction(term(&l(vec![]))).unwrap_err(),
        Error::with("badarg", "transaction")
    );
}

#[test]
fn changes_for_set_config() {
    let c = l(vec![kv("mode", i(1)), kv("word_size", i(32))]);
    assert_eq!(
        decode::changes(term(&c)).unwrap(),
        [(Key::Mode, Raw::Int(1)), (Key::WordSize, Raw::Int(32))]
    );
    let c = m(vec![("cs", a("undefined"))]);
    assert_eq!(
        decode::changes(term(&c)).unwrap(),
        [(Key::Cs, Raw::Atom("undefined"))]
    );
    assert_eq!(
        decode::changes(term(&l(vec![kv("speed", i(1))]))).unwrap_err(),
        UNKNOWN_OPTION
    );
    assert_eq!(decode::changes(term(&i(3))).unwrap_err(), Error::BADARG);
}

fn cmd(t: &T) -> Result<Command<'_>, Error> {
    Command::parse(&Request::parse(term(t))?)
}

#[test]
fn commands_and_their_arguments() {
    let t = T::Tuple(vec![a("read_at"), a("dev"), i(0x0F), i(8)]);
    assert!(matches!(
        cmd(&t),
        Ok(Command::ReadAt {
            dev: b"dev",
            address: Raw::Int(0x0F),
            len: Raw::Int(8)
        })
    ));
    let t = T::Tuple(vec![a("write_at"), a("dev"), i(1), i(16), i(-2)]);
    assert!(matches!(
        cmd(&t),
        Ok(Command::WriteAt {
            dev: b"dev",
            address: Raw::Int(1),
            len: Raw::Int(16),
            data: Raw::Int(-2)
        })
    ));
    let t = T::Tuple(vec![a("write"), a("dev"), m(vec![("address", i(3))])]);
    match cmd(&t) {
        Ok(Command::Write { dev, txn }) => {
            assert_eq!(dev, b"dev");
            assert_eq!(txn.address, Some(Raw::Int(3)));
        }
        other => panic!("{other:?}"),
    }
    let t = T::Tuple(vec![a("write_read"), a("dev"), m(vec![])]);
    assert!(matches!(
        cmd(&t),
        Ok(Command::WriteRead { dev: b"dev", .. })
    ));
    let t = T::Tuple(vec![a("write_read_async"), a("dev"), m(vec![])]);
    assert!(matches!(
        cmd(&t),
        Ok(Command::WriteReadAsync { dev: b"dev", .. })
    ));
    let t = T::Tuple(vec![a("get_config"), a("dev")]);
    assert!(matches!(cmd(&t), Ok(Command::GetConfig { dev: b"dev" })));
    let t = T::Tuple(vec![a("set_config"), a("dev"), l(vec![kv("mode", i(2))])]);
    match cmd(&t) {
        Ok(Command::SetConfig { changes, .. }) => assert_eq!(changes, [(Key::Mode, Raw::Int(2))]),
        other => panic!("{other:?}"),
    }
    assert!(matches!(cmd(&a("get_counters")), Ok(Command::GetCounters)));
    assert!(matches!(cmd(&a("close")), Ok(Command::Close)));
}

#[test]
fn bad_commands() {
    let e = |t: T| cmd(&t).unwrap_err();
    assert_eq!(e(a("open")), Error::UNKNOWN_COMMAND);
    assert_eq!(
        e(T::Tuple(vec![a("read_at"), a("dev"), i(1)])),
        Error::UNKNOWN_COMMAND
    );
    assert_eq!(
        e(T::Tuple(vec![a("close"), a("x")])),
        Error::UNKNOWN_COMMAND
    );
    assert_eq!(
        e(T::Tuple(vec![a("read_at"), i(1), i(1), i(8)])),
        Error::BADARG
    );
    assert_eq!(
        e(T::Tuple(vec![a("write"), a("dev"), l(vec![])])),
        Error::with("badarg", "transaction")
    );
    assert_eq!(
        e(T::Tuple(vec![
            a("write_read_async"),
            a("dev"),
            m(vec![]),
            T::Ref
        ])),
        Error::UNKNOWN_COMMAND
    );
    assert_eq!(
        e(T::Tuple(vec![a("write_read_async"), a("dev"), i(1)])),
        Error::with("badarg", "transaction")
    );
    assert_eq!(
        e(T::Tuple(vec![a("set_config"), a("dev"), i(1)])),
        Error::with("badarg", "changes")
    );
    assert_eq!(
        e(T::Tuple(vec![
            a("set_config"),
            a("dev"),
            l(vec![kv("clock", i(1))])
        ])),
        UNKNOWN_OPTION
    );
    assert_eq!(e(i(1)), Error::BADARG);
}
