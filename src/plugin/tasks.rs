//! The script runtime: one VM for all scripts, a module (environment) per script asset, a `self`
//! table and a list of tasks (coroutines) per entity, and the per-frame scheduler.
//!
//! Order within a frame (deterministic): entities in the order their scripts started; for each,
//! `on_update(self, dt)` then its tasks in the order they were spawned. A task waiting on
//! `wait(s)` resumes on the first frame whose elapsed game time reaches its deadline.
//!
//! The frame's big steps (`run_entity_at`, `start_entity`, `collect_step`, ...) are
//! `#[inline(never)]`: inlined into `run_scripts` (one caller each) they made the frame slower.

use bevy::ecs::entity::Entity;
use bevy::log::{error, warn};
use bevy::math::{Quat, Vec3};
use bevy::transform::components::Transform;
use rustc_hash::FxHashMap;

use crate::vm::runtime::gc::Gc;
use crate::vm::runtime::string::LuaStr;
use crate::vm::runtime::table::Table;
use crate::vm::runtime::thread::ThreadKey;
use std::rc::Rc;

use crate::vm::Vm;
use crate::vm::runtime::error::LuaError;
use crate::vm::runtime::state::Resumed;
use crate::vm::runtime::state::RootKey;
use crate::vm::runtime::value::Value;

use super::RunawayPolicy;
use super::api::{self, set_context};
use super::budget::{FrameClock, ScriptFrameUse};
use super::stats::{FrameReport, ScriptReport, objects_of};
use super::value::{Delivery, ScriptTarget, ScriptValue};
use super::wait::Tags;
pub use super::wait::{Instance, Wait};
use crate::vm::runtime::thread::CoStatus;

pub struct Task {
    pub(crate) id: u64,
    pub(crate) thread: RootKey,
    pub(crate) key: ThreadKey,
    pub(crate) wait: Wait,
    /// Arguments for the first resume (`task.defer`, `task.delay`, `main`).
    pub(crate) args: Option<RootKey>,
    /// The frame it last ran in: a task runs at most once a frame on the schedule (a message
    /// it waits for wakes it whenever it arrives).
    pub(crate) ran_in: u64,
}

/// A script asset instantiated in the VM: its own global environment (falling back to `_G`).
pub struct Module {
    pub(crate) env: RootKey,
    /// The table `env` roots.
    pub(crate) env_table: Gc<Table>,
    /// Shared so that naming the running script each call does not allocate.
    pub(crate) path: std::rc::Rc<str>,
    /// Its share of the last frame.
    pub(crate) report: ScriptReport,
    /// Its use of the frame's budgets (time, spawns), shared with its entities' module refs.
    pub(crate) frame_use: Rc<ScriptFrameUse>,
}

pub struct EntityScript {
    pub(crate) asset: bevy::asset::AssetId<super::LuaScript>,
    pub(crate) self_table: RootKey,
    /// The table `self_table` roots.
    pub(crate) me: Gc<Table>,
    pub(crate) tasks: Vec<Task>,
    /// Set once `on_spawn` ran.
    pub(crate) started: bool,
    /// A world script (`WorldScript`): runs before the entity scripts, gets messages sent to
    /// "world", and its `self` is a plain table.
    pub(crate) world: bool,
    /// Numbers the instance for task handles: a handle names the instance that may cancel it.
    pub(crate) serial: u64,
    /// The transform as `self.transform` last held it: unchanged components are not copied in.
    pub(crate) synced: Option<Transform>,
    /// The tables `self.transform` was made of at that point, for reading back only the parts
    /// a script wrote.
    transform_tables: Option<TransformTables>,
    module: Option<ModuleRef>,
}
/// `self.transform` and its translation, scale and rotation tables as last synced, with the
/// tables' write versions then (`Table::version`). While the transform table's version is
/// unchanged it still holds these parts, and a part whose version is unchanged still holds
/// the synced values: the entity's own script, another entity's (a part may be shared) or the
/// host would have bumped it.
#[derive(Clone, Copy)]
struct TransformTables {
    table: Gc<Table>,
    table_version: u32,
    parts: [Option<(Gc<Table>, u32)>; 3],
    /// Where the entries of the transform table and its parts were, for prefetching: plain
    /// addresses, never read through (a table may have grown or died since).
    entries: [usize; 4],
}

impl TransformTables {
    fn record(tr: Gc<Table>, keys: &Keys) -> TransformTables {
        let part = |k: Gc<LuaStr>| match tr.get_str(k) {
            Value::Table(p) => Some((p, p.version())),
            _ => None,
        };
        let parts = [
            part(keys.translation),
            part(keys.scale),
            part(keys.rotation),
        ];
        let entries = |i: usize| parts[i].map_or(0, |(p, _)| p.nodes_addr());
        TransformTables {
            table: tr,
            table_version: tr.version(),
            parts,
            entries: [tr.nodes_addr(), entries(0), entries(1), entries(2)],
        }
    }
}

/// The running scripts, stored densely in resume order (world scripts first, then entity
/// scripts in the order they started), so the per-frame walk reads memory in sequence; small
/// maps find an instance's position and an entity's scripts.
#[derive(Default)]
pub struct EntityScripts {
    list: Vec<(Instance, EntityScript)>,
    position: FxHashMap<Instance, u32>,
    /// The scripts of each entity, in the order they started.
    of_entity: FxHashMap<Entity, smallvec::SmallVec<[bevy::asset::AssetId<super::LuaScript>; 1]>>,
    /// How many of `list`'s first entries are world scripts.
    worlds: usize,
}

impl EntityScripts {
    pub(crate) fn len(&self) -> usize {
        self.list.len()
    }

    pub(crate) fn contains_key(&self, i: &Instance) -> bool {
        self.position.contains_key(i)
    }

    pub(crate) fn get(&self, i: &Instance) -> Option<&EntityScript> {
        let &p = self.position.get(i)?;
        Some(&self.list[p as usize].1)
    }

    pub(crate) fn get_mut(&mut self, i: &Instance) -> Option<&mut EntityScript> {
        let &p = self.position.get(i)?;
        Some(&mut self.list[p as usize].1)
    }

    /// The scripts running on `entity`, in the order they started.
    pub(crate) fn of(&self, entity: Entity) -> impl Iterator<Item = Instance> + '_ {
        self.of_entity
            .get(&entity)
            .into_iter()
            .flatten()
            .map(move |&asset| Instance { entity, asset })
    }

    /// Adds an instance at the end of its part of the resume order (or replaces it in place).
    pub(crate) fn insert(&mut self, i: Instance, script: EntityScript) {
        if let Some(&p) = self.position.get(&i) {
            self.list[p as usize].1 = script;
            return;
        }
        self.of_entity.entry(i.entity).or_default().push(i.asset);
        if script.world {
            let at = self.worlds;
            self.worlds += 1;
            self.list.insert(at, (i, script));
            self.renumber(at);
        } else {
            self.position.insert(i, self.list.len() as u32);
            self.list.push((i, script));
        }
    }

    /// Removes an instance, keeping the order of the others.
    pub(crate) fn remove(&mut self, i: &Instance) -> Option<EntityScript> {
        let p = self.position.remove(i)? as usize;
        let (_, script) = self.list.remove(p);
        if script.world {
            self.worlds -= 1;
        }
        if let Some(assets) = self.of_entity.get_mut(&i.entity) {
            assets.retain(|a| *a != i.asset);
            if assets.is_empty() {
                self.of_entity.remove(&i.entity);
            }
        }
        self.renumber(p);
        Some(script)
    }

    fn renumber(&mut self, from: usize) {
        for (j, (other, _)) in self.list.iter().enumerate().skip(from) {
            self.position.insert(*other, j as u32);
        }
    }

    /// The entity of the instance at position `i` of the resume order.
    pub(crate) fn entity_at(&self, i: usize) -> Option<Entity> {
        self.list.get(i).map(|(inst, _)| inst.entity)
    }

    /// How many world scripts run (they come first in the resume order).
    pub(crate) fn world_scripts(&self) -> usize {
        self.worlds
    }

    /// Instances in resume order.
    pub(crate) fn instances(&self) -> impl Iterator<Item = Instance> + '_ {
        self.list.iter().map(|(i, _)| *i)
    }

    /// Instances and their scripts in resume order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (Instance, &EntityScript)> {
        self.list.iter().map(|(i, s)| (*i, s))
    }

    pub(crate) fn values(&self) -> impl Iterator<Item = &EntityScript> {
        self.list.iter().map(|(_, s)| s)
    }
}

