//! The Config Key straight from XML bytes: the plist is scanned once and its SEB-JSON (§4.1) goes
//! into SHA-256 as it is read, without building values, so memory does not grow with the file.
//!
//! SEB-JSON wants every dictionary's keys in SEB's order ([`key_order`]), which a plist need not
//! follow. Each dictionary is first streamed optimistically: the hasher's state is saved where the
//! dictionary starts, and as long as its keys come in order they are hashed as they are read. At
//! the first key out of order (or a repeated key) the state is restored and the dictionary is read
//! again, this time building its *key index* (each key and where its value starts); the index is
//! sorted and the values are hashed in that order, each read a second time from the bytes. Memory is
//! therefore bounded by the key indexes of the dictionaries open at once (one per nesting level), not
//! by the file; a file SEB or sebc wrote (keys in order) is read once.
//!
//! The scanner accepts the plain XML that plist writers produce. Whatever it does not handle itself —
//! CDATA, markup or carriage returns inside a value, attributes, entities other than XML's five and
//! character references, a file over the [`Limits`], and any error — makes it return `None`, and
//! [`super::config_key_of_xml`] answers with the tree reader instead, so keys and error messages are
//! exactly the tree reader's. Work is bounded too: past a budget proportional to the file's elements
//! the scanner gives up (a hostile nesting of out-of-order dictionaries), and the tree reader answers.

use super::format_g15;
use crate::plist::{Limits, is_xml_char, key_order};
use base64::Engine;
use sha2::{Digest, Sha256};
use std::cmp::Ordering;

/// Elements read per element of the file before the scanner gives up: a file in order is read
/// once; dictionaries out of order cost a second and third reading of their content, at each level.
const WORK_PER_ELEMENT: usize = 16;

/// The fast path's Config Key of the XML plist `xml`, or `None` when the tree reader must answer
/// (anything the scanner does not handle, any error, any limit).
pub fn config_key(xml: &[u8], limits: &Limits) -> Option<String> {
    let elements = precheck(xml)?;
    if elements > limits.max_values {
        return None;
    }
    let mut scan = Scanner {
        b: xml,
        limits,
        budget: elements.saturating_mul(WORK_PER_ELEMENT).saturating_add(64),
    };
    let mut sink = Hash::default();
    let mut pos = scan.prolog()?;
    pos = scan.skip_misc(pos)?;
    // The root value must be a dictionary.
    if !scan.b[pos..].starts_with(b"<dict") {
        return None;
    }
    pos = scan.value(pos, 0, &mut sink)?;
    pos = scan.skip_misc(pos)?;
    pos = scan.expect(pos, b"</plist>")?;
    loop {
        pos = skip_space(scan.b, pos);
        if pos == scan.b.len() {
            break;
        }
        pos = scan.misc(pos)?;
    }
    Some(hex::encode(sink.finish()))
}

/// One pass over the bytes: UTF-8, only characters XML 1.0 allows (as the tree reader checks), and
/// an upper bound on the number of values (every value starts with `<` and a letter; keys and the
/// `<plist>` element are counted too). Written in blocks without branches, which the compiler
/// vectorizes.
fn precheck(xml: &[u8]) -> Option<usize> {
    std::str::from_utf8(xml).ok()?;
    let mut elements = 0usize;
    let mut at = 0;
    // Whole blocks with the byte after them, as fixed-size arrays the compiler vectorizes.
    while at + BLOCK_BYTES < xml.len() {
        let here: &[u8; BLOCK_BYTES] = xml[at..at + BLOCK_BYTES].try_into().ok()?;
        let ahead: &[u8; BLOCK_BYTES] = xml[at + 1..at + 1 + BLOCK_BYTES].try_into().ok()?;
        let (starts, control, ef) = scan_block(here, ahead);
        if control != 0 || (ef != 0 && forbidden_ef(xml, at, at + BLOCK_BYTES)) {
            return None;
        }
        elements += starts as usize;
        at += BLOCK_BYTES;
    }
    for i in at..xml.len() {
        let c = xml[i];
        if c < 0x20 && !matches!(c, b'\t' | b'\n' | b'\r') {
            return None;
        }
        elements += usize::from(c == b'<' && xml.get(i + 1).is_some_and(u8::is_ascii_alphabetic));
    }
    if forbidden_ef(xml, at, xml.len()) {
        return None;
    }
    Some(elements)
}

