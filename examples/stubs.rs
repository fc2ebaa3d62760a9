//! Writes LuaLS annotation stubs for the script API and the app's reflected types, so editors
//! (VS Code's Lua extension, Neovim, ...) autocomplete scripts.
//!
//! `cargo run --example stubs` writes `assets/types/moonpool.lua` (or the path given after
//! `--`). A game does the same from its own app, after registering its types and script
//! functions: `moonpool::plugin::stubs::write_lua_stubs(app.world(), path)`.

use bevy::asset::AssetPlugin;
use bevy::prelude::*;
use moonpool::plugin::MoonpoolPlugin;
use moonpool::plugin::stubs::write_lua_stubs;

fn main() -> std::io::Result<()> {
    let mut app = App::new();
    app.add_plugins((
        MinimalPlugins,
        AssetPlugin::default(),
        MoonpoolPlugin::default(),
    ));
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "assets/types/moonpool.lua".into());
    write_lua_stubs(app.world(), &path)?;
    let text = std::fs::read_to_string(&path)?;
    let classes = text.matches("---@class ").count();
    let aliases = text.matches("---@alias ").count();
    println!("wrote {path}: {classes} classes, {aliases} enum aliases");
    Ok(())
}
