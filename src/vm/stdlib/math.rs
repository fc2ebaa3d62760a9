//! The math library.

use crate::vm::number;
use crate::vm::runtime::error::LuaResult;
use crate::vm::runtime::function::Args;
use crate::vm::runtime::state::Vm;
use crate::vm::runtime::value::Value;

pub(crate) fn open(vm: &mut Vm) {
    let t = super::register_lib(
        vm,
        "math",
        &[
            ("floor", floor),
            ("ceil", ceil),
            ("abs", abs),
            ("max", max),
            ("min", min),
            ("sqrt", sqrt),
            ("tointeger", tointeger),
            ("type", type_),
            ("fmod", fmod),
            ("modf", modf),
            ("exp", exp),
            ("log", log),
            ("sin", sin),
            ("cos", cos),
            ("tan", tan),
            ("asin", asin),
            ("acos", acos),
            ("atan", atan),
            ("ult", ult),
            ("deg", deg),
            ("rad", rad),
            // lua.org's default build keeps these 5.3 functions (LUA_COMPAT_MATHLIB, on in
            // Debian's `lua5.4` too), and libraries still call them.
            ("atan2", atan),
            ("cosh", cosh),
            ("sinh", sinh),
            ("tanh", tanh),
            ("pow", pow),
            ("frexp", frexp),
            ("ldexp", ldexp),
            ("log10", log10),
        ],
    );
    vm.set_field(t, "pi", Value::Float(std::f64::consts::PI));
    vm.set_field(t, "huge", Value::Float(f64::INFINITY));
    vm.set_field(t, "maxinteger", Value::Int(i64::MAX));
    vm.set_field(t, "mininteger", Value::Int(i64::MIN));
    // `random` and `randomseed` share one generator state, an upvalue of both.
    let mut rng = Xoshiro256::default();
    let (s1, s2) = random_seed_parts();
    rng.seed(s1, s2);
    let state = vm.new_userdata(Box::new(rng), None);
    let random_fn = vm.new_native_closure(random, &[state]);
    let seed_fn = vm.new_native_closure(randomseed, &[state]);
    vm.set_field(t, "random", random_fn);
    vm.set_field(t, "randomseed", seed_fn);
}

/// A float result as an integer when it has an exact integer value (floor/ceil/modf).
fn float_to_value_int(f: f64) -> Value {
    match number::float_to_int_exact(f) {
        Some(i) => Value::Int(i),
        None => Value::Float(f),
    }
}

fn floor(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let r = match vm.arg(args, 0) {
        v @ Value::Int(_) => v,
        _ => float_to_value_int(vm.check_float(args, 0, "floor")?.floor()),
    };
    vm.ret1(args, r)
}

fn ceil(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let r = match vm.arg(args, 0) {
        v @ Value::Int(_) => v,
        _ => float_to_value_int(vm.check_float(args, 0, "ceil")?.ceil()),
    };
    vm.ret1(args, r)
}

fn abs(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let r = match vm.arg(args, 0) {
        Value::Int(i) => Value::Int(i.wrapping_abs()),
        _ => Value::Float(vm.check_float(args, 0, "abs")?.abs()),
    };
    vm.ret1(args, r)
}

fn max(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    if args.n == 0 {
        return Err(vm.arg_error(1, "max", "value expected"));
    }
    let mut best = vm.arg(args, 0);
    for i in 1..args.n {
        let v = vm.arg(args, i);
        if super::table::less_than(vm, best, v)? {
            best = v;
        }
    }
    vm.ret1(args, best)
}

fn min(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    if args.n == 0 {
        return Err(vm.arg_error(1, "min", "value expected"));
    }
    let mut best = vm.arg(args, 0);
    for i in 1..args.n {
        let v = vm.arg(args, i);
        if super::table::less_than(vm, v, best)? {
            best = v;
        }
    }
    vm.ret1(args, best)
}

