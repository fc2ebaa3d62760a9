//! What the script system did this frame, overall and per script: the numbers the overlay
//! shows, kept up to date without allocating.

use std::time::Duration;

use crate::vm::VmStats;

/// The last `run_scripts` frame.
#[derive(Clone, Copy, Debug, Default)]
pub struct FrameReport {
    /// `ScriptRuntime::frame` this report is for.
    pub frame: u64,
    /// The VM's counters over the frame (`VmStats::delta`; gauges such as `heap_bytes` are the
    /// values at its end).
    pub vm: VmStats,
    /// Rust heap allocations and bytes during the script system (0 unless the application
    /// installed `moonpool::vm::CountingAllocator`; see `counting_allocator_installed`).
    pub rust_allocations: u64,
    pub rust_bytes: u64,
    /// Wall time of the whole script system, and of its collector step alone.
    pub script_time: Duration,
    pub gc_time: Duration,
    pub entities: usize,
    pub live_tasks: usize,
}

impl FrameReport {
    /// VM objects created this frame, all kinds.
    pub fn vm_objects(&self) -> u64 {
        objects_of(&self.vm)
    }
}

/// One script asset's share of the last frame, filled while `ScriptRuntime::profile` is set
/// (the overlay sets it while open; all zero otherwise).
#[derive(Clone, Debug, Default)]
pub struct ScriptReport {
    pub entities: u32,
    pub tasks: u32,
    /// VM instructions its callbacks and tasks executed.
    pub instructions: u64,
    /// VM objects they created.
    pub allocations: u64,
    /// Wall time of its callbacks and tasks.
    pub time: Duration,
}

impl ScriptReport {
    pub(crate) fn clear(&mut self) {
        *self = ScriptReport::default();
    }
}

/// VM objects created so far (the sum `FrameReport::vm_objects` takes a delta of).
pub(crate) fn objects_of(v: &VmStats) -> u64 {
    v.tables_allocated
        + v.strings_allocated
        + v.closures_allocated
        + v.upvalues_allocated
        + v.userdata_allocated
        + v.threads_created
}
