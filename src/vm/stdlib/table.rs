//! The table library.
//!
//! Every access goes through `__index`/`__newindex`/`__len` like Lua 5.4's `lua_geti`/`lua_seti`/
//! `luaL_len`; tables without a metatable take the raw fast paths inside those helpers.

use crate::vm::number;
use crate::vm::runtime::error::LuaResult;
use crate::vm::runtime::function::Args;
use crate::vm::runtime::meta::Tm;
use crate::vm::runtime::state::Vm;
use crate::vm::runtime::value::Value;

pub(crate) fn open(vm: &mut Vm) {
    super::register_lib(
        vm,
        "table",
        &[
            ("insert", insert),
            ("remove", remove),
            ("concat", concat),
            ("pack", pack),
            ("unpack", unpack),
            ("move", move_),
            ("sort", sort),
        ],
    );
}

/// What a table argument must support when it is not a real table.
const TAB_R: u8 = 1;
const TAB_W: u8 = 2;
const TAB_L: u8 = 4;
const TAB_RW: u8 = TAB_R | TAB_W;

/// Runs `f` (which may call Lua code) and then puts the stack top back where it was. A call
/// from native code leaves the top past its results, so a native making many calls in a loop
/// (a sort comparator, `__index` functions) would otherwise creep up to "stack overflow".
#[inline]
pub(crate) fn keep_top<R>(vm: &mut Vm, f: impl FnOnce(&mut Vm) -> LuaResult<R>) -> LuaResult<R> {
    let top = vm.th().top;
    let r = f(vm);
    vm.th_mut().top = top;
    r
}

/// `a < b` with Lua's semantics: numbers compare exactly across int/float, strings bytewise,
/// anything else through `__lt` (or "attempt to compare ...").
pub(crate) fn less_than(vm: &mut Vm, a: Value, b: Value) -> LuaResult<bool> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Ok(x < y),
        (Value::Float(x), Value::Float(y)) => Ok(x < y),
        (Value::Int(x), Value::Float(y)) => Ok(number::lt_int_float(x, y)),
        (Value::Float(x), Value::Int(y)) => Ok(number::lt_float_int(x, y)),
        (Value::Str(x), Value::Str(y)) => Ok(x.as_bytes() < y.as_bytes()),
        _ => keep_top(vm, |vm| {
            Ok(vm.compare_meta(a, b, false, false)?.unwrap_or(false))
        }),
    }
}

/// Argument `i` as something table-like: a table, or a value whose metatable has the
/// metamethods `what` needs (Lua's `checktab`).
fn check_tab(vm: &mut Vm, args: Args, i: usize, fname: &str, what: u8) -> LuaResult<Value> {
    let v = vm.arg(args, i);
    if let Value::Table(_) = v {
        return Ok(v);
    }
    if let Some(mt) = vm.get_metatable(&v) {
        let has = |vm: &Vm, tm: Tm| !mt.get_str(vm.tm_name(tm)).is_nil();
        if (what & TAB_R == 0 || has(vm, Tm::Index))
            && (what & TAB_W == 0 || has(vm, Tm::NewIndex))
            && (what & TAB_L == 0 || has(vm, Tm::Len))
        {
            return Ok(v);
        }
    }
    Err(vm.arg_type_error(args, i, fname, "table"))
}

/// `checktab` plus the length (Lua's `aux_getn`).
fn check_len(vm: &mut Vm, args: Args, fname: &str, what: u8) -> LuaResult<(Value, i64)> {
    let t = check_tab(vm, args, 0, fname, what | TAB_L)?;
    let n = vm.length_of(t)?;
    Ok((t, n))
}

fn insert(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let (tv, n) = check_len(vm, args, "insert", TAB_RW)?;
    let e = n.wrapping_add(1); // first empty slot
    let pos = match args.n {
        2 => e,
        3 => {
            let pos = vm.check_int(args, 1, "insert")?;
            // pos must be in [1, e]
            if (pos as u64).wrapping_sub(1) >= e as u64 {
                return Err(vm.arg_error(2, "insert", "position out of bounds"));
            }
            let mut i = e;
            while i > pos {
                vm.charge_fuel(1)?;
                keep_top(vm, |vm| {
                    let v = vm.index(tv, Value::Int(i - 1))?;
                    vm.set_index(tv, Value::Int(i), v)
                })?;
                i -= 1;
            }
            pos
        }
        _ => return Err(vm.rt_error("wrong number of arguments to 'insert'")),
    };
    let v = vm.arg(args, args.n - 1);
    vm.set_index(tv, Value::Int(pos), v)?;
    Ok(0)
}

