//! postgate in English and in French: the banner, the prompts and the common refusals in each
//! language, chosen by the locale; `--json`, exit codes and the audit log the same in both; and
//! the French help complete for every command and argument.
//!
//! The harness runs every command with `LANG=C.UTF-8` and nothing else from the machine's
//! locale (`Test::command`), so the English runs stay English wherever the tests run; the French
//! runs set `LANG` (or `LC_ALL`) themselves.

use crate::support;
use clap::CommandFactory;
use postgate::i18n::{self, Language};
use serde_json::Value;
use support::{Test, code};

const FRENCH: &str = "fr_FR.UTF-8";

/// What each language says, for the tests that run the same scenario in both.
struct Words {
    locale: &'static str,
    official: &'static str,
    personal: &'static str,
    handle_label: &'static str,
    handle_prompt: &'static str,
    yes_no: &'static str,
    wrong_handle: &'static str,
    no_terminal: &'static str,
    no_terminal_hint: &'static str,
    rules: &'static str,
    rules_hint: &'static str,
    published: &'static str,
}

const ENGLISH_WORDS: Words = Words {
    locale: "C.UTF-8",
    official: "OFFICIAL ACCOUNT · speaks for the institution",
    personal: "PERSONAL ACCOUNT",
    handle_label: "  handle        ",
    handle_prompt: "type its handle to publish (1/3): ",
    yes_no: "publish to it? [y/N] ",
    wrong_handle: "is not the handle of account `demo`",
    no_terminal: "error: no terminal to confirm the target account `demo`, and no --confirm-handle",
    no_terminal_hint: "hint: scripts must state the handle they mean: --confirm-handle '",
    rules: "error: refused by the policy's rules: reserve (période de réserve : « candidat »)",
    rules_hint: "hint: change the post; `postgate policy show demo` lists the rules that apply",
    published: "post: ",
};

const FRENCH_WORDS: Words = Words {
    locale: FRENCH,
    official: "COMPTE OFFICIEL · parle pour l'institution",
    personal: "COMPTE PERSONNEL",
    handle_label: "  identifiant   ",
    handle_prompt: "tapez son identifiant pour publier (1/3) : ",
    yes_no: "publier sur ce compte ? [o/N] ",
    wrong_handle: "n'est pas l'identifiant du compte `demo`",
    no_terminal: "erreur : aucun terminal pour confirmer le compte cible `demo`, et pas de --confirm-handle",
    no_terminal_hint: "conseil : un script doit nommer l'identifiant qu'il vise : --confirm-handle '",
    rules: "erreur : refusé par les règles de la politique : reserve (période de réserve : « candidat »)",
    rules_hint: "conseil : modifiez la publication ; `postgate policy show demo` liste les règles qui s'appliquent",
    published: "publié : ",
};

const BOTH: [&Words; 2] = [&ENGLISH_WORDS, &FRENCH_WORDS];

/// The default policy with a deny rule whose message is the policy's own French.
fn with_deny_rule() -> Test {
    Test::new().policy(&format!(
        "{}\n[[rules]]\nid = \"reserve\"\nkind = \"terms\"\nlevel = \"deny\"\nmessage = \"période de réserve : « %s »\"\nterms = [\"candidat\"]\n",
        support::DEFAULT_POLICY
    ))
}

fn last_refusal(t: &Test) -> Value {
    let audit = t.audit();
    let last = audit.last().expect("an audit record").clone();
    assert_eq!(last["event"], "refused", "{last}");
    last
}

#[test]
fn the_banner_and_the_handle_prompt_speak_the_locale_and_the_handle_still_publishes() {
    for words in BOTH {
        let t = Test::new();
        let mut tty = t
            .cmd(["post", "-a", "demo", "Bonjour à tous"])
            .env("NO_COLOR", "1")
            .env("LANG", words.locale)
            .tty();
        tty.expect(words.official)
            .expect(words.handle_label)
            .expect(words.handle_prompt);
        tty.line(&t.handle("demo"));
        tty.expect(&format!("{}{} ", words.published, t.handle("demo")));
        assert_eq!(tty.finish(), code::SUCCESS, "{}", tty.screen());
        assert_eq!(t.outbox("outbox").len(), 1, "{}", words.locale);
        let audit = t.audit();
        let last = audit.last().expect("an audit record");
        // The record is the same in every language.
        assert_eq!(last["outcome"]["status"], "published");
        assert_eq!(last["confirmation"], "typed");
    }
}

