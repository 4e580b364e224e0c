//! Client compatibility: which SEB release reads each setting and which refuse it (the data in
//! `schemas/seb-clients.json`, built by `scripts/build-client-data.py` from the clients' sources), the
//! releases an exam targets (`clients:` / `--clients`), and the check that reports settings the targeted
//! releases refuse (`client-unsupported`) or do not read (`client-ignored`). The data is parsed on first
//! use only, each setting's rows when that setting is looked up, so commands pay for what they check.

mod check;
mod describe;
mod targets;

pub use check::{check_clients, fixed_targets};
pub use describe::{describe, describe_json, search, summary};
pub use targets::{Target, Targets, targets_of};

use serde::Deserialize;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

/// A major.minor release (`3.10`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Release {
    pub major: u16,
    pub minor: u16,
}

impl Release {
    pub fn parse(s: &str) -> Option<Release> {
        let (major, minor) = s.trim().split_once('.')?;
        Some(Release {
            major: major.parse().ok()?,
            minor: minor.parse().ok()?,
        })
    }
}

impl std::fmt::Display for Release {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// A system the exam must work with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Platform {
    Windows,
    Macos,
    Ios,
    SebServer,
}

impl Platform {
    pub const ALL: [Platform; 4] = [
        Platform::Windows,
        Platform::Macos,
        Platform::Ios,
        Platform::SebServer,
    ];

    /// The name in `clients:`, `--clients` and the data file.
    pub fn key(self) -> &'static str {
        match self {
            Platform::Windows => "windows",
            Platform::Macos => "macos",
            Platform::Ios => "ios",
            Platform::SebServer => "sebServer",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Platform::Windows => "SEB for Windows",
            Platform::Macos => "SEB for macOS",
            Platform::Ios => "SEB for iOS",
            Platform::SebServer => "SEB Server",
        }
    }

    pub fn from_key(key: &str) -> Option<Platform> {
        Platform::ALL.into_iter().find(|p| p.key() == key)
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// `schemas/seb-clients.json`, split by build.rs into one JSON text per setting: a run parses the
/// rows of the settings it looks up, once each, and never the whole file.
mod embedded {
    include!(concat!(env!("OUT_DIR"), "/seb_clients.rs"));
}

/// `schemas/seb-clients.json`.
#[derive(Debug, Default)]
pub struct ClientData {
    /// Each platform's known releases, parsed and sorted once (every exam's client check asks).
    releases: HashMap<String, Vec<Release>>,
    /// Per setting of [`embedded::ROWS`] (same order): its rows by platform, parsed on first use
    /// (boxed: the cells of the ~400 settings a run does not read stay 16 bytes each).
    #[allow(clippy::box_collection)]
    // the box is the point: a 16-byte cell until the map is read
    settings: Vec<OnceLock<Box<HashMap<String, PlatformRow>>>>,
}

/// The members of the file a run needs besides `settings` (build.rs embeds only these).
#[derive(Debug, Default, Deserialize)]
struct Head {
    #[serde(default)]
    releases: HashMap<String, Vec<String>>,
}

/// What one platform does with one setting.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlatformRow {
    /// `true`: read by the releases `since`..=`until`; `false`: never read; absent: not decided.
    #[serde(default)]
    pub reads: Option<bool>,
    #[serde(default)]
    pub since: Option<String>,
    #[serde(default)]
    pub until: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub source: Vec<String>,
    #[serde(default)]
    pub columns: BTreeMap<String, PlatformRow>,
    #[serde(default)]
    pub refusals: Vec<Refusal>,
}

/// Releases that read a setting but refuse it: quit, force it off, or have removed the feature.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Refusal {
    pub since: String,
    #[serde(default)]
    pub until: Option<String>,
    /// `quits`, `forced off`, `removed`, `ignored`, `refused` (errors), or `unread`: the release does not
    /// read this value and keeps its own default (a `client-ignored` warning).
    pub effect: String,
    /// The value the refusal applies to (absent: any value).
    #[serde(default)]
    pub when: Option<Value>,
    /// The plist type the refusal applies to (`integer`, `string`, …; absent: any type).
    #[serde(default)]
    pub when_type: Option<String>,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub source: Vec<String>,
    #[serde(default)]
    pub hand_written: bool,
}

