//! Coroutines: each has its own register file (value stack) and a chain of frames.

use slotmap::new_key_type;

use super::frame::FrameKey;
use super::function::UpVal;
use super::gc::Gc;
use super::value::Value;

new_key_type! {
    pub struct ThreadKey;
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CoStatus {
    Suspended,
    Running,
    /// Active but not running: it resumed another coroutine.
    Normal,
    Dead,
}

/// Who resumed a coroutine, and where the results of that resume go.
#[derive(Clone, Copy, Debug)]
pub enum Resumer {
    /// Rust called `Vm::resume`: yields return to it.
    Host,
    /// A Lua `coroutine.resume` or a wrap function: results go to `slot` of `thread`.
    Lua {
        thread: ThreadKey,
        slot: usize,
        nresults: i32,
        wrap: bool,
    },
}

/// Most stack a coroutine may use, in slots, before "stack overflow".
pub const MAX_STACK: usize = 1_000_000;
/// Register files start this long; they grow on demand and keep their size when pooled.
pub const INITIAL_STACK: usize = 256;

pub struct Coroutine {
    /// The register file. Its length is the allocated size. Slots past the live top may hold stale
    /// values; the collector does not mark them and sets them to nil when it traces the coroutine
    /// at a point where it is not running, so they never dangle.
    pub stack: Vec<Value>,
    pub top_frame: Option<FrameKey>,
    /// First frame of this coroutine's arena chain (live or cached), for reuse and for freeing.
    pub root_frame: Option<FrameKey>,
    pub depth: usize,
    pub status: CoStatus,
    /// Open upvalues sorted by stack slot.
    pub open_upvals: Vec<(usize, Gc<UpVal>)>,
    /// Slots of pending to-be-closed variables, in declaration order.
    pub tbc: Vec<usize>,
    pub resumer: Resumer,
    /// Where a pending `coroutine.yield` call wants its results (slot, count).
    pub yield_slot: usize,
    pub yield_nresults: i32,
    /// End of the values produced by the last multi-result operation.
    pub top: usize,
    /// Nested Rust calls on this coroutine (metamethods called from natives, etc.). While non-zero
    /// the coroutine cannot yield.
    pub nny: u32,
    /// Metamethod and `pcall` frames on the stack: PUC Lua makes each of them a C call, so they
    /// count toward the C-stack limit (`Vm::c_stack_full`).
    pub c_levels: u32,
    /// C levels below this coroutine: those of the coroutines that resumed it.
    pub c_base: u32,
    /// Error that killed the coroutine, for `coroutine.close`.
    pub error: Option<Value>,
    /// The native that raised that error (`error`, `assert`), Nil if none: the top level of
    /// the dead coroutine's traceback. Its frames stay for that traceback, as in PUC Lua,
    /// until `coroutine.close` or the collector frees them.
    pub died_in: Value,
    /// This coroutine's debug hook (`debug.sethook` sets one per coroutine, as in PUC Lua,
    /// where a new coroutine runs no Lua hook either). Loaded into `Vm::hooks` while it runs.
    pub hook_func: Value,
    pub hook_mask: u8,
    pub hook_count: i64,
    /// Suspended by the instruction budget rather than by `yield`.
    pub preempted: bool,
    /// The body function has been called (a fresh coroutine holds it in slot 0).
    pub started: bool,
    /// Highest slot count ever asked of `ensure_stack` since the collector last cleared the stale
    /// part: every value ever written lies below it.
    pub hwm: usize,
    /// A native function is running on this coroutine above `native_frame` (its top Lua frame
    /// when the native was called): then nothing above `top` is live.
    pub native_active: bool,
    pub native_frame: Option<FrameKey>,
    /// Collector cycle in which this coroutine was last traced.
    pub gc_mark: u32,
    /// Ran (or had its stack written) since it was traced: the atomic step traces it again.
    pub gc_dirty: bool,
    /// Bytes the register file grew by that the VM has not charged to the heap yet
    /// (`Vm::account_stack`), and bytes beyond its initial size charged so far.
    pub stack_grown: usize,
    pub stack_charged: usize,
}

impl Coroutine {
    pub(crate) fn new(stack: Vec<Value>) -> Coroutine {
        Coroutine {
            stack,
            top_frame: None,
            root_frame: None,
            depth: 0,
            status: CoStatus::Suspended,
            open_upvals: Vec::new(),
            tbc: Vec::new(),
            resumer: Resumer::Host,
            yield_slot: 0,
            yield_nresults: 0,
            top: 0,
            nny: 0,
            c_levels: 0,
            c_base: 0,
            error: None,
            died_in: Value::Nil,
            hook_func: Value::Nil,
            hook_mask: 0,
            hook_count: 0,
            preempted: false,
            started: false,
            hwm: 0,
            native_active: false,
            native_frame: None,
            gc_mark: 0,
            gc_dirty: false,
            stack_grown: 0,
            stack_charged: 0,
        }
    }

    /// Makes the register file at least `needed` slots long. Returns false past `MAX_STACK`.
    #[inline]
    pub(crate) fn ensure_stack(&mut self, needed: usize) -> bool {
        self.hwm = self.hwm.max(needed);
        if needed <= self.stack.len() {
            return true;
        }
        self.grow_stack(needed)
    }

    #[cold]
    fn grow_stack(&mut self, needed: usize) -> bool {
        if needed > MAX_STACK + 1000 {
            return false;
        }
        let new_len = needed
            .max(self.stack.len() * 2)
            .min(MAX_STACK + 1000)
            .max(needed);
        let old_ptr = self.stack.as_ptr();
        let old_len = self.stack.len();
        if self.stack.try_reserve_exact(new_len - old_len).is_err() {
            return false;
        }
        self.stack.resize(new_len, Value::Nil);
        self.stack_grown += (new_len - old_len) * std::mem::size_of::<Value>();
        if self.stack.as_ptr() != old_ptr {
            // Open upvalues point into the old allocation: move them.
            let base = self.stack.as_mut_ptr();
            for (slot, uv) in &self.open_upvals {
                uv.get_mut().v = unsafe { base.add(*slot) };
            }
        }
        true
    }

    #[inline(never)]
    /// Gives back most of a register file that grew far past what it holds now (after a deep
    /// recursion or a huge `table.unpack`): keeps twice the live part, at least the initial
    /// size. Returns the bytes released. Only for a coroutine that is not running: the
    /// interpreter keeps pointers into the running one's file (open upvalues are moved here).
    pub(crate) fn shrink_stack(&mut self, live: usize) -> usize {
        let keep = (live * 2).max(INITIAL_STACK);
        if self.stack.len() <= keep * 2 {
            return 0;
        }
        let before = self.stack.len();
        self.stack.truncate(keep);
        self.stack.shrink_to_fit();
        self.hwm = self.hwm.min(keep);
        let base = self.stack.as_mut_ptr();
        for (slot, uv) in &self.open_upvals {
            uv.get_mut().v = unsafe { base.add(*slot) };
        }
        let released = (before - keep) * std::mem::size_of::<Value>();
        let uncharged = released.min(self.stack_charged);
        self.stack_charged -= uncharged;
        uncharged
    }

    /// Takes the register file out, cleared (a dead coroutine needs none); leaves an empty one.
    pub(crate) fn release_stack(&mut self) -> Vec<Value> {
        let used = self.hwm.min(self.stack.len());
        self.stack[..used].fill(Value::Nil);
        self.hwm = 0;
        self.open_upvals.clear();
        std::mem::take(&mut self.stack)
    }

    /// Resets to a clean state for reuse from the pool; keeps the allocations.
    pub(crate) fn reset(&mut self) {
        let used = self.hwm.min(self.stack.len());
        self.stack[..used].fill(Value::Nil);
        self.hwm = 0;
        self.native_active = false;
        self.native_frame = None;
        self.top_frame = None;
        self.root_frame = None;
        self.depth = 0;
        self.status = CoStatus::Suspended;
        self.open_upvals.clear();
        self.tbc.clear();
        self.resumer = Resumer::Host;
        self.top = 0;
        self.nny = 0;
        self.c_levels = 0;
        self.c_base = 0;
        self.error = None;
        self.died_in = Value::Nil;
        self.hook_func = Value::Nil;
        self.hook_mask = 0;
        self.hook_count = 0;
        self.preempted = false;
        self.started = false;
        self.gc_mark = 0;
        self.gc_dirty = false;
        self.stack_grown = 0;
        self.stack_charged = 0;
    }
}
