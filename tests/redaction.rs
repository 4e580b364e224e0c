//! Literal secrets are never echoed, whatever else is wrong on their line or wherever their value
//! reappears: each case runs through the binary in all three message formats, and the secret's bytes
//! appear nowhere in stdout or stderr while every diagnostic (code, file:line:col) is still there. A
//! property test renders random diagnostics over random lines holding a random secret.

mod common;
use common::*;
use proptest::prelude::*;
use sebc::diagnostic::{Diagnostic, MessageFormat, Pos, Quoter, render_with};
use sebc::source::Sources;

/// A diagnostic the run must still print: its code and where it points.
struct Expected {
    code: &'static str,
    line: u32,
    col: u32,
}

fn expect(code: &'static str, line: u32, col: u32) -> Expected {
    Expected { code, line, col }
}

/// Validates `text` (written to `name` in a tempdir) in every format; the secret never shows, the
/// diagnostics all do.
fn check(name: &str, text: &str, secret: &str, expected: &[Expected]) {
    assert!(text.contains(secret), "the case holds its secret");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    let file = path.to_str().unwrap();
    for format in ["human", "json", "github"] {
        let o = run(&["validate", file, "--message-format", format]);
        let (out, err) = (stdout(&o), stderr(&o));
        assert_eq!(o.status.code(), Some(1), "{name} {format}: {err}");
        for (what, bytes) in [("stdout", &o.stdout), ("stderr", &o.stderr)] {
            let leaked = bytes.windows(secret.len()).any(|w| w == secret.as_bytes());
            assert!(!leaked, "{name} {format}: secret in {what}:\n{err}{out}");
        }
        for e in expected {
            let (code, at) = match format {
                "human" => (
                    format!("[{}]", e.code),
                    format!("--> {file}:{}:{}\n", e.line, e.col),
                ),
                "json" => (
                    format!("\"code\":\"{}\"", e.code),
                    format!("\"line\":{},\"col\":{}", e.line, e.col),
                ),
                _ => (
                    format!("title=sebc {}::", e.code),
                    format!("line={},col={},", e.line, e.col),
                ),
            };
            // One diagnostic per line (on stdout), or per paragraph in the human form (on stderr).
            let mut units = if format == "human" {
                err.split("\n\n")
            } else {
                out.split("\n")
            };
            let shown = units.any(|u| u.contains(&code) && u.contains(&at));
            assert!(
                shown,
                "{name} {format}: {} at {}:{} missing:\n{err}{out}",
                e.code, e.line, e.col
            );
        }
    }
}

#[test]
fn a_second_diagnostic_on_a_yaml_flow_map_line() {
    check(
        "flow.yaml",
        "exam: { id: flow }\nseb: { quitPassword: Fm7-hunter2, alowQuit: true }\n",
        "Fm7-hunter2",
        &[
            expect("literal-secret", 2, 22),
            expect("unknown-setting", 2, 35),
        ],
    );
}

#[test]
fn a_one_line_json_file() {
    check(
        "one.json",
        "{\"exam\": {\"id\": \"one\"}, \"seb\": {\"quitPassword\": \"Js4-hunter2\", \"alowQuit\": true, \"URLFilterRules\": [1]}}\n",
        "Js4-hunter2",
        &[
            expect("literal-secret", 1, 49),
            expect("unknown-setting", 1, 64),
            expect("empty-url-filter", 1, 101),
            expect("wrong-type", 1, 101),
        ],
    );
}

#[test]
fn a_toml_inline_table() {
    check(
        "inline.toml",
        "exam = { id = \"inline\" }\nseb = { quitPassword = \"Tm9-hunter2\", alowQuit = true }\n",
        "Tm9-hunter2",
        &[
            expect("literal-secret", 2, 24),
            expect("unknown-setting", 2, 39),
        ],
    );
}

#[test]
fn a_yaml_alias_of_a_literal_secret() {
    check(
        "alias.yaml",
        "exam: { id: alias }\nseb:\n  quitPassword: &pw Al2-hunter2\n  allowQuit: *pw\n  URLFilterRules: [{ expression: *pw, action: *pw }]\n",
        "Al2-hunter2",
        &[
            expect("literal-secret", 3, 21),
            expect("wrong-type", 4, 14),
            expect("not-allowed", 5, 47),
            expect("wrong-type", 5, 47),
        ],
    );
}

