//! Lexer: Lua 5.4 source bytes to tokens.
//!
//! Works on raw bytes (Lua source and strings are byte strings) and reproduces the reference
//! implementation's token rules and error messages, including the `near '...'` text, which shows
//! what had been read of the offending token when the error was found.

use super::CompileError;
use crate::vm::number::{NumberLit, hex_value, is_space, parse_number};

/// Errors are boxed so that results stay small (returned in registers) on the hot path.
type LResult<T> = Result<T, Box<CompileError>>;

/// A token kind. Names keep only their position (see [`Token`]) and string contents stay in the
/// lexer's buffer, so lexing does not allocate.
///
/// A full-width tag keeps every payload 8-byte aligned, so tokens move as two plain words (a
/// byte-sized payload right after a byte tag made copies slow partial moves).
#[derive(Debug, Clone, Copy, PartialEq)]
#[repr(u64)]
pub enum Tok {
    // Reserved words.
    And,
    Break,
    Do,
    Else,
    Elseif,
    End,
    False,
    For,
    Function,
    Goto,
    If,
    In,
    Local,
    Nil,
    Not,
    Or,
    Repeat,
    Return,
    Then,
    True,
    Until,
    While,
    // Symbols.
    Plus,
    Minus,
    Star,
    Slash,
    DSlash,
    Percent,
    Caret,
    Hash,
    Amp,
    Tilde,
    Pipe,
    Shl,
    Shr,
    Eq,
    Ne,
    Le,
    Ge,
    Lt,
    Gt,
    Assign,
    LParen,
    RParen,
    LBrace,
    RBrace,
    LBracket,
    RBracket,
    DColon,
    Semi,
    Colon,
    Comma,
    Dot,
    Concat,
    Dots,
    /// A name: its text is `source[start..end]` of the token.
    Name,
    /// A string literal; its contents, escapes decoded, are [`Lexer::str_value`] until the
    /// next string token is read.
    Str,
    Int(i64),
    Float(f64),
    /// Any other byte (`@`, `$`, control or non-ASCII bytes): the parser rejects it with
    /// "unexpected symbol" or an "expected" message, as Lua does.
    Other(u8),
    Eof,
}

impl Tok {
    /// Source text of reserved words and symbols.
    pub(crate) fn fixed_text(&self) -> Option<&'static str> {
        use Tok::*;
        Some(match self {
            And => "and",
            Break => "break",
            Do => "do",
            Else => "else",
            Elseif => "elseif",
            End => "end",
            False => "false",
            For => "for",
            Function => "function",
            Goto => "goto",
            If => "if",
            In => "in",
            Local => "local",
            Nil => "nil",
            Not => "not",
            Or => "or",
            Repeat => "repeat",
            Return => "return",
            Then => "then",
            True => "true",
            Until => "until",
            While => "while",
            Plus => "+",
            Minus => "-",
            Star => "*",
            Slash => "/",
            DSlash => "//",
            Percent => "%",
            Caret => "^",
            Hash => "#",
            Amp => "&",
            Tilde => "~",
            Pipe => "|",
            Shl => "<<",
            Shr => ">>",
            Eq => "==",
            Ne => "~=",
            Le => "<=",
            Ge => ">=",
            Lt => "<",
            Gt => ">",
            Assign => "=",
            LParen => "(",
            RParen => ")",
            LBrace => "{",
            RBrace => "}",
            LBracket => "[",
            RBracket => "]",
            DColon => "::",
            Semi => ";",
            Colon => ":",
            Comma => ",",
            Dot => ".",
            Concat => "..",
            Dots => "...",
            Name | Str | Int(_) | Float(_) | Other(_) | Eof => return None,
        })
    }

    /// How Lua names a token kind in "X expected" messages: `'end'`, `<name>`, `<eof>`...
    pub(crate) fn describe(&self) -> String {
        match self {
            Tok::Name => "<name>".into(),
            Tok::Str => "<string>".into(),
            Tok::Int(_) => "<integer>".into(),
            Tok::Float(_) => "<number>".into(),
            Tok::Eof => "<eof>".into(),
            Tok::Other(c) => quote_byte(*c),
            t => format!("'{}'", t.fixed_text().unwrap_or_default()),
        }
    }
}

/// `'c'` for a printable byte, `'<\N>'` (decimal) otherwise, like Lua's `luaX_token2str`.
fn quote_byte(c: u8) -> String {
    if (0x20..0x7f).contains(&c) {
        format!("'{}'", c as char)
    } else {
        format!("'<\\{c}>'")
    }
}

/// A token with its position.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Token {
    pub tok: Tok,
    /// Line and 1-based byte column where the token starts.
    pub line: u32,
    pub col: u32,
    /// Line where the token ends; differs from `line` only for strings spanning lines. Lua
    /// reports syntax errors about the current token on this line.
    pub end_line: u32,
    /// Byte range of the token in the source.
    pub start: usize,
    pub end: usize,
}

pub struct Lexer<'a> {
    src: &'a [u8],
    pos: usize,
    line: u32,
    /// Offset of the first byte of the current line, for columns.
    line_start: usize,
    /// Where the token being read starts (for error columns).
    tok_col: u32,
    /// Decoded contents of the last string token.
    buf: Vec<u8>,
    /// The budget of this compilation, if metered (see `meter.rs`).
    meter: Option<std::rc::Rc<super::meter::Meter>>,
}

fn is_name_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

/// [`is_name_char`] as a table, for the lexer's hottest loop.
static NAME_CHARS: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 256 {
        t[c] = is_name_char(c as u8);
        c += 1;
    }
    t
};

const fn is_name_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

