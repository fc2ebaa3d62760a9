//! GC pause per `gc_step` on a large live heap: builds about 100 MB of live Lua objects, then
//! runs "frames" that create garbage and give the collector one `gc_step(budget)` each, and
//! reports the longest and the mean step, and how many steps a full cycle took.
//!
//! `cargo bench --bench gc_pause` (optional args: `-- MB BUDGET [flat]`). By default the live
//! objects sit in buckets of 1,000 (like per-entity state); `flat` puts them all in one table,
//! whose single traversal then bounds the longest step.

use std::time::{Duration, Instant};

use moonpool::vm::{LuaFunction, Vm};

fn main() {
    let args: Vec<String> = std::env::args().filter(|a| !a.starts_with('-')).collect();
    let target_mb: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(100);
    let budget: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(5_000);
    let flat = args.get(3).is_some_and(|a| a == "flat");
    let bucket: u64 = if flat { 1 << 40 } else { 1000 };
    let mut vm = Vm::with_stdlib();
    let setup = format!(
        "live = {{}}
         local n, b = 0, nil
         while collectgarbage('count') < {kb} do
           n = n + 1
           if (n - 1) % {bucket} == 0 then b = {{}}; live[#live + 1] = b end
           b[#b + 1] = {{x = n, y = n * 2, name = 'obj' .. n, {{n}}, {{n + 1}}}}
         end
         function frame(f)
           local junk
           for i = 1, 200 do junk = {{i, f, tostring(i)}} end
           local b = live[f % #live + 1]
           b[f % #b + 1] = {{x = f, y = 0, name = 'new', {{f}}, {{f}}}}
           return junk
         end",
        kb = target_mb * 1024
    );
    // Build the heap with automatic collection off, then switch to host-driven steps.
    vm.exec::<()>("collectgarbage('stop')", "=stop").unwrap();
    vm.exec::<()>(&setup, "=setup").unwrap();
    let heap_mb = vm.stats().heap_bytes as f64 / (1 << 20) as f64;
    vm.exec::<()>("collectgarbage('restart')", "=restart")
        .unwrap();
    let frame: LuaFunction = vm.get_global("frame").unwrap();

    let mut max = Duration::ZERO;
    // Longest step by the phase it started in: pause (a new cycle), propagate, sweep.
    let mut max_by_phase = [Duration::ZERO; 3];
    let mut total = Duration::ZERO;
    let mut steps = 0u32;
    let mut cycles_done = 0;
    let start_cycles = vm.stats().gc_collections;
    let mut f = 0i64;
    while cycles_done < 3 && steps < 1_000_000 {
        f += 1;
        vm.call::<()>(&frame, f).unwrap();
        let phase = vm.stats().gc_phase as usize;
        let t = Instant::now();
        vm.gc_step(budget);
        let d = t.elapsed();
        max_by_phase[phase.min(2)] = max_by_phase[phase.min(2)].max(d);
        max = max.max(d);
        total += d;
        steps += 1;
        cycles_done = vm.stats().gc_collections - start_cycles;
    }
    let s = vm.stats();
    println!(
        "live heap {heap_mb:.0} MB ({}), budget {budget} units/step: {steps} steps, {cycles_done} cycles \
         ({:.0} steps/cycle), max pause {:.3} ms, mean {:.3} ms, total gc work {}",
        if flat {
            "one flat table"
        } else {
            "buckets of 1,000"
        },
        steps as f64 / cycles_done.max(1) as f64,
        max.as_secs_f64() * 1e3,
        total.as_secs_f64() * 1e3 / steps as f64,
        s.gc_work
    );
    println!(
        "longest step starting in: pause {:.3} ms, propagate {:.3} ms, sweep {:.3} ms",
        max_by_phase[0].as_secs_f64() * 1e3,
        max_by_phase[1].as_secs_f64() * 1e3,
        max_by_phase[2].as_secs_f64() * 1e3
    );
}
