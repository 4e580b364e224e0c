//! The checks of live and screen proctoring: the `service` section (SEB Server's
//! `ProctoringServiceSettings` rules and error codes, plus an operator's: Zoom addresses, room sizes,
//! room subjects), the `screenProctoring` section (through [`check_screen_proctoring`]), the fields of
//! SEB Server's GET JSON that are not settings, and the Proctoring-tab settings SEB would misread
//! (screenshot intervals, display names). They read the typed sections of [`TypedDocument`]; the room
//! plan and tokens are the proctoring module's.

use super::document::{Site, TypedDocument};
use super::screen_proctoring::check_screen_proctoring;
use super::server_fields::{
    credential, is_blank, is_missing, is_missing_secret, missing_credentials, server_fields_ignored,
};
use super::server_url::{plain_http_warning, url_problem};
use crate::address::host_of;
use crate::diagnostic::Diagnostic;
use crate::exam::{ProctoringServerType, ServiceSettings};
use serde_json::{Map, Value};

/// SEB Server's defaults of the screenshot intervals (ms), as in the settings catalog.
const SCREENSHOT_MIN_INTERVAL_DEFAULT: i64 = 1000;
const SCREENSHOT_MAX_INTERVAL_DEFAULT: i64 = 5000;

/// The proctoring checks of one exam or template document.
pub(super) fn check_proctoring(doc: &TypedDocument, site: &Site, diags: &mut Vec<Diagnostic>) {
    if let Some(service) = &doc.service {
        check_service(service, doc.server_type_written, site, diags);
    }
    if let Some(sps) = &doc.screen_proctoring {
        check_screen_proctoring(sps, site, diags);
    }
    let tab = ProctoringTab {
        proctoring: doc.proctoring,
        seb: doc.seb,
    };
    check_screenshot_intervals(&tab, site, diags);
    check_display_name(&tab, site, diags);
}

/// The `service` section, whether or not `enableProctoring` is set.
fn check_service(
    service: &ServiceSettings,
    server_type_written: bool,
    site: &Site,
    diags: &mut Vec<Diagnostic>,
) {
    if !server_type_written {
        diags.push(
            site.at_key(
                Diagnostic::warning(
                    "service-type-defaulted",
                    "`serverType` is not set: SEB Server's default is ZOOM",
                ),
                "/service",
            )
            .hint("write serverType: JITSI_MEET or serverType: ZOOM"),
        );
    }
    let mut ignored = Vec::new();
    if service.id.is_some() {
        ignored.push("id");
    }
    if service.service_in_use.is_some() {
        ignored.push("serviceInUse");
    }
    server_fields_ignored("service", &ignored, site, diags);
    check_server_url(service, site, diags);
    if service.jaas.is_some() {
        check_jaas(service, site, diags);
    } else {
        check_service_credentials(service, site, diags);
    }
    check_room_size(service, site, diags);
    check_room_subjects(service, site, diags);
}

/// `serverURL`: mandatory, an http(s) address (plain http a warning towards a public host), and for
/// Zoom Zoom's own API address (a warning: SEB Server accepts any URL, `ProctoringServiceSettings.java:82`,
/// but calls Zoom's API there, `ZoomProctoringService.java:712-720`).
fn check_server_url(service: &ServiceSettings, site: &Site, diags: &mut Vec<Diagnostic>) {
    let Some(url) = service.server_url.as_deref().filter(|u| !is_blank(u)) else {
        diags.push(
            site.at_key(
                Diagnostic::error(
                    "proctoringSettings:serverURL:notNull",
                    "`serverURL` is mandatory",
                ),
                "/service",
            )
            .hint("the proctoring server's address, e.g. https://meet.example.org"),
        );
        return;
    };
    let invalid = |message: String, hint: &str| {
        site.at_value(
            Diagnostic::error("proctoringSettings:serverURL:invalidURL", message),
            "/service/serverURL",
        )
        .hint(hint)
    };
    if let Some(problem) = url_problem(url) {
        diags.push(invalid(
            format!("`serverURL` {problem}"),
            "write the server's address, e.g. https://meet.example.org",
        ));
    } else if service.server_type == ProctoringServerType::Zoom && !is_zoom_api_url(url) {
        diags.push(
            site.at_value(
                Diagnostic::warning(
                    "zoom-server-url",
                    "a Zoom `serverURL` is normally https://zoom.us or https://<org>.zoom.us",
                ),
                "/service/serverURL",
            )
            .hint("SEB Server calls Zoom's API (OAuth and meetings) at this address; write serverURL: https://zoom.us unless Zoom gave you another"),
        );
    } else if let Some(warning) = plain_http_warning(url, site, "/service/serverURL") {
        diags.push(warning);
    }
}

