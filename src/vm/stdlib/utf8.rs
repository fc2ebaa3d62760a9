//! The utf8 library (Lua 5.4.4 semantics: up to 31-bit code points in lax mode, strict mode
//! rejecting surrogates and values past U+10FFFF).

use crate::vm::runtime::error::LuaResult;
use crate::vm::runtime::function::Args;
use crate::vm::runtime::state::Vm;
use crate::vm::runtime::value::Value;

const MAX_UNICODE: u32 = 0x10FFFF;
const MAX_UTF: u32 = 0x7FFF_FFFF;
const MSG_INVALID: &str = "invalid UTF-8 code";

pub(crate) fn open(vm: &mut Vm) {
    let t = super::register_lib(
        vm,
        "utf8",
        &[
            ("offset", offset),
            ("codepoint", codepoint),
            ("char", char),
            ("len", len),
            ("codes", codes),
        ],
    );
    let pat = vm.intern(b"[\x00-\x7F\xC2-\xFD][\x80-\xBF]*");
    vm.set_field(t, "charpattern", Value::Str(pat));
}

/// Byte `i` of `s`, with 0 past the end (Lua strings end in a NUL the decoder may look at).
#[inline]
fn byte_at(s: &[u8], i: usize) -> u8 {
    s.get(i).copied().unwrap_or(0)
}

#[inline]
fn is_cont(s: &[u8], i: usize) -> bool {
    byte_at(s, i) & 0xC0 == 0x80
}

/// Decodes the sequence starting at `i`; returns the code point and the index after it, or
/// `None` for an invalid sequence.
fn decode(s: &[u8], i: usize, strict: bool) -> Option<(u32, usize)> {
    // Smallest value that needs each number of continuation bytes (overlong forms are invalid).
    const LIMITS: [u32; 6] = [!0, 0x80, 0x800, 0x1_0000, 0x20_0000, 0x400_0000];
    let mut c = byte_at(s, i) as u32;
    let mut res: u32 = 0;
    let mut count = 0usize;
    if c < 0x80 {
        res = c;
    } else {
        while c & 0x40 != 0 {
            count += 1;
            let cc = byte_at(s, i + count) as u32;
            if cc & 0xC0 != 0x80 {
                return None;
            }
            res = (res << 6) | (cc & 0x3F);
            c <<= 1;
        }
        if count > 5 {
            return None;
        }
        res |= (c & 0x7F) << (count * 5);
        if res > MAX_UTF || res < LIMITS[count] {
            return None;
        }
    }
    if strict && (res > MAX_UNICODE || (0xD800..=0xDFFF).contains(&res)) {
        return None;
    }
    Some((res, i + count + 1))
}

/// Lua's `u_posrelat`: a negative position counts from the end; too negative gives 0.
fn posrelat(pos: i64, len: usize) -> i64 {
    if pos >= 0 {
        pos
    } else if pos.unsigned_abs() > len as u64 {
        0
    } else {
        len as i64 + pos + 1
    }
}

/// Appends the (extended, up to 6 bytes) UTF-8 encoding of `x`.
fn encode(out: &mut Vec<u8>, mut x: u32) {
    if x < 0x80 {
        out.push(x as u8);
        return;
    }
    let mut buf = [0u8; 8];
    let mut n = 1;
    let mut mfb: u32 = 0x3f; // largest value that fits in the first byte
    loop {
        buf[8 - n] = 0x80 | (x & 0x3f) as u8;
        n += 1;
        x >>= 6;
        mfb >>= 1;
        if x <= mfb {
            break;
        }
    }
    buf[8 - n] = ((!mfb << 1) | x) as u8;
    out.extend_from_slice(&buf[8 - n..]);
}

fn len(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let s = vm.check_str(args, 0, "utf8.len")?;
    let bytes = s.as_bytes();
    let l = bytes.len() as i64;
    let i = vm.opt_int(args, 1, "utf8.len", 1)?;
    let j = vm.opt_int(args, 2, "utf8.len", -1)?;
    let lax = vm.arg(args, 3).truthy();
    let mut posi = posrelat(i, bytes.len());
    let posj = posrelat(j, bytes.len());
    if !(1 <= posi && posi - 1 <= l) {
        return Err(vm.arg_error(2, "utf8.len", "initial position out of bounds"));
    }
    posi -= 1;
    let posj = posj - 1;
    if posj >= l {
        return Err(vm.arg_error(3, "utf8.len", "final position out of bounds"));
    }
    let mut n: i64 = 0;
    while posi <= posj {
        if n % 1024 == 1023 {
            vm.charge_fuel(16)?;
        }
        match decode(bytes, posi as usize, !lax) {
            Some((_, next)) => posi = next as i64,
            None => return vm.ret_values(args, &[Value::Nil, Value::Int(posi + 1)]),
        }
        n += 1;
    }
    vm.ret1(args, Value::Int(n))
}

fn codepoint(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let s = vm.check_str(args, 0, "codepoint")?;
    let bytes = s.as_bytes();
    let i = vm.opt_int(args, 1, "codepoint", 1)?;
    let posi = posrelat(i, bytes.len());
    let j = vm.opt_int(args, 2, "codepoint", posi)?;
    let pose = posrelat(j, bytes.len());
    let lax = vm.arg(args, 3).truthy();
    if posi < 1 {
        return Err(vm.arg_error(2, "codepoint", "out of bounds"));
    }
    if pose > bytes.len() as i64 {
        return Err(vm.arg_error(3, "codepoint", "out of bounds"));
    }
    if posi > pose {
        return Ok(0);
    }
    if pose - posi >= i32::MAX as i64 {
        return Err(vm.rt_error("string slice too long"));
    }
    let upper = (pose - posi) as usize + 1;
    if upper > crate::vm::runtime::thread::MAX_STACK
        || vm.reserve_stack(args.base, upper + 1).is_err()
    {
        return Err(vm.rt_error("stack overflow (string slice too long)"));
    }
    let mut p = (posi - 1) as usize;
    let end = pose as usize;
    let mut n = 0;
    vm.charge_fuel((end - p) as i64 / 16)?;
    while p < end {
        match decode(bytes, p, !lax) {
            Some((code, next)) => {
                vm.stack_mut()[args.base + n] = Value::Int(code as i64);
                n += 1;
                p = next;
            }
            None => return Err(vm.rt_error(MSG_INVALID)),
        }
    }
    Ok(n)
}

