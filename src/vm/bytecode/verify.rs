//! The bytecode verifier: the checks that make a binary chunk safe to run.
//!
//! The interpreter (`runtime/exec.rs`) trusts the compiler: it reads registers, constants,
//! upvalues and the words after an instruction without bounds checks, decodes opcodes with a
//! transmute, follows jumps with pointer arithmetic and computes argument counts from the
//! stack top. Code from a binary chunk is untrusted, so `undump` runs `verify` on it, which
//! rejects any function for which some instruction could reach outside its function's data:
//!
//! - every word holds a valid opcode; `ExtraArg` appears only right after `LoadKX` and after
//!   `SetList` with k (whose extra word must be there), and nothing jumps or falls into it;
//! - every register an instruction reads or writes, including the ranges of `Call`, `TailCall`,
//!   `Return`, `SetList`, `VarArg`, `Concat`, `LoadNil`, `SelfOp` and the loop instructions
//!   (`ForPrep`/`ForLoop` use A..A+3, `TForCall` A..A+6 and its results), is below `maxstack`
//!   (the interpreter's frames reserve exactly `maxstack` registers);
//! - constant indices are below `consts.len()` (and of the kind the instruction is compiled
//!   with: string keys for the field instructions, numbers for arithmetic, integers for
//!   bitwise operations); upvalue indices below `upvals.len()`; `Closure`'s prototype index
//!   below `protos.len()`;
//! - every successor of every instruction (the next one, jump targets, the skip of a test or
//!   `LFalseSkip`, loop exits and back-jumps) is an instruction of the function: so the code
//!   ends in a return or a jump; a test is followed by the `Jmp` it executes;
//! - an instruction that takes its count from the stack top (`Call`, `TailCall`, `Return`
//!   or `SetList` with B = 0) is reached only by falling through from one that sets the top
//!   above its own register (`Call` with C = 0, `TailCall`, `VarArg` with C = 0);
//! - no `TailCall` can run while a to-be-closed variable of the frame is pending (a tail call
//!   closes upvalues only, as compiled code never tail-calls inside such a scope);
//! - `ForLoop` trusts the three control registers `ForPrep` filled with numbers (it has no
//!   case for anything else): each `ForLoop` jumps back to just after a `ForPrep` of its
//!   registers whose exit is just after it, loops nest, only that `ForPrep` enters the body, no
//!   instruction of the body writes the control registers (a call writes everything above its
//!   function's register: the callee's frame starts there), no open upvalue points at them, and
//!   `live_regs` keeps them live for the collector (which clears the registers above it);
//! - no call runs while an open upvalue points into the registers its callee's frame will use
//!   (else the callee's registers, loop counters included, could change behind its back);
//! - `numparams <= maxstack`, at most 255 upvalues, `lineinfo` empty (stripped) or one entry
//!   per instruction, `live_regs` one entry per instruction, each at most `maxstack`; local
//!   variables in registers below `maxstack` with ranges inside the code;
//! - a nested function's upvalue descriptors name registers (below the parent's `maxstack`)
//!   or upvalues (below the parent's `upvals.len()`) that exist.
//!
//! It is iterative over nested functions: nesting depth costs no Rust stack here.

use super::opcode::{Instr, NUM_OPS, Op};
use super::proto::{Constant, FuncProto};

/// Most upvalues a function may have (the compiler's limit too).
pub const MAX_UPVALUES: usize = 255;

/// Checks `proto` and every function nested in it. The error names the first problem found.
pub fn verify(proto: &FuncProto) -> Result<(), String> {
    let mut pending = vec![proto];
    while let Some(p) = pending.pop() {
        verify_function(p).map_err(|e| format!("{e} in function at line {}", p.linedefined))?;
        pending.extend(p.protos.iter());
    }
    Ok(())
}

/// Whether the low 7 bits of `i` name an opcode (checked before `Instr::op` decodes them).
fn valid_op(i: Instr) -> bool {
    ((i.0 & 0x7f) as usize) < NUM_OPS
}

fn is_test(op: Op) -> bool {
    op.is_comparison() || matches!(op, Op::Test | Op::TestSet)
}

/// Instructions that take their count from the stack top (B = 0).
fn uses_top(i: Instr) -> bool {
    matches!(i.op(), Op::Call | Op::TailCall | Op::Return | Op::SetList) && i.b() == 0
}

