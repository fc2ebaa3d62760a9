//! Compiler tests that run the parser and code generator together.

use super::CompileError;
use super::codegen::{Compiler, compile_chunk};
use super::parser::{parse, parse_tree};
use crate::vm::bytecode::proto::FuncProto;

fn compile(src: &str) -> Result<FuncProto, CompileError> {
    let chunk = parse(src.as_bytes())?;
    compile_chunk(&chunk)
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
    // The last token, `f`, is on line 6, as is the end.
    c.adopt_ast(ast, 6, 6);
    let whole = c.finish().map_err(|e| *e).unwrap();
    assert_eq!(streamed.listing(), whole.listing());
    assert_eq!(format!("{streamed:?}"), format!("{whole:?}"));
}

/// Binary chunks (`bytecode::dump`) and their verifier (`bytecode::verify`), on compiled code:
/// the bytecode layer cannot compile, so these tests live here.
mod dump {
    use super::compile;
    use crate::vm::bytecode::dump::{MARKER, MAX_NESTING, dump, undump};
    use crate::vm::bytecode::opcode::{Instr, NUM_OPS, Op};
    use crate::vm::bytecode::proto::{Constant, FuncProto};
    use crate::vm::bytecode::verify::verify;

    /// Exercises most instructions: loops of both kinds, closures over locals and upvalues,
    /// varargs, open calls and returns, methods, tests, tables and a to-be-closed variable.
    const SAMPLE: &str = "local t = {1, 2, 3, x = 'a'}
local up = 10
local function f(a, ...)
  local s = 0
  for i = 1, #t do s = s + t[i] end
  for k, v in pairs(t) do if type(v) == 'number' then s = s + v end end
  local g = function(b) up = up + b; return up, s end
  if a and a > 1 then s = s * 2 elseif a == 'x' then s = -s end
  do local c <close> = nil end
  local o = {f = function(self, z) return z end}
  return g(s), o:f(...), select('#', ...), {...}
end
print(f(1, 2, 3))
return f(2, 'k')";

    fn sample() -> FuncProto {
        compile(SAMPLE).unwrap()
    }

    /// `p` with every `Return0`/`Return1` carrying k, as `undump` leaves them.
    fn stripped(p: &FuncProto) -> FuncProto {
        let mut p = p.clone();
        p.lineinfo.clear();
        p.locvars.clear();
        for u in p.upvals.iter_mut() {
            u.name.clear();
        }
        p.protos = p.protos.iter().map(stripped).collect();
        p
    }

    fn same(a: &FuncProto, b: &FuncProto) -> bool {
        // NaN constants compare by their bits.
        format!("{a:?}") == format!("{b:?}")
            && a.consts.len() == b.consts.len()
            && a.consts.iter().zip(&b.consts).all(|(x, y)| match (x, y) {
                (Constant::Float(x), Constant::Float(y)) => x.to_bits() == y.to_bits(),
                _ => x == y,
            })
    }

    fn rejects(p: &FuncProto) -> String {
        match undump(&dump(p, b"@t.lua", false)) {
            Ok(_) => panic!("accepted:\n{}", p.listing()),
            Err(e) => e,
        }
    }

    /// The first nested function (the sample's `f`).
    fn first_child(p: &mut FuncProto) -> &mut FuncProto {
        &mut p.protos[0]
    }

    fn find(p: &FuncProto, op: Op) -> usize {
        p.code
            .iter()
            .position(|i| i.op() == op)
            .unwrap_or_else(|| panic!("no {op:?} in\n{}", p.listing()))
    }

    #[test]
    fn round_trip_keeps_every_field() {
        let p = sample();
        for strip in [false, true] {
            let bytes = dump(&p, b"@sample.lua", strip);
            assert!(bytes.starts_with(b"\x1bLua"));
            let (q, source) = undump(&bytes).unwrap();
            let want = if strip { stripped(&p) } else { p.clone() };
            assert!(same(&q, &want), "strip {strip}");
            let want_source: &[u8] = if strip { b"=?" } else { b"@sample.lua" };
            assert_eq!(source, want_source);
            // Dumping what was loaded gives the same bytes.
            assert_eq!(dump(&q, &source, strip), bytes);
        }
    }

