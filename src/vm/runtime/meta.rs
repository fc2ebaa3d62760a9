//! Metatables and metamethods: the slow paths of indexing, arithmetic, comparison, concatenation
//! and length, and their error messages.
//!
//! Each slow path can run inside the interpreter loop (`in_loop`), where a Lua metamethod is
//! called by pushing a `Meta` frame (so it may yield) and `Ok(None)` tells the loop to continue in
//! that frame; or synchronously from native code, where it always returns `Ok(Some(_))`.

use super::debug::Origin;
use super::error::{LuaError, LuaResult};
use super::frame::FrameKind;
use super::gc::Gc;
use super::state::Vm;
use super::string::LuaStr;
use super::table::Table;
use super::value::Value;
use crate::vm::number::{self, ArithOp};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u8)]
pub enum Tm {
    Index,
    NewIndex,
    Gc,
    Mode,
    Len,
    Eq,
    Add,
    Sub,
    Mul,
    Mod,
    Pow,
    Div,
    IDiv,
    BAnd,
    BOr,
    BXor,
    Shl,
    Shr,
    Unm,
    BNot,
    Lt,
    Le,
    Concat,
    Call,
    Close,
    ToString,
    Name,
    Metatable,
    Pairs,
}

pub const TM_COUNT: usize = 29;
pub const TM_NAMES: [&str; TM_COUNT] = [
    "__index",
    "__newindex",
    "__gc",
    "__mode",
    "__len",
    "__eq",
    "__add",
    "__sub",
    "__mul",
    "__mod",
    "__pow",
    "__div",
    "__idiv",
    "__band",
    "__bor",
    "__bxor",
    "__shl",
    "__shr",
    "__unm",
    "__bnot",
    "__lt",
    "__le",
    "__concat",
    "__call",
    "__close",
    "__tostring",
    "__name",
    "__metatable",
    "__pairs",
];

/// Longest `__index`/`__newindex` chain before Lua assumes a loop.
const MAX_TAG_LOOP: usize = 2000;

pub(crate) fn arith_tm(op: ArithOp) -> Tm {
    match op {
        ArithOp::Add => Tm::Add,
        ArithOp::Sub => Tm::Sub,
        ArithOp::Mul => Tm::Mul,
        ArithOp::Mod => Tm::Mod,
        ArithOp::Pow => Tm::Pow,
        ArithOp::Div => Tm::Div,
        ArithOp::IDiv => Tm::IDiv,
        ArithOp::BAnd => Tm::BAnd,
        ArithOp::BOr => Tm::BOr,
        ArithOp::BXor => Tm::BXor,
        ArithOp::Shl => Tm::Shl,
        ArithOp::Shr => Tm::Shr,
        ArithOp::Unm => Tm::Unm,
        ArithOp::BNot => Tm::BNot,
    }
}

impl Vm {
    pub(crate) fn get_metatable(&self, v: &Value) -> Option<Gc<Table>> {
        match v {
            Value::Table(t) => t.meta,
            Value::UserData(u) => u.meta,
            Value::Str(_) => self.string_meta,
            other => self.type_metas[other.lua_type() as usize],
        }
    }

    /// Sets the metatable shared by all values of `v`'s type (strings, numbers, functions, ...);
    /// tables and full userdata have their own (`debug.setmetatable`).
    pub(crate) fn set_type_metatable(&mut self, v: &Value, mt: Option<Gc<Table>>) {
        match v {
            Value::Table(t) => {
                if let Some(m) = mt {
                    self.heap
                        .table_barrier_kv(*t, &Value::Nil, &Value::Table(m));
                }
                t.get_mut().meta = mt;
                self.check_finalizer(*v, mt);
            }
            Value::UserData(u) => {
                if u.is_black()
                    && let Some(m) = mt
                {
                    self.heap.value_barrier(true, &Value::Table(m));
                }
                u.get_mut().meta = mt;
                self.check_finalizer(*v, mt);
            }
            Value::Str(_) => self.string_meta = mt,
            other => self.type_metas[other.lua_type() as usize] = mt,
        }
    }

