//! Runs the pipeline for exam files: load → validate → resolve secrets → merge → plan rooms → emit.
//! Orchestration only: each stage's work is in its module. The CLI and the tests call this; it prints
//! nothing itself.

use crate::diagnostic::{Diagnostic, Pos};
use crate::emit::{self, Layout, OutputKey, Rendered};
use crate::exam::OutputFormat;
use crate::load::load_tree;
use crate::merge::{MergeOptions, Merged, merge};
use crate::resolve::{ResolvedSecrets, resolve};
use crate::sandbox::Sandbox;
use crate::secret::Secret;
use crate::source::Sources;
use crate::validate::{ValidExam, validate};
use seb_format::plist::PlistStyle;
use std::path::PathBuf;

mod many;
pub use many::{Outcome, compile_all};

/// Stack of the threads that run the pipeline. Parsers and serde recurse once per nesting level (up
/// to [`crate::load::MAX_DEPTH`]), at tens of KiB a level in debug builds: more than the 2 MiB a thread
/// gets by default.
pub const WORKER_STACK: usize = crate::load::PARSER_STACK_BYTES;

/// Whether the main thread may run the pipeline itself, sparing one exam the start of a thread pool
/// (a thread, its stack and a second malloc arena: about a tenth of a one-exam run). It may when its
/// stack, which grows up to the soft `RLIMIT_STACK`, can reach [`WORKER_STACK`]: read from
/// `/proc/self/limits` on Linux (the library has no `unsafe` for `getrlimit`); elsewhere, or when the
/// limit cannot be read, a worker thread is used.
pub fn main_thread_stack_suffices() -> bool {
    let Ok(limits) = std::fs::read_to_string("/proc/self/limits") else {
        return false;
    };
    stack_limit_suffices(&limits)
}

fn stack_limit_suffices(limits: &str) -> bool {
    let Some(rest) = limits
        .lines()
        .find_map(|l| l.strip_prefix("Max stack size"))
    else {
        return false;
    };
    match rest.split_whitespace().next() {
        Some("unlimited") => true,
        Some(soft) => soft.parse::<usize>().is_ok_and(|b| b >= WORKER_STACK),
        None => false,
    }
}

/// The result of every stage but emit.
pub struct Checked {
    /// A template found in a directory: nothing to compile.
    pub skipped: bool,
    pub diags: Vec<Diagnostic>,
    /// The texts read, for quoting in diagnostics.
    pub sources: Sources,
    pub exam: Option<ValidExam>,
    pub secrets: Option<ResolvedSecrets>,
    pub merged: Option<Merged>,
    pub plan: Option<crate::proctoring::Plan>,
}

/// Load, validate, resolve secrets, merge and plan rooms (everything but writing). `now` bounds token
/// lifetimes; `sandbox` (`--sandbox`) limits what the exam may make sebc read.
/// What [`check`] does beyond the defaults: how to merge, and which client releases to check against.
#[derive(Debug, Clone, Copy, Default)]
pub struct CheckOptions {
    pub merge: MergeOptions,
    /// `--clients`: the releases to check the merged settings against, instead of the exam's `clients:`.
    pub clients: Option<crate::clients::Targets>,
    /// `--token-profile`: sebc's Jitsi token claims, or SEB Server's bytes.
    pub token_profile: crate::proctoring::tokens::Profile,
}

pub fn check(input: &Input, opts: CheckOptions, now: i64, sandbox: Option<&Sandbox>) -> Checked {
    check_with(input, opts, now, sandbox, &[])
}

/// A Zoom meetings file given with `--meetings FILE` (what `sebc zoom provision` wrote), read once for
/// every exam of the run; it applies to the exam whose id it names.
#[derive(Debug, Clone)]
pub struct MeetingsFile {
    /// The path as the user gave it.
    pub display: String,
    pub file: crate::proctoring::zoom::ZoomMeetings,
}