fn keyword(name: &[u8]) -> Tok {
    match name {
        b"and" => Tok::And,
        b"break" => Tok::Break,
        b"do" => Tok::Do,
        b"else" => Tok::Else,
        b"elseif" => Tok::Elseif,
        b"end" => Tok::End,
        b"false" => Tok::False,
        b"for" => Tok::For,
        b"function" => Tok::Function,
        b"goto" => Tok::Goto,
        b"if" => Tok::If,
        b"in" => Tok::In,
        b"local" => Tok::Local,
        b"nil" => Tok::Nil,
        b"not" => Tok::Not,
        b"or" => Tok::Or,
        b"repeat" => Tok::Repeat,
        b"return" => Tok::Return,
        b"then" => Tok::Then,
        b"true" => Tok::True,
        b"until" => Tok::Until,
        b"while" => Tok::While,
        _ => Tok::Name,
    }
}

/// Appends `x` (at most 0x7FFFFFFF) as UTF-8, using the old 5- and 6-byte forms above U+10FFFF
/// like Lua's `\u{...}` escape does.
fn push_utf8(out: &mut Vec<u8>, x: u32) {
    if x < 0x80 {
        out.push(x as u8);
        return;
    }
    let (n, lead) = match x {
        0..0x800 => (2, 0xC0),
        0x800..0x1_0000 => (3, 0xE0),
        0x1_0000..0x20_0000 => (4, 0xF0),
        0x20_0000..0x400_0000 => (5, 0xF8),
        _ => (6, 0xFC),
    };
    out.push(lead | (x >> (6 * (n - 1))) as u8);
    for i in (0..n - 1).rev() {
        out.push(0x80 | ((x >> (6 * i)) & 0x3F) as u8);
    }
}

/// Text shown in `near '...'`: C's `%s` stops at a NUL byte, so we do too.
fn near_text(bytes: &[u8]) -> String {
    let end = bytes.iter().position(|&c| c == 0).unwrap_or(bytes.len());
    format!("'{}'", String::from_utf8_lossy(&bytes[..end]))
}

impl<'a> Lexer<'a> {
    /// A lexer over a whole chunk. (A file's `#!` first line is dropped by the file loader, as
    /// in lua.c; `load` of a string starting with `#` is a syntax error.)
    pub(crate) fn new(src: &'a [u8]) -> Lexer<'a> {
        Lexer {
            src,
            pos: 0,
            line: 1,
            line_start: 0,
            tok_col: 1,
            buf: Vec::new(),
            meter: None,
        }
    }

    /// Charges each token read to `meter`; reading stops with an error once it trips.
    pub(crate) fn set_meter(&mut self, meter: Option<std::rc::Rc<super::meter::Meter>>) {
        self.meter = meter;
    }

    pub(crate) fn source(&self) -> &'a [u8] {
        self.src
    }

    /// Contents of the last string token read (escapes decoded, newlines normalized).
    pub(crate) fn str_value(&self) -> &[u8] {
        &self.buf
    }

    #[inline]
    fn cur(&self) -> Option<u8> {
        self.src.get(self.pos).copied()
    }

    #[inline]
    fn at(&self, offset: usize) -> Option<u8> {
        self.src.get(self.pos + offset).copied()
    }

    fn col(&self) -> u32 {
        (self.pos - self.line_start + 1) as u32
    }

    /// Skips a newline sequence (`\n`, `\r`, `\r\n` or `\n\r`) at `pos`: one line.
    fn newline(&mut self) {
        let first = self.src[self.pos];
        self.pos += 1;
        if let Some(c @ (b'\n' | b'\r')) = self.cur()
            && c != first
        {
            self.pos += 1;
        }
        self.line += 1;
        self.line_start = self.pos;
    }

    #[cold]
    fn error(&self, msg: &str, near: Option<&[u8]>) -> Box<CompileError> {
        let message = match near {
            Some(text) => format!("{msg} near {}", near_text(text)),
            None => format!("{msg} near <eof>"),
        };
        Box::new(CompileError {
            line: self.line,
            col: self.tok_col,
            message,
        })
    }

    #[inline(never)]
    /// What Lua shows for `t` in `near ...`: the source text of names and numerals, the
    /// decoded contents of strings with their delimiters, `<eof>` unquoted.
    pub(crate) fn token_text(&self, t: &Token) -> String {
        match &t.tok {
            Tok::Eof => "<eof>".into(),
            Tok::Name | Tok::Int(_) | Tok::Float(_) => near_text(&self.src[t.start..t.end]),
            Tok::Str => {
                let s = &self.buf;
                let mut text = Vec::with_capacity(s.len() + 4);
                let open = self.src[t.start];
                if open == b'[' {
                    let level = self.src[t.start + 1..]
                        .iter()
                        .take_while(|&&c| c == b'=')
                        .count();
                    text.push(b'[');
                    text.resize(level + 1, b'=');
                    text.push(b'[');
                    text.extend_from_slice(s);
                    text.push(b']');
                    text.resize(text.len() + level, b'=');
                    text.push(b']');
                } else {
                    text.push(open);
                    text.extend_from_slice(s);
                    text.push(open);
                }
                near_text(&text)
            }
            Tok::Other(c) => quote_byte(*c),
            t => format!("'{}'", t.fixed_text().unwrap_or_default()),
        }
    }

    #[cfg(test)]
    /// Reads the next token.
    pub(crate) fn next_token(&mut self) -> Result<Token, CompileError> {
        self.scan().map_err(|e| *e)
    }

