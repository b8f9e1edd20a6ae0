//! A small HTTP/1.1 server for the review and enrolment pages: one request per connection,
//! bounded in size and time, over TLS when given a certificate.
//!
//! These pages carry signatures and nothing else, to a handful of approvers, so the server is
//! deliberately plain: a thread per connection up to [`MAX_CONNECTIONS`], `Connection: close`
//! on every answer, no chunked bodies, no keep-alive, no compression. What it guards against
//! is the web's usual tricks: another site's page posting to it (the `Origin` check and the
//! CSRF token, in the pages' code), a DNS name rebound to 127.0.0.1 (the `Host` check here),
//! framing and injected script (the headers every answer carries).

use crate::error::Failure;
use crate::exit_codes::ExitCode;
use anyhow::{Context, Result};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

/// The request line and headers: more is answered 431.
pub const MAX_HEAD: usize = 16 * 1024;
/// A body: more is answered 413. Assertions and reasons are a few kilobytes.
pub const MAX_BODY: usize = 1024 * 1024;
/// Connections served at once; one more is answered 503 at once.
pub const MAX_CONNECTIONS: usize = 32;
/// How long one read or write may wait.
const IO_TIMEOUT: Duration = Duration::from_secs(15);
/// How long a client may take to send its whole request: a client trickling a byte per read
/// would otherwise hold a connection for ever.
const REQUEST_DEADLINE: Duration = Duration::from_secs(30);

/// Every answer's headers: no script but the page's own, no framing, no sniffing, no caching
/// of pages that show unpublished posts, no referrer carrying a plan's URL elsewhere.
pub const SECURITY_HEADERS: &[(&str, &str)] = &[
    (
        "Content-Security-Policy",
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; \
         form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    ),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "no-referrer"),
    ("Cache-Control", "no-store"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Cross-Origin-Resource-Policy", "same-origin"),
];

#[derive(Debug)]
pub struct Request {
    pub method: String,
    /// The path, without the query.
    pub path: String,
    pub query: Option<String>,
    /// Names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
}

impl Response {
    pub fn new(status: u16, content_type: &'static str, body: impl Into<Vec<u8>>) -> Response {
        Response {
            status,
            content_type,
            body: body.into(),
        }
    }

    pub fn html(body: String) -> Response {
        Response::new(200, "text/html; charset=utf-8", body)
    }

    pub fn json(status: u16, value: &serde_json::Value) -> Response {
        Response::new(status, "application/json", value.to_string())
    }

    /// A refusal a script reads: `{"error": message}`.
    pub fn error(status: u16, message: &str) -> Response {
        Response::json(status, &serde_json::json!({ "error": message }))
    }

    pub fn text(status: u16, message: &str) -> Response {
        Response::new(status, "text/plain; charset=utf-8", format!("{message}\n"))
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        411 => "Length Required",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        421 => "Misdirected Request",
        422 => "Unprocessable Content",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        _ => "",
    }
}

/// Reads a certificate chain and its private key, both PEM, for serving HTTPS.
pub fn tls_config(cert: &Path, key: &Path) -> Result<Arc<rustls::ServerConfig>> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let usage = |what: &str, path: &Path, e: String| {
        Failure::new(
            ExitCode::Usage,
            format!("cannot read the TLS {what} {}: {e}", path.display()),
        )
    };
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|e| usage("certificate", cert, e.to_string()))?
        .collect::<Result<_, _>>()
        .map_err(|e| usage("certificate", cert, e.to_string()))?;
    if chain.is_empty() {
        return Err(usage("certificate", cert, "it holds no PEM certificate".into()).into());
    }
    let private = PrivateKeyDer::from_pem_file(key).map_err(|e| usage("key", key, e.to_string()))?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("TLS set-up")?
        .with_no_client_auth()
        .with_single_cert(chain, private)
        .map_err(|e| {
            Failure::new(
                ExitCode::Usage,
                format!("the TLS key {} does not go with the certificate: {e}", key.display()),
            )
        })?;
    Ok(Arc::new(config))
}

