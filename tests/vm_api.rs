//! The embedding API: loading, calling, host-driven coroutines with an instruction budget,
//! statistics, and bad input that must end in Lua errors rather than panics.

use moonpool::vm::{ErrorKind, Exhausted, LuaFunction, LuaTable, LuaValue, MultiValue, Resume, Vm};

fn run(vm: &mut Vm, src: &str) -> Result<MultiValue, String> {
    vm.exec(src, "=test").map_err(|e| e.message().to_string())
}

fn err_of(src: &str) -> String {
    let mut vm = Vm::with_stdlib();
    run(&mut vm, src).expect_err("expected a Lua error")
}

#[test]
fn call_returns_values_and_keeps_globals() {
    let mut vm = Vm::with_stdlib();
    let r = run(&mut vm, "x = 40 return x + 2, 'ok'").unwrap();
    assert_eq!(r.len(), 2);
    assert_eq!(r[0], LuaValue::Integer(42));
    assert_eq!(r[1].as_str(), Some("ok"));
    assert_eq!(vm.get_global::<i64>("x").unwrap(), 40);
    let f: LuaFunction = vm.get_global("tostring").unwrap();
    let s: String = vm.call(&f, 1.5).unwrap();
    assert_eq!(s, "1.5");
}

#[test]
fn compile_errors_carry_chunk_and_line() {
    let mut vm = Vm::with_stdlib();
    let e = vm.load("local x = 1\nx = = 2", "@t.lua").unwrap_err();
    assert_eq!(e.message(), "t.lua:2: unexpected symbol near '='");
    assert_eq!(e.kind(), ErrorKind::Syntax);
}

#[test]
fn runtime_errors_name_the_variable() {
    assert_eq!(
        err_of("local t = {}\nreturn t.a.b"),
        "test:2: attempt to index a nil value (field 'a')"
    );
    assert_eq!(
        err_of("return undefined_fn()"),
        "test:1: attempt to call a nil value (global 'undefined_fn')"
    );
}

#[test]
fn host_resume_with_fuel_preempts_and_continues() {
    let mut vm = Vm::with_stdlib();
    let f: LuaFunction = vm
        .exec(
            "return function(n) local s = 0 for i = 1, n do s = s + i end coroutine.yield(s) return s * 2 end",
            "=test",
        )
        .unwrap();
    let co = vm.create_thread(&f).unwrap();
    // A budget far too small for the loop: the coroutine is suspended, not killed.
    vm.set_fuel(Some(1000));
    let r = vm.resume::<i64>(&co, 100_000).unwrap();
    assert_eq!(r, Resume::OutOfFuel);
    let mut slices = 1;
    let yielded = loop {
        vm.set_fuel(Some(1000));
        match vm.resume::<i64>(&co, ()).unwrap() {
            Resume::OutOfFuel => slices += 1,
            other => break other,
        }
    };
    assert!(
        slices > 10,
        "the loop should need many slices, took {slices}"
    );
    assert_eq!(yielded, Resume::Yielded(5_000_050_000));
    vm.set_fuel(None);
    assert_eq!(
        vm.resume::<i64>(&co, ()).unwrap(),
        Resume::Finished(10_000_100_000)
    );
    // A dead coroutine cannot be resumed.
    let e = vm.resume::<()>(&co, ()).unwrap_err();
    assert_eq!(e.message(), "cannot resume dead coroutine");
}

#[test]
fn runaway_loop_on_the_main_thread_is_an_error_with_fuel() {
    let mut vm = Vm::with_stdlib();
    vm.set_fuel(Some(100_000));
    let e = vm.exec::<()>("while true do end", "=test").unwrap_err();
    assert!(e.message().contains("instruction budget exhausted"), "{e}");
    assert_eq!(e.kind(), ErrorKind::Budget(Exhausted::Instructions));
    // The VM stays usable.
    vm.set_fuel(None);
    assert_eq!(run(&mut vm, "return 1").unwrap()[0], LuaValue::Integer(1));
}