/// The keys and secrets SEB Server requires for the service's server type.
fn check_service_credentials(service: &ServiceSettings, site: &Site, diags: &mut Vec<Diagnostic>) {
    let (server, credentials) = match service.server_type {
        ProctoringServerType::JitsiMeet => (
            "Jitsi Meet",
            vec![
                credential!(
                    "proctoringSettings",
                    "appKey",
                    is_missing(service.app_key.as_deref())
                ),
                credential!(
                    "proctoringSettings",
                    "appSecret",
                    is_missing_secret(service.app_secret.as_ref())
                ),
            ],
        ),
        ProctoringServerType::Zoom => (
            "Zoom",
            vec![
                credential!(
                    "proctoringSettings",
                    "accountId",
                    is_missing(service.account_id.as_deref())
                ),
                credential!(
                    "proctoringSettings",
                    "clientId",
                    is_missing(service.client_id.as_deref())
                ),
                credential!(
                    "proctoringSettings",
                    "clientSecret",
                    is_missing_secret(service.client_secret.as_ref())
                ),
                credential!(
                    "proctoringSettings",
                    "sdkKey",
                    is_missing(service.sdk_key.as_deref())
                ),
                credential!(
                    "proctoringSettings",
                    "sdkSecret",
                    is_missing_secret(service.sdk_secret.as_ref())
                ),
            ],
        ),
    };
    let needed = format!("for {server}");
    missing_credentials(&credentials, "service", &needed, site, diags);
}

/// `service.jaas`: Jitsi only, and the key id must be one of the AppID's keys (the JaaS console lists it
/// as `<AppID>/<key>`). It replaces `appKey`/`appSecret`, which are not required then.
fn check_jaas(service: &ServiceSettings, site: &Site, diags: &mut Vec<Diagnostic>) {
    let Some(jaas) = &service.jaas else { return };
    if service.server_type != ProctoringServerType::JitsiMeet {
        diags.push(
            site.at_key(
                Diagnostic::error(
                    "jaas-server-type",
                    "`jaas` is Jitsi as a Service: it needs `serverType: JITSI_MEET`",
                ),
                "/service/jaas",
            )
            .hint("write serverType: JITSI_MEET and serverURL: https://8x8.vc"),
        );
    }
    if let Some((app, _)) = jaas.key_id.split_once('/')
        && app != jaas.app_id
    {
        diags.push(
            site.at_value(
                Diagnostic::error(
                    "jaas-kid-mismatch",
                    format!("`keyId` belongs to the JaaS app `{app}`, not to `appId`"),
                ),
                "/service/jaas/keyId",
            )
            .hint("copy the key id of one of this app's API keys from the JaaS console"),
        );
    }
}

/// `collectingRoomSize` <= 0: SEB Server puts every participant into one room.
fn check_room_size(service: &ServiceSettings, site: &Site, diags: &mut Vec<Diagnostic>) {
    if service.collecting_room_size <= 0 {
        diags.push(
            site.at_value(
                Diagnostic::warning(
                    "unlimited-room-size",
                    "`collectingRoomSize` <= 0 means unlimited: every participant joins one room",
                ),
                "/service/collectingRoomSize",
            )
            .hint("a proctor can watch about 20 participants at once"),
        );
    }
}

/// Room subjects Jitsi and Zoom clients show unchanged: printable ASCII.
fn check_room_subjects(service: &ServiceSettings, site: &Site, diags: &mut Vec<Diagnostic>) {
    for (i, room) in service.rooms.iter().enumerate() {
        if room
            .subject
            .as_deref()
            .is_some_and(|s| !is_printable_ascii(s))
        {
            diags.push(
                site.at_value(
                    Diagnostic::warning(
                        "non-ascii-name",
                        "the room subject is not printable ASCII",
                    ),
                    &format!("/service/rooms/{i}/subject"),
                )
                .hint("some Jitsi and Zoom clients show such subjects garbled"),
            );
        }
    }
}

/// The Proctoring-tab settings of one document as SEB reads them: from `proctoring`, else from `seb`
/// (where the settings rules warn about them).
struct ProctoringTab<'a> {
    proctoring: Option<&'a Map<String, Value>>,
    seb: Option<&'a Map<String, Value>>,
}

