//! The Bevy plugin: `.lua` assets, the `Script` component, per-entity tasks with wait
//! primitives, messages both ways, and hot reload. One `MoonpoolPlugin` wires it all.
//!
//! ```no_run
//! use bevy::prelude::*;
//! use moonpool::plugin::{MoonpoolPlugin, Script};
//!
//! fn setup(mut commands: Commands, assets: Res<AssetServer>) {
//!     commands.spawn((Transform::default(), Script::new(assets.load("scripts/mover.lua"))));
//! }
//!
//! App::new()
//!     .add_plugins((DefaultPlugins, MoonpoolPlugin::default()))
//!     .add_systems(Startup, setup)
//!     .run();
//! ```

pub(crate) mod api;
pub(crate) mod asset;
pub(crate) mod budget;
pub(crate) mod calls;
pub(crate) mod component;
pub(crate) mod functions;
pub(crate) mod input;
pub(crate) mod reflect;
pub(crate) mod reload;
pub(crate) mod stats;
pub mod stubs;
pub(crate) mod tasks;
pub(crate) mod value;
pub(crate) mod wait;
mod world;

use bevy::app::{App, FixedUpdate, Plugin, Update};
use bevy::asset::{AssetApp, AssetEvent, AssetServer, Assets};
use bevy::ecs::entity::Entity;
use bevy::ecs::lifecycle::RemovedComponents;
use bevy::ecs::message::{Message, MessageReader, MessageWriter};
use bevy::ecs::query::{Changed, QueryState};
use bevy::ecs::reflect::ReflectResource;
use bevy::ecs::resource::Resource;
use bevy::ecs::schedule::{InternedScheduleLabel, IntoScheduleConfigs, ScheduleLabel, SystemSet};
use bevy::ecs::system::{Commands, Query, Res, SystemParam, SystemState};
use bevy::ecs::world::World;
use bevy::input::ButtonInput;
use bevy::input::gamepad::Gamepad;
use bevy::input::keyboard::KeyCode;
use bevy::input::mouse::{AccumulatedMouseMotion, AccumulatedMouseScroll, MouseButton};
use bevy::time::{Fixed, Time};
use bevy::transform::components::Transform;

pub use crate::vm::{FromLua, IntoLua, LuaValue};
pub use asset::{LuaScript, LuaScriptLoader, ScriptCompileError};
pub use calls::{ScriptCallExt, ScriptCommandsExt, WorldScriptAppExt};
pub use component::{Script, WorldScript};
pub use functions::{ScriptFunctions, ScriptFunctionsExt, ScriptReturn};
pub use input::ScriptCursor;
pub use stats::{FrameReport, ScriptReport};
pub use tasks::ScriptRuntime;
pub use value::{ScriptTarget, ScriptValue};

use crate::vm::runtime::value::Value;
use api::Request;

/// What happens to a task that uses up its instruction budget in one frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq, bevy::reflect::Reflect)]
pub enum RunawayPolicy {
    /// Suspended where it is; it continues next frame (a long computation spread over frames).
    Suspend,
    /// Stopped and reported as an error.
    Kill,
}

/// Settings of the plugin, also readable as a resource. Every budget, when passed, stops only
/// the script that passed it, with a `ScriptError` naming it (`ScriptError::budget`).
#[derive(Resource, Clone, Debug, bevy::reflect::Reflect)]
#[reflect(Resource, Debug)]
pub struct MoonpoolSettings {
    /// Fuel one script run (a callback, or one resume of a task) may use: a unit is charged at
    /// each call and loop back-jump, and natives charge in proportion to their work (bytes
    /// copied, matching steps, elements moved), so a unit stays tens of nanoseconds at most.
    pub fuel_per_task: i64,
    /// Wall-clock time all the runs of one script (asset) may take per frame, checked where
    /// fuel is checked. The run that passes it is stopped (a task is suspended instead with
    /// `RunawayPolicy::Suspend`); the script's other entities wait for the next frame.
    /// `None`: unlimited.
    pub time_per_script: Option<std::time::Duration>,
    /// Collector work units per frame (see `Vm::gc_step`).
    pub gc_budget: usize,
    pub runaway: RunawayPolicy,
    /// Bytes one script run (a callback, or one resume of a task) may allocate; past it the
    /// script gets Lua's "not enough memory" error, and only that script.
    pub memory_per_task: usize,
    /// The VM's heap limit (live Lua objects, all scripts together).
    pub memory_limit: usize,
    /// Live tasks one entity's script may keep (`task.spawn` past it is an error).
    pub max_tasks_per_entity: u32,
    /// Entities one script may spawn per frame (`spawn` past it is an error).
    pub max_spawns_per_frame: u32,
    /// Messages (`emit` and `send` together) one script may send per frame: each is a copy on
    /// the Rust heap, which the VM's memory limits do not see.
    pub max_messages_per_frame: u32,
    /// String, table and call-depth caps (see `moonpool::vm::Limits`; the VM knows no Bevy,
    /// so an inspector does not show them).
    #[reflect(ignore)]
    pub limits: crate::vm::Limits,
}

