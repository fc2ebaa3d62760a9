//! The interpreter: one loop that runs Lua frames of every coroutine.
//!
//! Lua-to-Lua calls, returns, coroutine resumes and yields, `pcall` and metamethods written in
//! Lua all stay inside this loop: they push or pop a frame (or switch the current coroutine) and
//! reload the loop's cached state, so none of them recurses on the Rust stack. The loop keeps the
//! running frame's pc, register base and constants in locals and touches the frame arena only
//! when control leaves the frame.

use smallvec::SmallVec;

use super::debug::Origin;
use super::error::{Control, LuaError, LuaResult};
use super::frame::{CallFrame, FrameKey, FrameKind};
use super::function::{Args, NativeFn, UpVal};
use super::gc::Gc;
use super::meta::Tm;
use super::state::{Exit, Transfer, Vm};
use super::thread::{CoStatus, Resumer, ThreadKey};
use super::value::Value;
use crate::vm::bytecode::opcode::{Instr, Op};
use crate::vm::number::{self, ArithOp};

/// Registers kept free above a native call's arguments (Lua's LUA_MINSTACK).
const NATIVE_MIN_STACK: usize = 20;

/// Fuel charged for a back-jump over `len` instructions: one unit for an ordinary loop body,
/// more for a very long one, so that a unit of fuel stays a bounded amount of work.
#[inline(always)]
fn loop_cost(len: i64) -> i64 {
    1 + (len >> 6)
}

/// Fuel charged for calling a function with `code_len` instructions: one unit, more for a very
/// long function (its straight-line code runs without any back-jump to charge).
#[inline(always)]
pub(crate) fn call_cost(code_len: usize) -> i64 {
    1 + (code_len >> 8) as i64
}

/// Whether `remembered` (an error kept in `handled_error` or `traceback_taken`, which do not
/// keep it alive) is `e`: strings by identity, so a freed one is never read.
fn same_error(remembered: &Value, e: &Value) -> bool {
    match (remembered, e) {
        (Value::Str(a), Value::Str(b)) => a.addr() == b.addr(),
        _ => remembered.raw_eq(e),
    }
}

/// A native that catches the errors of what it calls (see `Vm::behind_error_barrier`), with
/// the stack slots of a protected call: its callee, and an xpcall's message handler.
#[derive(Clone, Copy)]
pub(crate) enum Barrier {
    Pcall { callee: usize },
    Xpcall { handler: usize, callee: usize },
    Finalizer,
}

impl Barrier {
    /// A pcall (or, with `handler`, an xpcall whose message handler is in slot `func`) of the
    /// native in slot `callee`.
    fn protected_call(handler: bool, func: usize, callee: usize) -> Barrier {
        if handler {
            Barrier::Xpcall {
                handler: func,
                callee,
            }
        } else {
            Barrier::Pcall { callee }
        }
    }
}

/// What catches an error leaving a nested call (see `Vm::enclosing_catcher`).
enum Catcher {
    /// An xpcall, whose message handler is in this stack slot.
    Handler(usize),
    /// A pcall, a native that catches, or a coroutine's body: no handler runs.
    Silent,
    /// Nothing: the error leaves the interpreter.
    Host,
}

/// What `Vm::call_next_close` did.
enum CloseCall {
    /// A native method returned: run the instruction again.
    Returned,
    /// The running frame changed (a Lua method's frame, or a resumed coroutine): reload it.
    Entered,
    /// Control leaves the interpreter (a yield to the host).
    Leave(Exit),
    /// The hooks changed: continue in the other build of the loop.
    Rerun,
}

/// The index in `code` of the instruction `ip` points at.
#[inline(always)]
fn pc_index(ip: *const Instr, code: &[Instr]) -> usize {
    // SAFETY: the interpreter's `ip` always points into (or just past) its frame's code.
    unsafe { ip.offset_from(code.as_ptr()) as usize }
}

impl Vm {
    /// Runs until the entry frame returns, or (for a host-resumed coroutine) until it yields,
    /// finishes or runs out of fuel. Errors are caught by `pcall` frames on the way.
    #[inline(always)]
    pub(crate) fn execute(&mut self) -> LuaResult<Exit> {
        loop {
            // Three builds of the loop: the hooked one checks debug hooks before every
            // instruction; the counting one bumps `stats.instructions` (a memory counter on every
            // dispatch costs tight loops 5-15%); the plain one pays for neither.
            let r = if self.hooks.mask != 0 {
                self.run::<true, true>()
            } else if self.count_instructions {
                self.run::<false, true>()
            } else {
                self.run::<false, false>()
            };
            match r {
                Ok(Exit::Rerun) => self.hooks.changed = false,
                Ok(exit) => return Ok(exit),
                Err(LuaError::Value(e)) => {
                    if let Some(exit) = self.recover(e)? {
                        return Ok(exit);
                    }
                }
                // Controls are carried out where natives are called; one reaching here is a bug,
                // reported as a Lua error rather than a crash.
                Err(LuaError::Control(_)) => {
                    let e = self.plain_error("internal error: unexpected control transfer");
                    let LuaError::Value(v) = e else {
                        unreachable!()
                    };
                    if let Some(exit) = self.recover(v)? {
                        return Ok(exit);
                    }
                }
            }
        }
    }

    /// Prepares a call of the value at `func` with `nargs` arguments above it. A Lua function
    /// gets a new frame (returns true); a native function runs to completion here, its results
    /// moved to `func` and adjusted to `nresults` (returns false).
    #[inline(always)]
    pub(crate) fn precall(
        &mut self,
        func: usize,
        nargs: usize,
        nresults: i32,
        kind: FrameKind,
    ) -> LuaResult<bool> {
        // The common case, kept small so callers do not pay for the general one's set-up: a
        // fixed-arity Lua function with room on the stack.
        let max_depth = self.limits.max_call_depth;
        let th = self.th_mut();
        if let Value::LuaFn(cl) = th.stack[func] {
            let p = cl.proto;
            let base = func + 1;
            let need = base + p.maxstack as usize;
            if !p.is_vararg && need <= th.stack.len() && th.depth < max_depth {
                th.hwm = th.hwm.max(need);
                for i in nargs..p.numparams as usize {
                    th.stack[base + i] = Value::Nil;
                }
                let parent = th.top_frame;
                let key = self.push_lua_frame(parent, cl, func, nresults, kind);
                let th = self.th_mut();
                th.top_frame = Some(key);
                th.depth += 1;
                self.stats.calls += 1;
                return Ok(true);
            }
        }
        self.precall_general(func, nargs, nresults, kind)
    }

    #[inline(never)]
    fn precall_general(
        &mut self,
        func: usize,
        nargs: usize,
        nresults: i32,
        kind: FrameKind,
    ) -> LuaResult<bool> {
        let mut nargs = nargs;
        for _ in 0..2000 {
            let f = self.th().stack[func];
            match f {
                Value::LuaFn(cl) => {
                    let p = cl.proto;
                    let np = p.numparams as usize;
                    let maxstack = p.maxstack as usize;
                    let max_frames =
                        self.limits.max_call_depth + if self.in_error_handler { 2000 } else { 0 };
                    let th = self.th_mut();
                    if th.depth >= max_frames {
                        return Err(self.rt_error("stack overflow"));
                    }
                    let needed = func + 2 + nargs + maxstack;
                    if needed > th.stack.len() {
                        // Growing the register file is allocation like any other: charged, and
                        // checked against the memory limits before the frame is pushed.
                        if !th.ensure_stack(needed) {
                            return Err(self.rt_error("stack overflow"));
                        }
                        // The callee and its arguments are roots while the collector runs
                        // (a call from Rust placed them above the running frame).
                        let top = th.top;
                        th.top = top.max(func + 1 + nargs);
                        self.account_stack();
                        let checked = self.gc_check();
                        self.th_mut().top = top;
                        checked?;
                    }
                    let th = self.th_mut();
                    let (base, nvarargs) = if !p.is_vararg {
                        let base = func + 1;
                        if !th.ensure_stack(base + maxstack) {
                            return Err(self.rt_error("stack overflow"));
                        }
                        for i in nargs..np {
                            th.stack[base + i] = Value::Nil;
                        }
                        (base, 0)
                    } else {
                        // Fixed parameters move above the varargs, which stay where they are.
                        let newfunc = func + 1 + nargs;
                        if !th.ensure_stack(newfunc + 1 + maxstack) {
                            return Err(self.rt_error("stack overflow"));
                        }
                        th.stack[newfunc] = f;
                        for i in 0..np {
                            th.stack[newfunc + 1 + i] = if i < nargs {
                                th.stack[func + 1 + i]
                            } else {
                                Value::Nil
                            };
                        }
                        (newfunc + 1, nargs.saturating_sub(np))
                    };
                    let parent = th.top_frame;
                    let key = self.push_frame(CallFrame {
                        parent,
                        child: None,
                        closure: cl,
                        func,
                        base,
                        pc: 0,
                        nresults,
                        nvarargs,
                        kind,
                        aux: 0,
                        tail: false,
                    });
                    let th = self.th_mut();
                    th.top_frame = Some(key);
                    th.depth += 1;
                    self.stats.calls += 1;
                    return Ok(true);
                }
                Value::Native(nf) => {
                    self.call_native(nf, func, nargs, nresults)?;
                    return Ok(false);
                }
                Value::NativeClosure(nc) => {
                    self.call_native(nc.f, func, nargs, nresults)?;
                    return Ok(false);
                }
                other => {
                    // `__call`: the metamethod becomes the function, the object its first argument.
                    let tm = self.tm_of(&other, Tm::Call);
                    if tm.is_nil() {
                        return Err(self.call_error(func, other));
                    }
                    if !self.th_mut().ensure_stack(func + nargs + 2) {
                        return Err(self.rt_error("stack overflow"));
                    }
                    let st = &mut self.th_mut().stack;
                    st.copy_within(func..func + 1 + nargs, func + 1);
                    st[func] = tm;
                    nargs += 1;
                }
            }
        }
        Err(self.rt_error("'__call' chain too long; possible loop"))
    }

    fn call_error(&mut self, func: usize, v: Value) -> LuaError {
        let origin = match self.th().top_frame {
            Some(k) if func >= self.frames[k].base => Origin::Reg(func - self.frames[k].base),
            _ => Origin::None,
        };
        let tn = self.obj_type_name(&v);
        if self.next_call_from_native {
            // Called from Rust: no Lua position or name, like a call made by a C function.
            let m = format!("attempt to call a {tn} value");
            return LuaError::Value(self.str_value(&m));
        }
        let info = self.call_varinfo(origin);
        self.rt_error(&format!("attempt to call a {tn} value{info}"))
    }

    fn call_varinfo(&self, origin: Origin) -> String {
        // A generic-for call names the iterator like Lua does.
        if let Some(k) = self.th().top_frame {
            let fr = &self.frames[k];
            let p = fr.closure.proto;
            if let Some(i) = p.code.get(fr.pc.wrapping_sub(1))
                && i.op() == Op::TForCall
            {
                return " (for iterator 'for iterator')".into();
            }
        }
        self.varinfo(origin)
    }

    #[inline(always)]
    fn call_native(
        &mut self,
        f: NativeFn,
        func: usize,
        nargs: usize,
        nresults: i32,
    ) -> LuaResult<()> {
        let th = self.th_mut();
        let top = func + 1 + nargs;
        th.top = top;
        if !th.ensure_stack(top + NATIVE_MIN_STACK) {
            return Err(self.rt_error("stack overflow"));
        }
        let saved_active = std::mem::replace(&mut th.native_active, true);
        let saved_frame = std::mem::replace(&mut th.native_frame, th.top_frame);
        let callee = th.stack[func];
        let me = self.current;
        self.stats.calls += 1;
        let from_native = std::mem::take(&mut self.next_call_from_native);
        let saved = std::mem::replace(&mut self.in_native_from_native, from_native);
        let saved_native = std::mem::replace(&mut self.in_native, true);
        let saved_callee = std::mem::replace(&mut self.native_callee, callee);
        let r = f(
            self,
            Args {
                base: func + 1,
                n: nargs,
            },
        );
        self.in_native_from_native = saved;
        self.in_native = saved_native;
        self.native_callee = saved_callee;
        // The native may have switched coroutines (or ended this one).
        let th = if self.current == me {
            Some(self.th_mut())
        } else {
            self.threads.get_mut(me).map(|b| &mut **b)
        };
        if let Some(th) = th {
            th.native_active = saved_active;
            th.native_frame = saved_frame;
        }
        let n = r?;
        if nresults == 1 {
            // The common case (`x = f(...)`), without `move_results`' general moves.
            let th = self.th_mut();
            th.stack[func] = if n > 0 {
                th.stack[func + 1]
            } else {
                Value::Nil
            };
            th.top = func + 1;
        } else {
            self.move_results(func + 1, n, func, nresults);
        }
        Ok(())
    }

    /// Moves `n` values from `from` to `dest`, pads or truncates to `wanted` (-1: keep all, and
    /// set `top` past them).
    #[inline]
    pub(crate) fn move_results(&mut self, from: usize, n: usize, dest: usize, wanted: i32) {
        let th = self.th_mut();
        let count = if wanted < 0 { n } else { wanted as usize };
        if !th.ensure_stack(dest + count + 1) {
            // Only reachable with absurd result counts; keep what fits.
        }
        let copy = n.min(count);
        if from != dest {
            if dest < from && copy <= 4 {
                // The usual case (a few results moving down): a plain loop, not a memmove call.
                for i in 0..copy {
                    th.stack[dest + i] = th.stack[from + i];
                }
            } else {
                th.stack.copy_within(from..from + copy, dest);
            }
        }
        for i in copy..count {
            th.stack[dest + i] = Value::Nil;
        }
        th.top = dest + count;
    }

    /// Finds or creates the open upvalue for stack slot `slot` of the current coroutine.
    fn find_upval(&mut self, slot: usize) -> Gc<UpVal> {
        let th = self.th_mut();
        let mut pos = th.open_upvals.len();
        while pos > 0 {
            let (s, uv) = th.open_upvals[pos - 1];
            if s == slot {
                return uv;
            }
            if s < slot {
                break;
            }
            pos -= 1;
        }
        let ptr = unsafe { th.stack.as_mut_ptr().add(slot) };
        self.stats.upvalues_allocated += 1;
        self.heap.charge(40);
        let white = self.heap.white();
        let uv = match self.heap.upvals.reuse(white) {
            Some(u) => {
                u.get_mut().v = ptr;
                u
            }
            None => self.heap.upvals.alloc(
                white,
                UpVal {
                    v: ptr,
                    closed: Value::Nil,
                },
            ),
        };
        self.th_mut().open_upvals.insert(pos, (slot, uv));
        uv
    }

    /// Closes open upvalues at or above `level`.
    #[inline]
    pub(crate) fn close_upvals(&mut self, level: usize) {
        let cur = self.current;
        let (threads, heap) = (&mut self.threads, &mut self.heap);
        let th = &mut threads[cur];
        while let Some(&(slot, uv)) = th.open_upvals.last() {
            if slot < level {
                break;
            }
            th.open_upvals.pop();
            let m = uv.get_mut();
            m.closed = th.stack[slot];
            m.v = &raw mut m.closed;
            // The value leaves the stack (which is re-traced) for a possibly black upvalue.
            heap.value_barrier(uv.is_black(), &m.closed);
        }
    }