/// Longest error message reported (the rest is cut): a script raising megabyte messages every
/// frame must not spend the frame copying and logging them.
const MAX_MESSAGE_BYTES: usize = 4096;

/// Rounds of `task.defer` per instance and frame: a deferred task that defers another runs in
/// the next round; past this, next frame (a loop of defers cannot hold the frame).
const MAX_DEFER_ROUNDS: usize = 4;

/// Rounds of script-to-script message delivery per frame (see `deliver_script_messages`).
const MAX_MESSAGE_ROUNDS: usize = 8;

/// Why a call from Rust failed: the script's path, the message (with traceback), the budget
/// that stopped it.
pub(crate) struct CallFailure {
    pub(crate) path: String,
    pub(crate) message: String,
    pub(crate) budget: Option<super::Budget>,
}

/// An error a script raised, for the `ScriptError` message.
pub struct Failure {
    pub(crate) entity: Option<Entity>,
    pub(crate) path: String,
    pub(crate) message: String,
    /// The budget or cap that stopped the script, when one did.
    pub(crate) budget: Option<super::Budget>,
}

pub struct ScriptRuntime {
    pub(crate) vm: Vm,
    /// `vm`'s id when the runtime made it: the runtime caches pointers into that VM's heap
    /// (rooted there), so `run_scripts` refuses to go on if `vm_mut` was used to replace it.
    pub(crate) vm_id: u64,
    pub(crate) modules: FxHashMap<bevy::asset::AssetId<super::LuaScript>, Module>,
    pub(crate) entities: EntityScripts,
    pub(crate) elapsed: f64,
    /// Seconds since the last frame (`time.delta`).
    pub(crate) dt: f64,
    pub(crate) frame: u64,
    pub(crate) failures: Vec<Failure>,
    /// Messages from Rust (`ScriptMessage`) for this frame, delivered before the walk.
    pub(crate) events: Vec<Delivery>,
    /// Messages scripts sent (`send`), delivered after the walk in the same frame.
    pub(crate) messages: Vec<Delivery>,
    /// What the last `run_scripts` did (time, VM counters, Rust heap allocations, tasks).
    pub(crate) report: FrameReport,
    /// Also time each script (two clock reads per entity per frame) and count VM instructions;
    /// the overlay sets it while it is open.
    pub(crate) profile: bool,
    /// Module assets loaded for `require`, kept alive.
    pub(crate) module_handles: Vec<bevy::asset::Handle<super::LuaScript>>,
    pub(crate) module_paths: rustc_hash::FxHashSet<String>,
    /// Entities given a `Script` whose script has not started yet (its asset may be loading).
    pub(crate) pending: Vec<Entity>,
    /// Changed scripts to swap in this frame (see `reload.rs`).
    pub(crate) reloads: Vec<(bevy::asset::AssetId<super::LuaScript>, super::LuaScript)>,
    /// The request list not in use (see `write_outputs`).
    pub(crate) spare_requests: Vec<api::Request>,
    /// Asset paths of changed modules (`require`d): they and their dependents reload.
    pub(crate) module_reloads: Vec<String>,
    /// This frame's work lists, kept to reuse their buffers.
    pub(crate) removed: Vec<Entity>,
    pub(crate) removed_world: Vec<Entity>,
    /// Instances to start (with whether each is a world script), and to stop (their entity's
    /// `Script` no longer lists them).
    pub(crate) starting: Vec<(Instance, bool)>,
    pub(crate) stopping: Vec<Instance>,
    pub(crate) loading: Vec<(bevy::asset::AssetId<super::LuaScript>, super::LuaScript)>,
    /// How many of `ScriptFunctions` are globals already.
    pub(crate) functions_installed: usize,
    /// Instructions and bytes of allocation one script run (a callback, a task's resume) may
    /// use; `run_scripts` sets them from `MoonpoolSettings` each frame.
    pub(crate) fuel_per_run: i64,
    pub(crate) memory_per_run: usize,
    /// The time budget's clock for this frame (see `budget.rs`).
    pub(crate) clock: FrameClock,
    /// Live tasks one entity's script may keep (`MoonpoolSettings::max_tasks_per_entity`).
    pub(crate) max_tasks_per_entity: u32,
    /// Entities one script may spawn per frame (`MoonpoolSettings::max_spawns_per_frame`).
    pub(crate) max_spawns_per_frame: u32,
    /// Messages one script may send per frame (`MoonpoolSettings::max_messages_per_frame`).
    pub(crate) max_messages_per_frame: u32,
    /// What happens to a task out of fuel (`MoonpoolSettings::runaway`).
    pub(crate) runaway: RunawayPolicy,
    /// Budgets of the runs that belong to no script (finalizers run by the collector's step).
    pub(crate) host_use: Rc<ScriptFrameUse>,
    /// The instance each live task belongs to, by task id (cancel and join find a task at once).
    task_owner: FxHashMap<u64, Instance>,
    /// The last `EntityScript::serial` given.
    serials: u64,
    tags: Tags,
    keys: Keys,
    /// Bumped whenever `modules` changes, invalidating the entities' `ModuleRef`s.
    modules_version: u64,
}

/// An entity's module as of `ScriptRuntime::modules_version` `version`: saves a map lookup per
/// entity and frame.
struct ModuleRef {
    version: u64,
    env: Gc<Table>,
    path: std::rc::Rc<str>,
    frame_use: Rc<ScriptFrameUse>,
}

/// Field names used every frame, interned once (and kept alive).
struct Keys {
    transform: Gc<LuaStr>,
    translation: Gc<LuaStr>,
    rotation: Gc<LuaStr>,
    scale: Gc<LuaStr>,
    x: Gc<LuaStr>,
    y: Gc<LuaStr>,
    z: Gc<LuaStr>,
    w: Gc<LuaStr>,
    on_update: Gc<LuaStr>,
    on_fixed_update: Gc<LuaStr>,
    on_event: Gc<LuaStr>,
}

/// Which callback an entity's run is for.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pass {
    /// The frame: `on_update(self, dt)`, then the entity's due tasks.
    Update,
    /// One fixed step: `on_fixed_update(self, dt)` only.
    Fixed,
}

/// `t[k] = v` for a number, with the collector's write barrier.
fn set_number(vm: &mut Vm, t: Gc<Table>, k: Gc<LuaStr>, v: f32) {
    let val = Value::Float(v as f64);
    vm.heap.table_barrier_kv(t, &Value::Str(k), &val);
    let grown = t.get_mut().set_str(k, val);
    vm.heap.charge(grown);
}

/// `t[k]` as a number (`default` if it is not one).
fn get_number(t: Value, k: Gc<LuaStr>, default: f32) -> f32 {
    let Value::Table(t) = t else { return default };
    match t.get_str(k) {
        Value::Float(x) => x as f32,
        Value::Int(i) => i as f32,
        _ => default,
    }
}

