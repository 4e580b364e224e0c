//! The Config Key straight from XML bytes: the plist is scanned and its SEB-JSON (§4.1) goes into
//! SHA-256 as it is read, without building values, from a slice or from a file read through a
//! window, so memory does not grow with the file.
//!
//! SEB-JSON wants every dictionary's keys in SEB's order ([`crate::plist::key_order`]), which a
//! plist need not follow. A dictionary is streamed optimistically: the hasher's state is saved
//! where it starts, and as long as its keys come in order they are hashed as they are read. At the
//! first key out of order (or a repeated key) the state is restored and the dictionary is read
//! through its *key index*: its keys are read and its values *skimmed* (tags counted, nothing
//! checked), the index (each key, where its value starts and ends) is sorted, and the values are
//! read, checked and hashed in that order. A value read through an index must end where the skim
//! said it ends, so the skim's shortcuts never decide what is accepted. SEB for macOS writes every
//! key that starts in uppercase first: a root dictionary whose first key does is indexed at once,
//! rather than after hashing (in vain) everything up to its first lowercase key.
//!
//! What bounds memory: the window onto the file ([`WINDOW_BYTES`], or twice the longest leaf the
//! [`Limits`] allow), and per open dictionary (at most `max_depth`) its key index — about 40 bytes
//! plus the key per key of that dictionary, never its values — and the previous key of those
//! streamed in order. Every byte is checked as the window first reads it (UTF-8, only characters
//! XML 1.0 allows, as the tree reader checks), so a file in order is read once; going back for a
//! dictionary out of order reads its bytes again.
//!
//! The scanner accepts the plain XML that plist writers produce. Whatever it does not handle itself —
//! CDATA, markup or carriage returns inside a value, attributes, processing instructions between
//! elements, entities other than XML's five and character references, a file over the [`Limits`],
//! a tag longer than [`TAG_MAX_BYTES`], and any error — makes it return `None`, and
//! [`super::config_key_of_xml`] answers with the tree reader instead, so keys and error messages are
//! exactly the tree reader's. Work is bounded too: past a budget proportional to the elements read
//! the scanner gives up (a hostile nesting of out-of-order dictionaries), and the tree reader answers.

use super::format_g15;
use crate::plist::{Limits, is_xml_char};
use base64::Engine;
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::cmp::Ordering;
use std::io::{Read, Seek, SeekFrom};

/// Elements read per element of the file before the scanner gives up: a file in order is read
/// once and skimmed once; dictionaries out of order cost a skim and a second reading of their
/// content, at each level.
const WORK_PER_ELEMENT: usize = 16;

/// The window onto a file (bytes held at once), unless the longest string needs more.
pub const WINDOW_BYTES: usize = 4 << 20;

/// Bytes before the position asked for that a window moving on keeps.
const KEEP_BEHIND_BYTES: usize = 4096;

/// Bytes checked at a time.
const CHUNK_BYTES: usize = 1 << 20;

/// Longest tag, `<!DOCTYPE …>` or `<plist …>` the scanner reads (longer ones go to the tree reader).
const TAG_MAX_BYTES: usize = 1024;

/// The fast path's Config Key of the XML plist `xml`, or `None` when the tree reader must answer
/// (anything the scanner does not handle, any error, any limit).
pub fn config_key(xml: &[u8], limits: &Limits) -> Option<String> {
    run(Window::of_bytes(xml, limits), limits)
}

/// Something to read a file from: its bytes at any position.
pub trait ReadSeek: Read + Seek {}
impl<T: Read + Seek> ReadSeek for T {}

/// [`config_key`] of the `len` bytes `reader` holds, read through a window of `window_bytes` (at
/// least [`WINDOW_BYTES`] is right; tests use less); `None` also when reading fails.
pub fn config_key_of_reader(
    reader: &mut dyn ReadSeek,
    len: u64,
    limits: &Limits,
    window_bytes: usize,
) -> Option<String> {
    let len = usize::try_from(len).ok()?;
    run(Window::of_reader(reader, len, limits, window_bytes), limits)
}

fn run<'a>(win: Window<'a>, limits: &'a Limits) -> Option<String> {
    let mut scan = Scanner {
        win,
        limits,
        leaf_bytes: limits.max_string_bytes.saturating_add(TAG_MAX_BYTES),
        ordered: Vec::new(),
        indexes: Vec::new(),
        data: (Vec::new(), String::new()),
    };
    if scan.win.reader.is_none() {
        scan.win.check_to(scan.win.len)?;
    }
    let mut sink = Hash::default();
    let mut pos = scan.prolog()?;
    pos = scan.skip_misc(pos)?;
    // The root value must be a dictionary.
    let w = scan.win.at(pos, TAG_MAX_BYTES)?;
    match tag(w)? {
        (Kind::Dict, true, end) => {
            sink.put(b"{}");
            pos += end;
        }
        (Kind::Dict, false, end) => {
            // SEB and sebc write keys in SEB's order: the root is streamed as it is read. SEB for
            // macOS writes every key that starts in uppercase first, which would cost a reading
            // of the whole file in vain: its key index is skimmed first.
            let first_key = scan.skip_misc(pos + end)?;
            let w = scan.win.at(first_key, 6)?;
            pos = if w.starts_with(b"<key>") && w.get(5).is_some_and(u8::is_ascii_uppercase) {
                scan.dict_indexed(pos + end, 1, &mut sink)?
            } else {
                scan.dict(pos + end, 1, &mut sink)?
            };
        }
        _ => return None,
    }
    pos = scan.skip_misc(pos)?;
    if !scan.starts_with(pos, b"</plist>") {
        return None;
    }
    pos += b"</plist>".len();
    loop {
        pos = scan.skip_space(pos)?;
        if pos == scan.win.len {
            break;
        }
        pos = scan.misc(pos)?;
    }
    // Every byte has been checked (the scan reads the file to its end).
    (scan.win.checked == scan.win.len).then(|| hex::encode(sink.finish()))
}