    /// Calls `__close` of pending to-be-closed variables at or above `level`, newest first.
    /// During error unwinding `err` is the error; a failing `__close` replaces it.
    pub(crate) fn close_tbc(
        &mut self,
        level: usize,
        err: Option<Value>,
    ) -> Result<Option<Value>, LuaError> {
        self.close_tbc_handled(level, err, None)
    }

    /// `close_tbc` while unwinding to an `xpcall`: an error raised by a `__close` replaces the
    /// one being unwound, and goes through the message `handler` as every error there does.
    pub(crate) fn close_tbc_handled(
        &mut self,
        level: usize,
        mut err: Option<Value>,
        handler: Option<Value>,
    ) -> Result<Option<Value>, LuaError> {
        while let Some(&slot) = self.th().tbc.last() {
            if slot < level {
                break;
            }
            self.th_mut().tbc.pop();
            let v = self.th().stack[slot];
            let tm = self.tm_of(&v, Tm::Close);
            let e = err.unwrap_or(Value::Nil);
            let r = if tm.is_nil() {
                Err(self.rt_error("attempt to call a nil value (metamethod 'close')"))
            } else {
                self.call1(tm, &[v, e])
            };
            match r {
                Ok(_) => {}
                Err(LuaError::Value(new)) => {
                    if err.is_some() {
                        err = Some(match handler {
                            Some(h) => self.run_message_handler(h, new),
                            None => new,
                        });
                    } else {
                        return Err(LuaError::Value(new));
                    }
                }
                Err(c) => return Err(c),
            }
        }
        Ok(err)
    }

    /// Calls the `__close` method of the innermost pending to-be-closed variable at or above
    /// `level` as a call from the running frame `fk` (placed at the free slot `call_at`), so the
    /// method may yield. The variable leaves the pending list first; the instruction that asked
    /// (Close, or a Return: its results stay below `call_at`) runs again afterwards for the next
    /// one. `None` when no variable is pending.
    #[cold]
    #[inline(never)]
    fn call_next_close(
        &mut self,
        fk: FrameKey,
        level: usize,
        call_at: usize,
    ) -> LuaResult<Option<CloseCall>> {
        match self.th().tbc.last() {
            Some(&slot) if slot >= level => {}
            _ => return Ok(None),
        }
        let slot = self.th_mut().tbc.pop().unwrap_or_default();
        let v = self.th().stack[slot];
        let tm = self.tm_of(&v, Tm::Close);
        if tm.is_nil() {
            return Err(self.rt_error("attempt to call a nil value (metamethod 'close')"));
        }
        self.reserve_stack(call_at, 3)?;
        let th = self.th_mut();
        th.stack[call_at..call_at + 3].copy_from_slice(&[tm, v, Value::Nil]);
        th.top = call_at + 3;
        match self.precall(call_at, 2, 0, FrameKind::Close) {
            Ok(true) => Ok(Some(CloseCall::Entered)),
            Ok(false) => {
                self.th_mut().top = call_at;
                if self.hooks.changed {
                    self.frames[fk].pc -= 1;
                    return Ok(Some(CloseCall::Rerun));
                }
                Ok(Some(CloseCall::Returned))
            }
            Err(LuaError::Control(c)) => {
                // A native that yields or calls (`__close = coroutine.yield`): the frame resumes
                // at its saved position, the instruction again.
                self.frames[fk].pc -= 1;
                Ok(Some(match self.control_in_loop(c, call_at, 2, 0)? {
                    Some(x) => CloseCall::Leave(x),
                    None if self.hooks.changed => CloseCall::Rerun,
                    None => CloseCall::Entered,
                }))
            }
            Err(e) => Err(e),
        }
    }

    fn has_pending_close(&self, level: usize) -> bool {
        let th = self.th();
        th.open_upvals.last().is_some_and(|&(s, _)| s >= level)
            || th.tbc.last().is_some_and(|&s| s >= level)
    }

    /// Pops frame `fk` returning `n` values at `first`. Returns an exit when control leaves the
    /// interpreter.
    fn do_return(&mut self, fk: FrameKey, first: usize, n: usize) -> LuaResult<Option<Exit>> {
        let base = self.frames[fk].base;
        if self.has_pending_close(base) {
            // Protect the results from the `__close` calls, which run above the stack top.
            self.th_mut().top = first + n;
            self.close_upvals(base);
            self.close_tbc(base, None)?;
            self.close_upvals(base);
        }
        // After the closes, which may have set it, as in PUC Lua.
        if self.hooks.mask & super::state::HOOK_RETURN != 0 {
            self.return_hook(first, n)?;
        }
        let fr = self.frames[fk];
        let th = self.th_mut();
        th.top_frame = fr.parent;
        th.depth -= 1;
        match fr.kind {
            FrameKind::Lua => {
                self.move_results(first, n, fr.func, fr.nresults);
                Ok(None)
            }
            FrameKind::CloseUnwind => {
                self.th_mut().top = fr.func;
                self.unwind_closes(fr.parent.expect("a protected call's frame"))
            }
            FrameKind::Close => {
                // The caller's Close or Return runs again, for the next pending variable. A
                // Return takes its results up to the top (where this call was placed).
                self.th_mut().top = fr.func;
                let parent = fr.parent.expect("a __close is called by a Lua frame");
                self.frames[parent].pc -= 1;
                Ok(None)
            }
            FrameKind::Capped => {
                let n = self.exactly(first, n, fr.aux)?;
                self.move_results(first, n, fr.func, fr.nresults);
                Ok(None)
            }
            FrameKind::Fresh => {
                self.move_results(first, n, fr.func, fr.nresults);
                let count = if fr.nresults < 0 {
                    n
                } else {
                    fr.nresults as usize
                };
                Ok(Some(Exit::Returned { n: count }))
            }
            FrameKind::Pcall | FrameKind::Xpcall => {
                self.th_mut().c_levels -= 1;
                let dest = fr.func - 1 - fr.aux;
                let st = &mut self.th_mut().stack;
                st.copy_within(first..first + n, fr.func);
                st[dest..fr.func].fill(Value::Bool(true));
                self.move_results(dest, n + 1 + fr.aux, dest, fr.nresults);
                if fr.parent.is_none() {
                    // The bottom frame of `coroutine.create(pcall)`: the coroutine ends.
                    self.free_frames(self.current);
                    return self.deliver_to_resumer(dest, n + 1 + fr.aux, true);
                }
                Ok(None)
            }
            FrameKind::Meta => {
                self.th_mut().c_levels -= 1;
                let v = if n > 0 {
                    self.th().stack[first]
                } else {
                    Value::Nil
                };
                self.finish_op(v, fr.aux)?;
                Ok(None)
            }
            FrameKind::CoroutineBody => {
                self.move_results(first, n, 0, -1);
                self.free_frames(self.current);
                self.deliver_to_resumer(0, n, true)
            }
        }
    }

    /// Completes the instruction of the (now top) frame that called a metamethod.
    fn finish_op(&mut self, v: Value, aux: usize) -> LuaResult<()> {
        let fk = self.th().top_frame.unwrap();
        let (base, pc, proto) = {
            let f = &self.frames[fk];
            (f.base, f.pc, f.closure.proto)
        };
        let i = proto.code[pc - 1];
        match i.op() {
            op if op.is_comparison() => {
                if v.truthy() != i.k() {
                    self.frames[fk].pc += 1;
                } else {
                    // Take the jump that follows.
                    let j = proto.code[pc];
                    self.frames[fk].pc = (pc as i64 + 1 + j.sj()) as usize;
                }
            }
            Op::SetTabUp | Op::SetTable | Op::SetI | Op::SetField => {}
            Op::Concat => {
                self.th_mut().stack[aux] = v;
                let first = base + i.a();
                let n = aux - first + 1;
                if n > 1 {
                    self.concat_slots(first, n, true)?;
                }
            }
            _ => {
                self.th_mut().stack[base + i.a()] = v;
            }
        }
        Ok(())
    }

    /// Hands values `[from, from+n)` of the current coroutine to whoever resumed it.
    fn deliver_to_resumer(
        &mut self,
        from: usize,
        n: usize,
        finished: bool,
    ) -> LuaResult<Option<Exit>> {
        let co = self.current;
        self.threads[co].status = if finished {
            CoStatus::Dead
        } else {
            CoStatus::Suspended
        };
        match self.threads[co].resumer {
            Resumer::Host => Ok(Some(if finished {
                Exit::Finished { slot: from, n }
            } else {
                Exit::Yielded { slot: from, n }
            })),
            Resumer::Lua {
                thread,
                slot,
                nresults,
                wrap,
            } => {
                let prefix = usize::from(!wrap);
                let [src, dst] = self.threads.get_disjoint_mut([co, thread]).unwrap();
                if !dst.ensure_stack(slot + n + prefix + 1 + nresults.max(0) as usize) {
                    self.set_current(thread);
                    return Err(self.rt_error("stack overflow"));
                }
                dst.stack[slot + prefix..slot + prefix + n]
                    .copy_from_slice(&src.stack[from..from + n]);
                if !wrap {
                    dst.stack[slot] = Value::Bool(true);
                }
                dst.status = CoStatus::Running;
                dst.gc_dirty = true;
                self.set_current(thread);
                if finished {
                    // A finished coroutine needs no register file: reuse it right away.
                    self.release_stack_of(co);
                }
                self.move_results(slot, n + prefix, slot, nresults);
                Ok(None)
            }
        }
    }

    /// Starts coroutine `co` (calling its body) or continues it after a yield, with `nargs`
    /// arguments written by `fill` at the slot it is given. Makes `co` current. Returns false when
    /// a native body already finished (results at slot 0, count in `top`).
    pub(crate) fn start_or_continue(
        &mut self,
        co: ThreadKey,
        nargs: usize,
        fill: impl FnOnce(&mut Vm, usize),
    ) -> LuaResult<bool> {
        self.set_current(co);
        let c = &mut self.threads[co];
        c.status = CoStatus::Running;
        c.gc_dirty = true;
        if !c.started {
            c.started = true;
            if !c.ensure_stack(nargs + 2) {
                return Err(self.rt_error("stack overflow"));
            }
            fill(self, 1);
            self.next_call_from_native = true;
            let r = self.precall(0, nargs, -1, FrameKind::CoroutineBody);
            self.next_call_from_native = false;
            let pushed = match r {
                // `coroutine.create(pcall)` with a Lua function: its protected frame is the
                // coroutine's bottom frame and stays in the loop, so the function may yield.
                Err(LuaError::Control(c @ Control::Pcall { handler }))
                    if matches!(self.th().stack.get(1), Some(Value::LuaFn(_)))
                        && nargs >= if handler { 2 } else { 1 } =>
                {
                    match self.control_in_loop(c, 0, nargs, -1)? {
                        Some(_) => unreachable!("a protected Lua call does not leave the loop"),
                        None => self.th().top_frame.is_some(),
                    }
                }
                // A native body asking for pcall or a resume: run it nested (it cannot yield).
                Err(LuaError::Control(c @ (Control::Pcall { .. } | Control::Resume { .. }))) => {
                    self.th_mut().nny += 1;
                    let n = self.control_nested(c, 0, nargs, -1);
                    self.th_mut().nny -= 1;
                    n?;
                    false
                }
                Err(LuaError::Control(Control::Yield)) => {
                    return Err(self.plain_error("attempt to yield across a C-call boundary"));
                }
                // A native body handing over to a function (`coroutine.wrap(dofile)`): that
                // function becomes the body.
                Err(LuaError::Control(Control::TailCall { nargs, .. })) => {
                    self.next_call_from_native = true;
                    let r = self.precall(0, nargs, -1, FrameKind::CoroutineBody);
                    self.next_call_from_native = false;
                    match r {
                        Err(LuaError::Control(c)) => {
                            self.th_mut().nny += 1;
                            let n = self.control_nested(c, 0, nargs, -1);
                            self.th_mut().nny -= 1;
                            n?;
                            false
                        }
                        other => other?,
                    }
                }
                other => other?,
            };
            if !pushed {
                self.threads[co].status = CoStatus::Dead;
            }
            Ok(pushed)
        } else if c.preempted {
            c.preempted = false;
            Ok(true)
        } else {
            let (slot, want) = (c.yield_slot, c.yield_nresults);
            if !c.ensure_stack(slot + nargs + want.max(0) as usize + 1) {
                return Err(self.rt_error("stack overflow"));
            }
            fill(self, slot);
            self.move_results(slot, nargs, slot, want);
            if self.hooks.mask & super::state::HOOK_RETURN != 0 {
                // `coroutine.yield` returns now: its return hook, as in PUC Lua.
                self.hook_event("return", None)?;
            }
            Ok(true)
        }
    }

