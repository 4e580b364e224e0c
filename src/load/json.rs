//! A strict JSON (RFC 8259) parser that records the position of every value and key (serde_json has
//! no per-value spans, and exam files need them for diagnostics). It reads the text as bytes, copies
//! strings in runs, counts columns in characters, and enforces the value and depth limits as it goes.

use super::limits::{Budget, ParseError};
use super::node::{Node, NodeValue};
use crate::diagnostic::Pos;

type Result<T> = std::result::Result<T, ParseError>;

pub fn parse(text: &str) -> Result<Node> {
    let mut p = Parser {
        text,
        i: 0,
        line: 1,
        col: 1,
        budget: Budget::default(),
    };
    p.ws();
    let node = p.value(0)?;
    p.ws();
    if p.i < p.text.len() {
        return Err(p.err("trailing characters after the JSON document"));
    }
    Ok(node)
}

struct Parser<'a> {
    text: &'a str,
    /// Byte offset of the next character.
    i: usize,
    line: u32,
    /// Column of the next character, in characters.
    col: u32,
    budget: Budget,
}

/// Characters in `bytes` (valid UTF-8): every byte but continuation bytes starts one.
fn chars_in(bytes: &[u8]) -> u32 {
    bytes.iter().filter(|&&b| b & 0xC0 != 0x80).count() as u32
}

