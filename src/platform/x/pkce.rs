//! The pieces of the OAuth 2.0 authorization code flow with PKCE that X's Native App uses:
//! RFC 6749 (the flow), RFC 7636 (PKCE), RFC 8252 (native apps and their loopback redirect).
//!
//! A Native App is a public client: X gives it no secret, so the PKCE verifier, which never
//! leaves this process before the token exchange, is what proves that whoever redeems the code
//! is whoever asked for it. X's code is valid for 30 seconds: the listener answers the browser
//! and hands the code back at once, and the caller exchanges it straight away.
//!
//! The redirect URI must be exactly the one registered for the app, `http://127.0.0.1:PORT/callback`:
//! the loopback IP literal rather than `localhost` (RFC 8252 §7.3 and §8.3), so that no name
//! resolution can send the browser, and the code, anywhere else.
//!
//! Every refusal here exits with [`ExitCode::Credential`]: whatever the cause, no credential
//! was obtained.

use crate::error::Failure;
use crate::exit_codes::ExitCode;
use crate::platform::http::{MESSAGE_CAP, clip};
use crate::redacted::Secret;
use crate::sanitize::one_line;
use base64::Engine as _;
use reqwest::Url;
use sha2::{Digest, Sha256};
use std::io::{ErrorKind, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use subtle::ConstantTimeEq;

const BASE64URL: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// The most bytes read of a request's line and headers. A browser's redirect to the callback
/// is well under 2 KiB; anything larger is not it.
pub const HEAD_CAP: usize = 8 * 1024;

/// How long one connection may take to send its request. Browsers open spare connections that
/// send nothing; this bounds how long such a one holds up the real redirect behind it.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(2);

/// How often the listener looks for a new connection: std's `TcpListener` has no accept with
/// a timeout, and polling this often keeps the deadline exact without a second thread.
const POLL: Duration = Duration::from_millis(20);

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    // A guessable verifier or state is worse than no login: without the system's random source
    // there is no safe way on, so this stops the program.
    getrandom::fill(&mut bytes).unwrap_or_else(|e| panic!("the system's random source failed: {e}"));
    bytes
}

/// A PKCE code verifier and its S256 challenge (RFC 7636 §4.1, §4.2). The verifier goes only
/// to the token endpoint; the challenge goes in the authorization URL.
#[derive(Debug, Clone)]
pub struct Pkce {
    pub verifier: Secret,
    pub challenge: String,
}

impl Pkce {
    /// A fresh verifier: 32 octets from the system's CSPRNG, base64url-encoded into the
    /// 43-character form RFC 7636 §4.1 recommends (256 bits).
    pub fn new() -> Pkce {
        Pkce::of(Secret::new(BASE64URL.encode(random_bytes::<32>())))
    }

    /// The pair for a verifier made elsewhere. RFC 7636 §4.1 allows 43 to 128 characters of the
    /// unreserved set; anything else would be refused by X at the token exchange, after the
    /// person has already authorized, so it is refused here first.
    pub fn from_verifier(verifier: Secret) -> Result<Pkce, Failure> {
        let v = verifier.expose();
        let unreserved = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~');
        if !(43..=128).contains(&v.len()) || !v.bytes().all(unreserved) {
            // The verifier itself is never shown: only its shape.
            return Err(Failure::new(
                ExitCode::Credential,
                format!(
                    "a PKCE code verifier is 43 to 128 letters, digits, `-`, `.`, `_` or `~` (RFC 7636 §4.1); \
                     this one is {} bytes long{}",
                    v.len(),
                    if v.bytes().all(unreserved) {
                        ""
                    } else {
                        " and has other characters"
                    }
                ),
            ));
        }
        Ok(Pkce::of(verifier))
    }

    fn of(verifier: Secret) -> Pkce {
        // RFC 7636 §4.2: BASE64URL-ENCODE(SHA256(ASCII(code_verifier))), no padding.
        let challenge = BASE64URL.encode(Sha256::digest(verifier.expose().as_bytes()));
        Pkce { verifier, challenge }
    }
}

impl Default for Pkce {
    fn default() -> Self {
        Pkce::new()
    }
}

/// A fresh `state` for one authorization request: 256 random bits, base64url (URL-safe as it
/// is). It ties the redirect to this login (RFC 6749 §10.12).
pub fn random_state() -> String {
    BASE64URL.encode(random_bytes::<32>())
}

/// The redirect URI registered for the app, for a port.
pub fn redirect_uri(port: u16) -> String {
    format!("http://127.0.0.1:{port}/callback")
}

/// Encodes a query value with everything but RFC 3986's unreserved set escaped: a space is
/// `%20`, which every server reads as a space, where `+` (form encoding) is read as one only
/// by servers that decode forms.
fn query_value(text: &str) -> String {
    super::oauth1::encode(text)
}

