//! Parser: tokens to the syntax tree in `ast.rs`.
//!
//! Recursive descent following the structure of Lua 5.4's grammar closely enough that syntax
//! errors come out with the same wording, line and `near` token as `lua5.4`. Scoping, goto/label
//! checks and `break` placement are left to codegen.
//!
//! [`parse`] hands each statement of the main chunk to codegen as soon as it is parsed and then
//! drops its nodes, so only one top-level statement's tree is alive at a time. Syntax errors
//! still win over code generation errors, as when the whole tree is built first: after a codegen
//! error the parser goes on (without compiling) and reports a later syntax error instead.

use super::CompileError;
use super::ast::*;
use super::codegen::{Chunk, Compiler, MAX_LOCALS};
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
/// and never limits them, but in a tree they become one deep left spine, and compiling a tree
/// recurses along it. Nesting allowed by the C-level limit stays well below this (a few hundred
/// nodes), so in practice it only rejects chains of hundreds of operators, and it keeps every
/// consumer's recursion bounded.
pub const MAX_TREE_DEPTH: u32 = 1000;

/// Priority of unary operators: binds tighter than everything but `^`.
const UNARY_PRIORITY: u8 = 12;

/// Height of a subtree, for [`MAX_TREE_DEPTH`].
type Depth = u32;

#[cfg(test)]
/// Parses a whole chunk, compiling it statement by statement; [`super::codegen::compile_chunk`]
/// finishes the main function (or reports the code generation error found).
pub(crate) fn parse(source: &[u8]) -> Result<Chunk, CompileError> {
    parse_metered(source, None)
}

#[inline(never)]
/// [`parse`], charging the work to `meter` (see `meter.rs`): stops with an error once it trips.
pub(crate) fn parse_metered(
    source: &[u8],
    meter: Option<std::rc::Rc<super::meter::Meter>>,
) -> Result<Chunk, CompileError> {
    let mut cg = Compiler::new_main();
    cg.set_meter(meter.clone());
    let mut p = Parser::new(source, Some(cg), meter).map_err(|e| *e)?;
    p.main_block().map_err(|e| *e)?;
    if p.cur.tok != Tok::Eof {
        return Err(*p.error_expected(Tok::Eof));
    }
    Ok(Chunk::new(match (p.cg, p.cg_error) {
        (_, Some(e)) => Err(e),
        (Some(mut cg), None) => {
            // Finishing may still need the strings (for error messages).
            cg.adopt_ast(p.ast, p.last_line, p.cur.line);
            Ok(cg)
        }
        (None, None) => unreachable!("codegen stops only on an error"),
    }))
}

#[cfg(test)]
/// Parses a whole chunk into a tree without compiling it: the nodes and the main block.
pub(crate) fn parse_tree(source: &[u8]) -> Result<(Ast, Block), CompileError> {
    let mut p = Parser::new(source, None, None).map_err(|e| *e)?;
    let (block, _) = p.block().map_err(|e| *e)?;
    if p.cur.tok != Tok::Eof {
        return Err(*p.error_expected(Tok::Eof));
    }
    Ok((p.ast, block))
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
    ast: Ast,
    /// Scratch stacks where lists are gathered before they move to `ast` (see `finish_list`).
    expr_stack: Vec<Expr>,
    stat_stack: Vec<Stat>,
    field_stack: Vec<TableField>,
    arm_stack: Vec<(ExprId, Block, Line)>,
    name_stack: Vec<StrId>,
    local_stack: Vec<(StrId, Attrib)>,
    /// Locals declared and in scope in the function being parsed (hidden loop variables too),
    /// to report "too many local variables" where Lua does: at the declaration, near the token
    /// after the name, before anything later in the source is parsed.
    nlocals: u32,
    /// The line the function being parsed starts on (0 for the main chunk).
    func_line: Line,
    /// Where the last token consumed ends (PUC Lua's `lastline`).
    last_line: Line,
    /// Code generation of the main chunk, fed one top-level statement at a time; `None` when
    /// only building a tree, or after a codegen error.
    cg: Option<Compiler>,
    cg_error: Option<CompileError>,
}

