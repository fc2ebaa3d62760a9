//! `LuaValue` and the handles that keep Lua objects alive for Rust code.
//!
//! A handle is a key into the VM's root set (`Vm::roots`) plus the VM's id, shared by its
//! clones through an `Rc`. The last clone to drop queues its key on the VM's `dropped_roots`
//! (a handle cannot reach the VM itself), and the VM unroots queued keys when a collection cycle
//! starts. While any clone lives the object stays rooted, so the raw value behind a live handle
//! is always valid; a key of another VM is refused, and a key whose slot is gone (impossible
//! while the handle lives, checked anyway) is too.

use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

use crate::vm::runtime::state::{RootKey, Vm};
use crate::vm::runtime::value::Value;

/// One rooted object; unrooted when the last clone of its handle drops.
pub(super) struct Rooted {
    pub(super) key: RootKey,
    pub(super) vm: u64,
    dropped: Rc<RefCell<Vec<RootKey>>>,
}

impl Drop for Rooted {
    fn drop(&mut self) {
        // Never borrowed while a handle can drop (the VM drains it without dropping handles);
        // if it were, the root would stay: a leak, not a dangling pointer.
        if let Ok(mut dropped) = self.dropped.try_borrow_mut() {
            dropped.push(self.key);
        }
    }
}

#[derive(Clone)]
pub(crate) struct Handle(pub(super) Rc<Rooted>);

impl Handle {
    pub(crate) fn new(vm: &mut Vm, v: Value) -> Handle {
        let key = vm.root(v);
        Handle(Rc::new(Rooted {
            key,
            vm: vm.id,
            dropped: vm.dropped_roots.clone(),
        }))
    }
}

macro_rules! handle_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone)]
        pub struct $name(pub(crate) Handle);

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({:?})"), self.0 .0.key)
            }
        }

        /// Clones of one handle are equal; two handles made separately for the same object
        /// are not (compare objects with `Vm::raw_equal`).
        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                Rc::ptr_eq(&self.0 .0, &other.0 .0)
            }
        }
    };
}

handle_type!(
    /// A Lua table, kept alive while this handle (or a clone) lives.
    LuaTable
);
handle_type!(
    /// A Lua or native function, kept alive while this handle lives; call it with `Vm::call`.
    LuaFunction
);
handle_type!(
    /// A coroutine, kept alive while this handle lives; run it with `Vm::resume`.
    LuaThread
);
handle_type!(
    /// A full userdata, kept alive while this handle lives.
    LuaUserData
);

/// A Lua string's bytes, copied out of the VM (Lua strings are immutable values, so a copy is
/// the same string). Cheap to clone.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LuaString(Rc<[u8]>);

impl LuaString {
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The text, if it is valid UTF-8.
    pub fn to_str(&self) -> std::result::Result<&str, std::str::Utf8Error> {
        std::str::from_utf8(&self.0)
    }

    pub fn to_string_lossy(&self) -> String {
        String::from_utf8_lossy(&self.0).into_owned()
    }
}

impl fmt::Debug for LuaString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", String::from_utf8_lossy(&self.0))
    }
}

impl From<&str> for LuaString {
    fn from(s: &str) -> Self {
        LuaString(s.as_bytes().into())
    }
}

impl From<&[u8]> for LuaString {
    fn from(s: &[u8]) -> Self {
        LuaString(s.into())
    }
}

impl From<String> for LuaString {
    fn from(s: String) -> Self {
        LuaString(s.into_bytes().into())
    }
}

/// Any Lua value, safe to keep in Rust: scalars by value, strings copied, objects as handles.
#[derive(Clone, Debug, Default)]
pub enum LuaValue {
    #[default]
    Nil,
    Boolean(bool),
    Integer(i64),
    Number(f64),
    String(LuaString),
    Table(LuaTable),
    Function(LuaFunction),
    Thread(LuaThread),
    UserData(LuaUserData),
    /// A light userdata: an address used as an identity, never dereferenced.
    LightUserData(usize),
}

impl LuaValue {
    /// The name `type()` gives it.
    pub fn type_name(&self) -> &'static str {
        match self {
            LuaValue::Nil => "nil",
            LuaValue::Boolean(_) => "boolean",
            LuaValue::Integer(_) | LuaValue::Number(_) => "number",
            LuaValue::String(_) => "string",
            LuaValue::Table(_) => "table",
            LuaValue::Function(_) => "function",
            LuaValue::Thread(_) => "thread",
            LuaValue::UserData(_) | LuaValue::LightUserData(_) => "userdata",
        }
    }

    pub fn is_nil(&self) -> bool {
        matches!(self, LuaValue::Nil)
    }

    /// An integer, or a float with an exact integer value.
    pub fn as_integer(&self) -> Option<i64> {
        match *self {
            LuaValue::Integer(i) => Some(i),
            LuaValue::Number(f) => crate::vm::number::float_to_int_exact(f),
            _ => None,
        }
    }

    pub fn as_number(&self) -> Option<f64> {
        match *self {
            LuaValue::Integer(i) => Some(i as f64),
            LuaValue::Number(f) => Some(f),
            _ => None,
        }
    }

    pub fn as_boolean(&self) -> Option<bool> {
        match *self {
            LuaValue::Boolean(b) => Some(b),
            _ => None,
        }
    }

    /// The string's text, if this is a string of valid UTF-8.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            LuaValue::String(s) => s.to_str().ok(),
            _ => None,
        }
    }

    /// Lua truthiness: everything but nil and false.
    pub fn is_truthy(&self) -> bool {
        !matches!(self, LuaValue::Nil | LuaValue::Boolean(false))
    }
}

/// Scalars and strings compare by value (an integer equals a float with the same value, as in
/// Lua); handles compare as clones of one handle (see `LuaTable`).
impl PartialEq for LuaValue {
    fn eq(&self, other: &Self) -> bool {
        use LuaValue::*;
        match (self, other) {
            (Nil, Nil) => true,
            (Boolean(a), Boolean(b)) => a == b,
            (Integer(a), Integer(b)) => a == b,
            (Number(a), Number(b)) => a == b,
            (Integer(i), Number(f)) | (Number(f), Integer(i)) => {
                crate::vm::number::float_to_int_exact(*f) == Some(*i)
            }
            (String(a), String(b)) => a == b,
            (Table(a), Table(b)) => a == b,
            (Function(a), Function(b)) => a == b,
            (Thread(a), Thread(b)) => a == b,
            (UserData(a), UserData(b)) => a == b,
            (LightUserData(a), LightUserData(b)) => a == b,
            _ => false,
        }
    }
}

macro_rules! value_from {
    ($($t:ty => |$v:ident| $e:expr;)*) => {$(
        impl From<$t> for LuaValue {
            fn from($v: $t) -> LuaValue {
                $e
            }
        }
    )*};
}

value_from! {
    bool => |b| LuaValue::Boolean(b);
    i64 => |i| LuaValue::Integer(i);
    f64 => |f| LuaValue::Number(f);
    &str => |s| LuaValue::String(s.into());
    String => |s| LuaValue::String(s.into());
    LuaString => |s| LuaValue::String(s);
    LuaTable => |t| LuaValue::Table(t);
    LuaFunction => |f| LuaValue::Function(f);
    LuaThread => |t| LuaValue::Thread(t);
    LuaUserData => |u| LuaValue::UserData(u);
}
