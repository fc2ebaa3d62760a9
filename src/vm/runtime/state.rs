//! The VM state and its public API: loading chunks, calling functions, resuming coroutines.

use std::io::Write;

use slotmap::{SlotMap, new_key_type};
use smallvec::SmallVec;

use super::error::{LuaError, LuaResult};
use super::frame::{CallFrame, FrameKey};
use super::function::{Args, LuaClosure, NativeClosure, NativeFn, Proto, UpVal};
use super::gc::{Gc, Heap};
use super::meta::{TM_COUNT, TM_NAMES};
use super::regpool::RegPool;
use super::stats::VmStats;
use super::string::LuaStr;
use super::table::Table;
use super::thread::{CoStatus, Coroutine, Resumer, ThreadKey};
use super::userdata::UserData;
use super::value::Value;
use crate::vm::bytecode::proto::{Constant, FuncProto};
use crate::vm::compiler::{self, CompileError};

new_key_type! {
    /// A value the host keeps alive (see `Vm::root`).
    pub struct RootKey;
}

/// How a host-driven `resume_in_place` ended; the values are in `Vm::resume_values`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resumed {
    /// The coroutine yielded this many values.
    Yielded(usize),
    /// The coroutine's function returned this many values; it is dead now.
    Finished(usize),
    /// The instruction budget ran out; resume again to continue.
    OutOfFuel,
}

/// How a host-driven `resume` ended.
#[derive(Debug, Clone, PartialEq)]
pub enum ResumeOutcome {
    /// The coroutine yielded these values.
    Yielded(Vec<Value>),
    /// The coroutine's function returned these values; it is dead now.
    Finished(Vec<Value>),
    /// The instruction budget ran out; resume again to continue.
    OutOfFuel,
}

/// Where the interpreter stopped, for its Rust caller.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Exit {
    /// The entry (`Fresh`) frame returned `n` values at `slot`.
    Returned { n: usize },
    /// A host-resumed coroutine yielded `n` values at `slot`.
    Yielded { slot: usize, n: usize },
    /// A host-resumed coroutine finished with `n` values at `slot`.
    Finished { slot: usize, n: usize },
    /// A host-resumed coroutine ran out of fuel.
    Preempted,
    /// Debug hooks were switched on or off: re-enter the loop (internal to `execute`).
    Rerun,
}

pub const HOOK_CALL: u8 = 1;
pub const HOOK_RETURN: u8 = 2;
pub const HOOK_LINE: u8 = 4;
pub const HOOK_COUNT: u8 = 8;

/// `debug.sethook` state (one hook for the whole VM).
#[derive(Default)]
pub(crate) struct Hooks {
    pub func: Option<Value>,
    pub mask: u8,
    pub count: i64,
    pub counter: i64,
    /// A hook is running (hooks do not fire inside hooks).
    pub running: bool,
    /// Set by `sethook`: the interpreter switches between its hooked and plain loops.
    pub changed: bool,
    pub last_frame: Option<FrameKey>,
    pub last_pc: usize,
    /// While a hook runs: the frame it interrupted (the hook's caller, named "hook").
    pub hooked_frame: Option<FrameKey>,
    /// The running hook is a line, count or Lua call event: the interrupted frame is between
    /// instructions, not inside a native its current instruction calls.
    pub at_instruction: bool,
}

/// The values a call or return hook transfers (`debug.getinfo`'s "r" option): `count` stack
/// slots from `first_slot`, which `debug.getlocal` at the hooked level numbers from
/// `ftransfer`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Transfer {
    pub first_slot: usize,
    pub count: usize,
    pub ftransfer: usize,
}

