//! Call frames, stored in one slot-map arena shared by every coroutine.
//!
//! A coroutine's call stack is a chain of `FrameKey`s through `parent`. A returning frame stays in
//! the arena as its parent's cached `child` and is overwritten by the parent's next call (as PUC
//! Lua reuses its CallInfo list), so once a coroutine has reached its deepest call chain, calls
//! and returns neither allocate nor touch the arena's free list. The generation in each key lets
//! tracebacks and tools hold frame references safely.

use slotmap::new_key_type;

use super::function::LuaClosure;
use super::gc::Gc;

new_key_type! {
    pub struct FrameKey;
}

/// What happens when a frame returns.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FrameKind {
    /// An ordinary Lua call: results go to the caller's registers.
    Lua,
    /// Entered from Rust (`Vm::call`): the interpreter returns to its Rust caller.
    Fresh,
    /// Called by `pcall`: results are prefixed with `true`; errors stop here.
    Pcall,
    /// Called by `xpcall`: like `Pcall`, and the message handler sits just below the function.
    Xpcall,
    /// A metamethod: its first result completes the caller's current instruction.
    Meta,
    /// The first function of a coroutine: returning finishes the coroutine.
    CoroutineBody,
    /// A `__close` method called by a Close or Return instruction, which runs again when it
    /// returns (for the next pending variable); its results are dropped. A call from the loop
    /// rather than from Rust, so the method may yield.
    Close,
    /// A `__close` method of a failed protected call's variables; its parent is that call's
    /// frame, which completes when the last one returns (`Vm::unwind_closes`).
    CloseUnwind,
    /// Called in a native's place (`Control::TailCall`): results go to the caller's registers,
    /// adjusted to exactly `aux` of them.
    Capped,
}

#[derive(Clone, Copy)]
pub struct CallFrame {
    pub parent: Option<FrameKey>,
    /// The frame this one last called, kept for reuse by its next call (not live unless it is
    /// on the coroutine's chain from `top_frame`).
    pub child: Option<FrameKey>,
    pub closure: Gc<LuaClosure>,
    /// Stack slot of the called function; results are moved here.
    pub func: usize,
    /// First register.
    pub base: usize,
    /// Saved program counter (index of the next instruction) while this frame is not running.
    pub pc: usize,
    /// Results the caller wants; -1 for all.
    pub nresults: i32,
    pub nvarargs: usize,
    pub kind: FrameKind,
    /// For `Meta` frames finishing a concatenation: the register the result goes to; for
    /// `Capped` frames the number of results passed on.
    pub aux: usize,
    /// Entered by a tail call (the caller's frame is gone), for `debug.getinfo`.
    pub tail: bool,
}