/// Instructions that leave the stack top past their results (at least at their register A).
fn sets_top(i: Instr) -> bool {
    match i.op() {
        Op::Call | Op::VarArg => i.c() == 0,
        Op::TailCall => true,
        _ => false,
    }
}

fn verify_function(p: &FuncProto) -> Result<(), String> {
    let n = p.code.len();
    let maxstack = p.maxstack as usize;
    if n == 0 {
        return Err("function without code".into());
    }
    if p.numparams as usize > maxstack {
        return Err("more parameters than registers".into());
    }
    if p.upvals.len() > MAX_UPVALUES {
        return Err("too many upvalues".into());
    }
    if !p.lineinfo.is_empty() && p.lineinfo.len() != n {
        return Err("line information does not match the code".into());
    }
    if p.live_regs.len() != n || p.live_regs.iter().any(|&r| r as usize > maxstack) {
        return Err("register liveness does not match the code".into());
    }
    for l in &p.locvars {
        if l.reg as usize >= maxstack || l.start_pc > l.end_pc || l.end_pc as usize > n {
            return Err("invalid local variable".into());
        }
    }
    for child in &p.protos {
        for u in &child.upvals {
            let ok = if u.in_stack {
                (u.index as usize) < maxstack
            } else {
                (u.index as usize) < p.upvals.len()
            };
            if !ok {
                return Err("invalid upvalue of a nested function".into());
            }
        }
    }

    // Words that are the extra argument of the instruction before them.
    let mut extra = vec![false; n];
    let mut pc = 0;
    while pc < n {
        let i = p.code[pc];
        if !valid_op(i) {
            return Err(format!("invalid opcode at instruction {}", pc + 1));
        }
        let has_extra = match i.op() {
            Op::ExtraArg => {
                return Err(format!("misplaced EXTRAARG at instruction {}", pc + 1));
            }
            Op::LoadKX => true,
            Op::SetList => i.k(),
            _ => false,
        };
        if has_extra {
            match p.code.get(pc + 1) {
                Some(&x) if valid_op(x) && x.op() == Op::ExtraArg => extra[pc + 1] = true,
                _ => return Err(format!("missing EXTRAARG after instruction {}", pc + 1)),
            }
            pc += 2;
        } else {
            pc += 1;
        }
    }

    // Operands and successors; `preds` counts the edges into each instruction (the entry too).
    let mut preds = vec![0u32; n];
    preds[0] = 1;
    let mut succs: Vec<[Option<usize>; 2]> = vec![[None, None]; n];
    let mut has_tailcall = false;
    let mut has_tbc = false;
    for pc in 0..n {
        if extra[pc] {
            continue;
        }
        let i = p.code[pc];
        let at = |e: String| format!("{e} at instruction {} ({:?})", pc + 1, i.op());
        check_operands(p, pc, i).map_err(at)?;
        let s = successors(p, pc, i, &extra).map_err(at)?;
        for t in s.into_iter().flatten() {
            preds[t] += 1;
        }
        succs[pc] = s;
        match i.op() {
            Op::TailCall => has_tailcall = true,
            Op::Tbc | Op::TForPrep => has_tbc = true,
            _ => {}
        }
    }

    // Counts taken from the stack top: only right after the instruction that set it.
    for pc in 0..n {
        let i = p.code[pc];
        if extra[pc] || !uses_top(i) {
            continue;
        }
        let ok = pc > 0 && preds[pc] == 1 && !extra[pc - 1] && {
            let prev = p.code[pc - 1];
            let need = if i.op() == Op::Return {
                i.a()
            } else {
                i.a() + 1
            };
            sets_top(prev) && prev.a() >= need && succs[pc - 1][0] == Some(pc)
        };
        if !ok {
            return Err(format!(
                "instruction {} ({:?}) uses a stack top no instruction set",
                pc + 1,
                i.op()
            ));
        }
    }

    if has_tailcall && has_tbc {
        check_tail_calls(p, &extra, &succs)?;
    }
    let open = open_upvalues(p, &extra, &succs)?;
    check_numeric_loops(p, &extra, &succs, &open)?;
    Ok(())
}

