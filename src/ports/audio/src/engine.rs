// SPDX-License-Identifier: Apache-2.0

//! The port's stream on the VM thread, over small driver traits: the request FIFO, the
//! blocks the port holds, the stream state machine and the counts.
//!
//! Blocks go round: the port fills a free one ([`fill`](crate::fill::fill)) and hands it to
//! the driver ([`I2sTx::write`]); the driver gives it back when it has been played (or
//! dropped); whoever watches the driver (on Zephyr, the reclaim thread) passes it back with
//! the running count of blocks returned ([`Engine::reclaim`]). The engine never waits: a
//! request that finds no free block stays in the FIFO and is served by a later
//! [`Engine::reclaim`].
//!
//! States ([`State`]): `Ready` (configured, not started), `Running` (started: START after
//! `start_blocks` blocks are queued, or at a drain), `Error` (a trigger failed; PREPARE is
//! tried before the next write). When the driver holds no block while running, the stream
//! ran dry: an underrun, counted and reported, and the stream is prepared again (PREPARE,
//! else DROP) so the next blocks start it anew. A drain triggers DRAIN and is answered when
//! the driver holds no block.

use alloc::collections::VecDeque;
use alloc::vec::Vec;

use atomvm_port::Error;

use crate::fill::fill;
use crate::format::Format;

/// I2S triggers (Zephyr's `enum i2s_trigger_cmd`, without STOP).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    /// READY → RUNNING.
    Start,
    /// RUNNING → (STOPPING) → READY once the queue has played.
    Drain,
    /// Any state → READY, the queue discarded.
    Drop,
    /// ERROR → READY.
    Prepare,
}

/// A driver's refusal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DevError {
    /// Not allowed in the stream's current state (`-EIO`).
    State,
    /// The driver's queue is full (`-EBUSY` / `-EAGAIN` without waiting).
    Full,
    /// Refused: the format or value is not supported (`-EINVAL`, `-ENOTSUP`).
    Unsupported,
    /// Anything else (the errno).
    Other(i32),
}

impl DevError {
    /// The `{error, Reason}` for Erlang.
    pub fn to_error(self) -> Error {
        match self {
            DevError::Unsupported => Error::new("unsupported"),
            _ => Error::IO,
        }
    }
}

/// A block the port fills: its bytes (exactly `block_size` of them).
pub trait Block {
    /// The block's bytes.
    fn bytes_mut(&mut self) -> &mut [u8];
}

/// The TX side of an I2S device (Zephyr: `i2s_write`, `i2s_trigger`; never waiting).
pub trait I2sTx {
    /// The blocks it takes.
    type Block: Block;
    /// Queues the first `len` bytes of `block`; on refusal the block comes back.
    fn write(&mut self, block: Self::Block, len: usize) -> Result<(), (Self::Block, DevError)>;
    /// Applies a trigger to the TX direction.
    fn trigger(&mut self, cmd: Trigger) -> Result<(), DevError>;
}

/// An audio codec (Zephyr: `audio_codec_*`).
pub trait Codec {
    /// Configures it for the stream's format.
    fn configure(&mut self, format: &Format) -> Result<(), DevError>;
    /// Starts the output.
    fn start(&mut self);
    /// Stops the output.
    fn stop(&mut self);
    /// Sets the output volume (0..255, handed to the codec as is).
    fn set_volume(&mut self, volume: u8) -> Result<(), DevError>;
    /// Mutes or unmutes the output.
    fn set_mute(&mut self, mute: bool) -> Result<(), DevError>;
}

/// Where the stream stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// Configured; blocks may be queued; not started.
    Ready,
    /// Started.
    Running,
    /// A trigger failed; PREPARE (else DROP) is tried before the next write.
    Error,
}

/// What subscribers hear.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// The stream ran dry while running (the app did not feed it in time).
    Underrun,
    /// A drain finished: everything queued has played.
    Drained,
}

