//! The in-game debug overlay (feature `overlay`): what the scripts cost this frame, per script,
//! and over the last 300 frames, drawn with egui. F3 (configurable) opens and closes it.
//!
//! Everything shown comes from the runtime's reports (`ScriptRuntime::report` and each
//! module's `ScriptReport`), which the script system fills without allocating. The overlay's
//! own state is preallocated; text goes through one reused buffer. What remains is egui's own
//! work, which the panel measures and shows on its last line.

use std::fmt::Write as _;

use bevy::app::{App, Plugin, PostUpdate, Update};
use bevy::asset::AssetId;
use bevy::ecs::message::MessageReader;
use bevy::ecs::resource::Resource;
use bevy::ecs::system::{NonSend, NonSendMut, Res, ResMut};
use bevy::input::ButtonInput;
use bevy::input::keyboard::KeyCode;
use bevy_egui::{EguiContexts, EguiPlugin, EguiPrimaryContextPass, egui};

use crate::plugin::tasks::Wait;
use crate::plugin::{FrameReport, LuaScript, ScriptError, ScriptRuntime, error_line};

/// Frames kept for the plots.
pub const HISTORY: usize = 300;
/// Errors listed (the newest per script).
const MAX_ERRORS: usize = 16;

/// Adds the overlay (and `EguiPlugin` if the app has none).
pub struct MoonpoolOverlayPlugin {
    pub toggle_key: KeyCode,
    pub start_open: bool,
    /// Drawn as a line on the script-time plot, in milliseconds.
    pub frame_budget_ms: f32,
}

impl Default for MoonpoolOverlayPlugin {
    fn default() -> Self {
        MoonpoolOverlayPlugin {
            toggle_key: KeyCode::F3,
            start_open: false,
            frame_budget_ms: 1000.0 / 60.0,
        }
    }
}

impl Plugin for MoonpoolOverlayPlugin {
    fn build(&self, app: &mut App) {
        if !app.is_plugin_added::<EguiPlugin>() {
            app.add_plugins(EguiPlugin::default());
        }
        app.insert_resource(MoonpoolOverlay::new(
            self.toggle_key,
            self.start_open,
            self.frame_budget_ms,
        ))
        .add_systems(Update, toggle_overlay)
        .add_systems(PostUpdate, record_frame)
        .add_systems(EguiPrimaryContextPass, draw_overlay);
    }
}

/// One frame of the plots.
#[derive(Clone, Copy, Default)]
struct Sample {
    script_ms: f32,
    vm_objects: f32,
    rust_allocations: f32,
}

/// The last `HISTORY` frames, in a fixed ring.
struct History {
    samples: Box<[Sample; HISTORY]>,
    next: usize,
    len: usize,
}

impl History {
    fn push(&mut self, s: Sample) {
        self.samples[self.next] = s;
        self.next = (self.next + 1) % HISTORY;
        self.len = (self.len + 1).min(HISTORY);
    }

    /// Oldest first.
    fn iter(&self) -> impl Iterator<Item = &Sample> {
        let start = (self.next + HISTORY - self.len) % HISTORY;
        (0..self.len).map(move |i| &self.samples[(start + i) % HISTORY])
    }
}

/// The latest error of one script, with the source line it points at.
pub struct ShownError {
    pub path: String,
    pub line: Option<u32>,
    /// First line of the message (the traceback is in the log).
    pub message: String,
    pub source_line: Option<String>,
    pub frame: u64,
    /// Errors from this script so far.
    pub count: u32,
    /// The budget that stopped the script, when one did.
    pub budget: Option<crate::plugin::Budget>,
}

/// The overlay's state.
#[derive(Resource)]
pub struct MoonpoolOverlay {
    pub open: bool,
    pub toggle_key: KeyCode,
    pub frame_budget_ms: f32,
    /// The script whose tasks are listed.
    pub selected: Option<AssetId<LuaScript>>,
    pub errors: Vec<ShownError>,
    /// The report the panel showed the last time it was drawn (for checks and tests).
    pub shown: Option<FrameReport>,
    /// Where the panel was drawn, in logical pixels.
    pub panel_rect: Option<egui::Rect>,
    /// Rust heap allocations while drawing the panel last time (nearly all egui's; counted only
    /// with `CountingAllocator` installed).
    pub own_allocations: u64,
    history: History,
    rows: Vec<AssetId<LuaScript>>,
    text: String,
    chunk: String,
}