/// Checks the registers, constants, upvalues and functions instruction `i` at `pc` names.
fn check_operands(p: &FuncProto, pc: usize, i: Instr) -> Result<(), String> {
    let maxstack = p.maxstack as usize;
    let reg = |r: usize| -> Result<(), String> {
        if r < maxstack {
            Ok(())
        } else {
            Err(format!("register {r} out of range"))
        }
    };
    // Registers first..first+count (none when count is 0).
    let regs = |first: usize, count: usize| -> Result<(), String> {
        if count == 0 {
            Ok(())
        } else {
            reg(first + count - 1)
        }
    };
    let konst = |k: usize| -> Result<&Constant, String> {
        p.consts
            .get(k)
            .ok_or_else(|| format!("constant {k} out of range"))
    };
    let kstr = |k: usize| -> Result<(), String> {
        match konst(k)? {
            Constant::Str(_) => Ok(()),
            _ => Err(format!("constant {k} is not a string")),
        }
    };
    let knum = |k: usize| -> Result<(), String> {
        match konst(k)? {
            Constant::Int(_) | Constant::Float(_) => Ok(()),
            _ => Err(format!("constant {k} is not a number")),
        }
    };
    let kint = |k: usize| -> Result<(), String> {
        match konst(k)? {
            Constant::Int(_) => Ok(()),
            _ => Err(format!("constant {k} is not an integer")),
        }
    };
    let upval = |u: usize| -> Result<(), String> {
        if u < p.upvals.len() {
            Ok(())
        } else {
            Err(format!("upvalue {u} out of range"))
        }
    };
    // RK(C): a constant with the k bit, else a register.
    let rkc = || -> Result<(), String> {
        if i.k() {
            konst(i.c()).map(|_| ())
        } else {
            reg(i.c())
        }
    };
    let (a, b, c) = (i.a(), i.b(), i.c());
    match i.op() {
        Op::Move | Op::Unm | Op::BNot | Op::Not | Op::Len => {
            reg(a)?;
            reg(b)?;
        }
        Op::LoadI | Op::LoadF | Op::LoadFalse | Op::LFalseSkip | Op::LoadTrue => reg(a)?,
        Op::LoadK => {
            reg(a)?;
            konst(i.bx())?;
        }
        Op::LoadKX => {
            reg(a)?;
            konst(p.code[pc + 1].ax())?;
        }
        Op::LoadNil => regs(a, b + 1)?,
        Op::GetUpval | Op::SetUpval => {
            reg(a)?;
            upval(b)?;
        }
        Op::GetTabUp => {
            reg(a)?;
            upval(b)?;
            kstr(c)?;
        }
        Op::GetTable => {
            reg(a)?;
            reg(b)?;
            reg(c)?;
        }
        Op::GetI | Op::AddI | Op::ShrI | Op::ShlI | Op::TestSet | Op::Eq | Op::Lt | Op::Le => {
            reg(a)?;
            reg(b)?;
        }
        Op::GetField => {
            reg(a)?;
            reg(b)?;
            kstr(c)?;
        }
        Op::SetTabUp => {
            upval(a)?;
            kstr(b)?;
            rkc()?;
        }
        Op::SetTable => {
            reg(a)?;
            reg(b)?;
            rkc()?;
        }
        Op::SetI => {
            reg(a)?;
            rkc()?;
        }
        Op::SetField => {
            reg(a)?;
            kstr(b)?;
            rkc()?;
        }
        // (`Return0` reads no register, but its A is where a slow return's results start.)
        Op::NewTable | Op::Close | Op::Tbc | Op::Test | Op::Return0 | Op::Return1 => reg(a)?,
        Op::EqI | Op::LtI | Op::LeI | Op::GtI | Op::GeI => reg(a)?,
        Op::SelfOp => {
            regs(a, 2)?;
            reg(b)?;
            if i.k() {
                kstr(c)?;
            } else {
                reg(c)?;
            }
        }
        Op::AddK | Op::SubK | Op::MulK | Op::ModK | Op::PowK | Op::DivK | Op::IDivK => {
            reg(a)?;
            reg(b)?;
            knum(c)?;
        }
        Op::BAndK | Op::BOrK | Op::BXorK => {
            reg(a)?;
            reg(b)?;
            kint(c)?;
        }
        Op::Add
        | Op::Sub
        | Op::Mul
        | Op::Mod
        | Op::Pow
        | Op::Div
        | Op::IDiv
        | Op::BAnd
        | Op::BOr
        | Op::BXor
        | Op::Shl
        | Op::Shr => {
            reg(a)?;
            reg(b)?;
            reg(c)?;
        }
        Op::Concat => {
            reg(a)?;
            regs(a, b)?;
        }
        Op::Jmp => {}
        Op::EqK => {
            reg(a)?;
            konst(b)?;
        }
        Op::Call => {
            // The function and its B-1 arguments; C-1 results.
            reg(a)?;
            regs(a, b)?;
            regs(a, c.saturating_sub(1))?;
        }
        Op::TailCall => {
            reg(a)?;
            regs(a, b)?;
        }
        Op::Return => {
            reg(a)?;
            regs(a, b.saturating_sub(1))?;
        }
        Op::ForLoop | Op::ForPrep | Op::TForPrep => regs(a, 4)?,
        Op::TForCall => {
            // The iterator, state and control copied to A+4..A+6 for the call; C results
            // from A+4 on.
            regs(a, 7)?;
            regs(a + 4, c)?;
        }
        Op::TForLoop => regs(a, 5)?,
        Op::SetList => {
            reg(a)?;
            regs(a, b + 1)?;
        }
        Op::Closure => {
            reg(a)?;
            if i.bx() >= p.protos.len() {
                return Err(format!("function {} out of range", i.bx()));
            }
        }
        Op::VarArg => {
            reg(a)?;
            regs(a, c.saturating_sub(1))?;
        }
        Op::ExtraArg => return Err("misplaced EXTRAARG".into()),
    }
    Ok(())
}

