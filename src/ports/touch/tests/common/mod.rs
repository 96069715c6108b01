//! Frame builders and a term model shared by the test crates.
#![allow(dead_code)] // each test crate uses a different subset

use atomvm_port::encode::{Encode, Sink};
use ft5x06::{parse, Event, Frame, Variant};

/// One point of a frame: flag, ID, controller X and Y, weight.
pub type Pt = (Event, u8, u16, u16, u8);

/// The frame an FT5x06 reports with `points` in its slots (through the real parser).
pub fn frame(points: &[Pt]) -> Frame {
    let mut b = vec![0x00, 0x00, points.len() as u8];
    for &(event, id, x, y, weight) in points {
        let bits = match event {
            Event::Down => 0,
            Event::Up => 1,
            Event::Contact => 2,
            Event::NoEvent => 3,
        };
        b.extend_from_slice(&[
            bits << 6 | (x >> 8) as u8,
            x as u8,
            id << 4 | (y >> 8) as u8,
            y as u8,
            weight,
            0,
        ]);
    }
    b.resize(Variant::Ft5x06.burst_len(), 0xFF);
    parse(&b, Variant::Ft5x06).expect("test frame must parse")
}

/// A decoded term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum T {
    Atom(String),
    Int(i64),
    Tuple(Vec<T>),
    List(Vec<T>),
}

pub fn a(name: &str) -> T {
    T::Atom(name.to_string())
}

pub fn i(v: i64) -> T {
    T::Int(v)
}

#[derive(Debug, Clone)]
enum Node {
    Atom(String),
    Int(i64),
    Tuple(Vec<usize>),
    Cons(usize, usize),
    Nil,
}

/// A term store modelled on a 32-bit VM: integers beyond 28 bits take 3 heap words.
#[derive(Default)]
pub struct Model {
    nodes: Vec<Node>,
    pub heap_used: usize,
}

impl Model {
    fn add(&mut self, n: Node) -> usize {
        self.nodes.push(n);
        self.nodes.len() - 1
    }

    fn get(&self, r: usize) -> T {
        match &self.nodes[r] {
            Node::Atom(s) => T::Atom(s.clone()),
            Node::Int(v) => T::Int(*v),
            Node::Tuple(es) => T::Tuple(es.iter().map(|&e| self.get(e)).collect()),
            Node::Nil => T::List(vec![]),
            Node::Cons(h, t) => {
                let mut items = vec![self.get(*h)];
                match self.get(*t) {
                    T::List(rest) => items.extend(rest),
                    other => panic!("improper list tail {other:?}"),
                }
                T::List(items)
            }
        }
    }
}

impl Sink for Model {
    type Raw = usize;
    fn int_words(&self, v: i64) -> usize {
        if (-(1 << 27)..(1 << 27)).contains(&v) {
            0
        } else {
            3
        }
    }
    fn binary_words(&self, len: usize) -> usize {
        2 + len.div_ceil(4)
    }
    fn atom(&mut self, name: &str) -> usize {
        self.add(Node::Atom(name.to_string()))
    }
    fn int(&mut self, v: i64) -> usize {
        self.heap_used += self.int_words(v);
        self.add(Node::Int(v))
    }
    fn binary(&mut self, _: &[u8]) -> usize {
        unimplemented!("no binaries in touch terms")
    }
    fn tuple(&mut self, elements: &[usize]) -> usize {
        self.heap_used += self.tuple_words(elements.len());
        self.add(Node::Tuple(elements.to_vec()))
    }
    fn cons(&mut self, head: usize, tail: usize) -> usize {
        self.heap_used += self.cons_words();
        self.add(Node::Cons(head, tail))
    }
    fn nil(&mut self) -> usize {
        self.add(Node::Nil)
    }
    fn word(&mut self, _: usize) -> usize {
        unimplemented!("no raw words in touch terms")
    }
    fn resource_words(&self) -> usize {
        3
    }
    fn resource(&mut self, _: *mut core::ffi::c_void) -> usize {
        unimplemented!("no resources in touch terms")
    }
    fn big_uint_words(&self) -> usize {
        3
    }
    fn big_uint(&mut self, _: u64) -> usize {
        unimplemented!("no bignums in touch terms")
    }
    fn reference_words(&self) -> usize {
        2
    }
    fn reference(&mut self, _: u64) -> usize {
        unimplemented!("no references in touch terms")
    }
}

/// Encodes `v`, checking that it wrote exactly the heap words it announced.
pub fn encode(v: &impl Encode) -> T {
    let mut m = Model::default();
    let words = v.words(&m);
    let r = v.encode(&mut m);
    assert_eq!(
        m.heap_used, words,
        "Encode::words must match what encode writes"
    );
    m.get(r)
}
