use super::*;

fn request(method: &str, target: &str, token: Option<&str>, form: Option<&str>) -> Request {
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p.to_string(), q.to_string()),
        None => (target.to_string(), String::new()),
    };
    let mut headers = Vec::new();
    if let Some(t) = token {
        headers.push(("authorization".to_string(), format!("Bearer {t}")));
    }
    let mut body = Vec::new();
    if let Some(f) = form {
        headers.push((
            "content-type".to_string(),
            "application/x-www-form-urlencoded".to_string(),
        ));
        body = f.as_bytes().to_vec();
    }
    Request {
        method: method.into(),
        path,
        query,
        headers,
        body,
    }
}

fn json_request(method: &str, path: &str, body: Value) -> Request {
    Request {
        method: method.into(),
        path: path.into(),
        query: String::new(),
        headers: vec![("content-type".into(), "application/json".into())],
        body: body.to_string().into_bytes(),
    }
}

fn answer(fake: &FacebookFake, req: &Request) -> (u16, Value, Vec<(String, String)>) {
    match fake.handle(req) {
        Reply::Response(r) => (
            r.status,
            serde_json::from_slice(&r.body).unwrap_or(Value::Null),
            r.headers,
        ),
        Reply::Drop => (0, Value::Null, Vec::new()),
    }
}

/// A Page `username` and its Page token.
fn page(fake: &FacebookFake, username: &str) -> (String, String) {
    let (_, p, _) = answer(
        fake,
        &json_request("POST", "/_fake/pages", json!({ "username": username })),
    );
    let id = p["id"].as_str().unwrap().to_string();
    let (_, t, _) = answer(
        fake,
        &json_request("POST", "/_fake/tokens/page", json!({ "page_id": id })),
    );
    (id, t["access_token"].as_str().unwrap().to_string())
}

fn live_posts(fake: &FacebookFake, page: &str) -> Vec<Value> {
    let (_, v, _) = answer(
        fake,
        &json_request("GET", &format!("/_fake/pages/{page}/posts"), Value::Null),
    );
    v["posts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["deleted"] != true)
        .cloned()
        .collect()
}

#[test]
fn me_is_the_page_of_a_page_token_and_a_person_has_no_username() {
    let fake = FacebookFake::new();
    let (id, token) = page(&fake, "MinistereCulture");
    let (status, me, headers) = answer(
        &fake,
        &request("GET", "/v25.0/me?fields=id,name,username", Some(&token), None),
    );
    assert_eq!(status, 200);
    assert_eq!(me["id"], id.as_str());
    assert_eq!(me["username"], "MinistereCulture");
    assert!(headers.iter().any(|(n, _)| n == USAGE_HEADER), "{headers:?}");
    let (_, user, _) = answer(&fake, &json_request("POST", "/_fake/tokens/user", json!({})));
    let user_token = user["access_token"].as_str().unwrap();
    let (status, err, _) = answer(
        &fake,
        &request("GET", "/v25.0/me?fields=id,name,username", Some(user_token), None),
    );
    assert_eq!(status, 400);
    assert_eq!(err["error"]["code"], 100);
    assert!(err["error"]["message"].as_str().unwrap().contains("(User)"));
}

#[test]
fn tokens_unknown_missing_or_unversioned_are_refused_with_the_error_object() {
    let fake = FacebookFake::new();
    let (status, err, _) = answer(&fake, &request("GET", "/v25.0/me", Some("EAAnope"), None));
    assert_eq!((status, err["error"]["code"].as_i64()), (400, Some(190)));
    assert!(err["error"]["fbtrace_id"].is_string());
    let (_, err, _) = answer(&fake, &request("GET", "/v25.0/me", None, None));
    assert_eq!(err["error"]["code"], 104);
    let (_, token) = page(&fake, "culture.gouv");
    let (status, _, _) = answer(&fake, &request("GET", "/me", Some(&token), None));
    assert_eq!(status, 400);
}

#[test]
fn a_post_is_made_once_a_repeat_is_506_and_edits_keep_history() {
    let fake = FacebookFake::new();
    let (id, token) = page(&fake, "MinistereCulture");
    let feed = format!("/v25.0/{id}/feed");
    let (status, made, _) = answer(
        &fake,
        &request("POST", &feed, Some(&token), Some("message=Bonjour+%C3%A0+tous")),
    );
    assert_eq!(status, 200);
    let post = made["id"].as_str().unwrap().to_string();
    assert!(post.starts_with(&format!("{id}_")));
    let (status, dup, _) = answer(
        &fake,
        &request("POST", &feed, Some(&token), Some("message=Bonjour+%C3%A0+tous")),
    );
    assert_eq!((status, dup["error"]["code"].as_i64()), (400, Some(506)));
    let (status, ok, _) = answer(
        &fake,
        &request("POST", &format!("/v25.0/{post}"), Some(&token), Some("message=Bonsoir")),
    );
    assert_eq!((status, ok["success"].as_bool()), (200, Some(true)));
    let posts = live_posts(&fake, &id);
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0]["message"], "Bonsoir");
    assert_eq!(posts[0]["history"], json!(["Bonjour à tous"]));
    let (status, _, _) = answer(&fake, &request("DELETE", &format!("/v25.0/{post}"), Some(&token), None));
    assert_eq!(status, 200);
    assert!(live_posts(&fake, &id).is_empty());
}

