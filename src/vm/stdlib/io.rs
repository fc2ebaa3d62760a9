//! The `io` library (standalone interpreter only).
//!
//! Files are userdata holding a `LuaFile` with one shared metatable (registry key `FILE*`).
//! Ordinary files are C streams, so buffering, read/write switching, `setvbuf` and error codes
//! behave exactly as in PUC Lua. Standard output is special: it writes through `vm.out`, the
//! buffer `print` uses, so the two keep their relative order.

use std::io::Write;

use smallvec::SmallVec;

use super::os::{c_string, errno, exec_result, file_fail, flush_if_tty, set_errno};
use crate::vm::number;
use crate::vm::runtime::error::LuaResult;
use crate::vm::runtime::function::Args;
use crate::vm::runtime::gc::Gc;
use crate::vm::runtime::state::Vm;
use crate::vm::runtime::table::Table;
use crate::vm::runtime::userdata::UserData;
use crate::vm::runtime::value::Value;

const REG_META: &str = "FILE*";
const REG_INPUT: &str = "_IO_input";
const REG_OUTPUT: &str = "_IO_output";
/// Most formats `lines` accepts.
const MAX_ARG_LINE: usize = 250;
/// Name for argument errors in file methods: called as `f:read(...)` the message names the
/// method; called some other way (through `pcall`), Lua finds no global name for them.
const METHOD: &str = "?";
/// Longest numeral `read("n")` accepts.
const MAX_LEN_NUM: usize = 200;

#[derive(Clone, Copy)]
enum Handle {
    Closed,
    /// The process's standard output, written through `vm.out`. `vbuf` is the mode set with
    /// `setvbuf` (flush after every write, after newlines, or when the buffer fills).
    Stdout {
        vbuf: libc::c_int,
    },
    Stderr,
    /// A C stream. `kind` says how it is closed.
    Stream {
        f: *mut libc::FILE,
        kind: Kind,
    },
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    /// Standard input: never closed.
    Std,
    File,
    Pipe,
}

pub struct LuaFile {
    h: Handle,
}

impl Drop for LuaFile {
    fn drop(&mut self) {
        if let Handle::Stream { f, kind } = self.h {
            // SAFETY: `f` is an open stream owned by this object.
            unsafe {
                match kind {
                    Kind::File => {
                        libc::fclose(f);
                    }
                    Kind::Pipe => {
                        libc::pclose(f);
                    }
                    Kind::Std => {}
                }
            }
        }
        self.h = Handle::Closed;
    }
}

pub(crate) fn open(vm: &mut Vm) {
    let io = super::register_lib(
        vm,
        "io",
        &[
            ("close", io_close),
            ("flush", io_flush),
            ("input", io_input),
            ("lines", io_lines),
            ("open", io_open),
            ("output", io_output),
            ("popen", io_popen),
            ("read", io_read),
            ("tmpfile", io_tmpfile),
            ("type", io_type),
            ("write", io_write),
        ],
    );
    let methods = vm.new_table_with(0, 8);
    let mfuncs: [(&str, crate::vm::runtime::function::NativeFn); 7] = [
        ("close", f_close),
        ("flush", f_flush),
        ("lines", f_lines),
        ("read", f_read),
        ("seek", f_seek),
        ("setvbuf", f_setvbuf),
        ("write", f_write),
    ];
    for (n, f) in mfuncs {
        vm.set_field(methods, n, Value::Native(f));
    }
    let mt = vm.new_table_with(0, 6);
    vm.set_field(mt, "__index", Value::Table(methods));
    vm.set_field(mt, "__gc", Value::Native(f_gc));
    vm.set_field(mt, "__close", Value::Native(f_gc));
    vm.set_field(mt, "__tostring", Value::Native(f_tostring));
    let name = vm.str_value(REG_META);
    vm.set_field(mt, "__name", name);
    let reg = vm.registry();
    vm.set_field(reg, REG_META, Value::Table(mt));

    // SAFETY: fdopen on descriptor 0 with a valid mode string.
    let stdin_f = unsafe { libc::fdopen(0, c"r".as_ptr()) };
    let stdin = if stdin_f.is_null() {
        Handle::Closed
    } else {
        Handle::Stream {
            f: stdin_f,
            kind: Kind::Std,
        }
    };
    let stdin = new_file(vm, stdin);
    let stdout = new_file(vm, Handle::Stdout { vbuf: libc::_IOFBF });
    let stderr = new_file(vm, Handle::Stderr);
    vm.set_field(io, "stdin", stdin);
    vm.set_field(io, "stdout", stdout);
    vm.set_field(io, "stderr", stderr);
    vm.set_field(reg, REG_INPUT, stdin);
    vm.set_field(reg, REG_OUTPUT, stdout);
}

