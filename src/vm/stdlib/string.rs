//! The string library (the part the VM core needs; patterns come with the full library).

use crate::vm::error::LuaResult;
use crate::vm::function::Args;
use crate::vm::number::{self, ArithOp};
use crate::vm::state::Vm;
use crate::vm::value::Value;

/// Largest string the VM builds; beyond it operations fail with "resulting string too large".
pub const MAX_STRING: usize = 1 << 31;

pub fn open(vm: &mut Vm) {
    let t = super::register_lib(
        vm,
        "string",
        &[
            ("len", len),
            ("sub", sub),
            ("upper", upper),
            ("lower", lower),
            ("rep", rep),
            ("reverse", reverse),
            ("byte", byte),
            ("char", char),
            ("format", format),
        ],
    );
    // Strings index the string table, and do arithmetic by converting to numbers.
    let mt = vm.new_table();
    vm.set_field(mt, "__index", Value::Table(t));
    let arith: &[(&str, crate::vm::function::NativeFn)] = &[
        ("__add", arith_add),
        ("__sub", arith_sub),
        ("__mul", arith_mul),
        ("__div", arith_div),
        ("__mod", arith_mod),
        ("__pow", arith_pow),
        ("__idiv", arith_idiv),
        ("__unm", arith_unm),
    ];
    for (n, f) in arith {
        vm.set_field(mt, n, Value::Native(*f));
    }
    vm.set_string_metatable(Some(mt));
}

/// Lua's string index rules: negative counts from the end; result clamped later.
fn str_index(i: i64, len: usize) -> i64 {
    if i >= 0 {
        i
    } else if i.unsigned_abs() > len as u64 {
        0
    } else {
        len as i64 + i + 1
    }
}

fn len(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let s = vm.check_str(args, 0, "len")?;
    vm.ret1(args, Value::Int(s.len() as i64))
}

fn sub(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let s = vm.check_str(args, 0, "sub")?;
    let l = s.len();
    let i = vm.opt_int(args, 1, "sub", 1)?;
    let j = vm.opt_int(args, 2, "sub", -1)?;
    let mut start = str_index(i, l);
    let mut end = str_index(j, l);
    if start < 1 {
        start = 1;
    }
    if end > l as i64 {
        end = l as i64;
    }
    let r = if start > end {
        vm.intern(b"")
    } else {
        let bytes = s.as_bytes()[(start - 1) as usize..end as usize].to_vec();
        vm.intern(&bytes)
    };
    vm.ret1(args, Value::Str(r))
}

fn upper(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let s = vm.check_str(args, 0, "upper")?;
    let b = s.as_bytes().to_ascii_uppercase();
    let r = vm.intern(&b);
    vm.ret1(args, Value::Str(r))
}

fn lower(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let s = vm.check_str(args, 0, "lower")?;
    let b = s.as_bytes().to_ascii_lowercase();
    let r = vm.intern(&b);
    vm.ret1(args, Value::Str(r))
}

fn reverse(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let s = vm.check_str(args, 0, "reverse")?;
    let mut b = s.as_bytes().to_vec();
    b.reverse();
    let r = vm.intern(&b);
    vm.ret1(args, Value::Str(r))
}

fn rep(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let s = vm.check_str(args, 0, "rep")?;
    let n = vm.check_int(args, 1, "rep")?;
    let sep = vm.opt_str(args, 2, "rep")?;
    if n <= 0 {
        let e = vm.intern(b"");
        return vm.ret1(args, Value::Str(e));
    }
    let sep_len = sep.map(|x| x.len()).unwrap_or(0);
    let total = (s.len() as u128 + sep_len as u128) * n as u128 - sep_len as u128;
    if total >= MAX_STRING as u128 {
        return Err(vm.rt_error("resulting string too large"));
    }
    vm.check_alloc(total as usize)?;
    let mut b = Vec::with_capacity(total as usize);
    for k in 0..n {
        if k > 0
            && let Some(sep) = sep
        {
            b.extend_from_slice(sep.as_bytes());
        }
        b.extend_from_slice(s.as_bytes());
    }
    let r = vm.intern(&b);
    vm.ret1(args, Value::Str(r))
}

fn byte(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let s = vm.check_str(args, 0, "byte")?;
    let l = s.len();
    let i = vm.opt_int(args, 1, "byte", 1)?;
    let pi = str_index(i, l).max(1);
    let j = vm.opt_int(args, 2, "byte", pi)?;
    let pj = str_index(j, l).min(l as i64);
    if pi > pj {
        return Ok(0);
    }
    let n = (pj - pi + 1) as usize;
    vm.reserve_stack(args.base, n + 1)?;
    for k in 0..n {
        let c = s.as_bytes()[pi as usize - 1 + k];
        vm.stack_mut()[args.base + k] = Value::Int(c as i64);
    }
    Ok(n)
}

