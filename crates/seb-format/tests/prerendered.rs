//! Writing with entries rendered in advance ([`Prerendered`]) gives exactly the bytes and the Config Key
//! of writing without them, whatever the dictionary shares with the prerendered one: equal values,
//! changed values, removed and added keys, other spellings, keys the Config Key leaves out, characters
//! XML cannot carry, any insertion order; and the same when the dictionary is given as its changes to
//! the prerendered one (keys removed, entries set).

use plist::{Dictionary, Value};
use proptest::prelude::*;
use seb_format::configkey::config_key;
use seb_format::plist::{PlistStyle, write_xml};
use seb_format::prerendered::Prerendered;

fn is_table(key: &str) -> bool {
    key.starts_with('T') || key == "URLFilterRules"
}

fn text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 _.&<>\"'é\r\n\t-]{0,8}"
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-dA-DT]{1,3}",
        1 => Just("originatorVersion".to_string()),
        1 => Just("allowWLAN".to_string()),
        1 => Just("allowWlan".to_string()),
        1 => Just("URLFilterRules".to_string()),
        1 => Just("bad\u{1}key".to_string()),
        1 => text(),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        any::<bool>().prop_map(Value::Boolean),
        (-3i64..3).prop_map(|i| Value::Integer(i.into())),
        any::<u64>().prop_map(|u| Value::Integer(u.into())),
        prop_oneof![Just(0.5), Just(-0.0), Just(f64::NAN), any::<f64>()].prop_map(Value::Real),
        text().prop_map(Value::String),
        Just(Value::String("nul\u{0}".into())),
        prop::collection::vec(any::<u8>(), 0..4).prop_map(Value::Data),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..3)
                .prop_map(|entries| Value::Dictionary(entries.into_iter().collect())),
        ]
    })
}

fn dict() -> impl Strategy<Value = Dictionary> {
    prop::collection::vec((key(), value()), 0..16).prop_map(|e| e.into_iter().collect())
}

/// What an exam does to the defaults: keeps, changes, removes, adds.
#[derive(Debug, Clone)]
enum Edit {
    Set(String, Value),
    /// Sets an existing key (by index) to another value.
    Change(prop::sample::Index, Value),
    /// Re-sets an existing key to an equal value (a clone, as merging does).
    Keep(prop::sample::Index),
    Remove(prop::sample::Index),
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    prop::collection::vec(
        prop_oneof![
            (key(), value()).prop_map(|(k, v)| Edit::Set(k, v)),
            (any::<prop::sample::Index>(), value()).prop_map(|(i, v)| Edit::Change(i, v)),
            any::<prop::sample::Index>().prop_map(Edit::Keep),
            any::<prop::sample::Index>().prop_map(Edit::Remove),
        ],
        0..8,
    )
}

fn apply(defaults: &Dictionary, edits: &[Edit], rebuild: bool) -> Dictionary {
    let mut d = defaults.clone();
    for edit in edits {
        let nth = |i: &prop::sample::Index, d: &Dictionary| -> Option<String> {
            (!d.is_empty()).then(|| d.keys().nth(i.index(d.len())).cloned())?
        };
        match edit {
            Edit::Set(k, v) => {
                d.insert(k.clone(), v.clone());
            }
            Edit::Change(i, v) => {
                if let Some(k) = nth(i, &d) {
                    d.insert(k, v.clone());
                }
            }
            Edit::Keep(i) => {
                if let Some(k) = nth(i, &d) {
                    let v = d[&k].clone();
                    d.insert(k, v);
                }
            }
            Edit::Remove(i) => {
                if let Some(k) = nth(i, &d) {
                    d.remove(&k);
                }
            }
        }
    }
    if rebuild {
        // The same entries in reverse insertion order: found by key, not by position.
        d = d
            .into_iter()
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
    }
    d
}

fn assert_same(d: &Dictionary, pre: &Prerendered) {
    for style in [PlistStyle::Indented, PlistStyle::Compact] {
        assert_eq!(
            pre.write_xml(d, style, &is_table),
            write_xml(d, style, &is_table),
            "{style:?} {d:?}"
        );
    }
    assert_eq!(pre.config_key(d), config_key(d), "{d:?}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn reusing_gives_the_bytes_and_key_of_writing_afresh(
        defaults in dict(), edits in edits(), rebuild in any::<bool>(),
    ) {
        let pre = Prerendered::new(&defaults, &is_table);
        assert_same(&defaults, &pre);
        assert_same(&apply(&defaults, &edits, rebuild), &pre);
        // An unrelated dictionary reuses nothing and still comes out the same.
        assert_same(&apply(&Dictionary::new(), &edits, rebuild), &pre);
    }
}

/// Removed keys (any, or the source's by index) and entries set, as a caller of
/// [`Prerendered::write_xml_and_key_of_changes`] gives them: the set keys distinct.
fn changes() -> impl Strategy<Value = (Vec<prop::sample::Index>, Vec<String>, Vec<(String, Value)>)>
{
    (
        prop::collection::vec(any::<prop::sample::Index>(), 0..4),
        prop::collection::vec(key(), 0..3),
        prop::collection::vec((key(), value()), 0..6),
    )
}

