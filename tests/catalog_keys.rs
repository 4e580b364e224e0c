//! The catalog against real client-written files: every key (at every depth, table columns and nested
//! dictionary keys included) of every `.seb`/plist among the SEB test vectors and the fixtures is a catalog
//! entry, or an explicit exception below; and a client-written settings dictionary pasted into `seb:`
//! validates without unknown-key errors.

mod common;

use common::{json_diags, run, sebc, with_code};
use sebc::catalog::{Catalog, Column, SettingType};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Keys in the vectors that no SEB client wrote: parser test data and test-only keys.
const NOT_CLIENT_KEYS: &[(&str, &str)] = &[
    (
        "/aaaaaa",
        "Moodle's tiny hand-made test config (simpleunencrypted*.seb)",
    ),
    (
        "/anArray",
        "seb-win-refactoring's XML parser test data (XmlTestData.xml)",
    ),
    ("/anotherBoolean", "XmlTestData.xml parser test data"),
    ("/someBoolean", "XmlTestData.xml parser test data"),
    ("/someData", "XmlTestData.xml parser test data"),
    ("/someDate", "XmlTestData.xml parser test data"),
    ("/someInteger", "XmlTestData.xml parser test data"),
    ("/someReal", "XmlTestData.xml parser test data"),
    ("/someString", "XmlTestData.xml parser test data"),
    (
        "/lastModified",
        "fixtures/invalid/support/legacy-with-date.plist: a made-up `<date>` key the invalid fixture exercises",
    ),
    (
        "/testEmptyDictionary",
        "the generated vectors' deliberately unknown key (vectors README)",
    ),
];

fn decode(path: &Path, password: Option<&str>) -> Value {
    let mut cmd = sebc();
    cmd.arg("decode").arg(path).arg("--json");
    if let Some(pw) = password {
        cmd.env("SEBC_TEST_VECTOR_PASSWORD", pw)
            .args(["--password-env", "SEBC_TEST_VECTOR_PASSWORD"]);
    }
    let out = cmd.output().expect("sebc runs");
    assert!(
        out.status.success(),
        "{}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("decode --json prints JSON")
}

/// Every key path the catalog does not know, as `/key`, `/table/*/column`, `/dict/child`.
fn unknown_keys(settings: &Value) -> Vec<String> {
    let catalog = Catalog::get();
    let mut out = Vec::new();
    let Some(obj) = settings.as_object() else {
        return out;
    };
    for (key, value) in obj {
        match catalog.setting(key) {
            None => out.push(format!("/{key}")),
            Some(s) => walk_columns(
                value,
                s.ty,
                s.columns.as_deref(),
                &format!("/{key}"),
                &mut out,
            ),
        }
    }
    out
}

fn walk_columns(
    value: &Value,
    ty: SettingType,
    columns: Option<&[Column]>,
    path: &str,
    out: &mut Vec<String>,
) {
    match (ty, value) {
        (SettingType::ArrayOfDicts, Value::Array(rows)) => {
            for row in rows {
                walk_columns(row, SettingType::Dict, columns, &format!("{path}/*"), out);
            }
        }
        (SettingType::Dict, Value::Object(obj)) if columns.is_some() => {
            let columns = columns.unwrap_or_default();
            for (k, v) in obj {
                match columns.iter().find(|c| &c.key == k) {
                    None => out.push(format!("{path}/{k}")),
                    Some(c) => {
                        walk_columns(v, c.ty, c.columns.as_deref(), &format!("{path}/{k}"), out)
                    }
                }
            }
        }
        _ => {}
    }
}

#[test]
fn every_key_of_every_vector_and_fixture_plist_is_in_the_catalog() {
    let mut files: Vec<(PathBuf, Option<&str>)> = Vec::new();
    if let Some(dir) = common::vectors_dir() {
        files.extend(common::vector_files(&dir));
        assert!(files.len() >= 15, "{files:?}");
    }
    for f in [
        "fixtures/templates/lockdown-common.plist",
        "fixtures/invalid/support/legacy-with-date.plist",
    ] {
        files.push((common::root().join(f), None));
    }
    let mut missing = Vec::new();
    for (path, password) in &files {
        let settings = decode(path, *password);
        for key in unknown_keys(&settings) {
            if !NOT_CLIENT_KEYS.iter().any(|(k, _)| *k == key) {
                missing.push(format!("{}: {key}", path.display()));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "keys the catalog does not know:\n{}",
        missing.join("\n")
    );
}

#[test]
fn the_walk_finds_unknown_keys_at_every_depth() {
    let settings = serde_json::json!({
        "allowQuit": true,
        "notASetting": 1,
        "proxies": { "HTTPPort": 80, "bogusChild": 1 },
        "prohibitedProcesses": [{ "executable": "x", "windowHandlingProcess": "", "bogusColumn": 1 }],
    });
    assert_eq!(
        unknown_keys(&settings),
        [
            "/notASetting",
            "/proxies/bogusChild",
            "/prohibitedProcesses/*/bogusColumn"
        ]
    );
}

#[test]
fn a_client_written_settings_dictionary_pasted_into_seb_validates_without_unknown_keys() {
    let Some(dir) = common::vectors_dir() else {
        return;
    };
    // The SEB for macOS 2.1.4 file (legacy `proxies` children) and the SEB Server import test (iOS 2.1,
    // encrypted) together carry most of the keys the issue lists.
    for (file, password) in [
        (
            "upstream/moodle-quizaccess_seb/unencrypted_mac_001.seb",
            None,
        ),
        ("upstream/seb-server/importTest_123.seb", Some("123")),
        ("upstream/seb-win-refactoring/XmlTestSettings.xml", None),
    ] {
        let settings = decode(&dir.join(file), password);
        let exam = serde_json::json!({ "exam": { "id": "pasted" }, "seb": settings });
        let tmp = tempfile::tempdir().expect("tempdir");
        let path = tmp.path().join("pasted.json");
        common::write(&path, &exam.to_string());
        let out = run(&[
            "validate",
            path.to_str().expect("utf-8 path"),
            "--message-format",
            "json",
        ]);
        let diags = json_diags(&out);
        // Data (salts) arrive as `{ "$data": … }` from `decode --json` and validate as they are.
        // (importTest_123 has `allowWlan` and `allowWLAN`: written by the exam itself, that stays an error.)
        let errors: Vec<_> = diags
            .iter()
            .filter(|d| d["severity"] == "error" && d["code"] != "config-key-divergence")
            .collect();
        assert!(errors.is_empty(), "{file}: {errors:#?}");
        assert!(
            with_code(&diags, "unknown-key").is_empty(),
            "{file}: {:#?}",
            with_code(&diags, "unknown-key")
        );
        // Outdated keys are warnings, never errors.
        for d in with_code(&diags, "outdated-setting") {
            assert_eq!(d["severity"], "warning", "{d}");
        }
        if file.ends_with("unencrypted_mac_001.seb") {
            assert!(
                !with_code(&diags, "outdated-setting").is_empty(),
                "the 2.1.4 file carries outdated keys"
            );
        }
    }
}
