//! The public methods of `Vm` (loading, calling, globals, coroutines) and of the handles.
//!
//! Every method here takes what it needs as safe values, turns handles into raw values right
//! before use (the handles stay borrowed, so the objects stay rooted), and turns what comes
//! back into safe values before returning.

use super::convert::{FromLua, FromLuaMulti, IntoLua, IntoLuaMulti, MultiValue};
use super::error::{Error, ErrorKind, Result};
use super::value::{Handle, LuaFunction, LuaTable, LuaThread, LuaValue};
use crate::vm::runtime::error::LuaError;
use crate::vm::runtime::state::{Resumed, Vm};
use crate::vm::runtime::value::Value;

/// How a `Vm::resume` ended.
#[derive(Clone, Debug, PartialEq)]
pub enum Resume<R> {
    /// The coroutine yielded these values; resume it again to go on.
    Yielded(R),
    /// The coroutine's function returned these values; it is dead now.
    Finished(R),
    /// The instruction budget ran out (`Vm::set_fuel`); resume again to continue.
    OutOfFuel,
}

impl Vm {
    /// Compiles `source` into a function without running it. `chunk_name` follows Lua's
    /// conventions: `@file.lua` for a file, `=name` for anything else. A binary chunk (the
    /// output of `string.dump`) is verified and loaded unless `set_binary_chunks(false)`.
    ///
    /// ```
    /// let mut vm = moonpool::vm::Vm::with_stdlib();
    /// let add = vm.load("local a, b = ... return a + b", "=add").unwrap();
    /// let sum: i64 = vm.call(&add, (2, 3)).unwrap();
    /// assert_eq!(sum, 5);
    /// ```
    pub fn load(&mut self, source: impl AsRef<[u8]>, chunk_name: &str) -> Result<LuaFunction> {
        self.load_bytes(source.as_ref(), chunk_name)
    }

    #[inline(never)]
    fn load_bytes(&mut self, source: &[u8], chunk_name: &str) -> Result<LuaFunction> {
        self.release_dropped_roots();
        self.budget.exhausted = None;
        let loaded = if source.first() == Some(&0x1b) {
            if self.binary_chunks {
                let env = Value::Table(self.globals());
                self.load_binary(source, chunk_name.as_bytes(), env)
            } else {
                let msg = "attempt to load a binary chunk (binary chunks are disabled)";
                Err(LuaError::Value(self.str_value(msg)))
            }
        } else {
            self.load_value(source, chunk_name)
        };
        match loaded {
            Ok(f) => Ok(LuaFunction(self.handle(f))),
            Err(e) => Err(self.public_error(e, ErrorKind::Syntax)),
        }
    }

    /// Compiles and runs `source`, returning its results.
    pub fn exec<R: FromLuaMulti>(
        &mut self,
        source: impl AsRef<[u8]>,
        chunk_name: &str,
    ) -> Result<R> {
        let f = self.load(source, chunk_name)?;
        self.call(&f, ())
    }

    /// Calls `f` with `args` and converts its results.
    ///
    /// ```
    /// use moonpool::vm::{LuaFunction, Vm};
    /// let mut vm = Vm::with_stdlib();
    /// vm.exec::<()>("function greet(name) return 'hi ' .. name, #name end", "=setup").unwrap();
    /// let greet: LuaFunction = vm.get_global("greet").unwrap();
    /// let (text, len): (String, i64) = vm.call(&greet, "moon").unwrap();
    /// assert_eq!((text.as_str(), len), ("hi moon", 4));
    /// ```
    pub fn call<R: FromLuaMulti>(&mut self, f: &LuaFunction, args: impl IntoLuaMulti) -> Result<R> {
        let args = args.into_lua_multi(self)?;
        let results = self.call_multi(f, &args, R::READS_VALUES)?;
        R::from_lua_multi(results, self)
    }

