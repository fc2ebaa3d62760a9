//! Binary chunks: `string.dump`'s format and its loader.
//!
//! The format is Moonpool's own, not PUC Lua's byte layout. Its header is PUC's (the signature
//! `"\x1bLua"`, a version byte, a format byte, the `LUAC_DATA` bytes, the sizes of an
//! instruction, an integer and a float, and the integer 0x5678 and the float 370.5 to check
//! their encoding), byte for byte, checked in PUC's order with PUC's messages (the official
//! test suite compares it). The body is not PUC's, so each implementation must refuse the
//! other's chunks cleanly. A marker follows the header: a zero byte, then ten 0x7f bytes. PUC
//! Lua reads the zero as an upvalue count and the rest as a size whose varint never ends,
//! which it refuses with "bad binary format (integer overflow)" before reading anything else;
//! Moonpool refuses a chunk without the marker (any of PUC's) with "not a Moonpool chunk". After
//! the marker:
//!
//! ```text
//! source     u8 flag (0: stripped), then bytes
//! function   varint linedefined, varint lastlinedefined,
//!            u8 numparams, u8 is_vararg (0/1), u8 maxstack,
//!            varint #code, then each instruction as a little-endian u32,
//!            varint #consts, each a tag byte (nil, false, true, int, float, string) and its
//!              payload (8 little-endian bytes for numbers, bytes for strings),
//!            varint #upvals, each u8 in_stack (0/1), u8 index, bytes name,
//!            varint #protos, each a function,
//!            varint #live_regs, one byte each,
//!            varint #lineinfo, each a varint,
//!            varint #locvars, each bytes name, u8 reg, varint start_pc, varint end_pc
//! bytes      varint length, then that many bytes
//! ```
//!
//! A binary chunk is untrusted input: the interpreter indexes registers, constants, upvalues
//! and code without bounds checks, trusting the compiler. `undump` therefore bounds every
//! allocation by the input's length, limits nesting, and runs the verifier (`verify.rs`) on
//! the result, which rejects any prototype whose code could index out of bounds.

use super::opcode::{Instr, NUM_OPS};
use super::proto::{Constant, FuncProto, LocVar, UpvalDesc};

/// The first bytes of every binary chunk (`LUA_SIGNATURE`).
pub const SIGNATURE: &[u8; 4] = b"\x1bLua";
/// Lua 5.4, as in PUC Lua's header.
pub const VERSION: u8 = 0x54;
/// Revision of the layout below the header.
pub const FORMAT: u8 = 0;
/// PUC Lua's `LUAC_DATA`: catches chunks mangled by text-mode conversions.
pub const DATA: &[u8; 6] = b"\x19\x93\r\n\x1a\n";
/// PUC Lua's `LUAC_INT` and `LUAC_NUM`: check the byte order of numbers.
pub const CHECK_INT: i64 = 0x5678;
pub const CHECK_NUM: f64 = 370.5;
/// Separates Moonpool's body from PUC Lua's (see the module doc).
pub const MARKER: &[u8; 11] = b"\x00\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f";
/// Functions nested deeper than this are refused (the compiler stops far below).
pub const MAX_NESTING: usize = 200;

const TAG_NIL: u8 = 0;
const TAG_FALSE: u8 = 1;
const TAG_TRUE: u8 = 2;
const TAG_INT: u8 = 3;
const TAG_FLOAT: u8 = 4;
const TAG_STR: u8 = 5;

/// Serializes `proto` (and its nested functions) with the chunk name `source`. `strip` leaves
/// out the debug information, as PUC Lua does: line numbers, local variables, upvalue names and
/// the source name.
pub fn dump(proto: &FuncProto, source: &[u8], strip: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + proto.code.len() * 6);
    out.extend_from_slice(SIGNATURE);
    out.push(VERSION);
    out.push(FORMAT);
    out.extend_from_slice(DATA);
    out.extend_from_slice(&[4, 8, 8]);
    out.extend_from_slice(&CHECK_INT.to_le_bytes());
    out.extend_from_slice(&CHECK_NUM.to_bits().to_le_bytes());
    out.extend_from_slice(MARKER);
    if strip {
        out.push(0);
    } else {
        out.push(1);
        put_bytes(&mut out, source);
    }
    dump_function(&mut out, proto, strip);
    out
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8 & 0x7f) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    put_varint(out, b.len() as u64);
    out.extend_from_slice(b);
}

