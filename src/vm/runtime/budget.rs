//! The budgets a host gives the code it runs: instructions ("fuel") and wall-clock time.
//!
//! Fuel is charged where work happens: one unit at every call and loop back-jump, more for a
//! call from Lua of a very long function or a back-jump over a long loop body (the compiler
//! sends a long `repeat` body back through a `Jmp` of its own for that), and, in natives, in
//! proportion to the bytes they copy or scan, the matching steps they take, the elements they
//! move and the partitions a sort makes. So a unit of fuel stands for a bounded amount of time
//! (tens of nanoseconds), whatever the script does. Known slack: a call *from Rust* (a sort
//! comparator, a `gsub` callback) costs one unit however long the function.
//!
//! The charges sit off the interpreter's dispatch where they can: measured, a few instructions
//! added to a handler inlined into the loop reshuffle its register allocation and layout, and
//! have cost loop-heavy programs 10-35% (the loop's single indirect jump is sensitive to it).
//!
//! The interpreter's hot path only decrements `Vm::fuel`, the units left in the current
//! *slice* ([`SLICE`] units). When a slice runs out, the cold path here takes the next one from
//! the reserve and reads the clock: the time budget is checked every slice, never per
//! instruction, and code that never uses up a slice never reads the clock. Both budgets stay
//! spent once exhausted (a `pcall` that catches the error fails again at its next check) until
//! the host arms them again.

use std::time::{Duration, Instant};

use super::error::{LuaError, LuaResult};
use super::state::Vm;

/// Fuel units between two budget checks (clock reads). At tens of nanoseconds per unit at most,
/// a runaway script overshoots its time budget by well under a millisecond.
pub const SLICE: i64 = 1024;

/// Which budget stopped the code a host ran.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exhausted {
    /// The instruction budget (`Vm::set_fuel`): "instruction budget exhausted".
    Instructions,
    /// The time budget (`Vm::set_deadline`, `Vm::set_time_limit`): "time budget exhausted".
    Time,
    /// The allocation budget (`Vm::set_allocation_budget`) or the heap limit
    /// (`Vm::set_memory_limit`): "not enough memory".
    Memory,
    /// Nesting of calls through Rust, `pcall`s and coroutine resumes: "C stack overflow".
    CStack,
}

impl Exhausted {
    /// How hosts and messages name it.
    pub fn name(self) -> &'static str {
        match self {
            Exhausted::Instructions => "instruction budget",
            Exhausted::Time => "time budget",
            Exhausted::Memory => "memory budget",
            Exhausted::CStack => "C stack",
        }
    }
}

/// The time budget of one run (`Vm::arm_run`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunTime {
    Unlimited,
    /// Until this instant.
    Deadline(Instant),
    /// This long, the clock starting at the first check (see `Vm::set_lazy_time_limit`).
    Lazy(Duration),
}

/// The state behind `Vm::fuel`.
#[derive(Debug)]
pub(crate) struct Budget {
    /// Fuel beyond the current slice (`i64::MAX`: unlimited).
    reserve: i64,
    /// Whether any budget is armed (otherwise charges in natives return at once).
    pub armed: bool,
    deadline: Option<Instant>,
    /// A time limit whose clock starts at the first check (see `Vm::set_lazy_time_limit`).
    lazy_limit: Option<Duration>,
    /// When the clock was first read since the budgets were armed.
    clock_started: Option<Instant>,
    /// The budget that ran out since the budgets were last armed.
    pub exhausted: Option<Exhausted>,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            reserve: i64::MAX,
            armed: false,
            deadline: None,
            lazy_limit: None,
            clock_started: None,
            exhausted: None,
        }
    }
}

impl Vm {
    /// Sets the instruction budget for the code run from now on (`None`: unlimited). Units are
    /// charged at calls and loop back-jumps and by natives in proportion to their work.
    pub fn set_fuel(&mut self, fuel: Option<i64>) {
        let b = &mut self.budget;
        b.exhausted = None;
        match fuel {
            Some(f) => {
                let f = f.max(0);
                self.fuel = f.min(SLICE);
                b.reserve = f - self.fuel;
            }
            None => {
                b.reserve = i64::MAX;
                self.fuel = if self.time_armed() { SLICE } else { i64::MAX };
            }
        }
        self.update_armed();
    }

