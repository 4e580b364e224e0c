//! JSON Schema errors as diagnostics: a code per error kind, the user's words for the location, the
//! offending value unless it may be a secret, and hints (did-you-mean for unknown keys and settings).

use crate::catalog::Catalog;
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::load::LoadedExam;
use jsonschema::error::{TypeKind, ValidationErrorKind};
use serde_json::Value;

/// A secret must never be quoted back; values under keys whose names suggest one (or an API key) are
/// not shown.
fn may_show_value(pointer: &str) -> bool {
    let last = pointer.rsplit('/').next().unwrap_or("");
    !(crate::secret::name_suggests_secret(last) || last.to_lowercase().contains("key"))
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
            format!("`{}`", crate::pointer::unescape_segment(last))
        }
        _ => "the document".to_string(),
    }
}

/// The diagnostics of one schema error: one per unknown key, else one.
pub(super) fn schema_diagnostics(
    src: &LoadedExam,
    e: &jsonschema::ValidationError,
) -> Vec<Diagnostic> {
    let pointer = e.instance_path().as_str().to_string();
    if let ValidationErrorKind::AdditionalProperties { unexpected } = e.kind() {
        return unexpected
            .iter()
            .map(|key| unknown_key(src, &pointer, key))
            .collect();
    }
    let d = error_diagnostic(e, &pointer);
    let d = if is_secret_location(&pointer) {
        d.secret()
    } else {
        d
    };
    vec![d.at(&src.display, src.map.value(&pointer)).pointer(pointer)]
}

/// The diagnostic of a schema error other than unknown keys, not yet placed in the file.
fn error_diagnostic(e: &jsonschema::ValidationError, pointer: &str) -> Diagnostic {
    let instance = e.instance();
    let subject = subject(pointer);
    // The offending value, quoted after the subject, unless it may be a secret or is a whole structure.
    let shown = if may_show_value(pointer) && !instance.is_object() && !instance.is_array() {
        format!(" {}", show(instance))
    } else {
        String::new()
    };
    match e.kind() {
        ValidationErrorKind::Type { kind } => wrong_type(&subject, kind, instance, &shown),
        ValidationErrorKind::Enum { options } => not_allowed(&subject, options, &shown),
        ValidationErrorKind::Minimum { limit }
        | ValidationErrorKind::ExclusiveMinimum { limit } => Diagnostic::error(
            "out-of-range",
            format!("{subject}{shown} is below the minimum {limit}"),
        ),
        ValidationErrorKind::Maximum { limit }
        | ValidationErrorKind::ExclusiveMaximum { limit } => above_maximum(&subject, limit, &shown),
        ValidationErrorKind::Required { property } => {
            let name = property.as_str().unwrap_or("?");
            Diagnostic::error(
                "missing-key",
                format!("missing required key `{name}` in {}", section_name(pointer)),
            )
        }
        ValidationErrorKind::Pattern { pattern } => Diagnostic::error(
            "invalid-value",
            format!("{subject}{shown} does not match the pattern {pattern}"),
        )
        .hint(pattern_hint(pointer)),
        ValidationErrorKind::Format { format } => Diagnostic::error(
            "invalid-format",
            format!("{subject}{shown} is not a valid {format}"),
        )
        .hint(format_hint(format)),
        ValidationErrorKind::MinLength { limit } => Diagnostic::error(
            "invalid-value",
            format!("{subject} must be at least {limit} characters long"),
        ),
        ValidationErrorKind::MaxLength { limit } => Diagnostic::error(
            "invalid-value",
            format!("{subject} must be at most {limit} characters long"),
        ),
        ValidationErrorKind::AnyOf { .. } | ValidationErrorKind::OneOfNotValid { .. } => {
            unexpected_form(e, pointer, &subject)
        }
        _ => Diagnostic::error("schema", format!("{}", e.masked())),
    }
}

/// A value of the wrong JSON type.
fn wrong_type(subject: &str, kind: &TypeKind, instance: &Value, shown: &str) -> Diagnostic {
    let expected = format!("{kind:?}")
        .to_lowercase()
        .replace("single(", "")
        .replace(')', "");
    Diagnostic::error(
        "wrong-type",
        format!(
            "{subject} must be {}, found {}{shown}",
            article(&expected),
            json_type_name(instance),
        ),
    )
    .hint(type_hint(&expected))
}