/// A waiting request, with the caller's handle `D` (on the VM, a deferred reply).
#[derive(Debug)]
pub enum Pending<D> {
    /// `{play_buffer, Bin}`, `offset` bytes of it queued already.
    Play {
        /// The reply handle, which also holds the binary.
        handle: D,
        /// Bytes queued so far.
        offset: usize,
    },
    /// `drain`; `triggered` once DRAIN was sent.
    Drain {
        /// The reply handle.
        handle: D,
        /// DRAIN sent (or nothing was left to play).
        triggered: bool,
    },
}

/// The port's side of the requests: the binaries of waiting plays, the replies, the events.
pub trait Host<D> {
    /// The binary of a waiting play (`None`: it cannot be read; the request fails).
    fn bytes<'d>(&self, handle: &'d D) -> Option<&'d [u8]>;
    /// Answers a waiting request.
    fn reply(&mut self, handle: D, result: Result<(), Error>);
    /// Tells the subscribers.
    fn event(&mut self, event: Event);
}

/// `get_stats` and the test hook's counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Frames the driver gave back played (not dropped).
    pub played_frames: u64,
    /// Times the stream ran dry while running.
    pub underruns: u32,
    /// Blocks the driver holds now.
    pub queued_blocks: u32,
    /// The most blocks the driver held at once.
    pub high_water: u32,
    /// Free blocks the port holds.
    pub free_blocks: u32,
    /// Requests waiting.
    pub deferred: u32,
}

/// What a new play did.
#[derive(Debug, PartialEq, Eq)]
pub enum Played {
    /// Every byte is queued: reply `ok`.
    Done,
    /// Defer the reply and [`Engine::push_play`] the request with this offset.
    Wait(usize),
}

/// Why the reply to a waiting request is an error when stopping or closing.
pub const STOPPED: Error = Error::new("stopped");

/// The stream of one open port.
pub struct Engine<B, D> {
    format: Format,
    block_size: usize,
    block_count: usize,
    start_blocks: usize,
    /// `Some(v)`: software volume (no codec).
    soft_volume: Option<u8>,
    free: Vec<B>,
    /// Sizes of the blocks written and not yet given back, oldest first.
    sizes: VecDeque<usize>,
    /// Blocks written before a DROP and not yet given back: they did not play.
    dropped: usize,
    written: u32,
    returned: u32,
    state: State,
    draining: bool,
    pending: VecDeque<Pending<D>>,
    max_pending: usize,
    played_bytes: u64,
    underruns: u32,
    high_water: u32,
}

impl<B: Block, D> Engine<B, D> {
    /// A stream over `blocks` (all free, each `block_size` bytes), starting after
    /// `start_blocks` are queued, with at most `max_pending` waiting requests.
    /// `soft_volume`: `Some(255)` when there is no codec (the volume scales the samples),
    /// `None` when a codec sets it. `no_memory` when the bookkeeping cannot be allocated.
    pub fn new(
        format: Format,
        block_size: usize,
        blocks: Vec<B>,
        start_blocks: usize,
        max_pending: usize,
        soft_volume: Option<u8>,
    ) -> Result<Self, Error> {
        let block_count = blocks.len();
        let mut sizes = VecDeque::new();
        sizes
            .try_reserve_exact(block_count)
            .map_err(|_| Error::NO_MEMORY)?;
        let mut pending = VecDeque::new();
        pending
            .try_reserve_exact(max_pending)
            .map_err(|_| Error::NO_MEMORY)?;
        let free = blocks;
        Ok(Self {
            format,
            block_size,
            block_count,
            start_blocks: start_blocks.clamp(1, block_count.max(1)),
            soft_volume,
            free,
            sizes,
            dropped: 0,
            written: 0,
            returned: 0,
            state: State::Ready,
            draining: false,
            pending,
            max_pending: max_pending.max(1),
            played_bytes: 0,
            underruns: 0,
            high_water: 0,
        })
    }

    /// Bytes per block.
    pub fn block_size(&self) -> usize {
        self.block_size
    }

    /// The stream's state.
    pub fn state(&self) -> State {
        self.state
    }

    /// Blocks the driver holds.
    pub fn in_flight(&self) -> u32 {
        self.written.wrapping_sub(self.returned)
    }

