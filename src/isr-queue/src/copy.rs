//! Copying a run of slots out of the queue, for [`Consumer::drain_into`](crate::Consumer).
//!
//! A plain loop over the slots is what LLVM turns into a single `memcpy` call. On hosted
//! targets that is the C library's `memcpy`, which is the fastest way to copy all but the
//! shortest runs. On bare-metal targets (`target_os = "none"`, e.g. Zephyr's
//! `thumbv7m-none-eabi`) the `memcpy` the image links is `compiler_builtins`' portable one:
//! on Cortex-M3 its `__aeabi_memcpy4` moves a word per `LDR`/`STR` pair and spends 13
//! instructions on every 4 words, plus a call and a tail call for each run. There the run is
//! copied in blocks of [`BLOCK`] items instead, each of which LLVM copies inline (`LDM`/`STM`
//! of four registers on Cortex-M), and a remainder of at most one block each of 4, 2 and 1
//! items: for word-sized items no run of any length calls anything.

use core::mem::MaybeUninit;

use crate::sync::UnsafeCell;

/// A slot of the queue's array.
pub(crate) type Slot<T> = UnsafeCell<MaybeUninit<T>>;

/// Whether [`copy_run`] copies in blocks rather than with one `memcpy`; see the module
/// documentation. Also under loom, so that the model checker covers the bare-metal path while
/// the ordinary host tests cover the other; the unit tests below run both, also under Miri.
const COPY_IN_BLOCKS: bool = cfg!(any(target_os = "none", loom));

/// Items per block of the block copy.
const BLOCK: usize = 8;

/// Copies `slots` into `out`, which has the same length.
///
/// # Safety
/// Every slot holds an initialised item that no one writes during the copy.
#[inline(always)]
pub(crate) unsafe fn copy_run<T: Copy>(out: &mut [T], slots: &[Slot<T>]) {
    debug_assert_eq!(out.len(), slots.len());
    // SAFETY: forwarded from the caller.
    unsafe {
        if COPY_IN_BLOCKS {
            copy_in_blocks(out, slots)
        } else {
            copy_each(out, slots)
        }
    }
}

/// Item by item; LLVM makes a `memcpy` of it unless the length is a small constant.
///
/// # Safety
/// As for [`copy_run`].
#[inline(always)]
unsafe fn copy_each<T: Copy>(out: &mut [T], slots: &[Slot<T>]) {
    for (out, slot) in out.iter_mut().zip(slots) {
        // SAFETY: forwarded from the caller.
        *out = slot.with(|slot| unsafe { slot.read().assume_init() });
    }
}

/// Blocks of [`BLOCK`] items, then what remains in blocks of 4, 2 and 1.
///
/// # Safety
/// As for [`copy_run`].
#[inline(always)]
unsafe fn copy_in_blocks<T: Copy>(out: &mut [T], slots: &[Slot<T>]) {
    let mut out_blocks = out.chunks_exact_mut(BLOCK);
    let mut slot_blocks = slots.chunks_exact(BLOCK);
    for (out, slots) in (&mut out_blocks).zip(&mut slot_blocks) {
        // SAFETY: forwarded from the caller.
        unsafe { copy_each(out, slots) };
        // An opaque point between blocks, which emits no instruction. Without it LLVM's loop
        // idiom recognition turns this loop back into the one `memcpy` call it replaces.
        core::hint::black_box(());
    }
    let mut out = out_blocks.into_remainder();
    let mut slots = slot_blocks.remainder();
    // SAFETY: forwarded from the caller.
    unsafe {
        copy_block::<T, 4>(&mut out, &mut slots);
        copy_block::<T, 2>(&mut out, &mut slots);
        copy_block::<T, 1>(&mut out, &mut slots);
    }
}

/// Copies the first `K` items and advances both slices past them, if both hold `K`.
///
/// # Safety
/// As for [`copy_run`].
#[inline(always)]
unsafe fn copy_block<T: Copy, const K: usize>(out: &mut &mut [T], slots: &mut &[Slot<T>]) {
    if out.len() < K || slots.len() < K {
        return;
    }
    let (block, out_rest) = core::mem::take(out).split_at_mut(K);
    let (from, slots_rest) = slots.split_at(K);
    // SAFETY: forwarded from the caller.
    unsafe { copy_each(block, from) };
    *out = out_rest;
    *slots = slots_rest;
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    /// Both strategies, for every length up to a few blocks and every offset in a block, so
    /// that each combination of full blocks and 4/2/1 remainders is covered on the host too.
    #[test]
    fn both_strategies_copy_every_length_exactly() {
        const LEN: usize = 5 * BLOCK + 3;
        let slots: [Slot<u32>; LEN] =
            core::array::from_fn(|i| UnsafeCell::new(MaybeUninit::new(1000 + i as u32)));
        for start in 0..BLOCK {
            for len in 0..=LEN - start {
                let from = &slots[start..start + len];
                let expected: [u32; LEN] = core::array::from_fn(|i| {
                    if i < len {
                        1000 + (start + i) as u32
                    } else {
                        7
                    }
                });
                for strategy in [copy_each::<u32>, copy_in_blocks::<u32>] {
                    let mut out = [7u32; LEN];
                    // SAFETY: every slot is initialised and nothing else accesses them.
                    unsafe { strategy(&mut out[..len], from) };
                    assert_eq!(out, expected, "start {start}, len {len}");
                }
            }
        }
    }

    /// Items larger than a word, and of an odd size.
    #[test]
    fn blocks_copy_wide_and_odd_sized_items() {
        let slots: [Slot<[u8; 3]>; 13] =
            core::array::from_fn(|i| UnsafeCell::new(MaybeUninit::new([i as u8; 3])));
        let mut out = [[0; 3]; 13];
        // SAFETY: as above.
        unsafe { copy_in_blocks(&mut out, &slots) };
        assert_eq!(out, core::array::from_fn(|i| [i as u8; 3]));

        let slots: [Slot<(u64, u32)>; 11] =
            core::array::from_fn(|i| UnsafeCell::new(MaybeUninit::new((i as u64, !(i as u32)))));
        let mut out = [(0, 0); 11];
        // SAFETY: as above.
        unsafe { copy_in_blocks(&mut out, &slots) };
        assert_eq!(out, core::array::from_fn(|i| (i as u64, !(i as u32))));
    }
}
