//! Zoom without SEB Server, end to end through the real binary against a mock of Zoom's API on
//! 127.0.0.1 that records every request: a Zoom exam compiles without meetings (and says how to get
//! them), `sebc zoom provision` makes SEB Server's requests (seb-server `ZoomProctoringService.java`),
//! `compile --meetings` signs tokens for the recorded meetings, `sebc zoom release` deletes them; 401,
//! 429-then-success, 5xx and timeouts; no secret in any output.

mod common;
use base64::Engine;
use common::*;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const CLIENT_SECRET: &str = "zoomclient-Vd3Ny65-secret";
const SDK_SECRET: &str = "zoomsdk-Tb8Jc41-secret";
const ACCESS_TOKEN: &str = "acc-TOKEN-Zq81-secret";
/// Things that must never show in an output: the secrets, the access token, the meeting passwords the
/// mock echoes back, the hosts' start URLs.
const NEVER_SHOWN: &[&str] = &[CLIENT_SECRET, SDK_SECRET, ACCESS_TOKEN, "plainpw", "zak="];

/// One request the mock received.
#[derive(Debug, Clone)]
struct Recorded {
    method: String,
    path: String,
    authorization: String,
    content_type: String,
    body: String,
    at: Instant,
}

/// What the mock answers: status, extra headers, body. `None`: never answer (a hanging server).
type Answer = Option<(u16, Vec<(&'static str, String)>, String)>;
type Behaviour = Box<dyn Fn(&Recorded, usize) -> Answer + Send>;

/// A mock of Zoom's API on 127.0.0.1: one thread, one connection at a time, stops when dropped (and
/// after 60 seconds at most in any case).
struct MockZoom {
    url: String,
    requests: Arc<Mutex<Vec<Recorded>>>,
    stop: Arc<AtomicBool>,
}

impl Drop for MockZoom {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

impl MockZoom {
    fn start(behaviour: Behaviour) -> MockZoom {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (log, halt) = (requests.clone(), stop.clone());
        std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(60);
            while !halt.load(Ordering::SeqCst) && Instant::now() < deadline {
                match listener.accept() {
                    Ok((stream, _)) => serve(stream, &behaviour, &log, &halt),
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        MockZoom {
            url,
            requests,
            stop,
        }
    }

    fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }
}

fn serve(stream: TcpStream, behaviour: &Behaviour, log: &Mutex<Vec<Recorded>>, halt: &AtomicBool) {
    stream.set_nonblocking(false).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() || line.is_empty() {
        return;
    }
    let mut parts = line.split_whitespace();
    let (method, path) = (
        parts.next().unwrap_or("").to_string(),
        parts.next().unwrap_or("").to_string(),
    );
    let (mut length, mut authorization, mut content_type) = (0, String::new(), String::new());
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
            break;
        }
        let (k, v) = h.split_once(':').unwrap_or((&h, ""));
        match k.trim().to_ascii_lowercase().as_str() {
            "content-length" => length = v.trim().parse().unwrap_or(0),
            "authorization" => authorization = v.trim().to_string(),
            "content-type" => content_type = v.trim().to_string(),
            _ => {}
        }
    }
    let mut body = vec![0; length];
    let _ = reader.read_exact(&mut body);
    let recorded = Recorded {
        method,
        path,
        authorization,
        content_type,
        body: String::from_utf8_lossy(&body).into_owned(),
        at: Instant::now(),
    };
    let n = {
        let mut log = log.lock().unwrap();
        log.push(recorded.clone());
        log.len()
    };
    let Some((status, headers, body)) = behaviour(&recorded, n) else {
        // Hang until the test is over, as a server that never answers.
        while !halt.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(20));
        }
        return;
    };
    let mut out = stream;
    let mut head = format!(
        "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\nContent-Type: application/json\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    let _ = out.write_all(format!("{head}\r\n{body}").as_bytes());
}

/// Zoom as it answers when all goes well (and 401 for a wrong token), with numbered users and meetings.
fn zoom_ok(r: &Recorded) -> Answer {
    let ok = |status: u16, body: Value| Some((status, Vec::new(), body.to_string()));
    if r.path == "/oauth/token" {
        return ok(
            200,
            json!({ "access_token": ACCESS_TOKEN, "token_type": "bearer", "expires_in": 3599 }),
        );
    }
    if r.authorization != format!("Bearer {ACCESS_TOKEN}") {
        return ok(
            401,
            json!({ "code": 124, "message": "Invalid access token." }),
        );
    }
    let seq = |prefix: &str| {
        r.path
            .trim_start_matches(prefix)
            .split('/')
            .next()
            .unwrap_or("")
            .to_string()
    };
    match (r.method.as_str(), r.path.as_str()) {
        ("POST", "/v2/users") => {
            let v: Value = serde_json::from_str(&r.body).unwrap_or(Value::Null);
            let name = v["user_info"]["first_name"].as_str().unwrap_or("");
            ok(
                201,
                json!({ "id": format!("user-{}", &name[..8]), "email": v["user_info"]["email"], "type": 2 }),
            )
        }
        ("PATCH", p) if p.ends_with("/settings") => Some((204, Vec::new(), String::new())),
        ("POST", p) if p.ends_with("/meetings") => {
            let v: Value = serde_json::from_str(&r.body).unwrap_or(Value::Null);
            let user = seq("/v2/users/");
            let n = v["topic"]
                .as_str()
                .unwrap_or("")
                .bytes()
                .map(u64::from)
                .sum::<u64>();
            let id = 81_000_000_000 + n;
            ok(
                201,
                json!({
                    "id": id,
                    "uuid": format!("uuid-{id}=="),
                    "host_id": user,
                    "topic": v["topic"],
                    "join_url": format!("https://zoom.example/j/{id}?pwd=enc{id}"),
                    "start_url": format!("https://zoom.example/s/{id}?zak=hostsecret"),
                    "password": "plainpw",
                    "encrypted_password": format!("enc{id}"),
                }),
            )
        }
        ("PUT", p) if p.ends_with("/status") => Some((204, Vec::new(), String::new())),
        ("DELETE", _) => Some((204, Vec::new(), String::new())),
        _ => ok(404, json!({ "code": 404, "message": "no such path" })),
    }
}

/// A Zoom exam whose service lives at the mock (`serverURL`), in its own directory.
fn zoom_exam(dir: &Path, server_url: &str, extra: &str) -> String {
    let path = dir.join("exam/zoom-exam.yaml");
    write(
        &path,
        &format!(
            "exam: {{ id: zoom-exam, participants: 25, start: 2026-12-01T13:00:00Z, end: 2026-12-01T15:00:00Z }}\n\
             seb: {{ startURL: https://lms.example.org/mod/quiz/view.php?id=7 }}\n\
             service:\n  enableProctoring: true\n  serverType: ZOOM\n  serverURL: {server_url}\n\
             \x20 accountId: acc-77\n  clientId: client-77\n\
             \x20 clientSecret: {{ env: SEBC_FIXTURE_ZOOM_CLIENT_SECRET }}\n  sdkKey: sdk-77\n\
             \x20 sdkSecret: {{ env: SEBC_FIXTURE_ZOOM_SDK_SECRET }}\n  collectingRoomSize: 20\n\
             {extra}\
             clients: {{ windows: \"3.4..3.5\", macos: false, ios: false }}\n"
        ),
    );
    path.to_string_lossy().into_owned()
}

fn assert_nothing_secret(what: &str, text: &str) {
    for s in NEVER_SHOWN {
        assert!(!text.contains(s), "{what} shows `{s}`:\n{text}");
    }
}

fn json_warning(o: &std::process::Output, code: &str) -> Option<Value> {
    with_code(&json_diags(o), code)
        .first()
        .map(|d| (*d).clone())
}

fn jwt_claims(token: &str) -> Value {
    let mut v = Validation::new(Algorithm::HS256);
    v.validate_aud = false;
    v.validate_exp = false;
    decode::<Value>(token, &DecodingKey::from_secret(SDK_SECRET.as_bytes()), &v)
        .unwrap_or_else(|e| panic!("{e}: {token}"))
        .claims
}

#[test]
fn provision_then_compile_with_the_meetings_then_release() {
    let mock = MockZoom::start(Box::new(|r, _| zoom_ok(r)));
    let dir = tempfile::tempdir().unwrap();
    let exam = zoom_exam(dir.path(), &mock.url, "");
    let out = dir.path().join("out");
    let out_s = out.to_str().unwrap();

    // Without meetings the exam compiles, with a warning whose hint is the commands to run.
    let o = run(&["compile", &exam, "-o", out_s, "--message-format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let pending = json_warning(&o, "zoom-meetings-pending").expect("the warning");
    assert_eq!(pending["severity"], "warning");
    assert_eq!(
        pending["message"],
        "4 Zoom room(s) have no meeting yet (Proctoring Room 1, Proctoring Room 2, Townhall Room, One to One Room): they are planned in zoom-exam.server.json without tokens"
    );
    let server: Value = serde_json::from_slice(&read(out.join("zoom-exam.server.json"))).unwrap();
    let rooms = server["rooms"].as_array().unwrap();
    assert_eq!(
        rooms.len(),
        4,
        "25 in rooms of 20, the town hall and the one-to-one room"
    );
    for r in rooms {
        assert_eq!(r["needsMeeting"], true, "{r}");
        assert!(
            r.get("proctorToken").is_none() && r.get("seb").is_none(),
            "{r}"
        );
    }
    assert!(server.get("tokensExpire").is_none());
    assert!(out.join("zoom-exam.seb").is_file());
    assert!(mock.requests().is_empty(), "compiling never calls Zoom");

    // Follow the hint: `sebc zoom provision EXAM -o DIR`, then compile with `--meetings DIR/<id>.zoom.json`.
    let hint = pending["hint"].as_str().unwrap();
    let commands: Vec<&str> = hint.split('`').skip(1).step_by(2).collect();
    assert_eq!(commands.len(), 2, "{hint}");
    let meetings_dir = dir.path().join("meetings");
    let dir_s = meetings_dir.to_str().unwrap();
    let provision: Vec<String> = commands[0]
        .split(' ')
        .skip(1)
        .map(|w| w.replace("DIR", dir_s))
        .collect();
    assert_eq!(provision[..2], ["zoom", "provision"]);
    let o = sebc().args(&provision).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let record_path = meetings_dir.join("zoom-exam.zoom.json");
    assert_eq!(
        stdout(&o),
        format!("zoom-exam\t{}\t4 meeting(s)\n", record_path.display())
    );
    assert_nothing_secret("provision's stdout", &stdout(&o));
    assert_nothing_secret("provision's stderr", &stderr(&o));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&record_path)
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let record_text = String::from_utf8(read(&record_path)).unwrap();
    assert_nothing_secret("the meetings file", &record_text);
    let record: Value = serde_json::from_str(&record_text).unwrap();
    assert_eq!(record["exam"], "zoom-exam");
    assert_eq!(
        record["clientSecret"],
        json!({ "env": "SEBC_FIXTURE_ZOOM_CLIENT_SECRET" })
    );

    // Every request as SEB Server makes it (ZoomProctoringService.java:773-858, 990-1003, 1091-1093).
    let reqs = mock.requests();
    let shape: Vec<(String, String)> = reqs
        .iter()
        .map(|r| {
            (
                r.method.clone(),
                r.path.split('/').take(3).collect::<Vec<_>>().join("/"),
            )
        })
        .collect();
    let mut expected = vec![("POST".to_string(), "/oauth/token".to_string())];
    for _ in 0..4 {
        expected.push(("POST".into(), "/v2/users".into()));
        expected.push(("PATCH".into(), "/v2/users".into()));
        expected.push(("POST".into(), "/v2/users".into()));
    }
    assert_eq!(shape, expected);
    let basic =
        base64::engine::general_purpose::STANDARD.encode(format!("client-77:{CLIENT_SECRET}"));
    assert_eq!(reqs[0].authorization, format!("Basic {basic}"));
    assert_eq!(reqs[0].content_type, "application/x-www-form-urlencoded");
    assert_eq!(
        reqs[0].body,
        "grant_type=account_credentials&account_id=acc-77"
    );
    for r in &reqs[1..] {
        assert_eq!(r.authorization, format!("Bearer {ACCESS_TOKEN}"), "{r:?}");
        assert_eq!(r.content_type, "application/json", "{r:?}");
    }
    let user: Value = serde_json::from_str(&reqs[1].body).unwrap();
    let name = user["user_info"]["first_name"].as_str().unwrap();
    assert_eq!(name.len(), 36, "a UUID, as SEB Server names room users");
    assert_eq!(
        user,
        json!({ "action": "custCreate", "user_info": {
            "email": format!("{name}@127.0.0.1"), "type": 2, "first_name": name,
            "last_name": "SEBProctoringRoomUser" } })
    );
    let user_id = format!("user-{}", &name[..8]);
    assert_eq!(reqs[2].path, format!("/v2/users/{user_id}/settings"));
    assert_eq!(
        serde_json::from_str::<Value>(&reqs[2].body).unwrap(),
        json!({ "in_meeting": { "virtual_background": false,
            "virtual_background_settings": { "enable": false, "allow_upload_custom": false, "allow_videos": false },
            "auto_saving_chat": true, "allow_users_save_chats": 3, "allow_participants_chat_with": 3 } })
    );
    assert_eq!(reqs[3].path, format!("/v2/users/{user_id}/meetings"));
    let meeting: Value = serde_json::from_str(&reqs[3].body).unwrap();
    assert_eq!(meeting["password"].as_str().unwrap().len(), 9);
    assert_eq!(
        json!({ "topic": meeting["topic"], "type": meeting["type"], "start_time": meeting["start_time"],
            "timezone": meeting["timezone"], "duration": meeting["duration"], "settings": meeting["settings"] }),
        json!({ "topic": "Proctoring Room 1", "type": 2, "start_time": "2026-12-01T13:00:00",
            "timezone": "UTC", "duration": 120, "settings": { "host_video": false, "mute_upon_entry": false,
            "join_before_host": true, "jbh_time": 0, "use_pmi": false, "audio": "voip",
            "waiting_room": false, "allow_multiple_devices": false } })
    );
    let topics: Vec<String> = reqs
        .iter()
        .filter(|r| r.path.ends_with("/meetings"))
        .map(|r| {
            serde_json::from_str::<Value>(&r.body).unwrap()["topic"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(
        topics,
        [
            "Proctoring Room 1",
            "Proctoring Room 2",
            "Townhall Room",
            "One to One Room"
        ]
    );

    // Compile with the meetings: offline, reproducible, every room with its tokens.
    let meetings_arg = commands[1]
        .trim_start_matches("--meetings ")
        .replace("DIR", dir_s);
    assert_eq!(meetings_arg, record_path.to_str().unwrap());
    let before = mock.requests().len();
    let o = run(&["validate", &exam, "--meetings", &meetings_arg]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        !stderr(&o).contains("zoom-meetings-pending"),
        "{}",
        stderr(&o)
    );
    let compiled = |out: &Path| {
        let o = run(&[
            "compile",
            &exam,
            "-o",
            out.to_str().unwrap(),
            "--meetings",
            &meetings_arg,
            "--per-room",
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(
            !stderr(&o).contains("zoom-meetings-pending"),
            "{}",
            stderr(&o)
        );
        assert_nothing_secret("compile's output", &format!("{}{}", stdout(&o), stderr(&o)));
        read(out.join("zoom-exam.server.json"))
    };
    let first = compiled(&dir.path().join("a"));
    assert_eq!(first, compiled(&dir.path().join("b")), "reproducible");
    assert_eq!(mock.requests().len(), before, "compiling never calls Zoom");
    let server: Value = serde_json::from_slice(&first).unwrap();
    let recorded = record["meetings"].as_array().unwrap();
    for (room, m) in server["rooms"].as_array().unwrap().iter().zip(recorded) {
        let mn = m["meetingNumber"].as_u64().unwrap();
        assert_eq!(m["meetingId"], m["meetingNumber"]);
        assert_eq!(room["subject"], m["subject"]);
        assert_eq!(room["name"], mn.to_string());
        let seb = &room["seb"];
        assert_eq!(seb["zoomRoom"], mn.to_string());
        assert_eq!(
            seb["zoomServerURL"],
            format!("https://zoom.example/j/{mn}?pwd=enc{mn}")
        );
        assert_eq!(seb["zoomMeetingKey"], format!("enc{mn}"));
        let client = jwt_claims(seb["zoomToken"].as_str().unwrap());
        assert_eq!(
            (client["mn"].as_u64(), client["role"].as_u64()),
            (Some(mn), Some(0))
        );
        let host = jwt_claims(room["proctorToken"].as_str().unwrap());
        assert_eq!(
            (host["mn"].as_u64(), host["role"].as_u64()),
            (Some(mn), Some(1))
        );
    }
    for entry in std::fs::read_dir(dir.path().join("a")).unwrap() {
        let bytes = read(entry.unwrap().path());
        assert_nothing_secret("a compiled file", &String::from_utf8_lossy(&bytes));
    }

    // Release: each meeting ended and deleted, then its user (ZoomProctoringService.java:860-931).
    let before = mock.requests().len();
    let o = run(&["zoom", "release", record_path.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        format!(
            "zoom-exam\t{}\treleased 4 meeting(s)\n",
            record_path.display()
        )
    );
    assert_nothing_secret("release's output", &format!("{}{}", stdout(&o), stderr(&o)));
    assert!(!record_path.exists(), "the record goes with its meetings");
    let reqs = mock.requests()[before..].to_vec();
    assert_eq!(reqs[0].path, "/oauth/token");
    let mut expected = Vec::new();
    for m in recorded {
        let (id, user) = (
            m["meetingId"].as_u64().unwrap(),
            m["userId"].as_str().unwrap(),
        );
        expected.push((
            "PUT".to_string(),
            format!("/v2/meetings/{id}/status"),
            r#"{"action":"end"}"#.to_string(),
        ));
        expected.push((
            "DELETE".to_string(),
            format!("/v2/meetings/{id}"),
            String::new(),
        ));
        expected.push((
            "DELETE".to_string(),
            format!("/v2/users/{user}?action=delete"),
            String::new(),
        ));
    }
    let got: Vec<(String, String, String)> = reqs[1..]
        .iter()
        .map(|r| (r.method.clone(), r.path.clone(), r.body.clone()))
        .collect();
    assert_eq!(got, expected);
    assert!(
        reqs[1..]
            .iter()
            .all(|r| r.authorization == format!("Bearer {ACCESS_TOKEN}"))
    );
}

#[test]
fn wrong_credentials_say_what_to_check_and_write_nothing() {
    let mock = MockZoom::start(Box::new(|r, _| {
        let body = json!({ "reason": format!("Invalid client_id or client_secret {CLIENT_SECRET}"), "error": "invalid_client" });
        (r.path == "/oauth/token").then(|| (401, Vec::new(), body.to_string()))
    }));
    let dir = tempfile::tempdir().unwrap();
    let exam = zoom_exam(dir.path(), &mock.url, "");
    let out = dir.path().join("m");
    let o = run(&["zoom", "provision", &exam, "-o", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("error[zoom-api]"), "{err}");
    assert!(
        err.contains("/oauth/token answered HTTP 401: Invalid client_id or client_secret ********"),
        "{err}"
    );
    assert!(
        err.contains("check the service's `accountId`, `clientId` and `clientSecret`"),
        "{err}"
    );
    assert_nothing_secret("stderr", &err);
    assert!(!out.join("zoom-exam.zoom.json").exists());
    assert_eq!(mock.requests().len(), 1, "no retry of a 401");
}

#[test]
fn rate_limits_are_waited_out_and_server_errors_retried() {
    let mock = MockZoom::start(Box::new(|r, n| match n {
        // The first user: 429 with Retry-After, then 503, then success.
        2 => Some((
            429,
            vec![("Retry-After", "1".to_string())],
            r#"{"code":429,"message":"Too many requests"}"#.into(),
        )),
        3 => Some((503, Vec::new(), String::new())),
        _ => zoom_ok(r),
    }));
    let dir = tempfile::tempdir().unwrap();
    let exam = zoom_exam(
        dir.path(),
        "https://example-university.zoom.us",
        "  enabledFeatures: []\n  rooms: [{ meetingNumber: 81234567800 }, { subject: Second hall }]\n",
    );
    let out = dir.path().join("m");
    let o = run(&[
        "zoom",
        "provision",
        &exam,
        "-o",
        out.to_str().unwrap(),
        "--api-base",
        &mock.url,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let reqs = mock.requests();
    let users: Vec<&Recorded> = reqs
        .iter()
        .filter(|r| r.method == "POST" && r.path == "/v2/users")
        .collect();
    assert_eq!(users.len(), 3, "the same request three times");
    assert!(
        users[1].at - users[0].at >= Duration::from_millis(950),
        "Retry-After honoured"
    );
    assert!(users.windows(2).all(|w| w[0].body == w[1].body));
    let record: Value = serde_json::from_slice(&read(out.join("zoom-exam.zoom.json"))).unwrap();
    // Only the room without a meeting in the exam file got one; its subject is the exam's.
    let meetings = record["meetings"].as_array().unwrap();
    assert_eq!(meetings.len(), 1);
    assert_eq!(
        (
            meetings[0]["number"].as_u64(),
            meetings[0]["subject"].as_str()
        ),
        (Some(2), Some("Second hall"))
    );
    assert_eq!(record["apiBase"], mock.url.as_str());
    assert_eq!(record["serverURL"], "https://example-university.zoom.us");
    assert_eq!(
        meetings[0]["userEmail"].as_str().unwrap().split('@').nth(1),
        Some("example-university.zoom.us")
    );
}

#[test]
fn a_server_that_does_not_answer_times_out() {
    let mock = MockZoom::start(Box::new(|_, _| None));
    let dir = tempfile::tempdir().unwrap();
    let exam = zoom_exam(dir.path(), &mock.url, "");
    let out = dir.path().join("m");
    let started = Instant::now();
    let o = run(&[
        "zoom",
        "provision",
        &exam,
        "-o",
        out.to_str().unwrap(),
        "--timeout",
        "1",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(started.elapsed() < Duration::from_secs(20));
    let err = stderr(&o);
    assert!(
        err.contains(&format!("{}/oauth/token did not answer in time", mock.url)),
        "{err}"
    );
    assert!(err.contains("--timeout SECONDS"), "{err}");
    assert!(!out.join("zoom-exam.zoom.json").exists());
}

#[test]
fn a_failure_part_way_deletes_what_was_created() {
    let mock = MockZoom::start(Box::new(|r, _| {
        if r.method == "POST" && r.body.contains("Townhall Room") {
            return Some((
                403,
                Vec::new(),
                r#"{"code":200,"message":"No permission."}"#.into(),
            ));
        }
        zoom_ok(r)
    }));
    let dir = tempfile::tempdir().unwrap();
    let exam = zoom_exam(dir.path(), &mock.url, "");
    let out = dir.path().join("m");
    let o = run(&["zoom", "provision", &exam, "-o", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("answered HTTP 403: No permission."), "{err}");
    assert!(err.contains("scopes"), "{err}");
    assert!(!out.join("zoom-exam.zoom.json").exists());
    let reqs = mock.requests();
    let created_users = reqs
        .iter()
        .filter(|r| r.method == "POST" && r.path == "/v2/users")
        .count();
    let deleted_users = reqs
        .iter()
        .filter(|r| r.method == "DELETE" && r.path.starts_with("/v2/users/"))
        .count();
    let created_meetings = reqs
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/meetings"))
        .count()
        - 1;
    let deleted_meetings = reqs
        .iter()
        .filter(|r| r.method == "DELETE" && r.path.starts_with("/v2/meetings/"))
        .count();
    assert_eq!(
        (created_users, deleted_users),
        (3, 3),
        "every user deleted again"
    );
    assert_eq!(
        (created_meetings, deleted_meetings),
        (2, 2),
        "every meeting deleted again"
    );
}

#[test]
fn per_room_needs_meetings_and_the_hint_works() {
    let dir = tempfile::tempdir().unwrap();
    let exam = zoom_exam(dir.path(), "https://zoom.us", "");
    let out = dir.path().join("out");
    let o = run(&[
        "compile",
        &exam,
        "-o",
        out.to_str().unwrap(),
        "--per-room",
        "--message-format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let d = json_warning(&o, "zoom-meeting-missing").expect("an error");
    assert_eq!(d["severity"], "error");
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("Proctoring Room 1, Proctoring Room 2, Townhall Room")
    );
    assert!(d["hint"].as_str().unwrap().contains("sebc zoom provision"));
    assert!(!out.join("zoom-exam.seb").exists(), "nothing half-written");
    // A provisioned meetings file is refused for another exam and for another Zoom account.
    let mock = MockZoom::start(Box::new(|r, _| zoom_ok(r)));
    let m = dir.path().join("m");
    let o = run(&[
        "zoom",
        "provision",
        &exam,
        "-o",
        m.to_str().unwrap(),
        "--api-base",
        &mock.url,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let record = m.join("zoom-exam.zoom.json");
    let o = run(&[
        "compile",
        &exam,
        "-o",
        out.to_str().unwrap(),
        "--per-room",
        "--meetings",
        record.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(out.join("zoom-exam-room-2.seb").is_file());
    let o = run(&[
        "compile",
        "fixtures/valid/lockdown-basic.yaml",
        "-o",
        out.to_str().unwrap(),
        "--meetings",
        record.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("error[meetings-unused]"),
        "{}",
        stderr(&o)
    );
    let other = zoom_exam(&dir.path().join("other"), "https://other.zoom.us", "");
    let o = run(&[
        "compile",
        &other,
        "-o",
        out.to_str().unwrap(),
        "--meetings",
        record.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("error[meetings-mismatch]"),
        "{}",
        stderr(&o)
    );
    // Provisioning twice would leave the first meetings unrecorded: refused, with the way out.
    let o = run(&[
        "zoom",
        "provision",
        &exam,
        "-o",
        m.to_str().unwrap(),
        "--api-base",
        &mock.url,
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains(&format!("sebc zoom release {}", record.display())),
        "{}",
        stderr(&o)
    );
}

#[test]
fn every_zoom_fixture_compiles_without_hand_made_meetings() {
    let mut zoom = 0;
    for dir in ["fixtures/valid", "fixtures/warnings"] {
        for file in exam_files(dir) {
            let text = String::from_utf8(read(root().join(&file))).unwrap();
            if !text.contains("ZOOM") {
                continue;
            }
            zoom += 1;
            assert!(
                !text.contains("meetingNumber"),
                "{file} lists meetings by hand"
            );
            let out = tempfile::tempdir().unwrap();
            let o = run(&["compile", &file, "-o", out.path().to_str().unwrap()]);
            assert!(o.status.success(), "{file}: {}", stderr(&o));
            assert!(
                stderr(&o).contains("warning[zoom-meetings-pending]"),
                "{file}"
            );
        }
    }
    assert!(zoom >= 2, "{zoom}");
    for file in exam_files("fixtures/invalid") {
        let text = String::from_utf8(read(root().join(&file))).unwrap();
        assert!(
            !(text.contains("ZOOM") && text.contains("meetingNumber")),
            "{file} lists meetings by hand"
        );
    }
}

/// SEB Server's formats, pinned: the Zoom token lifetime without an exam end
/// (`ZoomProctoringService.java:160`, `:664-671`: now + tokenexpiry.seconds (86400) − 10), a
/// `zoomMeetingKey` in every join (SEB for Windows reads it unconditionally, seb-win-refactoring
/// `SafeExamBrowser.Server/Parser.cs:368`), and the `breakout` room of ONE_TO_ONE
/// (`ClientInstruction.java:39-42`).
#[test]
fn seb_servers_zoom_formats() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no-end.yaml");
    write(
        &path,
        "exam: { id: no-end }\nseb: { startURL: https://lms.example.org/ }\nservice:\n  enableProctoring: true\n  serverType: ZOOM\n  serverURL: https://zoom.us\n  accountId: a\n  clientId: c\n  clientSecret: { env: SEBC_FIXTURE_ZOOM_CLIENT_SECRET }\n  sdkKey: k\n  sdkSecret: { env: SEBC_FIXTURE_ZOOM_SDK_SECRET }\n  enabledFeatures: [ONE_TO_ONE]\n  rooms:\n    - { meetingNumber: 81234567800 }\n    - { type: breakout, meetingNumber: 81234567801, meetingKey: Bk1 }\nclients: { windows: \"3.4..3.5\", macos: false, ios: false }\n",
    );
    let out = dir.path().join("out");
    let o = run(&[
        "compile",
        path.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stderr(&o).contains("warning["), "{}", stderr(&o));
    let server: Value = serde_json::from_slice(&read(out.join("no-end.server.json"))).unwrap();
    assert_eq!(server["tokensExpire"], NOW + 86_400 - 10);
    let rooms = server["rooms"].as_array().unwrap();
    assert_eq!(rooms.len(), 2);
    assert_eq!(
        rooms[0]["seb"]["zoomMeetingKey"], "",
        "present even without a password"
    );
    assert_eq!(
        (
            rooms[1]["type"].as_str(),
            rooms[1]["subject"].as_str(),
            rooms[1]["seb"]["roomType"].as_str()
        ),
        (Some("breakout"), Some("One to One Room"), Some("breakout"))
    );
    assert_eq!(rooms[1]["seb"]["zoomMeetingKey"], "Bk1");
    let token = jwt_claims(rooms[0]["seb"]["zoomToken"].as_str().unwrap());
    assert_eq!(
        (token["iat"].as_i64(), token["exp"].as_i64()),
        (Some(NOW), Some(NOW + 86_390))
    );
    assert_eq!(token["tokenExp"], token["exp"]);
}

#[test]
fn what_release_cannot_delete_stays_in_the_record() {
    let stubborn = Arc::new(Mutex::new(None::<String>));
    let hold = stubborn.clone();
    let mock = MockZoom::start(Box::new(move |r, _| {
        // The first meeting deleted fails every time (after the retries).
        let mut first = hold.lock().unwrap();
        if r.method == "DELETE" && r.path.starts_with("/v2/meetings/") {
            let first = first.get_or_insert_with(|| r.path.clone());
            if *first == r.path {
                return Some((500, Vec::new(), String::new()));
            }
        }
        zoom_ok(r)
    }));
    let dir = tempfile::tempdir().unwrap();
    let exam = zoom_exam(dir.path(), &mock.url, "  enabledFeatures: []\n");
    let m = dir.path().join("m");
    let o = run(&["zoom", "provision", &exam, "-o", m.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let record = m.join("zoom-exam.zoom.json");
    let before: Value = serde_json::from_slice(&read(&record)).unwrap();
    assert_eq!(before["meetings"].as_array().unwrap().len(), 2);
    let o = run(&["zoom", "release", record.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("released 1 meeting(s)"),
        "{}",
        stdout(&o)
    );
    let err = stderr(&o);
    assert!(err.contains("answered HTTP 500"), "{err}");
    assert!(
        err.contains(&format!(
            "run `sebc zoom release {}` again",
            record.display()
        )),
        "{err}"
    );
    let after: Value = serde_json::from_slice(&read(&record)).unwrap();
    assert_eq!(
        after["meetings"].as_array().unwrap()[..],
        before["meetings"].as_array().unwrap()[..1]
    );
    let deletes = mock
        .requests()
        .iter()
        .filter(|r| r.method == "DELETE" && Some(&r.path) == stubborn.lock().unwrap().as_ref())
        .count();
    assert_eq!(deletes, 4, "a 5xx is retried up to four attempts in all");
}
