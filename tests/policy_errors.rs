//! Every malformed policy names the file, line and column, and exits with the bad-policy code.

use crate::support;
use support::{Test, code};

const ACCOUNT: &str = r#"[[accounts]]
name = "demo"
handle = "@mairie_demo"
platform = "outbox"
kind = "official"
display_name = "Démo"
owner = "Tests"
"#;

/// Runs `policy check` on `text` and checks the message and the `line:col` it points at.
fn rejects(text: &str, message: &str, line_col: &str) {
    let t = Test::new().policy(text);
    let out = t.cmd(["policy", "check"]).status(code::BAD_POLICY).stdout("").run();
    let stderr = String::from_utf8(out.stderr).unwrap();
    let location = format!("  --> {}:{line_col}\n", t.policy_path().display());
    assert!(stderr.contains(message), "stderr lacks {message:?}:\n{stderr}");
    assert!(stderr.contains(&location), "stderr lacks {location:?}:\n{stderr}");
    assert!(stderr.contains(" | "), "no source line shown:\n{stderr}");
    assert!(stderr.contains('^'), "no caret:\n{stderr}");
}

#[test]
fn unknown_key() {
    rejects(
        &format!("{ACCOUNT}confirme = \"handle\"\n"),
        "unknown field `confirme`",
        "8:1",
    );
}

#[test]
fn unknown_top_level_table() {
    rejects(
        &format!("[acounts]\nx = 1\n{ACCOUNT}"),
        "unknown field `acounts`",
        "1:2",
    );
}

#[test]
fn missing_key() {
    let text = ACCOUNT.replace("owner = \"Tests\"\n", "");
    rejects(&text, "missing field `owner`", "1:1");
}

#[test]
fn wrong_type() {
    let text = ACCOUNT.replace("kind = \"official\"", "kind = 3");
    rejects(&text, "invalid type: integer `3`", "5:8");
}

#[test]
fn unknown_kind() {
    let text = ACCOUNT.replace("kind = \"official\"", "kind = \"offical\"");
    rejects(
        &text,
        "unknown variant `offical`, expected `official` or `personal`",
        "5:8",
    );
}

#[test]
fn toml_syntax_error() {
    let text = ACCOUNT.replace("owner = \"Tests\"", "owner = Equipe");
    rejects(&text, "string values must be quoted", "7:9");
}

#[test]
fn duplicate_names() {
    let second = ACCOUNT.replace("@mairie_demo", "@autre");
    rejects(&format!("{ACCOUNT}{second}"), "duplicate account name `demo`", "9:8");
}

#[test]
fn duplicate_handles() {
    let second = ACCOUNT
        .replace("name = \"demo\"", "name = \"other\"")
        .replace("@mairie_demo", "@MAIRIE_demo");
    rejects(
        &format!("{ACCOUNT}{second}"),
        "duplicate handle `@MAIRIE_demo`",
        "10:10",
    );
}

#[test]
fn look_alike_handles() {
    let second = ACCOUNT
        .replace("name = \"demo\"", "name = \"other\"")
        .replace("@mairie_demo", "@rnairie_demo");
    rejects(
        &format!("{ACCOUNT}{second}"),
        "handle `@rnairie_demo` looks like `@mairie_demo`",
        "10:10",
    );
}

#[test]
fn look_alikes_that_differ_by_case_are_refused() {
    // `I` looks like `l` and `O` like `0` only in the case they are written in.
    for (first, second) in [("@lyon_ville", "@Iyon_ville"), ("@mairie_paris0", "@mairie_parisO")] {
        let one = ACCOUNT.replace("@mairie_demo", first);
        let two = ACCOUNT
            .replace("name = \"demo\"", "name = \"other\"")
            .replace("@mairie_demo", second);
        rejects(
            &format!("{one}{two}"),
            &format!("handle `{second}` looks like `{first}`"),
            "10:10",
        );
    }
}

#[test]
fn official_account_with_weaker_confirmation() {
    rejects(
        &format!("{ACCOUNT}confirm = \"yes\"\n"),
        "official account `demo` cannot use confirm = \"yes\"",
        "8:11",
    );
}

