//! JSON Schema errors as diagnostics: a code per error kind, the user's words for the location, the
//! offending value unless it may be a secret, and hints (did-you-mean for unknown keys and settings).

use crate::catalog::Catalog;
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::load::LoadedExam;
use jsonschema::error::ValidationErrorKind;
use serde_json::Value;

/// A secret must never be quoted back; values under keys like these are not shown.
fn may_show_value(pointer: &str) -> bool {
    let last = pointer.rsplit('/').next().unwrap_or("").to_lowercase();
    !["secret", "password", "token", "key"]
        .iter()
        .any(|w| last.contains(w))
}

fn show(v: &Value) -> String {
    match v {
        Value::String(s) if s.chars().count() > 60 => {
            format!("\"{}…\"", s.chars().take(60).collect::<String>())
        }
        Value::Array(_) => "an array".to_string(),
        Value::Object(_) => "a mapping".to_string(),
        other => other.to_string(),
    }
}

fn json_type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_f64() => "a real number",
        Value::Number(_) => "an integer",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "a mapping",
    }
}

/// The name a user knows a location by: the setting key, or the section.
pub(super) fn subject(pointer: &str) -> String {
    match pointer.rsplit('/').next() {
        Some(last) if !last.is_empty() => {
            format!("`{}`", last.replace("~1", "/").replace("~0", "~"))
        }
        _ => "the document".to_string(),
    }
}

pub(super) fn schema_diagnostics(
    src: &LoadedExam,
    e: &jsonschema::ValidationError,
) -> Vec<Diagnostic> {
    let pointer = e.instance_path().as_str().to_string();
    let instance = e.instance();
    let at = src.map.value(&pointer);
    let file = src.display.as_str();
    let shown = if may_show_value(&pointer) && !instance.is_object() && !instance.is_array() {
        format!(" {}", show(instance))
    } else {
        String::new()
    };
    let d = match e.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            return unexpected
                .iter()
                .map(|key| unknown_key(src, &pointer, key))
                .collect();
        }
        ValidationErrorKind::Type { kind } => {
            let expected = format!("{kind:?}")
                .to_lowercase()
                .replace("single(", "")
                .replace(')', "");
            Diagnostic::error(
                "wrong-type",
                format!(
                    "{} must be {}, found {}{}",
                    subject(&pointer),
                    article(&expected),
                    json_type_name(instance),
                    shown
                ),
            )
            .hint(type_hint(&expected))
        }
        ValidationErrorKind::Enum { options } => {
            let list: Vec<String> = options
                .as_array()
                .map(|a| a.iter().map(show).collect())
                .unwrap_or_default();
            Diagnostic::error(
                "not-allowed",
                format!(
                    "{} does not allow{}",
                    subject(&pointer),
                    if shown.is_empty() {
                        " this value".into()
                    } else {
                        shown.clone()
                    }
                ),
            )
            .hint(format!("allowed values: {}", list.join(", ")))
        }
        ValidationErrorKind::Minimum { limit }
        | ValidationErrorKind::ExclusiveMinimum { limit } => Diagnostic::error(
            "out-of-range",
            format!(
                "{}{} is below the minimum {limit}",
                subject(&pointer),
                shown
            ),
        ),
        ValidationErrorKind::Maximum { limit }
        | ValidationErrorKind::ExclusiveMaximum { limit } => {
            let hint = if limit.as_i64() == Some(i32::MAX as i64) {
                " (SEB integers are 32-bit)"
            } else {
                ""
            };
            Diagnostic::error(
                "out-of-range",
                format!(
                    "{}{} is above the maximum {limit}{hint}",
                    subject(&pointer),
                    shown
                ),
            )
        }
        ValidationErrorKind::Required { property } => {
            let name = property.as_str().unwrap_or("?");
            Diagnostic::error(
                "missing-key",
                format!(
                    "missing required key `{name}` in {}",
                    section_name(&pointer)
                ),
            )
        }
        ValidationErrorKind::Pattern { pattern } => Diagnostic::error(
            "invalid-value",
            format!(
                "{}{} does not match the pattern {pattern}",
                subject(&pointer),
                shown
            ),
        )
        .hint(pattern_hint(&pointer)),
        ValidationErrorKind::Format { format } => Diagnostic::error(
            "invalid-format",
            format!("{}{} is not a valid {format}", subject(&pointer), shown),
        )
        .hint(format_hint(format)),
        ValidationErrorKind::MinLength { limit } => Diagnostic::error(
            "invalid-value",
            format!(
                "{} must be at least {limit} characters long",
                subject(&pointer)
            ),
        ),
        ValidationErrorKind::MaxLength { limit } => Diagnostic::error(
            "invalid-value",
            format!(
                "{} must be at most {limit} characters long",
                subject(&pointer)
            ),
        ),
        ValidationErrorKind::AnyOf { .. } | ValidationErrorKind::OneOfNotValid { .. } => {
            if is_secret_location(&pointer) {
                Diagnostic::error(
                    "invalid-secret",
                    format!("{} must be a secret reference", subject(&pointer)),
                )
                .hint("write { env: NAME } to read it from the environment, or { file: PATH }")
            } else {
                Diagnostic::error(
                    "wrong-type",
                    format!("{} has an unexpected form", subject(&pointer)),
                )
                .hint(format!("{}", e.masked()))
            }
        }
        _ => Diagnostic::error("schema", format!("{}", e.masked())),
    };
    let d = if is_secret_location(&pointer) {
        d.secret()
    } else {
        d
    };
    vec![d.at(file, at).pointer(pointer)]
}

