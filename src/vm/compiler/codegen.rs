//! AST to bytecode, with Lua-style register allocation.
//!
//! Locals live in registers from the bottom of the frame; temporaries are taken above them and
//! released by resetting `free_reg` to a mark when an expression or statement is done. Expressions
//! are compiled straight into their destination register where that cannot clobber a value still to
//! be read, so `local x = a + b` is one instruction.

use std::cell::Cell;

use rustc_hash::FxHashMap;
use smallvec::SmallVec;

use super::CompileError;
use super::ast::*;
use crate::vm::bytecode::opcode::{Instr, MAX_BX, MAX_SJ, OFFSET_SBX, OFFSET_SC, Op};
use crate::vm::bytecode::proto::{Constant, FuncProto, LocVar, UpvalDesc};

const MAX_REGS: u32 = 255;
pub(super) const MAX_LOCALS: usize = 200;
const MAX_UPVALS: usize = 255;

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum ConstKey {
    Nil,
    Bool(bool),
    Int(i64),
    Float(u64),
    Str(StrId),
}

struct ActVar {
    name: StrId,
    reg: u32,
    attrib: Attrib,
    locvar: usize,
    captured: bool,
}

struct BlockScope {
    nactvar: usize,
    first_label: usize,
    first_goto: usize,
    is_loop: bool,
    /// Some local of this block is captured by a closure or is to-be-closed: leaving the block
    /// must emit `Close`.
    needs_close: bool,
    /// The enclosing function's `has_tbc` when this block began: a to-be-closed variable stops
    /// tail calls only until its block ends (PUC Lua's `insidetbc`).
    outer_has_tbc: bool,
}

struct LabelDesc {
    name: StrId,
    pc: usize,
    nactvar: usize,
    line: Line,
}

struct GotoDesc {
    name: StrId,
    pc: usize,
    nactvar: usize,
    line: Line,
    close: bool,
}

/// A function being compiled. Its vectors are reused (see `Compiler::pool`); `close_func` copies
/// the finished parts out into a right-sized [`FuncProto`].
#[derive(Default)]
struct FuncState {
    proto: FuncProto,
    /// Names of `proto.upvals`, for lookups.
    upval_names: Vec<StrId>,
    actvars: Vec<ActVar>,
    blocks: Vec<BlockScope>,
    labels: Vec<LabelDesc>,
    gotos: Vec<GotoDesc>,
    free_reg: u32,
    consts: FxHashMap<ConstKey, u32>,
    /// pc of the last jump target, so peephole merges never cross a label.
    last_target: usize,
    has_tbc: bool,
}

enum VarRef {
    Local(u32),
    Upval(u32),
    Global,
}

/// Errors are boxed so that results stay small (returned in registers).
type CResult<T> = Result<T, Box<CompileError>>;

/// Code generation state. The parser feeds it the main chunk one top-level statement at a time
/// ([`Compiler::top_level`]); nested functions are compiled depth first from their trees.
pub struct Compiler {
    /// The nodes being compiled (lent by the parser for each batch of statements).
    ast: Ast,
    funcs: Vec<FuncState>,
    /// Finished function states, kept to reuse their allocations.
    pool: Vec<FuncState>,
    line: Line,
    /// The token after the local being declared, for the "too many local variables" message
    /// (Lua reports it at that token).
    near_next: &'static str,
    /// The budget of this compilation, if metered (see `meter.rs`).
    meter: Option<std::rc::Rc<super::meter::Meter>>,
    /// Line of the main chunk's last token: its final return's line, as in PUC Lua (whose
    /// instructions take the line of the last token read).
    last_token_line: Line,
    /// Line of the main chunk's `<eof>`, where errors found at its end are reported.
    eof_line: Line,
    /// The line of the `then` of the `if` condition being compiled (see `cond_jump`).
    then_line: Option<Line>,
}

/// A parsed chunk whose main function is still open (see [`super::parser::parse`]), or the
/// code generation error found while compiling it.
pub struct Chunk {
    state: Cell<Option<Result<Compiler, CompileError>>>,
}

impl Chunk {
    pub(super) fn new(state: Result<Compiler, CompileError>) -> Chunk {
        Chunk {
            state: Cell::new(Some(state)),
        }
    }
}

#[inline(never)]
/// Finishes a parsed chunk into its main function. A chunk can be finished only once.
pub(crate) fn compile_chunk(chunk: &Chunk) -> Result<FuncProto, CompileError> {
    let c = chunk
        .state
        .take()
        .expect("compile_chunk: chunk already compiled")?;
    c.finish().map_err(|e| *e)
}

/// Folding result for constant expressions.
#[derive(Clone, Copy, Debug)]
enum Folded {
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(StrId),
}

fn fold_arith(op: BinOp, a: &Folded, b: &Folded) -> Option<Folded> {
    use crate::vm::number::{arith_float, arith_int};
    let (x, y) = match (a, b) {
        (Folded::Int(_) | Folded::Float(_), Folded::Int(_) | Folded::Float(_)) => (a, b),
        _ => return None,
    };
    let r = match (x, y) {
        (Folded::Int(i), Folded::Int(j)) => match op {
            BinOp::Add | BinOp::Sub | BinOp::Mul => arith_int(op_code(op), *i, *j).map(Folded::Int),
            BinOp::IDiv | BinOp::Mod => {
                if *j == 0 {
                    return None;
                }
                arith_int(op_code(op), *i, *j).map(Folded::Int)
            }
            BinOp::Div | BinOp::Pow => Some(Folded::Float(arith_float(
                op_code(op),
                *i as f64,
                *j as f64,
            ))),
            BinOp::BAnd => Some(Folded::Int(i & j)),
            BinOp::BOr => Some(Folded::Int(i | j)),
            BinOp::BXor => Some(Folded::Int(i ^ j)),
            BinOp::Shl => Some(Folded::Int(crate::vm::number::shift_left(*i, *j))),
            BinOp::Shr => Some(Folded::Int(crate::vm::number::shift_left(
                *i,
                j.wrapping_neg(),
            ))),
            _ => None,
        },
        _ => {
            if matches!(
                op,
                BinOp::BAnd | BinOp::BOr | BinOp::BXor | BinOp::Shl | BinOp::Shr
            ) {
                return None;
            }
            let f = |v: &Folded| match v {
                Folded::Int(i) => *i as f64,
                Folded::Float(f) => *f,
                _ => unreachable!(),
            };
            Some(Folded::Float(arith_float(op_code(op), f(x), f(y))))
        }
    }?;
    // Like Lua, do not fold results that a constant table cannot keep apart (NaN, -0.0 and 0.0).
    if let Folded::Float(f) = r
        && (f.is_nan() || f == 0.0)
    {
        return None;
    }
    Some(r)
}

/// Maps AST operators to the runtime's arithmetic codes (shared with the interpreter).
fn op_code(op: BinOp) -> crate::vm::number::ArithOp {
    use crate::vm::number::ArithOp as A;
    match op {
        BinOp::Add => A::Add,
        BinOp::Sub => A::Sub,
        BinOp::Mul => A::Mul,
        BinOp::Div => A::Div,
        BinOp::IDiv => A::IDiv,
        BinOp::Mod => A::Mod,
        BinOp::Pow => A::Pow,
        BinOp::BAnd => A::BAnd,
        BinOp::BOr => A::BOr,
        BinOp::BXor => A::BXor,
        BinOp::Shl => A::Shl,
        BinOp::Shr => A::Shr,
        _ => unreachable!("not arithmetic"),
    }
}

fn arith_ops(op: BinOp) -> Option<(Op, Option<Op>)> {
    Some(match op {
        BinOp::Add => (Op::Add, Some(Op::AddK)),
        BinOp::Sub => (Op::Sub, Some(Op::SubK)),
        BinOp::Mul => (Op::Mul, Some(Op::MulK)),
        BinOp::Div => (Op::Div, Some(Op::DivK)),
        BinOp::IDiv => (Op::IDiv, Some(Op::IDivK)),
        BinOp::Mod => (Op::Mod, Some(Op::ModK)),
        BinOp::Pow => (Op::Pow, Some(Op::PowK)),
        BinOp::BAnd => (Op::BAnd, Some(Op::BAndK)),
        BinOp::BOr => (Op::BOr, Some(Op::BOrK)),
        BinOp::BXor => (Op::BXor, Some(Op::BXorK)),
        BinOp::Shl => (Op::Shl, None),
        BinOp::Shr => (Op::Shr, None),
        _ => return None,
    })
}

impl Compiler {
    /// Charges each instruction emitted to `meter` (see `meter.rs`).
    pub(super) fn set_meter(&mut self, meter: Option<std::rc::Rc<super::meter::Meter>>) {
        self.meter = meter;
    }

    /// A compiler with the main function open: vararg, with the `_ENV` upvalue.
    pub(super) fn new_main() -> Compiler {
        let mut c = Compiler {
            ast: Ast::default(),
            funcs: Vec::new(),
            pool: Vec::new(),
            line: 1,
            near_next: "'='",
            meter: None,
            last_token_line: 1,
            eof_line: 1,
            then_line: None,
        };
        c.open_func(0);
        let fs = c.fs();
        fs.proto.is_vararg = true;
        fs.proto.upvals.push(UpvalDesc {
            in_stack: true,
            index: 0,
            name: b"_ENV".to_vec(),
        });
        fs.upval_names.push(StrId::ENV);
        c.enter_block(false);
        c
    }

