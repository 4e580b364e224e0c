//! `--message-format`: the human form goes to stderr; `json` and `github`, which tools read, go to
//! stdout (every stdout line one JSON object, or one workflow command or result line), on every command
//! that takes the option: `compile`, `validate`, `config-key`.

mod common;
use common::*;
use std::process::Output;

const INVALID: &str = "fixtures/invalid/typo-in-setting.yaml";
/// Compiles, with one warning.
const WARNS: &str = "fixtures/warnings/windows-only-key-on-macos.yaml";

/// Every stdout line parsed as JSON (panics on one that is not).
fn json_lines(o: &Output) -> Vec<serde_json::Value> {
    stdout(o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[test]
fn validate_prints_human_on_stderr_and_machine_formats_on_stdout() {
    let o = run(&["validate", INVALID]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).is_empty(), "{}", stdout(&o));
    assert!(
        stderr(&o).contains("error[unknown-setting]"),
        "{}",
        stderr(&o)
    );

    let o = run(&["validate", INVALID, "--message-format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
    let lines = json_lines(&o);
    assert!(!lines.is_empty());
    assert!(
        lines.iter().any(|d| d["code"] == "unknown-setting"),
        "{lines:?}"
    );

    let o = run(&["validate", INVALID, "--message-format", "github"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
    assert!(
        stdout(&o).lines().all(|l| l.starts_with("::")) && stdout(&o).contains("::error file="),
        "{}",
        stdout(&o)
    );
}

#[test]
fn validate_explain_is_a_json_object_beside_json_diagnostics() {
    let o = run(&[
        "validate",
        WARNS,
        "--explain",
        "allowStickyKeys",
        "--message-format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
    let lines = json_lines(&o);
    let answer: Vec<_> = lines
        .iter()
        .filter(|l| l.get("explain").is_some())
        .collect();
    assert_eq!(answer.len(), 1, "{lines:?}");
    assert_eq!(answer[0]["explain"], "allowStickyKeys");
    assert!(
        answer[0]["text"]
            .as_str()
            .unwrap()
            .contains("allowStickyKeys = false")
    );
    assert!(
        lines.iter().any(|l| l["code"] == "client-ignored"),
        "{lines:?}"
    );
}

#[test]
fn compile_results_and_diagnostics_share_stdout_in_the_machine_formats() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().to_str().unwrap();

    let o = run(&["compile", WARNS, "-o", dir]);
    assert!(o.status.success(), "{}", stderr(&o));
    let results: Vec<String> = stdout(&o).lines().map(str::to_string).collect();
    assert!(
        results.iter().all(|l| l.split('\t').count() == 3),
        "{results:?}"
    );
    assert!(
        stderr(&o).contains("warning[client-ignored]"),
        "{}",
        stderr(&o)
    );

    let o = run(&["compile", WARNS, "-o", dir, "--message-format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
    let lines = json_lines(&o);
    let outputs: Vec<_> = lines.iter().filter(|l| l.get("output").is_some()).collect();
    assert_eq!(outputs.len(), 1, "one line per configuration: {lines:?}");
    assert_eq!(results.len(), 1, "{results:?}");
    for out in &outputs {
        assert_eq!(out["id"], "windows-only-key-on-macos");
        assert_eq!(out["configKey"].as_str().unwrap().len(), 64);
        assert!(std::path::Path::new(out["output"].as_str().unwrap()).is_file());
    }
    // The same results as the tab-separated lines of the human run.
    for (line, out) in results.iter().zip(&outputs) {
        let fields: Vec<&str> = line.split('\t').collect();
        assert_eq!(
            fields,
            [
                out["id"].as_str().unwrap(),
                out["output"].as_str().unwrap(),
                out["configKey"].as_str().unwrap()
            ]
        );
    }
    assert!(
        lines.iter().any(|l| l["code"] == "client-ignored"),
        "{lines:?}"
    );

    let o = run(&["compile", WARNS, "-o", dir, "--message-format", "github"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("::warning file="), "{text}");
    assert_eq!(
        text.lines().filter(|l| l.split('\t').count() == 3).count(),
        1,
        "{text}"
    );

    // --check reports stale outputs in the chosen format too.
    std::fs::remove_file(out.path().join("windows-only-key-on-macos.server.json")).unwrap();
    let o = run(&["compile", WARNS, "--check", dir, "--message-format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
    assert!(json_lines(&o).iter().any(|l| l["code"] == "stale-output"));
}

#[test]
fn config_key_prints_one_json_result_beside_its_diagnostics() {
    let file = "fixtures/invalid/support/legacy-with-date.plist";
    let human = run(&["config-key", file, "--url", "https://x.example/"]);
    assert!(human.status.success(), "{}", stderr(&human));
    let key = stdout(&human).lines().next().unwrap().to_string();
    assert!(stderr(&human).contains("warning[config-key-divergence]"));

    let o = run(&[
        "config-key",
        file,
        "--url",
        "https://x.example/",
        "--show-json",
        "--message-format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
    let lines = json_lines(&o);
    let result: Vec<_> = lines
        .iter()
        .filter(|l| l.get("configKey").is_some())
        .collect();
    assert_eq!(result.len(), 1, "{lines:?}");
    assert_eq!(result[0]["configKey"], key.as_str());
    assert_eq!(result[0]["file"], file);
    assert!(result[0]["sebJson"].as_str().unwrap().starts_with('{'));
    let header = stdout(&human).lines().nth(1).unwrap().to_string();
    assert_eq!(
        format!(
            "X-SafeExamBrowser-ConfigKeyHash: {}",
            result[0]["configKeyHash"].as_str().unwrap()
        ),
        header
    );
    assert!(lines.iter().any(|l| l["code"] == "config-key-divergence"));

    let o = run(&["config-key", file, "--message-format", "github"]);
    assert!(o.status.success());
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
    assert!(stdout(&o).contains("::warning file="), "{}", stdout(&o));
    assert!(stdout(&o).lines().any(|l| l == key), "{}", stdout(&o));
}

#[test]
fn config_key_reading_errors_follow_the_format() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("broken.seb");
    std::fs::write(&file, b"pswd\x00\x01garbage").unwrap();
    let f = file.to_str().unwrap();
    let o = run(&["config-key", f]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).is_empty());
    assert!(stderr(&o).contains("error["), "{}", stderr(&o));

    let o = run(&["config-key", f, "--message-format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
    let lines = json_lines(&o);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["severity"], "error");
    assert!(
        lines[0]["hint"]
            .as_str()
            .unwrap()
            .contains("--password-env"),
        "{lines:?}"
    );

    let o = run(&["config-key", f, "--message-format", "github"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("::error file="), "{}", stdout(&o));
}
