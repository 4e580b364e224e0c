//! The syntax-independent tree every exam-file parser produces: values with the position of each
//! value and each key, turned into a `serde_json::Value` plus a [`SourceMap`]. The conversion is the one
//! place every string of an exam file passes, keys included, so it refuses the characters a plist
//! (XML 1.0) cannot carry, whichever syntax and escape produced them.

use super::limits::Limit;
use super::{MAX_DEPTH, MAX_STRING, MAX_VALUES};
use crate::diagnostic::{Diagnostic, Pos};
use crate::pointer::push_segment;
use std::collections::HashMap;
use std::fmt::Write as _;

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

/// Positions of values and keys by JSON pointer: one entry per value, with the position of its key
/// when it is a mapping's value (one string and one hash per value, not two).
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    places: HashMap<String, Place>,
}

/// Where a value is, and where its key is (line 0: no key, an item or the document).
#[derive(Debug, Clone, Copy)]
struct Place {
    value: Pos,
    key: Pos,
}

impl SourceMap {
    /// A map sized for the values of `root` (at most [`MAX_VALUES`] and one), so that it is filled
    /// without growing: every growth hashes each pointer again.
    pub(super) fn for_tree(root: &Node) -> SourceMap {
        fn count(node: &Node, n: &mut usize) {
            *n += 1;
            if *n > MAX_VALUES {
                return;
            }
            match &node.value {
                NodeValue::Seq(items) => items.iter().for_each(|i| count(i, n)),
                NodeValue::Map(entries) => entries.iter().for_each(|(_, _, v)| count(v, n)),
                _ => {}
            }
        }
        let mut n = 0;
        count(root, &mut n);
        SourceMap {
            places: HashMap::with_capacity(n),
        }
    }

    /// Position of the value at `pointer`, or of its nearest ancestor that has one.
    pub fn value(&self, pointer: &str) -> Pos {
        let mut p = pointer;
        loop {
            if let Some(place) = self.places.get(p) {
                return place.value;
            }
            match p.rfind('/') {
                Some(i) => p = &p[..i],
                None => return Pos::default(),
            }
        }
    }
    /// Position of the key of the entry at `pointer` (falls back to the value's position).
    pub fn key(&self, pointer: &str) -> Pos {
        match self.places.get(pointer) {
            Some(place) if place.key.line > 0 => place.key,
            _ => self.value(pointer),
        }
    }
}

impl Node {
    pub fn new(value: NodeValue, pos: Pos) -> Node {
        Node { value, pos }
    }

    /// The JSON value of this node at `pointer` (a mapping's value: its key at `key`; else line 0),
    /// recording the places of it and what it holds in `map`.
    pub(super) fn into_json(
        self,
        key: Pos,
        pointer: &mut String,
        map: &mut SourceMap,
        diags: &mut Vec<(Diagnostic, Pos)>,
        depth: usize,
    ) -> serde_json::Value {
        use serde_json::Value;
        let place = Place {
            value: self.pos,
            key,
        };
        map.places.insert(pointer.clone(), place);
        // The parsers stop at these limits while parsing; this is the backstop for any tree.
        if map.places.len() == MAX_VALUES + 1 {
            diags.push((
                Limit::Values.diagnostic().pointer(pointer.clone()),
                self.pos,
            ));
        }
        if map.places.len() > MAX_VALUES {
            return Value::Null;
        }
        if let NodeValue::Str(s) = &self.value {
            if s.len() > MAX_STRING {
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
            let subject = || match pointer.is_empty() {
                true => "the document's string".to_string(),
                false => format!("the string at `{pointer}`"),
            };
            if let Some(d) = invalid_character(s, subject) {
                diags.push((d.pointer(pointer.clone()), self.pos));
            }
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
                    write!(pointer, "/{i}").ok();
                    out.push(item.into_json(Pos::default(), pointer, map, diags, depth + 1));
                    pointer.truncate(len);
                }
                Value::Array(out)
            }
            NodeValue::Map(entries) => {
                let mut out = serde_json::Map::with_capacity(entries.len());
                for (key, key_pos, value) in entries {
                    let len = pointer.len();
                    push_segment(pointer, &key);
                    if let Some(d) = invalid_character(&key, || format!("the key `{key}`")) {
                        diags.push((d.pointer(pointer.clone()), key_pos));
                    }
                    // One lookup of the key: its entry is filled after its value is converted.
                    match out.entry(key) {
                        serde_json::map::Entry::Occupied(first) => diags.push((
                            Diagnostic::error(
                                "duplicate-key",
                                format!("duplicate key `{}`", first.key()),
                            )
                            .pointer(pointer.clone())
                            .hint(super::limits::DUPLICATE_KEY_HINT),
                            key_pos,
                        )),
                        serde_json::map::Entry::Vacant(entry) => {
                            entry.insert(value.into_json(key_pos, pointer, map, diags, depth + 1));
                        }
                    }
                    pointer.truncate(len);
                }
                Value::Object(out)
            }
        }
    }
}

/// Names of the C0 control characters, by code.
const C0_NAMES: [&str; 32] = [
    "NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL", "BS", "TAB", "LF", "VT", "FF", "CR",
    "SO", "SI", "DLE", "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB", "CAN", "EM", "SUB", "ESC",
    "FS", "GS", "RS", "US",
];

