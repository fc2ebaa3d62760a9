//! Parser: tokens to the syntax tree in `ast.rs`.
//!
//! Recursive descent following the structure of Lua 5.4's grammar closely enough that syntax
//! errors come out with the same wording, line and `near` token as `lua5.4`. Scoping, goto/label
//! checks and `break` placement are left to codegen.

use super::CompileError;
use super::ast::*;
use super::lexer::{Lexer, Tok, Token};

/// Lua's `LUAI_MAXCCALLS`: nested statements and expressions share one counter of "C levels".
const MAX_C_LEVELS: u32 = 200;

/// Levels already in use when the reference `lua5.4` starts parsing a file (the loader's C call).
/// With it, exactly the same inputs overflow here and there (e.g. 196 nested parentheses after
/// `return` parse, 197 do not).
const BASE_C_LEVELS: u32 = 1;

/// Deepest syntax tree we hand out, counting expression, statement and block nodes.
///
/// Lua compiles left-associative chains (`a + b + c ...`, `a.b.c ...`, `f()()()...`) in a loop
/// and never limits them, but in a tree they become one deep left spine, and dropping or
/// compiling a tree recurses along it. Nesting allowed by the C-level limit stays well below
/// this (a few hundred nodes), so in practice it only rejects chains of hundreds of operators,
/// and it keeps every consumer's recursion (including `Drop`) bounded.
pub const MAX_TREE_DEPTH: u32 = 1000;

/// Priority of unary operators: binds tighter than everything but `^`.
const UNARY_PRIORITY: u8 = 12;

/// Height of a subtree, for [`MAX_TREE_DEPTH`].
type Depth = u32;

/// Parses a whole chunk and returns its body.
pub fn parse(source: &[u8]) -> Result<Block, CompileError> {
    let mut p = Parser::new(source)?;
    let (block, _) = p.block()?;
    if p.cur.tok != Tok::Eof {
        return Err(p.error_expected(&Tok::Eof));
    }
    Ok(block)
}

struct Parser<'a> {
    lex: Lexer<'a>,
    cur: Token,
    /// One token of lookahead, needed only to tell `{name = v}` from `{name}`.
    ahead: Option<Token>,
    /// Current nesting in "C levels", like Lua's `nCcalls`.
    depth: u32,
    /// Whether the function being parsed is vararg (`...` is allowed).
    vararg: bool,
}

/// Left and right priorities of a binary operator (a higher right priority than left one
/// makes it right associative).
fn binary_op(t: &Tok) -> Option<(BinOp, u8, u8)> {
    Some(match t {
        Tok::Or => (BinOp::Or, 1, 1),
        Tok::And => (BinOp::And, 2, 2),
        Tok::Lt => (BinOp::Lt, 3, 3),
        Tok::Gt => (BinOp::Gt, 3, 3),
        Tok::Le => (BinOp::Le, 3, 3),
        Tok::Ge => (BinOp::Ge, 3, 3),
        Tok::Ne => (BinOp::Ne, 3, 3),
        Tok::Eq => (BinOp::Eq, 3, 3),
        Tok::Pipe => (BinOp::BOr, 4, 4),
        Tok::Tilde => (BinOp::BXor, 5, 5),
        Tok::Amp => (BinOp::BAnd, 6, 6),
        Tok::Shl => (BinOp::Shl, 7, 7),
        Tok::Shr => (BinOp::Shr, 7, 7),
        Tok::Concat => (BinOp::Concat, 9, 8),
        Tok::Plus => (BinOp::Add, 10, 10),
        Tok::Minus => (BinOp::Sub, 10, 10),
        Tok::Star => (BinOp::Mul, 11, 11),
        Tok::Slash => (BinOp::Div, 11, 11),
        Tok::DSlash => (BinOp::IDiv, 11, 11),
        Tok::Percent => (BinOp::Mod, 11, 11),
        Tok::Caret => (BinOp::Pow, 14, 13),
        _ => return None,
    })
}

fn unary_op(t: &Tok) -> Option<UnOp> {
    Some(match t {
        Tok::Not => UnOp::Not,
        Tok::Minus => UnOp::Neg,
        Tok::Hash => UnOp::Len,
        Tok::Tilde => UnOp::BNot,
        _ => return None,
    })
}

type PResult<T> = Result<T, CompileError>;