    /// Carries out a control request from a native function called by the loop.
    fn control_in_loop(
        &mut self,
        c: Control,
        func: usize,
        nargs: usize,
        nresults: i32,
    ) -> LuaResult<Option<Exit>> {
        match c {
            Control::Pcall { handler } => {
                // `pcall(pcall, f)` chains: each level adds one `true` before the results.
                let (mut func, mut nargs, mut handler) = (func, nargs, handler);
                let outer = func;
                let mut extra = 0usize;
                // The level below the current one: its slot and whether it has a handler.
                let mut below = (func, false);
                loop {
                    let (callee, cnargs, kind) = match self.pcall_setup(func, nargs, handler) {
                        Ok(x) => x,
                        // This level's pcall/xpcall failed: the level below catches that.
                        Err(LuaError::Value(e)) if extra > 0 => {
                            let e = if below.1 {
                                self.call_handler(below.0, e)
                            } else {
                                e
                            };
                            self.pcall_failed(outer, extra - 1, e, nresults);
                            return Ok(None);
                        }
                        Err(e) => return Err(e),
                    };
                    let is_native = matches!(
                        self.th().stack[callee],
                        Value::Native(_) | Value::NativeClosure(_)
                    );
                    // Each protected call is a C level, as in PUC Lua: past the limit the call
                    // fails inside the pcall with "C stack overflow".
                    let r = if self.c_stack_full() {
                        self.budget.exhausted = Some(super::budget::Exhausted::CStack);
                        Err(self.plain_error("C stack overflow"))
                    } else {
                        // pcall makes the call, so a failure to call carries no Lua position.
                        self.next_call_from_native = true;
                        let r = if is_native {
                            let b = Barrier::protected_call(handler, func, callee);
                            self.behind_error_barrier(b, |vm| vm.precall(callee, cnargs, -1, kind))
                        } else {
                            self.precall(callee, cnargs, nresults, kind)
                        };
                        self.next_call_from_native = false;
                        r
                    };
                    let r = match r {
                        Ok(true) => {
                            self.enter_protected_frame(extra);
                            return Ok(None);
                        }
                        Ok(false) => Ok(self.th().top - callee),
                        Err(LuaError::Control(Control::Pcall { handler: h2 })) => {
                            extra += 1;
                            below = (func, handler);
                            func = callee;
                            nargs = cnargs;
                            handler = h2;
                            continue;
                        }
                        // `pcall(coroutine.yield, ...)`: the pcall yields; resumed, it returns
                        // true and the values passed to resume.
                        Err(LuaError::Control(Control::Yield)) => match self.yield_check() {
                            Ok(()) => {
                                let st = &mut self.th_mut().stack;
                                st[outer..callee].fill(Value::Bool(true));
                                let want = if nresults < 0 {
                                    -1
                                } else {
                                    (nresults - (callee - outer) as i32).max(0)
                                };
                                return self.yield_in_loop(callee, cnargs, want);
                            }
                            Err(e) => Err(e),
                        },
                        // A native handing over to a function (`pcall(dofile, f)`): call that
                        // under the same protection.
                        Err(LuaError::Control(Control::TailCall {
                            nargs: n2,
                            max_results,
                        })) => {
                            let callee_fn = self.th().stack[callee];
                            let native =
                                matches!(callee_fn, Value::Native(_) | Value::NativeClosure(_));
                            // (A capped hand-over under pcall runs nested: a frame has one
                            // kind, and `pcall(pairs, t)` yielding in `__pairs` is rare.)
                            if !native && max_results.is_none() {
                                self.next_call_from_native = true;
                                let r = self.precall(callee, n2, nresults, kind);
                                self.next_call_from_native = false;
                                match r {
                                    Ok(true) => {
                                        self.enter_protected_frame(extra);
                                        return Ok(None);
                                    }
                                    Ok(false) => Ok(self.th().top - callee),
                                    Err(LuaError::Control(c3)) => {
                                        self.control_nested(c3, callee, n2, -1)
                                    }
                                    Err(e) => Err(e),
                                }
                            } else {
                                self.call_slot(callee, n2, -1)
                                    .and_then(|n| match max_results {
                                        Some(cap) => self.exactly(callee, n, cap as usize),
                                        None => Ok(n),
                                    })
                            }
                        }
                        Err(LuaError::Control(c2)) => self.control_nested(c2, callee, cnargs, -1),
                        Err(e) => Err(e),
                    };
                    match r {
                        Ok(n) => {
                            let st = &mut self.th_mut().stack;
                            for k in 0..=extra {
                                st[outer + k] = Value::Bool(true);
                            }
                            self.move_results(outer, n + 1 + extra, outer, nresults);
                        }
                        Err(LuaError::Value(e)) => {
                            let e = if handler && !self.already_handled(func, &e) {
                                self.call_handler(func, e)
                            } else {
                                e
                            };
                            self.pcall_failed(outer, extra, e, nresults);
                        }
                        Err(c) => return Err(c),
                    }
                    return Ok(None);
                }
            }
            Control::Resume { thread, wrap } => {
                let (first, n) = if wrap {
                    (func + 1, nargs)
                } else {
                    (func + 2, nargs.saturating_sub(1))
                };
                let status = self
                    .threads
                    .get(thread)
                    .map(|c| c.status)
                    .unwrap_or(CoStatus::Dead);
                if status != CoStatus::Suspended || thread == self.current {
                    let msg = if status == CoStatus::Dead {
                        "cannot resume dead coroutine"
                    } else {
                        "cannot resume non-suspended coroutine"
                    };
                    if wrap {
                        return Err(self.rt_error(msg));
                    }
                    let m = self.str_value(msg);
                    let st = &mut self.th_mut().stack;
                    st[func] = Value::Bool(false);
                    st[func + 1] = m;
                    self.move_results(func, 2, func, nresults);
                    return Ok(None);
                }
                let me = self.current;
                if self.c_stack_full() {
                    self.budget.exhausted = Some(super::budget::Exhausted::CStack);
                    return Err(self.plain_error("C stack overflow"));
                }
                self.charge_fuel(1)?;
                let below = self.th().c_base + self.th().c_levels + 1;
                self.threads[thread].c_base = below;
                self.threads[me].status = CoStatus::Normal;
                self.threads[thread].resumer = Resumer::Lua {
                    thread: me,
                    slot: func,
                    nresults,
                    wrap,
                };
                let r = self.start_or_continue(thread, n, |vm, dst| {
                    let [src, d] = vm.threads.get_disjoint_mut([me, thread]).unwrap();
                    d.stack[dst..dst + n].copy_from_slice(&src.stack[first..first + n]);
                });
                match r {
                    Ok(true) => Ok(None),
                    Ok(false) => {
                        let cnt = self.threads[thread].top;
                        self.deliver_to_resumer(0, cnt, true)
                    }
                    Err(LuaError::Value(e)) => {
                        self.kill_coroutine(e);
                        self.recover_in_resumer(e)
                    }
                    Err(c) => Err(c),
                }
            }
            Control::Yield => {
                self.yield_check()?;
                self.yield_in_loop(func, nargs, nresults)
            }
            Control::TailCall { nargs, max_results } => {
                let native = matches!(
                    self.th().stack[func],
                    Value::Native(_) | Value::NativeClosure(_)
                );
                let kind = match max_results {
                    Some(_) if !native => FrameKind::Capped,
                    _ => FrameKind::Lua,
                };
                let want = if native && max_results.is_some() {
                    -1
                } else {
                    nresults
                };
                // The native makes the call: a failure to call carries no Lua position.
                self.next_call_from_native = true;
                let r = self.precall(func, nargs, want, kind);
                self.next_call_from_native = false;
                match r {
                    Ok(true) => {
                        if let Some(cap) = max_results {
                            let fk = self.th().top_frame.unwrap();
                            self.frames[fk].aux = cap as usize;
                        }
                        Ok(None)
                    }
                    Ok(false) => {
                        if let Some(cap) = max_results {
                            let n = self.exactly(func, self.th().top - func, cap as usize)?;
                            self.move_results(func, n, func, nresults);
                        }
                        Ok(None)
                    }
                    Err(LuaError::Control(c)) => self.control_in_loop(c, func, nargs, nresults),
                    Err(e) => Err(e),
                }
            }
        }
    }

    /// The protected call just pushed its frame: it remembers how many `pcall`s it chains
    /// (`extra`, one `true` each in its results) and counts as a C level.
    fn enter_protected_frame(&mut self, extra: usize) {
        let fk = self.th().top_frame.unwrap();
        self.frames[fk].aux = extra;
        self.th_mut().c_levels += 1;
    }

    /// Adjusts the `n` values at `first` to exactly `want` (dropping or adding nils), as a C
    /// function calling with a fixed result count sees them.
    fn exactly(&mut self, first: usize, n: usize, want: usize) -> LuaResult<usize> {
        if n < want {
            self.reserve_stack(first, want + 1)?;
            self.th_mut().stack[first + n..first + want].fill(Value::Nil);
        }
        Ok(want)
    }

    /// The error of a numeric for loop whose control variables `debug.setlocal` changed. Out of
    /// line: the loop's arm stays as small as it was with a panic there.
    #[cold]
    #[inline(never)]
    fn for_state_error(&mut self) -> LuaError {
        self.rt_error("'for' loop state changed during the loop")
    }

    /// Whether the running code may yield now; the error `coroutine.yield` raises if not
    /// (without a position: it comes from a C function in PUC Lua).
    fn yield_check(&mut self) -> LuaResult<()> {
        if self.current == self.main {
            return Err(self.plain_error("attempt to yield from outside a coroutine"));
        }
        if self.th().nny > 0 {
            return Err(self.plain_error("attempt to yield across a C-call boundary"));
        }
        Ok(())
    }

    /// Suspends the current coroutine, passing the `nargs` values above `func` to its resumer;
    /// resumed, the values it is given land at `func`, adjusted to `nresults`.
    fn yield_in_loop(
        &mut self,
        func: usize,
        nargs: usize,
        nresults: i32,
    ) -> LuaResult<Option<Exit>> {
        // A safe point: a coroutine that grew its register file without allocating is held to
        // the memory limits before it is suspended with it.
        self.gc_check()?;
        let th = self.th_mut();
        th.yield_slot = func;
        th.yield_nresults = nresults;
        self.deliver_to_resumer(func + 1, nargs, false)
    }

    /// Arranges the stack for `pcall`/`xpcall` at `func`: returns the callee slot, its argument
    /// count and the frame kind. For xpcall the handler moves into the xpcall slot.
    fn pcall_setup(
        &mut self,
        func: usize,
        nargs: usize,
        handler: bool,
    ) -> LuaResult<(usize, usize, FrameKind)> {
        if handler {
            let h = self.th().stack[func + 2];
            if nargs < 2 || !h.is_function() {
                let got = if nargs < 2 {
                    "no value".to_string()
                } else {
                    self.obj_type_name(&h)
                };
                return Err(self.arg_error(2, "xpcall", &format!("function expected, got {got}")));
            }
            let st = &mut self.th_mut().stack;
            st[func] = h;
            st.copy_within(func + 3..func + 1 + nargs, func + 2);
            Ok((func + 1, nargs - 2, FrameKind::Xpcall))
        } else {
            if nargs == 0 {
                return Err(self.arg_error(1, "pcall", "value expected"));
            }
            Ok((func + 1, nargs - 1, FrameKind::Pcall))
        }
    }

    /// Writes a failed pcall's results at `outer`: `extra` trues (outer pcalls that succeeded),
    /// then false and the error.
    fn pcall_failed(&mut self, outer: usize, extra: usize, e: Value, nresults: i32) {
        let st = &mut self.th_mut().stack;
        for k in 0..extra {
            st[outer + k] = Value::Bool(true);
        }
        st[outer + extra] = Value::Bool(false);
        st[outer + extra + 1] = e;
        self.move_results(outer, extra + 2, outer, nresults);
    }

    /// Runs xpcall's message handler (stored in the slot below the callee) on `e`.
    fn call_handler(&mut self, xpcall_slot: usize, e: Value) -> Value {
        let h = self.th().stack[xpcall_slot];
        self.run_message_handler(h, e)
    }

    /// Runs an xpcall message handler on error `e`. The handler gets extra stack and C levels
    /// (it often runs because one overflowed). As in PUC Lua, an error inside the handler is
    /// handed to the handler again, each time one C level deeper, so a handler that keeps failing
    /// (or recursing through `pcall`) ends in "error in error handling" after bounded work.
    pub(crate) fn run_message_handler(&mut self, h: Value, e: Value) -> Value {
        let saved = std::mem::replace(&mut self.in_error_handler, true);
        let saved_limit = std::mem::replace(
            &mut self.c_limit,
            super::state::MAX_C_DEPTH + super::state::ERROR_HANDLER_C_LEVELS,
        );
        let depth = self.c_depth;
        let mut e = e;
        let handled = loop {
            if self.c_stack_full() {
                break None;
            }
            match self.call1(h, &[e]) {
                Ok(v) => break Some(v),
                Err(LuaError::Value(again)) => {
                    e = again;
                    self.c_depth += 1;
                }
                Err(LuaError::Control(_)) => break None,
            }
        };
        self.c_depth = depth;
        self.c_limit = saved_limit;
        self.in_error_handler = saved;
        match handled {
            Some(v) => v,
            None => self.str_value("error in error handling"),
        }
    }

    /// Control requests from natives called from Rust (not from the loop): carried out with a
    /// nested interpreter where possible.
    pub(crate) fn control_nested(
        &mut self,
        c: Control,
        func: usize,
        nargs: usize,
        nresults: i32,
    ) -> LuaResult<usize> {
        match c {
            Control::Pcall { handler } => {
                let (callee, cnargs) = if handler {
                    if nargs < 2 {
                        return Err(self.arg_error(2, "xpcall", "value expected"));
                    }
                    let st = &mut self.th_mut().stack;
                    let h = st[func + 2];
                    st[func] = h;
                    st.copy_within(func + 3..func + 1 + nargs, func + 2);
                    (func + 1, nargs - 2)
                } else {
                    if nargs == 0 {
                        return Err(self.arg_error(1, "pcall", "value expected"));
                    }
                    (func + 1, nargs - 1)
                };
                let b = Barrier::protected_call(handler, func, callee);
                let r = self.behind_error_barrier(b, |vm| vm.call_slot(callee, cnargs, -1));
                match r {
                    Ok(n) => {
                        self.th_mut().stack[func] = Value::Bool(true);
                        self.move_results(func, n + 1, func, nresults);
                    }
                    Err(LuaError::Value(e)) => {
                        let e = if handler && !self.already_handled(func, &e) {
                            let h = self.th().stack[func];
                            self.run_message_handler(h, e)
                        } else {
                            e
                        };
                        let st = &mut self.th_mut().stack;
                        st[func] = Value::Bool(false);
                        st[func + 1] = e;
                        self.move_results(func, 2, func, nresults);
                    }
                    Err(c) => return Err(c),
                }
            }
            Control::Resume { thread, wrap } => {
                let (first, n) = if wrap {
                    (func + 1, nargs)
                } else {
                    (func + 2, nargs.saturating_sub(1))
                };
                let args: SmallVec<[Value; 8]> =
                    SmallVec::from_slice(&self.th().stack[first..first + n]);
                match self.resume_to_vec(thread, &args) {
                    Ok(out) => {
                        let vals = match out {
                            super::state::ResumeOutcome::Yielded(v)
                            | super::state::ResumeOutcome::Finished(v) => v,
                            super::state::ResumeOutcome::OutOfFuel => Vec::new(),
                        };
                        let prefix = usize::from(!wrap);
                        self.reserve_stack(func, vals.len() + 2)?;
                        let st = &mut self.th_mut().stack;
                        if !wrap {
                            st[func] = Value::Bool(true);
                        }
                        st[func + prefix..func + prefix + vals.len()].copy_from_slice(&vals);
                        self.move_results(func, vals.len() + prefix, func, nresults);
                    }
                    Err(LuaError::Value(e)) if !wrap => {
                        let st = &mut self.th_mut().stack;
                        st[func] = Value::Bool(false);
                        st[func + 1] = e;
                        self.move_results(func, 2, func, nresults);
                    }
                    Err(LuaError::Value(e)) => {
                        // A wrap function closes the pending variables of a coroutine that died
                        // of the error (not of one it could not resume, e.g. a running one).
                        let died = self
                            .threads
                            .get(thread)
                            .is_some_and(|c| c.status == CoStatus::Dead);
                        let e = if died {
                            self.close_thread(thread).unwrap_or(e)
                        } else {
                            e
                        };
                        return Err(LuaError::Value(e));
                    }
                    Err(e) => return Err(e),
                }
            }
            Control::Yield => {
                return Err(if self.current == self.main {
                    self.plain_error("attempt to yield from outside a coroutine")
                } else {
                    self.plain_error("attempt to yield across a C-call boundary")
                });
            }
            Control::TailCall { nargs, max_results } => {
                let n = self.call_slot(func, nargs, -1)?;
                let n = match max_results {
                    Some(cap) => self.exactly(func, n, cap as usize)?,
                    None => n,
                };
                self.move_results(func, n, func, nresults);
            }
        }
        Ok(self.th().top - func)
    }

