//! A small synchronous HTTP/1.1 server on std's `TcpListener`: one thread per connection,
//! keep-alive, `Content-Length` and chunked request bodies. Enough for the fakes, which only
//! ever talk to loopback clients (postgate, the tests, and Prism in front of them).

use std::io::{self, BufRead, BufReader, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::Arc;
use std::thread;

/// One request as the handler sees it.
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub method: String,
    /// The path without the query, as sent (not percent-decoded).
    pub path: String,
    /// The raw query string, without `?` (empty when there is none).
    pub query: String,
    /// Header names in lower case, in the order received.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    /// The first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str())
    }

    /// The query parameters, form-decoded.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        parse_form(&self.query)
    }

    /// The value of the first query parameter with this name.
    pub fn query_param(&self, name: &str) -> Option<String> {
        self.query_pairs().into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }

    /// The media type of the body, lower case, without parameters.
    pub fn content_type(&self) -> String {
        self.header("content-type")
            .unwrap_or("")
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    }
}

/// An answer: a response, or closing the connection without one.
#[derive(Debug, Clone)]
pub enum Reply {
    Response(Response),
    /// Close the connection without a byte of answer, as a lost response looks to a client.
    Drop,
}

#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Response {
        Response {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
        }
    }

    pub fn json(status: u16, value: &serde_json::Value) -> Response {
        Response::new(status, "application/json", value.to_string())
    }

    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Response {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// The function that answers every request.
pub type Handler = Arc<dyn Fn(&Request) -> Reply + Send + Sync>;

/// The whole of a fake's binary: `NAME [--port N]` binds 127.0.0.1 (port 0, the default,
/// picks a free one), prints `KEY=http://127.0.0.1:PORT` on stdout once it accepts
/// connections, and serves `handler` until killed.
pub fn run(name: &str, key: &str, handler: Handler) -> ! {
    let usage = |msg: &str| -> ! {
        eprintln!("{name}: {msg}\nusage: {name} [--port N]");
        std::process::exit(2)
    };
    let mut port: u16 = 0;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--port" => {
                port = args
                    .next()
                    .and_then(|p| p.parse().ok())
                    .unwrap_or_else(|| usage("--port needs a number"));
            }
            "-h" | "--help" => {
                println!("usage: {name} [--port N]   (0: a free port; prints {key}=...)");
                std::process::exit(0)
            }
            other => usage(&format!("unknown argument {other}")),
        }
    }
    let listener = TcpListener::bind(("127.0.0.1", port)).unwrap_or_else(|e| {
        eprintln!("{name}: cannot listen on 127.0.0.1:{port}: {e}");
        std::process::exit(1)
    });
    let addr = listener.local_addr().expect("bound address");
    println!("{key}=http://{addr}");
    let _ = std::io::Write::flush(&mut std::io::stdout());
    serve(listener, handler)
}

/// Serves `handler` on `listener` until the process exits.
pub fn serve(listener: TcpListener, handler: Handler) -> ! {
    loop {
        match listener.accept() {
            Ok((stream, _)) => {
                let handler = handler.clone();
                thread::spawn(move || {
                    let _ = connection(stream, &handler);
                });
            }
            Err(e) => eprintln!("accept failed: {e}"),
        }
    }
}

fn connection(stream: TcpStream, handler: &Handler) -> io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut writer = stream;
    loop {
        // A client that sent `Expect: 100-continue` (curl does, for large bodies) waits for
        // this before sending the body.
        let mut go_on = writer.try_clone()?;
        let mut on_continue = move || {
            let _ = go_on.write_all(b"HTTP/1.1 100 Continue\r\n\r\n");
        };
        let Some((request, keep_alive)) = read_request(&mut reader, &mut on_continue)? else {
            return Ok(());
        };
        match handler(&request) {
            Reply::Drop => {
                let _ = writer.shutdown(Shutdown::Both);
                return Ok(());
            }
            Reply::Response(response) => {
                write_response(&mut writer, &response, keep_alive, request.method == "HEAD")?;
                if !keep_alive {
                    return Ok(());
                }
            }
        }
    }
}

