//! Lua 5.4 pattern matching over byte slices.
//!
//! A backtracking matcher with the semantics (and the error messages) of PUC Lua's: character
//! classes with C-locale ASCII meaning, sets, the four quantifiers, anchors, up to 32 captures
//! (including position captures), back-references, `%b` and `%f`. It knows nothing of the VM: the
//! string library turns its results into Lua values and its errors into Lua errors.
//!
//! The matcher allocates nothing: captures live in fixed arrays inside [`MatchState`]. It recurses
//! only where backtracking needs it (`?`, `*`, `+`, `-`, captures), and each level is charged
//! against a budget of [`MAX_DEPTH`], so a pathological pattern fails with "pattern too complex"
//! instead of exhausting the Rust stack. Simple items (a literal, a class without a quantifier,
//! `%b`, `%f`, back-references) loop instead of recursing.

/// Most captures a pattern may open.
pub const MAX_CAPTURES: usize = 32;
/// Recursion budget of one match attempt (PUC Lua's MAXCCALLS).
pub const MAX_DEPTH: usize = 200;

/// Bytes that make a pattern more than a plain substring.
const SPECIALS: &[u8] = b"^$*+?.([%-";
const ESC: u8 = b'%';
const CAP_UNFINISHED: isize = -1;
const CAP_POSITION: isize = -2;

/// A malformed pattern or a limit reached while matching.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PatError {
    EndsWithEscape,
    MissingBracket,
    MissingBalanceArgs,
    MissingFrontierBracket,
    /// `%n` naming a capture that does not exist (the number as written).
    InvalidCaptureIndex(i32),
    InvalidPatternCapture,
    UnfinishedCapture,
    TooManyCaptures,
    TooComplex,
    /// The caller's instruction budget ran out (see `MatchState::budget`).
    OutOfFuel,
    /// The caller's time budget ran out (see `MatchState::deadline`).
    OutOfTime,
}

impl PatError {
    /// The message Lua gives for this error.
    pub(crate) fn message(self) -> String {
        match self {
            PatError::EndsWithEscape => "malformed pattern (ends with '%')".into(),
            PatError::MissingBracket => "malformed pattern (missing ']')".into(),
            PatError::MissingBalanceArgs => "malformed pattern (missing arguments to '%b')".into(),
            PatError::MissingFrontierBracket => "missing '[' after '%f' in pattern".into(),
            PatError::InvalidCaptureIndex(n) => format!("invalid capture index %{n}"),
            PatError::InvalidPatternCapture => "invalid pattern capture".into(),
            PatError::UnfinishedCapture => "unfinished capture".into(),
            PatError::TooManyCaptures => "too many captures".into(),
            PatError::TooComplex => "pattern too complex".into(),
            PatError::OutOfFuel => "instruction budget exhausted".into(),
            PatError::OutOfTime => "time budget exhausted".into(),
        }
    }
}

/// One capture of a successful match.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Capture {
    /// The bytes `start..end` of the subject.
    Str(usize, usize),
    /// A position capture `()`: a 1-based index into the subject.
    Pos(usize),
}

type MatchResult = Result<Option<usize>, PatError>;

/// The state of matching one pattern against one subject. Reusable across attempts at
/// different starting positions.
pub struct MatchState<'a> {
    src: &'a [u8],
    pat: &'a [u8],
    depth: usize,
    level: usize,
    cap_init: [usize; MAX_CAPTURES],
    cap_len: [isize; MAX_CAPTURES],
    /// Matching steps allowed (a backtracking pattern can take exponential time, and the
    /// caller may be a game script with an instruction budget), and steps taken.
    pub budget: u64,
    pub steps: u64,
    /// The caller's time budget: checked every [`CLOCK_STEPS`] steps. A limit whose clock has
    /// not started (`time_limit`) starts at the first check.
    pub deadline: Option<std::time::Instant>,
    pub time_limit: Option<std::time::Duration>,
    /// `steps` at which the next check (of `budget` and the clock) is due.
    next_check: u64,
}

/// Matching steps between two reads of the clock (a few microseconds of matching).
const CLOCK_STEPS: u64 = 4096;

