//! Hostile scripts: a modder trying to hang the game or run it out of memory. Each case (a script
//! in `tests/hostile/`, which `cargo bench --bench hostile` also runs) runs one hostile entity
//! beside a few scripted movers, with default `MoonpoolSettings`, and asserts
//! that every frame ends (a watchdog aborts the test otherwise), that the movers move exactly
//! as they do without it, that the hostile script is reported with the budget it hit, and that
//! the VM's heap comes back to its baseline after the hostile entity (and whatever it spawned)
//! despawns. What each case costs in time is measured by `cargo bench --bench hostile`.

#![cfg(feature = "plugin")]

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use bevy::prelude::*;
use common::{Seen, add_script, app_with};
use moonpool::plugin::{Budget, MoonpoolSettings, Script, ScriptRuntime, ScriptValue};

const MOVER: &str = "function on_update(self)
  local p = self.transform.translation
  p.x = p.x + 1
end";
const MOVERS: usize = 6;
const WARMUP: usize = 2;
const FRAMES: usize = 5;

/// Aborts the process if a case does not finish in time: a frame that never ends must fail the
/// suite, not hang it.
struct Watchdog(Arc<AtomicBool>);

impl Watchdog {
    fn new(name: &'static str, limit: Duration) -> Watchdog {
        let done = Arc::new(AtomicBool::new(false));
        let flag = done.clone();
        std::thread::spawn(move || {
            let start = std::time::Instant::now();
            while start.elapsed() < limit {
                if flag.load(Ordering::Relaxed) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            eprintln!("hostile case '{name}' did not finish in {limit:?}: a frame never ended");
            std::process::abort();
        });
        Watchdog(done)
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// What a case did.
struct Outcome {
    /// Errors from the hostile script (and from `__gc` finalizers), with the budget named.
    errors: Vec<(String, Option<Budget>)>,
    emitted: Vec<(String, ScriptValue)>,
}

impl Outcome {
    /// Reported with one of `wants` (a debug build's slower VM may reach a budget first where a
    /// release build reaches the error itself).
    fn assert_reported_any(&self, wants: &[&str]) {
        assert!(
            self.errors
                .iter()
                .any(|(m, _)| wants.iter().any(|w| m.contains(w))),
            "no error containing one of {wants:?} in {:#?}",
            self.errors
        );
    }

    fn assert_reported(&self, want: &str, budget: Option<Budget>) {
        assert!(
            self.errors
                .iter()
                .any(|(m, b)| m.contains(want) && (budget.is_none() || *b == budget)),
            "no error containing {want:?} naming {budget:?} in {:#?}",
            self.errors
        );
    }
}

fn heap_bytes(app: &App) -> u64 {
    app.world()
        .non_send::<ScriptRuntime>()
        .vm()
        .stats()
        .heap_bytes
}

fn mover_x(app: &App, movers: &[Entity]) -> Vec<f32> {
    movers
        .iter()
        .map(|&e| app.world().get::<Transform>(e).unwrap().translation.x)
        .collect()
}

/// The movers' positions after the case's frames when nothing hostile runs beside them.
fn undisturbed() -> &'static Vec<f32> {
    static X: OnceLock<Vec<f32>> = OnceLock::new();
    X.get_or_init(|| {
        let mut app = app_with(MoonpoolSettings::default());
        let mover = add_script(&mut app, "mover.lua", MOVER);
        let movers: Vec<Entity> = (0..MOVERS)
            .map(|_| {
                app.world_mut()
                    .spawn((Transform::default(), Script::new(mover.clone())))
                    .id()
            })
            .collect();
        for _ in 0..WARMUP + FRAMES {
            app.update();
        }
        mover_x(&app, &movers)
    })
}

/// Runs `tests/hostile/<name>.lua` as the hostile entity's script (asset `hostile.lua`).
fn run_with(name: &'static str, settings: MoonpoolSettings) -> Outcome {
    let path = format!("{}/tests/hostile/{name}.lua", env!("CARGO_MANIFEST_DIR"));
    let source = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let _watchdog = Watchdog::new(name, Duration::from_secs(300));
    let mut app = app_with(settings);
    let mover = add_script(&mut app, "mover.lua", MOVER);
    let movers: Vec<Entity> = (0..MOVERS)
        .map(|_| {
            app.world_mut()
                .spawn((Transform::default(), Script::new(mover.clone())))
                .id()
        })
        .collect();
    for _ in 0..WARMUP {
        app.update();
    }
    app.world_mut()
        .non_send_mut::<ScriptRuntime>()
        .vm_mut()
        .collect_garbage();
    let baseline = heap_bytes(&app);

    let hostile = add_script(&mut app, "hostile.lua", &source);
    app.world_mut()
        .spawn((Transform::default(), Script::new(hostile.clone())));
    for _ in 0..FRAMES {
        app.update();
    }
    assert_eq!(
        &mover_x(&app, &movers),
        undisturbed(),
        "{name}: the movers did not move as they do without the hostile script"
    );
    let seen = app.world().resource::<Seen>();
    let errors: Vec<(String, Option<Budget>)> = seen
        .errors
        .iter()
        .zip(&seen.budgets)
        .zip(&seen.paths)
        .filter(|(_, p)| !p.starts_with("mover"))
        .map(|((m, b), _)| (m.clone(), *b))
        .collect();
    assert!(
        seen.paths.iter().all(|p| !p.starts_with("mover")),
        "{name}: the movers failed: {:#?}",
        seen.errors
    );
    let emitted = seen.emitted.clone();

    // Despawn the hostile entity and everything it spawned; the heap must come back.
    let spawned: Vec<Entity> = app
        .world_mut()
        .query_filtered::<Entity, With<Script>>()
        .iter(app.world())
        .filter(|e| !movers.contains(e))
        .collect();
    for e in spawned {
        app.world_mut().despawn(e);
    }
    let limit = baseline + baseline / 4 + (64 << 10);
    let mut frames = 0;
    while heap_bytes(&app) > limit && frames < 3000 {
        app.update();
        frames += 1;
    }
    assert!(
        heap_bytes(&app) <= limit,
        "{name}: the VM heap stayed at {} bytes after the hostile entity despawned \
         (baseline {baseline})",
        heap_bytes(&app)
    );
    Outcome { errors, emitted }
}

fn run(name: &'static str) -> Outcome {
    run_with(name, MoonpoolSettings::default())
}

// ---- the cases of the issue ----

#[test]
fn xpcall_of_a_pcall_recursion_with_itself_as_handler() {
    let o = run("xpcall-loop");
    o.assert_reported_any(&["error in error handling", "budget exhausted"]);
}

#[test]
fn pcall_recursion_raises_c_stack_overflow() {
    let o = run("pcall-loop");
    o.assert_reported("C stack overflow", Some(Budget::CStack));
}

#[test]
fn doubling_a_string_with_gsub() {
    let o = run("gsub-doubling");
    assert!(!o.errors.is_empty());
    assert!(
        o.errors.iter().all(|(m, _)| m.contains("budget exhausted")
            || m.contains("string too large")
            || m.contains("not enough memory")),
        "{:#?}",
        o.errors
    );
}

#[test]
fn a_million_waiting_tasks_per_frame() {
    let o = run("task-bomb");
    o.assert_reported("max_tasks_per_entity", Some(Budget::Tasks));
}

#[test]
fn a_million_spawns_per_frame() {
    let o = run("spawn-bomb");
    o.assert_reported("max_spawns_per_frame", Some(Budget::Spawns));
}

#[test]
fn a_script_that_spawns_copies_of_itself() {
    let o = run("self-replicating");
    o.assert_reported("max_spawns_per_frame", Some(Budget::Spawns));
}

#[test]
fn a_loop_waiting_for_a_finalizer_ends_at_the_first_collection() {
    // PUC Lua ends this loop at its first collection: `a`'s old tables and the object with the
    // finalizer are garbage, whatever stale registers still hold.
    let o = run("finalizer-wait");
    assert_eq!(
        o.emitted,
        vec![("done".to_string(), ScriptValue::Str("collected".into()))],
        "{:#?}",
        o.errors
    );
}

// ---- every path that runs code or does work ----

#[test]
fn a_busy_loop() {
    let o = run("busy");
    o.assert_reported("budget exhausted", None);
}

#[test]
fn a_busy_loop_that_catches_its_budget_error() {
    let o = run("busy-pcall");
    o.assert_reported("budget exhausted", None);
}

#[test]
fn a_busy_task() {
    let o = run("busy-task");
    o.assert_reported("budget", None);
}

#[test]
fn a_thousand_busy_tasks() {
    let o = run("busy-tasks");
    o.assert_reported("budget", None);
}

#[test]
fn infinite_recursion() {
    let o = run("recursion");
    o.assert_reported("stack overflow", None);
}

#[test]
fn recursion_through_metamethods() {
    let o = run("meta-recursion");
    o.assert_reported("stack overflow", None);
}

#[test]
fn an_error_whose_tostring_never_returns() {
    let o = run("tostring-loop");
    assert!(!o.errors.is_empty());
}

#[test]
fn an_error_whose_name_is_huge() {
    let o = run("name-huge");
    o.assert_reported_any(&["attempt to perform arithmetic", "budget exhausted"]);
}

#[test]
fn a_message_handler_that_never_returns() {
    let o = run("handler-loop");
    o.assert_reported("budget exhausted", None);
}

#[test]
fn close_handlers_that_never_return() {
    // The tasks are cancelled when the entity despawns: their `__close` handlers share one
    // budget (checked by the despawn in `run_with`, which must end).
    let o = run("close-loop");
    o.assert_reported("budget exhausted", None);
}

#[test]
fn finalizers_that_never_return() {
    let o = run("gc-loop");
    o.assert_reported("__gc", None);
}

#[test]
fn loading_a_huge_chunk() {
    let o = run("load-huge");
    o.assert_reported("budget exhausted", None);
}

#[test]
fn loading_chunks_in_a_loop() {
    let o = run("load-loop");
    o.assert_reported("budget exhausted", None);
}

#[test]
fn huge_strings() {
    let o = run("rep-huge");
    assert!(!o.errors.is_empty());
}

#[test]
fn native_work_in_a_loop() {
    for name in [
        "format-loop",
        "concat-loop",
        "sort-loop",
        "insert-loop",
        "unpack-loop",
        "pack-loop",
        "upper-loop",
        "find-loop",
        "utf8-loop",
        "date-loop",
        "traceback-loop",
        "error-position-loop",
        "query-loop",
    ] {
        let o = run(name);
        o.assert_reported("budget exhausted", None);
    }
}

#[test]
fn huge_error_messages() {
    let o = run("error-huge");
    // The message is cut to a few kilobytes when it is reported.
    assert!(
        o.errors
            .iter()
            .all(|(m, _)| m.len() < 16 << 10 && (m.contains("xxxx") || m.contains("budget"))),
        "{:?}",
        o.errors.iter().map(|(m, _)| m.len()).collect::<Vec<_>>()
    );
}

#[test]
fn backtracking_patterns() {
    let o = run("pattern-backtracking");
    o.assert_reported("budget exhausted", None);
}

/// Default settings without the instruction and time budgets, so that memory is what stops a
/// case (a debug build allocates slowly enough to reach its time budget first).
fn memory_only() -> MoonpoolSettings {
    MoonpoolSettings {
        fuel_per_task: 1 << 40,
        time_per_script: None,
        ..Default::default()
    }
}

#[test]
fn allocating_without_bound() {
    let o = run("alloc");
    o.assert_reported_any(&["not enough memory", "budget exhausted"]);
    let o = run_with("alloc", memory_only());
    o.assert_reported("not enough memory", Some(Budget::Memory));
}

#[test]
fn keeping_memory_across_frames() {
    // Each frame stays within its run's allocation budget, but the heap keeps growing until
    // the VM's limit stops it.
    let settings = MoonpoolSettings {
        memory_limit: 64 << 20,
        ..memory_only()
    };
    let o = run_with("hoard", settings);
    o.assert_reported("not enough memory", Some(Budget::Memory));
}

#[test]
fn deep_coroutine_nesting() {
    let o = run("coroutine-nesting");
    o.assert_reported("C stack overflow", Some(Budget::CStack));
}

#[test]
fn coroutines_in_a_loop() {
    let o = run("coroutine-loop");
    o.assert_reported("budget exhausted", None);
}

#[test]
fn deep_stacks_held_by_waiting_tasks() {
    let o = run("deep-tasks");
    let _ = o;
}

#[test]
fn emitting_and_logging_without_end() {
    for name in ["log-loop", "print-loop", "cancel-loop"] {
        let o = run(name);
        o.assert_reported("budget exhausted", None);
    }
    // Messages are copies on the Rust heap: a cap stops the loop before the fuel does.
    let o = run("emit-loop");
    o.assert_reported("max_messages_per_frame", Some(Budget::Messages));
}

/// Broadcasting without end (and echoing every broadcast back to everyone): the sender pays
/// per receiver, so its fuel or its message cap stops it; the movers are undisturbed.
#[test]
fn a_broadcast_storm_is_stopped_by_the_senders_budgets() {
    let o = run("broadcast-storm");
    o.assert_reported_any(&["budget exhausted", "max_messages_per_frame"]);
}