fn article(t: &str) -> String {
    match t {
        "object" => "a mapping".into(),
        "integer" | "array" => format!("an {t}"),
        _ => format!("a {t}"),
    }
}

fn type_hint(expected: &str) -> String {
    match expected {
        "boolean" => "write true or false (without quotes)".into(),
        "integer" => "write a whole number without quotes".into(),
        "number" => "write a number without quotes".into(),
        "string" => "quote the value".into(),
        "array" => "write a list".into(),
        _ => format!("expected {expected}"),
    }
}

fn pattern_hint(pointer: &str) -> String {
    if pointer == "/exam/id" {
        "exam ids use lowercase letters, digits, `-` and `_`, starting with a letter or digit"
            .into()
    } else {
        "check the value's spelling".into()
    }
}

fn format_hint(format: &str) -> String {
    match format {
        "date-time" => "write an RFC 3339 time such as 2026-12-01T09:00:00Z".into(),
        "uri" => "write an absolute URL such as https://meet.example.org".into(),
        _ => format!("expected the {format} format"),
    }
}

fn section_name(pointer: &str) -> String {
    if pointer.is_empty() {
        "the exam file".into()
    } else {
        format!("`{}`", pointer.trim_start_matches('/'))
    }
}

fn is_secret_location(pointer: &str) -> bool {
    crate::schema::is_secret_pointer(pointer)
}

/// An unknown key: a setting name with a did-you-mean hint, or an unknown exam-file key.
fn unknown_key(src: &LoadedExam, parent: &str, key: &str) -> Diagnostic {
    let pointer = format!("{parent}/{}", crate::load::escape_segment(key));
    let at = src.map.key(&pointer);
    let catalog = Catalog::get();
    let d = match parent {
        "/seb" => {
            let d = Diagnostic::error("unknown-setting", format!("unknown SEB setting `{key}`"));
            match did_you_mean(key, catalog.keys()) {
                Some(k) => d.hint(format!("did you mean `{k}`?")),
                None => {
                    d.hint("see `sebc schema` or schemas/seb-catalog.json for the SEB settings")
                }
            }
        }
        "/proctoring" => match catalog.setting(key) {
            Some(_) => Diagnostic::error(
                "not-a-proctoring-setting",
                format!("`{key}` is not on SEB's Proctoring tab"),
            )
            .hint(format!("move `{key}` to the `seb` section")),
            None => {
                let d = Diagnostic::error(
                    "unknown-setting",
                    format!("unknown proctoring setting `{key}`"),
                );
                let proctoring = catalog
                    .settings
                    .iter()
                    .filter(|s| s.is_proctoring())
                    .map(|s| s.key.as_str());
                match did_you_mean(key, proctoring) {
                    Some(k) => d.hint(format!("did you mean `{k}`?")),
                    None => d,
                }
            }
        },
        _ if parent.starts_with("/seb/") || parent.starts_with("/proctoring/") => {
            // A column of a table row (`/seb/URLFilterRules/0`) or of a composite table (`/seb/proxies`).
            let mut segs = parent.split('/').skip(2);
            let table = segs.next().unwrap_or("");
            let row = segs.next().and_then(|r| r.parse::<usize>().ok());
            let columns: Vec<&str> = catalog
                .setting(table)
                .and_then(|s| s.columns.as_ref())
                .map(|c| c.iter().map(|c| c.key.as_str()).collect())
                .unwrap_or_default();
            let place = match row {
                Some(r) => format!("row {} of `{table}`", r + 1),
                None => format!("`{table}`"),
            };
            let d = Diagnostic::error(
                "unknown-column",
                format!("unknown column `{key}` in {place}"),
            );
            match did_you_mean(key, columns.iter().copied()) {
                Some(k) => d.hint(format!("did you mean `{k}`?")),
                None => d.hint(format!("columns: {}", columns.join(", "))),
            }
        }
        _ => {
            let known = known_keys(parent);
            let d = Diagnostic::error(
                "unknown-key",
                format!("unknown key `{key}` in {}", section_name(parent)),
            );
            match did_you_mean(key, known.iter().copied()) {
                Some(k) => d.hint(format!("did you mean `{k}`?")),
                None if !known.is_empty() => {
                    d.hint(format!("expected one of: {}", known.join(", ")))
                }
                None => d,
            }
        }
    };
    d.at(&src.display, at).pointer(pointer)
}

/// Keys of an exam-file section, for hints (read from the generated schema so they never drift).
fn known_keys(parent: &str) -> Vec<&'static str> {
    use std::sync::OnceLock;
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    let schema = SCHEMA.get_or_init(crate::schema::exam_schema);
    let mut node = schema;
    for seg in parent.split('/').filter(|s| !s.is_empty()) {
        let Some(next) = node.get("properties").and_then(|p| p.get(seg)) else {
            return Vec::new();
        };
        node = resolve_ref(schema, next);
    }
    node.get("properties")
        .and_then(Value::as_object)
        .map(|p| {
            p.keys()
                .map(String::as_str)
                .filter(|k| *k != "$schema")
                .collect()
        })
        .unwrap_or_default()
}

fn resolve_ref<'a>(root: &'a Value, node: &'a Value) -> &'a Value {
    let target = node
        .get("$ref")
        .or_else(|| {
            node.get("anyOf")
                .and_then(|a| a.get(0))
                .and_then(|a| a.get("$ref"))
        })
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix('#'))
        .and_then(|p| root.pointer(p));
    target.unwrap_or(node)
}
