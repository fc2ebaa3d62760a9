//! What scripts see: the wait primitives, `task`, `time`, `input`, `log`, `emit`, `spawn`,
//! `vec3`, and `self` methods. Natives receive only the VM, so the frame's context (current
//! entity, pressed keys) and the requests scripts make (spawn, despawn, emit, tasks) pass
//! through a thread-local that the script system fills before running Lua and drains after.

use std::cell::{Cell, RefCell};

use bevy::ecs::entity::Entity;

use super::functions::internal;
use crate::vm::Vm;
use crate::vm::runtime::error::LuaResult;
use crate::vm::runtime::function::Args;
use crate::vm::runtime::state::RootKey;
use crate::vm::runtime::value::Value;

/// Lua side of the API. The wait functions yield a request (a tag string and an argument) to
/// the scheduler in `tasks.rs`, which resumes the task when the request is met.
pub const PRELUDE: &str = r#"
local yield = coroutine.yield
function wait(seconds) return yield("__mp_wait", seconds or 0) end
function wait_frames(n) return yield("__mp_frames", n or 1) end
function wait_until(predicate) return yield("__mp_until", predicate) end
function wait_event(name) return yield("__mp_event", name) end
task = {
  spawn = __mp_task_spawn,
  cancel = __mp_task_cancel,
  join = function(handle) return yield("__mp_join", handle) end,
}
__mp_task_spawn, __mp_task_cancel = nil, nil

local Vec3 = {}
Vec3.__index = Vec3
function vec3(x, y, z) return setmetatable({x = x or 0, y = y or 0, z = z or 0}, Vec3) end
local function v(a) if type(a) == "number" then return a, a, a end return a.x, a.y, a.z end
function Vec3.__add(a, b) local ax, ay, az = v(a) local bx, by, bz = v(b) return vec3(ax + bx, ay + by, az + bz) end
function Vec3.__sub(a, b) local ax, ay, az = v(a) local bx, by, bz = v(b) return vec3(ax - bx, ay - by, az - bz) end
function Vec3.__mul(a, b) local ax, ay, az = v(a) local bx, by, bz = v(b) return vec3(ax * bx, ay * by, az * bz) end
function Vec3.__div(a, b) local ax, ay, az = v(a) local bx, by, bz = v(b) return vec3(ax / bx, ay / by, az / bz) end
function Vec3.__unm(a) return vec3(-a.x, -a.y, -a.z) end
function Vec3.__eq(a, b) return a.x == b.x and a.y == b.y and a.z == b.z end
function Vec3.__tostring(a) return string.format("vec3(%g, %g, %g)", a.x, a.y, a.z) end
function Vec3.dot(a, b) return a.x * b.x + a.y * b.y + a.z * b.z end
function Vec3.length(a) return math.sqrt(a:dot(a)) end
function Vec3.normalize(a) local l = a:length() if l == 0 then return vec3() end return a / l end
Vec3.__metatable = false
__mp_Vec3 = Vec3

-- Methods of every entity's `self` table.
__mp_Entity = { __index = { despawn = __mp_despawn }, __metatable = false }
__mp_despawn = nil
"#;

/// Fuel charged for a request carried out by the host (a message, a spawn, a cancel, a log
/// line): each costs the host about what a few dozen instructions do.
const REQUEST_FUEL: i64 = 32;

/// A request a script made during the frame, carried out by the script system afterwards.
pub enum Request {
    SpawnTask {
        entity: Entity,
        id: u64,
        thread: RootKey,
        args: RootKey,
    },
    CancelTask(u64),
    Despawn(Entity),
    Spawn {
        path: String,
        init: Option<RootKey>,
    },
    Emit {
        entity: Entity,
        name: String,
        payload: super::ScriptValue,
    },
    /// `require` of a module asset that has not loaded yet.
    LoadModule(String),
}

