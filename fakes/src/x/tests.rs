//! The fake's stateful rules, driven through `XFake::handle` without a socket.

use super::*;

fn request(method: &str, target: &str, headers: &[(&str, &str)], body: &str) -> Request {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    Request {
        method: method.into(),
        path: path.into(),
        query: query.into(),
        headers: headers
            .iter()
            .map(|(n, v)| (n.to_ascii_lowercase(), v.to_string()))
            .collect(),
        body: body.as_bytes().to_vec(),
    }
}

fn answer(reply: Reply) -> Response {
    match reply {
        Reply::Response(r) => r,
        Reply::Drop => panic!("the connection was dropped"),
    }
}

fn call(f: &XFake, r: Request) -> (u16, Value) {
    let r = answer(f.handle(&r));
    (r.status, serde_json::from_slice(&r.body).unwrap_or(Value::Null))
}

fn control(f: &XFake, method: &str, path: &str, body: Value) -> Value {
    let (status, v) = call(f, request(method, path, &[], &body.to_string()));
    assert!(status < 300, "{method} {path}: {status} {v}");
    v
}

fn user(f: &XFake, name: &str, premium: bool) -> String {
    let v = control(f, "POST", "/_fake/users", json!({"username": name, "premium": premium}));
    v["id"].as_str().unwrap().to_string()
}

fn token(f: &XFake, user_id: &str) -> String {
    let v = control(f, "POST", "/_fake/tokens/oauth2", json!({ "user_id": user_id }));
    v["access_token"].as_str().unwrap().to_string()
}

fn advance(f: &XFake, user_id: &str, secs: f64) {
    control(
        f,
        "POST",
        &format!("/_fake/users/{user_id}/clock"),
        json!({ "advance_secs": secs }),
    );
}

fn post(f: &XFake, token: &str, body: Value) -> (u16, Value) {
    let auth = format!("Bearer {token}");
    call(
        f,
        request(
            "POST",
            "/2/tweets",
            &[("Authorization", &auth), ("Content-Type", "application/json")],
            &body.to_string(),
        ),
    )
}

fn form(f: &XFake, path: &str, body: &str) -> (u16, Value) {
    call(
        f,
        request(
            "POST",
            path,
            &[("Content-Type", "application/x-www-form-urlencoded")],
            body,
        ),
    )
}

fn me(f: &XFake, token: &str) -> u16 {
    let auth = format!("Bearer {token}");
    call(f, request("GET", "/2/users/me", &[("Authorization", &auth)], "")).0
}

/// RFC 7636 Appendix B.
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const REDIRECT: &str = "http://127.0.0.1:8765/callback";

#[test]
fn pkce_s256_follows_rfc_7636_appendix_b() {
    assert!(pkce_s256_matches(VERIFIER, CHALLENGE));
    assert!(!pkce_s256_matches(&VERIFIER.replace('d', "e"), CHALLENGE));
    assert!(!pkce_s256_matches("short", CHALLENGE));
}

/// The authorize step, returning the code from the redirect.
fn authorize_code(f: &XFake, redirect: &str) -> Result<String, Response> {
    let target = format!(
        "/i/oauth2/authorize?response_type=code&client_id=app1&redirect_uri={}&scope={}&state=st%20ate&code_challenge={CHALLENGE}&code_challenge_method=S256",
        percent_encode(redirect),
        percent_encode("tweet.read tweet.write users.read offline.access"),
    );
    let r = answer(f.handle(&request("GET", &target, &[], "")));
    if r.status != 302 {
        return Err(r);
    }
    let location = &r.headers.iter().find(|(n, _)| n == "Location").unwrap().1;
    let query = location
        .strip_prefix(&format!("{REDIRECT}?"))
        .expect("redirects to the app");
    let q: HashMap<String, String> = parse_form(query).into_iter().collect();
    assert_eq!(q["state"], "st ate");
    Ok(q["code"].clone())
}

