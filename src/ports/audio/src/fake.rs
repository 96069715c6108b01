// SPDX-License-Identifier: Apache-2.0

//! Host fakes of the driver traits: an I2S TX device that follows the state machine of
//! Zephyr's `i2s.h` (READY / RUNNING / STOPPING / ERROR, the documented `-EIO`s), plays a
//! block when told and records what it played, and a codec that records what was set.

use std::collections::VecDeque;
use std::vec::Vec;

use atomvm_port::Error;

use crate::engine::{Block, Codec, DevError, Event, Host, I2sTx, Trigger};
use crate::format::Format;

/// A slab block: an id and its bytes.
#[derive(Debug)]
pub struct FakeBlock {
    pub id: usize,
    pub bytes: Vec<u8>,
}

impl Block for FakeBlock {
    fn bytes_mut(&mut self) -> &mut [u8] {
        &mut self.bytes
    }
}

pub fn blocks(count: usize, size: usize) -> Vec<FakeBlock> {
    (0..count)
        .map(|id| FakeBlock {
            id,
            bytes: std::vec![0xEE; size],
        })
        .collect()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum I2sState {
    Ready,
    Running,
    Stopping,
    Error,
}

#[derive(Debug)]
pub struct FakeI2s {
    pub state: I2sState,
    /// Blocks queued, with their lengths.
    pub queue: VecDeque<(FakeBlock, usize)>,
    /// The driver's own queue depth.
    pub depth: usize,
    /// Everything played, in order.
    pub played: Vec<u8>,
    /// Lengths of the blocks played.
    pub played_lens: Vec<usize>,
    /// Blocks given back (played or dropped), not yet handed to the engine.
    pub back: Vec<FakeBlock>,
    /// Every block given back since the start.
    pub returned: u32,
    pub triggers: Vec<Trigger>,
    pub underruns: u32,
}

impl FakeI2s {
    pub fn new(depth: usize) -> Self {
        Self {
            state: I2sState::Ready,
            queue: VecDeque::new(),
            depth,
            played: Vec::new(),
            played_lens: Vec::new(),
            back: Vec::new(),
            returned: 0,
            triggers: Vec::new(),
            underruns: 0,
        }
    }

    fn give_back(&mut self, b: FakeBlock) {
        self.back.push(b);
        self.returned += 1;
    }

    /// The hardware finishes the block at the head of the queue (if running). Like the DMA
    /// drivers: the block is freed, then an empty queue is an underrun (RUNNING → ERROR) or
    /// the end of a drain (STOPPING → READY).
    pub fn play_one(&mut self) -> bool {
        if !matches!(self.state, I2sState::Running | I2sState::Stopping) {
            return false;
        }
        let Some((b, len)) = self.queue.pop_front() else {
            return false;
        };
        self.played.extend_from_slice(&b.bytes[..len]);
        self.played_lens.push(len);
        self.give_back(b);
        if self.queue.is_empty() {
            if self.state == I2sState::Running {
                self.state = I2sState::Error;
                self.underruns += 1;
            } else {
                self.state = I2sState::Ready;
            }
        }
        true
    }

    pub fn take_back(&mut self) -> Vec<FakeBlock> {
        core::mem::take(&mut self.back)
    }
}

impl I2sTx for FakeI2s {
    type Block = FakeBlock;

    fn write(&mut self, block: FakeBlock, len: usize) -> Result<(), (FakeBlock, DevError)> {
        if !matches!(self.state, I2sState::Ready | I2sState::Running) {
            return Err((block, DevError::State));
        }
        if self.queue.len() >= self.depth {
            return Err((block, DevError::Full));
        }
        assert!(len <= block.bytes.len(), "a write longer than its block");
        self.queue.push_back((block, len));
        Ok(())
    }

    fn trigger(&mut self, cmd: Trigger) -> Result<(), DevError> {
        self.triggers.push(cmd);
        match (cmd, self.state) {
            (Trigger::Start, I2sState::Ready) if !self.queue.is_empty() => {
                self.state = I2sState::Running;
                Ok(())
            }
            (Trigger::Drain, I2sState::Running) => {
                self.state = if self.queue.is_empty() {
                    I2sState::Ready
                } else {
                    I2sState::Stopping
                };
                Ok(())
            }
            (Trigger::Drop, _) => {
                while let Some((b, _)) = self.queue.pop_front() {
                    self.give_back(b);
                }
                self.state = I2sState::Ready;
                Ok(())
            }
            (Trigger::Prepare, I2sState::Error) => {
                self.state = I2sState::Ready;
                Ok(())
            }
            _ => Err(DevError::State),
        }
    }
}

#[derive(Debug, Default)]
pub struct FakeCodec {
    pub configured: Option<Format>,
    pub started: bool,
    pub volume: Option<u8>,
    pub muted: bool,
    pub refuse: bool,
}

impl Codec for FakeCodec {
    fn configure(&mut self, format: &Format) -> Result<(), DevError> {
        if self.refuse {
            return Err(DevError::Unsupported);
        }
        self.configured = Some(*format);
        Ok(())
    }
    fn start(&mut self) {
        self.started = true;
    }
    fn stop(&mut self) {
        self.started = false;
    }
    fn set_volume(&mut self, volume: u8) -> Result<(), DevError> {
        self.volume = Some(volume);
        Ok(())
    }
    fn set_mute(&mut self, mute: bool) -> Result<(), DevError> {
        self.muted = mute;
        Ok(())
    }
}

/// Requests are numbered; plays carry their binary.
#[derive(Debug)]
pub struct Req {
    pub id: u32,
    pub data: Option<Vec<u8>>,
}

#[derive(Debug, Default)]
pub struct FakeHost {
    pub replies: Vec<(u32, Result<(), Error>)>,
    pub events: Vec<Event>,
}

impl Host<Req> for FakeHost {
    fn bytes<'d>(&self, handle: &'d Req) -> Option<&'d [u8]> {
        handle.data.as_deref()
    }
    fn reply(&mut self, handle: Req, result: Result<(), Error>) {
        self.replies.push((handle.id, result));
    }
    fn event(&mut self, event: Event) {
        self.events.push(event);
    }
}
