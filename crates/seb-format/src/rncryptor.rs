//! RNCryptor data format v3 (and reading v2), the password encryption inside `.seb` files
//! (spec `seb-file-format.md` §2): PBKDF2-HMAC-SHA1 10,000 rounds, AES-256-CBC/PKCS#7, HMAC-SHA256
//! over header and ciphertext, verified before decrypting.

use aes::Aes256;
use cbc::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit, block_padding::Pkcs7};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// PBKDF2-HMAC-SHA1 rounds of each key derivation.
pub const ITERATIONS: u32 = 10_000;
const HEADER_LEN: usize = 34;
const HMAC_LEN: usize = 32;

/// Random salts and IV of one encryption. Tests fix them to reproduce the RNCryptor vectors.
#[derive(Debug, Clone, Copy)]
pub struct Params {
    /// Salt of the AES key's derivation.
    pub encryption_salt: [u8; 8],
    /// Salt of the HMAC key's derivation.
    pub hmac_salt: [u8; 8],
    /// AES-CBC initialisation vector.
    pub iv: [u8; 16],
}

impl Params {
    /// Fresh salts and IV from the operating system.
    pub fn random() -> Result<Params, String> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)
            .map_err(|e| format!("the system's random generator failed: {e}"))?;
        let mut p = Params {
            encryption_salt: [0; 8],
            hmac_salt: [0; 8],
            iv: [0; 16],
        };
        p.encryption_salt.copy_from_slice(&bytes[..8]);
        p.hmac_salt.copy_from_slice(&bytes[8..16]);
        p.iv.copy_from_slice(&bytes[16..]);
        Ok(p)
    }
}

/// Why an RNCryptor blob does not decrypt.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecryptError {
    /// Shorter than header, one block and HMAC.
    #[error("encrypted data is truncated ({0} bytes; at least 66 needed)")]
    Truncated(usize),
    /// Neither version 2 nor 3.
    #[error("unsupported RNCryptor version {0} (SEB writes 2 or 3)")]
    Version(u8),
    /// The HMAC does not match: wrong password or damaged data.
    #[error("wrong password or corrupted file (HMAC mismatch)")]
    Hmac,
    /// The padding is invalid after decryption.
    #[error("corrupted file: bad AES padding")]
    Padding,
}

/// PBKDF2-HMAC-SHA1 with [`ITERATIONS`] rounds: a 32-byte key from the password and an 8-byte salt.
pub fn derive_key(password: &[u8], salt: &[u8]) -> [u8; 32] {
    let mut key = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<sha1::Sha1>(password, salt, ITERATIONS, &mut key);
    key
}

/// Encrypts `plaintext` with `password` (RNCryptor v3, options 0x01).
pub fn encrypt(plaintext: &[u8], password: &[u8], p: &Params) -> Vec<u8> {
    let enc_key = derive_key(password, &p.encryption_salt);
    let hmac_key = derive_key(password, &p.hmac_salt);
    let mut out = Vec::with_capacity(HEADER_LEN + plaintext.len() + 16 + HMAC_LEN);
    out.extend_from_slice(&[3, 1]);
    out.extend_from_slice(&p.encryption_salt);
    out.extend_from_slice(&p.hmac_salt);
    out.extend_from_slice(&p.iv);
    let cipher = cbc::Encryptor::<Aes256>::new(&enc_key.into(), &p.iv.into());
    out.extend_from_slice(&cipher.encrypt_padded_vec::<Pkcs7>(plaintext));
    let mut mac =
        <Hmac<Sha256> as KeyInit>::new_from_slice(&hmac_key).unwrap_or_else(|_| unreachable!());
    mac.update(&out);
    out.extend_from_slice(&mac.finalize().into_bytes());
    out
}

/// Decrypts an RNCryptor v2/v3 password blob, verifying the HMAC first.
pub fn decrypt(blob: &[u8], password: &[u8]) -> Result<Vec<u8>, DecryptError> {
    if blob.len() < HEADER_LEN + 16 + HMAC_LEN {
        return Err(DecryptError::Truncated(blob.len()));
    }
    if !matches!(blob[0], 2 | 3) {
        return Err(DecryptError::Version(blob[0]));
    }
    let (signed, tag) = blob.split_at(blob.len() - HMAC_LEN);
    let hmac_key = derive_key(password, &blob[10..18]);
    let mut mac =
        <Hmac<Sha256> as KeyInit>::new_from_slice(&hmac_key).unwrap_or_else(|_| unreachable!());
    mac.update(signed);
    mac.verify_slice(tag).map_err(|_| DecryptError::Hmac)?;
    let ciphertext = &signed[HEADER_LEN..];
    if ciphertext.len() % 16 != 0 {
        return Err(DecryptError::Padding);
    }
    let enc_key = derive_key(password, &blob[2..10]);
    let mut iv = [0u8; 16];
    iv.copy_from_slice(&blob[18..34]);
    cbc::Decryptor::<Aes256>::new(&enc_key.into(), &iv.into())
        .decrypt_padded_vec::<Pkcs7>(ciphertext)
        .map_err(|_| DecryptError::Padding)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_wrong_password() {
        let p = Params::random().unwrap();
        let blob = encrypt(b"hello SEB", b"pw", &p);
        assert_eq!(blob[0], 3);
        assert_eq!(decrypt(&blob, b"pw").unwrap(), b"hello SEB");
        assert_eq!(decrypt(&blob, b"wrong"), Err(DecryptError::Hmac));
        assert_eq!(
            decrypt(&blob[..40], b"pw"),
            Err(DecryptError::Truncated(40))
        );
    }
}
