//! The public-key `.seb` variants (spec `seb-file-format.md` §3), for reading: `pkhs` (RSA PKCS#1 v1.5
//! blocks of the inner block) and `phsk` (an RSA-encrypted 32-byte key whose Base64 is the RNCryptor
//! password of the inner block), with the identity's RSA private key given as PEM.

use crate::rncryptor::DecryptError;
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPublicKey};
use rsa::pkcs8::DecodePrivateKey;
use rsa::{Pkcs1v15Encrypt, RsaPrivateKey};
use sha1::{Digest, Sha1};

/// Why an identity's key does not open a certificate-encrypted block.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The block names another public key.
    #[error("the file is encrypted for another certificate (public-key hash {0})")]
    WrongCertificate(String),
    /// RSA decryption failed.
    #[error("RSA decryption failed (wrong key or corrupted file)")]
    RsaDecrypt,
    /// The block ends early, or its RSA blocks do not fill it.
    #[error("the encrypted data is truncated")]
    Truncated,
    /// More `pkhs` ciphertext than SEB produces.
    #[error("{0} bytes of RSA-encrypted data: more than a SEB file holds (at most {max})", max = MAX_PKHS_CIPHERTEXT_BYTES)]
    TooLarge(usize),
    /// The first block decrypts to something that is not a SEB inner block.
    #[error("the decrypted data is not a SEB configuration (wrong key or corrupted file)")]
    NotSeb,
    /// The `phsk` payload's symmetric layer failed.
    #[error("{0}")]
    Decrypt(#[from] DecryptError),
}

/// Largest `pkhs` ciphertext accepted (RSA work grows with it: about 1,000 blocks of a 2048-bit key
/// per second). SEB encrypts the compressed, usually password-encrypted, settings: tens of KiB.
pub const MAX_PKHS_CIPHERTEXT_BYTES: usize = 128 * 1024;

/// What an inner block of a `.seb` file starts with: gzip, or a SEB prefix.
fn starts_like_inner_block(data: &[u8]) -> bool {
    data.starts_with(&[0x1f, 0x8b])
        || [&b"plnd"[..], b"pswd", b"pwcc", b"<?xm"]
            .iter()
            .any(|p| data.starts_with(p))
}

/// An RSA identity's private key.
pub struct PrivateKey(RsaPrivateKey);

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PrivateKey(hash {})", hex::encode(self.key_hash()))
    }
}

impl PrivateKey {
    /// Reads the first private key of a PEM file (`PRIVATE KEY` = PKCS#8 or `RSA PRIVATE KEY` = PKCS#1);
    /// other blocks (certificates) are skipped.
    pub fn from_pem(text: &str) -> Result<PrivateKey, String> {
        for (label, pkcs8) in [("PRIVATE KEY", true), ("RSA PRIVATE KEY", false)] {
            let begin = format!("-----BEGIN {label}-----");
            let end = format!("-----END {label}-----");
            if let Some(start) = text.find(&begin)
                && let Some(stop) = text[start..].find(&end)
            {
                let block = &text[start..start + stop + end.len()];
                let key = if pkcs8 {
                    RsaPrivateKey::from_pkcs8_pem(block)
                        .map_err(|e| format!("invalid PKCS#8 RSA private key: {e}"))?
                } else {
                    RsaPrivateKey::from_pkcs1_pem(block)
                        .map_err(|e| format!("invalid PKCS#1 RSA private key: {e}"))?
                };
                return Ok(PrivateKey(key));
            }
        }
        Err(
            "no PEM private key found (expected a PRIVATE KEY or RSA PRIVATE KEY block)"
                .to_string(),
        )
    }

    /// SEB's public-key hash: SHA-1 of the DER PKCS#1 `RSAPublicKey` (not of the SubjectPublicKeyInfo).
    pub fn key_hash(&self) -> [u8; 20] {
        let der = self
            .0
            .to_public_key()
            .to_pkcs1_der()
            .map(|d| d.as_bytes().to_vec())
            .unwrap_or_default();
        Sha1::digest(&der).into()
    }

    fn check_hash(&self, payload: &[u8]) -> Result<(), KeyError> {
        let hash = payload.get(..20).ok_or(KeyError::Truncated)?;
        if hash != self.key_hash() {
            return Err(KeyError::WrongCertificate(hex::encode(hash)));
        }
        Ok(())
    }

    fn decrypt_block(&self, block: &[u8]) -> Result<Vec<u8>, KeyError> {
        self.0
            .decrypt(Pkcs1v15Encrypt, block)
            .map_err(|_| KeyError::RsaDecrypt)
    }

    /// `pkhs`: hash ‖ k-byte RSA blocks → the inner block.
    ///
    /// The work is bounded before any RSA operation: the blocks must fill the payload exactly and
    /// hold at most [`MAX_PKHS_CIPHERTEXT_BYTES`], and the first block must open to the start of a
    /// SEB inner block (gzip, or a `plnd`/`pswd`/`pwcc` prefix) before the rest are decrypted.
    pub fn decrypt_pkhs(&self, payload: &[u8]) -> Result<Vec<u8>, KeyError> {
        self.check_hash(payload)?;
        let k = rsa::traits::PublicKeyParts::size(&self.0);
        let blocks = &payload[20..];
        if blocks.is_empty() || !blocks.len().is_multiple_of(k) {
            return Err(KeyError::Truncated);
        }
        if blocks.len() > MAX_PKHS_CIPHERTEXT_BYTES {
            return Err(KeyError::TooLarge(blocks.len()));
        }
        let mut inner = Vec::with_capacity(blocks.len());
        for (i, block) in blocks.chunks(k).enumerate() {
            inner.extend_from_slice(&self.decrypt_block(block)?);
            if i == 0 && !starts_like_inner_block(&inner) {
                return Err(KeyError::NotSeb);
            }
        }
        Ok(inner)
    }

    /// `phsk`: hash ‖ le32 length ‖ RSA(key) ‖ RNCryptor blob keyed with Base64(key) → the inner block.
    pub fn decrypt_phsk(&self, payload: &[u8]) -> Result<Vec<u8>, KeyError> {
        use base64::Engine;
        self.check_hash(payload)?;
        let len_bytes: [u8; 4] = payload
            .get(20..24)
            .ok_or(KeyError::Truncated)?
            .try_into()
            .map_err(|_| KeyError::Truncated)?;
        let len = u32::from_le_bytes(len_bytes) as usize;
        let encrypted_key = payload.get(24..24 + len).ok_or(KeyError::Truncated)?;
        let key = self.decrypt_block(encrypted_key)?;
        let password = base64::engine::general_purpose::STANDARD.encode(&key);
        Ok(crate::rncryptor::decrypt(
            &payload[24 + len..],
            password.as_bytes(),
        )?)
    }
}
