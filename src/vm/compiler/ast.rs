//! Syntax tree produced by the parser and consumed by codegen.
//!
//! The parser does no scoping: names stay names, and codegen resolves them to registers, upvalues or
//! globals. Every statement and expression carries the line it starts on, because runtime errors and
//! line info need it.
//!
//! Nodes live in flat arrays of an [`Ast`] and refer to each other by index ([`ExprId`],
//! [`FuncId`]) or by a [`Span`] of consecutive entries, so building a tree allocates nothing per
//! node and every node is `Copy`. Names and string literals are interned ([`StrId`]).

use std::fmt;
use std::hash::Hasher;
use std::marker::PhantomData;
use std::ops::Range;

use rustc_hash::FxHasher;

pub type Line = u32;

/// An interned byte string (a name or a string literal's contents).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StrId(pub u32);

impl StrId {
    /// Names every interner knows from the start (codegen's implicit names).
    pub const ENV: StrId = StrId(0);
    pub const BREAK: StrId = StrId(1);
    pub const FOR_STATE: StrId = StrId(2);
    pub const SELF: StrId = StrId(3);
}

const PREDEFINED: [&[u8]; 4] = [b"_ENV", b"break", b"(for state)", b"self"];

/// Byte strings, each stored once, numbered in order of first appearance.
pub struct Interner {
    bytes: Vec<u8>,
    /// `bytes` range of each string.
    spans: Vec<(usize, usize)>,
    /// Open addressing, a power of two long: 0 is empty, else `hash << 32 | (id + 1)`.
    table: Vec<u64>,
}

impl Default for Interner {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Interner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Interner({} strings)", self.spans.len())
    }
}

fn hash_bytes(s: &[u8]) -> u32 {
    let mut h = FxHasher::default();
    h.write(s);
    let h = h.finish();
    (h ^ (h >> 32)) as u32
}

impl Interner {
    pub(crate) fn new() -> Interner {
        let mut i = Interner {
            bytes: Vec::new(),
            spans: Vec::new(),
            table: vec![0; 256],
        };
        for (n, s) in PREDEFINED.iter().enumerate() {
            let id = i.intern(s);
            debug_assert_eq!(id.0 as usize, n);
        }
        i
    }

    pub(crate) fn get(&self, id: StrId) -> &[u8] {
        let (a, b) = self.spans[id.0 as usize];
        &self.bytes[a..b]
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.spans.len()
    }

    pub(crate) fn intern(&mut self, s: &[u8]) -> StrId {
        let h = hash_bytes(s);
        let mask = self.table.len() - 1;
        let mut i = h as usize & mask;
        loop {
            let slot = self.table[i];
            if slot == 0 {
                break;
            }
            if (slot >> 32) as u32 == h {
                let id = StrId(slot as u32 - 1);
                if self.get(id) == s {
                    return id;
                }
            }
            i = (i + 1) & mask;
        }
        let id = self.spans.len() as u32;
        let start = self.bytes.len();
        self.bytes.extend_from_slice(s);
        self.spans.push((start, self.bytes.len()));
        self.table[i] = (h as u64) << 32 | (id as u64 + 1);
        if self.spans.len() * 2 > self.table.len() {
            self.grow();
        }
        StrId(id)
    }

    fn grow(&mut self) {
        let size = self.table.len() * 2;
        let mask = size - 1;
        let mut table = vec![0u64; size];
        for &slot in self.table.iter().filter(|&&slot| slot != 0) {
            let mut i = (slot >> 32) as usize & mask;
            while table[i] != 0 {
                i = (i + 1) & mask;
            }
            table[i] = slot;
        }
        self.table = table;
    }
}

/// `len` consecutive entries of one of the [`Ast`]'s arrays, starting at `start`.
pub struct Span<T> {
    pub start: u32,
    pub len: u32,
    _t: PhantomData<fn() -> T>,
}

impl<T> Clone for Span<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Span<T> {}

impl<T> Default for Span<T> {
    fn default() -> Self {
        Span::new(0, 0)
    }
}

impl<T> fmt::Debug for Span<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}+{}", self.start, self.len)
    }
}

impl<T> Span<T> {
    pub(crate) fn new(start: usize, len: usize) -> Span<T> {
        Span {
            start: start as u32,
            len: len as u32,
            _t: PhantomData,
        }
    }

