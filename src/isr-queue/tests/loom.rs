//! Exhaustive interleavings of a producer and a consumer, checked by loom. Run with
//! `RUSTFLAGS="--cfg loom" cargo test -p isr-queue --test loom --release`.
//!
//! The threads never spin on a full or empty queue (that would multiply the interleavings);
//! instead the producer keeps what it could not push and the final checks account for every
//! item: each one is received exactly once, in order, or handed back as dropped.
#![cfg(loom)]

use isr_queue::{Consumer, SpscQueue};
use loom::sync::Arc;
use loom::thread;

/// Items pushed in each model: more than the capacity, so the queue fills and wraps.
const ITEMS: u32 = 4;

/// Runs `f` over every interleaving.
fn model(f: impl Fn() + Sync + Send + 'static) {
    model_bounded(None, f);
}

/// Runs `f` over the interleavings with at most `preemption_bound` preemptions, for models
/// whose full exploration would take minutes.
fn model_bounded(preemption_bound: Option<usize>, f: impl Fn() + Sync + Send + 'static) {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = preemption_bound;
    builder.check(f);
}

/// Starts the indices two steps before `u32::MAX` so every model crosses the wrap.
fn queue<const N: usize>() -> Arc<SpscQueue<u32, N>> {
    Arc::new(SpscQueue::starting_at(u32::MAX - 1))
}

/// Runs `f` on a new thread with its own reference to `q`. Every role runs on a spawned
/// thread: loom explores too few interleavings of work done on the model's main thread.
fn spawn<const N: usize, R: 'static>(
    q: &Arc<SpscQueue<u32, N>>,
    f: impl FnOnce(&SpscQueue<u32, N>) -> R + 'static,
) -> thread::JoinHandle<R> {
    let q = q.clone();
    thread::spawn(move || f(&q))
}

/// Pushes `0..ITEMS` against `consume`, without retrying, then checks that the items received
/// and those the queue rejected are every item once, the received ones in order, and that the
/// statistics agree.
fn push_against<const N: usize>(consume: fn(&mut Consumer<'_, u32, N>) -> Vec<u32>) {
    model(move || {
        let q = queue::<N>();
        let producer = spawn(&q, |q| {
            let mut tx = q.claim_producer().unwrap();
            (0..ITEMS)
                .filter_map(|i| tx.push(i).err())
                .collect::<Vec<_>>()
        });
        let consumer = spawn(&q, move |q| consume(&mut q.claim_consumer().unwrap()));
        let dropped = producer.join().unwrap();
        let mut received = consumer.join().unwrap();
        received.extend(q.claim_consumer().unwrap().drain());

        assert!(received.windows(2).all(|w| w[0] < w[1]), "{received:?}");
        let mut all: Vec<_> = received.iter().chain(&dropped).copied().collect();
        all.sort_unstable();
        assert!(all.iter().copied().eq(0..ITEMS), "{received:?} {dropped:?}");
        let stats = q.stats();
        assert_eq!(stats.pushed, ITEMS);
        assert_eq!(stats.dropped as usize, dropped.len());
        assert_eq!(stats.len, 0);
        assert!(stats.high_water as usize <= N);
    });
}

#[test]
fn push_against_pop() {
    push_against::<2>(|rx| (0..3).filter_map(|_| rx.pop()).collect());
}

#[test]
fn push_against_drain() {
    push_against::<2>(|rx| {
        let mut received: Vec<_> = rx.drain().take(1).collect();
        received.extend(rx.drain());
        received
    });
}

#[test]
fn push_against_drain_into() {
    push_against::<4>(|rx| {
        let mut received = Vec::new();
        for _ in 0..2 {
            let mut buf = [0; 3];
            let n = rx.drain_into(&mut buf);
            received.extend_from_slice(&buf[..n]);
        }
        received
    });
}

/// Two contexts taking turns at the producer role (ISRs claiming it per invocation) while the
/// consumer drains: a new holder must continue from the previous one's index.
#[test]
fn producer_role_handover() {
    model(|| {
        let q = queue::<2>();
        let isr = |item| {
            spawn(&q, move |q| match q.claim_producer() {
                Some(mut tx) => tx.push(item).is_ok(),
                None => false,
            })
        };
        let (a, b) = (isr(1), isr(2));
        let consumer = spawn(&q, |q| q.claim_consumer().unwrap().pop());
        let pushed = u32::from(a.join().unwrap()) + u32::from(b.join().unwrap());
        assert!(pushed >= 1, "at least one claim succeeds");
        let received = consumer.join().unwrap().into_iter();
        let received: Vec<_> = received
            .chain(q.claim_consumer().unwrap().drain())
            .collect();
        assert_eq!(received.len() as u32, pushed);
        assert_eq!(q.stats().pushed, pushed);
    });
}

/// The same for the consumer role: a new holder must not take an item again.
#[test]
fn consumer_role_handover() {
    model(|| {
        let q = queue::<2>();
        let producer = spawn(&q, |q| {
            let mut tx = q.claim_producer().unwrap();
            tx.push(1).unwrap();
            tx.push(2).unwrap();
        });
        let thread = || spawn(&q, |q| q.claim_consumer().and_then(|mut rx| rx.pop()));
        let (a, b) = (thread(), thread());
        let mut received: Vec<_> = [a, b]
            .into_iter()
            .filter_map(|t| t.join().unwrap())
            .collect();
        producer.join().unwrap();
        received.extend(q.claim_consumer().unwrap().drain());
        received.sort_unstable();
        assert_eq!(received, [1, 2]);
    });
}

/// Observers holding no role must never see more items than were pushed, even though they
/// read the two indices one after the other.
#[test]
fn length_seen_by_an_observer() {
    model_bounded(Some(3), || {
        let q = queue::<2>();
        let producer = spawn(&q, |q| q.claim_producer().unwrap().push(7).unwrap());
        let consumer = spawn(&q, |q| q.claim_consumer().unwrap().pop());
        let observer = spawn(&q, |q| (q.len(), q.stats()));
        producer.join().unwrap();
        consumer.join().unwrap();
        let (len, stats) = observer.join().unwrap();
        assert!(len <= 1 && stats.len <= 1, "{len} {stats:?}");
    });
}

/// A reset in one context and a read in another, racing with pushes: counts are relative to
/// a baseline, which must never be ahead of the counter read after it.
#[test]
fn stats_reset_and_read_from_other_contexts() {
    model_bounded(Some(2), || {
        let q = queue::<1>();
        let producer = spawn(&q, |q| {
            let mut tx = q.claim_producer().unwrap();
            (0..2).filter(|&i| tx.push(i).is_err()).count()
        });
        let resetter = spawn(&q, |q| q.reset_stats());
        let reader = spawn(&q, |q| q.stats());
        let dropped = producer.join().unwrap();
        resetter.join().unwrap();
        let stats = reader.join().unwrap();
        assert!(
            stats.dropped <= stats.pushed && stats.pushed <= 2,
            "{stats:?}"
        );
        assert!(stats.high_water <= 1, "{stats:?}");
        let stats = q.stats();
        assert!(
            stats.dropped as usize <= dropped && stats.pushed <= 2,
            "{stats:?}"
        );
        assert_eq!(stats.len, 1);
    });
}
