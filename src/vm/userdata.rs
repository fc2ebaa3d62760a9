//! Full userdata: host data with an optional metatable.

use std::any::Any;

use super::gc::Gc;
use super::table::Table;

pub struct UserData {
    pub meta: Option<Gc<Table>>,
    pub data: Box<dyn Any>,
}
