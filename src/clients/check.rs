//! The client check, run after merge: every setting the exam, a base or a service section set (not the
//! catalog's defaults) against each targeted release. A release that refuses the value (quits, forces it
//! off, has removed the feature) is a `client-unsupported` error; one that does not read the setting (or a
//! table column) is a `client-ignored` warning. One table-driven pass: the per-setting facts are all in
//! the data. The error's help gives targets that clear every such error of the exam.

use super::targets::{Target, Targets};
use super::{ClientData, Platform, PlatformRow, Release, ranges};
use crate::diagnostic::{Diagnostic, Pos};
use crate::merge::{Layer, Merged};
use crate::validate::ValidExam;

/// What the targeted releases of one platform do with one setting.
struct Finding<'a> {
    platform: Platform,
    /// Releases that refuse the value, with the refusal of the newest of them.
    refused: Vec<Release>,
    refusal: Option<&'a super::Refusal>,
    /// Releases that do not read it (no refusal); `column` for a table column.
    ignored: Vec<(Release, Option<String>)>,
    /// Releases that read the setting but not this value (an `unread` refusal), with the newest's note.
    unread: Vec<Release>,
    unread_because: Option<&'a super::Refusal>,
}

/// Client diagnostics of one merged exam for `targets`.
/// `sources` holds the texts read during load: a key a plist base set is reported at its `<key>` line.
pub fn check_clients(
    exam: &ValidExam,
    merged: &Merged,
    targets: &Targets,
    sources: &crate::source::Sources,
) -> Vec<Diagnostic> {
    let data = ClientData::get();
    let lines = crate::plist_lines::BaseLines::new(sources);
    let mut per_key = Vec::new();
    for (key, layer) in &merged.origins {
        // Outdated keys (no current client reads them) have their own `outdated-setting` warning.
        let outdated = crate::catalog::Catalog::get()
            .setting(key)
            .is_some_and(|s| s.deprecated);
        if matches!(layer, Layer::Default) || outdated {
            continue;
        }
        let Some(value) = merged.settings.get(key) else {
            continue;
        };
        let columns = columns_written(exam, layer, value);
        let findings: Vec<Finding> = Platform::ALL
            .into_iter()
            .filter_map(|p| finding(data, key, value, &columns, p, targets.get(p)))
            .collect();
        if !findings.is_empty() {
            per_key.push((key, layer, value, findings));
        }
    }
    // The targets that clear every refusal, for the errors' help: worked out only when there is one.
    let fixed = std::cell::OnceCell::new();
    let mut diags = Vec::new();
    for (key, layer, value, findings) in per_key {
        let place = |d: Diagnostic| locate(d, exam, key, layer, &lines);
        let refused: Vec<&Finding> = findings.iter().filter(|f| !f.refused.is_empty()).collect();
        if !refused.is_empty() {
            let what: Vec<String> = refused.iter().map(|f| refused_text(data, f)).collect();
            let mut shown = super::describe::value_text(value);
            if matches!(layer, Layer::Service { .. }) {
                shown.push_str(" (implied by the service settings)");
            }
            diags.push(place(
                Diagnostic::error(
                    "client-unsupported",
                    format!(
                        "`{key}` = {shown} does not work on the targeted releases: {}",
                        what.join("; ")
                    ),
                )
                .hint(unsupported_hint(
                    data,
                    key,
                    value,
                    targets,
                    fixed.get_or_init(|| fixed_targets(data, merged, targets)),
                )),
            ));
        }
        let ignored: Vec<String> = findings
            .iter()
            .filter(|f| !f.ignored.is_empty() || !f.unread.is_empty())
            .map(|f| ignored_text(data, key, f))
            .collect();
        if !ignored.is_empty() {
            diags.push(place(
                Diagnostic::warning(
                    "client-ignored",
                    format!("`{key}` has no effect on {}", ignored.join("; ")),
                )
                .hint(format!(
                    "leave it out, or target releases that read it (`sebc settings {key}` shows which)"
                )),
            ));
        }
    }
    diags
}

fn finding<'a>(
    data: &'a ClientData,
    key: &str,
    value: &plist::Value,
    columns: &[String],
    p: Platform,
    target: Target,
) -> Option<Finding<'a>> {
    let row = data.row(key, p)?;
    let releases = targeted(data, p, target);
    let mut f = Finding {
        platform: p,
        refused: Vec::new(),
        refusal: None,
        ignored: Vec::new(),
        unread: Vec::new(),
        unread_because: None,
    };
    for &r in releases {
        let refusal = row.refusal_at(r, value);
        if let Some(refusal) = refusal.filter(|f| f.effect == "unread") {
            f.unread.push(r);
            f.unread_because = Some(refusal);
        } else if let Some(refusal) = refusal {
            f.refused.push(r);
            f.refusal = Some(refusal);
        } else if row.reads_at(r) == Some(false) {
            f.ignored.push((r, None));
        } else {
            for column in columns {
                let unread = row
                    .columns
                    .get(column)
                    .is_some_and(|c| c.reads_at(r) == Some(false));
                if unread {
                    f.ignored.push((r, Some(column.clone())));
                }
            }
        }
    }
    (!f.refused.is_empty() || !f.ignored.is_empty() || !f.unread.is_empty()).then_some(f)
}

