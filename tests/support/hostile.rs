//! A hostile HTTP server on loopback, for the tests of what postgate accepts from a platform.
//!
//! Real servers (mastodon-mock, the reference PDS) answer sensibly; this one is scripted per
//! path to do what a compromised or broken server would: answer with bodies far larger than
//! any real answer (streamed, so the test itself never holds them), list pages without end,
//! redirect elsewhere, refuse with 401 where no credential was sent, or accept a connection
//! and never answer. It speaks just enough HTTP/1.1 for reqwest: one request per
//! connection, `Connection: close`.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// The path without the query.
    pub path: String,
    /// The raw query string, empty if none.
    pub query: String,
    pub headers: HashMap<String, String>,
}

impl Request {
    /// A query parameter's (undecoded) value.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v)
    }
}

/// What the server does with a request.
pub enum Reply {
    /// A status and a JSON body.
    Json(u16, String),
    /// A status and headers, with an optional body.
    Raw {
        status: u16,
        headers: Vec<(String, String)>,
        body: String,
    },
    /// A JSON body of about `len` bytes, streamed in chunks: `prefix`, then `len` times the
    /// byte `fill`, then `suffix`. Content-Length is sent, as an honest server would.
    Huge {
        status: u16,
        prefix: String,
        fill: u8,
        len: usize,
        suffix: String,
    },
    /// Reads the request and never answers; the connection stays open until the client
    /// gives up.
    Silent,
}

type Handler = Box<dyn Fn(&Request) -> Reply + Send + Sync>;

struct Route {
    method: String,
    path: String,
    handler: Handler,
}

/// A running hostile server. It lives until the test process exits.
pub struct Hostile {
    port: u16,
    routes: Arc<Mutex<Vec<Route>>>,
    hits: Arc<Mutex<HashMap<String, usize>>>,
    held: Arc<AtomicUsize>,
}

impl Hostile {
    /// Starts a server on 127.0.0.1 on a free port. Unknown paths get 404.
    pub fn start() -> Hostile {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let port = listener.local_addr().expect("local address").port();
        let routes: Arc<Mutex<Vec<Route>>> = Arc::new(Mutex::new(Vec::new()));
        let hits: Arc<Mutex<HashMap<String, usize>>> = Arc::new(Mutex::new(HashMap::new()));
        let held = Arc::new(AtomicUsize::new(0));
        let (r, h, k) = (routes.clone(), hits.clone(), held.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (r, h, k) = (r.clone(), h.clone(), k.clone());
                std::thread::spawn(move || serve(stream, &r, &h, &k));
            }
        });
        Hostile {
            port,
            routes,
            hits,
            held,
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// `localhost:PORT`, the domain a Mastodon handle on this server carries.
    pub fn domain(&self) -> String {
        format!("localhost:{}", self.port)
    }

    /// Answers `method path` (exact path, any query) with `handler`. A later route for the same
    /// method and path replaces the earlier one.
    pub fn on(&self, method: &str, path: &str, handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> &Self {
        let mut routes = self.routes.lock().unwrap_or_else(|e| e.into_inner());
        routes.retain(|r| !(r.method == method && r.path == path));
        routes.push(Route {
            method: method.into(),
            path: path.into(),
            handler: Box::new(handler),
        });
        self
    }

    /// Answers with a fixed JSON body.
    pub fn json(&self, method: &str, path: &str, status: u16, body: &str) -> &Self {
        let body = body.to_string();
        self.on(method, path, move |_| Reply::Json(status, body.clone()))
    }

    /// A Mastodon instance that describes itself as `localhost:PORT` and whose
    /// `verify_credentials` names `username`: enough for `login` and `post` to reach the
    /// step a test is about.
    pub fn mastodon(&self, username: &str) -> &Self {
        let domain = self.domain();
        self.json(
            "GET",
            "/api/v2/instance",
            200,
            &format!(r#"{{"domain":"{domain}","configuration":{{"statuses":{{"max_characters":500}}}}}}"#),
        );
        self.json(
            "GET",
            "/api/v1/accounts/verify_credentials",
            200,
            &format!(r#"{{"id":"1","username":"{username}"}}"#),
        )
    }

    /// How many requests reached `method path`.
    pub fn hits(&self, method: &str, path: &str) -> usize {
        let hits = self.hits.lock().unwrap_or_else(|e| e.into_inner());
        hits.get(&format!("{method} {path}")).copied().unwrap_or(0)
    }

    /// How many connections are held open without an answer right now.
    pub fn held(&self) -> usize {
        self.held.load(Ordering::SeqCst)
    }
}

fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Request> {
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let target = parts.next()?.to_string();
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p.to_string(), q.to_string()),
        None => (target, String::new()),
    };
    let mut headers = HashMap::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).ok()? == 0 {
            return None;
        }
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((k, v)) = header.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let length: u64 = headers.get("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
    std::io::copy(&mut reader.by_ref().take(length), &mut std::io::sink()).ok()?;
    Some(Request {
        method,
        path,
        query,
        headers,
    })
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        401 => "Unauthorized",
        404 => "Not Found",
        500 => "Internal Server Error",
        _ => "Whatever",
    }
}

fn head(stream: &mut TcpStream, status: u16, headers: &[(String, String)], length: u64) -> std::io::Result<()> {
    let mut text = format!(
        "HTTP/1.1 {status} {}\r\nConnection: close\r\nContent-Length: {length}\r\n",
        reason(status)
    );
    for (k, v) in headers {
        text.push_str(&format!("{k}: {v}\r\n"));
    }
    text.push_str("\r\n");
    stream.write_all(text.as_bytes())
}

fn serve(stream: TcpStream, routes: &Mutex<Vec<Route>>, hits: &Mutex<HashMap<String, usize>>, held: &AtomicUsize) {
    let Ok(write_half) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    let Some(request) = read_request(&mut reader) else {
        return;
    };
    *hits
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .entry(format!("{} {}", request.method, request.path))
        .or_default() += 1;
    let reply = {
        let routes = routes.lock().unwrap_or_else(|e| e.into_inner());
        match routes
            .iter()
            .find(|r| r.method == request.method && r.path == request.path)
        {
            Some(route) => (route.handler)(&request),
            None => Reply::Json(404, r#"{"error":"Record not found"}"#.into()),
        }
    };
    let mut out = write_half;
    let json = || vec![("Content-Type".to_string(), "application/json".to_string())];
    let _ = match reply {
        Reply::Json(status, body) => {
            head(&mut out, status, &json(), body.len() as u64).and_then(|()| out.write_all(body.as_bytes()))
        }
        Reply::Raw { status, headers, body } => {
            head(&mut out, status, &headers, body.len() as u64).and_then(|()| out.write_all(body.as_bytes()))
        }
        Reply::Huge {
            status,
            prefix,
            fill,
            len,
            suffix,
        } => {
            let total = (prefix.len() + len + suffix.len()) as u64;
            head(&mut out, status, &json(), total).and_then(|()| {
                out.write_all(prefix.as_bytes())?;
                let chunk = vec![fill; 64 * 1024];
                let mut left = len;
                while left > 0 {
                    let n = left.min(chunk.len());
                    // The client hangs up once it has read its cap: that ends the stream.
                    out.write_all(&chunk[..n])?;
                    left -= n;
                }
                out.write_all(suffix.as_bytes())
            })
        }
        Reply::Silent => {
            held.fetch_add(1, Ordering::SeqCst);
            // Blocks until the client closes its end: an answer that never comes.
            let _ = std::io::copy(&mut reader, &mut std::io::sink());
            held.fetch_sub(1, Ordering::SeqCst);
            Ok(())
        }
    };
}