const BLOCK_BYTES: usize = 64;

/// In one block: how many `<` are followed by a letter, whether a control character XML forbids is
/// there, and whether a byte 0xEF is (a possible U+FFFE/U+FFFF).
#[inline]
fn scan_block(here: &[u8; BLOCK_BYTES], ahead: &[u8; BLOCK_BYTES]) -> (u8, u8, u8) {
    let (mut starts, mut control, mut ef) = (0u8, 0u8, 0u8);
    for i in 0..BLOCK_BYTES {
        let (c, d) = (here[i], ahead[i]);
        starts += u8::from(c == b'<') & u8::from((d | 0x20).wrapping_sub(b'a') < 26);
        control |=
            u8::from(c < 0x20) & u8::from(c != b'\t') & u8::from(c != b'\n') & u8::from(c != b'\r');
        ef |= u8::from(c == 0xEF);
    }
    (starts, control, ef)
}

/// Whether U+FFFE or U+FFFF (EF BF BE/BF) starts in `xml[from..to]`: the only characters of valid
/// UTF-8 above U+001F that XML 1.0 forbids (surrogates cannot be encoded).
fn forbidden_ef(xml: &[u8], from: usize, to: usize) -> bool {
    (from..to).any(|i| {
        xml[i] == 0xEF
            && xml.get(i + 1) == Some(&0xBF)
            && matches!(xml.get(i + 2), Some(0xBE | 0xBF))
    })
}

fn skip_space(b: &[u8], mut pos: usize) -> usize {
    while pos < b.len() && matches!(b[pos], b' ' | b'\t' | b'\n' | b'\r') {
        pos += 1;
    }
    pos
}

fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| from + i)
}

/// Where the SEB-JSON goes: a hasher, or nowhere (a value read only to check it, or to skip it).
trait Out {
    /// Whether dictionary order matters (it does not when nothing is written).
    const WRITES: bool;
    fn put(&mut self, bytes: &[u8]);
    fn save(&self) -> Self;
}

/// Writes nothing.
struct Null;

impl Out for Null {
    const WRITES: bool = false;
    fn put(&mut self, _: &[u8]) {}
    fn save(&self) -> Self {
        Null
    }
}

/// SHA-256 behind a small buffer, cheap to save and restore.
#[derive(Clone)]
struct Hash {
    hasher: Sha256,
    buf: [u8; HASH_BUFFER_BYTES],
    len: usize,
}

const HASH_BUFFER_BYTES: usize = 256;

impl Default for Hash {
    fn default() -> Self {
        Hash {
            hasher: Sha256::new(),
            buf: [0; HASH_BUFFER_BYTES],
            len: 0,
        }
    }
}

impl Hash {
    fn finish(mut self) -> Vec<u8> {
        self.hasher.update(&self.buf[..self.len]);
        self.hasher.finalize().to_vec()
    }
}

impl Out for Hash {
    const WRITES: bool = true;
    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        if self.len + bytes.len() > HASH_BUFFER_BYTES {
            self.hasher.update(&self.buf[..self.len]);
            self.len = 0;
            if bytes.len() >= HASH_BUFFER_BYTES {
                self.hasher.update(bytes);
                return;
            }
        }
        self.buf[self.len..self.len + bytes.len()].copy_from_slice(bytes);
        self.len += bytes.len();
    }
    fn save(&self) -> Self {
        self.clone()
    }
}

struct Scanner<'a> {
    b: &'a [u8],
    limits: &'a Limits,
    /// Elements still to be read before the scanner gives up.
    budget: usize,
}

/// An element's tag: its name, whether it is empty (`<name/>`), and where its content starts.
struct Tag<'a> {
    name: &'a [u8],
    empty: bool,
    end: usize,
}

