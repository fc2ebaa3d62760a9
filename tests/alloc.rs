//! Once warm, running Lua code that creates no objects allocates nothing on the Rust heap:
//! calls and returns reuse frame-arena slots and register files, coroutine switches reuse the
//! pooled register files. Allocation counts are deterministic, so they are asserted exactly.

use moonpool::vm::{CountingAllocator, LuaFunction, LuaValue, Resume, Vm, heap_counters};

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// Loads `setup`, calls global `run` once to warm up, then returns the Rust heap allocations of
/// a second call and that call's result.
fn allocations_of_second_run(setup: &str) -> (u64, LuaValue) {
    let mut vm = Vm::with_stdlib();
    vm.exec::<()>(setup, "=setup").unwrap();
    let run: LuaFunction = vm.get_global("run").unwrap();
    vm.call::<LuaValue>(&run, ()).unwrap();
    let before = heap_counters();
    let result: LuaValue = vm.call(&run, ()).unwrap();
    let after = heap_counters();
    (after.since(&before).allocations, result)
}

#[test]
fn counting_allocator_sees_allocations() {
    let before = heap_counters();
    let v = std::hint::black_box(vec![1u8; 100]);
    let after = heap_counters();
    assert_eq!(v.len(), 100);
    assert!(after.since(&before).allocations >= 1);
}

#[test]
fn warm_recursive_calls_allocate_nothing() {
    let (allocs, result) = allocations_of_second_run(
        "local function fib(n) if n < 2 then return n end return fib(n-1) + fib(n-2) end
         function run() local s = 0 for i = 1, 20 do s = s + fib(20) end return s end",
    );
    assert_eq!(result, LuaValue::Integer(6765 * 20));
    assert_eq!(allocs, 0, "fib(20) x 20 allocated");
}

#[test]
fn warm_coroutine_round_trips_allocate_nothing() {
    let (allocs, result) = allocations_of_second_run(
        "local co = coroutine.wrap(function() local n = 0 while true do n = n + 1 coroutine.yield(n) end end)
         local co2 = coroutine.create(function(x) while true do x = coroutine.yield(x * 2) end end)
         function run()
           local s = 0
           for i = 1, 100000 do s = s + co() end
           for i = 1, 1000 do local ok, v = coroutine.resume(co2, i) s = s + v end
           return s
         end",
    );
    assert!(matches!(result, LuaValue::Integer(_)));
    assert_eq!(allocs, 0, "100,000 resume/yield round trips allocated");
}

