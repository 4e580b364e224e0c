//! `sebc zoom provision EXAM -o DIR` and `sebc zoom release FILE`: an exam's Zoom meetings created once
//! through Zoom's API, recorded in `DIR/<id>.zoom.json` for offline compiles (`compile --meetings`), and
//! deleted again.

use super::*;
use crate::compile::{CheckOptions, Input};
use crate::diagnostic::Pos;
use crate::exam::ProctoringServerType;
use crate::proctoring::zoom::api::Credentials;
use crate::proctoring::zoom::provision::{Order, provision, release};
use crate::proctoring::zoom::{PENDING, ZoomMeetings};
use std::time::Duration;

#[derive(Subcommand)]
// Deferred like `Command`'s subcommands (see there).
#[command(defer = true)]
pub(super) enum ZoomCommand {
    /// Create the Zoom users and meetings of an exam's rooms (server-to-server OAuth, as SEB Server
    /// does) and record them in DIR/<id>.zoom.json for `compile --meetings`.
    Provision(ProvisionArgs),
    /// Delete the meetings (and their users) a `provision` recorded, then the record.
    Release(ReleaseArgs),
}

#[derive(Args)]
pub(super) struct ProvisionArgs {
    /// The exam file.
    exam: PathBuf,
    /// Where to write <id>.zoom.json (mode 0600).
    #[arg(short = 'o', long = "out-dir", value_name = "DIR")]
    out_dir: PathBuf,
    #[command(flatten)]
    api: ApiArgs,
    /// The current time: epoch seconds or RFC 3339 (default: SOURCE_DATE_EPOCH, else the clock).
    #[arg(long, value_name = "TIME")]
    now: Option<String>,
    #[command(flatten)]
    report: Report,
}

#[derive(Args)]
pub(super) struct ReleaseArgs {
    /// A meetings file written by `sebc zoom provision`.
    file: PathBuf,
    #[command(flatten)]
    api: ApiArgs,
    /// Environment variable holding the OAuth client secret (default: the reference the exam gave).
    #[arg(long, value_name = "NAME", conflicts_with = "client_secret_file")]
    client_secret_env: Option<String>,
    /// File holding the OAuth client secret.
    #[arg(long, value_name = "PATH")]
    client_secret_file: Option<PathBuf>,
    #[command(flatten)]
    report: Report,
}

// Where and how patiently Zoom's API is called.
#[derive(Args)]
struct ApiArgs {
    /// Where the OAuth token and the REST API are requested (default: the service's serverURL, as SEB
    /// Server does).
    #[arg(long, value_name = "URL")]
    api_base: Option<String>,
    /// Seconds one request may take before it fails.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    timeout: u64,
}

pub(super) fn run_zoom(c: ZoomCommand) -> ExitCode {
    match c {
        ZoomCommand::Provision(a) => run_provision(a),
        ZoomCommand::Release(a) => run_release(a),
    }
}

/// Prints `diags` and returns exit code 1 when one is an error, else 0.
fn finish(mut diags: Vec<Diagnostic>, report_how: &Report, sources: &Sources) -> ExitCode {
    let (errors, warnings) = report(&mut diags, report_how, sources);
    outcome(errors, warnings, report_how.deny_warnings)
}

fn error_at(
    code: &'static str,
    file: &str,
    msg: impl Into<String>,
    hint: impl Into<String>,
) -> Diagnostic {
    Diagnostic::error(code, msg)
        .at(file, Pos { line: 1, col: 1 })
        .hint(hint)
}