/// The frame's context for natives.
#[derive(Default)]
pub struct Context {
    /// The running script's asset path (shared with its module: switching scripts per entity
    /// compares pointers, copies nothing).
    pub path: std::rc::Rc<str>,
    pub pressed: Vec<&'static str>,
    pub just_pressed: Vec<&'static str>,
    pub requests: Vec<Request>,
    pub next_task: u64,
    /// Sources of loaded script assets by asset path, for `require`.
    pub modules: rustc_hash::FxHashMap<String, std::rc::Rc<[u8]>>,
}

thread_local! {
    pub static CONTEXT: RefCell<Context> = RefCell::new(Context::default());
    /// The entity whose script runs. Apart from `CONTEXT`, and with the address of the path
    /// `CONTEXT` holds, because both are set before every script run: two plain loads and
    /// stores instead of a `RefCell` borrow.
    pub static CURRENT_ENTITY: Cell<Option<Entity>> = const { Cell::new(None) };
    static CURRENT_PATH: Cell<*const u8> = const { Cell::new(std::ptr::null()) };
    /// Tasks the running entity's script may still spawn, and entities its script may still
    /// spawn this frame (`MoonpoolSettings::max_tasks_per_entity`, `max_spawns_per_frame`).
    pub static TASKS_LEFT: Cell<u32> = const { Cell::new(u32::MAX) };
    pub static SPAWNS_LEFT: Cell<u32> = const { Cell::new(u32::MAX) };
    /// The cap a native refused a script for, until the runtime reports the error.
    pub static CAP_HIT: Cell<Option<super::Budget>> = const { Cell::new(None) };
}

/// Takes one unit of a per-script cap, or fails with an error naming it.
fn take_cap(
    vm: &mut Vm,
    left: &'static std::thread::LocalKey<Cell<u32>>,
    budget: super::Budget,
    what: &str,
) -> LuaResult<()> {
    let n = left.get();
    if n == 0 {
        CAP_HIT.set(Some(budget));
        return Err(vm.rt_error(what));
    }
    left.set(n - 1);
    Ok(())
}

/// Sets the entity and script path natives see.
pub fn set_context(entity: Option<Entity>, path: &std::rc::Rc<str>) {
    CURRENT_ENTITY.set(entity);
    // `CONTEXT` keeps the path it holds alive, so an equal address is the same string.
    let address = std::rc::Rc::as_ptr(path) as *const u8;
    if CURRENT_PATH.get() != address {
        CURRENT_PATH.set(address);
        CONTEXT.with(|c| c.borrow_mut().path = path.clone());
    }
}

/// Installs the natives and the prelude into a fresh VM.
pub fn install(vm: &mut Vm) {
    vm.set_global_value("__mp_task_spawn", Value::Native(task_spawn));
    vm.set_global_value("__mp_task_cancel", Value::Native(task_cancel));
    vm.set_global_value("__mp_despawn", Value::Native(despawn));
    vm.set_global_value("emit", Value::Native(emit));
    vm.set_global_value("spawn", Value::Native(spawn));
    let input = vm.new_table();
    vm.set_field(input, "pressed", Value::Native(input_pressed));
    vm.set_field(input, "just_pressed", Value::Native(input_just_pressed));
    vm.set_global_value("input", Value::Table(input));
    let log = vm.new_table();
    vm.set_field(log, "info", Value::Native(log_info));
    vm.set_field(log, "warn", Value::Native(log_warn));
    vm.set_field(log, "error", Value::Native(log_error));
    vm.set_global_value("log", Value::Table(log));
    let time = vm.new_table();
    vm.set_field(time, "delta", Value::Float(0.0));
    vm.set_field(time, "elapsed", Value::Float(0.0));
    vm.set_field(time, "frame", Value::Int(0));
    vm.set_global_value("time", Value::Table(time));
    let prelude = vm
        .load_value(PRELUDE.as_bytes(), "=moonpool")
        .expect("prelude compiles");
    vm.call_values(prelude, &[]).expect("prelude runs");
    if let (Value::Table(entity_meta), Value::Table(vec3)) =
        (vm.global_value("__mp_Entity"), vm.global_value("__mp_Vec3"))
    {
        let k = vm.intern(b"__index");
        if let Value::Table(methods) = entity_meta.get_str(k) {
            super::reflect::install(vm, methods, entity_meta, vec3);
        }
    }
    // `require("a.b")` finds the script asset `a/b.lua` (relative to the asset folder).
    if let Value::Table(package) = vm.global_value("package") {
        let k = vm.intern(b"searchers");
        if let Value::Table(searchers) = package.get_str(k) {
            let n = searchers.len();
            let _ = vm.raw_set_checked(searchers, Value::Int(n + 1), Value::Native(search_asset));
        }
    }
    // The host's handles on what the sandbox hides from scripts.
    let registry = vm.registry();
    for (name, global) in [
        ("__mp_Entity", "__mp_Entity"),
        ("__mp_Vec3", "__mp_Vec3"),
        ("__mp_time", "time"),
    ] {
        let v = vm.global_value(global);
        vm.set_field(registry, name, v);
    }
    vm.set_global_value("__mp_Entity", Value::Nil);
    vm.set_global_value("__mp_Vec3", Value::Nil);
    let sandbox = vm
        .load_value(SANDBOX.as_bytes(), "=moonpool")
        .expect("sandbox compiles");
    let new_env = vm
        .call_values(sandbox, &[Value::Native(make_require)])
        .expect("sandbox runs");
    vm.set_field(registry, "__mp_new_env", new_env[0]);
}

