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
use crate::vm::runtime::state::{Resumed, RootKey};
use crate::vm::runtime::thread::{CoStatus, ThreadKey};
use crate::vm::runtime::value::Value;
use slotmap::Key;

use super::value::Delivery;
use super::wait::{Tags, Wait};

/// Lua side of the API. The wait functions yield a request (a tag string and an argument) to
/// the scheduler in `tasks.rs`, which resumes the task when the request is met.
pub const PRELUDE: &str = r#"
local yield, task_id = coroutine.yield, __mp_task_id
function wait(seconds) return yield("__mp_wait", seconds or 0) end
function wait_frames(n) return yield("__mp_frames", n or 1) end
function wait_until(predicate, timeout) return yield("__mp_until", predicate, timeout) end
function wait_event(name, timeout) return yield("__mp_event", name, timeout) end
task = {
  spawn = __mp_task_spawn,
  defer = __mp_task_defer,
  delay = __mp_task_delay,
  cancel = __mp_task_cancel,
  join = function(handle, timeout) return yield("__mp_join", task_id(handle), timeout) end,
  wait = wait,
}
__mp_task_spawn, __mp_task_defer, __mp_task_delay, __mp_task_cancel, __mp_task_id = nil, nil, nil, nil, nil

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
    Despawn(Entity),
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
    pub requests: Vec<Request>,
    /// Sources of loaded script assets by asset path, for `require`.
    pub modules: rustc_hash::FxHashMap<String, std::rc::Rc<[u8]>>,
    /// For each module's asset path, the asset paths of the scripts and modules that require
    /// it (what a hot reload of the module reloads).
    pub dependents: rustc_hash::FxHashMap<String, rustc_hash::FxHashSet<String>>,
    /// The module name each required module's asset path was required as.
    pub module_names: rustc_hash::FxHashMap<String, String>,
}

/// A task request of the running instance, filed by the runtime when the run ends.
pub enum TaskRequest {
    /// A new task of the instance that ran: after its first slice (`task.spawn`), or not yet
    /// run (`task.defer`, `task.delay`, which give `args`).
    Spawn {
        id: u64,
        thread: RootKey,
        key: ThreadKey,
        wait: Wait,
        args: Option<RootKey>,
    },
    /// A task `task.cancel` ended (closed already, or running: ends when it yields).
    Cancel(u64),
}

thread_local! {
    /// The handles `spawn` made, by path (kept: the scripts stay loaded).
    static SCRIPT_HANDLES: RefCell<rustc_hash::FxHashMap<String, bevy::asset::Handle<super::LuaScript>>> =
        RefCell::new(rustc_hash::FxHashMap::default());
    /// `spawn(path, components, init)` tables waiting for their entity's script to start.
    pub static PENDING_INIT: RefCell<rustc_hash::FxHashMap<Entity, RootKey>> =
        RefCell::new(rustc_hash::FxHashMap::default());
    pub static CONTEXT: RefCell<Context> = RefCell::new(Context::default());
    /// The script instance that runs (and its serial, which task handles carry). Apart from
    /// `CONTEXT`, and with the address of the path `CONTEXT` holds, because both are set
    /// before every script run: plain loads and stores instead of a `RefCell` borrow.
    pub static CURRENT: Cell<Option<(Entity, u64)>> = const { Cell::new(None) };
    /// Task spawns and cancels of the running instance (see `TaskRequest`).
    pub static TASK_REQUESTS: RefCell<Vec<TaskRequest>> = const { RefCell::new(Vec::new()) };
    /// Set when a native left work for the runtime after the run (a cap taken, an entry in
    /// `TASK_REQUESTS` or `TASK_FAILURES`): it looks only then (one flag read per run).
    pub static TASK_WORK: Cell<bool> = const { Cell::new(false) };
    /// Errors of tasks that failed in their first slice (inside `task.spawn`): path, entity,
    /// message.
    pub static TASK_FAILURES: RefCell<Vec<(Option<Entity>, String)>> = const { RefCell::new(Vec::new()) };
    /// Messages scripts sent (`send`), for the runtime to deliver this frame.
    pub static OUTBOX: RefCell<Vec<Delivery>> = const { RefCell::new(Vec::new()) };
    /// Script instances running (all, and world scripts), for charging broadcasts.
    pub static RUNNING_SCRIPTS: Cell<usize> = const { Cell::new(0) };
    pub static RUNNING_WORLD_SCRIPTS: Cell<usize> = const { Cell::new(0) };
    /// Game time and frame number now (for the waits of tasks started inside a native).
    pub static CLOCK: Cell<(f64, u64)> = const { Cell::new((0.0, 0)) };
    static NEXT_TASK: Cell<u64> = const { Cell::new(0) };
    /// Modules being loaded by `require`, outermost first (a cycle is an error).
    static REQUIRING: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
    static CURRENT_PATH: Cell<*const u8> = const { Cell::new(std::ptr::null()) };
    /// Tasks the running entity's script may still spawn, and entities its script may still
    /// spawn this frame (`MoonpoolSettings::max_tasks_per_entity`, `max_spawns_per_frame`).
    pub static TASKS_LEFT: Cell<u32> = const { Cell::new(u32::MAX) };
    pub static SPAWNS_LEFT: Cell<u32> = const { Cell::new(u32::MAX) };
    /// Messages the running script may still send this frame.
    pub static MESSAGES_LEFT: Cell<u32> = const { Cell::new(u32::MAX) };
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
    // The runtime settles the caps after the run.
    TASK_WORK.set(true);
    Ok(())
}

