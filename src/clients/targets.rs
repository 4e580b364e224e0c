//! The releases an exam targets: `clients:` in the exam (or, when the exam has none, in its last base
//! template that has one), overridden by `--clients`; by default every client platform at its current
//! release and no SEB Server. Parsing, checking against the known releases, and writing targets back as
//! a `clients:` snippet or a `--clients` value.

use super::{ClientData, Platform, Release};
use crate::diagnostic::Diagnostic;
use crate::exam::{ClientTarget, ClientsSection};
use crate::validate::{ValidBase, ValidExam};

/// One platform's target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Not used.
    Off,
    /// Releases `min` up to `max` (`None`: up to the newest known).
    Range { min: Release, max: Option<Release> },
}

/// A target per platform ([`Platform::ALL`] order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Targets(pub [Target; 4]);

impl Default for Targets {
    /// Every client platform at its current release; SEB Server not targeted.
    fn default() -> Self {
        let data = ClientData::get();
        let current = |p| {
            data.newest(p)
                .map_or(Target::Off, |r| Target::Range { min: r, max: None })
        };
        Targets([
            current(Platform::Windows),
            current(Platform::Macos),
            current(Platform::Ios),
            Target::Off,
        ])
    }
}

impl Targets {
    pub fn get(&self, p: Platform) -> Target {
        self.0[p.index()]
    }

    pub fn set(&mut self, p: Platform, t: Target) {
        self.0[p.index()] = t;
    }

    /// `--clients windows=3.5,ios=3.4,macos=false`: the defaults with the platforms named replaced.
    pub fn parse_cli(text: &str) -> Result<Targets, String> {
        let mut targets = Targets::default();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, value) = part
                .split_once('=')
                .ok_or_else(|| format!("--clients: `{part}` is not PLATFORM=RELEASE"))?;
            let p = Platform::from_key(name.trim()).ok_or_else(|| {
                format!("--clients: unknown platform `{name}` (windows, macos, ios, sebServer)")
            })?;
            let t = parse_target(p, value.trim()).map_err(|e| format!("--clients {name}: {e}"))?;
            targets.set(p, t);
        }
        Ok(targets)
    }

    /// The `clients:` section as YAML flow mapping (`clients: { windows: false, ios: "3.4" }`).
    pub fn to_yaml(&self) -> String {
        let parts: Vec<String> = self
            .shown()
            .map(|(p, t)| match t {
                Target::Off => format!("{}: false", p.key()),
                _ => format!("{}: \"{}\"", p.key(), render(t)),
            })
            .collect();
        format!("clients: {{ {} }}", parts.join(", "))
    }

    /// The same targets as a `--clients` value.
    pub fn to_cli(&self) -> String {
        let parts: Vec<String> = self
            .shown()
            .map(|(p, t)| match t {
                Target::Off => format!("{}=false", p.key()),
                _ => format!("{}={}", p.key(), render(t)),
            })
            .collect();
        parts.join(",")
    }

    /// Client platforms always; SEB Server only when targeted.
    fn shown(&self) -> impl Iterator<Item = (Platform, Target)> + '_ {
        Platform::ALL
            .into_iter()
            .map(|p| (p, self.get(p)))
            .filter(|(p, t)| *p != Platform::SebServer || *t != Target::Off)
    }
}

fn render(t: Target) -> String {
    match t {
        Target::Off => "false".to_string(),
        Target::Range { min, max: None } => min.to_string(),
        Target::Range {
            min,
            max: Some(max),
        } => format!("{min}..{max}"),
    }
}

