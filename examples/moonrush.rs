//! Moonrush: a small arena shooter whose gameplay is all Lua (`assets/moonrush/`). Rust holds
//! the data (components `Player`, `Enemy`, resources `Hud`, `GameSeed`), three script functions
//! (`player_position`, `player_entity`, `nearest_enemy`, `enemy_count`) and the drawing.
//!
//! - `rules.lua`, a world script: waves, score, winning, game over and restart (Enter).
//! - `player.lua`: moves in `on_fixed_update`, fires from a task.
//! - `enemy.lua`: chasers and dashers, each behaviour a task.
//! - `bullet.lua`, and the module `lib/arena.lua` all of them require.
//!
//! `cargo run --release --features overlay --example moonrush` opens a window with the overlay
//! (F3): arrows/WASD or a gamepad to move, Space, the left mouse button or South to fire at the
//! cursor. Add `file_watcher` to the features and edit `assets/moonrush/lib/arena.lua`: every
//! script reloads and keeps its state. Without a display (or with `--headless`) it plays a
//! recorded input (`assets/moonrush/recording.txt`) for `--frames N` frames (default 3600) from
//! `--seed S` and prints the outcome; `cargo test` plays it and checks the end state.

use std::sync::Mutex;
use std::time::Duration;

use bevy::asset::AssetPlugin;
use bevy::ecs::query::{QueryData, QueryFilter, QueryState};
use bevy::input::ButtonInput;
use bevy::input::keyboard::KeyCode;
use bevy::prelude::*;
use bevy::time::TimeUpdateStrategy;
use moonpool::prelude::*;
use moonpool::vm::CountingAllocator;

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// The player (its script is `player.lua`).
#[derive(Component, Reflect, Default)]
#[reflect(Component, Default)]
pub struct Player;

/// An enemy; `kind` is "chaser" or "dasher".
#[derive(Component, Reflect, Default)]
#[reflect(Component, Default)]
pub struct Enemy {
    pub kind: String,
}

/// What `rules.lua` shows: a line of text, the state ("playing", "won", "lost") and the score.
#[derive(Resource, Reflect, Default, Debug, Clone)]
#[reflect(Resource, Default)]
pub struct Hud {
    pub text: String,
    pub state: String,
    pub score: i64,
}

/// The seed `rules.lua` gives `math.randomseed`.
#[derive(Resource, Reflect, Default)]
#[reflect(Resource, Default)]
pub struct GameSeed {
    pub value: i64,
}

/// A query kept between calls of a script function: making a `QueryState` allocates, and these
/// functions run many times a frame.
struct Cached<D: QueryData + 'static, F: QueryFilter + 'static>(Mutex<Option<QueryState<D, F>>>);

impl<D: QueryData + 'static, F: QueryFilter + 'static> Default for Cached<D, F> {
    fn default() -> Self {
        Cached(Mutex::new(None))
    }
}

impl<D: QueryData + 'static, F: QueryFilter + 'static> Cached<D, F> {
    fn with<R>(&self, world: &mut World, f: impl FnOnce(&mut QueryState<D, F>, &World) -> R) -> R {
        let mut state = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let state = state.get_or_insert_with(|| QueryState::new(world));
        state.update_archetypes(world);
        f(state, world)
    }
}

/// The game's scripts, loaded before it starts, so that the first frame of play (and each
/// spawn) does not wait on the disk: a recorded game plays the same every time.
#[derive(Resource)]
struct GameAssets(Vec<Handle<LuaScript>>);

/// Frames played since the world script started (0: still loading).
#[derive(Resource, Default)]
pub struct Played(pub u64);

const SCRIPTS: &[&str] = &[
    "moonrush/rules.lua",
    "moonrush/player.lua",
    "moonrush/enemy.lua",
    "moonrush/bullet.lua",
    "moonrush/lib/arena.lua",
];

