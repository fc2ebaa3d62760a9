//! Source text to bytecode: lexer → parser (AST) → codegen.
//!
//! The lexer runs on demand (one token of lookahead), the tree lives in flat arrays of `Copy`
//! nodes with interned strings (`ast.rs`), and the parser hands each top-level statement to codegen
//! as soon as it is complete, then reuses the arrays for the next one: compiling a large file keeps
//! only one top-level statement's tree in memory.

pub mod ast;
pub mod codegen;
pub mod lexer;
pub mod meter;
pub mod parser;
#[cfg(test)]
mod tests;

use std::fmt;

/// A syntax or semantic error found while compiling, before the chunk name is attached.
#[derive(Debug, Clone, PartialEq)]
pub struct CompileError {
    pub line: u32,
    pub col: u32,
    /// Lua's wording without the position prefix, e.g. `unexpected symbol near 'end'`.
    pub message: String,
}

impl CompileError {
    /// `chunk:line: message`, as `lua5.4` prints it.
    pub fn with_chunk(&self, chunk: &str) -> String {
        format!("{}:{}: {}", chunk, self.line, self.message)
    }
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.col, self.message)
    }
}
