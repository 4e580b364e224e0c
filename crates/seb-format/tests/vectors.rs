//! The external SEB test vectors (`../shared/seb-vectors`, or `SEB_VECTORS_DIR`): RNCryptor-Spec
//! vectors byte for byte, and every container the reader must open, checked against the documented
//! decrypted bytes. Skipped, with a message, when the vectors are absent (a failure under
//! `SEBC_REQUIRE_VECTORS=1`, as in CI).

mod common;
use common::*;
use seb_format::container::{Keys, Layout, decode};
use seb_format::rncryptor;

fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s.split_whitespace().collect::<String>()).unwrap()
}

/// Parses the RNCryptor-Spec vector file format (`key: value` records separated by blank lines).
fn rncryptor_vectors(path: &std::path::Path) -> Vec<std::collections::HashMap<String, String>> {
    let text = String::from_utf8(read(path)).unwrap();
    let mut out = Vec::new();
    let mut cur = std::collections::HashMap::new();
    for line in text.lines().chain(std::iter::once("")) {
        if line.trim().is_empty() || line.starts_with('#') {
            if cur.contains_key("title") && line.trim().is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if let Some((k, v)) = line.split_once(':') {
            cur.insert(k.trim().to_string(), v.trim().to_string());
        }
    }
    out
}

#[test]
fn rncryptor_spec_v3_password_vectors_byte_for_byte() {
    let Some(dir) = vectors_dir() else { return };
    let vectors = rncryptor_vectors(&dir.join("upstream/RNCryptor-Spec/v3_password"));
    assert!(vectors.len() >= 6, "found {} vectors", vectors.len());
    for v in vectors {
        let mut p = rncryptor::Params {
            encryption_salt: [0; 8],
            hmac_salt: [0; 8],
            iv: [0; 16],
        };
        p.encryption_salt
            .copy_from_slice(&unhex(&v["enc_salt_hex"]));
        p.hmac_salt.copy_from_slice(&unhex(&v["hmac_salt_hex"]));
        p.iv.copy_from_slice(&unhex(&v["iv_hex"]));
        let plaintext = unhex(v.get("plaintext_hex").map_or("", String::as_str));
        let expected = unhex(&v["ciphertext_hex"]);
        let password = v["password"].as_bytes();
        assert_eq!(
            rncryptor::encrypt(&plaintext, password, &p),
            expected,
            "{}",
            v["title"]
        );
        assert_eq!(
            rncryptor::decrypt(&expected, password).unwrap(),
            plaintext,
            "{}",
            v["title"]
        );
    }
}

#[test]
fn rncryptor_spec_v2_password_vectors_decrypt() {
    let Some(dir) = vectors_dir() else { return };
    let vectors = rncryptor_vectors(&dir.join("upstream/RNCryptor-Spec/v2_password"));
    assert!(!vectors.is_empty());
    for v in vectors {
        let ciphertext = unhex(&v["ciphertext_hex"]);
        let plaintext = unhex(v.get("plaintext_hex").map_or("", String::as_str));
        assert_eq!(
            rncryptor::decrypt(&ciphertext, v["password"].as_bytes()).unwrap(),
            plaintext,
            "{}",
            v["title"]
        );
    }
}

#[test]
fn generated_blob_with_fixed_salts_matches_expected_json() {
    let Some(dir) = vectors_dir() else { return };
    let expected: serde_json::Value =
        serde_json::from_slice(&read(dir.join("generated/expected.json"))).unwrap();
    let r = &expected["rncryptor"];
    assert_eq!(
        hex::encode(rncryptor::derive_key(
            b"test1234",
            &unhex("0102030405060708")
        )),
        r["enc_key_pbkdf2_sha1_10000"]
    );
    let p = rncryptor::Params {
        encryption_salt: unhex("0102030405060708").try_into().unwrap(),
        hmac_salt: unhex("1112131415161718").try_into().unwrap(),
        iv: unhex("2122232425262728292a2b2c2d2e2f30")
            .try_into()
            .unwrap(),
    };
    let blob = rncryptor::encrypt(
        &read(dir.join("generated/vector_inner.xml.gz")),
        b"test1234",
        &p,
    );
    assert_eq!(blob.len() as u64, r["blob_len"].as_u64().unwrap());
    assert_eq!(sha256_hex(&blob), r["blob_sha256"]);
}

#[test]
fn every_generated_container_decodes_to_the_source_plist() {
    let Some(dir) = vectors_dir() else { return };
    let source = read(dir.join("generated/vector_config.plist"));
    let cases: &[(&str, Keys, Layout)] = &[
        ("vector_gzip_xml.seb", Keys::default(), Layout::GzipXml),
        ("vector_plnd.seb", Keys::default(), Layout::Plnd),
        (
            "vector_pswd_v3.seb",
            Keys {
                password: Some(b"test1234"),
                ..Default::default()
            },
            Layout::Pswd,
        ),
        (
            "vector_pswd_v2.seb",
            Keys {
                password: Some(b"test1234"),
                ..Default::default()
            },
            Layout::Pswd,
        ),
        (
            "vector_pwcc_admin.seb",
            Keys {
                admin_password: Some(b"admin"),
                ..Default::default()
            },
            Layout::Pwcc,
        ),
        ("vector_pwcc_empty.seb", Keys::default(), Layout::Pwcc),
    ];
    for (name, keys, layout) in cases {
        let (xml, got) = decode(&read(dir.join("generated").join(name)), keys)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(got, *layout, "{name}");
        assert_eq!(xml, source, "{name} decrypts to vector_config.plist");
    }
    let wrong = Keys {
        password: Some(b"wrong"),
        ..Default::default()
    };
    assert_eq!(
        decode(&read(dir.join("generated/vector_pswd_v3.seb")), &wrong)
            .unwrap_err()
            .to_string(),
        "wrong password or corrupted file (HMAC mismatch)"
    );
}

#[test]
fn upstream_encrypted_files_decrypt_to_the_documented_bytes() {
    let Some(dir) = vectors_dir() else { return };
    let cases = [
        (
            "upstream/moodle-quizaccess_seb/encrypted.seb",
            "test",
            21_181,
            "916ac276df560d4882a46f9cc5a76729ec3e091ffe771aae4685bd807ddb4e26",
        ),
        (
            "upstream/seb-server/importTest_123.seb",
            "123",
            26_534,
            "c2fb05094c062a6daf88b5139cb3b824d96850253814a0d6f2e28db42f021579",
        ),
    ];
    for (path, password, len, sha) in cases {
        let keys = Keys {
            password: Some(password.as_bytes()),
            ..Default::default()
        };
        let (xml, layout) =
            decode(&read(dir.join(path)), &keys).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(layout, Layout::Pswd);
        assert_eq!(xml.len(), len, "{path}");
        assert_eq!(sha256_hex(&xml), sha, "{path}");
        seb_format::plist::read_xml(&xml).unwrap_or_else(|e| panic!("{path}: {e}"));
    }
}

#[test]
fn upstream_plain_files_read_as_plists() {
    let Some(dir) = vectors_dir() else { return };
    for path in [
        "upstream/moodle-quizaccess_seb/unencrypted.seb",
        "upstream/moodle-quizaccess_seb/unencrypted_mac_001.seb",
        "upstream/moodle-quizaccess_seb/unencrypted_win_223.seb",
        "upstream/seb-win-refactoring/XmlTestSettings.xml",
        "derived/TestDictionary1.plist",
    ] {
        let (xml, _) = decode(&read(dir.join(path)), &Keys::default())
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        let dict = seb_format::plist::read_xml(&xml).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert!(dict.len() > 10, "{path}");
    }
}

/// The UnitTestCert.pfx identity as PEM, converted with the openssl command-line tool.
fn unit_test_key(dir: &std::path::Path, out: &std::path::Path) -> Option<std::path::PathBuf> {
    let pem = out.join("unit.pem");
    let pfx = dir.join("upstream/seb-win-refactoring/UnitTestCert.pfx");
    let ok = std::process::Command::new("openssl")
        .args([
            "pkcs12", "-legacy", "-nocerts", "-nodes", "-passin", "pass:", "-in",
        ])
        .arg(&pfx)
        .arg("-out")
        .arg(&pem)
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("SKIPPED: openssl could not convert UnitTestCert.pfx to PEM");
        return None;
    }
    Some(pem)
}

