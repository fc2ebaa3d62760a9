//! Number semantics: integer/float arithmetic as Lua 5.4 defines it, exact mixed comparisons, and
//! conversions to and from text.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArithOp {
    Add,
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
    Unm,
    BNot,
}

impl ArithOp {
    pub fn is_bitwise(self) -> bool {
        matches!(
            self,
            ArithOp::BAnd
                | ArithOp::BOr
                | ArithOp::BXor
                | ArithOp::Shl
                | ArithOp::Shr
                | ArithOp::BNot
        )
    }

    /// The event name without underscores, as in `attempt to add a 'string' with a 'number'`.
    pub fn event(self) -> &'static str {
        match self {
            ArithOp::Add => "add",
            ArithOp::Sub => "sub",
            ArithOp::Mul => "mul",
            ArithOp::Mod => "mod",
            ArithOp::Pow => "pow",
            ArithOp::Div => "div",
            ArithOp::IDiv => "idiv",
            ArithOp::BAnd => "band",
            ArithOp::BOr => "bor",
            ArithOp::BXor => "bxor",
            ArithOp::Shl => "shl",
            ArithOp::Shr => "shr",
            ArithOp::Unm => "unm",
            ArithOp::BNot => "bnot",
        }
    }
}

/// Integer arithmetic; None means an integer division or modulo by zero.
#[inline]
pub fn arith_int(op: ArithOp, a: i64, b: i64) -> Option<i64> {
    Some(match op {
        ArithOp::Add => a.wrapping_add(b),
        ArithOp::Sub => a.wrapping_sub(b),
        ArithOp::Mul => a.wrapping_mul(b),
        ArithOp::Mod => return int_mod(a, b),
        ArithOp::IDiv => return int_idiv(a, b),
        ArithOp::BAnd => a & b,
        ArithOp::BOr => a | b,
        ArithOp::BXor => a ^ b,
        ArithOp::Shl => shift_left(a, b),
        ArithOp::Shr => shift_left(a, b.wrapping_neg()),
        ArithOp::Unm => a.wrapping_neg(),
        ArithOp::BNot => !a,
        ArithOp::Pow | ArithOp::Div => unreachable!("float-only operator"),
    })
}

#[inline]
pub fn int_mod(a: i64, b: i64) -> Option<i64> {
    if b == 0 {
        return None;
    }
    if b == -1 {
        return Some(0);
    }
    let m = a % b;
    Some(if m != 0 && (m ^ b) < 0 { m + b } else { m })
}

#[inline]
pub fn int_idiv(a: i64, b: i64) -> Option<i64> {
    if b == 0 {
        return None;
    }
    if b == -1 {
        return Some(a.wrapping_neg());
    }
    let q = a / b;
    Some(if (a % b != 0) && ((a ^ b) < 0) {
        q - 1
    } else {
        q
    })
}

#[inline]
pub fn float_mod(a: f64, b: f64) -> f64 {
    let m = a % b;
    if m != 0.0 && (m < 0.0) != (b < 0.0) {
        m + b
    } else {
        m
    }
}

#[inline]
pub fn arith_float(op: ArithOp, a: f64, b: f64) -> f64 {
    match op {
        ArithOp::Add => a + b,
        ArithOp::Sub => a - b,
        ArithOp::Mul => a * b,
        ArithOp::Div => a / b,
        ArithOp::Pow => {
            if b == 2.0 {
                a * a
            } else {
                a.powf(b)
            }
        }
        ArithOp::IDiv => (a / b).floor(),
        ArithOp::Mod => float_mod(a, b),
        ArithOp::Unm => -a,
        _ => unreachable!("integer-only operator"),
    }
}

/// Logical shift left by `n` (right when negative); shifts of 64 or more give 0.
#[inline]
pub fn shift_left(a: i64, n: i64) -> i64 {
    if n <= -64 || n >= 64 {
        0
    } else if n >= 0 {
        ((a as u64) << n) as i64
    } else {
        ((a as u64) >> (-n)) as i64
    }
}

/// The float as an integer if it has an exact integer value in range.
#[inline]
pub fn float_to_int_exact(f: f64) -> Option<i64> {
    // -2^63 is representable; 2^63 is not.
    if (-9223372036854775808.0..9223372036854775808.0).contains(&f) {
        let i = f as i64;
        if i as f64 == f { Some(i) } else { None }
    } else {
        None
    }
}

