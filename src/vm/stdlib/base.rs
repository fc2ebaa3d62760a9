//! Basic functions: print, type, pairs, pcall, error, load, metatables, ...

use std::io::Write;

use crate::vm::runtime::error::{Control, LuaError, LuaResult};
use crate::vm::runtime::function::Args;
use crate::vm::runtime::gc::Gc;
use crate::vm::runtime::meta::Tm;
use crate::vm::runtime::state::Vm;
use crate::vm::runtime::string::LuaStr;
use crate::vm::runtime::table::NextError;
use crate::vm::runtime::value::Value;

pub(crate) fn open(vm: &mut Vm) {
    let g = vm.globals();
    let funcs: &[(&str, crate::vm::runtime::function::NativeFn)] = &[
        ("print", print),
        ("type", type_),
        ("tostring", tostring),
        ("tonumber", tonumber),
        ("ipairs", ipairs),
        ("pairs", pairs),
        ("next", next),
        ("select", select),
        ("rawget", rawget),
        ("rawset", rawset),
        ("rawequal", rawequal),
        ("rawlen", rawlen),
        ("setmetatable", setmetatable),
        ("getmetatable", getmetatable),
        ("assert", assert),
        ("error", error),
        ("pcall", pcall),
        ("xpcall", xpcall),
        ("load", load),
        ("collectgarbage", collectgarbage),
        ("warn", warn_),
    ];
    for (n, f) in funcs {
        vm.set_field(g, n, Value::Native(*f));
    }
    vm.set_global_value("_G", Value::Table(g));
    let ver = vm.str_value("Lua 5.4");
    vm.set_global_value("_VERSION", ver);
}

fn print(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    for i in 0..args.n {
        let v = vm.arg(args, i);
        let s = vm.tostring(v)?;
        vm.charge_bytes(s.len())?;
        if i > 0 {
            let _ = vm.out.write_all(b"\t");
        }
        let _ = vm.out.write_all(s.as_bytes());
    }
    let _ = vm.out.write_all(b"\n");
    // Like lua.c, each print is flushed (output interleaves with stderr and survives a kill).
    vm.flush();
    Ok(0)
}

fn type_(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let v = vm.check_any(args, 0, "type")?;
    let s = vm.str_value(v.type_name());
    vm.ret1(args, s)
}

fn tostring(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let v = vm.check_any(args, 0, "tostring")?;
    let s = vm.tostring(v)?;
    vm.ret1(args, Value::Str(s))
}

fn tonumber(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let v = vm.arg(args, 0);
    if vm.arg(args, 1).is_nil() {
        let r = match v {
            Value::Int(_) | Value::Float(_) => v,
            Value::Str(s) => {
                crate::vm::runtime::value::str_to_number(s.as_bytes()).unwrap_or(Value::Nil)
            }
            _ => {
                vm.check_any(args, 0, "tonumber")?;
                Value::Nil
            }
        };
        return vm.ret1(args, r);
    }
    let base = vm.check_int(args, 1, "tonumber")?;
    let s = match v {
        Value::Str(s) => s,
        _ => return Err(vm.arg_type_error(args, 0, "tonumber", "string")),
    };
    if !(2..=36).contains(&base) {
        return Err(vm.arg_error(2, "tonumber", "base out of range"));
    }
    let r = match parse_int_base(s.as_bytes(), base as u32) {
        Some(n) => Value::Int(n),
        None => Value::Nil,
    };
    vm.ret1(args, r)
}

fn parse_int_base(s: &[u8], base: u32) -> Option<i64> {
    let s = s.trim_ascii();
    let (neg, digits) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() {
        return None;
    }
    let mut n: u64 = 0;
    for &c in digits {
        let d = (c as char).to_digit(36)?;
        if d >= base {
            return None;
        }
        n = n.wrapping_mul(base as u64).wrapping_add(d as u64);
    }
    let n = n as i64;
    Some(if neg { n.wrapping_neg() } else { n })
}

