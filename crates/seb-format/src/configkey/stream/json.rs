//! Keys and values rendered as SEB-JSON renders the tree reader's values (§4.1): SEB's key order,
//! text with its entities resolved, and the scalars.

use super::out::Out;
use crate::configkey::format_g15;
use crate::plist::is_xml_char;
use base64::Engine;
use std::cmp::Ordering;

/// [`crate::plist::key_order`] on the bytes of keys: case-insensitive, and for keys equal but for
/// case, lowercase first at the first difference.
#[inline]
pub(super) fn seb_order(a: &[u8], b: &[u8]) -> Ordering {
    // The common case: the keys differ at a letter, ignoring case.
    for (x, y) in a.iter().zip(b) {
        if !x.eq_ignore_ascii_case(y) {
            return x.to_ascii_lowercase().cmp(&y.to_ascii_lowercase());
        }
    }
    let la = a.iter().map(u8::to_ascii_lowercase);
    let lb = b.iter().map(u8::to_ascii_lowercase);
    la.cmp(lb).then_with(|| {
        let ua = a.iter().map(u8::is_ascii_uppercase);
        let ub = b.iter().map(u8::is_ascii_uppercase);
        ua.cmp(ub)
    })
}

#[inline]
pub(super) fn put_key<O: Out>(key: &[u8], out: &mut O) {
    out.put(b"\"");
    out.put(key);
    out.put(b"\":");
}

/// Text with XML's five entities and character references resolved, written as SEB-JSON writes a
/// string: unescaped.
pub(super) fn put_text<O: Out>(text: &[u8], out: &mut O) -> Option<()> {
    let mut rest = text;
    while let Some(amp) = rest.iter().position(|&c| c == b'&') {
        out.put(&rest[..amp]);
        let semi = rest[amp..].iter().position(|&c| c == b';')? + amp;
        let c = entity(&rest[amp + 1..semi])?;
        out.put(c.encode_utf8(&mut [0; 4]).as_bytes());
        rest = &rest[semi + 1..];
    }
    out.put(rest);
    Some(())
}

/// The character an entity names (`amp`, `#233`, `#xE9`), if XML allows it.
pub(super) fn entity(name: &[u8]) -> Option<char> {
    Some(match name {
        b"amp" => '&',
        b"lt" => '<',
        b"gt" => '>',
        b"quot" => '"',
        b"apos" => '\'',
        _ => {
            let digits = name.strip_prefix(b"#")?;
            let (digits, radix) = match digits.strip_prefix(b"x") {
                Some(hex) => (hex, 16),
                None => (digits, 10),
            };
            let digits = std::str::from_utf8(digits).ok()?;
            if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
                return None;
            }
            char::from_u32(u32::from_str_radix(digits, radix).ok()?).filter(|&c| is_xml_char(c))?
        }
    })
}

/// Whether `text` is an integer the tree reader renders unchanged: decimal digits without a leading
/// zero (or `0`), an optional `-` (not on zero), within `i64`.
pub(super) fn plain_integer(text: &[u8]) -> bool {
    let digits = text.strip_prefix(b"-").unwrap_or(text);
    !digits.is_empty()
        && digits.len() <= 18
        && digits.iter().all(u8::is_ascii_digit)
        && (digits[0] != b'0' || text == b"0")
}

/// A leaf other than a string, rendered as SEB-JSON renders the tree reader's value of it; `data`
/// holds reusable buffers for `<data>`.
pub(super) fn scalar<O: Out>(
    name: &[u8],
    text: &[u8],
    data: &mut (Vec<u8>, String),
    out: &mut O,
) -> Option<()> {
    if name == b"integer" && plain_integer(text) {
        out.put(text);
        return Some(());
    }
    // The tree reader trims with Unicode whitespace: leave anything else than ASCII to it.
    if !text.is_ascii() {
        return None;
    }
    let trimmed = std::str::from_utf8(text).ok()?.trim();
    match name {
        b"true" | b"false" if trimmed.is_empty() => out.put(name),
        b"integer" => out.put(crate::plist::parse_integer(trimmed)?.to_string().as_bytes()),
        b"real" => out.put(format_g15(trimmed.parse::<f64>().ok()?).as_bytes()),
        b"data" => {
            let (compact, canonical) = data;
            compact.clear();
            compact.extend(trimmed.bytes().filter(|c| !c.is_ascii_whitespace()));
            let engine = &base64::engine::general_purpose::STANDARD;
            let bytes = engine.decode(&compact).ok()?;
            canonical.clear();
            engine.encode_string(bytes, canonical);
            out.put(b"\"");
            out.put(canonical.as_bytes());
            out.put(b"\"");
        }
        b"date" => {
            let date = plist::Date::from_xml_format(trimmed).ok()?;
            out.put(b"\"");
            out.put(date.to_xml_format().replace('Z', "+00:00").as_bytes());
            out.put(b"\"");
        }
        _ => return None,
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    pub(super) fn byte_order_is_key_order() {
        let keys = [
            "",
            "a",
            "A",
            "aB",
            "Ab",
            "ab",
            "AB",
            "allowWLAN",
            "allowWlan",
            "URLFilterRules",
            "é",
            "zz",
            "z_",
            "Z[",
            "a1",
        ];
        for a in keys {
            for b in keys {
                assert_eq!(
                    seb_order(a.as_bytes(), b.as_bytes()),
                    crate::plist::key_order(a, b),
                    "{a} {b}"
                );
            }
        }
    }

    #[test]
    pub(super) fn plain_integers_are_the_tree_readers_rendering() {
        for text in ["0", "7", "-7", "123456789012345678", "-123456789012345678"] {
            assert!(plain_integer(text.as_bytes()), "{text}");
            let tree = crate::plist::parse_integer(text).unwrap().to_string();
            assert_eq!(tree, text);
        }
        for text in [
            "",
            "-",
            "-0",
            "00",
            "01",
            "+1",
            " 1",
            "0x1",
            "1234567890123456789",
        ] {
            assert!(!plain_integer(text.as_bytes()), "{text}");
        }
    }
}
