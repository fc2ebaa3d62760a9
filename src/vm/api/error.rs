//! The error of the public API: a Lua error, a budget that ran out, or a conversion that failed.

use std::fmt;

use super::value::LuaValue;
use crate::vm::runtime::budget::Exhausted;
use crate::vm::runtime::error::LuaError;
use crate::vm::runtime::state::Vm;
use crate::vm::runtime::value::Value;

/// What went wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The source did not compile (`Vm::load`).
    Syntax,
    /// Lua code raised an error (or the VM did: a type error, a stack overflow).
    Runtime,
    /// One of the VM's budgets ran out (`Vm::set_fuel`, `set_time_limit`, memory, C stack).
    Budget(Exhausted),
    /// A Lua value could not become the Rust type asked for.
    Conversion,
    /// A handle was used with a VM other than the one that made it.
    WrongVm,
}

/// An error from the public API. Its message is Lua's (with position, as `lua5.4` prints it).
#[derive(Clone, Debug)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    value: Option<LuaValue>,
    traceback: Option<String>,
    /// For conversions: what was expected (e.g. "integer expected"), without what was found.
    pub(crate) expected: Option<&'static str>,
}

/// `Result` with this module's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    /// The error object when it was not a string (`error({code = 7})`).
    pub fn value(&self) -> Option<&LuaValue> {
        self.value.as_ref()
    }

    /// The stack at the error, when tracebacks are captured (`Vm::set_traceback_capture`).
    pub fn traceback(&self) -> Option<&str> {
        self.traceback.as_deref()
    }

    /// An error to raise from Rust conversions and callbacks.
    pub fn runtime(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Runtime, message.into())
    }

    /// A failed conversion: `expected` such as "integer expected", `found` the Lua type name.
    pub fn conversion(expected: &'static str, found: &str) -> Error {
        let mut e = Error::new(ErrorKind::Conversion, format!("{expected}, got {found}"));
        e.expected = Some(expected);
        e
    }

    pub(crate) fn wrong_vm() -> Error {
        Error::new(
            ErrorKind::WrongVm,
            "handle used with a VM other than the one that made it".into(),
        )
    }

    fn new(kind: ErrorKind, message: String) -> Error {
        Error {
            kind,
            message,
            value: None,
            traceback: None,
            expected: None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl Vm {
    /// A VM error as a public one; `kind` is what it is unless a budget stopped the run.
    pub(crate) fn public_error(&mut self, e: LuaError, kind: ErrorKind) -> Error {
        let message = self.error_to_string(&e);
        let kind = match self.exhausted() {
            Some(budget) => ErrorKind::Budget(budget),
            None => kind,
        };
        let value = match e {
            LuaError::Value(Value::Str(_)) | LuaError::Control(_) => None,
            LuaError::Value(v) => Some(self.lift(v)),
        };
        let traceback = self.last_traceback();
        Error {
            kind,
            message,
            value,
            traceback,
            expected: None,
        }
    }
}
