//! Writing an [`Imported`] configuration as an exam file: YAML and TOML with comments for the reader,
//! JSON without (it has none). Strings are written plain only when sebc's own loader reads the plain
//! form back as the same string; otherwise quoted.

use super::{Entry, Imported};
use crate::load::{Syntax, parse_exam};
use serde_json::Value as J;
use std::fmt::Write as _;
use std::path::Path;

/// The syntax of the written exam file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ImportFormat {
    #[default]
    Yaml,
    Toml,
    Json,
}

impl ImportFormat {
    pub fn extension(self) -> &'static str {
        match self {
            ImportFormat::Yaml => "yaml",
            ImportFormat::Toml => "toml",
            ImportFormat::Json => "json",
        }
    }
}

/// The exam file's text.
pub fn render(i: &Imported, format: ImportFormat) -> String {
    match format {
        ImportFormat::Yaml => yaml(i),
        ImportFormat::Toml => toml(i),
        ImportFormat::Json => json(i),
    }
}

fn header(i: &Imported) -> Vec<String> {
    let mut lines = vec![
        format!("Imported by `sebc import` from {}", i.source),
        format!("(its Config Key: {}).", i.config_key),
    ];
    lines.push(if i.minimal {
        "The original leaves out settings a full output would write, so this exam is `minimal`: \
         it lists every setting the original has."
            .to_string()
    } else {
        "Only what differs from SEB's defaults is written; `null` drops a default the original \
         leaves out."
            .to_string()
    });
    lines
}

/// Comment lines for the verbatim base (`extends`).
fn verbatim_comment(i: &Imported) -> Vec<String> {
    let mut lines =
        vec!["Settings an exam file cannot express exactly, kept verbatim in this plist:".into()];
    for (k, why) in &i.verbatim_why {
        lines.push(format!("  {k}: {}", why.reason()));
    }
    lines
}

/// `# text` at `indent`, wrapped at words to lines of about 100 characters. Characters that could end
/// a comment or that YAML/TOML comments may not hold (a key of the original can carry any) are
/// escaped (`\u000d`).
fn comment(out: &mut String, indent: usize, text: &str) {
    let mut safe = String::with_capacity(text.len());
    for c in text.chars() {
        if c != '\n' && (needs_escape(c) || c.is_control()) {
            let _ = write!(safe, "\\u{:04x}", c as u32);
        } else {
            safe.push(c);
        }
    }
    for line in safe.lines() {
        let lead = line.len() - line.trim_start().len();
        let mut current = String::new();
        for word in line.split_whitespace() {
            if !current.is_empty() && indent + lead + current.len() + word.len() > 96 {
                let _ = writeln!(out, "{:indent$}# {:lead$}{current}", "", "");
                current.clear();
            }
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(word);
        }
        let _ = writeln!(out, "{:indent$}# {:lead$}{current}", "", "");
    }
}

// ---- YAML ----

fn yaml(i: &Imported) -> String {
    let mut out = String::new();
    for line in header(i) {
        comment(&mut out, 0, &line);
    }
    let _ = writeln!(out, "exam:\n  id: {}", yaml_string(&i.id));
    if let Some(file) = i.verbatim_file() {
        out.push_str("extends:\n");
        for line in verbatim_comment(i) {
            comment(&mut out, 2, &line);
        }
        let _ = writeln!(out, "  - {}", yaml_string(&file));
    }
    for (name, entries) in [("seb", &i.seb), ("proctoring", &i.proctoring)] {
        if entries.is_empty() {
            continue;
        }
        let _ = writeln!(out, "{name}:");
        for e in entries {
            yaml_entry(&mut out, e);
        }
    }
    if let Some((targets, key)) = &i.clients {
        out.push_str("clients:\n");
        comment(&mut out, 2, &clients_comment(key));
        for (platform, target) in client_targets(targets) {
            let _ = writeln!(out, "  {platform}: {}", yaml_scalar(&target));
        }
    }
    if i.minimal {
        out.push_str("output:\n  minimal: true\n");
    }
    out
}