fn char(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let mut b = Vec::with_capacity(args.n);
    for i in 0..args.n {
        let c = vm.check_int(args, i, "char")?;
        if !(0..=255).contains(&c) {
            return Err(vm.arg_error(i + 1, "char", "value out of range"));
        }
        b.push(c as u8);
    }
    let r = vm.intern(&b);
    vm.ret1(args, Value::Str(r))
}

unsafe extern "C" {
    fn snprintf(
        buf: *mut libc::c_char,
        n: libc::size_t,
        fmt: *const libc::c_char,
        ...
    ) -> libc::c_int;
}

fn format_int_c(out: &mut Vec<u8>, spec: &[u8], v: i64) {
    let mut fmt = spec.to_vec();
    fmt.push(0);
    let mut buf = [0u8; 512];
    let n = unsafe {
        snprintf(
            buf.as_mut_ptr() as *mut libc::c_char,
            buf.len(),
            fmt.as_ptr() as *const libc::c_char,
            v as libc::c_longlong,
        )
    };
    if n > 0 {
        out.extend_from_slice(&buf[..(n as usize).min(buf.len() - 1)]);
    }
}

/// Appends `s` quoted for `%q`.
fn add_quoted(out: &mut Vec<u8>, s: &[u8]) {
    out.push(b'"');
    for (i, &c) in s.iter().enumerate() {
        match c {
            b'"' | b'\\' | b'\n' => {
                out.push(b'\\');
                out.push(c);
            }
            0 => {
                if s.get(i + 1).is_some_and(|d| d.is_ascii_digit()) {
                    out.extend_from_slice(b"\\000");
                } else {
                    out.extend_from_slice(b"\\0");
                }
            }
            c if c.is_ascii_control() => {
                if s.get(i + 1).is_some_and(|d| d.is_ascii_digit()) {
                    out.extend_from_slice(format!("\\{c:03}").as_bytes());
                } else {
                    out.extend_from_slice(format!("\\{c}").as_bytes());
                }
            }
            c => out.push(c),
        }
    }
    out.push(b'"');
}

fn format(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let fmt = vm.check_str(args, 0, "format")?;
    let f = fmt.as_bytes();
    let mut out = Vec::with_capacity(f.len() + 16);
    let mut argi = 1usize;
    let mut i = 0usize;
    while i < f.len() {
        let c = f[i];
        i += 1;
        if c != b'%' {
            out.push(c);
            continue;
        }
        if f.get(i) == Some(&b'%') {
            out.push(b'%');
            i += 1;
            continue;
        }
        // Spec: flags, width (2 digits), precision (2 digits).
        let start = i;
        while i < f.len() && b"-+ #0".contains(&f[i]) {
            i += 1;
        }
        let mut digits = 0;
        while i < f.len() && f[i].is_ascii_digit() {
            i += 1;
            digits += 1;
        }
        let mut bad = digits > 2;
        if i < f.len() && f[i] == b'.' {
            i += 1;
            let mut pd = 0;
            while i < f.len() && f[i].is_ascii_digit() {
                i += 1;
                pd += 1;
            }
            bad |= pd > 2;
        }
        let Some(&conv) = f.get(i) else {
            return Err(vm.rt_error(&format!(
                "invalid conversion '%{}' to 'format'",
                String::from_utf8_lossy(&f[start..])
            )));
        };
        i += 1;
        let spec = &f[start..i - 1];
        if bad {
            return Err(vm.rt_error(&format!(
                "invalid conversion '%{}' to 'format'",
                String::from_utf8_lossy(&f[start..i])
            )));
        }
        if argi >= args.n && conv != b'%' {
            return Err(vm.arg_error(argi + 1, "format", "no value"));
        }
        let mut cspec = vec![b'%'];
        cspec.extend_from_slice(spec);
        match conv {
            b'd' | b'i' => {
                let n = vm.check_int(args, argi, "format")?;
                cspec.extend_from_slice(b"lld");
                format_int_c(&mut out, &cspec, n);
            }
            b'x' | b'X' | b'o' | b'c' => {
                let n = vm.check_int(args, argi, "format")?;
                if conv == b'c' {
                    cspec.push(b'c');
                } else {
                    cspec.extend_from_slice(b"ll");
                    cspec.push(conv);
                }
                format_int_c(&mut out, &cspec, n);
            }
            b'a' | b'A' | b'e' | b'E' | b'f' | b'F' | b'g' | b'G' => {
                let x = vm.check_float(args, argi, "format")?;
                cspec.push(conv);
                number::format_float_c(&mut out, std::str::from_utf8(&cspec).unwrap(), x);
            }
            b's' => {
                let v = vm.arg(args, argi);
                let s = vm.tostring(v)?;
                if spec.is_empty() {
                    out.extend_from_slice(s.as_bytes());
                } else {
                    // Width and precision apply; C's %s stops at NUL, so pad by hand.
                    let spec_s = String::from_utf8_lossy(spec).into_owned();
                    let left = spec_s.contains('-');
                    let (w, p) = match spec_s
                        .trim_start_matches(['-', '+', ' ', '#', '0'])
                        .split_once('.')
                    {
                        Some((w, p)) => (
                            w.parse().unwrap_or(0usize),
                            Some(p.parse().unwrap_or(0usize)),
                        ),
                        None => (
                            spec_s
                                .trim_start_matches(['-', '+', ' ', '#', '0'])
                                .parse()
                                .unwrap_or(0usize),
                            None,
                        ),
                    };
                    let bytes = s.as_bytes();
                    let body = &bytes[..p.map_or(bytes.len(), |p| p.min(bytes.len()))];
                    let pad = w.saturating_sub(body.len());
                    if !left {
                        out.extend(std::iter::repeat_n(b' ', pad));
                    }
                    out.extend_from_slice(body);
                    if left {
                        out.extend(std::iter::repeat_n(b' ', pad));
                    }
                }
            }
            b'q' => {
                if !spec.is_empty() {
                    return Err(vm.rt_error("specifier '%q' cannot have modifiers"));
                }
                match vm.arg(args, argi) {
                    Value::Str(s) => add_quoted(&mut out, s.as_bytes()),
                    Value::Int(n) => {
                        if n == i64::MIN {
                            out.extend_from_slice(b"0x8000000000000000");
                        } else {
                            number::fmt_int(&mut out, n);
                        }
                    }
                    Value::Float(x) => {
                        if x == f64::INFINITY {
                            out.extend_from_slice(b"1e9999");
                        } else if x == f64::NEG_INFINITY {
                            out.extend_from_slice(b"-1e9999");
                        } else if x.is_nan() {
                            out.extend_from_slice(b"(0/0)");
                        } else {
                            number::format_float_c(&mut out, "%a", x);
                        }
                    }
                    v @ (Value::Nil | Value::Bool(_)) => {
                        let s = vm.tostring(v)?;
                        out.extend_from_slice(s.as_bytes());
                    }
                    _ => return Err(vm.arg_error(argi + 1, "format", "value has no literal form")),
                }
            }
            b'p' => {
                let v = vm.arg(args, argi);
                let a = v.addr();
                if a == 0 {
                    out.extend_from_slice(b"(null)");
                } else {
                    out.extend_from_slice(format!("{a:#x}").as_bytes());
                }
            }
            _ => {
                return Err(vm.rt_error(&format!(
                    "invalid conversion '%{}' to 'format'",
                    String::from_utf8_lossy(&f[start..i])
                )));
            }
        }
        argi += 1;
    }
    let r = vm.intern(&out);
    vm.ret1(args, Value::Str(r))
}