fn app(f: &XFake) -> String {
    let id = user(f, "owner", false);
    control(
        f,
        "POST",
        "/_fake/apps",
        json!({"client_id": "app1", "redirect_uri": REDIRECT, "user_id": id}),
    );
    id
}

fn exchange(f: &XFake, code: &str, verifier: &str) -> (u16, Value) {
    form(
        f,
        "/2/oauth2/token",
        &format!(
            "grant_type=authorization_code&code={}&redirect_uri={}&code_verifier={verifier}&client_id=app1",
            percent_encode(code),
            percent_encode(REDIRECT)
        ),
    )
}

#[test]
fn authorization_code_flow_checks_redirect_pkce_and_single_use() {
    let f = XFake::new();
    let owner = app(&f);
    // Exact match, trailing slash included: no redirect at all, an error page.
    let refused = authorize_code(&f, &format!("{REDIRECT}/")).unwrap_err();
    assert_eq!(refused.status, 400);
    assert!(refused.headers.iter().all(|(n, _)| n != "Location"));

    let code = authorize_code(&f, REDIRECT).unwrap();
    let (status, v) = exchange(&f, &code, &VERIFIER.replace('d', "e"));
    assert_eq!((status, v["error"].as_str()), (400, Some("invalid_grant")));
    let (status, v) = exchange(&f, &code, VERIFIER);
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["token_type"], "bearer");
    assert_eq!(v["expires_in"], 7200);
    assert!(v["refresh_token"].is_string(), "offline.access gives a refresh token");
    assert_eq!(me(&f, v["access_token"].as_str().unwrap()), 200);
    // Single use.
    let (status, v) = exchange(&f, &code, VERIFIER);
    assert_eq!((status, v["error"].as_str()), (400, Some("invalid_grant")));
    // 30 seconds, in the consenting user's time.
    let code = authorize_code(&f, REDIRECT).unwrap();
    advance(&f, &owner, 31.0);
    let (status, v) = exchange(&f, &code, VERIFIER);
    assert_eq!((status, v["error"].as_str()), (400, Some("invalid_grant")));
}

#[test]
fn refresh_rotates_and_the_old_refresh_token_is_refused() {
    let f = XFake::new();
    let id = user(&f, "rot", false);
    let pair = control(
        &f,
        "POST",
        "/_fake/tokens/oauth2",
        json!({"user_id": id, "expires_in": 60}),
    );
    let (client, old) = (
        pair["client_id"].as_str().unwrap(),
        pair["refresh_token"].as_str().unwrap(),
    );
    let access = pair["access_token"].as_str().unwrap();
    assert_eq!(me(&f, access), 200);
    advance(&f, &id, 61.0);
    assert_eq!(me(&f, access), 401, "expired");

    let body = format!("grant_type=refresh_token&refresh_token={old}&client_id={client}");
    let (status, new) = form(&f, "/2/oauth2/token", &body);
    assert_eq!(status, 200, "{new}");
    assert_ne!(new["refresh_token"], pair["refresh_token"]);
    assert_ne!(new["access_token"], pair["access_token"]);
    assert_eq!(me(&f, new["access_token"].as_str().unwrap()), 200);
    let (status, v) = form(&f, "/2/oauth2/token", &body);
    assert_eq!((status, v["error"].as_str()), (400, Some("invalid_grant")));

    // Revoking the access token revokes its refresh token too.
    let revoke = format!("token={}&client_id={client}", new["access_token"].as_str().unwrap());
    assert_eq!(form(&f, "/2/oauth2/revoke", &revoke).0, 200);
    assert_eq!(me(&f, new["access_token"].as_str().unwrap()), 401);
    let body = format!(
        "grant_type=refresh_token&refresh_token={}&client_id={client}",
        new["refresh_token"].as_str().unwrap()
    );
    assert_eq!(form(&f, "/2/oauth2/token", &body).0, 400);
}

