//! Moonpool vs bevy_mod_scripting 0.21.1 (Lua 5.4 through mlua) on the same headless
//! workloads: N entities, each with one script whose `on_update` runs once per frame.
//!
//! One engine and one workload per process, so the peak RSS printed belongs to that engine.
//! Output: one line of `key=value` pairs (see `README.md`).

mod bms;
mod moon;

use std::time::{Duration, Instant};

use bevy::prelude::*;
use bevy::time::TimeUpdateStrategy;

/// What each script's `on_update` adds to its entity's `translation.x` (reflect workload).
pub const STEP: f64 = 0.01;

/// The fixed frame time every frame reports (`TimeUpdateStrategy::ManualDuration`).
pub const FRAME_DT: f64 = 1.0 / 60.0;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Workload {
    /// `on_update` reads its Transform through reflection and adds `STEP` to `translation.x`.
    Reflect,
    /// `on_update` has an empty body.
    Trivial,
}

impl Workload {
    fn name(self) -> &'static str {
        match self {
            Workload::Reflect => "reflect",
            Workload::Trivial => "trivial",
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Engine {
    Moonpool,
    Bms,
}

/// bms's context policy: one Lua state per (entity, script), its default, or one per script.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum BmsContexts {
    PerEntity,
    PerScript,
}

struct Args {
    engine: Engine,
    workload: Workload,
    entities: usize,
    frames: usize,
    warmup: usize,
    bms_contexts: BmsContexts,
    /// Give up loading after this many frames (a script that never runs).
    max_load_frames: usize,
}

fn usage() -> ! {
    eprintln!(
        "usage: bms_compare --engine moonpool|bms --workload reflect|trivial --entities N \
         [--frames F (1000)] [--warmup W (100)] [--bms-contexts per-entity|per-script] \
         [--max-load-frames M (100000)]"
    );
    std::process::exit(2)
}

fn parse_args() -> Args {
    let mut engine = None;
    let mut workload = None;
    let mut entities = None;
    let mut frames = 1000;
    let mut warmup = 100;
    let mut bms_contexts = BmsContexts::PerEntity;
    let mut max_load_frames = 100_000;
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| usage());
        match flag.as_str() {
            "--engine" => {
                engine = Some(match value().as_str() {
                    "moonpool" => Engine::Moonpool,
                    "bms" => Engine::Bms,
                    _ => usage(),
                })
            }
            "--workload" => {
                workload = Some(match value().as_str() {
                    "reflect" => Workload::Reflect,
                    "trivial" => Workload::Trivial,
                    _ => usage(),
                })
            }
            "--entities" => entities = Some(value().parse().unwrap_or_else(|_| usage())),
            "--frames" => frames = value().parse().unwrap_or_else(|_| usage()),
            "--warmup" => warmup = value().parse().unwrap_or_else(|_| usage()),
            "--max-load-frames" => max_load_frames = value().parse().unwrap_or_else(|_| usage()),
            "--bms-contexts" => {
                bms_contexts = match value().as_str() {
                    "per-entity" => BmsContexts::PerEntity,
                    "per-script" => BmsContexts::PerScript,
                    _ => usage(),
                }
            }
            _ => usage(),
        }
    }
    let (Some(engine), Some(workload), Some(entities)) = (engine, workload, entities) else {
        usage()
    };
    if entities == 0 || frames == 0 {
        usage()
    }
    Args {
        engine,
        workload,
        entities,
        frames,
        warmup,
        bms_contexts,
        max_load_frames,
    }
}

/// What the driver needs from an engine besides the `App`: a way to count, for one frame,
/// how many entities' `on_update` ran (used where the workload leaves no trace in the world).
pub trait Probe {
    /// Start counting `on_update` runs from the next frame on.
    fn start_counting(&mut self, app: &mut App);
    /// Stop counting (counting may cost something; the timed frames run without it).
    fn stop_counting(&mut self, app: &mut App);
    /// `on_update` runs of the last frame, and distinct entities they ran for (only while
    /// counting).
    fn runs_last_frame(&mut self, app: &mut App) -> (usize, usize);
    /// Engine-specific `key=value` pairs for the result line (may be empty).
    fn extra(&mut self, _app: &mut App) -> String {
        String::new()
    }
}

/// The app, ready for its first `update`, with `entities` scripted entities.
pub struct Setup {
    pub app: App,
    pub entities: Vec<Entity>,
    pub probe: Box<dyn Probe>,
}

