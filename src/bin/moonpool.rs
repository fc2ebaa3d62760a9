//! `moonpool FILE [args...]`: runs a Lua script like `lua5.4 FILE` does.

use std::io::{IsTerminal, Read, Write};
use std::process::ExitCode;

use moonpool::vm::{CountingAllocator, Error, MultiValue, Vm, heap_counters};

// Counts Rust heap allocations for `--stats` (a thread-local counter bump per allocation).
#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

const USAGE: &str = "usage: moonpool [options] [script [args]]
Available options are:
  -e stat   execute string 'stat'
  -l mod    require library 'mod' into global 'mod'
  -l g=mod  require library 'mod' into global 'g'
  -v        show version information
  -E        ignore environment variables
  -W        turn warnings on
  --        stop handling options
  -         execute stdin and stop handling options
  -p file   only compile 'file' (like `luac -p`): report syntax errors
  --list file       list the bytecode of 'file' (like `luac -l`)
  --stats   after running, print VM and Rust heap counters to stderr
  --fuel N          stop the script after N units of fuel (calls, loop iterations, native work)
  --time-limit S    stop the script after S seconds
  --memory-limit B  limit the Lua heap to B bytes (default: a third of the address space that
                    `ulimit -v` leaves, if it is set)";

/// Options followed by a value.
const WITH_VALUE: [&str; 7] = [
    "-e",
    "-l",
    "-p",
    "--list",
    "--fuel",
    "--time-limit",
    "--memory-limit",
];

/// Where the script is in `argv` (`argv.len()` if there is none), as lua.c's `collectargs`
/// finds it: after the options and their values, at `-`, or after `--`.
fn script_index(argv: &[String]) -> usize {
    let mut i = 1;
    while i < argv.len() {
        match argv[i].as_str() {
            "--" => return i + 1,
            "-" => return i,
            a if WITH_VALUE.contains(&a) => i += 2,
            a if a.starts_with('-') => i += 1,
            _ => return i,
        }
    }
    argv.len()
}

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().collect();
    let options = &argv[1..script_index(&argv).min(argv.len())];
    let no_env = options.iter().any(|a| a == "-E");
    let mut vm = Vm::with_stdlib();
    if no_env {
        vm.open_cli_libs_ignoring_env();
    } else {
        vm.open_cli_libs();
    }
    let stats = options.iter().any(|a| a == "--stats");
    vm.set_instruction_counting(stats);
    // Under an address-space limit, the heap stops well below it: a table or string growing
    // past memory is Lua's "not enough memory", not an aborted process.
    if let Some(bytes) = heap_limit_under_rlimit() {
        vm.set_memory_limit(Some(bytes));
    }
    let heap_start = heap_counters();
    let code = run(&mut vm, &argv);
    // Like lua.c's lua_close (also after an error): pending and remaining finalizers run.
    vm.close();
    vm.flush();
    if stats {
        print_stats(&vm, &heap_start);
    }
    // The process is about to end: let the OS reclaim the heap at once instead of freeing every
    // object (finalizers already ran in `Vm::close`).
    std::mem::forget(vm);
    code
}

/// A third of the address space `RLIMIT_AS` leaves this process (growing a table needs its old
/// and new parts at once, and Rust-side buffers come on top), or `None` without a limit.
fn heap_limit_under_rlimit() -> Option<usize> {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `getrlimit` writes the struct it is given, which lives on this stack frame.
    if unsafe { libc::getrlimit(libc::RLIMIT_AS, &mut lim) } != 0
        || lim.rlim_cur == libc::RLIM_INFINITY
    {
        return None;
    }
    // The address space already mapped (binary, libraries, thread stacks) is not available.
    let mapped = std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .map_or(0, |pages| pages * 4096);
    Some((lim.rlim_cur.saturating_sub(mapped) / 3) as usize)
}

/// The value after option `name` as a number, or a usage error.
fn option_value(argv: &[String], i: usize, name: &str) -> Result<f64, ExitCode> {
    match argv.get(i + 1).and_then(|v| v.parse::<f64>().ok()) {
        Some(v) if v >= 0.0 => Ok(v),
        _ => {
            eprintln!("moonpool: '{name}' needs a non-negative number\n{USAGE}");
            Err(ExitCode::FAILURE)
        }
    }
}