/// The game, on an app that has the plugins: types, script functions, loading, start.
pub fn add_game(app: &mut App, seed: i64) {
    app.register_type::<Player>()
        .register_type::<Enemy>()
        .register_type::<Hud>()
        .register_type::<GameSeed>()
        .init_resource::<Hud>()
        .init_resource::<Played>()
        .insert_resource(GameSeed { value: seed })
        .add_script_function("player_position", &[], {
            let players = Cached::<&Transform, With<Player>>::default();
            move |world: &mut World| {
                players.with(world, |q, w| q.iter(w).next().map(|t| t.translation))
            }
        })
        .add_script_function("player_entity", &[], {
            let players = Cached::<Entity, With<Player>>::default();
            move |world: &mut World| players.with(world, |q, w| q.iter(w).next())
        })
        .add_script_function("nearest_enemy", &["position", "radius"], {
            let enemies = Cached::<(Entity, &Transform), With<Enemy>>::default();
            move |world: &mut World, at: Vec3, radius: f32| {
                enemies.with(world, |q, w| {
                    q.iter(w)
                        .map(|(e, t)| (e, t.translation.truncate().distance(at.truncate())))
                        .filter(|(_, d)| *d <= radius)
                        .min_by(|a, b| a.1.total_cmp(&b.1))
                        .map(|(e, _)| e)
                })
            }
        })
        .add_script_function("enemy_count", &[], {
            let enemies = Cached::<(), With<Enemy>>::default();
            move |world: &mut World| enemies.with(world, |q, w| q.iter(w).count() as i64)
        })
        .add_systems(Startup, load)
        .add_systems(Update, start_when_loaded.before(MoonpoolSystems::Run));
}

fn load(mut commands: Commands, assets: Res<AssetServer>) {
    let scripts = SCRIPTS.iter().map(|p| assets.load(*p)).collect();
    commands.insert_resource(GameAssets(scripts));
}

fn start_when_loaded(
    mut commands: Commands,
    assets: Res<AssetServer>,
    game: Res<GameAssets>,
    mut played: ResMut<Played>,
) {
    if played.0 > 0 {
        played.0 += 1;
        return;
    }
    if game.0.iter().all(|h| assets.is_loaded_with_dependencies(h)) {
        commands.spawn((WorldScript::new(game.0[0].clone()), Name::new("rules")));
        played.0 = 1;
    }
}

/// One line of `recording.txt`: at frame `frame` of play, press or release `key`.
pub struct Recorded {
    pub frame: u64,
    pub press: bool,
    pub key: KeyCode,
}

/// Reads a recording: `frame press|release KeyName` per line, `#` comments.
pub fn read_recording(text: &str) -> Vec<Recorded> {
    let keys: std::collections::HashMap<String, KeyCode> = [
        ("KeyW", KeyCode::KeyW),
        ("KeyA", KeyCode::KeyA),
        ("KeyS", KeyCode::KeyS),
        ("KeyD", KeyCode::KeyD),
        ("ArrowUp", KeyCode::ArrowUp),
        ("ArrowDown", KeyCode::ArrowDown),
        ("ArrowLeft", KeyCode::ArrowLeft),
        ("ArrowRight", KeyCode::ArrowRight),
        ("Space", KeyCode::Space),
        ("Enter", KeyCode::Enter),
    ]
    .into_iter()
    .map(|(n, k)| (n.to_string(), k))
    .collect();
    text.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .filter_map(|l| {
            let mut parts = l.split_whitespace();
            let frame = parts.next()?.parse().ok()?;
            let press = parts.next()? == "press";
            let key = *keys.get(parts.next()?)?;
            Some(Recorded { frame, press, key })
        })
        .collect()
}

/// The keys of frame `frame` of play, from the recording.
pub fn apply_recording(keys: &mut ButtonInput<KeyCode>, recording: &[Recorded], frame: u64) {
    keys.clear();
    for r in recording.iter().filter(|r| r.frame == frame) {
        if r.press {
            keys.press(r.key);
        } else {
            keys.release(r.key);
        }
    }
}