/// The default `time_per_script`: a frame at 60 Hz is 16.7 ms, and one script taking a quarter
/// of it is broken or hostile; Moonpool runs 10,000 entities of a typical script in about
/// 1.8 ms (release), so 4 ms leaves room for heavy legitimate scripts. Unoptimized builds run
/// scripts about ten times slower, so they get ten times the time.
pub const DEFAULT_TIME_PER_SCRIPT: std::time::Duration = if cfg!(debug_assertions) {
    std::time::Duration::from_millis(40)
} else {
    std::time::Duration::from_millis(4)
};

impl Default for MoonpoolSettings {
    fn default() -> Self {
        MoonpoolSettings {
            fuel_per_task: 1_000_000,
            time_per_script: Some(DEFAULT_TIME_PER_SCRIPT),
            gc_budget: 5_000,
            runaway: RunawayPolicy::Kill,
            memory_per_task: 64 << 20,
            memory_limit: 1 << 30,
            max_tasks_per_entity: 1_000,
            max_spawns_per_frame: 256,
            max_messages_per_frame: 10_000,
            limits: crate::vm::Limits {
                max_string_bytes: 16 << 20,
                max_table_bytes: 256 << 20,
                max_call_depth: 10_000,
                ..Default::default()
            },
        }
    }
}

/// The budget or cap that stopped a script (see `MoonpoolSettings`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, bevy::reflect::Reflect)]
pub enum Budget {
    /// `fuel_per_task`: "instruction budget exhausted".
    Instructions,
    /// `time_per_script`: "time budget exhausted".
    Time,
    /// `memory_per_task` or `memory_limit`: "not enough memory".
    Memory,
    /// Nesting of calls through Rust, `pcall`s and resumes (about 200): "C stack overflow".
    CStack,
    /// `max_tasks_per_entity`.
    Tasks,
    /// `max_spawns_per_frame`.
    Spawns,
    /// `max_messages_per_frame`.
    Messages,
}

impl Budget {
    /// The setting (of `MoonpoolSettings`) that sets this budget.
    pub fn setting(self) -> &'static str {
        match self {
            Budget::Instructions => "fuel_per_task",
            Budget::Time => "time_per_script",
            Budget::Memory => "memory_per_task / memory_limit",
            Budget::CStack => "C stack (nested pcall, metamethod and resume levels)",
            Budget::Tasks => "max_tasks_per_entity",
            Budget::Spawns => "max_spawns_per_frame",
            Budget::Messages => "max_messages_per_frame",
        }
    }
}

impl From<crate::vm::Exhausted> for Budget {
    fn from(e: crate::vm::Exhausted) -> Budget {
        match e {
            crate::vm::Exhausted::Instructions => Budget::Instructions,
            crate::vm::Exhausted::Time => Budget::Time,
            crate::vm::Exhausted::Memory => Budget::Memory,
            crate::vm::Exhausted::CStack => Budget::CStack,
        }
    }
}

