//! The instruction set: 32-bit instructions in Lua 5.4's layout.
//!
//! ```text
//!  iABC:  C(8) | B(8) | k(1) | A(8) | op(7)
//!  iABx:  Bx(17)      | A(8) | op(7)
//!  iAsBx: sBx(17)     | A(8) | op(7)
//!  isJ:   sJ(25)             | op(7)
//! ```
//! `RK(C)` means constant `C` when `k` is set, else register `C`. Conditional tests skip the next
//! instruction (always a `Jmp`) when the condition differs from `k`.

#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
// `SelfOp`: `Self` is a keyword.
#[allow(clippy::enum_variant_names)]
pub enum Op {
    Move,       // A B      R[A] := R[B]
    LoadI,      // A sBx    R[A] := sBx (integer)
    LoadF,      // A sBx    R[A] := sBx (float)
    LoadK,      // A Bx     R[A] := K[Bx]
    LoadKX,     // A        R[A] := K[extra arg]
    LoadFalse,  // A        R[A] := false
    LFalseSkip, // A        R[A] := false; pc++
    LoadTrue,   // A        R[A] := true
    LoadNil,    // A B      R[A..=A+B] := nil
    GetUpval,   // A B      R[A] := Up[B]
    SetUpval,   // A B      Up[B] := R[A]
    GetTabUp,   // A B C    R[A] := Up[B][K[C]:string]
    GetTable,   // A B C    R[A] := R[B][R[C]]
    GetI,       // A B C    R[A] := R[B][C]
    GetField,   // A B C    R[A] := R[B][K[C]:string]
    SetTabUp,   // A B C k  Up[A][K[B]:string] := RK(C)
    SetTable,   // A B C k  R[A][R[B]] := RK(C)
    SetI,       // A B C k  R[A][B] := RK(C)
    SetField,   // A B C k  R[A][K[B]:string] := RK(C)
    NewTable,   // A B C    R[A] := {} with B array and C hash slots (sizes saturate at 255)
    SelfOp,     // A B C k  R[A+1] := R[B]; R[A] := R[B][RK(C):string]
    AddI,       // A B sC k R[A] := R[B] + sC (k: written as R[B] - (-sC), for metamethods)
    AddK,       // A B C    R[A] := R[B] + K[C]:number
    SubK,
    MulK,
    ModK,
    PowK,
    DivK,
    IDivK,
    BAndK, // A B C      R[A] := R[B] & K[C]:integer
    BOrK,
    BXorK,
    ShrI, // A B sC     R[A] := R[B] >> sC
    // Lua 5.4 numbers its opcodes with these two; our code generator does not emit them.
    #[allow(dead_code)]
    ShlI, // A B sC     R[A] := sC << R[B]
    Add, // A B C      R[A] := R[B] + R[C]
    Sub,
    Mul,
    Mod,
    Pow,
    Div,
    IDiv,
    BAnd,
    BOr,
    BXor,
    Shl,
    Shr,
    Unm,    // A B      R[A] := -R[B]
    BNot,   // A B      R[A] := ~R[B]
    Not,    // A B      R[A] := not R[B]
    Len,    // A B      R[A] := #R[B]
    Concat, // A B      R[A] := R[A] .. ... .. R[A+B-1]
    Close,  // A        close upvalues and to-be-closed variables >= R[A]
    Tbc,    // A        mark R[A] to be closed
    Jmp,    // sJ       pc += sJ
    Eq,     // A B k    if ((R[A] == R[B]) ~= k) then pc++
    Lt,     // A B k    if ((R[A] <  R[B]) ~= k) then pc++
    Le,     // A B k    if ((R[A] <= R[B]) ~= k) then pc++
    EqK,    // A B k    if ((R[A] == K[B]) ~= k) then pc++
    EqI,    // A sB k   if ((R[A] == sB) ~= k) then pc++
    LtI,    // A sB k   if ((R[A] < sB) ~= k) then pc++
    LeI,    // A sB k
    GtI,    // A sB k
    GeI,    // A sB k
    Test,   // A k      if (not R[A] == k) then pc++
    #[allow(dead_code)]
    TestSet, // A B k    if (not R[B] == k) then pc++ else R[A] := R[B]
    Call,   // A B C    R[A], ... ,R[A+C-2] := R[A](R[A+1], ... ,R[A+B-1]); B=0: to top; C=0: all
    TailCall, // A B      return R[A](R[A+1], ... ,R[A+B-1])
    Return, // A B      return R[A], ... ,R[A+B-2]; B=0: to top
    Return0, //          return
    Return1, // A        return R[A]
    ForLoop, // A Bx     update counters; if loop continues then pc -= Bx
    ForPrep, // A Bx     check values and prepare counters; if not to run then pc += Bx + 1
    TForPrep, // A Bx     create upvalue for R[A + 3]; pc += Bx
    TForCall, // A C      R[A+4], ... ,R[A+3+C] := R[A](R[A+1], R[A+2])
    TForLoop, // A Bx     if R[A+4] ~= nil then { R[A+2] := R[A+4]; pc -= Bx }
    SetList, // A B C k  R[A][C+i] := R[A+i], 1 <= i <= B; B=0: to top; k: C += extra arg * 256
    Closure, // A Bx     R[A] := closure(KPROTO[Bx])
    VarArg, // A C      R[A], R[A+1], ..., R[A+C-2] = vararg; C=0: all
    ExtraArg, // Ax       extra (larger) argument for the previous opcode
}

