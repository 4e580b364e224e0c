//! The token verifier (Prosody's checks) on arbitrary strings.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(token) = std::str::from_utf8(data) else { return };
    let acc = sebc::proctoring::tokens::Acceptance {
        secret: Some(b"secret"),
        public_key: None,
        issuers: vec!["app".into()],
        audiences: Vec::new(),
        now: 1_700_000_000,
    };
    let _ = sebc::proctoring::tokens::verify(token, &acc);
});
