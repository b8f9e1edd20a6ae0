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
        Err(d) => panic!("{}", crate::diagnostic::render(Path::new("p.toml"), &text, &d)),
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

/// Issue 11, item 4: invisible and blank characters that the rule used to count as nothing.
#[test]
fn hidden_characters_flag_tags_format_characters_fillers_and_blanks() {
    let p = policy(HIDDEN);
    let tags = "Bonjour\u{e0069}\u{e0067}\u{e006e}\u{e006f}\u{e0072}\u{e0065}";
    let f = run(&p, "ministere", text(tags), Context::default());
    assert_eq!(hits(&f, tags), vec![("caracteres-caches".into(), &tags[7..])]);
    assert!(f[0].message.contains("⟨U+E0069⟩⟨U+E0067⟩"), "{}", f[0].message);
    for c in [
        '\u{206a}',
        '\u{206f}',
        '\u{fff9}',
        '\u{fffb}',
        '\u{34f}',
        '\u{1d173}',
        '\u{fe0f}',
        '\u{115f}',
        '\u{1160}',
        '\u{17b4}',
        '\u{17b5}',
        '\u{e000}',
        '\u{378}',
    ] {
        let t = format!("Bon{c}jour");
        let f = run(&p, "ministere", text(&t), Context::default());
        // (A Hangul filler also makes `Bon…jour` a mixed-script word.)
        let hidden = ("caracteres-caches".to_string(), &t[3..3 + c.len_utf8()]);
        assert!(hits(&f, &t).contains(&hidden), "{:04X}: {f:?}", c as u32);
    }
    for blank in ["\u{3164}\u{3164}\u{3164}", "\u{2800}"] {
        let f = run(&p, "ministere", text(blank), Context::default());
        assert_eq!(hits(&f, blank), vec![("caracteres-caches".into(), blank)]);
    }
}

#[test]
fn hidden_characters_near_miss_emoji_sequences() {
    let p = policy(HIDDEN);
    let t = "Bravo 👩\u{200d}🔬 ! ❤\u{fe0f} 🧑🏽\u{200d}💻 1\u{fe0f}\u{20e3}";
    assert_eq!(run(&p, "ministere", text(t), Context::default()), vec![]);
    let t = "Bravo\u{200d}!";
    assert_eq!(hits(&run(&p, "ministere", text(t), Context::default()), t).len(), 1);
}

/// Issue 11, item 5: every one of these spelled a deny term the automaton did not see.
#[test]
fn terms_hit_through_spacing_compatibility_forms_small_capitals_and_ignorables() {
    let p = policy(TERMS);
    for disguised in [
        "Votez  pour",
        "Votez\npour",
        "Votez \u{a0}\t pour",
        "Votez\u{3164}\u{2800} \u{a8} pour",
        "ｃａｎｄｉｄａｔ",
        "𝐜𝐚𝐧𝐝𝐢𝐝𝐚𝐭",
        "𝖼𝖺𝗇𝖽𝗂𝖽𝖺𝗍",
        "ⓒⓐⓝⓓⓘⓓⓐⓣ",
        "ᴄᴀɴᴅɪᴅᴀᴛ",
        "ᶜᵃⁿᵈⁱᵈᵃᵗ",
        "cand\u{e0020}idat",
        "can\u{200b}did\u{ad}at",
        "С\u{430}ndid\u{430}t",
        "cand\u{e0080}idat",
        "ÉLECTION",
    ] {
        let t = format!("Le {disguised}, lui.");
        let f = run(&p, "ministere", text(&t), Context::default());
        assert_eq!(hits(&f, &t), vec![("neutralite".into(), disguised)], "{disguised:?}");
    }
}

#[test]
fn folded_terms_near_misses_stay_words() {
    let p = policy(TERMS);
    // Removing an invisible character never glues a term to a neighbouring word.
    for t in [
        "ｃａｎｄｉｄａｔｕｒｅ",
        "ᴄᴀɴᴅɪᴅᴀᴛᴜʀᴇ",
        "candidat\u{e0020}ure",
        "votez pourtant",
        "votez\n\npourtant",
    ] {
        assert_eq!(run(&p, "ministere", text(t), Context::default()), vec![], "{t:?}");
    }
}