fn clients_comment(key: &str) -> String {
    format!(
        "Not every current SEB release runs these settings (`{key}`, see `sebc settings {key}`): \
         the releases that do."
    )
}

/// `windows=3.2..3.6,macos=false` as (platform, `"3.2..3.6"` or `false`) pairs.
fn client_targets(cli: &str) -> Vec<(String, J)> {
    cli.split(',')
        .filter_map(|part| part.split_once('='))
        .map(|(p, v)| {
            let v = match v {
                "false" => J::Bool(false),
                "true" => J::Bool(true),
                v => J::String(v.to_string()),
            };
            (p.to_string(), v)
        })
        .collect()
}

fn yaml_entry(out: &mut String, e: &Entry) {
    if let Some(c) = &e.comment {
        comment(out, 2, c);
    }
    let key = yaml_string(&e.key);
    match &e.value {
        None => {
            let _ = writeln!(out, "  {key}: null");
        }
        Some(v) => yaml_pair(out, 2, &key, v),
    }
}

/// `key: value` at `indent`, collections in block style below it.
fn yaml_pair(out: &mut String, indent: usize, key: &str, v: &J) {
    match v {
        J::Array(a) if !a.is_empty() => {
            let _ = writeln!(out, "{:indent$}{key}:", "");
            yaml_block(out, indent + 2, v);
        }
        J::Object(o) if !o.is_empty() => {
            let _ = writeln!(out, "{:indent$}{key}:", "");
            yaml_block(out, indent + 2, v);
        }
        _ => {
            let _ = writeln!(out, "{:indent$}{key}: {}", "", yaml_scalar(v));
        }
    }
}

/// A non-empty collection in block style at `indent`.
fn yaml_block(out: &mut String, indent: usize, v: &J) {
    match v {
        J::Array(items) => {
            for item in items {
                let nested = matches!(item, J::Array(a) if !a.is_empty())
                    || matches!(item, J::Object(o) if !o.is_empty());
                if nested {
                    // The item's block at indent + 2, its first line's indentation replaced by "- ".
                    let mut inner = String::new();
                    yaml_block(&mut inner, indent + 2, item);
                    let _ = write!(out, "{:indent$}- {}", "", &inner[indent + 2..]);
                } else {
                    let _ = writeln!(out, "{:indent$}- {}", "", yaml_scalar(item));
                }
            }
        }
        J::Object(o) => {
            for (k, v) in o {
                yaml_pair(out, indent, &yaml_string(k), v);
            }
        }
        _ => {
            let _ = writeln!(out, "{:indent$}{}", "", yaml_scalar(v));
        }
    }
}

fn yaml_scalar(v: &J) -> String {
    match v {
        J::Null => "null".into(),
        J::Bool(b) => b.to_string(),
        J::Number(n) => number(n),
        J::String(s) => yaml_string(s),
        J::Array(_) => "[]".into(),
        J::Object(_) => "{}".into(),
    }
}

/// A number as the loaders read it back exactly: integers as they are, reals in Rust's shortest
/// round-trip form with a fraction or exponent (`1.0`, `1e-5`), so they stay reals.
fn number(n: &serde_json::Number) -> String {
    match (n.as_i64(), n.as_u64(), n.as_f64()) {
        (Some(i), _, _) if !n.is_f64() => i.to_string(),
        (_, Some(u), _) if !n.is_f64() => u.to_string(),
        (_, _, Some(f)) => format!("{f:?}"),
        _ => n.to_string(),
    }
}

