//! Limits on hostile input, each with a clear error: input size, nesting depth (YAML, JSON, TOML, plist),
//! number of values, string length, YAML alias expansion, DTD entities, `extends` depth. Every case runs
//! through the binary: exit code 1, a message, no panic.

mod common;
use common::*;

fn validate_file(name: &str, contents: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, contents).unwrap();
    let o = run(&["validate", path.to_str().unwrap()]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{name}: {err}");
    assert!(!err.contains("panicked"), "{name}: {err}");
    err
}

fn decode_file(contents: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f.plist");
    std::fs::write(&path, contents).unwrap();
    let o = run(&["decode", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(!stderr(&o).contains("panicked"));
    stderr(&o)
}

#[test]
fn input_size() {
    let big = format!("exam: {{ id: x }}\n# {}\n", "x".repeat(17 * 1024 * 1024));
    assert!(validate_file("big.yaml", big.as_bytes()).contains("larger than 16 MiB"));
}

#[test]
fn nesting_depth_in_every_syntax() {
    let deep = |open: &str, close: &str| format!("{}{}", open.repeat(10_000), close.repeat(10_000));
    assert!(
        validate_file(
            "d.json",
            format!("{{\"exam\": {}}}", deep("[", "]")).as_bytes()
        )
        .contains("nesting deeper than 64 levels")
    );
    assert!(
        validate_file("d.yaml", format!("exam: {}\n", deep("[", "]")).as_bytes())
            .contains("invalid YAML")
    );
    let block: String = (1..200)
        .map(|i| format!("{}a:\n", "  ".repeat(i)))
        .collect();
    assert!(validate_file("b.yaml", format!("exam:\n{block}").as_bytes()).contains("invalid YAML"));
    assert!(
        validate_file("d.toml", format!("a = {}\n", deep("[", "]")).as_bytes())
            .contains("invalid TOML")
    );
    // 65 levels within the parsers' own limits still meet sebc's.
    assert!(
        validate_file(
            "s.json",
            format!(
                "{{\"exam\": {}}}",
                deep("[", "]")
                    .replace(&"[".repeat(10_000), &"[".repeat(65))
                    .replace(&"]".repeat(10_000), &"]".repeat(65))
            )
            .as_bytes()
        )
        .contains("nesting deeper than 64 levels")
    );
    let plist = format!(
        "<?xml version=\"1.0\"?><plist><dict><key>a</key>{}{}</dict></plist>",
        "<array>".repeat(65),
        "</array>".repeat(65)
    );
    assert!(decode_file(plist.as_bytes()).contains("nested deeper than 64 levels"));
}

#[test]
fn number_of_values() {
    let items = vec!["1"; 100_001].join(",");
    assert!(
        validate_file(
            "many.json",
            format!("{{\"exam\": {{\"id\": \"x\"}}, \"extends\": [{items}]}}").as_bytes()
        )
        .contains("more than 100000 values in one file")
    );
    let plist = format!(
        "<?xml version=\"1.0\"?><plist><dict><key>a</key><array>{}</array></dict></plist>",
        "<true/>".repeat(1_000_001)
    );
    assert!(
        decode_file(plist.as_bytes()).contains("more than 1000000 values in one property list")
    );
}

#[test]
fn string_length() {
    let long = "x".repeat(1024 * 1024 + 1);
    assert!(
        validate_file(
            "s.yaml",
            format!("exam: {{ id: x, name: {long} }}\n").as_bytes()
        )
        .contains("a string longer than 1024 KiB")
    );
    let plist = format!(
        "<?xml version=\"1.0\"?><plist><dict><key>a</key><string>{long}</string></dict></plist>"
    );
    assert!(decode_file(plist.as_bytes()).contains("a string longer than 1024 KiB"));
}

#[test]
fn yaml_alias_expansion_is_bounded() {
    let mut lol = String::from(
        "exam: { id: x }\nl0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n",
    );
    for i in 1..10 {
        let p = i - 1;
        lol.push_str(&format!(
            "l{i}: &l{i} [*l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}]\n"
        ));
    }
    let err = validate_file("lol.yaml", lol.as_bytes());
    assert!(
        err.contains("invalid YAML") && err.contains("budget"),
        "{err}"
    );
}

#[test]
fn xml_entities_are_never_expanded() {
    let external = b"<?xml version=\"1.0\"?><!DOCTYPE plist [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><plist><dict><key>a</key><string>&x;</string></dict></plist>";
    assert!(decode_file(external).contains("entity declarations are refused"));
    let undefined =
        b"<?xml version=\"1.0\"?><plist><dict><key>a</key><string>&x;</string></dict></plist>";
    assert!(decode_file(undefined).contains("undefined entity `&x;`"));
}

#[test]
fn extends_depth_is_bounded() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..20 {
        let next = if i < 19 {
            format!("extends: [t{}.yaml]\n", i + 1)
        } else {
            String::new()
        };
        std::fs::write(
            dir.path().join(format!("t{i}.yaml")),
            format!("{next}seb: {{ allowQuit: true }}\n"),
        )
        .unwrap();
    }
    std::fs::write(
        dir.path().join("exam.yaml"),
        "exam: { id: deep }\nextends: [t0.yaml]\n",
    )
    .unwrap();
    let o = run(&["validate", dir.path().join("exam.yaml").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("`extends` chain deeper than 16 files"),
        "{}",
        stderr(&o)
    );
}
