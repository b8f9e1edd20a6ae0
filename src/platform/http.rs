//! The one HTTP client every network platform uses: explicit timeouts, no redirects, bounded
//! retries that honour the server's wait hints, and error bodies turned into messages.
//!
//! Retrying is only safe for requests that are idempotent or carry an idempotency key; callers
//! say which with [`Retry`]. A request whose response never came back (a read timeout) may
//! have been applied: it is retried only under the same key, never re-sent as something new.
//!
//! Nothing a server sends is trusted to be small. Every body is read through [`read_json`] (or
//! the error path of [`send`]) with a cap for its kind of answer ([`Answer`]), and every field
//! that reaches a message, the banner or the audit log goes through [`clip`] first.

use crate::error::Failure;
use crate::exit_codes::ExitCode;
use crate::sanitize::one_line;
use reqwest::blocking::{Client, RequestBuilder, Response};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use std::io::Read;
use std::time::Duration;

pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
pub const READ_TIMEOUT: Duration = Duration::from_secs(30);
/// Attempts in all, the first included.
pub const MAX_ATTEMPTS: u32 = 4;
/// The longest we wait before a retry, whatever the server asks; beyond it we give up and say
/// when to try again.
pub const MAX_WAIT: Duration = Duration::from_secs(30);

/// Whether a request may be sent again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// Safe to repeat: reads, deletes, and writes under an idempotency key.
    Safe,
    /// Never repeat: the platform cannot tell a retry from a new request.
    Never,
}

/// The per-request timeout: `POSTGATE_HTTP_TIMEOUT` (seconds) for slow links or tests,
/// else [`READ_TIMEOUT`].
pub fn read_timeout() -> Duration {
    std::env::var("POSTGATE_HTTP_TIMEOUT")
        .ok()
        .and_then(|v| parse_timeout(&v))
        .unwrap_or(READ_TIMEOUT)
}

/// Seconds, fractions allowed; anything that is not a positive duration is ignored.
fn parse_timeout(text: &str) -> Option<Duration> {
    let seconds = text.trim().parse::<f64>().ok().filter(|s| *s > 0.0)?;
    Duration::try_from_secs_f64(seconds).ok()
}

pub fn client() -> Result<Client, Failure> {
    Client::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(read_timeout())
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("postgate/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| Failure::new(ExitCode::Platform, format!("cannot set up HTTP: {e}")))
}

/// What kind of answer a body is: each kind has its own size cap, well above what a real
/// server sends and far below what would hurt. Documented in docs/security.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// Who a credential belongs to (`verify_credentials`, `getSession`) or a session.
    Identity,
    /// A Mastodon instance's description, with its limits.
    Instance,
    /// An error body, read only to say what went wrong.
    Error,
    /// One page of an account's posts.
    Page,
    /// The answer to an image upload.
    Media,
    /// One post or record, created, edited or read.
    Post,
}

impl Answer {
    /// The most bytes read from a body of this kind.
    pub const fn cap(self) -> usize {
        match self {
            Answer::Identity | Answer::Error | Answer::Media => 64 * 1024,
            Answer::Post => 256 * 1024,
            Answer::Instance => 1024 * 1024,
            Answer::Page => 8 * 1024 * 1024,
        }
    }

    fn what(self) -> &'static str {
        match self {
            Answer::Identity => "an identity",
            Answer::Instance => "an instance description",
            Answer::Error => "an error",
            Answer::Page => "a page of posts",
            Answer::Media => "a media answer",
            Answer::Post => "a post",
        }
    }
}

/// The longest id (status id, DID, record key) kept from a server, in characters.
pub const ID_CAP: usize = 128;
/// The longest handle, domain or username kept from a server.
pub const NAME_CAP: usize = 256;
/// The longest URL or at:// URI kept from a server.
pub const URL_CAP: usize = 2048;
/// The longest post text kept from a server (reconcile shows and records it).
pub const TEXT_CAP: usize = 10_000;
/// The longest error message kept from a server.
pub const MESSAGE_CAP: usize = 300;

/// Cuts a server's field to `max` characters, saying so: what follows is never lost silently,
/// and a cut value can never pass for the whole one.
pub fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some((at, _)) => format!("{}…[cut: {} bytes in all]", &text[..at], text.len()),
    }
}

