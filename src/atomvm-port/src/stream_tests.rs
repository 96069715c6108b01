// SPDX-License-Identifier: Apache-2.0

//! Host tests of the stream core: the subscriber set against a model, the dead list under
//! concurrent pushes, the batcher, the doorbell latch and delivery order.

use std::collections::VecDeque;
use std::sync::Arc;
use std::vec;
use std::vec::Vec;

use proptest::prelude::*;

use crate::stream::{
    Batcher, DeadList, Delivery, Fanout, Full, Latch, Subscribed, Subscribers, DEFAULT_MAX_BATCH,
};
use crate::Error;

#[test]
fn subscribe_is_idempotent_bounded_and_keeps_order() {
    let mut s: Subscribers<i32, u32, 3> = Subscribers::new();
    let mut made = 0;
    for p in [5, 6, 7] {
        let r = s.subscribe(p, || -> Result<u32, Full> {
            made += 1;
            Ok(p as u32 * 10)
        });
        assert_eq!(r, Ok(Subscribed::Added));
    }
    // Already subscribed: no second token is made.
    assert_eq!(
        s.subscribe(6, || -> Result<u32, Full> { panic!("made twice") }),
        Ok(Subscribed::Already)
    );
    // Full: no token is made.
    assert_eq!(
        s.subscribe(8, || -> Result<u32, Full> { panic!("made while full") }),
        Err(Full)
    );
    assert_eq!(made, 3);
    assert_eq!(s.iter().collect::<Vec<_>>(), vec![5, 6, 7]);
    assert_eq!(s.unsubscribe(6), Some(60));
    assert_eq!(s.unsubscribe(6), None);
    assert_eq!(s.iter().collect::<Vec<_>>(), vec![5, 7]);
    assert_eq!(
        Error::from(Full),
        Error::with("too_many", "subscribers"),
        "what ran out reaches Erlang"
    );
}

#[test]
fn a_failed_token_leaves_the_set_unchanged() {
    let mut s: Subscribers<i32, u32, 2> = Subscribers::new();
    let r = s.subscribe(1, || Err(Error::BADARG));
    assert_eq!(r, Err(Error::BADARG));
    assert!(s.is_empty());
    assert_eq!(s.subscribe(1, || Ok::<_, Error>(1)), Ok(Subscribed::Added));
}

#[derive(Debug, Clone)]
enum Op {
    Subscribe(i32),
    Unsubscribe(i32),
    Die(i32),
    Prune,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (1i32..8).prop_map(Op::Subscribe),
        (1i32..8).prop_map(Op::Unsubscribe),
        (1i32..8).prop_map(Op::Die),
        Just(Op::Prune),
    ]
}

proptest! {
    /// The set against a model (a vector in subscription order): subscribe, unsubscribe,
    /// monitors firing into the dead list and pruning. As in `vm::stream`, subscribe and
    /// unsubscribe prune first, and only subscribed processes have a monitor that can fire
    /// (once).
    #[test]
    fn subscribers_follow_the_model(ops in proptest::collection::vec(op(), 0..60)) {
        const N: usize = 4;
        let mut f: Fanout<i32, i32, N> = Fanout::new(4);
        let dead: DeadList<N> = DeadList::new();
        let mut model: Vec<i32> = Vec::new();
        let mut fired: Vec<i32> = Vec::new();
        for op in ops {
            match op {
                Op::Subscribe(p) => {
                    f.prune(&dead);
                    model.retain(|q| !fired.contains(q));
                    fired.clear();
                    let r = f.subscribers.subscribe(p, || Ok::<_, Full>(-p));
                    if model.contains(&p) {
                        prop_assert_eq!(r, Ok(Subscribed::Already));
                    } else if model.len() == N {
                        prop_assert_eq!(r, Err(Full));
                    } else {
                        prop_assert_eq!(r, Ok(Subscribed::Added));
                        model.push(p);
                    }
                }
                Op::Unsubscribe(p) => {
                    f.prune(&dead);
                    model.retain(|q| !fired.contains(q));
                    fired.clear();
                    let had = model.iter().position(|&q| q == p);
                    prop_assert_eq!(f.subscribers.unsubscribe(p), had.map(|_| -p));
                    if let Some(i) = had { model.remove(i); }
                }
                Op::Die(p) => {
                    // Its monitor fires only while it is subscribed, and once.
                    if model.contains(&p) && !fired.contains(&p) {
                        prop_assert!(dead.push(p), "the list never overflows");
                        fired.push(p);
                    }
                }
                Op::Prune => {
                    let removed = f.prune(&dead);
                    prop_assert_eq!(removed, fired.len());
                    model.retain(|q| !fired.contains(q));
                    fired.clear();
                }
            }
            // Dead but not yet pruned subscribers are still in both.
            prop_assert_eq!(f.subscribers.iter().collect::<Vec<_>>(), model.clone());
        }
    }

    /// Every item reaches every subscriber exactly once, in order, in batches of at most
    /// `max`, however the source hands them out.
    #[test]
    fn delivery_keeps_order_and_batch_bounds(
        items in 0usize..100,
        max in 0usize..20,
        buf_len in 0usize..24,
        chunk in 1usize..10,
        subs in 0usize..4,
    ) {
        let mut f: Fanout<i32, (), 4> = Fanout::new(max);
        for p in 1..=subs as i32 {
            f.subscribers.subscribe(p, || Ok::<_, Full>(())).unwrap();
        }
        let mut source: VecDeque<u32> = (0..items as u32).collect();
        let mut got: Vec<Vec<u32>> = vec![Vec::new(); subs];
        let mut buf = vec![0u32; buf_len];
        let limit = f.batcher.max().min(buf_len);
        let d = f.deliver(
            &mut buf,
            |out| {
                // A source that hands out at most `chunk` items per read.
                let n = out.len().min(chunk).min(source.len());
                for slot in out.iter_mut().take(n) {
                    *slot = source.pop_front().unwrap();
                }
                n
            },
            |p, batch| {
                assert!(!batch.is_empty() && batch.len() <= limit);
                got[(p - 1) as usize].extend_from_slice(batch);
                Ok::<(), ()>(())
            },
        );
        if subs == 0 || limit == 0 {
            // Nothing read: the data stays for a pull.
            prop_assert_eq!(d, Delivery::default());
            prop_assert_eq!(source.len(), items);
        } else {
            prop_assert_eq!(d.items, items);
            prop_assert!(source.is_empty());
            for g in &got {
                prop_assert_eq!(g, &(0..items as u32).collect::<Vec<_>>());
            }
        }
        prop_assert_eq!(d.failed, 0);
    }

    #[test]
    fn batches_cover_the_input_in_order(len in 0usize..200, max in 0usize..40) {
        let b = Batcher::new(max);
        let items: Vec<usize> = (0..len).collect();
        let batches: Vec<&[usize]> = b.batches(&items).collect();
        prop_assert_eq!(batches.len(), b.count(len));
        prop_assert_eq!(batches.concat(), items.clone());
        for (i, c) in batches.iter().enumerate() {
            if i + 1 < batches.len() {
                prop_assert_eq!(c.len(), b.max());
            }
        }
        prop_assert_eq!(b.next_len(len), len.min(b.max()));
    }
}

