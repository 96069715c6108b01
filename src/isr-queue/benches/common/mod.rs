//! The queues under comparison behind one small trait, shared by the benchmarks.

/// Capacity of every queue; `heapless` holds one less.
pub const CAP: usize = 128;

pub type Ours<'a> = (
    isr_queue::Producer<'a, u32, CAP>,
    isr_queue::Consumer<'a, u32, CAP>,
);
pub type Heapless09<'a> = (
    heapless::spsc::Producer<'a, u32>,
    heapless::spsc::Consumer<'a, u32>,
);
pub type Heapless08<'a> = (
    heapless08::spsc::Producer<'a, u32, CAP>,
    heapless08::spsc::Consumer<'a, u32, CAP>,
);
pub type Rtrb = (rtrb::Producer<u32>, rtrb::Consumer<u32>);

/// What every queue offers, for the cases they share.
pub trait Spsc {
    fn push(&mut self, item: u32) -> bool;
    fn pop(&mut self) -> Option<u32>;
}

impl Spsc for Ours<'_> {
    #[inline(always)]
    fn push(&mut self, item: u32) -> bool {
        self.0.push(item).is_ok()
    }

    #[inline(always)]
    fn pop(&mut self) -> Option<u32> {
        self.1.pop()
    }
}

impl Spsc for Heapless09<'_> {
    #[inline(always)]
    fn push(&mut self, item: u32) -> bool {
        self.0.enqueue(item).is_ok()
    }

    #[inline(always)]
    fn pop(&mut self) -> Option<u32> {
        self.1.dequeue()
    }
}

impl Spsc for Heapless08<'_> {
    #[inline(always)]
    fn push(&mut self, item: u32) -> bool {
        self.0.enqueue(item).is_ok()
    }

    #[inline(always)]
    fn pop(&mut self) -> Option<u32> {
        self.1.dequeue()
    }
}

impl Spsc for Rtrb {
    #[inline(always)]
    fn push(&mut self, item: u32) -> bool {
        self.0.push(item).is_ok()
    }

    #[inline(always)]
    fn pop(&mut self) -> Option<u32> {
        self.1.pop().ok()
    }
}

// Constructors with leaked storage, so that every queue has the same `'static` shape.

pub fn ours() -> Ours<'static> {
    let queue = Box::leak(Box::new(isr_queue::SpscQueue::new()));
    queue.split().unwrap()
}

pub fn heapless09() -> Heapless09<'static> {
    Box::leak(Box::new(heapless::spsc::Queue::<u32, CAP>::new())).split()
}

pub fn heapless08() -> Heapless08<'static> {
    Box::leak(Box::new(heapless08::spsc::Queue::new())).split()
}

pub fn rtrb() -> Rtrb {
    rtrb::RingBuffer::new(CAP)
}