fn file_meta(vm: &mut Vm) -> Option<Gc<Table>> {
    match reg_get(vm, REG_META) {
        Value::Table(t) => Some(t),
        _ => None,
    }
}

fn reg_get(vm: &mut Vm, key: &str) -> Value {
    let k = vm.intern(key.as_bytes());
    vm.registry().get_str(k)
}

fn reg_set(vm: &mut Vm, key: &str, v: Value) {
    let reg = vm.registry();
    vm.set_field(reg, key, v);
}

fn new_file(vm: &mut Vm, h: Handle) -> Value {
    let mt = file_meta(vm);
    vm.new_userdata(Box::new(LuaFile { h }), mt)
}

/// The file object inside `v`, if `v` is a file.
fn as_file(v: &Value) -> Option<Gc<UserData>> {
    match v {
        Value::UserData(u) if u.data.is::<LuaFile>() => Some(*u),
        _ => None,
    }
}

fn handle(u: Gc<UserData>) -> Handle {
    match u.data.downcast_ref::<LuaFile>() {
        Some(f) => f.h,
        None => Handle::Closed,
    }
}

fn set_handle(u: Gc<UserData>, h: Handle) {
    if let Some(f) = u.get_mut().data.downcast_mut::<LuaFile>() {
        f.h = h;
    }
}

fn is_closed(u: Gc<UserData>) -> bool {
    matches!(handle(u), Handle::Closed)
}

/// Argument `i` as an open file (Lua's `tofile`).
fn to_file(vm: &mut Vm, args: Args, i: usize, fname: &str) -> LuaResult<Gc<UserData>> {
    let v = vm.arg(args, i);
    let Some(u) = as_file(&v) else {
        return Err(vm.arg_type_error(args, i, fname, REG_META));
    };
    if is_closed(u) {
        return Err(vm.rt_error("attempt to use a closed file"));
    }
    Ok(u)
}

/// The default input or output file, which must be open.
fn get_io_file(vm: &mut Vm, key: &str) -> LuaResult<Gc<UserData>> {
    let v = reg_get(vm, key);
    match as_file(&v) {
        Some(u) if !is_closed(u) => Ok(u),
        _ => {
            let which = if key == REG_INPUT { "input" } else { "output" };
            Err(vm.rt_error(&format!("default {which} file is closed")))
        }
    }
}

fn ret_true(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    vm.ret1(args, Value::Bool(true))
}

/// `luaL_fileresult`: true, or nil + message + errno.
fn file_result(vm: &mut Vm, args: Args, ok: bool, code: i32) -> LuaResult<usize> {
    if ok {
        ret_true(vm, args)
    } else {
        file_fail(vm, args, code, None)
    }
}

// ---- closing ----

/// Closes `u` and returns Lua's results for `close`.
fn aux_close(vm: &mut Vm, args: Args, u: Gc<UserData>) -> LuaResult<usize> {
    match handle(u) {
        Handle::Closed => ret_true(vm, args),
        Handle::Stdout { .. }
        | Handle::Stderr
        | Handle::Stream {
            kind: Kind::Std, ..
        } => {
            let m = vm.str_value("cannot close standard file");
            vm.ret_values(args, &[Value::Nil, m])
        }
        Handle::Stream { f, kind } => {
            set_handle(u, Handle::Closed);
            if kind == Kind::Pipe {
                set_errno(0);
                // SAFETY: `f` came from popen and is closed once.
                let stat = unsafe { libc::pclose(f) };
                exec_result(vm, args, stat)
            } else {
                // SAFETY: `f` came from fopen/tmpfile and is closed once.
                let ok = unsafe { libc::fclose(f) } == 0;
                let e = errno();
                file_result(vm, args, ok, e)
            }
        }
    }
}

fn io_close(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let a = if args.n == 0 {
        // The default output.
        let out = reg_get(vm, REG_OUTPUT);
        vm.reserve_stack(args.base, 1)?;
        vm.stack_mut()[args.base] = out;
        Args {
            base: args.base,
            n: 1,
        }
    } else {
        args
    };
    let u = to_file(vm, a, 0, "io.close")?;
    aux_close(vm, a, u)
}

