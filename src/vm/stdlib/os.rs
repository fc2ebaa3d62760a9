//! The `os` library. `open` gives what a sandboxed game script may use (clock, time, date,
//! difftime, getenv); `open_cli` adds the process- and file-touching functions of the standalone
//! interpreter (exit, remove, rename, tmpname, execute, setlocale).

use std::ffi::{CStr, CString};

use crate::vm::runtime::error::LuaResult;
use crate::vm::runtime::function::Args;
use crate::vm::runtime::state::Vm;
use crate::vm::runtime::value::Value;

pub(crate) fn open(vm: &mut Vm) {
    super::register_lib(
        vm,
        "os",
        &[
            ("clock", clock),
            ("time", time),
            ("date", date),
            ("difftime", difftime),
            ("getenv", getenv),
        ],
    );
}

/// The parts of `os` only the standalone interpreter gets.
pub(crate) fn open_cli(vm: &mut Vm) {
    let os = match vm.global_value("os") {
        Value::Table(t) => t,
        _ => {
            let t = vm.new_table();
            vm.set_global_value("os", Value::Table(t));
            t
        }
    };
    let funcs: [(&str, crate::vm::runtime::function::NativeFn); 6] = [
        ("exit", exit),
        ("remove", remove),
        ("rename", rename),
        ("tmpname", tmpname),
        ("execute", execute),
        ("setlocale", setlocale),
    ];
    for (name, f) in funcs {
        vm.set_field(os, name, Value::Native(f));
    }
}

/// `errno` of the last failed libc call.
pub(crate) fn errno() -> i32 {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

/// `strerror(code)`.
pub(crate) fn strerror(code: i32) -> String {
    let s = std::io::Error::from_raw_os_error(code).to_string();
    match s.rfind(" (os error ") {
        Some(p) => s[..p].to_string(),
        None => s,
    }
}

/// Lua's `luaL_fileresult` for a failure: `nil, [name: ]message, errno`.
pub(crate) fn file_fail(
    vm: &mut Vm,
    args: Args,
    code: i32,
    name: Option<&[u8]>,
) -> LuaResult<usize> {
    let mut msg = Vec::new();
    if let Some(n) = name {
        msg.extend_from_slice(n);
        msg.extend_from_slice(b": ");
    }
    msg.extend_from_slice(strerror(code).as_bytes());
    let m = vm.intern(&msg);
    vm.ret_values(args, &[Value::Nil, Value::Str(m), Value::Int(code as i64)])
}

/// A C string from Lua bytes, cut at the first NUL like C would see it.
pub(crate) fn c_string(bytes: &[u8]) -> CString {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    CString::new(&bytes[..end]).unwrap_or_default()
}

fn clock(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    // CPU time, like C's clock(); per thread, so a host running several VMs on their own threads
    // measures each separately (in the standalone interpreter it is the process's).
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid out-pointer.
    let ok = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) } == 0;
    let t = if ok {
        ts.tv_sec as f64 + ts.tv_nsec as f64 / 1e9
    } else {
        vm.started.elapsed().as_secs_f64()
    };
    vm.ret1(args, Value::Float(t))
}

fn now() -> i64 {
    // SAFETY: time(NULL) only reads the clock.
    unsafe { libc::time(std::ptr::null_mut()) as i64 }
}

fn zero_tm() -> libc::tm {
    // SAFETY: `tm` is plain data; all-zero is a valid value (null zone pointer).
    unsafe { std::mem::zeroed() }
}

/// A field of a date table, as Lua's `getfield`: `d` is the default (negative: required),
/// `delta` is subtracted to get the C `tm` value.
fn get_field(vm: &mut Vm, t: Value, key: &str, d: i64, delta: i64) -> LuaResult<i32> {
    let k = vm.str_value(key);
    let v = vm.index(t, k)?;
    let as_int = match v {
        Value::Int(i) => Some(i),
        Value::Float(f) => crate::vm::number::float_to_int_exact(f),
        Value::Str(s) => crate::vm::runtime::value::str_to_number(s.as_bytes())
            .and_then(|n| crate::vm::runtime::value::value_to_int(&n)),
        _ => None,
    };
    let res = match as_int {
        None => {
            if !v.is_nil() {
                return Err(vm.rt_error(&format!("field '{key}' is not an integer")));
            } else if d < 0 {
                return Err(vm.rt_error(&format!("field '{key}' missing in date table")));
            }
            d
        }
        Some(r) => {
            let ok = if r >= 0 {
                r - delta <= i32::MAX as i64
            } else {
                i32::MIN as i64 + delta <= r
            };
            if !ok {
                return Err(vm.rt_error(&format!("field '{key}' is out-of-bound")));
            }
            r - delta
        }
    };
    Ok(res as i32)
}

