//! `sebc import`: someone else's settings (the dictionary of a `.seb` or plist file) → an exam file
//! that compiles back to the same settings and Config Key. What the file sets is sorted into `seb:` and
//! `proctoring:` (the split merge uses) as the catalog types it; what an exam file cannot express
//! exactly (keys sebc does not know, `<date>`s, values of another type than the catalog's, spellings
//! that differ only in case) is kept verbatim in a plist base beside it. Writing the file in each syntax
//! is [`write`]'s; checking that it compiles back is [`verify`]'s.

pub mod verify;
mod write;

pub use write::{ImportFormat, render};

use crate::catalog::{Catalog, SettingType};
use crate::merge::{default_settings, setting_value};
use plist::Value as P;
use serde_json::Value as J;
use std::collections::{BTreeMap, HashMap};

/// One setting of the exam file: a value, or `null` (a default the original leaves out).
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    /// `None` writes `null`: the output drops the default.
    pub value: Option<J>,
    /// A comment for the person who reads the file, written above the key.
    pub comment: Option<String>,
}

/// Why a setting is kept verbatim in the plist base instead of the exam file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verbatim {
    /// Not in sebc's catalog.
    Unknown,
    /// Holds a `<date>` (exam files have no date values).
    Date,
    /// Other spellings of the same key differing only in case (each client reads another one).
    CaseDuplicate,
    /// A value the exam file's type for this setting cannot reproduce exactly.
    OtherType,
    /// Compiling it from the exam file gave a diagnostic (`verify` moved it).
    Refused,
}

impl Verbatim {
    pub fn reason(self) -> &'static str {
        match self {
            Verbatim::Unknown => "a key sebc does not know",
            Verbatim::Date => "holds a <date>, which exam files cannot express",
            Verbatim::CaseDuplicate => "another spelling of the same key is also set",
            Verbatim::OtherType => "its value is not of the type sebc gives this setting",
            Verbatim::Refused => "sebc does not accept this value in an exam file",
        }
    }
}

/// An imported configuration, ready to be written.
#[derive(Debug, Clone)]
pub struct Imported {
    pub id: String,
    /// The file it came from, for the header comment.
    pub source: String,
    /// The original's Config Key.
    pub config_key: String,
    /// `output.minimal`: the original leaves out settings whose defaults a full output writes.
    pub minimal: bool,
    pub seb: Vec<Entry>,
    pub proctoring: Vec<Entry>,
    /// Settings kept verbatim, written as `<id>.verbatim.plist` and named in `extends`.
    pub verbatim: plist::Dictionary,
    pub verbatim_why: BTreeMap<String, Verbatim>,
    /// `clients:` when the settings do not work on every current SEB release (a `--clients` value:
    /// `windows=3.2..3.6,macos=false`), with the setting that needs it.
    pub clients: Option<(String, String)>,
}

impl Imported {
    /// The file name of the verbatim base, if there is one.
    pub fn verbatim_file(&self) -> Option<String> {
        (!self.verbatim.is_empty()).then(|| format!("{}.verbatim.plist", self.id))
    }
}

/// An exam id (`[a-z0-9][a-z0-9_-]*`, at most 64 characters) from a file name: its stem, lowercased,
/// every other character a `-`, runs of `-` collapsed; `imported` when nothing is left.
pub fn exam_id(path: &std::path::Path) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut id = String::new();
    for c in stem.chars().flat_map(char::to_lowercase) {
        let c = if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' {
            c
        } else {
            '-'
        };
        if c == '-' && (id.is_empty() || id.ends_with('-')) {
            continue;
        }
        id.push(c);
    }
    let id = id.trim_start_matches('_').trim_end_matches('-');
    let mut id: String = id.chars().take(64).collect();
    while id.ends_with('-') {
        id.pop();
    }
    if id.is_empty() {
        "imported".to_string()
    } else {
        id
    }
}

/// Whether the exam file can say `null` (TOML cannot): a full output then needs none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nulls {
    Allowed,
    Forbidden,
}