/// A listening server. [`Server::run`] serves until [`Server::stop`] is called.
pub struct Server {
    /// The address asked for, and on 127.0.0.1 its IPv6 twin `[::1]` (see [`Server::bind`]).
    listeners: Vec<TcpListener>,
    tls: Option<Arc<rustls::ServerConfig>>,
    stopped: AtomicBool,
    busy: AtomicUsize,
    /// `host[:port]` that requests must name in `Host`.
    authority: String,
}

/// Gives a connection slot back however the connection ends, a panic included.
struct Slot<'a>(&'a AtomicUsize);

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Server {
    /// Binds `addr`; requests must name `authority` (the origin's host and port) in `Host`.
    ///
    /// A browser resolves `localhost` to `::1` as well as `127.0.0.1`, and may try `::1`
    /// first: another local user listening on `[::1]:PORT` would receive the approvers'
    /// browsers at the very origin their passkeys sign for, and could ask them to sign another
    /// plan. So a server on 127.0.0.1 holds `[::1]` on the same port too, and refuses to start
    /// when someone else holds it. (A machine without IPv6 has no `::1` to take.)
    pub fn bind(addr: &str, tls: Option<Arc<rustls::ServerConfig>>, authority: &str) -> Result<Server> {
        let cannot = |addr: &str, e: std::io::Error| {
            Failure::new(ExitCode::Usage, format!("cannot listen on {addr}: {e}"))
                .hint("choose another address with --listen HOST:PORT")
        };
        let first = TcpListener::bind(addr).map_err(|e| cannot(addr, e))?;
        let mut listeners = vec![first];
        let local = listeners[0].local_addr()?;
        if local.ip() == std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST) {
            let twin = SocketAddr::from((std::net::Ipv6Addr::LOCALHOST, local.port()));
            match TcpListener::bind(twin) {
                Ok(l) => listeners.push(l),
                Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
                    return Err(Failure::new(
                        ExitCode::Usage,
                        format!(
                            "another program listens on {twin}, where browsers also look for localhost:{}; it would \
                             receive the approvers' pages",
                            local.port()
                        ),
                    )
                    .hint("find who listens there (`ss -ltnp`), or choose another port with --listen")
                    .into());
                }
                Err(_) => {}
            }
        }
        Ok(Server {
            listeners,
            tls,
            stopped: AtomicBool::new(false),
            busy: AtomicUsize::new(0),
            authority: authority.to_ascii_lowercase(),
        })
    }

    pub fn local_addr(&self) -> Result<SocketAddr> {
        Ok(self.listeners[0].local_addr()?)
    }

    /// Makes [`Server::run`] return once the current requests are answered.
    pub fn stop(&self) {
        self.stopped.store(true, Ordering::SeqCst);
        // `accept` blocks; one connection of our own to each listener wakes it to see the flag.
        for listener in &self.listeners {
            if let Ok(addr) = listener.local_addr() {
                let _ = TcpStream::connect_timeout(&addr, Duration::from_secs(1));
            }
        }
    }

    /// Answers each request with `handler` until stopped.
    pub fn run(&self, handler: &(dyn Fn(&Request) -> Response + Sync)) {
        std::thread::scope(|scope| {
            for listener in &self.listeners {
                scope.spawn(move || self.accept(scope, listener, handler));
            }
        });
    }

    fn accept<'s>(
        &'s self,
        scope: &'s std::thread::Scope<'s, '_>,
        listener: &'s TcpListener,
        handler: &'s (dyn Fn(&Request) -> Response + Sync),
    ) {
        for stream in listener.incoming() {
            if self.stopped.load(Ordering::SeqCst) {
                break;
            }
            let Ok(stream) = stream else { continue };
            if self.busy.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
                self.busy.fetch_sub(1, Ordering::SeqCst);
                let _ = stream.set_write_timeout(Some(IO_TIMEOUT));
                if self.tls.is_none() {
                    let mut stream = stream;
                    let _ = write_response(&mut stream, &Response::text(503, "too many connections; try again"));
                }
                continue;
            }
            let slot = Slot(&self.busy);
            scope.spawn(move || {
                let _slot = slot;
                self.connection(stream, handler);
            });
        }
    }

    fn connection(&self, stream: TcpStream, handler: &(dyn Fn(&Request) -> Response + Sync)) {
        let _ = stream.set_read_timeout(Some(IO_TIMEOUT));
        let _ = stream.set_write_timeout(Some(IO_TIMEOUT));
        match &self.tls {
            Some(config) => {
                let Ok(conn) = rustls::ServerConnection::new(config.clone()) else {
                    return;
                };
                let mut tls = rustls::StreamOwned::new(conn, stream);
                self.exchange(&mut tls, handler);
                tls.conn.send_close_notify();
                let _ = tls.flush();
            }
            None => {
                let mut stream = stream;
                self.exchange(&mut stream, handler);
            }
        }
    }

    fn exchange(&self, stream: &mut (impl Read + Write), handler: &(dyn Fn(&Request) -> Response + Sync)) {
        let response = match read_request(stream) {
            Ok(Some(request)) => {
                let host = request.header("host").unwrap_or_default().to_ascii_lowercase();
                if host != self.authority {
                    Response::text(421, &format!("this server answers for {} only", self.authority))
                } else {
                    handler(&request)
                }
            }
            Ok(None) => return,
            Err(status) => Response::text(status, reason(status)),
        };
        let _ = write_response(stream, &response);
    }
}