/// The sandbox (see the README's "Sandbox"): game scripts get the standard library minus
/// `io`, the process and file parts of `os`, `dofile`/`loadfile`, most of `debug` and the
/// collector controls; the shared library tables are reachable only through read-only views,
/// and each script asset gets its own environment in which it may replace anything (its own
/// `string.format`, `math`, `print`, `_G.x`) without touching other scripts.
const SANDBOX: &str = r##"
local make_require = ...
local G, rawload, rawrequire = _G, load, require
local setmetatable, getmetatable, rawset, select, pairs, ipairs, error, tostring =
  setmetatable, getmetatable, rawset, select, pairs, ipairs, error, tostring
local collect = collectgarbage
G.debug = {traceback = debug.traceback, getinfo = debug.getinfo}
G.os = {clock = os.clock, time = os.time, date = os.date, difftime = os.difftime}
G.collectgarbage = function(opt, ...)
  if opt == "count" or opt == "isrunning" then return collect(opt, ...) end
  error("collectgarbage('" .. tostring(opt or "collect") .. "') is not available to game scripts", 2)
end
local function readonly(t, name)
  return setmetatable({}, {
    __index = t,
    __newindex = function() error("attempt to modify read-only table '" .. name .. "'", 2) end,
    __metatable = false,
  })
end
local libs = {}
for _, name in ipairs{"string", "table", "math", "utf8", "coroutine", "os", "debug", "package",
                      "task", "input", "log", "world", "time"} do
  local lib = G[name]
  if lib ~= nil then
    libs[name] = lib
    local view = readonly(lib, name)
    G[name] = view
    if package.loaded[name] ~= nil then package.loaded[name] = view end
  end
end
local loaded, searchers = package.loaded, package.searchers
local live = {time = true, package = true}
loaded._G = readonly(G, "_G")
getmetatable("").__metatable = false
-- A fresh environment for one script asset.
return function()
  local env = {}
  for name, lib in pairs(libs) do
    if live[name] then
      -- Read through: the host updates it.
      env[name] = setmetatable({}, {__index = lib, __metatable = false})
    else
      -- The script's own copy: `math.sin` is one lookup, and assignments (nil too) stay here.
      local copy = {}
      for k, v in pairs(lib) do copy[k] = v end
      env[name] = copy
    end
  end
  rawset(env.package, "loaded", readonly(loaded, "package.loaded"))
  rawset(env.package, "searchers", readonly(searchers, "package.searchers"))
  env._G = env
  env.load = function(...)
    if select("#", ...) >= 4 then return rawload(...) end
    local chunk, name, mode = ...
    return rawload(chunk, name, mode, env)
  end
  env.require = make_require(env, libs, rawrequire)
  return setmetatable(env, {__index = G, __metatable = false})