fn remove(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let (tv, size) = check_len(vm, args, "remove", TAB_RW)?;
    let mut pos = vm.opt_int(args, 1, "remove", size)?;
    // An explicit position must be in [1, size + 1] (Lua 5.4.4 reports it as argument #1).
    if pos != size && (pos as u64).wrapping_sub(1) > size as u64 {
        return Err(vm.arg_error(1, "remove", "position out of bounds"));
    }
    let result = vm.index(tv, Value::Int(pos))?;
    // Keep the removed value reachable while metamethods run.
    vm.reserve_stack(args.base, 3)?;
    vm.stack_mut()[args.base + 2] = result;
    vm.th_mut().top = args.base + 3;
    while pos < size {
        vm.charge_fuel(1)?;
        keep_top(vm, |vm| {
            let v = vm.index(tv, Value::Int(pos + 1))?;
            vm.set_index(tv, Value::Int(pos), v)
        })?;
        pos += 1;
    }
    vm.set_index(tv, Value::Int(pos), Value::Nil)?;
    vm.ret1(args, result)
}

fn concat(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let (tv, len) = check_len(vm, args, "concat", TAB_R)?;
    let sep = vm.opt_str(args, 1, "concat")?;
    let i = vm.opt_int(args, 2, "concat", 1)?;
    let last = vm.opt_int(args, 3, "concat", len)?;
    // The VM's scratch buffer, so joining strings every frame allocates nothing once warm.
    let mut buf = vm.take_scratch();
    let r = concat_into(vm, tv, sep, i, last, &mut buf).and_then(|()| vm.intern_buffer(&mut buf));
    vm.put_scratch(buf);
    vm.ret1(args, Value::Str(r?))
}

/// Joins `t[i..=last]` with `sep` into `buf`, charging the budget by the bytes copied.
fn concat_into(
    vm: &mut Vm,
    tv: Value,
    sep: Option<crate::vm::runtime::gc::Gc<crate::vm::runtime::string::LuaStr>>,
    mut i: i64,
    last: i64,
    buf: &mut Vec<u8>,
) -> LuaResult<()> {
    let add = |vm: &mut Vm, buf: &mut Vec<u8>, k: i64| -> LuaResult<()> {
        let v = keep_top(vm, |vm| vm.index(tv, Value::Int(k)))?;
        match v {
            Value::Str(s) => vm.append_charged(buf, s.as_bytes()),
            Value::Int(_) | Value::Float(_) => {
                crate::vm::runtime::value::fmt_number(buf, &v);
                vm.charge_fuel(1)
            }
            _ => {
                let tn = vm.obj_type_name(&v);
                Err(vm.rt_error(&format!(
                    "invalid value ({tn}) at index {k} in table for 'concat'"
                )))
            }
        }
    };
    while i < last {
        add(vm, buf, i)?;
        if let Some(sep) = sep {
            vm.append_charged(buf, sep.as_bytes())?;
        }
        i += 1;
    }
    if i == last {
        add(vm, buf, i)?;
    }
    Ok(())
}

fn pack(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    vm.charge_fuel(args.n as i64 / 8)?;
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
    let i = vm.opt_int(args, 1, "table.unpack", 1)?;
    let e = if vm.arg(args, 2).is_nil() {
        vm.length_of(tv)?
    } else {
        vm.check_int(args, 2, "table.unpack")?
    };
    if i > e {
        return Ok(0);
    }
    let n = (e as u64).wrapping_sub(i as u64); // count - 1, without overflow
    if n >= (crate::vm::runtime::thread::MAX_STACK as u64)
        || vm.reserve_stack(args.base, n as usize + 2).is_err()
    {
        return Err(vm.rt_error("too many results to unpack"));
    }
    let n = n as usize + 1;
    vm.charge_fuel(n as i64 / 8)?;
    if let Value::Table(t) = tv
        && t.meta.is_none()
    {
        for k in 0..n {
            let v = t.get_int(i.wrapping_add(k as i64));
            vm.stack_mut()[args.base + k] = v;
        }
        return Ok(n);
    }
    let top = vm.th().top;
    for k in 0..n {
        // Results so far stay below the slots that `__index` calls use.
        vm.th_mut().top = top.max(args.base + k);
        let v = vm.index(tv, Value::Int(i.wrapping_add(k as i64)))?;
        vm.stack_mut()[args.base + k] = v;
    }
    vm.th_mut().top = top;
    Ok(n)
}