    pub(crate) fn set_string_metatable(&mut self, mt: Option<Gc<Table>>) {
        self.string_meta = mt;
    }

    pub(crate) fn tm_name(&self, tm: Tm) -> Gc<LuaStr> {
        self.tm_names[tm as usize]
    }

    /// Metamethod `tm` in metatable `mt`, caching absence in the metatable's flags.
    #[inline]
    pub(crate) fn fast_tm(&self, mt: Gc<Table>, tm: Tm) -> Value {
        let bit = 1u32 << (tm as u32);
        if mt.absent_tm.get() & bit != 0 {
            return Value::Nil;
        }
        let v = mt.get_str(self.tm_names[tm as usize]);
        if v.is_nil() {
            mt.absent_tm.set(mt.absent_tm.get() | bit);
        }
        v
    }

    /// The `__index` of metatable `mt` when it is a table (the class pattern), cached in `mt`
    /// until `mt` is written.
    #[inline(always)]
    pub(crate) fn index_table(&self, mt: Gc<Table>) -> Option<Gc<Table>> {
        if let Some(t) = mt.index_table.get() {
            return Some(t);
        }
        match self.fast_tm(mt, Tm::Index) {
            Value::Table(t) => {
                mt.index_table.set(Some(t));
                Some(t)
            }
            _ => None,
        }
    }

    pub(crate) fn tm_of(&self, v: &Value, tm: Tm) -> Value {
        match self.get_metatable(v) {
            Some(mt) => self.fast_tm(mt, tm),
            None => Value::Nil,
        }
    }

    /// Calls metamethod `f` with `args`, wanting one result. In the loop a Lua function gets a
    /// `Meta` frame and `None` is returned.
    pub(crate) fn call_tm(
        &mut self,
        tm: Tm,
        f: Value,
        args: &[Value],
        in_loop: bool,
        aux: usize,
    ) -> LuaResult<Option<Value>> {
        if in_loop && !f.is_function() && !self.tm_of(&f, Tm::Call).is_function() {
            return Err(self.metamethod_call_error(tm, f));
        }
        if in_loop && matches!(f, Value::LuaFn(_)) {
            if self.c_stack_full() {
                return Err(self.budget_error(super::budget::Exhausted::CStack));
            }
            self.charge_fuel(1)?;
            let slot = self.free_slot();
            self.reserve_stack(slot, args.len() + 1)?;
            let th = self.th_mut();
            th.stack[slot] = f;
            th.stack[slot + 1..slot + 1 + args.len()].copy_from_slice(args);
            self.precall(slot, args.len(), 1, FrameKind::Meta)?;
            self.th_mut().c_levels += 1;
            let fk = self.th().top_frame.unwrap();
            self.frames[fk].aux = aux;
            return Ok(None);
        }
        if in_loop && matches!(f, Value::Native(_) | Value::NativeClosure(_)) {
            // A native metamethod called by the VM reports errors at the Lua caller's line.
            let slot = self.free_slot();
            self.reserve_stack(slot, args.len() + 1)?;
            let th = self.th_mut();
            th.stack[slot] = f;
            th.stack[slot + 1..slot + 1 + args.len()].copy_from_slice(args);
            self.precall(slot, args.len(), 1, FrameKind::Lua)?;
            return Ok(Some(self.th().stack[slot]));
        }
        Ok(Some(self.call1(f, args)?))
    }

    /// "attempt to call a number value (metamethod 'add')": a metamethod that cannot be called,
    /// named like PUC Lua does (the instruction called it). Out of line, off the hot paths.
    #[cold]
    #[inline(never)]
    fn metamethod_call_error(&mut self, tm: Tm, f: Value) -> LuaError {
        let tn = self.obj_type_name(&f);
        let name = self.tm_name(tm).to_str_lossy().into_owned();
        let name = name.trim_start_matches("__");
        self.rt_error(&format!(
            "attempt to call a {tn} value (metamethod '{name}')"
        ))
    }