    /// Compiles statements of the main chunk, and its final `return` when `at_end`. The nodes
    /// are in `ast` (whose strings must be the ones of every earlier call). Unless `at_end`,
    /// the last statement is not a label.
    pub(super) fn top_level(
        &mut self,
        ast: &mut Ast,
        stats: Span<Stat>,
        ret: Option<(Span<Expr>, Line)>,
        at_end: bool,
    ) -> CResult<()> {
        std::mem::swap(&mut self.ast, ast);
        let ret = if at_end { ret } else { None };
        let result = self.stat_list(stats, ret, false);
        std::mem::swap(&mut self.ast, ast);
        result
    }

    /// Takes over the parser's strings once the last statement is compiled, and the lines of
    /// the last token and of the end of the source.
    pub(super) fn adopt_ast(&mut self, ast: Ast, last_token_line: Line, eof_line: Line) {
        self.ast = ast;
        self.last_token_line = last_token_line;
        self.eof_line = eof_line;
    }

    /// Closes the main function after its last statement.
    pub(super) fn finish(mut self) -> CResult<FuncProto> {
        self.leave_block()?;
        let (last, eof) = (self.last_token_line, self.eof_line);
        // The main function has no defining lines (0, 0), as in PUC Lua; errors found at its
        // end are on the line of `<eof>`.
        self.close_func(0, last, eof)
    }

    fn fs(&mut self) -> &mut FuncState {
        self.funcs.last_mut().unwrap()
    }

    /// A copy of expression node `id` (nodes are small and `Copy`).
    fn ex(&self, id: ExprId) -> Expr {
        self.ast.exprs[id.0 as usize]
    }

    fn text(&self, id: StrId) -> String {
        String::from_utf8_lossy(self.ast.str(id)).into_owned()
    }

    /// Expressions whose code writes the destination before it has read all its operands; they
    /// must not target a live local directly.
    fn writes_early(&self, e: Expr) -> bool {
        match e.kind {
            ExprKind::Binary(BinOp::And | BinOp::Or, ..) => true,
            ExprKind::Table(_)
            | ExprKind::Call(..)
            | ExprKind::Method(..)
            | ExprKind::Binary(BinOp::Concat, ..)
            | ExprKind::Function(_) => true,
            ExprKind::Paren(inner) => self.writes_early(self.ex(inner)),
            _ => false,
        }
    }

    #[cold]
    fn err<T>(&self, msg: impl Into<String>) -> CResult<T> {
        Err(Box::new(CompileError {
            line: self.line,
            col: 0,
            message: msg.into(),
        }))
    }

    fn open_func(&mut self, line: Line) {
        let mut fs = self.pool.pop().unwrap_or_default();
        fs.proto.linedefined = line;
        self.funcs.push(fs);
    }

    /// Closes the innermost function, which ends on `end_line`, with a final return on
    /// `return_line`; an unresolved `goto` is reported on `error_line`.
    fn close_func(
        &mut self,
        end_line: Line,
        return_line: Line,
        error_line: Line,
    ) -> CResult<FuncProto> {
        self.line = return_line;
        self.emit(Instr::abc(Op::Return0, 0, 0, 0, false));
        self.line = error_line;
        let mut fs = self.funcs.pop().unwrap();
        let pc = fs.proto.code.len() as u32;
        for v in &fs.actvars {
            fs.proto.locvars[v.locvar].end_pc = pc;
        }
        if let Some(g) = fs.gotos.first() {
            let msg = if g.name == StrId::BREAK {
                format!("break outside loop at line {}", g.line)
            } else {
                format!(
                    "no visible label '{}' for <goto> at line {}",
                    self.text(g.name),
                    g.line
                )
            };
            return self.err(msg);
        }
        let p = &mut fs.proto;
        // Return0/Return1 without the k bit promise the interpreter that the frame has nothing
        // to close (as PUC Lua's luaK_finish decides): only a function whose closures capture
        // its locals, or that has closing variables (`<close>`, generic for), can leave open
        // upvalues or pending closes, and only its returns get k (check at run time).
        p.mark_returns_that_close();
        let proto = FuncProto {
            code: p.code.as_slice().to_vec(),
            lineinfo: p.lineinfo.as_slice().to_vec(),
            live_regs: p.live_regs.as_slice().to_vec(),
            consts: p.consts.drain(..).collect(),
            protos: p.protos.drain(..).collect(),
            upvals: p.upvals.drain(..).collect(),
            locvars: p.locvars.drain(..).collect(),
            numparams: p.numparams,
            is_vararg: p.is_vararg,
            maxstack: p.maxstack.max(2),
            linedefined: p.linedefined,
            lastlinedefined: end_line,
        };
        fs.reset();
        self.pool.push(fs);
        Ok(proto)
    }

    // ---- emission ----

    fn emit(&mut self, i: Instr) -> usize {
        if let Some(m) = &self.meter {
            // A trip is reported by the next `reserve`, which can fail.
            m.charge(super::meter::INSTRUCTION_UNITS);
        }
        let line = self.line;
        let fs = self.fs();
        fs.proto.code.push(i);
        fs.proto.lineinfo.push(line);
        fs.proto.live_regs.push(fs.free_reg as u8);
        fs.proto.code.len() - 1
    }

    fn pc(&mut self) -> usize {
        self.fs().proto.code.len()
    }

    fn emit_abc(&mut self, op: Op, a: u32, b: u32, c: u32, k: bool) -> usize {
        self.emit(Instr::abc(op, a, b, c, k))
    }

    fn emit_jump(&mut self) -> usize {
        self.emit(Instr::jump(Op::Jmp, 0))
    }

    /// Marks the current pc as a jump target and returns it.
    fn label_here(&mut self) -> usize {
        let pc = self.pc();
        self.fs().last_target = pc;
        pc
    }

    fn patch_jump(&mut self, jmp: usize, target: usize) -> CResult<()> {
        let off = target as i64 - (jmp as i64 + 1);
        if off.abs() > MAX_SJ as i64 {
            return self.err("control structure too long");
        }
        self.fs().proto.code[jmp].set_sj(off as i32);
        Ok(())
    }

    fn patch_here(&mut self, jumps: &[usize]) -> CResult<()> {
        let here = self.label_here();
        for &j in jumps {
            self.patch_jump(j, here)?;
        }
        Ok(())
    }

    // ---- registers ----

    fn reserve(&mut self, n: u32) -> CResult<u32> {
        if self.meter.as_ref().is_some_and(|m| m.tripped().is_some()) {
            return self.err(super::meter::INTERRUPTED);
        }
        let fs = self.fs();
        let r = fs.free_reg;
        let new = r + n;
        if new > MAX_REGS {
            return self.err("function or expression needs too many registers");
        }
        let fs = self.fs();
        fs.free_reg = new;
        if new as u8 > fs.proto.maxstack {
            fs.proto.maxstack = new as u8;
        }
        Ok(r)
    }

    fn nactvar(&mut self) -> usize {
        self.fs().actvars.len()
    }

    fn reg_level(&mut self) -> u32 {
        self.fs().actvars.len() as u32
    }

    // ---- constants ----

    fn add_const(&mut self, key: ConstKey, c: Constant) -> u32 {
        let fs = self.fs();
        if let Some(&i) = fs.consts.get(&key) {
            return i;
        }
        let i = fs.proto.consts.len() as u32;
        fs.proto.consts.push(c);
        fs.consts.insert(key, i);
        i
    }

    fn str_const(&mut self, s: StrId) -> u32 {
        let key = ConstKey::Str(s);
        if let Some(&i) = self.funcs.last().unwrap().consts.get(&key) {
            return i;
        }
        let c = Constant::Str(self.ast.str(s).to_vec());
        let fs = self.fs();
        let i = fs.proto.consts.len() as u32;
        fs.proto.consts.push(c);
        fs.consts.insert(key, i);
        i
    }

    fn folded_const(&mut self, f: Folded) -> u32 {
        match f {
            Folded::Nil => self.add_const(ConstKey::Nil, Constant::Nil),
            Folded::Bool(b) => self.add_const(ConstKey::Bool(b), Constant::Bool(b)),
            Folded::Int(i) => self.add_const(ConstKey::Int(i), Constant::Int(i)),
            Folded::Float(x) => self.add_const(ConstKey::Float(x.to_bits()), Constant::Float(x)),
            Folded::Str(s) => self.str_const(s),
        }
    }

    /// Value of a constant expression, folding numeric arithmetic.
    #[inline]
    fn fold(&self, e: Expr) -> Option<Folded> {
        match e.kind {
            ExprKind::Nil => Some(Folded::Nil),
            ExprKind::True => Some(Folded::Bool(true)),
            ExprKind::False => Some(Folded::Bool(false)),
            ExprKind::Int(i) => Some(Folded::Int(i)),
            ExprKind::Float(f) => Some(Folded::Float(f)),
            ExprKind::Str(s) => Some(Folded::Str(s)),
            ExprKind::Unary(..) | ExprKind::Binary(..) | ExprKind::Paren(_) => {
                self.fold_compound(e)
            }
            _ => None,
        }
    }

    /// [`Compiler::fold`] of operators and parentheses.
    #[inline(never)]
    fn fold_compound(&self, e: Expr) -> Option<Folded> {
        match e.kind {
            ExprKind::Unary(UnOp::Neg, inner) => match self.fold(self.ex(inner))? {
                Folded::Int(i) => Some(Folded::Int(i.wrapping_neg())),
                Folded::Float(f) if f != 0.0 => Some(Folded::Float(-f)),
                _ => None,
            },
            ExprKind::Unary(UnOp::BNot, inner) => match self.fold(self.ex(inner))? {
                Folded::Int(i) => Some(Folded::Int(!i)),
                _ => None,
            },
            ExprKind::Binary(op, a, b) if arith_ops(op).is_some() => {
                let x = self.fold(self.ex(a))?;
                let y = self.fold(self.ex(b))?;
                fold_arith(op, &x, &y)
            }
            ExprKind::Paren(inner) => self.fold(self.ex(inner)),
            _ => None,
        }
    }

