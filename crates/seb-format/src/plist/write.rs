//! The canonical XML writer (spec `seb-file-format.md` §5): first bytes `<?xml`, no BOM, keys in SEB's key
//! order, exact types. Two byte formats: indented (SEB for macOS's layout) and compact (SEB Server's).
//! It writes well-formed XML or nothing: a string or key holding a character XML 1.0 does not allow is
//! a [`WriteError`], and what it writes the reader reads back equal (carriage returns as `&#xD;`).

use super::{Piece, first_invalid_char, key_order};
use base64::Engine;
use plist::Value;

/// The byte layout of a written plist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PlistStyle {
    /// Readable: tab indentation, `<true/>`, `<string></string>`, one element per line (SEB for macOS).
    #[default]
    Indented,
    /// SEB Server's exact export bytes: no whitespace, `<true />`, `<string />`, `<array></array>`.
    Compact,
}

impl PlistStyle {
    /// The style's place in a pair of renderings (indented, compact).
    pub(crate) fn index(self) -> usize {
        match self {
            PlistStyle::Indented => 0,
            PlistStyle::Compact => 1,
        }
    }
}

const MAC_HEADER: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n<plist version=\"1.0\">\n";
const SERVER_HEADER: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?><!DOCTYPE plist PUBLIC \"-//Apple Computer//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\"><plist version=\"1.0\">";

/// Why a dictionary cannot be written as an XML plist.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WriteError {
    /// A string, or a dictionary key, holds a character XML 1.0 does not allow (a C0 control other than
    /// tab, line feed and carriage return, U+FFFE or U+FFFF): no XML reader would accept the file.
    #[error(
        "{} `{path}` holds U+{:04X} at character {}, which an XML plist cannot carry",
        if *.in_key { "the key at" } else { "the string at" },
        *.character as u32,
        .index + 1
    )]
    InvalidCharacter {
        /// Where: a JSON pointer (RFC 6901) of keys and array indexes from the root dictionary; for a
        /// key, the pointer of its entry.
        path: String,
        /// Whether the character is in the entry's key rather than in a string value.
        in_key: bool,
        /// The character.
        character: char,
        /// Its index in the string, in characters (0-based).
        index: usize,
    },
}

impl WriteError {
    /// The error as seen from the container holding it at `segment`.
    fn within(mut self, segment: &str) -> Self {
        let WriteError::InvalidCharacter { path, .. } = &mut self;
        let escaped = segment.replace('~', "~0").replace('/', "~1");
        *path = format!("/{escaped}{path}");
        self
    }
}

/// The first string or key under `v` that XML cannot carry.
fn check(v: &Value) -> Result<(), WriteError> {
    match v {
        Value::String(s) => match first_invalid_char(s) {
            Some((index, character)) => Err(WriteError::InvalidCharacter {
                path: String::new(),
                in_key: false,
                character,
                index,
            }),
            None => Ok(()),
        },
        Value::Array(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, item)| check(item).map_err(|e| e.within(&i.to_string()))),
        Value::Dictionary(d) => check_dict(d),
        _ => Ok(()),
    }
}

/// The first key or string in `d` that XML cannot carry.
fn check_dict(d: &plist::Dictionary) -> Result<(), WriteError> {
    d.iter().try_for_each(|(k, item)| check_entry(k, item))
}

/// The first character XML cannot carry in the key `k` or under its value.
fn check_entry(k: &str, item: &Value) -> Result<(), WriteError> {
    match first_invalid_char(k) {
        Some((index, character)) => Err(WriteError::InvalidCharacter {
            path: String::new(),
            in_key: true,
            character,
            index,
        }),
        None => check(item),
    }
    .map_err(|e| e.within(k))
}

/// Writes a settings dictionary as an XML plist. Keys are written in SEB's key order whatever the
/// dictionary's order. `is_table`, for the compact style, tells which top-level keys are tables
/// (SEB Server writes an empty table as `<array />` and an empty string list as `<array></array>`).
///
/// # Errors
///
/// [`WriteError::InvalidCharacter`] when a string or key holds a character XML 1.0 does not allow;
/// nothing is written then.
pub fn write_xml(
    root: &plist::Dictionary,
    style: PlistStyle,
    is_table: &dyn Fn(&str) -> bool,
) -> Result<Vec<u8>, WriteError> {
    let mut entries: Vec<(&String, &Value)> = root.iter().collect();
    entries.sort_by(|a, b| key_order(a.0, b.0));
    let pieces: Vec<Piece<'_, &[String; 2]>> =
        entries.into_iter().map(|(k, v)| Piece::Own(k, v)).collect();
    write_pieces(&pieces, style, is_table)
}