fn print_stats(vm: &Vm, heap_start: &moonpool::vm::HeapCounters) {
    let s = vm.stats();
    let h = heap_counters().since(heap_start);
    eprintln!(
        "moonpool stats: rust_heap allocations={} frees={} bytes={} | vm tables={} strings={} \
         closures={} upvalues={} threads={} bytes={} | regpool hits={} misses={} | frames \
         capacity={} | gc cycles={} steps={} work={} freed={} heap_bytes={} | calls={} instructions={}",
        h.allocations,
        h.frees,
        h.bytes_allocated,
        s.tables_allocated,
        s.strings_allocated,
        s.closures_allocated,
        s.upvalues_allocated,
        s.threads_created,
        s.bytes_allocated,
        s.regpool_hits,
        s.regpool_misses,
        s.frame_arena_capacity,
        s.gc_collections,
        s.gc_steps,
        s.gc_work,
        s.gc_objects_freed,
        s.heap_bytes,
        s.calls,
        s.instructions,
    );
}

fn run(vm: &mut Vm, argv: &[String]) -> ExitCode {
    let script_at = script_index(argv);
    // Like lua.c: `arg` holds the script at 0, its arguments above and the interpreter and its
    // options below (with no script, the interpreter is at 0), before anything runs.
    let zero = if script_at < argv.len() { script_at } else { 0 };
    let arg = vm.create_table();
    for (k, a) in argv.iter().enumerate() {
        if arg.set(vm, k as i64 - zero as i64, a.as_str()).is_err() {
            return ExitCode::FAILURE;
        }
    }
    if vm.set_global("arg", &arg).is_err() {
        return ExitCode::FAILURE;
    }
    let no_env = argv[1..script_at.min(argv.len())].iter().any(|a| a == "-E");
    if !no_env && let Err(code) = run_lua_init(vm) {
        return code;
    }
    let mut i = 1;
    let mut ran_something = false;
    while i < script_at.min(argv.len()) {
        let a = &argv[i];
        let value = argv.get(i + 1);
        if WITH_VALUE.contains(&a.as_str()) && value.is_none() {
            eprintln!("moonpool: '{a}' needs argument\n{USAGE}");
            return ExitCode::FAILURE;
        }
        match a.as_str() {
            "-p" => {
                let path = value.unwrap();
                let src = match std::fs::read(path) {
                    Ok(s) => s,
                    Err(e) => {
                        eprintln!("moonpool: cannot open {path}: {e}");
                        return ExitCode::FAILURE;
                    }
                };
                if let Err(e) = moonpool::vm::compile_source(&src) {
                    eprintln!("moonpool: {}", e.with_chunk(path));
                    return ExitCode::FAILURE;
                }
                return ExitCode::SUCCESS;
            }
            "--list" => {
                // The bytecode of the script instead of running it (like `luac -l`).
                let path = value.unwrap();
                let src = std::fs::read(path).unwrap_or_default();
                match moonpool::vm::compile_source(&src) {
                    Ok(p) => print!("{}", p.listing()),
                    Err(e) => {
                        eprintln!("moonpool: {}", e.with_chunk(path));
                        return ExitCode::FAILURE;
                    }
                }
                return ExitCode::SUCCESS;
            }
            "-l" => {
                // `-l mod` or `-l g=mod`: the global takes what `require` returns.
                let spec = value.unwrap();
                let (global, module) = spec.split_once('=').unwrap_or((spec, spec));
                let set = b"local g, m = ...; _ENV[g] = require(m)";
                let names = [global.to_string(), module.to_string()];
                if let Err(code) = run_chunk(vm, set, "=(command line)", &names) {
                    return code;
                }
            }
            "-e" => {
                if let Err(code) = run_chunk(vm, value.unwrap().as_bytes(), "=(command line)", &[])
                {
                    return code;
                }
                ran_something = true;
            }
            "-W" => {
                if let Err(code) = run_chunk(vm, b"warn('@on')", "=(command line)", &[]) {
                    return code;
                }
            }
            "-v" => {
                println!("Moonpool {} (Lua 5.4)", env!("CARGO_PKG_VERSION"));
                ran_something = true;
            }
            "--fuel" | "--time-limit" | "--memory-limit" => {
                let n = match option_value(argv, i, a) {
                    Ok(n) => n,
                    Err(code) => return code,
                };
                match a.as_str() {
                    "--fuel" => vm.set_fuel(Some(n as i64)),
                    "--time-limit" => {
                        vm.set_time_limit(Some(std::time::Duration::from_secs_f64(n)))
                    }
                    _ => vm.set_memory_limit(Some(n as usize)),
                }
            }
            "--stats" | "-E" | "--" => {}
            s => {
                eprintln!("moonpool: unrecognized option '{s}'\n{USAGE}");
                return ExitCode::FAILURE;
            }
        }
        i += if WITH_VALUE.contains(&a.as_str()) {
            2
        } else {
            1
        };
    }
    if script_at >= argv.len() {
        // No script: lua.c reads one from stdin when it is not a terminal (it would start its
        // interactive mode, which Moonpool does not have, on a terminal).
        if ran_something {
            return ExitCode::SUCCESS;
        }
        if std::io::stdin().is_terminal() {
            eprintln!("{USAGE}");
            return ExitCode::FAILURE;
        }
    }
    let script = argv.get(script_at).map_or("-", |s| s.as_str());
    let (source, chunkname) = if script == "-" {
        let mut buf = Vec::new();
        if std::io::stdin().read_to_end(&mut buf).is_err() {
            eprintln!("moonpool: cannot read stdin");
            return ExitCode::FAILURE;
        }
        (buf, "=stdin".to_string())
    } else {
        match std::fs::read(script) {
            Ok(b) => (b, format!("@{script}")),
            Err(e) => {
                eprintln!(
                    "moonpool: cannot open {script}: {}",
                    moonpool::vm::io_error_text(&e)
                );
                return ExitCode::FAILURE;
            }
        }
    };
    // Like lua.c, skip a first line starting with '#' (a Unix shebang), keeping line numbers.
    let source = moonpool::vm::strip_shebang(source);
    let script_args: &[String] = argv.get(script_at + 1..).unwrap_or(&[]);
    match run_chunk(vm, &source, &chunkname, script_args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(code) => code,
    }
}