/// The bytes being read: a whole slice, or a window onto a reader that moves as the scanner asks
/// for bytes outside it. Bytes are checked as they first come in (UTF-8, only characters XML 1.0
/// allows, as the tree reader checks), and their elements counted: an upper bound on the values
/// (every value starts with `<` and a letter; keys and `<plist>` are counted too), which sets the
/// work the scanner may do.
struct Window<'a> {
    buf: Cow<'a, [u8]>,
    /// Position of `buf[0]` in the input.
    base: usize,
    /// Length of the input.
    len: usize,
    reader: Option<&'a mut dyn ReadSeek>,
    /// Bytes read per move.
    size: usize,
    /// Bytes checked, from the start of the input.
    checked: usize,
    /// Elements counted in them.
    elements: usize,
    max_values: usize,
    /// Elements the scanner may still read before it gives up.
    budget: usize,
}

impl<'a> Window<'a> {
    fn of_bytes(b: &'a [u8], limits: &Limits) -> Self {
        Window {
            buf: Cow::Borrowed(b),
            base: 0,
            len: b.len(),
            reader: None,
            size: b.len(),
            checked: 0,
            elements: 0,
            max_values: limits.max_values,
            budget: 64,
        }
    }

    fn of_reader(
        reader: &'a mut dyn ReadSeek,
        len: usize,
        limits: &Limits,
        window_bytes: usize,
    ) -> Self {
        // The window holds the longest leaf twice, so that moving on reads at least one more.
        let leaf = limits.max_string_bytes.saturating_add(TAG_MAX_BYTES);
        Window {
            buf: Cow::Owned(Vec::new()),
            reader: Some(reader),
            size: window_bytes.max(leaf.saturating_mul(2)),
            ..Window::of_bytes(&[], limits)
        }
        .with_len(len)
    }

    fn with_len(mut self, len: usize) -> Self {
        self.len = len;
        self
    }

    /// The input from `pos` on, at least `need` bytes of it (fewer only at the end).
    #[inline]
    fn at(&mut self, pos: usize, need: usize) -> Option<&[u8]> {
        let want = pos.saturating_add(need).min(self.len);
        if pos < self.base || want > self.base + self.buf.len() {
            self.refill(pos, need)?;
        }
        self.buf.get(pos.checked_sub(self.base)?..)
    }

    /// Whether the window holds, from `pos`, a whole leaf element (or the start tag of a container).
    /// A window read going on holds a leaf's worth of bytes or is moved on; a small one a jump
    /// read (one value) is looked at: a `<` after the first, and a `>` after that.
    #[inline(always)]
    fn holds_leaf(&self, pos: usize, leaf_bytes: usize) -> bool {
        let end = self.base + self.buf.len();
        if pos >= self.base && pos.saturating_add(leaf_bytes).min(self.len) <= end {
            return true;
        }
        self.buf.len() < self.size && self.holds_element(pos)
    }

    #[cold]
    fn holds_element(&self, pos: usize) -> bool {
        let Some(w) = pos
            .checked_sub(self.base)
            .and_then(|from| self.buf.get(from..))
        else {
            return false;
        };
        let Some(gt) = find_byte(w, 1, b'>') else {
            return false;
        };
        // An end tag or an empty element is whole; a start tag, with what follows up to the next
        // tag's end (a leaf's text and end tag, or a container's first element).
        w[1] == b'/'
            || w[gt - 1] == b'/'
            || find_byte(w, gt, b'<').is_some_and(|lt| find_byte(w, lt, b'>').is_some())
    }

    /// Moves the window to start at `pos` (or a little before): going on keeps the bytes already
    /// read; going back reads again. Never past bytes not yet checked.
    #[cold]
    fn refill(&mut self, pos: usize, need: usize) -> Option<()> {
        let reader = self.reader.as_mut()?;
        let end = self.base + self.buf.len();
        let buf = self.buf.to_mut();
        let jump = !(pos >= self.base && pos <= end);
        if !jump {
            // A little before `pos` stays: the scanner looks a few bytes ahead of the element it
            // is about to read (an empty dictionary is left out) and then reads it.
            let keep = pos
                .min(self.checked)
                .saturating_sub(KEEP_BEHIND_BYTES)
                .max(self.base);
            buf.drain(..keep - self.base);
            self.base = keep;
        } else if pos <= self.checked {
            buf.clear();
            self.base = pos;
        } else {
            return None;
        }
        // Going on reads a whole window; a jump reads what is asked for (the value the key index
        // says is there), so that reading a dictionary's values in another order than the file's
        // costs about the dictionary, not a window per value.
        let want = if jump {
            need.max(64)
        } else {
            self.size.max(need)
        };
        let target = pos
            .saturating_add(want)
            .min(self.len)
            .checked_sub(self.base)?;
        let missing = target.saturating_sub(buf.len());
        reader
            .seek(SeekFrom::Start((self.base + buf.len()) as u64))
            .ok()?;
        reader.take(missing as u64).read_to_end(buf).ok()?;
        let end = self.base + buf.len();
        if buf.len() < target {
            return None;
        }
        self.check_to(end)
    }