/// Where control can go after instruction `i` at `pc` (over-approximated: a test's `Jmp` also
/// counts as an instruction of its own). Each must be an instruction of the function that is
/// not an extra argument.
fn successors(
    p: &FuncProto,
    pc: usize,
    i: Instr,
    extra: &[bool],
) -> Result<[Option<usize>; 2], String> {
    let n = p.code.len();
    let target = |t: i64| -> Result<Option<usize>, String> {
        if t < 0 || t >= n as i64 {
            return Err(format!(
                "control leaves the code (to instruction {})",
                t + 1
            ));
        }
        if extra[t as usize] {
            return Err("control reaches an EXTRAARG".into());
        }
        Ok(Some(t as usize))
    };
    let pc = pc as i64;
    let next = pc + 1;
    Ok(match i.op() {
        Op::Return | Op::Return0 | Op::Return1 => [None, None],
        Op::Jmp => [target(next + i.sj())?, None],
        op if is_test(op) => {
            // The interpreter runs the next instruction's jump itself, or skips it.
            let j = match p.code.get(next as usize) {
                Some(&j) if valid_op(j) && j.op() == Op::Jmp => j,
                _ => return Err("a test not followed by a jump".into()),
            };
            [target(next + 1)?, target(next + 1 + j.sj())?]
        }
        Op::LFalseSkip | Op::LoadKX => [target(next + 1)?, None],
        Op::SetList if i.k() => [target(next + 1)?, None],
        Op::ForLoop | Op::TForLoop => [target(next)?, target(next - i.bx() as i64)?],
        Op::ForPrep => [target(next)?, target(next + 1 + i.bx() as i64)?],
        Op::TForPrep => [target(next + i.bx() as i64)?, None],
        _ => [target(next)?, None],
    })
}

/// No `TailCall` may run with a to-be-closed variable of the frame pending: a forward data
/// flow of the lowest pending register (`NONE` when there is none) over the code.
fn check_tail_calls(
    p: &FuncProto,
    extra: &[bool],
    succs: &[[Option<usize>; 2]],
) -> Result<(), String> {
    const UNSEEN: u16 = u16::MAX;
    const NONE: u16 = 256;
    let n = p.code.len();
    let mut state = vec![UNSEEN; n];
    state[0] = NONE;
    let mut work = vec![0usize];
    // Each state only decreases (at most 257 times), so this ends.
    while let Some(pc) = work.pop() {
        debug_assert!(!extra[pc]);
        let i = p.code[pc];
        let mut s = state[pc];
        match i.op() {
            Op::Tbc => s = s.min(i.a() as u16),
            Op::TForPrep => s = s.min(i.a() as u16 + 3),
            Op::Close if s >= i.a() as u16 => s = NONE,
            Op::TailCall if s != NONE => {
                return Err(format!(
                    "tail call with a pending to-be-closed variable at instruction {}",
                    pc + 1
                ));
            }
            _ => {}
        }
        for t in succs[pc].into_iter().flatten() {
            if s < state[t] {
                state[t] = s;
                work.push(t);
            }
        }
    }
    Ok(())
}