#[test]
fn the_french_banner_fits_40_and_80_columns() {
    for columns in [40u16, 80] {
        let t = Test::new();
        let mut tty = t
            .cmd([
                "post",
                "-a",
                "demo",
                "--dry-run",
                "Un texte assez long pour être coupé en plusieurs lignes à l'écran",
            ])
            .env("NO_COLOR", "1")
            .env("LANG", FRENCH)
            .tty_sized(columns, 40, "");
        tty.line("");
        tty.expect("tapez son identifiant pour publier (1/3) : ");
        let screen = tty.screen_at(usize::from(columns), 40);
        let lines = screen.lines();
        let frame: Vec<&String> = lines.iter().filter(|l| l.starts_with(['╔', '║', '╚'])).collect();
        let width = usize::from(columns).min(81) - 1;
        assert!(frame.len() >= 3, "{columns}: {lines:#?}");
        // Every frame row as wide as the frame: the French words are inside it.
        for row in &frame {
            assert_eq!(
                unicode_width::UnicodeWidthStr::width(row.as_str()),
                width,
                "{columns}: {frame:#?}"
            );
        }
        let text = frame.iter().map(|r| r.as_str()).collect::<Vec<_>>().join("\n");
        assert!(text.contains("COMPTE OFFICIEL"), "{text}");
        assert!(text.contains("parle pour l'institution"), "{text}");
        // Two rows at 40 columns, one at 80.
        assert_eq!(frame.len(), if columns == 40 { 4 } else { 3 }, "{text}");
        assert!(
            lines.iter().any(|l| l.starts_with("  mode          ESSAI À BLANC")),
            "{lines:#?}"
        );
        // The fields' values start under each other whatever the label's length.
        for label in ["compte", "identifiant", "nom affiché", "responsable"] {
            let row = lines
                .iter()
                .find(|l| l.starts_with(&format!("  {label} ")))
                .unwrap_or_else(|| panic!("no {label} row: {lines:#?}"));
            let value_at = row
                .chars()
                .skip(2 + label.chars().count())
                .take_while(|c| *c == ' ')
                .count();
            assert_eq!(2 + label.chars().count() + value_at, 16, "{row:?}");
        }
        tty.keys("\x03");
        assert_eq!(tty.finish(), code::NOT_CONFIRMED);
    }
}

#[test]
fn the_yes_no_prompt_takes_oui_and_o_in_french_and_non_refuses() {
    let t = Test::new();
    let answers = [
        ("oui", code::SUCCESS),
        ("o", code::SUCCESS),
        ("OUI", code::SUCCESS),
        ("y", code::SUCCESS),
        ("non", code::NOT_CONFIRMED),
        ("n", code::NOT_CONFIRMED),
        ("", code::NOT_CONFIRMED),
    ];
    let mut published = 0;
    for (answer, expected) in answers {
        let mut tty = t
            .cmd(["post", "-a", "perso", "mon avis"])
            .env("NO_COLOR", "1")
            .env("LANG", FRENCH)
            .tty();
        tty.expect(FRENCH_WORDS.personal).expect(FRENCH_WORDS.yes_no);
        tty.line(answer);
        assert_eq!(tty.finish(), expected, "answer {answer:?}:\n{}", tty.screen());
        let audit = t.audit();
        let last = audit.last().expect("an audit record");
        if expected == code::SUCCESS {
            published += 1;
            assert_eq!(last["confirmation"], "yes", "{last}");
        } else {
            assert!(
                tty.screen().contains("non confirmé : la réponse n'était pas oui"),
                "{}",
                tty.screen()
            );
            // Recorded in English, as every refusal.
            let reason = last["outcome"]["reason"].as_str().unwrap_or_default();
            assert_eq!(reason, "not confirmed: the answer was not yes");
        }
        assert_eq!(t.outbox("perso-outbox").len(), published, "answer {answer:?}");
    }
}

