//! The standard library, one file per Lua library, plus argument-checking helpers shared by all.

pub mod base;
pub mod coroutine;
pub mod debug;
pub mod io;
pub mod math;
pub mod os;
pub mod pack;
pub mod package;
pub mod pattern;
pub mod string;
pub mod table;
pub mod utf8;

use crate::vm::number;
use crate::vm::runtime::error::{LuaError, LuaResult};
use crate::vm::runtime::function::{Args, NativeFn};
use crate::vm::runtime::gc::Gc;
use crate::vm::runtime::state::Vm;
use crate::vm::runtime::string::LuaStr;
use crate::vm::runtime::table::Table;
use crate::vm::runtime::value::Value;

/// Opens the libraries a game script gets: everything but `io` and the process- and
/// file-touching parts of `os`.
impl Vm {
    /// A VM with the standard library opened (a bare `Vm::new` knows no library).
    pub fn with_stdlib() -> Vm {
        let mut vm = Vm::new();
        open_all(&mut vm);
        vm
    }

    /// Adds what the standalone interpreter (`lua5.4`, our CLI) has beyond `with_stdlib`: the
    /// `io` library, `os.exit`, `os.remove`, `os.rename`, `os.tmpname`, `os.execute`,
    /// `dofile` and `loadfile`. Not for untrusted scripts.
    pub fn open_cli_libs(&mut self) {
        open_cli(self, true);
    }

    /// `open_cli_libs` without reading `LUA_PATH`/`LUA_CPATH` (lua.c's `-E`).
    pub fn open_cli_libs_ignoring_env(&mut self) {
        open_cli(self, false);
    }
}

pub(crate) fn open_all(vm: &mut Vm) {
    base::open(vm);
    let string_lib = string::open(vm);
    pack::open(vm, string_lib);
    table::open(vm);
    math::open(vm);
    os::open(vm);
    coroutine::open(vm);
    utf8::open(vm);
    debug::open(vm);
    // Last, so the libraries above are registered in `package.loaded`.
    package::open(vm);
}

/// Adds what the standalone interpreter has on top of `open_all`: `io`, and `os.exit`,
/// `remove`, `rename`, `tmpname` and `execute`.
pub(crate) fn open_cli(vm: &mut Vm, read_env: bool) {
    // lua.c switches its state to generational mode; `collectgarbage` reports it the same way.
    vm.heap.generational_mode = true;
    io::open(vm);
    os::open_cli(vm);
    base::open_cli(vm);
    debug::open_cli(vm);
    package::open_cli(vm, read_env);
}

/// Creates a library table with `funcs`, stores it as global `name`, and returns it.
pub(crate) fn register_lib(vm: &mut Vm, name: &str, funcs: &[(&str, NativeFn)]) -> Gc<Table> {
    let t = vm.new_table_with(0, funcs.len());
    for (n, f) in funcs {
        vm.set_field(t, n, Value::Native(*f));
    }
    vm.set_global_value(name, Value::Table(t));
    t
}

impl Vm {
    /// Type name of argument `i` for messages: "no value" when it is absent.
    fn arg_type_name(&mut self, args: Args, i: usize) -> String {
        if i >= args.n {
            "no value".into()
        } else {
            match self.arg(args, i) {
                Value::LightUserData(_) => "light userdata".into(),
                v => self.obj_type_name(&v),
            }
        }
    }

    pub(crate) fn arg_type_error(
        &mut self,
        args: Args,
        i: usize,
        fname: &str,
        expected: &str,
    ) -> LuaError {
        let got = self.arg_type_name(args, i);
        self.arg_error(i + 1, fname, &format!("{expected} expected, got {got}"))
    }

    pub(crate) fn check_any(&mut self, args: Args, i: usize, fname: &str) -> LuaResult<Value> {
        if i >= args.n {
            return Err(self.arg_error(i + 1, fname, "value expected"));
        }
        Ok(self.arg(args, i))
    }

    pub(crate) fn check_table(
        &mut self,
        args: Args,
        i: usize,
        fname: &str,
    ) -> LuaResult<Gc<Table>> {
        match self.arg(args, i) {
            Value::Table(t) => Ok(t),
            _ => Err(self.arg_type_error(args, i, fname, "table")),
        }
    }

    /// An integer argument: integers, floats with an exact integer value, numeric strings.
    #[inline]
    pub(crate) fn check_int(&mut self, args: Args, i: usize, fname: &str) -> LuaResult<i64> {
        match self.arg(args, i) {
            Value::Int(n) => Ok(n),
            _ => self.check_int_converted(args, i, fname),
        }
    }

    #[inline(never)]
    fn check_int_converted(&mut self, args: Args, i: usize, fname: &str) -> LuaResult<i64> {
        let v = self.arg(args, i);
        match v {
            Value::Int(n) => Ok(n),
            Value::Float(f) => match number::float_to_int_exact(f) {
                Some(n) => Ok(n),
                None => Err(self.arg_error(i + 1, fname, "number has no integer representation")),
            },
            Value::Str(s) => match crate::vm::runtime::value::str_to_number(s.as_bytes()) {
                Some(n) => match crate::vm::runtime::value::value_to_int(&n) {
                    Some(n) => Ok(n),
                    None => {
                        Err(self.arg_error(i + 1, fname, "number has no integer representation"))
                    }
                },
                None => Err(self.arg_type_error(args, i, fname, "number")),
            },
            _ => Err(self.arg_type_error(args, i, fname, "number")),
        }
    }

