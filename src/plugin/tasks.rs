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

use super::api::{self, CONTEXT, Request, set_context};
use super::budget::{FrameClock, ScriptFrameUse};
use super::stats::{FrameReport, ScriptReport, objects_of};
use super::{RunawayPolicy, ScriptValue};

/// Why a task is not running.
#[derive(Clone, Debug)]
pub enum Wait {
    /// Runs this frame (just spawned, or `wait_frames` done).
    Ready,
    Seconds {
        until: f64,
        since: f64,
    },
    Frames(u32),
    Until(RootKey),
    Event(String),
    Join(u64),
}

pub struct Task {
    pub(crate) id: u64,
    pub(crate) thread: RootKey,
    pub(crate) key: ThreadKey,
    pub(crate) wait: Wait,
    /// Arguments for the first resume.
    pub(crate) args: Option<RootKey>,
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

/// The scripted entities, stored densely in the order their scripts started (the resume order),
/// so the per-frame walk reads memory in sequence; a small map finds an entity's position.
#[derive(Default)]
pub struct EntityScripts {
    list: Vec<(Entity, EntityScript)>,
    position: FxHashMap<Entity, u32>,
}

impl EntityScripts {
    pub(crate) fn len(&self) -> usize {
        self.list.len()
    }

    pub(crate) fn contains_key(&self, e: &Entity) -> bool {
        self.position.contains_key(e)
    }

    pub(crate) fn get(&self, e: &Entity) -> Option<&EntityScript> {
        let &i = self.position.get(e)?;
        Some(&self.list[i as usize].1)
    }

    pub(crate) fn get_mut(&mut self, e: &Entity) -> Option<&mut EntityScript> {
        let &i = self.position.get(e)?;
        Some(&mut self.list[i as usize].1)
    }

    /// Adds `e` at the end of the resume order (or replaces its script in place).
    pub(crate) fn insert(&mut self, e: Entity, script: EntityScript) {
        match self.position.get(&e) {
            Some(&i) => self.list[i as usize].1 = script,
            None => {
                self.position.insert(e, self.list.len() as u32);
                self.list.push((e, script));
            }
        }
    }

    /// Removes `e`, keeping the order of the others.
    pub(crate) fn remove(&mut self, e: &Entity) -> Option<EntityScript> {
        let i = self.position.remove(e)? as usize;
        let (_, script) = self.list.remove(i);
        for (j, (other, _)) in self.list.iter().enumerate().skip(i) {
            self.position.insert(*other, j as u32);
        }
        Some(script)
    }

    /// The entity at position `i` of the resume order.
    pub(crate) fn entity_at(&self, i: usize) -> Option<Entity> {
        self.list.get(i).map(|(e, _)| *e)
    }

    /// Entities in resume order.
    pub(crate) fn entities(&self) -> impl Iterator<Item = Entity> + '_ {
        self.list.iter().map(|(e, _)| *e)
    }

    #[cfg(feature = "overlay")]
    /// Entities and their scripts in resume order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (Entity, &EntityScript)> {
        self.list.iter().map(|(e, s)| (*e, s))
    }

    pub(crate) fn values(&self) -> impl Iterator<Item = &EntityScript> {
        self.list.iter().map(|(_, s)| s)
    }
}

/// Longest error message reported (the rest is cut): a script raising megabyte messages every
/// frame must not spend the frame copying and logging them.
const MAX_MESSAGE_BYTES: usize = 4096;

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
    /// Events for scripts this frame (`wait_event` / `on_event`).
    pub(crate) events: Vec<(Option<Entity>, String, ScriptValue)>,
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
    /// This frame's work lists, kept to reuse their buffers.
    pub(crate) removed: Vec<Entity>,
    pub(crate) starting: Vec<(Entity, bevy::asset::AssetId<super::LuaScript>)>,
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
    /// Budgets of the runs that belong to no script (finalizers run by the collector's step).
    pub(crate) host_use: Rc<ScriptFrameUse>,
    /// The entity each live task belongs to, by task id (cancel and join find a task at once).
    task_owner: FxHashMap<u64, Entity>,
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

