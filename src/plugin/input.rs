//! What scripts read of the player's input: keys, mouse buttons, cursor, wheel, gamepads.
//!
//! `capture` copies the frame's input into a thread-local snapshot before any Lua runs (the
//! lists keep their buffers, so a frame allocates nothing); the `input.*` natives read it.
//! Names are Bevy's own (`KeyCode`, `MouseButton`, `GamepadButton`, `GamepadAxis` variant
//! names), read from the types' reflection data; an unknown name is an error naming it.

use std::cell::RefCell;
use std::hash::Hash;

use bevy::ecs::resource::Resource;
use bevy::input::ButtonInput;
use bevy::input::gamepad::{Gamepad, GamepadAxis, GamepadButton};
use bevy::input::keyboard::KeyCode;
use bevy::input::mouse::{AccumulatedMouseMotion, AccumulatedMouseScroll, MouseButton};
use bevy::math::Vec2;
use bevy::reflect::{FromReflect, Typed};

use crate::vm::Vm;
use crate::vm::runtime::error::LuaResult;
use crate::vm::runtime::function::Args;
use crate::vm::runtime::gc::Gc;
use crate::vm::runtime::table::Table;
use crate::vm::runtime::value::Value;

/// Where the cursor is, for scripts (`input.cursor()`, `input.cursor_world()`). With the
/// `window` feature the plugin sets `position` from the primary window each frame; a game sets
/// `world` (it knows its camera), and a headless game or a test sets both to play back input.
#[derive(Resource, Clone, Copy, Debug, Default, PartialEq, bevy::reflect::Reflect)]
pub struct ScriptCursor {
    /// In window coordinates (logical pixels, origin top left); `None` outside the window.
    pub position: Option<Vec2>,
    /// In world coordinates, if the game fills it in.
    pub world: Option<Vec2>,
}

/// One gamepad's state this frame.
#[derive(Default)]
struct PadState {
    pressed: Vec<&'static str>,
    just_pressed: Vec<&'static str>,
    /// `GamepadAxis` values in `AXES` order, then the analog buttons in `buttons` order.
    axes: Vec<(&'static str, f32)>,
}

/// The frame's input as scripts see it.
#[derive(Default)]
struct Snapshot {
    keys: Vec<&'static str>,
    keys_just: Vec<&'static str>,
    keys_released: Vec<&'static str>,
    mouse: Vec<&'static str>,
    mouse_just: Vec<&'static str>,
    mouse_released: Vec<&'static str>,
    cursor: Option<Vec2>,
    cursor_world: Option<Vec2>,
    wheel: Vec2,
    motion: Vec2,
    pads: Vec<PadState>,
    pad_count: usize,
}

thread_local! {
    static SNAPSHOT: RefCell<Snapshot> = RefCell::new(Snapshot::default());
}

/// The names of an enum's unit variants, both ways.
struct Names<T> {
    by_name: rustc_hash::FxHashMap<&'static str, T>,
    by_value: rustc_hash::FxHashMap<T, &'static str>,
}

fn names_of<T: Typed + FromReflect + Hash + Eq + Copy>() -> Names<T> {
    use bevy::reflect::TypeInfo;
    use bevy::reflect::enums::{DynamicEnum, DynamicVariant, VariantInfo};
    let mut names = Names {
        by_name: Default::default(),
        by_value: Default::default(),
    };
    if let TypeInfo::Enum(info) = T::type_info() {
        for variant in info.iter() {
            let VariantInfo::Unit(unit) = variant else {
                continue;
            };
            let name = unit.name();
            let value = DynamicEnum::new(name, DynamicVariant::Unit);
            if let Some(v) = T::from_reflect(&value) {
                names.by_name.insert(name, v);
                names.by_value.insert(v, name);
            }
        }
    }
    names
}

macro_rules! name_table {
    ($f:ident, $t:ty) => {
        fn $f() -> &'static Names<$t> {
            static NAMES: std::sync::OnceLock<Names<$t>> = std::sync::OnceLock::new();
            NAMES.get_or_init(names_of::<$t>)
        }
    };
}

