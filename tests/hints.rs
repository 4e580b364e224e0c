//! Every hint, followed: each case makes sebc print a diagnostic, does what its hint says — taking the
//! literal text the hint offers (`serverType: JITSI_MEET`, `spsCollectingGroupName: CS 150 lab`, a
//! command to run) wherever it offers one — and checks that the diagnostic is gone. Hints tested
//! elsewhere by following them: `extends` passwords and `pwcc` (bases.rs), certificate bases (bases.rs),
//! client targets (clients.rs), the sandbox's link hint (sandbox.rs).

mod common;
use common::*;
use serde_json::Value;
use std::path::Path;

/// The diagnostics of `sebc ARGS --message-format json`, run in `dir` with `env` set.
fn diags(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Vec<Value> {
    let mut c = sebc();
    c.current_dir(dir)
        .args(args)
        .args(["--message-format", "json"]);
    for (k, v) in env {
        c.env(k, v);
    }
    json_diags(&c.output().expect("sebc runs"))
}

/// The hint of the one diagnostic with `code`, which must be there.
fn hint_of(found: &[Value], code: &str) -> String {
    let with: Vec<_> = with_code(found, code);
    assert!(!with.is_empty(), "no {code} in {found:#?}");
    with[0]["hint"].as_str().unwrap_or_default().to_string()
}

/// The text after `marker` in `hint`, up to the next `` ` `` or the end.
fn offered<'a>(hint: &'a str, marker: &str) -> &'a str {
    let start = hint
        .find(marker)
        .unwrap_or_else(|| panic!("`{marker}` not in the hint {hint:?}"))
        + marker.len();
    let rest = &hint[start..];
    rest.split(['`', ',', ')']).next().unwrap_or(rest).trim()
}

/// Writes `exam.yaml` with `text`, validates it, and returns the hint of `code`.
fn exam_hint(dir: &Path, text: &str, code: &str) -> String {
    write(&dir.join("exam.yaml"), text);
    hint_of(&diags(dir, &["validate", "exam.yaml"], &[]), code)
}

/// After the fix, `code` is gone, and so is every error but those `still` names (a fix that broke the
/// file would otherwise pass for one that worked).
fn gone_but(dir: &Path, text: &str, code: &str, env: &[(&str, &str)], still: &[&str]) {
    write(&dir.join("exam.yaml"), text);
    let found = diags(dir, &["validate", "exam.yaml"], env);
    assert!(
        with_code(&found, code).is_empty(),
        "{code} is still there: {found:#?}"
    );
    let errors: Vec<_> = found
        .iter()
        .filter(|d| d["severity"] == "error")
        .filter(|d| {
            !still
                .iter()
                .any(|s| d["code"].as_str().unwrap_or("").contains(s))
        })
        .collect();
    assert!(
        errors.is_empty(),
        "after following the hint for {code}: {errors:#?}"
    );
}

fn gone(dir: &Path, text: &str, code: &str, env: &[(&str, &str)]) {
    gone_but(dir, text, code, env, &[]);
}

#[test]
fn a_start_url_with_another_scheme_follows_write_https() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let hint = exam_hint(
        d,
        "exam: { id: a }\nseb: { startURL: \"ftp://lms.example.org/quiz\" }\n",
        "start-url-scheme",
    );
    let scheme = offered(&hint, "write ").trim_end_matches('…');
    assert_eq!(scheme, "https://");
    let fixed =
        format!("exam: {{ id: a }}\nseb: {{ startURL: \"{scheme}lms.example.org/quiz\" }}\n");
    gone(d, &fixed, "start-url-scheme", &[]);
}

#[test]
fn an_exam_that_ends_before_it_starts_follows_the_start_it_names() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let hint = exam_hint(
        d,
        "exam: { id: a, start: 2026-12-01T11:00:00Z, end: 2026-12-01T09:00:00Z }\n",
        "invalid-time-range",
    );
    assert!(hint.contains("(2026-12-01T11:00:00Z)"), "{hint}");
    gone(
        d,
        "exam: { id: a, start: 2026-12-01T11:00:00Z, end: 2026-12-01T13:00:00Z }\n",
        "invalid-time-range",
        &[],
    );
}

#[test]
fn a_duplicate_key_follows_remove_one_in_every_syntax() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (name, twice, once) in [
        (
            "exam.json",
            r#"{"exam": {"id": "a"}, "seb": {"allowQuit": true, "allowQuit": false}}"#,
            r#"{"exam": {"id": "a"}, "seb": {"allowQuit": false}}"#,
        ),
        (
            "exam.yaml",
            "exam: { id: a }\nseb:\n  allowQuit: true\n  allowQuit: false\n",
            "exam: { id: a }\nseb:\n  allowQuit: false\n",
        ),
        (
            "exam.toml",
            "exam = { id = \"a\" }\n[seb]\nallowQuit = true\nallowQuit = false\n",
            "exam = { id = \"a\" }\n[seb]\nallowQuit = false\n",
        ),
    ] {
        write(&d.join(name), twice);
        let found = diags(d, &["validate", name], &[]);
        let hint = hint_of(&found, "duplicate-key");
        assert!(hint.contains("remove one of them"), "{name}: {hint}");
        let second = twice[..twice.rfind("allowQuit").unwrap()]
            .matches('\n')
            .count()
            + 1;
        assert_eq!(
            with_code(&found, "duplicate-key")[0]["line"],
            second,
            "{name}: {found:#?}"
        );
        write(&d.join(name), once);
        let found = diags(d, &["validate", name], &[]);
        assert!(
            found.iter().all(|d| d["severity"] != "error"),
            "{name}: {found:#?}"
        );
        std::fs::remove_file(d.join(name)).unwrap();
    }
}

