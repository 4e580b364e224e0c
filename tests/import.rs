//! `sebc import` and its round-trip law: compile(import(x)) has the same settings and Config Key as x,
//! for every file of the SEB test vectors, every fixture's compiled output, and (proptest) random
//! catalog-typed settings; and hostile input fails cleanly.

mod common;
use common::*;
use std::path::{Path, PathBuf};
use std::process::Output;

/// `sebc decode --json` of a file (the settings, Data as Base64).
fn settings_of(file: &Path, env: &[(&str, &str)], extra: &[&str]) -> serde_json::Value {
    let mut c = sebc();
    c.args(["decode", "--json"]).arg(file).args(extra);
    for (k, v) in env {
        c.env(k, v);
    }
    let o = c.output().unwrap();
    assert!(
        o.status.success(),
        "decode {}: {}",
        file.display(),
        stderr(&o)
    );
    serde_json::from_str(&stdout(&o)).unwrap()
}

/// Imports `file` in `format` into `dir`, compiles the exam file to a plist, and checks the law:
/// same settings (decoded independently of the import) and the same Config Key.
fn round_trip(
    file: &Path,
    format: &str,
    dir: &Path,
    env: &[(&str, &str)],
    extra: &[&str],
) -> String {
    let mut c = sebc();
    c.arg("import")
        .arg(file)
        .args(["--format", format, "-o"])
        .arg(dir)
        .args(extra);
    for (k, v) in env {
        c.env(k, v);
    }
    let o = c.output().unwrap();
    assert!(
        o.status.success(),
        "import {} ({format}): {}",
        file.display(),
        stderr(&o)
    );
    let line = stdout(&o);
    let fields: Vec<&str> = line.trim_end().split('\t').collect();
    let (exam, original_key) = (PathBuf::from(fields[1]), fields[2].to_string());
    assert!(exam.is_file(), "{line}");
    let out = dir.join("out");
    let compiled = sebc()
        .args(["compile", "--format", "plist", "-q", "-o"])
        .arg(&out)
        .arg(&exam)
        .output()
        .unwrap();
    assert!(
        compiled.status.success(),
        "compile {}: {}\n{}",
        exam.display(),
        stderr(&compiled),
        std::fs::read_to_string(&exam).unwrap()
    );
    let compiled_line = stdout(&compiled);
    let compiled_key = compiled_line.trim_end().rsplit('\t').next().unwrap();
    assert_eq!(compiled_key, original_key, "{}: Config Key", file.display());
    let plist = out.join(format!(
        "{}.plist",
        exam.file_stem().unwrap().to_string_lossy()
    ));
    assert_eq!(
        settings_of(&plist, &[], &[]),
        settings_of(file, env, extra),
        "{}: settings",
        file.display()
    );
    // The key of the original, computed by `config-key` (not by import).
    let mut ck = sebc();
    ck.arg("config-key").arg(file).args(extra);
    for (k, v) in env {
        ck.env(k, v);
    }
    let ck = ck.output().unwrap();
    assert_eq!(stdout(&ck).trim(), original_key, "{}", stderr(&ck));
    original_key
}

/// (file, environment with its password, needs the identity's key, expected Config Key)
type VectorCase = (
    &'static str,
    Vec<(&'static str, &'static str)>,
    bool,
    Option<&'static str>,
);

