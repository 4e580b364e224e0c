//! Many exams per run: directories and globs, templates skipped in directories, failures that do not
//! stop the others, deterministic duplicate ids, `--check` for stale outputs, the summary line.

mod common;
use common::*;

fn copy_fixture(dir: &std::path::Path, name: &str, contents: &str) {
    std::fs::write(dir.join(name), contents).unwrap();
}

fn exam(id: &str, url: &str) -> String {
    format!(
        "exam: {{ id: {id} }}\nseb:\n  startURL: {url}\n  allowQuit: true\noutput:\n  format: seb\n  encryption:\n    password: {{ env: SEBC_FIXTURE_EXAM_PASSWORD }}\n"
    )
}

#[test]
fn directories_are_walked_and_templates_in_them_skipped() {
    let out = tempfile::tempdir().unwrap();
    let o = run(&[
        "compile",
        "fixtures/valid",
        "fixtures/templates",
        "-o",
        out.path().to_str().unwrap(),
    ]);
    // The three syntaxes of one exam share an id: the later two are refused.
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o).matches("error[duplicate-exam-id]").count(),
        2,
        "{}",
        stderr(&o)
    );
    let ids: std::collections::BTreeSet<String> = stdout(&o)
        .lines()
        .map(|l| l.split('\t').next().unwrap().to_string())
        .collect();
    // every exam at the top of fixtures/valid, plus the three syntaxes of one exam in a subdirectory: a
    // duplicate id, reported, not overwritten
    let top_level = exam_files("fixtures/valid").len();
    assert!(
        ids.contains("math-101-final")
            && ids.contains("phys-120-quiz")
            && ids.len() == top_level + 1,
        "{ids:?}"
    );
    // The template is not compiled on its own: no error is reported at it (a warning about a setting it
    // gives the exams, such as `client-ignored`, may point there).
    let err = stderr(&o);
    let lines: Vec<&str> = err.lines().collect();
    assert!(
        !lines
            .windows(2)
            .any(|w| w[0].starts_with("error[") && w[1].contains("institution-base")),
        "the template is not compiled on its own: {err}"
    );
}

#[test]
fn glob_patterns_expand() {
    let out = tempfile::tempdir().unwrap();
    let o = run(&[
        "compile",
        "fixtures/valid/*.yaml",
        "-o",
        out.path().to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let yaml = exam_files("fixtures/valid")
        .iter()
        .filter(|f| f.ends_with(".yaml"))
        .count();
    assert_eq!(stdout(&o).lines().count(), yaml, "{}", stdout(&o));
    let none = run(&[
        "compile",
        "fixtures/valid/*.nothing",
        "-o",
        out.path().to_str().unwrap(),
    ]);
    assert_eq!(none.status.code(), Some(1));
    assert!(stderr(&none).contains("no file matches"));
}

#[test]
fn one_failing_exam_does_not_stop_the_others_and_duplicates_are_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..40 {
        copy_fixture(
            dir.path(),
            &format!("e{i:02}.yaml"),
            &exam(&format!("e{i:02}"), "https://lms.example.org/"),
        );
    }
    copy_fixture(
        dir.path(),
        "e40-broken.yaml",
        "exam: { id: broken }\nseb:\n  alowQuit: true\n",
    );
    copy_fixture(
        dir.path(),
        "e41-dup.yaml",
        &exam("e07", "https://other.example.org/"),
    );
    for jobs in ["1", "2", "2"] {
        let out = tempfile::tempdir().unwrap();
        let o = run(&[
            "compile",
            dir.path().to_str().unwrap(),
            "-o",
            out.path().to_str().unwrap(),
            "-j",
            jobs,
        ]);
        assert_eq!(o.status.code(), Some(1));
        let err = stderr(&o);
        assert!(err.contains("unknown SEB setting `alowQuit`"), "{err}");
        assert!(
            err.contains("exam id `e07` is also used by") && err.contains("e41-dup.yaml:1:"),
            "the later file is blamed: {err}"
        );
        assert!(
            err.contains("42 exam(s), 40 configuration(s) written, 2 error(s), 0 warning(s) in "),
            "{err}"
        );
        assert_eq!(stdout(&o).lines().count(), 40);
        // e07 is the first file's, not the duplicate's.
        let keys = seb_format::container::Keys {
            password: Some(SECRETS[7].1.as_bytes()),
            ..Default::default()
        };
        let (xml, _) =
            seb_format::container::decode(&read(out.path().join("e07.seb")), &keys).unwrap();
        assert!(
            String::from_utf8(xml)
                .unwrap()
                .contains("https://lms.example.org/")
        );
    }
}

#[test]
fn check_finds_stale_and_missing_outputs_but_not_new_salts() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    copy_fixture(
        dir.path(),
        "a.yaml",
        &exam("a", "https://lms.example.org/a"),
    );
    copy_fixture(
        dir.path(),
        "b.yaml",
        &exam("b", "https://lms.example.org/b"),
    );
    let src = dir.path().to_str().unwrap().to_string();
    let out_s = out.to_str().unwrap().to_string();
    assert!(run(&["compile", &src, "-o", &out_s]).status.success());
    // Up to date, although encrypting again would give other salts and IVs.
    let o = run(&["compile", &src, "--check", &out_s]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("2 configuration(s) checked"));
    // An edited source: stale, with the settings that differ.
    copy_fixture(
        dir.path(),
        "a.yaml",
        &exam("a", "https://lms.example.org/changed"),
    );
    std::fs::remove_file(out.join("b.seb")).unwrap();
    let o = run(&["compile", &src, "--check", &out_s]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("error[stale-output]")
            && err.contains("a.seb is out of date")
            && err.contains("`startURL`"),
        "{err}"
    );
    assert!(err.contains("b.seb is missing"), "{err}");
    assert!(!out.join("b.seb").exists(), "--check writes nothing");
}

/// One file named several ways (as given, with `./`, by a glob, inside a walked directory) is one exam:
/// checked once, and no duplicate-id error against itself.
#[test]
fn a_file_named_several_ways_is_one_exam() {
    let dir = tempfile::tempdir().unwrap();
    let exam = dir.path().join("one.yaml");
    std::fs::write(&exam, "exam: { id: one }\n").unwrap();
    let d = dir.path().to_str().unwrap();
    let o = common::sebc()
        .current_dir(dir.path())
        .args(["validate", "one.yaml", "./one.yaml", "o*.yaml", d])
        .arg(&exam)
        .output()
        .unwrap();
    let err = common::stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("1 exam(s) checked"), "{err}");
}
