//! Property lists as JSON that round-trips: what `sebc decode --json` prints and what `sebc decode`
//! and `sebc config-key` read back from a `.json` file.
//!
//! JSON has no bytes and no dates, so those two plist types are tagged: `<data>` becomes
//! `{"$data": "<Base64>"}` and `<date>` becomes `{"$date": "2026-12-01T09:00:00Z"}`. A dictionary that
//! could be mistaken for a tag (exactly one key, starting with `$`) is wrapped as `{"$dict": {…}}`.
//! Reals keep a fraction (`1.0`), so they stay apart from integers. Dictionary keys are printed in
//! Config Key order; a dictionary read back keeps the order it is read in.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value as J};

/// A plist value as tagged JSON.
pub fn to_json(v: &plist::Value) -> J {
    match v {
        plist::Value::Boolean(b) => J::Bool(*b),
        plist::Value::Integer(i) => i
            .as_signed()
            .map(J::from)
            .or_else(|| i.as_unsigned().map(J::from))
            .unwrap_or(J::Null),
        plist::Value::Real(r) => serde_json::Number::from_f64(*r).map_or(J::Null, J::Number),
        plist::Value::String(s) => J::String(s.clone()),
        plist::Value::Data(d) => tagged("$data", J::String(STANDARD.encode(d))),
        plist::Value::Date(d) => tagged("$date", J::String(d.to_xml_format())),
        plist::Value::Array(a) => J::Array(a.iter().map(to_json).collect()),
        plist::Value::Dictionary(d) => {
            let mut entries: Vec<_> = d.iter().collect();
            entries.sort_by(|a, b| seb_format::plist::key_order(a.0, b.0));
            let object: Map<_, _> = entries
                .into_iter()
                .map(|(k, v)| (k.clone(), to_json(v)))
                .collect();
            if looks_like_tag(&object) {
                tagged("$dict", J::Object(object))
            } else {
                J::Object(object)
            }
        }
        _ => J::Null,
    }
}

/// Tagged JSON back into a plist value; the error names the JSON pointer of the first bad value.
pub fn from_json(v: &J) -> Result<plist::Value, String> {
    from_json_at(v, &mut String::new())
}

fn from_json_at(v: &J, at: &mut String) -> Result<plist::Value, String> {
    let bad =
        |at: &str, what: &str| Err(format!("{}: {what}", if at.is_empty() { "/" } else { at }));
    Ok(match v {
        J::Null => return bad(at, "null has no property-list type"),
        J::Bool(b) => plist::Value::Boolean(*b),
        J::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => plist::Value::Integer(i.into()),
            (None, Some(u), _) => plist::Value::Integer(u.into()),
            (None, None, Some(f)) => plist::Value::Real(f),
            _ => return bad(at, "number out of range"),
        },
        J::String(s) => plist::Value::String(s.clone()),
        J::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let len = at.len();
                at.push_str(&format!("/{i}"));
                out.push(from_json_at(item, at)?);
                at.truncate(len);
            }
            plist::Value::Array(out)
        }
        J::Object(object) if looks_like_tag(object) => {
            let Some((tag, inner)) = object.iter().next() else {
                return bad(at, "empty tag");
            };
            match (tag.as_str(), inner) {
                ("$data", J::String(b64)) => match STANDARD.decode(b64) {
                    Ok(bytes) => plist::Value::Data(bytes),
                    Err(e) => return bad(at, &format!("$data is not Base64 ({e})")),
                },
                ("$date", J::String(text)) => match plist::Date::from_xml_format(text) {
                    Ok(d) => plist::Value::Date(d),
                    Err(_) => {
                        return bad(at, "$date is not a date like 2026-12-01T09:00:00Z");
                    }
                },
                ("$dict", J::Object(inner)) => dictionary(inner, at)?,
                _ => {
                    return bad(
                        at,
                        &format!(
                            "`{tag}` is not a tag ($data, $date and $dict are; each takes a string, $dict an object)"
                        ),
                    );
                }
            }
        }
        J::Object(object) => dictionary(object, at)?,
    })
}

fn dictionary(object: &Map<String, J>, at: &mut String) -> Result<plist::Value, String> {
    let mut dict = plist::Dictionary::new();
    for (k, v) in object {
        let len = at.len();
        at.push('/');
        at.push_str(&crate::pointer::escape_segment(k));
        dict.insert(k.clone(), from_json_at(v, at)?);
        at.truncate(len);
    }
    Ok(plist::Value::Dictionary(dict))
}

