//! The committed JSON Schemas are exactly what the code generates, and they describe the fixtures:
//! every valid fixture passes both an independent draft 2020-12 validation and sebc's own.

mod common;
use common::*;
use serde_json::Value;

fn committed(name: &str) -> String {
    String::from_utf8(read(root().join("schemas").join(name))).unwrap()
}

#[test]
fn committed_schemas_match_the_generated_ones() {
    let exam = sebc::schema::to_pretty(&sebc::schema::exam_schema());
    let settings = sebc::schema::to_pretty(&sebc::schema::settings_schema());
    assert!(
        committed("exam.schema.json") == exam && committed("seb-settings.schema.json") == settings,
        "schemas/ is stale: run `cargo run -- schema --out-dir schemas` and commit the result"
    );
}

#[test]
fn schema_command_prints_the_committed_schemas() {
    assert_eq!(stdout(&run(&["schema"])), committed("exam.schema.json"));
    assert_eq!(
        stdout(&run(&["schema", "settings"])),
        committed("seb-settings.schema.json")
    );
}

#[test]
fn settings_schema_covers_the_catalog() {
    let schema: Value = serde_json::from_str(&committed("seb-settings.schema.json")).unwrap();
    let props = schema["properties"].as_object().unwrap();
    let catalog: Value = serde_json::from_str(&committed("seb-catalog.json")).unwrap();
    let settings = catalog["settings"].as_array().unwrap();
    assert_eq!(props.len(), settings.len());
    assert_eq!(props["allowQuit"]["type"], "boolean");
    assert_eq!(props["browserViewMode"]["enum"], serde_json::json!([0, 1]));
    assert_eq!(props["audioVolumeLevel"]["maximum"], 100);
    assert_eq!(props["defaultPageZoomLevel"]["type"], "number");
    assert_eq!(
        props["URLFilterRules"]["items"]["additionalProperties"],
        false
    );
    let tab = schema["$defs"]["proctoringTab"]["properties"]
        .as_object()
        .unwrap();
    assert!(
        tab.contains_key("jitsiMeetEnable") && tab.contains_key("screenProctoringImageDownscale")
    );
    assert!(!tab.contains_key("allowQuit"));
}

#[test]
fn exam_schema_uses_the_design_names() {
    let schema: Value = serde_json::from_str(&committed("exam.schema.json")).unwrap();
    let props: Vec<&str> = schema["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for section in [
        "exam",
        "extends",
        "seb",
        "proctoring",
        "service",
        "screenProctoring",
        "output",
    ] {
        assert!(props.contains(&section), "section {section}");
    }
    assert_eq!(schema["required"], serde_json::json!(["exam"]));
    let service = serde_json::to_string(&schema["$defs"]["ServiceSettings"]).unwrap();
    for key in [
        "enableProctoring",
        "serverType",
        "serverURL",
        "appKey",
        "appSecret",
        "collectingRoomSize",
        "enabledFeatures",
    ] {
        assert!(service.contains(&format!("\"{key}\"")), "service key {key}");
    }
}
