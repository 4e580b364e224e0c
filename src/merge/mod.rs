//! Stage 3, merge: SEB defaults ← `extends` bases ← `seb` ← `proctoring` ← what the service settings
//! imply, into one settings dictionary typed by the catalog. Each key remembers the layer that set it.
//! A key a layer sets replaces what earlier layers set in any spelling (`allowWlan` replaces a base's
//! `allowWLAN`); `null` in `seb:`/`proctoring:` removes a key, and the removal is remembered too.

use crate::catalog::{Catalog, Column, Setting, SettingType};
use crate::diagnostic::Diagnostic;
use crate::load::{LoadedExam, escape_segment};
use crate::resolve::ResolvedSecrets;
use crate::secret::sha256_hex;
use crate::validate::{ValidBase, ValidExam, base64_decode};

mod defaults;
mod overlay;
mod reconcile;
#[cfg(test)]
mod reference;
mod server_link;
pub use defaults::Defaults;
use indexmap::IndexMap;
pub use overlay::{Base, SettingsOverlay};
use plist::Value as P;
use reconcile::reconcile_services;
use serde::Serialize;
use serde_json::Value as J;
use std::collections::BTreeMap;
#[cfg(test)]
use std::path::Path;

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "layer", rename_all = "camelCase")]
pub enum Layer {
    /// The catalog's default.
    Default,
    /// A base file named in `extends`.
    Base { file: String },
    /// The `seb` or `proctoring` section of an exam or template file (`pointer` is the JSON pointer).
    File {
        file: String,
        line: u32,
        col: u32,
        pointer: String,
    },
    /// Implied by the exam's `service` or `screenProctoring` settings.
    Service { pointer: String },
}

impl std::fmt::Display for Layer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Layer::Default => f.write_str("sebc's default (settings catalog)"),
            Layer::Base { file } => write!(f, "base {file}"),
            Layer::File {
                file,
                line,
                col,
                pointer,
            } => write!(f, "{file}:{line}:{col} ({pointer})"),
            Layer::Service { pointer } => write!(f, "the exam's service settings ({pointer})"),
        }
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub struct MergeOptions {
    /// Write only what the author and the bases set, not every catalog default.
    pub minimal: bool,
}

/// The merged settings of one exam.
#[derive(Debug, Clone)]
pub struct Merged {
    /// The settings: what the layers set or removed over SEB's defaults (shared by every exam), or
    /// over nothing for a minimal output.
    pub settings: SettingsOverlay,
    /// Where each setting not left at its default came from ([`Merged::origin`] answers for every key).
    pub origins: BTreeMap<String, Layer>,
    /// Keys a `null` removed (what an earlier layer set), with the place of the `null`.
    pub removed: BTreeMap<String, Layer>,
    /// The keys of `settings` by their lowercase spelling: finding a key's other spellings costs a
    /// lookup, not a pass over every key (kept by [`Merged::set`] and [`Merged::remove`]). A spelling
    /// no layer touched yet is the defaults' own ([`Catalog::default_keys_spelled`]), filled in on first
    /// touch.
    spellings: std::collections::HashMap<String, Vec<String>>,
}

impl Merged {
    /// The layer that set `key`: its entry in `origins`, or the default when the key holds its
    /// default (no layer set it).
    pub fn origin(&self, key: &str) -> Option<&Layer> {
        static DEFAULT: Layer = Layer::Default;
        self.origins
            .get(key)
            .or_else(|| self.settings.contains_key(key).then_some(&DEFAULT))
    }

    /// Every setting's layer, the defaults' included.
    pub fn all_origins(&self) -> BTreeMap<String, Layer> {
        self.settings
            .keys()
            .filter_map(|k| Some((k.to_string(), self.origin(k)?.clone())))
            .collect()
    }

    /// The keys of `settings` spelled `lower` in lowercase.
    fn spellings_of(&mut self, lower: String) -> &mut Vec<String> {
        let settings = &self.settings;
        self.spellings.entry(lower).or_insert_with_key(|lower| {
            // The catalog defaults are the first layer unless the output is minimal.
            let defaults = match settings.base().is_defaults() {
                true => Catalog::get().default_keys_spelled(lower),
                false => &[],
            };
            defaults
                .iter()
                .filter(|k| settings.contains_key(k))
                .map(|k| k.to_string())
                .collect()
        })
    }