/// The URL to send the person to (RFC 6749 §4.1.1, RFC 7636 §4.3): `authorize` with the
/// request's parameters added after any query it already has.
pub fn authorize_url(
    authorize: &Url,
    client_id: &str,
    redirect_uri: &str,
    scopes: &[&str],
    state: &str,
    challenge: &str,
) -> Url {
    let scope = scopes.join(" ");
    let params = [
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", redirect_uri),
        ("scope", scope.as_str()),
        ("state", state),
        ("code_challenge", challenge),
        ("code_challenge_method", "S256"),
    ];
    let ours: Vec<String> = params.iter().map(|(n, v)| format!("{n}={}", query_value(v))).collect();
    let mut url = authorize.clone();
    let query = match url.query().filter(|q| !q.is_empty()) {
        Some(existing) => format!("{existing}&{}", ours.join("&")),
        None => ours.join("&"),
    };
    url.set_query(Some(&query));
    url
}

/// A query's pairs, decoded as a form (RFC 6749 §4.1.2 answers in
/// `application/x-www-form-urlencoded`).
fn query_pairs(query: &str) -> Vec<(String, String)> {
    let mut url = Url::parse("http://127.0.0.1/").unwrap_or_else(|_| unreachable!("a constant URL parses"));
    url.set_query(Some(query));
    url.query_pairs()
        .map(|(n, v)| (n.into_owned(), v.into_owned()))
        .collect()
}

/// Why a redirect to the callback gave no code, with the HTTP status its page is served with.
struct Refusal {
    status: u16,
    failure: Failure,
}

fn refused(status: u16, message: impl Into<String>, hint: impl Into<String>) -> Refusal {
    Refusal {
        status,
        failure: Failure::new(ExitCode::Credential, message).hint(hint),
    }
}

const START_AGAIN: &str =
    "start the login again, and finish it in the browser tab it opens (or from the link it prints)";

/// The code a redirect to the callback carries, after checking that it answers this login.
/// Its answer (RFC 6749 §4.1.2, §4.1.2.1) is the query of the redirect.
fn values<'a>(pairs: &'a [(String, String)], name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    pairs.iter().filter(move |(n, _)| n == name).map(|(_, v)| v.as_str())
}

fn code_from_pairs(pairs: &[(String, String)], expected_state: &str) -> Result<Secret, Refusal> {
    // The same parameter twice means two readers could each take a different one: X never
    // sends that, so it was not X that made this address.
    for name in ["code", "state", "error", "error_description"] {
        if values(pairs, name).count() > 1 {
            return Err(refused(
                400,
                format!(
                    "the redirect carries `{name}` more than once, which X never sends; refused, nothing was stored"
                ),
                START_AGAIN,
            ));
        }
    }
    let one = |name: &'static str| values(pairs, name).next();
    let error = one("error");
    match one("state") {
        // Constant time, so that how long a refusal takes says nothing of how much of a guessed
        // state was right.
        Some(state) if bool::from(state.as_bytes().ct_eq(expected_state.as_bytes())) => {}
        Some(_) => {
            return Err(refused(
                400,
                "the redirect carries a `state` that this login did not issue: it comes from the tab of an earlier \
                 login, or it was forged to slip someone else's authorization into this one (CSRF, RFC 6749 §10.12); \
                 refused, nothing was stored",
                START_AGAIN,
            ));
        }
        // An error answer without a state carries no code, so nothing can be slipped in
        // through it: what X says is worth reporting.
        None if error.is_some() => {}
        None => {
            return Err(refused(
                400,
                "the redirect carries no `state`, so nothing shows that it answers this login (RFC 6749 §10.12); \
                 refused, nothing was stored",
                START_AGAIN,
            ));
        }
    }
    if let Some(error) = error {
        let said = |text: &str| one_line(&clip(text, MESSAGE_CAP));
        let description = one("error_description")
            .filter(|d| !d.trim().is_empty())
            .map(|d| format!(": {}", said(d)))
            .unwrap_or_default();
        return Err(if error == "access_denied" {
            refused(
                200,
                format!("X: the authorization was declined (access_denied{description}); nothing was stored"),
                "run the login again and choose to authorize the app on X's page, signed in as the account the policy names",
            )
        } else {
            refused(
                200,
                format!("X refused the authorization: {}{description}", said(error)),
                "check the app in the X developer portal: a Native App (public client) with OAuth 2.0 on, its \
                 client id as the policy has it, and exactly postgate's redirect URI registered",
            )
        });
    }
    match one("code") {
        Some(code) if !code.is_empty() => Ok(Secret::new(code.to_string())),
        _ => Err(refused(
            400,
            "the redirect carries no authorization code; nothing was stored",
            START_AGAIN,
        )),
    }
}

