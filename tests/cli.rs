//! The `moonpool` command behaves like `lua5.4` on the command line.

use std::io::Write;
use std::process::{Command, Stdio};

fn moonpool(args: &[&str], stdin: &str) -> (String, String, i32) {
    moonpool_env(args, &[], stdin)
}

fn script(name: &str, body: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("moonpool-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, body).unwrap();
    p
}

#[test]
fn runs_a_file_with_arguments() {
    let p = script(
        "args.lua",
        "#!/usr/bin/env moonpool\nprint(#arg, arg[0] ~= nil, arg[1], arg[2], ...)\n",
    );
    let (out, err, code) = moonpool(&[p.to_str().unwrap(), "a", "b"], "");
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "2\ttrue\ta\tb\ta\tb\n");
}

#[test]
fn dash_e_and_version() {
    let (out, _, code) = moonpool(&["-e", "print(1 + 1)"], "");
    assert_eq!((out.as_str(), code), ("2\n", 0));
    let (out, _, code) = moonpool(&["-v"], "");
    assert!(
        out.starts_with("Moonpool") && out.contains("Lua 5.4"),
        "{out}"
    );
    assert_eq!(code, 0);
}

#[test]
fn reads_the_script_from_stdin() {
    let (out, _, code) = moonpool(&["-"], "print('from stdin')");
    assert_eq!((out.as_str(), code), ("from stdin\n", 0));
}

#[test]
fn uncaught_errors_print_message_and_traceback_and_exit_1() {
    let p = script(
        "boom.lua",
        "print('before')\nlocal function f() error('boom') end\nf()\n",
    );
    let name = p.to_str().unwrap();
    let (out, err, code) = moonpool(&[name], "");
    assert_eq!(out, "before\n");
    assert_eq!(code, 1);
    let first = err.lines().next().unwrap();
    assert_eq!(first, format!("moonpool: {name}:2: boom"));
    assert!(err.contains("stack traceback:"), "{err}");
}

#[test]
fn syntax_errors_exit_1() {
    let (_, err, code) = moonpool(&["-e", "x = = 1"], "");
    assert_eq!(code, 1);
    assert!(
        err.starts_with("moonpool: (command line):1: unexpected symbol near '='"),
        "{err}"
    );
}

#[test]
fn missing_file_is_reported() {
    let (_, err, code) = moonpool(&["/nonexistent/x.lua"], "");
    assert_eq!(code, 1);
    assert!(err.contains("cannot open /nonexistent/x.lua"), "{err}");
}

