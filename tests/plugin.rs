//! The Bevy plugin under `MinimalPlugins` + `AssetPlugin` (no window), with a manual clock of
//! 0.1 s per frame.

#![cfg(feature = "plugin")]

mod common;

use std::time::Duration;

use bevy::asset::Handle;
use bevy::prelude::*;
use common::{Seen, add_script, app, app_with, emitted};
use moonpool::plugin::{
    Budget, LuaScript, MoonpoolSettings, RunawayPolicy, Script, ScriptMessage, ScriptRuntime,
    ScriptTarget, ScriptValue,
};

fn spawn_scripted(app: &mut App, handle: &Handle<LuaScript>) -> Entity {
    app.world_mut()
        .spawn((Transform::default(), Script::new(handle.clone())))
        .id()
}

fn number(v: &ScriptValue) -> f64 {
    match v {
        ScriptValue::Int(i) => *i as f64,
        ScriptValue::Number(f) => *f,
        other => panic!("not a number: {other:?}"),
    }
}

#[test]
fn on_update_moves_the_transform() {
    let mut app = app();
    let h = add_script(
        &mut app,
        "mover.lua",
        "function on_update(self, dt) self.transform.translation.x = self.transform.translation.x + 1 end",
    );
    let e = spawn_scripted(&mut app, &h);
    for _ in 0..3 {
        app.update();
    }
    let t = app.world().get::<Transform>(e).unwrap();
    assert_eq!(t.translation.x, 3.0);
}

/// A game's systems order themselves around the scripts with `MoonpoolSystems::Run`, in
/// whichever schedule the plugin was told to run scripts in.
#[test]
fn game_systems_order_around_scripts_in_the_chosen_schedule() {
    #[derive(Resource, Default)]
    struct SeenX {
        before: Vec<f32>,
        after: Vec<f32>,
    }
    fn before(q: Query<&Transform, With<Script>>, mut seen: ResMut<SeenX>) {
        seen.before.extend(q.iter().map(|t| t.translation.x));
    }
    fn after(q: Query<&Transform, With<Script>>, mut seen: ResMut<SeenX>) {
        seen.after.extend(q.iter().map(|t| t.translation.x));
    }
    use bevy::ecs::schedule::ScheduleLabel;
    for schedule in [Update.intern(), PostUpdate.intern()] {
        let mut app = App::new();
        app.add_plugins((
            MinimalPlugins,
            bevy::asset::AssetPlugin::default(),
            moonpool::prelude::MoonpoolPlugin::default().in_schedule(schedule),
        ))
        .init_resource::<SeenX>()
        .add_systems(
            schedule,
            (
                before.before(moonpool::prelude::MoonpoolSystems::Run),
                after.after(moonpool::prelude::MoonpoolSystems::Run),
            ),
        );
        let h = add_script(
            &mut app,
            "step.lua",
            "function on_update(self) self.transform.translation.x = self.transform.translation.x + 1 end",
        );
        spawn_scripted(&mut app, &h);
        for _ in 0..5 {
            app.update();
        }
        let seen = app.world().resource::<SeenX>();
        assert_eq!(seen.before.len(), 5, "{schedule:?}");
        // Each frame, the system after the scripts sees their move; the one before does not.
        let moved: Vec<f32> = seen
            .before
            .iter()
            .zip(&seen.after)
            .map(|(b, a)| a - b)
            .collect();
        assert!(
            moved.iter().all(|d| *d == 0.0 || *d == 1.0),
            "{schedule:?}: {moved:?}"
        );
        assert!(
            moved.iter().filter(|d| **d == 1.0).count() >= 4,
            "{schedule:?}: {moved:?}"
        );
        assert_eq!(
            seen.after.last(),
            Some(&(*seen.before.last().unwrap() + 1.0))
        );
    }
}

