// SPDX-License-Identifier: Apache-2.0

//! The error every decode step and port command returns, encoded as the `Reason` of
//! `{error, Reason}`.

use crate::encode::{Encode, Sink};

/// A reason for `{error, Reason}`: an atom, or `{Atom, Detail}` when the detail (typically the
/// offending option or command) helps the caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Error {
    /// The reason atom, e.g. `badarg`.
    pub reason: &'static str,
    /// An atom naming what was wrong, e.g. the option key.
    pub detail: Option<&'static str>,
}

impl Error {
    /// `{error, Reason}` with an atom reason.
    pub const fn new(reason: &'static str) -> Self {
        Self {
            reason,
            detail: None,
        }
    }

    /// `{error, {Reason, Detail}}`.
    pub const fn with(reason: &'static str, detail: &'static str) -> Self {
        Self {
            reason,
            detail: Some(detail),
        }
    }

    /// Wrong type or shape.
    pub const BADARG: Error = Error::new("badarg");
    /// A number outside the range the command accepts.
    pub const OUT_OF_RANGE: Error = Error::new("out_of_range");
    /// A request the port does not know.
    pub const UNKNOWN_COMMAND: Error = Error::new("unknown_command");
    /// The port or device was closed.
    pub const CLOSED: Error = Error::new("closed");
    /// Memory could not be allocated.
    pub const NO_MEMORY: Error = Error::new("no_memory");
    /// The device did not answer or failed.
    pub const IO: Error = Error::new("io");
    /// The device or feature is not available on this board.
    pub const NOT_SUPPORTED: Error = Error::new("not_supported");
    /// The device is in use (by another open port, say).
    pub const BUSY: Error = Error::new("busy");
    /// No such device on this board, or it is not ready.
    pub const NO_DEVICE: Error = Error::new("no_device");

    /// The same reason, detailed with `detail` (keeps an existing detail).
    pub const fn at(self, detail: &'static str) -> Self {
        match self.detail {
            Some(_) => self,
            None => Self::with(self.reason, detail),
        }
    }
}

impl core::fmt::Display for Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.detail {
            Some(d) => write!(f, "{{{}, {}}}", self.reason, d),
            None => f.write_str(self.reason),
        }
    }
}

impl Encode for Error {
    fn words<S: Sink + ?Sized>(&self, s: &S) -> usize {
        match self.detail {
            Some(_) => s.tuple_words(2),
            None => 0,
        }
    }

    fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> S::Raw {
        let reason = s.atom(self.reason);
        match self.detail {
            Some(d) => {
                let d = s.atom(d);
                s.tuple(&[reason, d])
            }
            None => reason,
        }
    }
}
