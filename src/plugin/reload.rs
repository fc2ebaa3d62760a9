//! Hot reload: when a script asset changes, its module is run again in a fresh environment and
//! every entity using it keeps `self`, restarts its tasks and gets `on_reload(self)`. A file
//! that no longer compiles fails to load (the old code keeps running) and is reported.

use bevy::asset::{AssetEvent, AssetLoadFailedEvent, Assets};
use bevy::ecs::message::{MessageReader, MessageWriter};
use bevy::ecs::system::{Local, Res};
use bevy::log::error;

use super::asset::ErrorLine;
use super::tasks::ScriptRuntime;
use super::{CompileErrorLines, LuaScript, ScriptError};

#[inline(never)]
/// Notes which scripts changed (run in `run_scripts` before any Lua runs): every loaded
/// script becomes available to `require`, and running ones are queued for `reload_changed`.
pub fn collect_changes(
    runtime: &mut ScriptRuntime,
    changes: &mut MessageReader<AssetEvent<LuaScript>>,
    scripts: &Assets<LuaScript>,
) {
    for change in changes.read() {
        if let AssetEvent::Added { id } | AssetEvent::Modified { id } = change
            && let Some(script) = scripts.get(*id)
        {
            let source: std::rc::Rc<[u8]> = script.source.as_slice().into();
            super::api::CONTEXT
                .with(|c| c.borrow_mut().modules.insert(script.path.clone(), source));
        }
        // Only scripts already running: new ones start in `run_scripts`.
        if let AssetEvent::Modified { id } = change
            && runtime.modules.contains_key(id)
            && let Some(script) = scripts.get(*id)
        {
            runtime.reloads.push((*id, script.clone()));
        }
    }
}

#[inline(never)]
/// Swaps the code of changed scripts: each module runs again in a fresh environment, then
/// every entity using it keeps `self`, restarts its tasks and gets `on_reload(self)`.
pub fn reload_changed(runtime: &mut ScriptRuntime) {
    for (id, script) in std::mem::take(&mut runtime.reloads) {
        if !runtime.load_module(id, &script) {
            continue;
        }
        let users: Vec<_> = runtime
            .entities
            .instances()
            .filter(|i| i.asset == id)
            .collect();
        for e in users {
            runtime.reload_entity(e);
        }
    }
}

/// Reports scripts that failed to load (compile errors carry `path:line:col`).
pub fn report_load_failures(
    mut failures: MessageReader<AssetLoadFailedEvent<LuaScript>>,
    mut errors: MessageWriter<ScriptError>,
    error_lines: Res<CompileErrorLines>,
    mut lines: Local<Vec<ErrorLine>>,
) {
    lines.extend(error_lines.0.try_iter());
    for f in failures.read() {
        // Bevy's wording wraps ours ("Failed to load asset ... : path:line:col: msg") and may
        // append a backtrace: keep `path:line:col: msg`.
        let full = f.error.to_string();
        let first = full.lines().next().unwrap_or_default();
        let path = f.path.to_string();
        let message = match first.rfind(&format!("{path}:")) {
            Some(i) => first[i..].to_string(),
            None => first.to_string(),
        };
        error!("script {} failed to load: {message}", f.path);
        let source_line = lines
            .iter()
            .rposition(|l| l.path == path)
            .map(|i| lines.remove(i).text);
        errors.write(ScriptError {
            entity: None,
            path,
            message,
            source_line,
            budget: None,
        });
    }
    // Lines whose failure event has not arrived yet wait for it; stale ones are dropped.
    if lines.len() > 64 {
        lines.clear();
    }
}