    /// Reads the next token ([`Lexer::next_token`] with a boxed error).
    #[inline]
    pub(crate) fn scan(&mut self) -> LResult<Token> {
        // Skip whitespace and comments.
        loop {
            match self.cur() {
                Some(b'\n' | b'\r') => self.newline(),
                Some(b' ' | b'\t' | 0x0b | 0x0c) => self.pos += 1,
                Some(b'-') if self.at(1) == Some(b'-') => {
                    self.tok_col = self.col();
                    self.skip_comment()?;
                }
                _ => break,
            }
        }
        let start = self.pos;
        let line = self.line;
        let col = self.col();
        self.tok_col = col;
        let tok = match self.cur() {
            None => Tok::Eof,
            Some(c) => self.read_token(c)?,
        };
        if let Some(m) = &self.meter {
            let units = super::meter::TOKEN_UNITS + ((self.pos - start) >> 6) as u64;
            if !m.charge(units) {
                return Err(Box::new(CompileError {
                    line: self.line,
                    col,
                    message: super::meter::INTERRUPTED.into(),
                }));
            }
        }
        Ok(Token {
            tok,
            line,
            col,
            end_line: self.line,
            start,
            end: self.pos,
        })
    }

    #[inline(never)]
    fn read_token(&mut self, c: u8) -> LResult<Tok> {
        // Advances past `n` bytes and yields `t`.
        macro_rules! take {
            ($n:expr, $t:expr) => {{
                self.pos += $n;
                $t
            }};
        }
        let next = self.at(1);
        Ok(match c {
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => {
                let start = self.pos;
                self.pos += 1;
                let rest = &self.src[self.pos..];
                self.pos += rest
                    .iter()
                    .position(|&c| !NAME_CHARS[c as usize])
                    .unwrap_or(rest.len());
                keyword(&self.src[start..self.pos])
            }
            b'0'..=b'9' => self.read_numeral()?,
            b'"' | b'\'' => self.read_string(c)?,
            b'[' => match self.long_bracket() {
                Ok(level) => {
                    self.read_long(level, true)?;
                    Tok::Str
                }
                Err(0) => take!(1, Tok::LBracket),
                Err(n) => {
                    let text = &self.src[self.pos..self.pos + 1 + n];
                    self.pos += 1 + n;
                    return Err(self.error("invalid long string delimiter", Some(text)));
                }
            },
            b'.' => match next {
                Some(b'.') if self.at(2) == Some(b'.') => take!(3, Tok::Dots),
                Some(b'.') => take!(2, Tok::Concat),
                Some(b'0'..=b'9') => self.read_numeral()?,
                _ => take!(1, Tok::Dot),
            },
            b'=' if next == Some(b'=') => take!(2, Tok::Eq),
            b'=' => take!(1, Tok::Assign),
            b'<' => match next {
                Some(b'=') => take!(2, Tok::Le),
                Some(b'<') => take!(2, Tok::Shl),
                _ => take!(1, Tok::Lt),
            },
            b'>' => match next {
                Some(b'=') => take!(2, Tok::Ge),
                Some(b'>') => take!(2, Tok::Shr),
                _ => take!(1, Tok::Gt),
            },
            b'/' if next == Some(b'/') => take!(2, Tok::DSlash),
            b'/' => take!(1, Tok::Slash),
            b'~' if next == Some(b'=') => take!(2, Tok::Ne),
            b'~' => take!(1, Tok::Tilde),
            b':' if next == Some(b':') => take!(2, Tok::DColon),
            b':' => take!(1, Tok::Colon),
            b'-' => take!(1, Tok::Minus),
            b'+' => take!(1, Tok::Plus),
            b'*' => take!(1, Tok::Star),
            b'%' => take!(1, Tok::Percent),
            b'^' => take!(1, Tok::Caret),
            b'#' => take!(1, Tok::Hash),
            b'&' => take!(1, Tok::Amp),
            b'|' => take!(1, Tok::Pipe),
            b'(' => take!(1, Tok::LParen),
            b')' => take!(1, Tok::RParen),
            b'{' => take!(1, Tok::LBrace),
            b'}' => take!(1, Tok::RBrace),
            b']' => take!(1, Tok::RBracket),
            b';' => take!(1, Tok::Semi),
            b',' => take!(1, Tok::Comma),
            other => take!(1, Tok::Other(other)),
        })
    }

    /// At a `[`: `Ok(level)` for a long bracket `[==[`, else `Err(number of '=')`. Consumes
    /// nothing.
    fn long_bracket(&self) -> Result<usize, usize> {
        let rest = &self.src[self.pos + 1..];
        let level = rest.iter().take_while(|&&c| c == b'=').count();
        if rest.get(level) == Some(&b'[') {
            Ok(level)
        } else {
            Err(level)
        }
    }

    #[inline(never)]
    /// At `--`: skips a short or long comment.
    fn skip_comment(&mut self) -> LResult<()> {
        self.pos += 2;
        if self.cur() == Some(b'[')
            && let Ok(level) = self.long_bracket()
        {
            self.read_long(level, false)?;
            return Ok(());
        }
        // Short comment (also `--[=` not followed by a long bracket): up to the end of line.
        let rest = &self.src[self.pos..];
        self.pos += rest
            .iter()
            .position(|&c| c == b'\n' || c == b'\r')
            .unwrap_or(rest.len());
        Ok(())
    }

    /// Reads a long string or comment whose opening bracket of `level` starts at `pos`. A
    /// string's contents go to `buf`: the first newline is dropped and every newline sequence
    /// becomes `\n`.
    fn read_long(&mut self, level: usize, is_string: bool) -> LResult<()> {
        let start_line = self.line;
        self.pos += level + 2;
        if matches!(self.cur(), Some(b'\n' | b'\r')) {
            self.newline();
        }
        if !is_string {
            // A comment: leave `buf` alone (it may hold the current string token).
            return self.read_long_into(level, false, start_line, &mut Vec::new());
        }
        let mut out = std::mem::take(&mut self.buf);
        out.clear();
        let result = self.read_long_into(level, true, start_line, &mut out);
        self.buf = out;
        result
    }

