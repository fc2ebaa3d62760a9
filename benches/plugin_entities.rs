//! N entities, each with a script whose `on_update` reads and writes its Transform: script time
//! per frame and per entity, and Rust heap allocations per frame, in steady state.
//!
//! `cargo bench --bench plugin_entities` (optional: `-- N...`, default 1000 10000).

use std::time::Duration;

use bevy::asset::{AssetPlugin, Assets};
use bevy::prelude::*;
use bevy::time::TimeUpdateStrategy;
use moonpool::plugin::{LuaScript, MoonpoolPlugin, Script, ScriptRuntime};
use moonpool::vm::CountingAllocator;

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

const SCRIPT: &str = "
function on_update(self, dt)
  local p = self.transform.translation
  p.x = p.x + 10 * dt
  if p.x > 100 then p.x = -100 end
  p.y = p.y + math.sin(p.x * 0.01) * dt
end";

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
    for n in counts {
        run(n);
    }
}

fn run(n: usize) {
    let mut app = App::new();
    app.add_plugins((
        MinimalPlugins,
        AssetPlugin::default(),
        MoonpoolPlugin::default(),
    ))
    .insert_resource(TimeUpdateStrategy::ManualDuration(Duration::from_secs_f64(
        1.0 / 60.0,
    )));
    let script = LuaScript::from_source("bench.lua", SCRIPT).unwrap();
    let handle = app
        .world_mut()
        .resource_mut::<Assets<LuaScript>>()
        .add(script);
    for i in 0..n {
        app.world_mut().spawn((
            Transform::from_xyz(i as f32 % 200.0 - 100.0, 0.0, 0.0),
            Script::new(handle.clone()),
        ));
    }
    for _ in 0..100 {
        app.update();
    }
    let frames = 200;
    let mut total = Duration::ZERO;
    let mut worst = Duration::ZERO;
    let mut allocs = 0;
    for _ in 0..frames {
        app.update();
        let rt = app.world().non_send::<ScriptRuntime>();
        total += rt.report.script_time;
        worst = worst.max(rt.report.script_time);
        allocs += rt.report.rust_allocations;
    }
    let per_frame = total.as_secs_f64() * 1e3 / frames as f64;
    println!(
        "{n:6} entities: script time {per_frame:.3} ms/frame (worst {:.3} ms), {:.3} us/entity, \
         Rust heap allocations {:.2}/frame",
        worst.as_secs_f64() * 1e3,
        per_frame * 1e3 / n as f64,
        allocs as f64 / frames as f64
    );
}