fn push_task_request(r: TaskRequest) {
    TASK_REQUESTS.with(|q| q.borrow_mut().push(r));
    TASK_WORK.set(true);
}

/// A new task id (ids are never reused, so a stale handle names no live task).
pub fn next_task_id() -> u64 {
    let id = NEXT_TASK.get() + 1;
    NEXT_TASK.set(id);
    id
}

/// Sets the script instance and path natives see.
pub fn set_context(current: Option<(Entity, u64)>, path: &std::rc::Rc<str>) {
    CURRENT.set(current);
    // `CONTEXT` keeps the path it holds alive, so an equal address is the same string.
    let address = std::rc::Rc::as_ptr(path) as *const u8;
    if CURRENT_PATH.get() != address {
        CURRENT_PATH.set(address);
        CONTEXT.with(|c| c.borrow_mut().path = path.clone());
    }
}

/// Installs the natives and the prelude into a fresh VM.
pub fn install(vm: &mut Vm) {
    let task_meta = vm.new_table();
    let name = vm.str_value("task");
    vm.set_field(task_meta, "__name", name);
    vm.set_field(task_meta, "__tostring", Value::Native(task_tostring));
    vm.set_field(task_meta, "__metatable", Value::Bool(false));
    let registry = vm.registry();
    vm.set_field(registry, "__mp_Task", Value::Table(task_meta));
    vm.set_global_value("__mp_task_spawn", Value::Native(task_spawn));
    vm.set_global_value("__mp_task_defer", Value::Native(task_defer));
    vm.set_global_value("__mp_task_delay", Value::Native(task_delay));
    vm.set_global_value("__mp_task_cancel", Value::Native(task_cancel));
    vm.set_global_value("__mp_task_id", Value::Native(task_id));
    vm.set_global_value("send", Value::Native(send));
    vm.set_global_value("__mp_despawn", Value::Native(despawn));
    vm.set_global_value("emit", Value::Native(emit));
    vm.set_global_value("spawn", Value::Native(spawn));
    let input = vm.new_table();
    super::input::install(vm, input);
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
    // Game scripts load text only: no binary chunk reaches them through any `load`.
    vm.set_binary_chunks(false);
    let sandbox = vm
        .load_value(SANDBOX.as_bytes(), "=moonpool")
        .expect("sandbox compiles");
    let new_env = vm
        .call_values(sandbox, &[Value::Native(make_require)])
        .expect("sandbox runs");
    vm.set_field(registry, "__mp_new_env", new_env[0]);
}

/// The sandbox (see the README's "Sandbox"): game scripts get the standard library minus
/// `io`, the process and file parts of `os`, `dofile`/`loadfile`, `string.dump` (and the VM
/// refuses binary chunks), most of `debug` and the collector controls; the shared library
/// tables are reachable only through read-only views, and each script asset gets its own
/// environment in which it may replace anything (its own `string.format`, `math`, `print`,
/// `_G.x`) without touching other scripts.
const SANDBOX: &str = r##"
local make_require = ...
local G, rawload, rawrequire = _G, load, require
local setmetatable, getmetatable, rawset, select, pairs, ipairs, error, tostring =
  setmetatable, getmetatable, rawset, select, pairs, ipairs, error, tostring
