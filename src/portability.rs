//! The last check of the merged settings: sebc never writes, from values the exam writes, a
//! configuration on which SEB clients compute different Config Keys (`seb-file-format.md` §4.2). A
//! divergence a file of the exam's own sets is an error there. One a plist base brings (someone else's
//! file: SEB Server's export with `allowWlan` and `allowWLAN`, a `<date>`) is a warning at the base's
//! `<key>` line that says which clients disagree and how, and how the exam settles it.

use crate::clients::{ClientData, Platform};
use crate::diagnostic::{Diagnostic, Pos};
use crate::merge::{Layer, Merged};
use crate::source::Sources;

/// Each Config Key divergence in the merged settings, at the place that set the key: an error in an
/// exam or template, a warning in a plist base. `exam` is the file that can settle a base's.
pub fn portability_errors(merged: &Merged, sources: &Sources, exam: &str) -> Vec<Diagnostic> {
    let lines = crate::plist_lines::BaseLines::new(sources);
    seb_format::configkey::lint(&set_by_layers(merged))
        .into_iter()
        .map(|d| {
            let top = crate::pointer::unescape_segment(d.pointer.split('/').nth(1).unwrap_or(""));
            match merged.origin(&top) {
                Some(Layer::File {
                    file,
                    line,
                    col,
                    pointer,
                }) => {
                    let rest = d
                        .pointer
                        .get(crate::load::escape_segment(&top).len() + 1..)
                        .unwrap_or("");
                    let at = Pos {
                        line: *line,
                        col: *col,
                    };
                    Diagnostic::error("config-key-divergence", d.message)
                        .hint("SEB clients would compute different Config Keys for this file; change the value")
                        .at(file, at)
                        .pointer(format!("{pointer}{rest}"))
                }
                Some(Layer::Base { file }) => {
                    let at = lines.locate(file, &d.pointer).unwrap_or_default();
                    let (message, hint) = from_base(merged, &d.pointer, &top, &d.message, exam);
                    Diagnostic::warning("config-key-divergence", message)
                        .hint(hint)
                        .at(file, at)
                        .pointer(d.pointer)
                }
                _ => Diagnostic::error("config-key-divergence", d.message).pointer(d.pointer),
            }
        })
        .collect()
}

/// The settings a layer set, without the defaults no layer touched: the lint finds the same there.
/// SEB's defaults diverge nowhere (tested below), and a key differing from a default only in case
/// cannot sit beside it: setting a spelling removes the other layers' spellings (`Merged::set`).
/// (Diagnostics are sorted for output, so the order of the keys here does not matter.)
fn set_by_layers(merged: &Merged) -> plist::Dictionary {
    merged
        .origins
        .keys()
        .filter_map(|k| Some((k.clone(), merged.settings.get(k)?.clone())))
        .collect()
}

/// The message and hint of a divergence a base brings: which clients disagree and how, and how the
/// exam settles it.
fn from_base(
    merged: &Merged,
    pointer: &str,
    top: &str,
    generic: &str,
    exam: &str,
) -> (String, String) {
    let drop = format!("write `{top}: null` under `seb:` in {exam} to drop it");
    if let Some(date) = date_at(&merged.settings, pointer) {
        let xml = date.to_xml_format(); // 2019-02-20T12:30:00Z or 2019-02-20T12:30:00.123Z
        let (seconds, fraction) = xml
            .trim_end_matches('Z')
            .split_once('.')
            .unwrap_or((xml.trim_end_matches('Z'), ""));
        let message = format!(
            "`{top}` holds a <date>, which each client renders differently in the Config Key: \
             SEB for Windows as {seconds}.{fraction:0<7}Z, SEB for macOS and iOS as {} +0000, \
             Moodle as \"{seconds}+00:00\"",
            seconds.replace('T', " ")
        );
        return (message, format!("no SEB setting is a date: {drop}"));
    }
    let variants: Vec<&str> = merged
        .settings
        .keys()
        .filter(|k| k.eq_ignore_ascii_case(top))
        .collect();
    if pointer.matches('/').count() == 1 && variants.len() > 1 {
        let readers: Vec<String> = variants.iter().map(|k| readers_of(k)).collect();
        let message = format!(
            "{}; SEB for Windows and Moodle sort the lowercase spelling first in the Config Key, SEB \
             for macOS leaves their order open",
            readers.join("; ")
        );
        let names: Vec<String> = variants.iter().map(|k| format!("`{k}`")).collect();
        let hint = format!(
            "keep one spelling: write `{top}: null` under `seb:` in {exam} to drop this one, or set \
             the one clients read there, which replaces all of {}",
            names.join(" and ")
        );
        return (message, hint);
    }
    let hint = match crate::catalog::Catalog::get().setting(top) {
        Some(_) => {
            format!("set `{top}` under `seb:` in {exam} to replace the base's value, or {drop}")
        }
        None => format!("no SEB client reads `{top}`: {drop}"),
    };
    (format!("{generic} (set by a base)"), hint)
}

/// `SEB for Windows, macOS read `allowWlan`` / `no SEB client reads `allowWLAN``.
fn readers_of(key: &str) -> String {
    let data = ClientData::get();
    let platforms: Vec<&str> = [Platform::Windows, Platform::Macos, Platform::Ios]
        .into_iter()
        .filter(|p| data.row(key, *p).and_then(|r| r.reads) == Some(true))
        .map(Platform::name)
        .collect();
    if platforms.is_empty() {
        format!("no SEB client reads `{key}`")
    } else {
        format!("{} read `{key}`", platforms.join(", "))
    }
}

/// The `<date>` at `pointer` in `settings`, if that is what is there.
fn date_at(settings: &crate::merge::SettingsOverlay, pointer: &str) -> Option<plist::Date> {
    let mut segments = pointer
        .split('/')
        .skip(1)
        .map(crate::pointer::unescape_segment);
    let mut value = settings.get(&segments.next()?)?;
    for seg in segments {
        value = match value {
            plist::Value::Dictionary(d) => d.get(&seg)?,
            plist::Value::Array(a) => a.get(seg.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    value.as_date()
}

#[cfg(test)]
mod tests {
    #[test]
    fn seb_defaults_diverge_nowhere() {
        // What `set_by_layers` relies on: the defaults no layer touched add no divergence.
        assert_eq!(
            seb_format::configkey::lint(crate::merge::default_settings()),
            []
        );
    }
}