    /// Marks the current coroutine dead with error `e`, closing what it left open.
    #[cold]
    #[inline(never)]
    fn kill_coroutine(&mut self, e: Value) {
        // Pending to-be-closed variables stay pending, as in Lua: `coroutine.close` (or a wrap
        // function) closes them. Upvalues stay open on the kept stack until then or until the
        // collector frees the coroutine.
        let co = self.current;
        // The frames stay for its traceback (the collector keeps none of their registers).
        let died_in = self
            .th()
            .top_frame
            .and_then(|k| self.call_target(k))
            .filter(|v| matches!(v, Value::Native(_) | Value::NativeClosure(_)))
            .unwrap_or(Value::Nil);
        let c = &mut self.threads[co];
        c.died_in = died_in;
        c.depth = 0;
        c.c_levels = 0;
        c.status = CoStatus::Dead;
        c.error = Some(e);
        // Only the open upvalues' and pending closes' slots stay live: a top left where the
        // error struck would keep everything below it (error messages of a deep recursion, its
        // registers) alive for as long as the coroutine is.
        let upvals_top = c.open_upvals.last().map_or(0, |&(s, _)| s + 1);
        let tbc_top = c.tbc.last().map_or(0, |&s| s + 1);
        c.top = upvals_top.max(tbc_top);
    }

    /// After a coroutine died with `e`: switch to its Lua resumer and either return
    /// `(false, e)` there or (for wrap) keep propagating the error. Host resumers get `Err`.
    fn recover_in_resumer(&mut self, e: Value) -> LuaResult<Option<Exit>> {
        let co = self.current;
        match self.threads[co].resumer {
            Resumer::Host => Err(LuaError::Value(e)),
            Resumer::Lua {
                thread,
                slot,
                nresults,
                wrap,
            } => {
                self.set_current(thread);
                self.threads[thread].status = CoStatus::Running;
                self.threads[thread].gc_dirty = true;
                if wrap {
                    let e = self.close_thread(co).unwrap_or(e);
                    // Propagate in the resumer, adding the caller's position to string messages
                    // like Lua's wrap does.
                    let e = match e {
                        Value::Str(s) => {
                            let mut m = self.where_prefix(1).into_bytes();
                            m.extend_from_slice(s.as_bytes());
                            // Charged without failing here (the error is being raised): a spent
                            // budget stops the code at its next check.
                            self.fuel = self.fuel.saturating_sub((s.len() >> 6) as i64);
                            Value::Str(self.intern(&m))
                        }
                        other => other,
                    };
                    return self.recover(e);
                }
                let st = &mut self.th_mut().stack;
                st[slot] = Value::Bool(false);
                st[slot + 1] = e;
                self.move_results(slot, 2, slot, nresults);
                Ok(None)
            }
        }
    }

    /// Unwinds after error `e` to the nearest protected call of the current coroutine. Returns
    /// `Err` when the error must leave the interpreter, and an exit when the coroutine ends
    /// (its bottom frame was the protected call: `coroutine.create(pcall)`).
    fn recover(&mut self, mut e: Value) -> LuaResult<Option<Exit>> {
        // Find the catching frame first, so a message handler sees the whole stack.
        let mut f = self.th().top_frame;
        let mut target = None;
        while let Some(k) = f {
            let fr = &self.frames[k];
            match fr.kind {
                FrameKind::Pcall
                | FrameKind::Xpcall
                | FrameKind::Fresh
                | FrameKind::CoroutineBody => {
                    target = Some(k);
                    break;
                }
                _ => f = fr.parent,
            }
        }
        let Some(tk) = target else {
            return Err(LuaError::Value(e));
        };
        let (kind, func) = (self.frames[tk].kind, self.frames[tk].func);
        let handler = (kind == FrameKind::Xpcall).then(|| self.th().stack[func - 1]);
        if let Some(h) = handler
            && !self.already_handled(func - 1, &e)
        {
            e = self.run_message_handler(h, e);
        }
        if kind == FrameKind::Fresh && !self.in_error_handler {
            // As in PUC Lua, the handler runs where the error was raised, while the nested call
            // (a `__close`, a `gsub` callback, a module `require` runs) is still on the stack
            // for its traceback; the xpcall then takes the handled error as it is (and so do
            // the nested calls it leaves on the way). An error that will reach the host gets
            // its traceback here for the same reason.
            match self.enclosing_catcher(tk) {
                Catcher::Handler(slot) => {
                    if !self.already_handled(slot, &e) {
                        let h = self.th().stack[slot];
                        e = self.run_message_handler(h, e);
                    }
                    self.handled_error = Some((slot, e));
                }
                Catcher::Host if self.capture_tracebacks => {
                    let taken = self.traceback_taken.take();
                    if !taken.is_some_and(|v| same_error(&v, &e)) {
                        self.last_traceback = Some(self.traceback());
                    }
                    self.traceback_taken = Some(e);
                }
                _ => {}
            }
        }
        if kind == FrameKind::CoroutineBody {
            self.kill_coroutine(e);
            return self.recover_in_resumer(e);
        }
        // Pop frames above and including the target, then close what they leave open (so a
        // `__close` runs as called from the protected call's level, as in PUC Lua), above
        // everything they used. A protected call keeps its frame while its variables close:
        // Lua `__close` methods run as frames of the loop (they may yield), and the error waits
        // in the callee's slot.
        self.th_mut().top = self.th().top.max(self.free_slot());
        let keep_target = matches!(kind, FrameKind::Pcall | FrameKind::Xpcall);
        self.pop_frames_to(tk, !keep_target);
        self.close_upvals(func);
        if keep_target {
            self.th_mut().stack[func] = e;
            return self.unwind_closes(tk);
        }
        if let Ok(Some(new_e)) = self.close_tbc_handled(func, Some(e), handler) {
            e = new_e;
        }
        self.close_upvals(func);
        // Everything the call left above its slot is dead: a stack top left high would keep it
        // (error messages, the frames' registers) alive for the collector.
        self.th_mut().top = func;
        Err(LuaError::Value(e))
    }

    /// Pops the current coroutine's frames above frame `tk`, and `tk` too when `including`.
    fn pop_frames_to(&mut self, tk: FrameKey, including: bool) {
        let mut cur = self.th().top_frame;
        while let Some(k) = cur {
            if k == tk && !including {
                break;
            }
            let fr = self.frames[k];
            let th = self.th_mut();
            th.depth -= 1;
            th.top_frame = fr.parent;
            if matches!(
                fr.kind,
                FrameKind::Meta | FrameKind::Pcall | FrameKind::Xpcall
            ) {
                th.c_levels -= 1;
            }
            cur = fr.parent;
            if k == tk {
                break;
            }
        }
    }

    /// The protected call of frame `tk` failed (with the error in its callee's slot) and its
    /// frames above are gone: closes its pending to-be-closed variables, innermost first, then
    /// completes the call with `false` and the error. A Lua `__close` method runs as a
    /// `CloseUnwind` frame above `tk` (so it may yield) and this continues when it returns; an
    /// error it raises replaces the one being unwound (through `recover`, which comes back
    /// here). Returns an exit when the coroutine ends (`coroutine.create(pcall)`).
    fn unwind_closes(&mut self, tk: FrameKey) -> LuaResult<Option<Exit>> {
        let (kind, func, nresults, extra, bottom) = {
            let t = &self.frames[tk];
            (t.kind, t.func, t.nresults, t.aux, t.parent.is_none())
        };
        while let Some(&slot) = self.th().tbc.last() {
            if slot < func {
                break;
            }
            self.th_mut().tbc.pop();
            let v = self.th().stack[slot];
            let e = self.th().stack[func];
            let tm = self.tm_of(&v, Tm::Close);
            let r = if tm.is_nil() {
                Err(self.rt_error("attempt to call a nil value (metamethod 'close')"))
            } else if let Value::LuaFn(_) = tm {
                let call_at = self.free_slot();
                self.reserve_stack(call_at, 3)?;
                let th = self.th_mut();
                th.stack[call_at..call_at + 3].copy_from_slice(&[tm, v, e]);
                th.top = call_at + 3;
                match self.precall(call_at, 2, 0, FrameKind::CloseUnwind) {
                    Ok(_) => return Ok(None),
                    Err(err) => Err(err),
                }
            } else {
                self.call1(tm, &[v, e]).map(|_| Value::Nil)
            };
            match r {
                Ok(_) => {}
                Err(LuaError::Value(new)) => {
                    let new = if kind == FrameKind::Xpcall {
                        self.call_handler(func - 1, new)
                    } else {
                        new
                    };
                    self.th_mut().stack[func] = new;
                }
                Err(c) => return Err(c),
            }
        }
        self.close_upvals(func);
        self.pop_frames_to(tk, true);
        let e = self.th().stack[func];
        let dest = func - 1 - extra;
        self.pcall_failed(dest, extra, e, nresults);
        if bottom {
            // The bottom frame of `coroutine.create(pcall)`: the coroutine ends.
            self.free_frames(self.current);
            return self.deliver_to_resumer(dest, extra + 2, true);
        }
        Ok(None)
    }

    /// Runs `f`, which catches the errors of the calls it makes without a frame of its own (a
    /// native under pcall or xpcall, a finalizer): a handler further out must not see them.
    pub(crate) fn behind_error_barrier<R>(
        &mut self,
        barrier: Barrier,
        f: impl FnOnce(&mut Self) -> R,
    ) -> R {
        let caller = self.th().top_frame;
        self.error_barriers.push((caller, barrier));
        let r = f(self);
        self.error_barriers.pop();
        r
    }

    /// The innermost error barrier set up while frame `caller` was running.
    pub(crate) fn barrier_of(&self, caller: Option<FrameKey>) -> Option<Barrier> {
        self.error_barriers
            .iter()
            .rev()
            .find(|b| b.0 == caller)
            .map(|b| b.1)
    }

    /// Whether error `e` already went through the message handler in stack slot `slot` (and
    /// forgets that it did: see `recover`).
    fn already_handled(&mut self, slot: usize, e: &Value) -> bool {
        matches!(self.handled_error.take(), Some((s, v)) if s == slot && same_error(&v, e))
    }

    /// What catches an error leaving the nested call whose frame is `fresh`.
    fn enclosing_catcher(&self, fresh: FrameKey) -> Catcher {
        let barrier = |k: Option<FrameKey>| {
            self.barrier_of(k).map(|b| match b {
                Barrier::Xpcall { handler, .. } => Catcher::Handler(handler),
                _ => Catcher::Silent,
            })
        };
        let mut f = self.frames[fresh].parent;
        while let Some(k) = f {
            if let Some(c) = barrier(Some(k)) {
                return c;
            }
            let fr = &self.frames[k];
            match fr.kind {
                FrameKind::Xpcall => return Catcher::Handler(fr.func - 1),
                FrameKind::Pcall | FrameKind::CoroutineBody => return Catcher::Silent,
                _ => f = fr.parent,
            }
        }
        barrier(None).unwrap_or(Catcher::Host)
    }

    /// Collector work at a collection point of the running frame (closure `cl`, instruction
    /// `at`, registers from `base`, `written` the register the instruction wrote): registers
    /// above those the compiler had in use there are dead. Out of line, so the instructions that
    /// allocate keep the interpreter loop's registers for their fast paths.
    #[cold]
    #[inline(never)]
    fn gc_at_point(
        &mut self,
        cl: Gc<super::function::LuaClosure>,
        at: usize,
        base: usize,
        written: usize,
    ) -> LuaResult<()> {
        let in_use = cl
            .proto
            .live_regs
            .get(at)
            .map_or(usize::MAX, |&n| n as usize);
        let live = base.saturating_add(in_use.max(written + 1));
        self.gc_check_live(live)
    }

    /// The fuel slice ran out at a call or back-jump: refill it, or stop. A coroutine the host
    /// resumed is suspended (resumed later, it continues at `resume_pc`); other code gets the
    /// budget's error.
    #[cold]
    fn out_of_fuel(&mut self, fk: FrameKey, resume_pc: usize) -> LuaResult<Option<Exit>> {
        let Some(kind) = self.refill() else {
            return Ok(None);
        };
        let co = self.current;
        let c = &self.threads[co];
        if co != self.main && c.nny == 0 && matches!(c.resumer, Resumer::Host) {
            self.frames[fk].pc = resume_pc;
            let c = &mut self.threads[co];
            c.preempted = true;
            c.status = CoStatus::Suspended;
            return Ok(Some(Exit::Preempted));
        }
        // The budget stays spent: a `pcall` that catches this error fails again at its next
        // call or loop, so a runaway script cannot outlive its budget. The host refills it.
        Err(self.budget_error(kind))
    }

    #[cold]
    fn int_div_error(&mut self, op: ArithOp) -> LuaError {
        if op == ArithOp::Mod {
            self.rt_error("attempt to perform 'n%0'")
        } else {
            self.rt_error("attempt to divide by zero")
        }
    }

    fn for_error(&mut self, what: &str, v: &Value) -> LuaError {
        let tn = self.obj_type_name(v);
        self.rt_error(&format!("bad 'for' {what} (number expected, got {tn})"))
    }

    fn for_prep(&mut self, ra: usize) -> LuaResult<bool> {
        let st = &self.th().stack;
        let (init, mut limit, step) = (st[ra], st[ra + 1], st[ra + 2]);
        if let Value::Str(s) = limit {
            // Numeric strings are accepted as limits (converted like arithmetic would).
            if let Some(n) = super::value::str_to_number(s.as_bytes()) {
                limit = n;
            }
        }
        if let (Value::Int(i0), Value::Int(stp)) = (init, step) {
            if stp == 0 {
                return Err(self.rt_error("'for' step is zero"));
            }
            let lim = match limit {
                Value::Int(l) => l,
                Value::Float(f) => {
                    let fl = if stp < 0 { f.ceil() } else { f.floor() };
                    match number::float_to_int_exact(fl) {
                        Some(l) => l,
                        None => {
                            if f > 0.0 {
                                if stp < 0 {
                                    return Ok(false);
                                }
                                i64::MAX
                            } else {
                                if stp > 0 {
                                    return Ok(false);
                                }
                                i64::MIN
                            }
                        }
                    }
                }
                _ => return Err(self.for_error("limit", &limit)),
            };
            if if stp > 0 { i0 > lim } else { i0 < lim } {
                return Ok(false);
            }
            let count = if stp > 0 {
                (lim as u64).wrapping_sub(i0 as u64) / stp as u64
            } else {
                (i0 as u64).wrapping_sub(lim as u64) / ((-(stp + 1)) as u64 + 1)
            };
            let st = &mut self.th_mut().stack;
            st[ra + 1] = Value::Int(count as i64);
            st[ra + 3] = Value::Int(i0);
            return Ok(true);
        }
        let to_f = |v: &Value| match *v {
            Value::Int(i) => Some(i as f64),
            Value::Float(f) => Some(f),
            Value::Str(s) => match super::value::str_to_number(s.as_bytes()) {
                Some(Value::Int(i)) => Some(i as f64),
                Some(Value::Float(f)) => Some(f),
                _ => None,
            },
            _ => None,
        };
        let Some(fl) = to_f(&limit) else {
            return Err(self.for_error("limit", &limit));
        };
        let Some(fs) = to_f(&step) else {
            return Err(self.for_error("step", &step));
        };
        let Some(fi) = to_f(&init) else {
            return Err(self.for_error("initial value", &init));
        };
        if fs == 0.0 {
            return Err(self.rt_error("'for' step is zero"));
        }
        if if fs > 0.0 { fl < fi } else { fi < fl } {
            return Ok(false);
        }
        let st = &mut self.th_mut().stack;
        st[ra] = Value::Float(fi);
        st[ra + 1] = Value::Float(fl);
        st[ra + 2] = Value::Float(fs);
        st[ra + 3] = Value::Float(fi);
        Ok(true)
    }

