//! The Config Key (spec `seb-file-format.md` §4): the SHA-256 of SEB's own JSON rendering of the
//! settings, computed exactly as SEB clients do, and the lints for the inputs on which SEB for Windows,
//! macOS and Moodle compute different keys (§4.2).

mod stream;

use crate::plist::{Limits, Piece, key_order};
use base64::Engine;
use plist::Value;
use sha2::{Digest, Sha256};

/// The SEB-JSON string that is hashed (§4.1): `originatorVersion` removed at every level, empty
/// dictionaries dropped, keys in SEB's order, no whitespace, strings unescaped.
pub fn seb_json(root: &plist::Dictionary) -> String {
    let mut out = String::with_capacity(64 * 1024);
    write_dict(&mut out, root);
    out
}

/// The Config Key: lowercase hex SHA-256 of [`seb_json`].
pub fn config_key(root: &plist::Dictionary) -> String {
    config_key_of_seb_json(&seb_json(root))
}

/// The Config Key of a SEB-JSON string already made by [`seb_json`].
pub fn config_key_of_seb_json(json: &str) -> String {
    hex::encode(Sha256::digest(json.as_bytes()))
}

/// The Config Key of a top-level dictionary of `pieces`, given in SEB's key order: the rendered ones
/// (`"key":value` from [`render_entry`], `None` for entries the key leaves out) copied, the others
/// rendered now.
pub(crate) fn config_key_of_pieces(pieces: &[Piece<'_, Option<&str>>]) -> String {
    // The SEB-JSON is written into one buffer per thread, kept between calls (~40 KB for SEB's
    // defaults: allocating it afresh each time costs page faults, not only a copy).
    thread_local! {
        static JSON: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
    }
    JSON.with(|cell| match cell.try_borrow_mut() {
        Ok(mut out) => {
            let key = hash_pieces(&mut out, pieces);
            if out.capacity() > crate::plist::KEPT_BUFFER_BYTES {
                *out = String::new();
            }
            key
        }
        Err(_) => hash_pieces(&mut String::new(), pieces),
    })
}

fn hash_pieces(out: &mut String, pieces: &[Piece<'_, Option<&str>>]) -> String {
    out.clear();
    out.reserve(64 * 1024);
    out.push('{');
    for piece in pieces {
        let before = out.len();
        if before > 1 {
            out.push(',');
        }
        match piece {
            Piece::Rendered(Some(json)) => out.push_str(json),
            Piece::Own(k, v) if !skipped(k, v) => write_entry(out, k, v),
            _ => out.truncate(before),
        }
    }
    out.push('}');
    hex::encode(Sha256::digest(out.as_bytes()))
}

/// A top-level entry's SEB-JSON (`"key":value`), or `None` for an entry the key leaves out.
pub(crate) fn render_entry(key: &str, value: &Value) -> Option<String> {
    let mut out = String::new();
    (!skipped(key, value)).then(|| {
        write_entry(&mut out, key, value);
        out
    })
}

/// The Config Key of an XML plist, read as a stream: the same key as [`config_key`] of
/// [`crate::plist::read_xml`]'s dictionary (and the same error), in memory bounded by the plist's
/// largest dictionaries rather than its size. A file the streaming scanner does not handle (CDATA,
/// attributes, markup inside values, an error, the default [`Limits`] crossed) is read as a tree.
pub fn config_key_of_xml(xml: &[u8]) -> Result<String, String> {
    match config_key_streamed(xml, &Limits::default()) {
        Some(key) => Ok(key),
        None => crate::plist::read_xml(xml).map(|d| config_key(&d)),
    }
}

/// [`config_key_of_xml`] of the XML plist a file (or any reader) holds, read through a window so that
/// memory does not grow with the file; only when the tree reader must answer is the whole file read,
/// up to [`crate::container::DEFAULT_MAX_DECOMPRESSED`] bytes.
pub fn config_key_of_reader<R: std::io::Read + std::io::Seek>(
    mut reader: R,
) -> Result<String, String> {
    let read_error = |e: std::io::Error| format!("cannot read the plist: {e}");
    let len = reader.seek(std::io::SeekFrom::End(0)).map_err(read_error)?;
    let limits = Limits::default();
    if let Some(key) = stream::config_key_of_reader(&mut reader, len, &limits, stream::WINDOW_BYTES)
    {
        return Ok(key);
    }
    let max = crate::container::DEFAULT_MAX_DECOMPRESSED;
    if len > max {
        return Err(format!(
            "the plist is {len} bytes and is not one the streaming reader reads; the tree reader \
             reads at most {} MiB",
            max >> 20
        ));
    }
    let mut xml = Vec::new();
    reader
        .seek(std::io::SeekFrom::Start(0))
        .map_err(read_error)?;
    reader.read_to_end(&mut xml).map_err(read_error)?;
    crate::plist::read_xml(&xml).map(|d| config_key(&d))
}

/// The streaming scanner of [`config_key_of_reader`] alone, through a window of `window_bytes`
/// (at least twice the longest leaf the `limits` allow): `None` where it hands over to the tree
/// reader (tests use small windows to prove that moving the window changes nothing).
pub fn config_key_streamed_from<R: std::io::Read + std::io::Seek>(
    mut reader: R,
    limits: &Limits,
    window_bytes: usize,
) -> Option<String> {
    let len = reader.seek(std::io::SeekFrom::End(0)).ok()?;
    stream::config_key_of_reader(&mut reader, len, limits, window_bytes)
}

/// The streaming scanner of [`config_key_of_xml`] alone: `None` where it hands over to the tree
/// reader (tests use it to prove both agree).
pub fn config_key_streamed(xml: &[u8], limits: &Limits) -> Option<String> {
    stream::config_key(xml, limits)
}

/// `X-SafeExamBrowser-ConfigKeyHash` for a request URL: SHA-256 of the URL without fragment + key.
pub fn config_key_hash(url: &str, key: &str) -> String {
    let base = url.split('#').next().unwrap_or(url);
    hex::encode(Sha256::digest(format!("{base}{key}").as_bytes()))
}

fn skipped(key: &str, value: &Value) -> bool {
    key == "originatorVersion" || matches!(value, Value::Dictionary(d) if d.is_empty())
}

fn write_dict(out: &mut String, d: &plist::Dictionary) {
    let mut entries: Vec<(&String, &Value)> = d.iter().filter(|(k, v)| !skipped(k, v)).collect();
    entries.sort_by(|a, b| key_order(a.0, b.0));
    out.push('{');
    for (i, (k, v)) in entries.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_entry(out, k, v);
    }
    out.push('}');
}

fn write_entry(out: &mut String, k: &str, v: &Value) {
    out.push('"');
    out.push_str(k);
    out.push_str("\":");
    write_value(out, v);
}

fn write_value(out: &mut String, v: &Value) {
    match v {
        Value::Boolean(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Integer(i) => match i.as_signed() {
            Some(s) => out.push_str(&s.to_string()),
            None => out.push_str(&i.as_unsigned().unwrap_or(0).to_string()),
        },
        Value::Real(r) => out.push_str(&format_g15(*r)),
        Value::String(s) => {
            out.push('"');
            out.push_str(s);
            out.push('"');
        }
        Value::Data(d) => {
            out.push('"');
            out.push_str(&base64::engine::general_purpose::STANDARD.encode(d));
            out.push('"');
        }
        // Platform-divergent (§4.2); Moodle's quoted form. `lint` reports every date.
        Value::Date(d) => {
            out.push('"');
            out.push_str(&d.to_xml_format().replace('Z', "+00:00"));
            out.push('"');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Value::Dictionary(d) => write_dict(out, d),
        _ => out.push_str("\"\""),
    }
}

/// .NET's `Double.ToString()` ("G15"): `%.15g`, uppercase `E`, at least two exponent digits, `0` for ±0.
pub fn format_g15(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return "0".to_string();
    }
    let sci = format!("{x:.14e}"); // d.dddddddddddddde±X, correctly rounded to 15 significant digits
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let trim = |s: &str| {
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s.to_string()
        }
    };
    if !(-4..15).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{}E{sign}{:02}", trim(mantissa), exp.abs())
    } else {
        let decimals = (14 - exp).max(0) as usize;
        trim(&format!("{x:.decimals$}"))
    }
}