fn ipairs_iter(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let t = vm.arg(args, 0);
    let i = match vm.arg(args, 1) {
        Value::Int(i) => i.wrapping_add(1),
        _ => 1,
    };
    let v = vm.index(t, Value::Int(i))?;
    if v.is_nil() {
        return vm.ret1(args, Value::Nil);
    }
    vm.ret_values(args, &[Value::Int(i), v])
}

fn ipairs(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let t = vm.check_any(args, 0, "ipairs")?;
    vm.ret_values(args, &[Value::Native(ipairs_iter), t, Value::Int(0)])
}

fn pairs(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let t = vm.check_any(args, 0, "pairs")?;
    let tm = vm.tm_of(&t, Tm::Pairs);
    if !tm.is_nil() {
        // Called in pairs' place so that `__pairs` may yield (PUC Lua uses a continuation).
        return vm.tail_call(args, tm, &[t], Some(3));
    }
    if !matches!(t, Value::Table(_)) {
        return Err(vm.arg_type_error(args, 0, "pairs", "table"));
    }
    vm.ret_values(args, &[Value::Native(next), t, Value::Nil])
}

fn next(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let t = vm.check_table(args, 0, "next")?;
    let k = vm.arg(args, 1);
    match t.next(k) {
        Ok(Some((k, v))) => vm.ret_values(args, &[k, v]),
        Ok(None) => vm.ret1(args, Value::Nil),
        Err(NextError::InvalidKey) => Err(vm.rt_error("invalid key to 'next'")),
    }
}

fn select(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let n = args.n as i64 - 1;
    if let Value::Str(s) = vm.arg(args, 0)
        && s.as_bytes() == b"#"
    {
        return vm.ret1(args, Value::Int(n));
    }
    let i = vm.check_int(args, 0, "select")?;
    let start = if i < 0 {
        if i < -n {
            return Err(vm.arg_error(1, "select", "index out of range"));
        }
        n + i
    } else if i == 0 {
        return Err(vm.arg_error(1, "select", "index out of range"));
    } else {
        (i - 1).min(n)
    };
    let count = (n - start) as usize;
    vm.charge_fuel(count as i64 / 16)?;
    let from = args.base + 1 + start as usize;
    vm.stack_mut().copy_within(from..from + count, args.base);
    Ok(count)
}

fn rawget(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let t = vm.check_table(args, 0, "rawget")?;
    let k = vm.check_any(args, 1, "rawget")?;
    vm.ret1(args, t.get(k))
}

fn rawset(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let t = vm.check_table(args, 0, "rawset")?;
    let k = vm.check_any(args, 1, "rawset")?;
    let v = vm.check_any(args, 2, "rawset")?;
    vm.raw_set_checked(t, k, v)?;
    vm.ret1(args, Value::Table(t))
}

fn rawequal(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let a = vm.check_any(args, 0, "rawequal")?;
    let b = vm.check_any(args, 1, "rawequal")?;
    vm.ret1(args, Value::Bool(a.raw_eq(&b)))
}

fn rawlen(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let n = match vm.arg(args, 0) {
        Value::Table(t) => t.len(),
        Value::Str(s) => s.len() as i64,
        _ => return Err(vm.arg_type_error(args, 0, "rawlen", "table or string")),
    };
    vm.ret1(args, Value::Int(n))
}

fn setmetatable(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let t = vm.check_table(args, 0, "setmetatable")?;
    let mt = match vm.arg(args, 1) {
        Value::Nil if args.n >= 2 => None,
        Value::Table(m) => Some(m),
        _ => return Err(vm.arg_type_error(args, 1, "setmetatable", "nil or table")),
    };
    if let Some(old) = t.meta {
        let k = vm.tm_name(Tm::Metatable);
        if !old.get_str(k).is_nil() {
            return Err(vm.rt_error("cannot change a protected metatable"));
        }
    }
    vm.set_type_metatable(&Value::Table(t), mt);
    vm.ret1(args, Value::Table(t))
}