#[test]
fn certificate_containers_open_with_the_identity_key() {
    let Some(dir) = vectors_dir() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let Some(pem) = unit_test_key(&dir, tmp.path()) else {
        return;
    };
    let key =
        seb_format::certificate::PrivateKey::from_pem(&String::from_utf8(read(&pem)).unwrap())
            .unwrap();
    assert_eq!(
        hex::encode(key.key_hash()),
        "9a6ff964feef5924c2d8027b384b1519395c53ba"
    );
    let source = read(dir.join("generated/vector_config.plist"));
    for (name, password) in [
        ("vector_pkhs_plnd.seb", None),
        ("vector_pkhs_pswd.seb", Some(&b"test1234"[..])),
        ("vector_phsk_plnd.seb", None),
    ] {
        let keys = Keys {
            password,
            private_key: Some(&key),
            ..Default::default()
        };
        let (xml, _) = decode(&read(dir.join("generated").join(name)), &keys)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(xml, source, "{name}");
    }
    let no_key = decode(
        &read(dir.join("generated/vector_phsk_plnd.seb")),
        &Keys::default(),
    )
    .unwrap_err();
    assert!(no_key.to_string().contains("`phsk`"));
    // Another identity's key is told apart by the public-key hash.
    let other = tmp.path().join("other.pem");
    let made = std::process::Command::new("openssl")
        .args(["genrsa", "-out"])
        .arg(&other)
        .arg("1024")
        .output()
        .is_ok_and(|o| o.status.success());
    if made {
        let other = seb_format::certificate::PrivateKey::from_pem(
            &String::from_utf8(read(&other)).unwrap(),
        )
        .unwrap();
        let keys = Keys {
            private_key: Some(&other),
            ..Default::default()
        };
        let err = decode(&read(dir.join("generated/vector_pkhs_plnd.seb")), &keys)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "the file is encrypted for another certificate (public-key hash 9a6ff964feef5924c2d8027b384b1519395c53ba)"
        );
    }
}