impl MoonpoolOverlay {
    fn new(toggle_key: KeyCode, open: bool, frame_budget_ms: f32) -> Self {
        MoonpoolOverlay {
            open,
            toggle_key,
            frame_budget_ms,
            selected: None,
            errors: Vec::with_capacity(MAX_ERRORS),
            shown: None,
            panel_rect: None,
            own_allocations: 0,
            history: History {
                samples: Box::new([Sample::default(); HISTORY]),
                next: 0,
                len: 0,
            },
            rows: Vec::with_capacity(64),
            text: String::with_capacity(256),
            chunk: String::with_capacity(128),
        }
    }

    /// The history of script time in milliseconds, oldest first.
    pub fn script_time_history(&self) -> impl Iterator<Item = f32> + '_ {
        self.history.iter().map(|s| s.script_ms)
    }
}

/// Formats into the reused text buffer.
macro_rules! fmt {
    ($buf:expr, $($arg:tt)*) => {{
        $buf.clear();
        let _ = write!($buf, $($arg)*);
        $buf.as_str()
    }};
}

fn toggle_overlay(
    keys: Option<Res<ButtonInput<KeyCode>>>,
    mut overlay: ResMut<MoonpoolOverlay>,
    mut runtime: NonSendMut<ScriptRuntime>,
) {
    if let Some(keys) = keys
        && keys.just_pressed(overlay.toggle_key)
    {
        overlay.open = !overlay.open;
    }
    // Per-script timing costs two clock reads per entity: only while someone looks.
    if runtime.profile != overlay.open {
        runtime.profile = overlay.open;
    }
}

/// Keeps the plots' history and the latest error of each script.
fn record_frame(
    runtime: NonSend<ScriptRuntime>,
    mut overlay: ResMut<MoonpoolOverlay>,
    mut errors: MessageReader<ScriptError>,
) {
    let r = &runtime.report;
    overlay.history.push(Sample {
        script_ms: r.script_time.as_secs_f32() * 1e3,
        vm_objects: r.vm_objects() as f32,
        rust_allocations: r.rust_allocations as f32,
    });
    for e in errors.read() {
        let line = error_line(&e.path, &e.message);
        let source_line = e.source_line.clone();
        let message = e.message.lines().next().unwrap_or_default().to_string();
        let errors = &mut overlay.errors;
        let count = match errors.iter().position(|x| x.path == e.path) {
            Some(i) => errors.remove(i).count + 1,
            None => 1,
        };
        if errors.len() == MAX_ERRORS {
            errors.pop();
        }
        errors.insert(
            0,
            ShownError {
                path: e.path.clone(),
                line,
                message,
                source_line,
                frame: runtime.frame,
                count,
                budget: e.budget,
            },
        );
    }
}

fn draw_overlay(
    mut contexts: EguiContexts,
    runtime: NonSend<ScriptRuntime>,
    mut overlay: ResMut<MoonpoolOverlay>,
) {
    if !overlay.open {
        return;
    }
    let Ok(ctx) = contexts.ctx_mut() else {
        return;
    };
    let heap_start = crate::vm::heap_counters();
    let overlay = &mut *overlay;
    let report = runtime.report;
    let shown = egui::Window::new("Moonpool scripts")
        .default_pos((8.0, 8.0))
        .default_width(430.0)
        .resizable(true)
        .show(ctx, |ui| {
            frame_section(ui, overlay, &report);
            ui.separator();
            scripts_section(ui, overlay, &runtime);
            ui.separator();
            plots_section(ui, overlay);
            errors_section(ui, overlay);
            ui.separator();
            let own = overlay.own_allocations;
            ui.weak(fmt!(
                overlay.text,
                "overlay drawing: {own} Rust heap allocations last frame (egui's layout and \
                 shapes); {} to toggle",
                key_label(overlay.toggle_key)
            ));
        });
    overlay.panel_rect = shown.map(|s| s.response.rect);
    overlay.shown = Some(report);
    overlay.own_allocations = crate::vm::heap_counters().since(&heap_start).allocations;
}

fn key_label(k: KeyCode) -> &'static str {
    match k {
        KeyCode::F1 => "F1",
        KeyCode::F2 => "F2",
        KeyCode::F3 => "F3",
        KeyCode::F4 => "F4",
        KeyCode::F12 => "F12",
        KeyCode::Backquote => "`",
        _ => "the toggle key",
    }
}