impl<'a> MatchState<'a> {
    /// `pat` is the pattern without a leading `^` anchor (the caller handles anchoring).
    pub(crate) fn new(src: &'a [u8], pat: &'a [u8]) -> Self {
        MatchState {
            src,
            pat,
            depth: MAX_DEPTH,
            level: 0,
            cap_init: [0; MAX_CAPTURES],
            cap_len: [0; MAX_CAPTURES],
            budget: u64::MAX,
            steps: 0,
            deadline: None,
            time_limit: None,
            next_check: u64::MAX,
        }
    }

    /// Limits this match's work to `steps` steps and, when given, a deadline (or a time limit
    /// whose clock starts at the first check).
    pub(crate) fn set_budgets(
        &mut self,
        steps: u64,
        deadline: Option<std::time::Instant>,
        time_limit: Option<std::time::Duration>,
    ) {
        self.budget = steps;
        self.deadline = deadline;
        self.time_limit = time_limit;
        self.next_check = if deadline.is_some() || time_limit.is_some() {
            steps.min(CLOCK_STEPS)
        } else {
            steps
        };
    }

    /// Counts `n` steps of work the caller did for this match (scanning for candidates)
    /// against the budgets.
    pub(crate) fn add_steps(&mut self, n: u64) -> Result<(), PatError> {
        self.tick(n)
    }

    /// Counts `n` steps of work against the budgets.
    #[inline(always)]
    fn tick(&mut self, n: u64) -> Result<(), PatError> {
        self.steps += n;
        if self.steps > self.next_check {
            return self.check_budgets();
        }
        Ok(())
    }

    #[cold]
    fn check_budgets(&mut self) -> Result<(), PatError> {
        if self.steps > self.budget {
            return Err(PatError::OutOfFuel);
        }
        if self.deadline.is_some() || self.time_limit.is_some() {
            let now = std::time::Instant::now();
            let deadline = *self
                .deadline
                .get_or_insert_with(|| now + self.time_limit.unwrap_or_default());
            if now >= deadline {
                return Err(PatError::OutOfTime);
            }
            self.next_check = self.steps.saturating_add(CLOCK_STEPS).min(self.budget);
        } else {
            self.next_check = self.budget;
        }
        Ok(())
    }

    /// Tries to match the whole pattern starting at byte `s` of the subject; returns where the
    /// match ends.
    pub(crate) fn match_at(&mut self, s: usize) -> MatchResult {
        self.level = 0;
        self.depth = MAX_DEPTH;
        self.do_match(s, 0)
    }

    /// How many values a match produces: its captures, or the whole match when the pattern has
    /// none and `whole` is asked for (`find` asks for none: it returns positions instead).
    pub(crate) fn result_count(&self, whole: bool) -> usize {
        if self.level == 0 && whole {
            1
        } else {
            self.level
        }
    }

    /// Capture `i` (0-based) of the last match `s..e`; with no captures, capture 0 is the whole
    /// match.
    pub(crate) fn capture(&self, i: usize, s: usize, e: usize) -> Result<Capture, PatError> {
        if i >= self.level {
            if i != 0 {
                return Err(PatError::InvalidCaptureIndex(i as i32 + 1));
            }
            return Ok(Capture::Str(s, e));
        }
        let init = self.cap_init[i];
        match self.cap_len[i] {
            CAP_UNFINISHED => Err(PatError::UnfinishedCapture),
            CAP_POSITION => Ok(Capture::Pos(init + 1)),
            len => Ok(Capture::Str(init, init + len as usize)),
        }
    }

    #[inline(always)]
    fn pat_at(&self, p: usize) -> u8 {
        // Past the end reads as NUL, like the terminator of a C string: never a quantifier.
        self.pat.get(p).copied().unwrap_or(0)
    }

    fn do_match(&mut self, s: usize, p: usize) -> MatchResult {
        if self.depth == 0 {
            return Err(PatError::TooComplex);
        }
        self.tick(1)?;
        self.depth -= 1;
        let r = self.match_body(s, p);
        self.depth += 1;
        r
    }