    /// The interpreter loop proper. Returns on an exit, or with the error after saving the pc.
    fn run<const HOOKS: bool, const COUNT: bool>(&mut self) -> LuaResult<Exit> {
        let mut fk: FrameKey;
        // The next instruction. A pointer rather than an index into the code: one loop-carried
        // value less for the register allocator, whose spilling of pc cost every dispatch.
        let mut ip: *const Instr;
        let mut kst: *const Value;
        let mut cl: Gc<super::function::LuaClosure>;
        let mut base_idx: usize;
        let mut base: *mut Value;

        // The current coroutine. Boxed, so the pointer stays valid while it is current; reloaded
        // with the frame whenever control may have switched coroutines.
        let mut thp: *mut super::thread::Coroutine;
        macro_rules! load_frame {
            () => {{
                thp = self.current_ptr();
                let th = unsafe { &mut *thp };
                fk = th.top_frame.unwrap();
                let fr = unsafe { self.frames.get_unchecked(fk) };
                cl = fr.closure;
                let p = cl.proto;
                ip = unsafe { p.code.as_ptr().add(fr.pc) };
                kst = p.consts.as_ptr();
                base_idx = fr.base;
                base = unsafe { th.stack.as_mut_ptr().add(base_idx) };
            }};
        }
        macro_rules! reload {
            () => {{
                base = unsafe { (*thp).stack.as_mut_ptr().add(base_idx) };
            }};
        }
        // Runs the next pending `__close` at or above `$level` as a call placed at `$call_at`
        // (see `call_next_close`); falls through when none is pending.
        macro_rules! close_step {
            ($level:expr, $call_at:expr) => {{
                let level = $level;
                if unsafe { &*thp }.tbc.last().is_some_and(|&s| s >= level) {
                    match self.call_next_close(fk, level, $call_at)? {
                        Some(CloseCall::Returned) => {
                            // This instruction again, for the next variable.
                            ip = unsafe { ip.sub(1) };
                            reload!();
                            continue;
                        }
                        Some(CloseCall::Entered) => {
                            load_frame!();
                            continue;
                        }
                        Some(CloseCall::Leave(x)) => return Ok(x),
                        Some(CloseCall::Rerun) => return Ok(Exit::Rerun),
                        None => {}
                    }
                }
            }};
        }
        // The index of the next instruction, as frames keep it.
        macro_rules! pc {
            () => {
                pc_index(ip, &cl.proto.code)
            };
        }
        macro_rules! save_pc {
            () => {{
                unsafe { self.frames.get_unchecked_mut(fk).pc = pc!() };
            }};
        }
        macro_rules! r {
            ($i:expr) => {
                *unsafe { &mut *base.add($i) }
            };
        }
        // A register read for copying elsewhere (see `Value::load_split`).
        macro_rules! rv {
            ($i:expr) => {
                unsafe { Value::load_split(base.add($i)) }
            };
        }
        macro_rules! k {
            ($i:expr) => {
                unsafe { *kst.add($i) }
            };
        }
        // Operand references: read tags and payloads in place instead of copying values.
        macro_rules! rr {
            ($i:expr) => {
                unsafe { &*base.add($i) }
            };
        }
        macro_rules! kr {
            ($i:expr) => {
                unsafe { &*kst.add($i) }
            };
        }
        macro_rules! top {
            () => {
                unsafe { (*thp).top }
            };
        }
        // After creating an object: collector work, then due finalizers (Lua code, run above the
        // frame's registers; it may move the register file, hence the reload). `$written` is the
        // register the instruction wrote: with the registers the compiler had in use, everything
        // live in the frame lies below it (see `gc_check_live`).
        macro_rules! gc_point {
            (finalizers) => {{
                if self.has_pending_finalizers() {
                    save_pc!();
                    self.run_pending_finalizers();
                    reload!();
                }
            }};
            ($written:expr) => {{
                if self.gc_due() {
                    self.gc_at_point(cl, pc!() - 1, base_idx, $written)?;
                }
                gc_point!(finalizers);
            }};
        }
        // Charges fuel (one unit unless given). `$resume_pc` is where a preempted coroutine
        // continues: the call instruction itself for calls (so the call is not skipped), the jump
        // target for backward jumps.
        macro_rules! charge {
            () => {
                charge!(pc!(), 1)
            };
            ($resume_pc:expr) => {
                charge!($resume_pc, 1)
            };
            ($resume_pc:expr, $units:expr) => {{
                self.fuel -= $units;
                if self.fuel <= 0 {
                    save_pc!();
                    if let Some(x) = self.out_of_fuel(fk, $resume_pc)? {
                        return Ok(x);
                    }
                }
            }};
        }
        macro_rules! jump {
            ($off:expr) => {{
                let off: i64 = $off;
                ip = unsafe { ip.offset(off as isize) };
                if off < 0 {
                    // A long loop body costs in proportion, so that a unit of fuel stays a
                    // bounded amount of work.
                    charge!(pc!(), loop_cost(-off));
                }
            }};
            (short $off:expr) => {{
                let off: i64 = $off;
                ip = unsafe { ip.offset(off as isize) };
                if off < 0 {
                    charge!();
                }
            }};
        }
        // A test's jump: backward only at the end of a `repeat` loop, whose body the compiler
        // keeps short there (a long one loops back through its own `Jmp`), so one unit.
        macro_rules! cond_jump {
            ($cond:expr, $i:expr) => {{
                if $cond != $i.k() {
                    ip = unsafe { ip.add(1) };
                } else {
                    let j = unsafe { *ip };
                    jump!(short j.sj() + 1);
                }
            }};
        }
        // Result of a slow path that may have pushed a metamethod frame.
        macro_rules! slow_value {
            ($a:expr, $e:expr) => {{
                save_pc!();
                match $e? {
                    Some(v) => {
                        reload!();
                        r!($a) = v;
                    }
                    None => {
                        load_frame!();
                    }
                }
            }};
        }
        macro_rules! arith {
            ($i:expr, $op:expr, $b:expr, $c:expr, $ob:expr, $oc:expr, $int:expr, $flt:expr) => {{
                let a = $i.a();
                let (vb, vc): (&Value, &Value) = ($b, $c);
                match (vb, vc) {
                    (Value::Int(x), Value::Int(y)) => r!(a) = $int(*x, *y),
                    (Value::Float(x), Value::Float(y)) => r!(a) = Value::Float($flt(*x, *y)),
                    (Value::Int(x), Value::Float(y)) => r!(a) = Value::Float($flt(*x as f64, *y)),
                    (Value::Float(x), Value::Int(y)) => r!(a) = Value::Float($flt(*x, *y as f64)),
                    _ => {
                        let (vb, vc) = (*vb, *vc);
                        if $i.k() {
                            // `k op x` compiled as `x op k` (only for + and *): the metamethod
                            // sees the operands in source order.
                            slow_value!(a, self.arith_meta($op, vc, vb, $oc, $ob, true))
                        } else {
                            slow_value!(a, self.arith_meta($op, vb, vc, $ob, $oc, true))
                        }
                    }
                }
            }};
        }
        macro_rules! arith_div {
            ($i:expr, $op:expr, $b:expr, $c:expr, $ob:expr, $oc:expr, $int:expr, $flt:expr) => {{
                let a = $i.a();
                let (vb, vc): (&Value, &Value) = ($b, $c);
                match (vb, vc) {
                    (Value::Int(x), Value::Int(y)) => match $int(*x, *y) {
                        Some(v) => r!(a) = Value::Int(v),
                        None => {
                            save_pc!();
                            return Err(self.int_div_error($op));
                        }
                    },
                    (Value::Float(x), Value::Float(y)) => r!(a) = Value::Float($flt(*x, *y)),
                    (Value::Int(x), Value::Float(y)) => r!(a) = Value::Float($flt(*x as f64, *y)),
                    (Value::Float(x), Value::Int(y)) => r!(a) = Value::Float($flt(*x, *y as f64)),
                    _ => {
                        let (vb, vc) = (*vb, *vc);
                        slow_value!(a, self.arith_meta($op, vb, vc, $ob, $oc, true))
                    }
                }
            }};
        }
        macro_rules! float_arith {
            ($i:expr, $op:expr, $b:expr, $c:expr, $ob:expr, $oc:expr, $flt:expr) => {{
                let a = $i.a();
                let (vb, vc): (&Value, &Value) = ($b, $c);
                let fx = match *vb {
                    Value::Int(x) => Some(x as f64),
                    Value::Float(x) => Some(x),
                    _ => None,
                };
                let fy = match *vc {
                    Value::Int(y) => Some(y as f64),
                    Value::Float(y) => Some(y),
                    _ => None,
                };
                match (fx, fy) {
                    (Some(x), Some(y)) => r!(a) = Value::Float($flt(x, y)),
                    _ => {
                        let (vb, vc) = (*vb, *vc);
                        slow_value!(a, self.arith_meta($op, vb, vc, $ob, $oc, true))
                    }
                }
            }};
        }
        macro_rules! bitwise {
            ($i:expr, $op:expr, $b:expr, $c:expr, $ob:expr, $oc:expr) => {{
                let a = $i.a();
                let (vb, vc): (&Value, &Value) = ($b, $c);
                match (vb, vc) {
                    (Value::Int(x), Value::Int(y)) => {
                        r!(a) = Value::Int(number::arith_int($op, *x, *y).unwrap())
                    }
                    _ => match (
                        super::value::value_to_int(vb),
                        super::value::value_to_int(vc),
                    ) {
                        (Some(x), Some(y)) => {
                            r!(a) = Value::Int(number::arith_int($op, x, y).unwrap())
                        }
                        _ => {
                            let (vb, vc) = (*vb, *vc);
                            slow_value!(a, self.arith_meta($op, vb, vc, $ob, $oc, true))
                        }
                    },
                }
            }};
        }
        // A raw store into table `$t` unless a `__newindex` could apply (its absence is cached
        // in the metatable, so objects with a class metatable stay on this path).
        macro_rules! set_raw {
            ($t:expr, $key:expr, $v:expr, $store:expr) => {{
                let tt: Gc<super::table::Table> = *$t;
                if tt
                    .meta
                    .is_none_or(|mt| self.fast_tm(mt, Tm::NewIndex).is_nil())
                {
                    self.heap.table_barrier_kv(tt, &$key, &$v);
                    let grown = $store;
                    if grown != 0 {
                        save_pc!();
                        self.account_growth(grown)?;
                    }
                    continue;
                }
            }};
        }
        // Any store `R[A][key] = RK(C)`, with metamethods.
        macro_rules! set_slow {
            ($i:expr, $key:expr) => {{
                let (t, key) = (r!($i.a()), $key);
                let v = if $i.k() { k!($i.c()) } else { rv!($i.c()) };
                save_pc!();
                if self.set_index_value(t, key, v, Origin::Reg($i.a()), true)? {
                    reload!();
                } else {
                    load_frame!();
                }
            }};
        }
        macro_rules! compare {
            ($i:expr, $x:expr, $y:expr, $le:expr, $ii:expr, $ff:expr, $if:expr, $fi:expr) => {{
                let (x, y): (&Value, &Value) = ($x, $y);
                let res = match (x, y) {
                    (Value::Int(p), Value::Int(q)) => $ii(*p, *q),
                    (Value::Float(p), Value::Float(q)) => $ff(*p, *q),
                    (Value::Int(p), Value::Float(q)) => $if(*p, *q),
                    (Value::Float(p), Value::Int(q)) => $fi(*p, *q),
                    _ => {
                        let (x, y) = (*x, *y);
                        save_pc!();
                        match self.compare_meta(x, y, $le, true)? {
                            Some(b) => {
                                reload!();
                                b
                            }
                            None => {
                                load_frame!();
                                continue;
                            }
                        }
                    }
                };
                cond_jump!(res, $i);
            }};
        }

        load_frame!();
        loop {
            if HOOKS && !self.hooks.running {
                save_pc!();
                let p = cl.proto;
                if self.hook_step(fk, &p, pc!())? {
                    // The hook ran on this coroutine's stack, which may have moved.
                    reload!();
                }
            }
            let i = unsafe { *ip };
            ip = unsafe { ip.add(1) };
            if COUNT {
                self.stats.instructions += 1;
            }
            match i.op() {
                Op::Move => r!(i.a()) = rv!(i.b()),
                Op::LoadI => r!(i.a()) = Value::Int(i.sbx()),
                Op::LoadF => r!(i.a()) = Value::Float(i.sbx() as f64),
                Op::LoadK => r!(i.a()) = k!(i.bx()),
                Op::LoadKX => {
                    let ax = unsafe { *ip }.ax();
                    ip = unsafe { ip.add(1) };
                    r!(i.a()) = k!(ax);
                }
                Op::LoadFalse => r!(i.a()) = Value::Bool(false),
                Op::LFalseSkip => {
                    r!(i.a()) = Value::Bool(false);
                    ip = unsafe { ip.add(1) };
                }
                Op::LoadTrue => r!(i.a()) = Value::Bool(true),
                Op::LoadNil => {
                    let a = i.a();
                    for j in 0..=i.b() {
                        r!(a + j) = Value::Nil;
                    }
                }
                Op::GetUpval => r!(i.a()) = unsafe { cl.upvals.get_unchecked(i.b()) }.get(),
                Op::SetUpval => {
                    let v = r!(i.a());
                    let uv = unsafe { cl.upvals.get_unchecked(i.b()) };
                    self.heap.value_barrier(uv.is_black(), &v);
                    uv.get_mut().set(v);
                }
                Op::GetTabUp => {
                    let up = unsafe { cl.upvals.get_unchecked(i.b()) };
                    // SAFETY: an upvalue's pointer is always valid (see `UpVal`).
                    if let (Value::Table(tt), Value::Str(ks)) = (unsafe { &*up.v }, kr!(i.c())) {
                        let v = tt.get_str(*ks);
                        if !v.is_nil() || tt.meta.is_none() {
                            r!(i.a()) = v;
                            continue;
                        }
                        // A sandbox environment: a table `__index` (e.g. `_G`) behind it.
                        if let Some(mt) = tt.meta
                            && let Some(outer) = self.index_table(mt)
                        {
                            let v = outer.get_str(*ks);
                            if !v.is_nil() || outer.meta.is_none() {
                                r!(i.a()) = v;
                                continue;
                            }
                        }
                    }
                    let (t, key) = (up.get(), k!(i.c()));
                    slow_value!(i.a(), self.index_value(t, key, Origin::Upval(i.b()), true));
                }
                Op::GetTable => {
                    if let Value::Table(tt) = rr!(i.b()) {
                        let v = match rr!(i.c()) {
                            Value::Int(n) => tt.get_int(*n),
                            Value::Str(s) => tt.get_str(*s),
                            key => tt.get(*key),
                        };
                        if !v.is_nil() || tt.meta.is_none() {
                            r!(i.a()) = v;
                            continue;
                        }
                    }
                    let (t, key) = (r!(i.b()), r!(i.c()));
                    slow_value!(i.a(), self.index_value(t, key, Origin::Reg(i.b()), true));
                }
                Op::GetI => {
                    if let Value::Table(tt) = rr!(i.b()) {
                        let v = tt.get_int(i.c() as i64);
                        if !v.is_nil() || tt.meta.is_none() {
                            r!(i.a()) = v;
                            continue;
                        }
                    }
                    let t = r!(i.b());
                    slow_value!(
                        i.a(),
                        self.index_value(t, Value::Int(i.c() as i64), Origin::Reg(i.b()), true)
                    );
                }
                Op::GetField => {
                    if let (Value::Table(tt), Value::Str(ks)) = (rr!(i.b()), kr!(i.c())) {
                        let v = tt.get_str(*ks);
                        if !v.is_nil() || tt.meta.is_none() {
                            r!(i.a()) = v;
                            continue;
                        }
                        // Class pattern: a table `__index` in the metatable.
                        if let Some(mt) = tt.meta
                            && let Some(class) = self.index_table(mt)
                        {
                            let v = class.get_str(*ks);
                            if !v.is_nil() || class.meta.is_none() {
                                r!(i.a()) = v;
                                continue;
                            }
                        }
                    }
                    let (t, key) = (r!(i.b()), k!(i.c()));
                    slow_value!(i.a(), self.index_value(t, key, Origin::Reg(i.b()), true));
                }
                Op::SetTabUp => {
                    let t = unsafe { cl.upvals.get_unchecked(i.a()) }.get();
                    let key = k!(i.b());
                    let v = if i.k() { k!(i.c()) } else { rv!(i.c()) };
                    if let (Value::Table(tt), Value::Str(ks)) = (t, key)
                        && tt.meta.is_none()
                    {
                        self.heap.table_barrier_kv(tt, &key, &v);
                        let grown = tt.get_mut().set_str(ks, v);
                        if grown != 0 {
                            save_pc!();
                            self.account_growth(grown)?;
                        }
                        continue;
                    }
                    save_pc!();
                    if self.set_index_value(t, key, v, Origin::Upval(i.a()), true)? {
                        reload!();
                    } else {
                        load_frame!();
                    }
                }
                Op::SetField => {
                    if let (Value::Table(tt), Value::Str(ks)) = (rr!(i.a()), kr!(i.b())) {
                        let v = if i.k() { k!(i.c()) } else { rv!(i.c()) };
                        // Overwriting a live field: `__newindex` applies to absent keys only,
                        // so this holds for objects with a metatable too.
                        if !v.is_nil()
                            && let Some(slot) = tt.get_mut().live_str_slot(*ks)
                        {
                            *slot = v;
                            if tt.is_black() {
                                self.heap.barrier_kv(*tt, &Value::Str(*ks), &v);
                            }
                            continue;
                        }
                        set_raw!(tt, Value::Str(*ks), v, tt.get_mut().set_str(*ks, v));
                    }
                    set_slow!(i, k!(i.b()));
                }
                Op::SetI => {
                    if let Value::Table(tt) = rr!(i.a()) {
                        let v = if i.k() { k!(i.c()) } else { rv!(i.c()) };
                        let key = i.b() as i64;
                        set_raw!(tt, Value::Int(key), v, tt.get_mut().set_int(key, v));
                    }
                    set_slow!(i, Value::Int(i.b() as i64));
                }
                Op::SetTable => {
                    if let Value::Table(tt) = rr!(i.a()) {
                        let v = if i.k() { k!(i.c()) } else { rv!(i.c()) };
                        match rr!(i.b()) {
                            Value::Int(n) => {
                                set_raw!(tt, Value::Int(*n), v, tt.get_mut().set_int(*n, v))
                            }
                            Value::Str(s) => {
                                set_raw!(tt, Value::Str(*s), v, tt.get_mut().set_str(*s, v))
                            }
                            _ => {}
                        }
                    }
                    set_slow!(i, r!(i.b()));
                }
                Op::NewTable => {
                    let t = self.new_table_with(i.b(), i.c());
                    r!(i.a()) = Value::Table(t);
                    save_pc!();
                    gc_point!(i.a());
                }
                Op::SelfOp => {
                    let a = i.a();
                    let obj = r!(i.b());
                    let key = if i.k() { k!(i.c()) } else { r!(i.c()) };
                    r!(a + 1) = obj;
                    if let (Value::Table(tt), Value::Str(ks)) = (obj, key) {
                        // The object itself, then (the common class pattern) a table
                        // `__index` of its metatable, before the general path.
                        let v = tt.get_str(ks);
                        if !v.is_nil() || tt.meta.is_none() {
                            r!(a) = v;
                            continue;
                        }
                        if let Some(mt) = tt.meta
                            && let Some(class) = self.index_table(mt)
                        {
                            let v = class.get_str(ks);
                            if !v.is_nil() || class.meta.is_none() {
                                r!(a) = v;
                                continue;
                            }
                        }
                    }
                    slow_value!(a, self.index_value(obj, key, Origin::Reg(i.b()), true));
                }
                Op::AddI => {
                    let a = i.a();
                    let imm = i.sc();
                    match r!(i.b()) {
                        Value::Int(x) => r!(a) = Value::Int(x.wrapping_add(imm)),
                        Value::Float(x) => r!(a) = Value::Float(x + imm as f64),
                        vb => slow_value!(
                            a,
                            self.arith_meta(
                                if i.k() { ArithOp::Sub } else { ArithOp::Add },
                                vb,
                                Value::Int(if i.k() { -imm } else { imm }),
                                Origin::Reg(i.b()),
                                Origin::None,
                                true
                            )
                        ),
                    }
                }
                Op::AddK => arith!(
                    i,
                    ArithOp::Add,
                    rr!(i.b()),
                    kr!(i.c()),
                    Origin::Reg(i.b()),
                    Origin::None,
                    |x: i64, y: i64| Value::Int(x.wrapping_add(y)),
                    |x: f64, y: f64| x + y
                ),
                Op::SubK => arith!(
                    i,
                    ArithOp::Sub,
                    rr!(i.b()),
                    kr!(i.c()),
                    Origin::Reg(i.b()),
                    Origin::None,
                    |x: i64, y: i64| Value::Int(x.wrapping_sub(y)),
                    |x: f64, y: f64| x - y
                ),
                Op::MulK => arith!(
                    i,
                    ArithOp::Mul,
                    rr!(i.b()),
                    kr!(i.c()),
                    Origin::Reg(i.b()),
                    Origin::None,
                    |x: i64, y: i64| Value::Int(x.wrapping_mul(y)),
                    |x: f64, y: f64| x * y
                ),
                Op::ModK => arith_div!(
                    i,
                    ArithOp::Mod,
                    rr!(i.b()),
                    kr!(i.c()),
                    Origin::Reg(i.b()),
                    Origin::None,
                    number::int_mod,
                    number::float_mod
                ),
                Op::IDivK => arith_div!(
                    i,
                    ArithOp::IDiv,
                    rr!(i.b()),
                    kr!(i.c()),
                    Origin::Reg(i.b()),
                    Origin::None,
                    number::int_idiv,
                    |x: f64, y: f64| (x / y).floor()
                ),
                Op::PowK => float_arith!(
                    i,
                    ArithOp::Pow,
                    rr!(i.b()),
                    kr!(i.c()),
                    Origin::Reg(i.b()),
                    Origin::None,
                    |x: f64, y: f64| number::arith_float(ArithOp::Pow, x, y)
                ),
                Op::DivK => float_arith!(
                    i,
                    ArithOp::Div,
                    rr!(i.b()),
                    kr!(i.c()),
                    Origin::Reg(i.b()),
                    Origin::None,
                    |x: f64, y: f64| x / y
                ),
                Op::BAndK => bitwise!(
                    i,
                    ArithOp::BAnd,
                    rr!(i.b()),
                    kr!(i.c()),
                    Origin::Reg(i.b()),
                    Origin::None
                ),
                Op::BOrK => bitwise!(
                    i,
                    ArithOp::BOr,
                    rr!(i.b()),
                    kr!(i.c()),
                    Origin::Reg(i.b()),
                    Origin::None
                ),
                Op::BXorK => bitwise!(
                    i,
                    ArithOp::BXor,
                    rr!(i.b()),
                    kr!(i.c()),
                    Origin::Reg(i.b()),
                    Origin::None
                ),
                Op::ShrI => bitwise!(
                    i,
                    ArithOp::Shr,
                    rr!(i.b()),
                    &Value::Int(i.sc()),
                    Origin::Reg(i.b()),
                    Origin::None
                ),
                Op::ShlI => bitwise!(
                    i,
                    ArithOp::Shl,
                    &Value::Int(i.sc()),
                    rr!(i.b()),
                    Origin::None,
                    Origin::Reg(i.b())
                ),
                Op::Add => arith!(
                    i,
                    ArithOp::Add,
                    rr!(i.b()),
                    rr!(i.c()),
                    Origin::Reg(i.b()),
                    Origin::Reg(i.c()),
                    |x: i64, y: i64| Value::Int(x.wrapping_add(y)),
                    |x: f64, y: f64| x + y
                ),
                Op::Sub => arith!(
                    i,
                    ArithOp::Sub,
                    rr!(i.b()),
                    rr!(i.c()),
                    Origin::Reg(i.b()),
                    Origin::Reg(i.c()),
                    |x: i64, y: i64| Value::Int(x.wrapping_sub(y)),
                    |x: f64, y: f64| x - y
                ),
                Op::Mul => arith!(
                    i,
                    ArithOp::Mul,
                    rr!(i.b()),
                    rr!(i.c()),
                    Origin::Reg(i.b()),
                    Origin::Reg(i.c()),
                    |x: i64, y: i64| Value::Int(x.wrapping_mul(y)),
                    |x: f64, y: f64| x * y
                ),
                Op::Mod => arith_div!(
                    i,
                    ArithOp::Mod,
                    rr!(i.b()),
                    rr!(i.c()),
                    Origin::Reg(i.b()),
                    Origin::Reg(i.c()),
                    number::int_mod,
                    number::float_mod
                ),
                Op::IDiv => arith_div!(
                    i,
                    ArithOp::IDiv,
                    rr!(i.b()),
                    rr!(i.c()),
                    Origin::Reg(i.b()),
                    Origin::Reg(i.c()),
                    number::int_idiv,
                    |x: f64, y: f64| (x / y).floor()
                ),
                Op::Pow => float_arith!(
                    i,
                    ArithOp::Pow,
                    rr!(i.b()),
                    rr!(i.c()),
                    Origin::Reg(i.b()),
                    Origin::Reg(i.c()),
                    |x: f64, y: f64| number::arith_float(ArithOp::Pow, x, y)
                ),
                Op::Div => float_arith!(
                    i,
                    ArithOp::Div,
                    rr!(i.b()),
                    rr!(i.c()),
                    Origin::Reg(i.b()),
                    Origin::Reg(i.c()),
                    |x: f64, y: f64| x / y
                ),
                Op::BAnd => bitwise!(
                    i,
                    ArithOp::BAnd,
                    rr!(i.b()),
                    rr!(i.c()),
                    Origin::Reg(i.b()),
                    Origin::Reg(i.c())
                ),
                Op::BOr => bitwise!(
                    i,
                    ArithOp::BOr,
                    rr!(i.b()),
                    rr!(i.c()),
                    Origin::Reg(i.b()),
                    Origin::Reg(i.c())
                ),
                Op::BXor => bitwise!(
                    i,
                    ArithOp::BXor,
                    rr!(i.b()),
                    rr!(i.c()),
                    Origin::Reg(i.b()),
                    Origin::Reg(i.c())
                ),
                Op::Shl => bitwise!(
                    i,
                    ArithOp::Shl,
                    rr!(i.b()),
                    rr!(i.c()),
                    Origin::Reg(i.b()),
                    Origin::Reg(i.c())
                ),
                Op::Shr => bitwise!(
                    i,
                    ArithOp::Shr,
                    rr!(i.b()),
                    rr!(i.c()),
                    Origin::Reg(i.b()),
                    Origin::Reg(i.c())
                ),
                Op::Unm => {
                    let a = i.a();
                    match r!(i.b()) {
                        Value::Int(x) => r!(a) = Value::Int(x.wrapping_neg()),
                        Value::Float(x) => r!(a) = Value::Float(-x),
                        v => slow_value!(
                            a,
                            self.arith_meta(
                                ArithOp::Unm,
                                v,
                                v,
                                Origin::Reg(i.b()),
                                Origin::Reg(i.b()),
                                true
                            )
                        ),
                    }
                }
                Op::BNot => {
                    let a = i.a();
                    let v = r!(i.b());
                    match super::value::value_to_int(&v) {
                        Some(x) => r!(a) = Value::Int(!x),
                        None => slow_value!(
                            a,
                            self.arith_meta(
                                ArithOp::BNot,
                                v,
                                v,
                                Origin::Reg(i.b()),
                                Origin::Reg(i.b()),
                                true
                            )
                        ),
                    }
                }
                Op::Not => r!(i.a()) = Value::Bool(r!(i.b()).is_falsy()),
                Op::Len => {
                    let a = i.a();
                    let v = r!(i.b());
                    match v {
                        Value::Str(s) => r!(a) = Value::Int(s.len() as i64),
                        Value::Table(t) if t.meta.is_none() => r!(a) = Value::Int(t.len()),
                        _ => slow_value!(a, self.len_value(v, Origin::Reg(i.b()), true)),
                    }
                }
                Op::Concat => {
                    save_pc!();
                    if self.concat_slots(base_idx + i.a(), i.b(), true)? {
                        reload!();
                        gc_point!(i.a());
                    } else {
                        // A `__concat` frame runs now: collect at the frame's own points.
                        load_frame!();
                    }
                }
                Op::Close => {
                    save_pc!();
                    let level = base_idx + i.a();
                    self.close_upvals(level);
                    let call_at = base_idx + cl.proto.maxstack as usize;
                    close_step!(level, call_at);
                }
                Op::Tbc => {
                    let v = r!(i.a());
                    if v.truthy() {
                        if self.tm_of(&v, Tm::Close).is_nil() {
                            save_pc!();
                            let p = cl.proto;
                            let name = super::debug::obj_name(&p, pc!() - 1, i.a())
                                .map(|(_, n)| n)
                                .unwrap_or_else(|| "?".into());
                            return Err(self
                                .rt_error(&format!("variable '{name}' got a non-closable value")));
                        }
                        self.th_mut().tbc.push(base_idx + i.a());
                    }
                }
                Op::Jmp => jump!(i.sj()),
                Op::Eq => {
                    let res = if rr!(i.a()).raw_eq(rr!(i.b())) {
                        true
                    } else if let (x, y) = (r!(i.a()), r!(i.b()))
                        && matches!(
                            (x, y),
                            (Value::Table(_), Value::Table(_))
                                | (Value::UserData(_), Value::UserData(_))
                        )
                    {
                        save_pc!();
                        let (x, y) = (r!(i.a()), r!(i.b()));
                        match self.eq_meta(x, y, true)? {
                            Some(b) => {
                                reload!();
                                b
                            }
                            None => {
                                load_frame!();
                                continue;
                            }
                        }
                    } else {
                        false
                    };
                    cond_jump!(res, i);
                }
                Op::Lt => compare!(
                    i,
                    rr!(i.a()),
                    rr!(i.b()),
                    false,
                    |p: i64, q: i64| p < q,
                    |p: f64, q: f64| p < q,
                    number::lt_int_float,
                    number::lt_float_int
                ),
                Op::Le => compare!(
                    i,
                    rr!(i.a()),
                    rr!(i.b()),
                    true,
                    |p: i64, q: i64| p <= q,
                    |p: f64, q: f64| p <= q,
                    number::le_int_float,
                    number::le_float_int
                ),
                Op::EqK => {
                    let res = r!(i.a()).raw_eq(&k!(i.b()));
                    cond_jump!(res, i);
                }
                Op::EqI => {
                    let res = match r!(i.a()) {
                        Value::Int(x) => x == i.sb(),
                        Value::Float(x) => x == i.sb() as f64,
                        _ => false,
                    };
                    cond_jump!(res, i);
                }
                // The immediate is a small integer, exact as a float: mixed compares are plain
                // float compares (NaN compares false either way).
                Op::LtI => compare!(
                    i,
                    rr!(i.a()),
                    &Value::Int(i.sb()),
                    false,
                    |p: i64, q: i64| p < q,
                    |p: f64, q: f64| p < q,
                    |p: i64, q: f64| (p as f64) < q,
                    |p: f64, q: i64| p < q as f64
                ),
                Op::LeI => compare!(
                    i,
                    rr!(i.a()),
                    &Value::Int(i.sb()),
                    true,
                    |p: i64, q: i64| p <= q,
                    |p: f64, q: f64| p <= q,
                    |p: i64, q: f64| (p as f64) <= q,
                    |p: f64, q: i64| p <= q as f64
                ),
                Op::GtI => compare!(
                    i,
                    &Value::Int(i.sb()),
                    rr!(i.a()),
                    false,
                    |p: i64, q: i64| p < q,
                    |p: f64, q: f64| p < q,
                    |p: i64, q: f64| (p as f64) < q,
                    |p: f64, q: i64| p < q as f64
                ),
                Op::GeI => compare!(
                    i,
                    &Value::Int(i.sb()),
                    rr!(i.a()),
                    true,
                    |p: i64, q: i64| p <= q,
                    |p: f64, q: f64| p <= q,
                    |p: i64, q: f64| (p as f64) <= q,
                    |p: f64, q: i64| p <= q as f64
                ),
                Op::Test => {
                    let res = r!(i.a()).truthy();
                    cond_jump!(res, i);
                }
                Op::TestSet => {
                    let v = r!(i.b());
                    if v.truthy() != i.k() {
                        ip = unsafe { ip.add(1) };
                    } else {
                        r!(i.a()) = v;
                        let j = unsafe { *ip };
                        jump!(short j.sj() + 1);
                    }
                }
                Op::Call => {
                    let a = i.a();
                    let func = base_idx + a;
                    let nargs = if i.b() != 0 {
                        i.b() - 1
                    } else {
                        top!() - func - 1
                    };
                    let nresults = i.c() as i32 - 1;
                    save_pc!();
                    // Fast path: a fixed-arity Lua function with room on the stack becomes the
                    // running frame right here.
                    if let Value::LuaFn(ncl) = r!(a) {
                        let p = ncl.proto;
                        charge!(pc!() - 1, call_cost(p.code.len()));
                        let th = unsafe { &mut *thp };
                        let nbase = func + 1;
                        let need = nbase + p.maxstack as usize;
                        if !p.is_vararg
                            && need <= th.stack.len()
                            && th.depth < self.limits.max_call_depth
                        {
                            for j in nargs..p.numparams as usize {
                                unsafe { *base.add(a + 1 + j) = Value::Nil };
                            }
                            // The collector clears stale registers up to `hwm` (so a value
                            // left above the live part never outlives its object).
                            if need > th.hwm {
                                th.hwm = need;
                            }
                            let key =
                                self.push_lua_frame(Some(fk), ncl, func, nresults, FrameKind::Lua);
                            th.top_frame = Some(key);
                            th.depth += 1;
                            self.stats.calls += 1;
                            fk = key;
                            cl = ncl;
                            ip = p.code.as_ptr();
                            kst = p.consts.as_ptr();
                            base_idx = nbase;
                            base = unsafe { base.add(a + 1) };
                            continue;
                        }
                    } else {
                        charge!(pc!() - 1);
                    }
                    let callee = r!(a);
                    let hooked_native =
                        HOOKS && matches!(callee, Value::Native(_) | Value::NativeClosure(_));
                    let called = if hooked_native {
                        // Call and return hooks of a native (a Lua function's fire in its frame).
                        self.call_native_hooked(fk, func, nargs, nresults)
                    } else {
                        match callee {
                            // A native function (the other common callee) skips precall's
                            // dispatch.
                            Value::Native(nf) => {
                                self.call_native(nf, func, nargs, nresults).map(|()| false)
                            }
                            _ => self.precall(func, nargs, nresults, FrameKind::Lua),
                        }
                    };
                    match called {
                        Ok(true) => load_frame!(),
                        Ok(false) => {
                            reload!();
                            gc_point!(a);
                            if self.hooks.changed {
                                // debug.sethook ran: its own return is hooked already (as in
                                // PUC Lua); continue in the other build of the loop.
                                if !HOOKS
                                    && matches!(callee, Value::Native(_) | Value::NativeClosure(_))
                                {
                                    self.native_return_hook(fk, callee, func)?;
                                }
                                return Ok(Exit::Rerun);
                            }
                        }
                        Err(LuaError::Control(c)) => {
                            if let Some(x) = self.control_in_loop(c, func, nargs, nresults)? {
                                return Ok(x);
                            }
                            if self.hooks.changed {
                                // Another coroutine (with another hook) runs now.
                                return Ok(Exit::Rerun);
                            }
                            load_frame!();
                        }
                        Err(e) => return Err(e),
                    }
                }
                Op::TailCall => {
                    let a = i.a();
                    let func = base_idx + a;
                    let mut nargs = if i.b() != 0 {
                        i.b() - 1
                    } else {
                        top!() - func - 1
                    };
                    save_pc!();
                    let units = match r!(a) {
                        Value::LuaFn(c) => call_cost(c.proto.code.len()),
                        _ => 1,
                    };
                    charge!(pc!() - 1, units);
                    if !r!(a).is_function() {
                        // A callable object: its `__call` takes its place, the object becomes
                        // the first argument, and the tail call stays a tail call.
                        let tm = self.tm_of(&r!(a), Tm::Call);
                        if tm.is_function() {
                            self.reserve_stack(func, nargs + 2)?;
                            let st = &mut self.th_mut().stack;
                            st.copy_within(func..func + 1 + nargs, func + 1);
                            st[func] = tm;
                            nargs += 1;
                            reload!();
                        }
                    }
                    if let Value::LuaFn(_) = r!(a) {
                        self.close_upvals(base_idx);
                        let fr = self.frames[fk];
                        let th = self.th_mut();
                        th.top_frame = fr.parent;
                        th.depth -= 1;
                        th.stack.copy_within(func..func + 1 + nargs, fr.func);
                        self.precall(fr.func, nargs, fr.nresults, fr.kind)?;
                        let nk = self.th().top_frame.unwrap();
                        self.frames[nk].aux = fr.aux;
                        self.frames[nk].tail = true;
                        if HOOKS {
                            // The frame may be the same slot: its call hook must still fire.
                            self.hooks.last_frame = None;
                        }
                        load_frame!();
                    } else {
                        // Natives and callable objects: an ordinary call; the Return that
                        // follows passes the results on.
                        let called = if HOOKS && r!(a).is_function() {
                            self.call_native_hooked(fk, func, nargs, -1)
                        } else {
                            self.precall(func, nargs, -1, FrameKind::Lua)
                        };
                        match called {
                            Ok(true) => load_frame!(),
                            Ok(false) => reload!(),
                            Err(LuaError::Control(c)) => {
                                if let Some(x) = self.control_in_loop(c, func, nargs, -1)? {
                                    return Ok(x);
                                }
                                if self.hooks.changed {
                                    return Ok(Exit::Rerun);
                                }
                                load_frame!();
                            }
                            Err(e) => return Err(e),
                        }
                    }
                }
                Op::Return => {
                    // (do_return runs the return hook.)
                    let a = i.a();
                    let first = base_idx + a;
                    let n = if i.b() != 0 {
                        i.b() - 1
                    } else {
                        top!() - first
                    };
                    save_pc!();
                    // The `__close` calls go above the results. With B = 0 the results are
                    // temporaries above every local, and run again this Return takes them up to
                    // the top, which the call leaves right after them. Otherwise the results may
                    // be locals below a pending variable: above the frame's registers.
                    let call_at = if i.b() == 0 {
                        first + n
                    } else {
                        (first + n).max(base_idx + cl.proto.maxstack as usize)
                    };
                    close_step!(base_idx, call_at);
                    if let Some(x) = self.do_return(fk, first, n)? {
                        return Ok(x);
                    }
                    load_frame!();
                }
                Op::Return0 | Op::Return1 => {
                    let n = if i.op() == Op::Return0 { 0 } else { 1 };
                    let first = base_idx + i.a();
                    let fr = unsafe { self.frames.get_unchecked(fk) };
                    let th = unsafe { &mut *thp };
                    // k: the compiler could not rule out open upvalues or pending closes.
                    let no_close = !i.k()
                        || (th.open_upvals.last().is_none_or(|&(s, _)| s < base_idx)
                            && th.tbc.last().is_none_or(|&s| s < base_idx));
                    let kind = fr.kind;
                    // (A host caller wanting more than one result may need the stack grown.)
                    let to_host = kind == FrameKind::Fresh && fr.nresults <= 1;
                    // (With hooks on, do_return runs the return hook.)
                    if !HOOKS && (kind == FrameKind::Lua || to_host) && no_close {
                        // Fast path: a plain return to a Lua caller (whose frame resumes here) or
                        // to the host (`Vm::call`).
                        let (func, want, parent) = (fr.func, fr.nresults, fr.parent);
                        let sp = th.stack.as_mut_ptr();
                        unsafe {
                            if n == 1 {
                                *sp.add(func) = Value::load_split(base.add(i.a()));
                            } else {
                                *sp.add(func) = Value::Nil;
                            }
                            if want < 0 {
                                th.top = func + n;
                            } else {
                                for j in 1..want as usize {
                                    *sp.add(func + j) = Value::Nil;
                                }
                                th.top = func + want as usize;
                            }
                        }
                        th.top_frame = parent;
                        th.depth -= 1;
                        if to_host {
                            let n = if want < 0 { n } else { want as usize };
                            return Ok(Exit::Returned { n });
                        }
                        fk = parent.unwrap();
                        let pf = unsafe { self.frames.get_unchecked(fk) };
                        cl = pf.closure;
                        let p = cl.proto;
                        ip = unsafe { p.code.as_ptr().add(pf.pc) };
                        kst = p.consts.as_ptr();
                        base_idx = pf.base;
                        base = unsafe { sp.add(base_idx) };
                        continue;
                    }
                    save_pc!();
                    close_step!(
                        base_idx,
                        (first + n).max(base_idx + cl.proto.maxstack as usize)
                    );
                    if let Some(x) = self.do_return(fk, first, n)? {
                        return Ok(x);
                    }
                    load_frame!();
                }
                Op::ForLoop => {
                    let a = i.a();
                    // SAFETY: a for loop's four registers are in the frame's window.
                    let regs = unsafe { &mut *(base.add(a) as *mut [Value; 4]) };
                    if let [Value::Int(idx), Value::Int(count), Value::Int(step), var] = regs {
                        // Integer loop: the iteration count was precomputed by ForPrep. Only the
                        // payloads change (the tags are already Int).
                        if *count as u64 > 0 {
                            *count = (*count as u64 - 1) as i64;
                            *idx = idx.wrapping_add(*step);
                            *var = Value::Int(*idx);
                            // A backward jump: always charged.
                            ip = unsafe { ip.sub(i.bx()) };
                            charge!(pc!(), loop_cost(i.bx() as i64));
                        }
                    } else {
                        let (Value::Float(idx), Value::Float(lim), Value::Float(step)) =
                            (r!(a), r!(a + 1), r!(a + 2))
                        else {
                            // Only `debug.setlocal` on the hidden control variables gets here
                            // (the compiler and the binary-chunk verifier never allow it).
                            save_pc!();
                            return Err(self.for_state_error());
                        };
                        let idx = idx + step;
                        if if step > 0.0 { idx <= lim } else { lim <= idx } {
                            r!(a) = Value::Float(idx);
                            r!(a + 3) = Value::Float(idx);
                            jump!(-(i.bx() as i64));
                        }
                    }
                }
                Op::ForPrep => {
                    let a = i.a();
                    // The common case, inline: integer loop counting up.
                    if let (Value::Int(i0), Value::Int(lim), Value::Int(stp)) =
                        (r!(a), r!(a + 1), r!(a + 2))
                        && stp > 0
                    {
                        if i0 > lim {
                            ip = unsafe { ip.add(i.bx() + 1) };
                        } else {
                            let count = (lim as u64).wrapping_sub(i0 as u64) / stp as u64;
                            r!(a + 1) = Value::Int(count as i64);
                            r!(a + 3) = Value::Int(i0);
                        }
                        continue;
                    }
                    save_pc!();
                    let run = self.for_prep(base_idx + i.a())?;
                    reload!();
                    if !run {
                        ip = unsafe { ip.add(i.bx() + 1) };
                    }
                }
                Op::TForPrep => {
                    let a = i.a();
                    let v = r!(a + 3);
                    if v.truthy() {
                        if self.tm_of(&v, Tm::Close).is_nil() {
                            save_pc!();
                            return Err(
                                self.rt_error("variable '(for state)' got a non-closable value")
                            );
                        }
                        self.th_mut().tbc.push(base_idx + a + 3);
                    }
                    ip = unsafe { ip.add(i.bx()) };
                }
                Op::TForCall => {
                    let a = i.a();
                    r!(a + 4) = r!(a);
                    r!(a + 5) = r!(a + 1);
                    r!(a + 6) = r!(a + 2);
                    let func = base_idx + a + 4;
                    let nresults = i.c() as i32;
                    save_pc!();
                    match self.precall(func, 2, nresults, FrameKind::Lua) {
                        Ok(true) => load_frame!(),
                        Ok(false) => reload!(),
                        Err(LuaError::Control(c)) => {
                            if let Some(x) = self.control_in_loop(c, func, 2, nresults)? {
                                return Ok(x);
                            }
                            load_frame!();
                        }
                        Err(e) => return Err(e),
                    }
                }
                Op::TForLoop => {
                    let a = i.a();
                    let v = r!(a + 4);
                    if !v.is_nil() {
                        r!(a + 2) = v;
                        jump!(-(i.bx() as i64));
                    }
                }
                Op::SetList => {
                    let a = i.a();
                    let n = if i.b() == 0 {
                        top!() - (base_idx + a) - 1
                    } else {
                        i.b()
                    };
                    let mut offset = i.c() as i64;
                    if i.k() {
                        offset += unsafe { *ip }.ax() as i64 * 256;
                        ip = unsafe { ip.add(1) };
                    }
                    if n > 64 {
                        // `{table.unpack(big)}`: a million stores in one instruction.
                        save_pc!();
                        self.charge_fuel(n as i64 / 16)?;
                    }
                    if let Value::Table(t) = r!(a) {
                        self.heap.table_barrier(t);
                        // SAFETY: the items are the n registers after the table's, in the
                        // stack (below its top for a multi-value list).
                        let items = unsafe { std::slice::from_raw_parts(base.add(a + 1), n) };
                        let grown = t.get_mut().set_list(offset as usize, items);
                        if grown != 0 {
                            save_pc!();
                            self.account_growth(grown)?;
                        }
                    }
                }
                Op::Closure => {
                    let p = cl.proto.protos[i.bx()];
                    // Gathered on the Rust stack; the closure copies them into its own storage
                    // (recycled with the closure's box).
                    let mut upvals: SmallVec<[Gc<UpVal>; 16]> = SmallVec::new();
                    for d in p.upvals.iter() {
                        if d.in_stack {
                            upvals.push(self.find_upval(base_idx + d.index as usize));
                        } else {
                            upvals.push(cl.upvals[d.index as usize]);
                        }
                    }
                    let ncl = self.new_closure(p, &upvals);
                    reload!();
                    r!(i.a()) = Value::LuaFn(ncl);
                    save_pc!();
                    gc_point!(i.a());
                }
                Op::VarArg => {
                    let a = i.a();
                    let fr = unsafe { self.frames.get_unchecked(fk) };
                    let nvar = fr.nvarargs;
                    let src = fr.func + 1 + cl.proto.numparams as usize;
                    let want = i.c() as i32 - 1;
                    let dest = base_idx + a;
                    if want < 0 {
                        save_pc!();
                        self.reserve_stack(dest, nvar + 1)?;
                    }
                    self.move_results_vararg(src, nvar, dest, want);
                    reload!();
                }
                Op::ExtraArg => unreachable!("consumed by the previous instruction"),
            }
        }
    }

