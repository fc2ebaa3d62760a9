//! Golden tests: run every `tests/lua/*.lua` program through the `moonpool`
//! CLI and compare its observable behaviour with `tests/lua/NAME.expected`,
//! which `tests/regen.sh` produces from the reference interpreter (lua5.4).
//!
//! The compared text is built the same way `regen.sh` builds it:
//!
//! * the exact stdout bytes, then
//! * only when the exit status is non-zero, a line `--- exit N` followed by
//!   the first line of stderr with a leading `moonpool: ` removed.
//!
//! Every program is run (in parallel), and the test fails at the end listing
//! all mismatching files with the first differing line. The actual output of
//! each mismatch is written to `tests/lua/NAME.actual` (gitignored).
//!
//! Environment variables:
//! * `GOLDEN_FILTER=substr`  only run programs whose file name contains `substr`
//! * `GOLDEN_TIMEOUT=secs`   per-program timeout (default 30)
//! * `GOLDEN_JOBS=n`         number of programs run in parallel (default: CPUs)

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_moonpool");
const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");
const STDERR_PREFIX: &str = "moonpool: ";
const DEFAULT_TIMEOUT_SECS: u64 = 30;
const MAX_SHOWN_LINE: usize = 160;
/// How long to wait for the output pipes to close after the child exited.
const PIPE_GRACE: Duration = Duration::from_secs(2);

enum Outcome {
    Pass,
    Fail(String),
}

struct RunResult {
    name: String,
    outcome: Outcome,
}

fn lua_dir() -> PathBuf {
    Path::new(MANIFEST_DIR).join("tests").join("lua")
}

fn collect_programs(dir: &Path, filter: Option<&str>) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".lua"))
        .filter(|name| filter.is_none_or(|f| name.contains(f)))
        .collect();
    names.sort();
    names
}

/// Reads a child pipe to the end on a separate thread (so a chatty child
/// cannot block on a full pipe while we wait for it). The bytes are shared so
/// that a snapshot can be taken even if the pipe never closes (e.g. a
/// grandchild process keeps it open after a timeout kill).
struct Drain {
    buf: Arc<Mutex<Vec<u8>>>,
    handle: thread::JoinHandle<()>,
}

fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> Drain {
    let buf = Arc::new(Mutex::new(Vec::new()));
    let shared = Arc::clone(&buf);
    let handle = thread::spawn(move || {
        let Some(mut p) = pipe else { return };
        let mut chunk = [0u8; 8192];
        loop {
            match p.read(&mut chunk) {
                Ok(0) | Err(_) => break,
                Ok(n) => shared.lock().unwrap().extend_from_slice(&chunk[..n]),
            }
        }
    });
    Drain { buf, handle }
}

impl Drain {
    /// Waits (bounded) for end of file, then returns what was read.
    fn finish(self, grace: Duration) -> Vec<u8> {
        let start = Instant::now();
        while !self.handle.is_finished() && start.elapsed() < grace {
            thread::sleep(Duration::from_millis(2));
        }
        if self.handle.is_finished() {
            let _ = self.handle.join();
        }
        std::mem::take(&mut *self.buf.lock().unwrap())
    }
}

/// Waits for the child up to `timeout`; kills it on timeout.
/// Returns `None` if it timed out.
fn wait_with_timeout(child: &mut Child, timeout: Duration) -> Option<ExitStatus> {
    let start = Instant::now();
    let mut sleep = Duration::from_millis(1);
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status),
            Ok(None) => {}
            Err(e) => panic!("try_wait failed: {e}"),
        }
        if start.elapsed() >= timeout {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        thread::sleep(sleep);
        sleep = (sleep * 2).min(Duration::from_millis(50));
    }
}

/// Exit code as bash reports it in `$?` (128 + signal for signal deaths).
fn exit_code(status: &ExitStatus) -> i32 {
    if let Some(code) = status.code() {
        return code;
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            return 128 + sig;
        }
    }
    -1
}

/// Builds the comparable text exactly like tests/regen.sh does.
fn render(stdout: &[u8], stderr: &[u8], code: i32) -> Vec<u8> {
    let mut out = stdout.to_vec();
    if code != 0 {
        out.extend_from_slice(format!("--- exit {code}\n").as_bytes());
        let first = match stderr.iter().position(|&b| b == b'\n') {
            Some(i) => &stderr[..i],
            None => stderr,
        };
        let first = first
            .strip_prefix(STDERR_PREFIX.as_bytes())
            .unwrap_or(first);
        out.extend_from_slice(first);
        out.push(b'\n');
    }
    out
}

fn shorten(line: &str) -> String {
    if line.chars().count() <= MAX_SHOWN_LINE {
        format!("{line:?}")
    } else {
        let cut: String = line.chars().take(MAX_SHOWN_LINE).collect();
        format!("{cut:?}...")
    }
}