/// The releases of `target` that the data knows (a run of the sorted known releases).
fn targeted(data: &ClientData, p: Platform, target: Target) -> &[Release] {
    match target {
        Target::Off => &[],
        Target::Range { min, max } => {
            let known = data.releases(p);
            let from = known.partition_point(|r| *r < min);
            let to = max.map_or(known.len(), |m| known.partition_point(|r| *r <= m));
            known.get(from..to).unwrap_or(&[])
        }
    }
}

/// The table columns the author wrote (in an exam or template file; as read from a plist base): the
/// merged value also holds every column's default, which nobody chose.
fn columns_written(exam: &ValidExam, layer: &Layer, merged: &plist::Value) -> Vec<String> {
    let mut columns: Vec<String> = Vec::new();
    if !matches!(merged, plist::Value::Array(_) | plist::Value::Dictionary(_)) {
        return columns; // not a table: no columns, whatever the file wrote
    }
    let mut add = |keys: &mut dyn Iterator<Item = &String>| {
        for k in keys {
            if !columns.contains(k) {
                columns.push(k.clone());
            }
        }
    };
    if let Layer::File { file, pointer, .. } = layer {
        let source = std::iter::once(&exam.source)
            .chain(exam.bases.iter().filter_map(|b| match b {
                crate::validate::ValidBase::Template { source, .. } => Some(source.as_ref()),
                crate::validate::ValidBase::Plist { .. } => None,
            }))
            .find(|s| &s.display == file);
        match source.and_then(|s| crate::pointer::get(&s.value, pointer)) {
            Some(serde_json::Value::Array(rows)) => rows
                .iter()
                .filter_map(serde_json::Value::as_object)
                .for_each(|o| add(&mut o.keys())),
            Some(serde_json::Value::Object(o)) => add(&mut o.keys()),
            _ => {}
        }
        return columns;
    }
    match merged {
        plist::Value::Array(rows) => rows
            .iter()
            .filter_map(plist::Value::as_dictionary)
            .for_each(|d| add(&mut d.keys())),
        plist::Value::Dictionary(d) => add(&mut d.keys()),
        _ => {}
    }
    columns
}

fn refused_text(data: &ClientData, f: &Finding) -> String {
    let known = data.releases(f.platform);
    let (effect, note) = f.refusal.map_or(("refuses it", ""), |r| {
        (effect_text(&r.effect), r.note.as_str())
    });
    let note = if note.is_empty() {
        String::new()
    } else {
        format!(" ({note})")
    };
    format!(
        "{} {} {effect}{note}",
        f.platform.name(),
        ranges(&f.refused, known)
    )
}

fn effect_text(effect: &str) -> &str {
    match effect {
        "quits" => "quits the session",
        "forced off" => "switches it off",
        "removed" => "has removed the feature",
        "ignored" => "ignores it",
        _ => "refuses it",
    }
}

fn ignored_text(data: &ClientData, key: &str, f: &Finding) -> String {
    let known = data.releases(f.platform);
    let whole: Vec<Release> = f
        .ignored
        .iter()
        .filter(|(_, c)| c.is_none())
        .map(|(r, _)| *r)
        .collect();
    let mut parts = Vec::new();
    if !whole.is_empty() {
        let row = data.row(key, f.platform);
        let read = match row.and_then(|r| r.since.as_deref()) {
            Some(since) => match row.and_then(|r| r.until.as_deref()) {
                Some(until) => format!("read only by {since}–{until}"),
                None => format!("read since {since}"),
            },
            None => "no release reads it".to_string(),
        };
        parts.push(format!(
            "{} {} ({read})",
            f.platform.name(),
            ranges(&whole, known)
        ));
    }
    if let Some(because) = f.unread_because {
        parts.push(format!(
            "{} {} ({})",
            f.platform.name(),
            ranges(&f.unread, known),
            because.note
        ));
    }
    let mut columns: Vec<&str> = f.ignored.iter().filter_map(|(_, c)| c.as_deref()).collect();
    columns.sort_unstable();
    columns.dedup();
    if !columns.is_empty() {
        let rs: Vec<Release> = f
            .ignored
            .iter()
            .filter(|(_, c)| c.is_some())
            .map(|(r, _)| *r)
            .collect();
        let list: Vec<String> = columns.iter().map(|c| format!("`{c}`")).collect();
        parts.push(format!(
            "{} {} (does not read column{} {})",
            f.platform.name(),
            ranges(&rs, known),
            if list.len() == 1 { "" } else { "s" },
            list.join(", ")
        ));
    }
    parts.join("; ")
}

