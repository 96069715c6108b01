// SPDX-License-Identifier: Apache-2.0

//! The asynchronous transfers of one open port (paradigms 2 and 3): transaction ids,
//! admission (at most `depth` in flight, so the completion queue, as deep, never overflows),
//! completions that arrive in any order delivered in submission order, and cancel-all for
//! `Drop`.
//!
//! Ids are consecutive `u32`s (wrapping); the table holds a window of at most `depth` of them
//! from the oldest undelivered one, so an id is found by its distance from that one and a
//! stale or repeated completion is told apart.

use alloc::collections::VecDeque;
use alloc::vec::Vec;

use atomvm_port::Error;

/// A transfer's id, carried through the driver's callback and the completion queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TxnId(pub u32);

/// Why a submission was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refused {
    /// `depth` transfers are in flight: `{error, busy}`.
    Busy,
    /// The port is closing: `{error, closed}`.
    Closed,
}

impl From<Refused> for Error {
    fn from(r: Refused) -> Error {
        match r {
            Refused::Busy => Error::BUSY,
            Refused::Closed => Error::CLOSED,
        }
    }
}

/// A completion that matches no transfer waiting for one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stray {
    /// The id is not in flight (never submitted, or delivered already).
    Unknown,
    /// The transfer had completed already.
    Repeated,
}

/// The table's counts (`get_counters`, and the VM-end check that every submitted transfer
/// was completed or cancelled).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Transfers admitted.
    pub submitted: u64,
    /// Completions the driver reported for them.
    pub completed: u64,
    /// Results handed out in order (`{spi_done, Ref, Result}` sent).
    pub delivered: u64,
    /// Transfers dropped by [`InFlight::cancel_all`] undelivered.
    pub cancelled: u64,
    /// Submissions refused with `busy`.
    pub busy: u64,
    /// Completions that matched nothing.
    pub stray: u64,
}

struct Slot<P, R> {
    payload: P,
    result: Option<R>,
}

/// A delivered transfer: its id, what the port kept with it, and its result.
#[derive(Debug, PartialEq, Eq)]
pub struct Done<P, R> {
    /// Its id.
    pub id: TxnId,
    /// What was submitted with it (the caller's pid and ref, the plan, the buffers).
    pub payload: P,
    /// Its result.
    pub result: R,
}

/// What [`InFlight::cancel_all`] took out.
#[derive(Debug, PartialEq, Eq)]
pub struct Cancelled<P> {
    /// Transfers the driver had finished (their buffers are free to go).
    pub finished: Vec<P>,
    /// Transfers the driver had not finished: the port must not free what the driver still
    /// uses (it waits for their completions first, or leaks them if they never come).
    pub unfinished: Vec<P>,
}

/// The in-flight table.
pub struct InFlight<P, R> {
    slots: VecDeque<Slot<P, R>>,
    /// The id of `slots[0]`.
    head: u32,
    depth: usize,
    closed: bool,
    counts: Counts,
}

impl<P, R> InFlight<P, R> {
    /// A table admitting at most `depth` (1..=2^31) transfers at once, the first id `first`.
    pub fn new(depth: usize, first: u32) -> Self {
        let depth = depth.clamp(1, 1 << 31);
        InFlight {
            slots: VecDeque::new(),
            head: first,
            depth,
            closed: false,
            counts: Counts::default(),
        }
    }

    /// The most in flight.
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// Transfers submitted and not yet delivered.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether none is waiting.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Transfers the driver has not completed yet.
    pub fn outstanding(&self) -> usize {
        self.slots.iter().filter(|s| s.result.is_none()).count()
    }

    /// The counts so far.
    pub fn counts(&self) -> Counts {
        self.counts
    }

    /// Admits a transfer: its id, or `Busy` with `depth` in flight, `Closed` after
    /// [`close`](Self::close). The payload is kept until the result is delivered.
    pub fn submit(&mut self, payload: P) -> Result<TxnId, Refused> {
        if self.closed {
            return Err(Refused::Closed);
        }
        if self.slots.len() >= self.depth {
            self.counts.busy += 1;
            return Err(Refused::Busy);
        }
        let id = TxnId(self.head.wrapping_add(self.slots.len() as u32));
        self.slots.push_back(Slot {
            payload,
            result: None,
        });
        self.counts.submitted += 1;
        Ok(id)
    }

    /// Takes back the last submission (its transfer could not be started): the caller gets an
    /// error instead of a `spi_done`, so it is neither completed nor delivered.
    pub fn unsubmit(&mut self, id: TxnId) -> Option<P> {
        let last = self
            .head
            .wrapping_add(self.slots.len() as u32)
            .wrapping_sub(1);
        if self.slots.is_empty() || id.0 != last || self.slots.back()?.result.is_some() {
            return None;
        }
        self.counts.submitted -= 1;
        self.slots.pop_back().map(|s| s.payload)
    }