impl ScriptRuntime {
    pub fn new() -> ScriptRuntime {
        let mut vm = Vm::with_stdlib();
        vm.out = Box::new(api::LogWriter::default());
        vm.capture_finalizer_errors(true);
        api::install(&mut vm);
        let tags = Tags::new(&mut vm);
        let mut key = |name: &str| {
            let s = vm.intern(name.as_bytes());
            vm.root(Value::Str(s));
            s
        };
        let keys = Keys {
            transform: key("transform"),
            translation: key("translation"),
            rotation: key("rotation"),
            scale: key("scale"),
            x: key("x"),
            y: key("y"),
            z: key("z"),
            w: key("w"),
            on_update: key("on_update"),
            on_fixed_update: key("on_fixed_update"),
            on_event: key("on_event"),
        };
        // Keep the tags alive for the VM's lifetime.
        for t in [
            tags.wait,
            tags.frames,
            tags.until,
            tags.event,
            tags.join,
            tags.timeout,
        ] {
            vm.root(t);
        }
        ScriptRuntime {
            vm_id: vm.id,
            vm,
            modules: FxHashMap::default(),
            entities: EntityScripts::default(),
            elapsed: 0.0,
            dt: 0.0,
            frame: 0,
            failures: Vec::new(),
            events: Vec::new(),
            messages: Vec::new(),
            report: FrameReport::default(),
            profile: false,
            module_handles: Vec::new(),
            module_paths: Default::default(),
            pending: Vec::new(),
            reloads: Vec::new(),
            module_reloads: Vec::new(),
            spare_requests: Vec::new(),
            removed: Vec::new(),
            removed_world: Vec::new(),
            starting: Vec::new(),
            stopping: Vec::new(),
            loading: Vec::new(),
            functions_installed: 0,
            fuel_per_run: i64::MAX,
            memory_per_run: usize::MAX,
            clock: FrameClock::default(),
            max_tasks_per_entity: u32::MAX,
            max_spawns_per_frame: u32::MAX,
            max_messages_per_frame: u32::MAX,
            runaway: RunawayPolicy::Kill,
            host_use: Rc::default(),
            task_owner: FxHashMap::default(),
            serials: 0,
            tags,
            keys,
            modules_version: 0,
        }
    }

    /// Gives the next run of a script its budgets: instructions and allocation per run, and
    /// what is left of the script's time this frame.
    #[inline]
    fn arm(&mut self, fuel: i64, used: &ScriptFrameUse) {
        self.vm
            .set_traceback_capture(used.reported.get() < super::budget::MAX_REPORTS_PER_FRAME);
        let time = self.clock.run_time(used);
        self.vm.arm_run(fuel, self.memory_per_run, time);
    }

    /// Lifts the budgets (host code runs next) after charging the run's time to its script.
    /// Returns the budget that stopped the run, if one did (a cap a native refused is taken
    /// when the run's error is reported).
    #[inline]
    fn disarm(&mut self, used: &ScriptFrameUse) -> Option<super::Budget> {
        self.clock.settle(&self.vm, used);
        self.vm.disarm_run();
        self.vm.exhausted().map(super::Budget::from)
    }

    /// The frame budgets of `asset`'s script (a detached record for a script not loaded).
    fn frame_use(&self, asset: bevy::asset::AssetId<super::LuaScript>) -> Rc<ScriptFrameUse> {
        self.modules
            .get(&asset)
            .map_or_else(|| self.host_use.clone(), |m| m.frame_use.clone())
    }

    /// Reports a script's error. The message is made under the script's budgets (a `__tostring`
    /// of the error value is Lua code).
    #[allow(clippy::too_many_arguments)]
    fn fail(
        &mut self,
        entity: Option<Entity>,
        used: &ScriptFrameUse,
        path: &str,
        e: &LuaError,
        thread: Option<ThreadKey>,
        budget: Option<super::Budget>,
    ) {
        let budget = budget.or_else(|| api::CAP_HIT.take());
        if budget == Some(super::Budget::Memory) {
            // What the script allocated before it failed is garbage now: collect it soon.
            self.vm.gc_request_cycle();
        }
        if !used.report_in_full() {
            return;
        }
        self.arm(self.fuel_per_run, used);
        let mut message = self.vm.error_message(e, MAX_MESSAGE_BYTES);
        self.disarm(used);
        let tb = match thread {
            Some(t) => self.vm.thread_traceback(t),
            None => self.vm.last_traceback().unwrap_or_default(),
        };
        if !tb.is_empty() {
            message.push('\n');
            message.push_str(&tb);
        }
        error!("{path}: {message}");
        self.failures.push(Failure {
            entity,
            path: path.to_string(),
            message,
            budget,
        });
    }

    /// Runs a script asset's chunk in a fresh environment. On error the old module stays.
    pub(crate) fn load_module(
        &mut self,
        id: bevy::asset::AssetId<super::LuaScript>,
        script: &super::LuaScript,
    ) -> bool {
        let vm = &mut self.vm;
        let new_env = super::functions::internal(vm, "__mp_new_env");
        let owner = vm.str_value(&script.path);
        let env = match vm
            .call_values(new_env, &[owner])
            .ok()
            .and_then(|r| r.first().copied())
        {
            Some(Value::Table(t)) => t,
            _ => vm.new_table(),
        };
        let env_key = vm.root(Value::Table(env));
        let path: std::rc::Rc<str> = script.path.as_str().into();
        set_context(None, &path);
        let chunkname = format!("@{}", script.path);
        let fuel = self.fuel_per_run;
        let frame_use = self
            .modules
            .get(&id)
            .map_or_else(Rc::default, |m| m.frame_use.clone());
        self.arm(fuel, &frame_use);
        let vm = &mut self.vm;
        let result = vm
            .load_with_env(&script.source, &chunkname, Value::Table(env))
            .and_then(|f| vm.call_values(f, &[]).map(|_| ()));
        let hit = self.disarm(&frame_use);
        match result {
            Ok(()) => {
                let report = self
                    .modules
                    .get(&id)
                    .map(|m| m.report.clone())
                    .unwrap_or_default();
                self.modules_version += 1;
                if let Some(old) = self.modules.insert(
                    id,
                    Module {
                        env: env_key,
                        env_table: env,
                        path,
                        report,
                        frame_use,
                    },
                ) {
                    self.vm.unroot(old.env);
                }
                true
            }
            Err(e) => {
                self.vm.unroot(env_key);
                let loading = matches!(e, LuaError::Value(Value::Str(s))
                    if s.to_str_lossy().contains(api::MODULE_LOADING));
                if !loading {
                    let path = script.path.clone();
                    self.fail(None, &frame_use, &path, &e, None, hit);
                }
                false
            }
        }
    }

    fn module_fn(&mut self, asset: bevy::asset::AssetId<super::LuaScript>, name: &str) -> Value {
        let k = self.vm.intern(name.as_bytes());
        self.module_fn_key(asset, k)
    }

    fn module_fn_key(&self, asset: bevy::asset::AssetId<super::LuaScript>, k: Gc<LuaStr>) -> Value {
        let Some(m) = self.modules.get(&asset) else {
            return Value::Nil;
        };
        let Some(Value::Table(env)) = self.vm.rooted(m.env) else {
            return Value::Nil;
        };
        // Raw lookup: a callback is the script's own global, not something from `_G`.
        env.get_str(k)
    }

    fn path_of(&self, asset: bevy::asset::AssetId<super::LuaScript>) -> std::rc::Rc<str> {
        self.modules
            .get(&asset)
            .map(|m| m.path.clone())
            .unwrap_or_else(|| "".into())
    }

    /// Calls `<name>(self, extra...)` of an instance if its script defines it; errors are
    /// reported.
    pub(crate) fn callback(&mut self, inst: Instance, name: &str, extra: &[Value]) {
        let k = self.vm.intern(name.as_bytes());
        self.call_key(inst, k, extra);
    }

    /// Calls `<name>(self, args...)` of an instance under its script's budgets, with what
    /// natives see set for it; errors are reported (`ScriptError`).
    fn call_key(&mut self, inst: Instance, name: Gc<LuaStr>, args: &[Value]) {
        let used = self.frame_use(inst.asset);
        let _ = self.call_instance(inst, name, args, &used, None);
    }

