//! Safe Exam Browser's file formats, as SEB clients and SEB Server read and write them.
//!
//! - [`plist`]: XML property lists, SEB's settings format: a hardened reader with explicit
//!   [`plist::Limits`], and a canonical writer in SEB's key order (SEB for macOS's indented layout or
//!   SEB Server's compact bytes).
//! - [`container`]: the `.seb` file around the plist: raw XML, gzip, `plnd`, `pswd`, `pwcc` for writing
//!   and reading, `pkhs`/`phsk` for reading with the identity's private key ([`certificate`]).
//! - [`rncryptor`]: the RNCryptor v3 password encryption inside `pswd`/`pwcc`/`phsk` (v2 read too).
//! - [`configkey`]: the Config Key every SEB client computes from the settings, and the lints for files
//!   on which the clients compute different keys; [`moodle`]: where Moodle's Config Key check differs
//!   from the clients'.
//!
//! The crate knows nothing of exam files or of the `sebc` compiler built on it. Facts come from the
//! SEB file-format notes (`seb-file-format.md`, cited by section) and are checked against the published
//! test vectors (`tests/`).
//!
//! ```
//! use seb_format::{configkey, container, plist};
//!
//! let xml = b"<?xml version=\"1.0\"?><plist version=\"1.0\"><dict>\
//!             <key>allowQuit</key><true/></dict></plist>";
//! let file = container::encode(xml, container::Protection::Plain).unwrap();
//! let (back, layout) = container::decode(&file, &container::Keys::default()).unwrap();
//! assert_eq!(layout, container::Layout::Plnd);
//! let settings = plist::read_xml(&back).unwrap();
//! assert_eq!(configkey::config_key(&settings).len(), 64);
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod certificate;
pub mod configkey;
pub mod container;
pub mod moodle;
pub mod plist;
pub mod prerendered;
pub mod rncryptor;

/// Why the settings of a `.seb` or plist file cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    /// The container does not open.
    #[error(transparent)]
    Container(#[from] container::ContainerError),
    /// The XML inside is not a settings plist.
    #[error("{0}")]
    Plist(String),
}

/// Reads the settings of a `.seb` file (any container [`container::decode`] opens) or plist: the
/// container is opened with `keys`, then the plist is read within `limits`. Returns the settings and
/// what the container was.
pub fn read_settings(
    bytes: &[u8],
    keys: &container::Keys<'_>,
    limits: &plist::Limits,
) -> Result<(::plist::Dictionary, container::Layout), SettingsError> {
    let (xml, layout) = container::decode(bytes, keys)?;
    let settings = plist::read_xml_limited(&xml, limits).map_err(SettingsError::Plist)?;
    Ok((settings, layout))
}

/// SEB's hashed form of a password: lowercase hex SHA-256 of its UTF-8 bytes. Settings carry passwords
/// this way (`hashedQuitPassword`, `hashedAdminPassword`), and a `pwcc` file is encrypted with the hash
/// of the admin password (`seb-file-format.md` §2.5).
pub fn password_hash(password: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(password))
}

#[cfg(test)]
mod tests {
    #[test]
    fn password_hash_matches_seb() {
        assert_eq!(
            super::password_hash(b"seb"),
            "155290511d5c4bfb1369217d6846c8eef1ed6a564579516eaf36cf5598ac92de"
        );
        assert_eq!(
            super::password_hash(b"quit"),
            "8577da2ea54085708b3b851bc50315a36bb740ba5135e747cfb12457b5d3060f"
        );
    }
}
