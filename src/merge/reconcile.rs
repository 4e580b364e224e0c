//! Reconciling the exam's proctoring services with the Proctoring tab (merge's last layer): a service
//! that is on implies its switch (`jitsiMeetEnable`, `zoomEnable`, `enableScreenProctoring`); a switch
//! set against it is an error naming both places; two live services at once are an error; Proctoring-tab
//! settings of a service that is off are dead (a warning).

use super::{Layer, Merged};
use crate::diagnostic::{Diagnostic, Pos};
use crate::exam::ProctoringServerType;
use crate::load::LoadedExam;
use crate::validate::ValidExam;
use plist::Value as P;

/// One switch the services imply.
struct Switch {
    key: &'static str,
    /// Whether the exam's services turn it on.
    on: bool,
    /// The service setting that does.
    pointer: &'static str,
    what: &'static str,
}

/// Applies what the services imply to `m` and reports contradictions and dead settings.
pub(super) fn reconcile_services(m: &mut Merged, diags: &mut Vec<Diagnostic>, exam: &ValidExam) {
    let live = exam
        .exam
        .service
        .as_ref()
        .filter(|s| s.enable_proctoring)
        .map(|s| s.server_type);
    let screen = exam
        .exam
        .screen_proctoring
        .as_ref()
        .is_some_and(|s| s.enable_screen_proctoring);
    let switches = [
        Switch {
            key: "jitsiMeetEnable",
            on: live == Some(ProctoringServerType::JitsiMeet),
            pointer: "/service/enableProctoring",
            what: "the Jitsi Meet service",
        },
        Switch {
            key: "zoomEnable",
            on: live == Some(ProctoringServerType::Zoom),
            pointer: "/service/enableProctoring",
            what: "the Zoom service",
        },
        Switch {
            key: "enableScreenProctoring",
            on: screen,
            pointer: "/screenProctoring/enableScreenProctoring",
            what: "screen proctoring",
        },
    ];
    for switch in &switches {
        reconcile_switch(m, diags, &exam.source, switch);
    }
    check_one_live_service(m, diags, &exam.source);
    check_dead_tab_settings(m, diags);
}

/// One switch: set it from the service, or report an author's setting that contradicts the service.
fn reconcile_switch(m: &mut Merged, diags: &mut Vec<Diagnostic>, src: &LoadedExam, s: &Switch) {
    let Switch {
        key,
        on,
        pointer,
        what,
    } = *s;
    let explicit = match (m.settings.get(key), m.origin(key)) {
        (Some(P::Boolean(b)), Some(layer @ (Layer::File { .. } | Layer::Base { .. }))) => {
            Some((*b, layer.clone()))
        }
        _ => None,
    };
    match (on, explicit) {
        (true, Some((false, layer))) => {
            let (file, at, label) = place(&layer, src);
            diags.push(
                Diagnostic::error(
                    "proctoring-conflict",
                    format!("`{key}` is set to false, but {pointer} turns {what} on"),
                )
                .at(&src.display, src.map.value(pointer))
                .pointer(pointer)
                .related(&file, at, label)
                .hint(format!(
                    "remove `{key}` (sebc sets it from the service) or disable {what}"
                )),
            )
        }
        (true, _) => m.set(
            key,
            P::Boolean(true),
            Layer::Service {
                pointer: pointer.to_string(),
            },
        ),
        (false, Some((true, layer))) => {
            let (at_file, at) = layer_position(&layer, src);
            let d = if key == "enableScreenProctoring" {
                Diagnostic::error("proctoring-conflict", format!("`{key}` is true, but the exam has no enabled `screenProctoring` service"))
                    .hint("configure screenProctoring (enableScreenProctoring: true, spsServiceURL, ...) or remove the switch")
            } else {
                Diagnostic::warning("dead-setting", format!("`{key}` is true, but the exam's `service` does not enable {what}"))
                    .hint("SEB only joins rooms that a service assigns; enable it in `service` or remove the switch")
            };
            let pointer = match &layer {
                Layer::File { pointer, .. } => pointer.clone(),
                _ => format!("/{key}"),
            };
            diags.push(d.at(&at_file, at).pointer(pointer));
        }
        _ => {}
    }
}

/// SEB joins one live proctoring service: both switches on is an error.
fn check_one_live_service(m: &Merged, diags: &mut Vec<Diagnostic>, src: &LoadedExam) {
    if matches!(m.settings.get("jitsiMeetEnable"), Some(P::Boolean(true)))
        && matches!(m.settings.get("zoomEnable"), Some(P::Boolean(true)))
    {
        let (file, at) = m
            .origin("zoomEnable")
            .map(|l| layer_position(l, src))
            .unwrap_or_default();
        diags.push(
            Diagnostic::error("proctoring-conflict", "both `jitsiMeetEnable` and `zoomEnable` are true")
                .at(&file, at)
                .hint("SEB joins one live proctoring service; the exam's `service.serverType` decides which"),
        );
    }
}