fn getmetatable(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let v = vm.check_any(args, 0, "getmetatable")?;
    let r = match vm.get_metatable(&v) {
        None => Value::Nil,
        Some(mt) => {
            let k = vm.tm_name(Tm::Metatable);
            let protected = mt.get_str(k);
            if protected.is_nil() {
                Value::Table(mt)
            } else {
                protected
            }
        }
    };
    vm.ret1(args, r)
}

fn assert(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let v = vm.check_any(args, 0, "assert")?;
    if v.truthy() {
        return Ok(args.n);
    }
    let msg = if args.n >= 2 {
        vm.arg(args, 1)
    } else {
        vm.str_value("assertion failed!")
    };
    raise_at_level(vm, msg, 1)
}

fn error(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let v = vm.arg(args, 0);
    let level = vm.opt_int(args, 1, "error", 1)?;
    raise_at_level(vm, v, level)
}

/// Raises `v`, prefixed with the position of call level `level` when it is a string.
fn raise_at_level(vm: &mut Vm, v: Value, level: i64) -> LuaResult<usize> {
    if let Value::Str(s) = v
        && level > 0
    {
        let prefix = vm.where_prefix(level as usize);
        if !prefix.is_empty() {
            let mut msg = prefix.into_bytes();
            vm.append_charged(&mut msg, s.as_bytes())?;
            let m = vm.intern_buffer(&mut msg)?;
            return Err(LuaError::Value(Value::Str(m)));
        }
    }
    Err(LuaError::Value(v))
}

fn pcall(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    // Checked here, while `pcall` is the running native, so the error is raised (and named)
    // like any other argument error, also when `pcall` itself is called by `pcall`.
    vm.check_any(args, 0, "pcall")?;
    Err(LuaError::Control(Control::Pcall { handler: false }))
}

fn xpcall(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    if !vm.arg(args, 1).is_function() {
        return Err(vm.arg_type_error(args, 1, "xpcall", "function"));
    }
    Err(LuaError::Control(Control::Pcall { handler: true }))
}

fn load(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let chunk = vm.arg(args, 0);
    // A string chunk is compiled in place (it stays rooted as argument 1), and names itself.
    let mut read = Vec::new();
    let (source, default_name): (&[u8], Gc<LuaStr>) = match chunk {
        Value::Str(ref s) => (s.as_bytes(), *s),
        v if v.is_function() => {
            loop {
                let piece = match vm.call1(v, &[]) {
                    Ok(p) => p,
                    Err(LuaError::Value(e)) => return vm.ret_values(args, &[Value::Nil, e]),
                    Err(e) => return Err(e),
                };
                match piece {
                    Value::Nil => break,
                    Value::Str(s) if s.is_empty() => break,
                    Value::Str(s) => vm.append_charged(&mut read, s.as_bytes())?,
                    _ => {
                        let m = vm.str_value("reader function must return a string");
                        return vm.ret_values(args, &[Value::Nil, m]);
                    }
                }
            }
            (&read, vm.intern(b"=(load)"))
        }
        _ => return Err(vm.arg_type_error(args, 0, "load", "function")),
    };
    let name = vm.opt_str(args, 1, "load")?.unwrap_or(default_name);
    let mode = vm.opt_str(args, 2, "load")?;
    if let Some(m) = mode
        && let Some(msg) = mode_error(source, m.as_bytes())
    {
        let m = vm.str_value(&msg);
        return vm.ret_values(args, &[Value::Nil, m]);
    }
    let env = if args.n >= 4 {
        vm.arg(args, 3)
    } else {
        Value::Table(vm.globals())
    };
    let loaded = if source.first() == Some(&0x1b) {
        if !vm.binary_chunks {
            let m = vm.str_value(BINARY_DISABLED);
            return vm.ret_values(args, &[Value::Nil, m]);
        }
        vm.load_binary(source, name.as_bytes(), env)
    } else {
        vm.load_named(source, name, env)
    };
    match loaded {
        Ok(f) => vm.ret1(args, f),
        Err(LuaError::Value(msg)) => vm.ret_values(args, &[Value::Nil, msg]),
        Err(e) => Err(e),
    }
}

