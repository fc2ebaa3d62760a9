//! The string library: byte-string functions, pattern matching (`find`, `match`, `gmatch`,
//! `gsub`, over the matcher in `pattern.rs`), `format`, `pack`/`unpack`/`packsize` (in `pack.rs`)
//! and the string metatable with its arithmetic metamethods.

use crate::vm::bytecode::proto::{Constant, FuncProto};
use crate::vm::number::{self, ArithOp};
use crate::vm::runtime::budget::{COPY_CHUNK, Exhausted};
use crate::vm::runtime::error::{LuaError, LuaResult};
use crate::vm::runtime::function::Args;
use crate::vm::runtime::gc::Gc;
use crate::vm::runtime::state::Vm;
use crate::vm::runtime::string::LuaStr;
use crate::vm::runtime::table::Table;
use crate::vm::runtime::value::Value;

use super::pattern::{self, Capture, MatchState, PatError};

/// Largest string the VM builds; beyond it operations fail with "resulting string too large".
pub const MAX_STRING: usize = 1 << 31;

/// PUC Lua's MAXSIZE for string results (`INT_MAX` on 64-bit hosts).
const MAX_SIZE: u64 = i32::MAX as u64;

/// Opens `string` (without `pack`, `packsize` and `unpack`: `pack.rs` adds those) and returns
/// its table.
pub(crate) fn open(vm: &mut Vm) -> Gc<Table> {
    let t = super::register_lib(
        vm,
        "string",
        &[
            ("byte", byte),
            ("char", char),
            ("dump", dump),
            ("find", find),
            ("format", format),
            ("gmatch", gmatch),
            ("gsub", gsub),
            ("len", len),
            ("lower", lower),
            ("match", str_match),
            ("rep", rep),
            ("reverse", reverse),
            ("sub", sub),
            ("upper", upper),
        ],
    );
    // Strings index the string table, and do arithmetic by converting to numbers.
    let mt = vm.new_table();
    vm.set_field(mt, "__index", Value::Table(t));
    let arith: &[(&str, crate::vm::runtime::function::NativeFn)] = &[
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
    t
}

// ---- dump ----

/// `string.dump(f [, strip])`: a binary chunk of Lua function `f` (Moonpool's own format, see
/// `bytecode::dump`), which `load` turns back into a function.
fn dump(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let f = vm.arg(args, 0);
    let strip = vm.arg(args, 1).truthy();
    let cl = match f {
        Value::LuaFn(cl) => cl,
        v if v.is_function() => return Err(vm.rt_error("unable to dump given function")),
        _ => return Err(vm.arg_type_error(args, 0, "dump", "function")),
    };
    let proto = func_proto(&cl.proto);
    let mut bytes = crate::vm::bytecode::dump::dump(&proto, cl.proto.source.as_bytes(), strip);
    let s = vm.intern_buffer(&mut bytes)?;
    vm.ret1(args, Value::Str(s))
}

/// The compiler's form of a running function's prototype (constants back to plain values).
fn func_proto(p: &crate::vm::runtime::function::Proto) -> FuncProto {
    FuncProto {
        code: p.code.to_vec(),
        lineinfo: p.lineinfo.to_vec(),
        live_regs: p.live_regs.to_vec(),
        consts: p
            .consts
            .iter()
            .map(|c| match *c {
                Value::Bool(b) => Constant::Bool(b),
                Value::Int(i) => Constant::Int(i),
                Value::Float(f) => Constant::Float(f),
                Value::Str(s) => Constant::Str(s.as_bytes().to_vec()),
                // Constants are only ever nil, booleans, numbers and strings.
                _ => Constant::Nil,
            })
            .collect(),
        protos: p.protos.iter().map(|c| func_proto(c)).collect(),
        upvals: p.upvals.to_vec(),
        locvars: p.locvars.to_vec(),
        numparams: p.numparams,
        is_vararg: p.is_vararg,
        maxstack: p.maxstack,
        linedefined: p.linedefined,
        lastlinedefined: p.lastlinedefined,
    }
}

// ---- shared helpers ----

/// Lua's `posrelatI`: a 1-based start position, negative counting from the end, clipped to
/// `[1, inf)`.
pub(super) fn posrelat_start(pos: i64, len: usize) -> u64 {
    if pos > 0 {
        pos as u64
    } else if pos == 0 || pos.unsigned_abs() > len as u64 {
        1
    } else {
        (len as i64 + pos + 1) as u64
    }
}

/// Lua's `getendpos`: an end position, negative counting from the end, clipped to `[0, len]`.
fn end_pos(pos: i64, len: usize) -> usize {
    if pos > len as i64 {
        len
    } else if pos >= 0 {
        pos as usize
    } else if pos.unsigned_abs() > len as u64 {
        0
    } else {
        (len as i64 + pos + 1) as usize
    }
}

/// A string argument that stays rooted: a number converted to a string is written back into
/// its argument slot (as `lua_tolstring` does), so the string survives calls into Lua.
pub(super) fn check_str_rooted(
    vm: &mut Vm,
    args: Args,
    i: usize,
    fname: &str,
) -> LuaResult<Gc<LuaStr>> {
    let v = vm.arg(args, i);
    let s = vm.check_str(args, i, fname)?;
    if !matches!(v, Value::Str(_)) {
        vm.stack_mut()[args.base + i] = Value::Str(s);
    }
    Ok(s)
}

/// A runtime error (positioned like `luaL_error`) whose message may hold arbitrary bytes.
pub(super) fn rt_error_bytes(vm: &mut Vm, msg: &[u8]) -> LuaError {
    let mut full = vm.where_prefix(1).into_bytes();
    full.extend_from_slice(msg);
    LuaError::Value(Value::Str(vm.intern(&full)))
}

fn pat_error(vm: &mut Vm, e: PatError) -> LuaError {
    let kind = match e {
        PatError::OutOfFuel => Exhausted::Instructions,
        PatError::OutOfTime => Exhausted::Time,
        _ => return vm.rt_error(&e.message()),
    };
    // The matcher measured the work itself: leave the budget spent, as the VM would.
    vm.exhaust(kind);
    vm.budget_error(kind)
}

/// Matching steps per unit of instruction budget: a step is cheaper than an instruction.
const STEPS_PER_FUEL: u64 = 8;

/// A matcher that spends the running code's instruction and time budgets, so a pathological
/// pattern ends like a runaway loop instead of hanging the host.
fn match_state<'a>(vm: &Vm, src: &'a [u8], pat: &'a [u8]) -> MatchState<'a> {
    let mut ms = MatchState::new(src, pat);
    let (fuel, deadline, time_limit) = vm.budget_for_native();
    if fuel != i64::MAX || deadline.is_some() || time_limit.is_some() {
        let steps = match fuel {
            i64::MAX => u64::MAX,
            f => (f.max(0) as u64).saturating_mul(STEPS_PER_FUEL),
        };
        ms.set_budgets(steps, deadline, time_limit);
    }
    ms
}

/// Charges the steps `ms` took to the instruction budget.
fn charge_steps(vm: &mut Vm, ms: &MatchState) -> LuaResult<()> {
    vm.charge_fuel((ms.steps / STEPS_PER_FUEL) as i64)
}

/// Charges the budget for an output buffer's growth (one unit per 64 bytes) and checks the string
/// and memory limits before it grows, so a native building a huge string stops within its
/// budget. Call after each piece appended.
struct OutputMeter {
    charged: usize,
}

impl OutputMeter {
    fn new() -> Self {
        OutputMeter { charged: 0 }
    }

    #[inline]
    fn check(&mut self, vm: &mut Vm, out: &mut Vec<u8>) -> LuaResult<()> {
        let len = out.len();
        if len >= MAX_STRING {
            return Err(vm.rt_error("resulting string too large"));
        }
        if len - self.charged >= 1024 {
            vm.charge_bytes(len - self.charged)?;
            self.charged = len;
        }
        if len >= crate::vm::runtime::budget::SCRATCH_KEEP && out.capacity() - len < COPY_CHUNK {
            vm.reserve_string(out, len + COPY_CHUNK)?;
        }
        Ok(())
    }
}

// ---- basic functions ----

fn len(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let s = vm.check_str(args, 0, "len")?;
    vm.ret1(args, Value::Int(s.len() as i64))
}

fn sub(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let s = vm.check_str(args, 0, "sub")?;
    let l = s.len();
    let start = posrelat_start(vm.check_int(args, 1, "sub")?, l);
    let end = end_pos(vm.opt_int(args, 2, "sub", -1)?, l) as u64;
    let r = if start <= end {
        vm.intern_checked(&s.as_bytes()[(start - 1) as usize..end as usize])?
    } else {
        vm.intern(b"")
    };
    vm.ret1(args, Value::Str(r))
}

/// `upper`, `lower` and `reverse`: a byte-wise transform of argument 1, charged as it goes.
fn map_bytes(vm: &mut Vm, args: Args, fname: &str, f: fn(&[u8], &mut Vec<u8>)) -> LuaResult<usize> {
    let s = vm.check_str(args, 0, fname)?;
    let mut b = vm.take_scratch();
    let r = map_into(vm, s.as_bytes(), f, &mut b).and_then(|()| vm.intern_buffer(&mut b));
    vm.put_scratch(b);
    vm.ret1(args, Value::Str(r?))
}

fn map_into(
    vm: &mut Vm,
    src: &[u8],
    f: fn(&[u8], &mut Vec<u8>),
    out: &mut Vec<u8>,
) -> LuaResult<()> {
    vm.reserve_string(out, src.len())?;
    for chunk in src.chunks(COPY_CHUNK) {
        vm.charge_bytes(chunk.len())?;
        f(chunk, out);
    }
    Ok(())
}

fn upper(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    map_bytes(vm, args, "upper", |c, out| {
        out.extend(c.iter().map(u8::to_ascii_uppercase))
    })
}

fn lower(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    map_bytes(vm, args, "lower", |c, out| {
        out.extend(c.iter().map(u8::to_ascii_lowercase))
    })
}

fn reverse(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let s = vm.check_str(args, 0, "reverse")?;
    let mut b = vm.take_scratch();
    let r = (|| {
        vm.reserve_string(&mut b, s.len())?;
        for chunk in s.as_bytes().rchunks(COPY_CHUNK) {
            vm.charge_bytes(chunk.len())?;
            b.extend(chunk.iter().rev());
        }
        vm.intern_buffer(&mut b)
    })();
    vm.put_scratch(b);
    vm.ret1(args, Value::Str(r?))
}

/// Results up to this size are built on the stack.
const SHORT_REP: usize = 128;

fn rep(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let s = vm.check_str(args, 0, "rep")?;
    let n = vm.check_int(args, 1, "rep")?;
    let sep = vm.opt_str(args, 2, "rep")?;
    let sep = sep.as_ref().map_or(&b""[..], |x| x.as_bytes());
    let l = s.len() as u64;
    let lsep = sep.len() as u64;
    if n <= 0 || l + lsep == 0 {
        let e = vm.intern(b"");
        return vm.ret1(args, Value::Str(e));
    }
    let n = n as u64;
    if l + lsep > MAX_SIZE / n {
        return Err(vm.rt_error("resulting string too large"));
    }
    let total = (n * l + (n - 1) * lsep) as usize;
    if total <= SHORT_REP {
        // Short results (indentation, padding) are built on the stack: no Rust heap buffer
        // per call, which showed in the pretty-printer benchmark's profile.
        let mut buf = [0u8; SHORT_REP];
        let mut at = 0;
        for k in 0..n as usize {
            if k > 0 {
                buf[at..at + sep.len()].copy_from_slice(sep);
                at += sep.len();
            }
            buf[at..at + s.len()].copy_from_slice(s.as_bytes());
            at += s.len();
        }
        let r = vm.intern(&buf[..total]);
        return vm.ret1(args, Value::Str(r));
    }
    let mut b = Vec::new();
    vm.reserve_string(&mut b, total)?;
    // One copy of `s .. sep`, then the buffer doubles by copying itself (a chunk at a time,
    // charged): `(" "):rep(n)` is a few dozen copies, not n.
    b.extend_from_slice(s.as_bytes());
    b.extend_from_slice(sep);
    let unit = (l + lsep) as usize;
    while b.len() < total {
        // Whole units (the buffer stays a repetition of `s .. sep`), except the last piece.
        let mut n = b.len().min(total - b.len());
        if n > COPY_CHUNK {
            n = ((COPY_CHUNK / unit).max(1) * unit).min(total - b.len());
        }
        vm.charge_bytes(n)?;
        b.extend_from_within(..n);
    }
    b.truncate(total);
    let r = vm.intern_buffer(&mut b)?;
    vm.ret1(args, Value::Str(r))
}

fn byte(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let s = vm.check_str(args, 0, "byte")?;
    let l = s.len();
    let pi = vm.opt_int(args, 1, "byte", 1)?;
    let posi = posrelat_start(pi, l);
    let pose = end_pos(vm.opt_int(args, 2, "byte", pi)?, l) as u64;
    if posi > pose {
        return Ok(0);
    }
    if pose - posi >= i32::MAX as u64 {
        return Err(vm.rt_error("string slice too long"));
    }
    let n = (pose - posi + 1) as usize;
    if n >= 1_000_000 || vm.reserve_stack(args.base, n + 1).is_err() {
        return Err(vm.rt_error("stack overflow (string slice too long)"));
    }
    vm.charge_fuel(n as i64 / 16)?;
    let bytes = &s.as_bytes()[posi as usize - 1..pose as usize];
    let stack = vm.stack_mut();
    for (k, &c) in bytes.iter().enumerate() {
        stack[args.base + k] = Value::Int(c as i64);
    }
    Ok(n)
}

fn char(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    vm.charge_fuel(args.n as i64 / 16)?;
    let mut b = vm.take_scratch();
    for i in 0..args.n {
        let c = match vm.check_int(args, i, "char") {
            Ok(c) => c,
            Err(e) => {
                vm.put_scratch(b);
                return Err(e);
            }
        };
        if !(0..=255).contains(&c) {
            vm.put_scratch(b);
            return Err(vm.arg_error(i + 1, "char", "value out of range"));
        }
        b.push(c as u8);
    }
    let r = vm.intern(&b);
    vm.put_scratch(b);
    vm.ret1(args, Value::Str(r))
}

// ---- pattern matching ----

/// Splits a leading '^' anchor off a pattern.
fn split_anchor(p: &[u8]) -> (bool, &[u8]) {
    match p.split_first() {
        Some((b'^', rest)) => (true, rest),
        _ => (false, p),
    }
}

/// Capture `i` of the match `s..e` as a Lua value.
fn capture_value(
    vm: &mut Vm,
    ms: &MatchState,
    src: &[u8],
    i: usize,
    s: usize,
    e: usize,
) -> LuaResult<Value> {
    match ms.capture(i, s, e) {
        Ok(Capture::Str(a, b)) => Ok(Value::Str(vm.intern_checked(&src[a..b])?)),
        Ok(Capture::Pos(p)) => Ok(Value::Int(p as i64)),
        Err(err) => Err(pat_error(vm, err)),
    }
}

/// Writes the captures of the match `s..e` (the whole match when there are none and `whole`)
/// into the stack from slot `at`; returns how many.
fn push_captures(
    vm: &mut Vm,
    ms: &MatchState,
    src: &[u8],
    s: usize,
    e: usize,
    whole: bool,
    at: usize,
) -> LuaResult<usize> {
    let n = ms.result_count(whole);
    vm.reserve_stack(at, n + 1)?;
    for i in 0..n {
        let v = capture_value(vm, ms, src, i, s, e)?;
        vm.stack_mut()[at + i] = v;
    }
    Ok(n)
}

/// Next position from `from` where a match may start, given the pattern's leading literal.
#[inline]
fn next_candidate(src: &[u8], from: usize, first: Option<u8>) -> Option<usize> {
    match first {
        None => Some(from),
        Some(c) => src
            .get(from..)
            .and_then(|rest| rest.iter().position(|&x| x == c))
            .map(|off| from + off),
    }
}

fn find_aux(vm: &mut Vm, args: Args, find: bool) -> LuaResult<usize> {
    let fname = if find { "find" } else { "match" };
    let s = vm.check_str(args, 0, fname)?;
    let p = vm.check_str(args, 1, fname)?;
    let ls = s.len();
    let init = posrelat_start(vm.opt_int(args, 2, fname, 1)?, ls) - 1;
    if init > ls as u64 {
        return vm.ret1(args, Value::Nil);
    }
    let init = init as usize;
    let src = s.as_bytes();
    let pat = p.as_bytes();
    if find && (vm.arg(args, 3).truthy() || pattern::no_specials(pat)) {
        return match find_plain(vm, &src[init..], pat)? {
            Some(off) => {
                let st = init + off;
                vm.ret_values(
                    args,
                    &[
                        Value::Int(st as i64 + 1),
                        Value::Int((st + pat.len()) as i64),
                    ],
                )
            }
            None => vm.ret1(args, Value::Nil),
        };
    }
    let (anchor, pat) = split_anchor(pat);
    let first = if anchor {
        None
    } else {
        pattern::first_literal(pat)
    };
    let mut ms = match_state(vm, src, pat);
    let mut s1 = init;
    while let Some(cand) = next_candidate(src, s1, first) {
        let scanned = ms.add_steps((cand - s1) as u64 / 8);
        s1 = cand;
        match scanned.and_then(|()| ms.match_at(s1)) {
            Err(e) => return Err(pat_error(vm, e)),
            Ok(Some(e)) => {
                charge_steps(vm, &ms)?;
                return if find {
                    let n = push_captures(vm, &ms, src, s1, e, false, args.base + 2)?;
                    let st = vm.stack_mut();
                    st[args.base] = Value::Int(s1 as i64 + 1);
                    st[args.base + 1] = Value::Int(e as i64);
                    Ok(n + 2)
                } else {
                    push_captures(vm, &ms, src, s1, e, true, args.base)
                };
            }
            Ok(None) => {}
        }
        if anchor || s1 >= ls {
            break;
        }
        s1 += 1;
    }
    charge_steps(vm, &ms)?;
    vm.ret1(args, Value::Nil)
}

/// `string.find` of a plain substring, in linear time, charged by the bytes searched (in
/// chunks, so a search of a huge subject stops within its budget).
fn find_plain(vm: &mut Vm, hay: &[u8], needle: &[u8]) -> LuaResult<Option<usize>> {
    if needle.len() > COPY_CHUNK || hay.len() <= COPY_CHUNK {
        vm.charge_bytes(hay.len() + needle.len())?;
        return Ok(memchr::memmem::find(hay, needle));
    }
    let finder = memchr::memmem::Finder::new(needle);
    let mut start = 0;
    loop {
        // Windows overlap by the needle's length, so a match across a boundary is found.
        let end = (start + COPY_CHUNK + needle.len()).min(hay.len());
        vm.charge_bytes(end - start)?;
        if let Some(i) = finder.find(&hay[start..end]) {
            return Ok(Some(start + i));
        }
        if end == hay.len() {
            return Ok(None);
        }
        start += COPY_CHUNK;
    }
}

fn find(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    find_aux(vm, args, true)
}

fn str_match(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    find_aux(vm, args, false)
}

/// `string.gmatch(s, pattern [, init])`: an iterator closure whose upvalues are the subject,
/// the pattern, the next start position and the end of the last match (-1 for none).
fn gmatch(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let s = vm.check_str(args, 0, "gmatch")?;
    let p = vm.check_str(args, 1, "gmatch")?;
    let ls = s.len();
    let init = posrelat_start(vm.opt_int(args, 2, "gmatch", 1)?, ls) - 1;
    let init = init.min(ls as u64 + 1) as i64;
    let f = vm.new_native_closure(
        gmatch_step,
        &[
            Value::Str(s),
            Value::Str(p),
            Value::Int(init),
            Value::Int(-1),
        ],
    );
    vm.ret1(args, f)
}

fn gmatch_step(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let Some(&Value::NativeClosure(nc)) = args.base.checked_sub(1).and_then(|i| vm.stack().get(i))
    else {
        return Ok(0);
    };
    let (
        Some(&Value::Str(s)),
        Some(&Value::Str(p)),
        Some(&Value::Int(pos)),
        Some(&Value::Int(last)),
    ) = (
        nc.upvals.first(),
        nc.upvals.get(1),
        nc.upvals.get(2),
        nc.upvals.get(3),
    )
    else {
        return Ok(0);
    };
    let src = s.as_bytes();
    let pat = p.as_bytes();
    let ls = src.len();
    let first = pattern::first_literal(pat);
    let mut ms = match_state(vm, src, pat);
    let mut at = pos.max(0) as usize;
    while at <= ls {
        let Some(cand) = next_candidate(src, at, first) else {
            break;
        };
        let scanned = ms.add_steps((cand - at) as u64 / 8);
        at = cand;
        match scanned.and_then(|()| ms.match_at(at)) {
            Err(e) => return Err(pat_error(vm, e)),
            Ok(Some(e)) if e as i64 != last => {
                let up = &mut nc.get_mut().upvals;
                up[2] = Value::Int(e as i64);
                up[3] = Value::Int(e as i64);
                charge_steps(vm, &ms)?;
                return push_captures(vm, &ms, src, at, e, true, args.base);
            }
            Ok(_) => {}
        }
        at += 1;
    }
    // Nothing more: later calls need not rescan.
    nc.get_mut().upvals[2] = Value::Int(ls as i64 + 1);
    charge_steps(vm, &ms)?;
    Ok(0)
}

/// The replacement argument of `gsub`.
#[derive(Clone, Copy)]
enum Repl {
    Str(Gc<LuaStr>),
    Table(Value),
    Func(Value),
}

/// Appends the replacement string `news` for the match `s..e`, expanding `%0`-`%9` and `%%`.
fn add_s(
    vm: &mut Vm,
    ms: &MatchState,
    out: &mut Vec<u8>,
    src: &[u8],
    s: usize,
    e: usize,
    news: &[u8],
) -> LuaResult<()> {
    let mut i = 0;
    while let Some(off) = news[i..].iter().position(|&c| c == b'%') {
        out.extend_from_slice(&news[i..i + off]);
        let p = i + off + 1;
        let c = news.get(p).copied().unwrap_or(0);
        if c == b'%' {
            out.push(b'%');
        } else if c == b'0' {
            out.extend_from_slice(&src[s..e]);
        } else if c.is_ascii_digit() {
            match ms.capture((c - b'1') as usize, s, e) {
                Ok(Capture::Str(a, b)) => out.extend_from_slice(&src[a..b]),
                Ok(Capture::Pos(n)) => number::fmt_int(out, n as i64),
                Err(err) => return Err(pat_error(vm, err)),
            }
        } else {
            return Err(vm.rt_error("invalid use of '%' in replacement string"));
        }
        i = p + 1;
    }
    out.extend_from_slice(&news[i..]);
    Ok(())
}

/// Appends the replacement for the match `s..e`; returns whether the text changed.
fn add_value(
    vm: &mut Vm,
    ms: &MatchState,
    out: &mut Vec<u8>,
    src: &[u8],
    s: usize,
    e: usize,
    repl: Repl,
) -> LuaResult<bool> {
    let v = match repl {
        Repl::Str(news) => {
            add_s(vm, ms, out, src, s, e, news.as_bytes())?;
            return Ok(true);
        }
        Repl::Func(f) => {
            let n = ms.result_count(true);
            let mut caps = [Value::Nil; pattern::MAX_CAPTURES];
            for (i, slot) in caps.iter_mut().enumerate().take(n) {
                *slot = capture_value(vm, ms, src, i, s, e)?;
            }
            vm.call1(f, &caps[..n])?
        }
        Repl::Table(t) => {
            let k = capture_value(vm, ms, src, 0, s, e)?;
            vm.index(t, k)?
        }
    };
    match v {
        Value::Nil | Value::Bool(false) => {
            out.extend_from_slice(&src[s..e]);
            Ok(false)
        }
        Value::Str(r) => {
            out.extend_from_slice(r.as_bytes());
            Ok(true)
        }
        Value::Int(_) | Value::Float(_) => {
            crate::vm::runtime::value::fmt_number(out, &v);
            Ok(true)
        }
        other => {
            let msg = format!("invalid replacement value (a {})", other.type_name());
            Err(vm.rt_error(&msg))
        }
    }
}

fn gsub(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let s = check_str_rooted(vm, args, 0, "gsub")?;
    let p = check_str_rooted(vm, args, 1, "gsub")?;
    let rv = vm.arg(args, 2);
    let max_s = vm.opt_int(args, 3, "gsub", s.len() as i64 + 1)?;
    let repl = match rv {
        Value::Str(r) => Repl::Str(r),
        Value::Int(_) | Value::Float(_) => Repl::Str(check_str_rooted(vm, args, 2, "gsub")?),
        Value::Table(_) => Repl::Table(rv),
        Value::LuaFn(_) | Value::Native(_) | Value::NativeClosure(_) => Repl::Func(rv),
        _ => return Err(vm.arg_type_error(args, 2, "gsub", "string/function/table")),
    };
    let mut out = vm.take_scratch();
    let r = gsub_loop(vm, s, p, repl, max_s, &mut out);
    let result = match r {
        Ok((false, n)) => Ok((Value::Str(s), n)),
        Ok((true, n)) => vm.intern_buffer(&mut out).map(|s| (Value::Str(s), n)),
        Err(e) => Err(e),
    };
    vm.put_scratch(out);
    let (v, n) = result?;
    vm.ret_values(args, &[v, Value::Int(n)])
}

/// The substitution loop of `gsub`; leaves the new text in `out` and returns whether anything
/// changed and the number of matches.
fn gsub_loop(
    vm: &mut Vm,
    s: Gc<LuaStr>,
    p: Gc<LuaStr>,
    repl: Repl,
    max_s: i64,
    out: &mut Vec<u8>,
) -> LuaResult<(bool, i64)> {
    let src = s.as_bytes();
    let (anchor, pat) = split_anchor(p.as_bytes());
    let first = if anchor {
        None
    } else {
        pattern::first_literal(pat)
    };
    let mut ms = match_state(vm, src, pat);
    let mut growth = OutputMeter::new();
    let mut pos = 0usize;
    let mut last: Option<usize> = None;
    let mut n = 0i64;
    let mut changed = false;
    while n < max_s {
        match next_candidate(src, pos, first) {
            Some(c) => {
                if c > pos {
                    vm.append_charged(out, &src[pos..c])?;
                    growth.charged = out.len();
                }
                pos = c;
            }
            None => break,
        }
        match ms.match_at(pos) {
            Err(e) => return Err(pat_error(vm, e)),
            Ok(Some(e)) if Some(e) != last => {
                n += 1;
                changed |= add_value(vm, &ms, out, src, pos, e, repl)?;
                growth.check(vm, out)?;
                pos = e;
                last = Some(e);
            }
            Ok(_) => {
                if pos < src.len() {
                    out.push(src[pos]);
                    pos += 1;
                } else {
                    break;
                }
            }
        }
        if anchor {
            break;
        }
    }
    if changed {
        vm.append_charged(out, &src[pos..])?;
    }
    charge_steps(vm, &ms)?;
    Ok((changed, n))
}

// ---- format ----

unsafe extern "C" {
    fn snprintf(
        buf: *mut libc::c_char,
        n: libc::size_t,
        fmt: *const libc::c_char,
        ...
    ) -> libc::c_int;
}

/// The one argument of a C conversion.
#[derive(Clone, Copy)]
enum CArg<'a> {
    LongLong(i64),
    Int(libc::c_int),
    Double(f64),
    Ptr(usize),
    Str(&'a std::ffi::CStr),
}

/// Appends C's `snprintf(form, arg)`; `form` is a validated conversion spec without its NUL.
fn c_format(out: &mut Vec<u8>, form: &[u8], arg: CArg) {
    let mut spec = [0u8; 48];
    let n = form.len().min(spec.len() - 1);
    spec[..n].copy_from_slice(&form[..n]);
    let call = |buf: *mut libc::c_char, len: usize| -> libc::c_int {
        let f = spec.as_ptr() as *const libc::c_char;
        // SAFETY: `spec` is NUL-terminated and holds one conversion matching the argument's
        // type (checked by the caller); `buf` has room for `len` bytes.
        unsafe {
            match arg {
                CArg::LongLong(v) => snprintf(buf, len, f, v as libc::c_longlong),
                CArg::Int(v) => snprintf(buf, len, f, v),
                CArg::Double(v) => snprintf(buf, len, f, v),
                CArg::Ptr(v) => snprintf(buf, len, f, v as *const libc::c_void),
                CArg::Str(v) => snprintf(buf, len, f, v.as_ptr()),
            }
        }
    };
    let mut buf = [0u8; 512];
    let len = call(buf.as_mut_ptr() as *mut libc::c_char, buf.len());
    if len < 0 {
        return;
    }
    let len = len as usize;
    if len < buf.len() {
        out.extend_from_slice(&buf[..len]);
    } else {
        let mut big = vec![0u8; len + 1];
        call(big.as_mut_ptr() as *mut libc::c_char, big.len());
        out.extend_from_slice(&big[..len]);
    }
}

const FLAGS_F: &[u8] = b"-+#0 ";
const FLAGS_X: &[u8] = b"-#0";
const FLAGS_I: &[u8] = b"-+0 ";
const FLAGS_U: &[u8] = b"-0";
const FLAGS_C: &[u8] = b"-";

/// Lua's `checkformat`: `form` ('%', flags, width and precision of at most two digits each,
/// conversion) must use only `flags`, and a precision only when allowed.
fn check_form(vm: &mut Vm, form: &[u8], flags: &[u8], precision: bool) -> LuaResult<()> {
    let at = |i: usize| form.get(i).copied().unwrap_or(0);
    let mut i = 1;
    while i < form.len() && flags.contains(&form[i]) {
        i += 1;
    }
    let two_digits = |mut i: usize| {
        if at(i).is_ascii_digit() {
            i += 1;
            if at(i).is_ascii_digit() {
                i += 1;
            }
        }
        i
    };
    if at(i) != b'0' {
        i = two_digits(i);
        if at(i) == b'.' && precision {
            i = two_digits(i + 1);
        }
    }
    if !at(i).is_ascii_alphabetic() {
        let mut msg = b"invalid conversion specification: '".to_vec();
        msg.extend_from_slice(form);
        msg.push(b'\'');
        return Err(rt_error_bytes(vm, &msg));
    }
    Ok(())
}

/// `form` with C's `ll` length modifier before its conversion letter.
fn with_ll(form: &[u8]) -> smallvec::SmallVec<[u8; 32]> {
    let mut f = smallvec::SmallVec::<[u8; 32]>::new();
    if let Some((&conv, head)) = form.split_last() {
        f.extend_from_slice(head);
        f.extend_from_slice(b"ll");
        f.push(conv);
    }
    f
}

/// Appends `s` quoted for `%q`: a Lua string literal that reads back as the same bytes. Charged
/// by the bytes quoted, a chunk at a time.
fn add_quoted(vm: &mut Vm, out: &mut Vec<u8>, s: &[u8]) -> LuaResult<()> {
    out.push(b'"');
    for start in (0..s.len()).step_by(COPY_CHUNK) {
        let end = (start + COPY_CHUNK).min(s.len());
        vm.charge_bytes(2 * (end - start))?;
        vm.reserve_string(out, out.len() + 2 * (end - start))?;
        quote_into(out, s, start..end);
    }
    out.push(b'"');
    Ok(())
}

/// Appends the bytes `range` of `s` escaped as in a `%q` literal (a byte after the range may
/// decide how a control character is written).
fn quote_into(out: &mut Vec<u8>, s: &[u8], range: std::ops::Range<usize>) {
    for i in range {
        let c = s[i];
        match c {
            b'"' | b'\\' | b'\n' => {
                out.push(b'\\');
                out.push(c);
            }
            c if c < 32 || c == 127 => {
                let next_digit = s.get(i + 1).is_some_and(u8::is_ascii_digit);
                out.push(b'\\');
                if next_digit {
                    out.extend_from_slice(format!("{c:03}").as_bytes());
                } else {
                    number::fmt_int(out, c as i64);
                }
            }
            c => out.push(c),
        }
    }
}

/// `%q` of one value.
fn add_literal(vm: &mut Vm, out: &mut Vec<u8>, args: Args, arg: usize) -> LuaResult<()> {
    match vm.arg(args, arg) {
        Value::Str(s) => add_quoted(vm, out, s.as_bytes())?,
        Value::Int(n) => {
            if n == i64::MIN {
                out.extend_from_slice(b"0x8000000000000000");
            } else {
                number::fmt_int(out, n);
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
                c_format(out, b"%a", CArg::Double(x));
            }
        }
        Value::Nil => out.extend_from_slice(b"nil"),
        Value::Bool(b) => out.extend_from_slice(if b { b"true" } else { b"false" }),
        _ => return Err(vm.arg_error(arg + 1, "format", "value has no literal form")),
    }
    Ok(())
}

fn format(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let fmt = check_str_rooted(vm, args, 0, "format")?;
    let mut out = vm.take_scratch();
    let r = format_into(vm, args, fmt.as_bytes(), &mut out);
    let r = r.and_then(|()| vm.intern_buffer(&mut out));
    vm.put_scratch(out);
    let s = r?;
    vm.ret1(args, Value::Str(s))
}

fn format_into(vm: &mut Vm, args: Args, f: &[u8], out: &mut Vec<u8>) -> LuaResult<()> {
    let mut growth = OutputMeter::new();
    let mut arg = 0usize;
    let mut i = 0usize;
    while i < f.len() {
        // The text up to the next conversion, in one piece (formats are short: a plain scan).
        let text = f[i..]
            .iter()
            .position(|&c| c == b'%')
            .unwrap_or(f.len() - i);
        if text > 0 {
            vm.append_charged(out, &f[i..i + text])?;
            growth.charged = out.len();
            i += text;
            continue;
        }
        i += 1;
        if f.get(i) == Some(&b'%') {
            out.push(b'%');
            i += 1;
            continue;
        }
        arg += 1;
        if arg >= args.n {
            return Err(vm.arg_error(arg + 1, "format", "no value"));
        }
        // The spec: flags, digits and '.', then the conversion character (NUL past the end).
        let span = f[i..]
            .iter()
            .take_while(|c| b"-+#0 123456789.".contains(c))
            .count();
        if span + 1 >= 22 {
            return Err(vm.rt_error("invalid format (too long)"));
        }
        let conv = f.get(i + span).copied().unwrap_or(0);
        let mut form = smallvec::SmallVec::<[u8; 32]>::new();
        form.push(b'%');
        form.extend_from_slice(&f[i..i + span]);
        form.push(conv);
        i += span + 1;
        match conv {
            b'c' => {
                check_form(vm, &form, FLAGS_C, false)?;
                let n = vm.check_int(args, arg, "format")?;
                c_format(out, &form, CArg::Int(n as libc::c_int));
            }
            b'd' | b'i' | b'u' | b'o' | b'x' | b'X' => {
                let flags = match conv {
                    b'd' | b'i' => FLAGS_I,
                    b'u' => FLAGS_U,
                    _ => FLAGS_X,
                };
                let n = vm.check_int(args, arg, "format")?;
                if form.len() == 2 && conv != b'u' && flags == FLAGS_I {
                    // Plain "%d"/"%i": no C call needed.
                    number::fmt_int(out, n);
                } else {
                    check_form(vm, &form, flags, true)?;
                    c_format(out, &with_ll(&form), CArg::LongLong(n));
                }
            }
            b'a' | b'A' => {
                check_form(vm, &form, FLAGS_F, true)?;
                let x = vm.check_float(args, arg, "format")?;
                c_format(out, &form, CArg::Double(x));
            }
            b'f' | b'e' | b'E' | b'g' | b'G' => {
                let x = vm.check_float(args, arg, "format")?;
                check_form(vm, &form, FLAGS_F, true)?;
                c_format(out, &form, CArg::Double(x));
            }
            b'p' => {
                let a = vm.arg(args, arg).addr();
                check_form(vm, &form, FLAGS_C, false)?;
                if a == 0 {
                    if let Some(last) = form.last_mut() {
                        *last = b's';
                    }
                    c_format(out, &form, CArg::Str(c"(null)"));
                } else {
                    c_format(out, &form, CArg::Ptr(a));
                }
            }
            b'q' => {
                if form.len() > 2 {
                    return Err(vm.rt_error("specifier '%q' cannot have modifiers"));
                }
                add_literal(vm, out, args, arg)?;
            }
            b's' => {
                let v = vm.arg(args, arg);
                let s = vm.tostring(v)?;
                let bytes = s.as_bytes();
                if form.len() == 2 {
                    vm.append_charged(out, bytes)?;
                } else {
                    if bytes.contains(&0) {
                        return Err(vm.arg_error(arg + 1, "format", "string contains zeros"));
                    }
                    check_form(vm, &form, FLAGS_C, true)?;
                    if !form.contains(&b'.') && bytes.len() >= 100 {
                        vm.append_charged(out, bytes)?;
                    } else {
                        match std::ffi::CString::new(bytes) {
                            Ok(cs) => c_format(out, &form, CArg::Str(&cs)),
                            Err(_) => out.extend_from_slice(bytes),
                        }
                    }
                }
            }
            _ => {
                let shown = form.split(|&b| b == 0).next().unwrap_or(&[]);
                let mut msg = b"invalid conversion '".to_vec();
                msg.extend_from_slice(shown);
                msg.extend_from_slice(b"' to 'format'");
                return Err(rt_error_bytes(vm, &msg));
            }
        }
        growth.check(vm, out)?;
    }
    Ok(())
}

/// String arithmetic metamethods: convert both operands to numbers, or fail like Lua does.
fn string_arith(vm: &mut Vm, args: Args, op: ArithOp) -> LuaResult<usize> {
    let a = vm.arg(args, 0);
    let b = vm.arg(args, 1);
    let to_num = |v: &Value| match v {
        Value::Int(_) | Value::Float(_) => Some(*v),
        Value::Str(s) => crate::vm::runtime::value::str_to_number(s.as_bytes()),
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
    let tm = vm.tm_of(&b, crate::vm::runtime::meta::arith_tm(op));
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
