//! A small RON reader that keeps the line and column of every value.
//!
//! The `ron` crate reports no positions for values it has already read, so a type or range
//! error found later could not say where it is. This reader builds a tree of [`Node`]s,
//! each with its 1-based line and column (columns count characters, not bytes), and the
//! deserializer in `de.rs` walks that tree. It covers the RON that scenario files use;
//! nesting depth and input size are bounded so no input can overflow the stack.

use std::fmt;

/// Deepest nesting of lists, maps, tuples and structs accepted.
pub const MAX_DEPTH: usize = 128;
/// Largest scenario text accepted, in bytes. Scenario files are kilobytes; long lists of
/// organisations or ids belong in the CSV files a scenario names. The bound keeps the tree
/// (about 70 bytes a value) well inside memory for any input.
pub const MAX_BYTES: usize = 16 << 20;

/// Where a value starts. `source` 0 is the scenario file; k > 0 is the k-th `--set` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub struct Pos {
    pub source: u32,
    pub line: u32,
    pub column: u32,
}

/// One value of the tree and where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Unique within one reading (file plus overrides); keys the deserializer's repairs.
    pub id: u32,
    pub pos: Pos,
    pub value: Value,
}

/// A struct field: its name, where the name starts, and its value.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub name: String,
    pub pos: Pos,
    pub value: Node,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Bool(bool),
    /// Integers keep their full range so an out-of-range value can be reported exactly.
    Int(i128),
    Float(f64),
    Char(char),
    Str(String),
    /// `()`
    Unit,
    /// A bare identifier: a unit enum variant, `None`, or a unit struct.
    Ident(String),
    List(Vec<Node>),
    Map(Vec<(Node, Node)>),
    /// `(a, b)` or `Name(a, b)`: tuples, `Some(x)`, newtype and tuple variants.
    Tuple(Option<String>, Vec<Node>),
    /// `(f: v)` or `Name(f: v)`: structs and struct variants.
    Struct(Option<String>, Vec<Field>),
}

impl Value {
    /// Words for messages: "got the string \"x\"".
    pub fn describe(&self) -> String {
        match self {
            Value::Bool(b) => format!("the boolean {b}"),
            Value::Int(i) => format!("the integer {i}"),
            Value::Float(f) => format!("the number {f}"),
            Value::Char(c) => format!("the character {c:?}"),
            Value::Str(s) => {
                let mut s = s.clone();
                if s.chars().count() > 40 {
                    s = s.chars().take(40).collect::<String>() + "...";
                }
                format!("the string {s:?}")
            }
            Value::Unit => "`()`".into(),
            Value::Ident(n) => format!("`{n}`"),
            Value::List(_) => "a list `[...]`".into(),
            Value::Map(_) => "a map `{...}`".into(),
            Value::Tuple(Some(n), _) => format!("`{n}(...)`"),
            Value::Tuple(None, _) => "a tuple `(...)`".into(),
            Value::Struct(Some(n), _) => format!("`{n}(...)` with named fields"),
            Value::Struct(None, _) => "a struct `(...)` with named fields".into(),
        }
    }
}

/// A syntax error at a position.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntaxError {
    pub pos: Pos,
    pub message: String,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.pos.line, self.pos.column, self.message)
    }
}

/// Parses one RON value filling the whole text. Node ids start at `*next_id`.
pub fn parse(text: &str, source: u32, next_id: &mut u32) -> Result<Node, SyntaxError> {
    if text.len() > MAX_BYTES {
        return Err(SyntaxError {
            pos: Pos {
                source,
                line: 1,
                column: 1,
            },
            message: format!(
                "input is {} bytes; at most {} MiB is accepted",
                text.len(),
                MAX_BYTES >> 20
            ),
        });
    }
    let mut p = Parser {
        src: text,
        i: 0,
        line: 1,
        column: 1,
        source,
        depth: 0,
        next_id,
    };
    p.skip_ws()?;
    if p.peek().is_none() {
        return Err(SyntaxError {
            pos: Pos {
                source,
                line: 1,
                column: 1,
            },
            message: "empty input (nothing but whitespace or comments): expected a value such as `Scenario(name: \"...\", ...)`".into(),
        });
    }
    let node = p.value()?;
    p.skip_ws()?;
    if let Some(c) = p.peek() {
        return Err(p.err(format!("unexpected {} after the end of the value", show(c))));
    }
    Ok(node)
}

