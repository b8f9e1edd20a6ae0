//! Forwarding audit records to syslog (`[audit] syslog`), so that the organisation's SIEM sees
//! every attempt as it is recorded.
//!
//! The local log stays the record: forwarding happens after the local fsync, and a failure to
//! forward is a one-line warning, never a refusal. The local log is also the spool: a cursor
//! file beside it (`<log>.syslog-cursor`) says which record was last delivered, and where its
//! line ends, so each append sends the records after it, in order, without scanning the log
//! when nothing waits.
//!
//! The message is formatted here rather than with the `syslog` crate: its 7.0 `Formatter5424`
//! (docs.rs/syslog/7.0.0, src/format.rs) writes PARAM-VALUEs without the escaping RFC 5424
//! §6.3.3 requires, puts a space between PRI and VERSION, takes MSGID as a number and stamps
//! the time of sending rather than the record's, and has no octet-counting framing (RFC 6587
//! §3.4.1). What postgate needs is one message shape, which fits in the functions below.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::net::{TcpStream, ToSocketAddrs, UdpSocket};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Where records go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A local datagram socket, as `/dev/log`.
    Unix(PathBuf),
    /// `host:port`, plain TCP with octet-counting framing.
    Tcp(String),
    /// `host:port`, one datagram per record (RFC 5426).
    Udp(String),
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Unix(p) => write!(f, "unix:{}", p.display()),
            Target::Tcp(a) => write!(f, "tcp://{a}"),
            Target::Udp(a) => write!(f, "udp://{a}"),
        }
    }
}

/// Reads the policy's value; the error says what was expected, the policy adds where.
pub fn parse_target(value: &str) -> Result<Target, String> {
    const EXPECTED: &str = "expected \"unix:/dev/log\", \"tcp://HOST:PORT\" or \"udp://HOST:PORT\"";
    if let Some(path) = value.strip_prefix("unix:") {
        if !path.starts_with('/') {
            return Err(format!("the socket path must be absolute; {EXPECTED}"));
        }
        return Ok(Target::Unix(PathBuf::from(path)));
    }
    let (scheme, address) = if let Some(a) = value.strip_prefix("tcp://") {
        ("tcp", a)
    } else if let Some(a) = value.strip_prefix("udp://") {
        ("udp", a)
    } else {
        return Err(EXPECTED.to_string());
    };
    // The port is required: 514 and 6514 mean different things (6514 is syslog over TLS,
    // RFC 5425, which this plain-TCP sender does not speak), so no default is safe to guess.
    let Some((host, port)) = address.rsplit_once(':') else {
        return Err(format!("`{scheme}://` needs HOST:PORT; {EXPECTED}"));
    };
    let host_ok = !host.is_empty() && !host.contains(['/', '@', '?', '#', ' ']);
    if !host_ok || port.parse::<u16>().map_or(true, |p| p == 0) {
        return Err(format!("`{address}` is not HOST:PORT; {EXPECTED}"));
    }
    Ok(match scheme {
        "tcp" => Target::Tcp(address.to_string()),
        _ => Target::Udp(address.to_string()),
    })
}

/// How long one connection or one write may take. Forwarding runs while the audit log is
/// locked, so a silent server must cost seconds, not a hung publish.
const TIMEOUT: Duration = Duration::from_secs(3);

/// The structured data's SD-ID. 32473 is the example enterprise number IANA reserves for
/// documentation (RFC 5612); an organisation with its own number can tell its SIEM that this
/// one is postgate's.
pub const SD_ID: &str = "postgate@32473";

/// RFC 5424 §6.2.1: facility authpriv (10), as a security-relevant record; severity notice (5)
/// for a record of what was done, warning (4) for a refusal or a failure.
fn priority(status: &str) -> u8 {
    let severity = match status {
        "refused" | "failed" => 4,
        _ => 5,
    };
    10 * 8 + severity
}

