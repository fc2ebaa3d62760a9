//! `string.pack`, `string.unpack` and `string.packsize`: binary serialization driven by a format
//! string, with the options, alignment rules and error messages of Lua 5.4.

use crate::vm::runtime::error::LuaResult;
use crate::vm::runtime::function::Args;
use crate::vm::runtime::state::Vm;
use crate::vm::runtime::value::Value;

use super::string::{MAX_STRING, check_str_rooted, posrelat_start, rt_error_bytes};
use crate::vm::runtime::gc::Gc;
use crate::vm::runtime::table::Table;

/// Adds `pack`, `packsize` and `unpack` to the `string` library's table.
pub(crate) fn open(vm: &mut Vm, string_lib: Gc<Table>) {
    vm.set_field(string_lib, "pack", Value::Native(pack));
    vm.set_field(string_lib, "packsize", Value::Native(packsize));
    vm.set_field(string_lib, "unpack", Value::Native(unpack));
}

/// Largest integer size the formats accept.
const MAX_INT_SIZE: usize = 16;
/// Bytes in a Lua integer.
const SZINT: usize = 8;
/// Native maximum alignment (that of a double, an i64 or a pointer).
const NATIVE_ALIGN: usize = 8;
/// PUC Lua's MAXSIZE (`INT_MAX` here): the limit of sizes read from a format.
const MAX_SIZE: usize = i32::MAX as usize;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Int,
    Uint,
    Float,
    Number,
    Double,
    Char,
    Str,
    Zstr,
    Padding,
    PadAlign,
    Nop,
}

/// The parsing state of a format string.
struct Fmt<'a> {
    f: &'a [u8],
    pos: usize,
    little: bool,
    maxalign: usize,
}

impl<'a> Fmt<'a> {
    fn new(f: &'a [u8]) -> Self {
        // The format is a C string to Lua: it ends at the first NUL.
        let end = f.iter().position(|&c| c == 0).unwrap_or(f.len());
        Fmt {
            f: &f[..end],
            pos: 0,
            little: cfg!(target_endian = "little"),
            maxalign: 1,
        }
    }

    fn done(&self) -> bool {
        self.pos >= self.f.len()
    }

    fn peek_digit(&self) -> bool {
        self.f.get(self.pos).is_some_and(u8::is_ascii_digit)
    }

    /// A numeral, or `df` when there is none.
    fn num(&mut self, df: usize) -> usize {
        if !self.peek_digit() {
            return df;
        }
        let mut a = 0usize;
        loop {
            a = a * 10 + (self.f[self.pos] - b'0') as usize;
            self.pos += 1;
            if !(self.peek_digit() && a <= (MAX_SIZE - 9) / 10) {
                return a;
            }
        }
    }

    /// An integer size: a numeral in [1, 16], or `df`.
    fn num_limit(&mut self, vm: &mut Vm, df: usize) -> LuaResult<usize> {
        let sz = self.num(df);
        if sz > MAX_INT_SIZE || sz == 0 {
            return Err(vm.rt_error(&format!(
                "integral size ({sz}) out of limits [1,{MAX_INT_SIZE}]"
            )));
        }
        Ok(sz)
    }

    /// Reads the next option: its kind and size.
    fn option(&mut self, vm: &mut Vm) -> LuaResult<(Kind, usize)> {
        let opt = self.f[self.pos];
        self.pos += 1;
        Ok(match opt {
            b'b' => (Kind::Int, 1),
            b'B' => (Kind::Uint, 1),
            b'h' => (Kind::Int, 2),
            b'H' => (Kind::Uint, 2),
            b'l' | b'j' => (Kind::Int, 8),
            b'L' | b'J' | b'T' => (Kind::Uint, 8),
            b'f' => (Kind::Float, 4),
            b'n' => (Kind::Number, 8),
            b'd' => (Kind::Double, 8),
            b'i' => (Kind::Int, self.num_limit(vm, 4)?),
            b'I' => (Kind::Uint, self.num_limit(vm, 4)?),
            b's' => (Kind::Str, self.num_limit(vm, 8)?),
            b'c' => {
                if !self.peek_digit() {
                    return Err(vm.rt_error("missing size for format option 'c'"));
                }
                (Kind::Char, self.num(0))
            }
            b'z' => (Kind::Zstr, 0),
            b'x' => (Kind::Padding, 1),
            b'X' => (Kind::PadAlign, 0),
            b' ' => (Kind::Nop, 0),
            b'<' => {
                self.little = true;
                (Kind::Nop, 0)
            }
            b'>' => {
                self.little = false;
                (Kind::Nop, 0)
            }
            b'=' => {
                self.little = cfg!(target_endian = "little");
                (Kind::Nop, 0)
            }
            b'!' => {
                self.maxalign = self.num_limit(vm, NATIVE_ALIGN)?;
                (Kind::Nop, 0)
            }
            c => {
                let mut msg = b"invalid format option '".to_vec();
                msg.push(c);
                msg.push(b'\'');
                return Err(rt_error_bytes(vm, &msg));
            }
        })
    }

