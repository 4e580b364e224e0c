//! YAML exam files through serde-saphyr (pure Rust, bounded alias expansion), keeping the
//! position of every key and value with its `Spanned` wrapper, and counting values and depth as
//! serde-saphyr hands them over (aliases expanded), so the limits stop the parse where they are crossed.

use super::limits::{Budget, Limit, ParseError};
use super::node::{Node, NodeValue};
use super::{MAX_DEPTH, MAX_VALUES};
use crate::diagnostic::Pos;
use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::cell::RefCell;
use std::fmt;

pub fn parse(text: &str) -> Result<Node, ParseError> {
    if text.trim().is_empty() {
        return Ok(Node::new(
            NodeValue::Map(Vec::new()),
            Pos { line: 1, col: 1 },
        ));
    }
    // serde-saphyr's own budget stays on (aliases, anchors, events), set so that sebc's limits are met
    // first or at the same place: a key and a value are two nodes, and serde-saphyr counts the root
    // collection as depth 1, so its depth limit meets a collection at sebc's depth 65.
    let options = serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_depth: MAX_DEPTH + 1,
            flow_nesting_limit: MAX_DEPTH + 1,
            max_nodes: 2 * MAX_VALUES + 16,
        },
    };
    WALK.with(|w| *w.borrow_mut() = Walk::default());
    let parsed = serde_saphyr::from_str_with_options::<Root>(text, options).map(|r| r.0);
    let walk = WALK.with(|w| std::mem::take(&mut *w.borrow_mut()));
    match parsed {
        Ok(root) => Ok(root),
        Err(e) => {
            let pos = e
                .location()
                .map(|l| Pos {
                    line: l.line() as u32,
                    col: l.column() as u32,
                })
                .unwrap_or_default();
            let path = walk.path;
            Err(match walk.crossed {
                Some(limit) => ParseError::Limit { limit, pos, path },
                // serde-saphyr meets a collection too deep as it reads ahead of the values handed over
                // (its scanner reads flow collections ahead): the same limit, met first.
                None if too_deep(&e) => ParseError::Limit {
                    limit: Limit::Depth,
                    pos,
                    path,
                },
                None => ParseError::Syntax(first_line(&e.to_string()), pos),
            })
        }
    }
}

/// Whether serde-saphyr stopped at its nesting limit (its budget's or its scanner's).
fn too_deep(e: &serde_saphyr::Error) -> bool {
    use serde_saphyr::granit_parser::ErrorKind;
    use serde_saphyr::{Error, ExternalMessageSource};
    match e.without_snippet() {
        Error::Budget {
            breach: serde_saphyr::budget::BudgetBreach::Depth { .. },
            ..
        } => true,
        Error::ExternalMessage { source, .. } => matches!(
            &**source,
            ExternalMessageSource::Parser(s) if matches!(s.kind(), ErrorKind::RecursionLimitExceeded)
        ),
        _ => false,
    }
}

/// What the visitor knows while serde-saphyr drives it: the values met, the depth of the next one, the
/// limit crossed, and, as an error leaves the collections, the pointer segments of where it happened.
/// serde's `Deserialize` takes no state and `Spanned` (which gives positions) takes no seed, so this
/// lives in a thread-local for the duration of one parse.
#[derive(Default)]
struct Walk {
    budget: Budget,
    depth: usize,
    crossed: Option<Limit>,
    path: Vec<String>,
}

thread_local! {
    static WALK: RefCell<Walk> = RefCell::new(Walk::default());
}

/// Counts the value about to be read; past a limit, records it and stops the parse.
fn enter<E: de::Error>() -> Result<(), E> {
    WALK.with(|w| {
        let mut w = w.borrow_mut();
        let depth = w.depth;
        w.budget.value(depth).map_err(|limit| {
            w.crossed = Some(limit);
            E::custom(limit.diagnostic().message)
        })
    })
}

/// Adds a collection's segment to the pointer of an error, as the error leaves the collection.
fn within(segment: impl FnOnce() -> String) {
    WALK.with(|w| w.borrow_mut().path.insert(0, segment()));
}

