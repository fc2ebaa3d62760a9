//! Moonpool: one `LuaScript` asset, a `Script` component per entity, `on_update(self, dt)`.

use bevy::asset::{AssetId, Assets};
use bevy::prelude::*;
use moonpool::plugin::{LuaScript, MoonpoolPlugin, MoonpoolSettings, Script, ScriptRuntime};

use crate::{Probe, Setup, Workload, base_app};

const REFLECT: &str = "
function on_update(self, dt)
  local t = self:get(\"Transform\")
  t.translation.x = t.translation.x + 0.01
end
";

const TRIVIAL: &str = "
function on_update(self, dt) end
";

pub fn setup(workload: Workload, n: usize) -> Setup {
    let mut app = base_app();
    // No per-script wall-clock budget: 10,000 entities of one script must all run each frame.
    let settings = MoonpoolSettings {
        time_per_script: None,
        ..MoonpoolSettings::default()
    };
    app.add_plugins(MoonpoolPlugin::default().with_settings(settings));
    let source = match workload {
        Workload::Reflect => REFLECT,
        Workload::Trivial => TRIVIAL,
    };
    let script = LuaScript::from_source("bench.lua", source).expect("bench script compiles");
    let handle = app
        .world_mut()
        .resource_mut::<Assets<LuaScript>>()
        .add(script);
    let entities = (0..n)
        .map(|_| {
            app.world_mut()
                .spawn((Transform::default(), Script::new(handle.clone())))
                .id()
        })
        .collect();
    Setup {
        app,
        entities,
        probe: Box::new(MoonProbe { asset: handle.id() }),
    }
}

/// Counts runs with the runtime's per-script report (filled while profiling is on).
struct MoonProbe {
    asset: AssetId<LuaScript>,
}

impl Probe for MoonProbe {
    fn start_counting(&mut self, app: &mut App) {
        app.world_mut()
            .non_send_mut::<ScriptRuntime>()
            .set_profile(true);
    }

    fn stop_counting(&mut self, app: &mut App) {
        app.world_mut()
            .non_send_mut::<ScriptRuntime>()
            .set_profile(false);
    }

    fn runs_last_frame(&mut self, app: &mut App) -> (usize, usize) {
        // Entities whose script ran in the update pass (each at most once).
        let runs = app
            .world()
            .non_send::<ScriptRuntime>()
            .script_report(self.asset)
            .map_or(0, |r| r.entities as usize);
        (runs, runs)
    }
}
