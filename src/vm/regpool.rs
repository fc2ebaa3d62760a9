//! The pool of register files. A coroutine takes its register file (and frame bookkeeping) from
//! here and gives it back when it dies, so starting tasks in steady state allocates nothing.

use super::thread::Coroutine;
use super::value::Value;

/// Register files start this long; they grow on demand and keep their size when pooled.
pub const INITIAL_STACK: usize = 256;
/// Pooled files beyond this count are freed instead (bounds memory after a burst of coroutines).
const MAX_POOLED: usize = 1024;

/// Coroutines stay boxed in the pool because the interpreter holds pointers to them while they
/// run; moving them in and out of a `Vec` would invalidate those.
#[derive(Default)]
#[allow(clippy::vec_box)]
pub struct RegPool {
    free: Vec<Box<Coroutine>>,
    pub hits: u64,
    pub misses: u64,
}

impl RegPool {
    pub fn take(&mut self) -> Box<Coroutine> {
        match self.free.pop() {
            Some(co) => {
                self.hits += 1;
                co
            }
            None => {
                self.misses += 1;
                Box::new(Coroutine::new(vec![Value::Nil; INITIAL_STACK]))
            }
        }
    }

    pub fn give_back(&mut self, mut co: Box<Coroutine>) {
        if self.free.len() < MAX_POOLED && co.stack.len() <= 64 * 1024 {
            co.reset();
            self.free.push(co);
        }
    }

    pub fn pooled(&self) -> usize {
        self.free.len()
    }
}
