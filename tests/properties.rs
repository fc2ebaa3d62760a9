//! Property tests: tables against a model, string patterns against plain searches, and number
//! formatting and parsing against Rust's own conversions.

use std::collections::HashMap;

use moonpool::vm::{LuaValue, MultiValue, Vm};
use proptest::prelude::*;

/// A table key the model can hold.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Key {
    Int(i64),
    Str(String),
}

#[derive(Clone, Debug)]
enum Op {
    Set(Key, Option<i64>),
    Get(Key),
}

fn key() -> impl Strategy<Value = Key> {
    prop_oneof![
        // Mostly small integers, so the array part is exercised (and its border moves).
        4 => (-3i64..40).prop_map(Key::Int),
        1 => any::<i64>().prop_map(Key::Int),
        2 => "[a-d]{1,3}".prop_map(Key::Str),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (key(), proptest::option::weighted(0.8, any::<i64>())).prop_map(|(k, v)| Op::Set(k, v)),
        1 => key().prop_map(Op::Get),
    ]
}

fn lua_key(k: &Key) -> LuaValue {
    match k {
        Key::Int(i) => LuaValue::Integer(*i),
        Key::Str(s) => LuaValue::from(s.as_str()),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Gets see the last set; `next` visits every present key exactly once; the length is a
    /// border (t[n] ~= nil and t[n + 1] == nil, or 0 when t[1] is nil).
    #[test]
    fn tables_behave_like_a_map(ops in proptest::collection::vec(op(), 1..200)) {
        let mut vm = Vm::new();
        let t = vm.create_table();
        let mut model: HashMap<Key, i64> = HashMap::new();
        for op in &ops {
            match op {
                Op::Set(k, v) => {
                    t.set(&mut vm, lua_key(k), *v).unwrap();
                    match v {
                        Some(v) => { model.insert(k.clone(), *v); }
                        None => { model.remove(k); }
                    }
                }
                Op::Get(k) => {
                    let want = model.get(k).copied();
                    prop_assert_eq!(t.raw_get::<_, Option<i64>>(&mut vm, lua_key(k)).unwrap(), want);
                }
            }
        }
        let mut seen = HashMap::new();
        for (key, v) in t.pairs::<LuaValue, i64>(&mut vm).unwrap() {
            let mk = match key {
                LuaValue::Integer(i) => Key::Int(i),
                LuaValue::String(s) => Key::Str(s.to_string_lossy()),
                other => panic!("unexpected key {other:?}"),
            };
            prop_assert!(seen.insert(mk.clone(), v).is_none(), "{:?} visited twice", mk);
        }
        prop_assert_eq!(seen.len(), model.len());
        for (mk, v) in &model {
            prop_assert_eq!(seen.get(mk), Some(v));
        }
        let n = t.raw_len(&mut vm).unwrap();
        if n == 0 {
            prop_assert!(!model.contains_key(&Key::Int(1)));
        } else {
            prop_assert!(model.contains_key(&Key::Int(n)));
            prop_assert!(!model.contains_key(&Key::Int(n + 1)));
        }
    }
}

/// Runs `f(args...)` from the standard library and returns its results.
fn call(vm: &mut Vm, path: &str, args: &[LuaValue]) -> Vec<LuaValue> {
    let src = format!("return {path}(...)");
    let f = vm.load(src, "=prop").unwrap();
    let r: MultiValue = vm
        .call(&f, args.iter().cloned().collect::<MultiValue>())
        .unwrap();
    r.to_vec()
}

fn lua_str(_: &mut Vm, s: &str) -> LuaValue {
    LuaValue::from(s)
}

/// A pattern matching `s` literally: every non-alphanumeric byte escaped with `%`.
fn escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if !c.is_ascii_alphanumeric() {
            out.push('%');
        }
        out.push(c);
    }
    out
}