macro_rules! float_fn {
    ($name:ident, $lname:expr, $f:expr) => {
        fn $name(vm: &mut Vm, args: Args) -> LuaResult<usize> {
            let x = vm.check_float(args, 0, $lname)?;
            let f: fn(f64) -> f64 = $f;
            vm.ret1(args, Value::Float(f(x)))
        }
    };
}
float_fn!(sqrt, "sqrt", f64::sqrt);
float_fn!(exp, "exp", f64::exp);
float_fn!(sin, "sin", f64::sin);
float_fn!(cos, "cos", f64::cos);
float_fn!(tan, "tan", f64::tan);
float_fn!(asin, "asin", f64::asin);
float_fn!(acos, "acos", f64::acos);
float_fn!(cosh, "cosh", f64::cosh);
float_fn!(sinh, "sinh", f64::sinh);
float_fn!(tanh, "tanh", f64::tanh);
float_fn!(log10, "log10", f64::log10);

/// `math.pow(x, y)` (5.3 compatibility): `x ^ y` on floats.
fn pow(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let x = vm.check_float(args, 0, "pow")?;
    let y = vm.check_float(args, 1, "pow")?;
    vm.ret1(args, Value::Float(x.powf(y)))
}

/// `math.frexp(x)` (5.3 compatibility): `m, e` with `x = m * 2^e` and `0.5 <= |m| < 1` (C's
/// `frexp`; 0, infinities and NaN give `x, 0`).
fn frexp(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let x = vm.check_float(args, 0, "frexp")?;
    let (m, e) = split_exponent(x);
    vm.ret_values(args, &[Value::Float(m), Value::Int(e as i64)])
}

fn split_exponent(x: f64) -> (f64, i32) {
    let bits = x.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    if biased == 0 {
        if x == 0.0 {
            return (x, 0);
        }
        // Subnormal: scale into the normal range first.
        let (m, e) = split_exponent(x * f64::from_bits(0x43f0_0000_0000_0000)); // 2^64
        return (m, e - 64);
    }
    if biased == 0x7ff {
        return (x, 0);
    }
    let m = f64::from_bits((bits & 0x800f_ffff_ffff_ffff) | 0x3fe0_0000_0000_0000);
    (m, biased - 0x3fe)
}

/// `math.ldexp(m, e)` (5.3 compatibility): `m * 2^e`, rounded once (C's `ldexp`).
fn ldexp(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let m = vm.check_float(args, 0, "ldexp")?;
    let e = vm.check_int(args, 1, "ldexp")?;
    vm.ret1(args, Value::Float(scale_by_power_of_two(m, e)))
}

/// `x * 2^n` in steps that keep every intermediate exact, so that a subnormal result is
/// rounded only once.
fn scale_by_power_of_two(x: f64, n: i64) -> f64 {
    let two_to = |k: i64| f64::from_bits(((0x3ff + k) as u64) << 52);
    let mut y = x;
    let mut n = n.clamp(-3000, 3000);
    if n > 1023 {
        y *= two_to(1023);
        n -= 1023;
        if n > 1023 {
            y *= two_to(1023);
            n = (n - 1023).min(1023);
        }
    } else if n < -1022 {
        // Keep the final step below -53 so the subnormal rounding happens once.
        y *= two_to(-1022) * two_to(53);
        n += 1022 - 53;
        if n < -1022 {
            y *= two_to(-1022) * two_to(53);
            n = (n + 1022 - 53).max(-1022);
        }
    }
    y * two_to(n)
}

fn deg(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let x = vm.check_float(args, 0, "deg")?;
    vm.ret1(args, Value::Float(x * (180.0 / std::f64::consts::PI)))
}

fn rad(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let x = vm.check_float(args, 0, "rad")?;
    vm.ret1(args, Value::Float(x * (std::f64::consts::PI / 180.0)))
}

fn atan(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let y = vm.check_float(args, 0, "atan")?;
    let x = if vm.arg(args, 1).is_nil() {
        1.0
    } else {
        vm.check_float(args, 1, "atan")?
    };
    vm.ret1(args, Value::Float(y.atan2(x)))
}

