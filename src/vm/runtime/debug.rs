//! Positions, variable names for error messages, and tracebacks.
//!
//! Like PUC Lua, names are recovered from the bytecode: the instruction that loaded the offending
//! register tells whether the value came from a global, a field, an upvalue, a method or a local.

use super::error::LuaError;
use super::frame::{FrameKey, FrameKind};
use super::function::Proto;
use super::gc::Gc;
use super::state::{Vm, short_src};
use super::value::Value;
use crate::vm::bytecode::opcode::{Instr, Op};

/// Where an operand came from, so an error can name it.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Origin {
    Reg(usize),
    Upval(usize),
    None,
}

impl Vm {
    /// The running Lua frame of the current coroutine, if the top of its stack is Lua code.
    fn top_lua_frame(&self) -> Option<FrameKey> {
        self.th().top_frame
    }

    /// "chunk:line:" of the current Lua frame (level 1), or "" when not in Lua code.
    pub(crate) fn where_prefix(&self, level: usize) -> String {
        if self.in_native_from_native && level == 1 {
            return String::new();
        }
        let mut f = self.top_lua_frame();
        for _ in 1..level {
            match f {
                Some(k) => {
                    let fr = &self.frames[k];
                    // The caller of a frame entered from Rust (pcall, resume, the host) is a
                    // native function: no position, like a C level in PUC Lua.
                    if matches!(
                        fr.kind,
                        FrameKind::Pcall
                            | FrameKind::Xpcall
                            | FrameKind::Fresh
                            | FrameKind::CoroutineBody
                    ) {
                        return String::new();
                    }
                    f = fr.parent;
                }
                None => break,
            }
        }
        match f {
            Some(k) => {
                let fr = &self.frames[k];
                let p = fr.closure.proto;
                let line = line_at(&p, fr.pc);
                format!("{}:{}: ", short_src(p.source.as_bytes()), line)
            }
            None => String::new(),
        }
    }

    /// A runtime error with the current position, like `luaG_runerror`.
    pub(crate) fn rt_error(&mut self, msg: &str) -> LuaError {
        let full = format!("{}{}", self.where_prefix(1), msg);
        LuaError::Value(self.str_value(&full))
    }

    /// An error raised by the VM itself (`luaG_runerror`): positioned in Lua code, plain when a
    /// native function is running.
    pub(crate) fn vm_error(&mut self, msg: &str) -> LuaError {
        if self.in_native {
            self.plain_error(msg)
        } else {
            self.rt_error(msg)
        }
    }

    /// `bad argument #n to 'fname' (msg)`, named like Lua names it: by the call site when a
    /// Lua frame made the call (a method call does not count `self`), else by the library path.
    pub(crate) fn arg_error(&mut self, n: usize, fname: &str, msg: &str) -> LuaError {
        let mut n = n;
        let name = if self.in_native_from_native {
            self.global_func_name(fname)
        } else {
            match self.call_site_name() {
                Some(("method", m)) => {
                    n -= 1;
                    if n == 0 {
                        return self.rt_error(&format!("calling '{m}' on bad self ({msg})"));
                    }
                    m
                }
                Some((_, m)) => m,
                None => fname.to_string(),
            }
        };
        self.rt_error(&format!("bad argument #{n} to '{name}' ({msg})"))
    }

    /// Name of the function being called by the current Lua frame's call instruction.
    fn call_site_name(&self) -> Option<(&'static str, String)> {
        let k = self.top_lua_frame()?;
        let fr = &self.frames[k];
        let p = fr.closure.proto;
        let pc = fr.pc.checked_sub(1)?;
        let i = *p.code.get(pc)?;
        match i.op() {
            Op::Call | Op::TailCall => obj_name(&p, pc, i.a()),
            Op::TForCall => Some(("for iterator", "for iterator".into())),
            _ => None,
        }
    }

    /// "string.rep" for a library function called from Rust code (Lua searches the loaded
    /// libraries for it).
    fn global_func_name(&mut self, fname: &str) -> String {
        // Like Lua, find the running function by identity among the loaded libraries.
        let callee = self.native_callee;
        for lib in [
            "_G",
            "string",
            "table",
            "math",
            "os",
            "coroutine",
            "utf8",
            "io",
            "debug",
        ] {
            let t = if lib == "_G" {
                Some(self.globals)
            } else {
                self.global_value(lib).as_table()
            };
            let Some(t) = t else { continue };
            let mut key = Value::Nil;
            while let Ok(Some((k, v))) = t.next(key) {
                if v.raw_eq(&callee)
                    && let Value::Str(name) = k
                {
                    let name = name.to_str_lossy();
                    return if lib == "_G" {
                        name.into_owned()
                    } else {
                        format!("{lib}.{name}")
                    };
                }
                key = k;
            }
        }
        fname.to_string()
    }

