// SPDX-License-Identifier: Apache-2.0

//! Building terms from Rust values.
//!
//! A term is built in two passes over the same value: [`Encode::words`] adds up the heap
//! words it needs, the caller reserves them (one garbage collection at most, before anything
//! is built), then [`Encode::encode`] writes it. Nothing allocates between the two, so no
//! collection can move a half-built term. [`Sink`] is the store being written: AtomVM's heap
//! in `vm`, a model in host tests.

/// A term store being written, plus the sizes of its boxed terms (they differ between 32- and
/// 64-bit VMs, e.g. which integers need a box).
pub trait Sink {
    /// The store's term word.
    type Raw: Copy;

    /// Heap words of an integer (0 when it is an immediate).
    fn int_words(&self, v: i64) -> usize;
    /// Heap words of a binary of `len` bytes.
    fn binary_words(&self, len: usize) -> usize;
    /// Heap words of a tuple of `arity` elements.
    fn tuple_words(&self, arity: usize) -> usize {
        1 + arity
    }
    /// Heap words of one list cell.
    fn cons_words(&self) -> usize {
        2
    }

    /// An atom (an immediate; the atom table may grow).
    fn atom(&mut self, name: &str) -> Self::Raw;
    /// An integer.
    fn int(&mut self, v: i64) -> Self::Raw;
    /// A binary with a copy of `bytes`.
    fn binary(&mut self, bytes: &[u8]) -> Self::Raw;
    /// A tuple of already built elements.
    fn tuple(&mut self, elements: &[Self::Raw]) -> Self::Raw;
    /// `[head | tail]`.
    fn cons(&mut self, head: Self::Raw, tail: Self::Raw) -> Self::Raw;
    /// `[]`.
    fn nil(&mut self) -> Self::Raw;
    /// A term word taken as is: an immediate, or a term that lives as long as the one being
    /// built (e.g. a part of the message being answered).
    fn word(&mut self, w: usize) -> Self::Raw;
    /// Heap words of a reference to a resource.
    fn resource_words(&self) -> usize;
    /// A reference to resource object `obj` (counted by the garbage collector).
    fn resource(&mut self, obj: *mut core::ffi::c_void) -> Self::Raw;
    /// Heap words of an integer above `i64::MAX` (a bignum).
    fn big_uint_words(&self) -> usize;
    /// An integer above `i64::MAX` (smaller ones are [`Sink::int`]).
    fn big_uint(&mut self, v: u64) -> Self::Raw;
    /// Heap words of a local reference.
    fn reference_words(&self) -> usize;
    /// The local reference numbered `ticks` (see [`Reference`]).
    fn reference(&mut self, ticks: u64) -> Self::Raw;
}

/// A Rust value that can be written as a term.
///
/// Implemented for integers, `bool` (atoms `true`/`false`), `()` (atom `ok`), [`Atom`],
/// [`Binary`], tuples of up to 8 encodable values, slices and arrays (lists), `Option` (the
/// value or `undefined`), [`crate::Error`] and raw terms of the sink.
pub trait Encode {
    /// Heap words the term needs.
    fn words<S: Sink + ?Sized>(&self, s: &S) -> usize;
    /// Writes the term; the caller has reserved [`Encode::words`] words.
    fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> S::Raw;
}

impl<T: Encode + ?Sized> Encode for &T {
    fn words<S: Sink + ?Sized>(&self, s: &S) -> usize {
        (**self).words(s)
    }
    fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> S::Raw {
        (**self).encode(s)
    }
}

/// An atom by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Atom<'n>(pub &'n str);

/// Shorthand for [`Atom`].
pub const fn atom(name: &str) -> Atom<'_> {
    Atom(name)
}

impl Encode for Atom<'_> {
    fn words<S: Sink + ?Sized>(&self, _: &S) -> usize {
        0
    }
    fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> S::Raw {
        s.atom(self.0)
    }
}

/// A binary holding a copy of the bytes (a byte slice alone encodes as a list of integers).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Binary<'b>(pub &'b [u8]);

impl Encode for Binary<'_> {
    fn words<S: Sink + ?Sized>(&self, s: &S) -> usize {
        s.binary_words(self.0.len())
    }
    fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> S::Raw {
        s.binary(self.0)
    }
}

/// An Erlang reference, as `make_ref()` makes: a number from the VM's reference counter, so
/// equal only to itself. A port mints one where it has the VM (`vm::Call::make_ref`), keeps
/// the number, and sends the same reference later (an answer matched by `receive`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Reference(pub u64);

impl Encode for Reference {
    fn words<S: Sink + ?Sized>(&self, s: &S) -> usize {
        s.reference_words()
    }
    fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> S::Raw {
        s.reference(self.0)
    }
}

impl Encode for bool {
    fn words<S: Sink + ?Sized>(&self, _: &S) -> usize {
        0
    }
    fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> S::Raw {
        s.atom(if *self { "true" } else { "false" })
    }
}

/// `()` is the atom `ok`, the usual reply of a command that returns nothing.
impl Encode for () {
    fn words<S: Sink + ?Sized>(&self, _: &S) -> usize {
        0
    }
    fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> S::Raw {
        s.atom("ok")
    }
}