    /// Reads the next option and works out the padding that aligns it at offset `total`:
    /// returns its kind, size and the padding.
    fn details(
        &mut self,
        vm: &mut Vm,
        fname: &str,
        total: usize,
    ) -> LuaResult<(Kind, usize, usize)> {
        let (kind, size) = self.option(vm)?;
        let mut align = size;
        if kind == Kind::PadAlign {
            let bad = if self.done() {
                true
            } else {
                let (next, a) = self.option(vm)?;
                align = a;
                next == Kind::Char || a == 0
            };
            if bad {
                return Err(vm.arg_error(1, fname, "invalid next option for option 'X'"));
            }
        }
        if align <= 1 || kind == Kind::Char {
            return Ok((kind, size, 0));
        }
        let align = align.min(self.maxalign);
        if !align.is_power_of_two() {
            return Err(vm.arg_error(1, fname, "format asks for alignment not power of 2"));
        }
        let pad = (align - (total & (align - 1))) & (align - 1);
        Ok((kind, size, pad))
    }
}

/// Appends the `size` low-order bytes of `n` (sign-extended past 8 bytes when `neg`).
fn pack_int(out: &mut Vec<u8>, n: u64, little: bool, size: usize, neg: bool) {
    let mut b = [0u8; MAX_INT_SIZE];
    for (i, byte) in b.iter_mut().enumerate().take(size) {
        *byte = if i < SZINT {
            (n >> (8 * i)) as u8
        } else if neg {
            0xff
        } else {
            0
        };
    }
    if little {
        out.extend_from_slice(&b[..size]);
    } else {
        out.extend(b[..size].iter().rev());
    }
}

/// Reads a `size`-byte integer; `None` when it does not fit in a Lua integer.
fn unpack_int(d: &[u8], little: bool, size: usize, signed: bool) -> Option<i64> {
    let at = |i: usize| if little { d[i] } else { d[size - 1 - i] };
    let limit = size.min(SZINT);
    let mut res: u64 = 0;
    for i in (0..limit).rev() {
        res = (res << 8) | at(i) as u64;
    }
    if size < SZINT {
        if signed {
            let mask = 1u64 << (size * 8 - 1);
            res = (res ^ mask).wrapping_sub(mask);
        }
    } else if size > SZINT {
        let fill = if !signed || (res as i64) >= 0 {
            0
        } else {
            0xff
        };
        if (limit..size).any(|i| at(i) != fill) {
            return None;
        }
    }
    Some(res as i64)
}

fn copy_endian(out: &mut Vec<u8>, native_le: &[u8], little: bool) {
    if little {
        out.extend_from_slice(native_le);
    } else {
        out.extend(native_le.iter().rev());
    }
}

/// `string.pack(fmt, v1, v2, ...)`.
pub(crate) fn pack(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let fs = check_str_rooted(vm, args, 0, "pack")?;
    let mut out = vm.take_scratch();
    let r = pack_into(vm, args, fs.as_bytes(), &mut out);
    let r = r.and_then(|()| vm.intern_buffer(&mut out));
    vm.put_scratch(out);
    let s = r?;
    vm.ret1(args, Value::Str(s))
}

