//! The one HTTP client every network platform uses: explicit timeouts, no redirects, bounded
//! retries that honour the server's wait hints, and error bodies turned into messages.
//!
//! Retrying is only safe for requests that are idempotent or carry an idempotency key; callers
//! say which with [`Retry`]. A request whose response never came back (a read timeout) may
//! have been applied: it is retried only under the same key, never re-sent as something new.

use crate::error::Failure;
use crate::exit_codes::ExitCode;
use crate::sanitize::one_line;
use reqwest::StatusCode;
use reqwest::blocking::{Client, RequestBuilder, Response};
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

/// What went wrong talking to a platform, before it becomes a `Failure`.
#[derive(Debug)]
pub enum HttpError {
    /// The request may not have reached the server (DNS, refused, connect timeout).
    NotSent(String),
    /// The request was sent but no answer came back: its effect is unknown.
    NoAnswer(String),
    /// The server answered with an error status.
    Status {
        status: StatusCode,
        message: String,
        retry_after: Option<Duration>,
    },
}

impl HttpError {
    /// Turns the error into a coded failure, naming the platform.
    pub fn into_failure(self, platform: &str, action: &str) -> Failure {
        match self {
            HttpError::NotSent(e) => Failure::new(
                ExitCode::Platform,
                format!("{platform}: {action}: could not reach the server: {e}"),
            ),
            HttpError::NoAnswer(e) => Failure::new(
                ExitCode::Platform,
                format!("{platform}: {action}: no answer from the server ({e}); the outcome is unknown"),
            )
            .hint("check the account before trying again: a new run is a new attempt with a new idempotency key, so if this one landed, a rerun would post it twice"),
            HttpError::Status {
                status,
                message,
                retry_after,
            } => {
                let text = format!("{platform}: {action}: {} {}", status.as_u16(), message);
                match status {
                    StatusCode::UNAUTHORIZED => Failure::new(ExitCode::Credential, text)
                        .hint("the credential was refused; store a new one with `postgate login`"),
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
    for name in ["x-ratelimit-reset", "ratelimit-reset"] {
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

/// The message in an error body: `{"error": …, "error_description": …}` (Mastodon),
/// `{"error": …, "message": …}` (XRPC), or the start of the raw body.
pub fn error_message(body: &str) -> String {
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(body) {
        let field = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
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

/// Sends a request built by `build`, retrying 429, 5xx and lost answers when `retry` allows,
/// with a bounded backoff that honours the server's hint. Progress goes to stderr.
pub fn send(build: impl Fn() -> RequestBuilder, retry: Retry) -> Result<Response, HttpError> {
    let mut attempt = 1;
    loop {
        let outcome = build().send();
        let (error, hint) = match outcome {
            Ok(resp) if resp.status().is_success() => return Ok(resp),
            Ok(resp) => {
                let status = resp.status();
                let hint = wait_hint(&resp);
                let message = error_message(&resp.text().unwrap_or_default());
                let retryable = status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error();
                let err = HttpError::Status {
                    status,
                    message,
                    retry_after: hint,
                };
                if !retryable {
                    return Err(err);
                }
                (err, hint)
            }
            Err(e) if e.is_connect() => (HttpError::NotSent(e.to_string()), None),
            Err(e) if e.is_timeout() || e.is_request() || e.is_body() || e.is_decode() => {
                (HttpError::NoAnswer(e.to_string()), None)
            }
            Err(e) => return Err(HttpError::NotSent(e.to_string())),
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

fn describe(error: &HttpError) -> String {
    match error {
        HttpError::NotSent(e) => format!("could not reach the server ({e})"),
        HttpError::NoAnswer(e) => format!("no answer ({e})"),
        HttpError::Status { status, message, .. } => format!("{} {message}", status.as_u16()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(error_message("<html>\x1b[2J oops"), "<html>⟨U+001B⟩[2J oops");
        assert_eq!(error_message(""), "(empty body)");
    }

    #[test]
    fn backoff_grows_and_stays_bounded() {
        assert_eq!(backoff(1), Duration::from_millis(500));
        assert_eq!(backoff(3), Duration::from_secs(2));
        assert!(backoff(MAX_ATTEMPTS) <= MAX_WAIT);
    }
}
