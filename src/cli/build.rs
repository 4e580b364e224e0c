//! `sebc compile` and `sebc validate`: exam files, directories and globs in; files written in parallel,
//! diagnostics, a progress bar on a terminal and a summary line out.

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
    /// The current time for token lifetimes: epoch seconds or RFC 3339 (default: SOURCE_DATE_EPOCH, else the clock).
    #[arg(long, value_name = "TIME")]
    now: Option<String>,
    /// Threads (default: all cores).
    #[arg(short = 'j', long, value_name = "N")]
    jobs: Option<usize>,
    /// No progress bar.
    #[arg(short = 'q', long)]
    quiet: bool,
    #[command(flatten)]
    password: PasswordArgs,
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
    report: Report,
}

/// Exam files from the arguments: files as given, directories walked (sorted), glob patterns expanded.
/// `skip` is a directory never walked into (the output directory).
fn collect_inputs(args: &[PathBuf], skip: Option<&Path>) -> (Vec<Input>, Vec<Diagnostic>) {
    let skip = skip.and_then(|p| std::fs::canonicalize(p).ok());
    let mut inputs = Vec::new();
    let mut diags = Vec::new();
    for arg in args {
        let display = display_of(arg);
        if arg.is_dir() {
            let mut found = Vec::new();
            walk(arg, skip.as_deref(), &mut found);
            found.sort();
            inputs.extend(found.into_iter().map(|p| Input {
                display: display_of(&p),
                path: p,
                discovered: true,
            }));
        } else if !arg.exists() && display.contains(['*', '?', '[']) {
            match glob::glob(&display) {
                Ok(paths) => {
                    let matched: Vec<PathBuf> = paths
                        .filter_map(Result::ok)
                        .filter(|p| p.is_file())
                        .collect();
                    if matched.is_empty() {
                        diags.push(
                            Diagnostic::error("no-input", format!("no file matches `{display}`"))
                                .at(&display, Default::default()),
                        );
                    }
                    inputs.extend(matched.into_iter().map(|p| Input {
                        display: display_of(&p),
                        path: p,
                        discovered: false,
                    }));
                }
                Err(e) => diags.push(
                    Diagnostic::error("no-input", format!("bad glob pattern `{display}`: {e}"))
                        .at(&display, Default::default()),
                ),
            }
        } else {
            inputs.push(Input {
                path: arg.clone(),
                display,
                discovered: false,
            });
        }
    }
    (inputs, diags)
}

/// Exam files under `dir`: hidden entries, the output directory and sebc's own `*.server.json` are left out.
fn walk(dir: &Path, skip: Option<&Path>, found: &mut Vec<PathBuf>) {
    if skip.is_some_and(|s| std::fs::canonicalize(dir).is_ok_and(|d| d == s)) {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.')
            || name.to_string_lossy().ends_with(".server.json")
        {
            continue;
        }
        if path.is_dir() {
            walk(&path, skip, found);
        } else if crate::load::Syntax::of(&path).is_some() {
            found.push(path);
        }
    }
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
    let password = match read_password(&a.password) {
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
    let opts = CompileOptions {
        out_dir,
        format: a.format,
        style: a.plist_style,
        merge: MergeOptions { minimal: a.minimal },
        password,
        raw_xml: a.raw_xml,
        per_room: a.per_room,
        now,
        check_only,
    };
    let (inputs, mut all) = collect_inputs(&a.exams, Some(&opts.out_dir));
    let bar = progress_bar(inputs.len(), a.quiet);
    let pool = match rayon::ThreadPoolBuilder::new()
        .num_threads(a.jobs.unwrap_or(0))
        .build()
    {
        Ok(p) => p,
        Err(e) => return usage_error(&format!("cannot start worker threads: {e}")),
    };
    let outcomes = pool.install(|| crate::compile::compile_all(inputs, &opts, &|| bar.inc(1)));
    bar.finish_and_clear();
    let (mut exams, mut files) = (0, 0);
    let mut sources = Sources::default();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for mut o in outcomes {
        if o.id.is_none() && o.diags.is_empty() {
            continue; // a template found in a directory
        }
        exams += 1;
        for f in &o.files {
            files += 1;
            let _ = writeln!(
                out,
                "{}\t{}\t{}",
                o.id.as_deref().unwrap_or(""),
                f.path.display(),
                f.config_key
            );
        }
        all.append(&mut o.diags);
        sources.extend(o.sources);
    }
    drop(out);
    let (errors, warnings) = report(&mut all, &a.report, &sources);
    if a.report.message_format == MessageFormat::Human {
        let verb = if check_only { "checked" } else { "written" };
        let _ = writeln!(
            std::io::stderr(),
            "{exams} exam(s), {files} configuration(s) {verb}, {errors} error(s), {warnings} warning(s) in {:.2}s",
            started.elapsed().as_secs_f64()
        );
    }
    outcome(errors, warnings, a.report.deny_warnings)
}

pub(super) fn run_validate(a: ValidateArgs) -> ExitCode {
    let now = match now(a.now.as_deref()) {
        Ok(n) => n,
        Err(msg) => return usage_error(&msg),
    };
    let (inputs, mut all) = collect_inputs(&a.exams, None);
    let results: Vec<crate::compile::Checked> = {
        use rayon::prelude::*;
        inputs
            .par_iter()
            .map(|input| check(input, MergeOptions { minimal: a.minimal }, now))
            .collect()
    };
    let mut exams = 0;
    let mut sources = Sources::default();
    for (input, mut checked) in inputs.iter().zip(results) {
        if checked.skipped {
            continue;
        }
        exams += 1;
        if let (Some(key), Some(merged)) = (&a.explain, &checked.merged) {
            let _ = writeln!(
                std::io::stdout(),
                "{}",
                explain(&input.display, key, merged)
            );
        }
        all.append(&mut checked.diags);
        sources.extend(checked.sources);
    }
    let (errors, warnings) = report(&mut all, &a.report, &sources);
    if a.report.message_format == MessageFormat::Human {
        let _ = writeln!(
            std::io::stderr(),
            "{exams} exam(s) checked, {errors} error(s), {warnings} warning(s)"
        );
    }
    outcome(errors, warnings, a.report.deny_warnings)
}

/// `--explain KEY`: the final value of a key and the layer that set it.
fn explain(display: &str, key: &str, merged: &crate::merge::Merged) -> String {
    match (merged.settings.get(key), merged.origins.get(key)) {
        (Some(value), Some(layer)) => {
            let shown = if key.starts_with("hashed") {
                "(a SHA-256 hash, not shown)".to_string()
            } else {
                let mut v = plist::Value::Dictionary(plist::Dictionary::new());
                if let plist::Value::Dictionary(d) = &mut v {
                    d.insert(key.to_string(), value.clone());
                }
                serde_json::to_string(&super::read::plist_to_json(value)).unwrap_or_default()
            };
            format!("{display}: {key} = {shown}\n  set by {layer}")
        }
        _ => {
            let hint = crate::catalog::Catalog::get()
                .nearest_key(key)
                .filter(|k| *k != key)
                .map(|k| format!(" (did you mean `{k}`?)"))
                .unwrap_or_default();
            format!("{display}: {key} is not set{hint}")
        }
    }
}