end
"##;

/// `make_require(env, libs, require)`: the `require` of one script environment (a native, so
/// that errors point at the requiring script, not at a wrapper).
fn make_require(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let up = [vm.arg(args, 0), vm.arg(args, 1), vm.arg(args, 2)];
    let f = vm.new_native_closure(require_in_env, &up);
    vm.ret1(args, f)
}

/// `require(name)` in a script: a standard library's name gives the script's own view of it;
/// anything else goes to the shared `require`.
fn require_in_env(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let up = match args.base.checked_sub(1).and_then(|f| vm.stack().get(f)) {
        Some(Value::NativeClosure(nc)) => nc.upvals.clone(),
        _ => return Ok(0),
    };
    let name = vm.arg(args, 0);
    if let (Some(Value::Table(env)), Some(Value::Table(libs))) = (up.first(), up.get(1))
        && !libs.get(name).is_nil()
    {
        let own = env.get(name);
        return vm.ret1(args, own);
    }
    let require = up.get(2).copied().unwrap_or(Value::Nil);
    let results = vm.call_values(require, &[name])?;
    vm.ret_values(args, &results)
}

/// The asset path of module `name`: dots become folders, as in `package.path`'s `?.lua`.
pub fn module_path(name: &str) -> String {
    format!("{}.lua", name.replace('.', "/"))
}

/// The `package.searchers` entry for script assets. A module that has not loaded yet is
/// requested from the asset server; the requiring script fails this frame and starts once it
/// is there (the error is not reported while a dependency is loading).
fn search_asset(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let name = vm
        .check_str(args, 0, "searcher")?
        .to_str_lossy()
        .into_owned();
    let path = module_path(&name);
    let found = CONTEXT.with(|c| c.borrow().modules.get(&path).cloned());
    match found {
        Some(source) => {
            let chunk = format!("@{path}");
            // A module runs in a sandboxed environment of its own, like a script asset.
            let new_env = internal(vm, "__mp_new_env");
            let env = vm
                .call_values(new_env, &[])?
                .first()
                .copied()
                .unwrap_or(Value::Nil);
            let f = vm.load_with_env(&source, &chunk, env)?;
            let p = vm.str_value(&path);
            vm.ret_values(args, &[f, p])
        }
        None => {
            // Asking the host to load an asset is host work (see `REQUEST_FUEL`).
            vm.charge_fuel(4 * REQUEST_FUEL)?;
            let msg = format!("\n\tno script asset '{path}' ({MODULE_LOADING} until it loads)");
            CONTEXT.with(|c| c.borrow_mut().requests.push(Request::LoadModule(path)));
            let m = vm.str_value(&msg);
            vm.ret1(args, m)
        }
    }
}

/// Marks errors caused by a dependency still loading (not reported).
pub const MODULE_LOADING: &str = "moonpool: waiting";

fn current_entity(vm: &mut Vm, fname: &str) -> LuaResult<Entity> {
    match CURRENT_ENTITY.get() {
        Some(e) => Ok(e),
        None => Err(vm.rt_error(&format!("'{fname}' needs a running entity script"))),
    }
}

/// `task.spawn(fn, ...)`: a new task of the running entity; returns its handle.
fn task_spawn(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let f = vm.arg(args, 0);
    if !f.is_function() {
        return Err(vm.arg_type_error(args, 0, "spawn", "function"));
    }
    let entity = current_entity(vm, "task.spawn")?;
    take_cap(
        vm,
        &TASKS_LEFT,
        super::Budget::Tasks,
        "too many tasks: this entity's script reached max_tasks_per_entity",
    )?;
    let rest = vm.new_table_with(args.n.saturating_sub(1), 0);
    for i in 1..args.n {
        let v = vm.arg(args, i);
        rest.get_mut().set_int(i as i64, v);
    }
    let co = vm.new_thread(f);
    let thread = vm.root(Value::Thread(co));
    let args_key = vm.root(Value::Table(rest));
    let id = CONTEXT.with(|c| {
        let mut c = c.borrow_mut();
        c.next_task += 1;
        let id = c.next_task;
        c.requests.push(Request::SpawnTask {
            entity,
            id,
            thread,
            args: args_key,
        });
        id
    });
    vm.ret1(args, Value::Int(id as i64))
}