/// Writes a top-level dictionary of `pieces`, given in SEB's key order: the rendered ones (both
/// styles, from [`render_entry`]) copied, the others rendered now.
pub(crate) fn write_pieces(
    pieces: &[Piece<'_, &[String; 2]>],
    style: PlistStyle,
    is_table: &dyn Fn(&str) -> bool,
) -> Result<Vec<u8>, WriteError> {
    // Entries rendered in advance were checked then.
    for piece in pieces {
        if let Piece::Own(k, v) = piece {
            check_entry(k, v)?;
        }
    }
    let mut w = Writer {
        out: spare_buffer(),
        style,
        is_table,
    };
    let (header, end) = match style {
        PlistStyle::Indented => (MAC_HEADER, "</plist>\n"),
        PlistStyle::Compact => (SERVER_HEADER, "</plist>"),
    };
    w.out.push_str(header);
    w.line(0, "<dict>");
    for piece in pieces {
        match piece {
            Piece::Rendered(xml) => w.out.push_str(&xml[style.index()]),
            Piece::Own(k, v) => w.entry(k, v, 1, (w.is_table)(k)),
        }
    }
    w.line(0, "</dict>");
    w.out.push_str(end);
    Ok(w.out.into_bytes())
}

thread_local! {
    /// A buffer [`recycle_buffer`] gave back, for the next plist this thread writes.
    static SPARE: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
}

/// Largest buffer kept for reuse (a thread writing a huge plist once does not keep its memory).
pub(crate) const KEPT_BUFFER_BYTES: usize = 1 << 20;

/// An empty string with room for a configuration's plist: the thread's spare buffer when it has one.
fn spare_buffer() -> String {
    let mut buf = SPARE.take();
    buf.clear();
    buf.reserve(64 * 1024);
    // An empty buffer holds no text at all, so it is valid UTF-8.
    String::from_utf8(buf).unwrap_or_default()
}

/// Gives the bytes [`write_xml`] returned back to this thread once the caller is done with them (a
/// `.seb` is made from them): the next plist written on this thread reuses their memory, sparing
/// the allocator a fresh ~40 KB block (and the kernel its page faults) per configuration.
pub fn recycle_buffer(buf: Vec<u8>) {
    if buf.capacity() <= KEPT_BUFFER_BYTES {
        SPARE.set(buf);
    }
}

/// A top-level entry as [`write_xml`] writes it, in both styles (indented, compact); `None` when the
/// XML writer refuses it.
pub(crate) fn render_entry(key: &str, value: &Value, is_table: bool) -> Option<[String; 2]> {
    check_entry(key, value).ok()?;
    Some([PlistStyle::Indented, PlistStyle::Compact].map(|style| {
        let mut w = Writer {
            out: String::new(),
            style,
            is_table: &|_| false,
        };
        w.entry(key, value, 1, is_table);
        w.out
    }))
}

struct Writer<'a> {
    out: String,
    style: PlistStyle,
    is_table: &'a dyn Fn(&str) -> bool,
}

