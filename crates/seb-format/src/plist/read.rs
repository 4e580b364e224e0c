//! Reading XML property lists from files sebc did not write: one quick-xml pass straight into plist
//! values, iterative (no recursion), with nesting bounded and DTD internal subsets refused (no entity
//! declarations, no external entities: only XML's five predefined entities and character references).
//! Characters XML 1.0 does not allow are refused, written raw or as character references (`&#0;`).

use super::is_xml_char;
use base64::Engine;
use plist::{Dictionary, Value};
use quick_xml::events::Event;

/// Bounds on what one plist may hold, so that hostile input costs work in proportion to its size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Deepest element nesting (dictionaries and arrays).
    pub max_depth: usize,
    /// Most values (at every depth); SEB's full settings are about 3,000.
    pub max_values: usize,
    /// Longest string value, in bytes.
    pub max_string_bytes: usize,
}

impl Default for Limits {
    /// 64 levels, 1,000,000 values, strings up to 1 MiB.
    fn default() -> Self {
        Limits {
            max_depth: 64,
            max_values: 1_000_000,
            max_string_bytes: 1024 * 1024,
        }
    }
}

/// An open container while reading.
enum Frame {
    Dict(Dictionary, Option<String>),
    Array(Vec<Value>),
}

/// Parses an XML plist whose root is a dictionary, within the default [`Limits`].
pub fn read_xml(bytes: &[u8]) -> Result<Dictionary, String> {
    read_xml_limited(bytes, &Limits::default())
}

/// Parses an XML plist whose root is a dictionary, within `limits`.
pub fn read_xml_limited(bytes: &[u8], limits: &Limits) -> Result<Dictionary, String> {
    match read_value(bytes, limits)? {
        Value::Dictionary(d) => Ok(d),
        _ => Err("the property list's root is not a dictionary".to_string()),
    }
}

/// Parses an XML plist (any root value) within `limits`.
pub fn read_value(bytes: &[u8], limits: &Limits) -> Result<Value, String> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| format!("the XML is not UTF-8 (byte {})", e.valid_up_to()))?;
    if let Some((byte, c)) = text.char_indices().find(|&(_, c)| !is_xml_char(c)) {
        return Err(format!(
            "the XML holds U+{:04X}, a character XML 1.0 does not allow (byte {byte})",
            c as u32
        ));
    }
    let mut state = Reading {
        reader: quick_xml::Reader::from_str(text),
        limits,
        stack: Vec::new(),
        root: None,
        in_plist: false,
        values: 0,
    };
    loop {
        let pos = state.reader.buffer_position();
        let event = state
            .reader
            .read_event()
            .map_err(|e| format!("malformed XML at byte {pos}: {e}"))?;
        let value = match event {
            Event::Start(e) => state.start(e.name().0, pos)?,
            Event::Empty(e) => state.empty(e.name().0, pos)?,
            Event::End(e) => state.end(e.name().0, pos)?,
            Event::Text(t) if t.xml10_content().trim().is_empty() => None,
            Event::Text(_) | Event::GeneralRef(_) | Event::CData(_) => {
                return Err(format!("unexpected text between elements (byte {pos})"));
            }
            Event::DocType(d) => {
                let doctype: &str = d.as_ref();
                if doctype.contains('[') || doctype.contains("<!ENTITY") {
                    return Err(
                        "the XML declares a DTD internal subset (entity declarations are refused)"
                            .to_string(),
                    );
                }
                None
            }
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) => None,
            Event::Eof => break,
        };
        if let Some(value) = value {
            state.place(value, pos)?;
        }
    }
    if state.in_plist || !state.stack.is_empty() {
        return Err("the property list is truncated".to_string());
    }
    state
        .root
        .ok_or_else(|| "not a property list (no <plist> element with a value)".to_string())
}

/// The reader's state: the XML events still to come, the containers open, what has been read.
struct Reading<'a> {
    reader: quick_xml::Reader<&'a [u8]>,
    limits: &'a Limits,
    stack: Vec<Frame>,
    root: Option<Value>,
    in_plist: bool,
    values: usize,
}