/// Shows a byte count as KiB or MiB, for the caps.
fn size(bytes: usize) -> String {
    if bytes >= 1024 * 1024 {
        format!("{} MiB", bytes / (1024 * 1024))
    } else {
        format!("{} KiB", bytes / 1024)
    }
}

/// Reads at most `cap` bytes of a body. `Err(None)` means there was more (nothing beyond
/// `cap + 1` bytes is ever read); `Err(Some(e))` that reading failed.
///
/// The whole body must arrive within [`read_timeout`]: the client's timeout bounds each read,
/// and a server that sends a byte a second would otherwise hold a run for as long as the cap
/// lasts (hours for 64 KiB).
fn read_capped(resp: Response, cap: usize) -> Result<Vec<u8>, Option<String>> {
    if resp.content_length().is_some_and(|n| n > cap as u64) {
        return Err(None);
    }
    read_capped_by(resp, cap, std::time::Instant::now() + read_timeout())
}

fn read_capped_by(resp: impl Read, cap: usize, deadline: std::time::Instant) -> Result<Vec<u8>, Option<String>> {
    let mut body = Vec::new();
    let mut reader = resp.take(cap as u64 + 1);
    let mut buf = [0u8; 16 * 1024];
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Some(e.to_string())),
        };
        body.extend_from_slice(&buf[..n]);
        if std::time::Instant::now() > deadline {
            return Err(Some(format!(
                "it did not arrive in full within {:.1}s (POSTGATE_HTTP_TIMEOUT)",
                read_timeout().as_secs_f64()
            )));
        }
    }
    if body.len() > cap {
        return Err(None);
    }
    Ok(body)
}

/// Reads a successful answer of kind `answer` as JSON, bounded by the kind's cap. An answer
/// over the cap, cut off or not in the expected shape is a platform error (exit 8).
pub fn read_json<T: DeserializeOwned>(
    resp: Response,
    answer: Answer,
    platform: &str,
    action: &str,
) -> Result<T, Failure> {
    let status = resp.status();
    let body = read_capped(resp, answer.cap()).map_err(|e| {
        let failure = match e {
            None => Failure::new(
                ExitCode::Platform,
                format!(
                    "{platform}: {action}: the answer is larger than {} (the cap for {}); postgate read no further",
                    size(answer.cap()),
                    answer.what()
                ),
            ),
            Some(e) => Failure::new(
                ExitCode::Platform,
                format!(
                    "{platform}: {action}: the answer was cut off: {}",
                    one_line(&clip(&e, MESSAGE_CAP))
                ),
            ),
        };
        after_write(failure, status, answer)
    })?;
    serde_json::from_slice(&body).map_err(|e| {
        after_write(
            Failure::new(
                ExitCode::Platform,
                format!(
                    "{platform}: {action}: unexpected answer: {}",
                    one_line(&clip(&e.to_string(), MESSAGE_CAP))
                ),
            ),
            status,
            answer,
        )
    })
}

/// A write the server accepted stands, whatever its answer looked like: say so.
fn after_write(failure: Failure, status: StatusCode, answer: Answer) -> Failure {
    if answer == Answer::Post && status.is_success() {
        failure.hint(format!(
            "the server accepted the request ({}), so it may have taken effect: check the account before trying again",
            status.as_u16()
        ))
    } else {
        failure
    }
}

/// What went wrong talking to a platform, before it becomes a `Failure`.
#[derive(Debug)]
pub enum HttpError {
    /// The request may not have reached the server (DNS, refused, connect timeout).
    NotSent(String),
    /// The request was sent but no answer came back: its effect is unknown.
    NoAnswer(String),
    /// A read (GET, HEAD) got no answer: it changed nothing, whatever happened to it.
    ReadUnanswered(String),
    /// The server answered with an error status.
    Status {
        status: StatusCode,
        message: String,
        retry_after: Option<Duration>,
        /// Whether the request carried a credential (an `Authorization` header): a 401 to a
        /// request without one says nothing about the stored credential.
        credential_sent: bool,
    },
}