impl Writer<'_> {
    fn indent(&mut self, depth: usize) {
        if self.style == PlistStyle::Indented {
            for _ in 0..depth {
                self.out.push('\t');
            }
        }
    }
    fn newline(&mut self) {
        if self.style == PlistStyle::Indented {
            self.out.push('\n');
        }
    }
    fn line(&mut self, depth: usize, text: &str) {
        self.indent(depth);
        self.out.push_str(text);
        self.newline();
    }

    /// A dictionary below the top level (the top level is written by [`write_xml_with`]).
    fn dict(&mut self, d: &plist::Dictionary, depth: usize) {
        if d.is_empty() && self.style == PlistStyle::Indented {
            return self.line(depth, "<dict/>");
        }
        self.line(depth, "<dict>");
        let mut entries: Vec<(&String, &Value)> = d.iter().collect();
        entries.sort_by(|a, b| key_order(a.0, b.0));
        for (k, v) in entries {
            self.entry(k, v, depth + 1, false);
        }
        self.line(depth, "</dict>");
    }

    /// `<key>k</key>` and the value, at `depth`.
    fn entry(&mut self, k: &str, v: &Value, depth: usize, is_table: bool) {
        self.indent(depth);
        self.out.push_str("<key>");
        escape_into(&mut self.out, k);
        self.out.push_str("</key>");
        self.newline();
        self.value(v, depth, is_table);
    }

    fn value(&mut self, v: &Value, depth: usize, is_table: bool) {
        let compact = self.style == PlistStyle::Compact;
        match v {
            Value::Boolean(b) => {
                let text = match (b, compact) {
                    (true, false) => "<true/>",
                    (false, false) => "<false/>",
                    (true, true) => "<true />",
                    (false, true) => "<false />",
                };
                self.line(depth, text);
            }
            Value::Integer(i) => {
                let text = match (i.as_signed(), i.as_unsigned()) {
                    (Some(s), _) => s.to_string(),
                    (None, Some(u)) => u.to_string(),
                    (None, None) => "0".to_string(),
                };
                self.line(depth, &format!("<integer>{text}</integer>"));
            }
            Value::Real(r) => {
                let text = if compact {
                    decimal_format(*r)
                } else {
                    shortest_real(*r)
                };
                self.line(depth, &format!("<real>{text}</real>"));
            }
            Value::String(s) if s.is_empty() => {
                self.line(
                    depth,
                    if compact {
                        "<string />"
                    } else {
                        "<string></string>"
                    },
                );
            }
            Value::String(s) => {
                self.indent(depth);
                self.out.push_str("<string>");
                escape_into(&mut self.out, s);
                self.out.push_str("</string>");
                self.newline();
            }
            Value::Data(bytes) => {
                let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
                self.line(depth, &format!("<data>{b64}</data>"));
            }
            Value::Date(d) => {
                self.line(depth, &format!("<date>{}</date>", d.to_xml_format()));
            }
            Value::Array(items) if items.is_empty() => {
                let text = match (compact, is_table) {
                    (false, _) => "<array/>",
                    (true, true) => "<array />",
                    (true, false) => "<array></array>",
                };
                self.line(depth, text);
            }
            Value::Array(items) => {
                self.line(depth, "<array>");
                for item in items {
                    self.value(item, depth + 1, false);
                }
                self.line(depth, "</array>");
            }
            Value::Dictionary(d) => self.dict(d, depth),
            // UIDs only occur in binary keyed archives, never in SEB settings.
            _ => self.line(depth, "<string></string>"),
        }
    }
}

/// XML text escaping as SEB's writers do it (`&`, `<`, `>`; quotes need no escaping in element text),
/// and carriage returns as `&#xD;`, which XML readers would otherwise turn into line feeds.
fn escape_into(out: &mut String, s: &str) {
    let mut rest = s;
    while let Some(i) = rest.find(['&', '<', '>', '\r']) {
        out.push_str(rest.get(..i).unwrap_or_default());
        out.push_str(match rest.as_bytes().get(i) {
            Some(b'&') => "&amp;",
            Some(b'<') => "&lt;",
            Some(b'>') => "&gt;",
            _ => "&#xD;",
        });
        rest = rest.get(i + 1..).unwrap_or_default();
    }
    out.push_str(rest);
}

/// Shortest text that reads back as the same f64, without exponent (`1`, `0.1`, `1.5`).
fn shortest_real(r: f64) -> String {
    if r == 0.0 {
        return "0".to_string();
    }
    format!("{r}")
}

