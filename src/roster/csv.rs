//! A strict RFC 4180 reader: records of comma-separated fields, `"`-quoted fields holding commas, line
//! breaks and `""` for a quote; CRLF or LF line ends; empty lines skipped; a leading UTF-8 byte-order
//! mark ignored. Each field keeps where it starts (line, column in characters) for diagnostics.

use crate::source::Pos;

/// Longest field, in bytes: names and ids are short, and this bounds a hostile file's cells.
pub const MAX_FIELD_BYTES: usize = 1024;

/// One record: its fields with their positions, and where it starts.
#[derive(Debug, Clone)]
pub struct Record {
    pub pos: Pos,
    pub fields: Vec<(String, Pos)>,
}

/// A syntax error, with where it is and how to fix it.
#[derive(Debug, Clone)]
pub struct SyntaxError {
    pub message: String,
    pub pos: Pos,
    pub hint: &'static str,
}

/// The records of `text` (at most `max_records`; reading stops there).
pub fn records(text: &str, max_records: usize) -> Result<Vec<Record>, SyntaxError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = Reader {
        chars: text.chars().peekable(),
        pos: Pos { line: 1, col: 1 },
    };
    let mut out = Vec::new();
    while reader.chars.peek().is_some() && out.len() < max_records {
        if reader.eat_line_end() {
            continue; // an empty line
        }
        out.push(reader.record()?);
    }
    Ok(out)
}

struct Reader<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
    pos: Pos,
}

impl Reader<'_> {
    fn bump(&mut self) -> Option<char> {
        let c = self.chars.next()?;
        if c == '\n' {
            self.pos.line += 1;
            self.pos.col = 1;
        } else {
            self.pos.col += 1;
        }
        Some(c)
    }

    /// Consumes `\n` or `\r\n`; false (and nothing consumed) at anything else.
    fn eat_line_end(&mut self) -> bool {
        match self.chars.peek() {
            Some('\n') => {
                self.bump();
                true
            }
            Some('\r') => {
                let mut ahead = self.chars.clone();
                ahead.next();
                if ahead.peek() == Some(&'\n') {
                    self.bump();
                    self.bump();
                    true
                } else {
                    false
                }
            }
            _ => false,
        }
    }

    fn record(&mut self) -> Result<Record, SyntaxError> {
        let pos = self.pos;
        let mut fields = Vec::new();
        loop {
            fields.push(self.field()?);
            match self.chars.peek().copied() {
                Some(',') => {
                    self.bump();
                }
                None => break,
                Some(_) if self.eat_line_end() => break,
                Some(c) => {
                    return Err(SyntaxError {
                        message: format!("unexpected {c:?} after a quoted value"),
                        pos: self.pos,
                        hint: "a quoted value ends at its closing quote: put the whole value inside the quotes, and write \"\" for a quote in it",
                    });
                }
            }
        }
        Ok(Record { pos, fields })
    }

    fn field(&mut self) -> Result<(String, Pos), SyntaxError> {
        let start = self.pos;
        let mut value = String::new();
        let too_long = |pos| SyntaxError {
            message: format!("a value longer than {MAX_FIELD_BYTES} bytes"),
            pos,
            hint: "ids, names and rooms are short: check the quotes of this row",
        };
        if self.chars.peek() == Some(&'"') {
            self.bump();
            loop {
                match self.bump() {
                    None => {
                        return Err(SyntaxError {
                            message: "a quoted value is never closed".to_string(),
                            pos: start,
                            hint: "close the quote; write \"\" for a quote inside a quoted value",
                        });
                    }
                    Some('"') if self.chars.peek() == Some(&'"') => {
                        self.bump();
                        value.push('"');
                    }
                    Some('"') => break,
                    Some(c) => value.push(c),
                }
                if value.len() > MAX_FIELD_BYTES {
                    return Err(too_long(start));
                }
            }
            return Ok((value, start));
        }
        while let Some(&c) = self.chars.peek() {
            if c == ',' || c == '\n' || (c == '\r' && self.clone_is_crlf()) {
                break;
            }
            if c == '"' {
                return Err(SyntaxError {
                    message: "a quote inside an unquoted value".to_string(),
                    pos: self.pos,
                    hint: "quote the whole value and double the quote inside: \"Ana \"\"Nana\"\" Muster\"",
                });
            }
            self.bump();
            value.push(c);
            if value.len() > MAX_FIELD_BYTES {
                return Err(too_long(start));
            }
        }
        Ok((value, start))
    }

    fn clone_is_crlf(&self) -> bool {
        let mut ahead = self.chars.clone();
        ahead.next() == Some('\r') && ahead.next() == Some('\n')
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(text: &str) -> Vec<Vec<String>> {
        records(text, usize::MAX)
            .unwrap()
            .into_iter()
            .map(|r| r.fields.into_iter().map(|(f, _)| f).collect())
            .collect()
    }

    #[test]
    fn rfc_4180_quoting_and_line_ends() {
        assert_eq!(
            fields("a,b\r\n\"x,y\",\"he said \"\"hi\"\"\"\n\n\"multi\nline\",\r\n"),
            [
                vec!["a", "b"],
                vec!["x,y", "he said \"hi\""],
                vec!["multi\nline", ""],
            ]
        );
        assert_eq!(fields("a\rb,c"), [vec!["a\rb", "c"]], "a lone CR is data");
        let r = records("id,name\n\"s1\",Ana\n", 10).unwrap();
        assert_eq!(r[1].fields[1].1, Pos { line: 2, col: 6 });
        assert_eq!(records("a\nb\nc\n", 2).unwrap().len(), 2);
    }

    #[test]
    fn syntax_errors_point_at_the_problem() {
        let e = records("a,\"b\"c\n", 9).unwrap_err();
        assert_eq!((e.pos.line, e.pos.col), (1, 6));
        let e = records("a,b\"c\n", 9).unwrap_err();
        assert_eq!((e.pos.line, e.pos.col), (1, 4));
        let e = records("x\n\"open", 9).unwrap_err();
        assert_eq!((e.pos.line, e.pos.col), (2, 1));
        let long = format!("{}\n", "x".repeat(MAX_FIELD_BYTES + 1));
        assert!(records(&long, 9).is_err());
    }
}
