//! Stage 4, emit: the merged settings as canonical plist bytes, the `.seb` container around them,
//! and atomic output files (temporary file + rename: an error never leaves a half-written output).

use crate::exam::OutputFormat;
use crate::merge::is_table;
use seb_format::container::{self, Protection};
use seb_format::plist::{PlistStyle, write_xml};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The bytes of one configuration file: the canonical plist XML of `settings`, inside a `.seb`
/// container when the format asks for one.
pub fn render(
    settings: &plist::Dictionary,
    format: OutputFormat,
    style: PlistStyle,
    protection: Protection<'_>,
) -> Result<Vec<u8>, String> {
    let xml = write_xml(settings, style, &is_table);
    match format {
        OutputFormat::Plist => Ok(xml),
        OutputFormat::Seb => container::encode(&xml, protection),
    }
}

/// Writes `bytes` to `path` atomically. `private` files (holding tokens) get mode 0600.
pub fn write_atomic(path: &Path, bytes: &[u8], private: bool) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp: PathBuf = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(if private { 0o600 } else { 0o644 });
        }
        let mut f = opts.open(&tmp)?;
        f.write_all(bytes)?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// `<id>.server.json`: what a proctoring operator or SEB Server needs besides the `.seb` file — the
/// Config Key, the service settings as SEB Server's REST API takes them (never the secrets), and the room
/// plan with each room's proctor token and SEB join attributes.
pub fn server_json(
    exam: &crate::exam::ExamFile,
    config_key: &str,
    file_name: &str,
    plan: Option<&crate::proctoring::Plan>,
    room_files: &[String],
) -> Vec<u8> {
    use serde_json::{Map, Value, json};
    let without = |v: Value, secrets: &[&str]| -> Value {
        match v {
            Value::Object(obj) => Value::Object(
                obj.into_iter()
                    .filter(|(k, _)| !secrets.contains(&k.as_str()))
                    .collect::<Map<_, _>>(),
            ),
            other => other,
        }
    };
    let mut out = Map::new();
    out.insert(
        "exam".into(),
        serde_json::to_value(&exam.exam).unwrap_or(Value::Null),
    );
    out.insert("file".into(), json!(file_name));
    out.insert("configKey".into(), json!(config_key));
    if let Some(service) = &exam.service {
        let v = serde_json::to_value(service).unwrap_or(Value::Null);
        out.insert(
            "proctoringServiceSettings".into(),
            without(v, &["appSecret", "clientSecret", "sdkSecret", "rooms"]),
        );
    }
    if let Some(sps) = &exam.screen_proctoring {
        let v = serde_json::to_value(sps).unwrap_or(Value::Null);
        out.insert(
            "screenProctoringSettings".into(),
            without(v, &["spsAPISecret", "spsAccountPassword"]),
        );
    }
    if let Some(plan) = plan {
        out.insert("tokensExpire".into(), json!(plan.expires));
        let mut collecting = room_files.iter();
        let rooms: Vec<Value> = plan
            .rooms
            .iter()
            .map(|r| {
                let mut room = Map::new();
                room.insert(
                    "type".into(),
                    serde_json::to_value(r.room.room_type).unwrap_or(Value::Null),
                );
                if r.room.number > 0 {
                    room.insert("number".into(), json!(r.room.number));
                }
                room.insert("name".into(), json!(r.room.name));
                room.insert("subject".into(), json!(r.room.subject));
                room.insert("size".into(), json!(r.room.size));
                room.insert("proctorToken".into(), json!(r.proctor_token));
                let seb: Map<String, Value> = r
                    .seb
                    .iter()
                    .map(|(k, v)| (k.to_string(), json!(v)))
                    .collect();
                room.insert("seb".into(), Value::Object(seb));
                if r.room.room_type == crate::exam::RoomType::Proctoring
                    && let Some(f) = collecting.next()
                {
                    room.insert("file".into(), json!(f));
                }
                Value::Object(room)
            })
            .collect();
        out.insert("rooms".into(), Value::Array(rooms));
    }
    let mut bytes = serde_json::to_vec_pretty(&Value::Object(out)).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// How a committed output compares with what the sources compile to (`sebc compile --check`).
#[derive(Debug, PartialEq, Eq)]
pub enum Freshness {
    UpToDate,
    Missing,
    Stale(String),
}

/// Compares by meaning, not bytes: the settings (and so the Config Key) of configurations, whatever
/// their container, salts and IVs; the server file without its tokens, which change with the time.
pub fn freshness(path: &Path, expected: &[u8], keys: &container::Keys<'_>) -> Freshness {
    let Ok(actual) = std::fs::read(path) else {
        return Freshness::Missing;
    };
    if path.extension().is_some_and(|e| e == "json") {
        let parse = |b: &[u8]| {
            serde_json::from_slice::<serde_json::Value>(b).map(|mut v| {
                strip_tokens(&mut v);
                v
            })
        };
        return match (parse(&actual), parse(expected)) {
            (Ok(a), Ok(e)) if a == e => Freshness::UpToDate,
            (Ok(_), Ok(_)) => Freshness::Stale("the server settings or room plan differ".into()),
            _ => Freshness::Stale("not a valid server file".into()),
        };
    }
    let settings = |b: &[u8]| -> Result<plist::Dictionary, String> {
        let (xml, _) = container::decode(b, keys).map_err(|e| e.to_string())?;
        seb_format::plist::read_xml_limited(&xml, &crate::load::PLIST_LIMITS)
    };
    match (settings(&actual), settings(expected)) {
        (Ok(a), Ok(e)) if a == e => Freshness::UpToDate,
        (Ok(a), Ok(e)) => {
            let changed: Vec<&String> = e
                .keys()
                .filter(|k| a.get(k.as_str()) != e.get(k.as_str()))
                .chain(a.keys().filter(|k| !e.contains_key(k.as_str())))
                .take(5)
                .collect();
            let keys: Vec<String> = changed.iter().map(|k| format!("`{k}`")).collect();
            Freshness::Stale(format!(
                "Config Key {} instead of {}; settings that differ: {}",
                seb_format::configkey::config_key(&a),
                seb_format::configkey::config_key(&e),
                keys.join(", ")
            ))
        }
        (Err(msg), _) => Freshness::Stale(format!("cannot read it: {msg}")),
        (_, Err(msg)) => Freshness::Stale(msg),
    }
}

fn strip_tokens(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(obj) => {
            obj.retain(|k, _| !k.to_lowercase().contains("token") && k != "tokensExpire");
            obj.values_mut().for_each(strip_tokens);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(strip_tokens),
        _ => {}
    }
}
