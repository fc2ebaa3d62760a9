//! The `debug` library (a subset: see the README). Levels count native functions too, as in
//! PUC Lua (level 0 is the debug function itself); `runtime::debug::Vm::levels` rebuilds them
//! on demand, since natives push no frames.

use crate::vm::runtime::debug::{Level, current_line};
use crate::vm::runtime::error::{LuaError, LuaResult};
use crate::vm::runtime::frame::FrameKey;
use crate::vm::runtime::function::Args;
use crate::vm::runtime::function::Proto;
use crate::vm::runtime::gc::Gc;
use crate::vm::runtime::state::{Transfer, Vm, short_src};
use crate::vm::runtime::table::Table;
use crate::vm::runtime::thread::ThreadKey;
use crate::vm::runtime::value::Value;

pub(crate) fn open(vm: &mut Vm) {
    super::register_lib(
        vm,
        "debug",
        &[
            ("traceback", traceback),
            ("getinfo", getinfo),
            ("getlocal", getlocal),
            ("setlocal", setlocal),
            ("getupvalue", getupvalue),
            ("setupvalue", setupvalue),
            ("upvalueid", upvalueid),
            ("upvaluejoin", upvaluejoin),
            ("getmetatable", getmetatable),
            ("setmetatable", setmetatable),
            ("getregistry", getregistry),
            ("sethook", sethook),
            ("gethook", gethook),
            ("getuservalue", getuservalue),
            ("setuservalue", setuservalue),
            ("setcstacklimit", setcstacklimit),
        ],
    );
    let hooks = vm.new_table();
    let mode = vm.new_table();
    let k = vm.str_value("k");
    vm.set_field(mode, "__mode", k);
    hooks.get_mut().meta = Some(mode);
    let reg = vm.registry();
    vm.set_field(reg, "_HOOKKEY", Value::Table(hooks));
}

/// What the stand-alone interpreter adds: `debug.debug`, which reads standard input (a game
/// script must not block on it).
pub(crate) fn open_cli(vm: &mut Vm) {
    if let Value::Table(debug) = vm.global_value("debug") {
        vm.set_field(debug, "debug", Value::Native(debug_prompt));
    }
}

/// `debug.debug`: runs each line of standard input as a chunk until "cont" or the end of the
/// input, reporting errors on standard error, as PUC Lua's does.
fn debug_prompt(vm: &mut Vm, _args: Args) -> LuaResult<usize> {
    use std::io::{BufRead, Write};
    loop {
        let _ = std::io::stderr().write_all(b"lua_debug> ");
        let mut line = Vec::new();
        match std::io::stdin().lock().read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => return Ok(0),
            Ok(_) if line == b"cont\n" => return Ok(0),
            Ok(_) => {}
        }
        let name = vm.intern(b"=(debug command)");
        let env = Value::Table(vm.globals());
        let ran = match vm.load_named(&line, name, env) {
            Ok(f) => vm.call_values(f, &[]).map(|_| ()),
            Err(e) => Err(e),
        };
        match ran {
            Ok(()) => {}
            Err(LuaError::Value(e)) => {
                let mut msg = vm.tostring(e)?.as_bytes().to_vec();
                msg.push(b'\n');
                let _ = std::io::stderr().write_all(&msg);
            }
            Err(other) => return Err(other),
        }
    }
}

/// `debug.setcstacklimit`, kept by PUC Lua 5.4 for compatibility: the limit is fixed, and the
/// function answers with it (LUAI_MAXCCALLS there).
fn setcstacklimit(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    vm.check_int(args, 0, "setcstacklimit")?;
    let limit = vm.c_limit;
    vm.ret1(args, Value::Int(limit as i64))
}

/// An optional leading thread argument: (thread, index of the next argument).
fn thread_arg(vm: &Vm, args: Args) -> (ThreadKey, usize) {
    match vm.arg(args, 0) {
        Value::Thread(t) => (t, 1),
        _ => (vm.current_thread(), 0),
    }
}