    /// Blocks written to the driver since the start (the reclaim side compares it with the
    /// blocks it has given back).
    pub fn written(&self) -> u32 {
        self.written
    }

    /// Whether requests wait for blocks or a drain (the reclaim side rings only then, or when
    /// the driver runs empty).
    pub fn waiting(&self) -> bool {
        !self.pending.is_empty()
    }

    /// The counts.
    pub fn stats(&self) -> Stats {
        let frame = self.format.frame_bytes().max(1) as u64;
        Stats {
            played_frames: self.played_bytes / frame,
            underruns: self.underruns,
            queued_blocks: self.in_flight(),
            high_water: self.high_water,
            free_blocks: self.free.len() as u32,
            deferred: self.pending.len() as u32,
        }
    }

    /// Checks a binary for `play_buffer`: whole frames, at most `max_bytes`.
    pub fn check_play(&self, data: &[u8], max_bytes: usize) -> Result<(), Error> {
        if data.len() > max_bytes {
            return Err(Error::new("too_large"));
        }
        if data.len() % self.format.frame_bytes().max(1) != 0 {
            return Err(Error::new("not_whole_frames"));
        }
        Ok(())
    }

    /// A new `play_buffer` (checked with [`check_play`](Self::check_play)): queued at once
    /// when nothing waits before it and blocks are free, else (partly) left to wait.
    pub fn play<T: I2sTx<Block = B>>(&mut self, io: &mut T, data: &[u8]) -> Result<Played, Error> {
        if !self.pending.is_empty() {
            self.room()?;
            return Ok(Played::Wait(0));
        }
        let offset = self.queue_bytes(io, data, 0)?;
        if offset >= data.len() {
            Ok(Played::Done)
        } else {
            self.room()?;
            Ok(Played::Wait(offset))
        }
    }

    fn room(&self) -> Result<(), Error> {
        if self.pending.len() >= self.max_pending {
            Err(Error::BUSY)
        } else {
            Ok(())
        }
    }

    /// Parks a play that [`play`](Self::play) left waiting.
    pub fn push_play(&mut self, handle: D, offset: usize) {
        // `play` checked the room.
        self.pending.push_back(Pending::Play { handle, offset });
    }

    /// Whether a `drain` must wait (then [`push_drain`](Self::push_drain) it); `Ok(false)`:
    /// nothing is queued or waiting, reply `ok` now.
    pub fn drain_waits(&self) -> Result<bool, Error> {
        if self.pending.is_empty() && self.in_flight() == 0 {
            return Ok(false);
        }
        self.room()?;
        Ok(true)
    }

    /// Parks a `drain` and serves the FIFO (it may trigger DRAIN at once).
    pub fn push_drain<T: I2sTx<Block = B>>(
        &mut self,
        io: &mut T,
        host: &mut impl Host<D>,
        handle: D,
    ) {
        self.pending.push_back(Pending::Drain {
            handle,
            triggered: false,
        });
        self.serve(io, host);
    }

    /// Blocks the driver gave back (`blocks`), and the running count of every block given
    /// back since the start (`returned_total`, which also counts blocks not handed over
    /// yet). Accounts played frames, detects underruns and finished drains, and serves the
    /// waiting requests.
    pub fn reclaim<T: I2sTx<Block = B>>(
        &mut self,
        io: &mut T,
        host: &mut impl Host<D>,
        blocks: impl IntoIterator<Item = B>,
        returned_total: u32,
    ) {
        for b in blocks {
            if self.free.len() < self.block_count {
                self.free.push(b);
            }
        }
        self.account(returned_total);
        if self.in_flight() == 0 {
            if self.draining {
                self.draining = false;
                self.state = State::Ready;
                if let Some(Pending::Drain { .. }) = self.pending.front() {
                    if let Some(Pending::Drain { handle, .. }) = self.pending.pop_front() {
                        host.reply(handle, Ok(()));
                    }
                }
                host.event(Event::Drained);
            } else if self.state == State::Running {
                self.underruns = self.underruns.saturating_add(1);
                self.rearm(io);
                host.event(Event::Underrun);
            }
        }
        self.serve(io, host);
    }