    /// Sets `key`, replacing what another layer set under a spelling that differs only in case
    /// (two spellings set by one file stay: that is a Config Key divergence the file must fix).
    fn set(&mut self, key: &str, value: P, layer: Layer) {
        let lower = key.to_ascii_lowercase();
        let only = self.spellings_of(lower.clone());
        // The common case: no other spelling of the key is set (nothing to replace or keep).
        if only.iter().all(|k| k == key) {
            if only.is_empty() {
                only.push(key.to_string());
            }
            self.settings.insert(key.to_string(), value);
            self.origins.insert(key.to_string(), layer);
            self.removed.remove(key);
            return;
        }
        let spellings = std::mem::take(self.spellings_of(lower.clone()));
        let origins = &self.origins;
        let (variants, mut kept): (Vec<String>, Vec<String>) = spellings
            .into_iter()
            .partition(|k| k != key && !origins.get(k).is_some_and(|o| same_file(o, &layer)));
        for k in &variants {
            self.settings.remove(k);
            self.origins.remove(k);
        }
        if !kept.iter().any(|k| k == key) {
            kept.push(key.to_string());
        }
        self.spellings.insert(lower, kept);
        self.settings.insert(key.to_string(), value);
        self.origins.insert(key.to_string(), layer);
        self.removed.remove(key);
    }

    /// Removes `key` (a `null` at `layer`).
    fn remove(&mut self, key: &str, layer: Layer) {
        self.settings.remove(key);
        self.origins.remove(key);
        self.spellings_of(key.to_ascii_lowercase())
            .retain(|k| k != key);
        self.removed.insert(key.to_string(), layer);
    }
}

/// True when two layers are the same file.
fn same_file(a: &Layer, b: &Layer) -> bool {
    match (a, b) {
        (Layer::Base { file: x }, Layer::Base { file: y })
        | (Layer::File { file: x, .. }, Layer::File { file: y, .. }) => x == y,
        _ => false,
    }
}

/// Merges the layers of one exam; `secrets` gives the bytes of the passwords SEB stores hashed.
pub fn merge(
    exam: &ValidExam,
    secrets: &ResolvedSecrets,
    opts: MergeOptions,
) -> (Option<Merged>, Vec<Diagnostic>) {
    let mut m = Merged {
        settings: SettingsOverlay::new(),
        origins: BTreeMap::new(),
        removed: BTreeMap::new(),
        spellings: Default::default(),
    };
    let mut diags = Vec::new();
    if !opts.minimal && !exam.exam.output.minimal {
        m.settings = SettingsOverlay::over_defaults();
    }
    for base in &exam.bases {
        match base {
            ValidBase::Plist { display, dict } => {
                for (k, v) in dict.iter() {
                    m.set(
                        k,
                        v.clone(),
                        Layer::Base {
                            file: display.clone(),
                        },
                    );
                }
            }
            ValidBase::Template { source, template } => {
                apply(&mut m, secrets, source, "seb", &template.seb);
                apply(&mut m, secrets, source, "proctoring", &template.proctoring);
            }
        }
    }
    apply(&mut m, secrets, &exam.source, "seb", &exam.exam.seb);
    apply(
        &mut m,
        secrets,
        &exam.source,
        "proctoring",
        &exam.exam.proctoring,
    );
    reconcile_services(&mut m, &mut diags, exam);
    server_link::check_server_link(&m, exam, &mut diags);
    if diags.iter().any(Diagnostic::is_error) {
        (None, diags)
    } else {
        (Some(m), diags)
    }
}

/// The catalog defaults a full (not minimal) output carries, as one plist dictionary (built once per
/// process, from [`Defaults`], when something needs them all at once: the rendering in advance of
/// the emit stage, `sebc import`). Exams' settings read them through [`Defaults`] one by one.
pub fn default_settings() -> &'static plist::Dictionary {
    static DEFAULTS: std::sync::OnceLock<plist::Dictionary> = std::sync::OnceLock::new();
    DEFAULTS.get_or_init(|| {
        Defaults::get()
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    })
}

/// The plist value `value` becomes when an exam file sets the catalog setting `setting` to it (the
/// setting's type, table rows filled with their columns' defaults).
pub fn setting_value(setting: &Setting, value: &J) -> P {
    to_plist(value, setting.ty, setting.columns.as_deref())
}

