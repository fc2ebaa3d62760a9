//! Typed conversions between Rust values and Lua values.
//!
//! [`FromLua`] and [`IntoLua`] convert one value; [`FromLuaMulti`] and [`IntoLuaMulti`] convert
//! argument and result lists (a single value, `()`, tuples, or a [`MultiValue`]). Tables convert
//! to and from `Vec` (the sequence `1..#t`) and maps (every pair).
//!
//! Each single-value trait has a hidden fast path on raw values (`from_raw`, `into_raw`) that
//! only crate code can call (it takes a [`Sealed`]); the plugin's entity and vector conversions
//! use it to read a table without rooting it. Outside code implements the safe methods only.
//! `from_raw` may run Lua (a vector's `__index`), so it is called only on values the VM keeps
//! alive meanwhile (a native's arguments, on the stack); everything else is lifted first.

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasher, Hash};

use smallvec::SmallVec;

use super::Sealed;
use super::error::{Error, Result};
use super::value::{Handle, LuaFunction, LuaString, LuaTable, LuaThread, LuaUserData, LuaValue};
use crate::vm::runtime::state::Vm;
use crate::vm::runtime::value::Value;

/// A Rust value that can become a Lua value.
pub trait IntoLua {
    /// The type's name in LuaLS annotations (for generated stubs).
    const LUA_TYPE: &'static str = "any";

    fn into_lua(self, vm: &mut Vm) -> Result<LuaValue>;

    /// The value as a raw one, for the caller to store at once: crate code only.
    #[doc(hidden)]
    fn into_raw(self, vm: &mut Vm, _: Sealed) -> Result<Value>
    where
        Self: Sized,
    {
        let v = self.into_lua(vm)?;
        vm.lower(&v)
    }
}

/// A Rust value that can be made from a Lua value.
pub trait FromLua: Sized {
    /// The type's name in LuaLS annotations (for generated stubs).
    const LUA_TYPE: &'static str = "any";

    fn from_lua(value: LuaValue, vm: &mut Vm) -> Result<Self>;

    /// Converts a raw value the VM keeps alive for the whole call (it may run Lua, which may
    /// collect): crate code only, through `Sealed`.
    #[doc(hidden)]
    fn from_raw(vm: &mut Vm, value: Value, _: Sealed) -> Result<Self> {
        let v = vm.lift(value);
        Self::from_lua(v, vm)
    }
}

/// A list of Lua values: arguments or results. Up to four stay inline (no allocation).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MultiValue(pub SmallVec<[LuaValue; 4]>);

impl MultiValue {
    pub fn new() -> MultiValue {
        MultiValue(SmallVec::new())
    }
}

impl std::ops::Deref for MultiValue {
    type Target = [LuaValue];
    fn deref(&self) -> &[LuaValue] {
        &self.0
    }
}

impl FromIterator<LuaValue> for MultiValue {
    fn from_iter<I: IntoIterator<Item = LuaValue>>(iter: I) -> Self {
        MultiValue(iter.into_iter().collect())
    }
}

impl IntoIterator for MultiValue {
    type Item = LuaValue;
    type IntoIter = smallvec::IntoIter<[LuaValue; 4]>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

/// Arguments for a call: a value, `()` for none, a tuple, or a `MultiValue`.
pub trait IntoLuaMulti {
    fn into_lua_multi(self, vm: &mut Vm) -> Result<MultiValue>;
}

/// Results of a call: a value (the first result, nil if none), `()` to ignore them, a tuple
/// (missing results are nil), or a `MultiValue` for all of them.
pub trait FromLuaMulti: Sized {
    /// Whether the results are read at all (`()` ignores them: none is converted or rooted).
    #[doc(hidden)]
    const READS_VALUES: bool = true;

