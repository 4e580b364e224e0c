//! `sebc init`: every template writes a starter file that compiles as written (with the environment
//! variables its header names, and fails naming each when they are missing), satisfies the schema its
//! editor comment points at, and is never written over an existing file unless asked.

mod common;
use common::*;
use std::path::Path;
use std::process::{Command, Output};

const TEMPLATES: [&str; 4] = ["plain", "moodle-quiz", "screen-proctoring", "jitsi"];

/// `sebc` run in `dir`, with no fixture secrets in its environment.
fn sebc_in(dir: &Path, args: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_sebc"));
    c.current_dir(dir)
        .args(args)
        .env("SOURCE_DATE_EPOCH", NOW.to_string());
    for (name, _) in SECRETS {
        c.env_remove(name);
    }
    c.output().unwrap()
}

/// The variables the starter file's `# Environment:` line lists (`none`: empty).
fn env_vars(text: &str) -> Vec<String> {
    let mut line = text
        .lines()
        .find_map(|l| l.strip_prefix("# Environment: "))
        .expect("an # Environment: line")
        .to_string();
    // The list continues on indented comment lines.
    for l in text
        .lines()
        .skip_while(|l| !l.starts_with("# Environment: "))
        .skip(1)
    {
        match l.strip_prefix("#   ") {
            Some(more) if more.starts_with(' ') => line.push_str(more),
            _ => break,
        }
    }
    line.split([',', ' '])
        .filter(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
        .map(str::to_string)
        .collect()
}

#[test]
fn every_template_compiles_as_written_with_the_variables_it_names() {
    for template in TEMPLATES {
        let dir = tempfile::tempdir().unwrap();
        let o = sebc_in(
            dir.path(),
            &["init", "chem-110-final", "--template", template],
        );
        assert!(o.status.success(), "{template}: {}", stderr(&o));
        let text = String::from_utf8(read(dir.path().join("chem-110-final.yaml"))).unwrap();
        assert!(
            text.starts_with("# yaml-language-server: $schema=schemas/exam.schema.json\n"),
            "{template}: {text}"
        );
        assert!(text.contains("  id: chem-110-final "), "{template}: {text}");
        let vars = env_vars(&text);
        // Every `{ env: NAME }` of the file is listed, and nothing else.
        let mut named: Vec<String> = text
            .lines()
            .map(|l| l.split('#').next().unwrap())
            .flat_map(|code| code.split("{ env: ").skip(1))
            .map(|r| r.split(' ').next().unwrap().to_string())
            .collect();
        named.sort();
        named.dedup();
        let mut listed = vars.clone();
        listed.sort();
        assert_eq!(listed, named, "{template}: the header lists the variables");
        // The message names them, and the command it suggests works once they are set.
        let msg = stderr(&o);
        for v in &vars {
            assert!(msg.contains(v.as_str()), "{template}: {msg}");
        }
        assert!(msg.contains("`sebc validate chem-110-final.yaml`"), "{msg}");

        let with_env = |args: &[&str]| {
            let mut c = Command::new(env!("CARGO_BIN_EXE_sebc"));
            c.current_dir(dir.path())
                .args(args)
                .env("SOURCE_DATE_EPOCH", NOW.to_string());
            for v in &vars {
                c.env(v, format!("demo-{v}-value"));
            }
            c.output().unwrap()
        };
        let o = with_env(&["validate", "chem-110-final.yaml"]);
        assert!(o.status.success(), "{template}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("0 error(s), 0 warning(s)"),
            "{template}: a starter file has no warnings: {}",
            stderr(&o)
        );
        let o = with_env(&["compile", "chem-110-final.yaml", "-o", "out", "--raw-xml"]);
        assert!(o.status.success(), "{template}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("0 error(s), 0 warning(s)"),
            "{}",
            stderr(&o)
        );
        assert!(dir.path().join("out/chem-110-final.seb").is_file());
        if template == "moodle-quiz" {
            // What Moodle is given: raw XML whose Config Key Moodle computes as SEB does (no
            // `moodle-config-key-differs` warning), the key compile printed.
            let seb = read(dir.path().join("out/chem-110-final.seb"));
            assert!(seb.starts_with(b"<?xml"), "{template}: raw XML for Moodle");
            let key = stdout(&o)
                .trim_end()
                .split('\t')
                .nth(2)
                .unwrap()
                .to_string();
            let o = with_env(&["config-key", "out/chem-110-final.seb"]);
            assert!(o.status.success(), "{}", stderr(&o));
            assert!(stderr(&o).is_empty(), "{template}: {}", stderr(&o));
            assert_eq!(stdout(&o).trim_end(), key);
        }
        // No demo secret reaches the outputs.
        for entry in std::fs::read_dir(dir.path().join("out")).unwrap() {
            let bytes = read(entry.unwrap().path());
            for v in &vars {
                let secret = format!("demo-{v}-value");
                assert!(
                    !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                    "{template}: {secret} in an output"
                );
            }
        }

        // Without the variables, each is named in an error.
        if !vars.is_empty() {
            let o = sebc_in(dir.path(), &["validate", "chem-110-final.yaml"]);
            assert_eq!(o.status.code(), Some(1), "{template}");
            for v in &vars {
                assert!(
                    stderr(&o).contains(v.as_str()),
                    "{template}: {}",
                    stderr(&o)
                );
            }
        }
    }
}

#[test]
fn the_editor_schema_comment_names_a_schema_the_file_satisfies() {
    let dir = tempfile::tempdir().unwrap();
    for template in TEMPLATES {
        let file = format!("{template}.yaml");
        let o = sebc_in(
            dir.path(),
            &["init", "x1", "--template", template, "-o", &file],
        );
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let text = String::from_utf8(read(dir.path().join("plain.yaml"))).unwrap();
    // Follow the comment's advice: `sebc schema --out-dir schemas`.
    let advice = text.lines().nth(1).unwrap();
    assert!(
        advice.contains("`sebc schema --out-dir schemas`"),
        "{advice}"
    );
    let o = sebc_in(dir.path(), &["schema", "--out-dir", "schemas"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let schema_dir = dir.path().join("schemas");
    let schema: serde_json::Value =
        serde_json::from_slice(&read(schema_dir.join("exam.schema.json"))).unwrap();
    struct Files(std::path::PathBuf);
    impl jsonschema::Retrieve for Files {
        fn retrieve(
            &self,
            uri: &jsonschema::Uri<String>,
        ) -> Result<serde_json::Value, Box<dyn std::error::Error + Send + Sync>> {
            let name = uri.as_str().rsplit('/').next().unwrap_or("");
            Ok(serde_json::from_slice(&std::fs::read(self.0.join(name))?)?)
        }
    }
    let validator = jsonschema::options()
        .with_base_uri("file:///schemas/exam.schema.json".to_string())
        .with_retriever(Files(schema_dir.clone()))
        .build(&schema)
        .unwrap();
    for template in TEMPLATES {
        let text = String::from_utf8(read(dir.path().join(format!("{template}.yaml")))).unwrap();
        let value: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{template}: {errors:?}");
        // A wrong value is caught by the same schema (the check above can fail).
        let mut broken = value.clone();
        broken["seb"]["allowQuit"] = "yes".into();
        assert!(!validator.is_valid(&broken), "{template}");
    }
    // --schema points the comment elsewhere.
    let o = sebc_in(
        dir.path(),
        &["init", "x2", "--schema", "../schemas/exam.schema.json"],
    );
    assert!(o.status.success());
    let text = String::from_utf8(read(dir.path().join("x2.yaml"))).unwrap();
    assert!(text.starts_with("# yaml-language-server: $schema=../schemas/exam.schema.json\n"));
    assert!(
        text.contains("`sebc schema --out-dir ../schemas`"),
        "{text}"
    );
}

#[test]
fn an_existing_file_is_not_overwritten_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bio-1.yaml");
    std::fs::write(&path, "mine\n").unwrap();
    let o = sebc_in(dir.path(), &["init", "bio-1"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("bio-1.yaml already exists")
            && err.contains("--force")
            && err.contains("-o PATH"),
        "{err}"
    );
    assert_eq!(read(&path), b"mine\n", "left alone");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "no temporary file left behind");
    // Both ways out the message names work.
    let o = sebc_in(dir.path(), &["init", "bio-1", "-o", "other/bio-1.yaml"]);
    assert_eq!(o.status.code(), Some(1), "a missing directory is an error");
    std::fs::create_dir(dir.path().join("other")).unwrap();
    let o = sebc_in(dir.path(), &["init", "bio-1", "-o", "other/bio-1.yaml"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(dir.path().join("other/bio-1.yaml").is_file());
    let o = sebc_in(
        dir.path(),
        &["init", "bio-1", "--force", "--template", "jitsi"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8(read(&path)).unwrap();
    assert!(text.contains("serverType: JITSI_MEET"), "{text}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o644);
    }
}

#[test]
fn an_invalid_id_is_a_usage_error_suggesting_one_that_works() {
    let dir = tempfile::tempdir().unwrap();
    let o = sebc_in(dir.path(), &["init", "Math 101"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("[a-z0-9][a-z0-9_-]*"), "{err}");
    let suggested = err
        .split("(try `")
        .nth(1)
        .unwrap()
        .split('`')
        .next()
        .unwrap();
    assert_eq!(suggested, "math-101");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing written"
    );
    let o = sebc_in(dir.path(), &["init", suggested]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = sebc_in(dir.path(), &["init", "x", "--template", "quiz"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("moodle-quiz"), "{}", stderr(&o));
}

#[test]
fn an_id_yaml_reads_as_a_number_is_quoted_and_compiles() {
    let dir = tempfile::tempdir().unwrap();
    let o = sebc_in(
        dir.path(),
        &["init", "2026", "--template", "screen-proctoring"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8(read(dir.path().join("2026.yaml"))).unwrap();
    assert!(text.contains("  id: \"2026\" "), "{text}");
    let o = sebc_in(dir.path(), &["compile", "2026.yaml", "-o", "out"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(dir.path().join("out/2026.seb").is_file());
}