    fn match_body(&mut self, mut s: usize, mut p: usize) -> MatchResult {
        let plen = self.pat.len();
        loop {
            if p >= plen {
                return Ok(Some(s));
            }
            // Each pattern item counts: a long pattern tried at every position of a long
            // subject is slow without any backtracking.
            self.tick(1)?;
            match self.pat[p] {
                b'(' => {
                    return if self.pat_at(p + 1) == b')' {
                        self.start_capture(s, p + 2, CAP_POSITION)
                    } else {
                        self.start_capture(s, p + 1, CAP_UNFINISHED)
                    };
                }
                b')' => return self.end_capture(s, p + 1),
                b'$' if p + 1 == plen => {
                    return Ok((s == self.src.len()).then_some(s));
                }
                ESC if self.pat_at(p + 1) == b'b' => match self.match_balance(s, p + 2)? {
                    Some(ns) => {
                        s = ns;
                        p += 4;
                        continue;
                    }
                    None => return Ok(None),
                },
                ESC if self.pat_at(p + 1) == b'f' => {
                    p += 2;
                    if self.pat_at(p) != b'[' {
                        return Err(PatError::MissingFrontierBracket);
                    }
                    let ep = self.class_end(p)?;
                    let prev = if s == 0 { 0 } else { self.src[s - 1] };
                    let cur = self.src.get(s).copied().unwrap_or(0);
                    if !self.match_bracket_class(prev, p, ep - 1)
                        && self.match_bracket_class(cur, p, ep - 1)
                    {
                        p = ep;
                        continue;
                    }
                    return Ok(None);
                }
                ESC if self.pat_at(p + 1).is_ascii_digit() => {
                    match self.match_back_reference(s, self.pat[p + 1])? {
                        Some(ns) => {
                            s = ns;
                            p += 2;
                            continue;
                        }
                        None => return Ok(None),
                    }
                }
                _ => {
                    let ep = self.class_end(p)?;
                    let q = self.pat_at(ep);
                    if !self.single_match(s, p, ep) {
                        if matches!(q, b'*' | b'?' | b'-') {
                            // Zero repetitions are fine.
                            p = ep + 1;
                            continue;
                        }
                        return Ok(None);
                    }
                    match q {
                        b'?' => {
                            if let Some(r) = self.do_match(s + 1, ep + 1)? {
                                return Ok(Some(r));
                            }
                            p = ep + 1;
                        }
                        b'+' => return self.max_expand(s + 1, p, ep),
                        b'*' => return self.max_expand(s, p, ep),
                        b'-' => return self.min_expand(s, p, ep),
                        _ => {
                            s += 1;
                            p = ep;
                        }
                    }
                }
            }
        }
    }

    /// Index just past the single-character class starting at `p`.
    fn class_end(&self, p: usize) -> Result<usize, PatError> {
        let plen = self.pat.len();
        let c = self.pat[p];
        let mut p = p + 1;
        match c {
            ESC => {
                if p >= plen {
                    Err(PatError::EndsWithEscape)
                } else {
                    Ok(p + 1)
                }
            }
            b'[' => {
                if self.pat_at(p) == b'^' {
                    p += 1;
                }
                // The first character of a set is never its end: "[]]" is a set of ']'.
                loop {
                    if p >= plen {
                        return Err(PatError::MissingBracket);
                    }
                    let cc = self.pat[p];
                    p += 1;
                    if cc == ESC && p < plen {
                        p += 1;
                    }
                    if self.pat_at(p) == b']' {
                        return Ok(p + 1);
                    }
                }
            }
            _ => Ok(p),
        }
    }

    /// Does the set `pat[p..=ec]` (`p` at its '[', `ec` at its ']') contain `c`?
    fn match_bracket_class(&self, c: u8, p: usize, ec: usize) -> bool {
        let mut p = p;
        let mut found = true;
        if self.pat_at(p + 1) == b'^' {
            found = false;
            p += 1;
        }
        loop {
            p += 1;
            if p >= ec {
                return !found;
            }
            let pc = self.pat[p];
            if pc == ESC {
                p += 1;
                if match_class(c, self.pat_at(p)) {
                    return found;
                }
            } else if self.pat_at(p + 1) == b'-' && p + 2 < ec {
                p += 2;
                if pc <= c && c <= self.pat[p] {
                    return found;
                }
            } else if pc == c {
                return found;
            }
        }
    }

