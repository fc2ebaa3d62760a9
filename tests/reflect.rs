//! Scripts reaching components and resources through `bevy_reflect`, typed user functions, and
//! the LuaLS stub generator (MinimalPlugins + AssetPlugin, a manual clock of 0.1 s per frame).

#![cfg(feature = "plugin")]

mod common;

use bevy::prelude::*;
use common::{add_script, emitted, errors};
use moonpool::plugin::{LuaValue, Script, ScriptFunctionsExt, ScriptRuntime, ScriptValue};
use moonpool::vm::CountingAllocator;

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

#[derive(Component, Reflect, Default, Debug, PartialEq)]
#[reflect(Component, Default)]
struct Health {
    current: f32,
    max: f32,
}

#[derive(Reflect, Default, Debug, PartialEq)]
enum Kind {
    #[default]
    Grunt,
    Boss,
    Ranged {
        range: f32,
    },
}

#[derive(Reflect, Default, Debug, PartialEq)]
struct Stats {
    speed: f32,
    level: i32,
}

#[derive(Component, Reflect, Default, Debug, PartialEq)]
#[reflect(Component, Default)]
struct Enemy {
    kind: Kind,
    loot: Vec<u32>,
    target: Option<Vec3>,
    name: String,
    stats: Stats,
    alert: bool,
}

#[derive(Component, Reflect, Debug, PartialEq)]
#[reflect(Component)]
struct Stunned {
    secs: f32,
}

#[derive(Resource, Reflect, Default, Debug)]
#[reflect(Resource, Default)]
struct Score {
    value: i64,
}

/// The shared test app, with this file's types registered.
fn app() -> App {
    let mut app = common::app();
    app.register_type::<Health>()
        .register_type::<Enemy>()
        .register_type::<Stunned>()
        .register_type::<Score>()
        .init_resource::<Score>();
    app
}

#[test]
fn components_read_and_write_in_place() {
    let mut app = app();
    let h = add_script(
        &mut app,
        "health.lua",
        "function on_update(self, dt)
           local h = self:get('Health')
           h.current = h.current - 1
           emit('hp', h.current)
           emit('max', self:get('Health').max)
           emit('missing', self:get('Stunned') == nil)
         end",
    );
    let e = app
        .world_mut()
        .spawn((
            Health {
                current: 10.0,
                max: 10.0,
            },
            Script::new(h),
        ))
        .id();
    for _ in 0..3 {
        app.update();
    }
    assert_eq!(app.world().get::<Health>(e).unwrap().current, 7.0);
    assert_eq!(
        emitted(&app, "hp"),
        vec![
            ScriptValue::Number(9.0),
            ScriptValue::Number(8.0),
            ScriptValue::Number(7.0)
        ]
    );
    assert_eq!(emitted(&app, "max")[0], ScriptValue::Number(10.0));
    assert_eq!(emitted(&app, "missing")[0], ScriptValue::Bool(true));
    assert!(errors(&app).is_empty(), "{:?}", errors(&app));
}

