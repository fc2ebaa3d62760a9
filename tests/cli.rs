//! The `moonpool` command behaves like `lua5.4` on the command line.

use std::io::Write;
use std::process::{Command, Stdio};

fn moonpool(args: &[&str], stdin: &str) -> (String, String, i32) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_moonpool"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
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
