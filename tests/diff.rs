//! `sebc diff`: snapshots of exam-vs-exam, exam-vs-.seb and .seb-vs-.seb (human and JSON), exit codes
//! like diff(1) (0 equal, 1 different, 2 error), and no secret in any output.

mod common;
use common::*;
use std::path::Path;

/// Compiles `exam` to a `.seb` in `dir` and returns its path.
fn compiled(exam: &str, dir: &Path) -> String {
    let o = run(&[
        "compile",
        exam,
        "--format",
        "seb",
        "-q",
        "-o",
        dir.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{exam}: {}", stderr(&o));
    stdout(&o)
        .trim_end()
        .split('\t')
        .nth(1)
        .unwrap()
        .to_string()
}

/// `sebc diff` with the temporary directory shown as `<tmp>`.
fn diff(args: &[&str], tmp: &Path) -> (Option<i32>, String, String) {
    let o = run(&[&["diff"], args].concat());
    let t = tmp.to_str().unwrap();
    (
        o.status.code(),
        stdout(&o).replace(t, "<tmp>"),
        stderr(&o).replace(t, "<tmp>"),
    )
}

#[test]
fn exam_vs_exam_names_the_layers_and_the_clients() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, out, err) = diff(
        &[
            "fixtures/valid/jitsi-proctored.yaml",
            "fixtures/valid/zoom-proctored.json",
        ],
        tmp.path(),
    );
    assert_eq!(code, Some(1), "{err}");
    assert!(
        out.contains("set by the exam's service settings (/service/enableProctoring)"),
        "{out}"
    );
    assert!(out.contains("Config Key changes: "), "{out}");
    insta::assert_snapshot!("exam_vs_exam", out);
}

#[test]
fn exam_vs_seb_and_its_json_form() {
    let tmp = tempfile::tempdir().unwrap();
    let seb = compiled("fixtures/valid/url-filter.toml", tmp.path());
    let (code, out, err) = diff(&["fixtures/valid/lockdown-basic.yaml", &seb], tmp.path());
    assert_eq!(code, Some(1), "{err}");
    insta::assert_snapshot!("exam_vs_seb", out);
    let (code, json, _) = diff(
        &["fixtures/valid/lockdown-basic.yaml", &seb, "--json"],
        tmp.path(),
    );
    assert_eq!(code, Some(1));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["configKeyChanged"], true);
    assert!(
        v["changes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["key"] == "startURL")
    );
    insta::assert_snapshot!("exam_vs_seb_json", json);
}

#[test]
fn seb_vs_seb() {
    let tmp = tempfile::tempdir().unwrap();
    let a = compiled("fixtures/valid/lockdown-basic.yaml", &tmp.path().join("a"));
    let b = compiled("fixtures/valid/template-chain.yaml", &tmp.path().join("b"));
    let (code, out, err) = diff(&[&a, &b], tmp.path());
    assert_eq!(code, Some(1), "{err}");
    assert!(!out.contains("set by"), "a .seb has no layers: {out}");
    insta::assert_snapshot!("seb_vs_seb", out);
}

#[test]
fn equal_configurations_exit_0_and_errors_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let seb = compiled("fixtures/valid/lockdown-basic.yaml", tmp.path());
    let (code, out, err) = diff(&["fixtures/valid/lockdown-basic.yaml", &seb], tmp.path());
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(
        out.contains("0 settings differ") && out.contains("Config Key unchanged: "),
        "{out}"
    );
    let (code, _, err) = diff(
        &["fixtures/valid/lockdown-basic.yaml", "no/such.seb"],
        tmp.path(),
    );
    assert_eq!(code, Some(2));
    assert!(err.contains("no/such.seb"), "{err}");
    let (code, _, err) = diff(&["fixtures/invalid/typo-in-setting.yaml", &seb], tmp.path());
    assert_eq!(code, Some(2));
    assert!(err.contains("unknown-setting"), "{err}");
    let (code, _, _) = diff(&[&seb], tmp.path());
    assert_eq!(code, Some(2), "usage error");
}

#[test]
fn secrets_never_appear_only_their_hashes() {
    let tmp = tempfile::tempdir().unwrap();
    let exam = |name: &str, var: &str| {
        let p = tmp.path().join(name);
        write(
            &p,
            &format!(
                "exam: {{ id: pw }}\nseb:\n  startURL: https://lms.example.org/\n  quitPassword: {{ env: {var} }}\n"
            ),
        );
        p.to_str().unwrap().to_string()
    };
    let (a, b) = (exam("a.yaml", "PW_A"), exam("b.yaml", "PW_B"));
    let o = sebc()
        .args(["diff", &a, &b, "--json"])
        .env("PW_A", "first-Gh71-secret")
        .env("PW_B", "second-Lm23-secret")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let all = format!("{}{}", stdout(&o), stderr(&o));
    assert!(
        !all.contains("first-Gh71") && !all.contains("second-Lm23"),
        "{all}"
    );
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let change = &v["changes"][0];
    assert_eq!(change["key"], "hashedQuitPassword");
    assert_eq!(change["old"], sha256_hex(b"first-Gh71-secret"));
    assert_eq!(change["new"], sha256_hex(b"second-Lm23-secret"));
}

#[test]
fn what_each_targeted_client_does_differently_is_shown() {
    let tmp = tempfile::tempdir().unwrap();
    let seb = compiled("fixtures/valid/jitsi-proctored.yaml", tmp.path());
    let (code, out, err) = diff(&["fixtures/valid/lockdown-basic.yaml", &seb], tmp.path());
    assert_eq!(code, Some(1), "{err}");
    let block: Vec<&str> = out
        .lines()
        .skip_while(|l| !l.starts_with("~ jitsiMeetEnable: false -> true"))
        .take_while(|l| l.starts_with("~ jitsiMeetEnable") || l.starts_with("    "))
        .collect();
    // The .seb targets every current release: SEB for macOS quits the session when Jitsi Meet is on.
    assert!(
        block
            .iter()
            .any(|l| l.starts_with("    SEB for macOS: read -> quits on ")),
        "{block:?}"
    );
}
