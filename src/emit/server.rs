//! `<id>.server.json`: what a proctoring operator or SEB Server needs besides the configuration.

use crate::schema::is_secret_pointer;
use serde_json::{Map, Value, json};

/// A section of the exam file as JSON without its secrets (and without `extra` keys).
fn redacted(section: &str, value: Value, extra: &[&str]) -> Value {
    match value {
        Value::Object(obj) => Value::Object(
            obj.into_iter()
                .filter(|(k, _)| {
                    !extra.contains(&k.as_str())
                        && !is_secret_pointer(&format!(
                            "/{section}/{}",
                            crate::load::escape_segment(k)
                        ))
                })
                .collect::<Map<_, _>>(),
        ),
        other => other,
    }
}

/// `<id>.server.json`: what a proctoring operator or SEB Server needs besides the `.seb` file — the
/// Config Key, the service settings as SEB Server's REST API takes them (never the secrets), and the room
/// plan with each room's proctor token and SEB join attributes.
pub fn server_json(
    exam: &crate::exam::ExamFile,
    config_key: &str,
    file_name: &str,
    plan: Option<&crate::proctoring::Plan>,
    room_files: &[&str],
    seat_files: &[&str],
) -> Vec<u8> {
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
            // The rooms are written below, as planned; `jaas` is not SEB Server's and holds a key.
            redacted("service", v, &["rooms", "jaas"]),
        );
        if let Some(jaas) = &service.jaas {
            out.insert(
                "jaas".into(),
                json!({ "appId": jaas.app_id, "kid": jaas.kid() }),
            );
        }
    }
    if let Some(sps) = &exam.screen_proctoring {
        let v = serde_json::to_value(sps).unwrap_or(Value::Null);
        out.insert(
            "screenProctoringSettings".into(),
            redacted("screenProctoring", v, &[]),
        );
    }
    if let Some(plan) = plan {
        if plan.rooms.iter().any(|r| !r.room.needs_meeting()) {
            out.insert("tokensExpire".into(), json!(plan.expires));
        }
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
                if r.room.needs_meeting() {
                    // A Zoom room without a meeting yet: no name, token or join attributes.
                    room.insert("subject".into(), json!(r.room.subject));
                    room.insert("size".into(), json!(r.room.size));
                    room.insert("needsMeeting".into(), json!(true));
                    return Value::Object(room);
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
        if !plan.seats.is_empty() {
            out.insert("participants".into(), participants(plan, seat_files));
        }
    }
    let mut bytes = serde_json::to_vec_pretty(&Value::Object(out)).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// Each roster participant: id, name, room (its name and number) and their own SEB join attributes.
fn participants(plan: &crate::proctoring::Plan, seat_files: &[&str]) -> Value {
    let mut files = seat_files.iter();
    let seats = plan.seats.iter().map(|seat| {
        let mut p = Map::new();
        p.insert("id".into(), json!(seat.id));
        p.insert("name".into(), json!(seat.name));
        if let Some(room) = plan.rooms.get(seat.room) {
            p.insert("room".into(), json!(room.room.name));
            p.insert("roomNumber".into(), json!(room.room.number));
        }
        let seb: Map<String, Value> = seat
            .seb
            .iter()
            .map(|(k, v)| (k.to_string(), json!(v)))
            .collect();
        p.insert("seb".into(), Value::Object(seb));
        if let Some(f) = files.next() {
            p.insert("file".into(), json!(f));
        }
        Value::Object(p)
    });
    Value::Array(seats.collect())
}