pub struct Vm {
    pub(crate) heap: Heap,
    pub(crate) frames: SlotMap<FrameKey, CallFrame>,
    pub(crate) threads: SlotMap<ThreadKey, Box<Coroutine>>,
    pub(crate) pool: RegPool,
    pub(crate) current: ThreadKey,
    /// The current coroutine's box (coroutines are boxed, so it never moves), cached because
    /// nearly every operation touches the running register file. Changed only by `set_current`.
    cur: *mut Coroutine,
    pub(crate) main: ThreadKey,
    pub(crate) globals: Gc<Table>,
    pub(crate) registry: Gc<Table>,
    pub(crate) string_meta: Option<Gc<Table>>,
    /// Metatables for the other non-table types, indexed by `LuaType` (set by `debug.setmetatable`).
    pub(crate) type_metas: [Option<Gc<Table>>; 8],
    pub(crate) tm_names: [Gc<LuaStr>; TM_COUNT],
    pub(crate) stats: VmStats,
    /// Whether `stats.instructions` counts (see `set_instruction_counting`).
    pub(crate) count_instructions: bool,
    /// Fuel left in the current slice of the instruction budget (see `budget.rs`).
    pub(crate) fuel: i64,
    pub(crate) budget: super::budget::Budget,
    /// Nested interpreter entries from Rust, bounded to keep the Rust stack safe.
    pub(crate) c_depth: u32,
    /// C levels allowed now (`MAX_C_DEPTH`, more while a message handler runs).
    pub(crate) c_limit: u32,
    /// Address of a local in the outermost Rust call into the VM (see `native_stack_full`).
    native_stack_base: usize,
    /// Reusable buffer for building strings (concatenation, formatting).
    pub(crate) scratch: Vec<u8>,
    /// Where `print` writes.
    pub out: Box<dyn Write>,
    /// Start time for `os.clock`.
    pub(crate) started: std::time::Instant,
    /// Traceback of the last error that left the outermost host call.
    pub(crate) last_traceback: Option<String>,
    /// Whether errors leaving the outermost host call record `last_traceback`.
    pub(crate) capture_tracebacks: bool,
    /// The next native call is made by Rust code (a native or the host), not by a Lua frame.
    pub(crate) next_call_from_native: bool,
    /// The running native was called by Rust code: errors it raises carry no Lua position, as
    /// in PUC Lua where level 1 is then a C function.
    pub(crate) in_native_from_native: bool,
    /// A native function is running (errors the VM raises then carry no position, as in PUC
    /// Lua where the current call is a C function).
    pub(crate) in_native: bool,
    /// Heap limit in bytes (see `set_memory_limit`).
    pub(crate) memory_limit: usize,
    /// String, table and call-depth caps.
    pub limits: super::limits::Limits,
    /// `heap.allocated` past which allocation fails (see `set_allocation_budget`).
    pub(crate) allocation_mark: u64,
    /// `warn("@on")` state.
    pub(crate) warnings_on: bool,
    pub(crate) hooks: Hooks,
    /// An xpcall message handler is running (it may use extra stack).
    pub(crate) in_error_handler: bool,
    /// An error that already went through the message handler in this stack slot, where it
    /// was raised inside a nested call (see `Vm::recover`). Only compared, by identity: not a
    /// root.
    pub(crate) handled_error: Option<(usize, Value)>,
    /// The error whose traceback `last_traceback` holds, taken where it was raised (likewise).
    pub(crate) traceback_taken: Option<Value>,
    /// Lua frames whose running call catches errors without a frame of its own (see
    /// `Vm::behind_error_barrier`).
    pub(crate) error_barriers:
        smallvec::SmallVec<[(Option<super::frame::FrameKey>, super::exec::Barrier); 4]>,
    /// While a native's return hook runs: the Lua frame that called it, and the native.
    pub(crate) returning_native: Option<(super::frame::FrameKey, Value)>,
    /// While a call or return hook runs: its coroutine and the arguments or results it
    /// transfers (`debug.getinfo` "r", `debug.getlocal` at the hooked level).
    pub(crate) hook_transfer: Option<(ThreadKey, Transfer)>,
    /// The native function being called, to name it in argument errors.
    pub(crate) native_callee: Value,
    /// Values the host keeps alive across collections (`root` / `unroot`, and the public
    /// handles of `crate::vm::api`).
    pub(crate) roots: SlotMap<RootKey, Value>,
    /// Which VM this is: a public handle works only with the VM that made it.
    pub(crate) id: u64,
    /// Roots whose last public handle was dropped (handles cannot reach the VM when they drop);
    /// released at the start of each collection cycle and on each public call.
    pub(crate) dropped_roots: std::rc::Rc<std::cell::RefCell<Vec<RootKey>>>,
    /// What the last `resume_in_place` yielded or returned (kept alive until the next one).
    pub(crate) host_results: Vec<Value>,
    /// While the interpreter collects at one of its collection points: the first stack slot of
    /// the running coroutine that holds nothing live (0 otherwise). See `gc_check_live`.
    pub(crate) gc_live_top: usize,
    /// Errors of `__gc` finalizers kept for the host (see `capture_finalizer_errors`).
    pub(crate) finalizer_errors: Option<Vec<String>>,
    /// Whether `load` accepts binary chunks (see `set_binary_chunks`).
    pub(crate) binary_chunks: bool,
}

/// C levels allowed before "C stack overflow", as Lua's LUAI_MAXCCALLS: nested calls from Rust
/// into Lua, plus metamethod and `pcall` frames, plus coroutine resumes.
pub const MAX_C_DEPTH: u32 = 200;
/// Extra C levels a message handler may use (Lua raises "error in error handling" past 220).
pub const ERROR_HANDLER_C_LEVELS: u32 = 20;

impl Default for Vm {
    fn default() -> Self {
        Vm::new()
    }
}

impl Vm {
    /// A VM with no libraries loaded. See `Vm::with_stdlib`.
    pub fn new() -> Vm {
        let mut heap = Heap::default();
        // MOONPOOL_GC_STRESS=1: a full collection at every safe point (finds missing roots);
        // =step: a tiny incremental step at every safe point (finds missing write barriers).
        match std::env::var("MOONPOOL_GC_STRESS").as_deref() {
            Ok("step") => heap.stress_steps = true,
            Ok("") | Err(_) => {}
            Ok(_) => heap.stress = true,
        }
        let globals = heap.tables.alloc(0, Table::new());
        let registry = heap.tables.alloc(0, Table::new());
        let tm_names = std::array::from_fn(|i| heap.strings.intern(TM_NAMES[i].as_bytes(), 0).0);
        let mut pool = RegPool::default();
        let mut threads = SlotMap::with_key();
        let mut main_co = pool.take();
        main_co.status = CoStatus::Running;
        let main = threads.insert(main_co);
        let cur: *mut Coroutine = &mut *threads[main];
        Vm {
            heap,
            frames: SlotMap::with_capacity_and_key(64),
            threads,
            pool,
            current: main,
            cur,
            main,
            globals,
            registry,
            string_meta: None,
            type_metas: [None; 8],
            tm_names,
            stats: VmStats::default(),
            count_instructions: false,
            fuel: i64::MAX,
            budget: Default::default(),
            c_depth: 0,
            c_limit: MAX_C_DEPTH,
            native_stack_base: 0,
            scratch: Vec::with_capacity(256),
            out: Box::new(std::io::BufWriter::with_capacity(
                32 * 1024,
                std::io::stdout(),
            )),
            started: std::time::Instant::now(),
            last_traceback: None,
            capture_tracebacks: true,
            next_call_from_native: false,
            in_native_from_native: false,
            in_native: false,
            memory_limit: super::gc::DEFAULT_MEMORY_LIMIT,
            limits: super::limits::Limits::default(),
            allocation_mark: u64::MAX,
            warnings_on: false,
            hooks: Hooks::default(),
            in_error_handler: false,
            handled_error: None,
            traceback_taken: None,
            returning_native: None,
            hook_transfer: None,
            error_barriers: smallvec::SmallVec::new(),
            native_callee: Value::Nil,
            roots: SlotMap::with_key(),
            id: {
                static NEXT_VM_ID: std::sync::atomic::AtomicU64 =
                    std::sync::atomic::AtomicU64::new(1);
                NEXT_VM_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            },
            dropped_roots: Default::default(),
            host_results: Vec::new(),
            gc_live_top: 0,
            finalizer_errors: None,
            binary_chunks: true,
        }
    }