fn apply(
    m: &mut Merged,
    secrets: &ResolvedSecrets,
    src: &LoadedExam,
    section: &str,
    settings: &IndexMap<String, J>,
) {
    let catalog = Catalog::get();
    for (key, value) in settings {
        let pointer = format!("/{section}/{}", escape_segment(key));
        let pos = src.map.value(&pointer);
        let layer = Layer::File {
            file: src.display.clone(),
            line: pos.line,
            col: pos.col,
            pointer: pointer.clone(),
        };
        let setting = catalog.setting(key);
        if value.is_null() {
            for k in setting.map_or_else(|| vec![key.clone()], written_by) {
                m.remove(&k, layer.clone());
            }
            continue;
        }
        let Some(setting) = setting else {
            continue;
        }; // validate rejected unknown keys
        if let Some(target) = &setting.hashed_into {
            // Resolved before merging; a reference that did not resolve stopped the exam there.
            if let Some(password) = secrets.get(&src.display, &pointer) {
                m.set(target, P::String(sha256_hex(password)), layer);
            }
            continue;
        }
        if let Some(expands) = &setting.expands_to {
            let choice = value.as_i64().map(|i| i.to_string()).unwrap_or_default();
            if let Some(J::Object(keys)) = expands.get(&choice) {
                for (k, v) in keys {
                    m.set(k, generic(v), layer.clone());
                }
            }
            continue;
        }
        m.set(
            key,
            to_plist(value, setting.ty, setting.columns.as_deref()),
            layer,
        );
    }
}

/// The keys a setting writes: its hash for a password, the keys of every choice for a setting that
/// expands, else itself.
fn written_by(setting: &Setting) -> Vec<String> {
    if let Some(target) = &setting.hashed_into {
        return vec![target.to_string()];
    }
    match &setting.expands_to {
        Some(choices) => choices
            .values()
            .filter_map(J::as_object)
            .flat_map(|keys| keys.keys().cloned())
            .collect(),
        None => vec![setting.key.to_string()],
    }
}

/// Converts a validated JSON value to the plist type the catalog gives it.
fn to_plist(v: &J, ty: SettingType, columns: Option<&[Column]>) -> P {
    match (ty, v) {
        (SettingType::Boolean, J::Bool(b)) => P::Boolean(*b),
        (SettingType::Integer, J::Number(n)) => P::Integer(
            n.as_i64()
                .unwrap_or_else(|| n.as_f64().unwrap_or(0.0) as i64)
                .into(),
        ),
        (SettingType::Real, J::Number(n)) => P::Real(n.as_f64().unwrap_or(0.0)),
        (SettingType::String, J::String(s)) => P::String(s.clone()),
        (SettingType::Data, J::String(s)) => P::Data(base64_decode(s).unwrap_or_default()),
        (SettingType::Data, J::Object(_)) => generic(v),
        (SettingType::ArrayOfDicts, J::Array(rows)) => P::Array(
            rows.iter()
                .map(|row| to_plist(row, SettingType::Dict, columns))
                .collect(),
        ),
        (SettingType::Dict, J::Object(obj)) if columns.is_some() => {
            let mut d = plist::Dictionary::new();
            for col in columns.unwrap_or_default() {
                match obj.get(&*col.key) {
                    Some(value) => d.insert(
                        col.key.to_string(),
                        to_plist(value, col.ty, col.columns.as_deref()),
                    ),
                    // Fill what the author left out, so every client sees the same row.
                    None => match col.default.as_ref().filter(|_| col.emit_default) {
                        Some(default) => d.insert(
                            col.key.to_string(),
                            to_plist(default, col.ty, col.columns.as_deref()),
                        ),
                        None => None,
                    },
                };
            }
            P::Dictionary(d)
        }
        _ => generic(v),
    }
}

/// JSON to plist by the value's own shape (for keys of unknown type and table cells).
fn generic(v: &J) -> P {
    match v {
        J::Null => P::String(String::new()),
        J::Bool(b) => P::Boolean(*b),
        J::Number(n) => match n.as_i64() {
            Some(i) => P::Integer(i.into()),
            None => P::Real(n.as_f64().unwrap_or(0.0)),
        },
        J::String(s) => P::String(s.clone()),
        J::Array(items) => P::Array(items.iter().map(generic).collect()),
        // `{ $data: … }`, `{ $date: … }`: the tagged values of `sebc decode --json`, validated before.
        J::Object(_) if crate::plist_json::is_tagged(v) => {
            crate::plist_json::from_json(v).unwrap_or_else(|_| P::String(String::new()))
        }
        J::Object(obj) => P::Dictionary(obj.iter().map(|(k, v)| (k.clone(), generic(v))).collect()),
    }
}