    /// Arms every budget for one run at once: `fuel`, `allocation` bytes (see
    /// `set_allocation_budget`) and `time`. For hosts that arm thousands of short runs a frame;
    /// `disarm_run` lifts them all (`exhausted` stays readable until the next arming).
    #[inline]
    pub(crate) fn arm_run(&mut self, fuel: i64, allocation: usize, time: RunTime) {
        let b = &mut self.budget;
        b.exhausted = None;
        b.clock_started = None;
        (b.deadline, b.lazy_limit) = match time {
            RunTime::Unlimited => (None, None),
            RunTime::Deadline(t) => (Some(t), None),
            RunTime::Lazy(d) => (None, Some(d)),
        };
        let f = fuel.max(0);
        self.fuel = f.min(SLICE);
        b.reserve = f - self.fuel;
        b.armed = true;
        self.allocation_mark = self.heap.allocated.saturating_add(allocation as u64);
    }

    /// Lifts every budget (see `arm_run`).
    #[inline]
    pub(crate) fn disarm_run(&mut self) {
        let b = &mut self.budget;
        b.reserve = i64::MAX;
        b.deadline = None;
        b.lazy_limit = None;
        b.armed = false;
        self.fuel = i64::MAX;
        self.allocation_mark = u64::MAX;
    }

    /// The instruction budget left (`i64::MAX` when unlimited).
    pub fn fuel(&self) -> i64 {
        if self.budget.reserve == i64::MAX {
            i64::MAX
        } else {
            self.fuel.max(0) + self.budget.reserve
        }
    }

    /// Stops the code run from now on at `at` with "time budget exhausted" (checked every
    /// [`SLICE`] units of fuel); `None` lifts the deadline.
    pub fn set_deadline(&mut self, at: Option<Instant>) {
        self.budget.deadline = at;
        self.budget.lazy_limit = None;
        self.budget.clock_started = None;
        self.budget.exhausted = None;
        self.arm_slices();
    }

    /// A time budget of `limit` starting now (reads the clock once).
    pub fn set_time_limit(&mut self, limit: Option<Duration>) {
        self.set_deadline(limit.map(|l| Instant::now() + l));
    }

    /// A time budget of `limit` whose clock starts at the first budget check, one [`SLICE`] of
    /// fuel into the run: a host arming thousands of short runs a frame reads the clock only for
    /// those that run long. The first slice's time is not counted (it is bounded by the slice).
    /// `clock_started` says whether and when the clock started.
    pub fn set_lazy_time_limit(&mut self, limit: Option<Duration>) {
        self.budget.deadline = None;
        self.budget.lazy_limit = limit;
        self.budget.clock_started = None;
        self.budget.exhausted = None;
        self.arm_slices();
    }

    /// When the clock was first read since the time budget was armed, if it was.
    pub(crate) fn clock_started(&self) -> Option<Instant> {
        self.budget.clock_started
    }

    /// The budget that stopped the code run since the budgets were last armed, if one did.
    pub fn exhausted(&self) -> Option<Exhausted> {
        self.budget.exhausted
    }

    fn time_armed(&self) -> bool {
        self.budget.deadline.is_some() || self.budget.lazy_limit.is_some()
    }

    /// With a time budget, fuel runs in slices even when it is unlimited, so the clock is read.
    fn arm_slices(&mut self) {
        if self.time_armed() && self.fuel > SLICE {
            self.fuel = SLICE;
        } else if !self.time_armed() && self.budget.reserve == i64::MAX {
            self.fuel = i64::MAX;
        }
        self.update_armed();
    }

    fn update_armed(&mut self) {
        self.budget.armed = self.budget.reserve != i64::MAX || self.time_armed();
    }

    /// Charges `n` units of fuel for work a native does (call it inside loops, so a budgeted
    /// script cannot hang the host inside one call); past a budget, its error.
    #[inline]
    pub(crate) fn charge_fuel(&mut self, n: i64) -> LuaResult<()> {
        if !self.budget.armed {
            return Ok(());
        }
        self.fuel -= n;
        if self.fuel <= 0 {
            return self.next_slice();
        }
        Ok(())
    }

    /// Charges for `bytes` bytes copied or scanned (one unit per 64).
    #[inline]
    pub(crate) fn charge_bytes(&mut self, bytes: usize) -> LuaResult<()> {
        self.charge_fuel(1 + (bytes >> 6) as i64)
    }