fn log(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let x = vm.check_float(args, 0, "log")?;
    let r = if vm.arg(args, 1).is_nil() {
        x.ln()
    } else {
        let b = vm.check_float(args, 1, "log")?;
        if b == 2.0 {
            x.log2()
        } else if b == 10.0 {
            x.log10()
        } else {
            x.ln() / b.ln()
        }
    };
    vm.ret1(args, Value::Float(r))
}

fn tointeger(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let v = vm.arg(args, 0);
    let r = match v {
        Value::Int(_) => v,
        Value::Float(f) => number::float_to_int_exact(f).map_or(Value::Nil, Value::Int),
        Value::Str(s) => crate::vm::runtime::value::str_to_number(s.as_bytes())
            .and_then(|n| crate::vm::runtime::value::value_to_int(&n))
            .map_or(Value::Nil, Value::Int),
        _ => {
            vm.check_any(args, 0, "tointeger")?;
            Value::Nil
        }
    };
    vm.ret1(args, r)
}

fn type_(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let v = vm.check_any(args, 0, "type")?;
    let r = match v {
        Value::Int(_) => vm.str_value("integer"),
        Value::Float(_) => vm.str_value("float"),
        _ => Value::Nil,
    };
    vm.ret1(args, r)
}

fn fmod(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let r = match (vm.arg(args, 0), vm.arg(args, 1)) {
        (Value::Int(x), Value::Int(y)) => {
            if y == 0 {
                return Err(vm.arg_error(2, "fmod", "zero"));
            }
            // y == -1 would overflow for mininteger; the result is 0 anyway.
            Value::Int(if y == -1 { 0 } else { x % y })
        }
        _ => {
            let a = vm.check_float(args, 0, "fmod")?;
            let b = vm.check_float(args, 1, "fmod")?;
            Value::Float(a % b)
        }
    };
    vm.ret1(args, r)
}

fn modf(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    if let v @ Value::Int(_) = vm.arg(args, 0) {
        return vm.ret_values(args, &[v, Value::Float(0.0)]);
    }
    let x = vm.check_float(args, 0, "modf")?;
    let ip = if x < 0.0 { x.ceil() } else { x.floor() };
    let fp = if x == ip { 0.0 } else { x - ip };
    vm.ret_values(args, &[float_to_value_int(ip), Value::Float(fp)])
}

fn ult(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let a = vm.check_int(args, 0, "ult")?;
    let b = vm.check_int(args, 1, "ult")?;
    vm.ret1(args, Value::Bool((a as u64) < (b as u64)))
}

// ---- pseudo-random numbers: xoshiro256**, seeded and used exactly as Lua 5.4 does ----

#[derive(Default, Clone, Debug, PartialEq)]
pub(crate) struct Xoshiro256 {
    s: [u64; 4],
}

impl Xoshiro256 {
    pub(crate) fn next(&mut self) -> u64 {
        let s = &mut self.s;
        let out = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        out
    }

    /// Lua's seeding: the two seed words in fixed positions, then 16 values discarded.
    pub(crate) fn seed(&mut self, n1: u64, n2: u64) {
        self.s = [n1, 0xff, n2, 0];
        for _ in 0..16 {
            self.next();
        }
    }

    /// A float in [0, 1) from the top 53 bits.
    pub(crate) fn float(v: u64) -> f64 {
        (v >> 11) as f64 * (0.5f64).powi(53)
    }

    /// A value in [0, n] from `ran`, drawing again while it falls outside (Lua's `project`).
    pub(crate) fn project(&mut self, mut ran: u64, n: u64) -> u64 {
        if n & n.wrapping_add(1) == 0 {
            return ran & n; // n + 1 is a power of two
        }
        // Smallest 2^b - 1 not below n.
        let mut lim = n;
        lim |= lim >> 1;
        lim |= lim >> 2;
        lim |= lim >> 4;
        lim |= lim >> 8;
        lim |= lim >> 16;
        lim |= lim >> 32;
        loop {
            ran &= lim;
            if ran <= n {
                return ran;
            }
            ran = self.next();
        }
    }
}

