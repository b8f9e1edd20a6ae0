//! The message catalogue: postgate's words in English and in French (Project Fluent, one file
//! per language under `locales/`, embedded in the binary), and the choice between them.
//!
//! The language is read once, from `LC_ALL`, then `LC_MESSAGES`, then `LANG` (the first that is
//! set and not empty, as POSIX orders them): a value whose language part is `fr` (`fr`,
//! `fr_FR.UTF-8`, `fr_BE@euro`, `fr-CA`) means French, anything else (`C`, `POSIX`, unset, a
//! language without a catalogue) English. A message missing in French is taken from English.
//!
//! Only what people read goes through here. What scripts read (`--json`, its `error` kinds,
//! exit codes, audit records, policy keys, rule ids) never does: `english` is there for the
//! texts that exist in both forms, the English one being the one recorded.
//!
//! Fluent's isolation marks (U+2068, U+2069 around each argument) are off: they are bidi
//! controls, and the banner never prints one raw (`sanitize`).
//!
//! This module is at the bottom of the dependency order: it names nothing of postgate's, so
//! the command line's help is reached through `clap::Command` alone (`localize_help`).

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::cell::Cell;
use std::sync::OnceLock;

/// The English catalogue: every message postgate has.
pub const ENGLISH_FTL: &str = include_str!("../locales/en.ftl");
/// The French catalogue: the same ids.
pub const FRENCH_FTL: &str = include_str!("../locales/fr.ftl");
/// The command line's help in French. English help is the doc comments of `cli.rs`, so this
/// file has no English twin; its ids name commands and arguments (`localize_help`).
pub const FRENCH_HELP_FTL: &str = include_str!("../locales/fr-help.ftl");

/// A language postgate speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    English,
    French,
}

impl Language {
    /// The language a locale value names (`fr_FR.UTF-8`, `C`, `en_GB`).
    pub fn of_locale(value: &str) -> Language {
        // language[_territory][.codeset][@modifier]; a BCP 47 tag (`fr-CA`) is read alike.
        let language = value.split(['_', '-', '.', '@']).next().unwrap_or("");
        if language.eq_ignore_ascii_case("fr") {
            Language::French
        } else {
            Language::English
        }
    }

    /// The language of a process whose locale variables are these, in POSIX precedence: the
    /// first one set and not empty decides, even when it names a language postgate lacks
    /// (`LC_ALL=C LANG=fr_FR` is English, as in every other tool).
    pub fn of_environment(lc_all: Option<&str>, lc_messages: Option<&str>, lang: Option<&str>) -> Language {
        [lc_all, lc_messages, lang]
            .into_iter()
            .flatten()
            .find(|v| !v.is_empty())
            .map_or(Language::English, Language::of_locale)
    }

    fn tag(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::French => "fr",
        }
    }
}

thread_local! {
    /// A language set for the current thread only (`with_language`), ahead of the process's.
    static OVERRIDE: Cell<Option<Language>> = const { Cell::new(None) };
}

/// The language of this process, read from its environment the first time it is asked for.
pub fn language() -> Language {
    if let Some(language) = OVERRIDE.with(Cell::get) {
        return language;
    }
    static CHOSEN: OnceLock<Language> = OnceLock::new();
    *CHOSEN.get_or_init(|| {
        let var = |name| std::env::var(name).ok();
        Language::of_environment(
            var("LC_ALL").as_deref(),
            var("LC_MESSAGES").as_deref(),
            var("LANG").as_deref(),
        )
    })
}

/// Runs `f` with `language` as this thread's language: how one test renders the banner in
/// French while another, on another thread, renders it in English.
pub fn with_language<T>(language: Language, f: impl FnOnce() -> T) -> T {
    struct Restore(Option<Language>);
    impl Drop for Restore {
        fn drop(&mut self) {
            OVERRIDE.with(|o| o.set(self.0));
        }
    }
    let _restore = Restore(OVERRIDE.with(|o| o.replace(Some(language))));
    f()
}

/// One argument of a message.
#[derive(Debug, Clone)]
pub enum Arg {
    Text(String),
    Number(i64),
}

