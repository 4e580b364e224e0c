//! Every fixture through the real binary: valid exams compile (snapshots of what they write),
//! invalid exams fail with exit code 1 and the diagnostics in the snapshots, in all three formats.

mod common;
use common::*;

fn name_of(file: &str) -> String {
    std::path::Path::new(file)
        .file_name()
        .unwrap()
        .to_string_lossy()
        .replace('.', "_")
}

#[test]
fn valid_fixtures_compile_and_minimal_outputs_match_snapshots() {
    let files = exam_files("fixtures/valid");
    assert!(files.len() >= 6, "at least six valid fixtures");
    for file in files {
        let out = tempfile::tempdir().unwrap();
        let o = run(&[
            "compile",
            &file,
            "-o",
            out.path().to_str().unwrap(),
            "--minimal",
            "--format",
            "plist",
        ]);
        assert!(o.status.success(), "{file}: {}", stderr(&o));
        let mut written: Vec<String> = std::fs::read_dir(out.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        written.sort();
        let id = stdout(&o).split('\t').next().unwrap().to_string();
        assert_eq!(
            written,
            [format!("{id}.plist"), format!("{id}.server.json")],
            "{file}"
        );
        let xml = String::from_utf8(read(out.path().join(format!("{id}.plist")))).unwrap();
        let server: serde_json::Value =
            serde_json::from_slice(&read(out.path().join(format!("{id}.server.json")))).unwrap();
        assert_eq!(
            server["configKey"].as_str().unwrap(),
            stdout(&o).trim_end().split('\t').nth(2).unwrap()
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(out.path().join(format!("{id}.server.json")))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "server files hold tokens");
        }
        insta::assert_json_snapshot!(format!("server_{}", name_of(&file)), server);
        insta::assert_snapshot!(format!("minimal_{}", name_of(&file)), xml);
    }
}

#[test]
fn invalid_fixtures_fail_with_exit_1_and_diagnostics_match_snapshots() {
    let files = exam_files("fixtures/invalid");
    assert!(files.len() >= 12, "at least twelve invalid fixtures");
    for file in files {
        let o = run(&["validate", &file]);
        assert_eq!(
            o.status.code(),
            Some(1),
            "{file} must fail:\n{}",
            stderr(&o)
        );
        let err = stderr(&o);
        assert!(!err.contains("panicked"), "{file}: {err}");
        assert!(
            err.contains(&format!("--> {file}")) || err.contains("--> fixtures/"),
            "{file} names a file: {err}"
        );
        insta::assert_snapshot!(format!("diagnostics_{}", name_of(&file)), err);

        // The same problems as JSON lines and GitHub annotations.
        let json = stdout(&run(&["validate", &file, "--message-format", "json"]));
        let lines: Vec<serde_json::Value> = json
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert!(!lines.is_empty());
        for d in &lines {
            for field in [
                "code", "severity", "file", "line", "col", "pointer", "message",
            ] {
                assert!(d.get(field).is_some(), "{file}: {field} missing in {d}");
            }
            assert!(
                d["line"].as_u64().unwrap() >= 1,
                "{file}: every diagnostic has a line: {d}"
            );
        }
        let gh = stdout(&run(&["validate", &file, "--message-format", "github"]));
        assert_eq!(
            gh.lines().count(),
            lines.len(),
            "{file}: one annotation per diagnostic"
        );
        assert!(
            gh.lines()
                .all(|l| l.starts_with("::error file=") || l.starts_with("::warning file="))
        );
        insta::assert_snapshot!(
            format!("machine_{}", name_of(&file)),
            format!("{json}\n{gh}")
        );
    }
}

#[test]
fn all_problems_of_all_files_are_reported_in_one_run() {
    let files = exam_files("fixtures/invalid");
    let count = |args: &[&str]| {
        let o = run(args);
        assert_eq!(o.status.code(), Some(1));
        json_diags(&o).len()
    };
    let one_by_one: usize = files
        .iter()
        .map(|f| count(&["validate", "--message-format", "json", f]))
        .sum();
    let mut args = vec!["validate", "--message-format", "json"];
    args.extend(files.iter().map(String::as_str));
    assert_eq!(
        count(&args),
        one_by_one,
        "a multi-file run reports every problem of every file"
    );
}

#[test]
fn warning_fixtures_pass_but_fail_with_deny_warnings() {
    let files = exam_files("fixtures/warnings");
    assert!(!files.is_empty());
    for file in files {
        let o = run(&["validate", &file]);
        assert!(o.status.success(), "{file}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(
            err.contains("warning[") && !err.contains("error["),
            "{file}: {err}"
        );
        insta::assert_snapshot!(format!("warnings_{}", name_of(&file)), err);
        assert_eq!(
            run(&["validate", &file, "--deny-warnings"]).status.code(),
            Some(1)
        );
    }
}

#[test]
fn deny_warnings_turns_warnings_into_failure() {
    let dir = tempfile::tempdir().unwrap();
    let exam = dir.path().join("w.yaml");
    std::fs::write(
        &exam,
        "exam: { id: w }\nseb:\n  startURL: https://x.example\n  quitPassword: literal-pw\n",
    )
    .unwrap();
    let o = run(&["validate", exam.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("warning[literal-secret]"));
    assert!(
        !stderr(&o).contains("literal-pw"),
        "the literal secret is not echoed"
    );
    let o = run(&["validate", exam.to_str().unwrap(), "--deny-warnings"]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(run(&["compile"]).status.code(), Some(2));
    assert_eq!(
        run(&["validate", "x.yaml", "--message-format", "xml"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(run(&["frobnicate"]).status.code(), Some(2));
}
