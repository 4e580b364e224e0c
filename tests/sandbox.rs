//! `--sandbox DIR` for untrusted exam folders: bases, exam files and walked links that resolve outside
//! DIR are refused at the entry, secret files and `--password-file` altogether; a normal exam passes.
//! Every input is generated in a temporary directory.

mod common;
use common::*;
use std::path::Path;

/// An untrusted folder `pr/` beside a file outside it.
fn sandbox_fixture(d: &Path) {
    write(&d.join("outside.yaml"), "seb: { allowQuit: true }\n");
    write(&d.join("pr/base.yaml"), "seb: { allowQuit: false }\n");
    write(
        &d.join("pr/good.yaml"),
        "exam: { id: good }\nextends: [base.yaml]\nseb:\n  quitPassword: { env: SEBC_FIXTURE_QUIT_PASSWORD }\n",
    );
    write(
        &d.join("pr/escape.yaml"),
        "exam: { id: escape }\nextends: [../outside.yaml]\n",
    );
    write(
        &d.join("pr/secret.yaml"),
        "exam: { id: secret }\nseb:\n  quitPassword: { file: pw.txt }\n",
    );
    write(&d.join("pr/pw.txt"), "hunter2\n");
    #[cfg(unix)]
    {
        write(
            &d.join("pr/linked.yaml"),
            "exam: { id: linked }\nextends: [sub/link.yaml]\n",
        );
        std::fs::create_dir_all(d.join("pr/sub")).unwrap();
        symlink("../../outside.yaml", &d.join("pr/sub/link.yaml"));
    }
}

#[test]
fn the_sandbox_refuses_bases_outside_it_and_secret_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    sandbox_fixture(d);
    let pr = d.join("pr");
    let validate = |file: &str, sandboxed: bool| {
        let exam = pr.join(file);
        let mut args = vec![
            "validate",
            exam.to_str().unwrap(),
            "--message-format",
            "json",
        ];
        if sandboxed {
            args.extend(["--sandbox", pr.to_str().unwrap()]);
        }
        run(&args)
    };
    let o = validate("good.yaml", true);
    assert_eq!(
        o.status.code(),
        Some(0),
        "a normal exam passes: {}",
        stderr(&o)
    );

    for (file, line_col) in [("escape.yaml", (2, 11)), ("linked.yaml", (2, 11))] {
        if cfg!(not(unix)) && file == "linked.yaml" {
            continue;
        }
        assert_eq!(
            validate(file, false).status.code(),
            Some(0),
            "{file} without --sandbox"
        );
        let o = validate(file, true);
        assert_eq!(o.status.code(), Some(1), "{file}: {}", stderr(&o));
        let diags = json_diags(&o);
        let escape = with_code(&diags, "sandbox-escape");
        assert_eq!(escape.len(), 1, "{file}: {}", stderr(&o));
        let e = escape[0];
        assert!(e["file"].as_str().unwrap().ends_with(file), "{e}");
        assert_eq!(
            (e["line"].as_u64(), e["col"].as_u64()),
            (Some(line_col.0), Some(line_col.1))
        );
        assert_eq!(e["pointer"], "/extends/0");
        let msg = e["message"].as_str().unwrap();
        assert!(msg.contains("outside.yaml, outside the sandbox"), "{msg}");
        assert!(
            e["hint"]
                .as_str()
                .unwrap()
                .contains("copy the base into the folder"),
            "{e}"
        );
    }

    assert_eq!(validate("secret.yaml", false).status.code(), Some(0));
    let o = validate("secret.yaml", true);
    assert_eq!(o.status.code(), Some(1));
    let diags = json_diags(&o);
    let refused = with_code(&diags, "sandbox-refused");
    assert_eq!(refused.len(), 1, "{}", stderr(&o));
    assert_eq!(refused[0]["pointer"], "/seb/quitPassword");
    assert_eq!(refused[0]["line"], 3);
    assert!(
        refused[0]["hint"]
            .as_str()
            .unwrap()
            .contains("{ env: NAME }")
    );
    assert!(!stderr(&o).contains("hunter2"));
}

#[test]
fn the_sandbox_refuses_password_files_and_inputs_outside_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    sandbox_fixture(d);
    let pr = d.join("pr");
    let (pr_s, out) = (pr.to_str().unwrap(), d.join("out"));
    let good = pr.join("good.yaml");
    let o = run(&[
        "compile",
        good.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--sandbox",
        pr_s,
        "--password-file",
        pr.join("pw.txt").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("--password-file is refused with --sandbox"),
        "{}",
        stderr(&o)
    );
    let o = run(&[
        "compile",
        good.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--sandbox",
        pr_s,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));

    // An exam file outside the sandbox, and the same for config-key.
    let outside = d.join("outside-exam.yaml");
    write(&outside, SMALL_EXAM);
    let o = run(&["validate", outside.to_str().unwrap(), "--sandbox", pr_s]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("error[sandbox-escape]: exam file"),
        "{}",
        stderr(&o)
    );
    let escape = pr.join("escape.yaml");
    let o = run(&["config-key", escape.to_str().unwrap(), "--sandbox", pr_s]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("error[sandbox-escape]: base `../outside.yaml`"));
    let plist = d.join("outside.plist");
    write(&plist, "<?xml version=\"1.0\"?><plist><dict/></plist>");
    let o = run(&["config-key", plist.to_str().unwrap(), "--sandbox", pr_s]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("error[sandbox-escape]"),
        "{}",
        stderr(&o)
    );
    assert!(
        run(&["config-key", plist.to_str().unwrap()])
            .status
            .success()
    );
    let o = run(&["config-key", good.to_str().unwrap(), "--sandbox", pr_s]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = run(&[
        "validate",
        good.to_str().unwrap(),
        "--sandbox",
        d.join("absent").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[cfg(unix)]
#[test]
fn a_sandboxed_walk_does_not_follow_links_out() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        &d.join("elsewhere/other.yaml"),
        &SMALL_EXAM.replace("small", "other"),
    );
    write(&d.join("pr/a.yaml"), &SMALL_EXAM.replace("small", "a"));
    symlink("../elsewhere", &d.join("pr/ext"));
    let pr = d.join("pr");
    let args = ["validate", pr.to_str().unwrap()];
    let o = run(&args);
    assert!(stderr(&o).contains("2 exam(s) checked"), "{}", stderr(&o));
    let o = run(&[&args[..], &["--sandbox", pr.to_str().unwrap()]].concat());
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("error[sandbox-escape]")
            && err.contains("pr/ext` resolves to")
            && err.contains("1 exam(s) checked"),
        "{err}"
    );
}