#[test]
fn every_vector_round_trips() {
    let Some(v) = vectors_dir() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let key = unit_test_key(&v, tmp.path());
    let key_args: Vec<&str> = key
        .as_ref()
        .map(|k| vec!["--key", k.to_str().unwrap()])
        .unwrap_or_default();
    let pw = |p: &'static str| vec![("VEC_PW", p)];
    // (file, password, needs the key, expected Config Key from the vectors' README where it gives one)
    let cases: Vec<VectorCase> = vec![
        (
            "upstream/moodle-quizaccess_seb/unencrypted_mac_001.seb",
            vec![],
            false,
            Some("4fa9af8ec8759eb7c680752ef4ee5eaf1a860628608fccae2715d519849f9292"),
        ),
        (
            "upstream/moodle-quizaccess_seb/unencrypted_win_223.seb",
            vec![],
            false,
            Some("fc6f4ea5922717760f4d6d536c23b8d19bf20b52aa97940f5427a76e20f49026"),
        ),
        (
            "upstream/moodle-quizaccess_seb/simpleunencrypted.seb",
            vec![],
            false,
            None,
        ),
        (
            "upstream/moodle-quizaccess_seb/simpleunencryptedwithoutoriginator.seb",
            vec![],
            false,
            None,
        ),
        (
            "upstream/moodle-quizaccess_seb/encrypted.seb",
            pw("test"),
            false,
            Some("7984a9902c95098e0d992fd1e5f2ce4a6cf40a613d61dfd805f43100ce2ec14d"),
        ),
        (
            "upstream/moodle-quizaccess_seb/unencrypted.seb",
            vec![],
            false,
            Some("7984a9902c95098e0d992fd1e5f2ce4a6cf40a613d61dfd805f43100ce2ec14d"),
        ),
        (
            "upstream/seb-server/importTest_123.seb",
            pw("123"),
            false,
            Some("781f50bba263f01a05ceca47d3430cd9657a683315ee507cc257ab21bcd788c9"),
        ),
        (
            "upstream/seb-win-refactoring/XmlTestData.xml",
            vec![],
            false,
            None,
        ),
        (
            "upstream/seb-win-refactoring/XmlTestSettings.xml",
            vec![],
            false,
            Some("e073c388315da445a96a9760f533de20cd9f08f99d4b4b8717a6de4ce605c81d"),
        ),
        (
            "derived/TestDictionary1.plist",
            vec![],
            false,
            Some("6063c3351ed1ac878c05072598d5079e30ca763c957d8e04bd45131c08f88d1a"),
        ),
        (
            "derived/TestDictionary2.plist",
            vec![],
            false,
            Some("4fc002d2ae4faf994a14bede54d95ac58a1a2cb9b59bc5b4277ff29559b46e3d"),
        ),
        (
            "derived/TestDictionary3.plist",
            vec![],
            false,
            Some("ab426e25b795c917f1fb40f7ef8e5757ef97d7c7ad6792e655c4421d47329d7a"),
        ),
        (
            "generated/vector_config.plist",
            vec![],
            false,
            Some("60a8199129c990539f799a9b76e27f419a47b692383c84711044d7c07cae85b8"),
        ),
        (
            "generated/vector_inner.xml.gz",
            vec![],
            false,
            Some("60a8199129c990539f799a9b76e27f419a47b692383c84711044d7c07cae85b8"),
        ),
        (
            "generated/vector_gzip_xml.seb",
            vec![],
            false,
            Some("60a8199129c990539f799a9b76e27f419a47b692383c84711044d7c07cae85b8"),
        ),
        (
            "generated/vector_plnd.seb",
            vec![],
            false,
            Some("60a8199129c990539f799a9b76e27f419a47b692383c84711044d7c07cae85b8"),
        ),
        (
            "generated/vector_pswd_v3.seb",
            pw("test1234"),
            false,
            Some("60a8199129c990539f799a9b76e27f419a47b692383c84711044d7c07cae85b8"),
        ),
        (
            "generated/vector_pswd_v2.seb",
            pw("test1234"),
            false,
            Some("60a8199129c990539f799a9b76e27f419a47b692383c84711044d7c07cae85b8"),
        ),
        (
            "generated/vector_pwcc_admin.seb",
            vec![("VEC_ADMIN", "admin")],
            false,
            Some("60a8199129c990539f799a9b76e27f419a47b692383c84711044d7c07cae85b8"),
        ),
        (
            "generated/vector_pwcc_empty.seb",
            vec![],
            false,
            Some("60a8199129c990539f799a9b76e27f419a47b692383c84711044d7c07cae85b8"),
        ),
        (
            "generated/vector_pkhs_plnd.seb",
            vec![],
            true,
            Some("60a8199129c990539f799a9b76e27f419a47b692383c84711044d7c07cae85b8"),
        ),
        (
            "generated/vector_pkhs_pswd.seb",
            pw("test1234"),
            true,
            Some("60a8199129c990539f799a9b76e27f419a47b692383c84711044d7c07cae85b8"),
        ),
        (
            "generated/vector_phsk_plnd.seb",
            vec![],
            true,
            Some("60a8199129c990539f799a9b76e27f419a47b692383c84711044d7c07cae85b8"),
        ),
    ];
    // Every other file of the vectors is no SEB configuration; a new file must be added to one list.
    let not_configurations = [
        // .NET BinaryFormatter dumps of parsed dictionaries, not a SEB file format; their XML
        // re-serialisations (derived/TestDictionaryN.plist) are imported above.
        "upstream/seb-win-refactoring/TestDictionary1.bin",
        "upstream/seb-win-refactoring/TestDictionary2.bin",
        "upstream/seb-win-refactoring/TestDictionary3.bin",
        "upstream/seb-win-refactoring/UnitTestCert.pfx",
        "upstream/moodle-quizaccess_seb/JSON_unencrypted_mac_001.txt",
        "upstream/RNCryptor-Spec/v3_kdf",
        "upstream/RNCryptor-Spec/v2_password",
        "upstream/RNCryptor-Spec/v3_password",
        "derived/TestDictionary1.seb-json.txt",
        "derived/TestDictionary2.seb-json.txt",
        "derived/TestDictionary3.seb-json.txt",
        "generated/expected.json",
        "README.md",
    ];
    let mut all: Vec<String> = walk(&v)
        .into_iter()
        .map(|p| p.strip_prefix(&v).unwrap().to_string_lossy().into_owned())
        .collect();
    all.sort();
    for f in &all {
        assert!(
            cases.iter().any(|c| c.0 == f) || not_configurations.contains(&f.as_str()),
            "vector {f} is neither imported nor listed as no configuration"
        );
    }
    for (i, (file, env, needs_key, expected)) in cases.iter().enumerate() {
        let mut extra: Vec<&str> = Vec::new();
        if env.iter().any(|(k, _)| *k == "VEC_PW") {
            extra.extend(["--password-env", "VEC_PW"]);
        }
        if env.iter().any(|(k, _)| *k == "VEC_ADMIN") {
            extra.extend(["--admin-password-env", "VEC_ADMIN"]);
        }
        if *needs_key {
            if key_args.is_empty() {
                assert!(
                    std::env::var_os("SEBC_REQUIRE_VECTORS").is_none_or(|v| v != "1"),
                    "openssl could not convert UnitTestCert.pfx; {file} is not checked"
                );
                eprintln!("SKIPPED: {file} (openssl could not convert UnitTestCert.pfx)");
                continue;
            }
            extra.extend(key_args.iter().copied());
        }
        let formats: &[&str] = if i % 4 == 0 || file.contains("TestDictionary2") {
            &["yaml", "toml", "json"]
        } else {
            &["yaml"]
        };
        for format in formats {
            let dir = tmp.path().join(format!("v{i}-{format}"));
            let got = round_trip(&v.join(file), format, &dir, env, &extra);
            if let Some(expected) = expected {
                assert_eq!(&got, expected, "{file}");
            }
        }
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// What each special case of a vector becomes: the case-duplicate keys of TestDictionary2 (each client
/// reads another spelling) and the `<date>` of simpleunencrypted.seb stay verbatim in the plist base.
#[test]
fn vectors_that_an_exam_file_cannot_express_keep_a_verbatim_base() {
    let Some(v) = vectors_dir() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let o = sebc()
        .arg("import")
        .arg(v.join("derived/TestDictionary2.plist"))
        .arg(v.join("upstream/moodle-quizaccess_seb/simpleunencrypted.seb"))
        .arg("-o")
        .arg(tmp.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let yaml = std::fs::read_to_string(tmp.path().join("testdictionary2.yaml")).unwrap();
    assert!(
        yaml.contains("  - testdictionary2.verbatim.plist"),
        "{yaml}"
    );
    assert!(
        yaml.contains("#   allowWLAN: another spelling of the same key is also set"),
        "{yaml}"
    );
    let base = std::fs::read_to_string(tmp.path().join("testdictionary2.verbatim.plist")).unwrap();
    assert!(base.contains("<key>allowWLAN</key>") && base.contains("<key>allowWlan</key>"));
    let yaml = std::fs::read_to_string(tmp.path().join("simpleunencrypted.yaml")).unwrap();
    assert!(yaml.contains("holds a <date>"), "{yaml}");
    let base =
        std::fs::read_to_string(tmp.path().join("simpleunencrypted.verbatim.plist")).unwrap();
    assert!(base.contains("<date>"), "{base}");
}

#[test]
fn every_fixture_round_trips_through_its_compiled_output() {
    let tmp = tempfile::tempdir().unwrap();
    let compiled = tmp.path().join("compiled");
    let mut exams = exam_files("fixtures/valid");
    exams.extend(exam_files("fixtures/warnings"));
    let mut checked = 0;
    for exam in &exams {
        let o = run(&[
            "compile",
            exam,
            "--format",
            "plist",
            "-q",
            "-o",
            compiled.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{exam}: {}", stderr(&o));
    }
    let mut plists: Vec<PathBuf> = std::fs::read_dir(&compiled)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "plist"))
        .collect();
    plists.sort();
    assert!(plists.len() >= 10, "{plists:?}");
    for (i, plist) in plists.iter().enumerate() {
        let settings = settings_of(plist, &[], &[]);
        if settings["enableScreenProctoring"] == true {
            // The law cannot hold here: sebc accepts `enableScreenProctoring: true` only with the exam's
            // `screenProctoring` service (SEB Server settings and secrets no .seb carries), and refuses
            // it alone (`proctoring-conflict`). Import says so and fails.
            let o = sebc()
                .arg("import")
                .arg(plist)
                .arg("-o")
                .arg(tmp.path().join(format!("sp{i}")))
                .output()
                .unwrap();
            assert_eq!(o.status.code(), Some(1), "{}", plist.display());
            assert!(stderr(&o).contains("proctoring-conflict"), "{}", stderr(&o));
            assert!(stderr(&o).contains("import-inexact"), "{}", stderr(&o));
            continue;
        }
        for format in ["yaml", "toml", "json"] {
            round_trip(
                plist,
                format,
                &tmp.path().join(format!("f{i}-{format}")),
                &[],
                &[],
            );
        }
        checked += 1;
    }
    assert!(checked >= 8, "{checked}");
}

fn import(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = sebc();
    c.arg("import").args(args);
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

#[test]
fn hostile_input_fails_cleanly_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let out_s = out.to_str().unwrap();
    // A truncated .seb (gzip cut short).
    let good = tmp.path().join("good.seb");
    let o = run(&[
        "compile",
        "fixtures/valid/lockdown-basic.yaml",
        "--format",
        "seb",
        "-q",
        "-o",
        tmp.path().to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let compiled = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "seb"))
        .unwrap();
    std::fs::rename(compiled, &good).unwrap();
    let bytes = read(&good);
    let truncated = tmp.path().join("truncated.seb");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    let o = import(&[truncated.to_str().unwrap(), "-o", out_s], &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("error[decode]") && stderr(&o).contains("truncated.seb"),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists(), "nothing written");
    // Not a configuration at all.
    let junk = tmp.path().join("junk.plist");
    std::fs::write(&junk, "<plist><dict><key>a</key>").unwrap();
    let o = import(&[junk.to_str().unwrap(), "-o", out_s], &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("junk.plist"), "{}", stderr(&o));
    // A missing file.
    let o = import(&["no/such.seb", "-o", out_s], &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no/such.seb"), "{}", stderr(&o));
    assert!(!out.exists(), "nothing written");
    // The hint works: the same file imports when it is whole.
    let o = import(&[good.to_str().unwrap(), "-o", out_s], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    // An existing exam file is not replaced without --force.
    let o = import(&[good.to_str().unwrap(), "-o", out_s], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--force"), "{}", stderr(&o));
    let o = import(&[good.to_str().unwrap(), "-o", out_s, "--force"], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    // Two inputs with one id.
    let o = import(&[good.to_str().unwrap(), "x/good.plist", "-o", out_s], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("both be imported as `good`"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn wrong_or_missing_password_fails_with_a_hint_that_works() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_str().unwrap();
    let exam = tmp.path().join("enc.yaml");
    write(
        &exam,
        "exam: { id: enc }\nseb: { startURL: https://lms.example.org/ }\noutput:\n  encryption: { password: { env: SEBC_FIXTURE_EXAM_PASSWORD } }\n",
    );
    let o = run(&["compile", exam.to_str().unwrap(), "-q", "-o", dir]);
    assert!(o.status.success(), "{}", stderr(&o));
    let seb = tmp.path().join("enc.seb");
    let seb = seb.to_str().unwrap();
    let out = tmp.path().join("out");
    let out_s = out.to_str().unwrap();
    let o = import(&[seb, "-o", out_s], &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("--password-env NAME"), "{}", stderr(&o));
    let o = import(
        &[seb, "-o", out_s, "--password-env", "PW"],
        &[("PW", "wrong-Zq81-password")],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("wrong password"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("wrong-Zq81-password") && !stdout(&o).contains("wrong-Zq81"));
    assert!(!out.exists());
    // Following the hint with the right password works.
    let right = SECRETS
        .iter()
        .find(|(k, _)| *k == "SEBC_FIXTURE_EXAM_PASSWORD")
        .unwrap()
        .1;
    let o = import(
        &[seb, "-o", out_s, "--password-env", "PW"],
        &[("PW", right)],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let yaml = std::fs::read_to_string(out.join("enc.yaml")).unwrap();
    assert!(!yaml.contains(right), "the password is not written");
}

#[test]
fn hashed_passwords_stay_hashes_with_a_comment() {
    let tmp = tempfile::tempdir().unwrap();
    let exam = tmp.path().join("pw.yaml");
    write(
        &exam,
        "exam: { id: pw }\nseb:\n  startURL: https://lms.example.org/\n  quitPassword: { env: SEBC_FIXTURE_QUIT_PASSWORD }\n",
    );
    let dir = tmp.path().to_str().unwrap();
    let o = run(&[
        "compile",
        exam.to_str().unwrap(),
        "--format",
        "plist",
        "-q",
        "-o",
        dir,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = tmp.path().join("i");
    let o = import(
        &[
            tmp.path().join("pw.plist").to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ],
        &[],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let yaml = std::fs::read_to_string(out.join("pw.yaml")).unwrap();
    let hash = sha256_hex(b"quit-Fx7Qz19-secret");
    assert!(
        yaml.contains(&format!("  hashedQuitPassword: {hash}")),
        "{yaml}"
    );
    assert!(
        yaml.contains("the clear password cannot be recovered"),
        "{yaml}"
    );
    assert!(yaml.contains("quitPassword: { env: NAME }"), "{yaml}");
}
