//! The runtime: values and the objects they point at, the collector, call frames, register
//! files and coroutines, metamethods, the interpreter loop, budgets, and the `Vm` that owns them
//! all. It runs what the compiler produces (`crate::vm::bytecode`) and compiles with
//! `crate::vm::compiler`; it knows no library (`crate::vm::stdlib` sits above it).
//!
//! Files, roughly bottom to top: `gc` (the `Gc` pointer, object lists, the heap and its
//! marking), the object kinds `value`, `string`, `table`, `function`, `userdata`; `frame`,
//! `thread`, `regpool`; `error`, `limits`, `stats`; then `state` (the `Vm` and its public API)
//! and the files that extend the `Vm`: `exec` (the interpreter), `meta` (metamethods), `debug`
//! (positions, names, tracebacks) and `budget` (fuel, time, charged string buffers).
//!
//! One import cycle is allowed here, and only here (`tests/layers.rs` keeps it to these files).
//! Its reason is the collector: `gc` holds a list per object kind and marks their contents, and
//! each kind holds `Gc` pointers and `Value`s, so `gc`, `value`, `string`, `table`, `function`,
//! `userdata` and `thread` (with its `frame`s) name each other. The `Vm` in `state` is the
//! collector's root set and owner (its fields are the heap, the threads, the register pool
//! `regpool`), and a native function's type, in `function`, takes `&mut Vm`; so `state` is in the
//! cycle too, with the files that add the `Vm`'s methods and are called back by the kinds: `exec`
//! (the interpreter), `meta` (metamethods, which the collector reads for `__gc` and `__mode`),
//! `debug` (positions and names in errors), `budget` (fuel and memory, charged by the collector)
//! and `error` (a `LuaError` carries a `Value`). `limits` and `stats` stay outside it.
//!
//! `#[inline(never)]` on a cold path (a slow conversion, a hook, a pool's trim) keeps it out of
//! its caller as it was when these functions were public: crate-private functions with one
//! caller get inlined, which grew the interpreter loop and the plugin's frame and cost ~7% on
//! `plugin_entities` until the attribute went back on.

pub mod budget;
pub mod debug;
pub mod error;
pub mod exec;
pub mod frame;
pub mod function;
pub mod gc;
pub mod limits;
pub mod meta;
pub mod regpool;
pub mod state;
pub mod stats;
pub mod string;
pub mod table;
pub mod thread;
pub mod userdata;
pub mod value;

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
