// SPDX-License-Identifier: Apache-2.0

//! The devices of an open bus: each one's configuration from `spi:open/1`'s options on top of
//! AtomVM's defaults or, for `{device, Label}`, of its devicetree node's `reg` and
//! `spi-max-frequency`.

use alloc::vec::Vec;

use atomvm_port::Error;

use crate::config::{BusLimits, DeviceConfig, Key, Raw};
use crate::decode::DeviceSpec;

/// What the devicetree says about a child node of the bus.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NodeInfo {
    /// `reg`: its chip select.
    pub reg: u32,
    /// `spi-max-frequency` (`None` without one).
    pub max_frequency: Option<u32>,
}

/// `{no_device, device}`: `{device, Label}` names no child node of the bus.
pub const NO_NODE: Error = Error::with("no_device", "device");

/// Each device's configuration, in `specs`' order: `node` looks a `{device, Label}` up among
/// the bus's child nodes. Errors: [`NO_NODE`], `{badarg, Key}` (a node's `reg` beyond the
/// bus's chip selects is `{badarg, cs}`).
pub fn configure(
    specs: &[DeviceSpec<'_>],
    bus: &BusLimits,
    node: impl Fn(&[u8]) -> Option<NodeInfo>,
) -> Result<Vec<DeviceConfig>, Error> {
    let mut out = Vec::with_capacity(specs.len());
    for spec in specs {
        let mut base = DeviceConfig::DEFAULT;
        if let Some(label) = &spec.node {
            let n = node(label).ok_or(NO_NODE)?;
            let mut from_node = Vec::with_capacity(2);
            from_node.push((Key::Cs, Raw::Int(n.reg.into())));
            if let Some(f) = n.max_frequency {
                from_node.push((Key::ClockSpeedHz, Raw::Int(f.into())));
            }
            base = base.with(&from_node, bus)?;
        }
        out.push(base.with(&spec.changes, bus)?);
    }
    Ok(out)
}

/// The index of the device named `name` (its atom's name).
pub fn find(names: &[Vec<u8>], name: &[u8]) -> Option<usize> {
    names.iter().position(|n| n == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec;

    const BUS: BusLimits = BusLimits { cs_count: 2 };

    fn spec(node: Option<&str>, changes: Vec<(Key, Raw<'static>)>) -> DeviceSpec<'static> {
        DeviceSpec {
            name: b"d",
            node: node.map(|n| n.as_bytes().to_vec()),
            changes,
        }
    }

    fn nodes(label: &[u8]) -> Option<NodeInfo> {
        match label {
            b"flash0" => Some(NodeInfo {
                reg: 1,
                max_frequency: Some(8_000_000),
            }),
            b"plain" => Some(NodeInfo {
                reg: 0,
                max_frequency: None,
            }),
            b"far" => Some(NodeInfo {
                reg: 5,
                max_frequency: None,
            }),
            _ => None,
        }
    }

    #[test]
    fn defaults_options_and_nodes() {
        let got = configure(
            &[
                spec(None, vec![]),
                spec(None, vec![(Key::Cs, Raw::Int(1)), (Key::Mode, Raw::Int(2))]),
                spec(Some("flash0"), vec![]),
                spec(
                    Some("flash0"),
                    vec![(Key::ClockSpeedHz, Raw::Int(1000)), (Key::Cs, Raw::Int(0))],
                ),
                spec(Some("plain"), vec![]),
            ],
            &BUS,
            nodes,
        )
        .unwrap();
        assert_eq!(got[0], DeviceConfig::DEFAULT);
        assert_eq!((got[1].cs(), got[1].mode()), (Some(1), 2));
        assert_eq!((got[2].cs(), got[2].clock_speed_hz()), (Some(1), 8_000_000));
        // The options override the node.
        assert_eq!((got[3].cs(), got[3].clock_speed_hz()), (Some(0), 1000));
        // No spi-max-frequency: AtomVM's default clock.
        assert_eq!((got[4].cs(), got[4].clock_speed_hz()), (Some(0), 1_000_000));
    }

    #[test]
    fn unknown_nodes_and_bad_values_are_refused() {
        assert_eq!(
            configure(&[spec(Some("nope"), vec![])], &BUS, nodes),
            Err(NO_NODE)
        );
        assert_eq!(
            configure(&[spec(Some("far"), vec![])], &BUS, nodes),
            Err(Error::with("badarg", "cs"))
        );
        assert_eq!(
            configure(
                &[
                    spec(None, vec![]),
                    spec(None, vec![(Key::Mode, Raw::Int(4))])
                ],
                &BUS,
                nodes
            ),
            Err(Error::with("badarg", "mode"))
        );
    }

    #[test]
    fn devices_are_found_by_name() {
        let names = vec![b"a".to_vec(), b"bb".to_vec()];
        assert_eq!(find(&names, b"bb"), Some(1));
        assert_eq!(find(&names, b"a"), Some(0));
        assert_eq!(find(&names, b"b"), None);
    }
}