    /// The non-generic body of `call`. Kept out of line so that the interpreter loop (which
    /// `call_slot` inlines) is compiled once, in this crate, rather than again in every crate
    /// that calls `call` with its own types: a second copy ran the CLI up to 30% slower.
    #[inline(never)]
    fn call_multi(&mut self, f: &LuaFunction, args: &MultiValue, read: bool) -> Result<MultiValue> {
        self.release_dropped_roots();
        let func = f.0.raw(self)?;
        let slot = self.free_slot();
        if let Err(e) = self.reserve_stack(slot, args.len() + 1) {
            return Err(self.public_error(e, ErrorKind::Runtime));
        }
        // Lowering allocates (strings) but never collects, so values already placed stay valid.
        self.stack_mut()[slot] = func;
        for (i, a) in args.iter().enumerate() {
            let raw = self.lower(a)?;
            self.stack_mut()[slot + 1 + i] = raw;
        }
        self.budget.exhausted = None;
        let n = match self.call_slot(slot, args.len(), -1) {
            Ok(n) => n,
            Err(e) => return Err(self.public_error(e, ErrorKind::Runtime)),
        };
        let mut results = MultiValue::new();
        if read {
            for i in 0..n {
                let v = self.stack()[slot + i];
                results.0.push(self.lift(v));
            }
        }
        Ok(results)
    }

    /// The global `name`, converted.
    pub fn get_global<R: FromLua>(&mut self, name: &str) -> Result<R> {
        self.release_dropped_roots();
        let v = self.global_value(name);
        // Lifted (rooted) first: a conversion may run Lua, which may collect.
        let v = self.lift(v);
        R::from_lua(v, self)
    }

    /// Sets the global `name`.
    pub fn set_global(&mut self, name: &str, value: impl IntoLua) -> Result<()> {
        let v = value.into_lua(self)?;
        let raw = self.lower(&v)?;
        self.set_global_value(name, raw);
        Ok(())
    }

    /// A new empty table.
    pub fn create_table(&mut self) -> LuaTable {
        self.release_dropped_roots();
        let t = self.new_table();
        LuaTable(self.handle(Value::Table(t)))
    }

    /// A new coroutine that will run `f` when first resumed.
    pub fn create_thread(&mut self, f: &LuaFunction) -> Result<LuaThread> {
        self.release_dropped_roots();
        let func = f.0.raw(self)?;
        let key = self.new_thread(func);
        Ok(LuaThread(self.handle(Value::Thread(key))))
    }

    /// Runs `thread` until it yields, returns, errors or runs out of fuel. A warm resume with
    /// numbers in and out allocates nothing.
    ///
    /// ```
    /// use moonpool::vm::{Resume, Vm};
    /// let mut vm = Vm::with_stdlib();
    /// let body = vm.load("local x = ... while true do x = coroutine.yield(x * 2) end", "=co").unwrap();
    /// let co = vm.create_thread(&body).unwrap();
    /// assert_eq!(vm.resume::<i64>(&co, 21).unwrap(), Resume::Yielded(42));
    /// assert_eq!(vm.resume::<i64>(&co, 5).unwrap(), Resume::Yielded(10));
    /// ```
    pub fn resume<R: FromLuaMulti>(
        &mut self,
        thread: &LuaThread,
        args: impl IntoLuaMulti,
    ) -> Result<Resume<R>> {
        let args = args.into_lua_multi(self)?;
        Ok(match self.resume_multi(thread, &args, R::READS_VALUES)? {
            Resume::Yielded(values) => Resume::Yielded(R::from_lua_multi(values, self)?),
            Resume::Finished(values) => Resume::Finished(R::from_lua_multi(values, self)?),
            Resume::OutOfFuel => Resume::OutOfFuel,
        })
    }

    /// The non-generic body of `resume`, out of line for the reason given at `call_multi`.
    #[inline(never)]
    fn resume_multi(
        &mut self,
        thread: &LuaThread,
        args: &MultiValue,
        read: bool,
    ) -> Result<Resume<MultiValue>> {
        self.release_dropped_roots();
        let Value::Thread(key) = thread.0.raw(self)? else {
            return Err(Error::wrong_vm());
        };
        // Raw arguments sit in a small buffer only while lowering, which never collects.
        let mut raw: smallvec::SmallVec<[Value; 4]> = smallvec::SmallVec::new();
        for a in args.iter() {
            raw.push(self.lower(a)?);
        }
        self.budget.exhausted = None;
        let outcome = match self.resume_in_place(key, &raw) {
            Ok(o) => o,
            Err(e) => return Err(self.public_error(e, ErrorKind::Runtime)),
        };
        let mut values = MultiValue::new();
        if read && !matches!(outcome, Resumed::OutOfFuel) {
            for i in 0..self.resume_values().len() {
                let v = self.resume_values()[i];
                values.0.push(self.lift(v));
            }
        }
        Ok(match outcome {
            Resumed::Yielded(_) => Resume::Yielded(values),
            Resumed::Finished(_) => Resume::Finished(values),
            Resumed::OutOfFuel => Resume::OutOfFuel,
        })
    }