#[test]
fn invalid_mastodon_handle() {
    let text = ACCOUNT.replace(
        "platform = \"outbox\"",
        "platform = \"mastodon\"\ninstance = \"https://social.example\"",
    );
    rejects(
        &text,
        "invalid mastodon handle `@mairie_demo` for account `demo`: it must be the full `@user@domain` form",
        "3:10",
    );
}

#[test]
fn invalid_bluesky_handle() {
    let text = ACCOUNT
        .replace(
            "platform = \"outbox\"",
            "platform = \"bluesky\"\nservice = \"https://bsky.social\"",
        )
        .replace("@mairie_demo", "mairie");
    rejects(&text, "invalid bluesky handle `mairie`", "3:10");
}

#[test]
fn non_ascii_handle() {
    let text = ACCOUNT.replace("@mairie_demo", "@m\u{430}irie_demo");
    rejects(&text, "contains the non-ASCII character U+0430", "3:10");
}

#[test]
fn plain_http_instance_off_loopback() {
    let text = ACCOUNT
        .replace(
            "platform = \"outbox\"",
            "platform = \"mastodon\"\ninstance = \"http://social.example\"",
        )
        .replace("@mairie_demo", "@mairie@social.example");
    rejects(
        &text,
        "invalid `instance` URL: plain http is only allowed on loopback",
        "5:12",
    );
}

#[test]
fn missing_instance() {
    let text = ACCOUNT
        .replace("platform = \"outbox\"", "platform = \"mastodon\"")
        .replace("@mairie_demo", "@mairie@social.example");
    rejects(&text, "missing field `instance` for mastodon account `demo`", "4:12");
}

#[test]
fn credentials_none_on_a_network_platform() {
    let text = ACCOUNT
        .replace(
            "platform = \"outbox\"",
            "platform = \"bluesky\"\nservice = \"https://bsky.social\"\ncredentials = \"none\"",
        )
        .replace("@mairie_demo", "mairie.bsky.social");
    rejects(
        &text,
        "bluesky accounts need a credential; `none` is only for the outbox",
        "6:15",
    );
}

#[test]
fn invalid_account_name() {
    rejects(
        &ACCOUNT.replace("name = \"demo\"", "name = \"Démo\""),
        "invalid account name `Démo`",
        "2:8",
    );
}

#[test]
fn every_error_is_reported_at_once() {
    let text = format!("{ACCOUNT}confirm = \"yes\"\n").replace("@mairie_demo", "mairie");
    let t = Test::new().policy(&text);
    let out = t.cmd(["policy", "check"]).status(code::BAD_POLICY).run();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("invalid outbox handle `mairie`"));
    assert!(stderr.contains("official account `demo` cannot use confirm = \"yes\""));
}

#[test]
fn exact_rendering_of_one_error() {
    let t = Test::new().policy(&format!("{ACCOUNT}confirm = \"yes\"\n"));
    t.cmd(["policy", "check"])
        .status(code::BAD_POLICY)
        .stderr(
            "error: official account `demo` cannot use confirm = \"yes\"\n  --> {dir}/policy.toml:8:11\n  |\n8 | confirm = \"yes\"\n  |           ^^^^^\n  = help: official accounts are always confirmed by typing their handle; remove this line or set confirm = \"handle\"\nhint: see the commented example policy.toml and docs/policy.md\n",
        )
        .run();
}

#[test]
fn a_missing_policy_lists_where_it_looked() {
    let t = Test::new();
    t.cmd(["policy", "check"])
        .env_remove("POSTGATE_POLICY")
        .status(code::BAD_POLICY)
        .stderr_has("no policy found; looked in:\n  {dir}/config/postgate/policy.toml\n  {dir}/no-system-policy.toml")
        .run();
}

#[test]
fn the_current_directory_is_never_searched() {
    let t = Test::new();
    // A policy sitting in the working directory (as in a cloned repository) is ignored.
    std::fs::copy(t.policy_path(), t.path().join("postgate.toml")).unwrap();
    std::fs::create_dir_all(t.path().join(".postgate")).unwrap();
    std::fs::copy(t.policy_path(), t.path().join(".postgate/policy.toml")).unwrap();
    t.cmd(["policy", "check"])
        .env_remove("POSTGATE_POLICY")
        .status(code::BAD_POLICY)
        .stderr_has("no policy found")
        .run();
}