/// A YAML scalar for `s`: plain when sebc's YAML loader reads the plain form back as this very
/// string, else double-quoted with every character YAML may not hold raw escaped.
pub fn yaml_string(s: &str) -> String {
    if plain_reads_back(s) {
        return s.to_string();
    }
    let mut q = String::with_capacity(s.len() + 2);
    q.push('"');
    for c in s.chars() {
        match c {
            '"' => q.push_str("\\\""),
            '\\' => q.push_str("\\\\"),
            '\n' => q.push_str("\\n"),
            '\t' => q.push_str("\\t"),
            '\r' => q.push_str("\\r"),
            c if needs_escape(c) => {
                let _ = write!(q, "\\u{:04x}", c as u32);
            }
            c => q.push(c),
        }
    }
    q.push('"');
    q
}

/// C0 and C1 controls, DEL, line/paragraph separators, BOM, non-characters: never raw in YAML.
fn needs_escape(c: char) -> bool {
    (c as u32) < 0x20
        || (0x7f..=0x9f).contains(&(c as u32))
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
        )
}

fn plain_reads_back(s: &str) -> bool {
    // Quick refusals (and the only place a plain scalar could start a comment or a structure).
    if s.is_empty()
        || s.trim() != s
        || s.contains(['\n', '\r', '\t', '#', '"', '\'', '\\'])
        || s.contains(": ")
        || s.ends_with(':')
        || s.chars().any(needs_escape)
    {
        return false;
    }
    let text = format!("k: {s}\n");
    parse_exam(&text, Syntax::Yaml, Path::new("plain.yaml"), "plain.yaml")
        .is_ok_and(|d| d.value.get("k") == Some(&J::String(s.to_string())))
}

// ---- TOML ----

fn toml(i: &Imported) -> String {
    let mut out = String::new();
    for line in header(i) {
        comment(&mut out, 0, &line);
    }
    if let Some(file) = i.verbatim_file() {
        for line in verbatim_comment(i) {
            comment(&mut out, 0, &line);
        }
        let _ = writeln!(out, "extends = [{}]", toml_string(&file));
    }
    let _ = writeln!(out, "\n[exam]\nid = {}", toml_string(&i.id));
    for (name, entries) in [("seb", &i.seb), ("proctoring", &i.proctoring)] {
        if entries.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n[{name}]");
        for e in entries {
            if let Some(c) = &e.comment {
                comment(&mut out, 0, c);
            }
            // TOML has no null: `import` writes such files minimal, with no `None` entries.
            if let Some(v) = &e.value {
                let _ = writeln!(out, "{} = {}", toml_key(&e.key), toml_value(v));
            }
        }
    }
    if let Some((targets, key)) = &i.clients {
        out.push_str("\n[clients]\n");
        comment(&mut out, 0, &clients_comment(key));
        for (platform, target) in client_targets(targets) {
            let _ = writeln!(out, "{platform} = {}", toml_value(&target));
        }
    }
    if i.minimal {
        out.push_str("\n[output]\nminimal = true\n");
    }
    out
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn toml_key(k: &str) -> String {
    if !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        k.to_string()
    } else {
        toml_string(k)
    }
}

fn toml_value(v: &J) -> String {
    match v {
        J::Null => "\"\"".into(),
        J::Bool(b) => b.to_string(),
        J::Number(n) => number(n),
        J::String(s) => toml_string(s),
        J::Array(a) => {
            let items: Vec<String> = a.iter().map(toml_value).collect();
            format!("[{}]", items.join(", "))
        }
        J::Object(o) => {
            let items: Vec<String> = o
                .iter()
                .map(|(k, v)| format!("{} = {}", toml_key(k), toml_value(v)))
                .collect();
            if items.is_empty() {
                "{}".into()
            } else {
                format!("{{ {} }}", items.join(", "))
            }
        }
    }
}

// ---- JSON ----