fn dump_function(out: &mut Vec<u8>, p: &FuncProto, strip: bool) {
    put_varint(out, p.linedefined as u64);
    put_varint(out, p.lastlinedefined as u64);
    out.push(p.numparams);
    out.push(p.is_vararg as u8);
    out.push(p.maxstack);
    put_varint(out, p.code.len() as u64);
    for i in &p.code {
        out.extend_from_slice(&i.0.to_le_bytes());
    }
    put_varint(out, p.consts.len() as u64);
    for c in &p.consts {
        match c {
            Constant::Nil => out.push(TAG_NIL),
            Constant::Bool(false) => out.push(TAG_FALSE),
            Constant::Bool(true) => out.push(TAG_TRUE),
            Constant::Int(i) => {
                out.push(TAG_INT);
                out.extend_from_slice(&i.to_le_bytes());
            }
            Constant::Float(f) => {
                out.push(TAG_FLOAT);
                out.extend_from_slice(&f.to_bits().to_le_bytes());
            }
            Constant::Str(s) => {
                out.push(TAG_STR);
                put_bytes(out, s);
            }
        }
    }
    put_varint(out, p.upvals.len() as u64);
    for u in &p.upvals {
        out.push(u.in_stack as u8);
        out.push(u.index);
        put_bytes(out, if strip { b"" } else { &u.name });
    }
    put_varint(out, p.protos.len() as u64);
    for child in &p.protos {
        dump_function(out, child, strip);
    }
    // Not debug information: the collector reads it (see `FuncProto::live_regs`).
    put_bytes(out, &p.live_regs);
    if strip {
        put_varint(out, 0);
        put_varint(out, 0);
    } else {
        put_varint(out, p.lineinfo.len() as u64);
        for &l in &p.lineinfo {
            put_varint(out, l as u64);
        }
        put_varint(out, p.locvars.len() as u64);
        for l in &p.locvars {
            put_bytes(out, &l.name);
            out.push(l.reg);
            put_varint(out, l.start_pc as u64);
            put_varint(out, l.end_pc as u64);
        }
    }
}

/// Reads a binary chunk made by `dump`: the main function and the chunk's source name (`=?`
/// when the chunk was stripped). The error is the reason PUC Lua puts in "bad binary format
/// (...)": "truncated chunk", "version mismatch", ... or what the verifier found.
///
/// Every instruction of the result has been checked (see `verify`), and `Return0`/`Return1`
/// carry the k bit wherever the function could leave something to close (see
/// `FuncProto::mark_returns_that_close`), whatever the chunk said.
pub fn undump(bytes: &[u8]) -> Result<(FuncProto, Vec<u8>), String> {
    let mut r = Reader { b: bytes, pos: 0 };
    if r.byte()? != SIGNATURE[0] {
        return Err("not a binary chunk".into());
    }
    if r.take(3)? != &SIGNATURE[1..] {
        return Err("not a binary chunk".into());
    }
    if r.byte()? != VERSION {
        return Err("version mismatch".into());
    }
    if r.byte()? != FORMAT {
        return Err("format mismatch".into());
    }
    if r.take(DATA.len())? != DATA {
        return Err("corrupted chunk".into());
    }
    for (size, name) in [(4, "Instruction"), (8, "lua_Integer"), (8, "lua_Number")] {
        if r.byte()? != size {
            return Err(format!("{name} size mismatch"));
        }
    }
    if r.u64_le()? as i64 != CHECK_INT {
        return Err("integer format mismatch".into());
    }
    if f64::from_bits(r.u64_le()?) != CHECK_NUM {
        return Err("float format mismatch".into());
    }
    if r.take(MARKER.len())? != MARKER {
        return Err("not a Moonpool chunk".into());
    }
    let source = match r.byte()? {
        0 => b"=?".to_vec(),
        1 => r.bytes()?.to_vec(),
        _ => return Err("corrupted chunk".into()),
    };
    let proto = read_function(&mut r, 0)?;
    // Bytes after the main function are ignored, as by PUC Lua.
    super::verify::verify(&proto)?;
    Ok((proto, source))
}

struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn remaining(&self) -> usize {
        self.b.len() - self.pos
    }

    fn byte(&mut self) -> Result<u8, String> {
        let v = *self.b.get(self.pos).ok_or_else(truncated)?;
        self.pos += 1;
        Ok(v)
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        if n > self.remaining() {
            return Err(truncated());
        }
        let s = &self.b[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn flag(&mut self) -> Result<bool, String> {
        match self.byte()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err("corrupted chunk".into()),
        }
    }

    fn varint(&mut self) -> Result<u64, String> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            let bits = (b & 0x7f) as u64;
            if shift == 63 && bits > 1 {
                return Err("corrupted chunk".into());
            }
            v |= bits << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err("corrupted chunk".into())
    }

    fn u32_varint(&mut self) -> Result<u32, String> {
        u32::try_from(self.varint()?).map_err(|_| "corrupted chunk".to_string())
    }

    /// A count of items that take at least `min_size` bytes each: more than the rest of the
    /// input could hold is a truncated chunk (and never an allocation).
    fn count(&mut self, min_size: usize) -> Result<usize, String> {
        let n = self.varint()?;
        if n > (self.remaining() / min_size) as u64 {
            return Err(truncated());
        }
        Ok(n as usize)
    }

    fn bytes(&mut self) -> Result<&'a [u8], String> {
        let n = self.count(1)?;
        self.take(n)
    }

    fn u32_le(&mut self) -> Result<u32, String> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().unwrap()))
    }

    fn u64_le(&mut self) -> Result<u64, String> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().unwrap()))
    }
}

fn truncated() -> String {
    "truncated chunk".into()
}

fn read_function(r: &mut Reader, depth: usize) -> Result<FuncProto, String> {
    if depth >= MAX_NESTING {
        return Err("functions nested too deeply".into());
    }
    let linedefined = r.u32_varint()?;
    let lastlinedefined = r.u32_varint()?;
    let numparams = r.byte()?;
    let is_vararg = r.flag()?;
    let maxstack = r.byte()?;
    let n = r.count(4)?;
    let mut code = Vec::with_capacity(n);
    for _ in 0..n {
        let i = Instr(r.u32_le()?);
        // The opcode is checked here, before anything decodes it (`Op::from_u8` trusts it).
        if (i.0 & 0x7f) as usize >= NUM_OPS {
            return Err(format!("invalid opcode {}", i.0 & 0x7f));
        }
        code.push(i);
    }
    let n = r.count(1)?;
    let mut consts = Vec::with_capacity(n);
    for _ in 0..n {
        consts.push(match r.byte()? {
            TAG_NIL => Constant::Nil,
            TAG_FALSE => Constant::Bool(false),
            TAG_TRUE => Constant::Bool(true),
            TAG_INT => Constant::Int(r.u64_le()? as i64),
            TAG_FLOAT => Constant::Float(f64::from_bits(r.u64_le()?)),
            TAG_STR => Constant::Str(r.bytes()?.to_vec()),
            t => return Err(format!("invalid constant tag {t}")),
        });
    }
    let n = r.count(3)?;
    let mut upvals = Vec::with_capacity(n);
    for _ in 0..n {
        let in_stack = r.flag()?;
        let index = r.byte()?;
        let name = r.bytes()?.to_vec();
        upvals.push(UpvalDesc {
            in_stack,
            index,
            name,
        });
    }
    // A function takes at least 12 bytes (its counts and one-byte fields).
    let n = r.count(12)?;
    let mut protos = Vec::with_capacity(n);
    for _ in 0..n {
        protos.push(read_function(r, depth + 1)?);
    }
    let live_regs = r.bytes()?.to_vec();
    let n = r.count(1)?;
    let mut lineinfo = Vec::with_capacity(n);
    for _ in 0..n {
        lineinfo.push(r.u32_varint()?);
    }
    let n = r.count(4)?;
    let mut locvars = Vec::with_capacity(n);
    for _ in 0..n {
        let name = r.bytes()?.to_vec();
        let reg = r.byte()?;
        let start_pc = r.u32_varint()?;
        let end_pc = r.u32_varint()?;
        locvars.push(LocVar {
            name,
            reg,
            start_pc,
            end_pc,
        });
    }
    let mut proto = FuncProto {
        code,
        lineinfo,
        live_regs,
        consts,
        protos,
        upvals,
        locvars,
        numparams,
        is_vararg,
        maxstack,
        linedefined,
        lastlinedefined,
    };
    // The chunk's k bits are not trusted: those the code needs are set again.
    proto.mark_returns_that_close();
    Ok(proto)
}
