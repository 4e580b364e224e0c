//! Stage 2, validate: the JSON Schema (exam structure and every `seb:`/`proctoring:` setting against the
//! catalog), then semantic rules across fields. Every problem becomes a [`Diagnostic`]; nothing stops at
//! the first one.

use crate::catalog::Catalog;
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::exam::{ExamFile, TemplateFile};
use crate::load::{ExamTree, LoadedBase, LoadedExam};
use crate::secret::SecretRef;
use jsonschema::error::ValidationErrorKind;
use serde_json::Value;

/// A validated exam: the typed file, and its bases (templates validated too).
#[derive(Debug)]
pub struct ValidExam {
    pub source: LoadedExam,
    pub exam: ExamFile,
    pub bases: Vec<ValidBase>,
}

#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // a handful per exam
pub enum ValidBase {
    /// A plist or `.seb` base: settings as read.
    Plist {
        display: String,
        dict: std::sync::Arc<plist::Dictionary>,
    },
    /// An exam or template file used as a base.
    Template {
        source: std::sync::Arc<LoadedExam>,
        template: TemplateFile,
    },
}

/// Validates an exam and its bases. Returns the typed exam when there are no errors, and all diagnostics.
pub fn validate(tree: ExamTree) -> (Option<ValidExam>, Vec<Diagnostic>) {
    let mut diags = check_document(&tree.main, true);
    let mut bases = Vec::new();
    for base in tree.bases {
        match base {
            LoadedBase::Plist { display, dict } => bases.push(ValidBase::Plist { display, dict }),
            LoadedBase::Template(source) => {
                let mut d = check_document(&source, false);
                let failed = d.iter().any(Diagnostic::is_error);
                diags.append(&mut d);
                if !failed {
                    match serde_json::from_value::<TemplateFile>(source.value.clone()) {
                        Ok(template) => bases.push(ValidBase::Template { source, template }),
                        Err(e) => diags.push(
                            Diagnostic::error("schema", e.to_string())
                                .at(&source.display, Default::default()),
                        ),
                    }
                }
            }
        }
    }
    if diags.iter().any(Diagnostic::is_error) {
        return (None, diags);
    }
    match serde_json::from_value::<ExamFile>(tree.main.value.clone()) {
        Ok(exam) => (
            Some(ValidExam {
                source: tree.main,
                exam,
                bases,
            }),
            diags,
        ),
        Err(e) => {
            diags.push(
                Diagnostic::error("schema", e.to_string())
                    .at(&tree.main.display, Default::default()),
            );
            (None, diags)
        }
    }
}

/// Schema and semantic checks of one exam or template document.
fn check_document(src: &LoadedExam, is_exam: bool) -> Vec<Diagnostic> {
    let mut diags: Vec<Diagnostic> = crate::schema::validator()
        .iter_errors(&src.value)
        .filter(|e| is_exam || !is_missing_exam(e))
        .flat_map(|e| schema_diagnostics(src, &e))
        .collect();
    semantic_checks(src, &mut diags);
    diags
}

fn is_missing_exam(e: &jsonschema::ValidationError) -> bool {
    matches!(e.kind(), ValidationErrorKind::Required { property } if property == "exam")
        && e.instance_path().as_str().is_empty()
}

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
fn subject(pointer: &str) -> String {
    match pointer.rsplit('/').next() {
        Some(last) if !last.is_empty() => {
            format!("`{}`", last.replace("~1", "/").replace("~0", "~"))
        }
        _ => "the document".to_string(),
    }
}