fn json(i: &Imported) -> String {
    let section = |entries: &[Entry]| -> J {
        J::Object(
            entries
                .iter()
                .map(|e| (e.key.clone(), e.value.clone().unwrap_or(J::Null)))
                .collect(),
        )
    };
    let mut doc = serde_json::Map::new();
    doc.insert("exam".into(), serde_json::json!({ "id": i.id }));
    if let Some(file) = i.verbatim_file() {
        doc.insert("extends".into(), serde_json::json!([file]));
    }
    if !i.seb.is_empty() {
        doc.insert("seb".into(), section(&i.seb));
    }
    if !i.proctoring.is_empty() {
        doc.insert("proctoring".into(), section(&i.proctoring));
    }
    if let Some((targets, _)) = &i.clients {
        doc.insert(
            "clients".into(),
            J::Object(client_targets(targets).into_iter().collect()),
        );
    }
    if i.minimal {
        doc.insert("output".into(), serde_json::json!({ "minimal": true }));
    }
    let mut s = serde_json::to_string_pretty(&J::Object(doc)).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reads_back(s: &str) {
        let text = format!("k: {}\n", yaml_string(s));
        let d = parse_exam(&text, Syntax::Yaml, Path::new("t.yaml"), "t.yaml")
            .unwrap_or_else(|e| panic!("{s:?} as {text:?}: {e:?}"));
        assert_eq!(d.value["k"], J::String(s.into()), "{text:?}");
        let direct: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
        assert_eq!(direct["k"], J::String(s.into()), "serde-saphyr: {text:?}");
    }

    #[test]
    fn every_string_reads_back_as_itself() {
        for s in [
            "",
            " ",
            "plain",
            "https://lms.example.org/mod/quiz/view.php?id=42#frag",
            "true",
            "True",
            "yes",
            "no",
            "off",
            "null",
            "~",
            "1",
            "0x10",
            "1e3",
            "1_000",
            ".inf",
            "-.nan",
            "2026-12-01",
            "a: b",
            "a:",
            "- a",
            "? a",
            "[a]",
            "{a}",
            "*a",
            "&a",
            "!a",
            "|",
            ">",
            "%a",
            "@a",
            "`a",
            "a #b",
            "#a",
            "'a'",
            "\"a\"",
            "a\\b",
            "line\nline",
            " lead",
            "trail ",
            "tab\there",
            "Prüfung \"A\"",
            "\u{85}\u{2028}\u{feff}",
            "---",
            "...",
            "=",
            "<<",
            ",a",
        ] {
            reads_back(s);
        }
        assert_eq!(yaml_string("lms.example.org/*"), "lms.example.org/*");
        // Control characters no plist carries are escaped, never written raw (the loader then refuses
        // them by name: `invalid-character`).
        assert_eq!(yaml_string("\u{1b}[2J\u{0}"), "\"\\u001b[2J\\u0000\"");
        assert_eq!(yaml_string("true"), "\"true\"");
    }

    proptest::proptest! {
        #[test]
        fn any_string_reads_back(s in "\\PC{0,12}|[ -~]{0,12}|[:#\\-?\\[\\]{}&*!|>'\"%@`, a-z0-9.~]{0,8}") {
            reads_back(&s);
        }
    }

    #[test]
    fn reals_stay_reals_and_integers_integers() {
        for (j, text) in [
            (serde_json::json!(1.0), "1.0"),
            (serde_json::json!(1e-5), "1e-5"),
            (serde_json::json!(1e300), "1e300"),
            (serde_json::json!(-0.5), "-0.5"),
            (serde_json::json!(42), "42"),
            (serde_json::json!(-7), "-7"),
        ] {
            let J::Number(n) = &j else { panic!() };
            assert_eq!(number(n), text);
            let doc = format!("k: {text}\n");
            let d = parse_exam(&doc, Syntax::Yaml, Path::new("t.yaml"), "t.yaml").unwrap();
            assert_eq!(d.value["k"], j, "{doc}");
            let doc = format!("k = {text}\n");
            let d = parse_exam(&doc, Syntax::Toml, Path::new("t.toml"), "t.toml").unwrap();
            assert_eq!(d.value["k"], j, "{doc}");
        }
    }
}