/// Writes the fields of `tm` into the date table `t` (honouring `__newindex`).
fn set_all_fields(vm: &mut Vm, t: Value, tm: &libc::tm) -> LuaResult<()> {
    let fields: [(&str, i64); 8] = [
        ("year", tm.tm_year as i64 + 1900),
        ("month", tm.tm_mon as i64 + 1),
        ("day", tm.tm_mday as i64),
        ("hour", tm.tm_hour as i64),
        ("min", tm.tm_min as i64),
        ("sec", tm.tm_sec as i64),
        ("yday", tm.tm_yday as i64 + 1),
        ("wday", tm.tm_wday as i64 + 1),
    ];
    for (k, v) in fields {
        let key = vm.str_value(k);
        vm.set_index(t, key, Value::Int(v))?;
    }
    if tm.tm_isdst >= 0 {
        let key = vm.str_value("isdst");
        vm.set_index(t, key, Value::Bool(tm.tm_isdst != 0))?;
    }
    Ok(())
}

fn time(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let tv = vm.arg(args, 0);
    if tv.is_nil() {
        return vm.ret1(args, Value::Int(now()));
    }
    if !matches!(tv, Value::Table(_)) {
        return Err(vm.arg_type_error(args, 0, "time", "table"));
    }
    let mut tm = zero_tm();
    tm.tm_year = get_field(vm, tv, "year", -1, 1900)?;
    tm.tm_mon = get_field(vm, tv, "month", -1, 1)?;
    tm.tm_mday = get_field(vm, tv, "day", -1, 0)?;
    tm.tm_hour = get_field(vm, tv, "hour", 12, 0)?;
    tm.tm_min = get_field(vm, tv, "min", 0, 0)?;
    tm.tm_sec = get_field(vm, tv, "sec", 0, 0)?;
    let k = vm.str_value("isdst");
    let dst = vm.index(tv, k)?;
    tm.tm_isdst = if dst.is_nil() {
        -1
    } else {
        dst.truthy() as i32
    };
    // SAFETY: `tm` is a valid, initialized struct.
    let t = unsafe { libc::mktime(&mut tm) };
    set_all_fields(vm, tv, &tm)?;
    if t == -1 {
        return Err(vm.rt_error("time result cannot be represented in this installation"));
    }
    vm.ret1(args, Value::Int(t as i64))
}

fn difftime(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let t1 = vm.check_int(args, 0, "difftime")?;
    let t2 = vm.check_int(args, 1, "difftime")?;
    vm.ret1(args, Value::Float(t1 as f64 - t2 as f64))
}

/// Conversions `os.date` accepts (C99's strftime set): one-letter ones, then two-letter ones
/// with the E and O modifiers.
const OPTIONS_1: &[u8] = b"aAbBcCdDeFgGhHIjmMnprRStTuUVwWxXyYzZ%";
const OPTIONS_2: &[&[u8; 2]] = &[
    b"Ec", b"EC", b"Ex", b"EX", b"Ey", b"EY", b"Od", b"Oe", b"OH", b"OI", b"Om", b"OM", b"OS",
    b"Ou", b"OU", b"OV", b"Ow", b"OW", b"Oy",
];