    pub(crate) fn globals(&self) -> Gc<Table> {
        self.globals
    }

    pub(crate) fn registry(&self) -> Gc<Table> {
        self.registry
    }

    // ---- allocation ----

    pub(crate) fn intern(&mut self, bytes: &[u8]) -> Gc<LuaStr> {
        let white = self.heap.white();
        let (s, created) = self.heap.strings.intern(bytes, white);
        if created {
            self.stats.strings_allocated += 1;
            self.heap.charge(bytes.len() + super::string::STR_OVERHEAD);
        }
        s
    }

    pub(crate) fn str_value(&mut self, s: &str) -> Value {
        Value::Str(self.intern(s.as_bytes()))
    }

    pub(crate) fn new_table(&mut self) -> Gc<Table> {
        self.new_table_with(0, 0)
    }

    pub(crate) fn new_table_with(&mut self, narr: usize, nhash: usize) -> Gc<Table> {
        self.stats.tables_allocated += 1;
        let white = self.heap.white();
        let t = match self.heap.tables.reuse(white) {
            Some(t) => {
                t.get_mut().reserve(narr, nhash);
                t
            }
            None => self
                .heap
                .tables
                .alloc(white, Table::with_capacity(narr, nhash)),
        };
        self.heap.charge(t.byte_size());
        t
    }

    pub(crate) fn new_closure(&mut self, proto: Gc<Proto>, upvals: &[Gc<UpVal>]) -> Gc<LuaClosure> {
        self.stats.closures_allocated += 1;
        self.heap.charge(48 + upvals.len() * 8);
        let white = self.heap.white();
        match self.heap.closures.reuse(white) {
            Some(c) => {
                let m = c.get_mut();
                m.proto = proto;
                m.upvals.extend_from_slice(upvals);
                c
            }
            None => self.heap.closures.alloc(
                white,
                LuaClosure {
                    proto,
                    upvals: SmallVec::from_slice(upvals),
                },
            ),
        }
    }

    pub(crate) fn new_upval_closed(&mut self, v: Value) -> Gc<UpVal> {
        self.stats.upvalues_allocated += 1;
        self.heap.charge(40);
        let white = self.heap.white();
        let uv = match self.heap.upvals.reuse(white) {
            Some(u) => {
                u.get_mut().closed = v;
                u
            }
            None => self.heap.upvals.alloc(
                white,
                UpVal {
                    v: std::ptr::null_mut(),
                    closed: v,
                },
            ),
        };
        let m = uv.get_mut();
        m.v = &raw mut m.closed;
        uv
    }

    pub(crate) fn new_native_closure(&mut self, f: NativeFn, upvals: &[Value]) -> Value {
        self.stats.closures_allocated += 1;
        self.heap.charge(48 + upvals.len() * 16);
        let white = self.heap.white();
        Value::NativeClosure(match self.heap.natives.reuse(white) {
            Some(c) => {
                let m = c.get_mut();
                m.f = f;
                m.upvals.extend_from_slice(upvals);
                c
            }
            None => self.heap.natives.alloc(
                white,
                NativeClosure {
                    f,
                    upvals: SmallVec::from_slice(upvals),
                },
            ),
        })
    }

    /// A userdata that carries only `words` (no boxed data): after warm-up it comes from the
    /// collector's recycled objects, so making one allocates nothing on the Rust heap.
    pub(crate) fn new_word_userdata(&mut self, words: [u64; 4], meta: Option<Gc<Table>>) -> Value {
        let v = self.new_userdata(Box::new(()), meta);
        if let Value::UserData(u) = v {
            u.get_mut().words = words;
        }
        v
    }

    /// A word userdata whose fields `host` serves (see `HostFields`).
    pub(crate) fn new_host_userdata(
        &mut self,
        words: [u64; 4],
        meta: Option<Gc<Table>>,
        host: &'static super::userdata::HostFields,
    ) -> Value {
        let v = self.new_word_userdata(words, meta);
        if let Value::UserData(u) = v {
            u.get_mut().host = Some(host);
        }
        v
    }

    pub(crate) fn new_userdata(
        &mut self,
        data: Box<dyn std::any::Any>,
        meta: Option<Gc<Table>>,
    ) -> Value {
        self.stats.userdata_allocated += 1;
        self.heap.charge(48);
        let white = self.heap.white();
        let u = match self.heap.userdata.reuse(white) {
            Some(u) => {
                let m = u.get_mut();
                m.data = data;
                m.meta = meta;
                m.words = [0; 4];
                m.host = None;
                u
            }
            None => self.heap.userdata.alloc(
                white,
                UserData {
                    meta,
                    data,
                    words: [0; 4],
                    host: None,
                },
            ),
        };
        if meta.is_some() {
            self.check_finalizer(Value::UserData(u), meta);
        }
        Value::UserData(u)
    }

