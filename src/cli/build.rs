//! `sebc compile` and `sebc validate`: exam files, directories and globs in; files written in parallel,
//! diagnostics, a progress bar on a terminal and a summary line out.

use super::inputs::collect_inputs;
use super::*;

#[derive(Args)]
pub(super) struct CompileArgs {
    /// Exam files (.yaml, .yml, .toml, .json), directories (searched recursively; templates there are
    /// skipped) or glob patterns.
    #[arg(required = true)]
    exams: Vec<PathBuf>,
    /// Output directory.
    #[arg(
        short = 'o',
        long = "out-dir",
        value_name = "DIR",
        required_unless_present = "check"
    )]
    out_dir: Option<PathBuf>,
    /// Check that the outputs committed in DIR are up to date with their sources (by settings and Config
    /// Key, not bytes: salts differ), without writing anything.
    #[arg(long, value_name = "DIR", conflicts_with = "out_dir")]
    check: Option<PathBuf>,
    /// Output format, overriding the exam file's `output.format`.
    #[arg(long, value_parser = super::choice(&[("seb", OutputFormat::Seb), ("plist", OutputFormat::Plist)]))]
    format: Option<OutputFormat>,
    /// Plist byte format: indented, or SEB Server's compact export bytes.
    #[arg(long, default_value = "indented", value_parser = super::choice(&[
        ("indented", PlistStyle::Indented),
        ("compact", PlistStyle::Compact),
    ]))]
    plist_style: PlistStyle,
    /// Write only the settings the exam and its bases set, not every SEB default.
    #[arg(long)]
    minimal: bool,
    /// Write unencrypted .seb files as raw XML (what Moodle accepts) instead of gzip("plnd" + gzip(XML)).
    #[arg(long)]
    raw_xml: bool,
    /// Also write one configuration per collecting room (`<id>-room-N`) with the room's join settings
    /// and token embedded, so SEB joins proctoring without SEB Server.
    #[arg(long)]
    per_room: bool,
    /// Also write one configuration per participant of the exam's roster (`<id>-participant-<pid>`) with
    /// their own token embedded: the files a proctor hands out when no SEB Server runs.
    #[arg(long)]
    per_participant: bool,
    /// Jitsi token format: `default` (sebc's claims) or `seb-server` (SEB Server's bytes: its claims and
    /// order, `exp` in milliseconds).
    #[arg(long, value_name = "PROFILE", default_value = "default", value_parser = super::choice(&[
        ("default", crate::proctoring::tokens::Profile::Default),
        ("seb-server", crate::proctoring::tokens::Profile::SebServer),
    ]))]
    token_profile: crate::proctoring::tokens::Profile,
    /// The current time for token lifetimes: epoch seconds or RFC 3339 (default: SOURCE_DATE_EPOCH, else the clock).
    #[arg(long, value_name = "TIME")]
    now: Option<String>,
    #[command(flatten)]
    meetings: MeetingsArg,
    #[command(flatten)]
    clients: ClientsArg,
    /// Threads (default: all cores).
    #[arg(short = 'j', long, value_name = "N")]
    jobs: Option<usize>,
    /// No progress bar.
    #[arg(short = 'q', long)]
    quiet: bool,
    #[command(flatten)]
    password: PasswordArgs,
    #[command(flatten)]
    sandbox: SandboxArg,
    #[command(flatten)]
    report: Report,
}

#[derive(Args)]
pub(super) struct ValidateArgs {
    /// Exam files (.yaml, .yml, .toml, .json), directories or glob patterns.
    #[arg(required = true)]
    exams: Vec<PathBuf>,
    /// Tell which layer (default, base, exam file, service) set this SEB key, and its value.
    #[arg(long, value_name = "KEY")]
    explain: Option<String>,
    /// The current time for token lifetimes: epoch seconds or RFC 3339.
    #[arg(long, value_name = "TIME")]
    now: Option<String>,
    #[arg(long)]
    minimal: bool,
    #[command(flatten)]
    meetings: MeetingsArg,
    #[command(flatten)]
    clients: ClientsArg,
    #[command(flatten)]
    sandbox: SandboxArg,
    #[command(flatten)]
    report: Report,
}

