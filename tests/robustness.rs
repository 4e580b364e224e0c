//! Errors never panic: every vector, truncated and with bytes flipped, goes through `sebc decode` and
//! `sebc config-key`; each run ends with exit code 0 or 1 and, on 1, a message, never `panicked at`.

mod common;
use common::*;

/// Deterministic mutations of `data`: truncations and single-byte changes spread over the file.
fn mutations(data: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for cut in [
        0,
        1,
        3,
        4,
        10,
        34,
        data.len() / 2,
        data.len().saturating_sub(1),
    ] {
        out.push(data[..cut.min(data.len())].to_vec());
    }
    for k in 0..16usize {
        if data.is_empty() {
            break;
        }
        let i = (k * 7919 + 13) % data.len();
        let mut m = data.to_vec();
        m[i] ^= 1 << (k % 8);
        out.push(m);
    }
    out
}

#[test]
fn mutated_vectors_never_panic() {
    let Some(dir) = vectors_dir() else { return };
    let files: Vec<std::path::PathBuf> = [
        "generated",
        "upstream/moodle-quizaccess_seb",
        "upstream/seb-server",
        "derived",
    ]
    .iter()
    .flat_map(|d| {
        std::fs::read_dir(dir.join(d))
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.path())
    })
    .filter(|p| p.extension().is_some_and(|e| e == "seb" || e == "plist"))
    .collect();
    assert!(files.len() >= 15, "{} vector files", files.len());
    let tmp = tempfile::tempdir().unwrap();
    let (mut failures, mut runs) = (0, 0);
    for file in files {
        for (n, bytes) in mutations(&read(&file)).into_iter().enumerate() {
            let path = tmp.path().join(format!("m{n}.seb"));
            std::fs::write(&path, &bytes).unwrap();
            for command in ["decode", "config-key"] {
                let o = sebc()
                    .args([command, path.to_str().unwrap(), "--password-env", "PW"])
                    .env("PW", "test1234")
                    .output()
                    .unwrap();
                let err = stderr(&o);
                assert!(
                    !err.contains("panicked"),
                    "{} mutation {n}: {err}",
                    file.display()
                );
                match o.status.code() {
                    Some(0) => {}
                    Some(1) => {
                        assert!(
                            err.contains("error["),
                            "{} mutation {n}: no message: {err}",
                            file.display()
                        );
                        failures += 1;
                    }
                    other => panic!("{} mutation {n}: exit {other:?}: {err}", file.display()),
                }
                runs += 1;
            }
        }
    }
    assert!(
        failures > runs / 2,
        "most mutations are refused ({failures} of {runs})"
    );
}
