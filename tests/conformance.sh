#!/usr/bin/env bash
# Build docs/conformance.md: for every function (and field) of the Lua 5.4 standard library, as
# listed in §6 of the reference manual, the golden tests in tests/lua/ that use it.
#
# The list of names is fixed below (taken from the manual, not from Moonpool's implementation).
# A test "uses" a name when, outside comments and string literals, it contains
#   - base functions:     a call `name(`, `name "..."`, `name {...}`, or the function passed as a
#                         value (`pcall(name, ...)`, `local f = name`);
#   - library functions:  `lib.name` (also `lib.name` passed as a value);
#   - string functions:   additionally the method form `:name(` (`s:rep(3)`);
#   - file methods:       the method form `:name(` (`f:read()`, `io.stdout:write()`) or `x.name`
#                         passed as a value with a receiver that is not a library (`pcall(f.read, f)`).
# It is a grep, so it over-approximates a little (a same-named method of a user object counts).
#
# When a Moonpool binary is found ($MOONPOOL, else target/release/moonpool, else
# target/debug/moonpool), names that are nil in it are marked "not implemented".
#
# The section "Known differences from PUC Lua 5.4" is copied from docs/differences.md.
#
# Usage: tests/conformance.sh            (writes docs/conformance.md, prints a summary)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
command -v python3 >/dev/null 2>&1 || { echo "conformance.sh: python3 is required" >&2; exit 1; }

bin="${MOONPOOL:-}"
if [[ -z "$bin" ]]; then
    for b in "$root/target/release/moonpool" "$root/target/debug/moonpool"; do
        if [[ -x "$b" ]]; then bin="$b"; break; fi
    done
fi

ROOT="$root" BIN="$bin" python3 - <<'PY'
import os, re, subprocess, sys

root = os.environ["ROOT"]
binary = os.environ.get("BIN") or ""
tests_dir = os.path.join(root, "tests", "lua")
out_path = os.path.join(root, "docs", "conformance.md")
diff_path = os.path.join(root, "docs", "differences.md")

# ---------------------------------------------------------------- the manual's §6 (Lua 5.4)
# (debug.setcstacklimit is left out: it is deprecated and no longer in the 5.4 manual.)
LIBS = [
    ("Basic functions (§6.1)", "", [
        "assert", "collectgarbage", "dofile", "error", "_G", "getmetatable", "ipairs", "load",
        "loadfile", "next", "pairs", "pcall", "print", "rawequal", "rawget", "rawlen", "rawset",
        "select", "setmetatable", "tonumber", "tostring", "type", "_VERSION", "warn", "xpcall"]),
    ("Coroutines (§6.2)", "coroutine", [
        "close", "create", "isyieldable", "resume", "running", "status", "wrap", "yield"]),
    ("Modules (§6.3)", "package", [
        "require", "config", "cpath", "loaded", "loadlib", "path", "preload", "searchers",
        "searchpath"]),
    ("String manipulation (§6.4)", "string", [
        "byte", "char", "dump", "find", "format", "gmatch", "gsub", "len", "lower", "match",
        "pack", "packsize", "rep", "reverse", "sub", "unpack", "upper"]),
    ("UTF-8 support (§6.5)", "utf8", [
        "char", "charpattern", "codes", "codepoint", "len", "offset"]),
    ("Table manipulation (§6.6)", "table", [
        "concat", "insert", "move", "pack", "remove", "sort", "unpack"]),
    ("Mathematical functions (§6.7)", "math", [
        "abs", "acos", "asin", "atan", "ceil", "cos", "deg", "exp", "floor", "fmod", "huge",
        "log", "max", "maxinteger", "min", "mininteger", "modf", "pi", "rad", "random",
        "randomseed", "sin", "sqrt", "tan", "tointeger", "type", "ult"]),
    ("Input and output (§6.8)", "io", [
        "close", "flush", "input", "lines", "open", "output", "popen", "read", "tmpfile", "type",
        "write", "stdin", "stdout", "stderr"]),
    ("File methods (§6.8)", "file", [
        "close", "flush", "lines", "read", "seek", "setvbuf", "write"]),
    ("Operating system facilities (§6.9)", "os", [
        "clock", "date", "difftime", "execute", "exit", "getenv", "remove", "rename",
        "setlocale", "time", "tmpname"]),
    ("The debug library (§6.10)", "debug", [
        "debug", "gethook", "getinfo", "getlocal", "getmetatable", "getregistry", "getupvalue",
        "getuservalue", "sethook", "setlocal", "setmetatable", "setupvalue", "setuservalue",
        "traceback", "upvalueid", "upvaluejoin"]),
]
LIB_NAMES = {"coroutine", "package", "string", "utf8", "table", "math", "io", "os", "debug"}

# ---------------------------------------------------------------- reading the tests
def strip_comments(src):
    """Drops Lua comments (line and long) and blanks the contents of string literals (so that
    names mentioned in messages or in code passed to load do not count)."""
    out, i, n = [], 0, len(src)
    while i < n:
        c = src[i]
        if c in "\"'":
            j = i + 1
            while j < n and src[j] != c and src[j] != "\n":
                j += 2 if src[j] == "\\" else 1
            out.append(c + " " * (min(j, n) - i - 1) + c); i = j + 1
        elif src.startswith("--", i):
            m = re.match(r"--\[(=*)\[", src[i:])
            if m:
                end = src.find("]" + m.group(1) + "]", i)
                i = n if end < 0 else end + len(m.group(1)) + 2
            else:
                end = src.find("\n", i)
                i = n if end < 0 else end
        elif c == "[" and re.match(r"\[=*\[", src[i:]):
            m = re.match(r"\[(=*)\[", src[i:])
            end = src.find("]" + m.group(1) + "]", i)
            j = n if end < 0 else end + len(m.group(1)) + 2
            k = len(m.group(1)) + 2
            body = src[i + k:max(i + k, j - k)]
            out.append(src[i:i + k] + re.sub(r"[^\n]", " ", body) + src[max(i + k, j - k):j]); i = j
        else:
            out.append(c); i += 1
    return "".join(out)

