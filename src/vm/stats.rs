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
    pub gc_collections: u64,
    pub gc_objects_freed: u64,
    /// Live heap estimate in bytes after the last collection plus allocation since.
    pub heap_bytes: u64,
    pub calls: u64,
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
            heap_bytes: self.heap_bytes,
            calls: self.calls - earlier.calls,
        }
    }
}