/// `task.cancel(handle)`: the task ends before its next resume; its `<close>` variables close.
fn task_cancel(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let id = vm.check_int(args, 0, "cancel")?;
    vm.charge_fuel(REQUEST_FUEL)?;
    CONTEXT.with(|c| c.borrow_mut().requests.push(Request::CancelTask(id as u64)));
    Ok(0)
}

/// `self:despawn()`.
fn despawn(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let me = vm.check_table(args, 0, "despawn")?;
    let key = vm.intern(b"entity");
    let entity = match me.get_str(key) {
        Value::Int(bits) => Entity::try_from_bits(bits as u64),
        _ => None,
    };
    let Some(entity) = entity else {
        return Err(vm.rt_error("despawn: 'self.entity' is not an entity"));
    };
    CONTEXT.with(|c| c.borrow_mut().requests.push(Request::Despawn(entity)));
    Ok(0)
}

/// `spawn(script_path, init_table)`: a new entity running that script; `init_table`'s fields are
/// copied into its `self` before `on_spawn`.
fn spawn(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let path = vm.check_str(args, 0, "spawn")?;
    take_cap(
        vm,
        &SPAWNS_LEFT,
        super::Budget::Spawns,
        "too many spawns: this script reached max_spawns_per_frame",
    )?;
    // A spawn is host work (an entity, an asset load): charged like a few dozen instructions.
    vm.charge_fuel(REQUEST_FUEL)?;
    let path = path.to_str_lossy().into_owned();
    let init = match vm.arg(args, 1) {
        Value::Nil => None,
        Value::Table(t) => Some(vm.root(Value::Table(t))),
        _ => return Err(vm.arg_type_error(args, 1, "spawn", "table")),
    };
    CONTEXT.with(|c| c.borrow_mut().requests.push(Request::Spawn { path, init }));
    Ok(0)
}

/// `emit(name, payload)`: a `ScriptEmitted` message for Rust systems.
fn emit(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let name = vm.check_str(args, 0, "emit")?;
    vm.charge_fuel(REQUEST_FUEL + (name.len() >> 6) as i64)?;
    let name = name.to_str_lossy().into_owned();
    let payload = super::ScriptValue::from_lua(&vm.arg(args, 1));
    let entity = current_entity(vm, "emit")?;
    CONTEXT.with(|c| {
        c.borrow_mut().requests.push(Request::Emit {
            entity,
            name,
            payload,
        })
    });
    Ok(0)
}

fn key_query(vm: &mut Vm, args: Args, fname: &str, just: bool) -> LuaResult<usize> {
    let name = vm.check_str(args, 0, fname)?;
    let known =
        std::str::from_utf8(name.as_bytes()).is_ok_and(|n| key_names().by_name.contains_key(n));
    if !known {
        let msg = format!(
            "unknown key '{}' (Bevy KeyCode names: \"KeyA\", \"Space\", \"ArrowLeft\", ...)",
            name.to_str_lossy()
        );
        return Err(vm.arg_error(1, fname, &msg));
    }
    let hit = CONTEXT.with(|c| {
        let c = c.borrow();
        let list = if just { &c.just_pressed } else { &c.pressed };
        list.iter().any(|k| k.as_bytes() == name.as_bytes())
    });
    vm.ret1(args, Value::Bool(hit))
}

/// `input.pressed("Space")`: held this frame (Bevy `KeyCode` names: "KeyA", "ArrowLeft", ...).
fn input_pressed(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    key_query(vm, args, "pressed", false)
}

