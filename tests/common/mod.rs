//! Helpers shared by the integration tests: running the real `sebc` binary with the fixture secrets
//! in its environment, listing fixtures, writing generated inputs, reading `--message-format json`
//! diagnostics, and locating the external test vectors.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Secrets the fixtures reference, by environment variable. Distinctive values, so a leak scan finds them.
pub const SECRETS: &[(&str, &str)] = &[
    ("SEBC_FIXTURE_QUIT_PASSWORD", "quit-Fx7Qz19-secret"),
    ("SEBC_FIXTURE_ADMIN_PASSWORD", "admin-Kp2Wm84-secret"),
    ("SEBC_FIXTURE_JITSI_SECRET", "jitsi-Hs9Lr27-secret"),
    (
        "SEBC_FIXTURE_ZOOM_CLIENT_SECRET",
        "zoomclient-Vd3Ny65-secret",
    ),
    ("SEBC_FIXTURE_ZOOM_SDK_SECRET", "zoomsdk-Tb8Jc41-secret"),
    ("SEBC_FIXTURE_SPS_SECRET", "sps-Qe5Gu93-secret"),
    ("SEBC_FIXTURE_SPS_PASSWORD", "spspw-Ra6Xk22-secret"),
    ("SEBC_FIXTURE_EXAM_PASSWORD", "exam-Wn4Pf58-secret"),
];

/// The time the tests run at, seconds since the epoch (2026-11-30T00:00:00Z).
pub const NOW: i64 = 1_795_996_800;

/// The secret stored in `fixtures/secrets/quit-password.txt`.
pub const FILE_SECRET: &str = "quit-fixture-secret";

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The `sebc` binary, run from the repository root with the fixture secrets set.
pub fn sebc() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_sebc"));
    c.current_dir(root());
    // A fixed clock (2026-11-30T00:00:00Z, before the fixtures' exams) makes token lifetimes reproducible.
    c.env("SOURCE_DATE_EPOCH", NOW.to_string());
    for (k, v) in SECRETS {
        c.env(k, v);
    }
    c
}

pub fn run(args: &[&str]) -> Output {
    sebc().args(args).output().expect("sebc runs")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Exam files directly in `dir` (relative to the repository root), sorted.
pub fn exam_files(dir: &str) -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(root().join(dir))
        .expect("fixture dir exists")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            p.is_file()
                && matches!(
                    p.extension().and_then(|e| e.to_str()),
                    Some("yaml" | "yml" | "toml" | "json")
                )
        })
        .map(|p| {
            p.strip_prefix(root())
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    files.sort();
    files
}

/// The external SEB test vectors (`../shared/seb-vectors`, or `SEB_VECTORS_DIR`), if present; their
/// absence fails the test under `SEBC_REQUIRE_VECTORS=1` (CI).
pub fn vectors_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("SEB_VECTORS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared/seb-vectors"));
    if dir.join("README.md").is_file() {
        Some(dir)
    } else {
        assert!(
            std::env::var_os("SEBC_REQUIRE_VECTORS").is_none_or(|v| v != "1"),
            "SEB test vectors not found at {} (SEBC_REQUIRE_VECTORS=1)",
            dir.display()
        );
        eprintln!(
            "SKIPPED: SEB test vectors not found at {} (set SEB_VECTORS_DIR to run these checks)",
            dir.display()
        );
        None
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    sebc::secret::sha256_hex(bytes)
}

pub fn read(p: impl AsRef<Path>) -> Vec<u8> {
    std::fs::read(p.as_ref()).unwrap_or_else(|e| panic!("read {}: {e}", p.as_ref().display()))
}

/// Writes `text` to `path`, creating its directory.
pub fn write(path: &Path, text: &str) {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).unwrap();
    }
    std::fs::write(path, text).unwrap();
}

#[cfg(unix)]
pub fn symlink(target: &str, link: &Path) {
    std::os::unix::fs::symlink(target, link).unwrap();
}

/// Diagnostics of a `--message-format json` run: the JSON lines on stdout that carry a `code` (results
/// such as `compile`'s `{"output": …}` lines have none). Every stdout line must be JSON.
pub fn json_diags(o: &Output) -> Vec<serde_json::Value> {
    stdout(o)
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l)
                .unwrap_or_else(|e| panic!("stdout line is not JSON ({e}): {l}"))
        })
        .filter(|v| v.get("code").is_some())
        .collect()
}

