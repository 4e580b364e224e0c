//! Runs the pipeline for exam files: load → validate → resolve secrets → merge → plan rooms → emit.
//! Orchestration only: each stage's work is in its module. The CLI and the tests call this; it prints
//! nothing itself.

use crate::diagnostic::{Diagnostic, Pos};
use crate::emit::{self, Configuration, Layout, Rendered};
use crate::exam::{Encryption, OutputFormat};
use crate::load::load_tree;
use crate::merge::{MergeOptions, Merged, merge};
use crate::resolve::{ResolvedSecrets, resolve};
use crate::secret::{ExposeSecret, Secret};
use crate::source::Sources;
use crate::validate::{ValidExam, validate};
use seb_format::container::{Keys, Protection};
use seb_format::plist::PlistStyle;
use std::path::PathBuf;

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
/// lifetimes.
pub fn check(input: &Input, opts: MergeOptions, now: i64) -> Checked {
    let mut checked = Checked {
        skipped: false,
        diags: Vec::new(),
        sources: Sources::default(),
        exam: None,
        secrets: None,
        merged: None,
        plan: None,
    };
    let tree = match load_tree(&input.path, &input.display, &mut checked.sources) {
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
    checked.diags = diags;
    let Some(exam) = exam else { return checked };
    let secrets = match resolve(&exam) {
        Ok(s) => s,
        Err(mut errors) => {
            checked.diags.append(&mut errors);
            checked.exam = Some(exam);
            return checked;
        }
    };
    let (merged, mut more) = merge(&exam, &secrets, opts);
    checked.diags.append(&mut more);
    if let Some(m) = &merged {
        checked
            .diags
            .extend(crate::portability::portability_errors(m, &checked.sources));
    }
    if !checked.diags.iter().any(Diagnostic::is_error) {
        match crate::proctoring::build(&exam, &secrets, now) {
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
    pub merge: MergeOptions,
    /// Overrides the exam file's `output.encryption` password (`--password-env`/`--password-file`).
    pub password: Option<Secret>,
    /// Write unencrypted `.seb` files as raw XML (Moodle accepts only that) instead of `plnd`.
    pub raw_xml: bool,
    /// Also write one configuration per collecting room with the room's join settings embedded.
    pub per_room: bool,
    /// The current time (seconds since the epoch): token lifetimes.
    pub now: i64,
    /// Compare with the files in `out_dir` instead of writing (`--check`).
    pub check_only: bool,
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
    id_at: (String, Pos),
    rendered: Rendered,
    key: OutputKey,
}

/// The secret a `.seb` output is encrypted with.
enum OutputKey {
    None { raw_xml: bool },
    Password(Secret),
    ConfiguringClient(Option<Secret>),
}

impl OutputKey {
    /// From `--password-env`/`--password-file`, else the exam's `output.encryption` with its resolved
    /// password (`pwcc`: the exam's own `seb.adminPassword`, or the empty key).
    fn of(exam: &ValidExam, secrets: &ResolvedSecrets, opts: &CompileOptions) -> OutputKey {
        let copy = |bytes: &[u8]| Secret::from(bytes.to_vec());
        if let Some(pw) = &opts.password {
            return OutputKey::Password(copy(pw.expose_secret()));
        }
        let file = &exam.source.display;
        match &exam.exam.output.encryption {
            Encryption::None => OutputKey::None {
                raw_xml: opts.raw_xml,
            },
            Encryption::Password(_) => OutputKey::Password(copy(
                secrets
                    .get(file, "/output/encryption/password")
                    .unwrap_or_default(),
            )),
            Encryption::ConfiguringClient => {
                OutputKey::ConfiguringClient(secrets.get(file, "/seb/adminPassword").map(copy))
            }
        }
    }

    /// The keys that open what this key encrypts (for `--check`).
    fn reader_keys(&self) -> Keys<'_> {
        match self {
            OutputKey::None { .. } => Keys::default(),
            OutputKey::Password(s) => Keys {
                password: Some(s.expose_secret()),
                ..Default::default()
            },
            OutputKey::ConfiguringClient(admin) => Keys {
                admin_password: admin.as_ref().map(|s| s.expose_secret()),
                ..Default::default()
            },
        }
    }

    fn protection(&self) -> Protection<'_> {
        match self {
            OutputKey::None { raw_xml: true } => Protection::RawXml,
            OutputKey::None { raw_xml: false } => Protection::Plain,
            OutputKey::Password(s) => Protection::Password(s.expose_secret()),
            OutputKey::ConfiguringClient(admin) => {
                Protection::ConfiguringClient(admin.as_ref().map(|s| s.expose_secret()))
            }
        }
    }
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
    } = check(input, opts.merge, opts.now);
    let (Some(exam), Some(secrets), Some(merged)) = (exam, secrets, merged) else {
        return (None, diags, sources);
    };
    if diags.iter().any(Diagnostic::is_error) {
        return (None, diags, sources);
    }
    let key = OutputKey::of(&exam, &secrets, opts);
    let layout = Layout {
        out_dir: &opts.out_dir,
        format: opts.format.unwrap_or(exam.exam.output.format),
        style: opts.style,
        protection: key.protection(),
        per_room: opts.per_room,
    };
    let rendered = match emit::render_exam(&exam.exam, &merged, plan.as_ref(), &layout) {
        Ok(r) => r,
        Err(msg) => {
            diags.push(Diagnostic::error("encrypt", msg).at(&input.display, Pos::default()));
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

/// The result of one input of [`compile_all`].
pub struct Outcome {
    pub input: Input,
    /// The configuration files written (or checked); empty when the exam failed or was a skipped template.
    pub files: Vec<Configuration>,
    pub id: Option<String>,
    pub diags: Vec<Diagnostic>,
    /// The texts the diagnostics point into.
    pub sources: Sources,
}

/// Exams built in memory at once: bounds memory whatever the number of exams.
const CHUNK: usize = 256;

/// Compiles many exams in parallel (rayon, all cores); one failing exam never stops the others. Results come
/// back in input order, and exam ids are claimed in input order, so a duplicate id is always reported on the
/// later file and never overwrites the earlier one's outputs. `progress` is called once per exam.
pub fn compile_all(
    inputs: Vec<Input>,
    opts: &CompileOptions,
    progress: &(dyn Fn() + Sync),
) -> Vec<Outcome> {
    use rayon::prelude::*;
    let mut claimed: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    let mut outcomes = Vec::with_capacity(inputs.len());
    for chunk in inputs.chunks(CHUNK) {
        let built: Vec<(Option<Built>, Vec<Diagnostic>, Sources)> = chunk
            .par_iter()
            .map(|input| {
                let r = build(input, opts);
                progress();
                r
            })
            .collect();
        let mut deliverable = Vec::new();
        for (input, (built, mut diags, sources)) in chunk.iter().zip(built) {
            let built = built.and_then(|b| match claimed.get(&b.id) {
                Some(first) => {
                    diags.push(
                        Diagnostic::error(
                            "duplicate-exam-id",
                            format!("exam id `{}` is also used by {first}", b.id),
                        )
                        .at(&b.id_at.0, b.id_at.1)
                        .pointer("/exam/id")
                        .hint("each exam needs its own id: it names the output files"),
                    );
                    None
                }
                None => {
                    claimed.insert(b.id.clone(), input.display.clone());
                    Some(b)
                }
            });
            deliverable.push((input.clone(), built, diags, sources));
        }
        let delivered: Vec<Outcome> = deliverable
            .into_par_iter()
            .map(|(input, built, mut diags, mut sources)| {
                let (id, files) = match built {
                    Some(b) => {
                        let mut more = deliver(&b, opts, &input.display);
                        let ok = !more.iter().any(Diagnostic::is_error);
                        diags.append(&mut more);
                        let files = if ok {
                            b.rendered.configurations
                        } else {
                            Vec::new()
                        };
                        (Some(b.id), files)
                    }
                    None => (None, Vec::new()),
                };
                // Keep only the texts that diagnostics quote.
                sources.retain(|file| diags.iter().any(|d| d.file == file));
                Outcome {
                    input,
                    id,
                    files,
                    diags,
                    sources,
                }
            })
            .collect();
        outcomes.extend(delivered);
    }
    outcomes
}
