//! The fast path of emit — SEB's defaults rendered once (`emit::defaults_rendered`), each exam copying
//! the XML and SEB-JSON of the defaults it keeps — gives byte for byte what the straightforward writer
//! gives (`write_xml` and `config_key` of the whole merged dictionary), for every fixture and for random
//! exams (proptest): settings changed, removed with `null`, set to their default, added by a base in
//! another spelling, tables, and minimal outputs.

mod common;

use proptest::prelude::*;
use seb_format::container::Protection;
use seb_format::plist::{PlistStyle, write_xml};
use sebc::catalog::{Catalog, Setting, SettingType};
use sebc::compile::{CheckOptions, Input, check};
use sebc::exam::OutputFormat;
use std::path::{Path, PathBuf};

fn set_fixture_secrets() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        for (name, value) in common::SECRETS {
            // SAFETY: set once, before any test of this binary reads the environment.
            unsafe { std::env::set_var(name, value) };
        }
    });
}

/// Compiles `path` and checks both paths agree on its merged settings; the number of settings, or
/// `None` when the exam does not merge (an error).
fn fast_path_is_exact(path: &Path) -> Option<usize> {
    let input = Input {
        path: path.to_path_buf(),
        display: path.display().to_string(),
        discovered: false,
    };
    let checked = check(&input, CheckOptions::default(), common::NOW, None);
    let merged = checked.merged?;
    // The straightforward path writes the whole dictionary; `render` the overlay of the exam's changes.
    let overlay = &merged.settings;
    let settings = &overlay.to_dictionary();
    for style in [PlistStyle::Indented, PlistStyle::Compact] {
        let (fast, key) =
            sebc::emit::render(overlay, OutputFormat::Plist, style, Protection::Plain)
                .unwrap_or_else(|d| panic!("{d:?}"));
        let plain = write_xml(settings, style, &sebc::merge::is_table).unwrap();
        assert!(
            fast == plain,
            "{} {style:?}: the XML differs",
            path.display()
        );
        let plain_key = seb_format::configkey::config_key(settings);
        assert_eq!(key, plain_key, "{} {style:?}", path.display());
        // `render` writes a process's first configurations straightforwardly: the fast path itself.
        let (fast, key) = sebc::emit::defaults_rendered()
            .write_xml_and_key(settings, style, &sebc::merge::is_table)
            .unwrap();
        assert!(
            fast == plain && key == plain_key,
            "{} {style:?}",
            path.display()
        );
        // Settings over the defaults: the defaults the exam keeps are copied without being looked at,
        // its changes and removals rendered (what `render` does after a process's first two).
        if overlay.base().is_defaults() {
            let changed: Vec<_> = overlay.changed().collect();
            let (fast, key) = sebc::emit::defaults_rendered()
                .write_xml_and_key_of_changes(
                    &changed,
                    &overlay.removed_from_base(),
                    style,
                    &sebc::merge::is_table,
                )
                .unwrap();
            assert!(
                fast == plain && key == plain_key,
                "{} {style:?}: the exam's changes over the defaults",
                path.display()
            );
        }
        // The `.seb` container around it too (plnd: gzip with mtime 0, deterministic).
        let (fast, _) = sebc::emit::render(overlay, OutputFormat::Seb, style, Protection::Plain)
            .unwrap_or_else(|d| panic!("{d:?}"));
        let plain = seb_format::container::encode(&plain, Protection::Plain).unwrap();
        assert!(
            fast == plain,
            "{} {style:?}: the .seb differs",
            path.display()
        );
    }
    assert_eq!(
        sebc::emit::defaults_rendered().config_key(settings),
        seb_format::configkey::config_key(settings),
        "{}",
        path.display()
    );
    Some(settings.len())
}

fn exam_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() && path.file_name().is_some_and(|n| n != "support") {
            exam_files(&path, out);
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "toml" | "json")
        ) {
            out.push(path);
        }
    }
}

#[test]
fn every_fixture_renders_the_same_bytes_and_key_both_ways() {
    set_fixture_secrets();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut files = Vec::new();
    for dir in ["valid", "warnings"] {
        exam_files(&root.join(dir), &mut files);
    }
    files.sort();
    assert!(files.len() >= 20, "{files:?}");
    let mut full = 0;
    for f in &files {
        let settings =
            fast_path_is_exact(f).unwrap_or_else(|| panic!("{} did not merge", f.display()));
        if settings > 250 {
            full += 1;
        }
    }
    // Most fixtures carry every default: the fast path is exercised, not bypassed.
    assert!(full * 2 > files.len(), "{full} of {}", files.len());
}