/// What `load` says to a binary chunk when the host allows text only (`Vm::set_binary_chunks`).
const BINARY_DISABLED: &str = "attempt to load a binary chunk (binary chunks are disabled)";

/// The message `load` gives when the chunk's kind (text or binary) is not allowed by `mode`.
fn mode_error(source: &[u8], mode: &[u8]) -> Option<String> {
    let (kind, letter) = if source.first() == Some(&0x1b) {
        ("binary", b'b')
    } else {
        ("text", b't')
    };
    if mode.contains(&letter) {
        None
    } else {
        Some(format!(
            "attempt to load a {kind} chunk (mode is '{}')",
            String::from_utf8_lossy(mode)
        ))
    }
}

fn collectgarbage(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let opt = vm.opt_str(args, 0, "collectgarbage")?;
    let opt = opt
        .map(|s| s.to_str_lossy().into_owned())
        .unwrap_or_else(|| "collect".into());
    // Inside a finalizer the collector is busy: every valid option fails (returns nil) and
    // changes nothing, as `lua_gc` refuses while the collector runs one.
    const OPTIONS: [&str; 10] = [
        "collect",
        "stop",
        "restart",
        "count",
        "step",
        "isrunning",
        "incremental",
        "generational",
        "setpause",
        "setstepmul",
    ];
    if vm.heap.in_finalizer && OPTIONS.contains(&opt.as_str()) {
        return vm.ret1(args, Value::Nil);
    }
    let r = match opt.as_str() {
        "collect" => {
            vm.collect_garbage();
            vm.run_pending_finalizers();
            Value::Int(0)
        }
        "count" => {
            let b = vm.stats().heap_bytes as f64;
            Value::Float(b / 1024.0)
        }
        "step" => {
            let kb = vm.opt_int(args, 1, "collectgarbage", 0)?.max(0) as usize;
            Value::Bool(vm.gc_step_forced(kb))
        }
        "isrunning" => Value::Bool(!vm.heap.stopped),
        "stop" => {
            vm.heap.stopped = true;
            Value::Int(0)
        }
        "restart" => {
            vm.heap.stopped = false;
            Value::Int(0)
        }
        // Mode switches return the previous mode. The collector is always incremental; the
        // mode is only remembered (the standalone interpreter starts in "generational").
        "incremental" | "generational" => {
            let was = if vm.heap.generational_mode {
                "generational"
            } else {
                "incremental"
            };
            vm.heap.generational_mode = opt == "generational";
            vm.str_value(was)
        }
        // Stored as Lua stores them (in units of 4%), so reading back gives Lua's values.
        "setpause" | "setstepmul" => {
            let new = vm.opt_int(args, 1, "collectgarbage", 0)?.clamp(0, 1023) as u32;
            let slot = if opt == "setpause" {
                &mut vm.heap.pause
            } else {
                &mut vm.heap.stepmul
            };
            let old = *slot;
            *slot = new / 4 * 4;
            Value::Int(old as i64)
        }
        other => {
            let msg = format!("invalid option '{other}'");
            return Err(vm.arg_error(1, "collectgarbage", &msg));
        }
    };
    vm.ret1(args, r)
}

/// `warn(msg1, ...)`: messages go to stderr as "Lua warning: ...", once turned on with
/// `warn("@on")` (off by default, as in the standalone interpreter).
fn warn_(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    vm.check_str(args, 0, "warn")?;
    let mut msg = Vec::new();
    for i in 0..args.n {
        msg.extend_from_slice(vm.check_str(args, i, "warn")?.as_bytes());
    }
    if args.n == 1 && msg.first() == Some(&b'@') {
        match &msg[..] {
            b"@on" => vm.warnings_on = true,
            b"@off" => vm.warnings_on = false,
            _ => {}
        }
        return Ok(0);
    }
    vm.emit_warning(&msg);
    Ok(0)
}