    pub(crate) fn opt_int(
        &mut self,
        args: Args,
        i: usize,
        fname: &str,
        default: i64,
    ) -> LuaResult<i64> {
        if self.arg(args, i).is_nil() {
            Ok(default)
        } else {
            self.check_int(args, i, fname)
        }
    }

    #[inline(never)]
    fn check_number_converted(&mut self, args: Args, i: usize, fname: &str) -> LuaResult<Value> {
        let v = self.arg(args, i);
        match v {
            Value::Int(_) | Value::Float(_) => Ok(v),
            Value::Str(s) => match crate::vm::runtime::value::str_to_number(s.as_bytes()) {
                Some(n) => Ok(n),
                None => Err(self.arg_type_error(args, i, fname, "number")),
            },
            _ => Err(self.arg_type_error(args, i, fname, "number")),
        }
    }

    #[inline]
    pub(crate) fn check_float(&mut self, args: Args, i: usize, fname: &str) -> LuaResult<f64> {
        match self.arg(args, i) {
            Value::Float(f) => return Ok(f),
            Value::Int(n) => return Ok(n as f64),
            _ => {}
        }
        Ok(match self.check_number_converted(args, i, fname)? {
            Value::Int(n) => n as f64,
            Value::Float(f) => f,
            _ => unreachable!(),
        })
    }

    /// A string argument; numbers are converted to strings.
    pub(crate) fn check_str(&mut self, args: Args, i: usize, fname: &str) -> LuaResult<Gc<LuaStr>> {
        let v = self.arg(args, i);
        match v {
            Value::Str(s) => Ok(s),
            Value::Int(_) | Value::Float(_) => {
                let mut b = Vec::new();
                crate::vm::runtime::value::fmt_number(&mut b, &v);
                Ok(self.intern(&b))
            }
            _ => Err(self.arg_type_error(args, i, fname, "string")),
        }
    }

    pub(crate) fn opt_str(
        &mut self,
        args: Args,
        i: usize,
        fname: &str,
    ) -> LuaResult<Option<Gc<LuaStr>>> {
        if self.arg(args, i).is_nil() {
            Ok(None)
        } else {
            self.check_str(args, i, fname).map(Some)
        }
    }

    /// Returns `vals` from a native call.
    pub(crate) fn ret_values(&mut self, args: Args, vals: &[Value]) -> LuaResult<usize> {
        self.reserve_stack(args.base, vals.len() + 1)?;
        self.stack_mut()[args.base..args.base + vals.len()].copy_from_slice(vals);
        Ok(vals.len())
    }

    /// Ends a native by calling `f(vals...)` in its place (the native returns what this returns):
    /// the interpreter makes the call, so `f` may yield as if the native were not there. Its results are
    /// adjusted to exactly `max_results` (kept as they are with `None`).
    pub(crate) fn tail_call(
        &mut self,
        args: Args,
        f: Value,
        vals: &[Value],
        max_results: Option<u8>,
    ) -> LuaResult<usize> {
        let func = args.base - 1;
        self.reserve_stack(func, vals.len() + 2)?;
        let st = self.stack_mut();
        st[func] = f;
        st[func + 1..func + 1 + vals.len()].copy_from_slice(vals);
        Err(crate::vm::runtime::error::LuaError::Control(
            crate::vm::runtime::error::Control::TailCall {
                nargs: vals.len(),
                max_results,
            },
        ))
    }

    /// `t[k]` honouring `__index`, from native code.
    pub(crate) fn index(&mut self, t: Value, k: Value) -> LuaResult<Value> {
        if let Value::Table(tt) = t
            && tt.meta.is_none()
        {
            return Ok(tt.get(k));
        }
        Ok(self
            .index_value(t, k, crate::vm::runtime::debug::Origin::None, false)?
            .unwrap_or(Value::Nil))
    }

    /// `t[k] = v` honouring `__newindex`, from native code.
    pub(crate) fn set_index(&mut self, t: Value, k: Value, v: Value) -> LuaResult<()> {
        if let Value::Table(tt) = t
            && tt.meta.is_none()
        {
            return self.raw_set_checked(tt, k, v);
        }
        self.set_index_value(t, k, v, crate::vm::runtime::debug::Origin::None, false)?;
        Ok(())
    }

    /// `#v` honouring `__len`, as an integer.
    pub(crate) fn length_of(&mut self, v: Value) -> LuaResult<i64> {
        if let Value::Table(t) = v
            && t.meta.is_none()
        {
            return Ok(t.len());
        }
        let r = self
            .len_value(v, crate::vm::runtime::debug::Origin::None, false)?
            .unwrap_or(Value::Nil);
        match crate::vm::runtime::value::value_to_int(&r) {
            Some(n) => Ok(n),
            None => Err(self.rt_error("object length is not an integer")),
        }
    }
}