struct Parser<'s, 'n> {
    src: &'s str,
    /// Byte offset of the next character.
    i: usize,
    line: u32,
    column: u32,
    source: u32,
    depth: usize,
    next_id: &'n mut u32,
}

fn show(c: char) -> String {
    if c.is_control() || c.is_whitespace() {
        format!("character {c:?}")
    } else {
        format!("`{c}`")
    }
}

fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

impl Parser<'_, '_> {
    fn pos(&self) -> Pos {
        Pos {
            source: self.source,
            line: self.line,
            column: self.column,
        }
    }

    fn err(&self, message: impl Into<String>) -> SyntaxError {
        SyntaxError {
            pos: self.pos(),
            message: message.into(),
        }
    }

    fn err_at(pos: Pos, message: impl Into<String>) -> SyntaxError {
        SyntaxError {
            pos,
            message: message.into(),
        }
    }

    fn peek(&self) -> Option<char> {
        self.src.get(self.i..).and_then(|s| s.chars().next())
    }

    fn peek2(&self) -> Option<char> {
        let mut it = self.src.get(self.i..)?.chars();
        it.next();
        it.next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.i += c.len_utf8();
        if c == '\n' {
            self.line += 1;
            self.column = 1;
        } else {
            self.column += 1;
        }
        Some(c)
    }

    fn node(&mut self, pos: Pos, value: Value) -> Node {
        let id = *self.next_id;
        *self.next_id = self.next_id.wrapping_add(1);
        Node { id, pos, value }
    }

    /// Skips whitespace, `//` line comments and nested `/* */` block comments.
    fn skip_ws(&mut self) -> Result<(), SyntaxError> {
        loop {
            match (self.peek(), self.peek2()) {
                (Some(c), _) if c.is_whitespace() => {
                    self.bump();
                }
                (Some('/'), Some('/')) => {
                    while let Some(c) = self.peek() {
                        if c == '\n' {
                            break;
                        }
                        self.bump();
                    }
                }
                (Some('/'), Some('*')) => {
                    let start = self.pos();
                    self.bump();
                    self.bump();
                    let mut level = 1usize;
                    while level > 0 {
                        match (self.peek(), self.peek2()) {
                            (None, _) => {
                                return Err(Self::err_at(
                                    start,
                                    "comment `/*` is never closed with `*/`",
                                ))
                            }
                            (Some('/'), Some('*')) => {
                                self.bump();
                                self.bump();
                                level += 1;
                            }
                            (Some('*'), Some('/')) => {
                                self.bump();
                                self.bump();
                                level -= 1;
                            }
                            _ => {
                                self.bump();
                            }
                        }
                    }
                }
                _ => return Ok(()),
            }
        }
    }

    fn value(&mut self) -> Result<Node, SyntaxError> {
        let pos = self.pos();
        let c = match self.peek() {
            Some(c) => c,
            None => return Err(self.err("unexpected end of input: expected a value")),
        };
        match c {
            '[' | '{' | '(' => {
                if self.depth >= MAX_DEPTH {
                    return Err(self.err(format!(
                        "nesting deeper than {MAX_DEPTH} levels; scenarios need far fewer"
                    )));
                }
                self.depth += 1;
                let v = match c {
                    '[' => self.list(pos),
                    '{' => self.map(pos),
                    _ => self.paren(pos, None),
                };
                self.depth -= 1;
                v
            }
            '"' => {
                let s = self.string()?;
                Ok(self.node(pos, Value::Str(s)))
            }
            'r' if matches!(self.peek2(), Some('"') | Some('#')) => {
                let s = self.raw_string()?;
                Ok(self.node(pos, Value::Str(s)))
            }
            '\'' => {
                let c = self.char_lit()?;
                Ok(self.node(pos, Value::Char(c)))
            }
            c if c.is_ascii_digit() || c == '+' || c == '-' || c == '.' => self.number(pos),
            c if is_ident_start(c) => {
                let name = self.ident();
                match name.as_str() {
                    "true" => return Ok(self.node(pos, Value::Bool(true))),
                    "false" => return Ok(self.node(pos, Value::Bool(false))),
                    "inf" | "NaN" => {
                        return Err(Self::err_at(
                            pos,
                            format!("`{name}` is not allowed: every number must be finite"),
                        ))
                    }
                    _ => {}
                }
                self.skip_ws()?;
                if self.peek() == Some('(') {
                    if self.depth >= MAX_DEPTH {
                        return Err(self.err(format!(
                            "nesting deeper than {MAX_DEPTH} levels; scenarios need far fewer"
                        )));
                    }
                    self.depth += 1;
                    let v = self.paren(pos, Some(name));
                    self.depth -= 1;
                    v
                } else {
                    Ok(self.node(pos, Value::Ident(name)))
                }
            }
            '#' => Err(self.err(
                "RON extensions (`#![enable(...)]`) are not used in scenarios; remove the line",
            )),
            c => Err(self.err(format!("unexpected {}: expected a value", show(c)))),
        }
    }