/// `on_fixed_update(self, dt)` runs once per fixed step with the fixed timestep, moves the
/// transform like `on_update` does, and its errors are reported like any script error.
#[test]
fn on_fixed_update_runs_each_fixed_step() {
    #[derive(Resource, Default)]
    struct FixedSteps(u32);
    let mut app = app();
    app.init_resource::<FixedSteps>().add_systems(
        FixedUpdate,
        (|mut steps: ResMut<FixedSteps>| steps.0 += 1)
            .after(moonpool::prelude::MoonpoolSystems::FixedRun),
    );
    let h = add_script(
        &mut app,
        "fixed.lua",
        "function on_fixed_update(self, dt)
           self.steps = (self.steps or 0) + 1
           self.transform.translation.x = self.transform.translation.x + dt
         end
         function on_update(self) self.frames = (self.frames or 0) + 1 end",
    );
    let bad = add_script(
        &mut app,
        "fixed_err.lua",
        "function on_fixed_update(self) error('bad step') end",
    );
    let e = spawn_scripted(&mut app, &h);
    spawn_scripted(&mut app, &bad);
    app.update(); // the scripts start (in `Update`, after this frame's fixed steps)
    let before = app.world().resource::<FixedSteps>().0;
    for _ in 0..10 {
        app.update();
    }
    let steps = app.world().resource::<FixedSteps>().0 - before;
    // One second of game time at the default 64 Hz.
    assert!((62..=66).contains(&steps), "{steps} fixed steps");
    let x = app.world().get::<Transform>(e).unwrap().translation.x;
    let mut rt = app.world_mut().non_send_mut::<ScriptRuntime>();
    let me = rt.entity_self(e).unwrap();
    assert_eq!(me.get::<_, u32>(rt.vm_mut(), "steps").unwrap(), steps);
    assert_eq!(me.get::<_, u32>(rt.vm_mut(), "frames").unwrap(), 11);
    assert!((x - steps as f32 / 64.0).abs() < 1e-4, "x = {x}");
    let errs = common::errors(&app);
    assert!(
        errs.iter().any(|m| m.contains("fixed_err.lua:1: bad step")),
        "{errs:?}"
    );
}

/// `input.pressed` knows every Bevy `KeyCode` name, and an unknown name is an error naming it.
#[test]
fn input_knows_every_key_code_and_refuses_unknown_names() {
    let mut app = app();
    let mut keys = ButtonInput::<KeyCode>::default();
    keys.press(KeyCode::Numpad7);
    keys.press(KeyCode::KeyQ);
    app.insert_resource(keys);
    let h = add_script(
        &mut app,
        "keys.lua",
        "function on_update(self)
           emit('keys', tostring(input.pressed('Numpad7')) .. ',' .. tostring(input.just_pressed('KeyQ'))
             .. ',' .. tostring(input.pressed('F12')) .. ',' .. tostring(input.pressed('MediaPlayPause')))
           input.pressed('Spacebar')
         end",
    );
    spawn_scripted(&mut app, &h);
    app.update();
    app.update();
    assert_eq!(
        emitted(&app, "keys").first(),
        Some(&ScriptValue::Str("true,true,false,false".into()))
    );
    let errs = common::errors(&app);
    assert!(
        errs.iter()
            .any(|m| m.contains("keys.lua:4: bad argument #1 to 'pressed' (unknown key 'Spacebar'")),
        "{errs:?}"
    );
}

/// Games reach script state between frames through the VM's safe API; swapping the VM itself
/// (whose heap the runtime caches pointers into) stops the next frame instead of reading freed
/// memory.
#[test]
fn the_runtime_vm_is_usable_between_frames_but_cannot_be_swapped() {
    let mut app = app();
    let h = add_script(
        &mut app,
        "counter.lua",
        "function on_update(self) self.n = (self.n or 0) + 1 end",
    );
    let e = spawn_scripted(&mut app, &h);
    for _ in 0..3 {
        app.update();
    }
    let me = {
        let mut rt = app.world_mut().non_send_mut::<ScriptRuntime>();
        let me = rt.entity_self(e).expect("a self table");
        let n: i64 = me.get(rt.vm_mut(), "n").unwrap();
        assert_eq!(n, 3);
        me.set(rt.vm_mut(), "n", 100).unwrap();
        rt.vm_mut().collect_garbage();
        me
    };
    app.update();
    {
        let mut rt = app.world_mut().non_send_mut::<ScriptRuntime>();
        assert_eq!(me.get::<_, i64>(rt.vm_mut(), "n").unwrap(), 101);
        *rt.vm_mut() = moonpool::vm::Vm::with_stdlib();
        // The old handle is refused by the new VM, and the frame refuses the new VM.
        let e = me.get::<_, i64>(rt.vm_mut(), "n").unwrap_err();
        assert_eq!(e.kind(), moonpool::vm::ErrorKind::WrongVm);
    }
    let frame = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| app.update()));
    assert!(frame.is_err(), "a frame ran on a swapped VM");
}