/// Reads one request; `Ok(None)` when the client closed without sending one (the stop
/// connection, a browser's spare socket), `Err(status)` for a request refused as malformed.
fn read_request(stream: &mut impl Read) -> Result<Option<Request>, u16> {
    let started = std::time::Instant::now();
    let mut buf = Vec::with_capacity(2048);
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if started.elapsed() > REQUEST_DEADLINE {
            return Err(408);
        }
        if let Some(at) = memchr::memmem::find(&buf, b"\r\n\r\n") {
            break at + 4;
        }
        if buf.len() > MAX_HEAD {
            return Err(431);
        }
        match stream.read(&mut chunk) {
            Ok(0) if buf.is_empty() => return Ok(None),
            Ok(0) => return Err(400),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(_) if buf.is_empty() => return Ok(None),
            Err(_) => return Err(400),
        }
    };
    if head_end > MAX_HEAD {
        return Err(431);
    }
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut parsed = httparse::Request::new(&mut headers);
    match parsed.parse(&buf[..head_end]) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) | Err(httparse::Error::TooManyHeaders) => return Err(431),
        Err(_) => return Err(400),
    }
    let method = parsed.method.unwrap_or_default().to_string();
    let target = parsed.path.unwrap_or_default();
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p.to_string(), Some(q.to_string())),
        None => (target.to_string(), None),
    };
    let mut list = Vec::new();
    for h in parsed.headers.iter() {
        let Ok(value) = std::str::from_utf8(h.value) else {
            return Err(400);
        };
        list.push((h.name.to_ascii_lowercase(), value.trim().to_string()));
    }
    let request_headers = Request {
        method,
        path,
        query,
        headers: list,
        body: Vec::new(),
    };
    if request_headers.header("transfer-encoding").is_some() {
        return Err(501);
    }
    // Two copies of either would let a proxy in front and this server read different requests.
    for once in ["host", "content-length"] {
        if request_headers.headers.iter().filter(|(n, _)| n == once).count() > 1 {
            return Err(400);
        }
    }
    let length = match request_headers.header("content-length") {
        None => 0,
        Some(v) if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) => v.parse::<usize>().map_err(|_| 400u16)?,
        Some(_) => return Err(400),
    };
    if length > MAX_BODY {
        return Err(413);
    }
    let mut body = buf[head_end..].to_vec();
    if body.len() > length {
        return Err(400);
    }
    while body.len() < length {
        if started.elapsed() > REQUEST_DEADLINE {
            return Err(408);
        }
        let want = (length - body.len()).min(chunk.len());
        match stream.read(&mut chunk[..want]) {
            Ok(0) | Err(_) => return Err(400),
            Ok(n) => body.extend_from_slice(&chunk[..n]),
        }
    }
    Ok(Some(Request {
        body,
        ..request_headers
    }))
}

