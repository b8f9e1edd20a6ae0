//! Headless Chromium, driven step by step by `tests/browser/drive.mjs` (playwright-core, with
//! the DevTools Protocol's WebAuthn virtual authenticator). test.sh installs both; a missing
//! browser or driver is a failure, never a skip.

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

pub struct Browser {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

/// Where playwright-install.sh put playwright-core and the Node it runs with.
fn playwright_dir() -> PathBuf {
    let servers = std::env::var_os("POSTGATE_SERVERS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let cache = std::env::var_os("XDG_CACHE_HOME")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache"));
            cache.join("postgate-servers")
        });
    servers.join("playwright")
}

impl Browser {
    pub fn start() -> Browser {
        let dir = playwright_dir();
        let node = std::fs::read_to_string(dir.join("node")).unwrap_or_else(|e| {
            panic!(
                "no playwright-core in {} ({e}): run bash scripts/servers/playwright-install.sh",
                dir.display()
            )
        });
        assert!(
            std::path::Path::new("/usr/bin/chromium").exists(),
            "no /usr/bin/chromium: install Debian's chromium (scripts/test.sh does)"
        );
        let driver = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/drive.mjs");
        let mut child = Command::new(node.trim())
            .arg(driver)
            .env("POSTGATE_PLAYWRIGHT_DIR", &dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the browser driver");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = BufReader::new(child.stdout.take().expect("stdout"));
        Browser { child, stdin, stdout }
    }

    /// Sends one request and gives back the answer; an answer with `error` fails the test.
    pub fn send(&mut self, request: Value) -> Value {
        let answer = self.try_send(request.clone());
        if let Some(e) = answer.get("error") {
            let console = self.try_send(json!({ "op": "console" }));
            panic!("the browser could not {request}: {e}\nconsole: {console}");
        }
        answer
    }

    pub fn try_send(&mut self, request: Value) -> Value {
        writeln!(self.stdin, "{request}").expect("write to the driver");
        let mut line = String::new();
        self.stdout.read_line(&mut line).expect("read the driver");
        assert!(!line.is_empty(), "the browser driver stopped (after {request})");
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("the driver answered {line:?}: {e}"))
    }

    pub fn goto(&mut self, url: &str) -> Value {
        self.send(json!({ "op": "goto", "url": url }))
    }

    pub fn click(&mut self, selector: &str) {
        self.send(json!({ "op": "click", "selector": selector }));
    }

    pub fn fill(&mut self, selector: &str, text: &str) {
        self.send(json!({ "op": "fill", "selector": selector, "text": text }));
    }

    /// Waits until the element's text holds `contains`, and gives the whole text.
    pub fn wait_text(&mut self, selector: &str, contains: &str) -> String {
        let answer = self.try_send(json!({ "op": "waitText", "selector": selector, "contains": contains }));
        if let Some(e) = answer.get("error") {
            let now = self.try_send(json!({ "op": "text", "selector": selector }));
            panic!("{selector} never held {contains:?}: {e}; it holds {now}");
        }
        answer["text"].as_str().unwrap_or_default().to_string()
    }

    pub fn text(&mut self, selector: &str) -> String {
        self.send(json!({ "op": "text", "selector": selector }))["text"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    pub fn eval(&mut self, expression: &str) -> Value {
        self.send(json!({ "op": "eval", "expression": expression }))["value"].clone()
    }

    /// `{x, y, width, height}` of the element, in CSS pixels of the viewport.
    pub fn bounding_box(&mut self, selector: &str) -> Value {
        self.send(json!({ "op": "box", "selector": selector }))["box"].clone()
    }

    pub fn html(&mut self) -> String {
        self.send(json!({ "op": "html" }))["html"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    pub fn screenshot(&mut self, path: &std::path::Path, width: u32, height: u32) {
        self.send(json!({ "op": "viewport", "width": width, "height": height }));
        self.send(json!({ "op": "screenshot", "path": path, "fullPage": false }));
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = writeln!(self.stdin, "{}", json!({ "op": "close" }));
        let _ = self.child.wait();
    }
}