/// `input.just_pressed("Space")`: went down this frame.
fn input_just_pressed(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    key_query(vm, args, "just_pressed", true)
}

fn log_message(vm: &mut Vm, args: Args) -> LuaResult<String> {
    vm.charge_fuel(REQUEST_FUEL)?;
    let mut msg = String::new();
    for i in 0..args.n {
        if i > 0 {
            msg.push('\t');
        }
        let v = vm.arg(args, i);
        let s = vm.tostring(v)?;
        vm.charge_bytes(s.len())?;
        let room = LOG_LINE_MAX.saturating_sub(msg.len());
        msg.push_str(&String::from_utf8_lossy(&s.as_bytes()[..s.len().min(room)]));
    }
    if msg.len() >= LOG_LINE_MAX {
        msg.push_str(" [line truncated]");
    }
    Ok(msg)
}

/// Longest log line a script writes (`log.*`, `print`); the rest is cut, so one huge string
/// cannot flood the game's log or keep a buffer of its size.
const LOG_LINE_MAX: usize = 4096;

fn script_path() -> std::rc::Rc<str> {
    CONTEXT.with(|c| c.borrow().path.clone())
}

fn log_info(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let m = log_message(vm, args)?;
    bevy::log::info!("[{}] {m}", script_path());
    Ok(0)
}

fn log_warn(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let m = log_message(vm, args)?;
    bevy::log::warn!("[{}] {m}", script_path());
    Ok(0)
}

fn log_error(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let m = log_message(vm, args)?;
    bevy::log::error!("[{}] {m}", script_path());
    Ok(0)
}

/// `print` output, line by line, to Bevy's log with the script's path.
#[derive(Default)]
pub struct LogWriter {
    line: Vec<u8>,
}

impl std::io::Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        for &b in buf {
            if b == b'\n' {
                let cut = if self.line.len() > LOG_LINE_MAX {
                    self.line.truncate(LOG_LINE_MAX);
                    " [line truncated]"
                } else {
                    ""
                };
                bevy::log::info!(
                    "[{}] {}{cut}",
                    script_path(),
                    String::from_utf8_lossy(&self.line)
                );
                self.line.clear();
                self.line.shrink_to(LOG_LINE_MAX);
            } else if self.line.len() <= LOG_LINE_MAX {
                self.line.push(b);
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Every Bevy `KeyCode` with a name of its own (all but `Unidentified`), both ways, read once
/// from the type's reflection data so that the names are Bevy's own.
struct KeyNames {
    by_name: rustc_hash::FxHashMap<&'static str, bevy::input::keyboard::KeyCode>,
    by_key: rustc_hash::FxHashMap<bevy::input::keyboard::KeyCode, &'static str>,
}

fn key_names() -> &'static KeyNames {
    use bevy::input::keyboard::KeyCode;
    use bevy::reflect::enums::{DynamicEnum, DynamicVariant, VariantInfo};
    use bevy::reflect::{FromReflect, TypeInfo, Typed};
    static NAMES: std::sync::OnceLock<KeyNames> = std::sync::OnceLock::new();
    NAMES.get_or_init(|| {
        let mut names = KeyNames {
            by_name: Default::default(),
            by_key: Default::default(),
        };
        if let TypeInfo::Enum(info) = KeyCode::type_info() {
            for variant in info.iter() {
                let VariantInfo::Unit(unit) = variant else {
                    continue;
                };
                let name = unit.name();
                let value = DynamicEnum::new(name, DynamicVariant::Unit);
                if let Some(key) = KeyCode::from_reflect(&value) {
                    names.by_name.insert(name, key);
                    names.by_key.insert(key, name);
                }
            }
        }
        names
    })
}

/// A key's Bevy `KeyCode` name ("KeyA", "ArrowLeft", "Numpad7", ...).
pub fn key_name(k: bevy::input::keyboard::KeyCode) -> Option<&'static str> {
    key_names().by_key.get(&k).copied()
}
