//! The components a game puts on entities.

use bevy::asset::Handle;
use bevy::ecs::component::Component;
use bevy::ecs::reflect::ReflectComponent;
use bevy::reflect::Reflect;
use bevy::reflect::prelude::ReflectDefault;

use super::asset::LuaScript;

/// Runs scripts on this entity: each its own `on_spawn`, `on_update`, `main` task and the rest
/// (see the README), with its own `self`. Removing the component (or despawning the entity)
/// stops them and cancels their tasks; a handle taken out of the list stops that script alone.
/// A script appears at most once per entity.
#[derive(Component, Clone, Debug, Default, Reflect)]
#[reflect(Component, Default, Debug)]
pub struct Script {
    pub handles: Vec<Handle<LuaScript>>,
}

impl Script {
    pub fn new(handle: Handle<LuaScript>) -> Script {
        Script {
            handles: vec![handle],
        }
    }

    /// Adds another script: `Script::new(a).with(b)`.
    pub fn with(mut self, handle: Handle<LuaScript>) -> Script {
        self.handles.push(handle);
        self
    }
}

/// A world script: game rules, UI or level logic, tied to no gameplay entity. Spawn it on an
/// entity of its own (`commands.spawn(WorldScript::new(assets.load("rules.lua")))`, or
/// `app.add_world_script("rules.lua")`); despawning that entity stops it. It has its own `self`
/// (a plain table: no `self.entity`, no transform), tasks, waits and hot reload; world scripts
/// run before entity scripts each frame and receive messages sent to `"world"`.
#[derive(Component, Clone, Debug, Default, Reflect)]
#[reflect(Component, Default, Debug)]
pub struct WorldScript {
    pub handle: Handle<LuaScript>,
}

impl WorldScript {
    pub fn new(handle: Handle<LuaScript>) -> WorldScript {
        WorldScript { handle }
    }
}
