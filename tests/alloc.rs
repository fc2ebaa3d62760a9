//! Once warm, running Lua code that creates no objects allocates nothing on the Rust heap:
//! calls and returns reuse frame-arena slots and register files, coroutine switches reuse the
//! pooled register files. Allocation counts are deterministic, so they are asserted exactly.

use moonpool::vm::{CountingAllocator, Value, Vm, heap_counters};

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// Loads `setup`, calls global `run` once to warm up, then returns the Rust heap allocations of
/// a second call and that call's result.
fn allocations_of_second_run(setup: &str) -> (u64, Value) {
    let mut vm = Vm::with_stdlib();
    let chunk = vm.load(setup.as_bytes(), "=setup").unwrap();
    vm.call(chunk, &[]).unwrap();
    let run = vm.get_global("run");
    vm.call1(run, &[]).unwrap();
    let before = heap_counters();
    let result = vm.call1(run, &[]).unwrap();
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
    assert_eq!(result, Value::Int(6765 * 20));
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
    assert!(matches!(result, Value::Int(_)));
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
    assert!(matches!(result, Value::Int(_)));
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
