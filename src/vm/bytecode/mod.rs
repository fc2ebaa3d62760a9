//! The bytecode format: 32-bit instructions in Lua 5.4's layout (`opcode.rs`), function
//! prototypes with their constants and debug information (`proto.rs`), binary chunks
//! (`dump.rs`, `string.dump`'s format) and the verifier that makes loading them safe
//! (`verify.rs`). The bottom layer with `number.rs`: it imports nothing else of the crate; the
//! compiler produces it and the runtime runs it.

pub mod dump;
pub mod opcode;
pub mod proto;
pub mod verify;
