//! No secret reaches an output file, stdout, stderr or a snapshot: every fixture is compiled in every
//! format and validated in every message format, and every byte produced is scanned for each fixture
//! secret (and for the secret read from a file).

mod common;
use common::*;

fn all_secrets() -> Vec<&'static str> {
    SECRETS
        .iter()
        .map(|(_, v)| *v)
        .chain(std::iter::once(FILE_SECRET))
        .collect()
}

fn assert_clean(what: &str, bytes: &[u8]) {
    for secret in all_secrets() {
        let found = bytes.windows(secret.len()).any(|w| w == secret.as_bytes());
        assert!(!found, "secret {secret:?} leaked into {what}");
    }
}

#[test]
fn no_secret_in_outputs_stdout_or_stderr() {
    let mut exams = exam_files("fixtures/valid");
    exams.extend(exam_files("fixtures/invalid"));
    exams.extend(exam_files("fixtures/warnings"));
    let out = tempfile::tempdir().unwrap();
    let o = out.path().to_str().unwrap();
    let mut runs = Vec::new();
    for exam in &exams {
        for args in [
            vec!["compile", exam, "-o", o, "--format", "plist"],
            vec!["compile", exam, "-o", o, "--format", "seb", "--per-room"],
            vec!["compile", exam, "-o", o, "--format", "seb", "--raw-xml"],
            vec![
                "compile",
                exam,
                "-o",
                o,
                "--plist-style",
                "compact",
                "--format",
                "plist",
            ],
            vec!["validate", exam, "--message-format", "json"],
            vec!["validate", exam, "--message-format", "github"],
            vec!["validate", exam, "--explain", "hashedQuitPassword"],
        ] {
            runs.push(run(&args));
        }
    }
    for (i, r) in runs.iter().enumerate() {
        assert_clean(&format!("stdout of run {i}"), &r.stdout);
        assert_clean(&format!("stderr of run {i}"), &r.stderr);
    }
    let mut files = 0;
    for entry in std::fs::read_dir(out.path()).unwrap() {
        let path = entry.unwrap().path();
        assert_clean(&path.display().to_string(), &read(&path));
        // Unencrypted containers: scan the decompressed XML too.
        if let Ok((xml, _)) = seb_format::container::decode(&read(&path), &Default::default()) {
            assert_clean(&format!("{} (decoded)", path.display()), &xml);
        }
        files += 1;
    }
    assert!(files >= 6, "outputs were written ({files})");
}

#[test]
fn no_secret_in_snapshots_or_committed_files() {
    for dir in [
        "tests/snapshots",
        "schemas",
        "fixtures/valid",
        "fixtures/invalid",
    ] {
        for entry in std::fs::read_dir(root().join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() {
                assert_clean(&path.display().to_string(), &read(&path));
            }
        }
    }
}

#[test]
fn wrong_type_for_a_secret_does_not_echo_it() {
    let dir = tempfile::tempdir().unwrap();
    let exam = dir.path().join("e.yaml");
    std::fs::write(
        &exam,
        "exam: { id: e }\nseb: { startURL: 'https://x.example' }\nservice:\n  enableProctoring: true\n  serverType: JITSI_MEET\n  serverURL: https://meet.example.org\n  appKey: k\n  appSecret: [quit-Fx7Qz19-secret]\n",
    )
    .unwrap();
    for format in ["human", "json", "github"] {
        let o = run(&[
            "validate",
            exam.to_str().unwrap(),
            "--message-format",
            format,
        ]);
        assert_eq!(o.status.code(), Some(1));
        assert_clean("stderr", &o.stderr);
        assert_clean("stdout", &o.stdout);
    }
}

/// Secrets are resolved in one step after validation: every reference that cannot be read is reported
/// in the same run, each at its own line, and nothing is written.
#[test]
fn every_unavailable_secret_is_reported_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let exam = dir.path().join("exam.yaml");
    std::fs::write(
        &exam,
        "exam: { id: two-secrets }\n\
         seb:\n  quitPassword: { env: SEBC_TEST_UNSET_QUIT }\n\
         service:\n  enableProctoring: true\n  serverType: JITSI_MEET\n  serverURL: https://meet.example.org\n  appKey: k\n  appSecret: { file: missing-secret.txt }\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let o = run(&[
        "compile",
        exam.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert_eq!(err.matches("error[secret-unavailable]").count(), 2, "{err}");
    assert!(
        err.contains("environment variable `SEBC_TEST_UNSET_QUIT` is not set"),
        "{err}"
    );
    assert!(
        err.contains("cannot read secret file `missing-secret.txt`: no such file"),
        "{err}"
    );
    assert!(
        err.contains(":3:") && err.contains(":9:"),
        "each at its own line: {err}"
    );
    assert!(!out.exists(), "nothing is written");
}

/// A secret file that is a device or FIFO is refused without reading it (it would never end).
#[cfg(unix)]
#[test]
fn secret_files_must_be_regular_files() {
    let dir = tempfile::tempdir().unwrap();
    let exam = dir.path().join("exam.yaml");
    std::fs::write(
        &exam,
        "exam: { id: dev-zero }\nseb:\n  quitPassword: { file: /dev/zero }\n",
    )
    .unwrap();
    let o = run(&["validate", exam.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("cannot read secret file `/dev/zero`: not a regular file"),
        "{}",
        stderr(&o)
    );
    let pw = run(&[
        "compile",
        exam.to_str().unwrap(),
        "-o",
        dir.path().to_str().unwrap(),
        "--password-file",
        "/dev/zero",
    ]);
    assert_eq!(pw.status.code(), Some(2));
    assert!(
        stderr(&pw).contains("not a regular file"),
        "{}",
        stderr(&pw)
    );
}
