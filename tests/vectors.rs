//! `sebc decode` on the external SEB test vectors (`../shared/seb-vectors`, or `SEB_VECTORS_DIR`). The
//! format itself is tested against the vectors in `crates/seb-format/tests`.

mod common;
use common::*;

/// Parses the RNCryptor-Spec vector file format (`key: value` records separated by blank lines).
#[test]
fn decode_command_opens_vectors_and_fails_cleanly() {
    let Some(dir) = vectors_dir() else { return };
    let file = dir.join("generated/vector_pswd_v3.seb");
    let f = file.to_str().unwrap();
    let ok = sebc()
        .args(["decode", f, "--password-env", "VEC_PW"])
        .env("VEC_PW", "test1234")
        .output()
        .unwrap();
    assert!(ok.status.success(), "{}", stderr(&ok));
    assert!(stdout(&ok).starts_with("<?xml"));
    let bad = sebc()
        .args(["decode", f, "--password-env", "VEC_PW"])
        .env("VEC_PW", "nope")
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
    assert!(stderr(&bad).contains("wrong password or corrupted file (HMAC mismatch)"));
    assert!(!stderr(&bad).contains("nope"));
    let none = run(&["decode", f]);
    assert_eq!(none.status.code(), Some(1));
    assert!(stderr(&none).contains("encrypted with a password"));
}

#[test]
fn decode_json_gives_the_settings_as_json() {
    let Some(dir) = vectors_dir() else { return };
    let f = dir.join("generated/vector_plnd.seb");
    let o = run(&["decode", f.to_str().unwrap(), "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["allowQuit"], false);
    assert_eq!(v["defaultPageZoomLevel"], 1.0);
    // `<data>` is tagged, so it stays apart from a string holding the same Base64.
    assert_eq!(
        v["examKeySalt"],
        serde_json::json!({ "$data": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=" })
    );
    assert_eq!(
        v["URLFilterRules"][0]["expression"],
        "exam.example.org/exam\\d+"
    );
    assert_eq!(v["browserWindowTitleSuffix"], "Prüfung \"A\"");
}
