//! What a game builds on: world scripts, several scripts per entity, rich messages between
//! scripts and with Rust, Roblox-like tasks. `MinimalPlugins` + `AssetPlugin`, 0.1 s frames.

#![cfg(feature = "plugin")]

mod common;

use bevy::prelude::*;
use common::{add_script, app, assert_error, emitted, errors};
use moonpool::prelude::*;

fn frames(app: &mut App, n: usize) {
    for _ in 0..n {
        app.update();
    }
}

/// A world script has its own `self`, tasks and waits, runs before entity scripts, and no
/// transform; an entity with no `Transform` runs its script too.
#[test]
fn world_scripts_run_first_with_their_own_state() {
    let mut app = app();
    let rules = add_script(
        &mut app,
        "rules.lua",
        "function on_spawn(self) self.turns = 0 end
         function on_update(self) self.turns = self.turns + 1; order = (order or '') .. 'W' end
         function main(self)
           wait(0.25)
           emit('world_waited', {turns = self.turns, has_entity = self.entity ~= nil, has_transform = self.transform ~= nil})
         end",
    );
    let unit = add_script(
        &mut app,
        "unit.lua",
        "function on_update(self) order = (order or '') .. 'E' end
         function main(self) wait_frames(2) emit('order', order) end",
    );
    // The entity script is spawned first and carries no Transform.
    app.world_mut().spawn(Script::new(unit));
    app.world_mut().spawn(WorldScript::new(rules));
    frames(&mut app, 5);
    assert!(errors(&app).is_empty(), "{:?}", errors(&app));
    // `order` is each script's own global: both see only their own letters.
    assert_eq!(emitted(&app, "order"), vec![ScriptValue::Str("EEE".into())]);
    let waited = emitted(&app, "world_waited");
    assert_eq!(waited.len(), 1);
    assert_eq!(waited[0].get("turns").and_then(|v| v.as_i64()), Some(4));
    assert_eq!(waited[0].get("has_entity"), Some(&ScriptValue::Bool(false)));
    assert_eq!(
        waited[0].get("has_transform"),
        Some(&ScriptValue::Bool(false))
    );
}

/// Two scripts on one entity each keep their own `self` and tasks; taking one out of the
/// list stops only that one (its `on_despawn` runs).
#[test]
fn several_scripts_per_entity_each_with_its_own_self() {
    let mut app = app();
    let a = add_script(
        &mut app,
        "a.lua",
        "function on_spawn(self) self.name = 'a' end
         function on_update(self) self.transform.translation.x = self.transform.translation.x + 1 end
         function main(self) while true do wait_frames(1) emit('tick', self.name) end end
         function on_despawn(self) emit('stopped', self.name) end",
    );
    let b = add_script(
        &mut app,
        "b.lua",
        "function on_spawn(self) self.name = 'b' end
         function on_update(self) self.transform.translation.y = self.transform.translation.y + 2 end
         function main(self) while true do wait_frames(1) emit('tick', self.name) end end",
    );
    let e = app
        .world_mut()
        .spawn((Transform::default(), Script::new(a.clone()).with(b.clone())))
        .id();
    frames(&mut app, 3);
    let t = *app.world().get::<Transform>(e).unwrap();
    assert_eq!((t.translation.x, t.translation.y), (3.0, 6.0));
    let ticks = emitted(&app, "tick");
    assert_eq!(ticks.iter().filter(|v| v.as_str() == Some("a")).count(), 2);
    assert_eq!(ticks.iter().filter(|v| v.as_str() == Some("b")).count(), 2);
    app.world_mut().get_mut::<Script>(e).unwrap().handles = vec![b];
    frames(&mut app, 2);
    assert_eq!(emitted(&app, "stopped"), vec![ScriptValue::Str("a".into())]);
    let t = *app.world().get::<Transform>(e).unwrap();
    assert_eq!((t.translation.x, t.translation.y), (3.0, 10.0));
    assert!(errors(&app).is_empty(), "{:?}", errors(&app));
}