impl ClientData {
    /// The embedded data, parsed on first use. Unparsable data (a build defect the tests catch) checks
    /// nothing rather than stopping the compiler.
    pub fn get() -> &'static ClientData {
        static DATA: OnceLock<ClientData> = OnceLock::new();
        DATA.get_or_init(|| {
            let head: Head = serde_json::from_str(embedded::HEAD_JSON).unwrap_or_default();
            ClientData {
                releases: head
                    .releases
                    .into_iter()
                    .map(|(platform, names)| {
                        let mut r: Vec<Release> =
                            names.iter().filter_map(|s| Release::parse(s)).collect();
                        r.sort();
                        (platform, r)
                    })
                    .collect(),
                settings: embedded::ROWS.iter().map(|_| OnceLock::new()).collect(),
            }
        })
    }

    /// The rows of setting `key` by platform, parsed on first use.
    fn rows(&self, key: &str) -> Option<&HashMap<String, PlatformRow>> {
        let at = embedded::ROWS
            .binary_search_by(|(k, _)| (*k).cmp(key))
            .ok()?;
        let cell = self.settings.get(at)?;
        let rows = cell.get_or_init(|| {
            Box::new(serde_json::from_str(embedded::ROWS[at].1).unwrap_or_default())
        });
        Some(rows)
    }

    /// The known releases of a platform, oldest first.
    pub fn releases(&self, p: Platform) -> &[Release] {
        self.releases.get(p.key()).map_or(&[], Vec::as_slice)
    }

    pub fn newest(&self, p: Platform) -> Option<Release> {
        self.releases(p).last().copied()
    }

    pub fn row(&self, key: &str, p: Platform) -> Option<&PlatformRow> {
        self.rows(key)?.get(p.key())
    }

    pub fn has(&self, key: &str) -> bool {
        self.rows(key).is_some()
    }
}

fn within(r: Release, since: &str, until: Option<&str>) -> bool {
    Release::parse(since).is_some_and(|s| s <= r)
        && until.is_none_or(|u| Release::parse(u).is_some_and(|u| r <= u))
}

impl PlatformRow {
    /// Whether release `r` reads the setting (`None`: not decided).
    pub fn reads_at(&self, r: Release) -> Option<bool> {
        match (self.reads?, &self.since) {
            (true, Some(since)) => Some(within(r, since, self.until.as_deref())),
            (true, None) => Some(true),
            (false, _) => Some(false),
        }
    }

    /// The refusal release `r` applies to `value`, if any.
    pub fn refusal_at(&self, r: Release, value: &plist::Value) -> Option<&Refusal> {
        self.refusals.iter().find(|f| {
            within(r, &f.since, f.until.as_deref())
                && f.when.as_ref().is_none_or(|w| same_value(w, value))
                && f.when_type
                    .as_deref()
                    .is_none_or(|t| t == plist_type(value))
        })
    }
}

/// The plist type of a value, as `whenType` names it.
fn plist_type(value: &plist::Value) -> &'static str {
    match value {
        plist::Value::Boolean(_) => "boolean",
        plist::Value::Integer(_) => "integer",
        plist::Value::Real(_) => "real",
        plist::Value::String(_) => "string",
        plist::Value::Data(_) => "data",
        plist::Value::Date(_) => "date",
        plist::Value::Array(_) => "array",
        plist::Value::Dictionary(_) => "dict",
        _ => "unknown",
    }
}

fn same_value(json: &Value, value: &plist::Value) -> bool {
    match (json, value) {
        (Value::Bool(a), plist::Value::Boolean(b)) => a == b,
        (Value::Number(a), plist::Value::Integer(b)) => a.as_i64() == b.as_signed(),
        (Value::String(a), plist::Value::String(b)) => a == b,
        _ => false,
    }
}

/// `3.2–3.6`, `3.7`, `3.2, 3.4–3.5`, `3.0 and later`: releases as ranges of consecutive known releases
/// (a range reaching the newest known release is open).
pub fn ranges(chosen: &[Release], known: &[Release]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut run: Option<(Release, Release)> = None;
    for r in known {
        if chosen.contains(r) {
            run = Some(run.map_or((*r, *r), |(a, _)| (a, *r)));
        } else if let Some(done) = run.take() {
            parts.push(span(done));
        }
    }
    if let Some((a, b)) = run {
        parts.push(if a == b {
            a.to_string()
        } else {
            format!("{a} and later")
        });
    }
    parts.join(", ")
}