/// True for `{"$data": …}`, `{"$date": …}` and `{"$dict": …}`: a value written in the tagged form.
pub fn is_tagged(v: &J) -> bool {
    v.as_object().is_some_and(looks_like_tag)
}

fn tagged(tag: &str, inner: J) -> J {
    J::Object(Map::from_iter([(tag.to_string(), inner)]))
}

fn looks_like_tag(object: &Map<String, J>) -> bool {
    object.len() == 1 && object.keys().all(|k| k.starts_with('$'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn value() -> impl Strategy<Value = plist::Value> {
        let leaf = prop_oneof![
            any::<bool>().prop_map(plist::Value::Boolean),
            any::<i64>().prop_map(|i| plist::Value::Integer(i.into())),
            any::<u64>().prop_map(|i| plist::Value::Integer(i.into())),
            (-1e12f64..1e12).prop_map(plist::Value::Real),
            ".*".prop_map(plist::Value::String),
            proptest::collection::vec(any::<u8>(), 0..40).prop_map(plist::Value::Data),
            (0u64..4_000_000_000).prop_map(|s| plist::Value::Date(
                (std::time::UNIX_EPOCH + std::time::Duration::from_secs(s)).into()
            )),
        ];
        leaf.prop_recursive(4, 40, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(plist::Value::Array),
                proptest::collection::vec(("[$a-z]{0,4}", inner), 0..6)
                    .prop_map(|kv| { plist::Value::Dictionary(kv.into_iter().collect()) }),
            ]
        })
    }

    /// Dictionaries compare in order; `to_json` sorts keys, so compare through a sorted form.
    fn sorted(v: &plist::Value) -> plist::Value {
        match v {
            plist::Value::Array(a) => plist::Value::Array(a.iter().map(sorted).collect()),
            plist::Value::Dictionary(d) => {
                let mut e: Vec<_> = d.iter().map(|(k, v)| (k.clone(), sorted(v))).collect();
                e.sort_by(|a, b| seb_format::plist::key_order(&a.0, &b.0));
                plist::Value::Dictionary(e.into_iter().collect())
            }
            v => v.clone(),
        }
    }

    proptest! {
        #[test]
        fn every_value_round_trips_through_text(v in value()) {
            let text = serde_json::to_string(&to_json(&v)).unwrap();
            let back = from_json(&serde_json::from_str(&text).unwrap()).unwrap();
            prop_assert_eq!(sorted(&back), sorted(&v));
        }
    }

    #[test]
    fn data_date_and_real_stay_apart_from_strings_and_integers() {
        let d: plist::Dictionary = [
            ("s".to_string(), plist::Value::String("AAE=".into())),
            ("d".to_string(), plist::Value::Data(vec![0, 1])),
            (
                "t".to_string(),
                plist::Value::Date(plist::Date::from_xml_format("2026-12-01T09:00:00Z").unwrap()),
            ),
            ("r".to_string(), plist::Value::Real(1.0)),
            ("i".to_string(), plist::Value::Integer(1.into())),
        ]
        .into_iter()
        .collect();
        let text = serde_json::to_string(&to_json(&plist::Value::Dictionary(d))).unwrap();
        assert_eq!(
            text,
            r#"{"d":{"$data":"AAE="},"i":1,"r":1.0,"s":"AAE=","t":{"$date":"2026-12-01T09:00:00Z"}}"#
        );
    }

    #[test]
    fn a_dictionary_shaped_like_a_tag_is_wrapped() {
        let d: plist::Dictionary = [("$data".to_string(), plist::Value::String("AAE=".into()))]
            .into_iter()
            .collect();
        let json = to_json(&plist::Value::Dictionary(d.clone()));
        assert_eq!(json, serde_json::json!({"$dict": {"$data": "AAE="}}));
        assert_eq!(from_json(&json).unwrap(), plist::Value::Dictionary(d));
    }

    #[test]
    fn bad_tags_name_their_place() {
        let e = from_json(&serde_json::json!({"a": [1, {"$data": "!!"}]})).unwrap_err();
        assert!(e.starts_with("/a/1: $data is not Base64"), "{e}");
        let e = from_json(&serde_json::json!({"a~b": {"$when": "x"}})).unwrap_err();
        assert!(e.starts_with("/a~0b: `$when` is not a tag"), "{e}");
        let e = from_json(&serde_json::json!({"x": null})).unwrap_err();
        assert_eq!(e, "/x: null has no property-list type");
    }
}
