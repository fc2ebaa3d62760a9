//! The world, reachable from natives while the script system runs Lua (and only then).
//!
//! Natives get only the VM, so `WorldAccess` puts the system's `&mut World` in a thread-local
//! for the length of a run, and `world` hands it to a native. Both are crate-private: a public
//! `WorldAccess` could be leaked with `mem::forget`, leaving the pointer set after the borrow
//! ends.

use std::cell::Cell;

use bevy::ecs::world::World;

use crate::vm::Vm;
use crate::vm::runtime::error::LuaResult;

thread_local! {
    static WORLD: Cell<*mut World> = const { Cell::new(std::ptr::null_mut()) };
}

/// Makes the world reachable from the natives below while the script system runs Lua.
///
/// Host code between Lua calls reaches the world through `world()` and must not keep that
/// borrow across a call into Lua (copy values out instead): natives borrow it then.
pub(crate) struct WorldAccess<'w> {
    world: *mut World,
    previous: *mut World,
    _borrow: std::marker::PhantomData<&'w mut World>,
}

impl<'w> WorldAccess<'w> {
    pub(crate) fn new(world: &'w mut World) -> WorldAccess<'w> {
        let world = world as *mut World;
        WorldAccess {
            world,
            previous: WORLD.replace(world),
            _borrow: std::marker::PhantomData,
        }
    }

    pub(crate) fn world(&mut self) -> &mut World {
        // SAFETY: the pointer comes from the `&'w mut World` this value holds.
        unsafe { &mut *self.world }
    }
}

impl Drop for WorldAccess<'_> {
    fn drop(&mut self) {
        WORLD.set(self.previous);
    }
}

/// The world, while the script system runs Lua.
///
/// Sound because `WorldAccess` holds the only `&mut World` meanwhile and its owner does not
/// keep borrows from it across calls into Lua; natives take this reference once and drop it
/// before returning, and none calls back into Lua while holding it.
pub(crate) fn world<'a>(vm: &mut Vm) -> LuaResult<&'a mut World> {
    let ptr = WORLD.get();
    if ptr.is_null() {
        return Err(vm.rt_error("the world is only reachable while scripts run in a frame"));
    }
    // SAFETY: see above.
    Ok(unsafe { &mut *ptr })
}
