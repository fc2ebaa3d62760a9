//! (in progress)

use crate::vm::state::Vm;

pub fn open(_vm: &mut Vm) {}
