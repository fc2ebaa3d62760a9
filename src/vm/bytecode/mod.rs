//! The bytecode format: 32-bit instructions in Lua 5.4's layout (`opcode.rs`) and function
//! prototypes with their constants and debug information (`proto.rs`). The bottom layer with
//! `number.rs`: it imports nothing else of the crate; the compiler produces it and the runtime
//! runs it.

pub mod opcode;
pub mod proto;