    /// `obj[key]` with metamethods.
    pub(crate) fn index_value(
        &mut self,
        obj: Value,
        key: Value,
        origin: Origin,
        in_loop: bool,
    ) -> LuaResult<Option<Value>> {
        let mut t = obj;
        for depth in 0..MAX_TAG_LOOP {
            let tm = if let Value::Table(tt) = t {
                let v = tt.get(key);
                if !v.is_nil() {
                    return Ok(Some(v));
                }
                match tt.meta {
                    None => return Ok(Some(Value::Nil)),
                    Some(mt) => {
                        let tm = self.fast_tm(mt, super::meta::Tm::Index);
                        if tm.is_nil() {
                            return Ok(Some(Value::Nil));
                        }
                        tm
                    }
                }
            } else {
                if let Value::UserData(u) = t
                    && let Some(host) = u.host
                {
                    return (host.index)(self, u, key).map(Some);
                }
                let tm = self.tm_of(&t, Tm::Index);
                if tm.is_nil() {
                    let origin = if depth == 0 { origin } else { Origin::None };
                    return Err(self.index_error(t, key, origin));
                }
                tm
            };
            if tm.is_function() {
                return self.call_tm(Tm::Index, tm, &[t, key], in_loop, 0);
            }
            t = tm;
        }
        Err(self.rt_error("'__index' chain too long; possible loop"))
    }

    pub(crate) fn index_error(
        &mut self,
        t: Value,
        key: Value,
        origin: Origin,
    ) -> super::error::LuaError {
        let _ = key;
        let info = self.varinfo(origin);
        let tn = self.obj_type_name(&t);
        self.vm_error(&format!("attempt to index a {tn} value{info}"))
    }

    /// `obj[key] = val` with metamethods. Returns false when a Lua metamethod frame was pushed.
    pub(crate) fn set_index_value(
        &mut self,
        obj: Value,
        key: Value,
        val: Value,
        origin: Origin,
        in_loop: bool,
    ) -> LuaResult<bool> {
        let mut t = obj;
        for depth in 0..MAX_TAG_LOOP {
            let tm = if let Value::Table(tt) = t {
                let existing = tt.get(key);
                let tm = if !existing.is_nil() {
                    Value::Nil
                } else {
                    match tt.meta {
                        None => Value::Nil,
                        Some(mt) => self.fast_tm(mt, Tm::NewIndex),
                    }
                };
                if tm.is_nil() {
                    self.raw_set_checked(tt, key, val)?;
                    return Ok(true);
                }
                tm
            } else {
                if let Value::UserData(u) = t
                    && let Some(host) = u.host
                {
                    (host.newindex)(self, u, key, val)?;
                    return Ok(true);
                }
                let tm = self.tm_of(&t, Tm::NewIndex);
                if tm.is_nil() {
                    let origin = if depth == 0 { origin } else { Origin::None };
                    return Err(self.index_error(t, key, origin));
                }
                tm
            };
            if tm.is_function() {
                return Ok(self
                    .call_tm(Tm::NewIndex, tm, &[t, key, val], in_loop, 0)?
                    .is_some());
            }
            t = tm;
        }
        Err(self.rt_error("'__newindex' chain too long; possible loop"))
    }

    /// Raw set with Lua's key checks.
    pub(crate) fn raw_set_checked(
        &mut self,
        t: Gc<Table>,
        key: Value,
        val: Value,
    ) -> LuaResult<()> {
        match key {
            Value::Nil => return Err(self.vm_error("table index is nil")),
            Value::Float(f) if f.is_nan() => return Err(self.vm_error("table index is NaN")),
            _ => {}
        }
        // Growth is charged to the collector's debt; collection waits for the next safe point.
        self.heap.table_barrier_kv(t, &key, &val);
        let grown = t.get_mut().set(key, val);
        self.heap.charge(grown);
        if grown > self.limits.max_table_bytes / 2 {
            return Err(self.rt_error("table overflow"));
        }
        Ok(())
    }