impl HttpError {
    /// Turns the error into a coded failure, naming the platform.
    pub fn into_failure(self, platform: &str, action: &str) -> Failure {
        match self {
            HttpError::NotSent(e) => Failure::new(
                ExitCode::Platform,
                format!("{platform}: {action}: could not reach {e}; nothing was sent"),
            )
            .hint(cause_of(&e).fix())
            .unreachable(),
            HttpError::NoAnswer(e) => Failure::new(
                ExitCode::Platform,
                format!("{platform}: {action}: no answer from the server ({e}); the outcome is unknown"),
            )
            .hint("check the account before trying again: a new run is a new attempt with a new idempotency key, so if this one landed, a rerun would post it twice"),
            HttpError::ReadUnanswered(e) => Failure::new(
                ExitCode::Platform,
                format!("{platform}: {action}: no answer from the server ({e}); this was a read, so it changed nothing"),
            )
            .hint("try again when the server answers; POSTGATE_HTTP_TIMEOUT (seconds) allows a slow server more time"),
            HttpError::Status {
                status,
                message,
                retry_after,
                credential_sent,
            } => {
                let text = format!("{platform}: {action}: {} {}", status.as_u16(), message);
                match status {
                    StatusCode::UNAUTHORIZED if !credential_sent => Failure::new(ExitCode::Platform, text).hint(
                        "the server asks for authorization although no credential was sent, so this says nothing about \
                         the stored credential; check the server address in the policy, or ask its administrators",
                    ),
                    StatusCode::UNAUTHORIZED => Failure::new(ExitCode::Credential, text)
                        .hint("the credential was refused; store a new one with `postgate login`"),
                    s if s.is_redirection() => Failure::new(ExitCode::Platform, text).hint(
                        "postgate never follows redirects: a credential must only go to the server the policy names; \
                         if the server has moved, put its new address in the policy",
                    ),
                    StatusCode::UNPROCESSABLE_ENTITY => Failure::new(ExitCode::ContentRefused, text),
                    StatusCode::TOO_MANY_REQUESTS => {
                        let when = retry_after
                            .map(|d| format!("try again in {}s", d.as_secs()))
                            .unwrap_or_else(|| "try again later".into());
                        Failure::new(ExitCode::Platform, text).hint(format!("rate limited; {when}"))
                    }
                    _ => Failure::new(ExitCode::Platform, text),
                }
            }
        }
    }
}

/// Reads a server's "wait before retrying" hint: `Retry-After` (seconds or an HTTP date),
/// `X-RateLimit-Reset` (Mastodon: ISO 8601; some servers: epoch seconds) or `RateLimit-Reset`.
pub fn wait_hint(response: &Response) -> Option<Duration> {
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    if let Some(v) = header("retry-after") {
        if let Ok(secs) = v.parse::<u64>() {
            return Some(Duration::from_secs(secs));
        }
        if let Ok(at) = jiff::fmt::rfc2822::parse(v) {
            return until(at.timestamp());
        }
    }
    // X says `x-rate-limit-reset`, in epoch seconds (`x-api/fundamentals/rate-limits`).
    for name in ["x-ratelimit-reset", "x-rate-limit-reset", "ratelimit-reset"] {
        if let Some(v) = header(name) {
            if let Ok(at) = v.parse::<jiff::Timestamp>() {
                return until(at);
            }
            if let Ok(n) = v.parse::<i64>() {
                // Large numbers are epoch seconds; small ones are seconds from now.
                return if n > 1_000_000_000 {
                    jiff::Timestamp::from_second(n).ok().and_then(until)
                } else {
                    Some(Duration::from_secs(n.max(0) as u64))
                };
            }
        }
    }
    None
}

fn until(at: jiff::Timestamp) -> Option<Duration> {
    let secs = at.as_second() - jiff::Timestamp::now().as_second();
    Some(Duration::from_secs(secs.max(0) as u64))
}

/// The message in an error body: `{"error": …, "error_description": …}` (Mastodon, OAuth),
/// `{"error": …, "message": …}` (XRPC), an RFC 7807 problem `{"title": …, "detail": …}` (X,
/// with the first of its `errors[].message` where it lists some), or the start of the raw
/// body; clipped either way.
pub fn error_message(body: &str) -> String {
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(body) {
        let field = |k: &str| v.get(k).and_then(|x| x.as_str()).map(|s| clip(s, MESSAGE_CAP));
        if let Some(detail) = field("detail") {
            let first = v
                .get("errors")
                .and_then(|e| e.get(0))
                .and_then(|e| e.get("message"))
                .and_then(|m| m.as_str())
                .map(|m| clip(m, MESSAGE_CAP));
            let mut text = match field("title") {
                Some(t) if t != detail => format!("{t}: {detail}"),
                _ => detail,
            };
            if let Some(m) = first.filter(|m| !text.contains(m.as_str())) {
                text = format!("{text} ({m})");
            }
            return one_line(&text);
        }
        match (field("error"), field("error_description").or_else(|| field("message"))) {
            (Some(e), Some(d)) if e != d => return one_line(&format!("{e}: {d}")),
            (Some(e), _) => return one_line(&e),
            (None, Some(d)) => return one_line(&d),
            _ => {}
        }
    }
    let short: String = body.chars().take(200).collect();
    if short.trim().is_empty() {
        "(empty body)".into()
    } else {
        one_line(short.trim())
    }
}

fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(500 * 2u64.pow(attempt.saturating_sub(1)))
}

/// The message of an error answer, its body read up to [`Answer::Error`]'s cap; a redirect
/// says where it points, since that is all it has to say.
fn status_message(resp: Response) -> String {
    if resp.status().is_redirection() {
        return match resp.headers().get("location") {
            Some(to) => format!(
                "redirects to {}",
                one_line(&clip(&String::from_utf8_lossy(to.as_bytes()), 200))
            ),
            None => "redirects without saying where".into(),
        };
    }
    match read_capped(resp, Answer::Error.cap()) {
        Ok(body) => error_message(&String::from_utf8_lossy(&body)),
        Err(None) => format!("(an error body larger than {}, not read)", size(Answer::Error.cap())),
        Err(Some(_)) => "(the error body was cut off)".into(),
    }
}

/// Sends a request built by `build`, retrying 429, 5xx and lost answers when `retry` allows,
/// with a bounded backoff that honours the server's hint. Progress goes to stderr.
pub fn send(build: impl Fn() -> RequestBuilder, retry: Retry) -> Result<Response, HttpError> {
    let mut attempt = 1;
    loop {
        let (client, request) = build().build_split();
        let request = request.map_err(|e| HttpError::NotSent(e.to_string()))?;
        let credential_sent = request.headers().contains_key(reqwest::header::AUTHORIZATION);
        let read = matches!(*request.method(), Method::GET | Method::HEAD);
        let outcome = client.execute(request);
        let (error, hint) = match outcome {
            Ok(resp) if resp.status().is_success() => return Ok(resp),
            Ok(resp) => {
                let status = resp.status();
                let hint = wait_hint(&resp);
                let message = status_message(resp);
                let retryable = status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error();
                let err = HttpError::Status {
                    status,
                    message,
                    retry_after: hint,
                    credential_sent,
                };
                if !retryable {
                    return Err(err);
                }
                (err, hint)
            }
            Err(e) if e.is_connect() => (HttpError::NotSent(transport(&e)), None),
            Err(e) if read && (e.is_timeout() || e.is_request() || e.is_body() || e.is_decode()) => {
                (HttpError::ReadUnanswered(transport(&e)), None)
            }
            Err(e) if e.is_timeout() || e.is_request() || e.is_body() || e.is_decode() => {
                (HttpError::NoAnswer(transport(&e)), None)
            }
            Err(e) => return Err(HttpError::NotSent(transport(&e))),
        };
        if retry == Retry::Never || attempt >= MAX_ATTEMPTS {
            return Err(error);
        }
        let wait = hint.unwrap_or_else(|| backoff(attempt));
        if wait > MAX_WAIT {
            return Err(error);
        }
        eprintln!(
            "postgate: {}; retrying in {:.1}s ({attempt}/{})",
            describe(&error),
            wait.as_secs_f64(),
            MAX_ATTEMPTS - 1
        );
        std::thread::sleep(wait);
        attempt += 1;
    }
}

/// Why a request got no HTTP answer, as a person would tell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    /// The host name does not resolve.
    Dns,
    /// Nothing listens at that address and port.
    Refused,
    /// The TLS handshake failed: a certificate not accepted, or not TLS at all.
    Tls,
    /// No connection, or no answer, within the time allowed.
    Timeout,
    /// The connection was cut, or anything else.
    Other,
}

