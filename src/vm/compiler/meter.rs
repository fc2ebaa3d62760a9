//! Metering a compilation. A host compiling untrusted source under a budget lends the compiler a
//! [`Meter`]: the lexer charges it per token (and per 64 bytes of long tokens), the code
//! generator per instruction, and compilation stops with an error once it trips, so `load` of a
//! huge chunk costs what its size does and stops within its budget. The compiler knows nothing
//! of the VM: a meter is plain limits (work units, and a deadline or a time limit whose clock
//! starts at the first check), and the host reads back what was used.

use std::cell::Cell;
use std::time::{Duration, Instant};

/// Units charged between two reads of the clock.
const CLOCK_UNITS: u64 = 1024;
/// Units charged per token, and per instruction emitted (compiling costs several times what
/// running an instruction does).
pub(crate) const TOKEN_UNITS: u64 = 4;
pub(crate) const INSTRUCTION_UNITS: u64 = 2;

/// Which limit stopped a compilation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trip {
    Work,
    Time,
}

/// Shared by the lexer and the code generator of one compilation (hence the cells).
#[derive(Debug)]
pub struct Meter {
    used: Cell<u64>,
    limit: u64,
    next_check: Cell<u64>,
    deadline: Cell<Option<Instant>>,
    time_limit: Option<Duration>,
    tripped: Cell<Option<Trip>>,
}

impl Meter {
    /// At most `limit` units of work; with a `deadline`, or a `time_limit` whose clock starts at
    /// the first check.
    pub(crate) fn new(
        limit: u64,
        deadline: Option<Instant>,
        time_limit: Option<Duration>,
    ) -> Meter {
        let timed = deadline.is_some() || time_limit.is_some();
        Meter {
            used: Cell::new(0),
            limit,
            next_check: Cell::new(if timed { limit.min(CLOCK_UNITS) } else { limit }),
            deadline: Cell::new(deadline),
            time_limit,
            tripped: Cell::new(None),
        }
    }

    /// Charges `n` units; false once a limit is passed (and from then on).
    #[inline]
    pub(crate) fn charge(&self, n: u64) -> bool {
        let used = self.used.get() + n;
        self.used.set(used);
        used <= self.next_check.get() || self.check()
    }

    #[cold]
    fn check(&self) -> bool {
        if self.tripped.get().is_some() {
            return false;
        }
        let used = self.used.get();
        if used > self.limit {
            self.tripped.set(Some(Trip::Work));
            return false;
        }
        if self.deadline.get().is_some() || self.time_limit.is_some() {
            let now = Instant::now();
            let deadline = match self.deadline.get() {
                Some(d) => d,
                None => {
                    let d = now + self.time_limit.unwrap_or_default();
                    self.deadline.set(Some(d));
                    d
                }
            };
            if now >= deadline {
                self.tripped.set(Some(Trip::Time));
                return false;
            }
            self.next_check
                .set(used.saturating_add(CLOCK_UNITS).min(self.limit));
        } else {
            self.next_check.set(self.limit);
        }
        true
    }

    /// Units charged so far.
    pub(crate) fn used(&self) -> u64 {
        self.used.get()
    }

    /// The limit that stopped the compilation, if one did.
    pub(crate) fn tripped(&self) -> Option<Trip> {
        self.tripped.get()
    }
}

/// The message of the error a tripped meter gives (the host replaces it with its budget's).
pub(crate) const INTERRUPTED: &str = "compilation stopped by the budget";