    /// Type name for messages, honouring `__name`.
    pub(crate) fn obj_type_name(&mut self, v: &Value) -> String {
        if let Some(mt) = self.get_metatable(v) {
            let name = self.tm_names[super::meta::Tm::Name as usize];
            if let Value::Str(s) = mt.get_str(name) {
                return s.to_str_lossy().into_owned();
            }
        }
        v.type_name().to_string()
    }

    /// " (global 'x')" style suffix for the value's origin in the current frame, or "".
    pub(crate) fn varinfo(&self, origin: Origin) -> String {
        let Some(k) = self.top_lua_frame() else {
            return String::new();
        };
        let fr = &self.frames[k];
        let p = fr.closure.proto;
        let pc = fr.pc.saturating_sub(1);
        let r = match origin {
            Origin::Reg(reg) => obj_name(&p, pc, reg),
            Origin::Upval(u) => Some(("upvalue", upval_name(&p, u))),
            Origin::None => None,
        };
        match r {
            Some((kind, name)) => format!(" ({kind} '{name}')"),
            None => String::new(),
        }
    }

    /// `stack traceback:` lines for the current coroutine, innermost first.
    pub(crate) fn traceback(&self) -> String {
        let mut out = String::from("stack traceback:");
        let mut f = self.th().top_frame;
        let mut n = 0;
        while let Some(k) = f {
            let fr = &self.frames[k];
            let p = fr.closure.proto;
            n += 1;
            if n > 22 && fr.parent.is_some() {
                // Keep very deep tracebacks short, as Lua does.
                let mut rest = 0;
                let mut g = fr.parent;
                while let Some(gk) = g {
                    rest += 1;
                    g = self.frames[gk].parent;
                }
                if rest > 11 {
                    out.push_str(&format!("\n\t...\t(skipping {} levels)", rest - 10));
                    let mut g = fr.parent;
                    for _ in 0..rest - 10 {
                        g = self.frames[g.unwrap()].parent;
                    }
                    f = g;
                    continue;
                }
            }
            let src = short_src(p.source.as_bytes());
            let line = line_at(&p, fr.pc);
            let what = if p.linedefined == 0 {
                "in main chunk".to_string()
            } else {
                format!("in function <{}:{}>", src, p.linedefined)
            };
            out.push_str(&format!("\n\t{src}:{line}: {what}"));
            if fr.tail {
                out.push_str("\n\t(...tail calls...)");
            }
            if fr.kind == FrameKind::Fresh || fr.kind == FrameKind::CoroutineBody {
                // Crossing into Rust: Lua shows the C function that made the call.
            }
            f = fr.parent;
        }
        out.push_str("\n\t[C]: in ?");
        out
    }
}

impl Vm {
    #[cfg(feature = "overlay")]
    /// The line coroutine `t` is at in the innermost of its frames whose chunk is named `chunk`
    /// (e.g. `"@scripts/mover.lua"`): where a script's task is waiting, past the helpers it
    /// called to wait.
    pub(crate) fn thread_line_in(&self, t: super::thread::ThreadKey, chunk: &str) -> Option<u32> {
        let mut f = self.threads.get(t)?.top_frame;
        while let Some(k) = f {
            let fr = self.frames.get(k)?;
            let p = fr.closure.proto;
            if p.source.as_bytes() == chunk.as_bytes() {
                return Some(line_at(&p, fr.pc));
            }
            f = fr.parent;
        }
        None
    }
}

/// Line of the instruction before `pc` (the one executing when the frame was suspended).
pub(crate) fn line_at(p: &Gc<Proto>, pc: usize) -> u32 {
    if p.lineinfo.is_empty() {
        return p.linedefined;
    }
    let i = pc.saturating_sub(1).min(p.lineinfo.len() - 1);
    p.lineinfo[i]
}

