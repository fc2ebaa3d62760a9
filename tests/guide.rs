//! Runs every Lua example of `docs/guide.md` as a script for 30 frames (an entity script with a
//! `Transform`, or a world script when its first line is `-- world script`) and fails on any
//! error it raises. The guide's Rust examples run as doctests (`src/lib.rs`).

#![cfg(feature = "plugin")]

mod common;

use bevy::prelude::*;
use common::{add_script, app, errors};
use moonpool::prelude::*;

fn lua_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match &mut current {
            None if line.trim_start() == "```lua" => current = Some(String::new()),
            Some(block) if line.trim_start() == "```" => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            Some(block) => {
                block.push_str(line);
                block.push('\n');
            }
            None => {}
        }
    }
    blocks
}

#[test]
fn every_lua_example_of_the_guide_runs() {
    let guide = include_str!("../docs/guide.md");
    let blocks = lua_blocks(guide);
    assert!(
        blocks.len() >= 10,
        "found only {} Lua examples",
        blocks.len()
    );
    for (i, source) in blocks.iter().enumerate() {
        let mut app = app();
        let name = format!("guide_{}.lua", i + 1);
        let h = add_script(&mut app, &name, source);
        if source.starts_with("-- world script") {
            app.world_mut().spawn(WorldScript::new(h));
        } else {
            app.world_mut()
                .spawn((Transform::default(), Script::new(h)));
        }
        for _ in 0..30 {
            app.update();
        }
        let errs = errors(&app);
        assert!(
            errs.is_empty(),
            "guide example {} failed:\n{source}\n{errs:#?}",
            i + 1
        );
        let rt = app.world().non_send::<ScriptRuntime>();
        assert_eq!(rt.report().entities, 1, "guide example {} stopped", i + 1);
    }
}
