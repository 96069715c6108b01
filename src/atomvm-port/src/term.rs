// SPDX-License-Identifier: Apache-2.0

//! Reading terms.
//!
//! [`Backend`] is the handful of primitive questions a term store answers (what kind is this
//! term, the elements of a tuple, ...); AtomVM answers them in `vm`, a model of the store does
//! in host tests. [`Term`] builds the checked decoding ports use on top of them: every
//! accessor returns `Result<_, Error>`, never panics, and integers are range-checked into the
//! Rust type asked for.

use core::ops::RangeInclusive;

use crate::error::Error;

/// What a term is, as far as ports care.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// An atom.
    Atom,
    /// An integer of any size.
    Integer,
    /// A binary (byte-aligned bitstring).
    Binary,
    /// A tuple.
    Tuple,
    /// The empty list.
    Nil,
    /// A non-empty list cell.
    Cons,
    /// A map.
    Map,
    /// A local or external pid.
    Pid,
    /// A reference (including resource references).
    Reference,
    /// Anything else (floats, funs, ports, bitstrings that are not binaries).
    Other,
}

/// The primitive questions a term store answers. `'a` is how long the terms and the data they
/// point to (atom names, binary bytes) stay valid: for a port, the message being handled.
pub trait Backend<'a>: Copy {
    /// The store's term word.
    type Raw: Copy + PartialEq + core::fmt::Debug;

    /// The kind of `t`.
    fn kind(self, t: Self::Raw) -> Kind;
    /// The name of an atom.
    fn atom_name(self, t: Self::Raw) -> Option<&'a [u8]>;
    /// The value of an integer when it fits in an `i64`.
    fn integer(self, t: Self::Raw) -> Option<i64>;
    /// The bytes of a binary.
    fn binary(self, t: Self::Raw) -> Option<&'a [u8]>;
    /// The arity of a tuple.
    fn tuple_arity(self, t: Self::Raw) -> Option<usize>;
    /// Element `i` (0-based) of a tuple.
    fn tuple_element(self, t: Self::Raw, i: usize) -> Option<Self::Raw>;
    /// Head and tail of a non-empty list.
    fn cons(self, t: Self::Raw) -> Option<(Self::Raw, Self::Raw)>;
    /// Number of entries of a map.
    fn map_size(self, t: Self::Raw) -> Option<usize>;
    /// Entry `i` (key, value) of a map.
    fn map_entry(self, t: Self::Raw, i: usize) -> Option<(Self::Raw, Self::Raw)>;
}

/// A term of a [`Backend`], with checked accessors.
#[derive(Clone, Copy, Debug)]
pub struct Term<'a, B: Backend<'a>> {
    backend: B,
    raw: B::Raw,
    _data: core::marker::PhantomData<&'a ()>,
}

impl<'a, B: Backend<'a>> PartialEq for Term<'a, B> {
    fn eq(&self, other: &Self) -> bool {
        self.raw == other.raw
    }
}

