//! Positions, variable names for error messages, call levels and tracebacks.
//!
//! Like PUC Lua, names are recovered from the bytecode: the instruction that loaded the offending
//! register tells whether the value came from a global, a field, an upvalue, a method or a local.
//!
//! Native functions push no frame (a call to one costs nothing beyond the call), yet the debug
//! library and tracebacks count them as levels, as PUC Lua does. `Vm::levels` rebuilds them only
//! when asked, from what the frames already say: a Lua frame whose current instruction is a call
//! of a native is inside that native (it has not returned: it is running, raised the error being
//! handled, or handed control to a `pcall`, a resume or a yield); a `pcall`/`xpcall` frame sits on
//! its protected-call natives; and the running native is `native_callee`.

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

/// One level of a coroutine's call stack, as `debug.getinfo` and tracebacks count them.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Level {
    Lua(FrameKey),
    /// A native function. `func` is Nil when its slot was reused (an `xpcall`'s holds its
    /// handler) or for the host at the bottom of the main coroutine; `name` then says what it
    /// was. `called_by` is the Lua frame whose call instruction called it, which names it.
    Native {
        func: Value,
        called_by: Option<FrameKey>,
        name: Option<&'static str>,
    },
}

/// Levels shown before and after the "..." of a long traceback (PUC Lua's LEVELS1, LEVELS2).
const TRACEBACK_HEAD: usize = 10;
const TRACEBACK_TAIL: usize = 11;

impl Vm {
    /// The call levels of coroutine `t`, innermost first (see the module doc). Built on demand
    /// for the debug library and tracebacks; ordinary calls pay nothing for it.
    pub(crate) fn levels(&self, t: super::thread::ThreadKey) -> Vec<Level> {
        let mut out = Vec::new();
        let Some(th) = self.threads.get(t) else {
            return out;
        };
        let running = t == self.current;
        let mut f = th.top_frame;
        if running && self.in_native {
            let callee = self.native_callee;
            let direct = f.and_then(|k| self.call_target(k));
            let is_direct = direct.is_some_and(|v| v.raw_eq(&callee));
            out.push(Level::Native {
                func: callee,
                called_by: if is_direct { f } else { None },
                name: None,
            });
            // Called by a native that the Lua frame called (`pcall(debug.traceback)`).
            if let Some(v) = direct
                && !is_direct
                && is_native(&v)
            {
                out.push(Level::Native {
                    func: v,
                    called_by: f,
                    name: None,
                });
            }
        } else if th.status == super::thread::CoStatus::Dead {
            // Killed by an error a native raised.
            if !th.died_in.is_nil() {
                out.push(Level::Native {
                    func: th.died_in,
                    called_by: f,
                    name: None,
                });
            }
        } else if (running || th.status == super::thread::CoStatus::Suspended)
            && let Some(k) = f
            && let Some(v) = self.call_target(k)
            && is_native(&v)
        {
            // Suspended in `coroutine.yield` (or another native that yields), or, while an
            // error is handled, the native that raised it (`error`, `string.rep`).
            out.push(Level::Native {
                func: v,
                called_by: f,
                name: None,
            });
        }
        // The frame of a failed protected call stays while its variables close, but (as in PUC
        // Lua) its function is gone: the `__close` methods are called by the protected call.
        let mut unwinding = false;
        while let Some(k) = f {
            if !std::mem::take(&mut unwinding) {
                out.push(Level::Lua(k));
            }
            let fr = &self.frames[k];
            unwinding = fr.kind == FrameKind::CloseUnwind;
            match fr.kind {
                FrameKind::Pcall | FrameKind::Xpcall => {
                    // The protected-call natives below (several for `pcall(pcall, f)`).
                    for i in 0..=fr.aux {
                        let slot = fr.func - 1 - i;
                        let v = th.stack.get(slot).copied().unwrap_or(Value::Nil);
                        let outermost = i == fr.aux;
                        // An xpcall's own slot holds its message handler now.
                        let handler_slot = i == 0 && fr.kind == FrameKind::Xpcall;
                        let (func, name) = if is_native(&v) && !handler_slot {
                            (v, None)
                        } else {
                            (Value::Nil, Some("xpcall"))
                        };
                        out.push(Level::Native {
                            func,
                            called_by: if outermost { fr.parent } else { None },
                            name,
                        });
                    }
                }
                FrameKind::Fresh => match fr.parent {
                    // Called from a native (a `sort` comparator, a `gsub` callback).
                    // Called by a native under pcall or xpcall (`xpcall(require, h, m)`): that
                    // native and the protected call.
                    Some(p)
                        if t == self.current
                            && let Some(
                                b @ (super::exec::Barrier::Pcall { callee }
                                | super::exec::Barrier::Xpcall { callee, .. }),
                            ) = self.barrier_of(Some(p)) =>
                    {
                        let at = |slot: usize| th.stack.get(slot).copied().unwrap_or(Value::Nil);
                        out.push(Level::Native {
                            func: at(callee),
                            called_by: None,
                            name: None,
                        });
                        // An xpcall's slot holds its message handler now.
                        let (func, name) = match b {
                            super::exec::Barrier::Pcall { .. } => (at(callee - 1), None),
                            _ => (Value::Nil, Some("xpcall")),
                        };
                        out.push(Level::Native {
                            func,
                            called_by: Some(p),
                            name,
                        });
                    }
                    // A hook between two instructions of `p`.
                    Some(p)
                        if self.hooks.running
                            && self.hooks.at_instruction
                            && self.hooks.hooked_frame == Some(p) => {}
                    Some(p) => {
                        let returning = self.returning_native.filter(|&(k, _)| k == p);
                        if let Some(v) = returning.map(|(_, v)| v).or_else(|| self.call_target(p))
                            && is_native(&v)
                        {
                            out.push(Level::Native {
                                func: v,
                                called_by: Some(p),
                                name: None,
                            });
                        }
                    }
                    // Called by the host: PUC Lua's stand-alone interpreter shows its C entry.
                    None if t == self.main => out.push(Level::Native {
                        func: Value::Nil,
                        called_by: None,
                        name: None,
                    }),
                    None => {}
                },
                _ => {}
            }
            f = fr.parent;
        }
        out
    }