    /// Copies varargs (which live below the frame) into registers.
    fn move_results_vararg(&mut self, src: usize, n: usize, dest: usize, want: i32) {
        let th = self.th_mut();
        let count = if want < 0 { n } else { want as usize };
        let copy = n.min(count);
        th.stack.copy_within(src..src + copy, dest);
        for j in copy..count {
            th.stack[dest + j] = Value::Nil;
        }
        th.top = dest + count;
    }
}

impl Vm {
    fn close_upvals_of(&mut self, t: ThreadKey) {
        let prev = self.current;
        self.set_current(t);
        self.close_upvals(0);
        self.set_current(prev);
    }

    pub(crate) fn thread_yieldable(&self, t: ThreadKey) -> bool {
        t != self.main && self.threads.get(t).is_some_and(|c| c.nny == 0)
    }

    #[inline(never)]
    /// Before each instruction when hooks are set: count, line and call events. Returns whether
    /// a hook ran (the caller reloads its cached frame state).
    fn hook_step(
        &mut self,
        fk: FrameKey,
        p: &Gc<super::function::Proto>,
        pc: usize,
    ) -> LuaResult<bool> {
        let mask = self.hooks.mask;
        let mut ran = false;
        // As in PUC Lua, the hook sees the instruction about to run as the current one (the
        // frame's position past it), and the frame is not inside the native that instruction
        // may call.
        self.frames[fk].pc = pc + 1;
        self.hooks.at_instruction = true;
        let r = self.hook_step_events(fk, p, pc, mask, &mut ran);
        self.hooks.at_instruction = false;
        if let Some(fr) = self.frames.get_mut(fk) {
            fr.pc = pc;
        }
        r?;
        self.hooks.last_frame = Some(fk);
        self.hooks.last_pc = pc;
        Ok(ran)
    }