#[test]
fn discovery_order_flag_then_env_then_user_then_system() {
    let t = Test::new();
    let write = |rel: &str, name: &str| {
        let path = t.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let text = ACCOUNT
            .replace("\"demo\"", &format!("\"{name}\""))
            .replace("@mairie_demo", &format!("@{}", name.replace('-', "_")));
        std::fs::write(&path, text).unwrap();
        path
    };
    let flag = write("flag.toml", "from-flag");
    let env = write("env.toml", "from-env");
    write("config/postgate/policy.toml", "from-user");
    let system = write("system.toml", "from-system");
    let check = |args: Vec<String>, env_policy: Option<&str>, expect: &str| {
        let mut cmd = t.cmd(args).env("POSTGATE_TEST_SYSTEM_POLICY", system.to_str().unwrap());
        cmd = match env_policy {
            Some(p) => cmd.env("POSTGATE_POLICY", p),
            None => cmd.env_remove("POSTGATE_POLICY"),
        };
        cmd.stdout_has(expect).run();
    };
    let flag_arg = vec![
        "--policy".to_string(),
        flag.display().to_string(),
        "policy".into(),
        "check".into(),
    ];
    check(flag_arg, Some(env.to_str().unwrap()), "from-flag");
    // Whichever file is chosen, the system policy lies under it.
    let layered = vec![
        "--policy".to_string(),
        flag.display().to_string(),
        "policy".into(),
        "check".into(),
    ];
    check(layered, None, "from-system");
    check(
        vec!["policy".into(), "check".into()],
        Some(env.to_str().unwrap()),
        "from-env",
    );
    check(vec!["policy".into(), "check".into()], None, "from-user");
    std::fs::remove_file(t.path().join("config/postgate/policy.toml")).unwrap();
    check(vec!["policy".into(), "check".into()], None, "from-system");
}

#[test]
fn platform_keys_on_the_wrong_platform() {
    let text = ACCOUNT
        .replace(
            "platform = \"outbox\"",
            "platform = \"bluesky\"\nservice = \"https://bsky.social\"\nvisibility = \"public\"",
        )
        .replace("@mairie_demo", "mairie.bsky.social");
    rejects(&text, "`visibility` does not apply to bluesky account `demo`", "6:14");
    let text = ACCOUNT
        .replace(
            "platform = \"outbox\"",
            "platform = \"mastodon\"\ninstance = \"https://social.example\"\ncorrection = \"reply\"",
        )
        .replace("@mairie_demo", "@mairie@social.example");
    rejects(&text, "`correction` does not apply to mastodon account `demo`", "6:14");
}

#[test]
fn invalid_pins_and_language() {
    let text = ACCOUNT
        .replace(
            "platform = \"outbox\"",
            "platform = \"bluesky\"\nservice = \"https://bsky.social\"\ndid = \"plc:abc\"",
        )
        .replace("@mairie_demo", "mairie.bsky.social");
    rejects(&text, "invalid DID `plc:abc`", "6:7");
    rejects(
        &format!("{ACCOUNT}language = \"French\"\n"),
        "invalid language `French`",
        "8:12",
    );
}

/// A policy with the demo account and one rule whose body is `rule` (line 9 onwards).
fn with_rule(rule: &str) -> String {
    format!("{ACCOUNT}\n[[rules]]\nid = \"r\"\n{rule}")
}

#[test]
fn rule_with_a_bad_regex() {
    rejects(
        &with_rule("kind = \"pattern\"\nlevel = \"warn\"\npatterns = [{ regex = '(vote' }]\n"),
        "invalid regex: unclosed group",
        "13:23",
    );
}

#[test]
fn rule_with_a_pattern_too_big_to_compile_fails_fast_and_located() {
    // Each would take seconds and hundreds of megabytes to compile before being refused, and
    // the refusal named no pattern.
    for regex in [r"\w{300}", r"\w{1000}{1000}"] {
        rejects(
            &with_rule(&format!(
                "kind = \"pattern\"\nlevel = \"warn\"\npatterns = [{{ regex = '{regex}' }}]\n"
            )),
            "invalid regex: compiled, it would exceed the size limit of 10 MiB for one pattern",
            "13:23",
        );
    }
}