    /// While a call or return hook runs in coroutine `t`: the index in `levels` of the hooked
    /// function (the level below the hook's own) and the values the event transfers.
    pub(crate) fn hooked_level(
        &self,
        t: super::thread::ThreadKey,
        levels: &[Level],
    ) -> Option<(usize, super::state::Transfer)> {
        let (owner, transfer) = self.hook_transfer?;
        if t != owner || t != self.current || !self.hooks.running {
            return None;
        }
        let hook = levels.iter().position(|l| {
            matches!(*l, Level::Lua(k) if self.frames[k].kind == FrameKind::Fresh
                && self.frames[k].parent == self.hooks.hooked_frame)
        })?;
        Some((hook + 1, transfer))
    }

    /// The function frame `k` is calling, if its current instruction is a call.
    pub(crate) fn call_target(&self, k: FrameKey) -> Option<Value> {
        let fr = self.frames.get(k)?;
        let p = fr.closure.proto;
        let pc = fr.pc.checked_sub(1)?;
        let i = *p.code.get(pc)?;
        match i.op() {
            Op::Call | Op::TailCall => self.stack_value_of(k, fr.base + i.a()),
            _ => None,
        }
    }

    /// The value in `slot` of the coroutine that owns frame `k`.
    fn stack_value_of(&self, k: FrameKey, slot: usize) -> Option<Value> {
        let owner = self.frame_owner(k)?;
        self.threads.get(owner)?.stack.get(slot).copied()
    }

    /// The coroutine whose call chain holds frame `k` (the current one almost always).
    fn frame_owner(&self, k: FrameKey) -> Option<super::thread::ThreadKey> {
        let on_chain = |t: &super::thread::Coroutine| {
            let mut f = t.top_frame;
            while let Some(x) = f {
                if x == k {
                    return true;
                }
                f = self.frames.get(x).and_then(|fr| fr.parent);
            }
            false
        };
        if self.threads.get(self.current).is_some_and(|t| on_chain(t)) {
            return Some(self.current);
        }
        self.threads
            .iter()
            .find(|(_, t)| on_chain(t))
            .map(|(key, _)| key)
    }

