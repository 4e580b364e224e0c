//! The `screenProctoring` section: SEB Server 2.x's `ScreenProctoringSettings` rules with its error
//! codes (seb-server `gbl/model/exam/ScreenProctoringSettings.java`, "SPS", and
//! `webservice/servicelayer/session/impl/proctoring/ScreenProctoringServiceImpl.java`, "SPSI"), the bundled
//! deployment, and the fields of SEB Server's GET JSON that are not settings.

use super::document::Site;
use super::server_fields::{
    credential, is_blank, is_missing, is_missing_secret, missing_credentials, server_fields_ignored,
};
use super::server_url::{plain_http_warning, url_problem};
use crate::diagnostic::Diagnostic;
use crate::exam::{CollectingStrategy, ScreenProctoringSettings};

/// `spsCollectingGroupName`'s length in characters (SPS:73, `@Size(min = 3, max = 255)`).
const GROUP_NAME_MIN: usize = 3;
const GROUP_NAME_MAX: usize = 255;

/// The checks of a `screenProctoring` section; most apply only when it is enabled, as SEB Server's
/// `testSettings` (SPSI:111-114).
pub(super) fn check_screen_proctoring(
    sps: &ScreenProctoringSettings,
    site: &Site,
    diags: &mut Vec<Diagnostic>,
) {
    let mut ignored = Vec::new();
    if sps.id.is_some() {
        ignored.push("id");
    }
    if sps.service_in_use.is_some() {
        ignored.push("serviceInUse");
    }
    if sps.change_strategy_confirm.is_some() {
        ignored.push("changeStrategyConfirm");
    }
    server_fields_ignored("screenProctoring", &ignored, site, diags);
    if !sps.enable_screen_proctoring {
        return;
    }
    if sps.bundled {
        check_bundled(sps, site, diags);
    } else {
        check_sps_service_url(sps, site, diags);
        check_sps_credentials(sps, site, diags);
    }
    check_group_name(sps, site, diags);
    if sps.collecting_strategy == CollectingStrategy::ApplySebGroups
        && is_missing(sps.seb_groups_selection.as_deref())
    {
        diags.push(
            site.at_key(
                Diagnostic::error(
                    "screenProctoringSettings:spsSEBGroupsSelection:notNull",
                    "`spsSEBGroupsSelection` is mandatory with APPLY_SEB_GROUPS",
                ),
                "/screenProctoring",
            )
            .hint("the comma-separated ids of the SEB client groups"),
        );
    }
}

/// `bundled: true`: SEB Server replaces the service URL and the four credentials with its own bundled
/// service's (ProctoringAdminServiceImpl.java:119-134, from `sebserver.feature.exam.seb.screenProctoring.bundled.*`,
/// WebserviceInfo.java:173-189), so the exam's own are not needed, and any it writes are dropped.
fn check_bundled(sps: &ScreenProctoringSettings, site: &Site, diags: &mut Vec<Diagnostic>) {
    let written = [
        ("spsServiceURL", sps.sps_service_url.is_some()),
        ("spsAPIKey", sps.sps_api_key.is_some()),
        ("spsAPISecret", sps.sps_api_secret.is_some()),
        ("spsAccountId", sps.sps_account_id.is_some()),
        ("spsAccountPassword", sps.sps_account_password.is_some()),
    ];
    for (key, _) in written.into_iter().filter(|(_, present)| *present) {
        diags.push(
            site.at_key(
                Diagnostic::warning(
                    "bundled-overrides",
                    format!("`{key}` is ignored: with `bundled: true` SEB Server uses its bundled screen proctoring service's"),
                ),
                &format!("/screenProctoring/{key}"),
            )
            .hint(format!("remove `{key}`, or set `bundled: false` to use a separate screen proctoring service")),
        );
    }
}

/// `spsServiceURL`: mandatory (SPSI:117-121), a URL without `?` (SPS:53, SPSI:122-127), `http://` only
/// to an internal host (a warning otherwise).
fn check_sps_service_url(sps: &ScreenProctoringSettings, site: &Site, diags: &mut Vec<Diagnostic>) {
    const POINTER: &str = "/screenProctoring/spsServiceURL";
    let Some(url) = sps.sps_service_url.as_deref().filter(|u| !is_blank(u)) else {
        diags.push(
            site.at_key(
                Diagnostic::error(
                    "screenProctoringSettings:spsServiceURL:notNull",
                    "`spsServiceURL` is mandatory when screen proctoring is enabled",
                ),
                "/screenProctoring",
            )
            .hint("the screen proctoring service's address, e.g. https://sps.example.org, or `bundled: true` when SEB Server runs the bundled service"),
        );
        return;
    };
    if let Some(problem) = url_problem(url) {
        diags.push(
            site.at_value(
                Diagnostic::error(
                    "screenProctoringSettings:spsServiceURL:invalidURL",
                    format!("`spsServiceURL` {problem}"),
                ),
                POINTER,
            )
            .hint("write the service's address, e.g. https://sps.example.org"),
        );
    } else if let Some(warning) = plain_http_warning(url, site, POINTER) {
        diags.push(warning);
    }
}