    /// Checks the bytes from `checked` to `end` (all held by `buf`), keeping back the two bytes
    /// that the checks look ahead and a character `end` cuts, unless `end` is the input's end.
    fn check_to(&mut self, end: usize) -> Option<()> {
        let at_end = end == self.len;
        let stop = if at_end { end } else { end.saturating_sub(2) };
        while self.checked < stop {
            let from = self.checked.checked_sub(self.base)?;
            let w = self.buf.get(from..end - self.base)?;
            let n = (stop - self.checked).min(CHUNK_BYTES);
            let valid = match std::str::from_utf8(&w[..n]) {
                Ok(_) => n,
                // A character cut by the chunk's end is checked with the next chunk.
                Err(e)
                    if e.error_len().is_none()
                        && e.valid_up_to() + 4 > n
                        && !(at_end && n == stop - self.checked) =>
                {
                    e.valid_up_to()
                }
                Err(_) => return None,
            };
            if valid == 0 {
                break;
            }
            let elements = count_elements(w, valid)?;
            self.elements = self.elements.checked_add(elements)?;
            if self.elements > self.max_values {
                return None;
            }
            self.budget = self
                .budget
                .saturating_add(elements.saturating_mul(WORK_PER_ELEMENT));
            self.checked += valid;
        }
        Some(())
    }
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

/// Checks `w[..n]` (`w` holds up to two bytes more to look ahead): only characters XML 1.0 allows,
/// and how many `<` followed by a letter (an upper bound on the values: every value starts so;
/// keys and the `<plist>` element are counted too). Written in blocks without branches, which the
/// compiler vectorizes.
fn count_elements(w: &[u8], n: usize) -> Option<usize> {
    let mut elements = 0usize;
    let mut at = 0;
    while at + BLOCK_BYTES < n {
        let here: &[u8; BLOCK_BYTES] = w.get(at..at + BLOCK_BYTES)?.try_into().ok()?;
        let ahead: &[u8; BLOCK_BYTES] = w.get(at + 1..at + 1 + BLOCK_BYTES)?.try_into().ok()?;
        let (starts, control, ef) = scan_block(here, ahead);
        if control != 0 || (ef != 0 && forbidden_ef(w, at, at + BLOCK_BYTES)) {
            return None;
        }
        elements += starts as usize;
        at += BLOCK_BYTES;
    }
    for i in at..n {
        let c = w[i];
        if c < 0x20 && !matches!(c, b'\t' | b'\n' | b'\r') {
            return None;
        }
        elements += usize::from(c == b'<' && w.get(i + 1).is_some_and(u8::is_ascii_alphabetic));
    }
    if forbidden_ef(w, at, n) {
        return None;
    }
    Some(elements)
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

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r')
}

const LOW_BITS: u64 = 0x0101_0101_0101_0101;
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// The bytes of `x` equal to `c`, as their high bits; exact up to the first match (a borrow can
/// only mark bytes after a true match, which callers never look at).
#[inline]
fn matches_of(x: u64, c: u8) -> u64 {
    let y = x ^ (LOW_BITS * u64::from(c));
    y.wrapping_sub(LOW_BITS) & !y & HIGH_BITS
}

/// The common case between elements: from `w[from..]`, a little whitespace and then a tag that is
/// not a comment; where that tag starts (`None` for anything else).
#[inline(always)]
fn next_tag(w: &[u8], from: usize) -> Option<usize> {
    let i = from + space_end(w.get(from..)?);
    (w.get(i) == Some(&b'<') && w.get(i + 1).is_some_and(|&c| c != b'!')).then_some(i)
}

/// How many bytes at the start of `w` are at most a space: whitespace, once the first pass has
/// refused the other control characters. A word at a time.
#[inline(always)]
fn space_end(w: &[u8]) -> usize {
    let mut i = 0;
    while let Some(word) = w.get(i..i + 8) {
        let Ok(word) = <[u8; 8]>::try_from(word) else {
            break;
        };
        let x = u64::from_le_bytes(word);
        // High bit of each byte above 0x20 (no carry crosses bytes: 0x7F + 0x5F < 0x100).
        let above = (((x & !HIGH_BITS) + 0x5F5F_5F5F_5F5F_5F5F) | x) & HIGH_BITS;
        if above != 0 {
            return i + above.trailing_zeros() as usize / 8;
        }
        i += 8;
    }
    i + w[i..].iter().take_while(|&&c| c <= b' ').count()
}

/// Where the text at the start of `w` ends (the first `<`), and whether it holds a `&`; `None`
/// when there is no `<` or a carriage return comes first (line ends are the tree reader's).
#[inline]
fn text_end(w: &[u8]) -> Option<(usize, bool)> {
    let mut amp = 0u64;
    let mut i = 0;
    while let Some(word) = w.get(i..i + 8) {
        let x = u64::from_le_bytes(word.try_into().ok()?);
        let lt = matches_of(x, b'<');
        let before = if lt == 0 {
            u64::MAX
        } else {
            (lt & lt.wrapping_neg()) - 1
        };
        if matches_of(x, b'\r') & before != 0 {
            return None;
        }
        amp |= matches_of(x, b'&') & before;
        if lt != 0 {
            return Some((i + lt.trailing_zeros() as usize / 8, amp != 0));
        }
        i += 8;
    }
    for (j, &c) in w.iter().enumerate().skip(i) {
        match c {
            b'<' => return Some((j, amp != 0)),
            b'\r' => return None,
            b'&' => amp = 1,
            _ => {}
        }
    }
    None
}

/// Skims the tags of a value in `w` from its start, `depth` elements being open: `(true, end, tags)`
/// where the value ends, or `(false, resume, tags)` where `w` ran out (at a `<` whose tag `w` does
/// not hold whole, or at its end); `None` on markup the scanner does not read.
fn skim(w: &[u8], depth: &mut usize) -> Option<(bool, usize, usize)> {
    let mut tags = 0;
    let Some(mut i) = find_byte(w, 0, b'<') else {
        return Some((false, w.len(), 0));
    };
    loop {
        if let Some((change, len)) = known_tag(&w[i + 1..]) {
            // One of the tags plist writers write most: its `>` is known.
            tags += 1;
            let end = i + 1 + len;
            match change {
                Change::Open => *depth += 1,
                Change::Close => *depth = depth.checked_sub(1)?,
                Change::Empty => {}
            }
            if *depth == 0 {
                return Some((true, end, tags));
            }
            match find_byte(w, end, b'<') {
                Some(next) => i = next,
                None => return Some((false, w.len(), tags)),
            }
            continue;
        }
        let (Some(&c), Some(mut gt)) = (w.get(i + 1), find_byte(w, i + 2, b'>')) else {
            return Some((false, i, tags));
        };
        tags += 1;
        match c {
            b'/' => {
                *depth = depth.checked_sub(1)?;
                if *depth == 0 {
                    return Some((true, gt + 1, tags));
                }
            }
            b'a'..=b'z' => {
                if w[gt - 1] != b'/' {
                    *depth += 1;
                } else if *depth == 0 {
                    return Some((true, gt + 1, tags));
                }
            }
            b'!' if *depth > 0 && w[i..].starts_with(b"<!--") => {
                let Some(dashes) = w[i + 4..].windows(2).position(|p| p == b"--") else {
                    return Some((false, i, tags));
                };
                gt = i + 4 + dashes + 2;
                if *w.get(gt)? != b'>' {
                    return None;
                }
            }
            _ => return None,
        }
        match find_byte(w, gt + 1, b'<') {
            Some(next) => i = next,
            None => return Some((false, w.len(), tags)),
        }
    }
}

/// What a tag does to the nesting.
enum Change {
    Open,
    Close,
    Empty,
}

/// The tags plist writers write most, from the byte after their `<`: what each does to the
/// nesting, and its length from that byte to its `>` included.
#[inline]
fn known_tag(r: &[u8]) -> Option<(Change, usize)> {
    let open = |name: &[u8]| {
        (r.get(..name.len()) == Some(name) && r.get(name.len()) == Some(&b'>'))
            .then_some(name.len() + 1)
    };
    match r.first()? {
        b'/' => {
            let r = &r[1..];
            let close = |name: &[u8]| {
                (r.get(..name.len()) == Some(name) && r.get(name.len()) == Some(&b'>'))
                    .then_some(name.len() + 2)
            };
            let len = match r.first()? {
                b'k' => close(b"key"),
                b's' => close(b"string"),
                b'i' => close(b"integer"),
                b'd' => close(b"dict"),
                _ => None,
            }?;
            Some((Change::Close, len))
        }
        b'k' => Some((Change::Open, open(b"key")?)),
        b's' => Some((Change::Open, open(b"string")?)),
        b'i' => Some((Change::Open, open(b"integer")?)),
        b'd' => Some((Change::Open, open(b"dict")?)),
        b't' if r.starts_with(b"true/>") => Some((Change::Empty, 6)),
        b'f' if r.starts_with(b"false/>") => Some((Change::Empty, 7)),
        _ => None,
    }
}

/// The elements of a property list.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Dict,
    Array,
    Key,
    String,
    True,
    False,
    Integer,
    Real,
    Data,
    Date,
}

