//! Between validate and merge: every secret reference of an exam and of its template bases — found
//! where the types say a secret is ([`crate::schema::secret_pointers`]) — resolved once into bytes.
//! Later stages take bytes from [`ResolvedSecrets`]; none of them reads an environment variable or a
//! secret file, and none holds the source text a secret was written in. Under `--sandbox` no secret
//! file is read ([`SecretRef::resolve`] enforces it).

use crate::diagnostic::Diagnostic;
use crate::load::LoadedExam;
use crate::sandbox::Sandbox;
use crate::schema::secret_pointers;
use crate::secret::{ExposeSecret, Secret, SecretError, SecretRef};
use crate::validate::{ValidBase, ValidExam};
use std::path::Path;

/// The secrets of one exam, by the file and JSON pointer that referenced them.
#[derive(Debug, Default)]
pub struct ResolvedSecrets {
    entries: Vec<(String, String, Secret)>,
}

impl ResolvedSecrets {
    /// The bytes of the secret at `pointer` in `file` (a diagnostic's file name), if one was there.
    pub fn get(&self, file: &str, pointer: &str) -> Option<&[u8]> {
        self.entries
            .iter()
            .find(|(f, p, _)| f == file && p == pointer)
            .map(|(_, _, s)| s.expose_secret())
    }
}

/// Resolves every secret of the exam and its template bases. All failures are reported at once, each
/// at the reference that failed. `sandbox` is the `--sandbox` policy, if any.
pub fn resolve(
    exam: &ValidExam,
    sandbox: Option<&Sandbox>,
) -> Result<ResolvedSecrets, Vec<Diagnostic>> {
    let mut resolved = ResolvedSecrets::default();
    let mut diags = Vec::new();
    let templates = exam.bases.iter().filter_map(|b| match b {
        ValidBase::Template { source, .. } => Some(&**source),
        ValidBase::Plist { .. } => None,
    });
    for source in templates.chain(std::iter::once(&exam.source)) {
        resolve_document(source, sandbox, &mut resolved, &mut diags);
    }
    if diags.is_empty() {
        Ok(resolved)
    } else {
        Err(diags)
    }
}

fn resolve_document(
    src: &LoadedExam,
    sandbox: Option<&Sandbox>,
    out: &mut ResolvedSecrets,
    diags: &mut Vec<Diagnostic>,
) {
    let base_dir = src.path.parent().unwrap_or(Path::new(""));
    // The passwords of encrypted bases (`/extends/*/password`) were resolved by load.
    for pointer in secret_pointers().iter().filter(|p| !p.contains('*')) {
        let Some(value) = crate::pointer::get(&src.value, pointer).filter(|v| !v.is_null()) else {
            continue; // absent, or `null`: a password a base set, removed
        };
        let result = serde_json::from_value::<SecretRef>(value.clone())
            .map_err(|_| SecretError::Unavailable("not a secret reference".to_string()))
            .and_then(|r| r.resolve(base_dir, sandbox));
        let err = match result {
            Ok(secret) => {
                out.entries
                    .push((src.display.clone(), pointer.to_string(), secret));
                continue;
            }
            Err(err) => err,
        };
        let (code, hint) = err.code_and_hint();
        let msg = err.to_string();
        diags.push(
            Diagnostic::error(
                code,
                format!("cannot read `{}`: {msg}", pointer.trim_start_matches('/')),
            )
            .at(&src.display, src.map.value(pointer))
            .pointer(*pointer)
            .hint(hint),
        );
    }
}