/// The headless game: `MinimalPlugins`, a fixed 60 Hz clock, the recorded input.
pub fn headless_app(seed: i64) -> App {
    let mut app = App::new();
    app.add_plugins((
        MinimalPlugins,
        AssetPlugin::default(),
        MoonpoolPlugin::default(),
    ))
    .insert_resource(TimeUpdateStrategy::ManualDuration(Duration::from_secs_f64(
        1.0 / 60.0,
    )))
    .init_resource::<ButtonInput<KeyCode>>();
    add_game(&mut app, seed);
    app
}

/// Plays `frames` frames of the recording; returns what `rules.lua` emitted at each game over.
pub fn play(app: &mut App, recording: &[Recorded], frames: u64) -> Vec<ScriptValue> {
    let mut outcomes = Vec::new();
    app.add_systems(Last, collect_outcomes);
    app.init_resource::<Outcomes>();
    app.init_resource::<FrameRows>();
    app.init_resource::<ScriptErrors>();
    let mut guard = 0;
    while app.world().resource::<Played>().0 == 0 && guard < 10_000 {
        app.update();
        guard += 1;
        std::thread::sleep(Duration::from_millis(1));
    }
    for _ in 0..frames {
        let frame = app.world().resource::<Played>().0;
        apply_recording(
            &mut app.world_mut().resource_mut::<ButtonInput<KeyCode>>(),
            recording,
            frame,
        );
        app.update();
        {
            let rt = app.world().non_send::<ScriptRuntime>();
            let r = rt.report();
            let row = FrameRow {
                script_time: r.script_time,
                rust_allocations: r.rust_allocations,
                vm_objects: r.vm_objects(),
                entities: r.entities,
            };
            app.world_mut().resource_mut::<FrameRows>().0.push(row);
        }
        if std::env::var_os("MOONRUSH_TRACE").is_some() && frame.is_multiple_of(120) {
            let world = app.world_mut();
            let enemies: Vec<_> = world
                .query_filtered::<&Transform, With<Enemy>>()
                .iter(world)
                .map(|t| t.translation.truncate())
                .collect();
            let player = world
                .query_filtered::<&Transform, With<Player>>()
                .iter(world)
                .next()
                .map(|t| t.translation);
            let hud = world.resource::<Hud>();
            eprintln!(
                "frame {frame}: enemies {enemies:?}, player {player:?}, {}",
                hud.text
            );
        }
    }
    outcomes.append(&mut app.world_mut().resource_mut::<Outcomes>().0);
    outcomes
}

#[derive(Resource, Default)]
struct Outcomes(Vec<ScriptValue>);

/// One played frame as the script system reported it.
pub struct FrameRow {
    pub script_time: Duration,
    pub rust_allocations: u64,
    pub vm_objects: u64,
    pub entities: usize,
}

/// Every played frame (`play`).
#[derive(Resource, Default)]
pub struct FrameRows(pub Vec<FrameRow>);

/// Script errors so far (the game should raise none).
#[derive(Resource, Default)]
pub struct ScriptErrors(pub Vec<String>);

fn collect_outcomes(
    mut emitted: MessageReader<ScriptEmitted>,
    mut errors: MessageReader<ScriptError>,
    mut outcomes: ResMut<Outcomes>,
    mut seen: ResMut<ScriptErrors>,
) {
    for m in emitted.read() {
        if m.name == "game_over" {
            outcomes.0.push(m.payload.clone());
        }
    }
    for e in errors.read() {
        eprintln!("script error: {}: {}", e.path, e.message);
        seen.0.push(format!("{}: {}", e.path, e.message));
    }
}