    /// How level `i` of `levels` was called: ("global", "f"), ("method", "m"),
    /// ("metamethod", "index"), ("for iterator", "for iterator"), ...; None when unknown (a
    /// function called by a native, a tail call).
    pub(crate) fn level_name(&self, level: &Level) -> Option<(&'static str, String)> {
        match *level {
            Level::Native { called_by, .. } => {
                let k = called_by?;
                let fr = self.frames.get(k)?;
                let p = fr.closure.proto;
                let pc = fr.pc.checked_sub(1)?;
                let i = *p.code.get(pc)?;
                match i.op() {
                    Op::Call | Op::TailCall => obj_name(&p, pc, i.a()),
                    _ => None,
                }
            }
            Level::Lua(k) => {
                let fr = self.frames.get(k)?;
                if fr.tail {
                    return None;
                }
                if fr.kind == FrameKind::Fresh
                    && matches!(
                        self.barrier_of(fr.parent),
                        Some(super::exec::Barrier::Finalizer)
                    )
                {
                    return Some(("metamethod", "__gc".into()));
                }
                let parent = self.frames.get(fr.parent?)?;
                let p = parent.closure.proto;
                let pc = parent.pc.checked_sub(1)?;
                let i = *p.code.get(pc)?;
                match fr.kind {
                    FrameKind::Lua | FrameKind::Capped => match i.op() {
                        Op::Call | Op::TailCall => obj_name(&p, pc, i.a()),
                        Op::TForCall => Some(("for iterator", "for iterator".into())),
                        _ => None,
                    },
                    // Called by the failed protected call (a native): no name, as in PUC Lua.
                    FrameKind::CloseUnwind => None,
                    // The hook function, called where it interrupted its caller.
                    FrameKind::Fresh
                        if self.hooks.running && self.hooks.hooked_frame == fr.parent =>
                    {
                        Some(("hook", "?".into()))
                    }
                    // A metamethod the instruction ran (a `__close` runs from Close or Return).
                    FrameKind::Meta | FrameKind::Fresh | FrameKind::Close => {
                        metamethod_of(i.op()).map(|m| ("metamethod", m.to_string()))
                    }
                    _ => None,
                }
            }
        }
    }

    /// "string.rep" or "print" when `f` is a field of a loaded module (PUC Lua's
    /// `pushglobalfuncname`, which tracebacks try first).
    pub(crate) fn loaded_name_of(&self, f: &Value) -> Option<String> {
        if f.is_nil() {
            return None;
        }
        let loaded = self.registry_field(b"_LOADED")?.as_table()?;
        let mut key = Value::Nil;
        while let Ok(Some((k, m))) = loaded.next(key) {
            key = k;
            let (Value::Str(modname), Value::Table(m)) = (k, m) else {
                continue;
            };
            let mut fk = Value::Nil;
            while let Ok(Some((name, v))) = m.next(fk) {
                fk = name;
                if v.raw_eq(f)
                    && let Value::Str(name) = name
                {
                    let modname = modname.to_str_lossy();
                    let name = name.to_str_lossy();
                    return Some(if modname == "_G" {
                        name.into_owned()
                    } else {
                        format!("{modname}.{name}")
                    });
                }
            }
        }
        None
    }

    /// A string-keyed field of the registry, found without interning the key (`&self`).
    fn registry_field(&self, name: &[u8]) -> Option<Value> {
        let mut key = Value::Nil;
        while let Ok(Some((k, v))) = self.registry.next(key) {
            if let Value::Str(s) = k
                && s.as_bytes() == name
            {
                return Some(v);
            }
            key = k;
        }
        None
    }

