//! TOML exam files through the `toml` crate's spanned document tree, once [`super::toml_scan`] has
//! checked the limits on values and depth. TOML datetimes become RFC 3339 strings, as they are written
//! in YAML and JSON exam files.

use super::limits::ParseError;
use super::node::{LineIndex, Node, NodeValue};
use super::toml_scan::scan;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

pub fn parse(text: &str) -> Result<Node, ParseError> {
    let index = LineIndex::new(text);
    scan(text, &index)?;
    let root = DeTable::parse(text).map_err(|e| {
        let at = e.span().map(|s| index.pos(s.start)).unwrap_or_default();
        ParseError::Syntax(
            format!("invalid TOML: {}", e.message().trim_end_matches('\n')),
            at,
        )
    })?;
    let at = index.pos(root.span().start);
    Ok(Node::new(table(root.into_inner(), &index), at))
}

fn table(t: DeTable<'_>, index: &LineIndex) -> NodeValue {
    NodeValue::Map(
        t.into_iter()
            .map(|(k, v)| {
                let key_pos = index.pos(k.span().start);
                (k.into_inner().into_owned(), key_pos, value(v, index))
            })
            .collect(),
    )
}

fn value(v: Spanned<DeValue<'_>>, index: &LineIndex) -> Node {
    let at = index.pos(v.span().start);
    let node = match v.into_inner() {
        DeValue::String(s) => NodeValue::Str(s.into_owned()),
        DeValue::Integer(i) => match i64::from_str_radix(&i.as_str().replace('_', ""), i.radix()) {
            Ok(n) => NodeValue::Int(n),
            Err(_) => NodeValue::Str(i.as_str().to_string()),
        },
        DeValue::Float(f) => match f.as_str().replace('_', "").parse::<f64>() {
            Ok(x) => NodeValue::Float(x),
            Err(_) => NodeValue::Str(f.as_str().to_string()),
        },
        DeValue::Boolean(b) => NodeValue::Bool(b),
        DeValue::Datetime(d) => NodeValue::Str(d.to_string()),
        DeValue::Array(items) => {
            NodeValue::Seq(items.into_iter().map(|i| value(i, index)).collect())
        }
        DeValue::Table(t) => table(t, index),
    };
    Node::new(node, at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_arrays_and_datetimes() {
        let n = parse(
            "[exam]\nid = \"a\"\nstart = 2026-12-01T09:00:00Z\n\n[seb]\nn = 0x10\nr = 1_000.5\n",
        )
        .unwrap();
        let NodeValue::Map(top) = n.value else {
            panic!()
        };
        let NodeValue::Map(exam) = &top[0].2.value else {
            panic!()
        };
        assert_eq!(
            exam[1].2.value,
            NodeValue::Str("2026-12-01T09:00:00Z".into())
        );
        assert_eq!(exam[1].1, crate::diagnostic::Pos { line: 3, col: 1 });
        let NodeValue::Map(seb) = &top[1].2.value else {
            panic!()
        };
        assert_eq!(seb[0].2.value, NodeValue::Int(16));
        assert_eq!(seb[1].2.value, NodeValue::Float(1000.5));
    }

    #[test]
    fn syntax_error_has_position() {
        let Err(ParseError::Syntax(msg, pos)) = parse("[exam]\nid = \n") else {
            panic!()
        };
        assert!(msg.starts_with("invalid TOML"));
        assert_eq!(pos.line, 2);
    }
}