local collect = collectgarbage
G.string.dump = nil
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
-- A fresh environment for one script asset (or module) at asset path `owner`.
return function(owner)
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
  env.require = make_require(env, libs, rawrequire, owner)
  return setmetatable(env, {__index = G, __metatable = false})
end
"##;

/// `make_require(env, libs, require, owner)`: the `require` of one script environment (a
/// native, so that errors point at the requiring script, not at a wrapper). Its last upvalue
/// is a table of the names this environment required (see `require_in_env`).
fn make_require(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let seen = vm.new_table();
    let up = [
        vm.arg(args, 0),
        vm.arg(args, 1),
        vm.arg(args, 2),
        vm.arg(args, 3),
        Value::Table(seen),
    ];
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
    let Value::Str(module) = name else {
        let results = vm.call_values(require, &[name])?;
        return vm.ret_values(args, &results);
    };
    // The first require of each name from this environment records who depends on the
    // module (for hot reload); later ones cost a table lookup.
    if let (Some(Value::Str(owner)), Some(Value::Table(seen))) = (up.get(3), up.get(4))
        && seen.get(name).is_nil()
    {
        vm.raw_set_checked(*seen, name, Value::Bool(true))?;
        let module = module.to_str_lossy().into_owned();
        let owner = owner.to_str_lossy().into_owned();
        CONTEXT.with(|c| {
            let mut c = c.borrow_mut();
            let path = module_path(&module);
            c.dependents.entry(path.clone()).or_default().insert(owner);
            c.module_names.insert(path, module);
        });
    }
    let loaded = {
        let reg = vm.registry();
        let k = vm.intern(b"_LOADED");
        match reg.get_str(k) {
            Value::Table(t) => !t.get(name).is_nil(),
            _ => false,
        }
    };
    if loaded {
        let results = vm.call_values(require, &[name])?;
        return vm.ret_values(args, &results);
    }
    // Not loaded yet: a module that requires itself (directly or through others) would
    // recurse until the stack runs out; name the cycle instead.
    let text = module.to_str_lossy().into_owned();
    if let Some(at) = REQUIRING.with(|r| r.borrow().iter().position(|m| *m == text)) {
        let chain = REQUIRING.with(|r| r.borrow()[at..].join("' -> '"));
        return Err(vm.rt_error(&format!(
            "require cycle: '{chain}' -> '{text}' (modules that require each other)"
        )));
    }
    REQUIRING.with(|r| r.borrow_mut().push(text));
    let results = vm.call_values(require, &[name]);
    REQUIRING.with(|r| r.borrow_mut().pop());
    let results = results?;
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
            let owner = vm.str_value(&path);
            let env = vm
                .call_values(new_env, &[owner])?
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

/// The running script's entity and instance serial.
fn current(vm: &mut Vm, fname: &str) -> LuaResult<(Entity, u64)> {
    match CURRENT.get() {
        Some(c) => Ok(c),
        None => Err(vm.rt_error(&format!("'{fname}' needs a running script"))),
    }
}

fn current_entity(vm: &mut Vm, fname: &str) -> LuaResult<Entity> {
    Ok(current(vm, fname)?.0)
}

/// The opaque handle of a task: a userdata only this module makes, carrying the task id, the
/// serial of the script instance that owns it and the coroutine's key.
fn task_handle(vm: &mut Vm, id: u64, serial: u64, key: ThreadKey) -> Value {
    let meta = match internal(vm, "__mp_Task") {
        Value::Table(t) => Some(t),
        _ => None,
    };
    vm.new_word_userdata([id, serial, key.data().as_ffi(), 0], meta)
}

/// The words of a task handle argument, or an argument error.
fn task_arg(vm: &mut Vm, args: Args, i: usize, fname: &str) -> LuaResult<[u64; 4]> {
    let v = vm.arg(args, i);
    let meta = internal(vm, "__mp_Task");
    if let Value::UserData(u) = v
        && let Value::Table(m) = meta
        && u.meta == Some(m)
    {
        return Ok(u.words);
    }
    Err(vm.arg_type_error(args, i, fname, "task"))
}

/// The function and the arguments after it (from `first`) of a task-starting call.
fn task_function(vm: &mut Vm, args: Args, at: usize, fname: &str) -> LuaResult<Value> {
    let f = vm.arg(args, at);
    if !f.is_function() {
        return Err(vm.arg_type_error(args, at, fname, "function"));
    }
    Ok(f)
}

/// Takes a task off the running instance's cap.
fn take_task_cap(vm: &mut Vm) -> LuaResult<()> {
    take_cap(
        vm,
        &TASKS_LEFT,
        super::Budget::Tasks,
        "too many tasks: this entity's script reached max_tasks_per_entity",
    )
}

/// `task.spawn(fn, ...)`: a new task of the running script, run at once until its first wait
/// (an error in it is reported as that task's and does not reach the caller); returns its
/// handle.
fn task_spawn(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let f = task_function(vm, args, 0, "spawn")?;
    let (entity, serial) = current(vm, "task.spawn")?;
    take_task_cap(vm)?;
    let co = vm.new_thread(f);
    let thread = vm.root(Value::Thread(co));
    let id = next_task_id();
    let handle = task_handle(vm, id, serial, co);
    let argv: smallvec::SmallVec<[Value; 8]> = (1..args.n).map(|i| vm.arg(args, i)).collect();
    match vm.resume_in_place(co, &argv) {
        Ok(Resumed::Finished(_)) => {
            vm.unroot(thread);
        }
        Ok(Resumed::Yielded(_)) => {
            let vals: smallvec::SmallVec<[Value; 3]> =
                vm.resume_values().iter().take(3).copied().collect();
            let (elapsed, frame) = CLOCK.get();
            let wait = Tags::new(vm).wait_for(vm, &vals, elapsed, frame);
            push_task_request(TaskRequest::Spawn {
                id,
                thread,
                key: co,
                wait,
                args: None,
            });
        }
        // The run's fuel is spent: the spawner stops at its next check; the task goes on
        // next frame.
        Ok(Resumed::OutOfFuel) => push_task_request(TaskRequest::Spawn {
            id,
            thread,
            key: co,
            wait: Wait::Ready,
            args: None,
        }),
        Err(e) => {
            let mut message = vm.error_message(&e, 4096);
            let tb = vm.thread_traceback(co);
            if !tb.is_empty() {
                message.push('\n');
                message.push_str(&tb);
            }
            vm.close_thread(co);
            vm.unroot(thread);
            TASK_FAILURES.with(|f| f.borrow_mut().push((Some(entity), message)));
            TASK_WORK.set(true);
        }
    }
    vm.ret1(args, handle)
}

/// A task that runs later with `fn(...)`: after `wait` is met.
fn later(vm: &mut Vm, args: Args, at: usize, fname: &str, wait: Wait) -> LuaResult<usize> {
    let f = task_function(vm, args, at, fname)?;
    let (_, serial) = current(vm, fname)?;
    take_task_cap(vm)?;
    vm.charge_fuel(REQUEST_FUEL)?;
    let rest = vm.new_table_with(args.n.saturating_sub(at + 1), 0);
    for i in at + 1..args.n {
        let v = vm.arg(args, i);
        rest.get_mut().set_int((i - at) as i64, v);
    }
    let co = vm.new_thread(f);
    let thread = vm.root(Value::Thread(co));
    let args_key = vm.root(Value::Table(rest));
    let id = next_task_id();
    let handle = task_handle(vm, id, serial, co);
    push_task_request(TaskRequest::Spawn {
        id,
        thread,
        key: co,
        wait,
        args: Some(args_key),
    });
    vm.ret1(args, handle)
}

/// `task.defer(fn, ...)`: a task that starts after the running code yields or returns, in the
/// same frame (after the script's other due tasks).
fn task_defer(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    later(vm, args, 0, "task.defer", Wait::Ready)
}

/// `task.delay(seconds, fn, ...)`: a task that starts once `seconds` of game time passed.
fn task_delay(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let secs = match vm.arg(args, 0) {
        Value::Int(i) => i.max(0) as f64,
        Value::Float(f) if f.is_finite() => f.max(0.0),
        _ => return Err(vm.arg_type_error(args, 0, "delay", "number")),
    };
    let (elapsed, _) = CLOCK.get();
    let wait = Wait::Seconds {
        until: elapsed + secs,
        since: elapsed,
    };
    later(vm, args, 1, "task.delay", wait)
}

/// `task.cancel(handle)`: ends the task now (its `<close>` variables close before this
/// returns); a task cancelling itself ends at its next wait. Only the script that started a
/// task may cancel it; cancelling a finished task does nothing.
fn task_cancel(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let [id, owner, key, _] = task_arg(vm, args, 0, "cancel")?;
    let (_, serial) = current(vm, "task.cancel")?;
    if owner != serial {
        return Err(vm.arg_error(1, "cancel", "the task belongs to another script"));
    }
    vm.charge_fuel(REQUEST_FUEL)?;
    let key = ThreadKey::from(slotmap::KeyData::from_ffi(key));
    match vm.thread_status(key) {
        Some(CoStatus::Suspended) => {
            if let Some(e) = vm.close_thread(key) {
                let msg = vm.error_to_string(&crate::vm::runtime::error::LuaError::Value(e));
                bevy::log::warn!("error closing a cancelled task: {msg}");
            }
        }
        Some(CoStatus::Running | CoStatus::Normal) => {}
        // Finished (or never filed): nothing to end.
        Some(CoStatus::Dead) | None => return Ok(0),
    }
    push_task_request(TaskRequest::Cancel(id));
    Ok(0)
}

/// The id of a task handle, for `task.join`'s wait request.
fn task_id(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let [id, ..] = task_arg(vm, args, 0, "join")?;
    vm.ret1(args, Value::Int(id as i64))
}

fn task_tostring(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let [id, ..] = task_arg(vm, args, 0, "tostring")?;
    let s = vm.str_value(&format!("task: {id}"));
    vm.ret1(args, s)
}

/// The payload argument copied out of the VM, charged by its size.
fn payload_arg(vm: &mut Vm, args: Args, i: usize, fname: &str) -> LuaResult<super::ScriptValue> {
    take_cap(
        vm,
        &MESSAGES_LEFT,
        super::Budget::Messages,
        "too many messages: this script reached max_messages_per_frame",
    )?;
    let v = vm.arg(args, i);
    match super::ScriptValue::from_lua_value(vm, v) {
        Ok(p) => {
            vm.charge_fuel(REQUEST_FUEL + payload_size(&p) as i64)?;
            Ok(p)
        }
        Err(msg) => Err(vm.arg_error(i + 1, fname, &format!("payload: {msg}"))),
    }
}

/// Values in a payload (what copying it costs, roughly).
fn payload_size(p: &super::ScriptValue) -> usize {
    use super::ScriptValue as V;
    match p {
        V::List(items) => 1 + items.iter().map(payload_size).sum::<usize>(),
        V::Map(entries) => {
            1 + entries
                .iter()
                .map(|(k, v)| payload_size(k) + payload_size(v))
                .sum::<usize>()
        }
        V::Str(s) => 1 + s.len() / 64,
        _ => 1,
    }
}

/// Fuel a sender pays per receiver of a message: delivering costs the host a payload copy and a
/// call, about what a dozen instructions do.
const DELIVERY_FUEL: i64 = 16;

/// `send(target, name, payload)`: a message to scripts, delivered this frame (`on_event`,
/// `wait_event`). `target`: an entity (`self`, a spawned or queried entity), `"all"` or
/// `"world"`.
fn send(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let target = match vm.arg(args, 0) {
        Value::Str(s) if s.as_bytes() == b"all" => super::ScriptTarget::All,
        Value::Str(s) if s.as_bytes() == b"world" => super::ScriptTarget::World,
        v => {
            let e = <Entity as crate::vm::FromLua>::from_raw(vm, v, crate::vm::api::Sealed(()))
                .map_err(|_| vm.arg_type_error(args, 0, "send", "entity, \"all\" or \"world\""))?;
            if super::world::world(vm)?.get_entity(e).is_err() {
                return Err(vm.arg_error(
                    1,
                    "send",
                    &format!("entity {e} does not exist (despawned?)"),
                ));
            }
            super::ScriptTarget::Entity(e)
        }
    };
    let name = vm.check_str(args, 1, "send")?.to_str_lossy().into_owned();
    let payload = payload_arg(vm, args, 2, "send")?;
    // The sender pays for the deliveries a broadcast makes (each is a callback or a resume).
    let receivers = match target {
        super::ScriptTarget::All => RUNNING_SCRIPTS.get(),
        super::ScriptTarget::World => RUNNING_WORLD_SCRIPTS.get(),
        super::ScriptTarget::Entity(_) => 1,
    };
    vm.charge_fuel(receivers as i64 * DELIVERY_FUEL)?;
    OUTBOX.with(|o| {
        o.borrow_mut().push(Delivery {
            target,
            name,
            payload,
        })
    });
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

/// `spawn(script_path_or_nil, components, self_init)`: a new entity, returned at once. Each
/// field of `components` is a component by its reflected type name, built from its value
/// (`{Transform = {translation = vec3(1, 2, 0)}, Health = {current = 3}}`); with a path the
/// entity also gets `Script` and its script starts next frame, with `self_init`'s fields
/// copied into its `self` before `on_spawn`. A bad component despawns the entity and raises
/// the error.
fn spawn(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let path = match vm.arg(args, 0) {
        Value::Nil => None,
        Value::Str(s) => Some(s),
        _ => return Err(vm.arg_type_error(args, 0, "spawn", "string or nil")),
    };
    let components = match vm.arg(args, 1) {
        Value::Nil => None,
        Value::Table(t) => Some(t),
        _ => return Err(vm.arg_type_error(args, 1, "spawn", "table or nil")),
    };
    let init = match vm.arg(args, 2) {
        Value::Nil => None,
        Value::Table(t) => Some(t),
        _ => return Err(vm.arg_type_error(args, 2, "spawn", "table or nil")),
    };
    take_cap(
        vm,
        &SPAWNS_LEFT,
        super::Budget::Spawns,
        "too many spawns: this script reached max_spawns_per_frame",
    )?;
    // A spawn is host work (an entity, an asset load): charged like a few dozen instructions.
    vm.charge_fuel(REQUEST_FUEL)?;
    let entity = super::world::world(vm)?.spawn_empty().id();
    if let Some(components) = components {
        let mut key = Value::Nil;
        loop {
            let (k, v) = match components.next(key) {
                Ok(Some(kv)) => kv,
                Ok(None) => break,
                Err(_) => return Err(vm.rt_error("spawn: components table changed while read")),
            };
            key = k;
            let inserted = match k {
                Value::Str(name) => {
                    let name = name.to_str_lossy().into_owned();
                    super::reflect::insert_named(vm, entity, &name, v)
                }
                _ => Err(vm.arg_error(2, "spawn", "component names (strings) expected as keys")),
            };
            if let Err(e) = inserted {
                if let Ok(w) = super::world::world(vm) {
                    w.despawn(entity);
                }
                return Err(e);
            }
        }
    }
    if let Some(path) = path {
        let world = super::world::world(vm)?;
        // Handles by path: asking the asset server again for a loaded script allocates (the
        // path is parsed and looked up), and games spawn the same few scripts over and over.
        let path = path.to_str_lossy();
        let cached = SCRIPT_HANDLES.with(|h| h.borrow().get(&*path).cloned());
        let handle = match cached {
            Some(h) => h,
            None => {
                let h = world
                    .resource::<bevy::asset::AssetServer>()
                    .load::<super::LuaScript>(path.to_string());
                SCRIPT_HANDLES.with(|c| c.borrow_mut().insert(path.into_owned(), h.clone()));
                h
            }
        };
        world.entity_mut(entity).insert(super::Script::new(handle));
        if let Some(init) = init {
            let key = vm.root(Value::Table(init));
            PENDING_INIT.with(|p| p.borrow_mut().insert(entity, key));
        }
    }
    let e = <Entity as crate::vm::IntoLua>::into_raw(entity, vm, crate::vm::api::Sealed(()))
        .map_err(|e| vm.rt_error(e.message()))?;
    vm.ret1(args, e)
}

/// `emit(name, payload)`: a `ScriptEmitted` message for Rust systems.
fn emit(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let name = vm.check_str(args, 0, "emit")?;
    vm.charge_fuel(REQUEST_FUEL + (name.len() >> 6) as i64)?;
    let name = name.to_str_lossy().into_owned();
    let entity = current_entity(vm, "emit")?;
    let payload = payload_arg(vm, args, 1, "emit")?;
    CONTEXT.with(|c| {
        c.borrow_mut().requests.push(Request::Emit {
            entity,
            name,
            payload,
        })
    });
    Ok(0)
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