impl<'a, B: Backend<'a>> Term<'a, B> {
    /// Wraps a term word of `backend`.
    pub fn new(backend: B, raw: B::Raw) -> Self {
        Self {
            backend,
            raw,
            _data: core::marker::PhantomData,
        }
    }

    fn wrap(&self, raw: B::Raw) -> Self {
        Self::new(self.backend, raw)
    }

    /// The term word, e.g. to pass a reference through into a reply unchanged.
    pub fn raw(&self) -> B::Raw {
        self.raw
    }

    /// The store this term belongs to.
    pub fn backend(&self) -> B {
        self.backend
    }

    /// What kind of term this is.
    pub fn kind(&self) -> Kind {
        self.backend.kind(self.raw)
    }

    /// The atom's name (UTF-8 or Latin-1 bytes as the VM stores them).
    pub fn atom(&self) -> Result<&'a [u8], Error> {
        self.backend.atom_name(self.raw).ok_or(Error::BADARG)
    }

    /// Whether this is the atom `name`.
    pub fn is_atom(&self, name: &str) -> bool {
        self.backend
            .atom_name(self.raw)
            .is_some_and(|n| n == name.as_bytes())
    }

    /// The atom `true` or `false`.
    pub fn bool(&self) -> Result<bool, Error> {
        if self.is_atom("true") {
            Ok(true)
        } else if self.is_atom("false") {
            Ok(false)
        } else {
            Err(Error::BADARG)
        }
    }

    /// An integer converted to `T`: `badarg` if it is not an integer, `out_of_range` if it
    /// does not fit `T`.
    pub fn int<T: TryFrom<i64>>(&self) -> Result<T, Error> {
        let v = self.backend.integer(self.raw).ok_or_else(|| {
            if self.kind() == Kind::Integer {
                // A bignum: an integer, but outside every range a port accepts.
                Error::OUT_OF_RANGE
            } else {
                Error::BADARG
            }
        })?;
        T::try_from(v).map_err(|_| Error::OUT_OF_RANGE)
    }

    /// An integer within `range` (inclusive), else `out_of_range`.
    pub fn int_in<T>(&self, range: RangeInclusive<T>) -> Result<T, Error>
    where
        T: TryFrom<i64> + PartialOrd,
    {
        let v: T = self.int()?;
        if range.contains(&v) {
            Ok(v)
        } else {
            Err(Error::OUT_OF_RANGE)
        }
    }

    /// The bytes of a binary.
    pub fn binary(&self) -> Result<&'a [u8], Error> {
        self.backend.binary(self.raw).ok_or(Error::BADARG)
    }

    /// A tuple of any arity.
    pub fn tuple(&self) -> Result<Tuple<'a, B>, Error> {
        let arity = self.backend.tuple_arity(self.raw).ok_or(Error::BADARG)?;
        Ok(Tuple { term: *self, arity })
    }

    /// A tuple of exactly `N` elements, as an array.
    pub fn tuple_n<const N: usize>(&self) -> Result<[Self; N], Error> {
        let t = self.tuple()?;
        if t.arity != N {
            return Err(Error::BADARG);
        }
        let mut out = [*self; N];
        for (i, slot) in out.iter_mut().enumerate() {
            *slot = t.get(i)?;
        }
        Ok(out)
    }

    /// A proper list, element by element. An improper tail yields `Err(badarg)` last.
    pub fn list(&self) -> Result<List<'a, B>, Error> {
        match self.kind() {
            Kind::Nil | Kind::Cons => Ok(List { rest: Some(*self) }),
            _ => Err(Error::BADARG),
        }
    }

    /// The value of atom key `key` in a map (`Ok(None)` when absent).
    pub fn map_get(&self, key: &str) -> Result<Option<Self>, Error> {
        let n = self.backend.map_size(self.raw).ok_or(Error::BADARG)?;
        for i in 0..n {
            let (k, v) = self.backend.map_entry(self.raw, i).ok_or(Error::BADARG)?;
            if self.wrap(k).is_atom(key) {
                return Ok(Some(self.wrap(v)));
            }
        }
        Ok(None)
    }

    /// Options given as a proplist (`[{Key, Value} | Key]`) or as a map with atom keys.
    pub fn options(&self) -> Result<Options<'a, B>, Error> {
        match self.kind() {
            Kind::Map => Ok(Options { term: *self }),
            Kind::Nil | Kind::Cons => {
                // Validate the whole list once so lookups cannot meet a bad entry.
                for item in self.list()? {
                    option_entry(item?)?;
                }
                Ok(Options { term: *self })
            }
            _ => Err(Error::BADARG),
        }
    }
}

/// A tuple's elements.
#[derive(Clone, Copy, Debug)]
pub struct Tuple<'a, B: Backend<'a>> {
    term: Term<'a, B>,
    arity: usize,
}

impl<'a, B: Backend<'a>> Tuple<'a, B> {
    /// Number of elements.
    pub fn arity(&self) -> usize {
        self.arity
    }

    /// Element `i` (0-based), `badarg` when out of bounds.
    pub fn get(&self, i: usize) -> Result<Term<'a, B>, Error> {
        if i >= self.arity {
            return Err(Error::BADARG);
        }
        let raw = self
            .term
            .backend
            .tuple_element(self.term.raw, i)
            .ok_or(Error::BADARG)?;
        Ok(self.term.wrap(raw))
    }
}

