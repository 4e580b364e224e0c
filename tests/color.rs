//! `--color`: plain diagnostics unless asked (tests never run on a terminal), ANSI escapes with
//! `--color always` wherever the option is given, and never in the machine formats.

mod common;
use common::*;

const EXAM: &str = "fixtures/invalid/proctoring-conflict.yaml";

fn diagnostics(args: &[&str], no_color: Option<&str>) -> (Option<i32>, String) {
    let mut c = sebc();
    c.args(args).env_remove("NO_COLOR");
    if let Some(v) = no_color {
        c.env("NO_COLOR", v);
    }
    let o = c.output().unwrap();
    (o.status.code(), stderr(&o) + &stdout(&o))
}

#[test]
fn plain_unless_asked_and_ansi_with_always() {
    let (code, plain) = diagnostics(&["validate", EXAM], None);
    assert_eq!(code, Some(1));
    assert!(plain.contains("error[proctoring-conflict]") && !plain.contains('\u{1b}'));
    let (_, never) = diagnostics(&["--color", "never", "validate", EXAM], None);
    assert_eq!(never, plain);
    let (_, auto) = diagnostics(&["validate", EXAM, "--color=auto"], Some("1"));
    assert_eq!(auto, plain);
    for args in [
        &["--color", "always", "validate", EXAM][..],
        &["validate", "--color", "always", EXAM][..],
    ] {
        let (code, coloured) = diagnostics(args, Some("1"));
        assert_eq!(code, Some(1));
        assert!(coloured.contains("\u{1b}[") && coloured.contains("error[proctoring-conflict]"));
        let stripped = strip_ansi(&coloured);
        assert_eq!(stripped, plain, "colour adds escapes, nothing else");
    }
}

#[test]
fn machine_formats_are_never_coloured() {
    for format in ["json", "github"] {
        let (_, out) = diagnostics(
            &[
                "--color",
                "always",
                "validate",
                EXAM,
                "--message-format",
                format,
            ],
            None,
        );
        assert!(
            !out.is_empty() && !out.contains('\u{1b}'),
            "{format}: {out}"
        );
    }
}

#[test]
fn unknown_color_is_a_usage_error() {
    let (code, err) = diagnostics(&["--color", "sometimes", "validate", EXAM], None);
    assert_eq!(code, Some(2));
    assert!(err.contains("always"), "{err}");
}

/// Removes `ESC [ ... m` sequences.
fn strip_ansi(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for d in chars.by_ref() {
                if d == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}