#[test]
fn deep_recursion_is_a_lua_stack_overflow() {
    let e = err_of("local function f(n) return 1 + f(n + 1) end return f(1)");
    assert!(e.starts_with("test:1: stack overflow"), "{e}");
    let e =
        err_of("local t = setmetatable({}, {__index = function(t, k) return t[k] end}) return t.x");
    assert!(e.contains("C stack overflow"), "{e}");
    // Deep but bounded recursion works.
    let mut vm = Vm::with_stdlib();
    let r = run(
        &mut vm,
        "local function d(n) if n == 0 then return 0 end return 1 + d(n - 1) end return d(100000)",
    )
    .unwrap();
    assert_eq!(r[0], LuaValue::Integer(100_000));
}

#[test]
fn absurd_sizes_are_lua_errors() {
    assert!(err_of("return string.rep('x', 1 << 40)").contains("resulting string too large"));
    assert!(err_of("return table.unpack({}, 1, 1 << 40)").contains("too many results to unpack"));
    assert!(
        err_of("return ('x'):rep(1 << 20):rep(1 << 20)").contains("resulting string too large")
    );
}

#[test]
fn errors_of_any_value_pass_through() {
    let mut vm = Vm::with_stdlib();
    let e = vm.exec::<()>("error({code = 7})", "=t").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Runtime);
    let Some(LuaValue::Table(t)) = e.value() else {
        panic!("expected a table error, got {e:?}");
    };
    // The error object is rooted by the error: it survives collections.
    vm.collect_garbage();
    assert_eq!(t.get::<_, i64>(&mut vm, "code").unwrap(), 7);
}

#[test]
fn stats_count_allocations_and_collections() {
    let mut vm = Vm::with_stdlib();
    let before = vm.stats();
    run(
        &mut vm,
        "local t = {} for i = 1, 100 do t[i] = {} end collectgarbage()",
    )
    .unwrap();
    let d = vm.stats().delta(&before);
    assert!(d.tables_allocated >= 100, "{d:?}");
    assert!(d.gc_collections >= 1);
    assert!(d.calls >= 2);
    assert!(vm.stats().frame_arena_capacity >= 1);
}

#[test]
fn register_files_come_back_to_the_pool() {
    let mut vm = Vm::with_stdlib();
    run(
        &mut vm,
        "for i = 1, 50 do local co = coroutine.wrap(function() coroutine.yield() end) co() co() end",
    )
    .unwrap();
    vm.collect_garbage();
    let before = vm.stats();
    run(
        &mut vm,
        "for i = 1, 50 do local co = coroutine.wrap(function() coroutine.yield() end) co() co() end",
    )
    .unwrap();
    let d = vm.stats().delta(&before);
    assert_eq!(d.threads_created, 50);
    assert!(d.regpool_hits >= 40, "{d:?}");
}

#[test]
fn garbage_cycles_are_collected() {
    let mut vm = Vm::with_stdlib();
    run(
        &mut vm,
        "for i = 1, 1000 do local a, b = {}, {} a.b = b b.a = a end",
    )
    .unwrap();
    vm.collect_garbage();
    let live = vm.stats().heap_bytes;
    run(
        &mut vm,
        "for i = 1, 100000 do local a, b = {}, {} a.b = b b.a = a end",
    )
    .unwrap();
    vm.collect_garbage();
    assert!(vm.stats().heap_bytes <= live + 4096, "cycles leaked");
}

#[test]
fn host_resume_passes_values_both_ways() {
    let mut vm = Vm::with_stdlib();
    let f: LuaFunction = vm
        .exec(
            "return function(a) local b = coroutine.yield(a + 1, 'x') return b * 10 end",
            "=test",
        )
        .unwrap();
    let co = vm.create_thread(&f).unwrap();
    let r = vm.resume::<(i64, String)>(&co, 1).unwrap();
    assert_eq!(r, Resume::Yielded((2, "x".to_string())));
    let r = vm.resume::<MultiValue>(&co, 5).unwrap();
    let Resume::Finished(values) = r else {
        panic!("{r:?}")
    };
    assert_eq!(&values[..], &[LuaValue::Integer(50)]);
}