fn frame_section(ui: &mut egui::Ui, overlay: &mut MoonpoolOverlay, r: &FrameReport) {
    let v = &r.vm;
    let text = &mut overlay.text;
    ui.strong(fmt!(text, "Frame {}", r.frame));
    egui::Grid::new("moonpool_frame")
        .num_columns(4)
        .spacing([12.0, 2.0])
        .show(ui, |ui| {
            let mut cell = |ui: &mut egui::Ui, name: &str, value: std::fmt::Arguments| {
                ui.label(name);
                text.clear();
                let _ = text.write_fmt(value);
                ui.monospace(text.as_str());
            };
            cell(
                ui,
                "script time",
                format_args!("{:.3} ms", ms(r.script_time)),
            );
            cell(ui, "GC step", format_args!("{:.3} ms", ms(r.gc_time)));
            ui.end_row();
            cell(ui, "VM objects", format_args!("{}", r.vm_objects()));
            cell(ui, "VM bytes", format_args!("{}", v.bytes_allocated));
            ui.end_row();
            cell(ui, "tables", format_args!("{}", v.tables_allocated));
            cell(ui, "strings", format_args!("{}", v.strings_allocated));
            ui.end_row();
            cell(
                ui,
                "closures",
                format_args!("{}", v.closures_allocated + v.upvalues_allocated),
            );
            cell(ui, "userdata", format_args!("{}", v.userdata_allocated));
            ui.end_row();
            cell(ui, "threads", format_args!("{}", v.threads_created));
            if crate::vm::counting_allocator_installed() {
                cell(
                    ui,
                    "Rust heap",
                    format_args!("{} allocs, {} B", r.rust_allocations, r.rust_bytes),
                );
            } else {
                cell(ui, "Rust heap", format_args!("not counted"));
            }
            ui.end_row();
            cell(
                ui,
                "regpool hit/miss",
                format_args!("{}/{}", v.regpool_hits, v.regpool_misses),
            );
            cell(
                ui,
                "frame arena",
                format_args!("{} live / {}", v.frames_live, v.frame_arena_capacity),
            );
            ui.end_row();
            cell(ui, "GC heap", format_args!("{} KB", v.heap_bytes / 1024));
            cell(
                ui,
                "GC work",
                format_args!("{} units, {} steps", v.gc_work, v.gc_steps),
            );
            ui.end_row();
            cell(ui, "instructions", format_args!("{}", v.instructions));
            cell(
                ui,
                "entities/tasks",
                format_args!("{}/{}", r.entities, r.live_tasks),
            );
            ui.end_row();
        });
    if !crate::vm::counting_allocator_installed() {
        ui.weak("Rust heap counts need moonpool::vm::CountingAllocator as #[global_allocator].");
    }
}