/// Reads one request; `None` on a clean end of the connection before it.
fn read_request(reader: &mut impl BufRead, on_continue: &mut dyn FnMut()) -> io::Result<Option<(Request, bool)>> {
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Ok(None);
    }
    let mut parts = line.split_whitespace();
    let (Some(method), Some(target), version) = (parts.next(), parts.next(), parts.next()) else {
        return Err(io::Error::new(io::ErrorKind::InvalidData, "bad request line"));
    };
    let http10 = version == Some("HTTP/1.0");
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p.to_string(), q.to_string()),
        None => (target.to_string(), String::new()),
    };
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 {
            return Ok(None);
        }
        let h = h.trim_end_matches(['\r', '\n']);
        if h.is_empty() {
            break;
        }
        if let Some((n, v)) = h.split_once(':') {
            headers.push((n.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let mut request = Request {
        method: method.to_string(),
        path,
        query,
        headers,
        body: Vec::new(),
    };
    if request
        .header("expect")
        .is_some_and(|v| v.eq_ignore_ascii_case("100-continue"))
    {
        on_continue();
    }
    let chunked = request
        .header("transfer-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    if chunked {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size)?;
            let size = usize::from_str_radix(size.trim().split(';').next().unwrap_or(""), 16)
                .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "bad chunk size"))?;
            if size == 0 {
                // Trailers, up to the empty line.
                loop {
                    let mut t = String::new();
                    if reader.read_line(&mut t)? == 0 || t.trim().is_empty() {
                        break;
                    }
                }
                break;
            }
            let mut chunk = vec![0; size];
            reader.read_exact(&mut chunk)?;
            request.body.extend_from_slice(&chunk);
            let mut crlf = String::new();
            reader.read_line(&mut crlf)?;
        }
    } else if let Some(len) = request.header("content-length") {
        let len: usize = len
            .parse()
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "bad content-length"))?;
        request.body = vec![0; len];
        reader.read_exact(&mut request.body)?;
    }
    let connection = request.header("connection").unwrap_or("").to_ascii_lowercase();
    let keep_alive = if http10 {
        connection == "keep-alive"
    } else {
        connection != "close"
    };
    Ok(Some((request, keep_alive)))
}

fn write_response(w: &mut impl Write, r: &Response, keep_alive: bool, head: bool) -> io::Result<()> {
    let mut out = format!("HTTP/1.1 {} {}\r\n", r.status, reason(r.status));
    for (n, v) in &r.headers {
        out.push_str(&format!("{n}: {v}\r\n"));
    }
    out.push_str(&format!("Content-Length: {}\r\n", r.body.len()));
    out.push_str(if keep_alive {
        "Connection: keep-alive\r\n\r\n"
    } else {
        "Connection: close\r\n\r\n"
    });
    let mut bytes = out.into_bytes();
    if !head {
        bytes.extend_from_slice(&r.body);
    }
    w.write_all(&bytes)?;
    w.flush()
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        302 => "Found",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        413 => "Payload Too Large",
        415 => "Unsupported Media Type",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

/// Decodes `application/x-www-form-urlencoded` text (also used for query strings): `+` is a
/// space, `%XX` a byte; invalid UTF-8 is replaced.
pub fn parse_form(s: &str) -> Vec<(String, String)> {
    s.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (form_decode(k), form_decode(v))
        })
        .collect()
}

pub fn form_decode(s: &str) -> String {
    percent_decode(&s.replace('+', " "))
}

pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

/// Percent-encodes everything but RFC 3986's unreserved characters (`A-Z a-z 0-9 - . _ ~`),
/// which is also what OAuth 1.0a (RFC 5849 §3.6) asks for.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for &c in s.as_bytes() {
        if c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b'~') {
            out.push(c as char);
        } else {
            out.push_str(&format!("%{c:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_decoding_handles_plus_and_escapes() {
        assert_eq!(
            parse_form("a=b+c&d=%3D%253D&e"),
            vec![
                ("a".into(), "b c".into()),
                ("d".into(), "=%3D".into()),
                ("e".into(), "".into())
            ]
        );
        assert_eq!(percent_decode("100%"), "100%");
    }

    #[test]
    fn reads_a_chunked_body() {
        let raw = b"POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";
        let (r, keep) = read_request(&mut &raw[..], &mut || {}).unwrap().unwrap();
        assert_eq!(r.body, b"abcde");
        assert!(keep);
    }
}
