// SPDX-License-Identifier: Apache-2.0

//! Live AtomVM terms as a [`Backend`].

use core::marker::PhantomData;

use super::sys;
use crate::term::{Backend, Kind, Term};

/// AtomVM's term store. `'a` is how long the terms stay valid: the message being handled.
#[derive(Clone, Copy, Debug)]
pub struct Vm<'a> {
    glb: *mut sys::GlobalContext,
    _terms: PhantomData<&'a ()>,
}

/// A live term.
pub type VmTerm<'a> = Term<'a, Vm<'a>>;

/// A request to a port, from live terms.
pub type VmRequest<'a> = crate::gen::Request<'a, Vm<'a>>;

impl Vm<'_> {
    /// # Safety
    /// `glb` is the running VM's global context, and terms read through this backend stay
    /// valid (not garbage collected or freed) for its lifetime.
    pub(crate) unsafe fn new(glb: *mut sys::GlobalContext) -> Self {
        Self {
            glb,
            _terms: PhantomData,
        }
    }
}

// SAFETY (whole impl): the raw terms come from the VM and are valid for 'a (the contract of
// `Vm::new`); each accessor checks the tag with the matching term_is_* before reading, as
// libAtomVM's own code does.
impl<'a> Backend<'a> for Vm<'a> {
    type Raw = sys::term;

    fn kind(self, t: sys::term) -> Kind {
        // SAFETY: see the impl.
        unsafe {
            if sys::term_is_atom(t) {
                Kind::Atom
            } else if sys::term_is_any_integer(t) {
                Kind::Integer
            } else if sys::term_is_binary(t) {
                Kind::Binary
            } else if sys::term_is_tuple(t) {
                Kind::Tuple
            } else if sys::term_is_nil(t) {
                Kind::Nil
            } else if sys::term_is_nonempty_list(t) {
                Kind::Cons
            } else if sys::term_is_map(t) {
                Kind::Map
            } else if sys::term_is_pid(t) {
                Kind::Pid
            } else if sys::term_is_reference(t) {
                Kind::Reference
            } else {
                Kind::Other
            }
        }
    }

    fn atom_name(self, t: sys::term) -> Option<&'a [u8]> {
        // SAFETY: see the impl; atom names live in the atom table as long as the VM.
        unsafe {
            if !sys::term_is_atom(t) {
                return None;
            }
            let mut len = 0usize;
            let p = sys::atom_table_get_atom_string(
                (*self.glb).atom_table,
                sys::term_to_atom_index(t),
                &mut len,
            );
            (!p.is_null()).then(|| core::slice::from_raw_parts(p, len))
        }
    }

    fn integer(self, t: sys::term) -> Option<i64> {
        // SAFETY: see the impl.
        unsafe { sys::term_is_int64(t).then(|| sys::term_maybe_unbox_int64(t)) }
    }

    fn binary(self, t: sys::term) -> Option<&'a [u8]> {
        // SAFETY: see the impl; the bytes live as long as the binary term.
        unsafe {
            if !sys::term_is_binary(t) {
                return None;
            }
            let len = sys::term_binary_size(t) as usize;
            if len == 0 {
                return Some(&[]);
            }
            Some(core::slice::from_raw_parts(
                sys::term_binary_data(t).cast::<u8>(),
                len,
            ))
        }
    }

    fn tuple_arity(self, t: sys::term) -> Option<usize> {
        // SAFETY: see the impl.
        unsafe { sys::term_is_tuple(t).then(|| sys::term_get_tuple_arity(t) as usize) }
    }

    fn tuple_element(self, t: sys::term, i: usize) -> Option<sys::term> {
        let arity = self.tuple_arity(t)?;
        // SAFETY: a tuple, and i is within its arity.
        (i < arity).then(|| unsafe { sys::term_get_tuple_element(t, i as _) })
    }

    fn cons(self, t: sys::term) -> Option<(sys::term, sys::term)> {
        // SAFETY: see the impl.
        unsafe {
            sys::term_is_nonempty_list(t)
                .then(|| (sys::term_get_list_head(t), sys::term_get_list_tail(t)))
        }
    }

    fn map_size(self, t: sys::term) -> Option<usize> {
        // SAFETY: see the impl.
        unsafe { sys::term_is_map(t).then(|| sys::term_get_map_size(t) as usize) }
    }

    fn map_entry(self, t: sys::term, i: usize) -> Option<(sys::term, sys::term)> {
        let n = self.map_size(t)?;
        // SAFETY: a map, and i is within its size.
        (i < n).then(|| unsafe {
            (
                sys::term_get_map_key(t, i as _),
                sys::term_get_map_value(t, i as _),
            )
        })
    }
}