#[test]
fn another_pages_token_cannot_post_or_list_here() {
    let fake = FacebookFake::new();
    let (id, _) = page(&fake, "MinistereCulture");
    let (_, other) = page(&fake, "AutrePage");
    let (status, err, _) = answer(
        &fake,
        &request("POST", &format!("/v25.0/{id}/feed"), Some(&other), Some("message=x")),
    );
    assert_eq!((status, err["error"]["code"].as_i64()), (403, Some(200)));
    let (_, err, _) = answer(
        &fake,
        &request("GET", &format!("/v25.0/{id}/published_posts"), Some(&other), None),
    );
    assert_eq!(err["error"]["code"], 10);
    assert!(live_posts(&fake, &id).is_empty());
}

#[test]
fn faults_after_commit_make_the_post_and_faults_before_do_not() {
    let fake = FacebookFake::new();
    let (id, token) = page(&fake, "MinistereCulture");
    let feed = format!("/v25.0/{id}/feed");
    let fault = |kind: &str| {
        answer(
            &fake,
            &json_request(
                "POST",
                &format!("/_fake/pages/{id}/faults"),
                json!({"kind": kind, "method": "POST", "path": format!("/{id}/feed")}),
            ),
        )
    };
    fault("unavailable");
    let (status, _, _) = answer(&fake, &request("POST", &feed, Some(&token), Some("message=un")));
    assert_eq!(status, 503);
    assert!(live_posts(&fake, &id).is_empty());
    fault("error_after_commit");
    let (status, err, _) = answer(&fake, &request("POST", &feed, Some(&token), Some("message=deux")));
    assert_eq!((status, err["error"]["code"].as_i64()), (500, Some(2)));
    assert_eq!(live_posts(&fake, &id).len(), 1);
    fault("drop_after_commit");
    let (status, _, _) = answer(&fake, &request("POST", &feed, Some(&token), Some("message=trois")));
    assert_eq!(status, 0, "dropped");
    assert_eq!(live_posts(&fake, &id).len(), 2);
    fault("throttled");
    let (_, err, _) = answer(&fake, &request("POST", &feed, Some(&token), Some("message=quatre")));
    assert_eq!(err["error"]["code"], 32);
    assert_eq!(live_posts(&fake, &id).len(), 2);
}

#[test]
fn published_posts_list_newest_first_since_a_time_with_cursors() {
    let fake = FacebookFake::new();
    let (id, token) = page(&fake, "MinistereCulture");
    for (m, age) in [("ancien", 7200), ("récent", 10), ("moyen", 600)] {
        answer(
            &fake,
            &json_request(
                "POST",
                &format!("/_fake/pages/{id}/posts"),
                json!({"message": m, "age_secs": age}),
            ),
        );
    }
    let since = (now() - 3600.0) as i64;
    let (_, page1, _) = answer(
        &fake,
        &request(
            "GET",
            &format!("/v25.0/{id}/published_posts?since={since}&limit=1"),
            Some(&token),
            None,
        ),
    );
    assert_eq!(page1["data"][0]["message"], "récent");
    assert!(page1["data"][0]["created_time"].as_str().unwrap().ends_with("+0000"));
    let after = page1["paging"]["cursors"]["after"].as_str().unwrap();
    assert!(page1["paging"]["next"].is_string());
    let (_, page2, _) = answer(
        &fake,
        &request(
            "GET",
            &format!("/v25.0/{id}/published_posts?since={since}&limit=1&after={after}"),
            Some(&token),
            None,
        ),
    );
    assert_eq!(page2["data"][0]["message"], "moyen");
    assert!(page2["paging"]["next"].is_null(), "the hour holds two posts");
}

