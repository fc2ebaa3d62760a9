//! Rust functions for scripts, with typed arguments.
//!
//! ```no_run
//! use bevy::prelude::*;
//! use moonpool::plugin::{MoonpoolPlugin, ScriptFunctionsExt};
//!
//! App::new()
//!     .add_plugins((MinimalPlugins, MoonpoolPlugin::default()))
//!     .add_script_function("distance", &["a", "b"], |_: &mut World, a: Vec3, b: Vec3| {
//!         a.distance(b)
//!     });
//! ```
//!
//! Each argument is converted straight from the call's stack window (no allocation for
//! numbers, booleans, entities and vectors); a bad one is a Lua error naming it:
//! `bad argument #2 to 'distance' (b: table expected, got number)`.

use std::sync::Arc;

use bevy::app::App;
use bevy::ecs::entity::Entity;
use bevy::ecs::resource::Resource;
use bevy::ecs::world::World;
use bevy::math::Vec3;

use super::world::world;
use crate::vm::Vm;
use crate::vm::api::Sealed;
use crate::vm::runtime::error::LuaResult;
use crate::vm::runtime::function::Args;
use crate::vm::runtime::value::Value;
use crate::vm::{Error, FromLua, IntoLua, LuaValue};

/// How the plugin reads a number out of a raw value.
fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Int(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    }
}

/// An entity: `self`, an entity from `world.query`, or its id as an integer.
impl FromLua for Entity {
    const LUA_TYPE: &'static str = "Entity";

    fn from_lua(value: LuaValue, vm: &mut Vm) -> Result<Self, Error> {
        let raw = vm.lower(&value)?;
        Self::from_raw(vm, raw, Sealed(()))
    }

    /// Reads the table's `entity` field without rooting it (no allocation).
    fn from_raw(vm: &mut Vm, v: Value, _: Sealed) -> Result<Self, Error> {
        let bits = match v {
            Value::Table(t) => {
                let k = vm.intern(b"entity");
                t.get_str(k)
            }
            other => other,
        };
        match bits {
            Value::Int(b) => Entity::try_from_bits(b as u64)
                .ok_or_else(|| Error::conversion("entity expected", "integer")),
            other => Err(Error::conversion("entity expected", other.type_name())),
        }
    }
}

/// An entity object (`{entity = id}` with the entity methods).
impl IntoLua for Entity {
    const LUA_TYPE: &'static str = "Entity";

    fn into_lua(self, vm: &mut Vm) -> Result<LuaValue, Error> {
        let raw = self.into_raw(vm, Sealed(()))?;
        Ok(vm.lift(raw))
    }

    fn into_raw(self, vm: &mut Vm, _: Sealed) -> Result<Value, Error> {
        let t = vm.new_table();
        vm.set_field(t, "entity", Value::Int(self.to_bits() as i64));
        if let Value::Table(mt) = internal(vm, "__mp_Entity") {
            vm.set_type_metatable(&Value::Table(t), Some(mt));
        }
        Ok(Value::Table(t))
    }
}

/// A vector: anything with numeric `x`, `y`, `z` (a `vec3`, a table, a component reference).
impl FromLua for Vec3 {
    const LUA_TYPE: &'static str = "Vec3";

    fn from_lua(value: LuaValue, vm: &mut Vm) -> Result<Self, Error> {
        let raw = vm.lower(&value)?;
        Self::from_raw(vm, raw, Sealed(()))
    }

    /// Reads `x`, `y`, `z` without rooting the table (no allocation). Indexing may run an
    /// `__index` metamethod; the table stays alive meanwhile as the caller's argument.
    fn from_raw(vm: &mut Vm, v: Value, _: Sealed) -> Result<Self, Error> {
        if !matches!(v, Value::Table(_) | Value::UserData(_)) {
            return Err(Error::conversion("vector expected", v.type_name()));
        }
        let mut xyz = [0.0f32; 3];
        for (slot, name) in xyz.iter_mut().zip([b"x", b"y", b"z"]) {
            let k = Value::Str(vm.intern(name));
            let c = vm
                .index(v, k)
                .map_err(|_| Error::conversion("vector expected", v.type_name()))?;
            *slot = number(&c).ok_or_else(|| Error::conversion("vector expected", v.type_name()))?
                as f32;
        }
        Ok(Vec3::from_array(xyz))
    }
}

