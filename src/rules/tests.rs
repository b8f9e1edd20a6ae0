//! One hit and one near miss for every rule kind, plus property tests over arbitrary posts.

use super::*;
use crate::policy::{Parsed, Policy};
use proptest::prelude::*;
use std::path::Path;

const ACCOUNTS: &str = r#"
[audit]
path = "audit.jsonl"

[[accounts]]
name = "ministere"
handle = "@ministere"
platform = "outbox"
kind = "official"
display_name = "Ministère"
owner = "Communication"
path = "outbox"

[[accounts]]
name = "jeanne"
handle = "@jeanne"
platform = "outbox"
kind = "personal"
display_name = "Jeanne"
owner = "Jeanne"
path = "outbox2"
"#;

fn policy(rules: &str) -> Parsed {
    let text = format!("{ACCOUNTS}\n{rules}");
    match Policy::parse(&text, Path::new("/tmp")) {
        Ok(p) => p,
        Err(d) => panic!("{}", crate::policy::diagnostic::render(Path::new("p.toml"), &text, &d)),
    }
}

fn run(p: &Parsed, account: &str, subject: Subject, ctx: Context) -> Vec<Finding> {
    let a = p.accounts.iter().find(|a| a.name == account).expect("account");
    p.rules.check(a, &subject, &ctx)
}

fn text(t: &str) -> Subject<'_> {
    Subject {
        text: t,
        language: Some("fr"),
        length: t.chars().count(),
        ..Subject::default()
    }
}

/// `(rule, matched text)` of each finding.
fn hits<'a>(findings: &[Finding], t: &'a str) -> Vec<(String, &'a str)> {
    findings
        .iter()
        .map(|f| (f.rule.clone(), f.span.clone().map_or("", |s| &t[s])))
        .collect()
}

const TERMS: &str = r#"
[[rules]]
id = "neutralite"
kind = "terms"
level = "deny"
kinds = ["official"]
message = "période de réserve : « %s »"
terms = ["candidat", "votez pour", "élection"]

[rules.suggest]
"e-mail" = "courriel"
"#;

#[test]
fn terms_hit_ignoring_case_diacritics_and_elisions() {
    let p = policy(TERMS);
    let t = "VOTEZ POUR le Candidat avant l’Election ; écrivez par E-mail";
    let f = run(&p, "ministere", text(t), Context::default());
    assert_eq!(
        hits(&f, t),
        vec![
            ("neutralite".into(), "VOTEZ POUR"),
            ("neutralite".into(), "Candidat"),
            ("neutralite".into(), "Election"),
            ("neutralite".into(), "E-mail"),
        ]
    );
    assert_eq!(f[1].message, "période de réserve : « Candidat »");
    assert_eq!(f[3].suggestion.as_deref(), Some("courriel"));
    assert!(f.iter().all(|f| f.level == Level::Deny));
}

#[test]
fn terms_near_misses_inside_words_and_out_of_scope() {
    let p = policy(TERMS);
    let t = "Candidature ouverte, réélection, votez pourtant";
    assert_eq!(run(&p, "ministere", text(t), Context::default()), vec![]);
    // A personal account is outside `kinds = ["official"]`.
    assert_eq!(run(&p, "jeanne", text("le candidat"), Context::default()), vec![]);
}

const PATTERNS: &str = r#"
[[rules]]
id = "style"
kind = "pattern"
level = "warn"
patterns = [
  { regex = '!{2,}', message = "un seul point d'exclamation" },
  { regex = '\b[A-Z]{6,}\b' },
]
"#;

#[test]
fn patterns_hit_with_their_message() {
    let p = policy(PATTERNS);
    let t = "Ouverture URGENTE !!!";
    let f = run(&p, "ministere", text(t), Context::default());
    assert_eq!(hits(&f, t), vec![("style".into(), "URGENTE"), ("style".into(), "!!!")]);
    assert_eq!(f[1].message, "un seul point d'exclamation");
    assert!(f[0].message.contains("matches"));
}