    /// Does the subject byte at `s` match the class `pat[p..ep]`?
    #[inline]
    fn single_match(&self, s: usize, p: usize, ep: usize) -> bool {
        let Some(&c) = self.src.get(s) else {
            return false;
        };
        match self.pat[p] {
            b'.' => true,
            ESC => match_class(c, self.pat_at(p + 1)),
            b'[' => self.match_bracket_class(c, p, ep - 1),
            pc => pc == c,
        }
    }

    fn match_balance(&mut self, s: usize, p: usize) -> MatchResult {
        if p + 1 >= self.pat.len() {
            return Err(PatError::MissingBalanceArgs);
        }
        let (open, close) = (self.pat[p], self.pat[p + 1]);
        if self.src.get(s) != Some(&open) {
            return Ok(None);
        }
        let mut depth = 1usize;
        for (i, &c) in self.src.iter().enumerate().skip(s + 1) {
            if c == close {
                depth -= 1;
                if depth == 0 {
                    self.tick((i - s) as u64 / 8)?;
                    return Ok(Some(i + 1));
                }
            } else if c == open {
                depth += 1;
            }
        }
        self.tick((self.src.len() - s) as u64 / 8)?;
        Ok(None)
    }

    fn max_expand(&mut self, s: usize, p: usize, ep: usize) -> MatchResult {
        let mut n = 0usize;
        while self.single_match(s + n, p, ep) {
            n += 1;
        }
        self.tick(n as u64 / 8)?;
        // Try the rest of the pattern after the longest run, then shorter ones.
        loop {
            if let Some(r) = self.do_match(s + n, ep + 1)? {
                return Ok(Some(r));
            }
            if n == 0 {
                return Ok(None);
            }
            n -= 1;
        }
    }

    fn min_expand(&mut self, mut s: usize, p: usize, ep: usize) -> MatchResult {
        loop {
            if let Some(r) = self.do_match(s, ep + 1)? {
                return Ok(Some(r));
            }
            if self.single_match(s, p, ep) {
                s += 1;
            } else {
                return Ok(None);
            }
        }
    }

    fn start_capture(&mut self, s: usize, p: usize, what: isize) -> MatchResult {
        let level = self.level;
        if level >= MAX_CAPTURES {
            return Err(PatError::TooManyCaptures);
        }
        self.cap_init[level] = s;
        self.cap_len[level] = what;
        self.level = level + 1;
        let r = self.do_match(s, p)?;
        if r.is_none() {
            self.level -= 1;
        }
        Ok(r)
    }

    fn end_capture(&mut self, s: usize, p: usize) -> MatchResult {
        let Some(l) = (0..self.level)
            .rev()
            .find(|&l| self.cap_len[l] == CAP_UNFINISHED)
        else {
            return Err(PatError::InvalidPatternCapture);
        };
        self.cap_len[l] = (s - self.cap_init[l]) as isize;
        let r = self.do_match(s, p)?;
        if r.is_none() {
            self.cap_len[l] = CAP_UNFINISHED;
        }
        Ok(r)
    }

    /// `%1`-`%9` in a pattern: the text of an earlier, closed capture.
    fn match_back_reference(&mut self, s: usize, digit: u8) -> MatchResult {
        let l = digit as i32 - b'1' as i32;
        if l < 0 || l as usize >= self.level || self.cap_len[l as usize] == CAP_UNFINISHED {
            return Err(PatError::InvalidCaptureIndex(l + 1));
        }
        let l = l as usize;
        let len = self.cap_len[l];
        if len < 0 {
            // A position capture has no text; it never matches.
            return Ok(None);
        }
        let len = len as usize;
        let init = self.cap_init[l];
        self.tick(len as u64 / 8)?;
        if self.src.len() - s >= len && self.src[init..init + len] == self.src[s..s + len] {
            Ok(Some(s + len))
        } else {
            Ok(None)
        }
    }
}