#[test]
fn nested_structs_lists_options_enums_and_vectors() {
    let mut app = app();
    let h = add_script(
        &mut app,
        "enemy.lua",
        "function on_spawn(self)
           local e = self:get('Enemy')
           emit('kind', e.kind)
           emit('speed', e.stats.speed)
           e.stats.level = e.stats.level + 1
           emit('n', #e.loot)
           emit('second', e.loot[2])
           e.loot[2] = 20
           e.loot[#e.loot + 1] = 7
           emit('target_nil', e.target == nil)
           e.target = vec3(1, 2, 3)
           emit('target_y', e.target.y)
           e.target.z = 30
           emit('name', e.name)
           e.name = 'bob'
           e.alert = true
           e.kind = 'Boss'
           emit('kind2', e.kind)
           local total = 0
           for i, v in ipairs(e.loot) do total = total + v end
           emit('total', total)
           local fields = {}
           for k in pairs(e.stats) do fields[#fields + 1] = k end
           emit('fields', table.concat(fields, ','))
           local t = self:get('Transform')
           emit('w', t.rotation.w)
           local moved = t.translation + vec3(1, 0, 0)
           emit('moved', moved.x)
           emit('len', t.scale:length())
         end
         function main(self)
           wait_frames(1)
           self:get('Enemy').kind = {variant = 'Ranged', range = 5}
           emit('range', self:get('Enemy').kind.range)
           self:get('Enemy').target = nil
         end",
    );
    let e = app
        .world_mut()
        .spawn((
            Transform::from_xyz(4.0, 0.0, 0.0),
            Enemy {
                loot: vec![1, 2, 3],
                name: "grunt".into(),
                stats: Stats {
                    speed: 2.5,
                    level: 1,
                },
                ..Default::default()
            },
            Script::new(h),
        ))
        .id();
    app.update();
    {
        let enemy = app.world().get::<Enemy>(e).unwrap();
        assert_eq!(enemy.loot, vec![1, 20, 3, 7]);
        assert_eq!(enemy.target, Some(Vec3::new(1.0, 2.0, 30.0)));
        assert_eq!(enemy.name, "bob");
        assert!(enemy.alert);
        assert_eq!(enemy.kind, Kind::Boss);
        assert_eq!(enemy.stats.level, 2);
    }
    for _ in 0..3 {
        app.update();
    }
    let enemy = app.world().get::<Enemy>(e).unwrap();
    assert_eq!(enemy.kind, Kind::Ranged { range: 5.0 });
    assert_eq!(enemy.target, None);
    assert!(errors(&app).is_empty(), "{:?}", errors(&app));
    let one = |name: &str| emitted(&app, name).first().cloned();
    assert_eq!(one("kind"), Some(ScriptValue::Str("Grunt".into())));
    assert_eq!(one("speed"), Some(ScriptValue::Number(2.5)));
    assert_eq!(one("n"), Some(ScriptValue::Int(3)));
    assert_eq!(one("second"), Some(ScriptValue::Int(2)));
    assert_eq!(one("target_nil"), Some(ScriptValue::Bool(true)));
    assert_eq!(one("target_y"), Some(ScriptValue::Number(2.0)));
    assert_eq!(one("name"), Some(ScriptValue::Str("grunt".into())));
    assert_eq!(one("kind2"), Some(ScriptValue::Str("Boss".into())));
    assert_eq!(one("total"), Some(ScriptValue::Int(31)));
    assert_eq!(one("fields"), Some(ScriptValue::Str("speed,level".into())));
    assert_eq!(one("w"), Some(ScriptValue::Number(1.0)));
    assert_eq!(one("moved"), Some(ScriptValue::Number(5.0)));
    assert_eq!(one("range"), Some(ScriptValue::Number(5.0)));
    let len = match one("len") {
        Some(ScriptValue::Number(l)) => l,
        other => panic!("len: {other:?}"),
    };
    assert!((len - 3f64.sqrt()).abs() < 1e-6);
    assert!(errors(&app).is_empty(), "{:?}", errors(&app));
}

#[test]
fn resources_insert_remove_and_queries() {
    let mut app = app();
    let h = add_script(
        &mut app,
        "director.lua",
        "function main(self)
           local score = world.resource('Score')
           score.value = score.value + 10
           local n = 0
           for e, h in world.query('Health', 'Enemy') do
             n = n + 1
             h.current = 0
             e:insert('Stunned', {secs = 2})
           end
           emit('matched', n)
           wait_frames(1)
           local stunned = 0
           for e, s in world.query('Stunned') do
             stunned = stunned + 1
             emit('secs', s.secs)
             e:remove('Stunned')
           end
           emit('stunned', stunned)
           emit('has', self:has('Health'))
         end",
    );
    let mut with_both = Vec::new();
    for i in 0..3 {
        let e = app
            .world_mut()
            .spawn((
                Health {
                    current: 5.0,
                    max: 5.0,
                },
                Enemy {
                    loot: vec![i],
                    ..Default::default()
                },
            ))
            .id();
        with_both.push(e);
    }
    let only_health = app
        .world_mut()
        .spawn(Health {
            current: 5.0,
            max: 5.0,
        })
        .id();
    app.world_mut().spawn(Script::new(h));
    app.update();
    assert_eq!(app.world().resource::<Score>().value, 10);
    assert_eq!(emitted(&app, "matched"), vec![ScriptValue::Int(3)]);
    for &e in &with_both {
        assert_eq!(app.world().get::<Health>(e).unwrap().current, 0.0);
        assert_eq!(app.world().get::<Stunned>(e), Some(&Stunned { secs: 2.0 }));
    }
    assert_eq!(app.world().get::<Health>(only_health).unwrap().current, 5.0);
    assert!(app.world().get::<Stunned>(only_health).is_none());
    app.update();
    assert_eq!(emitted(&app, "stunned"), vec![ScriptValue::Int(3)]);
    assert_eq!(emitted(&app, "secs")[0], ScriptValue::Number(2.0));
    assert_eq!(emitted(&app, "has"), vec![ScriptValue::Bool(false)]);
    for &e in &with_both {
        assert!(app.world().get::<Stunned>(e).is_none());
    }
    assert!(errors(&app).is_empty(), "{:?}", errors(&app));
}

/// Each case runs in its own task, so each error is reported on its own.
#[test]
fn unknown_types_and_fields_are_lua_errors_naming_them() {
    let mut app = app();
    let h = add_script(
        &mut app,
        "bad.lua",
        "function main(self)
           task.spawn(function() self:get('Nope') end)
           task.spawn(function() local x = self:get('Health').nope end)
           task.spawn(function() self:get('Health').current = 'lots' end)
           task.spawn(function() self:get('Health').max = nil end)
           task.spawn(function() self:insert('Stunned', {}) end)
           task.spawn(function() world.resource('Health') end)
           task.spawn(function() self:get('Enemy').kind = 'Dragon' end)
           task.spawn(function() self:get('Enemy').loot[9] = 1 end)
           task.spawn(function() self:get('Enemy').stats.level = 1.5 end)
         end",
    );
    let e = app
        .world_mut()
        .spawn((
            Health {
                current: 1.0,
                max: 1.0,
            },
            Enemy::default(),
            Script::new(h),
        ))
        .id();
    app.update();
    app.update();
    let errs = errors(&app);
    let expect = [
        "bad.lua:2: unknown type 'Nope'",
        "bad.lua:3: Health has no field 'nope'",
        "bad.lua:4: field 'current': number expected, got string",
        "bad.lua:5: field 'max': number expected, got nil",
        "bad.lua:6: insert Stunned: the table does not make a whole Stunned",
        "bad.lua:7: 'Health' is not a resource",
        "bad.lua:8: field 'kind': Kind has no variant 'Dragon'",
        "bad.lua:9: Vec<u32> has no field 9",
        "bad.lua:10: field 'level': number has no integer representation",
    ];
    for want in expect {
        assert!(
            errs.iter().any(|e| e.contains(want)),
            "no error containing {want:?} in {errs:#?}"
        );
    }
    // Nothing was changed by the failed writes, and the app keeps running.
    assert_eq!(app.world().get::<Health>(e).unwrap().current, 1.0);
    app.update();
}

#[test]
fn typed_user_functions_convert_arguments_and_name_bad_ones() {
    let mut app = app();
    app.add_script_function(
        "heal",
        &["target", "amount"],
        |world: &mut World, target: Entity, amount: f32| -> Result<f32, String> {
            let mut h = world
                .get_mut::<Health>(target)
                .ok_or("no Health".to_string())?;
            h.current = (h.current + amount).min(h.max);
            Ok(h.current)
        },
    )
    .add_script_function(
        "midpoint",
        &["a", "b"],
        |_: &mut World, a: Vec3, b: Vec3| (a + b) / 2.0,
    )
    .add_script_function(
        "greet",
        &["name", "times"],
        |_: &mut World, name: String, times: Option<u32>| name.repeat(times.unwrap_or(1) as usize),
    )
    // Any value, through the safe `LuaValue`; tables as Rust collections; nothing returned.
    .add_script_function("kind", &["v"], |_: &mut World, v: LuaValue| v.type_name())
    .add_script_function("sum", &["list"], |_: &mut World, list: Vec<f64>| {
        list.iter().sum::<f64>()
    })
    .add_script_function("nothing", &[], |_: &mut World| {});
    let h = add_script(
        &mut app,
        "user_fns.lua",
        "function main(self)
           emit('healed', heal(self, 3))
           local m = midpoint(vec3(0, 2, 4), {x = 2, y = 2, z = 0})
           emit('mid', m.x + m.y * 10 + m.z * 100)
           emit('greet', greet('ab', 2) .. greet('c'))
           emit('kinds', kind({}) .. ',' .. kind(1) .. ',' .. kind(nil) .. ',' .. kind(print))
           emit('sum', sum({1, 2, 3.5}))
           emit('nothing', select('#', nothing()))
           task.spawn(function() heal(self, 'lots') end)
           task.spawn(function() midpoint(vec3(), 5) end)
           task.spawn(function() greet() end)
         end",
    );
    app.world_mut().spawn((
        Health {
            current: 1.0,
            max: 10.0,
        },
        Script::new(h),
    ));
    app.update();
    app.update();
    assert_eq!(emitted(&app, "healed"), vec![ScriptValue::Number(4.0)]);
    assert_eq!(emitted(&app, "mid"), vec![ScriptValue::Number(221.0)]);
    assert_eq!(
        emitted(&app, "greet"),
        vec![ScriptValue::Str("ababc".into())]
    );
    assert_eq!(
        emitted(&app, "kinds"),
        vec![ScriptValue::Str("table,number,nil,function".into())]
    );
    assert_eq!(emitted(&app, "sum"), vec![ScriptValue::Number(6.5)]);
    assert_eq!(emitted(&app, "nothing"), vec![ScriptValue::Int(0)]);
    let errs = errors(&app);
    for want in [
        "user_fns.lua:9: bad argument #2 to 'heal' (amount: number expected, got string)",
        "user_fns.lua:10: bad argument #2 to 'midpoint' (b: vector expected, got number)",
        "user_fns.lua:11: bad argument #1 to 'greet' (name: string expected, got no value)",
    ] {
        assert!(
            errs.iter().any(|e| e.contains(want)),
            "no error containing {want:?} in {errs:#?}"
        );
    }
}

/// Reading and writing primitive fields through reflection (and making the references) costs
/// no Rust heap allocation once warm: the whole script system allocates nothing per frame.
#[test]
fn reflected_primitive_access_allocates_nothing() {
    let mut app = app();
    let h = add_script(
        &mut app,
        "regen.lua",
        "function on_update(self, dt)
           local h = self:get('Health')
           h.current = h.current + dt
           if h.current > h.max then h.current = 0 end
           local e = self:get('Enemy')
           e.stats.level = e.stats.level + 1
           e.alert = not e.alert
           world.resource('Score').value = world.resource('Score').value + 1
           self.transform.translation.x = self.transform.translation.x + 1
         end",
    );
    for _ in 0..100 {
        app.world_mut().spawn((
            Transform::default(),
            Health {
                current: 0.0,
                max: 5.0,
            },
            Enemy::default(),
            Script::new(h.clone()),
        ));
    }
    for _ in 0..200 {
        app.update();
    }
    let (mut allocations, mut objects) = (0, 0);
    for _ in 0..50 {
        app.update();
        let report = app.world().non_send::<ScriptRuntime>().report();
        allocations += report.rust_allocations;
        objects += report.vm_objects();
    }
    assert!(errors(&app).is_empty(), "{:?}", errors(&app));
    assert_eq!(app.world().resource::<Score>().value, 250 * 100);
    assert_eq!(allocations, 0, "Rust heap allocations in 50 frames");
    // References (`e.stats` too) are handed out again, not made anew: no garbage per frame.
    assert_eq!(objects, 0, "VM objects made in 50 frames");
}

/// `get` hands out one reference per entity and type while a script holds it (so per-frame
/// gets make no garbage), and a fresh one after the collector dropped the old.
#[test]
fn repeated_gets_share_one_reference() {
    let mut app = app();
    let h = add_script(
        &mut app,
        "same.lua",
        "held = {}
         function on_update(self, dt)
           local a, b = self:get('Health'), self:get('Health')
           local e = self:get('Enemy')
           local same = rawequal(a, b) and a == b and not rawequal(a, e)
           -- The reference held across frames (and collections) is the one handed out again.
           local kept = held[self.entity] == nil or rawequal(held[self.entity], a)
           -- From the fourth frame on, nothing holds it between frames.
           self.n = (self.n or 0) + 1
           held[self.entity] = self.n < 4 and a or nil
           a.current = a.current + 1
           e.alert = same and kept
         end",
    );
    let entities: Vec<Entity> = (0..3)
        .map(|_| {
            app.world_mut()
                .spawn((
                    Health {
                        current: 0.0,
                        max: 5.0,
                    },
                    Enemy::default(),
                    Script::new(h.clone()),
                ))
                .id()
        })
        .collect();
    let collect = |app: &mut App| {
        app.world_mut()
            .non_send_mut::<ScriptRuntime>()
            .vm_mut()
            .collect_garbage()
    };
    // Dropped references go at a collection; `get` then makes new ones that work the same.
    for _ in 0..6 {
        app.update();
        collect(&mut app);
    }
    assert!(errors(&app).is_empty(), "{:?}", errors(&app));
    for e in entities {
        let world = app.world();
        assert_eq!(world.get::<Health>(e).unwrap().current, 6.0);
        assert!(world.get::<Enemy>(e).unwrap().alert);
    }
}

#[test]
fn stubs_describe_the_api_registered_types_and_functions() {
    let mut app = app();
    app.add_script_function(
        "heal",
        &["target", "amount"],
        |_: &mut World, _: Entity, amount: f32| amount,
    );
    let stubs = moonpool::plugin::stubs::lua_stubs(app.world());
    for want in [
        "---@meta moonpool",
        "function wait(seconds) end",
        "function Entity:get(name) end",
        "function world.query(...) end",
        "---@class Health\n---@field current number\n---@field max number\n",
        "---@field kind Kind\n---@field loot integer[]\n---@field target Vec3?\n---@field name string\n---@field stats Stats\n---@field alert boolean\n",
        "---@alias Kind \"Grunt\"|\"Boss\"|{variant: \"Ranged\", range: number}",
        "---@class Stunned\n---@field secs number",
        "(resource)\n---@class Score\n---@field value integer",
        "---@param target Entity\n---@param amount number\n---@return number\nfunction heal(target, amount) end",
    ] {
        assert!(stubs.contains(want), "stubs lack {want:?}:\n{stubs}");
    }
    // Stubs are Lua that loads (LuaLS reads them as code).
    moonpool::vm::compile_source(stubs.as_bytes()).expect("stubs compile");
}

/// `assets/types/moonpool.lua` is what `cargo run --example stubs` writes today.
#[test]
fn committed_stubs_are_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/types/moonpool.lua");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    let current = moonpool::plugin::stubs::plugin_stubs();
    if committed != current {
        let line = committed
            .lines()
            .zip(current.lines())
            .position(|(a, b)| a != b)
            .map_or(
                committed.lines().count().min(current.lines().count()),
                |i| i,
            );
        panic!(
            "assets/types/moonpool.lua is out of date (first difference at line {}): run `cargo run --example stubs`",
            line + 1
        );
    }
}

/// The reference cache keeps references alive between frames (no garbage), and drops those of
/// despawned entities: a world whose entities all change every frame keeps a bounded number of
/// live objects.
#[test]
fn reference_cache_forgets_despawned_entities() {
    let mut app = app();
    let h = add_script(
        &mut app,
        "sweep.lua",
        "function on_update(self, dt)
           local n = 0
           for e, h in world.query('Health') do
             h.current = h.current + 1
             n = n + 1
           end
           self:get('Health').max = n
         end",
    );
    let watcher = app
        .world_mut()
        .spawn((Health::default(), Script::new(h)))
        .id();
    let mut batch: Vec<Entity> = Vec::new();
    let (mut live_at, mut heap_at) = (Vec::new(), Vec::new());
    for frame in 0..60 {
        for e in batch.drain(..) {
            app.world_mut().despawn(e);
        }
        for _ in 0..500 {
            batch.push(app.world_mut().spawn(Health::default()).id());
        }
        app.update();
        let mut rt = app.world_mut().non_send_mut::<ScriptRuntime>();
        rt.vm_mut().collect_garbage();
        let s = rt.vm().stats();
        heap_at.push(s.heap_bytes);
        if frame == 59 {
            let made = s.tables_allocated + s.userdata_allocated + s.strings_allocated;
            live_at.push((made, made - s.gc_objects_freed.min(made)));
        }
    }
    assert!(errors(&app).is_empty(), "{:?}", errors(&app));
    // The script saw each frame's 500 new entities and itself.
    assert_eq!(app.world().get::<Health>(watcher).unwrap().max, 501.0);
    // 30,000 references went through the cache; it holds at most a few thousand (it is swept
    // when it reaches 4,096 entries).
    let (made, live) = live_at[0];
    assert!(made > 60_000, "only {made} objects made");
    assert!(live < 6_000, "{live} objects live after 30,000 references");
    // And the heap's accounting agrees: it rises and falls with the sweeps, no higher in the
    // second half than in the first (the cache table rebuilt smaller is credited).
    let (first, second) = heap_at.split_at(30);
    let (early, late) = (first.iter().max().unwrap(), second.iter().max().unwrap());
    assert!(
        *late <= early + early / 10,
        "VM heap peaked at {early} bytes, then at {late}"
    );
}