/// Drops a first line starting with `#` (a Unix shebang) but keeps its newline, so line
/// numbers stay right; files loaded by the interpreter, `dofile` and `require` get this.
pub fn strip_shebang(mut src: Vec<u8>) -> Vec<u8> {
    // A UTF-8 byte order mark first, as `luaL_loadfilex` skips it.
    if src.starts_with(b"\xEF\xBB\xBF") {
        src.drain(..3);
    }
    if src.first() == Some(&b'#') {
        let nl = src.iter().position(|&c| c == b'\n').unwrap_or(src.len());
        // The newline stays (line numbers count it), unless a binary chunk follows.
        let binary = src.get(nl + 1) == Some(&0x1b);
        src.drain(..if binary { nl + 1 } else { nl });
    }
    src
}

/// `dofile` and `loadfile`, for the standalone interpreter only.
pub(crate) fn open_cli(vm: &mut Vm) {
    vm.set_global_value("dofile", Value::Native(dofile));
    vm.set_global_value("loadfile", Value::Native(loadfile));
}

/// `luaL_loadfilex`: reads the file (stdin when `name` is None), drops a first `#` line and
/// checks the chunk against `mode`. Errors are the message `loadfile` returns.
fn load_file(
    vm: &mut Vm,
    name: Option<&str>,
    mode: Option<&[u8]>,
    env: Option<Value>,
) -> Result<Value, Value> {
    let (src, chunk) = match name {
        Some(n) => {
            let read = std::fs::File::open(n)
                .map_err(|e| ("open", e))
                .and_then(|mut f| {
                    let mut s = Vec::new();
                    std::io::Read::read_to_end(&mut f, &mut s)
                        .map(|_| s)
                        .map_err(|e| ("read", e))
                });
            match read {
                Ok(s) => (s, format!("@{n}")),
                Err((what, e)) => {
                    let msg = format!("cannot {what} {n}: {}", io_error_text(&e));
                    return Err(vm.str_value(&msg));
                }
            }
        }
        None => {
            let mut s = Vec::new();
            if let Err(e) = std::io::Read::read_to_end(&mut std::io::stdin(), &mut s) {
                let msg = format!("cannot read stdin: {}", io_error_text(&e));
                return Err(vm.str_value(&msg));
            }
            (s, "=stdin".to_string())
        }
    };
    let src = strip_shebang(src);
    if let Some(msg) = mode_error(&src, mode.unwrap_or(b"bt")) {
        return Err(vm.str_value(&msg));
    }
    let env = env.unwrap_or(Value::Table(vm.globals()));
    let loaded = if src.first() == Some(&0x1b) {
        if !vm.binary_chunks {
            return Err(vm.str_value(BINARY_DISABLED));
        }
        vm.load_binary(&src, chunk.as_bytes(), env)
    } else {
        vm.load_with_env(&src, &chunk, env)
    };
    loaded.map_err(|e| match e {
        LuaError::Value(v) => v,
        LuaError::Control(_) => Value::Nil,
    })
}

/// The C library's wording for common I/O errors, as Lua shows them.
pub fn io_error_text(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "No such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "Permission denied".into(),
        _ => {
            let s = e.to_string();
            match s.find(" (os error") {
                Some(i) => s[..i].to_string(),
                None => s,
            }
        }
    }
}

fn loadfile(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let name = vm
        .opt_str(args, 0, "loadfile")?
        .map(|s| s.to_str_lossy().into_owned());
    let mode = vm.opt_str(args, 1, "loadfile")?;
    let env = if args.n >= 3 {
        Some(vm.arg(args, 2))
    } else {
        None
    };
    match load_file(
        vm,
        name.as_deref(),
        mode.as_ref().map(|m| m.as_bytes()),
        env,
    ) {
        Ok(f) => vm.ret1(args, f),
        Err(msg) => vm.ret_values(args, &[Value::Nil, msg]),
    }
}

fn dofile(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let name = vm
        .opt_str(args, 0, "dofile")?
        .map(|s| s.to_str_lossy().into_owned());
    let f = load_file(vm, name.as_deref(), None, None).map_err(LuaError::Value)?;
    // The chunk runs in dofile's place, so it may yield (`coroutine.wrap(dofile)`).
    vm.tail_call(args, f, &[], None)
}
