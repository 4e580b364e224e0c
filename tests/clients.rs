//! Client targets through the real binary: `clients:` and `--clients`, following the help of
//! `client-unsupported`, templates that set targets, `sebc settings` and `--explain`.

mod common;
use common::*;

const JITSI_DEFAULT: &str = "fixtures/invalid/jitsi-default-clients.yaml";

/// The text between the first pair of backticks after `marker` in `hint`.
fn quoted_after<'a>(hint: &'a str, marker: &str) -> &'a str {
    let rest = &hint[hint.find(marker).unwrap() + marker.len()..];
    let start = rest.find('`').unwrap() + 1;
    let end = start + rest[start..].find('`').unwrap();
    &rest[start..end]
}

fn unsupported_hint(file: &str) -> String {
    let o = run(&["validate", file, "--message-format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let diags = json_diags(&o);
    let errors = with_code(&diags, "client-unsupported");
    assert_eq!(errors.len(), 1, "{diags:?}");
    errors[0]["hint"].as_str().unwrap().to_string()
}

#[test]
fn the_suggested_clients_section_makes_the_error_go_away() {
    let hint = unsupported_hint(JITSI_DEFAULT);
    let snippet = quoted_after(&hint, "set ");
    assert!(snippet.starts_with("clients: {"), "{hint}");
    assert!(snippet.contains("macos: false"), "{hint}");
    let dir = tempfile::tempdir().unwrap();
    let exam = dir.path().join("exam.yaml");
    let text = std::fs::read_to_string(root().join(JITSI_DEFAULT)).unwrap();
    write(&exam, &format!("{text}{snippet}\n"));
    let o = run(&[
        "validate",
        exam.to_str().unwrap(),
        "--message-format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(with_code(&json_diags(&o), "client-unsupported").is_empty());

    // The same targets as a --clients value.
    let value = quoted_after(&hint, "pass ")
        .strip_prefix("--clients ")
        .unwrap();
    let o = run(&["validate", JITSI_DEFAULT, "--clients", value]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn following_the_help_for_seb_server_2_replaces_the_section() {
    let file = "fixtures/invalid/seb-server-2-live-service.yaml";
    let hint = unsupported_hint(file);
    let snippet = quoted_after(&hint, "set ");
    let text = std::fs::read_to_string(root().join(file)).unwrap();
    let fixed: String = text
        .lines()
        .map(|l| {
            if l.starts_with("clients:") {
                snippet
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let dir = tempfile::tempdir().unwrap();
    let exam = dir.path().join("exam.yaml");
    write(&exam, &fixed);
    let o = run(&["validate", exam.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn clients_on_the_command_line_override_the_exam() {
    // The Jitsi fixture targets iOS only; --clients puts the Macs back in the room.
    let o = run(&[
        "validate",
        "fixtures/valid/jitsi-proctored.yaml",
        "--clients",
        "macos=3.6,windows=false,ios=3.4",
        "--message-format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let diags = json_diags(&o);
    let err = with_code(&diags, "client-unsupported");
    assert_eq!(err.len(), 1);
    let msg = err[0]["message"].as_str().unwrap();
    assert!(
        msg.contains("SEB for macOS 3.6 and later quits the session"),
        "{msg}"
    );
    assert_eq!(err[0]["pointer"], "/service/enableProctoring");

    // And compile takes it too.
    let out = tempfile::tempdir().unwrap();
    let o = run(&[
        "compile",
        JITSI_DEFAULT,
        "-o",
        out.path().to_str().unwrap(),
        "--clients",
        "windows=false,macos=false,ios=3.4",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));

    // A bad value is a usage error.
    let o = run(&["validate", JITSI_DEFAULT, "--clients", "windows=9.9"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("known are"), "{}", stderr(&o));
}

#[test]
fn a_template_may_set_the_targets_and_the_exam_wins() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("ipads.yaml"),
        "clients: { windows: false, macos: false, ios: \"3.4\" }\n",
    );
    let service = "service:\n  enableProctoring: true\n  serverType: JITSI_MEET\n  serverURL: https://meet.example.org\n  appKey: k\n  appSecret: { env: SEBC_FIXTURE_JITSI_SECRET }\n";
    let exam = dir.path().join("exam.yaml");
    write(
        &exam,
        &format!("exam: {{ id: t }}\nextends: [ipads.yaml]\n{service}"),
    );
    let o = run(&["validate", exam.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));

    write(
        &exam,
        &format!(
            "exam: {{ id: t }}\nextends: [ipads.yaml]\n{service}clients: {{ macos: \"3.7\", windows: false }}\n"
        ),
    );
    let o = run(&[
        "validate",
        exam.to_str().unwrap(),
        "--message-format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(
        with_code(&json_diags(&o), "client-unsupported").len(),
        1,
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_release_sebc_does_not_know_is_an_error_at_the_target() {
    let dir = tempfile::tempdir().unwrap();
    let exam = dir.path().join("exam.yaml");
    write(
        &exam,
        "exam: { id: t }\nseb: { startURL: https://x.example }\nclients:\n  windows: \"2.4\"\n",
    );
    let o = run(&[
        "validate",
        exam.to_str().unwrap(),
        "--message-format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let diags = json_diags(&o);
    let bad = with_code(&diags, "client-target");
    assert_eq!(bad.len(), 1, "{diags:?}");
    assert_eq!(bad[0]["pointer"], "/clients/windows");
    assert_eq!(bad[0]["line"], 4);
}

#[test]
fn catalog_defaults_are_not_checked() {
    // lockdown-basic sets only settings every client reads; the many catalog defaults written with it
    // (some read by no client) raise nothing.
    let o = run(&["validate", "fixtures/valid/lockdown-basic.yaml"]);
    assert!(o.status.success());
    assert!(!stderr(&o).contains("client-"), "{}", stderr(&o));
}

#[test]
fn settings_describes_keys_with_their_client_rows() {
    let o = run(&["settings", "jitsiMeetEnable"]);
    assert!(o.status.success());
    insta::assert_snapshot!("settings_jitsiMeetEnable", stdout(&o));
    let o = run(&["settings", "allowStickyKeys"]);
    assert!(o.status.success());
    insta::assert_snapshot!("settings_allowStickyKeys", stdout(&o));

    // Words find several settings, one line each.
    let o = run(&["settings", "zoom", "audio"]);
    let text = stdout(&o);
    assert!(text.lines().count() >= 2, "{text}");
    assert!(text.lines().all(|l| l.to_lowercase().contains("zoom")));

    let o = run(&["settings", "jitsiMeetEnable", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v[0]["key"], "jitsiMeetEnable");
    assert_eq!(v[0]["clients"]["macos"]["refusals"][1]["effect"], "quits");
    assert_eq!(run(&["settings", "alowQuit"]).status.code(), Some(1));
}

#[test]
fn explain_shows_the_client_rows() {
    let o = run(&[
        "validate",
        "fixtures/valid/jitsi-proctored.yaml",
        "--explain",
        "jitsiMeetEnable",
    ]);
    let text = stdout(&o);
    assert!(
        text.contains("set by the exam's service settings"),
        "{text}"
    );
    assert!(text.contains("3.1 and later when true: quits"), "{text}");
}

/// An integer `screenProctoringImageFormat` is read by macOS and iOS but not by SEB for Windows 3.7+
/// (a string only, ProctoringDataMapper.cs:138): a `client-ignored` warning naming Windows, exit 0, and
/// none when Windows is not targeted.
#[test]
fn an_integer_image_format_is_a_warning_for_windows_only() {
    let dir = tempfile::tempdir().unwrap();
    let exam = dir.path().join("exam.yaml");
    write(
        &exam,
        "exam: { id: sp }\nproctoring:\n  screenProctoringImageFormat: 0\n",
    );
    let path = exam.to_str().unwrap();
    let o = run(&["validate", path, "--message-format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let diags = json_diags(&o);
    let ignored = with_code(&diags, "client-ignored");
    assert_eq!(ignored.len(), 1, "{diags:?}");
    assert_eq!(ignored[0]["severity"], "warning");
    let message = ignored[0]["message"].as_str().unwrap();
    assert!(message.contains("SEB for Windows 3.10"), "{message}");
    assert!(message.contains("only as a string"), "{message}");
    assert!(
        !message.contains("macOS") && !message.contains("iOS"),
        "{message}"
    );
    let o = run(&[
        "validate",
        path,
        "--message-format",
        "json",
        "--clients",
        "windows=false",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(with_code(&json_diags(&o), "client-ignored").is_empty());
}
