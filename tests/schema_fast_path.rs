//! The schema fast path (`sebc::schema::fast_verdict`) against the full jsonschema validator: on every
//! fixture and on random mutations of them (wrong types, unknown and misspelled keys, numbers out of
//! range, values not allowed, bad dates and URIs, secrets of the wrong shape, random catalog settings),
//! `Valid` only where jsonschema finds no error and `Invalid` only where it finds one. The valid
//! fixtures are decided by the fast path alone, so a one-exam run never builds the validator.

mod common;
use common::*;
use proptest::prelude::*;
use sebc::schema::{Verdict, fast_verdict, validator};
use serde_json::{Map, Value, json};
use std::path::Path;
use std::sync::OnceLock;

/// jsonschema's verdict, with a missing `exam` ignored for templates and bases (as validate does).
fn full_valid(doc: &Value, exam_required: bool) -> bool {
    validator().iter_errors(doc).all(|e| {
        !exam_required
            && e.instance_path().as_str().is_empty()
            && matches!(e.kind(), jsonschema::error::ValidationErrorKind::Required { property } if property == "exam")
    })
}

fn agrees(doc: &Value, exam_required: bool) -> Result<Verdict, String> {
    let fast = fast_verdict(doc, exam_required);
    let full = full_valid(doc, exam_required);
    match (fast, full) {
        (Verdict::Valid, false) | (Verdict::Invalid, true) => Err(format!(
            "fast path says {fast:?}, jsonschema says valid = {full} (exam required: {exam_required}) for\n{}",
            serde_json::to_string_pretty(doc).unwrap()
        )),
        _ => Ok(fast),
    }
}

/// Every fixture document: exam and template files as loaded, plist bases as validate checks them.
fn fixtures() -> &'static [(String, Value)] {
    static DOCS: OnceLock<Vec<(String, Value)>> = OnceLock::new();
    DOCS.get_or_init(|| {
        let mut out = Vec::new();
        for entry in walkdir::WalkDir::new(root().join("fixtures")).sort_by_file_name() {
            let entry = entry.unwrap();
            let path = entry.path();
            let name = path.strip_prefix(root()).unwrap().display().to_string();
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            let syntax = match ext {
                "yaml" | "yml" => sebc::load::Syntax::Yaml,
                "toml" => sebc::load::Syntax::Toml,
                "json" => sebc::load::Syntax::Json,
                "plist" => {
                    let dict = plist::Value::from_file(path).unwrap();
                    out.push((name, json!({ "seb": sebc::plist_json::to_json(&dict) })));
                    continue;
                }
                _ => continue,
            };
            let text = String::from_utf8_lossy(&read(path)).into_owned();
            if let Ok(doc) = sebc::load::parse_exam(&text, syntax, Path::new(&name), &name) {
                out.push((name, doc.value));
            }
        }
        assert!(out.len() > 60, "fixtures found: {}", out.len());
        out
    })
}

#[test]
fn every_fixture_gets_jsonschemas_verdict_and_valid_ones_need_no_validator() {
    let mut decided = 0;
    for (name, doc) in fixtures() {
        for exam_required in [true, false] {
            let verdict = agrees(doc, exam_required).unwrap_or_else(|e| panic!("{name}: {e}"));
            decided += usize::from(verdict != Verdict::Unknown);
        }
        let valid_exam = name.starts_with("fixtures/valid/") && doc.get("exam").is_some();
        if valid_exam {
            // As validate checks it: a `null` setting (which drops a base's) left out.
            let mut doc = doc.clone();
            for section in ["seb", "proctoring"] {
                if let Some(Value::Object(o)) = doc.get_mut(section) {
                    o.retain(|_, v| !v.is_null());
                }
            }
            assert_eq!(fast_verdict(&doc, true), Verdict::Valid, "{name}");
        }
    }
    assert!(decided > fixtures().len(), "only {decided} decided");
}

#[test]
fn typical_mistakes_are_decided_invalid() {
    let good = json!({ "exam": { "id": "x", "start": "2026-12-01T09:00:00Z" },
                       "seb": { "allowQuit": true, "URLFilterRules": [{ "active": true, "regex": false, "expression": "a", "action": 1 }] },
                       "service": { "serverType": "JITSI_MEET", "serverURL": "https://meet.example.org", "appSecret": { "env": "S" } } });
    assert_eq!(agrees(&good, true), Ok(Verdict::Valid));
    let mut cases = Vec::new();
    for (pointer, value) in [
        ("/seb/allowQuit", json!("true")),
        ("/seb/URLFilterRules/0/action", json!(7)),
        ("/service/serverType", json!("JITSI")),
        ("/service/appSecret", json!({ "evn": "S" })),
        ("/exam/id", json!("Not An Id")),
        ("/exam", json!(null)),
    ] {
        let mut doc = good.clone();
        *doc.pointer_mut(pointer).unwrap() = value;
        cases.push(doc);
    }
    let mut doc = good.clone();
    doc["seb"]["alowQuit"] = json!(true);
    cases.push(doc);
    for doc in cases {
        assert_eq!(agrees(&doc, true), Ok(Verdict::Invalid), "{doc}");
    }
}

