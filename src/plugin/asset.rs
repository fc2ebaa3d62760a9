//! `.lua` files as Bevy assets. The loader compiles each file once so that a syntax error fails
//! the load with `path:line:col: message` (and a hot reload that breaks a file keeps the old
//! code).

use bevy::asset::{Asset, AssetLoader, LoadContext, io::Reader};
use bevy::reflect::TypePath;

use crate::vm::runtime::state::compile_source;

/// A Lua script: its asset path (for messages) and source, known to compile.
#[derive(Asset, TypePath, Debug, Clone)]
pub struct LuaScript {
    pub path: String,
    pub source: Vec<u8>,
}

impl LuaScript {
    /// Checks that `source` compiles; the error carries the position.
    pub fn from_source(
        path: impl Into<String>,
        source: impl Into<Vec<u8>>,
    ) -> Result<LuaScript, ScriptCompileError> {
        let path = path.into();
        let source = source.into();
        match compile_source(&source) {
            Ok(_) => Ok(LuaScript { path, source }),
            Err(e) => Err(ScriptCompileError {
                path,
                line: e.line,
                col: e.col,
                message: e.message,
            }),
        }
    }
}

/// A script that does not compile.
#[derive(Debug, Clone)]
pub struct ScriptCompileError {
    pub path: String,
    pub line: u32,
    pub col: u32,
    pub message: String,
}

impl std::fmt::Display for ScriptCompileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.path, self.line, self.col, self.message
        )
    }
}

impl std::error::Error for ScriptCompileError {}

/// Why a `.lua` asset did not load.
#[derive(Debug)]
pub enum LuaScriptLoadError {
    Io(std::io::Error),
    Compile(ScriptCompileError),
}

impl std::fmt::Display for LuaScriptLoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LuaScriptLoadError::Io(e) => write!(f, "cannot read script: {e}"),
            LuaScriptLoadError::Compile(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for LuaScriptLoadError {}

/// The source line a compile error points at, sent by the loader (which runs on an
/// asset-loading thread) to the app, where `report_load_failures` attaches it to the error.
pub struct ErrorLine {
    pub path: String,
    pub text: String,
}

#[derive(TypePath)]
pub struct LuaScriptLoader {
    error_lines: crossbeam_channel::Sender<ErrorLine>,
}

impl LuaScriptLoader {
    pub fn new(error_lines: crossbeam_channel::Sender<ErrorLine>) -> Self {
        LuaScriptLoader { error_lines }
    }
}

/// Line `n` (1-based) of `source`, trimmed.
pub fn source_line(source: &[u8], n: u32) -> Option<String> {
    let line = source
        .split(|&b| b == b'\n')
        .nth(n.checked_sub(1)? as usize)?;
    Some(String::from_utf8_lossy(line).trim().to_string())
}

impl AssetLoader for LuaScriptLoader {
    type Asset = LuaScript;
    type Settings = ();
    type Error = LuaScriptLoadError;

    async fn load(
        &self,
        reader: &mut dyn Reader,
        _settings: &(),
        load_context: &mut LoadContext<'_>,
    ) -> Result<LuaScript, LuaScriptLoadError> {
        let mut bytes = Vec::new();
        reader
            .read_to_end(&mut bytes)
            .await
            .map_err(LuaScriptLoadError::Io)?;
        let path = load_context.path().to_string();
        // A file, as `lua5.4` loads one: a byte order mark (editors on Windows write one) and
        // a first `#` line are skipped, line numbers kept.
        let bytes = crate::vm::strip_shebang(bytes);
        LuaScript::from_source(path, bytes.as_slice()).map_err(|e| {
            if let Some(text) = source_line(&bytes, e.line) {
                // The app may be gone (shutting down): then nobody needs the line.
                let _ = self.error_lines.send(ErrorLine {
                    path: e.path.clone(),
                    text,
                });
            }
            LuaScriptLoadError::Compile(e)
        })
    }

    fn extensions(&self) -> &[&str] {
        &["lua"]
    }
}