/// The error for the first character of `s` a plist cannot hold (XML 1.0 allows no C0 control but tab,
/// line feed and carriage return, and not U+FFFE or U+FFFF); `subject` names the string in the message.
fn invalid_character(s: &str, subject: impl FnOnce() -> String) -> Option<Diagnostic> {
    let (index, c) = seb_format::plist::first_invalid_char(s)?;
    let subject = subject();
    let kind = match C0_NAMES.get(c as usize) {
        Some(name) => format!("{name}, a control character"),
        None => "a Unicode noncharacter".to_string(),
    };
    Some(
        Diagnostic::error(
            "invalid-character",
            format!(
                "{subject} holds U+{:04X} ({kind}) at character {}, which a plist (XML 1.0) cannot carry",
                c as u32,
                index + 1
            ),
        )
        .hint(
            "remove the character, or the escape that writes it (such as `\\u0000`, `\\e` or `\\0`); \
             of the control characters only tab, line feed and carriage return (`\\t`, `\\n`, `\\r`) \
             can be written",
        ),
    )
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
    /// The last offset asked for and its position: parsers ask in about file order, so counting from
    /// there reads each byte about once.
    last: std::cell::Cell<(usize, Pos)>,
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
        LineIndex {
            text,
            marks,
            last: std::cell::Cell::new((0, Pos { line: 1, col: 1 })),
        }
    }
    pub fn pos(&self, offset: usize) -> Pos {
        let offset = offset.min(self.text.len());
        let k = offset / Self::BLOCK;
        let (mut from, mut start) = (
            k * Self::BLOCK,
            self.marks
                .get(k)
                .copied()
                .unwrap_or(Pos { line: 1, col: 1 }),
        );
        let (last, at) = self.last.get();
        if (from..=offset).contains(&last) {
            (from, start) = (last, at);
        }
        let bytes = self.text.as_bytes();
        let pos = advance(start, bytes.get(from..offset).unwrap_or_default());
        self.last.set((offset, pos));
        pos
    }
}

/// The position after `bytes` (UTF-8, possibly cut mid-character) from `at`: columns count the bytes
/// that start a character.
fn advance(at: Pos, bytes: &[u8]) -> Pos {
    // Counted as sums over the bytes (which the compiler vectorises), not byte by byte with branches.
    let char_starts = |b: &[u8]| b.iter().filter(|&&b| b & 0xC0 != 0x80).count() as u32;
    match bytes.iter().rposition(|&b| b == b'\n') {
        None => Pos {
            line: at.line,
            col: at.col + char_starts(bytes),
        },
        Some(last) => Pos {
            line: at.line + bytes.iter().filter(|&&b| b == b'\n').count() as u32,
            col: 1 + char_starts(&bytes[last + 1..]),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{Syntax, parse_exam};

    #[test]
    fn line_index_agrees_with_counting_from_the_start() {
        // Long lines, multi-byte characters across block boundaries, empty lines, CRLF.
        let text = format!("é😀\r\n{}\n\n{}x\nü", "a".repeat(3000), "ß€😀".repeat(700));
        let index = LineIndex::new(&text);
        for (offset, _) in text.char_indices().chain([(text.len(), ' ')]) {
            assert_eq!(index.pos(offset), pos_of_offset(&text, offset), "{offset}");
        }
        // Asked out of order (each answer counted from a mark or the offset asked before).
        let offsets: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        for (n, &offset) in offsets.iter().enumerate().rev().step_by(7) {
            let other = offsets[(n * 7919) % offsets.len()];
            for o in [offset, other, offset] {
                assert_eq!(index.pos(o), pos_of_offset(&text, o), "{o}");
            }
        }
        assert_eq!(index.pos(usize::MAX), pos_of_offset(&text, text.len()));
        assert_eq!(LineIndex::new("").pos(0), Pos { line: 1, col: 1 });
    }

    fn errors(text: &str, syntax: Syntax) -> Vec<Diagnostic> {
        parse_exam(text, syntax, std::path::Path::new("f"), "f").unwrap_err()
    }

    #[test]
    fn characters_xml_forbids_are_errors_at_the_string_or_key() {
        let d = errors("{\"seb\": {\"startURL\": \"ab\\u001bc\"}}", Syntax::Json);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].code, "invalid-character");
        assert_eq!(d[0].pointer, "/seb/startURL");
        assert_eq!((d[0].line, d[0].col), (1, 22));
        assert_eq!(
            d[0].message,
            "the string at `/seb/startURL` holds U+001B (ESC, a control character) at character 3, \
             which a plist (XML 1.0) cannot carry"
        );
        assert!(d[0].hint.as_deref().unwrap_or("").contains("\\u0000"));
        let d = errors("seb:\n  \"a\\0b\": 1\n", Syntax::Yaml);
        assert_eq!(d[0].pointer, "/seb/a\u{0}b");
        assert_eq!((d[0].line, d[0].col), (2, 3));
        assert!(d[0].message.starts_with(
            "the key `a\u{0}b` holds U+0000 (NUL, a control character) at character 2"
        ));
        let d = errors("[seb]\nx = [\"ok\", \"\\uFFFF\"]\n", Syntax::Toml);
        assert_eq!(d[0].pointer, "/seb/x/1");
        assert!(
            d[0].message
                .contains("U+FFFF (a Unicode noncharacter) at character 1")
        );
        // Both a key and its value, each reported.
        assert_eq!(errors("{\"\\u0001\": \"\\u0002\"}", Syntax::Json).len(), 2);
        let ok = "{\"s\": \"tab\\t lf\\n cr\\r é 😀 \\u007f \\u0085\"}";
        assert!(parse_exam(ok, Syntax::Json, std::path::Path::new("f"), "f").is_ok());
    }
}
