//! The lexer, parser and code generator on arbitrary bytes: any input is compiled or
//! rejected with an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = moonpool::vm::compile_source(data);
});