impl Cause {
    fn says(self) -> &'static str {
        match self {
            Cause::Dns => "the name does not resolve (DNS)",
            Cause::Refused => "the connection was refused",
            Cause::Tls => "the secure connection failed (TLS)",
            Cause::Timeout => "it timed out",
            Cause::Other => "the connection failed",
        }
    }

    /// The likely fix, for the hint.
    pub fn fix(self) -> &'static str {
        match self {
            Cause::Dns => "check the host name in the policy, and that this machine is online and its DNS answers",
            Cause::Refused => "check the address and port in the policy, and that the server is running",
            Cause::Tls => {
                "check that the policy's address is the server's own https:// address, that this machine's clock is right, \
                 and that no proxy intercepts TLS"
            }
            Cause::Timeout => {
                "the server or the network is slow or down; try again, or allow more time with POSTGATE_HTTP_TIMEOUT (seconds)"
            }
            Cause::Other => "check the address in the policy and the network, then try again",
        }
    }
}

/// Classifies a transport error by what it is made of: reqwest's own kinds, then the I/O error
/// and the messages of the resolver and of rustls beneath it. The last of those is kept as the
/// detail, since reqwest's outer text ("error sending request for url (…)") says nothing.
pub fn classify(e: &(dyn std::error::Error + 'static)) -> (Cause, String) {
    let mut cause = None;
    let mut detail = e.to_string();
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = next {
        let text = err.to_string();
        let lower = text.to_ascii_lowercase();
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            match io.kind() {
                std::io::ErrorKind::ConnectionRefused => cause = cause.or(Some(Cause::Refused)),
                std::io::ErrorKind::TimedOut => cause = cause.or(Some(Cause::Timeout)),
                _ => {}
            }
        }
        if lower.contains("dns error")
            || lower.contains("failed to lookup address")
            || lower.contains("name or service not known")
        {
            cause = cause.or(Some(Cause::Dns));
        } else if [
            "certificate",
            "tls",
            "handshake",
            "received corrupt message",
            "unknownissuer",
            "peer sent",
        ]
        .iter()
        .any(|w| lower.contains(w))
        {
            cause = cause.or(Some(Cause::Tls));
        } else if lower.contains("timed out") || lower.contains("deadline has elapsed") {
            cause = cause.or(Some(Cause::Timeout));
        } else if lower.contains("connection refused") {
            cause = cause.or(Some(Cause::Refused));
        }
        detail = text;
        next = err.source();
    }
    (cause.unwrap_or(Cause::Other), one_line(&clip(&detail, MESSAGE_CAP)))
}

/// What `send` keeps of a transport error: the host, the cause, the detail.
fn transport(e: &reqwest::Error) -> String {
    let (mut cause, detail) = classify(e);
    if e.is_timeout() {
        cause = Cause::Timeout;
    }
    let host = e
        .url()
        .map(|u| match (u.host_str(), u.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_owned(),
            _ => u.to_string(),
        })
        .unwrap_or_else(|| "the server".into());
    format!("{host}: {} ({detail})", cause.says())
}

/// The cause `transport` named, read back from its text for the hint.
fn cause_of(text: &str) -> Cause {
    [Cause::Dns, Cause::Refused, Cause::Tls, Cause::Timeout]
        .into_iter()
        .find(|c| text.contains(c.says()))
        .unwrap_or(Cause::Other)
}

