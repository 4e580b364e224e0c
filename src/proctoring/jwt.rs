//! HS256 JSON Web Tokens, byte-exact: the header is always the bytes `{"alg":"HS256","typ":"JWT"}` (SEB
//! Server's order), the payload is the caller's JSON bytes, everything is base64url without padding.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

pub const HEADER: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

pub fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn mac(secret: &[u8]) -> Hmac<Sha256> {
    // HMAC accepts keys of any length.
    <Hmac<Sha256> as KeyInit>::new_from_slice(secret).unwrap_or_else(|_| unreachable!())
}

/// Signs the payload bytes with the secret's raw bytes (not Base64-decoded, as Prosody and Zoom do).
pub fn sign(payload: &[u8], secret: &[u8]) -> String {
    let signing_input = format!("{}.{}", b64url(HEADER.as_bytes()), b64url(payload));
    let mut m = mac(secret);
    m.update(signing_input.as_bytes());
    let signature = b64url(&m.finalize().into_bytes());
    format!("{signing_input}.{signature}")
}

/// A token split into its decoded parts (no checks beyond the structure).
pub struct Parts {
    pub header: Vec<u8>,
    pub payload: Vec<u8>,
    pub signature: Vec<u8>,
    pub signing_input: String,
}

/// Splits and decodes a token; the error is Prosody's reason string for the part that failed.
pub fn split(token: &str) -> Result<Parts, &'static str> {
    let segments: Vec<&str> = token.trim().split('.').collect();
    if segments.len() != 3 {
        return Err("Invalid token");
    }
    let decode = |s: &str| URL_SAFE_NO_PAD.decode(s.trim_end_matches('='));
    let header = decode(segments[0]).map_err(|_| "Invalid header")?;
    let payload = decode(segments[1]).map_err(|_| "Invalid body")?;
    let signature = decode(segments[2]).map_err(|_| "Invalid signature")?;
    Ok(Parts {
        header,
        payload,
        signature,
        signing_input: format!("{}.{}", segments[0], segments[1]),
    })
}

/// Constant-time check of an HS256 signature.
pub fn verify_signature(parts: &Parts, secret: &[u8]) -> bool {
    let mut m = mac(secret);
    m.update(parts.signing_input.as_bytes());
    m.verify_slice(&parts.signature).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_bytes_are_seb_servers() {
        assert_eq!(
            b64url(HEADER.as_bytes()),
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
        );
    }

    #[test]
    fn seb_server_test_token_reproduces() {
        // ExamJITSIProctoringServiceTest.testCreateProctoringURL (seb-server-proctoring.md §7.1).
        let payload = br#"{"context":{"user":{"name":"Test Name"}},"moderator":true,"aud":"test-client","iss":"test-app","sub":"seb-jitsi.example.ch","room":"SomeRoom","exp":1609459200}"#;
        let token = sign(payload, b"fbvgeghergrgrthrehreg123");
        assert_eq!(
            token,
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJjb250ZXh0Ijp7InVzZXIiOnsibmFtZSI6IlRlc3QgTmFtZSJ9fSwibW9kZXJhdG9yIjp0cnVlLCJhdWQiOiJ0ZXN0LWNsaWVudCIsImlzcyI6InRlc3QtYXBwIiwic3ViIjoic2ViLWppdHNpLmV4YW1wbGUuY2giLCJyb29tIjoiU29tZVJvb20iLCJleHAiOjE2MDk0NTkyMDB9.47qoBCXG34ITeMmrwxlTmDcc6JLSVVF1HAOlcSkCvqw"
        );
        let parts = split(&token).unwrap();
        assert!(verify_signature(&parts, b"fbvgeghergrgrthrehreg123"));
        assert!(!verify_signature(&parts, b"other"));
    }
}