impl Kind {
    fn of(name: &[u8]) -> Option<Kind> {
        Some(match name {
            b"dict" => Kind::Dict,
            b"array" => Kind::Array,
            b"key" => Kind::Key,
            b"string" => Kind::String,
            b"true" => Kind::True,
            b"false" => Kind::False,
            b"integer" => Kind::Integer,
            b"real" => Kind::Real,
            b"data" => Kind::Data,
            b"date" => Kind::Date,
            _ => return None,
        })
    }

    fn name(self) -> &'static [u8] {
        match self {
            Kind::Dict => b"dict",
            Kind::Array => b"array",
            Kind::Key => b"key",
            Kind::String => b"string",
            Kind::True => b"true",
            Kind::False => b"false",
            Kind::Integer => b"integer",
            Kind::Real => b"real",
            Kind::Data => b"data",
            Kind::Date => b"date",
        }
    }
}

/// The start tag at the start of `w` (`<name>`, `<name/>`, `<name />`; no attributes): the element,
/// whether it is empty, and where its content starts. The tags plist writers write most are
/// recognised whole.
#[inline]
fn tag(w: &[u8]) -> Option<(Kind, bool, usize)> {
    if w.first() != Some(&b'<') {
        return None;
    }
    let r = &w[1..];
    let fast = if r.starts_with(b"key>") {
        (Kind::Key, false, 5)
    } else if r.starts_with(b"string>") {
        (Kind::String, false, 8)
    } else if r.starts_with(b"true/>") {
        (Kind::True, true, 7)
    } else if r.starts_with(b"false/>") {
        (Kind::False, true, 8)
    } else if r.starts_with(b"integer>") {
        (Kind::Integer, false, 9)
    } else if r.starts_with(b"dict>") {
        (Kind::Dict, false, 6)
    } else {
        return tag_slow(w);
    };
    Some(fast)
}