impl IntoLua for Vec3 {
    const LUA_TYPE: &'static str = "Vec3";

    fn into_lua(self, vm: &mut Vm) -> Result<LuaValue, Error> {
        let raw = self.into_raw(vm, Sealed(()))?;
        Ok(vm.lift(raw))
    }

    fn into_raw(self, vm: &mut Vm, _: Sealed) -> Result<Value, Error> {
        let t = vm.new_table();
        vm.set_field(t, "x", Value::Float(self.x as f64));
        vm.set_field(t, "y", Value::Float(self.y as f64));
        vm.set_field(t, "z", Value::Float(self.z as f64));
        if let Value::Table(mt) = internal(vm, "__mp_Vec3") {
            vm.set_type_metatable(&Value::Table(t), Some(mt));
        }
        Ok(Value::Table(t))
    }
}

/// What a script function returns: a value, or nothing for `()`.
pub trait ScriptReturn {
    const LUA_TYPE: &'static str;
    #[doc(hidden)]
    fn ret(self, vm: &mut Vm, args: Args, _: Sealed) -> LuaResult<usize>;
}

impl<T: IntoLua> ScriptReturn for T {
    const LUA_TYPE: &'static str = T::LUA_TYPE;
    fn ret(self, vm: &mut Vm, args: Args, sealed: Sealed) -> LuaResult<usize> {
        match self.into_raw(vm, sealed) {
            Ok(v) => vm.ret1(args, v),
            Err(e) => Err(vm.rt_error(e.message())),
        }
    }
}

impl ScriptReturn for () {
    const LUA_TYPE: &'static str = "nil";
    fn ret(self, _: &mut Vm, _: Args, _: Sealed) -> LuaResult<usize> {
        Ok(0)
    }
}

/// Converts the arguments, then takes the world for the Rust function: an argument's conversion
/// may run Lua (a vector's `__index`), which may call another script function, so no `&mut World`
/// may be alive while arguments convert.
type Call = Arc<dyn Fn(&mut Vm, Args) -> LuaResult<usize> + Send + Sync>;

