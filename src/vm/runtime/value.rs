//! The Lua value: 16 bytes, `Copy`, with thin handles to heap objects.

use super::function::{LuaClosure, NativeClosure, NativeFn};
use super::gc::Gc;
use super::string::LuaStr;
use super::table::Table;
use super::thread::ThreadKey;
use super::userdata::UserData;

/// `repr(u64)` makes the tag a full word: the value is two words with no padding, so the compiler
/// copies it with whole-word moves (a padded layout made it copy 15 bytes with overlapping loads,
/// which stall on store forwarding in the interpreter loop).
#[derive(Clone, Copy, Default)]
#[repr(u64)]
pub enum Value {
    #[default]
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Gc<LuaStr>),
    Table(Gc<Table>),
    /// A Lua function.
    LuaFn(Gc<LuaClosure>),
    /// A native function with no upvalues: a plain function pointer, no allocation.
    Native(NativeFn),
    /// A native function with upvalues.
    NativeClosure(Gc<NativeClosure>),
    UserData(Gc<UserData>),
    /// A bare pointer-sized identity (`debug.upvalueid`, host handles): compared by value.
    LightUserData(usize),
    Thread(ThreadKey),
}

const _: () = assert!(std::mem::size_of::<Value>() == 16);

/// Lua's type tags, in `type()` order of names.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum LuaType {
    Nil,
    Boolean,
    Number,
    String,
    Table,
    Function,
    UserData,
    Thread,
}

impl LuaType {
    pub(crate) fn name(self) -> &'static str {
        match self {
            LuaType::Nil => "nil",
            LuaType::Boolean => "boolean",
            LuaType::Number => "number",
            LuaType::String => "string",
            LuaType::Table => "table",
            LuaType::Function => "function",
            LuaType::UserData => "userdata",
            LuaType::Thread => "thread",
        }
    }
}

impl Value {
    /// Reads a value as two word loads. Values are usually written as two word stores (tag, then
    /// payload); a single 16-byte load of a value written that recently cannot be forwarded from
    /// the store buffer and stalls for ~10 cycles, which the interpreter loop would pay on every
    /// register copy.
    ///
    /// # Safety
    /// `p` must point to a valid value.
    #[inline(always)]
    pub(crate) unsafe fn load_split(p: *const Value) -> Value {
        let w = p as *const u64;
        // SAFETY: `Value` is `repr(u64)`: two initialized words, any bit pattern read back from
        // a valid value is that value. Volatile keeps the loads separate (not fused into one
        // vector load).
        unsafe {
            let words = [
                std::ptr::read_volatile(w),
                std::ptr::read_volatile(w.add(1)),
            ];
            std::mem::transmute::<[u64; 2], Value>(words)
        }
    }

    /// Refers to a heap object the collector must mark.
    #[inline(always)]
    pub(crate) fn is_collectable(&self) -> bool {
        matches!(
            self,
            Value::Str(_)
                | Value::Table(_)
                | Value::LuaFn(_)
                | Value::NativeClosure(_)
                | Value::UserData(_)
                | Value::Thread(_)
        )
    }

    #[inline(always)]
    pub(crate) fn is_nil(&self) -> bool {
        matches!(self, Value::Nil)
    }

    /// Lua truthiness: only nil and false are false.
    #[inline(always)]
    pub(crate) fn truthy(&self) -> bool {
        !matches!(self, Value::Nil | Value::Bool(false))
    }

    #[inline(always)]
    pub(crate) fn is_falsy(&self) -> bool {
        matches!(self, Value::Nil | Value::Bool(false))
    }

    pub(crate) fn lua_type(&self) -> LuaType {
        match self {
            Value::Nil => LuaType::Nil,
            Value::Bool(_) => LuaType::Boolean,
            Value::Int(_) | Value::Float(_) => LuaType::Number,
            Value::Str(_) => LuaType::String,
            Value::Table(_) => LuaType::Table,
            Value::LuaFn(_) | Value::Native(_) | Value::NativeClosure(_) => LuaType::Function,
            Value::UserData(_) | Value::LightUserData(_) => LuaType::UserData,
            Value::Thread(_) => LuaType::Thread,
        }
    }

