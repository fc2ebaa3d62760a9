//! The VM running programs mutated from the golden test programs (seed corpus: `tests/lua/`),
//! with an instruction budget and a memory limit so every run ends: any program runs or fails
//! with a Lua error, never a panic or a hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use moonpool::vm::Vm;

fuzz_target!(|data: &[u8]| {
    let mut vm = Vm::with_stdlib();
    vm.out = Box::new(std::io::sink());
    vm.set_memory_limit(Some(32 << 20));
    vm.limits.max_string_bytes = 4 << 20;
    vm.set_fuel(Some(200_000));
    if let Ok(f) = vm.load(data, "=fuzz") {
        let _ = vm.call::<()>(&f, ());
    }
});
