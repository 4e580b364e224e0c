//! Runs the pipeline for one exam file: load → validate → merge → emit. The CLI and the tests call
//! this; it prints nothing itself.

use crate::diagnostic::{Diagnostic, Pos};
use crate::emit;
use crate::exam::{Encryption, OutputFormat};
use crate::load::load_tree;
use crate::merge::{MergeOptions, Merged, merge};
use crate::secret::Secret;
use crate::validate::{ValidExam, validate};
use seb_format::container::Protection;
use seb_format::plist::PlistStyle;
use std::path::{Path, PathBuf};

/// The result of load + validate + merge, and the proctoring plan.
pub struct Checked {
    /// A template found in a directory: nothing to compile.
    pub skipped: bool,
    pub diags: Vec<Diagnostic>,
    pub exam: Option<ValidExam>,
    pub merged: Option<Merged>,
    pub plan: Option<crate::proctoring::Plan>,
}

/// Load, validate, merge and plan rooms (everything but writing). `now` bounds token lifetimes.
pub fn check(input: &Input, opts: MergeOptions, now: i64) -> Checked {
    let mut checked = Checked {
        skipped: false,
        diags: Vec::new(),
        exam: None,
        merged: None,
        plan: None,
    };
    let tree = match load_tree(&input.path, &input.display) {
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
    let (merged, mut more) = merge(&exam, opts);
    checked.diags.append(&mut more);
    if let Some(m) = &merged {
        checked.diags.extend(portability_errors(m));
    }
    if !checked.diags.iter().any(Diagnostic::is_error) {
        match crate::proctoring::build(&exam, now) {
            Ok((plan, mut warnings)) => {
                checked.diags.append(&mut warnings);
                checked.plan = plan;
            }
            Err(mut errors) => checked.diags.append(&mut errors),
        }
    }
    checked.exam = Some(exam);
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

/// One configuration file of an exam.
pub struct Written {
    pub path: PathBuf,
    /// The Config Key of the settings in it.
    pub config_key: String,
}

/// An exam rendered in memory, ready to be written (or compared with what is on disk).
pub struct Built {
    pub id: String,
    /// The configurations: the exam's, then one per room with `--per-room`.
    pub files: Vec<Written>,
    /// Where the exam's id is, for a duplicate-id error.
    id_at: (String, Pos),
    /// Every output file: path, bytes, private (0600). The server file comes first.
    outputs: Vec<(PathBuf, Vec<u8>, bool)>,
    key: OutputKey,
}

/// The secrets a `.seb` output is encrypted with, resolved once per exam.
enum OutputKey {
    None { raw_xml: bool },
    Password(Secret),
    ConfiguringClient(Option<Secret>),
}

impl OutputKey {
    /// The keys that open what this key encrypts (for `--check`).
    fn reader_keys(&self) -> seb_format::container::Keys<'_> {
        match self {
            OutputKey::None { .. } => seb_format::container::Keys::default(),
            OutputKey::Password(s) => seb_format::container::Keys {
                password: Some(s.expose()),
                ..Default::default()
            },
            OutputKey::ConfiguringClient(admin) => seb_format::container::Keys {
                admin_password: admin.as_ref().map(Secret::expose),
                ..Default::default()
            },
        }
    }

    fn protection(&self) -> Protection<'_> {
        match self {
            OutputKey::None { raw_xml: true } => Protection::RawXml,
            OutputKey::None { raw_xml: false } => Protection::Plain,
            OutputKey::Password(s) => Protection::Password(s.expose()),
            OutputKey::ConfiguringClient(admin) => {
                Protection::ConfiguringClient(admin.as_ref().map(Secret::expose))
            }
        }
    }
}