fn f_close(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let u = to_file(vm, args, 0, METHOD)?;
    aux_close(vm, args, u)
}

fn f_gc(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    // Called by hand (`getmetatable(io.stdin).__gc()`), it checks its argument as PUC Lua does.
    let Some(u) = as_file(&vm.arg(args, 0)) else {
        return Err(vm.arg_type_error(args, 0, "__gc", REG_META));
    };
    if !is_closed(u) {
        aux_close(vm, args, u)?;
    }
    Ok(0)
}

fn f_tostring(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let v = vm.arg(args, 0);
    let Some(u) = as_file(&v) else {
        return Err(vm.arg_type_error(args, 0, "tostring", REG_META));
    };
    let s = match handle(u) {
        Handle::Closed => "file (closed)".to_string(),
        Handle::Stream { f, .. } => format!("file ({f:p})"),
        _ => format!("file (0x{:x})", u.addr()),
    };
    let r = vm.str_value(&s);
    vm.ret1(args, r)
}

// ---- opening ----

/// Lua's mode check: `[rwa]%+?b*`.
fn check_mode(mode: &[u8]) -> bool {
    let mut m = mode;
    match m.first() {
        Some(b'r' | b'w' | b'a') => m = &m[1..],
        _ => return false,
    }
    if m.first() == Some(&b'+') {
        m = &m[1..];
    }
    m.iter().all(|&c| c == b'b')
}

fn fopen(name: &[u8], mode: &[u8]) -> Option<*mut libc::FILE> {
    let n = c_string(name);
    let m = c_string(mode);
    // SAFETY: NUL-terminated strings.
    let f = unsafe { libc::fopen(n.as_ptr(), m.as_ptr()) };
    if f.is_null() { None } else { Some(f) }
}

fn io_open(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let name = vm.check_str(args, 0, "open")?;
    let mode = match vm.opt_str(args, 1, "open")? {
        Some(m) => m,
        None => vm.intern(b"r"),
    };
    let md = mode.as_bytes();
    let cut = md.iter().position(|&b| b == 0).unwrap_or(md.len());
    if !check_mode(&md[..cut]) {
        return Err(vm.arg_error(2, "open", "invalid mode"));
    }
    set_errno(0);
    match fopen(name.as_bytes(), &md[..cut]) {
        Some(f) => {
            let v = new_file(
                vm,
                Handle::Stream {
                    f,
                    kind: Kind::File,
                },
            );
            vm.ret1(args, v)
        }
        None => {
            let e = errno();
            let cname = c_string(name.as_bytes());
            file_fail(vm, args, e, Some(cname.as_bytes()))
        }
    }
}

fn io_popen(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let prog = vm.check_str(args, 0, "popen")?;
    let mode = match vm.opt_str(args, 1, "popen")? {
        Some(m) => m,
        None => vm.intern(b"r"),
    };
    let md = c_string(mode.as_bytes());
    if !matches!(md.as_bytes(), b"r" | b"w") {
        return Err(vm.arg_error(2, "popen", "invalid mode"));
    }
    flush_if_tty(vm);
    let p = c_string(prog.as_bytes());
    set_errno(0);
    // SAFETY: NUL-terminated command and mode.
    let f = unsafe { libc::popen(p.as_ptr(), md.as_ptr()) };
    if f.is_null() {
        let e = errno();
        return file_fail(vm, args, e, Some(p.as_bytes()));
    }
    let v = new_file(
        vm,
        Handle::Stream {
            f,
            kind: Kind::Pipe,
        },
    );
    vm.ret1(args, v)
}

fn io_tmpfile(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    set_errno(0);
    // SAFETY: plain libc call.
    let f = unsafe { libc::tmpfile() };
    if f.is_null() {
        let e = errno();
        return file_fail(vm, args, e, None);
    }
    let v = new_file(
        vm,
        Handle::Stream {
            f,
            kind: Kind::File,
        },
    );
    vm.ret1(args, v)
}

fn io_type(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let v = vm.check_any(args, 0, "io.type")?;
    let r = match as_file(&v) {
        None => Value::Nil,
        Some(u) if is_closed(u) => vm.str_value("closed file"),
        Some(_) => vm.str_value("file"),
    };
    vm.ret1(args, r)
}

