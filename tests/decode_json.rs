//! `sebc decode --json` round-trips: every vector and every fixture plist, decoded to JSON and read back,
//! gives the same canonical XML and the same Config Key as the original (so `<data>`, `<date>`, reals
//! and integers stay apart). Checked against Python's plistlib too, which knows the plist types itself.
mod common;

use common::{run, sebc};
use std::path::PathBuf;
use std::process::Output;

fn with_password(args: &[&str], password: Option<&str>) -> Output {
    let mut cmd = sebc();
    cmd.args(args);
    if let Some(pw) = password {
        cmd.env("SEBC_TEST_VECTOR_PASSWORD", pw)
            .args(["--password-env", "SEBC_TEST_VECTOR_PASSWORD"]);
    }
    cmd.output().expect("sebc runs")
}

fn ok(o: Output, what: &str) -> Vec<u8> {
    assert!(o.status.success(), "{what}: {}", common::stderr(&o));
    o.stdout
}

fn files() -> Vec<(PathBuf, Option<&'static str>)> {
    let mut files: Vec<_> = std::fs::read_dir(common::root().join("fixtures/templates"))
        .expect("fixtures/templates")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "plist"))
        .map(|p| (p, None))
        .collect();
    files.push((
        common::root().join("fixtures/invalid/support/legacy-with-date.plist"),
        None,
    ));
    if let Some(dir) = common::vectors_dir() {
        files.extend(common::vector_files(&dir));
    }
    files
}

#[test]
fn decode_json_reads_back_to_the_same_xml_and_config_key() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut tagged = 0;
    for (i, (path, password)) in files().iter().enumerate() {
        let p = path.to_str().expect("utf-8 path");
        let xml = ok(with_password(&["decode", p], *password), p);
        let json = ok(with_password(&["decode", p, "--json"], *password), p);
        let text = String::from_utf8(json.clone()).expect("JSON is UTF-8");
        tagged += usize::from(text.contains("\"$data\"") || text.contains("\"$date\""));
        let back = tmp.path().join(format!("{i}.json"));
        std::fs::write(&back, &json).expect("write");
        let b = back.to_str().expect("utf-8 path");
        assert_eq!(
            String::from_utf8_lossy(&ok(run(&["decode", b]), b)),
            String::from_utf8_lossy(&xml),
            "{p}: XML after the JSON round trip"
        );
        assert_eq!(
            ok(run(&["decode", b, "--json"]), b),
            json,
            "{p}: JSON is a fixed point"
        );
        let key = |file: &str, pw| ok(with_password(&["config-key", file], pw), file);
        // config-key reads `.json` as an exam file; the XML of the round trip carries the same settings.
        let xml_back = tmp.path().join(format!("{i}.plist"));
        std::fs::write(&xml_back, ok(run(&["decode", b]), b)).expect("write");
        assert_eq!(
            key(xml_back.to_str().unwrap(), None),
            key(p, *password),
            "{p}: Config Key after the JSON round trip"
        );
    }
    // The fixture with a `<date>` alone guarantees one; the vectors add salts (`<data>`).
    assert!(tagged >= 1, "no file exercised $data or $date");
}

#[test]
fn python_plistlib_agrees_on_the_types() {
    // An independent reader: plistlib loads the original, and the JSON must carry the same types.
    let file = common::root().join("fixtures/invalid/support/legacy-with-date.plist");
    let json = ok(run(&["decode", file.to_str().unwrap(), "--json"]), "decode");
    let script = r#"
import json, plistlib, sys, base64, datetime
orig = plistlib.load(open(sys.argv[1], 'rb'))
tagged = json.load(sys.stdin)
def same(o, t, at):
    if isinstance(o, bool): assert t is o, at
    elif isinstance(o, int): assert type(t) is int and t == o, at
    elif isinstance(o, float): assert type(t) is float and t == o, at
    elif isinstance(o, str): assert t == o, at
    elif isinstance(o, bytes): assert base64.b64decode(t['$data']) == o, at
    elif isinstance(o, datetime.datetime):
        assert datetime.datetime.strptime(t['$date'], '%Y-%m-%dT%H:%M:%SZ') == o, at
    elif isinstance(o, list):
        assert len(o) == len(t), at
        for i, (a, b) in enumerate(zip(o, t)): same(a, b, f'{at}/{i}')
    elif isinstance(o, dict):
        if len(o) == 1 and next(iter(o)).startswith('$'): t = t['$dict']
        assert sorted(o) == sorted(t), at
        for k in o: same(o[k], t[k], f'{at}/{k}')
    else: raise AssertionError(f'{at}: {type(o)}')
same(orig, tagged, '')
print('types agree')
"#;
    let mut child = std::process::Command::new("python3")
        .args(["-c", script, file.to_str().unwrap()])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs");
    use std::io::Write;
    child.stdin.take().unwrap().write_all(&json).unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(
        o.status.success() && String::from_utf8_lossy(&o.stdout).contains("types agree"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn a_bad_json_file_is_an_error_naming_the_place() {
    let tmp = tempfile::tempdir().expect("tempdir");
    for (text, expected) in [
        (r#"{"a": {"$data": "!!"}}"#, "/a: $data is not Base64"),
        (r#"{"a": [null]}"#, "/a/0: null has no property-list type"),
        (r#"[1]"#, "must be a JSON object"),
        (r#"{"a": "#, "not JSON"),
    ] {
        let f = tmp.path().join("bad.json");
        std::fs::write(&f, text).unwrap();
        let o = run(&["decode", f.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(1), "{text}");
        let err = common::stderr(&o);
        assert!(
            err.contains(expected) && err.contains("bad.json"),
            "{text}: {err}"
        );
    }
}

#[test]
fn an_exam_takes_data_in_the_tagged_form_and_writes_the_same_bytes() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let exam = tmp.path().join("salted.yaml");
    common::write(
        &exam,
        "exam: { id: salted }\nseb:\n  examKeySalt: { $data: \"AAE=\" }\n  configKeySalt: \"AAI=\"\noutput: { format: plist }\n",
    );
    let out = tmp.path().join("out");
    let o = run(&[
        "compile",
        exam.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    let plist = std::fs::read_to_string(out.join("salted.plist")).expect("output");
    assert!(
        plist.contains("<key>examKeySalt</key>\n\t<data>AAE=</data>"),
        "{plist}"
    );
    assert!(
        plist.contains("<key>configKeySalt</key>\n\t<data>AAI=</data>"),
        "{plist}"
    );
}