    /// A warning message (`warn`): written to stderr as "Lua warning: ..." when warnings are on.
    pub(crate) fn emit_warning(&mut self, msg: &[u8]) {
        if self.warnings_on {
            self.flush();
            let mut err = std::io::stderr().lock();
            let _ = err.write_all(b"Lua warning: ");
            let _ = err.write_all(msg);
            let _ = err.write_all(b"\n");
        }
    }

    // ---- globals and registration ----

    pub(crate) fn set_global_value(&mut self, name: &str, v: Value) {
        let k = self.intern(name.as_bytes());
        self.heap.table_barrier_kv(self.globals, &Value::Str(k), &v);
        let grown = self.globals.get_mut().set_str(k, v);
        self.heap.charge(grown);
    }

    pub(crate) fn global_value(&mut self, name: &str) -> Value {
        let k = self.intern(name.as_bytes());
        self.globals.get_str(k)
    }

    /// Sets `t[name] = f`.
    pub(crate) fn set_field(&mut self, t: Gc<Table>, name: &str, v: Value) {
        let k = self.intern(name.as_bytes());
        self.heap.table_barrier_kv(t, &Value::Str(k), &v);
        let grown = t.get_mut().set_str(k, v);
        self.heap.charge(grown);
    }

    // ---- threads ----

    #[inline(always)]
    pub(crate) fn th(&self) -> &Coroutine {
        // SAFETY: `cur` points at the box of `current`, which the collector never frees (it is a
        // root) and which does not move while it is in the slot map.
        unsafe { &*self.cur }
    }

    /// Makes `t` the running coroutine.
    #[inline]
    pub(crate) fn set_current(&mut self, t: ThreadKey) {
        self.current = t;
        self.cur = &mut *self.threads[t];
        // Hooks are per coroutine: two loads and a compare when no coroutine has one.
        if self.hooks.mask != 0 || self.th().hook_mask != 0 {
            self.load_hooks();
        }
    }

    /// Makes the current coroutine's hook the active one (`hooks`), and has the interpreter
    /// switch to its hooked or plain loop.
    pub(crate) fn load_hooks(&mut self) {
        let (f, mask, count) = {
            let th = self.th();
            (th.hook_func, th.hook_mask, th.hook_count)
        };
        let h = &mut self.hooks;
        h.func = if mask == 0 { None } else { Some(f) };
        h.mask = mask;
        h.count = count;
        h.counter = count;
        h.changed = true;
        h.last_frame = None;
    }

    /// The current coroutine's box, for the interpreter to keep in a local.
    #[inline(always)]
    pub(crate) fn current_ptr(&mut self) -> *mut Coroutine {
        self.cur
    }

    #[inline(always)]
    pub(crate) fn th_mut(&mut self) -> &mut Coroutine {
        // SAFETY: see `th`; `&mut self` makes the borrow exclusive.
        unsafe { &mut *self.cur }
    }

    /// The current coroutine's register file, for native functions.
    #[inline(always)]
    pub(crate) fn stack(&self) -> &[Value] {
        &self.th().stack
    }

    #[inline(always)]
    pub(crate) fn stack_mut(&mut self) -> &mut [Value] {
        &mut self.th_mut().stack
    }

    /// Argument `i` (0-based) of a native call, nil when absent.
    #[inline(always)]
    pub(crate) fn arg(&self, args: Args, i: usize) -> Value {
        if i < args.n {
            self.th().stack[args.base + i]
        } else {
            Value::Nil
        }
    }

    /// Writes result `i` of a native call, growing the register file if needed.
    #[inline]
    pub(crate) fn set_ret(&mut self, args: Args, i: usize, v: Value) -> LuaResult<()> {
        let slot = args.base + i;
        if !self.th_mut().ensure_stack(slot + 1) {
            return Err(self.rt_error("stack overflow"));
        }
        self.th_mut().stack[slot] = v;
        Ok(())
    }

    /// Returns one value from a native call.
    #[inline]
    pub(crate) fn ret1(&mut self, args: Args, v: Value) -> LuaResult<usize> {
        // The slot of argument 0 always exists: the caller reserved room for the function's
        // registers (or the call pushed at least the function itself).
        let th = self.th_mut();
        if args.base < th.stack.len() {
            th.stack[args.base] = v;
            Ok(1)
        } else {
            self.set_ret(args, 0, v)?;
            Ok(1)
        }
    }

    /// Makes sure the register file holds `n` more slots past `from`.
    pub(crate) fn reserve_stack(&mut self, from: usize, n: usize) -> LuaResult<()> {
        if self.th_mut().ensure_stack(from + n) {
            self.account_stack();
            Ok(())
        } else {
            Err(self.rt_error("stack overflow"))
        }
    }

    /// Charges the current register file's growth to the heap (the limits are checked at the
    /// next safe point).
    #[inline]
    pub(crate) fn account_stack(&mut self) {
        let th = self.th_mut();
        if th.stack_grown != 0 {
            let g = std::mem::take(&mut th.stack_grown);
            th.stack_charged += g;
            self.heap.charge(g);
        }
    }

    /// Takes a finished coroutine's register file back into the pool, uncharging its growth.
    pub(crate) fn release_stack_of(&mut self, co: ThreadKey) {
        let c = &mut self.threads[co];
        let charged = std::mem::take(&mut c.stack_charged);
        c.stack_grown = 0;
        let stack = c.release_stack();
        self.pool.give_stack(stack);
        self.heap.total = self.heap.total.saturating_sub(charged);
    }

