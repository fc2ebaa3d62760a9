//! The embedding API: loading, calling, host-driven coroutines with an instruction budget,
//! statistics, and bad input that must end in Lua errors rather than panics.

use moonpool::vm::{LuaError, ResumeOutcome, Value, Vm};

fn run(vm: &mut Vm, src: &str) -> Result<Vec<Value>, String> {
    let f = vm
        .load(src.as_bytes(), "=test")
        .map_err(|e| vm.error_to_string(&e))?;
    vm.call(f, &[]).map_err(|e| vm.error_to_string(&e))
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
    assert_eq!(r[0], Value::Int(42));
    assert_eq!(vm.get_global("x"), Value::Int(40));
    let f = vm.get_global("tostring");
    let s = vm.call1(f, &[Value::Float(1.5)]).unwrap();
    assert_eq!(s, vm.str_value("1.5"));
}

#[test]
fn compile_errors_carry_chunk_and_line() {
    let mut vm = Vm::with_stdlib();
    let e = vm.load(b"local x = 1\nx = = 2", "@t.lua").unwrap_err();
    assert_eq!(
        vm.error_to_string(&e),
        "t.lua:2: unexpected symbol near '='"
    );
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
    let f = run(
        &mut vm,
        "return function(n) local s = 0 for i = 1, n do s = s + i end coroutine.yield(s) return s * 2 end",
    )
    .unwrap()[0];
    let co = vm.new_thread(f);
    // A budget far too small for the loop: the coroutine is suspended, not killed.
    vm.set_fuel(Some(1000));
    let r = vm.resume(co, &[Value::Int(100_000)]).unwrap();
    assert_eq!(r, ResumeOutcome::OutOfFuel);
    let mut slices = 1;
    let yielded = loop {
        vm.set_fuel(Some(1000));
        match vm.resume(co, &[]).unwrap() {
            ResumeOutcome::OutOfFuel => slices += 1,
            other => break other,
        }
    };
    assert!(
        slices > 10,
        "the loop should need many slices, took {slices}"
    );
    assert_eq!(
        yielded,
        ResumeOutcome::Yielded(vec![Value::Int(5_000_050_000)])
    );
    vm.set_fuel(None);
    assert_eq!(
        vm.resume(co, &[]).unwrap(),
        ResumeOutcome::Finished(vec![Value::Int(10_000_100_000)])
    );
    // A dead coroutine cannot be resumed.
    let e = vm.resume(co, &[]).unwrap_err();
    assert_eq!(vm.error_to_string(&e), "cannot resume dead coroutine");
}

#[test]
fn runaway_loop_on_the_main_thread_is_an_error_with_fuel() {
    let mut vm = Vm::with_stdlib();
    vm.set_fuel(Some(100_000));
    let e = run(&mut vm, "while true do end").unwrap_err();
    assert!(e.contains("instruction budget exhausted"), "{e}");
    // The VM stays usable.
    vm.set_fuel(None);
    assert_eq!(run(&mut vm, "return 1").unwrap()[0], Value::Int(1));
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
    assert_eq!(r[0], Value::Int(100_000));
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
    let f = vm.load(b"error({code = 7})", "=t").unwrap();
    match vm.call(f, &[]) {
        Err(LuaError::Value(Value::Table(t))) => {
            let k = vm.str_value("code");
            assert_eq!(t.get(k), Value::Int(7));
        }
        other => panic!("expected a table error, got {other:?}"),
    }
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
    let f = run(
        &mut vm,
        "return function(a) local b = coroutine.yield(a + 1) return b * 10 end",
    )
    .unwrap()[0];
    let co = vm.new_thread(f);
    let r = vm.resume(co, &[Value::Int(1)]).unwrap();
    assert_eq!(r, ResumeOutcome::Yielded(vec![Value::Int(2)]));
    let r = vm.resume(co, &[Value::Int(5)]).unwrap();
    assert_eq!(r, ResumeOutcome::Finished(vec![Value::Int(50)]));
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
    assert_eq!(r[0], Value::Bool(false));
    assert_eq!(r[1], vm.str_value("not enough memory"));
    assert_eq!(
        run(&mut vm, "return #string.rep('x', 1000)").unwrap()[0],
        Value::Int(1000)
    );
}

#[test]
fn rooted_values_survive_collections_and_unrooted_ones_are_freed() {
    let mut vm = Vm::with_stdlib();
    let r = run(
        &mut vm,
        "return setmetatable({}, {__mode = 'k'}), {name = 'kept'}",
    )
    .unwrap();
    let (weak, kept) = (r[0], r[1]);
    let weak_key = vm.root(weak);
    let kept_key = vm.root(kept);
    // The weak table holds `kept` as a key: it stays while rooted, goes once unrooted.
    let Value::Table(w) = weak else { panic!() };
    let set = vm.load(b"local w, k = ... w[k] = true", "=set").unwrap();
    vm.call(set, &[weak, kept]).unwrap();
    vm.collect_garbage();
    let count = vm
        .load(
            b"local n = 0 for _ in pairs(...) do n = n + 1 end return n",
            "=count",
        )
        .unwrap();
    // Held by Rust across collections: must be rooted like any host-held value.
    let count_key = vm.root(count);
    assert_eq!(vm.call1(count, &[weak]).unwrap(), Value::Int(1));
    assert_eq!(vm.rooted(kept_key), Some(kept));
    vm.unroot(kept_key);
    vm.collect_garbage();
    vm.collect_garbage();
    assert_eq!(vm.call1(count, &[Value::Table(w)]).unwrap(), Value::Int(0));
    assert_eq!(vm.unroot(weak_key), Some(weak));
    vm.unroot(count_key);
}

#[test]
fn resume_in_place_leaves_values_in_the_vm() {
    let mut vm = Vm::with_stdlib();
    let f = run(
        &mut vm,
        "return function(a) local b = coroutine.yield(a + 1, 'x') return b * 2 end",
    )
    .unwrap()[0];
    let co = vm.new_thread(f);
    assert_eq!(
        vm.resume_in_place(co, &[Value::Int(1)]).unwrap(),
        moonpool::vm::Resumed::Yielded(2)
    );
    assert_eq!(vm.resume_values()[0], Value::Int(2));
    assert_eq!(
        vm.resume_in_place(co, &[Value::Int(21)]).unwrap(),
        moonpool::vm::Resumed::Finished(1)
    );
    assert_eq!(vm.resume_values(), &[Value::Int(42)]);
    assert!(vm.resume_in_place(co, &[]).is_err(), "dead coroutine");
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
    assert_eq!(run(&mut vm, "return 2").unwrap()[0], Value::Int(2));
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
    assert_eq!(r[0], Value::Int(1 << 20));
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
    assert_eq!(r[0], Value::Int(1000));
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
    assert_eq!(r[0], Value::Int(400));
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
    assert_eq!(r[0], Value::Int(1));
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
    assert_eq!(r[0], Value::Int(2001));
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
            let _ = vm.call(f, &[]);
        }
        n += 1;
    }
    assert!(n > 0);
}