#[test]
fn patterns_near_miss() {
    let p = policy(PATTERNS);
    assert_eq!(
        run(
            &p,
            "ministere",
            text("Ouverture URGENCE Urgente ! SNCF"),
            Context::default()
        )
        .len(),
        1
    );
    assert_eq!(
        run(&p, "ministere", text("Ouverture Urgente ! SNCF"), Context::default()),
        vec![]
    );
}

const LINKS: &str = r#"
[[rules]]
id = "liens"
kind = "links"
level = "approve"
allow = ["gouv.fr", "service-public.fr"]
deny = ["arnaque.example"]
shorteners = "deny"
"#;

#[test]
fn links_outside_the_allowlist_denied_and_shortened() {
    let p = policy(LINKS);
    let t = "https://www.interieur.gouv.fr/a https://blog.example.com/x bit.ly/3abc https://arnaque.example/";
    let f = run(&p, "ministere", text(t), Context::default());
    let got: Vec<(&str, Level)> = f.iter().map(|f| (&t[f.span.clone().unwrap()], f.level)).collect();
    assert_eq!(
        got,
        vec![
            ("https://blog.example.com/x", Level::Approve),
            ("bit.ly/3abc", Level::Deny),
            ("https://arnaque.example/", Level::Deny),
        ]
    );
}

#[test]
fn links_near_miss_subdomains_are_allowed_but_look_alikes_are_not() {
    let p = policy(LINKS);
    let ok = "https://www.service-public.fr/particuliers et https://elections.interieur.gouv.fr";
    assert_eq!(run(&p, "ministere", text(ok), Context::default()), vec![]);
    let f = run(&p, "ministere", text("https://gouv.fr.example.com"), Context::default());
    assert_eq!(f.len(), 1);
}

const MENTIONS: &str = r#"
[[rules]]
id = "consentement"
kind = "mentions"
level = "approve"
on = ["mentions"]
except = ["*.gouv.fr", "@elysee"]

[[rules]]
id = "reponses"
kind = "mentions"
level = "approve"
on = ["replies"]
"#;

#[test]
fn mentions_and_replies_hit() {
    let p = policy(MENTIONS);
    let t = "Merci @jean.dupont@mastodon.social pour la visite";
    let mut s = text(t);
    s.reply_to = Some("https://mastodon.social/@critique/1");
    let f = run(&p, "ministere", s, Context::default());
    assert_eq!(
        hits(&f, t),
        vec![
            ("consentement".into(), "@jean.dupont@mastodon.social"),
            ("reponses".into(), "")
        ]
    );
}

#[test]
fn mentions_near_miss_excepted_handles_and_emails() {
    let p = policy(MENTIONS);
    let t = "Avec @culture.gouv.fr, @agence@social.gouv.fr et @Elysee ; contact@mairie.fr";
    assert_eq!(run(&p, "ministere", text(t), Context::default()), vec![]);
}

const HIDDEN: &str = r#"
[[rules]]
id = "caracteres-caches"
kind = "hidden-characters"
level = "deny"
"#;

#[test]
fn hidden_characters_and_mixed_scripts_hit() {
    let p = policy(HIDDEN);
    // A right-to-left override, a zero-width space, and "Pаris" with a Cyrillic а.
    let t = "Fin\u{202e}gnp.exe à P\u{430}ris\u{200b}!";
    let f = run(&p, "ministere", text(t), Context::default());
    assert_eq!(
        hits(&f, t),
        vec![
            ("caracteres-caches".into(), "\u{202e}"),
            ("caracteres-caches".into(), "P\u{430}ris"),
            ("caracteres-caches".into(), "\u{200b}"),
        ]
    );
}

#[test]
fn hidden_characters_near_miss_accents_emoji_and_greek_words() {
    let p = policy(HIDDEN);
    let t = "Été 2026 ☀️ : la « π-day » et le mot ελληνικά.\r\nDeuxième ligne";
    assert_eq!(run(&p, "ministere", text(t), Context::default()), vec![]);
}

const MEDIA: &str = r#"
[[rules]]
id = "images"
kind = "media"
level = "deny"
require_alt = true
max_images = 2
"#;