    pub(crate) fn is_main_thread(&self) -> bool {
        self.current == self.main
    }

    pub(crate) fn current_thread(&self) -> ThreadKey {
        self.current
    }

    /// Creates a coroutine that will run `f`.
    pub(crate) fn new_thread(&mut self, f: Value) -> ThreadKey {
        let mut co = self.pool.take();
        co.stack[0] = f;
        co.status = CoStatus::Suspended;
        self.stats.threads_created += 1;
        self.heap.charge(super::gc::THREAD_BYTES);
        self.threads.insert(co)
    }

    pub(crate) fn thread_status(&self, t: ThreadKey) -> Option<CoStatus> {
        self.threads.get(t).map(|c| c.status)
    }

    // ---- loading ----

    /// Compiles `source` as a chunk named `chunkname` (Lua conventions: `@file`, `=name`, or the
    /// text itself) and returns the main function, with `_ENV` set to the globals table.
    pub(crate) fn load_value(&mut self, source: &[u8], chunkname: &str) -> Result<Value, LuaError> {
        let env = Value::Table(self.globals);
        self.load_with_env(source, chunkname, env)
    }

    pub(crate) fn load_with_env(
        &mut self,
        source: &[u8],
        chunkname: &str,
        env: Value,
    ) -> Result<Value, LuaError> {
        let name = self.intern(chunkname.as_bytes());
        self.load_named(source, name, env)
    }

    /// `load_with_env` with the chunk name already a Lua string (`load(s)` names a chunk by its
    /// own text: no copy of a large source).
    pub(crate) fn load_named(
        &mut self,
        source: &[u8],
        name: Gc<LuaStr>,
        env: Value,
    ) -> Result<Value, LuaError> {
        let proto = if self.budget.armed {
            self.compile_budgeted(source)?
        } else {
            compile_source(source)
        };
        let proto = proto.map_err(|e| {
            let msg = e.with_chunk(&short_src(name.as_bytes()));
            LuaError::Value(self.str_value(&msg))
        })?;
        let p = self.instantiate(&proto, name);
        let uv = self.new_upval_closed(env);
        // A main chunk has exactly one upvalue, `_ENV`.
        let cl = self.new_closure(p, &[uv]);
        Ok(Value::LuaFn(cl))
    }

    /// Loads a binary chunk (`string.dump`'s format), verified before it can run (see
    /// `bytecode::verify`). `chunkname` is the name `load` was given, used only in the error: a
    /// binary chunk keeps the source name it was dumped with ("=?" when stripped). As in PUC
    /// Lua, the function's first upvalue, if it has any, is `env`; the others are fresh (nil).
    pub(crate) fn load_binary(
        &mut self,
        bytes: &[u8],
        chunkname: &[u8],
        env: Value,
    ) -> Result<Value, LuaError> {
        use crate::vm::bytecode::dump::undump;
        // Reading and verifying cost time in proportion to the chunk, like compiling.
        self.charge_bytes(bytes.len())?;
        let (proto, source) = match undump(bytes) {
            Ok(r) => r,
            Err(why) => {
                let mut msg = binary_chunk_name(chunkname).to_vec();
                msg.extend_from_slice(format!(": bad binary format ({why})").as_bytes());
                return Err(LuaError::Value(Value::Str(self.intern(&msg))));
            }
        };
        let source = self.intern(&source);
        let p = self.instantiate(&proto, source);
        let mut upvals: SmallVec<[Gc<UpVal>; 4]> = SmallVec::new();
        for i in 0..proto.upvals.len() {
            upvals.push(self.new_upval_closed(if i == 0 { env } else { Value::Nil }));
        }
        let cl = self.new_closure(p, &upvals);
        Ok(Value::LuaFn(cl))
    }

    /// Compiles under the running code's budgets: compiling costs fuel in proportion to the
    /// source (tokens and instructions), and a huge chunk stops within the budget.
    fn compile_budgeted(&mut self, source: &[u8]) -> LuaResult<Result<FuncProto, CompileError>> {
        use super::budget::Exhausted;
        use crate::vm::compiler::meter::{Meter, Trip};
        let (fuel, deadline, time_limit) = self.budget_for_native();
        let limit = if fuel == i64::MAX {
            u64::MAX
        } else {
            fuel.max(0) as u64
        };
        let meter = std::rc::Rc::new(Meter::new(limit, deadline, time_limit));
        let r = compile_source_metered(source, Some(meter.clone()));
        let kind = match meter.tripped() {
            None => {
                self.charge_fuel(meter.used() as i64)?;
                return Ok(r);
            }
            Some(Trip::Work) => Exhausted::Instructions,
            Some(Trip::Time) => Exhausted::Time,
        };
        self.exhaust(kind);
        Err(self.budget_error(kind))
    }

    fn instantiate(&mut self, fp: &FuncProto, source: Gc<LuaStr>) -> Gc<Proto> {
        self.instantiate_in(fp, source, &mut rustc_hash::FxHashMap::default())
    }