#[test]
fn warm_method_calls_loops_and_existing_keys_allocate_nothing() {
    let (allocs, result) = allocations_of_second_run(
        "local P = {} P.__index = P
         function P.new(x) return setmetatable({x = x, hits = 0}, P) end
         function P:hit(n) self.hits = self.hits + n return self.x end
         local p = P.new(3)
         local t = {1, 2, 3, a = 1, b = 2}
         function run()
           local s = 0
           for i = 1, 10000 do
             s = s + p:hit(1)
             t[1] = t[1] + 1
             t.a = t.a + i % 7
             s = s + (i * 3 // 2) % 5
           end
           return s
         end",
    );
    assert!(matches!(result, LuaValue::Integer(_)));
    assert_eq!(allocs, 0);
}

#[test]
fn pcall_and_errors_caught_in_lua_reuse_memory() {
    // A caught error builds a message string (an allocation), but a pcall that succeeds does not.
    let (allocs, _) = allocations_of_second_run(
        "local function ok(a, b) return a + b end
         function run() local s = 0 for i = 1, 1000 do local _, v = pcall(ok, i, 1) s = s + v end return s end",
    );
    assert_eq!(allocs, 0);
}

/// Calls global `update(frame)` `warm` times, then returns the Rust heap allocations and VM
/// object allocations per call over the next `frames` calls (the steady state of a game loop).
fn steady_state_per_frame(setup: &str, warm: usize, frames: usize) -> (f64, f64, Vm) {
    let mut vm = Vm::with_stdlib();
    vm.exec::<()>(setup, "=setup").unwrap();
    let update: LuaFunction = vm.get_global("update").unwrap();
    for i in 0..warm {
        vm.call::<()>(&update, i as i64).unwrap();
    }
    let stats_before = vm.stats();
    let before = heap_counters();
    for i in warm..warm + frames {
        vm.call::<()>(&update, i as i64).unwrap();
    }
    let after = heap_counters();
    let d = vm.stats().delta(&stats_before);
    let vm_objects = d.tables_allocated + d.closures_allocated + d.strings_allocated;
    (
        after.since(&before).allocations as f64 / frames as f64,
        vm_objects as f64 / frames as f64,
        vm,
    )
}

#[test]
fn table_churn_recycles_memory_in_steady_state() {
    let (rust_per_frame, objs_per_frame, vm) = steady_state_per_frame(
        "local live = {}
         function update(frame)
           for i = 1, 50 do
             local p = {x = i, y = frame, tag = 'enemy', 1, 2, 3}
             live[(frame * 50 + i) % 500 + 1] = p
           end
         end",
        1000,
        1000,
    );
    assert!(objs_per_frame >= 50.0, "the script creates garbage");
    assert!(vm.stats().gc_collections > 0, "the collector ran");
    assert_eq!(
        rust_per_frame, 0.0,
        "table churn: Rust allocations per frame"
    );
}

#[test]
fn closure_churn_recycles_memory_in_steady_state() {
    let (rust_per_frame, objs_per_frame, vm) = steady_state_per_frame(
        "local handlers = {}
         function update(frame)
           for i = 1, 50 do
             local a, b, c = i, frame, i * 2
             handlers[i] = function() return a + b + c end
           end
           local s = 0
           for i = 1, 50 do s = s + handlers[i]() end
           return s
         end",
        1000,
        1000,
    );
    assert!(objs_per_frame >= 50.0);
    assert!(vm.stats().gc_collections > 0);
    assert_eq!(
        rust_per_frame, 0.0,
        "closure churn: Rust allocations per frame"
    );
}

#[test]
fn string_building_recycles_memory_in_steady_state() {
    let (rust_per_frame, objs_per_frame, vm) = steady_state_per_frame(
        "local names = {}
         function update(frame)
           for i = 1, 20 do
             names[i] = 'enemy_' .. frame .. '_' .. i
           end
           return #table.concat(names, ',')
         end",
        2000,
        1000,
    );
    assert!(objs_per_frame >= 20.0);
    assert!(vm.stats().gc_collections > 0);
    assert_eq!(
        rust_per_frame, 0.0,
        "string building: Rust allocations per frame"
    );
}

#[test]
fn spawning_pooled_coroutines_allocates_nothing() {
    // Each frame spawns and finishes 1,000 coroutines: finished ones give their register file
    // back at once, and the collector returns their boxes to the pool.
    let (rust_per_frame, _, vm) = steady_state_per_frame(
        "local function body(n) local s = 0 for i = 1, n do s = s + coroutine.yield(i) end return s end
         function update()
           local total = 0
           for k = 1, 1000 do
             local co = coroutine.create(body)
             local _, v = coroutine.resume(co, 3)
             while coroutine.status(co) ~= 'dead' do _, v = coroutine.resume(co, v) end
             total = total + v
           end
           return total
         end",
        20,
        20,
    );
    assert!(vm.stats().regpool_hits >= 20_000);
    assert_eq!(
        rust_per_frame, 0.0,
        "1,000 coroutine spawns per frame allocated"
    );
}

#[test]
fn host_driven_resumes_allocate_nothing() {
    let mut vm = Vm::with_stdlib();
    let f = vm
        .load(
            b"return function() local n = 0 while true do n = n + 1 coroutine.yield(n) end end",
            "=task",
        )
        .unwrap();
    let body: LuaFunction = vm.call(&f, ()).unwrap();
    let co = vm.create_thread(&body).unwrap();
    for _ in 0..100 {
        vm.resume::<()>(&co, ()).unwrap();
    }
    let before = heap_counters();
    let mut sum = 0;
    for _ in 0..10_000 {
        if let Resume::Yielded(n) = vm.resume::<i64>(&co, ()).unwrap() {
            sum += n;
        }
    }
    let after = heap_counters();
    assert!(sum > 0);
    assert_eq!(
        after.since(&before).allocations,
        0,
        "host resumes allocated"
    );
}
