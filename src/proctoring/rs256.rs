//! RS256 JSON Web Tokens (RSASSA-PKCS1-v1_5 with SHA-256, RFC 7518 §3.3), as 8x8's Jitsi as a Service
//! and Prosody's public-key validation (`asap_key_server`) expect: the header is
//! `{"alg":"RS256","kid":KID,"typ":"JWT"}` (the order of the JaaS documentation's example), the payload
//! is the caller's JSON bytes, everything base64url without padding. PKCS#1 v1.5 signatures are
//! deterministic, so the same key and claims give the same token.
//!
//! Keys are PEM: a private key as PKCS#8 (`BEGIN PRIVATE KEY`) or PKCS#1 (`BEGIN RSA PRIVATE KEY`), a
//! public key as SubjectPublicKeyInfo (`BEGIN PUBLIC KEY`) or PKCS#1 (`BEGIN RSA PUBLIC KEY`). Errors
//! say which form was expected, never what the file holds. The private key is a secret: `RsaPrivateKey`
//! zeroes itself on drop and is never printed.

use super::jwt::{self, b64url};
use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
use rsa::rand_core::OsRng;
use rsa::sha2::{Digest, Sha256};
use rsa::traits::PublicKeyParts;
use rsa::{Pkcs1v15Sign, RsaPrivateKey, RsaPublicKey};

/// Smallest modulus accepted (bits): RFC 7518 §3.3 "A key of size 2048 bits or larger MUST be used".
pub const MIN_KEY_BITS: usize = 2048;

/// Why a key could not be used. Never carries the key's bytes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error(
        "not an RSA private key in PEM (expected `-----BEGIN PRIVATE KEY-----` or `-----BEGIN RSA PRIVATE KEY-----`)"
    )]
    NotPrivatePem,
    #[error(
        "not an RSA public key in PEM (expected `-----BEGIN PUBLIC KEY-----` or `-----BEGIN RSA PUBLIC KEY-----`)"
    )]
    NotPublicPem,
    #[error("the RSA key has {0} bits; RS256 needs at least {MIN_KEY_BITS}")]
    TooSmall(usize),
}

fn pem_text(pem: &[u8]) -> Option<&str> {
    std::str::from_utf8(pem).ok().map(str::trim)
}

/// An RSA private key from PEM (PKCS#8 or PKCS#1), of at least [`MIN_KEY_BITS`].
pub fn private_key_from_pem(pem: &[u8]) -> Result<RsaPrivateKey, KeyError> {
    let text = pem_text(pem).ok_or(KeyError::NotPrivatePem)?;
    let key = RsaPrivateKey::from_pkcs8_pem(text)
        .or_else(|_| RsaPrivateKey::from_pkcs1_pem(text))
        .map_err(|_| KeyError::NotPrivatePem)?;
    check_size(key.size() * 8)?;
    Ok(key)
}

/// An RSA public key from PEM (SubjectPublicKeyInfo or PKCS#1); a private key's PEM gives its public
/// half.
pub fn public_key_from_pem(pem: &[u8]) -> Result<RsaPublicKey, KeyError> {
    let text = pem_text(pem).ok_or(KeyError::NotPublicPem)?;
    let key = RsaPublicKey::from_public_key_pem(text)
        .or_else(|_| RsaPublicKey::from_pkcs1_pem(text))
        .or_else(|_| private_key_from_pem(pem).map(|k| k.to_public_key()))
        .map_err(|_| KeyError::NotPublicPem)?;
    check_size(key.size() * 8)?;
    Ok(key)
}

fn check_size(bits: usize) -> Result<(), KeyError> {
    if bits < MIN_KEY_BITS {
        return Err(KeyError::TooSmall(bits));
    }
    Ok(())
}

/// The header bytes: `{"alg":"RS256","kid":KID,"typ":"JWT"}`.
pub fn header(kid: &str) -> String {
    format!(
        r#"{{"alg":"RS256","kid":{},"typ":"JWT"}}"#,
        serde_json::Value::from(kid)
    )
}

/// Signs the payload bytes: `b64url(header) "." b64url(payload) "." b64url(signature)`.
pub fn sign(kid: &str, payload: &[u8], key: &RsaPrivateKey) -> String {
    let signing_input = format!("{}.{}", b64url(header(kid).as_bytes()), b64url(payload));
    let digest = Sha256::digest(signing_input.as_bytes());
    // The randomness only blinds the private-key operation (against timing side channels,
    // RUSTSEC-2023-0071); PKCS#1 v1.5 signatures stay deterministic. Signing fails only for a modulus
    // too small for the DigestInfo, which `private_key_from_pem` refuses.
    let signature = key
        .sign_with_rng(&mut OsRng, Pkcs1v15Sign::new::<Sha256>(), &digest)
        .unwrap_or_default();
    format!("{signing_input}.{}", b64url(&signature))
}

/// Checks an RS256 signature with the public key.
pub fn verify_signature(parts: &jwt::Parts, key: &RsaPublicKey) -> bool {
    let digest = Sha256::digest(parts.signing_input.as_bytes());
    key.verify(Pkcs1v15Sign::new::<Sha256>(), &digest, &parts.signature)
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_bytes_follow_the_jaas_example() {
        assert_eq!(
            header("vpaas-magic-cookie-1fc542a3e4414a44b2611668195e2bfe/4f4910"),
            r#"{"alg":"RS256","kid":"vpaas-magic-cookie-1fc542a3e4414a44b2611668195e2bfe/4f4910","typ":"JWT"}"#
        );
        assert_eq!(
            header("a\"b"),
            r#"{"alg":"RS256","kid":"a\"b","typ":"JWT"}"#
        );
    }

    #[test]
    fn bad_pem_names_the_expected_form_only() {
        let secretish =
            b"-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWJ5dGVz\n-----END PRIVATE KEY-----\n";
        let e = private_key_from_pem(secretish).unwrap_err().to_string();
        assert!(e.contains("BEGIN PRIVATE KEY") && !e.contains("c2VjcmV0"));
        assert_eq!(
            public_key_from_pem(b"hello").unwrap_err(),
            KeyError::NotPublicPem
        );
        assert_eq!(
            private_key_from_pem(&[0xff, 0xfe]).unwrap_err(),
            KeyError::NotPrivatePem
        );
    }
}
