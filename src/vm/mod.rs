//! The Lua 5.4 virtual machine. Nothing here depends on Bevy.

pub mod compiler;
pub mod debug;
pub mod error;
pub mod exec;
pub mod frame;
pub mod function;
pub mod gc;
pub mod limits;
pub mod meta;
pub mod number;
pub mod regpool;
pub mod state;
pub mod stats;
pub mod stdlib;
pub mod string;
pub mod table;
pub mod thread;
pub mod userdata;
pub mod value;

pub use error::{LuaError, LuaResult};
pub use function::{Args, NativeFn};
pub use limits::Limits;
pub use state::{ResumeOutcome, Resumed, RootKey, Vm};
pub use stats::{
    CountingAllocator, HeapCounters, VmStats, counting_allocator_installed, heap_counters,
};
pub use value::Value;