impl<'a> Parser<'a> {
    fn new(source: &'a [u8]) -> PResult<Parser<'a>> {
        let mut lex = Lexer::new(source);
        let cur = lex.next_token()?;
        Ok(Parser {
            lex,
            cur,
            ahead: None,
            depth: BASE_C_LEVELS,
            vararg: true, // the main chunk is vararg
        })
    }

    // ---- token helpers ----

    fn next(&mut self) -> PResult<()> {
        self.cur = match self.ahead.take() {
            Some(t) => t,
            None => self.lex.next_token()?,
        };
        Ok(())
    }

    fn peek(&mut self) -> PResult<&Tok> {
        if self.ahead.is_none() {
            self.ahead = Some(self.lex.next_token()?);
        }
        Ok(&self.ahead.as_ref().unwrap().tok)
    }

    fn test_next(&mut self, t: &Tok) -> PResult<bool> {
        if self.cur.tok == *t {
            self.next()?;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    fn check_next(&mut self, t: &Tok) -> PResult<()> {
        if self.cur.tok == *t {
            self.next()
        } else {
            Err(self.error_expected(t))
        }
    }

    /// Expects `what` closing the `who` opened at `line`; names the opener only when it is on
    /// another line.
    fn check_match(&mut self, what: &Tok, who: &Tok, line: Line) -> PResult<()> {
        if self.cur.tok == *what {
            return self.next();
        }
        if line == self.cur.end_line {
            Err(self.error_expected(what))
        } else {
            Err(self.error_near(&format!(
                "{} expected (to close {} at line {})",
                what.describe(),
                who.describe(),
                line
            )))
        }
    }

    fn check_name(&mut self) -> PResult<Bytes> {
        if self.cur.tok != Tok::Name {
            return Err(self.error_expected(&Tok::Name));
        }
        let name = self.lex.source()[self.cur.start..self.cur.end].to_vec();
        self.next()?;
        Ok(name)
    }

    // ---- errors ----

    /// `msg near <current token>`, reported on the line Lua's lexer has reached.
    fn error_near(&self, msg: &str) -> CompileError {
        CompileError {
            line: self.cur.end_line,
            col: self.cur.col,
            message: format!("{msg} near {}", self.lex.token_text(&self.cur)),
        }
    }

    fn error_expected(&self, t: &Tok) -> CompileError {
        self.error_near(&format!("{} expected", t.describe()))
    }

    /// An error without the `near` part (Lua's `luaK_semerror`).
    fn error_plain(&self, msg: String) -> CompileError {
        CompileError {
            line: self.cur.end_line,
            col: self.cur.col,
            message: msg,
        }
    }

    /// Enters one syntactic level; Lua aborts with "C stack overflow" at its C-call limit, and
    /// the same bound keeps our recursion far from the native stack's end.
    fn enter(&mut self) -> PResult<()> {
        self.depth += 1;
        if self.depth >= MAX_C_LEVELS {
            return Err(self.error_plain("C stack overflow".into()));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    /// Height of a node whose tallest child has height `child`, checked against the limit.
    fn grow(&self, child: Depth) -> PResult<Depth> {
        if child >= MAX_TREE_DEPTH {
            return Err(self.error_plain("C stack overflow".into()));
        }
        Ok(child + 1)
    }

    // ---- statements ----
    //
    // Every statement kind has its own function that pushes its `Stat` and returns its height,
    // so the recursive path (statement -> block -> statement) only carries small frames. A
    // single large `match` would reserve stack for the temporaries of every arm at each nesting
    // level: about 14 KiB per level unoptimized. `#[inline(never)]` stops the optimizer from
    // merging these back into their callers.

    /// Is the current token one that ends a block? `until` only counts where it may appear.
    fn block_follow(&self, with_until: bool) -> bool {
        match self.cur.tok {
            Tok::Else | Tok::Elseif | Tok::End | Tok::Eof => true,
            Tok::Until => with_until,
            _ => false,
        }
    }

    /// A statement list up to a block terminator, which is left for the caller to check.
    fn block(&mut self) -> PResult<(Block, Depth)> {
        let mut block = Block {
            stats: Vec::new(),
            ret: None,
        };
        let mut d = 0;
        while !self.block_follow(true) {
            if self.cur.tok == Tok::Return {
                // `return` must be the last statement; whatever follows is the caller's error.
                d = d.max(self.return_stat(&mut block)?);
                break;
            }
            d = d.max(self.statement(&mut block.stats)?);
        }
        let d = self.grow(d)?;
        Ok((block, d))
    }

    #[inline(never)]
    fn return_stat(&mut self, block: &mut Block) -> PResult<Depth> {
        self.enter()?;
        let line = self.cur.line;
        self.next()?;
        let (exprs, d) = if self.block_follow(true) || self.cur.tok == Tok::Semi {
            (Vec::new(), 0)
        } else {
            self.expr_list()?
        };
        self.test_next(&Tok::Semi)?;
        self.leave();
        block.ret = Some((exprs, line));
        Ok(d)
    }

    /// Parses one statement into `stats` (`;` adds nothing) and returns its height.
    fn statement(&mut self, stats: &mut Vec<Stat>) -> PResult<Depth> {
        self.enter()?;
        let line = self.cur.line;
        let result = match self.cur.tok {
            Tok::Semi => self.next().map(|()| 0),
            Tok::If => self.if_stat(stats, line),
            Tok::While => self.while_stat(stats, line),
            Tok::Do => self.do_stat(stats, line),
            Tok::For => self.for_stat(stats, line),
            Tok::Repeat => self.repeat_stat(stats, line),
            Tok::Function => self.function_stat(stats, line),
            Tok::Local => self.local_stat(stats, line),
            Tok::DColon => self.label_stat(stats, line),
            Tok::Break => self.next().map(|()| {
                stats.push(Stat::Break { line });
                1
            }),
            Tok::Goto => self.goto_stat(stats, line),
            _ => self.expr_stat(stats, line),
        };
        let d = result?;
        self.leave();
        Ok(d)
    }

    #[inline(never)]
    fn while_stat(&mut self, stats: &mut Vec<Stat>, line: Line) -> PResult<Depth> {
        self.next()?;
        let (cond, cd) = self.expr()?;
        self.check_next(&Tok::Do)?;
        let (body, bd) = self.block()?;
        self.check_match(&Tok::End, &Tok::While, line)?;
        stats.push(Stat::While { cond, body, line });
        self.grow(cd.max(bd))
    }

    #[inline(never)]
    fn do_stat(&mut self, stats: &mut Vec<Stat>, line: Line) -> PResult<Depth> {
        self.next()?;
        let (body, d) = self.block()?;
        self.check_match(&Tok::End, &Tok::Do, line)?;
        stats.push(Stat::Do(body));
        self.grow(d)
    }

    #[inline(never)]
    fn repeat_stat(&mut self, stats: &mut Vec<Stat>, line: Line) -> PResult<Depth> {
        self.next()?;
        let (body, bd) = self.block()?;
        self.check_match(&Tok::Until, &Tok::Repeat, line)?;
        let (cond, cd) = self.expr()?;
        stats.push(Stat::Repeat { body, cond, line });
        self.grow(cd.max(bd))
    }

    #[inline(never)]
    fn if_stat(&mut self, stats: &mut Vec<Stat>, line: Line) -> PResult<Depth> {
        // if cond then block {elseif cond then block} [else block] end
        let mut arms = Vec::new();
        let mut d = 0;
        loop {
            self.next()?; // skip `if` / `elseif`
            let (cond, cd) = self.expr()?;
            self.check_next(&Tok::Then)?;
            let (body, bd) = self.block()?;
            arms.push((cond, body));
            d = d.max(cd).max(bd);
            if self.cur.tok != Tok::Elseif {
                break;
            }
        }
        let else_block = if self.test_next(&Tok::Else)? {
            let (body, bd) = self.block()?;
            d = d.max(bd);
            Some(body)
        } else {
            None
        };
        self.check_match(&Tok::End, &Tok::If, line)?;
        stats.push(Stat::If {
            arms,
            else_block,
            line,
        });
        self.grow(d)
    }

    #[inline(never)]
    fn for_stat(&mut self, stats: &mut Vec<Stat>, line: Line) -> PResult<Depth> {
        self.next()?; // skip `for`
        let var = self.check_name()?;
        let (stat, d) = match self.cur.tok {
            Tok::Assign => self.num_for(var, line)?,
            Tok::Comma | Tok::In => self.gen_for(var, line)?,
            _ => return Err(self.error_near("'=' or 'in' expected")),
        };
        self.check_match(&Tok::End, &Tok::For, line)?;
        stats.push(stat);
        self.grow(d)
    }

    /// `= start, limit [, step] do block`, after the variable.
    #[inline(never)]
    fn num_for(&mut self, var: Bytes, line: Line) -> PResult<(Stat, Depth)> {
        self.next()?;
        let (start, d1) = self.expr()?;
        self.check_next(&Tok::Comma)?;
        let (limit, d2) = self.expr()?;
        let (step, d3) = if self.test_next(&Tok::Comma)? {
            let (step, d3) = self.expr()?;
            (Some(step), d3)
        } else {
            (None, 0)
        };
        self.check_next(&Tok::Do)?;
        let (body, bd) = self.block()?;
        let stat = Stat::NumFor {
            var,
            start,
            limit,
            step,
            body,
            line,
        };
        Ok((stat, d1.max(d2).max(d3).max(bd)))
    }

    /// `{, name} in exprs do block`, after the first variable.
    #[inline(never)]
    fn gen_for(&mut self, first: Bytes, line: Line) -> PResult<(Stat, Depth)> {
        let mut names = vec![first];
        while self.test_next(&Tok::Comma)? {
            names.push(self.check_name()?);
        }
        self.check_next(&Tok::In)?;
        let (exprs, ed) = self.expr_list()?;
        self.check_next(&Tok::Do)?;
        let (body, bd) = self.block()?;
        let stat = Stat::GenFor {
            names,
            exprs,
            body,
            line,
        };
        Ok((stat, ed.max(bd)))
    }

    /// `function funcname body`, where funcname is `Name {'.' Name} [':' Name]`.
    #[inline(never)]
    fn function_stat(&mut self, stats: &mut Vec<Stat>, line: Line) -> PResult<Depth> {
        self.next()?;
        let name_line = self.cur.line;
        let mut target = Expr::new(ExprKind::Name(self.check_name()?), name_line);
        let mut td = 1;
        let mut is_method = false;
        while matches!(self.cur.tok, Tok::Dot | Tok::Colon) {
            is_method = self.cur.tok == Tok::Colon;
            (target, td) = self.field_sel(target, td)?;
            if is_method {
                break;
            }
        }
        let (func, fd) = self.func_body(is_method, line)?;
        let func = Box::new(func);
        stats.push(Stat::Function { target, func, line });
        self.grow(td.max(fd))
    }

    /// `local function name body` or `local name [attrib] {, name [attrib]} [= exprs]`.
    #[inline(never)]
    fn local_stat(&mut self, stats: &mut Vec<Stat>, line: Line) -> PResult<Depth> {
        self.next()?;
        if self.test_next(&Tok::Function)? {
            self.local_function(stats, line)
        } else {
            self.local_vars(stats, line)
        }
    }

    /// `name body`, after `local function`.
    #[inline(never)]
    fn local_function(&mut self, stats: &mut Vec<Stat>, line: Line) -> PResult<Depth> {
        let name = self.check_name()?;
        // Lua dates a local function from the token after its name.
        let fline = self.cur.line;
        let (func, d) = self.func_body(false, fline)?;
        let func = Box::new(func);
        stats.push(Stat::LocalFunction { name, func, line });
        self.grow(d)
    }

    /// `name [attrib] {, name [attrib]} [= exprs]`, after `local`.
    #[inline(never)]
    fn local_vars(&mut self, stats: &mut Vec<Stat>, line: Line) -> PResult<Depth> {
        let mut names = Vec::new();
        let mut has_close = false;
        loop {
            let name = self.check_name()?;
            let attrib = self.attrib()?;
            if attrib == Attrib::Close {
                if has_close {
                    return Err(
                        self.error_plain("multiple to-be-closed variables in local list".into())
                    );
                }
                has_close = true;
            }
            names.push((name, attrib));
            if !self.test_next(&Tok::Comma)? {
                break;
            }
        }
        let (exprs, d) = if self.test_next(&Tok::Assign)? {
            self.expr_list()?
        } else {
            (Vec::new(), 0)
        };
        stats.push(Stat::Local { names, exprs, line });
        self.grow(d)
    }

    /// An optional `<const>` / `<close>` after a local's name.
    #[inline(never)]
    fn attrib(&mut self) -> PResult<Attrib> {
        if !self.test_next(&Tok::Lt)? {
            return Ok(Attrib::None);
        }
        let attr = self.check_name()?;
        self.check_next(&Tok::Gt)?;
        match &attr[..] {
            b"const" => Ok(Attrib::Const),
            b"close" => Ok(Attrib::Close),
            _ => {
                let attr = String::from_utf8_lossy(&attr);
                Err(self.error_plain(format!("unknown attribute '{attr}'")))
            }
        }
    }

    /// `::name::`, plus the `;` and labels right after it.
    #[inline(never)]
    fn label_stat(&mut self, stats: &mut Vec<Stat>, line: Line) -> PResult<Depth> {
        self.next()?;
        let name = self.check_name()?;
        self.check_next(&Tok::DColon)?;
        stats.push(Stat::Label { name, line });
        // Lua parses the no-op statements after a label right here, one level deeper (it
        // checks whether the label ends its block); do the same so nesting limits agree.
        while matches!(self.cur.tok, Tok::Semi | Tok::DColon) {
            self.statement(stats)?;
        }
        Ok(1)
    }

    #[inline(never)]
    fn goto_stat(&mut self, stats: &mut Vec<Stat>, line: Line) -> PResult<Depth> {
        self.next()?;
        let label = self.check_name()?;
        stats.push(Stat::Goto { label, line });
        Ok(1)
    }

    /// An assignment or a call statement.
    #[inline(never)]
    fn expr_stat(&mut self, stats: &mut Vec<Stat>, line: Line) -> PResult<Depth> {
        let (first, d) = self.suffixed_exp()?;
        if matches!(self.cur.tok, Tok::Assign | Tok::Comma) {
            return self.assignment(stats, first, d, line);
        }
        if !matches!(first.kind, ExprKind::Call(..) | ExprKind::Method(..)) {
            return Err(self.error_near("syntax error"));
        }
        stats.push(Stat::Call(first));
        self.grow(d)
    }

    /// The rest of an assignment whose first target (of height `d`) has been read.
    #[inline(never)]
    fn assignment(
        &mut self,
        stats: &mut Vec<Stat>,
        first: Expr,
        mut d: Depth,
        line: Line,
    ) -> PResult<Depth> {
        let mut targets = vec![first];
        // Lua recurses once per extra target, each a level deeper; we loop but count levels
        // the same way so the limits match.
        let mut extra_levels = 0;
        loop {
            let last = targets.last().map(|t| &t.kind);
            if !matches!(last, Some(ExprKind::Name(_) | ExprKind::Index(..))) {
                return Err(self.error_near("syntax error"));
            }
            if !self.test_next(&Tok::Comma)? {
                break;
            }
            let (target, td) = self.suffixed_exp()?;
            targets.push(target);
            d = d.max(td);
            self.enter()?;
            extra_levels += 1;
        }
        self.check_next(&Tok::Assign)?;
        let (exprs, ed) = self.expr_list()?;
        self.depth -= extra_levels;
        stats.push(Stat::Assign {
            targets,
            exprs,
            line,
        });
        self.grow(d.max(ed))
    }

    /// Parameters and body of a function, from `(` to `end`. `line` is what Lua records as the
    /// line the function is defined on: the `function` keyword for statements, but the token
    /// after `function` (or after a local function's name) otherwise, normally the same line.
    #[inline(never)]
    fn func_body(&mut self, is_method: bool, line: Line) -> PResult<(FuncBody, Depth)> {
        let (params, is_vararg) = self.params(is_method)?;
        let outer_vararg = std::mem::replace(&mut self.vararg, is_vararg);
        let (block, d) = self.block()?;
        let end_line = self.cur.line;
        self.check_match(&Tok::End, &Tok::Function, line)?;
        self.vararg = outer_vararg;
        let body = FuncBody {
            params,
            is_vararg,
            block,
            line,
            end_line,
        };
        Ok((body, d))
    }

    /// `( [names] [...] )`: the parameter names and whether the function is vararg.
    #[inline(never)]
    fn params(&mut self, is_method: bool) -> PResult<(Vec<Bytes>, bool)> {
        self.check_next(&Tok::LParen)?;
        let mut params = Vec::new();
        if is_method {
            params.push(b"self".to_vec());
        }
        let mut is_vararg = false;
        if self.cur.tok != Tok::RParen {
            loop {
                match self.cur.tok {
                    Tok::Name => params.push(self.check_name()?),
                    Tok::Dots => {
                        self.next()?;
                        is_vararg = true;
                    }
                    _ => return Err(self.error_near("<name> or '...' expected")),
                }
                if is_vararg || !self.test_next(&Tok::Comma)? {
                    break;
                }
            }
        }
        self.check_next(&Tok::RParen)?;
        Ok((params, is_vararg))
    }

    // ---- expressions ----
    //
    // As with statements, the functions on the recursive path (sub_expr, simple_exp,
    // suffixed_exp, primary_exp) stay small and hand the less common shapes to helpers.

    /// `e {, e}` and the height of its tallest expression.
    fn expr_list(&mut self) -> PResult<(Vec<Expr>, Depth)> {
        let mut exprs = Vec::new();
        let mut d = 0;
        loop {
            let (e, ed) = self.expr()?;
            exprs.push(e);
            d = d.max(ed);
            if !self.test_next(&Tok::Comma)? {
                return Ok((exprs, d));
            }
        }
    }

    fn expr(&mut self) -> PResult<(Expr, Depth)> {
        self.sub_expr(0)
    }

    /// Precedence climbing: parses operands and every binary operator whose left priority is
    /// above `limit`. Left-associative chains loop here; right-associative ones (`..`, `^`)
    /// and unary chains recurse, bounded by the level limit exactly as in Lua.
    fn sub_expr(&mut self, limit: u8) -> PResult<(Expr, Depth)> {
        self.enter()?;
        let mut result = match unary_op(&self.cur.tok) {
            Some(op) => self.unary_exp(op),
            None => self.simple_exp(),
        };
        // One `result` slot instead of `?` at each step keeps this frame small in unoptimized
        // builds, where this function is on every nesting path.
        while let Ok((left, d)) = result {
            match binary_op(&self.cur.tok) {
                Some((op, left_prio, right_prio)) if left_prio > limit => {
                    result = self.binary_exp(left, d, op, right_prio);
                }
                _ => {
                    self.leave();
                    return Ok((left, d));
                }
            }
        }
        result
    }

    #[inline(never)]
    fn unary_exp(&mut self, op: UnOp) -> PResult<(Expr, Depth)> {
        let line = self.cur.line;
        self.next()?;
        let (operand, d) = self.sub_expr(UNARY_PRIORITY)?;
        let d = self.grow(d)?;
        Ok((Expr::new(ExprKind::Unary(op, Box::new(operand)), line), d))
    }

    /// `left op right`, at the operator; `right` binds operators above `right_prio`.
    #[inline(never)]
    fn binary_exp(
        &mut self,
        left: Expr,
        ld: Depth,
        op: BinOp,
        right_prio: u8,
    ) -> PResult<(Expr, Depth)> {
        let line = self.cur.line;
        self.next()?;
        let (right, rd) = self.sub_expr(right_prio)?;
        let d = self.grow(ld.max(rd))?;
        let kind = ExprKind::Binary(op, Box::new(left), Box::new(right));
        Ok((Expr::new(kind, line), d))
    }

    fn simple_exp(&mut self) -> PResult<(Expr, Depth)> {
        let line = self.cur.line;
        let kind = match &mut self.cur.tok {
            Tok::Int(i) => ExprKind::Int(*i),
            Tok::Float(f) => ExprKind::Float(*f),
            Tok::Str(s) => ExprKind::Str(std::mem::take(s)),
            Tok::Nil => ExprKind::Nil,
            Tok::True => ExprKind::True,
            Tok::False => ExprKind::False,
            Tok::Dots if self.vararg => ExprKind::Vararg,
            Tok::Dots => {
                return Err(self.error_near("cannot use '...' outside a vararg function"));
            }
            Tok::LBrace => return self.table(),
            Tok::Function => return self.function_exp(),
            _ => return self.suffixed_exp(),
        };
        self.next()?;
        Ok((Expr::new(kind, line), 1))
    }

    #[inline(never)]
    fn function_exp(&mut self) -> PResult<(Expr, Depth)> {
        let line = self.cur.line;
        self.next()?;
        let (body, d) = self.func_body(false, self.cur.line)?;
        let d = self.grow(d)?;
        Ok((Expr::new(ExprKind::Function(Box::new(body)), line), d))
    }

    fn primary_exp(&mut self) -> PResult<(Expr, Depth)> {
        match self.cur.tok {
            Tok::Name => {
                let line = self.cur.line;
                Ok((Expr::new(ExprKind::Name(self.check_name()?), line), 1))
            }
            Tok::LParen => self.paren_exp(),
            _ => Err(self.error_near("unexpected symbol")),
        }
    }

    #[inline(never)]
    fn paren_exp(&mut self) -> PResult<(Expr, Depth)> {
        let line = self.cur.line;
        self.next()?;
        let (inner, d) = self.expr()?;
        self.check_match(&Tok::RParen, &Tok::LParen, line)?;
        let d = self.grow(d)?;
        Ok((Expr::new(ExprKind::Paren(Box::new(inner)), line), d))
    }

    /// A primary expression followed by any number of `.name`, `[k]`, `:m(args)` and call
    /// suffixes, built left to right in a loop.
    fn suffixed_exp(&mut self) -> PResult<(Expr, Depth)> {
        // Lua attributes every call in the chain to the line where the chain starts, and
        // reports an unclosed `(` of the arguments as opened there too.
        let line = self.cur.line;
        let mut result = self.primary_exp();
        while let Ok((e, d)) = result {
            result = match self.cur.tok {
                Tok::Dot => self.field_sel(e, d),
                Tok::LBracket => self.index_exp(e, d),
                Tok::Colon => self.method_call(e, d, line),
                Tok::LParen | Tok::Str(_) | Tok::LBrace => self.call(e, d, line),
                _ => return Ok((e, d)),
            };
        }
        result
    }

    /// `.name` or `:name` after `e` (of height `d`): `Index(e, Str(name))` on the line of the
    /// dot.
    #[inline(never)]
    fn field_sel(&mut self, e: Expr, d: Depth) -> PResult<(Expr, Depth)> {
        let line = self.cur.line;
        self.next()?;
        let name_line = self.cur.line;
        let key = Expr::new(ExprKind::Str(self.check_name()?), name_line);
        let d = self.grow(d)?;
        Ok((
            Expr::new(ExprKind::Index(Box::new(e), Box::new(key)), line),
            d,
        ))
    }

    /// `[k]` after `e`.
    #[inline(never)]
    fn index_exp(&mut self, e: Expr, d: Depth) -> PResult<(Expr, Depth)> {
        let line = self.cur.line;
        self.next()?;
        let (key, kd) = self.expr()?;
        self.check_next(&Tok::RBracket)?;
        let d = self.grow(d.max(kd))?;
        Ok((
            Expr::new(ExprKind::Index(Box::new(e), Box::new(key)), line),
            d,
        ))
    }

    /// `:name args` after `e`.
    #[inline(never)]
    fn method_call(&mut self, e: Expr, d: Depth, line: Line) -> PResult<(Expr, Depth)> {
        self.next()?;
        let name = self.check_name()?;
        let (args, ad) = self.call_args(line)?;
        let d = self.grow(d.max(ad))?;
        Ok((
            Expr::new(ExprKind::Method(Box::new(e), name, args), line),
            d,
        ))
    }

    /// Call arguments after `e`.
    #[inline(never)]
    fn call(&mut self, e: Expr, d: Depth, line: Line) -> PResult<(Expr, Depth)> {
        let (args, ad) = self.call_args(line)?;
        let d = self.grow(d.max(ad))?;
        Ok((Expr::new(ExprKind::Call(Box::new(e), args), line), d))
    }

    /// Call arguments: `(exprs)`, a table constructor or a string literal. `line` is where the
    /// call expression started.
    fn call_args(&mut self, line: Line) -> PResult<(Vec<Expr>, Depth)> {
        match self.cur.tok {
            Tok::LParen => self.paren_args(line),
            Tok::LBrace => self.table().map(|(table, d)| (vec![table], d)),
            Tok::Str(_) => self.string_arg(),
            _ => Err(self.error_near("function arguments expected")),
        }
    }

    /// `( [exprs] )`; `line` is where the call expression started.
    #[inline(never)]
    fn paren_args(&mut self, line: Line) -> PResult<(Vec<Expr>, Depth)> {
        self.next()?;
        let args = if self.cur.tok == Tok::RParen {
            (Vec::new(), 0)
        } else {
            self.expr_list()?
        };
        self.check_match(&Tok::RParen, &Tok::LParen, line)?;
        Ok(args)
    }

    #[inline(never)]
    fn string_arg(&mut self) -> PResult<(Vec<Expr>, Depth)> {
        let line = self.cur.line;
        let Tok::Str(s) = &mut self.cur.tok else {
            unreachable!("string_arg called on a non-string token");
        };
        let arg = Expr::new(ExprKind::Str(std::mem::take(s)), line);
        self.next()?;
        Ok((vec![arg], 1))
    }

    /// Table constructor `{ fields }`, at the `{`.
    #[inline(never)]
    fn table(&mut self) -> PResult<(Expr, Depth)> {
        let line = self.cur.line;
        self.next()?;
        let mut fields = Vec::new();
        let mut d = 0;
        while self.cur.tok != Tok::RBrace {
            d = d.max(self.field(&mut fields)?);
            if !(self.test_next(&Tok::Comma)? || self.test_next(&Tok::Semi)?) {
                break;
            }
        }
        self.check_match(&Tok::RBrace, &Tok::LBrace, line)?;
        let d = self.grow(d)?;
        Ok((Expr::new(ExprKind::Table(fields), line), d))
    }

    /// One table field: `name = v`, `[k] = v` or `v`.
    fn field(&mut self, fields: &mut Vec<TableField>) -> PResult<Depth> {
        // `name = v` needs one token of lookahead to tell from an expression.
        if self.cur.tok == Tok::Name && *self.peek()? == Tok::Assign {
            self.named_field(fields)
        } else if self.cur.tok == Tok::LBracket {
            self.keyed_field(fields)
        } else {
            let (value, d) = self.expr()?;
            fields.push(TableField::Item(value));
            Ok(d)
        }
    }

    /// `name = v`.
    #[inline(never)]
    fn named_field(&mut self, fields: &mut Vec<TableField>) -> PResult<Depth> {
        let key_line = self.cur.line;
        let key = Expr::new(ExprKind::Str(self.check_name()?), key_line);
        self.next()?; // `=`
        let (value, d) = self.expr()?;
        fields.push(TableField::Pair(key, value));
        Ok(d)
    }

    /// `[k] = v`.
    #[inline(never)]
    fn keyed_field(&mut self, fields: &mut Vec<TableField>) -> PResult<Depth> {
        self.next()?;
        let (key, kd) = self.expr()?;
        self.check_next(&Tok::RBracket)?;
        self.check_next(&Tok::Assign)?;
        let (value, vd) = self.expr()?;
        fields.push(TableField::Pair(key, value));
        Ok(kd.max(vd))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `src` shortened for failure messages (some inputs are huge).
    fn short(src: &str) -> &str {
        &src[..src.floor_char_boundary(80)]
    }

    fn ok(src: &str) -> Block {
        parse(src.as_bytes()).unwrap_or_else(|e| panic!("{:?}: {e}", short(src)))
    }

    fn err(src: &str) -> (u32, String) {
        match parse(src.as_bytes()) {
            Ok(_) => panic!("{:?} parsed", short(src)),
            Err(e) => (e.line, e.message),
        }
    }

    fn text(b: &[u8]) -> String {
        String::from_utf8_lossy(b).into_owned()
    }

    /// Compact S-expression form of an expression, for structure checks.
    fn sx(e: &Expr) -> String {
        let list = |es: &[Expr]| es.iter().map(sx).collect::<Vec<_>>().join(", ");
        match &e.kind {
            ExprKind::Nil => "nil".into(),
            ExprKind::True => "true".into(),
            ExprKind::False => "false".into(),
            ExprKind::Vararg => "...".into(),
            ExprKind::Int(i) => i.to_string(),
            ExprKind::Float(f) => format!("{f:?}"),
            ExprKind::Str(s) => format!("{:?}", text(s)),
            ExprKind::Name(n) => text(n),
            ExprKind::Function(f) => format!(
                "(fn [{}{}] {}s)",
                f.params
                    .iter()
                    .map(|p| text(p))
                    .collect::<Vec<_>>()
                    .join(" "),
                if f.is_vararg { " ..." } else { "" },
                f.block.stats.len()
            ),
            ExprKind::Table(fields) => {
                let fs: Vec<String> = fields
                    .iter()
                    .map(|f| match f {
                        TableField::Item(v) => sx(v),
                        TableField::Pair(k, v) => format!("[{}]={}", sx(k), sx(v)),
                    })
                    .collect();
                format!("{{{}}}", fs.join(", "))
            }
            ExprKind::Binary(op, l, r) => format!("({op:?} {} {})", sx(l), sx(r)),
            ExprKind::Unary(op, x) => format!("({op:?} {})", sx(x)),
            ExprKind::Index(t, k) => format!("{}[{}]", sx(t), sx(k)),
            ExprKind::Call(f, args) => format!("{}({})", sx(f), list(args)),
            ExprKind::Method(o, m, args) => format!("{}:{}({})", sx(o), text(m), list(args)),
            ExprKind::Paren(x) => format!("<{}>", sx(x)),
        }
    }

    /// The single expression of `return <src>`.
    fn ret(src: &str) -> String {
        let b = ok(&format!("return {src}"));
        let (exprs, _) = b.ret.expect("return");
        assert_eq!(exprs.len(), 1);
        sx(&exprs[0])
    }

    #[test]
    fn precedence_and_associativity() {
        assert_eq!(ret("1+2*3^2^-1"), "(Add 1 (Mul 2 (Pow 3 (Pow 2 (Neg 1)))))");
        assert_eq!(ret("-x^2"), "(Neg (Pow x 2))");
        assert_eq!(ret("2^-3"), "(Pow 2 (Neg 3))");
        assert_eq!(ret("-2^-3^2"), "(Neg (Pow 2 (Neg (Pow 3 2))))");
        assert_eq!(ret("not a == b"), "(Eq (Not a) b)");
        assert_eq!(ret("a..b..c"), "(Concat a (Concat b c))");
        assert_eq!(ret("a-b-c"), "(Sub (Sub a b) c)");
        assert_eq!(ret("a < b < c"), "(Lt (Lt a b) c)");
        assert_eq!(ret("a == b ~= c"), "(Ne (Eq a b) c)");
        assert_eq!(ret("a or b and c"), "(Or a (And b c))");
        assert_eq!(ret("a and b or c and d"), "(Or (And a b) (And c d))");
        assert_eq!(
            ret("a | b ~ c & d << e"),
            "(BOr a (BXor b (BAnd c (Shl d e))))"
        );
        assert_eq!(ret("a << b .. c"), "(Shl a (Concat b c))");
        assert_eq!(ret("a .. b + c"), "(Concat a (Add b c))");
        assert_eq!(
            ret("a + b * c // d % e / f"),
            "(Add a (Div (Mod (IDiv (Mul b c) d) e) f))"
        );
        assert_eq!(ret("#t + ~x - -y"), "(Sub (Add (Len t) (BNot x)) (Neg y))");
        assert_eq!(ret("a < b == (c > d)"), "(Eq (Lt a b) <(Gt c d)>)");
        assert_eq!(ret("a >= b or a <= b"), "(Or (Ge a b) (Le a b))");
        assert_eq!(ret("a ~ ~b"), "(BXor a (BNot b))");
        assert_eq!(ret("not not x"), "(Not (Not x))");
        assert_eq!(ret("a >> 1 << 2"), "(Shl (Shr a 1) 2)");
        // No constant folding: literals under unary minus stay as written.
        assert_eq!(ret("-1"), "(Neg 1)");
        assert_eq!(ret("-1.5"), "(Neg 1.5)");
        assert_eq!(ret("-9223372036854775808"), "(Neg 9.223372036854776e18)");
    }

    #[test]
    fn simple_and_suffixed_expressions() {
        assert_eq!(ret("nil"), "nil");
        assert_eq!(ret("true"), "true");
        assert_eq!(ret("false"), "false");
        assert_eq!(ret("..."), "...");
        assert_eq!(ret("0x10"), "16");
        assert_eq!(ret("'s'"), "\"s\"");
        assert_eq!(ret("a.b.c"), "a[\"b\"][\"c\"]");
        assert_eq!(ret("a[1][b]"), "a[1][b]");
        assert_eq!(ret("f(1, 2)()"), "f(1, 2)()");
        assert_eq!(ret("f{1}"), "f({1})");
        assert_eq!(ret("f'x'"), "f(\"x\")");
        assert_eq!(ret("f[[x]]"), "f(\"x\")");
        assert_eq!(ret("o:m(1):n'x':p{}"), "o:m(1):n(\"x\"):p({})");
        assert_eq!(ret("a.b:c(d).e"), "a[\"b\"]:c(d)[\"e\"]");
        assert_eq!(ret("(f())"), "<f()>");
        assert_eq!(ret("(...)"), "<...>");
        assert_eq!(ret("((a))"), "<<a>>");
        assert_eq!(ret("(a).b"), "<a>[\"b\"]");
        assert_eq!(ret("(\"s\"):upper()"), "<\"s\">:upper()");
        assert_eq!(
            ret("{1, x = 2, [3] = 4; 'five', f(), ...}"),
            "{1, [\"x\"]=2, [3]=4, \"five\", f(), ...}"
        );
        assert_eq!(ret("{}"), "{}");
        assert_eq!(ret("{x}"), "{x}");
        assert_eq!(ret("{x == 1}"), "{(Eq x 1)}");
        assert_eq!(ret("{1,}"), "{1}");
        assert_eq!(ret("{{}, {{}}}"), "{{}, {{}}}");
        assert_eq!(ret("function(a, b, ...) end"), "(fn [a b ...] 0s)");
        assert_eq!(ret("function(...) return ... end"), "(fn [ ...] 0s)");
    }

    #[test]
    fn statement_forms() {
        let b = ok("local a <const>, b <close>, c = 1, 2\n\
                    a, b.c, d[1] = f()\n\
                    f(x) o:m()\n\
                    do end while x do break end repeat local y until y\n\
                    if a then elseif b then else end\n\
                    for i = 1, 10, 2 do end for k, v in pairs(t), 1 do end\n\
                    function t.a.b:m(x) end function g(...) end\n\
                    local function h() end\n\
                    ::top:: goto top ;;\n\
                    return 1, 2;");
        let s = &b.stats;
        assert_eq!(s.len(), 15);
        let Stat::Local { names, exprs, line } = &s[0] else {
            panic!("{:?}", s[0])
        };
        assert_eq!(
            names.iter().map(|(n, a)| (text(n), *a)).collect::<Vec<_>>(),
            vec![
                ("a".to_string(), Attrib::Const),
                ("b".to_string(), Attrib::Close),
                ("c".to_string(), Attrib::None)
            ]
        );
        assert_eq!((exprs.len(), *line), (2, 1));
        let Stat::Assign {
            targets,
            exprs,
            line,
        } = &s[1]
        else {
            panic!()
        };
        assert_eq!(
            targets.iter().map(sx).collect::<Vec<_>>(),
            ["a", "b[\"c\"]", "d[1]"]
        );
        assert_eq!((sx(&exprs[0]), *line), ("f()".to_string(), 2));
        assert!(matches!(&s[2], Stat::Call(e) if sx(e) == "f(x)"));
        assert!(matches!(&s[3], Stat::Call(e) if sx(e) == "o:m()"));
        assert!(matches!(&s[4], Stat::Do(b) if b.stats.is_empty()));
        let Stat::While {
            cond,
            body,
            line: 4,
        } = &s[5]
        else {
            panic!()
        };
        assert_eq!(sx(cond), "x");
        assert!(matches!(body.stats[..], [Stat::Break { line: 4 }]));
        let Stat::Repeat { body, cond, .. } = &s[6] else {
            panic!()
        };
        assert_eq!((body.stats.len(), sx(cond)), (1, "y".to_string()));
        let Stat::If {
            arms,
            else_block,
            line: 5,
        } = &s[7]
        else {
            panic!()
        };
        assert_eq!(
            arms.iter().map(|(c, _)| sx(c)).collect::<Vec<_>>(),
            ["a", "b"]
        );
        assert!(else_block.is_some());
        let Stat::NumFor {
            var,
            start,
            limit,
            step,
            ..
        } = &s[8]
        else {
            panic!()
        };
        assert_eq!(text(var), "i");
        assert_eq!((sx(start), sx(limit)), ("1".to_string(), "10".to_string()));
        assert_eq!(step.as_ref().map(sx).as_deref(), Some("2"));
        let Stat::GenFor { names, exprs, .. } = &s[9] else {
            panic!()
        };
        assert_eq!(
            names.iter().map(|n| text(n)).collect::<Vec<_>>(),
            ["k", "v"]
        );
        assert_eq!(exprs.iter().map(sx).collect::<Vec<_>>(), ["pairs(t)", "1"]);
        let Stat::Function {
            target,
            func,
            line: 7,
        } = &s[10]
        else {
            panic!()
        };
        assert_eq!(sx(target), "t[\"a\"][\"b\"][\"m\"]");
        assert_eq!(
            func.params.iter().map(|p| text(p)).collect::<Vec<_>>(),
            ["self", "x"]
        );
        assert!(!func.is_vararg);
        let Stat::Function { target, func, .. } = &s[11] else {
            panic!()
        };
        assert_eq!((sx(target), func.is_vararg), ("g".to_string(), true));
        assert!(func.params.is_empty());
        assert!(matches!(&s[12], Stat::LocalFunction { name, line: 8, .. } if name == b"h"));
        assert!(matches!(&s[13], Stat::Label { name, line: 9 } if name == b"top"));
        assert!(matches!(&s[14], Stat::Goto { label, line: 9 } if label == b"top"));
        let (exprs, line) = b.ret.as_ref().unwrap();
        assert_eq!((exprs.len(), *line), (2, 10));
        // An empty chunk, and `return` with no values.
        assert!(ok("").stats.is_empty() && ok("").ret.is_none());
        assert_eq!(ok("return").ret.map(|(e, _)| e.len()), Some(0));
        assert_eq!(ok("return;").ret.map(|(e, _)| e.len()), Some(0));
        assert!(ok("do return end").stats.len() == 1);
    }

    #[test]
    fn lines() {
        let b = ok("local x = a\n  + b\n\
                    f\n(1)\n\
                    t\n.x\n.y = 1\n\
                    local z = function\n() end");
        let Stat::Local { exprs, line: 1, .. } = &b.stats[0] else {
            panic!()
        };
        // A binary expression is on its operator's line.
        assert_eq!(exprs[0].line, 2);
        let ExprKind::Binary(_, l, r) = &exprs[0].kind else {
            panic!()
        };
        assert_eq!((l.line, r.line), (1, 2));
        // A call is on the line where its prefix expression starts (where Lua reports it).
        let Stat::Call(call) = &b.stats[1] else {
            panic!()
        };
        assert_eq!(call.line, 3);
        let ExprKind::Call(_, args) = &call.kind else {
            panic!()
        };
        assert_eq!(args[0].line, 4);
        // Indexing is on the line of its `.`.
        let Stat::Assign {
            targets, line: 5, ..
        } = &b.stats[2]
        else {
            panic!()
        };
        assert_eq!(targets[0].line, 7);
        let ExprKind::Index(inner, key) = &targets[0].kind else {
            panic!()
        };
        assert_eq!((inner.line, key.line), (6, 7));
        // Function expression: expression on `function`, body dated like Lua's `linedefined`.
        let Stat::Local { exprs, .. } = &b.stats[3] else {
            panic!()
        };
        let ExprKind::Function(f) = &exprs[0].kind else {
            panic!()
        };
        assert_eq!((exprs[0].line, f.line, f.end_line), (8, 9, 9));
        let b = ok("function f()\n\nend\nlocal function g()\nend");
        let Stat::Function { func, line: 1, .. } = &b.stats[0] else {
            panic!()
        };
        assert_eq!((func.line, func.end_line), (1, 3));
        let Stat::LocalFunction { func, line: 4, .. } = &b.stats[1] else {
            panic!()
        };
        assert_eq!((func.line, func.end_line), (4, 5));
    }

    #[test]
    fn errors_match_lua() {
        // (source, line, message) as printed by lua5.4 / luac5.4 -p.
        let cases: &[(&str, u32, &str)] = &[
            ("x = = 1", 1, "unexpected symbol near '='"),
            ("f(", 1, "unexpected symbol near <eof>"),
            ("function f() x = 1", 1, "'end' expected near <eof>"),
            (
                "function f()\nx = 1",
                2,
                "'end' expected (to close 'function' at line 1) near <eof>",
            ),
            ("local x <foo> = 1", 1, "unknown attribute 'foo'"),
            ("x", 1, "syntax error near <eof>"),
            ("x = 1 y = 2 z", 1, "syntax error near <eof>"),
            ("a.b:c = 1", 1, "function arguments expected near '='"),
            ("1 = 2", 1, "unexpected symbol near '1'"),
            ("for i = 1 do end", 1, "',' expected near 'do'"),
            ("for i do end", 1, "'=' or 'in' expected near 'do'"),
            ("for a, b do end", 1, "'in' expected near 'do'"),
            ("goto", 1, "<name> expected near <eof>"),
            ("goto 1", 1, "<name> expected near '1'"),
            ("::a", 1, "'::' expected near <eof>"),
            ("::1::", 1, "<name> expected near '1'"),
            ("return 1 x = 2", 1, "<eof> expected near 'x'"),
            ("return 1;;", 1, "<eof> expected near ';'"),
            ("do return 1 x = 2 end", 1, "'end' expected near 'x'"),
            (
                "if x then\nelse",
                2,
                "'end' expected (to close 'if' at line 1) near <eof>",
            ),
            ("if x", 1, "'then' expected near <eof>"),
            ("repeat\n x = 1 until", 2, "unexpected symbol near <eof>"),
            (
                "x = {\n1, 2",
                2,
                "'}' expected (to close '{' at line 1) near <eof>",
            ),
            (
                "f\n(1",
                2,
                "')' expected (to close '(' at line 1) near <eof>",
            ),
            ("function a.1() end", 1, "'(' expected near '.1'"),
            (
                "x = function(a, 1) end",
                1,
                "<name> or '...' expected near '1'",
            ),
            ("x = function(a, ...,b) end", 1, "')' expected near ','"),
            ("x, f() = 1", 1, "syntax error near '='"),
            ("(a) = 1", 1, "syntax error near '='"),
            ("x, y", 1, "'=' expected near <eof>"),
            ("x = {[1] 2}", 1, "'=' expected near '2'"),
            ("x = {a = }", 1, "unexpected symbol near '}'"),
            (
                "function f() x = ... end",
                1,
                "cannot use '...' outside a vararg function near '...'",
            ),
            (
                "function f(...) return function() return ... end end",
                1,
                "cannot use '...' outside a vararg function near '...'",
            ),
            (
                "local x <close>, y <close> = 1",
                1,
                "multiple to-be-closed variables in local list",
            ),
            ("local x <const", 1, "'>' expected near <eof>"),
            ("x = 'a' 'b'", 1, "unexpected symbol near ''b''"),
            ("x = a:b.c()", 1, "function arguments expected near '.'"),
            ("break = 1", 1, "unexpected symbol near '='"),
            ("local function f\n(a", 2, "')' expected near <eof>"),
            (
                "local [==[\na\nb]==]",
                3,
                "<name> expected near '[==[a\nb]==]'",
            ),
            ("local \"a\\0b\"", 1, "<name> expected near '\"a'"),
            ("local \"a\\z  \n  b\"", 2, "<name> expected near '\"ab\"'"),
            ("x = 1 -- c\n + 2 z", 2, "syntax error near <eof>"),
            // A `#!` line is skipped by the file loader only; in a chunk it is a syntax error.
            ("#!/bin/lua\nx = = 1", 1, "unexpected symbol near '#'"),
            ("x = @", 1, "unexpected symbol near '@'"),
            ("x = \u{e9}", 1, "unexpected symbol near '<\\195>'"),
            ("x = 3x", 1, "malformed number near '3x'"),
            ("x = \"abc", 1, "unfinished string near <eof>"),
            (
                "x = [==[ abc",
                1,
                "unfinished long string (starting at line 1) near <eof>",
            ),
        ];
        for &(src, line, msg) in cases {
            assert_eq!(err(src), (line, msg.to_string()), "{src:?}");
        }
    }

    #[test]
    fn error_columns() {
        let e = parse(b"x = 1\n  y = = 2").unwrap_err();
        assert_eq!((e.line, e.col), (2, 7));
        let e = parse(b"local s = 'abc").unwrap_err();
        assert_eq!((e.line, e.col), (1, 11));
    }

    /// Lua's nesting limit counts statements, expressions and extra assignment targets; these
    /// sizes are the exact boundaries where lua5.4 starts failing.
    #[test]
    fn nesting_limit_matches_lua() {
        let overflow = (1, "C stack overflow".to_string());
        let parens = |n| format!("return {}1{}", "(".repeat(n), ")".repeat(n));
        ok(&parens(196));
        assert_eq!(err(&parens(197)), overflow);
        let tables = |n| format!("return {}1{}", "{".repeat(n), "}".repeat(n));
        ok(&tables(196));
        assert_eq!(err(&tables(197)), overflow);
        let negs = |n| format!("return {}1", "- ".repeat(n));
        ok(&negs(196));
        assert_eq!(err(&negs(197)), overflow);
        let pows = |n| format!("return 2{}", "^2".repeat(n));
        ok(&pows(196));
        assert_eq!(err(&pows(197)), overflow);
        let targets = |n| format!("a{} = 1", ",a".repeat(n));
        ok(&targets(196));
        assert_eq!(err(&targets(197)), overflow);
        let dos = |n| format!("{}{}", "do ".repeat(n), "end ".repeat(n));
        ok(&dos(198));
        assert_eq!(err(&dos(199)), overflow);
        let funcs = |n| {
            format!(
                "return {}1{}",
                "function() return ".repeat(n),
                " end".repeat(n)
            )
        };
        ok(&funcs(98));
        assert_eq!(err(&funcs(99)), overflow);
        let labels = |n: usize| (0..n).map(|i| format!("::l{i}::")).collect::<String>();
        ok(&labels(198));
        assert_eq!(err(&labels(199)), overflow);
        // lua5.4 also fails on long right-associative chains, which recurse.
        assert_eq!(err(&format!("x = a{}", "..a".repeat(10_000))), overflow);
    }

    #[test]
    fn long_flat_inputs() {
        let stats = "x = 1\n".repeat(100_000);
        assert_eq!(ok(&stats).stats.len(), 100_000);
        let table = format!("return {{{}}}", "1,".repeat(1_000_000));
        let b = ok(&table);
        let ExprKind::Table(fields) = &b.ret.unwrap().0[0].kind else {
            panic!()
        };
        assert_eq!(fields.len(), 1_000_000);
        // Long left-associative chains are loops, and fine up to the tree-depth cap...
        let sum = format!("return a{}", "+a".repeat(500));
        assert!(ret(&sum["return ".len()..]).starts_with("(Add (Add"));
        ok(&format!("x = a{}", ".b".repeat(900)));
        ok(&format!("f{}", "()".repeat(900)));
        // ...beyond which they are rejected instead of building a tree too deep to drop.
        assert_eq!(
            err(&format!("x = a{}", "+a".repeat(100_000))),
            (1, "C stack overflow".to_string())
        );
        assert_eq!(
            err(&format!("x = a{}", ":m()".repeat(100_000))),
            (1, "C stack overflow".to_string())
        );
    }

    /// The deepest nesting Lua accepts must parse on a modest native stack, even unoptimized
    /// (the worst of these needs about 0.9 MiB in a debug build, 0.3 MiB optimized).
    #[test]
    fn deep_nesting_fits_small_stack() {
        let nest =
            |open: &str, n: usize, close: &str| format!("{}1{}", open.repeat(n), close.repeat(n));
        let inputs = [
            format!("return {}", nest("(", 196, ")")),
            format!("return {}", nest("{a=", 196, "}")),
            format!("x = {}", nest("a.b[", 196, "]")),
            format!("x = {}", nest("a:m(", 196, ")")),
            format!("return {}", nest("function() return ", 98, " end")),
            format!(
                "{}{}",
                "local function f() ".repeat(198),
                "end ".repeat(198)
            ),
            format!("{}{}", "if x then ".repeat(197), "end ".repeat(197)),
            format!("return a{}", "..a".repeat(196)),
        ];
        std::thread::Builder::new()
            .stack_size(3 << 19)
            .spawn(move || {
                for src in &inputs {
                    ok(src);
                }
            })
            .unwrap()
            .join()
            .unwrap();
    }
}