/// Level `level` of coroutine `t` (0 = the running debug function, or the top of another
/// coroutine), if there is one.
fn level_at(vm: &Vm, t: ThreadKey, level: i64) -> Option<Level> {
    let i = usize::try_from(level).ok()?;
    vm.levels(t).get(i).copied()
}

/// The arguments or results of the call or return hook running at `level`, if one is.
fn hooked_transfer(vm: &Vm, t: ThreadKey, level: i64) -> Option<Transfer> {
    let (at, transfer) = vm.hooked_level(t, &vm.levels(t))?;
    // As in PUC Lua, an event that transfers nothing reports nothing.
    (usize::try_from(level).ok()? == at && transfer.count > 0).then_some(transfer)
}

/// The Lua frame at `level`: `Err` past the stack, `Ok(None)` at a native level.
fn frame_at(vm: &Vm, t: ThreadKey, level: i64) -> Result<Option<FrameKey>, ()> {
    match level_at(vm, t, level) {
        Some(Level::Lua(k)) => Ok(Some(k)),
        Some(Level::Native { .. }) => Ok(None),
        None => Err(()),
    }
}

fn traceback(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let (thread, first) = thread_arg(vm, args);
    let msg = vm.arg(args, first);
    if !msg.is_nil() && !matches!(msg, Value::Str(_) | Value::Int(_) | Value::Float(_)) {
        return vm.ret1(args, msg);
    }
    // Level 1 (the caller) by default in the running coroutine, whose level 0 is traceback.
    let own = thread == vm.current_thread();
    let level = vm
        .opt_int(args, first + 1, "traceback", if own { 1 } else { 0 })?
        .max(0) as usize;
    // Bytes, not text: a message that is not UTF-8 comes back as it went in.
    let mut out = Vec::new();
    if !msg.is_nil() {
        let s = vm.tostring(msg)?;
        vm.append_charged(&mut out, s.as_bytes())?;
        out.push(b'\n');
    }
    out.extend_from_slice(vm.traceback_of(thread, level).as_bytes());
    let v = vm.intern_buffer(&mut out)?;
    vm.ret1(args, Value::Str(v))
}

fn set(vm: &mut Vm, t: Gc<Table>, k: &str, v: Value) {
    vm.set_field(t, k, v);
}

