//! Hot reload: when a script asset changes, its module is run again in a fresh environment and
//! every entity using it keeps `self`, restarts its tasks and gets `on_reload(self)`. When a
//! module that scripts `require` changes, every script that depends on it (directly or through
//! other modules) reloads the same way, and the modules between them load afresh. A file that
//! no longer compiles fails to load (the old code keeps running) and is reported.

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
            && let Some(script) = scripts.get(*id)
        {
            if runtime.modules.contains_key(id) {
                runtime.reloads.push((*id, script.clone()));
            }
            let required =
                super::api::CONTEXT.with(|c| c.borrow().dependents.contains_key(&script.path));
            if required {
                runtime.module_reloads.push(script.path.clone());
            }
        }
    }
}

#[inline(never)]
/// Swaps the code of changed scripts: each module runs again in a fresh environment, then
/// every entity using it keeps `self`, restarts its tasks and gets `on_reload(self)`.
pub fn reload_changed(runtime: &mut ScriptRuntime) {
    if !runtime.module_reloads.is_empty() {
        reload_dependents(runtime);
    }
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

/// For changed modules: forgets them and every module that depends on them (`package.loaded`),
/// and queues every running script that depends on them, directly or through other modules,
/// for reload (its chunk runs again and requires the modules afresh).
fn reload_dependents(runtime: &mut ScriptRuntime) {
    let changed = std::mem::take(&mut runtime.module_reloads);
    let (affected, names) = super::api::CONTEXT.with(|c| {
        let c = c.borrow();
        let mut affected: Vec<String> = Vec::new();
        let mut queue = changed.clone();
        while let Some(path) = queue.pop() {
            if affected.contains(&path) {
                continue;
            }
            if let Some(users) = c.dependents.get(&path) {
                queue.extend(users.iter().cloned());
            }
            affected.push(path);
        }
        let names: Vec<String> = affected
            .iter()
            .filter_map(|p| c.module_names.get(p).cloned())
            .collect();
        let sources: Vec<(String, Option<std::rc::Rc<[u8]>>)> = affected
            .iter()
            .map(|p| (p.clone(), c.modules.get(p).cloned()))
            .collect();
        (sources, names)
    });
    let vm = &mut runtime.vm;
    let key = vm.intern(b"_LOADED");
    if let crate::vm::runtime::value::Value::Table(loaded) = vm.registry().get_str(key) {
        for name in &names {
            let k = vm.str_value(name);
            let _ = vm.raw_set_checked(loaded, k, crate::vm::runtime::value::Value::Nil);
        }
    }
    for (path, source) in affected {
        let Some(source) = source else { continue };
        let running = runtime
            .modules
            .iter()
            .find(|(_, m)| *m.path == *path)
            .map(|(id, _)| *id);
        if let Some(id) = running
            && !runtime.reloads.iter().any(|(r, _)| *r == id)
        {
            let script = LuaScript {
                path,
                source: source.to_vec(),
            };
            runtime.reloads.push((id, script));
        }
    }
    bevy::log::info!("modules changed: {}", changed.join(", "));
}
