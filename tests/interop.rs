//! Interop: sebc's `.seb` files (plnd, pswd, pwcc) opened by an independent decoder written with
//! Python's `cryptography` and `plistlib` (tests/interop/seb_oracle.py); the settings must equal the
//! plist sebc writes for the same exam. `.ci/run` installs the Python package and sets
//! SEBC_REQUIRE_INTEROP=1, so there a missing oracle is a failure, not a skip.

mod common;
use common::*;
use std::process::Command;

fn oracle_available() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import cryptography, plistlib"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var_os("SEBC_REQUIRE_INTEROP").is_none(),
            "python3 with `cryptography` is required (SEBC_REQUIRE_INTEROP is set)"
        );
        eprintln!("SKIPPED: python3 with `cryptography` not available (pip install cryptography)");
    }
    ok
}

#[test]
fn independent_decoder_opens_every_container_sebc_writes() {
    if !oracle_available() {
        return;
    }
    let out = tempfile::tempdir().unwrap();
    let dir = |n: &str| out.path().join(n).to_str().unwrap().to_string();
    for exam in exam_files("fixtures/valid") {
        let reference = run(&["compile", &exam, "-o", &dir("plist"), "--format", "plist"]);
        assert!(reference.status.success(), "{}", stderr(&reference));
        let id = stdout(&reference).split('\t').next().unwrap().to_string();
        let plist = format!("{}/{id}.plist", dir("plist"));
        let cases: &[(&str, &[&str], &[&str])] = &[
            (
                "as-configured",
                &["--format", "seb"],
                &["--password", "SEBC_FIXTURE_EXAM_PASSWORD"],
            ),
            (
                "raw-xml",
                &["--format", "seb", "--raw-xml"],
                &["--password", "SEBC_FIXTURE_EXAM_PASSWORD"],
            ),
            (
                "pswd",
                &[
                    "--format",
                    "seb",
                    "--password-env",
                    "SEBC_FIXTURE_EXAM_PASSWORD",
                ],
                &["--password", "SEBC_FIXTURE_EXAM_PASSWORD"],
            ),
        ];
        for (name, compile_args, oracle_args) in cases {
            let mut args = vec!["compile", exam.as_str(), "-o"];
            let d = dir(name);
            args.push(&d);
            args.extend_from_slice(compile_args);
            let o = run(&args);
            assert!(o.status.success(), "{exam} {name}: {}", stderr(&o));
            let seb = format!("{d}/{id}.seb");
            if *name == "pswd" {
                assert_eq!(&read(&seb)[..3], b"\x1f\x8b\x08", "outer gzip");
            }
            let check = Command::new("python3")
                .arg(root().join("tests/interop/seb_oracle.py"))
                .args([&seb, &plist])
                .args(*oracle_args)
                .envs(SECRETS.iter().copied())
                .output()
                .unwrap();
            assert!(
                check.status.success(),
                "{exam} {name}: {}",
                String::from_utf8_lossy(&check.stderr)
            );
        }
    }
}

#[test]
fn independent_decoder_opens_pwcc_with_the_admin_password_hash() {
    if !oracle_available() {
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let exam = work.path().join("pwcc.yaml");
    std::fs::write(
        &exam,
        "exam: { id: pwcc-exam }\nseb:\n  startURL: https://lms.example.org/\n  adminPassword: { env: SEBC_FIXTURE_ADMIN_PASSWORD }\noutput:\n  format: seb\n  encryption: configuringClient\n",
    )
    .unwrap();
    let e = exam.to_str().unwrap();
    let out = work.path().join("out");
    let o = out.to_str().unwrap();
    assert!(run(&["compile", e, "-o", o]).status.success());
    assert!(
        run(&["compile", e, "-o", o, "--format", "plist"])
            .status
            .success()
    );
    let seb = out.join("pwcc-exam.seb");
    assert_eq!(
        &seb_format::container::decode(&read(&seb), &Default::default())
            .unwrap_err()
            .to_string()[..],
        "the file is encrypted with a password (`pwcc`)"
    );
    let check = Command::new("python3")
        .arg(root().join("tests/interop/seb_oracle.py"))
        .args([
            seb.to_str().unwrap(),
            out.join("pwcc-exam.plist").to_str().unwrap(),
            "--admin",
            "SEBC_FIXTURE_ADMIN_PASSWORD",
        ])
        .envs(SECRETS.iter().copied())
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
}
