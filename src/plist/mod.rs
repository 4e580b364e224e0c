//! Property lists, SEB's settings format: the value model (the `plist` crate's `Value`), the
//! Config Key key order, the canonical XML writer and the hardened reader.

mod read;
mod write;

pub use read::{MAX_PLIST_DEPTH, read_value, read_xml};
pub use write::{PlistStyle, write_xml};

use std::cmp::Ordering;

/// SEB's key order (Config Key order, SEB Server's `Collator(Locale.ROOT)` on ASCII keys):
/// case-insensitive, and for keys equal but for case, lowercase first at the first difference.
pub fn key_order(a: &str, b: &str) -> Ordering {
    let la = a.bytes().map(|c| c.to_ascii_lowercase());
    let lb = b.bytes().map(|c| c.to_ascii_lowercase());
    la.cmp(lb).then_with(|| {
        let ua = a.bytes().map(|c| c.is_ascii_uppercase());
        let ub = b.bytes().map(|c| c.is_ascii_uppercase());
        ua.cmp(ub)
    })
}

/// Sorts the keys of every dictionary, at every depth, in [`key_order`].
pub fn sort_keys(value: &mut plist::Value) {
    match value {
        plist::Value::Dictionary(d) => sort_dict(d),
        plist::Value::Array(items) => items.iter_mut().for_each(sort_keys),
        _ => {}
    }
}

pub fn sort_dict(d: &mut plist::Dictionary) {
    let mut entries: Vec<(String, plist::Value)> = std::mem::take(d).into_iter().collect();
    entries.sort_by(|a, b| key_order(&a.0, &b.0));
    for (k, mut v) in entries {
        sort_keys(&mut v);
        d.insert(k, v);
    }
}

/// A plist value as JSON (for `--json` output and `--explain`): data as Base64, dates as text.
pub fn to_json(v: &plist::Value) -> serde_json::Value {
    use base64::Engine;
    use serde_json::Value as J;
    match v {
        plist::Value::Boolean(b) => J::Bool(*b),
        plist::Value::Integer(i) => i
            .as_signed()
            .map(J::from)
            .or_else(|| i.as_unsigned().map(J::from))
            .unwrap_or(J::Null),
        plist::Value::Real(r) => serde_json::Number::from_f64(*r).map_or(J::Null, J::Number),
        plist::Value::String(s) => J::String(s.clone()),
        plist::Value::Data(d) => J::String(base64::engine::general_purpose::STANDARD.encode(d)),
        plist::Value::Date(d) => J::String(d.to_xml_format()),
        plist::Value::Array(a) => J::Array(a.iter().map(to_json).collect()),
        plist::Value::Dictionary(d) => {
            let mut entries: Vec<_> = d.iter().collect();
            entries.sort_by(|a, b| key_order(a.0, b.0));
            J::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.clone(), to_json(v)))
                    .collect(),
            )
        }
        _ => J::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_order_matches_seb_server_and_config_key() {
        let mut keys = vec![
            "zz",
            "allowWLAN",
            "aa",
            "allowWlan",
            "URLFilterRules",
            "startURL",
            "touchOptimized",
            "URLFilterEnable",
            "useAsymmetricOnlyEncryption",
        ];
        keys.sort_by(|a, b| key_order(a, b));
        assert_eq!(
            keys,
            [
                "aa",
                "allowWlan",
                "allowWLAN",
                "startURL",
                "touchOptimized",
                "URLFilterEnable",
                "URLFilterRules",
                "useAsymmetricOnlyEncryption",
                "zz"
            ]
        );
        let mut k2 = vec![
            "allowPDFPlugIn",
            "allowiOSBetaVersionNumber",
            "allowFlashFullscreen",
        ];
        k2.sort_by(|a, b| key_order(a, b));
        assert_eq!(
            k2,
            [
                "allowFlashFullscreen",
                "allowiOSBetaVersionNumber",
                "allowPDFPlugIn"
            ]
        );
    }
}