fn nest(delta: isize) {
    WALK.with(|w| {
        let mut w = w.borrow_mut();
        w.depth = w.depth.saturating_add_signed(delta);
    });
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

/// A node with the place serde-saphyr gives it: where it is referenced (for an alias, the alias).
///
/// This is the protocol of serde-saphyr's own `Spanned<T>` (its `spanned.rs`: a newtype struct named
/// `__yaml_spanned`, which its deserializer (`de/deserializer.rs`, `deserialize_newtype_struct`) answers
/// with a struct of four fields: a marker, `value`, `referenced`, `defined`), read without what
/// `Spanned` builds and drops for every node: a `String` for the marker, the `defined` location and
/// both locations' spans. Only the marker's and the fields' names are checked, so a change of that
/// protocol is an error, not a misplaced diagnostic (the tests below read positions through it).
struct At<T>(T, Pos);

/// Reads the value of a span wrapper with `seed`.
struct Spanned<S>(S);

const SPAN_MARKER: &str = "__serde_saphyr_private_spanned";
const SPAN_FIELDS: &[&str] = &[SPAN_MARKER, "value", "referenced", "defined"];

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Spanned<S> {
    type Value = At<S::Value>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_newtype_struct("__yaml_spanned", self)
    }
}

impl<'de, S: DeserializeSeed<'de>> Visitor<'de> for Spanned<S> {
    type Value = At<S::Value>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a YAML node with its location")
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_struct("Spanned", SPAN_FIELDS, self)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        field(&mut map, SPAN_MARKER)?;
        map.next_value::<de::IgnoredAny>()?;
        field(&mut map, "value")?;
        let value = map.next_value_seed(self.0)?;
        field(&mut map, "referenced")?;
        let at = map.next_value::<Place>()?;
        Ok(At(value, at.0))
    }
}

/// Reads the next key of a span wrapper or location, which must be `name`.
fn field<'de, A: MapAccess<'de>>(map: &mut A, name: &'static str) -> Result<(), A::Error> {
    match map.next_key::<FieldName>()? {
        Some(FieldName(found)) if found == name => Ok(()),
        _ => Err(de::Error::custom(format!(
            "serde-saphyr's location protocol changed: expected the field `{name}`"
        ))),
    }
}

/// A field name of serde-saphyr's span structs (always a `&'static str` there).
struct FieldName(&'static str);

impl<'de> Deserialize<'de> for FieldName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = FieldName;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<FieldName, E> {
                Ok(FieldName(
                    SPAN_FIELDS
                        .iter()
                        .chain(&["line", "column"])
                        .find(|f| **f == v)
                        .copied()
                        .unwrap_or(""),
                ))
            }
        }
        d.deserialize_identifier(V)
    }
}

/// A location's line and column (serde-saphyr's `Location`: `line`, `column`, then fields not read).
struct Place(Pos);

impl<'de> Deserialize<'de> for Place {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Place;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a location")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Place, A::Error> {
                field(&mut map, "line")?;
                let line = map.next_value::<u64>()?;
                field(&mut map, "column")?;
                let col = map.next_value::<u64>()?;
                Ok(Place(Pos {
                    line: line as u32,
                    col: col as u32,
                }))
            }
        }
        d.deserialize_struct("Location", &["line", "column", "span", "source_id"], V)
    }
}

/// The document's root node.
struct Root(Node);

impl<'de> Deserialize<'de> for Root {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        node(d).map(Root)
    }
}

/// A node with its position.
fn node<'de, D: Deserializer<'de>>(d: D) -> Result<Node, D::Error> {
    let At(value, pos) = Spanned(Value).deserialize(d)?;
    Ok(Node::new(value, pos))
}

/// Reads one node's value (counted against the limits) straight into a [`NodeValue`].
#[derive(Clone, Copy)]
struct Value;

impl<'de> DeserializeSeed<'de> for Value {
    type Value = NodeValue;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<NodeValue, D::Error> {
        enter::<D::Error>()?;
        d.deserialize_any(self)
    }
}

