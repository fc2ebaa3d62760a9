//! Compiler tests that run the parser and code generator together.

use super::CompileError;
use super::codegen::{Compiler, compile_chunk};
use super::parser::{parse, parse_tree};
use crate::vm::bytecode::proto::FuncProto;

fn compile(src: &str) -> Result<FuncProto, CompileError> {
    let chunk = parse(src.as_bytes())?;
    let eof_line = 1 + src.matches('\n').count() as u32;
    compile_chunk(&chunk, eof_line)
}

fn compile_err(src: &str) -> (u32, String) {
    match compile(src) {
        Ok(_) => panic!("{src:?} compiled"),
        Err(e) => (e.line, e.message),
    }
}

/// The main chunk is compiled while it is parsed, but a syntax error anywhere still wins
/// over a code generation error found before it.
#[test]
fn syntax_errors_win_over_codegen_errors() {
    let e = |l: u32, m: &str| (l, m.to_string());
    assert_eq!(
        compile_err("local x <const> = 1\nx = 2\nlocal y = 3\n"),
        e(2, "attempt to assign to const variable 'x'")
    );
    assert_eq!(
        compile_err("local x <const> = 1\nx = 2\nlocal y = = 3\n"),
        e(3, "unexpected symbol near '='")
    );
    assert_eq!(
        compile_err("goto nowhere\nlocal a = 1\nfunction f() end\n"),
        e(4, "no visible label 'nowhere' for <goto> at line 1")
    );
    assert_eq!(
        compile_err("goto nowhere\nlocal a = 1\nfunction f() end\nx =\n"),
        e(5, "unexpected symbol near <eof>")
    );
    assert_eq!(compile_err("break\n"), e(2, "break outside loop at line 1"));
}

/// A top-level label followed only by labels up to the end of the chunk is outside the
/// scope of the locals before it, so a goto may jump over their declarations.
#[test]
fn top_level_labels_at_the_end() {
    assert!(compile("goto a\nlocal x = 1\n::a::\n").is_ok());
    assert!(compile("goto a\nlocal x = 1\n::a:: ::b:: ;;\n").is_ok());
    let jumps_in = "<goto a> at line 1 jumps into the scope of local 'x'";
    assert_eq!(
        compile_err("goto a\nlocal x = 1\n::a::\nprint(x)\n"),
        (1, jumps_in.to_string())
    );
    assert_eq!(
        compile_err("goto a\nlocal x = 1\n::a::\nreturn x\n"),
        (1, jumps_in.to_string())
    );
}

/// Streaming compilation gives the same functions as compiling a whole tree.
#[test]
fn same_as_whole_tree() {
    let src = "local t = {}\nlocal function f(a, ...) return a, ... end\n\
               for i = 1, 10 do t[i] = f(i) end\n\
               do local up = 1; function t.g() up = up + 1; return up end end\n\
               ::l:: if #t > 20 then goto l end\nreturn t, f";
    let streamed = compile(src).unwrap();
    let (ast, block) = parse_tree(src.as_bytes()).unwrap();
    let mut c = Compiler::new_main();
    let mut ast = ast;
    c.top_level(&mut ast, block.stats, block.ret, true).unwrap();
    c.adopt_ast(ast);
    let whole = c.finish(6).map_err(|e| *e).unwrap();
    assert_eq!(streamed.listing(), whole.listing());
    assert_eq!(format!("{streamed:?}"), format!("{whole:?}"));
}