    /// `instantiate`, with the long string constants made so far for this chunk: equal long
    /// literals of one chunk are one string (as PUC Lua's parser shares them), while long
    /// strings in general are not interned.
    fn instantiate_in(
        &mut self,
        fp: &FuncProto,
        source: Gc<LuaStr>,
        long_consts: &mut rustc_hash::FxHashMap<Vec<u8>, Gc<LuaStr>>,
    ) -> Gc<Proto> {
        let consts: Box<[Value]> = fp
            .consts
            .iter()
            .map(|c| match c {
                Constant::Nil => Value::Nil,
                Constant::Bool(b) => Value::Bool(*b),
                Constant::Int(i) => Value::Int(*i),
                Constant::Float(f) => Value::Float(*f),
                Constant::Str(s) if s.len() > super::string::SHORT_MAX => {
                    if let Some(&k) = long_consts.get(s) {
                        Value::Str(k)
                    } else {
                        let k = self.intern(s);
                        long_consts.insert(s.clone(), k);
                        Value::Str(k)
                    }
                }
                Constant::Str(s) => Value::Str(self.intern(s)),
            })
            .collect();
        let protos: Box<[Gc<Proto>]> = fp
            .protos
            .iter()
            .map(|p| self.instantiate_in(p, source, long_consts))
            .collect();
        self.heap
            .charge(fp.code.len() * 8 + consts.len() * 16 + 128);
        let white = self.heap.white();
        self.heap.protos.alloc(
            white,
            Proto {
                code: fp.code.clone().into_boxed_slice(),
                lineinfo: fp.lineinfo.clone().into_boxed_slice(),
                live_regs: fp.live_regs.clone().into_boxed_slice(),
                consts,
                protos,
                upvals: fp.upvals.clone().into_boxed_slice(),
                locvars: fp.locvars.clone().into_boxed_slice(),
                source,
                numparams: fp.numparams,
                is_vararg: fp.is_vararg,
                maxstack: fp.maxstack,
                linedefined: fp.linedefined,
                lastlinedefined: fp.lastlinedefined,
            },
        )
    }

    // ---- calling ----

    /// Calls `f` with `args` and returns all its results. Errors come back as Lua error values.
    pub(crate) fn call_values(&mut self, f: Value, args: &[Value]) -> LuaResult<Vec<Value>> {
        let slot = self.push_call_args(f, args)?;
        let n = self.call_slot(slot, args.len(), -1)?;
        let out = self.th().stack[slot..slot + n].to_vec();
        Ok(out)
    }

    /// Calls `f` with `args` and returns its first result (nil if none), allocating nothing.
    pub(crate) fn call1(&mut self, f: Value, args: &[Value]) -> LuaResult<Value> {
        let slot = self.push_call_args(f, args)?;
        self.call_slot(slot, args.len(), 1)?;
        Ok(self.th().stack[slot])
    }

    /// Puts `f` and `args` on the current register file above everything in use; returns the slot.
    #[inline(always)]
    fn push_call_args(&mut self, f: Value, args: &[Value]) -> LuaResult<usize> {
        let slot = self.free_slot();
        self.reserve_stack(slot, args.len() + 1)?;
        let th = self.th_mut();
        th.stack[slot] = f;
        // A loop, not `copy_from_slice`: a host call passes a couple of values, not worth a
        // memcpy call.
        for (i, a) in args.iter().enumerate() {
            th.stack[slot + 1 + i] = *a;
        }
        Ok(slot)
    }

    /// First slot not used by the running frame or native call.
    pub(crate) fn free_slot(&self) -> usize {
        let th = self.th();
        let frame_top = match th.top_frame {
            Some(k) => {
                let f = &self.frames[k];
                f.base + f.closure.proto.maxstack as usize
            }
            None => 0,
        };
        frame_top.max(th.top)
    }

    /// Calls the function at `slot` with `nargs` arguments above it, from Rust (or a native
    /// function). Results are left from `slot` on; returns their count (exactly `nresults` unless
    /// it is -1).
    /// Whether nesting one more Rust-level call would pass `limits.max_native_stack_bytes`,
    /// measured from where the outermost call entered the VM.
    #[inline]
    fn native_stack_full(&mut self) -> bool {
        let marker = 0u8;
        let here = std::hint::black_box(&marker) as *const u8 as usize;
        if self.c_depth == 0 {
            self.native_stack_base = here;
            return false;
        }
        self.native_stack_base.saturating_sub(here) > self.limits.max_native_stack_bytes
    }

    /// C levels in use at the running code (see `MAX_C_DEPTH`).
    #[inline]
    pub(crate) fn c_levels(&self) -> u32 {
        let th = self.th();
        self.c_depth + th.c_base + th.c_levels
    }

    /// Whether one more C level would pass the limit (higher while a message handler runs).
    #[inline]
    pub(crate) fn c_stack_full(&self) -> bool {
        self.c_levels() >= self.c_limit
    }

    #[inline(always)]
    pub(crate) fn call_slot(
        &mut self,
        slot: usize,
        nargs: usize,
        nresults: i32,
    ) -> LuaResult<usize> {
        if self.c_stack_full() || self.native_stack_full() {
            return Err(self.budget_error(super::budget::Exhausted::CStack));
        }
        // A call from Rust (a comparator, a `gsub` callback, a metamethod) costs a unit, like a
        // call from Lua.
        self.fuel -= 1;
        if self.fuel <= 0 {
            self.next_slice()?;
        }
        self.c_depth += 1;
        self.th_mut().nny += 1;
        let saved_top = self.th().top;
        let r = self.call_slot_inner(slot, nargs, nresults);
        self.th_mut().nny -= 1;
        self.c_depth -= 1;
        // The caller reads the results right away; the stack top stays where the caller had it,
        // so a native calling Lua in a loop does not creep up the stack.
        self.th_mut().top = saved_top;
        r
    }

