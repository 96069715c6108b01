// SPDX-License-Identifier: Apache-2.0

//! Host tests of decoding, gen_call parsing and two-pass encoding against the model store.

use std::string::ToString;
use std::vec;
use std::vec::Vec;

use proptest::prelude::*;

use crate::encode::{self, atom, Binary, Encode, Word};
use crate::model::{Node, Store};
use crate::{Error, GenCall, Kind, Request, Term};

fn term(s: &Store, raw: usize) -> Term<'_, &Store> {
    Term::new(s, raw)
}

#[test]
fn integers_are_range_checked_into_the_type_asked_for() {
    let mut s = Store::new(32);
    let big = s.add(Node::Int(300));
    let neg = s.add(Node::Int(-1));
    let huge = s.add(Node::BigInt(u64::MAX));
    let a = s.atom_node("x");
    assert_eq!(term(&s, big).int::<u16>(), Ok(300));
    assert_eq!(term(&s, big).int::<u8>(), Err(Error::OUT_OF_RANGE));
    assert_eq!(term(&s, neg).int::<u32>(), Err(Error::OUT_OF_RANGE));
    assert_eq!(term(&s, neg).int::<i8>(), Ok(-1));
    assert_eq!(term(&s, huge).int::<i64>(), Err(Error::OUT_OF_RANGE));
    assert_eq!(term(&s, a).int::<i64>(), Err(Error::BADARG));
    assert_eq!(term(&s, big).int_in(0u16..=255), Err(Error::OUT_OF_RANGE));
    assert_eq!(term(&s, big).int_in(0u16..=300), Ok(300));
}

#[test]
fn atoms_binaries_and_booleans() {
    let mut s = Store::new(64);
    let t = s.atom_node("true");
    let f = s.atom_node("false");
    let other = s.atom_node("maybe");
    let bin = s.add(Node::Binary(b"abc".to_vec()));
    assert!(term(&s, t).is_atom("true"));
    assert!(!term(&s, bin).is_atom("abc"));
    assert_eq!(term(&s, t).bool(), Ok(true));
    assert_eq!(term(&s, f).bool(), Ok(false));
    assert_eq!(term(&s, other).bool(), Err(Error::BADARG));
    assert_eq!(term(&s, bin).binary(), Ok(&b"abc"[..]));
    assert_eq!(term(&s, t).binary(), Err(Error::BADARG));
    assert_eq!(term(&s, bin).atom(), Err(Error::BADARG));
}

#[test]
fn tuples_have_checked_arity_and_bounds() {
    let mut s = Store::new(64);
    let a = s.atom_node("a");
    let one = s.add(Node::Int(1));
    let t = s.add(Node::Tuple(vec![a, one]));
    let tt = term(&s, t);
    let [x, y] = tt.tuple_n::<2>().expect("pair");
    assert!(x.is_atom("a"));
    assert_eq!(y.int::<i32>(), Ok(1));
    assert!(tt.tuple_n::<3>().is_err());
    assert_eq!(tt.tuple().map(|t| t.arity()), Ok(2));
    assert_eq!(tt.tuple().and_then(|t| t.get(2)).err(), Some(Error::BADARG));
    assert!(term(&s, a).tuple().is_err());
}

#[test]
fn lists_iterate_and_reject_improper_tails() {
    let mut s = Store::new(32);
    let items: Vec<usize> = (1..=3).map(|i| s.add(Node::Int(i))).collect();
    let l = s.list(&items);
    let got: Result<Vec<i32>, Error> = term(&s, l)
        .list()
        .expect("list")
        .map(|t| t.and_then(|t| t.int()))
        .collect();
    assert_eq!(got, Ok(vec![1, 2, 3]));

    let h = s.add(Node::Int(9));
    let tail = s.atom_node("oops");
    let improper = s.add(Node::Cons(h, tail));
    let got: Vec<_> = term(&s, improper).list().expect("cons").collect();
    assert_eq!(got.len(), 2);
    assert!(got[0].is_ok());
    assert_eq!(got[1].err(), Some(Error::BADARG));
    assert!(term(&s, h).list().is_err());
}