impl From<&str> for Arg {
    fn from(s: &str) -> Arg {
        Arg::Text(s.to_string())
    }
}
impl From<String> for Arg {
    fn from(s: String) -> Arg {
        Arg::Text(s)
    }
}
impl From<&String> for Arg {
    fn from(s: &String) -> Arg {
        Arg::Text(s.clone())
    }
}
macro_rules! number_args {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg {
            fn from(n: $t) -> Arg {
                Arg::Number(i64::try_from(n).unwrap_or(i64::MAX))
            }
        }
    )*};
}
number_args!(usize, u64, u32, i64, i32);

fn bundle(language: Language) -> &'static FluentBundle<FluentResource> {
    static ENGLISH: OnceLock<FluentBundle<FluentResource>> = OnceLock::new();
    static FRENCH: OnceLock<FluentBundle<FluentResource>> = OnceLock::new();
    let (cell, sources): (_, &[&str]) = match language {
        Language::English => (&ENGLISH, &[ENGLISH_FTL]),
        Language::French => (&FRENCH, &[FRENCH_FTL, FRENCH_HELP_FTL]),
    };
    cell.get_or_init(|| build(language, sources))
}

fn build(language: Language, sources: &[&str]) -> FluentBundle<FluentResource> {
    let tag = language
        .tag()
        .parse()
        .unwrap_or_else(|_| unic_langid::LanguageIdentifier::default());
    let mut bundle = FluentBundle::new_concurrent(vec![tag]);
    bundle.set_use_isolating(false);
    for source in sources {
        // A catalogue that does not parse keeps what did; the unit tests refuse both errors.
        let resource = FluentResource::try_new(source.to_string()).unwrap_or_else(|(partial, _)| partial);
        // Two messages with one id: the first stays, the tests refuse the catalogue.
        let _ = bundle.add_resource(resource);
    }
    bundle
}

fn format(language: Language, id: &str, attribute: Option<&str>, args: &[(&str, Arg)]) -> Option<String> {
    let bundle = bundle(language);
    let message = bundle.get_message(id)?;
    let pattern = match attribute {
        Some(name) => message.get_attribute(name)?.value(),
        None => message.value()?,
    };
    let mut fluent_args = FluentArgs::new();
    for (name, value) in args {
        match value {
            Arg::Text(s) => fluent_args.set(*name, FluentValue::from(s.clone())),
            Arg::Number(n) => fluent_args.set(*name, FluentValue::from(*n)),
        }
    }
    let mut errors = Vec::new();
    let text = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
    Some(text.into_owned())
}

/// The message `id` in `language`, or in English where the language lacks it, or the id itself
/// where both do (a typo the unit tests catch before it ships).
pub fn text_in(language: Language, id: &str, args: &[(&str, Arg)]) -> String {
    format(language, id, None, args)
        .or_else(|| format(Language::English, id, None, args))
        .unwrap_or_else(|| id.to_string())
}

/// The message `id` in this process's language.
pub fn text(id: &str, args: &[(&str, Arg)]) -> String {
    text_in(language(), id, args)
}

/// The message `id` in English: what is recorded and what `--json` carries.
pub fn english(id: &str, args: &[(&str, Arg)]) -> String {
    text_in(Language::English, id, args)
}

/// True when `language`'s own catalogue has `id` (no fallback).
pub fn has(language: Language, id: &str) -> bool {
    bundle(language).has_message(id)
}

/// A message in this process's language: `t!("id")`, `t!("id", name = value, …)`.
macro_rules! t {
    ($id:literal) => {
        $crate::i18n::text($id, &[])
    };
    ($id:literal, $($name:ident = $value:expr),+ $(,)?) => {
        $crate::i18n::text($id, &[$((stringify!($name), $crate::i18n::Arg::from($value))),+])
    };
}
pub(crate) use t;

/// A message in both forms, English (recorded, in `--json`) and this process's language
/// (shown): `both!("id", name = value, …)`.
macro_rules! both {
    ($id:literal) => {
        $crate::i18n::Both::of($id, &[])
    };
    ($id:literal, $($name:ident = $value:expr),+ $(,)?) => {
        $crate::i18n::Both::of($id, &[$((stringify!($name), $crate::i18n::Arg::from($value))),+])
    };
}
pub(crate) use both;

/// A message rendered in English and in the language shown, when they differ.
#[derive(Debug, Clone)]
pub struct Both {
    pub english: String,
    /// None when the language shown is English.
    pub shown: Option<String>,
}