    fn numeric_fold(&self, e: Expr) -> Option<Folded> {
        match self.fold(e) {
            Some(f @ (Folded::Int(_) | Folded::Float(_))) => Some(f),
            _ => None,
        }
    }

    // ---- variables ----

    fn find_local(fs: &FuncState, name: StrId) -> Option<usize> {
        fs.actvars.iter().rposition(|v| v.name == name)
    }

    fn find_upval(fs: &FuncState, name: StrId) -> Option<usize> {
        fs.upval_names.iter().position(|&u| u == name)
    }

    /// Resolves `name` in function `level` (index into `funcs`), creating upvalues on the way.
    fn resolve_in(&mut self, level: usize, name: StrId) -> CResult<VarRef> {
        if let Some(i) = Self::find_local(&self.funcs[level], name) {
            return Ok(VarRef::Local(self.funcs[level].actvars[i].reg));
        }
        if let Some(u) = Self::find_upval(&self.funcs[level], name) {
            return Ok(VarRef::Upval(u as u32));
        }
        if level == 0 {
            return Ok(VarRef::Global);
        }
        let (in_stack, index) = match Self::find_local(&self.funcs[level - 1], name) {
            Some(i) => {
                let parent = &mut self.funcs[level - 1];
                parent.actvars[i].captured = true;
                let reg = parent.actvars[i].reg;
                // The block owning the variable must close it on exit.
                if let Some(b) = parent.blocks.iter_mut().rev().find(|b| b.nactvar <= i) {
                    b.needs_close = true;
                }
                (true, reg)
            }
            None => match self.resolve_in(level - 1, name)? {
                VarRef::Upval(u) => (false, u),
                VarRef::Global => return Ok(VarRef::Global),
                VarRef::Local(_) => unreachable!(),
            },
        };
        let fs = &mut self.funcs[level];
        if fs.proto.upvals.len() >= MAX_UPVALS {
            let desc = self.func_desc_at(level);
            return self.err(format!("too many upvalues (limit is 255) in {desc}"));
        }
        let bytes = self.ast.str(name).to_vec();
        let fs = &mut self.funcs[level];
        fs.proto.upvals.push(UpvalDesc {
            in_stack,
            index: index as u8,
            name: bytes,
        });
        fs.upval_names.push(name);
        Ok(VarRef::Upval(fs.proto.upvals.len() as u32 - 1))
    }

    fn resolve(&mut self, name: StrId) -> CResult<VarRef> {
        let level = self.funcs.len() - 1;
        self.resolve_in(level, name)
    }

    fn local_attrib(&mut self, name: StrId) -> Option<Attrib> {
        // Search outward through enclosing functions for the variable's declaration.
        for fs in self.funcs.iter().rev() {
            if let Some(i) = Self::find_local(fs, name) {
                return Some(fs.actvars[i].attrib);
            }
        }
        None
    }

    /// Declares a local in register `reg` (already reserved), active from the next instruction.
    fn activate_local(&mut self, name: StrId, attrib: Attrib, reg: u32) -> CResult<()> {
        if self.fs().actvars.len() >= MAX_LOCALS {
            let desc = self.func_desc();
            return self.err(format!(
                "too many local variables (limit is {MAX_LOCALS}) in {desc} near {}",
                self.near_next
            ));
        }
        let pc = self.pc() as u32;
        let bytes = self.ast.str(name).to_vec();
        let fs = self.fs();
        fs.proto.locvars.push(LocVar {
            name: bytes,
            reg: reg as u8,
            start_pc: pc,
            end_pc: pc,
        });
        let locvar = fs.proto.locvars.len() - 1;
        fs.actvars.push(ActVar {
            name,
            reg,
            attrib,
            locvar,
            captured: false,
        });
        Ok(())
    }

    fn func_desc(&mut self) -> String {
        self.func_desc_at(self.funcs.len() - 1)
    }

    /// "main function" or "function at line N", for limit messages about `funcs[level]`.
    fn func_desc_at(&self, level: usize) -> String {
        if level == 0 {
            "main function".into()
        } else {
            format!("function at line {}", self.funcs[level].proto.linedefined)
        }
    }

    // ---- blocks ----

    fn enter_block(&mut self, is_loop: bool) {
        let fs = self.fs();
        let b = BlockScope {
            nactvar: fs.actvars.len(),
            first_label: fs.labels.len(),
            first_goto: fs.gotos.len(),
            is_loop,
            needs_close: false,
            outer_has_tbc: fs.has_tbc,
        };
        fs.blocks.push(b);
    }

    /// Ends variables' scope down to `n` active variables.
    fn remove_vars(&mut self, n: usize) {
        let pc = self.pc() as u32;
        let fs = self.fs();
        while fs.actvars.len() > n {
            let v = fs.actvars.pop().unwrap();
            fs.proto.locvars[v.locvar].end_pc = pc;
        }
    }

    fn leave_block(&mut self) -> CResult<()> {
        let bl = self.fs().blocks.pop().unwrap();
        let has_outer = !self.fs().blocks.is_empty();
        // A loop's break label sits after the loop, where its variables are gone.
        let level = bl.nactvar as u32;
        if bl.is_loop {
            // Pending breaks jump here.
            self.remove_vars(bl.nactvar);
            self.create_label(StrId::BREAK, 0, bl.nactvar, &bl)?;
        }
        if bl.needs_close && has_outer {
            self.emit_abc(Op::Close, level, 0, 0, false);
        }
        self.remove_vars(bl.nactvar);
        let fs = self.fs();
        fs.free_reg = level;
        fs.labels.truncate(bl.first_label);
        // Gotos still pending leave the block: they now start at the block's level, and must
        // close its upvalues when they jump.
        for g in &mut fs.gotos[bl.first_goto..] {
            if g.nactvar > bl.nactvar {
                if bl.needs_close {
                    g.close = true;
                }
                g.nactvar = bl.nactvar;
            }
        }
        fs.has_tbc = bl.outer_has_tbc;
        Ok(())
    }

    /// Creates a label at the current pc and resolves the pending gotos of the current block that
    /// target it. Returns whether a `Close` was needed (and emitted).
    fn create_label(
        &mut self,
        name: StrId,
        line: Line,
        nactvar: usize,
        bl: &BlockScope,
    ) -> CResult<bool> {
        let pc = self.label_here();
        let mut needs_close = false;
        let mut i = bl.first_goto;
        while i < self.fs().gotos.len() {
            if self.fs().gotos[i].name == name {
                let g = self.fs().gotos.remove(i);
                if g.nactvar < nactvar {
                    let var = self.fs().actvars[g.nactvar].name;
                    self.line = g.line;
                    return self.err(format!(
                        "<goto {}> at line {} jumps into the scope of local '{}'",
                        self.text(g.name),
                        g.line,
                        self.text(var)
                    ));
                }
                needs_close |= g.close;
                self.patch_jump(g.pc, pc)?;
            } else {
                i += 1;
            }
        }
        if needs_close {
            let level = nactvar as u32;
            self.emit_abc(Op::Close, level, 0, 0, false);
        }
        self.fs().labels.push(LabelDesc {
            name,
            pc,
            nactvar,
            line,
        });
        Ok(needs_close)
    }

    fn block_body(&mut self, block: Block, is_loop: bool) -> CResult<()> {
        self.enter_block(is_loop);
        self.stats(block)?;
        self.leave_block()
    }

    fn stats(&mut self, block: Block) -> CResult<()> {
        self.stat_list(block.stats, block.ret, false)
    }

    /// A block's statements and `return`. `repeat_body`: the `until` condition still sees the
    /// block's locals, so a label at the end of a repeat body is not outside their scope.
    fn stat_list(
        &mut self,
        stats: Span<Stat>,
        ret: Option<(Span<Expr>, Line)>,
        repeat_body: bool,
    ) -> CResult<()> {
        for i in stats.range() {
            let st = self.ast.stats[i];
            if let Stat::Label { name, line } = st {
                // A label followed only by other labels at the end of a block counts as outside
                // the scope of the block's locals (so `goto continue` may skip declarations).
                let last = ret.is_none()
                    && !repeat_body
                    && self.ast.stats[i + 1..stats.range().end]
                        .iter()
                        .all(|s| matches!(s, Stat::Label { .. }));
                self.label_stat(name, line, last)?;
            } else {
                self.stat(st)?;
            }
            let lvl = self.reg_level();
            self.fs().free_reg = lvl;
        }
        if let Some((exprs, line)) = ret {
            self.line = line;
            self.ret_stat(exprs)?;
        }
        Ok(())
    }

    fn label_stat(&mut self, name: StrId, line: Line, last: bool) -> CResult<()> {
        self.line = line;
        // Labels are visible in nested blocks, so duplicates are checked across the function.
        if let Some(l) = self
            .funcs
            .last()
            .unwrap()
            .labels
            .iter()
            .find(|l| l.name == name)
        {
            let msg = format!(
                "label '{}' already defined on line {}",
                self.text(name),
                l.line
            );
            return self.err(msg);
        }
        let bl_idx = self.fs().blocks.len() - 1;
        let bl = &self.fs().blocks[bl_idx];
        let bl = BlockScope {
            nactvar: bl.nactvar,
            first_label: bl.first_label,
            first_goto: bl.first_goto,
            is_loop: bl.is_loop,
            needs_close: bl.needs_close,
            outer_has_tbc: bl.outer_has_tbc,
        };
        let nactvar = if last { bl.nactvar } else { self.nactvar() };
        self.create_label(name, line, nactvar, &bl)?;
        Ok(())
    }

