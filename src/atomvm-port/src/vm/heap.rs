// SPDX-License-Identifier: Apache-2.0

//! Building terms into a heap whose space was reserved first.

use super::sys;
use crate::encode::{Encode, Sink};
use crate::error::Error;

/// A [`Sink`] writing into an AtomVM heap that has at least the words being built free.
pub struct HeapSink {
    heap: *mut sys::Heap,
    glb: *mut sys::GlobalContext,
}

impl HeapSink {
    /// # Safety
    /// `heap` and `glb` are valid for the sink's life, and the heap has at least as many free
    /// words as the [`Encode::words`] of everything encoded into it.
    pub(crate) unsafe fn new(heap: *mut sys::Heap, glb: *mut sys::GlobalContext) -> Self {
        Self { heap, glb }
    }
}

/// Reserves room for `value` (plus `extra` words) on `ctx`'s heap before anything is built.
///
/// Like AtomVM's `port_ensure_available`, this never collects garbage: a native handler's
/// context has no live registers to scan, and the scheduler collects its heap after the
/// handler returns. Missing room is added as a new heap fragment, so no term moves.
///
/// # Safety
/// `ctx` is the running port's context, on the VM thread.
pub(crate) unsafe fn reserve(
    ctx: *mut sys::Context,
    value: &(impl Encode + ?Sized),
    extra: usize,
) -> Result<usize, Error> {
    let words = value.words(&Sizes) + extra;
    // SAFETY: the caller's contract.
    let free = unsafe { sys::context_avail_free_memory(ctx) };
    if free < words {
        // SAFETY: as above; MEMORY_NO_GC only allocates a fragment.
        let r = unsafe { sys::memory_ensure_free_opt(ctx, words, sys::MEMORY_NO_GC) };
        if r != sys::MEMORY_GC_OK {
            return Err(Error::NO_MEMORY);
        }
    }
    Ok(words)
}

/// Size queries without a heap.
pub struct Sizes;

impl Sink for Sizes {
    type Raw = sys::term;

    fn int_words(&self, v: i64) -> usize {
        // SAFETY: a pure computation on the value.
        unsafe { sys::term_boxed_integer_size(v) }
    }
    fn binary_words(&self, len: usize) -> usize {
        // SAFETY: a pure computation on the length.
        unsafe { sys::term_binary_heap_size(len) }
    }
    fn resource_words(&self) -> usize {
        sys::ATOMVM_PORT_TERM_BOXED_RESOURCE_SIZE as usize
    }
    // Building is never called on the size view: `words` only asks for sizes.
    fn atom(&mut self, _: &str) -> sys::term {
        nil()
    }
    fn int(&mut self, _: i64) -> sys::term {
        nil()
    }
    fn binary(&mut self, _: &[u8]) -> sys::term {
        nil()
    }
    fn tuple(&mut self, _: &[sys::term]) -> sys::term {
        nil()
    }
    fn cons(&mut self, _: sys::term, _: sys::term) -> sys::term {
        nil()
    }
    fn nil(&mut self) -> sys::term {
        nil()
    }
    fn word(&mut self, w: usize) -> sys::term {
        w as sys::term
    }
    fn resource(&mut self, _: *mut core::ffi::c_void) -> sys::term {
        nil()
    }
    fn reference_words(&self) -> usize {
        sys::ATOMVM_PORT_REF_SIZE as usize
    }
    fn reference(&mut self, _: u64) -> sys::term {
        nil()
    }
    fn big_uint_words(&self) -> usize {
        big_uint_size().0 + 1 // BOXED_BIGINT_HEAP_SIZE
    }
    fn big_uint(&mut self, _: u64) -> sys::term {
        nil()
    }
}

/// A u64 bignum's data size in terms and in digits (2 digits, padded as AtomVM pads them).
fn big_uint_size() -> (usize, usize) {
    let (mut terms, mut rounded) = (0, 0);
    // SAFETY: a pure computation writing the two outputs.
    unsafe { sys::term_bigint_size_requirements(2, &mut terms, &mut rounded) };
    (terms, rounded)
}

