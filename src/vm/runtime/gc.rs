//! Garbage-collected object handles, the heap that owns them, and the incremental collector.
//!
//! Every collectable object lives in a `GcBox` allocated by the heap and is referred to by a thin
//! `Gc<T>` pointer, which is `Copy` and has no `Drop`: values stay 16 bytes and copying them costs
//! nothing. The heap keeps one list per object kind.
//!
//! The collector is an incremental tri-colour mark & sweep in the style of PUC Lua 5.4:
//! - *Pause*: nothing to do until the heap grows past its threshold.
//! - *Propagate*: gray objects are traced a bounded amount at a time. The mutator runs in between;
//!   write barriers keep the invariant "no black object points to a white one": a write into a
//!   black table turns it gray again (it is re-traced in the atomic step), a write into a black
//!   upvalue marks the value. Coroutine stacks have no barrier: a coroutine that ran since it was
//!   traced is traced again in the atomic step.
//! - *Atomic* (one go): re-trace what changed, settle weak tables, separate objects to finalize,
//!   flip the white, free unreachable coroutines.
//! - *Sweep*: free objects still of the old white, a bounded amount at a time. Objects created
//!   during the sweep get the new white and survive.
//!
//! Work runs only at safe points chosen by the interpreter (after a new object has been stored in
//! a register), never inside an allocation: Rust code may hold fresh `Gc` handles in locals without
//! rooting them, as long as it does not call into Lua in between.
//!
//! Freed objects are not given back to the Rust allocator one by one: each list keeps a pool of
//! dead boxes (with their small buffers) that new objects reuse, so a script creating garbage at a
//! stable live size reaches zero Rust heap allocations once the pools are warm.

use std::cell::Cell;
use std::collections::VecDeque;
use std::marker::PhantomData;
use std::ptr::NonNull;

pub struct GcBox<T> {
    color: Cell<u8>,
    /// `FIN_*` bits.
    flags: Cell<u8>,
    value: T,
}

const WHITE0: u8 = 0;
const GRAY: u8 = 2;
const BLACK: u8 = 3;
/// The object is registered for finalization (it had a `__gc` when its metatable was set).
const FIN_REGISTERED: u8 = 1;

/// A handle to a heap object. Valid while the object is reachable from the VM's roots.
#[repr(transparent)]
pub struct Gc<T> {
    ptr: NonNull<GcBox<T>>,
    _marker: PhantomData<*const T>,
}

impl<T> Clone for Gc<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Gc<T> {}

impl<T> PartialEq for Gc<T> {
    fn eq(&self, other: &Self) -> bool {
        self.ptr == other.ptr
    }
}
impl<T> Eq for Gc<T> {}

impl<T> std::fmt::Debug for Gc<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Gc({:p})", self.ptr)
    }
}

impl<T> Gc<T> {
    pub(crate) fn allocate(value: T, white: u8) -> Gc<T> {
        let boxed = Box::new(GcBox {
            color: Cell::new(white),
            flags: Cell::new(0),
            value,
        });
        Gc {
            ptr: NonNull::from(Box::leak(boxed)),
            _marker: PhantomData,
        }
    }

    /// Frees the object. The caller guarantees nothing refers to it any more.
    pub(crate) unsafe fn free(self) {
        drop(unsafe { Box::from_raw(self.ptr.as_ptr()) });
    }

    #[inline(always)]
    pub(crate) fn obj(&self) -> &T {
        // SAFETY: the collector frees an object only when no root reaches it, so a handle that the
        // program can still use points to a live box.
        unsafe { &(*self.ptr.as_ptr()).value }
    }

    /// Mutable access. Lua objects are shared and mutated through any reference, like in C Lua; the
    /// VM keeps such borrows short and never holds two of the same object at once.
    #[inline(always)]
    #[allow(clippy::mut_from_ref)]
    pub(crate) fn get_mut(&self) -> &mut T {
        // SAFETY: see `obj`; exclusivity is upheld by the interpreter's short, non-overlapping borrows.
        unsafe { &mut (*self.ptr.as_ptr()).value }
    }

    #[inline(always)]
    pub(crate) fn addr(&self) -> usize {
        self.ptr.as_ptr() as usize
    }

    #[inline(always)]
    fn header(&self) -> &GcBox<T> {
        unsafe { &*self.ptr.as_ptr() }
    }

    #[inline(always)]
    pub(crate) fn color(&self) -> u8 {
        self.header().color.get()
    }

    #[inline(always)]
    pub(crate) fn set_color(&self, c: u8) {
        self.header().color.set(c)
    }

    #[inline(always)]
    pub(crate) fn is_white(&self) -> bool {
        self.color() < GRAY
    }

    #[inline(always)]
    pub(crate) fn is_black(&self) -> bool {
        self.color() == BLACK
    }

    fn flags(&self) -> u8 {
        self.header().flags.get()
    }

    fn set_flags(&self, f: u8) {
        self.header().flags.set(f)
    }
}

impl<T> std::ops::Deref for Gc<T> {
    type Target = T;
    #[inline(always)]
    fn deref(&self) -> &T {
        self.obj()
    }
}

/// What the collector needs to know about each kind of object.
pub trait Collectable {
    /// Approximate bytes held, for the heap estimate.
    fn size(&self) -> usize;
    /// Prepares a dead object for reuse by a future allocation of the same kind, keeping small
    /// buffers. Returns false when the box should be freed instead.
    fn recycle(&mut self) -> bool {
        false
    }
}

/// Work units charged for freeing (or recycling) an object; looking at a live one costs 1, as
/// does tracing a value. Measured: freeing is a few times slower than the other two.
pub(crate) const FREE_COST: isize = 4;
/// Recycled boxes kept when a sweep starts: twice what the last cycle reused (the steady-state
/// need), at least this many. The rest go back to the allocator, so a burst of garbage does not
/// stay pinned.
const MIN_RECYCLED: usize = 256;

/// One list of live objects of a kind, plus its pool of recycled boxes.
pub struct ObjectList<T> {
    objects: Vec<Gc<T>>,
    recycled: Vec<Gc<T>>,
    /// Boxes taken from `recycled` during this cycle.
    reused: usize,
    cursor: usize,
}

impl<T> Default for ObjectList<T> {
    fn default() -> Self {
        ObjectList {
            objects: Vec::new(),
            recycled: Vec::new(),
            reused: 0,
            cursor: 0,
        }
    }
}

impl<T: Collectable> ObjectList<T> {
    /// A recycled box (holding a cleared value) for the caller to fill, if any, now in the list.
    #[inline]
    pub(crate) fn reuse(&mut self, white: u8) -> Option<Gc<T>> {
        let gc = self.recycled.pop()?;
        self.reused += 1;
        gc.set_color(white);
        gc.set_flags(0);
        self.objects.push(gc);
        Some(gc)
    }

