//! Per-script budgets of a frame: the wall-clock time each script (asset) may use, and the caps
//! on the entities it spawns and the tasks each entity keeps.
//!
//! Time is the one budget that costs a clock read, and reading the clock around each of 10,000
//! entity updates would cost as much as a quarter of them (25 ns against 170 ns). So the frame
//! starts *cheap*: a run is armed with a lazy limit (`Vm::set_lazy_time_limit`), and only a run
//! that uses a whole slice of fuel reads the clock. The first clock reading — such a long run, or
//! the frame itself passing the budget (checked every [`CHECK_EVERY`] entities) — switches the
//! frame to *precise* mode, where every run is charged the time since the previous reading and
//! armed with its script's remaining time as a deadline. A script that used its time has the
//! rest of its entities skipped for the frame (reported once), so a script that spawns copies of
//! itself cannot multiply its share of the frame.

use std::cell::Cell;
use std::time::{Duration, Instant};

use crate::vm::Vm;
use crate::vm::runtime::budget::RunTime;

/// In cheap mode, entities between two checks of the frame's elapsed time.
pub const CHECK_EVERY: usize = 256;

/// One script asset's use of its budgets this frame (shared by the module and its entities'
/// cached module references; reset at the start of each frame).
#[derive(Debug, Default)]
pub struct ScriptFrameUse {
    /// Time charged to the script's runs, in nanoseconds (plain integers: this is read for
    /// every run).
    pub time: Cell<u64>,
    /// The script used its time: its remaining entities are skipped this frame.
    pub exhausted: Cell<bool>,
    /// Entities skipped for that.
    pub skipped: Cell<u32>,
    /// Entities its scripts asked to spawn.
    pub spawned: Cell<u32>,
    /// Messages (`emit`, `send`) its runs sent this frame.
    pub messages: Cell<u32>,
    /// Errors reported in full this frame, and those only counted past
    /// [`MAX_REPORTS_PER_FRAME`].
    pub reported: Cell<u32>,
    pub unreported: Cell<u32>,
}

/// Errors of one script reported in full per frame: past it they are counted, and reported as
/// one line, so that ten thousand failing copies of a script do not spend a frame on formatting
/// tracebacks (or flood the log).
pub const MAX_REPORTS_PER_FRAME: u32 = 16;

impl ScriptFrameUse {
    pub fn reset(&self) {
        self.time.set(0);
        self.exhausted.set(false);
        self.skipped.set(0);
        self.spawned.set(0);
        self.messages.set(0);
        self.reported.set(0);
        self.unreported.set(0);
    }

    /// Whether the next error of this script this frame gets a full report.
    pub fn report_in_full(&self) -> bool {
        let n = self.reported.get();
        if n < MAX_REPORTS_PER_FRAME {
            self.reported.set(n + 1);
            true
        } else {
            self.unreported.set(self.unreported.get() + 1);
            false
        }
    }
}

/// The frame's clock for the time budget (see the module doc).
#[derive(Debug)]
pub struct FrameClock {
    /// Nanoseconds per script per frame.
    budget: Option<u64>,
    frame_start: Instant,
    /// The last clock reading in precise mode; `None` while the frame is cheap.
    tick: Option<Instant>,
}

impl Default for FrameClock {
    fn default() -> Self {
        FrameClock {
            budget: None,
            frame_start: Instant::now(),
            tick: None,
        }
    }
}

impl FrameClock {
    /// A new frame that started at `now`, with `budget` per script (`None`: unlimited).
    pub fn start_frame(&mut self, now: Instant, budget: Option<Duration>) {
        self.budget = budget.map(|b| b.as_nanos().min(u64::MAX as u128) as u64);
        self.frame_start = now;
        self.tick = None;
    }

    /// The time each script may use per frame.
    pub fn budget(&self) -> Option<Duration> {
        self.budget.map(Duration::from_nanos)
    }

    /// The time budget for a run of a script that has used `used`.
    #[inline]
    pub fn run_time(&self, used: &ScriptFrameUse) -> RunTime {
        match (self.budget, self.tick) {
            (None, _) => RunTime::Unlimited,
            (Some(b), Some(t)) => {
                RunTime::Deadline(t + Duration::from_nanos(b.saturating_sub(used.time.get())))
            }
            (Some(b), None) => {
                RunTime::Lazy(Duration::from_nanos(b.saturating_sub(used.time.get())))
            }
        }
    }

    /// After a run: charges its time to the script, if the frame is precise or the run read
    /// the clock (which makes the frame precise); marks the script exhausted past its budget.
    #[inline]
    pub fn settle(&mut self, vm: &Vm, used: &ScriptFrameUse) {
        let Some(budget) = self.budget else { return };
        let Some(since) = self.tick.or_else(|| vm.clock_started()) else {
            return;
        };
        let now = Instant::now();
        let spent = now.saturating_duration_since(since).as_nanos() as u64;
        let time = used.time.get() + spent;
        used.time.set(time);
        if time >= budget {
            used.exhausted.set(true);
        }
        self.tick = Some(now);
    }

    /// In cheap mode, every [`CHECK_EVERY`] entities: once the frame's scripts together passed
    /// one script's budget, charge every run its time from now on.
    #[inline]
    pub fn check_frame(&mut self, entity_index: usize) {
        if entity_index % CHECK_EVERY != CHECK_EVERY - 1 || self.tick.is_some() {
            return;
        }
        if let Some(b) = self.budget {
            let now = Instant::now();
            if now.saturating_duration_since(self.frame_start).as_nanos() as u64 >= b {
                self.tick = Some(now);
            }
        }
    }
}