    #[inline(always)]
    fn call_slot_inner(&mut self, slot: usize, nargs: usize, nresults: i32) -> LuaResult<usize> {
        use super::frame::FrameKind;
        self.next_call_from_native = true;
        let pushed = self.precall(slot, nargs, nresults, FrameKind::Fresh);
        self.next_call_from_native = false;
        match pushed {
            Ok(true) => {
                let saved = std::mem::replace(&mut self.in_native_from_native, false);
                let saved_native = std::mem::replace(&mut self.in_native, false);
                let r = self.execute();
                self.in_native_from_native = saved;
                self.in_native = saved_native;
                match r? {
                    Exit::Returned { n, .. } => Ok(n),
                    _ => unreachable!("a Fresh frame ends in Returned"),
                }
            }
            Ok(false) => Ok(self.th().top - slot),
            Err(LuaError::Control(c)) => self.control_nested(c, slot, nargs, nresults),
            Err(e) => Err(e),
        }
    }

    /// Resumes coroutine `co` from Rust with `args`. Each call runs until the coroutine yields,
    /// returns, errors or runs out of fuel. Allocates the result `Vec`; a game loop uses
    /// `resume_in_place`.
    pub(crate) fn resume_to_vec(
        &mut self,
        co: ThreadKey,
        args: &[Value],
    ) -> LuaResult<ResumeOutcome> {
        Ok(match self.resume_in_place(co, args)? {
            Resumed::Yielded(_) => ResumeOutcome::Yielded(self.host_results.clone()),
            Resumed::Finished(_) => ResumeOutcome::Finished(self.host_results.clone()),
            Resumed::OutOfFuel => ResumeOutcome::OutOfFuel,
        })
    }

    /// The values of the last `resume_in_place` (rooted until the next one).
    pub(crate) fn resume_values(&self) -> &[Value] {
        &self.host_results
    }

    /// Keeps `v` alive until `unroot`: for values the host holds between calls (per-entity
    /// state, callbacks).
    pub(crate) fn root(&mut self, v: Value) -> RootKey {
        self.roots.insert(v)
    }

    pub(crate) fn rooted(&self, k: RootKey) -> Option<Value> {
        self.roots.get(k).copied()
    }

    pub(crate) fn unroot(&mut self, k: RootKey) -> Option<Value> {
        self.roots.remove(k)
    }

    /// Unroots what dropped public handles kept alive.
    pub(crate) fn release_dropped_roots(&mut self) {
        let Vm {
            dropped_roots,
            roots,
            ..
        } = self;
        for k in dropped_roots.borrow_mut().drain(..) {
            roots.remove(k);
        }
    }

    #[inline(never)]
    /// Like `resume`, without allocating: the yielded or returned values are left in
    /// `resume_values()`.
    pub(crate) fn resume_in_place(&mut self, co: ThreadKey, args: &[Value]) -> LuaResult<Resumed> {
        let prev = self.current;
        let status = match self.threads.get(co) {
            Some(c) => c.status,
            None => return Err(self.plain_error("cannot resume dead coroutine")),
        };
        if status != CoStatus::Suspended {
            let msg = if status == CoStatus::Dead {
                "cannot resume dead coroutine"
            } else {
                "cannot resume non-suspended coroutine"
            };
            return Err(self.plain_error(msg));
        }
        if self.c_stack_full() || self.native_stack_full() {
            return Err(self.budget_error(super::budget::Exhausted::CStack));
        }
        self.charge_fuel(1)?;
        let below = self.th().c_base + self.th().c_levels;
        self.c_depth += 1;
        self.threads[prev].status = CoStatus::Normal;
        self.threads[co].resumer = Resumer::Host;
        self.threads[co].c_base = below;
        let r = self.start_or_continue(co, args.len(), |vm, dst| {
            vm.threads[co].stack[dst..dst + args.len()].copy_from_slice(args);
        });
        let r = match r {
            Ok(true) => self.execute(),
            Ok(false) => Ok(self.finished_exit(co)),
            Err(e) => Err(e),
        };
        self.c_depth -= 1;
        self.set_current(prev);
        self.threads[prev].status = CoStatus::Running;
        self.threads[prev].gc_dirty = true;
        self.host_results.clear();
        match r {
            Ok(Exit::Yielded { slot, n }) => {
                self.host_results
                    .extend_from_slice(&self.threads[co].stack[slot..slot + n]);
                Ok(Resumed::Yielded(n))
            }
            Ok(Exit::Finished { slot, n }) => {
                self.host_results
                    .extend_from_slice(&self.threads[co].stack[slot..slot + n]);
                self.release_stack_of(co);
                Ok(Resumed::Finished(n))
            }
            Ok(Exit::Preempted) => Ok(Resumed::OutOfFuel),
            Ok(Exit::Returned { .. } | Exit::Rerun) => {
                unreachable!("a coroutine body is not a Fresh frame; Rerun stays in execute")
            }
            Err(e) => Err(e),
        }
    }

    fn finished_exit(&mut self, co: ThreadKey) -> Exit {
        let n = self.threads[co].top;
        Exit::Finished { slot: 0, n }
    }

    /// Turns counting of executed instructions (`VmStats::instructions`) on or off. Off by
    /// default: the count costs a memory increment per instruction, which shows in tight loops.
    pub fn set_instruction_counting(&mut self, on: bool) {
        self.count_instructions = on;
    }