fn move_(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let f = vm.check_int(args, 1, "move")?;
    let e = vm.check_int(args, 2, "move")?;
    let t = vm.check_int(args, 3, "move")?;
    let dest_arg = if vm.arg(args, 4).is_nil() { 0 } else { 4 };
    let src = check_tab(vm, args, 0, "move", TAB_R)?;
    let dst = check_tab(vm, args, dest_arg, "move", TAB_W)?;
    if e >= f {
        if !(f > 0 || e < i64::MAX.wrapping_add(f)) {
            return Err(vm.arg_error(3, "move", "too many elements to move"));
        }
        let n = e - f; // count - 1
        if t > i64::MAX - n {
            return Err(vm.arg_error(4, "move", "destination wrap around"));
        }
        let same = dest_arg == 0 || {
            let a = vm.arg(args, 0);
            let b = vm.arg(args, dest_arg);
            a.raw_eq(&b) || vm.eq_meta(a, b, false)?.unwrap_or(false)
        };
        if t > e || t <= f || !same {
            for k in 0..=n {
                if k % 64 == 63 {
                    vm.charge_fuel(64)?;
                }
                keep_top(vm, |vm| {
                    let v = vm.index(src, Value::Int(f + k))?;
                    vm.set_index(dst, Value::Int(t + k), v)
                })?;
            }
        } else {
            for k in (0..=n).rev() {
                if k % 64 == 63 {
                    vm.charge_fuel(64)?;
                }
                keep_top(vm, |vm| {
                    let v = vm.index(src, Value::Int(f + k))?;
                    vm.set_index(dst, Value::Int(t + k), v)
                })?;
            }
        }
    }
    vm.ret1(args, dst)
}

// ---- sort ----

/// Registers the sorting algorithm keeps values in while comparisons (which may run Lua code and
/// the collector) are under way.
const R_A: usize = 0;
const R_B: usize = 1;
const R_P: usize = 2;
const R_X: usize = 3;
const NREGS: usize = 4;

/// Element access for the sorting algorithm: the array positions `1..=n` and a few registers.
trait SortAccess {
    /// `reg[r] = a[i]`
    fn load(&mut self, vm: &mut Vm, r: usize, i: i64) -> LuaResult<()>;
    /// `a[i] = reg[r]`
    fn store(&mut self, vm: &mut Vm, i: i64, r: usize) -> LuaResult<()>;
    /// `reg[x] < reg[y]`
    fn less(&mut self, vm: &mut Vm, x: usize, y: usize) -> LuaResult<bool>;
    fn copy_reg(&mut self, vm: &mut Vm, dst: usize, src: usize);
}

/// Sorting a plain array of numbers or of strings with the default order: no Lua code can run.
struct VecAccess {
    items: Vec<Value>,
    regs: [Value; NREGS],
}

impl SortAccess for VecAccess {
    #[inline]
    fn load(&mut self, _vm: &mut Vm, r: usize, i: i64) -> LuaResult<()> {
        self.regs[r] = self.items[(i - 1) as usize];
        Ok(())
    }
    #[inline]
    fn store(&mut self, _vm: &mut Vm, i: i64, r: usize) -> LuaResult<()> {
        self.items[(i - 1) as usize] = self.regs[r];
        Ok(())
    }
    #[inline]
    fn less(&mut self, _vm: &mut Vm, x: usize, y: usize) -> LuaResult<bool> {
        Ok(match (self.regs[x], self.regs[y]) {
            (Value::Int(a), Value::Int(b)) => a < b,
            (Value::Float(a), Value::Float(b)) => a < b,
            (Value::Int(a), Value::Float(b)) => number::lt_int_float(a, b),
            (Value::Float(a), Value::Int(b)) => number::lt_float_int(a, b),
            (Value::Str(a), Value::Str(b)) => a.as_bytes() < b.as_bytes(),
            _ => false,
        })
    }
    fn copy_reg(&mut self, _vm: &mut Vm, dst: usize, src: usize) {
        self.regs[dst] = self.regs[src];
    }
}

