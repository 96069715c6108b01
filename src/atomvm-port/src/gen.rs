// SPDX-License-Identifier: Apache-2.0

//! `gen_call` messages: `{'$call', {Pid, Ref}, Request}`, as `gen_server:call/2,3` and
//! AtomVM's `port:call/2,3` send them, and the shape of a request.

use crate::error::Error;
use crate::term::{Backend, Kind, Term};

/// A parsed `{'$call', {Pid, Ref}, Request}`.
#[derive(Clone, Copy, Debug)]
pub struct GenCall<'a, B: Backend<'a>> {
    /// The caller.
    pub pid: Term<'a, B>,
    /// The caller's reference, echoed in the reply `{Ref, Reply}`.
    pub reference: Term<'a, B>,
    /// The request.
    pub request: Term<'a, B>,
}

impl<'a, B: Backend<'a>> GenCall<'a, B> {
    /// Parses a message; `None` when it is not a well-formed gen_call (such messages get no
    /// reply: there is nobody to send it to).
    pub fn parse(msg: Term<'a, B>) -> Option<Self> {
        let [tag, from, request] = msg.tuple_n::<3>().ok()?;
        if !tag.is_atom("$call") {
            return None;
        }
        let [pid, reference] = from.tuple_n::<2>().ok()?;
        if pid.kind() != Kind::Pid || reference.kind() != Kind::Reference {
            return None;
        }
        Some(Self {
            pid,
            reference,
            request,
        })
    }
}

/// A request split into its command name and arguments: `Cmd` or `{Cmd, Arg1, ...}`.
#[derive(Clone, Copy, Debug)]
pub struct Request<'a, B: Backend<'a>> {
    /// The command atom's name.
    pub command: &'a [u8],
    term: Term<'a, B>,
    argc: usize,
}

impl<'a, B: Backend<'a>> Request<'a, B> {
    /// Splits a request; `badarg` when it is neither an atom nor a tuple starting with one.
    pub fn parse(request: Term<'a, B>) -> Result<Self, Error> {
        match request.kind() {
            Kind::Atom => Ok(Self {
                command: request.atom()?,
                term: request,
                argc: 0,
            }),
            Kind::Tuple => {
                let t = request.tuple()?;
                let command = t.get(0).and_then(|c| c.atom())?;
                Ok(Self {
                    command,
                    term: request,
                    argc: t.arity() - 1,
                })
            }
            _ => Err(Error::BADARG),
        }
    }

    /// Whether the command is `name`.
    pub fn is(&self, name: &str) -> bool {
        self.command == name.as_bytes()
    }

    /// Number of arguments.
    pub fn argc(&self) -> usize {
        self.argc
    }

    /// The arguments, exactly `N` of them (`badarg` otherwise).
    pub fn args<const N: usize>(&self) -> Result<[Term<'a, B>; N], Error> {
        if self.argc != N {
            return Err(Error::BADARG);
        }
        let mut out = [self.term; N];
        if N > 0 {
            let t = self.term.tuple()?;
            for (i, slot) in out.iter_mut().enumerate() {
                *slot = t.get(i + 1)?;
            }
        }
        Ok(out)
    }
}
