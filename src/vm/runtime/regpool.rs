//! The pool of register files. A coroutine takes its register file (and frame bookkeeping) from
//! here; a coroutine that finishes gives its register file back at once, and its (small) boxed
//! state follows when the collector frees it. Starting tasks in steady state allocates nothing.

use super::thread::{Coroutine, INITIAL_STACK};
use super::value::Value;

/// Pooled files (and coroutine boxes) beyond this count are freed instead, bounding memory
/// after a burst of coroutines.
const MAX_POOLED: usize = 4096;
/// Register files that grew past this are freed rather than pooled: after a burst of deep
/// coroutines the pool holds at most `MAX_POOLED` small files, not their peak sizes.
const MAX_POOLED_STACK: usize = 4 * INITIAL_STACK;

/// Coroutines stay boxed because the interpreter holds pointers to them while they run; moving
/// them in and out of a `Vec` would invalidate those.
#[derive(Default)]
#[allow(clippy::vec_box)]
pub struct RegPool {
    /// Coroutine boxes with no register file.
    boxes: Vec<Box<Coroutine>>,
    /// Cleared register files.
    stacks: Vec<Vec<Value>>,
    pub hits: u64,
    pub misses: u64,
    /// Coroutines started since the last `trim`.
    taken: usize,
}

/// Pooled files kept through a trim even when none were used.
const MIN_POOLED: usize = 64;

impl RegPool {
    pub(crate) fn take(&mut self) -> Box<Coroutine> {
        self.taken += 1;
        let mut co = self
            .boxes
            .pop()
            .unwrap_or_else(|| Box::new(Coroutine::new(Vec::new())));
        match self.stacks.pop() {
            Some(s) => {
                self.hits += 1;
                co.stack = s;
            }
            None => {
                self.misses += 1;
                co.stack = vec![Value::Nil; INITIAL_STACK];
            }
        }
        co
    }

    #[inline(never)]
    /// Takes back a coroutine the collector freed.
    pub(crate) fn give_back(&mut self, mut co: Box<Coroutine>) {
        let stack = co.release_stack();
        self.give_stack(stack);
        if self.boxes.len() < MAX_POOLED {
            co.reset();
            self.boxes.push(co);
        }
    }

    /// Takes back a register file (already cleared by `Coroutine::release_stack`).
    pub(crate) fn give_stack(&mut self, stack: Vec<Value>) {
        if !stack.is_empty() && stack.len() <= MAX_POOLED_STACK && self.stacks.len() < MAX_POOLED {
            self.stacks.push(stack);
        }
    }

    #[inline(never)]
    /// Once per collection cycle: keeps twice what the last cycle took, so after a burst of
    /// coroutines the pool shrinks back within two cycles.
    pub(crate) fn trim(&mut self) {
        let keep = (self.taken * 2).max(MIN_POOLED);
        self.stacks.truncate(keep);
        self.boxes.truncate(keep);
        self.taken = 0;
    }
}
