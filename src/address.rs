//! Server addresses as an exam file writes them (`serverURL`, `spsServiceURL`): their bare host. Shared
//! by the validate stage (URL checks) and proctoring (the Jitsi `sub` claim), so neither depends on the
//! other for it.

/// The bare host of a server URL (no scheme, user info or port), as SEB Server's `sub`.
pub fn host_of(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host_port = authority.rsplit('@').next()?;
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next()?
    } else {
        host_port.split(':').next()?
    };
    (!host.is_empty()).then(|| host.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        assert_eq!(
            host_of("https://meet.example.org").as_deref(),
            Some("meet.example.org")
        );
        assert_eq!(
            host_of("https://u@meet.example.org:8443/x?y").as_deref(),
            Some("meet.example.org")
        );
        assert_eq!(host_of("https://[::1]:443/").as_deref(), Some("::1"));
        assert_eq!(host_of("meet.example.org"), None);
    }
}