/// The source changed straightforwardly: a copy, the keys removed, the entries set.
fn changed_copy(source: &Dictionary, removed: &[&str], set: &[(&str, &Value)]) -> Dictionary {
    let mut d = source.clone();
    for k in removed {
        d.remove(k);
    }
    for (k, v) in set {
        d.insert(k.to_string(), (*v).clone());
    }
    d
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn changes_give_the_bytes_and_key_of_writing_the_changed_dictionary(
        source in dict(),
        (picked, other, set) in changes(),
        reset in prop::collection::vec(any::<prop::sample::Index>(), 0..3),
    ) {
        let pre = Prerendered::new(&source, &is_table);
        let mut removed: Vec<&str> = other.iter().map(String::as_str).collect();
        if !source.is_empty() {
            removed.extend(picked.iter().map(|i| source.keys().nth(i.index(source.len())).unwrap().as_str()));
        }
        // Some of the source's entries set again to their own value (a merge does so), last wins.
        let mut entries: Vec<(&str, &Value)> = set.iter().map(|(k, v)| (k.as_str(), v)).collect();
        if !source.is_empty() {
            entries.extend(reset.iter().map(|i| {
                let (k, v) = source.iter().nth(i.index(source.len())).unwrap();
                (k.as_str(), v)
            }));
        }
        let mut set: Vec<(&str, &Value)> = Vec::new();
        for (k, v) in entries.into_iter().rev() {
            if !set.iter().any(|(s, _)| *s == k) {
                set.push((k, v));
            }
        }
        let d = changed_copy(&source, &removed, &set);
        for style in [PlistStyle::Indented, PlistStyle::Compact] {
            let expected = write_xml(&d, style, &is_table).map(|xml| (xml, config_key(&d)));
            prop_assert_eq!(
                pre.write_xml_and_key_of_changes(&set, &removed, style, &is_table),
                expected,
                "{:?} {:?}", style, d
            );
        }
        // Every entry given as a change to nothing: the straightforward writer itself.
        let all: Vec<(&str, &Value)> = d.iter().map(|(k, v)| (k.as_str(), v)).collect();
        prop_assert_eq!(
            Prerendered::default().write_xml_and_key_of_changes(&all, &[], PlistStyle::Indented, &is_table),
            write_xml(&d, PlistStyle::Indented, &is_table).map(|xml| (xml, config_key(&d)))
        );
    }
}

#[test]
fn changes_copy_the_kept_entries_and_render_the_rest() {
    let source: Dictionary = [
        ("allowQuit", Value::Boolean(true)),
        ("bad\u{1}key", Value::Boolean(true)),
        ("browserViewMode", Value::Integer(0.into())),
        ("zoomMode", Value::Integer(0.into())),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let pre = Prerendered::new(&source, &is_table);
    assert_eq!(pre.len(), 3, "the key XML cannot carry is not rendered");
    let one = Value::Integer(1.into());
    let wlan = Value::Boolean(true);
    let set = [("browserViewMode", &one), ("allowWLAN", &wlan)];
    // Kept, the entry XML cannot carry is the dictionary's: writing fails as it does without `pre`.
    assert!(
        pre.write_xml_and_key_of_changes(&set, &["zoomMode"], PlistStyle::Compact, &is_table)
            .is_err()
    );
    let (xml, key) = pre
        .write_xml_and_key_of_changes(
            &set,
            &["zoomMode", "bad\u{1}key", "noSuchKey"],
            PlistStyle::Compact,
            &is_table,
        )
        .unwrap();
    let xml = String::from_utf8(xml).unwrap();
    assert!(
        xml.contains("<dict><key>allowQuit</key><true /><key>allowWLAN</key><true /><key>browserViewMode</key><integer>1</integer></dict>"),
        "{xml}"
    );
    let d = changed_copy(&source, &["zoomMode", "bad\u{1}key"], &set);
    assert_eq!(key, config_key(&d));
}

#[test]
fn shared_entries_are_copied_and_own_entries_merged_in_key_order() {
    let defaults: Dictionary = [
        ("allowQuit", Value::Boolean(true)),
        ("browserViewMode", Value::Integer(0.into())),
        ("originatorVersion", Value::String("x".into())),
        ("URLFilterRules", Value::Array(vec![])),
        ("zoomMode", Value::Integer(0.into())),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let pre = Prerendered::new(&defaults, &is_table);
    assert_eq!(pre.len(), 5);
    let mut exam = defaults.clone();
    exam.insert("browserViewMode".into(), Value::Integer(1.into()));
    exam.insert("allowWLAN".into(), Value::Boolean(true));
    exam.remove("zoomMode");
    let xml = String::from_utf8(
        pre.write_xml(&exam, PlistStyle::Compact, &is_table)
            .unwrap(),
    )
    .unwrap();
    assert!(
        xml.contains("<dict><key>allowQuit</key><true /><key>allowWLAN</key><true /><key>browserViewMode</key><integer>1</integer><key>originatorVersion</key><string>x</string><key>URLFilterRules</key><array /></dict>"),
        "{xml}"
    );
    assert_same(&exam, &pre);
    // A character XML cannot carry in an own entry is the writer's usual error.
    exam.insert("startURL".into(), Value::String("a\u{1b}".into()));
    assert!(
        pre.write_xml(&exam, PlistStyle::Indented, &is_table)
            .is_err()
    );
}