#[test]
fn photos_are_multipart_unpublished_and_keep_their_description() {
    let fake = FacebookFake::new();
    let (id, token) = page(&fake, "MinistereCulture");
    let boundary = "XyZ";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"published\"\r\n\r\nfalse\r\n--{boundary}\r\n\
         Content-Disposition: form-data; name=\"alt_text_custom\"\r\n\r\nAffiche du festival\r\n--{boundary}\r\n\
         Content-Disposition: form-data; name=\"source\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n\
         \u{89}PNG\r\n--{boundary}--\r\n"
    );
    let mut req = request("POST", &format!("/v25.0/{id}/photos"), Some(&token), None);
    req.headers.push((
        "content-type".into(),
        format!("multipart/form-data; boundary={boundary}"),
    ));
    req.body = body.into_bytes();
    let (status, photo, _) = answer(&fake, &req);
    assert_eq!(status, 200, "{photo}");
    let media = json!({ "media_fbid": photo["id"] }).to_string();
    let form = format!(
        "message=Le+programme&attached_media%5B0%5D={}",
        crate::http::percent_encode(&media)
    );
    let (status, _, _) = answer(
        &fake,
        &request("POST", &format!("/v25.0/{id}/feed"), Some(&token), Some(&form)),
    );
    assert_eq!(status, 200);
    let posts = live_posts(&fake, &id);
    assert_eq!(posts[0]["alt_texts"], json!(["Affiche du festival"]));
    // A photo is attached once.
    let (status, _, _) = answer(
        &fake,
        &request(
            "POST",
            &format!("/v25.0/{id}/feed"),
            Some(&token),
            Some(&format!("message=encore&{}", &form[20..])),
        ),
    );
    assert_eq!(status, 400);
}

#[test]
fn a_page_token_cannot_delete_permissions_and_a_persons_can() {
    let fake = FacebookFake::new();
    let (_, token) = page(&fake, "MinistereCulture");
    let (status, _, _) = answer(&fake, &request("DELETE", "/v25.0/me/permissions", Some(&token), None));
    assert_eq!(status, 400);
    let (status, _, _) = answer(&fake, &request("GET", "/v25.0/me", Some(&token), None));
    assert_eq!(status, 200, "the Page token still works");
    let (_, user, _) = answer(&fake, &json_request("POST", "/_fake/tokens/user", json!({})));
    let user_token = user["access_token"].as_str().unwrap();
    let (status, _, _) = answer(
        &fake,
        &request("DELETE", "/v25.0/me/permissions", Some(user_token), None),
    );
    assert_eq!(status, 200);
    let (_, err, _) = answer(&fake, &request("GET", "/v25.0/me", Some(user_token), None));
    assert_eq!(err["error"]["code"], 190);
}

#[test]
fn usage_is_reported_as_set() {
    let fake = FacebookFake::new();
    let (id, token) = page(&fake, "MinistereCulture");
    answer(
        &fake,
        &json_request("POST", &format!("/_fake/pages/{id}/usage"), json!({"percent": 93})),
    );
    let (_, _, headers) = answer(&fake, &request("GET", "/v25.0/me", Some(&token), None));
    let usage = headers
        .iter()
        .find(|(n, _)| n == USAGE_HEADER)
        .map(|(_, v)| v.clone())
        .unwrap();
    let v: Value = serde_json::from_str(&usage).unwrap();
    assert_eq!(v[&id][0]["call_count"], 93);
}