    fn from_lua_multi(values: MultiValue, vm: &mut Vm) -> Result<Self>;
}

impl<T: IntoLua> IntoLuaMulti for T {
    fn into_lua_multi(self, vm: &mut Vm) -> Result<MultiValue> {
        let mut out = MultiValue::new();
        out.0.push(self.into_lua(vm)?);
        Ok(out)
    }
}

impl<T: FromLua> FromLuaMulti for T {
    fn from_lua_multi(values: MultiValue, vm: &mut Vm) -> Result<Self> {
        let first = values.0.into_iter().next().unwrap_or_default();
        T::from_lua(first, vm)
    }
}

impl IntoLuaMulti for () {
    fn into_lua_multi(self, _: &mut Vm) -> Result<MultiValue> {
        Ok(MultiValue::new())
    }
}

impl FromLuaMulti for () {
    const READS_VALUES: bool = false;

    fn from_lua_multi(_: MultiValue, _: &mut Vm) -> Result<Self> {
        Ok(())
    }
}

impl IntoLuaMulti for MultiValue {
    fn into_lua_multi(self, _: &mut Vm) -> Result<MultiValue> {
        Ok(self)
    }
}

impl FromLuaMulti for MultiValue {
    fn from_lua_multi(values: MultiValue, _: &mut Vm) -> Result<Self> {
        Ok(values)
    }
}

macro_rules! tuple_multi {
    ($($t:ident),+) => {
        impl<$($t: IntoLua),+> IntoLuaMulti for ($($t,)+) {
            #[allow(non_snake_case)]
            fn into_lua_multi(self, vm: &mut Vm) -> Result<MultiValue> {
                let ($($t,)+) = self;
                let mut out = MultiValue::new();
                $(out.0.push($t.into_lua(vm)?);)+
                Ok(out)
            }
        }

        impl<$($t: FromLua),+> FromLuaMulti for ($($t,)+) {
            fn from_lua_multi(values: MultiValue, vm: &mut Vm) -> Result<Self> {
                let mut values = values.0.into_iter();
                Ok(($($t::from_lua(values.next().unwrap_or_default(), vm)?,)+))
            }
        }
    };
}

tuple_multi!(A);
tuple_multi!(A, B);
tuple_multi!(A, B, C);
tuple_multi!(A, B, C, D);
tuple_multi!(A, B, C, D, E);
tuple_multi!(A, B, C, D, E, F);
tuple_multi!(A, B, C, D, E, F, G);
tuple_multi!(A, B, C, D, E, F, G, H);

impl Handle {
    /// The raw value, valid until the next collection that does not see it: callers use it
    /// at once (put it on the VM stack or in a table) and keep the handle meanwhile.
    pub(crate) fn raw(&self, vm: &Vm) -> Result<Value> {
        if self.0.vm != vm.id {
            return Err(Error::wrong_vm());
        }
        vm.rooted(self.0.key).ok_or_else(Error::wrong_vm)
    }
}

impl Vm {
    /// A raw value as a safe one: objects get rooted handles.
    pub(crate) fn lift(&mut self, v: Value) -> LuaValue {
        match v {
            Value::Nil => LuaValue::Nil,
            Value::Bool(b) => LuaValue::Boolean(b),
            Value::Int(i) => LuaValue::Integer(i),
            Value::Float(f) => LuaValue::Number(f),
            Value::Str(s) => LuaValue::String(LuaString::from(s.as_bytes())),
            Value::Table(_) => LuaValue::Table(LuaTable(Handle::new(self, v))),
            Value::LuaFn(_) | Value::Native(_) | Value::NativeClosure(_) => {
                LuaValue::Function(LuaFunction(Handle::new(self, v)))
            }
            Value::Thread(_) => LuaValue::Thread(LuaThread(Handle::new(self, v))),
            Value::UserData(_) => LuaValue::UserData(LuaUserData(Handle::new(self, v))),
            Value::LightUserData(p) => LuaValue::LightUserData(p),
        }
    }

