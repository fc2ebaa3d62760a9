//! The Moonpool demo: a small 2D scene driven by three scripts in `assets/scripts/` (a patrolling
//! mover using `wait`, a spawner whose children despawn themselves, a keyboard-controlled
//! player).
//!
//! Built with `--features overlay` and with a display, it opens a window with the debug overlay
//! open (F3 toggles it). Otherwise, or with `--headless`, it runs a fixed number of frames with
//! `MinimalPlugins`, a fixed 60 Hz clock and simulated key presses, and prints one line per
//! frame: script time, VM objects allocated, Rust heap allocations during the script system,
//! live entities and tasks.
//!
//! `cargo run --release --example demo [-- --headless] [--frames N] [--realtime]`
//! `cargo run --release --features overlay --example demo [-- --frames N] [--screenshot F.png]`
//!
//! `--realtime` (headless) paces frames at 60 Hz, so that with `--features file_watcher` edits to
//! the scripts show up while it runs. `--screenshot F.png` (windowed) saves the window after N
//! frames (default 120), checks that the overlay panel is on it and that the counters it
//! showed match the VM's own snapshot of that frame, and exits (status 1 if a check fails).

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

fn arg_value(name: &str) -> Option<String> {
    std::env::args().skip_while(|a| a != name).nth(1)
}

fn main() -> AppExit {
    let frames: Option<u64> = arg_value("--frames").and_then(|n| n.parse().ok());
    let headless = std::env::args().any(|a| a == "--headless");
    let display = std::env::var_os("DISPLAY").is_some_and(|d| !d.is_empty())
        || std::env::var_os("WAYLAND_DISPLAY").is_some_and(|d| !d.is_empty());
    #[cfg(feature = "overlay")]
    if !headless && display {
        return windowed::run(frames, arg_value("--screenshot"));
    }
    if !headless && display {
        println!("(no window: build with --features overlay for the windowed demo)");
    }
    run_headless(frames.unwrap_or(300));
    AppExit::Success
}