/// The general case: any table-like value, any comparator. Registers live in stack slots above
/// the arguments so the collector sees them.
struct TableAccess {
    t: Value,
    cmp: Value,
    regs: usize,
}

impl SortAccess for TableAccess {
    fn load(&mut self, vm: &mut Vm, r: usize, i: i64) -> LuaResult<()> {
        let v = keep_top(vm, |vm| vm.index(self.t, Value::Int(i)))?;
        vm.stack_mut()[self.regs + r] = v;
        Ok(())
    }
    fn store(&mut self, vm: &mut Vm, i: i64, r: usize) -> LuaResult<()> {
        let v = vm.stack()[self.regs + r];
        keep_top(vm, |vm| vm.set_index(self.t, Value::Int(i), v))
    }
    fn less(&mut self, vm: &mut Vm, x: usize, y: usize) -> LuaResult<bool> {
        let a = vm.stack()[self.regs + x];
        let b = vm.stack()[self.regs + y];
        if self.cmp.is_nil() {
            less_than(vm, a, b)
        } else {
            keep_top(vm, |vm| Ok(vm.call1(self.cmp, &[a, b])?.truthy()))
        }
    }
    fn copy_reg(&mut self, vm: &mut Vm, dst: usize, src: usize) {
        let s = vm.stack_mut();
        s[self.regs + dst] = s[self.regs + src];
    }
}

/// Subranges at least this long get a pseudo-random pivot once a bad split was seen (below it the
/// middle element is always the pivot, as in Lua, so small sorts compare exactly like Lua's).
const RANDOM_PIVOT_MIN: i64 = 100;

struct SortState {
    /// Non-zero once a badly unbalanced partition was seen: pivots are then picked pseudo-randomly.
    rnd: u32,
    /// Unbalanced partitions still tolerated before the rest of a range is heap-sorted.
    budget: u32,
}

fn invalid_order(vm: &mut Vm) -> crate::vm::runtime::error::LuaError {
    vm.rt_error("invalid order function for sorting")
}

/// Quicksort of `a[lo..=up]`: median of three, Hoare partition with the pivot parked at
/// `up - 1`, recursion on the smaller side only. Badly unbalanced splits switch to randomized
/// pivots and, past a budget, to heapsort, so the work stays O(n log n) on any input.
fn quicksort<A: SortAccess>(
    a: &mut A,
    vm: &mut Vm,
    mut lo: i64,
    mut up: i64,
    st: &mut SortState,
) -> LuaResult<()> {
    while lo < up {
        // Put a[lo] <= a[up].
        a.load(vm, R_A, lo)?;
        a.load(vm, R_B, up)?;
        if a.less(vm, R_B, R_A)? {
            a.store(vm, lo, R_B)?;
            a.store(vm, up, R_A)?;
        }
        if up - lo == 1 {
            break;
        }
        let p = if up - lo < RANDOM_PIVOT_MIN || st.rnd == 0 {
            lo + (up - lo) / 2
        } else {
            let quarter = (up - lo) / 4;
            (st.rnd as i64) % (quarter * 2) + lo + quarter
        };
        // Median of a[lo], a[p], a[up] into a[p].
        a.load(vm, R_A, p)?;
        a.load(vm, R_B, lo)?;
        if a.less(vm, R_A, R_B)? {
            a.store(vm, p, R_B)?;
            a.store(vm, lo, R_A)?;
        } else {
            a.load(vm, R_B, up)?;
            if a.less(vm, R_B, R_A)? {
                a.store(vm, p, R_B)?;
                a.store(vm, up, R_A)?;
            }
        }
        if up - lo == 2 {
            break;
        }
        // Park the pivot at up - 1.
        a.load(vm, R_P, p)?;
        a.load(vm, R_B, up - 1)?;
        a.store(vm, p, R_B)?;
        a.store(vm, up - 1, R_P)?;
        let p = partition(a, vm, lo, up)?;
        let small;
        if p - lo < up - p {
            quicksort(a, vm, lo, p - 1, st)?;
            small = p - lo;
            lo = p + 1;
        } else {
            quicksort(a, vm, p + 1, up, st)?;
            small = up - p;
            up = p - 1;
        }
        if (up - lo) / 128 > small {
            if st.budget == 0 {
                return heapsort(a, vm, lo, up);
            }
            st.budget -= 1;
            st.rnd = next_rnd(st.rnd, lo, up);
        }
    }
    Ok(())
}

