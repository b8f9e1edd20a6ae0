//! The control APIs of postgate's own fakes (`/_fake/...` on each, in `fakes/`): one client for
//! all of them, failing the test with the fake's answer when a call is refused.

use serde_json::Value;

/// Fails the test unless the fake answered with a success; its JSON body otherwise.
pub fn check(resp: reqwest::Result<reqwest::blocking::Response>, what: &str) -> Value {
    let resp = resp.unwrap_or_else(|e| panic!("{what}: {e}"));
    let status = resp.status();
    let body: Value = resp.json().unwrap_or(Value::Null);
    assert!(status.is_success(), "{what}: {status} {body}");
    body
}

/// `POST {base}/_fake/{path}` with a JSON body.
pub fn post(base: &str, path: &str, body: Value) -> Value {
    check(
        reqwest::blocking::Client::new()
            .post(format!("{base}/_fake/{path}"))
            .json(&body)
            .send(),
        path,
    )
}

/// `GET {base}/_fake/{path}`.
pub fn get(base: &str, path: &str) -> Value {
    check(
        reqwest::blocking::Client::new()
            .get(format!("{base}/_fake/{path}"))
            .send(),
        path,
    )
}

/// A string field of a control answer.
pub fn text(v: &Value, key: &str) -> String {
    v[key].as_str().unwrap_or_else(|| panic!("no {key} in {v}")).to_string()
}