/// PARAM-VALUE escaping, RFC 5424 §6.3.3: `"`, `\` and `]` take a backslash.
pub fn escape_param(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if matches!(c, '"' | '\\' | ']') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A header field (HOSTNAME, MSGID): printable US-ASCII without spaces, at most `max`
/// characters, `-` when empty (RFC 5424 §6.2). Anything else becomes `_`.
fn header_field(value: &str, max: usize) -> String {
    let field: String = value
        .chars()
        .take(max)
        .map(|c| if c.is_ascii_graphic() { c } else { '_' })
        .collect();
    if field.is_empty() { "-".to_string() } else { field }
}

/// The parts of a record a message needs.
#[derive(serde::Deserialize)]
struct Line {
    seq: u64,
    prev: String,
    #[serde(default)]
    time: String,
    #[serde(default)]
    event: String,
    #[serde(default)]
    hostname: String,
    #[serde(default)]
    account: Option<LineAccount>,
    #[serde(default)]
    outcome: Option<LineOutcome>,
    #[serde(default)]
    hash: Option<String>,
}

#[derive(serde::Deserialize)]
struct LineAccount {
    name: String,
}

#[derive(serde::Deserialize)]
struct LineOutcome {
    status: String,
}

impl Line {
    fn read(line: &[u8]) -> Option<Line> {
        serde_json::from_slice(line).ok()
    }

    /// The record's own hash; a record older than the `hash` field is hashed whole, as
    /// `audit::record_hash` does.
    fn hash_of(&self, line: &[u8]) -> String {
        self.hash.clone().unwrap_or_else(|| crate::digest::sha256_hex(line))
    }
}

/// The RFC 5424 message of one audit line (without its newline): the record's own time and
/// host, APP-NAME `postgate`, MSGID the event, the SD-ELEMENT with seq, hash, account and
/// outcome, and as MSG the line itself, so the SIEM holds the record exactly as the local
/// log does and can check its hash.
pub fn message(line: &[u8]) -> Option<Vec<u8>> {
    let record = Line::read(line)?;
    let status = record.outcome.as_ref().map_or("", |o| o.status.as_str());
    // TIME-SECFRAC allows at most six digits (RFC 5424 §6.2.3); the log keeps nanoseconds.
    let time = match record.time.parse::<jiff::Timestamp>() {
        Ok(t) => format!("{:.6}", t.round(jiff::Unit::Microsecond).unwrap_or(t)),
        Err(_) => "-".to_string(),
    };
    let mut sd = format!(
        "[{SD_ID} seq=\"{}\" hash=\"{}\"",
        record.seq,
        escape_param(&record.hash_of(line))
    );
    if let Some(account) = &record.account {
        sd.push_str(&format!(" account=\"{}\"", escape_param(&account.name)));
    }
    if !status.is_empty() {
        sd.push_str(&format!(" outcome=\"{}\"", escape_param(status)));
    }
    sd.push(']');
    let mut out = format!(
        "<{}>1 {time} {} postgate {} {} {sd} ",
        priority(status),
        header_field(&record.hostname, 255),
        std::process::id(),
        header_field(&record.event, 32),
    )
    .into_bytes();
    // MSG in UTF-8 starts with a BOM (RFC 5424 §6.4).
    out.extend_from_slice("\u{feff}".as_bytes());
    out.extend_from_slice(line);
    Some(out)
}

/// The last record delivered, and where its line ends in the log.
#[derive(Debug, serde::Serialize, serde::Deserialize, PartialEq)]
struct Cursor {
    seq: u64,
    hash: String,
    offset: u64,
}

fn cursor_path(log: &Path) -> PathBuf {
    let mut name = log.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".syslog-cursor");
    log.with_file_name(name)
}

fn read_cursor(log: &Path) -> Option<Cursor> {
    let text = crate::paths::read_bounded(&cursor_path(log), 4096, "syslog cursor").ok()?;
    serde_json::from_slice(&text).ok()
}

/// Written beside the log and renamed over the old one, so a crash leaves the old cursor or the
/// new one, never half of either.
fn write_cursor(log: &Path, cursor: &Cursor) -> std::io::Result<()> {
    let path = cursor_path(log);
    let tmp = path.with_extension("syslog-cursor.tmp");
    let body = serde_json::to_vec(cursor).map_err(std::io::Error::other)?;
    // A temp file left by a crash is stale: the cursor it was to become is lost with it.
    match std::fs::remove_file(&tmp) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    crate::paths::write_new_private(&tmp, &body)?;
    std::fs::rename(&tmp, &path)
}

/// One connection for a batch of messages.
enum Sender {
    Unix(std::os::unix::net::UnixDatagram, PathBuf),
    Tcp(TcpStream),
    Udp(UdpSocket),
}

