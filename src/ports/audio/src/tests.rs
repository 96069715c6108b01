// SPDX-License-Identifier: Apache-2.0

//! The engine against the fakes: what the device plays, replies under backpressure, the
//! stream's states, stop and close.

use std::vec::Vec;

use atomvm_port::Error;

use crate::engine::{set_volume, Engine, Event, Played, State, Trigger, STOPPED};
use crate::fake::{blocks, FakeBlock, FakeCodec, FakeHost, FakeI2s, I2sState, Req};
use crate::format::{Bits, Format};

const STEREO16: Format = Format {
    rate: 48000,
    bits: Bits::B16,
    channels: 2,
};

fn engine(block_size: usize, count: usize, start: usize) -> Engine<FakeBlock, Req> {
    Engine::new(
        STEREO16,
        block_size,
        blocks(count, block_size),
        start,
        4,
        Some(255),
    )
    .unwrap()
}

fn pcm(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

/// The device plays one block; the engine gets it back.
fn tick(e: &mut Engine<FakeBlock, Req>, io: &mut FakeI2s, host: &mut FakeHost) -> bool {
    let played = io.play_one();
    let back = io.take_back();
    let total = io.returned;
    e.reclaim(io, host, back, total);
    played
}

fn play_now(e: &mut Engine<FakeBlock, Req>, io: &mut FakeI2s, data: &[u8]) -> Played {
    e.check_play(data, 1 << 20).unwrap();
    e.play(io, data).unwrap()
}

#[test]
fn what_plays_is_what_was_sent_across_blocks_with_short_last_blocks() {
    let mut e = engine(8, 4, 2);
    let mut io = FakeI2s::new(8);
    let mut host = FakeHost::default();
    let a = pcm(12, 1);
    let b = pcm(4, 2);
    let c = pcm(20, 3);
    assert_eq!(play_now(&mut e, &mut io, &a), Played::Done);
    assert_eq!(play_now(&mut e, &mut io, &b), Played::Done);
    // 3 blocks queued, 1 free: c (20 bytes = 3 blocks) waits after one block.
    assert_eq!(e.state(), State::Running);
    assert_eq!(play_now(&mut e, &mut io, &c), Played::Wait(8));
    e.push_play(
        Req {
            id: 7,
            data: Some(c.clone()),
        },
        8,
    );
    while tick(&mut e, &mut io, &mut host) {}
    assert_eq!(host.replies, [(7, Ok(()))]);
    let sent: Vec<u8> = [a, b, c].concat();
    assert_eq!(io.played, sent);
    assert_eq!(io.played_lens, [8, 4, 4, 8, 8, 4]);
    assert_eq!(e.stats().played_frames, sent.len() as u64 / 4);
}

#[test]
fn software_volume_scales_in_the_copy() {
    let mut e = engine(8, 2, 1);
    let mut io = FakeI2s::new(8);
    set_volume::<_, _, FakeCodec>(&mut e, None, 51).unwrap();
    let mut data = Vec::new();
    for x in [1000i16, -1000, 5, 0] {
        data.extend_from_slice(&x.to_le_bytes());
    }
    assert_eq!(play_now(&mut e, &mut io, &data), Played::Done);
    io.play_one();
    let got: Vec<i16> = io
        .played
        .chunks_exact(2)
        .map(|c| i16::from_le_bytes([c[0], c[1]]))
        .collect();
    assert_eq!(got, [200, -200, 1, 0]);
}

#[test]
fn a_codec_takes_the_volume_and_the_samples_stay_untouched() {
    let mut e: Engine<FakeBlock, Req> = Engine::new(STEREO16, 8, blocks(2, 8), 1, 4, None).unwrap();
    let mut io = FakeI2s::new(8);
    let mut codec = FakeCodec::default();
    set_volume(&mut e, Some(&mut codec), 0).unwrap();
    assert_eq!((codec.volume, codec.muted), (Some(0), true));
    set_volume(&mut e, Some(&mut codec), 100).unwrap();
    assert_eq!((codec.volume, codec.muted), (Some(100), false));
    let data = pcm(8, 9);
    play_now(&mut e, &mut io, &data);
    io.play_one();
    assert_eq!(io.played, data);
}

#[test]
fn starts_after_start_blocks_or_at_drain() {
    let mut e = engine(8, 4, 3);
    let mut io = FakeI2s::new(8);
    let mut host = FakeHost::default();
    play_now(&mut e, &mut io, &pcm(16, 0));
    assert_eq!((e.state(), io.state), (State::Ready, I2sState::Ready));
    assert!(e.drain_waits().unwrap());
    e.push_drain(&mut io, &mut host, Req { id: 1, data: None });
    assert_eq!(io.triggers, [Trigger::Start, Trigger::Drain]);
    assert_eq!(io.state, I2sState::Stopping);
    assert!(host.replies.is_empty());
    tick(&mut e, &mut io, &mut host);
    assert!(host.replies.is_empty(), "answered before the queue played");
    tick(&mut e, &mut io, &mut host);
    assert_eq!(host.replies, [(1, Ok(()))]);
    assert_eq!(host.events, [Event::Drained]);
    assert_eq!((e.state(), io.state), (State::Ready, I2sState::Ready));
    assert_eq!(e.stats().underruns, 0);

    // Three blocks start it.
    play_now(&mut e, &mut io, &pcm(24, 0));
    assert_eq!(io.state, I2sState::Running);
    assert_eq!(e.stats().high_water, 3);
    // A drain with nothing queued answers at once.
    while tick(&mut e, &mut io, &mut host) {}
    assert!(!e.drain_waits().unwrap());
}

#[test]
fn replies_come_back_in_request_order_under_backpressure() {
    let mut e = engine(4, 2, 2);
    let mut io = FakeI2s::new(8);
    let mut host = FakeHost::default();
    let first = pcm(12, 1);
    let Played::Wait(off) = play_now(&mut e, &mut io, &first) else {
        panic!("two blocks cannot hold three")
    };
    assert_eq!(off, 8);
    e.push_play(
        Req {
            id: 1,
            data: Some(first.clone()),
        },
        off,
    );
    // Later requests wait behind it, even a small one that would fit once a block frees.
    let second = pcm(4, 2);
    assert_eq!(play_now(&mut e, &mut io, &second), Played::Wait(0));
    e.push_play(
        Req {
            id: 2,
            data: Some(second.clone()),
        },
        0,
    );
    assert!(e.drain_waits().unwrap());
    e.push_drain(&mut io, &mut host, Req { id: 3, data: None });
    let third = pcm(8, 3);
    assert_eq!(play_now(&mut e, &mut io, &third), Played::Wait(0));
    e.push_play(
        Req {
            id: 4,
            data: Some(third.clone()),
        },
        0,
    );
    // The FIFO is full now.
    assert_eq!(e.play(&mut io, &pcm(4, 0)), Err(Error::BUSY));
    assert_eq!(e.stats().deferred, 4);
    while tick(&mut e, &mut io, &mut host) {}
    assert_eq!(
        host.replies,
        [(1, Ok(())), (2, Ok(())), (3, Ok(())), (4, Ok(()))]
    );
    assert_eq!(host.events.first(), Some(&Event::Drained));
    assert_eq!(io.played, [first, second, third].concat());
}

#[test]
fn running_dry_is_an_underrun_and_the_next_blocks_start_again() {
    let mut e = engine(8, 4, 2);
    let mut io = FakeI2s::new(8);
    let mut host = FakeHost::default();
    play_now(&mut e, &mut io, &pcm(16, 0));
    while tick(&mut e, &mut io, &mut host) {}
    assert_eq!(host.events, [Event::Underrun]);
    assert_eq!(e.stats().underruns, 1);
    assert_eq!(io.triggers, [Trigger::Start, Trigger::Prepare]);
    assert_eq!((e.state(), io.state), (State::Ready, I2sState::Ready));
    play_now(&mut e, &mut io, &pcm(16, 1));
    assert_eq!(io.state, I2sState::Running);
    assert_eq!(e.stats().free_blocks, 2);
}

#[test]
fn an_underrun_the_driver_saw_first_is_prepared_on_the_next_write() {
    let mut e = engine(8, 4, 2);
    let mut io = FakeI2s::new(8);
    let mut host = FakeHost::default();
    play_now(&mut e, &mut io, &pcm(16, 0));
    io.play_one();
    io.play_one();
    assert_eq!(io.state, I2sState::Error);
    // The blocks are not handed back yet: the engine still thinks two are queued.
    let data = pcm(8, 5);
    assert_eq!(play_now(&mut e, &mut io, &data), Played::Done);
    assert_eq!(e.stats().underruns, 1);
    assert_eq!(io.queue.len(), 1);
    // The late returns count as played, not as another underrun.
    let back = io.take_back();
    let total = io.returned;
    e.reclaim(&mut io, &mut host, back, total);
    assert_eq!(e.stats().played_frames, 4);
    assert_eq!(e.stats().underruns, 1);
}

#[test]
fn stop_drops_the_queue_and_answers_the_waiting_requests() {
    let mut e = engine(4, 2, 2);
    let mut io = FakeI2s::new(8);
    let mut host = FakeHost::default();
    let data = pcm(16, 0);
    let Played::Wait(off) = play_now(&mut e, &mut io, &data) else {
        panic!("must wait")
    };
    e.push_play(
        Req {
            id: 1,
            data: Some(data),
        },
        off,
    );
    tick(&mut e, &mut io, &mut host); // one block played, another queued in its place
    assert_eq!(e.stats().played_frames, 1);
    let total = io.returned;
    e.stop(&mut io, &mut host, total).unwrap();
    assert_eq!(host.replies, [(1, Err(STOPPED))]);
    assert_eq!(io.state, I2sState::Ready);
    let back = io.take_back();
    let total = io.returned;
    e.reclaim(&mut io, &mut host, back, total);
    let s = e.stats();
    assert_eq!((s.played_frames, s.queued_blocks, s.free_blocks), (1, 0, 2));
    assert!(
        host.events.is_empty(),
        "a stop is neither an underrun nor a drain"
    );
    // The port stays usable.
    assert_eq!(play_now(&mut e, &mut io, &pcm(4, 1)), Played::Done);
}

#[test]
fn close_hands_back_every_block_and_request() {
    let mut e = engine(4, 3, 3);
    let mut io = FakeI2s::new(8);
    let data = pcm(8, 0);
    play_now(&mut e, &mut io, &data);
    assert_eq!(play_now(&mut e, &mut io, &data), Played::Wait(4));
    e.push_play(Req { id: 1, data: None }, 4);
    let (free, pending) = e.close(&mut io);
    assert_eq!(io.triggers.last(), Some(&Trigger::Drop));
    let mut ids: Vec<usize> = free.iter().chain(io.back.iter()).map(|b| b.id).collect();
    ids.sort_unstable();
    assert_eq!(ids, [0, 1, 2]);
    assert_eq!(pending.len(), 1);
}

#[test]
fn bad_binaries_are_refused_before_anything_is_queued() {
    let e = engine(8, 2, 2);
    assert_eq!(
        e.check_play(&[0; 6], 1024),
        Err(Error::new("not_whole_frames"))
    );
    assert_eq!(e.check_play(&[0; 2048], 1024), Err(Error::new("too_large")));
    assert_eq!(e.check_play(&[], 1024), Ok(()));
}

#[test]
fn a_full_driver_queue_keeps_the_block_and_starts_the_stream() {
    // The driver queues 2 blocks though the port has 4: the rest wait for it to play.
    let mut e = engine(4, 4, 4);
    let mut io = FakeI2s::new(2);
    let mut host = FakeHost::default();
    let data = pcm(20, 4);
    let Played::Wait(off) = play_now(&mut e, &mut io, &data) else {
        panic!("must wait")
    };
    assert_eq!(off, 8);
    assert_eq!(io.state, I2sState::Running);
    assert_eq!(e.stats().free_blocks, 2);
    e.push_play(
        Req {
            id: 1,
            data: Some(data.clone()),
        },
        off,
    );
    while tick(&mut e, &mut io, &mut host) {}
    assert_eq!(host.replies, [(1, Ok(()))]);
    assert_eq!(io.played, data);
}