/// The account and API credentials SEB Server requires for a screen proctoring service that is not
/// bundled (SPSI:129-148).
fn check_sps_credentials(sps: &ScreenProctoringSettings, site: &Site, diags: &mut Vec<Diagnostic>) {
    let credentials = [
        credential!(
            "screenProctoringSettings",
            "spsAPIKey",
            is_missing(sps.sps_api_key.as_deref())
        ),
        credential!(
            "screenProctoringSettings",
            "spsAPISecret",
            is_missing_secret(sps.sps_api_secret.as_ref())
        ),
        credential!(
            "screenProctoringSettings",
            "spsAccountId",
            is_missing(sps.sps_account_id.as_deref())
        ),
        credential!(
            "screenProctoringSettings",
            "spsAccountPassword",
            is_missing_secret(sps.sps_account_password.as_ref())
        ),
    ];
    let needed = "when screen proctoring is enabled";
    missing_credentials(&credentials, "screenProctoring", needed, site, diags);
}

/// `spsCollectingGroupName`: `@NotEmpty` and `@Size(min = 3, max = 255)` (SPS:72-73), checked by `@Valid`
/// on the REST API's POST (ExamAdministrationController.java:597). Java counts UTF-16 code units.
fn check_group_name(sps: &ScreenProctoringSettings, site: &Site, diags: &mut Vec<Diagnostic>) {
    const POINTER: &str = "/screenProctoring/spsCollectingGroupName";
    let Some(name) = sps
        .collecting_group_name
        .as_deref()
        .filter(|n| !n.is_empty())
    else {
        diags.push(
            site.at_key(
                Diagnostic::error(
                    "screenProctoringSettings:spsCollectingGroupName:notNull",
                    "`spsCollectingGroupName` is mandatory when screen proctoring is enabled",
                ),
                "/screenProctoring",
            )
            .hint("name the group the proctors see the screens in, e.g. spsCollectingGroupName: CS 150 lab"),
        );
        return;
    };
    let length = name.encode_utf16().count();
    if !(GROUP_NAME_MIN..=GROUP_NAME_MAX).contains(&length) {
        diags.push(
            site.at_value(
                Diagnostic::error(
                    "screenProctoringSettings:spsCollectingGroupName:size:3:255",
                    format!(
                        "`spsCollectingGroupName` has {length} characters, SEB Server takes 3 to 255 (screenProctoringSettings:spsCollectingGroupName:size:3:255:{name})"
                    ),
                ),
                POINTER,
            )
            .hint("write a group name of 3 to 255 characters"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::SourceMap;
    use serde_json::{Value, json};

    fn sps() -> Value {
        json!({
            "enableScreenProctoring": true,
            "spsServiceURL": "https://sps.example.org",
            "spsAPIKey": "sebserver-client",
            "spsAPISecret": { "env": "SPS_SECRET" },
            "spsAccountId": "exam-admin",
            "spsAccountPassword": { "env": "SPS_PASSWORD" },
            "spsCollectingGroupName": "CS 150 lab",
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

    fn check(settings: Value) -> Vec<(&'static str, String)> {
        let sps: ScreenProctoringSettings = serde_json::from_value(settings).unwrap();
        let map = SourceMap::default();
        let site = Site {
            file: "exam.yaml",
            map: &map,
        };
        let mut diags = Vec::new();
        check_screen_proctoring(&sps, &site, &mut diags);
        diags.into_iter().map(|d| (d.code, d.pointer)).collect()
    }

    fn codes(found: &[(&'static str, String)]) -> Vec<&'static str> {
        found.iter().map(|(code, _)| *code).collect()
    }

    #[test]
    fn complete_settings_are_quiet() {
        assert_eq!(check(sps()), []);
    }

    #[test]
    fn disabled_screen_proctoring_is_not_checked() {
        let off =
            json!({ "enableScreenProctoring": false, "spsCollectingStrategy": "APPLY_SEB_GROUPS" });
        assert_eq!(check(off), []);
    }

    #[test]
    fn bundled_needs_only_strategy_and_group_name() {
        let bundled = json!({ "enableScreenProctoring": true, "bundled": true, "spsCollectingGroupName": "Lab" });
        assert_eq!(check(bundled.clone()), []);
        assert_eq!(
            codes(&check(with(
                bundled,
                json!({ "spsCollectingGroupName": null })
            ))),
            ["screenProctoringSettings:spsCollectingGroupName:notNull"]
        );
    }

    #[test]
    fn bundled_drops_the_exams_own_service_settings() {
        let found = check(with(sps(), json!({ "bundled": true })));
        assert_eq!(
            found,
            [
                "spsServiceURL",
                "spsAPIKey",
                "spsAPISecret",
                "spsAccountId",
                "spsAccountPassword"
            ]
            .map(|k| ("bundled-overrides", format!("/screenProctoring/{k}")))
        );
    }

    #[test]
    fn needs_its_service_url() {
        assert_eq!(
            check(with(sps(), json!({ "spsServiceURL": null }))),
            [(
                "screenProctoringSettings:spsServiceURL:notNull",
                "/screenProctoring".to_string()
            )]
        );
        for url in ["ftp://sps.example.org", "https://sps.example.org/x?y"] {
            assert_eq!(
                check(with(sps(), json!({ "spsServiceURL": url }))),
                [(
                    "screenProctoringSettings:spsServiceURL:invalidURL",
                    "/screenProctoring/spsServiceURL".to_string()
                )],
                "{url}"
            );
        }
    }

    #[test]
    fn plain_http_is_valid_and_warned_about_only_when_public() {
        let internal = with(
            sps(),
            json!({ "spsServiceURL": "http://sps-webservice:8090" }),
        );
        assert_eq!(check(internal), []);
        let public = with(sps(), json!({ "spsServiceURL": "http://sps.example.org" }));
        assert_eq!(
            check(public),
            [("plain-http", "/screenProctoring/spsServiceURL".to_string())]
        );
    }

    #[test]
    fn needs_its_credentials_unless_bundled() {
        let found = check(with(
            sps(),
            json!({ "spsAPIKey": " ", "spsAPISecret": null, "spsAccountId": null, "spsAccountPassword": "" }),
        ));
        assert_eq!(
            codes(&found),
            [
                "screenProctoringSettings:spsAPIKey:notNull",
                "screenProctoringSettings:spsAPISecret:notNull",
                "screenProctoringSettings:spsAccountId:notNull",
                "screenProctoringSettings:spsAccountPassword:notNull"
            ]
        );
        assert!(found.iter().all(|(_, p)| p == "/screenProctoring"));
    }

    #[test]
    fn group_name_is_3_to_255_utf16_units() {
        let name = |n: &str| check(with(sps(), json!({ "spsCollectingGroupName": n })));
        let size = [(
            "screenProctoringSettings:spsCollectingGroupName:size:3:255",
            "/screenProctoring/spsCollectingGroupName".to_string(),
        )];
        assert_eq!(name("ab"), size);
        assert_eq!(name(&"x".repeat(256)), size);
        assert_eq!(name("abc"), []);
        assert_eq!(name(&"x".repeat(255)), []);
        assert_eq!(name("😀😀"), [], "4 UTF-16 units, as Java counts");
        assert_eq!(
            codes(&name("")),
            ["screenProctoringSettings:spsCollectingGroupName:notNull"]
        );
    }

    #[test]
    fn seb_groups_strategy_needs_a_selection() {
        let groups = with(
            sps(),
            json!({ "spsCollectingStrategy": "APPLY_SEB_GROUPS" }),
        );
        assert_eq!(
            check(groups.clone()),
            [(
                "screenProctoringSettings:spsSEBGroupsSelection:notNull",
                "/screenProctoring".to_string()
            )]
        );
        assert_eq!(
            check(with(groups, json!({ "spsSEBGroupsSelection": "1,2" }))),
            []
        );
    }

    #[test]
    fn server_get_json_fields_are_ignored_with_a_warning() {
        let get = with(
            sps(),
            json!({ "id": 42, "serviceInUse": true, "changeStrategyConfirm": false }),
        );
        assert_eq!(
            check(get),
            ["id", "serviceInUse", "changeStrategyConfirm"]
                .map(|k| ("server-field-ignored", format!("/screenProctoring/{k}")))
        );
    }
}