fn span((a, b): (Release, Release)) -> String {
    if a == b {
        a.to_string()
    } else {
        format!("{a}–{b}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    #[test]
    fn every_catalog_key_has_a_client_row_for_every_platform() {
        let data = ClientData::get();
        assert!(!data.settings.is_empty(), "schemas/seb-clients.json parses");
        for key in Catalog::get().keys() {
            assert!(
                data.has(key),
                "{key} has no row in schemas/seb-clients.json"
            );
            for p in [Platform::Windows, Platform::Macos, Platform::Ios] {
                assert!(data.row(key, p).is_some(), "{key} has no {} row", p.key());
            }
        }
        for p in Platform::ALL {
            assert!(data.newest(p).is_some(), "{} has releases", p.key());
        }
    }

    /// build.rs's split (one text per setting, the rest apart) holds exactly what the file holds.
    #[test]
    fn the_split_rows_are_the_files_rows() {
        #[derive(Deserialize)]
        struct Full {
            releases: HashMap<String, Vec<String>>,
            settings: HashMap<String, HashMap<String, PlatformRow>>,
        }
        let full: Full =
            serde_json::from_str(include_str!("../../schemas/seb-clients.json")).unwrap();
        let data = ClientData::get();
        for (p, names) in &full.releases {
            let mut parsed: Vec<Release> =
                names.iter().map(|s| Release::parse(s).unwrap()).collect();
            parsed.sort();
            assert_eq!(data.releases[p], parsed, "{p}");
        }
        assert_eq!(data.releases.len(), full.releases.len());
        assert_eq!(embedded::ROWS.len(), full.settings.len());
        for (key, rows) in &full.settings {
            let split = data.rows(key).unwrap();
            assert_eq!(split.len(), rows.len(), "{key}");
            for (p, row) in rows {
                assert_eq!(format!("{:?}", split[p]), format!("{row:?}"), "{key} {p}");
            }
        }
        assert!(!data.has("noSuchSetting"));
    }

    /// seb-clients.md §1: SEB for Windows forced Jitsi and Zoom off in 3.7 and deleted them in 3.8;
    /// SEB for iOS runs Jitsi but quits on Zoom; SEB for macOS quits on either.
    #[test]
    fn live_proctoring_facts_of_the_spec_are_in_the_data() {
        let data = ClientData::get();
        let on = plist::Value::Boolean(true);
        let at = |s: &str| Release::parse(s).unwrap();
        for key in ["jitsiMeetEnable", "zoomEnable"] {
            let win = data.row(key, Platform::Windows).unwrap();
            assert_eq!(
                win.refusal_at(at("3.7"), &on).unwrap().effect,
                "forced off",
                "{key}"
            );
            assert_eq!(
                win.refusal_at(at("3.8"), &on).unwrap().effect,
                "removed",
                "{key}"
            );
            let mac = data.row(key, Platform::Macos).unwrap();
            assert_eq!(
                mac.refusal_at(at("3.7"), &on).unwrap().effect,
                "quits",
                "{key}"
            );
        }
        let ios_zoom = data.row("zoomEnable", Platform::Ios).unwrap();
        assert_eq!(ios_zoom.refusal_at(at("3.4"), &on).unwrap().effect, "quits");
        let ios_jitsi = data.row("jitsiMeetEnable", Platform::Ios).unwrap();
        assert!(ios_jitsi.refusal_at(at("3.7"), &on).is_none());
        assert_eq!(ios_jitsi.reads_at(at("3.7")), Some(true));
    }

    /// seb-clients.md §2: SEB for Windows reads `screenProctoringImageFormat` only as a string
    /// (ProctoringDataMapper.cs:138), so the integer SEB Server writes is not read: a warning, not an error.
    #[test]
    fn windows_reads_the_screen_proctoring_image_format_only_as_a_string() {
        let data = ClientData::get();
        let win = data
            .row("screenProctoringImageFormat", Platform::Windows)
            .unwrap();
        let at = |s: &str| Release::parse(s).unwrap();
        let integer = plist::Value::Integer(0.into());
        let string = plist::Value::String("Jpg".into());
        assert_eq!(
            win.refusal_at(at("3.7"), &integer).unwrap().effect,
            "unread"
        );
        assert_eq!(
            win.refusal_at(at("3.10"), &integer).unwrap().effect,
            "unread"
        );
        assert!(win.refusal_at(at("3.10"), &string).is_none());
        assert_eq!(win.reads_at(at("3.6")), Some(false));
        for p in [Platform::Macos, Platform::Ios] {
            let row = data.row("screenProctoringImageFormat", p).unwrap();
            assert!(row.refusal_at(at("3.7"), &integer).is_none(), "{}", p.key());
        }
    }

    #[test]
    fn jitsi_rows_say_what_the_sources_say() {
        let data = ClientData::get();
        let on = plist::Value::Boolean(true);
        let mac = data.row("jitsiMeetEnable", Platform::Macos).unwrap();
        let quits = mac.refusal_at(Release::parse("3.7").unwrap(), &on).unwrap();
        assert_eq!(quits.effect, "quits");
        assert!(
            mac.refusal_at(
                Release::parse("3.7").unwrap(),
                &plist::Value::Boolean(false)
            )
            .is_none()
        );
        let ios = data.row("jitsiMeetEnable", Platform::Ios).unwrap();
        assert!(
            ios.refusal_at(Release::parse("3.4").unwrap(), &on)
                .is_none()
        );
        let win = data.row("jitsiMeetEnable", Platform::Windows).unwrap();
        assert_eq!(win.reads_at(Release::parse("3.6").unwrap()), Some(true));
        assert_eq!(win.reads_at(Release::parse("3.8").unwrap()), Some(false));
        let known = data.releases(Platform::Windows);
        let picked: Vec<Release> = ["3.2", "3.3", "3.5"]
            .iter()
            .filter_map(|s| Release::parse(s))
            .collect();
        assert_eq!(ranges(&picked, known), "3.2–3.3, 3.5");
    }
}
