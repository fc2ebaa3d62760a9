//! bevy_mod_scripting 0.21.1: one `ScriptAsset`, a `ScriptComponent` per entity, and an
//! `on_update` callback event sent to all scripts each frame and dispatched by bms's
//! `event_handler` system.

use std::collections::HashSet;

use bevy::ecs::message::{MessageCursor, Messages};
use bevy::prelude::*;
use bevy_mod_scripting::bindings::AppReflectAllocator;
use bevy_mod_scripting::core::event::ScriptCallbackResponseEvent;
use bevy_mod_scripting::core::script::ContextPolicy;
use bevy_mod_scripting::prelude::*;

use crate::{BmsContexts, Probe, Setup, Workload, base_app};

// bms sets the global `entity` (the attachment's entity) before each callback; components
// are reached with the reflection world API.
const REFLECT: &str = "
local Transform = world.get_type_by_name(\"Transform\")

function on_update(dt)
  local t = world.get_component(entity, Transform)
  t.translation.x = t.translation.x + 0.01
end
";

const TRIVIAL: &str = "
function on_update(dt) end
";

callback_labels!(OnUpdate => "on_update");

/// Ask for a response event per callback (only while the probe counts runs).
#[derive(Resource, Default)]
struct WantResponses(bool);

/// Each frame: one `on_update` event for all scripts, with the frame time as argument.
fn send_on_update(
    time: Res<Time>,
    want: Res<WantResponses>,
    mut events: MessageWriter<ScriptCallbackEvent>,
) {
    let event = ScriptCallbackEvent::new_for_all_scripts(
        OnUpdate,
        vec![ScriptValue::Float(time.delta_secs_f64())],
    );
    events.write(if want.0 { event.with_response() } else { event });
}

pub fn setup(workload: Workload, n: usize, contexts: BmsContexts) -> Setup {
    let mut app = base_app();
    let policy = match contexts {
        BmsContexts::PerEntity => ContextPolicy::per_entity_and_script(), // bms's default
        BmsContexts::PerScript => ContextPolicy::per_script(),
    };
    app.add_plugins(
        BMSPlugin
            .build()
            .set(LuaScriptingPlugin::default().set_context_policy(policy)),
    )
    .init_resource::<WantResponses>()
    .add_systems(
        Update,
        (
            send_on_update,
            event_handler::<OnUpdate, LuaScriptingPlugin>,
        )
            .chain(),
    );
    let source = match workload {
        Workload::Reflect => REFLECT,
        Workload::Trivial => TRIVIAL,
    };
    let asset = ScriptAsset {
        content: source.as_bytes().into(),
        language: Language::Lua,
    };
    let handle = app
        .world_mut()
        .resource_mut::<Assets<ScriptAsset>>()
        .add(asset);
    let entities = (0..n)
        .map(|_| {
            app.world_mut()
                .spawn((Transform::default(), ScriptComponent::new([handle.clone()])))
                .id()
        })
        .collect();
    Setup {
        app,
        entities,
        probe: Box::new(BmsProbe {
            cursor: MessageCursor::default(),
            reported_error: false,
        }),
    }
}

/// Counts runs with bms's callback response events.
struct BmsProbe {
    cursor: MessageCursor<ScriptCallbackResponseEvent>,
    reported_error: bool,
}

impl Probe for BmsProbe {
    fn start_counting(&mut self, app: &mut App) {
        self.cursor = app
            .world()
            .resource::<Messages<ScriptCallbackResponseEvent>>()
            .get_cursor_current();
        app.world_mut().resource_mut::<WantResponses>().0 = true;
    }

    fn stop_counting(&mut self, app: &mut App) {
        app.world_mut().resource_mut::<WantResponses>().0 = false;
    }

    fn runs_last_frame(&mut self, app: &mut App) -> (usize, usize) {
        let messages = app
            .world()
            .resource::<Messages<ScriptCallbackResponseEvent>>();
        let mut calls = 0;
        let mut entities = HashSet::new();
        for r in self.cursor.read(messages) {
            if r.label.as_ref() != "on_update" {
                continue;
            }
            match &r.response {
                Ok(_) => {
                    calls += 1;
                    entities.insert(r.source_entity());
                }
                Err(e) if !self.reported_error => {
                    self.reported_error = true;
                    eprintln!("bms: on_update failed: {e:?}");
                }
                Err(_) => {}
            }
        }
        (calls, entities.len())
    }

    /// Live entries in bms's reflect allocator: each callback allocates references (the
    /// `entity` and `script_asset` globals), freed only once that context's Lua GC drops them.
    fn extra(&mut self, app: &mut App) -> String {
        let live = app
            .world()
            .resource::<AppReflectAllocator>()
            .read()
            .iter_allocations()
            .count();
        format!(" bms_live_allocations={live}")
    }
}