fn upval_name(p: &Proto, u: usize) -> String {
    p.upvals
        .get(u)
        .map(|d| String::from_utf8_lossy(&d.name).into_owned())
        .unwrap_or_else(|| "?".into())
}

fn local_name(p: &Proto, pc: usize, reg: usize) -> Option<String> {
    // Innermost (latest declared) active local in that register.
    p.locvars
        .iter()
        .rev()
        .find(|l| l.reg as usize == reg && (l.start_pc as usize) <= pc && pc < l.end_pc as usize)
        .filter(|l| !l.name.starts_with(b"("))
        .map(|l| String::from_utf8_lossy(&l.name).into_owned())
}

fn const_str(p: &Proto, k: usize) -> Option<String> {
    match p.consts.get(k) {
        Some(Value::Str(s)) => Some(s.to_str_lossy().into_owned()),
        _ => None,
    }
}

/// Does instruction `i` write register `reg`?
fn writes_reg(i: Instr, reg: usize) -> bool {
    let a = i.a();
    match i.op() {
        Op::LoadNil => a <= reg && reg <= a + i.b(),
        Op::Call | Op::TailCall => reg >= a,
        Op::TForCall => reg >= a + 4,
        Op::SelfOp => reg == a || reg == a + 1,
        Op::Jmp
        | Op::SetTabUp
        | Op::SetTable
        | Op::SetI
        | Op::SetField
        | Op::SetUpval
        | Op::Eq
        | Op::Lt
        | Op::Le
        | Op::EqK
        | Op::EqI
        | Op::LtI
        | Op::LeI
        | Op::GtI
        | Op::GeI
        | Op::Test
        | Op::Return
        | Op::Return0
        | Op::Return1
        | Op::SetList
        | Op::Close
        | Op::Tbc
        | Op::ExtraArg
        | Op::TForPrep
        | Op::TForLoop
        | Op::ForLoop
        | Op::ForPrep => false,
        Op::VarArg => reg >= a,
        _ => a == reg,
    }
}

/// Symbolic recovery of a register's name at `pc`: ("global", "x"), ("local", "t"), ...
pub(crate) fn obj_name(p: &Proto, pc: usize, reg: usize) -> Option<(&'static str, String)> {
    if let Some(n) = local_name(p, pc, reg) {
        return Some(("local", n));
    }
    // The last instruction before `pc` that wrote the register, skipping over forward jumps that
    // land after it (conditional code may not have run).
    let mut setter = None;
    let mut jump_target = 0usize;
    for (idx, &ins) in p.code[..pc.min(p.code.len())].iter().enumerate() {
        if ins.op() == Op::Jmp {
            let dest = (idx as i64 + 1 + ins.sj()) as usize;
            if idx < dest && dest <= pc && dest > jump_target {
                jump_target = dest;
            }
            continue;
        }
        if writes_reg(ins, reg) {
            setter = if idx < jump_target { None } else { Some(idx) };
        }
    }
    let idx = setter?;
    let ins = p.code[idx];
    match ins.op() {
        Op::Move => {
            let b = ins.b();
            if b < ins.a() {
                return obj_name(p, idx, b);
            }
            None
        }
        Op::GetTabUp => {
            let k = const_str(p, ins.c())?;
            if upval_name(p, ins.b()) == "_ENV" {
                Some(("global", k))
            } else {
                Some(("field", k))
            }
        }
        Op::GetField => {
            let k = const_str(p, ins.c())?;
            let is_env = local_name(p, idx, ins.b()).as_deref() == Some("_ENV");
            Some((if is_env { "global" } else { "field" }, k))
        }
        Op::GetTable => {
            let key = match obj_name(p, idx, ins.c()) {
                Some(("constant", s)) => s,
                _ => "?".into(),
            };
            Some(("field", key))
        }
        Op::GetI => Some(("field", "integer index".into())),
        Op::GetUpval => Some(("upvalue", upval_name(p, ins.b()))),
        Op::LoadK => const_str(p, ins.bx()).map(|s| ("constant", s)),
        Op::LoadKX => {
            let k = p.code.get(idx + 1)?.ax();
            const_str(p, k).map(|s| ("constant", s))
        }
        Op::SelfOp => {
            let key = if ins.k() {
                const_str(p, ins.c())?
            } else {
                "?".into()
            };
            Some(("method", key))
        }
        _ => None,
    }
}