    /// The current slice ran out: take the next from the reserve and check the clock. Raises
    /// the budget's error (and leaves it spent) when one is exhausted.
    #[cold]
    pub(crate) fn next_slice(&mut self) -> LuaResult<()> {
        match self.refill() {
            None => Ok(()),
            Some(kind) => Err(self.budget_error(kind)),
        }
    }

    /// Refills the slice; returns the budget that ran out, if one did.
    pub(crate) fn refill(&mut self) -> Option<Exhausted> {
        let b = &mut self.budget;
        if b.deadline.is_some() || b.lazy_limit.is_some() {
            let now = Instant::now();
            if b.deadline.is_none()
                && let Some(limit) = b.lazy_limit
            {
                b.deadline = Some(now + limit);
            }
            b.clock_started.get_or_insert(now);
            if b.deadline.is_some_and(|d| now >= d) {
                self.fuel = 0;
                b.exhausted = Some(Exhausted::Time);
                return Some(Exhausted::Time);
            }
        }
        let b = &mut self.budget;
        if b.reserve == i64::MAX {
            self.fuel = if b.armed { SLICE } else { i64::MAX };
            return None;
        }
        // Units overspent in this slice (a native's large charge) come off the reserve.
        let left = b.reserve + self.fuel.min(0);
        if left <= 0 {
            b.reserve = 0;
            self.fuel = 0;
            b.exhausted = Some(Exhausted::Instructions);
            return Some(Exhausted::Instructions);
        }
        self.fuel = left.min(SLICE);
        b.reserve = left - self.fuel;
        None
    }

    /// The error of an exhausted budget, positioned at the running Lua code.
    pub(crate) fn budget_error(&mut self, kind: Exhausted) -> LuaError {
        self.budget.exhausted = Some(kind);
        match kind {
            Exhausted::Instructions => self.rt_error("instruction budget exhausted"),
            Exhausted::Time => self.rt_error("time budget exhausted"),
            Exhausted::Memory => self.rt_error("not enough memory"),
            Exhausted::CStack => self.rt_error("C stack overflow"),
        }
    }
}

/// Bytes a native copies between two charges of the budget: a script copying a huge string is
/// stopped within one chunk of its budget.
pub const COPY_CHUNK: usize = 64 << 10;

/// String buffers up to this capacity are kept for reuse (`Vm::put_scratch`); larger ones go
/// back to the system, so one huge string does not keep its buffer for the VM's lifetime.
pub const SCRATCH_KEEP: usize = 64 << 10;

impl Vm {
    /// Takes the VM's reusable string buffer (empty): building strings every frame allocates
    /// nothing once warm.
    pub(crate) fn take_scratch(&mut self) -> Vec<u8> {
        let mut b = std::mem::take(&mut self.scratch);
        b.clear();
        b
    }

    /// Gives a string buffer back for reuse, unless it grew large.
    pub(crate) fn put_scratch(&mut self, b: Vec<u8>) {
        if b.capacity() <= SCRATCH_KEEP && b.capacity() >= self.scratch.capacity() {
            self.scratch = b;
        }
    }

    /// Leaves budget `kind` spent until the host arms it again (for work measured outside the
    /// VM's own counters, such as the pattern matcher's).
    pub(crate) fn exhaust(&mut self, kind: Exhausted) {
        match kind {
            Exhausted::Instructions => {
                self.fuel = 0;
                self.budget.reserve = 0;
            }
            Exhausted::Time => {
                self.fuel = 0;
                self.budget.lazy_limit = None;
                self.budget.deadline = Some(Instant::now());
            }
            Exhausted::Memory | Exhausted::CStack => {}
        }
        self.update_armed();
        self.budget.exhausted = Some(kind);
    }

    /// For a native that meters its own work (the pattern matcher): the fuel left, and the time
    /// limit as an absolute deadline or as a limit whose clock has not started yet.
    pub(crate) fn budget_for_native(&self) -> (i64, Option<Instant>, Option<Duration>) {
        let b = &self.budget;
        let lazy = if b.deadline.is_none() {
            b.lazy_limit
        } else {
            None
        };
        (self.fuel(), b.deadline, lazy)
    }

