//! Bad input is an ordinary input: wrong passwords, truncated and bit-flipped files, bad gzip, gzip
//! bombs, non-plist XML and entity tricks each give a distinct message and exit code 1, never a panic,
//! and never a written file.

mod common;
use common::*;
use proptest::prelude::*;
use seb_format::container::{Keys, Protection, decode, encode};

const XML: &[u8] = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\"><dict><key>allowQuit</key><true/></dict></plist>\n";

fn decode_cli(bytes: &[u8], extra: &[&str]) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("input.seb");
    std::fs::write(&file, bytes).unwrap();
    let mut args = vec!["decode", file.to_str().unwrap()];
    args.extend_from_slice(extra);
    let o = sebc().args(&args).env("BAD_PW", "pw").output().unwrap();
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    o
}

fn fails_with(bytes: &[u8], extra: &[&str], message: &str) {
    let o = decode_cli(bytes, extra);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(message),
        "expected {message:?} in {}",
        stderr(&o)
    );
    assert!(o.stdout.is_empty(), "nothing on stdout");
}

fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

#[test]
fn each_failure_has_its_own_message() {
    let pswd = encode(XML, Protection::Password(b"right")).unwrap();
    fails_with(
        &pswd,
        &["--password-env", "BAD_PW"],
        "wrong password or corrupted file (HMAC mismatch)",
    );
    fails_with(&pswd, &[], "encrypted with a password (`pswd`)");
    fails_with(b"abcd1234", &[], "not a .seb file: unknown prefix \"abcd\"");
    fails_with(b"", &[], "empty configuration");
    fails_with(b"\xEF\xBB\xBF", &[], "empty configuration");
    fails_with(
        &pswd[..pswd.len() - 20],
        &["--password-env", "BAD_PW"],
        "bad gzip data",
    );
    // A raw pswd block (SEB Server writes these without outer gzip), cut short.
    let mut raw = b"pswd".to_vec();
    raw.extend_from_slice(&[3, 1, 0, 0, 0]);
    fails_with(
        &raw,
        &["--password-env", "BAD_PW"],
        "encrypted data is truncated",
    );
    fails_with(
        &[0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3],
        &[],
        "bad gzip data",
    );
    fails_with(
        &gzip(b"plnd<?xml version=\"1.0\"?><html/>"),
        &[],
        "not a property list",
    );
    fails_with(
        &gzip(
            &[
                b"plnd".as_slice(),
                &gzip(b"<?xml version=\"1.0\"?><plist><dict><key>a</key>"),
            ]
            .concat(),
        ),
        &[],
        "the property list is truncated",
    );
    let entities = b"<?xml version=\"1.0\"?><!DOCTYPE plist [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><plist><dict><key>a</key><string>&x;</string></dict></plist>";
    fails_with(entities, &[], "entity declarations are refused");
    let deep = format!(
        "<?xml version=\"1.0\"?><plist><dict><key>a</key>{}{}</dict></plist>",
        "<array>".repeat(500),
        "</array>".repeat(500)
    );
    fails_with(deep.as_bytes(), &[], "nested deeper than");
}

#[test]
fn bad_padding_with_a_valid_hmac_is_reported() {
    // Build a blob whose HMAC is right but whose ciphertext is not a multiple of the block size.
    use hmac::{KeyInit, Mac};
    let mut blob = vec![3u8, 1];
    blob.extend_from_slice(&[7; 8]);
    blob.extend_from_slice(&[9; 8]);
    blob.extend_from_slice(&[1; 16]);
    blob.extend_from_slice(&[0xAB; 17]);
    let key = seb_format::rncryptor::derive_key(b"pw", &[9; 8]);
    let mut mac = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(&key).unwrap();
    mac.update(&blob);
    blob.extend_from_slice(&mac.finalize().into_bytes());
    assert_eq!(
        seb_format::rncryptor::decrypt(&blob, b"pw")
            .unwrap_err()
            .to_string(),
        "corrupted file: bad AES padding"
    );
}