    fn goto_stat(&mut self, name: StrId, line: Line) -> CResult<()> {
        self.line = line;
        let nactvar = self.nactvar();
        let found = self
            .fs()
            .labels
            .iter()
            .rev()
            .find(|l| l.name == name)
            .map(|l| (l.pc, l.nactvar));
        if let Some((pc, lnact)) = found {
            // Backward jump: close what we leave if any of it is captured or to-be-closed.
            let fs = self.fs();
            let needs_close = fs.actvars[lnact..]
                .iter()
                .any(|v| v.captured || v.attrib == Attrib::Close);
            if needs_close {
                self.emit_abc(Op::Close, lnact as u32, 0, 0, false);
            }
            let j = self.emit_jump();
            self.patch_jump(j, pc)?;
        } else {
            let j = self.emit_jump();
            self.fs().gotos.push(GotoDesc {
                name,
                pc: j,
                nactvar,
                line,
                close: false,
            });
        }
        Ok(())
    }

    fn break_stat(&mut self, line: Line) -> CResult<()> {
        self.line = line;
        // `break` is a goto to the innermost loop's implicit "break" label.
        let in_loop = self.fs().blocks.iter().any(|b| b.is_loop);
        let nactvar = self.nactvar();
        let j = self.emit_jump();
        if !in_loop {
            // Reported when the function ends, like Lua does.
        }
        self.fs().gotos.push(GotoDesc {
            name: StrId::BREAK,
            pc: j,
            nactvar,
            line,
            close: false,
        });
        Ok(())
    }

    // ---- statements ----

    fn stat(&mut self, st: Stat) -> CResult<()> {
        match st {
            Stat::Call(e) => {
                self.line = e.line;
                let base = self.reserve(1)?;
                self.call_expr(e, base, 0)?;
            }
            Stat::Local { names, exprs, line } => self.local_stat(names, exprs, line)?,
            Stat::Assign {
                targets,
                exprs,
                line,
                end_line,
            } => self.assign_stat(targets, exprs, line, end_line)?,
            Stat::Do(b) => self.block_body(b, false)?,
            Stat::While { cond, body, line } => {
                self.line = line;
                // The loop block holds the break label, placed after the jump back.
                self.enter_block(true);
                let start = self.label_here();
                let exits = self.cond_jump(self.ex(cond), false)?;
                self.block_body(body, false)?;
                let j = self.emit_jump();
                self.patch_jump(j, start)?;
                self.patch_here(&exits)?;
                self.leave_block()?;
            }
            Stat::Repeat { body, cond, line } => self.repeat_stat(body, self.ex(cond), line)?,
            Stat::If {
                arms,
                else_block,
                line,
            } => {
                self.line = line;
                let mut ends = Vec::new();
                for i in arms.range() {
                    let (cond, block, then_line) = self.ast.arms[i];
                    let cond = self.ex(cond);
                    self.line = cond.line;
                    self.then_line = Some(then_line);
                    let next = self.cond_jump(cond, false)?;
                    self.block_body(block, false)?;
                    let is_last = i + 1 == arms.range().end && else_block.is_none();
                    if !is_last {
                        ends.push(self.emit_jump());
                    }
                    self.patch_here(&next)?;
                }
                if let Some(b) = else_block {
                    self.block_body(b, false)?;
                }
                self.patch_here(&ends)?;
            }
            Stat::NumFor {
                var,
                start,
                limit,
                step,
                body,
                line,
            } => {
                let step = step.map(|s| self.ex(s));
                self.numfor_stat(var, self.ex(start), self.ex(limit), step, body, line)?
            }
            Stat::GenFor {
                names,
                exprs,
                body,
                line,
                in_line,
            } => self.genfor_stat(names, exprs, body, line, in_line)?,
            Stat::Function {
                target,
                func,
                line,
                end_line,
            } => {
                // `function x() end` assigns to `x`: refused for a `<const>` or `<close>`
                // local, as Lua does, at the token after `end`.
                self.line = end_line;
                self.check_assignable(self.ex(target))?;
                self.line = line;
                let r = self.reserve(1)?;
                self.function_expr(func, r)?;
                self.line = line;
                self.store_to(self.ex(target), r)?;
            }
            Stat::LocalFunction { name, func, line } => {
                self.line = line;
                let r = self.reserve(1)?;
                // The function can see itself: activate before compiling the body.
                self.activate_local(name, Attrib::None, r)?;
                self.function_expr(func, r)?;
                // Debug info: the local's scope starts after the closure exists.
                let pc = self.pc() as u32;
                let fs = self.fs();
                let lv = fs.actvars.last().unwrap().locvar;
                fs.proto.locvars[lv].start_pc = pc;
            }
            Stat::Break { line } => self.break_stat(line)?,
            Stat::Goto { label, line } => self.goto_stat(label, line)?,
            Stat::Label { name, line } => self.label_stat(name, line, false)?,
        }
        Ok(())
    }

    fn local_stat(
        &mut self,
        names: Span<(StrId, Attrib)>,
        exprs: Span<Expr>,
        line: Line,
    ) -> CResult<()> {
        self.line = line;
        let close_count = self
            .ast
            .locals(names)
            .iter()
            .filter(|(_, a)| *a == Attrib::Close)
            .count();
        if close_count > 1 {
            return self.err("multiple to-be-closed variables in local list");
        }
        let base = self.fs().free_reg;
        self.explist_to(exprs, base, names.len())?;
        for (i, idx) in names.range().enumerate() {
            let (name, attrib) = self.ast.locals[idx];
            self.near_next = if attrib != Attrib::None {
                "'<'"
            } else if i + 1 < names.len() {
                "','"
            } else if !exprs.is_empty() {
                "'='"
            } else {
                "<eof>"
            };
            self.activate_local(name, attrib, base + i as u32)?;
        }
        self.near_next = "'='";
        self.fs().free_reg = base + names.len() as u32;
        if close_count == 1 {
            let i = self
                .ast
                .locals(names)
                .iter()
                .position(|(_, a)| *a == Attrib::Close)
                .unwrap();
            let reg = base + i as u32;
            self.fs().has_tbc = true;
            let bl = self.fs().blocks.last_mut().unwrap();
            bl.needs_close = true;
            self.line = line;
            self.emit_abc(Op::Tbc, reg, 0, 0, false);
        }
        Ok(())
    }

    /// Evaluates `exprs` into `n` consecutive registers starting at `base` (reserving them),
    /// adjusting like Lua: extra values dropped, missing ones nil, a last multi-value expression
    /// expanded.
    fn explist_to(&mut self, exprs: Span<Expr>, base: u32, n: usize) -> CResult<()> {
        debug_assert_eq!(self.fs().free_reg, base);
        let ne = exprs.len();
        for (i, id) in exprs.ids().enumerate() {
            let e = self.ex(id);
            let is_last = i + 1 == ne;
            if is_last && e.is_multi() && ne <= n {
                let want = (n - i) as i32;
                let r = self.reserve(1)?;
                self.multi_expr(e, r, want)?;
                self.fs().free_reg = base + n as u32;
                self.bump_maxstack(base + n as u32)?;
                return Ok(());
            }
            let r = self.reserve(1)?;
            self.expr_to(e, r)?;
            if i >= n {
                // Extra value: evaluated for side effects, then dropped.
                self.fs().free_reg = r;
            }
        }
        if ne < n {
            let first = base + ne as u32;
            let count = n - ne;
            self.reserve(count as u32)?;
            self.emit_abc(Op::LoadNil, first, count as u32 - 1, 0, false);
        }
        self.fs().free_reg = base + n as u32;
        Ok(())
    }

    fn bump_maxstack(&mut self, top: u32) -> CResult<()> {
        if top > MAX_REGS {
            return self.err("function or expression needs too many registers");
        }
        let fs = self.fs();
        if top as u8 > fs.proto.maxstack {
            fs.proto.maxstack = top as u8;
        }
        Ok(())
    }

    fn check_assignable(&mut self, target: Expr) -> CResult<()> {
        if let ExprKind::Name(name) = target.kind
            && matches!(
                self.local_attrib(name),
                Some(Attrib::Const) | Some(Attrib::Close)
            )
        {
            return self.err(format!(
                "attempt to assign to const variable '{}'",
                self.text(name)
            ));
        }
        Ok(())
    }

    fn assign_stat(
        &mut self,
        targets: Span<Expr>,
        exprs: Span<Expr>,
        line: Line,
        end_line: Line,
    ) -> CResult<()> {
        self.line = line;
        for t in targets.ids() {
            self.check_assignable(self.ex(t))?;
        }
        let line = end_line;
        if targets.len() == 1 && exprs.len() == 1 {
            return self.single_assign(self.ex(targets.get(0)), self.ex(exprs.get(0)), line);
        }
        // Evaluate the targets' tables and keys into fresh registers first (so a later assignment
        // to a local cannot change which table an earlier target names), then the values, then
        // store from right to left like Lua.
        // Locals this statement assigns: only those must be copied when a target uses them as
        // its table or key (Lua's conflict check); other locals are used in place.
        let mut assigned: SmallVec<[u32; 4]> = SmallVec::new();
        for t in targets.ids() {
            if let ExprKind::Name(name) = self.ex(t).kind
                && let VarRef::Local(r) = self.resolve(name)?
            {
                assigned.push(r);
            }
        }
        let mut places = Vec::with_capacity(targets.len());
        for t in targets.ids() {
            places.push(self.prepare_target(self.ex(t), &assigned)?);
        }
        let base = self.fs().free_reg;
        self.explist_to(exprs, base, targets.len())?;
        self.line = line;
        for (i, p) in places.iter().enumerate().rev() {
            self.store_prepared(p, base + i as u32)?;
        }
        Ok(())
    }

