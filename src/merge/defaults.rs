//! SEB's defaults as the merge's base: every catalog setting a full output carries with its default
//! (`emitDefault` and a default), in the catalog's order, each value converted to plist when first
//! read. A run that reads a few defaults (`sebc validate`: the proctoring switches, the keys a client
//! check looks at) converts those, not all ~300 (`prohibitedProcesses` alone is ~500 plist values);
//! writing a whole configuration reads them all, once per process.

use super::to_plist;
use crate::catalog::{Catalog, Setting};
use plist::Value;
use std::sync::OnceLock;

/// The defaults (see the module docs); one per process, [`Defaults::get`].
pub struct Defaults {
    /// In order, each default.
    entries: Vec<Entry>,
    /// Per catalog position, the index of its default in `entries`.
    at: Vec<Option<u32>>,
}

struct Entry {
    /// The setting's catalog position (the catalog builds a setting when it is first read).
    position: usize,
    /// The default as plist, once converted (boxed: the cells of the defaults a run does not read
    /// stay 16 bytes each).
    value: OnceLock<Box<Value>>,
}

impl Defaults {
    /// The process's defaults (their keys listed once; no value converted yet).
    pub fn get() -> &'static Defaults {
        static DEFAULTS: OnceLock<Defaults> = OnceLock::new();
        DEFAULTS.get_or_init(Defaults::new)
    }

    fn new() -> Defaults {
        let catalog = Catalog::get();
        let positions = catalog.emitted_defaults();
        let mut at = vec![None; catalog.count()];
        for (i, &position) in positions.iter().enumerate() {
            at[position] = u32::try_from(i).ok();
        }
        let entries = positions
            .iter()
            .map(|&position| Entry {
                position,
                value: OnceLock::new(),
            })
            .collect();
        Defaults { entries, at }
    }

    fn index(&self, key: &str) -> Option<usize> {
        let position = Catalog::get().position(key)?;
        self.at.get(position).copied().flatten().map(|i| i as usize)
    }

    fn value(&self, i: usize) -> &Value {
        let e = &self.entries[i];
        e.value.get_or_init(|| {
            let setting: &Setting = Catalog::get().at(e.position);
            // Every emitted default has one (the catalog's test of `emitted_defaults`).
            let default = setting.default.as_ref().unwrap_or(&serde_json::Value::Null);
            Box::new(to_plist(default, setting.ty, setting.columns.as_deref()))
        })
    }

    /// The default of `key`, if a full output carries one.
    pub fn value_of(&self, key: &str) -> Option<&Value> {
        Some(self.value(self.index(key)?))
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.index(key).is_some()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The keys in order (no value converted, no setting built).
    pub fn keys(&self) -> impl Iterator<Item = &'static str> + '_ {
        let catalog = Catalog::get();
        self.entries.iter().map(|e| catalog.key(e.position))
    }

    /// The entries in order (every value converted).
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &Value)> + '_ {
        let catalog = Catalog::get();
        (0..self.entries.len()).map(|i| (catalog.key(self.entries[i].position), self.value(i)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reading_a_default_converts_that_one_alone() {
        let defaults = Defaults::new();
        let converted = |d: &Defaults| d.entries.iter().filter(|e| e.value.get().is_some()).count();
        assert!(defaults.contains_key("prohibitedProcesses"));
        assert_eq!(defaults.keys().count(), defaults.len());
        assert_eq!(converted(&defaults), 0, "listing keys converts nothing");
        assert!(defaults.value_of("allowQuit").is_some());
        assert_eq!(defaults.value_of("noSuchSetting"), None);
        assert_eq!(converted(&defaults), 1);
        assert_eq!(defaults.iter().count(), defaults.len());
        assert_eq!(
            converted(&defaults),
            defaults.len(),
            "iterating converts every one"
        );
    }
}