#[test]
fn media_hits_missing_alt_and_too_many_images() {
    let p = policy(MEDIA);
    let mut s = text("Photos");
    s.images = 3;
    s.images_without_alt = 1;
    let f = run(&p, "ministere", s, Context::default());
    assert_eq!(f.len(), 2);
    assert!(f[0].message.contains("without a description") || f[1].message.contains("without a description"));
}

#[test]
fn media_near_miss() {
    let p = policy(MEDIA);
    let mut s = text("Photos");
    s.images = 2;
    assert_eq!(run(&p, "ministere", s, Context::default()), vec![]);
}

const COUNTS: &str = r#"
[[rules]]
id = "sobriete"
kind = "counts"
level = "warn"
max_hashtags = 2
max_mentions = 1
max_length = 20
"#;

#[test]
fn counts_hit_on_the_first_extra_tag() {
    let p = policy(COUNTS);
    let t = "#un #deux #trois @a @b et du texte";
    let f = run(&p, "ministere", text(t), Context::default());
    assert_eq!(
        hits(&f, t),
        vec![
            ("sobriete".into(), "#trois"),
            ("sobriete".into(), "@b"),
            ("sobriete".into(), "")
        ]
    );
}

#[test]
fn counts_near_miss() {
    let p = policy(COUNTS);
    assert_eq!(run(&p, "ministere", text("#un #deux @a"), Context::default()), vec![]);
}

const LANGUAGE: &str = r#"
[[rules]]
id = "langue"
kind = "language"
level = "deny"
languages = ["fr", "en"]
"#;

#[test]
fn language_hit_when_missing_or_not_allowed() {
    let p = policy(LANGUAGE);
    let mut s = text("Hallo");
    s.language = None;
    assert_eq!(run(&p, "ministere", s, Context::default()).len(), 1);
    s.language = Some("de");
    assert_eq!(run(&p, "ministere", s, Context::default()).len(), 1);
}

#[test]
fn language_near_miss_with_a_region() {
    let p = policy(LANGUAGE);
    let mut s = text("Hello");
    s.language = Some("en-GB");
    assert_eq!(run(&p, "ministere", s, Context::default()), vec![]);
}

const SCHEDULE: &str = r#"
[[rules]]
id = "nuit"
kind = "schedule"
level = "approve"
timezone = "Europe/Paris"
quiet = "22:00-07:00"
days = ["fri", "saturday"]
"#;

fn at(s: &str) -> Context {
    Context {
        at: Some(s.parse().expect("timestamp")),
        recent: None,
    }
}

#[test]
fn schedule_hits_in_the_window_in_local_time() {
    let p = policy(SCHEDULE);
    // Friday 2026-11-20 23:30 in Paris is 22:30 UTC; Saturday 06:59 belongs to Friday's night.
    for t in ["2026-11-20T22:30:00Z", "2026-11-21T05:59:00Z", "2026-11-22T05:00:00Z"] {
        let f = run(&p, "ministere", text("x"), at(t));
        assert_eq!(f.len(), 1, "{t}");
        assert!(f[0].message.contains("22:00–07:00 Europe/Paris"), "{}", f[0].message);
    }
}

#[test]
fn schedule_near_misses_at_the_edges_and_other_days() {
    let p = policy(SCHEDULE);
    // Friday 21:59 Paris; Saturday 07:00 Paris; Thursday 23:00 Paris (not a listed day);
    // Monday 06:00 Paris (Sunday's night is not listed).
    for t in [
        "2026-11-20T20:59:00Z",
        "2026-11-21T06:00:00Z",
        "2026-11-19T22:00:00Z",
        "2026-11-23T05:00:00Z",
    ] {
        assert_eq!(run(&p, "ministere", text("x"), at(t)), vec![], "{t}");
    }
    // Without a time the schedule is not judged.
    assert_eq!(run(&p, "ministere", text("x"), Context::default()), vec![]);
}

#[test]
fn schedule_follows_summer_time() {
    let p = policy(SCHEDULE);
    // Friday 2026-07-03 22:30 in Paris is 20:30 UTC (UTC+2).
    assert_eq!(run(&p, "ministere", text("x"), at("2026-07-03T20:30:00Z")).len(), 1);
    assert_eq!(run(&p, "ministere", text("x"), at("2026-07-03T19:30:00Z")).len(), 0);
}