/// The plugin's systems, for ordering a game's own systems around the scripts:
///
/// ```no_run
/// # use bevy::prelude::*;
/// # use moonpool::prelude::*;
/// # fn read_input() {}
/// # fn follow_player() {}
/// App::new()
///     .add_plugins((DefaultPlugins, MoonpoolPlugin::default()))
///     // Scripts see this frame's input, and the camera sees where scripts moved things.
///     .add_systems(Update, (read_input.before(MoonpoolSystems::Run), follow_player.after(MoonpoolSystems::Run)));
/// ```
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MoonpoolSystems {
    /// The frame's script work, in the plugin's schedule (`Update` by default): scripts loaded,
    /// started and stopped, `on_update` and tasks run, transforms written back, spawns and
    /// messages applied, a slice of garbage collection.
    Run,
    /// `on_fixed_update(self, dt)` of the scripts that define it, in `FixedUpdate`.
    FixedRun,
}

/// Runs `.lua` scripts: `MoonpoolPlugin::default()`, or with builder methods:
/// `MoonpoolPlugin::default().with_settings(settings).in_schedule(PostUpdate)`.
pub struct MoonpoolPlugin {
    pub settings: MoonpoolSettings,
    /// The schedule that runs the scripts (`MoonpoolSystems::Run`); `Update` by default.
    pub schedule: InternedScheduleLabel,
}

impl Default for MoonpoolPlugin {
    fn default() -> Self {
        MoonpoolPlugin {
            settings: MoonpoolSettings::default(),
            schedule: Update.intern(),
        }
    }
}

impl MoonpoolPlugin {
    pub fn with_settings(mut self, settings: MoonpoolSettings) -> Self {
        self.settings = settings;
        self
    }

    /// Runs the scripts in `schedule` instead of `Update` (for example `PostUpdate`, after the
    /// game's own update systems, or a schedule of the game's own).
    pub fn in_schedule(mut self, schedule: impl ScheduleLabel) -> Self {
        self.schedule = schedule.intern();
        self
    }
}

/// A script error (compile error, runtime error with traceback, runaway task).
#[derive(Message, Clone, Debug)]
pub struct ScriptError {
    pub entity: Option<Entity>,
    pub path: String,
    pub message: String,
    /// The line of `path` the message points at (`error_line`), when there is one.
    pub source_line: Option<String>,
    /// The budget or cap that stopped the script, when that is why it failed.
    pub budget: Option<Budget>,
}

/// The line number after `path:` in an error message (`path:line:` or `path:line:col:`).
pub fn error_line(path: &str, message: &str) -> Option<u32> {
    let at = message.find(path)? + path.len();
    let rest = message[at..].strip_prefix(':')?;
    let digits = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    rest[..digits].parse().ok()
}

/// Compile errors' source lines from the loader (see `asset::ErrorLine`).
#[derive(Resource)]
pub struct CompileErrorLines(pub crossbeam_channel::Receiver<asset::ErrorLine>);

/// `emit(name, payload)` from a script, for Rust systems.
#[derive(Message, Clone, Debug)]
pub struct ScriptEmitted {
    pub entity: Entity,
    pub name: String,
    pub payload: ScriptValue,
}

/// A message from Rust to scripts: `on_event(self, name, payload)` and `wait_event(name)` of
/// every script `target` reaches, delivered at the start of the scripts' next frame.
#[derive(Message, Clone, Debug)]
pub struct ScriptMessage {
    pub target: ScriptTarget,
    pub name: String,
    pub payload: ScriptValue,
}

impl ScriptMessage {
    pub fn new(
        target: impl Into<ScriptTarget>,
        name: impl Into<String>,
        payload: impl Into<ScriptValue>,
    ) -> Self {
        ScriptMessage {
            target: target.into(),
            name: name.into(),
            payload: payload.into(),
        }
    }
}