/// Does byte `c` belong to class `%cl` (`cl` a letter, or any byte that stands for itself)?
pub(crate) fn match_class(c: u8, cl: u8) -> bool {
    let res = match cl.to_ascii_lowercase() {
        b'a' => c.is_ascii_alphabetic(),
        b'c' => c < 32 || c == 127,
        b'd' => c.is_ascii_digit(),
        b'g' => (33..=126).contains(&c),
        b'l' => c.is_ascii_lowercase(),
        b'p' => c.is_ascii_punctuation(),
        b's' => c == b' ' || (9..=13).contains(&c),
        b'u' => c.is_ascii_uppercase(),
        b'w' => c.is_ascii_alphanumeric(),
        b'x' => c.is_ascii_hexdigit(),
        b'z' => c == 0,
        _ => return cl == c,
    };
    if cl.is_ascii_lowercase() { res } else { !res }
}

/// True when `p` holds none of the pattern specials: it can be searched as a plain substring.
pub(crate) fn no_specials(p: &[u8]) -> bool {
    !p.iter().any(|c| SPECIALS.contains(c))
}

/// When every match of `pat` (unanchored) must start with one literal byte, that byte: the
/// scanning loops use it to skip positions where a match cannot start.
pub(crate) fn first_literal(pat: &[u8]) -> Option<u8> {
    let &c = pat.first()?;
    if SPECIALS.contains(&c) || c == b')' {
        // A leading '%' could still be an escaped literal; keep it simple and not skip.
        return None;
    }
    match pat.get(1) {
        Some(b'*' | b'?' | b'-') => None,
        _ => Some(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Finds `p` in `s` like `string.find` (with a leading `^` anchoring); returns the
    /// 1-based start and end and the captures as strings ("()" positions as numbers).
    fn find(s: &str, p: &str) -> Result<Option<(usize, usize, Vec<String>)>, PatError> {
        find_from(s.as_bytes(), p.as_bytes(), 0)
    }

    fn find_from(
        s: &[u8],
        p: &[u8],
        init: usize,
    ) -> Result<Option<(usize, usize, Vec<String>)>, PatError> {
        let (anchor, pat) = match p.first() {
            Some(b'^') => (true, &p[1..]),
            _ => (false, p),
        };
        let mut ms = MatchState::new(s, pat);
        let mut start = init;
        loop {
            if let Some(e) = ms.match_at(start)? {
                let mut caps = Vec::new();
                for i in 0..ms.result_count(false) {
                    caps.push(match ms.capture(i, start, e)? {
                        Capture::Str(a, b) => String::from_utf8_lossy(&s[a..b]).into_owned(),
                        Capture::Pos(n) => n.to_string(),
                    });
                }
                return Ok(Some((start + 1, e, caps)));
            }
            if anchor || start >= s.len() {
                return Ok(None);
            }
            start += 1;
        }
    }

    fn m(s: &str, p: &str) -> Option<String> {
        let (a, b, caps) = find(s, p).unwrap()?;
        Some(match caps.first() {
            Some(c) => c.clone(),
            None => s[a - 1..b].to_string(),
        })
    }

    fn err(s: &str, p: &str) -> PatError {
        find(s, p).unwrap_err()
    }

    #[test]
    fn literals_and_dot() {
        assert_eq!(find("hello world", "o w").unwrap().unwrap().0, 5);
        assert_eq!(m("hello", "l.o"), Some("llo".into()));
        assert_eq!(m("", ""), Some("".into()));
        assert_eq!(find("alo", "").unwrap().unwrap().0, 1);
        assert_eq!(m("abc", "x"), None);
        assert_eq!(m("a\0b", "\0b"), Some("\0b".into()));
    }

    #[test]
    fn classes() {
        assert_eq!(m("  abc123  ", "%a+"), Some("abc".into()));
        assert_eq!(m("abc123", "%d+"), Some("123".into()));
        assert_eq!(m("x \t\n\x0b\x0cy", "%s+"), Some(" \t\n\x0b\x0c".into()));
        assert_eq!(m("ABCdef", "%l+"), Some("def".into()));
        assert_eq!(m("abcDEF", "%u+"), Some("DEF".into()));
        assert_eq!(m("a_b1!", "%w+"), Some("a".into()));
        assert_eq!(m("zz0aFg", "%x+"), Some("0aF".into()));
        assert_eq!(m("ab, cd!", "%p"), Some(",".into()));
        assert_eq!(m("a\x01\x7fb", "%c+"), Some("\x01\x7f".into()));
        assert_eq!(m("  \x01xuxu", "%g+"), Some("xuxu".into()));
        assert_eq!(m("123abc", "%D+"), Some("abc".into()));
        assert_eq!(m("abc 123", "%S+$"), Some("123".into()));
        assert_eq!(m("a.b", "%."), Some(".".into()));
        assert_eq!(m("a\0b", "%z"), Some("\0".into()));
        for c in 0u8..=255 {
            assert_eq!(match_class(c, b'w'), c.is_ascii_alphanumeric());
            assert_eq!(match_class(c, b'W'), !c.is_ascii_alphanumeric());
            assert_eq!(
                match_class(c, b'p'),
                c.is_ascii_graphic() && !c.is_ascii_alphanumeric()
            );
        }
    }

    #[test]
    fn sets() {
        assert_eq!(m("hello", "[aeiou]+"), Some("e".into()));
        assert_eq!(m("hello", "[^aeiou]+"), Some("h".into()));
        assert_eq!(m("x-y", "[a-]"), Some("-".into()));
        assert_eq!(m("abc]", "[]]"), Some("]".into()));
        assert_eq!(m("]]]ab", "[^]]+"), Some("ab".into()));
        assert_eq!(m("a%b", "[%%]"), Some("%".into()));
        assert_eq!(m("09af", "[%da-c]+"), Some("09a".into()));
        assert_eq!(m("ab-z", "[a%-z]+"), Some("a".into()));
        assert_eq!(m("\x01\x05\x09", "[\x00-\x05]+"), Some("\x01\x05".into()));
        assert_eq!(m("q^", "[%^]"), Some("^".into()));
    }

    #[test]
    fn quantifiers() {
        assert_eq!(m("aaab", "a*"), Some("aaa".into()));
        assert_eq!(m("aaab", "a-b"), Some("aaab".into()));
        assert_eq!(m("aaab", "a-"), Some("".into()));
        assert_eq!(m("aaa", "b*"), Some("".into()));
        assert_eq!(m("aaa", "b+"), None);
        assert_eq!(m("aba", "ab+a"), Some("aba".into()));
        assert_eq!(m("aaab", ".?b"), Some("ab".into()));
        assert_eq!(m("aa", "^aa?a?a"), Some("aa".into()));
        assert_eq!(m("aabaaabaaabaaaba", "b.*b"), Some("baaabaaabaaab".into()));
        assert_eq!(m("aabaaabaaabaaaba", "b.-b"), Some("baaab".into()));
    }

    #[test]
    fn anchors() {
        assert_eq!(m("alo123alo", "^12"), None);
        assert_eq!(m("123alo", "^12"), Some("12".into()));
        assert_eq!(m("a$a", ".$"), Some("a".into()));
        assert_eq!(m("a$a", ".%$"), Some("a$".into()));
        assert_eq!(m("a$a", ".$."), Some("a$a".into()));
        assert_eq!(m("a$a", "$$"), None);
        assert_eq!(m("a$b", "a$"), None);
        assert_eq!(m("aaa", "^.*$"), Some("aaa".into()));
        assert_eq!(m("x^y", "x^"), Some("x^".into()));
    }

    #[test]
    fn captures() {
        let (_, _, caps) = find("hello world", "(%w+) (%w+)").unwrap().unwrap();
        assert_eq!(caps, vec!["hello", "world"]);
        let (_, _, caps) = find("0123456789", "(.+(.?)())").unwrap().unwrap();
        assert_eq!(caps, vec!["0123456789", "", "11"]);
        let (_, _, caps) = find("abc", "()a()").unwrap().unwrap();
        assert_eq!(caps, vec!["1", "2"]);
        let (a, b, caps) = find("  key = val", "(%w+)%s*=%s*(%w+)").unwrap().unwrap();
        assert_eq!((a, b), (3, 11));
        assert_eq!(caps, vec!["key", "val"]);
    }

    #[test]
    fn back_references() {
        assert_eq!(m("xuxx uu ppar r", "(.)%1"), Some("x".into()));
        let (a, _, _) = find("xuxx uu ppar r", "()(.)%2").unwrap().unwrap();
        assert_eq!(a, 3);
        assert_eq!(m("say \"hi\" 'x'", "([\"'])(.-)%1"), Some("\"".into()));
        assert_eq!(m("==========", "^([=]*)=%1$"), None);
        assert_eq!(m("=======", "^(=*)=%1$"), Some("===".into()));
        // A position capture never matches as a back-reference.
        assert_eq!(m("aa", "()%1"), None);
    }

    #[test]
    fn balance_and_frontier() {
        assert_eq!(m("x(a(b)c)d", "%b()"), Some("(a(b)c)".into()));
        assert_eq!(m("x(a(bc", "%b()"), None);
        assert_eq!(m("alo 'oi' alo", "%b''"), Some("'oi'".into()));
        assert_eq!(m("THE (quick) fox", "%f[%a]%a+"), Some("THE".into()));
        assert_eq!(find("aba", "%f[%z]").unwrap().unwrap().0, 4);
        assert_eq!(find("a", "%f[^%l]").unwrap().unwrap().0, 2);
        assert_eq!(m("aba", "%f[%l%z]"), None);
        assert_eq!(find(" alo aalo", "%f[%S].-%f[%s]").unwrap().unwrap().0, 2);
    }

    #[test]
    fn errors() {
        assert_eq!(err("a", "(."), PatError::UnfinishedCapture);
        assert_eq!(err("a", ".)"), PatError::InvalidPatternCapture);
        assert_eq!(err("a", "[a"), PatError::MissingBracket);
        assert_eq!(err("a", "[]"), PatError::MissingBracket);
        assert_eq!(err("a", "[^]"), PatError::MissingBracket);
        assert_eq!(err("a", "[a%]"), PatError::MissingBracket);
        assert_eq!(err("a", "[a%"), PatError::MissingBracket);
        assert_eq!(err("a", "%"), PatError::EndsWithEscape);
        assert_eq!(err("a", "%b"), PatError::MissingBalanceArgs);
        assert_eq!(err("a", "%ba"), PatError::MissingBalanceArgs);
        assert_eq!(err("a", "%f"), PatError::MissingFrontierBracket);
        assert_eq!(err("a", "%fa"), PatError::MissingFrontierBracket);
        assert_eq!(err("a", "(%1)"), PatError::InvalidCaptureIndex(1));
        assert_eq!(err("a", "%0"), PatError::InvalidCaptureIndex(0));
        assert_eq!(err("aa", "(a)%2"), PatError::InvalidCaptureIndex(2));
        assert_eq!(err("a", &"()".repeat(33)), PatError::TooManyCaptures);
        assert!(find("a", &"()".repeat(32)).unwrap().is_some());
        assert_eq!(
            PatError::InvalidCaptureIndex(2).message(),
            "invalid capture index %2"
        );
        assert_eq!(
            PatError::EndsWithEscape.message(),
            "malformed pattern (ends with '%')"
        );
    }

    #[test]
    fn depth_limit() {
        let s = "a".repeat(80);
        assert!(find(&s, &".?".repeat(80)).unwrap().is_some());
        let s = "a".repeat(300);
        assert_eq!(err(&s, &".?".repeat(300)), PatError::TooComplex);
        // The pathological case from the brief: deep, but cut off quickly.
        let s = "a".repeat(10000);
        let p = "a?".repeat(10000) + &"a".repeat(10000);
        let t = std::time::Instant::now();
        assert_eq!(err(&s, &p), PatError::TooComplex);
        assert!(t.elapsed().as_secs() < 5);
        // Long subjects with simple quantifiers loop rather than recurse.
        let s = "a".repeat(300_000);
        assert!(find(&s, "^a*.?$").unwrap().is_some());
        assert!(find(&s, "^a*.?b$").unwrap().is_none());
        assert!(find(&s, "^a-.?$").unwrap().is_some());
    }
}