impl Reading<'_> {
    /// `<name>`: opens a container, reads a key, or reads a whole leaf value.
    fn start(&mut self, name: &str, pos: u64) -> Result<Option<Value>, String> {
        match name {
            "plist" if !self.in_plist && self.root.is_none() => {
                self.in_plist = true;
                Ok(None)
            }
            _ if !self.in_plist => Err(format!("not a property list (root element <{name}>)")),
            "dict" | "array" => {
                if self.stack.len() >= self.limits.max_depth {
                    return Err(format!(
                        "property list nested deeper than {} levels (byte {pos})",
                        self.limits.max_depth
                    ));
                }
                self.stack.push(if name == "dict" {
                    Frame::Dict(Dictionary::new(), None)
                } else {
                    Frame::Array(Vec::new())
                });
                Ok(None)
            }
            "key" => {
                let key = text_until(&mut self.reader, "key")?;
                match self.stack.last_mut() {
                    Some(Frame::Dict(_, pending @ None)) => *pending = Some(key),
                    _ => {
                        return Err(format!(
                            "<key> outside a dictionary or without a value (byte {pos})"
                        ));
                    }
                }
                Ok(None)
            }
            "string" | "integer" | "real" | "data" | "date" | "true" | "false" => {
                let content = text_until(&mut self.reader, name)?;
                scalar(name, &content)
                    .map(Some)
                    .map_err(|e| format!("{e} (byte {pos})"))
            }
            other => Err(format!(
                "<{other}> is not a property-list element (byte {pos})"
            )),
        }
    }

    /// `<name/>`: an empty value, or an empty key.
    fn empty(&mut self, name: &str, pos: u64) -> Result<Option<Value>, String> {
        match name {
            _ if !self.in_plist => Err(format!("not a property list (root element <{name}/>)")),
            "dict" => Ok(Some(Value::Dictionary(Dictionary::new()))),
            "array" => Ok(Some(Value::Array(Vec::new()))),
            "key" => match self.stack.last_mut() {
                Some(Frame::Dict(_, pending @ None)) => {
                    *pending = Some(String::new());
                    Ok(None)
                }
                _ => Err(format!("<key/> outside a dictionary (byte {pos})")),
            },
            "string" | "data" | "true" | "false" => scalar(name, "")
                .map(Some)
                .map_err(|e| format!("{e} (byte {pos})")),
            other => Err(format!(
                "<{other}/> is not a valid property-list value (byte {pos})"
            )),
        }
    }

    /// `</name>`: closes a container (its value is complete) or the plist.
    fn end(&mut self, name: &str, pos: u64) -> Result<Option<Value>, String> {
        match (name, self.stack.pop()) {
            ("plist", None) if self.in_plist => {
                self.in_plist = false;
                Ok(None)
            }
            ("dict", Some(Frame::Dict(d, None))) => Ok(Some(Value::Dictionary(d))),
            ("dict", Some(Frame::Dict(_, Some(key)))) => {
                Err(format!("key `{key}` has no value (byte {pos})"))
            }
            ("array", Some(Frame::Array(items))) => Ok(Some(Value::Array(items))),
            _ => Err(format!("unexpected </{name}> (byte {pos})")),
        }
    }

    /// Puts a complete value where it belongs — under its key, into its array, or at the root —
    /// within the value and string limits.
    fn place(&mut self, value: Value, pos: u64) -> Result<(), String> {
        self.values += 1;
        if self.values > self.limits.max_values {
            return Err(format!(
                "more than {} values in one property list",
                self.limits.max_values
            ));
        }
        if let Value::String(s) = &value
            && s.len() > self.limits.max_string_bytes
        {
            return Err(format!(
                "a string longer than {} KiB (byte {pos})",
                self.limits.max_string_bytes / 1024
            ));
        }
        match self.stack.last_mut() {
            Some(Frame::Dict(d, pending)) => match pending.take() {
                Some(key) => {
                    d.insert(key, value);
                }
                None => {
                    return Err(format!(
                        "a value without a <key> in a dictionary (byte {pos})"
                    ));
                }
            },
            Some(Frame::Array(items)) => items.push(value),
            None if self.root.is_none() && self.in_plist => self.root = Some(value),
            None => return Err(format!("more than one root value (byte {pos})")),
        }
        Ok(())
    }
}