/// jsonschema ignores the formats it does not know (schemars' `int32`): the fast path must too.
#[test]
fn unknown_formats_assert_nothing() {
    let doc =
        json!({ "exam": { "id": "x" }, "service": { "collectingRoomSize": 4_294_967_296u64 } });
    assert!(full_valid(&doc, true));
    assert_eq!(agrees(&doc, true), Ok(Verdict::Valid));
}

/// Keys a mutation may add: every catalog setting, every exam-file key, and near misses.
fn key_pool() -> &'static [String] {
    static KEYS: OnceLock<Vec<String>> = OnceLock::new();
    KEYS.get_or_init(|| {
        let mut keys: Vec<String> = sebc::catalog::Catalog::get()
            .keys()
            .map(String::from)
            .collect();
        fn names(v: &Value, out: &mut Vec<String>) {
            match v {
                Value::Object(o) => {
                    if let Some(Value::Object(p)) = o.get("properties") {
                        out.extend(p.keys().cloned());
                    }
                    o.values().for_each(|v| names(v, out));
                }
                Value::Array(a) => a.iter().for_each(|v| names(v, out)),
                _ => {}
            }
        }
        names(&sebc::schema::exam_schema(), &mut keys);
        keys.extend(
            [
                "serverUrl",
                "alowQuit",
                "env",
                "file",
                "$data",
                "password",
                "roster",
                "",
                "é",
            ]
            .map(String::from),
        );
        keys.sort();
        keys.dedup();
        keys
    })
}

/// Values a mutation may write: every type, bounds of the integer ranges, enum values, dates and URIs
/// inside and outside the fast path's subsets, secret references of every shape.
fn value_pool() -> &'static [Value] {
    static VALUES: OnceLock<Vec<Value>> = OnceLock::new();
    VALUES.get_or_init(|| {
        let mut v = vec![
            json!(null),
            json!(true),
            json!(false),
            json!(0),
            json!(1),
            json!(-1),
            json!(2),
            json!(20),
            json!(100),
            json!(101),
            json!(1000000),
            json!(1000001),
            json!(2147483647),
            json!(2147483648u64),
            json!(-2147483648),
            json!(-2147483649i64),
            json!(u64::MAX),
            json!(i64::MIN),
            json!(1.0),
            json!(0.5),
            json!(-0.0),
            json!(1e300),
            json!(""),
            json!(" "),
            json!("x"),
            json!("true"),
            json!("1"),
            json!("3.5"),
            json!("3.2..3.6"),
            json!("3.5..3"),
            json!("JITSI_MEET"),
            json!("ZOOM"),
            json!("JITSI"),
            json!("none"),
            json!("configuringClient"),
            json!("seb"),
            json!("plist"),
            json!("proctoring"),
            json!("townhall"),
            json!("EXAM"),
            json!("TOWN_HALL"),
            json!("recording"),
            json!("math-101"),
            json!("Math-101"),
            json!("-x"),
            json!("a".repeat(65)),
            json!("vpaas-magic-cookie-abc"),
            json!("vpaas-magic-cookie-abc/key1"),
            json!("2026-12-01T09:00:00Z"),
            json!("2026-12-01T09:00:00.5+01:00"),
            json!("2026-12-01t09:00:00z"),
            json!("2026-12-31T23:59:60Z"),
            json!("2026-06-30T23:59:60Z"),
            json!("2023-02-29T00:00:00Z"),
            json!("2024-02-29T00:00:00Z"),
            json!("2026-12-01 09:00:00Z"),
            json!("2026-12-01T09:00:00"),
            json!("https://meet.example.org"),
            json!("https://meet.example.org:8443/p?q=1#f"),
            json!("http://[::1]:8080/"),
            json!("https://user@host/"),
            json!("https://x/%20y"),
            json!("https://x/%2"),
            json!("https://a b"),
            json!("mailto:a@b"),
            json!("meet.example.org"),
            json!("//x"),
            json!("x:"),
            json!("aGVsbG8="),
            json!("not base64!"),
            json!({}),
            json!([]),
            json!([1]),
            json!(["x"]),
            json!(["TOWN_HALL", "ENABLE_CHAT"]),
            json!({ "env": "X" }),
            json!({ "env": "" }),
            json!({ "file": "f" }),
            json!({ "evn": "X" }),
            json!({ "env": "X", "file": "f" }),
            json!({ "$data": "aGVsbG8=" }),
            json!({ "$data": 1 }),
            json!({ "roster": "r.csv" }),
            json!({ "roster": "" }),
            json!({ "path": "b.seb" }),
            json!({ "password": { "env": "P" } }),
            json!([{ "active": true, "regex": false, "expression": "a", "action": 1 }]),
            json!([{ "active": "yes" }]),
            json!({ "name": "room-a", "subject": "A" }),
        ];
        for s in sebc::catalog::Catalog::get().settings() {
            v.extend(s.allowed.iter().flatten().cloned());
            if let Some(d) = &s.default {
                v.push(d.clone());
            }
        }
        let mut seen = std::collections::HashSet::new();
        v.retain(|x| seen.insert(x.to_string()));
        v
    })
}