fn output_key(exam: &ValidExam, opts: &CompileOptions) -> Result<OutputKey, Diagnostic> {
    let base_dir = exam.source.path.parent().unwrap_or(Path::new(""));
    let at = |pointer: &str, msg: String| {
        Diagnostic::error("secret-unavailable", msg)
            .at(&exam.source.display, exam.source.map.value(pointer))
            .pointer(pointer)
    };
    if let Some(pw) = &opts.password {
        return Ok(OutputKey::Password(Secret::new(pw.expose().to_vec())));
    }
    match &exam.exam.output.encryption {
        Encryption::None => Ok(OutputKey::None {
            raw_xml: opts.raw_xml,
        }),
        Encryption::Password(p) => p
            .password
            .resolve(base_dir)
            .map(OutputKey::Password)
            .map_err(|msg| {
                at(
                    "/output/encryption/password",
                    format!("cannot read the encryption password: {msg}"),
                )
            }),
        Encryption::ConfiguringClient => admin_password(exam)
            .map(OutputKey::ConfiguringClient)
            .map_err(|msg| at("/seb/adminPassword", msg)),
    }
}

/// Runs the pipeline for one exam and renders every output file in memory; writes nothing.
pub fn build(input: &Input, opts: &CompileOptions) -> (Option<Built>, Vec<Diagnostic>) {
    let display = input.display.as_str();
    let Checked {
        mut diags,
        exam,
        merged,
        plan,
        ..
    } = check(input, opts.merge, opts.now);
    let (Some(exam), Some(merged)) = (exam, merged) else {
        return (None, diags);
    };
    if diags.iter().any(Diagnostic::is_error) {
        return (None, diags);
    }
    let key = match output_key(&exam, opts) {
        Ok(k) => k,
        Err(d) => {
            diags.push(d);
            return (None, diags);
        }
    };
    let format = opts.format.unwrap_or(exam.exam.output.format);
    let ext = match format {
        OutputFormat::Plist => "plist",
        OutputFormat::Seb => "seb",
    };
    let id = exam.exam.exam.id.clone();
    let mut rooms = Vec::new();
    if let (true, Some(plan)) = (opts.per_room, &plan) {
        for room in plan
            .rooms
            .iter()
            .filter(|r| r.room.room_type == crate::exam::RoomType::Proctoring)
        {
            let mut settings = merged.settings.clone();
            for (k, v) in room.settings() {
                settings.insert(k.to_string(), plist::Value::String(v));
            }
            rooms.push((format!("{id}-room-{}.{ext}", room.room.number), settings));
        }
    }
    // The exam's configuration, then one per room (holding the room's token: private).
    let configs = std::iter::once((format!("{id}.{ext}"), &merged.settings, false)).chain(
        rooms
            .iter()
            .map(|(name, settings)| (name.clone(), settings, true)),
    );
    let mut outputs = Vec::new();
    let mut files = Vec::new();
    for (name, settings, private) in configs {
        let bytes = match emit::render(settings, format, opts.style, key.protection()) {
            Ok(b) => b,
            Err(msg) => {
                diags.push(Diagnostic::error("encrypt", msg).at(display, Pos::default()));
                return (None, diags);
            }
        };
        let path = opts.out_dir.join(&name);
        files.push(Written {
            path: path.clone(),
            config_key: seb_format::configkey::config_key(settings),
        });
        outputs.push((path, bytes, private));
    }
    let room_files: Vec<String> = files.iter().skip(1).map(|w| file_name(&w.path)).collect();
    let server = emit::server_json(
        &exam.exam,
        &files[0].config_key,
        &file_name(&files[0].path),
        plan.as_ref(),
        &room_files,
    );
    // The server file holds tokens (0600); it is written first, so configurations appear only when it exists.
    outputs.insert(
        0,
        (opts.out_dir.join(format!("{id}.server.json")), server, true),
    );
    let id_at = (
        exam.source.display.clone(),
        exam.source.map.value("/exam/id"),
    );
    (
        Some(Built {
            id,
            files,
            id_at,
            outputs,
            key,
        }),
        diags,
    )
}

