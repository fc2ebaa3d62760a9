//! Full userdata: host data with an optional metatable.

use std::any::Any;

use super::gc::Gc;
use super::table::Table;

pub struct UserData {
    pub meta: Option<Gc<Table>>,
    pub data: Box<dyn Any>,
    /// Plain words for host handles (an entity and a field path, say) that are created often:
    /// with `data` left as `()`, a recycled userdata is reused without touching the Rust heap.
    pub words: [u64; 4],
}