#[test]
fn batcher_defaults_and_zero() {
    assert_eq!(Batcher::default().max(), DEFAULT_MAX_BATCH);
    assert_eq!(Batcher::new(0).max(), 1);
    assert_eq!(Batcher::new(3).count(7), 3);
}

#[test]
fn failed_sends_are_counted_and_keep_the_subscriber() {
    let mut f: Fanout<i32, (), 2> = Fanout::new(2);
    for p in [1, 2] {
        f.subscribers.subscribe(p, || Ok::<_, Full>(())).unwrap();
    }
    let mut left = 5;
    let mut buf = [0u8; 8];
    let d = f.deliver(
        &mut buf,
        |out| {
            let n = out.len().min(left);
            left -= n;
            n
        },
        |p, _| if p == 2 { Err(()) } else { Ok(()) },
    );
    assert_eq!(
        d,
        Delivery {
            items: 5,
            messages: 3,
            failed: 3
        }
    );
    assert_eq!(f.subscribers.len(), 2);
    let n = f.notify(|p| if p == 1 { Ok(()) } else { Err(()) });
    assert_eq!((n.messages, n.failed), (1, 1));
}

#[test]
fn dead_list_refuses_bad_ids_and_overflow() {
    let d: DeadList<2> = DeadList::new();
    assert!(!d.push(0));
    assert!(!d.push(-3));
    assert!(d.push(4));
    assert!(d.push(9));
    assert!(!d.push(11), "full");
    let mut got = Vec::new();
    d.take(|id| got.push(id));
    got.sort();
    assert_eq!(got, vec![4, 9]);
    assert!(d.is_empty());
    assert!(d.push(11), "free again");
}

#[test]
fn dead_list_keeps_every_id_pushed_concurrently() {
    // Four threads push 1000 distinct ids each while the owner drains: every id comes out
    // exactly once. Pushes that find the list full retry (a monitor callback would not, but
    // it cannot find it full, see DeadList), so the test measures loss, not capacity.
    const PER: i32 = 1000;
    let d: Arc<DeadList<8>> = Arc::new(DeadList::new());
    let producers: Vec<_> = (0..4)
        .map(|t| {
            let d = Arc::clone(&d);
            std::thread::spawn(move || {
                for i in 1..=PER {
                    while !d.push(t * PER + i) {
                        std::thread::yield_now();
                    }
                }
            })
        })
        .collect();
    let mut seen = vec![0u8; (4 * PER + 1) as usize];
    while !producers.iter().all(|p| p.is_finished()) {
        d.take(|id| seen[id as usize] += 1);
    }
    for p in producers {
        p.join().unwrap();
    }
    d.take(|id| seen[id as usize] += 1);
    assert!(seen[1..].iter().all(|&n| n == 1));
}

#[test]
fn latch_lets_one_message_through_until_disarmed() {
    let l = Latch::new();
    assert!(l.arm(), "first ring sends");
    assert!(!l.arm(), "one in flight: no second message");
    assert!(l.is_armed());
    l.disarm();
    assert!(l.arm(), "answered: the next ring sends again");
}

#[test]
fn latch_arms_once_across_threads() {
    // Eight threads ring at once: exactly one of them sends.
    let l = Arc::new(Latch::new());
    let sent: Vec<bool> = (0..8)
        .map(|_| {
            let l = Arc::clone(&l);
            std::thread::spawn(move || l.arm())
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|h| h.join().unwrap())
        .collect();
    assert_eq!(sent.iter().filter(|&&s| s).count(), 1);
}
