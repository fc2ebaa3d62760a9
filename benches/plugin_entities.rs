//! N entities, each with a script whose `on_update` reads and writes its Transform (the fast
//! path, `self.transform`), then the same work on a custom component reached through
//! reflection (`self:get("Mover")`), then a Transform reached through reflection
//! (`self:get("Transform").translation.x = ...`): script time per frame (median and worst of
//! 1,000 frames after 100 of warm-up) and per entity, VM objects made and Rust heap
//! allocations per frame, and the VM heap at the start and end of the 1,000 frames.
//!
//! `cargo bench --bench plugin_entities` (optional: `-- N...`, default 1000 10000; `transform`,
//! `reflect` or `reflect_transform` runs only that variant; `frames=F` measures F frames;
//! `untimed` lifts `time_per_script`, for runs under valgrind, which is slow enough to pass it).

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

const REFLECT_TRANSFORM_SCRIPT: &str = "
function on_update(self, dt)
  local t = self:get('Transform')
  t.translation.x = t.translation.x + 0.01
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
    ReflectTransform,
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
    let mut accesses: Vec<Access> = [
        ("transform", Access::Transform),
        ("reflect", Access::Reflect),
        ("reflect_transform", Access::ReflectTransform),
    ]
    .into_iter()
    .filter(|(name, _)| only(name))
    .map(|(_, a)| a)
    .collect();
    if accesses.is_empty() {
        accesses = vec![Access::Transform, Access::Reflect, Access::ReflectTransform];
    }
    let frames = std::env::args()
        .skip(1)
        .find_map(|a| a.strip_prefix("frames=")?.parse().ok())
        .unwrap_or(1000);
    let mut settings = MoonpoolSettings::default();
    if only("untimed") {
        settings.time_per_script = None;
    }
    for access in accesses {
        for &n in &counts {
            run(n, access, frames, &settings);
        }
    }
}

fn run(n: usize, access: Access, frames: usize, settings: &MoonpoolSettings) {
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
        Access::ReflectTransform => ("reflected Transform", REFLECT_TRANSFORM_SCRIPT),
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
            Access::Transform | Access::ReflectTransform => app
                .world_mut()
                .spawn((Transform::from_xyz(x, 0.0, 0.0), script)),
            Access::Reflect => app.world_mut().spawn((Mover { x, y: 0.0 }, script)),
        };
    }
    for _ in 0..100 {
        app.update();
    }
    let heap_before = app
        .world()
        .non_send::<ScriptRuntime>()
        .report()
        .vm
        .heap_bytes;
    let mut times = Vec::with_capacity(frames);
    let mut gc = Duration::ZERO;
    let (mut allocs, mut objects) = (0, 0);
    for _ in 0..frames {
        app.update();
        let report = app.world().non_send::<ScriptRuntime>().report();
        times.push(report.script_time);
        gc += report.gc_time;
        allocs += report.rust_allocations;
        objects += report.vm_objects();
    }
    let heap_after = app
        .world()
        .non_send::<ScriptRuntime>()
        .report()
        .vm
        .heap_bytes;
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let median = ms(times[frames / 2]);
    let per = |x: u64| x as f64 / frames as f64;
    println!(
        "{label}, {n:6} entities: script time median {median:.3} ms/frame, worst {:.3} ms \
         ({:.2}x median), {:.3} us/entity; GC {:.3} ms/frame; VM objects made {:.1}/frame; \
         Rust heap allocations {:.2}/frame; VM heap {:.0} KB -> {:.0} KB over {frames} frames",
        ms(times[frames - 1]),
        ms(times[frames - 1]) / median,
        median * 1e3 / n as f64,
        ms(gc) / frames as f64,
        per(objects),
        per(allocs),
        heap_before as f64 / 1024.0,
        heap_after as f64 / 1024.0,
    );
}