#[derive(Debug, Clone)]
enum Mutation {
    /// Replace the value at a node.
    Replace { at: usize, value: usize },
    /// Add (or overwrite) a key of an object node.
    Insert { at: usize, key: usize, value: usize },
    /// Remove a key or item of a node.
    Remove { at: usize, which: usize },
    /// Set a setting in `seb` or `proctoring`.
    Setting {
        section: bool,
        key: usize,
        value: usize,
    },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<usize>()).prop_map(|(at, value)| Mutation::Replace { at, value }),
        (any::<usize>(), any::<usize>(), any::<usize>())
            .prop_map(|(at, key, value)| Mutation::Insert { at, key, value }),
        (any::<usize>(), any::<usize>()).prop_map(|(at, which)| Mutation::Remove { at, which }),
        (any::<bool>(), any::<usize>(), any::<usize>()).prop_map(|(section, key, value)| {
            Mutation::Setting {
                section,
                key,
                value,
            }
        }),
    ]
}

/// JSON pointers of every node of `v`.
fn nodes(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(o) => {
            for (k, c) in o {
                nodes(
                    c,
                    format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        Value::Array(a) => {
            for (i, c) in a.iter().enumerate() {
                nodes(c, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

fn apply(doc: &mut Value, m: &Mutation) {
    let keys = key_pool();
    let values = value_pool();
    let mut all = Vec::new();
    nodes(doc, String::new(), &mut all);
    let node = |at: usize| all[at % all.len()].clone();
    match *m {
        Mutation::Replace { at, value } => {
            *doc.pointer_mut(&node(at)).unwrap() = values[value % values.len()].clone();
        }
        Mutation::Insert { at, key, value } => {
            if let Some(Value::Object(o)) = doc.pointer_mut(&node(at)) {
                o.insert(
                    keys[key % keys.len()].clone(),
                    values[value % values.len()].clone(),
                );
            }
        }
        Mutation::Remove { at, which } => match doc.pointer_mut(&node(at)) {
            Some(Value::Object(o)) if !o.is_empty() => {
                let k = o.keys().nth(which % o.len()).unwrap().clone();
                o.shift_remove(&k);
            }
            Some(Value::Array(a)) if !a.is_empty() => {
                a.remove(which % a.len());
            }
            _ => {}
        },
        Mutation::Setting {
            section,
            key,
            value,
        } => {
            let catalog = sebc::catalog::Catalog::get();
            let name = if section { "proctoring" } else { "seb" };
            if let Value::Object(o) = doc {
                let entry = o.entry(name).or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(s) = entry {
                    s.insert(
                        catalog.key(key % catalog.count()).to_string(),
                        values[value % values.len()].clone(),
                    );
                }
            }
        }
    }
}

/// The property is not vacuous: on the mutated fixtures the fast path decides many documents each way.
#[test]
fn mutated_fixtures_are_mostly_decided() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = (any::<usize>(), proptest::collection::vec(mutation(), 0..4));
    let (mut valid, mut invalid, mut unknown) = (0, 0, 0);
    for _ in 0..1000 {
        let (which, mutations) = strategy.new_tree(&mut runner).unwrap().current();
        let mut doc = fixtures()[which % fixtures().len()].1.clone();
        for m in &mutations {
            apply(&mut doc, m);
        }
        match agrees(&doc, true).unwrap() {
            Verdict::Valid => valid += 1,
            Verdict::Invalid => invalid += 1,
            Verdict::Unknown => unknown += 1,
        }
    }
    eprintln!("fast path on mutated fixtures: valid {valid}, invalid {invalid}, unknown {unknown}");
    assert!(
        valid >= 100 && invalid >= 300,
        "valid {valid}, invalid {invalid}, unknown {unknown}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1500, ..ProptestConfig::default() })]

    #[test]
    fn mutated_fixtures_get_jsonschemas_verdict(
        which in any::<usize>(),
        mutations in proptest::collection::vec(mutation(), 0..4),
    ) {
        let fixtures = fixtures();
        let (name, doc) = &fixtures[which % fixtures.len()];
        let mut doc = doc.clone();
        for m in &mutations {
            apply(&mut doc, m);
        }
        for exam_required in [true, false] {
            if let Err(e) = agrees(&doc, exam_required) {
                return Err(TestCaseError::fail(format!("{name} after {mutations:?}: {e}")));
            }
        }
    }
}