fn ms(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn scripts_section(ui: &mut egui::Ui, overlay: &mut MoonpoolOverlay, rt: &ScriptRuntime) {
    ui.strong("Scripts (click a row for its tasks)");
    overlay.rows.clear();
    overlay.rows.extend(rt.modules.keys().copied());
    overlay
        .rows
        .sort_unstable_by(|a, b| rt.modules[a].path.cmp(&rt.modules[b].path));
    egui::Grid::new("moonpool_scripts")
        .num_columns(6)
        .striped(true)
        .spacing([10.0, 2.0])
        .show(ui, |ui| {
            for h in ["script", "entities", "tasks", "instr", "time", "allocs"] {
                ui.weak(h);
            }
            ui.end_row();
            for i in 0..overlay.rows.len() {
                let id = overlay.rows[i];
                let Some(m) = rt.modules.get(&id) else {
                    continue;
                };
                let r = &m.report;
                let selected = overlay.selected == Some(id);
                if ui.selectable_label(selected, &*m.path).clicked() {
                    overlay.selected = if selected { None } else { Some(id) };
                }
                let text = &mut overlay.text;
                ui.monospace(fmt!(text, "{}", r.entities));
                ui.monospace(fmt!(text, "{}", r.tasks));
                ui.monospace(fmt!(text, "{}", r.instructions));
                ui.monospace(fmt!(text, "{:.3} ms", ms(r.time)));
                ui.monospace(fmt!(text, "{}", r.allocations));
                ui.end_row();
            }
        });
    let Some(id) = overlay.selected else {
        return;
    };
    let Some(m) = rt.modules.get(&id) else {
        overlay.selected = None;
        return;
    };
    // The chunk name, for finding the script's own frame in each task.
    let mut chunk = std::mem::take(&mut overlay.chunk);
    chunk.clear();
    chunk.push('@');
    chunk.push_str(&m.path);
    egui::ScrollArea::vertical()
        .max_height(140.0)
        .id_salt("moonpool_tasks")
        .show(ui, |ui| {
            let mut any = false;
            for (inst, es) in rt.entities.iter().filter(|(_, es)| es.asset == id) {
                let entity = inst.entity;
                for t in &es.tasks {
                    any = true;
                    let line = rt.vm.thread_line_in(t.key, &chunk);
                    let text = &mut overlay.text;
                    text.clear();
                    let _ = write!(text, "{entity} task {}: ", t.id);
                    let _ = match &t.wait {
                        Wait::Ready => write!(text, "ready"),
                        Wait::Seconds { until, .. } => {
                            write!(text, "wait, {:.2} s left", (until - rt.elapsed).max(0.0))
                        }
                        Wait::Frames { at } => {
                            write!(text, "wait_frames, {} left", at.saturating_sub(rt.frame))
                        }
                        Wait::Until { .. } => write!(text, "wait_until"),
                        Wait::Event { name, .. } => write!(text, "wait_event \"{name}\""),
                        Wait::Join { id, .. } => write!(text, "join task {id}"),
                    };
                    if let Some(line) = line {
                        let _ = write!(text, "  at {}:{line}", m.path);
                    }
                    ui.monospace(text.as_str());
                }
            }
            if !any {
                ui.weak("no live tasks");
            }
        });
    overlay.chunk = chunk;
}

fn plots_section(ui: &mut egui::Ui, overlay: &mut MoonpoolOverlay) {
    let budget = overlay.frame_budget_ms;
    let max_ms = overlay
        .history
        .iter()
        .map(|s| s.script_ms)
        .fold(budget, f32::max);
    ui.label(fmt!(
        overlay.text,
        "script time, last {HISTORY} frames (line: {budget:.1} ms frame budget)"
    ));
    plot(ui, &overlay.history, |s| s.script_ms, max_ms, Some(budget));
    let max_allocs = overlay
        .history
        .iter()
        .map(|s| s.vm_objects.max(s.rust_allocations))
        .fold(1.0, f32::max);
    ui.label(fmt!(
        overlay.text,
        "allocations per frame (VM objects, Rust heap in red), max {max_allocs:.0}"
    ));
    let rect = plot(ui, &overlay.history, |s| s.vm_objects, max_allocs, None);
    plot_line(
        ui,
        rect,
        &overlay.history,
        |s| s.rust_allocations,
        max_allocs,
        egui::Color32::from_rgb(230, 80, 80),
    );
}

/// A line plot of the history in a new strip of the panel; returns its rectangle.
fn plot(
    ui: &mut egui::Ui,
    history: &History,
    value: impl Fn(&Sample) -> f32,
    max: f32,
    budget: Option<f32>,
) -> egui::Rect {
    let size = egui::vec2(ui.available_width().max(200.0), 50.0);
    let (rect, _) = ui.allocate_exact_size(size, egui::Sense::hover());
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 2.0, egui::Color32::from_gray(24));
    if let Some(b) = budget {
        let y = rect.bottom() - rect.height() * (b / max).min(1.0);
        painter.line_segment(
            [egui::pos2(rect.left(), y), egui::pos2(rect.right(), y)],
            egui::Stroke::new(1.0, egui::Color32::from_rgb(220, 180, 60)),
        );
    }
    plot_line(
        ui,
        rect,
        history,
        value,
        max,
        egui::Color32::from_rgb(90, 200, 120),
    );
    rect
}

fn plot_line(
    ui: &egui::Ui,
    rect: egui::Rect,
    history: &History,
    value: impl Fn(&Sample) -> f32,
    max: f32,
    color: egui::Color32,
) {
    let painter = ui.painter_at(rect);
    let dx = rect.width() / (HISTORY - 1) as f32;
    let offset = HISTORY - history.len;
    let point = |i: usize, v: f32| {
        egui::pos2(
            rect.left() + (offset + i) as f32 * dx,
            rect.bottom() - rect.height() * (v / max).clamp(0.0, 1.0),
        )
    };
    let mut prev: Option<egui::Pos2> = None;
    for (i, s) in history.iter().enumerate() {
        let p = point(i, value(s));
        if let Some(q) = prev {
            painter.line_segment([q, p], egui::Stroke::new(1.0, color));
        }
        prev = Some(p);
    }
}

fn errors_section(ui: &mut egui::Ui, overlay: &mut MoonpoolOverlay) {
    if overlay.errors.is_empty() {
        return;
    }
    ui.separator();
    ui.strong("Errors (newest first)");
    let MoonpoolOverlay { errors, text, .. } = overlay;
    for e in errors.iter() {
        let loc = fmt!(
            text,
            "{}:{} (frame {}, {}x)",
            e.path,
            e.line.map_or(0, |l| l),
            e.frame,
            e.count
        );
        ui.colored_label(egui::Color32::from_rgb(240, 110, 110), loc);
        if let Some(b) = e.budget {
            ui.colored_label(
                egui::Color32::from_rgb(240, 180, 90),
                fmt!(text, "stopped by: {}", b.setting()),
            );
        }
        ui.label(e.message.as_str());
        if let Some(src) = &e.source_line {
            ui.monospace(fmt!(text, "  {} | {src}", e.line.unwrap_or(0)));
        }
    }
}