fn schema_diagnostics(src: &LoadedExam, e: &jsonschema::ValidationError) -> Vec<Diagnostic> {
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
    let last = pointer.rsplit('/').next().unwrap_or("");
    last.ends_with("Secret") || last.ends_with("Password") || last == "password"
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

/// Rules the schema cannot express.
fn semantic_checks(src: &LoadedExam, diags: &mut Vec<Diagnostic>) {
    crate::proctoring::check(src, diags);
    let v = &src.value;
    let file = src.display.as_str();
    let catalog = Catalog::get();
    for section in ["seb", "proctoring"] {
        let Some(settings) = v.get(section).and_then(Value::as_object) else {
            continue;
        };
        for (key, value) in settings {
            let pointer = format!("/{section}/{}", crate::load::escape_segment(key));
            let Some(setting) = catalog.setting(key) else {
                continue;
            };
            if section == "seb" && setting.is_proctoring() {
                diags.push(
                    Diagnostic::warning("proctoring-setting-in-seb", format!("`{key}` is a Proctoring-tab setting"))
                        .at(file, src.map.key(&pointer))
                        .pointer(&pointer)
                        .hint("move it to the `proctoring` section, where sebc reconciles it with `service`"),
                );
            }
            if setting.deprecated {
                diags.push(
                    Diagnostic::warning("outdated-setting", format!("`{key}` is an outdated SEB setting"))
                        .at(file, src.map.key(&pointer))
                        .pointer(&pointer)
                        .hint("SEB for macOS deletes it when the configuration is re-saved; current clients ignore it"),
                );
            }
            if let Some(target) = &setting.hashed_into {
                if settings.contains_key(target) {
                    diags.push(
                        Diagnostic::error(
                            "conflicting-settings",
                            format!("both `{key}` and `{target}` are set"),
                        )
                        .at(file, src.map.key(&pointer))
                        .pointer(&pointer)
                        .hint(format!(
                            "keep `{key}`: sebc writes its SHA-256 hash as `{target}`"
                        )),
                    );
                }
                literal_secret_warning(src, &pointer, value, diags);
            }
            check_value_shape(src, key, &pointer, value, diags);
        }
    }
    for ptr in [
        "/service/appSecret",
        "/service/clientSecret",
        "/service/sdkSecret",
        "/screenProctoring/spsAPISecret",
        "/screenProctoring/spsAccountPassword",
        "/output/encryption/password",
    ] {
        if let Some(value) = v.pointer(ptr) {
            literal_secret_warning(src, ptr, value, diags);
        }
    }
    if let (Some(start), Some(end)) = (
        v.pointer("/exam/start").and_then(Value::as_str),
        v.pointer("/exam/end").and_then(Value::as_str),
    ) && let (Some(s), Some(e)) = (rfc3339_seconds(start), rfc3339_seconds(end))
        && e <= s
    {
        diags.push(
            Diagnostic::error("invalid-time-range", "the exam ends before it starts")
                .at(file, src.map.value("/exam/end"))
                .pointer("/exam/end")
                .hint(format!("`end` must be after `start` ({start})")),
        );
    }
    if v.pointer("/output/encryption") == Some(&Value::String("configuringClient".into()))
        && v.pointer("/seb/adminPassword").is_none()
        && v.get("extends").is_none()
    {
        diags.push(
            Diagnostic::warning("pwcc-without-admin-password", "`configuringClient` encryption without `adminPassword`")
                .at(file, src.map.value("/output/encryption"))
                .pointer("/output/encryption")
                .hint("the file is then encrypted with an empty key that every SEB client can open; set seb.adminPassword"),
        );
    }
}

fn literal_secret_warning(
    src: &LoadedExam,
    pointer: &str,
    value: &Value,
    diags: &mut Vec<Diagnostic>,
) {
    if serde_json::from_value::<SecretRef>(value.clone())
        .is_ok_and(|r| matches!(r, SecretRef::Literal(_)))
    {
        diags.push(
            Diagnostic::warning(
                "literal-secret",
                format!("{} is written in the file", subject(pointer)),
            )
            .secret()
            .at(&src.display, src.map.value(pointer))
            .pointer(pointer)
            .hint("secrets in git leak; use { env: NAME } or { file: PATH }"),
        );
    }
}

/// Checks on setting values beyond their JSON type: window sizes, base64 data, URL filter rules.
fn check_value_shape(
    src: &LoadedExam,
    key: &str,
    pointer: &str,
    value: &Value,
    diags: &mut Vec<Diagnostic>,
) {
    let file = src.display.as_str();
    let mut err = |ptr: &str, code: &'static str, msg: String, hint: &str| {
        diags.push(
            Diagnostic::error(code, msg)
                .at(file, src.map.value(ptr))
                .pointer(ptr)
                .hint(hint),
        );
    };
    match (key, value) {
        (
            "mainBrowserWindowWidth"
            | "mainBrowserWindowHeight"
            | "newBrowserWindowByLinkWidth"
            | "newBrowserWindowByLinkHeight",
            Value::String(s),
        ) => {
            let digits = s.strip_suffix('%').unwrap_or(s);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                err(
                    pointer,
                    "invalid-value",
                    format!("`{key}` \"{s}\" is not a window size"),
                    "write pixels (\"1000\") or a percentage (\"100%\")",
                );
            }
        }
        ("URLFilterRules", Value::Array(rules)) => {
            for (i, rule) in rules.iter().enumerate() {
                let expr = rule.get("expression").and_then(Value::as_str).unwrap_or("");
                if expr.trim().is_empty() {
                    let ptr = format!("{pointer}/{i}");
                    err(
                        &ptr,
                        "empty-url-filter",
                        format!("URL filter rule {} has no expression", i + 1),
                        "an empty rule matches nothing; give an expression such as \"lms.example.org/*\"",
                    );
                }
            }
        }
        _ => {}
    }
    if Catalog::get()
        .setting(key)
        .is_some_and(|s| s.ty == crate::catalog::SettingType::Data)
        && let Value::String(s) = value
        && base64_decode(s).is_none()
    {
        err(
            pointer,
            "invalid-value",
            format!("`{key}` is not valid Base64"),
            "data settings are written as standard Base64",
        );
    }
}

pub fn base64_decode(s: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    let compact: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact)
        .ok()
}

/// Seconds since the epoch of an RFC 3339 time (already checked by the schema's `date-time` format).
pub fn rfc3339_seconds(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 20 {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (y, mo, d, h, mi, sec) = (
        num(0..4)?,
        num(5..7)?,
        num(8..10)?,
        num(11..13)?,
        num(14..16)?,
        num(17..19)?,
    );
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        rest = frac.trim_start_matches(|c: char| c.is_ascii_digit());
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = if rest.starts_with('-') { -1 } else { 1 };
            let oh: i64 = rest.get(1..3)?.parse().ok()?;
            let om: i64 = rest.get(4..6)?.parse().ok()?;
            sign * (oh * 3600 + om * 60)
        }
    };
    // Days from civil (Howard Hinnant's algorithm).
    let (y2, m2) = if mo <= 2 {
        (y - 1, mo + 9)
    } else {
        (y, mo - 3)
    };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let doy = (153 * m2 + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146097 + doe - 719468;
    Some(days * 86400 + h * 3600 + mi * 60 + sec - offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_to_epoch() {
        assert_eq!(rfc3339_seconds("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(rfc3339_seconds("2026-12-01T09:00:00Z"), Some(1_796_115_600));
        assert_eq!(
            rfc3339_seconds("2026-12-01T10:00:00+01:00"),
            Some(1_796_115_600)
        );
        assert_eq!(
            rfc3339_seconds("2026-12-01T09:00:00.250Z"),
            Some(1_796_115_600)
        );
    }
}