    fn account(&mut self, returned_total: u32) {
        // Never more than were written (a stale or bogus count cannot underflow).
        let newly = returned_total
            .wrapping_sub(self.returned)
            .min(self.in_flight());
        for _ in 0..newly {
            let size = self.sizes.pop_front().unwrap_or(0);
            if self.dropped > 0 {
                self.dropped -= 1;
            } else {
                self.played_bytes = self.played_bytes.saturating_add(size as u64);
            }
        }
        self.returned = self.returned.wrapping_add(newly);
    }

    /// After an underrun or a failed trigger: back to READY (PREPARE from ERROR, else DROP).
    fn rearm<T: I2sTx<Block = B>>(&mut self, io: &mut T) {
        // PREPARE succeeds only in ERROR, which an underrun reaches with the queue empty:
        // what the driver still has to give back has played. After a DROP it has not.
        if io.trigger(Trigger::Prepare).is_ok() {
            self.state = State::Ready;
        } else if io.trigger(Trigger::Drop).is_ok() {
            self.state = State::Ready;
            self.forget_queued();
        } else {
            self.state = State::Error;
        }
    }

    /// After a DROP: what the driver still holds will come back unplayed.
    fn forget_queued(&mut self) {
        self.dropped = self.sizes.len();
    }

    /// `stop`: DROP, the waiting requests answered `{error, stopped}`, back to READY.
    pub fn stop<T: I2sTx<Block = B>>(
        &mut self,
        io: &mut T,
        host: &mut impl Host<D>,
        returned_total: u32,
    ) -> Result<(), Error> {
        self.account(returned_total);
        let r = io.trigger(Trigger::Drop);
        self.draining = false;
        match r {
            Ok(()) => {
                self.state = State::Ready;
                self.forget_queued();
            }
            Err(_) => self.state = State::Error,
        }
        while let Some(p) = self.pending.pop_front() {
            let (Pending::Play { handle, .. } | Pending::Drain { handle, .. }) = p;
            host.reply(handle, Err(STOPPED));
        }
        r.map_err(DevError::to_error)
    }

    /// Sets the software volume (no effect with a codec).
    pub fn set_soft_volume(&mut self, volume: u8) {
        if self.soft_volume.is_some() {
            self.soft_volume = Some(volume);
        }
    }

    /// Closing: DROP and every waiting request handed back for the caller to answer
    /// (`{error, closed}`); the blocks the port holds are returned in `free_out`.
    pub fn close<T: I2sTx<Block = B>>(&mut self, io: &mut T) -> (Vec<B>, VecDeque<Pending<D>>) {
        let _ = io.trigger(Trigger::Drop);
        self.forget_queued();
        self.state = State::Ready;
        self.draining = false;
        (
            core::mem::take(&mut self.free),
            core::mem::take(&mut self.pending),
        )
    }

    /// Serves the FIFO from its head until a request must wait.
    fn serve<T: I2sTx<Block = B>>(&mut self, io: &mut T, host: &mut impl Host<D>) {
        while let Some(p) = self.pending.pop_front() {
            match p {
                Pending::Play { handle, offset } => {
                    let Some(data) = host.bytes(&handle) else {
                        host.reply(handle, Err(Error::BADARG));
                        continue;
                    };
                    match self.queue_bytes(io, data, offset) {
                        Ok(o) if o >= data.len() => host.reply(handle, Ok(())),
                        Ok(o) => {
                            self.pending.push_front(Pending::Play { handle, offset: o });
                            return;
                        }
                        Err(e) => host.reply(handle, Err(e)),
                    }
                }
                Pending::Drain { handle, triggered } => {
                    if self.in_flight() == 0 && !self.draining {
                        host.reply(handle, Ok(()));
                        continue;
                    }
                    if !triggered {
                        if let Err(e) = self.trigger_drain(io) {
                            host.reply(handle, Err(e));
                            continue;
                        }
                    }
                    self.pending.push_front(Pending::Drain {
                        handle,
                        triggered: true,
                    });
                    return;
                }
            }
        }
    }