/// Only the parts of `self.transform` a script wrote are read back each frame: writes to one
/// part on some frames, a replaced part, and the host's own edits in between all arrive.
#[test]
fn transform_parts_written_on_some_frames_all_arrive() {
    let mut app = app();
    let h = add_script(
        &mut app,
        "parts.lua",
        "local frame = 0
         function on_update(self, dt)
           frame = frame + 1
           local t = self.transform
           if frame == 2 then t.scale.x = 2 end
           if frame == 3 then t.rotation.z = 0.6; t.rotation.w = 0.8 end
           if frame == 5 then t.translation = { x = 7, y = 8, z = 9 } end
           if frame == 6 then t.translation.y = t.translation.y + 1 end
         end",
    );
    let e = spawn_scripted(&mut app, &h);
    let get = |app: &App| *app.world().get::<Transform>(e).unwrap();
    app.update(); // frame 1: nothing written
    assert_eq!(get(&app), Transform::default());
    app.update();
    assert_eq!(get(&app).scale, Vec3::new(2.0, 1.0, 1.0));
    app.update();
    assert_eq!(get(&app).rotation, Quat::from_xyzw(0.0, 0.0, 0.6, 0.8));
    // The host moves the entity between frames 3 and 4; the script sees it, keeps its scale.
    app.world_mut()
        .get_mut::<Transform>(e)
        .unwrap()
        .translation
        .x = 5.0;
    app.update();
    assert_eq!(get(&app).translation, Vec3::new(5.0, 0.0, 0.0));
    assert_eq!(get(&app).scale, Vec3::new(2.0, 1.0, 1.0));
    app.update();
    assert_eq!(get(&app).translation, Vec3::new(7.0, 8.0, 9.0));
    app.update();
    assert_eq!(get(&app).translation, Vec3::new(7.0, 9.0, 9.0));
    assert_eq!(get(&app).rotation, Quat::from_xyzw(0.0, 0.0, 0.6, 0.8));
}

#[test]
fn wait_resumes_on_the_first_frame_past_its_deadline() {
    let mut app = app();
    let h = add_script(
        &mut app,
        "waiter.lua",
        "function main(self)
           emit('start', time.elapsed)
           local waited = wait(0.5)
           emit('resumed', time.elapsed)
           emit('waited', waited)
         end",
    );
    spawn_scripted(&mut app, &h);
    for _ in 0..12 {
        app.update();
    }
    let start = number(&emitted(&app, "start")[0]);
    let resumed = number(&emitted(&app, "resumed")[0]);
    let waited = number(&emitted(&app, "waited")[0]);
    assert!(
        resumed - start >= 0.5 - 1e-9,
        "resumed too early: {start} -> {resumed}"
    );
    assert!(
        resumed - start < 0.6 - 1e-9,
        "resumed a frame late: {start} -> {resumed}"
    );
    assert!((waited - (resumed - start)).abs() < 1e-9);
}

#[test]
fn wait_frames_and_wait_until() {
    let mut app = app();
    let h = add_script(
        &mut app,
        "frames.lua",
        "function main(self)
           local f0 = time.frame
           wait_frames(3)
           emit('frames', time.frame - f0)
           local f1 = time.frame
           wait_until(function() return time.frame >= f1 + 2 end)
           emit('until', time.frame - f1)
         end",
    );
    spawn_scripted(&mut app, &h);
    for _ in 0..10 {
        app.update();
    }
    assert_eq!(emitted(&app, "frames"), vec![ScriptValue::Int(3)]);
    assert_eq!(emitted(&app, "until"), vec![ScriptValue::Int(2)]);
}