fn getinfo(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let (thread, first) = thread_arg(vm, args);
    let target = vm.arg(args, first);
    let what = match vm.opt_str(args, first + 1, "getinfo")? {
        Some(s) => s.to_str_lossy().into_owned(),
        None => "flnSrtu".to_string(),
    };
    if what.starts_with('>') {
        return Err(vm.arg_error(first + 2, "getinfo", "invalid option '>'"));
    }
    // Which function, and (for a level) which activation.
    let (func, frame, level) = if target.is_function() {
        (target, None, None)
    } else {
        let n = vm.check_int(args, first, "getinfo")?;
        match level_at(vm, thread, n) {
            Some(l @ Level::Lua(k)) => (Value::LuaFn(vm.frames[k].closure), Some(k), Some((l, n))),
            Some(l @ Level::Native { func, .. }) => (func, None, Some((l, n))),
            None => return vm.ret1(args, Value::Nil),
        }
    };
    // Like `lua_getinfo`, other options are checked once the function is known.
    if what.chars().any(|c| !"SlnrutfL".contains(c)) {
        return Err(vm.arg_error(first + 2, "getinfo", "invalid option"));
    }
    let t = vm.new_table();
    let proto = match func {
        Value::LuaFn(cl) => Some(cl.proto),
        _ => None,
    };
    for c in what.chars() {
        match c {
            'S' => match proto {
                Some(p) => {
                    let src = Value::Str(p.source);
                    set(vm, t, "source", src);
                    let ss = vm.str_value(&short_src(p.source.as_bytes()));
                    set(vm, t, "short_src", ss);
                    let w = vm.str_value(if p.linedefined == 0 { "main" } else { "Lua" });
                    set(vm, t, "what", w);
                    set(vm, t, "linedefined", Value::Int(p.linedefined as i64));
                    set(
                        vm,
                        t,
                        "lastlinedefined",
                        Value::Int(p.lastlinedefined as i64),
                    );
                }
                None => {
                    let src = vm.str_value("=[C]");
                    set(vm, t, "source", src);
                    let ss = vm.str_value("[C]");
                    set(vm, t, "short_src", ss);
                    let w = vm.str_value("C");
                    set(vm, t, "what", w);
                    set(vm, t, "linedefined", Value::Int(-1));
                    set(vm, t, "lastlinedefined", Value::Int(-1));
                }
            },
            'l' => {
                let line = match (proto, frame) {
                    (Some(p), Some(k)) => current_line(&p, vm.frames[k].pc),
                    _ => -1,
                };
                set(vm, t, "currentline", Value::Int(line));
            }
            'u' => {
                let (nups, nparams, vararg) = match func {
                    Value::LuaFn(cl) => (
                        cl.upvals.len(),
                        cl.proto.numparams as usize,
                        cl.proto.is_vararg,
                    ),
                    Value::NativeClosure(nc) => (nc.upvals.len(), 0, true),
                    _ => (0, 0, true),
                };
                set(vm, t, "nups", Value::Int(nups as i64));
                set(vm, t, "nparams", Value::Int(nparams as i64));
                set(vm, t, "isvararg", Value::Bool(vararg));
            }
            'n' => {
                if let Some((l, _)) = level
                    && let Some((kind, name)) = vm.level_name(&l)
                {
                    let n = vm.str_value(&name);
                    set(vm, t, "name", n);
                    let nw = vm.str_value(kind);
                    set(vm, t, "namewhat", nw);
                    continue;
                }
                let nw = vm.str_value("");
                set(vm, t, "namewhat", nw);
            }
            't' => {
                let tail = frame.is_some_and(|k| vm.frames[k].tail);
                set(vm, t, "istailcall", Value::Bool(tail));
            }
            'r' => {
                let (ftransfer, ntransfer) = level
                    .and_then(|(_, n)| hooked_transfer(vm, thread, n))
                    .map_or((0, 0), |x| (x.ftransfer, x.count));
                set(vm, t, "ftransfer", Value::Int(ftransfer as i64));
                set(vm, t, "ntransfer", Value::Int(ntransfer as i64));
            }
            'f' => set(vm, t, "func", func),
            'L' => {
                if let Some(p) = proto {
                    let lines = vm.new_table();
                    for &l in p.lineinfo.iter() {
                        lines.get_mut().set_int(l as i64, Value::Bool(true));
                    }
                    set(vm, t, "activelines", Value::Table(lines));
                }
            }
            _ => {}
        }
    }
    vm.ret1(args, Value::Table(t))
}

/// The `n`th active local of frame `k`: (name, stack slot). `transfer`: the values a hook
/// at this level transfers, which may lie past the frame's registers (`return ...`).
fn local_slot(vm: &Vm, k: FrameKey, n: i64, transfer: Option<Transfer>) -> Option<(String, usize)> {
    let fr = &vm.frames[k];
    let p = fr.closure.proto;
    if n < 0 {
        // Varargs: -1 is the first.
        let idx = (-n - 1) as usize;
        if idx < fr.nvarargs {
            return Some(("(vararg)".into(), fr.func + 1 + p.numparams as usize + idx));
        }
        return None;
    }
    let pc = fr.pc.saturating_sub(1);
    let mut count = 0;
    for l in p.locvars.iter() {
        if (l.start_pc as usize) <= pc && pc < l.end_pc as usize {
            count += 1;
            if count == n {
                let name = String::from_utf8_lossy(&l.name).into_owned();
                return Some((name, fr.base + l.reg as usize));
            }
        }
    }
    // Registers without a name, up to the function this level is calling (or its whole frame):
    // "(temporary)", as in PUC Lua.
    use crate::vm::bytecode::opcode::Op;
    let limit = match p.code.get(pc) {
        Some(i) if matches!(i.op(), Op::Call | Op::TailCall) => fr.base + i.a(),
        _ => fr.base + p.maxstack as usize,
    };
    let limit = transfer.map_or(limit, |x| limit.max(x.first_slot + x.count));
    let slot = fr.base + (n as usize).checked_sub(1)?;
    (slot < limit).then(|| ("(temporary)".to_string(), slot))
}

