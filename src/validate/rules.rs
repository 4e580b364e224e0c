//! The rules a schema cannot express: Proctoring-tab settings in `seb`, outdated settings, password and
//! hash both set, literal secrets, window sizes, URL filter rules, Base64 data, the exam's time range.

use super::schema_errors::subject;
use super::{base64_decode, rfc3339_seconds};
use crate::catalog::Catalog;
use crate::diagnostic::Diagnostic;
use crate::load::LoadedExam;
use crate::secret::SecretRef;
use serde_json::Value;

/// Rules the schema cannot express.
pub(super) fn semantic_checks(src: &LoadedExam, diags: &mut Vec<Diagnostic>) {
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
    // The settings SEB stores hashed were checked above, with their section.
    for ptr in crate::schema::secret_pointers()
        .iter()
        .filter(|p| !p.starts_with("/seb/"))
    {
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
