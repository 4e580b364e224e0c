//! Config Key: every vector of `seb-vectors/README.md` reproduces (with the SEB-JSON intermediate
//! strings byte for byte), and the key is invariant where SEB's is.

mod common;
use common::*;
use seb_format::configkey::{config_key, config_key_hash, seb_json};

fn settings(dir: &std::path::Path, rel: &str, password: Option<&str>) -> plist::Dictionary {
    let keys = seb_format::container::Keys {
        password: password.map(str::as_bytes),
        ..Default::default()
    };
    let (xml, _) = seb_format::container::decode(&read(dir.join(rel)), &keys)
        .unwrap_or_else(|e| panic!("{rel}: {e}"));
    seb_format::plist::read_xml(&xml).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

#[test]
fn every_documented_vector_reproduces() {
    let Some(dir) = vectors_dir() else { return };
    let cases = [
        (
            "upstream/moodle-quizaccess_seb/unencrypted_mac_001.seb",
            None,
            "4fa9af8ec8759eb7c680752ef4ee5eaf1a860628608fccae2715d519849f9292",
        ),
        (
            "upstream/moodle-quizaccess_seb/unencrypted_win_223.seb",
            None,
            "fc6f4ea5922717760f4d6d536c23b8d19bf20b52aa97940f5427a76e20f49026",
        ),
        (
            "upstream/moodle-quizaccess_seb/encrypted.seb",
            Some("test"),
            "7984a9902c95098e0d992fd1e5f2ce4a6cf40a613d61dfd805f43100ce2ec14d",
        ),
        (
            "upstream/moodle-quizaccess_seb/unencrypted.seb",
            None,
            "7984a9902c95098e0d992fd1e5f2ce4a6cf40a613d61dfd805f43100ce2ec14d",
        ),
        (
            "upstream/seb-server/importTest_123.seb",
            Some("123"),
            "781f50bba263f01a05ceca47d3430cd9657a683315ee507cc257ab21bcd788c9",
        ),
        (
            "derived/TestDictionary1.plist",
            None,
            "6063c3351ed1ac878c05072598d5079e30ca763c957d8e04bd45131c08f88d1a",
        ),
        (
            "derived/TestDictionary2.plist",
            None,
            "4fc002d2ae4faf994a14bede54d95ac58a1a2cb9b59bc5b4277ff29559b46e3d",
        ),
        (
            "derived/TestDictionary3.plist",
            None,
            "ab426e25b795c917f1fb40f7ef8e5757ef97d7c7ad6792e655c4421d47329d7a",
        ),
        (
            "upstream/seb-win-refactoring/XmlTestSettings.xml",
            None,
            "e073c388315da445a96a9760f533de20cd9f08f99d4b4b8717a6de4ce605c81d",
        ),
        (
            "generated/vector_config.plist",
            None,
            "60a8199129c990539f799a9b76e27f419a47b692383c84711044d7c07cae85b8",
        ),
    ];
    for (rel, pw, key) in cases {
        assert_eq!(config_key(&settings(&dir, rel, pw)), key, "{rel}");
    }
    let with = settings(
        &dir,
        "upstream/moodle-quizaccess_seb/simpleunencrypted.seb",
        None,
    );
    let without = settings(
        &dir,
        "upstream/moodle-quizaccess_seb/simpleunencryptedwithoutoriginator.seb",
        None,
    );
    assert!(with.contains_key("originatorVersion") && !without.contains_key("originatorVersion"));
    assert_eq!(config_key(&with), config_key(&without));
}

#[test]
fn seb_json_intermediates_match_byte_for_byte() {
    let Some(dir) = vectors_dir() else { return };
    let pairs = [
        (
            "upstream/moodle-quizaccess_seb/unencrypted_mac_001.seb",
            "upstream/moodle-quizaccess_seb/JSON_unencrypted_mac_001.txt",
        ),
        (
            "derived/TestDictionary1.plist",
            "derived/TestDictionary1.seb-json.txt",
        ),
        (
            "derived/TestDictionary2.plist",
            "derived/TestDictionary2.seb-json.txt",
        ),
        (
            "derived/TestDictionary3.plist",
            "derived/TestDictionary3.seb-json.txt",
        ),
    ];
    for (plist, json) in pairs {
        let want = String::from_utf8(read(dir.join(json))).unwrap();
        assert_eq!(
            seb_json(&settings(&dir, plist, None)),
            want.trim_end_matches(['\n', '\r']),
            "{plist}"
        );
    }
    let expected: serde_json::Value =
        serde_json::from_slice(&read(dir.join("generated/expected.json"))).unwrap();
    let generated = settings(&dir, "generated/vector_config.plist", None);
    assert_eq!(
        seb_json(&generated),
        expected["vector_config.plist"]["seb_json"]
            .as_str()
            .unwrap()
    );
    let h = &expected["config_key_hash"];
    assert_eq!(
        config_key_hash(
            h["url"].as_str().unwrap(),
            h["config_key"].as_str().unwrap()
        ),
        h["X-SafeExamBrowser-ConfigKeyHash"]
    );
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn leaf() -> impl Strategy<Value = plist::Value> {
        prop_oneof![
            any::<bool>().prop_map(plist::Value::Boolean),
            any::<i32>().prop_map(|i| plist::Value::Integer(i64::from(i).into())),
            (-1e6f64..1e6).prop_map(plist::Value::Real),
            "[a-zA-Z0-9 \"\\\\/äé<>&]{0,12}".prop_map(plist::Value::String),
        ]
    }

    fn dict() -> impl Strategy<Value = Vec<(String, plist::Value)>> {
        let value = leaf().prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(plist::Value::Array),
                prop::collection::btree_map("[a-z][a-zA-Z]{0,6}", inner, 1..4)
                    .prop_map(|m| plist::Value::Dictionary(m.into_iter().collect())),
            ]
        });
        prop::collection::btree_map("[a-z][a-zA-Z]{0,8}", value, 0..8)
            .prop_map(|m| m.into_iter().collect())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        #[test]
        fn key_ignores_order_whitespace_and_originator_version(entries in dict(), seed in any::<u64>()) {
            let original: plist::Dictionary = entries.iter().cloned().collect();
            let key = config_key(&original);
            // Reordered keys.
            let mut shuffled = entries.clone();
            let n = shuffled.len().max(1);
            shuffled.rotate_left((seed as usize) % n);
            shuffled.reverse();
            prop_assert_eq!(config_key(&shuffled.into_iter().collect()), key.clone());
            // originatorVersion added.
            let mut with = original.clone();
            with.insert("originatorVersion".into(), plist::Value::String("SEB_OSX_2.1.4".into()));
            prop_assert_eq!(config_key(&with), key.clone());
            // Written in both XML styles (different whitespace) and read back.
            for style in [seb_format::plist::PlistStyle::Indented, seb_format::plist::PlistStyle::Compact] {
                let xml = seb_format::plist::write_xml(&original, style, &|_| false).unwrap();
                let back = seb_format::plist::read_xml(&xml).unwrap();
                prop_assert_eq!(config_key(&back), key.clone());
            }
        }
    }
}
