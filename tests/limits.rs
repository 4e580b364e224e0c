//! Limits on hostile input, each with a clear error: input size, nesting depth (YAML, JSON, TOML, plist),
//! number of values, string length, YAML alias expansion, DTD entities, `extends` depth. Every case runs
//! through the binary: exit code 1, a message, no panic. The value and depth limits stop the parsers where
//! they are crossed: a 16 MiB file past them costs a bounded multiple of a trivial run.

mod common;
use common::*;
use std::time::Duration;

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
    let too_deep = "error[too-deep]: nesting deeper than 64 levels";
    let block: String = (1..200)
        .map(|i| format!("{}a:\n", "  ".repeat(i)))
        .collect();
    let inline_tables = format!("a = {}1{}\n", "{ b = ".repeat(100), " }".repeat(100));
    for (name, text) in [
        ("d.json", format!("{{\"exam\": {}}}", deep("[", "]"))),
        ("d.yaml", format!("exam: {}\n", deep("[", "]"))),
        ("m.yaml", format!("exam: {}\n", deep("{a: ", "}"))),
        ("b.yaml", format!("exam:\n{block}")),
        ("d.toml", format!("a = {}\n", deep("[", "]"))),
        ("t.toml", inline_tables),
        ("h.toml", format!("[{}]\n", vec!["k"; 100].join("."))),
    ] {
        let err = validate_file(name, text.as_bytes());
        assert!(err.contains(too_deep), "{name}: {err}");
    }
    // 65 levels within the parsers' own limits still meet sebc's, with the pointer of the deepest value.
    let o = validate_json(
        "s.json",
        format!("{{\"exam\": {}{}}}", "[".repeat(65), "]".repeat(65)).as_bytes(),
    );
    assert!(o.contains("\"code\":\"too-deep\""), "{o}");
    assert!(
        o.contains(&format!("\"pointer\":\"/exam{}\"", "/0".repeat(64))),
        "{o}"
    );
    // 64 levels are fine (the schema has its say about them).
    let ok = validate_json(
        "ok.json",
        format!("{{\"exam\": {}{}}}", "[".repeat(64), "]".repeat(64)).as_bytes(),
    );
    assert!(!ok.contains("too-deep"), "{ok}");
    let plist = format!(
        "<?xml version=\"1.0\"?><plist><dict><key>a</key>{}{}</dict></plist>",
        "<array>".repeat(65),
        "</array>".repeat(65)
    );
    assert!(decode_file(plist.as_bytes()).contains("nested deeper than 64 levels"));
}

