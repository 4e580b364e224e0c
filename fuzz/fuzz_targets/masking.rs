//! The masking property on arbitrary exam text (YAML, TOML or JSON, chosen by the first byte): no
//! literal secret the loader finds shows in any rendering (human, JSON, GitHub) of any diagnostic of
//! loading and validating it, and nothing panics.
//!
//! Checked are the secrets a renderer cannot produce by itself: 4 or more printable ASCII characters
//! (shorter ones are masked as whole tokens only, by policy) holding one of `#$&;<>?@~`, which no
//! renderer ever draws, and none of the characters renderers draw next to or inside the texts they
//! quote (spaces, `*` of the mask, `.` of a cut, `(` `)` `%` `"` `\`). Any occurrence of such a secret
//! in the output therefore comes from a text that should have been redacted. JSON lines are parsed
//! back and GitHub messages unescaped before searching, so escaping cannot hide an occurrence.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sebc::diagnostic::{MessageFormat, Quoter, render_with};
use sebc::load::{ExamTree, Syntax, load_text};
use sebc::source::Sources;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let (syntax, file) = match selector % 3 {
        0 => (Syntax::Yaml, "f.yaml"),
        1 => (Syntax::Toml, "f.toml"),
        _ => (Syntax::Json, "f.json"),
    };
    let mut sources = Sources::default();
    let diags = match load_text(text.into(), syntax, Path::new(file), file, &mut sources) {
        Ok(main) => {
            sebc::validate::validate(ExamTree {
                main,
                bases: Vec::new(),
            })
            .1
        }
        Err(diags) => diags,
    };
    let secrets: Vec<&str> = sources
        .literals()
        .values()
        .filter(|s| checkable(s))
        .collect();
    let quoter = Quoter::new(&sources);
    for d in &diags {
        for format in [
            MessageFormat::Human,
            MessageFormat::Json,
            MessageFormat::Github,
        ] {
            let out = render_with(d, format, false, &quoter);
            let visible = match format {
                MessageFormat::Human => out,
                MessageFormat::Json => json_texts(&out),
                MessageFormat::Github => github_message(&out),
            };
            for s in &secrets {
                assert!(
                    !visible.contains(s),
                    "literal secret {s:?} shown in the {format:?} form:\n{visible}"
                );
            }
        }
    }
});

/// Whether an occurrence of `s` in a rendering can only come from a text that holds it.
fn checkable(s: &str) -> bool {
    s.chars().count() >= 4
        && s.chars().any(|c| "#$&;<>?@~".contains(c))
        && s.chars()
            .all(|c| c.is_ascii_graphic() && !"*.%\"\\()".contains(c))
}

/// The texts of a JSON diagnostic (message, hint, pointer, labels), unescaped.
fn json_texts(line: &str) -> String {
    fn collect(v: &serde_json::Value, key: &str, out: &mut String) {
        match v {
            serde_json::Value::String(s) if !matches!(key, "code" | "severity" | "file") => {
                out.push_str(s);
                out.push('\n');
            }
            serde_json::Value::Array(items) => items.iter().for_each(|i| collect(i, key, out)),
            serde_json::Value::Object(map) => map.iter().for_each(|(k, v)| collect(v, k, out)),
            _ => {}
        }
    }
    let value: serde_json::Value =
        serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
    let mut out = String::new();
    collect(&value, "", &mut out);
    out
}

/// The message of a GitHub workflow command, unescaped (`%25`, `%0D`, `%0A`).
fn github_message(line: &str) -> String {
    let message = line.splitn(3, "::").nth(2).unwrap_or("");
    let mut out = String::new();
    let mut rest = message;
    while let Some(i) = rest.find('%') {
        out.push_str(&rest[..i]);
        let code = rest.get(i..i + 3).unwrap_or("");
        out.push_str(match code {
            "%25" => "%",
            "%0D" => "\r",
            "%0A" => "\n",
            _ => panic!("bad escape in {line}"),
        });
        rest = &rest[i + 3..];
    }
    out.push_str(rest);
    out
}