/// `io.input` / `io.output`: set the default file (from a name or a file), return the current.
fn g_iofile(vm: &mut Vm, args: Args, key: &str, mode: &[u8], fname: &str) -> LuaResult<usize> {
    let v = vm.arg(args, 0);
    if !v.is_nil() {
        let new = match v {
            Value::Str(_) | Value::Int(_) | Value::Float(_) => {
                let name = vm.check_str(args, 0, fname)?;
                open_or_raise(vm, name.as_bytes(), mode)?
            }
            _ => {
                to_file(vm, args, 0, fname)?;
                v
            }
        };
        reg_set(vm, key, new);
    }
    let cur = reg_get(vm, key);
    vm.ret1(args, cur)
}

fn io_input(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    g_iofile(vm, args, REG_INPUT, b"r", "input")
}

fn io_output(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    g_iofile(vm, args, REG_OUTPUT, b"w", "output")
}

// ---- writing ----

/// Writes bytes to a file; the error is an errno value.
fn write_bytes(vm: &mut Vm, u: Gc<UserData>, b: &[u8]) -> Result<(), i32> {
    let io_err = |e: std::io::Error| e.raw_os_error().unwrap_or(libc::EIO);
    match handle(u) {
        Handle::Closed => Err(libc::EBADF),
        Handle::Stdout { vbuf } => {
            vm.out.write_all(b).map_err(io_err)?;
            if vbuf == libc::_IONBF || (vbuf == libc::_IOLBF && b.contains(&b'\n')) {
                vm.out.flush().map_err(io_err)?;
            }
            Ok(())
        }
        Handle::Stderr => std::io::stderr().write_all(b).map_err(io_err),
        Handle::Stream { f, .. } => {
            if b.is_empty() {
                return Ok(());
            }
            // SAFETY: `f` is open; the buffer is valid for `b.len()` bytes.
            let n = unsafe { libc::fwrite(b.as_ptr() as *const libc::c_void, 1, b.len(), f) };
            if n == b.len() { Ok(()) } else { Err(errno()) }
        }
    }
}

/// Writes arguments `first..` to `u`; returns the file or the error triple.
fn g_write(
    vm: &mut Vm,
    args: Args,
    u: Gc<UserData>,
    first: usize,
    fname: &str,
) -> LuaResult<usize> {
    let mut err = None;
    let mut buf: SmallVec<[u8; 32]> = SmallVec::new();
    for i in first..args.n {
        let v = vm.arg(args, i);
        let s = match v {
            Value::Int(n) => {
                buf.clear();
                buf.extend_from_slice(n.to_string().as_bytes());
                None
            }
            Value::Float(f) => {
                let mut b = Vec::new();
                number::format_float_c(&mut b, "%.14g", f);
                buf.clear();
                buf.extend_from_slice(&b);
                None
            }
            Value::Str(s) => Some(s),
            _ => return Err(vm.arg_type_error(args, i, fname, "string")),
        };
        if err.is_none() {
            let r = match s {
                Some(s) => write_bytes(vm, u, s.as_bytes()),
                None => {
                    let b = buf.clone();
                    write_bytes(vm, u, &b)
                }
            };
            if let Err(e) = r {
                err = Some(e);
            }
        }
    }
    match err {
        None => vm.ret1(args, Value::UserData(u)),
        Some(e) => file_fail(vm, args, e, None),
    }
}

fn io_write(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let u = get_io_file(vm, REG_OUTPUT)?;
    g_write(vm, args, u, 0, "write")
}

fn f_write(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let u = to_file(vm, args, 0, METHOD)?;
    g_write(vm, args, u, 1, METHOD)
}

fn flush_file(vm: &mut Vm, u: Gc<UserData>) -> Result<(), i32> {
    match handle(u) {
        Handle::Closed => Err(libc::EBADF),
        Handle::Stdout { .. } => vm
            .out
            .flush()
            .map_err(|e| e.raw_os_error().unwrap_or(libc::EIO)),
        Handle::Stderr => Ok(()),
        Handle::Stream { f, .. } => {
            // SAFETY: `f` is open.
            if unsafe { libc::fflush(f) } == 0 {
                Ok(())
            } else {
                Err(errno())
            }
        }
    }
}