/// Sorts the settings of `dict` into an exam file holding what differs from SEB's defaults.
pub fn import(dict: &plist::Dictionary, id: &str, source: &str, nulls: Nulls) -> Imported {
    let catalog = Catalog::get();
    let mut spellings: HashMap<String, usize> = HashMap::new();
    for k in dict.keys() {
        *spellings.entry(k.to_ascii_lowercase()).or_default() += 1;
    }
    let mut expressible: Vec<(String, J)> = Vec::new();
    let mut verbatim = plist::Dictionary::new();
    let mut verbatim_why = BTreeMap::new();
    for (key, value) in dict {
        let why = if spellings[&key.to_ascii_lowercase()] > 1 {
            Some(Verbatim::CaseDuplicate)
        } else if holds_date(value) {
            Some(Verbatim::Date)
        } else {
            match catalog.setting(key) {
                None => Some(Verbatim::Unknown),
                Some(s) if s.ty == SettingType::Secret || s.expands_to.is_some() => {
                    Some(Verbatim::OtherType)
                }
                Some(s) => {
                    let json = exam_json(value);
                    if shape_fits(s.ty, &json) && setting_value(s, &json) == *value {
                        expressible.push((key.clone(), json));
                        None
                    } else {
                        Some(Verbatim::OtherType)
                    }
                }
            }
        };
        if let Some(why) = why {
            verbatim.insert(key.clone(), value.clone());
            verbatim_why.insert(key.clone(), why);
        }
    }
    let defaults = default_settings();
    let present: std::collections::HashSet<String> = spellings
        .keys()
        .cloned()
        .collect::<std::collections::HashSet<_>>();
    // A full output writes every default the original lacks: each would need a `null`.
    let nulls_needed: Vec<&String> = defaults
        .keys()
        .filter(|k| !present.contains(&k.to_ascii_lowercase()))
        .collect();
    let differing = expressible
        .iter()
        .filter(|(k, _)| defaults.get(k) != dict.get(k))
        .count();
    let minimal = (nulls == Nulls::Forbidden && !nulls_needed.is_empty())
        || differing + nulls_needed.len() > expressible.len();
    let mut entries: Vec<Entry> = expressible
        .into_iter()
        .filter(|(k, _)| minimal || defaults.get(k) != dict.get(k))
        .map(|(key, value)| Entry {
            comment: comment_for(&key, &value),
            key,
            value: Some(value),
        })
        .collect();
    if !minimal {
        entries.extend(nulls_needed.into_iter().map(|k| Entry {
            key: k.clone(),
            value: None,
            comment: None,
        }));
    }
    let (proctoring, seb) = entries
        .into_iter()
        .partition(|e| catalog.setting(&e.key).is_some_and(|s| s.is_proctoring()));
    Imported {
        id: id.to_string(),
        source: source.to_string(),
        config_key: seb_format::configkey::config_key(dict),
        minimal,
        seb,
        proctoring,
        verbatim,
        verbatim_why,
        clients: None,
    }
}

impl Imported {
    /// Moves `key` from the exam file's sections to the verbatim base (its value from `original`).
    pub fn keep_verbatim(&mut self, key: &str, original: &plist::Dictionary) -> bool {
        let Some(value) = original.get(key) else {
            return false;
        };
        let before = self.seb.len() + self.proctoring.len();
        self.seb.retain(|e| e.key != key);
        self.proctoring.retain(|e| e.key != key);
        if self.seb.len() + self.proctoring.len() == before {
            return false;
        }
        self.verbatim.insert(key.to_string(), value.clone());
        self.verbatim_why.insert(key.to_string(), Verbatim::Refused);
        true
    }
}

/// True when `v` has the JSON shape an exam file gives the catalog type `ty` (merge would otherwise
/// take the value by its own shape, and validate refuses it).
/// A value as an exam file writes it: data settings as Base64 text (the readable form), everything
/// else as [`crate::plist_json`] gives it.
fn exam_json(value: &P) -> J {
    use base64::Engine;
    match value {
        P::Data(d) => J::String(base64::engine::general_purpose::STANDARD.encode(d)),
        v => crate::plist_json::to_json(v),
    }
}

fn shape_fits(ty: SettingType, v: &J) -> bool {
    match ty {
        SettingType::Boolean => v.is_boolean(),
        SettingType::Integer => v.is_i64() || v.is_u64(),
        SettingType::Real => v.is_number(),
        SettingType::String | SettingType::Data => v.is_string(),
        SettingType::Array => v.is_array(),
        SettingType::ArrayOfDicts => v.as_array().is_some_and(|a| a.iter().all(J::is_object)),
        SettingType::Dict => v.is_object(),
        SettingType::Any => true,
        SettingType::Secret => false,
    }
}

/// True when a `<date>` is anywhere in `v`.
fn holds_date(v: &P) -> bool {
    match v {
        P::Date(_) => true,
        P::Array(a) => a.iter().any(holds_date),
        P::Dictionary(d) => d.values().any(holds_date),
        _ => false,
    }
}

