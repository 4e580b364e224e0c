//! Property lists, SEB's settings format: the value model (the `plist` crate's `Value`), the
//! Config Key key order, the canonical XML writer and the hardened reader.

mod read;
mod write;

pub use read::{Limits, read_value, read_xml, read_xml_limited};
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