fn tag_slow(w: &[u8]) -> Option<(Kind, bool, usize)> {
    let mut i = 1;
    while w.get(i).is_some_and(u8::is_ascii_lowercase) {
        i += 1;
    }
    let kind = Kind::of(&w[1..i])?;
    while w.get(i).copied().is_some_and(is_space) {
        i += 1;
    }
    match w.get(i)? {
        b'>' => Some((kind, false, i + 1)),
        b'/' if w.get(i + 1) == Some(&b'>') => Some((kind, true, i + 2)),
        _ => None,
    }
}

/// The end tag of `kind` at `w[at..]`: the position after it.
#[inline]
fn end_tag(w: &[u8], at: usize, kind: Kind) -> Option<usize> {
    let r = w.get(at..)?;
    // Each tag is compared as a constant, in place rather than through `memcmp`.
    let close: usize = match kind {
        Kind::Key if r.starts_with(b"</key>") => 6,
        Kind::String if r.starts_with(b"</string>") => 9,
        Kind::Integer if r.starts_with(b"</integer>") => 10,
        Kind::True if r.starts_with(b"</true>") => 7,
        Kind::False if r.starts_with(b"</false>") => 8,
        Kind::Real if r.starts_with(b"</real>") => 7,
        Kind::Data if r.starts_with(b"</data>") => 7,
        Kind::Date if r.starts_with(b"</date>") => 7,
        _ => return None,
    };
    Some(at + close)
}

/// Position of the first `c` in `w` at or after `from`, a word at a time.
#[inline]
fn find_byte(w: &[u8], from: usize, c: u8) -> Option<usize> {
    let mut i = from;
    while let Some(word) = w.get(i..i + 8) {
        let hits = matches_of(u64::from_le_bytes(word.try_into().ok()?), c);
        if hits != 0 {
            return Some(i + hits.trailing_zeros() as usize / 8);
        }
        i += 8;
    }
    Some(i + w.get(i..)?.iter().position(|&b| b == c)?)
}

/// Where the SEB-JSON goes: a hasher, a buffer, or nowhere (a value read only to check it).
trait Out {
    /// Whether dictionary order matters (it does not when nothing is written).
    const WRITES: bool;
    /// What [`Out::save`] keeps.
    type Saved;
    fn put(&mut self, bytes: &[u8]);
    fn save(&mut self) -> Self::Saved;
    fn restore(&mut self, saved: Self::Saved);
}

/// Writes nothing.
struct Null;

impl Out for Null {
    const WRITES: bool = false;
    type Saved = ();
    fn put(&mut self, _: &[u8]) {}
    fn save(&mut self) {}
    fn restore(&mut self, _: ()) {}
}

/// A key being decoded.
impl Out for Vec<u8> {
    const WRITES: bool = true;
    type Saved = usize;
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
    fn save(&mut self) -> usize {
        self.len()
    }
    fn restore(&mut self, len: usize) {
        self.truncate(len);
    }
}

/// SHA-256 behind a buffer, so that the many small pieces of SEB-JSON reach it in blocks; saving
/// it is flushing the buffer and keeping the hasher's state (about 100 bytes).
struct Hash {
    hasher: Sha256,
    buf: [u8; HASH_BUFFER_BYTES],
    len: usize,
}

const HASH_BUFFER_BYTES: usize = 512;

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

    fn flush(&mut self) {
        self.hasher.update(&self.buf[..self.len]);
        self.len = 0;
    }
}

impl Out for Hash {
    const WRITES: bool = true;
    type Saved = Sha256;
    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        if let Some(room) = self.buf.get_mut(self.len..self.len + bytes.len()) {
            copy_small(room, bytes);
            self.len += bytes.len();
        } else {
            self.flush();
            if bytes.len() >= HASH_BUFFER_BYTES {
                self.hasher.update(bytes);
            } else {
                self.buf[..bytes.len()].copy_from_slice(bytes);
                self.len = bytes.len();
            }
        }
    }
    fn save(&mut self) -> Sha256 {
        self.flush();
        self.hasher.clone()
    }
    fn restore(&mut self, saved: Sha256) {
        self.hasher = saved;
        self.len = 0;
    }
}

/// `dst.copy_from_slice(src)`, without a call to `memcpy` for the few bytes most pieces of SEB-JSON
/// are: two overlapping words.
#[inline(always)]
fn copy_small(dst: &mut [u8], src: &[u8]) {
    let n = src.len();
    if n > 16 || n != dst.len() {
        dst.copy_from_slice(src);
    } else if n >= 8 {
        let (head, tail) = (&src[..8], &src[n - 8..]);
        dst[..8].copy_from_slice(head);
        dst[n - 8..].copy_from_slice(tail);
    } else if n >= 4 {
        let (head, tail) = (&src[..4], &src[n - 4..]);
        dst[..4].copy_from_slice(head);
        dst[n - 4..].copy_from_slice(tail);
    } else {
        for (d, s) in dst.iter_mut().zip(src) {
            *d = *s;
        }
    }
}

/// What comes next in a dictionary.
enum Entry_ {
    /// Its end tag; the position after it.
    End(usize),
    /// A key: where its value starts, and whether the value is a dictionary.
    Key { value: usize, dict: bool },
}

/// One key of a dictionary read through its index: the key (a range of the index's key bytes),
/// where its value starts, and where the skim says the value ends.
struct Entry {
    key: std::ops::Range<usize>,
    value: usize,
    end: usize,
}

struct Scanner<'a> {
    win: Window<'a>,
    limits: &'a Limits,
    /// Bytes a leaf element may take: the longest string and its tags.
    leaf_bytes: usize,
    /// Per depth, the previous and the current key of a dictionary streamed in order (reused).
    ordered: Vec<(Vec<u8>, Vec<u8>)>,
    /// Per depth, the key index and its key bytes of a dictionary read through its index (reused).
    indexes: Vec<(Vec<Entry>, Vec<u8>)>,
    /// `<data>`: the Base64 without whitespace, and its canonical form (reused).
    data: (Vec<u8>, String),
}