/// Reads a node (a sequence item, a mapping value) with its position.
struct NodeSeed;

impl<'de> DeserializeSeed<'de> for NodeSeed {
    type Value = Node;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        node(d)
    }
}

/// A mapping key: any scalar, as the text a JSON key would hold.
#[derive(Clone, Copy)]
struct Key;

impl<'de> DeserializeSeed<'de> for Key {
    type Value = String;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        d.deserialize_any(self)
    }
}

impl Visitor<'_> for Key {
    type Value = String;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a scalar mapping key")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_unit<E: de::Error>(self) -> Result<String, E> {
        Ok("null".to_string())
    }
}

impl<'de> Visitor<'de> for Value {
    type Value = NodeValue;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a YAML value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<NodeValue, E> {
        Ok(NodeValue::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<NodeValue, E> {
        Ok(NodeValue::Null)
    }
    fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<NodeValue, D2::Error> {
        self.deserialize(d)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<NodeValue, E> {
        Ok(NodeValue::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<NodeValue, E> {
        Ok(NodeValue::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<NodeValue, E> {
        Ok(i64::try_from(v).map_or(NodeValue::Float(v as f64), NodeValue::Int))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<NodeValue, E> {
        Ok(i64::try_from(v).map_or(NodeValue::Float(v as f64), NodeValue::Int))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<NodeValue, E> {
        Ok(i64::try_from(v).map_or(NodeValue::Float(v as f64), NodeValue::Int))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<NodeValue, E> {
        Ok(NodeValue::Float(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<NodeValue, E> {
        Ok(NodeValue::Str(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<NodeValue, E> {
        Ok(NodeValue::Str(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<NodeValue, A::Error> {
        let mut items = Vec::new();
        nest(1);
        loop {
            let index = items.len();
            match seq
                .next_element_seed(NodeSeed)
                .inspect_err(|_| within(|| index.to_string()))?
            {
                Some(item) => items.push(item),
                None => break,
            }
        }
        nest(-1);
        Ok(NodeValue::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<NodeValue, A::Error> {
        let mut entries = Vec::new();
        nest(1);
        while let Some(At(key, key_pos)) = map.next_key_seed(Spanned(Key))? {
            let value = map
                .next_value_seed(NodeSeed)
                .inspect_err(|_| within(|| key.clone()))?;
            entries.push((key, key_pos, value));
        }
        nest(-1);
        Ok(NodeValue::Map(entries))
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

    /// The tree as serde-saphyr's public `Spanned<T>` gives it: the oracle for the protocol read above.
    fn through_public_spanned(text: &str) -> Node {
        use serde_saphyr::Spanned as S;
        struct Plain(NodeValue);
        impl<'de> Deserialize<'de> for Plain {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> Visitor<'de> for V {
                    type Value = NodeValue;
                    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                        f.write_str("a value")
                    }
                    fn visit_unit<E: de::Error>(self) -> Result<NodeValue, E> {
                        Ok(NodeValue::Null)
                    }
                    fn visit_bool<E: de::Error>(self, v: bool) -> Result<NodeValue, E> {
                        Ok(NodeValue::Bool(v))
                    }
                    fn visit_i64<E: de::Error>(self, v: i64) -> Result<NodeValue, E> {
                        Ok(NodeValue::Int(v))
                    }
                    fn visit_u64<E: de::Error>(self, v: u64) -> Result<NodeValue, E> {
                        Ok(NodeValue::Int(v as i64))
                    }
                    fn visit_f64<E: de::Error>(self, v: f64) -> Result<NodeValue, E> {
                        Ok(NodeValue::Float(v))
                    }
                    fn visit_str<E: de::Error>(self, v: &str) -> Result<NodeValue, E> {
                        Ok(NodeValue::Str(v.to_string()))
                    }
                    fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<NodeValue, A::Error> {
                        let mut items = Vec::new();
                        while let Some(i) = a.next_element::<S<Plain>>()? {
                            items.push(node_of(i));
                        }
                        Ok(NodeValue::Seq(items))
                    }
                    fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<NodeValue, A::Error> {
                        let mut entries = Vec::new();
                        while let Some(k) = a.next_key::<S<String>>()? {
                            let v = a.next_value::<S<Plain>>()?;
                            entries.push((k.value, place(k.referenced), node_of(v)));
                        }
                        Ok(NodeValue::Map(entries))
                    }
                }
                d.deserialize_any(V).map(Plain)
            }
        }
        fn place(l: serde_saphyr::Location) -> Pos {
            Pos {
                line: l.line() as u32,
                col: l.column() as u32,
            }
        }
        fn node_of(s: S<Plain>) -> Node {
            Node::new(s.value.0, place(s.referenced))
        }
        node_of(serde_saphyr::from_str::<S<Plain>>(text).unwrap())
    }

    #[test]
    fn positions_are_those_of_serde_saphyrs_spanned() {
        for text in [
            "exam: {\"id\": \"e\", \"participants\": 11}\nseb: {\"URLFilterRules\": [{\"active\": true}]}\n",
            "exam:\n  id: a\nseb:\n  allowQuit: true\n  list:\n    - x\n    - 'y'\n    - - 1\n      - 2.5\n",
            // Aliases (placed at the alias), merge keys (at the merge), tags, block scalars.
            "a: &x { k: 1, s: t }\nb: *x\nc:\n  <<: *x\n  m: 2\nd: !!str 12\ne: |\n  two\n  lines\n",
            "- &y [1, 2]\n- *y\n- { ? complex : v }\n- null\n- ~\n",
            "\u{feff}key: välue 😀\n\"q\\u00e9\": 'x'\n",
        ] {
            assert_eq!(parse(text).unwrap(), through_public_spanned(text), "{text}");
        }
    }

    #[test]
    fn syntax_error_has_position() {
        let Err(ParseError::Syntax(msg, pos)) = parse("a: [1, 2\nb: c\n") else {
            panic!()
        };
        assert!(msg.starts_with("invalid YAML"), "{msg}");
        assert!(pos.line >= 1);
    }

    /// serde's recursive deserialization takes tens of KiB of stack per level in debug builds: deep
    /// documents run on a thread with the stack sebc's worker threads have.
    fn on_worker_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
        std::thread::Builder::new()
            .stack_size(crate::load::PARSER_STACK_BYTES)
            .spawn(f)
            .unwrap()
            .join()
            .unwrap()
    }

    #[test]
    fn limits_stop_the_parse_with_the_pointer() {
        on_worker_stack(limits);
    }

    fn limits() {
        let deep = format!("a:\n  b: {}{}\n", "[".repeat(10_000), "]".repeat(10_000));
        let Err(ParseError::Limit { limit, path, .. }) = parse(&deep) else {
            panic!("{:?}", parse(&deep))
        };
        assert_eq!(limit, Limit::Depth);
        assert_eq!(path[..2], ["a", "b"]);
        let block: String = (0..=MAX_DEPTH)
            .map(|i| format!("{}k{i}:\n", "  ".repeat(i)))
            .collect();
        let block = format!("{block}{}x\n", "  ".repeat(MAX_DEPTH + 1));
        let Err(ParseError::Limit { limit, pos, path }) = parse(&block) else {
            panic!("{:?}", parse(&block))
        };
        assert_eq!(limit, Limit::Depth);
        assert_eq!(path.len(), MAX_DEPTH + 1);
        assert_eq!(path[..2], ["k0", "k1"]);
        assert_eq!(pos.line as usize, MAX_DEPTH + 2);
        let many = format!("l:\n{}", "- x\n".repeat(MAX_VALUES));
        let Err(ParseError::Limit { limit, pos, path }) = parse(&many) else {
            panic!()
        };
        assert_eq!(limit, Limit::Values);
        assert_eq!(path, ["l", &(MAX_VALUES - 2).to_string()]);
        assert_eq!(pos.line as usize, MAX_VALUES);
        // The thread's state is reset: the next parse counts from zero.
        assert!(parse("a: [1, 2]\n").is_ok());
    }
}