/// A short description of the first differing line.
fn first_difference(expected: &[u8], actual: &[u8]) -> String {
    let exp = String::from_utf8_lossy(expected);
    let act = String::from_utf8_lossy(actual);
    let lines = |s: &'_ str| -> Vec<String> {
        let body = s.strip_suffix('\n').unwrap_or(s);
        if s.is_empty() {
            Vec::new()
        } else {
            body.split('\n').map(str::to_string).collect()
        }
    };
    let exp_lines = lines(&exp);
    let act_lines = lines(&act);
    let n = exp_lines.len().max(act_lines.len());
    for i in 0..n {
        let e = exp_lines.get(i);
        let a = act_lines.get(i);
        if e != a {
            let show = |l: Option<&String>| match l {
                Some(l) => shorten(l),
                None => "<end of output>".to_string(),
            };
            return format!(
                "first difference at line {}:\n      expected: {}\n      actual:   {}",
                i + 1,
                show(e),
                show(a)
            );
        }
    }
    // Same lines: only a trailing newline or non-UTF-8 bytes (shown lossily
    // above) differ.
    "outputs differ only in the trailing newline or in non-UTF-8 bytes".to_string()
}

fn run_one(dir: &Path, file: &str, timeout: Duration, gc_stress: Option<&str>) -> RunResult {
    let name = file.trim_end_matches(".lua").to_string();
    let expected_path = dir.join(format!("{name}.expected"));
    let actual_path = match gc_stress {
        None => dir.join(format!("{name}.actual")),
        Some(mode) => dir.join(format!("{name}.gc-{mode}.actual")),
    };

    let mut command = Command::new(BIN);
    if let Some(mode) = gc_stress {
        command.env("MOONPOOL_GC_STRESS", mode);
    }
    let mut child = match command
        .arg(file)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => {
            return RunResult {
                name,
                outcome: Outcome::Fail(format!("could not spawn {BIN}: {e}")),
            };
        }
    };
    let out_reader = drain(child.stdout.take());
    let err_reader = drain(child.stderr.take());
    let status = wait_with_timeout(&mut child, timeout);
    let grace = if status.is_some() {
        PIPE_GRACE
    } else {
        Duration::from_millis(100)
    };
    let stdout = out_reader.finish(grace);
    let stderr = err_reader.finish(grace);

    let Some(status) = status else {
        let mut actual = render(&stdout, &stderr, 0);
        actual.extend_from_slice(format!("--- TIMEOUT after {}s\n", timeout.as_secs()).as_bytes());
        let _ = fs::write(&actual_path, &actual);
        return RunResult {
            name,
            outcome: Outcome::Fail(format!("timed out after {}s", timeout.as_secs())),
        };
    };
    let actual = render(&stdout, &stderr, exit_code(&status));

    let expected = match fs::read(&expected_path) {
        Ok(e) => e,
        Err(_) => {
            let _ = fs::write(&actual_path, &actual);
            return RunResult {
                name,
                outcome: Outcome::Fail(format!(
                    "missing {} (run tests/regen.sh)",
                    expected_path.display()
                )),
            };
        }
    };

    if expected == actual {
        let _ = fs::remove_file(&actual_path);
        RunResult {
            name,
            outcome: Outcome::Pass,
        }
    } else {
        let _ = fs::write(&actual_path, &actual);
        RunResult {
            name,
            outcome: Outcome::Fail(first_difference(&expected, &actual)),
        }
    }
}

#[test]
fn golden_lua_programs() {
    run_golden(None);
}

/// The same programs with a tiny incremental collector step at every safe point: a missing
/// write barrier or root shows up as a wrong output or a crash.
#[test]
fn golden_lua_programs_under_incremental_gc_stress() {
    run_golden(Some("step"));
}

/// Some programs use fixed temporary file names: the two suites must not run at once.
static ONE_SUITE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn run_golden(gc_stress: Option<&str>) {
    let _guard = ONE_SUITE_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let dir = lua_dir();
    let filter = std::env::var("GOLDEN_FILTER")
        .ok()
        .filter(|f| !f.is_empty());
    let timeout = Duration::from_secs(
        std::env::var("GOLDEN_TIMEOUT")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(DEFAULT_TIMEOUT_SECS),
    );
    let programs = collect_programs(&dir, filter.as_deref());
    assert!(
        !programs.is_empty(),
        "no Lua programs found in {} (filter: {:?})",
        dir.display(),
        filter
    );

    let jobs = std::env::var("GOLDEN_JOBS")
        .ok()
        .and_then(|s| s.parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or_else(|| {
            thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(4)
        })
        .min(programs.len());

    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<RunResult>> = Mutex::new(Vec::with_capacity(programs.len()));
    thread::scope(|s| {
        for _ in 0..jobs {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(file) = programs.get(i) else { break };
                    let r = run_one(&dir, file, timeout, gc_stress);
                    results.lock().unwrap().push(r);
                }
            });
        }
    });

    let mut results = results.into_inner().unwrap();
    results.sort_by(|a, b| a.name.cmp(&b.name));
    let failures: Vec<&RunResult> = results
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Fail(_)))
        .collect();
    let passed = results.len() - failures.len();
    eprintln!("golden: {} passed, {} failed", passed, failures.len());

    if !failures.is_empty() {
        let mut report = format!(
            "{} of {} golden Lua programs failed (actual outputs written to tests/lua/NAME[.gc-MODE].actual):\n",
            failures.len(),
            results.len()
        );
        for r in &failures {
            if let Outcome::Fail(why) = &r.outcome {
                report.push_str(&format!("  {}.lua: {}\n", r.name, why));
            }
        }
        panic!("{report}");
    }
}
