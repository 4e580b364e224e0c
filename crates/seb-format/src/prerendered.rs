//! Entries of a settings dictionary rendered once — their XML in both styles and their SEB-JSON — for
//! writing many dictionaries that share most of their entries (every exam carries SEB's ~300 defaults
//! and overrides a few). Writing with [`Prerendered`] gives the same bytes and the same Config Key as
//! writing without it: an entry is reused only when the dictionary holds the same key with an equal
//! value, and everything else is rendered as usual, merged in at its place in SEB's key order.
//! A dictionary can also be given as its changes to the source ([`Prerendered::write_xml_and_key_of_changes`]):
//! then the source's entries are copied without being looked at.

use crate::plist::{Piece, PlistStyle, WriteError, key_order};
use plist::{Dictionary, Value};
use std::collections::HashMap;

/// One entry rendered in advance.
#[derive(Debug, Clone)]
struct Entry {
    key: String,
    value: Value,
    /// `<key>…</key>` and the value at depth 1, in [`PlistStyle::Indented`] and `Compact`.
    xml: [String; 2],
    /// `"key":value` as the Config Key hashes it, or `None` for an entry the key leaves out.
    json: Option<String>,
}

/// A dictionary's top-level entries, rendered once in SEB's key order (see the module docs).
#[derive(Debug, Clone, Default)]
pub struct Prerendered {
    /// Sorted in SEB's key order.
    entries: Vec<Entry>,
    /// Position in `entries` by key.
    by_key: HashMap<String, usize>,
    /// The source's entries the XML writer refuses (left out of `entries`).
    refused: Vec<(String, Value)>,
    /// Position in `entries` of the source dictionary's i-th entry: a dictionary made by cloning the
    /// source finds its entries here without hashing their keys.
    by_insertion: Vec<usize>,
}

impl Prerendered {
    /// Renders the entries of `source`. `is_table` must be the function later given to
    /// [`Prerendered::write_xml`]. An entry the XML writer would refuse (a character XML
    /// cannot carry) is left out: a dictionary holding it renders it, and fails, as usual.
    pub fn new(source: &Dictionary, is_table: &dyn Fn(&str) -> bool) -> Prerendered {
        let mut sorted: Vec<(usize, (&String, &Value))> = source.iter().enumerate().collect();
        sorted.sort_by(|a, b| key_order(a.1.0, b.1.0));
        let mut entries = Vec::with_capacity(source.len());
        let mut by_insertion = vec![usize::MAX; source.len()];
        let mut refused = Vec::new();
        for (i, (key, value)) in sorted {
            let Some(xml) = crate::plist::render_entry(key, value, is_table(key)) else {
                refused.push((key.clone(), value.clone()));
                continue;
            };
            by_insertion[i] = entries.len();
            entries.push(Entry {
                key: key.clone(),
                value: value.clone(),
                xml,
                json: crate::configkey::render_entry(key, value),
            });
        }
        let by_key = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.key.clone(), i))
            .collect();
        Prerendered {
            entries,
            by_key,
            refused,
            by_insertion,
        }
    }

    /// [`crate::plist::write_xml`] of `root`, copying the entries rendered in advance (the same bytes).
    ///
    /// # Errors
    ///
    /// As [`crate::plist::write_xml`].
    pub fn write_xml(
        &self,
        root: &Dictionary,
        style: PlistStyle,
        is_table: &dyn Fn(&str) -> bool,
    ) -> Result<Vec<u8>, WriteError> {
        write_xml(&pieces(root, self), style, is_table)
    }

    /// [`crate::configkey::config_key`] of `root`, copying the entries rendered in advance (the same
    /// key).
    pub fn config_key(&self, root: &Dictionary) -> String {
        config_key(&pieces(root, self))
    }

    /// [`Prerendered::write_xml`] and [`Prerendered::config_key`] at once: `root` is matched against
    /// the rendered entries once for both.
    ///
    /// # Errors
    ///
    /// As [`crate::plist::write_xml`].
    pub fn write_xml_and_key(
        &self,
        root: &Dictionary,
        style: PlistStyle,
        is_table: &dyn Fn(&str) -> bool,
    ) -> Result<(Vec<u8>, String), WriteError> {
        let pieces = pieces(root, self);
        Ok((write_xml(&pieces, style, is_table)?, config_key(&pieces)))
    }

    /// [`Prerendered::write_xml_and_key`] of the dictionary made from the source by removing the keys
    /// `removed` and then setting the entries `changed` (their keys distinct): the source's entries
    /// neither removed nor changed are copied without being looked at, so writing a dictionary that
    /// shares all but a few entries with the source costs those few (a table of SEB's defaults,
    /// `prohibitedProcesses`, has ~500 values). A key in `removed` the source lacks changes nothing.
    ///
    /// # Errors
    ///
    /// As [`crate::plist::write_xml`].
    pub fn write_xml_and_key_of_changes(
        &self,
        changed: &[(&str, &Value)],
        removed: &[&str],
        style: PlistStyle,
        is_table: &dyn Fn(&str) -> bool,
    ) -> Result<(Vec<u8>, String), WriteError> {
        let pieces = pieces_of_changes(self, changed, removed);
        Ok((write_xml(&pieces, style, is_table)?, config_key(&pieces)))
    }

    /// The number of entries rendered in advance.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no entry was rendered in advance.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entry rendered for `key` at insertion position `i` of a dictionary, when its value is
    /// `value`.
    fn reusable(&self, i: usize, key: &str, value: &Value) -> Option<usize> {
        let at = match self.by_insertion.get(i) {
            Some(&j) if self.entries.get(j).is_some_and(|e| e.key == key) => Some(j),
            _ => self.by_key.get(key).copied(),
        }?;
        same(&self.entries[at].value, value).then_some(at)
    }
}