/// The code from the address the browser was sent to, pasted by the person (`--paste`): for a
/// browser that cannot reach this machine's loopback (a remote shell, a container).
///
/// The address must go to `redirect_uri` (scheme, host, port and path), carry the `state` this
/// login issued, and carry a code. Nothing pasted is echoed but its scheme, host, port and path:
/// the rest holds the code.
pub fn code_from_redirect(redirect: &str, expected_state: &str, redirect_uri: &str) -> Result<Secret, Failure> {
    let expected = Url::parse(redirect_uri).map_err(|e| {
        Failure::new(
            ExitCode::Credential,
            format!(
                "the redirect URI `{}` is not a URL ({e})",
                one_line(&clip(redirect_uri, 200))
            ),
        )
    })?;
    let paste_hint = || {
        format!(
            "after authorizing the app on X, copy the whole address from the browser's address bar (it starts \
             with {redirect_uri}?) and paste it"
        )
    };
    let got = Url::parse(redirect.trim()).map_err(|e| {
        Failure::new(ExitCode::Credential, format!("what was pasted is not a URL ({e})")).hint(paste_hint())
    })?;
    let same = got.scheme() == expected.scheme()
        && got.host_str() == expected.host_str()
        && got.port_or_known_default() == expected.port_or_known_default()
        && got.path() == expected.path();
    if !same {
        let port = got.port().map(|p| format!(":{p}")).unwrap_or_default();
        let shown = format!(
            "{}://{}{port}{}",
            got.scheme(),
            got.host_str().unwrap_or_default(),
            got.path()
        );
        return Err(Failure::new(
            ExitCode::Credential,
            format!(
                "the pasted address goes to {}, not to postgate's redirect URI {redirect_uri}; nothing was stored",
                one_line(&clip(&shown, 200))
            ),
        )
        .hint(paste_hint()));
    }
    let pairs: Vec<(String, String)> = got
        .query_pairs()
        .map(|(n, v)| (n.into_owned(), v.into_owned()))
        .collect();
    code_from_pairs(&pairs, expected_state).map_err(|r| r.failure)
}

/// A loopback listener for the redirect, bound before the authorization URL is shown, so that
/// a browser sent there at once finds it listening.
#[derive(Debug)]
pub struct Listener {
    socket: TcpListener,
    port: u16,
}

/// Binds `127.0.0.1:port` (port 0: any free port, for tests). Only the loopback address: no
/// other machine can reach the listener (RFC 8252 §8.3).
pub fn listen(port: u16) -> Result<Listener, Failure> {
    let hint = |port: u16| {
        format!(
            "stop the program that holds port {port}, or use another port: register \
             http://127.0.0.1:PORT/callback for the app in the X developer portal and set `redirect_port` to \
             PORT in the account's policy; `--paste` logs in without listening"
        )
    };
    let socket = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port))).map_err(|e| {
        let message = if e.kind() == ErrorKind::AddrInUse {
            format!("cannot wait for X's redirect on 127.0.0.1:{port}: another program is using port {port}")
        } else {
            format!("cannot wait for X's redirect on 127.0.0.1:{port}: {e}")
        };
        Failure::new(ExitCode::Credential, message).hint(hint(port))
    })?;
    let port = socket.local_addr().map(|a| a.port()).unwrap_or(port);
    socket.set_nonblocking(true).map_err(|e| {
        Failure::new(
            ExitCode::Credential,
            format!("cannot wait for X's redirect on 127.0.0.1:{port}: {e}"),
        )
    })?;
    Ok(Listener { socket, port })
}

/// What serving one connection came to.
enum Served {
    Code(Secret),
    Refused(Failure),
    /// Not the redirect (another path, a stray or broken client): keep waiting.
    Other,
}

