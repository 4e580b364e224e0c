//! The addresses of proctoring services (`service.serverURL`, `screenProctoring.spsServiceURL`): what
//! SEB Server accepts, and when a plain `http://` address is a risk worth a warning.
//!
//! SEB Server checks these with Hibernate's `@URL` (seb-server `gbl/model/exam/ScreenProctoringSettings.java:53`,
//! `ProctoringServiceSettings.java:82`), which takes `http://` as well as `https://`, and refuses a `?`
//! (`ScreenProctoringServiceImpl.java:122-127`). The bundled screen proctoring service is reached at an
//! internal `http://` address (`application-ws.properties:120`, `http://sps-webservice:8090`), so plain
//! http is an error nowhere; it is a warning only towards a public host, where credentials and screenshots
//! would cross the internet unencrypted.

use super::document::Site;
use crate::address::host_of;
use crate::diagnostic::Diagnostic;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// What is wrong with a service address, if anything: it must be an absolute `http://` or `https://`
/// URL with a host, and without query or fragment.
pub(super) fn url_problem(url: &str) -> Option<&'static str> {
    let Some(rest) = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
    else {
        return Some("must be an absolute https:// (or http://) URL");
    };
    if url.contains('?') || url.contains('#') {
        return Some("must not have a query or fragment (SEB Server rejects `?`)");
    }
    if url.contains(char::is_whitespace) || host_of(url).is_none() || rest.starts_with('/') {
        return Some("is not a valid URL");
    }
    None
}

/// A `plain-http` warning at `pointer` when `url` is `http://` to a public host.
pub(super) fn plain_http_warning(url: &str, site: &Site, pointer: &str) -> Option<Diagnostic> {
    url.strip_prefix("http://")?;
    let host = host_of(url)?;
    if is_internal_host(&host) {
        return None;
    }
    Some(
        site.at_value(
            Diagnostic::warning(
                "plain-http",
                format!("`{host}` is reached over plain http://: credentials and data cross the network unencrypted"),
            ),
            pointer,
        )
        .hint(format!(
            "write https://{}; plain http:// is fine only for an internal address (a private IP, a single-label name such as sps-webservice)",
            url.trim_start_matches("http://")
        )),
    )
}

/// A host that is not on the public internet: a loopback, private or link-local IP address, a
/// single-label name (a container or intranet name such as `sps-webservice`), or a name under a
/// reserved internal suffix.
pub(super) fn is_internal_host(host: &str) -> bool {
    if let Ok(ip) = host.parse::<IpAddr>() {
        return match ip {
            IpAddr::V4(v4) => is_internal_v4(v4),
            IpAddr::V6(v6) => is_internal_v6(v6),
        };
    }
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    !host.contains('.')
        || [
            ".local",
            ".internal",
            ".localhost",
            ".lan",
            ".home.arpa",
            ".corp",
        ]
        .iter()
        .any(|suffix| host.ends_with(suffix))
}

fn is_internal_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || (a == 100 && (64..128).contains(&b))
}

fn is_internal_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    ip.is_loopback() || (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfe80
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::SourceMap;

    #[test]
    fn http_and_https_are_both_valid_urls() {
        for url in [
            "https://sps.example.org",
            "http://sps-webservice:8090",
            "https://sps.example.org:8443/sps",
        ] {
            assert_eq!(url_problem(url), None, "{url}");
        }
        for url in [
            "ftp://sps.example.org",
            "sps.example.org",
            "https://sps.example.org/x?y",
            "https://sps.example.org#f",
            "https:///sps.example.org",
            "https://sps example.org",
        ] {
            assert!(url_problem(url).is_some(), "{url}");
        }
    }

    #[test]
    fn internal_hosts() {
        for host in [
            "sps-webservice",
            "localhost",
            "10.1.2.3",
            "172.20.0.5",
            "192.168.1.10",
            "127.0.0.1",
            "169.254.1.1",
            "100.64.0.1",
            "::1",
            "fd00::1",
            "fe80::1",
            "sps.intranet.local",
            "sps.corp",
        ] {
            assert!(is_internal_host(host), "{host}");
        }
        for host in ["sps.example.org", "8.8.8.8", "172.32.0.1", "2001:db8::1"] {
            assert!(!is_internal_host(host), "{host}");
        }
    }

    #[test]
    fn plain_http_warns_only_towards_a_public_host() {
        let map = SourceMap::default();
        let site = Site {
            file: "exam.yaml",
            map: &map,
        };
        let p = "/screenProctoring/spsServiceURL";
        assert!(plain_http_warning("http://sps-webservice:8090", &site, p).is_none());
        assert!(plain_http_warning("http://10.0.0.7/sps", &site, p).is_none());
        assert!(plain_http_warning("https://sps.example.org", &site, p).is_none());
        let d = plain_http_warning("http://sps.example.org/sps", &site, p);
        let d = d
            .as_ref()
            .map(|d| (d.code, d.pointer.as_str(), d.hint.clone()));
        assert_eq!(
            d,
            Some((
                "plain-http",
                p,
                Some("write https://sps.example.org/sps; plain http:// is fine only for an internal address (a private IP, a single-label name such as sps-webservice)".to_string())
            ))
        );
    }
}
