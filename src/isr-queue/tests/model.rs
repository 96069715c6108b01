//! Random operation sequences against a `VecDeque` model, checking every result and the
//! statistics, including the accounting invariant, after each step.

use std::collections::VecDeque;

use isr_queue::{SpscQueue, Stats};
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Op {
    Push(u16),
    Pop,
    /// `drain().take(k)`.
    Drain(usize),
    /// `drain_into` a buffer of `k` items.
    DrainInto(usize),
    ResetStats,
    /// Drops both handles and claims new ones, which must resume from the shared indices.
    Reclaim,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => any::<u16>().prop_map(Op::Push),
        3 => Just(Op::Pop),
        2 => (0..20usize).prop_map(Op::Drain),
        2 => (0..20usize).prop_map(Op::DrainInto),
        1 => Just(Op::ResetStats),
        1 => Just(Op::Reclaim),
    ]
}

fn start_index() -> impl Strategy<Value = u32> {
    prop_oneof![Just(0), u32::MAX - 40..=u32::MAX, any::<u32>()]
}

/// What the statistics must say, kept in step with the operations.
#[derive(Default)]
struct Counts {
    attempted: u32,
    popped: u32,
    dropped: u32,
    high_water: u32,
    /// Length at the last reset: those items are popped but were not pushed since.
    len_at_reset: u32,
}

fn run<const N: usize>(start: u32, ops: &[Op]) -> Result<(), TestCaseError> {
    let q = SpscQueue::<u16, N>::starting_at(start);
    let (mut tx, mut rx) = q.split().unwrap();
    let mut model = VecDeque::new();
    let mut counts = Counts::default();
    for op in ops {
        match *op {
            Op::Push(item) => {
                counts.attempted += 1;
                if model.len() < N {
                    prop_assert_eq!(tx.push(item), Ok(()));
                    model.push_back(item);
                    counts.high_water = counts.high_water.max(model.len() as u32);
                } else {
                    prop_assert_eq!(tx.push(item), Err(item));
                    counts.dropped += 1;
                }
            }
            Op::Pop => {
                let expected = model.pop_front();
                counts.popped += u32::from(expected.is_some());
                prop_assert_eq!(rx.pop(), expected);
            }
            Op::Drain(k) => {
                let got: Vec<_> = rx.drain().take(k).collect();
                let k = k.min(model.len());
                prop_assert!(got.iter().eq(model.range(..k)));
                model.drain(..k);
                counts.popped += k as u32;
            }
            Op::DrainInto(k) => {
                let mut buf = vec![0; k];
                let n = rx.drain_into(&mut buf);
                prop_assert_eq!(n, k.min(model.len()));
                prop_assert!(buf[..n].iter().eq(model.range(..n)));
                model.drain(..n);
                counts.popped += n as u32;
            }
            Op::ResetStats => {
                q.reset_stats();
                counts = Counts {
                    high_water: model.len() as u32,
                    len_at_reset: model.len() as u32,
                    ..Counts::default()
                };
            }
            Op::Reclaim => {
                drop((tx, rx));
                (tx, rx) = q.split().unwrap();
            }
        }
        let stats = q.stats();
        let expected = Stats {
            pushed: counts.attempted,
            dropped: counts.dropped,
            high_water: counts.high_water,
            len: model.len() as u32,
        };
        prop_assert_eq!(stats, expected);
        prop_assert_eq!(
            stats.pushed + counts.len_at_reset,
            counts.popped + stats.dropped + stats.len
        );
        prop_assert_eq!(q.len(), model.len());
    }
    Ok(())
}

fn config() -> ProptestConfig {
    if cfg!(miri) {
        // Miri is some 10^4 times slower, and has no file system for regression files.
        ProptestConfig {
            cases: 3,
            failure_persistence: None,
            ..ProptestConfig::default()
        }
    } else {
        ProptestConfig::with_cases(1000)
    }
}

fn ops() -> impl Strategy<Value = Vec<Op>> {
    prop::collection::vec(op(), 0..if cfg!(miri) { 32 } else { 200 })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn capacity_1(start in start_index(), ops in ops()) {
        run::<1>(start, &ops)?;
    }

    #[test]
    fn capacity_4(start in start_index(), ops in ops()) {
        run::<4>(start, &ops)?;
    }

    #[test]
    fn capacity_16(start in start_index(), ops in ops()) {
        run::<16>(start, &ops)?;
    }
}