impl Plugin for MoonpoolPlugin {
    fn build(&self, app: &mut App) {
        let (error_lines, error_lines_rx) = crossbeam_channel::unbounded();
        app.init_asset::<LuaScript>()
            .register_asset_loader(LuaScriptLoader::new(error_lines))
            .insert_resource(CompileErrorLines(error_lines_rx))
            .add_message::<ScriptError>()
            .add_message::<ScriptEmitted>()
            .add_message::<ScriptMessage>()
            .insert_resource(self.settings.clone())
            .insert_non_send(ScriptRuntime::new())
            // Scripts have `self.transform`, but may also reach it by reflection (and queries).
            .register_type::<Transform>()
            // Scenes and inspectors see the plugin's components and settings.
            .register_type::<Script>()
            .register_type::<WorldScript>()
            .register_type::<MoonpoolSettings>()
            .register_type::<ScriptValue>()
            .register_type::<ScriptCursor>()
            .init_resource::<ScriptCursor>()
            .add_systems(
                self.schedule,
                (reload::report_load_failures, run_scripts)
                    .chain()
                    .in_set(MoonpoolSystems::Run),
            )
            .add_systems(
                FixedUpdate,
                run_fixed_scripts.in_set(MoonpoolSystems::FixedRun),
            );
        #[cfg(feature = "window")]
        app.add_systems(bevy::app::PreUpdate, input::cursor_from_window);
    }
}

/// One fixed step: `on_fixed_update(self, dt)` for every entity whose script defines it, with
/// the fixed timestep as `dt` and the transform copied in and out as in the frame. Each step
/// gets the budgets afresh; errors are reported with the frame's (`ScriptError`). Costs a look
/// at each loaded script, nothing per entity, while no script defines the callback.
pub fn run_fixed_scripts(world: &mut World, transforms: &mut QueryState<&'static mut Transform>) {
    let Some(mut runtime) = world.remove_non_send::<ScriptRuntime>() else {
        return;
    };
    let rt = &mut runtime;
    assert_eq!(
        rt.vm.id, rt.vm_id,
        "ScriptRuntime's VM was replaced; scripts cannot run on a VM they were not loaded in"
    );
    if rt.any_fixed_update() {
        let dt = world.resource::<Time<Fixed>>().delta_secs_f64();
        let settings = world.resource::<MoonpoolSettings>();
        let (fuel, runaway, time) = (
            settings.fuel_per_task,
            settings.runaway,
            settings.time_per_script,
        );
        rt.begin_fixed_step(std::time::Instant::now(), time);
        reflect::use_world(world.id());
        let mut access = world::WorldAccess::new(world);
        transforms.update_archetypes(access.world());
        for i in 0..rt.entities.len() {
            let Some(entity) = rt.entities.entity_at(i) else {
                break;
            };
            if !rt.ready_at(i) {
                continue;
            }
            let mut transform = transforms.get(access.world(), entity).ok().copied();
            let pass = tasks::Pass::Fixed;
            if rt.run_entity_at(i, transform.as_mut(), dt, fuel, runaway, pass)
                && let Some(value) = transform
                && let Ok(mut t) = transforms.get_mut(access.world(), entity)
            {
                *t = value;
            }
        }
    }
    world.insert_non_send(runtime);
}

/// What `run_scripts` reads before any Lua runs.
#[derive(SystemParam)]
pub struct FrameInputs<'w, 's> {
    settings: Res<'w, MoonpoolSettings>,
    time: Res<'w, Time>,
    keys: Option<Res<'w, ButtonInput<KeyCode>>>,
    mouse: Option<Res<'w, ButtonInput<MouseButton>>>,
    scroll: Option<Res<'w, AccumulatedMouseScroll>>,
    motion: Option<Res<'w, AccumulatedMouseMotion>>,
    cursor: Option<Res<'w, ScriptCursor>>,
    gamepads: Query<'w, 's, &'static Gamepad>,
    scripts: Res<'w, Assets<LuaScript>>,
    script_of: Query<'w, 's, (Option<&'static Script>, Option<&'static WorldScript>)>,
    // Two queries rather than one with `Or`: each looks only at its own archetypes, and the
    // `Or` cost about 15 instructions per scripted entity and frame.
    changed: Query<'w, 's, Entity, Changed<Script>>,
    changed_world: Query<'w, 's, Entity, Changed<WorldScript>>,
    removed: RemovedComponents<'w, 's, Script>,
    removed_world: RemovedComponents<'w, 's, WorldScript>,
    incoming: MessageReader<'w, 's, ScriptMessage>,
    changes: MessageReader<'w, 's, AssetEvent<LuaScript>>,
    functions: Option<Res<'w, ScriptFunctions>>,
}

