use super::*;

fn req(method: &str, path: &str, token: Option<&str>, body: Value) -> Request {
    let (path, query) = match path.split_once('?') {
        Some((p, q)) => (p.to_string(), q.to_string()),
        None => (path.to_string(), String::new()),
    };
    let mut headers = vec![
        ("linkedin-version".to_string(), "202607".to_string()),
        ("x-restli-protocol-version".to_string(), "2.0.0".to_string()),
        ("host".to_string(), "127.0.0.1:9".to_string()),
    ];
    if let Some(t) = token {
        headers.push(("authorization".into(), format!("Bearer {t}")));
    }
    Request {
        method: method.into(),
        path,
        query,
        headers,
        body: if body.is_null() {
            Vec::new()
        } else {
            body.to_string().into_bytes()
        },
    }
}

fn answer(fake: &LinkedInFake, r: Request) -> Response {
    match fake.handle(&r) {
        Reply::Response(resp) => resp,
        Reply::Drop => Response::new(599, "text/plain", "dropped"),
    }
}

fn json_of(r: &Response) -> Value {
    serde_json::from_slice(&r.body).unwrap_or(Value::Null)
}

/// An organization, a member with `role` on it, and the member's token.
fn world(fake: &LinkedInFake, role: &str) -> (String, String, String) {
    let org = json_of(&answer(
        fake,
        req(
            "POST",
            "/_fake/organizations",
            None,
            json!({"vanity": "ministere-culture"}),
        ),
    ));
    let m = json_of(&answer(
        fake,
        req("POST", "/_fake/members", None, json!({"name": "Alice"})),
    ));
    let sub = m["sub"].as_str().unwrap().to_string();
    let org_urn = org["urn"].as_str().unwrap().to_string();
    answer(
        fake,
        req(
            "POST",
            "/_fake/roles",
            None,
            json!({"member": sub, "organization": org_urn, "role": role}),
        ),
    );
    let t = json_of(&answer(
        fake,
        req("POST", "/_fake/tokens", None, json!({"member": sub})),
    ));
    (org_urn, sub, t["access_token"].as_str().unwrap().to_string())
}

fn post_body(author: &str, commentary: &str) -> Value {
    json!({
        "author": author, "commentary": commentary, "visibility": "PUBLIC",
        "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [], "thirdPartyDistributionChannels": []},
        "lifecycleState": "PUBLISHED",
    })
}

#[test]
fn little_text_renders_escapes_and_cuts_at_a_bare_reserved_character() {
    assert_eq!(render(r"Expo \(Paris\) \#culture"), "Expo (Paris) #culture");
    assert_eq!(render("Expo (Paris) demain"), "Expo ");
    assert_eq!(render(&escape(r"a\b_c*d~e@f")), r"a\b_c*d~e@f");
}

#[test]
fn versions_are_required_and_must_be_live() {
    let fake = LinkedInFake::new();
    let (org, _, token) = world(&fake, "ADMINISTRATOR");
    let mut r = req("POST", "/rest/posts", Some(&token), post_body(&org, "Bonjour"));
    r.headers.retain(|(n, _)| n != "linkedin-version");
    assert_eq!(answer(&fake, r).status, 400);
    let mut r = req("POST", "/rest/posts", Some(&token), post_body(&org, "Bonjour"));
    r.headers[0].1 = "202301".into();
    let resp = answer(&fake, r);
    assert_eq!(resp.status, 426);
    assert_eq!(json_of(&resp)["code"], "NONEXISTENT_VERSION");
}

#[test]
fn a_post_is_created_once_and_a_repeat_names_it() {
    let fake = LinkedInFake::new();
    let (org, _, token) = world(&fake, "CONTENT_ADMINISTRATOR");
    let first = answer(
        &fake,
        req(
            "POST",
            "/rest/posts",
            Some(&token),
            post_body(&org, r"Bonjour \#culture"),
        ),
    );
    assert_eq!(first.status, 201);
    let urn = first
        .headers
        .iter()
        .find(|(n, _)| n == "x-restli-id")
        .map(|(_, v)| v.clone())
        .unwrap();
    let again = answer(
        &fake,
        req(
            "POST",
            "/rest/posts",
            Some(&token),
            post_body(&org, r"Bonjour \#culture"),
        ),
    );
    assert_eq!(again.status, 422);
    assert_eq!(json_of(&again)["message"], format!("Content is a duplicate of {urn}"));
    let list = json_of(&answer(
        &fake,
        req(
            "GET",
            &format!("/rest/posts?q=author&author={}", org.replace(':', "%3A")),
            Some(&token),
            Value::Null,
        ),
    ));
    assert_eq!(list["elements"][0]["commentary"], r"Bonjour \#culture");
}

