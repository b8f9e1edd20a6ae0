//! `postgate review serve` and `postgate keys passkey enroll`: the two web pages, served until
//! stopped (review) or until one passkey is made (enrol).

use crate::cli::{Cli, PasskeyEnrollArgs, ReviewServeArgs, TlsArgs};
use crate::error::Failure;
use crate::exit_codes::ExitCode;
use crate::http::Server;
use crate::output;
use crate::review::Site;
use crate::review::enroll::Enrolment;
use anyhow::Result;
use serde_json::json;

fn tls(args: &TlsArgs) -> Result<Option<std::sync::Arc<rustls::ServerConfig>>> {
    match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Ok(Some(crate::http::tls_config(cert, key)?)),
        _ => Ok(None),
    }
}

/// The origin as passkeys name it: no trailing slash, a secure context.
fn checked_origin(origin: &str) -> Result<(String, url::Url)> {
    let origin = origin.trim().trim_end_matches('/').to_string();
    let bad = |why: String| {
        Failure::new(
            ExitCode::Usage,
            format!("--origin {}: {why}", crate::sanitize::one_line(&origin)),
        )
        .hint(
            "give https://HOST[:PORT], or http://localhost:PORT on the approver's own machine (WebAuthn needs a \
             secure context)",
        )
    };
    let url = url::Url::parse(&origin).map_err(|e| bad(e.to_string()))?;
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let secure = url.scheme() == "https" || (url.scheme() == "http" && host == "localhost");
    if !secure || url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        return Err(bad("not a secure origin".into()).into());
    }
    // As browsers write it in clientDataJSON: lower-case host, no default port.
    Ok((url.origin().ascii_serialization(), url))
}

/// `host[:port]` as a browser sends it in `Host` for this origin.
fn authority(url: &url::Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_string(),
    }
}

pub fn serve(cli: &Cli, args: &ReviewServeArgs) -> Result<ExitCode> {
    let policy = crate::policy::load_discovered(cli.policy.as_deref())?;
    for source in &args.sources {
        if !source.exists() {
            return Err(Failure::new(ExitCode::Usage, format!("{}: no such plan or folder", source.display())).into());
        }
    }
    let tls = tls(&args.tls)?;
    // Bound first, so that `--listen 127.0.0.1:0` gives its port to the default origin.
    let listener_origin = |port: u16| {
        let scheme = if tls.is_some() { "https" } else { "http" };
        format!("{scheme}://localhost:{port}")
    };
    let probe = std::net::TcpListener::bind(&args.listen).map_err(|e| {
        Failure::new(ExitCode::Usage, format!("cannot listen on {}: {e}", args.listen))
            .hint("choose another address with --listen HOST:PORT")
    })?;
    let addr = probe.local_addr()?;
    drop(probe);
    let origin = args.origin.clone().unwrap_or_else(|| listener_origin(addr.port()));
    let (origin, url) = checked_origin(&origin)?;
    let server = Server::bind(&addr.to_string(), tls, &authority(&url))?;
    let rp_id = policy
        .approvals
        .approvers
        .iter()
        .filter_map(|a| a.passkey.as_ref())
        .find(|p| p.origin == origin)
        .map_or_else(|| url.host_str().unwrap_or_default().to_string(), |p| p.rp_id.clone());
    let site = Site {
        policy,
        sources: args.sources.clone(),
        origin: origin.clone(),
        rp_id,
        csrf: crate::http::token()?,
    };
    let items = site.items();
    let passkeys = site.passkey_approvers();
    for a in &site.policy.approvals.approvers {
        if let Some(p) = &a.passkey
            && p.origin != origin
        {
            output::status(&format!(
                "note: approver `{}` has a passkey for {}, not for {origin}; they cannot approve on this page",
                a.name, p.origin
            ));
        }
    }
    if passkeys.is_empty() {
        output::status(&format!(
            "note: no approver has a passkey for {origin}; the pages show the plans but nobody can approve there \
             (`postgate keys passkey enroll NAME --origin {origin}`)"
        ));
    }
    let address = format!("{origin}/");
    if cli.json {
        output::json_now(&json!({
            "url": address,
            "listen": addr.to_string(),
            "plans": items.iter().map(|i| json!({
                "path": i.path.display().to_string(),
                "url": format!("{origin}/plan/{}", i.id),
            })).collect::<Vec<_>>(),
        }));
    } else {
        output::result(&address);
    }
    output::status(&format!(
        "serving {} plan(s) on {addr} for {address}; approvers with a passkey here: {}; Ctrl-C stops",
        items.len(),
        if passkeys.is_empty() {
            "none".to_string()
        } else {
            passkeys.iter().map(|a| a.name.as_str()).collect::<Vec<_>>().join(", ")
        }
    ));
    server.run(&|req| site.handle(req));
    Ok(ExitCode::Success)
}

pub fn enroll(cli: &Cli, args: &PasskeyEnrollArgs) -> Result<ExitCode> {
    let name = args.name.trim();
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) || name == "author" {
        return Err(Failure::new(
            ExitCode::Usage,
            format!("invalid approver name `{}`", crate::sanitize::one_line(name)),
        )
        .hint("approver names appear in file names: ASCII letters, digits, `-`, `_` and `.`; not `author`")
        .into());
    }
    let (origin, url) = checked_origin(&args.origin)?;
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let rp_id = args.rp_id.clone().unwrap_or_else(|| host.clone()).to_ascii_lowercase();
    if host != rp_id && !host.ends_with(&format!(".{rp_id}")) {
        return Err(Failure::new(
            ExitCode::Usage,
            format!("--rp-id {rp_id} is not the origin's host `{host}` or a parent domain of it"),
        )
        .into());
    }
    let listen = match &args.listen {
        Some(l) => l.clone(),
        None => format!("127.0.0.1:{}", url.port_or_known_default().unwrap_or(8750)),
    };
    let server = Server::bind(&listen, tls(&args.tls)?, &authority(&url))?;
    let enrolment = Enrolment::new(name, &origin, &rp_id)?;
    output::status(&format!(
        "open {} on the device that will keep {name}'s passkey (listening on {}); this page works once",
        enrolment.url(),
        server.local_addr()?
    ));
    server.run(&|req| {
        let answer = enrolment.handle(req);
        if enrolment.done.lock().map(|d| d.is_some()).unwrap_or(false) {
            server.stop();
        }
        answer
    });
    let enrolled = enrolment
        .done
        .lock()
        .map_err(|_| Failure::new(ExitCode::GeneralError, "the enrolment page stopped"))?
        .clone()
        .ok_or_else(|| {
            Failure::new(
                ExitCode::GeneralError,
                "the enrolment page stopped before a passkey was made",
            )
        })?;
    let entry = enrolment.entry(&enrolled);
    if cli.json {
        use base64::Engine;
        let b64 = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
        output::json(&json!({
            "name": name,
            "credential_id": b64(&enrolled.credential_id),
            "public_key": b64(&enrolled.cose),
            "algorithm": enrolled.passkey.key.algorithm(),
            "rp_id": rp_id,
            "origin": origin,
            "fingerprint": enrolled.passkey.fingerprint(),
            "entry": entry,
        }));
    } else {
        print!("{entry}");
    }
    output::status(&format!(
        "made {name}'s passkey ({}, {}); add the entry above to the policy's [[approvers]] through a reviewed \
         change, with their roles (keep `ssh_key` if they have one)",
        enrolled.passkey.key.algorithm(),
        enrolled.passkey.fingerprint()
    ));
    Ok(ExitCode::Success)
}