pub const NUM_OPS: usize = Op::ExtraArg as usize + 1;

impl Op {
    #[inline(always)]
    pub(crate) fn from_u8(b: u8) -> Op {
        debug_assert!((b as usize) < NUM_OPS);
        // SAFETY: instructions are produced only by our code generator, which writes valid opcodes;
        // the mask keeps any value inside the 7-bit field.
        unsafe { std::mem::transmute::<u8, Op>(b & 0x7f) }
    }

    /// A comparison: tests its operands and skips the next instruction (a jump) or not.
    pub(crate) fn is_comparison(self) -> bool {
        matches!(
            self,
            Op::Eq | Op::Lt | Op::Le | Op::EqK | Op::EqI | Op::LtI | Op::LeI | Op::GtI | Op::GeI
        )
    }

    /// Writes no register of its frame: stores into tables and upvalues, jumps and tests,
    /// returns, list stores, closes.
    pub(crate) fn writes_no_register(self) -> bool {
        self.is_comparison()
            || matches!(
                self,
                Op::SetUpval
                    | Op::SetTabUp
                    | Op::SetTable
                    | Op::SetI
                    | Op::SetField
                    | Op::Jmp
                    | Op::Test
                    | Op::Return
                    | Op::Return0
                    | Op::Return1
                    | Op::SetList
                    | Op::Close
                    | Op::Tbc
                    | Op::TForPrep
                    | Op::ExtraArg
            )
    }
}

pub const MAX_A: u32 = 255;
pub const MAX_B: u32 = 255;
pub const MAX_C: u32 = 255;
pub const MAX_BX: u32 = (1 << 17) - 1;
pub const OFFSET_SBX: i32 = (MAX_BX >> 1) as i32;
pub const MAX_SJ: i32 = (1 << 24) - 1;
pub const OFFSET_SC: i32 = 127;

#[derive(Clone, Copy, PartialEq, Eq)]
#[repr(transparent)]
pub struct Instr(pub u32);

impl Instr {
    #[inline(always)]
    pub(crate) fn op(self) -> Op {
        Op::from_u8((self.0 & 0x7f) as u8)
    }
    #[inline(always)]
    pub(crate) fn a(self) -> usize {
        ((self.0 >> 7) & 0xff) as usize
    }
    #[inline(always)]
    pub(crate) fn k(self) -> bool {
        (self.0 >> 15) & 1 != 0
    }
    #[inline(always)]
    pub(crate) fn b(self) -> usize {
        ((self.0 >> 16) & 0xff) as usize
    }
    #[inline(always)]
    pub(crate) fn c(self) -> usize {
        (self.0 >> 24) as usize
    }
    #[inline(always)]
    pub(crate) fn sb(self) -> i64 {
        self.b() as i64 - OFFSET_SC as i64
    }
    #[inline(always)]
    pub(crate) fn sc(self) -> i64 {
        self.c() as i64 - OFFSET_SC as i64
    }
    #[inline(always)]
    pub(crate) fn bx(self) -> usize {
        (self.0 >> 15) as usize
    }
    #[inline(always)]
    pub(crate) fn sbx(self) -> i64 {
        self.bx() as i64 - OFFSET_SBX as i64
    }
    #[inline(always)]
    pub(crate) fn sj(self) -> i64 {
        (self.0 >> 7) as i64 - MAX_SJ as i64
    }
    #[inline(always)]
    pub(crate) fn ax(self) -> usize {
        (self.0 >> 7) as usize
    }

    pub(crate) fn abc(op: Op, a: u32, b: u32, c: u32, k: bool) -> Instr {
        debug_assert!(a <= MAX_A && b <= MAX_B && c <= MAX_C);
        Instr(op as u32 | (a << 7) | ((k as u32) << 15) | (b << 16) | (c << 24))
    }
    pub(crate) fn abx(op: Op, a: u32, bx: u32) -> Instr {
        debug_assert!(a <= MAX_A && bx <= MAX_BX);
        Instr(op as u32 | (a << 7) | (bx << 15))
    }
    pub(crate) fn asbx(op: Op, a: u32, sbx: i32) -> Instr {
        Instr::abx(op, a, (sbx + OFFSET_SBX) as u32)
    }
    pub(crate) fn jump(op: Op, sj: i32) -> Instr {
        Instr(op as u32 | (((sj + MAX_SJ) as u32) << 7))
    }
    pub(crate) fn ax_instr(op: Op, ax: u32) -> Instr {
        Instr(op as u32 | (ax << 7))
    }

    pub(crate) fn set_sj(&mut self, sj: i32) {
        *self = Instr::jump(self.op(), sj);
    }
    pub(crate) fn set_bx(&mut self, bx: u32) {
        *self = Instr::abx(self.op(), self.a() as u32, bx);
    }
    pub(crate) fn set_b(&mut self, b: u32) {
        self.0 = (self.0 & !(0xff << 16)) | (b << 16);
    }
}

impl std::fmt::Debug for Instr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:?} a={} b={} c={} k={} bx={} sj={}",
            self.op(),
            self.a(),
            self.b(),
            self.c(),
            self.k() as u8,
            self.bx(),
            self.sj()
        )
    }
}
