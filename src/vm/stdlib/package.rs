//! `require` and the `package` library.
//!
//! Game scripts get `require` with `package.loaded` and `package.preload` (the host registers
//! modules there); the standalone interpreter adds the file searcher over `package.path`.

use crate::vm::runtime::error::LuaResult;
use crate::vm::runtime::function::Args;
use crate::vm::runtime::gc::Gc;
use crate::vm::runtime::state::Vm;
use crate::vm::runtime::table::Table;
use crate::vm::runtime::value::Value;

/// Debian's lua5.4 default, so `require` looks where the system interpreter looks.
const DEFAULT_PATH: &str = "/usr/local/share/lua/5.4/?.lua;/usr/local/share/lua/5.4/?/init.lua;\
/usr/local/lib/lua/5.4/?.lua;/usr/local/lib/lua/5.4/?/init.lua;/usr/share/lua/5.4/?.lua;\
/usr/share/lua/5.4/?/init.lua;./?.lua;./?/init.lua";

/// Debian's lua5.4 default `package.cpath`. Moonpool loads no C libraries, but `require` searches
/// here as PUC Lua does, so its "not found" message lists the same files.
const DEFAULT_CPATH: &str = "/usr/local/lib/lua/5.4/?.so;/usr/lib/x86_64-linux-gnu/lua/5.4/?.so;\
/usr/lib/lua/5.4/?.so;/usr/local/lib/lua/5.4/loadall.so;./?.so";

/// What PUC Lua built without dynamic-library support says when a C module is found.
const NO_DYNAMIC_LIBS: &str = "dynamic libraries not enabled; check your Lua installation";

pub(crate) fn open(vm: &mut Vm) {
    let package = vm.new_table();
    let loaded = vm.new_table();
    let preload = vm.new_table();
    let searchers = vm.new_table();
    searchers
        .get_mut()
        .set_int(1, Value::Native(search_preload));
    vm.set_field(package, "loaded", Value::Table(loaded));
    vm.set_field(package, "preload", Value::Table(preload));
    vm.set_field(package, "searchers", Value::Table(searchers));
    let cfg = vm.str_value("/\n;\n?\n!\n-\n");
    vm.set_field(package, "config", cfg);
    let path = vm.str_value("");
    vm.set_field(package, "path", path);
    let cpath = vm.str_value("");
    vm.set_field(package, "cpath", cpath);
    vm.set_field(package, "searchpath", Value::Native(searchpath));
    vm.set_field(package, "loadlib", Value::Native(loadlib));
    vm.set_global_value("package", Value::Table(package));
    vm.set_global_value("require", Value::Native(require));
    // The registry keeps `package.loaded` even if a script replaces the global.
    let reg = vm.registry();
    vm.set_field(reg, "_LOADED", Value::Table(loaded));
    // And the preload table: `require` reads this one, as PUC Lua's does.
    vm.set_field(reg, "_PRELOAD", Value::Table(preload));
    // Libraries opened so far (and `_G`) are modules too.
    for name in [
        "_G",
        "package",
        "coroutine",
        "table",
        "string",
        "math",
        "utf8",
        "os",
        "io",
        "debug",
    ] {
        let lib = if name == "_G" {
            Value::Table(vm.globals())
        } else {
            vm.global_value(name)
        };
        if !lib.is_nil() {
            vm.set_field(loaded, name, lib);
        }
    }
}

/// Adds the file searcher and `package.path` (from `LUA_PATH_5_4` or `LUA_PATH`, where `;;`
/// stands for the default path), for the standalone interpreter.
pub(crate) fn open_cli(vm: &mut Vm, read_env: bool) {
    let Value::Table(package) = vm.global_value("package") else {
        return;
    };
    for (field, var, default) in [
        ("path", "LUA_PATH", DEFAULT_PATH),
        ("cpath", "LUA_CPATH", DEFAULT_CPATH),
    ] {
        let env = std::env::var(format!("{var}_5_4")).or_else(|_| std::env::var(var));
        let value = match env.ok().filter(|_| read_env) {
            Some(p) => expand_default_path(&p, default),
            None => default.to_string(),
        };
        let v = vm.str_value(&value);
        vm.set_field(package, field, v);
    }
    let key = vm.intern(b"searchers");
    if let Value::Table(searchers) = package.get_str(key) {
        let n = searchers.len();
        let list = searchers.get_mut();
        list.set_int(n + 1, Value::Native(search_lua_file));
        list.set_int(n + 2, Value::Native(search_c_file));
        list.set_int(n + 3, Value::Native(search_c_root));
    }
    // Modules opened after `package` (io, and the CLI parts of os) are registered too.
    if let Some(loaded) = loaded_table(vm) {
        for name in ["io", "os", "debug", "utf8"] {
            let lib = vm.global_value(name);
            if !lib.is_nil() {
                vm.set_field(loaded, name, lib);
            }
        }
    }
}

