//! The layering check: reads every `use` line and every `crate::`/`super::` path under `src/`,
//! resolves it to the file it names, and fails when a lower layer imports a higher one, or when
//! files import each other in a cycle other than the runtime's documented core.
//!
//! The allowed edges live in one table, [`LAYERS`]: each layer names the layers it may import.
//! Paths through a facade (`crate::vm::Vm`) are followed through the facade's `pub use` lines to
//! the file that defines the item, so a re-export cannot hide an upward import.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Module-path prefix → layer name; the longest matching prefix decides a file's layer.
const PREFIXES: &[(&str, &str)] = &[
    ("vm::number", "number"),
    ("vm::bytecode", "bytecode"),
    ("vm::compiler", "compiler"),
    ("vm::runtime", "runtime"),
    ("vm::stdlib", "stdlib"),
    ("vm::api", "api"),
    ("vm", "vm facade"),
    ("plugin", "plugin"),
    ("overlay", "overlay"),
    ("<cli>", "cli"),
    ("", "crate root"),
];

/// The layers bottom to top, each with the highest layer it may import: that one and every
/// layer listed before it. The CLI, a crate of its own, uses only the VM.
const LAYERS: &[(&str, &str)] = &[
    ("number", "number"),
    ("bytecode", "number"),
    ("compiler", "bytecode"),
    ("runtime", "compiler"),
    ("stdlib", "runtime"),
    ("api", "stdlib"),
    ("vm facade", "api"),
    ("plugin", "vm facade"),
    ("overlay", "plugin"),
    ("crate root", "overlay"),
    ("cli", "vm facade"),
];

/// The one cycle allowed between files: the collector and the object kinds it traces, plus the
/// `Vm` whose fields they are and the files that add its methods. `src/vm/runtime/mod.rs` must
/// name each of them in its module doc (checked below).
const RUNTIME_CORE: &[&str] = &[
    "vm::runtime::gc",
    "vm::runtime::value",
    "vm::runtime::string",
    "vm::runtime::table",
    "vm::runtime::function",
    "vm::runtime::userdata",
    "vm::runtime::thread",
    "vm::runtime::state",
    "vm::runtime::exec",
    "vm::runtime::meta",
    "vm::runtime::debug",
    "vm::runtime::budget",
    "vm::runtime::frame",
    "vm::runtime::regpool",
    "vm::runtime::error",
];

/// One source file: its module path (`vm::runtime::exec`, `""` for lib.rs, `<cli>` for the
/// binary) and its text with comments and literals blanked out.
struct SourceFile {
    module: String,
    is_dir_module: bool,
    code: String,
}

/// What a set of files imports: module → modules it names, and the violations found.
#[derive(Default)]
struct Report {
    edges: BTreeMap<String, BTreeSet<String>>,
    upward: Vec<String>,
    cycles: Vec<Vec<String>>,
}

fn layer_of(module: &str) -> &'static str {
    PREFIXES
        .iter()
        .filter(|(prefix, _)| {
            prefix.is_empty() || module == *prefix || module.starts_with(&format!("{prefix}::"))
        })
        .max_by_key(|(prefix, _)| prefix.len())
        .map(|(_, layer)| *layer)
        .unwrap()
}

fn may_import(from: &str, to: &str) -> bool {
    let position = |layer: &str| LAYERS.iter().position(|(l, _)| *l == layer);
    let ceiling = LAYERS.iter().find(|(l, _)| *l == from).map(|(_, c)| *c);
    from == to
        || matches!(
            (position(to), ceiling.and_then(position)),
            (Some(t), Some(c)) if t <= c
        )
}