#[test]
fn terms_are_folded_like_posts_when_the_policy_loads() {
    // A policy may spell its terms with the same disguises: they fold to the same words.
    let p = policy(
        r#"
[[rules]]
id = "x"
kind = "terms"
level = "deny"
terms = ["ＣＡＮＤＩＤＡＴ", "votez   pour", "ᴍᴇᴇᴛɪɴɢ"]
"#,
    );
    let t = "candidat, VOTEZ POUR, Meeting";
    let f = run(&p, "ministere", text(t), Context::default());
    assert_eq!(
        hits(&f, t),
        vec![
            ("x".into(), "candidat"),
            ("x".into(), "VOTEZ POUR"),
            ("x".into(), "Meeting")
        ]
    );
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
        t in "(\\PC|[\u{200b}\u{202e}\u{301}\u{130}ŒœßÉ’@#/.:\u{e0020}\u{e0080}\u{3164}\u{2800}\u{a8}\u{fe0f}\u{200d}ｃᴄ𝐜\u{e000}\u{378}\n\t]|https?://|bit\\.ly/|gouv\\.fr|votez  pour| ){0,80}",
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
        crate::fuzzing::policy_and_post(&data);
    }

    #[test]
    fn the_fuzz_target_holds_on_arbitrary_bytes(data in proptest::collection::vec(any::<u8>(), 0..200)) {
        crate::fuzzing::policy_and_post(&data);
    }

    /// A deny term spelled with any mix of disguises, between arbitrary separators, is found,
    /// and the finding's span is exactly the disguised word in the original text.
    #[test]
    fn disguised_terms_are_found_at_their_original_span(
        before in "[ .,;!?«»()\n\t\u{a0}\u{202f}]{1,3}",
        after in "[ .,;!?«»()\n\t\u{a0}\u{202f}]{0,3}",
        prefix in "[a-zé ]{0,10}",
        styles in proptest::collection::vec(0usize..9, 8),
        glue in proptest::collection::vec(0usize..6, 8),
    ) {
        let word = "candidat";
        let mut disguised = String::new();
        for (i, c) in word.chars().enumerate() {
            disguised.push_str(&disguise(c, styles[i]));
            if i + 1 < word.len() {
                disguised.push_str(["", "", "\u{200b}", "\u{e0020}", "\u{ad}", "\u{2060}"][glue[i]]);
            }
        }
        let t = format!("{prefix}{before}{disguised}{after}");
        let at = prefix.len() + before.len();
        let p = disguise_policy();
        let found = run(p, "ministere", text(&t), Context::default());
        for f in &found {
            if let Some(span) = &f.span {
                prop_assert!(t.is_char_boundary(span.start) && t.is_char_boundary(span.end));
            }
        }
        let spans: Vec<_> = found.iter().filter(|f| f.rule == "neutralite").filter_map(|f| f.span.clone()).collect();
        prop_assert!(spans.contains(&(at..at + disguised.len())), "{t:?}: {spans:?}");
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

/// `c` (a lower-case ASCII letter) in one of the styles posts use to dodge a word list.
fn disguise(c: char, style: usize) -> String {
    let offset = c as u32 - 'a' as u32;
    let from = |base: u32| char::from_u32(base + offset).map(String::from).unwrap_or_default();
    match style {
        0 => c.to_string(),
        1 => c.to_ascii_uppercase().to_string(),
        2 => from(0xff41),  // fullwidth
        3 => from(0x1d41a), // mathematical bold
        4 => from(0x1d5ba), // mathematical sans-serif
        5 => from(0x24d0),  // circled
        6 => [
            "ᴀ", "ʙ", "ᴄ", "ᴅ", "ᴇ", "ꜰ", "ɢ", "ʜ", "ɪ", "ᴊ", "ᴋ", "ʟ", "ᴍ", "ɴ", "ᴏ", "ᴘ", "ꞯ", "ʀ", "ꜱ", "ᴛ", "ᴜ",
            "ᴠ", "ᴡ", "x", "ʏ", "ᴢ",
        ][offset as usize]
            .to_string(),
        7 => format!("{c}\u{301}"),
        _ => match c {
            'a' => "\u{430}".into(),
            'c' => "\u{441}".into(),
            'i' => "\u{456}".into(),
            _ => c.to_string(),
        },
    }
}

fn disguise_policy() -> &'static Parsed {
    static P: std::sync::OnceLock<Parsed> = std::sync::OnceLock::new();
    P.get_or_init(|| policy(&format!("{TERMS}{HIDDEN}")))
}