impl Sender {
    fn open(target: &Target) -> std::io::Result<Sender> {
        Ok(match target {
            Target::Unix(path) => {
                let socket = std::os::unix::net::UnixDatagram::unbound()?;
                socket.set_write_timeout(Some(TIMEOUT))?;
                Sender::Unix(socket, path.clone())
            }
            Target::Tcp(address) => {
                let mut last = std::io::Error::other("the name resolves to no address");
                for addr in address.to_socket_addrs()? {
                    match TcpStream::connect_timeout(&addr, TIMEOUT) {
                        Ok(stream) => {
                            stream.set_write_timeout(Some(TIMEOUT))?;
                            return Ok(Sender::Tcp(stream));
                        }
                        Err(e) => last = e,
                    }
                }
                return Err(last);
            }
            Target::Udp(address) => {
                let addr = address
                    .to_socket_addrs()?
                    .next()
                    .ok_or_else(|| std::io::Error::other("the name resolves to no address"))?;
                let local = if addr.is_ipv4() { "0.0.0.0:0" } else { "[::]:0" };
                let socket = UdpSocket::bind(local)?;
                socket.connect(addr)?;
                socket.set_write_timeout(Some(TIMEOUT))?;
                Sender::Udp(socket)
            }
        })
    }

    fn send(&mut self, message: &[u8]) -> std::io::Result<()> {
        match self {
            Sender::Unix(socket, path) => socket.send_to(message, path).map(drop),
            Sender::Tcp(stream) => {
                // Octet counting, RFC 6587 §3.4.1: MSG-LEN SP SYSLOG-MSG. A JSON line may hold
                // a newline only escaped, but counting needs no such promise.
                let mut framed = format!("{} ", message.len()).into_bytes();
                framed.extend_from_slice(message);
                stream.write_all(&framed)
            }
            Sender::Udp(socket) => socket.send(message).map(drop),
        }
    }
}

/// Sends the records that wait, the new one last, after the caller has appended `line` at
/// `start` in `file` and synced it (the caller still holds the log's lock, which is what keeps
/// two runs from sending the same record or writing the cursor at once). Never fails: a record
/// that could not be sent waits for the next append, and one warning line says so.
pub fn forward(target: &Target, log: &Path, file: &mut File, start: u64, line: &[u8]) {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    let Some(new) = Line::read(line) else { return };
    let cursor = read_cursor(log);
    // Without a cursor, forwarding starts with this record: the history before syslog was
    // configured is in the local log, and sending all of it at once is not what anyone asked.
    let after = cursor.unwrap_or(Cursor {
        seq: new.seq.saturating_sub(1),
        hash: new.prev.clone(),
        offset: start,
    });
    let waiting = match waiting(file, &after, start, line, new.seq) {
        Ok(w) => w,
        Err(e) => {
            warn(target, &format!("cannot read the waiting records ({e})"), 1);
            return;
        }
    };
    let total = waiting.len();
    let mut delivered: Option<Cursor> = None;
    let mut failure = None;
    match Sender::open(target) {
        Ok(mut sender) => {
            for (offset_end, bytes) in &waiting {
                let Some(message) = message(bytes) else { continue };
                let mut sent = sender.send(&message);
                // A datagram too large for the socket would fail on every run and hold back
                // every record after it, so it goes without its MSG: the structured data still
                // names the record, and the local log has the rest.
                if let Err(e) = &sent
                    && e.raw_os_error() == Some(libc::EMSGSIZE)
                {
                    let head = &message[..message.len() - bytes.len() - "\u{feff}".len()];
                    sent = sender.send(head.strip_suffix(b" ").unwrap_or(head));
                }
                if let Err(e) = sent {
                    failure = Some(e.to_string());
                    break;
                }
                if let Some(r) = Line::read(bytes) {
                    delivered = Some(Cursor {
                        seq: r.seq,
                        hash: r.hash_of(bytes),
                        offset: *offset_end,
                    });
                }
            }
        }
        Err(e) => failure = Some(e.to_string()),
    }
    let sent = delivered
        .as_ref()
        .map_or(0, |d| waiting.iter().take_while(|(end, _)| *end <= d.offset).count());
    // A record that waits needs a cursor before it, even when nothing was ever sent.
    let to_write = delivered.or(if failure.is_some() && read_cursor(log).is_none() {
        Some(after)
    } else {
        None
    });
    if let Some(c) = to_write
        && let Err(e) = write_cursor(log, &c)
    {
        warn(
            target,
            &format!("cannot write {} ({e})", cursor_path(log).display()),
            total - sent,
        );
        return;
    }
    if let Some(e) = failure {
        warn(target, &e, total - sent);
    }
}