    /// A safe value as a raw one, valid until the next collection point (see `Handle::raw`).
    pub(crate) fn lower(&mut self, v: &LuaValue) -> Result<Value> {
        Ok(match v {
            LuaValue::Nil => Value::Nil,
            LuaValue::Boolean(b) => Value::Bool(*b),
            LuaValue::Integer(i) => Value::Int(*i),
            LuaValue::Number(f) => Value::Float(*f),
            LuaValue::String(s) => Value::Str(self.intern(s.as_bytes())),
            LuaValue::Table(t) => t.0.raw(self)?,
            LuaValue::Function(f) => f.0.raw(self)?,
            LuaValue::Thread(t) => t.0.raw(self)?,
            LuaValue::UserData(u) => u.0.raw(self)?,
            LuaValue::LightUserData(p) => Value::LightUserData(*p),
        })
    }
}

// ---- single values ----

impl IntoLua for LuaValue {
    fn into_lua(self, _: &mut Vm) -> Result<LuaValue> {
        Ok(self)
    }
}

impl FromLua for LuaValue {
    fn from_lua(value: LuaValue, _: &mut Vm) -> Result<Self> {
        Ok(value)
    }
}

impl IntoLua for &LuaValue {
    fn into_lua(self, _: &mut Vm) -> Result<LuaValue> {
        Ok(self.clone())
    }
}

impl IntoLua for bool {
    const LUA_TYPE: &'static str = "boolean";
    fn into_lua(self, _: &mut Vm) -> Result<LuaValue> {
        Ok(LuaValue::Boolean(self))
    }
}

impl FromLua for bool {
    const LUA_TYPE: &'static str = "boolean";
    fn from_lua(value: LuaValue, _: &mut Vm) -> Result<Self> {
        match value {
            LuaValue::Boolean(b) => Ok(b),
            other => Err(Error::conversion("boolean expected", other.type_name())),
        }
    }
}

macro_rules! integer_conversions {
    ($($t:ty),*) => {$(
        impl IntoLua for $t {
            const LUA_TYPE: &'static str = "integer";
            fn into_lua(self, _: &mut Vm) -> Result<LuaValue> {
                i64::try_from(self)
                    .map(LuaValue::Integer)
                    .map_err(|_| Error::conversion("integer in range expected", "larger integer"))
            }
        }

        /// Integers, and floats with an exact integer value, in the type's range.
        impl FromLua for $t {
            const LUA_TYPE: &'static str = "integer";
            fn from_lua(value: LuaValue, _: &mut Vm) -> Result<Self> {
                let i = match value {
                    LuaValue::Integer(i) => i,
                    LuaValue::Number(f) => crate::vm::number::float_to_int_exact(f).ok_or_else(
                        || Error::conversion("number has no integer representation", "float"),
                    )?,
                    other => return Err(Error::conversion("integer expected", other.type_name())),
                };
                <$t>::try_from(i).map_err(|_| Error::conversion("integer out of range", "integer"))
            }
        }
    )*};
}
integer_conversions!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize);

macro_rules! float_conversions {
    ($($t:ty),*) => {$(
        impl IntoLua for $t {
            const LUA_TYPE: &'static str = "number";
            fn into_lua(self, _: &mut Vm) -> Result<LuaValue> {
                Ok(LuaValue::Number(self as f64))
            }
        }

        impl FromLua for $t {
            const LUA_TYPE: &'static str = "number";
            fn from_lua(value: LuaValue, _: &mut Vm) -> Result<Self> {
                value
                    .as_number()
                    .map(|n| n as $t)
                    .ok_or_else(|| Error::conversion("number expected", value.type_name()))
            }
        }
    )*};
}
float_conversions!(f32, f64);

impl IntoLua for &str {
    const LUA_TYPE: &'static str = "string";
    fn into_lua(self, _: &mut Vm) -> Result<LuaValue> {
        Ok(LuaValue::String(self.into()))
    }