#[test]
fn memory_limit_gives_not_enough_memory_and_the_vm_recovers() {
    let mut vm = Vm::with_stdlib();
    vm.set_memory_limit(Some(32 << 20));
    let e = run(&mut vm, "local t = {} for i = 1, 1e9 do t[i] = i end").unwrap_err();
    assert_eq!(e, "not enough memory");
    let e = run(
        &mut vm,
        "local t = {} for i = 1, 1e9 do t[#t + 1] = tostring(i) .. 'x' end",
    )
    .unwrap_err();
    assert_eq!(e, "not enough memory");
    let e = run(&mut vm, "return string.rep('x', 100 << 20)").unwrap_err();
    assert_eq!(e, "not enough memory");
    // Caught inside Lua like any error, and the garbage is reclaimed afterwards.
    let r = run(
        &mut vm,
        "local ok, e = pcall(function() local t = {} for i = 1, 1e9 do t[i] = {} end end) return ok, e",
    )
    .unwrap();
    assert_eq!(r[0], LuaValue::Boolean(false));
    assert_eq!(r[1].as_str(), Some("not enough memory"));
    assert_eq!(
        run(&mut vm, "return #string.rep('x', 1000)").unwrap()[0],
        LuaValue::Integer(1000)
    );
}

#[test]
fn handles_keep_values_alive_until_dropped() {
    let mut vm = Vm::with_stdlib();
    let (weak, kept): (LuaTable, LuaTable) = vm
        .exec(
            "return setmetatable({}, {__mode = 'k'}), {name = 'kept'}",
            "=test",
        )
        .unwrap();
    // The weak table holds `kept` as a key: it stays while a handle holds it, goes after.
    let set = vm.load("local w, k = ... w[k] = true", "=set").unwrap();
    vm.call::<()>(&set, (&weak, &kept)).unwrap();
    let count = vm
        .load(
            "local n = 0 for _ in pairs(...) do n = n + 1 end return n",
            "=count",
        )
        .unwrap();
    vm.collect_garbage();
    assert_eq!(vm.call::<i64>(&count, &weak).unwrap(), 1);
    assert_eq!(kept.get::<_, String>(&mut vm, "name").unwrap(), "kept");
    // A clone keeps it alive too; only the last one's drop releases it.
    let kept_again = kept.clone();
    drop(kept);
    vm.collect_garbage();
    assert_eq!(vm.call::<i64>(&count, &weak).unwrap(), 1);
    drop(kept_again);
    vm.collect_garbage();
    vm.collect_garbage();
    assert_eq!(vm.call::<i64>(&count, &weak).unwrap(), 0);
}

#[test]
fn handles_refuse_other_vms() {
    let mut a = Vm::with_stdlib();
    let mut b = Vm::with_stdlib();
    let t = a.create_table();
    let e = t.set(&mut b, "x", 1).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::WrongVm);
    let f = a.load("return 1", "=f").unwrap();
    assert_eq!(
        b.call::<i64>(&f, ()).unwrap_err().kind(),
        ErrorKind::WrongVm
    );
    // A handle outliving its VM is refused by a new one too (ids are never reused).
    drop(a);
    let mut c = Vm::with_stdlib();
    assert_eq!(
        c.call::<i64>(&f, ()).unwrap_err().kind(),
        ErrorKind::WrongVm
    );
}