/// What a reader should know about a setting: hashes cannot be reversed, outdated keys are ignored.
fn comment_for(key: &str, value: &J) -> Option<String> {
    let setting = Catalog::get().setting(key)?;
    let hashed_from = Catalog::get()
        .settings()
        .find(|s| s.hashed_into.as_deref() == Some(key));
    if let (Some(from), Some(hash)) = (hashed_from, value.as_str())
        && !hash.is_empty()
    {
        return Some(format!(
            "SHA-256 of the {} as SEB stores it: the clear password cannot be recovered from it. \
             To set a new one, replace this line by `{}: {{ env: NAME }}`.",
            from.key.trim_end_matches("Password").to_string() + " password",
            from.key
        ));
    }
    setting.deprecated.then(|| {
        "outdated: no current SEB client reads it (kept because the original has it)".to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn ids_come_from_the_file_name() {
        assert_eq!(
            exam_id(Path::new("dir/Math 101 Final.seb")),
            "math-101-final"
        );
        assert_eq!(exam_id(Path::new("__x__.plist")), "x__");
        assert_eq!(exam_id(Path::new("---.seb")), "imported");
        assert_eq!(exam_id(Path::new("Prüfung_A.seb")), "pr-fung_a");
        assert_eq!(exam_id(Path::new(&"a".repeat(100))).len(), 64);
        let re = regex::Regex::new("^[a-z0-9][a-z0-9_-]*$").unwrap();
        for name in ["é.seb", "1.seb", "-a-.seb", "a--b.seb", "_.seb", "A B-.seb"] {
            let id = exam_id(Path::new(name));
            assert!(re.is_match(&id), "{name} → {id}");
        }
    }

    fn dict(pairs: &[(&str, P)]) -> plist::Dictionary {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    #[test]
    fn a_small_file_is_minimal_and_keeps_every_key() {
        let d = dict(&[
            ("allowQuit", P::Boolean(true)),
            ("jitsiMeetAudioMuted", P::Boolean(true)),
            ("someFutureKey", P::Integer(3.into())),
            ("allowWlan", P::Boolean(true)),
            ("allowWLAN", P::Boolean(false)),
        ]);
        let i = import(&d, "x", "x.seb", Nulls::Allowed);
        assert!(i.minimal);
        assert_eq!(i.seb.len(), 1, "{:?}", i.seb);
        assert_eq!(
            i.seb[0].key, "allowQuit",
            "default values stay in a minimal file"
        );
        assert_eq!(i.proctoring[0].key, "jitsiMeetAudioMuted");
        assert_eq!(i.verbatim_why["someFutureKey"], Verbatim::Unknown);
        assert_eq!(i.verbatim_why["allowWlan"], Verbatim::CaseDuplicate);
        assert_eq!(i.verbatim_why["allowWLAN"], Verbatim::CaseDuplicate);
        assert_eq!(i.verbatim_file().as_deref(), Some("x.verbatim.plist"));
    }

    #[test]
    fn a_full_file_keeps_only_what_differs_and_nulls_what_it_lacks() {
        let mut d = default_settings().clone();
        d.insert("allowQuit".into(), P::Boolean(false));
        d.insert("hashedQuitPassword".into(), P::String("ab".repeat(32)));
        d.remove("startURL");
        let i = import(&d, "x", "x.seb", Nulls::Allowed);
        assert!(!i.minimal);
        let keys: Vec<(&str, bool)> = i
            .seb
            .iter()
            .map(|e| (e.key.as_str(), e.value.is_some()))
            .collect();
        assert_eq!(
            keys,
            [
                ("allowQuit", true),
                ("hashedQuitPassword", true),
                ("startURL", false)
            ]
        );
        assert!(
            i.seb[1]
                .comment
                .as_deref()
                .unwrap()
                .contains("cannot be recovered")
        );
        // Without `null` (TOML), the same file is written minimal.
        assert!(import(&d, "x", "x.seb", Nulls::Forbidden).minimal);
    }

    #[test]
    fn hostile_key_names_stay_inside_their_comment() {
        let d = dict(&[
            ("evil\rseb:\r  allowQuit: false", P::Boolean(true)),
            ("x\n- injected.plist", P::Boolean(true)),
            ("allowQuit", P::Boolean(true)),
        ]);
        for format in [ImportFormat::Yaml, ImportFormat::Toml] {
            let mut i = import(&d, "x", "evil\r\nname.seb", Nulls::Allowed);
            let text = render(&i, format);
            assert!(!text.contains('\r'), "{text}");
            let v = verify::settle(&mut i, &d, format, "x").unwrap();
            assert!(
                v.exact(&i.config_key),
                "{:?} {:?}\n{text}",
                v.differences,
                v.diags
            );
            assert_eq!(i.verbatim.len(), 2, "{text}");
        }
    }

    #[test]
    fn dates_and_mistyped_values_are_kept_verbatim() {
        let date = P::Date(std::time::SystemTime::UNIX_EPOCH.into());
        let d = dict(&[
            ("allowQuit", P::String("yes".into())),
            ("originatorVersion", P::Array(vec![date])),
            ("kioskMode", P::Integer(1.into())),
        ]);
        let i = import(&d, "x", "x.seb", Nulls::Allowed);
        assert_eq!(i.verbatim_why["allowQuit"], Verbatim::OtherType);
        assert_eq!(i.verbatim_why["originatorVersion"], Verbatim::Date);
        assert_eq!(i.verbatim_why["kioskMode"], Verbatim::OtherType);
        assert!(i.seb.is_empty());
    }
}
