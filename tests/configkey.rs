//! Config Key: every vector of `seb-vectors/README.md` reproduces (with the SEB-JSON intermediate
//! strings byte for byte), the key is invariant where SEB's is, and `sebc compile` reports the key
//! of exactly the bytes it writes.

mod common;
use common::*;
use sebc::configkey::{config_key, config_key_hash, seb_json};

fn settings(dir: &std::path::Path, rel: &str, password: Option<&str>) -> plist::Dictionary {
    let keys = sebc::container::Keys {
        password: password.map(str::as_bytes),
        ..Default::default()
    };
    let (xml, _) = sebc::container::decode(&read(dir.join(rel)), &keys)
        .unwrap_or_else(|e| panic!("{rel}: {e}"));
    sebc::plist::read_xml(&xml).unwrap_or_else(|e| panic!("{rel}: {e}"))
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

#[test]
fn config_key_command_show_json_and_url() {
    let Some(dir) = vectors_dir() else { return };
    let f = dir.join("generated/vector_config.plist");
    let o = run(&[
        "config-key",
        f.to_str().unwrap(),
        "--show-json",
        "--url",
        "https://exam.example.org/start?id=1&lang=de#section2",
    ]);
    assert!(o.status.success());
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("{\"allowQuit\":false,"));
    assert_eq!(
        lines[1],
        "60a8199129c990539f799a9b76e27f419a47b692383c84711044d7c07cae85b8"
    );
    assert_eq!(
        lines[2],
        "X-SafeExamBrowser-ConfigKeyHash: 84c94055fe96fa6a34166190825eb7d57953b5f5f25e6e937634254085da2136"
    );
    assert!(
        stderr(&o).contains("warning[config-key-divergence]"),
        "the empty dictionary is flagged"
    );
}

#[test]
fn compile_reports_the_key_of_what_it_writes_in_every_syntax_and_container() {
    let out = tempfile::tempdir().unwrap();
    let mut keys = std::collections::BTreeSet::new();
    for exam in exam_files("fixtures/valid/same-in-three-syntaxes") {
        for format in ["plist", "seb"] {
            let d = out
                .path()
                .join(format!("{}-{format}", exam.replace('/', "_")));
            let o = run(&[
                "compile",
                &exam,
                "-o",
                d.to_str().unwrap(),
                "--format",
                format,
            ]);
            assert!(o.status.success(), "{}", stderr(&o));
            let line = stdout(&o);
            let fields: Vec<&str> = line.trim_end().split('\t').collect();
            let (path, reported) = (fields[1], fields[2]);
            let recomputed = run(&["config-key", path]);
            assert_eq!(stdout(&recomputed).trim(), reported, "{exam} {format}");
            let of_exam = run(&["config-key", &exam]);
            assert_eq!(
                stdout(&of_exam).trim(),
                reported,
                "config-key of the exam file"
            );
            keys.insert(reported.to_string());
        }
    }
    assert_eq!(
        keys.len(),
        1,
        "YAML, TOML, JSON, plist and .seb all give one key"
    );
}

#[test]
fn compile_refuses_settings_with_platform_dependent_keys() {
    let dir = tempfile::tempdir().unwrap();
    let exam = dir.path().join("d.yaml");
    std::fs::write(&exam, "exam: { id: d }\nseb:\n  startURL: https://x.example\n  sebAllowedVersions: [\"3.8\", \"\"]\n").unwrap();
    let o = run(&[
        "compile",
        exam.to_str().unwrap(),
        "-o",
        dir.path().join("out").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("error[config-key-divergence]"),
        "{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains(":4:23"),
        "points at the value: {}",
        stderr(&o)
    );
    assert!(!dir.path().join("out").exists(), "nothing written");
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
            for style in [sebc::plist::PlistStyle::Indented, sebc::plist::PlistStyle::Compact] {
                let xml = sebc::plist::write_xml(&original, style, &|_| false);
                let back = sebc::plist::read_xml(&xml).unwrap();
                prop_assert_eq!(config_key(&back), key.clone());
            }
        }
    }
}

#[test]
fn reading_someone_elses_divergent_file_warns_but_succeeds() {
    let o = run(&[
        "config-key",
        "fixtures/invalid/support/legacy-with-date.plist",
        "--message-format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let warnings: Vec<serde_json::Value> = stderr(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let pointers: Vec<&str> = warnings
        .iter()
        .map(|w| w["pointer"].as_str().unwrap())
        .collect();
    assert_eq!(pointers, ["/allowWLAN", "/lastModified"]);
    assert!(
        warnings
            .iter()
            .all(|w| w["severity"] == "warning" && w["code"] == "config-key-divergence")
    );
    assert_eq!(stdout(&o).trim().len(), 64);
    let denied = run(&[
        "config-key",
        "fixtures/invalid/support/legacy-with-date.plist",
        "--deny-warnings",
    ]);
    assert_eq!(denied.status.code(), Some(1));
}