    pub(crate) fn alloc(&mut self, white: u8, value: T) -> Gc<T> {
        let gc = Gc::allocate(value, white);
        self.objects.push(gc);
        gc
    }

    pub(crate) fn recycled(&self) -> usize {
        self.recycled.len()
    }

    /// Sweeps up to `budget` objects from the cursor: frees those of color `dead`, whitens the
    /// rest. Returns true when the list is done (and resets the cursor).
    fn sweep_step(&mut self, budget: &mut isize, dead: u8, white: u8, freed: &mut Freed) -> bool {
        while *budget > 0 {
            let Some(&o) = self.objects.get(self.cursor) else {
                self.cursor = 0;
                return true;
            };
            if o.color() == dead {
                *budget -= FREE_COST;
                self.objects.swap_remove(self.cursor);
                freed.count += 1;
                freed.bytes += o.obj().size();
                if o.get_mut().recycle() {
                    self.recycled.push(o);
                } else {
                    // SAFETY: still of the old white after the atomic step means unreachable.
                    unsafe { o.free() };
                }
            } else {
                *budget -= 1;
                o.set_color(white);
                self.cursor += 1;
            }
        }
        false
    }

    /// When a sweep starts: frees recycled boxes beyond what the next cycle is likely to use.
    fn trim(&mut self) {
        let keep = (self.reused * 2).max(MIN_RECYCLED);
        while self.recycled.len() > keep {
            let o = self.recycled.pop().unwrap();
            // SAFETY: recycled boxes are unreachable.
            unsafe { o.free() };
        }
        self.reused = 0;
    }

    /// Frees everything (VM teardown).
    pub(crate) fn free_all(&mut self) {
        for o in self.objects.drain(..).chain(self.recycled.drain(..)) {
            unsafe { o.free() };
        }
    }
}

#[derive(Default)]
struct Freed {
    count: usize,
    bytes: usize,
}

use super::function::{LuaClosure, NativeClosure, Proto, UpVal};
use super::meta::Tm;
use super::state::Vm;
use super::string::Interner;
use super::table::Table;
use super::thread::{CoStatus, ThreadKey};
use super::userdata::UserData;
use super::value::Value;

impl Collectable for Table {
    fn size(&self) -> usize {
        self.byte_size() + self.released
    }
    fn recycle(&mut self) -> bool {
        self.clear_for_reuse();
        true
    }
}

impl Collectable for LuaClosure {
    fn size(&self) -> usize {
        48 + self.upvals.len() * 8
    }
    fn recycle(&mut self) -> bool {
        self.upvals.clear();
        true
    }
}

impl Collectable for NativeClosure {
    fn size(&self) -> usize {
        48 + self.upvals.len() * 16
    }
    fn recycle(&mut self) -> bool {
        self.upvals.clear();
        true
    }
}

impl Collectable for UpVal {
    fn size(&self) -> usize {
        40
    }
    fn recycle(&mut self) -> bool {
        self.closed = Value::Nil;
        true
    }
}

impl Collectable for Proto {
    fn size(&self) -> usize {
        self.code.len() * 8 + self.consts.len() * 16 + 128
    }
}

