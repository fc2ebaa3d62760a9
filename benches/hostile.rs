//! What a hostile script costs: each script of `tests/hostile/` runs as one entity beside 100
//! scripted movers, with default `MoonpoolSettings`, for 60 frames; the table gives the worst
//! and the median frame (the whole `App::update`), the peak resident memory of the process and
//! the peak of the VM's heap. The first row runs the movers alone.
//!
//! `cargo bench --bench hostile` (optional: `-- NAME...` runs only those cases). Each case runs
//! in a child process of its own, so its memory peak is its own.

use std::time::{Duration, Instant};

use bevy::asset::{AssetPlugin, Assets};
use bevy::prelude::*;
use bevy::time::TimeUpdateStrategy;
use moonpool::plugin::{LuaScript, MoonpoolPlugin, MoonpoolSettings, Script, ScriptRuntime};

const MOVERS: usize = 100;
const FRAMES: usize = 60;
const MOVER: &str = "function on_update(self, dt)
  local p = self.transform.translation
  p.x = p.x + 10 * dt
end";

fn cases_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile")
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    if let [flag, name] = args.as_slice()
        && flag == "--case"
    {
        run_case(name);
        return;
    }
    let mut names: Vec<String> = std::fs::read_dir(cases_dir())
        .expect("tests/hostile")
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            Some(name.strip_suffix(".lua")?.to_string())
        })
        .filter(|n| args.is_empty() || args.contains(n))
        .collect();
    names.sort();
    names.insert(0, "(movers only)".into());
    println!(
        "{} movers + 1 hostile entity, default MoonpoolSettings (time_per_script {:?}), {FRAMES} frames",
        MOVERS,
        MoonpoolSettings::default()
            .time_per_script
            .unwrap_or_default()
    );
    println!(
        "{:<22} {:>10} {:>11} {:>12} {:>12}",
        "case", "worst ms", "median ms", "peak RSS MB", "peak heap MB"
    );
    let exe = std::env::current_exe().expect("own path");
    for name in names {
        let out = std::process::Command::new(&exe)
            .args(["--case", &name])
            .output()
            .expect("run a case");
        let line = String::from_utf8_lossy(&out.stdout);
        match line.lines().last() {
            Some(l) if out.status.success() => println!("{l}"),
            _ => println!(
                "{name:<22} FAILED: {} {}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            ),
        }
    }
}

/// Resident memory of this process, in bytes.
fn rss() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0, |pages| pages * 4096)
}

fn run_case(name: &str) {
    let mut app = App::new();
    app.add_plugins((
        MinimalPlugins,
        AssetPlugin {
            file_path: cases_dir()
                .parent()
                .unwrap()
                .join("scripts")
                .display()
                .to_string(),
            ..Default::default()
        },
        MoonpoolPlugin::default(),
    ))
    .insert_resource(TimeUpdateStrategy::ManualDuration(Duration::from_millis(
        16,
    )));
    let mover = app
        .world_mut()
        .resource_mut::<Assets<LuaScript>>()
        .add(LuaScript::from_source("mover.lua", MOVER).unwrap());
    for _ in 0..MOVERS {
        app.world_mut()
            .spawn((Transform::default(), Script::new(mover.clone())));
    }
    for _ in 0..3 {
        app.update();
    }
    if name != "(movers only)" {
        let source = std::fs::read_to_string(cases_dir().join(format!("{name}.lua"))).unwrap();
        let hostile = app
            .world_mut()
            .resource_mut::<Assets<LuaScript>>()
            .add(LuaScript::from_source("hostile.lua", source).unwrap());
        app.world_mut()
            .spawn((Transform::default(), Script::new(hostile)));
    }
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let mut times = Vec::with_capacity(FRAMES);
    let (mut peak_rss, mut peak_heap) = (rss(), 0u64);
    for _ in 0..FRAMES {
        let t = Instant::now();
        app.update();
        times.push(t.elapsed());
        peak_rss = peak_rss.max(rss());
        let rt = app.world().non_send::<ScriptRuntime>();
        let heap = rt.vm().stats().heap_bytes;
        peak_heap = peak_heap.max(heap);
        if std::env::var_os("HOSTILE_FRAMES").is_some() {
            // Where a frame's time went: the script system's own measure, its collector step.
            eprintln!(
                "frame {:.2} ms: scripts {:.2} ms, gc {:.2} ms, {} entities",
                ms(*times.last().unwrap()),
                ms(rt.report().script_time),
                ms(rt.report().gc_time),
                rt.report().entities
            );
        }
    }
    times.sort();
    println!(
        "{name:<22} {:>10.2} {:>11.2} {:>12.1} {:>12.1}",
        ms(times[times.len() - 1]),
        ms(times[times.len() / 2]),
        peak_rss as f64 / 1e6,
        peak_heap as f64 / 1e6
    );
}