// `--meetings FILE`, for `compile` and `validate`.
#[derive(Args)]
struct MeetingsArg {
    /// Zoom meetings recorded by `sebc zoom provision` (`DIR/<id>.zoom.json`), for the exam with that
    /// id; may be repeated.
    #[arg(long = "meetings", value_name = "FILE")]
    files: Vec<PathBuf>,
}

impl MeetingsArg {
    /// Reads every meetings file; the errors are diagnostics at the files.
    fn read(&self) -> Result<Vec<crate::compile::MeetingsFile>, Vec<Diagnostic>> {
        let mut files = Vec::new();
        let mut errors = Vec::new();
        for path in &self.files {
            let display = display_of(path);
            match crate::proctoring::zoom::ZoomMeetings::read(path, &display) {
                Ok(file) => files.push(crate::compile::MeetingsFile { display, file }),
                Err(d) => errors.push(d),
            }
        }
        if errors.is_empty() {
            Ok(files)
        } else {
            Err(errors)
        }
    }
}

/// An error for each meetings file whose exam was not among the inputs.
fn unused_meetings<'a>(
    files: &[crate::compile::MeetingsFile],
    ids: impl Iterator<Item = &'a str> + Clone,
) -> Vec<Diagnostic> {
    files
        .iter()
        .filter(|m| !ids.clone().any(|id| id == m.file.exam))
        .map(|m| {
            Diagnostic::error(
                "meetings-unused",
                format!(
                    "{} holds the meetings of exam `{}`, which is not among the inputs",
                    m.display, m.file.exam
                ),
            )
            .at(&m.display, crate::diagnostic::Pos { line: 1, col: 1 })
            .hint(format!(
                "compile the exam with id `{}` with it",
                m.file.exam
            ))
        })
        .collect()
}

// `--clients`, for `compile` and `validate`.
#[derive(Args)]
struct ClientsArg {
    /// The SEB releases to check against, overriding the exam's `clients:`: e.g.
    /// `windows=3.5,ios=3.4,macos=false,sebServer=2.2` (a release and later, `3.2..3.5`, `true` for the
    /// current release, `false` for not used; platforms left out: their current release).
    #[arg(long, value_name = "TARGETS", value_parser = crate::clients::Targets::parse_cli)]
    clients: Option<crate::clients::Targets>,
}

/// A progress bar on stderr when it is a terminal (and not `--quiet`); otherwise nothing.
fn progress_bar(len: usize, quiet: bool) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if quiet || !std::io::stderr().is_terminal() || len < 2 {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len as u64);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} exams {elapsed}")
    {
        bar.set_style(style);
    }
    bar
}

