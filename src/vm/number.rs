//! Number semantics: integer/float arithmetic as Lua 5.4 defines it, exact mixed comparisons, and
//! conversions to and from text.

use super::compiler::lexer::{NumberLit, parse_number};
use super::value::Value;

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

/// Converts text to a number like `tonumber` and arithmetic coercion do.
pub fn str_to_number(s: &[u8]) -> Option<Value> {
    match parse_number(s)? {
        NumberLit::Int(i) => Some(Value::Int(i)),
        NumberLit::Float(f) => Some(Value::Float(f)),
    }
}

/// Converts a number to an integer when it has an exact integer value (Lua's `tointeger`).
#[inline]
pub fn value_to_int(v: &Value) -> Option<i64> {
    match *v {
        Value::Int(i) => Some(i),
        Value::Float(f) => float_to_int_exact(f),
        _ => None,
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

/// Number to string for concatenation and `tostring`.
pub fn fmt_number(out: &mut Vec<u8>, v: &Value) {
    match *v {
        Value::Int(i) => fmt_int(out, i),
        Value::Float(f) => fmt_float(out, f),
        _ => {}
    }
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
