//! Values that cross between scripts and Rust by copy: message payloads (`emit`, `send`,
//! `ScriptMessage`), `call_script` arguments and results, and script function arguments.
//!
//! A payload is copied out of the VM when it is sent and into it once per receiver, so no
//! script holds a table another script (or Rust) sees change. Tables become `List` (keys
//! exactly `1..n`) or `Map`, entity objects (`self`, query entities) `Entity`, `vec3`s and
//! vector references `Vec3`. Functions, coroutines and other userdata cannot be copied and are
//! refused with an error naming where they were, as is a table that contains itself.

use bevy::ecs::entity::Entity;
use bevy::math::Vec3;

use super::functions::internal;
use crate::vm::api::Sealed;
use crate::vm::runtime::gc::Gc;
use crate::vm::runtime::table::Table;
use crate::vm::runtime::value::Value;
use crate::vm::{Error, FromLua, IntoLua, LuaValue, Vm};

/// A value crossing between Lua and Rust.
#[derive(Clone, Debug, PartialEq, Default, bevy::reflect::Reflect)]
pub enum ScriptValue {
    #[default]
    Nil,
    Bool(bool),
    Int(i64),
    Number(f64),
    Str(String),
    /// An entity object (`self`, an entity from `world.query` or `spawn`).
    Entity(Entity),
    /// A `vec3` (or a reference to a glam vector).
    Vec3(Vec3),
    /// A table whose keys are exactly `1..n` (n ≥ 1).
    List(Vec<ScriptValue>),
    /// Any other table (the empty table too), in the table's iteration order.
    Map(Vec<(ScriptValue, ScriptValue)>),
}

/// Where a message goes: `send(target, name, payload)` in Lua, `ScriptMessage::target` in
/// Rust.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, bevy::reflect::Reflect)]
pub enum ScriptTarget {
    /// The scripts of one entity (a world script is the script of its own entity).
    Entity(Entity),
    /// Every script: world scripts, then entity scripts.
    All,
    /// The world scripts.
    World,
}

impl From<Entity> for ScriptTarget {
    fn from(e: Entity) -> Self {
        ScriptTarget::Entity(e)
    }
}

/// A message on its way to scripts: from Rust (`ScriptMessage`) or from a script (`send`).
#[derive(Clone, Debug)]
pub struct Delivery {
    pub(crate) target: ScriptTarget,
    pub(crate) name: String,
    pub(crate) payload: ScriptValue,
}

/// Nesting past this is refused (a payload that deep is a bug, and the copy recurses).
const MAX_DEPTH: usize = 64;