fn run_provision(a: ProvisionArgs) -> ExitCode {
    let now = match now(a.now.as_deref()) {
        Ok(n) => n,
        Err(msg) => return usage_error(&msg),
    };
    let display = display_of(&a.exam);
    let input = Input {
        path: a.exam.clone(),
        display: display.clone(),
        discovered: false,
    };
    let mut checked = crate::compile::check(&input, CheckOptions::default(), now, None);
    // The meetings still to create are what this command is for.
    checked.diags.retain(|d| d.code != PENDING);
    let sources = std::mem::take(&mut checked.sources);
    let mut diags = std::mem::take(&mut checked.diags);
    if diags.iter().any(Diagnostic::is_error) {
        return finish(diags, &a.report, &sources);
    }
    let (Some(exam), Some(secrets), Some(plan)) = (&checked.exam, &checked.secrets, &checked.plan)
    else {
        diags.push(
            Diagnostic::error(
                "not-zoom",
                "the exam has no enabled Zoom service: nothing to provision",
            )
            .at(&display, Pos { line: 1, col: 1 })
            .hint("set `service: { enableProctoring: true, serverType: ZOOM, ... }`"),
        );
        return finish(diags, &a.report, &sources);
    };
    let Some(service) = exam
        .exam
        .service
        .as_ref()
        .filter(|s| s.server_type == ProctoringServerType::Zoom)
    else {
        diags.push(
            Diagnostic::error(
                "not-zoom",
                "the exam's live proctoring service is not Zoom: nothing to provision",
            )
            .at(&display, exam.source.map.value("/service/serverType"))
            .pointer("/service/serverType"),
        );
        return finish(diags, &a.report, &sources);
    };
    let id = &exam.exam.exam.id;
    let rooms: Vec<_> = plan
        .rooms
        .iter()
        .filter(|r| r.room.needs_meeting())
        .map(|r| r.room.clone())
        .collect();
    if rooms.is_empty() {
        let _ = writeln!(
            std::io::stderr(),
            "{display}: every room has its meeting in `service.rooms`: nothing to provision"
        );
        return finish(diags, &a.report, &sources);
    }
    let out = a.out_dir.join(format!("{id}.zoom.json"));
    let out_display = display_of(&out);
    if out.exists() {
        diags.push(error_at(
            "meetings-exist",
            &display,
            format!("{out_display} already records meetings of exam `{id}`"),
            format!(
                "compile with `--meetings {out_display}`, or delete those meetings first with `sebc zoom release {out_display}`"
            ),
        ));
        return finish(diags, &a.report, &sources);
    }
    let times = exam_times(&exam.exam.exam, now);
    let (start, end) = match times {
        Ok(t) => t,
        Err(msg) => {
            diags.push(
                Diagnostic::error("exam-over", msg)
                    .at(&display, exam.source.map.value("/exam/end"))
                    .pointer("/exam/end")
                    .hint("meetings are for an exam still to come: check `exam.end` and --now"),
            );
            return finish(diags, &a.report, &sources);
        }
    };
    let Some(client_secret) = secrets.get(&exam.source.display, "/service/clientSecret") else {
        // Validation requires it; without it there is nothing to authorize with.
        return finish(diags, &a.report, &sources);
    };
    let base_dir = exam.source.path.parent().unwrap_or(Path::new(""));
    let server_url = service.server_url.clone().unwrap_or_default();
    let api_base = a.api.api_base.clone().unwrap_or_else(|| server_url.clone());
    let order = Order {
        exam_id: id,
        server_url: &server_url,
        api_base: &api_base,
        credentials: Credentials {
            account_id: service.account_id.as_deref().unwrap_or("").trim(),
            client_id: service.client_id.as_deref().unwrap_or(""),
            client_secret,
        },
        client_secret_ref: recorded_reference(service.client_secret.as_ref(), base_dir),
        rooms: &rooms,
        start,
        end,
        now,
        timeout: Duration::from_secs(a.api.timeout.max(1)),
    };
    let record = match provision(&order) {
        Ok(r) => r,
        Err(failed) => {
            let mut msg = format!("cannot create the Zoom meetings: {}", failed.error.message);
            if !failed.left_behind.is_empty() {
                msg.push_str(&format!(
                    "; these could not be deleted again and remain in the Zoom account: {}",
                    failed.left_behind.join(", ")
                ));
            }
            diags.push(error_at("zoom-api", &display, msg, failed.error.hint));
            return finish(diags, &a.report, &sources);
        }
    };
    if let Err(e) = crate::emit::write_atomic(&out, &record.to_bytes(), true) {
        // Unrecorded meetings would be lost: delete them again.
        let undone = release(&record, &api_base, &order.credentials, order.timeout)
            .is_ok_and(|left| left.is_empty());
        let fate = if undone {
            "the meetings were deleted again"
        } else {
            "some meetings could not be deleted again and remain in the Zoom account"
        };
        diags.push(error_at(
            "io",
            &display,
            format!(
                "cannot write {out_display}: {}; {fate}",
                crate::source::io_reason(&e)
            ),
            "choose a writable output directory with -o DIR",
        ));
        return finish(diags, &a.report, &sources);
    }
    let _ = writeln!(
        std::io::stdout(),
        "{id}\t{out_display}\t{} meeting(s)",
        record.meetings.len()
    );
    finish(diags, &a.report, &sources)
}