fn as_int(v: &LuaValue) -> Option<i64> {
    match v {
        LuaValue::Integer(i) => Some(*i),
        _ => None,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// `string.find` with an escaped pattern, and in plain mode, finds what `str::find` finds.
    #[test]
    fn escaped_patterns_find_like_plain_search(
        subject in "[ab.%()\\[\\]^$*+?-]{0,24}",
        needle in "[ab.%()\\[\\]^$*+?-]{1,4}",
        init in 1usize..6,
    ) {
        let mut vm = Vm::with_stdlib();
        let start = (init - 1).min(subject.len());
        let want = subject[start..].find(&needle).map(|i| (i + start + 1) as i64);
        let s = lua_str(&mut vm, &subject);
        let p = lua_str(&mut vm, &escape(&needle));
        let r = call(&mut vm, "string.find", &[s.clone(), p, LuaValue::Integer(init as i64)]);
        prop_assert_eq!(as_int(&r[0]), want);
        if let Some(w) = want {
            prop_assert_eq!(as_int(&r[1]), Some(w + needle.len() as i64 - 1));
        }
        let plain = lua_str(&mut vm, &needle);
        let r = call(&mut vm, "string.find", &[s, plain, LuaValue::Integer(init as i64), LuaValue::Boolean(true)]);
        prop_assert_eq!(as_int(&r[0]), want);
    }

    /// `gsub` with an escaped pattern replaces like `str::replace`, and counts the matches.
    #[test]
    fn escaped_gsub_replaces_like_str_replace(
        subject in "[abc.%]{0,30}",
        needle in "[abc.%]{1,3}",
        repl in "[xy]{0,3}",
    ) {
        let mut vm = Vm::with_stdlib();
        let s = lua_str(&mut vm, &subject);
        let p = lua_str(&mut vm, &escape(&needle));
        let r_ = lua_str(&mut vm, &repl);
        let r = call(&mut vm, "string.gsub", &[s, p, r_]);
        let want = subject.replace(&needle, &repl);
        prop_assert_eq!(&r[0], &lua_str(&mut vm, &want));
        prop_assert_eq!(as_int(&r[1]), Some(subject.matches(&needle).count() as i64));
    }

    /// Character classes and repetition: `%d+` finds the first run of digits, `^%a*` the
    /// leading letters, `(.-)b` the text before the first `b`.
    #[test]
    fn classes_and_repetition_match_a_hand_scan(subject in "[a-c0-9 ]{0,30}") {
        let mut vm = Vm::with_stdlib();
        let s = lua_str(&mut vm, &subject);
        let digits = subject.find(|c: char| c.is_ascii_digit()).map(|i| {
            let len = subject[i..].find(|c: char| !c.is_ascii_digit()).unwrap_or(subject.len() - i);
            subject[i..i + len].to_string()
        });
        let p = lua_str(&mut vm, "%d+");
        let r = call(&mut vm, "string.match", &[s.clone(), p]);
        let want = match &digits { Some(d) => lua_str(&mut vm, d), None => LuaValue::Nil };
        prop_assert_eq!(&r[0], &want);
        let letters: String = subject.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
        let p = lua_str(&mut vm, "^%a*");
        let r = call(&mut vm, "string.match", &[s.clone(), p]);
        prop_assert_eq!(&r[0], &lua_str(&mut vm, &letters));
        let p = lua_str(&mut vm, "(.-)b");
        let r = call(&mut vm, "string.match", &[s.clone(), p]);
        let want = match subject.find('b') { Some(i) => lua_str(&mut vm, &subject[..i]), None => LuaValue::Nil };
        prop_assert_eq!(&r[0], &want);
    }
}

fn run_str(vm: &mut Vm, src: &str, args: &[LuaValue]) -> String {
    let f = vm.load(src, "=prop").unwrap();
    match vm
        .call::<LuaValue>(&f, args.iter().cloned().collect::<MultiValue>())
        .unwrap()
    {
        LuaValue::String(s) => s.to_string_lossy(),
        other => panic!("not a string: {other:?}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Integers print and parse exactly, in decimal and hex.
    #[test]
    fn integers_round_trip(i in any::<i64>()) {
        let mut vm = Vm::with_stdlib();
        prop_assert_eq!(run_str(&mut vm, "return tostring(...)", &[LuaValue::Integer(i)]), i.to_string());
        prop_assert_eq!(run_str(&mut vm, "return string.format('%d', ...)", &[LuaValue::Integer(i)]), i.to_string());
        prop_assert_eq!(run_str(&mut vm, "return string.format('%x', ...)", &[LuaValue::Integer(i)]), format!("{:x}", i));
        let s = LuaValue::from(i.to_string());
        let r = call(&mut vm, "tonumber", &[s]);
        prop_assert_eq!(&r[0], &LuaValue::Integer(i));
        let s = LuaValue::from(format!("0x{:x}", i));
        let r = call(&mut vm, "tonumber", &[s]);
        prop_assert_eq!(&r[0], &LuaValue::Integer(i));
    }

    /// Floats: `%.17g` and `%a` round-trip exactly through `tonumber`; `tostring` (`%.14g`)
    /// comes back within 14 significant digits; `%.3f` prints what Rust prints.
    #[test]
    fn floats_round_trip(x in any::<f64>().prop_filter("finite", |x| x.is_finite())) {
        let mut vm = Vm::with_stdlib();
        for fmt in ["%.17g", "%a"] {
            let src = format!("return tonumber(string.format('{fmt}', ...))");
            let f = vm.load(src, "=prop").unwrap();
            let r: LuaValue = vm.call(&f, x).unwrap();
            prop_assert_eq!(r.as_number(), Some(x), "{}", fmt);
        }
        let f = vm.load("return tonumber(tostring(...))", "=prop").unwrap();
        let r: LuaValue = vm.call(&f, x).unwrap();
        let back = r.as_number().unwrap_or_else(|| panic!("{r:?}"));
        prop_assert!((back - x).abs() <= x.abs() * 1e-13, "{} -> {}", x, back);
        if x.abs() < 1e15 {
            prop_assert_eq!(run_str(&mut vm, "return string.format('%.3f', ...)", &[LuaValue::Number(x)]), format!("{:.3}", x));
        }
    }
}