fn write_xml(
    pieces: &[Piece<'_, &Entry>],
    style: PlistStyle,
    is_table: &dyn Fn(&str) -> bool,
) -> Result<Vec<u8>, WriteError> {
    let pieces: Vec<Piece<'_, &[String; 2]>> = pieces
        .iter()
        .map(|p| match p {
            Piece::Rendered(e) => Piece::Rendered(&e.xml),
            Piece::Own(k, v) => Piece::Own(k, v),
        })
        .collect();
    crate::plist::write_pieces(&pieces, style, is_table)
}

fn config_key(pieces: &[Piece<'_, &Entry>]) -> String {
    let pieces: Vec<Piece<'_, Option<&str>>> = pieces
        .iter()
        .map(|p| match p {
            Piece::Rendered(e) => Piece::Rendered(e.json.as_deref()),
            Piece::Own(k, v) => Piece::Own(k, v),
        })
        .collect();
    crate::configkey::config_key_of_pieces(&pieces)
}

/// Whether `a` and `b` are equal, comparing dictionaries entry by entry in their order (the plist
/// crate's `==` looks every key up, which costs more than rendering). Equal dictionaries in another
/// order count as different: they are rendered afresh, to the same bytes.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        (Value::Dictionary(x), Value::Dictionary(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y.iter())
                    .all(|((kp, p), (kq, q))| kp == kq && same(p, q))
        }
        // Reals by their bits: `-0.0` and `0.0` render differently, NaN is itself.
        (Value::Real(x), Value::Real(y)) => x.to_bits() == y.to_bits(),
        _ => a == b,
    }
}

/// The top-level entries of `root` in SEB's key order, each rendered in advance where `pre` holds it
/// with an equal value.
fn pieces<'a>(root: &'a Dictionary, pre: &'a Prerendered) -> Vec<Piece<'a, &'a Entry>> {
    let mut reused = vec![false; pre.entries.len()];
    let mut own: Vec<(&'a str, &'a Value)> = Vec::new();
    for (i, (k, v)) in root.iter().enumerate() {
        match pre.reusable(i, k, v) {
            Some(j) if !reused[j] => reused[j] = true,
            _ => own.push((k, v)),
        }
    }
    interleave(pre, &reused, own)
}

/// The top-level entries of the source with `removed` and `changed` applied (see
/// [`Prerendered::write_xml_and_key_of_changes`]) in SEB's key order.
fn pieces_of_changes<'a>(
    pre: &'a Prerendered,
    changed: &[(&'a str, &'a Value)],
    removed: &[&str],
) -> Vec<Piece<'a, &'a Entry>> {
    let mut kept = vec![true; pre.entries.len()];
    for k in removed {
        if let Some(&j) = pre.by_key.get(*k) {
            kept[j] = false;
        }
    }
    let mut own = Vec::with_capacity(changed.len());
    for &(k, v) in changed {
        match pre.by_key.get(k) {
            // Set to the source's value: its rendering serves.
            Some(&j) if same(&pre.entries[j].value, v) => kept[j] = true,
            Some(&j) => {
                kept[j] = false;
                own.push((k, v));
            }
            None => own.push((k, v)),
        }
    }
    // The source's entries the writer refuses are the dictionary's too unless removed or changed (and
    // then writing fails, as it does without `pre`).
    own.extend(
        pre.refused
            .iter()
            .filter(|(k, _)| !removed.contains(&k.as_str()))
            .filter(|(k, _)| !changed.iter().any(|(c, _)| c == k))
            .map(|(k, v)| (k.as_str(), v)),
    );
    interleave(pre, &kept, own)
}

/// `pre`'s entries where `rendered` is true and the `own` entries, merged in SEB's key order.
fn interleave<'a>(
    pre: &'a Prerendered,
    rendered: &[bool],
    mut own: Vec<(&'a str, &'a Value)>,
) -> Vec<Piece<'a, &'a Entry>> {
    let entries = &pre.entries;
    own.sort_by(|a, b| key_order(a.0, b.0));
    // Where each own entry goes among the rendered ones (a binary search each, not a comparison per
    // rendered entry).
    let places: Vec<usize> = own
        .iter()
        .map(|(k, _)| entries.partition_point(|e| key_order(&e.key, k).is_lt()))
        .collect();
    let mut out = Vec::with_capacity(entries.len() + own.len());
    let mut next = 0;
    for (j, entry) in entries.iter().enumerate() {
        while next < own.len() && places[next] == j {
            out.push(Piece::Own(own[next].0, own[next].1));
            next += 1;
        }
        if rendered[j] {
            out.push(Piece::Rendered(entry));
        }
    }
    out.extend(own[next..].iter().map(|&(k, v)| Piece::Own(k, v)));
    out
}