    /// Calls `<name>(self, args...)` of an instance under the budgets `used` records. With
    /// `results`, the results are lifted into it (rooted before anything else runs) and an
    /// error is returned rather than reported; without, errors are reported. `Ok(false)`: the
    /// script does not define `name`.
    fn call_instance(
        &mut self,
        inst: Instance,
        name: Gc<LuaStr>,
        args: &[Value],
        used: &Rc<ScriptFrameUse>,
        results: Option<&mut crate::vm::MultiValue>,
    ) -> Result<bool, CallFailure> {
        let Some(es) = self.entities.get(&inst) else {
            return Ok(false);
        };
        let (tasks, serial) = (es.tasks.len(), es.serial);
        let Some(me) = self.vm.rooted(es.self_table) else {
            return Ok(false);
        };
        let f = self.module_fn_key(inst.asset, name);
        if f.is_nil() {
            return Ok(false);
        }
        let path = self.path_of(inst.asset);
        self.enter(inst, serial, &path, used, tasks);
        let mut argv: smallvec::SmallVec<[Value; 8]> = smallvec::SmallVec::new();
        argv.push(me);
        argv.extend_from_slice(args);
        self.arm(self.fuel_per_run, used);
        let want = results.is_some();
        let result = match results {
            Some(out) => self.vm.call_values(f, &argv).map(|values| {
                // Rooted at once: nothing runs between the call and here.
                for v in values {
                    let lifted = self.vm.lift(v);
                    out.0.push(lifted);
                }
            }),
            None => self.vm.call1(f, &argv).map(|_| ()),
        };
        let hit = self.disarm(used);
        let outcome = match result {
            Ok(()) => Ok(true),
            Err(e) if !want => {
                self.fail(Some(inst.entity), used, &path, &e, None, hit);
                Ok(true)
            }
            Err(e) => {
                self.arm(self.fuel_per_run, used);
                let mut message = self.vm.error_message(&e, MAX_MESSAGE_BYTES);
                self.disarm(used);
                if let Some(tb) = self.vm.last_traceback().filter(|t| !t.is_empty()) {
                    message.push('\n');
                    message.push_str(&tb);
                }
                Err(CallFailure {
                    path: path.to_string(),
                    message,
                    budget: hit.or_else(|| api::CAP_HIT.take()),
                })
            }
        };
        self.leave(inst, used);
        outcome
    }

    /// Calls `name(self, args...)` in the first script of `entity` that defines it, for Rust
    /// (`call_script`): the world is reachable if the caller made it so; the call gets the
    /// budgets of a run afresh (fuel, memory, and the per-script time), apart from the frame's.
    pub(crate) fn call_from_rust(
        &mut self,
        entity: Entity,
        name: &str,
        args: &crate::vm::MultiValue,
    ) -> Result<crate::vm::MultiValue, CallFailure> {
        let k = self.vm.intern(name.as_bytes());
        let scripts: smallvec::SmallVec<[Instance; 2]> = self.entities.of(entity).collect();
        let Some(&first) = scripts.first() else {
            return Err(CallFailure {
                path: String::new(),
                message: format!("entity {entity} has no running script to call '{name}' on"),
                budget: None,
            });
        };
        let inst = scripts
            .into_iter()
            .find(|i| self.module_fn_key(i.asset, k).is_function());
        let Some(inst) = inst else {
            return Err(CallFailure {
                path: self.path_of(first.asset).to_string(),
                message: format!("no script of entity {entity} defines a function '{name}'"),
                budget: None,
            });
        };
        let mut raw: smallvec::SmallVec<[Value; 8]> = smallvec::SmallVec::new();
        for a in args.iter() {
            match self.vm.lower(a) {
                Ok(v) => raw.push(v),
                Err(e) => {
                    return Err(CallFailure {
                        path: self.path_of(inst.asset).to_string(),
                        message: format!("argument of '{name}': {}", e.message()),
                        budget: None,
                    });
                }
            }
        }
        let fresh = Rc::new(ScriptFrameUse::default());
        let frame_clock = std::mem::take(&mut self.clock);
        self.clock
            .start_frame(std::time::Instant::now(), frame_clock.budget());
        let mut out = crate::vm::MultiValue::new();
        let result = self.call_instance(inst, k, &raw, &fresh, Some(&mut out));
        self.clock = frame_clock;
        result.map(|_| out)
    }

    /// Sets what the natives of an instance's run see: the instance, its script's path, and
    /// what is left of its caps (tasks it may still spawn, entities its script may spawn this
    /// frame).
    fn enter(
        &self,
        inst: Instance,
        serial: u64,
        path: &Rc<str>,
        used: &ScriptFrameUse,
        tasks: usize,
    ) {
        set_context(Some((inst.entity, serial)), path);
        api::TASKS_LEFT.set(self.max_tasks_per_entity.saturating_sub(tasks as u32));
        api::SPAWNS_LEFT.set(self.max_spawns_per_frame.saturating_sub(used.spawned.get()));
        api::MESSAGES_LEFT.set(
            self.max_messages_per_frame
                .saturating_sub(used.messages.get()),
        );
    }

    /// After an instance's run: whatever its natives left for the runtime (a flag read when
    /// they left nothing, as in most runs).
    #[inline]
    fn leave(&mut self, inst: Instance, used: &ScriptFrameUse) {
        if api::TASK_WORK.get() {
            self.file_task_work(inst, used);
        }
    }

    #[inline(never)]
    /// Files what the natives of the last run recorded: the spawns and messages it counted
    /// against its script's caps, task spawns and cancels, and errors of tasks that failed
    /// inside `task.spawn`.
    fn file_task_work(&mut self, inst: Instance, used: &ScriptFrameUse) {
        api::TASK_WORK.set(false);
        // Absolute (what is left since `enter`), so settling twice in one run is harmless.
        used.spawned
            .set(self.max_spawns_per_frame - api::SPAWNS_LEFT.get().min(self.max_spawns_per_frame));
        used.messages.set(
            self.max_messages_per_frame - api::MESSAGES_LEFT.get().min(self.max_messages_per_frame),
        );
        self.file_task_requests(inst);
        if api::TASK_FAILURES.with(|f| !f.borrow().is_empty()) {
            let path = api::CONTEXT.with(|c| c.borrow().path.to_string());
            for (entity, message) in
                api::TASK_FAILURES.with(|f| std::mem::take(&mut *f.borrow_mut()))
            {
                error!("{path}: {message}");
                if used.report_in_full() {
                    self.failures.push(Failure {
                        entity,
                        path: path.clone(),
                        message,
                        budget: None,
                    });
                }
            }
        }
    }

    #[inline(never)]
    /// Starts a script on an entity: `self`, `on_spawn`, and `main` as its first task.
    pub(crate) fn start_entity(
        &mut self,
        inst: Instance,
        world: bool,
        transform: Option<&Transform>,
        init: Option<RootKey>,
    ) {
        let vm = &mut self.vm;
        let me = vm.new_table();
        if !world {
            vm.set_field(me, "entity", Value::Int(inst.entity.to_bits() as i64));
            if let Value::Table(mt) = super::functions::internal(vm, "__mp_Entity") {
                vm.set_type_metatable(&Value::Table(me), Some(mt));
            }
        }
        if let Some(k) = init
            && let Some(Value::Table(init)) = vm.unroot(k)
        {
            let mut key = Value::Nil;
            while let Ok(Some((k, v))) = init.next(key) {
                let _ = vm.raw_set_checked(me, k, v);
                key = k;
            }
        }
        let self_table = vm.root(Value::Table(me));
        self.serials += 1;
        self.entities.insert(
            inst,
            EntityScript {
                asset: inst.asset,
                self_table,
                me,
                tasks: Vec::new(),
                started: false,
                world,
                serial: self.serials,
                synced: None,
                transform_tables: None,
                module: None,
            },
        );
        if let Some(t) = transform
            && !world
        {
            self.write_transform(inst, t);
        }
        self.callback(inst, "on_spawn", &[]);
        self.start_main(inst);
        if let Some(es) = self.entities.get_mut(&inst) {
            es.started = true;
        }
    }