impl Parser<'_> {
    fn pos(&self) -> Pos {
        Pos {
            line: self.line,
            col: self.col,
        }
    }
    fn err(&self, msg: &str) -> ParseError {
        ParseError::Syntax(msg.to_string(), self.pos())
    }
    /// The next byte (the first byte of the next character).
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.i).copied()
    }
    /// Moves past the next character; returns its first byte.
    fn bump(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.i += match b {
            0xF0.. => 4,
            0xE0.. => 3,
            0xC0.. => 2,
            _ => 1,
        };
        if b == b'\n' {
            self.line += 1;
            self.col = 1;
        } else {
            self.col += 1;
        }
        Some(b)
    }
    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.bump();
        }
    }
    fn expect(&mut self, c: u8) -> Result<()> {
        if self.peek() == Some(c) {
            self.bump();
            Ok(())
        } else {
            Err(self.err(&format!("expected `{}`", c as char)))
        }
    }
    fn value(&mut self, depth: usize) -> Result<Node> {
        let pos = self.pos();
        self.budget
            .value(depth)
            .map_err(|limit| ParseError::limit(limit, pos))?;
        let value = match self.peek() {
            Some(b'{') => self.object(depth)?,
            Some(b'[') => self.array(depth)?,
            Some(b'"') => NodeValue::Str(self.string()?),
            Some(b't') => self.word("true", NodeValue::Bool(true))?,
            Some(b'f') => self.word("false", NodeValue::Bool(false))?,
            Some(b'n') => self.word("null", NodeValue::Null)?,
            Some(b'-' | b'0'..=b'9') => self.number()?,
            Some(_) => return Err(self.err("expected a JSON value")),
            None => return Err(self.err("unexpected end of file")),
        };
        Ok(Node::new(value, pos))
    }
    fn word(&mut self, w: &str, v: NodeValue) -> Result<NodeValue> {
        for c in w.bytes() {
            if self.peek() != Some(c) {
                return Err(self.err("expected a JSON value"));
            }
            self.bump();
        }
        Ok(v)
    }
    fn object(&mut self, depth: usize) -> Result<NodeValue> {
        self.bump();
        let mut entries = Vec::new();
        self.ws();
        if self.peek() == Some(b'}') {
            self.bump();
            return Ok(NodeValue::Map(entries));
        }
        loop {
            self.ws();
            let key_pos = self.pos();
            if self.peek() == Some(b'}') && !entries.is_empty() {
                return Err(self.err("trailing comma before `}` (JSON does not allow it)"));
            }
            if self.peek() != Some(b'"') {
                return Err(self.err("expected a string key"));
            }
            let key = self.string()?;
            self.ws();
            self.expect(b':')?;
            self.ws();
            let value = self
                .value(depth + 1)
                .map_err(|e| e.within(|| key.clone()))?;
            entries.push((key, key_pos, value));
            self.ws();
            match self.bump() {
                Some(b',') => continue,
                Some(b'}') => return Ok(NodeValue::Map(entries)),
                _ => return Err(self.err("expected `,` or `}`")),
            }
        }
    }
    fn array(&mut self, depth: usize) -> Result<NodeValue> {
        self.bump();
        let mut items = Vec::new();
        self.ws();
        if self.peek() == Some(b']') {
            self.bump();
            return Ok(NodeValue::Seq(items));
        }
        loop {
            self.ws();
            if self.peek() == Some(b']') && !items.is_empty() {
                return Err(self.err("trailing comma before `]` (JSON does not allow it)"));
            }
            let index = items.len();
            items.push(
                self.value(depth + 1)
                    .map_err(|e| e.within(|| index.to_string()))?,
            );
            self.ws();
            match self.bump() {
                Some(b',') => continue,
                Some(b']') => return Ok(NodeValue::Seq(items)),
                _ => return Err(self.err("expected `,` or `]`")),
            }
        }
    }
    fn string(&mut self) -> Result<String> {
        self.bump();
        let mut s = String::new();
        loop {
            // A run of plain characters (no quote, backslash or control character) is copied at once;
            // it ends at an ASCII byte, so on a character boundary, and holds no line feed.
            let rest = self.text.as_bytes().get(self.i..).unwrap_or_default();
            let run = rest
                .iter()
                .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
                .unwrap_or(rest.len());
            if run > 0 {
                let chunk = self
                    .text
                    .get(self.i..self.i + run)
                    .ok_or_else(|| self.err("invalid UTF-8 in string"))?;
                s.push_str(chunk);
                self.col += chars_in(chunk.as_bytes());
                self.i += run;
            }
            match self.bump() {
                None => return Err(self.err("unterminated string")),
                Some(b'"') => return Ok(s),
                Some(b'\\') => match self.bump() {
                    Some(b'"') => s.push('"'),
                    Some(b'\\') => s.push('\\'),
                    Some(b'/') => s.push('/'),
                    Some(b'b') => s.push('\u{8}'),
                    Some(b'f') => s.push('\u{c}'),
                    Some(b'n') => s.push('\n'),
                    Some(b'r') => s.push('\r'),
                    Some(b't') => s.push('\t'),
                    Some(b'u') => s.push(self.unicode_escape()?),
                    _ => return Err(self.err("invalid escape in string")),
                },
                Some(_) => return Err(self.err("control character in string")),
            }
        }
    }
    /// The character of a `\u` escape (the `\u` read), a surrogate pair taking two escapes.
    fn unicode_escape(&mut self) -> Result<char> {
        let hi = self.hex4()?;
        let c = if (0xD800..0xDC00).contains(&hi) {
            if self.bump() != Some(b'\\') || self.bump() != Some(b'u') {
                return Err(self.err("unpaired surrogate in \\u escape"));
            }
            let lo = self.hex4()?;
            if !(0xDC00..0xE000).contains(&lo) {
                return Err(self.err("unpaired surrogate in \\u escape"));
            }
            char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
        } else {
            char::from_u32(hi)
        };
        c.ok_or_else(|| self.err("invalid \\u escape"))
    }
    fn hex4(&mut self) -> Result<u32> {
        let mut v = 0;
        for _ in 0..4 {
            let d = self
                .bump()
                .and_then(|c| (c as char).to_digit(16))
                .ok_or_else(|| self.err("invalid \\u escape"))?;
            v = v * 16 + d;
        }
        Ok(v)
    }
    fn digits(&mut self) {
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.bump();
        }
    }
    fn number(&mut self) -> Result<NodeValue> {
        let start = self.i;
        let mut float = false;
        if self.peek() == Some(b'-') {
            self.bump();
        }
        match self.peek() {
            Some(b'0') => {
                self.bump();
            }
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.err("invalid number")),
        }
        if self.peek() == Some(b'.') {
            float = true;
            self.bump();
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.err("invalid number"));
            }
            self.digits();
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            float = true;
            self.bump();
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.bump();
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.err("invalid number"));
            }
            self.digits();
        }
        let text = self.text.get(start..self.i).unwrap_or_default();
        if !float && let Ok(i) = text.parse::<i64>() {
            return Ok(NodeValue::Int(i));
        }
        text.parse::<f64>()
            .map(NodeValue::Float)
            .map_err(|_| self.err("invalid number"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_of_values_and_keys() {
        let n = parse("{\n  \"a\": [1, 2.5],\n  \"b\": \"x\"\n}").unwrap();
        let NodeValue::Map(entries) = n.value else {
            panic!()
        };
        assert_eq!(entries[0].1, Pos { line: 2, col: 3 });
        assert_eq!(entries[0].2.pos, Pos { line: 2, col: 8 });
        assert_eq!(
            entries[1].2,
            Node::new(NodeValue::Str("x".into()), Pos { line: 3, col: 8 })
        );
    }

    #[test]
    fn rejects_bad_json_with_position() {
        assert_eq!(
            parse("{\"a\": tru}").unwrap_err(),
            ParseError::Syntax("expected a JSON value".into(), Pos { line: 1, col: 10 })
        );
        assert!(parse("[1,]").is_err());
        assert!(parse("{\"a\":1} x").is_err());
        assert!(parse("\"\\ud800\"").is_err());
        // Columns count characters, in strings and between tokens, whatever their UTF-8 length.
        assert_eq!(
            parse("{\"é😀\": \"ü\", x}").unwrap_err(),
            ParseError::Syntax("expected a string key".into(), Pos { line: 1, col: 13 })
        );
        assert_eq!(
            parse("[\"a\",\n \"b\u{1}\"]").unwrap_err(),
            ParseError::Syntax(
                "control character in string".into(),
                Pos { line: 2, col: 5 }
            )
        );
    }

    #[test]
    fn limits_stop_the_parse_where_they_are_crossed() {
        use crate::load::limits::Limit;
        use crate::load::{MAX_DEPTH, MAX_VALUES};
        let deep = format!("{{\"a\": {}", "[".repeat(1000));
        assert_eq!(
            parse(&deep).unwrap_err(),
            ParseError::Limit {
                limit: Limit::Depth,
                pos: Pos {
                    line: 1,
                    col: 7 + MAX_DEPTH as u32
                },
                path: std::iter::once("a".to_string())
                    .chain(std::iter::repeat_n("0".to_string(), MAX_DEPTH))
                    .collect(),
            }
        );
        // A value past the limit stops the parse there, even when the text goes on (and is broken).
        let many = format!("{{\"k\": [{}, x", vec!["0"; MAX_VALUES].join(","));
        let Err(ParseError::Limit { limit, pos, path }) = parse(&many) else {
            panic!("no limit")
        };
        assert_eq!(limit, Limit::Values);
        assert_eq!(path, ["k", &(MAX_VALUES - 2).to_string()]);
        assert_eq!(pos.col as usize, 8 + 2 * (MAX_VALUES - 2));
    }

    #[test]
    fn escapes_and_numbers() {
        let n = parse(r#"["\u00e9\ud83d\ude00\n", -0, 1e3, 9223372036854775807]"#).unwrap();
        let NodeValue::Seq(items) = n.value else {
            panic!()
        };
        assert_eq!(items[0].value, NodeValue::Str("é😀\n".into()));
        assert_eq!(items[1].value, NodeValue::Int(0));
        assert_eq!(items[2].value, NodeValue::Float(1000.0));
        assert_eq!(items[3].value, NodeValue::Int(i64::MAX));
    }
}