impl Collectable for UserData {
    fn size(&self) -> usize {
        48
    }
    fn recycle(&mut self) -> bool {
        self.meta = None;
        self.host = None;
        // A boxed zero-sized value does not allocate.
        self.data = Box::new(());
        true
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum GcPhase {
    /// Waiting for the heap to grow past the threshold.
    Pause,
    /// Tracing gray objects.
    Propagate,
    /// Freeing dead objects, list by list.
    Sweep,
}

/// All collectable objects, by kind, and the collector's state.
pub struct Heap {
    pub tables: ObjectList<Table>,
    pub closures: ObjectList<LuaClosure>,
    pub natives: ObjectList<NativeClosure>,
    pub upvals: ObjectList<UpVal>,
    pub protos: ObjectList<Proto>,
    pub userdata: ObjectList<UserData>,
    pub strings: Interner,
    /// Estimated bytes of all objects.
    pub total: usize,
    /// Estimated bytes ever allocated (for stats).
    pub allocated: u64,
    /// Estimated bytes alive when the last cycle ended.
    pub live: usize,
    /// A cycle starts when `total` passes this.
    pub threshold: usize,
    /// Bytes allocated since the collector last did work during a cycle.
    step_debt: usize,
    /// The white of new objects; the other white is "dead" during a sweep.
    pub(crate) white: u8,
    pub phase: GcPhase,
    /// Cycle number, for marking coroutines (marked when their `gc_mark` equals it).
    pub(crate) cycle: u32,
    gray: Vec<Gray>,
    gray_threads: Vec<ThreadKey>,
    dead_threads: Vec<ThreadKey>,
    /// Tables written to after being traced, and weak tables: traced again in the atomic step.
    grayagain: Vec<Gc<Table>>,
    weak_values: Vec<Gc<Table>>,
    ephemerons: Vec<Gc<Table>>,
    all_weak: Vec<Gc<Table>>,
    /// Objects with a registered finalizer, oldest first.
    finobj: Vec<Value>,
    /// Unreachable objects whose finalizers are due, next first.
    pub(crate) tobefnz: VecDeque<Value>,
    sweep_stage: u8,
    /// A collection or finalizer is in progress (no re-entry).
    pub running: bool,
    pub(crate) in_finalizer: bool,
    /// `Vm::close` has started: no new objects are registered for finalization (as in Lua).
    pub(crate) closing: bool,
    /// `collectgarbage("stop")`: no automatic collections until "restart".
    pub stopped: bool,
    /// Cycles still to start, each as soon as the one before ends (`Vm::gc_request_cycle`).
    pub cycles_requested: u8,
    /// Collect at every safe point (`MOONPOOL_GC_STRESS=1`), to shake out missing roots.
    pub stress: bool,
    /// Do a tiny incremental step at every safe point (`MOONPOOL_GC_STRESS=step`).
    pub stress_steps: bool,
    /// `setpause` / `setstepmul` parameters (percent), as Lua stores them.
    pub pause: u32,
    pub stepmul: u32,
    /// The mode `collectgarbage` reports ("incremental" or "generational"); the collector itself
    /// is always incremental.
    pub generational_mode: bool,
    /// Counters for stats: work units done, steps taken, cycles finished.
    pub work: u64,
    pub steps: u64,
    pub cycles: u64,
    pub objects_freed: u64,
}

impl Default for Heap {
    fn default() -> Self {
        Heap {
            tables: Default::default(),
            closures: Default::default(),
            natives: Default::default(),
            upvals: Default::default(),
            protos: Default::default(),
            userdata: Default::default(),
            strings: Default::default(),
            total: 0,
            allocated: 0,
            live: 0,
            threshold: GC_MIN_HEAP,
            step_debt: 0,
            white: WHITE0,
            phase: GcPhase::Pause,
            cycle: 1,
            gray: Vec::new(),
            gray_threads: Vec::new(),
            dead_threads: Vec::new(),
            grayagain: Vec::new(),
            weak_values: Vec::new(),
            ephemerons: Vec::new(),
            all_weak: Vec::new(),
            finobj: Vec::new(),
            tobefnz: VecDeque::new(),
            sweep_stage: 0,
            running: false,
            in_finalizer: false,
            closing: false,
            stopped: false,
            cycles_requested: 0,
            stress: false,
            stress_steps: false,
            pause: 200,
            stepmul: 100,
            generational_mode: false,
            work: 0,
            steps: 0,
            cycles: 0,
            objects_freed: 0,
        }
    }
}

/// An object marked but not yet traced.
#[derive(Clone, Copy)]
enum Gray {
    Table(Gc<Table>),
    Closure(Gc<LuaClosure>),
    Native(Gc<NativeClosure>),
    UpVal(Gc<UpVal>),
    Proto(Gc<Proto>),
    UserData(Gc<UserData>),
}

/// The heap may grow to at least this before the first cycle.
const GC_MIN_HEAP: usize = 256 << 10;
/// During a cycle the mutator pays for its allocation with collector work every this many bytes.
const GC_STEP_BYTES: usize = 16 << 10;
/// Work units (values traced or objects swept) per allocated byte, times 100, at stepmul 100.
/// Tracing a value is about 16 bytes of heap, so this finishes a cycle well before the heap
/// doubles.
const WORK_PER_BYTE_X100: usize = 25;
/// Tables with more entries than this get forward write barriers (see `Heap::barrier_kv`).
const BIG_TABLE: usize = 64;
/// Heap estimate of a coroutine (its state and a pooled register file).
pub const THREAD_BYTES: usize = 512 + super::thread::INITIAL_STACK * 16;
/// Finalizer errors kept for the host between two `take_finalizer_errors` (the rest are dropped).
const MAX_FINALIZER_ERRORS: usize = 64;
/// Default heap limit: generous for games, but a runaway script gets a Lua error instead of
/// taking the machine's memory.
pub const DEFAULT_MEMORY_LIMIT: usize = 4 << 30;

impl Heap {
    pub(crate) fn free_all(&mut self) {
        self.tables.free_all();
        self.closures.free_all();
        self.natives.free_all();
        self.upvals.free_all();
        self.protos.free_all();
        self.userdata.free_all();
        self.strings.free_all();
    }

    /// Accounts `bytes` of new allocation.
    #[inline(always)]
    pub(crate) fn charge(&mut self, bytes: usize) {
        self.allocated += bytes as u64;
        self.total += bytes;
        self.step_debt += bytes;
    }

    #[inline(always)]
    pub(crate) fn white(&self) -> u8 {
        self.white
    }

    #[inline(always)]
    fn needs_work(&self) -> bool {
        match self.phase {
            GcPhase::Pause => self.total > self.threshold,
            _ => self.step_debt >= GC_STEP_BYTES,
        }
    }

    /// Backward barrier: `t` (black) is about to get a new reference; trace it again later.
    #[cold]
    fn barrier_back(&mut self, t: Gc<Table>) {
        if self.phase == GcPhase::Propagate {
            t.set_color(GRAY);
            self.grayagain.push(t);
        } else {
            // Sweeping: the invariant no longer matters; whiten so later writes skip the barrier.
            t.set_color(self.white);
        }
    }

    /// Call before changing table `t` in bulk (several entries or its layout).
    #[inline(always)]
    pub(crate) fn table_barrier(&mut self, t: Gc<Table>) {
        if t.is_black() {
            self.barrier_back(t);
        }
    }

    /// Call before storing `key = val` into table `t`.
    #[inline(always)]
    pub(crate) fn table_barrier_kv(&mut self, t: Gc<Table>, key: &Value, val: &Value) {
        if t.is_black() {
            self.barrier_kv(t, key, val);
        }
    }

    /// Small tables are traced again in the atomic step (cheap, and many writes cost one
    /// re-trace). A big table would make the atomic step long, so the stored key and value are
    /// marked instead (they may float until the next cycle).
    #[cold]
    pub(crate) fn barrier_kv(&mut self, t: Gc<Table>, key: &Value, val: &Value) {
        if self.phase == GcPhase::Propagate && t.arr.len() + t.node_count() > BIG_TABLE {
            self.mark_value(key);
            self.mark_value(val);
        } else {
            self.barrier_back(t);
        }
    }

    /// Forward barrier: `v` is being stored into a black upvalue or closure; mark it now.
    #[inline(always)]
    pub(crate) fn value_barrier(&mut self, owner_black: bool, v: &Value) {
        if owner_black && v.is_collectable() {
            self.barrier_forward(v);
        }
    }

    #[cold]
    fn barrier_forward(&mut self, v: &Value) {
        if self.phase == GcPhase::Propagate {
            self.mark_value(v);
        }
    }

    /// Forward barrier for a new upvalue linked into a black closure (`debug.upvaluejoin`).
    pub(crate) fn upval_barrier(&mut self, owner_black: bool, u: Gc<UpVal>) {
        if owner_black && self.phase == GcPhase::Propagate {
            self.mark_upval(u);
        }
    }

    #[inline]
    fn mark_value(&mut self, v: &Value) {
        match *v {
            Value::Str(s) if s.is_white() => s.set_color(BLACK),
            Value::Table(t) => self.mark_table(t),
            Value::LuaFn(c) if c.is_white() => {
                c.set_color(GRAY);
                self.gray.push(Gray::Closure(c));
            }
            Value::NativeClosure(c) if c.is_white() => {
                c.set_color(GRAY);
                self.gray.push(Gray::Native(c));
            }
            Value::UserData(u) if u.is_white() => {
                u.set_color(GRAY);
                self.gray.push(Gray::UserData(u));
            }
            Value::Thread(t) => self.gray_threads.push(t),
            _ => {}
        }
    }

    #[inline]
    fn mark_table(&mut self, t: Gc<Table>) {
        if t.is_white() {
            t.set_color(GRAY);
            self.gray.push(Gray::Table(t));
        }
    }

    fn mark_proto(&mut self, p: Gc<Proto>) {
        if p.is_white() {
            p.set_color(GRAY);
            self.gray.push(Gray::Proto(p));
        }
    }

    fn mark_upval(&mut self, u: Gc<UpVal>) {
        if u.is_white() {
            u.set_color(GRAY);
            self.gray.push(Gray::UpVal(u));
        }
    }

    fn mark_closure(&mut self, c: Gc<LuaClosure>) {
        if c.is_white() {
            c.set_color(GRAY);
            self.gray.push(Gray::Closure(c));
        }
    }

    /// `__mode` of a table's metatable: (weak keys, weak values).
    fn weakness(&self, t: Gc<Table>, mode_name: Value) -> (bool, bool) {
        let Some(mt) = t.meta else {
            return (false, false);
        };
        match mt.get(mode_name) {
            Value::Str(s) => {
                let b = s.as_bytes();
                (b.contains(&b'k'), b.contains(&b'v'))
            }
            _ => (false, false),
        }
    }

    /// Traces one gray object; returns the work it took.
    fn trace(&mut self, g: Gray, mode_name: Value, atomic: bool) -> usize {
        match g {
            Gray::Table(t) => self.trace_table(t, mode_name, atomic),
            Gray::Closure(c) => {
                c.set_color(BLACK);
                self.mark_proto(c.proto);
                for u in c.upvals.iter() {
                    self.mark_upval(*u);
                }
                1 + c.upvals.len()
            }
            Gray::Native(c) => {
                c.set_color(BLACK);
                for v in c.upvals.iter() {
                    self.mark_value(v);
                }
                1 + c.upvals.len()
            }
            Gray::UpVal(u) => {
                u.set_color(BLACK);
                let v = u.get();
                self.mark_value(&v);
                1
            }
            Gray::Proto(p) => {
                p.set_color(BLACK);
                if p.source.is_white() {
                    p.source.set_color(BLACK);
                }
                for k in p.consts.iter() {
                    self.mark_value(k);
                }
                for sub in p.protos.iter() {
                    self.mark_proto(*sub);
                }
                1 + p.consts.len() + p.protos.len()
            }
            Gray::UserData(u) => {
                u.set_color(BLACK);
                if let Some(m) = u.meta {
                    self.mark_table(m);
                }
                1
            }
        }
    }

    fn trace_table(&mut self, t: Gc<Table>, mode_name: Value, atomic: bool) -> usize {
        if t.released > 0 {
            self.total = self
                .total
                .saturating_sub(std::mem::take(&mut t.get_mut().released));
        }
        if let Some(m) = t.meta {
            self.mark_table(m);
        }
        let (weak_k, weak_v) = self.weakness(t, mode_name);
        if (weak_k || weak_v) && !atomic {
            // Weak tables are settled in the atomic step, when reachability is final.
            t.set_color(GRAY);
            self.grayagain.push(t);
            return 1;
        }
        t.set_color(BLACK);
        let work = 1 + t.arr.len() + t.node_count();
        // Dead entries' string keys become tombstones (see `Table::bury_dead_string_keys`).
        // (The collector owns the heap: no reference into this table is alive here.)
        if weak_k || weak_v {
            t.get_mut().bury_dead_string_keys();
        }
        match (weak_k, weak_v) {
            // Numbers and booleans (most of a big array) are skipped without a call.
            (false, false) => t.get_mut().for_each_entry_burying(|k, v| {
                if k.is_collectable() {
                    self.mark_value(k);
                }
                if v.is_collectable() {
                    self.mark_value(v);
                }
            }),
            (false, true) => {
                // Strings are values, never cleared from weak tables: they stay alive.
                t.for_each_entry(|k, v| {
                    self.mark_value(k);
                    if let Value::Str(_) = v {
                        self.mark_value(v);
                    }
                });
                self.weak_values.push(t);
            }
            (true, false) => {
                self.trace_ephemeron(t);
                self.ephemerons.push(t);
            }
            (true, true) => {
                // Strings are values (never cleared), but an entry cleared for its other half
                // must not keep its string alive: they are marked after clearing, in `atomic`.
                self.all_weak.push(t);
            }
        }
        work
    }

    /// Marks the values whose keys are marked; returns whether it marked anything.
    fn trace_ephemeron(&mut self, t: Gc<Table>) -> bool {
        let mut marked = false;
        // Array entries come with a nil key (never cleared): their values are strong.
        t.for_each_entry(|k, v| {
            if !is_cleared_key(k) {
                // A newly marked table, function or userdata may reach other keys: report it so
                // the caller iterates. Strings and threads are marked too (no iteration needed
                // for strings; threads are traced by the caller's propagation).
                marked |= is_white_value(v);
                self.mark_value(v);
            }
        });
        marked
    }
}

/// Whether a weak key is (still) unreachable. Strings are values, never removed from weak tables.
fn is_cleared_key(v: &Value) -> bool {
    match v {
        Value::Str(s) => {
            if s.is_white() {
                s.set_color(BLACK);
            }
            false
        }
        other => is_white_value(other),
    }
}

/// An unmarked collectable object (threads are judged by the VM, see `Vm::is_dead_value`).
fn is_white_value(v: &Value) -> bool {
    match v {
        Value::Table(t) => t.is_white(),
        Value::LuaFn(c) => c.is_white(),
        Value::NativeClosure(c) => c.is_white(),
        Value::UserData(u) => u.is_white(),
        _ => false,
    }
}

impl Vm {
    /// Does collector work if enough has been allocated. Call only at safe points, where every
    /// live value is reachable from a root.
    ///
    /// Also enforces the memory limit: past it, a full collection runs, and if that does not
    /// bring the heap under the limit the result is Lua's "not enough memory" error.
    #[inline]
    pub(crate) fn gc_check(&mut self) -> Result<(), super::error::LuaError> {
        if self.gc_due() {
            return self.gc_run();
        }
        Ok(())
    }

    /// Whether `gc_check` has anything to do: collector work is due or a memory limit is passed.
    #[inline(always)]
    pub(crate) fn gc_due(&self) -> bool {
        self.heap.needs_work()
            || self.heap.stress
            || self.heap.stress_steps
            || self.heap.total > self.memory_limit
            || self.heap.allocated > self.allocation_mark
    }

    /// `gc_check` at a collection point of the running Lua frame, where the registers from
    /// stack slot `live` up are dead temporaries: they are not roots (so an object only they
    /// still point at is collected, and its finalizer runs, as in PUC Lua) and are cleared.
    #[cold]
    pub(crate) fn gc_check_live(&mut self, live: usize) -> Result<(), super::error::LuaError> {
        self.gc_live_top = live;
        let r = self.gc_run();
        self.gc_live_top = 0;
        r
    }

    #[cold]
    fn gc_run(&mut self) -> Result<(), super::error::LuaError> {
        self.account_stack();
        if self.heap.needs_work() || self.heap.stress || self.heap.stress_steps {
            self.gc_assist();
        }
        if self.heap.total > self.memory_limit || self.heap.allocated > self.allocation_mark {
            return self.out_of_memory();
        }
        Ok(())
    }

    #[cold]
    fn gc_assist(&mut self) {
        if self.heap.stopped || self.heap.running {
            return;
        }
        if self.heap.stress {
            self.collect_garbage();
            return;
        }
        if self.heap.stress_steps {
            self.gc_work(7);
            return;
        }
        // Allocation while paused does not count: a new cycle starts with one ordinary step.
        let debt = if self.heap.phase == GcPhase::Pause {
            GC_STEP_BYTES
        } else {
            self.heap.step_debt.max(GC_STEP_BYTES)
        };
        let budget = debt * WORK_PER_BYTE_X100 / 100 * self.heap.stepmul.max(1) as usize / 100;
        self.gc_work(budget.max(64));
    }

    #[cold]
    fn out_of_memory(&mut self) -> Result<(), super::error::LuaError> {
        if self.heap.allocated > self.allocation_mark {
            return Err(self.memory_error());
        }
        self.collect_garbage();
        if self.heap.total > self.memory_limit {
            self.budget.exhausted = Some(super::budget::Exhausted::Memory);
            return Err(self.plain_error("not enough memory"));
        }
        Ok(())
    }

    /// "not enough memory" for the running script's own allocation budget (or an allocation
    /// the system refused): positioned, so the script's report says where.
    pub(crate) fn memory_error(&mut self) -> super::error::LuaError {
        self.budget.exhausted = Some(super::budget::Exhausted::Memory);
        self.rt_error("not enough memory")
    }

    #[inline(never)]
    /// Checks that `bytes` more can be allocated under the memory limit (for natives about to
    /// build something large).
    pub(crate) fn check_alloc(&mut self, bytes: usize) -> Result<(), super::error::LuaError> {
        if self.heap.allocated.saturating_add(bytes as u64) > self.allocation_mark {
            return Err(self.memory_error());
        }
        if self.heap.total.saturating_add(bytes) > self.memory_limit {
            self.collect_garbage();
            if self.heap.total.saturating_add(bytes) > self.memory_limit {
                self.budget.exhausted = Some(super::budget::Exhausted::Memory);
                return Err(self.plain_error("not enough memory"));
            }
        }
        Ok(())
    }

    #[inline(never)]
    /// Like `check_alloc`, for a string of `len` bytes: also within `limits.max_string_bytes`.
    pub(crate) fn check_string_alloc(&mut self, len: usize) -> Result<(), super::error::LuaError> {
        if len > self.limits.max_string_bytes {
            let max = self.limits.max_string_bytes;
            return Err(self.rt_error(&format!("string too large (limit {max} bytes)")));
        }
        self.check_alloc(len)
    }

    /// Lets the code run from now on allocate `bytes` more (counting everything allocated, not
    /// what stays live) before allocation fails with "not enough memory"; `None` lifts it. A
    /// host sets it before running one script so that a script that allocates without bound
    /// fails alone, before the heap limit hits whichever script runs next.
    pub fn set_allocation_budget(&mut self, bytes: Option<usize>) {
        self.allocation_mark = match bytes {
            Some(b) => self.heap.allocated.saturating_add(b as u64),
            None => u64::MAX,
        };
    }

    /// Limits the VM's heap (estimated bytes of Lua objects); `None` restores the default.
    pub fn set_memory_limit(&mut self, bytes: Option<usize>) {
        self.memory_limit = bytes.unwrap_or(DEFAULT_MEMORY_LIMIT);
    }

    /// One bounded slice of collector work for the host to call once per frame (outside any Lua
    /// call). Starts a cycle when the heap has grown past its threshold; `budget` is in work
    /// units (one traced value or one live object swept; a freed object counts `FREE_COST`). Runs due finalizers. Returns
    /// true if a cycle finished during this call.
    pub fn gc_step(&mut self, budget: usize) -> bool {
        if self.heap.running || self.heap.stopped {
            return false;
        }
        let cycles = self.heap.cycles;
        if self.heap.phase != GcPhase::Pause || self.heap.total > self.heap.threshold {
            self.gc_work(budget);
        }
        self.run_pending_finalizers();
        self.heap.cycles != cycles
    }

    /// Asks for a collection cycle to start at the next `gc_step` even though the heap has not
    /// grown past its threshold: a host that just dropped many objects (a despawned entity's
    /// state and tasks) gets the memory back without waiting for new allocation.
    pub(crate) fn gc_request_cycle(&mut self) {
        // Two full cycles from now: what a dropped coroutine's stack held is only garbage once
        // the coroutine itself is freed, in the first one's atomic step; the second returns it.
        // A cycle already running may have marked what was just dropped: it does not count.
        if self.heap.phase == GcPhase::Pause {
            self.heap.threshold = 0;
            self.heap.cycles_requested = self.heap.cycles_requested.max(1);
        } else {
            self.heap.cycles_requested = 2;
        }
    }

    /// `collectgarbage("step", kb)`: work as if `kb` KiB had been allocated, starting a cycle if
    /// none is running. Returns true if a cycle finished.
    pub(crate) fn gc_step_forced(&mut self, kb: usize) -> bool {
        if self.heap.running {
            return false;
        }
        let cycles = self.heap.cycles;
        let bytes = (kb << 10).max(GC_STEP_BYTES);
        let budget = bytes * WORK_PER_BYTE_X100 / 100 * self.heap.stepmul.max(1) as usize / 100;
        if self.heap.phase == GcPhase::Pause {
            self.start_cycle();
        }
        self.gc_work(budget);
        self.run_pending_finalizers();
        self.heap.cycles != cycles
    }

    /// A full collection: finishes the running cycle, then runs a complete one (so everything
    /// unreachable now is freed), then calls due finalizers.
    pub fn collect_garbage(&mut self) {
        if self.heap.running {
            return;
        }
        if self.heap.phase != GcPhase::Pause {
            self.gc_work(usize::MAX);
        }
        self.start_cycle();
        self.gc_work(usize::MAX);
    }

    /// Collector work up to `budget` units; stops at the end of a cycle.
    fn gc_work(&mut self, budget: usize) {
        if self.heap.running {
            return;
        }
        self.heap.running = true;
        self.heap.steps += 1;
        let mut left = budget.min(isize::MAX as usize) as isize;
        if self.heap.phase == GcPhase::Pause {
            self.start_cycle_inner();
        }
        if self.heap.phase == GcPhase::Propagate {
            left -= self.propagate(left) as isize;
            if left > 0 {
                self.atomic();
            }
        }
        if self.heap.phase == GcPhase::Sweep && left > 0 {
            self.sweep_step(&mut left);
        }
        let used = budget.min(isize::MAX as usize) as isize - left.max(0);
        self.heap.work += used as u64;
        self.heap.step_debt = 0;
        self.heap.running = false;
    }

    fn start_cycle(&mut self) {
        if self.heap.phase == GcPhase::Pause && !self.heap.running {
            self.heap.running = true;
            self.start_cycle_inner();
            self.heap.running = false;
        }
    }

    fn start_cycle_inner(&mut self) {
        let h = &mut self.heap;
        h.cycle = h.cycle.wrapping_add(1).max(1);
        h.gray.clear();
        h.gray_threads.clear();
        h.grayagain.clear();
        h.weak_values.clear();
        h.ephemerons.clear();
        h.all_weak.clear();
        h.phase = GcPhase::Propagate;
        self.release_dropped_roots();
        self.mark_roots();
    }

    fn mark_roots(&mut self) {
        let h = &mut self.heap;
        h.mark_table(self.globals);
        h.mark_table(self.registry);
        if let Some(m) = self.string_meta {
            h.mark_table(m);
        }
        for m in self.type_metas.into_iter().flatten() {
            h.mark_table(m);
        }
        for s in self.tm_names {
            s.set_color(BLACK);
        }
        if let Some(f) = self.hooks.func {
            h.mark_value(&f);
        }
        h.mark_value(&self.native_callee);
        if let Some((_, v)) = &self.returning_native {
            h.mark_value(v);
        }
        for v in self.roots.values().chain(self.host_results.iter()) {
            h.mark_value(v);
        }
        for i in 0..h.tobefnz.len() {
            let v = h.tobefnz[i];
            h.mark_value(&v);
        }
        h.gray_threads.push(self.main);
        h.gray_threads.push(self.current);
    }

    /// Traces gray objects until `budget` work is done or none are left; returns the work done.
    fn propagate(&mut self, budget: isize) -> usize {
        let mode = Value::Str(self.tm_names[Tm::Mode as usize]);
        let mut work = 0usize;
        loop {
            if work as isize >= budget {
                return work;
            }
            if let Some(tk) = self.heap.gray_threads.pop() {
                work += self.trace_thread(tk, false);
                continue;
            }
            match self.heap.gray.pop() {
                Some(g) => work += self.heap.trace(g, mode, false),
                None => return work,
            }
        }
    }

    /// Traces everything gray; returns the work done (0 if nothing new was reached).
    fn propagate_all(&mut self, atomic: bool) -> usize {
        let mode = Value::Str(self.tm_names[Tm::Mode as usize]);
        let mut work = 0;
        loop {
            if let Some(tk) = self.heap.gray_threads.pop() {
                work += self.trace_thread(tk, atomic);
                continue;
            }
            match self.heap.gray.pop() {
                Some(g) => work += self.heap.trace(g, mode, atomic),
                None => return work,
            }
        }
    }

    /// First slot above everything a coroutine may still read: the top frame's registers, or
    /// the values a native or multi-result operation left (`top`), or the body of a coroutine
    /// that has not started.
    fn live_top(&self, tk: ThreadKey, co: &super::thread::Coroutine) -> usize {
        if co.native_active && co.native_frame == co.top_frame {
            // A native is running above the Lua frames: the caller's registers above the
            // native's arguments are dead temporaries (as PUC Lua marks only up to `L->top`).
            return co.top.max(1).min(co.stack.len());
        }
        if tk == self.current && self.gc_live_top != 0 {
            // At a collection point of the running frame (`gc_check_live`).
            return self.gc_live_top.max(co.top).max(1).min(co.stack.len());
        }
        if co.status == CoStatus::Dead {
            // Its frames stay for tracebacks, but no register of theirs is read again.
            return co.top.max(1).min(co.stack.len());
        }
        if co.status == CoStatus::Suspended && co.started && !co.preempted && co.top_frame.is_some()
        {
            // Suspended in `yield`: its results go to the yield's call slot, and nothing at or
            // above it in the top frame is live.
            return co.yield_slot.max(1).min(co.stack.len());
        }
        let frame_top = match co.top_frame {
            Some(k) => {
                let f = &self.frames[k];
                f.base + f.closure.proto.maxstack as usize
            }
            None => 0,
        };
        frame_top.max(co.top).max(1).min(co.stack.len())
    }

    /// Marks a coroutine's stack, open upvalues and frames (once per cycle unless it ran since).
    fn trace_thread(&mut self, tk: ThreadKey, atomic: bool) -> usize {
        let cycle = self.heap.cycle;
        let Some(co) = self.threads.get_mut(tk) else {
            return 0;
        };
        if co.gc_mark == cycle && !co.gc_dirty {
            return 0;
        }
        co.gc_mark = cycle;
        co.gc_dirty = false;
        let co = &self.threads[tk];
        let live = self.live_top(tk, co);
        let idle = matches!(co.status, CoStatus::Suspended | CoStatus::Dead)
            || (tk == self.main && self.c_depth == 0);
        if atomic || idle {
            // Not running now: the stale part can be cleared, so it never holds a dangling value.
            let co = &mut self.threads[tk];
            let hwm = co.hwm.min(co.stack.len());
            if hwm > live {
                co.stack[live..hwm].fill(Value::Nil);
            }
            co.hwm = live;
            if idle {
                // The file keeps every frame's whole window (the interpreter reads and writes a
                // resumed frame's registers without checking, and a caller's window may reach
                // above its callee's) and every open upvalue's slot.
                let mut window_top = 0;
                let mut f = co.top_frame.filter(|_| co.status == CoStatus::Suspended);
                while let Some(k) = f {
                    let fr = &self.frames[k];
                    window_top = window_top.max(fr.base + fr.closure.proto.maxstack as usize);
                    f = fr.parent;
                }
                let upvals_top = co.open_upvals.last().map_or(0, |&(s, _)| s + 1);
                let floor = live.max(window_top).max(upvals_top).max(co.top + 1);
                let released = co.shrink_stack(floor);
                self.heap.total = self.heap.total.saturating_sub(released);
            }
        }
        let co = &self.threads[tk];
        let h = &mut self.heap;
        for v in co.stack[..live].iter() {
            h.mark_value(v);
        }
        for (_, uv) in &co.open_upvals {
            h.mark_upval(*uv);
        }
        if let Some(e) = co.error {
            h.mark_value(&e);
        }
        h.mark_value(&co.died_in);
        h.mark_value(&co.hook_func);
        let mut f = co.top_frame;
        while let Some(fk) = f {
            let fr = &self.frames[fk];
            h.mark_closure(fr.closure);
            f = fr.parent;
        }
        1 + live
    }

    /// The atomic step: finishes marking with the mutator stopped, settles weak tables and
    /// finalizers, flips the white and frees unreachable coroutines. Then sweeping starts.
    fn atomic(&mut self) {
        let cycle = self.heap.cycle;
        // Roots that change without barriers.
        let h = &mut self.heap;
        if let Some(m) = self.string_meta {
            h.mark_table(m);
        }
        for m in self.type_metas.into_iter().flatten() {
            h.mark_table(m);
        }
        if let Some(f) = self.hooks.func {
            h.mark_value(&f);
        }
        h.mark_value(&self.native_callee);
        if let Some((_, v)) = &self.returning_native {
            h.mark_value(v);
        }
        // Host roots change without barriers.
        for v in self.roots.values().chain(self.host_results.iter()) {
            h.mark_value(v);
        }
        h.gray_threads.push(self.main);
        h.gray_threads.push(self.current);
        // Coroutines that ran since they were traced, and the active ones.
        for (k, co) in self.threads.iter_mut() {
            if co.gc_mark == cycle
                && (co.gc_dirty || matches!(co.status, CoStatus::Running | CoStatus::Normal))
            {
                co.gc_dirty = true;
                self.heap.gray_threads.push(k);
            }
        }
        let again = std::mem::take(&mut self.heap.grayagain);
        for t in &again {
            t.set_color(GRAY);
            self.heap.gray.push(Gray::Table(*t));
        }
        self.heap.grayagain = again;
        self.heap.grayagain.clear();
        self.propagate_all(true);
        self.remark_upvals();
        self.propagate_all(true);
        self.converge_ephemerons();
        // Weak values are cleared before finalized objects are resurrected.
        self.clear_weak_values();
        self.separate_finalizable();
        for i in 0..self.heap.tobefnz.len() {
            let v = self.heap.tobefnz[i];
            self.heap.mark_value(&v);
        }
        self.propagate_all(true);
        self.converge_ephemerons();
        self.clear_weak_keys();
        self.clear_weak_values();
        self.mark_strings_of_all_weak();
        // Everything reachable is now gray-free and non-white; the old white becomes "dead".
        self.heap.white ^= 1;
        // Register files left unused since the last cycle go back to the system first.
        self.pool.trim();
        self.free_dead_threads();
        // Before this cycle's garbage joins the pools, drop what the last cycle left unused.
        let h = &mut self.heap;
        h.tables.trim();
        h.closures.trim();
        h.natives.trim();
        h.upvals.trim();
        h.userdata.trim();
        h.strings.trim();
        self.heap.phase = GcPhase::Sweep;
        self.heap.sweep_stage = 0;
    }

    /// Open upvalues of unreachable coroutines stay valid after the coroutine dies (they are
    /// closed when it is freed): their current values must survive.
    fn remark_upvals(&mut self) {
        let cycle = self.heap.cycle;
        for (_, co) in self.threads.iter() {
            if co.gc_mark != cycle {
                for (_, uv) in &co.open_upvals {
                    if !uv.is_white() {
                        let v = uv.get();
                        self.heap.mark_value(&v);
                    }
                }
            }
        }
    }

    fn converge_ephemerons(&mut self) {
        loop {
            let mut changed = false;
            let list = std::mem::take(&mut self.heap.ephemerons);
            for t in &list {
                if self.heap.trace_ephemeron(*t) {
                    changed = true;
                }
            }
            let extra = std::mem::replace(&mut self.heap.ephemerons, list);
            self.heap.ephemerons.extend(extra);
            // Threads found as values are traced here (already traced ones cost nothing), and
            // anything newly reached may make more keys live.
            let work = self.propagate_all(true);
            if !changed && work == 0 {
                return;
            }
        }
    }

    fn clear_weak_values(&mut self) {
        for i in 0..self.heap.weak_values.len() + self.heap.all_weak.len() {
            let t = if i < self.heap.weak_values.len() {
                self.heap.weak_values[i]
            } else {
                self.heap.all_weak[i - self.heap.weak_values.len()]
            };
            t.get_mut()
                .clear_entries(|_, v| is_weak_dead(v, &self.threads, self.heap.cycle, self.main));
        }
    }

    /// The strings left in fully weak tables once dead entries are gone survive the cycle.
    fn mark_strings_of_all_weak(&mut self) {
        let h = &mut self.heap;
        for i in 0..h.all_weak.len() {
            let t = h.all_weak[i];
            let keep = |v: &Value| {
                if let Value::Str(s) = v
                    && s.is_white()
                {
                    s.set_color(BLACK);
                }
            };
            t.for_each_entry(|k, v| {
                keep(k);
                keep(v);
            });
        }
    }

    fn clear_weak_keys(&mut self) {
        for i in 0..self.heap.ephemerons.len() + self.heap.all_weak.len() {
            let t = if i < self.heap.ephemerons.len() {
                self.heap.ephemerons[i]
            } else {
                self.heap.all_weak[i - self.heap.ephemerons.len()]
            };
            t.get_mut()
                .clear_entries(|k, _| is_weak_dead(k, &self.threads, self.heap.cycle, self.main));
        }
    }

    /// Moves unreachable objects with finalizers to the to-be-finalized queue, newest first.
    fn separate_finalizable(&mut self) {
        let h = &mut self.heap;
        let mut i = h.finobj.len();
        let mut any = false;
        while i > 0 {
            i -= 1;
            let v = h.finobj[i];
            if is_white_value(&v) {
                h.tobefnz.push_back(v);
                set_fin_flag(&v, false);
                any = true;
            }
        }
        if any {
            h.finobj.retain(fin_flag);
        }
    }

    fn free_dead_threads(&mut self) {
        let cycle = self.heap.cycle;
        let main = self.main;
        // A buffer kept in the heap, so a cycle allocates nothing once warm.
        let mut dead = std::mem::take(&mut self.heap.dead_threads);
        dead.clear();
        for (k, co) in self.threads.iter() {
            if co.gc_mark != cycle && k != main {
                dead.push(k);
            }
        }
        for &k in &dead {
            let mut co = self.threads.remove(k).unwrap();
            // Closures may outlive the coroutine: close its open upvalues.
            for (_, uv) in co.open_upvals.drain(..) {
                let m = uv.get_mut();
                // SAFETY: the slot is still inside `co.stack`, which we own here.
                m.closed = unsafe { *m.v };
                m.v = &raw mut m.closed;
            }
            let mut f = co.root_frame.take();
            while let Some(fk) = f {
                f = self.frames.remove(fk).and_then(|fr| fr.child);
            }
            let stack_bytes = co.stack_charged;
            self.pool.give_back(co);
            self.heap.objects_freed += 1;
            self.heap.total = self.heap.total.saturating_sub(THREAD_BYTES + stack_bytes);
        }
        self.heap.dead_threads = dead;
    }

    fn sweep_step(&mut self, left: &mut isize) {
        let h = &mut self.heap;
        let dead = h.white ^ 1;
        let white = h.white;
        let mut freed = Freed::default();
        while *left > 0 {
            let done = match h.sweep_stage {
                0 => h.tables.sweep_step(left, dead, white, &mut freed),
                1 => h.closures.sweep_step(left, dead, white, &mut freed),
                2 => h.natives.sweep_step(left, dead, white, &mut freed),
                3 => h.upvals.sweep_step(left, dead, white, &mut freed),
                4 => h.protos.sweep_step(left, dead, white, &mut freed),
                5 => h.userdata.sweep_step(left, dead, white, &mut freed),
                6 => h
                    .strings
                    .sweep_step(left, dead, white, &mut freed.count, &mut freed.bytes),
                _ => {
                    h.phase = GcPhase::Pause;
                    h.cycles += 1;
                    h.live = h.total.saturating_sub(freed.bytes);
                    h.total = h.live;
                    // `pause` 200 (Lua's default) waits until the heap doubles.
                    h.threshold = (h.live / 100 * h.pause as usize).max(h.live + GC_MIN_HEAP);
                    if h.cycles_requested > 0 {
                        h.cycles_requested -= 1;
                        h.threshold = 0;
                    }
                    h.objects_freed += freed.count as u64;
                    return;
                }
            };
            if done {
                h.sweep_stage += 1;
            }
        }
        h.total = h.total.saturating_sub(freed.bytes);
        h.objects_freed += freed.count as u64;
    }

    /// `setmetatable` registers an object for finalization when its new metatable has `__gc`.
    pub(crate) fn check_finalizer(&mut self, obj: Value, mt: Option<Gc<Table>>) {
        let Some(mt) = mt else { return };
        if self.heap.closing
            || fin_flag(&obj)
            || mt.get_str(self.tm_names[Tm::Gc as usize]).is_nil()
        {
            return;
        }
        set_fin_flag(&obj, true);
        self.heap.finobj.push(obj);
    }

    /// Keeps the errors of `__gc` finalizers for the host (`take_finalizer_errors`) instead of
    /// writing them as warnings.
    pub fn capture_finalizer_errors(&mut self, on: bool) {
        self.finalizer_errors = on.then(Vec::new);
    }

    /// The finalizer errors kept since the last call (see `capture_finalizer_errors`).
    pub fn take_finalizer_errors(&mut self) -> Vec<String> {
        match &mut self.finalizer_errors {
            Some(errors) => std::mem::take(errors),
            None => Vec::new(),
        }
    }

    pub(crate) fn has_pending_finalizers(&self) -> bool {
        !self.heap.tobefnz.is_empty() && !self.heap.in_finalizer
    }

    /// Calls the `__gc` metamethods of collected objects, in Lua's order. Errors become
    /// warnings. Safe only where Lua code may run (not inside the interpreter's instructions).
    pub(crate) fn run_pending_finalizers(&mut self) {
        if self.heap.in_finalizer {
            return;
        }
        self.heap.in_finalizer = true;
        while let Some(obj) = self.heap.tobefnz.pop_front() {
            if matches!(
                self.budget.exhausted,
                Some(super::budget::Exhausted::Instructions | super::budget::Exhausted::Time)
            ) {
                // The running code's budget is spent: the rest wait for a run with budget left
                // (one finalizer that never returns must not make every other one fail).
                self.heap.tobefnz.push_front(obj);
                break;
            }
            let f = self.tm_of(&obj, Tm::Gc);
            if f.is_nil() {
                continue;
            }
            if !f.is_function() && self.tm_of(&f, Tm::Call).is_nil() {
                let msg = format!(
                    "error in __gc (attempt to call a {} value (metamethod '__gc'))",
                    f.type_name()
                );
                self.emit_warning(msg.as_bytes());
                continue;
            }
            if let Err(e) =
                self.behind_error_barrier(super::exec::Barrier::Finalizer, |vm| vm.call1(f, &[obj]))
            {
                let msg = match &e {
                    super::error::LuaError::Value(Value::Str(s)) => s.to_str_lossy().into_owned(),
                    super::error::LuaError::Value(_) => "error object is not a string".to_string(),
                    other => format!("{other:?}"),
                };
                let msg = format!("error in __gc ({msg})");
                match &mut self.finalizer_errors {
                    Some(errors) if errors.len() < MAX_FINALIZER_ERRORS => errors.push(msg),
                    Some(_) => {}
                    None => self.emit_warning(msg.as_bytes()),
                }
            }
        }
        self.heap.in_finalizer = false;
    }

    /// Like `lua_close`: runs every pending finalizer, then the finalizers of all objects still
    /// registered (newest first). The VM stays usable.
    pub fn close(&mut self) {
        if self.heap.closing {
            return;
        }
        self.heap.closing = true;
        self.run_pending_finalizers();
        let h = &mut self.heap;
        while let Some(v) = h.finobj.pop() {
            set_fin_flag(&v, false);
            h.tobefnz.push_back(v);
        }
        self.run_pending_finalizers();
    }
}

fn is_weak_dead(
    v: &Value,
    threads: &slotmap::SlotMap<ThreadKey, Box<super::thread::Coroutine>>,
    cycle: u32,
    main: ThreadKey,
) -> bool {
    match v {
        Value::Thread(t) => *t != main && threads.get(*t).is_none_or(|c| c.gc_mark != cycle),
        Value::Str(_) => false,
        other => is_white_value(other),
    }
}

fn fin_flag(v: &Value) -> bool {
    match v {
        Value::Table(t) => t.flags() & FIN_REGISTERED != 0,
        Value::UserData(u) => u.flags() & FIN_REGISTERED != 0,
        _ => false,
    }
}

fn set_fin_flag(v: &Value, on: bool) {
    let f = if on { FIN_REGISTERED } else { 0 };
    match v {
        Value::Table(t) => t.set_flags(f),
        Value::UserData(u) => u.set_flags(f),
        _ => {}
    }
}