#[test]
fn options_from_proplists_and_maps() {
    let mut s = Store::new(64);
    let width = s.atom_node("width");
    let v = s.add(Node::Int(320));
    let pair = s.add(Node::Tuple(vec![width, v]));
    let flag = s.atom_node("mirror");
    let v2 = s.add(Node::Int(1));
    let width2 = s.atom_node("width");
    let later = s.add(Node::Tuple(vec![width2, v2]));
    let props = s.list(&[pair, flag, later]);

    let o = term(&s, props).options().expect("proplist");
    assert_eq!(
        o.value_or("width", 0u16, |t| t.int()),
        Ok(320),
        "first wins"
    );
    assert_eq!(o.value_or("height", 240u16, |t| t.int()), Ok(240));
    assert_eq!(o.flag("mirror", false), Ok(true));
    assert_eq!(o.flag("other", false), Ok(false));
    assert_eq!(
        o.value_or("width", 0u8, |t| t.int()),
        Err(Error::with("out_of_range", "width"))
    );
    assert_eq!(o.only(&["width", "mirror"]), Ok(()));
    assert_eq!(o.only(&["width"]), Err(Error::new("unknown_option")));

    let k = s.atom_node("depth");
    let d = s.add(Node::Int(16));
    let m = s.add(Node::Map(vec![(k, d)]));
    let o = term(&s, m).options().expect("map");
    assert_eq!(o.value_or("depth", 0u8, |t| t.int()), Ok(16));
    assert_eq!(o.only(&["width"]), Err(Error::new("unknown_option")));
    assert_eq!(term(&s, m).map_get("nope").map(|v| v.is_some()), Ok(false));

    // A list entry that is neither an atom nor a pair makes the options invalid.
    let bad_entry = s.add(Node::Int(5));
    let bad = s.list(&[pair, bad_entry]);
    assert_eq!(term(&s, bad).options().err(), Some(Error::BADARG));
    let bad_tuple = s.add(Node::Tuple(vec![v, v]));
    let bad = s.list(&[bad_tuple]);
    assert_eq!(term(&s, bad).options().err(), Some(Error::BADARG));
    assert_eq!(term(&s, v).options().err(), Some(Error::BADARG));
}

fn gen_call(s: &mut Store, request: usize) -> usize {
    let tag = s.atom_node("$call");
    let pid = s.add(Node::Pid(7));
    let r = s.add(Node::Ref(42));
    let from = s.add(Node::Tuple(vec![pid, r]));
    s.add(Node::Tuple(vec![tag, from, request]))
}

#[test]
fn gen_call_parsing_accepts_only_the_documented_shape() {
    let mut s = Store::new(32);
    let req = s.atom_node("get_config");
    let msg = gen_call(&mut s, req);
    let call = GenCall::parse(term(&s, msg)).expect("gen_call");
    assert_eq!(call.pid.kind(), Kind::Pid);
    assert_eq!(call.reference.kind(), Kind::Reference);
    assert!(call.request.is_atom("get_config"));

    // Wrong tag, pid or ref position, arity, or not a tuple at all.
    let cast = s.atom_node("$gen_cast");
    let pid = s.add(Node::Pid(1));
    let r = s.add(Node::Ref(1));
    let from = s.add(Node::Tuple(vec![pid, r]));
    let swapped = s.add(Node::Tuple(vec![r, pid]));
    let call_tag = s.atom_node("$call");
    for bad in [
        s.add(Node::Tuple(vec![cast, from, req])),
        s.add(Node::Tuple(vec![call_tag, swapped, req])),
        s.add(Node::Tuple(vec![call_tag, from])),
        req,
    ] {
        assert!(
            GenCall::parse(term(&s, bad)).is_none(),
            "{:?}",
            s.nodes[bad]
        );
    }
}

