//! The syntax-independent tree every exam-file parser produces: values with the position of each
//! value and each key, turned into a `serde_json::Value` plus a [`SourceMap`].

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
        if map.values.len() == MAX_VALUES + 1 {
            diags.push((
                Diagnostic::error(
                    "too-many-values",
                    format!("more than {MAX_VALUES} values in one file"),
                )
                .pointer(pointer.clone()),
                self.pos,
            ));
        }
        if map.values.len() > MAX_VALUES {
            return serde_json::Value::Null;
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
            return serde_json::Value::Null;
        }
        if depth > MAX_DEPTH {
            diags.push((
                Diagnostic::error(
                    "too-deep",
                    format!("nesting deeper than {MAX_DEPTH} levels"),
                )
                .pointer(pointer.clone()),
                self.pos,
            ));
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

/// Maps byte offsets to positions quickly for parsers that report offsets (TOML).
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { text, starts }
    }
    pub fn pos(&self, offset: usize) -> Pos {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let col = self
            .text
            .get(start..offset)
            .map_or(1, |s| s.chars().count() + 1);
        Pos {
            line: line as u32 + 1,
            col: col as u32,
        }
    }
}
