//! Rust calling scripts: any function a script defines, by name, with typed arguments and a
//! typed result.
//!
//! ```no_run
//! use bevy::prelude::*;
//! use moonpool::prelude::*;
//!
//! // An exclusive system (or a command) has the world, so the script can use all of it.
//! fn ask_boss(world: &mut World) {
//!     let boss = world.query_filtered::<Entity, With<Script>>().iter(world).next();
//!     if let Some(boss) = boss {
//!         match world.call_script::<i64>(boss, "threat_level", (3, "north")) {
//!             Ok(level) => info!("threat {level}"),
//!             Err(e) => error!("{}", e.message),
//!         }
//!     }
//! }
//!
//! // Any system: queued as a command; a failure arrives as a `ScriptError` message.
//! fn hurt_everyone(mut commands: Commands, scripted: Query<Entity, With<Script>>) {
//!     for e in &scripted {
//!         commands.call_script(e, "on_hit", (5, "fire"));
//!     }
//! }
//! ```
//!
//! The function is looked up among the entity's scripts in the order `Script` lists them (a
//! world script is the script of its own entity); it is called as `name(self, args...)` under
//! the budgets of one run (fuel, memory, the per-script time), apart from the frame's.
//! `self.transform` holds the transform as of the script's last frame.

use bevy::app::App;
use bevy::asset::{AssetServer, Assets};
use bevy::ecs::entity::Entity;
use bevy::ecs::system::Commands;
use bevy::ecs::world::World;

use super::world::WorldAccess;
use super::{LuaScript, ScriptError, ScriptRuntime, WorldScript, asset, error_line, reflect};
use crate::vm::{FromLuaMulti, IntoLuaMulti};

/// `world.call_script(entity, name, args)`.
pub trait ScriptCallExt {
    /// Calls `name(self, args...)` of `entity`'s script and converts its results: a value, a
    /// tuple, `()`, or `moonpool::vm::MultiValue`. Fails with a `ScriptError` naming the
    /// script (and the line, for an error the script raised) if the entity runs no script
    /// defining `name`, an argument does not convert, the function raises an error or uses up
    /// a budget, or the results do not convert. Calling from inside a script function (while
    /// scripts run) is refused.
    fn call_script<R: FromLuaMulti>(
        &mut self,
        entity: Entity,
        name: &str,
        args: impl IntoLuaMulti,
    ) -> Result<R, ScriptError>;
}

impl ScriptCallExt for World {
    fn call_script<R: FromLuaMulti>(
        &mut self,
        entity: Entity,
        name: &str,
        args: impl IntoLuaMulti,
    ) -> Result<R, ScriptError> {
        let failed = |path: String, message: String| ScriptError {
            entity: Some(entity),
            path,
            message,
            source_line: None,
            budget: None,
        };
        let Some(mut runtime) = self.remove_non_send::<ScriptRuntime>() else {
            return Err(failed(
                String::new(),
                format!(
                    "cannot call '{name}': scripts are running (a script function cannot call back into scripts), or MoonpoolPlugin is not added"
                ),
            ));
        };
        let rt = &mut runtime;
        let result = (|| {
            let args = args.into_lua_multi(&mut rt.vm).map_err(|e| {
                failed(
                    String::new(),
                    format!("argument of '{name}': {}", e.message()),
                )
            })?;
            reflect::use_world(self.id());
            let _access = WorldAccess::new(self);
            let values = rt
                .call_from_rust(entity, name, &args)
                .map_err(|f| ScriptError {
                    entity: Some(entity),
                    path: f.path,
                    message: f.message,
                    source_line: None,
                    budget: f.budget,
                })?;
            R::from_lua_multi(values, &mut rt.vm).map_err(|e| {
                let path = rt
                    .entities
                    .of(entity)
                    .next()
                    .and_then(|i| rt.modules.get(&i.asset))
                    .map_or_else(String::new, |m| m.path.to_string());
                failed(path, format!("result of '{name}': {}", e.message()))
            })
        })();
        self.insert_non_send(runtime);
        result.map_err(|mut e| {
            // A runtime error points into code that loaded: show its line.
            if let (Some(n), Some(scripts)) = (
                error_line(&e.path, &e.message),
                self.get_resource::<Assets<LuaScript>>(),
            ) && let Some((_, script)) = scripts.iter().find(|(_, s)| s.path == e.path)
            {
                e.source_line = asset::source_line(&script.source, n);
            }
            e
        })
    }
}

/// `commands.call_script(entity, name, args)`: the call as a command (it runs when commands
/// are applied); a failure is written as a `ScriptError` message.
pub trait ScriptCommandsExt {
    fn call_script<A: IntoLuaMulti + Send + 'static>(
        &mut self,
        entity: Entity,
        name: impl Into<String>,
        args: A,
    );
}

impl ScriptCommandsExt for Commands<'_, '_> {
    fn call_script<A: IntoLuaMulti + Send + 'static>(
        &mut self,
        entity: Entity,
        name: impl Into<String>,
        args: A,
    ) {
        let name = name.into();
        self.queue(move |world: &mut World| {
            if let Err(e) = world.call_script::<()>(entity, &name, args) {
                bevy::log::error!("{}: {}", e.path, e.message);
                world.write_message(e);
            }
        });
    }
}

/// `app.add_world_script(path)`.
pub trait WorldScriptAppExt {
    /// Runs the script asset at `path` as a world script from the first frame on (an entity
    /// of its own carrying a `WorldScript`, named after the path).
    fn add_world_script(&mut self, path: impl Into<String>) -> &mut Self;
}

impl WorldScriptAppExt for App {
    fn add_world_script(&mut self, path: impl Into<String>) -> &mut Self {
        let path = path.into();
        let world = self.world_mut();
        let handle = world
            .resource::<AssetServer>()
            .load::<LuaScript>(path.clone());
        world.spawn((
            WorldScript::new(handle),
            bevy::ecs::name::Name::new(format!("world script {path}")),
        ));
        self
    }
}