/// Interned wait-request tags, compared by identity.
struct Tags {
    wait: Value,
    frames: Value,
    until: Value,
    event: Value,
    join: Value,
}

impl ScriptRuntime {
    pub fn new() -> ScriptRuntime {
        let mut vm = Vm::with_stdlib();
        vm.out = Box::new(api::LogWriter::default());
        vm.capture_finalizer_errors(true);
        api::install(&mut vm);
        let tags = Tags {
            wait: vm.str_value("__mp_wait"),
            frames: vm.str_value("__mp_frames"),
            until: vm.str_value("__mp_until"),
            event: vm.str_value("__mp_event"),
            join: vm.str_value("__mp_join"),
        };
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
        };
        // Keep the tags alive for the VM's lifetime.
        for t in [tags.wait, tags.frames, tags.until, tags.event, tags.join] {
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
            report: FrameReport::default(),
            profile: false,
            module_handles: Vec::new(),
            module_paths: Default::default(),
            pending: Vec::new(),
            reloads: Vec::new(),
            removed: Vec::new(),
            starting: Vec::new(),
            loading: Vec::new(),
            functions_installed: 0,
            fuel_per_run: i64::MAX,
            memory_per_run: usize::MAX,
            clock: FrameClock::default(),
            max_tasks_per_entity: u32::MAX,
            max_spawns_per_frame: u32::MAX,
            host_use: Rc::default(),
            task_owner: FxHashMap::default(),
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
        let env = match vm
            .call_values(new_env, &[])
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

    /// Calls `self.<name>(self, extra...)` if the script defines it; errors are reported.
    pub(crate) fn callback(&mut self, entity: Entity, name: &str, extra: &[Value]) {
        let k = self.vm.intern(name.as_bytes());
        self.callback_key(entity, k, extra);
    }

    fn callback_key(&mut self, entity: Entity, name: Gc<LuaStr>, extra: &[Value]) {
        let Some(es) = self.entities.get(&entity) else {
            return;
        };
        let (asset, tasks) = (es.asset, es.tasks.len());
        let Some(me) = self.vm.rooted(es.self_table) else {
            return;
        };
        let f = self.module_fn_key(asset, name);
        if f.is_nil() {
            return;
        }
        let path = self.path_of(asset);
        let used = self.frame_use(asset);
        self.enter(entity, &path, &used, tasks);
        let mut argv = [Value::Nil; 4];
        argv[0] = me;
        let n = 1 + extra.len().min(3);
        argv[1..n].copy_from_slice(&extra[..n - 1]);
        self.arm(self.fuel_per_run, &used);
        let result = self.vm.call1(f, &argv[..n]);
        let hit = self.disarm(&used);
        self.leave(&used);
        if let Err(e) = result {
            self.fail(Some(entity), &used, &path, &e, None, hit);
        }
    }

    /// Sets what the natives of an entity's run see: the entity, its script's path, and what
    /// is left of its caps (tasks it may still spawn, entities its script may spawn this frame).
    fn enter(&self, entity: Entity, path: &Rc<str>, used: &ScriptFrameUse, tasks: usize) {
        set_context(Some(entity), path);
        api::TASKS_LEFT.set(self.max_tasks_per_entity.saturating_sub(tasks as u32));
        api::SPAWNS_LEFT.set(self.max_spawns_per_frame.saturating_sub(used.spawned.get()));
    }

    /// After an entity's run: records the spawns it made against its script's cap.
    fn leave(&self, used: &ScriptFrameUse) {
        used.spawned
            .set(self.max_spawns_per_frame - api::SPAWNS_LEFT.get().min(self.max_spawns_per_frame));
    }

    #[inline(never)]
    /// Starts the script of a new entity: `self`, `on_spawn`, and `main` as its first task.
    pub(crate) fn start_entity(
        &mut self,
        entity: Entity,
        asset: bevy::asset::AssetId<super::LuaScript>,
        transform: Option<&Transform>,
        init: Option<RootKey>,
    ) {
        let vm = &mut self.vm;
        let me = vm.new_table();
        vm.set_field(me, "entity", Value::Int(entity.to_bits() as i64));
        if let Value::Table(mt) = super::functions::internal(vm, "__mp_Entity") {
            vm.set_type_metatable(&Value::Table(me), Some(mt));
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
        self.entities.insert(
            entity,
            EntityScript {
                asset,
                self_table,
                me,
                tasks: Vec::new(),
                started: false,
                synced: None,
                transform_tables: None,
                module: None,
            },
        );
        if let Some(t) = transform {
            self.write_transform(entity, t);
        }
        self.callback(entity, "on_spawn", &[]);
        self.start_main(entity);
        if let Some(es) = self.entities.get_mut(&entity) {
            es.started = true;
        }
    }

    fn start_main(&mut self, entity: Entity) {
        let Some(es) = self.entities.get(&entity) else {
            return;
        };
        let (asset, self_table) = (es.asset, es.self_table);
        let main = self.module_fn(asset, "main");
        if !main.is_function() {
            return;
        }
        let me = self.vm.rooted(self_table).unwrap_or(Value::Nil);
        let co = self.vm.new_thread(main);
        let thread = self.vm.root(Value::Thread(co));
        let args = self.vm.new_table();
        args.get_mut().set_int(1, me);
        let args = self.vm.root(Value::Table(args));
        let id = CONTEXT.with(|c| {
            let mut c = c.borrow_mut();
            c.next_task += 1;
            c.next_task
        });
        self.entities.get_mut(&entity).unwrap().tasks.push(Task {
            id,
            thread,
            key: co,
            wait: Wait::Ready,
            args: Some(args),
        });
        self.task_owner.insert(id, entity);
    }

    #[inline(never)]
    /// Ends an entity's tasks (closing their `<close>` variables) and forgets it.
    pub(crate) fn stop_entity(&mut self, entity: Entity, run_on_despawn: bool) {
        if run_on_despawn {
            self.callback(entity, "on_despawn", &[]);
        }
        let Some(es) = self.entities.remove(&entity) else {
            return;
        };
        self.end_tasks(es.asset, es.tasks);
        self.vm.unroot(es.self_table);
        // Its state and tasks are garbage now: collect them in the next frames' steps.
        self.vm.gc_request_cycle();
    }

    /// Ends tasks of `asset`'s script. Their `__close` handlers share one run's budgets: a
    /// thousand tasks with handlers that never return cost one budget, not a thousand.
    fn end_tasks(&mut self, asset: bevy::asset::AssetId<super::LuaScript>, tasks: Vec<Task>) {
        if tasks.is_empty() {
            return;
        }
        let used = self.frame_use(asset);
        self.arm(self.fuel_per_run, &used);
        for t in tasks {
            self.end_task(t);
        }
        self.disarm(&used);
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
        let closed = self.vm.close_thread(t.key);
        if let Some(e) = closed {
            let msg = self.vm.error_to_string(&LuaError::Value(e));
            warn!("error closing a cancelled task: {msg}");
        }
        self.vm.unroot(t.thread);
        if let Wait::Until(k) = t.wait {
            self.vm.unroot(k);
        }
        if let Some(a) = t.args {
            self.vm.unroot(a);
        }
    }

    /// Restarts an entity's tasks after a hot reload and runs `on_reload(self)`.
    pub(crate) fn reload_entity(&mut self, entity: Entity) {
        let (asset, tasks) = match self.entities.get_mut(&entity) {
            Some(es) => (es.asset, std::mem::take(&mut es.tasks)),
            None => return,
        };
        self.end_tasks(asset, tasks);
        self.callback(entity, "on_reload", &[]);
        self.start_main(entity);
    }

    /// Copies a `Transform` into `self.transform` (reusing its tables).
    pub(crate) fn write_transform(&mut self, entity: Entity, t: &Transform) {
        let Some(es) = self.entities.get(&entity) else {
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
        if let Some(es) = self.entities.get_mut(&entity) {
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
        api::CURRENT_ENTITY.set(None);
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
        let Some((entity, es)) = self.entities.list.get_mut(position) else {
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
        let (entity, asset, me, tasks) = (*entity, es.asset, es.me, es.tasks.len());
        let copied_in = match &transform {
            Some(t) if es.synced.as_ref() != Some(&**t) => {
                self.write_transform(entity, t);
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
        self.enter(entity, &path, &used, tasks);
        if !callback.is_nil() {
            self.arm(fuel, &used);
            let result = self
                .vm
                .call1(callback, &[Value::Table(me), Value::Float(dt)]);
            let hit = self.disarm(&used);
            if let Err(e) = result {
                self.fail(Some(entity), &used, &path, &e, None, hit);
            }
        }
        if pass == Pass::Update && tasks > 0 && !used.exhausted.get() {
            self.step_tasks(entity, &path, &used, fuel, runaway);
        }
        self.leave(&used);
        if let Some((instructions, objects, t0)) = before {
            let tasks = match self.entities.list.get(position) {
                Some((e, es)) if *e == entity => es.tasks.len(),
                _ => self.entities.get(&entity).map_or(0, |es| es.tasks.len()),
            };
            let (instructions, objects) = (
                self.vm.stats.instructions - instructions,
                objects_of(&self.vm.stats) - objects,
            );
            if let Some(m) = self.modules.get_mut(&asset) {
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
            Some((e, es)) if *e == entity => Some(es),
            _ => self.entities.get_mut(&entity),
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

    fn step_tasks(
        &mut self,
        entity: Entity,
        path: &Rc<str>,
        used: &Rc<ScriptFrameUse>,
        fuel: i64,
        runaway: RunawayPolicy,
    ) {
        let mut i = 0;
        loop {
            if used.exhausted.get() {
                // Out of time: the other tasks wait for the next frame.
                return;
            }
            let Some(es) = self.entities.get_mut(&entity) else {
                return;
            };
            let Some(task) = es.tasks.get_mut(i) else {
                return;
            };
            let resume_with =
                match &mut task.wait {
                    Wait::Ready => Some(Value::Nil),
                    Wait::Frames(n) => {
                        if *n <= 1 {
                            Some(Value::Nil)
                        } else {
                            *n -= 1;
                            None
                        }
                    }
                    Wait::Seconds { until, since } => (self.elapsed >= *until - 1e-9)
                        .then_some(Value::Float(self.elapsed - *since)),
                    Wait::Until(k) => {
                        let k = *k;
                        let f = self.vm.rooted(k).unwrap_or(Value::Nil);
                        self.arm(fuel, used);
                        let result = self.vm.call1(f, &[]);
                        let hit = self.disarm(used);
                        match result {
                            Ok(v) if v.truthy() => {
                                self.vm.unroot(k);
                                Some(Value::Nil)
                            }
                            Ok(_) => None,
                            Err(e) => {
                                self.fail(Some(entity), used, path, &e, None, hit);
                                let Some(es) = self.entities.get_mut(&entity) else {
                                    return;
                                };
                                let t = es.tasks.remove(i);
                                self.end_task_armed(used, t);
                                continue;
                            }
                        }
                    }
                    Wait::Event(name) => {
                        let name = name.clone();
                        let found = self.events.iter().find(|(target, n, _)| {
                            *n == name && target.is_none_or(|t| t == entity)
                        });
                        found.map(|(_, _, payload)| payload.clone().into_lua(&mut self.vm))
                    }
                    Wait::Join(id) => {
                        let alive = self.task_owner.contains_key(id);
                        (!alive).then_some(Value::Nil)
                    }
                };
            let Some(v) = resume_with else {
                i += 1;
                continue;
            };
            match self.resume_task(entity, i, v, path, used, fuel, runaway) {
                TaskState::Alive => i += 1,
                TaskState::Ended => {
                    let Some(es) = self.entities.get_mut(&entity) else {
                        return;
                    };
                    let t = es.tasks.remove(i);
                    self.end_task_armed(used, t);
                }
                TaskState::Gone => return,
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn resume_task(
        &mut self,
        entity: Entity,
        i: usize,
        v: Value,
        path: &Rc<str>,
        used: &Rc<ScriptFrameUse>,
        fuel: i64,
        runaway: RunawayPolicy,
    ) -> TaskState {
        let Some(es) = self.entities.get_mut(&entity) else {
            return TaskState::Gone;
        };
        let task = &mut es.tasks[i];
        let key = task.key;
        let first_args = task.args.take();
        set_context(Some(entity), path);
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
            None => self.vm.resume_in_place(key, &[v]),
        };
        let hit = self.disarm(used);
        match result {
            Ok(Resumed::Finished(_)) => TaskState::Ended,
            Ok(Resumed::OutOfFuel) => match runaway {
                RunawayPolicy::Suspend => {
                    if let Some(es) = self.entities.get_mut(&entity) {
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
                    self.fail(Some(entity), used, path, &e, Some(key), hit);
                    TaskState::Ended
                }
            },
            Ok(Resumed::Yielded(n)) => {
                let vals = self.vm.resume_values();
                let tag = if n > 0 { vals[0] } else { Value::Nil };
                let arg = if n > 1 { vals[1] } else { Value::Nil };
                let wait = if tag == self.tags.wait {
                    let secs = match arg {
                        Value::Float(f) => f,
                        Value::Int(i) => i as f64,
                        _ => 0.0,
                    };
                    Wait::Seconds {
                        until: self.elapsed + secs,
                        since: self.elapsed,
                    }
                } else if tag == self.tags.frames {
                    let n = match arg {
                        Value::Int(i) => i.max(1) as u32,
                        Value::Float(f) => f.max(1.0) as u32,
                        _ => 1,
                    };
                    Wait::Frames(n)
                } else if tag == self.tags.until {
                    Wait::Until(self.vm.root(arg))
                } else if tag == self.tags.event {
                    let name = match arg {
                        Value::Str(s) => s.to_str_lossy().into_owned(),
                        _ => String::new(),
                    };
                    Wait::Event(name)
                } else if tag == self.tags.join {
                    match arg {
                        Value::Int(id) => Wait::Join(id as u64),
                        _ => Wait::Frames(1),
                    }
                } else {
                    // A bare coroutine.yield(): continue next frame.
                    Wait::Frames(1)
                };
                match self.entities.get_mut(&entity) {
                    Some(es) => {
                        es.tasks[i].wait = wait;
                        TaskState::Alive
                    }
                    None => TaskState::Gone,
                }
            }
            Err(e) => {
                self.fail(Some(entity), used, path, &e, Some(key), hit);
                TaskState::Ended
            }
        }
    }

    #[inline(never)]
    /// Carries out what scripts asked for during the frame: new tasks now, the rest returned
    /// for the system to do with `Commands` and messages.
    pub(crate) fn take_requests(&mut self) -> Vec<Request> {
        let requests = CONTEXT.with(|c| std::mem::take(&mut c.borrow_mut().requests));
        let mut rest = Vec::new();
        for r in requests {
            match r {
                Request::SpawnTask {
                    entity,
                    id,
                    thread,
                    args,
                } => {
                    let key = match self.vm.rooted(thread) {
                        Some(Value::Thread(k)) => k,
                        _ => continue,
                    };
                    match self.entities.get_mut(&entity) {
                        Some(es) => {
                            es.tasks.push(Task {
                                id,
                                thread,
                                key,
                                wait: Wait::Ready,
                                args: Some(args),
                            });
                            self.task_owner.insert(id, entity);
                        }
                        None => {
                            self.vm.unroot(thread);
                            self.vm.unroot(args);
                        }
                    }
                }
                Request::CancelTask(id) => {
                    let Some(&owner) = self.task_owner.get(&id) else {
                        continue;
                    };
                    let Some(es) = self.entities.get_mut(&owner) else {
                        continue;
                    };
                    let asset = es.asset;
                    if let Some(p) = es.tasks.iter().position(|t| t.id == id) {
                        let t = es.tasks.remove(p);
                        let used = self.frame_use(asset);
                        self.end_task_armed(&used, t);
                    }
                }
                other => rest.push(other),
            }
        }
        rest
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
        let key = self.entities.get(&entity)?.self_table;
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