fn simple_settings() -> Vec<&'static Setting> {
    Catalog::get()
        .settings()
        .filter(|s| {
            matches!(
                s.ty,
                SettingType::Boolean | SettingType::Integer | SettingType::String
            ) && s.expands_to.is_none()
                && s.hashed_into.is_none()
                && !s.deprecated
                && !["enableScreenProctoring", "jitsiMeetEnable", "zoomEnable"].contains(&&*s.key)
        })
        .collect()
}

/// A YAML value of the setting's catalog type, within its allowed values or range; or its default.
fn value_for(s: &Setting, seed: u64, text: &str) -> String {
    if seed.is_multiple_of(5)
        && let Some(default) = &s.default
    {
        return default.to_string();
    }
    if let Some(allowed) = s.allowed.as_ref().filter(|a| !a.is_empty()) {
        return allowed[(seed as usize) % allowed.len()].to_string();
    }
    let (lo, hi) = s.range.map_or((0.0, 1000.0), |[a, b]| (a, b));
    match s.ty {
        SettingType::Boolean => seed.is_multiple_of(2).to_string(),
        SettingType::Integer => {
            let span = (hi - lo).max(0.0) as u64 + 1;
            (lo as i64 + (seed % span) as i64).to_string()
        }
        _ if s.key.contains("URL") => format!("\"https://lms.example.org/{seed}\""),
        _ => serde_json::to_string(text).unwrap(),
    }
}

#[derive(Debug, Clone)]
struct RandomExam {
    picks: Vec<(usize, u64, String)>,
    removed: Vec<usize>,
    rules: Vec<String>,
    base_spelling: bool,
    minimal: bool,
}

fn random_exam() -> impl Strategy<Value = RandomExam> {
    let n = simple_settings().len();
    (
        prop::collection::vec((0..n, any::<u64>(), "[ -~]{0,12}|\\PC{0,6}"), 0..10),
        prop::collection::vec(0..n, 0..4),
        prop::collection::vec("[a-z]{1,8}\\.example\\.org", 0..3),
        any::<bool>(),
        prop::bool::weighted(0.15),
    )
        .prop_map(
            |(picks, removed, rules, base_spelling, minimal)| RandomExam {
                picks,
                removed,
                rules,
                base_spelling,
                minimal,
            },
        )
}

fn write_exam(dir: &Path, e: &RandomExam) -> PathBuf {
    let settings = simple_settings();
    let mut seb = String::new();
    for i in &e.removed {
        seb.push_str(&format!("  {}: null\n", settings[*i].key));
    }
    for (i, seed, text) in &e.picks {
        let s = settings[*i];
        seb.push_str(&format!("  {}: {}\n", s.key, value_for(s, *seed, text)));
    }
    if !e.rules.is_empty() {
        seb.push_str("  URLFilterRules:\n");
        for r in &e.rules {
            seb.push_str(&format!("    - {{ expression: \"{r}/*\", action: 1 }}\n"));
        }
    }
    let mut text = String::from("exam: { id: random }\n");
    if e.base_spelling {
        // A base that spells a default's key otherwise: the exam's output keeps the base's spelling.
        std::fs::write(dir.join("base.yaml"), "seb:\n  allowWLAN: true\n").unwrap();
        text.push_str("extends: [base.yaml]\n");
    }
    if e.minimal {
        text.push_str("output: { minimal: true }\n");
    }
    // Keys picked twice: the last one wins in the merge, but YAML refuses duplicates; keep the first.
    let mut seen = std::collections::HashSet::new();
    let seb: String = seb
        .lines()
        .filter(|l| {
            !l.starts_with("  ")
                || l.starts_with("    ")
                || seen.insert(l.split(':').next().unwrap_or("").to_string())
        })
        .map(|l| format!("{l}\n"))
        .collect();
    if !seb.is_empty() {
        text.push_str("seb:\n");
        text.push_str(&seb);
    }
    let path = dir.join("random.yaml");
    std::fs::write(&path, text).unwrap();
    path
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_exams_render_the_same_bytes_and_key_both_ways(e in random_exam()) {
        let dir = tempfile::tempdir().unwrap();
        let path = write_exam(dir.path(), &e);
        // Values the validator refuses (a few string settings have rules of their own) prove nothing.
        prop_assume!(fast_path_is_exact(&path).is_some());
    }
}