impl Listener {
    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves requests one at a time until the browser brings the redirect to
    /// `redirect_uri_path` (`/callback`), and returns its code. Other paths (a favicon) get a
    /// 404 and the wait goes on; a redirect that does not answer this login (wrong or missing
    /// state, an `error=`, no code) gets a page saying so and ends the login, since a forged or
    /// stale redirect means the person should start again. After `deadline`, it gives up.
    pub fn wait(&self, expected_state: &str, redirect_uri_path: &str, deadline: Duration) -> Result<Secret, Failure> {
        let start = Instant::now();
        let until = start
            .checked_add(deadline)
            .unwrap_or_else(|| start + Duration::from_secs(365 * 24 * 3600));
        loop {
            let now = Instant::now();
            if now >= until {
                return Err(Failure::new(
                    ExitCode::Credential,
                    format!(
                        "no redirect reached http://127.0.0.1:{}{} within {}s; nothing was stored",
                        self.port,
                        one_line(redirect_uri_path),
                        deadline.as_secs_f64()
                    ),
                )
                .hint(
                    "run the login again; if the browser runs on another machine or cannot reach this one's \
                     127.0.0.1, use `--paste` and paste the address the browser ends on, or `--no-browser` to \
                     open the printed link yourself",
                ));
            }
            match self.socket.accept() {
                Ok((stream, _)) => match serve(
                    stream,
                    expected_state,
                    redirect_uri_path,
                    until.min(now + REQUEST_TIMEOUT),
                ) {
                    Served::Code(code) => return Ok(code),
                    Served::Refused(failure) => return Err(failure),
                    Served::Other => {}
                },
                Err(e) if e.kind() == ErrorKind::WouldBlock => std::thread::sleep(POLL.min(until - now)),
                // A client that gave up between connecting and being accepted.
                Err(e) if matches!(e.kind(), ErrorKind::Interrupted | ErrorKind::ConnectionAborted) => {}
                Err(e) => {
                    return Err(Failure::new(
                        ExitCode::Credential,
                        format!("waiting for X's redirect on 127.0.0.1:{}: {e}", self.port),
                    ));
                }
            }
        }
    }
}

/// Reads one request's line and headers, bounded by [`HEAD_CAP`] and `until`. `Err(true)`: over
/// the cap; `Err(false)`: the client sent nothing usable in time, or went away.
fn read_head(stream: &mut TcpStream, until: Instant) -> Result<String, bool> {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    loop {
        if let Some(end) = head.windows(4).position(|w| w == b"\r\n\r\n") {
            head.truncate(end);
            return Ok(String::from_utf8_lossy(&head).into_owned());
        }
        if head.len() > HEAD_CAP {
            return Err(true);
        }
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return Err(false);
        }
        match stream.read(&mut buf) {
            Ok(0) => return Err(false),
            Ok(n) => head.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => return Err(false),
        }
    }
}

fn serve(mut stream: TcpStream, expected_state: &str, path: &str, until: Instant) -> Served {
    // An accepted socket inherits non-blocking mode on some systems (macOS, Windows).
    if stream.set_nonblocking(false).is_err() || stream.set_write_timeout(Some(REQUEST_TIMEOUT)).is_err() {
        return Served::Other;
    }
    let head = match read_head(&mut stream, until) {
        Ok(head) => head,
        Err(true) => {
            respond(
                &mut stream,
                431,
                "Request Header Fields Too Large",
                &page("Too large", "This request is too large."),
            );
            drain(&mut stream, until);
            return Served::Other;
        }
        Err(false) => return Served::Other,
    };
    let line = head.lines().next().unwrap_or_default();
    let mut parts = line.split(' ');
    let (Some(method), Some(target), Some(version), None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        respond(
            &mut stream,
            400,
            "Bad Request",
            &page("Bad request", "This is not an HTTP request postgate understands."),
        );
        return Served::Other;
    };
    if !version.starts_with("HTTP/1.") || !target.starts_with('/') {
        respond(
            &mut stream,
            400,
            "Bad Request",
            &page("Bad request", "This is not an HTTP request postgate understands."),
        );
        return Served::Other;
    }
    let (target_path, query) = target.split_once('?').unwrap_or((target, ""));
    if target_path != path {
        respond(
            &mut stream,
            404,
            "Not Found",
            &page("Not found", "postgate only waits for X's redirect here."),
        );
        return Served::Other;
    }
    if method != "GET" {
        respond(
            &mut stream,
            405,
            "Method Not Allowed",
            &page("Not allowed", "X's redirect is a GET request."),
        );
        return Served::Other;
    }
    match code_from_pairs(&query_pairs(query), expected_state) {
        Ok(code) => {
            respond(
                &mut stream,
                200,
                "OK",
                &page(
                    "postgate received X's authorization",
                    "The login finishes in the terminal. You can close this tab.",
                ),
            );
            Served::Code(code)
        }
        Err(refusal) => {
            let text = format!(
                "{} The terminal says what to do next. You can close this tab.",
                refusal.failure.message
            );
            let reason = if refusal.status == 200 { "OK" } else { "Bad Request" };
            respond(&mut stream, refusal.status, reason, &page("Not logged in", &text));
            Served::Refused(refusal.failure)
        }
    }
}

/// Reads what a client still sends after its answer, within `until` and 64 KiB: closing a
/// socket with unread input resets the connection, and the client could lose the answer.
fn drain(stream: &mut TcpStream, until: Instant) {
    let mut buf = [0u8; 4096];
    let mut left: usize = 64 * 1024;
    while left > 0 {
        let time = until.saturating_duration_since(Instant::now());
        if time.is_zero() || stream.set_read_timeout(Some(time)).is_err() {
            return;
        }
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => left = left.saturating_sub(n),
        }
    }
}