/// Iterator over a list's elements; an improper tail ends it with `Err(badarg)`.
#[derive(Clone, Copy, Debug)]
pub struct List<'a, B: Backend<'a>> {
    rest: Option<Term<'a, B>>,
}

impl<'a, B: Backend<'a>> Iterator for List<'a, B> {
    type Item = Result<Term<'a, B>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let t = self.rest.take()?;
        match t.kind() {
            Kind::Nil => None,
            Kind::Cons => match t.backend.cons(t.raw) {
                Some((h, tail)) => {
                    self.rest = Some(t.wrap(tail));
                    Some(Ok(t.wrap(h)))
                }
                None => Some(Err(Error::BADARG)),
            },
            _ => Some(Err(Error::BADARG)),
        }
    }
}

/// `{Key, Value}` or a bare atom `Key` (meaning `{Key, true}`); the value is `None` for the
/// bare form.
fn option_entry<'a, B: Backend<'a>>(
    item: Term<'a, B>,
) -> Result<(Term<'a, B>, Option<Term<'a, B>>), Error> {
    match item.kind() {
        Kind::Atom => Ok((item, None)),
        Kind::Tuple => {
            let [k, v] = item.tuple_n::<2>()?;
            k.atom()?;
            Ok((k, Some(v)))
        }
        _ => Err(Error::BADARG),
    }
}

/// Validated options (proplist or map); see [`Term::options`].
#[derive(Clone, Copy, Debug)]
pub struct Options<'a, B: Backend<'a>> {
    term: Term<'a, B>,
}

/// An option's value: present as `{Key, V}` / `#{Key => V}`, or the bare atom `Key`.
#[derive(Clone, Copy, Debug)]
pub enum OptValue<'a, B: Backend<'a>> {
    /// `{Key, V}` or `#{Key => V}`.
    Value(Term<'a, B>),
    /// A bare `Key` in a proplist.
    Flag,
}

impl<'a, B: Backend<'a>> Options<'a, B> {
    /// The first value given for `key` (proplist semantics: first wins).
    pub fn get(&self, key: &str) -> Option<OptValue<'a, B>> {
        if self.term.kind() == Kind::Map {
            return self.term.map_get(key).ok().flatten().map(OptValue::Value);
        }
        for item in self.term.list().ok()? {
            // Entries were validated by Term::options.
            let (k, v) = option_entry(item.ok()?).ok()?;
            if k.is_atom(key) {
                return Some(v.map_or(OptValue::Flag, OptValue::Value));
            }
        }
        None
    }

    /// The value of `key` decoded by `f`, or `default` when absent. Errors carry the key.
    pub fn value_or<T>(
        &self,
        key: &'static str,
        default: T,
        f: impl FnOnce(Term<'a, B>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        match self.get(key) {
            None => Ok(default),
            Some(OptValue::Value(v)) => f(v).map_err(|e| e.at(key)),
            Some(OptValue::Flag) => Err(Error::BADARG.at(key)),
        }
    }

    /// A boolean option: `Key`, `{Key, true|false}`, or `default`.
    pub fn flag(&self, key: &'static str, default: bool) -> Result<bool, Error> {
        match self.get(key) {
            None => Ok(default),
            Some(OptValue::Flag) => Ok(true),
            Some(OptValue::Value(v)) => v.bool().map_err(|e| e.at(key)),
        }
    }

    /// Rejects keys outside `known` with `{unknown_option, Key}` (`Key` as given: the
    /// first unknown one, or `badarg` if its name cannot be echoed back).
    pub fn only(&self, known: &'static [&'static str]) -> Result<(), Error> {
        let check = |k: Term<'a, B>| -> Result<(), Error> {
            let name = k.atom()?;
            match known.iter().find(|n| n.as_bytes() == name) {
                Some(_) => Ok(()),
                None => Err(Error::new("unknown_option")),
            }
        };
        if self.term.kind() == Kind::Map {
            let b = self.term.backend;
            let n = b.map_size(self.term.raw).ok_or(Error::BADARG)?;
            for i in 0..n {
                let (k, _) = b.map_entry(self.term.raw, i).ok_or(Error::BADARG)?;
                check(self.term.wrap(k))?;
            }
            return Ok(());
        }
        for item in self.term.list()? {
            check(option_entry(item?)?.0)?;
        }
        Ok(())
    }
}