    /// `stack traceback:` lines for coroutine `t` from `level` on (0 = innermost), in PUC Lua's
    /// format, long ones cut to their first 10 and last 11 levels.
    pub(crate) fn traceback_of(&self, t: super::thread::ThreadKey, level: usize) -> String {
        let levels = self.levels(t);
        let mut out = String::from("stack traceback:");
        let last = levels.len().saturating_sub(1);
        let show_all = last.saturating_sub(level) <= TRACEBACK_HEAD + TRACEBACK_TAIL;
        let mut i = level;
        let mut shown = 0;
        while i < levels.len() {
            if !show_all && shown == TRACEBACK_HEAD {
                // As luaL_traceback counts: this level goes too, unnumbered.
                let skip = last - i - TRACEBACK_TAIL;
                out.push_str(&format!("\n\t...\t(skipping {skip} levels)"));
                i += skip + 1;
                shown += 1;
                continue;
            }
            shown += 1;
            self.push_traceback_line(&mut out, &levels[i]);
            i += 1;
        }
        out
    }

    fn push_traceback_line(&self, out: &mut String, level: &Level) {
        use std::fmt::Write;
        match *level {
            Level::Native { func, name, .. } => {
                let global = self.loaded_name_of(&func).or(name.map(String::from));
                let what = match global {
                    Some(g) => format!("function '{g}'"),
                    None => match self.level_name(level) {
                        Some((kind, n)) => format!("{kind} '{n}'"),
                        None => "?".into(),
                    },
                };
                let _ = write!(out, "\n\t[C]: in {what}");
            }
            Level::Lua(k) => {
                let fr = &self.frames[k];
                let p = fr.closure.proto;
                let src = short_src(p.source.as_bytes());
                let line = current_line(&p, fr.pc);
                let what = match self.loaded_name_of(&Value::LuaFn(fr.closure)) {
                    Some(g) => format!("function '{g}'"),
                    None => match self.level_name(level) {
                        Some((kind, n)) => format!("{kind} '{n}'"),
                        None if p.linedefined == 0 => "main chunk".into(),
                        None => format!("function <{}:{}>", src, p.linedefined),
                    },
                };
                if line <= 0 {
                    let _ = write!(out, "\n\t{src}: in {what}");
                } else {
                    let _ = write!(out, "\n\t{src}:{line}: in {what}");
                }
                if fr.tail {
                    out.push_str("\n\t(...tail calls...)");
                }
            }
        }
    }

    /// The running Lua frame of the current coroutine, if the top of its stack is Lua code.
    fn top_lua_frame(&self) -> Option<FrameKey> {
        self.th().top_frame
    }

    /// "chunk:line:" of the current Lua frame (level 1), or "" when not in Lua code, like
    /// `luaL_where`: also "" in a function without line information (a stripped binary chunk).
    pub(crate) fn where_prefix(&self, level: usize) -> String {
        self.position(level, false)
    }