/// Escapes text for an HTML element's content or a quoted attribute.
fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A page of its own: no script, no style sheet, no image, nothing fetched from anywhere.
fn page(title: &str, text: &str) -> String {
    let (title, text) = (escape_html(title), escape_html(text));
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>postgate: {title}</title></head>\n\
         <body><h1>{title}</h1><p>{text}</p></body></html>\n"
    )
}

fn respond(stream: &mut TcpStream, status: u16, reason: &str, body: &str) {
    // The page's address holds the code: no cache keeps it, no referrer carries it off, and the
    // policy forbids the page any content from elsewhere should a browser ever render more.
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nReferrer-Policy: no-referrer\r\nContent-Security-Policy: default-src 'none'\r\n\
         X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n",
        body.len()
    );
    // A browser that went away misses its page; the login's outcome does not depend on it.
    let _ = stream
        .write_all(head.as_bytes())
        .and_then(|_| stream.write_all(body.as_bytes()));
    let _ = stream.flush();
    let _ = stream.shutdown(std::net::Shutdown::Write);
}

/// Opens `url` in the person's browser: `xdg-open` on Linux and the other Unixes (which
/// itself honours `$BROWSER`, so postgate does not read it), `open` on macOS, `cmd /c start`
/// on Windows. The URL is one argument, never through a shell; the opener runs detached, in
/// its own process group (Ctrl-C in the terminal does not reach the browser), with nothing
/// on the terminal. Only a failure to start the opener is reported: openers differ in when
/// they return, so their exit is not awaited. The caller prints the URL either way.
pub fn open_browser(url: &Url) -> Result<(), String> {
    let mut command = opener(url, graphical_session())?;
    command.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        command.process_group(0);
    }
    let program = command.get_program().to_string_lossy().into_owned();
    let mut child = command
        .spawn()
        .map_err(|e| format!("could not start `{program}` to open the browser: {e}"))?;
    // Reaped in the background, so no zombie stays behind while the login goes on.
    std::thread::spawn(move || {
        let _ = child.wait();
    });
    Ok(())
}

/// Whether a browser window can appear: on Linux and the BSDs, only under X11 or Wayland.
/// Without either, xdg-open falls back to text browsers, which would fight the prompt for
/// the terminal.
fn graphical_session() -> bool {
    if cfg!(any(target_os = "macos", windows)) {
        return true;
    }
    ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty()))
}

