//! Output properties across formats: the same exam in YAML, TOML and JSON gives byte-identical output;
//! every output parses back (with the `plist` crate) to the values sebc merged; the full output carries
//! every catalog default with the catalog's type; compact style is SEB Server's byte format.

mod common;
use common::*;

fn compile_to(file: &str, extra: &[&str]) -> Vec<u8> {
    let out = tempfile::tempdir().unwrap();
    let mut args = vec![
        "compile",
        file,
        "-o",
        out.path().to_str().unwrap(),
        "--format",
        "plist",
    ];
    args.extend_from_slice(extra);
    let o = run(&args);
    assert!(o.status.success(), "{file}: {}", stderr(&o));
    let id = stdout(&o).split('\t').next().unwrap().to_string();
    read(out.path().join(format!("{id}.plist")))
}

#[test]
fn same_exam_in_three_syntaxes_gives_identical_bytes() {
    let dir = "fixtures/valid/same-in-three-syntaxes";
    let files = exam_files(dir);
    assert_eq!(files.len(), 3);
    for style in ["indented", "compact"] {
        let outputs: Vec<Vec<u8>> = files
            .iter()
            .map(|f| compile_to(f, &["--plist-style", style]))
            .collect();
        assert!(
            outputs.windows(2).all(|w| w[0] == w[1]),
            "{style}: outputs differ between syntaxes"
        );
    }
}

#[test]
fn outputs_start_with_xml_and_parse_back_to_the_merged_values() {
    for file in exam_files("fixtures/valid") {
        for style in ["indented", "compact"] {
            let bytes = compile_to(&file, &["--plist-style", style]);
            assert!(
                bytes.starts_with(b"<?xml"),
                "{file}: no BOM, no leading whitespace"
            );
            let parsed = plist::Value::from_reader_xml(&bytes[..]).unwrap();
            let dict = parsed.as_dictionary().unwrap();
            // Every key is in SEB's order in the bytes.
            let keys: Vec<&String> = dict.keys().collect();
            assert!(
                keys.windows(2)
                    .all(|w| seb_format::plist::key_order(w[0], w[1]).is_lt()),
                "{file}: key order"
            );
            // Types follow the catalog.
            let catalog = sebc::catalog::Catalog::get();
            for (k, v) in dict {
                let Some(s) = catalog.setting(k) else {
                    panic!("{file}: {k} is not a catalog key")
                };
                use sebc::catalog::SettingType as T;
                let ok = match s.ty {
                    T::Boolean => v.as_boolean().is_some(),
                    T::Integer => matches!(v, plist::Value::Integer(_)),
                    T::Real => matches!(v, plist::Value::Real(_)),
                    T::String => v.as_string().is_some(),
                    T::Array | T::ArrayOfDicts => v.as_array().is_some(),
                    T::Dict => v.as_dictionary().is_some(),
                    T::Data => v.as_data().is_some(),
                    T::Any | T::Secret => true,
                };
                assert!(ok, "{file}: {k} has the wrong plist type: {v:?}");
            }
        }
    }
}

#[test]
fn full_output_carries_every_catalog_default_and_minimal_only_what_was_set() {
    let file = "fixtures/valid/lockdown-basic.yaml";
    let full = plist::Value::from_reader_xml(&compile_to(file, &[])[..])
        .unwrap()
        .into_dictionary()
        .unwrap();
    let catalog = sebc::catalog::Catalog::get();
    let emitted: Vec<&sebc::catalog::Setting> =
        catalog.settings().filter(|s| s.emit_default).collect();
    assert!(emitted.len() > 290);
    // Outdated keys (no current client reads them) are not written by default.
    for s in catalog.settings().filter(|s| s.deprecated) {
        assert!(!full.contains_key(&s.key), "{} is outdated", s.key);
    }
    for s in &emitted {
        assert!(
            full.contains_key(&s.key),
            "{} missing from the full output",
            s.key
        );
    }
    assert_eq!(
        full.len(),
        emitted.len(),
        "nothing beyond the catalog defaults and the exam's keys"
    );
    let minimal = plist::Value::from_reader_xml(&compile_to(file, &["--minimal"])[..])
        .unwrap()
        .into_dictionary()
        .unwrap();
    let mut keys: Vec<&str> = minimal.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "allowPrint",
            "allowQuit",
            "allowSpellCheck",
            "browserWindowAllowReload",
            "enableRightMouse",
            "hashedQuitPassword",
            "quitURL",
            "quitURLConfirm",
            "sendBrowserExamKey",
            "startURL"
        ]
    );
    assert_eq!(
        minimal["hashedQuitPassword"].as_string().unwrap(),
        sha256_hex(SECRETS[0].1.as_bytes()),
        "quitPassword is written as its SHA-256 hex"
    );
    // The author's values win over the defaults in the full output too.
    assert_eq!(full["allowPrint"], plist::Value::Boolean(false));
    assert_eq!(full["startURL"], minimal["startURL"]);
}

#[test]
fn compact_style_is_seb_servers_format() {
    let bytes = compile_to(
        "fixtures/valid/lockdown-basic.yaml",
        &["--plist-style", "compact"],
    );
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?><!DOCTYPE plist PUBLIC \"-//Apple Computer//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\"><plist version=\"1.0\"><dict><key>"));
    assert!(!text.contains('\n') && !text.contains('\t'));
    assert!(text.contains("<key>allowQuit</key><true />"));
    assert!(text.contains("<key>allowedDisplaysMaxNumber</key><integer>1</integer>"));
    assert!(text.contains("<key>browserUserAgent</key><string />"));
    assert!(
        !text.contains("<key>blacklistURLFilter</key>"),
        "outdated, not written"
    );
    assert!(text.contains("<key>URLFilterRules</key><array />"));
    assert!(text.contains("<key>sebAllowedVersions</key><array></array>"));
    assert!(text.contains("<key>defaultPageZoomLevel</key><real>1</real>"));
    let order = |k: &str| text.find(&format!("<key>{k}</key>")).unwrap();
    assert!(order("allowFlashFullscreen") < order("allowiOSBetaVersionNumber"));
    assert!(order("allowiOSBetaVersionNumber") < order("allowPDFPlugIn"));
    assert!(
        order("touchOptimized") < order("URLFilterEnable")
            && order("URLFilterRules") < order("useAsymmetricOnlyEncryption")
    );
}

#[test]
fn output_is_deterministic() {
    let a = compile_to("fixtures/valid/template-chain.yaml", &[]);
    let b = compile_to("fixtures/valid/template-chain.yaml", &[]);
    assert_eq!(a, b);
}
