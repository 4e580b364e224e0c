//! Where Moodle's Config Key differs from the one SEB clients compute, so that an LMS check of the key
//! would fail. Moodle (`mod/quiz/accessrule/seb/classes/property_list.php::to_json`, 4.5) builds its
//! SEB-JSON with PHP's `json_encode` and orders keys with ICU's root collation (`seb-clients.md` §6):
//!
//! - it escapes `"`, control characters and U+2028/U+2029 in values, and backslashes in keys, where SEB
//!   writes them raw;
//! - it hashes an empty configuration as `[]`, SEB clients as `{}`;
//! - it cannot compute a key at all when an array holds a `<data>` value (`CFArray::add()` receives an
//!   integer key);
//! - ICU orders punctuation before digits and letters (`a_b` before `a1`), SEB clients by code unit.
//!
//! On every other input (SEB-shaped keys of ASCII letters and digits, plain strings) Moodle and the
//! clients agree, which the vector tests check (`tests/configkey.rs`).

use crate::configkey::Divergence;
use crate::plist::key_order;
use plist::Value;
use std::cmp::Ordering;

/// Every place where Moodle's Config Key of `root` differs from SEB clients'.
pub fn differences(root: &plist::Dictionary) -> Vec<Divergence> {
    let mut found = Vec::new();
    if root.keys().all(|k| k == "originatorVersion") {
        found.push(Divergence {
            pointer: String::new(),
            message: "an empty configuration: Moodle hashes `[]`, SEB clients `{}`".into(),
        });
    }
    dict(root, "", &mut found);
    found
}

fn dict(d: &plist::Dictionary, at: &str, found: &mut Vec<Divergence>) {
    let keys: Vec<&str> = d.keys().map(String::as_str).collect();
    let mut seb = keys.clone();
    seb.sort_by(|a, b| key_order(a, b));
    let mut icu = keys;
    icu.sort_by(|a, b| icu_root_order(a, b));
    if let Some((s, i)) = seb.iter().zip(&icu).find(|(s, i)| s != i) {
        found.push(Divergence {
            pointer: at.to_string(),
            message: format!(
                "Moodle orders the keys `{i}` and `{s}` differently from SEB clients (ICU collation: punctuation before digits and letters)"
            ),
        });
    }
    for (k, v) in d {
        let here = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
        if k.chars().any(|c| c == '\\' || escaped_by_moodle(c)) {
            found.push(Divergence {
                pointer: here.clone(),
                message: format!(
                    "the key `{}` has a character Moodle escapes and SEB writes raw",
                    k.escape_debug()
                ),
            });
        }
        value(v, &here, found);
    }
}

fn value(v: &Value, at: &str, found: &mut Vec<Divergence>) {
    match v {
        Value::String(s) if s.chars().any(escaped_by_moodle) => found.push(Divergence {
            pointer: at.to_string(),
            message: "the string has a `\"`, a control character or U+2028/U+2029, which Moodle escapes and SEB writes raw".into(),
        }),
        Value::Dictionary(d) => dict(d, at, found),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let here = format!("{at}/{i}");
                if matches!(item, Value::Data(_)) {
                    found.push(Divergence {
                        pointer: here.clone(),
                        message: "a <data> value inside an array: Moodle cannot compute a Config Key for this file".into(),
                    });
                }
                value(item, &here, found);
            }
        }
        _ => {}
    }
}

/// What PHP's `json_encode(JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE)` escapes in a value (the
/// backslash Moodle restores afterwards).
fn escaped_by_moodle(c: char) -> bool {
    c == '"' || c.is_control() || c == '\u{2028}' || c == '\u{2029}'
}

/// ICU's root collation, as far as ASCII keys go: spaces and punctuation (in CLDR's root order) before
/// digits before letters, letters compared without case first, then lowercase before uppercase. A
/// non-ASCII character sorts after every ASCII one, by code point (an approximation: ICU interleaves
/// accented letters with their base letter, so such keys may be reported where Moodle agrees).
fn icu_root_order(a: &str, b: &str) -> Ordering {
    let primary = |s: &str| s.chars().map(primary_weight).collect::<Vec<_>>();
    primary(a).cmp(&primary(b)).then_with(|| {
        let tertiary = |s: &str| {
            s.chars()
                .map(|c| c.is_ascii_uppercase())
                .collect::<Vec<_>>()
        };
        tertiary(a).cmp(&tertiary(b))
    })
}

/// CLDR root order of the ASCII punctuation and symbols.
const PUNCTUATION: &str = " _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$";

fn primary_weight(c: char) -> (u8, u32) {
    if let Some(i) = PUNCTUATION.find(c) {
        (0, i as u32)
    } else if c.is_ascii_digit() {
        (1, c as u32)
    } else if c.is_ascii_alphabetic() {
        (2, c.to_ascii_lowercase() as u32)
    } else {
        (3, c as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dict(entries: &[(&str, Value)]) -> plist::Dictionary {
        entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    fn pointers(root: &plist::Dictionary) -> Vec<String> {
        differences(root).into_iter().map(|d| d.pointer).collect()
    }

    #[test]
    fn seb_shaped_settings_agree() {
        let root = dict(&[
            ("allowWLAN", Value::Boolean(true)),
            ("allowWlan", Value::Boolean(false)),
            ("enableF10", Value::Boolean(true)),
            ("enableF2", Value::Boolean(true)),
            (
                "startURL",
                Value::String("https://x.example/a\\d?b=1".into()),
            ),
            ("originatorVersion", Value::String("SEB_Win_2.1.1".into())),
        ]);
        assert_eq!(pointers(&root), Vec::<String>::new());
    }

    #[test]
    fn an_empty_configuration_differs() {
        assert_eq!(pointers(&plist::Dictionary::new()), [""]);
        let only_version = dict(&[("originatorVersion", Value::String("x".into()))]);
        assert_eq!(pointers(&only_version), [""]);
    }

    #[test]
    fn escaped_strings_and_keys_differ() {
        let root = dict(&[
            ("quitURL", Value::String("say \"bye\"".into())),
            ("restartExamText", Value::String("line\nbreak".into())),
            ("a\\b", Value::Boolean(true)),
        ]);
        assert_eq!(pointers(&root), ["/quitURL", "/restartExamText", "/a\\b"]);
    }

    #[test]
    fn data_in_an_array_breaks_moodle() {
        let root = dict(&[(
            "embeddedCertificates",
            Value::Array(vec![Value::Data(vec![1, 2]), Value::String("ok".into())]),
        )]);
        assert_eq!(pointers(&root), ["/embeddedCertificates/0"]);
    }

    #[test]
    fn punctuation_in_keys_is_ordered_differently() {
        let root = dict(&[("a1", Value::Boolean(true)), ("a_b", Value::Boolean(true))]);
        let found = differences(&root);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].pointer, "");
        assert!(
            found[0].message.contains("`a_b` and `a1`"),
            "{}",
            found[0].message
        );
        let nested = dict(&[(
            "proxies",
            Value::Dictionary(dict(&[
                ("x_y", Value::Boolean(true)),
                ("x1", Value::Boolean(true)),
            ])),
        )]);
        assert_eq!(pointers(&nested), ["/proxies"]);
    }
}
