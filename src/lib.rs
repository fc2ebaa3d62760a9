//! Moonpool: a Lua 5.4 VM (`vm`, no Bevy) and the Bevy plugin that runs game scripts on it
//! (`plugin`, feature `plugin`), and its debug overlay (`overlay`, feature `overlay`).

pub mod vm;

#[cfg(feature = "plugin")]
pub mod plugin;

#[cfg(feature = "overlay")]
pub mod overlay;
