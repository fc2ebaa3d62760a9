//! Errors raised by Lua code and by the VM, and control transfers requested by native functions.

use super::thread::ThreadKey;
use super::value::Value;

#[derive(Debug, Clone, Copy)]
pub enum LuaError {
    /// A Lua error carrying any value (usually a message string with position).
    Value(Value),
    /// A request from a special native function (pcall, coroutine.resume, yield, ...) that the
    /// interpreter carries out. Never seen by host code.
    Control(Control),
}

#[derive(Debug, Clone, Copy)]
pub enum Control {
    /// `pcall(f, ...)` / `xpcall(f, h, ...)`: call the function in protected mode.
    Pcall { handler: bool },
    /// `coroutine.resume(co, ...)` or a wrap function.
    Resume { thread: ThreadKey, wrap: bool },
    /// `coroutine.yield(...)`.
    Yield,
    /// The native has put a function in its own slot (`Vm::tail_call`) with `nargs` arguments
    /// above it: call that in the native's place (its results, adjusted to exactly `max_results` when
    /// given, are the native's). The call stays in the interpreter loop, so the function may yield, as PUC
    /// Lua's continuations (`lua_callk`) allow for `dofile` and `__pairs`.
    TailCall {
        nargs: usize,
        max_results: Option<u8>,
    },
}

pub type LuaResult<T> = Result<T, LuaError>;