/// The text content of a leaf element up to its end tag, entities resolved, line ends normalised.
fn text_until(reader: &mut quick_xml::Reader<&[u8]>, name: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut first = true;
    loop {
        let pos = reader.buffer_position();
        match reader
            .read_event()
            .map_err(|e| format!("malformed XML at byte {pos}: {e}"))?
        {
            // The common case, one text event: take its content without copying it again.
            Event::Text(t) if first => out = t.xml10_content().into_owned(),
            Event::Text(t) => out.push_str(&t.xml10_content()),
            Event::CData(c) => out.push_str(&c.xml10_content()),
            Event::GeneralRef(r) => {
                let entity: &str = r.as_ref();
                let c = match entity {
                    "amp" => '&',
                    "lt" => '<',
                    "gt" => '>',
                    "quot" => '"',
                    "apos" => '\'',
                    _ => match char_ref(entity) {
                        Some(Ok(code)) => match char::from_u32(code).filter(|&c| is_xml_char(c)) {
                            Some(c) => c,
                            None => {
                                return Err(format!(
                                    "the character reference `&{entity};` is U+{code:04X}, a character \
                                     XML 1.0 does not allow (byte {pos})"
                                ));
                            }
                        },
                        Some(Err(())) => {
                            return Err(format!(
                                "invalid character reference `&{entity};` (byte {pos})"
                            ));
                        }
                        None => return Err(format!("undefined entity `&{entity};` (byte {pos})")),
                    },
                };
                out.push(c);
            }
            Event::End(e) if e.name().0 == name => return Ok(out),
            Event::Comment(_) | Event::PI(_) => {}
            Event::Eof => return Err("the property list is truncated".to_string()),
            _ => return Err(format!("unexpected markup inside <{name}> (byte {pos})")),
        }
        first = false;
    }
}

/// The code point a character reference names (`#233`, `#xE9`; XML writes the `x` in lowercase), or
/// `None` when `entity` is not a character reference.
fn char_ref(entity: &str) -> Option<Result<u32, ()>> {
    let digits = entity.strip_prefix('#')?;
    let (digits, radix) = match digits.strip_prefix('x') {
        Some(hex) => (hex, 16),
        None => (digits, 10),
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return Some(Err(()));
    }
    Some(u32::from_str_radix(digits, radix).map_err(|_| ()))
}

/// The value of trimmed `<integer>` text: decimal or `0x` hex, with an optional sign, within `i64` or
/// `u64`. (The streamed Config Key renders integers through this too.)
pub(crate) fn parse_integer(trimmed: &str) -> Option<plist::Integer> {
    let (negative, digits) = match trimmed.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, trimmed.strip_prefix('+').unwrap_or(trimmed)),
    };
    let parsed = match digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        Some(hex) => u64::from_str_radix(hex, 16).ok()?,
        None => digits.parse::<u64>().ok()?,
    };
    match negative {
        false => Some(parsed.into()),
        true if parsed <= i64::MAX as u64 + 1 => Some((parsed as i64).wrapping_neg().into()),
        true => None,
    }
}