#[test]
fn the_yes_no_prompt_in_english_takes_y_and_not_oui() {
    let t = Test::new();
    for (answer, expected) in [
        ("oui", code::NOT_CONFIRMED),
        ("o", code::NOT_CONFIRMED),
        ("y", code::SUCCESS),
    ] {
        let mut tty = t.cmd(["post", "-a", "perso", "my view"]).env("NO_COLOR", "1").tty();
        tty.expect(ENGLISH_WORDS.personal).expect(ENGLISH_WORDS.yes_no);
        tty.line(answer);
        assert_eq!(tty.finish(), expected, "answer {answer:?}:\n{}", tty.screen());
    }
    assert_eq!(t.outbox("perso-outbox").len(), 1);
}

#[test]
fn no_terminal_without_confirm_handle_is_refused_in_each_language() {
    for words in BOTH {
        let t = Test::new();
        t.cmd(["post", "-a", "demo", "x"])
            .env("LANG", words.locale)
            .status(code::NOT_CONFIRMED)
            .stderr_has(words.no_terminal)
            .stderr_has(words.no_terminal_hint)
            .run();
        let reason = last_refusal(&t)["outcome"]["reason"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(
            reason.starts_with("no terminal to confirm the target account `demo`"),
            "{reason}"
        );
    }
}

#[test]
fn a_wrong_handle_is_refused_in_each_language() {
    for words in BOTH {
        let t = Test::new();
        let mut tty = t
            .cmd(["post", "-a", "demo", "x"])
            .env("NO_COLOR", "1")
            .env("LANG", words.locale)
            .tty();
        for attempt in 1..=3 {
            tty.expect(&format!("({attempt}/3)"));
            tty.line(&t.handle("perso"));
            tty.expect(words.wrong_handle);
        }
        assert_eq!(tty.finish(), code::NOT_CONFIRMED, "{}", tty.screen());
        assert!(t.outbox("outbox").is_empty());
        let reason = last_refusal(&t)["outcome"]["reason"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(reason.starts_with("not confirmed after 3 attempts"), "{reason}");
        assert!(reason.contains("is not the handle of account `demo`"), "{reason}");
    }
}

#[test]
fn a_deny_rule_is_refused_in_each_language_with_the_policys_own_message() {
    for words in BOTH {
        let t = with_deny_rule();
        t.post("demo", "Votez pour le candidat")
            .env("LANG", words.locale)
            .status(code::CONTENT)
            .stderr_has(words.rules)
            .stderr_has(words.rules_hint)
            .run();
        assert!(t.outbox("outbox").is_empty());
        let reason = last_refusal(&t)["outcome"]["reason"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(reason.starts_with("refused by the policy's rules: reserve"), "{reason}");
    }
}

#[test]
fn lc_all_wins_over_lang_and_c_means_english() {
    let t = Test::new();
    t.cmd(["post", "-a", "demo", "x"])
        .env("LANG", FRENCH)
        .env("LC_ALL", "C")
        .status(code::NOT_CONFIRMED)
        .stderr_has(ENGLISH_WORDS.no_terminal)
        .run();
    t.cmd(["post", "-a", "demo", "x"])
        .env("LC_MESSAGES", "fr_BE@euro")
        .status(code::NOT_CONFIRMED)
        .stderr_has(FRENCH_WORDS.no_terminal)
        .run();
}

/// `value` with the fields that differ from run to run (the post's id and address, the audit
/// sequence number) blanked.
fn without_run_ids(mut value: Value) -> Value {
    for key in ["id", "url", "audit_seq"] {
        if let Some(field) = value.get_mut(key) {
            *field = Value::Null;
        }
    }
    value
}

#[test]
fn json_output_is_the_same_in_every_language() {
    let t = with_deny_rule();
    let handle = t.handle("demo");
    let run = |locale: &str, text: &str, status: i32| {
        let out = t
            .cmd(["--json", "post", "-a", "demo", "--confirm-handle", &handle, text])
            .env("LANG", locale)
            .status(status)
            .run();
        out.stdout
    };
    // A refusal: byte for byte.
    let english = run("C", "Votez pour le candidat", code::CONTENT);
    let french = run(FRENCH, "Votez pour le candidat", code::CONTENT);
    assert_eq!(String::from_utf8_lossy(&english), String::from_utf8_lossy(&french));
    let object: Value = serde_json::from_slice(&english).expect("one JSON value");
    assert_eq!(object["error"], "content-refused");
    // A success: the same document but for the new post's own id.
    let english = run("C", "Bonjour", code::SUCCESS);
    let french = run(FRENCH, "Bonjour", code::SUCCESS);
    let (english, french): (Value, Value) = (
        serde_json::from_slice(&english).expect("JSON"),
        serde_json::from_slice(&french).expect("JSON"),
    );
    assert_eq!(english["status"], "published");
    assert_ne!(english["id"], french["id"], "two posts");
    assert_eq!(without_run_ids(english), without_run_ids(french));
    // The audit records' reasons are English whatever the locale.
    let reasons: Vec<String> = t
        .audit()
        .iter()
        .filter_map(|r| r["outcome"]["reason"].as_str().map(str::to_string))
        .collect();
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert!(
        reasons.iter().all(|r| r.starts_with("refused by the policy's rules")),
        "{reasons:?}"
    );
}

#[test]
fn help_is_french_under_a_french_locale_and_english_otherwise() {
    let t = Test::new();
    let french = t.cmd(["post", "--help"]).env("LANG", FRENCH).run();
    let french = String::from_utf8_lossy(&french.stdout).to_string();
    assert!(french.starts_with("Publier après avoir montré le bandeau"), "{french}");
    assert!(
        french.contains("Nom du compte, comme dans le `name` de la politique"),
        "{french}"
    );
    assert!(french.contains("Afficher l'aide"), "{french}");
    assert!(french.contains("\nUtilisation : postgate post [OPTIONS]"), "{french}");
    let english = t.cmd(["post", "--help"]).run();
    let english = String::from_utf8_lossy(&english.stdout).to_string();
    assert!(
        english.starts_with("Publish a post after showing the banner"),
        "{english}"
    );
    assert!(!english.contains("Nom du compte"), "{english}");
    assert!(english.contains("\nUsage: postgate post [OPTIONS]"), "{english}");
    let top = t.cmd(["--help"]).env("LANG", FRENCH).run();
    let top = String::from_utf8_lossy(&top.stdout).to_string();
    assert!(top.contains("\nCommandes:\n"), "{top}");
    assert!(
        top.contains("\n  post         Publier après avoir montré le bandeau"),
        "{top}"
    );
    // A long description is French as a whole, never an English paragraph under a French one.
    let check = t.cmd(["check", "--help"]).env("LANG", FRENCH).run();
    let check = String::from_utf8_lossy(&check.stdout).to_string();
    assert!(check.contains("Affiche une ligne par constat"), "{check}");
    assert!(!check.contains("Prints one line per finding"), "{check}");
}

#[test]
fn every_command_and_argument_has_french_help_and_every_french_text_names_one() {
    let command = postgate::cli::Cli::command();
    let missing = i18n::missing_help(&command, Language::French);
    assert!(
        missing.is_empty(),
        "no French help in locales/fr-help.ftl for: {missing:#?}"
    );
    let known = i18n::help_ids(&command);
    let written = fluent_syntax::parser::parse(i18n::FRENCH_HELP_FTL).expect("fr-help.ftl parses");
    let stale: Vec<String> = written
        .body
        .iter()
        .filter_map(|entry| match entry {
            fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_string()),
            _ => None,
        })
        .filter(|id| !known.contains(id))
        .collect();
    assert!(stale.is_empty(), "fr-help.ftl names no command or argument: {stale:#?}");
}