#[test]
fn time_zones_load_by_iana_name_only() {
    assert!(super::build::load_timezone("Europe/Paris").is_some());
    assert!(super::build::load_timezone("America/Cayenne").is_some());
    assert!(super::build::load_timezone("Europe/Pariss").is_none());
    assert!(super::build::load_timezone("../../etc/passwd").is_none());
    assert!(super::build::load_timezone("/etc/localtime").is_none());
    assert!(super::build::load_timezone("").is_none());
}

/// Drafts that hit every kind of the example policy's rules, and some that hit none.
const EXAMPLE_TEXTS: [&str; 6] = [
    "Merci @jeanne@mastodon.social ! Le bilan du gouvernement : bit.ly/x et https://www.service-public.fr/a",
    "Avec @agence@social.numerique.gouv.fr, les candidatures sont ouvertes : https://www.culture.gouv.fr/appel",
    "VOTEZ POUR nous !!! Inscrivez-vous à la newsletter par e-mail #a #b #c #d",
    "Les candidats au sondage ? Le programme électoral ?? P\u{430}ris",
    "Bonne nuit",
    "",
];

fn example_policy() -> Parsed {
    let text = include_str!("../../policy.toml");
    match Policy::parse(text, Path::new("/tmp")) {
        Ok(p) => p,
        Err(d) => panic!("{}", crate::diagnostic::render(Path::new("policy.toml"), text, &d)),
    }
}

#[test]
fn matchers_built_per_account_find_what_one_matcher_for_all_rules_finds() {
    let p = example_policy();
    let everything = vec![true; p.rules.rules.len()];
    let eager = p.rules.build(&everything);
    let all_terms = eager.terms_in_scope.iter().map(|&i| p.rules.terms[i].as_str());
    assert!(eager.terms.set(super::build::term_automaton(all_terms).ok()).is_ok());
    assert!(eager.automaton(&p.rules.terms, 0).is_some());
    // Without the automaton and the set: each term and pattern on its own.
    let fallback = Matchers {
        terms: std::sync::OnceLock::from(None),
        patterns: None,
        ..p.rules.build(&everything)
    };
    let ctx = Context {
        at: Timestamp::from_second(1_764_628_200).ok(), // 2025-12-01 22:30 UTC, night in Paris
        recent: Some(Recent {
            last_hour: 10,
            last_day: 10,
        }),
    };
    let mut found = 0;
    for account in &p.accounts {
        let applies: Vec<bool> = p.rules.rules.iter().map(|r| r.scope.applies(account)).collect();
        for t in EXAMPLE_TEXTS {
            let lazy = p.rules.check(account, &text(t), &ctx);
            assert_eq!(
                lazy,
                p.rules.check_with(&applies, &eager, &text(t), &ctx),
                "{} {t}",
                account.name
            );
            assert_eq!(
                lazy,
                p.rules.check_with(&applies, &fallback, &text(t), &ctx),
                "{} {t}",
                account.name
            );
            found += lazy.len();
        }
    }
    assert!(found > 20, "the texts must hit something: {found}");
}