pub(super) fn run_compile(a: CompileArgs) -> ExitCode {
    let started = std::time::Instant::now();
    let sandbox = match a.sandbox.policy() {
        Ok(s) => s,
        Err(msg) => return usage_error(&msg),
    };
    let password = match read_password(&a.password, sandbox.as_ref()) {
        Ok(p) => p,
        Err(msg) => return usage_error(&msg),
    };
    let now = match now(a.now.as_deref()) {
        Ok(n) => n,
        Err(msg) => return usage_error(&msg),
    };
    let (check_only, out_dir) = match (&a.check, &a.out_dir) {
        (Some(dir), _) => (true, dir.clone()),
        (None, Some(dir)) => (false, dir.clone()),
        (None, None) => {
            return usage_error("give an output directory with -o DIR (or --check DIR)");
        }
    };
    let meetings = match a.meetings.read() {
        Ok(m) => m,
        Err(mut errors) => {
            report(&mut errors, &a.report, &Sources::default());
            return ExitCode::from(1);
        }
    };
    let opts = CompileOptions {
        out_dir,
        format: a.format,
        style: a.plist_style,
        check: CheckOptions {
            merge: MergeOptions { minimal: a.minimal },
            clients: a.clients.clients,
            token_profile: a.token_profile,
        },
        password,
        raw_xml: a.raw_xml,
        per_room: a.per_room,
        meetings,
        per_participant: a.per_participant,
        now,
        check_only,
        sandbox,
    };
    let (inputs, mut all) = collect_inputs(&a.exams, Some(&opts.out_dir), opts.sandbox.as_ref());
    let bar = progress_bar(inputs.len(), a.quiet);
    let outcomes = if on_main_thread(inputs.len()) {
        crate::compile::compile_all(inputs, &opts, &|| bar.inc(1))
    } else {
        let pool = match rayon::ThreadPoolBuilder::new()
            .num_threads(a.jobs.unwrap_or(threads_for(inputs.len())))
            .stack_size(crate::compile::WORKER_STACK)
            .build()
        {
            Ok(p) => p,
            Err(e) => return usage_error(&format!("cannot start worker threads: {e}")),
        };
        pool.install(|| crate::compile::compile_all(inputs, &opts, &|| bar.inc(1)))
    };
    bar.finish_and_clear();
    let (mut exams, mut files) = (0, 0);
    let mut sources = Sources::default();
    // An exam that failed has no id to match: only a run where every exam compiled can tell.
    if !outcomes
        .iter()
        .any(|o| o.diags.iter().any(Diagnostic::is_error))
    {
        all.extend(unused_meetings(
            &opts.meetings,
            outcomes.iter().filter_map(|o| o.id.as_deref()),
        ));
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for mut o in outcomes {
        if o.id.is_none() && o.diags.is_empty() {
            continue; // a template found in a directory
        }
        exams += 1;
        for f in &o.files {
            files += 1;
            let id = o.id.as_deref().unwrap_or("");
            if a.report.message_format == MessageFormat::Json {
                // Every line on stdout is one JSON object: each output too (`output`, no `code`).
                let line = serde_json::json!({
                    "id": id,
                    "output": f.path.display().to_string(),
                    "configKey": f.config_key,
                });
                let _ = writeln!(out, "{line}");
            } else {
                let _ = writeln!(out, "{id}\t{}\t{}", f.path.display(), f.config_key);
            }
        }
        all.append(&mut o.diags);
        sources.extend(o.sources);
    }
    drop(out);
    let (errors, warnings) = report(&mut all, &a.report, &sources);
    if a.report.message_format == MessageFormat::Human {
        let verb = if check_only { "checked" } else { "written" };
        super::status_line(format_args!(
            "{exams} exam(s), {files} configuration(s) {verb}, {errors} error(s), {warnings} warning(s) in {:.2}s",
            started.elapsed().as_secs_f64()
        ));
    }
    outcome(errors, warnings, a.report.deny_warnings)
}

/// Whether `inputs` exams run on the main thread, with no pool: one exam, when the main thread's
/// stack suffices ([`crate::compile::main_thread_stack_suffices`]).
fn on_main_thread(inputs: usize) -> bool {
    inputs <= 1 && crate::compile::main_thread_stack_suffices()
}

/// Worker threads for `inputs` exams: one for one exam (a thread per core only to wait, start and
/// stop costs more than the exam), else rayon's default (one per core).
fn threads_for(inputs: usize) -> usize {
    if inputs <= 1 { 1 } else { 0 }
}

pub(super) fn run_validate(a: ValidateArgs) -> ExitCode {
    let now = match now(a.now.as_deref()) {
        Ok(n) => n,
        Err(msg) => return usage_error(&msg),
    };
    let sandbox = match a.sandbox.policy() {
        Ok(s) => s,
        Err(msg) => return usage_error(&msg),
    };
    let meetings = match a.meetings.read() {
        Ok(m) => m,
        Err(mut errors) => {
            report(&mut errors, &a.report, &Sources::default());
            return ExitCode::from(1);
        }
    };
    let (inputs, mut all) = collect_inputs(&a.exams, None, sandbox.as_ref());
    let check = |input: &crate::compile::Input| {
        let opts = CheckOptions {
            merge: MergeOptions { minimal: a.minimal },
            clients: a.clients.clients,
            ..CheckOptions::default()
        };
        crate::compile::check_with(input, opts, now, sandbox.as_ref(), &meetings)
    };
    let results: Vec<crate::compile::Checked> = if on_main_thread(inputs.len()) {
        inputs.iter().map(check).collect()
    } else {
        // `validate` runs on rayon's global pool (`compile` builds its own, with the same stack),
        // started here: the commands that use no pool start no threads.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(threads_for(inputs.len()))
            .stack_size(crate::compile::WORKER_STACK)
            .build_global();
        use rayon::prelude::*;
        inputs.par_iter().map(check).collect()
    };
    let mut exams = 0;
    let mut sources = Sources::default();
    for (input, mut checked) in inputs.iter().zip(results) {
        if checked.skipped {
            continue;
        }
        exams += 1;
        if let (Some(key), Some(merged)) = (&a.explain, &checked.merged) {
            let text = explain(&input.display, key, merged);
            let line = if a.report.message_format == MessageFormat::Json {
                // Beside JSON diagnostics on stdout, the answer is a JSON object too (no `code`).
                serde_json::json!({ "file": input.display, "explain": key, "text": text })
                    .to_string()
            } else {
                text
            };
            let _ = writeln!(std::io::stdout(), "{line}");
        }
        all.append(&mut checked.diags);
        sources.extend(checked.sources);
    }
    let (errors, warnings) = report(&mut all, &a.report, &sources);
    if a.report.message_format == MessageFormat::Human {
        super::status_line(format_args!(
            "{exams} exam(s) checked, {errors} error(s), {warnings} warning(s)"
        ));
    }
    outcome(errors, warnings, a.report.deny_warnings)
}

fn value_is_set(value: &plist::Value) -> bool {
    !matches!(value, plist::Value::String(s) if s.is_empty())
}

/// `--explain KEY`: the final value of a key and the layer that set it.
fn explain(display: &str, key: &str, merged: &crate::merge::Merged) -> String {
    match (merged.settings.get(key), merged.origin(key)) {
        (Some(value), Some(layer)) => {
            let shown = if key.starts_with("hashed") {
                "(a SHA-256 hash, not shown)".to_string()
            } else if crate::secret::name_suggests_secret(key) && value_is_set(value) {
                "(may be secret, not shown)".to_string()
            } else {
                serde_json::to_string(&crate::plist_json::to_json(value)).unwrap_or_default()
            };
            format!(
                "{display}: {key} = {shown}\n  set by {layer}{}",
                client_rows(key)
            )
        }
        _ if merged.removed.contains_key(key) => {
            let layer = merged.removed.get(key).map(ToString::to_string);
            format!(
                "{display}: {key} is not set: removed by the exam at {}{}",
                layer.unwrap_or_default(),
                client_rows(key)
            )
        }
        _ => {
            let hint = crate::catalog::Catalog::get()
                .nearest_key(key)
                .filter(|k| *k != key)
                .map(|k| format!(" (did you mean `{k}`?)"))
                .unwrap_or_default();
            format!("{display}: {key} is not set{hint}{}", client_rows(key))
        }
    }
}

/// The setting's client rows, for `--explain` (empty for a key the catalog does not know).
fn client_rows(key: &str) -> String {
    match crate::catalog::Catalog::get().setting(key) {
        Some(s) => {
            let text = crate::clients::describe(s);
            let rows: Vec<&str> = text.lines().skip(2).collect();
            format!("\n{}", rows.join("\n"))
        }
        None => String::new(),
    }
}