/// What `run_scripts` writes after the Lua of the frame has run.
#[derive(SystemParam)]
pub struct FrameOutputs<'w, 's> {
    scripts: Res<'w, Assets<LuaScript>>,
    asset_server: Res<'w, AssetServer>,
    errors: MessageWriter<'w, ScriptError>,
    emitted: MessageWriter<'w, ScriptEmitted>,
    commands: Commands<'w, 's>,
}

/// The frame's script work: swap changed scripts, start new ones, stop removed ones, run
/// callbacks and tasks (transforms copied in and out around each entity), carry out requests,
/// then a slice of garbage collection.
///
/// An exclusive system: while Lua runs, scripts reach the whole world through reflection
/// (`reflect.rs`), so nothing else may hold a borrow of it.
pub fn run_scripts(
    world: &mut World,
    inputs: &mut SystemState<FrameInputs>,
    transforms: &mut QueryState<&'static mut Transform>,
    outputs: &mut SystemState<FrameOutputs>,
) {
    let started = std::time::Instant::now();
    let heap_start = crate::vm::heap_counters();
    let Some(mut runtime) = world.remove_non_send::<ScriptRuntime>() else {
        return;
    };
    let rt = &mut runtime;
    // The runtime caches pointers into its VM's heap: a VM swapped in through `vm_mut` would
    // leave them dangling, so stop here (a Rust bug in the game, not a script error).
    assert_eq!(
        rt.vm.id, rt.vm_id,
        "ScriptRuntime's VM was replaced; scripts cannot run on a VM they were not loaded in"
    );
    rt.vm.set_instruction_counting(rt.profile);
    let vm_start = rt.vm.stats();
    for m in rt.modules.values_mut() {
        m.report.clear();
        m.frame_use.reset();
    }
    rt.host_use.reset();
    api::CAP_HIT.set(None);
    let Ok(frame_inputs) = inputs.get_mut(world) else {
        world.insert_non_send(runtime);
        return;
    };
    let settings = gather_inputs(rt, frame_inputs);
    rt.clock.start_frame(started, settings.time_per_script);
    let dt = rt.dt;
    api::CLOCK.set((rt.elapsed, rt.frame));
    api::RUNNING_SCRIPTS.set(rt.entities.len());
    api::RUNNING_WORLD_SCRIPTS.set(rt.entities.world_scripts());
    if let Value::Table(t) = functions::internal(&mut rt.vm, "__mp_time") {
        rt.vm.set_field(t, "delta", Value::Float(dt));
        rt.vm.set_field(t, "elapsed", Value::Float(rt.elapsed));
        rt.vm.set_field(t, "frame", Value::Int(rt.frame as i64));
    }
    {
        reflect::use_world(world.id());
        let mut access = world::WorldAccess::new(world);
        reload::reload_changed(rt);
        for i in 0..rt.removed.len() {
            let e = rt.removed[i];
            rt.stop_entity(e, false, true);
            // Spawned with an init table but gone before its script started.
            if let Some(init) = api::PENDING_INIT.with(|p| p.borrow_mut().remove(&e)) {
                rt.vm.unroot(init);
            }
        }
        for i in 0..rt.removed_world.len() {
            let e = rt.removed_world[i];
            rt.stop_entity(e, true, true);
        }
        for inst in std::mem::take(&mut rt.stopping) {
            rt.stop_instance(inst, true);
        }
        for (id, script) in std::mem::take(&mut rt.loading) {
            if !rt.modules.contains_key(&id) {
                rt.load_module(id, &script);
            }
        }
        let mut starting = std::mem::take(&mut rt.starting);
        for (inst, world) in starting.drain(..) {
            if !rt.modules.contains_key(&inst.asset) {
                // Its module failed or waits for a `require`.
                if !rt.pending.contains(&inst.entity) {
                    rt.pending.push(inst.entity);
                }
                continue;
            }
            let init = api::PENDING_INIT.with(|p| p.borrow_mut().remove(&inst.entity));
            let transform = transforms.get(access.world(), inst.entity).ok().copied();
            rt.start_entity(inst, world, transform.as_ref(), init);
        }
        rt.starting = starting;
        // Messages from Rust: `on_event` and waiting tasks, before the walk.
        for i in 0..rt.events.len() {
            let d = rt.events[i].clone();
            for inst in rt.receivers(d.target) {
                rt.deliver(inst, &d.name, &d.payload);
            }
        }
        // Per entity, in order: transform in, callbacks and tasks, transform out. The transform
        // is copied so that no borrow of the world is held while Lua runs, and written back
        // only when the script moved it (so change detection stays meaningful).
        // The query's archetype cache is brought up to date once; per entity, lookups skip that
        // step (and fall back to the updating one for an entity a script just moved to a new
        // archetype).
        transforms.update_archetypes(access.world());
        for i in 0..rt.entities.len() {
            let Some(entity) = rt.entities.entity_at(i) else {
                break;
            };
            rt.clock.check_frame(i);
            if !rt.ready_at(i) {
                continue;
            }
            // The next entity's tables load while this one runs.
            rt.prefetch_entity(i + 1);
            let world = access.world();
            let mut transform = match transforms.get_manual(world, entity) {
                Ok(t) => Some(*t),
                Err(_) => transforms.get(world, entity).ok().copied(),
            };
            let changed = rt.run_entity_at(
                i,
                transform.as_mut(),
                dt,
                settings.fuel_per_task,
                settings.runaway,
                tasks::Pass::Update,
            );
            if changed && let Some(value) = transform {
                let world = access.world();
                // SAFETY: `world` is the exclusive system's `&mut World`, borrowed for this
                // statement only, and the query is the only access made through it meanwhile.
                let found =
                    unsafe { transforms.query_unchecked_manual(world.as_unsafe_world_cell()) }
                        .get_inner(entity);
                match found {
                    Ok(mut t) => *t = value,
                    Err(_) => {
                        if let Ok(mut t) = transforms.get_mut(world, entity) {
                            *t = value;
                        }
                    }
                }
            }
        }
        // Messages scripts sent each other this frame.
        rt.deliver_script_messages();
    }
    rt.report_frame_summaries();
    let gc_started = std::time::Instant::now();
    rt.collect_step(settings.gc_budget);
    let gc_time = gc_started.elapsed();
    if let Ok(frame_outputs) = outputs.get_mut(world) {
        write_outputs(rt, frame_outputs);
        outputs.apply(world);
    }
    let heap = crate::vm::heap_counters().since(&heap_start);
    rt.report = FrameReport {
        frame: rt.frame,
        vm: rt.vm.stats().delta(&vm_start),
        rust_allocations: heap.allocations,
        rust_bytes: heap.bytes_allocated,
        script_time: started.elapsed(),
        gc_time,
        entities: rt.entities.len(),
        live_tasks: rt.live_tasks(),
    };
    world.insert_non_send(runtime);
}