fn io_flush(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let u = get_io_file(vm, REG_OUTPUT)?;
    match flush_file(vm, u) {
        Ok(()) => ret_true(vm, args),
        Err(e) => file_fail(vm, args, e, None),
    }
}

fn f_flush(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let u = to_file(vm, args, 0, METHOD)?;
    match flush_file(vm, u) {
        Ok(()) => ret_true(vm, args),
        Err(e) => file_fail(vm, args, e, None),
    }
}

// ---- reading ----

/// A C stream to read from; standard output and error read like a write-only stream (every read
/// fails with EBADF).
struct Reader {
    f: *mut libc::FILE,
    bad: bool,
}

const EOF: i32 = -1;

impl Reader {
    fn of(vm: &mut Vm, u: Gc<UserData>) -> Reader {
        match handle(u) {
            Handle::Stream { f, kind } => {
                if kind == Kind::Std {
                    flush_if_tty(vm);
                }
                Reader { f, bad: false }
            }
            _ => Reader {
                f: std::ptr::null_mut(),
                bad: false,
            },
        }
    }

    fn getc(&mut self) -> i32 {
        if self.f.is_null() {
            self.bad = true;
            set_errno(libc::EBADF);
            return EOF;
        }
        // SAFETY: `f` is an open stream.
        unsafe { libc::fgetc(self.f) }
    }

    fn ungetc(&mut self, c: i32) {
        if !self.f.is_null() && c != EOF {
            // SAFETY: `f` is an open stream.
            unsafe { libc::ungetc(c, self.f) };
        }
    }

    /// Reads up to `buf.len()` bytes; returns how many.
    fn read(&mut self, buf: &mut [u8]) -> usize {
        if self.f.is_null() {
            self.bad = true;
            set_errno(libc::EBADF);
            return 0;
        }
        // SAFETY: `f` is open; `buf` is writable for its length.
        unsafe { libc::fread(buf.as_mut_ptr() as *mut libc::c_void, 1, buf.len(), self.f) }
    }

    fn clear_err(&mut self) {
        if !self.f.is_null() {
            // SAFETY: `f` is an open stream.
            unsafe { libc::clearerr(self.f) };
        }
    }

    fn error(&self) -> bool {
        if self.f.is_null() {
            return self.bad;
        }
        // SAFETY: `f` is an open stream.
        unsafe { libc::ferror(self.f) != 0 }
    }

    /// One line, with its newline when `keep`. `None` at end of file with nothing read.
    fn line(&mut self, keep: bool) -> Option<Vec<u8>> {
        if self.f.is_null() {
            self.getc();
            return None;
        }
        let mut ptr: *mut libc::c_char = std::ptr::null_mut();
        let mut cap: libc::size_t = 0;
        // SAFETY: getline allocates `ptr` with malloc; we copy the bytes and free it.
        let n = unsafe { libc::getline(&mut ptr, &mut cap, self.f) };
        let r = if n <= 0 {
            None
        } else {
            // SAFETY: getline wrote `n` bytes at `ptr`.
            let s = unsafe { std::slice::from_raw_parts(ptr as *const u8, n as usize) };
            let s = if !keep && s.last() == Some(&b'\n') {
                &s[..s.len() - 1]
            } else {
                s
            };
            Some(s.to_vec())
        };
        if !ptr.is_null() {
            // SAFETY: allocated by getline.
            unsafe { libc::free(ptr as *mut libc::c_void) };
        }
        r
    }

    /// Up to `n` bytes (read in chunks, so a huge `n` allocates only what the file has).
    fn chars(&mut self, n: u64) -> Vec<u8> {
        let mut out = Vec::new();
        let mut left = n;
        while left > 0 {
            let chunk = left.min(1 << 16) as usize;
            let start = out.len();
            out.resize(start + chunk, 0);
            let got = self.read(&mut out[start..]);
            out.truncate(start + got);
            left -= got as u64;
            if got < chunk {
                break;
            }
        }
        out
    }

    fn all(&mut self) -> Vec<u8> {
        self.chars(u64::MAX)
    }