    fn read_long_into(
        &mut self,
        level: usize,
        is_string: bool,
        start_line: u32,
        out: &mut Vec<u8>,
    ) -> LResult<()> {
        loop {
            // Copy the run of plain bytes in one go.
            let rest = &self.src[self.pos..];
            let run = rest
                .iter()
                .position(|&c| matches!(c, b']' | b'\n' | b'\r'))
                .unwrap_or(rest.len());
            if is_string {
                out.extend_from_slice(&rest[..run]);
            }
            self.pos += run;
            match self.cur() {
                None => {
                    let what = if is_string { "string" } else { "comment" };
                    let msg = format!("unfinished long {what} (starting at line {start_line})");
                    return Err(self.error(&msg, None));
                }
                Some(b']') => {
                    let rest = &self.src[self.pos + 1..];
                    let eqs = rest.iter().take_while(|&&c| c == b'=').count();
                    if eqs == level && rest.get(eqs) == Some(&b']') {
                        self.pos += level + 2;
                        return Ok(());
                    }
                    // Not our closing bracket: keep `]` and the `=`s; a following `]` may
                    // start the real one.
                    if is_string {
                        out.extend_from_slice(&self.src[self.pos..self.pos + 1 + eqs]);
                    }
                    self.pos += 1 + eqs;
                }
                Some(_) => {
                    if is_string {
                        out.push(b'\n');
                    }
                    self.newline();
                }
            }
        }
    }

    /// Reads a quoted string; `pos` is at the opening quote `delim`.
    fn read_string(&mut self, delim: u8) -> LResult<Tok> {
        self.pos += 1;
        let mut out = std::mem::take(&mut self.buf);
        out.clear();
        let result = self.read_string_into(delim, &mut out);
        self.buf = out;
        result.map(|()| Tok::Str)
    }

    fn read_string_into(&mut self, delim: u8, out: &mut Vec<u8>) -> LResult<()> {
        loop {
            let rest = &self.src[self.pos..];
            let run = rest
                .iter()
                .position(|&c| c == delim || matches!(c, b'\\' | b'\n' | b'\r'))
                .unwrap_or(rest.len());
            out.extend_from_slice(&rest[..run]);
            self.pos += run;
            match self.cur() {
                None => return Err(self.error("unfinished string", None)),
                Some(b'\n' | b'\r') => {
                    let mut text = vec![delim];
                    text.extend_from_slice(out);
                    return Err(self.error("unfinished string", Some(&text)));
                }
                Some(b'\\') => self.read_escape(delim, out)?,
                Some(_) => {
                    // The closing quote.
                    self.pos += 1;
                    return Ok(());
                }
            }
        }
    }