    fn ident(&mut self) -> String {
        let start = self.i;
        while matches!(self.peek(), Some(c) if is_ident_char(c)) {
            self.bump();
        }
        self.src.get(start..self.i).unwrap_or_default().to_string()
    }

    /// After a value inside brackets: a `,` (then maybe the closer) or the closer.
    /// Returns true when the closer was consumed.
    fn sep_or_close(&mut self, close: char, open: Pos, what: &str) -> Result<bool, SyntaxError> {
        self.skip_ws()?;
        match self.peek() {
            Some(',') => {
                self.bump();
                self.skip_ws()?;
                if self.peek() == Some(close) {
                    self.bump();
                    return Ok(true);
                }
                Ok(false)
            }
            Some(c) if c == close => {
                self.bump();
                Ok(true)
            }
            Some(c) => Err(self.err(format!(
                "expected `,` or `{close}` after {what}, found {}",
                show(c)
            ))),
            None => Err(self.unclosed(close, open)),
        }
    }

    /// Comma-separated items up to `close` (a trailing comma allowed), the opener at `open`
    /// already consumed.
    fn items<T>(
        &mut self,
        open: Pos,
        close: char,
        what: &str,
        mut item: impl FnMut(&mut Self) -> Result<T, SyntaxError>,
    ) -> Result<Vec<T>, SyntaxError> {
        let mut out = Vec::new();
        self.skip_ws()?;
        if self.peek() == Some(close) {
            self.bump();
            return Ok(out);
        }
        loop {
            self.skip_ws()?;
            if self.peek().is_none() {
                return Err(self.unclosed(close, open));
            }
            out.push(item(self)?);
            if self.sep_or_close(close, open, what)? {
                return Ok(out);
            }
        }
    }

    fn list(&mut self, pos: Pos) -> Result<Node, SyntaxError> {
        self.bump();
        let items = self.items(pos, ']', "a list element", |p| p.value())?;
        Ok(self.node(pos, Value::List(items)))
    }

    fn unclosed(&self, close: char, pos: Pos) -> SyntaxError {
        let open = match close {
            ']' => '[',
            '}' => '{',
            _ => '(',
        };
        self.err(format!(
            "unexpected end of input: `{open}` opened at {}:{} is never closed",
            pos.line, pos.column
        ))
    }

    fn map(&mut self, pos: Pos) -> Result<Node, SyntaxError> {
        self.bump();
        let entries = self.items(pos, '}', "a map entry", |p| {
            let key = p.value()?;
            p.skip_ws()?;
            match p.peek() {
                Some(':') => {
                    p.bump();
                }
                Some(c) => {
                    return Err(p.err(format!("expected `:` after a map key, found {}", show(c))))
                }
                None => return Err(p.unclosed('}', pos)),
            }
            p.skip_ws()?;
            Ok((key, p.value()?))
        })?;
        Ok(self.node(pos, Value::Map(entries)))
    }

    /// True when the next tokens are `ident :` (not `::`): a named field.
    fn at_field(&self) -> bool {
        let rest = self.src.get(self.i..).unwrap_or_default();
        let mut chars = rest.char_indices();
        match chars.next() {
            Some((_, c)) if is_ident_start(c) => {}
            _ => return false,
        }
        let end = rest
            .char_indices()
            .find(|&(_, c)| !is_ident_char(c))
            .map(|(k, _)| k)
            .unwrap_or(rest.len());
        let after = rest.get(end..).unwrap_or_default().trim_start();
        after.starts_with(':') && !after.starts_with("::")
    }