    /// Appends `bytes` to the string being built in `out`, within `limits.max_string_bytes`
    /// and the memory limits, charging the budget as it copies (one unit per 64 bytes, in
    /// chunks of [`COPY_CHUNK`]).
    #[inline]
    pub(crate) fn append_charged(&mut self, out: &mut Vec<u8>, bytes: &[u8]) -> LuaResult<()> {
        // The common case: a short piece into a buffer with room (string building in a loop).
        if bytes.len() <= COPY_CHUNK && bytes.len() <= out.capacity() - out.len() {
            self.charge_bytes(bytes.len())?;
            out.extend_from_slice(bytes);
            return Ok(());
        }
        self.append_large(out, bytes)
    }

    #[inline(never)]
    fn append_large(&mut self, out: &mut Vec<u8>, bytes: &[u8]) -> LuaResult<()> {
        let len = out.len() + bytes.len();
        if len > out.capacity() {
            self.reserve_string(out, len)?;
        }
        for chunk in bytes.chunks(COPY_CHUNK) {
            self.charge_bytes(chunk.len())?;
            out.extend_from_slice(chunk);
        }
        Ok(())
    }

    /// Makes room in a string buffer for `len` bytes: "string too large" past
    /// `limits.max_string_bytes`, "not enough memory" past the memory limits or when the
    /// allocation fails; never an aborted process. Never runs the collector (the bytes being
    /// copied may belong to a string nothing else holds).
    pub(crate) fn reserve_string(&mut self, out: &mut Vec<u8>, len: usize) -> LuaResult<()> {
        if len <= out.capacity() {
            return Ok(());
        }
        self.check_string_room(len)?;
        // Doubling, as `Vec` would, but never past the limit.
        let target = len
            .max(out.capacity().saturating_mul(2))
            .min(self.limits.max_string_bytes);
        if out.try_reserve(target - out.len()).is_err() && out.try_reserve(len - out.len()).is_err()
        {
            return Err(self.memory_error());
        }
        Ok(())
    }

    /// A string a native built, interned: checked against the string and memory limits first
    /// when it is large, so that building it is a Lua error rather than an aborted process.
    /// Never runs the collector, so `bytes` may be borrowed from an unrooted string.
    pub(crate) fn intern_checked(
        &mut self,
        bytes: &[u8],
    ) -> LuaResult<super::gc::Gc<super::string::LuaStr>> {
        if bytes.len() > COPY_CHUNK {
            self.check_string_room(bytes.len())?;
            self.charge_bytes(bytes.len())?;
        }
        Ok(self.intern(bytes))
    }

    /// `intern_checked` of a string built in `buf`: a large buffer becomes the string's storage
    /// (not copied once more). Leaves `buf` empty.
    pub(crate) fn intern_buffer(
        &mut self,
        buf: &mut Vec<u8>,
    ) -> LuaResult<super::gc::Gc<super::string::LuaStr>> {
        let len = buf.len();
        if len <= COPY_CHUNK {
            // Small: copied into a pooled string (the buffer stays for reuse).
            let s = self.intern(buf);
            buf.clear();
            return Ok(s);
        }
        self.check_string_room(len)?;
        self.charge_bytes(len)?;
        let white = self.heap.white();
        let (s, created) = self.heap.strings.intern_vec(buf, white);
        if created {
            self.stats.strings_allocated += 1;
            self.heap.charge(len + super::string::STR_OVERHEAD);
        }
        Ok(s)
    }

    /// Whether a string of `len` bytes may be built: within `limits.max_string_bytes`, the
    /// allocation budget and the heap limit. Unlike `check_string_alloc` it cannot collect
    /// first, so against the heap limit it counts what was alive after the last collection
    /// (the next safe point collects and enforces the limit exactly).
    fn check_string_room(&mut self, len: usize) -> LuaResult<()> {
        if len > self.limits.max_string_bytes {
            let max = self.limits.max_string_bytes;
            return Err(self.rt_error(&format!("string too large (limit {max} bytes)")));
        }
        if self.heap.allocated.saturating_add(len as u64) > self.allocation_mark {
            return Err(self.memory_error());
        }
        // Small strings are left to the next safe point, which can collect first.
        if len > COPY_CHUNK
            && self.heap.total.saturating_add(len) > self.memory_limit
            && self.heap.live.saturating_add(len) > self.memory_limit
        {
            // The VM's heap as a whole, as Lua's LUA_ERRMEM: no position.
            self.budget.exhausted = Some(Exhausted::Memory);
            return Err(self.plain_error("not enough memory"));
        }
        Ok(())
    }
}