/// Blanks comments, string and char literals (keeping newlines), so only code is scanned.
fn strip(source: &str) -> String {
    let bytes = source.as_bytes();
    let mut out = String::with_capacity(source.len());
    let mut i = 0;
    let blank = |out: &mut String, s: &[u8]| {
        for &b in s {
            out.push(if b == b'\n' { '\n' } else { ' ' });
        }
    };
    while i < bytes.len() {
        let rest = &bytes[i..];
        if rest.starts_with(b"//") {
            let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
            blank(&mut out, &rest[..end]);
            i += end;
        } else if rest.starts_with(b"/*") {
            let mut depth = 0;
            let mut j = 0;
            while j < rest.len() {
                if rest[j..].starts_with(b"/*") {
                    depth += 1;
                    j += 2;
                } else if rest[j..].starts_with(b"*/") {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    j += 1;
                }
            }
            blank(&mut out, &rest[..j]);
            i += j;
        } else if rest[0] == b'r'
            && (rest.starts_with(b"r\"") || rest.starts_with(b"r#"))
            && (i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_'))
        {
            let hashes = rest[1..].iter().take_while(|&&b| b == b'#').count();
            if rest.get(1 + hashes) != Some(&b'"') {
                out.push('r');
                i += 1;
                continue;
            }
            let mut closing = vec![b'"'];
            closing.extend(std::iter::repeat_n(b'#', hashes));
            let body = 2 + hashes;
            let end = rest[body..]
                .windows(closing.len())
                .position(|w| w == closing.as_slice())
                .map_or(rest.len(), |p| body + p + closing.len());
            blank(&mut out, &rest[..end]);
            i += end;
        } else if rest[0] == b'"' {
            let mut j = 1;
            while j < rest.len() && rest[j] != b'"' {
                j += if rest[j] == b'\\' { 2 } else { 1 };
            }
            let end = (j + 1).min(rest.len());
            blank(&mut out, &rest[..end]);
            i += end;
        } else if rest[0] == b'\'' {
            // A char literal ('x', '\n', '\u{..}'), or a lifetime ('a), which is kept.
            let end = if rest.get(1) == Some(&b'\\') {
                rest[2..].iter().position(|&b| b == b'\'').map(|p| p + 3)
            } else if rest.get(2) == Some(&b'\'') {
                Some(3)
            } else {
                let ch_len = std::str::from_utf8(&rest[1..rest.len().min(5)])
                    .ok()
                    .or_else(|| std::str::from_utf8(&rest[1..rest.len().min(4)]).ok())
                    .and_then(|s| s.chars().next())
                    .map_or(1, char::len_utf8);
                (ch_len > 1 && rest.get(1 + ch_len) == Some(&b'\'')).then_some(2 + ch_len)
            };
            match end {
                Some(end) => {
                    blank(&mut out, &rest[..end]);
                    i += end;
                }
                None => {
                    out.push('\'');
                    i += 1;
                }
            }
        } else {
            let ch = source[i..].chars().next().unwrap();
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Tokens of the code: identifiers, `::`, and single punctuation characters.
fn tokens(code: &str) -> Vec<&str> {
    let bytes = code.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_whitespace() {
            i += 1;
        } else if is_ident(b) {
            let start = i;
            while i < bytes.len() && is_ident(bytes[i]) {
                i += 1;
            }
            out.push(&code[start..i]);
        } else if code[i..].starts_with("::") {
            out.push("::");
            i += 2;
        } else {
            let len = code[i..].chars().next().unwrap().len_utf8();
            out.push(&code[i..i + len]);
            i += len;
        }
    }
    out
}

/// Expands a `use` tree starting at `tokens[*at]` into full paths (segments), advancing `at`.
fn use_tree(tokens: &[&str], at: &mut usize, prefix: &[String], out: &mut Vec<Vec<String>>) {
    let mut path = prefix.to_vec();
    loop {
        match tokens.get(*at).copied() {
            Some("{") => {
                *at += 1;
                loop {
                    if tokens.get(*at) == Some(&"}") {
                        *at += 1;
                        return;
                    }
                    use_tree(tokens, at, &path, out);
                    match tokens.get(*at).copied() {
                        Some(",") => *at += 1,
                        Some("}") => {
                            *at += 1;
                            return;
                        }
                        _ => return,
                    }
                }
            }
            Some("*") => {
                *at += 1;
                out.push(path);
                return;
            }
            Some(t) if t.as_bytes().iter().all(|&b| is_ident(b)) => {
                path.push(t.to_string());
                *at += 1;
                if tokens.get(*at) == Some(&"::") {
                    *at += 1;
                    continue;
                }
                if tokens.get(*at) == Some(&"as") {
                    *at += 2;
                }
                out.push(path);
                return;
            }
            _ => return,
        }
    }
}

/// Every path the file names (`use` trees, and inline `crate::…`, `super::…`, `moonpool::…`),
/// each with the inline modules (`mod tests { … }`) it sits in.
fn named_paths(code: &str) -> Vec<(Vec<String>, Vec<String>)> {
    let tokens = tokens(code);
    let mut out = Vec::new();
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0;
    let here = |inline: &[(String, usize)]| -> Vec<String> {
        inline.iter().map(|(name, _)| name.clone()).collect()
    };
    let mut i = 0;
    while i < tokens.len() {
        match tokens[i] {
            "{" => depth += 1,
            "}" => {
                if inline.last().is_some_and(|(_, d)| *d == depth) {
                    inline.pop();
                }
                depth -= 1;
            }
            "mod" if tokens.get(i + 2) == Some(&"{") => {
                inline.push((tokens[i + 1].to_string(), depth + 1));
                i += 2;
                continue;
            }
            _ => {}
        }
        if tokens[i] == "use" && (i == 0 || tokens[i - 1] != "::") {
            i += 1;
            if tokens.get(i) == Some(&"::") {
                i += 1;
            }
            let mut paths = Vec::new();
            use_tree(&tokens, &mut i, &[], &mut paths);
            out.extend(paths.into_iter().map(|p| (here(&inline), p)));
            continue;
        }
        let starts_path = matches!(tokens[i], "crate" | "super" | "moonpool")
            && tokens.get(i + 1) == Some(&"::")
            && (i == 0 || tokens[i - 1] != "::");
        if starts_path {
            let mut path = vec![tokens[i].to_string()];
            let mut j = i + 1;
            while tokens.get(j) == Some(&"::")
                && tokens
                    .get(j + 1)
                    .is_some_and(|t| t.as_bytes().iter().all(|&b| is_ident(b)))
            {
                path.push(tokens[j + 1].to_string());
                j += 2;
            }
            out.push((here(&inline), path));
            i = j;
            continue;
        }
        i += 1;
    }
    out
}

/// The `pub use` re-exports of a facade: item name → the path it re-exports.
fn reexports(file: &SourceFile) -> BTreeMap<String, Vec<String>> {
    let tokens = tokens(&file.code);
    let mut map = BTreeMap::new();
    for i in 0..tokens.len() {
        if tokens[i] == "pub" && tokens.get(i + 1) == Some(&"use") {
            let mut at = i + 2;
            let mut paths = Vec::new();
            use_tree(&tokens, &mut at, &[], &mut paths);
            for path in paths {
                if let Some(last) = path.last() {
                    map.insert(last.clone(), path.clone());
                }
            }
        }
    }
    map
}

/// Resolves a path named in `from` to the module (file) that defines what it names.
fn resolve(
    files: &BTreeMap<String, SourceFile>,
    from: &SourceFile,
    inline: &[String],
    path: &[String],
    depth: usize,
) -> Option<String> {
    let mut segs: Vec<String> = Vec::new();
    let mut rest = path;
    // The module that `super`/`self` are relative to: a mod.rs is its own module, and an
    // inline `mod tests { … }` one level below its file.
    let mut base: Vec<String> = if from.module.is_empty() || from.module == "<cli>" {
        Vec::new()
    } else {
        from.module.split("::").map(str::to_string).collect()
    };
    base.extend(inline.iter().cloned());
    match rest.first().map(String::as_str) {
        Some("crate") => rest = &rest[1..],
        Some("moonpool") if from.module == "<cli>" => rest = &rest[1..],
        Some("super") | Some("self") => {
            while let Some(first) = rest.first() {
                match first.as_str() {
                    "super" => {
                        base.pop();
                    }
                    "self" => {}
                    _ => break,
                }
                rest = &rest[1..];
            }
            segs = base;
        }
        Some(first) => {
            // A relative path: only a child module of this file counts (`use state::Vm` in a
            // mod.rs); anything else is an external crate or the prelude.
            let child = if from.is_dir_module && inline.is_empty() {
                let mut m = base.clone();
                m.push(first.to_string());
                m
            } else {
                return None;
            };
            if !files.contains_key(&child.join("::")) {
                return None;
            }
            segs = base;
        }
        None => return None,
    }
    // `self::` inside an inline module names that module, which is part of its file.
    while !segs.is_empty() && !files.contains_key(&segs.join("::")) {
        segs.pop();
    }
    let mut module = segs.join("::");
    for (k, seg) in rest.iter().enumerate() {
        let candidate = if module.is_empty() {
            seg.clone()
        } else {
            format!("{module}::{seg}")
        };
        if files.contains_key(&candidate) {
            module = candidate;
            continue;
        }
        // `seg` is an item of `module`: follow a facade's re-export, if it is one.
        let file = files.get(&module)?;
        if depth < 8
            && let Some(target) = reexports(file).get(seg)
        {
            let mut followed = target.clone();
            followed.extend(rest[k + 1..].iter().cloned());
            return resolve(files, file, &[], &followed, depth + 1).or(Some(module));
        }
        return Some(module);
    }
    Some(module)
}

fn check(files: &BTreeMap<String, SourceFile>) -> Report {
    let mut report = Report::default();
    for (module, file) in files {
        for (inline, path) in named_paths(&file.code) {
            let Some(target) = resolve(files, file, &inline, &path, 0) else {
                continue;
            };
            if &target == module {
                continue;
            }
            // A module's own facade re-exporting its children is not an import.
            if file.is_dir_module && target.starts_with(&format!("{module}::")) {
                continue;
            }
            let (from, to) = (layer_of(module), layer_of(&target));
            if !may_import(from, to) {
                report.upward.push(format!(
                    "{module} ({from}) imports {target} ({to}) via `{}`",
                    path.join("::")
                ));
            }
            report
                .edges
                .entry(module.clone())
                .or_default()
                .insert(target);
        }
    }
    report.upward.sort();
    report.upward.dedup();
    report.cycles = cycles(&report.edges);
    report
}

/// Strongly connected components with more than one file (Tarjan's algorithm).
fn cycles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct Walk<'a> {
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(w: &mut Walk<'a>, v: &'a str) {
        let n = w.index.len();
        w.index.insert(v, n);
        w.low.insert(v, n);
        w.stack.push(v);
        w.on_stack.insert(v);
        if let Some(next) = w.edges.get(v) {
            for u in next {
                let u = u.as_str();
                if !w.index.contains_key(u) {
                    visit(w, u);
                    let low = w.low[v].min(w.low[u]);
                    w.low.insert(v, low);
                } else if w.on_stack.contains(u) {
                    let low = w.low[v].min(w.index[u]);
                    w.low.insert(v, low);
                }
            }
        }
        if w.low[v] == w.index[v] {
            let mut component = Vec::new();
            while let Some(u) = w.stack.pop() {
                w.on_stack.remove(u);
                component.push(u.to_string());
                if u == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                w.out.push(component);
            }
        }
    }
    let mut walk = Walk {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in edges.keys() {
        if !walk.index.contains_key(v.as_str()) {
            visit(&mut walk, v);
        }
    }
    walk.out
}

fn load(dir: &Path, root: &Path, files: &mut BTreeMap<String, SourceFile>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            load(&path, root, files);
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let rel = path.strip_prefix(root).unwrap();
        let parts: Vec<String> = rel
            .with_extension("")
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        let (module, is_dir_module) = if parts.first().is_some_and(|p| p == "bin") {
            ("<cli>".to_string(), false)
        } else if parts == ["lib"] {
            (String::new(), true)
        } else if parts.last().is_some_and(|p| p == "mod") {
            (parts[..parts.len() - 1].join("::"), true)
        } else {
            (parts.join("::"), false)
        };
        let code = strip(&std::fs::read_to_string(&path).unwrap());
        files.insert(
            module.clone(),
            SourceFile {
                module,
                is_dir_module,
                code,
            },
        );
    }
}

fn crate_files() -> BTreeMap<String, SourceFile> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = BTreeMap::new();
    load(&root, &root, &mut files);
    files
}

#[test]
fn imports_point_only_down_the_layers() {
    let report = check(&crate_files());
    assert!(
        report.upward.is_empty(),
        "imports from a lower layer into a higher one (allowed edges: LAYERS in tests/layers.rs):\n  {}",
        report.upward.join("\n  ")
    );
}

#[test]
fn the_only_import_cycle_is_the_documented_runtime_core() {
    let report = check(&crate_files());
    for cycle in &report.cycles {
        let outside: Vec<&String> = cycle
            .iter()
            .filter(|m| !RUNTIME_CORE.contains(&m.as_str()))
            .collect();
        assert!(
            outside.is_empty(),
            "an import cycle outside the runtime core: {cycle:?} (outside: {outside:?})"
        );
    }
    let doc = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("src/vm/runtime/mod.rs"),
    )
    .unwrap();
    for module in RUNTIME_CORE {
        let name = module.rsplit("::").next().unwrap();
        assert!(
            doc.contains(&format!("`{name}`")),
            "src/vm/runtime/mod.rs must name `{name}`, part of the allowed cycle"
        );
    }
}