    fn trigger_drain<T: I2sTx<Block = B>>(&mut self, io: &mut T) -> Result<(), Error> {
        if self.state != State::Running {
            self.start(io)?;
        }
        io.trigger(Trigger::Drain).map_err(|e| {
            self.state = State::Error;
            e.to_error()
        })?;
        self.draining = true;
        Ok(())
    }

    fn start<T: I2sTx<Block = B>>(&mut self, io: &mut T) -> Result<(), Error> {
        if self.state == State::Error {
            self.rearm(io);
        }
        io.trigger(Trigger::Start).map_err(|e| {
            self.state = State::Error;
            e.to_error()
        })?;
        self.state = State::Running;
        Ok(())
    }

    /// Fills and writes blocks from `data[offset..]` while blocks are free; returns the new
    /// offset. Not while a drain runs (what follows it waits for it).
    fn queue_bytes<T: I2sTx<Block = B>>(
        &mut self,
        io: &mut T,
        data: &[u8],
        mut offset: usize,
    ) -> Result<usize, Error> {
        if self.draining {
            return Ok(offset);
        }
        while offset < data.len() {
            let Some(mut block) = self.free.pop() else {
                break;
            };
            let rest = data.get(offset..).unwrap_or(&[]);
            let n = {
                let bytes = block.bytes_mut();
                let cap = bytes.len().min(self.block_size);
                fill(
                    bytes.get_mut(..cap).unwrap_or(&mut []),
                    rest,
                    self.format.bits,
                    self.soft_volume,
                )
            };
            if n == 0 {
                self.free.push(block);
                return Err(Error::IO);
            }
            match self.write(io, block, n) {
                Ok(()) => offset += n,
                Err(None) => {
                    // The driver's own queue is full: it gives blocks back as it plays.
                    if self.state == State::Ready {
                        self.start(io)?;
                    }
                    break;
                }
                Err(Some(e)) => return Err(e),
            }
        }
        Ok(offset)
    }

    /// One block to the driver: after an underrun the stream is prepared again and the write
    /// tried once more. `Err(None)`: the driver's queue is full (the block is kept).
    fn write<T: I2sTx<Block = B>>(
        &mut self,
        io: &mut T,
        block: B,
        n: usize,
    ) -> Result<(), Option<Error>> {
        if self.state == State::Error {
            self.rearm(io);
        }
        let block = match io.write(block, n) {
            Ok(()) => return self.written_one(io, n).map_err(Some),
            Err((b, DevError::State)) if self.state != State::Ready => {
                // The driver stopped on an underrun before we saw the stream run dry.
                self.underruns = self.underruns.saturating_add(1);
                self.rearm(io);
                b
            }
            Err((b, DevError::Full)) => {
                self.free.push(b);
                return Err(None);
            }
            Err((b, e)) => {
                self.free.push(b);
                return Err(Some(e.to_error()));
            }
        };
        match io.write(block, n) {
            Ok(()) => self.written_one(io, n).map_err(Some),
            Err((b, e)) => {
                self.free.push(b);
                Err(Some(e.to_error()))
            }
        }
    }

    fn written_one<T: I2sTx<Block = B>>(&mut self, io: &mut T, n: usize) -> Result<(), Error> {
        self.written = self.written.wrapping_add(1);
        self.sizes.push_back(n);
        self.high_water = self.high_water.max(self.in_flight());
        if self.state == State::Ready && self.in_flight() as usize >= self.start_blocks {
            self.start(io)?;
        }
        Ok(())
    }
}

/// `{set_volume, V}`: on the codec when there is one (0 also mutes it; anything else unmutes
/// it first), else in software while the samples are copied.
pub fn set_volume<B: Block, D, C: Codec>(
    engine: &mut Engine<B, D>,
    codec: Option<&mut C>,
    volume: u8,
) -> Result<(), Error> {
    match codec {
        Some(c) => {
            c.set_mute(volume == 0).map_err(DevError::to_error)?;
            c.set_volume(volume).map_err(DevError::to_error)
        }
        None => {
            engine.set_soft_volume(volume);
            Ok(())
        }
    }
}