#[test]
fn only_approved_posting_roles_may_post() {
    let fake = LinkedInFake::new();
    let (org, sub, token) = world(&fake, "ANALYST");
    let key = format!(
        "/rest/organizationAuthorizations/(impersonator:urn%3Ali%3Aperson%3A{sub},organization:{},action:(organizationContentAuthorizationAction:(actionType:ORGANIC_SHARE_CREATE)))",
        org.replace(':', "%3A")
    );
    let a = json_of(&answer(&fake, req("GET", &key, Some(&token), Value::Null)));
    assert!(a["status"].get("com.linkedin.organization.Denied").is_some(), "{a}");
    assert_eq!(
        answer(&fake, req("POST", "/rest/posts", Some(&token), post_body(&org, "x"))).status,
        403
    );
    answer(
        &fake,
        req(
            "POST",
            "/_fake/roles",
            None,
            json!({"member": sub, "organization": org, "role": "ADMINISTRATOR"}),
        ),
    );
    let a = json_of(&answer(&fake, req("GET", &key, Some(&token), Value::Null)));
    assert!(a["status"].get("com.linkedin.organization.Approved").is_some(), "{a}");
}

#[test]
fn edits_and_deletes_follow_the_posts_api() {
    let fake = LinkedInFake::new();
    let (org, _, token) = world(&fake, "ADMINISTRATOR");
    let first = answer(
        &fake,
        req("POST", "/rest/posts", Some(&token), post_body(&org, "Bonjour")),
    );
    let urn = first
        .headers
        .iter()
        .find(|(n, _)| n == "x-restli-id")
        .map(|(_, v)| v.clone())
        .unwrap();
    let path = format!("/rest/posts/{}", urn.replace(':', "%3A"));
    let patch = json!({"patch": {"$set": {"commentary": "Bonsoir"}}});
    assert_eq!(
        answer(&fake, req("POST", &path, Some(&token), patch.clone())).status,
        400,
        "needs the method header"
    );
    let mut r = req("POST", &path, Some(&token), patch);
    r.headers.push(("x-restli-method".into(), "PARTIAL_UPDATE".into()));
    assert_eq!(answer(&fake, r).status, 204);
    assert_eq!(
        answer(&fake, req("DELETE", &path, Some(&token), Value::Null)).status,
        204
    );
    assert_eq!(
        answer(&fake, req("DELETE", &path, Some(&token), Value::Null)).status,
        204
    );
    let posts = json_of(&answer(
        &fake,
        req("GET", &format!("/_fake/posts?organization={org}"), None, Value::Null),
    ));
    assert_eq!(posts["posts"][0]["text"], "Bonsoir");
    assert_eq!(posts["posts"][0]["edits"][0], "Bonjour");
    assert_eq!(posts["posts"][0]["deleted"], true);
}

#[test]
fn a_dropped_answer_still_commits_the_post_and_expired_tokens_are_refused() {
    let fake = LinkedInFake::new();
    let (org, sub, token) = world(&fake, "ADMINISTRATOR");
    answer(
        &fake,
        req(
            "POST",
            "/_fake/faults",
            None,
            json!({"member": sub, "method": "POST", "route": "/rest/posts", "kind": "drop_after_commit"}),
        ),
    );
    assert_eq!(
        answer(
            &fake,
            req("POST", "/rest/posts", Some(&token), post_body(&org, "Bonjour"))
        )
        .status,
        599
    );
    let posts = json_of(&answer(
        &fake,
        req("GET", &format!("/_fake/posts?organization={org}"), None, Value::Null),
    ));
    assert_eq!(posts["posts"].as_array().map(Vec::len), Some(1));
    let t = json_of(&answer(
        &fake,
        req("POST", "/_fake/tokens", None, json!({"member": sub, "expires_in": -1})),
    ));
    let r = answer(
        &fake,
        req("GET", "/v2/userinfo", t["access_token"].as_str(), Value::Null),
    );
    assert_eq!(r.status, 401);
}