impl<'a> ProctoringTab<'a> {
    /// The setting `key` and its JSON pointer, if the document writes it.
    fn setting(&self, key: &str) -> Option<(String, &'a Value)> {
        if let Some(value) = self.proctoring.and_then(|m| m.get(key)) {
            return Some((format!("/proctoring/{key}"), value));
        }
        self.seb
            .and_then(|m| m.get(key))
            .map(|value| (format!("/seb/{key}"), value))
    }

    /// An integer setting, or SEB's default when it is not written (or not an integer, which the
    /// schema reports).
    fn integer(&self, key: &str, default: i64) -> i64 {
        self.setting(key)
            .and_then(|(_, value)| value.as_i64())
            .unwrap_or(default)
    }
}

/// `screenProctoringScreenshotMinInterval` must not exceed `screenProctoringScreenshotMaxInterval`.
fn check_screenshot_intervals(tab: &ProctoringTab, site: &Site, diags: &mut Vec<Diagnostic>) {
    const MIN: &str = "screenProctoringScreenshotMinInterval";
    const MAX: &str = "screenProctoringScreenshotMaxInterval";
    let min = tab.integer(MIN, SCREENSHOT_MIN_INTERVAL_DEFAULT);
    let max = tab.integer(MAX, SCREENSHOT_MAX_INTERVAL_DEFAULT);
    if min <= max {
        return;
    }
    let pointer = tab
        .setting(MIN)
        .map_or_else(|| format!("/seb/{MIN}"), |(pointer, _)| pointer);
    diags.push(
        site.at_value(
            Diagnostic::error(
                "screenshot-interval",
                format!(
                    "the minimal screenshot interval ({min} ms) is above the maximal one ({max} ms)"
                ),
            ),
            &pointer,
        )
        .hint(format!("{MIN} must not exceed {MAX}")),
    );
}

/// `jitsiMeetUserInfoDisplayName` in `proctoring`: Jitsi passes only printable ASCII through unchanged.
fn check_display_name(tab: &ProctoringTab, site: &Site, diags: &mut Vec<Diagnostic>) {
    const KEY: &str = "jitsiMeetUserInfoDisplayName";
    if let Some(name) = tab
        .proctoring
        .and_then(|m| m.get(KEY))
        .and_then(Value::as_str)
        && !is_printable_ascii(name)
    {
        diags.push(
            site.at_value(
                Diagnostic::warning("non-ascii-name", "the display name is not printable ASCII"),
                &format!("/proctoring/{KEY}"),
            )
            .hint("Jitsi requires context and display names it can pass through XMPP unchanged"),
        );
    }
}

/// `https://zoom.us` or `https://<org>.zoom.us`, without a path: where SEB Server calls Zoom's API.
fn is_zoom_api_url(url: &str) -> bool {
    let host = host_of(url).unwrap_or_default().to_ascii_lowercase();
    let path = url.splitn(4, '/').nth(3).unwrap_or("");
    path.is_empty()
        && (host == "zoom.us"
            || host
                .strip_suffix(".zoom.us")
                .is_some_and(|org| !org.is_empty() && !org.contains('.')))
}