macro_rules! encode_int {
    ($($t:ty),*) => {$(
        impl Encode for $t {
            fn words<S: Sink + ?Sized>(&self, s: &S) -> usize {
                s.int_words(i64::from(*self))
            }
            fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> S::Raw {
                s.int(i64::from(*self))
            }
        }
    )*};
}
encode_int!(i8, i16, i32, i64, u8, u16, u32);

/// All of `u64`: above `i64::MAX` a bignum, as Erlang has it.
impl Encode for u64 {
    fn words<S: Sink + ?Sized>(&self, s: &S) -> usize {
        match i64::try_from(*self) {
            Ok(v) => s.int_words(v),
            Err(_) => s.big_uint_words(),
        }
    }
    fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> S::Raw {
        match i64::try_from(*self) {
            Ok(v) => s.int(v),
            Err(_) => s.big_uint(*self),
        }
    }
}

/// `usize` values beyond `i64::MAX` saturate (no platform has such sizes in practice).
impl Encode for usize {
    fn words<S: Sink + ?Sized>(&self, s: &S) -> usize {
        s.int_words(i64::try_from(*self).unwrap_or(i64::MAX))
    }
    fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> S::Raw {
        s.int(i64::try_from(*self).unwrap_or(i64::MAX))
    }
}

/// One `{Name, Value}` entry of a counters list (`get_counters` and the like): a number or
/// an atom (a state, say).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counter {
    /// `{Name, Integer}`.
    Num(&'static str, i64),
    /// `{Name, Atom}`.
    Atom(&'static str, &'static str),
}

impl Counter {
    /// `{name, v}` for any integer that widens to `i64`.
    pub fn num(name: &'static str, v: impl Into<i64>) -> Self {
        Counter::Num(name, v.into())
    }
}

impl Encode for Counter {
    fn words<S: Sink + ?Sized>(&self, s: &S) -> usize {
        match self {
            Counter::Num(k, v) => (atom(k), *v).words(s),
            Counter::Atom(k, v) => (atom(k), atom(v)).words(s),
        }
    }
    fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> S::Raw {
        match self {
            Counter::Num(k, v) => (atom(k), *v).encode(s),
            Counter::Atom(k, v) => (atom(k), atom(v)).encode(s),
        }
    }
}

/// `None` is the atom `undefined`.
impl<T: Encode> Encode for Option<T> {
    fn words<S: Sink + ?Sized>(&self, s: &S) -> usize {
        self.as_ref().map_or(0, |v| v.words(s))
    }
    fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> S::Raw {
        match self {
            Some(v) => v.encode(s),
            None => s.atom("undefined"),
        }
    }
}

/// A list.
impl<T: Encode> Encode for [T] {
    fn words<S: Sink + ?Sized>(&self, s: &S) -> usize {
        self.iter().map(|v| v.words(s) + s.cons_words()).sum()
    }
    fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> S::Raw {
        let mut list = s.nil();
        for v in self.iter().rev() {
            let head = v.encode(s);
            list = s.cons(head, list);
        }
        list
    }
}

impl<T: Encode, const N: usize> Encode for [T; N] {
    fn words<S: Sink + ?Sized>(&self, s: &S) -> usize {
        self.as_slice().words(s)
    }
    fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> S::Raw {
        self.as_slice().encode(s)
    }
}

impl<T: Encode> Encode for alloc::vec::Vec<T> {
    fn words<S: Sink + ?Sized>(&self, s: &S) -> usize {
        self.as_slice().words(s)
    }
    fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> S::Raw {
        self.as_slice().encode(s)
    }
}

macro_rules! encode_tuple {
    ($n:expr; $($name:ident $idx:tt),+) => {
        impl<$($name: Encode),+> Encode for ($($name,)+) {
            fn words<S: Sink + ?Sized>(&self, s: &S) -> usize {
                s.tuple_words($n) $(+ self.$idx.words(s))+
            }
            fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> S::Raw {
                let elements = [$(self.$idx.encode(s)),+];
                s.tuple(&elements)
            }
        }
    };
}
encode_tuple!(1; A 0);
encode_tuple!(2; A 0, B 1);
encode_tuple!(3; A 0, B 1, C 2);
encode_tuple!(4; A 0, B 1, C 2, D 3);
encode_tuple!(5; A 0, B 1, C 2, D 3, E 4);
encode_tuple!(6; A 0, B 1, C 2, D 3, E 4, F 5);
encode_tuple!(7; A 0, B 1, C 2, D 3, E 4, F 5, G 6);
encode_tuple!(8; A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);

/// A term word taken as is (see [`Sink::word`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Word(pub usize);

impl Encode for Word {
    fn words<S: Sink + ?Sized>(&self, _: &S) -> usize {
        0
    }
    fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> S::Raw {
        s.word(self.0)
    }
}

/// `{ok, Value}`.
pub fn ok<T: Encode>(value: T) -> (Atom<'static>, T) {
    (atom("ok"), value)
}

/// `{error, Reason}`.
pub fn error<T: Encode>(reason: T) -> (Atom<'static>, T) {
    (atom("error"), reason)
}