/// Patterns each within their own limit still add up: forty `a{300000}` took a gigabyte and
/// seconds on every run. The one that crosses the total is refused where it is written.
#[test]
fn patterns_that_together_compile_too_big_are_refused_at_the_one_that_crosses() {
    let many: Vec<String> = (0..40).map(|i| format!("{{ regex = 'a{{300000}}{i}' }}")).collect();
    rejects(
        &with_rule(&format!(
            "kind = \"pattern\"\nlevel = \"warn\"\npatterns = [{}]\n",
            many.join(", ")
        )),
        "invalid regex: with the patterns before it, the policy's patterns would exceed 32 MiB compiled",
        // The seventh: six of about 300,000 states each fit in 2 Mi states (32 MiB), seven do not.
        "13:179",
    );
}

#[test]
fn rule_with_an_unknown_timezone() {
    rejects(
        &with_rule("kind = \"schedule\"\nlevel = \"approve\"\ntimezone = \"Europe/Pariss\"\nquiet = \"22:00-07:00\"\n"),
        "unknown timezone `Europe/Pariss`",
        "13:12",
    );
}

#[test]
fn rule_with_invalid_quiet_hours() {
    rejects(
        &with_rule("kind = \"schedule\"\nlevel = \"approve\"\ntimezone = \"Europe/Paris\"\nquiet = \"22:00-25:00\"\n"),
        "invalid quiet hours `22:00-25:00`: hour 25 does not exist",
        "14:9",
    );
    rejects(
        &with_rule("kind = \"schedule\"\nlevel = \"approve\"\ntimezone = \"Europe/Paris\"\nquiet = \"22h-7h\"\n"),
        "invalid quiet hours `22h-7h`",
        "14:9",
    );
}

#[test]
fn rule_of_an_unknown_kind() {
    rejects(
        &with_rule("kind = \"term\"\nlevel = \"deny\"\nterms = [\"x\"]\n"),
        "unknown rule kind `term`",
        "11:8",
    );
}

#[test]
fn rule_with_an_unknown_level() {
    rejects(
        &with_rule("kind = \"terms\"\nlevel = \"block\"\nterms = [\"x\"]\n"),
        "unknown level `block`",
        "12:9",
    );
}

#[test]
fn rule_with_a_key_of_another_kind() {
    rejects(
        &with_rule("kind = \"terms\"\nlevel = \"deny\"\nterms = [\"x\"]\nmax_images = 2\n"),
        "`max_images` does not apply to a `terms` rule",
        "14:14",
    );
}

#[test]
fn rule_scoped_to_an_unknown_account() {
    rejects(
        &with_rule("kind = \"terms\"\nlevel = \"deny\"\nterms = [\"x\"]\naccounts = [\"dmeo\"]\n"),
        "no account named `dmeo`",
        "14:13",
    );
}

#[test]
fn a_policy_is_a_regular_file_of_at_most_8_mib() {
    let t = Test::new();
    // Valid TOML, only too long: a policy is never read whole past the cap.
    let filler = "# commentaire de remplissage\n".repeat((8 << 20) / 29 + 1);
    t.write("big.toml", &format!("{filler}{ACCOUNT}"));
    t.cmd(["--policy", "big.toml", "policy", "check"])
        .status(code::BAD_POLICY)
        .stderr_has("cannot read policy big.toml: larger than 8192 KiB, the most postgate reads for a policy")
        .run();
    // A FIFO would block forever, a device would be read until memory runs out.
    let fifo = t.path().join("policy.fifo");
    support::mkfifo(&fifo);
    t.cmd(["--policy", "policy.fifo", "policy", "check"])
        .status(code::BAD_POLICY)
        .stderr_has("cannot read policy policy.fifo: not a regular file (a FIFO); a policy must be a file")
        .run();
    t.cmd(["--policy", "/dev/zero", "policy", "check"])
        .status(code::BAD_POLICY)
        .stderr_has("cannot read policy /dev/zero: not a regular file (a character device)")
        .run();
    // The same holds for the policy the user's is layered over.
    t.cmd(["policy", "check"])
        .env("POSTGATE_TEST_SYSTEM_POLICY", fifo.to_str().unwrap())
        .status(code::BAD_POLICY)
        .stderr_has("not a regular file (a FIFO)")
        .run();
}