fn is_printable_ascii(s: &str) -> bool {
    s.chars().all(|c| (' '..='~').contains(&c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::SourceMap;
    use serde_json::json;

    fn service(settings: Value) -> ServiceSettings {
        serde_json::from_value(settings).unwrap()
    }

    fn jitsi() -> Value {
        json!({
            "enableProctoring": true,
            "serverType": "JITSI_MEET",
            "serverURL": "https://meet.example.org",
            "appKey": "seb-exams",
            "appSecret": { "env": "JITSI_SECRET" },
        })
    }

    fn zoom() -> Value {
        json!({
            "enableProctoring": true,
            "serverType": "ZOOM",
            "serverURL": "https://example-university.zoom.us",
            "accountId": "acc-1",
            "clientId": "client-1",
            "clientSecret": { "env": "ZOOM_CLIENT_SECRET" },
            "sdkKey": "sdk-1",
            "sdkSecret": { "file": "zoom-sdk-secret.txt" },
        })
    }

    /// `value` with `changes` written over it (`null` removes a key).
    fn with(mut value: Value, changes: Value) -> Value {
        for (key, change) in changes.as_object().unwrap() {
            if change.is_null() {
                value.as_object_mut().unwrap().remove(key);
            } else {
                value[key] = change.clone();
            }
        }
        value
    }

    /// The codes and pointers of the diagnostics of a document.
    fn check(doc: &TypedDocument) -> Vec<(&'static str, String)> {
        let map = SourceMap::default();
        let site = Site {
            file: "exam.yaml",
            map: &map,
        };
        let mut diags = Vec::new();
        check_proctoring(doc, &site, &mut diags);
        diags.into_iter().map(|d| (d.code, d.pointer)).collect()
    }

    fn check_service_settings(settings: Value) -> Vec<(&'static str, String)> {
        check(&TypedDocument {
            server_type_written: settings.get("serverType").is_some(),
            service: Some(service(settings)),
            ..Default::default()
        })
    }

    fn codes(found: &[(&'static str, String)]) -> Vec<&'static str> {
        found.iter().map(|(code, _)| *code).collect()
    }

    #[test]
    fn complete_services_are_quiet() {
        assert_eq!(check_service_settings(jitsi()), []);
        assert_eq!(check_service_settings(zoom()), []);
        assert_eq!(
            check_service_settings(with(zoom(), json!({ "serverURL": "https://zoom.us" }))),
            []
        );
        assert_eq!(check(&TypedDocument::default()), []);
    }

    #[test]
    fn a_defaulted_server_type_is_a_warning() {
        let found = check_service_settings(with(zoom(), json!({ "serverType": null })));
        assert_eq!(found, [("service-type-defaulted", "/service".to_string())]);
    }

    #[test]
    fn server_url_is_mandatory() {
        for missing in [json!(null), json!("  ")] {
            assert_eq!(
                check_service_settings(with(jitsi(), json!({ "serverURL": missing }))),
                [(
                    "proctoringSettings:serverURL:notNull",
                    "/service".to_string()
                )]
            );
        }
    }

    #[test]
    fn server_url_must_be_a_plain_http_or_https_address() {
        for url in [
            "meet.example.org",
            "https://meet.example.org/?tenant=exams",
            "https://meet.example.org#room",
            "https:///meet.example.org",
            "https://meet example.org",
        ] {
            assert_eq!(
                check_service_settings(with(jitsi(), json!({ "serverURL": url }))),
                [(
                    "proctoringSettings:serverURL:invalidURL",
                    "/service/serverURL".to_string()
                )],
                "{url}"
            );
        }
        assert_eq!(
            check_service_settings(with(
                jitsi(),
                json!({ "serverURL": "https://meet.example.org:8443/jitsi" })
            )),
            []
        );
        assert_eq!(
            check_service_settings(with(jitsi(), json!({ "serverURL": "http://jitsi:8000" }))),
            [],
            "SEB Server's @URL takes http://, and this host is internal"
        );
        assert_eq!(
            check_service_settings(with(
                jitsi(),
                json!({ "serverURL": "http://meet.example.org" })
            )),
            [("plain-http", "/service/serverURL".to_string())]
        );
    }

    #[test]
    fn server_get_json_fields_are_ignored_with_a_warning() {
        let get = with(jitsi(), json!({ "id": 7, "serviceInUse": false }));
        assert_eq!(
            check_service_settings(get),
            [
                ("server-field-ignored", "/service/id".to_string()),
                ("server-field-ignored", "/service/serviceInUse".to_string())
            ]
        );
    }

    #[test]
    fn a_zoom_server_url_elsewhere_than_zoom_us_is_a_warning() {
        for url in [
            "https://zoom.example.org",
            "https://a.b.zoom.us",
            "https://zoom.us/path",
        ] {
            assert_eq!(
                check_service_settings(with(zoom(), json!({ "serverURL": url }))),
                [("zoom-server-url", "/service/serverURL".to_string())],
                "{url}"
            );
        }
        assert_eq!(
            check_service_settings(with(zoom(), json!({ "serverURL": "https://Uni.Zoom.US" }))),
            []
        );
    }

    #[test]
    fn jitsi_needs_its_app_key_and_secret() {
        let found =
            check_service_settings(with(jitsi(), json!({ "appKey": " ", "appSecret": null })));
        assert_eq!(
            codes(&found),
            [
                "proctoringSettings:appKey:notNull",
                "proctoringSettings:appSecret:notNull"
            ]
        );
        assert!(found.iter().all(|(_, pointer)| pointer == "/service"));
        let blank_literal = with(jitsi(), json!({ "appSecret": "   " }));
        assert_eq!(
            codes(&check_service_settings(blank_literal)),
            ["proctoringSettings:appSecret:notNull"]
        );
        let literal = with(jitsi(), json!({ "appSecret": "s3cret" }));
        assert_eq!(
            check_service_settings(literal),
            [],
            "rules.rs warns about literals"
        );
    }

    #[test]
    fn zoom_needs_its_account_client_and_sdk_credentials() {
        let found = check_service_settings(with(
            zoom(),
            json!({ "accountId": null, "clientId": "", "clientSecret": null, "sdkKey": null, "sdkSecret": " " }),
        ));
        assert_eq!(
            codes(&found),
            [
                "proctoringSettings:accountId:notNull",
                "proctoringSettings:clientId:notNull",
                "proctoringSettings:clientSecret:notNull",
                "proctoringSettings:sdkKey:notNull",
                "proctoringSettings:sdkSecret:notNull"
            ]
        );
        let jitsi_keys_do_not_count = with(zoom(), json!({ "appKey": "k", "sdkKey": null }));
        assert_eq!(
            codes(&check_service_settings(jitsi_keys_do_not_count)),
            ["proctoringSettings:sdkKey:notNull"]
        );
    }

    #[test]
    fn a_room_size_of_zero_or_less_is_unlimited() {
        for size in [0, -3] {
            assert_eq!(
                check_service_settings(with(jitsi(), json!({ "collectingRoomSize": size }))),
                [(
                    "unlimited-room-size",
                    "/service/collectingRoomSize".to_string()
                )]
            );
        }
        assert_eq!(
            check_service_settings(with(jitsi(), json!({ "collectingRoomSize": 1 }))),
            []
        );
    }

    #[test]
    fn room_subjects_are_printable_ascii() {
        let rooms = json!({ "rooms": [{ "subject": "Hall A" }, { "subject": "Räume" }, { "subject": "tab\there" }, { "name": "abc" }] });
        assert_eq!(
            check_service_settings(with(jitsi(), rooms)),
            [
                ("non-ascii-name", "/service/rooms/1/subject".to_string()),
                ("non-ascii-name", "/service/rooms/2/subject".to_string())
            ]
        );
    }

    fn check_tab(proctoring: Value, seb: Value) -> Vec<(&'static str, String)> {
        check(&TypedDocument {
            proctoring: proctoring.as_object(),
            seb: seb.as_object(),
            ..Default::default()
        })
    }

    #[test]
    fn screenshot_min_interval_must_not_exceed_the_max() {
        let interval = |section: &str| {
            (
                "screenshot-interval",
                format!("/{section}/screenProctoringScreenshotMinInterval"),
            )
        };
        assert_eq!(
            check_tab(
                json!({ "screenProctoringScreenshotMinInterval": 800 }),
                json!({ "screenProctoringScreenshotMaxInterval": 500 })
            ),
            [interval("proctoring")]
        );
        assert_eq!(
            check_tab(
                json!({}),
                json!({ "screenProctoringScreenshotMinInterval": 8000 })
            ),
            [interval("seb")],
            "above the default maximum"
        );
        assert_eq!(
            check_tab(
                json!({ "screenProctoringScreenshotMaxInterval": 500 }),
                json!({})
            ),
            [interval("seb")],
            "the default minimum, at its place in `seb`"
        );
        assert_eq!(
            check_tab(
                json!({ "screenProctoringScreenshotMinInterval": "x" }),
                json!({ "screenProctoringScreenshotMinInterval": 9000 })
            ),
            [],
            "the `proctoring` value counts, and one the schema refuses is SEB's default"
        );
        assert_eq!(
            check_tab(
                json!({ "screenProctoringScreenshotMinInterval": 2000, "screenProctoringScreenshotMaxInterval": 2000 }),
                json!({})
            ),
            []
        );
    }

    #[test]
    fn screenshot_interval_defaults_are_the_catalogs() {
        let default = |key| {
            crate::catalog::Catalog::get()
                .setting(key)
                .and_then(|s| s.default.as_ref())
                .and_then(Value::as_i64)
        };
        assert_eq!(
            default("screenProctoringScreenshotMinInterval"),
            Some(SCREENSHOT_MIN_INTERVAL_DEFAULT)
        );
        assert_eq!(
            default("screenProctoringScreenshotMaxInterval"),
            Some(SCREENSHOT_MAX_INTERVAL_DEFAULT)
        );
    }

    #[test]
    fn jitsi_display_name_is_printable_ascii() {
        assert_eq!(
            check_tab(
                json!({ "jitsiMeetUserInfoDisplayName": "Prüfung" }),
                json!({})
            ),
            [(
                "non-ascii-name",
                "/proctoring/jitsiMeetUserInfoDisplayName".to_string()
            )]
        );
        assert_eq!(
            check_tab(
                json!({ "jitsiMeetUserInfoDisplayName": "Exam 1" }),
                json!({})
            ),
            []
        );
    }
}
