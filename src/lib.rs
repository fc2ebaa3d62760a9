//! Moonpool: a Lua 5.4 VM (`vm`, no Bevy) and the Bevy plugin that runs game scripts on it
//! (`plugin`, feature `plugin`), and its debug overlay (`overlay`, feature `overlay`).

pub mod vm;

#[cfg(feature = "plugin")]
pub mod plugin;

#[cfg(feature = "overlay")]
pub mod overlay;

/// What a game using the plugin usually needs: `use moonpool::prelude::*;`.
#[cfg(feature = "plugin")]
pub mod prelude {
    pub use crate::plugin::{
        Budget, LuaScript, MoonpoolPlugin, MoonpoolSettings, MoonpoolSystems, RunawayPolicy,
        Script, ScriptCallExt, ScriptCommandsExt, ScriptCursor, ScriptEmitted, ScriptError,
        ScriptFunctionsExt, ScriptMessage, ScriptRuntime, ScriptTarget, ScriptValue, WorldScript,
        WorldScriptAppExt,
    };
    pub use crate::vm::{FromLua, IntoLua, LuaFunction, LuaTable, LuaValue};
}

/// The guide's Rust examples, run as doctests (`docs/guide.md`; its Lua examples are run by
/// `tests/guide.rs`).
#[cfg(all(doctest, feature = "plugin"))]
#[doc = include_str!("../docs/guide.md")]
pub struct Guide;
