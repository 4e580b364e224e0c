//! Stage 4, emit: an exam's output files in memory — the canonical plist of the merged settings (in a
//! `.seb` container when asked), one configuration per collecting room with `--per-room`, and
//! `<id>.server.json` — named here, and written atomically or compared with what is on disk ([`files`]).
//! SEB's defaults are rendered once per process ([`defaults_rendered`]) and copied into each exam's plist.

pub mod files;
mod key;
mod server;

pub use files::{Freshness, freshness, write_atomic};
pub use key::OutputKey;
pub use server::server_json;

use crate::diagnostic::Diagnostic;
use crate::exam::{ExamFile, OutputFormat, RoomType};
use crate::merge::{Merged, SettingsOverlay, is_table};
use crate::proctoring::Plan;
use seb_format::container::{self, Protection};
use seb_format::plist::PlistStyle;
use seb_format::prerendered::Prerendered;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

/// SEB's defaults (every exam's settings but a few), rendered once per process: each exam copies the
/// XML and SEB-JSON of the defaults it keeps and renders only what it changes.
pub fn defaults_rendered() -> &'static Prerendered {
    static RENDERED: OnceLock<Prerendered> = OnceLock::new();
    RENDERED.get_or_init(|| Prerendered::new(crate::merge::default_settings(), &is_table))
}

/// The bytes of one configuration file — the canonical plist XML of `settings`, inside a `.seb`
/// container when the format asks for one — and the settings' Config Key, computed in the same pass.
/// Settings over SEB's defaults copy the XML and SEB-JSON of every default they keep and render only
/// their changes. The error is a diagnostic still to be placed.
pub fn render(
    settings: &SettingsOverlay,
    format: OutputFormat,
    style: PlistStyle,
    protection: Protection<'_>,
) -> Result<(Vec<u8>, String), Diagnostic> {
    // Rendering the defaults in advance costs about what writing two exams' settings does: the first
    // configurations of a process are written straightforwardly (the same bytes, tests/fast_path.rs).
    static RENDERS: AtomicUsize = AtomicUsize::new(0);
    let over_defaults = settings.base().is_defaults();
    let written = if over_defaults && RENDERS.fetch_add(1, Ordering::Relaxed) >= 2 {
        let changed: Vec<(&str, &plist::Value)> = settings.changed().collect();
        let removed = settings.removed_from_base();
        defaults_rendered().write_xml_and_key_of_changes(&changed, &removed, style, &is_table)
    } else {
        // Every entry rendered now: the changes to an empty dictionary.
        static NOTHING: OnceLock<Prerendered> = OnceLock::new();
        let entries: Vec<(&str, &plist::Value)> = settings.iter().collect();
        NOTHING
            .get_or_init(Prerendered::default)
            .write_xml_and_key_of_changes(&entries, &[], style, &is_table)
    };
    // Load refuses such characters in exam files and the plist reader in bases; this is the guarantee.
    let (xml, key) = written.map_err(|e| {
        Diagnostic::error("invalid-character", e.to_string()).hint(
            "remove the character from the setting, in the exam file or the base that sets it",
        )
    })?;
    let bytes = match format {
        OutputFormat::Plist => xml,
        OutputFormat::Seb => {
            let seb = container::encode(&xml, protection);
            seb_format::plist::recycle_buffer(xml);
            seb.map_err(|e| Diagnostic::error("encrypt", e))?
        }
    };
    Ok((bytes, key))
}

/// How an exam's files are rendered.
pub struct Layout<'a> {
    pub out_dir: &'a Path,
    pub format: OutputFormat,
    pub style: PlistStyle,
    /// The container's protection of every configuration.
    pub protection: Protection<'a>,
    /// One configuration per collecting room (`<id>-room-N`), with the room's join settings.
    pub per_room: bool,
    /// One configuration per roster participant (`<id>-participant-<participant id>`), with their own
    /// token.
    pub per_participant: bool,
}

/// One configuration file and the Config Key of the settings in it.
pub struct Configuration {
    pub path: PathBuf,
    pub config_key: String,
}

/// One file to write: its path, bytes, and whether it is private (holds tokens: mode 0600).
pub struct OutputFile {
    pub path: PathBuf,
    pub bytes: Vec<u8>,
    pub private: bool,
}

/// An exam's outputs, rendered in memory.
pub struct Rendered {
    /// The exam's configuration, then one per room with `--per-room`.
    pub configurations: Vec<Configuration>,
    /// Every file, in the order they are written: configurations first, the server file last.
    pub files: Vec<OutputFile>,
}

/// Renders every output of one exam: `<id>.seb`/`.plist`, `<id>-room-N.*` with `--per-room`, and
/// `<id>.server.json`. The error is a diagnostic still to be placed.
pub fn render_exam(
    exam: &ExamFile,
    merged: &Merged,
    plan: Option<&Plan>,
    layout: &Layout<'_>,
) -> Result<Rendered, Diagnostic> {
    let id = &exam.exam.id;
    let ext = match layout.format {
        OutputFormat::Plist => "plist",
        OutputFormat::Seb => "seb",
    };
    // The exam's own configuration is the merged settings as they are (no copy of its entries); a
    // room's or a participant's copies the exam's changes over the defaults and adds its own.
    let mut configs = vec![(
        format!("{id}.{ext}"),
        std::borrow::Cow::Borrowed(&merged.settings),
        false,
    )];
    if let (true, Some(plan)) = (layout.per_room, plan) {
        for room in plan
            .rooms
            .iter()
            .filter(|r| r.room.room_type == RoomType::Proctoring)
        {
            let mut settings = merged.settings.clone();
            for (k, v) in room.settings() {
                settings.insert(k.to_string(), plist::Value::String(v));
            }
            // A room's configuration holds its token: private.
            configs.push((
                format!("{id}-room-{}.{ext}", room.room.number),
                std::borrow::Cow::Owned(settings),
                true,
            ));
        }
    }
    let room_configs = configs.len() - 1;
    if let (true, Some(plan)) = (layout.per_participant, plan) {
        for seat in &plan.seats {
            let mut settings = merged.settings.clone();
            for (k, v) in seat.settings() {
                settings.insert(k.to_string(), plist::Value::String(v));
            }
            configs.push((
                format!("{id}-participant-{}.{ext}", seat.id),
                std::borrow::Cow::Owned(settings),
                true,
            ));
        }
    }
    let mut rendered = Rendered {
        configurations: Vec::with_capacity(configs.len()),
        files: Vec::with_capacity(configs.len() + 1),
    };
    for (name, settings, private) in &configs {
        let (bytes, config_key) = render(settings, layout.format, layout.style, layout.protection)?;
        let path = layout.out_dir.join(name);
        rendered.configurations.push(Configuration {
            path: path.clone(),
            config_key,
        });
        rendered.files.push(OutputFile {
            path,
            bytes,
            private: *private,
        });
    }
    let room_files: Vec<&str> = configs[1..=room_configs]
        .iter()
        .map(|(n, _, _)| n.as_str())
        .collect();
    let seat_files: Vec<&str> = configs[room_configs + 1..]
        .iter()
        .map(|(n, _, _)| n.as_str())
        .collect();
    let server = server_json(
        exam,
        &rendered.configurations[0].config_key,
        &configs[0].0,
        plan,
        &room_files,
        &seat_files,
    );
    rendered.files.push(OutputFile {
        path: layout.out_dir.join(format!("{id}.server.json")),
        bytes: server,
        private: true,
    });
    Ok(rendered)
}
