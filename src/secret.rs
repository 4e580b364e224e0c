//! Secret references (`{ env: NAME }`, `{ file: PATH }`, or a literal with a warning) and the one
//! type that holds a resolved secret. `Secret` has no `Debug`/`Display` of its bytes and zeroes on drop,
//! so a secret cannot end up in a log line, error message or snapshot by accident.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::path::Path;

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

/// A resolved secret. Its bytes are only reachable through [`Secret::expose`].
pub struct Secret(Vec<u8>);

impl Secret {
    pub fn new(bytes: Vec<u8>) -> Self {
        Secret(bytes)
    }
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

impl SecretRef {
    /// Describes the reference without revealing a literal (for messages).
    pub fn describe(&self) -> String {
        match self {
            SecretRef::Env(e) => format!("environment variable `{}`", e.env),
            SecretRef::File(f) => format!("file `{}`", f.file),
            SecretRef::Literal(_) => "literal value".to_string(),
        }
    }

    /// Resolves the secret. `base_dir` is the directory of the exam file for relative paths.
    /// Errors describe where the secret should have come from, never its value.
    pub fn resolve(&self, base_dir: &Path) -> Result<Secret, String> {
        match self {
            SecretRef::Env(e) => match std::env::var_os(&e.env) {
                Some(v) => v
                    .into_string()
                    .map(|s| Secret::new(s.into_bytes()))
                    .map_err(|_| format!("environment variable `{}` is not valid UTF-8", e.env)),
                None => Err(format!("environment variable `{}` is not set", e.env)),
            },
            SecretRef::File(f) => {
                let path = base_dir.join(&f.file);
                let mut bytes = std::fs::read(&path).map_err(|err| {
                    format!(
                        "cannot read secret file `{}`: {}",
                        f.file,
                        crate::load::io_reason(&err)
                    )
                })?;
                if bytes.ends_with(b"\r\n") {
                    bytes.truncate(bytes.len() - 2);
                } else if bytes.ends_with(b"\n") {
                    bytes.truncate(bytes.len() - 1);
                }
                Ok(Secret::new(bytes))
            }
            SecretRef::Literal(s) => Ok(Secret::new(s.clone().into_bytes())),
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
        assert_eq!(
            format!("{:?}", Secret::new(b"hunter2".to_vec())),
            "Secret(..)"
        );
    }

    #[test]
    fn file_secret_strips_one_newline() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("pw"), "s3cret\n").unwrap();
        let r = SecretRef::File(FileRef { file: "pw".into() });
        assert_eq!(r.resolve(dir.path()).unwrap().expose(), b"s3cret");
        let missing = SecretRef::Env(EnvRef {
            env: "SEBC_TEST_SURELY_UNSET".into(),
        });
        assert_eq!(
            missing.resolve(dir.path()).unwrap_err(),
            "environment variable `SEBC_TEST_SURELY_UNSET` is not set"
        );
    }
}