impl ScriptValue {
    /// `self["key"]` of a `Map` (the first entry whose key is the string `key`).
    pub fn get(&self, key: &str) -> Option<&ScriptValue> {
        match self {
            ScriptValue::Map(entries) => entries
                .iter()
                .find(|(k, _)| matches!(k, ScriptValue::Str(s) if s == key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// A number (integer or float) as `f64`.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            ScriptValue::Int(i) => Some(*i as f64),
            ScriptValue::Number(f) => Some(*f),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self {
            ScriptValue::Int(i) => Some(*i),
            ScriptValue::Number(f) if f.fract() == 0.0 => Some(*f as i64),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            ScriptValue::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            ScriptValue::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_entity(&self) -> Option<Entity> {
        match self {
            ScriptValue::Entity(e) => Some(*e),
            _ => None,
        }
    }

    pub fn as_vec3(&self) -> Option<Vec3> {
        match self {
            ScriptValue::Vec3(v) => Some(*v),
            _ => None,
        }
    }

    /// The items of a `List` (an empty `Map` is an empty list too).
    pub fn as_list(&self) -> Option<&[ScriptValue]> {
        match self {
            ScriptValue::List(items) => Some(items),
            ScriptValue::Map(entries) if entries.is_empty() => Some(&[]),
            _ => None,
        }
    }

    /// Copies a Lua value out of the VM. Indexing a vector reference may run Lua; the caller
    /// keeps `v` alive (it is an argument on the VM stack).
    pub(crate) fn from_lua_value(vm: &mut Vm, v: Value) -> Result<ScriptValue, String> {
        let mut path = Vec::new();
        from_value(vm, v, &mut path)
    }

    /// Makes the Lua value (new tables for lists, maps, entities and vectors).
    pub(crate) fn to_lua(&self, vm: &mut Vm) -> Value {
        match self {
            ScriptValue::Nil => Value::Nil,
            ScriptValue::Bool(b) => Value::Bool(*b),
            ScriptValue::Int(i) => Value::Int(*i),
            ScriptValue::Number(f) => Value::Float(*f),
            ScriptValue::Str(s) => vm.str_value(s),
            ScriptValue::Entity(e) => e.into_raw(vm, Sealed(())).unwrap_or(Value::Nil),
            ScriptValue::Vec3(v) => v.into_raw(vm, Sealed(())).unwrap_or(Value::Nil),
            ScriptValue::List(items) => {
                let t = vm.new_table_with(items.len(), 0);
                for (i, item) in items.iter().enumerate() {
                    let v = item.to_lua(vm);
                    let _ = vm.raw_set_checked(t, Value::Int(i as i64 + 1), v);
                }
                Value::Table(t)
            }
            ScriptValue::Map(entries) => {
                let t = vm.new_table_with(0, entries.len());
                for (k, v) in entries {
                    let k = k.to_lua(vm);
                    let v = v.to_lua(vm);
                    // A nil or NaN key cannot be set; such an entry is dropped.
                    let _ = vm.raw_set_checked(t, k, v);
                }
                Value::Table(t)
            }
        }
    }
}

fn from_value(vm: &mut Vm, v: Value, path: &mut Vec<Gc<Table>>) -> Result<ScriptValue, String> {
    Ok(match v {
        Value::Nil => ScriptValue::Nil,
        Value::Bool(b) => ScriptValue::Bool(b),
        Value::Int(i) => ScriptValue::Int(i),
        Value::Float(f) => ScriptValue::Number(f),
        Value::Str(s) => ScriptValue::Str(s.to_str_lossy().into_owned()),
        Value::Table(t) => {
            let meta = vm.get_metatable(&v);
            if let Some(meta) = meta {
                if let Value::Table(entity_meta) = internal(vm, "__mp_Entity")
                    && meta == entity_meta
                {
                    return Entity::from_raw(vm, v, Sealed(()))
                        .map(ScriptValue::Entity)
                        .map_err(|_| "an entity object without an entity".to_string());
                }
                if let Value::Table(vec_meta) = internal(vm, "__mp_Vec3")
                    && meta == vec_meta
                {
                    return Vec3::from_raw(vm, v, Sealed(()))
                        .map(ScriptValue::Vec3)
                        .map_err(|e| e.message().to_string());
                }
            }
            if path.contains(&t) {
                return Err("a table that contains itself cannot be copied".into());
            }
            if path.len() >= MAX_DEPTH {
                return Err(format!("tables nested deeper than {MAX_DEPTH}"));
            }
            path.push(t);
            let n = t.len();
            let mut entries = Vec::new();
            let mut key = Value::Nil;
            let mut sequence = n > 0;
            let mut count = 0i64;
            while let Ok(Some((k, item))) = t.next(key) {
                key = k;
                count += 1;
                if !matches!(k, Value::Int(i) if i >= 1 && i <= n) {
                    sequence = false;
                }
                let k = from_value(vm, k, path).map_err(|e| format!("in a key: {e}"))?;
                let item = from_value(vm, item, path).map_err(|e| match &k {
                    ScriptValue::Str(name) => format!("in field '{name}': {e}"),
                    ScriptValue::Int(i) => format!("in [{i}]: {e}"),
                    _ => e,
                })?;
                entries.push((k, item));
            }
            path.pop();
            if sequence && count == n {
                entries.sort_by_key(|(k, _)| k.as_i64().unwrap_or(0));
                ScriptValue::List(entries.into_iter().map(|(_, v)| v).collect())
            } else {
                ScriptValue::Map(entries)
            }
        }
        Value::UserData(_) => {
            // A reference to a glam vector copies as its value.
            if let Ok(v3) = Vec3::from_raw(vm, v, Sealed(())) {
                return Ok(ScriptValue::Vec3(v3));
            }
            return Err("a userdata (a component reference?) cannot be copied; copy its fields into a table".into());
        }
        other => return Err(format!("a {} cannot be copied", other.type_name())),
    })
}

/// Any Lua value that `ScriptValue` can carry (tables copied).
impl FromLua for ScriptValue {
    const LUA_TYPE: &'static str = "any";

    fn from_lua(value: LuaValue, vm: &mut Vm) -> Result<Self, Error> {
        let raw = vm.lower(&value)?;
        Self::from_raw(vm, raw, Sealed(()))
    }

    fn from_raw(vm: &mut Vm, v: Value, _: Sealed) -> Result<Self, Error> {
        ScriptValue::from_lua_value(vm, v).map_err(|e| Error::runtime(&e))
    }
}

impl IntoLua for ScriptValue {
    const LUA_TYPE: &'static str = "any";

    fn into_lua(self, vm: &mut Vm) -> Result<LuaValue, Error> {
        let raw = self.to_lua(vm);
        Ok(vm.lift(raw))
    }

    fn into_raw(self, vm: &mut Vm, _: Sealed) -> Result<Value, Error> {
        Ok(self.to_lua(vm))
    }
}

macro_rules! script_value_from {
    ($($t:ty => $v:expr),* $(,)?) => {$(
        impl From<$t> for ScriptValue {
            fn from(x: $t) -> Self {
                $v(x)
            }
        }
    )*};
}

script_value_from! {
    bool => ScriptValue::Bool,
    i64 => ScriptValue::Int,
    i32 => |x: i32| ScriptValue::Int(x as i64),
    u32 => |x: u32| ScriptValue::Int(x as i64),
    f64 => ScriptValue::Number,
    f32 => |x: f32| ScriptValue::Number(x as f64),
    String => ScriptValue::Str,
    &str => |x: &str| ScriptValue::Str(x.to_string()),
    Entity => ScriptValue::Entity,
    Vec3 => ScriptValue::Vec3,
    Vec<ScriptValue> => ScriptValue::List,
}

impl From<()> for ScriptValue {
    fn from(_: ()) -> Self {
        ScriptValue::Nil
    }
}
