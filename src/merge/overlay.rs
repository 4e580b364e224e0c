//! The merged settings of one exam as an overlay: the entries its layers set or removed over a
//! dictionary every exam of the process shares (SEB's defaults, [`super::default_settings`]), instead
//! of a copy of the ~300 defaults per exam. It reads, iterates and converts exactly like the
//! `plist::Dictionary` the same inserts and removals would make from a copy of the base: that is an
//! `IndexMap` whose `remove` is `swap_remove` (plist 1.10 `Dictionary::remove`), so a key set again
//! keeps its place, a new key goes last, and a removed key's place goes to the last key.

use super::defaults::Defaults;
use indexmap::{IndexMap, IndexSet};
use plist::{Dictionary, Value};
use std::borrow::Cow;

/// What an overlay lies over.
#[derive(Clone, Copy)]
pub enum Base {
    /// A dictionary: an empty one for a minimal output (any, in tests).
    Dictionary(&'static Dictionary),
    /// SEB's defaults, each converted when first read ([`Defaults`]).
    Defaults(&'static Defaults),
}

impl Base {
    pub fn get(self, key: &str) -> Option<&'static Value> {
        match self {
            Base::Dictionary(d) => d.get(key),
            Base::Defaults(d) => d.value_of(key),
        }
    }

    pub fn contains_key(self, key: &str) -> bool {
        match self {
            Base::Dictionary(d) => d.contains_key(key),
            Base::Defaults(d) => d.contains_key(key),
        }
    }

    pub fn len(self) -> usize {
        match self {
            Base::Dictionary(d) => d.len(),
            Base::Defaults(d) => d.len(),
        }
    }

    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    /// The keys in order.
    pub fn keys(self) -> impl Iterator<Item = &'static str> {
        let (dict, defaults) = match self {
            Base::Dictionary(d) => (Some(d.keys().map(String::as_str)), None),
            Base::Defaults(d) => (None, Some(d.keys())),
        };
        dict.into_iter()
            .flatten()
            .chain(defaults.into_iter().flatten())
    }

    /// The entries in order.
    pub fn iter(self) -> impl Iterator<Item = (&'static str, &'static Value)> {
        let (dict, defaults) = match self {
            Base::Dictionary(d) => (Some(d.iter().map(|(k, v)| (k.as_str(), v))), None),
            Base::Defaults(d) => (None, Some(d.iter())),
        };
        dict.into_iter()
            .flatten()
            .chain(defaults.into_iter().flatten())
    }

    /// Whether this is SEB's defaults.
    pub fn is_defaults(self) -> bool {
        matches!(self, Base::Defaults(_))
    }
}

/// A shared base dictionary with one exam's entries over it (see the module docs).
#[derive(Clone)]
pub struct SettingsOverlay {
    /// What is below: SEB's defaults, or an empty dictionary (a minimal output).
    base: Base,
    /// The entries set over the base (a base key's new value, or a key the base lacks), every one
    /// present. While `order` is `None`, the keys the base lacks are in the order they came.
    own: IndexMap<String, Value>,
    /// How many of `own`'s keys the base lacks (while `order` is `None`).
    appended: usize,
    /// The keys in order, once a removal moved a key of a non-empty base out of the base's order;
    /// `None` while the order is the base's keys, then `own`'s keys the base lacks.
    order: Option<IndexSet<Cow<'static, str>>>,
}

impl SettingsOverlay {
    /// The entries of `base`, none changed yet.
    pub fn over(base: &'static Dictionary) -> SettingsOverlay {
        SettingsOverlay::over_base(Base::Dictionary(base))
    }

    /// SEB's defaults, none changed yet.
    pub fn over_defaults() -> SettingsOverlay {
        SettingsOverlay::over_base(Base::Defaults(Defaults::get()))
    }

    fn over_base(base: Base) -> SettingsOverlay {
        SettingsOverlay {
            base,
            own: IndexMap::new(),
            appended: 0,
            order: None,
        }
    }

    /// No entries: an overlay over the empty dictionary.
    pub fn new() -> SettingsOverlay {
        static EMPTY: std::sync::OnceLock<Dictionary> = std::sync::OnceLock::new();
        SettingsOverlay::over(EMPTY.get_or_init(Dictionary::new))
    }