impl<'a> Scanner<'a> {
    /// The XML declaration, comments, processing instructions and a DOCTYPE without internal subset,
    /// up to and including `<plist ...>`; returns the position after it.
    fn prolog(&mut self) -> Option<usize> {
        let mut pos = 0;
        loop {
            pos = skip_space(self.b, pos);
            let rest = &self.b[pos..];
            if rest.starts_with(b"<!DOCTYPE ") {
                let end = find(self.b, pos, b">")?;
                let decl = &self.b[pos..end];
                if decl.contains(&b'[')
                    || decl.contains(&b'\'')
                    || decl.iter().filter(|&&c| c == b'"').count() % 2 != 0
                {
                    return None;
                }
                pos = end + 1;
            } else if rest.starts_with(b"<plist") {
                let after = pos + b"<plist".len();
                match self.b.get(after)? {
                    b'>' => return Some(after + 1),
                    b' ' | b'\t' | b'\n' | b'\r' => {
                        let end = find(self.b, after, b">")?;
                        let attrs = &self.b[after..end];
                        if attrs.contains(&b'<')
                            || attrs.contains(&b'\'')
                            || attrs.ends_with(b"/")
                            || attrs.iter().filter(|&&c| c == b'"').count() % 2 != 0
                        {
                            return None;
                        }
                        return Some(end + 1);
                    }
                    _ => return None,
                }
            } else {
                pos = self.misc(pos)?;
            }
        }
    }

    /// A comment or processing instruction at `pos`; the position after it.
    fn misc(&self, pos: usize) -> Option<usize> {
        let rest = &self.b[pos..];
        if rest.starts_with(b"<!--") {
            let end = find(self.b, pos + 4, b"-->")?;
            if self.b[pos + 4..end].windows(2).any(|w| w == b"--") {
                return None;
            }
            Some(end + 3)
        } else if rest.starts_with(b"<?") {
            Some(find(self.b, pos + 2, b"?>")? + 2)
        } else {
            None
        }
    }

    /// Whitespace and comments between elements.
    fn skip_misc(&self, mut pos: usize) -> Option<usize> {
        loop {
            pos = skip_space(self.b, pos);
            if self.b[pos..].starts_with(b"<!--") {
                pos = self.misc(pos)?;
            } else {
                return Some(pos);
            }
        }
    }

    fn expect(&self, pos: usize, what: &[u8]) -> Option<usize> {
        self.b[pos..].starts_with(what).then_some(pos + what.len())
    }