    /// `( ... )` after an optional name: unit, struct with named fields, or tuple.
    fn paren(&mut self, pos: Pos, name: Option<String>) -> Result<Node, SyntaxError> {
        let open = self.pos();
        self.bump();
        self.skip_ws()?;
        if self.peek() == Some(')') {
            self.bump();
            let v = match name {
                None => Value::Unit,
                Some(n) => Value::Tuple(Some(n), Vec::new()),
            };
            return Ok(self.node(pos, v));
        }
        if self.at_field() {
            let fields = self.items(open, ')', "a field", |p| {
                let fpos = p.pos();
                if !matches!(p.peek(), Some(c) if is_ident_start(c)) {
                    let c = p.peek().unwrap_or(' ');
                    return Err(p.err(format!(
                        "expected a field name, found {}; a struct is `Name(field: value, ...)`",
                        show(c)
                    )));
                }
                let name = p.ident();
                p.skip_ws()?;
                match p.peek() {
                    Some(':') => {
                        p.bump();
                    }
                    Some(c) => {
                        return Err(p.err(format!(
                            "expected `:` after field name `{name}`, found {}",
                            show(c)
                        )))
                    }
                    None => return Err(p.unclosed(')', open)),
                }
                p.skip_ws()?;
                let value = p.value()?;
                Ok(Field {
                    name,
                    pos: fpos,
                    value,
                })
            })?;
            return Ok(self.node(pos, Value::Struct(name, fields)));
        }
        let items = self.items(open, ')', "a tuple element", |p| p.value())?;
        Ok(self.node(pos, Value::Tuple(name, items)))
    }

    fn escape(&mut self) -> Result<char, SyntaxError> {
        let at = self.pos();
        self.bump(); // the backslash
        let bad = |m: &str| Self::err_at(at, m.to_string());
        let c = self
            .bump()
            .ok_or_else(|| bad("unexpected end of input in an escape"))?;
        Ok(match c {
            '"' => '"',
            '\'' => '\'',
            '\\' => '\\',
            '/' => '/',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            '0' => '\0',
            'b' => '\u{8}',
            'f' => '\u{c}',
            'x' => {
                let mut v = 0u32;
                for _ in 0..2 {
                    let d = self.bump().and_then(|c| c.to_digit(16));
                    v = v * 16 + d.ok_or_else(|| bad("`\\x` needs two hex digits"))?;
                }
                char::from_u32(v).ok_or_else(|| bad("invalid `\\x` escape"))?
            }
            'u' => {
                let braced = self.peek() == Some('{');
                if braced {
                    self.bump();
                }
                let mut v = 0u32;
                let mut n = 0;
                while let Some(d) = self.peek().and_then(|c| c.to_digit(16)) {
                    if n == 6 || (!braced && n == 4) {
                        break;
                    }
                    self.bump();
                    v = v * 16 + d;
                    n += 1;
                }
                if braced && self.bump() != Some('}') {
                    return Err(bad("`\\u{` escape needs 1 to 6 hex digits and `}`"));
                }
                if n == 0 || (!braced && n != 4) {
                    return Err(bad("`\\u` escape needs 4 hex digits or `{...}`"));
                }
                char::from_u32(v).ok_or_else(|| bad("`\\u` escape is not a valid character"))?
            }
            other => {
                return Err(Self::err_at(
                    at,
                    format!(
                        "unknown escape `\\{other}`; allowed: \\\" \\\\ \\n \\r \\t \\0 \\u{{...}}"
                    ),
                ))
            }
        })
    }

    fn string(&mut self) -> Result<String, SyntaxError> {
        let start = self.pos();
        self.bump();
        let mut s = String::new();
        loop {
            match self.peek() {
                None => return Err(Self::err_at(start, "string is never closed with `\"`")),
                Some('"') => {
                    self.bump();
                    return Ok(s);
                }
                Some('\\') => s.push(self.escape()?),
                Some(c) => {
                    self.bump();
                    s.push(c);
                }
            }
        }
    }