    pub(crate) fn len(self) -> usize {
        self.len as usize
    }

    pub(crate) fn is_empty(self) -> bool {
        self.len == 0
    }

    pub(crate) fn range(self) -> Range<usize> {
        self.start as usize..(self.start + self.len) as usize
    }
}

impl Span<Expr> {
    /// The ids of the listed expressions (a list's items sit in consecutive slots).
    pub(crate) fn ids(self) -> impl DoubleEndedIterator<Item = ExprId> + ExactSizeIterator {
        (self.start..self.start + self.len).map(ExprId)
    }

    pub(crate) fn get(self, i: usize) -> ExprId {
        debug_assert!(i < self.len());
        ExprId(self.start + i as u32)
    }
}

/// Moves `scratch[mark..]` to the end of `dst` and returns where it went. Lists are gathered on
/// a scratch stack (nested lists push above their parent's items) and land contiguously.
pub(crate) fn finish_list<T: Copy>(dst: &mut Vec<T>, scratch: &mut Vec<T>, mark: usize) -> Span<T> {
    let start = dst.len();
    dst.extend_from_slice(&scratch[mark..]);
    scratch.truncate(mark);
    Span::new(start, dst.len() - start)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExprId(pub u32);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FuncId(pub u32);

/// The nodes of a tree (or of the part of it not compiled yet) and the interned strings.
#[derive(Default, Debug)]
pub struct Ast {
    pub strs: Interner,
    pub exprs: Vec<Expr>,
    pub stats: Vec<Stat>,
    pub fields: Vec<TableField>,
    pub names: Vec<StrId>,
    pub locals: Vec<(StrId, Attrib)>,
    /// `if` arms: condition, block, and the line of `then`.
    pub arms: Vec<(ExprId, Block, Line)>,
    pub funcs: Vec<FuncBody>,
}

impl Ast {
    /// Drops every node but keeps the strings (their ids stay valid) and the capacity.
    pub(crate) fn clear_nodes(&mut self) {
        self.exprs.clear();
        self.stats.clear();
        self.fields.clear();
        self.names.clear();
        self.locals.clear();
        self.arms.clear();
        self.funcs.clear();
    }

    pub(crate) fn push_expr(&mut self, e: Expr) -> ExprId {
        let id = ExprId(self.exprs.len() as u32);
        self.exprs.push(e);
        id
    }

    #[cfg(test)]
    pub(crate) fn expr(&self, id: ExprId) -> &Expr {
        &self.exprs[id.0 as usize]
    }

    #[cfg(test)]
    pub(crate) fn exprs(&self, s: Span<Expr>) -> &[Expr] {
        &self.exprs[s.range()]
    }

    #[cfg(test)]
    pub(crate) fn stats(&self, s: Span<Stat>) -> &[Stat] {
        &self.stats[s.range()]
    }

    pub(crate) fn fields(&self, s: Span<TableField>) -> &[TableField] {
        &self.fields[s.range()]
    }

    #[cfg(test)]
    pub(crate) fn names(&self, s: Span<StrId>) -> &[StrId] {
        &self.names[s.range()]
    }

    pub(crate) fn locals(&self, s: Span<(StrId, Attrib)>) -> &[(StrId, Attrib)] {
        &self.locals[s.range()]
    }

    #[cfg(test)]
    pub(crate) fn arms(&self, s: Span<(ExprId, Block, Line)>) -> &[(ExprId, Block, Line)] {
        &self.arms[s.range()]
    }

    pub(crate) fn func(&self, id: FuncId) -> &FuncBody {
        &self.funcs[id.0 as usize]
    }

    pub(crate) fn push_func(&mut self, f: FuncBody) -> FuncId {
        let id = FuncId(self.funcs.len() as u32);
        self.funcs.push(f);
        id
    }

    pub(crate) fn str(&self, id: StrId) -> &[u8] {
        self.strs.get(id)
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Block {
    pub stats: Span<Stat>,
    /// `return e1, e2` ending the block, with its line.
    pub ret: Option<(Span<Expr>, Line)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attrib {
    None,
    Const,
    Close,
}

#[derive(Debug, Clone, Copy)]
pub enum Stat {
    /// A function or method call used as a statement (`ExprKind::Call` or `ExprKind::Method`).
    Call(Expr),
    Local {
        names: Span<(StrId, Attrib)>,
        exprs: Span<Expr>,
        line: Line,
    },
    /// Targets are `ExprKind::Name` or `ExprKind::Index`.
    Assign {
        targets: Span<Expr>,
        exprs: Span<Expr>,
        line: Line,
        /// Where the last expression ends: the stores are on this line, as in PUC Lua (which
        /// makes them once it has read the expressions).
        end_line: Line,
    },
    Do(Block),
    While {
        cond: ExprId,
        body: Block,
        line: Line,
    },
    Repeat {
        body: Block,
        cond: ExprId,
        line: Line,
    },
    If {
        /// `if c1 then b1 elseif c2 then b2 ...`: at least one pair.
        arms: Span<(ExprId, Block, Line)>,
        else_block: Option<Block>,
        line: Line,
    },
    NumFor {
        var: StrId,
        start: ExprId,
        limit: ExprId,
        step: Option<ExprId>,
        body: Block,
        line: Line,
    },
    GenFor {
        names: Span<StrId>,
        exprs: Span<Expr>,
        body: Block,
        line: Line,
        /// The line of the first token after `in`: calls of the iterator report it.
        in_line: Line,
    },
    /// `function a.b.c:m(...) end`. For a method the parser has already put `self` first in
    /// `func.params`. `target` is a `Name` or an `Index` chain.
    Function {
        target: ExprId,
        func: FuncId,
        line: Line,
        /// The line of the token after `end`, where Lua reports assigning to a `<const>`.
        end_line: Line,
    },
    LocalFunction {
        name: StrId,
        func: FuncId,
        line: Line,
    },
    Break {
        line: Line,
    },
    Goto {
        label: StrId,
        line: Line,
    },
    Label {
        name: StrId,
        line: Line,
    },
}

#[derive(Debug, Clone, Copy)]
pub struct FuncBody {
    pub params: Span<StrId>,
    pub is_vararg: bool,
    pub block: Block,
    /// Line of the `function` keyword.
    pub line: Line,
    /// Line of the closing `end`.
    pub end_line: Line,
}

#[derive(Debug, Clone, Copy)]
pub struct Expr {
    pub kind: ExprKind,
    pub line: Line,
}

#[derive(Debug, Clone, Copy)]
pub enum ExprKind {
    Nil,
    True,
    False,
    Vararg,
    Int(i64),
    Float(f64),
    Str(StrId),
    Function(FuncId),
    Table(Span<TableField>),
    Binary(BinOp, ExprId, ExprId),
    Unary(UnOp, ExprId),
    Name(StrId),
    /// `t[k]`; `t.name` is `Index(t, Str(name))`.
    Index(ExprId, ExprId),
    Call(ExprId, Span<Expr>),
    /// `obj:name(args)`.
    Method(ExprId, StrId, Span<Expr>),
    /// `(e)`: truncates calls and varargs to one value.
    Paren(ExprId),
}

#[derive(Debug, Clone, Copy)]
pub enum TableField {
    /// `{ e }`: the next array item.
    Item(ExprId),
    /// `{ name = e }` (key is a `Str`) or `{ [k] = e }`.
    Pair(ExprId, ExprId),
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
    pub(crate) fn new(kind: ExprKind, line: Line) -> Expr {
        Expr { kind, line }
    }

    /// Calls and `...` can produce several values.
    pub(crate) fn is_multi(&self) -> bool {
        matches!(
            self.kind,
            ExprKind::Call(..) | ExprKind::Method(..) | ExprKind::Vararg
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interner_dedups_and_grows() {
        let mut i = Interner::new();
        assert_eq!(i.intern(b"_ENV"), StrId::ENV);
        assert_eq!(i.intern(b"self"), StrId::SELF);
        let ids: Vec<StrId> = (0..10_000)
            .map(|n| i.intern(format!("name{n}").as_bytes()))
            .collect();
        for (n, id) in ids.iter().enumerate() {
            assert_eq!(i.get(*id), format!("name{n}").as_bytes());
            assert_eq!(i.intern(format!("name{n}").as_bytes()), *id);
        }
        assert_eq!(i.len(), 10_004);
        let e = i.intern(b"");
        assert_eq!(i.get(e), b"");
        assert_eq!(i.intern(b""), e);
    }
}
