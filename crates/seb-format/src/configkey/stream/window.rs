//! The window onto the input: a whole slice, or a reader whose bytes are held a window at a time,
//! each byte checked (UTF-8, XML 1.0 characters) and its elements counted as it first comes in.

use super::bytes::find_byte;
use super::{ReadSeek, TAG_MAX_BYTES};
use crate::plist::Limits;
use std::borrow::Cow;
use std::io::{Read, SeekFrom};

/// Elements read per element of the file before the scanner gives up: a file in order is read
/// once and skimmed once; dictionaries out of order cost a skim and a second reading of their
/// content, at each level.
pub(super) const WORK_PER_ELEMENT: usize = 16;

/// The window onto a file: bytes read at a time, and held at once unless a longest leaf needs
/// more (the longest string and its tags). Small enough to stay in the processor's cache.
pub const WINDOW_BYTES: usize = 256 << 10;

/// Windows' worth of bytes at the file's end read to find the root's last entries
/// ([`Window::reach_end`]): 256 KiB with the usual window, more than SEB's settings take.
pub(super) const TAIL_WINDOWS: usize = 1;

/// Bytes before the position asked for that a window moving on keeps.
pub(super) const KEEP_BEHIND_BYTES: usize = 4096;

/// Bytes checked at a time.
pub(super) const CHUNK_BYTES: usize = 1 << 20;

/// The bytes being read: a whole slice, or a window onto a reader that moves as the scanner asks
/// for bytes outside it. Bytes are checked as they first come in (UTF-8, only characters XML 1.0
/// allows, as the tree reader checks), and their elements counted: an upper bound on the values
/// (every value starts with `<` and a letter; keys and `<plist>` are counted too), which sets the
/// work the scanner may do.
pub(super) struct Window<'a> {
    pub(super) buf: Cow<'a, [u8]>,
    /// Position of `buf[0]` in the input.
    pub(super) base: usize,
    /// Length of the input.
    pub(super) len: usize,
    pub(super) reader: Option<&'a mut dyn ReadSeek>,
    /// Bytes read per move.
    pub(super) size: usize,
    /// Bytes checked, from the start of the input.
    pub(super) checked: usize,
    /// Elements counted in them.
    pub(super) elements: usize,
    pub(super) max_values: usize,
    /// Elements the scanner may still read before it gives up.
    pub(super) budget: usize,
    /// Where the input's last bytes, read and checked out of turn ([`Window::reach_end`]),
    /// start: once the bytes before are checked, all are.
    pub(super) ahead: Option<usize>,
}