/// Seed material when none is given: the time and an address, like Lua's `randseed`.
fn random_seed_parts() -> (u64, u64) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let local = 0u8;
    let addr = &local as *const u8 as u64;
    (
        now.as_secs(),
        addr ^ (now.subsec_nanos() as u64).rotate_left(32),
    )
}

/// Runs `f` on the generator kept as the calling closure's upvalue.
fn with_rng<R>(vm: &mut Vm, args: Args, f: impl FnOnce(&mut Xoshiro256) -> R) -> LuaResult<R> {
    let callee = if args.base > 0 {
        vm.stack()[args.base - 1]
    } else {
        Value::Nil
    };
    if let Value::NativeClosure(nc) = callee
        && let Some(Value::UserData(u)) = nc.upvals.first().copied()
        && let Some(rng) = u.get_mut().data.downcast_mut::<Xoshiro256>()
    {
        return Ok(f(rng));
    }
    Err(vm.rt_error("random state is missing"))
}

fn random(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let rv = with_rng(vm, args, |r| r.next())?;
    let (low, up) = match args.n {
        0 => return vm.ret1(args, Value::Float(Xoshiro256::float(rv))),
        1 => {
            let up = vm.check_int(args, 0, "random")?;
            if up == 0 {
                return vm.ret1(args, Value::Int(rv as i64));
            }
            (1, up)
        }
        2 => {
            let low = vm.check_int(args, 0, "random")?;
            let up = vm.check_int(args, 1, "random")?;
            (low, up)
        }
        _ => return Err(vm.rt_error("wrong number of arguments")),
    };
    if low > up {
        return Err(vm.arg_error(1, "random", "interval is empty"));
    }
    let span = (up as u64).wrapping_sub(low as u64);
    let p = with_rng(vm, args, |r| r.project(rv, span))?;
    vm.ret1(args, Value::Int(p.wrapping_add(low as u64) as i64))
}

fn randomseed(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let (n1, n2) = if args.n == 0 {
        random_seed_parts()
    } else {
        let n1 = vm.check_int(args, 0, "randomseed")?;
        let n2 = vm.opt_int(args, 1, "randomseed", 0)?;
        (n1 as u64, n2 as u64)
    };
    with_rng(vm, args, |r| r.seed(n1, n2))?;
    vm.ret_values(args, &[Value::Int(n1 as i64), Value::Int(n2 as i64)])
}

#[cfg(test)]
mod tests {
    use super::Xoshiro256;

    #[test]
    fn xoshiro_matches_lua_5_4() {
        // lua5.4 -e 'math.randomseed(42); print(math.random(0), math.random(0))'
        let mut r = Xoshiro256::default();
        r.seed(42, 0);
        let a = r.next() as i64;
        let b = r.next() as i64;
        let mut r2 = Xoshiro256::default();
        r2.seed(42, 0);
        assert_eq!((r2.next() as i64, r2.next() as i64), (a, b));
        // Known values from lua5.4 (math.randomseed(42); math.random(1,100), math.random(),
        // math.random(0)).
        let mut r = Xoshiro256::default();
        r.seed(42, 0);
        let v = r.next();
        assert_eq!(r.project(v, 99) + 1, 50);
        let f = Xoshiro256::float(r.next());
        assert_eq!(format!("{f:.14}"), "0.54688311243421");
        assert_eq!(r.next() as i64, -3807604385970496171);
    }

    #[test]
    fn project_stays_in_range() {
        let mut r = Xoshiro256::default();
        r.seed(7, 9);
        for n in [0u64, 1, 2, 3, 5, 6, 7, 100, 1000, u64::MAX, u64::MAX / 3] {
            for _ in 0..100 {
                let v = r.next();
                assert!(r.project(v, n) <= n);
            }
        }
    }
}