#[test]
fn debug_token_describes_a_page_token_to_an_app_token_only() {
    let fake = FacebookFake::new();
    let (id, token) = page(&fake, "MinistereCulture");
    let (_, app, _) = answer(&fake, &json_request("POST", "/_fake/tokens/app", json!({})));
    let app = app["access_token"].as_str().unwrap().to_string();
    let ask = |with: &str, input: &str| {
        answer(
            &fake,
            &request(
                "GET",
                &format!("/v25.0/debug_token?input_token={input}"),
                Some(with),
                None,
            ),
        )
    };
    let (status, d, _) = ask(&app, &token);
    assert_eq!(status, 200);
    assert_eq!(d["data"]["type"], "PAGE");
    assert_eq!(d["data"]["profile_id"], id.as_str());
    assert_eq!(d["data"]["is_valid"], true);
    assert_eq!(d["data"]["expires_at"], 0);
    assert!(
        d["data"]["scopes"]
            .as_array()
            .unwrap()
            .contains(&json!("pages_manage_posts"))
    );
    let (_, d, _) = ask(&app, "EAAnope");
    assert_eq!(d["data"]["is_valid"], false);
    let (status, _, _) = ask(&token, &token);
    assert_eq!(status, 400, "a Page token may not ask");
    let (_, d, _) = ask(&app, &app);
    assert_eq!(d["data"]["type"], "APP");
}

#[test]
fn a_persons_token_is_exchanged_with_the_app_secret_and_lists_the_pages_they_manage() {
    let fake = FacebookFake::new();
    let (id, _) = page(&fake, "MinistereCulture");
    let (_, app, _) = answer(&fake, &json_request("POST", "/_fake/apps", json!({})));
    let (app_id, secret) = (app["app_id"].as_str().unwrap(), app["app_secret"].as_str().unwrap());
    let (_, user, _) = answer(
        &fake,
        &json_request("POST", "/_fake/tokens/user", json!({ "pages": [{ "id": id }] })),
    );
    let short = user["access_token"].as_str().unwrap();
    let target = |secret: &str| {
        format!(
            "/v25.0/oauth/access_token?grant_type=fb_exchange_token&client_id={app_id}&client_secret={secret}&fb_exchange_token={short}"
        )
    };
    let (_, err, _) = answer(&fake, &request("GET", &target("wrong"), None, None));
    assert_eq!(err["error"]["code"], 101);
    let (status, long, _) = answer(&fake, &request("GET", &target(secret), None, None));
    assert_eq!(status, 200, "{long}");
    let long = long["access_token"].as_str().unwrap();
    let (_, pages, _) = answer(&fake, &request("GET", "/v25.0/me/accounts", Some(long), None));
    assert_eq!(pages["data"][0]["id"], id.as_str());
    assert!(
        pages["data"][0]["tasks"]
            .as_array()
            .unwrap()
            .contains(&json!("CREATE_CONTENT"))
    );
    let page_token = pages["data"][0]["access_token"].as_str().unwrap();
    let (_, me, _) = answer(&fake, &request("GET", "/v25.0/me?fields=id", Some(page_token), None));
    assert_eq!(me["id"], id.as_str());
}

#[test]
fn a_page_token_without_pages_manage_posts_cannot_post_and_the_error_names_it() {
    let fake = FacebookFake::new();
    let (id, _) = page(&fake, "MinistereCulture");
    let (_, t, _) = answer(
        &fake,
        &json_request(
            "POST",
            "/_fake/tokens/page",
            json!({ "page_id": id, "scopes": ["pages_read_engagement"] }),
        ),
    );
    let token = t["access_token"].as_str().unwrap();
    let (status, err, _) = answer(
        &fake,
        &request("POST", &format!("/v25.0/{id}/feed"), Some(token), Some("message=x")),
    );
    assert_eq!((status, err["error"]["code"].as_i64()), (403, Some(200)));
    assert!(err["error"]["message"].as_str().unwrap().contains("pages_manage_posts"));
    let (status, _, _) = answer(
        &fake,
        &request("GET", &format!("/v25.0/{id}/published_posts"), Some(token), None),
    );
    assert_eq!(status, 200, "reading needs only pages_read_engagement");
    assert!(live_posts(&fake, &id).is_empty());
}