    fn into_raw(self, vm: &mut Vm, _: Sealed) -> Result<Value> {
        Ok(Value::Str(vm.intern(self.as_bytes())))
    }
}

impl IntoLua for String {
    const LUA_TYPE: &'static str = "string";
    fn into_lua(self, _: &mut Vm) -> Result<LuaValue> {
        Ok(LuaValue::String(self.into()))
    }

    fn into_raw(self, vm: &mut Vm, _: Sealed) -> Result<Value> {
        Ok(Value::Str(vm.intern(self.as_bytes())))
    }
}

/// A string's text (invalid UTF-8 replaced); numbers are not converted.
impl FromLua for String {
    const LUA_TYPE: &'static str = "string";
    fn from_lua(value: LuaValue, _: &mut Vm) -> Result<Self> {
        match value {
            LuaValue::String(s) => Ok(s.to_string_lossy()),
            other => Err(Error::conversion("string expected", other.type_name())),
        }
    }

    fn from_raw(_: &mut Vm, value: Value, _: Sealed) -> Result<Self> {
        match value {
            Value::Str(s) => Ok(s.to_str_lossy().into_owned()),
            other => Err(Error::conversion("string expected", other.type_name())),
        }
    }
}

impl IntoLua for LuaString {
    const LUA_TYPE: &'static str = "string";
    fn into_lua(self, _: &mut Vm) -> Result<LuaValue> {
        Ok(LuaValue::String(self))
    }
}

impl FromLua for LuaString {
    const LUA_TYPE: &'static str = "string";
    fn from_lua(value: LuaValue, _: &mut Vm) -> Result<Self> {
        match value {
            LuaValue::String(s) => Ok(s),
            other => Err(Error::conversion("string expected", other.type_name())),
        }
    }
}

macro_rules! handle_conversions {
    ($($t:ident, $variant:ident, $name:literal, $expected:literal;)*) => {$(
        impl IntoLua for $t {
            const LUA_TYPE: &'static str = $name;
            fn into_lua(self, _: &mut Vm) -> Result<LuaValue> {
                Ok(LuaValue::$variant(self))
            }
        }

        impl IntoLua for &$t {
            const LUA_TYPE: &'static str = $name;
            fn into_lua(self, _: &mut Vm) -> Result<LuaValue> {
                Ok(LuaValue::$variant(self.clone()))
            }
        }

        impl FromLua for $t {
            const LUA_TYPE: &'static str = $name;
            fn from_lua(value: LuaValue, _: &mut Vm) -> Result<Self> {
                match value {
                    LuaValue::$variant(h) => Ok(h),
                    other => Err(Error::conversion($expected, other.type_name())),
                }
            }
        }
    )*};
}

handle_conversions! {
    LuaTable, Table, "table", "table expected";
    LuaFunction, Function, "function", "function expected";
    LuaThread, Thread, "thread", "thread expected";
    LuaUserData, UserData, "userdata", "userdata expected";
}

/// nil is `None`.
impl<T: IntoLua> IntoLua for Option<T> {
    const LUA_TYPE: &'static str = T::LUA_TYPE;
    fn into_lua(self, vm: &mut Vm) -> Result<LuaValue> {
        match self {
            Some(v) => v.into_lua(vm),
            None => Ok(LuaValue::Nil),
        }
    }

    fn into_raw(self, vm: &mut Vm, sealed: Sealed) -> Result<Value> {
        match self {
            Some(v) => v.into_raw(vm, sealed),
            None => Ok(Value::Nil),
        }
    }
}

/// nil is `None`.
impl<T: FromLua> FromLua for Option<T> {
    const LUA_TYPE: &'static str = T::LUA_TYPE;
    fn from_lua(value: LuaValue, vm: &mut Vm) -> Result<Self> {
        match value {
            LuaValue::Nil => Ok(None),
            v => T::from_lua(v, vm).map(Some),
        }
    }