fn next_rnd(prev: u32, lo: i64, up: i64) -> u32 {
    let mut x = (prev as u64) ^ ((lo as u64) << 32) ^ (up as u64) ^ 0x9E37_79B9_7F4A_7C15;
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    (x as u32) | 1
}

/// Partitions `a[lo..=up]` around the pivot in register P (also stored at `up - 1`); returns the
/// pivot's final position. An order function that is not a strict weak order is detected when a
/// scan would run past the range.
fn partition<A: SortAccess>(a: &mut A, vm: &mut Vm, lo: i64, up: i64) -> LuaResult<i64> {
    // Charged per partition, by the elements it scans (a sort's budget grows as n log n), not
    // per comparison.
    vm.charge_fuel(1 + (up - lo) / 4)?;
    let mut i = lo;
    let mut j = up - 1;
    loop {
        // Advance i while a[i] < P.
        loop {
            i += 1;
            a.load(vm, R_A, i)?;
            if !a.less(vm, R_A, R_P)? {
                break;
            }
            if i == up - 1 {
                return Err(invalid_order(vm));
            }
        }
        // Retreat j while P < a[j].
        loop {
            j -= 1;
            a.load(vm, R_B, j)?;
            if !a.less(vm, R_P, R_B)? {
                break;
            }
            if j < i {
                return Err(invalid_order(vm));
            }
        }
        if j < i {
            // Put the pivot in its place: swap a[up - 1] and a[i].
            a.store(vm, up - 1, R_A)?;
            a.store(vm, i, R_P)?;
            return Ok(i);
        }
        a.store(vm, i, R_B)?;
        a.store(vm, j, R_A)?;
    }
}

/// Heapsort of `a[lo..=up]`, the fallback that bounds the worst case.
fn heapsort<A: SortAccess>(a: &mut A, vm: &mut Vm, lo: i64, up: i64) -> LuaResult<()> {
    if up <= lo {
        return Ok(());
    }
    let n = up - lo + 1;
    let mut start = n / 2;
    while start > 0 {
        start -= 1;
        a.load(vm, R_X, lo + start)?;
        sift_down(a, vm, lo, start, n)?;
    }
    let mut end = n - 1;
    while end > 0 {
        // Swap the maximum (root) to the end, then sift the old last element down.
        a.load(vm, R_X, lo + end)?;
        a.load(vm, R_A, lo)?;
        a.store(vm, lo + end, R_A)?;
        sift_down(a, vm, lo, 0, end)?;
        end -= 1;
    }
    Ok(())
}

/// Places register X, conceptually at heap position `root`, into the max-heap of size `n`.
fn sift_down<A: SortAccess>(
    a: &mut A,
    vm: &mut Vm,
    lo: i64,
    mut root: i64,
    n: i64,
) -> LuaResult<()> {
    vm.charge_fuel(2)?;
    loop {
        let mut child = 2 * root + 1;
        if child >= n {
            break;
        }
        a.load(vm, R_A, lo + child)?;
        if child + 1 < n {
            a.load(vm, R_B, lo + child + 1)?;
            if a.less(vm, R_A, R_B)? {
                child += 1;
                a.copy_reg(vm, R_A, R_B);
            }
        }
        if !a.less(vm, R_X, R_A)? {
            break;
        }
        a.store(vm, lo + root, R_A)?;
        root = child;
    }
    a.store(vm, lo + root, R_X)
}

