//! What a task waits for, and the wait requests the prelude's wait functions yield.
//!
//! A wait function yields `(tag, argument, timeout)` to the scheduler (`tasks.rs`); the tags
//! are interned strings compared by identity, so reading a request costs a few compares.

use bevy::ecs::entity::Entity;

use crate::vm::Vm;
use crate::vm::runtime::state::RootKey;
use crate::vm::runtime::value::Value;

/// One script running on one entity: an entity may carry several scripts (`Script` lists
/// them), each with its own `self` and tasks; a world script is one on an entity of its own
/// (`WorldScript`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Instance {
    pub entity: Entity,
    pub asset: bevy::asset::AssetId<super::LuaScript>,
}

/// Why a task is not running.
#[derive(Clone, Debug)]
pub enum Wait {
    /// Runs at its entity's next turn (just spawned by `task.defer`, or out of fuel with
    /// `RunawayPolicy::Suspend`).
    Ready,
    Seconds {
        until: f64,
        since: f64,
    },
    /// `wait_frames(n)`: runs in frame `at`.
    Frames {
        at: u64,
    },
    /// `wait_until(predicate[, timeout])`.
    Until {
        predicate: RootKey,
        deadline: Option<f64>,
    },
    /// `wait_event(name[, timeout])`: woken when a message of that name reaches the task's
    /// script (see `deliver`).
    Event {
        name: String,
        deadline: Option<f64>,
    },
    /// `task.join(handle[, timeout])`.
    Join {
        id: u64,
        deadline: Option<f64>,
    },
}

impl Wait {
    /// Whether a timeout passed (`elapsed` is the game time now).
    pub(crate) fn timed_out(&self, elapsed: f64) -> bool {
        match self {
            Wait::Until { deadline, .. }
            | Wait::Event { deadline, .. }
            | Wait::Join { deadline, .. } => deadline.is_some_and(|d| elapsed >= d - 1e-9),
            _ => false,
        }
    }
}

/// Interned wait-request tags, compared by identity.
pub(crate) struct Tags {
    pub(crate) wait: Value,
    pub(crate) frames: Value,
    pub(crate) until: Value,
    pub(crate) event: Value,
    pub(crate) join: Value,
    /// What `wait_event` returns second when it times out.
    pub(crate) timeout: Value,
}

impl Tags {
    /// The tags of `vm` (interned: the same strings the prelude yields).
    pub(crate) fn new(vm: &mut Vm) -> Tags {
        Tags {
            wait: vm.str_value("__mp_wait"),
            frames: vm.str_value("__mp_frames"),
            until: vm.str_value("__mp_until"),
            event: vm.str_value("__mp_event"),
            join: vm.str_value("__mp_join"),
            timeout: vm.str_value("timeout"),
        }
    }

    /// What a task that yielded `vals` waits for, at game time `elapsed` in frame `frame`. A
    /// wait request is `(tag, argument, timeout)`; anything else (a bare `coroutine.yield()`)
    /// waits for the next frame.
    pub(crate) fn wait_for(&self, vm: &mut Vm, vals: &[Value], elapsed: f64, frame: u64) -> Wait {
        let tag = vals.first().copied().unwrap_or(Value::Nil);
        let arg = vals.get(1).copied().unwrap_or(Value::Nil);
        let seconds = |v: Value| match v {
            Value::Float(f) if f.is_finite() => Some(f.max(0.0)),
            Value::Int(i) => Some(i.max(0) as f64),
            _ => None,
        };
        let deadline = seconds(vals.get(2).copied().unwrap_or(Value::Nil)).map(|s| elapsed + s);
        if tag == self.wait {
            let secs = seconds(arg).unwrap_or(0.0);
            Wait::Seconds {
                until: elapsed + secs,
                since: elapsed,
            }
        } else if tag == self.frames {
            let n = match arg {
                Value::Int(i) => i.clamp(1, u32::MAX as i64) as u64,
                Value::Float(f) if f >= 1.0 => f.min(u32::MAX as f64) as u64,
                _ => 1,
            };
            Wait::Frames { at: frame + n }
        } else if tag == self.until {
            Wait::Until {
                predicate: vm.root(arg),
                deadline,
            }
        } else if tag == self.event {
            let name = match arg {
                Value::Str(s) => s.to_str_lossy().into_owned(),
                _ => String::new(),
            };
            Wait::Event { name, deadline }
        } else if tag == self.join {
            match arg {
                Value::Int(id) => Wait::Join {
                    id: id as u64,
                    deadline,
                },
                _ => Wait::Frames { at: frame + 1 },
            }
        } else {
            Wait::Frames { at: frame + 1 }
        }
    }
}
