//! Runs the pipeline for one exam file: load → validate → merge → emit. The CLI and the tests call
//! this; it prints nothing itself.

use crate::container::Protection;
use crate::diagnostic::{Diagnostic, Pos};
use crate::emit;
use crate::exam::{Encryption, OutputFormat};
use crate::load::load_tree;
use crate::merge::{MergeOptions, Merged, merge};
use crate::plist::PlistStyle;
use crate::secret::Secret;
use crate::validate::{ValidExam, validate};
use std::path::{Path, PathBuf};

/// The result of load + validate + merge.
pub struct Checked {
    pub diags: Vec<Diagnostic>,
    pub exam: Option<ValidExam>,
    pub merged: Option<Merged>,
}

pub fn check(path: &Path, display: &str, opts: MergeOptions) -> Checked {
    let tree = match load_tree(path, display) {
        Ok(t) => t,
        Err(diags) => {
            return Checked {
                diags,
                exam: None,
                merged: None,
            };
        }
    };
    let (exam, mut diags) = validate(tree);
    let Some(exam) = exam else {
        return Checked {
            diags,
            exam: None,
            merged: None,
        };
    };
    let (merged, mut more) = merge(&exam, opts);
    diags.append(&mut more);
    if let Some(m) = &merged {
        diags.extend(portability_errors(m));
    }
    Checked {
        diags,
        exam: Some(exam),
        merged,
    }
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
}

/// One compiled exam.
pub struct Compiled {
    pub id: String,
    pub output: PathBuf,
    /// The Config Key of the written settings.
    pub config_key: String,
}

pub fn compile(
    path: &Path,
    display: &str,
    opts: &CompileOptions,
) -> (Option<Compiled>, Vec<Diagnostic>) {
    let Checked {
        mut diags,
        exam,
        merged,
    } = check(path, display, opts.merge);
    let (Some(exam), Some(merged)) = (exam, merged) else {
        return (None, diags);
    };
    if diags.iter().any(Diagnostic::is_error) {
        return (None, diags);
    }
    let format = opts.format.unwrap_or(exam.exam.output.format);
    let id = exam.exam.exam.id.clone();
    let err_at = |pointer: &str, code: &'static str, msg: String| {
        Diagnostic::error(code, msg)
            .at(&exam.source.display, exam.source.map.value(pointer))
            .pointer(pointer)
    };
    let bytes = match format {
        OutputFormat::Plist => emit::plist_bytes(&merged, opts.style),
        OutputFormat::Seb => {
            let base_dir = exam.source.path.parent().unwrap_or(Path::new(""));
            let resolved;
            let admin;
            let protection = match (&opts.password, &exam.exam.output.encryption) {
                (Some(pw), _) => Protection::Password(pw.expose()),
                (None, Encryption::None) if opts.raw_xml => Protection::RawXml,
                (None, Encryption::None) => Protection::Plain,
                (None, Encryption::Password(p)) => match p.password.resolve(base_dir) {
                    Ok(secret) => {
                        resolved = secret;
                        Protection::Password(resolved.expose())
                    }
                    Err(msg) => {
                        diags.push(err_at(
                            "/output/encryption/password",
                            "secret-unavailable",
                            format!("cannot read the encryption password: {msg}"),
                        ));
                        return (None, diags);
                    }
                },
                (None, Encryption::ConfiguringClient) => {
                    admin = admin_password(&exam);
                    match &admin {
                        Ok(a) => Protection::ConfiguringClient(a.as_ref().map(Secret::expose)),
                        Err(msg) => {
                            diags.push(err_at(
                                "/seb/adminPassword",
                                "secret-unavailable",
                                msg.clone(),
                            ));
                            return (None, diags);
                        }
                    }
                }
            };
            match emit::seb_bytes(&merged, opts.style, protection) {
                Ok(b) => b,
                Err(msg) => {
                    diags.push(Diagnostic::error("encrypt", msg).at(display, Pos::default()));
                    return (None, diags);
                }
            }
        }
    };
    let ext = match format {
        OutputFormat::Plist => "plist",
        OutputFormat::Seb => "seb",
    };
    let output = opts.out_dir.join(format!("{id}.{ext}"));
    let config_key = crate::configkey::config_key(&merged.settings);
    let file_name = output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let server = emit::server_json(&exam.exam, &config_key, &file_name);
    let server_path = opts.out_dir.join(format!("{id}.server.json"));
    // The server file holds tokens (0600); it is written first so the `.seb` appears only when both succeed.
    for (path, data, private) in [(&server_path, &server, true), (&output, &bytes, false)] {
        if let Err(e) = emit::write_atomic(path, data, private) {
            diags.push(
                Diagnostic::error(
                    "io",
                    format!(
                        "cannot write {}: {}",
                        path.display(),
                        crate::load::io_reason(&e)
                    ),
                )
                .at(display, Pos::default()),
            );
            return (None, diags);
        }
    }
    let config_key = crate::configkey::config_key(&merged.settings);
    (
        Some(Compiled {
            id,
            output,
            config_key,
        }),
        diags,
    )
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
    crate::configkey::lint(&merged.settings)
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
