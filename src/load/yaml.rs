//! YAML exam files through serde-saphyr (pure Rust, bounded alias expansion), keeping the
//! position of every key and value with its `Spanned` wrapper.

use super::node::{Node, NodeValue};
use crate::diagnostic::Pos;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{Location, Spanned};
use std::fmt;

pub fn parse(text: &str) -> Result<Node, (String, Pos)> {
    if text.trim().is_empty() {
        return Ok(Node::new(
            NodeValue::Map(Vec::new()),
            Pos { line: 1, col: 1 },
        ));
    }
    match serde_saphyr::from_str::<Spanned<YNode>>(text) {
        Ok(root) => Ok(convert(root)),
        Err(e) => {
            let pos = e.location().map(pos).unwrap_or_default();
            Err((first_line(&e.to_string()), pos))
        }
    }
}

/// serde-saphyr's messages may carry a quoted snippet; sebc prints its own, so keep the first line
/// and drop a trailing "at line X column Y" that repeats the position.
fn first_line(msg: &str) -> String {
    let mut line = msg.lines().next().unwrap_or("invalid YAML").trim();
    line = line.strip_prefix("error: ").unwrap_or(line);
    // "line 7 column 3: message" repeats the position sebc prints itself.
    if line.starts_with("line ")
        && let Some((_, rest)) = line.split_once(": ")
    {
        line = rest;
    }
    let line = line
        .split(", set DuplicateKeyPolicy")
        .next()
        .unwrap_or(line);
    let line = line.split(" at line ").next().unwrap_or(line);
    format!("invalid YAML: {}", line.trim_end_matches(['.', ',']))
}

fn pos(l: Location) -> Pos {
    Pos {
        line: l.line() as u32,
        col: l.column() as u32,
    }
}

fn convert(s: Spanned<YNode>) -> Node {
    let at = pos(s.referenced);
    let value = match s.value {
        YNode::Null => NodeValue::Null,
        YNode::Bool(b) => NodeValue::Bool(b),
        YNode::Int(i) => NodeValue::Int(i),
        YNode::Float(f) => NodeValue::Float(f),
        YNode::Str(s) => NodeValue::Str(s),
        YNode::Seq(items) => NodeValue::Seq(items.into_iter().map(convert).collect()),
        YNode::Map(entries) => NodeValue::Map(
            entries
                .into_iter()
                .map(|(k, v)| (k.value.0, pos(k.referenced), convert(v)))
                .collect(),
        ),
    };
    Node::new(value, at)
}

enum YNode {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Spanned<YNode>>),
    Map(Vec<(Spanned<YKey>, Spanned<YNode>)>),
}

/// A mapping key: any scalar, as the text a JSON key would hold.
struct YKey(String);

impl<'de> Deserialize<'de> for YKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = YKey;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a scalar mapping key")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<YKey, E> {
                Ok(YKey(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<YKey, E> {
                Ok(YKey(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<YKey, E> {
                Ok(YKey(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<YKey, E> {
                Ok(YKey(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<YKey, E> {
                Ok(YKey(v.to_string()))
            }
            fn visit_unit<E: de::Error>(self) -> Result<YKey, E> {
                Ok(YKey("null".to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for YNode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = YNode;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a YAML value")
            }
            fn visit_unit<E: de::Error>(self) -> Result<YNode, E> {
                Ok(YNode::Null)
            }
            fn visit_none<E: de::Error>(self) -> Result<YNode, E> {
                Ok(YNode::Null)
            }
            fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<YNode, D2::Error> {
                YNode::deserialize(d)
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<YNode, E> {
                Ok(YNode::Bool(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<YNode, E> {
                Ok(YNode::Int(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<YNode, E> {
                i64::try_from(v)
                    .map(YNode::Int)
                    .or(Ok(YNode::Float(v as f64)))
            }
            fn visit_i128<E: de::Error>(self, v: i128) -> Result<YNode, E> {
                i64::try_from(v)
                    .map(YNode::Int)
                    .or(Ok(YNode::Float(v as f64)))
            }
            fn visit_u128<E: de::Error>(self, v: u128) -> Result<YNode, E> {
                i64::try_from(v)
                    .map(YNode::Int)
                    .or(Ok(YNode::Float(v as f64)))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<YNode, E> {
                Ok(YNode::Float(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<YNode, E> {
                Ok(YNode::Str(v.to_string()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<YNode, E> {
                Ok(YNode::Str(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<YNode, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element::<Spanned<YNode>>()? {
                    items.push(item);
                }
                Ok(YNode::Seq(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<YNode, A::Error> {
                let mut entries = Vec::new();
                while let Some(key) = map.next_key::<Spanned<YKey>>()? {
                    let value = map.next_value::<Spanned<YNode>>()?;
                    entries.push((key, value));
                }
                Ok(YNode::Map(entries))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_positions_and_types() {
        let n =
            parse("exam:\n  id: a\nseb:\n  allowQuit: true\n  n: 3\n  r: 1.5\n  list: [x, 'y']\n")
                .unwrap();
        let NodeValue::Map(top) = n.value else {
            panic!()
        };
        assert_eq!(top[1].0, "seb");
        assert_eq!(top[1].1, Pos { line: 3, col: 1 });
        let NodeValue::Map(seb) = &top[1].2.value else {
            panic!()
        };
        assert_eq!(seb[0].1, Pos { line: 4, col: 3 });
        assert_eq!(
            seb[0].2,
            Node::new(NodeValue::Bool(true), Pos { line: 4, col: 14 })
        );
        assert_eq!(seb[1].2.value, NodeValue::Int(3));
        assert_eq!(seb[2].2.value, NodeValue::Float(1.5));
    }

    #[test]
    fn syntax_error_has_position() {
        let (msg, pos) = parse("a: [1, 2\nb: c\n").unwrap_err();
        assert!(msg.starts_with("invalid YAML"), "{msg}");
        assert!(pos.line >= 1);
    }
}
