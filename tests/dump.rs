//! Binary chunks (`string.dump`) are untrusted input to `load`: every single-byte corruption of
//! a few dumped functions is either refused with an error or, once verified, runs to an end (a
//! result, a Lua error, or the instruction budget) without crashing the process.

use moonpool::vm::{LuaString, Vm};

/// Functions whose dumps are corrupted: loops of both kinds, closures and upvalues, varargs and
/// open calls, methods, tables, to-be-closed variables, coroutines, string building.
const CHUNKS: &[&str] = &[
    "local a, b = ...
     local t = {a, b, n = 3}
     for i = 1, 10 do t[#t + 1] = i * (b or 1) end
     for k, v in pairs(t) do t.n = t.n + 1 end
     local up = 0
     local function f(...) up = up + select('#', ...); return up, ... end
     local s = ''
     for i = 10, 1, -3 do s = s .. i .. ',' end
     return f(s, #t, t.n, ...), {...}",
    "local x <close> = setmetatable({}, {__close = function() end})
     local o = {v = 1}
     function o:add(n) self.v = self.v + n; return self end
     local co = coroutine.wrap(function(a) local b = coroutine.yield(a + 1) return b * 2 end)
     local r = co(1) + co(2)
     for i = 0.5, 3, 0.5 do o:add(i) end
     if o.v > 3 and r ~= 0 then return o.v // 2, o.v % 3, -o.v, ~r, r << 2 end
     return string.format('%d %s', r, tostring(o.v))",
    "local t = {}
     for i = 1, 300 do t[i] = i end
     local n = 0
     repeat n = n + 1 until n >= #t or t[n] == nil
     while n > 0 do n = n - 7 end
     goto skip
     n = 100
     ::skip::
     return table.unpack(t, 1, 5), n, t[256], #t",
];

fn new_vm() -> Vm {
    let mut vm = Vm::with_stdlib();
    vm.set_memory_limit(Some(64 << 20));
    vm.out = Box::new(std::io::sink());
    vm
}

/// Loads `CHUNK` and runs what loads, plainly and as a coroutine, under a small budget.
const RUN: &str = "local f = load(CHUNK)
if f then
  LOADED = LOADED + 1
  pcall(f, 1, 2, 'x', {})
  local co = coroutine.wrap(f)
  pcall(co, 3)
  pcall(co)
end";

#[test]
fn corrupted_dumps_are_refused_or_run_safely() {
    let mut vm = new_vm();
    vm.set_global("LOADED", 0).unwrap();
    let mut tried = 0;
    for src in CHUNKS {
        vm.set_global("SRC", *src).unwrap();
        for strip in [false, true] {
            vm.set_global("STRIP", strip).unwrap();
            let good: LuaString = vm
                .exec("return string.dump(assert(load(SRC)), STRIP)", "=dump")
                .unwrap();
            let good = good.as_bytes().to_vec();
            // The chunk itself loads and runs.
            vm.set_global("CHUNK", LuaString::from(&good[..])).unwrap();
            vm.set_fuel(Some(100_000));
            let ok: bool = vm
                .exec("return (pcall(assert(load(CHUNK)), 1, 2))", "=good")
                .unwrap();
            assert!(ok, "{src}");
            for at in 0..good.len() {
                for byte in [good[at] ^ 1, good[at] ^ 0x80, 0, 0xff, good[at] ^ 0x10] {
                    let mut b = good.clone();
                    b[at] = byte;
                    vm.set_global("CHUNK", LuaString::from(&b[..])).unwrap();
                    vm.set_fuel(Some(20_000));
                    // Budget exhaustion and errors end the run; only a crash would fail here.
                    let _ = vm.exec::<()>(RUN, "=run");
                    tried += 1;
                }
                // (The empty prefix is a text chunk.)
                let cut = &good[..at.max(1)];
                vm.set_global("CHUNK", LuaString::from(cut)).unwrap();
                vm.set_fuel(Some(20_000));
                let refused: bool = vm.exec("return load(CHUNK) == nil", "=cut").unwrap();
                assert!(refused, "a truncated chunk loaded");
            }
        }
    }
    vm.set_fuel(None);
    let loaded: i64 = vm.get_global("LOADED").unwrap();
    eprintln!("{loaded} of {tried} corrupted chunks loaded");
    // Changes to constants, line numbers and names load; most others are refused.
    assert!(loaded > 0 && loaded < tried, "{loaded} of {tried} loaded");
}

#[test]
fn a_chunk_of_puc_lua_is_refused_with_its_reason() {
    let mut vm = new_vm();
    // `luac5.4 -s` of an empty file.
    let puc: &[u8] = b"\x1b\x4c\x75\x61\x54\x00\x19\x93\x0d\x0a\x1a\x0a\x04\x08\x08\x78\x56\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x28\x77\x40\x01\x80\x80\x80\x00\x01\x02\x82\x51\x00\x00\x00\x46\x00\x01\x01\x80\x81\x01\x00\x00\x80\x80\x80\x80\x80";
    vm.set_global("CHUNK", LuaString::from(puc)).unwrap();
    let msg: String = vm
        .exec("return select(2, load(CHUNK, '=luac.out'))", "=puc")
        .unwrap();
    assert_eq!(msg, "luac.out: bad binary format (not a Moonpool chunk)");
}

/// A host may refuse binary chunks altogether.
#[test]
fn binary_chunks_can_be_switched_off() {
    let mut vm = new_vm();
    vm.set_binary_chunks(false);
    let (f, msg): (Option<i64>, String) = vm
        .exec("return load(string.dump(function() end))", "=off")
        .unwrap();
    assert!(f.is_none());
    assert_eq!(
        msg,
        "attempt to load a binary chunk (binary chunks are disabled)"
    );
    let bin: LuaString = vm
        .exec("return string.dump(function(a) return a * 7 end)", "=dump")
        .unwrap();
    let err = vm.load(bin.as_bytes(), "=bin").unwrap_err();
    assert!(
        err.message().contains("binary chunks are disabled"),
        "{err}"
    );
    vm.set_binary_chunks(true);
    let n: i64 = vm
        .exec("return load(string.dump(function() return 7 end))()", "=on")
        .unwrap();
    assert_eq!(n, 7);
    // The host's `Vm::load` takes binary chunks too.
    let f = vm.load(bin.as_bytes(), "=bin").unwrap();
    assert_eq!(vm.call::<i64>(&f, 6).unwrap(), 42);
    let err = vm.load(&bin.as_bytes()[..20], "=cut").unwrap_err();
    assert_eq!(err.message(), "cut: bad binary format (truncated chunk)");
}

/// The same with random multi-byte changes to the dumps of every golden program (slow: run
/// with `cargo test --release --test dump -- --ignored`).
#[test]
#[ignore]
fn random_corruptions_of_the_golden_programs() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lua");
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut rand = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let rounds: usize = std::env::var("DUMP_FUZZ_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200);
    let mut vm = new_vm();
    vm.set_global("LOADED", 0).unwrap();
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "lua"))
        .collect();
    paths.sort();
    for path in paths {
        let src = std::fs::read(&path).unwrap();
        vm.set_global("SRC", LuaString::from(&src[..])).unwrap();
        vm.set_fuel(Some(1_000_000));
        let Ok(good) = vm.exec::<LuaString>(
            "local f = load(SRC) return f and string.dump(f, #SRC % 2 == 0) or ''",
            "=dump",
        ) else {
            vm = new_vm();
            vm.set_global("LOADED", 0).unwrap();
            continue;
        };
        let good = good.as_bytes().to_vec();
        if good.is_empty() {
            continue;
        }
        for _ in 0..rounds {
            let mut b = good.clone();
            for _ in 0..1 + rand() % 4 {
                let at = (rand() % b.len() as u64) as usize;
                b[at] = rand() as u8;
            }
            vm.set_global("CHUNK", LuaString::from(&b[..])).unwrap();
            vm.set_fuel(Some(20_000));
            let _ = vm.exec::<()>(RUN, "=run");
        }
    }
}
