//! Full userdata: host data with an optional metatable.

use std::any::Any;

use super::error::LuaResult;
use super::gc::Gc;
use super::state::Vm;
use super::table::Table;
use super::value::Value;

pub struct UserData {
    pub meta: Option<Gc<Table>>,
    pub data: Box<dyn Any>,
    /// Plain words for host handles (an entity and a field path, say) that are created often:
    /// with `data` left as `()`, a recycled userdata is reused without touching the Rust heap.
    pub words: [u64; 4],
    /// Field access the host serves directly (see `HostFields`).
    pub host: Option<&'static HostFields>,
}

/// Field access for host handles that scripts index in hot loops (`ref.x = ref.x + 1` on a
/// component): the VM calls these for `u[k]` and `u[k] = v` straight from the instruction,
/// without a metamethod call and its frame (measured: ~200 of ~700 instructions per reflected
/// field read went to `call_tm` and `precall`). They take precedence over the metatable's
/// `__index` and `__newindex`, fire no call hooks, and must neither call back into Lua nor
/// yield: they are leaves, like a table access. Errors they raise carry the Lua caller's
/// position.
pub struct HostFields {
    pub index: fn(&mut Vm, Gc<UserData>, Value) -> LuaResult<Value>,
    pub newindex: fn(&mut Vm, Gc<UserData>, Value, Value) -> LuaResult<()>,
}