/// The meetings' start (the exam's start, or now when it has none or it has begun) and the exam's end;
/// an error when the exam is already over.
fn exam_times(info: &crate::exam::ExamInfo, now: i64) -> Result<(i64, Option<i64>), String> {
    let parse = |s: &Option<String>| s.as_deref().and_then(crate::timestamp::rfc3339_seconds);
    let start = parse(&info.start).map_or(now, |s| s.max(now));
    let end = parse(&info.end);
    match end {
        Some(e) if e <= start => Err(format!(
            "the exam ended at {}: there is no time left for its meetings",
            info.end.as_deref().unwrap_or_default()
        )),
        _ => Ok((start, end)),
    }
}

/// What the record keeps of the exam's client secret: the variable's name, or the absolute path of
/// the file, for `release`; never a literal secret.
fn recorded_reference(r: Option<&SecretRef>, base_dir: &Path) -> Option<SecretRef> {
    match r? {
        SecretRef::Env(_) => r.cloned(),
        SecretRef::File(f) => {
            let path = base_dir.join(&f.file);
            Some(SecretRef::file(&std::path::absolute(&path).unwrap_or(path)))
        }
        SecretRef::Literal(_) => None,
    }
}

fn run_release(a: ReleaseArgs) -> ExitCode {
    let display = display_of(&a.file);
    let sources = Sources::default();
    let record = match ZoomMeetings::read(&a.file, &display) {
        Ok(r) => r,
        Err(d) => return finish(vec![d], &a.report, &sources),
    };
    let reference = match (
        &a.client_secret_env,
        &a.client_secret_file,
        &record.client_secret,
    ) {
        (Some(name), _, _) => SecretRef::env(name),
        (None, Some(path), _) => SecretRef::file(path),
        (None, None, Some(r)) => r.clone(),
        (None, None, None) => {
            return usage_error(&format!(
                "{display} does not say where the client secret is (the exam wrote it literally): give --client-secret-env NAME or --client-secret-file PATH"
            ));
        }
    };
    let secret = match reference.resolve(Path::new(""), None) {
        Ok(s) => s,
        Err(e) => {
            let (code, hint) = e.code_and_hint();
            return finish(
                vec![error_at(
                    code,
                    &display,
                    format!("cannot read the Zoom client secret: {e}"),
                    format!("{hint}, or give --client-secret-env NAME"),
                )],
                &a.report,
                &sources,
            );
        }
    };
    let credentials = Credentials {
        account_id: &record.account_id,
        client_id: &record.client_id,
        client_secret: secret.expose_secret(),
    };
    let api_base = a
        .api
        .api_base
        .clone()
        .unwrap_or_else(|| record.api_base.clone());
    let timeout = Duration::from_secs(a.api.timeout.max(1));
    let failed = match release(&record, &api_base, &credentials, timeout) {
        Ok(f) => f,
        Err(e) => {
            let msg = format!("cannot delete the Zoom meetings: {}", e.message);
            return finish(
                vec![error_at("zoom-api", &display, msg, e.hint)],
                &a.report,
                &sources,
            );
        }
    };
    let released = record.meetings.len() - failed.len();
    if failed.is_empty() {
        if let Err(e) = std::fs::remove_file(&a.file) {
            let msg = format!(
                "the meetings are deleted, but {display} could not be removed: {}",
                crate::source::io_reason(&e)
            );
            return finish(
                vec![error_at(
                    "io",
                    &display,
                    msg,
                    "delete the file yourself: its meetings no longer exist",
                )],
                &a.report,
                &sources,
            );
        }
    } else {
        // Keep a record of what is left, so that another release can finish.
        let left = ZoomMeetings {
            meetings: failed.iter().map(|(m, _)| m.clone()).collect(),
            ..record.clone()
        };
        let _ = crate::emit::write_atomic(&a.file, &left.to_bytes(), true);
    }
    let _ = writeln!(
        std::io::stdout(),
        "{}\t{display}\treleased {released} meeting(s)",
        record.exam
    );
    let diags = failed
        .into_iter()
        .map(|(m, e)| {
            error_at(
                "zoom-api",
                &display,
                format!("cannot delete meeting {} ({}): {}", m.meeting_id, m.subject, e.message),
                format!("{}; {display} now lists only what is left: run `sebc zoom release {display}` again", e.hint),
            )
        })
        .collect();
    finish(diags, &a.report, &sources)
}
