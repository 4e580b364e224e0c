//! Plist and `.seb` bases against the catalog. A base is someone else's file, checked with the same
//! settings schema as an exam's `seb:` section: a value a SEB client would misread (wrong type, value
//! not allowed) is an error, a key or table column no client knows a warning. Each is placed at the
//! base's `<key>` line and says how the exam settles it (override or drop the key); a key a later layer
//! sets or drops (in any spelling, as merge replaces it) is not reported.

use super::schema_errors::schema_diagnostics;
use crate::catalog::Catalog;
use crate::diagnostic::{Diagnostic, Severity};
use crate::load::{LoadedExam, SourceMap};
use serde_json::{Value, json};
use std::collections::HashSet;

/// The diagnostics of the plist base `display`; `text` is its XML (for positions), `exam` the file
/// that can settle a problem, `settled` the keys (lowercase) that later layers set or drop.
pub(super) fn check_plist_base(
    display: &str,
    dict: &plist::Dictionary,
    text: Option<&str>,
    exam: &str,
    settled: &HashSet<String>,
) -> Vec<Diagnostic> {
    let value =
        json!({ "seb": crate::plist_json::to_json(&plist::Value::Dictionary(dict.clone())) });
    let src = LoadedExam {
        path: display.into(),
        display: display.to_string(),
        value,
        map: SourceMap::default(),
    };
    // Positions of every key, from one scan of the text (a base may hold many mistakes).
    let lines = text.map(crate::plist_lines::PlistLines::new);
    crate::schema::schema_errors(&src.value, false)
        .iter()
        .filter(|e| !e.instance_path().as_str().is_empty()) // `exam` is not a base's
        .flat_map(|e| schema_diagnostics(&src, e))
        .filter_map(|d| {
            let pointer = d.pointer.strip_prefix("/seb")?.to_string();
            let top = crate::pointer::unescape_segment(pointer.split('/').nth(1)?);
            if settled.contains(&top.to_lowercase()) {
                return None;
            }
            // A key no current client reads cannot be misread: its value's shape is not checked
            // (old clients wrote these keys in different shapes).
            let outdated = crate::catalog::Catalog::get()
                .setting(&top)
                .is_some_and(|s| s.deprecated);
            if outdated && matches!(d.code, "wrong-type" | "not-allowed") {
                return None;
            }
            let d = if d.code == "wrong-type" && number_for_number(dict, &pointer) {
                let mut d = d;
                d.severity = Severity::Warning;
                d.message = format!(
                    "{}: SEB for macOS reads it as the number it is, SEB for Windows ignores it and \
                     keeps its default",
                    d.message
                );
                d
            } else if d.code == "wrong-type" {
                let mut d = d;
                d.message = format!(
                    "{}: SEB for macOS refuses the whole file, SEB for Windows ignores the value",
                    d.message
                );
                d
            } else {
                d
            };
            Some(in_base(d, display, lines.as_ref(), &pointer, &top, exam))
        })
        .collect()
}

/// True when the value at `pointer` and the type the catalog gives it are both numbers or booleans:
/// one `NSNumber` class for SEB for macOS, which reads it (seb-file-format.md §5.2), so the file is not
/// refused; a warning, not an error.
fn number_for_number(dict: &plist::Dictionary, pointer: &str) -> bool {
    use crate::catalog::SettingType as T;
    let segments: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|s| crate::pointer::unescape_segment(s).into_owned())
        .collect();
    let Some((top, rest)) = segments.split_first() else {
        return false;
    };
    let Some(setting) = Catalog::get().setting(top) else {
        return false;
    };
    let (mut ty, mut columns) = (setting.ty, setting.columns.as_deref());
    let mut value = dict.get(top);
    for seg in rest {
        value = match value {
            Some(plist::Value::Array(a)) => seg.parse::<usize>().ok().and_then(|i| a.get(i)),
            Some(plist::Value::Dictionary(d)) => {
                let Some(col) = columns.unwrap_or_default().iter().find(|c| c.key == *seg) else {
                    return false;
                };
                (ty, columns) = (col.ty, col.columns.as_deref());
                d.get(seg)
            }
            _ => None,
        };
    }
    let numeric = |t: T| matches!(t, T::Boolean | T::Integer | T::Real);
    numeric(ty)
        && matches!(
            value,
            Some(plist::Value::Boolean(_) | plist::Value::Integer(_) | plist::Value::Real(_))
        )
}

/// A schema diagnostic of `/seb{pointer}` placed in the base, with a hint the exam can follow.
fn in_base(
    mut d: Diagnostic,
    display: &str,
    lines: Option<&crate::plist_lines::PlistLines>,
    pointer: &str,
    top: &str,
    exam: &str,
) -> Diagnostic {
    let unknown = matches!(d.code, "unknown-setting" | "unknown-column");
    if unknown {
        d.severity = Severity::Warning;
        d.message = format!("{}: no SEB client reads it", d.message);
    }
    let section = match Catalog::get().setting(top) {
        Some(s) if s.is_proctoring() => "proctoring",
        _ => "seb",
    };
    let known = d
        .hint
        .take()
        .filter(|h| h.starts_with("did you mean") || h.starts_with("allowed values"))
        .map(|h| {
            if h.ends_with('?') {
                format!("{h} ")
            } else {
                format!("{h}; ")
            }
        })
        .unwrap_or_default();
    let settle = if d.code == "unknown-setting" {
        format!("{known}settle it in {exam}: write `{top}: null` under `seb:` to drop it")
    } else {
        format!(
            "{known}settle it in {exam}: set `{top}` under `{section}:` to replace the base's \
             value, or write `{top}: null` there to drop it"
        )
    };
    let pos = lines.and_then(|l| l.locate(pointer)).unwrap_or_default();
    d.at(display, pos).pointer(pointer).hint(settle)
}

/// The keys (lowercase) a document's `seb:` and `proctoring:` sections write or drop: each key, and
/// for a password the hash it is stored as, for a choice the keys it expands to.
pub(super) fn written_keys(document: &Value, out: &mut HashSet<String>) {
    let catalog = Catalog::get();
    for section in ["seb", "proctoring"] {
        for key in document
            .get(section)
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|o| o.keys())
        {
            out.insert(key.to_lowercase());
            let Some(s) = catalog.setting(key) else {
                continue;
            };
            out.extend(s.hashed_into.iter().map(|t| t.to_lowercase()));
            for keys in s.expands_to.iter().flat_map(|e| e.values()) {
                out.extend(
                    keys.as_object()
                        .into_iter()
                        .flatten()
                        .map(|(k, _)| k.to_lowercase()),
                );
            }
        }
    }
}