/// A set of registers (one bit each).
type RegSet = [u64; 4];

fn set_has_any(s: &RegSet, lo: usize, hi: usize) -> bool {
    (lo..=hi.min(255)).any(|r| s[r / 64] >> (r % 64) & 1 != 0)
}

/// Registers in which `i` may leave a value the instruction put there (inclusive range; 255
/// means "to the stack top", e.g. a callee's frame starting above A), and whether it writes
/// any. Conservative: loops check that their control registers are never among them.
fn written(i: Instr) -> Option<(usize, usize)> {
    let (a, b, c) = (i.a(), i.b(), i.c());
    Some(match i.op() {
        Op::LoadNil => (a, a + b),
        Op::SelfOp => (a, a + 1),
        Op::Concat => (a, a + b.max(1) - 1),
        // A callee's frame (a Lua function called here, or in a native's place) starts at A+1.
        Op::Call | Op::TailCall => (a, 255),
        Op::VarArg if c == 0 => (a, 255),
        Op::VarArg => (a, a + c.max(2) - 2),
        Op::TForCall => (a + 4, 255),
        Op::TForLoop => (a + 2, a + 2),
        Op::ForPrep | Op::ForLoop => (a, a + 3),
        op if op.writes_no_register() => return None,
        _ => (a, a),
    })
}

/// The frame's registers that an open upvalue may point at before each instruction (`None`
/// for unreachable ones): a forward data flow where `Closure` opens the registers its function
/// captures and `Close A` closes those from A up. Also checks that no call runs with an open
/// upvalue inside the callee's frame (above the called function's register): the callee's
/// registers would then be reachable through the upvalue, behind the callee's back.
fn open_upvalues(
    p: &FuncProto,
    extra: &[bool],
    succs: &[[Option<usize>; 2]],
) -> Result<Vec<Option<RegSet>>, String> {
    let n = p.code.len();
    let mut state: Vec<Option<RegSet>> = vec![None; n];
    let captures = p.code.iter().enumerate().any(|(pc, i)| {
        !extra[pc] && i.op() == Op::Closure && p.protos[i.bx()].upvals.iter().any(|u| u.in_stack)
    });
    if !captures {
        // Nothing is ever open: every reachable instruction has the empty set.
        return Ok(vec![Some([0; 4]); n]);
    }
    state[0] = Some([0; 4]);
    let mut work = vec![0usize];
    // Each set only grows (at most 256 times), so this ends.
    while let Some(pc) = work.pop() {
        let i = p.code[pc];
        let mut s = state[pc].unwrap();
        match i.op() {
            Op::Closure => {
                for u in p.protos[i.bx()].upvals.iter().filter(|u| u.in_stack) {
                    let r = u.index as usize;
                    s[r / 64] |= 1 << (r % 64);
                }
            }
            Op::Close => {
                for r in i.a()..256 {
                    s[r / 64] &= !(1 << (r % 64));
                }
            }
            Op::Call | Op::TailCall if set_has_any(&s, i.a() + 1, 255) => {
                return Err(format!(
                    "call with an open upvalue in the callee's registers at instruction {}",
                    pc + 1
                ));
            }
            Op::TForCall if set_has_any(&s, i.a() + 5, 255) => {
                return Err(format!(
                    "call with an open upvalue in the callee's registers at instruction {}",
                    pc + 1
                ));
            }
            _ => {}
        }
        for t in succs[pc].into_iter().flatten() {
            let merged = match state[t] {
                None => s,
                Some(old) => std::array::from_fn(|k| old[k] | s[k]),
            };
            if state[t] != Some(merged) {
                state[t] = Some(merged);
                work.push(t);
            }
        }
    }
    Ok(state)
}