fn date(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let fmt = match vm.opt_str(args, 0, "date")? {
        Some(s) => s,
        None => vm.intern(b"%c"),
    };
    let t = if vm.arg(args, 1).is_nil() {
        now()
    } else {
        vm.check_int(args, 1, "date")?
    };
    let mut s = fmt.as_bytes();
    let utc = s.first() == Some(&b'!');
    if utc {
        s = &s[1..];
    }
    let mut tm = zero_tm();
    let tt = t as libc::time_t;
    // SAFETY: valid pointers to a time_t and a tm.
    let ok = unsafe {
        if utc {
            !libc::gmtime_r(&tt, &mut tm).is_null()
        } else {
            !libc::localtime_r(&tt, &mut tm).is_null()
        }
    };
    if !ok {
        return Err(vm.rt_error("date result cannot be represented in this installation"));
    }
    let cstr_end = s.iter().position(|&b| b == 0).unwrap_or(s.len());
    if &s[..cstr_end] == b"*t" {
        let t = vm.new_table_with(0, 9);
        set_all_fields(vm, Value::Table(t), &tm)?;
        return vm.ret1(args, Value::Table(t));
    }
    // Up to 250 bytes per conversion: charged (and the output checked) as they are made.
    vm.charge_bytes(s.len())?;
    let mut out = Vec::new();
    vm.reserve_string(&mut out, s.len())?;
    let mut i = 0;
    while i < s.len() {
        if s[i] != b'%' {
            out.push(s[i]);
            i += 1;
            continue;
        }
        i += 1;
        let rest = &s[i..];
        let spec: &[u8] = if !rest.is_empty() && OPTIONS_1.contains(&rest[0]) {
            &rest[..1]
        } else if rest.len() >= 2 && OPTIONS_2.iter().any(|o| o[..] == rest[..2]) {
            &rest[..2]
        } else {
            let msg = format!(
                "invalid conversion specifier '%{}'",
                String::from_utf8_lossy(
                    &rest[..rest.iter().position(|&b| b == 0).unwrap_or(rest.len())]
                )
            );
            return Err(vm.arg_error(1, "date", &msg));
        };
        i += spec.len();
        let mut cc = [0u8; 4];
        cc[0] = b'%';
        cc[1..1 + spec.len()].copy_from_slice(spec);
        let mut buf = [0u8; 250];
        // SAFETY: `cc` is NUL-terminated, `buf` has the given size, `tm` is valid.
        let n = unsafe {
            libc::strftime(
                buf.as_mut_ptr() as *mut libc::c_char,
                buf.len(),
                cc.as_ptr() as *const libc::c_char,
                &tm,
            )
        };
        vm.append_charged(&mut out, &buf[..n.min(buf.len())])?;
    }
    let r = vm.intern_buffer(&mut out)?;
    vm.ret1(args, Value::Str(r))
}

fn getenv(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let name = vm.check_str(args, 0, "getenv")?;
    let c = c_string(name.as_bytes());
    // SAFETY: `c` is NUL-terminated; the result is copied before any other libc call.
    let p = unsafe { libc::getenv(c.as_ptr()) };
    ret_c_string(vm, args, p)
}

// ---- CLI only ----

fn exit(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let status = match vm.arg(args, 0) {
        Value::Bool(b) => {
            if b {
                0
            } else {
                1
            }
        }
        _ => vm.opt_int(args, 0, "exit", 0)? as i32,
    };
    if vm.arg(args, 1).truthy() {
        // `os.exit(code, true)` closes the state first: pending finalizers run.
        vm.close();
    }
    vm.flush();
    // Files still open are C streams: exit() flushes them.
    std::process::exit(status)
}

fn remove(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let name = vm.check_str(args, 0, "os.remove")?;
    let c = c_string(name.as_bytes());
    // SAFETY: NUL-terminated path.
    if unsafe { libc::remove(c.as_ptr()) } == 0 {
        vm.ret1(args, Value::Bool(true))
    } else {
        let e = errno();
        file_fail(vm, args, e, Some(name.as_bytes()))
    }
}

fn rename(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let from = vm.check_str(args, 0, "rename")?;
    let to = vm.check_str(args, 1, "rename")?;
    let a = c_string(from.as_bytes());
    let b = c_string(to.as_bytes());
    // SAFETY: NUL-terminated paths.
    if unsafe { libc::rename(a.as_ptr(), b.as_ptr()) } == 0 {
        vm.ret1(args, Value::Bool(true))
    } else {
        let e = errno();
        file_fail(vm, args, e, None)
    }
}

fn tmpname(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let mut template = *b"/tmp/lua_XXXXXX\0";
    // SAFETY: the template is a writable NUL-terminated buffer.
    let fd = unsafe { libc::mkstemp(template.as_mut_ptr() as *mut libc::c_char) };
    if fd == -1 {
        return Err(vm.rt_error("unable to generate a unique filename"));
    }
    // SAFETY: `fd` was just opened by mkstemp.
    unsafe { libc::close(fd) };
    let name = vm.intern(&template[..template.len() - 1]);
    vm.ret1(args, Value::Str(name))
}