    /// `where_prefix`; with `always`, a function without line information is "?:-1:" (its
    /// source is stripped too), as `luaG_runerror` puts it.
    fn position(&self, level: usize, always: bool) -> String {
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
                let line = current_line(&p, fr.pc);
                if line < 0 && !always {
                    return String::new();
                }
                format!("{}:{}: ", short_src(p.source.as_bytes()), line)
            }
            None => String::new(),
        }
    }

    /// A runtime error with the current position, like `luaG_runerror` (or, raised by a
    /// native function, like `luaL_error`).
    pub(crate) fn rt_error(&mut self, msg: &str) -> LuaError {
        let full = format!("{}{}", self.position(1, !self.in_native), msg);
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

    /// `stack traceback:` lines for the current coroutine, innermost first (the running native,
    /// e.g. `error`, included).
    pub(crate) fn traceback(&self) -> String {
        self.traceback_of(self.current, 0)
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

fn is_native(v: &Value) -> bool {
    matches!(v, Value::Native(_) | Value::NativeClosure(_))
}

/// The metamethod an instruction calls (PUC Lua's `funcnamefromcode`), without the "__".
fn metamethod_of(op: Op) -> Option<&'static str> {
    Some(match op {
        Op::SelfOp | Op::GetTabUp | Op::GetTable | Op::GetI | Op::GetField => "index",
        Op::SetTabUp | Op::SetTable | Op::SetI | Op::SetField => "newindex",
        Op::AddI | Op::AddK | Op::Add => "add",
        Op::SubK | Op::Sub => "sub",
        Op::MulK | Op::Mul => "mul",
        Op::ModK | Op::Mod => "mod",
        Op::PowK | Op::Pow => "pow",
        Op::DivK | Op::Div => "div",
        Op::IDivK | Op::IDiv => "idiv",
        Op::BAndK | Op::BAnd => "band",
        Op::BOrK | Op::BOr => "bor",
        Op::BXorK | Op::BXor => "bxor",
        Op::ShlI | Op::Shl => "shl",
        Op::ShrI | Op::Shr => "shr",
        Op::Unm => "unm",
        Op::BNot => "bnot",
        Op::Len => "len",
        Op::Concat => "concat",
        Op::Eq | Op::EqK | Op::EqI => "eq",
        Op::Lt | Op::LtI | Op::GtI => "lt",
        Op::Le | Op::LeI | Op::GeI => "le",
        Op::Close | Op::Return | Op::Return0 | Op::Return1 => "close",
        _ => return None,
    })
}

/// Line of the instruction before `pc` (the one executing when the frame was suspended).
pub(crate) fn line_at(p: &Gc<Proto>, pc: usize) -> u32 {
    if p.lineinfo.is_empty() {
        return p.linedefined;
    }
    let i = pc.saturating_sub(1).min(p.lineinfo.len() - 1);
    p.lineinfo[i]
}

/// `line_at`, but -1 for a function without line information (a stripped binary chunk), as
/// PUC Lua's `currentline`.
pub(crate) fn current_line(p: &Gc<Proto>, pc: usize) -> i64 {
    if p.lineinfo.is_empty() {
        -1
    } else {
        line_at(p, pc) as i64
    }
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
        // (A loop's control registers hold no named value.)
        Op::TForLoop | Op::ForLoop | Op::ForPrep => false,
        op if op.writes_no_register() => false,
        Op::VarArg => reg >= a,
        _ => a == reg,
    }
}

/// "global" when the table register `t` indexed at `pc` is the variable `_ENV` (a local or an
/// upvalue of that name, as PUC Lua's `isEnv` decides), else "field".
fn env_or_field(p: &Proto, pc: usize, t: usize, depth: usize) -> &'static str {
    match obj_name_within(p, pc, t, depth + 1) {
        Some(("local" | "upvalue", name)) if name == "_ENV" => "global",
        _ => "field",
    }
}

/// The string constant register `reg` holds at `pc`, if it was loaded from one.
fn register_constant(p: &Proto, pc: usize, reg: usize, depth: usize) -> Option<String> {
    match obj_name_within(p, pc, reg, depth + 1) {
        Some(("constant", s)) => Some(s),
        _ => None,
    }
}

/// Symbolic recovery of a register's name at `pc`: ("global", "x"), ("local", "t"), ...
pub(crate) fn obj_name(p: &Proto, pc: usize, reg: usize) -> Option<(&'static str, String)> {
    obj_name_within(p, pc, reg, 0)
}

/// How many moves and table reads `obj_name` follows back: compiled code needs a few; a
/// binary chunk could chain one per instruction, deeper than the Rust stack.
const MAX_NAME_DEPTH: usize = 64;

fn obj_name_within(
    p: &Proto,
    pc: usize,
    reg: usize,
    depth: usize,
) -> Option<(&'static str, String)> {
    if depth > MAX_NAME_DEPTH {
        return None;
    }
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
                return obj_name_within(p, idx, b, depth + 1);
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
            Some((env_or_field(p, idx, ins.b(), depth), k))
        }
        Op::GetTable => {
            // (A key past the constants an instruction can name is loaded into a register.)
            let key = register_constant(p, idx, ins.c(), depth).unwrap_or_else(|| "?".into());
            Some((env_or_field(p, idx, ins.b(), depth), key))
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
                register_constant(p, idx, ins.c(), depth).unwrap_or_else(|| "?".into())
            };
            Some(("method", key))
        }
        _ => None,
    }
}
