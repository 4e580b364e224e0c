//! Bases that are someone else's files: every real `.seb`/plist (the external vectors and the fixtures)
//! is a base of a minimal exam with no error; what a base brings that clients disagree on is a warning
//! the exam settles; plist bases are validated at their `<key>` lines; encrypted bases open with the
//! password in `extends`. Every hint these diagnostics print is followed here, and the problem is gone.

mod common;
use common::*;
use std::path::{Path, PathBuf};
use std::process::Output;

/// Writes `exam.yaml` into `dir` and runs `sebc validate` on it with `env`.
fn validate_exam(dir: &Path, yaml: &str, env: &[(&str, &str)], extra: &[&str]) -> Output {
    let exam = dir.join("exam.yaml");
    std::fs::write(&exam, yaml).unwrap();
    let mut c = sebc();
    c.arg("validate").arg(&exam).args(extra);
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

/// The diagnostic codes and severities of a `--message-format json` run.
fn codes(o: &Output) -> Vec<(String, String)> {
    json_diags(o)
        .into_iter()
        .map(|d| {
            (
                d["severity"].as_str().unwrap_or("").to_string(),
                d["code"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_under(&path, out);
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| matches!(e, "seb" | "plist" | "xml"))
        {
            out.push(path);
        }
    }
}

/// What opens a vector, as the vectors README documents it (`None`: certificate-encrypted, which
/// sebc does not open as a base).
fn opener(name: &str) -> Option<&'static str> {
    Some(match name {
        "encrypted.seb" => ", password: { env: BASE_PW_TEST }",
        "importTest_123.seb" => ", password: { env: BASE_PW_123 }",
        "vector_pswd_v2.seb" | "vector_pswd_v3.seb" => ", password: { env: BASE_PW_1234 }",
        "vector_pwcc_admin.seb" => ", adminPassword: { env: BASE_ADMIN }",
        "encrypted-base.seb" => ", password: { env: BASE_PW_FIXTURE }",
        n if n.starts_with("vector_pkhs") || n.starts_with("vector_phsk") => return None,
        _ => "",
    })
}

const PASSWORDS: &[(&str, &str)] = &[
    ("BASE_PW_TEST", "test"),
    ("BASE_PW_123", "123"),
    ("BASE_PW_1234", "test1234"),
    ("BASE_ADMIN", "admin"),
    ("BASE_PW_FIXTURE", "base-secret"),
];

/// The one fixture whose mistakes are the point (`fixtures/invalid/base-with-mistakes.yaml`).
const INVALID_ON_PURPOSE: &str = "mistakes.plist";

#[test]
fn every_real_file_is_a_base_without_errors() {
    let mut files = Vec::new();
    files_under(&root().join("fixtures"), &mut files);
    if let Some(dir) = vectors_dir() {
        files_under(&dir, &mut files);
    }
    assert!(files.len() >= 8, "{files:?}");
    let dir = tempfile::tempdir().unwrap();
    let mut opened = 0;
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy();
        let path = file.to_string_lossy().replace('\\', "/");
        let Some(open) = opener(&name) else {
            // Certificate-encrypted: refused with a hint naming the way that works.
            let o = validate_exam(
                dir.path(),
                &format!("exam: {{ id: v }}\nextends:\n  - \"{path}\"\n"),
                &[],
                &[],
            );
            assert_eq!(o.status.code(), Some(1), "{path}");
            assert!(stderr(&o).contains("--key PEM"), "{path}: {}", stderr(&o));
            continue;
        };
        let yaml = format!("exam: {{ id: v }}\nextends:\n  - {{ path: \"{path}\"{open} }}\n");
        let o = validate_exam(dir.path(), &yaml, PASSWORDS, &["--message-format", "json"]);
        let errors: Vec<_> = codes(&o)
            .into_iter()
            .filter(|(s, _)| s == "error")
            .collect();
        if name == INVALID_ON_PURPOSE {
            assert_eq!(errors.len(), 4, "{}", stderr(&o));
            continue;
        }
        assert!(
            o.status.success() && errors.is_empty(),
            "{path}: {errors:?}\n{}",
            stderr(&o)
        );
        opened += 1;
    }
    assert!(opened >= 8, "{opened}");
}

#[test]
fn a_case_duplicate_in_a_base_warns_naming_the_clients_and_the_exam_settles_it() {
    let o = run(&["validate", "fixtures/warnings/base-case-duplicate.yaml"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("warning[config-key-divergence]"), "{err}");
    assert!(
        err.contains("read `allowWlan`") && err.contains("no SEB client reads `allowWLAN`"),
        "names which spelling each client reads: {err}"
    );
    assert!(err.contains("seb-server-export.plist:9:2"), "{err}");
    // The hint: `allowWLAN: null` under `seb:` drops it.
    let dir = tempfile::tempdir().unwrap();
    let base = root().join("fixtures/warnings/support/seb-server-export.plist");
    let exam = |seb: &str| {
        format!(
            "exam: {{ id: c }}\nextends: [\"{}\"]\nseb:\n  {seb}\n",
            base.to_string_lossy()
        )
    };
    let o = validate_exam(
        dir.path(),
        &exam("allowWLAN: null"),
        &[],
        &["--deny-warnings"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    // Or: set the spelling clients read, which replaces both.
    let o = validate_exam(
        dir.path(),
        &exam("allowWlan: false"),
        &[],
        &["--deny-warnings"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = dir.path().join("out");
    let o = sebc()
        .args(["compile", "--minimal", "--format", "plist", "-o"])
        .arg(&out)
        .arg(dir.path().join("exam.yaml"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let xml = std::fs::read_to_string(out.join("c.plist")).unwrap();
    assert!(
        xml.contains("<key>allowWlan</key>\n\t<false/>") && !xml.contains("allowWLAN"),
        "{xml}"
    );
}

#[test]
fn a_date_in_a_base_is_carried_through_with_a_warning_the_exam_can_settle() {
    let o = run(&["validate", "fixtures/warnings/base-date.yaml"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    for rendering in [
        "2024-05-06T07:08:09.0000000Z",
        "2024-05-06 07:08:09 +0000",
        "\"2024-05-06T07:08:09+00:00\"",
    ] {
        assert!(err.contains(rendering), "{rendering}: {err}");
    }
    let out = tempfile::tempdir().unwrap();
    let o = run(&[
        "compile",
        "fixtures/warnings/base-date.yaml",
        "--minimal",
        "--format",
        "plist",
        "-o",
        out.path().to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let xml = std::fs::read_to_string(out.path().join("base-date.plist")).unwrap();
    assert!(xml.contains("<date>2024-05-06T07:08:09Z</date>"), "{xml}");
    // The hint: `exportedAt: null` drops it; the settled fixture does that for both bases.
    let o = run(&[
        "validate",
        "fixtures/valid/base-settled.yaml",
        "--deny-warnings",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn explain_shows_a_key_the_exam_removed() {
    let o = run(&[
        "validate",
        "fixtures/valid/base-settled.yaml",
        "--explain",
        "allowWLAN",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("allowWLAN is not set: removed by the exam at fixtures/valid/base-settled.yaml:10:14 (/seb/allowWLAN)"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn a_plist_base_is_validated_at_its_key_lines_and_each_hint_settles_it() {
    let o = run(&[
        "validate",
        "fixtures/invalid/base-with-mistakes.yaml",
        "--message-format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let found: Vec<(String, String, String, u64)> = json_diags(&o)
        .into_iter()
        .map(|d| {
            (
                d["severity"].as_str().unwrap().to_string(),
                d["code"].as_str().unwrap().to_string(),
                d["pointer"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
            )
        })
        .collect();
    let has = |sev: &str, code: &str, pointer: &str, line: u64| {
        assert!(
            found.contains(&(sev.into(), code.into(), pointer.into(), line)),
            "{sev} {code} {pointer}:{line} in {found:?}"
        )
    };
    has("error", "wrong-type", "/allowQuit", 4);
    has("error", "not-allowed", "/browserViewMode", 6);
    has("error", "wrong-type", "/URLFilterRules/0/action", 13);
    has(
        "warning",
        "unknown-column",
        "/URLFilterRules/0/expresion",
        17,
    );
    // The hints: replace each key in the exam, or drop it with null.
    let dir = tempfile::tempdir().unwrap();
    let base = root().join("fixtures/invalid/support/mistakes.plist");
    let exam = |seb: &str| {
        format!(
            "exam: {{ id: m }}\nextends: [\"{}\"]\nseb:\n{seb}",
            base.to_string_lossy()
        )
    };
    let replaced = exam(
        "  allowQuit: true\n  browserViewMode: 1\n  URLFilterRules:\n    - { action: 1, expression: lms.example.org/* }\n",
    );
    let o = validate_exam(dir.path(), &replaced, &[], &["--deny-warnings"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let dropped = exam("  allowQuit: null\n  browserViewMode: null\n  URLFilterRules: null\n");
    let o = validate_exam(dir.path(), &dropped, &[], &["--deny-warnings"]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn an_encrypted_base_opens_with_the_password_its_hint_names() {
    let dir = tempfile::tempdir().unwrap();
    let base = root().join("fixtures/valid/support/encrypted-base.seb");
    let path = base.to_string_lossy();
    let o = validate_exam(
        dir.path(),
        &format!("exam: {{ id: e }}\nextends:\n  - \"{path}\"\n"),
        &[],
        &[],
    );
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    let hint = format!("- {{ path: {path}, password: {{ env: NAME }} }}");
    assert!(err.contains(&hint), "{err}");
    // Following it: the entry as the hint writes it, NAME set.
    let yaml = format!("exam: {{ id: e }}\nextends:\n  {hint}\n");
    let o = validate_exam(dir.path(), &yaml, &[], &[]);
    assert_eq!(o.status.code(), Some(1), "NAME not set yet");
    assert!(stderr(&o).contains("error[secret-unavailable]"));
    assert!(
        stderr(&o).contains("set the variable"),
        "the secret's own hint: {}",
        stderr(&o)
    );
    let o = validate_exam(dir.path(), &yaml, &[("NAME", "base-secret")], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    // The fixture gives it as a file; under --sandbox only the variable is accepted, as that hint says.
    let o = run(&[
        "validate",
        "fixtures/valid/base-encrypted.yaml",
        "--sandbox",
        "fixtures",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("error[sandbox-refused]"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("/extends/0/password"), "{}", stderr(&o));
    // A wrong password is refused.
    let o = validate_exam(dir.path(), &yaml, &[("NAME", "wrong")], &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("check the password"), "{}", stderr(&o));
}

#[test]
fn a_pwcc_base_opens_with_the_admin_password_its_hint_names() {
    let Some(vectors) = vectors_dir() else { return };
    let base = vectors.join("generated/vector_pwcc_admin.seb");
    let path = base.to_string_lossy();
    let dir = tempfile::tempdir().unwrap();
    let o = validate_exam(
        dir.path(),
        &format!("exam: {{ id: p }}\nextends:\n  - \"{path}\"\n"),
        &[],
        &[],
    );
    assert_eq!(o.status.code(), Some(1));
    let hint = format!("- {{ path: {path}, adminPassword: {{ env: NAME }} }}");
    assert!(stderr(&o).contains(&hint), "{}", stderr(&o));
    let yaml = format!("exam: {{ id: p }}\nextends:\n  {hint}\n");
    let o = validate_exam(dir.path(), &yaml, &[("NAME", "admin")], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn decode_of_a_pwcc_file_follows_its_hint() {
    let Some(vectors) = vectors_dir() else { return };
    let file = vectors.join("generated/vector_pwcc_admin.seb");
    let o = run(&["decode", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("--admin-password-env NAME"),
        "{}",
        stderr(&o)
    );
    let o = sebc()
        .args([
            "decode",
            file.to_str().unwrap(),
            "--admin-password-env",
            "NAME",
        ])
        .env("NAME", "admin")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("<plist"), "{}", stdout(&o));
}

#[test]
fn a_base_opened_with_a_password_is_not_handed_to_an_exam_without_one() {
    let dir = tempfile::tempdir().unwrap();
    let base = root().join("fixtures/valid/support/encrypted-base.seb");
    let path = base.to_string_lossy();
    let with = dir.path().join("with.yaml");
    let without = dir.path().join("without.yaml");
    std::fs::write(
        &with,
        format!(
            "exam: {{ id: a }}\nextends:\n  - {{ path: \"{path}\", password: {{ env: PW }} }}\n"
        ),
    )
    .unwrap();
    std::fs::write(
        &without,
        format!("exam: {{ id: b }}\nextends:\n  - \"{path}\"\n"),
    )
    .unwrap();
    let o = sebc()
        .arg("validate")
        .arg(&with)
        .arg(&without)
        .env("PW", "base-secret")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stderr(&o).matches("error[").count(), 1, "{}", stderr(&o));
    assert!(stderr(&o).contains("without.yaml"), "{}", stderr(&o));
}

#[test]
fn under_sandbox_a_base_password_comes_from_the_environment_as_the_hint_says() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        root().join("fixtures/valid/support/encrypted-base.seb"),
        dir.path().join("base.seb"),
    )
    .unwrap();
    std::fs::write(dir.path().join("pw.txt"), "base-secret\n").unwrap();
    let sandbox = ["--sandbox", dir.path().to_str().unwrap()];
    let from_file =
        "exam: { id: s }\nextends:\n  - { path: base.seb, password: { file: pw.txt } }\n";
    let o = validate_exam(dir.path(), from_file, &[], &sandbox);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("error[sandbox-refused]"),
        "{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains("write `{ env: NAME }`"),
        "{}",
        stderr(&o)
    );
    // Without the sandbox the file is read; with it, the variable the hint names is.
    assert!(
        validate_exam(dir.path(), from_file, &[], &[])
            .status
            .success()
    );
    let from_env = "exam: { id: s }\nextends:\n  - { path: base.seb, password: { env: NAME } }\n";
    let o = validate_exam(dir.path(), from_env, &[("NAME", "base-secret")], &sandbox);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn a_literal_base_password_warns_and_is_never_echoed() {
    let dir = tempfile::tempdir().unwrap();
    let base = root().join("fixtures/valid/support/encrypted-base.seb");
    let yaml = format!(
        "exam: {{ id: l }}\nextends:\n  - {{ path: \"{}\", password: base-secret }}\n",
        base.to_string_lossy()
    );
    let o = validate_exam(dir.path(), &yaml, &[], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("warning[literal-secret]"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("/extends/0/password"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("base-secret"), "{}", stderr(&o));
}

#[test]
fn other_divergences_a_base_brings_are_settled_as_their_hints_say() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("base.plist"),
        "<?xml version=\"1.0\"?>\n<plist version=\"1.0\">\n<dict>\n\t<key>sebAllowedVersions</key>\n\t<array>\n\t\t<string></string>\n\t\t<string></string>\n\t</array>\n\t<key>testEmptyDictionary</key>\n\t<dict/>\n</dict>\n</plist>\n",
    )
    .unwrap();
    let exam = |seb: &str| format!("exam: {{ id: o }}\nextends: [base.plist]\nseb:\n{seb}");
    let o = validate_exam(dir.path(), &exam("  {}\n"), &[], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert_eq!(
        err.matches("warning[config-key-divergence]").count(),
        2,
        "{err}"
    );
    assert!(
        err.contains("base.plist:4:2") && err.contains("base.plist:9:2"),
        "{err}"
    );
    assert!(
        err.contains("set `sebAllowedVersions` under `seb:`"),
        "{err}"
    );
    assert!(err.contains("write `testEmptyDictionary: null`"), "{err}");
    let settled = exam("  sebAllowedVersions: [\"3.8\"]\n  testEmptyDictionary: null\n");
    let o = validate_exam(dir.path(), &settled, &[], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        !stderr(&o).contains("config-key-divergence") && !stderr(&o).contains("unknown-setting"),
        "{}",
        stderr(&o)
    );
}

/// A certificate-encrypted base is refused with a command that decrypts it; following the hint word for
/// word (with the identity's key, converted from the vectors' UnitTestCert.pfx by openssl) makes the exam
/// valid, and the plist it writes has the settings of the encrypted file.
#[test]
fn a_certificate_encrypted_base_follows_its_hint() {
    let Some(vectors) = vectors_dir() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let pem = unit_test_key(&vectors, tmp.path())
        .unwrap_or_else(|| panic!("openssl converts UnitTestCert.pfx (the vectors need it)"));
    let encrypted = vectors.join("generated/vector_pkhs_plnd.seb");
    let yaml = format!(
        "exam: {{ id: p }}\nextends:\n  - \"{}\"\n",
        encrypted.display()
    );
    let o = validate_exam(tmp.path(), &yaml, &[], &[]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    let command = err
        .split('`')
        .find(|part| part.starts_with("sebc decode "))
        .unwrap_or_else(|| panic!("no decode command in the hint: {err}"));
    assert!(command.ends_with("--key PEM > base.plist"), "{command}");
    let command = command
        .replacen("sebc", env!("CARGO_BIN_EXE_sebc"), 1)
        .replace("PEM", &pem.to_string_lossy());
    // The hint's path is the one the diagnostic shows, relative to where sebc ran.
    let o = std::process::Command::new("sh")
        .args([
            "-c",
            &format!("{command} && mv base.plist '{}'", tmp.path().display()),
        ])
        .current_dir(root())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let o = validate_exam(
        tmp.path(),
        "exam: { id: p }\nextends:\n  - base.plist\n",
        &[],
        &[],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let key = |args: &[&str]| stdout(&run(args));
    assert_eq!(
        key(&[
            "config-key",
            tmp.path().join("base.plist").to_str().unwrap()
        ]),
        key(&[
            "config-key",
            encrypted.to_str().unwrap(),
            "--key",
            pem.to_str().unwrap()
        ]),
    );
}