/// The command that opens `url`.
fn opener(url: &Url, graphical: bool) -> Result<Command, String> {
    if !graphical {
        return Err("no graphical session here (neither DISPLAY nor WAYLAND_DISPLAY is set)".into());
    }
    #[cfg(target_os = "macos")]
    {
        let mut command = Command::new("open");
        command.arg(url.as_str());
        Ok(command)
    }
    #[cfg(windows)]
    {
        use std::os::windows::process::CommandExt;
        // cmd reads its command line itself: unquoted, the `&` between query parameters would
        // end the command. In double quotes it is literal; a serialized URL has no `"` (it is
        // always percent-encoded), so the quotes cannot be closed from inside. The empty
        // first argument is `start`'s window title, which it would otherwise take the URL for.
        let mut command = Command::new("cmd");
        command
            .args(["/C", "start", ""])
            .raw_arg(format!("\"{}\"", url.as_str()));
        Ok(command)
    }
    #[cfg(all(unix, not(target_os = "macos")))]
    {
        let mut command = Command::new("xdg-open");
        command.arg(url.as_str());
        Ok(command)
    }
    #[cfg(not(any(unix, windows)))]
    {
        let _ = url;
        Err("postgate knows no way to open a browser on this system".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::thread;

    /// RFC 7636 Appendix B: the verifier `dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk` (the
    /// base64url of the 32 octets printed there) and its S256 challenge.
    #[test]
    fn rfc_7636_appendix_b_challenge() {
        let octets: [u8; 32] = [
            116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37, 77, 105, 214, 191,
            240, 91, 88, 5, 88, 83, 132, 141, 121,
        ];
        assert_eq!(BASE64URL.encode(octets), "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        let pkce = Pkce::from_verifier(Secret::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".into()))
            .expect("the RFC's verifier is valid");
        assert_eq!(pkce.challenge, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    }

    #[test]
    fn fresh_verifiers_are_valid_distinct_and_never_printed() {
        let (a, b) = (Pkce::new(), Pkce::new());
        assert_ne!(a.verifier.expose(), b.verifier.expose());
        for p in [&a, &b] {
            assert_eq!(p.verifier.expose().len(), 43);
            let again = Pkce::from_verifier(p.verifier.clone()).expect("a fresh verifier is valid");
            assert_eq!(again.challenge, p.challenge);
            let shown = format!("{p:?}");
            assert!(!shown.contains(p.verifier.expose()), "{shown}");
            assert!(shown.contains(&p.challenge));
        }
    }

    #[test]
    fn verifiers_of_the_wrong_shape_are_refused_without_being_shown() {
        let short = "a".repeat(42);
        let long = "a".repeat(129);
        let spaced = format!("{} b", "a".repeat(50));
        for bad in [
            short.as_str(),
            long.as_str(),
            spaced.as_str(),
            &format!("{}é", "a".repeat(50)),
        ] {
            let e = Pkce::from_verifier(Secret::new(bad.into())).expect_err(bad);
            assert_eq!(e.code, ExitCode::Credential);
            assert!(!e.message.contains(bad), "{}", e.message);
        }
        assert!(Pkce::from_verifier(Secret::new("a".repeat(43))).is_ok());
        assert!(Pkce::from_verifier(Secret::new(format!("{}-._~", "Z9".repeat(62)))).is_ok());
    }

    #[test]
    fn states_are_long_url_safe_and_fresh() {
        let (a, b) = (random_state(), random_state());
        assert_ne!(a, b);
        // 43 base64url characters carry 256 bits.
        assert_eq!(a.len(), 43);
        assert!(
            a.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'),
            "{a}"
        );
    }

    #[test]
    fn the_authorize_url_carries_every_parameter_once_with_spaces_as_percent_20() {
        let authorize = Url::parse("https://x.com/i/oauth2/authorize").expect("parses");
        let url = authorize_url(
            &authorize,
            "client-1",
            &redirect_uri(8765),
            &["tweet.read", "tweet.write", "users.read", "offline.access"],
            "st&te",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        );
        assert_eq!(url.host_str(), Some("x.com"));
        assert_eq!(url.path(), "/i/oauth2/authorize");
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(n, v)| (n.into_owned(), v.into_owned()))
            .collect();
        let expected = [
            ("response_type", "code"),
            ("client_id", "client-1"),
            ("redirect_uri", "http://127.0.0.1:8765/callback"),
            ("scope", "tweet.read tweet.write users.read offline.access"),
            ("state", "st&te"),
            ("code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"),
            ("code_challenge_method", "S256"),
        ];
        let expected: Vec<(String, String)> = expected.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect();
        assert_eq!(pairs, expected);
        let query = url.query().unwrap_or_default();
        assert!(
            query.contains("scope=tweet.read%20tweet.write%20users.read%20offline.access"),
            "{query}"
        );
        assert!(
            query.contains("redirect_uri=http%3A%2F%2F127.0.0.1%3A8765%2Fcallback"),
            "{query}"
        );
        // A query the endpoint already has is kept, ahead of ours.
        let with_query = Url::parse("https://x.com/i/oauth2/authorize?lang=fr").expect("parses");
        let url = authorize_url(&with_query, "c", "r", &["a"], "s", "ch");
        assert!(
            url.query()
                .unwrap_or_default()
                .starts_with("lang=fr&response_type=code&")
        );
    }

    const STATE: &str = "expected-state-0123456789";

    fn paste(redirect: &str) -> Result<Secret, Failure> {
        code_from_redirect(redirect, STATE, &redirect_uri(8765))
    }

    fn refusal(redirect: &str) -> Failure {
        let e = paste(redirect).expect_err(redirect);
        assert_eq!(e.code, ExitCode::Credential, "{redirect}");
        assert!(!e.message.contains("the-code"), "the code leaked into {}", e.message);
        e
    }

    #[test]
    fn a_pasted_redirect_gives_its_code() {
        let code = paste(&format!(
            "  http://127.0.0.1:8765/callback?state={STATE}&code=the-code%2B1\n"
        ))
        .expect("a good redirect");
        assert_eq!(code.expose(), "the-code+1");
        let code = paste(&format!("http://127.0.0.1:8765/callback?code=c2&state={STATE}")).expect("any order");
        assert_eq!(code.expose(), "c2");
    }

    #[test]
    fn a_pasted_redirect_with_another_state_is_refused_as_csrf() {
        let e = refusal("http://127.0.0.1:8765/callback?state=expected-state-0123456788&code=the-code");
        assert!(
            e.message.contains("did not issue") && e.message.contains("10.12"),
            "{}",
            e.message
        );
        let e = refusal("http://127.0.0.1:8765/callback?code=the-code");
        assert!(e.message.contains("no `state`"), "{}", e.message);
        let e = refusal(&format!(
            "http://127.0.0.1:8765/callback?state={STATE}&state=x&code=the-code"
        ));
        assert!(e.message.contains("more than once"), "{}", e.message);
        let e = refusal(&format!(
            "http://127.0.0.1:8765/callback?state={STATE}&code=the-code&code=other"
        ));
        assert!(e.message.contains("`code` more than once"), "{}", e.message);
    }

    #[test]
    fn a_pasted_address_elsewhere_is_refused_naming_where_it_goes() {
        for (pasted, goes) in [
            ("http://127.0.0.1:8766/callback", "http://127.0.0.1:8766/callback"),
            ("http://127.0.0.1:8765/callbacks", "http://127.0.0.1:8765/callbacks"),
            ("http://localhost:8765/callback", "http://localhost:8765/callback"),
            ("https://127.0.0.1:8765/callback", "https://127.0.0.1:8765/callback"),
            ("http://evil.example/callback", "http://evil.example/callback"),
        ] {
            let e = refusal(&format!("{pasted}?state={STATE}&code=the-code"));
            assert!(e.message.contains(&format!("goes to {goes},")), "{}", e.message);
            assert!(
                e.hint
                    .as_deref()
                    .is_some_and(|h| h.contains("http://127.0.0.1:8765/callback?"))
            );
        }
    }

    #[test]
    fn a_declined_authorization_is_reported_with_its_description_made_visible() {
        let e = refusal(&format!(
            "http://127.0.0.1:8765/callback?state={STATE}&error=access_denied&error_description=User%20said%20no%1B%5B2J"
        ));
        assert!(
            e.message.contains("declined (access_denied: User said no⟨U+001B⟩[2J)"),
            "{}",
            e.message
        );
        assert!(!e.message.contains('\x1b'));
        // Without a state too: an error carries no code to slip in.
        let e = refusal("http://127.0.0.1:8765/callback?error=invalid_request");
        assert!(
            e.message.contains("X refused the authorization: invalid_request"),
            "{}",
            e.message
        );
        // With a wrong state, the state wins: the error may be forged.
        let e = refusal("http://127.0.0.1:8765/callback?state=old&error=access_denied");
        assert!(e.message.contains("did not issue"), "{}", e.message);
    }

    #[test]
    fn a_pasted_redirect_without_a_code_or_that_is_no_url_is_refused() {
        let e = refusal(&format!("http://127.0.0.1:8765/callback?state={STATE}"));
        assert!(e.message.contains("no authorization code"), "{}", e.message);
        let e = refusal(&format!("http://127.0.0.1:8765/callback?state={STATE}&code="));
        assert!(e.message.contains("no authorization code"), "{}", e.message);
        for junk in [
            "",
            "   ",
            "the-code",
            "127.0.0.1:8765/callback?code=the-code",
            "http://[::1/callback",
        ] {
            let e = refusal(junk);
            assert!(
                e.message.contains("not a URL") || e.message.contains("goes to"),
                "{junk:?}: {}",
                e.message
            );
        }
    }

    /// Sends one raw request to the listener and returns the status and the whole answer.
    fn send(port: u16, request: &str) -> (u16, String) {
        let mut stream = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).expect("connect to the listener");
        stream.set_read_timeout(Some(Duration::from_secs(20))).expect("timeout");
        stream.write_all(request.as_bytes()).expect("send the request");
        let mut answer = String::new();
        stream.read_to_string(&mut answer).expect("read the answer");
        let status = answer
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no status in {answer:?}"));
        (status, answer)
    }

    fn get(port: u16, target: &str) -> (u16, String) {
        send(
            port,
            &format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUser-Agent: test\r\n\r\n"),
        )
    }

    /// Runs `browser` against a fresh listener waiting `deadline`, and returns what the wait gave.
    fn login(deadline: Duration, browser: impl FnOnce(u16)) -> Result<Secret, Failure> {
        let listener = listen(0).expect("bind a loopback port");
        let port = listener.port();
        thread::scope(|s| {
            let waiting = s.spawn(|| listener.wait(STATE, "/callback", deadline));
            browser(port);
            waiting.join().expect("the wait does not panic")
        })
    }

    #[test]
    fn the_listener_answers_the_callback_and_returns_its_code() {
        let code = login(Duration::from_secs(30), |port| {
            let (status, answer) = get(port, &format!("/callback?state={STATE}&code=the-code"));
            assert_eq!(status, 200, "{answer}");
            assert!(answer.contains("You can close this tab"), "{answer}");
            assert!(
                answer.contains("Content-Security-Policy: default-src 'none'"),
                "{answer}"
            );
            assert!(answer.contains("Cache-Control: no-store"), "{answer}");
            assert!(!answer.contains("the-code"), "{answer}");
        })
        .expect("the login succeeds");
        assert_eq!(code.expose(), "the-code");
    }

    #[test]
    fn other_paths_get_404_and_the_wait_goes_on() {
        let code = login(Duration::from_secs(30), |port| {
            assert_eq!(get(port, "/favicon.ico").0, 404);
            assert_eq!(get(port, "/").0, 404);
            assert_eq!(get(port, &format!("/callback/?state={STATE}&code=no")).0, 404);
            let post = format!("POST /callback?state={STATE}&code=no HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
            assert_eq!(send(port, &post).0, 405);
            assert_eq!(send(port, "nonsense\r\n\r\n").0, 400);
            assert_eq!(get(port, &format!("/callback?state={STATE}&code=late")).0, 200);
        })
        .expect("the login succeeds after the strays");
        assert_eq!(code.expose(), "late");
    }

    #[test]
    fn a_client_that_sends_nothing_or_too_much_does_not_hold_the_listener() {
        let code = login(Duration::from_secs(30), |port| {
            // Held open and silent until the end: the listener drops it after REQUEST_TIMEOUT.
            let _silent = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).expect("connect");
            let huge = format!("GET /callback?x={} HTTP/1.1\r\n\r\n", "a".repeat(HEAD_CAP * 2));
            let mut big = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).expect("connect");
            // The listener may stop reading and close before all is sent: only its answer counts.
            let _ = big.write_all(huge.as_bytes());
            let _ = big.shutdown(std::net::Shutdown::Write);
            let mut answer = String::new();
            let _ = big.read_to_string(&mut answer);
            assert!(answer.starts_with("HTTP/1.1 431 "), "{answer:.80}");
            assert_eq!(get(port, &format!("/callback?state={STATE}&code=after")).0, 200);
        })
        .expect("the login succeeds after the strays");
        assert_eq!(code.expose(), "after");
    }

    #[test]
    fn a_callback_with_another_state_gets_400_and_fails_the_login() {
        let e = login(Duration::from_secs(30), |port| {
            let (status, answer) = get(port, "/callback?state=stale&code=the-code");
            assert_eq!(status, 400, "{answer}");
            assert!(answer.contains("earlier login"), "{answer}");
        })
        .expect_err("a wrong state ends the login");
        assert_eq!(e.code, ExitCode::Credential);
        assert!(e.message.contains("forged"), "{}", e.message);
    }

    #[test]
    fn an_error_redirect_is_shown_escaped_and_fails_the_login() {
        let e = login(Duration::from_secs(30), |port| {
            let (status, answer) = get(
                port,
                &format!(
                    "/callback?state={STATE}&error=access_denied&error_description=%3Cscript%3Ealert(1)%3C/script%3E"
                ),
            );
            assert_eq!(status, 200, "{answer}");
            assert!(answer.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{answer}");
            assert!(!answer.contains("<script>"), "{answer}");
        })
        .expect_err("a declined authorization ends the login");
        assert!(e.message.contains("access_denied"), "{}", e.message);
    }

    #[test]
    fn the_wait_gives_up_at_its_deadline_and_says_what_to_do() {
        let started = Instant::now();
        let e = login(Duration::from_millis(300), |_| {}).expect_err("nobody came");
        let took = started.elapsed();
        assert!(
            took >= Duration::from_millis(300) && took < Duration::from_secs(10),
            "{took:?}"
        );
        assert_eq!(e.code, ExitCode::Credential);
        assert!(
            e.message.contains("no redirect reached http://127.0.0.1:"),
            "{}",
            e.message
        );
        let hint = e.hint.unwrap_or_default();
        assert!(hint.contains("--paste") && hint.contains("--no-browser"), "{hint}");
    }

    #[test]
    fn a_port_in_use_is_named_with_the_policy_key() {
        let taken = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind a loopback port");
        let port = taken.local_addr().expect("its address").port();
        let e = listen(port).expect_err("the port is taken");
        assert_eq!(e.code, ExitCode::Credential);
        assert!(e.message.contains(&format!("127.0.0.1:{port}")), "{}", e.message);
        assert!(e.hint.unwrap_or_default().contains("`redirect_port`"));
    }

    #[test]
    fn html_is_escaped() {
        assert_eq!(
            escape_html(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn the_browser_is_opened_with_the_url_as_one_argument_and_only_where_one_can_show() {
        let url = Url::parse("https://x.com/i/oauth2/authorize?a=1&b=%20;$(rm)").expect("parses");
        assert!(opener(&url, false).is_err());
        let command = opener(&url, true).expect("an opener");
        let args: Vec<String> = command.get_args().map(|a| a.to_string_lossy().into_owned()).collect();
        #[cfg(all(unix, not(target_os = "macos")))]
        {
            assert_eq!(command.get_program(), "xdg-open");
            assert_eq!(args, vec![url.as_str().to_string()]);
        }
        #[cfg(target_os = "macos")]
        {
            assert_eq!(command.get_program(), "open");
            assert_eq!(args, vec![url.as_str().to_string()]);
        }
        #[cfg(windows)]
        {
            assert_eq!(command.get_program(), "cmd");
            assert_eq!(
                args.last().map(String::as_str),
                Some(format!("\"{}\"", url.as_str()).as_str())
            );
        }
    }
}
