//! Syntax tree produced by the parser and consumed by codegen.
//!
//! The parser does no scoping: names stay names, and codegen resolves them to registers, upvalues or
//! globals. Every statement and expression carries the line it starts on, because runtime errors and
//! line info need it.

pub type Line = u32;

/// A name or string literal: Lua strings are byte strings.
pub type Bytes = Vec<u8>;

#[derive(Debug, Clone)]
pub struct Block {
    pub stats: Vec<Stat>,
    /// `return e1, e2` ending the block, with its line.
    pub ret: Option<(Vec<Expr>, Line)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attrib {
    None,
    Const,
    Close,
}

#[derive(Debug, Clone)]
pub enum Stat {
    /// A function or method call used as a statement (`ExprKind::Call` or `ExprKind::Method`).
    Call(Expr),
    Local {
        names: Vec<(Bytes, Attrib)>,
        exprs: Vec<Expr>,
        line: Line,
    },
    /// Targets are `ExprKind::Name` or `ExprKind::Index`.
    Assign {
        targets: Vec<Expr>,
        exprs: Vec<Expr>,
        line: Line,
    },
    Do(Block),
    While {
        cond: Expr,
        body: Block,
        line: Line,
    },
    Repeat {
        body: Block,
        cond: Expr,
        line: Line,
    },
    If {
        /// `if c1 then b1 elseif c2 then b2 ...`: at least one pair.
        arms: Vec<(Expr, Block)>,
        else_block: Option<Block>,
        line: Line,
    },
    NumFor {
        var: Bytes,
        start: Expr,
        limit: Expr,
        step: Option<Expr>,
        body: Block,
        line: Line,
    },
    GenFor {
        names: Vec<Bytes>,
        exprs: Vec<Expr>,
        body: Block,
        line: Line,
    },
    /// `function a.b.c:m(...) end`. For a method the parser has already put `self` first in
    /// `func.params`. `target` is a `Name` or an `Index` chain.
    Function {
        target: Expr,
        func: Box<FuncBody>,
        line: Line,
    },
    LocalFunction {
        name: Bytes,
        func: Box<FuncBody>,
        line: Line,
    },
    Break {
        line: Line,
    },
    Goto {
        label: Bytes,
        line: Line,
    },
    Label {
        name: Bytes,
        line: Line,
    },
}

#[derive(Debug, Clone)]
pub struct FuncBody {
    pub params: Vec<Bytes>,
    pub is_vararg: bool,
    pub block: Block,
    /// Line of the `function` keyword.
    pub line: Line,
    /// Line of the closing `end`.
    pub end_line: Line,
}

#[derive(Debug, Clone)]
pub struct Expr {
    pub kind: ExprKind,
    pub line: Line,
}

#[derive(Debug, Clone)]
pub enum ExprKind {
    Nil,
    True,
    False,
    Vararg,
    Int(i64),
    Float(f64),
    Str(Bytes),
    Function(Box<FuncBody>),
    Table(Vec<TableField>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    Unary(UnOp, Box<Expr>),
    Name(Bytes),
    /// `t[k]`; `t.name` is `Index(t, Str(name))`.
    Index(Box<Expr>, Box<Expr>),
    Call(Box<Expr>, Vec<Expr>),
    /// `obj:name(args)`.
    Method(Box<Expr>, Bytes, Vec<Expr>),
    /// `(e)`: truncates calls and varargs to one value.
    Paren(Box<Expr>),
}

#[derive(Debug, Clone)]
pub enum TableField {
    /// `{ e }`: the next array item.
    Item(Expr),
    /// `{ name = e }` (key is a `Str`) or `{ [k] = e }`.
    Pair(Expr, Expr),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    IDiv,
    Mod,
    Pow,
    Concat,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
    BAnd,
    BOr,
    BXor,
    Shl,
    Shr,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnOp {
    Neg,
    Not,
    Len,
    BNot,
}

impl Expr {
    pub fn new(kind: ExprKind, line: Line) -> Expr {
        Expr { kind, line }
    }

    /// Calls and `...` can produce several values.
    pub fn is_multi(&self) -> bool {
        matches!(
            self.kind,
            ExprKind::Call(..) | ExprKind::Method(..) | ExprKind::Vararg
        )
    }
}