/// Left and right priorities of a binary operator (a higher right priority than left one
/// makes it right associative).
fn binary_op(t: Tok) -> Option<(BinOp, u8, u8)> {
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

fn unary_op(t: Tok) -> Option<UnOp> {
    Some(match t {
        Tok::Not => UnOp::Not,
        Tok::Minus => UnOp::Neg,
        Tok::Hash => UnOp::Len,
        Tok::Tilde => UnOp::BNot,
        _ => return None,
    })
}

/// Errors are boxed so that results stay small (returned in registers) on the hot path.
type PResult<T> = Result<T, Box<CompileError>>;

impl<'a> Parser<'a> {
    fn new(
        source: &'a [u8],
        cg: Option<Compiler>,
        meter: Option<std::rc::Rc<super::meter::Meter>>,
    ) -> PResult<Parser<'a>> {
        let mut lex = Lexer::new(source);
        lex.set_meter(meter);
        let cur = lex.scan()?;
        Ok(Parser {
            lex,
            cur,
            ahead: None,
            depth: BASE_C_LEVELS,
            vararg: true, // the main chunk is vararg
            ast: Ast::default(),
            expr_stack: Vec::new(),
            stat_stack: Vec::new(),
            field_stack: Vec::new(),
            arm_stack: Vec::new(),
            name_stack: Vec::new(),
            local_stack: Vec::new(),
            nlocals: 0,
            func_line: 0,
            last_line: 1,
            cg,
            cg_error: None,
        })
    }

    // ---- token helpers ----

    fn next(&mut self) -> PResult<()> {
        self.last_line = self.cur.end_line;
        self.cur = match self.ahead.take() {
            Some(t) => t,
            None => self.lex.scan()?,
        };
        Ok(())
    }

    fn peek(&mut self) -> PResult<Tok> {
        if self.ahead.is_none() {
            self.ahead = Some(self.lex.scan()?);
        }
        Ok(self.ahead.as_ref().unwrap().tok)
    }

    fn test_next(&mut self, t: Tok) -> PResult<bool> {
        if self.cur.tok == t {
            self.next()?;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    fn check_next(&mut self, t: Tok) -> PResult<()> {
        if self.cur.tok == t {
            self.next()
        } else {
            Err(self.error_expected(t))
        }
    }

    /// Expects `what` closing the `who` opened at `line`; names the opener only when it is on
    /// another line.
    fn check_match(&mut self, what: Tok, who: Tok, line: Line) -> PResult<()> {
        if self.cur.tok == what {
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

    fn check_name(&mut self) -> PResult<StrId> {
        if self.cur.tok != Tok::Name {
            return Err(self.error_expected(Tok::Name));
        }
        let name = &self.lex.source()[self.cur.start..self.cur.end];
        let id = self.ast.strs.intern(name);
        self.next()?;
        Ok(id)
    }

    /// The current token's string contents, interned (the token must be a string).
    fn cur_string(&mut self) -> StrId {
        debug_assert_eq!(self.cur.tok, Tok::Str);
        self.ast.strs.intern(self.lex.str_value())
    }

    fn push(&mut self, e: Expr) -> ExprId {
        self.ast.push_expr(e)
    }

    // ---- errors ----

    /// `msg near <current token>`, reported on the line Lua's lexer has reached.
    #[cold]
    fn error_near(&self, msg: &str) -> Box<CompileError> {
        Box::new(CompileError {
            line: self.cur.end_line,
            col: self.cur.col,
            message: format!("{msg} near {}", self.lex.token_text(&self.cur)),
        })
    }

    /// Counts a new local of the current function (`n` of them), failing past Lua's limit.
    fn declare_locals(&mut self, n: u32) -> PResult<()> {
        if (self.nlocals + n) as usize > MAX_LOCALS {
            let place = if self.func_line == 0 {
                "main function".to_string()
            } else {
                format!("function at line {}", self.func_line)
            };
            return Err(self.error_near(&format!(
                "too many local variables (limit is {MAX_LOCALS}) in {place}"
            )));
        }
        self.nlocals += n;
        Ok(())
    }

    #[cold]
    fn error_expected(&self, t: Tok) -> Box<CompileError> {
        self.error_near(&format!("{} expected", t.describe()))
    }

    /// An error without the `near` part (Lua's `luaK_semerror`).
    #[cold]
    fn error_plain(&self, msg: String) -> Box<CompileError> {
        Box::new(CompileError {
            line: self.cur.end_line,
            col: self.cur.col,
            message: msg,
        })
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
    // Every statement kind has its own function that pushes its `Stat` on `stat_stack` and
    // returns its height, so the recursive path (statement -> block -> statement) only carries
    // small frames. A single large `match` would reserve stack for the temporaries of every arm
    // at each nesting level. `#[inline(never)]` stops the optimizer from merging these back into
    // their callers.

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
        let outer_locals = self.nlocals;
        let mark = self.stat_stack.len();
        let mut ret = None;
        let mut d = 0;
        while !self.block_follow(true) {
            if self.cur.tok == Tok::Return {
                // `return` must be the last statement; whatever follows is the caller's error.
                let (exprs, line, rd) = self.return_stat()?;
                ret = Some((exprs, line));
                d = d.max(rd);
                break;
            }
            d = d.max(self.statement()?);
        }
        let stats = finish_list(&mut self.ast.stats, &mut self.stat_stack, mark);
        let d = self.grow(d)?;
        self.nlocals = outer_locals;
        Ok((Block { stats, ret }, d))
    }

    /// The main chunk's statements, each compiled (then dropped) as soon as it is complete. A
    /// label waits for the next statement, since codegen must know whether only labels follow
    /// it up to the end of the chunk.
    fn main_block(&mut self) -> PResult<()> {
        let mut ret = None;
        let mut d = 0;
        while !self.block_follow(true) {
            if self.cur.tok == Tok::Return {
                let (exprs, line, rd) = self.return_stat()?;
                ret = Some((exprs, line));
                d = d.max(rd);
                break;
            }
            d = d.max(self.statement()?);
            if !matches!(self.stat_stack.last(), Some(Stat::Label { .. })) {
                self.compile_pending(None, false);
            }
        }
        self.grow(d)?;
        self.compile_pending(ret, true);
        Ok(())
    }

    /// Compiles the top-level statements parsed so far (and the final `return` at the end).
    fn compile_pending(&mut self, ret: Option<(Span<Expr>, Line)>, at_end: bool) {
        let stats = finish_list(&mut self.ast.stats, &mut self.stat_stack, 0);
        if let Some(cg) = &mut self.cg
            && let Err(e) = cg.top_level(&mut self.ast, stats, ret, at_end)
        {
            self.cg = None;
            self.cg_error = Some(*e);
        }
        self.ast.clear_nodes();
    }

    #[inline(never)]
    fn return_stat(&mut self) -> PResult<(Span<Expr>, Line, Depth)> {
        self.enter()?;
        let line = self.cur.line;
        self.next()?;
        let (exprs, d) = if self.block_follow(true) || self.cur.tok == Tok::Semi {
            (Span::default(), 0)
        } else {
            self.expr_list()?
        };
        self.test_next(Tok::Semi)?;
        self.leave();
        Ok((exprs, line, d))
    }

    /// Parses one statement onto `stat_stack` (`;` adds nothing) and returns its height.
    fn statement(&mut self) -> PResult<Depth> {
        self.enter()?;
        let line = self.cur.line;
        let result = match self.cur.tok {
            Tok::Semi => self.next().map(|()| 0),
            Tok::If => self.if_stat(line),
            Tok::While => self.while_stat(line),
            Tok::Do => self.do_stat(line),
            Tok::For => self.for_stat(line),
            Tok::Repeat => self.repeat_stat(line),
            Tok::Function => self.function_stat(line),
            Tok::Local => self.local_stat(line),
            Tok::DColon => self.label_stat(line),
            Tok::Break => self.next().map(|()| {
                self.stat_stack.push(Stat::Break { line });
                1
            }),
            Tok::Goto => self.goto_stat(line),
            _ => self.expr_stat(line),
        };
        let d = result?;
        self.leave();
        Ok(d)
    }

    #[inline(never)]
    fn while_stat(&mut self, line: Line) -> PResult<Depth> {
        self.next()?;
        let (cond, cd) = self.expr()?;
        let cond = self.push(cond);
        self.check_next(Tok::Do)?;
        let (body, bd) = self.block()?;
        self.check_match(Tok::End, Tok::While, line)?;
        self.stat_stack.push(Stat::While { cond, body, line });
        self.grow(cd.max(bd))
    }

    #[inline(never)]
    fn do_stat(&mut self, line: Line) -> PResult<Depth> {
        self.next()?;
        let (body, d) = self.block()?;
        self.check_match(Tok::End, Tok::Do, line)?;
        self.stat_stack.push(Stat::Do(body));
        self.grow(d)
    }

    #[inline(never)]
    fn repeat_stat(&mut self, line: Line) -> PResult<Depth> {
        self.next()?;
        let (body, bd) = self.block()?;
        self.check_match(Tok::Until, Tok::Repeat, line)?;
        let (cond, cd) = self.expr()?;
        let cond = self.push(cond);
        self.stat_stack.push(Stat::Repeat { body, cond, line });
        self.grow(cd.max(bd))
    }

    #[inline(never)]
    fn if_stat(&mut self, line: Line) -> PResult<Depth> {
        // if cond then block {elseif cond then block} [else block] end
        let mark = self.arm_stack.len();
        let mut d = 0;
        loop {
            self.next()?; // skip `if` / `elseif`
            let (cond, cd) = self.expr()?;
            let cond = self.push(cond);
            let then_line = self.cur.end_line;
            self.check_next(Tok::Then)?;
            let (body, bd) = self.block()?;
            self.arm_stack.push((cond, body, then_line));
            d = d.max(cd).max(bd);
            if self.cur.tok != Tok::Elseif {
                break;
            }
        }
        let arms = finish_list(&mut self.ast.arms, &mut self.arm_stack, mark);
        let else_block = if self.test_next(Tok::Else)? {
            let (body, bd) = self.block()?;
            d = d.max(bd);
            Some(body)
        } else {
            None
        };
        self.check_match(Tok::End, Tok::If, line)?;
        self.stat_stack.push(Stat::If {
            arms,
            else_block,
            line,
        });
        self.grow(d)
    }

    #[inline(never)]
    fn for_stat(&mut self, line: Line) -> PResult<Depth> {
        self.next()?; // skip `for`
        let var = self.check_name()?;
        let outer_locals = self.nlocals;
        // Three (numeric) or four (generic) hidden control variables, then the named ones.
        let (stat, d) = match self.cur.tok {
            Tok::Assign => {
                self.declare_locals(4)?;
                self.num_for(var, line)?
            }
            Tok::Comma | Tok::In => {
                self.declare_locals(5)?;
                self.gen_for(var, line)?
            }
            _ => return Err(self.error_near("'=' or 'in' expected")),
        };
        self.nlocals = outer_locals;
        self.check_match(Tok::End, Tok::For, line)?;
        self.stat_stack.push(stat);
        self.grow(d)
    }

    /// `= start, limit [, step] do block`, after the variable.
    #[inline(never)]
    fn num_for(&mut self, var: StrId, line: Line) -> PResult<(Stat, Depth)> {
        self.next()?;
        let (start, d1) = self.expr()?;
        let start = self.push(start);
        self.check_next(Tok::Comma)?;
        let (limit, d2) = self.expr()?;
        let limit = self.push(limit);
        let (step, d3) = if self.test_next(Tok::Comma)? {
            let (step, d3) = self.expr()?;
            (Some(self.push(step)), d3)
        } else {
            (None, 0)
        };
        self.check_next(Tok::Do)?;
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
    fn gen_for(&mut self, first: StrId, line: Line) -> PResult<(Stat, Depth)> {
        let mark = self.name_stack.len();
        self.name_stack.push(first);
        while self.test_next(Tok::Comma)? {
            let name = self.check_name()?;
            self.declare_locals(1)?;
            self.name_stack.push(name);
        }
        let names = finish_list(&mut self.ast.names, &mut self.name_stack, mark);
        self.check_next(Tok::In)?;
        let in_line = self.cur.line;
        let (exprs, ed) = self.expr_list()?;
        self.check_next(Tok::Do)?;
        let (body, bd) = self.block()?;
        let stat = Stat::GenFor {
            names,
            exprs,
            body,
            line,
            in_line,
        };
        Ok((stat, ed.max(bd)))
    }

    /// `function funcname body`, where funcname is `Name {'.' Name} [':' Name]`.
    #[inline(never)]
    fn function_stat(&mut self, line: Line) -> PResult<Depth> {
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
        let target = self.push(target);
        let (func, fd) = self.func_body(is_method, line)?;
        let end_line = self.cur.line;
        self.stat_stack.push(Stat::Function {
            target,
            func,
            line,
            end_line,
        });
        self.grow(td.max(fd))
    }

    /// `local function name body` or `local name [attrib] {, name [attrib]} [= exprs]`.
    #[inline(never)]
    fn local_stat(&mut self, line: Line) -> PResult<Depth> {
        self.next()?;
        if self.test_next(Tok::Function)? {
            self.local_function(line)
        } else {
            self.local_vars(line)
        }
    }

    /// `name body`, after `local function`.
    #[inline(never)]
    fn local_function(&mut self, line: Line) -> PResult<Depth> {
        let name = self.check_name()?;
        self.declare_locals(1)?;
        // Lua dates a local function from the token after its name.
        let fline = self.cur.line;
        let (func, d) = self.func_body(false, fline)?;
        self.stat_stack
            .push(Stat::LocalFunction { name, func, line });
        self.grow(d)
    }

    /// `name [attrib] {, name [attrib]} [= exprs]`, after `local`.
    #[inline(never)]
    fn local_vars(&mut self, line: Line) -> PResult<Depth> {
        let mark = self.local_stack.len();
        let mut has_close = false;
        loop {
            let name = self.check_name()?;
            self.declare_locals(1)?;
            let attrib = self.attrib()?;
            if attrib == Attrib::Close {
                if has_close {
                    return Err(
                        self.error_plain("multiple to-be-closed variables in local list".into())
                    );
                }
                has_close = true;
            }
            self.local_stack.push((name, attrib));
            if !self.test_next(Tok::Comma)? {
                break;
            }
        }
        let names = finish_list(&mut self.ast.locals, &mut self.local_stack, mark);
        let (exprs, d) = if self.test_next(Tok::Assign)? {
            self.expr_list()?
        } else {
            (Span::default(), 0)
        };
        self.stat_stack.push(Stat::Local { names, exprs, line });
        self.grow(d)
    }

    /// An optional `<const>` / `<close>` after a local's name.
    #[inline(never)]
    fn attrib(&mut self) -> PResult<Attrib> {
        if !self.test_next(Tok::Lt)? {
            return Ok(Attrib::None);
        }
        let attr = self.check_name()?;
        self.check_next(Tok::Gt)?;
        match self.ast.str(attr) {
            b"const" => Ok(Attrib::Const),
            b"close" => Ok(Attrib::Close),
            attr => {
                let attr = String::from_utf8_lossy(attr);
                Err(self.error_plain(format!("unknown attribute '{attr}'")))
            }
        }
    }

    /// `::name::`, plus the `;` and labels right after it.
    #[inline(never)]
    fn label_stat(&mut self, line: Line) -> PResult<Depth> {
        self.next()?;
        let name = self.check_name()?;
        self.check_next(Tok::DColon)?;
        self.stat_stack.push(Stat::Label { name, line });
        // Lua parses the no-op statements after a label right here, one level deeper (it
        // checks whether the label ends its block); do the same so nesting limits agree.
        while matches!(self.cur.tok, Tok::Semi | Tok::DColon) {
            self.statement()?;
        }
        Ok(1)
    }

    #[inline(never)]
    fn goto_stat(&mut self, line: Line) -> PResult<Depth> {
        self.next()?;
        let label = self.check_name()?;
        self.stat_stack.push(Stat::Goto { label, line });
        Ok(1)
    }

    /// An assignment or a call statement.
    #[inline(never)]
    fn expr_stat(&mut self, line: Line) -> PResult<Depth> {
        let (first, d) = self.suffixed_exp()?;
        if matches!(self.cur.tok, Tok::Assign | Tok::Comma) {
            return self.assignment(first, d, line);
        }
        if !matches!(first.kind, ExprKind::Call(..) | ExprKind::Method(..)) {
            return Err(self.error_near("syntax error"));
        }
        self.stat_stack.push(Stat::Call(first));
        self.grow(d)
    }

    /// The rest of an assignment whose first target (of height `d`) has been read.
    #[inline(never)]
    fn assignment(&mut self, first: Expr, mut d: Depth, line: Line) -> PResult<Depth> {
        let mark = self.expr_stack.len();
        self.expr_stack.push(first);
        // Lua recurses once per extra target, each a level deeper; we loop but count levels
        // the same way so the limits match.
        let mut extra_levels = 0;
        loop {
            let last = self.expr_stack.last().map(|t| &t.kind);
            if !matches!(last, Some(ExprKind::Name(_) | ExprKind::Index(..))) {
                return Err(self.error_near("syntax error"));
            }
            if !self.test_next(Tok::Comma)? {
                break;
            }
            let (target, td) = self.suffixed_exp()?;
            self.expr_stack.push(target);
            d = d.max(td);
            self.enter()?;
            extra_levels += 1;
        }
        let targets = finish_list(&mut self.ast.exprs, &mut self.expr_stack, mark);
        self.check_next(Tok::Assign)?;
        let (exprs, ed) = self.expr_list()?;
        self.depth -= extra_levels;
        self.stat_stack.push(Stat::Assign {
            targets,
            exprs,
            line,
            end_line: self.last_line,
        });
        self.grow(d.max(ed))
    }

    /// Parameters and body of a function, from `(` to `end`. `line` is what Lua records as the
    /// line the function is defined on: the `function` keyword for statements, but the token
    /// after `function` (or after a local function's name) otherwise, normally the same line.
    #[inline(never)]
    fn func_body(&mut self, is_method: bool, line: Line) -> PResult<(FuncId, Depth)> {
        let outer_locals = std::mem::replace(&mut self.nlocals, 0);
        let outer_line = std::mem::replace(&mut self.func_line, line);
        let (params, is_vararg) = self.params(is_method)?;
        let outer_vararg = std::mem::replace(&mut self.vararg, is_vararg);
        let (block, d) = self.block()?;
        let end_line = self.cur.line;
        self.check_match(Tok::End, Tok::Function, line)?;
        self.vararg = outer_vararg;
        self.nlocals = outer_locals;
        self.func_line = outer_line;
        let body = FuncBody {
            params,
            is_vararg,
            block,
            line,
            end_line,
        };
        Ok((self.ast.push_func(body), d))
    }

    /// `( [names] [...] )`: the parameter names and whether the function is vararg.
    #[inline(never)]
    fn params(&mut self, is_method: bool) -> PResult<(Span<StrId>, bool)> {
        self.check_next(Tok::LParen)?;
        let mark = self.name_stack.len();
        if is_method {
            self.declare_locals(1)?;
            self.name_stack.push(StrId::SELF);
        }
        let mut is_vararg = false;
        if self.cur.tok != Tok::RParen {
            loop {
                match self.cur.tok {
                    Tok::Name => {
                        let name = self.check_name()?;
                        self.declare_locals(1)?;
                        self.name_stack.push(name);
                    }
                    Tok::Dots => {
                        self.next()?;
                        is_vararg = true;
                    }
                    _ => return Err(self.error_near("<name> or '...' expected")),
                }
                if is_vararg || !self.test_next(Tok::Comma)? {
                    break;
                }
            }
        }
        self.check_next(Tok::RParen)?;
        let params = finish_list(&mut self.ast.names, &mut self.name_stack, mark);
        Ok((params, is_vararg))
    }

    // ---- expressions ----
    //
    // As with statements, the functions on the recursive path (sub_expr, simple_exp,
    // suffixed_exp, primary_exp) stay small and hand the less common shapes to helpers.

    /// `e {, e}` and the height of its tallest expression.
    fn expr_list(&mut self) -> PResult<(Span<Expr>, Depth)> {
        let mark = self.expr_stack.len();
        let mut d = 0;
        loop {
            let (e, ed) = self.expr()?;
            self.expr_stack.push(e);
            d = d.max(ed);
            if !self.test_next(Tok::Comma)? {
                let list = finish_list(&mut self.ast.exprs, &mut self.expr_stack, mark);
                return Ok((list, d));
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
        let mut result = match unary_op(self.cur.tok) {
            Some(op) => self.unary_exp(op),
            None => self.simple_exp(),
        };
        // One `result` slot instead of `?` at each step keeps this frame small in unoptimized
        // builds, where this function is on every nesting path.
        while let Ok((left, d)) = result {
            match binary_op(self.cur.tok) {
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
        let operand = self.push(operand);
        Ok((Expr::new(ExprKind::Unary(op, operand), line), d))
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
        let left = self.push(left);
        let right = self.push(right);
        let kind = ExprKind::Binary(op, left, right);
        Ok((Expr::new(kind, line), d))
    }

    fn simple_exp(&mut self) -> PResult<(Expr, Depth)> {
        let line = self.cur.line;
        let kind = match self.cur.tok {
            Tok::Int(i) => ExprKind::Int(i),
            Tok::Float(f) => ExprKind::Float(f),
            Tok::Str => ExprKind::Str(self.cur_string()),
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
        Ok((Expr::new(ExprKind::Function(body), line), d))
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
        self.check_match(Tok::RParen, Tok::LParen, line)?;
        let d = self.grow(d)?;
        let inner = self.push(inner);
        Ok((Expr::new(ExprKind::Paren(inner), line), d))
    }

    /// A primary expression followed by any number of `.name`, `[k]`, `:m(args)` and call
    /// suffixes, built left to right in a loop.
    fn suffixed_exp(&mut self) -> PResult<(Expr, Depth)> {
        let mut result = self.primary_exp();
        while let Ok((e, d)) = result {
            result = match self.cur.tok {
                Tok::Dot => self.field_sel(e, d),
                Tok::LBracket => self.index_exp(e, d),
                Tok::Colon => self.method_call(e, d),
                Tok::LParen | Tok::Str | Tok::LBrace => self.call(e, d),
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
        let e = self.push(e);
        let key = self.push(key);
        Ok((Expr::new(ExprKind::Index(e, key), line), d))
    }

    /// `[k]` after `e`.
    #[inline(never)]
    fn index_exp(&mut self, e: Expr, d: Depth) -> PResult<(Expr, Depth)> {
        let line = self.cur.line;
        self.next()?;
        let (key, kd) = self.expr()?;
        self.check_next(Tok::RBracket)?;
        let d = self.grow(d.max(kd))?;
        let e = self.push(e);
        let key = self.push(key);
        Ok((Expr::new(ExprKind::Index(e, key), line), d))
    }

    /// `:name args` after `e`. As in Lua 5.4.8, a call is on the line where its arguments start
    /// (5.4.4 used the line where the whole expression started).
    #[inline(never)]
    fn method_call(&mut self, e: Expr, d: Depth) -> PResult<(Expr, Depth)> {
        self.next()?;
        let name = self.check_name()?;
        let line = self.cur.line;
        let (args, ad) = self.call_args(line)?;
        let d = self.grow(d.max(ad))?;
        let e = self.push(e);
        Ok((Expr::new(ExprKind::Method(e, name, args), line), d))
    }

    /// Call arguments after `e`, on the line where they start (see `method_call`).
    #[inline(never)]
    fn call(&mut self, e: Expr, d: Depth) -> PResult<(Expr, Depth)> {
        let line = self.cur.line;
        let (args, ad) = self.call_args(line)?;
        let d = self.grow(d.max(ad))?;
        let e = self.push(e);
        Ok((Expr::new(ExprKind::Call(e, args), line), d))
    }

    /// Call arguments: `(exprs)`, a table constructor or a string literal. `line` is where they
    /// start.
    fn call_args(&mut self, line: Line) -> PResult<(Span<Expr>, Depth)> {
        match self.cur.tok {
            Tok::LParen => self.paren_args(line),
            Tok::LBrace => {
                let (table, d) = self.table()?;
                Ok((self.single(table), d))
            }
            Tok::Str => self.string_arg(),
            _ => Err(self.error_near("function arguments expected")),
        }
    }

    /// A list of one expression.
    fn single(&mut self, e: Expr) -> Span<Expr> {
        let id = self.push(e);
        Span::new(id.0 as usize, 1)
    }

    /// `( [exprs] )`; `line` is the line of the `(`.
    #[inline(never)]
    fn paren_args(&mut self, line: Line) -> PResult<(Span<Expr>, Depth)> {
        self.next()?;
        let args = if self.cur.tok == Tok::RParen {
            (Span::default(), 0)
        } else {
            self.expr_list()?
        };
        self.check_match(Tok::RParen, Tok::LParen, line)?;
        Ok(args)
    }

    #[inline(never)]
    fn string_arg(&mut self) -> PResult<(Span<Expr>, Depth)> {
        let line = self.cur.line;
        let s = self.cur_string();
        let arg = self.single(Expr::new(ExprKind::Str(s), line));
        self.next()?;
        Ok((arg, 1))
    }

    /// Table constructor `{ fields }`, at the `{`.
    #[inline(never)]
    fn table(&mut self) -> PResult<(Expr, Depth)> {
        let line = self.cur.line;
        self.next()?;
        let mark = self.field_stack.len();
        let mut d = 0;
        while self.cur.tok != Tok::RBrace {
            d = d.max(self.field()?);
            if !(self.test_next(Tok::Comma)? || self.test_next(Tok::Semi)?) {
                break;
            }
        }
        self.check_match(Tok::RBrace, Tok::LBrace, line)?;
        let d = self.grow(d)?;
        let fields = finish_list(&mut self.ast.fields, &mut self.field_stack, mark);
        Ok((Expr::new(ExprKind::Table(fields), line), d))
    }

    /// One table field: `name = v`, `[k] = v` or `v`.
    fn field(&mut self) -> PResult<Depth> {
        // `name = v` needs one token of lookahead to tell from an expression.
        if self.cur.tok == Tok::Name && self.peek()? == Tok::Assign {
            self.named_field()
        } else if self.cur.tok == Tok::LBracket {
            self.keyed_field()
        } else {
            let (value, d) = self.expr()?;
            let value = self.push(value);
            self.field_stack.push(TableField::Item(value));
            Ok(d)
        }
    }

    /// `name = v`.
    #[inline(never)]
    fn named_field(&mut self) -> PResult<Depth> {
        let key_line = self.cur.line;
        let key = Expr::new(ExprKind::Str(self.check_name()?), key_line);
        let key = self.push(key);
        self.next()?; // `=`
        let (value, d) = self.expr()?;
        let value = self.push(value);
        self.field_stack.push(TableField::Pair(key, value));
        Ok(d)
    }

    /// `[k] = v`.
    #[inline(never)]
    fn keyed_field(&mut self) -> PResult<Depth> {
        self.next()?;
        let (key, kd) = self.expr()?;
        let key = self.push(key);
        self.check_next(Tok::RBracket)?;
        self.check_next(Tok::Assign)?;
        let (value, vd) = self.expr()?;
        let value = self.push(value);
        self.field_stack.push(TableField::Pair(key, value));
        Ok(kd.max(vd))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    thread_local! {
        /// The nodes of the tree the last `ok` returned, for the helpers below.
        static AST: RefCell<Ast> = RefCell::new(Ast::default());
    }

    fn with_ast<R>(f: impl FnOnce(&Ast) -> R) -> R {
        AST.with(|a| f(&a.borrow()))
    }

    /// `src` shortened for failure messages (some inputs are huge).
    fn short(src: &str) -> &str {
        &src[..src.floor_char_boundary(80)]
    }

    fn ok(src: &str) -> Block {
        let (ast, block) =
            parse_tree(src.as_bytes()).unwrap_or_else(|e| panic!("{:?}: {e}", short(src)));
        AST.with(|a| *a.borrow_mut() = ast);
        block
    }

    /// The syntax error in `src`, which the streaming parser (that also compiles) and the tree
    /// builder must both report.
    fn err(src: &str) -> (u32, String) {
        let e = match parse(src.as_bytes()) {
            Ok(_) => panic!("{:?} parsed", short(src)),
            Err(e) => e,
        };
        match parse_tree(src.as_bytes()) {
            Ok(_) => panic!("{:?} parsed as a tree", short(src)),
            Err(e2) => assert_eq!(e, e2, "{:?}", short(src)),
        }
        (e.line, e.message)
    }

    fn err_full(src: &str) -> CompileError {
        match parse(src.as_bytes()) {
            Ok(_) => panic!("{:?} parsed", short(src)),
            Err(e) => e,
        }
    }

    fn text(s: StrId) -> String {
        with_ast(|a| String::from_utf8_lossy(a.str(s)).into_owned())
    }

    fn ex(id: ExprId) -> Expr {
        with_ast(|a| *a.expr(id))
    }

    fn exprs(s: Span<Expr>) -> Vec<Expr> {
        with_ast(|a| a.exprs(s).to_vec())
    }

    fn stats(s: Span<Stat>) -> Vec<Stat> {
        with_ast(|a| a.stats(s).to_vec())
    }

    fn func(f: FuncId) -> FuncBody {
        with_ast(|a| *a.func(f))
    }

    fn names(s: Span<StrId>) -> Vec<String> {
        with_ast(|a| a.names(s).to_vec())
            .into_iter()
            .map(text)
            .collect()
    }

    /// Compact S-expression form of an expression, for structure checks.
    fn sx(e: &Expr) -> String {
        let list = |es: Span<Expr>| exprs(es).iter().map(sx).collect::<Vec<_>>().join(", ");
        let sxi = |id: ExprId| sx(&ex(id));
        match e.kind {
            ExprKind::Nil => "nil".into(),
            ExprKind::True => "true".into(),
            ExprKind::False => "false".into(),
            ExprKind::Vararg => "...".into(),
            ExprKind::Int(i) => i.to_string(),
            ExprKind::Float(f) => format!("{f:?}"),
            ExprKind::Str(s) => format!("{:?}", text(s)),
            ExprKind::Name(n) => text(n),
            ExprKind::Function(f) => {
                let f = func(f);
                format!(
                    "(fn [{}{}] {}s)",
                    names(f.params).join(" "),
                    if f.is_vararg { " ..." } else { "" },
                    f.block.stats.len()
                )
            }
            ExprKind::Table(fields) => {
                let fields = with_ast(|a| a.fields(fields).to_vec());
                let fs: Vec<String> = fields
                    .iter()
                    .map(|f| match *f {
                        TableField::Item(v) => sxi(v),
                        TableField::Pair(k, v) => format!("[{}]={}", sxi(k), sxi(v)),
                    })
                    .collect();
                format!("{{{}}}", fs.join(", "))
            }
            ExprKind::Binary(op, l, r) => format!("({op:?} {} {})", sxi(l), sxi(r)),
            ExprKind::Unary(op, x) => format!("({op:?} {})", sxi(x)),
            ExprKind::Index(t, k) => format!("{}[{}]", sxi(t), sxi(k)),
            ExprKind::Call(f, args) => format!("{}({})", sxi(f), list(args)),
            ExprKind::Method(o, m, args) => format!("{}:{}({})", sxi(o), text(m), list(args)),
            ExprKind::Paren(x) => format!("<{}>", sxi(x)),
        }
    }

    /// The single expression of `return <src>`.
    fn ret(src: &str) -> String {
        let b = ok(&format!("return {src}"));
        let (es, _) = b.ret.expect("return");
        assert_eq!(es.len(), 1);
        sx(&exprs(es)[0])
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
        let s = &stats(b.stats);
        assert_eq!(s.len(), 15);
        let Stat::Local {
            names: ns,
            exprs: es,
            line,
        } = s[0]
        else {
            panic!("{:?}", s[0])
        };
        let ns = with_ast(|a| a.locals(ns).to_vec());
        assert_eq!(
            ns.iter().map(|(n, a)| (text(*n), *a)).collect::<Vec<_>>(),
            vec![
                ("a".to_string(), Attrib::Const),
                ("b".to_string(), Attrib::Close),
                ("c".to_string(), Attrib::None)
            ]
        );
        assert_eq!((es.len(), line), (2, 1));
        let Stat::Assign {
            targets,
            exprs: es,
            line,
            ..
        } = s[1]
        else {
            panic!()
        };
        assert_eq!(
            exprs(targets).iter().map(sx).collect::<Vec<_>>(),
            ["a", "b[\"c\"]", "d[1]"]
        );
        assert_eq!((sx(&exprs(es)[0]), line), ("f()".to_string(), 2));
        assert!(matches!(&s[2], Stat::Call(e) if sx(e) == "f(x)"));
        assert!(matches!(&s[3], Stat::Call(e) if sx(e) == "o:m()"));
        assert!(matches!(&s[4], Stat::Do(b) if b.stats.is_empty()));
        let Stat::While {
            cond,
            body,
            line: 4,
        } = s[5]
        else {
            panic!()
        };
        assert_eq!(sx(&ex(cond)), "x");
        assert!(matches!(stats(body.stats)[..], [Stat::Break { line: 4 }]));
        let Stat::Repeat { body, cond, .. } = s[6] else {
            panic!()
        };
        assert_eq!((body.stats.len(), sx(&ex(cond))), (1, "y".to_string()));
        let Stat::If {
            arms,
            else_block,
            line: 5,
        } = s[7]
        else {
            panic!()
        };
        let arms = with_ast(|a| a.arms(arms).to_vec());
        assert_eq!(
            arms.iter().map(|(c, _, _)| sx(&ex(*c))).collect::<Vec<_>>(),
            ["a", "b"]
        );
        assert!(else_block.is_some());
        let Stat::NumFor {
            var,
            start,
            limit,
            step,
            ..
        } = s[8]
        else {
            panic!()
        };
        assert_eq!(text(var), "i");
        assert_eq!(
            (sx(&ex(start)), sx(&ex(limit))),
            ("1".to_string(), "10".to_string())
        );
        assert_eq!(step.map(|e| sx(&ex(e))).as_deref(), Some("2"));
        let Stat::GenFor {
            names: ns,
            exprs: es,
            ..
        } = s[9]
        else {
            panic!()
        };
        assert_eq!(names(ns), ["k", "v"]);
        assert_eq!(
            exprs(es).iter().map(sx).collect::<Vec<_>>(),
            ["pairs(t)", "1"]
        );
        let Stat::Function {
            target,
            func: f,
            line: 7,
            ..
        } = s[10]
        else {
            panic!()
        };
        assert_eq!(sx(&ex(target)), "t[\"a\"][\"b\"][\"m\"]");
        let f = func(f);
        assert_eq!(names(f.params), ["self", "x"]);
        assert!(!f.is_vararg);
        let Stat::Function {
            target, func: f, ..
        } = s[11]
        else {
            panic!()
        };
        let f = func(f);
        assert_eq!((sx(&ex(target)), f.is_vararg), ("g".to_string(), true));
        assert!(f.params.is_empty());
        assert!(matches!(s[12], Stat::LocalFunction { name, line: 8, .. } if text(name) == "h"));
        assert!(matches!(s[13], Stat::Label { name, line: 9 } if text(name) == "top"));
        assert!(matches!(s[14], Stat::Goto { label, line: 9 } if text(label) == "top"));
        let (es, line) = b.ret.unwrap();
        assert_eq!((es.len(), line), (2, 10));
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
        let s = stats(b.stats);
        let Stat::Local {
            exprs: es, line: 1, ..
        } = s[0]
        else {
            panic!()
        };
        let es = exprs(es);
        // A binary expression is on its operator's line.
        assert_eq!(es[0].line, 2);
        let ExprKind::Binary(_, l, r) = es[0].kind else {
            panic!()
        };
        assert_eq!((ex(l).line, ex(r).line), (1, 2));
        // A call is on the line where its arguments start (where Lua 5.4.8 reports it).
        let Stat::Call(call) = s[1] else { panic!() };
        assert_eq!(call.line, 4);
        let ExprKind::Call(_, args) = call.kind else {
            panic!()
        };
        assert_eq!(exprs(args)[0].line, 4);
        // Indexing is on the line of its `.`.
        let Stat::Assign {
            targets, line: 5, ..
        } = s[2]
        else {
            panic!()
        };
        let targets = exprs(targets);
        assert_eq!(targets[0].line, 7);
        let ExprKind::Index(inner, key) = targets[0].kind else {
            panic!()
        };
        assert_eq!((ex(inner).line, ex(key).line), (6, 7));
        // Function expression: expression on `function`, body dated like Lua's `linedefined`.
        let Stat::Local { exprs: es, .. } = s[3] else {
            panic!()
        };
        let es = exprs(es);
        let ExprKind::Function(f) = es[0].kind else {
            panic!()
        };
        let f = func(f);
        assert_eq!((es[0].line, f.line, f.end_line), (8, 9, 9));
        let b = ok("function f()\n\nend\nlocal function g()\nend");
        let s = stats(b.stats);
        let Stat::Function {
            func: f, line: 1, ..
        } = s[0]
        else {
            panic!()
        };
        let f = func(f);
        assert_eq!((f.line, f.end_line), (1, 3));
        let Stat::LocalFunction {
            func: f, line: 4, ..
        } = s[1]
        else {
            panic!()
        };
        let f = func(f);
        assert_eq!((f.line, f.end_line), (4, 5));
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
            ("f\n(1", 2, "')' expected near <eof>"),
            (
                "f(\n1",
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
        let e = err_full("x = 1\n  y = = 2");
        assert_eq!((e.line, e.col), (2, 7));
        let e = err_full("local s = 'abc");
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
        let ExprKind::Table(fields) = exprs(b.ret.unwrap().0)[0].kind else {
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