/// Script time and Rust heap allocations per frame: median, 99th percentile and worst, and how
/// many frames allocated at all.
fn report(rows: &[FrameRow]) {
    if rows.is_empty() {
        return;
    }
    let mut times: Vec<f64> = rows
        .iter()
        .map(|r| r.script_time.as_secs_f64() * 1e3)
        .collect();
    let mut allocs: Vec<u64> = rows.iter().map(|r| r.rust_allocations).collect();
    times.sort_by(f64::total_cmp);
    allocs.sort();
    let pick = |n: usize, q: f64| ((n as f64 - 1.0) * q).round() as usize;
    let n = rows.len();
    let allocating = rows.iter().filter(|r| r.rust_allocations > 0).count();
    let objects: u64 = rows.iter().map(|r| r.vm_objects).sum();
    let entities = rows.iter().map(|r| r.entities).max().unwrap_or(0);
    println!(
        "script time per frame: median {:.3} ms, p99 {:.3} ms, worst {:.3} ms (up to {entities} scripted entities)",
        times[pick(n, 0.5)],
        times[pick(n, 0.99)],
        times[n - 1]
    );
    println!(
        "Rust heap allocations per frame: median {}, p99 {}, worst {}; {allocating} of {n} frames allocate; {:.1} VM objects per frame",
        allocs[pick(n, 0.5)],
        allocs[pick(n, 0.99)],
        allocs[n - 1],
        objects as f64 / n as f64
    );
}

fn arg_value(name: &str) -> Option<String> {
    std::env::args().skip_while(|a| a != name).nth(1)
}

fn main() -> AppExit {
    let frames: Option<u64> = arg_value("--frames").and_then(|n| n.parse().ok());
    let seed: i64 = arg_value("--seed")
        .and_then(|n| n.parse().ok())
        .unwrap_or(7);
    let headless = std::env::args().any(|a| a == "--headless");
    let display = std::env::var_os("DISPLAY").is_some_and(|d| !d.is_empty())
        || std::env::var_os("WAYLAND_DISPLAY").is_some_and(|d| !d.is_empty());
    #[cfg(feature = "overlay")]
    if !headless && display {
        return windowed::run(seed, frames, arg_value("--screenshot"));
    }
    if !headless && display {
        println!("(no window: build with --features overlay for the windowed game)");
    }
    let recording = read_recording(include_str!("../assets/moonrush/recording.txt"));
    let mut app = headless_app(seed);
    let frames = frames.unwrap_or(3600);
    let started = std::time::Instant::now();
    let outcomes = play(&mut app, &recording, frames);
    let elapsed = started.elapsed();
    for o in &outcomes {
        println!(
            "game over: {} with score {} at wave {} ({} kills)",
            o.get("result").and_then(|v| v.as_str()).unwrap_or("?"),
            o.get("score").and_then(|v| v.as_i64()).unwrap_or(0),
            o.get("wave").and_then(|v| v.as_i64()).unwrap_or(0),
            o.get("kills").and_then(|v| v.as_i64()).unwrap_or(0),
        );
    }
    let hud = app.world().resource::<Hud>();
    println!(
        "after {frames} frames ({:.2} s): {:?}, score {}",
        elapsed.as_secs_f64(),
        hud.state,
        hud.score
    );
    let rows = &app.world().resource::<FrameRows>().0;
    report(rows);
    if let Some(path) = arg_value("--csv") {
        let mut csv = String::from("frame,script_us,rust_allocations,vm_objects,entities\n");
        for (i, r) in rows.iter().enumerate() {
            csv.push_str(&format!(
                "{},{:.1},{},{},{}\n",
                i + 1,
                r.script_time.as_secs_f64() * 1e6,
                r.rust_allocations,
                r.vm_objects,
                r.entities
            ));
        }
        std::fs::write(&path, csv).expect("--csv: cannot write");
    }
    AppExit::Success
}

#[cfg(feature = "overlay")]
mod windowed {
    //! Moonrush in a window: sprites for the scripted entities, the HUD and the overlay.
    //! `--screenshot F.png` plays the recording on a fixed 60 Hz clock, saves the window at frame
    //! 240 of play (or `--frames N`) and checks that the player, the enemies and the HUD are on it.

