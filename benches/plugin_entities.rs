//! N entities, each with a script whose `on_update` reads and writes its Transform (the fast
//! path, `self.transform`), then the same work on a custom component reached through
//! reflection (`self:get("Mover")`): script time per frame and per entity, and Rust heap
//! allocations per frame, in steady state.
//!
//! `cargo bench --bench plugin_entities` (optional: `-- N...`, default 1000 10000; `transform`
//! or `reflect` runs only that variant; `untimed` lifts `time_per_script`, for runs under
//! valgrind, which is slow enough to pass it).

use std::time::Duration;

use bevy::asset::{AssetPlugin, Assets};
use bevy::prelude::*;
use bevy::time::TimeUpdateStrategy;
use moonpool::plugin::{LuaScript, MoonpoolPlugin, MoonpoolSettings, Script, ScriptRuntime};
use moonpool::vm::CountingAllocator;

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

const TRANSFORM_SCRIPT: &str = match option_env!("MP_EMPTY") {
    Some(_) => "function on_update(self, dt) local t = self.transform end",
    None => {
        "
function on_update(self, dt)
  local p = self.transform.translation
  p.x = p.x + 10 * dt
  if p.x > 100 then p.x = -100 end
  p.y = p.y + math.sin(p.x * 0.01) * dt
end"
    }
};

const REFLECT_SCRIPT: &str = "
function on_update(self, dt)
  local p = self:get('Mover')
  p.x = p.x + 10 * dt
  if p.x > 100 then p.x = -100 end
  p.y = p.y + math.sin(p.x * 0.01) * dt
end";

/// A game's own component, known to scripts only through reflection.
#[derive(Component, Reflect, Default)]
#[reflect(Component)]
struct Mover {
    x: f32,
    y: f32,
}

#[derive(Clone, Copy)]
enum Access {
    Transform,
    Reflect,
}

fn main() {
    let counts: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let counts = if counts.is_empty() {
        vec![1000, 10_000]
    } else {
        counts
    };
    let only = |name: &str| std::env::args().skip(1).any(|a| a == name);
    let accesses = match (only("transform"), only("reflect")) {
        (true, false) => vec![Access::Transform],
        (false, true) => vec![Access::Reflect],
        _ => vec![Access::Transform, Access::Reflect],
    };
    let mut settings = MoonpoolSettings::default();
    if only("untimed") {
        settings.time_per_script = None;
    }
    for access in accesses {
        for &n in &counts {
            run(n, access, &settings);
        }
    }
}

fn run(n: usize, access: Access, settings: &MoonpoolSettings) {
    let mut app = App::new();
    app.add_plugins((
        MinimalPlugins,
        AssetPlugin::default(),
        MoonpoolPlugin::default().with_settings(settings.clone()),
    ))
    .insert_resource(TimeUpdateStrategy::ManualDuration(Duration::from_secs_f64(
        1.0 / 60.0,
    )))
    .register_type::<Mover>();
    let (label, source) = match access {
        Access::Transform => ("Transform fast path", TRANSFORM_SCRIPT),
        Access::Reflect => ("reflected component", REFLECT_SCRIPT),
    };
    let script = LuaScript::from_source("bench.lua", source).unwrap();
    let handle = app
        .world_mut()
        .resource_mut::<Assets<LuaScript>>()
        .add(script);
    for i in 0..n {
        let x = i as f32 % 200.0 - 100.0;
        let script = Script::new(handle.clone());
        match access {
            Access::Transform => app
                .world_mut()
                .spawn((Transform::from_xyz(x, 0.0, 0.0), script)),
            Access::Reflect => app.world_mut().spawn((Mover { x, y: 0.0 }, script)),
        };
    }
    for _ in 0..100 {
        app.update();
    }
    let frames = 200;
    let mut total = Duration::ZERO;
    let mut gc = Duration::ZERO;
    let mut worst = Duration::ZERO;
    let mut allocs = 0;
    for _ in 0..frames {
        app.update();
        let rt = app.world().non_send::<ScriptRuntime>();
        total += rt.report().script_time;
        gc += rt.report().gc_time;
        worst = worst.max(rt.report().script_time);
        allocs += rt.report().rust_allocations;
    }
    let per_frame = total.as_secs_f64() * 1e3 / frames as f64;
    println!(
        "{label}, {n:6} entities: script time {per_frame:.3} ms/frame (worst {:.3} ms, GC {:.3} ms), \
         {:.3} us/entity, Rust heap allocations {:.2}/frame",
        worst.as_secs_f64() * 1e3,
        gc.as_secs_f64() * 1e3 / frames as f64,
        per_frame * 1e3 / n as f64,
        allocs as f64 / frames as f64
    );
}