fn pack_into(vm: &mut Vm, args: Args, f: &[u8], out: &mut Vec<u8>) -> LuaResult<()> {
    let mut fmt = Fmt::new(f);
    let mut arg = 0usize;
    let mut total = 0usize;
    while !fmt.done() {
        let (kind, size, pad) = fmt.details(vm, "pack", total)?;
        vm.charge_bytes(size + pad)?;
        let grown = total.saturating_add(pad).saturating_add(size);
        if grown >= 1 << 16 && grown > out.capacity() {
            if grown >= MAX_STRING {
                return Err(vm.rt_error("resulting string too large"));
            }
            vm.check_string_alloc(grown)?;
        }
        total = grown;
        out.resize(out.len() + pad, 0);
        arg += 1;
        if arg >= args.n {
            // PUC Lua pushes a nil after the arguments: the first missing one reads as nil.
            let expected = match kind {
                Kind::Int | Kind::Uint | Kind::Float | Kind::Number | Kind::Double => "number",
                Kind::Char | Kind::Str | Kind::Zstr => "string",
                Kind::Padding | Kind::PadAlign | Kind::Nop => "",
            };
            if !expected.is_empty() {
                let msg = format!("{expected} expected, got nil");
                return Err(vm.arg_error(arg + 1, "pack", &msg));
            }
        }
        match kind {
            Kind::Int => {
                let n = vm.check_int(args, arg, "pack")?;
                if size < SZINT {
                    let lim = 1i64 << (size * 8 - 1);
                    if !(-lim <= n && n < lim) {
                        return Err(vm.arg_error(arg + 1, "pack", "integer overflow"));
                    }
                }
                pack_int(out, n as u64, fmt.little, size, n < 0);
            }
            Kind::Uint => {
                let n = vm.check_int(args, arg, "pack")?;
                if size < SZINT && (n as u64) >= (1u64 << (size * 8)) {
                    return Err(vm.arg_error(arg + 1, "pack", "unsigned overflow"));
                }
                pack_int(out, n as u64, fmt.little, size, false);
            }
            Kind::Float => {
                let x = vm.check_float(args, arg, "pack")? as f32;
                copy_endian(out, &x.to_le_bytes(), fmt.little);
            }
            Kind::Number | Kind::Double => {
                let x = vm.check_float(args, arg, "pack")?;
                copy_endian(out, &x.to_le_bytes(), fmt.little);
            }
            Kind::Char => {
                let s = vm.check_str(args, arg, "pack")?;
                if s.len() > size {
                    return Err(vm.arg_error(arg + 1, "pack", "string longer than given size"));
                }
                out.extend_from_slice(s.as_bytes());
                out.resize(out.len() + (size - s.len()), 0);
            }
            Kind::Str => {
                let s = vm.check_str(args, arg, "pack")?;
                let len = s.len();
                if size < 8 && (len as u64) >= (1u64 << (size * 8)) {
                    return Err(vm.arg_error(
                        arg + 1,
                        "pack",
                        "string length does not fit in given size",
                    ));
                }
                pack_int(out, len as u64, fmt.little, size, false);
                vm.append_charged(out, s.as_bytes())?;
                total = total.saturating_add(len);
            }
            Kind::Zstr => {
                let s = vm.check_str(args, arg, "pack")?;
                if s.as_bytes().contains(&0) {
                    return Err(vm.arg_error(arg + 1, "pack", "string contains zeros"));
                }
                vm.append_charged(out, s.as_bytes())?;
                out.push(0);
                total = total.saturating_add(s.len() + 1);
            }
            Kind::Padding => {
                out.push(0);
                arg -= 1;
            }
            Kind::PadAlign | Kind::Nop => arg -= 1,
        }
        if out.len() >= MAX_STRING {
            return Err(vm.rt_error("resulting string too large"));
        }
    }
    Ok(())
}

/// `string.packsize(fmt)`.
pub(crate) fn packsize(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let fs = vm.check_str(args, 0, "packsize")?;
    let mut fmt = Fmt::new(fs.as_bytes());
    let mut total = 0usize;
    while !fmt.done() {
        let (kind, size, pad) = fmt.details(vm, "packsize", total)?;
        if matches!(kind, Kind::Str | Kind::Zstr) {
            return Err(vm.arg_error(1, "packsize", "variable-length format"));
        }
        let size = size + pad;
        if total > MAX_SIZE - size.min(MAX_SIZE) || size > MAX_SIZE {
            return Err(vm.arg_error(1, "packsize", "format result too large"));
        }
        total += size;
    }
    vm.ret1(args, Value::Int(total as i64))
}