/// Payloads carry nested lists and maps, entities and vectors, both ways; a table that
/// contains itself is an error at the `emit` naming the line.
#[test]
fn payloads_carry_tables_entities_and_vectors_both_ways() {
    let mut app = app();
    let h = add_script(
        &mut app,
        "payload.lua",
        "function on_event(self, name, p)
           if name == 'echo' then
             emit('echoed', {kind = p.kind, first = p.list[1], n = #p.list, at = p.at + vec3(1, 0, 0),
                             who = p.who.entity == self.entity, nested = p.map.inner.deep})
           end
         end
         function main(self)
           emit('hello', {1, 2, {x = true}, me = nil})
           emit('mixed', {self, vec3(1, 2, 3), 'text', 2.5})
           local t = {} t.self_ref = t
           emit('cycle', t)
         end",
    );
    let e = app
        .world_mut()
        .spawn((Transform::default(), Script::new(h)))
        .id();
    app.update();
    let hello = emitted(&app, "hello");
    assert_eq!(
        hello,
        vec![ScriptValue::List(vec![
            ScriptValue::Int(1),
            ScriptValue::Int(2),
            ScriptValue::Map(vec![(
                ScriptValue::Str("x".into()),
                ScriptValue::Bool(true)
            )]),
        ])]
    );
    assert_eq!(
        emitted(&app, "mixed"),
        vec![ScriptValue::List(vec![
            ScriptValue::Entity(e),
            ScriptValue::Vec3(Vec3::new(1.0, 2.0, 3.0)),
            ScriptValue::Str("text".into()),
            ScriptValue::Number(2.5),
        ])]
    );
    assert_error(
        &app,
        "payload.lua:11: bad argument #2 to 'emit' (payload: in field 'self_ref': a table that contains itself cannot be copied)",
    );
    let payload = ScriptValue::Map(vec![
        ("kind".into(), "orc".into()),
        ("list".into(), ScriptValue::List(vec![7.into(), 8.into()])),
        ("at".into(), Vec3::new(1.0, 2.0, 3.0).into()),
        ("who".into(), e.into()),
        (
            "map".into(),
            ScriptValue::Map(vec![(
                "inner".into(),
                ScriptValue::Map(vec![("deep".into(), 42.into())]),
            )]),
        ),
    ]);
    app.world_mut()
        .write_message(ScriptMessage::new(e, "echo", payload));
    app.update();
    let echoed = emitted(&app, "echoed");
    assert_eq!(echoed.len(), 1, "{:?}", errors(&app));
    let p = &echoed[0];
    assert_eq!(p.get("kind").and_then(|v| v.as_str()), Some("orc"));
    assert_eq!(p.get("first").and_then(|v| v.as_i64()), Some(7));
    assert_eq!(p.get("n").and_then(|v| v.as_i64()), Some(2));
    assert_eq!(
        p.get("at").and_then(|v| v.as_vec3()),
        Some(Vec3::new(2.0, 2.0, 3.0))
    );
    assert_eq!(p.get("who"), Some(&ScriptValue::Bool(true)));
    assert_eq!(p.get("nested").and_then(|v| v.as_i64()), Some(42));
}

/// `send` reaches one entity, all scripts or the world scripts in the same frame, whatever
/// the order the scripts run in; `wait_event` and `on_event` both see it.
#[test]
fn scripts_message_each_other_in_the_same_frame() {
    let mut app = app();
    let rules = add_script(
        &mut app,
        "rules.lua",
        "function on_spawn(self) self.score = 0 end
         function on_event(self, name, p)
           if name == 'died' then self.score = self.score + p.points; emit('score', {self.score, time.frame}) end
         end",
    );
    let listener = add_script(
        &mut app,
        "listener.lua",
        "function main(self)
           send('all', 'hello', self)
           while true do
             local p = wait_event('hit')
             emit('hit_seen', {p.damage, time.frame})
             send('world', 'died', {points = p.damage * 10})
           end
         end",
    );
    let shooter = add_script(
        &mut app,
        "shooter.lua",
        "function on_event(self, name, who)
           if name == 'hello' then self.target = who; emit('hello_seen', time.frame) end
           if name == 'broadcast' then emit('broadcast_seen', time.frame) end
         end
         function main(self)
           wait_frames(2)
           send(self.target, 'hit', {damage = 3})
           send('all', 'broadcast', 1)
         end",
    );
    // The listener runs before the shooter in the walk: delivery must not depend on it.
    app.world_mut().spawn(Script::new(listener));
    app.world_mut().spawn(Script::new(shooter));
    app.world_mut().spawn(WorldScript::new(rules));
    frames(&mut app, 4);
    assert!(errors(&app).is_empty(), "{:?}", errors(&app));
    assert_eq!(emitted(&app, "hello_seen"), vec![ScriptValue::Int(1)]);
    let frame_of = |v: &ScriptValue| v.as_list().unwrap()[1].as_i64().unwrap();
    let hits = emitted(&app, "hit_seen");
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].as_list().unwrap()[0], ScriptValue::Int(3));
    assert_eq!(frame_of(&hits[0]), 3);
    let score = emitted(&app, "score");
    assert_eq!(score.len(), 1);
    assert_eq!(score[0].as_list().unwrap()[0], ScriptValue::Int(30));
    assert_eq!(frame_of(&score[0]), 3);
    assert_eq!(emitted(&app, "broadcast_seen"), vec![ScriptValue::Int(3)]);
}

