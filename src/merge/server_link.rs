//! Screen proctoring needs SEB Server: SEB starts recording only when SEB Server sends it the join
//! instruction (service URL, client credentials, group, session; seb-win-refactoring
//! `SafeExamBrowser.Server/Parser.cs:320-321, 344-361`). A configuration with screen proctoring on that
//! does not connect to SEB Server (merged `sebMode` 0 or an empty `sebServerURL`) records nothing,
//! unless SEB Server itself hands it out, which the exam says with `exam.sebServer: true` (or a
//! `clients.sebServer` target).

use super::Merged;
use crate::diagnostic::Diagnostic;
use crate::exam::ClientTarget;
use crate::validate::ValidExam;
use plist::Value as P;

/// Where the exam turns screen proctoring on.
const POINTER: &str = "/screenProctoring/enableScreenProctoring";

/// An error when the exam's screen proctoring is on in `m` but nothing connects SEB to SEB Server.
pub(super) fn check_server_link(m: &Merged, exam: &ValidExam, diags: &mut Vec<Diagnostic>) {
    let service_on = exam
        .exam
        .screen_proctoring
        .as_ref()
        .is_some_and(|s| s.enable_screen_proctoring);
    if !service_on
        || !matches!(
            m.settings.get("enableScreenProctoring"),
            Some(P::Boolean(true))
        )
    {
        return;
    }
    let served = exam.exam.exam.seb_server
        || exam
            .exam
            .clients
            .as_ref()
            .and_then(|c| c.seb_server.as_ref())
            .is_some_and(|t| *t != ClientTarget::Used(false));
    if served {
        return;
    }
    let seb_mode = m
        .settings
        .get("sebMode")
        .and_then(P::as_signed_integer)
        .unwrap_or(0);
    let url = m
        .settings
        .get("sebServerURL")
        .and_then(P::as_string)
        .unwrap_or("");
    if seb_mode == 1 && !url.trim().is_empty() {
        return;
    }
    let missing = match (seb_mode == 1, url.trim().is_empty()) {
        (false, true) => format!("`sebMode` is {seb_mode} and `sebServerURL` is empty"),
        (false, false) => format!("`sebMode` is {seb_mode}"),
        _ => "`sebServerURL` is empty".to_string(),
    };
    let src = &exam.source;
    diags.push(
        Diagnostic::error(
            "screen-proctoring-without-server",
            format!(
                "screen proctoring is on, but the configuration does not connect to SEB Server ({missing}): SEB records only when SEB Server sends it the join instruction, so nothing would be recorded"
            ),
        )
        .at(&src.display, src.map.value(POINTER))
        .pointer(POINTER)
        .hint("if this configuration is imported into SEB Server as the exam's configuration, write `sebServer: true` in `exam:`; otherwise connect SEB to SEB Server with `sebMode: 1` and `sebServerURL` (and `sebServerConfiguration`) in `seb:`"),
    );
}

#[cfg(test)]
mod tests {
    use crate::merge::{MergeOptions, merged_from};

    const SPS: &str = "screenProctoring:\n  enableScreenProctoring: true\n  bundled: true\n  spsCollectingGroupName: Lab\n";

    fn codes(yaml: &str, opts: MergeOptions) -> Vec<(&'static str, String)> {
        let (_, diags) = merged_from(yaml, opts);
        diags.into_iter().map(|d| (d.code, d.pointer)).collect()
    }

    fn both(yaml: &str) -> Vec<(&'static str, String)> {
        let full = codes(yaml, MergeOptions { minimal: false });
        assert_eq!(full, codes(yaml, MergeOptions { minimal: true }), "{yaml}");
        full
    }

    #[test]
    fn screen_proctoring_without_seb_server_is_an_error() {
        let error = [(
            "screen-proctoring-without-server",
            "/screenProctoring/enableScreenProctoring".to_string(),
        )];
        assert_eq!(both(&format!("exam: {{ id: e }}\n{SPS}")), error);
        assert_eq!(
            both(&format!("exam: {{ id: e }}\nseb: {{ sebMode: 1 }}\n{SPS}")),
            error,
            "no URL"
        );
        assert_eq!(
            both(&format!(
                "exam: {{ id: e }}\nseb: {{ sebServerURL: \"https://seb.example.org\" }}\n{SPS}"
            )),
            error,
            "sebMode 0"
        );
    }

    #[test]
    fn a_seb_server_connection_or_the_exams_word_is_enough() {
        for head in [
            "exam: { id: e }\nseb: { sebMode: 1, sebServerURL: \"https://seb.example.org\" }\n",
            "exam: { id: e, sebServer: true }\n",
            "exam: { id: e }\nclients: { sebServer: \"2.2\" }\n",
        ] {
            assert_eq!(both(&format!("{head}{SPS}")), [], "{head}");
        }
        assert_eq!(
            both("exam: { id: e }\nscreenProctoring: { enableScreenProctoring: false }\n"),
            [],
            "off"
        );
    }
}