#[test]
fn an_outbox_account_with_no_folder_to_go_to_is_an_error_not_a_missing_account() {
    // Without a `path`, an outbox account lives in the state folder; with neither
    // XDG_STATE_HOME nor HOME set there is none, and the account must not silently vanish
    // from a policy that then looks valid.
    let t = Test::new().policy(&format!("[audit]\npath = \"audit.jsonl\"\n\n{ACCOUNT}"));
    let out = t
        .cmd(["policy", "check"])
        .env_remove("HOME")
        .env_remove("XDG_STATE_HOME")
        .status(code::BAD_POLICY)
        .stdout("")
        .run();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("cannot place the outbox folder of account `demo`: neither XDG_STATE_HOME nor HOME is set"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("  --> {}:7:12\n", t.policy_path().display())),
        "{stderr}"
    );
}

#[test]
fn a_bluesky_web_host_may_be_written_with_an_at_sign_as_before() {
    let t = Test::new().policy(
        "[audit]\npath = \"audit.jsonl\"\n\n[[accounts]]\nname = \"b\"\nhandle = \"b.example.org\"\n\
         platform = \"bluesky\"\nkind = \"personal\"\ndisplay_name = \"B\"\nowner = \"Me\"\n\
         service = \"https://pds.example.org\"\nweb_host = \"@bsky.app\"\n",
    );
    t.cmd(["policy", "check"]).stderr_has("is valid").run();
}

#[test]
fn an_inline_account_table_is_split_like_any_other() {
    // An account written as an inline table still hands its platform only the platform's keys:
    // another platform's key is refused where it is written.
    rejects(
        "accounts = [{ name = \"a\", handle = \"@a\", platform = \"outbox\", kind = \"official\", \
         display_name = \"A\", owner = \"O\", instance = \"https://x.example\" }]\n",
        "`instance` does not apply to outbox account `a`",
        "1:126",
    );
}

/// An account table of `platform` named `name`, with `extra` lines.
fn table(name: &str, handle: &str, platform: &str, kind: &str, extra: &str) -> String {
    format!(
        "[[accounts]]\nname = \"{name}\"\nhandle = \"{handle}\"\nplatform = \"{platform}\"\nkind = \"{kind}\"\n\
         display_name = \"D\"\nowner = \"O\"\n{extra}"
    )
}

#[test]
fn three_errors_in_three_accounts_are_all_reported_in_order_with_a_count() {
    let text = [
        table(
            "un",
            "@un",
            "outbox",
            "official",
            "path = \"o\"\nconfirme = \"handle\"\n",
        ),
        table("deux", "@deux", "outbox", "Official", "path = \"o\"\n"),
        table(
            "trois",
            "@trois@social.example",
            "mastodon",
            "official",
            "instance = \"social.example\"\n",
        ),
    ]
    .concat();
    let t = Test::new().policy(&text);
    let out = t.cmd(["policy", "check"]).status(code::BAD_POLICY).stdout("").run();
    let stderr = String::from_utf8(out.stderr).unwrap();
    let file = t.policy_path().display().to_string();
    let expected = [
        ("unknown field `confirme`", format!("  --> {file}:9:1\n")),
        (
            "unknown variant `Official`, expected `official` or `personal`",
            format!("  --> {file}:14:8\n"),
        ),
        (
            "invalid `instance` URL: a URL with its scheme is expected, such as `https://social.example`",
            format!("  --> {file}:25:12\n"),
        ),
    ];
    let mut from = 0;
    for (message, location) in &expected {
        let at = stderr[from..]
            .find(message)
            .unwrap_or_fail(&format!("{message:?} after byte {from}"), &stderr);
        let place = stderr[from + at..]
            .find(location.as_str())
            .unwrap_or_fail(location, &stderr);
        from += at + place;
    }
    assert!(!stderr.contains("relative URL without a base"), "{stderr}");
    assert!(
        stderr.contains(&format!("\n\n3 errors in {file}\nhint: ")),
        "the count comes last, before the hint:\n{stderr}"
    );
    assert_eq!(stderr.matches("  --> ").count(), 3, "{stderr}");

    let out = t.cmd(["--json", "policy", "check"]).status(code::BAD_POLICY).run();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["message"].as_str().unwrap().contains("3 errors in"), "{v}");
}

