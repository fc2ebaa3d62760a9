//! Writes LuaLS annotation stubs for the script API and the plugin's reflected types, so editors
//! (VS Code's Lua extension, Neovim, ...) autocomplete scripts.
//!
//! `cargo run --example stubs` writes `assets/types/moonpool.lua` (or the path given after
//! `--`); `cargo test` fails while the committed file is not current. A game does the same from
//! its own app, after registering its types and script functions:
//! `moonpool::plugin::stubs::write_lua_stubs(app.world(), path)`.

fn main() -> std::io::Result<()> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "assets/types/moonpool.lua".into());
    let text = moonpool::plugin::stubs::plugin_stubs();
    std::fs::write(&path, &text)?;
    let classes = text.matches("---@class ").count();
    let aliases = text.matches("---@alias ").count();
    println!("wrote {path}: {classes} classes, {aliases} aliases");
    Ok(())
}
