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
use crate::merge::{Merged, is_table};
use crate::proctoring::Plan;
use seb_format::container::{self, Protection};
use seb_format::plist::{PlistStyle, write_xml};
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
/// The error is a diagnostic still to be placed.
pub fn render(
    settings: &plist::Dictionary,
    format: OutputFormat,
    style: PlistStyle,
    protection: Protection<'_>,
) -> Result<(Vec<u8>, String), Diagnostic> {
    render_kept(settings, &|_| false, format, style, protection)
}

/// [`render`] of settings made from SEB's defaults where `kept(key)` is true only for entries that
/// hold the default untouched ([`Merged::holds_default`]): those are copied without being compared.
pub fn render_kept(
    settings: &plist::Dictionary,
    kept: &dyn Fn(&str) -> bool,
    format: OutputFormat,
    style: PlistStyle,
    protection: Protection<'_>,
) -> Result<(Vec<u8>, String), Diagnostic> {
    // Rendering the defaults in advance costs about what writing two exams' settings does: the first
    // configurations of a process are written straightforwardly (the same bytes, tests/fast_path.rs).
    static RENDERS: AtomicUsize = AtomicUsize::new(0);
    let written = if RENDERS.fetch_add(1, Ordering::Relaxed) < 2 {
        write_xml(settings, style, &is_table)
            .map(|xml| (xml, seb_format::configkey::config_key(settings)))
    } else {
        defaults_rendered().write_xml_and_key_kept(settings, style, &is_table, kept)
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
    // The exam's own configuration is the merged settings as they are (no copy of its ~400 keys).
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
    for (i, (name, settings, private)) in configs.iter().enumerate() {
        // The exam's own configuration is `merged.settings`: its untouched defaults are known.
        let own = |k: &str| i == 0 && merged.holds_default(k);
        let (bytes, config_key) = render_kept(
            settings,
            &own,
            layout.format,
            layout.style,
            layout.protection,
        )?;
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