/// Java's `DecimalFormat("0.##############")`: at most 14 decimals, no trailing zeros, no exponent.
fn decimal_format(r: f64) -> String {
    let s = format!("{r:.14}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dict(entries: Vec<(&str, Value)>) -> plist::Dictionary {
        entries
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect()
    }

    #[test]
    fn a_recycled_buffer_carries_nothing_into_the_next_plist() {
        let long = dict(vec![("startURL", Value::String("x".repeat(100_000)))]);
        let short = dict(vec![("allowQuit", Value::Boolean(true))]);
        let fresh = std::thread::scope(|s| {
            s.spawn(|| write_xml(&short, PlistStyle::Indented, &|_| false).unwrap())
                .join()
                .unwrap()
        });
        let first = write_xml(&long, PlistStyle::Indented, &|_| false).unwrap();
        let capacity = first.capacity();
        recycle_buffer(first);
        let second = write_xml(&short, PlistStyle::Indented, &|_| false).unwrap();
        assert_eq!(second, fresh);
        assert_eq!(second.capacity(), capacity, "the memory was reused");
        // A buffer over the bound is not kept.
        recycle_buffer(Vec::with_capacity(KEPT_BUFFER_BYTES + 1));
        assert!(
            write_xml(&short, PlistStyle::Indented, &|_| false)
                .unwrap()
                .capacity()
                <= KEPT_BUFFER_BYTES
        );
    }

    #[test]
    fn compact_style_is_seb_servers_byte_format() {
        let d = dict(vec![
            ("URLFilterRules", Value::Array(vec![])),
            ("allowQuit", Value::Boolean(true)),
            ("sebAllowedVersions", Value::Array(vec![])),
            ("blacklistURLFilter", Value::String(String::new())),
            ("defaultPageZoomLevel", Value::Real(1.0)),
            ("allowedDisplaysMaxNumber", Value::Integer(1.into())),
        ]);
        let xml = String::from_utf8(
            write_xml(&d, PlistStyle::Compact, &|k| k == "URLFilterRules").unwrap(),
        )
        .unwrap();
        assert_eq!(
            xml,
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><!DOCTYPE plist PUBLIC \"-//Apple Computer//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\"><plist version=\"1.0\"><dict><key>allowedDisplaysMaxNumber</key><integer>1</integer><key>allowQuit</key><true /><key>blacklistURLFilter</key><string /><key>defaultPageZoomLevel</key><real>1</real><key>sebAllowedVersions</key><array></array><key>URLFilterRules</key><array /></dict></plist>"
        );
    }

    #[test]
    fn indented_style_escapes_and_nests() {
        let inner = dict(vec![
            ("expression", Value::String("a&b<c>\"".into())),
            ("active", Value::Boolean(false)),
        ]);
        let d = dict(vec![
            ("rules", Value::Array(vec![Value::Dictionary(inner)])),
            ("salt", Value::Data(vec![0, 1, 2])),
            ("zoom", Value::Real(0.1)),
        ]);
        let xml =
            String::from_utf8(write_xml(&d, PlistStyle::Indented, &|_| false).unwrap()).unwrap();
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE plist"));
        assert!(xml.ends_with("</dict>\n</plist>\n"));
        assert!(xml.contains("\t<key>rules</key>\n\t<array>\n\t\t<dict>\n\t\t\t<key>active</key>\n\t\t\t<false/>\n\t\t\t<key>expression</key>\n\t\t\t<string>a&amp;b&lt;c&gt;\"</string>\n"));
        assert!(xml.contains("<data>AAEC</data>"));
        assert!(xml.contains("<real>0.1</real>"));
    }

    #[test]
    fn refuses_characters_xml_forbids_and_names_where() {
        let inner = dict(vec![("expression", Value::String("a\u{1b}[2J".into()))]);
        let d = dict(vec![
            ("ok", Value::String("tab\t lf\n é 😀".into())),
            ("rules", Value::Array(vec![Value::Dictionary(inner)])),
        ]);
        let err = write_xml(&d, PlistStyle::Indented, &|_| false).unwrap_err();
        assert_eq!(
            err,
            WriteError::InvalidCharacter {
                path: "/rules/0/expression".into(),
                in_key: false,
                character: '\u{1b}',
                index: 1
            }
        );
        assert_eq!(
            err.to_string(),
            "the string at `/rules/0/expression` holds U+001B at character 2, which an XML plist cannot carry"
        );
        let key = dict(vec![("a/b\u{fffe}", Value::Boolean(true))]);
        let err = write_xml(&key, PlistStyle::Compact, &|_| false).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the key at `/a~1b\u{fffe}` holds U+FFFE at character 4, which an XML plist cannot carry"
        );
        let nul = dict(vec![("s", Value::String("\0".into()))]);
        assert!(write_xml(&nul, PlistStyle::Indented, &|_| false).is_err());
    }

    #[test]
    fn carriage_returns_are_character_references() {
        let d = dict(vec![("s", Value::String("a\r\nb".into()))]);
        let xml =
            String::from_utf8(write_xml(&d, PlistStyle::Compact, &|_| false).unwrap()).unwrap();
        assert!(xml.contains("<string>a&#xD;\nb</string>"), "{xml}");
    }

    #[test]
    fn reals() {
        assert_eq!(decimal_format(1.0), "1");
        assert_eq!(decimal_format(1.5), "1.5");
        assert_eq!(decimal_format(0.1), "0.1");
        assert_eq!(decimal_format(-0.0), "0");
        assert_eq!(shortest_real(1.0), "1");
        assert_eq!(shortest_real(1e-7), "0.0000001");
    }
}