#[test]
fn app_only_bearer_reads_timelines_but_is_not_a_user() {
    let f = XFake::new();
    let id = user(&f, "reader", false);
    let bearer = control(&f, "POST", "/_fake/tokens/bearer", json!({ "user_id": id }));
    let bearer = bearer["bearer_token"].as_str().unwrap();
    assert_eq!(me(&f, bearer), 403);
    for i in 0..12 {
        control(
            &f,
            "POST",
            &format!("/_fake/users/{id}/posts"),
            json!({"text": format!("p{i}")}),
        );
    }
    let auth = format!("Bearer {bearer}");
    let page = |q: &str| {
        call(
            &f,
            request(
                "GET",
                &format!("/2/users/{id}/tweets?{q}"),
                &[("Authorization", &auth)],
                "",
            ),
        )
    };
    let (status, first) = page("max_results=5&tweet.fields=created_at");
    assert_eq!(status, 200);
    assert_eq!(first["data"][0]["text"], "p11", "newest first");
    assert!(first["data"][0]["created_at"].is_string());
    assert_eq!(first["meta"]["result_count"], 5);
    let next = first["meta"]["next_token"].as_str().unwrap();
    let (_, second) = page(&format!("max_results=5&pagination_token={next}"));
    assert_eq!(second["data"][0]["text"], "p6");
    let since = first["data"][1]["id"].as_str().unwrap();
    let (_, newer) = page(&format!("since_id={since}"));
    assert_eq!(newer["meta"]["result_count"], 1);
    assert_eq!(page("max_results=4").0, 400);
    let counters = control(&f, "GET", &format!("/_fake/users/{id}/counters"), json!({}));
    assert_eq!(counters["billed_reads"], 11, "5 + 5 + 1 posts read");
    assert_eq!(counters["requests"][format!("GET /2/users/{id}/tweets")], 4);
}

#[test]
fn duplicates_are_refused_while_the_earlier_post_lives_and_is_under_a_day_old() {
    let f = XFake::new();
    let id = user(&f, "dup", false);
    let t = token(&f, &id);
    let (status, first) = post(&f, &t, json!({"text": "same words"}));
    assert_eq!(status, 201);
    let (status, v) = post(&f, &t, json!({"text": "same words"}));
    assert_eq!(status, 403);
    assert_eq!(
        v["detail"],
        "You are not allowed to create a Tweet with duplicate content."
    );
    assert_eq!(
        (v["type"].as_str(), v["title"].as_str(), v["status"].as_u64()),
        (Some("about:blank"), Some("Forbidden"), Some(403))
    );
    // Another user may say the same.
    let other = token(&f, &user(&f, "other", false));
    assert_eq!(post(&f, &other, json!({"text": "same words"})).0, 201);
    // Deleted: allowed again.
    let auth = format!("Bearer {t}");
    let del = format!("/2/tweets/{}", first["data"]["id"].as_str().unwrap());
    assert_eq!(
        call(&f, request("DELETE", &del, &[("Authorization", &auth)], "")).0,
        200
    );
    assert_eq!(post(&f, &t, json!({"text": "same words"})).0, 201);
    // A day later: allowed again.
    advance(&f, &id, DUPLICATE_WINDOW + 1.0);
    let t = token(&f, &id); // the first one expired in the meantime
    assert_eq!(post(&f, &t, json!({"text": "same words"})).0, 201);
}

#[test]
fn links_become_t_co_links_with_entities() {
    let f = XFake::new();
    let id = user(&f, "links", false);
    let t = token(&f, &id);
    let (status, v) = post(&f, &t, json!({"text": "é see https://example.org/page."}));
    assert_eq!(status, 201);
    let text = v["data"]["text"].as_str().unwrap();
    assert!(text.starts_with("é see https://t.co/") && text.ends_with('.'), "{text}");
    let posts = control(&f, "GET", &format!("/_fake/users/{id}/posts"), json!({}));
    let url = &posts["posts"][0]["urls"][0];
    assert_eq!(url["expanded_url"], "https://example.org/page");
    assert_eq!(url["display_url"], "example.org/page");
    let (start, end) = (
        url["start"].as_u64().unwrap() as usize,
        url["end"].as_u64().unwrap() as usize,
    );
    let cut: String = text.chars().skip(start).take(end - start).collect();
    assert_eq!(cut, url["url"].as_str().unwrap(), "indices count code points");
}