    /// A numeral as `read("n")` scans it (at most 200 characters), converted like `tonumber`.
    fn number(&mut self) -> Option<Value> {
        let mut c = self.getc();
        while is_c_space(c) {
            c = self.getc();
        }
        let mut sc = NumScan {
            rd: self,
            c,
            buf: Vec::with_capacity(32),
            overflow: false,
        };
        let mut count = 0;
        let mut hex = false;
        sc.test2(b"-+");
        if sc.test2(b"00") {
            if sc.test2(b"xX") {
                hex = true;
            } else {
                count = 1;
            }
        }
        count += sc.digits(hex);
        if sc.test2(b"..") {
            count += sc.digits(hex);
        }
        if count > 0 && sc.test2(if hex { b"pP" } else { b"eE" }) {
            sc.test2(b"-+");
            sc.digits(false);
        }
        let (c, overflow, buf) = (sc.c, sc.overflow, sc.buf);
        self.ungetc(c);
        if overflow {
            return None;
        }
        crate::vm::runtime::value::str_to_number(&buf)
    }
}

/// C's `isspace` in the C locale.
fn is_c_space(c: i32) -> bool {
    matches!(c, 0x20 | 0x09..=0x0d)
}

/// State of `read("n")`: the look-ahead character and the text accepted so far.
struct NumScan<'a> {
    rd: &'a mut Reader,
    c: i32,
    buf: Vec<u8>,
    overflow: bool,
}

impl NumScan<'_> {
    /// Accepts the look-ahead character and reads the next; fails when the numeral is too long.
    fn take(&mut self) -> bool {
        if self.buf.len() >= MAX_LEN_NUM {
            self.overflow = true;
            return false;
        }
        self.buf.push(self.c as u8);
        self.c = self.rd.getc();
        true
    }

    fn test2(&mut self, set: &[u8; 2]) -> bool {
        if self.c == set[0] as i32 || self.c == set[1] as i32 {
            self.take()
        } else {
            false
        }
    }

    fn digits(&mut self, hex: bool) -> usize {
        let mut count = 0;
        loop {
            let c = self.c;
            let ok = (0..=255).contains(&c)
                && if hex {
                    (c as u8).is_ascii_hexdigit()
                } else {
                    (c as u8).is_ascii_digit()
                };
            if !ok || !self.take() {
                return count;
            }
            count += 1;
        }
    }
}

/// Reads `formats` from `u`, writing the results from stack slot `out`. `argn` is the
/// argument number of the first format, for messages. Returns the number of results.
fn g_read(
    vm: &mut Vm,
    u: Gc<UserData>,
    formats: &[Value],
    out: usize,
    argn: usize,
    fname: &str,
) -> LuaResult<usize> {
    let mut rd = Reader::of(vm, u);
    rd.clear_err();
    vm.reserve_stack(out, formats.len().max(1) + 3)?;
    let mut n = 0;
    let mut success;
    if formats.is_empty() {
        let r = rd.line(false);
        success = r.is_some();
        let v = match r {
            Some(s) => Value::Str(vm.intern(&s)),
            None => Value::Nil,
        };
        vm.stack_mut()[out] = v;
        n = 1;
    } else {
        success = true;
        for (k, fmt) in formats.iter().enumerate() {
            if !success {
                break;
            }
            let v = match *fmt {
                Value::Int(_) | Value::Float(_) => {
                    let cnt = match crate::vm::runtime::value::value_to_int(fmt) {
                        Some(c) => c,
                        None => {
                            return Err(vm.arg_error(
                                argn + k,
                                fname,
                                "number has no integer representation",
                            ));
                        }
                    };
                    if cnt == 0 {
                        let c = rd.getc();
                        rd.ungetc(c);
                        success = c != EOF;
                        vm.str_value("")
                    } else {
                        let cnt = cnt as u64;
                        if cnt > (isize::MAX as u64) {
                            return Err(vm.plain_error("not enough memory"));
                        }
                        if cnt > (1 << 24) {
                            vm.check_alloc(cnt as usize)?;
                        }
                        let s = rd.chars(cnt);
                        success = !s.is_empty();
                        Value::Str(vm.intern(&s))
                    }
                }
                Value::Str(s) => {
                    let b = s.as_bytes();
                    let b = if b.first() == Some(&b'*') { &b[1..] } else { b };
                    match b.first() {
                        Some(b'n') => match rd.number() {
                            Some(v) => v,
                            None => {
                                success = false;
                                Value::Nil
                            }
                        },
                        Some(b'l') => match rd.line(false) {
                            Some(l) => Value::Str(vm.intern(&l)),
                            None => {
                                success = false;
                                Value::Nil
                            }
                        },
                        Some(b'L') => match rd.line(true) {
                            Some(l) => Value::Str(vm.intern(&l)),
                            None => {
                                success = false;
                                Value::Nil
                            }
                        },
                        Some(b'a') => {
                            let s = rd.all();
                            Value::Str(vm.intern(&s))
                        }
                        _ => return Err(vm.arg_error(argn + k, fname, "invalid format")),
                    }
                }
                _ => {
                    let got = vm.obj_type_name(fmt);
                    return Err(vm.arg_error(
                        argn + k,
                        fname,
                        &format!("string expected, got {got}"),
                    ));
                }
            };
            vm.stack_mut()[out + n] = v;
            n += 1;
        }
    }
    if rd.error() {
        let e = errno();
        let m = vm.str_value(&super::os::strerror(e));
        let s = vm.stack_mut();
        s[out] = Value::Nil;
        s[out + 1] = m;
        s[out + 2] = Value::Int(e as i64);
        return Ok(3);
    }
    if !success {
        vm.stack_mut()[out + n - 1] = Value::Nil;
    }
    Ok(n)
}