    /// Arithmetic or bitwise fallback after the number fast paths failed.
    pub(crate) fn arith_meta(
        &mut self,
        op: ArithOp,
        a: Value,
        b: Value,
        oa: Origin,
        ob: Origin,
        in_loop: bool,
    ) -> LuaResult<Option<Value>> {
        // Bitwise operators coerce numeric strings themselves (arithmetic leaves that to the
        // string metatable).
        if op.is_bitwise()
            && let (Some(x), Some(y)) = (self.to_int_coerce(&a), self.to_int_coerce(&b))
        {
            return Ok(Some(Value::Int(number::arith_int(op, x, y).unwrap())));
        }
        let tm = {
            let t1 = self.tm_of(&a, arith_tm(op));
            if t1.is_nil() {
                self.tm_of(&b, arith_tm(op))
            } else {
                t1
            }
        };
        if tm.is_nil() {
            return Err(self.arith_error(op, a, b, oa, ob));
        }
        self.call_tm(arith_tm(op), tm, &[a, b], in_loop, 0)
    }

    fn to_int_coerce(&self, v: &Value) -> Option<i64> {
        match v {
            Value::Int(i) => Some(*i),
            Value::Float(f) => number::float_to_int_exact(*f),
            _ => None,
        }
    }

    /// The error for a failed arithmetic or bitwise operation, blaming the operand Lua blames.
    /// Unary operators pass their operand twice.
    pub(crate) fn arith_error(
        &mut self,
        op: ArithOp,
        a: Value,
        b: Value,
        oa: Origin,
        ob: Origin,
    ) -> super::error::LuaError {
        let is_num = |v: &Value| matches!(v, Value::Int(_) | Value::Float(_));
        if op.is_bitwise() && is_num(&a) && is_num(&b) {
            let o = if self.to_int_coerce(&b).is_none() {
                ob
            } else {
                oa
            };
            let info = self.varinfo(o);
            return self.vm_error(&format!("number{info} has no integer representation"));
        }
        let (bad, o) = if !is_num(&b) { (b, ob) } else { (a, oa) };
        let info = self.varinfo(o);
        let tn = self.obj_type_name(&bad);
        let what = if op.is_bitwise() {
            "perform bitwise operation on"
        } else {
            "perform arithmetic on"
        };
        self.vm_error(&format!("attempt to {what} a {tn} value{info}"))
    }

    /// `a == b` for two values that are not raw-equal.
    pub(crate) fn eq_meta(&mut self, a: Value, b: Value, in_loop: bool) -> LuaResult<Option<bool>> {
        let tm = match (a, b) {
            (Value::Table(x), Value::Table(y)) => {
                let t1 = x
                    .meta
                    .map(|m| self.fast_tm(m, Tm::Eq))
                    .unwrap_or(Value::Nil);
                if t1.is_nil() {
                    y.meta
                        .map(|m| self.fast_tm(m, Tm::Eq))
                        .unwrap_or(Value::Nil)
                } else {
                    t1
                }
            }
            (Value::UserData(x), Value::UserData(y)) => {
                let t1 = x
                    .meta
                    .map(|m| self.fast_tm(m, Tm::Eq))
                    .unwrap_or(Value::Nil);
                if t1.is_nil() {
                    y.meta
                        .map(|m| self.fast_tm(m, Tm::Eq))
                        .unwrap_or(Value::Nil)
                } else {
                    t1
                }
            }
            _ => return Ok(Some(false)),
        };
        if tm.is_nil() {
            return Ok(Some(false));
        }
        Ok(self
            .call_tm(Tm::Eq, tm, &[a, b], in_loop, 0)?
            .map(|v| v.truthy()))
    }

