//! The test oracle of [`super::SettingsOverlay`] in the merge: the straightforward merge it replaced,
//! kept as it was — a full copy of SEB's defaults in a `plist::Dictionary` per exam, changed by the
//! same `set` and `remove` — and a proptest that random sequences of layers setting keys (in any case
//! spelling) and removing them, over the defaults or over nothing (a minimal output), read the same
//! both ways: every key, value, origin and removal, in the same order.

use super::{Layer, Merged, SettingsOverlay, default_settings, same_file};
use crate::catalog::Catalog;
use plist::{Dictionary, Value as P};
use proptest::prelude::*;
use std::collections::{BTreeMap, HashMap};

/// `Merged` as it was: the settings a copy of the defaults.
struct Reference {
    settings: Dictionary,
    origins: BTreeMap<String, Layer>,
    removed: BTreeMap<String, Layer>,
    spellings: HashMap<String, Vec<String>>,
    with_defaults: bool,
}

impl Reference {
    fn new(with_defaults: bool) -> Reference {
        Reference {
            settings: match with_defaults {
                true => default_settings().clone(),
                false => Dictionary::new(),
            },
            origins: BTreeMap::new(),
            removed: BTreeMap::new(),
            spellings: HashMap::new(),
            with_defaults,
        }
    }

    fn spellings_of(&mut self, lower: String) -> &mut Vec<String> {
        let (settings, with_defaults) = (&self.settings, self.with_defaults);
        self.spellings.entry(lower).or_insert_with_key(|lower| {
            let defaults = match with_defaults {
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

    fn set(&mut self, key: &str, value: P, layer: Layer) {
        let lower = key.to_ascii_lowercase();
        let only = self.spellings_of(lower.clone());
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

    fn remove(&mut self, key: &str, layer: Layer) {
        self.settings.remove(key);
        self.origins.remove(key);
        self.spellings_of(key.to_ascii_lowercase())
            .retain(|k| k != key);
        self.removed.insert(key.to_string(), layer);
    }
}

/// Keys to set and remove: defaults (first, last, with another spelling among the defaults or not),
/// the same in other case spellings, and keys no default has.
fn keys() -> Vec<String> {
    let defaults = default_settings();
    let mut keys: Vec<String> = defaults.keys().take(2).cloned().collect();
    keys.extend(defaults.keys().last().cloned());
    keys.extend(
        [
            "allowWlan",
            "allowQuit",
            "prohibitedProcesses",
            "URLFilterRules",
        ]
        .into_iter()
        .filter(|k| defaults.contains_key(k))
        .map(String::from),
    );
    let spelled: Vec<String> = keys
        .iter()
        .flat_map(|k| [k.to_ascii_lowercase(), k.to_ascii_uppercase()])
        .collect();
    keys.extend(spelled);
    keys.extend(["allowWLAN", "newKey", "NewKey"].map(String::from));
    keys.sort();
    keys.dedup();
    keys
}

fn layer(i: usize, step: usize) -> Layer {
    let file = |f: &str| Layer::File {
        file: f.into(),
        line: step as u32 + 1,
        col: 3,
        pointer: format!("/seb/{step}"),
    };
    match i % 5 {
        0 => Layer::Base {
            file: "a.plist".into(),
        },
        1 => Layer::Base {
            file: "b.seb".into(),
        },
        2 => file("template.yaml"),
        3 => file("exam.yaml"),
        _ => Layer::Service {
            pointer: "/service/enableProctoring".into(),
        },
    }
}

#[derive(Debug, Clone)]
enum Op {
    Set { key: usize, layer: usize },
    Remove { key: usize, layer: usize },
}

fn assert_same(m: &Merged, r: &Reference, keys: &[String]) {
    let seen: Vec<(&str, &P)> = m.settings.iter().collect();
    let expected: Vec<(&str, &P)> = r.settings.iter().map(|(k, v)| (k.as_str(), v)).collect();
    assert_eq!(seen, expected, "keys, values and order");
    assert_eq!(m.settings.len(), r.settings.len());
    assert_eq!(m.origins, r.origins);
    assert_eq!(m.removed, r.removed);
    for k in keys {
        assert_eq!(m.settings.get(k), r.settings.get(k), "{k}");
        assert_eq!(
            m.settings.contains_key(k),
            r.settings.contains_key(k),
            "{k}"
        );
    }
    assert!(m.settings.to_dictionary().iter().eq(r.settings.iter()));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn merging_over_the_shared_defaults_reads_like_merging_into_a_copy(
        minimal in prop::bool::weighted(0.25),
        ops in prop::collection::vec(
            prop_oneof![
                3 => (any::<usize>(), any::<usize>()).prop_map(|(key, layer)| Op::Set { key, layer }),
                1 => (any::<usize>(), any::<usize>()).prop_map(|(key, layer)| Op::Remove { key, layer }),
            ],
            0..20,
        ),
    ) {
        let keys = keys();
        let mut m = Merged {
            settings: match minimal {
                true => SettingsOverlay::new(),
                false => SettingsOverlay::over_defaults(),
            },
            origins: BTreeMap::new(),
            removed: BTreeMap::new(),
            spellings: Default::default(),
        };
        let mut r = Reference::new(!minimal);
        assert_same(&m, &r, &keys);
        for (step, op) in ops.iter().enumerate() {
            match *op {
                Op::Set { key, layer: l } => {
                    let (k, v) = (&keys[key % keys.len()], P::String(format!("step {step}")));
                    m.set(k, v.clone(), layer(l, step));
                    r.set(k, v, layer(l, step));
                }
                Op::Remove { key, layer: l } => {
                    let k = &keys[key % keys.len()];
                    m.remove(k, layer(l, step));
                    r.remove(k, layer(l, step));
                }
            }
            assert_same(&m, &r, &keys);
        }
    }
}