#[inline]
pub fn int_eq_float(i: i64, f: f64) -> bool {
    float_to_int_exact(f) == Some(i)
}

const TWO63: f64 = 9223372036854775808.0;

#[inline]
pub fn lt_int_float(i: i64, f: f64) -> bool {
    if f.is_nan() {
        false
    } else if f >= TWO63 {
        true
    } else if f > -TWO63 {
        i < f.ceil() as i64
    } else {
        false
    }
}

#[inline]
pub fn le_int_float(i: i64, f: f64) -> bool {
    if f.is_nan() {
        false
    } else if f >= TWO63 {
        true
    } else if f >= -TWO63 {
        i <= f.floor() as i64
    } else {
        false
    }
}

#[inline]
pub fn lt_float_int(f: f64, i: i64) -> bool {
    if f.is_nan() || f >= TWO63 {
        false
    } else if f >= -TWO63 {
        (f.floor() as i64) < i
    } else {
        true
    }
}

#[inline]
pub fn le_float_int(f: f64, i: i64) -> bool {
    if f.is_nan() || f >= TWO63 {
        false
    } else if f > -TWO63 {
        (f.ceil() as i64) <= i
    } else {
        true
    }
}

unsafe extern "C" {
    fn snprintf(
        buf: *mut libc::c_char,
        n: libc::size_t,
        fmt: *const libc::c_char,
        ...
    ) -> libc::c_int;
}

#[inline(never)]
/// Formats one float with a C printf conversion spec such as `%.14g` (NUL-free, ASCII), appending
/// to `out`. C's printf is the reference for Lua's output, so we use it rather than reimplement it.
pub fn format_float_c(out: &mut Vec<u8>, spec: &str, f: f64) {
    let mut fmt = [0u8; 32];
    let n = spec.len().min(31);
    fmt[..n].copy_from_slice(&spec.as_bytes()[..n]);
    let mut buf = [0u8; 128];
    // SAFETY: `fmt` is NUL-terminated and holds one double conversion; the buffer length is passed.
    let len = unsafe {
        snprintf(
            buf.as_mut_ptr() as *mut libc::c_char,
            buf.len(),
            fmt.as_ptr() as *const libc::c_char,
            f,
        )
    };
    if len < 0 {
        return;
    }
    let len = len as usize;
    if len < buf.len() {
        out.extend_from_slice(&buf[..len]);
    } else {
        let mut big = vec![0u8; len + 1];
        unsafe {
            snprintf(
                big.as_mut_ptr() as *mut libc::c_char,
                big.len(),
                fmt.as_ptr() as *const libc::c_char,
                f,
            )
        };
        out.extend_from_slice(&big[..len]);
    }
}

/// `tostring` of a float: `%.14g`, with `.0` added when the result looks like an integer.
pub fn fmt_float(out: &mut Vec<u8>, f: f64) {
    let start = out.len();
    format_float_c(out, "%.14g", f);
    let looks_int = out[start..]
        .iter()
        .all(|&c| c == b'-' || c.is_ascii_digit());
    if looks_int {
        out.extend_from_slice(b".0");
    }
}

pub fn fmt_int(out: &mut Vec<u8>, i: i64) {
    let mut buf = itoa_buf(i);
    out.extend_from_slice(buf.as_bytes_mut());
}

struct IntBuf {
    buf: [u8; 20],
    start: usize,
}

impl IntBuf {
    fn as_bytes_mut(&mut self) -> &[u8] {
        &self.buf[self.start..]
    }
}