/// `ForLoop` trusts its three control registers to hold the numbers `ForPrep` put there (all
/// integers or all floats). For each loop this checks that nothing else can change them: the
/// `ForLoop` jumps back to just after a `ForPrep` of the same registers whose exit is just
/// after it; loops nest properly; nothing enters the body but that `ForPrep`; nothing in the
/// body writes the control registers; no open upvalue points at them; and the collector, which
/// clears the registers above `live_regs` at a collection point, keeps them.
fn check_numeric_loops(
    p: &FuncProto,
    extra: &[bool],
    succs: &[[Option<usize>; 2]],
    open: &[Option<RegSet>],
) -> Result<(), String> {
    const NONE: usize = usize::MAX;
    let n = p.code.len();
    // `end_of[P]`: the `ForLoop` of the loop whose `ForPrep` is at P.
    let mut end_of = vec![NONE; n];
    let mut any = false;
    for l in 0..n {
        let i = p.code[l];
        if extra[l] || i.op() != Op::ForLoop {
            continue;
        }
        any = true;
        // `successors` checked that the back jump lands inside the code.
        let t = l + 1 - i.bx();
        let paired = t >= 1 && !extra[t - 1] && {
            let prep = p.code[t - 1];
            prep.op() == Op::ForPrep && prep.a() == i.a() && t + 1 + prep.bx() == l + 1
        };
        if !paired {
            return Err(format!(
                "FORLOOP without its FORPREP at instruction {}",
                l + 1
            ));
        }
        end_of[t - 1] = l;
    }
    if !any {
        return Ok(());
    }
    let at = |pc: usize, what: &str| format!("{what} at instruction {}", pc + 1);

    // One pass in code order with the loops whose body contains `pc` on a stack, innermost
    // last: (ForPrep, ForLoop, live registers needed).
    let mut active: Vec<(usize, usize, usize)> = Vec::new();
    let mut counts = [0u32; 256];
    let mut protected: RegSet = [0; 4];
    let mut inner = vec![NONE; n];
    for pc in 0..n {
        if let Some(&(prep, _, _)) = active.last() {
            inner[pc] = prep;
        }
        if let Some(&(prep, end, _)) = active.last()
            && end == pc
        {
            // The `ForLoop` writes its own registers: check it against the enclosing loops.
            active.pop();
            let a = p.code[prep].a();
            for r in a..a + 3 {
                counts[r] -= 1;
                if counts[r] == 0 {
                    protected[r / 64] &= !(1 << (r % 64));
                }
            }
        }
        if extra[pc] {
            continue;
        }
        let i = p.code[pc];
        if let Some(&(_, _, live)) = active.last() {
            if let Some((lo, hi)) = written(i)
                && set_has_any(&protected, lo, hi)
            {
                return Err(at(pc, "write to a loop's control registers"));
            }
            if i.op() == Op::Closure
                && p.protos[i.bx()].upvals.iter().any(|u| {
                    u.in_stack && set_has_any(&protected, u.index as usize, u.index as usize)
                })
            {
                return Err(at(pc, "capture of a loop's control registers"));
            }
            if (p.live_regs[pc] as usize) < live {
                return Err(at(pc, "a loop's control registers not live"));
            }
        }
        if i.op() == Op::ForPrep && end_of[pc] != NONE {
            let end = end_of[pc];
            if active.last().is_some_and(|&(_, outer, _)| end >= outer) {
                return Err(at(pc, "overlapping loops"));
            }
            let a = i.a();
            if open[pc].is_some_and(|s| set_has_any(&s, a, a + 2)) {
                return Err(at(pc, "open upvalue on a loop's control registers"));
            }
            for r in a..a + 3 {
                counts[r] += 1;
                protected[r / 64] |= 1 << (r % 64);
            }
            let live = active.last().map_or(0, |&(_, _, l)| l).max(a + 3);
            active.push((pc, end, live));
        }
    }

    // Nothing enters a body but its `ForPrep`: every edge into a body comes from inside it
    // (then from inside every enclosing body too, as loops nest).
    for (s, targets) in succs.iter().enumerate() {
        for d in targets.iter().flatten().copied() {
            let prep = inner[d];
            if prep == NONE {
                continue;
            }
            let inside = prep < s && s <= end_of[prep];
            let from_prep = s == prep && d == prep + 1;
            if !(inside || from_prep) {
                return Err(at(s, "jump into a loop"));
            }
        }
    }
    Ok(())
}