fn write_response(stream: &mut impl Write, response: &Response) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n",
        response.status,
        reason(response.status),
        response.content_type,
        response.body.len()
    );
    for (name, value) in SECURITY_HEADERS {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(&response.body)?;
    stream.flush()
}

/// A random token, unpadded base64url of 32 bytes from the OS.
pub fn token() -> Result<String> {
    use base64::Engine;
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness from the OS: {e}"))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// Whether `given` equals `expected`, in time that does not tell how much of it matched.
pub fn same_secret(given: &str, expected: &str) -> bool {
    use subtle::ConstantTimeEq;
    given.len() == expected.len() && bool::from(given.as_bytes().ct_eq(expected.as_bytes()))
}

/// Text for HTML, element content or a quoted attribute.
pub fn escape(text: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(raw: &[u8]) -> Result<Option<Request>, u16> {
        read_request(&mut std::io::Cursor::new(raw.to_vec()))
    }

    #[test]
    fn a_request_with_a_body_is_read_whole() {
        let r = parse(b"POST /plan/1/approve?x=1 HTTP/1.1\r\nHost: localhost:8750\r\nContent-Length: 4\r\n\r\nabcd")
            .unwrap()
            .unwrap();
        assert_eq!((r.method.as_str(), r.path.as_str()), ("POST", "/plan/1/approve"));
        assert_eq!(r.query.as_deref(), Some("x=1"));
        assert_eq!(r.header("HOST"), Some("localhost:8750"));
        assert_eq!(r.body, b"abcd");
    }

    #[test]
    fn oversized_or_chunked_or_short_requests_are_refused() {
        let big = format!("GET / HTTP/1.1\r\nX: {}\r\n\r\n", "a".repeat(MAX_HEAD));
        assert_eq!(parse(big.as_bytes()).unwrap_err(), 431);
        let body = format!("POST / HTTP/1.1\r\nContent-Length: {}\r\n\r\n", MAX_BODY + 1);
        assert_eq!(parse(body.as_bytes()).unwrap_err(), 413);
        assert_eq!(
            parse(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n").unwrap_err(),
            501
        );
        assert_eq!(
            parse(b"POST / HTTP/1.1\r\nContent-Length: 9\r\n\r\nabc").unwrap_err(),
            400
        );
        assert_eq!(parse(b"POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n").unwrap_err(), 400);
        assert_eq!(
            parse(b"POST / HTTP/1.1\r\nContent-Length: +1\r\n\r\na").unwrap_err(),
            400
        );
        assert_eq!(parse(b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n").unwrap_err(), 400);
        assert!(parse(b"").unwrap().is_none());
    }

    #[test]
    fn html_escaping_covers_attributes() {
        assert_eq!(
            escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn every_answer_carries_the_security_headers() {
        let mut out = Vec::new();
        write_response(&mut out, &Response::text(200, "ok")).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("HTTP/1.1 200 OK\r\n"), "{text}");
        assert!(text.contains("Content-Security-Policy: default-src 'none'; script-src 'self';"));
        assert!(text.contains("X-Frame-Options: DENY\r\n"));
        assert!(text.contains("Connection: close\r\n"));
        assert!(text.ends_with("\r\n\r\nok\n"));
    }

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abd", "abc"));
        assert!(!same_secret("ab", "abc"));
    }
}
