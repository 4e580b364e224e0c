//! Where the SEB-JSON goes: SHA-256 behind a buffer, a key being decoded, or nowhere.

use sha2::{Digest, Sha256};

/// Where the SEB-JSON goes: a hasher, a buffer, or nowhere (a value read only to check it).
pub(super) trait Out {
    /// Whether dictionary order matters (it does not when nothing is written).
    const WRITES: bool;
    /// What [`Out::save`] keeps.
    type Saved;
    fn put(&mut self, bytes: &[u8]);
    fn save(&mut self) -> Self::Saved;
    fn restore(&mut self, saved: Self::Saved);
}

/// Writes nothing.
pub(super) struct Null;

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
pub(super) struct Hash {
    pub(super) hasher: Sha256,
    pub(super) buf: [u8; HASH_BUFFER_BYTES],
    pub(super) len: usize,
}

pub(super) const HASH_BUFFER_BYTES: usize = 512;

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
    pub(super) fn finish(mut self) -> Vec<u8> {
        self.hasher.update(&self.buf[..self.len]);
        self.hasher.finalize().to_vec()
    }

    /// [`Out::put`] when the buffer is full.
    #[cold]
    #[inline(never)]
    fn put_full(&mut self, bytes: &[u8]) {
        self.flush();
        if bytes.len() >= HASH_BUFFER_BYTES {
            self.hasher.update(bytes);
        } else {
            self.buf[..bytes.len()].copy_from_slice(bytes);
            self.len = bytes.len();
        }
    }

    pub(super) fn flush(&mut self) {
        self.hasher.update(&self.buf[..self.len]);
        self.len = 0;
    }
}

impl Out for Hash {
    const WRITES: bool = true;
    type Saved = Sha256;
    #[inline(always)]
    fn put(&mut self, bytes: &[u8]) {
        if let Some(room) = self.buf.get_mut(self.len..self.len + bytes.len()) {
            copy_small(room, bytes);
            self.len += bytes.len();
        } else {
            self.put_full(bytes);
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
pub(super) fn copy_small(dst: &mut [u8], src: &[u8]) {
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
