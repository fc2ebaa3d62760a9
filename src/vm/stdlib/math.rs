//! The math library.

use crate::vm::error::LuaResult;
use crate::vm::function::Args;
use crate::vm::number;
use crate::vm::state::Vm;
use crate::vm::value::Value;

pub fn open(vm: &mut Vm) {
    let t = super::register_lib(
        vm,
        "math",
        &[
            ("floor", floor),
            ("ceil", ceil),
            ("abs", abs),
            ("max", max),
            ("min", min),
            ("sqrt", sqrt),
            ("tointeger", tointeger),
            ("type", type_),
            ("fmod", fmod),
            ("modf", modf),
            ("exp", exp),
            ("log", log),
            ("sin", sin),
            ("cos", cos),
            ("tan", tan),
            ("asin", asin),
            ("acos", acos),
            ("atan", atan),
            ("ult", ult),
        ],
    );
    vm.set_field(t, "pi", Value::Float(std::f64::consts::PI));
    vm.set_field(t, "huge", Value::Float(f64::INFINITY));
    vm.set_field(t, "maxinteger", Value::Int(i64::MAX));
    vm.set_field(t, "mininteger", Value::Int(i64::MIN));
}

/// A float result as an integer when it fits (floor/ceil/modf semantics).
fn float_to_value_int(f: f64) -> Value {
    match number::float_to_int_exact(f) {
        Some(i) => Value::Int(i),
        None => Value::Float(f),
    }
}

fn floor(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let r = match vm.check_number(args, 0, "floor")? {
        Value::Float(f) => float_to_value_int(f.floor()),
        v => v,
    };
    vm.ret1(args, r)
}

fn ceil(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let r = match vm.check_number(args, 0, "ceil")? {
        Value::Float(f) => float_to_value_int(f.ceil()),
        v => v,
    };
    vm.ret1(args, r)
}

fn abs(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let r = match vm.check_number(args, 0, "abs")? {
        Value::Int(i) => Value::Int(i.wrapping_abs()),
        Value::Float(f) => Value::Float(f.abs()),
        v => v,
    };
    vm.ret1(args, r)
}

fn num_lt(a: &Value, b: &Value) -> bool {
    match (*a, *b) {
        (Value::Int(x), Value::Int(y)) => x < y,
        (Value::Float(x), Value::Float(y)) => x < y,
        (Value::Int(x), Value::Float(y)) => number::lt_int_float(x, y),
        (Value::Float(x), Value::Int(y)) => number::lt_float_int(x, y),
        _ => false,
    }
}

fn max(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    vm.check_any(args, 0, "max")?;
    let mut best = vm.check_number(args, 0, "max")?;
    for i in 1..args.n {
        let v = vm.check_number(args, i, "max")?;
        if num_lt(&best, &v) {
            best = v;
        }
    }
    vm.ret1(args, best)
}

fn min(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    vm.check_any(args, 0, "min")?;
    let mut best = vm.check_number(args, 0, "min")?;
    for i in 1..args.n {
        let v = vm.check_number(args, i, "min")?;
        if num_lt(&v, &best) {
            best = v;
        }
    }
    vm.ret1(args, best)
}

macro_rules! float_fn {
    ($name:ident, $lname:expr, $f:expr) => {
        fn $name(vm: &mut Vm, args: Args) -> LuaResult<usize> {
            let x = vm.check_float(args, 0, $lname)?;
            let f: fn(f64) -> f64 = $f;
            vm.ret1(args, Value::Float(f(x)))
        }
    };
}
float_fn!(sqrt, "sqrt", f64::sqrt);
float_fn!(exp, "exp", f64::exp);
float_fn!(sin, "sin", f64::sin);
float_fn!(cos, "cos", f64::cos);
float_fn!(tan, "tan", f64::tan);
float_fn!(asin, "asin", f64::asin);
float_fn!(acos, "acos", f64::acos);

fn atan(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let y = vm.check_float(args, 0, "atan")?;
    let x = if vm.arg(args, 1).is_nil() {
        1.0
    } else {
        vm.check_float(args, 1, "atan")?
    };
    vm.ret1(args, Value::Float(y.atan2(x)))
}

fn log(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let x = vm.check_float(args, 0, "log")?;
    let r = if vm.arg(args, 1).is_nil() {
        x.ln()
    } else {
        let b = vm.check_float(args, 1, "log")?;
        if b == 2.0 {
            x.log2()
        } else if b == 10.0 {
            x.log10()
        } else {
            x.ln() / b.ln()
        }
    };
    vm.ret1(args, Value::Float(r))
}

fn tointeger(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let v = vm.check_any(args, 0, "tointeger")?;
    let r = match v {
        Value::Int(_) => v,
        Value::Float(f) => number::float_to_int_exact(f).map_or(Value::Nil, Value::Int),
        Value::Str(s) => number::str_to_number(s.as_bytes())
            .and_then(|n| number::value_to_int(&n))
            .map_or(Value::Nil, Value::Int),
        _ => Value::Nil,
    };
    vm.ret1(args, r)
}

fn type_(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let v = vm.check_any(args, 0, "type")?;
    let r = match v {
        Value::Int(_) => vm.str_value("integer"),
        Value::Float(_) => vm.str_value("float"),
        _ => Value::Nil,
    };
    vm.ret1(args, r)
}

fn fmod(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let a = vm.check_number(args, 0, "fmod")?;
    let b = vm.check_number(args, 1, "fmod")?;
    let r = match (a, b) {
        (Value::Int(x), Value::Int(y)) => {
            if y == 0 {
                return Err(vm.arg_error(2, "fmod", "zero"));
            }
            if y == -1 {
                Value::Int(0)
            } else {
                Value::Int(x % y)
            }
        }
        _ => {
            let f = |v: Value| match v {
                Value::Int(i) => i as f64,
                Value::Float(f) => f,
                _ => 0.0,
            };
            Value::Float(f(a) % f(b))
        }
    };
    vm.ret1(args, r)
}

fn modf(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let x = vm.check_float(args, 0, "modf")?;
    let ip = if x.is_infinite() { x } else { x.trunc() };
    let fp = if x.is_infinite() { 0.0 } else { x - ip };
    let ipv = match number::float_to_int_exact(ip) {
        Some(i) => Value::Float(i as f64),
        None => Value::Float(ip),
    };
    vm.ret_values(args, &[ipv, Value::Float(fp)])
}

fn ult(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let a = vm.check_int(args, 0, "ult")?;
    let b = vm.check_int(args, 1, "ult")?;
    vm.ret1(args, Value::Bool((a as u64) < (b as u64)))
}