fn getlocal(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let (thread, first) = thread_arg(vm, args);
    let n = vm.check_int(args, first + 1, "getlocal")?;
    let f = vm.arg(args, first);
    if f.is_function() {
        // Parameter names of a function that is not running (none for a native function).
        let name = match f {
            Value::LuaFn(cl) => cl
                .proto
                .locvars
                .iter()
                .filter(|l| l.start_pc == 0)
                .nth((n - 1).max(0) as usize)
                .filter(|_| n >= 1 && n <= cl.proto.numparams as i64)
                .map(|l| String::from_utf8_lossy(&l.name).into_owned()),
            _ => None,
        };
        let v = match name {
            Some(s) => vm.str_value(&s),
            None => Value::Nil,
        };
        return vm.ret1(args, v);
    }
    let level = vm.check_int(args, first, "getlocal")?;
    let Ok(k) = frame_at(vm, thread, level) else {
        return Err(vm.arg_error(first + 1, "getlocal", "level out of range"));
    };
    // Level 0 is getlocal itself: its stack values (its arguments) are "(C temporary)" locals,
    // as in PUC Lua. (Other native levels have none here.)
    if level == 0 && thread == vm.current_thread() {
        if n >= 1 && (n as usize) <= args.n {
            let v = vm.arg(args, n as usize - 1);
            let name = vm.str_value("(C temporary)");
            return vm.ret_values(args, &[name, v]);
        }
        return vm.ret1(args, Value::Nil);
    }
    let transfer = hooked_transfer(vm, thread, level);
    let slot = match k {
        Some(k) => local_slot(vm, k, n, transfer),
        // A native's only locals here are the arguments or results its hook sees.
        None => transfer.and_then(|x| {
            let i = usize::try_from(n).ok()?.checked_sub(x.ftransfer)?;
            (i < x.count).then(|| ("(C temporary)".to_string(), x.first_slot + i))
        }),
    };
    match slot {
        Some((name, slot)) => {
            let v = vm.threads[thread].stack[slot];
            let nv = vm.str_value(&name);
            vm.ret_values(args, &[nv, v])
        }
        None => vm.ret1(args, Value::Nil),
    }
}

fn setlocal(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let (thread, first) = thread_arg(vm, args);
    let level = vm.check_int(args, first, "setlocal")?;
    let n = vm.check_int(args, first + 1, "setlocal")?;
    let v = vm.arg(args, first + 2);
    let Ok(k) = frame_at(vm, thread, level) else {
        return Err(vm.arg_error(first + 1, "setlocal", "level out of range"));
    };
    let transfer = hooked_transfer(vm, thread, level);
    match k.and_then(|k| local_slot(vm, k, n, transfer)) {
        Some((name, slot)) => {
            vm.threads[thread].stack[slot] = v;
            vm.threads[thread].gc_dirty = true;
            let nv = vm.str_value(&name);
            vm.ret1(args, nv)
        }
        None => vm.ret1(args, Value::Nil),
    }
}

