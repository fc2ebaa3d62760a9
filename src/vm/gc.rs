//! Garbage-collected object handles and the heap that owns them.
//!
//! Every collectable object lives in a `GcBox` allocated by the heap and is referred to by a thin
//! `Gc<T>` pointer, which is `Copy` and has no `Drop`: values stay 16 bytes and copying them costs
//! nothing. The heap keeps one list per object kind and frees what a mark phase did not reach.
//!
//! Collection runs only at safe points chosen by the interpreter (after the new object has been stored
//! in a register), never inside an allocation: Rust code may hold fresh `Gc` handles in locals without
//! rooting them, as long as it does not call into Lua in between.

use std::cell::Cell;
use std::marker::PhantomData;
use std::ptr::NonNull;

pub struct GcBox<T> {
    marked: Cell<bool>,
    value: T,
}

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
    pub(crate) fn allocate(value: T) -> Gc<T> {
        let boxed = Box::new(GcBox {
            marked: Cell::new(false),
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
    pub fn obj(&self) -> &T {
        // SAFETY: the collector frees an object only when no root reaches it, so a handle that the
        // program can still use points to a live box.
        unsafe { &(*self.ptr.as_ptr()).value }
    }

    /// Mutable access. Lua objects are shared and mutated through any reference, like in C Lua; the
    /// VM keeps such borrows short and never holds two of the same object at once.
    #[inline(always)]
    #[allow(clippy::mut_from_ref)]
    pub fn get_mut(&self) -> &mut T {
        // SAFETY: see `get`; exclusivity is upheld by the interpreter's short, non-overlapping borrows.
        unsafe { &mut (*self.ptr.as_ptr()).value }
    }

    #[inline(always)]
    pub fn as_ptr(&self) -> *mut T {
        unsafe { &raw mut (*self.ptr.as_ptr()).value }
    }

    #[inline(always)]
    pub fn addr(&self) -> usize {
        self.ptr.as_ptr() as usize
    }

    /// Sets the mark bit; returns true if it was already set (nothing more to trace).
    #[inline]
    pub fn mark(&self) -> bool {
        let b = unsafe { &(*self.ptr.as_ptr()).marked };
        b.replace(true)
    }

    #[inline]
    pub fn is_marked(&self) -> bool {
        unsafe { (*self.ptr.as_ptr()).marked.get() }
    }

    #[inline]
    pub(crate) fn unmark(&self) {
        unsafe { (*self.ptr.as_ptr()).marked.set(false) }
    }
}

impl<T> std::ops::Deref for Gc<T> {
    type Target = T;
    #[inline(always)]
    fn deref(&self) -> &T {
        self.obj()
    }
}

/// One list of live objects of a kind.
pub struct ObjectList<T> {
    objects: Vec<Gc<T>>,
}

impl<T> Default for ObjectList<T> {
    fn default() -> Self {
        ObjectList {
            objects: Vec::new(),
        }
    }
}

impl<T> ObjectList<T> {
    pub fn alloc(&mut self, value: T) -> Gc<T> {
        let gc = Gc::allocate(value);
        self.objects.push(gc);
        gc
    }

    pub fn len(&self) -> usize {
        self.objects.len()
    }

    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }

    /// Frees unmarked objects and clears marks on the survivors. Returns how many were freed.
    /// `on_free` sees each dead object first (to account its size).
    pub fn sweep(&mut self, mut on_free: impl FnMut(&T)) -> usize {
        let before = self.objects.len();
        self.objects.retain(|o| {
            if o.is_marked() {
                o.unmark();
                true
            } else {
                on_free(o.obj());
                // SAFETY: unmarked after a full mark phase means unreachable.
                unsafe { o.free() };
                false
            }
        });
        before - self.objects.len()
    }

    /// Frees everything (VM teardown).
    pub fn free_all(&mut self) {
        for o in self.objects.drain(..) {
            unsafe { o.free() };
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = Gc<T>> + '_ {
        self.objects.iter().copied()
    }
}

use super::function::{LuaClosure, NativeClosure, Proto, UpVal};
use super::state::Vm;
use super::string::{Interner, LuaStr};
use super::table::Table;
use super::thread::CoStatus;
use super::userdata::UserData;
use super::value::Value;

/// All collectable objects, by kind.
#[derive(Default)]
pub struct Heap {
    pub tables: ObjectList<Table>,
    pub closures: ObjectList<LuaClosure>,
    pub natives: ObjectList<NativeClosure>,
    pub upvals: ObjectList<UpVal>,
    pub protos: ObjectList<Proto>,
    pub userdata: ObjectList<UserData>,
    pub strings: Interner,
    /// Estimated bytes allocated since the last collection.
    pub debt: usize,
    /// Estimated live bytes after the last collection.
    pub live: usize,
    gray: Vec<Gray>,
    pub running: bool,
    /// `collectgarbage("stop")`: no automatic collections until "restart".
    pub stopped: bool,
    /// Collect at every safe point (`MOONPOOL_GC_STRESS=1`), to shake out missing roots.
    pub stress: bool,
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

/// Collect when new allocation exceeds this fraction of the live heap (100% = heap doubles).
const GC_PAUSE_PERCENT: usize = 100;
const GC_MIN_DEBT: usize = 1 << 20;
/// Default heap limit: generous for games, but a runaway script gets a Lua error instead of
/// taking the machine's memory.
pub const DEFAULT_MEMORY_LIMIT: usize = 4 << 30;

impl Heap {
    pub fn free_all(&mut self) {
        self.tables.free_all();
        self.closures.free_all();
        self.natives.free_all();
        self.upvals.free_all();
        self.protos.free_all();
        self.userdata.free_all();
        self.strings.free_all();
    }

    pub fn should_collect(&self) -> bool {
        !self.stopped
            && (self.stress || self.debt > GC_MIN_DEBT.max(self.live * GC_PAUSE_PERCENT / 100))
    }

    #[inline]
    fn mark_value(&mut self, v: &Value) {
        match *v {
            Value::Str(s) => {
                s.mark();
            }
            Value::Table(t) if !t.mark() => {
                self.gray.push(Gray::Table(t));
            }
            Value::LuaFn(c) if !c.mark() => {
                self.gray.push(Gray::Closure(c));
            }
            Value::NativeClosure(c) if !c.mark() => {
                self.gray.push(Gray::Native(c));
            }
            Value::UserData(u) if !u.mark() => {
                self.gray.push(Gray::UserData(u));
            }
            // Threads are marked through `Vm::mark_thread`, driven from `propagate`'s caller.
            _ => {}
        }
    }

    fn mark_table(&mut self, t: Gc<Table>) {
        if !t.mark() {
            self.gray.push(Gray::Table(t));
        }
    }

    fn mark_proto(&mut self, p: Gc<Proto>) {
        if !p.mark() {
            self.gray.push(Gray::Proto(p));
        }
    }

    fn mark_upval(&mut self, u: Gc<UpVal>) {
        if !u.mark() {
            self.gray.push(Gray::UpVal(u));
        }
    }

    /// Traces gray objects; thread values found are pushed to `threads` for the VM to trace.
    fn propagate(&mut self, threads: &mut Vec<super::thread::ThreadKey>) {
        while let Some(g) = self.gray.pop() {
            match g {
                Gray::Table(t) => {
                    if let Some(m) = t.meta {
                        self.mark_table(m);
                    }
                    t.for_each_entry(|k, v| {
                        self.mark_value(k);
                        self.mark_value(v);
                        if let Value::Thread(th) = *k {
                            threads.push(th);
                        }
                        if let Value::Thread(th) = *v {
                            threads.push(th);
                        }
                    });
                }
                Gray::Closure(c) => {
                    self.mark_proto(c.proto);
                    for u in c.upvals.iter() {
                        self.mark_upval(*u);
                    }
                }
                Gray::Native(c) => {
                    for v in c.upvals.iter() {
                        self.mark_value(v);
                        if let Value::Thread(th) = *v {
                            threads.push(th);
                        }
                    }
                }
                Gray::UpVal(u) => {
                    let v = u.get();
                    self.mark_value(&v);
                    if let Value::Thread(th) = v {
                        threads.push(th);
                    }
                }
                Gray::Proto(p) => {
                    p.source.mark();
                    for k in p.consts.iter() {
                        self.mark_value(k);
                    }
                    for sub in p.protos.iter() {
                        self.mark_proto(*sub);
                    }
                }
                Gray::UserData(u) => {
                    if let Some(m) = u.meta {
                        self.mark_table(m);
                    }
                }
            }
        }
    }
}

impl Vm {
    /// Runs a collection if enough has been allocated since the last one. Call only at safe
    /// points, where every live value is reachable from a root.
    ///
    /// Also enforces the memory limit: past it, a full collection runs, and if that does not
    /// bring the heap under the limit the result is Lua's "not enough memory" error.
    #[inline]
    pub fn gc_check(&mut self) -> Result<(), super::error::LuaError> {
        if self.heap.should_collect() {
            self.collect_garbage();
        }
        if self.heap.live + self.heap.debt > self.memory_limit {
            return self.out_of_memory();
        }
        Ok(())
    }

    #[cold]
    fn out_of_memory(&mut self) -> Result<(), super::error::LuaError> {
        self.collect_garbage();
        if self.heap.live + self.heap.debt > self.memory_limit {
            return Err(self.plain_error("not enough memory"));
        }
        Ok(())
    }

    /// Checks that `bytes` more can be allocated under the memory limit (for natives about to
    /// build something large).
    pub fn check_alloc(&mut self, bytes: usize) -> Result<(), super::error::LuaError> {
        if self.heap.live + self.heap.debt + bytes > self.memory_limit {
            self.collect_garbage();
            if self.heap.live + self.heap.debt + bytes > self.memory_limit {
                return Err(self.plain_error("not enough memory"));
            }
        }
        Ok(())
    }

    /// Limits the VM's heap (estimated bytes of Lua objects); `None` restores the default.
    pub fn set_memory_limit(&mut self, bytes: Option<usize>) {
        self.memory_limit = bytes.unwrap_or(DEFAULT_MEMORY_LIMIT);
    }

    /// A full stop-the-world mark and sweep.
    pub fn collect_garbage(&mut self) {
        if self.heap.running {
            return;
        }
        self.heap.running = true;
        let mut threads = vec![self.main, self.current];
        for (k, co) in self.threads.iter_mut() {
            co.marked = false;
            if matches!(co.status, CoStatus::Running | CoStatus::Normal) {
                threads.push(k);
            }
        }
        self.heap.mark_table(self.globals);
        self.heap.mark_table(self.registry);
        if let Some(m) = self.string_meta {
            self.heap.mark_table(m);
        }
        for m in self.type_metas.into_iter().flatten() {
            self.heap.mark_table(m);
        }
        for s in self.tm_names {
            s.mark();
        }
        loop {
            while let Some(tk) = threads.pop() {
                self.mark_thread(tk);
            }
            self.heap.propagate(&mut threads);
            if threads.is_empty() {
                break;
            }
        }
        self.sweep();
        self.heap.running = false;
    }

    fn mark_thread(&mut self, tk: super::thread::ThreadKey) {
        let Some(co) = self.threads.get_mut(tk) else {
            return;
        };
        if co.marked {
            return;
        }
        co.marked = true;
        // Every slot, live or stale: stale ones are harmless to keep and never dangle.
        for v in co.stack.iter() {
            self.heap.mark_value(v);
        }
        let co = &self.threads[tk];
        let stack_threads: Vec<_> = co
            .stack
            .iter()
            .filter_map(|v| match v {
                Value::Thread(t) => Some(*t),
                _ => None,
            })
            .collect();
        for (_, uv) in &co.open_upvals {
            self.heap.mark_upval(*uv);
        }
        if let Some(e) = co.error {
            self.heap.mark_value(&e);
        }
        let mut f = co.top_frame;
        while let Some(fk) = f {
            let fr = &self.frames[fk];
            if !fr.closure.mark() {
                self.heap.gray.push(Gray::Closure(fr.closure));
            }
            f = fr.parent;
        }
        for t in stack_threads {
            self.mark_thread(t);
        }
    }

    fn sweep(&mut self) {
        // Dead coroutines first, while the upvalues they list are still allocated.
        let mut dead_threads = 0;
        // Unreachable coroutines: close their open upvalues (closures may outlive them), free
        // their frames and return their register files to the pool.
        let dead: Vec<_> = self
            .threads
            .iter()
            .filter(|(k, co)| !co.marked && *k != self.main)
            .map(|(k, _)| k)
            .collect();
        for k in dead {
            let mut co = self.threads.remove(k).unwrap();
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
            self.pool.give_back(co);
            dead_threads += 1;
        }
        let h = &mut self.heap;
        let mut freed = dead_threads;
        let mut live = 0usize;
        freed += h.tables.sweep(|_| {});
        for t in h.tables.iter() {
            live += t.byte_size();
        }
        freed += h.closures.sweep(|_| {});
        freed += h.natives.sweep(|_| {});
        freed += h.upvals.sweep(|_| {});
        freed += h.protos.sweep(|_| {});
        freed += h.userdata.sweep(|_| {});
        freed += h.strings.sweep();
        live += (h.closures.len() + h.natives.len()) * 48 + h.upvals.len() * 40;
        live += h.protos.len() * 256 + h.userdata.len() * 48 + h.strings.bytes;
        live += self.threads.len() * 256;
        self.heap.live = live;
        self.heap.debt = 0;
        self.stats.gc_collections += 1;
        self.stats.gc_objects_freed += freed as u64;
    }
}

#[allow(dead_code)]
fn _assert_types(_: Gc<LuaStr>) {}
