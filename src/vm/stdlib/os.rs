//! The `os` library, sandboxed: clock, time and getenv only (no process or file access).

use crate::vm::error::LuaResult;
use crate::vm::function::Args;
use crate::vm::state::Vm;
use crate::vm::value::Value;

pub fn open(vm: &mut Vm) {
    super::register_lib(
        vm,
        "os",
        &[("clock", clock), ("time", time), ("getenv", getenv)],
    );
}

fn clock(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let t = vm.started.elapsed().as_secs_f64();
    vm.ret1(args, Value::Float(t))
}

fn time(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    vm.ret1(args, Value::Int(now))
}

fn getenv(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let name = vm.check_str(args, 0, "getenv")?;
    let r = match std::env::var_os(&*name.to_str_lossy()) {
        Some(v) => {
            let s = v.to_string_lossy().into_owned();
            vm.str_value(&s)
        }
        None => Value::Nil,
    };
    vm.ret1(args, r)
}

/// The parts of `os` only the standalone interpreter gets (filled in with the full library).
pub fn open_cli(_vm: &mut Vm) {}