fn check_upvalue(
    vm: &mut Vm,
    args: Args,
    fi: usize,
    ni: usize,
    fname: &str,
) -> LuaResult<(Value, usize)> {
    // Like Lua: the index is checked before the function.
    let n = vm.check_int(args, ni, fname)?;
    let f = vm.arg(args, fi);
    if !f.is_function() {
        return Err(vm.arg_type_error(args, fi, fname, "function"));
    }
    let count = match f {
        Value::LuaFn(cl) => cl.upvals.len(),
        Value::NativeClosure(nc) => nc.upvals.len(),
        _ => 0,
    };
    if n < 1 || n as usize > count {
        return Ok((f, usize::MAX));
    }
    Ok((f, n as usize - 1))
}

/// Upvalue `i`'s name: "(no name)" in a stripped binary chunk, as in PUC Lua.
fn upvalue_name(p: &Proto, i: usize) -> String {
    match p.upvals.get(i) {
        Some(d) if !d.name.is_empty() => String::from_utf8_lossy(&d.name).into_owned(),
        _ => "(no name)".into(),
    }
}

fn getupvalue(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let (f, i) = check_upvalue(vm, args, 0, 1, "getupvalue")?;
    if i == usize::MAX {
        return Ok(0);
    }
    let (name, v) = match f {
        Value::LuaFn(cl) => (upvalue_name(&cl.proto, i), cl.upvals[i].get()),
        Value::NativeClosure(nc) => (String::new(), nc.upvals[i]),
        _ => return Ok(0),
    };
    let nv = vm.str_value(&name);
    vm.ret_values(args, &[nv, v])
}

fn setupvalue(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let v = vm.check_any(args, 2, "setupvalue")?;
    let (f, i) = check_upvalue(vm, args, 0, 1, "setupvalue")?;
    if i == usize::MAX {
        return Ok(0);
    }
    let name = match f {
        Value::LuaFn(cl) => {
            vm.heap.value_barrier(cl.upvals[i].is_black(), &v);
            cl.upvals[i].get_mut().set(v);
            upvalue_name(&cl.proto, i)
        }
        Value::NativeClosure(nc) => {
            vm.heap.value_barrier(nc.is_black(), &v);
            nc.get_mut().upvals[i] = v;
            String::new()
        }
        _ => return Ok(0),
    };
    let nv = vm.str_value(&name);
    vm.ret1(args, nv)
}

fn upvalueid(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let (f, i) = check_upvalue(vm, args, 0, 1, "upvalueid")?;
    if i == usize::MAX {
        return vm.ret1(args, Value::Nil);
    }
    let id = match f {
        Value::LuaFn(cl) => cl.upvals[i].addr(),
        Value::NativeClosure(nc) => nc.addr() + 16 * (i + 1),
        _ => 0,
    };
    vm.ret1(args, Value::LightUserData(id))
}

fn upvaluejoin(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    // Lua's order: each (function, index) pair, then that both are Lua functions.
    let (f1, i1) = check_upvalue(vm, args, 0, 1, "upvaluejoin")?;
    if i1 == usize::MAX {
        return Err(vm.arg_error(2, "upvaluejoin", "invalid upvalue index"));
    }
    let (f2, i2) = check_upvalue(vm, args, 2, 3, "upvaluejoin")?;
    if i2 == usize::MAX {
        return Err(vm.arg_error(4, "upvaluejoin", "invalid upvalue index"));
    }
    let Value::LuaFn(c1) = f1 else {
        return Err(vm.arg_error(1, "upvaluejoin", "Lua function expected"));
    };
    let Value::LuaFn(c2) = f2 else {
        return Err(vm.arg_error(3, "upvaluejoin", "Lua function expected"));
    };
    let uv = c2.upvals[i2];
    vm.heap.upval_barrier(c1.is_black(), uv);
    c1.get_mut().upvals[i1] = uv;
    Ok(0)
}

fn getmetatable(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let v = vm.check_any(args, 0, "getmetatable")?;
    let r = vm.get_metatable(&v).map_or(Value::Nil, Value::Table);
    vm.ret1(args, r)
}