    /// `a < b` (`le` false) or `a <= b` (`le` true) for non-number pairs.
    pub(crate) fn compare_meta(
        &mut self,
        a: Value,
        b: Value,
        le: bool,
        in_loop: bool,
    ) -> LuaResult<Option<bool>> {
        if let (Value::Str(x), Value::Str(y)) = (a, b) {
            let o = x.as_bytes().cmp(y.as_bytes());
            return Ok(Some(if le { o.is_le() } else { o.is_lt() }));
        }
        let tmk = if le { Tm::Le } else { Tm::Lt };
        let tm = {
            let t1 = self.tm_of(&a, tmk);
            if t1.is_nil() { self.tm_of(&b, tmk) } else { t1 }
        };
        if tm.is_nil() {
            if le {
                // Lua 5.3 compatibility (on in Debian's lua5.4): a <= b as not (b < a).
                let lt = {
                    let t1 = self.tm_of(&b, Tm::Lt);
                    if t1.is_nil() {
                        self.tm_of(&a, Tm::Lt)
                    } else {
                        t1
                    }
                };
                if !lt.is_nil() {
                    let r = self.call1(lt, &[b, a])?;
                    return Ok(Some(!r.truthy()));
                }
            }
            return Err(self.compare_error(a, b));
        }
        Ok(self
            .call_tm(tmk, tm, &[a, b], in_loop, 0)?
            .map(|v| v.truthy()))
    }

    pub(crate) fn compare_error(&mut self, a: Value, b: Value) -> super::error::LuaError {
        let t1 = self.obj_type_name(&a);
        let t2 = self.obj_type_name(&b);
        if t1 == t2 {
            self.vm_error(&format!("attempt to compare two {t1} values"))
        } else {
            self.vm_error(&format!("attempt to compare {t1} with {t2}"))
        }
    }

    /// `#v`.
    pub(crate) fn len_value(
        &mut self,
        v: Value,
        origin: Origin,
        in_loop: bool,
    ) -> LuaResult<Option<Value>> {
        match v {
            Value::Str(s) => Ok(Some(Value::Int(s.len() as i64))),
            Value::Table(t) => {
                if let Some(mt) = t.meta {
                    let tm = self.fast_tm(mt, Tm::Len);
                    if !tm.is_nil() {
                        return self.call_tm(Tm::Len, tm, &[v, v], in_loop, 0);
                    }
                }
                Ok(Some(Value::Int(t.len())))
            }
            _ => {
                let tm = self.tm_of(&v, Tm::Len);
                if tm.is_nil() {
                    let info = self.varinfo(origin);
                    let tn = self.obj_type_name(&v);
                    return Err(
                        self.vm_error(&format!("attempt to get length of a {tn} value{info}"))
                    );
                }
                self.call_tm(Tm::Len, tm, &[v, v], in_loop, 0)
            }
        }
    }