/// Reads the frame's inputs into the runtime's work lists (no Lua runs here).
fn gather_inputs(rt: &mut ScriptRuntime, mut p: FrameInputs) -> MoonpoolSettings {
    rt.dt = p.time.delta_secs_f64();
    rt.elapsed = p.time.elapsed_secs_f64();
    rt.frame += 1;
    input::capture(input::Sources {
        keys: p.keys.as_deref(),
        mouse: p.mouse.as_deref(),
        scroll: p.scroll.as_deref(),
        motion: p.motion.as_deref(),
        cursor: p.cursor.as_deref(),
        gamepads: &mut p.gamepads.iter(),
    });
    reload::collect_changes(rt, &mut p.changes, &p.scripts);
    if let Some(f) = &p.functions {
        functions::install_new(&mut rt.vm, f, &mut rt.functions_installed);
    }
    rt.removed.clear();
    rt.removed.extend(p.removed.read());
    rt.removed_world.clear();
    rt.removed_world.extend(p.removed_world.read());
    // New scripts, once their asset has loaded (only changed entities are looked at, not
    // every entity), and scripts taken out of an entity's list.
    for e in p.changed.iter().chain(p.changed_world.iter()) {
        if !rt.pending.contains(&e) {
            rt.pending.push(e);
        }
    }
    let mut pending = std::mem::take(&mut rt.pending);
    pending.retain(|&entity| {
        let Ok((script, world_script)) = p.script_of.get(entity) else {
            return false; // despawned, or its scripts removed
        };
        for inst in rt.entities.of(entity) {
            let Some(es) = rt.entities.get(&inst) else {
                continue;
            };
            let listed = if es.world {
                world_script.is_some_and(|w| w.handle.id() == inst.asset)
            } else {
                script.is_some_and(|s| s.handles.iter().any(|h| h.id() == inst.asset))
            };
            if !listed && !rt.stopping.contains(&inst) {
                rt.stopping.push(inst);
            }
        }
        let wanted = script
            .into_iter()
            .flat_map(|s| s.handles.iter().map(|h| (h, false)))
            .chain(world_script.map(|w| (&w.handle, true)));
        let mut waiting = false;
        for (handle, world) in wanted {
            let id = handle.id();
            let inst = tasks::Instance { entity, asset: id };
            if rt.entities.contains_key(&inst) || rt.starting.iter().any(|(i, _)| *i == inst) {
                continue;
            }
            let Some(asset) = p.scripts.get(id) else {
                waiting = true;
                continue;
            };
            if !rt.modules.contains_key(&id) && !rt.loading.iter().any(|(l, _)| *l == id) {
                rt.loading.push((id, asset.clone()));
            }
            rt.starting.push((inst, world));
        }
        waiting
    });
    rt.pending = pending;
    rt.events.clear();
    for m in p.incoming.read() {
        rt.events.push(value::Delivery {
            target: m.target,
            name: m.name.clone(),
            payload: m.payload.clone(),
        });
    }
    rt.fuel_per_run = p.settings.fuel_per_task;
    rt.memory_per_run = p.settings.memory_per_task;
    rt.max_tasks_per_entity = p.settings.max_tasks_per_entity;
    rt.max_spawns_per_frame = p.settings.max_spawns_per_frame;
    rt.max_messages_per_frame = p.settings.max_messages_per_frame;
    rt.runaway = p.settings.runaway;
    rt.vm.limits = p.settings.limits;
    rt.vm.set_memory_limit(Some(p.settings.memory_limit));
    p.settings.clone()
}