/// [`check`], with the Zoom meetings of `--meetings` files.
pub fn check_with(
    input: &Input,
    opts: CheckOptions,
    now: i64,
    sandbox: Option<&Sandbox>,
    meetings: &[MeetingsFile],
) -> Checked {
    let mut checked = Checked {
        skipped: false,
        diags: Vec::new(),
        sources: Sources::default(),
        exam: None,
        secrets: None,
        merged: None,
        plan: None,
    };
    let (tree, warnings) =
        match load_tree(&input.path, &input.display, &mut checked.sources, sandbox) {
            Ok(t) => t,
            Err(diags) => {
                checked.diags = diags;
                return checked;
            }
        };
    if input.discovered && tree.main.value.get("exam").is_none() {
        checked.skipped = true;
        return checked;
    }
    let (exam, diags) = validate(tree);
    checked.diags = warnings;
    checked.diags.extend(diags);
    let Some(exam) = exam else { return checked };
    let secrets = match resolve(&exam, sandbox) {
        Ok(s) => s,
        Err(mut errors) => {
            checked.diags.append(&mut errors);
            checked.exam = Some(exam);
            return checked;
        }
    };
    let (merged, mut more) = merge(&exam, &secrets, opts.merge);
    checked.diags.append(&mut more);
    if let Some(m) = &merged {
        checked.diags.extend(crate::portability::portability_errors(
            m,
            &checked.sources,
            &exam.source.display,
        ));
        let (targets, mut bad_targets) = crate::clients::targets_of(&exam, opts.clients);
        checked.diags.append(&mut bad_targets);
        checked.diags.extend(crate::clients::check_clients(
            &exam,
            m,
            &targets,
            &checked.sources,
        ));
    }
    let (roster, mut roster_diags) = crate::roster::read(&exam, &mut checked.sources, sandbox);
    checked.diags.append(&mut roster_diags);
    if !checked.diags.iter().any(Diagnostic::is_error) {
        let meetings = meetings
            .iter()
            .find(|m| m.file.exam == exam.exam.exam.id)
            .map(|m| crate::proctoring::zoom::Meetings {
                file: &m.file,
                display: &m.display,
            });
        let plan_opts = crate::proctoring::PlanOptions {
            profile: opts.token_profile,
            roster: roster.as_ref(),
            meetings: meetings.as_ref(),
        };
        match crate::proctoring::build(&exam, &secrets, now, plan_opts) {
            Ok((plan, mut warnings)) => {
                checked.diags.append(&mut warnings);
                checked.plan = plan;
            }
            Err(mut errors) => checked.diags.append(&mut errors),
        }
    }
    checked.exam = Some(exam);
    checked.secrets = Some(secrets);
    checked.merged = merged;
    checked
}

#[derive(Default)]
pub struct CompileOptions {
    pub out_dir: PathBuf,
    /// Overrides the exam file's `output.format`.
    pub format: Option<OutputFormat>,
    pub style: PlistStyle,
    pub check: CheckOptions,
    /// Overrides the exam file's `output.encryption` password (`--password-env`/`--password-file`).
    pub password: Option<Secret>,
    /// Write unencrypted `.seb` files as raw XML (Moodle accepts only that) instead of `plnd`.
    pub raw_xml: bool,
    /// Also write one configuration per collecting room with the room's join settings embedded.
    pub per_room: bool,
    /// Zoom meetings recorded by `sebc zoom provision` (`--meetings FILE`).
    pub meetings: Vec<MeetingsFile>,
    /// Also write one configuration per roster participant with their own join settings and token.
    pub per_participant: bool,
    /// The current time (seconds since the epoch): token lifetimes.
    pub now: i64,
    /// Compare with the files in `out_dir` instead of writing (`--check`).
    pub check_only: bool,
    /// `--sandbox DIR`: exam files, bases and secrets only from inside DIR, no secret files.
    pub sandbox: Option<Sandbox>,
}

/// One exam file to compile.
#[derive(Debug, Clone)]
pub struct Input {
    pub path: PathBuf,
    /// The path as the user gave it (diagnostics, outputs).
    pub display: String,
    /// Found by walking a directory: a template there (no `exam` section) is skipped, not an error.
    pub discovered: bool,
}

/// An exam rendered in memory, ready to be written (or compared with what is on disk).
pub struct Built {
    pub id: String,
    /// Where the exam's id is, for a duplicate-id error.
    pub(crate) id_at: (String, Pos),
    pub(crate) rendered: Rendered,
    key: OutputKey,
}