    fn raw_string(&mut self) -> Result<String, SyntaxError> {
        let start = self.pos();
        self.bump(); // r
        let mut hashes = 0usize;
        while self.peek() == Some('#') {
            self.bump();
            hashes += 1;
        }
        if self.bump() != Some('"') {
            return Err(Self::err_at(
                start,
                "raw string needs `\"` after `r` and `#`s",
            ));
        }
        let body_start = self.i;
        loop {
            match self.peek() {
                None => return Err(Self::err_at(start, "raw string is never closed")),
                Some('"') => {
                    let end = self.i;
                    let rest = self.src.get(end + 1..).unwrap_or_default();
                    if rest.len() >= hashes && rest.bytes().take(hashes).all(|b| b == b'#') {
                        self.bump();
                        for _ in 0..hashes {
                            self.bump();
                        }
                        return Ok(self
                            .src
                            .get(body_start..end)
                            .unwrap_or_default()
                            .to_string());
                    }
                    self.bump();
                }
                Some(_) => {
                    self.bump();
                }
            }
        }
    }

    fn char_lit(&mut self) -> Result<char, SyntaxError> {
        let start = self.pos();
        self.bump();
        let c = match self.peek() {
            Some('\\') => self.escape()?,
            Some('\'') | None => {
                return Err(Self::err_at(start, "empty or unclosed character literal"))
            }
            Some(c) => {
                self.bump();
                c
            }
        };
        if self.bump() != Some('\'') {
            return Err(Self::err_at(
                start,
                "character literal must hold exactly one character and end with `'`",
            ));
        }
        Ok(c)
    }