impl<'a> Scanner<'a> {
    /// What to ask the window for at `pos` to read the element there: what it holds, if that
    /// is the whole element, else all a leaf may take.
    #[inline]
    fn leaf_need(&self, pos: usize) -> usize {
        if self.win.holds_leaf(pos, self.leaf_bytes) {
            0
        } else {
            self.leaf_bytes
        }
    }

    fn starts_with(&mut self, pos: usize, what: &[u8]) -> bool {
        self.win
            .at(pos, what.len())
            .is_some_and(|w| w.starts_with(what))
    }

    fn skip_space(&mut self, mut pos: usize) -> Option<usize> {
        loop {
            let w = self.win.at(pos, 1)?;
            let n = w.iter().position(|&c| !is_space(c)).unwrap_or(w.len());
            pos += n;
            if n < w.len() || w.is_empty() {
                return Some(pos);
            }
        }
    }

    /// Whitespace and comments between elements.
    #[inline]
    fn skip_misc(&mut self, pos: usize) -> Option<usize> {
        match self.win.at(pos, 2).and_then(|w| next_tag(w, 0)) {
            Some(i) => Some(pos + i),
            None => self.skip_misc_slow(pos),
        }
    }

    #[cold]
    #[inline(never)]
    fn skip_misc_slow(&mut self, mut pos: usize) -> Option<usize> {
        loop {
            pos = self.skip_space(pos)?;
            if self.starts_with(pos, b"<!--") {
                pos = self.misc(pos)?;
            } else {
                return Some(pos);
            }
        }
    }

    /// Where `needle` (2 bytes) next starts at or after `pos`, across windows.
    fn find_pair(&mut self, mut pos: usize, needle: &[u8; 2]) -> Option<usize> {
        loop {
            let w = self.win.at(pos, 64)?;
            if w.len() < 2 {
                return None;
            }
            if let Some(i) = w.windows(2).position(|p| p == needle) {
                return Some(pos + i);
            }
            pos += w.len() - 1;
        }
    }

    /// A comment or processing instruction at `pos`; the position after it.
    fn misc(&mut self, pos: usize) -> Option<usize> {
        if self.starts_with(pos, b"<!--") {
            // `--` may appear only as the comment's end.
            let dashes = self.find_pair(pos + 4, b"--")?;
            self.starts_with(dashes, b"-->").then_some(dashes + 3)
        } else if self.starts_with(pos, b"<?") {
            Some(self.find_pair(pos + 2, b"?>")? + 2)
        } else {
            None
        }
    }

    /// The XML declaration, comments, processing instructions and a DOCTYPE without internal subset,
    /// up to and including `<plist ...>`; returns the position after it.
    fn prolog(&mut self) -> Option<usize> {
        let mut pos = 0;
        loop {
            pos = self.skip_space(pos)?;
            let w = self.win.at(pos, TAG_MAX_BYTES)?;
            let w = &w[..w.len().min(TAG_MAX_BYTES)];
            let quotes_ok =
                |s: &[u8]| !s.contains(&b'\'') && s.iter().filter(|&&c| c == b'"').count() % 2 == 0;
            if w.starts_with(b"<!DOCTYPE ") {
                let end = w.iter().position(|&c| c == b'>')?;
                let decl = &w[..end];
                if decl.contains(&b'[') || !quotes_ok(decl) {
                    return None;
                }
                pos += end + 1;
            } else if let Some(rest) = w.strip_prefix(b"<plist") {
                match rest.first()? {
                    b'>' => return Some(pos + b"<plist>".len()),
                    b' ' | b'\t' | b'\n' | b'\r' => {
                        let end = rest.iter().position(|&c| c == b'>')?;
                        let attrs = &rest[..end];
                        if attrs.contains(&b'<') || attrs.ends_with(b"/") || !quotes_ok(attrs) {
                            return None;
                        }
                        return Some(pos + b"<plist".len() + end + 1);
                    }
                    _ => return None,
                }
            } else {
                pos = self.misc(pos)?;
            }
        }
    }

    /// Skips the value at `pos` without checking it, counting tags only; returns where it ends.
    /// The value is read properly later, which must end at the same place.
    fn skip(&mut self, mut pos: usize) -> Option<usize> {
        let mut depth = 0usize;
        loop {
            let w = self.win.at(pos, TAG_MAX_BYTES)?;
            let (done, next, tags) = skim(w, &mut depth)?;
            let Some(left) = self.win.budget.checked_sub(tags) else {
                self.win.budget = 0;
                return None;
            };
            self.win.budget = left;
            if done {
                return Some(pos + next);
            }
            if next == 0 {
                // No progress: the input ends, or a tag or comment is longer than the window.
                return None;
            }
            pos += next;
        }
    }

    /// `<key>…</key>` at `pos`: appends the key (decoded) to `key`; returns where its value starts.
    fn key(&mut self, pos: usize, key: &mut Vec<u8>) -> Option<usize> {
        match self.entry(pos, key)? {
            Entry_::Key { value, .. } => Some(value),
            Entry_::End(_) => None,
        }
    }