#[test]
fn despawn_cancels_tasks_and_closes_their_variables() {
    let mut app = app();
    let h = add_script(
        &mut app,
        "closer.lua",
        "function main(self)
           local guard <close> = setmetatable({}, {__close = function() emit('closed', 1) end})
           while true do wait_frames(1) end
         end
         function on_despawn(self) emit('despawned', true) end",
    );
    let e = spawn_scripted(&mut app, &h);
    for _ in 0..3 {
        app.update();
    }
    app.world_mut().despawn(e);
    app.update();
    assert_eq!(emitted(&app, "closed"), vec![ScriptValue::Int(1)]);
    assert_eq!(emitted(&app, "despawned"), vec![ScriptValue::Bool(true)]);
}

#[test]
fn runaway_task_is_stopped_and_others_keep_running() {
    let mut app = app_with(MoonpoolSettings {
        fuel_per_task: 10_000,
        runaway: RunawayPolicy::Kill,
        ..Default::default()
    });
    let bad = add_script(
        &mut app,
        "runaway.lua",
        "function main(self) while true do end end",
    );
    let good = add_script(
        &mut app,
        "steady.lua",
        "function on_update(self) self.transform.translation.y = self.transform.translation.y + 1 end",
    );
    spawn_scripted(&mut app, &bad);
    let e = spawn_scripted(&mut app, &good);
    for _ in 0..5 {
        app.update();
    }
    let errors = &app.world().resource::<Seen>().errors;
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains("instruction budget"), "{}", errors[0]);
    assert_eq!(
        app.world().resource::<Seen>().budgets,
        vec![Some(Budget::Instructions)]
    );
    assert_eq!(app.world().get::<Transform>(e).unwrap().translation.y, 5.0);
}

#[test]
fn task_errors_end_only_that_task_with_a_traceback() {
    let mut app = app();
    let h = add_script(
        &mut app,
        "faulty.lua",
        "function main(self)
           task.spawn(function() wait_frames(1) local x = nil; return x.field end)
           for i = 1, 4 do wait_frames(1) emit('tick', i) end
         end",
    );
    spawn_scripted(&mut app, &h);
    for _ in 0..6 {
        app.update();
    }
    let errors = &app.world().resource::<Seen>().errors;
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains("faulty.lua:2:"), "{}", errors[0]);
    assert!(errors[0].contains("stack traceback"), "{}", errors[0]);
    assert_eq!(
        app.world().resource::<Seen>().error_lines[0].as_deref(),
        Some("task.spawn(function() wait_frames(1) local x = nil; return x.field end)")
    );
    assert_eq!(emitted(&app, "tick").len(), 4);
}

#[test]
fn task_spawn_cancel_and_join() {
    let mut app = app();
    let h = add_script(
        &mut app,
        "tasks.lua",
        "function main(self)
           local worker = task.spawn(function(n) for i = 1, n do wait_frames(1) end emit('worker_done', n) end, 3)
           local forever = task.spawn(function() while true do wait_frames(1) end end)
           task.join(worker)
           emit('joined', time.frame)
           task.cancel(forever)
           emit('cancelled', true)
         end",
    );
    spawn_scripted(&mut app, &h);
    for _ in 0..8 {
        app.update();
    }
    assert_eq!(emitted(&app, "worker_done"), vec![ScriptValue::Int(3)]);
    assert_eq!(emitted(&app, "joined").len(), 1);
    assert_eq!(emitted(&app, "cancelled"), vec![ScriptValue::Bool(true)]);
}

#[test]
fn messages_both_ways() {
    let mut app = app();
    let h = add_script(
        &mut app,
        "pinger.lua",
        "function on_event(self, name, payload) if name == 'ping' then emit('pong', payload * 2) end end
         function main(self) local p = wait_event('go') emit('went', p) end",
    );
    spawn_scripted(&mut app, &h);
    app.update();
    app.world_mut()
        .write_message(ScriptMessage::new(ScriptTarget::All, "ping", 21));
    app.update();
    app.world_mut()
        .write_message(ScriptMessage::new(ScriptTarget::All, "go", "now"));
    app.update();
    assert_eq!(emitted(&app, "pong"), vec![ScriptValue::Int(42)]);
    assert_eq!(emitted(&app, "went"), vec![ScriptValue::Str("now".into())]);
}