    use super::*;
    use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured, save_to_disk};
    use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
    use moonpool::overlay::MoonpoolOverlayPlugin;

    const BACKGROUND: Color = Color::srgb(0.05, 0.06, 0.1);
    const PLAYER: Color = Color::srgb(0.3, 0.85, 1.0);
    const CHASER: Color = Color::srgb(0.95, 0.25, 0.3);
    const DASHER: Color = Color::srgb(1.0, 0.55, 0.15);
    const BULLET: Color = Color::srgb(1.0, 0.95, 0.5);

    #[derive(Resource)]
    struct Run {
        frames: Option<u64>,
        screenshot: Option<String>,
        recording: Vec<Recorded>,
        shot: bool,
    }

    pub fn run(seed: i64, frames: Option<u64>, screenshot: Option<String>) -> AppExit {
        let frames = frames.or(screenshot.as_ref().map(|_| 240));
        let mut app = App::new();
        app.add_plugins((
            DefaultPlugins.set(WindowPlugin {
                primary_window: Some(Window {
                    title: "Moonrush (F3: overlay)".into(),
                    resolution: (1280, 720).into(),
                    ..default()
                }),
                ..default()
            }),
            MoonpoolPlugin::default(),
            // Open in screenshot runs, so the picture shows what the scripts cost.
            MoonpoolOverlayPlugin {
                start_open: screenshot.is_some(),
                ..default()
            },
        ))
        .insert_resource(ClearColor(BACKGROUND))
        .add_systems(Startup, camera)
        .add_systems(
            PreUpdate,
            (cursor_to_world, play_recording).after(bevy::input::InputSystems),
        )
        .add_systems(Update, sprites)
        .add_systems(EguiPrimaryContextPass, hud)
        .add_systems(Last, frame_end);
        if screenshot.is_some() {
            // The recorded game on the headless game's clock: the picture does not depend on a
            // person or on how fast the machine draws.
            app.insert_resource(TimeUpdateStrategy::ManualDuration(Duration::from_secs_f64(
                1.0 / 60.0,
            )));
        }
        app.insert_resource(Run {
            frames,
            recording: if screenshot.is_some() {
                read_recording(include_str!("../assets/moonrush/recording.txt"))
            } else {
                Vec::new()
            },
            screenshot,
            shot: false,
        });
        add_game(&mut app, seed);
        app.run()
    }

    fn camera(mut commands: Commands) {
        commands.spawn(Camera2d);
        // The arena's floor.
        commands.spawn((
            Sprite::from_color(Color::srgb(0.1, 0.12, 0.18), Vec2::new(800.0, 560.0)),
            Transform::from_xyz(0.0, 0.0, -1.0),
        ));
    }

    fn play_recording(run: Res<Run>, played: Res<Played>, mut keys: ResMut<ButtonInput<KeyCode>>) {
        if !run.recording.is_empty() {
            apply_recording(&mut keys, &run.recording, played.0);
        }
    }

    /// Where the cursor points in the world, for `input.cursor_world()`.
    fn cursor_to_world(
        cameras: Query<(&Camera, &GlobalTransform)>,
        mut cursor: ResMut<ScriptCursor>,
    ) {
        let world = cursor.position.and_then(|p| {
            let (camera, at) = cameras.iter().next()?;
            camera.viewport_to_world_2d(at, p).ok()
        });
        if cursor.world != world {
            cursor.world = world;
        }
    }

    /// Scripted entities not drawn yet.
    type Undrawn = (With<Script>, Without<Sprite>);

    /// A square for each player, enemy and bullet.
    fn sprites(
        mut commands: Commands,
        new: Query<(Entity, Option<&Player>, Option<&Enemy>), Undrawn>,
    ) {
        for (e, player, enemy) in &new {
            let (color, size) = match (player, enemy) {
                (Some(_), _) => (PLAYER, 26.0),
                (_, Some(enemy)) if enemy.kind == "dasher" => (DASHER, 24.0),
                (_, Some(_)) => (CHASER, 22.0),
                _ => (BULLET, 7.0),
            };
            commands
                .entity(e)
                .insert(Sprite::from_color(color, Vec2::splat(size)));
        }
    }

    fn hud(mut contexts: EguiContexts, hud: Res<Hud>) {
        let Ok(ctx) = contexts.ctx_mut() else {
            return;
        };
        egui::Area::new(egui::Id::new("moonrush_hud"))
            .anchor(egui::Align2::CENTER_TOP, [0.0, 16.0])
            .show(ctx, |ui| {
                let text = egui::RichText::new(&hud.text)
                    .size(26.0)
                    .color(egui::Color32::from_rgb(230, 235, 255));
                ui.add(egui::Label::new(text).wrap_mode(egui::TextWrapMode::Extend));
            });
    }

    fn frame_end(mut run: ResMut<Run>, played: Res<Played>, mut commands: Commands) {
        let Some(frames) = run.frames else {
            return;
        };
        if played.0 < frames || run.shot {
            return;
        }
        run.shot = true;
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

    /// Are the player, the enemies and the HUD text on the picture?
    fn check_screenshot(shot: On<ScreenshotCaptured>, hud: Res<Hud>, mut commands: Commands) {
        let image = &shot.image;
        let near = |c: Srgba, want: Color| {
            let w = want.to_srgba();
            (c.red - w.red).abs() + (c.green - w.green).abs() + (c.blue - w.blue).abs() < 0.08
        };
        let (mut player, mut enemies, mut text) = (0u32, 0u32, 0u32);
        for y in (0..image.height()).step_by(2) {
            for x in (0..image.width()).step_by(2) {
                let Ok(c) = image.get_color_at(x, y) else {
                    continue;
                };
                let c = c.to_srgba();
                if near(c, PLAYER) {
                    player += 1;
                } else if near(c, CHASER) || near(c, DASHER) {
                    enemies += 1;
                } else if y < 80 && c.red > 0.7 && c.green > 0.7 && c.blue > 0.7 {
                    text += 1;
                }
            }
        }
        println!(
            "moonrush screenshot: {}x{}, {player} player pixels, {enemies} enemy pixels, \
             {text} HUD text pixels; HUD: {:?}",
            image.width(),
            image.height(),
            hud.text
        );
        let ok = player > 20 && enemies > 20 && text > 20 && hud.text.contains("wave");
        println!(
            "moonrush screenshot check: {}",
            if ok { "ok" } else { "FAILED" }
        );
        commands.write_message(if ok {
            AppExit::Success
        } else {
            AppExit::error()
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The recorded game from seed 7: the first game is won with every enemy of the four waves
    /// shot; after the restart the player stops firing and loses in the first wave. What is
    /// left is the world script, the two enemies that won, and nothing else.
    #[test]
    fn a_recorded_game_plays_to_the_same_end() {
        let recording = read_recording(include_str!("../assets/moonrush/recording.txt"));
        let mut app = headless_app(7);
        let outcomes = play(&mut app, &recording, 3600);
        let world = app.world_mut();
        assert!(
            world.resource::<ScriptErrors>().0.is_empty(),
            "{:?}",
            world.resource::<ScriptErrors>().0
        );
        let summary: Vec<(String, i64, i64, i64)> = outcomes
            .iter()
            .map(|o| {
                let int = |k: &str| o.get(k).and_then(|v| v.as_i64()).unwrap_or(-1);
                let result = o.get("result").and_then(|v| v.as_str()).unwrap_or("?");
                (result.to_string(), int("score"), int("wave"), int("kills"))
            })
            .collect();
        // Every enemy of waves 1-4: 4 + 6 + 8 + 10 = 28; 8 dashers (25 points), 20 chasers (10).
        assert_eq!(
            summary,
            vec![
                ("won".to_string(), 400, 4, 28),
                ("lost".to_string(), 20, 1, 2)
            ]
        );
        let hud = world.resource::<Hud>().clone();
        assert_eq!((hud.state.as_str(), hud.score), ("lost", 20));
        assert!(hud.text.contains("GAME OVER"), "{}", hud.text);
        let players = world
            .query_filtered::<(), With<Player>>()
            .iter(world)
            .count();
        let enemies = world
            .query_filtered::<(), With<Enemy>>()
            .iter(world)
            .count();
        let scripted = world
            .query_filtered::<(), With<Script>>()
            .iter(world)
            .count();
        let world_scripts = world
            .query_filtered::<(), With<WorldScript>>()
            .iter(world)
            .count();
        assert_eq!((players, enemies, scripted, world_scripts), (0, 2, 2, 1));
    }
}