fn char(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    vm.charge_fuel(args.n as i64 / 16)?;
    let mut buf = Vec::with_capacity(args.n * 2);
    for i in 0..args.n {
        let c = vm.check_int(args, i, "utf8.char")?;
        if c as u64 > MAX_UTF as u64 {
            return Err(vm.arg_error(i + 1, "utf8.char", "value out of range"));
        }
        encode(&mut buf, c as u32);
    }
    let s = vm.intern(&buf);
    vm.ret1(args, Value::Str(s))
}

fn offset(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let s = vm.check_str(args, 0, "offset")?;
    let bytes = s.as_bytes();
    let l = bytes.len() as i64;
    let mut n = vm.check_int(args, 1, "offset")?;
    let default = if n >= 0 { 1 } else { l + 1 };
    let i = vm.opt_int(args, 2, "offset", default)?;
    let mut posi = posrelat(i, bytes.len());
    if !(1 <= posi && posi - 1 <= l) {
        return Err(vm.arg_error(3, "offset", "position out of bounds"));
    }
    posi -= 1;
    if n == 0 {
        // Start of the character containing byte posi.
        while posi > 0 && is_cont(bytes, posi as usize) {
            posi -= 1;
        }
    } else {
        if is_cont(bytes, posi as usize) {
            return Err(vm.rt_error("initial position is a continuation byte"));
        }
        if n < 0 {
            vm.charge_fuel((-n).min(posi) / 16)?;
            while n < 0 && posi > 0 {
                loop {
                    posi -= 1;
                    if !(posi > 0 && is_cont(bytes, posi as usize)) {
                        break;
                    }
                }
                n += 1;
            }
        } else {
            n -= 1; // the first character is the one at posi
            vm.charge_fuel(n.min(l - posi) / 16)?;
            while n > 0 && posi < l {
                loop {
                    posi += 1;
                    if !is_cont(bytes, posi as usize) {
                        break;
                    }
                }
                n -= 1;
            }
        }
    }
    let r = if n == 0 {
        Value::Int(posi + 1)
    } else {
        Value::Nil
    };
    vm.ret1(args, r)
}

fn codes(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let lax = vm.arg(args, 1).truthy();
    let s = vm.check_str(args, 0, "codes")?;
    // Lua 5.4.8's rule (5.4.4 skipped stray continuation bytes silently): a string cannot start
    // with one, and none may follow a character (checked in the iterator).
    if is_cont(s.as_bytes(), 0) {
        return Err(vm.arg_error(1, "codes", MSG_INVALID));
    }
    let f = if lax {
        Value::Native(iter_lax)
    } else {
        Value::Native(iter_strict)
    };
    vm.ret_values(args, &[f, Value::Str(s), Value::Int(0)])
}

fn iter_strict(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    iter_aux(vm, args, true)
}

fn iter_lax(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    iter_aux(vm, args, false)
}

/// One step of `utf8.codes`: the character after the one at byte `i` (1-based; 0 to start).
fn iter_aux(vm: &mut Vm, args: Args, strict: bool) -> LuaResult<usize> {
    let s = vm.check_str(args, 0, "for iterator")?;
    let bytes = s.as_bytes();
    let l = bytes.len() as i64;
    let ctl = match vm.arg(args, 1) {
        Value::Int(i) => i,
        v => crate::vm::runtime::value::value_to_int(&v).unwrap_or(0),
    };
    // The control value is the previous character's 1-based position, which is the 0-based
    // index just past its first byte: skip its continuation bytes (a negative value, seen as
    // unsigned, ends the loop).
    let mut n = ctl as u64;
    while n < l as u64 && is_cont(bytes, n as usize) {
        n += 1;
    }
    if n >= l as u64 {
        return Ok(0);
    }
    let n = n as i64;
    match decode(bytes, n as usize, strict) {
        Some((code, next)) if !is_cont(bytes, next) => {
            vm.ret_values(args, &[Value::Int(n + 1), Value::Int(code as i64)])
        }
        _ => Err(vm.rt_error(MSG_INVALID)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_decode_round_trip() {
        for &c in &[
            0u32,
            0x7f,
            0x80,
            0x7ff,
            0x800,
            0xffff,
            0x10000,
            0x10ffff,
            0x7fff_ffff,
        ] {
            let mut b = Vec::new();
            encode(&mut b, c);
            assert_eq!(decode(&b, 0, false), Some((c, b.len())));
        }
        let mut b = Vec::new();
        encode(&mut b, 0x20AC);
        assert_eq!(b, "€".as_bytes());
        assert_eq!(decode(b"\xED\xA0\x80", 0, true), None); // surrogate
        assert!(decode(b"\xED\xA0\x80", 0, false).is_some());
        assert_eq!(decode(b"\xC0\x80", 0, false), None); // overlong
        assert_eq!(decode(b"\xFF\xBF\xBF\xBF\xBF\xBF\xBF\xBF", 0, false), None);
        assert_eq!(decode(b"\xE4\x80", 0, false), None); // truncated
    }
}
