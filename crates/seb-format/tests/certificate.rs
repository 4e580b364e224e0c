//! `pkhs` files opened with an identity's private key, and the bounds on the RSA work a hostile file
//! can cause. Keys and RSA blocks are made with the `openssl` command (skipped, with a note, without it).

use seb_format::certificate::{KeyError, MAX_PKHS_CIPHERTEXT_BYTES, PrivateKey};
use seb_format::container::{ContainerError, Keys, Layout, decode};
use std::path::Path;
use std::process::Command;

const XML: &[u8] = b"<?xml version=\"1.0\"?><plist version=\"1.0\"><dict><key>allowQuit</key><true/></dict></plist>";

/// A 1024-bit identity (small keys keep the test fast): the private key and the SEB key hash.
fn identity(dir: &Path) -> Option<(PrivateKey, [u8; 20])> {
    let pem = dir.join("key.pem");
    let ok = Command::new("openssl")
        .args(["genrsa", "-out"])
        .arg(&pem)
        .arg("1024")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("SKIPPED: the openssl command is not available");
        return None;
    }
    let key = PrivateKey::from_pem(&std::fs::read_to_string(&pem).unwrap()).unwrap();
    let hash = key.key_hash();
    Some((key, hash))
}

/// RSA PKCS#1 v1.5 encryption of `data` (at most k − 11 bytes) with the identity's public key.
fn rsa_block(dir: &Path, data: &[u8]) -> Vec<u8> {
    let input = dir.join("block.in");
    std::fs::write(&input, data).unwrap();
    let out = Command::new("openssl")
        .args(["pkeyutl", "-encrypt", "-inkey"])
        .arg(dir.join("key.pem"))
        .arg("-in")
        .arg(&input)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn pkhs(hash: &[u8; 20], blocks: &[Vec<u8>]) -> Vec<u8> {
    let mut file = b"pkhs".to_vec();
    file.extend_from_slice(hash);
    blocks.iter().for_each(|b| file.extend_from_slice(b));
    file
}

#[test]
fn pkhs_opens_and_hostile_payloads_fail_before_the_rsa_work() {
    let dir = tempfile::tempdir().unwrap();
    let Some((key, hash)) = identity(dir.path()) else {
        return;
    };
    let keys = Keys {
        private_key: Some(&key),
        ..Default::default()
    };
    // plnd ‖ raw XML in two RSA blocks (a 1024-bit key takes 117 bytes per block).
    let mut inner = b"plnd".to_vec();
    inner.extend_from_slice(XML);
    let blocks: Vec<Vec<u8>> = inner.chunks(60).map(|c| rsa_block(dir.path(), c)).collect();
    assert_eq!(blocks.len(), 2);
    assert_eq!(
        decode(&pkhs(&hash, &blocks), &keys).unwrap(),
        (XML.to_vec(), Layout::Plnd)
    );

    // More ciphertext than SEB writes: refused before any block is decrypted.
    let many = vec![blocks[0].clone(); MAX_PKHS_CIPHERTEXT_BYTES / 128 + 1];
    assert_eq!(
        decode(&pkhs(&hash, &many), &keys),
        Err(ContainerError::Key(KeyError::TooLarge(many.len() * 128)))
    );
    // Blocks that do not fill the payload: refused before any block is decrypted.
    let mut ragged = pkhs(&hash, &blocks);
    ragged.pop();
    assert_eq!(
        decode(&ragged, &keys),
        Err(ContainerError::Key(KeyError::Truncated))
    );
    // Valid RSA blocks whose first one is not the start of a SEB block: refused after that block.
    let junk = rsa_block(dir.path(), b"not a SEB configuration");
    let repeated = vec![junk; 200];
    assert_eq!(
        decode(&pkhs(&hash, &repeated), &keys),
        Err(ContainerError::Key(KeyError::NotSeb))
    );
}
