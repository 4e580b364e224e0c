//! The `.seb` container (spec `seb-file-format.md` §1): writing the layering SEB clients expect
//! (inner gzip of the XML, prefix, outer gzip) and the robust reader of §1.4 with bounded decompression.

use crate::rncryptor::{self, Params};
use flate2::{Compression, read::GzDecoder};
use std::io::Read;

/// Default cap on decompressed data (a gzip bomb is refused, not inflated).
pub const DEFAULT_MAX_DECOMPRESSED: u64 = 64 * 1024 * 1024;

/// How a `.seb` file is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protection<'a> {
    /// Raw XML, the most portable unencrypted form (Moodle accepts only this).
    RawXml,
    /// `gzip("plnd" ‖ gzip(XML))`.
    Plain,
    /// `gzip("pswd" ‖ RNCryptor(gzip(XML)))` with the exam password.
    Password(&'a [u8]),
    /// `gzip("pwcc" ‖ RNCryptor(gzip(XML)))`, key = lowercase SHA-256 hex of the admin password, or "".
    ConfiguringClient(Option<&'a [u8]>),
}

/// gzip (RFC 1952) with mtime 0, for reproducible bytes. The DEFLATE state (hundreds of KiB to set up)
/// is kept per thread and reset between files.
fn gzip(data: &[u8], level: Compression) -> Vec<u8> {
    use flate2::{Compress, FlushCompress, Status};
    thread_local! {
        static DEFLATE: std::cell::RefCell<Option<(u32, Compress)>> = const { std::cell::RefCell::new(None) };
    }
    let mut out = Vec::with_capacity(data.len() / 4 + 64);
    out.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
    DEFLATE.with(|cell| {
        let mut slot = cell.borrow_mut();
        let deflate = match slot.as_mut() {
            Some((l, d)) if *l == level.level() => {
                d.reset();
                d
            }
            _ => &mut slot.insert((level.level(), Compress::new(level, false))).1,
        };
        loop {
            out.reserve(data.len() / 2 + 1024);
            let consumed = deflate.total_in() as usize;
            match deflate.compress_vec(&data[consumed..], &mut out, FlushCompress::Finish) {
                Ok(Status::StreamEnd) => break,
                Ok(_) => continue,
                Err(_) => break, // cannot happen with an output buffer that keeps growing
            }
        }
    });
    let mut crc = flate2::Crc::new();
    crc.update(data);
    out.extend_from_slice(&crc.sum().to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out
}

/// gzip of stored (uncompressed) DEFLATE blocks (RFC 1951 §3.2.4, RFC 1952), mtime 0.
fn gzip_stored(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + data.len() / 65535 * 5 + 32);
    out.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
    let mut chunks = data.chunks(65535).peekable();
    if chunks.peek().is_none() {
        out.extend_from_slice(&[1, 0, 0, 0xff, 0xff]);
    }
    while let Some(chunk) = chunks.next() {
        out.push(u8::from(chunks.peek().is_none()));
        let len = chunk.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(chunk);
    }
    let mut crc = flate2::Crc::new();
    crc.update(data);
    out.extend_from_slice(&crc.sum().to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out
}

/// Writes a `.seb` file around the XML plist bytes.
pub fn encode(xml: &[u8], protection: Protection<'_>) -> Result<Vec<u8>, String> {
    let (prefix, payload): (&[u8; 4], Vec<u8>) = match protection {
        Protection::RawXml => return Ok(xml.to_vec()),
        Protection::Plain => (b"plnd", gzip(xml, Compression::fast())),
        Protection::Password(pw) => (
            b"pswd",
            rncryptor::encrypt(&gzip(xml, Compression::fast()), pw, &Params::random()?),
        ),
        Protection::ConfiguringClient(admin) => {
            let key = admin.map(crate::password_hash).unwrap_or_default();
            (
                b"pwcc",
                rncryptor::encrypt(
                    &gzip(xml, Compression::fast()),
                    key.as_bytes(),
                    &Params::random()?,
                ),
            )
        }
    };
    let mut block = Vec::with_capacity(4 + payload.len());
    block.extend_from_slice(prefix);
    block.extend_from_slice(&payload);
    // The outer layer wraps data that is already compressed or encrypted: stored blocks are a valid
    // gzip for every reader and cost nothing to make.
    Ok(gzip_stored(&block))
}

/// What the reader found, for `sebc decode` to report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Raw XML.
    Xml,
    /// Gzipped XML.
    GzipXml,
    /// `plnd`: unencrypted.
    Plnd,
    /// `pswd`: encrypted with the exam password.
    Pswd,
    /// `pwcc`: encrypted for configuring a client (admin password hash, or "").
    Pwcc,
}

/// Why a `.seb` file cannot be read. Messages say what is wrong, not which option of which program
/// supplies a missing key: callers add that.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContainerError {
    /// No bytes at all (or only a byte-order mark).
    #[error("empty configuration: the file holds no data")]
    Empty,
    /// Neither a known prefix nor XML.
    #[error("not a .seb file: unknown prefix {0:?} and no XML header")]
    UnknownPrefix(String),
    /// A `pswd` or `pwcc` file and no password (or, for `pwcc`, none of the candidates fit).
    #[error("the file is encrypted with a password (`{0}`)")]
    PasswordNeeded(&'static str),
    /// The password is wrong or the data is damaged.
    #[error("{0}")]
    Decrypt(#[from] rncryptor::DecryptError),
    /// A gzip layer is damaged.
    #[error("bad gzip data: {0}")]
    Gzip(String),
    /// Decompression would pass [`Keys::max_decompressed`].
    #[error("decompressed data exceeds {0} bytes")]
    TooLarge(u64),
    /// A `pkhs`/`phsk` file and no private key.
    #[error("the file is encrypted for a certificate (`{0}`)")]
    Certificate(&'static str),
    /// The identity's key does not open a `pkhs`/`phsk` block.
    #[error(transparent)]
    Key(#[from] crate::certificate::KeyError),
    /// A certificate block inside a certificate block.
    #[error("certificate-encrypted blocks nest inside each other")]
    Nested,
}

/// Passwords a reader may try.
#[derive(Default)]
pub struct Keys<'a> {
    /// The exam password for `pswd`.
    pub password: Option<&'a [u8]>,
    /// The admin password for `pwcc` (its hash is the key).
    pub admin_password: Option<&'a [u8]>,
    /// Cap on decompressed bytes (default [`DEFAULT_MAX_DECOMPRESSED`]).
    pub max_decompressed: Option<u64>,
    /// The identity's private key for `pkhs`/`phsk`.
    pub private_key: Option<&'a crate::certificate::PrivateKey>,
}

fn is_gzip(d: &[u8]) -> bool {
    d.starts_with(&[0x1f, 0x8b, 0x08])
}

fn gunzip(data: &[u8], limit: u64) -> Result<Vec<u8>, ContainerError> {
    let mut out = Vec::new();
    GzDecoder::new(data)
        .take(limit + 1)
        .read_to_end(&mut out)
        .map_err(|e| ContainerError::Gzip(e.to_string()))?;
    if out.len() as u64 > limit {
        return Err(ContainerError::TooLarge(limit));
    }
    Ok(out)
}

fn is_xml(d: &[u8]) -> bool {
    d.len() >= 4 && d[..4].eq_ignore_ascii_case(b"<?xm")
}

/// The UTF-8 byte-order mark. SEB writes none, but real files carry one before `<?xml` (the official SEB
/// for Windows client settings file), and the clients open them: the reader skips it.
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

fn without_bom(d: &[u8]) -> &[u8] {
    d.strip_prefix(UTF8_BOM).unwrap_or(d)
}

/// Reads any container SEB clients accept and returns the XML plist bytes (spec §1.4).
pub fn decode(data: &[u8], keys: &Keys<'_>) -> Result<(Vec<u8>, Layout), ContainerError> {
    let limit = keys.max_decompressed.unwrap_or(DEFAULT_MAX_DECOMPRESSED);
    let outer;
    let mut data = without_bom(data);
    if data.is_empty() {
        return Err(ContainerError::Empty);
    }
    let mut gz = false;
    if is_gzip(data) {
        outer = gunzip(data, limit)?;
        data = without_bom(&outer);
        gz = true;
    }
    if is_xml(data) {
        return Ok((
            data.to_vec(),
            if gz { Layout::GzipXml } else { Layout::Xml },
        ));
    }
    if data.len() < 4 {
        return Err(ContainerError::UnknownPrefix(
            String::from_utf8_lossy(data).into_owned(),
        ));
    }
    let (inner, layout) = open_block(data, keys, limit, false)?;
    let mut xml = if is_gzip(&inner) {
        gunzip(&inner, limit)?
    } else {
        inner
    };
    if xml.starts_with(UTF8_BOM) {
        xml.drain(..UTF8_BOM.len());
    }
    if !is_xml(&xml) {
        return Err(ContainerError::Gzip(
            "the decrypted data is neither gzip nor an XML plist".into(),
        ));
    }
    Ok((xml, layout))
}

/// Opens one prefixed block (spec §1.4 steps 3–4); a `pkhs`/`phsk` block yields another block.
fn open_block(
    data: &[u8],
    keys: &Keys<'_>,
    limit: u64,
    nested: bool,
) -> Result<(Vec<u8>, Layout), ContainerError> {
    let (prefix, payload) = data.split_at(4.min(data.len()));
    let certificate = |name| keys.private_key.ok_or(ContainerError::Certificate(name));
    let inner_block = |block: Vec<u8>| -> Result<(Vec<u8>, Layout), ContainerError> {
        if nested {
            return Err(ContainerError::Nested);
        }
        // SEB for Windows also accepts a gzipped inner block.
        let block = if is_gzip(&block) {
            gunzip(&block, limit)?
        } else {
            block
        };
        open_block(&block, keys, limit, true)
    };
    match prefix {
        b"plnd" => Ok((payload.to_vec(), Layout::Plnd)),
        b"pswd" => {
            let pw = keys
                .password
                .ok_or(ContainerError::PasswordNeeded("pswd"))?;
            Ok((rncryptor::decrypt(payload, pw)?, Layout::Pswd))
        }
        b"pwcc" => Ok((decrypt_pwcc(payload, keys)?, Layout::Pwcc)),
        b"pkhs" => inner_block(certificate("pkhs")?.decrypt_pkhs(payload)?),
        b"phsk" => inner_block(certificate("phsk")?.decrypt_phsk(payload)?),
        other => Err(ContainerError::UnknownPrefix(
            String::from_utf8_lossy(other).into_owned(),
        )),
    }
}

/// `pwcc` candidates (spec §2.5): the admin password's hash in lowercase, uppercase, then "".
fn decrypt_pwcc(payload: &[u8], keys: &Keys<'_>) -> Result<Vec<u8>, ContainerError> {
    let mut candidates: Vec<Vec<u8>> = Vec::new();
    if let Some(admin) = keys.admin_password {
        let hash = crate::password_hash(admin);
        candidates.push(hash.to_uppercase().into_bytes());
        candidates.insert(0, hash.into_bytes());
    }
    if let Some(pw) = keys.password {
        candidates.push(pw.to_vec());
    }
    candidates.push(Vec::new());
    let mut last = rncryptor::DecryptError::Hmac;
    for key in candidates {
        match rncryptor::decrypt(payload, &key) {
            Ok(plain) => return Ok(plain),
            Err(e) => last = e,
        }
    }
    Err(match last {
        rncryptor::DecryptError::Hmac if keys.admin_password.is_none() => {
            ContainerError::PasswordNeeded("pwcc")
        }
        e => e.into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const XML: &[u8] = b"<?xml version=\"1.0\"?><plist version=\"1.0\"><dict/></plist>";

    #[test]
    fn every_layout_round_trips() {
        let keys = Keys {
            password: Some(b"pw"),
            admin_password: Some(b"admin"),
            ..Default::default()
        };
        for (p, layout) in [
            (Protection::RawXml, Layout::Xml),
            (Protection::Plain, Layout::Plnd),
            (Protection::Password(b"pw"), Layout::Pswd),
            (Protection::ConfiguringClient(Some(b"admin")), Layout::Pwcc),
            (Protection::ConfiguringClient(None), Layout::Pwcc),
        ] {
            let file = encode(XML, p).unwrap();
            assert_eq!(decode(&file, &keys).unwrap(), (XML.to_vec(), layout));
        }
    }

    #[test]
    fn stored_gzip_is_valid_for_any_size() {
        for len in [0, 1, 65535, 65536, 200_000] {
            let data: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            let mut back = Vec::new();
            GzDecoder::new(&gzip_stored(&data)[..])
                .read_to_end(&mut back)
                .unwrap();
            assert_eq!(back, data, "{len}");
        }
    }

    #[test]
    fn gzip_round_trips_and_reuses_its_state() {
        for len in [0usize, 10, 100_000, 700_000] {
            let data: Vec<u8> = (0..len).map(|i| ((i * 31) % 97) as u8).collect();
            for level in [
                Compression::fast(),
                Compression::default(),
                Compression::fast(),
            ] {
                let mut back = Vec::new();
                GzDecoder::new(&gzip(&data, level)[..])
                    .read_to_end(&mut back)
                    .unwrap();
                assert_eq!(back, data, "{len}");
            }
        }
    }

    #[test]
    fn gzip_header_has_mtime_zero() {
        let file = encode(XML, Protection::Plain).unwrap();
        assert_eq!(&file[..8], &[0x1f, 0x8b, 8, 0, 0, 0, 0, 0]);
    }

    #[test]
    fn a_byte_order_mark_is_skipped_and_nothing_else_is_empty() {
        let with_bom = [UTF8_BOM, XML].concat();
        assert_eq!(
            decode(&with_bom, &Keys::default()).unwrap(),
            (XML.to_vec(), Layout::Xml)
        );
        let plnd = encode(&with_bom, Protection::Plain).unwrap();
        assert_eq!(
            decode(&plnd, &Keys::default()).unwrap(),
            (XML.to_vec(), Layout::Plnd)
        );
        let gz = gzip(&with_bom, Compression::fast());
        assert_eq!(
            decode(&gz, &Keys::default()).unwrap(),
            (XML.to_vec(), Layout::GzipXml)
        );
        for empty in [&b""[..], UTF8_BOM] {
            assert_eq!(decode(empty, &Keys::default()), Err(ContainerError::Empty));
        }
    }

    #[test]
    fn failures_are_distinct() {
        let file = encode(XML, Protection::Password(b"pw")).unwrap();
        assert_eq!(
            decode(&file, &Keys::default()),
            Err(ContainerError::PasswordNeeded("pswd"))
        );
        let wrong = Keys {
            password: Some(b"nope"),
            ..Default::default()
        };
        assert_eq!(
            decode(&file, &wrong).unwrap_err().to_string(),
            "wrong password or corrupted file (HMAC mismatch)"
        );
        assert!(matches!(
            decode(b"abcdefgh", &Keys::default()),
            Err(ContainerError::UnknownPrefix(_))
        ));
        assert!(matches!(
            decode(&file[..file.len() / 2], &wrong),
            Err(ContainerError::Gzip(_))
        ));
        let bomb = gzip(&vec![0u8; 1 << 20], Compression::best());
        let small = Keys {
            max_decompressed: Some(1000),
            ..Default::default()
        };
        assert_eq!(decode(&bomb, &small), Err(ContainerError::TooLarge(1000)));
    }
}