#[test]
fn gzip_bomb_is_refused_and_the_cap_can_be_raised() {
    let inflated = vec![b' '; 3 << 20];
    let bomb = gzip(
        &[
            b"<?xml version=\"1.0\"?><plist><dict/></plist>".as_slice(),
            &inflated,
        ]
        .concat(),
    );
    assert!(bomb.len() < 20_000, "a small file");
    fails_with(
        &bomb,
        &["--max-decompressed", "1048576"],
        "decompressed data exceeds 1048576 bytes",
    );
    let o = decode_cli(&bomb, &["--max-decompressed", "8388608"]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn a_failing_compile_writes_nothing_and_keeps_previous_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let exam = dir.path().join("e.yaml");
    std::fs::write(&exam, "exam: { id: e }\nseb:\n  startURL: https://x.example\n  quitPassword: { env: SEBC_UNSET_FOR_TEST }\n").unwrap();
    let o = run(&[
        "compile",
        exam.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("environment variable `SEBC_UNSET_FOR_TEST` is not set"));
    assert!(
        !out.exists() || std::fs::read_dir(&out).unwrap().next().is_none(),
        "nothing written"
    );
    // A good compile, then a broken edit: the previous output stays as it was.
    std::fs::write(
        &exam,
        "exam: { id: e }\nseb:\n  startURL: https://x.example\n",
    )
    .unwrap();
    assert!(
        run(&[
            "compile",
            exam.to_str().unwrap(),
            "-o",
            out.to_str().unwrap()
        ])
        .status
        .success()
    );
    let before = read(out.join("e.seb"));
    std::fs::write(&exam, "exam: { id: e }\nseb:\n  startURL: 42\n").unwrap();
    assert_eq!(
        run(&[
            "compile",
            exam.to_str().unwrap(),
            "-o",
            out.to_str().unwrap()
        ])
        .status
        .code(),
        Some(1)
    );
    assert_eq!(read(out.join("e.seb")), before);
    let leftovers: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name())
        .collect();
    assert_eq!(
        leftovers.len(),
        2,
        "e.seb and e.server.json, no temporary files: {leftovers:?}"
    );
}

proptest! {
    // Each case runs PBKDF2 four times (two derivations to encrypt, two to decrypt).
    #![proptest_config(ProptestConfig::with_cases(12))]

    #[test]
    fn decode_inverts_encode(xml_body in "[ -~]{0,400}", pw in "[ -~]{0,16}", pwcc in any::<bool>()) {
        let xml = format!("<?xml version=\"1.0\"?><plist><dict><key>k</key><string>{}</string></dict></plist>", xml_body.replace(['<', '&'], "_"));
        let (protection, keys) = if pwcc {
            (Protection::ConfiguringClient(Some(pw.as_bytes())), Keys { admin_password: Some(pw.as_bytes()), ..Default::default() })
        } else {
            (Protection::Password(pw.as_bytes()), Keys { password: Some(pw.as_bytes()), ..Default::default() })
        };
        let file = encode(xml.as_bytes(), protection).unwrap();
        prop_assert_eq!(decode(&file, &keys).unwrap().0, xml.into_bytes());
    }

    #[test]
    fn any_flipped_byte_of_the_encrypted_block_is_rejected(at in any::<prop::sample::Index>(), bit in 0u8..8) {
        // The pswd block without outer gzip (as SEB Server writes it): every byte is covered by the HMAC
        // or is the prefix.
        let gz = encode(XML, Protection::Password(b"pw")).unwrap();
        let mut block = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gz[..]), &mut block).unwrap();
        let i = at.index(block.len());
        block[i] ^= 1 << bit;
        let keys = Keys { password: Some(b"pw"), ..Default::default() };
        prop_assert!(decode(&block, &keys).is_err());
    }
}