/// `;;` in `LUA_PATH`/`LUA_CPATH` stands for the default path (once, as in PUC Lua's `setpath`).
fn expand_default_path(path: &str, default: &str) -> String {
    match path.find(";;") {
        Some(at) => {
            let (head, tail) = (&path[..at], &path[at + 2..]);
            let mut out = String::from(head);
            if !head.is_empty() {
                out.push(';');
            }
            out.push_str(default);
            if !tail.is_empty() {
                out.push(';');
                out.push_str(tail);
            }
            out
        }
        None => path.to_string(),
    }
}

fn loaded_table(vm: &mut Vm) -> Option<Gc<Table>> {
    let reg = vm.registry();
    let k = vm.intern(b"_LOADED");
    reg.get_str(k).as_table()
}

fn package_field(vm: &mut Vm, name: &str) -> LuaResult<Value> {
    let package = vm.global_value("package");
    if !matches!(package, Value::Table(_)) {
        return Err(vm.rt_error("'package' must be a table"));
    }
    let k = vm.str_value(name);
    vm.index(package, k)
}

/// `package.path` or `package.cpath` as a string (a number is converted, as `lua_tostring` does).
fn package_path(vm: &mut Vm, name: &str) -> LuaResult<Gc<crate::vm::runtime::string::LuaStr>> {
    match package_field(vm, name)? {
        Value::Str(s) => Ok(s),
        v @ (Value::Int(_) | Value::Float(_)) => {
            let mut text = Vec::new();
            crate::vm::runtime::value::fmt_number(&mut text, &v);
            Ok(vm.intern(&text))
        }
        _ => Err(vm.rt_error(&format!("'package.{name}' must be a string"))),
    }
}

fn search_preload(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let name = vm.check_str(args, 0, "searcher")?;
    let reg = vm.registry();
    let k = vm.intern(b"_PRELOAD");
    // (Not a table: indexing it fails, as in PUC Lua.)
    let preload = reg.get_str(k);
    let f = vm.index(preload, Value::Str(name))?;
    if f.is_nil() {
        let msg = format!("\n\tno field package.preload['{}']", name.to_str_lossy());
        let m = vm.str_value(&msg);
        return vm.ret1(args, m);
    }
    let extra = vm.str_value(":preload:");
    vm.ret_values(args, &[f, extra])
}

/// `package.searchpath` logic: the first readable file, or the list of names tried. Like Lua,
/// the name goes into the whole path before it is split at `;`, and every template (empty ones
/// too) is listed in the message.
fn search_path(name: &str, path: &str, sep: &str, rep: &str) -> Result<String, String> {
    let name = if sep.is_empty() {
        name.to_string()
    } else {
        name.replace(sep, rep)
    };
    let full = path.replace('?', &name);
    for file in full.split(';').filter(|t| !t.is_empty()) {
        if std::fs::File::open(file).is_ok() {
            return Ok(file.to_string());
        }
    }
    Err(format!("no file '{}'", full.replace(';', "'\n\tno file '")))
}

fn searchpath(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let name = vm
        .check_str(args, 0, "package.searchpath")?
        .to_str_lossy()
        .into_owned();
    let path = vm
        .check_str(args, 1, "package.searchpath")?
        .to_str_lossy()
        .into_owned();
    let sep = vm
        .opt_str(args, 2, "package.searchpath")?
        .map_or(".".to_string(), |s| s.to_str_lossy().into_owned());
    let rep = vm
        .opt_str(args, 3, "package.searchpath")?
        .map_or("/".to_string(), |s| s.to_str_lossy().into_owned());
    match search_path(&name, &path, &sep, &rep) {
        Ok(f) => {
            let v = vm.str_value(&f);
            vm.ret1(args, v)
        }
        Err(tried) => {
            let m = vm.str_value(&tried);
            vm.ret_values(args, &[Value::Nil, m])
        }
    }
}

