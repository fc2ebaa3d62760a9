//! The app the plugin tests share: MinimalPlugins + AssetPlugin (assets from `tests/scripts`),
//! the plugin, a manual clock of 0.1 s per frame, and a record of what scripts emitted and
//! which errors they raised.

// Each test binary uses its own subset of these helpers.
#![allow(dead_code)]

use std::time::Duration;

use bevy::asset::{AssetPlugin, Assets, Handle};
use bevy::prelude::*;
use bevy::time::TimeUpdateStrategy;
use moonpool::plugin::{
    Budget, LuaScript, MoonpoolPlugin, MoonpoolSettings, MoonpoolSystems, ScriptEmitted,
    ScriptError, ScriptValue,
};

#[derive(Resource, Default)]
pub struct Seen {
    pub emitted: Vec<(String, ScriptValue)>,
    pub errors: Vec<String>,
    pub error_lines: Vec<Option<String>>,
    /// The budget each error names (`ScriptError::budget`).
    pub budgets: Vec<Option<Budget>>,
    /// The script each error came from.
    pub paths: Vec<String>,
}

fn collect(
    mut emitted: MessageReader<ScriptEmitted>,
    mut errors: MessageReader<ScriptError>,
    mut seen: ResMut<Seen>,
) {
    for m in emitted.read() {
        seen.emitted.push((m.name.clone(), m.payload.clone()));
    }
    for e in errors.read() {
        seen.errors.push(e.message.clone());
        seen.error_lines.push(e.source_line.clone());
        seen.budgets.push(e.budget);
        seen.paths.push(e.path.clone());
    }
}

pub fn app_with(settings: MoonpoolSettings) -> App {
    let mut app = App::new();
    app.add_plugins((
        MinimalPlugins,
        AssetPlugin {
            file_path: "tests/scripts".into(),
            ..Default::default()
        },
        MoonpoolPlugin::default().with_settings(settings),
    ))
    .insert_resource(TimeUpdateStrategy::ManualDuration(Duration::from_millis(
        100,
    )))
    .init_resource::<Seen>()
    .add_systems(Update, collect.after(MoonpoolSystems::Run));
    app
}

pub fn app() -> App {
    app_with(MoonpoolSettings::default())
}

/// A script asset from source (it must compile).
pub fn add_script(app: &mut App, name: &str, src: &str) -> Handle<LuaScript> {
    let script = LuaScript::from_source(name, src).expect("test script compiles");
    app.world_mut()
        .resource_mut::<Assets<LuaScript>>()
        .add(script)
}

/// The payloads of `emit(name, ...)` so far.
pub fn emitted(app: &App, name: &str) -> Vec<ScriptValue> {
    app.world()
        .resource::<Seen>()
        .emitted
        .iter()
        .filter(|(n, _)| n == name)
        .map(|(_, v)| v.clone())
        .collect()
}

pub fn errors(app: &App) -> Vec<String> {
    app.world().resource::<Seen>().errors.clone()
}

pub fn assert_error(app: &App, want: &str) {
    let errs = errors(app);
    assert!(
        errs.iter().any(|e| e.contains(want)),
        "no error containing {want:?} in {errs:#?}"
    );
}