    fn hook_step_events(
        &mut self,
        fk: FrameKey,
        p: &Gc<super::function::Proto>,
        pc: usize,
        mask: u8,
        ran: &mut bool,
    ) -> LuaResult<()> {
        use super::state::{HOOK_CALL, HOOK_COUNT, HOOK_LINE};
        let new_frame = self.hooks.last_frame != Some(fk);
        if new_frame && pc == 0 && mask & HOOK_CALL != 0 {
            self.lua_call_hook(fk)?;
            *ran = true;
        }
        // (A hook may have set another: the call hook can turn on the line hook.)
        let mask = if *ran { self.hooks.mask } else { mask };
        if mask & HOOK_COUNT != 0 {
            self.hooks.counter -= 1;
            if self.hooks.counter <= 0 {
                self.hooks.counter = self.hooks.count.max(1);
                self.hook_event("count", None)?;
                *ran = true;
            }
        }
        if mask & HOOK_LINE != 0 {
            let line = p.lineinfo.get(pc).copied().unwrap_or(0);
            let fire = if new_frame {
                // Entering a function fires; returning into a caller mid-line does not.
                pc == 0 || line != p.lineinfo.get(pc.saturating_sub(1)).copied().unwrap_or(0)
            } else {
                pc <= self.hooks.last_pc
                    || line != p.lineinfo.get(self.hooks.last_pc).copied().unwrap_or(0)
            };
            if fire {
                // A stripped function has no lines: the hook gets nil, as in PUC Lua.
                let line = (!p.lineinfo.is_empty()).then_some(line as i64);
                self.hook_event("line", line)?;
                *ran = true;
            }
        }
        Ok(())
    }