#[test]
fn requests_split_into_command_and_arguments() {
    let mut s = Store::new(64);
    let cmd = s.atom_node("set_backlight");
    let level = s.add(Node::Int(128));
    let req = s.add(Node::Tuple(vec![cmd, level]));
    let r = Request::parse(term(&s, req)).expect("request");
    assert!(r.is("set_backlight"));
    assert_eq!(r.argc(), 1);
    let [l] = r.args::<1>().expect("one argument");
    assert_eq!(l.int::<u8>(), Ok(128));
    assert_eq!(r.args::<2>().err(), Some(Error::BADARG));

    let bare = Request::parse(term(&s, cmd)).expect("atom request");
    assert_eq!(bare.args::<0>().map(|a| a.len()), Ok(0));
    assert_eq!(bare.args::<1>().err(), Some(Error::BADARG));

    let not_cmd = s.add(Node::Tuple(vec![level, cmd]));
    assert_eq!(Request::parse(term(&s, not_cmd)).err(), Some(Error::BADARG));
    assert_eq!(Request::parse(term(&s, level)).err(), Some(Error::BADARG));
    let empty = s.add(Node::Tuple(vec![]));
    assert_eq!(Request::parse(term(&s, empty)).err(), Some(Error::BADARG));
}

/// Encodes `v`, checks that building used exactly the predicted words, and returns the root.
fn build<T: Encode + ?Sized>(s: &mut Store, v: &T) -> usize {
    let predicted = v.words(&*s);
    let before = s.used;
    let root = v.encode(s);
    assert_eq!(s.used - before, predicted, "words() must match building");
    root
}

#[test]
fn replies_are_sized_exactly_on_32_and_64_bit() {
    for bits in [32, 64] {
        let mut s = Store::new(bits);
        let big_bin = [7u8; 100];
        build(&mut s, &encode::ok((1u8, -5i64, i64::MAX, i64::MIN)));
        build(
            &mut s,
            &(
                atom("config"),
                320u16,
                240u16,
                16u8,
                atom("portrait"),
                255u8,
            ),
        );
        build(&mut s, &[(1u32, 2u32), (3, 4)]);
        build(&mut s, &(Binary(b"short"), Binary(&big_bin), Binary(b"")));
        build(&mut s, &(Some(1u8), None::<u8>, true, ()));
        build(&mut s, &encode::error(Error::with("out_of_range", "level")));
        build(&mut s, &(1i64 << 27, 1i64 << 31, u32::MAX, -(1i64 << 59)));
    }
}

#[test]
fn counters_are_name_value_pairs() {
    use crate::Counter;
    let mut s = Store::new(32);
    let list = [
        Counter::num("played", 7u32),
        Counter::num("big", 1i64 << 40),
        Counter::Atom("state", "running"),
    ];
    let root = build(&mut s, &list[..]);
    let items: Vec<_> = term(&s, root)
        .list()
        .expect("a list")
        .map(|e| e.and_then(|e| e.tuple_n::<2>()).expect("pairs"))
        .collect();
    assert_eq!(items.len(), 3);
    assert!(items[0][0].is_atom("played"));
    assert_eq!(items[0][1].int::<u32>(), Ok(7));
    assert!(items[1][0].is_atom("big"));
    assert_eq!(items[1][1].int::<i64>(), Ok(1 << 40));
    assert!(items[2][0].is_atom("state"));
    assert!(items[2][1].is_atom("running"));
}

#[test]
fn integer_boxing_follows_the_word_size() {
    let s32 = Store::new(32);
    let s64 = Store::new(64);
    use crate::Sink;
    assert_eq!(s32.int_words((1 << 27) - 1), 0);
    assert_eq!(s32.int_words(1 << 27), 2);
    assert_eq!(s32.int_words(1 << 40), 3);
    assert_eq!(s64.int_words(1 << 40), 0);
    assert_eq!(s64.int_words(i64::MAX), 2);
}