    fn start_main(&mut self, inst: Instance) {
        let Some(es) = self.entities.get(&inst) else {
            return;
        };
        let self_table = es.self_table;
        let main = self.module_fn(inst.asset, "main");
        if !main.is_function() {
            return;
        }
        let me = self.vm.rooted(self_table).unwrap_or(Value::Nil);
        let co = self.vm.new_thread(main);
        let thread = self.vm.root(Value::Thread(co));
        let args = self.vm.new_table();
        args.get_mut().set_int(1, me);
        let args = self.vm.root(Value::Table(args));
        let id = api::next_task_id();
        self.add_task(
            inst,
            Task {
                id,
                thread,
                key: co,
                wait: Wait::Ready,
                args: Some(args),
                ran_in: 0,
            },
        );
    }

    /// Files a task under its instance (or ends it if the instance is gone).
    fn add_task(&mut self, inst: Instance, task: Task) {
        match self.entities.get_mut(&inst) {
            Some(es) => {
                self.task_owner.insert(task.id, inst);
                es.tasks.push(task);
            }
            None => {
                let used = self.frame_use(inst.asset);
                self.end_task_armed(&used, task);
            }
        }
    }

    #[inline(never)]
    /// Files the tasks the run of `inst` spawned (`task.spawn` after its first slice,
    /// `task.defer`, `task.delay`) and drops the ones it cancelled (`task.cancel` closed them
    /// already). Spawned tasks go after the instance's others, in spawn order.
    fn file_task_requests(&mut self, inst: Instance) {
        let requests = api::TASK_REQUESTS.with(|r| std::mem::take(&mut *r.borrow_mut()));
        for r in requests {
            match r {
                api::TaskRequest::Spawn {
                    id,
                    thread,
                    key,
                    wait,
                    args,
                } => {
                    let task = Task {
                        id,
                        thread,
                        key,
                        wait,
                        args,
                        ran_in: self.frame,
                    };
                    self.add_task(inst, task);
                }
                api::TaskRequest::Cancel(id) => {
                    let Some(&owner) = self.task_owner.get(&id) else {
                        continue;
                    };
                    let Some(es) = self.entities.get_mut(&owner) else {
                        continue;
                    };
                    if let Some(p) = es.tasks.iter().position(|t| t.id == id) {
                        let t = es.tasks.remove(p);
                        let used = self.frame_use(owner.asset);
                        self.end_task_armed(&used, t);
                    }
                }
            }
        }
    }

    #[inline(never)]
    /// Ends a script instance's tasks (closing their `<close>` variables) and forgets it.
    pub(crate) fn stop_instance(&mut self, inst: Instance, run_on_despawn: bool) {
        if run_on_despawn {
            self.callback(inst, "on_despawn", &[]);
        }
        let Some(es) = self.entities.remove(&inst) else {
            return;
        };
        self.end_tasks(inst, es.serial, es.tasks);
        self.vm.unroot(es.self_table);
        // Its state and tasks are garbage now: collect them in the next frames' steps.
        self.vm.gc_request_cycle();
    }

    /// Stops the scripts on `entity` (its entity scripts, or its world script).
    pub(crate) fn stop_entity(&mut self, entity: Entity, world: bool, run_on_despawn: bool) {
        let instances: smallvec::SmallVec<[Instance; 2]> = self
            .entities
            .of(entity)
            .filter(|i| self.entities.get(i).is_some_and(|es| es.world == world))
            .collect();
        for inst in instances {
            self.stop_instance(inst, run_on_despawn);
        }
    }

    /// Ends tasks of `asset`'s script. Their `__close` handlers share one run's budgets: a
    /// thousand tasks with handlers that never return cost one budget, not a thousand.
    /// The `__close` handlers run as the instance's own code (`emit` names its entity; a task
    /// one starts is filed under the instance, or ended if the instance is stopping).
    fn end_tasks(&mut self, inst: Instance, serial: u64, tasks: Vec<Task>) {
        if tasks.is_empty() {
            return;
        }
        let used = self.frame_use(inst.asset);
        let path = self.path_of(inst.asset);
        set_context(Some((inst.entity, serial)), &path);
        self.arm(self.fuel_per_run, &used);
        for t in tasks {
            self.end_task(t);
        }
        self.disarm(&used);
        if api::TASK_WORK.get() {
            self.file_task_work(inst, &used);
        }
    }

    /// Ends one task of a script whose budgets are `used`.
    fn end_task_armed(&mut self, used: &ScriptFrameUse, t: Task) {
        self.arm(self.fuel_per_run, used);
        self.end_task(t);
        self.disarm(used);
    }

    /// Ends one task (under budgets its caller armed).
    fn end_task(&mut self, t: Task) {
        self.task_owner.remove(&t.id);
        // A task cancelled while it ran (`task.cancel` of itself) is closed here, once it
        // has yielded; one cancelled while suspended was closed by `task.cancel`.
        if matches!(
            self.vm.thread_status(t.key),
            Some(CoStatus::Suspended | CoStatus::Dead)
        ) && let Some(e) = self.vm.close_thread(t.key)
        {
            let msg = self.vm.error_to_string(&LuaError::Value(e));
            warn!("error closing a cancelled task: {msg}");
        }
        self.vm.unroot(t.thread);
        if let Wait::Until { predicate, .. } = t.wait {
            self.vm.unroot(predicate);
        }
        if let Some(a) = t.args {
            self.vm.unroot(a);
        }
    }

    /// Restarts an instance's tasks after a hot reload and runs `on_reload(self)`.
    pub(crate) fn reload_entity(&mut self, inst: Instance) {
        let (tasks, serial) = match self.entities.get_mut(&inst) {
            Some(es) => (std::mem::take(&mut es.tasks), es.serial),
            None => return,
        };
        self.end_tasks(inst, serial, tasks);
        self.callback(inst, "on_reload", &[]);
        self.start_main(inst);
    }

    /// Copies a `Transform` into `self.transform` (reusing its tables).
    pub(crate) fn write_transform(&mut self, inst: Instance, t: &Transform) {
        let Some(es) = self.entities.get(&inst) else {
            return;
        };
        let Some(Value::Table(me)) = self.vm.rooted(es.self_table) else {
            return;
        };
        let k = &self.keys;
        let (kx, ky, kz, kw) = (k.x, k.y, k.z, k.w);
        let vm = &mut self.vm;
        let tr = match me.get_str(k.transform) {
            Value::Table(t) => t,
            _ => {
                let tr = vm.new_table();
                vm.set_field(me, "transform", Value::Table(tr));
                tr
            }
        };
        for (key, name, v) in [
            (k.translation, "translation", t.translation),
            (k.scale, "scale", t.scale),
        ] {
            let tab = match tr.get_str(key) {
                Value::Table(x) => x,
                _ => {
                    let x = vm.new_table();
                    if let Value::Table(mt) = super::functions::internal(vm, "__mp_Vec3") {
                        vm.set_type_metatable(&Value::Table(x), Some(mt));
                    }
                    vm.set_field(tr, name, Value::Table(x));
                    x
                }
            };
            set_number(vm, tab, kx, v.x);
            set_number(vm, tab, ky, v.y);
            set_number(vm, tab, kz, v.z);
        }
        let rot = match tr.get_str(k.rotation) {
            Value::Table(x) => x,
            _ => {
                let x = vm.new_table();
                vm.set_field(tr, "rotation", Value::Table(x));
                x
            }
        };
        let q = t.rotation;
        set_number(vm, rot, kx, q.x);
        set_number(vm, rot, ky, q.y);
        set_number(vm, rot, kz, q.z);
        set_number(vm, rot, kw, q.w);
        let tables = TransformTables::record(tr, k);
        if let Some(es) = self.entities.get_mut(&inst) {
            es.transform_tables = Some(tables);
        }
    }

