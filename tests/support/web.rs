//! The review and enrolment servers as the tests run them: a real `postgate` process on a
//! loopback port, and a plain HTTP/1.1 client that sends exactly the bytes a test gives, so a
//! missing header or a forged one is what the server really sees.

use super::Test;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};

/// A running `postgate` server, stopped when dropped.
pub struct Served {
    child: Child,
    /// `127.0.0.1:PORT` it listens on.
    pub addr: String,
    /// The first line it printed: the address on stdout (`review serve`) or the line naming the
    /// page on stderr (`keys passkey enroll`).
    pub line: String,
    stderr: Option<BufReader<std::process::ChildStderr>>,
}

impl Served {
    /// Runs `postgate ARGS` and waits for the line that says it listens. `review serve` prints
    /// its address on stdout; `keys passkey enroll`, on stderr, the page to open.
    pub fn start(t: &Test, args: &[&str]) -> Served {
        let mut child = t
            .command(super::cmd::BIN)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn postgate");
        let enrol = args.contains(&"enroll");
        let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
        let line = if enrol {
            let mut seen = String::new();
            loop {
                let mut line = String::new();
                let n = stderr.read_line(&mut line).expect("read stderr");
                assert!(n > 0, "postgate exited before serving: {seen}");
                if line.starts_with("open ") {
                    break line;
                }
                seen.push_str(&line);
            }
        } else {
            let mut out = BufReader::new(child.stdout.take().expect("stdout"));
            let mut line = String::new();
            out.read_line(&mut line).expect("read stdout");
            if line.is_empty() {
                let mut rest = String::new();
                let _ = stderr.read_to_string(&mut rest);
                panic!("postgate exited before serving: {rest}");
            }
            // The rest of stdout is not read; the server writes nothing more there.
            std::mem::forget(out);
            line
        };
        let addr = if enrol {
            let at = line.find("(listening on ").expect("listening address") + "(listening on ".len();
            line[at..].split(')').next().expect("address").to_string()
        } else {
            String::new()
        };
        let mut served = Served {
            child,
            addr,
            line: line.trim().to_string(),
            stderr: Some(stderr),
        };
        if !enrol {
            // `serving N plan(s) on ADDR for URL…` on stderr.
            let mut status = String::new();
            if let Some(e) = served.stderr.as_mut() {
                loop {
                    status.clear();
                    let n = e.read_line(&mut status).expect("read stderr");
                    assert!(n > 0, "postgate stopped before serving");
                    if status.starts_with("serving ") {
                        break;
                    }
                }
            }
            let at = status.find(" on ").expect("listen address") + 4;
            served.addr = status[at..].split(' ').next().expect("address").to_string();
        }
        served
    }

    /// Waits for the process to end (the enrolment page stops after one passkey) and gives
    /// back its exit status, stdout and the rest of stderr.
    pub fn wait(mut self) -> (i32, String, String) {
        let mut stdout = String::new();
        if let Some(mut out) = self.child.stdout.take() {
            out.read_to_string(&mut stdout).expect("stdout");
        }
        let mut stderr = String::new();
        if let Some(mut e) = self.stderr.take() {
            e.read_to_string(&mut stderr).expect("stderr");
        }
        let status = self.child.wait().expect("wait");
        (status.code().unwrap_or(-1), stdout, stderr)
    }

    /// What the server said on stderr since it started listening, once stopped.
    pub fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let mut rest = String::new();
        if let Some(mut e) = self.stderr.take() {
            let _ = e.read_to_string(&mut rest);
        }
        rest
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One answer: status, headers (names in lower case), body.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// Sends `head` (request line and headers, without the blank line) and `body` as they are.
pub fn raw(addr: &str, head: &str, body: &[u8]) -> Answer {
    let mut stream = TcpStream::connect(addr).expect("connect");
    let mut request = format!("{head}\r\nContent-Length: {}\r\n\r\n", body.len()).into_bytes();
    request.extend_from_slice(body);
    stream.write_all(&request).expect("send");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).expect("read");
    let text = String::from_utf8(answer).expect("UTF-8 answer");
    let (head, body) = text.split_once("\r\n\r\n").expect("a head");
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("status");
    let headers = lines
        .filter_map(|l| l.split_once(": "))
        .map(|(n, v)| (n.to_ascii_lowercase(), v.to_string()))
        .collect();
    Answer {
        status,
        headers,
        body: body.to_string(),
    }
}

pub fn get(addr: &str, host: &str, path: &str) -> Answer {
    raw(addr, &format!("GET {path} HTTP/1.1\r\nHost: {host}"), b"")
}

/// A POST as the page's script sends it, with the headers given (Origin, X-CSRF-Token).
pub fn post(addr: &str, host: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Answer {
    let mut head = format!("POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json");
    for (n, v) in headers {
        head.push_str(&format!("\r\n{n}: {v}"));
    }
    raw(addr, &head, body.as_bytes())
}

/// The CSRF token a page carries in its `<meta name="csrf-token">`.
pub fn csrf_of(page: &str) -> String {
    let at = page.find("name=\"csrf-token\" content=\"").expect("a csrf meta") + "name=\"csrf-token\" content=\"".len();
    page[at..].split('"').next().expect("token").to_string()
}

/// The `/plan/ID` links of the list page.
pub fn plan_links(page: &str) -> Vec<String> {
    page.match_indices("href=\"/plan/")
        .map(|(at, m)| page[at + m.len()..].split('"').next().unwrap_or_default().to_string())
        .map(|id| format!("/plan/{id}"))
        .collect()
}