#[test]
fn error_reasons_encode_as_atom_or_pair() {
    let mut s = Store::new(64);
    let root = build(&mut s, &encode::error(Error::BADARG));
    let t = term(&s, root);
    let [e, r] = t.tuple_n::<2>().expect("pair");
    assert!(e.is_atom("error") && r.is_atom("badarg"));

    let root = build(&mut s, &Error::with("unknown_option", "speed"));
    let [r, d] = term(&s, root).tuple_n::<2>().expect("pair");
    assert!(r.is_atom("unknown_option") && d.is_atom("speed"));
    assert_eq!(Error::BADARG.at("x").at("y"), Error::with("badarg", "x"));
    assert_eq!(Error::with("a", "b").to_string(), "{a, b}");
}

#[test]
fn raw_words_and_resources_pass_through() {
    let mut s = Store::new(32);
    let r = s.add(Node::Ref(9));
    let mut x = 5u32;
    let obj = (&mut x as *mut u32).cast();
    struct Res(*mut core::ffi::c_void);
    impl Encode for Res {
        fn words<S: crate::Sink + ?Sized>(&self, s: &S) -> usize {
            s.resource_words()
        }
        fn encode<S: crate::Sink + ?Sized>(&self, s: &mut S) -> S::Raw {
            s.resource(self.0)
        }
    }
    let root = build(&mut s, &(Word(r), Res(obj)));
    let [a, b] = term(&s, root).tuple_n::<2>().expect("pair");
    assert_eq!(a.raw(), r);
    assert_eq!(s.nodes[b.raw()], Node::Resource(obj as usize));
}

#[test]
fn references_keep_their_number_and_size_by_word() {
    for (bits, words) in [(32, 3), (64, 2)] {
        let mut s = Store::new(bits);
        let before = s.used;
        let root = build(
            &mut s,
            &(atom("spi_done"), crate::Reference(u64::MAX - 1), 7u8),
        );
        assert_eq!(
            s.used - before,
            4 + words,
            "a 3-tuple (4 words) and the reference"
        );
        let [_, r, _] = term(&s, root).tuple_n::<3>().expect("triple");
        assert_eq!(s.nodes[r.raw()], Node::Ref(u64::MAX - 1));
    }
}

#[test]
fn all_of_u64_encodes_bignums_above_i64_max() {
    for (bits, big) in [(32, 4), (64, 3)] {
        let mut s = Store::new(bits);
        let before = s.used;
        let root = build(&mut s, &(1u64 << 63, i64::MAX as u64, u64::MAX));
        let [a, b, c] = term(&s, root).tuple_n::<3>().expect("triple");
        assert_eq!(s.nodes[a.raw()], Node::BigInt(1 << 63));
        assert_eq!(b.int::<i64>(), Ok(i64::MAX));
        assert_eq!(s.nodes[c.raw()], Node::BigInt(u64::MAX));
        let boxed = crate::Sink::int_words(&s, i64::MAX);
        assert_eq!(s.used - before, 4 + 2 * big + boxed);
    }
}

