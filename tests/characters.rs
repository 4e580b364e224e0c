//! Characters XML 1.0 does not allow (NUL and the other C0 controls but tab, line feed and carriage
//! return; U+FFFE, U+FFFF) never reach a plist: in an exam file, whatever the syntax and escape, they are
//! an error naming the setting; in a base plist the reader refuses them. Tab, line feed, carriage return
//! and ordinary Unicode still compile, and read back as written.

mod common;
use common::*;

/// `sebc validate --message-format json` on an exam file with this text: exit code and diagnostics.
fn validate(name: &str, text: &str) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    let o = run(&[
        "validate",
        "--message-format",
        "json",
        path.to_str().unwrap(),
    ]);
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    (o.status.code(), stdout(&o) + &stderr(&o))
}

#[test]
fn forbidden_characters_in_values_and_keys_are_errors_naming_the_setting() {
    // (file, text, pointer, character and where)
    let cases = [
        (
            "nul.json",
            r#"{"exam": {"id": "x"}, "seb": {"browserWindowTitleSuffix": "a\u0000b"}}"#,
            "/seb/browserWindowTitleSuffix",
            "U+0000 (NUL, a control character) at character 2",
        ),
        (
            "esc.json",
            r#"{"exam": {"id": "x"}, "seb": {"browserWindowTitleSuffix": "\u001b[2J"}}"#,
            "/seb/browserWindowTitleSuffix",
            "U+001B (ESC, a control character) at character 1",
        ),
        (
            "fffe.json",
            r#"{"exam": {"id": "x"}, "seb": {"browserWindowTitleSuffix": "ok \uFFFE"}}"#,
            "/seb/browserWindowTitleSuffix",
            "U+FFFE (a Unicode noncharacter) at character 4",
        ),
        (
            "key.json",
            r#"{"exam": {"id": "x"}, "seb": {"allow\u0000Quit": true}}"#,
            "/seb/allow\\u0000Quit",
            "U+0000 (NUL, a control character) at character 6",
        ),
        (
            "esc.yaml",
            "exam: { id: x }\nseb:\n  browserWindowTitleSuffix: \"title\\e\"\n",
            "/seb/browserWindowTitleSuffix",
            "U+001B (ESC, a control character) at character 6",
        ),
        (
            "nul.yaml",
            "exam: { id: x }\nseb:\n  browserWindowTitleSuffix: \"\\0\"\n",
            "/seb/browserWindowTitleSuffix",
            "U+0000 (NUL, a control character) at character 1",
        ),
        (
            "key.yaml",
            "exam: { id: x }\nseb:\n  \"allow\\eQuit\": true\n",
            "/seb/allow\\u001bQuit",
            "U+001B (ESC, a control character) at character 6",
        ),
        (
            "nul.toml",
            "[exam]\nid = \"x\"\n[seb]\nbrowserWindowTitleSuffix = \"a\\u0000\"\n",
            "/seb/browserWindowTitleSuffix",
            "U+0000 (NUL, a control character) at character 2",
        ),
        (
            "key.toml",
            "[exam]\nid = \"x\"\n[seb]\n\"allow\\u0000Quit\" = true\n",
            "/seb/allow\\u0000Quit",
            "U+0000 (NUL, a control character) at character 6",
        ),
        (
            "nested.toml",
            "[exam]\nid = \"x\"\n[[seb.URLFilterRules]]\nactive = true\nexpression = \"a\\u0007\"\n",
            "/seb/URLFilterRules/0/expression",
            "U+0007 (BEL, a control character) at character 2",
        ),
    ];
    for (name, text, pointer, what) in cases {
        let (code, out) = validate(name, text);
        assert_eq!(code, Some(1), "{name}: {out}");
        let d = out
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .find(|d| d["code"] == "invalid-character")
            .unwrap_or_else(|| panic!("{name}: no invalid-character diagnostic in {out}"));
        let pointer: String = serde_json::from_str(&format!("\"{pointer}\"")).unwrap();
        assert_eq!(d["pointer"], pointer.as_str(), "{name}: {d}");
        let message = d["message"].as_str().unwrap();
        assert!(message.contains(what), "{name}: {message}");
        assert!(message.contains("a plist (XML 1.0) cannot carry"), "{name}");
        // At the string (or key) itself: never the start of the file.
        assert!(
            d["line"].as_u64().unwrap() > 1 || d["col"].as_u64().unwrap() > 1,
            "{name}: {d}"
        );
        assert!(d["hint"].as_str().unwrap().contains("remove the character"));
    }
}

#[test]
fn the_human_form_names_the_setting_and_shows_no_raw_control_character() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("esc.json");
    std::fs::write(
        &path,
        "{\"exam\": {\"id\": \"x\"},\n \"seb\": {\"browserWindowTitleSuffix\": \"\\u001b[2J\"}}",
    )
    .unwrap();
    let o = run(&["validate", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains(
            "error[invalid-character]: the string at `/seb/browserWindowTitleSuffix` holds U+001B"
        ),
        "{err}"
    );
    assert!(err.contains(":2:38"), "{err}");
    assert!(!err.contains('\u{1b}'), "{err}");
}

#[test]
fn tab_newline_carriage_return_and_unicode_compile_and_read_back() {
    let title = "tab\there\nline\r\nCRLF é 😀 \u{7f} \u{85}";
    let exam = serde_json::json!({
        "exam": { "id": "chars" },
        "seb": { "browserWindowTitleSuffix": title, "startURL": "https://example.org/é" }
    });
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("chars.json");
    std::fs::write(&path, exam.to_string()).unwrap();
    let out = dir.path().join("out");
    for style in ["indented", "compact"] {
        let o = run(&[
            "compile",
            path.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--format",
            "plist",
            "--plist-style",
            style,
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        let xml = std::fs::read(out.join("chars.plist")).unwrap();
        let ours = seb_format::plist::read_xml(&xml).unwrap();
        assert_eq!(
            ours["browserWindowTitleSuffix"],
            plist::Value::String(title.into())
        );
        // Another XML reader agrees (the carriage return is written as a character reference).
        let theirs = plist::Value::from_reader_xml(&xml[..]).unwrap();
        assert_eq!(
            theirs.as_dictionary().unwrap()["browserWindowTitleSuffix"],
            plist::Value::String(title.into())
        );
    }
}

#[test]
fn bases_with_forbidden_characters_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let exam = dir.path().join("exam.yaml");
    std::fs::write(&exam, "exam: { id: x }\nextends: [base.plist]\n").unwrap();
    for (body, what) in [
        ("a&#0;b", "the character reference `&#0;` is U+0000"),
        ("&#xFFFE;", "the character reference `&#xFFFE;` is U+FFFE"),
        ("a\u{1b}b", "the XML holds U+001B"),
    ] {
        std::fs::write(
            dir.path().join("base.plist"),
            format!(
                "<?xml version=\"1.0\"?><plist version=\"1.0\"><dict>\
                 <key>browserWindowTitleSuffix</key><string>{body}</string></dict></plist>"
            ),
        )
        .unwrap();
        let o = run(&["validate", exam.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(1), "{body}");
        let err = stderr(&o);
        assert!(err.contains("error[base-unreadable]"), "{err}");
        assert!(err.contains(what), "{err}");
        assert!(
            err.contains("a character XML 1.0 does not allow (byte "),
            "{err}"
        );
        // `sebc decode` refuses the same file.
        let o = run(&["decode", dir.path().join("base.plist").to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(1), "{body}");
        assert!(stderr(&o).contains(what), "{}", stderr(&o));
    }
}