/// `sebc validate --message-format json` on a file with these contents: the diagnostics (exit code 1).
fn validate_json(name: &str, contents: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, contents).unwrap();
    let o = run(&[
        "validate",
        "--message-format",
        "json",
        path.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{name}: {}", stderr(&o));
    stdout(&o) + &stderr(&o)
}

/// The least CPU time of three compilations of a tiny exam: what a trivial run costs on this machine.
fn trivial_run() -> Duration {
    let out = tempfile::tempdir().unwrap();
    let exam = out.path().join("tiny.yaml");
    std::fs::write(&exam, "exam: { id: tiny }\nseb: { allowQuit: true }\n").unwrap();
    (0..3)
        .map(|_| {
            let (o, cpu) = run_cpu(&[
                "compile",
                exam.to_str().unwrap(),
                "-o",
                out.path().to_str().unwrap(),
            ]);
            assert!(o.status.success(), "{}", stderr(&o));
            cpu
        })
        .min()
        .unwrap()
}

/// A generous bound on the time of a run past the value limit, as a multiple of a trivial run. Before the
/// limits stopped the parsers, the JSON and TOML inputs below took 400 to over 10,000 times a trivial
/// run as it was then (34 ms of CPU in a test build: 13.6 s and more, and up to 1.9 GB); YAML stopped at
/// serde-saphyr's node budget with another error. A trivial run no longer builds the JSON Schema
/// validator (the schema fast path) and costs about 9 ms, so those blow-ups would now be 1,500 times and
/// more, while the runs below measure up to about 310 (the JSON object, in CI's full test run; YAML, in
/// serde's unoptimised generic code, 80 to 200). The bound sits between, about 2.5 times from each.
const MAX_RATIO: f64 = 800.0;

/// Runs `sebc validate` on `path`: its output, and its CPU time as a multiple of a trivial run measured
/// just before (and that run's time). A run over [`MAX_RATIO`] is measured once more, so that a burst
/// of load on a shared machine during one run does not decide.
fn validate_timed(path: &std::path::Path) -> (std::process::Output, f64, Duration) {
    let mut runs = Vec::new();
    for _ in 0..2 {
        let trivial = trivial_run();
        let (o, cpu) = run_cpu(&["validate", path.to_str().unwrap()]);
        let ratio = cpu.as_secs_f64() / trivial.as_secs_f64().max(1e-3);
        runs.push((o, ratio, trivial));
        if ratio <= MAX_RATIO {
            break;
        }
    }
    runs.into_iter().min_by(|a, b| a.1.total_cmp(&b.1)).unwrap()
}

/// Text of just under 16 MiB: `head`, then `item(i)` for i = 0, 1, … joined by `sep`, then `tail`.
fn generated(head: &str, item: impl Fn(usize) -> String, sep: &str, tail: &str) -> String {
    let limit = 16 * 1024 * 1024 - 64;
    let mut text = String::with_capacity(limit);
    text.push_str(head);
    for i in 0.. {
        let next = item(i);
        if text.len() + sep.len() + next.len() + tail.len() > limit {
            break;
        }
        if i > 0 {
            text.push_str(sep);
        }
        text.push_str(&next);
    }
    text.push_str(tail);
    text
}

#[test]
fn sixteen_mib_of_values_stops_at_the_limit_in_bounded_time() {
    let zeros = |_| "0".to_string();
    let values = "error[too-many-values]: more than 100000 values in one file";
    let cases = [
        ("array.json", generated("[", zeros, ",", "]"), values),
        (
            "object.json",
            generated("{", |i| format!("\"k{i}\":0"), ",", "}"),
            values,
        ),
        ("array.toml", generated("a = [", zeros, ",", "]\n"), values),
        (
            "keys.toml",
            generated("[seb]\n", |i| format!("k{i} = 0"), "\n", "\n"),
            values,
        ),
        (
            "tables.toml",
            generated("", |i| format!("[t{i}]"), "\n", "\n"),
            values,
        ),
        // No value at all, but a token each byte: the toml crate would hold 800 MB of them.
        (
            "blank.toml",
            generated("", |_| String::new(), "\n", ""),
            "error[too-large]: more than 2000000 tokens",
        ),
        ("flow.yaml", generated("a: [", zeros, ",", "]\n"), values),
        (
            "list.yaml",
            generated("a:\n", |_| "- 0".into(), "\n", "\n"),
            values,
        ),
        (
            "keys.yaml",
            generated("", |i| format!("k{i}: 0"), "\n", "\n"),
            values,
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (name, text, expected) in cases {
        assert!(text.len() <= 16 * 1024 * 1024, "{name}");
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let (o, ratio, trivial) = validate_timed(&path);
        std::fs::remove_file(&path).unwrap();
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{name}: {err}");
        assert!(err.contains(expected), "{name}: {err}");
        assert!(!err.contains("panicked"), "{name}: {err}");
        assert!(
            ratio <= MAX_RATIO,
            "{name}: {ratio:.0} times a trivial run ({trivial:?}), more than {MAX_RATIO}"
        );
    }
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
    // Expanded aliases are values: the count stops the expansion at the limit.
    let err = validate_file("lol.yaml", lol.as_bytes());
    assert!(
        err.contains("error[too-many-values]: more than 100000 values in one file"),
        "{err}"
    );
    // Within the value limit, serde-saphyr's alias budget still holds.
    let mut wide = String::from("exam: { id: x }\nl: &l 1\nm: [");
    wide.push_str(&vec!["*l"; 60_000].join(", "));
    wide.push_str("]\n");
    let err = validate_file("aliases.yaml", wide.as_bytes());
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