/// New module assets loaded per frame for `require`.
const MAX_MODULE_LOADS_PER_FRAME: usize = 16;

/// Carries out what scripts asked for (spawns, despawns, messages) and reports errors.
fn write_outputs(rt: &mut ScriptRuntime, mut p: FrameOutputs) {
    // Module loads scripts asked for: each is an asset load (a task and file IO), so a script
    // requiring thousands of names gets a few a frame (a `require` keeps asking until it loads).
    let mut module_loads = 0;
    // Swapped with the runtime's spare list, so that neither list is ever reallocated.
    let mut requests = std::mem::take(&mut rt.spare_requests);
    api::CONTEXT.with(|c| std::mem::swap(&mut c.borrow_mut().requests, &mut requests));
    for request in requests.drain(..) {
        match request {
            Request::Despawn(e) => {
                if let Ok(mut ec) = p.commands.get_entity(e) {
                    ec.despawn();
                }
            }
            Request::Emit {
                entity,
                name,
                payload,
            } => {
                p.emitted.write(ScriptEmitted {
                    entity,
                    name,
                    payload,
                });
            }
            Request::LoadModule(path) => {
                if module_loads < MAX_MODULE_LOADS_PER_FRAME && !rt.module_paths.contains(&path) {
                    module_loads += 1;
                    let h = p.asset_server.load::<LuaScript>(path.clone());
                    rt.module_paths.insert(path);
                    rt.module_handles.push(h);
                }
            }
        }
    }
    rt.spare_requests = requests;
    for f in rt.failures.drain(..) {
        // Runtime errors point into code that loaded, so the asset has the line.
        let source_line = error_line(&f.path, &f.message).and_then(|n| {
            let (_, script) = p.scripts.iter().find(|(_, s)| s.path == f.path)?;
            asset::source_line(&script.source, n)
        });
        p.errors.write(ScriptError {
            entity: f.entity,
            path: f.path,
            message: f.message,
            source_line,
            budget: f.budget,
        });
    }
}
