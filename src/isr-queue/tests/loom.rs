//! Exhaustive interleavings of a producer and a consumer, checked by loom. Run with
//! `RUSTFLAGS="--cfg loom" cargo test -p isr-queue --test loom --release`.
//!
//! The threads never spin on a full or empty queue (that would multiply the interleavings);
//! instead the producer keeps what it could not push and the final checks account for every
//! item: each one is received exactly once, in order, or handed back as dropped.
#![cfg(loom)]

use isr_queue::SpscQueue;
use loom::sync::Arc;
use loom::thread;

/// Items pushed in each model: more than the capacity, so the queue fills and wraps.
const ITEMS: u32 = 4;

/// Runs `f` over every interleaving, up to a preemption bound that keeps the run to seconds.
fn model(f: impl Fn() + Sync + Send + 'static) {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound.get_or_insert(3);
    builder.check(f);
}

/// Starts the indices two steps before `u32::MAX` so every model crosses the wrap.
fn queue<const N: usize>() -> Arc<SpscQueue<u32, N>> {
    Arc::new(SpscQueue::starting_at(u32::MAX - 1))
}

/// Pushes `0..ITEMS` without retrying and returns the items the queue rejected.
fn produce<const N: usize>(q: &SpscQueue<u32, N>) -> Vec<u32> {
    let mut tx = q.claim_producer().unwrap();
    (0..ITEMS).filter_map(|i| tx.push(i).err()).collect()
}

/// Joins the producer, takes what is left, and checks that `received` and the rejected items
/// together are every item once, with `received` in order, and that the statistics agree.
fn check<const N: usize>(
    q: &SpscQueue<u32, N>,
    producer: thread::JoinHandle<Vec<u32>>,
    mut received: Vec<u32>,
) {
    let dropped = producer.join().unwrap();
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
}

#[test]
fn push_against_pop() {
    model(|| {
        let q = queue::<2>();
        let producer = thread::spawn({
            let q = q.clone();
            move || produce(&q)
        });
        let mut rx = q.claim_consumer().unwrap();
        let received: Vec<_> = (0..3).filter_map(|_| rx.pop()).collect();
        drop(rx);
        check(&q, producer, received);
    });
}

#[test]
fn push_against_drain() {
    model(|| {
        let q = queue::<2>();
        let producer = thread::spawn({
            let q = q.clone();
            move || produce(&q)
        });
        let mut rx = q.claim_consumer().unwrap();
        let mut received: Vec<_> = rx.drain().take(1).collect();
        received.extend(rx.drain());
        drop(rx);
        check(&q, producer, received);
    });
}

#[test]
fn push_against_drain_into() {
    model(|| {
        let q = queue::<4>();
        let producer = thread::spawn({
            let q = q.clone();
            move || produce(&q)
        });
        let mut rx = q.claim_consumer().unwrap();
        let mut received = Vec::new();
        for _ in 0..2 {
            let mut buf = [0; 3];
            let n = rx.drain_into(&mut buf);
            received.extend_from_slice(&buf[..n]);
        }
        drop(rx);
        check(&q, producer, received);
    });
}

/// Two contexts taking turns at the producer role (an ISR claiming per invocation): the
/// second must continue from the first one's index, whichever order they run in.
#[test]
fn producer_role_handover() {
    model(|| {
        let q = queue::<2>();
        let isr = |item| {
            let q = q.clone();
            thread::spawn(move || match q.claim_producer() {
                Some(mut tx) => tx.push(item).is_ok(),
                None => false,
            })
        };
        let (a, b) = (isr(1), isr(2));
        let pushed = u32::from(a.join().unwrap()) + u32::from(b.join().unwrap());
        let received: Vec<_> = q.claim_consumer().unwrap().drain().collect();
        assert_eq!(received.len() as u32, pushed);
        assert_eq!(q.stats().pushed, pushed);
        assert!(pushed >= 1, "the first claim always succeeds");
    });
}

/// Statistics read and reset from a third context while the queue is in use.
#[test]
fn stats_from_another_context() {
    model(|| {
        let q = queue::<2>();
        let observer = thread::spawn({
            let q = q.clone();
            move || {
                q.reset_stats();
                let stats = q.stats();
                assert!(stats.len <= 2 && stats.high_water <= 2);
                assert!(stats.dropped <= stats.pushed && stats.pushed <= 3);
            }
        });
        let producer = thread::spawn({
            let q = q.clone();
            move || {
                let mut tx = q.claim_producer().unwrap();
                for i in 0..3 {
                    let _ = tx.push(i);
                }
            }
        });
        q.claim_consumer().unwrap().pop();
        observer.join().unwrap();
        producer.join().unwrap();
    });
}