/// `string.unpack(fmt, s [, pos])`.
pub(crate) fn unpack(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let fs = vm.check_str(args, 0, "unpack")?;
    let ds = vm.check_str(args, 1, "unpack")?;
    let data = ds.as_bytes();
    let ld = data.len();
    let pos = posrelat_start(vm.opt_int(args, 2, "unpack", 1)?, ld) - 1;
    if pos > ld as u64 {
        return Err(vm.arg_error(3, "unpack", "initial position out of string"));
    }
    let mut pos = pos as usize;
    let mut fmt = Fmt::new(fs.as_bytes());
    // Results overwrite the arguments: `fs` and `ds` stay valid because nothing here can run
    // the collector.
    let mut n = 0usize;
    while !fmt.done() {
        let (kind, size, pad) = fmt.details(vm, "unpack", pos)?;
        if pad.saturating_add(size) > ld - pos {
            return Err(vm.arg_error(2, "unpack", "data string too short"));
        }
        pos += pad;
        if vm.reserve_stack(args.base, n + 3).is_err() || n >= 1_000_000 {
            return Err(vm.rt_error("stack overflow (too many results)"));
        }
        let v = match kind {
            Kind::Int | Kind::Uint => {
                match unpack_int(&data[pos..pos + size], fmt.little, size, kind == Kind::Int) {
                    Some(i) => Value::Int(i),
                    None => {
                        return Err(vm.rt_error(&format!(
                            "{size}-byte integer does not fit into Lua Integer"
                        )));
                    }
                }
            }
            Kind::Float => {
                let mut b = [0u8; 4];
                b.copy_from_slice(&data[pos..pos + 4]);
                if !fmt.little {
                    b.reverse();
                }
                Value::Float(f32::from_le_bytes(b) as f64)
            }
            Kind::Number | Kind::Double => {
                let mut b = [0u8; 8];
                b.copy_from_slice(&data[pos..pos + 8]);
                if !fmt.little {
                    b.reverse();
                }
                Value::Float(f64::from_le_bytes(b))
            }
            Kind::Char => {
                vm.charge_bytes(size)?;
                Value::Str(vm.intern(&data[pos..pos + size]))
            }
            Kind::Str => {
                let len = unpack_int(&data[pos..pos + size], fmt.little, size, false);
                let avail = (ld - pos - size) as u64;
                match len {
                    Some(len) if (len as u64) <= avail => {
                        let start = pos + size;
                        let len = len as u64 as usize;
                        pos += len;
                        vm.charge_bytes(len)?;
                        Value::Str(vm.intern(&data[start..start + len]))
                    }
                    Some(_) => {
                        return Err(vm.arg_error(2, "unpack", "data string too short"));
                    }
                    None => {
                        return Err(vm.rt_error(&format!(
                            "{size}-byte integer does not fit into Lua Integer"
                        )));
                    }
                }
            }
            Kind::Zstr => {
                let Some(len) = data[pos..].iter().position(|&c| c == 0) else {
                    return Err(vm.arg_error(2, "unpack", "unfinished string for format 'z'"));
                };
                vm.charge_bytes(len)?;
                let v = Value::Str(vm.intern(&data[pos..pos + len]));
                pos += len + 1;
                v
            }
            Kind::PadAlign | Kind::Padding | Kind::Nop => {
                pos += size;
                continue;
            }
        };
        vm.stack_mut()[args.base + n] = v;
        n += 1;
        pos += size;
    }
    vm.reserve_stack(args.base, n + 2)?;
    vm.stack_mut()[args.base + n] = Value::Int(pos as i64 + 1);
    Ok(n + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ints_round_trip() {
        for &(n, size) in &[
            (0i64, 1usize),
            (-1, 1),
            (127, 1),
            (-128, 2),
            (300, 2),
            (-70000, 3),
        ] {
            for little in [true, false] {
                let mut out = Vec::new();
                pack_int(&mut out, n as u64, little, size, n < 0);
                assert_eq!(out.len(), size);
                assert_eq!(unpack_int(&out, little, size, true), Some(n));
            }
        }
        let mut out = Vec::new();
        pack_int(&mut out, -2i64 as u64, true, 16, true);
        assert_eq!(out[8..], [0xff; 8]);
        assert_eq!(unpack_int(&out, true, 16, true), Some(-2));
        assert_eq!(unpack_int(&[1u8; 16], true, 16, true), None);
        assert_eq!(unpack_int(&[0xff, 0xff], true, 2, false), Some(0xffff));
    }
}
