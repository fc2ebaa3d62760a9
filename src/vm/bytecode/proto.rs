//! Function prototypes: what the compiler produces and the runtime instantiates. Independent
//! of any VM (constants are plain values, strings are bytes).

use super::opcode::{Instr, Op};

#[derive(Clone, Debug, PartialEq)]
pub enum Constant {
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Vec<u8>),
}

#[derive(Clone, Debug)]
pub struct UpvalDesc {
    /// Captures a register of the enclosing function (else one of its upvalues).
    pub in_stack: bool,
    pub index: u8,
    pub name: Vec<u8>,
}

#[derive(Clone, Debug)]
pub struct LocVar {
    pub name: Vec<u8>,
    pub reg: u8,
    pub start_pc: u32,
    pub end_pc: u32,
}

/// A compiled function, independent of any VM.
#[derive(Clone, Debug, Default)]
pub struct FuncProto {
    pub code: Vec<Instr>,
    pub lineinfo: Vec<u32>,
    /// Registers in use (the compiler's first free register) when each instruction was emitted.
    /// Registers at or above it hold dead temporaries there, so at the collection points inside
    /// an instruction the collector treats them as garbage, as PUC Lua does with `L->top`.
    pub live_regs: Vec<u8>,
    pub consts: Vec<Constant>,
    pub protos: Vec<FuncProto>,
    pub upvals: Vec<UpvalDesc>,
    pub locvars: Vec<LocVar>,
    pub numparams: u8,
    pub is_vararg: bool,
    pub maxstack: u8,
    pub linedefined: u32,
    pub lastlinedefined: u32,
}

impl FuncProto {
    /// Gives `Return0`/`Return1` the k bit ("check for open upvalues and pending closes") when
    /// this function can leave any: when a closure it makes captures one of its registers, or
    /// it has to-be-closed variables (`<close>`, a generic `for`). Without k the interpreter
    /// trusts that there is nothing to close, as PUC Lua's `luaK_finish` decides. The compiler
    /// and the binary-chunk loader both call this, so a chunk dumped, loaded and dumped again
    /// is the same bytes, and a loaded chunk cannot make the interpreter skip a close it needs.
    pub fn mark_returns_that_close(&mut self) {
        let needs_close = self
            .protos
            .iter()
            .any(|c| c.upvals.iter().any(|u| u.in_stack))
            || self
                .code
                .iter()
                .any(|i| matches!(i.op(), Op::Tbc | Op::TForPrep));
        if needs_close {
            for i in self.code.iter_mut() {
                if matches!(i.op(), Op::Return0 | Op::Return1) {
                    *i = Instr::abc(i.op(), i.a() as u32, 0, 0, true);
                }
            }
        }
    }

    /// A `luac -l`-style listing of this function and its nested functions.
    pub fn listing(&self) -> String {
        let mut out = String::new();
        self.list_into(&mut out);
        out
    }

    fn list_into(&self, out: &mut String) {
        use std::fmt::Write;
        let _ = writeln!(
            out,
            "function <line {}> ({} instructions, {} params{}, {} registers, {} upvalues, {} constants)",
            self.linedefined,
            self.code.len(),
            self.numparams,
            if self.is_vararg { "+" } else { "" },
            self.maxstack,
            self.upvals.len(),
            self.consts.len()
        );
        for (pc, (i, line)) in self.code.iter().zip(&self.lineinfo).enumerate() {
            let _ = writeln!(out, "\t{}\t[{}]\t{:?}", pc + 1, line, i);
        }
        for p in &self.protos {
            p.list_into(out);
        }
    }
}