#[test]
fn edits_need_premium_own_latest_post_within_30_minutes_and_5_edits() {
    let f = XFake::new();
    let plain = user(&f, "plain", false);
    let pt = token(&f, &plain);
    let (_, v) = post(&f, &pt, json!({"text": "v0"}));
    let edit = |t: &str, prev: &str, text: &str| {
        post(&f, t, json!({"text": text, "edit_options": {"previous_post_id": prev}}))
    };
    assert_eq!(edit(&pt, v["data"]["id"].as_str().unwrap(), "v1").0, 403, "not premium");

    let premium = user(&f, "prem", true);
    let t = token(&f, &premium);
    let (_, v) = post(&f, &t, json!({"text": "v0"}));
    let first = v["data"]["id"].as_str().unwrap().to_string();
    assert_eq!(edit(&pt, &first, "theirs").0, 403, "not the author");
    let mut prev = first.clone();
    let mut ids = vec![first.clone()];
    for i in 1..=MAX_EDITS {
        let (status, v) = edit(&t, &prev, &format!("v{i}"));
        assert_eq!(status, 201, "edit {i}: {v}");
        prev = v["data"]["id"].as_str().unwrap().to_string();
        ids.push(prev.clone());
        assert_eq!(v["data"]["edit_history_post_ids"], json!(ids));
    }
    assert_eq!(edit(&t, &prev, "v6").0, 403, "a sixth edit");
    assert_eq!(edit(&t, &first, "old").0, 403, "not the latest version");

    let (_, v) = post(&f, &t, json!({"text": "late"}));
    advance(&f, &premium, EDIT_WINDOW);
    assert_eq!(edit(&t, v["data"]["id"].as_str().unwrap(), "too late").0, 403);
}

