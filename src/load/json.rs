//! A strict JSON (RFC 8259) parser that records the position of every value and key.
//! serde_json has no per-value spans, and exam files need them for diagnostics.

use super::MAX_DEPTH;
use super::node::{Node, NodeValue};
use crate::diagnostic::Pos;

type Result<T> = std::result::Result<T, (String, Pos)>;

pub fn parse(text: &str) -> Result<Node> {
    let mut p = Parser {
        chars: text.chars().collect(),
        i: 0,
        line: 1,
        col: 1,
    };
    p.ws();
    let node = p.value(0)?;
    p.ws();
    if p.i < p.chars.len() {
        return Err(p.err("trailing characters after the JSON document"));
    }
    Ok(node)
}

struct Parser {
    chars: Vec<char>,
    i: usize,
    line: u32,
    col: u32,
}

impl Parser {
    fn pos(&self) -> Pos {
        Pos {
            line: self.line,
            col: self.col,
        }
    }
    fn err(&self, msg: &str) -> (String, Pos) {
        (msg.to_string(), self.pos())
    }
    fn peek(&self) -> Option<char> {
        self.chars.get(self.i).copied()
    }
    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.i += 1;
        if c == '\n' {
            self.line += 1;
            self.col = 1;
        } else {
            self.col += 1;
        }
        Some(c)
    }
    fn ws(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t' | '\n' | '\r')) {
            self.bump();
        }
    }
    fn expect(&mut self, c: char) -> Result<()> {
        if self.peek() == Some(c) {
            self.bump();
            Ok(())
        } else {
            Err(self.err(&format!("expected `{c}`")))
        }
    }
    fn value(&mut self, depth: usize) -> Result<Node> {
        if depth > MAX_DEPTH {
            return Err(self.err(&format!("nesting deeper than {MAX_DEPTH} levels")));
        }
        let pos = self.pos();
        let value = match self.peek() {
            Some('{') => self.object(depth)?,
            Some('[') => self.array(depth)?,
            Some('"') => NodeValue::Str(self.string()?),
            Some('t') => self.word("true", NodeValue::Bool(true))?,
            Some('f') => self.word("false", NodeValue::Bool(false))?,
            Some('n') => self.word("null", NodeValue::Null)?,
            Some('-' | '0'..='9') => self.number()?,
            Some(_) => return Err(self.err("expected a JSON value")),
            None => return Err(self.err("unexpected end of file")),
        };
        Ok(Node::new(value, pos))
    }
    fn word(&mut self, w: &str, v: NodeValue) -> Result<NodeValue> {
        for c in w.chars() {
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
        if self.peek() == Some('}') {
            self.bump();
            return Ok(NodeValue::Map(entries));
        }
        loop {
            self.ws();
            let key_pos = self.pos();
            if self.peek() == Some('}') && !entries.is_empty() {
                return Err(self.err("trailing comma before `}` (JSON does not allow it)"));
            }
            if self.peek() != Some('"') {
                return Err(self.err("expected a string key"));
            }
            let key = self.string()?;
            self.ws();
            self.expect(':')?;
            self.ws();
            let value = self.value(depth + 1)?;
            entries.push((key, key_pos, value));
            self.ws();
            match self.bump() {
                Some(',') => continue,
                Some('}') => return Ok(NodeValue::Map(entries)),
                _ => return Err(self.err("expected `,` or `}`")),
            }
        }
    }
    fn array(&mut self, depth: usize) -> Result<NodeValue> {
        self.bump();
        let mut items = Vec::new();
        self.ws();
        if self.peek() == Some(']') {
            self.bump();
            return Ok(NodeValue::Seq(items));
        }
        loop {
            self.ws();
            if self.peek() == Some(']') && !items.is_empty() {
                return Err(self.err("trailing comma before `]` (JSON does not allow it)"));
            }
            items.push(self.value(depth + 1)?);
            self.ws();
            match self.bump() {
                Some(',') => continue,
                Some(']') => return Ok(NodeValue::Seq(items)),
                _ => return Err(self.err("expected `,` or `]`")),
            }
        }
    }
    fn string(&mut self) -> Result<String> {
        self.bump();
        let mut s = String::new();
        loop {
            match self.bump() {
                None => return Err(self.err("unterminated string")),
                Some('"') => return Ok(s),
                Some('\\') => match self.bump() {
                    Some('"') => s.push('"'),
                    Some('\\') => s.push('\\'),
                    Some('/') => s.push('/'),
                    Some('b') => s.push('\u{8}'),
                    Some('f') => s.push('\u{c}'),
                    Some('n') => s.push('\n'),
                    Some('r') => s.push('\r'),
                    Some('t') => s.push('\t'),
                    Some('u') => {
                        let hi = self.hex4()?;
                        let c = if (0xD800..0xDC00).contains(&hi) {
                            if self.bump() != Some('\\') || self.bump() != Some('u') {
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
                        s.push(c.ok_or_else(|| self.err("invalid \\u escape"))?);
                    }
                    _ => return Err(self.err("invalid escape in string")),
                },
                Some(c) if (c as u32) < 0x20 => return Err(self.err("control character in string")),
                Some(c) => s.push(c),
            }
        }
    }
    fn hex4(&mut self) -> Result<u32> {
        let mut v = 0;
        for _ in 0..4 {
            let d = self
                .bump()
                .and_then(|c| c.to_digit(16))
                .ok_or_else(|| self.err("invalid \\u escape"))?;
            v = v * 16 + d;
        }
        Ok(v)
    }
    fn number(&mut self) -> Result<NodeValue> {
        let start = self.i;
        let mut float = false;
        if self.peek() == Some('-') {
            self.bump();
        }
        match self.peek() {
            Some('0') => {
                self.bump();
            }
            Some('1'..='9') => {
                while matches!(self.peek(), Some('0'..='9')) {
                    self.bump();
                }
            }
            _ => return Err(self.err("invalid number")),
        }
        if self.peek() == Some('.') {
            float = true;
            self.bump();
            if !matches!(self.peek(), Some('0'..='9')) {
                return Err(self.err("invalid number"));
            }
            while matches!(self.peek(), Some('0'..='9')) {
                self.bump();
            }
        }
        if matches!(self.peek(), Some('e' | 'E')) {
            float = true;
            self.bump();
            if matches!(self.peek(), Some('+' | '-')) {
                self.bump();
            }
            if !matches!(self.peek(), Some('0'..='9')) {
                return Err(self.err("invalid number"));
            }
            while matches!(self.peek(), Some('0'..='9')) {
                self.bump();
            }
        }
        let text: String = self.chars[start..self.i].iter().collect();
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
            parse("{\"a\": tru}").unwrap_err().1,
            Pos { line: 1, col: 10 }
        );
        assert!(parse("[1,]").is_err());
        assert!(parse("{\"a\":1} x").is_err());
        assert!(parse("\"\\ud800\"").is_err());
        assert!(parse(&"[".repeat(1000)).unwrap_err().0.contains("nesting"));
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