/// A value tree for the property test.
#[derive(Clone, Debug)]
enum V {
    Int(i64),
    Atom(&'static str),
    Bin(Vec<u8>),
    Tuple(Vec<V>),
    List(Vec<V>),
}

impl Encode for V {
    fn words<S: crate::Sink + ?Sized>(&self, s: &S) -> usize {
        match self {
            V::Int(i) => i.words(s),
            V::Atom(a) => atom(a).words(s),
            V::Bin(b) => Binary(b).words(s),
            V::Tuple(e) => s.tuple_words(e.len()) + e.iter().map(|v| v.words(s)).sum::<usize>(),
            V::List(e) => e.as_slice().words(s),
        }
    }
    fn encode<S: crate::Sink + ?Sized>(&self, s: &mut S) -> S::Raw {
        match self {
            V::Int(i) => i.encode(s),
            V::Atom(a) => atom(a).encode(s),
            V::Bin(b) => Binary(b).encode(s),
            V::Tuple(e) => {
                let els: Vec<_> = e.iter().map(|v| v.encode(s)).collect();
                s.tuple(&els)
            }
            V::List(e) => e.as_slice().encode(s),
        }
    }
}

fn same<'a>(t: Term<'a, &'a Store>, v: &V) -> bool {
    match v {
        V::Int(i) => t.int::<i64>() == Ok(*i),
        V::Atom(a) => t.is_atom(a),
        V::Bin(b) => t.binary() == Ok(b.as_slice()),
        V::Tuple(e) => t.tuple().is_ok_and(|tu| {
            tu.arity() == e.len()
                && e.iter()
                    .enumerate()
                    .all(|(i, v)| tu.get(i).is_ok_and(|x| same(x, v)))
        }),
        V::List(e) => t.list().is_ok_and(|l| {
            let items: Vec<_> = l.collect();
            items.len() == e.len()
                && items
                    .iter()
                    .zip(e)
                    .all(|(x, v)| x.is_ok_and(|x| same(x, v)))
        }),
    }
}

fn value() -> impl Strategy<Value = V> {
    let leaf = prop_oneof![
        any::<i64>().prop_map(V::Int),
        (-200i64..200).prop_map(V::Int),
        prop_oneof![Just("ok"), Just("error"), Just("touch")].prop_map(V::Atom),
        proptest::collection::vec(any::<u8>(), 0..80).prop_map(V::Bin),
    ];
    leaf.prop_recursive(3, 24, 5, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..5).prop_map(V::Tuple),
            proptest::collection::vec(inner, 0..5).prop_map(V::List),
        ]
    })
}

proptest! {
    #[test]
    fn any_value_is_sized_exactly_and_reads_back(v in value(), wide in any::<bool>()) {
        let mut s = Store::new(if wide { 64 } else { 32 });
        let root = build(&mut s, &v);
        prop_assert!(same(term(&s, root), &v));
    }

    #[test]
    fn decoding_arbitrary_stores_never_panics(nodes in proptest::collection::vec(0usize..12, 1..30), seed in any::<u64>()) {
        // Random node graphs with dangling indices: every accessor must answer with a value or
        // an error. References point to earlier nodes (or past the end), as on a real heap,
        // where terms cannot be cyclic.
        let mut s = Store::new(64);
        let n = nodes.len();
        for (i, k) in nodes.iter().enumerate() {
            // An earlier node, or one past the end of the store (dangling).
            let r = match (seed as usize).wrapping_mul(i + 1) % (i + 1) {
                x if x == i => n + 1,
                x => x,
            };
            // A list tail must be strictly earlier, or the list would loop.
            let tail = if i == 0 { n + 1 } else { (seed as usize >> 3).wrapping_add(i) % i };
            s.add(match k {
                0 => Node::Atom("a".into()),
                1 => Node::Int(i as i64),
                2 => Node::BigInt(u64::MAX),
                3 => Node::Binary(vec![1, 2]),
                4 => Node::Tuple(vec![r, n + 1]),
                5 => Node::Nil,
                6 => Node::Cons(r, tail),
                7 => Node::Map(vec![(r, tail)]),
                8 => Node::Pid(1),
                9 => Node::Ref(2),
                10 => Node::Tuple(vec![]),
                _ => Node::Other,
            });
        }
        for i in 0..n + 2 {
            let t = term(&s, i);
            let _ = (t.int::<u8>(), t.atom(), t.binary(), t.bool(), t.tuple_n::<2>(), t.map_get("a"));
            if let Ok(l) = t.list() { prop_assert!(l.count() <= n + 2); }
            if let Ok(o) = t.options() { let _ = (o.get("a"), o.only(&["a"]), o.flag("a", false)); }
            let _ = GenCall::parse(t);
            let _ = Request::parse(t).and_then(|r| r.args::<1>());
        }
    }
}