name_table!(key_names, KeyCode);
name_table!(mouse_names, MouseButton);
name_table!(pad_button_names, GamepadButton);
name_table!(pad_axis_names, GamepadAxis);

/// What `capture` reads: each part is optional (a headless app may have no mouse).
pub(crate) struct Sources<'a> {
    pub keys: Option<&'a ButtonInput<KeyCode>>,
    pub mouse: Option<&'a ButtonInput<MouseButton>>,
    pub scroll: Option<&'a AccumulatedMouseScroll>,
    pub motion: Option<&'a AccumulatedMouseMotion>,
    pub cursor: Option<&'a ScriptCursor>,
    pub gamepads: &'a mut dyn Iterator<Item = &'a Gamepad>,
}

/// Copies the frame's input into the snapshot the natives read.
pub(crate) fn capture(src: Sources) {
    SNAPSHOT.with(|s| {
        let s = &mut *s.borrow_mut();
        fill(
            &mut s.keys,
            &mut s.keys_just,
            &mut s.keys_released,
            src.keys,
            key_names(),
        );
        fill(
            &mut s.mouse,
            &mut s.mouse_just,
            &mut s.mouse_released,
            src.mouse,
            mouse_names(),
        );
        s.cursor = src.cursor.and_then(|c| c.position);
        s.cursor_world = src.cursor.and_then(|c| c.world);
        s.wheel = src.scroll.map_or(Vec2::ZERO, |w| w.delta);
        s.motion = src.motion.map_or(Vec2::ZERO, |m| m.delta);
        let mut n = 0;
        for pad in src.gamepads {
            if s.pads.len() <= n {
                s.pads.push(PadState::default());
            }
            let p = &mut s.pads[n];
            p.pressed.clear();
            p.just_pressed.clear();
            p.axes.clear();
            let buttons = pad_button_names();
            p.pressed.extend(
                pad.get_pressed()
                    .filter_map(|b| buttons.by_value.get(b).copied()),
            );
            p.just_pressed.extend(
                pad.get_just_pressed()
                    .filter_map(|b| buttons.by_value.get(b).copied()),
            );
            for (axis, name) in &pad_axis_names().by_value {
                if let Some(v) = pad.get(*axis) {
                    p.axes.push((name, v));
                }
            }
            for (button, name) in &buttons.by_value {
                if let Some(v) = pad.get(*button) {
                    p.axes.push((name, v));
                }
            }
            n += 1;
        }
        s.pad_count = n;
    });
}

fn fill<T: Copy + Eq + Hash + Send + Sync + 'static>(
    pressed: &mut Vec<&'static str>,
    just: &mut Vec<&'static str>,
    released: &mut Vec<&'static str>,
    input: Option<&ButtonInput<T>>,
    names: &Names<T>,
) {
    pressed.clear();
    just.clear();
    released.clear();
    if let Some(input) = input {
        let name = |k: &T| names.by_value.get(k).copied();
        pressed.extend(input.get_pressed().filter_map(name));
        just.extend(input.get_just_pressed().filter_map(name));
        released.extend(input.get_just_released().filter_map(name));
    }
}

/// Installs the `input` table.
pub(crate) fn install(vm: &mut Vm, input: Gc<Table>) {
    for (name, f) in [
        (
            "pressed",
            key_pressed as crate::vm::runtime::function::NativeFn,
        ),
        ("just_pressed", key_just_pressed),
        ("just_released", key_just_released),
        ("mouse_pressed", mouse_pressed),
        ("mouse_just_pressed", mouse_just_pressed),
        ("mouse_just_released", mouse_just_released),
        ("cursor", cursor),
        ("cursor_world", cursor_world),
        ("wheel", wheel),
        ("mouse_motion", mouse_motion),
        ("gamepads", gamepads),
        ("gamepad_pressed", gamepad_pressed),
        ("gamepad_just_pressed", gamepad_just_pressed),
        ("gamepad_axis", gamepad_axis),
    ] {
        vm.set_field(input, name, Value::Native(f));
    }
}