impl<'a> Window<'a> {
    pub(super) fn of_bytes(b: &'a [u8], limits: &Limits) -> Self {
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
            ahead: None,
        }
    }

    pub(super) fn of_reader(
        reader: &'a mut dyn ReadSeek,
        len: usize,
        limits: &Limits,
        window_bytes: usize,
    ) -> Self {
        // Moving on reads at least a window, or a longest leaf when one is being read.
        Window {
            buf: Cow::Owned(Vec::new()),
            reader: Some(reader),
            size: window_bytes.max(2 * TAG_MAX_BYTES),
            ..Window::of_bytes(&[], limits)
        }
        .with_len(len)
    }

    pub(super) fn with_len(mut self, len: usize) -> Self {
        self.len = len;
        self
    }

    /// The input from `pos` on, at least `need` bytes of it (fewer only at the end).
    #[inline]
    pub(super) fn at(&mut self, pos: usize, need: usize) -> Option<&[u8]> {
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
    pub(super) fn holds_leaf(&self, pos: usize, leaf_bytes: usize) -> bool {
        self.holds(pos, leaf_bytes) || (self.buf.len() < self.size && self.holds_element(pos))
    }

    /// Whether the window holds `bytes` from `pos` on (or to the input's end).
    #[inline(always)]
    pub(super) fn holds(&self, pos: usize, bytes: usize) -> bool {
        pos >= self.base && pos.saturating_add(bytes).min(self.len) <= self.base + self.buf.len()
    }

    #[cold]
    pub(super) fn holds_element(&self, pos: usize) -> bool {
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

    /// Leaves the window holding the input's last bytes ([`TAIL_WINDOWS`] windows' worth, or all of them),
    /// checked. Bytes between those checked so far and these are not read now: they are checked
    /// when the scanner reads them (it must, to the end), and only then are all checked.
    pub(super) fn reach_end(&mut self) -> Option<()> {
        let last = self
            .len
            .saturating_sub(self.size.saturating_mul(TAIL_WINDOWS));
        if self.base <= last && self.base + self.buf.len() == self.len {
            return Some(());
        }
        if self.ahead.is_some() {
            return None;
        }
        if last <= self.checked {
            return self.at(last, self.len - last).map(drop);
        }
        let reader = self.reader.as_mut()?;
        let buf = self.buf.to_mut();
        buf.clear();
        reader.seek(SeekFrom::Start(last as u64)).ok()?;
        reader
            .take((self.len - last) as u64)
            .read_to_end(buf)
            .ok()?;
        if buf.len() != self.len - last {
            return None;
        }
        self.base = last;
        // Checked from the first byte that starts a character (the bytes before end one).
        let ahead = last
            + buf
                .iter()
                .take(3)
                .take_while(|&&c| c & 0xC0 == 0x80)
                .count();
        let behind = self.checked;
        self.checked = ahead;
        self.check_to(self.len)?;
        self.checked = behind;
        self.ahead = Some(ahead);
        Some(())
    }

    /// Bytes checked from `pos` on (to the input's end, in the part checked out of turn).
    fn checked_from(&self, pos: usize) -> usize {
        match self.ahead {
            Some(ahead) if pos >= ahead => self.len,
            _ => self.checked,
        }
    }

    /// Moves the window to start at `pos` (or a little before): going on keeps the bytes already
    /// read; going back reads again. Never past bytes not yet checked.
    #[cold]
    pub(super) fn refill(&mut self, pos: usize, need: usize) -> Option<()> {
        let checked = self.checked_from(pos);
        let reader = self.reader.as_mut()?;
        let end = self.base + self.buf.len();
        let buf = self.buf.to_mut();
        let jump = !(pos >= self.base && pos <= end);
        if !jump {
            // A little before `pos` stays: the scanner looks a few bytes ahead of the element it
            // is about to read (an empty dictionary is left out) and then reads it.
            let keep = pos
                .min(checked)
                .saturating_sub(KEEP_BEHIND_BYTES)
                .max(self.base);
            buf.drain(..keep - self.base);
            self.base = keep;
        } else if pos <= checked {
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
    pub(super) fn check_to(&mut self, end: usize) -> Option<()> {
        let at_end = end == self.len;
        let mut stop = if at_end { end } else { end.saturating_sub(2) };
        if let Some(ahead) = self.ahead {
            if self.base > self.checked {
                // The window is in the part checked out of turn.
                return Some(());
            }
            stop = stop.min(ahead);
        }
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
        if self.ahead.is_some_and(|ahead| self.checked == ahead) {
            self.checked = self.len;
            self.ahead = None;
        }
        Some(())
    }
}

pub(super) const BLOCK_BYTES: usize = 64;

/// In one block: how many `<` are followed by a letter, whether a control character XML forbids is
/// there, and whether a byte 0xEF is (a possible U+FFFE/U+FFFF).
#[inline]
pub(super) fn scan_block(here: &[u8; BLOCK_BYTES], ahead: &[u8; BLOCK_BYTES]) -> (u8, u8, u8) {
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
pub(super) fn count_elements(w: &[u8], n: usize) -> Option<usize> {
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
pub(super) fn forbidden_ef(xml: &[u8], from: usize, to: usize) -> bool {
    (from..to).any(|i| {
        xml[i] == 0xEF
            && xml.get(i + 1) == Some(&0xBF)
            && matches!(xml.get(i + 2), Some(0xBE | 0xBF))
    })
}