fn run_headless(frames: u64) {
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
    let realtime = std::env::args().any(|a| a == "--realtime");
    for frame in 1..=frames {
        if realtime {
            std::thread::sleep(Duration::from_secs_f64(1.0 / 60.0));
        }
        simulate_keys(
            &mut app.world_mut().resource_mut::<ButtonInput<KeyCode>>(),
            frame,
        );
        app.update();
        let player_x = app
            .world_mut()
            .query_filtered::<&Transform, With<Player>>()
            .iter(app.world())
            .next()
            .map(|t| t.translation.x)
            .unwrap_or_default();
        let rt = app.world().non_send::<ScriptRuntime>();
        println!(
            "{frame:5}  {:9.3}  {:10}  {:11}  {:8}  {:5}  {player_x:8.1}",
            rt.report().script_time.as_secs_f64() * 1e3,
            rt.report().vm_objects(),
            rt.report().rust_allocations,
            rt.report().entities,
            rt.report().live_tasks,
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
fn simulate_keys(keys: &mut ButtonInput<KeyCode>, frame: u64) {
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

#[cfg(feature = "overlay")]
mod windowed {
    //! The demo in a window, with sprites for the scripted entities and the overlay open.

    use bevy::prelude::*;
    use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured, save_to_disk};
    use moonpool::overlay::{MoonpoolOverlay, MoonpoolOverlayPlugin};
    use moonpool::plugin::{MoonpoolPlugin, Script, ScriptRuntime};
    use moonpool::vm::VmStats;

    const BACKGROUND: Color = Color::srgb(0.08, 0.09, 0.12);

    #[derive(Resource)]
    struct Run {
        frames: Option<u64>,
        screenshot: Option<String>,
        frame: u64,
        /// The VM's counters when the frame started, and each recent frame's difference.
        frame_start: VmStats,
        per_frame: Vec<(u64, VmStats)>,
        simulate_keys: bool,
    }

    pub fn run(frames: Option<u64>, screenshot: Option<String>) -> AppExit {
        let frames = frames.or(screenshot.as_ref().map(|_| 120));
        let mut app = App::new();
        app.add_plugins((
            DefaultPlugins.set(WindowPlugin {
                primary_window: Some(Window {
                    title: "Moonpool demo (F3: overlay)".into(),
                    resolution: (1280, 720).into(),
                    ..default()
                }),
                ..default()
            }),
            MoonpoolPlugin::default(),
            MoonpoolOverlayPlugin {
                start_open: true,
                ..default()
            },
        ))
        .insert_resource(ClearColor(BACKGROUND))
        .insert_resource(Run {
            frames,
            simulate_keys: screenshot.is_some(),
            screenshot,
            frame: 0,
            frame_start: VmStats::default(),
            per_frame: Vec::new(),
        })
        .add_systems(Startup, (super::setup, camera))
        .add_systems(First, frame_start)
        .add_systems(PreUpdate, simulate_keys.after(bevy::input::InputSystems))
        .add_systems(Update, (sprites, select_mover, super::report_messages))
        .add_systems(Last, frame_end);
        app.run()
    }

    /// Looks a little left of the origin, so the scene sits beside the overlay panel.
    fn camera(mut commands: Commands) {
        commands.spawn((Camera2d, Transform::from_xyz(-240.0, 0.0, 0.0)));
    }

    /// In screenshot runs the keys are simulated, so the picture does not depend on a person.
    fn simulate_keys(run: Res<Run>, mut keys: ResMut<ButtonInput<KeyCode>>) {
        if run.simulate_keys {
            super::simulate_keys(&mut keys, run.frame + 1);
        }
    }

    /// A square for every scripted entity, coloured by its script.
    fn sprites(
        mut commands: Commands,
        new: Query<(Entity, &Script), Without<Sprite>>,
        scripts: Res<Assets<moonpool::plugin::LuaScript>>,
    ) {
        for (e, script) in &new {
            // Once the script has loaded: its path picks the colour.
            let first = script.handles.first().map(|h| h.id());
            let Some(path) = first
                .and_then(|id| scripts.get(id))
                .map(|s| s.path.as_str())
            else {
                continue;
            };
            let (color, size) = if path.contains("player") {
                (Color::srgb(0.3, 0.8, 1.0), 40.0)
            } else if path.contains("mover") {
                (Color::srgb(1.0, 0.75, 0.2), 32.0)
            } else if path.contains("spawner") {
                (Color::srgb(0.7, 0.4, 1.0), 24.0)
            } else {
                (Color::srgb(0.4, 1.0, 0.5), 14.0)
            };
            commands
                .entity(e)
                .insert(Sprite::from_color(color, Vec2::splat(size)));
        }
    }

    /// Opens the mover's row once, so the overlay starts out showing a task and where it waits.
    fn select_mover(
        mut overlay: ResMut<MoonpoolOverlay>,
        runtime: NonSend<ScriptRuntime>,
        mut done: Local<bool>,
    ) {
        if *done {
            return;
        }
        if let Some((id, _)) = runtime.scripts().find(|(_, path)| path.contains("mover")) {
            overlay.selected = Some(id);
            *done = true;
        }
    }

    fn frame_start(mut run: ResMut<Run>, runtime: NonSend<ScriptRuntime>) {
        run.frame_start = runtime.vm().stats();
    }

    fn frame_end(mut run: ResMut<Run>, runtime: NonSend<ScriptRuntime>, mut commands: Commands) {
        let delta = runtime.vm().stats().delta(&run.frame_start);
        if run.per_frame.len() == 16 {
            run.per_frame.remove(0);
        }
        run.per_frame.push((runtime.frame(), delta));
        run.frame += 1;
        let Some(frames) = run.frames else {
            return;
        };
        if run.frame == frames {
            match run.screenshot.clone() {
                Some(path) => {
                    commands
                        .spawn(Screenshot::primary_window())
                        .observe(save_to_disk(path))
                        .observe(check_screenshot);
                }
                None => {
                    commands.write_message(AppExit::Success);
                }
            }
        }
    }

    /// Is the panel on the picture, and did it show what the VM counted for that frame?
    fn check_screenshot(
        shot: On<ScreenshotCaptured>,
        overlay: Res<MoonpoolOverlay>,
        run: Res<Run>,
        window: Single<&Window>,
        mut commands: Commands,
    ) {
        let mut failures = Vec::new();
        let image = &shot.image;
        let scale = window.scale_factor();
        match overlay.panel_rect {
            None => failures.push("the overlay panel was not drawn".to_string()),
            Some(rect) => {
                let (w, h) = (image.width(), image.height());
                let bg = BACKGROUND.to_srgba();
                let (mut inside, mut differ) = (0u32, 0u32);
                let mut colors = std::collections::HashSet::new();
                let x0 = (rect.left() * scale).max(0.0) as u32;
                let x1 = ((rect.right() * scale) as u32).min(w);
                let y0 = (rect.top() * scale).max(0.0) as u32;
                let y1 = ((rect.bottom() * scale) as u32).min(h);
                for y in (y0..y1).step_by(2) {
                    for x in (x0..x1).step_by(2) {
                        let Ok(c) = image.get_color_at(x, y) else {
                            continue;
                        };
                        let c = c.to_srgba();
                        inside += 1;
                        let d = (c.red - bg.red).abs()
                            + (c.green - bg.green).abs()
                            + (c.blue - bg.blue).abs();
                        if d > 0.03 {
                            differ += 1;
                        }
                        colors.insert(c.to_u8_array());
                    }
                }
                println!(
                    "screenshot: {w}x{h}, panel at {:.0},{:.0} size {:.0}x{:.0}: {differ} of \
                     {inside} sampled pixels differ from the background, {} colours",
                    rect.left(),
                    rect.top(),
                    rect.width(),
                    rect.height(),
                    colors.len()
                );
                if inside == 0 || differ * 10 < inside * 8 {
                    failures.push("the panel region looks like the background".to_string());
                }
                if colors.len() < 8 {
                    failures.push("the panel region has no text or plots".to_string());
                }
            }
        }
        match overlay.shown {
            None => failures.push("the overlay showed no counters".to_string()),
            Some(shown) => match run.per_frame.iter().find(|(f, _)| *f == shown.frame) {
                None => failures.push(format!("no VM snapshot for frame {}", shown.frame)),
                Some((_, vm)) => {
                    let pairs = [
                        ("instructions", shown.vm.instructions, vm.instructions),
                        ("tables", shown.vm.tables_allocated, vm.tables_allocated),
                        ("strings", shown.vm.strings_allocated, vm.strings_allocated),
                        (
                            "closures",
                            shown.vm.closures_allocated,
                            vm.closures_allocated,
                        ),
                        ("threads", shown.vm.threads_created, vm.threads_created),
                        ("calls", shown.vm.calls, vm.calls),
                        ("VM bytes", shown.vm.bytes_allocated, vm.bytes_allocated),
                        ("GC work", shown.vm.gc_work, vm.gc_work),
                    ];
                    if vm.instructions == 0 || shown.entities < 3 {
                        failures.push(format!(
                            "frame {}: scripts were not running ({} entities)",
                            shown.frame, shown.entities
                        ));
                    }
                    for (name, a, b) in pairs {
                        if a != b {
                            failures.push(format!(
                                "frame {}: overlay showed {name} = {a}, the VM counted {b}",
                                shown.frame
                            ));
                        }
                    }
                    println!(
                        "screenshot: frame {} counters match the VM's snapshot \
                         ({} instructions, {} VM objects, {} Rust heap allocations)",
                        shown.frame,
                        vm.instructions,
                        shown.vm_objects(),
                        shown.rust_allocations
                    );
                }
            },
        }
        if failures.is_empty() {
            println!("screenshot check: ok");
            commands.write_message(AppExit::Success);
        } else {
            for f in &failures {
                println!("screenshot check FAILED: {f}");
            }
            commands.write_message(AppExit::error());
        }
    }
}