/// The name argument, checked against `names`: an unknown name is an error naming it.
fn name_arg<T>(
    vm: &mut Vm,
    args: Args,
    i: usize,
    fname: &str,
    names: &Names<T>,
    kind: &str,
    examples: &str,
) -> LuaResult<&'static str> {
    let name = vm.check_str(args, i, fname)?;
    let known = std::str::from_utf8(name.as_bytes())
        .ok()
        .and_then(|n| names.by_name.get_key_value(n))
        .map(|(k, _)| *k);
    match known {
        Some(k) => Ok(k),
        None => {
            let msg = format!(
                "unknown {kind} '{}' (Bevy {kind} names: {examples})",
                name.to_str_lossy()
            );
            Err(vm.arg_error(i + 1, fname, &msg))
        }
    }
}

fn query(
    vm: &mut Vm,
    args: Args,
    fname: &str,
    keys: bool,
    pick: fn(&Snapshot) -> &Vec<&'static str>,
) -> LuaResult<usize> {
    let name = if keys {
        name_arg(
            vm,
            args,
            0,
            fname,
            key_names(),
            "key",
            "\"KeyA\", \"Space\", \"ArrowLeft\", ...",
        )?
    } else {
        name_arg(
            vm,
            args,
            0,
            fname,
            mouse_names(),
            "mouse button",
            "\"Left\", \"Right\", \"Middle\", \"Back\", \"Forward\"",
        )?
    };
    let hit = SNAPSHOT.with(|s| pick(&s.borrow()).iter().any(|k| std::ptr::eq(*k, name)));
    vm.ret1(args, Value::Bool(hit))
}

/// `input.pressed("Space")`: held this frame (Bevy `KeyCode` names).
fn key_pressed(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    query(vm, args, "pressed", true, |s| &s.keys)
}

/// `input.just_pressed("KeyW")`: went down this frame.
fn key_just_pressed(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    query(vm, args, "just_pressed", true, |s| &s.keys_just)
}

fn key_just_released(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    query(vm, args, "just_released", true, |s| &s.keys_released)
}

/// `input.mouse_pressed("Left")`.
fn mouse_pressed(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    query(vm, args, "mouse_pressed", false, |s| &s.mouse)
}

fn mouse_just_pressed(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    query(vm, args, "mouse_just_pressed", false, |s| &s.mouse_just)
}

fn mouse_just_released(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    query(vm, args, "mouse_just_released", false, |s| {
        &s.mouse_released
    })
}

fn ret_xy(vm: &mut Vm, args: Args, v: Option<Vec2>) -> LuaResult<usize> {
    match v {
        Some(v) => vm.ret_values(args, &[Value::Float(v.x as f64), Value::Float(v.y as f64)]),
        None => vm.ret1(args, Value::Nil),
    }
}

/// `input.cursor()`: `x, y` in the window (logical pixels, origin top left), or nil.
fn cursor(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let c = SNAPSHOT.with(|s| s.borrow().cursor);
    ret_xy(vm, args, c)
}

/// `input.cursor_world()`: `x, y` in the world, or nil (see `ScriptCursor::world`).
fn cursor_world(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let c = SNAPSHOT.with(|s| s.borrow().cursor_world);
    ret_xy(vm, args, c)
}

/// `input.wheel()`: `dx, dy` scrolled this frame.
fn wheel(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let w = SNAPSHOT.with(|s| s.borrow().wheel);
    ret_xy(vm, args, Some(w))
}