fn setmetatable(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let v = vm.arg(args, 0);
    let mt = match vm.arg(args, 1) {
        Value::Nil if args.n >= 2 => None,
        Value::Table(t) => Some(t),
        _ => return Err(vm.arg_type_error(args, 1, "setmetatable", "nil or table")),
    };
    vm.set_type_metatable(&v, mt);
    vm.ret1(args, v)
}

fn getregistry(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let r = vm.registry();
    vm.ret1(args, Value::Table(r))
}

/// `debug.sethook([thread,] f, mask [, count])`: one hook for the whole VM. Events: "call",
/// "return", "line" (with the line), "count".
fn sethook(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    use crate::vm::runtime::state::{HOOK_CALL, HOOK_COUNT, HOOK_LINE, HOOK_RETURN};
    let (thread, first) = thread_arg(vm, args);
    let f = vm.arg(args, first);
    let mut mask = 0;
    let mut count = 0;
    // No function (none or nil) turns the hook off; a function needs a mask string.
    if !f.is_nil() {
        let m = vm.check_str(args, first + 1, "sethook")?;
        if !f.is_function() {
            return Err(vm.arg_type_error(args, first, "sethook", "function"));
        }
        count = vm.opt_int(args, first + 2, "sethook", 0)?;
        for &c in m.as_bytes() {
            mask |= match c {
                b'c' => HOOK_CALL,
                b'r' => HOOK_RETURN,
                b'l' => HOOK_LINE,
                _ => 0,
            };
        }
        if count > 0 {
            mask |= HOOK_COUNT;
        }
    }
    // Also in the registry's weak `_HOOKKEY` table (thread -> hook), where PUC Lua keeps
    // hooks and programs look for them.
    let reg = vm.registry();
    let key = vm.intern(b"_HOOKKEY");
    if let Value::Table(hooks) = reg.get_str(key) {
        let hook = if mask == 0 { Value::Nil } else { f };
        vm.raw_set_checked(hooks, Value::Thread(thread), hook)?;
    }
    // The hook belongs to the coroutine (its trace keeps the function alive).
    let co = &mut vm.threads[thread];
    co.hook_func = if mask == 0 { Value::Nil } else { f };
    co.hook_mask = mask;
    co.hook_count = count;
    co.gc_dirty = true;
    if thread == vm.current_thread() {
        vm.load_hooks();
    }
    Ok(0)
}

fn gethook(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    use crate::vm::runtime::state::{HOOK_CALL, HOOK_LINE, HOOK_RETURN};
    let (thread, _) = thread_arg(vm, args);
    let co = &vm.threads[thread];
    let (f, mask, count) = (co.hook_func, co.hook_mask, co.hook_count);
    if mask == 0 {
        return vm.ret1(args, Value::Nil);
    }
    let mut m = String::new();
    if mask & HOOK_CALL != 0 {
        m.push('c');
    }
    if mask & HOOK_RETURN != 0 {
        m.push('r');
    }
    if mask & HOOK_LINE != 0 {
        m.push('l');
    }
    let ms = vm.str_value(&m);
    let count = Value::Int(count);
    vm.ret_values(args, &[f, ms, count])
}

/// Userdata here have no user values: like a PUC userdata created with none, every index is
/// out of range, so the result is a single nil (a fail for non-userdata too).
fn getuservalue(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    vm.opt_int(args, 1, "getuservalue", 1)?;
    vm.ret1(args, Value::Nil)
}

fn setuservalue(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    vm.opt_int(args, 2, "setuservalue", 1)?;
    let u = vm.arg(args, 0);
    if !matches!(u, Value::UserData(_)) {
        return Err(vm.arg_type_error(args, 0, "setuservalue", "userdata"));
    }
    vm.check_any(args, 1, "setuservalue")?;
    vm.ret1(args, Value::Nil)
}