fn io_read(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let u = get_io_file(vm, REG_INPUT)?;
    let formats: SmallVec<[Value; 4]> = (0..args.n).map(|i| vm.arg(args, i)).collect();
    g_read(vm, u, &formats, args.base, 1, "read")
}

fn f_read(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let u = to_file(vm, args, 0, METHOD)?;
    let formats: SmallVec<[Value; 4]> = (1..args.n).map(|i| vm.arg(args, i)).collect();
    g_read(vm, u, &formats, args.base, 2, METHOD)
}

// ---- lines ----

/// The iterator `lines` returns; upvalues: the file, whether to close it at the end, formats.
fn aux_lines(
    vm: &mut Vm,
    file: Value,
    to_close: bool,
    formats: &[Value],
    fname: &str,
) -> LuaResult<Value> {
    if formats.len() > MAX_ARG_LINE {
        return Err(vm.arg_error(MAX_ARG_LINE + 2, fname, "too many arguments"));
    }
    let mut up: SmallVec<[Value; 4]> = SmallVec::new();
    up.push(file);
    up.push(Value::Bool(to_close));
    up.extend_from_slice(formats);
    Ok(vm.new_native_closure(io_readline, &up))
}

fn io_readline(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let callee = if args.base > 0 {
        vm.stack()[args.base - 1]
    } else {
        Value::Nil
    };
    let Value::NativeClosure(nc) = callee else {
        return Err(vm.rt_error("file is already closed"));
    };
    let up: SmallVec<[Value; 8]> = nc.upvals.iter().copied().collect();
    let Some(u) = up.first().and_then(as_file) else {
        return Err(vm.rt_error("file is already closed"));
    };
    if is_closed(u) {
        return Err(vm.rt_error("file is already closed"));
    }
    let to_close = up.get(1).is_some_and(|v| v.truthy());
    let formats = if up.len() > 2 { &up[2..] } else { &[][..] };
    let n = g_read(vm, u, formats, args.base, 2, "lines")?;
    if vm.stack()[args.base].truthy() {
        return Ok(n);
    }
    if n > 1 {
        // An error: the message is the second result.
        let m = vm.stack()[args.base + 1];
        let msg = match m {
            Value::Str(s) => s.to_str_lossy().into_owned(),
            _ => String::new(),
        };
        return Err(vm.rt_error(&msg));
    }
    if to_close {
        aux_close(vm, args, u)?;
    }
    Ok(0)
}

fn io_lines(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let formats: SmallVec<[Value; 4]> = (1..args.n).map(|i| vm.arg(args, i)).collect();
    if vm.arg(args, 0).is_nil() {
        // The default input, left open at the end.
        let input = reg_get(vm, REG_INPUT);
        vm.reserve_stack(args.base, 1)?;
        vm.stack_mut()[args.base] = input;
        let a = Args {
            base: args.base,
            n: args.n.max(1),
        };
        let u = to_file(vm, a, 0, "lines")?;
        let f = aux_lines(vm, Value::UserData(u), false, &formats, "lines")?;
        return vm.ret1(args, f);
    }
    let name = vm.check_str(args, 0, "lines")?;
    let file = open_or_raise(vm, name.as_bytes(), b"r")?;
    // Keep the new file reachable while the iterator is built.
    vm.stack_mut()[args.base] = file;
    let f = aux_lines(vm, file, true, &formats, "lines")?;
    vm.ret_values(args, &[f, Value::Nil, Value::Nil, file])
}

