//! `sebc diff`: two configurations' settings compared key by key (old, new, and for exam files the
//! layer that set each, from merge's provenance), their Config Keys, and per targeted client platform
//! what changes in what the releases do with each changed setting (the facts `clients` checks with:
//! read, ignored, or refused). Values of secret-looking keys are never shown.

use crate::clients::{ClientData, Platform, Target, Targets, ranges};
use crate::merge::Layer;
use serde::Serialize;
use serde_json::Value as J;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// One configuration to compare.
pub struct Side {
    /// The file as the user named it.
    pub display: String,
    pub settings: plist::Dictionary,
    /// For exam files: the layer that set each key, and what a `null` removed.
    pub origins: Option<(BTreeMap<String, Layer>, BTreeMap<String, Layer>)>,
    /// The releases the configuration targets (an exam's `clients:`, else every current release).
    pub targets: Targets,
}

impl Side {
    fn layer(&self, key: &str) -> Option<Layer> {
        let (set, removed) = self.origins.as_ref()?;
        set.get(key).or_else(|| removed.get(key)).cloned()
    }
}

/// What one client platform does with a changed setting, before and after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClientChange {
    pub platform: &'static str,
    pub old: String,
    pub new: String,
}

/// One setting that differs.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Change {
    pub key: String,
    /// Absent: the side does not set it.
    pub old: Option<J>,
    pub new: Option<J>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_layer: Option<Layer>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_layer: Option<Layer>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub clients: Vec<ClientChange>,
}

/// The comparison of two configurations.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Diff {
    pub old: FileSummary,
    pub new: FileSummary,
    pub config_key_changed: bool,
    pub changes: Vec<Change>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FileSummary {
    pub file: String,
    pub config_key: String,
}

impl Diff {
    pub fn is_equal(&self) -> bool {
        self.changes.is_empty() && !self.config_key_changed
    }
}

/// Compares `old` and `new`.
pub fn diff(old: &Side, new: &Side) -> Diff {
    let mut keys: Vec<&String> = old
        .settings
        .keys()
        .chain(
            new.settings
                .keys()
                .filter(|k| !old.settings.contains_key(k)),
        )
        .collect();
    keys.sort();
    let data = ClientData::get();
    let changes = keys
        .into_iter()
        .filter(|k| old.settings.get(k) != new.settings.get(k))
        .map(|k| {
            let (a, b) = (old.settings.get(k), new.settings.get(k));
            Change {
                key: k.clone(),
                old: a.map(|v| shown(k, v)),
                new: b.map(|v| shown(k, v)),
                old_layer: old.layer(k),
                new_layer: new.layer(k),
                clients: Platform::ALL
                    .into_iter()
                    .filter_map(|p| {
                        let before = verdict(data, k, a, p, old.targets.get(p))?;
                        let after = verdict(data, k, b, p, new.targets.get(p))?;
                        (before != after).then(|| ClientChange {
                            platform: p.name(),
                            old: before,
                            new: after,
                        })
                    })
                    .collect(),
            }
        })
        .collect();
    let summary = |s: &Side| FileSummary {
        file: s.display.clone(),
        config_key: seb_format::configkey::config_key(&s.settings),
    };
    let (o, n) = (summary(old), summary(new));
    Diff {
        config_key_changed: o.config_key != n.config_key,
        old: o,
        new: n,
        changes,
    }
}

/// True for keys whose values are secrets in clear (`zoomSdkSecret`, `jitsiMeetToken`, ...); SEB's
/// password hashes (`hashed…`) are shown, as they are what SEB files carry.
pub fn is_secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    !k.starts_with("hashed")
        && [
            "secret",
            "token",
            "password",
            "apikey",
            "sdkkey",
            "privatekey",
        ]
        .iter()
        .any(|w| k.contains(w))
}

/// A value as JSON for people and machines, with the values of secret-looking keys (at any depth)
/// replaced by `"<secret>"`.
pub fn shown(key: &str, v: &plist::Value) -> J {
    fn mask(key: &str, v: J) -> J {
        if is_secret_key(key) && !matches!(&v, J::String(s) if s.is_empty()) {
            return J::String("<secret>".into());
        }
        match v {
            J::Object(o) => J::Object(
                o.into_iter()
                    .map(|(k, v)| (k.clone(), mask(&k, v)))
                    .collect(),
            ),
            J::Array(a) => J::Array(a.into_iter().map(|v| mask(key, v)).collect()),
            v => v,
        }
    }
    let json = crate::plist_json::to_json(v);
    mask(key, json)
}

