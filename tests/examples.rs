//! The CI recipes in `examples/` work as written: both workflow files are parsed as YAML and every
//! shell command they run (GitHub's `run:`, GitLab's `before_script:`/`script:`) is run with bash, in
//! order, in a scratch exam repository made of the bundled valid fixtures (`exams/`) and their committed
//! outputs (`seb/`), with the built `sebc` first on PATH. Only the step installing sebc
//! (`cargo install …`) is left out. With fresh outputs every command succeeds; after an exam changes,
//! the `--check` command fails naming the stale file; an invalid exam fails validation with annotations.

mod common;
use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The shell commands of a workflow file, in order: GitHub `jobs.*.steps[*].run`, GitLab
/// `<job>.before_script` and `<job>.script`.
fn commands(file: &str) -> Vec<String> {
    let text = String::from_utf8(read(root().join("examples").join(file))).unwrap();
    let doc: Value = serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
    let mut out = Vec::new();
    if let Some(jobs) = doc.get("jobs").and_then(Value::as_object) {
        for job in jobs.values() {
            for step in job["steps"].as_array().expect("steps") {
                if let Some(run) = step.get("run").and_then(Value::as_str) {
                    out.push(run.to_string());
                }
            }
        }
    } else {
        for job in doc.as_object().expect("a mapping").values() {
            for key in ["before_script", "script"] {
                for line in job.get(key).and_then(Value::as_array).into_iter().flatten() {
                    out.push(line.as_str().expect("a command").to_string());
                }
            }
        }
    }
    assert!(!out.is_empty(), "{file}: no commands");
    out
}

/// A scratch exam repository: the valid fixtures as `exams/`, with the folders they reach (`../secrets`,
/// `../templates`, `../warnings/support`) beside it.
fn exam_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (from, to) in [
        ("fixtures/valid", "exams"),
        ("fixtures/secrets", "secrets"),
        ("fixtures/templates", "templates"),
        ("fixtures/warnings/support", "warnings/support"),
    ] {
        copy_dir(&root().join(from), &dir.path().join(to));
    }
    // One of the three spellings of the same exam (one id, one output).
    for other in ["phys-120.json", "phys-120.toml"] {
        std::fs::remove_file(dir.path().join("exams/same-in-three-syntaxes").join(other)).unwrap();
    }
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Runs one command with bash in `repo`, `sebc` on PATH and the fixtures' secrets set.
fn bash(repo: &Path, command: &str) -> std::process::Output {
    let bin: PathBuf = Path::new(env!("CARGO_BIN_EXE_sebc"))
        .parent()
        .unwrap()
        .into();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut c = std::process::Command::new("bash");
    c.current_dir(repo)
        .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", command])
        .env("PATH", path)
        .env("SOURCE_DATE_EPOCH", NOW.to_string());
    for (k, v) in SECRETS {
        c.env(k, v);
    }
    c.output().unwrap()
}

/// Runs every command but the installation; returns the first failing one with its output.
fn run_all(repo: &Path, file: &str) -> Result<(), (String, String)> {
    for command in commands(file) {
        if command.trim_start().starts_with("cargo install") {
            continue;
        }
        let o = bash(repo, &command);
        if !o.status.success() {
            return Err((command, format!("{}{}", stdout(&o), stderr(&o))));
        }
    }
    Ok(())
}

#[test]
fn both_workflows_install_validate_compile_and_check() {
    for file in ["github-actions.yml", "gitlab-ci.yml"] {
        let commands = commands(file).join("\n");
        assert!(commands.contains("cargo install --locked"), "{file}");
        assert!(commands.contains("sebc validate exams/"), "{file}");
        assert!(commands.contains("sebc compile exams/ -o out/"), "{file}");
        assert!(
            commands.contains("sebc compile exams/ --check seb/"),
            "{file}"
        );
    }
    assert!(
        commands("github-actions.yml")
            .join("\n")
            .contains("--message-format github")
    );
    // GitHub keeps out/ as an artifact; GitLab too.
    let gh = String::from_utf8(read(root().join("examples/github-actions.yml"))).unwrap();
    assert!(gh.contains("actions/upload-artifact") && gh.contains("path: out/"));
    let gl: Value = serde_saphyr::from_str(
        &String::from_utf8(read(root().join("examples/gitlab-ci.yml"))).unwrap(),
    )
    .unwrap();
    assert_eq!(gl["exams"]["artifacts"]["paths"][0], "out/");
}

#[test]
fn the_workflow_commands_pass_on_fresh_outputs_and_fail_on_stale_ones() {
    for file in ["github-actions.yml", "gitlab-ci.yml"] {
        let repo = exam_repo();
        let r = repo.path();
        // The author compiled and committed the outputs.
        let o = bash(r, "sebc compile exams/ -o seb/ --quiet");
        assert!(o.status.success(), "{}", stderr(&o));
        run_all(r, file).unwrap_or_else(|(c, log)| panic!("{file}: `{c}` failed:\n{log}"));
        assert!(
            r.join("out/math-101-final.server.json").is_file(),
            "{file}: outputs kept"
        );

        // An exam changes without recompiling: the check fails, naming the stale file.
        let exam = r.join("exams/lockdown-basic.yaml");
        let text = String::from_utf8(read(&exam)).unwrap();
        std::fs::write(&exam, text.replace("allowPrint: false", "allowPrint: true")).unwrap();
        let (command, log) = run_all(r, file).expect_err("stale outputs fail the pipeline");
        assert!(command.contains("--check seb/"), "{file}: {command}");
        assert!(
            log.contains("stale-output") && log.contains("hist-201-midterm.plist is out of date"),
            "{file}: {log}"
        );
        assert!(log.contains("`allowPrint`"), "{file}: {log}");
    }
}

#[test]
fn an_invalid_exam_fails_validation_with_github_annotations() {
    let repo = exam_repo();
    let r = repo.path();
    std::fs::copy(
        root().join("fixtures/invalid/typo-in-setting.yaml"),
        r.join("exams/typo-in-setting.yaml"),
    )
    .unwrap();
    let o = bash(r, "sebc compile exams/ -o seb/ --quiet");
    assert_eq!(o.status.code(), Some(1));
    let (command, log) = run_all(r, "github-actions.yml").expect_err("the typo fails");
    assert!(command.starts_with("sebc validate"), "{command}");
    assert!(
        log.lines()
            .any(|l| l.starts_with("::error file=exams/typo-in-setting.yaml,line=6,col=3,")),
        "{log}"
    );
    let (command, log) = run_all(r, "gitlab-ci.yml").expect_err("the typo fails");
    assert_eq!(command, "sebc validate exams/");
    assert!(log.contains("error[unknown-setting]"), "{log}");
    let report = String::from_utf8(read(r.join("sebc-diagnostics.jsonl"))).unwrap();
    let diags: Vec<Value> = report
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(
        diags
            .iter()
            .any(|d| d["code"] == "unknown-setting" && d["file"] == "exams/typo-in-setting.yaml"),
        "{report}"
    );
}