    /// The call hook of Lua frame `fk`, which transfers its parameters.
    #[cold]
    #[inline(never)]
    fn lua_call_hook(&mut self, fk: FrameKey) -> LuaResult<()> {
        let fr = &self.frames[fk];
        let transfer = Transfer {
            first_slot: fr.base,
            count: fr.closure.proto.numparams as usize,
            ftransfer: 1,
        };
        let event = if fr.tail { "tail call" } else { "call" };
        self.transfer_hook_event(event, transfer)
    }

    /// The return hook of the running Lua function (the top frame still), whose `n` results
    /// start at `first`.
    #[cold]
    #[inline(never)]
    fn return_hook(&mut self, first: usize, n: usize) -> LuaResult<()> {
        // The hook runs above the results.
        self.th_mut().top = first + n;
        let base = self.th().top_frame.map_or(first, |k| self.frames[k].base);
        let transfer = Transfer {
            first_slot: first,
            count: n,
            ftransfer: first + 1 - base,
        };
        self.transfer_hook_event("return", transfer)
    }

    /// Calls the native at `func` (called by frame `caller`) with its call and return hooks,
    /// which see its arguments and all its results; like `precall` otherwise.
    #[cold]
    #[inline(never)]
    fn call_native_hooked(
        &mut self,
        caller: FrameKey,
        func: usize,
        nargs: usize,
        nresults: i32,
    ) -> LuaResult<bool> {
        let callee = self.th().stack[func];
        // The hook runs above the arguments.
        self.th_mut().top = func + 1 + nargs;
        let args = Transfer {
            first_slot: func + 1,
            count: nargs,
            ftransfer: 1,
        };
        self.transfer_hook_event("call", args)?;
        let called = self.precall(func, nargs, -1, FrameKind::Lua);
        if let Ok(false) = called {
            let n = self.th().top - func;
            self.native_return_hook(caller, callee, func)?;
            self.move_results(func, n, func, nresults);
        }
        called
    }

    /// The return hook of native `callee`, just called by frame `caller` (whose call slot holds
    /// its results now: the levels take the function from `returning_native`).
    #[cold]
    #[inline(never)]
    fn native_return_hook(
        &mut self,
        caller: FrameKey,
        callee: Value,
        func: usize,
    ) -> LuaResult<()> {
        let results = Transfer {
            first_slot: func,
            count: self.th().top - func,
            ftransfer: 1,
        };
        let saved = self.returning_native.replace((caller, callee));
        let r = self.transfer_hook_event("return", results);
        self.returning_native = saved;
        r
    }

    /// `hook_event` for a call or return event, whose arguments or results the hook may
    /// inspect (`debug.getinfo` "r", `debug.getlocal` at the hooked level).
    #[cold]
    #[inline(never)]
    fn transfer_hook_event(&mut self, event: &str, transfer: Transfer) -> LuaResult<()> {
        let saved = self.hook_transfer.replace((self.current, transfer));
        let r = self.hook_event(event, None);
        self.hook_transfer = saved;
        r
    }

    /// Calls the hook function with an event (hooks are off while it runs, as in Lua).
    #[cold]
    #[inline(never)]
    fn hook_event(&mut self, event: &str, line: Option<i64>) -> LuaResult<()> {
        let Some(f) = self.hooks.func else {
            return Ok(());
        };
        let mask_bit = match event {
            "call" | "tail call" => super::state::HOOK_CALL,
            "return" => super::state::HOOK_RETURN,
            "line" => super::state::HOOK_LINE,
            _ => super::state::HOOK_COUNT,
        };
        if self.hooks.mask & mask_bit == 0 || self.hooks.running {
            return Ok(());
        }
        let ev = self.str_value(event);
        let arg = line.map_or(Value::Nil, Value::Int);
        self.hooks.running = true;
        self.hooks.hooked_frame = self.th().top_frame;
        let saved_frame = self.hooks.last_frame;
        let r = self.call_values(f, &[ev, arg]);
        self.hooks.running = false;
        self.hooks.hooked_frame = None;
        self.hooks.last_frame = saved_frame;
        r.map(|_| ())
    }

    /// `push_frame` for a call of a Lua function without varargs (the interpreter's and the
    /// host's fast paths): a reused frame is updated in place rather than built and copied.
    #[inline(always)]
    fn push_lua_frame(
        &mut self,
        parent: Option<FrameKey>,
        closure: Gc<super::function::LuaClosure>,
        func: usize,
        nresults: i32,
        kind: FrameKind,
    ) -> FrameKey {
        let cached = match parent {
            // SAFETY: the parent is the running frame.
            Some(p) => unsafe { self.frames.get_unchecked(p) }.child,
            None => self.th().root_frame,
        };
        if let Some(c) = cached
            && let Some(slot) = self.frames.get_mut(c)
        {
            slot.parent = parent;
            slot.closure = closure;
            slot.func = func;
            slot.base = func + 1;
            slot.pc = 0;
            slot.nresults = nresults;
            slot.nvarargs = 0;
            slot.kind = kind;
            slot.aux = 0;
            slot.tail = false;
            return c;
        }
        self.push_frame(CallFrame {
            parent,
            child: None,
            closure,
            func,
            base: func + 1,
            pc: 0,
            nresults,
            nvarargs: 0,
            kind,
            aux: 0,
            tail: false,
        })
    }

    /// Makes `frame` the top of the current coroutine, reusing the cached child of its parent
    /// (or the coroutine's cached root frame) when there is one.
    #[inline(always)]
    pub(crate) fn push_frame(&mut self, frame: CallFrame) -> FrameKey {
        let cached = match frame.parent {
            // SAFETY: a parent is a live frame of the current coroutine.
            Some(p) => unsafe { self.frames.get_unchecked(p) }.child,
            None => self.th().root_frame,
        };
        if let Some(c) = cached
            && let Some(slot) = self.frames.get_mut(c)
        {
            let grandchild = slot.child;
            *slot = frame;
            slot.child = grandchild;
            return c;
        }
        let parent = frame.parent;
        let k = self.frames.insert(frame);
        match parent {
            Some(p) => unsafe { self.frames.get_unchecked_mut(p) }.child = Some(k),
            None => self.th_mut().root_frame = Some(k),
        }
        k
    }

    /// Frees every frame, live or cached, of coroutine `t`.
    pub(crate) fn free_frames(&mut self, t: ThreadKey) {
        let c = &mut self.threads[t];
        c.top_frame = None;
        c.depth = 0;
        let mut f = c.root_frame.take();
        while let Some(k) = f {
            f = self.frames.remove(k).and_then(|fr| fr.child);
        }
    }

    /// Charges a table's growth to the collector's debt (at a safe point: the value is stored).
    #[cold]
    fn account_growth(&mut self, bytes: usize) -> LuaResult<()> {
        self.heap.charge(bytes);
        // A table doubles when it grows: growth by `bytes` means it is about twice that now.
        if bytes > self.limits.max_table_bytes / 2 {
            return Err(self.rt_error("table overflow"));
        }
        self.gc_check()
    }

    /// Nested Rust calls on the current coroutine (it cannot yield while non-zero).
    pub(crate) fn current_nny(&self) -> u32 {
        self.th().nny
    }

    /// `coroutine.close`: closes a suspended or dead coroutine's pending to-be-closed variables.
    /// Returns the error that killed it or that a `__close` raised, if any.
    pub(crate) fn close_thread(&mut self, t: ThreadKey) -> Option<Value> {
        let prev = self.current;
        let status = self.threads[t].status;
        if status == CoStatus::Dead && self.threads[t].tbc.is_empty() {
            self.close_upvals_of(t);
            if t != self.current {
                // (Current only while its own closes run: their frames stay.)
                self.free_frames(t);
                self.threads[t].died_in = Value::Nil;
            }
            // Like lua_closethread: the error is reported once, then the coroutine is clean.
            return self.threads[t].error.take();
        }
        if status == CoStatus::Dead && t != prev {
            // The frames kept for its traceback go first: the `__close` calls run on an empty
            // call chain, as in a coroutine that never ran.
            self.free_frames(t);
        }
        self.set_current(t);
        self.threads[t].gc_dirty = true;
        self.threads[t].top = self.free_slot().max(self.threads[t].top);
        let mut err = self.threads[t].error;
        self.close_upvals(0);
        loop {
            match self.close_tbc(0, err) {
                Ok(e) => {
                    err = e;
                    break;
                }
                Err(LuaError::Value(e)) => err = Some(e),
                Err(_) => break,
            }
        }
        self.free_frames(t);
        let c = &mut self.threads[t];
        c.depth = 0;
        c.status = CoStatus::Dead;
        c.error = None;
        c.died_in = Value::Nil;
        self.set_current(prev);
        err
    }
}

#[cfg(test)]
mod tests {
    use super::super::state::Vm;
    use super::super::value::Value;

    /// A Lua-to-Lua call made on the interpreter's fast path records how high its registers
    /// reach: the collector clears stale registers only up to that mark, so one left above it
    /// could keep pointing at an object after the object is freed.
    #[test]
    fn fast_path_calls_raise_the_register_high_water_mark() {
        let mut vm = Vm::new();
        let locals: String = (0..60).map(|i| format!("local v{i} = {i}\n")).collect();
        let src = format!(
            "local function deep()\n{locals}return {{}}\nend\n\
             return function() deep() end"
        );
        let chunk = vm.load_value(src.as_bytes(), "=hwm").unwrap();
        let caller = vm.call_values(chunk, &[]).unwrap()[0];
        vm.call_values(caller, &[]).unwrap();
        let hwm = vm.th().hwm;
        assert!(
            hwm > 60,
            "hwm {hwm}: the registers of `deep` (60 locals) are not covered"
        );
        assert!(matches!(caller, Value::LuaFn(_)));
    }
}
