//! The secret a `.seb` output is encrypted with, from the exam's `output.encryption` and the resolved
//! secrets (or the CLI's password), as the container's protection and as the keys that open it again.

use crate::exam::Encryption;
use crate::resolve::ResolvedSecrets;
use crate::secret::{ExposeSecret, Secret};
use crate::validate::ValidExam;
use seb_format::container::{Keys, Protection};

/// The secret a `.seb` output is encrypted with.
pub enum OutputKey {
    None { raw_xml: bool },
    Password(Secret),
    ConfiguringClient(Option<Secret>),
}

impl OutputKey {
    /// From `password` (`--password-env`/`--password-file`), else the exam's `output.encryption` with its resolved
    /// password (`pwcc`: the exam's own `seb.adminPassword`, or the empty key).
    pub fn of(
        exam: &ValidExam,
        secrets: &ResolvedSecrets,
        password: Option<&Secret>,
        raw_xml: bool,
    ) -> OutputKey {
        let copy = |bytes: &[u8]| Secret::from(bytes.to_vec());
        if let Some(pw) = password {
            return OutputKey::Password(copy(pw.expose_secret()));
        }
        let file = &exam.source.display;
        match &exam.exam.output.encryption {
            Encryption::None => OutputKey::None { raw_xml },
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
    pub fn reader_keys(&self) -> Keys<'_> {
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

    pub fn protection(&self) -> Protection<'_> {
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
