//! The `sebc-validate` hook of `.pre-commit-hooks.yaml`, run by pre-commit itself (`pre-commit
//! try-repo`, which builds sebc with `cargo install --path .` as it would for a user) on a scratch exam
//! repository: it passes on a valid exam folder and fails, naming file, line and setting, on a mistake.
//!
//! Skipped (with the reason printed) when pre-commit or the network is unavailable, unless
//! `SEBC_REQUIRE_PRECOMMIT=1` (scripts/test.sh sets it after installing pre-commit), where that fails.
//! The build is bounded: cargo builds into `target/pre-commit` (kept between runs, so only sebc itself is
//! rebuilt) with the release profile's optimisation switched off.

mod common;
use common::*;
use std::path::Path;
use std::process::{Command, Output};

fn required() -> bool {
    std::env::var_os("SEBC_REQUIRE_PRECOMMIT").is_some_and(|v| v == "1")
}

/// Skips (or, when required, fails) with a reason.
fn unavailable(reason: &str) {
    assert!(!required(), "{reason} (SEBC_REQUIRE_PRECOMMIT=1)");
    eprintln!("SKIPPED: {reason}; install it with `python3 -m pip install pre-commit`");
}

fn git(dir: &Path, args: &[&str]) {
    let o = Command::new("git")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("git runs");
    assert!(o.status.success(), "git {args:?}: {}", stderr(&o));
}

/// `pre-commit try-repo <this repository> sebc-validate --all-files` in `repo`.
fn try_repo(repo: &Path, home: &Path) -> Output {
    let mut c = Command::new("pre-commit");
    c.current_dir(repo)
        .args([
            "try-repo",
            root().to_str().unwrap(),
            "sebc-validate",
            "--all-files",
            "--verbose",
        ])
        .env("PRE_COMMIT_HOME", home)
        .env("CARGO_TARGET_DIR", root().join("target/pre-commit"))
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
        .env("CARGO_PROFILE_RELEASE_DEBUG", "false")
        .env("CARGO_PROFILE_RELEASE_INCREMENTAL", "false")
        .env(
            "CARGO_BUILD_JOBS",
            std::env::var("CARGO_BUILD_JOBS").unwrap_or("1".into()),
        )
        .env("SEBC_FIXTURE_QUIT_PASSWORD", "demo");
    c.output().expect("pre-commit runs")
}

#[test]
fn the_sebc_validate_hook_passes_good_exams_and_fails_on_a_mistake() {
    match Command::new("pre-commit").arg("--version").output() {
        Ok(o) if o.status.success() => {}
        _ => return unavailable("pre-commit is not installed"),
    }
    let dir = tempfile::tempdir().unwrap();
    let (repo, home) = (
        dir.path().join("exams-repo"),
        dir.path().join("pre-commit-home"),
    );
    write(&repo.join("exams/small.yaml"), SMALL_EXAM);
    write(
        &repo.join("exams/lockdown.yaml"),
        &String::from_utf8(read(root().join("fixtures/valid/lockdown-basic.yaml"))).unwrap(),
    );
    write(&repo.join("README.md"), "exams\n");
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "."]);

    let o = try_repo(&repo, &home);
    let log = format!("{}{}", stdout(&o), stderr(&o));
    if !o.status.success()
        && (log.contains("Could not resolve host") || log.contains("failed to get"))
    {
        return unavailable(&format!(
            "the network is unavailable to cargo install:\n{log}"
        ));
    }
    assert!(o.status.success(), "{log}");
    assert!(
        log.contains("sebc validate") && log.contains("Passed"),
        "{log}"
    );
    assert!(log.contains("2 exam(s) checked, 0 error(s)"), "{log}");

    // A typo in a staged exam file fails the hook with sebc's diagnostic.
    write(
        &repo.join("exams/small.yaml"),
        &SMALL_EXAM.replace("startURL", "startUrl"),
    );
    git(&repo, &["add", "."]);
    let o = try_repo(&repo, &home);
    let log = format!("{}{}", stdout(&o), stderr(&o));
    assert_eq!(o.status.code(), Some(1), "{log}");
    assert!(log.contains("Failed"), "{log}");
    assert!(log.contains("error[unknown-setting]"), "{log}");
    assert!(log.contains("--> exams/small.yaml:2:"), "{log}");
}