#[test]
fn a_base_of_an_unknown_kind_follows_the_extensions_it_lists() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(&d.join("base.txt"), "seb: { allowQuit: true }\n");
    let hint = exam_hint(
        d,
        "exam: { id: a }\nextends: [base.txt]\n",
        "base-unreadable",
    );
    assert!(hint.contains(".yaml"), "{hint}");
    std::fs::rename(d.join("base.txt"), d.join("base.yaml")).unwrap();
    gone(
        d,
        "exam: { id: a }\nextends: [base.yaml]\n",
        "base-unreadable",
        &[],
    );
}

#[test]
fn an_exam_file_of_an_unknown_kind_follows_the_extensions_it_lists() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(&d.join("exam.txt"), "exam: { id: a }\n");
    let hint = hint_of(&diags(d, &["validate", "exam.txt"], &[]), "unknown-format");
    assert!(hint.contains(".yaml"), "{hint}");
    std::fs::rename(d.join("exam.txt"), d.join("exam.yaml")).unwrap();
    let o = sebc()
        .current_dir(d)
        .args(["validate", "exam.yaml"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn an_unknown_release_follows_the_settings_command_it_names() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let hint = exam_hint(
        d,
        "exam: { id: a }\nclients: { windows: \"9.9\" }\n",
        "client-target",
    );
    let command = offered(&hint, "(`");
    assert_eq!(command, "sebc settings startURL");
    let words: Vec<&str> = command.split(' ').skip(1).collect();
    let listed = stdout(&run(&words));
    // The Windows line names the releases the data knows, e.g. "SEB for Windows: read since 3.0".
    let line = listed
        .lines()
        .find(|l| l.trim_start().starts_with("SEB for Windows"))
        .unwrap_or_else(|| panic!("no Windows row in {listed}"));
    let release = line
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .find(|w| w.contains('.') && w.len() >= 3)
        .unwrap_or_else(|| panic!("no release in {line}"));
    gone(
        d,
        &format!("exam: {{ id: a }}\nclients: {{ windows: \"{release}\" }}\n"),
        "client-target",
        &[],
    );
}

#[test]
fn a_password_and_its_hash_follow_keep_the_password() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let hint = exam_hint(
        d,
        "exam: { id: a }\nseb:\n  hashedQuitPassword: abc\n  quitPassword: { env: PW }\n",
        "conflicting-settings",
    );
    let keep = offered(&hint, "keep `");
    assert_eq!(keep, "quitPassword");
    gone(
        d,
        &format!("exam: {{ id: a }}\nseb:\n  {keep}: {{ env: PW }}\n"),
        "conflicting-settings",
        &[("PW", "pw")],
    );
}

#[test]
fn screen_proctoring_group_names_follow_the_example_and_the_size() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let head = "exam: { id: a, sebServer: true }\nscreenProctoring:\n  enableScreenProctoring: true\n  bundled: true\n";
    let code = "screenProctoringSettings:spsCollectingGroupName:notNull";
    let hint = exam_hint(d, head, code);
    let example = offered(&hint, "e.g. ");
    assert_eq!(example, "spsCollectingGroupName: CS 150 lab");
    gone(d, &format!("{head}  {example}\n"), code, &[]);

    let code = "screenProctoringSettings:spsCollectingGroupName:size:3:255";
    let hint = exam_hint(d, &format!("{head}  spsCollectingGroupName: ab\n"), code);
    assert!(hint.contains("3 to 255 characters"), "{hint}");
    gone(
        d,
        &format!("{head}  spsCollectingGroupName: abc\n"),
        code,
        &[],
    );
}

#[test]
fn screen_proctoring_without_a_service_url_follows_either_way_offered() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let head = "exam: { id: a, sebServer: true }\nscreenProctoring:\n  enableScreenProctoring: true\n  spsCollectingGroupName: Lab 1\n";
    let code = "screenProctoringSettings:spsServiceURL:notNull";
    let hint = exam_hint(d, head, code);
    let url = offered(&hint, "e.g. ");
    assert_eq!(url, "https://sps.example.org");
    // A separate service also needs its credentials (their own hints).
    gone_but(
        d,
        &format!("{head}  spsServiceURL: {url}\n"),
        code,
        &[],
        &[":notNull"],
    );
    let bundled = offered(&hint, "or `");
    assert_eq!(bundled, "bundled: true");
    gone(d, &format!("{head}  {bundled}\n"), code, &[]);
}