fn itoa_buf(i: i64) -> IntBuf {
    let mut buf = [0u8; 20];
    let mut pos = 20;
    let neg = i < 0;
    let mut n = i.unsigned_abs();
    loop {
        pos -= 1;
        buf[pos] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if neg {
        pos -= 1;
        buf[pos] = b'-';
    }
    IntBuf { buf, start: pos }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(x: f64) -> String {
        let mut v = Vec::new();
        fmt_float(&mut v, x);
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn float_formatting_matches_lua() {
        assert_eq!(f(1.0), "1.0");
        assert_eq!(f(-0.0), "-0.0");
        assert_eq!(f(0.1), "0.1");
        assert_eq!(f(1e15), "1e+15");
        assert_eq!(f(1e100), "1e+100");
        assert_eq!(f(f64::INFINITY), "inf");
        assert_eq!(f(f64::NEG_INFINITY), "-inf");
        assert_eq!(f(123456789012345.0), "1.2345678901234e+14");
        assert_eq!(f(std::f64::consts::PI), "3.1415926535898");
    }

    #[test]
    fn integer_division_and_modulo_floor() {
        assert_eq!(int_idiv(7, -2), Some(-4));
        assert_eq!(int_mod(7, -2), Some(-1));
        assert_eq!(int_mod(-7, 2), Some(1));
        assert_eq!(int_idiv(i64::MIN, -1), Some(i64::MIN));
        assert_eq!(int_mod(1, 0), None);
        assert_eq!(float_mod(-7.0, 2.0), 1.0);
    }

    #[test]
    fn mixed_comparisons_are_exact() {
        assert!(lt_int_float(i64::MAX, 9223372036854775808.0));
        assert!(!le_float_int(9223372036854775808.0, i64::MAX));
        assert!(le_int_float(3, 3.0));
        assert!(!lt_int_float(3, 3.0));
        assert!(lt_float_int(2.5, 3));
        assert!(!lt_float_int(f64::NAN, 3));
        assert!(int_eq_float(1 << 53, 9007199254740992.0));
        assert!(!int_eq_float((1 << 53) + 1, 9007199254740992.0));
    }

    #[test]
    fn shifts() {
        assert_eq!(shift_left(1, 64), 0);
        assert_eq!(shift_left(-1, -1), i64::MAX);
        assert_eq!(shift_left(1, 63), i64::MIN);
    }
}

/// A numeral's value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum NumberLit {
    Int(i64),
    Float(f64),
}

/// The value of a hexadecimal digit (the caller checked it is one).
pub fn hex_value(c: u8) -> u32 {
    match c {
        b'0'..=b'9' => (c - b'0') as u32,
        _ => ((c | 0x20) - b'a' + 10) as u32,
    }
}

/// C's `isspace` in the "C" locale, which Lua uses around numerals.
pub fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

#[inline(never)]
/// Converts a string to a number like Lua's `lua_stringtonumber`: optional surrounding
/// whitespace, optional sign, then a decimal or hexadecimal integer or float. Decimal integers
/// that do not fit an `i64` become floats; hexadecimal integers wrap modulo 2^64. `inf`/`nan`
/// are not numerals.
pub fn parse_number(s: &[u8]) -> Option<NumberLit> {
    let begin = s.iter().position(|&c| !is_space(c))?;
    let end = s.iter().rposition(|&c| !is_space(c))? + 1;
    let s = &s[begin..end];
    let (neg, body) = match s[0] {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let sign = |f: f64| if neg { -f } else { f };
    if body.len() >= 2 && body[0] == b'0' && (body[1] | 0x20) == b'x' {
        let digits = &body[2..];
        if !digits.is_empty() && digits.iter().all(u8::is_ascii_hexdigit) {
            let v = digits.iter().fold(0u64, |acc, &d| {
                acc.wrapping_mul(16).wrapping_add(hex_value(d) as u64)
            }) as i64;
            return Some(NumberLit::Int(if neg { v.wrapping_neg() } else { v }));
        }
        return parse_hex_float(digits).map(|f| NumberLit::Float(sign(f)));
    }
    if !body.is_empty() && body.iter().all(u8::is_ascii_digit) {
        // -2^63 is still an integer; anything else out of range falls through to a float.
        let limit = if neg { 1u64 << 63 } else { i64::MAX as u64 };
        let value = body.iter().try_fold(0u64, |acc, &d| {
            acc.checked_mul(10)?
                .checked_add((d - b'0') as u64)
                .filter(|&v| v <= limit)
        });
        if let Some(v) = value {
            let v = v as i64;
            return Some(NumberLit::Int(if neg { v.wrapping_neg() } else { v }));
        }
    }
    parse_dec_float(body).map(|f| NumberLit::Float(sign(f)))
}

/// `digits [. digits] [(e|E) [sign] digits]` with at least one mantissa digit; correctly
/// rounded by the standard library.
fn parse_dec_float(s: &[u8]) -> Option<f64> {
    let int_digits = s.iter().take_while(|c| c.is_ascii_digit()).count();
    let mut i = int_digits;
    let mut frac_digits = 0;
    if s.get(i) == Some(&b'.') {
        i += 1;
        frac_digits = s[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        i += frac_digits;
    }
    if int_digits + frac_digits == 0 {
        return None;
    }
    if matches!(s.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(s.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let exp_digits = s[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if exp_digits == 0 {
            return None;
        }
        i += exp_digits;
    }
    if i != s.len() {
        return None;
    }
    // Only ASCII digits, '.', 'e' and signs remain, which `f64::from_str` accepts.
    std::str::from_utf8(s).ok()?.parse().ok()
}

#[inline(never)]
/// The part after `0x` of a hexadecimal float: `hexdigits [. hexdigits] [(p|P) [sign] digits]`
/// with at least one mantissa digit. Rounds to nearest, ties to even, like C's `strtod`.
fn parse_hex_float(s: &[u8]) -> Option<f64> {
    // The first 15 significant hex digits (60 bits) go into `mant`; later digits only matter
    // for rounding, so they are folded into `sticky`. Value = mant * 2^exp (+ sticky bits).
    let mut mant: u64 = 0;
    let mut exp: i64 = 0;
    let mut sticky = false;
    let mut any_digit = false;
    let mut seen_dot = false;
    let mut i = 0;
    while let Some(&c) = s.get(i) {
        if c == b'.' && !seen_dot {
            seen_dot = true;
        } else if c.is_ascii_hexdigit() {
            any_digit = true;
            let d = hex_value(c) as u64;
            if mant >> 60 == 0 {
                mant = mant * 16 + d;
                if seen_dot {
                    exp -= 4;
                }
            } else {
                sticky |= d != 0;
                if !seen_dot {
                    exp += 4;
                }
            }
        } else {
            break;
        }
        i += 1;
    }
    if !any_digit {
        return None;
    }
    if matches!(s.get(i), Some(b'p' | b'P')) {
        i += 1;
        let neg = match s.get(i) {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        let digits = s[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        // Saturate: anything this large is already 0 or infinity.
        let e = s[i..i + digits]
            .iter()
            .fold(0i64, |acc, &d| (acc * 10 + (d - b'0') as i64).min(1 << 40));
        exp += if neg { -e } else { e };
        i += digits;
    }
    if i != s.len() {
        return None;
    }
    Some(scale_binary(mant, exp, sticky))
}

/// Rounds `mant * 2^exp` (with `sticky` meaning some nonzero bits below `mant`) to the nearest
/// `f64`, ties to even.
fn scale_binary(mant: u64, exp: i64, sticky: bool) -> f64 {
    if mant == 0 {
        return 0.0;
    }
    // Normalise so bit 63 is set: value = mant * 2^e2, leading bit weight 2^(e2 + 63).
    let lz = mant.leading_zeros();
    let mant = mant << lz;
    let e2 = exp - lz as i64;
    let top = e2 + 63;
    if top > 1023 {
        return f64::INFINITY;
    }
    // Weight of the last bit we can keep: 53 significant bits for normal numbers, a fixed
    // 2^-1074 for subnormals.
    let keep_exp = (top - 52).max(-1074);
    let shift = keep_exp - e2; // >= 11
    if shift > 64 {
        // Below half the smallest subnormal.
        return 0.0;
    }
    let m = mant as u128;
    let mut q = (m >> shift) as u64;
    let rem = m & ((1u128 << shift) - 1);
    let half = 1u128 << (shift - 1);
    if rem > half || (rem == half && (sticky || q & 1 == 1)) {
        q += 1;
    }
    // q <= 2^53 and the result is representable (or overflows), so this product is exact.
    q as f64 * pow2(keep_exp)
}

/// 2^k as an `f64` for -1074 <= k <= 1023.
fn pow2(k: i64) -> f64 {
    if k >= -1022 {
        f64::from_bits(((k + 1023) as u64) << 52)
    } else {
        f64::from_bits(1u64 << (k + 1074))
    }
}