    fn number(&mut self, pos: Pos) -> Result<Node, SyntaxError> {
        let start = self.i;
        let negative = self.peek() == Some('-');
        if matches!(self.peek(), Some('+') | Some('-')) {
            self.bump();
        }
        if matches!(self.peek(), Some(c) if is_ident_start(c)) {
            let word = self.ident();
            return Err(Self::err_at(
                pos,
                if word == "inf" || word == "NaN" {
                    format!("`{word}` is not allowed: every number must be finite")
                } else {
                    format!("expected a number after the sign, found `{word}`")
                },
            ));
        }
        let radix = match (self.peek(), self.peek2()) {
            (Some('0'), Some('x')) => 16,
            (Some('0'), Some('b')) => 2,
            (Some('0'), Some('o')) => 8,
            _ => 10,
        };
        if radix != 10 {
            self.bump();
            self.bump();
            let ds = self.i;
            while matches!(self.peek(), Some(c) if c.is_digit(radix) || c == '_') {
                self.bump();
            }
            let digits: String = self
                .src
                .get(ds..self.i)
                .unwrap_or_default()
                .chars()
                .filter(|&c| c != '_')
                .collect();
            if digits.is_empty() {
                return Err(Self::err_at(pos, "number prefix needs digits after it"));
            }
            let v = u128::from_str_radix(&digits, radix)
                .ok()
                .and_then(|v| i128::try_from(v).ok())
                .ok_or_else(|| Self::err_at(pos, "integer is too large"))?;
            if matches!(self.peek(), Some(c) if is_ident_char(c)) {
                return Err(self.err("unexpected character in a number"));
            }
            return Ok(self.node(pos, Value::Int(if negative { -v } else { v })));
        }
        let mut float = false;
        while let Some(c) = self.peek() {
            if c.is_ascii_digit() || c == '_' {
                self.bump();
            } else if c == '.' && !float {
                float = true;
                self.bump();
            } else if c == 'e' || c == 'E' {
                float = true;
                self.bump();
                if matches!(self.peek(), Some('+') | Some('-')) {
                    self.bump();
                }
                if !matches!(self.peek(), Some(c) if c.is_ascii_digit()) {
                    return Err(self.err("exponent needs digits, as in `1e-3`"));
                }
            } else {
                break;
            }
        }
        if matches!(self.peek(), Some(c) if is_ident_char(c) || c == '.') {
            return Err(self.err(format!(
                "unexpected {} in a number",
                show(self.peek().unwrap_or(' '))
            )));
        }
        let text: String = self
            .src
            .get(start..self.i)
            .unwrap_or_default()
            .chars()
            .filter(|&c| c != '_')
            .collect();
        let digits = text.trim_start_matches(['+', '-']);
        if !digits.chars().any(|c| c.is_ascii_digit()) {
            return Err(Self::err_at(pos, format!("`{text}` is not a number")));
        }
        if float {
            let f: f64 = text
                .parse()
                .map_err(|_| Self::err_at(pos, format!("`{text}` is not a number")))?;
            if !f.is_finite() {
                return Err(Self::err_at(
                    pos,
                    format!("number `{text}` is too large (beyond ±1.8e308)"),
                ));
            }
            Ok(self.node(pos, Value::Float(f)))
        } else {
            let v: i128 = text.parse().map_err(|_| {
                Self::err_at(
                    pos,
                    format!("integer `{text}` is too large (beyond ±1.7e38)"),
                )
            })?;
            Ok(self.node(pos, Value::Int(v)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(t: &str) -> Result<Node, SyntaxError> {
        parse(t, 0, &mut 0)
    }

    fn at(t: &str) -> (u32, u32, String) {
        let e = p(t).unwrap_err();
        (e.pos.line, e.pos.column, e.message)
    }

    #[test]
    fn reads_values_with_positions() {
        let n = p("// c\n/* a /* nested */ */ S(a: [1, -2_000, 0x1F,], b: Some(\"é\\n\"), c: None,\n  d: Uniform(lo: 0.1, hi: 3e2), e: {\"k\": 'x'}, f: (1, true), g: r#\"q\"\"#, h: ())").unwrap();
        assert_eq!((n.pos.line, n.pos.column), (2, 22));
        let Value::Struct(Some(name), fields) = &n.value else {
            panic!("{n:?}")
        };
        assert_eq!(name, "S");
        let names: Vec<_> = fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["a", "b", "c", "d", "e", "f", "g", "h"]);
        let Value::List(items) = &fields[0].value.value else {
            panic!()
        };
        let ints: Vec<_> = items
            .iter()
            .map(|i| match i.value {
                Value::Int(v) => v,
                _ => 0,
            })
            .collect();
        assert_eq!(ints, [1, -2000, 31]);
        assert_eq!((items[1].pos.line, items[1].pos.column), (2, 31));
        assert_eq!(
            fields[1].value.value,
            Value::Tuple(
                Some("Some".into()),
                vec![Node {
                    id: fields[1].value.id - 1,
                    pos: Pos {
                        source: 0,
                        line: 2,
                        column: 55
                    },
                    value: Value::Str("é\n".into())
                }]
            )
        );
        assert_eq!(fields[2].value.value, Value::Ident("None".into()));
        assert_eq!((fields[3].pos.line, fields[3].pos.column), (3, 3));
        assert_eq!(fields[6].value.value, Value::Str("q\"".into()));
        assert_eq!(fields[7].value.value, Value::Unit);
    }

    #[test]
    fn columns_count_characters() {
        let n = p("(\"ééé\", 1)").unwrap();
        let Value::Tuple(None, items) = n.value else {
            panic!()
        };
        assert_eq!(items[1].pos.column, 9);
    }

    #[test]
    fn syntax_errors_are_located() {
        assert_eq!(at("[1, 2").0, 1);
        assert!(at("[1, 2").2.contains("opened at 1:1"));
        assert_eq!(at("(a: 1 b: 2)").1, 7);
        assert_eq!(at("(a: inf)").1, 5);
        assert!(at("(a: -inf)").2.contains("finite"));
        assert!(at("1e999").2.contains("too large"));
        assert!(at("99999999999999999999999999999999999999999")
            .2
            .contains("too large"));
        assert_eq!(at("\"abc").1, 1);
        assert_eq!(at("/* open").2, "comment `/*` is never closed with `*/`");
        assert!(at("").2.starts_with("empty input"));
        assert!(at("(1) x").2.contains("after the end"));
        assert_eq!(at("\"\\q\"").1, 2);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let t = "[".repeat(100_000);
        let (l, c, m) = at(&t);
        assert_eq!((l, c), (1, MAX_DEPTH as u32 + 1));
        assert!(m.contains("nesting"));
        let t = "A(".repeat(100_000);
        assert!(at(&t).2.contains("nesting"));
    }
}