    fn single_assign(&mut self, target: Expr, e: Expr, line: Line) -> CResult<()> {
        match target.kind {
            ExprKind::Name(name) => match self.resolve(name)? {
                VarRef::Local(reg) => {
                    if self.writes_early(e) || e.is_multi() {
                        let r = self.reserve(1)?;
                        self.expr_to(e, r)?;
                        self.line = line;
                        self.emit_abc(Op::Move, reg, r, 0, false);
                    } else {
                        self.expr_to(e, reg)?;
                    }
                }
                VarRef::Upval(u) => {
                    let r = self.expr_any(e)?;
                    self.line = line;
                    self.emit_abc(Op::SetUpval, r, u, 0, false);
                }
                VarRef::Global => {
                    let (env, env_is_up) = self.env_ref()?;
                    let k = self.str_const(name);
                    let (v, vk) = self.expr_rk(e)?;
                    self.line = line;
                    self.store_field(env, env_is_up, k, v, vk)?;
                }
            },
            ExprKind::Index(obj, key) => {
                let t = self.expr_any(self.ex(obj))?;
                let key = self.key_operand(self.ex(key))?;
                let (v, vk) = self.expr_rk(e)?;
                self.line = line;
                self.store_index(t, &key, v, vk)?;
            }
            _ => return self.err("syntax error"),
        }
        Ok(())
    }

    /// Where `_ENV` is: (upvalue index, true) or (register, false).
    fn env_ref(&mut self) -> CResult<(u32, bool)> {
        match self.resolve(StrId::ENV)? {
            VarRef::Local(r) => Ok((r, false)),
            VarRef::Upval(u) => Ok((u, true)),
            VarRef::Global => unreachable!("_ENV is always declared"),
        }
    }

    fn store_field(&mut self, t: u32, t_is_up: bool, k: u32, v: u32, vk: bool) -> CResult<()> {
        if k <= 255 {
            let op = if t_is_up { Op::SetTabUp } else { Op::SetField };
            self.emit_abc(op, t, k, v, vk);
        } else {
            let t = if t_is_up {
                let r = self.reserve(1)?;
                self.emit_abc(Op::GetUpval, r, t, 0, false);
                r
            } else {
                t
            };
            let kr = self.reserve(1)?;
            self.load_const_index(kr, k);
            self.emit_abc(Op::SetTable, t, kr, v, vk);
        }
        Ok(())
    }

    fn store_index(&mut self, t: u32, key: &KeyOperand, v: u32, vk: bool) -> CResult<()> {
        match *key {
            KeyOperand::Field(k) => self.store_field(t, false, k, v, vk)?,
            KeyOperand::Int(i) => {
                self.emit_abc(Op::SetI, t, i, v, vk);
            }
            KeyOperand::Reg(r) => {
                self.emit_abc(Op::SetTable, t, r, v, vk);
            }
        }
        Ok(())
    }

    fn prepare_target(&mut self, t: Expr, assigned: &[u32]) -> CResult<Prepared> {
        match t.kind {
            ExprKind::Name(name) => Ok(match self.resolve(name)? {
                VarRef::Local(r) => Prepared::Local(r),
                VarRef::Upval(u) => Prepared::Upval(u),
                VarRef::Global => {
                    let (env, up) = self.env_ref()?;
                    let k = self.str_const(name);
                    if up {
                        Prepared::Global(env, k)
                    } else {
                        let r = self.reserve(1)?;
                        self.emit_abc(Op::Move, r, env, 0, false);
                        Prepared::Indexed(r, KeyOperand::Field(k))
                    }
                }
            }),
            ExprKind::Index(obj, key) => {
                let obj = self.ex(obj);
                let in_place = match obj.kind {
                    ExprKind::Name(name) => match self.resolve(name)? {
                        VarRef::Local(r) if !assigned.contains(&r) => Some(r),
                        _ => None,
                    },
                    _ => None,
                };
                let r = match in_place {
                    Some(r) => r,
                    None => {
                        let r = self.reserve(1)?;
                        self.expr_to(obj, r)?;
                        r
                    }
                };
                let key = match self.key_operand(self.ex(key))? {
                    KeyOperand::Reg(kr) if kr < self.reg_level() && assigned.contains(&kr) => {
                        // A local used as key is reassigned by this statement: copy it.
                        let c = self.reserve(1)?;
                        self.emit_abc(Op::Move, c, kr, 0, false);
                        KeyOperand::Reg(c)
                    }
                    other => other,
                };
                Ok(Prepared::Indexed(r, key))
            }
            _ => self.err("syntax error"),
        }
    }

    fn store_prepared(&mut self, p: &Prepared, v: u32) -> CResult<()> {
        match *p {
            Prepared::Local(r) => {
                self.emit_abc(Op::Move, r, v, 0, false);
            }
            Prepared::Upval(u) => {
                self.emit_abc(Op::SetUpval, v, u, 0, false);
            }
            Prepared::Global(env, k) => self.store_field(env, true, k, v, false)?,
            Prepared::Indexed(t, ref key) => self.store_index(t, key, v, false)?,
        }
        Ok(())
    }

    /// Stores register `v` into an assignable expression (for `function a.b.c() end`).
    fn store_to(&mut self, target: Expr, v: u32) -> CResult<()> {
        let p = self.prepare_target(target, &[])?;
        self.store_prepared(&p, v)
    }

    fn repeat_stat(&mut self, body: Block, cond: Expr, line: Line) -> CResult<()> {
        self.line = line;
        let start = self.label_here();
        // Loop block (for break) around the scope block, whose locals the condition sees.
        self.enter_block(true);
        self.enter_block(false);
        self.stat_list(body.stats, body.ret, true)?;
        self.line = cond.line;
        let needs_close = self.fs().blocks.last().unwrap().needs_close;
        // A long body loops back through a `Jmp` of its own, which charges the budget by the
        // body's length (a test's backward jump charges one unit).
        let long = self.pc() - start > 64;
        if needs_close || long {
            // Upvalues must be closed on both the exit and the loop-back path.
            let exits = self.cond_jump(cond, true)?;
            if needs_close {
                let lvl = self.fs().blocks.last().unwrap().nactvar as u32;
                self.emit_abc(Op::Close, lvl, 0, 0, false);
            }
            let back = self.emit_jump();
            self.patch_jump(back, start)?;
            self.patch_here(&exits)?;
            self.leave_block()?;
        } else {
            let backs = self.cond_jump(cond, false)?;
            for b in backs {
                self.patch_jump(b, start)?;
            }
            self.leave_block()?;
        }
        self.leave_block()
    }

    fn numfor_stat(
        &mut self,
        var: StrId,
        start: Expr,
        limit: Expr,
        step: Option<Expr>,
        body: Block,
        line: Line,
    ) -> CResult<()> {
        self.line = line;
        self.enter_block(true);
        let base = self.reserve(3)?;
        self.expr_to(start, base)?;
        self.expr_to(limit, base + 1)?;
        match step {
            Some(s) => self.expr_to(s, base + 2)?,
            None => {
                self.emit(Instr::asbx(Op::LoadI, base + 2, 1));
            }
        }
        // Hidden state occupies three locals, so user locals start above them.
        self.activate_local(StrId::FOR_STATE, Attrib::None, base)?;
        self.activate_local(StrId::FOR_STATE, Attrib::None, base + 1)?;
        self.activate_local(StrId::FOR_STATE, Attrib::None, base + 2)?;
        self.line = line;
        let prep = self.emit(Instr::abx(Op::ForPrep, base, 0));
        let body_start = self.label_here();
        self.enter_block(false);
        let v = self.reserve(1)?;
        self.activate_local(var, Attrib::None, v)?;
        self.stats(body)?;
        self.leave_block()?;
        self.line = line;
        let lp = self.emit(Instr::abx(Op::ForLoop, base, 0));
        self.fix_for_jumps(prep, lp, body_start)?;
        self.leave_block()
    }

    fn fix_for_jumps(&mut self, prep: usize, lp: usize, body_start: usize) -> CResult<()> {
        let fwd = lp - prep - 1;
        let back = lp + 1 - body_start;
        if fwd as u32 > MAX_BX || back as u32 > MAX_BX {
            return self.err("control structure too long");
        }
        let code = &mut self.fs().proto.code;
        code[prep].set_bx(fwd as u32);
        code[lp].set_bx(back as u32);
        Ok(())
    }

    fn genfor_stat(
        &mut self,
        names: Span<StrId>,
        exprs: Span<Expr>,
        body: Block,
        line: Line,
        in_line: Line,
    ) -> CResult<()> {
        self.line = line;
        self.enter_block(true);
        let base = self.fs().free_reg;
        self.explist_to(exprs, base, 4)?;
        for i in 0..4 {
            self.activate_local(StrId::FOR_STATE, Attrib::None, base + i)?;
        }
        // The fourth value is to-be-closed; leaving the loop closes it, and a `return f()` in
        // the body is no tail call (the frame must stay to close it).
        self.fs().blocks.last_mut().unwrap().needs_close = true;
        self.fs().has_tbc = true;
        self.line = line;
        let prep = self.emit(Instr::abx(Op::TForPrep, base, 0));
        let body_start = self.label_here();
        self.enter_block(false);
        let first = self.reserve(names.len() as u32)?;
        for (i, idx) in names.range().enumerate() {
            let n = self.ast.names[idx];
            self.activate_local(n, Attrib::None, first + i as u32)?;
        }
        self.stats(body)?;
        self.leave_block()?;
        self.line = in_line;
        let call = self.label_here();
        self.emit_abc(Op::TForCall, base, 0, names.len() as u32, false);
        self.line = line;
        self.bump_maxstack(base + 4 + names.len() as u32 + 3)?;
        let lp = self.emit(Instr::abx(Op::TForLoop, base, 0));
        let fwd = call - prep - 1;
        let back = lp + 1 - body_start;
        if fwd as u32 > MAX_BX || back as u32 > MAX_BX {
            return self.err("control structure too long");
        }
        let code = &mut self.fs().proto.code;
        code[prep].set_bx(fwd as u32);
        code[lp].set_bx(back as u32);
        self.leave_block()
    }

