//! Moonpool: a Lua 5.4 VM (`vm`, no Bevy) and the Bevy plugin that runs game scripts on it
//! (`plugin`, feature `plugin`).

pub mod vm;

#[cfg(feature = "plugin")]
pub mod plugin;