/// One registered function.
pub struct ScriptFunction {
    pub name: String,
    /// Parameter names and LuaLS types.
    pub params: Vec<(String, &'static str)>,
    pub returns: &'static str,
    call: Call,
}

/// The functions registered with `add_script_function`; each becomes a global of every script.
#[derive(Resource, Default)]
pub struct ScriptFunctions {
    pub list: Vec<ScriptFunction>,
}

/// A Rust closure `Fn(&mut World, A, B, ...) -> R` usable as a script function.
pub trait IntoScriptFunction<Marker> {
    fn into_script_function(self, name: &str, params: &[&str]) -> ScriptFunction;
}

fn bad_argument(
    vm: &mut Vm,
    args: Args,
    i: usize,
    fname: &str,
    param: &str,
    expected: &str,
) -> crate::vm::runtime::error::LuaError {
    let got = if i < args.n {
        let v = vm.arg(args, i);
        vm.obj_type_name(&v)
    } else {
        "no value".to_string()
    };
    vm.arg_error(i + 1, fname, &format!("{param}: {expected}, got {got}"))
}

macro_rules! impl_script_function {
    ($($a:ident),*) => {
        impl<F, R, $($a,)*> IntoScriptFunction<fn($($a,)*) -> R> for F
        where
            F: Fn(&mut World, $($a),*) -> R + Send + Sync + 'static,
            R: ScriptReturn,
            $($a: FromLua,)*
        {
            #[allow(non_snake_case, unused_mut, unused_variables, unused_assignments)]
            fn into_script_function(self, name: &str, params: &[&str]) -> ScriptFunction {
                let types: &[&'static str] = &[$($a::LUA_TYPE),*];
                let params: Vec<(String, &'static str)> = types
                    .iter()
                    .enumerate()
                    .map(|(i, t)| {
                        let n = params.get(i).map_or_else(|| format!("arg{}", i + 1), |s| s.to_string());
                        (n, *t)
                    })
                    .collect();
                let fname: Arc<str> = name.into();
                let names: Arc<[String]> = params.iter().map(|(n, _)| n.clone()).collect();
                let call: Call = Arc::new(move |vm: &mut Vm, args: Args| {
                    let mut i = 0;
                    $(
                        let v = vm.arg(args, i);
                        let $a = match $a::from_raw(vm, v, Sealed(())) {
                            Ok(x) => x,
                            Err(e) => {
                                let expected = e.expected.map_or_else(
                                    || format!("{} expected", $a::LUA_TYPE),
                                    str::to_string,
                                );
                                return Err(bad_argument(vm, args, i, &fname, &names[i], &expected));
                            }
                        };
                        i += 1;
                    )*
                    let r = (self)(world(vm)?, $($a),*);
                    r.ret(vm, args, Sealed(()))
                });
                ScriptFunction {
                    name: name.to_string(),
                    params,
                    returns: R::LUA_TYPE,
                    call,
                }
            }
        }
    };
}

impl_script_function!();
impl_script_function!(A1);
impl_script_function!(A1, A2);
impl_script_function!(A1, A2, A3);
impl_script_function!(A1, A2, A3, A4);
impl_script_function!(A1, A2, A3, A4, A5);
impl_script_function!(A1, A2, A3, A4, A5, A6);

/// `app.add_script_function(name, param_names, closure)`.
pub trait ScriptFunctionsExt {
    fn add_script_function<M>(
        &mut self,
        name: &str,
        params: &[&str],
        f: impl IntoScriptFunction<M>,
    ) -> &mut Self;
}

impl ScriptFunctionsExt for App {
    fn add_script_function<M>(
        &mut self,
        name: &str,
        params: &[&str],
        f: impl IntoScriptFunction<M>,
    ) -> &mut Self {
        let function = f.into_script_function(name, params);
        self.world_mut()
            .get_resource_or_insert_with(ScriptFunctions::default)
            .list
            .push(function);
        self
    }
}

/// A table the plugin keeps out of scripts' reach (see `install`): "__mp_Entity" (entity
/// metatable), "__mp_Vec3" (vector metatable), "__mp_time" (the `time` table the host updates),
/// "__mp_new_env" (makes a script environment).
pub fn internal(vm: &mut Vm, name: &str) -> Value {
    let k = vm.intern(name.as_bytes());
    vm.registry().get_str(k)
}

/// Makes functions registered since the last call globals of `vm`.
pub fn install_new(vm: &mut Vm, functions: &ScriptFunctions, installed: &mut usize) {
    while *installed < functions.list.len() {
        let f = vm.new_native_closure(call_function, &[Value::Int(*installed as i64)]);
        vm.set_global_value(&functions.list[*installed].name, f);
        *installed += 1;
    }
}

fn call_function(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let index = match args.base.checked_sub(1).and_then(|f| vm.stack().get(f)) {
        Some(Value::NativeClosure(nc)) => match nc.upvals.first() {
            Some(Value::Int(i)) => *i as usize,
            _ => usize::MAX,
        },
        _ => usize::MAX,
    };
    let call = world(vm)?
        .get_resource::<ScriptFunctions>()
        .and_then(|f| f.list.get(index))
        .map(|f| f.call.clone());
    match call {
        Some(call) => call(vm, args),
        None => Err(vm.rt_error("script function is gone")),
    }
}
