// SPDX-License-Identifier: Apache-2.0

//! A reply owed to a caller, answered exactly once: by the port, or with `{error, closed}`
//! when the port lets it go (its state dropped on close, kill or VM stop).
//!
//! [`Owed`] is the pure rule; `vm::Deferred` binds it to a gen_call taken out of the port's
//! mailbox. The rule, tested on the host with a recording [`Answer`]:
//! - [`Owed::reply`] sends the value once; a value that cannot be sent (no memory) is
//!   replaced by `{error, no_memory}`, so the caller is not left waiting;
//! - an `Owed` dropped unanswered sends `{error, closed}`;
//! - either way the request is released exactly once, after the last send (the reply may
//!   quote the request, e.g. the caller's reference).

use crate::encode::{error, Encode};
use crate::error::Error;

/// What an [`Owed`] reply needs from where the request lives.
pub trait Answer {
    /// Sends `{Ref, value}` to the caller; `no_memory` when it cannot be built.
    fn send<T: Encode + ?Sized>(&mut self, value: &T) -> Result<(), Error>;
    /// Frees the request (called once, last).
    fn release(&mut self);
}

/// A reply owed to a caller; see the [module](self).
pub struct Owed<A: Answer> {
    answer: A,
    answered: bool,
}

impl<A: Answer> Owed<A> {
    /// A reply still owed for the request `answer` holds.
    pub fn new(answer: A) -> Self {
        Self {
            answer,
            answered: false,
        }
    }

    /// Where the request lives (to read it again).
    pub fn get(&self) -> &A {
        &self.answer
    }

    /// Sends `{Ref, value}` and releases the request. On failure the caller gets
    /// `{error, no_memory}` instead (if even that can be sent) and the error is returned.
    pub fn reply<T: Encode + ?Sized>(mut self, value: &T) -> Result<(), Error> {
        self.answered = true;
        let sent = self.answer.send(value);
        if let Err(e) = sent {
            if self.answer.send(&error(Error::NO_MEMORY)).is_err() {
                log::error!("atomvm-port: a deferred reply was lost: {e}");
            }
        }
        sent
        // Drop releases the request.
    }
}

impl<A: Answer> Drop for Owed<A> {
    fn drop(&mut self) {
        if !self.answered && self.answer.send(&error(Error::CLOSED)).is_err() {
            log::error!("atomvm-port: no memory to answer a deferred request {{error, closed}}");
        }
        self.answer.release();
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::collections::VecDeque;
    use std::rc::Rc;
    use std::string::String;
    use std::vec;
    use std::vec::Vec;

    use super::{Answer, Owed};
    use crate::encode::{atom, error, ok, Binary, Encode};
    use crate::error::Error;
    use crate::model::{Node, Store};

    /// What the fake saw: `Sent(request id, rendered value)` or `Released(id)`.
    #[derive(Debug, PartialEq)]
    enum Event {
        Sent(u32, String),
        Released(u32),
    }

    type Log = Rc<RefCell<Vec<Event>>>;

    /// A request `id`; its sends fail while `fail` is above 0 (one fewer each time).
    struct Fake {
        id: u32,
        fail: usize,
        log: Log,
    }

    fn render(s: &Store, t: usize) -> String {
        match &s.nodes[t] {
            Node::Atom(a) => a.clone(),
            Node::Int(i) => std::format!("{i}"),
            Node::Binary(b) => std::format!("<<{}>>", b.len()),
            Node::Tuple(e) => {
                let parts: Vec<String> = e.iter().map(|&i| render(s, i)).collect();
                std::format!("{{{}}}", parts.join(","))
            }
            other => std::format!("{other:?}"),
        }
    }

    impl Answer for Fake {
        fn send<T: Encode + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
            if self.fail > 0 {
                self.fail -= 1;
                return Err(Error::NO_MEMORY);
            }
            let mut s = Store::new(64);
            let t = value.encode(&mut s);
            self.log
                .borrow_mut()
                .push(Event::Sent(self.id, render(&s, t)));
            Ok(())
        }
        fn release(&mut self) {
            self.log.borrow_mut().push(Event::Released(self.id));
        }
    }

    fn owed(id: u32, fail: usize, log: &Log) -> Owed<Fake> {
        Owed::new(Fake {
            id,
            fail,
            log: Rc::clone(log),
        })
    }

    fn sent(id: u32, v: &str) -> Event {
        Event::Sent(id, v.into())
    }

    #[test]
    fn a_reply_is_sent_once_then_the_request_released() {
        let log = Log::default();
        let o = owed(1, 0, &log);
        assert_eq!(o.get().id, 1);
        assert_eq!(o.reply(&ok(Binary(b"abc"))), Ok(()));
        assert_eq!(
            *log.borrow(),
            vec![sent(1, "{ok,<<3>>}"), Event::Released(1)]
        );
    }

    #[test]
    fn dropped_unanswered_replies_closed() {
        let log = Log::default();
        drop(owed(7, 0, &log));
        assert_eq!(
            *log.borrow(),
            vec![sent(7, "{error,closed}"), Event::Released(7)]
        );
    }

    #[test]
    fn a_reply_that_cannot_be_sent_becomes_no_memory() {
        let log = Log::default();
        assert_eq!(owed(2, 1, &log).reply(&atom("big")), Err(Error::NO_MEMORY));
        assert_eq!(
            *log.borrow(),
            vec![sent(2, "{error,no_memory}"), Event::Released(2)]
        );
        // Nothing can be sent at all: still released once, and no `closed` afterwards.
        log.borrow_mut().clear();
        assert_eq!(owed(3, 2, &log).reply(&()), Err(Error::NO_MEMORY));
        assert_eq!(*log.borrow(), vec![Event::Released(3)]);
        log.borrow_mut().clear();
        drop(owed(4, 1, &log));
        assert_eq!(*log.borrow(), vec![Event::Released(4)]);
    }

    /// Ports keep their waiting requests in a FIFO: answered in order, and the ones left
    /// when the port goes are answered `{error, closed}`, oldest first.
    #[test]
    fn a_fifo_of_owed_replies_answers_in_order() {
        let log = Log::default();
        let mut fifo: VecDeque<Owed<Fake>> = (1..=5).map(|i| owed(i, 0, &log)).collect();
        for _ in 0..2 {
            let o = fifo.pop_front().expect("queued");
            let id = o.get().id;
            assert_eq!(o.reply(&(atom("done"), id)), Ok(()));
        }
        fifo.pop_front()
            .expect("queued")
            .reply(&error(Error::with("stopped", "play")))
            .expect("sent");
        drop(fifo);
        assert_eq!(
            *log.borrow(),
            vec![
                sent(1, "{done,1}"),
                Event::Released(1),
                sent(2, "{done,2}"),
                Event::Released(2),
                sent(3, "{error,{stopped,play}}"),
                Event::Released(3),
                sent(4, "{error,closed}"),
                Event::Released(4),
                sent(5, "{error,closed}"),
                Event::Released(5),
            ]
        );
    }
}
