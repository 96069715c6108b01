//! Wall-clock comparison with criterion (`cargo bench -p isr-queue --bench throughput`). Noisy
//! on a shared machine; `bench/run-callgrind.sh` gives the deterministic instruction counts.

mod common;

use std::hint::black_box;
use std::thread;
use std::time::Duration;

use common::Spsc;
use criterion::measurement::WallTime;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion, Throughput};

const BATCH: u32 = 64;
const STREAM: u32 = 20_000;

fn push_pop(c: &mut Criterion) {
    fn bench(g: &mut BenchmarkGroup<WallTime>, name: &str, mut q: impl Spsc) {
        g.bench_function(name, |b| {
            b.iter(|| {
                q.push(black_box(1));
                black_box(q.pop())
            })
        });
    }
    let mut g = c.benchmark_group("push+pop");
    g.throughput(Throughput::Elements(1));
    bench(&mut g, "isr-queue", common::ours());
    bench(&mut g, "heapless 0.9", common::heapless09());
    bench(&mut g, "heapless 0.8", common::heapless08());
    bench(&mut g, "rtrb", common::rtrb());
    g.finish();
}

/// Push 64 items, then take them out in the queue's own ways.
fn batch(c: &mut Criterion) {
    fn bench<Q: Spsc>(
        g: &mut BenchmarkGroup<WallTime>,
        name: &str,
        q: &mut Q,
        consume: fn(&mut Q),
    ) {
        g.bench_function(name, |b| {
            b.iter(|| {
                (0..BATCH).for_each(|i| _ = q.push(i));
                consume(q);
            })
        });
    }
    fn pops(q: &mut impl Spsc) {
        (0..BATCH).for_each(|_| _ = black_box(q.pop()));
    }
    let mut g = c.benchmark_group("push 64 then consume 64");
    g.throughput(Throughput::Elements(BATCH.into()));
    let mut ours = common::ours();
    bench(&mut g, "isr-queue pop", &mut ours, pops);
    bench(&mut g, "isr-queue drain_into", &mut ours, |q| {
        black_box(q.1.drain_into(&mut [0; BATCH as usize]));
    });
    bench(&mut g, "isr-queue drain", &mut ours, |q| {
        q.1.drain().for_each(|item| _ = black_box(item));
    });
    bench(&mut g, "heapless 0.9 pop", &mut common::heapless09(), pops);
    bench(&mut g, "heapless 0.8 pop", &mut common::heapless08(), pops);
    let mut rtrb = common::rtrb();
    bench(&mut g, "rtrb pop", &mut rtrb, pops);
    bench(&mut g, "rtrb read_chunk", &mut rtrb, |q| {
        let chunk = q.1.read_chunk(q.1.slots()).unwrap();
        chunk.into_iter().for_each(|item| _ = black_box(item));
    });
    g.finish();
}

/// One thread pushes `STREAM` items, another drains them; both yield when they cannot go on,
/// as spinning starves the other thread on a busy machine.
fn across_threads(c: &mut Criterion) {
    fn bench<P: Send, C: Send>(
        g: &mut BenchmarkGroup<WallTime>,
        name: &str,
        (mut tx, mut rx): (P, C),
        push: fn(&mut P, u32) -> bool,
        drain: fn(&mut C) -> u32,
    ) {
        g.bench_function(name, |b| {
            b.iter(|| {
                thread::scope(|s| {
                    s.spawn(|| {
                        for i in 0..STREAM {
                            while !push(&mut tx, i) {
                                thread::yield_now();
                            }
                        }
                    });
                    let mut received = 0;
                    while received < STREAM {
                        match drain(&mut rx) {
                            0 => thread::yield_now(),
                            n => received += n,
                        }
                    }
                });
            })
        });
    }
    let mut g = c.benchmark_group("stream across threads");
    g.throughput(Throughput::Elements(STREAM.into()));
    g.sample_size(20);
    bench(
        &mut g,
        "isr-queue drain",
        common::ours(),
        |tx, i| tx.push(i).is_ok(),
        |rx| rx.drain().map(black_box).count() as u32,
    );
    bench(
        &mut g,
        "heapless 0.8 pop",
        common::heapless08(),
        |tx, i| tx.enqueue(i).is_ok(),
        |rx| rx.dequeue().map(black_box).is_some().into(),
    );
    bench(
        &mut g,
        "rtrb read_chunk",
        common::rtrb(),
        |tx, i| tx.push(i).is_ok(),
        |rx| {
            let chunk = rx.read_chunk(rx.slots()).unwrap();
            chunk.into_iter().map(black_box).count() as u32
        },
    );
    g.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
}

criterion_group! {
    name = benches;
    config = config();
    targets = push_pop, batch, across_threads
}
criterion_main!(benches);