/// Flushes `print` output first when it goes to a terminal (C's line-buffered stdout would have
/// shown it already); into a pipe, like C, it stays buffered.
pub(crate) fn flush_if_tty(vm: &mut Vm) {
    // SAFETY: isatty only queries the descriptor.
    if unsafe { libc::isatty(1) } == 1 {
        vm.flush();
    }
}

/// Lua's `luaL_execresult`: `true|nil, "exit"|"signal", code`.
pub(crate) fn exec_result(vm: &mut Vm, args: Args, stat: i32) -> LuaResult<usize> {
    if stat != 0 && errno() != 0 {
        let e = errno();
        return file_fail(vm, args, e, None);
    }
    let (what, code) = if libc::WIFEXITED(stat) {
        ("exit", libc::WEXITSTATUS(stat))
    } else if libc::WIFSIGNALED(stat) {
        ("signal", libc::WTERMSIG(stat))
    } else {
        ("exit", stat)
    };
    let ok = if what == "exit" && code == 0 {
        Value::Bool(true)
    } else {
        Value::Nil
    };
    let w = vm.str_value(what);
    vm.ret_values(args, &[ok, w, Value::Int(code as i64)])
}

fn execute(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let cmd = vm.opt_str(args, 0, "execute")?;
    flush_if_tty(vm);
    match cmd {
        None => {
            // SAFETY: system(NULL) asks whether a shell exists.
            let stat = unsafe { libc::system(std::ptr::null()) };
            vm.ret1(args, Value::Bool(stat != 0))
        }
        Some(c) => {
            let c = c_string(c.as_bytes());
            set_errno(0);
            // SAFETY: NUL-terminated command.
            let stat = unsafe { libc::system(c.as_ptr()) };
            exec_result(vm, args, stat)
        }
    }
}

fn setlocale(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    const NAMES: [&str; 6] = ["all", "collate", "ctype", "monetary", "numeric", "time"];
    const CATS: [libc::c_int; 6] = [
        libc::LC_ALL,
        libc::LC_COLLATE,
        libc::LC_CTYPE,
        libc::LC_MONETARY,
        libc::LC_NUMERIC,
        libc::LC_TIME,
    ];
    let loc = vm.opt_str(args, 0, "setlocale")?;
    let cat = match vm.opt_str(args, 1, "setlocale")? {
        None => 0,
        Some(s) => match NAMES.iter().position(|n| n.as_bytes() == s.as_bytes()) {
            Some(i) => i,
            None => {
                let msg = format!("invalid option '{}'", s.to_str_lossy());
                return Err(vm.arg_error(2, "setlocale", &msg));
            }
        },
    };
    let c = loc.map(|l| c_string(l.as_bytes()));
    // SAFETY: a NUL-terminated locale name or NULL (query); the result is copied at once.
    let p = unsafe {
        libc::setlocale(
            CATS[cat],
            c.as_ref().map_or(std::ptr::null(), |c| c.as_ptr()),
        )
    };
    ret_c_string(vm, args, p)
}

/// Returns a C library string (copied at once, before any other libc call), or nil for NULL.
fn ret_c_string(vm: &mut Vm, args: Args, p: *const libc::c_char) -> LuaResult<usize> {
    let r = if p.is_null() {
        Value::Nil
    } else {
        // SAFETY: non-null pointers from getenv/setlocale point at NUL-terminated strings.
        let bytes = unsafe { CStr::from_ptr(p) }.to_bytes();
        Value::Str(vm.intern(bytes))
    };
    vm.ret1(args, r)
}

/// Sets this thread's `errno`: cleared before C calls whose failure is read from it.
pub(crate) fn set_errno(v: i32) {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    // SAFETY: writes this thread's errno.
    unsafe {
        *libc::__errno_location() = v;
    }
    #[cfg(any(target_os = "macos", target_os = "ios", target_os = "freebsd"))]
    // SAFETY: writes this thread's errno.
    unsafe {
        *libc::__error() = v;
    }
    let _ = v;
}