#[test]
fn typed_conversions_both_ways() {
    use std::collections::{BTreeMap, HashMap};
    let mut vm = Vm::with_stdlib();
    let echo = vm.load("return ...", "=echo").unwrap();
    let v: Vec<i64> = vm.call(&echo, vec![1i64, 2, 3]).unwrap();
    assert_eq!(v, [1, 2, 3]);
    let mut m = BTreeMap::new();
    m.insert("a".to_string(), 1.5f64);
    m.insert("b".to_string(), 2.0);
    let back: HashMap<String, f64> = vm.call(&echo, m.clone()).unwrap();
    assert_eq!(back.len(), 2);
    assert_eq!(back["a"], 1.5);
    let (x, y, z): (Option<i32>, bool, String) =
        vm.call(&echo, (LuaValue::Nil, true, "s")).unwrap();
    assert_eq!((x, y, z.as_str()), (None, true, "s"));
    // A float with an integer value converts to an integer; other values are errors.
    assert_eq!(vm.call::<u8>(&echo, 7.0).unwrap(), 7);
    let e = vm.call::<u8>(&echo, 300).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conversion);
    let e = vm.call::<i64>(&echo, "x").unwrap_err();
    assert_eq!(e.message(), "integer expected, got string");
    // Globals and tables.
    vm.set_global("answer", 42).unwrap();
    assert_eq!(vm.exec::<i64>("return answer + 0", "=g").unwrap(), 42);
    let t = vm.create_table();
    t.set(&mut vm, 1, "one").unwrap();
    t.set(&mut vm, "k", vec![1i64, 2]).unwrap();
    assert_eq!(t.raw_len(&mut vm).unwrap(), 1);
    let pairs: Vec<(LuaValue, LuaValue)> = t.pairs(&mut vm).unwrap();
    assert_eq!(pairs.len(), 2);
    let inner: Vec<i64> = t.get(&mut vm, "k").unwrap();
    assert_eq!(inner, [1, 2]);
}

#[test]
fn a_pcall_cannot_outlive_the_instruction_budget() {
    let mut vm = Vm::with_stdlib();
    vm.set_fuel(Some(100_000));
    let e = run(
        &mut vm,
        "local caught = 0
         while true do
           pcall(function() while true do end end)
           caught = caught + 1
         end",
    )
    .unwrap_err();
    assert!(e.contains("instruction budget exhausted"), "{e}");
    vm.set_fuel(Some(100_000));
    assert_eq!(run(&mut vm, "return 2").unwrap()[0], LuaValue::Integer(2));
}

#[test]
fn string_size_limit() {
    let mut vm = Vm::with_stdlib();
    vm.limits.max_string_bytes = 1 << 20;
    for src in [
        "return string.rep('x', 2 << 20)",
        "local s = 'x' for i = 1, 22 do s = s .. s end return #s",
        "local t = {} for i = 1, 3000 do t[i] = ('y'):rep(1000) end return table.concat(t)",
        "return string.rep('ab', 600000, ',')",
    ] {
        let e = run(&mut vm, src).unwrap_err();
        assert!(e.contains("string too large"), "{src}: {e}");
    }
    // Up to the limit is fine, and the VM goes on.
    let r = run(&mut vm, "return #string.rep('x', 1 << 20)").unwrap();
    assert_eq!(r[0], LuaValue::Integer(1 << 20));
}

#[test]
fn table_size_limit() {
    let mut vm = Vm::with_stdlib();
    vm.limits.max_table_bytes = 1 << 20;
    let e = run(&mut vm, "local t = {} for i = 1, 1e6 do t[i] = i end").unwrap_err();
    assert!(e.starts_with("test:1: table overflow"), "{e}");
    let e = run(
        &mut vm,
        "local t = {} for i = 1, 1e6 do t['k' .. i] = i end",
    )
    .unwrap_err();
    assert!(e.contains("table overflow"), "{e}");
    let r = run(
        &mut vm,
        "local t = {} for i = 1, 1000 do t[i] = i end return #t",
    )
    .unwrap();
    assert_eq!(r[0], LuaValue::Integer(1000));
}