fn f_lines(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let u = to_file(vm, args, 0, METHOD)?;
    let formats: SmallVec<[Value; 4]> = (1..args.n).map(|i| vm.arg(args, i)).collect();
    let f = aux_lines(vm, Value::UserData(u), false, &formats, METHOD)?;
    vm.ret1(args, f)
}

// ---- seek and buffering ----

fn check_option(
    vm: &mut Vm,
    args: Args,
    i: usize,
    fname: &str,
    default: Option<&str>,
    names: &[&str],
) -> LuaResult<usize> {
    let s = match (vm.opt_str(args, i, fname)?, default) {
        (Some(s), _) => s,
        (None, Some(d)) => vm.intern(d.as_bytes()),
        (None, None) => return Err(vm.arg_type_error(args, i, fname, "string")),
    };
    match names.iter().position(|n| n.as_bytes() == s.as_bytes()) {
        Some(p) => Ok(p),
        None => {
            let msg = format!("invalid option '{}'", s.to_str_lossy());
            Err(vm.arg_error(i + 1, fname, &msg))
        }
    }
}

fn f_seek(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    const WHENCE: [libc::c_int; 3] = [libc::SEEK_SET, libc::SEEK_CUR, libc::SEEK_END];
    let u = to_file(vm, args, 0, METHOD)?;
    let op = check_option(vm, args, 1, METHOD, Some("cur"), &["set", "cur", "end"])?;
    let off = vm.opt_int(args, 2, METHOD, 0)?;
    if libc::off_t::try_from(off).is_err() {
        return Err(vm.arg_error(3, METHOD, "not an integer in proper range"));
    }
    let r: Result<i64, i32> = match handle(u) {
        Handle::Stream { f, .. } => {
            // SAFETY: `f` is open.
            unsafe {
                if libc::fseeko(f, off as libc::off_t, WHENCE[op]) != 0 {
                    Err(errno())
                } else {
                    Ok(libc::ftello(f) as i64)
                }
            }
        }
        Handle::Stdout { .. } | Handle::Stderr => {
            let fd = if matches!(handle(u), Handle::Stderr) {
                2
            } else {
                vm.flush();
                1
            };
            // SAFETY: lseek on a standard descriptor.
            let p = unsafe { libc::lseek(fd, off as libc::off_t, WHENCE[op]) };
            if p < 0 { Err(errno()) } else { Ok(p as i64) }
        }
        Handle::Closed => Err(libc::EBADF),
    };
    match r {
        Ok(p) => vm.ret1(args, Value::Int(p)),
        Err(e) => file_fail(vm, args, e, None),
    }
}

fn f_setvbuf(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    const MODES: [libc::c_int; 3] = [libc::_IONBF, libc::_IOFBF, libc::_IOLBF];
    let u = to_file(vm, args, 0, METHOD)?;
    let op = check_option(vm, args, 1, METHOD, None, &["no", "full", "line"])?;
    let size = vm.opt_int(args, 2, METHOD, 1024)?;
    let ok = match handle(u) {
        Handle::Stream { f, .. } => {
            // SAFETY: `f` is open; a NULL buffer lets the C library allocate.
            unsafe { libc::setvbuf(f, std::ptr::null_mut(), MODES[op], size as libc::size_t) == 0 }
        }
        Handle::Stdout { .. } => {
            set_handle(u, Handle::Stdout { vbuf: MODES[op] });
            if MODES[op] != libc::_IOFBF {
                vm.flush();
            }
            true
        }
        _ => true,
    };
    let e = errno();
    file_result(vm, args, ok, e)
}

/// Opens a file as a new Lua file object, or raises Lua's "cannot open file" error (for
/// `io.input`/`io.output` with a name and `io.lines` with a name).
fn open_or_raise(vm: &mut Vm, name: &[u8], mode: &[u8]) -> LuaResult<Value> {
    match fopen(name, mode) {
        Some(f) => Ok(new_file(
            vm,
            Handle::Stream {
                f,
                kind: Kind::File,
            },
        )),
        None => {
            let e = errno();
            let msg = format!(
                "cannot open file '{}' ({})",
                String::from_utf8_lossy(c_string(name).as_bytes()),
                super::os::strerror(e)
            );
            Err(vm.rt_error(&msg))
        }
    }
}