/// Messages to a despawned entity are an error at the `send`; the sender keeps running.
#[test]
fn sending_to_a_despawned_entity_is_an_error_with_its_line() {
    let mut app = app();
    let h = add_script(
        &mut app,
        "sender.lua",
        "function on_event(self, name, who) self.who = who end
         function main(self)
           wait_frames(2)
           local ok, err = pcall(send, self.who, 'x', 1)
           emit('result', {ok, err})
           send(self.who, 'x', 1)
         end",
    );
    let s = app.world_mut().spawn(Script::new(h)).id();
    let gone = app.world_mut().spawn_empty().id();
    app.update();
    app.world_mut()
        .write_message(ScriptMessage::new(s, "who", gone));
    app.update();
    app.world_mut().despawn(gone);
    frames(&mut app, 2);
    let result = emitted(&app, "result");
    assert_eq!(result.len(), 1);
    let list = result[0].as_list().unwrap();
    assert_eq!(list[0], ScriptValue::Bool(false));
    assert!(
        list[1].as_str().unwrap().contains("does not exist"),
        "{list:?}"
    );
    assert_error(&app, "sender.lua:6: bad argument #1 to 'send' (entity");
}

/// `task.spawn` runs the task at once until its first wait; `task.defer` after the caller, in
/// the same frame; `task.delay` after game time; `task.cancel` ends a task at once (its
/// `<close>` variables close before `cancel` returns); handles are opaque and only their own
/// script may cancel them; waits take timeouts.
#[test]
fn tasks_behave_like_roblox() {
    let mut app = app();
    let h = add_script(
        &mut app,
        "roblox.lua",
        "local log = {}
         local function note(s) log[#log + 1] = s end
         function main(self)
           note('main')
           local t = task.spawn(function(a) note('spawned ' .. a) wait_frames(1) note('spawned again') end, 'x')
           note('after spawn')
           task.defer(function(a) note('deferred ' .. a) end, 'y')
           task.delay(0.25, function(a) note('delayed ' .. a .. ' at ' .. time.frame) end, 'z')
           note('before wait')
           local closed = false
           local victim = task.spawn(function()
             local guard <close> = setmetatable({}, {__close = function() closed = true end})
             wait(100)
           end)
           task.cancel(victim)
           note('cancelled, closed=' .. tostring(closed))
           note(type(t) .. ' ' .. (tostring(t):match('^task: %d+$') and 'opaque' or 'visible'))
           note('forged: ' .. select(2, pcall(task.cancel, 17)))
           self.handle = t
           local got, why = wait_event('never', 0.2)
           note('timeout ' .. tostring(got) .. ' ' .. tostring(why))
           note('until ' .. tostring(wait_until(function() return false end, 0.1)))
           note('joined ' .. tostring(task.join(t, 1)))
           emit('log', log)
         end",
    );
    let other = add_script(
        &mut app,
        "other.lua",
        "function on_event(self, name, who) end
         function main(self) end",
    );
    app.world_mut().spawn(Script::new(h));
    app.world_mut().spawn(Script::new(other));
    frames(&mut app, 10);
    assert!(errors(&app).is_empty(), "{:?}", errors(&app));
    let log = emitted(&app, "log");
    assert_eq!(log.len(), 1);
    let lines: Vec<&str> = log[0]
        .as_list()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(
        lines,
        vec![
            "main",
            "spawned x",
            "after spawn",
            "before wait",
            "cancelled, closed=true",
            "userdata opaque",
            "forged: bad argument #1 to 'cancel' (task expected, got number)",
            "deferred y",
            "spawned again",
            "timeout nil timeout",
            "until false",
            "delayed z at 4",
            "joined true",
        ]
    );
}

/// A task handle that reaches another script (through a module both require) cannot be
/// cancelled there.
#[test]
fn only_the_owning_script_cancels_a_task() {
    let mut app = app();
    let owner = add_script(
        &mut app,
        "owner.lua",
        "local box = require('lib.box')
         function main(self)
           box.handle = task.spawn(function() while true do wait_frames(1) end end)
           wait_frames(3)
           emit('owner_join', task.join(box.handle, 0))
         end",
    );
    let thief = add_script(
        &mut app,
        "thief.lua",
        "local box = require('lib.box')
         function main(self)
           wait_until(function() return box.handle ~= nil end)
           emit('thief', {pcall(task.cancel, box.handle)})
         end",
    );
    app.world_mut().spawn(Script::new(owner));
    app.world_mut().spawn(Script::new(thief));
    for _ in 0..300 {
        app.update();
        if !emitted(&app, "owner_join").is_empty() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let thief = emitted(&app, "thief");
    assert_eq!(thief.len(), 1, "{:?}", errors(&app));
    let list = thief[0].as_list().unwrap();
    assert_eq!(list[0], ScriptValue::Bool(false));
    assert!(
        list[1]
            .as_str()
            .unwrap()
            .contains("belongs to another script"),
        "{list:?}"
    );
    // Still running: joining with no time left times out.
    assert_eq!(emitted(&app, "owner_join"), vec![ScriptValue::Bool(false)]);
}

/// Rust calls any function a script defines, by name, with typed arguments and a typed result,
/// from an exclusive system's world or as a command; failures are `ScriptError`s naming the
/// script and line.
#[test]
fn rust_calls_script_functions_by_name() {
    let mut app = app();
    let h = add_script(
        &mut app,
        "callee.lua",
        "function on_spawn(self) self.hp = 10 end
         function take_damage(self, amount, kind)
           if kind == 'bad' then error('unknown kind') end
           self.hp = self.hp - amount
           return self.hp, kind .. '!'
         end
         function describe(self, t) return {sum = t[1] + t[2], me = self, name = t.name} end
         function on_custom(self, n) emit('custom', n) end",
    );
    let rules = add_script(
        &mut app,
        "rules.lua",
        "function on_spawn(self) self.score = 0 end
         function add_score(self, n) self.score = self.score + n return self.score end",
    );
    let e = app.world_mut().spawn(Script::new(h)).id();
    let w = app.world_mut().spawn(WorldScript::new(rules)).id();
    app.update();
    let world = app.world_mut();
    let (hp, tag): (i64, String) = world.call_script(e, "take_damage", (3, "fire")).unwrap();
    assert_eq!((hp, tag.as_str()), (7, "fire!"));
    let d: ScriptValue = world
        .call_script(
            e,
            "describe",
            ScriptValue::Map(vec![
                (1.into(), 2.into()),
                (2.into(), 5.into()),
                ("name".into(), "x".into()),
            ]),
        )
        .unwrap();
    assert_eq!(d.get("sum"), Some(&ScriptValue::Int(7)));
    assert_eq!(d.get("me"), Some(&ScriptValue::Entity(e)));
    assert_eq!(world.call_script::<i64>(w, "add_score", 5).unwrap(), 5);
    assert_eq!(world.call_script::<i64>(w, "add_score", 5).unwrap(), 10);
    let err = world
        .call_script::<i64>(e, "take_damage", (1, "bad"))
        .unwrap_err();
    assert_eq!(err.path, "callee.lua");
    assert!(
        err.message.starts_with("callee.lua:3: unknown kind"),
        "{}",
        err.message
    );
    assert_eq!(
        err.source_line.as_deref(),
        Some("if kind == 'bad' then error('unknown kind') end")
    );
    let err = world.call_script::<()>(e, "nope", ()).unwrap_err();
    assert!(
        err.message.contains("defines a function 'nope'"),
        "{}",
        err.message
    );
    let err = world.call_script::<i64>(e, "on_custom", 1).unwrap_err();
    assert!(
        err.message.contains("result of 'on_custom'"),
        "{}",
        err.message
    );
    // A command from an ordinary system triggers a callback the game chose the name of.
    app.add_systems(Update, move |mut commands: Commands| {
        commands.call_script(e, "on_custom", 41);
        commands.call_script(e, "missing_callback", ());
    });
    // What a call between frames emits goes out with the next frame's messages.
    app.update();
    app.update();
    assert_eq!(emitted(&app, "custom").first(), Some(&ScriptValue::Int(1)));
    assert!(emitted(&app, "custom").contains(&ScriptValue::Int(41)));
    assert_error(&app, "defines a function 'missing_callback'");
}

/// Editing a module reloads every script that requires it, through other modules too, keeping
/// `self`; a module that fails when it runs keeps the old code running and is reported with
/// its position.
#[test]
fn editing_a_module_reloads_its_dependents() {
    let mut app = app();
    let h = add_script(
        &mut app,
        "module_user.lua",
        "local wrapper = require('lib.wrapper')
         function on_spawn(self) self.frames = 0 end
         function on_update(self) self.frames = self.frames + 1 emit('value', {wrapper.get(), self.frames}) end
         function on_reload(self) emit('reloaded', self.frames) end",
    );
    app.world_mut().spawn(Script::new(h));
    let last = |app: &App| {
        emitted(app, "value")
            .last()
            .map(|v| v.as_list().unwrap()[0].as_i64().unwrap())
    };
    for _ in 0..300 {
        app.update();
        if last(&app).is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    assert_eq!(last(&app), Some(10), "{:?}", errors(&app));
    let id = app
        .world()
        .resource::<AssetServer>()
        .get_handle::<LuaScript>("lib/version.lua")
        .expect("the module loaded as an asset")
        .id();
    let edit = |app: &mut App, src: &str| {
        let script = LuaScript::from_source("lib/version.lua", src).unwrap();
        app.world_mut()
            .resource_mut::<Assets<LuaScript>>()
            .insert(id, script)
            .unwrap();
        frames(app, 2);
    };
    edit(&mut app, "return { value = 2 }");
    assert_eq!(last(&app), Some(20));
    let reloaded = emitted(&app, "reloaded");
    assert_eq!(reloaded.len(), 1);
    // `self` was kept: the frame count went on.
    assert!(reloaded[0].as_i64().unwrap() >= 2, "{reloaded:?}");
    edit(&mut app, "error('broken module')");
    assert_error(&app, "lib/version.lua:1: broken module");
    assert_eq!(last(&app), Some(20), "the old code keeps running");
    edit(&mut app, "return { value = 3 }");
    assert_eq!(last(&app), Some(30));
}

/// The plugin's components and settings are registered for reflection (scenes, inspectors).
#[test]
fn components_and_settings_are_reflected() {
    let app = app();
    let registry = app.world().resource::<AppTypeRegistry>().read();
    for name in ["Script", "WorldScript", "MoonpoolSettings", "ScriptValue"] {
        assert!(
            registry.get_with_short_type_path(name).is_some(),
            "{name} is not registered"
        );
    }
    let script = registry.get_with_short_type_path("Script").unwrap();
    assert!(script.data::<ReflectComponent>().is_some());
    let settings = registry
        .get_with_short_type_path("MoonpoolSettings")
        .unwrap();
    assert!(settings.data::<ReflectResource>().is_some());
}

/// Mouse buttons, cursor, wheel and gamepads by Bevy's names; an unknown name is an error
/// naming it.
#[test]
fn input_reads_mouse_cursor_wheel_and_gamepads() {
    use bevy::input::gamepad::{Gamepad, GamepadAxis, GamepadButton};
    use bevy::input::mouse::{AccumulatedMouseScroll, MouseButton};
    let mut app = app();
    let mut mouse = ButtonInput::<MouseButton>::default();
    mouse.press(MouseButton::Right);
    app.insert_resource(mouse);
    app.insert_resource(AccumulatedMouseScroll {
        delta: Vec2::new(0.0, -3.0),
        ..Default::default()
    });
    app.insert_resource(ScriptCursor {
        position: Some(Vec2::new(320.0, 200.0)),
        world: Some(Vec2::new(10.0, -4.0)),
    });
    let mut pad = Gamepad::default();
    pad.digital_mut().press(GamepadButton::South);
    pad.analog_mut().set(GamepadAxis::LeftStickX, 0.5);
    pad.analog_mut().set(GamepadButton::RightTrigger2, 0.25);
    app.world_mut().spawn(pad);
    let h = add_script(
        &mut app,
        "input.lua",
        "function on_update(self)
           local cx, cy = input.cursor()
           local wx, wy = input.cursor_world()
           local _, dy = input.wheel()
           emit('input', {input.mouse_pressed('Right'), input.mouse_pressed('Left'), cx, cy, wx, wy, dy,
             input.gamepads(), input.gamepad_pressed('South'), input.gamepad_pressed('East'),
             input.gamepad_axis('LeftStickX'), input.gamepad_axis('RightTrigger2'), input.gamepad_axis('LeftStickX', 2)})
           input.mouse_pressed('Thumb')
         end",
    );
    app.world_mut().spawn(Script::new(h));
    app.update();
    let got = emitted(&app, "input");
    let list = got[0].as_list().unwrap();
    let want = [
        ScriptValue::Bool(true),
        ScriptValue::Bool(false),
        ScriptValue::Number(320.0),
        ScriptValue::Number(200.0),
        ScriptValue::Number(10.0),
        ScriptValue::Number(-4.0),
        ScriptValue::Number(-3.0),
        ScriptValue::Int(1),
        ScriptValue::Bool(true),
        ScriptValue::Bool(false),
        ScriptValue::Number(0.5),
        ScriptValue::Number(0.25),
        ScriptValue::Number(0.0),
    ];
    assert_eq!(list, want);
    assert_error(
        &app,
        "input.lua:8: bad argument #1 to 'mouse_pressed' (unknown mouse button 'Thumb'",
    );
}

/// A world script hot-reloads like an entity script: `self` kept, tasks restarted,
/// `on_reload` run.
#[test]
fn a_world_script_reloads_keeping_its_state() {
    let mut app = app();
    let h = add_script(
        &mut app,
        "level.lua",
        "function on_spawn(self) self.turns = 0 end
         function on_update(self) self.turns = self.turns + 1 end
         function main(self) while true do wait_frames(1) emit('v1', self.turns) end end",
    );
    app.world_mut().spawn(WorldScript::new(h.clone()));
    frames(&mut app, 3);
    let script = LuaScript::from_source(
        "level.lua",
        "function on_update(self) self.turns = self.turns + 1 end
         function on_reload(self) emit('reloaded', self.turns) end
         function main(self) while true do wait_frames(1) emit('v2', self.turns) end end",
    )
    .unwrap();
    app.world_mut()
        .resource_mut::<Assets<LuaScript>>()
        .insert(h.id(), script)
        .unwrap();
    frames(&mut app, 3);
    assert!(errors(&app).is_empty(), "{:?}", errors(&app));
    let reloaded = emitted(&app, "reloaded");
    assert_eq!(reloaded.len(), 1);
    assert!(reloaded[0].as_i64().unwrap() >= 3, "{reloaded:?}");
    assert!(!emitted(&app, "v2").is_empty());
}

/// A `__close` handler of a task whose script stops runs as that script (its `emit` names the
/// entity), and a task it starts ends with the script instead of living on.
#[test]
fn a_task_started_while_its_script_stops_ends_with_it() {
    let mut app = app();
    let h = add_script(
        &mut app,
        "stopping.lua",
        "function main(self)
           local guard <close> = setmetatable({}, {__close = function()
             emit('closing', self)
             task.spawn(function() while true do wait_frames(1) emit('ghost', 1) end end)
           end})
           while true do wait_frames(1) end
         end",
    );
    let e = app.world_mut().spawn(Script::new(h)).id();
    frames(&mut app, 2);
    app.world_mut().despawn(e);
    frames(&mut app, 4);
    assert_eq!(emitted(&app, "closing"), vec![ScriptValue::Entity(e)]);
    assert!(emitted(&app, "ghost").is_empty());
    let rt = app.world().non_send::<ScriptRuntime>();
    assert_eq!((rt.report().entities, rt.report().live_tasks), (0, 0));
}

/// A script file saved with a UTF-8 byte order mark loads, with its line numbers right.
#[test]
fn a_script_file_with_a_byte_order_mark_loads() {
    let mut app = app();
    let h: Handle<LuaScript> = app.world().resource::<AssetServer>().load("with_bom.lua");
    app.world_mut().spawn(Script::new(h));
    for _ in 0..300 {
        app.update();
        if !emitted(&app, "bom_loaded").is_empty() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    assert_eq!(
        emitted(&app, "bom_loaded"),
        vec![ScriptValue::Int(2)],
        "{:?}",
        errors(&app)
    );
}
