//! The syntax-independent tree every exam-file parser produces: values with the position of each
//! value and each key, turned into a `serde_json::Value` plus a [`SourceMap`].

use super::limits::Limit;
use super::{MAX_DEPTH, MAX_STRING, MAX_VALUES};
use crate::diagnostic::{Diagnostic, Pos};
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: NodeValue,
    pub pos: Pos,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NodeValue {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    /// Entries in file order: key, position of the key, value.
    Map(Vec<(String, Pos, Node)>),
}

/// Positions of values and keys by JSON pointer.
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    values: HashMap<String, Pos>,
    keys: HashMap<String, Pos>,
}

impl SourceMap {
    /// Position of the value at `pointer`, or of its nearest ancestor that has one.
    pub fn value(&self, pointer: &str) -> Pos {
        let mut p = pointer;
        loop {
            if let Some(pos) = self.values.get(p) {
                return *pos;
            }
            match p.rfind('/') {
                Some(i) => p = &p[..i],
                None => return Pos::default(),
            }
        }
    }
    /// Position of the key of the entry at `pointer` (falls back to the value's position).
    pub fn key(&self, pointer: &str) -> Pos {
        self.keys
            .get(pointer)
            .copied()
            .unwrap_or_else(|| self.value(pointer))
    }
}

/// Escapes one JSON pointer segment (RFC 6901).
pub fn escape_segment(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

impl Node {
    pub fn new(value: NodeValue, pos: Pos) -> Node {
        Node { value, pos }
    }

    pub(super) fn into_json(
        self,
        pointer: &mut String,
        map: &mut SourceMap,
        diags: &mut Vec<(Diagnostic, Pos)>,
        depth: usize,
    ) -> serde_json::Value {
        use serde_json::Value;
        map.values.insert(pointer.clone(), self.pos);
        // The parsers stop at these limits while parsing; this is the backstop for any tree.
        if map.values.len() == MAX_VALUES + 1 {
            diags.push((
                Limit::Values.diagnostic().pointer(pointer.clone()),
                self.pos,
            ));
        }
        if map.values.len() > MAX_VALUES {
            return Value::Null;
        }
        if let NodeValue::Str(s) = &self.value
            && s.len() > MAX_STRING
        {
            diags.push((
                Diagnostic::error(
                    "string-too-long",
                    format!("a string longer than {} KiB", MAX_STRING / 1024),
                )
                .pointer(pointer.clone()),
                self.pos,
            ));
            return Value::Null;
        }
        if depth > MAX_DEPTH {
            diags.push((Limit::Depth.diagnostic().pointer(pointer.clone()), self.pos));
            return Value::Null;
        }
        match self.value {
            NodeValue::Null => Value::Null,
            NodeValue::Bool(b) => Value::Bool(b),
            NodeValue::Int(i) => Value::from(i),
            NodeValue::Float(f) => serde_json::Number::from_f64(f).map_or_else(
                || {
                    diags.push((
                        Diagnostic::error("parse", "infinite or NaN numbers are not allowed")
                            .pointer(pointer.clone()),
                        self.pos,
                    ));
                    Value::Null
                },
                Value::Number,
            ),
            NodeValue::Str(s) => Value::String(s),
            NodeValue::Seq(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.into_iter().enumerate() {
                    let len = pointer.len();
                    pointer.push_str(&format!("/{i}"));
                    out.push(item.into_json(pointer, map, diags, depth + 1));
                    pointer.truncate(len);
                }
                Value::Array(out)
            }
            NodeValue::Map(entries) => {
                let mut out = serde_json::Map::with_capacity(entries.len());
                for (key, key_pos, value) in entries {
                    let len = pointer.len();
                    pointer.push('/');
                    pointer.push_str(&escape_segment(&key));
                    if out.contains_key(&key) {
                        diags.push((
                            Diagnostic::error("duplicate-key", format!("duplicate key `{key}`"))
                                .pointer(pointer.clone())
                                .hint(
                                    "a key may appear only once in a mapping; remove one of them",
                                ),
                            key_pos,
                        ));
                    } else {
                        map.keys.insert(pointer.clone(), key_pos);
                        let v = value.into_json(pointer, map, diags, depth + 1);
                        out.insert(key, v);
                    }
                    pointer.truncate(len);
                }
                Value::Object(out)
            }
        }
    }
}

/// Line and column (1-based, columns in characters) of a byte offset in `text`.
pub fn pos_of_offset(text: &str, offset: usize) -> Pos {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() as u32 + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() as u32 + 1;
    Pos { line, col }
}

/// Maps byte offsets to positions for parsers that report offsets (TOML), in time independent of the
/// length of lines: it keeps the position at every [`LineIndex::BLOCK`]th byte and counts from there.
pub struct LineIndex<'a> {
    text: &'a str,
    /// The position of byte `k * BLOCK`.
    marks: Vec<Pos>,
}

impl<'a> LineIndex<'a> {
    const BLOCK: usize = 1024;

    pub fn new(text: &'a str) -> Self {
        let mut marks = Vec::with_capacity(text.len() / Self::BLOCK + 1);
        let mut at = Pos { line: 1, col: 1 };
        for block in text.as_bytes().chunks(Self::BLOCK) {
            marks.push(at);
            at = advance(at, block);
        }
        LineIndex { text, marks }
    }
    pub fn pos(&self, offset: usize) -> Pos {
        let offset = offset.min(self.text.len());
        let k = offset / Self::BLOCK;
        let start = self
            .marks
            .get(k)
            .copied()
            .unwrap_or(Pos { line: 1, col: 1 });
        let bytes = self.text.as_bytes();
        advance(
            start,
            bytes.get(k * Self::BLOCK..offset).unwrap_or_default(),
        )
    }
}

/// The position after `bytes` (UTF-8, possibly cut mid-character) from `at`: columns count the bytes
/// that start a character.
fn advance(mut at: Pos, bytes: &[u8]) -> Pos {
    for &b in bytes {
        if b == b'\n' {
            at.line += 1;
            at.col = 1;
        } else if b & 0xC0 != 0x80 {
            at.col += 1;
        }
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index_agrees_with_counting_from_the_start() {
        // Long lines, multi-byte characters across block boundaries, empty lines, CRLF.
        let text = format!("é😀\r\n{}\n\n{}x\nü", "a".repeat(3000), "ß€😀".repeat(700));
        let index = LineIndex::new(&text);
        for (offset, _) in text.char_indices().chain([(text.len(), ' ')]) {
            assert_eq!(index.pos(offset), pos_of_offset(&text, offset), "{offset}");
        }
        assert_eq!(index.pos(usize::MAX), pos_of_offset(&text, text.len()));
        assert_eq!(LineIndex::new("").pos(0), Pos { line: 1, col: 1 });
    }
}