/// Writes a built exam's files atomically, or with `check_only` compares them with what is on disk.
pub fn deliver(built: &Built, opts: &CompileOptions, display: &str) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    if opts.check_only {
        let keys = built.key.reader_keys();
        for (path, data, _) in &built.outputs {
            let problem = match emit::freshness(path, data, &keys) {
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
    for (path, data, private) in &built.outputs {
        if let Err(e) = emit::write_atomic(path, data, *private) {
            let msg = format!(
                "cannot write {}: {}",
                path.display(),
                crate::load::io_reason(&e)
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
    pub files: Vec<Written>,
    pub id: Option<String>,
    pub diags: Vec<Diagnostic>,
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
        let built: Vec<(Option<Built>, Vec<Diagnostic>)> = chunk
            .par_iter()
            .map(|input| {
                let r = build(input, opts);
                progress();
                r
            })
            .collect();
        let mut deliverable = Vec::new();
        for (input, (built, mut diags)) in chunk.iter().zip(built) {
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
            deliverable.push((input.clone(), built, diags));
        }
        let delivered: Vec<Outcome> = deliverable
            .into_par_iter()
            .map(|(input, built, mut diags)| match built {
                Some(b) => {
                    let mut more = deliver(&b, opts, &input.display);
                    let ok = !more.iter().any(Diagnostic::is_error);
                    diags.append(&mut more);
                    Outcome {
                        input,
                        id: Some(b.id),
                        files: if ok { b.files } else { Vec::new() },
                        diags,
                    }
                }
                None => Outcome {
                    input,
                    id: None,
                    files: Vec::new(),
                    diags,
                },
            })
            .collect();
        outcomes.extend(delivered);
    }
    outcomes
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The admin password for `pwcc`, from the exam's own `seb.adminPassword` (None: the empty key).
fn admin_password(exam: &ValidExam) -> Result<Option<Secret>, String> {
    let Some(v) = exam.exam.seb.get("adminPassword") else {
        return Ok(None);
    };
    let r: crate::secret::SecretRef =
        serde_json::from_value(v.clone()).map_err(|e| e.to_string())?;
    r.resolve(exam.source.path.parent().unwrap_or(Path::new("")))
        .map(Some)
}

/// sebc never writes a configuration whose Config Key differs between SEB clients (spec §4.2):
/// each divergence in the merged settings is an error at the place that set the key.
fn portability_errors(merged: &Merged) -> Vec<Diagnostic> {
    use crate::merge::Layer;
    seb_format::configkey::lint(&merged.settings)
        .into_iter()
        .map(|d| {
            let top = d
                .pointer
                .split('/')
                .nth(1)
                .unwrap_or("")
                .replace("~1", "/")
                .replace("~0", "~");
            let rest = d
                .pointer
                .get(crate::load::escape_segment(&top).len() + 1..)
                .unwrap_or("");
            let diag = Diagnostic::error("config-key-divergence", d.message).hint(
                "SEB clients would compute different Config Keys for this file; change the value",
            );
            match merged.origins.get(&top) {
                Some(Layer::File {
                    file,
                    line,
                    col,
                    pointer,
                }) => {
                    let at = format!("{pointer}{rest}");
                    diag.at(
                        file,
                        Pos {
                            line: *line,
                            col: *col,
                        },
                    )
                    .pointer(at)
                }
                Some(Layer::Base { file }) => {
                    let at = locate_plist_key(file, &top).unwrap_or_default();
                    diag.at(file, at).pointer(d.pointer)
                }
                _ => diag.pointer(d.pointer),
            }
        })
        .collect()
}

/// Where `<key>NAME</key>` first appears in a plain XML plist base (plists carry no other positions).
fn locate_plist_key(file: &str, key: &str) -> Option<Pos> {
    let text = std::fs::read_to_string(file).ok()?;
    let offset = text.find(&format!("<key>{key}</key>"))?;
    Some(crate::load::pos_of_offset(&text, offset))
}