tests = {}
for fn in sorted(os.listdir(tests_dir)):
    if fn.endswith(".lua"):
        with open(os.path.join(tests_dir, fn), encoding="utf-8", errors="replace") as f:
            tests[fn[:-4]] = strip_comments(f.read())

CALL = r"\s*(?:\(|\{|\"|'|\[=*\[)"        # what may follow a function name in a call
VALUE = r"\s*(?:[,)]|$)"                   # the name used as a value (an argument, an rvalue)
NOT_QUALIFIED = r"(?:^|(?<=[^\w.:]))"      # not preceded by `x.` / `x:` or part of a word

def patterns(lib, name):
    n = re.escape(name)
    if lib == "":
        if name.startswith("_"):
            return [NOT_QUALIFIED + n + r"\b"]
        return [NOT_QUALIFIED + n + CALL, r"[(,=]\s*" + n + VALUE]
    if lib == "package" and name == "require":
        return [NOT_QUALIFIED + n + CALL, r"[(,=]\s*" + n + VALUE]
    if lib == "file":
        libs = "|".join(sorted(LIB_NAMES))
        return [r":\s*" + n + CALL, r"\b(?!(?:%s)\b)[A-Za-z_]\w*\." % libs + n + VALUE]
    pats = [r"\b" + lib + r"\s*\.\s*" + n + r"\b"]
    if lib == "string":
        pats.append(r":\s*" + n + CALL)
    return pats

def users(lib, name):
    rx = [re.compile(p, re.M) for p in patterns(lib, name)]
    return [t for t, src in tests.items() if any(r.search(src) for r in rx)]

# ---------------------------------------------------------------- what the binary implements
def qualified(lib, name):
    if lib == "":
        return name
    if lib == "file":
        return "io.stdout." + name
    if lib == "package" and name == "require":
        return "require"
    return lib + "." + name

missing = set()
if binary:
    names = [qualified(lib, n) for _, lib, ns in LIBS for n in ns]
    probe = "".join("if %s == nil then print(%r) end\n" % (q, q) for q in names)
    try:
        r = subprocess.run([binary, "-e", probe], capture_output=True, text=True, timeout=30)
        if r.returncode == 0:
            missing = set(r.stdout.split())
        else:
            print("conformance.sh: probing %s failed: %s" % (binary, r.stderr.strip()), file=sys.stderr)
            binary = ""
    except OSError as e:
        print("conformance.sh: cannot run %s: %s" % (binary, e), file=sys.stderr)
        binary = ""

# ---------------------------------------------------------------- the report
def display(lib, name):
    if lib == "":
        return name
    if lib == "package" and name == "require":
        return "require"
    if lib == "file":
        return "file:" + name
    return lib + "." + name

lines = [
    "# Standard library conformance",
    "",
    "Generated by `tests/conformance.sh` — do not edit by hand. For each function (and field) of",
    "the Lua 5.4 standard library, as listed in §6 of the reference manual, the golden programs in",
    "`tests/lua/` that use it (found by a grep for calls, method calls and uses as a value).",
    "Their expected output comes from PUC Lua 5.4 (`tests/regen.sh`).",
    "",
]
summary_at = len(lines)
total = covered = 0
uncovered = []
for title, lib, names in LIBS:
    lines += ["## " + title, "", "| function | tests |", "|---|---|"]
    for name in names:
        shown = display(lib, name)
        u = users(lib, name)
        total += 1
        if u:
            covered += 1
            cell = "%d: %s" % (len(u), ", ".join(u))
        else:
            uncovered.append(shown)
            cell = "NOT COVERED"
        if qualified(lib, name) in missing:
            cell += " (not implemented in Moonpool)"
        lines.append("| `%s` | %s |" % (shown, cell))
    lines.append("")

summary = ["%d of %d names are used by at least one of the %d golden programs." % (covered, total, len(tests))]
if uncovered:
    summary.append("Not covered: " + ", ".join("`%s`" % u for u in uncovered) + ".")
if binary:
    summary.append("Probed binary: not implemented: " +
                   (", ".join("`%s`" % m for m in sorted(missing)) if missing else "none") + ".")
lines[summary_at:summary_at] = [" ".join(summary), ""]

lines += ["## Known differences from PUC Lua 5.4", ""]
if os.path.exists(diff_path):
    with open(diff_path, encoding="utf-8") as f:
        body = f.read().splitlines()
    # drop the file's own title; demote its headings below this section
    while body and (body[0].startswith("# ") or not body[0].strip()):
        body.pop(0)
    body = ["#" + l if l.startswith("#") else l for l in body]
    lines += body
else:
    lines.append("(docs/differences.md is missing)")
text = "\n".join(lines).rstrip("\n") + "\n"

os.makedirs(os.path.dirname(out_path), exist_ok=True)
with open(out_path, "w", encoding="utf-8") as f:
    f.write(text)
print("conformance: %d/%d covered, %d programs; wrote %s" % (covered, total, len(tests), os.path.relpath(out_path, root)), file=sys.stderr)
if uncovered:
    print("conformance: not covered: " + " ".join(uncovered), file=sys.stderr)
PY