/// Targets that clear every `client-unsupported` error of the exam: per platform with an error, the
/// targeted range cut to its newest releases that refuse nothing, else the newest run of releases that
/// read every refused setting and refuse none, else `false`.
pub fn fixed_targets(data: &ClientData, merged: &Merged, targets: &Targets) -> Targets {
    let mut fixed = *targets;
    for p in Platform::ALL {
        let refused_keys: Vec<(&String, &PlatformRow, &plist::Value)> = merged
            .origins
            .iter()
            .filter(|(_, layer)| !matches!(layer, Layer::Default))
            .filter_map(|(k, _)| Some((k, data.row(k, p)?, merged.settings.get(k)?)))
            .filter(|(_, row, v)| {
                !row.refusals.is_empty()
                    && targeted(data, p, targets.get(p))
                        .iter()
                        .any(|r| row.refusal_at(*r, v).is_some())
            })
            .collect();
        if refused_keys.is_empty() {
            continue;
        }
        let clean = |r: Release| {
            refused_keys
                .iter()
                .all(|(_, row, v)| row.refusal_at(r, v).is_none())
        };
        let works = |r: Release| {
            clean(r)
                && refused_keys
                    .iter()
                    .all(|(_, row, _)| row.reads_at(r) != Some(false))
        };
        let in_range = targeted(data, p, targets.get(p));
        let cut = in_range
            .iter()
            .rposition(|r| !clean(*r))
            .map(|i| &in_range[i + 1..]);
        let t = match (cut.and_then(|rest| rest.first()), targets.get(p)) {
            (Some(min), Target::Range { max, .. }) => Target::Range { min: *min, max },
            _ => newest_run(data.releases(p), works),
        };
        fixed.set(p, t);
    }
    fixed
}

fn newest_run(known: &[Release], works: impl Fn(Release) -> bool) -> Target {
    let Some(end) = known.iter().rposition(|r| works(*r)) else {
        return Target::Off;
    };
    let start = known[..end]
        .iter()
        .rposition(|r| !works(*r))
        .map_or(0, |i| i + 1);
    let max = (end + 1 < known.len()).then_some(known[end]);
    Target::Range {
        min: known[start],
        max,
    }
}

fn unsupported_hint(
    data: &ClientData,
    key: &str,
    value: &plist::Value,
    now: &Targets,
    fixed: &Targets,
) -> String {
    let mut support: Vec<String> = Vec::new();
    for p in Platform::ALL {
        let Some(row) = data.row(key, p) else {
            continue;
        };
        let known = data.releases(p);
        let ok: Vec<Release> = known
            .iter()
            .copied()
            .filter(|r| row.refusal_at(*r, value).is_none() && row.reads_at(*r) != Some(false))
            .collect();
        if !ok.is_empty() && row.reads != Some(false) {
            support.push(format!("{} {}", p.name(), ranges(&ok, known)));
        }
    }
    let who = if support.is_empty() {
        "no release sebc knows runs it".to_string()
    } else {
        format!("it works on {}", support.join(", "))
    };
    if fixed == now {
        return format!("{who}; see `sebc settings {key}`");
    }
    let every_off = [Platform::Windows, Platform::Macos, Platform::Ios]
        .iter()
        .all(|p| fixed.get(*p) == Target::Off);
    let remedy = if every_off {
        format!(
            "no targeted client can run this exam: leave `{key}` out (or the section that implies it)"
        )
    } else {
        format!(
            "to target only releases that run this exam, set `{}` in the exam file (or pass `--clients {}`)",
            fixed.to_yaml(),
            fixed.to_cli()
        )
    };
    format!("{who}; {remedy}")
}

/// Points a diagnostic at the place that set `key`.
fn locate(
    d: Diagnostic,
    exam: &ValidExam,
    key: &str,
    layer: &Layer,
    lines: &crate::plist_lines::BaseLines<'_>,
) -> Diagnostic {
    match layer {
        Layer::File {
            file,
            line,
            col,
            pointer,
        } => d
            .at(
                file,
                Pos {
                    line: *line,
                    col: *col,
                },
            )
            .pointer(pointer.clone()),
        Layer::Service { pointer } => d
            .at(&exam.source.display, exam.source.map.key(pointer))
            .pointer(pointer.clone()),
        Layer::Base { file } => {
            let pointer = format!("/{}", crate::load::escape_segment(key));
            let at = lines.locate(file, &pointer).unwrap_or_default();
            d.at(file, at).pointer(pointer)
        }
        Layer::Default => d,
    }
}
