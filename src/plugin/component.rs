//! The components a game puts on entities.

use bevy::asset::Handle;
use bevy::ecs::component::Component;

use super::asset::LuaScript;

/// Runs a script for this entity: its `on_spawn`, `on_update`, `main` task and the rest (see
/// the README). Removing the component (or despawning the entity) cancels the entity's tasks.
#[derive(Component, Clone, Debug)]
pub struct Script {
    pub handle: Handle<LuaScript>,
}

impl Script {
    pub fn new(handle: Handle<LuaScript>) -> Script {
        Script { handle }
    }
}