    /// Concatenates registers `first .. first+n` (absolute slots) into `first`. Runs of strings and
    /// numbers are joined in one pass; other pairs go through `__concat`.
    pub(crate) fn concat_slots(
        &mut self,
        first: usize,
        n: usize,
        in_loop: bool,
    ) -> LuaResult<bool> {
        let mut end = first + n; // exclusive end of the pending values; the result builds at end-1
        while end - first > 1 {
            let stack = &self.th().stack;
            let top = stack[end - 1];
            let prev = stack[end - 2];
            let is_strnum =
                |v: &Value| matches!(v, Value::Str(_) | Value::Int(_) | Value::Float(_));
            if is_strnum(&top) && is_strnum(&prev) {
                // Join the longest run of string/number values ending at `end`.
                let mut start = end - 2;
                while start > first && is_strnum(&stack[start - 1]) {
                    start -= 1;
                }
                let mut buf = self.take_scratch();
                let joined = self.join_strnum(start, end, &mut buf);
                self.put_scratch(buf);
                let s = joined?;
                self.th_mut().stack[start] = Value::Str(s);
                end = start + 1;
            } else {
                let tm = {
                    let t1 = self.tm_of(&prev, Tm::Concat);
                    if t1.is_nil() {
                        self.tm_of(&top, Tm::Concat)
                    } else {
                        t1
                    }
                };
                if tm.is_nil() {
                    let (bad, slot) = if is_strnum(&prev) {
                        (top, end - 1)
                    } else {
                        (prev, end - 2)
                    };
                    let base = self.frame_base();
                    let origin = if slot >= base {
                        Origin::Reg(slot - base)
                    } else {
                        Origin::None
                    };
                    let info = self.varinfo(origin);
                    let tn = self.obj_type_name(&bad);
                    return Err(
                        self.vm_error(&format!("attempt to concatenate a {tn} value{info}"))
                    );
                }
                match self.call_tm(Tm::Concat, tm, &[prev, top], in_loop, end - 2)? {
                    Some(v) => {
                        self.th_mut().stack[end - 2] = v;
                        end -= 1;
                    }
                    None => return Ok(false),
                }
            }
        }
        Ok(true)
    }

    /// Joins the strings and numbers in stack slots `start..end` into a new string: within the
    /// string and memory limits, charged by the bytes copied.
    fn join_strnum(
        &mut self,
        start: usize,
        end: usize,
        buf: &mut Vec<u8>,
    ) -> LuaResult<Gc<LuaStr>> {
        let total: usize = self.th().stack[start..end]
            .iter()
            .map(|v| match v {
                Value::Str(s) => s.len(),
                _ => 24,
            })
            .sum();
        if total >= i32::MAX as usize {
            return Err(self.rt_error("string length overflow"));
        }
        self.reserve_string(buf, total)?;
        for slot in start..end {
            match self.th().stack[slot] {
                Value::Str(s) => self.append_charged(buf, s.as_bytes())?,
                v => super::value::fmt_number(buf, &v),
            }
        }
        self.intern_buffer(buf)
    }

    fn frame_base(&self) -> usize {
        match self.th().top_frame {
            Some(k) => self.frames[k].base,
            None => 0,
        }
    }

    /// `tostring(v)` with `__tostring` and `__name`.
    pub(crate) fn tostring(&mut self, v: Value) -> LuaResult<Gc<LuaStr>> {
        let tm = self.tm_of(&v, Tm::ToString);
        if !tm.is_nil() {
            let r = self.call1(tm, &[v])?;
            return match r {
                Value::Str(s) => Ok(s),
                Value::Int(_) | Value::Float(_) => {
                    let mut b = Vec::new();
                    super::value::fmt_number(&mut b, &r);
                    Ok(self.intern(&b))
                }
                _ => Err(self.rt_error("'__tostring' must return a string")),
            };
        }
        if let Value::Int(_) | Value::Float(_) = v {
            let mut buf = self.take_scratch();
            super::value::fmt_number(&mut buf, &v);
            let s = self.intern(&buf);
            self.put_scratch(buf);
            return Ok(s);
        }
        let mut buf = Vec::new();
        match v {
            Value::Nil => buf.extend_from_slice(b"nil"),
            Value::Bool(b) => buf.extend_from_slice(if b { b"true" } else { b"false" }),
            Value::Int(_) | Value::Float(_) => super::value::fmt_number(&mut buf, &v),
            Value::Str(s) => return Ok(s),
            _ => {
                let name = self.obj_type_name(&v);
                let kind = if matches!(v, Value::Native(_)) {
                    "builtin"
                } else {
                    ""
                };
                let _ = kind;
                buf.extend_from_slice(format!("{}: {:#x}", name, v.addr()).as_bytes());
            }
        }
        Ok(self.intern(&buf))
    }
}
