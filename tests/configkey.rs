//! Config Key through the binary: `sebc config-key`, and `sebc compile` reporting the key of exactly
//! the bytes it writes. The key itself is tested against the vectors in `crates/seb-format/tests`.

mod common;
use common::*;

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

#[test]
fn reading_someone_elses_divergent_file_warns_but_succeeds() {
    let o = run(&[
        "config-key",
        "fixtures/invalid/support/legacy-with-date.plist",
        "--message-format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let warnings: Vec<serde_json::Value> = json_diags(&o);
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
    // Beside the diagnostics on stdout, the result is one JSON object holding the key.
    let results: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v.get("configKey").is_some())
        .collect();
    assert_eq!(results.len(), 1);
    assert_eq!(results[0]["configKey"].as_str().unwrap().len(), 64);
    let denied = run(&[
        "config-key",
        "fixtures/invalid/support/legacy-with-date.plist",
        "--deny-warnings",
    ]);
    assert_eq!(denied.status.code(), Some(1));
}

#[test]
fn config_key_warns_where_moodles_key_differs() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("quoted.plist");
    write(
        &file,
        r#"<?xml version="1.0" encoding="UTF-8"?>
<plist version="1.0"><dict>
<key>browserWindowTitleSuffix</key><string>the "final"</string>
<key>startURL</key><string>https://lms.example.org/</string>
</dict></plist>
"#,
    );
    let o = run(&[
        "config-key",
        file.to_str().unwrap(),
        "--message-format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let warnings: Vec<serde_json::Value> = json_diags(&o);
    let found: Vec<(&str, &str)> = warnings
        .iter()
        .map(|w| (w["code"].as_str().unwrap(), w["pointer"].as_str().unwrap()))
        .collect();
    assert_eq!(
        found,
        [("moodle-config-key-differs", "/browserWindowTitleSuffix")]
    );
    assert!(
        warnings[0]["hint"]
            .as_str()
            .unwrap()
            .contains("Browser Exam Key")
    );
}