/// A value outside an enumeration, with the allowed values as the hint.
fn not_allowed(subject: &str, options: &Value, shown: &str) -> Diagnostic {
    let list: Vec<String> = options
        .as_array()
        .map(|a| a.iter().map(show).collect())
        .unwrap_or_default();
    let value = if shown.is_empty() {
        " this value"
    } else {
        shown
    };
    Diagnostic::error("not-allowed", format!("{subject} does not allow{value}"))
        .hint(format!("allowed values: {}", list.join(", ")))
}

/// A number above its maximum; SEB's integers end at `i32::MAX`.
fn above_maximum(subject: &str, limit: &Value, shown: &str) -> Diagnostic {
    let note = if limit.as_i64() == Some(i32::MAX as i64) {
        " (SEB integers are 32-bit)"
    } else {
        ""
    };
    Diagnostic::error(
        "out-of-range",
        format!("{subject}{shown} is above the maximum {limit}{note}"),
    )
}

/// A value that fits none of a location's forms: a secret reference, or another composite.
fn unexpected_form(e: &jsonschema::ValidationError, pointer: &str, subject: &str) -> Diagnostic {
    if is_secret_location(pointer) {
        Diagnostic::error(
            "invalid-secret",
            format!("{subject} must be a secret reference"),
        )
        .hint("write { env: NAME } to read it from the environment, or { file: PATH }")
    } else if pointer
        .rsplit('/')
        .next()
        .and_then(|key| Catalog::get().setting(key))
        .is_some_and(|s| s.ty == crate::catalog::SettingType::Data)
    {
        Diagnostic::error(
            "wrong-type",
            format!(
                "{subject} must be Base64 text, found {}",
                json_type_name(e.instance())
            ),
        )
        .hint("write the bytes as standard Base64, either as a string or as { $data: BASE64 } (the form `sebc decode --json` prints)")
    } else {
        Diagnostic::error("wrong-type", format!("{subject} has an unexpected form"))
            .hint(format!("{}", e.masked()))
    }
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
    let d = match parent {
        "/seb" => unknown_seb_setting(key),
        "/proctoring" => unknown_proctoring_setting(key),
        _ if parent.starts_with("/seb/") || parent.starts_with("/proctoring/") => {
            unknown_column(parent, key)
        }
        _ => unknown_exam_file_key(parent, key),
    };
    d.at(&src.display, src.map.key(&pointer)).pointer(pointer)
}

/// An unknown key in `seb`.
fn unknown_seb_setting(key: &str) -> Diagnostic {
    let d = Diagnostic::error("unknown-setting", format!("unknown SEB setting `{key}`"));
    match Catalog::get().nearest_key(key) {
        Some(k) => d.hint(format!("did you mean `{k}`?")),
        None => d.hint("see `sebc schema` or schemas/seb-catalog.json for the SEB settings"),
    }
}

/// A key in `proctoring` that is a SEB setting of another tab, or no SEB setting at all.
fn unknown_proctoring_setting(key: &str) -> Diagnostic {
    let catalog = Catalog::get();
    if catalog.setting(key).is_some() {
        return Diagnostic::error(
            "not-a-proctoring-setting",
            format!("`{key}` is not on SEB's Proctoring tab"),
        )
        .hint(format!("move `{key}` to the `seb` section"));
    }
    let d = Diagnostic::error(
        "unknown-setting",
        format!("unknown proctoring setting `{key}`"),
    );
    match catalog.nearest_proctoring_key(key) {
        Some(k) => d.hint(format!("did you mean `{k}`?")),
        None => d,
    }
}

/// An unknown column of a table row (`/seb/URLFilterRules/0`) or of a composite table (`/seb/proxies`).
fn unknown_column(parent: &str, key: &str) -> Diagnostic {
    let mut segs = parent.split('/').skip(2);
    let table = segs.next().unwrap_or("");
    let row = segs.next().and_then(|r| r.parse::<usize>().ok());
    let columns: Vec<&str> = Catalog::get()
        .setting(table)
        .and_then(|s| s.columns.as_ref())
        .map(|c| c.iter().map(|c| &*c.key).collect())
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

/// An unknown key of the exam file's own structure (`exam`, `service`, `output`, ...).
fn unknown_exam_file_key(parent: &str, key: &str) -> Diagnostic {
    let known = crate::schema::exam_file_keys(parent);
    let d = Diagnostic::error(
        "unknown-key",
        format!("unknown key `{key}` in {}", section_name(parent)),
    );
    match did_you_mean(key, known.iter().copied()) {
        Some(k) => d.hint(format!("did you mean `{k}`?")),
        None if !known.is_empty() => d.hint(format!("expected one of: {}", known.join(", "))),
        None => d,
    }
}
