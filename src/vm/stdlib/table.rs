//! The table library.

use crate::vm::error::LuaResult;
use crate::vm::function::Args;
use crate::vm::state::Vm;
use crate::vm::value::Value;

pub fn open(vm: &mut Vm) {
    super::register_lib(
        vm,
        "table",
        &[
            ("insert", insert),
            ("remove", remove),
            ("concat", concat),
            ("pack", pack),
            ("unpack", unpack),
        ],
    );
}

fn insert(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let t = vm.check_table(args, 0, "insert")?;
    let tv = Value::Table(t);
    let e = vm.length_of(tv)?.wrapping_add(1);
    match args.n {
        2 => {
            let v = vm.arg(args, 1);
            vm.set_index(tv, Value::Int(e), v)?;
        }
        3 => {
            let pos = vm.check_int(args, 1, "insert")?;
            if (pos as u64).wrapping_sub(1) >= e as u64 {
                return Err(vm.arg_error(2, "insert", "position out of bounds"));
            }
            let mut i = e;
            while i > pos {
                let v = vm.index(tv, Value::Int(i - 1))?;
                vm.set_index(tv, Value::Int(i), v)?;
                i -= 1;
            }
            let v = vm.arg(args, 2);
            vm.set_index(tv, Value::Int(pos), v)?;
        }
        _ => return Err(vm.rt_error("wrong number of arguments to 'insert'")),
    }
    Ok(0)
}

fn remove(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let t = vm.check_table(args, 0, "remove")?;
    let tv = Value::Table(t);
    let size = vm.length_of(tv)?;
    let mut pos = vm.opt_int(args, 1, "remove", size)?;
    if args.n >= 2 && pos != size && (pos as u64).wrapping_sub(1) > size as u64 {
        return Err(vm.arg_error(1, "remove", "position out of bounds"));
    }
    let result = vm.index(tv, Value::Int(pos))?;
    while pos < size {
        let v = vm.index(tv, Value::Int(pos + 1))?;
        vm.set_index(tv, Value::Int(pos), v)?;
        pos += 1;
    }
    if pos <= size || args.n < 2 {
        vm.set_index(tv, Value::Int(pos), Value::Nil)?;
    }
    vm.ret1(args, result)
}

fn concat(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let t = vm.check_table(args, 0, "concat")?;
    let tv = Value::Table(t);
    let sep = vm.opt_str(args, 1, "concat")?;
    let i = vm.opt_int(args, 2, "concat", 1)?;
    let j = if vm.arg(args, 3).is_nil() {
        vm.length_of(tv)?
    } else {
        vm.check_int(args, 3, "concat")?
    };
    let mut buf = std::mem::take(&mut vm.scratch);
    buf.clear();
    let mut k = i;
    while k <= j {
        let v = vm.index(tv, Value::Int(k))?;
        match v {
            Value::Str(s) => buf.extend_from_slice(s.as_bytes()),
            Value::Int(_) | Value::Float(_) => crate::vm::number::fmt_number(&mut buf, &v),
            _ => {
                vm.scratch = buf;
                let tn = vm.obj_type_name(&v);
                return Err(vm.rt_error(&format!(
                    "invalid value ({tn}) at index {k} in table for 'concat'"
                )));
            }
        }
        if k < j
            && let Some(sep) = sep
        {
            buf.extend_from_slice(sep.as_bytes());
        }
        if buf.len() >= super::string::MAX_STRING {
            vm.scratch = buf;
            return Err(vm.rt_error("resulting string too large"));
        }
        if k == i64::MAX {
            break;
        }
        k += 1;
    }
    let s = vm.intern(&buf);
    vm.scratch = buf;
    vm.ret1(args, Value::Str(s))
}

fn pack(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let t = vm.new_table_with(args.n, 1);
    {
        let tm = t.get_mut();
        for i in 0..args.n {
            let v = vm.stack()[args.base + i];
            tm.set_int(i as i64 + 1, v);
        }
    }
    let n = vm.intern(b"n");
    t.get_mut().set_str(n, Value::Int(args.n as i64));
    vm.ret1(args, Value::Table(t))
}

fn unpack(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let tv = vm.arg(args, 0);
    let i = vm.opt_int(args, 1, "unpack", 1)?;
    let j = if vm.arg(args, 2).is_nil() {
        vm.length_of(tv)?
    } else {
        vm.check_int(args, 2, "unpack")?
    };
    if i > j {
        return Ok(0);
    }
    let n = (j as i128 - i as i128 + 1) as u128;
    if n >= 1_000_000 {
        return Err(vm.rt_error("too many results to unpack"));
    }
    let n = n as usize;
    vm.reserve_stack(args.base, n + 1)?;
    if let Value::Table(t) = tv
        && t.meta.is_none()
    {
        for k in 0..n {
            let v = t.get_int(i + k as i64);
            vm.stack_mut()[args.base + k] = v;
        }
        return Ok(n);
    }
    for k in 0..n {
        let v = vm.index(tv, Value::Int(i + k as i64))?;
        vm.stack_mut()[args.base + k] = v;
    }
    Ok(n)
}
