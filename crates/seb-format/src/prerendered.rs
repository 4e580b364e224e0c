//! Entries of a settings dictionary rendered once — their XML in both styles and their SEB-JSON — for
//! writing many dictionaries that share most of their entries (every exam carries SEB's ~300 defaults
//! and overrides a few). Writing with [`Prerendered`] gives the same bytes and the same Config Key as
//! writing without it: an entry is reused only when the dictionary holds the same key with an equal
//! value, and everything else is rendered as usual, merged in at its place in SEB's key order.

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
        for (i, (key, value)) in sorted {
            let Some(xml) = crate::plist::render_entry(key, value, is_table(key)) else {
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
        write_xml(&pieces(root, self, &|_| false), style, is_table)
    }

    /// [`crate::configkey::config_key`] of `root`, copying the entries rendered in advance (the same
    /// key).
    pub fn config_key(&self, root: &Dictionary) -> String {
        config_key(&pieces(root, self, &|_| false))
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
        let pieces = pieces(root, self, &|_| false);
        Ok((write_xml(&pieces, style, is_table)?, config_key(&pieces)))
    }

    /// [`Prerendered::write_xml_and_key`] of a dictionary made from the source by changing some of its
    /// entries, when the caller knows which entries it kept: `kept(key)` true promises that `root`'s
    /// entry `key` holds the source's value, which is then copied without comparing the two (a table of
    /// SEB's defaults, `prohibitedProcesses`, has ~500 values). Entries not promised are compared as
    /// in [`Prerendered::write_xml_and_key`]. A false promise writes the source's value.
    ///
    /// # Errors
    ///
    /// As [`crate::plist::write_xml`].
    pub fn write_xml_and_key_kept(
        &self,
        root: &Dictionary,
        style: PlistStyle,
        is_table: &dyn Fn(&str) -> bool,
        kept: &dyn Fn(&str) -> bool,
    ) -> Result<(Vec<u8>, String), WriteError> {
        let pieces = pieces(root, self, kept);
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

    /// The entry rendered for `key` at insertion position `i` of a dictionary, when its value is `value`
    /// (or is promised to be the source's: `kept`). Scalars are compared rather than asked about.
    fn reusable(
        &self,
        i: usize,
        key: &str,
        value: &Value,
        kept: &dyn Fn(&str) -> bool,
    ) -> Option<usize> {
        let at = match self.by_insertion.get(i) {
            Some(&j) if self.entries.get(j).is_some_and(|e| e.key == key) => Some(j),
            _ => self.by_key.get(key).copied(),
        }?;
        let container = matches!(value, Value::Array(_) | Value::Dictionary(_));
        ((container && kept(key)) || same(&self.entries[at].value, value)).then_some(at)
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
/// with an equal value (or `kept` promises it, see [`Prerendered::write_xml_and_key_kept`]).
fn pieces<'a>(
    root: &'a Dictionary,
    pre: &'a Prerendered,
    kept: &dyn Fn(&str) -> bool,
) -> Vec<Piece<'a, &'a Entry>> {
    let entries = &pre.entries;
    let mut reused = vec![false; entries.len()];
    let mut own: Vec<(&'a str, &'a Value)> = Vec::new();
    for (i, (k, v)) in root.iter().enumerate() {
        match pre.reusable(i, k, v, kept) {
            Some(j) if !reused[j] => reused[j] = true,
            _ => own.push((k, v)),
        }
    }
    own.sort_by(|a, b| key_order(a.0, b.0));
    // Where each own entry goes among the rendered ones (a binary search each, not a comparison per
    // rendered entry).
    let places: Vec<usize> = own
        .iter()
        .map(|(k, _)| entries.partition_point(|e| key_order(&e.key, k).is_lt()))
        .collect();
    let mut out = Vec::with_capacity(root.len());
    let mut next = 0;
    for (j, entry) in entries.iter().enumerate() {
        while next < own.len() && places[next] == j {
            out.push(Piece::Own(own[next].0, own[next].1));
            next += 1;
        }
        if reused[j] {
            out.push(Piece::Rendered(entry));
        }
    }
    out.extend(own[next..].iter().map(|&(k, v)| Piece::Own(k, v)));
    out
}