    /// Decodes the escape sequence at `pos` (a backslash) into `out`.
    fn read_escape(&mut self, delim: u8, out: &mut Vec<u8>) -> LResult<()> {
        let backslash = self.pos;
        self.pos += 1;
        // On error Lua shows the string so far plus the raw escape up to and including the
        // offending byte.
        let fail = |lx: &mut Lexer<'_>, out: &[u8], msg: &str| -> Box<CompileError> {
            if lx.pos < lx.src.len() {
                lx.pos += 1;
            }
            let mut text = vec![delim];
            text.extend_from_slice(out);
            text.extend_from_slice(&lx.src[backslash..lx.pos]);
            lx.error(msg, Some(&text))
        };
        let Some(c) = self.cur() else {
            // `\` at end of input: the caller then reports the unfinished string.
            return Ok(());
        };
        let simple = match c {
            b'a' => Some(0x07),
            b'b' => Some(0x08),
            b'f' => Some(0x0c),
            b'n' => Some(b'\n'),
            b'r' => Some(b'\r'),
            b't' => Some(b'\t'),
            b'v' => Some(0x0b),
            b'\\' | b'"' | b'\'' => Some(c),
            _ => None,
        };
        if let Some(byte) = simple {
            out.push(byte);
            self.pos += 1;
            return Ok(());
        }
        match c {
            b'\n' | b'\r' => {
                out.push(b'\n');
                self.newline();
            }
            b'x' => {
                let mut value = 0u8;
                for _ in 0..2 {
                    self.pos += 1;
                    match self.cur() {
                        Some(d) if d.is_ascii_hexdigit() => value = value * 16 + hex_value(d) as u8,
                        _ => return Err(fail(self, out, "hexadecimal digit expected")),
                    }
                }
                self.pos += 1;
                out.push(value);
            }
            b'u' => {
                self.pos += 1;
                if self.cur() != Some(b'{') {
                    return Err(fail(self, out, "missing '{'"));
                }
                self.pos += 1;
                let mut value = match self.cur() {
                    Some(d) if d.is_ascii_hexdigit() => hex_value(d),
                    _ => return Err(fail(self, out, "hexadecimal digit expected")),
                };
                self.pos += 1;
                while let Some(d) = self.cur().filter(u8::is_ascii_hexdigit) {
                    // Another digit must keep the value within 2^31.
                    if value > 0x7FF_FFFF {
                        return Err(fail(self, out, "UTF-8 value too large"));
                    }
                    value = value * 16 + hex_value(d);
                    self.pos += 1;
                }
                if self.cur() != Some(b'}') {
                    return Err(fail(self, out, "missing '}'"));
                }
                self.pos += 1;
                push_utf8(out, value);
            }
            b'z' => {
                self.pos += 1;
                while let Some(c) = self.cur().filter(|&c| is_space(c)) {
                    if c == b'\n' || c == b'\r' {
                        self.newline();
                    } else {
                        self.pos += 1;
                    }
                }
            }
            b'0'..=b'9' => {
                let mut value = 0u32;
                for _ in 0..3 {
                    match self.cur() {
                        Some(d) if d.is_ascii_digit() => {
                            value = value * 10 + (d - b'0') as u32;
                            self.pos += 1;
                        }
                        _ => break,
                    }
                }
                if value > 255 {
                    return Err(fail(self, out, "decimal escape too large"));
                }
                out.push(value as u8);
            }
            _ => return Err(fail(self, out, "invalid escape sequence")),
        }
        Ok(())
    }

    /// Reads a numeral at `pos` (a digit, or a `.` before a digit). Like Lua, first takes the
    /// longest run of characters that could belong to a numeral (hex digits, dots, exponent
    /// marks with signs, plus one touching letter), then converts it, so `3x` and `1..2` are
    /// malformed numbers rather than two tokens.
    fn read_numeral(&mut self) -> LResult<Tok> {
        let start = self.pos;
        let mut expo = [b'e', b'E'];
        if self.src[start] == b'0' && matches!(self.at(1), Some(b'x' | b'X')) {
            expo = [b'p', b'P'];
            self.pos += 2;
        } else {
            self.pos += 1;
        }
        while let Some(c) = self.cur() {
            if expo.contains(&c) {
                self.pos += 1;
                if matches!(self.cur(), Some(b'+' | b'-')) {
                    self.pos += 1;
                }
            } else if c.is_ascii_hexdigit() || c == b'.' {
                self.pos += 1;
            } else {
                break;
            }
        }
        if self.cur().is_some_and(is_name_start) {
            self.pos += 1;
        }
        let text = &self.src[start..self.pos];
        match parse_number(text) {
            Some(NumberLit::Int(i)) => Ok(Tok::Int(i)),
            Some(NumberLit::Float(f)) => Ok(Tok::Float(f)),
            None => Err(self.error("malformed number", Some(text))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// All tokens of `src` up to (not including) the end.
    fn toks(src: &str) -> Vec<Tok> {
        let mut lx = Lexer::new(src.as_bytes());
        let mut out = Vec::new();
        loop {
            let t = lx.next_token().unwrap_or_else(|e| panic!("{src:?}: {e}"));
            if t.tok == Tok::Eof {
                return out;
            }
            out.push(t.tok);
        }
    }

    fn one(src: &str) -> Tok {
        let t = toks(src);
        assert_eq!(t.len(), 1, "{src:?} gave {t:?}");
        t.into_iter().next().unwrap()
    }

    fn string(src: &str) -> Vec<u8> {
        let mut lx = Lexer::new(src.as_bytes());
        let t = lx.next_token().unwrap_or_else(|e| panic!("{src:?}: {e}"));
        assert_eq!(t.tok, Tok::Str, "{src:?}");
        assert_eq!(lx.next_token().unwrap().tok, Tok::Eof, "{src:?}");
        lx.str_value().to_vec()
    }

    /// The first lexical error in `src`, as (line, message).
    fn lex_err(src: &str) -> (u32, String) {
        let mut lx = Lexer::new(src.as_bytes());
        loop {
            match lx.next_token() {
                Ok(t) if t.tok == Tok::Eof => panic!("{src:?} lexed without error"),
                Ok(_) => {}
                Err(e) => return (e.line, e.message),
            }
        }
    }

    #[test]
    fn keywords_names_and_symbols() {
        use Tok::*;
        assert_eq!(
            toks("and break do else elseif end false for function goto if in local nil not or"),
            vec![
                And, Break, Do, Else, Elseif, End, False, For, Function, Goto, If, In, Local, Nil,
                Not, Or
            ]
        );
        assert_eq!(
            toks("repeat return then true until while _x1 And"),
            vec![Repeat, Return, Then, True, Until, While, Name, Name]
        );
        assert_eq!(
            toks("+ - * / // % ^ # & ~ | << >> == ~= <= >= < > = ( ) { } [ ] :: ; : , . .. ..."),
            vec![
                Plus, Minus, Star, Slash, DSlash, Percent, Caret, Hash, Amp, Tilde, Pipe, Shl, Shr,
                Eq, Ne, Le, Ge, Lt, Gt, Assign, LParen, RParen, LBrace, RBrace, LBracket, RBracket,
                DColon, Semi, Colon, Comma, Dot, Concat, Dots
            ]
        );
        // Maximal munch without spaces.
        assert_eq!(toks("a..b...c"), vec![Name, Concat, Name, Dots, Name]);
        assert_eq!(
            toks("<<=>>=~=="),
            vec![Shl, Assign, Shr, Assign, Ne, Assign]
        );
        assert_eq!(toks("@$"), vec![Other(b'@'), Other(b'$')]);
    }

    #[test]
    fn name_text_comes_from_source() {
        let src = b"  foo_bar9 ";
        let mut lx = Lexer::new(src);
        let t = lx.next_token().unwrap();
        assert_eq!((t.tok, t.start, t.end, t.col), (Tok::Name, 2, 10, 3));
        assert_eq!(lx.token_text(&t), "'foo_bar9'");
    }

    #[test]
    fn decimal_numbers() {
        assert_eq!(one("0"), Tok::Int(0));
        assert_eq!(one("42"), Tok::Int(42));
        assert_eq!(one("9223372036854775807"), Tok::Int(i64::MAX));
        // Overflowing decimal integers become floats.
        assert_eq!(
            one("9223372036854775808"),
            Tok::Float(9223372036854775808.0)
        );
        assert_eq!(
            one("123456789012345678901234567890"),
            Tok::Float(1.2345678901234568e29)
        );
        assert_eq!(one("3.0"), Tok::Float(3.0));
        assert_eq!(one("3."), Tok::Float(3.0));
        assert_eq!(one(".5"), Tok::Float(0.5));
        assert_eq!(one("1e2"), Tok::Float(100.0));
        assert_eq!(one("1E+2"), Tok::Float(100.0));
        assert_eq!(one("2.5e-3"), Tok::Float(0.0025));
        assert_eq!(one("1.e1"), Tok::Float(10.0));
        assert_eq!(one("1e309"), Tok::Float(f64::INFINITY));
        // Correct rounding (this one is halfway-ish and needs the exact algorithm).
        assert_eq!(
            one("2.2250738585072011e-308"),
            Tok::Float(2.225073858507201e-308)
        );
        assert_eq!(one("0.1"), Tok::Float(0.1));
        // A sign is never part of a numeral.
        assert_eq!(toks("-1"), vec![Tok::Minus, Tok::Int(1)]);
    }

    #[test]
    fn hex_numbers() {
        assert_eq!(one("0x10"), Tok::Int(16));
        assert_eq!(one("0XfF"), Tok::Int(255));
        // Hex integers wrap around modulo 2^64.
        assert_eq!(one("0xffffffffffffffff"), Tok::Int(-1));
        assert_eq!(one("0x7fffffffffffffff"), Tok::Int(i64::MAX));
        assert_eq!(one("0x10000000000000000"), Tok::Int(0));
        assert_eq!(one("0x1ffffffffffffffff"), Tok::Int(-1));
        assert_eq!(one("0x1p4"), Tok::Float(16.0));
        assert_eq!(one("0x.8"), Tok::Float(0.5));
        assert_eq!(one("0xA.8p1"), Tok::Float(21.0));
        assert_eq!(one("0x1P-2"), Tok::Float(0.25));
        assert_eq!(one("0x1p+2"), Tok::Float(4.0));
        assert_eq!(one("0x8."), Tok::Float(8.0));
        // `e` is a hex digit, not an exponent, in hex numerals.
        assert_eq!(toks("0x1e+1"), vec![Tok::Int(30), Tok::Plus, Tok::Int(1)]);
    }

    #[test]
    fn hex_float_rounding() {
        let f = |s: &str| match parse_number(s.as_bytes()) {
            Some(NumberLit::Float(f)) => f,
            r => panic!("{s}: {r:?}"),
        };
        // Round to nearest, ties to even, past 53 bits.
        assert_eq!(f("0x1.fffffffffffff8p0"), 2.0);
        assert_eq!(f("0x1.00000000000008p0"), 1.0);
        assert_eq!(f("0x1.000000000000081p0"), 1.0000000000000002);
        assert_eq!(f("0x1.00000000000018p0"), 1.0000000000000004);
        // Many digits: the later ones only matter as sticky bits.
        assert_eq!(f("0x123456789abcdef0123.8"), 5.373003642731685e21);
        assert_eq!(
            f("0x.000000000000000000000000000000001p0"),
            1.8367099231598242e-40
        );
        // Subnormals, underflow and overflow.
        assert_eq!(f("0x1p-1074"), f64::from_bits(1));
        assert_eq!(f("0x1.8p-1074"), f64::from_bits(2));
        assert_eq!(f("0x1p-1075"), 0.0);
        assert_eq!(
            f("0x1.0000000000001p-1022"),
            f64::from_bits(0x0010_0000_0000_0001)
        );
        assert_eq!(f("0x1.fffffffffffffp1023"), f64::MAX);
        assert_eq!(f("0x1.fffffffffffff8p1023"), f64::INFINITY);
        assert_eq!(f("0x1p99999999999"), f64::INFINITY);
        assert_eq!(f("0x1p-99999999999"), 0.0);
        assert_eq!(f("0x0p0"), 0.0);
    }

    #[test]
    fn parse_number_matches_tonumber() {
        use NumberLit::{Float, Int};
        // Expected values taken from lua5.4's `tonumber`.
        let cases: &[(&str, Option<NumberLit>)] = &[
            ("0x10", Some(Int(16))),
            (" 10 ", Some(Int(10))),
            ("1e1", Some(Float(10.0))),
            ("0x1p-2", Some(Float(0.25))),
            ("inf", None),
            ("nan", None),
            ("infinity", None),
            ("10 x", None),
            ("9223372036854775808", Some(Float(9223372036854775808.0))),
            ("-9223372036854775808", Some(Int(i64::MIN))),
            ("-9223372036854775809", Some(Float(-9223372036854775808.0))),
            ("-0x1", Some(Int(-1))),
            ("0x", None),
            ("0x.", None),
            (".", None),
            ("1.", Some(Float(1.0))),
            (".5", Some(Float(0.5))),
            ("-.5", Some(Float(-0.5))),
            ("+1", Some(Int(1))),
            ("+ 1", None),
            ("- 1", None),
            ("1e", None),
            ("1e+", None),
            ("0x1p", None),
            ("0xp1", None),
            ("0x.p1", None),
            ("0xA.8p1", Some(Float(21.0))),
            (" \t\n\x0b\x0c\r1\t", Some(Int(1))),
            ("1\0", None),
            ("0xffffffffffffffff", Some(Int(-1))),
            ("1E+2", Some(Float(100.0))),
            ("0X1P+2", Some(Float(4.0))),
            ("00x1", None),
            ("1_0", None),
            ("1e400", Some(Float(f64::INFINITY))),
            ("-1e400", Some(Float(f64::NEG_INFINITY))),
            ("1e-400", Some(Float(0.0))),
            ("0x1e", Some(Int(30))),
            ("2.4703282292062328e-324", Some(Float(f64::from_bits(1)))),
            ("  ", None),
            ("", None),
            ("-", None),
            ("0x-1", None),
            ("1 2", None),
            ("-0", Some(Int(0))),
            ("007", Some(Int(7))),
            (
                "0x123456789abcdef0123",
                Some(Int(0x6789abcdef0123i64 + (0x45 << 56))),
            ),
        ];
        for (s, want) in cases {
            assert_eq!(parse_number(s.as_bytes()), *want, "{s:?}");
        }
        // -0.0 keeps its sign.
        match parse_number(b"-0.0") {
            Some(Float(f)) => assert!(f == 0.0 && f.is_sign_negative()),
            r => panic!("{r:?}"),
        }
    }

    #[test]
    fn malformed_numbers() {
        for (src, near) in [
            ("3x", "3x"),
            ("3xyz", "3x"),
            ("1..2", "1..2"),
            ("0x", "0x"),
            ("0xg", "0xg"),
            ("1e", "1e"),
            ("1e+", "1e+"),
            (".5.", ".5."),
            ("0x1p", "0x1p"),
            ("0x1.1.1", "0x1.1.1"),
            ("1_000", "1_"),
            ("0b101", "0b101"),
            ("1e5x", "1e5x"),
            ("0x1P-2.5", "0x1P-2.5"),
            ("3f", "3f"),
        ] {
            assert_eq!(
                lex_err(src),
                (1, format!("malformed number near '{near}'")),
                "{src}"
            );
        }
    }

    #[test]
    fn every_escape() {
        let src = "\"\\a\\b\\f\\n\\r\\t\\v\\\\\\\"\\'\\\nx\\z   \n   y\\x41\\x7a\\65\\0\\255\\u{48}\\u{7FF}\\u{FFFF}\\u{10FFFF}\\u{7FFFFFFF}\\u{0}\"";
        // Bytes as printed by lua5.4 for the same literal.
        let want: &[u8] = b"\x07\x08\x0c\x0a\x0d\x09\x0b\x5c\x22\x27\x0a\x78\x79\x41\x7a\x41\x00\xff\x48\xdf\xbf\xef\xbf\xbf\xf4\x8f\xbf\xbf\xfd\xbf\xbf\xbf\xbf\xbf\x00";
        assert_eq!(string(src), want);
        assert_eq!(string("'it''s'".split_at(4).0), b"it");
        assert_eq!(string("'a\"b'"), b"a\"b");
        assert_eq!(string("\"\\1234\""), b"{4");
        assert_eq!(string("\"\\u{000000041}\""), b"A");
        // `\` + CR LF is a single newline.
        assert_eq!(string("\"a\\\r\nb\""), b"a\nb");
        // `\z` skips every kind of whitespace, including several newlines.
        assert_eq!(string("\"a\\z \t\r\n\x0b\x0c\n\n  b\""), b"ab");
    }

    #[test]
    fn long_strings() {
        assert_eq!(string("[[abc]]"), b"abc");
        assert_eq!(string("[[\nabc]]"), b"abc"); // first newline dropped
        assert_eq!(string("[[\r\n\nabc]]"), b"\nabc");
        assert_eq!(string("[==[\na]]b]=]c\nd]==]"), b"a]]b]=]c\nd");
        assert_eq!(string("[=[]]=]"), b"]");
        assert_eq!(string("[[a\\n]]"), b"a\\n"); // no escapes
        assert_eq!(string("[[\r\na\r\nb\n\rc\rd]]"), b"a\nb\nc\nd");
        let mut lx = Lexer::new(b"[==[\na\nb]==] x");
        let t = lx.next_token().unwrap();
        assert_eq!((t.line, t.end_line), (1, 3));
        assert_eq!(lx.token_text(&t), "'[==[a\nb]==]'");
        assert_eq!(lx.next_token().unwrap().line, 3);
    }

    /// From Lua's own test suite: every 4-character string over `=`, `[`, `]` and newline
    /// survives a level-4 long bracket unchanged.
    #[test]
    fn long_string_contents_over_bracket_chars() {
        let alphabet = [b'=', b'[', b']', b'\n'];
        for n in 0..256usize {
            let s: Vec<u8> = (0..4).map(|i| alphabet[(n >> (2 * i)) & 3]).collect();
            let mut src = b"[====[\n".to_vec();
            src.extend_from_slice(&s);
            src.extend_from_slice(b"]====]");
            let mut lx = Lexer::new(&src);
            assert_eq!(lx.next_token().unwrap().tok, Tok::Str, "{s:?}");
            assert_eq!(lx.str_value(), &s[..], "{s:?}");
            assert_eq!(lx.next_token().unwrap().tok, Tok::Eof);
        }
    }

    /// From Lua's own test suite: line counting and string contents are the same whatever the
    /// newline convention.
    #[test]
    fn newline_conventions() {
        let prog = "a = 1        -- a comment\nb = 2\n\n\nx = [=[\nhi\n]=]\ny = \"\\\nhello\\r\\n\\\n\"\nreturn\n";
        for nl in ["\n", "\r", "\n\r", "\r\n"] {
            let src = prog.replace('\n', nl);
            let mut lx = Lexer::new(src.as_bytes());
            let mut strings = Vec::new();
            let last = loop {
                let t = lx.next_token().unwrap();
                match t.tok {
                    Tok::Str => strings.push(lx.str_value().to_vec()),
                    Tok::Return => break t.line,
                    _ => {}
                }
            };
            assert_eq!(last, 11, "{nl:?}");
            assert_eq!(strings, [b"hi\n".to_vec(), b"\nhello\r\n\n".to_vec()]);
        }
    }

    #[test]
    fn comments() {
        assert_eq!(toks("a -- comment\nb"), vec![Tok::Name, Tok::Name]);
        assert_eq!(
            toks("a --[[ long\n comment ]] b"),
            vec![Tok::Name, Tok::Name]
        );
        assert_eq!(toks("a --[==[ ]] ]=] ]==] b"), vec![Tok::Name, Tok::Name]);
        // Not a long bracket: a short comment to the end of the line.
        assert_eq!(toks("a --[=x ]]\nb"), vec![Tok::Name, Tok::Name]);
        assert_eq!(toks("a --[ x\nb"), vec![Tok::Name, Tok::Name]);
        assert_eq!(toks("--"), vec![]);
        assert_eq!(
            toks("a - -b"),
            vec![Tok::Name, Tok::Minus, Tok::Minus, Tok::Name]
        );
    }

    #[test]
    fn hash_is_an_operator_even_on_the_first_line() {
        // Skipping a `#!` line is the file loader's job, not the lexer's.
        assert_eq!(toks("#x"), vec![Tok::Hash, Tok::Name]);
        assert_eq!(toks("x\n#"), vec![Tok::Name, Tok::Hash]);
    }

    #[test]
    fn lines_and_columns() {
        // \n, \r, \r\n and \n\r are one line each; \n\n and \r\r are two.
        let src = b"a\nb\rc\r\nd\n\re\n\nf\r\rg";
        let mut lx = Lexer::new(src);
        let mut lines = Vec::new();
        loop {
            let t = lx.next_token().unwrap();
            if t.tok == Tok::Eof {
                break;
            }
            lines.push((t.line, t.col));
        }
        assert_eq!(
            lines,
            vec![(1, 1), (2, 1), (3, 1), (4, 1), (5, 1), (7, 1), (9, 1)]
        );
        let mut lx = Lexer::new(b"local  x =\n  \"a\\\nb\" y");
        let cols: Vec<_> = (0..5)
            .map(|_| {
                let t = lx.next_token().unwrap();
                (t.line, t.col, t.end_line)
            })
            .collect();
        assert_eq!(
            cols,
            vec![(1, 1, 1), (1, 8, 1), (1, 10, 1), (2, 3, 3), (3, 4, 3)]
        );
    }

    #[test]
    fn string_errors_match_lua() {
        // (source, line, message) as printed by lua5.4.
        let cases: &[(&str, u32, &str)] = &[
            ("x = \"abc", 1, "unfinished string near <eof>"),
            ("x = \"abc\n\"", 1, "unfinished string near '\"abc'"),
            (
                "x = \"abc\\q\"",
                1,
                "invalid escape sequence near '\"abc\\q'",
            ),
            (
                "x = \"\\xg\"",
                1,
                "hexadecimal digit expected near '\"\\xg'",
            ),
            (
                "x = \"\\x5g\"",
                1,
                "hexadecimal digit expected near '\"\\x5g'",
            ),
            (
                "x = \"\\x\" z",
                1,
                "hexadecimal digit expected near '\"\\x\"'",
            ),
            ("x = \"\\x4", 1, "hexadecimal digit expected near '\"\\x4'"),
            (
                "x = \"\\u{110000000}\"",
                1,
                "UTF-8 value too large near '\"\\u{110000000'",
            ),
            (
                "x = \"\\u{80000000}\"",
                1,
                "UTF-8 value too large near '\"\\u{80000000'",
            ),
            ("x = \"\\u123\"", 1, "missing '{' near '\"\\u1'"),
            ("x = \"\\u{12\"", 1, "missing '}' near '\"\\u{12\"'"),
            (
                "x = \"\\u{}\"",
                1,
                "hexadecimal digit expected near '\"\\u{}'",
            ),
            (
                "x = \"\\256\"",
                1,
                "decimal escape too large near '\"\\256\"'",
            ),
            (
                "x = \"\\2567\"",
                1,
                "decimal escape too large near '\"\\2567'",
            ),
            ("x = \"\\999", 1, "decimal escape too large near '\"\\999'"),
            ("x = \"ab\\", 1, "unfinished string near <eof>"),
            ("x = 'a\\\nb", 2, "unfinished string near <eof>"),
            (
                "x = [==[ abc",
                1,
                "unfinished long string (starting at line 1) near <eof>",
            ),
            (
                "\n\nx = [[ \n\n",
                5,
                "unfinished long string (starting at line 3) near <eof>",
            ),
            (
                "--[==[ abc\n",
                2,
                "unfinished long comment (starting at line 1) near <eof>",
            ),
            ("x = [=  abc", 1, "invalid long string delimiter near '[='"),
            ("x = [==x", 1, "invalid long string delimiter near '[=='"),
        ];
        for &(src, line, msg) in cases {
            assert_eq!(lex_err(src), (line, msg.to_string()), "{src:?}");
        }
    }

    #[test]
    fn token_text_like_lua() {
        let src = b"\"a\\tb\" 'x\\0y' 0x10 ... end @ \x01 \xC3";
        let mut lx = Lexer::new(src);
        let mut texts = Vec::new();
        loop {
            let t = lx.next_token().unwrap();
            texts.push(lx.token_text(&t));
            if t.tok == Tok::Eof {
                break;
            }
        }
        assert_eq!(
            texts,
            vec![
                "'\"a\tb\"'",
                "''x'",
                "'0x10'",
                "'...'",
                "'end'",
                "'@'",
                "'<\\1>'",
                "'<\\195>'",
                "<eof>"
            ]
        );
        assert_eq!(Tok::Name.describe(), "<name>");
        assert_eq!(Tok::Eof.describe(), "<eof>");
        assert_eq!(Tok::DColon.describe(), "'::'");
    }

    #[test]
    fn utf8_encoding() {
        let enc = |x| {
            let mut v = Vec::new();
            push_utf8(&mut v, x);
            v
        };
        assert_eq!(enc(0x7F), b"\x7F");
        assert_eq!(enc(0x80), "\u{80}".as_bytes());
        assert_eq!(enc(0x7FF), "\u{7FF}".as_bytes());
        assert_eq!(enc(0x800), "\u{800}".as_bytes());
        assert_eq!(enc(0x10FFFF), "\u{10FFFF}".as_bytes());
        assert_eq!(enc(0x200000), b"\xF8\x88\x80\x80\x80");
        assert_eq!(enc(0x4000000), b"\xFC\x84\x80\x80\x80\x80");
    }
}