/// An input on which SEB clients compute different Config Keys (§4.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Divergence {
    /// JSON pointer of the value.
    pub pointer: String,
    /// What differs between the clients.
    pub message: String,
}

/// Finds every §4.2 divergence: dates, keys equal but for case, empty strings in arrays,
/// empty dictionaries, integers outside 32 bits.
pub fn lint(root: &plist::Dictionary) -> Vec<Divergence> {
    let mut found = Vec::new();
    let mut path = Vec::new();
    lint_dict(root, &mut path, &mut found);
    found
}

/// The JSON pointer of `path` (built only when something is reported).
fn pointer(path: &[String]) -> String {
    path.iter()
        .map(|s| format!("/{}", s.replace('~', "~0").replace('/', "~1")))
        .collect()
}

fn lint_dict(d: &plist::Dictionary, path: &mut Vec<String>, found: &mut Vec<Divergence>) {
    // Keys equal but for case sit next to each other in SEB's key order.
    let mut keys: Vec<&str> = d.keys().map(String::as_str).collect();
    keys.sort_unstable_by(|a, b| key_order(a, b));
    for pair in keys.windows(2) {
        if pair[0].eq_ignore_ascii_case(pair[1]) {
            path.push(pair[1].to_string());
            found.push(Divergence {
                pointer: pointer(path),
                message: format!(
                    "keys `{}` and `{}` differ only in case; SEB clients order them differently",
                    pair[0], pair[1]
                ),
            });
            path.pop();
        }
    }
    for (k, v) in d {
        let interesting = matches!(v, Value::Dictionary(_) | Value::Array(_) | Value::Date(_))
            || matches!(v, Value::Integer(i) if i.as_signed().is_none_or(|s| i32::try_from(s).is_err()));
        if !interesting {
            continue;
        }
        path.push(k.clone());
        if matches!(v, Value::Dictionary(inner) if inner.is_empty()) {
            found.push(Divergence {
                pointer: pointer(path),
                message: format!("`{k}` is an empty dictionary; SEB for macOS keeps it in the Config Key, Windows drops it"),
            });
        }
        lint_value(v, path, found);
        path.pop();
    }
}

