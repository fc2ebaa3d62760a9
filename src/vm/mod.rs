//! The Lua 5.4 virtual machine. Nothing here depends on Bevy.
//!
//! Layers, each importing only those below it (`tests/layers.rs` checks it):
//! `number` (numerals, integer and float arithmetic) → `bytecode` (instructions, prototypes)
//! → `compiler` (source to prototypes) → `runtime` (values, objects, collector, interpreter,
//! the `Vm`) → `stdlib` (the libraries) → `api` (the safe public API).
//!
//! Only `api` and a few plain types are public: the layers below hand raw pointers around and
//! are crate-private (see `api` for why the public part is sound). The names below are the
//! whole public VM API.

pub(crate) mod api;
pub(crate) mod bytecode;
pub(crate) mod compiler;
pub(crate) mod number;
pub(crate) mod runtime;
pub(crate) mod stdlib;

pub use api::{
    Error, ErrorKind, FromLua, FromLuaMulti, IntoLua, IntoLuaMulti, LuaFunction, LuaString,
    LuaTable, LuaThread, LuaUserData, LuaValue, MultiValue, Result, Resume,
};
pub use bytecode::proto::FuncProto;
pub use compiler::CompileError;
pub use runtime::budget::Exhausted;
pub use runtime::limits::Limits;
pub use runtime::prefetch;
pub use runtime::state::{Vm, compile_source};
pub use runtime::stats::{
    CountingAllocator, HeapCounters, VmStats, counting_allocator_installed, heap_counters,
};
pub use stdlib::base::{io_error_text, strip_shebang};