/// Runs `moonpool args...` under `ulimit -v kib`.
fn moonpool_ulimit(kib: u64, args: &[&str]) -> (String, String, i32) {
    let quoted: Vec<String> = args
        .iter()
        .map(|a| format!("'{}'", a.replace('\'', "'\\''")))
        .collect();
    let cmd = format!(
        "ulimit -v {kib} && exec {} {}",
        env!("CARGO_BIN_EXE_moonpool"),
        quoted.join(" ")
    );
    let out = Command::new("sh").args(["-c", &cmd]).output().unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

#[test]
fn nested_pcalls_end_in_c_stack_overflow_like_lua() {
    // Each pcall is a C level, as in PUC Lua: about 200 of them, then "C stack overflow"
    // inside the innermost pcall, which every outer level re-raises.
    let (out, err, code) = moonpool(
        &[
            "-e",
            "local depth = 0
             local function loop() depth = depth + 1 assert(pcall(loop)) end
             local ok, msg = pcall(loop)
             print(ok, msg:match('C stack overflow$') ~= nil, depth > 150 and depth <= 200)",
        ],
        "",
    );
    assert_eq!(
        (out.as_str(), err.as_str(), code),
        ("false\ttrue\ttrue\n", "", 0)
    );
}

#[test]
fn a_failing_message_handler_ends_in_error_in_error_handling() {
    let (out, err, code) = moonpool(
        &[
            "-e",
            "local calls = 0
             local function loop() calls = calls + 1 assert(pcall(loop)) end
             print(xpcall(loop, loop))
             print(xpcall(error, error))
             -- A handler that recurses without end, and one that fails once and then copes.
             local function deep() return deep() + 1 end
             print(xpcall(error, deep))
             print(xpcall(error, function(m) if m == 'x' then error('y', 0) end return m end, 'x'))
             print(calls < 100000)",
        ],
        "",
    );
    assert_eq!(
        out,
        "false\terror in error handling\nfalse\terror in error handling\n\
         false\terror in error handling\nfalse\ty\ntrue\n",
        "{err}"
    );
    assert_eq!(code, 0);
}

#[test]
fn memory_exhaustion_under_ulimit_is_a_lua_error() {
    for chunk in [
        "local t = {} for i = 1, 1e10 do t[i] = i end",
        "local t = {} for i = 1, 1e10 do t['k' .. i] = {} end",
        "local s = 'x' while true do s = s .. s end",
        "local t = {} for i = 1, 1e10 do t[i] = ('x'):rep(1e5) .. i end",
        "local t = {} for i = 1, 1e10 do t[i] = coroutine.create(print) end",
    ] {
        let (_, err, code) = moonpool_ulimit(500_000, &["-e", chunk]);
        assert_eq!(code, 1, "{chunk}: {err}");
        assert!(
            err.starts_with("moonpool: not enough memory") || err.contains("string too large"),
            "{chunk}: {err}"
        );
    }
    // Caught, the garbage is reclaimed and the script goes on.
    let (out, err, code) = moonpool_ulimit(
        500_000,
        &[
            "-e",
            "local ok, e = pcall(function() local t = {} for i = 1, 1e10 do t[i] = {} end end)
             print(ok, e) print(#('x'):rep(1000))",
        ],
    );
    assert_eq!(
        (out.as_str(), code),
        ("false\tnot enough memory\n1000\n", 0),
        "{err}"
    );
}

#[test]
fn budgets_on_the_command_line_stop_runaway_scripts() {
    let (_, err, code) = moonpool(&["--time-limit", "0.2", "-e", "while true do end"], "");
    assert_eq!(code, 1);
    assert!(err.contains("time budget exhausted"), "{err}");
    let (_, err, code) = moonpool(
        &[
            "--fuel",
            "100000",
            "-e",
            "local ok = pcall(function() while true do end end) while true do end",
        ],
        "",
    );
    assert_eq!(code, 1);
    assert!(err.contains("instruction budget exhausted"), "{err}");
    // The error's __tostring runs under the same (spent) budget when the error is reported.
    let (_, err, code) = moonpool(
        &[
            "--time-limit",
            "0.2",
            "-e",
            "error(setmetatable({}, {__tostring = function() while true do end end}))",
        ],
        "",
    );
    assert_eq!(code, 1);
    assert!(err.starts_with("moonpool: "), "{err}");
}

/// Runs the command with extra environment variables (and none of the caller's `LUA_INIT`).
fn moonpool_env(args: &[&str], env: &[(&str, &str)], stdin: &str) -> (String, String, i32) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_moonpool"));
    cmd.args(args)
        .env_remove("LUA_INIT")
        .env_remove("LUA_INIT_5_4")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

/// As lua.c: `arg` exists without a script, LUA_INIT runs first (`-E` skips it), `-l` requires
/// a module into a global, `-W` turns warnings on, `--` ends the options, and with no script
/// and no `-e` the script comes from a standard input that is not a terminal.
#[test]
fn lua_c_options_and_environment() {
    let (out, err, code) = moonpool_env(&["-e", "print(type(arg), arg[1], arg[2])"], &[], "");
    assert_eq!(
        (out.as_str(), code),
        ("table\t-e\tprint(type(arg), arg[1], arg[2])\n", 0),
        "{err}"
    );
    let init = [("LUA_INIT", "print('init') x = 5")];
    let (out, _, code) = moonpool_env(&["-e", "print(x)"], &init, "");
    assert_eq!((out.as_str(), code), ("init\n5\n", 0));
    let (out, _, code) = moonpool_env(&["-E", "-e", "print(x)"], &init, "");
    assert_eq!((out.as_str(), code), ("nil\n", 0));
    let file = script("init.lua", "y = 7\n");
    let at = format!("@{}", file.display());
    let both = [("LUA_INIT", "y = 1"), ("LUA_INIT_5_4", at.as_str())];
    let (out, _, _) = moonpool_env(&["-e", "print(y)"], &both, "");
    assert_eq!(out, "7\n");
    let (out, _, code) = moonpool_env(
        &["-e", "print(y)"],
        &[("LUA_INIT", "error('bad init')")],
        "",
    );
    assert_eq!((out.as_str(), code), ("", 1));
    let (out, _, _) = moonpool_env(&["-l", "s=string", "-e", "print(s.rep('ab', 2))"], &[], "");
    assert_eq!(out, "abab\n");
    let (out, _, _) = moonpool_env(
        &["-l", "utf8", "-e", "print(utf8 == require('utf8'))"],
        &[],
        "",
    );
    assert_eq!(out, "true\n");
    let (_, err, code) = moonpool_env(&["-l", "no_such_module_xyz"], &[], "");
    assert_eq!(code, 1);
    assert!(
        err.contains("module 'no_such_module_xyz' not found"),
        "{err}"
    );
    let (_, err, _) = moonpool_env(&["-W", "-e", "warn('careful')"], &[], "");
    assert!(err.contains("Lua warning: careful"), "{err}");
    let dashed = script("dashed.lua", "print(arg[0] ~= nil, arg[1])\n");
    let path = dashed.to_str().unwrap();
    let (out, _, _) = moonpool_env(&["--", path, "-x"], &[], "");
    assert_eq!(out, "true\t-x\n");
    let (out, _, code) = moonpool_env(&[], &[], "print('piped', #arg)");
    assert_eq!((out.as_str(), code), ("piped\t0\n", 0));
}

#[test]
fn list_prints_the_bytecode() {
    let file = script("listed.lua", "local x = 1\nreturn x + 1\n");
    let (out, err, code) = moonpool(&["--list", file.to_str().unwrap()], "");
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("function <line 0>"), "{out}");
    assert!(out.contains("AddI"), "{out}");
}

/// `debug.debug` runs each line of standard input until "cont", reporting errors on stderr, as
/// `lua5.4` does (its transcript for the same input).
#[test]
fn debug_debug_runs_commands_from_stdin_until_cont() {
    let input = "x = 5\nprint(x)\nerror('boom')\nfor\ncont\nprint('not run')\n";
    let (out, err, code) = moonpool(&["-e", "debug.debug() print('after', x)"], input);
    assert_eq!(code, 0);
    assert_eq!(out, "5\nafter\t5\n");
    assert_eq!(
        err,
        "lua_debug> lua_debug> lua_debug> (debug command):1: boom\n\
         lua_debug> (debug command):2: <name> expected near <eof>\nlua_debug> "
    );
}