/// `"3.5"`, `"3.2..3.5"`, `true`/`"true"` (the current release), `false`/`"false"`; each release must be
/// one the client data knows.
fn parse_target(p: Platform, text: &str) -> Result<Target, String> {
    let data = ClientData::get();
    let known = data.releases(p);
    let known_list = || {
        known
            .iter()
            .map(Release::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let release = |s: &str| -> Result<Release, String> {
        let r = Release::parse(s).ok_or_else(|| {
            format!("`{s}` is not a release (MAJOR.MINOR, e.g. \"3.5\"), `true` or `false`")
        })?;
        if known.contains(&r) {
            Ok(r)
        } else {
            Err(format!(
                "sebc's client data has no {} release {r}: known are {}",
                p.name(),
                known_list()
            ))
        }
    };
    match text {
        "false" => Ok(Target::Off),
        "true" => data
            .newest(p)
            .map(|r| Target::Range { min: r, max: None })
            .ok_or_else(|| format!("no {} releases are known", p.name())),
        _ => match text.split_once("..") {
            Some((a, b)) => {
                let (min, max) = (release(a)?, release(b)?);
                if min > max {
                    return Err(format!(
                        "the range {text} is empty (write \"{max}..{min}\")"
                    ));
                }
                Ok(Target::Range {
                    min,
                    max: Some(max),
                })
            }
            None => Ok(Target::Range {
                min: release(text)?,
                max: None,
            }),
        },
    }
}

/// The exam's targets: `cli` (`--clients`) if given, else the exam's `clients:`, else that of the last
/// base template with one, else the defaults. A release sebc does not know is a `client-target` error.
pub fn targets_of(exam: &ValidExam, cli: Option<Targets>) -> (Targets, Vec<Diagnostic>) {
    if let Some(t) = cli {
        return (t, Vec::new());
    }
    let from_template = exam.bases.iter().rev().find_map(|b| match b {
        ValidBase::Template { source, template } => template
            .clients
            .as_ref()
            .map(|c| (source.display.as_str(), &source.map, c)),
        ValidBase::Plist { .. } => None,
    });
    let found = match &exam.exam.clients {
        Some(c) => Some((exam.source.display.as_str(), &exam.source.map, c)),
        None => from_template,
    };
    let Some((file, map, section)) = found else {
        return (Targets::default(), Vec::new());
    };
    let mut targets = Targets::default();
    let mut diags = Vec::new();
    for (p, value) in entries(section) {
        let Some(value) = value else { continue };
        let text = match value {
            ClientTarget::Release(s) => s.clone(),
            ClientTarget::Used(b) => b.to_string(),
        };
        match parse_target(p, &text) {
            Ok(t) => targets.set(p, t),
            Err(msg) => {
                let pointer = format!("/clients/{}", p.key());
                diags.push(
                    Diagnostic::error("client-target", msg)
                        .at(file, map.value(&pointer))
                        .pointer(pointer)
                        .hint("give a release the data knows (`sebc settings startURL` lists them), or rebuild the data with scripts/build-client-data.py"),
                );
            }
        }
    }
    (targets, diags)
}

fn entries(c: &ClientsSection) -> [(Platform, Option<&ClientTarget>); 4] {
    [
        (Platform::Windows, c.windows.as_ref()),
        (Platform::Macos, c.macos.as_ref()),
        (Platform::Ios, c.ios.as_ref()),
        (Platform::SebServer, c.seb_server.as_ref()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_targets_replace_the_platforms_named_and_round_trip() {
        let t = Targets::parse_cli("windows=3.5, ios=3.4,macos=false,sebServer=2.2").unwrap();
        assert_eq!(
            t.get(Platform::Windows),
            Target::Range {
                min: Release::parse("3.5").unwrap(),
                max: None
            }
        );
        assert_eq!(t.get(Platform::Macos), Target::Off);
        assert_eq!(t.to_cli(), "windows=3.5,macos=false,ios=3.4,sebServer=2.2");
        assert_eq!(
            t.to_yaml(),
            r#"clients: { windows: "3.5", macos: false, ios: "3.4", sebServer: "2.2" }"#
        );
        assert_eq!(Targets::parse_cli(&t.to_cli()).unwrap(), t);
        let r = Targets::parse_cli("windows=3.2..3.6").unwrap();
        assert_eq!(r.to_cli().split(',').next(), Some("windows=3.2..3.6"));
        assert!(Targets::parse_cli("linux=1.0").is_err());
        assert!(Targets::parse_cli("windows=2.9").is_err());
        assert!(Targets::parse_cli("windows=3.6..3.2").is_err());
        assert!(Targets::parse_cli("windows").is_err());
    }
}
