//! Micro-benchmarks of the VM on small Lua programs (run with `cargo bench`).

use criterion::{Criterion, criterion_group, criterion_main};
use moonpool::vm::{LuaFunction, LuaValue, Vm};

fn bench_program(c: &mut Criterion, name: &str, setup: &str, call: &str) {
    let mut vm = Vm::with_stdlib();
    vm.exec::<()>(setup, "=setup").unwrap();
    let f: LuaFunction = vm.get_global(call).unwrap();
    c.bench_function(name, |b| {
        b.iter(|| {
            let r: LuaValue = vm.call(&f, ()).unwrap();
            std::hint::black_box(r);
        })
    });
}

fn benches(c: &mut Criterion) {
    bench_program(
        c,
        "fib(20)",
        "local function fib(n) if n < 2 then return n end return fib(n-1) + fib(n-2) end
         function run() return fib(20) end",
        "run",
    );
    bench_program(
        c,
        "numeric loop 100k",
        "function run() local s = 0 for i = 1, 100000 do s = s + i % 7 end return s end",
        "run",
    );
    bench_program(
        c,
        "method calls 10k",
        "local P = {} P.__index = P
         function P.new(x) return setmetatable({x = x}, P) end
         function P:get() return self.x end
         local p = P.new(3)
         function run() local s = 0 for i = 1, 10000 do s = s + p:get() end return s end",
        "run",
    );
    bench_program(
        c,
        "table writes 10k",
        "function run() local t = {} for i = 1, 10000 do t[i] = i end return #t end",
        "run",
    );
    bench_program(
        c,
        "coroutine round trips 1k",
        "function run()
           local co = coroutine.wrap(function() while true do coroutine.yield(1) end end)
           local s = 0 for i = 1, 1000 do s = s + co() end return s end",
        "run",
    );
}

criterion_group!(vm_benches, benches);
criterion_main!(vm_benches);