/// String arithmetic metamethods: convert both operands to numbers, or fail like Lua does.
fn string_arith(vm: &mut Vm, args: Args, op: ArithOp) -> LuaResult<usize> {
    let a = vm.arg(args, 0);
    let b = vm.arg(args, 1);
    let to_num = |v: &Value| match v {
        Value::Int(_) | Value::Float(_) => Some(*v),
        Value::Str(s) => number::str_to_number(s.as_bytes()),
        _ => None,
    };
    if let (Some(x), Some(y)) = (to_num(&a), to_num(&b)) {
        let r = match (x, y) {
            (Value::Int(p), Value::Int(q)) if !matches!(op, ArithOp::Div | ArithOp::Pow) => {
                match number::arith_int(op, p, q) {
                    Some(v) => Value::Int(v),
                    None => {
                        return Err(vm.rt_error(if op == ArithOp::Mod {
                            "attempt to perform 'n%0'"
                        } else {
                            "attempt to divide by zero"
                        }));
                    }
                }
            }
            _ => {
                let f = |v: Value| match v {
                    Value::Int(i) => i as f64,
                    Value::Float(f) => f,
                    _ => 0.0,
                };
                Value::Float(number::arith_float(op, f(x), f(y)))
            }
        };
        return vm.ret1(args, r);
    }
    // Not convertible: try the other operand's metamethod, else the error Lua gives.
    let tm = vm.tm_of(&b, crate::vm::meta::arith_tm(op));
    if !tm.is_nil() && !matches!(b, Value::Str(_)) {
        let r = vm.call1(tm, &[a, b])?;
        return vm.ret1(args, r);
    }
    let ta = vm.obj_type_name(&a);
    let tb = vm.obj_type_name(&b);
    Err(vm.rt_error(&format!(
        "attempt to {} a '{}' with a '{}'",
        op.event(),
        ta,
        tb
    )))
}

macro_rules! arith_fn {
    ($name:ident, $op:expr) => {
        fn $name(vm: &mut Vm, args: Args) -> LuaResult<usize> {
            string_arith(vm, args, $op)
        }
    };
}
arith_fn!(arith_add, ArithOp::Add);
arith_fn!(arith_sub, ArithOp::Sub);
arith_fn!(arith_mul, ArithOp::Mul);
arith_fn!(arith_div, ArithOp::Div);
arith_fn!(arith_mod, ArithOp::Mod);
arith_fn!(arith_pow, ArithOp::Pow);
arith_fn!(arith_idiv, ArithOp::IDiv);
arith_fn!(arith_unm, ArithOp::Unm);
