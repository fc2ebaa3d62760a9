//! Function prototypes, closures and upvalues.

use smallvec::SmallVec;

use super::error::LuaError;
use super::gc::Gc;
use super::state::Vm;
use super::string::LuaStr;
use super::value::Value;
use crate::vm::bytecode::opcode::Instr;
use crate::vm::bytecode::proto::{LocVar, UpvalDesc};

/// A compiled function as the VM runs it: constants are live values.
pub struct Proto {
    pub code: Box<[Instr]>,
    pub lineinfo: Box<[u32]>,
    /// Registers live at each instruction (see `FuncProto::live_regs`).
    pub live_regs: Box<[u8]>,
    pub consts: Box<[Value]>,
    pub protos: Box<[Gc<Proto>]>,
    pub upvals: Box<[UpvalDesc]>,
    pub locvars: Box<[LocVar]>,
    pub source: Gc<LuaStr>,
    pub numparams: u8,
    pub is_vararg: bool,
    pub maxstack: u8,
    pub linedefined: u32,
    pub lastlinedefined: u32,
}

/// A captured variable. While open it points at a slot of its coroutine's register file; when the
/// slot's scope ends the value moves into `closed` and `v` points there.
pub struct UpVal {
    pub v: *mut Value,
    pub closed: Value,
}

impl UpVal {
    #[inline(always)]
    pub(crate) fn get(&self) -> Value {
        // SAFETY: `v` points either into a live register file (fixed up whenever it moves) or at
        // `self.closed`.
        unsafe { *self.v }
    }

    #[inline(always)]
    pub(crate) fn set(&mut self, val: Value) {
        unsafe { *self.v = val }
    }
}

pub struct LuaClosure {
    pub proto: Gc<Proto>,
    pub upvals: SmallVec<[Gc<UpVal>; 2]>,
}

/// A native function called from Lua. Arguments are `vm.stack[args.base .. args.base + args.n]`;
/// the function writes its results from `args.base` on (after reading its arguments) and returns
/// how many there are.
pub type NativeFn = fn(&mut Vm, Args) -> Result<usize, LuaError>;

#[derive(Clone, Copy, Debug)]
pub struct Args {
    pub base: usize,
    pub n: usize,
}

pub struct NativeClosure {
    pub f: NativeFn,
    pub upvals: SmallVec<[Value; 2]>,
}