/// `LUA_INIT_5_4` (or `LUA_INIT`): a chunk to run first, or `@file` to run a file, as lua.c.
fn run_lua_init(vm: &mut Vm) -> Result<(), ExitCode> {
    let (name, init) = match std::env::var("LUA_INIT_5_4") {
        Ok(v) => ("=LUA_INIT_5_4", v),
        Err(_) => match std::env::var("LUA_INIT") {
            Ok(v) => ("=LUA_INIT", v),
            Err(_) => return Ok(()),
        },
    };
    match init.strip_prefix('@') {
        Some(path) => match std::fs::read(path) {
            Ok(src) => run_chunk(
                vm,
                &moonpool::vm::strip_shebang(src),
                &format!("@{path}"),
                &[],
            ),
            Err(e) => {
                eprintln!(
                    "moonpool: cannot open {path}: {}",
                    moonpool::vm::io_error_text(&e)
                );
                Err(ExitCode::FAILURE)
            }
        },
        None => run_chunk(vm, init.as_bytes(), name, &[]),
    }
}

/// Compiles and runs one chunk; on error prints the message and traceback like `lua5.4`.
fn run_chunk(vm: &mut Vm, source: &[u8], chunkname: &str, args: &[String]) -> Result<(), ExitCode> {
    let args: MultiValue = args.iter().map(|a| a.as_str().into()).collect();
    let result = vm
        .load(source, chunkname)
        .and_then(|f| vm.call::<()>(&f, args));
    match result {
        Ok(()) => Ok(()),
        Err(e) => {
            vm.flush();
            report(&e);
            Err(ExitCode::FAILURE)
        }
    }
}

fn report(e: &Error) {
    let msg = e.message();
    let tb = e.traceback().unwrap_or("stack traceback:\n\t[C]: in ?");
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "moonpool: {msg}\n{tb}");
}
