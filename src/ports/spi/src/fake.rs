// SPDX-License-Identifier: Apache-2.0

//! A host fake of a device on the bus: a 128-register file on an 8-bit address, SX127x style
//! (address bit 7 set: write; clear: read), auto-incrementing; a write answers each register's
//! old value. It logs every transfer with the configuration it ran under, and fails on demand.

use std::vec::Vec;

use crate::config::DeviceConfig;
use crate::transfer::{DevError, Transfer};

pub struct FakeRegs {
    pub regs: [u8; 128],
    pub log: Vec<(DeviceConfig, Vec<u8>, bool)>,
    pub fail_next: Option<i32>,
}

impl FakeRegs {
    pub fn new() -> Self {
        FakeRegs {
            regs: core::array::from_fn(|i| i as u8),
            log: Vec::new(),
            fail_next: None,
        }
    }
}

impl Transfer for FakeRegs {
    fn transfer(
        &mut self,
        dev: &DeviceConfig,
        tx: &[u8],
        rx: Option<&mut [u8]>,
    ) -> Result<(), DevError> {
        assert!(rx.as_ref().is_none_or(|r| r.len() == tx.len()));
        self.log.push((*dev, tx.to_vec(), rx.is_some()));
        if let Some(e) = self.fail_next.take() {
            return Err(DevError(e));
        }
        let mut out = std::vec![0xFFu8; tx.len()];
        if let Some((&a, data)) = tx.split_first() {
            let write = a & 0x80 != 0;
            for (i, &b) in data.iter().enumerate() {
                let r = (usize::from(a & 0x7F) + i) % 128;
                out[i + 1] = self.regs[r];
                if write {
                    self.regs[r] = b;
                }
            }
        }
        if let Some(rx) = rx {
            rx.copy_from_slice(&out);
        }
        Ok(())
    }
}