fn sort(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let (tv, n) = check_len(vm, args, "sort", TAB_RW)?;
    if n <= 1 {
        return Ok(0);
    }
    if n >= i32::MAX as i64 {
        return Err(vm.arg_error(1, "sort", "array too big"));
    }
    let cmp = vm.arg(args, 1);
    if !cmp.is_nil() && !cmp.is_function() {
        return Err(vm.arg_type_error(args, 1, "sort", "function"));
    }
    let mut st = SortState {
        rnd: 0,
        budget: 2 * (64 - (n as u64).leading_zeros()) + 4,
    };
    if cmp.is_nil()
        && let Value::Table(t) = tv
        && t.meta.is_none()
    {
        // Plain array of numbers or of strings: sort a copy (nothing can observe the table
        // meanwhile) and write it back, also when the order turns out inconsistent (NaN).
        vm.charge_fuel(n / 8)?;
        let items: Vec<Value> = (1..=n).map(|i| t.get_int(i)).collect();
        let all_num = items
            .iter()
            .all(|v| matches!(v, Value::Int(_) | Value::Float(_)));
        let all_str = !all_num && items.iter().all(|v| matches!(v, Value::Str(_)));
        if all_num || all_str {
            let mut acc = VecAccess {
                items,
                regs: [Value::Nil; NREGS],
            };
            let r = quicksort(&mut acc, vm, 1, n, &mut st);
            vm.heap.table_barrier(t);
            let tm = t.get_mut();
            for (k, v) in acc.items.into_iter().enumerate() {
                tm.set_int(k as i64 + 1, v);
            }
            return r.map(|_| 0);
        }
    }
    let regs = args.base + 2;
    vm.reserve_stack(regs, NREGS)?;
    for r in 0..NREGS {
        vm.stack_mut()[regs + r] = Value::Nil;
    }
    vm.th_mut().top = regs + NREGS;
    let mut acc = TableAccess { t: tv, cmp, regs };
    quicksort(&mut acc, vm, 1, n, &mut st)?;
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(vals: &[i64]) -> Vec<i64> {
        let mut vm = Vm::new();
        let mut acc = VecAccess {
            items: vals.iter().map(|&v| Value::Int(v)).collect(),
            regs: [Value::Nil; NREGS],
        };
        let n = vals.len() as i64;
        let mut st = SortState { rnd: 0, budget: 2 };
        if n > 1 {
            assert!(quicksort(&mut acc, &mut vm, 1, n, &mut st).is_ok());
        }
        acc.items
            .iter()
            .map(|v| match v {
                Value::Int(i) => *i,
                _ => unreachable!(),
            })
            .collect()
    }

    fn check(vals: Vec<i64>) {
        let mut want = vals.clone();
        want.sort();
        assert_eq!(sorted(&vals), want);
    }

    #[test]
    fn sorts_small_and_edge_cases() {
        check(vec![]);
        check(vec![1]);
        check(vec![2, 1]);
        check(vec![3, 1, 2]);
        check(vec![5, 5, 5, 5, 5]);
        check((0..1000).collect());
        check((0..1000).rev().collect());
        check((0..1000).map(|i| (i * 7919) % 113).collect());
    }

    #[test]
    fn heapsort_sorts() {
        let mut vm = Vm::new();
        let vals: Vec<i64> = (0..500).map(|i| (i * 7919) % 1013).collect();
        let mut acc = VecAccess {
            items: vals.iter().map(|&v| Value::Int(v)).collect(),
            regs: [Value::Nil; NREGS],
        };
        assert!(heapsort(&mut acc, &mut vm, 1, 500).is_ok());
        let mut want = vals;
        want.sort();
        let got: Vec<i64> = acc
            .items
            .iter()
            .map(|v| match v {
                Value::Int(i) => *i,
                _ => 0,
            })
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn adversarial_input_stays_fast() {
        // An "organ pipe" and a median-of-3 killer-like sequence: the budget and the heapsort
        // fallback keep these quick even with middle pivots.
        let n = 200_000i64;
        let organ: Vec<i64> = (0..n).map(|i| if i < n / 2 { i } else { n - i }).collect();
        check(organ);
        let mut killer = vec![0i64; n as usize];
        for i in 0..n as usize / 2 {
            killer[i] = if i % 2 == 0 {
                i as i64
            } else {
                (n / 2) + i as i64
            };
            killer[n as usize / 2 + i] = 2 * i as i64 + 1;
        }
        check(killer);
    }
}
