//! Settings described for people (`sebc settings`, `sebc validate --explain`): the catalog's type, default,
//! allowed values and tab with, per platform, the releases that read the setting and those that refuse it,
//! each with its upstream citation; and the lookup of settings by key or by words.

use super::{ClientData, Platform, PlatformRow, Refusal};
use crate::catalog::{Catalog, Setting};
use serde_json::{Value, json};

/// A plist value in one line, as in messages (`true`, `3`, `"text"`, `[2 items]`).
pub fn value_text(v: &plist::Value) -> String {
    match v {
        plist::Value::Boolean(b) => b.to_string(),
        plist::Value::Integer(i) => i.to_string(),
        plist::Value::Real(r) => r.to_string(),
        plist::Value::String(s) => format!("{s:?}"),
        plist::Value::Array(a) => format!("[{} items]", a.len()),
        plist::Value::Dictionary(d) => format!("{{{} keys}}", d.len()),
        _ => "(a value)".to_string(),
    }
}

/// Settings matching `query`: the key itself (any case), else every setting whose key or tab contains
/// every word of the query; all settings for an empty query.
pub fn search(query: &str) -> Vec<&'static Setting> {
    let catalog = Catalog::get();
    let q = query.trim().to_lowercase();
    if let Some(s) = catalog.settings().find(|s| s.key.to_lowercase() == q) {
        return vec![s];
    }
    let words: Vec<&str> = q.split_whitespace().collect();
    catalog
        .settings()
        .filter(|s| {
            let hay = format!("{} {}", s.key, s.tab.as_deref().unwrap_or("")).to_lowercase();
            words.iter().all(|w| hay.contains(w))
        })
        .collect()
}

/// One line per platform: the releases that read the setting and the refusals.
fn platform_text(row: &PlatformRow) -> String {
    let mut text = match (row.reads, row.since.as_deref(), row.until.as_deref()) {
        (Some(true), Some(since), Some(until)) => format!("read by {since}–{until}"),
        (Some(true), Some(since), None) => format!("read since {since}"),
        (Some(true), None, _) => "read".to_string(),
        (Some(false), _, _) => "not read".to_string(),
        (None, _, _) => "not decided".to_string(),
    };
    for f in &row.refusals {
        text.push_str(&format!("; {}: {}", refusal_span(f), f.effect));
        if let Some(ty) = &f.when_type {
            text.push_str(&format!(" when a plist {ty}"));
        }
        if !f.note.is_empty() {
            text.push_str(&format!(" ({})", f.note));
        }
    }
    if let Some(note) = &row.note {
        text.push_str(&format!(" — {note}"));
    }
    text
}

fn refusal_span(f: &Refusal) -> String {
    let when = match &f.when {
        Some(v) => format!(" when {v}"),
        None => String::new(),
    };
    match f.until.as_deref() {
        None => format!("{} and later{when}", f.since),
        Some(u) if u == f.since => format!("{u}{when}"),
        Some(u) => format!("{}–{u}{when}", f.since),
    }
}

/// The full description of one setting, with sources.
pub fn describe(s: &Setting) -> String {
    let data = ClientData::get();
    let mut out = format!("{}\n  type: {}", s.key, type_name(s));
    if let Some(d) = &s.default {
        out.push_str(&format!(", default: {d}"));
    }
    if let Some(tab) = &s.tab {
        out.push_str(&format!(", tab: {tab}"));
    }
    if let Some(allowed) = &s.allowed {
        let list: Vec<String> = allowed.iter().map(Value::to_string).collect();
        out.push_str(&format!("\n  allowed: {}", list.join(", ")));
    }
    if let Some([lo, hi]) = s.range {
        out.push_str(&format!("\n  range: {lo}..={hi}"));
    }
    for p in Platform::ALL {
        let Some(row) = data.row(&s.key, p) else {
            continue;
        };
        out.push_str(&format!("\n  {}: {}", p.name(), platform_text(row)));
        for src in row
            .source
            .iter()
            .chain(row.refusals.iter().flat_map(|f| &f.source))
        {
            out.push_str(&format!("\n      {src}"));
        }
        let unread: Vec<&str> = row
            .columns
            .iter()
            .filter(|(_, c)| c.reads == Some(false))
            .map(|(k, _)| k.as_str())
            .collect();
        if !unread.is_empty() {
            out.push_str(&format!("\n      columns not read: {}", unread.join(", ")));
        }
    }
    out
}

/// One line: key, type, default, and per platform the releases that read it.
pub fn summary(s: &Setting) -> String {
    let data = ClientData::get();
    let per: Vec<String> = Platform::ALL
        .into_iter()
        .filter_map(|p| {
            let row = data.row(&s.key, p)?;
            let reads = match (row.reads, row.since.as_deref(), row.until.as_deref()) {
                (Some(true), Some(a), Some(b)) => format!("{a}–{b}"),
                (Some(true), Some(a), None) => format!("{a}+"),
                (Some(true), None, _) => "yes".to_string(),
                (Some(false), _, _) => "no".to_string(),
                (None, _, _) => "?".to_string(),
            };
            let refused = if row.refusals.is_empty() { "" } else { "!" };
            Some(format!("{} {reads}{refused}", p.key()))
        })
        .collect();
    format!("{}\t{}\t{}", s.key, type_name(s), per.join("  "))
}

fn type_name(s: &Setting) -> String {
    serde_json::to_value(s.ty)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| format!("{:?}", s.ty))
}

/// The same as JSON (`sebc settings --json`).
pub fn describe_json(s: &Setting) -> Value {
    let data = ClientData::get();
    let mut clients = serde_json::Map::new();
    for p in Platform::ALL {
        if let Some(row) = data.row(&s.key, p) {
            clients.insert(p.key().to_string(), row_json(row));
        }
    }
    json!({
        "key": s.key,
        "type": type_name(s),
        "default": s.default,
        "allowed": s.allowed,
        "tab": s.tab,
        "clients": clients,
    })
}

fn row_json(row: &PlatformRow) -> Value {
    json!({
        "reads": row.reads,
        "since": row.since,
        "until": row.until,
        "note": row.note,
        "source": row.source,
        "refusals": row.refusals.iter().map(|f| json!({
            "since": f.since, "until": f.until, "effect": f.effect, "when": f.when,
            "whenType": f.when_type,
            "note": f.note, "source": f.source, "handWritten": f.hand_written,
        })).collect::<Vec<_>>(),
        "columns": row.columns.iter().map(|(k, c)| (k.clone(), json!({
            "reads": c.reads, "since": c.since, "until": c.until,
        }))).collect::<serde_json::Map<_, _>>(),
    })
}
