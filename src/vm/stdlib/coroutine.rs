//! The coroutine library. `resume`, `yield` and wrapped functions ask the interpreter to switch
//! coroutines (a `Control` request) instead of recursing.

use crate::vm::runtime::error::{Control, LuaError, LuaResult};
use crate::vm::runtime::function::Args;
use crate::vm::runtime::state::Vm;
use crate::vm::runtime::thread::CoStatus;
use crate::vm::runtime::value::Value;

pub(crate) fn open(vm: &mut Vm) {
    super::register_lib(
        vm,
        "coroutine",
        &[
            ("create", create),
            ("resume", resume),
            ("yield", yield_),
            ("status", status),
            ("wrap", wrap),
            ("isyieldable", isyieldable),
            ("running", running),
            ("close", close),
        ],
    );
}

fn create(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let f = vm.arg(args, 0);
    if !f.is_function() {
        return Err(vm.arg_type_error(args, 0, "create", "function"));
    }
    let t = vm.new_thread(f);
    vm.ret1(args, Value::Thread(t))
}

fn check_co(
    vm: &mut Vm,
    args: Args,
    fname: &str,
) -> LuaResult<crate::vm::runtime::thread::ThreadKey> {
    match vm.arg(args, 0) {
        Value::Thread(t) => Ok(t),
        _ => Err(vm.arg_type_error(args, 0, fname, "thread")),
    }
}

fn resume(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let t = check_co(vm, args, "resume")?;
    Err(LuaError::Control(Control::Resume {
        thread: t,
        wrap: false,
    }))
}

fn yield_(_vm: &mut Vm, _args: Args) -> LuaResult<usize> {
    Err(LuaError::Control(Control::Yield))
}

fn status_name(vm: &Vm, t: crate::vm::runtime::thread::ThreadKey) -> &'static str {
    if t == vm.current_thread() {
        return "running";
    }
    match vm.thread_status(t) {
        Some(CoStatus::Suspended) => "suspended",
        Some(CoStatus::Running) => "running",
        Some(CoStatus::Normal) => "normal",
        Some(CoStatus::Dead) | None => "dead",
    }
}

fn status(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let t = check_co(vm, args, "status")?;
    let s = status_name(vm, t);
    let v = vm.str_value(s);
    vm.ret1(args, v)
}

fn wrapped(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let callee = vm.stack()[args.base - 1];
    let Value::NativeClosure(nc) = callee else {
        unreachable!("wrap functions are native closures")
    };
    let Value::Thread(t) = nc.upvals[0] else {
        unreachable!("wrap closures hold their coroutine")
    };
    Err(LuaError::Control(Control::Resume {
        thread: t,
        wrap: true,
    }))
}

fn wrap(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let f = vm.arg(args, 0);
    if !f.is_function() {
        return Err(vm.arg_type_error(args, 0, "wrap", "function"));
    }
    let t = vm.new_thread(f);
    let w = vm.new_native_closure(wrapped, &[Value::Thread(t)]);
    vm.ret1(args, w)
}

fn isyieldable(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    // No argument: the running coroutine; otherwise the argument must be a thread.
    let y = if args.n == 0 {
        !vm.is_main_thread() && vm.current_nny() == 0
    } else {
        let t = check_co(vm, args, "isyieldable")?;
        vm.thread_yieldable(t)
    };
    vm.ret1(args, Value::Bool(y))
}

fn running(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let t = vm.current_thread();
    let main = vm.is_main_thread();
    vm.ret_values(args, &[Value::Thread(t), Value::Bool(main)])
}

fn close(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let t = check_co(vm, args, "close")?;
    match status_name(vm, t) {
        "suspended" | "dead" => match vm.close_thread(t) {
            None => vm.ret1(args, Value::Bool(true)),
            Some(e) => vm.ret_values(args, &[Value::Bool(false), e]),
        },
        s => {
            let msg = format!("cannot close a {s} coroutine");
            Err(vm.rt_error(&msg))
        }
    }
}
