//! The rules a schema cannot express: Proctoring-tab settings in `seb`, outdated settings, password and
//! hash both set, literal secrets, window sizes, the start URL, URL filter rules, Base64 data, the exam's time range,
//! `configuringClient` encryption without an admin password; and, through [`check_proctoring`], the
//! proctoring services' rules.

use super::base64_decode;
use super::document::{Site, TypedDocument};
use super::proctoring::check_proctoring;
use super::schema_errors::subject;
use super::urls;
use crate::catalog::Catalog;
use crate::diagnostic::Diagnostic;
use crate::exam::ExamInfo;
use crate::load::LoadedExam;
use crate::secret::SecretRef;
use crate::timestamp::rfc3339_seconds;
use serde_json::Value;

/// Rules the schema cannot express, on one exam or template document.
pub(super) fn semantic_checks(src: &LoadedExam, doc: &TypedDocument, diags: &mut Vec<Diagnostic>) {
    let site = Site::of(src);
    check_proctoring(doc, &site, diags);
    check_settings_sections(src, diags);
    // Secrets outside the settings sections (those SEB stores hashed are checked with their section).
    for pointer in crate::schema::secrets_in(&src.value)
        .iter()
        .filter(|p| !p.starts_with("/seb/"))
    {
        if let Some(value) = crate::pointer::get(&src.value, pointer) {
            literal_secret_warning(src, pointer, value, diags);
        }
    }
    if let Some(exam) = &doc.exam {
        check_time_range(exam, &site, diags);
    }
    check_configuring_client_encryption(src, diags);
}

/// Each setting of `seb` and `proctoring` against the catalog: where it belongs, whether it is outdated,
/// its hashed twin, literal secrets, and the shape of its value.
fn check_settings_sections(src: &LoadedExam, diags: &mut Vec<Diagnostic>) {
    let file = src.display.as_str();
    let catalog = Catalog::get();
    for section in ["seb", "proctoring"] {
        let Some(settings) = src.value.get(section).and_then(Value::as_object) else {
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
                        .hint("no current SEB client reads it (see `sebc settings KEY`); sebc does not write it by default"),
                );
            }
            if let Some(target) = &setting.hashed_into {
                if settings.contains_key(&**target) {
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
}

/// The exam must end after it starts.
fn check_time_range(exam: &ExamInfo, site: &Site, diags: &mut Vec<Diagnostic>) {
    if let (Some(start), Some(end)) = (exam.start.as_deref(), exam.end.as_deref())
        && let (Some(s), Some(e)) = (rfc3339_seconds(start), rfc3339_seconds(end))
        && e <= s
    {
        diags.push(
            site.at_value(
                Diagnostic::error("invalid-time-range", "the exam ends before it starts"),
                "/exam/end",
            )
            .hint(format!("`end` must be after `start` ({start})")),
        );
    }
}

/// `configuringClient` encryption keyed with an empty admin password is no encryption at all.
fn check_configuring_client_encryption(src: &LoadedExam, diags: &mut Vec<Diagnostic>) {
    let v = &src.value;
    if v.pointer("/output/encryption") == Some(&Value::String("configuringClient".into()))
        && v.pointer("/seb/adminPassword").is_none()
        && v.get("extends").is_none()
    {
        diags.push(
            Diagnostic::warning("pwcc-without-admin-password", "`configuringClient` encryption without `adminPassword`")
                .at(&src.display, src.map.value("/output/encryption"))
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

/// Checks on setting values beyond their JSON type: window sizes, base64 data, the start URL's scheme,
/// URL filter rules (empty expressions, regular expressions SEB cannot compile: [`urls`]).
fn check_value_shape(
    src: &LoadedExam,
    key: &str,
    pointer: &str,
    value: &Value,
    diags: &mut Vec<Diagnostic>,
) {
    let file = src.display.as_str();
    // Diagnostics of the URL checks, which come with their own severity; appended at the end.
    let mut url_diags = Vec::new();
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
        ("startURL", Value::String(url)) => {
            if let Some(d) = urls::start_url_problem(url) {
                url_diags.push(d.at(file, src.map.value(pointer)).pointer(pointer));
            }
        }
        ("URLFilterRules", Value::Array(rules)) => {
            for (i, rule) in rules.iter().enumerate() {
                let expr = rule.get("expression").and_then(Value::as_str).unwrap_or("");
                let is_regex = rule.get("regex") == Some(&Value::Bool(true));
                if is_regex
                    && !expr.trim().is_empty()
                    && let Some(d) = urls::regex_problem(expr)
                {
                    let ptr = format!("{pointer}/{i}/expression");
                    url_diags.push(d.at(file, src.map.value(&ptr)).pointer(&ptr));
                }
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
        && let Some(s) = value
            .as_str()
            .or_else(|| value.get("$data").and_then(Value::as_str))
        && base64_decode(s).is_none()
    {
        err(
            pointer,
            "invalid-value",
            format!("`{key}` is not valid Base64"),
            "data settings are written as standard Base64",
        );
    }
    diags.append(&mut url_diags);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::SourceMap;
    use serde_json::json;

    fn time_range(start: &str, end: &str) -> Vec<Diagnostic> {
        let exam: ExamInfo =
            serde_json::from_value(json!({ "id": "x", "start": start, "end": end })).unwrap();
        let map = SourceMap::default();
        let mut diags = Vec::new();
        check_time_range(
            &exam,
            &Site {
                file: "exam.yaml",
                map: &map,
            },
            &mut diags,
        );
        diags
    }

    #[test]
    fn an_exam_that_ends_before_it_starts_is_an_error() {
        let found = time_range("2026-12-01T10:00:00+01:00", "2026-12-01T09:00:00Z");
        assert_eq!(found.len(), 1);
        assert_eq!(
            (found[0].code, found[0].pointer.as_str()),
            ("invalid-time-range", "/exam/end")
        );
        assert_eq!(
            found[0].hint.as_deref(),
            Some("`end` must be after `start` (2026-12-01T10:00:00+01:00)")
        );
        assert_eq!(
            time_range("2026-12-01T09:00:00Z", "2026-12-01T09:00:00Z").len(),
            1,
            "no time at all"
        );
    }

    #[test]
    fn a_later_end_or_a_time_that_is_not_one_is_quiet() {
        assert!(time_range("2026-12-01T09:00:00Z", "2026-12-01T11:00:00Z").is_empty());
        assert!(
            time_range("2026-13-01T10:00:00Z", "2026-12-01T09:00:00Z").is_empty(),
            "the schema reports month 13"
        );
    }
}
