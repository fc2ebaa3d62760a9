//! Counters of what the VM allocates and does, exposed as a plain snapshot.

/// A snapshot of the VM's counters. Counts are cumulative since the VM started; subtract two
/// snapshots (`delta`) to get per-frame figures.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VmStats {
    pub tables_allocated: u64,
    pub strings_allocated: u64,
    pub closures_allocated: u64,
    pub upvalues_allocated: u64,
    pub userdata_allocated: u64,
    pub threads_created: u64,
    /// Estimated bytes of new objects.
    pub bytes_allocated: u64,
    pub regpool_hits: u64,
    pub regpool_misses: u64,
    /// Frames the arena can hold without growing / frames live now.
    pub frame_arena_capacity: u64,
    pub frames_live: u64,
    /// Collection cycles finished.
    pub gc_collections: u64,
    pub gc_objects_freed: u64,
    /// Collector steps taken and work units done (values traced plus objects swept).
    pub gc_steps: u64,
    pub gc_work: u64,
    /// Collector phase now: 0 pause, 1 propagate, 2 sweep.
    pub gc_phase: u64,
    /// Dead tables, closures and upvalues waiting in the heap's pools for reuse.
    pub objects_recycled: u64,
    /// Live heap estimate in bytes after the last collection plus allocation since.
    pub heap_bytes: u64,
    pub calls: u64,
    /// VM instructions executed, counted while `Vm::set_instruction_counting` is on.
    pub instructions: u64,
}

impl VmStats {
    /// Counter differences `self - earlier` (gauges keep `self`'s value).
    pub fn delta(&self, earlier: &VmStats) -> VmStats {
        VmStats {
            tables_allocated: self.tables_allocated - earlier.tables_allocated,
            strings_allocated: self.strings_allocated - earlier.strings_allocated,
            closures_allocated: self.closures_allocated - earlier.closures_allocated,
            upvalues_allocated: self.upvalues_allocated - earlier.upvalues_allocated,
            userdata_allocated: self.userdata_allocated - earlier.userdata_allocated,
            threads_created: self.threads_created - earlier.threads_created,
            bytes_allocated: self.bytes_allocated - earlier.bytes_allocated,
            regpool_hits: self.regpool_hits - earlier.regpool_hits,
            regpool_misses: self.regpool_misses - earlier.regpool_misses,
            frame_arena_capacity: self.frame_arena_capacity,
            frames_live: self.frames_live,
            gc_collections: self.gc_collections - earlier.gc_collections,
            gc_objects_freed: self.gc_objects_freed - earlier.gc_objects_freed,
            gc_steps: self.gc_steps - earlier.gc_steps,
            gc_work: self.gc_work - earlier.gc_work,
            gc_phase: self.gc_phase,
            objects_recycled: self.objects_recycled,
            heap_bytes: self.heap_bytes,
            calls: self.calls - earlier.calls,
            instructions: self.instructions - earlier.instructions,
        }
    }
}

/// A `#[global_allocator]` wrapper around the system allocator that counts allocations per
/// thread. Opt-in: an application (or a test) installs it with
/// `#[global_allocator] static A: CountingAllocator = CountingAllocator;` and reads
/// `heap_counters()` before and after the work it wants to measure.
pub struct CountingAllocator;

/// Rust heap activity of the calling thread since it started.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HeapCounters {
    pub allocations: u64,
    pub frees: u64,
    pub bytes_allocated: u64,
}

impl HeapCounters {
    pub fn since(&self, earlier: &HeapCounters) -> HeapCounters {
        HeapCounters {
            allocations: self.allocations - earlier.allocations,
            frees: self.frees - earlier.frees,
            bytes_allocated: self.bytes_allocated - earlier.bytes_allocated,
        }
    }
}

thread_local! {
    // Const-initialized cells: reading them never allocates, so the allocator may use them.
    static ALLOCS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    static FREES: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    static BYTES: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

fn bump(cell: &'static std::thread::LocalKey<std::cell::Cell<u64>>, n: u64) {
    // `try_with`: during thread teardown the counters may already be gone.
    let _ = cell.try_with(|c| c.set(c.get() + n));
}

/// Counters of the calling thread (all zero unless `CountingAllocator` is installed).
pub fn heap_counters() -> HeapCounters {
    HeapCounters {
        allocations: ALLOCS.try_with(|c| c.get()).unwrap_or(0),
        frees: FREES.try_with(|c| c.get()).unwrap_or(0),
        bytes_allocated: BYTES.try_with(|c| c.get()).unwrap_or(0),
    }
}

static INSTALLED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether `CountingAllocator` is the global allocator (it has served an allocation), so that a
/// zero count means "none" rather than "not counted".
pub fn counting_allocator_installed() -> bool {
    INSTALLED.load(std::sync::atomic::Ordering::Relaxed)
}

fn mark_installed() {
    if !INSTALLED.load(std::sync::atomic::Ordering::Relaxed) {
        INSTALLED.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

// SAFETY: forwards every call to the system allocator unchanged; only counts.
unsafe impl std::alloc::GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        mark_installed();
        bump(&ALLOCS, 1);
        bump(&BYTES, layout.size() as u64);
        unsafe { std::alloc::System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        bump(&FREES, 1);
        unsafe { std::alloc::System.dealloc(ptr, layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: std::alloc::Layout) -> *mut u8 {
        mark_installed();
        bump(&ALLOCS, 1);
        bump(&BYTES, layout.size() as u64);
        unsafe { std::alloc::System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new_size: usize) -> *mut u8 {
        // A reallocation is a new allocation as far as "allocated nothing" is concerned.
        bump(&ALLOCS, 1);
        bump(&BYTES, new_size as u64);
        unsafe { std::alloc::System.realloc(ptr, layout, new_size) }
    }
}