/// True when `key` is a table whose catalog type is an array of dictionaries.
pub fn is_table(key: &str) -> bool {
    Catalog::get()
        .setting(key)
        .is_some_and(|s: &Setting| s.ty == SettingType::ArrayOfDicts)
}

/// Runs load → validate → resolve → merge on exam text (no bases), for the unit tests of this stage.
#[cfg(test)]
pub(crate) fn merged_from(yaml: &str, opts: MergeOptions) -> (Option<Merged>, Vec<Diagnostic>) {
    use crate::load::{ExamTree, Syntax, parse_exam};
    let main = parse_exam(yaml, Syntax::Yaml, Path::new("exam.yaml"), "exam.yaml")
        .unwrap_or_else(|d| panic!("{d:?}"));
    let (exam, diags) = crate::validate::validate(ExamTree {
        main,
        bases: Vec::new(),
    });
    let exam = exam.unwrap_or_else(|| panic!("{diags:?}"));
    let secrets = crate::resolve::resolve(&exam, None).unwrap_or_else(|d| panic!("{d:?}"));
    merge(&exam, &secrets, opts)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: MergeOptions = MergeOptions { minimal: true };

    /// build.rs's table of the defaults' spellings is [`default_settings`]'s keys by lowercase.
    #[test]
    fn default_spellings_are_the_default_settings_keys() {
        let mut by_lower = std::collections::BTreeMap::<String, Vec<&str>>::new();
        for key in default_settings().keys() {
            by_lower
                .entry(key.to_ascii_lowercase())
                .or_default()
                .push(key);
        }
        assert!(by_lower.len() > 250);
        for (lower, keys) in &by_lower {
            assert_eq!(
                Catalog::get().default_keys_spelled(lower),
                &keys[..],
                "{lower}"
            );
        }
        for s in Catalog::get().settings() {
            let lower = s.key.to_ascii_lowercase();
            if !by_lower.contains_key(&lower) {
                assert!(
                    Catalog::get().default_keys_spelled(&lower).is_empty(),
                    "{lower}"
                );
            }
        }
        assert!(Catalog::get().default_keys_spelled("allowQuit").is_empty());
    }

    #[test]
    fn full_output_carries_every_default_and_minimal_only_what_is_set() {
        let yaml = "exam: { id: e }\nseb:\n  allowQuit: false\n";
        let (full, _) = merged_from(yaml, MergeOptions::default());
        let full = full.unwrap();
        let (min, _) = merged_from(yaml, MINIMAL);
        let min = min.unwrap();
        assert_eq!(min.settings.len(), 1);
        assert_eq!(min.settings["allowQuit"], P::Boolean(false));
        assert!(full.settings.len() > 290, "{}", full.settings.len());
        // Outdated keys (no current client reads them) and data keys (salts) are never written by default.
        let catalog = Catalog::get();
        for key in full.settings.keys() {
            let s = catalog.setting(key);
            assert!(
                s.is_some_and(|s| !s.deprecated && s.ty != SettingType::Data),
                "{key}"
            );
        }
        assert!(!full.settings.contains_key("browserURLSalt"));
        assert!(!full.settings.contains_key("exitKey1"));
        assert_eq!(full.settings["allowQuit"], P::Boolean(false));
        assert_eq!(
            full.origins["allowQuit"],
            Layer::File {
                file: "exam.yaml".into(),
                line: 3,
                col: 14,
                pointer: "/seb/allowQuit".into(),
            }
        );
        assert_eq!(full.origin("startURL"), Some(&Layer::Default));
        assert!(
            !full.origins.contains_key("startURL"),
            "defaults are not recorded one by one"
        );
        assert_eq!(full.origin("noSuchKey"), None);
    }

    #[test]
    fn the_overlay_holds_what_the_layers_set_over_the_shared_defaults() {
        let yaml = "exam: { id: e }\nseb:\n  allowQuit: false\n  prohibitedProcesses: []\n  \
                    showTime: null\n  allowWlan: true\n";
        let (m, diags) = merged_from(yaml, MergeOptions::default());
        let m = m.unwrap_or_else(|| panic!("{diags:?}"));
        let defaults = default_settings();
        assert!(m.settings.base().is_defaults());
        // What the layers set, and nothing else, is held over the defaults: emit renders just that.
        let mut changed: Vec<&str> = m.settings.changed().map(|(k, _)| k).collect();
        changed.sort();
        assert_eq!(changed, ["allowQuit", "allowWlan", "prohibitedProcesses"]);
        assert!(m.origins.keys().eq(changed.iter().copied()));
        assert_eq!(m.settings.removed_from_base(), ["showTime"]);
        assert_eq!(m.settings.len(), defaults.len() - 1);
        for (k, v) in m.settings.iter() {
            if !changed.contains(&k) {
                assert_eq!(Some(v), defaults.get(k), "{k}");
            }
        }
        // Set to its own default value by the exam: held (its layer is the exam).
        let (m, _) = merged_from(
            "exam: { id: e }\nseb:\n  allowQuit: true\n",
            MergeOptions::default(),
        );
        let m = m.unwrap();
        assert!(m.settings.changed().any(|(k, _)| k == "allowQuit"));
        assert_eq!(m.settings.get("allowQuit"), defaults.get("allowQuit"));
        let (min, _) = merged_from("exam: { id: e }\nseb:\n  allowQuit: true\n", MINIMAL);
        assert!(
            min.unwrap().settings.base().is_empty(),
            "no defaults below a minimal output"
        );
    }

    #[test]
    fn values_take_the_catalog_type_and_table_rows_are_filled() {
        let yaml = "exam: { id: e }\nseb:\n  browserWindowAllowReload: true\n  \
                    URLFilterRules:\n    - { expression: \"a.example.org/*\" }\n";
        let (m, diags) = merged_from(yaml, MINIMAL);
        let m = m.unwrap_or_else(|| panic!("{diags:?}"));
        let P::Array(rules) = &m.settings["URLFilterRules"] else {
            panic!("{:?}", m.settings["URLFilterRules"])
        };
        let P::Dictionary(rule) = &rules[0] else {
            panic!()
        };
        // Every column is written, so every client reads the same row.
        assert!(
            rule.contains_key("action") && rule.contains_key("active"),
            "{rule:?}"
        );
        assert_eq!(rule["expression"], P::String("a.example.org/*".into()));
    }

    #[test]
    fn null_removes_what_an_earlier_layer_set_and_is_remembered() {
        let yaml = "exam: { id: e }\nseb:\n  allowQuit: null\n  quitPassword: null\n";
        let (m, diags) = merged_from(yaml, MergeOptions::default());
        let m = m.unwrap_or_else(|| panic!("{diags:?}"));
        assert!(!m.settings.contains_key("allowQuit"), "the default is gone");
        assert!(!m.settings.contains_key("hashedQuitPassword"));
        assert!(!m.origins.contains_key("allowQuit"));
        assert!(
            matches!(&m.removed["allowQuit"], Layer::File { line: 3, .. }),
            "{:?}",
            m.removed
        );
        assert!(m.removed.contains_key("hashedQuitPassword"));
    }

    #[test]
    fn a_key_replaces_other_spellings_from_other_layers_only() {
        let mut m = Merged {
            settings: SettingsOverlay::new(),
            origins: BTreeMap::new(),
            removed: BTreeMap::new(),
            spellings: Default::default(),
        };
        let base = Layer::Base {
            file: "b.plist".into(),
        };
        let exam = |line| Layer::File {
            file: "e.yaml".into(),
            line,
            col: 1,
            pointer: String::new(),
        };
        m.set("allowWLAN", P::Boolean(false), base.clone());
        m.set("allowWlan", P::Boolean(true), base);
        assert_eq!(m.settings.len(), 2, "one file's two spellings stay");
        m.set("allowWlan", P::Boolean(false), exam(3));
        assert_eq!(
            m.settings.len(),
            1,
            "the exam's spelling replaces the base's"
        );
        m.set("ALLOWWLAN", P::Boolean(false), exam(4));
        assert_eq!(m.settings.len(), 2, "the exam's own two spellings stay");
    }

    #[test]
    fn passwords_are_written_as_their_hash_only() {
        let yaml = "exam: { id: e }\nseb:\n  quitPassword: quit\n";
        let (m, _) = merged_from(yaml, MINIMAL);
        let m = m.unwrap();
        assert_eq!(
            m.settings["hashedQuitPassword"],
            P::String("8577da2ea54085708b3b851bc50315a36bb740ba5135e747cfb12457b5d3060f".into())
        );
        assert!(!m.settings.contains_key("quitPassword"));
    }
}