    /// At `pos` in a dictionary: its end tag, or a key (appended, decoded, to `key`), where its
    /// value starts and whether that value is a dictionary (`<d…`), all from one look at the window.
    #[inline]
    fn entry(&mut self, pos: usize, key: &mut Vec<u8>) -> Option<Entry_> {
        self.win.budget = self.win.budget.checked_sub(1)?;
        let need = self.leaf_need(pos);
        let w = self.win.at(pos, need)?;
        if w.starts_with(b"</dict>") {
            return Some(Entry_::End(pos + b"</dict>".len()));
        }
        let end = match tag(w)? {
            (Kind::Key, true, end) => end,
            (Kind::Key, false, start) => {
                let (len, amp) = text_end(&w[start..])?;
                let raw = &w[start..start + len];
                if amp {
                    put_text(raw, key)?;
                } else {
                    key.extend_from_slice(raw);
                }
                end_tag(w, start + len, Kind::Key)?
            }
            _ => return None,
        };
        let (value, dict) = match next_tag(w, end) {
            Some(value) => (pos + value, w.get(value + 1) == Some(&b'd')),
            None => {
                let value = self.skip_misc_slow(pos + end)?;
                (value, self.starts_with(value, b"<d"))
            }
        };
        Some(Entry_::Key { value, dict })
    }

    /// Whether the value at `pos` is an empty dictionary, which SEB-JSON leaves out.
    fn empty_dict(&mut self, pos: usize) -> bool {
        if !self.starts_with(pos, b"<dict") {
            return false;
        }
        if self.starts_with(pos, b"<dict/>") || self.starts_with(pos, b"<dict />") {
            return true;
        }
        self.starts_with(pos, b"<dict>")
            && self
                .skip_misc(pos + b"<dict>".len())
                .is_some_and(|p| self.starts_with(p, b"</dict>"))
    }

    /// Reads the value at `pos` into `out`; returns the position after it.
    fn value<O: Out>(&mut self, pos: usize, depth: usize, out: &mut O) -> Option<usize> {
        self.win.budget = self.win.budget.checked_sub(1)?;
        let need = self.leaf_need(pos);
        let w = self.win.at(pos, need)?;
        let (kind, empty, start) = tag(w)?;
        let end = match (kind, empty) {
            (Kind::String, false) => {
                let (len, amp) = text_end(&w[start..])?;
                let text = &w[start..start + len];
                if len > self.limits.max_string_bytes {
                    return None;
                }
                let end = end_tag(w, start + len, Kind::String)?;
                out.put(b"\"");
                if amp {
                    put_text(text, out)?;
                } else {
                    out.put(text);
                }
                out.put(b"\"");
                end
            }
            (Kind::True, true) => {
                out.put(b"true");
                start
            }
            (Kind::False, true) => {
                out.put(b"false");
                start
            }
            (Kind::String | Kind::Data, true) => {
                out.put(b"\"\"");
                start
            }
            (Kind::Dict, true) => {
                out.put(b"{}");
                start
            }
            (Kind::Array, true) => {
                out.put(b"[]");
                start
            }
            (Kind::Dict | Kind::Array, false) if depth >= self.limits.max_depth => return None,
            (Kind::Dict, false) => return self.dict(pos + start, depth + 1, out),
            (Kind::Array, false) => return self.array(pos + start, depth + 1, out),
            (Kind::Key, _) | (Kind::Integer | Kind::Real | Kind::Date, true) => return None,
            (
                Kind::True | Kind::False | Kind::Integer | Kind::Real | Kind::Data | Kind::Date,
                false,
            ) => {
                let (len, amp) = text_end(&w[start..])?;
                // The tree reader resolves entities in these: leave them to it.
                if amp {
                    return None;
                }
                let end = end_tag(w, start + len, kind)?;
                scalar(kind.name(), &w[start..start + len], &mut self.data, out)?;
                end
            }
        };
        Some(pos + end)
    }

    /// The items of an array from `pos` (after `<array>`); returns the position after `</array>`.
    fn array<O: Out>(&mut self, pos: usize, depth: usize, out: &mut O) -> Option<usize> {
        out.put(b"[");
        let mut pos = self.skip_misc(pos)?;
        let mut first = true;
        while !self.starts_with(pos, b"</array>") {
            if !first {
                out.put(b",");
            }
            first = false;
            pos = self.value(pos, depth, out)?;
            pos = self.skip_misc(pos)?;
        }
        out.put(b"]");
        Some(pos + b"</array>".len())
    }

    /// The content of a dictionary from `pos` (after `<dict>`): streamed while its keys come in
    /// order, else read again through its key index. Returns the position after `</dict>`.
    fn dict<O: Out>(&mut self, pos: usize, depth: usize, out: &mut O) -> Option<usize> {
        let (mut previous, mut key) = take(&mut self.ordered, depth);
        let end = if O::WRITES {
            let saved = out.save();
            match self.dict_in_order(pos, depth, out, &mut previous, &mut key) {
                Some(end) => Some(end),
                None if self.win.budget == 0 => None,
                None => {
                    out.restore(saved);
                    self.dict_indexed(pos, depth, out)
                }
            }
        } else {
            // Nothing is written: order does not matter, the dictionary is only checked.
            self.dict_checked(pos, depth, &mut key)
        };
        give_back(&mut self.ordered, depth, (previous, key));
        end
    }

    fn dict_checked(&mut self, pos: usize, depth: usize, key: &mut Vec<u8>) -> Option<usize> {
        let mut pos = self.skip_misc(pos)?;
        while !self.starts_with(pos, b"</dict>") {
            key.clear();
            let value = self.key(pos, key)?;
            pos = self.value(value, depth, &mut Null)?;
            pos = self.skip_misc(pos)?;
        }
        Some(pos + b"</dict>".len())
    }