const RATE: &str = r#"
[[rules]]
id = "cadence"
kind = "rate"
level = "deny"
max_per_hour = 10
max_per_day = 30
"#;

#[test]
fn rate_hits_at_the_cap() {
    let p = policy(RATE);
    let ctx = Context {
        at: None,
        recent: Some(Recent {
            last_hour: 10,
            last_day: 12,
        }),
    };
    let f = run(&p, "ministere", text("x"), ctx);
    assert_eq!(f.len(), 1);
    assert!(f[0].message.contains("10 posts in the last hour"), "{}", f[0].message);
}

#[test]
fn rate_near_miss_one_below_the_cap() {
    let p = policy(RATE);
    let ctx = Context {
        at: None,
        recent: Some(Recent {
            last_hour: 9,
            last_day: 29,
        }),
    };
    assert_eq!(run(&p, "ministere", text("x"), ctx), vec![]);
}

#[test]
fn scope_by_kind_or_name() {
    let p = policy(
        r#"
[[rules]]
id = "a"
kind = "terms"
level = "warn"
kinds = ["official"]
accounts = ["jeanne"]
terms = ["x"]
"#,
    );
    assert_eq!(run(&p, "ministere", text("x"), Context::default()).len(), 1);
    assert_eq!(run(&p, "jeanne", text("x"), Context::default()).len(), 1);
}

fn any_rules() -> Parsed {
    policy(
        &[
            TERMS, PATTERNS, LINKS, MENTIONS, HIDDEN, MEDIA, COUNTS, LANGUAGE, SCHEDULE, RATE,
        ]
        .concat(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn the_checker_never_panics_and_spans_land_on_char_boundaries(
        t in "(\\PC|[\u{200b}\u{202e}\u{301}\u{130}ŒœßÉ’@#/.:]|https?://|bit\\.ly/|gouv\\.fr| ){0,80}",
        hour in 0i64..48,
    ) {
        let p = any_rules();
        let mut s = text(&t);
        s.reply_to = Some("x");
        let ctx = Context {
            at: Some(jiff::Timestamp::from_second(1_790_000_000 + hour * 1800).unwrap()),
            recent: Some(Recent { last_hour: 3, last_day: 3 }),
        };
        for f in run(&p, "ministere", s, ctx) {
            if let Some(span) = f.span {
                prop_assert!(span.start <= span.end && span.end <= t.len());
                prop_assert!(t.is_char_boundary(span.start) && t.is_char_boundary(span.end));
            }
        }
    }

    #[test]
    fn the_fuzz_target_holds_on_arbitrary_drafts(draft in "(\\PC|[\u{202e}\u{200b}@#]|\\+\\+\\+\n|\n){0,60}") {
        let policy = format!("{ACCOUNTS}{TERMS}{LINKS}{MENTIONS}{HIDDEN}{COUNTS}{SCHEDULE}{RATE}");
        let mut data = policy.into_bytes();
        data.push(0);
        data.extend_from_slice(draft.as_bytes());
        fuzz_one(&data);
    }

    #[test]
    fn the_fuzz_target_holds_on_arbitrary_bytes(data in proptest::collection::vec(any::<u8>(), 0..200)) {
        fuzz_one(&data);
    }

    #[test]
    fn folding_maps_every_byte_back_inside_the_text(t in "\\PC{0,40}") {
        let f = text::fold(&t);
        for i in 0..f.text.len() {
            let r = f.original(i..i + 1);
            prop_assert!(t.is_char_boundary(r.start) && t.is_char_boundary(r.end) && r.end <= t.len());
        }
    }
}

#[test]
fn time_zones_load_by_iana_name_only() {
    assert!(compile::load_timezone("Europe/Paris").is_some());
    assert!(compile::load_timezone("America/Cayenne").is_some());
    assert!(compile::load_timezone("Europe/Pariss").is_none());
    assert!(compile::load_timezone("../../etc/passwd").is_none());
    assert!(compile::load_timezone("/etc/localtime").is_none());
    assert!(compile::load_timezone("").is_none());
}