#[test]
fn a_misspelled_secret_key() {
    check(
        "typo.yaml",
        "exam: { id: typo }\nseb:\n  quitPasword: Ty5-hunter2\n  startURL: https://x.example\nservce: { appSecret: Ty5-hunter2 }\n",
        "Ty5-hunter2",
        &[expect("unknown-setting", 3, 3), expect("unknown-key", 5, 1)],
    );
}

#[test]
fn a_file_that_does_not_parse_masks_secret_assignments() {
    check(
        "parse.json",
        "{\"exam\": {\"id\": \"p\"}, \"seb\": {\"quitPassword\": \"Pj3-hunter2\", \"x\": }}\n",
        "Pj3-hunter2",
        &[expect("parse", 1, 67)],
    );
}

/// Characters a secret of the property test is made of, and those one must hold: none of the latter
/// is ever drawn by a renderer around the diagnostic's own texts, and no renderer escapes or cuts next
/// to the former, so any occurrence of such a secret in the output would come from the texts.
const SECRET_CHARS: &str = "[A-Za-z0-9#$&;<>?@~_!+/]";
const TEXT: &str = "[ -!#-$&-\\[\\]-~éß日]";

fn regex(pattern: &str) -> proptest::string::RegexGeneratorStrategy<String> {
    proptest::string::string_regex(pattern).unwrap()
}

fn secret() -> impl Strategy<Value = String> {
    (
        regex("[a-z0-9]{0,6}"),
        regex("[#$&;<>?@~]"),
        regex(&format!("{SECRET_CHARS}{{3,10}}")),
    )
        .prop_map(|(head, mark, tail)| format!("{head}{mark}{tail}"))
}

/// A text holding the secret (or not) between random characters.
fn with_secret(secret: String) -> impl Strategy<Value = String> {
    let text = format!("{TEXT}{{0,40}}");
    (regex(&text), any::<bool>(), regex(&text)).prop_map(move |(a, has, b)| {
        if has {
            format!("{a}{secret}{b}")
        } else {
            a + &b
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn no_rendering_shows_a_literal_secret(
        (secret, message, hint, label, pointer, lines) in secret().prop_flat_map(|s| (
            Just(s.clone()),
            with_secret(s.clone()),
            with_secret(s.clone()),
            with_secret(s.clone()),
            with_secret(s.clone()),
            proptest::collection::vec(
                (with_secret(s), "(\u{1b}|\t|\u{202e}|x){0,2}"),
                1..6,
            ),
        )),
        line in 0u32..8, col in 0u32..120, rline in 0u32..8, rcol in 0u32..120,
        flagged: bool, long_line: bool,
    ) {
        let mut text: String = lines
            .iter()
            .map(|(l, ctl)| format!("{ctl}{l}\n"))
            .collect();
        if long_line {
            text.push_str(&format!("{}{secret}{}\n", "a".repeat(5_000), "b".repeat(5_000)));
        }
        let mut sources = Sources::default();
        sources.insert("f", text.into());
        sources.add_literal("f", Pos { line: 1, col: 1 }, &secret);
        let mut d = Diagnostic::error("x", message)
            .at("f", Pos { line, col })
            .pointer(pointer)
            .hint(hint)
            .related("f", Pos { line: rline, col: rcol }, label);
        d.secret = flagged;
        let quoter = Quoter::new(&sources);
        for format in [MessageFormat::Human, MessageFormat::Json, MessageFormat::Github] {
            let shown = render_with(&d, format, false, &quoter);
            prop_assert!(!shown.contains(&secret), "{:?}: {}\n{}", format, secret, shown);
        }
    }
}

/// `validate --explain` names the layer that set a secret-looking key but never prints its value.
#[test]
fn explain_does_not_print_a_secret_value() {
    let dir = tempfile::tempdir().unwrap();
    let exam = dir.path().join("t.yaml");
    std::fs::write(
        &exam,
        "exam: { id: t }\nclients: { windows: \"3.5\", macos: false }\nproctoring:\n  jitsiMeetToken: \"tok-Zq81-secret\"\n",
    )
    .unwrap();
    let o = common::run(&[
        "validate",
        exam.to_str().unwrap(),
        "--explain",
        "jitsiMeetToken",
    ]);
    let all = format!("{}{}", common::stdout(&o), common::stderr(&o));
    assert!(
        all.contains("jitsiMeetToken = (may be secret, not shown)"),
        "{all}"
    );
    assert!(all.contains("set by"), "{all}");
    assert!(!all.contains("tok-Zq81"), "{all}");
}