    /// The start tag at `pos` (`<name>`, `<name/>`, `<name />`; no attributes).
    fn tag(&mut self, pos: usize) -> Option<Tag<'a>> {
        self.budget = self.budget.checked_sub(1)?;
        let b = self.b;
        if b.get(pos) != Some(&b'<') {
            return None;
        }
        let start = pos + 1;
        let mut i = start;
        while i < b.len() && b[i].is_ascii_lowercase() {
            i += 1;
        }
        let name = &b[start..i];
        let j = skip_space(b, i);
        match b.get(j)? {
            b'>' if !name.is_empty() => Some(Tag {
                name,
                empty: false,
                end: j + 1,
            }),
            b'/' if !name.is_empty() && b.get(j + 1) == Some(&b'>') => Some(Tag {
                name,
                empty: true,
                end: j + 2,
            }),
            _ => None,
        }
    }

    /// The text of a leaf element up to `</name>` (no markup inside, no carriage return); returns the
    /// raw text and the position after the end tag.
    fn leaf(&self, pos: usize, name: &[u8]) -> Option<(&'a [u8], usize)> {
        let b = self.b;
        let lt = pos + b[pos..].iter().position(|&c| c == b'<')?;
        let text = &b[pos..lt];
        if text.contains(&b'\r') {
            return None;
        }
        let close = lt + 2 + name.len();
        (b.get(lt + 1) == Some(&b'/')
            && b.get(lt + 2..close) == Some(name)
            && b.get(close) == Some(&b'>'))
        .then_some((text, close + 1))
    }

    /// Reads the value at `pos` into `out`; returns the position after it.
    fn value<O: Out>(&mut self, pos: usize, depth: usize, out: &mut O) -> Option<usize> {
        let tag = self.tag(pos)?;
        match tag.name {
            b"dict" if tag.empty => {
                out.put(b"{}");
                Some(tag.end)
            }
            b"array" if tag.empty => {
                out.put(b"[]");
                Some(tag.end)
            }
            b"dict" | b"array" if depth >= self.limits.max_depth => None,
            b"dict" => self.dict(tag.end, depth + 1, out),
            b"array" => {
                out.put(b"[");
                let mut pos = self.skip_misc(tag.end)?;
                let mut first = true;
                while !self.b[pos..].starts_with(b"</array>") {
                    if !first {
                        out.put(b",");
                    }
                    first = false;
                    pos = self.value(pos, depth + 1, out)?;
                    pos = self.skip_misc(pos)?;
                }
                out.put(b"]");
                Some(pos + b"</array>".len())
            }
            b"true" | b"false" | b"string" | b"data" if tag.empty => {
                out.put(match tag.name {
                    b"true" => b"true",
                    b"false" => b"false",
                    _ => b"\"\"",
                });
                Some(tag.end)
            }
            b"string" => {
                let (text, end) = self.leaf(tag.end, b"string")?;
                if text.len() > self.limits.max_string_bytes {
                    return None;
                }
                out.put(b"\"");
                put_text(text, out)?;
                out.put(b"\"");
                Some(end)
            }
            name @ (b"true" | b"false" | b"integer" | b"real" | b"data" | b"date")
                if !tag.empty =>
            {
                let (text, end) = self.leaf(tag.end, name)?;
                scalar(name, text, out)?;
                Some(end)
            }
            _ => None,
        }
    }

    /// The content of a dictionary from `pos` (after `<dict>`): streamed while its keys come in
    /// order, else read again through its key index. Returns the position after `</dict>`.
    fn dict<O: Out>(&mut self, pos: usize, depth: usize, out: &mut O) -> Option<usize> {
        if O::WRITES {
            let saved = out.save();
            if let Some(end) = self.dict_in_order(pos, depth, out) {
                return Some(end);
            }
            *out = saved;
            if self.budget == 0 {
                return None;
            }
            return self.dict_indexed(pos, depth, out);
        }
        // Nothing is written: order does not matter, the dictionary is only checked.
        let mut pos = self.skip_misc(pos)?;
        while !self.b[pos..].starts_with(b"</dict>") {
            let (_, value) = self.key(pos)?;
            pos = self.value(value, depth, out)?;
            pos = self.skip_misc(pos)?;
        }
        Some(pos + b"</dict>".len())
    }

    /// `<key>…</key>` at `pos`: the key (decoded) and where its value starts.
    fn key(&mut self, pos: usize) -> Option<(std::borrow::Cow<'a, str>, usize)> {
        let tag = self.tag(pos)?;
        if tag.name != b"key" {
            return None;
        }
        let (raw, end) = if tag.empty {
            (&b""[..], tag.end)
        } else {
            self.leaf(tag.end, b"key")?
        };
        Some((decode(raw)?, self.skip_misc(end)?))
    }

    /// Whether the value at `pos` is an empty dictionary, which SEB-JSON leaves out.
    fn empty_dict(&self, pos: usize) -> bool {
        let b = &self.b[pos..];
        if b.starts_with(b"<dict/>") || b.starts_with(b"<dict />") {
            return true;
        }
        b.starts_with(b"<dict>")
            && self
                .skip_misc(pos + b"<dict>".len())
                .is_some_and(|p| self.b[p..].starts_with(b"</dict>"))
    }

    /// Streams the dictionary as long as its keys are strictly in SEB's order; `None` at the first
    /// key that is not (or any other reason to stop).
    fn dict_in_order<O: Out>(&mut self, pos: usize, depth: usize, out: &mut O) -> Option<usize> {
        out.put(b"{");
        let mut pos = self.skip_misc(pos)?;
        let mut previous: Option<std::borrow::Cow<'a, str>> = None;
        let mut first = true;
        while !self.b[pos..].starts_with(b"</dict>") {
            let (key, value) = self.key(pos)?;
            if previous
                .as_deref()
                .is_some_and(|p| key_order(p, &key) != Ordering::Less)
            {
                return None;
            }
            pos = if key == "originatorVersion" || self.empty_dict(value) {
                self.value(value, depth, &mut Null)?
            } else {
                if !first {
                    out.put(b",");
                }
                first = false;
                put_key(&key, out);
                self.value(value, depth, out)?
            };
            previous = Some(key);
            pos = self.skip_misc(pos)?;
        }
        out.put(b"}");
        Some(pos + b"</dict>".len())
    }

    /// Reads the dictionary's key index (checking every value), sorts it, and writes the values in
    /// that order, reading each again; a repeated key keeps its last value, as the tree reader does.
    fn dict_indexed<O: Out>(&mut self, pos: usize, depth: usize, out: &mut O) -> Option<usize> {
        let mut index: Vec<(std::borrow::Cow<'a, str>, usize)> = Vec::new();
        let mut pos = self.skip_misc(pos)?;
        while !self.b[pos..].starts_with(b"</dict>") {
            let (key, value) = self.key(pos)?;
            pos = self.value(value, depth, &mut Null)?;
            index.push((key, value));
            pos = self.skip_misc(pos)?;
        }
        index.sort_by(|a, b| key_order(&a.0, &b.0));
        out.put(b"{");
        let mut first = true;
        for (i, (key, value)) in index.iter().enumerate() {
            let repeated = index.get(i + 1).is_some_and(|next| next.0 == *key);
            if repeated || key == "originatorVersion" || self.empty_dict(*value) {
                continue;
            }
            if !first {
                out.put(b",");
            }
            first = false;
            put_key(key, out);
            self.value(*value, depth, out)?;
        }
        out.put(b"}");
        Some(pos + b"</dict>".len())
    }
}