#[test]
fn configuring_client_encryption_follows_set_the_admin_password() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let code = "pwcc-without-admin-password";
    let hint = exam_hint(
        d,
        "exam: { id: a }\noutput: { encryption: configuringClient }\n",
        code,
    );
    let key = offered(&hint, "set ");
    assert_eq!(key, "seb.adminPassword");
    gone(
        d,
        "exam: { id: a }\nseb: { adminPassword: { env: ADMIN } }\noutput: { encryption: configuringClient }\n",
        code,
        &[("ADMIN", "admin")],
    );
}

#[test]
fn a_data_setting_of_the_wrong_type_follows_the_tagged_form() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let hint = exam_hint(
        d,
        "exam: { id: a }\nseb: { examKeySalt: 5 }\n",
        "wrong-type",
    );
    assert!(hint.contains("{ $data: BASE64 }"), "{hint}");
    gone(
        d,
        "exam: { id: a }\nseb: { examKeySalt: { $data: \"AAECAw==\" } }\n",
        "wrong-type",
        &[],
    );
}

#[test]
fn a_service_without_a_type_follows_the_line_offered() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let service = "service:\n  enableProctoring: true\n  serverURL: https://meet.example.org\n  appKey: seb\n  appSecret: { env: SECRET }\n";
    let exam =
        format!("exam: {{ id: a }}\nclients: {{ windows: \"3.5..3.6\", macos: false }}\n{service}");
    let hint = exam_hint(d, &exam, "service-type-defaulted");
    let line = offered(&hint, "write ");
    let line = line.split(" or ").next().unwrap();
    assert_eq!(line, "serverType: JITSI_MEET");
    gone(
        d,
        &format!("{exam}  {line}\n"),
        "service-type-defaulted",
        &[("SECRET", "s")],
    );
}

#[test]
fn missing_credentials_follow_the_line_each_hint_writes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let head = "exam: { id: a }\nclients: { windows: \"3.5..3.6\", macos: false }\nservice:\n  enableProctoring: true\n  serverType: JITSI_MEET\n";
    let mut exam = head.to_string();
    let code_url = "proctoringSettings:serverURL:notNull";
    let url = offered(&exam_hint(d, &exam, code_url), "e.g. ").to_string();
    assert_eq!(url, "https://meet.example.org");
    exam.push_str(&format!("  serverURL: {url}\n"));
    for (key, value) in [("appKey", "seb"), ("appSecret", "")] {
        let code = format!("proctoringSettings:{key}:notNull");
        let hint = exam_hint(d, &exam, &code);
        let line = offered(&hint, "write `");
        // A plain field is written as its value; a secret as a reference, never in clear.
        let line = line.replace("VALUE", value);
        assert!(line.starts_with(&format!("{key}: ")), "{hint}");
        if value.is_empty() {
            assert_eq!(line, format!("{key}: {{ env: NAME }}"), "{hint}");
        }
        exam.push_str(&format!("  {line}\n"));
        gone_but(d, &exam, &code, &[("NAME", "jitsi-secret")], &[":notNull"]);
    }
}

#[test]
fn a_control_character_follows_remove_the_character() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let hint = exam_hint(
        d,
        "exam: { id: a }\nseb: { browserWindowTitleSuffix: \"Exam\\u0007\" }\n",
        "invalid-character",
    );
    assert!(hint.contains("remove the character"), "{hint}");
    gone(
        d,
        "exam: { id: a }\nseb: { browserWindowTitleSuffix: \"Exam\" }\n",
        "invalid-character",
        &[],
    );
}

#[test]
fn a_file_outside_the_sandbox_follows_give_only_files_inside() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(&d.join("outside.yaml"), "exam: { id: a }\n");
    std::fs::create_dir(d.join("pr")).unwrap();
    let found = diags(d, &["validate", "outside.yaml", "--sandbox", "pr"], &[]);
    let hint = hint_of(&found, "sandbox-escape");
    assert!(hint.contains("inside DIR"), "{hint}");
    std::fs::rename(d.join("outside.yaml"), d.join("pr/inside.yaml")).unwrap();
    let found = diags(d, &["validate", "pr/inside.yaml", "--sandbox", "pr"], &[]);
    assert!(with_code(&found, "sandbox-escape").is_empty(), "{found:#?}");
}

#[test]
fn stale_outputs_follow_the_compile_command_given() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        &d.join("exam.yaml"),
        "exam: { id: a }\nseb: { allowQuit: true }\noutput: { format: plist }\n",
    );
    let found = diags(d, &["compile", "exam.yaml", "--check", "out"], &[]);
    let hint = hint_of(&found, "stale-output");
    let command = offered(&hint, "run `");
    assert_eq!(command, "sebc compile exam.yaml -o out");
    let words: Vec<&str> = command.split(' ').skip(1).collect();
    let o = sebc().current_dir(d).args(&words).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let o = sebc()
        .current_dir(d)
        .args(["compile", "exam.yaml", "--check", "out"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
}