    /// Streams the dictionary as long as its keys are strictly in SEB's order; `None` at the first
    /// key that is not (or any other reason to stop).
    fn dict_in_order<O: Out>(
        &mut self,
        pos: usize,
        depth: usize,
        out: &mut O,
        previous: &mut Vec<u8>,
        key: &mut Vec<u8>,
    ) -> Option<usize> {
        out.put(b"{");
        let mut pos = self.skip_misc(pos)?;
        let (mut first_key, mut first_written) = (true, true);
        loop {
            key.clear();
            let (value, dict) = match self.entry(pos, key)? {
                Entry_::End(end) => break Some(end),
                Entry_::Key { value, dict } => (value, dict),
            };
            if !first_key && seb_order(previous, key) != Ordering::Less {
                return None;
            }
            first_key = false;
            pos = if key == b"originatorVersion" || (dict && self.empty_dict(value)) {
                self.value(value, depth, &mut Null)?
            } else {
                if !first_written {
                    out.put(b",");
                }
                first_written = false;
                put_key(key, out);
                self.value(value, depth, out)?
            };
            std::mem::swap(previous, key);
            pos = self.skip_misc(pos)?;
        }
        .inspect(|_| out.put(b"}"))
    }

    /// Skims the dictionary's key index, sorts it, and reads (checks) every value in that order,
    /// writing those SEB-JSON keeps; a repeated key keeps its last value, as the tree reader does.
    fn dict_indexed<O: Out>(&mut self, pos: usize, depth: usize, out: &mut O) -> Option<usize> {
        let (mut index, mut keys) = take(&mut self.indexes, depth);
        let end = self.dict_indexed_with(pos, depth, out, &mut index, &mut keys);
        give_back(&mut self.indexes, depth, (index, keys));
        end
    }

    fn dict_indexed_with<O: Out>(
        &mut self,
        pos: usize,
        depth: usize,
        out: &mut O,
        index: &mut Vec<Entry>,
        keys: &mut Vec<u8>,
    ) -> Option<usize> {
        index.clear();
        keys.clear();
        let mut pos = self.skip_misc(pos)?;
        while !self.starts_with(pos, b"</dict>") {
            let from = keys.len();
            let value = self.key(pos, keys)?;
            let end = self.skip(value)?;
            index.push(Entry {
                key: from..keys.len(),
                value,
                end,
            });
            pos = self.skip_misc(end)?;
        }
        // Stable: a repeated key's values stay in document order, the last one counts.
        index.sort_by(|a, b| seb_order(&keys[a.key.clone()], &keys[b.key.clone()]));
        out.put(b"{");
        let mut first = true;
        for (i, entry) in index.iter().enumerate() {
            // A jump reads the value the skim found there (a window at most).
            self.win
                .at(entry.value, (entry.end - entry.value).min(self.win.size))?;
            let key = &keys[entry.key.clone()];
            let repeated = index
                .get(i + 1)
                .is_some_and(|next| keys[next.key.clone()] == *key);
            let end = if repeated || key == b"originatorVersion" || self.empty_dict(entry.value) {
                self.value(entry.value, depth, &mut Null)?
            } else {
                if !first {
                    out.put(b",");
                }
                first = false;
                put_key(key, out);
                self.value(entry.value, depth, out)?
            };
            if end != entry.end {
                return None;
            }
        }
        out.put(b"}");
        Some(pos + b"</dict>".len())
    }
}

/// The reusable buffers of `depth` (empty ones the first time).
fn take<T: Default>(pool: &mut [T], depth: usize) -> T {
    pool.get_mut(depth).map(std::mem::take).unwrap_or_default()
}

fn give_back<T: Default>(pool: &mut Vec<T>, depth: usize, buffers: T) {
    if pool.len() <= depth {
        pool.resize_with(depth + 1, T::default);
    }
    pool[depth] = buffers;
}

/// [`crate::plist::key_order`] on the bytes of keys: case-insensitive, and for keys equal but for
/// case, lowercase first at the first difference.
fn seb_order(a: &[u8], b: &[u8]) -> Ordering {
    // The common case: the keys differ at a letter, ignoring case.
    for (x, y) in a.iter().zip(b) {
        if x.to_ascii_lowercase() != y.to_ascii_lowercase() {
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

fn put_key<O: Out>(key: &[u8], out: &mut O) {
    out.put(b"\"");
    out.put(key);
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

/// Whether `text` is an integer the tree reader renders unchanged: decimal digits without a leading
/// zero (or `0`), an optional `-` (not on zero), within `i64`.
fn plain_integer(text: &[u8]) -> bool {
    let digits = text.strip_prefix(b"-").unwrap_or(text);
    !digits.is_empty()
        && digits.len() <= 18
        && digits.iter().all(u8::is_ascii_digit)
        && (digits[0] != b'0' || text == b"0")
}

/// A leaf other than a string, rendered as SEB-JSON renders the tree reader's value of it; `data`
/// holds reusable buffers for `<data>`.
fn scalar<O: Out>(
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
    fn text_ends_at_the_first_lt_and_sees_ampersands_before_it() {
        for (text, want) in [
            (&b"abc<"[..], Some((3, false))),
            (b"<", Some((0, false))),
            (b"0123456789abcdef&x<&", Some((18, true))),
            (b"0123456789abcdef<&", Some((16, false))),
            (b"01234567<9abc&ef", Some((8, false))),
            (b"0123\r567<", None),
            (b"01234567<\r", Some((8, false))),
            (b"no end at all, longer than a word", None),
        ] {
            assert_eq!(text_end(text), want, "{}", String::from_utf8_lossy(text));
        }
    }

    #[test]
    fn byte_order_is_key_order() {
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
    fn plain_integers_are_the_tree_readers_rendering() {
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