    fn from_raw(vm: &mut Vm, value: Value, sealed: Sealed) -> Result<Self> {
        match value {
            Value::Nil => Ok(None),
            v => T::from_raw(vm, v, sealed).map(Some),
        }
    }
}

/// `Err` becomes a Lua error carrying its text.
impl<T: IntoLua, E: std::fmt::Display> IntoLua for std::result::Result<T, E> {
    const LUA_TYPE: &'static str = T::LUA_TYPE;
    fn into_lua(self, vm: &mut Vm) -> Result<LuaValue> {
        match self {
            Ok(v) => v.into_lua(vm),
            Err(e) => Err(Error::runtime(e.to_string())),
        }
    }

    fn into_raw(self, vm: &mut Vm, sealed: Sealed) -> Result<Value> {
        match self {
            Ok(v) => v.into_raw(vm, sealed),
            Err(e) => Err(Error::runtime(e.to_string())),
        }
    }
}

// ---- tables ----

/// A sequence: a table with the items at `1..=n`.
impl<T: IntoLua> IntoLua for Vec<T> {
    const LUA_TYPE: &'static str = "table";
    fn into_lua(self, vm: &mut Vm) -> Result<LuaValue> {
        let table = vm.create_table();
        for (i, item) in self.into_iter().enumerate() {
            table.set(vm, i as i64 + 1, item)?;
        }
        Ok(LuaValue::Table(table))
    }
}

/// The sequence `t[1..=#t]` (raw length, no metamethods).
impl<T: FromLua> FromLua for Vec<T> {
    const LUA_TYPE: &'static str = "table";
    fn from_lua(value: LuaValue, vm: &mut Vm) -> Result<Self> {
        let LuaValue::Table(table) = value else {
            return Err(Error::conversion("table expected", value.type_name()));
        };
        let n = table.raw_len(vm)?;
        let mut out = Vec::with_capacity(n as usize);
        for i in 1..=n {
            out.push(table.raw_get(vm, i)?);
        }
        Ok(out)
    }
}

/// A table with every pair of the map.
fn map_into_lua<K: IntoLua, V: IntoLua>(
    pairs: impl IntoIterator<Item = (K, V)>,
    vm: &mut Vm,
) -> Result<LuaValue> {
    let table = vm.create_table();
    for (k, v) in pairs {
        table.set(vm, k, v)?;
    }
    Ok(LuaValue::Table(table))
}

impl<K: IntoLua, V: IntoLua, S> IntoLua for HashMap<K, V, S> {
    const LUA_TYPE: &'static str = "table";
    fn into_lua(self, vm: &mut Vm) -> Result<LuaValue> {
        map_into_lua(self, vm)
    }
}

impl<K: IntoLua, V: IntoLua> IntoLua for BTreeMap<K, V> {
    const LUA_TYPE: &'static str = "table";
    fn into_lua(self, vm: &mut Vm) -> Result<LuaValue> {
        map_into_lua(self, vm)
    }
}

/// Every pair of the table (raw, no `__pairs`).
impl<K: FromLua + Eq + Hash, V: FromLua, S: BuildHasher + Default> FromLua for HashMap<K, V, S> {
    const LUA_TYPE: &'static str = "table";
    fn from_lua(value: LuaValue, vm: &mut Vm) -> Result<Self> {
        let LuaValue::Table(table) = value else {
            return Err(Error::conversion("table expected", value.type_name()));
        };
        Ok(table.pairs(vm)?.into_iter().collect())
    }
}

/// Every pair of the table (raw, no `__pairs`).
impl<K: FromLua + Ord, V: FromLua> FromLua for BTreeMap<K, V> {
    const LUA_TYPE: &'static str = "table";
    fn from_lua(value: LuaValue, vm: &mut Vm) -> Result<Self> {
        let LuaValue::Table(table) = value else {
            return Err(Error::conversion("table expected", value.type_name()));
        };
        Ok(table.pairs(vm)?.into_iter().collect())
    }
}
