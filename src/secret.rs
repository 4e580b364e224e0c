//! Secret references (`{ env: NAME }`, `{ file: PATH }`, or a literal with a warning), the one
//! resolver that turns a reference into bytes (exam files and the CLI's `--*-env`/`--*-file` alike),
//! and the type that holds them: a `secrecy` box that zeroes on drop and never prints its bytes.
//! Under `--sandbox` the resolver reads no file at all (see [`crate::sandbox`]).
//! (`crate::load::literals` finds the literal secrets of a document, which diagnostics must never echo.)

use crate::sandbox::Sandbox;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// True when a key's name says its value may be secret (`appSecret`, `hashedQuitPassword`,
/// `jitsiMeetToken`): such values are never quoted back in explanations. (Not `…Key`: SEB's
/// `allowStickyKeys` and `exitKey1` are keyboard keys.)
pub fn name_suggests_secret(key: &str) -> bool {
    let key = key.to_lowercase();
    ["secret", "password", "token"]
        .iter()
        .any(|w| key.contains(w))
}

/// Where a secret comes from, as written in an exam file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum SecretRef {
    /// `{ env: NAME }`: the value of an environment variable.
    Env(EnvRef),
    /// `{ file: PATH }`: the contents of a file (one trailing newline removed), relative to the exam file.
    File(FileRef),
    /// A literal secret. Accepted with a warning: secrets do not belong in git.
    Literal(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnvRef {
    pub env: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FileRef {
    pub file: String,
}

/// A resolved secret: zeroized on drop, `Debug` redacted, its bytes reachable only through
/// [`ExposeSecret::expose_secret`], so every place that touches one is greppable.
pub type Secret = secrecy::SecretSlice<u8>;
pub use secrecy::ExposeSecret;

/// Why a secret could not be had. Messages say where it should have come from, never its value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    /// The variable is unset, the file missing or unreadable.
    #[error("{0}")]
    Unavailable(String),
    /// The policy forbids the source: a secret file under `--sandbox`.
    #[error("{0}")]
    Refused(String),
}

impl SecretError {
    /// The diagnostic code and hint of this failure, wherever the reference is resolved.
    pub fn code_and_hint(&self) -> (&'static str, &'static str) {
        match self {
            SecretError::Unavailable(_) => (
                "secret-unavailable",
                "set the variable or create the file before running sebc",
            ),
            SecretError::Refused(_) => (
                "sandbox-refused",
                "write `{ env: NAME }` and set NAME in the environment sebc runs in",
            ),
        }
    }
}

/// Largest secret file read (`{ file: PATH }`, `--password-file`): passwords and keys are small.
pub const MAX_SECRET_FILE_BYTES: u64 = 1024 * 1024;

impl SecretRef {
    /// `{ env: NAME }`.
    pub fn env(name: &str) -> SecretRef {
        SecretRef::Env(EnvRef {
            env: name.to_string(),
        })
    }

    /// `{ file: PATH }`.
    pub fn file(path: &Path) -> SecretRef {
        SecretRef::File(FileRef {
            file: path.to_string_lossy().into_owned(),
        })
    }

    /// Resolves the secret. `base_dir` is the directory of the exam file for relative paths. With a
    /// `sandbox`, a file is never read: secrets come from environment variables only (a file inside the
    /// folder would be the untrusted author's, one outside it the machine's).
    pub fn resolve(
        &self,
        base_dir: &Path,
        sandbox: Option<&Sandbox>,
    ) -> Result<Secret, SecretError> {
        use SecretError::{Refused, Unavailable};
        match self {
            SecretRef::Env(e) => match std::env::var_os(&e.env) {
                Some(v) => v
                    .into_string()
                    .map(|s| Secret::from(s.into_bytes()))
                    .map_err(|_| {
                        Unavailable(format!(
                            "environment variable `{}` is not valid UTF-8",
                            e.env
                        ))
                    }),
                None => Err(Unavailable(format!(
                    "environment variable `{}` is not set",
                    e.env
                ))),
            },
            SecretRef::File(f) if sandbox.is_some() => {
                let outside = sandbox
                    .filter(|s| !s.admits(&base_dir.join(&f.file)))
                    .map_or("", |_| ", and this one is outside the sandbox");
                Err(Refused(format!(
                    "secret file `{}` refused: with --sandbox, secrets come only from environment \
                     variables{outside}",
                    f.file
                )))
            }
            SecretRef::File(f) => {
                let path = base_dir.join(&f.file);
                let mut bytes =
                    crate::source::read_bounded(&path, MAX_SECRET_FILE_BYTES).map_err(|err| {
                        Unavailable(format!("cannot read secret file `{}`: {err}", f.file))
                    })?;
                if bytes.ends_with(b"\r\n") {
                    bytes.truncate(bytes.len() - 2);
                } else if bytes.ends_with(b"\n") {
                    bytes.truncate(bytes.len() - 1);
                }
                Ok(Secret::from(bytes))
            }
            SecretRef::Literal(s) => Ok(Secret::from(s.clone().into_bytes())),
        }
    }
}

/// Lowercase hex SHA-256, the form SEB stores settings passwords in (`hashedQuitPassword`).
pub use seb_format::password_hash as sha256_hex;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_vectors_from_seb() {
        assert_eq!(
            sha256_hex(b"seb"),
            "155290511d5c4bfb1369217d6846c8eef1ed6a564579516eaf36cf5598ac92de"
        );
        assert_eq!(
            sha256_hex(b"quit"),
            "8577da2ea54085708b3b851bc50315a36bb740ba5135e747cfb12457b5d3060f"
        );
        assert_eq!(
            sha256_hex(b"blabbedyblubbedy"),
            "4adfa806cb610693a6200e4cdbdafeaf352876a35f964a781d691457df9cd378"
        );
    }

    #[test]
    fn debug_does_not_show_bytes() {
        let shown = format!("{:?}", Secret::from(b"hunter2".to_vec()));
        assert!(
            !shown.contains("hunter2") && !shown.contains("104"),
            "{shown}"
        );
    }

    #[test]
    fn file_secret_strips_one_newline() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("pw"), "s3cret\n").unwrap();
        let r = SecretRef::File(FileRef { file: "pw".into() });
        assert_eq!(
            r.resolve(dir.path(), None).unwrap().expose_secret(),
            b"s3cret"
        );
        let missing = SecretRef::Env(EnvRef {
            env: "SEBC_TEST_SURELY_UNSET".into(),
        });
        assert_eq!(
            missing.resolve(dir.path(), None).unwrap_err().to_string(),
            "environment variable `SEBC_TEST_SURELY_UNSET` is not set"
        );
    }

    #[test]
    fn a_sandbox_refuses_every_secret_file_and_keeps_env() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("pw"), "s3cret\n").unwrap();
        let sandbox = Sandbox::new(dir.path()).unwrap();
        let inside = SecretRef::File(FileRef { file: "pw".into() });
        let err = inside.resolve(dir.path(), Some(&sandbox)).unwrap_err();
        assert!(matches!(err, SecretError::Refused(_)), "{err:?}");
        assert!(!err.to_string().contains("outside"), "{err}");
        let outside = SecretRef::File(FileRef {
            file: "../pw".into(),
        });
        let err = outside.resolve(dir.path(), Some(&sandbox)).unwrap_err();
        assert!(err.to_string().contains("outside the sandbox"), "{err}");
        // PATH is set wherever tests run.
        let env = SecretRef::env("PATH");
        assert!(env.resolve(dir.path(), Some(&sandbox)).is_ok());
    }
}