/// `input.mouse_motion()`: `dx, dy` the mouse moved this frame.
fn mouse_motion(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let m = SNAPSHOT.with(|s| s.borrow().motion);
    ret_xy(vm, args, Some(m))
}

/// `input.gamepads()`: how many gamepads are connected.
fn gamepads(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let n = SNAPSHOT.with(|s| s.borrow().pad_count);
    vm.ret1(args, Value::Int(n as i64))
}

/// The optional gamepad number (1-based, default 1) at `i`.
fn pad_arg(vm: &mut Vm, args: Args, i: usize, fname: &str) -> LuaResult<usize> {
    match vm.arg(args, i) {
        Value::Nil => Ok(0),
        Value::Int(n) if n >= 1 => Ok(n as usize - 1),
        _ => Err(vm.arg_error(i + 1, fname, "gamepad number (1, 2, ...) expected")),
    }
}

fn pad_query(vm: &mut Vm, args: Args, fname: &str, just: bool) -> LuaResult<usize> {
    let name = name_arg(
        vm,
        args,
        0,
        fname,
        pad_button_names(),
        "gamepad button",
        "\"South\", \"East\", \"DPadUp\", \"LeftTrigger2\", \"Start\", ...",
    )?;
    let pad = pad_arg(vm, args, 1, fname)?;
    let hit = SNAPSHOT.with(|s| {
        let s = s.borrow();
        s.pads
            .get(pad)
            .filter(|_| pad < s.pad_count)
            .is_some_and(|p| {
                let list = if just { &p.just_pressed } else { &p.pressed };
                list.iter().any(|b| std::ptr::eq(*b, name))
            })
    });
    vm.ret1(args, Value::Bool(hit))
}

/// `input.gamepad_pressed("South", pad)`: a button held on gamepad `pad` (default 1).
fn gamepad_pressed(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    pad_query(vm, args, "gamepad_pressed", false)
}

fn gamepad_just_pressed(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    pad_query(vm, args, "gamepad_just_pressed", true)
}

/// `input.gamepad_axis("LeftStickX", pad)`: an axis (-1..1), or an analog button such as
/// "RightTrigger2" (0..1); 0 if the gamepad is not there.
fn gamepad_axis(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let name = vm.check_str(args, 0, "gamepad_axis")?;
    let known = std::str::from_utf8(name.as_bytes()).ok().and_then(|n| {
        pad_axis_names()
            .by_name
            .get_key_value(n)
            .map(|(k, _)| *k)
            .or_else(|| pad_button_names().by_name.get_key_value(n).map(|(k, _)| *k))
    });
    let Some(name) = known else {
        let msg = format!(
            "unknown gamepad axis '{}' (Bevy GamepadAxis names: \"LeftStickX\", \"LeftStickY\", \"RightStickX\", ...; or an analog button such as \"RightTrigger2\")",
            name.to_str_lossy()
        );
        return Err(vm.arg_error(1, "gamepad_axis", &msg));
    };
    let pad = pad_arg(vm, args, 1, "gamepad_axis")?;
    let v = SNAPSHOT.with(|s| {
        let s = s.borrow();
        s.pads
            .get(pad)
            .filter(|_| pad < s.pad_count)
            .and_then(|p| p.axes.iter().find(|(n, _)| std::ptr::eq(*n, name)))
            .map_or(0.0, |(_, v)| *v)
    });
    vm.ret1(args, Value::Float(v as f64))
}

/// Copies the primary window's cursor position into `ScriptCursor::position`.
#[cfg(feature = "window")]
pub(crate) fn cursor_from_window(
    windows: bevy::ecs::system::Query<
        &bevy::window::Window,
        bevy::ecs::query::With<bevy::window::PrimaryWindow>,
    >,
    mut cursor: bevy::ecs::system::ResMut<ScriptCursor>,
) {
    let position = windows.single().ok().and_then(|w| w.cursor_position());
    if cursor.position != position {
        cursor.position = position;
    }
}