fn warn(target: &Target, why: &str, waiting: usize) {
    let target = crate::sanitize::one_line(&target.to_string());
    crate::output::status(&format!(
        "warning: audit records not forwarded to syslog {target}: {why}; {waiting} wait in the local log for the next run"
    ));
}

/// The records after `after`, each with the offset just past its line, the new one last.
/// When the cursor's offset is where the new line starts, that is the new line alone, read from
/// memory; otherwise the lines from the cursor's offset, checked to continue from the cursor
/// (a log moved or repaired since is scanned from its start by seq).
fn waiting(
    file: &mut File,
    after: &Cursor,
    start: u64,
    line: &[u8],
    new_seq: u64,
) -> std::io::Result<Vec<(u64, Vec<u8>)>> {
    let end = start + line.len() as u64 + 1;
    if after.offset == start && after.seq + 1 == new_seq {
        return Ok(vec![(end, line.to_vec())]);
    }
    if after.seq >= new_seq {
        // The log was replaced by a shorter one: only what is new now is known to be unsent.
        return Ok(vec![(end, line.to_vec())]);
    }
    if after.offset < start {
        let lines = lines_from(file, after.offset, end)?;
        let continues = lines
            .first()
            .and_then(|(_, l)| Line::read(l))
            .is_some_and(|r| r.seq == after.seq + 1 && r.prev == after.hash);
        if continues {
            return Ok(lines);
        }
    }
    Ok(lines_from(file, 0, end)?
        .into_iter()
        .filter(|(_, l)| Line::read(l).is_some_and(|r| r.seq > after.seq))
        .collect())
}

/// The complete lines between `from` and `end`, without their newlines.
fn lines_from(file: &mut File, from: u64, end: u64) -> std::io::Result<Vec<(u64, Vec<u8>)>> {
    file.seek(SeekFrom::Start(from))?;
    let mut reader = BufReader::new(Read::by_ref(file).take(end - from));
    let mut offset = from;
    let mut out = Vec::new();
    loop {
        let mut buf = Vec::new();
        let n = reader.read_until(b'\n', &mut buf)?;
        if n == 0 {
            break;
        }
        offset += n as u64;
        if buf.pop() == Some(b'\n') {
            out.push((offset, buf));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_read_and_bad_ones_refused() {
        assert_eq!(parse_target("unix:/dev/log"), Ok(Target::Unix("/dev/log".into())));
        assert_eq!(
            parse_target("tcp://siem.example:6514"),
            Ok(Target::Tcp("siem.example:6514".into()))
        );
        assert_eq!(parse_target("udp://[::1]:514"), Ok(Target::Udp("[::1]:514".into())));
        for bad in [
            "",
            "/dev/log",
            "unix:dev/log",
            "tcp://host",
            "tcp://:514",
            "udp://h:0",
            "udp://h:99999",
            "http://h:1",
        ] {
            assert!(parse_target(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn param_values_escape_quote_backslash_and_bracket() {
        assert_eq!(escape_param(r#"a"b\c]d[e"#), r#"a\"b\\c\]d[e"#);
    }

    #[test]
    fn a_message_is_rfc_5424_with_the_records_structured_data() {
        let line = br#"{"seq":7,"prev":"00","time":"2026-12-02T12:00:00.123456789Z","event":"refused","hostname":"web 1","account":{"name":"a\"]\\"},"outcome":{"status":"refused","reason":"x"},"hash":"abc"}"#;
        let m = String::from_utf8(message(line).unwrap()).unwrap();
        let pid = std::process::id();
        assert_eq!(
            m,
            format!(
                "<84>1 2026-12-02T12:00:00.123457Z web_1 postgate {pid} refused [postgate@32473 seq=\"7\" hash=\"abc\" account=\"a\\\"\\]\\\\\" outcome=\"refused\"] \u{feff}{}",
                std::str::from_utf8(line).unwrap()
            )
        );
    }

    #[test]
    fn a_record_without_its_own_hash_is_hashed_whole() {
        let line = br#"{"seq":1,"prev":"00","time":"2026-12-02T12:00:00Z","event":"intent","hostname":"h","outcome":{"status":"pending"}}"#;
        let m = String::from_utf8(message(line).unwrap()).unwrap();
        assert!(m.starts_with("<85>1 2026-12-02T12:00:00.000000Z h postgate "), "{m}");
        assert!(
            m.contains(&format!("hash=\"{}\"", crate::digest::sha256_hex(line))),
            "{m}"
        );
    }
}