    /// What is below the overlay.
    pub fn base(&self) -> Base {
        self.base
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        if let Some(v) = self.own.get(key) {
            return Some(v);
        }
        match &self.order {
            Some(order) if !order.contains(key) => None,
            _ => self.base.get(key),
        }
    }

    pub fn contains_key(&self, key: &str) -> bool {
        match &self.order {
            None => self.own.contains_key(key) || self.base.contains_key(key),
            Some(order) => order.contains(key),
        }
    }

    pub fn len(&self) -> usize {
        match &self.order {
            None => self.base.len() + self.appended,
            Some(order) => order.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The entries in the dictionary's order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> + '_ {
        let (base, own) = (self.base, &self.own);
        // Without a key of the base set over it, no base entry needs looking up in `own`.
        let overridden = own.len() > self.appended;
        let in_base_order = self.order.is_none().then(|| {
            let base_entries = base.iter().map(move |(k, v)| {
                let v = match overridden {
                    true => own.get(k).unwrap_or(v),
                    false => v,
                };
                (k, v)
            });
            let appended = own
                .iter()
                .filter(move |(k, _)| !overridden || !base.contains_key(k))
                .map(|(k, v)| (k.as_str(), v));
            base_entries.chain(appended)
        });
        let reordered = self.order.as_ref().map(|order| {
            order.iter().filter_map(move |k| {
                let v = own.get(k.as_ref()).or_else(|| base.get(k.as_ref()))?;
                Some((k.as_ref(), v))
            })
        });
        in_base_order
            .into_iter()
            .flatten()
            .chain(reordered.into_iter().flatten())
    }

    /// The keys in the dictionary's order.
    pub fn keys(&self) -> impl Iterator<Item = &str> + '_ {
        self.iter().map(|(k, _)| k)
    }

    /// Sets `key` as `Dictionary::insert` does: in its place when present, else last.
    pub fn insert(&mut self, key: String, value: Value) {
        if let Some(order) = &mut self.order
            && !order.contains(key.as_str())
        {
            order.insert(Cow::Owned(key.clone()));
        }
        let fresh = self.order.is_none() && !self.own.contains_key(&key);
        if fresh && !self.base.contains_key(&key) {
            self.appended += 1;
        }
        self.own.insert(key, value);
    }

    /// Removes `key` as `Dictionary::remove` does (the last key takes its place); whether it was
    /// there.
    pub fn remove(&mut self, key: &str) -> bool {
        if !self.contains_key(key) {
            return false;
        }
        if self.order.is_none() && self.base.is_empty() {
            // The keys are `own`'s alone, in its order: its own swap_remove is the dictionary's.
            self.own.swap_remove(key);
            self.appended -= 1;
            return true;
        }
        let order = match &mut self.order {
            Some(order) => order,
            None => {
                let (base, own) = (self.base, &self.own);
                let mut order: IndexSet<Cow<'static, str>> =
                    base.keys().map(Cow::Borrowed).collect();
                order.extend(
                    own.keys()
                        .filter(|k| !base.contains_key(k))
                        .map(|k| Cow::Owned(k.clone())),
                );
                self.order.insert(order)
            }
        };
        order.swap_remove(key);
        self.own.swap_remove(key);
        true
    }

    /// The entries set over the base, each present (in no particular order).
    pub fn changed(&self) -> impl Iterator<Item = (&str, &Value)> + '_ {
        self.own.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The keys of the base that are not in the dictionary.
    pub fn removed_from_base(&self) -> Vec<&'static str> {
        match &self.order {
            None => Vec::new(),
            Some(order) => self.base.keys().filter(|k| !order.contains(*k)).collect(),
        }
    }

    /// The dictionary itself, its entries copied.
    pub fn to_dictionary(&self) -> Dictionary {
        self.iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    /// The dictionary itself, the entries set over the base moved rather than copied.
    pub fn into_dictionary(mut self) -> Dictionary {
        let keys: Vec<String> = self.keys().map(str::to_string).collect();
        keys.into_iter()
            .filter_map(|k| {
                let v = match self.own.swap_remove(&k) {
                    Some(v) => v,
                    None => self.base.get(&k)?.clone(),
                };
                Some((k, v))
            })
            .collect()
    }
}

impl Default for SettingsOverlay {
    fn default() -> Self {
        SettingsOverlay::new()
    }
}

impl std::fmt::Debug for SettingsOverlay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl std::ops::Index<&str> for SettingsOverlay {
    type Output = Value;