/// The headless base both engines share: `MinimalPlugins`, assets, a fixed 1/60 s time step,
/// and `Transform` registered for reflection.
pub fn base_app() -> App {
    let mut app = App::new();
    app.add_plugins((MinimalPlugins, bevy::asset::AssetPlugin::default()))
        .insert_resource(TimeUpdateStrategy::ManualDuration(Duration::from_secs_f64(
            FRAME_DT,
        )))
        .register_type::<Transform>();
    // Script errors (both engines log them) show on stderr.
    app.add_plugins(bevy::log::LogPlugin {
        level: bevy::log::Level::WARN,
        ..default()
    });
    app
}

/// Peak resident set size of this process, MB (`VmHWM`).
fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn xs(app: &App, entities: &[Entity]) -> Vec<f32> {
    entities
        .iter()
        .map(|&e| {
            app.world()
                .get::<Transform>(e)
                .expect("a benchmark entity lost its Transform")
                .translation
                .x
        })
        .collect()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let args = parse_args();
    let n = args.entities;

    // Load: from creating the app (script asset added, N entities spawned) to the end of the
    // first frame in which every entity's `on_update` ran.
    let t0 = Instant::now();
    let Setup {
        mut app,
        entities,
        mut probe,
    } = match args.engine {
        Engine::Moonpool => moon::setup(args.workload, n),
        Engine::Bms => bms::setup(args.workload, n, args.bms_contexts),
    };
    assert_eq!(entities.len(), n);
    app.finish();
    app.cleanup();
    if args.workload == Workload::Trivial {
        probe.start_counting(&mut app);
    }
    let mut load_frames = 0;
    loop {
        app.update();
        load_frames += 1;
        let all_ran = match args.workload {
            // Every entity starts at x = 0; a script that ran moved it.
            Workload::Reflect => xs(&app, &entities).iter().all(|&x| x > 0.0),
            Workload::Trivial => probe.runs_last_frame(&mut app).1 == n,
        };
        if all_ran {
            break;
        }
        if load_frames >= args.max_load_frames {
            panic!(
                "after {load_frames} frames not every entity's on_update has run once \
                 (the scripts fail or are never called); see the log above"
            );
        }
    }
    let load = t0.elapsed();
    if args.workload == Workload::Trivial {
        probe.stop_counting(&mut app);
    }

    for _ in 0..args.warmup {
        app.update();
    }

    let before = xs(&app, &entities);
    let mut times = Vec::with_capacity(args.frames);
    for _ in 0..args.frames {
        let t = Instant::now();
        app.update();
        times.push(t.elapsed());
    }
    let after = xs(&app, &entities);

    // Check that the timed frames did the work: once per entity per frame.
    match args.workload {
        Workload::Reflect => {
            for (i, (&b, &a)) in before.iter().zip(&after).enumerate() {
                // What `frames` calls do: Lua adds in f64, the component stores f32.
                let mut want = b;
                for _ in 0..args.frames {
                    want = (want as f64 + STEP) as f32;
                }
                // Half a step: one call too many or too few, over the whole run, fails.
                if (a - want).abs() > (STEP / 2.0) as f32 {
                    panic!(
                        "{:?}/reflect: entity #{i} has translation.x {a} after {} frames from \
                         {b}, expected {want} (one on_update per entity per frame)",
                        args.engine, args.frames
                    );
                }
            }
        }
        Workload::Trivial => {
            probe.start_counting(&mut app);
            app.update();
            let (runs, distinct) = probe.runs_last_frame(&mut app);
            probe.stop_counting(&mut app);
            if runs != n || distinct != n {
                panic!(
                    "{:?}/trivial: {runs} on_update calls for {distinct} entities in a frame, \
                     expected {n} (one per entity)",
                    args.engine
                );
            }
        }
    }

    let mut sorted = times.clone();
    sorted.sort();
    let median = sorted[sorted.len() / 2];
    let worst = *sorted.last().unwrap();
    let mean = times.iter().sum::<Duration>() / times.len() as u32;
    let extra = probe.extra(&mut app);
    let engine = match (args.engine, args.bms_contexts) {
        (Engine::Moonpool, _) => "moonpool",
        (Engine::Bms, BmsContexts::PerEntity) => "bms",
        (Engine::Bms, BmsContexts::PerScript) => "bms-per-script",
    };
    println!(
        "engine={engine} workload={} entities={n} frames={} load_ms={:.1} load_frames={load_frames} \
         median_ms={:.3} mean_ms={:.3} worst_ms={:.3} peak_rss_mb={:.1}{extra}",
        args.workload.name(),
        args.frames,
        ms(load),
        ms(median),
        ms(mean),
        ms(worst),
        peak_rss_mb()
    );
}