#[test]
fn sebcs_plist_reader_agrees_with_the_plist_crate_on_every_vector() {
    let Some(dir) = vectors_dir() else { return };
    let mut checked = 0;
    for (rel, pw) in [
        ("upstream/moodle-quizaccess_seb/unencrypted.seb", None),
        (
            "upstream/moodle-quizaccess_seb/unencrypted_mac_001.seb",
            None,
        ),
        (
            "upstream/moodle-quizaccess_seb/unencrypted_win_223.seb",
            None,
        ),
        ("upstream/moodle-quizaccess_seb/simpleunencrypted.seb", None),
        ("upstream/moodle-quizaccess_seb/encrypted.seb", Some("test")),
        ("upstream/seb-server/importTest_123.seb", Some("123")),
        ("upstream/seb-win-refactoring/XmlTestSettings.xml", None),
        ("upstream/seb-win-refactoring/XmlTestData.xml", None),
        ("derived/TestDictionary1.plist", None),
        ("derived/TestDictionary2.plist", None),
        ("derived/TestDictionary3.plist", None),
        ("generated/vector_config.plist", None),
    ] {
        let keys = Keys {
            password: pw.map(str::as_bytes),
            ..Default::default()
        };
        let (xml, _) = decode(&read(dir.join(rel)), &keys).unwrap_or_else(|e| panic!("{rel}: {e}"));
        let ours = seb_format::plist::read_value(&xml, &Default::default())
            .unwrap_or_else(|e| panic!("{rel}: {e}"));
        let theirs =
            plist::Value::from_reader_xml(&xml[..]).unwrap_or_else(|e| panic!("{rel}: {e}"));
        assert_eq!(ours, theirs, "{rel}");
        checked += 1;
    }
    assert_eq!(checked, 12);
}