fn search_lua_file(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let name = vm
        .check_str(args, 0, "searcher")?
        .to_str_lossy()
        .into_owned();
    let path = package_path(vm, "path")?;
    match search_path(&name, &path.to_str_lossy(), ".", "/") {
        Ok(file) => {
            let src = match std::fs::read(&file) {
                Ok(s) => s,
                Err(e) => {
                    return Err(vm.rt_error(&format!("cannot read '{file}': {e}")));
                }
            };
            let src = super::base::strip_shebang(src);
            match vm.load_value(&src, &format!("@{file}")) {
                Ok(f) => {
                    let fv = vm.str_value(&file);
                    vm.ret_values(args, &[f, fv])
                }
                Err(e) => {
                    let msg = vm.error_to_string(&e);
                    Err(vm.rt_error(&format!(
                        "error loading module '{name}' from file '{file}':\n\t{msg}"
                    )))
                }
            }
        }
        Err(tried) => {
            let m = vm.str_value(&format!("\n\t{tried}"));
            vm.ret1(args, m)
        }
    }
}

/// The searcher for C modules over `package.cpath`: a file found there cannot be loaded (Moonpool
/// has no dynamic libraries), which is an error naming the file, as PUC Lua's is.
fn search_c_file(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let name = vm
        .check_str(args, 0, "searcher")?
        .to_str_lossy()
        .into_owned();
    search_c_path(vm, args, &name, &name)
}

/// The all-in-one searcher: for `a.b.c`, a C library named `a` that would hold `luaopen_a_b_c`.
fn search_c_root(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let name = vm
        .check_str(args, 0, "searcher")?
        .to_str_lossy()
        .into_owned();
    match name.split_once('.') {
        Some((root, _)) => {
            let root = root.to_string();
            search_c_path(vm, args, &name, &root)
        }
        None => vm.ret_values(args, &[]),
    }
}

fn search_c_path(vm: &mut Vm, args: Args, name: &str, file_name: &str) -> LuaResult<usize> {
    let cpath = package_path(vm, "cpath")?;
    match search_path(file_name, &cpath.to_str_lossy(), ".", "/") {
        Ok(file) => Err(vm.rt_error(&format!(
            "error loading module '{name}' from file '{file}':\n\t{NO_DYNAMIC_LIBS}"
        ))),
        Err(tried) => {
            let m = vm.str_value(&format!("\n\t{tried}"));
            vm.ret1(args, m)
        }
    }
}

/// `package.loadlib`: always fails the way PUC Lua without dynamic libraries does.
fn loadlib(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    vm.check_str(args, 0, "loadlib")?;
    vm.check_str(args, 1, "loadlib")?;
    let msg = vm.str_value(NO_DYNAMIC_LIBS);
    let kind = vm.str_value("absent");
    vm.ret_values(args, &[Value::Nil, msg, kind])
}

fn require(vm: &mut Vm, args: Args) -> LuaResult<usize> {
    let name = vm.check_str(args, 0, "require")?;
    let Some(loaded) = loaded_table(vm) else {
        return Err(vm.rt_error("'package.loaded' is missing"));
    };
    let existing = loaded.get_str(name);
    if existing.truthy() {
        return vm.ret1(args, existing);
    }
    let searchers = package_field(vm, "searchers")?;
    if !matches!(searchers, Value::Table(_)) {
        return Err(vm.rt_error("'package.searchers' must be a table"));
    }
    let mut msg = String::new();
    let mut i = 1;
    let (loader, extra) = loop {
        let searcher = vm.index(searchers, Value::Int(i))?;
        if searcher.is_nil() {
            let m = format!("module '{}' not found:{}", name.to_str_lossy(), msg);
            return Err(vm.rt_error(&m));
        }
        let r = vm.call_values(searcher, &[Value::Str(name)])?;
        match r.first() {
            Some(f) if f.is_function() => break (*f, r.get(1).copied().unwrap_or(Value::Nil)),
            Some(Value::Str(s)) => msg.push_str(&s.to_str_lossy()),
            _ => {}
        }
        i += 1;
    };
    let result = vm.call1(loader, &[Value::Str(name), extra])?;
    if !result.is_nil() {
        vm.heap.table_barrier(loaded);
        loaded.get_mut().set_str(name, result);
    }
    let mut value = loaded.get_str(name);
    if value.is_nil() {
        value = Value::Bool(true);
        vm.heap.table_barrier(loaded);
        loaded.get_mut().set_str(name, value);
    }
    vm.ret_values(args, &[value, extra])
}