fn put_key<O: Out>(key: &str, out: &mut O) {
    out.put(b"\"");
    out.put(key.as_bytes());
    out.put(b"\":");
}

/// Text with XML's five entities and character references resolved, written as SEB-JSON writes a
/// string: unescaped.
fn put_text<O: Out>(text: &[u8], out: &mut O) -> Option<()> {
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

/// Decoded text (keys), borrowed when it holds no entity.
fn decode(text: &[u8]) -> Option<std::borrow::Cow<'_, str>> {
    let s = std::str::from_utf8(text).ok()?;
    if !s.contains('&') {
        return Some(s.into());
    }
    let mut collect = Collect(Vec::new());
    put_text(text, &mut collect)?;
    String::from_utf8(collect.0).ok().map(Into::into)
}

struct Collect(Vec<u8>);

impl Out for Collect {
    const WRITES: bool = true;
    fn put(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
    }
    fn save(&self) -> Self {
        Collect(self.0.clone())
    }
}

/// The character an entity names (`amp`, `#233`, `#xE9`), if XML allows it.
fn entity(name: &[u8]) -> Option<char> {
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

/// A leaf other than a string, rendered as SEB-JSON renders the tree reader's value of it.
fn scalar<O: Out>(name: &[u8], text: &[u8], out: &mut O) -> Option<()> {
    // The tree reader trims with Unicode whitespace and resolves entities: leave both to it.
    if !text.is_ascii() || text.contains(&b'&') {
        return None;
    }
    let trimmed = std::str::from_utf8(text).ok()?.trim();
    match name {
        b"true" | b"false" if trimmed.is_empty() => out.put(name),
        b"integer" => out.put(crate::plist::parse_integer(trimmed)?.to_string().as_bytes()),
        b"real" => out.put(format_g15(trimmed.parse::<f64>().ok()?).as_bytes()),
        b"data" => {
            let compact: String = trimmed.chars().filter(|c| !c.is_whitespace()).collect();
            let engine = &base64::engine::general_purpose::STANDARD;
            let bytes = engine.decode(compact).ok()?;
            out.put(b"\"");
            out.put(engine.encode(bytes).as_bytes());
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