fn lint_value(v: &Value, path: &mut Vec<String>, found: &mut Vec<Divergence>) {
    match v {
        Value::Date(_) => found.push(Divergence {
            pointer: pointer(path),
            message: "a <date> value: SEB for Windows, macOS and Moodle render dates differently in the Config Key".into(),
        }),
        Value::Integer(i) if i.as_signed().is_none_or(|s| i32::try_from(s).is_err()) => found.push(Divergence {
            pointer: pointer(path),
            message: "an integer outside 32 bits: SEB for Windows cannot load the file".into(),
        }),
        Value::Array(items) => {
            let empties = items.iter().filter(|i| matches!(i, Value::String(s) if s.is_empty())).count();
            let last_empty = matches!(items.last(), Some(Value::String(s)) if s.is_empty());
            if empties >= 2 || last_empty {
                found.push(Divergence {
                    pointer: pointer(path),
                    message: "empty strings in an array: SEB for Windows renders them differently in the Config Key".into(),
                });
            }
            for (i, item) in items.iter().enumerate() {
                if !matches!(item, Value::Dictionary(_) | Value::Array(_) | Value::Date(_) | Value::Integer(_)) {
                    continue;
                }
                path.push(i.to_string());
                if matches!(item, Value::Dictionary(d) if d.is_empty()) {
                    found.push(Divergence {
                        pointer: pointer(path),
                        message: "an empty dictionary inside an array: every SEB client treats it differently".into(),
                    });
                }
                lint_value(item, path, found);
                path.pop();
            }
        }
        Value::Dictionary(d) => lint_dict(d, path, found),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reals_render_like_dotnet() {
        let cases = [
            (1.2345678901234567, "1.23456789012346"),
            (0.1 + 0.2, "0.3"),
            (1.0 / 3.0, "0.333333333333333"),
            (1.0, "1"),
            (0.5, "0.5"),
            (1.5, "1.5"),
            (0.1, "0.1"),
            (0.25, "0.25"),
            (2.0, "2"),
            (-0.0, "0"),
            (0.0, "0"),
            (0.00001, "1E-05"),
            (0.0001, "0.0001"),
            (1e15, "1E+15"),
            (123456789012345.0, "123456789012345"),
            (-2.5, "-2.5"),
        ];
        for (x, want) in cases {
            assert_eq!(format_g15(x), want, "{x}");
        }
    }

    #[test]
    fn allow_quit_vector() {
        let mut d = plist::Dictionary::new();
        d.insert("allowQuit".into(), Value::Boolean(true));
        d.insert(
            "originatorVersion".into(),
            Value::String("SEB_Win_2.1.1".into()),
        );
        assert_eq!(seb_json(&d), r#"{"allowQuit":true}"#);
        assert_eq!(
            config_key(&d),
            "0e8ad4d5d2fdb55a4f3bceb09d3662c68e1403246d44f659844aef10036a3fdf"
        );
        assert_eq!(
            config_key(&plist::Dictionary::new()),
            "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
        );
    }

    #[test]
    fn lints_find_each_divergence() {
        let xml = br#"<?xml version="1.0"?><plist version="1.0"><dict>
            <key>allowWlan</key><true/><key>allowWLAN</key><false/>
            <key>empty</key><dict/>
            <key>when</key><date>2020-01-01T00:00:00Z</date>
            <key>big</key><integer>5000000000</integer>
            <key>list</key><array><string>a</string><string></string></array>
        </dict></plist>"#;
        let d = crate::plist::read_xml(xml).unwrap();
        let pointers: Vec<String> = lint(&d).into_iter().map(|d| d.pointer).collect();
        assert_eq!(pointers, ["/allowWLAN", "/empty", "/when", "/big", "/list"]);
    }
}
