//! The Moonpool demo: a small 2D scene driven by three scripts in `assets/scripts/` (a patrolling
//! mover using `wait`, a spawner whose children despawn themselves, a keyboard-controlled
//! player). It runs headless with `MinimalPlugins` (no window: the windowed version comes with
//! the overlay), a fixed 60 Hz clock and simulated key presses, and prints one line per frame:
//! script time, VM objects allocated, Rust heap allocations during the script system, live
//! entities and tasks.
//!
//! `cargo run --release --example demo [-- --frames N] [--realtime]`: `--realtime` paces frames
//! at 60 Hz, so that with `--features file_watcher` edits to the scripts show up while it runs.

use std::time::Duration;

use bevy::asset::AssetPlugin;
use bevy::input::ButtonInput;
use bevy::input::keyboard::KeyCode;
use bevy::prelude::*;
use bevy::time::TimeUpdateStrategy;
use moonpool::plugin::{MoonpoolPlugin, Script, ScriptEmitted, ScriptError, ScriptRuntime};
use moonpool::vm::CountingAllocator;

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

fn main() {
    let frames: u64 = std::env::args()
        .skip_while(|a| a != "--frames")
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(300);
    let mut app = App::new();
    app.add_plugins((
        MinimalPlugins,
        bevy::log::LogPlugin::default(),
        AssetPlugin::default(),
        MoonpoolPlugin::default(),
    ))
    .insert_resource(TimeUpdateStrategy::ManualDuration(Duration::from_secs_f64(
        1.0 / 60.0,
    )))
    .init_resource::<ButtonInput<KeyCode>>()
    .add_systems(Startup, setup)
    .add_systems(Last, report_messages);
    println!("frame  script_ms  vm_objects  rust_allocs  entities  tasks  player_x");
    let mut last_stats = app.world().non_send::<ScriptRuntime>().vm.stats();
    let realtime = std::env::args().any(|a| a == "--realtime");
    for frame in 1..=frames {
        if realtime {
            std::thread::sleep(Duration::from_secs_f64(1.0 / 60.0));
        }
        simulate_keys(&mut app, frame);
        app.update();
        let rt = app.world().non_send::<ScriptRuntime>();
        let stats = rt.vm.stats();
        let d = stats.delta(&last_stats);
        last_stats = stats;
        let objects = d.tables_allocated + d.strings_allocated + d.closures_allocated;
        let player_x = app
            .world_mut()
            .query_filtered::<&Transform, With<Player>>()
            .iter(app.world())
            .next()
            .map(|t| t.translation.x)
            .unwrap_or_default();
        let rt = app.world().non_send::<ScriptRuntime>();
        println!(
            "{frame:5}  {:9.3}  {objects:10}  {:11}  {:8}  {:5}  {player_x:8.1}",
            rt.last_frame_time.as_secs_f64() * 1e3,
            rt.last_frame_rust_allocations,
            rt.entities.len(),
            rt.live_tasks(),
        );
    }
}

#[derive(Component)]
struct Player;

fn setup(mut commands: Commands, assets: Res<AssetServer>) {
    commands.spawn((
        Transform::from_xyz(-200.0, 0.0, 0.0),
        Script::new(assets.load("scripts/mover.lua")),
    ));
    commands.spawn((
        Transform::default(),
        Script::new(assets.load("scripts/spawner.lua")),
    ));
    commands.spawn((
        Transform::from_xyz(0.0, -100.0, 0.0),
        Script::new(assets.load("scripts/player.lua")),
        Player,
    ));
}

/// Holds ArrowRight from frame 30 to 90 and taps Space at frame 60.
fn simulate_keys(app: &mut App, frame: u64) {
    let mut keys = app.world_mut().resource_mut::<ButtonInput<KeyCode>>();
    keys.clear();
    match frame {
        30 => keys.press(KeyCode::ArrowRight),
        90 => keys.release(KeyCode::ArrowRight),
        60 => keys.press(KeyCode::Space),
        61 => keys.release(KeyCode::Space),
        _ => {}
    }
}

fn report_messages(
    mut errors: MessageReader<ScriptError>,
    mut emitted: MessageReader<ScriptEmitted>,
) {
    for e in errors.read() {
        println!("script error: {}: {}", e.path, e.message);
    }
    let expired = emitted.read().filter(|m| m.name == "expired").count();
    if expired > 0 {
        println!("       ({expired} ephemeral entity despawned itself)");
    }
}