/// `jitsiMeet*`/`zoom*` settings an author wrote while their service's switch is off do nothing.
fn check_dead_tab_settings(m: &Merged, diags: &mut Vec<Diagnostic>) {
    for (prefix, switch) in [("jitsiMeet", "jitsiMeetEnable"), ("zoom", "zoomEnable")] {
        if matches!(m.settings.get(switch), Some(P::Boolean(true))) {
            continue;
        }
        for (key, layer) in &m.origins {
            if let Layer::File {
                file,
                line,
                col,
                pointer,
            } = layer
                && key.starts_with(prefix)
                && key != switch
            {
                diags.push(
                    Diagnostic::warning(
                        "dead-setting",
                        format!("`{key}` has no effect: `{switch}` is off"),
                    )
                    .at(
                        file,
                        Pos {
                            line: *line,
                            col: *col,
                        },
                    )
                    .pointer(pointer)
                    .hint(format!(
                        "enable the service in `service`, or remove the {prefix}* settings"
                    )),
                );
            }
        }
    }
}

/// Where a layer set a switch to false, as the related place of a conflict: file, position, label.
fn place(layer: &Layer, src: &LoadedExam) -> (String, Pos, &'static str) {
    let (file, at) = layer_position(layer, src);
    let label = match layer {
        Layer::Base { .. } => "set to false by this base",
        _ => "set to false here",
    };
    (file, at, label)
}

/// Where a layer set a key, for diagnostics (the exam file itself for defaults and services).
fn layer_position(layer: &Layer, src: &LoadedExam) -> (String, Pos) {
    match layer {
        Layer::File {
            file, line, col, ..
        } => (
            file.clone(),
            Pos {
                line: *line,
                col: *col,
            },
        ),
        Layer::Base { file } => (file.clone(), Default::default()),
        _ => (src.display.clone(), Default::default()),
    }
}

#[cfg(test)]
mod tests {
    use super::super::{MergeOptions, merged_from};
    use super::*;

    const MINIMAL: MergeOptions = MergeOptions { minimal: true };
    const JITSI: &str = "service:\n  enableProctoring: true\n  serverType: JITSI_MEET\n  \
                         serverURL: https://meet.example.org\n  appKey: k\n  appSecret: s\n";

    fn codes(diags: &[Diagnostic]) -> Vec<&str> {
        diags.iter().map(|d| d.code).collect()
    }

    #[test]
    fn an_enabled_service_turns_its_switch_on() {
        let (m, diags) = merged_from(&format!("exam: {{ id: e }}\n{JITSI}"), MINIMAL);
        let m = m.unwrap_or_else(|| panic!("{diags:?}"));
        assert_eq!(m.settings["jitsiMeetEnable"], P::Boolean(true));
        assert_eq!(
            m.origins["jitsiMeetEnable"],
            Layer::Service {
                pointer: "/service/enableProctoring".into()
            }
        );
        assert!(!m.settings.contains_key("zoomEnable"));
    }

    #[test]
    fn a_switch_set_against_the_service_is_one_error_naming_both_places() {
        let yaml = format!("exam: {{ id: e }}\nproctoring:\n  jitsiMeetEnable: false\n{JITSI}");
        let (m, diags) = merged_from(&yaml, MINIMAL);
        assert!(m.is_none());
        assert_eq!(codes(&diags), ["proctoring-conflict"]);
        let d = &diags[0];
        assert_eq!(
            (d.pointer.as_str(), d.line),
            ("/service/enableProctoring", 5)
        );
        assert_eq!(d.related.len(), 1);
        assert_eq!((d.related[0].line, d.related[0].col), (3, 20));
    }

    #[test]
    fn tab_settings_of_a_service_that_is_off_are_dead() {
        let yaml =
            "exam: { id: e }\nproctoring:\n  zoomAudioMuted: true\n  jitsiMeetEnable: true\n";
        let (m, diags) = merged_from(yaml, MINIMAL);
        assert!(m.is_some(), "warnings only: {diags:?}");
        assert_eq!(codes(&diags), ["dead-setting", "dead-setting"]);
        assert!(diags.iter().all(|d| !d.is_error()));
        assert!(
            diags
                .iter()
                .any(|d| d.pointer == "/proctoring/zoomAudioMuted")
        );
        assert!(
            diags
                .iter()
                .any(|d| d.pointer == "/proctoring/jitsiMeetEnable")
        );
    }

    #[test]
    fn screen_proctoring_switch_needs_its_service() {
        let yaml = "exam: { id: e }\nproctoring:\n  enableScreenProctoring: true\n";
        let (m, diags) = merged_from(yaml, MINIMAL);
        assert!(m.is_none());
        assert_eq!(codes(&diags), ["proctoring-conflict"]);
        assert_eq!(diags[0].pointer, "/proctoring/enableScreenProctoring");
    }

    #[test]
    fn two_live_services_are_an_error() {
        let yaml = format!("exam: {{ id: e }}\nproctoring:\n  zoomEnable: true\n{JITSI}");
        let (m, diags) = merged_from(&yaml, MINIMAL);
        assert!(m.is_none());
        assert!(
            diags
                .iter()
                .any(|d| d.message == "both `jitsiMeetEnable` and `zoomEnable` are true"),
            "{diags:?}"
        );
    }
}