    /// Records a completion, in whatever order they come.
    pub fn complete(&mut self, id: TxnId, result: R) -> Result<(), Stray> {
        let at = id.0.wrapping_sub(self.head) as usize;
        let Some(slot) = self.slots.get_mut(at) else {
            self.counts.stray += 1;
            return Err(Stray::Unknown);
        };
        if slot.result.is_some() {
            self.counts.stray += 1;
            return Err(Stray::Repeated);
        }
        slot.result = Some(result);
        self.counts.completed += 1;
        Ok(())
    }

    /// The oldest transfer, once it has completed: results come out in submission order.
    pub fn pop_ready(&mut self) -> Option<Done<P, R>> {
        // Not yet: the oldest is still with the driver.
        self.slots.front()?.result.as_ref()?;
        let slot = self.slots.pop_front()?;
        let id = TxnId(self.head);
        self.head = self.head.wrapping_add(1);
        self.counts.delivered += 1;
        Some(Done {
            id,
            payload: slot.payload,
            result: slot.result?,
        })
    }

    /// No more submissions (the port is closing); completions are still recorded.
    pub fn close(&mut self) {
        self.closed = true;
    }

    /// Whether [`close`](Self::close) was called.
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// Empties the table (for `Drop`, after waiting for what the driver still holds): every
    /// transfer left is cancelled, undelivered. Closes the table.
    pub fn cancel_all(&mut self) -> Cancelled<P> {
        self.closed = true;
        let mut c = Cancelled {
            finished: Vec::new(),
            unfinished: Vec::new(),
        };
        self.head = self.head.wrapping_add(self.slots.len() as u32);
        for s in self.slots.drain(..) {
            self.counts.cancelled += 1;
            match s.result {
                Some(_) => c.finished.push(s.payload),
                None => c.unfinished.push(s.payload),
            }
        }
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    fn ids(t: &mut InFlight<&'static str, i32>) -> Vec<(u32, &'static str, i32)> {
        core::iter::from_fn(|| t.pop_ready())
            .map(|d| (d.id.0, d.payload, d.result))
            .collect()
    }

    #[test]
    fn admits_up_to_depth_then_busy() {
        let mut t = InFlight::<u8, i32>::new(3, 10);
        assert_eq!(t.submit(1), Ok(TxnId(10)));
        assert_eq!(t.submit(2), Ok(TxnId(11)));
        assert_eq!(t.submit(3), Ok(TxnId(12)));
        assert_eq!(t.submit(4), Err(Refused::Busy));
        assert_eq!(t.submit(4), Err(Refused::Busy));
        assert_eq!((t.len(), t.outstanding()), (3, 3));
        // Completed but undelivered still counts: the queue slot is only freed on delivery.
        t.complete(TxnId(11), 0).unwrap();
        assert_eq!(t.submit(4), Err(Refused::Busy));
        t.complete(TxnId(10), 0).unwrap();
        assert!(t.pop_ready().is_some());
        assert_eq!(t.submit(5), Ok(TxnId(13)));
        let c = t.counts();
        assert_eq!(
            (c.submitted, c.busy, c.completed, c.delivered),
            (4, 3, 2, 1)
        );
        assert_eq!(Error::from(Refused::Busy), Error::BUSY);
        assert_eq!(Error::from(Refused::Closed), Error::CLOSED);
    }

    #[test]
    fn out_of_order_completions_come_out_in_submission_order() {
        let mut t = InFlight::new(4, 0);
        for p in ["a", "b", "c", "d"] {
            t.submit(p).unwrap();
        }
        t.complete(TxnId(2), 30).unwrap();
        t.complete(TxnId(1), 20).unwrap();
        assert_eq!(ids(&mut t), []);
        t.complete(TxnId(0), 10).unwrap();
        assert_eq!(ids(&mut t), [(0, "a", 10), (1, "b", 20), (2, "c", 30)]);
        assert_eq!(t.outstanding(), 1);
        t.complete(TxnId(3), -5).unwrap();
        assert_eq!(ids(&mut t), [(3, "d", -5)]);
        assert!(t.is_empty());
    }

    #[test]
    fn ids_wrap_around_u32() {
        let mut t = InFlight::new(2, u32::MAX);
        assert_eq!(t.submit("x"), Ok(TxnId(u32::MAX)));
        assert_eq!(t.submit("y"), Ok(TxnId(0)));
        t.complete(TxnId(0), 2).unwrap();
        t.complete(TxnId(u32::MAX), 1).unwrap();
        assert_eq!(ids(&mut t), [(u32::MAX, "x", 1), (0, "y", 2)]);
        assert_eq!(t.submit("z"), Ok(TxnId(1)));
    }

    #[test]
    fn stray_and_repeated_completions_are_refused_and_counted() {
        let mut t = InFlight::new(4, 100);
        t.submit("a").unwrap();
        t.submit("b").unwrap();
        assert_eq!(t.complete(TxnId(102), 0), Err(Stray::Unknown));
        assert_eq!(t.complete(TxnId(99), 0), Err(Stray::Unknown));
        t.complete(TxnId(101), 7).unwrap();
        assert_eq!(t.complete(TxnId(101), 8), Err(Stray::Repeated));
        t.complete(TxnId(100), 6).unwrap();
        assert_eq!(ids(&mut t), [(100, "a", 6), (101, "b", 7)]);
        // Delivered: the id is stale now.
        assert_eq!(t.complete(TxnId(100), 0), Err(Stray::Unknown));
        assert_eq!(t.counts().stray, 4);
        assert_eq!(t.counts().completed, 2);
    }

    #[test]
    fn a_thousand_transfers_in_a_shuffled_completion_order() {
        let mut t = InFlight::<u32, u32>::new(8, 7);
        let (mut next, mut seed) = (0u32, 0x1234_5678u32);
        let mut outstanding: Vec<TxnId> = Vec::new();
        let mut got = Vec::new();
        while got.len() < 1000 {
            while next < 1000 {
                match t.submit(next) {
                    Ok(id) => outstanding.push(id),
                    Err(e) => {
                        assert_eq!(e, Refused::Busy);
                        break;
                    }
                }
                next += 1;
            }
            // Complete one outstanding transfer, picked pseudo-randomly.
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let id = outstanding.swap_remove((seed >> 16) as usize % outstanding.len());
            t.complete(id, id.0.wrapping_mul(3)).unwrap();
            while let Some(d) = t.pop_ready() {
                assert_eq!(d.id.0, 7 + d.payload);
                assert_eq!(d.result, d.id.0 * 3);
                got.push(d.payload);
            }
        }
        assert_eq!(got, (0..1000).collect::<Vec<_>>());
        let c = t.counts();
        assert_eq!(
            (c.submitted, c.completed, c.delivered, c.stray),
            (1000, 1000, 1000, 0)
        );
        assert!(c.busy > 0);
    }

    #[test]
    fn unsubmit_takes_back_only_the_last_unfinished_one() {
        let mut t = InFlight::new(4, 0);
        let a = t.submit("a").unwrap();
        let b = t.submit("b").unwrap();
        assert_eq!(t.unsubmit(a), None);
        assert_eq!(t.unsubmit(b), Some("b"));
        assert_eq!(t.unsubmit(b), None);
        assert_eq!(t.counts().submitted, 1);
        // The id is reused: nothing saw the taken-back one.
        assert_eq!(t.submit("c"), Ok(TxnId(1)));
        t.complete(TxnId(1), 0).unwrap();
        assert_eq!(t.unsubmit(TxnId(1)), None);
    }

    #[test]
    fn cancel_all_splits_finished_from_unfinished_and_closes() {
        let mut t = InFlight::new(4, 0);
        for p in ["a", "b", "c"] {
            t.submit(p).unwrap();
        }
        t.complete(TxnId(1), 0).unwrap();
        t.close();
        assert!(t.is_closed());
        assert_eq!(t.submit("d"), Err(Refused::Closed));
        // Completions still land while closing.
        t.complete(TxnId(2), 0).unwrap();
        assert_eq!(t.outstanding(), 1);
        let c = t.cancel_all();
        assert_eq!(c.finished, ["b", "c"]);
        assert_eq!(c.unfinished, ["a"]);
        assert!(t.is_empty());
        let n = t.counts();
        assert_eq!(
            (n.submitted, n.completed, n.delivered, n.cancelled),
            (3, 2, 0, 3)
        );
        assert_eq!(t.complete(TxnId(0), 0), Err(Stray::Unknown));
        assert_eq!(t.submit("e"), Err(Refused::Closed));
        // Without close first, cancel_all closes too.
        let mut t = InFlight::<u8, i32>::new(2, 0);
        t.submit(1).unwrap();
        assert_eq!(t.cancel_all().unfinished, [1]);
        assert_eq!(t.submit(2), Err(Refused::Closed));
    }

    #[test]
    fn a_depth_of_zero_still_admits_one() {
        let mut t = InFlight::<u8, i32>::new(0, 0);
        assert_eq!(t.depth(), 1);
        assert_eq!(t.submit(1), Ok(TxnId(0)));
        assert_eq!(t.submit(2), Err(Refused::Busy));
    }
}
