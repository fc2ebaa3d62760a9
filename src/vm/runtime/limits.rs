//! Caps that keep one script from taking its host down: each one, when passed, is an ordinary
//! Lua error in the code that passed it. The heap limit (`Vm::set_memory_limit`) and the
//! instruction budget (`Vm::set_fuel`) live with the collector and the interpreter; these are
//! the rest.

/// Per-VM limits, changeable at any time (`vm.limits.max_string_bytes = ...`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The longest string a script may build, in bytes ("string too large").
    pub max_string_bytes: usize,
    /// The largest a single table may grow, in bytes of its array and hash parts
    /// ("table overflow").
    pub max_table_bytes: usize,
    /// Nested Lua calls per coroutine ("stack overflow").
    pub max_call_depth: usize,
    /// Rust stack the VM may use for calls that nest through Rust (a metamethod, `require`,
    /// `pcall` from a native, a `__close` handler): past it, "C stack overflow" instead of
    /// overflowing the host thread's stack. Keep it well under the smallest stack the VM runs
    /// on (Rust gives spawned threads 2 MiB by default).
    pub max_native_stack_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_string_bytes: 1 << 30,
            max_table_bytes: 1 << 32,
            // Frames per coroutine: deep recursion of small functions ends here, before `MAX_STACK`.
            max_call_depth: 200_000,
            max_native_stack_bytes: 1 << 20,
        }
    }
}
