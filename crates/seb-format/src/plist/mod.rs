//! Property lists, SEB's settings format: the value model (the `plist` crate's `Value`), the
//! Config Key key order, the canonical XML writer and the hardened reader, and the characters an XML
//! plist can hold (both refuse the others).

mod read;
mod write;

pub(crate) use read::parse_integer;
pub use read::{Limits, read_value, read_xml, read_xml_limited};
pub(crate) use write::KEPT_BUFFER_BYTES;
pub use write::{PlistStyle, WriteError, recycle_buffer, write_xml};
pub(crate) use write::{render_entry, write_pieces};

use std::cmp::Ordering;

/// A top-level entry to write, in SEB's key order: rendered in advance (`R`: its text), or a key and
/// value to render now. (See [`crate::prerendered`].)
pub(crate) enum Piece<'a, R> {
    Rendered(R),
    Own(&'a str, &'a plist::Value),
}

/// Whether XML 1.0 allows `c` in a document (the `Char` production: tab, line feed, carriage return,
/// U+0020–U+D7FF, U+E000–U+FFFD, U+10000–U+10FFFF). A plist string or key can hold no other character,
/// not even as a character reference.
pub fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
}

/// The first character of `s` XML 1.0 does not allow, with its index in characters.
pub fn first_invalid_char(s: &str) -> Option<(usize, char)> {
    s.chars().enumerate().find(|&(_, c)| !is_xml_char(c))
}

/// SEB's key order (Config Key order, SEB Server's `Collator(Locale.ROOT)` on ASCII keys):
/// case-insensitive, and for keys equal but for case, lowercase first at the first difference.
pub fn key_order(a: &str, b: &str) -> Ordering {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    // Byte by byte: this comparison sorts every dictionary written and every key hashed.
    for (p, q) in x.iter().zip(y) {
        let (lp, lq) = (p.to_ascii_lowercase(), q.to_ascii_lowercase());
        if lp != lq {
            return lp.cmp(&lq);
        }
    }
    x.len().cmp(&y.len()).then_with(|| {
        x.iter()
            .zip(y)
            .find(|(p, q)| p != q)
            .map_or(Ordering::Equal, |(p, q)| {
                p.is_ascii_uppercase().cmp(&q.is_ascii_uppercase())
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_chars() {
        for c in [
            '\t', '\n', '\r', ' ', '\u{7f}', '\u{85}', 'é', '\u{d7ff}', '\u{e000}', '\u{fffd}',
            '😀',
        ] {
            assert!(is_xml_char(c), "{c:?}");
        }
        for c in [
            '\0', '\u{1}', '\u{8}', '\u{b}', '\u{c}', '\u{1b}', '\u{1f}', '\u{fffe}', '\u{ffff}',
        ] {
            assert!(!is_xml_char(c), "{c:?}");
        }
        assert_eq!(first_invalid_char("aé\u{1b}\0"), Some((2, '\u{1b}')));
        assert_eq!(first_invalid_char("tab\there\r\n"), None);
    }

    proptest::proptest! {
        /// The byte loop is the definition: lowercase bytes, then lowercase first at the first
        /// difference.
        #[test]
        fn key_order_is_case_insensitive_then_lowercase_first(a in "[a-cA-C_é]{0,6}", b in "[a-cA-C_é]{0,6}") {
            let lower = |s: &str| s.bytes().map(|c| c.to_ascii_lowercase()).collect::<Vec<u8>>();
            let upper = |s: &str| s.bytes().map(|c| c.is_ascii_uppercase()).collect::<Vec<bool>>();
            let expected = lower(&a).cmp(&lower(&b)).then_with(|| upper(&a).cmp(&upper(&b)));
            proptest::prop_assert_eq!(key_order(&a, &b), expected);
        }
    }

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