fn nil() -> sys::term {
    // SAFETY: builds an immediate.
    unsafe { sys::term_nil() }
}

// SAFETY (whole impl): `new`'s contract guarantees the heap and the reserved space; every
// builder below allocates exactly the words its size query above reports.
impl Sink for HeapSink {
    type Raw = sys::term;

    fn int_words(&self, v: i64) -> usize {
        Sizes.int_words(v)
    }
    fn binary_words(&self, len: usize) -> usize {
        Sizes.binary_words(len)
    }
    fn resource_words(&self) -> usize {
        Sizes.resource_words()
    }
    fn reference_words(&self) -> usize {
        Sizes.reference_words()
    }
    fn big_uint_words(&self) -> usize {
        Sizes.big_uint_words()
    }

    fn atom(&mut self, name: &str) -> sys::term {
        // SAFETY: see the impl; the table copies the name if it is new.
        let t = unsafe {
            sys::globalcontext_insert_atom_maybe_copy(self.glb, name.as_ptr(), name.len(), true)
        };
        // The table is full or out of memory: [] keeps the term valid instead of sending an
        // invalid one (the VM is in trouble anyway, and the log says why).
        // SAFETY: reads the tag of an immediate.
        if unsafe { sys::term_is_atom(t) } {
            t
        } else {
            log::error!("atomvm-port: cannot create atom {name}");
            nil()
        }
    }
    fn int(&mut self, v: i64) -> sys::term {
        // SAFETY: see the impl.
        unsafe { sys::term_make_maybe_boxed_int64(v, self.heap) }
    }
    fn binary(&mut self, bytes: &[u8]) -> sys::term {
        // SAFETY: see the impl; the bytes are copied.
        unsafe {
            sys::term_from_literal_binary(bytes.as_ptr().cast(), bytes.len(), self.heap, self.glb)
        }
    }
    fn tuple(&mut self, elements: &[sys::term]) -> sys::term {
        // SAFETY: see the impl; elements are written within the new tuple's arity.
        unsafe {
            let t = sys::term_alloc_tuple(elements.len() as u32, self.heap);
            for (i, e) in elements.iter().enumerate() {
                sys::term_put_tuple_element(t, i as u32, *e);
            }
            t
        }
    }
    fn cons(&mut self, head: sys::term, tail: sys::term) -> sys::term {
        // SAFETY: see the impl.
        unsafe { sys::term_list_prepend(head, tail, self.heap) }
    }
    fn nil(&mut self) -> sys::term {
        nil()
    }
    fn word(&mut self, w: usize) -> sys::term {
        w as sys::term
    }
    // Only this crate makes a HeapSink (`new` is unsafe and crate-private), and it only passes
    // resources it holds a reference to: no safe caller can hand in another pointer.
    #[allow(clippy::not_unsafe_ptr_arg_deref)]
    fn resource(&mut self, obj: *mut core::ffi::c_void) -> sys::term {
        // SAFETY: see the impl; `obj` is a live resource (Resource keeps a reference).
        unsafe { sys::term_from_resource(obj, self.heap) }
    }
    fn big_uint(&mut self, v: u64) -> sys::term {
        // Positive sign and magnitude in 32-bit digits, least significant first.
        let digits = [v as u32, (v >> 32) as u32];
        let (terms, rounded) = big_uint_size();
        // SAFETY: see the impl; the digits are copied and zero-padded to `rounded`.
        unsafe {
            let t =
                sys::term_create_uninitialized_bigint(terms, sys::TermPositiveInteger, self.heap);
            sys::term_initialize_bigint(t, digits.as_ptr(), digits.len(), rounded);
            t
        }
    }
    fn reference(&mut self, ticks: u64) -> sys::term {
        // SAFETY: see the impl.
        unsafe { sys::term_from_ref_ticks(ticks, self.heap) }
    }
}