impl Both {
    pub fn of(id: &str, args: &[(&str, Arg)]) -> Both {
        let english = english(id, args);
        let shown = match language() {
            Language::English => None,
            other => Some(text_in(other, id, args)),
        };
        Both { english, shown }
    }

    /// One message whose arguments differ by language (a list joined with "or" / "ou"):
    /// `args` is called with each language.
    pub fn each(id: &str, args: impl Fn(Language) -> Vec<(&'static str, Arg)>) -> Both {
        let english = english(id, &args(Language::English));
        let shown = match language() {
            Language::English => None,
            other => Some(text_in(other, id, &args(other))),
        };
        Both { english, shown }
    }

    /// The text a person reads.
    pub fn shown(&self) -> &str {
        self.shown.as_deref().unwrap_or(&self.english)
    }
}

/// The catalogue id of a command's help text: `help-about` for postgate itself,
/// `help-queue-publish-about` for `postgate queue publish`.
fn command_key(path: &[&str]) -> String {
    // clap adds a `help` subcommand to every command that has subcommands: one text for all.
    if is_help(path) {
        "help-help".to_string()
    } else if path.is_empty() {
        "help".to_string()
    } else {
        format!("help-{}", path.join("-"))
    }
}

/// True for clap's `help` subcommand.
fn is_help(path: &[&str]) -> bool {
    path.last() == Some(&"help")
}

/// The ids an argument's help may come from, most specific first: `help-post-arg-account`,
/// then `help-arg-account`, shared by every command with that argument.
fn arg_keys(path: &[&str], arg: &str) -> [String; 2] {
    [format!("{}-arg-{arg}", command_key(path)), format!("help-arg-{arg}")]
}

/// The command line's help in this process's language: each command's `about` and each
/// argument's `help` replaced by the catalogue's, found by command path and argument id (never
/// by the English text, which changes). Where the catalogue has nothing, the English doc
/// comment stays. clap's own words ("Usage:", "Options:") stay English.
pub fn localize_help(command: clap::Command) -> clap::Command {
    match language() {
        Language::English => command,
        other => {
            // Built first, so that clap's own --help, --version and `help` are there to be
            // worded, and the global arguments are on every subcommand.
            let mut command = command;
            command.build();
            overlay(command, &mut Vec::new(), other)
        }
    }
}

fn overlay(mut command: clap::Command, path: &mut Vec<String>, language: Language) -> clap::Command {
    let names: Vec<&str> = path.iter().map(String::as_str).collect();
    let key = command_key(&names);
    // clap's default template, with the usage heading worded; "Options" and "Arguments" are
    // the same words in French, and the other headings are clap's.
    let usage = text_in(language, "clap-usage-heading", &[]);
    command = command.help_template(format!(
        "{{before-help}}{{about-with-newline}}\n{usage} {{usage}}\n\n{{all-args}}{{after-help}}"
    ));
    if command.has_subcommands() {
        // clap keeps a heading only as a `&'static str` (without its `string` feature): one
        // short string per command, once per process.
        let heading: &'static str = Box::leak(text_in(language, "clap-commands-heading", &[]).into_boxed_str());
        command = command.subcommand_help_heading(heading);
    }
    if let Some(about) = format(language, &format!("{key}-about"), None, &[]) {
        // The long form is the catalogue's own or none, so that `--help` never shows an English
        // paragraph under a French sentence.
        let long = format(language, &format!("{key}-about"), Some("long"), &[]);
        command = match long {
            Some(long) => command.about(about).long_about(long),
            None => command.about(about).long_about(None::<&'static str>),
        };
    }
    let args: Vec<String> = command.get_arguments().map(|a| a.get_id().to_string()).collect();
    for id in args {
        let found = arg_keys(&names, &id)
            .into_iter()
            .find_map(|k| format(language, &k, None, &[]).map(|h| (h, format(language, &k, Some("long"), &[]))));
        if let Some((help, long)) = found {
            command = command.mut_arg(id.as_str(), |a| match long {
                Some(long) => a.help(help).long_help(long),
                None => a.help(help).long_help(None::<&'static str>),
            });
        }
    }
    // Under clap's `help` are copies of the commands it names, never shown.
    let subcommands: Vec<String> = if is_help(&names) {
        Vec::new()
    } else {
        command.get_subcommands().map(|s| s.get_name().to_string()).collect()
    };
    for name in subcommands {
        path.push(name.clone());
        let taken = std::mem::replace(&mut command, clap::Command::new("postgate"));
        command = taken.mut_subcommand(name.as_str(), |s| overlay(s, path, language));
        path.pop();
    }
    command
}

/// Every id the help of `command` may be read from, in any language: what a help catalogue may
/// hold, so that an id naming a command or an argument that is gone can be found.
pub fn help_ids(command: &clap::Command) -> Vec<String> {
    fn walk(command: &clap::Command, path: &mut Vec<String>, out: &mut Vec<String>) {
        let names: Vec<&str> = path.iter().map(String::as_str).collect();
        out.push(format!("{}-about", command_key(&names)));
        for arg in command.get_arguments() {
            out.extend(arg_keys(&names, arg.get_id().as_str()));
        }
        let inside_help = is_help(&names);
        for sub in command.get_subcommands().filter(|_| !inside_help) {
            path.push(sub.get_name().to_string());
            walk(sub, path, out);
            path.pop();
        }
    }
    let mut built = command.clone();
    built.build();
    let mut out = Vec::new();
    walk(&built, &mut Vec::new(), &mut out);
    out.sort();
    out.dedup();
    out
}

/// Every help text of `command` that `language`'s catalogue lacks, as the id it would have:
/// a new flag or subcommand shows up here until it is translated.
pub fn missing_help(command: &clap::Command, language: Language) -> Vec<String> {
    // Built, as `localize_help` sees it: clap's own arguments and `help` included.
    let mut built = command.clone();
    built.build();
    let mut missing = Vec::new();
    walk_missing(&built, &mut Vec::new(), language, &mut missing);
    missing.sort();
    missing.dedup();
    missing
}

fn walk_missing(command: &clap::Command, path: &mut Vec<String>, language: Language, out: &mut Vec<String>) {
    let names: Vec<&str> = path.iter().map(String::as_str).collect();
    let key = command_key(&names);
    if command.get_about().is_some() && !has(language, &format!("{key}-about")) {
        out.push(format!("{key}-about"));
    }
    for arg in command.get_arguments() {
        let keys = arg_keys(&names, arg.get_id().as_str());
        if arg.get_help().is_some() && !keys.iter().any(|k| has(language, k)) {
            out.push(keys[1].clone());
        }
    }
    let inside_help = is_help(&names);
    for sub in command.get_subcommands().filter(|_| !inside_help) {
        path.push(sub.get_name().to_string());
        walk_missing(sub, path, language, out);
        path.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fluent_syntax::ast;

    fn ids(source: &str) -> Vec<String> {
        let resource = fluent_syntax::parser::parse(source).unwrap_or_else(|(_, errors)| panic!("{errors:?}"));
        resource
            .body
            .iter()
            .filter_map(|entry| match entry {
                ast::Entry::Message(m) => Some(m.id.name.to_string()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn the_locale_variables_are_read_in_posix_order() {
        use Language::*;
        assert_eq!(Language::of_environment(None, None, None), English);
        assert_eq!(Language::of_environment(None, None, Some("fr_FR.UTF-8")), French);
        assert_eq!(Language::of_environment(Some("C"), None, Some("fr_FR.UTF-8")), English);
        assert_eq!(
            Language::of_environment(Some(""), Some("fr_BE@euro"), Some("C")),
            French
        );
        assert_eq!(Language::of_environment(None, Some("POSIX"), Some("fr")), English);
        for french in [
            "fr",
            "fr_FR",
            "fr_FR.UTF-8",
            "fr_BE@euro",
            "fr_CH.ISO-8859-1",
            "FR_ca",
            "fr-CA",
        ] {
            assert_eq!(Language::of_locale(french), French, "{french}");
        }
        for english in ["C", "C.UTF-8", "POSIX", "en_US.UTF-8", "de_DE", "fur_IT", "", "frr_DE"] {
            assert_eq!(Language::of_locale(english), English, "{english}");
        }
    }

    #[test]
    fn both_catalogues_parse_and_have_the_same_ids() {
        let en = ids(ENGLISH_FTL);
        let fr = ids(FRENCH_FTL);
        let help = ids(FRENCH_HELP_FTL);
        assert!(help.iter().all(|id| id.starts_with("help-")), "{help:?}");
        assert!(
            !en.iter().chain(&fr).any(|id| id.starts_with("help-")),
            "help ids belong in fr-help.ftl"
        );
        for (name, list) in [("en", &en), ("fr", &fr), ("fr-help", &help)] {
            let mut sorted = list.clone();
            sorted.sort();
            let before = sorted.len();
            sorted.dedup();
            assert_eq!(before, sorted.len(), "{name}.ftl has an id twice");
        }
        let only_en: Vec<&String> = en.iter().filter(|id| !fr.contains(id)).collect();
        let only_fr: Vec<&String> = fr.iter().filter(|id| !en.contains(id)).collect();
        assert!(only_en.is_empty(), "missing in fr.ftl: {only_en:?}");
        assert!(only_fr.is_empty(), "missing in en.ftl: {only_fr:?}");
    }

    /// The `t!`/`both!` ids written in `src/`, with where they are.
    fn used_ids() -> Vec<(String, String)> {
        let pattern = regex::Regex::new(r#"\b(?:t|both)!\(\s*"([^"]+)""#).expect("pattern");
        let mut found = Vec::new();
        let mut stack = vec![std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/src"))];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).expect("src is readable") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&path).expect("source is UTF-8");
                    // Comments show the macros' shape (`t!("id", …)`); code is what ships.
                    for line in text.lines().filter(|l| !l.trim_start().starts_with("//")) {
                        for caps in pattern.captures_iter(line) {
                            found.push((caps[1].to_string(), path.display().to_string()));
                        }
                    }
                }
            }
        }
        found
    }

    #[test]
    fn every_id_the_code_uses_is_in_the_catalogue() {
        let en = ids(ENGLISH_FTL);
        let used = used_ids();
        // The scan must see the code's uses, or it would pass on nothing.
        assert!(used.len() > 20, "{used:?}");
        let unknown: Vec<&(String, String)> = used.iter().filter(|(id, _)| !en.contains(id)).collect();
        assert!(unknown.is_empty(), "ids not in en.ftl: {unknown:?}");
    }

    #[test]
    fn every_message_formats_without_error_and_without_isolation_marks() {
        for (language, source) in [
            (Language::English, ENGLISH_FTL),
            (Language::French, FRENCH_FTL),
            (Language::French, FRENCH_HELP_FTL),
        ] {
            let b = bundle(language);
            for id in ids(source) {
                let Some(message) = b.get_message(&id) else {
                    panic!("{id} did not load")
                };
                let Some(pattern) = message.value() else { continue };
                let mut errors = Vec::new();
                // Missing arguments are errors Fluent reports; placeables show as `{$name}`.
                let text = b.format_pattern(pattern, None, &mut errors);
                assert!(!text.contains(['\u{2068}', '\u{2069}']), "{id}: {text:?}");
            }
        }
        let shown = text_in(Language::French, "banner-post", &[("count", Arg::from("3/10"))]);
        assert!(!shown.contains(['\u{2068}', '\u{2069}']), "{shown:?}");
    }

    #[test]
    fn a_missing_french_message_falls_back_to_english_and_an_unknown_id_shows_itself() {
        assert!(!has(Language::French, "no-such-message"));
        assert_eq!(text_in(Language::French, "no-such-message", &[]), "no-such-message");
        // Arguments reach the text, in each language.
        let args = [("name", Arg::from("demo"))];
        assert!(text_in(Language::English, "hint-login", &args).contains("postgate login demo"));
        assert!(text_in(Language::French, "hint-login", &args).contains("postgate login demo"));
        assert_ne!(
            text_in(Language::English, "hint-login", &args),
            text_in(Language::French, "hint-login", &args)
        );
    }

    #[test]
    fn a_thread_can_speak_another_language() {
        let en = with_language(Language::English, || t!("banner-official"));
        let fr = with_language(Language::French, || t!("banner-official"));
        assert_eq!((en.as_str(), fr.as_str()), ("OFFICIAL", "OFFICIEL"));
        let both = with_language(Language::French, || Both::of("banner-official", &[]));
        assert_eq!((both.english.as_str(), both.shown()), ("OFFICIAL", "OFFICIEL"));
    }
}