trait UnwrapOrFail {
    fn unwrap_or_fail(self, what: &str, stderr: &str) -> usize;
}

impl UnwrapOrFail for Option<usize> {
    fn unwrap_or_fail(self, what: &str, stderr: &str) -> usize {
        self.unwrap_or_else(|| panic!("stderr lacks {what} (in this order):\n{stderr}"))
    }
}

#[test]
fn several_errors_in_one_account_are_all_reported() {
    let text = table(
        "un",
        "@un",
        "outbox",
        "Official",
        "path = \"o\"\nconfirm = \"Handle\"\nallow_delete = \"oui\"\n",
    );
    let t = Test::new().policy(&text);
    let out = t.cmd(["policy", "check"]).status(code::BAD_POLICY).run();
    let stderr = String::from_utf8(out.stderr).unwrap();
    for needle in [
        "unknown variant `Official`",
        "unknown variant `Handle`",
        "invalid type: string \"oui\", expected a boolean",
        "3 errors in",
    ] {
        assert!(stderr.contains(needle), "stderr lacks {needle:?}:\n{stderr}");
    }
}

#[test]
fn errors_outside_the_accounts_are_reported_with_those_inside() {
    let text = format!(
        "[audit]\npaht = \"x\"\n\n{}\n[lockdown]\nshared = \"/mnt\"\n",
        table("un", "@un", "outbox", "Official", "path = \"o\"\n")
    );
    let t = Test::new().policy(&text);
    let out = t.cmd(["policy", "check"]).status(code::BAD_POLICY).run();
    let stderr = String::from_utf8(out.stderr).unwrap();
    let file = t.policy_path().display().to_string();
    let paht = stderr.find("unknown field `paht`").expect(&stderr);
    let kind = stderr.find("unknown variant `Official`").expect(&stderr);
    let shared = stderr.find("unknown field `shared`").expect(&stderr);
    assert!(paht < kind && kind < shared, "in the order of the file:\n{stderr}");
    assert!(stderr.contains(&format!("3 errors in {file}")), "{stderr}");
}

#[test]
fn every_url_key_of_every_platform_asks_for_a_url_with_its_scheme() {
    let cases = [
        (
            "mastodon",
            "@m@social.example",
            "instance = \"social.example\"\n",
            "instance",
            "social.example",
        ),
        (
            "bluesky",
            "@b.bsky.social",
            "service = \"bsky.social\"\n",
            "service",
            "bsky.social",
        ),
        ("x", "@MinistereCC", "api = \"api.x.com\"\n", "api", "api.x.com"),
        (
            "x",
            "@MinistereCC",
            "oauth_api = \"localhost:3000\"\n",
            "oauth_api",
            "localhost:3000",
        ),
        (
            "x",
            "@MinistereCC",
            "authorize_url = \"x.com/i/oauth2/authorize\"\n",
            "authorize_url",
            "x.com/i/oauth2/authorize",
        ),
        (
            "facebook",
            "@MinistereCulture",
            "page_id = \"100064517391234\"\napi = \"graph.facebook.com\"\n",
            "api",
            "graph.facebook.com",
        ),
        (
            "linkedin",
            "@ministere-culture",
            "organization = \"urn:li:organization:1\"\napi = \"api.linkedin.com\"\n",
            "api",
            "api.linkedin.com",
        ),
    ];
    for (platform, handle, extra, key, value) in cases {
        let t = Test::new().policy(&table("a", handle, platform, "official", extra));
        let out = t.cmd(["policy", "check"]).status(code::BAD_POLICY).run();
        let stderr = String::from_utf8(out.stderr).unwrap();
        let message = format!("invalid `{key}` URL: a URL with its scheme is expected, such as `https://{value}`");
        assert!(
            stderr.contains(&message),
            "{platform}: stderr lacks {message:?}:\n{stderr}"
        );
        let line = 8 + extra.lines().position(|l| l.starts_with(key)).unwrap();
        let location = format!("{}:{line}:{}", t.policy_path().display(), key.len() + 4);
        assert!(
            stderr.contains(&location),
            "{platform}: stderr lacks {location:?}:\n{stderr}"
        );
    }
}