    fn ret_stat(&mut self, exprs: Span<Expr>) -> CResult<()> {
        let has_tbc = self.fs().has_tbc;
        let n = exprs.len();
        let last = if n > 0 {
            Some(self.ex(exprs.get(n - 1)))
        } else {
            None
        };
        match (n, last) {
            (0, _) => {
                self.emit_abc(Op::Return0, 0, 0, 0, false);
            }
            (1, Some(e)) if e.is_multi() => {
                let base = self.reserve(1)?;
                if !has_tbc && !matches!(e.kind, ExprKind::Vararg) {
                    self.call_expr_tail(e, base)?;
                } else {
                    self.multi_expr(e, base, -1)?;
                    self.emit_abc(Op::Return, base, 0, 0, false);
                }
            }
            (1, Some(e)) => {
                let r = self.expr_any(e)?;
                self.emit_abc(Op::Return1, r, 0, 0, false);
            }
            _ => {
                let base = self.fs().free_reg;
                let last_multi = last.is_some_and(|e| e.is_multi());
                for (i, id) in exprs.ids().enumerate() {
                    let e = self.ex(id);
                    let r = self.reserve(1)?;
                    if i + 1 == n && last_multi {
                        self.multi_expr(e, r, -1)?;
                    } else {
                        self.expr_to(e, r)?;
                    }
                }
                let b = if last_multi { 0 } else { n as u32 + 1 };
                self.emit_abc(Op::Return, base, b, 0, false);
            }
        }
        Ok(())
    }

    // ---- expressions ----

    fn check_vararg(&mut self) -> CResult<()> {
        if self.fs().proto.is_vararg {
            Ok(())
        } else {
            self.err("cannot use '...' outside a vararg function near '...'")
        }
    }

    fn load_const_index(&mut self, r: u32, k: u32) {
        if k <= MAX_BX {
            self.emit(Instr::abx(Op::LoadK, r, k));
        } else {
            self.emit(Instr::abx(Op::LoadKX, r, 0));
            self.emit(Instr::ax_instr(Op::ExtraArg, k));
        }
    }

    fn load_folded(&mut self, f: Folded, r: u32) {
        match f {
            Folded::Nil => {
                self.load_nil(r, 1);
            }
            Folded::Bool(true) => {
                self.emit_abc(Op::LoadTrue, r, 0, 0, false);
            }
            Folded::Bool(false) => {
                self.emit_abc(Op::LoadFalse, r, 0, 0, false);
            }
            Folded::Int(i) if i.unsigned_abs() <= OFFSET_SBX as u64 => {
                self.emit(Instr::asbx(Op::LoadI, r, i as i32));
            }
            Folded::Float(x)
                if x.fract() == 0.0
                    && x.abs() <= OFFSET_SBX as f64
                    && !(x == 0.0 && x.is_sign_negative()) =>
            {
                self.emit(Instr::asbx(Op::LoadF, r, x as i32));
            }
            _ => {
                let k = self.folded_const(f);
                self.load_const_index(r, k);
            }
        }
    }

    fn load_nil(&mut self, r: u32, n: u32) {
        // Merge with a preceding LoadNil on adjacent registers, unless a jump lands here.
        let pc = self.pc();
        if pc > 0 && self.fs().last_target != pc {
            let prev = self.fs().proto.code[pc - 1];
            if prev.op() == Op::LoadNil {
                let (pa, pb) = (prev.a() as u32, prev.b() as u32);
                if pa <= r && r <= pa + pb + 1 {
                    let end = (pa + pb).max(r + n - 1);
                    self.fs().proto.code[pc - 1].set_b(end - pa);
                    return;
                }
            }
        }
        self.emit_abc(Op::LoadNil, r, n - 1, 0, false);
    }

    /// Compiles `e` so that its (first) value ends in register `dst`.
    fn expr_to(&mut self, e: Expr, dst: u32) -> CResult<()> {
        if let Some(f) = self.fold(e) {
            self.line = e.line;
            self.load_folded(f, dst);
            return Ok(());
        }
        let mark = self.fs().free_reg;
        self.line = e.line;
        match e.kind {
            ExprKind::Vararg => {
                self.check_vararg()?;
                self.emit_abc(Op::VarArg, dst, 0, 2, false);
            }
            ExprKind::Function(f) => self.function_expr(f, dst)?,
            ExprKind::Table(fields) => self.table_expr(fields, dst, e.line)?,
            ExprKind::Name(name) => match self.resolve(name)? {
                VarRef::Local(r) => {
                    if r != dst {
                        self.emit_abc(Op::Move, dst, r, 0, false);
                    }
                }
                VarRef::Upval(u) => {
                    self.emit_abc(Op::GetUpval, dst, u, 0, false);
                }
                VarRef::Global => {
                    let (env, up) = self.env_ref()?;
                    let k = self.str_const(name);
                    self.line = e.line;
                    if up && k <= 255 {
                        self.emit_abc(Op::GetTabUp, dst, env, k, false);
                    } else {
                        let t = if up {
                            let r = self.reserve(1)?;
                            self.emit_abc(Op::GetUpval, r, env, 0, false);
                            r
                        } else {
                            env
                        };
                        let key = self.field_key(k)?;
                        self.index_into(t, &key, dst)?;
                    }
                }
            },
            ExprKind::Index(obj, key) => {
                let obj = self.ex(obj);
                // A temporary destination holds the table first, so `a.b.c.d` needs one register.
                let t = if dst >= self.reg_level() && !matches!(obj.kind, ExprKind::Name(_)) {
                    self.expr_to(obj, dst)?;
                    dst
                } else {
                    self.expr_any(obj)?
                };
                let key = self.key_operand(self.ex(key))?;
                self.line = e.line;
                self.index_into(t, &key, dst)?;
            }
            ExprKind::Call(..) | ExprKind::Method(..) => {
                if dst + 1 == self.fs().free_reg && dst >= self.reg_level() {
                    self.call_expr(e, dst, 1)?;
                } else {
                    let r = self.reserve(1)?;
                    self.call_expr(e, r, 1)?;
                    self.emit_abc(Op::Move, dst, r, 0, false);
                }
            }
            ExprKind::Paren(inner) => self.expr_to(self.ex(inner), dst)?,
            ExprKind::Unary(op, inner) => {
                let inner = self.ex(inner);
                if op == UnOp::Not {
                    // `not` of a comparison: compile as a value with the sense flipped.
                    let r = self.expr_any(inner)?;
                    self.line = e.line;
                    self.emit_abc(Op::Not, dst, r, 0, false);
                } else {
                    let r = self.expr_any(inner)?;
                    self.line = e.line;
                    let opc = match op {
                        UnOp::Neg => Op::Unm,
                        UnOp::Len => Op::Len,
                        UnOp::BNot => Op::BNot,
                        UnOp::Not => unreachable!(),
                    };
                    self.emit_abc(opc, dst, r, 0, false);
                }
            }
            ExprKind::Binary(op, a, b) => {
                self.binary_expr(op, self.ex(a), self.ex(b), dst, e.line)?
            }
            ExprKind::Nil
            | ExprKind::True
            | ExprKind::False
            | ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Str(_) => unreachable!("folded above"),
        }
        self.fs().free_reg = mark;
        Ok(())
    }

    /// Compiles `e` into some register: a local's own register when it is a plain local.
    fn expr_any(&mut self, e: Expr) -> CResult<u32> {
        if let ExprKind::Name(name) = e.kind
            && let Some(i) = Self::find_local(self.funcs.last().unwrap(), name)
        {
            return Ok(self.fs().actvars[i].reg);
        }
        if let ExprKind::Paren(inner) = e.kind {
            let inner = self.ex(inner);
            if !inner.is_multi() {
                return self.expr_any(inner);
            }
        }
        let r = self.reserve(1)?;
        self.expr_to(e, r)?;
        Ok(r)
    }

    /// A register or a constant (when `e` is a constant that fits the 8-bit field).
    fn expr_rk(&mut self, e: Expr) -> CResult<(u32, bool)> {
        if let Some(f) = self.fold(e) {
            let k = self.folded_const(f);
            if k <= 255 {
                return Ok((k, true));
            }
        }
        Ok((self.expr_any(e)?, false))
    }

    fn field_key(&mut self, k: u32) -> CResult<KeyOperand> {
        if k <= 255 {
            Ok(KeyOperand::Field(k))
        } else {
            let r = self.reserve(1)?;
            self.load_const_index(r, k);
            Ok(KeyOperand::Reg(r))
        }
    }

    fn key_operand(&mut self, key: Expr) -> CResult<KeyOperand> {
        match key.kind {
            ExprKind::Str(s) => {
                let k = self.str_const(s);
                self.field_key(k)
            }
            ExprKind::Int(i) if (0..=255).contains(&i) => Ok(KeyOperand::Int(i as u32)),
            _ => Ok(KeyOperand::Reg(self.expr_any(key)?)),
        }
    }

    fn index_into(&mut self, t: u32, key: &KeyOperand, dst: u32) -> CResult<()> {
        match *key {
            KeyOperand::Field(k) => self.emit_abc(Op::GetField, dst, t, k, false),
            KeyOperand::Int(i) => self.emit_abc(Op::GetI, dst, t, i, false),
            KeyOperand::Reg(r) => self.emit_abc(Op::GetTable, dst, t, r, false),
        };
        Ok(())
    }

