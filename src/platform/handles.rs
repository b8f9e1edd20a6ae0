//! Handle syntaxes that more than one platform shares: fediverse `@user@domain` and DNS names.

/// `@user@domain` (Mastodon and other ActivityPub servers); the domain is optional when
/// `require_domain` is false.
pub(crate) fn fediverse_handle(handle: &str, require_domain: bool) -> Result<(), String> {
    let rest = handle.strip_prefix('@').ok_or("it must start with `@`")?;
    let (user, domain) = match rest.split_once('@') {
        Some((u, d)) => (u, Some(d)),
        None => (rest, None),
    };
    if user.is_empty() {
        return Err("the user part is empty".into());
    }
    let ok_char = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-';
    if !user.chars().all(ok_char) || user.starts_with(['.', '-']) || user.ends_with(['.', '-']) {
        return Err("the user part may hold letters, digits and `_`, with `.` or `-` only inside".into());
    }
    match domain {
        // Local test servers name themselves `localhost:PORT`; only loopback may carry a port.
        Some(d) if is_loopback_domain(d) => Ok(()),
        Some(d) => domain_handle(d).map_err(|e| format!("the domain {e}")),
        None if require_domain => Err("it must be the full `@user@domain` form".into()),
        None => Ok(()),
    }
}

fn is_loopback_domain(domain: &str) -> bool {
    let (host, port) = domain.split_once(':').unwrap_or((domain, "0"));
    matches!(host, "localhost" | "127.0.0.1") && port.parse::<u16>().is_ok()
}

/// A DNS name with at least two labels, as Bluesky handles and fediverse domains are.
pub(crate) fn domain_handle(name: &str) -> Result<(), String> {
    if name.len() > 253 {
        return Err("is longer than 253 characters".into());
    }
    let labels: Vec<&str> = name.split('.').collect();
    if labels.len() < 2 {
        return Err(format!("`{name}` needs at least two labels, like `name.example.org`"));
    }
    for label in &labels {
        let valid = !label.is_empty()
            && label.len() <= 63
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !label.starts_with('-')
            && !label.ends_with('-');
        if !valid {
            return Err(format!("`{name}` has an invalid label `{label}`"));
        }
    }
    if labels
        .last()
        .is_some_and(|tld| tld.starts_with(|c: char| c.is_ascii_digit()))
    {
        return Err(format!("`{name}` ends in a label that starts with a digit"));
    }
    Ok(())
}