fn scalar(name: &str, content: &str) -> Result<Value, String> {
    let trimmed = content.trim();
    Ok(match name {
        "string" => Value::String(content.to_string()),
        "true" | "false" if trimmed.is_empty() => Value::Boolean(name == "true"),
        "integer" => Value::Integer(
            parse_integer(trimmed).ok_or_else(|| format!("invalid <integer> `{trimmed}`"))?,
        ),
        "real" => Value::Real(
            trimmed
                .parse::<f64>()
                .map_err(|_| format!("invalid <real> `{trimmed}`"))?,
        ),
        "data" => {
            let compact: String = trimmed.chars().filter(|c| !c.is_whitespace()).collect();
            Value::Data(
                base64::engine::general_purpose::STANDARD
                    .decode(compact)
                    .map_err(|_| "invalid Base64 in <data>".to_string())?,
            )
        }
        "date" => Value::Date(
            plist::Date::from_xml_format(trimmed)
                .map_err(|_| format!("invalid <date> `{trimmed}`"))?,
        ),
        _ => return Err(format!("<{name}> must be empty")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_value_kind() {
        let xml = b"<?xml version=\"1.0\"?>\r\n<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\r\n<plist version=\"1.0\"><dict>\r\n<key>a</key><true/><key>b</key><false />\
<key>n</key><integer>-3</integer><key>r</key><real>1.5</real><key>s</key><string>x &amp; &lt;y&gt; &#233;\r\nz</string>\
<key>e</key><string/><key>d</key><data>AA\n EC</data><key>t</key><date>2019-02-20T12:30:00Z</date>\
<key>l</key><array><integer>0x10</integer><dict/><array/></array></dict></plist>";
        let d = read_xml(xml).unwrap();
        assert_eq!(d["a"], Value::Boolean(true));
        assert_eq!(d["b"], Value::Boolean(false));
        assert_eq!(d["n"], Value::Integer((-3).into()));
        assert_eq!(d["r"], Value::Real(1.5));
        assert_eq!(d["s"], Value::String("x & <y> é\nz".into()));
        assert_eq!(d["e"], Value::String(String::new()));
        assert_eq!(d["d"], Value::Data(vec![0, 1, 2]));
        assert!(matches!(d["t"], Value::Date(_)));
        assert_eq!(
            d["l"],
            Value::Array(vec![
                Value::Integer(16.into()),
                Value::Dictionary(Dictionary::new()),
                Value::Array(vec![])
            ])
        );
    }

    #[test]
    fn refuses_entities_depth_and_non_plists() {
        let bomb = b"<?xml version=\"1.0\"?><!DOCTYPE plist [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;\">]><plist><dict><key>x</key><string>&b;</string></dict></plist>";
        assert!(read_xml(bomb).unwrap_err().contains("entity"));
        let undefined = b"<plist><dict><key>x</key><string>&b;</string></dict></plist>";
        assert!(
            read_xml(undefined)
                .unwrap_err()
                .contains("undefined entity")
        );
        let deep = format!(
            "<plist>{}{}</plist>",
            "<array>".repeat(100),
            "</array>".repeat(100)
        );
        assert!(
            read_xml(deep.as_bytes())
                .unwrap_err()
                .contains("nested deeper")
        );
        assert!(
            read_xml(b"<html><body/></html>")
                .unwrap_err()
                .contains("not a property list")
        );
        assert!(
            read_xml(b"<plist><array/></plist>")
                .unwrap_err()
                .contains("root is not a dictionary")
        );
        assert!(read_xml(b"<plist><dict><key>a</key>").is_err());
        assert!(
            read_xml(b"<plist><dict><key>a</key></dict></plist>")
                .unwrap_err()
                .contains("has no value")
        );
        assert!(
            read_xml(b"<plist><dict><true/></dict></plist>")
                .unwrap_err()
                .contains("without a <key>")
        );
        assert!(
            read_xml(b"<plist><dict><key>a</key><foo/></dict></plist>")
                .unwrap_err()
                .contains("<foo/>")
        );
        assert!(
            read_xml(b"<plist><dict><key>a</key><integer>x</integer></dict></plist>")
                .unwrap_err()
                .contains("invalid <integer>")
        );
        assert!(read_xml(&[0xff, 0xfe]).unwrap_err().contains("UTF-8"));
    }

    #[test]
    fn refuses_characters_xml_forbids() {
        let doc = |s: &str| format!("<plist><dict><key>k</key><string>{s}</string></dict></plist>");
        for (text, code) in [
            ("&#0;", "U+0000"),
            ("&#x1B;", "U+001B"),
            ("&#xFFFE;", "U+FFFE"),
            ("&#65535;", "U+FFFF"),
            ("&#xD800;", "U+D800"),
            ("&#x110000;", "U+110000"),
        ] {
            let err = read_xml(doc(text).as_bytes()).unwrap_err();
            assert_eq!(
                err,
                format!(
                    "the character reference `{}` is {code}, a character XML 1.0 does not allow (byte 33)",
                    text
                )
            );
        }
        for raw in ["\0", "\u{1}", "\u{1b}", "\u{ffff}"] {
            let err = read_xml(doc(&format!("ab{raw}")).as_bytes()).unwrap_err();
            assert!(
                err.contains("a character XML 1.0 does not allow (byte 35)"),
                "{err}"
            );
        }
        // Anywhere in the document, not only in strings: in a key, a comment, between elements.
        for xml in [
            "<plist><dict><key>a\u{7}</key><true/></dict></plist>",
            "<plist><!-- \u{0} --><dict/></plist>",
            "<plist>\u{c}<dict/></plist>",
        ] {
            assert!(
                read_xml(xml.as_bytes())
                    .unwrap_err()
                    .contains("does not allow"),
                "{xml:?}"
            );
        }
        for bad in ["&#;", "&#x;", "&#+5;", "&#X41;", "&#99999999999;"] {
            let err = read_xml(doc(bad).as_bytes()).unwrap_err();
            assert_eq!(
                err,
                format!("invalid character reference `{bad}` (byte 33)")
            );
        }
        let ok = doc("tab\t&#9; lf\n&#10; cr&#13; &#xE9; \u{7f} &#x1F600;");
        assert_eq!(
            read_xml(ok.as_bytes()).unwrap()["k"],
            Value::String("tab\t\t lf\n\n cr\r é \u{7f} 😀".into())
        );
    }
}