pub fn with_code<'a>(diags: &'a [serde_json::Value], code: &str) -> Vec<&'a serde_json::Value> {
    diags.iter().filter(|d| d["code"] == code).collect()
}

/// A small valid exam (id `small`).
pub const SMALL_EXAM: &str = "exam: { id: small }\nseb: { startURL: https://lms.example.org/ }\n";

/// The vector files with the secrets their README gives (password env value; certificate-only files are
/// the same document as `vector_config.plist` and are read through it).
pub fn vector_files(dir: &Path) -> Vec<(PathBuf, Option<&'static str>)> {
    let mut out = Vec::new();
    for sub in [
        "upstream/moodle-quizaccess_seb",
        "upstream/seb-server",
        "upstream/seb-win-refactoring",
        "derived",
        "generated",
    ] {
        let Ok(entries) = std::fs::read_dir(dir.join(sub)) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            let name = p
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("")
                .to_string();
            let password = match name.as_str() {
                "encrypted.seb" => Some("test"),
                "importTest_123.seb" => Some("123"),
                "vector_pswd_v2.seb" | "vector_pswd_v3.seb" => Some("test1234"),
                n if n.starts_with("vector_pkhs") || n.starts_with("vector_phsk") => continue,
                "vector_pwcc_admin.seb" => continue, // same document as vector_pwcc_empty.seb
                _ => None,
            };
            if name.ends_with(".seb") || name.ends_with(".plist") || name.ends_with(".xml") {
                out.push((p, password));
            }
        }
    }
    out.sort();
    out
}

/// `sebc ARGS` and the CPU time (user + system) the process used, read with `wait4`: unlike wall time,
/// it barely moves when other work shares the machine, so bounds stated as ratios of it hold under load.
#[allow(clippy::zombie_processes)] // reaped by the wait4 below, which std's Child cannot do
pub fn run_cpu(args: &[&str]) -> (Output, std::time::Duration) {
    use std::io::Read;
    use std::os::unix::process::ExitStatusExt;
    use std::process::Stdio;
    let mut child = sebc()
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sebc runs");
    let mut out = child.stdout.take().expect("piped");
    let mut err = child.stderr.take().expect("piped");
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = err.read_to_end(&mut buf);
        buf
    });
    let mut stdout = Vec::new();
    let _ = out.read_to_end(&mut stdout);
    let stderr = reader.join().expect("stderr reader");
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value, and wait4 writes only through the two pointers given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = child.id() as libc::pid_t;
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid, "wait4: {}", std::io::Error::last_os_error());
    let time = |t: libc::timeval| {
        std::time::Duration::from_secs(t.tv_sec as u64)
            + std::time::Duration::from_micros(t.tv_usec as u64)
    };
    let cpu = time(usage.ru_utime) + time(usage.ru_stime);
    let output = Output {
        status: std::process::ExitStatus::from_raw(status),
        stdout,
        stderr,
    };
    (output, cpu)
}

/// Compiles `exam` (with `extra` flags) into a new directory, which must succeed: the directory, the
/// exam's `<id>.server.json`, and the run's output.
pub fn compile_server_json(
    exam: &str,
    extra: &[&str],
) -> (tempfile::TempDir, serde_json::Value, Output) {
    let out = tempfile::tempdir().unwrap();
    let mut args = vec!["compile", exam, "-o", out.path().to_str().unwrap()];
    args.extend_from_slice(extra);
    let o = run(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let id = stdout(&o).split('\t').next().unwrap().to_string();
    let json = serde_json::from_slice(&read(out.path().join(format!("{id}.server.json")))).unwrap();
    (out, json, o)
}

/// The UnitTestCert.pfx identity as PEM (openssl), for the `pkhs`/`phsk` vectors.
pub fn unit_test_key(vectors: &Path, dir: &Path) -> Option<PathBuf> {
    let pem = dir.join("unit.pem");
    let ok = std::process::Command::new("openssl")
        .args([
            "pkcs12", "-legacy", "-nocerts", "-nodes", "-passin", "pass:", "-in",
        ])
        .arg(vectors.join("upstream/seb-win-refactoring/UnitTestCert.pfx"))
        .arg("-out")
        .arg(&pem)
        .output()
        .is_ok_and(|o| o.status.success());
    ok.then_some(pem)
}