    /// Reads `self.transform` back; returns the new transform if the script changed it. Only
    /// the parts written since `seen` was recorded are read; `seen` is brought up to date.
    fn read_transform(
        keys: &Keys,
        me: Gc<Table>,
        old: &Transform,
        seen: &mut Option<TransformTables>,
    ) -> Option<Transform> {
        let k = keys;
        let vec = |p: Gc<Table>, cur: Vec3| {
            let v = Value::Table(p);
            Vec3::new(
                get_number(v, k.x, cur.x),
                get_number(v, k.y, cur.y),
                get_number(v, k.z, cur.z),
            )
        };
        let quat = |p: Gc<Table>, q: Quat| {
            let v = Value::Table(p);
            Quat::from_xyzw(
                get_number(v, k.x, q.x),
                get_number(v, k.y, q.y),
                get_number(v, k.z, q.z),
                get_number(v, k.w, q.w),
            )
        };
        let Value::Table(tr) = me.get_str(k.transform) else {
            *seen = None;
            return None;
        };
        let mut out = *old;
        match seen {
            Some(s) if s.table == tr && s.table_version == tr.version() => {
                // The same parts as last time: read those written since.
                let written = |part: &mut Option<(Gc<Table>, u32)>| match part {
                    Some((p, seen)) if p.version() != *seen => {
                        *seen = p.version();
                        Some(*p)
                    }
                    _ => None,
                };
                let [t, sc, r] = &mut s.parts;
                let (t, sc, r) = (written(t), written(sc), written(r));
                if t.is_none() && sc.is_none() && r.is_none() {
                    return None;
                }
                if let Some(p) = t {
                    out.translation = vec(p, old.translation);
                }
                if let Some(p) = sc {
                    out.scale = vec(p, old.scale);
                }
                if let Some(p) = r {
                    out.rotation = quat(p, old.rotation);
                }
            }
            _ => {
                let fresh = TransformTables::record(tr, k);
                let [t, sc, r] = fresh.parts;
                if let Some((p, _)) = t {
                    out.translation = vec(p, old.translation);
                }
                if let Some((p, _)) = sc {
                    out.scale = vec(p, old.scale);
                }
                if let Some((p, _)) = r {
                    out.rotation = quat(p, old.rotation);
                }
                *seen = Some(fresh);
            }
        }
        (out != *old).then_some(out)
    }

    /// Starts loading the tables the entity at `position` will touch (its `self` and
    /// `self.transform`), so that when a frame walks thousands of entities their memory
    /// latency overlaps the previous entity's work.
    pub(crate) fn prefetch_entity(&self, position: usize) {
        use crate::vm::runtime::prefetch;
        let Some((_, es)) = self.entities.list.get(position) else {
            return;
        };
        // `me` is rooted, so reading its header is safe; the transform tables may have died
        // since they were recorded, so only their addresses are used.
        prefetch(es.me.addr());
        prefetch(es.me.nodes_addr());
        if let Some(t) = &es.transform_tables {
            prefetch(t.table.addr());
            for (p, _) in t.parts.iter().flatten() {
                prefetch(p.addr());
            }
            for &a in &t.entries {
                prefetch(a);
            }
        }
    }

    #[inline(never)]
    /// Reports, per script, the errors of this frame past the full reports, and a script that
    /// used up its time with entities left over (those wait for the next frame; the run that
    /// passed the budget reported its own error).
    pub(crate) fn report_frame_summaries(&mut self) {
        let budget = self.clock.budget();
        for m in self.modules.values() {
            let u = &m.frame_use;
            if u.unreported.get() > 0 {
                let message = format!(
                    "{} more errors of this script this frame (the first {} are reported)",
                    u.unreported.get(),
                    super::budget::MAX_REPORTS_PER_FRAME
                );
                error!("{}: {message}", m.path);
                self.failures.push(Failure {
                    entity: None,
                    path: m.path.to_string(),
                    message,
                    budget: None,
                });
            }
            if !u.exhausted.get() || u.skipped.get() == 0 {
                continue;
            }
            let message = format!(
                "time budget exhausted: the script's runs took {:.2} ms this frame \
                 (time_per_script is {:.2} ms); {} of its entities wait for the next frame",
                u.time.get() as f64 / 1e6,
                budget.unwrap_or_default().as_secs_f64() * 1e3,
                u.skipped.get()
            );
            error!("{}: {message}", m.path);
            self.failures.push(Failure {
                entity: None,
                path: m.path.to_string(),
                message,
                budget: Some(super::Budget::Time),
            });
        }
    }

    #[inline(never)]
    /// The frame's slice of collector work. Finalizers (`__gc`, Lua code of any script) run
    /// under a run's budgets; those left when it is spent run next frame. Their errors are
    /// reported as `ScriptError`s of the path `__gc`.
    pub(crate) fn collect_step(&mut self, work: usize) {
        let used = self.host_use.clone();
        api::CURRENT.set(None);
        self.arm(self.fuel_per_run, &used);
        self.vm.gc_step(work);
        let hit = self.disarm(&used);
        for message in self.vm.take_finalizer_errors() {
            error!("{message}");
            self.failures.push(Failure {
                entity: None,
                path: "__gc".into(),
                message,
                budget: hit,
            });
        }
    }

    /// Whether any loaded script defines `on_fixed_update` (a fixed step walks the entities
    /// only then).
    pub(crate) fn any_fixed_update(&self) -> bool {
        let key = self.keys.on_fixed_update;
        self.modules
            .values()
            .any(|m| !m.env_table.get_str(key).is_nil())
    }

    /// Starts a fixed step: each script gets the fuel and time budgets afresh, as at a frame.
    pub(crate) fn begin_fixed_step(
        &mut self,
        now: std::time::Instant,
        time: Option<std::time::Duration>,
    ) {
        for m in self.modules.values() {
            m.frame_use.reset();
        }
        self.host_use.reset();
        api::CAP_HIT.set(None);
        self.clock.start_frame(now, time);
    }

    /// Tasks alive across all entities.
    pub(crate) fn live_tasks(&self) -> usize {
        self.entities.values().map(|e| e.tasks.len()).sum()
    }

    #[inline(never)]
    /// Whether the entity at `position` runs this frame: its script is loaded and has time
    /// left (an entity of a script that used its time waits for the next frame, counted).
    /// Brings the entity's cached module reference up to date.
    pub(crate) fn ready_at(&mut self, position: usize) -> bool {
        let Some((_, es)) = self.entities.list.get_mut(position) else {
            return false;
        };
        if es
            .module
            .as_ref()
            .is_none_or(|m| m.version != self.modules_version)
        {
            let Some(m) = self.modules.get(&es.asset) else {
                return false;
            };
            es.module = Some(ModuleRef {
                version: self.modules_version,
                env: m.env_table,
                path: m.path.clone(),
                frame_use: m.frame_use.clone(),
            });
        }
        let Some(module) = es.module.as_ref() else {
            return false;
        };
        let used = &module.frame_use;
        if used.exhausted.get() {
            used.skipped.set(used.skipped.get() + 1);
            return false;
        }
        true
    }

