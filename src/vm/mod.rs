//! The Lua 5.4 virtual machine. Nothing here depends on Bevy.
//!
//! Layers, each importing only those below it (`tests/layers.rs` checks it):
//! `number` (numerals, integer and float arithmetic) → `bytecode` (instructions, prototypes)
//! → `compiler` (source to prototypes) → `runtime` (values, objects, collector, interpreter,
//! the `Vm`) → `stdlib` (the libraries). The names below are the public API.

pub mod bytecode;
pub mod compiler;
pub mod number;
pub mod runtime;
pub mod stdlib;

pub use runtime::budget::Exhausted;
pub use runtime::error::{LuaError, LuaResult};
pub use runtime::function::{Args, NativeFn};
pub use runtime::limits::Limits;
pub use runtime::prefetch;
pub use runtime::state::{ResumeOutcome, Resumed, RootKey, Vm, compile_source};
pub use runtime::stats::{
    CountingAllocator, HeapCounters, VmStats, counting_allocator_installed, heap_counters,
};
pub use runtime::value::Value;