#[test]
fn replies_need_a_living_target_and_media_its_owner() {
    let f = XFake::new();
    let id = user(&f, "replier", false);
    let t = token(&f, &id);
    assert_eq!(
        post(&f, &t, json!({"text": "r", "reply": {"in_reply_to_tweet_id": "1"}})).0,
        403
    );
    let (_, parent) = post(&f, &t, json!({"text": "parent"}));
    let pid = parent["data"]["id"].as_str().unwrap();
    assert_eq!(
        post(&f, &t, json!({"text": "r", "reply": {"in_reply_to_tweet_id": pid}})).0,
        201
    );
    assert_eq!(post(&f, &t, json!({"text": "x", "unknown": true})).0, 400);

    let png = base64::engine::general_purpose::STANDARD.encode(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01");
    let auth = format!("Bearer {t}");
    let h = [("Authorization", auth.as_str()), ("Content-Type", "application/json")];
    let up = json!({"media": png, "media_category": "tweet_image"}).to_string();
    let (status, m) = call(&f, request("POST", "/2/media/upload", &h, &up));
    assert_eq!(status, 200, "{m}");
    let mid = m["data"]["id"].as_str().unwrap();
    assert_eq!(m["data"]["media_key"], format!("3_{mid}"));
    let meta = json!({"id": mid, "metadata": {"alt_text": {"text": "a pixel"}}}).to_string();
    assert_eq!(call(&f, request("POST", "/2/media/metadata", &h, &meta)).0, 200);
    let stranger = token(&f, &user(&f, "stranger", false));
    assert_eq!(
        post(&f, &stranger, json!({"text": "m", "media": {"media_ids": [mid]}})).0,
        400
    );
    assert_eq!(post(&f, &t, json!({"text": "m", "media": {"media_ids": [mid]}})).0, 201);
}

#[test]
fn faults_are_per_user_and_after_commit_faults_commit() {
    let f = XFake::new();
    let id = user(&f, "faulty", false);
    let t = token(&f, &id);
    let other = token(&f, &user(&f, "calm", false));
    let fault = |kind: &str| {
        control(
            &f,
            "POST",
            &format!("/_fake/users/{id}/faults"),
            json!({"kind": kind, "method": "POST", "path": "/2/tweets", "count": 1}),
        )
    };
    fault("rate_limit");
    assert_eq!(post(&f, &other, json!({"text": "someone else"})).0, 201);
    let auth = format!("Bearer {t}");
    let h = [("Authorization", auth.as_str()), ("Content-Type", "application/json")];
    let r = answer(f.handle(&request("POST", "/2/tweets", &h, r#"{"text":"a"}"#)));
    assert_eq!(r.status, 429);
    for name in ["x-rate-limit-limit", "x-rate-limit-remaining", "x-rate-limit-reset"] {
        assert!(r.headers.iter().any(|(n, _)| n == name), "{name}");
    }
    fault("drop_after_commit");
    assert!(matches!(
        f.handle(&request("POST", "/2/tweets", &h, r#"{"text":"b"}"#)),
        Reply::Drop
    ));
    fault("error_after_commit");
    assert_eq!(post(&f, &t, json!({"text": "c"})).0, 500);
    let posts = control(&f, "GET", &format!("/_fake/users/{id}/posts"), json!({}));
    let texts: Vec<&str> = posts["posts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["b", "c"], "the rate-limited post was not made, the others were");
    assert_eq!(
        post(&f, &t, json!({"text": "b"})).0,
        403,
        "the dropped one is a duplicate now"
    );
}

#[test]
fn oauth1_requests_are_verified_and_nonces_used_once() {
    let f = XFake::new();
    let id = user(&f, "signer", false);
    let k = control(&f, "POST", "/_fake/tokens/oauth1", json!({ "user_id": id }));
    let s = |v: &str| k[v].as_str().unwrap().to_string();
    let signed = |nonce: &str, ts: i64, secret: &str| {
        let mut r = request("GET", "/2/users/me?user.fields=id", &[("Host", "127.0.0.1:9")], "");
        let oauth: Vec<(String, String)> = [
            ("oauth_consumer_key", s("consumer_key")),
            ("oauth_token", s("token")),
            ("oauth_signature_method", "HMAC-SHA1".into()),
            ("oauth_timestamp", ts.to_string()),
            ("oauth_nonce", nonce.into()),
            ("oauth_version", "1.0".into()),
        ]
        .into_iter()
        .map(|(a, b)| (a.to_string(), b))
        .collect();
        let sig = oauth1::sign(&oauth1::base_string(&r, &oauth), &s("consumer_secret"), secret);
        let header = oauth
            .iter()
            .chain([&("oauth_signature".to_string(), sig)])
            .map(|(a, b)| format!("{a}=\"{}\"", percent_encode(b)))
            .collect::<Vec<_>>()
            .join(", ");
        r.headers.push(("authorization".into(), format!("OAuth {header}")));
        r
    };
    let now = real_now() as i64;
    let (status, v) = call(&f, signed("n1", now, &s("token_secret")));
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["data"]["id"], id.as_str());
    assert_eq!(call(&f, signed("n1", now, &s("token_secret"))).0, 401, "nonce reused");
    assert_eq!(call(&f, signed("n2", now, "wrong")).0, 401, "bad signature");
    assert_eq!(call(&f, signed("n3", now - 301, &s("token_secret"))).0, 401, "too old");
    assert_eq!(
        call(&f, signed("n4", now + 240, &s("token_secret"))).0,
        200,
        "within 5 minutes"
    );
}