    fn binary_expr(&mut self, op: BinOp, a: Expr, b: Expr, dst: u32, line: Line) -> CResult<()> {
        match op {
            BinOp::And | BinOp::Or => {
                self.expr_to(a, dst)?;
                self.line = line;
                self.emit_abc(Op::Test, dst, 0, 0, op == BinOp::Or);
                let j = self.emit_jump();
                self.expr_to(b, dst)?;
                self.patch_here(&[j])?;
            }
            BinOp::Concat => {
                let mut parts = Vec::new();
                self.flatten_concat(a, b, &mut parts);
                let n = parts.len() as u32;
                let base = if dst + 1 == self.fs().free_reg && dst >= self.reg_level() {
                    self.reserve(n - 1)?;
                    dst
                } else {
                    self.reserve(n)?
                };
                for (i, p) in parts.iter().enumerate() {
                    self.expr_to(*p, base + i as u32)?;
                }
                self.line = line;
                self.emit_abc(Op::Concat, base, parts.len() as u32, 0, false);
                if dst != base {
                    self.emit_abc(Op::Move, dst, base, 0, false);
                }
            }
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                // Comparison as a value: test, then load true or false.
                self.compare(op, a, b, true, line)?;
                let j = self.emit_jump();
                self.emit_abc(Op::LFalseSkip, dst, 0, 0, false);
                let t = self.label_here();
                self.emit_abc(Op::LoadTrue, dst, 0, 0, false);
                self.patch_jump(j, t)?;
            }
            _ => {
                let (opr, opk) = arith_ops(op).unwrap();
                // `k + x` and `k * x` with a numeric constant k: as `x op k` with the k bit set
                // (operands swapped back for metamethods), like Lua.
                if matches!(op, BinOp::Add | BinOp::Mul)
                    && let (Some(opk), Some(f)) = (opk, self.numeric_fold(a))
                    && self.numeric_fold(b).is_none()
                {
                    let k = self.folded_const(f);
                    if k <= 255 {
                        let rc = if dst >= self.reg_level() && !matches!(b.kind, ExprKind::Name(_))
                        {
                            self.expr_to(b, dst)?;
                            dst
                        } else {
                            self.expr_any(b)?
                        };
                        self.line = line;
                        self.emit_abc(opk, dst, rc, k, true);
                        return Ok(());
                    }
                }
                // A temporary destination can hold the left operand: it is overwritten only by
                // the final instruction, so chains like a+b+c+... need one register, not one per
                // level.
                let before = self.pc();
                let rb = if dst >= self.reg_level() && !matches!(a.kind, ExprKind::Name(_)) {
                    self.expr_to(a, dst)?;
                    dst
                } else {
                    self.expr_any(a)?
                };
                self.loaded_at_operator(before, line);
                if op == BinOp::Add
                    && let Some(Folded::Int(i)) = self.numeric_fold(b)
                    && (-(OFFSET_SC as i64)..=(255 - OFFSET_SC as i64)).contains(&i)
                {
                    self.line = line;
                    self.emit_abc(Op::AddI, dst, rb, (i + OFFSET_SC as i64) as u32, false);
                    return Ok(());
                }
                // `x - n` as `x + (-n)` like Lua (so `-0.0 - 0` is 0.0 there too); k marks it,
                // so a metamethod still sees `__sub` and n.
                if op == BinOp::Sub
                    && let Some(Folded::Int(i)) = self.numeric_fold(b)
                    && (-(OFFSET_SC as i64)..=(255 - OFFSET_SC as i64)).contains(&-i)
                {
                    self.line = line;
                    self.emit_abc(Op::AddI, dst, rb, (-i + OFFSET_SC as i64) as u32, true);
                    return Ok(());
                }
                // Only `>>`: a negated `<<` would pass the wrong operand to a `__shl` metamethod.
                if op == BinOp::Shr
                    && let Some(Folded::Int(i)) = self.numeric_fold(b)
                    && (-(OFFSET_SC as i64)..=(255 - OFFSET_SC as i64)).contains(&i)
                {
                    self.line = line;
                    self.emit_abc(Op::ShrI, dst, rb, (i + OFFSET_SC as i64) as u32, false);
                    return Ok(());
                }
                if let (Some(opk), Some(f)) = (opk, self.numeric_fold(b)) {
                    let bitwise = matches!(op, BinOp::BAnd | BinOp::BOr | BinOp::BXor);
                    if !bitwise || matches!(f, Folded::Int(_)) {
                        let k = self.folded_const(f);
                        if k <= 255 {
                            self.line = line;
                            self.emit_abc(opk, dst, rb, k, false);
                            return Ok(());
                        }
                    }
                }
                let rc = self.expr_any(b)?;
                self.line = line;
                self.emit_abc(opr, dst, rb, rc, false);
            }
        }
        Ok(())
    }

    /// Emits a comparison test that skips the next instruction when the result differs from `k`.
    fn compare(&mut self, op: BinOp, a: Expr, b: Expr, k: bool, line: Line) -> CResult<()> {
        let (op, a, b, k) = match op {
            BinOp::Ne => (BinOp::Eq, a, b, !k),
            BinOp::Gt => (BinOp::Lt, b, a, k),
            BinOp::Ge => (BinOp::Le, b, a, k),
            o => (o, a, b, k),
        };
        let small_int = |f: &Option<Folded>| match f {
            Some(Folded::Int(i))
                if (-(OFFSET_SC as i64)..=(255 - OFFSET_SC as i64)).contains(i) =>
            {
                Some((*i + OFFSET_SC as i64) as u32)
            }
            _ => None,
        };
        let fb = self.fold(b);
        let fa = self.fold(a);
        match op {
            BinOp::Eq => {
                if let Some(sb) = small_int(&fb) {
                    let ra = self.expr_any(a)?;
                    self.line = line;
                    self.emit_abc(Op::EqI, ra, sb, 0, k);
                } else if let Some(f) = fb {
                    let ra = self.expr_any(a)?;
                    let kb = self.folded_const(f);
                    self.line = line;
                    if kb <= 255 {
                        self.emit_abc(Op::EqK, ra, kb, 0, k);
                    } else {
                        let rb = self.reserve(1)?;
                        self.load_const_index(rb, kb);
                        self.emit_abc(Op::Eq, ra, rb, 0, k);
                    }
                } else {
                    let ra = self.expr_any(a)?;
                    let rb = self.expr_any(b)?;
                    self.line = line;
                    self.emit_abc(Op::Eq, ra, rb, 0, k);
                }
            }
            BinOp::Lt | BinOp::Le => {
                if let Some(sb) = small_int(&fb) {
                    let ra = self.expr_any(a)?;
                    self.line = line;
                    let opc = if op == BinOp::Lt { Op::LtI } else { Op::LeI };
                    self.emit_abc(opc, ra, sb, 0, k);
                } else if let Some(sa) = small_int(&fa) {
                    let rb = self.expr_any(b)?;
                    self.line = line;
                    // a < b  <=>  b > a
                    let opc = if op == BinOp::Lt { Op::GtI } else { Op::GeI };
                    self.emit_abc(opc, rb, sa, 0, k);
                } else {
                    let ra = self.expr_any(a)?;
                    let rb = self.expr_any(b)?;
                    self.line = line;
                    let opc = if op == BinOp::Lt { Op::Lt } else { Op::Le };
                    self.emit_abc(opc, ra, rb, 0, k);
                }
            }
            _ => unreachable!(),
        }
        Ok(())
    }

    /// Emits code that jumps when `e`'s truthiness equals `when`, falling through otherwise.
    /// Returns the jumps to patch.
    fn cond_jump(&mut self, e: Expr, when: bool) -> CResult<Vec<usize>> {
        // Only for the whole condition of an `if`, not the operands of `and`/`or`.
        let then_line = self.then_line.take();
        let mark = self.fs().free_reg;
        let r = match e.kind {
            ExprKind::Paren(inner) if !self.ex(inner).is_multi() => {
                return self.cond_jump(self.ex(inner), when);
            }
            ExprKind::Unary(UnOp::Not, inner) => return self.cond_jump(self.ex(inner), !when),
            ExprKind::True | ExprKind::Int(_) | ExprKind::Float(_) | ExprKind::Str(_) => {
                return Ok(if when { vec![self.emit_jump()] } else { vec![] });
            }
            ExprKind::Nil | ExprKind::False => {
                return Ok(if when { vec![] } else { vec![self.emit_jump()] });
            }
            ExprKind::Binary(BinOp::And, a, b) => {
                let (a, b) = (self.ex(a), self.ex(b));
                if when {
                    // jump if (a and b): skip if a false
                    let skip = self.cond_jump(a, false)?;
                    let j = self.cond_jump(b, true)?;
                    self.patch_here(&skip)?;
                    j
                } else {
                    let mut j = self.cond_jump(a, false)?;
                    j.extend(self.cond_jump(b, false)?);
                    j
                }
            }
            ExprKind::Binary(BinOp::Or, a, b) => {
                let (a, b) = (self.ex(a), self.ex(b));
                if when {
                    let mut j = self.cond_jump(a, true)?;
                    j.extend(self.cond_jump(b, true)?);
                    j
                } else {
                    let skip = self.cond_jump(a, true)?;
                    let j = self.cond_jump(b, false)?;
                    self.patch_here(&skip)?;
                    j
                }
            }
            ExprKind::Binary(
                op @ (BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge),
                a,
                b,
            ) => {
                self.compare(op, self.ex(a), self.ex(b), when, e.line)?;
                let j = self.emit_jump();
                self.fs().free_reg = mark;
                return Ok(vec![j]);
            }
            _ => {
                let r = self.expr_any(e)?;
                // An `if` tests its value after reading `then`: PUC Lua puts the test there.
                self.line = then_line.unwrap_or(e.line);
                self.emit_abc(Op::Test, r, 0, 0, when);
                vec![self.emit_jump()]
            }
        };
        self.fs().free_reg = mark;
        Ok(r)
    }

    /// Compiles a multi-value expression into `dst` (which must be the top register) wanting
    /// `want` values (-1 for all, leaving them up to the stack top).
    fn multi_expr(&mut self, e: Expr, dst: u32, want: i32) -> CResult<()> {
        match e.kind {
            ExprKind::Vararg => {
                self.line = e.line;
                self.check_vararg()?;
                self.emit_abc(Op::VarArg, dst, 0, (want + 1) as u32, false);
                if want > 0 {
                    self.bump_maxstack(dst + want as u32)?;
                }
                Ok(())
            }
            _ => self.call_expr(e, dst, want),
        }
    }

    /// Compiles a call with its function in `base` (the top register), wanting `want` results.
    fn call_expr(&mut self, e: Expr, base: u32, want: i32) -> CResult<()> {
        let nargs = self.call_setup(e, base)?;
        self.line = e.line;
        self.emit_abc(Op::Call, base, nargs, (want + 1) as u32, false);
        self.fs().free_reg = base + 1;
        if want > 1 {
            self.bump_maxstack(base + want as u32)?;
        }
        Ok(())
    }

    fn call_expr_tail(&mut self, e: Expr, base: u32) -> CResult<()> {
        let nargs = self.call_setup(e, base)?;
        self.line = e.line;
        self.emit_abc(Op::TailCall, base, nargs, 0, false);
        self.emit_abc(Op::Return, base, 0, 0, false);
        Ok(())
    }

    /// Puts the function and arguments in place; returns the B operand (nargs + 1, or 0 when the
    /// last argument is open).
    fn call_setup(&mut self, e: Expr, base: u32) -> CResult<u32> {
        let (args, extra) = match e.kind {
            ExprKind::Call(f, args) => {
                self.expr_to(self.ex(f), base)?;
                (args, 0)
            }
            ExprKind::Method(obj, name, args) => {
                let obj = self.ex(obj);
                // The object can be built in the call's base register (SelfOp reads it first).
                let o = if !matches!(obj.kind, ExprKind::Name(_)) && base + 1 == self.fs().free_reg
                {
                    self.expr_to(obj, base)?;
                    base
                } else {
                    self.expr_any(obj)?
                };
                let k = self.str_const(name);
                self.line = e.line;
                self.fs().free_reg = base + 1;
                self.reserve(1)?;
                if k <= 255 {
                    self.emit_abc(Op::SelfOp, base, o, k, true);
                } else {
                    let kr = self.reserve(1)?;
                    self.load_const_index(kr, k);
                    self.emit_abc(Op::SelfOp, base, o, kr, false);
                    self.fs().free_reg = base + 2;
                }
                (args, 1)
            }
            ExprKind::Paren(inner) => return self.call_setup(self.ex(inner), base),
            _ => unreachable!("not a call"),
        };
        self.fs().free_reg = base + 1 + extra;
        let n = args.len();
        for (i, id) in args.ids().enumerate() {
            let a = self.ex(id);
            let r = self.reserve(1)?;
            if i + 1 == n && a.is_multi() {
                self.multi_expr(a, r, -1)?;
                return Ok(0);
            }
            self.expr_to(a, r)?;
        }
        Ok(n as u32 + 1 + extra)
    }

    fn table_expr(&mut self, fields: Span<TableField>, dst: u32, line: Line) -> CResult<()> {
        let t = if dst + 1 == self.fs().free_reg && dst >= self.reg_level() {
            dst
        } else {
            self.reserve(1)?
        };
        let narr = self
            .ast
            .fields(fields)
            .iter()
            .filter(|f| matches!(f, TableField::Item(_)))
            .count();
        let nhash = fields.len() - narr;
        self.line = line;
        self.emit_abc(
            Op::NewTable,
            t,
            narr.min(255) as u32,
            nhash.min(255) as u32,
            false,
        );
        let mut pending = 0u32; // array items waiting in registers above t
        let mut stored = 0u64; // array items already flushed
        let n = fields.len();
        for (i, idx) in fields.range().enumerate() {
            match self.ast.fields[idx] {
                TableField::Item(e) => {
                    let e = self.ex(e);
                    let r = self.reserve(1)?;
                    if i + 1 == n && e.is_multi() {
                        self.multi_expr(e, r, -1)?;
                        self.line = line;
                        self.flush_setlist(t, 0, stored)?;
                        pending = 0;
                        break;
                    }
                    self.expr_to(e, r)?;
                    pending += 1;
                    if pending == 50 {
                        self.line = line;
                        self.flush_setlist(t, pending, stored)?;
                        stored += pending as u64;
                        pending = 0;
                    }
                }
                TableField::Pair(k, v) => {
                    let mark = self.fs().free_reg;
                    let key = self.key_operand(self.ex(k))?;
                    let (vr, vk) = self.expr_rk(self.ex(v))?;
                    self.line = line;
                    self.store_index(t, &key, vr, vk)?;
                    self.fs().free_reg = mark;
                }
            }
        }
        if pending > 0 {
            self.line = line;
            self.flush_setlist(t, pending, stored)?;
        }
        self.fs().free_reg = t + 1;
        if t != dst {
            self.emit_abc(Op::Move, dst, t, 0, false);
        }
        Ok(())
    }

    fn flush_setlist(&mut self, t: u32, count: u32, stored: u64) -> CResult<()> {
        if stored <= 255 {
            self.emit_abc(Op::SetList, t, count, stored as u32, false);
        } else {
            self.emit_abc(Op::SetList, t, count, (stored % 256) as u32, true);
            let extra = stored / 256;
            if extra > (1 << 25) - 1 {
                return self.err("constructor too long");
            }
            self.emit(Instr::ax_instr(Op::ExtraArg, extra as u32));
        }
        self.fs().free_reg = t + 1;
        Ok(())
    }

    fn function_expr(&mut self, f: FuncId, dst: u32) -> CResult<()> {
        let f = *self.ast.func(f);
        self.open_func(f.line);
        self.enter_block(false);
        for idx in f.params.range() {
            let p = self.ast.names[idx];
            let r = self.reserve(1)?;
            self.activate_local(p, Attrib::None, r)?;
        }
        {
            let fs = self.fs();
            fs.proto.numparams = f.params.len() as u8;
            fs.proto.is_vararg = f.is_vararg;
        }
        self.stats(f.block)?;
        self.line = f.end_line;
        self.leave_block()?;
        let proto = self.close_func(f.end_line, f.end_line, f.end_line)?;
        let fs = self.fs();
        fs.proto.protos.push(proto);
        let idx = fs.proto.protos.len() as u32 - 1;
        // On the line of `end`, the last token read, as in PUC Lua (line hooks see it there).
        self.line = f.end_line;
        self.emit(Instr::abx(Op::Closure, dst, idx));
        Ok(())
    }

    /// PUC Lua emits the load of a binary operator's left operand (`t.x`, `t[k]`, a global, an
    /// upvalue) only when it reads the operator: that load (the last instruction since `from`)
    /// takes the operator's line, which line hooks and errors see.
    fn loaded_at_operator(&mut self, from: usize, line: Line) {
        let fs = self.fs();
        let n = fs.proto.code.len();
        if n > from
            && matches!(
                fs.proto.code[n - 1].op(),
                Op::GetField | Op::GetTable | Op::GetI | Op::GetTabUp | Op::GetUpval
            )
        {
            fs.proto.lineinfo[n - 1] = line;
        }
    }

    /// The operands of a chain of `..` (right associative: `a .. (b .. c)`), left to right.
    fn flatten_concat(&self, a: Expr, b: Expr, out: &mut Vec<Expr>) {
        match a.kind {
            ExprKind::Binary(BinOp::Concat, x, y) => {
                self.flatten_concat(self.ex(x), self.ex(y), out)
            }
            _ => out.push(a),
        }
        let mut cur = b;
        loop {
            match cur.kind {
                ExprKind::Binary(BinOp::Concat, x, y) => {
                    let x = self.ex(x);
                    match x.kind {
                        ExprKind::Binary(BinOp::Concat, p, q) => {
                            self.flatten_concat(self.ex(p), self.ex(q), out)
                        }
                        _ => out.push(x),
                    }
                    cur = self.ex(y);
                }
                _ => {
                    out.push(cur);
                    return;
                }
            }
        }
    }
}

impl FuncState {
    /// Empties the state for reuse, keeping the vectors' capacity.
    fn reset(&mut self) {
        let p = &mut self.proto;
        p.code.clear();
        p.lineinfo.clear();
        p.live_regs.clear();
        p.consts.clear();
        p.protos.clear();
        p.upvals.clear();
        p.locvars.clear();
        p.numparams = 0;
        p.is_vararg = false;
        p.maxstack = 0;
        p.linedefined = 0;
        p.lastlinedefined = 0;
        self.upval_names.clear();
        self.actvars.clear();
        self.blocks.clear();
        self.labels.clear();
        self.gotos.clear();
        self.free_reg = 0;
        self.consts.clear();
        self.last_target = 0;
        self.has_tbc = false;
    }
}

enum KeyOperand {
    Field(u32),
    Int(u32),
    Reg(u32),
}

enum Prepared {
    Local(u32),
    Upval(u32),
    Global(u32, u32),
    Indexed(u32, KeyOperand),
}