#[test]
fn the_check_sees_every_file_and_real_imports() {
    let files = crate_files();
    for module in [
        "",
        "<cli>",
        "vm",
        "vm::number",
        "vm::runtime::exec",
        "vm::stdlib::base",
        "plugin",
    ] {
        assert!(files.contains_key(module), "missing module {module:?}");
    }
    let report = check(&files);
    // Known downward imports are seen, through facades and `super::` too.
    let stdlib_base = &report.edges["vm::stdlib::base"];
    assert!(stdlib_base.iter().any(|m| m.starts_with("vm::runtime::")));
    assert!(report.edges["<cli>"].iter().any(|m| m.starts_with("vm")));
}

/// Files made up in memory, to show the checker fails where it must.
fn synthetic(sources: &[(&str, bool, &str)]) -> BTreeMap<String, SourceFile> {
    sources
        .iter()
        .map(|(module, is_dir_module, text)| {
            (
                module.to_string(),
                SourceFile {
                    module: module.to_string(),
                    is_dir_module: *is_dir_module,
                    code: strip(text),
                },
            )
        })
        .collect()
}

#[test]
fn a_planted_upward_import_is_caught() {
    let files = synthetic(&[
        (
            "vm",
            true,
            "pub mod compiler; pub mod stdlib; pub use stdlib::base::open;",
        ),
        ("vm::compiler", true, "pub mod parser;"),
        // Through a facade, in a nested use tree, after a comment mentioning another path.
        (
            "vm::compiler::parser",
            false,
            "// crate::vm::nothing\nuse crate::{vm::{open as o}};\nfn f() {}",
        ),
        ("vm::stdlib", true, "pub mod base;"),
        (
            "vm::stdlib::base",
            false,
            "pub fn open() { let s = \"crate::plugin::x\"; }",
        ),
        ("plugin", true, "use crate::vm::stdlib::base::open;"),
    ]);
    let report = check(&files);
    assert_eq!(
        report.upward,
        vec![
            "vm::compiler::parser (compiler) imports vm::stdlib::base (stdlib) via `crate::vm::open`"
                .to_string()
        ]
    );
    // An inline path (no `use`) counts as well, and `super::` resolves from the file's module.
    let files = synthetic(&[
        ("vm", true, "pub mod number; pub mod runtime;"),
        (
            "vm::number",
            false,
            "fn f() { super::runtime::state::go() }",
        ),
        ("vm::runtime", true, "pub mod state;"),
        ("vm::runtime::state", false, "pub fn go() {}"),
    ]);
    assert_eq!(check(&files).upward.len(), 1);
}

#[test]
fn a_planted_cycle_is_caught() {
    let files = synthetic(&[
        ("plugin", true, "pub mod api; pub mod reflect;"),
        ("plugin::api", false, "use super::reflect::Thing;"),
        ("plugin::reflect", false, "use crate::plugin::api::Other;"),
    ]);
    assert_eq!(
        check(&files).cycles,
        vec![vec![
            "plugin::api".to_string(),
            "plugin::reflect".to_string()
        ]]
    );
}