/// What the targeted releases of platform `p` do with `key` = `value`: `refused (quits: 3.7)`,
/// `ignored (3.0–3.4)`, `read`, or `not set`; `None` when the platform is not targeted or the data has
/// no row for the key.
fn verdict(
    data: &ClientData,
    key: &str,
    value: Option<&plist::Value>,
    p: Platform,
    target: Target,
) -> Option<String> {
    let Target::Range { min, max } = target else {
        return None;
    };
    let row = data.row(key, p)?;
    let known = data.releases(p);
    let releases: Vec<_> = known
        .iter()
        .copied()
        .filter(|r| *r >= min && max.is_none_or(|m| *r <= m))
        .collect();
    let Some(value) = value else {
        return Some("not set".into());
    };
    let mut refused: BTreeMap<String, Vec<_>> = BTreeMap::new();
    let mut ignored = Vec::new();
    for r in &releases {
        if let Some(f) = row.refusal_at(*r, value) {
            refused.entry(f.effect.clone()).or_default().push(*r);
        } else if row.reads_at(*r) == Some(false) {
            ignored.push(*r);
        }
    }
    let mut parts: Vec<String> = refused
        .iter()
        .map(|(effect, rs)| format!("{effect} on {}", ranges(rs, known)))
        .collect();
    if !ignored.is_empty() {
        parts.push(format!("ignored on {}", ranges(&ignored, known)));
    }
    Some(if parts.is_empty() {
        "read".into()
    } else {
        parts.join(", ")
    })
}

/// The human form: one block per changed setting, then the Config Keys.
pub fn render_human(d: &Diff) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "--- {}", printable(&d.old.file));
    let _ = writeln!(out, "+++ {}", printable(&d.new.file));
    for c in &d.changes {
        let value = |v: &Option<J>| v.as_ref().map_or("(not set)".to_string(), short);
        let sign = match (&c.old, &c.new) {
            (None, _) => '+',
            (_, None) => '-',
            _ => '~',
        };
        let _ = writeln!(
            out,
            "{sign} {}: {} -> {}",
            printable(&c.key),
            value(&c.old),
            value(&c.new)
        );
        for (which, layer) in [("old", &c.old_layer), ("new", &c.new_layer)] {
            if let Some(l) = layer {
                let _ = writeln!(out, "    {which} set by {l}");
            }
        }
        for cc in &c.clients {
            let _ = writeln!(out, "    {}: {} -> {}", cc.platform, cc.old, cc.new);
        }
    }
    let n = d.changes.len();
    let _ = writeln!(
        out,
        "{n} setting{} differ{}",
        if n == 1 { "" } else { "s" },
        if n == 1 { "s" } else { "" }
    );
    if d.config_key_changed {
        let _ = writeln!(
            out,
            "Config Key changes: {} -> {}",
            d.old.config_key, d.new.config_key
        );
    } else {
        let _ = writeln!(out, "Config Key unchanged: {}", d.old.config_key);
    }
    out
}

/// `s` with control characters escaped (`\u{1b}`): a key of someone else's file must not drive the
/// terminal.
fn printable(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}') {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// A value in one line: compact JSON, cut at 160 characters.
fn short(v: &J) -> String {
    let s = v.to_string();
    if s.chars().count() > 160 {
        let cut: String = s.chars().take(157).collect();
        format!("{cut}...")
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plist::Value as P;
    use serde_json::json;

    fn side(pairs: &[(&str, P)]) -> Side {
        Side {
            display: "x".into(),
            settings: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
            origins: None,
            targets: Targets::default(),
        }
    }

    #[test]
    fn changed_added_removed_and_equal() {
        let a = side(&[("allowQuit", P::Boolean(true)), ("b", P::Integer(1.into()))]);
        let b = side(&[
            ("allowQuit", P::Boolean(false)),
            ("c", P::Integer(1.into())),
        ]);
        let d = diff(&a, &b);
        let keys: Vec<&str> = d.changes.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(keys, ["allowQuit", "b", "c"]);
        assert!(d.config_key_changed);
        assert!(!d.is_equal());
        assert!(diff(&a, &a).is_equal());
    }

    #[test]
    fn control_characters_in_keys_are_escaped() {
        let a = side(&[("evil\u{1b}[2Jkey", P::Boolean(true))]);
        let text = render_human(&diff(&a, &side(&[])));
        assert!(!text.contains('\u{1b}'), "{text}");
        assert!(text.contains("evil\\u{1b}[2Jkey"), "{text}");
    }

    #[test]
    fn secrets_are_masked_and_hashes_shown() {
        assert_eq!(
            shown("zoomSdkSecret", &P::String("s3cr3t".into())),
            json!("<secret>")
        );
        assert_eq!(
            shown("jitsiMeetToken", &P::String("t".into())),
            json!("<secret>")
        );
        assert_eq!(
            shown("hashedQuitPassword", &P::String("ab".into())),
            json!("ab")
        );
        let row: plist::Dictionary = [("apiSecret".to_string(), P::String("x".into()))]
            .into_iter()
            .collect();
        assert_eq!(
            shown("table", &P::Array(vec![P::Dictionary(row)])),
            json!([{ "apiSecret": "<secret>" }])
        );
    }

    #[test]
    fn client_verdicts_change_with_the_value() {
        let a = side(&[("jitsiMeetEnable", P::Boolean(false))]);
        let b = side(&[("jitsiMeetEnable", P::Boolean(true))]);
        let d = diff(&a, &b);
        let macos = d.changes[0]
            .clients
            .iter()
            .find(|c| c.platform == Platform::Macos.name())
            .unwrap_or_else(|| panic!("{:?}", d.changes[0].clients));
        assert!(macos.new.contains("quits"), "{macos:?}");
    }
}