#[test]
fn hot_reload_keeps_self_and_runs_on_reload() {
    let mut app = app();
    let h = add_script(
        &mut app,
        "counter.lua",
        "function on_spawn(self) self.count = 0 end
         function on_update(self) self.count = self.count + 1 end",
    );
    spawn_scripted(&mut app, &h);
    for _ in 0..3 {
        app.update();
    }
    let v2 = LuaScript::from_source(
        "counter.lua",
        "function on_update(self) self.count = self.count + 10 emit('count', self.count) end
         function on_reload(self) emit('reloaded', self.count) end",
    )
    .unwrap();
    *app.world_mut()
        .resource_mut::<Assets<LuaScript>>()
        .get_mut(&h)
        .unwrap() = v2;
    for _ in 0..4 {
        app.update();
    }
    let reloaded = emitted(&app, "reloaded");
    assert_eq!(reloaded.len(), 1);
    // The change is picked up within a frame (the asset event arrives after this frame's
    // scripts ran), and `self.count` carries over.
    let at_reload = number(&reloaded[0]);
    assert!(at_reload == 3.0 || at_reload == 4.0, "{at_reload}");
    let counts: Vec<f64> = emitted(&app, "count").iter().map(number).collect();
    assert_eq!(
        counts[0],
        at_reload + 10.0,
        "new code runs on the kept state"
    );
}

#[test]
fn a_broken_reload_keeps_the_old_code() {
    // The loader refuses a file that does not compile, with its position.
    let err = LuaScript::from_source(
        "broken.lua",
        "function on_update(self)\n  self.x = = 1\nend",
    )
    .unwrap_err();
    assert_eq!(err.line, 2);
    assert!(err.to_string().starts_with("broken.lua:2:"), "{err}");
}

