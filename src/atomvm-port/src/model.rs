// SPDX-License-Identifier: Apache-2.0

//! A model of AtomVM's term store for host tests: terms are indices into a node table, and the
//! heap accounting follows AtomVM's rules for 32- and 64-bit words (which integers are boxed,
//! heap vs reference-counted binaries), so tests can check that [`Encode::words`] predicts
//! exactly what building uses.

use std::string::String;
use std::vec::Vec;

use crate::encode::Sink;
use crate::term::{Backend, Kind};

/// A term of the model.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    /// An atom.
    Atom(String),
    /// An integer that fits i64.
    Int(i64),
    /// An integer beyond i64 (one of u64's, say).
    BigInt(u64),
    /// A binary.
    Binary(Vec<u8>),
    /// A tuple of node indices.
    Tuple(Vec<usize>),
    /// `[]`.
    Nil,
    /// `[H | T]`.
    Cons(usize, usize),
    /// A map of (key, value) node indices.
    Map(Vec<(usize, usize)>),
    /// A pid.
    Pid(u32),
    /// A reference.
    Ref(u64),
    /// A resource reference.
    Resource(usize),
    /// A float, say.
    Other,
}

/// The node table plus heap accounting of a VM with `word_bits`-bit terms.
pub struct Store {
    /// All nodes built so far.
    pub nodes: Vec<Node>,
    word_bits: u32,
    /// Heap words used by building.
    pub used: usize,
}

impl Store {
    /// An empty store of a 32- or 64-bit VM.
    pub fn new(word_bits: u32) -> Self {
        assert!(word_bits == 32 || word_bits == 64);
        Self {
            nodes: Vec::new(),
            word_bits,
            used: 0,
        }
    }

    /// Adds a node without heap accounting (for building test inputs).
    pub fn add(&mut self, n: Node) -> usize {
        self.nodes.push(n);
        self.nodes.len() - 1
    }

    /// Adds a list of nodes.
    pub fn list(&mut self, items: &[usize]) -> usize {
        let mut t = self.add(Node::Nil);
        for &h in items.iter().rev() {
            t = self.add(Node::Cons(h, t));
        }
        t
    }

    /// Adds an atom.
    pub fn atom_node(&mut self, name: &str) -> usize {
        self.add(Node::Atom(name.into()))
    }

    fn word_bytes(&self) -> usize {
        self.word_bits as usize / 8
    }
}

impl<'a> Backend<'a> for &'a Store {
    type Raw = usize;

    fn kind(self, t: usize) -> Kind {
        match self.nodes.get(t) {
            Some(Node::Atom(_)) => Kind::Atom,
            Some(Node::Int(_) | Node::BigInt(_)) => Kind::Integer,
            Some(Node::Binary(_)) => Kind::Binary,
            Some(Node::Tuple(_)) => Kind::Tuple,
            Some(Node::Nil) => Kind::Nil,
            Some(Node::Cons(..)) => Kind::Cons,
            Some(Node::Map(_)) => Kind::Map,
            Some(Node::Pid(_)) => Kind::Pid,
            Some(Node::Ref(_) | Node::Resource(_)) => Kind::Reference,
            Some(Node::Other) | None => Kind::Other,
        }
    }
    fn atom_name(self, t: usize) -> Option<&'a [u8]> {
        match self.nodes.get(t)? {
            Node::Atom(a) => Some(a.as_bytes()),
            _ => None,
        }
    }
    fn integer(self, t: usize) -> Option<i64> {
        match self.nodes.get(t)? {
            Node::Int(i) => Some(*i),
            _ => None,
        }
    }
    fn binary(self, t: usize) -> Option<&'a [u8]> {
        match self.nodes.get(t)? {
            Node::Binary(b) => Some(b),
            _ => None,
        }
    }
    fn tuple_arity(self, t: usize) -> Option<usize> {
        match self.nodes.get(t)? {
            Node::Tuple(e) => Some(e.len()),
            _ => None,
        }
    }
    fn tuple_element(self, t: usize, i: usize) -> Option<usize> {
        match self.nodes.get(t)? {
            Node::Tuple(e) => e.get(i).copied(),
            _ => None,
        }
    }
    fn cons(self, t: usize) -> Option<(usize, usize)> {
        match self.nodes.get(t)? {
            Node::Cons(h, tl) => Some((*h, *tl)),
            _ => None,
        }
    }
    fn map_size(self, t: usize) -> Option<usize> {
        match self.nodes.get(t)? {
            Node::Map(e) => Some(e.len()),
            _ => None,
        }
    }
    fn map_entry(self, t: usize, i: usize) -> Option<(usize, usize)> {
        match self.nodes.get(t)? {
            Node::Map(e) => e.get(i).copied(),
            _ => None,
        }
    }
}

impl Sink for Store {
    type Raw = usize;

    fn int_words(&self, v: i64) -> usize {
        // AtomVM: immediates carry word_bits - 4 bits; a box holds one word (two for i64
        // on 32-bit VMs) plus a header.
        let bits = self.word_bits - 4;
        let (min, max) = (-(1i64 << (bits - 1)), (1i64 << (bits - 1)) - 1);
        if (min..=max).contains(&v) {
            0
        } else if self.word_bits == 32 && i32::try_from(v).is_err() {
            3
        } else {
            2
        }
    }
    fn binary_words(&self, len: usize) -> usize {
        // Heap binaries below REFC_BINARY_MIN bytes (32 on 32-bit, 64 on 64-bit), data
        // rounded up to words plus a 2-word header; larger ones are a 6-word reference.
        let refc_min = if self.word_bits == 32 { 32 } else { 64 };
        if len < refc_min {
            len.div_ceil(self.word_bytes()) + 2
        } else {
            6
        }
    }
    fn atom(&mut self, name: &str) -> usize {
        self.add(Node::Atom(name.into()))
    }
    fn int(&mut self, v: i64) -> usize {
        self.used += self.int_words(v);
        self.add(Node::Int(v))
    }
    fn binary(&mut self, bytes: &[u8]) -> usize {
        self.used += self.binary_words(bytes.len());
        self.add(Node::Binary(bytes.to_vec()))
    }
    fn tuple(&mut self, elements: &[usize]) -> usize {
        self.used += self.tuple_words(elements.len());
        self.add(Node::Tuple(elements.to_vec()))
    }
    fn cons(&mut self, head: usize, tail: usize) -> usize {
        self.used += self.cons_words();
        self.add(Node::Cons(head, tail))
    }
    fn nil(&mut self) -> usize {
        self.add(Node::Nil)
    }
    fn word(&mut self, w: usize) -> usize {
        w
    }
    fn resource_words(&self) -> usize {
        // TERM_BOXED_REFERENCE_RESOURCE_SIZE: header, pointer and the MSO list cell.
        4
    }
    fn resource(&mut self, obj: *mut core::ffi::c_void) -> usize {
        self.used += self.resource_words();
        self.add(Node::Resource(obj as usize))
    }
    fn big_uint_words(&self) -> usize {
        // Two 32-bit digits, padded to more words than a boxed int64 takes, plus a header.
        if self.word_bits == 32 {
            4
        } else {
            3
        }
    }
    fn big_uint(&mut self, v: u64) -> usize {
        self.used += self.big_uint_words();
        self.add(Node::BigInt(v))
    }
    fn reference_words(&self) -> usize {
        // REF_SIZE: a header and the 64-bit number (two words on 32-bit VMs).
        1 + 64 / self.word_bits as usize
    }
    fn reference(&mut self, ticks: u64) -> usize {
        self.used += self.reference_words();
        self.add(Node::Ref(ticks))
    }
}