    /// One entity's frame: its transform in (if the component changed), `on_update(self, dt)`,
    /// its due tasks, its transform out (if the script changed it). Looks the entity up once:
    /// this runs for every scripted entity every frame. Returns whether `transform` changed.
    /// Call `ready_at` first: it brings the module reference up to date and skips an entity
    /// whose script used its time. With `Pass::Fixed`, the same around `on_fixed_update`, and
    /// nothing at all (not even the transform copy) for a script that does not define it.
    #[inline(never)]
    pub(crate) fn run_entity_at(
        &mut self,
        position: usize,
        transform: Option<&mut Transform>,
        dt: f64,
        fuel: i64,
        runaway: RunawayPolicy,
        pass: Pass,
    ) -> bool {
        let Some((inst, es)) = self.entities.list.get_mut(position) else {
            return false;
        };
        let Some(module) = es.module.as_ref() else {
            return false;
        };
        let env = module.env;
        let callback = env.get_str(match pass {
            Pass::Update => self.keys.on_update,
            Pass::Fixed => self.keys.on_fixed_update,
        });
        if pass == Pass::Fixed && callback.is_nil() {
            return false;
        }
        let used = module.frame_use.clone();
        let path = module.path.clone();
        let (inst, me, tasks, serial) = (*inst, es.me, es.tasks.len(), es.serial);
        // A world script has no transform to sync.
        let transform = if es.world { None } else { transform };
        let copied_in = match &transform {
            Some(t) if es.synced.as_ref() != Some(&**t) => {
                self.write_transform(inst, t);
                true
            }
            _ => false,
        };
        // Per-script rows (the overlay's) are kept while profiling only: they cost two module
        // lookups and a clock read per entity.
        let profile = self.profile && pass == Pass::Update;
        let before = profile.then(|| {
            (
                self.vm.stats.instructions,
                objects_of(&self.vm.stats),
                std::time::Instant::now(),
            )
        });
        self.enter(inst, serial, &path, &used, tasks);
        if !callback.is_nil() {
            self.arm(fuel, &used);
            let result = self
                .vm
                .call1(callback, &[Value::Table(me), Value::Float(dt)]);
            let hit = self.disarm(&used);
            if let Err(e) = result {
                self.fail(Some(inst.entity), &used, &path, &e, None, hit);
            }
        }
        // Most entities of a big scene have no tasks: test that first.
        if (tasks > 0 || api::TASK_WORK.get()) && pass == Pass::Update && !used.exhausted.get() {
            // Tasks `task.defer` added run in the same turn, after the others: a few rounds
            // (deferring from a deferred task), the rest next frame.
            for _ in 0..MAX_DEFER_ROUNDS {
                if api::TASK_WORK.get() {
                    self.file_task_work(inst, &used);
                }
                let es = match self.entities.list.get(position) {
                    Some((_, es)) if es.serial == serial => Some(es),
                    _ => self.entities.get(&inst),
                };
                let due = es.is_some_and(|es| {
                    es.tasks
                        .iter()
                        .any(|t| t.ran_in != self.frame || matches!(t.wait, Wait::Ready))
                });
                if !due || used.exhausted.get() {
                    break;
                }
                if !self.step_tasks(inst, &path, &used, fuel, runaway) {
                    break;
                }
            }
        }
        self.leave(inst, &used);
        if let Some((instructions, objects, t0)) = before {
            let tasks = match self.entities.list.get(position) {
                Some((_, es)) if es.serial == serial => es.tasks.len(),
                _ => self.entities.get(&inst).map_or(0, |es| es.tasks.len()),
            };
            let (instructions, objects) = (
                self.vm.stats.instructions - instructions,
                objects_of(&self.vm.stats) - objects,
            );
            if let Some(m) = self.modules.get_mut(&inst.asset) {
                let report = &mut m.report;
                report.entities += 1;
                report.tasks += tasks as u32;
                report.instructions += instructions;
                report.allocations += objects;
                report.time += t0.elapsed();
            }
        }
        let Some(t) = transform else {
            return false;
        };
        // Looked up again: the script may have ended (its `self` no longer rooted).
        let es = match self.entities.list.get_mut(position) {
            Some((_, es)) if es.serial == serial => Some(es),
            _ => self.entities.get_mut(&inst),
        };
        let Some(es) = es else {
            return false;
        };
        let new = Self::read_transform(&self.keys, es.me, t, &mut es.transform_tables);
        let changed = new.is_some();
        if let Some(new) = new {
            *t = new;
        }
        if changed || copied_in {
            es.synced = Some(*t);
        }
        changed
    }

    /// Resumes the instance's tasks that are due, in order. Returns whether another round may
    /// find work (false once the instance is gone or a task was deferred by none).
    fn step_tasks(
        &mut self,
        inst: Instance,
        path: &Rc<str>,
        used: &Rc<ScriptFrameUse>,
        fuel: i64,
        runaway: RunawayPolicy,
    ) -> bool {
        let mut i = 0;
        loop {
            if used.exhausted.get() {
                // Out of time: the other tasks wait for the next frame.
                return false;
            }
            let frame = self.frame;
            let Some(es) = self.entities.get_mut(&inst) else {
                return false;
            };
            let Some(task) = es.tasks.get_mut(i) else {
                return true;
            };
            if task.ran_in == frame && !matches!(task.wait, Wait::Ready) {
                i += 1;
                continue;
            }
            // Cancelled (closed by `task.cancel`) since the last step: gone now.
            if self.vm.thread_status(task.key) != Some(CoStatus::Suspended) {
                self.drop_task(inst, i, used);
                continue;
            }
            if task.wait.timed_out(self.elapsed) {
                // `wait_event` gives `nil, "timeout"`; `wait_until` and `task.join` false.
                let v = match &task.wait {
                    Wait::Event { .. } => [Value::Nil, self.tags.timeout],
                    _ => [Value::Bool(false), Value::Nil],
                };
                if let Wait::Until { predicate, .. } = task.wait {
                    self.vm.unroot(predicate);
                }
                match self.resume_task(inst, i, &v, path, used, fuel, runaway) {
                    TaskState::Alive => i += 1,
                    TaskState::Ended => self.drop_task(inst, i, used),
                    TaskState::Gone => return false,
                }
                continue;
            }
            let resume_with = match &mut task.wait {
                Wait::Ready => Some(Value::Nil),
                Wait::Frames { at } => (frame >= *at).then_some(Value::Nil),
                Wait::Seconds { until, since } => {
                    (self.elapsed >= *until - 1e-9).then_some(Value::Float(self.elapsed - *since))
                }
                Wait::Until { predicate, .. } => {
                    let k = *predicate;
                    let f = self.vm.rooted(k).unwrap_or(Value::Nil);
                    self.arm(fuel, used);
                    let result = self.vm.call1(f, &[]);
                    let hit = self.disarm(used);
                    match result {
                        Ok(v) if v.truthy() => {
                            self.vm.unroot(k);
                            Some(Value::Bool(true))
                        }
                        Ok(_) => None,
                        Err(e) => {
                            self.fail(Some(inst.entity), used, path, &e, None, hit);
                            self.drop_task(inst, i, used);
                            continue;
                        }
                    }
                }
                // Woken by `deliver` when a message arrives.
                Wait::Event { .. } => None,
                Wait::Join { id, .. } => {
                    let alive = self.task_owner.contains_key(id);
                    (!alive).then_some(Value::Bool(true))
                }
            };
            let Some(v) = resume_with else {
                i += 1;
                continue;
            };
            match self.resume_task(inst, i, &[v], path, used, fuel, runaway) {
                TaskState::Alive => i += 1,
                TaskState::Ended => self.drop_task(inst, i, used),
                TaskState::Gone => return false,
            }
        }
    }

