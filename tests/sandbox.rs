//! The sandbox, the limits and faults under the plugin: nothing a script does may crash the
//! game, escape its environment, or lose the state of other scripts; every error is reported
//! with its position.

#![cfg(feature = "plugin")]

mod common;

use std::time::Duration;

use bevy::asset::Handle;
use bevy::prelude::*;
use common::{add_script, app, app_with, assert_error, emitted, errors};
use moonpool::plugin::{LuaScript, MoonpoolSettings, Script, ScriptValue};

fn spawn(app: &mut App, h: &Handle<LuaScript>) -> Entity {
    app.world_mut().spawn(Script::new(h.clone())).id()
}

/// A script that counts its frames in `self`: its state must survive the others' faults.
const COUNTER: &str = "function on_update(self) self.n = (self.n or 0) + 1 emit('n', self.n) end";

fn last_count(app: &App) -> i64 {
    match emitted(app, "n").last() {
        Some(ScriptValue::Int(n)) => *n,
        other => panic!("counter: {other:?}"),
    }
}

#[test]
fn a_script_that_replaces_library_functions_affects_only_itself() {
    let mut app = app();
    let vandal = add_script(
        &mut app,
        "vandal.lua",
        "string.format = function() return 'mine' end
         math = {}
         print = function() end
         table.insert = function() error('vandalised') end
         _G.tostring = function() return 'mine' end
         rawset(_G, 'pairs', function() error('vandalised') end)
         require('string').upper = function() return 'mine' end
         task.spawn = false
         vec3 = false
         load('ipairs = false')()
         local ok1 = pcall(function() package.loaded.string.lower = nil end)
         local ok2 = pcall(function() getmetatable('').__index.rep = nil end)
         local ok3 = pcall(setmetatable, _ENV, nil)
         local ok4 = pcall(function() getmetatable(_ENV).__index.select = nil end)
         function on_spawn(self)
           -- Its own view changed...
           emit('vandal', string.format() == 'mine' and math.floor == nil and tostring(1) == 'mine'
             and string.upper('a') == 'mine' and ipairs == false and task.spawn == false
             -- ...and it could not reach the shared tables.
             and not (ok1 or ok2 or ok3 or ok4))
         end",
    );
    let victim = add_script(
        &mut app,
        "victim.lua",
        "function on_spawn(self)
           local t = {}
           table.insert(t, 1)
           local n = 0
           for _ in pairs({1, 2}) do n = n + 1 end
           for _ in ipairs({1, 2}) do n = n + 1 end
           emit('victim', string.format('%d %s %s %d %s %s', math.floor(2.5), string.upper('a'),
             ('b'):rep(2), #t + n, tostring(task.spawn ~= nil), tostring(vec3(1, 2, 3).y)))
           emit('select', select('#', 1, 2))
           print('still here')
         end",
    );
    spawn(&mut app, &vandal);
    app.update();
    spawn(&mut app, &victim);
    app.update();
    assert_eq!(emitted(&app, "vandal"), vec![ScriptValue::Bool(true)]);
    assert_eq!(
        emitted(&app, "victim"),
        vec![ScriptValue::Str("2 A bb 5 true 2".into())]
    );
    assert_eq!(emitted(&app, "select"), vec![ScriptValue::Int(2)]);
    assert!(errors(&app).is_empty(), "{:#?}", errors(&app));
}

#[test]
fn game_scripts_get_no_files_processes_binary_chunks_or_registry() {
    let mut app = app();
    let h = add_script(
        &mut app,
        "probe.lua",
        "function on_spawn(self)
           emit('absent', io == nil and os.getenv == nil and os.execute == nil and os.exit == nil and os.remove == nil
             and os.rename == nil and os.tmpname == nil and dofile == nil and loadfile == nil
             and debug.getregistry == nil and debug.setmetatable == nil and debug.sethook == nil
             and debug.getupvalue == nil and string.dump == nil)
           local f, msg = load('\\27Lua binary')
           emit('binary', f == nil and msg:find('binary chunk') ~= nil)
           emit('present', type(os.time()) == 'number' and type(os.clock()) == 'number'
             and type(debug.traceback()) == 'string' and type(collectgarbage('count')) == 'number')
           local ok, err = pcall(collectgarbage, 'stop')
           emit('gc', not ok and err:find('not available') ~= nil)
         end",
    );
    spawn(&mut app, &h);
    app.update();
    for name in ["absent", "binary", "present", "gc"] {
        assert_eq!(
            emitted(&app, name),
            vec![ScriptValue::Bool(true)],
            "{name}: {:?}",
            errors(&app)
        );
    }
}

/// A binary chunk made outside the sandbox (where `string.dump` exists) is refused by every
/// `load` a game script can reach, and the script cannot dump its own functions either.
#[test]
fn game_scripts_cannot_load_dumped_chunks() {
    let mut vm = moonpool::vm::Vm::with_stdlib();
    let chunk: moonpool::vm::LuaString = vm
        .exec(
            "return string.dump(function() emit('ran', true) return 1 end)",
            "=dump",
        )
        .unwrap();
    assert!(chunk.as_bytes().starts_with(b"\x1bLua"));
    // The chunk as a Lua string literal.
    let literal: String = chunk.as_bytes().iter().map(|b| format!("\\{b}")).collect();
    let src = format!(
        "local BIN = \"{literal}\"
         function on_spawn(self)
           local refused = true
           local function refuses(f, msg)
             refused = refused and f == nil and type(msg) == 'string'
               and msg:find('binary chunk') ~= nil
           end
           refuses(load(BIN))
           refuses(load(BIN, 'bin', 'b'))
           refuses(load(BIN, 'bin', 'bt', {{}}))
           local pieces = {{BIN:sub(1, 5), BIN:sub(6)}}
           refuses(load(function() return table.remove(pieces, 1) end))
           -- The shared `load` behind the script's own one refuses too.
           refuses(package.loaded._G.load(BIN))
           load = nil
           refuses(load(BIN))
           emit('refused', refused)
           emit('no_dump', string.dump == nil and ('').dump == nil)
         end"
    );
    let mut app = app();
    let h = add_script(&mut app, "binary.lua", &src);
    spawn(&mut app, &h);
    app.update();
    for name in ["refused", "no_dump"] {
        assert_eq!(
            emitted(&app, name),
            vec![ScriptValue::Bool(true)],
            "{name}: {:?}",
            errors(&app)
        );
    }
    assert!(emitted(&app, "ran").is_empty());
}

#[test]
fn a_script_that_errors_every_frame_is_reported_each_frame_and_others_keep_state() {
    let mut app = app();
    let bad = add_script(
        &mut app,
        "bad.lua",
        "function on_update(self)\n  local x = nil + 1\nend",
    );
    let good = add_script(&mut app, "good.lua", COUNTER);
    spawn(&mut app, &bad);
    spawn(&mut app, &good);
    for _ in 0..5 {
        app.update();
    }
    let errs = errors(&app);
    assert_eq!(errs.len(), 5, "{errs:#?}");
    assert!(errs[0].starts_with("bad.lua:2: attempt to perform arithmetic on a nil value"));
    assert_eq!(last_count(&app), 5);
}

#[test]
fn a_script_that_allocates_until_its_limit_fails_alone() {
    // No time budget: on a slow or busy machine it could stop the loop before the memory
    // budget does, and this test is about the memory budget.
    let mut app = app_with(MoonpoolSettings {
        memory_per_task: 4 << 20,
        time_per_script: None,
        ..Default::default()
    });
    let hog = add_script(
        &mut app,
        "hog.lua",
        "function on_spawn(self) self.hoard = {} end
         function on_update(self)
           for i = 1, 1e9 do self.hoard[#self.hoard + 1] = {i, i, i} end
         end",
    );
    let good = add_script(&mut app, "good.lua", COUNTER);
    spawn(&mut app, &hog);
    spawn(&mut app, &good);
    for _ in 0..3 {
        app.update();
    }
    assert_error(&app, "hog.lua:3: not enough memory");
    assert_eq!(last_count(&app), 3);
}

#[test]
fn infinite_recursion_is_a_stack_overflow_in_that_script_only() {
    let mut app = app();
    let deep = add_script(
        &mut app,
        "deep.lua",
        "local function down(n) return down(n + 1) + 1 end
         function on_update(self) down(1) end",
    );
    let good = add_script(&mut app, "good.lua", COUNTER);
    spawn(&mut app, &deep);
    spawn(&mut app, &good);
    for _ in 0..3 {
        app.update();
    }
    assert_error(&app, "deep.lua:1: stack overflow");
    assert_eq!(last_count(&app), 3);
}

#[test]
fn runaway_callbacks_are_stopped_even_behind_pcall() {
    let mut app = app_with(MoonpoolSettings {
        fuel_per_task: 50_000,
        ..Default::default()
    });
    let spin = add_script(
        &mut app,
        "spin.lua",
        "function on_update(self)\n  while true do end\nend",
    );
    let sneaky = add_script(
        &mut app,
        "sneaky.lua",
        "function on_update(self)
           while true do pcall(function() while true do end end) end
         end",
    );
    let good = add_script(&mut app, "good.lua", COUNTER);
    spawn(&mut app, &spin);
    spawn(&mut app, &sneaky);
    spawn(&mut app, &good);
    for _ in 0..3 {
        app.update();
    }
    assert_error(&app, "spin.lua:2: instruction budget exhausted");
    assert_error(&app, "sneaky.lua");
    assert_eq!(last_count(&app), 3);
}

#[test]
fn huge_strings_and_tables_are_errors() {
    // Budgets large enough that the size limits, not fuel or time, stop these.
    let mut settings = MoonpoolSettings {
        memory_per_task: 1 << 30,
        fuel_per_task: 1 << 40,
        time_per_script: None,
        ..Default::default()
    };
    settings.limits.max_table_bytes = 1 << 20;
    let mut app = app_with(settings);
    let h = add_script(
        &mut app,
        "huge.lua",
        "function main(self)
           task.spawn(function() local s = ('x'):rep(1 << 30) end)
           task.spawn(function() local s = 'x' while true do s = s .. s end end)
           task.spawn(function() local t = {} for i = 1, 1e9 do t[i] = true end end)
         end",
    );
    let good = add_script(&mut app, "good.lua", COUNTER);
    spawn(&mut app, &h);
    spawn(&mut app, &good);
    for _ in 0..3 {
        app.update();
    }
    assert_error(&app, "huge.lua:2: string too large");
    assert_error(&app, "huge.lua:3: string too large");
    assert_error(&app, "huge.lua:4: table overflow");
    assert_eq!(last_count(&app), 3);
}

#[test]
fn a_require_cycle_is_an_error_not_a_hang() {
    let mut app = app();
    let handle: Handle<LuaScript> = app.world().resource::<AssetServer>().load("uses_cycle.lua");
    let good = add_script(&mut app, "good.lua", COUNTER);
    spawn(&mut app, &handle);
    spawn(&mut app, &good);
    for _ in 0..300 {
        app.update();
        if !errors(&app).is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    // Named with the line of the `require` that closes the cycle.
    assert_error(
        &app,
        "cycle_b.lua:1: require cycle: 'cycle_a' -> 'cycle_b' -> 'cycle_a'",
    );
    assert!(emitted(&app, "loaded").is_empty());
    let n = last_count(&app);
    app.update();
    assert_eq!(last_count(&app), n + 1);
}

#[test]
fn a_required_module_is_sandboxed_too() {
    let mut app = app();
    let user = add_script(
        &mut app,
        "user.lua",
        "local v = require('lib.vandal')
         function on_spawn(self) emit('loaded', v.loaded) end",
    );
    let victim = add_script(
        &mut app,
        "victim.lua",
        "function on_update(self) emit('victim', string.format('%d', 7) .. tostring(8)) end",
    );
    spawn(&mut app, &user);
    spawn(&mut app, &victim);
    for _ in 0..300 {
        app.update();
        if !emitted(&app, "loaded").is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    app.update();
    assert_eq!(emitted(&app, "loaded"), vec![ScriptValue::Bool(true)]);
    assert_eq!(
        emitted(&app, "victim").last(),
        Some(&ScriptValue::Str("78".into()))
    );
    assert!(errors(&app).is_empty(), "{:#?}", errors(&app));
}