#[test]
fn a_rule_out_of_the_accounts_scope_is_not_compiled() {
    let p = policy(
        r#"
[[rules]]
id = "perso"
kind = "terms"
level = "warn"
kinds = ["personal"]
terms = ["vacances"]

[[rules]]
id = "officiel"
kind = "pattern"
level = "warn"
kinds = ["official"]
patterns = [{ regex = '!{2,}' }]

[[rules]]
id = "partout"
kind = "terms"
level = "warn"
terms = ["urgent"]
"#,
    );
    assert!(p.rules.builds().is_empty(), "nothing is compiled at load");
    let t = "urgent !! vacances";
    let ministere = hits(&run(&p, "ministere", text(t), Context::default()), t);
    assert_eq!(
        ministere,
        [("partout".to_string(), "urgent"), ("officiel".to_string(), "!!")]
    );
    assert_eq!(p.rules.builds(), [vec!["partout".to_string(), "officiel".to_string()]]);
    // The same account again reuses what was built.
    run(&p, "ministere", text(t), Context::default());
    assert_eq!(p.rules.builds().len(), 1);
    let jeanne = hits(&run(&p, "jeanne", text(t), Context::default()), t);
    assert_eq!(
        jeanne,
        [("partout".to_string(), "urgent"), ("perso".to_string(), "vacances")]
    );
    assert_eq!(p.rules.builds()[1], ["perso".to_string(), "partout".to_string()]);
}

#[test]
fn the_time_zone_is_read_only_when_a_schedule_rule_looks_at_the_clock() {
    let p = example_policy();
    let quiet = p
        .rules
        .rules
        .iter()
        .find_map(|r| match &r.check {
            Check::Schedule(q) => Some(q),
            _ => None,
        })
        .expect("the example has quiet hours");
    let account = |name: &str| p.accounts.iter().find(|a| a.name == name).expect("account");
    let night = Context {
        at: Timestamp::from_second(1_764_628_200).ok(),
        recent: None,
    };
    // Not at load, not for a check without a time, not for an account the rule does not cover.
    assert!(quiet.tz.get().is_none());
    p.rules
        .check(account("culture-gouv"), &text("Bonne nuit"), &Context::default());
    p.rules.check(account("demo"), &text("Bonne nuit"), &night);
    assert!(quiet.tz.get().is_none());
    let found = p.rules.check(account("culture-gouv"), &text("Bonne nuit"), &night);
    assert!(quiet.tz.get().is_some_and(Option::is_some));
    assert!(found.iter().any(|f| f.rule == "heures-calmes"), "{found:?}");
}

#[test]
fn an_unreadable_time_zone_counts_as_quiet_hours() {
    let quiet = Quiet::new("Nowhere/Atlantis".into(), 22 * 60, 7 * 60, [true; 7]);
    let noon = Timestamp::from_second(1_764_590_400).unwrap_or_else(|e| panic!("{e}"));
    assert!(quiet.contains(noon));
}

#[test]
fn a_time_zone_is_validated_without_being_read() {
    assert!(compile::timezone_exists("Europe/Paris"));
    assert!(!compile::timezone_exists("Europe/Pariss"));
    assert!(!compile::timezone_exists("../../etc/passwd"));
}

#[test]
fn the_terms_automaton_is_built_once_comparing_costs_as_much() {
    let p = example_policy();
    let a = p.accounts.iter().find(|a| a.name == "culture-gouv").expect("account");
    let applies: Vec<bool> = p.rules.rules.iter().map(|r| r.scope.applies(a)).collect();
    let m = p.rules.build(&applies);
    let terms = m.terms_in_scope.len();
    assert!(terms > 10, "{terms}");
    // A one-line post: compared one by one.
    assert!(m.automaton(&p.rules.terms, 10).is_none());
    // Many posts later, the automaton, kept from then on.
    assert!(m.automaton(&p.rules.terms, COMPARISONS_PER_TERM).is_some());
    assert!(m.automaton(&p.rules.terms, 1).is_some());
    // A long text at once builds it on the first check.
    let m = p.rules.build(&applies);
    assert!(m.automaton(&p.rules.terms, 2 * COMPARISONS_PER_TERM).is_some());
}