    /// Removes and ends the instance's task at `i`.
    fn drop_task(&mut self, inst: Instance, i: usize, used: &ScriptFrameUse) {
        let Some(es) = self.entities.get_mut(&inst) else {
            return;
        };
        if i < es.tasks.len() {
            let t = es.tasks.remove(i);
            self.end_task_armed(used, t);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn resume_task(
        &mut self,
        inst: Instance,
        i: usize,
        v: &[Value],
        path: &Rc<str>,
        used: &Rc<ScriptFrameUse>,
        fuel: i64,
        runaway: RunawayPolicy,
    ) -> TaskState {
        let frame = self.frame;
        let Some(es) = self.entities.get_mut(&inst) else {
            return TaskState::Gone;
        };
        let serial = es.serial;
        let task = &mut es.tasks[i];
        let (key, id) = (task.key, task.id);
        task.ran_in = frame;
        let first_args = task.args.take();
        set_context(Some((inst.entity, serial)), path);
        self.arm(fuel, used);
        let result = match first_args {
            Some(k) => {
                let args = self.vm.unroot(k);
                let mut argv: smallvec::SmallVec<[Value; 8]> = smallvec::SmallVec::new();
                if let Some(Value::Table(t)) = args {
                    for j in 1..=t.len() {
                        argv.push(t.get_int(j));
                    }
                }
                self.vm.resume_in_place(key, &argv)
            }
            None => self.vm.resume_in_place(key, v),
        };
        let hit = self.disarm(used);
        // Cancelled by itself while it ran: it ends now that it has yielded.
        if api::TASK_WORK.get()
            && api::TASK_REQUESTS.with(|r| {
                r.borrow()
                    .iter()
                    .any(|q| matches!(q, api::TaskRequest::Cancel(c) if *c == id))
            })
        {
            return TaskState::Ended;
        }
        match result {
            Ok(Resumed::Finished(_)) => TaskState::Ended,
            Ok(Resumed::OutOfFuel) => match runaway {
                RunawayPolicy::Suspend => {
                    if let Some(es) = self.entities.get_mut(&inst) {
                        es.tasks[i].wait = Wait::Ready;
                    }
                    TaskState::Alive
                }
                RunawayPolicy::Kill => {
                    let what = match hit {
                        Some(super::Budget::Time) => "its script's time budget for the frame",
                        _ => "its instruction budget (runaway loop?)",
                    };
                    let msg = format!("task used up {what} and was stopped");
                    let e = self.vm.plain_error(&msg);
                    self.fail(Some(inst.entity), used, path, &e, Some(key), hit);
                    TaskState::Ended
                }
            },
            Ok(Resumed::Yielded(_)) => {
                let vals: smallvec::SmallVec<[Value; 3]> =
                    self.vm.resume_values().iter().take(3).copied().collect();
                let wait = self.tags.wait_for(&mut self.vm, &vals, self.elapsed, frame);
                match self.entities.get_mut(&inst) {
                    Some(es) => {
                        es.tasks[i].wait = wait;
                        TaskState::Alive
                    }
                    None => {
                        if let Wait::Until { predicate, .. } = wait {
                            self.vm.unroot(predicate);
                        }
                        TaskState::Gone
                    }
                }
            }
            Err(e) => {
                self.fail(Some(inst.entity), used, path, &e, Some(key), hit);
                TaskState::Ended
            }
        }
    }

    #[inline(never)]
    /// Delivers a message to an instance: `on_event(self, name, payload)`, then each of its
    /// tasks waiting for `name` (`wait_event`) resumes with the payload, in spawn order. Each
    /// receiver gets its own copy of the payload.
    pub(crate) fn deliver(&mut self, inst: Instance, name: &str, payload: &ScriptValue) {
        let Some(es) = self.entities.get(&inst) else {
            return;
        };
        let waiting = es
            .tasks
            .iter()
            .any(|t| matches!(&t.wait, Wait::Event { name: n, .. } if n == name));
        let Some(module) = self.modules.get(&inst.asset) else {
            return;
        };
        // A script out of time this frame gets no more runs, messages included (a storm of
        // messages costs its receivers, and stops with their budgets).
        if module.frame_use.exhausted.get() {
            return;
        }
        let defines = !module.env_table.get_str(self.keys.on_event).is_nil();
        // Most receivers of a broadcast neither handle nor wait for it: nothing to do.
        if !defines && !waiting {
            return;
        }
        if defines {
            let n = self.vm.str_value(name);
            let p = payload.to_lua(&mut self.vm);
            let k = self.keys.on_event;
            self.call_key(inst, k, &[n, p]);
        }
        let (path, used) = (self.path_of(inst.asset), self.frame_use(inst.asset));
        let (fuel, runaway) = (self.fuel_per_run, self.runaway);
        let mut from = 0;
        loop {
            let Some(es) = self.entities.get(&inst) else {
                return;
            };
            let (tasks, serial) = (es.tasks.len(), es.serial);
            let Some(i) = es.tasks.get(from..).and_then(|t| {
                t.iter()
                    .position(|t| matches!(&t.wait, Wait::Event { name: n, .. } if n == name))
            }) else {
                break;
            };
            let i = from + i;
            self.enter(inst, serial, &path, &used, tasks);
            let p = payload.to_lua(&mut self.vm);
            let state = self.resume_task(inst, i, &[p], &path, &used, fuel, runaway);
            self.leave(inst, &used);
            match state {
                TaskState::Alive => from = i + 1,
                TaskState::Ended => {
                    self.drop_task(inst, i, &used);
                    from = i;
                }
                TaskState::Gone => return,
            }
        }
    }

    /// The instances a message for `target` reaches, in resume order.
    pub(crate) fn receivers(&self, target: ScriptTarget) -> smallvec::SmallVec<[Instance; 4]> {
        match target {
            ScriptTarget::Entity(e) => self.entities.of(e).collect(),
            ScriptTarget::All => self.entities.instances().collect(),
            ScriptTarget::World => self
                .entities
                .iter()
                .take_while(|(_, es)| es.world)
                .map(|(i, _)| i)
                .collect(),
        }
    }

    #[inline(never)]
    /// Delivers the messages scripts sent this frame, in rounds (a message sent while
    /// delivering goes in the next round); what is left after `MAX_MESSAGE_ROUNDS` waits for
    /// the next frame.
    pub(crate) fn deliver_script_messages(&mut self) {
        for _ in 0..MAX_MESSAGE_ROUNDS {
            api::OUTBOX.with(|o| self.messages.append(&mut o.borrow_mut()));
            if self.messages.is_empty() {
                return;
            }
            let round = std::mem::take(&mut self.messages);
            for m in &round {
                for inst in self.receivers(m.target) {
                    self.deliver(inst, &m.name, &m.payload);
                }
            }
            // Keep the buffer: the next frame's messages reuse it.
            let mut round = round;
            round.clear();
            if self.messages.is_empty() {
                self.messages = round;
            }
        }
    }
}

/// What games and tools may use between frames.
impl ScriptRuntime {
    /// The VM the scripts run in: counters, budgets (`&Vm` methods).
    pub fn vm(&self) -> &Vm {
        &self.vm
    }

    /// The VM, for its safe public API between frames (`call`, `exec`, globals, handles).
    /// Replacing the VM itself is refused at the next frame.
    pub fn vm_mut(&mut self) -> &mut Vm {
        &mut self.vm
    }

    /// What the last frame of scripts did.
    pub fn report(&self) -> &FrameReport {
        &self.report
    }

    /// The script assets loaded, with their paths.
    pub fn scripts(&self) -> impl Iterator<Item = (bevy::asset::AssetId<super::LuaScript>, &str)> {
        self.modules.iter().map(|(id, m)| (*id, &*m.path))
    }

    /// One script asset's share of the last frame.
    pub fn script_report(
        &self,
        asset: bevy::asset::AssetId<super::LuaScript>,
    ) -> Option<&ScriptReport> {
        self.modules.get(&asset).map(|m| &m.report)
    }

    /// The `self` table of `entity`'s script, kept alive while the handle lives.
    pub fn entity_self(&mut self, entity: Entity) -> Option<crate::vm::LuaTable> {
        let inst = self.entities.of(entity).next()?;
        let key = self.entities.get(&inst)?.self_table;
        let v = self.vm.rooted(key)?;
        match self.vm.lift(v) {
            crate::vm::LuaValue::Table(t) => Some(t),
            _ => None,
        }
    }

    /// Frames run so far.
    pub fn frame(&self) -> u64 {
        self.frame
    }

    /// Also time each script and count VM instructions (the overlay turns it on while open).
    pub fn set_profile(&mut self, on: bool) {
        self.profile = on;
    }
}

impl Default for ScriptRuntime {
    fn default() -> Self {
        ScriptRuntime::new()
    }
}

enum TaskState {
    Alive,
    Ended,
    /// The entity went away while its task ran.
    Gone,
}