#[test]
fn scripts_spawn_and_despawn_entities() {
    let mut app = app();
    let h = add_script(
        &mut app,
        "spawner.lua",
        "function main(self)
           local child = spawn('child.lua', {Transform = {translation = vec3(4, 5, 6)}}, {hp = 7})
           emit('spawned', child)
           emit('has_transform', child:has('Transform'))
           local plain = spawn(nil, {Transform = {scale = vec3(2, 2, 2)}})
           emit('plain', plain)
           emit('unknown', select(2, pcall(spawn, nil, {Speed = 3})))
           wait_frames(1)
           self:despawn()
         end",
    );
    let e = spawn_scripted(&mut app, &h);
    for _ in 0..20 {
        app.update();
        if !emitted(&app, "child_spawned").is_empty() && app.world().get_entity(e).is_err() {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(emitted(&app, "child_spawned"), vec![ScriptValue::Int(7)]);
    // `spawn` returns the entity at once, with its components applied.
    let ScriptValue::Entity(child) = emitted(&app, "spawned")[0] else {
        panic!("spawn returned {:?}", emitted(&app, "spawned"));
    };
    assert_eq!(
        emitted(&app, "has_transform"),
        vec![ScriptValue::Bool(true)]
    );
    let t = app.world().get::<Transform>(child).unwrap();
    assert_eq!(t.translation, Vec3::new(4.0, 5.0, 6.0));
    assert!(app.world().get::<Script>(child).is_some());
    let ScriptValue::Entity(plain) = emitted(&app, "plain")[0] else {
        panic!("spawn returned {:?}", emitted(&app, "plain"));
    };
    assert_eq!(
        app.world().get::<Transform>(plain).unwrap().scale,
        Vec3::splat(2.0)
    );
    assert!(app.world().get::<Script>(plain).is_none());
    let unknown = emitted(&app, "unknown");
    assert!(
        unknown[0]
            .as_str()
            .unwrap()
            .contains("unknown type 'Speed'"),
        "{unknown:?}"
    );
    assert!(
        app.world().get_entity(e).is_err(),
        "the spawner despawned itself"
    );
}

#[test]
fn a_broken_file_on_reload_is_reported_and_the_old_code_keeps_running() {
    let path = "tests/scripts/generated_reload.lua";
    std::fs::write(
        path,
        "function on_update(self) self.transform.translation.x = self.transform.translation.x + 1 end",
    )
    .unwrap();
    let mut app = app();
    let handle: Handle<LuaScript> = app
        .world()
        .resource::<AssetServer>()
        .load("generated_reload.lua");
    let e = spawn_scripted(&mut app, &handle);
    let x = |app: &App| app.world().get::<Transform>(e).unwrap().translation.x;
    for _ in 0..200 {
        app.update();
        if x(&app) >= 2.0 {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(x(&app) >= 2.0, "the script runs");
    std::fs::write(path, "function on_update(self)\n  self.x = = 1\nend").unwrap();
    app.world()
        .resource::<AssetServer>()
        .reload("generated_reload.lua");
    for _ in 0..200 {
        app.update();
        if !app.world().resource::<Seen>().errors.is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let _ = std::fs::remove_file(path);
    let errors = app.world().resource::<Seen>().errors.clone();
    assert!(!errors.is_empty());
    assert_eq!(
        errors[0],
        "generated_reload.lua:2:12: unexpected symbol near '='"
    );
    assert_eq!(
        app.world().resource::<Seen>().error_lines[0].as_deref(),
        Some("self.x = = 1"),
        "the loader sent the broken line across"
    );
    let before = x(&app);
    app.update();
    assert_eq!(x(&app), before + 1.0, "the old code keeps running");
}

/// A real edit on disk, picked up by Bevy's file watcher (`--features file_watcher`).
#[cfg(feature = "file_watcher")]
#[test]
fn file_watcher_picks_up_an_edit_and_keeps_self() {
    let path = "tests/scripts/generated_watch.lua";
    std::fs::write(
        path,
        "function on_spawn(self) self.n = 0 end
         function on_update(self) self.n = self.n + 1 end",
    )
    .unwrap();
    let mut app = app();
    let handle: Handle<LuaScript> = app
        .world()
        .resource::<AssetServer>()
        .load("generated_watch.lua");
    spawn_scripted(&mut app, &handle);
    for _ in 0..20 {
        app.update();
        std::thread::sleep(Duration::from_millis(10));
    }
    std::fs::write(
        path,
        "function on_update(self) self.n = self.n + 1 end
         function on_reload(self) emit('watched', self.n) end",
    )
    .unwrap();
    for _ in 0..500 {
        app.update();
        if !emitted(&app, "watched").is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let _ = std::fs::remove_file(path);
    let seen = emitted(&app, "watched");
    assert_eq!(seen.len(), 1, "the edit was not picked up");
    assert!(
        number(&seen[0]) >= 20.0,
        "self.n survived the reload: {:?}",
        seen[0]
    );
}

#[test]
fn require_resolves_modules_through_the_asset_system() {
    let mut app = app();
    let handle: Handle<LuaScript> = app
        .world()
        .resource::<AssetServer>()
        .load("uses_module.lua");
    spawn_scripted(&mut app, &handle);
    for _ in 0..300 {
        app.update();
        if !emitted(&app, "greeting").is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(
        emitted(&app, "greeting"),
        vec![ScriptValue::Str("hello, moon".into())]
    );
    assert!(app.world().resource::<Seen>().errors.is_empty());
}

/// The reports the overlay shows: per-frame VM counters equal the VM's own snapshot difference,
/// and each script's row counts its entities, tasks, instructions and objects.
#[test]
fn frame_and_script_reports_match_the_vm() {
    let mut app = app();
    let busy = add_script(
        &mut app,
        "busy.lua",
        "function on_update(self, dt) self.t = {dt} end
         function main(self) while true do wait_frames(1) end end",
    );
    let idle = add_script(&mut app, "idle.lua", "function on_spawn(self) end");
    for _ in 0..3 {
        spawn_scripted(&mut app, &busy);
    }
    spawn_scripted(&mut app, &idle);
    for _ in 0..5 {
        app.update();
    }
    app.world_mut()
        .non_send_mut::<ScriptRuntime>()
        .set_profile(true);
    let before = app.world().non_send::<ScriptRuntime>().vm().stats();
    app.update();
    let rt = app.world().non_send::<ScriptRuntime>();
    let counted = rt.vm().stats().delta(&before);
    let r = rt.report();
    assert_eq!(r.frame, rt.frame());
    assert_eq!(r.vm.instructions, counted.instructions);
    assert_eq!(r.vm.tables_allocated, counted.tables_allocated);
    assert_eq!(r.vm.calls, counted.calls);
    assert_eq!(r.vm.tables_allocated, 3, "one table per busy entity");
    assert_eq!((r.entities, r.live_tasks), (4, 3));
    let row = |h: &Handle<LuaScript>| rt.script_report(h.id()).unwrap().clone();
    let (b, i) = (row(&busy), row(&idle));
    assert_eq!((b.entities, b.tasks, b.allocations), (3, 3, 3));
    assert_eq!(
        (i.entities, i.tasks, i.instructions, i.allocations),
        (1, 0, 0, 0)
    );
    assert!(b.instructions > 0 && b.instructions <= r.vm.instructions);
    assert!(b.time > Duration::ZERO, "timed while profiling");
}

/// `self.transform` round trips: fields a script writes reach the component (rotation and scale
/// too), a Rust change reaches the script, and a vector table two entities share is followed by
/// both (skipping unwritten tables must not miss writes made through another entity).
#[test]
fn transform_sync_sees_every_write() {
    let mut app = app();
    // Scripts share tables through a module (each script's globals are its own).
    let _shared = add_script(&mut app, "shared.lua", "return {}");
    // Two frames (time.frame keeps its parity) for the module asset to be announced.
    app.update();
    app.update();
    let owner = add_script(
        &mut app,
        "owner.lua",
        "local shared = require('shared')
         function on_spawn(self) shared.t = self.transform.translation end
         function on_update(self, dt)
           if time.frame % 2 == 0 then
             self.transform.translation.x = self.transform.translation.x + 1
             self.transform.scale.y = self.transform.scale.y * 2
           end
           self.seen_rot = self.transform.rotation.w
         end",
    );
    let borrower = add_script(
        &mut app,
        "borrower.lua",
        "local shared = require('shared')
         function on_update(self, dt)
           self.transform.translation = shared.t
           shared.t.y = shared.t.y + 1
         end",
    );
    let a = spawn_scripted(&mut app, &owner);
    app.update();
    let b = spawn_scripted(&mut app, &borrower);
    for _ in 0..4 {
        app.update();
    }
    // Frames 1-5: the owner moved x on frames 2 and 4; the borrower (which runs after it) moved
    // y on frames 2-5. On frame 5 the owner did not write, yet it must see the borrower's
    // frame-4 write (y = 3); its frame-5 write lands after the owner's sync.
    let ta = *app.world().get::<Transform>(a).unwrap();
    let tb = *app.world().get::<Transform>(b).unwrap();
    assert_eq!(
        tb.translation,
        Vec3::new(2.0, 4.0, 0.0),
        "the borrower follows the table"
    );
    assert_eq!(
        ta.translation,
        Vec3::new(2.0, 3.0, 0.0),
        "the owner sees others' writes"
    );
    assert_eq!(ta.scale.y, 4.0, "scale doubled on frames 2 and 4");
    // A Rust system turns the entity: the script reads the new rotation.
    let turned = Quat::from_rotation_z(1.0);
    app.world_mut().get_mut::<Transform>(a).unwrap().rotation = turned;
    app.update();
    let t = *app.world().get::<Transform>(a).unwrap();
    assert_eq!(t.rotation, turned);
    assert_eq!(t.translation.x, 3.0);
    let mut rt = app.world_mut().non_send_mut::<ScriptRuntime>();
    let me = rt.entity_self(a).expect("self is a table");
    let seen: f64 = me.get(rt.vm_mut(), "seen_rot").unwrap();
    assert_eq!(seen, turned.w as f64);
}
