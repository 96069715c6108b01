// SPDX-License-Identifier: Apache-2.0

//! Erlang terms to the core's types, over atomvm-port's [`Backend`] (so the same code runs on
//! the VM's terms and on the host tests' term store): `spi:open/1`'s parameters, device
//! options and `set_config` changes, transaction maps, and the port's requests.

use alloc::vec::Vec;

use atomvm_port::gen::Request;
use atomvm_port::term::{Backend, Kind, Term};
use atomvm_port::Error;

use crate::config::{Key, Raw};
use crate::txn::Transaction;

/// `{unknown_option, Key}` is not possible for any atom (details are static): unknown keys
/// are `unknown_option`, as the framework's `Options::only` answers.
pub const UNKNOWN_OPTION: Error = Error::new("unknown_option");

/// AtomVM's bus keys that name pins and timings of other platforms: accepted, ignored (pins
/// are the devicetree's pinctrl).
pub const IGNORED_BUS_KEYS: [&str; 7] = [
    "sclk",
    "miso",
    "mosi",
    "pico",
    "poci",
    "af",
    "send_timeout_ms",
];

/// A term as a [`Raw`] value: integers within `i64` (bignums are `Other`), atoms, binaries.
pub fn raw<'a, B: Backend<'a>>(t: Term<'a, B>) -> Raw<'a> {
    match t.kind() {
        Kind::Integer => t.int::<i64>().map_or(Raw::Other, Raw::Int),
        Kind::Atom => t
            .atom()
            .ok()
            .and_then(|a| core::str::from_utf8(a).ok())
            .map_or(Raw::Other, Raw::Atom),
        Kind::Binary => t.binary().map_or(Raw::Other, Raw::Bin),
        _ => Raw::Other,
    }
}

/// An option's key (an atom's name) and value.
pub type Entry<'a, B> = (&'a [u8], Term<'a, B>);

/// The `{Key, Value}` entries of a proplist or the entries of a map, keys as atom names.
/// `badarg` for anything else (a bare atom in the list, a non-atom key, an improper list).
pub fn entries<'a, B: Backend<'a>>(t: Term<'a, B>) -> Result<Vec<Entry<'a, B>>, Error> {
    let mut out = Vec::new();
    match t.kind() {
        Kind::Map => {
            let b = t.backend();
            let n = b.map_size(t.raw()).ok_or(Error::BADARG)?;
            for i in 0..n {
                let (k, v) = b.map_entry(t.raw(), i).ok_or(Error::BADARG)?;
                out.push((Term::new(b, k).atom()?, Term::new(b, v)));
            }
        }
        Kind::Nil | Kind::Cons => {
            for item in t.list()? {
                let [k, v] = item?.tuple_n::<2>()?;
                out.push((k.atom()?, v));
            }
        }
        _ => return Err(Error::BADARG),
    }
    Ok(out)
}

/// A name given as a string (a list of bytes), a binary or an atom, without NUL bytes (it
/// goes to C as a string).
pub fn name<'a, B: Backend<'a>>(t: Term<'a, B>) -> Result<Vec<u8>, Error> {
    let v: Vec<u8> = match t.kind() {
        Kind::Binary => t.binary()?.to_vec(),
        Kind::Atom => t.atom()?.to_vec(),
        Kind::Nil | Kind::Cons => t
            .list()?
            .map(|c| c?.int_in(0u8..=255))
            .collect::<Result<_, _>>()?,
        _ => return Err(Error::BADARG),
    };
    if v.contains(&0) {
        return Err(Error::BADARG);
    }
    Ok(v)
}

/// Changes for [`DeviceConfig::with`](crate::config::DeviceConfig::with) from a list or map
/// of configuration keys (`set_config`): `unknown_option` for any other key.
pub fn changes<'a, B: Backend<'a>>(t: Term<'a, B>) -> Result<Vec<(Key, Raw<'a>)>, Error> {
    let mut out = Vec::new();
    for (k, v) in entries(t)? {
        let key = core::str::from_utf8(k)
            .ok()
            .and_then(Key::from_name)
            .ok_or(UNKNOWN_OPTION)?;
        out.push((key, raw(v)));
    }
    Ok(out)
}

/// One device of `spi:open/1`: its name (an atom), the devicetree node it names, if any, and
/// its configuration keys.
#[derive(Debug, PartialEq, Eq)]
pub struct DeviceSpec<'a> {
    /// The device's atom, by name.
    pub name: &'a [u8],
    /// `{device, Label}`: a child node of the bus.
    pub node: Option<Vec<u8>>,
    /// Every other key, for the configuration checks.
    pub changes: Vec<(Key, Raw<'a>)>,
}

/// `spi:open/1`'s parameters.
#[derive(Debug, PartialEq, Eq)]
pub struct OpenParams<'a> {
    /// `{peripheral, Name}`: the bus's node label or device name (`None`: the default bus).
    pub peripheral: Option<Vec<u8>>,
    /// The devices, in the order given.
    pub devices: Vec<DeviceSpec<'a>>,
}

/// Decodes `spi:open/1`'s parameters: `badarg` when they are not a list or map,
/// `{badarg, bus_config}` / `{badarg, device_config}` for a malformed part,
/// `{badarg, peripheral}` for a peripheral that is not a name, `{badarg, device}` for a bad
/// `{device, Label}`, `{badarg, Key}` for a device key given twice, `unknown_option` for keys
/// AtomVM does not have. A missing `bus_config` is the default bus.
pub fn open_params<'a, B: Backend<'a>>(t: Term<'a, B>) -> Result<OpenParams<'a>, Error> {
    let mut bus = None;
    let mut devs = None;
    for (k, v) in entries(t)? {
        match k {
            b"bus_config" if bus.is_none() => bus = Some(v),
            b"device_config" if devs.is_none() => devs = Some(v),
            b"bus_config" => return Err(Error::with("badarg", "bus_config")),
            b"device_config" => return Err(Error::with("badarg", "device_config")),
            _ => return Err(UNKNOWN_OPTION),
        }
    }
    let mut peripheral = None;
    if let Some(bus) = bus {
        let entries = entries(bus).map_err(|e| e.at("bus_config"))?;
        for (k, v) in entries {
            if k == b"peripheral" {
                if peripheral.is_some() {
                    return Err(Error::with("badarg", "peripheral"));
                }
                peripheral = Some(name(v).map_err(|_| Error::with("badarg", "peripheral"))?);
            } else if !IGNORED_BUS_KEYS.iter().any(|i| i.as_bytes() == k) {
                return Err(UNKNOWN_OPTION);
            }
        }
    }
    let mut devices: Vec<DeviceSpec<'a>> = Vec::new();
    if let Some(devs) = devs {
        for (dev, opts) in entries(devs).map_err(|e| e.at("device_config"))? {
            if devices.iter().any(|d| d.name == dev) {
                return Err(Error::with("badarg", "device_config"));
            }
            devices.push(device_spec(dev, opts)?);
        }
    }
    Ok(OpenParams {
        peripheral,
        devices,
    })
}

fn device_spec<'a, B: Backend<'a>>(
    dev: &'a [u8],
    opts: Term<'a, B>,
) -> Result<DeviceSpec<'a>, Error> {
    let mut node = None;
    let mut changes = Vec::new();
    for (k, v) in entries(opts).map_err(|e| e.at("device_config"))? {
        if k == b"device" {
            if node.is_some() {
                return Err(Error::with("badarg", "device"));
            }
            node = Some(name(v).map_err(|_| Error::with("badarg", "device"))?);
            continue;
        }
        let key = core::str::from_utf8(k)
            .ok()
            .and_then(Key::from_name)
            .ok_or(UNKNOWN_OPTION)?;
        changes.push((key, raw(v)));
    }
    Ok(DeviceSpec {
        name: dev,
        node,
        changes,
    })
}

/// A transaction map (`{badarg, transaction}` if it is not a map); other keys are ignored,
/// as AtomVM does.
pub fn transaction<'a, B: Backend<'a>>(t: Term<'a, B>) -> Result<Transaction<'a>, Error> {
    if t.kind() != Kind::Map {
        return Err(Error::with("badarg", "transaction"));
    }
    let get = |k: &str| -> Result<Option<Raw<'a>>, Error> { Ok(t.map_get(k)?.map(raw)) };
    Ok(Transaction {
        command: get("command")?,
        address: get("address")?,
        write_data: get("write_data")?,
        write_bits: get("write_bits")?,
        read_bits: get("read_bits")?,
    })
}

/// A request to the port.
#[derive(Debug)]
pub enum Command<'a> {
    /// `{read_at, Dev, Address, Len}`.
    ReadAt {
        /// The device's atom name.
        dev: &'a [u8],
        /// The address.
        address: Raw<'a>,
        /// Bits to read.
        len: Raw<'a>,
    },
    /// `{write_at, Dev, Address, Len, Data}`.
    WriteAt {
        /// The device's atom name.
        dev: &'a [u8],
        /// The address (bit 7 is set by the plan).
        address: Raw<'a>,
        /// Bits to write and read.
        len: Raw<'a>,
        /// The value written.
        data: Raw<'a>,
    },
    /// `{write, Dev, Transaction}`.
    Write {
        /// The device's atom name.
        dev: &'a [u8],
        /// The transaction.
        txn: Transaction<'a>,
    },
    /// `{write_read, Dev, Transaction}`.
    WriteRead {
        /// The device's atom name.
        dev: &'a [u8],
        /// The transaction.
        txn: Transaction<'a>,
    },
    /// `{write_read_async, Dev, Transaction}`.
    WriteReadAsync {
        /// The device's atom name.
        dev: &'a [u8],
        /// The transaction.
        txn: Transaction<'a>,
    },
    /// `{get_config, Dev}`.
    GetConfig {
        /// The device's atom name.
        dev: &'a [u8],
    },
    /// `{set_config, Dev, Changes}`.
    SetConfig {
        /// The device's atom name.
        dev: &'a [u8],
        /// The changes, decoded.
        changes: Vec<(Key, Raw<'a>)>,
    },
    /// `get_counters`.
    GetCounters,
    /// `close`.
    Close,
}

impl<'a> Command<'a> {
    /// Decodes a request: `unknown_command` for another command or arity, `badarg` for a
    /// device that is not an atom, a transaction's or the changes' errors.
    pub fn parse<B: Backend<'a>>(req: &Request<'a, B>) -> Result<Self, Error> {
        let c = req.command;
        let dev = |t: Term<'a, B>| t.atom();
        Ok(match (c, req.argc()) {
            (b"read_at", 3) => {
                let [d, a, l] = req.args()?;
                Command::ReadAt {
                    dev: dev(d)?,
                    address: raw(a),
                    len: raw(l),
                }
            }
            (b"write_at", 4) => {
                let [d, a, l, v] = req.args()?;
                Command::WriteAt {
                    dev: dev(d)?,
                    address: raw(a),
                    len: raw(l),
                    data: raw(v),
                }
            }
            (b"write", 2) => {
                let [d, t] = req.args()?;
                Command::Write {
                    dev: dev(d)?,
                    txn: transaction(t)?,
                }
            }
            (b"write_read", 2) => {
                let [d, t] = req.args()?;
                Command::WriteRead {
                    dev: dev(d)?,
                    txn: transaction(t)?,
                }
            }
            (b"write_read_async", 2) => {
                let [d, t] = req.args()?;
                Command::WriteReadAsync {
                    dev: dev(d)?,
                    txn: transaction(t)?,
                }
            }
            (b"get_config", 1) => {
                let [d] = req.args()?;
                Command::GetConfig { dev: dev(d)? }
            }
            (b"set_config", 2) => {
                let [d, ch] = req.args()?;
                Command::SetConfig {
                    dev: dev(d)?,
                    changes: changes(ch).map_err(|e| {
                        if e == UNKNOWN_OPTION {
                            e
                        } else {
                            e.at("changes")
                        }
                    })?,
                }
            }
            (b"get_counters", 0) => Command::GetCounters,
            (b"close", 0) => Command::Close,
            _ => return Err(Error::UNKNOWN_COMMAND),
        })
    }
}