    /// The value of `key`; panics when there is none, as `Dictionary`'s index does.
    fn index(&self, key: &str) -> &Value {
        self.get(key)
            .unwrap_or_else(|| panic!("no setting {key:?} in the merged settings"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What can happen to one key: set (to a value tagged with the step), or removed.
    #[derive(Debug, Clone)]
    enum Op {
        Insert(usize),
        Remove(usize),
    }

    /// The bases as dictionaries: SEB's defaults, nothing, and a few keys (where removals reorder
    /// most of them).
    fn base(which: u8) -> &'static Dictionary {
        static FEW: std::sync::OnceLock<Dictionary> = std::sync::OnceLock::new();
        static EMPTY: std::sync::OnceLock<Dictionary> = std::sync::OnceLock::new();
        match which % 3 {
            0 => super::super::default_settings(),
            1 => EMPTY.get_or_init(Dictionary::new),
            _ => FEW.get_or_init(|| {
                ["allowQuit", "allowWlan", "URLFilterRules", "zoomMode"]
                    .into_iter()
                    .enumerate()
                    .map(|(i, k)| (k.to_string(), Value::Integer((i as i64).into())))
                    .collect()
            }),
        }
    }

    /// Keys to touch: some of the base's (first, last, any), the same in other case spellings, and
    /// keys the base lacks.
    fn keys_for(base: &Dictionary) -> Vec<String> {
        let mut keys: Vec<String> = base.keys().take(3).cloned().collect();
        keys.extend(base.keys().last().cloned());
        keys.extend(base.keys().nth(base.len() / 2).cloned());
        let spelled: Vec<String> = keys
            .iter()
            .flat_map(|k| [k.to_ascii_lowercase(), k.to_ascii_uppercase()])
            .collect();
        keys.extend(spelled);
        keys.extend(["newKey", "newkey", "other", "third"].map(String::from));
        keys.sort();
        keys.dedup();
        keys
    }

    /// Everything a reader sees of `overlay` is what it sees of `dict`.
    fn assert_reads_like(overlay: &SettingsOverlay, dict: &Dictionary, keys: &[String]) {
        let seen: Vec<(&str, &Value)> = overlay.iter().collect();
        let expected: Vec<(&str, &Value)> = dict.iter().map(|(k, v)| (k.as_str(), v)).collect();
        assert_eq!(seen, expected, "iteration order and values");
        assert!(overlay.keys().eq(dict.keys().map(String::as_str)));
        assert_eq!(overlay.len(), dict.len());
        assert_eq!(overlay.is_empty(), dict.is_empty());
        for k in keys {
            assert_eq!(overlay.get(k), dict.get(k), "{k}");
            assert_eq!(overlay.contains_key(k), dict.contains_key(k), "{k}");
        }
        let copy = overlay.to_dictionary();
        assert!(copy.iter().eq(dict.iter()), "to_dictionary keeps the order");
        // The changes and removals over the base describe the same dictionary.
        let removed = overlay.removed_from_base();
        for (k, v) in overlay.base().iter() {
            let kept = !removed.contains(&k);
            assert_eq!(kept, dict.contains_key(k), "{k}");
            let changed = overlay.changed().find(|(c, _)| *c == k);
            if kept {
                assert_eq!(dict.get(k), Some(changed.map_or(v, |(_, v)| v)), "{k}");
            }
        }
        for (k, v) in overlay.changed() {
            assert_eq!(dict.get(k), Some(v), "{k}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

        /// Inserts and removals in any order, over each base, read exactly as a copy of the base
        /// changed the same way.
        #[test]
        fn reads_like_a_copy_of_the_base_changed_the_same_way(
            which in any::<u8>(),
            ops in prop::collection::vec(
                prop_oneof![
                    3 => any::<usize>().prop_map(Op::Insert),
                    2 => any::<usize>().prop_map(Op::Remove),
                ],
                0..24,
            ),
        ) {
            let base = base(which);
            let keys = keys_for(base);
            // SEB's defaults as the merge has them: converted when first read.
            let mut overlay = match which % 3 {
                0 => SettingsOverlay::over_defaults(),
                _ => SettingsOverlay::over(base),
            };
            let mut dict = base.clone();
            assert_reads_like(&overlay, &dict, &keys);
            for (step, op) in ops.iter().enumerate() {
                match op {
                    Op::Insert(i) => {
                        let k = &keys[i % keys.len()];
                        let v = Value::String(format!("step {step}"));
                        overlay.insert(k.clone(), v.clone());
                        dict.insert(k.clone(), v);
                    }
                    Op::Remove(i) => {
                        let k = &keys[i % keys.len()];
                        assert_eq!(overlay.remove(k), dict.remove(k).is_some(), "{k}");
                    }
                }
                assert_reads_like(&overlay, &dict, &keys);
                let copy = overlay.clone();
                assert!(copy.into_dictionary().iter().eq(dict.iter()), "into_dictionary");
            }
        }
    }

    #[test]
    fn a_removal_gives_the_removed_place_to_the_last_key() {
        let base = base(2); // allowQuit, allowWlan, URLFilterRules, zoomMode
        let mut s = SettingsOverlay::over(base);
        s.insert("newKey".into(), Value::Boolean(true));
        s.insert("allowWlan".into(), Value::Boolean(true));
        assert!(s.remove("allowQuit"));
        assert!(!s.remove("allowQuit"), "already gone");
        assert!(
            s.keys()
                .eq(["newKey", "allowWlan", "URLFilterRules", "zoomMode"])
        );
        assert_eq!(s.removed_from_base(), ["allowQuit"]);
        s.insert("allowQuit".into(), Value::Boolean(false));
        assert_eq!(s.keys().last(), Some("allowQuit"), "set again: last");
        assert_eq!(s["allowWlan"], Value::Boolean(true));
        assert_eq!(s["zoomMode"], Value::Integer(3.into()));
        assert_eq!(s.len(), 5);
    }

    #[test]
    fn the_base_is_shared_not_copied() {
        let mut a = SettingsOverlay::over_defaults();
        a.insert("allowQuit".into(), Value::Boolean(false));
        let b = a.clone();
        match (a.base(), b.base()) {
            (Base::Defaults(x), Base::Defaults(y)) => assert!(std::ptr::eq(x, y)),
            _ => panic!("not over the defaults"),
        }
        assert_eq!(a.changed().count(), 1, "only what was set is held");
        assert_eq!(a.len(), super::super::default_settings().len());
        assert!(SettingsOverlay::new().is_empty());
    }

    /// The defaults read one by one are the dictionary of them all, in its order; reading one
    /// converts that one alone.
    #[test]
    fn defaults_converted_when_read_are_the_defaults() {
        use crate::catalog::Catalog;
        let lazy = Defaults::get();
        // Every setting written with its default, straight from the catalog.
        let all: Dictionary = Catalog::get()
            .settings()
            .filter(|s| s.emit_default)
            .filter_map(|s| {
                let default = super::super::setting_value(s, s.default.as_ref()?);
                Some((s.key.to_string(), default))
            })
            .collect();
        assert!(super::super::default_settings().iter().eq(all.iter()));
        let owned = |(k, v): (&str, &Value)| (k.to_string(), v.clone());
        let read: Vec<(String, Value)> = lazy.iter().map(owned).collect();
        assert!(read.iter().map(|(k, v)| (k, v)).eq(all.iter()));
        assert!(lazy.keys().eq(all.keys().map(String::as_str)));
        assert_eq!(lazy.len(), all.len());
        for key in [
            "prohibitedProcesses",
            "allowQuit",
            "URLFilterRules",
            "hashedQuitPassword",
        ] {
            assert_eq!(lazy.value_of(key), all.get(key), "{key}");
            assert_eq!(lazy.contains_key(key), all.contains_key(key), "{key}");
        }
        assert!(
            !lazy.contains_key("originatorVersion"),
            "not written by default"
        );
        assert!(!lazy.contains_key("ALLOWQUIT"), "keys are exact");
    }
}