    pub(crate) fn type_name(&self) -> &'static str {
        self.lua_type().name()
    }

    pub(crate) fn is_function(&self) -> bool {
        matches!(
            self,
            Value::LuaFn(_) | Value::Native(_) | Value::NativeClosure(_)
        )
    }

    pub(crate) fn as_table(&self) -> Option<Gc<Table>> {
        match self {
            Value::Table(t) => Some(*t),
            _ => None,
        }
    }

    /// Primitive equality (`rawequal`): same type and same value; objects by identity, strings
    /// by contents (`str_eq`: identity for the interned short ones).
    #[inline]
    pub(crate) fn raw_eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Nil, Value::Nil) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => a == b,
            (Value::Int(a), Value::Float(b)) | (Value::Float(b), Value::Int(a)) => {
                crate::vm::number::int_eq_float(*a, *b)
            }
            (Value::Str(a), Value::Str(b)) => super::string::str_eq(*a, *b),
            (Value::Table(a), Value::Table(b)) => a == b,
            (Value::LuaFn(a), Value::LuaFn(b)) => a == b,
            (Value::Native(a), Value::Native(b)) => std::ptr::fn_addr_eq(*a, *b),
            (Value::NativeClosure(a), Value::NativeClosure(b)) => a == b,
            (Value::UserData(a), Value::UserData(b)) => a == b,
            (Value::LightUserData(a), Value::LightUserData(b)) => a == b,
            (Value::Thread(a), Value::Thread(b)) => a == b,
            _ => false,
        }
    }

    /// An address for `tostring` and `%p`; 0 for non-objects.
    pub(crate) fn addr(&self) -> usize {
        match self {
            Value::Str(s) => s.addr(),
            Value::Table(t) => t.addr(),
            Value::LuaFn(f) => f.addr(),
            Value::Native(f) => *f as usize,
            Value::NativeClosure(f) => f.addr(),
            Value::UserData(u) => u.addr(),
            Value::LightUserData(p) => *p,
            Value::Thread(k) => {
                use slotmap::Key;
                0x7000_0000_0000 + (k.data().as_ffi() as usize & 0xffff_ffff) * 64
            }
            _ => 0,
        }
    }
}

impl std::fmt::Debug for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Nil => write!(f, "nil"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => write!(f, "{x:?}"),
            Value::Str(s) => write!(f, "{:?}", String::from_utf8_lossy(s.as_bytes())),
            other => write!(f, "{}: {:#x}", other.type_name(), other.addr()),
        }
    }
}

impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        self.raw_eq(other)
    }
}

// ---- numbers and values ----

/// Converts text to a number like `tonumber` and arithmetic coercion do.
pub(crate) fn str_to_number(s: &[u8]) -> Option<Value> {
    match crate::vm::number::parse_number(s)? {
        crate::vm::number::NumberLit::Int(i) => Some(Value::Int(i)),
        crate::vm::number::NumberLit::Float(f) => Some(Value::Float(f)),
    }
}

/// Converts a number to an integer when it has an exact integer value (Lua's `tointeger`).
#[inline]
pub(crate) fn value_to_int(v: &Value) -> Option<i64> {
    match *v {
        Value::Int(i) => Some(i),
        Value::Float(f) => crate::vm::number::float_to_int_exact(f),
        _ => None,
    }
}

/// Number to string for concatenation and `tostring`.
pub(crate) fn fmt_number(out: &mut Vec<u8>, v: &Value) {
    match *v {
        Value::Int(i) => crate::vm::number::fmt_int(out, i),
        Value::Float(f) => crate::vm::number::fmt_float(out, f),
        _ => {}
    }
}