    pub fn stats(&self) -> VmStats {
        let mut s = self.stats;
        s.regpool_hits = self.pool.hits;
        s.regpool_misses = self.pool.misses;
        s.frame_arena_capacity = self.frames.capacity() as u64;
        s.frames_live = self.frames.len() as u64;
        s.heap_bytes = self.heap.total as u64;
        s.gc_collections = self.heap.cycles;
        s.bytes_allocated = self.heap.allocated;
        s.gc_objects_freed = self.heap.objects_freed;
        s.gc_steps = self.heap.steps;
        s.gc_work = self.heap.work;
        s.gc_phase = self.heap.phase as u64;
        s.objects_recycled = (self.heap.tables.recycled()
            + self.heap.closures.recycled()
            + self.heap.upvals.recycled()) as u64;
        s
    }

    /// Writes buffered `print` output.
    pub fn flush(&mut self) {
        let _ = self.out.flush();
    }

    /// Converts an error value to a message the way the standalone interpreter prints it.
    pub(crate) fn error_to_string(&mut self, e: &LuaError) -> String {
        self.error_message(e, usize::MAX)
    }

    /// `error_to_string` cut to at most `max` bytes of the message (marked with "..."): a host
    /// reporting errors of untrusted scripts does not copy (or log) a megabyte message.
    pub(crate) fn error_message(&mut self, e: &LuaError, max: usize) -> String {
        let text = |b: &[u8]| {
            let mut s = String::from_utf8_lossy(&b[..b.len().min(max)]).into_owned();
            if b.len() > max {
                s.push_str("...");
            }
            s
        };
        match e {
            LuaError::Value(v) => match v {
                Value::Str(s) => text(s.as_bytes()),
                Value::Int(_) | Value::Float(_) => {
                    let mut b = Vec::new();
                    super::value::fmt_number(&mut b, v);
                    String::from_utf8_lossy(&b).into_owned()
                }
                other => {
                    if let Some(mt) = self.get_metatable(other) {
                        let name = self.tm_names[super::meta::Tm::ToString as usize];
                        if !mt.get_str(name).is_nil()
                            && let Ok(s) = self.tostring(*other)
                        {
                            return text(s.as_bytes());
                        }
                    }
                    format!("(error object is a {} value)", other.type_name())
                }
            },
            LuaError::Control(_) => "internal control transfer escaped".into(),
        }
    }

    #[inline(never)]
    /// `stack traceback:` lines of coroutine `t` (where a failed task stopped).
    pub(crate) fn thread_traceback(&mut self, t: ThreadKey) -> String {
        if !self.threads.contains_key(t) {
            return String::new();
        }
        let prev = self.current;
        self.set_current(t);
        let s = self.traceback();
        self.set_current(prev);
        s
    }

    /// Whether an error leaving the outermost host call records its traceback (on by default;
    /// a host that will not report an error saves building it).
    pub fn set_traceback_capture(&mut self, on: bool) {
        self.capture_tracebacks = on;
    }

    /// Whether `load` (and `Vm::load`, and the CLI's `loadfile` and `dofile`) accept binary
    /// chunks, the output of `string.dump`: on by default. They are verified before they run, so a corrupt or
    /// malicious chunk is refused with an error; a host that runs untrusted scripts may still
    /// prefer to allow text only (the Bevy plugin does).
    pub fn set_binary_chunks(&mut self, on: bool) {
        self.binary_chunks = on;
    }

    /// The traceback captured when the last error left the outermost host call.
    pub fn last_traceback(&mut self) -> Option<String> {
        self.last_traceback.take()
    }

    /// A plain error value with no position.
    pub(crate) fn plain_error(&mut self, msg: &str) -> LuaError {
        LuaError::Value(self.str_value(msg))
    }
}

impl Drop for Vm {
    fn drop(&mut self) {
        let _ = self.out.flush();
        self.heap.free_all();
    }
}

/// Lexes, parses and compiles a chunk.
pub fn compile_source(source: &[u8]) -> Result<FuncProto, CompileError> {
    compile_source_metered(source, None)
}

/// [`compile_source`] charging its work to `meter` (see `compiler::meter`).
pub(crate) fn compile_source_metered(
    source: &[u8],
    meter: Option<std::rc::Rc<compiler::meter::Meter>>,
) -> Result<FuncProto, CompileError> {
    let block = compiler::parser::parse_metered(source, meter)?;
    compiler::codegen::compile_chunk(&block)
}

/// How PUC Lua's undump names a chunk in its errors: without the `@` or `=` of a chunk name,
/// "binary string" for a name that is the chunk itself.
fn binary_chunk_name(name: &[u8]) -> &[u8] {
    match name.first() {
        Some(b'@' | b'=') => &name[1..],
        Some(0x1b) => b"binary string",
        _ => name,
    }
}

/// Lua's `luaO_chunkid`: the chunk name as messages show it.
pub(crate) fn short_src(source: &[u8]) -> String {
    const IDSIZE: usize = 60;
    if let Some(rest) = source.strip_prefix(b"=") {
        let n = rest.len().min(IDSIZE - 1);
        return String::from_utf8_lossy(&rest[..n]).into_owned();
    }
    if let Some(rest) = source.strip_prefix(b"@") {
        if rest.len() < IDSIZE {
            return String::from_utf8_lossy(rest).into_owned();
        }
        let tail = &rest[rest.len() - (IDSIZE - 4)..];
        return format!("...{}", String::from_utf8_lossy(tail));
    }
    let avail = IDSIZE - "[string \"".len() - "...\"]".len() - 1;
    let nl = source.iter().position(|&c| c == b'\n');
    let line = &source[..nl.unwrap_or(source.len())];
    if nl.is_none() && source.len() <= avail {
        format!("[string \"{}\"]", String::from_utf8_lossy(source))
    } else {
        let n = line.len().min(avail);
        format!("[string \"{}...\"]", String::from_utf8_lossy(&line[..n]))
    }
}
