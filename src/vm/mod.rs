//! The Lua 5.4 virtual machine. Nothing here depends on Bevy.

pub mod budget;
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

pub use budget::Exhausted;
pub use error::{LuaError, LuaResult};
pub use function::{Args, NativeFn};
pub use limits::Limits;
pub use state::{ResumeOutcome, Resumed, RootKey, Vm};
pub use stats::{
    CountingAllocator, HeapCounters, VmStats, counting_allocator_installed, heap_counters,
};
pub use value::Value;

/// Asks the CPU to start loading the cache line at `addr` (any address: nothing is read, and a
/// stale or invalid one costs nothing but the hint). A host walking many scripted objects calls
/// it for the next object's tables, so their memory latency overlaps the current one's work.
#[inline(always)]
pub fn prefetch(addr: usize) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch never faults and reads nothing the program can observe.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(addr as *const i8);
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = addr;
}