    /// Whether two values are the same Lua value without metamethods (`rawequal`): for
    /// handles, whether they name the same object.
    pub fn raw_equal(&mut self, a: &LuaValue, b: &LuaValue) -> Result<bool> {
        let a = self.lower(a)?;
        let b = self.lower(b)?;
        Ok(a.raw_eq(&b))
    }

    /// Roots `v` behind a new handle.
    pub(crate) fn handle(&mut self, v: Value) -> Handle {
        Handle::new(self, v)
    }
}

impl LuaTable {
    /// `t[key]`, honouring `__index`.
    pub fn get<K: IntoLua, V: FromLua>(&self, vm: &mut Vm, key: K) -> Result<V> {
        let key = key.into_lua(vm)?;
        let t = self.0.raw(vm)?;
        let k = vm.lower(&key)?;
        vm.budget.exhausted = None;
        match vm.index(t, k) {
            Ok(v) => {
                let v = vm.lift(v);
                V::from_lua(v, vm)
            }
            Err(e) => Err(vm.public_error(e, ErrorKind::Runtime)),
        }
    }

    /// `t[key] = value`, honouring `__newindex`.
    pub fn set<K: IntoLua, V: IntoLua>(&self, vm: &mut Vm, key: K, value: V) -> Result<()> {
        let key = key.into_lua(vm)?;
        let value = value.into_lua(vm)?;
        let t = self.0.raw(vm)?;
        let k = vm.lower(&key)?;
        let v = vm.lower(&value)?;
        vm.budget.exhausted = None;
        vm.set_index(t, k, v)
            .map_err(|e| vm.public_error(e, ErrorKind::Runtime))
    }

    /// `rawget(t, key)`.
    pub fn raw_get<K: IntoLua, V: FromLua>(&self, vm: &mut Vm, key: K) -> Result<V> {
        let key = key.into_lua(vm)?;
        let Value::Table(t) = self.0.raw(vm)? else {
            return Err(Error::wrong_vm());
        };
        let k = vm.lower(&key)?;
        let v = vm.lift(t.get(k));
        V::from_lua(v, vm)
    }

    /// `rawlen(t)`: a border of the table's sequence.
    pub fn raw_len(&self, vm: &mut Vm) -> Result<i64> {
        match self.0.raw(vm)? {
            Value::Table(t) => Ok(t.len()),
            _ => Err(Error::wrong_vm()),
        }
    }

    /// `#t`, honouring `__len`.
    pub fn len(&self, vm: &mut Vm) -> Result<i64> {
        let t = self.0.raw(vm)?;
        vm.budget.exhausted = None;
        vm.length_of(t)
            .map_err(|e| vm.public_error(e, ErrorKind::Runtime))
    }

    /// Every key-value pair, in `next` order (raw: no `__pairs`).
    pub fn pairs<K: FromLua, V: FromLua>(&self, vm: &mut Vm) -> Result<Vec<(K, V)>> {
        let Value::Table(t) = self.0.raw(vm)? else {
            return Err(Error::wrong_vm());
        };
        // Converting may run Lua (a user's `FromLua`), so collect rooted values first.
        let mut pairs = Vec::new();
        let mut key = Value::Nil;
        loop {
            match t.next(key) {
                Ok(Some((k, v))) => {
                    let (lk, lv) = (vm.lift(k), vm.lift(v));
                    pairs.push((lk, lv));
                    key = k;
                }
                Ok(None) => break,
                Err(_) => return Err(Error::runtime("invalid key to 'next'")),
            }
        }
        pairs
            .into_iter()
            .map(|(k, v)| Ok((K::from_lua(k, vm)?, V::from_lua(v, vm)?)))
            .collect()
    }
}

impl LuaFunction {
    /// `vm.call(self, args)`.
    pub fn call<R: FromLuaMulti>(&self, vm: &mut Vm, args: impl IntoLuaMulti) -> Result<R> {
        vm.call(self, args)
    }
}