    #[test]
    fn constants_of_every_kind_round_trip() {
        let mut p = compile("return 0.5, 'a\\0b', math.maxinteger").unwrap();
        p.consts.extend([
            Constant::Nil,
            Constant::Bool(false),
            Constant::Bool(true),
            Constant::Int(i64::MIN),
            Constant::Int(-1),
            Constant::Float(-0.0),
            Constant::Float(f64::INFINITY),
            Constant::Float(f64::NEG_INFINITY),
            Constant::Float(f64::NAN),
            Constant::Float(-f64::NAN),
            Constant::Str(vec![0; 300]),
            Constant::Str(Vec::new()),
        ]);
        let (q, _) = undump(&dump(&p, b"=k", false)).unwrap();
        assert!(same(&q, &p));
        assert!(
            q.consts
                .iter()
                .any(|c| matches!(c, Constant::Float(f) if *f == 0.0 && f.is_sign_negative()))
        );
        assert!(
            q.consts
                .iter()
                .any(|c| matches!(c, Constant::Str(s) if s == b"a\0b"))
        );
    }

    /// Everything the compiler produces passes the verifier, and round-trips.
    #[test]
    fn every_golden_program_round_trips() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lua");
        let mut checked = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "lua") {
                continue;
            }
            let src = std::fs::read_to_string(&path).unwrap();
            let Ok(p) = compile(&src) else { continue };
            verify(&p).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            for strip in [false, true] {
                let (q, _) = undump(&dump(&p, b"=x", strip))
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                let want = if strip { stripped(&p) } else { p.clone() };
                assert!(same(&q, &want), "{}", path.display());
            }
            checked += 1;
        }
        assert!(checked > 100, "only {checked} programs");
    }

    #[test]
    fn register_operands_past_maxstack_are_refused() {
        let mut p = sample();
        let f = first_child(&mut p);
        let max = f.maxstack as u32;
        let pc = find(f, Op::Move);
        let i = f.code[pc];
        f.code[pc] = Instr::abc(Op::Move, max, i.b() as u32, 0, false);
        assert!(rejects(&p).contains("register"));

        // The last register of a range: a for loop's four, a call's arguments.
        let mut p = sample();
        let f = first_child(&mut p);
        let max = f.maxstack as u32;
        let pc = find(f, Op::ForPrep);
        let bx = f.code[pc].bx() as u32;
        f.code[pc] = Instr::abx(Op::ForPrep, max - 3, bx);
        assert!(rejects(&p).contains("register"));

        let mut p = sample();
        let f = first_child(&mut p);
        let max = f.maxstack as u32;
        let pc = find(f, Op::TForCall);
        let i = f.code[pc];
        f.code[pc] = Instr::abc(Op::TForCall, max - 6, 0, i.c() as u32, false);
        assert!(rejects(&p).contains("register"));

        let mut p = sample();
        let pc = find(&p, Op::Call);
        let i = p.code[pc];
        let b = p.maxstack as u32 - i.a() as u32 + 1;
        p.code[pc] = Instr::abc(Op::Call, i.a() as u32, b, i.c() as u32, false);
        assert!(rejects(&p).contains("register"));

        let mut p = sample();
        p.numparams = p.maxstack + 1;
        assert!(rejects(&p).contains("parameters"));

        let mut p = sample();
        let f = first_child(&mut p);
        f.locvars[0].reg = f.maxstack;
        assert!(rejects(&p).contains("local"));
    }

    #[test]
    fn constant_upvalue_and_function_indices_are_checked() {
        let mut p = sample();
        let pc = find(&p, Op::LoadK);
        let a = p.code[pc].a() as u32;
        p.code[pc] = Instr::abx(Op::LoadK, a, p.consts.len() as u32);
        assert!(rejects(&p).contains("constant"));

        // A field name that is not a string.
        let mut p = sample();
        let pc = find(&p, Op::GetTabUp);
        let i = p.code[pc];
        p.consts[i.c()] = Constant::Int(1);
        assert!(rejects(&p).contains("not a string"));

        let mut p = sample();
        let f = first_child(&mut p);
        let pc = find(f, Op::GetUpval);
        let i = f.code[pc];
        let n = f.upvals.len() as u32;
        f.code[pc] = Instr::abc(Op::GetUpval, i.a() as u32, n, 0, false);
        assert!(rejects(&p).contains("upvalue"));

        let mut p = sample();
        let pc = find(&p, Op::Closure);
        let a = p.code[pc].a() as u32;
        p.code[pc] = Instr::abx(Op::Closure, a, p.protos.len() as u32);
        assert!(rejects(&p).contains("function"));

        // A nested function's upvalue naming a register or upvalue its parent lacks.
        let mut p = sample();
        let f = first_child(&mut p);
        let max = f.maxstack;
        let g = &mut f.protos[0];
        let u = g.upvals.iter_mut().find(|u| u.in_stack).unwrap();
        u.index = max;
        assert!(rejects(&p).contains("upvalue"));
        let mut p = sample();
        let f = first_child(&mut p);
        let n = f.upvals.len() as u8;
        let g = &mut f.protos[0];
        let u = g.upvals.iter_mut().find(|u| !u.in_stack).unwrap();
        u.index = n;
        assert!(rejects(&p).contains("upvalue"));
    }

    #[test]
    fn control_flow_stays_inside_the_code() {
        // A jump past the end, and before the start.
        for off in [1000, -1000] {
            let mut p = sample();
            let f = first_child(&mut p);
            let pc = find(f, Op::Jmp);
            f.code[pc] = Instr::jump(Op::Jmp, off);
            assert!(rejects(&p).contains("leaves the code"));
        }
        // A loop's exit.
        let mut p = sample();
        let f = first_child(&mut p);
        let pc = find(f, Op::ForPrep);
        let a = f.code[pc].a() as u32;
        f.code[pc] = Instr::abx(Op::ForPrep, a, 5000);
        assert!(rejects(&p).contains("leaves the code"));
        // Falling off the end (a tail call may fall through to the return after it).
        let mut p = sample();
        for _ in 0..2 {
            p.code.pop();
            p.lineinfo.pop();
            p.live_regs.pop();
        }
        assert_eq!(p.code.last().unwrap().op(), Op::TailCall);
        let n = p.code.len() as u32;
        for l in p.locvars.iter_mut() {
            l.end_pc = l.end_pc.min(n);
        }
        assert!(rejects(&p).contains("leaves the code"));
        // A test whose jump is gone.
        let mut p = sample();
        let f = first_child(&mut p);
        let pc = f
            .code
            .iter()
            .position(|i| matches!(i.op(), Op::Lt | Op::LtI | Op::GtI | Op::EqK | Op::Test))
            .unwrap();
        f.code[pc + 1] = Instr::abc(Op::Move, 0, 0, 0, false);
        assert!(rejects(&p).contains("not followed by a jump"));
        // An extra argument run as an instruction, or missing.
        let mut p = sample();
        let pc = find(&p, Op::Move);
        p.code[pc] = Instr::ax_instr(Op::ExtraArg, 0);
        assert!(rejects(&p).contains("EXTRAARG"));
        let mut p = sample();
        let pc = find(&p, Op::LoadK);
        let a = p.code[pc].a() as u32;
        p.code[pc] = Instr::abx(Op::LoadKX, a, 0);
        assert!(rejects(&p).contains("EXTRAARG"));
        // A word that is no opcode.
        let mut p = sample();
        p.code[0] = Instr(0x7f);
        const { assert!(NUM_OPS < 0x7f) };
        assert!(rejects(&p).contains("opcode"));
    }

    #[test]
    fn counts_from_the_stack_top_need_an_instruction_that_set_it() {
        // The main chunk's `return f(2, 'k')`: `TailCall` then `Return` with B = 0; in `f`,
        // `{...}`: `VarArg` with C = 0 then `SetList` with B = 0.
        let p = sample();
        let pc = p
            .code
            .iter()
            .position(|i| i.op() == Op::Return && i.b() == 0)
            .expect("an open return");
        assert_eq!(p.code[pc - 1].op(), Op::TailCall);
        // The producer replaced by an instruction that leaves the top alone.
        let mut q = p.clone();
        let prev = q.code[pc - 1];
        q.code[pc - 1] = Instr::abc(Op::LoadNil, prev.a() as u32, 0, 0, false);
        assert!(rejects(&q).contains("stack top"));
        // The consumer above the producer's register.
        let mut q = p.clone();
        q.code[pc] = Instr::abc(Op::Return, prev.a() as u32 + 1, 0, 0, false);
        assert!(rejects(&q).contains("stack top"));
        // A jump straight to the consumer.
        let mut q = p.clone();
        let j = find(&q, Op::SetList);
        q.code[j] = Instr::jump(Op::Jmp, pc as i32 - j as i32 - 1);
        assert!(rejects(&q).contains("stack top"));
        // `SetList` needs its vararg just below, setting the top above the table.
        let f = &p.protos[0];
        let pc = f
            .code
            .iter()
            .position(|i| i.op() == Op::SetList && i.b() == 0)
            .expect("an open constructor");
        assert_eq!(f.code[pc - 1].op(), Op::VarArg);
        let mut q = p.clone();
        let f = &mut q.protos[0];
        let t = f.code[pc].a() as u32;
        f.code[pc - 1] = Instr::abc(Op::VarArg, t, 0, 0, false);
        assert!(rejects(&q).contains("stack top"));
        let mut q = p.clone();
        let f = &mut q.protos[0];
        let v = f.code[pc - 1];
        f.code[pc - 1] = Instr::abc(Op::VarArg, v.a() as u32, 0, 2, false);
        assert!(rejects(&q).contains("stack top"));
    }

    #[test]
    fn no_tail_call_with_a_pending_close() {
        let p = compile(
            "local function f(g) local x <close> = nil; return g() end
             local function h(g) do local x <close> = nil end return g() end
             return f, h",
        )
        .unwrap();
        // `f` has no tail call (the compiler's rule); `h` has one, after the close.
        let (q, _) = undump(&dump(&p, b"=t", false)).unwrap();
        assert!(q.protos[1].code.iter().any(|i| i.op() == Op::TailCall));
        // Without the `Close`, `h`'s tail call would leave the variable pending.
        let mut q = p.clone();
        let h = &mut q.protos[1];
        let pc = find(h, Op::Close);
        h.code[pc] = Instr::abc(Op::LoadNil, h.code[pc].a() as u32, 0, 0, false);
        assert!(rejects(&q).contains("to-be-closed"));
    }

    /// `ForLoop` trusts its control registers: nothing but their `ForPrep` may set them.
    #[test]
    fn numeric_loops_keep_their_control_registers() {
        // In `f`: `for i = 1, #t do s = s + t[i] end`, control registers 2..4.
        let body = |f: &FuncProto| {
            let l = find(f, Op::ForLoop);
            (find(f, Op::ForPrep), l, f.code[l].a() as u32)
        };
        // The body writes a control register.
        let mut p = sample();
        let f = first_child(&mut p);
        let (prep, l, a) = body(f);
        let add = (prep..l).find(|&pc| f.code[pc].op() == Op::Add).unwrap();
        let i = f.code[add];
        f.code[add] = Instr::abc(Op::Add, a + 1, i.b() as u32, i.c() as u32, false);
        assert!(rejects(&p).contains("control registers"));
        // A call in the body below the control registers (its callee's frame covers them).
        let mut p = sample();
        let f = first_child(&mut p);
        let (prep, _, a) = body(f);
        f.code[prep + 1] = Instr::abc(Op::Call, a + 2, 1, 1, false);
        assert!(rejects(&p).contains("control registers"));
        // The collector could clear them.
        let mut p = sample();
        let f = first_child(&mut p);
        let (prep, _, a) = body(f);
        f.live_regs[prep + 1] = a as u8 + 2;
        assert!(rejects(&p).contains("not live"));
        // No `ForPrep` before the body.
        let mut p = sample();
        let f = first_child(&mut p);
        let (prep, _, a) = body(f);
        f.code[prep] = Instr::abc(Op::LoadNil, a, 3, 0, false);
        assert!(rejects(&p).contains("FORPREP"));
        // A jump into the body from after the loop.
        let mut p = sample();
        let f = first_child(&mut p);
        let (prep, l, _) = body(f);
        let j = (l..f.code.len())
            .find(|&pc| f.code[pc].op() == Op::Jmp)
            .unwrap();
        f.code[j] = Instr::jump(Op::Jmp, (prep + 2) as i32 - j as i32 - 1);
        assert!(rejects(&p).contains("jump into a loop"));

        let p = compile(
            "local function f() do local x = 1; local g = function() return x end end
               for i = 1, 3 do end end
             local function h() for i = 1, 3 do local g = function() return i end end end
             return f, h",
        )
        .unwrap();
        assert!(undump(&dump(&p, b"=t", false)).is_ok());
        // An upvalue still open on a control register when the loop starts.
        let mut q = p.clone();
        let f = &mut q.protos[0];
        let close = find(f, Op::Close);
        f.code[close] = Instr::jump(Op::Jmp, 0);
        assert!(rejects(&q).contains("open upvalue"));
        // A closure in the body capturing one.
        let mut q = p.clone();
        let h = &mut q.protos[1];
        let a = h.code[find(h, Op::ForPrep)].a() as u8;
        h.protos[0].upvals[0].index = a;
        assert!(rejects(&q).contains("capture"));
    }

    /// A callee's registers are its own: no open upvalue of the caller points into them.
    #[test]
    fn no_call_with_an_open_upvalue_in_the_callees_registers() {
        let mut p = compile(
            "local function f() local a = 1; local g = function() return a end; print(g()) end
             return f",
        )
        .unwrap();
        assert!(undump(&dump(&p, b"=t", false)).is_ok());
        // `g` captures `a` (register 0); made to capture the first register of a callee.
        let f = first_child(&mut p);
        // (The last call is `print`'s, below `g`'s.)
        let call = f.code.iter().rposition(|i| i.op() == Op::Call).unwrap();
        let r = f.code[call].a() as u8 + 1;
        assert!(r < f.maxstack);
        f.protos[0].upvals[0].index = r;
        assert!(rejects(&p).contains("open upvalue in the callee"));
    }

    #[test]
    fn debug_information_lengths_are_checked() {
        let mut p = sample();
        p.lineinfo.pop();
        assert!(rejects(&p).contains("line"));
        let mut p = sample();
        p.live_regs.push(0);
        assert!(rejects(&p).contains("liveness"));
        // Stripped line information is allowed.
        let mut p = sample();
        p.lineinfo.clear();
        assert!(undump(&dump(&p, b"=t", false)).is_ok());
    }

    fn varint(out: &mut Vec<u8>, mut v: u64) {
        while v >= 0x80 {
            out.push((v as u8 & 0x7f) | 0x80);
            v >>= 7;
        }
        out.push(v as u8);
    }

    fn header(stripped: bool) -> Vec<u8> {
        let mut b = dump(&sample(), b"", true);
        b.truncate(31 + MARKER.len());
        b.push(if stripped { 0 } else { 1 });
        b
    }

    #[test]
    fn lengths_are_bounded_by_the_input() {
        // A source name, a code length and a constant claiming 2^60 bytes or items.
        let mut b = header(false);
        varint(&mut b, 1 << 60);
        b.extend_from_slice(b"short");
        assert_eq!(undump(&b).unwrap_err(), "truncated chunk");
        let mut b = header(true);
        b.extend_from_slice(&[0, 0, 0, 0, 2]);
        varint(&mut b, 1 << 60);
        b.extend_from_slice(&[0; 64]);
        assert_eq!(undump(&b).unwrap_err(), "truncated chunk");
        let mut b = header(true);
        b.extend_from_slice(&[0, 0, 0, 0, 2]);
        varint(&mut b, u64::MAX);
        assert_eq!(undump(&b).unwrap_err(), "truncated chunk");
        // A varint longer than 64 bits.
        let mut b = header(true);
        b.extend_from_slice(&[0xff; 11]);
        assert_eq!(undump(&b).unwrap_err(), "corrupted chunk");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        // `depth` functions, each the only child of the one before, each just `return`.
        let nested = |depth: usize| {
            let mut b = header(true);
            let ret0 = Instr::abc(Op::Return0, 0, 0, 0, true).0.to_le_bytes();
            for level in 0..=depth {
                b.extend_from_slice(&[0, 0, 0, 0, 2, 1]);
                b.extend_from_slice(&ret0);
                b.extend_from_slice(&[0, 0, u8::from(level < depth)]);
            }
            for _ in 0..=depth {
                b.extend_from_slice(&[1, 0, 0, 0]);
            }
            b
        };
        assert!(
            undump(&nested(100_000))
                .unwrap_err()
                .contains("nested too deeply")
        );
        // Within the limit the same shape loads.
        let b = nested(MAX_NESTING - 1);
        assert!(undump(&b).is_ok());
    }

    /// Dumping a loaded chunk gives the same bytes (libraries compare dumps), and a chunk whose
    /// returns claim "nothing to close" in a function that can leave something open is not
    /// believed.
    #[test]
    fn dumps_round_trip_and_close_checks_are_restored() {
        let src = "local t <close> = nil
                   local function f(...) local x = ... ; return function() return x end end
                   for k in pairs({}) do end
                   return function() return 1 end, f";
        let p = compile(src).unwrap();
        for strip in [false, true] {
            let once = dump(&p, b"=t", strip);
            let (loaded, _) = undump(&once).unwrap();
            assert_eq!(dump(&loaded, b"=t", strip), once);
        }
        let returns = |p: &FuncProto| {
            p.code
                .iter()
                .filter(|i| matches!(i.op(), Op::Return0 | Op::Return1))
                .map(|i| i.k())
                .collect::<Vec<_>>()
        };
        // The main function and `f` need the checks; the closure returning 1 does not.
        assert!(returns(&p).iter().all(|&k| k));
        assert!(returns(&p.protos[0]).iter().all(|&k| k));
        assert!(returns(&p.protos[1]).iter().all(|&k| !k));
        let mut forged = p.clone();
        for i in forged
            .code
            .iter_mut()
            .chain(forged.protos[0].code.iter_mut())
        {
            if matches!(i.op(), Op::Return0 | Op::Return1) {
                *i = Instr::abc(i.op(), i.a() as u32, 0, 0, false);
            }
        }
        let (loaded, _) = undump(&dump(&forged, b"=t", false)).unwrap();
        assert!(returns(&loaded).iter().all(|&k| k));
        assert!(returns(&loaded.protos[0]).iter().all(|&k| k));
        assert!(returns(&loaded.protos[1]).iter().all(|&k| !k));
    }

    #[test]
    fn headers_are_checked_like_puc_lua() {
        let good = dump(&sample(), b"=s", false);
        let with = |at: usize, byte: u8| {
            let mut b = good.clone();
            b[at] = byte;
            undump(&b).unwrap_err()
        };
        assert_eq!(with(1, b'X'), "not a binary chunk");
        assert_eq!(with(4, 0x53), "version mismatch");
        assert_eq!(with(5, 1), "format mismatch");
        assert_eq!(with(9, b'\r'), "corrupted chunk");
        assert_eq!(with(12, 8), "Instruction size mismatch");
        assert_eq!(with(13, 4), "lua_Integer size mismatch");
        assert_eq!(with(14, 4), "lua_Number size mismatch");
        assert_eq!(with(15, 0x56), "integer format mismatch");
        assert_eq!(with(30, 0), "float format mismatch");
        for n in 0..good.len() {
            assert_eq!(undump(&good[..n]).unwrap_err(), "truncated chunk", "{n}");
        }
        assert_eq!(with(31, 1), "not a Moonpool chunk");
        assert_eq!(with(33, 0xff), "not a Moonpool chunk");
        // A chunk of PUC Lua 5.4 (`luac -s` of an empty file): same header, other body.
        let puc = b"\x1b\x4c\x75\x61\x54\x00\x19\x93\x0d\x0a\x1a\x0a\x04\x08\x08\x78\x56\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x28\x77\x40\x01\x80\x80\x80\x00\x01\x02\x82\x51\x00\x00\x00\x46\x00\x01\x01\x80\x81\x01\x00\x00\x80\x80\x80\x80\x80";
        assert_eq!(undump(puc).unwrap_err(), "not a Moonpool chunk");
    }

    /// Every single-byte change and every truncation of a few chunks: `undump` returns, and what
    /// it accepts passes the verifier (running such chunks is `tests/dump.rs`).
    #[test]
    fn mutated_chunks_never_panic() {
        let chunks = [
            sample(),
            compile("local a, b = ... return a // b, a % b, a .. b, #a, -b, ~a").unwrap(),
            compile("local t = {} for i = 1, 300 do t[i] = i * 0.5 end return t").unwrap(),
        ];
        for p in &chunks {
            for strip in [false, true] {
                let good = dump(p, b"@m.lua", strip);
                for at in 0..good.len() {
                    for byte in [0u8, 1, 0x7f, 0x80, 0xff, good[at] ^ 1, good[at] ^ 0x40] {
                        let mut b = good.clone();
                        b[at] = byte;
                        if let Ok((q, _)) = undump(&b) {
                            verify(&q).unwrap();
                        }
                    }
                    let _ = undump(&good[..at]);
                }
            }
        }
    }
}