#[test]
fn call_depth_limit() {
    let mut vm = Vm::with_stdlib();
    vm.limits.max_call_depth = 500;
    let e = run(
        &mut vm,
        "local function d(n) if n == 0 then return 0 end return 1 + d(n - 1) end return d(1000)",
    )
    .unwrap_err();
    assert!(e.contains("stack overflow"), "{e}");
    let r = run(
        &mut vm,
        "local function d(n) if n == 0 then return 0 end return 1 + d(n - 1) end return d(400)",
    )
    .unwrap();
    assert_eq!(r[0], LuaValue::Integer(400));
}

#[test]
fn allocation_budget_fails_only_the_code_that_runs_past_it() {
    let mut vm = Vm::with_stdlib();
    run(&mut vm, "kept = {}").unwrap();
    vm.set_allocation_budget(Some(1 << 20));
    let e = run(
        &mut vm,
        "local t = {} while true do t[#t + 1] = {1, 2, 3} end",
    )
    .unwrap_err();
    assert!(e.contains("not enough memory"), "{e}");
    // A pcall does not get it back: allocation keeps failing until the host lifts the budget.
    let e = run(
        &mut vm,
        "local ok = pcall(function() return {} end) return {}",
    )
    .unwrap_err();
    assert!(e.contains("not enough memory"), "{e}");
    vm.set_allocation_budget(Some(1 << 20));
    let r = run(&mut vm, "kept[1] = {} return #kept").unwrap();
    assert_eq!(r[0], LuaValue::Integer(1));
}

/// Found by fuzzing (`fuzz/artifacts/run/timeout-6bbc...`): a backtracking pattern takes
/// exponential time; under an instruction budget it now ends like a runaway loop.
#[test]
fn pathological_patterns_and_long_native_loops_spend_the_instruction_budget() {
    let mut vm = Vm::with_stdlib();
    vm.set_fuel(Some(1_000_000));
    for src in [
        "return string.match(string.rep('a', 40), string.rep('a*', 40) .. 'b')",
        "return string.gsub(string.rep('a', 40), string.rep('a-', 40) .. 'b', '')",
        "for m in string.gmatch(string.rep('a', 40), string.rep('a?', 40) .. 'b') do end",
        "local s = string.rep('a', 5000) local n = 0 while true do n = n + #s:match('a*a*a*b?') end",
        "table.move({}, 1, math.maxinteger - 1, 2)",
    ] {
        let e = run(&mut vm, src).unwrap_err();
        assert!(e.contains("instruction budget exhausted"), "{src}: {e}");
        vm.set_fuel(Some(1_000_000));
    }
    // Ordinary matching is unaffected.
    let r = run(
        &mut vm,
        "return (string.find(string.rep('ab', 1000) .. 'c', 'c'))",
    )
    .unwrap();
    assert_eq!(r[0], LuaValue::Integer(2001));
}

/// Every input the fuzzers found that crashed or hung (`tests/fuzz_regressions/`), run the way
/// the `run` fuzz target runs programs: each must end with a result or a Lua error.
#[test]
fn fuzz_regressions_end() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let source = std::fs::read(entry.unwrap().path()).unwrap();
        let mut vm = Vm::with_stdlib();
        vm.out = Box::new(std::io::sink());
        vm.set_memory_limit(Some(32 << 20));
        vm.limits.max_string_bytes = 4 << 20;
        vm.set_fuel(Some(200_000));
        if let Ok(f) = vm.load(&source, "=fuzz") {
            let _ = vm.call::<()>(&f, ());
        }
        n += 1;
    }
    assert!(n > 0);
}

/// `debug.setlocal` on a numeric for loop's hidden control variables is an error at the loop
/// (PUC Lua crashes on it), not a panic of the host.
#[test]
fn a_for_loop_whose_state_the_debug_library_changed_is_an_error() {
    let e = err_of("for i = 1.5, 3 do debug.setlocal(1, 1, 'x') end");
    assert!(e.contains("'for' loop state changed"), "{e}");
    let e = err_of("for i = 1, 3 do debug.setlocal(1, 2, {}) end");
    assert!(e.contains("'for' loop state changed"), "{e}");
}