/// Runs the pipeline for one exam and renders every output file in memory; writes nothing.
pub fn build(input: &Input, opts: &CompileOptions) -> (Option<Built>, Vec<Diagnostic>, Sources) {
    let Checked {
        mut diags,
        sources,
        exam,
        secrets,
        merged,
        plan,
        ..
    } = check_with(
        input,
        opts.check,
        opts.now,
        opts.sandbox.as_ref(),
        &opts.meetings,
    );
    let (Some(exam), Some(secrets), Some(merged)) = (exam, secrets, merged) else {
        return (None, diags, sources);
    };
    if diags.iter().any(Diagnostic::is_error) {
        return (None, diags, sources);
    }
    if opts.per_room
        && let Some(d) = per_room_needs_meetings(&exam, plan.as_ref())
    {
        diags.push(d);
        return (None, diags, sources);
    }
    if opts.per_participant && plan.as_ref().is_none_or(|p| p.seats.is_empty()) {
        let (msg, hint) = if plan.is_none() {
            (
                "--per-participant writes each roster participant's token: this exam has no live proctoring service enabled",
                "enable the service (`service.enableProctoring: true`) and give a roster, or compile without --per-participant",
            )
        } else {
            (
                "--per-participant needs a roster: `exam.participants` is not `{ roster: FILE }`",
                "write `participants: { roster: students.csv }` under `exam`, a CSV file with the header id,name",
            )
        };
        diags.push(
            Diagnostic::error("per-participant-without-roster", msg)
                .at(&input.display, exam.source.map.value("/exam"))
                .pointer("/exam")
                .hint(hint),
        );
        return (None, diags, sources);
    }
    let key = OutputKey::of(&exam, &secrets, opts.password.as_ref(), opts.raw_xml);
    let layout = Layout {
        out_dir: &opts.out_dir,
        format: opts.format.unwrap_or(exam.exam.output.format),
        style: opts.style,
        protection: key.protection(),
        per_room: opts.per_room,
        per_participant: opts.per_participant,
    };
    let rendered = match emit::render_exam(&exam.exam, &merged, plan.as_ref(), &layout) {
        Ok(r) => r,
        Err(d) => {
            diags.push(d.at(&input.display, Pos::default()));
            return (None, diags, sources);
        }
    };
    let built = Built {
        id: exam.exam.exam.id.clone(),
        id_at: (
            exam.source.display.clone(),
            exam.source.map.value("/exam/id"),
        ),
        rendered,
        key,
    };
    (Some(built), diags, sources)
}

/// `--per-room` embeds each room's meeting and token: a Zoom room without a meeting has neither.
fn per_room_needs_meetings(
    exam: &ValidExam,
    plan: Option<&crate::proctoring::Plan>,
) -> Option<Diagnostic> {
    let pending: Vec<&str> = plan?
        .rooms
        .iter()
        .filter(|r| r.room.needs_meeting())
        .map(|r| r.room.subject.as_str())
        .collect();
    if pending.is_empty() {
        return None;
    }
    let (display, id) = (&exam.source.display, &exam.exam.exam.id);
    Some(
        Diagnostic::error(
            "zoom-meeting-missing",
            format!(
                "--per-room embeds each room's Zoom meeting and token, and {} have no meeting yet",
                pending.join(", ")
            ),
        )
        .at(display, exam.source.map.value("/service"))
        .pointer("/service")
        .hint(format!(
            "create the meetings once with `sebc zoom provision {display} -o DIR`, then compile with `--meetings DIR/{id}.zoom.json --per-room`"
        )),
    )
}

/// Writes a built exam's files atomically, or with `check_only` compares them with what is on disk.
pub fn deliver(built: &Built, opts: &CompileOptions, display: &str) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    if opts.check_only {
        let keys = built.key.reader_keys();
        for file in &built.rendered.files {
            let path = &file.path;
            let problem = match emit::freshness(path, &file.bytes, &keys) {
                emit::Freshness::UpToDate => continue,
                emit::Freshness::Missing => format!("{} is missing", path.display()),
                emit::Freshness::Stale(why) => format!("{} is out of date: {why}", path.display()),
            };
            diags.push(
                Diagnostic::error("stale-output", problem)
                    .at(display, Pos::default())
                    .hint(format!(
                        "run `sebc compile {display} -o {}` and commit the result",
                        opts.out_dir.display()
                    )),
            );
        }
        return diags;
    }
    for file in &built.rendered.files {
        if let Err(e) = emit::write_atomic(&file.path, &file.bytes, file.private) {
            let msg = format!(
                "cannot write {}: {}",
                file.path.display(),
                crate::source::io_reason(&e)
            );
            diags.push(Diagnostic::error("io", msg).at(display, Pos::default()));
            break;
        }
    }
    diags
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: &str = "Limit                     Soft Limit           Hard Limit           Units     \n\
        Max cpu time              unlimited            unlimited            seconds   \n\
        Max stack size            STACK                unlimited            bytes     \n";

    #[test]
    fn the_main_thread_is_used_only_when_its_stack_can_reach_the_workers() {
        let with = |soft: &str| stack_limit_suffices(&LIMITS.replace("STACK", soft));
        assert!(with(&WORKER_STACK.to_string()));
        assert!(with("unlimited"));
        assert!(!with(&(WORKER_STACK - 4096).to_string()));
        assert!(!with("1048576"));
        assert!(
            !stack_limit_suffices("Max stack size\n"),
            "a line without limits"
        );
        assert!(!stack_limit_suffices(
            "Max cpu time unlimited unlimited seconds\n"
        ));
    }
}