/// A one-line account of the error, for progress lines and wrapped messages.
pub fn describe(error: &HttpError) -> String {
    match error {
        HttpError::NotSent(e) => format!("could not reach {e}"),
        HttpError::NoAnswer(e) | HttpError::ReadUnanswered(e) => format!("no answer ({e})"),
        HttpError::Status { status, message, .. } => format!("{} {message}", status.as_u16()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An error with a cause, as reqwest wraps hyper's, which wraps the resolver's or the
    /// socket's.
    #[derive(Debug)]
    struct Wrapped(&'static str, Box<dyn std::error::Error + Send + Sync>);
    impl std::fmt::Display for Wrapped {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.0)
        }
    }
    impl std::error::Error for Wrapped {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&*self.1)
        }
    }

    #[test]
    fn transport_errors_are_told_by_their_innermost_cause() {
        let outer = "error sending request for url (https://social.example/api/v1/statuses)";
        let dns = Wrapped(
            outer,
            "dns error: failed to lookup address information: Name or service not known".into(),
        );
        assert_eq!(classify(&dns).0, Cause::Dns);
        assert!(
            classify(&dns).1.contains("Name or service not known"),
            "{}",
            classify(&dns).1
        );
        let refused = Wrapped(
            outer,
            Box::new(std::io::Error::from(std::io::ErrorKind::ConnectionRefused)),
        );
        assert_eq!(classify(&refused).0, Cause::Refused);
        let timeout = Wrapped(outer, Box::new(std::io::Error::from(std::io::ErrorKind::TimedOut)));
        assert_eq!(classify(&timeout).0, Cause::Timeout);
        let tls = Wrapped(outer, "invalid peer certificate: UnknownIssuer".into());
        assert_eq!(classify(&tls).0, Cause::Tls);
        let other = Wrapped(outer, "connection reset".into());
        assert_eq!(classify(&other).0, Cause::Other);
        for cause in [Cause::Dns, Cause::Refused, Cause::Tls, Cause::Timeout] {
            assert_eq!(cause_of(&format!("social.example: {} (x)", cause.says())), cause);
        }
    }

    /// A body that comes one byte a read, as a server dripping its answer sends it.
    struct Drip(Vec<u8>, usize);

    impl Read for Drip {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            match self.0.get(self.1) {
                Some(&b) if !buf.is_empty() => {
                    buf[0] = b;
                    self.1 += 1;
                    Ok(1)
                }
                _ => Ok(0),
            }
        }
    }

    #[test]
    fn a_body_must_arrive_whole_before_its_deadline() {
        let body = br#"{"id":"1","username":"lent"}"#.to_vec();
        let later = std::time::Instant::now() + Duration::from_secs(3600);
        assert_eq!(read_capped_by(Drip(body.clone(), 0), 1024, later), Ok(body.clone()));
        // A deadline already behind: however few bytes a read brings, the reading stops.
        let passed = std::time::Instant::now();
        let e = read_capped_by(Drip(body.clone(), 0), 1024, passed).unwrap_err();
        assert!(e.is_some_and(|m| m.contains("did not arrive in full within")));
        // Over the cap stays "over the cap", whatever the pace.
        assert_eq!(read_capped_by(Drip(body, 0), 8, later), Err(None));
    }

    #[test]
    fn timeouts_parse_without_panicking_on_nonsense() {
        assert_eq!(parse_timeout("2.5"), Some(Duration::from_millis(2500)));
        assert_eq!(parse_timeout("1e300"), None);
        assert_eq!(parse_timeout("inf"), None);
        assert_eq!(parse_timeout("NaN"), None);
        assert_eq!(parse_timeout("0"), None);
        assert_eq!(parse_timeout("-3"), None);
        assert_eq!(parse_timeout("soon"), None);
    }

    #[test]
    fn error_bodies_become_messages() {
        assert_eq!(
            error_message(r#"{"error":"The access token is invalid"}"#),
            "The access token is invalid"
        );
        assert_eq!(
            error_message(r#"{"error":"ExpiredToken","message":"Token has expired"}"#),
            "ExpiredToken: Token has expired"
        );
        assert_eq!(
            error_message(
                r#"{"detail":"You are not allowed to create a Tweet with duplicate content.","type":"about:blank","title":"Forbidden","status":403}"#
            ),
            "Forbidden: You are not allowed to create a Tweet with duplicate content."
        );
        assert_eq!(
            error_message(
                r#"{"errors":[{"message":"The `text` field is too long"}],"title":"Invalid Request","detail":"One or more parameters to your request was invalid.","type":"https://api.twitter.com/2/problems/invalid-request"}"#
            ),
            "Invalid Request: One or more parameters to your request was invalid. (The `text` field is too long)"
        );
        assert_eq!(error_message("<html>\x1b[2J oops"), "<html>⟨U+001B⟩[2J oops");
        assert_eq!(error_message(""), "(empty body)");
    }

    #[test]
    fn clipped_fields_say_they_were_cut() {
        assert_eq!(clip("alice", 5), "alice");
        assert_eq!(clip("alice", 3), "ali…[cut: 5 bytes in all]");
        // Characters, not bytes: a cut never splits one.
        assert_eq!(clip("éééé", 2), "éé…[cut: 8 bytes in all]");
        let long = format!(r#"{{"error":"{}"}}"#, "x".repeat(10_000));
        let message = error_message(&long);
        assert!(message.len() < MESSAGE_CAP + 40, "{}", message.len());
        assert!(message.ends_with("…[cut: 10000 bytes in all]"), "{message}");
    }

    #[test]
    fn backoff_grows_and_stays_bounded() {
        assert_eq!(backoff(1), Duration::from_millis(500));
        assert_eq!(backoff(3), Duration::from_secs(2));
        assert!(backoff(MAX_ATTEMPTS) <= MAX_WAIT);
    }
}
