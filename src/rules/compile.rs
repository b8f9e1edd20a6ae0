//! From `[[rules]]` as written to a [`RuleSet`], with a located error for every mistake.

use super::build::{PATTERN_SIZE_LIMIT, pattern_set, plausible_timezone, set_size_limit, term_automaton, zoneinfo_dir};
use super::raw::RawRule;
use super::{Check, Level, PatternInfo, Quiet, Rule, RuleSet, Scope, TermInfo, text};
use crate::diagnostic::{Diagnostic, LineIndex};
use std::collections::HashMap;
use toml::Spanned;

fn keys_of(kind: &str) -> &'static [&'static str] {
    match kind {
        "terms" => &["terms", "suggest"],
        "pattern" => &["patterns"],
        "links" => &["allow", "deny", "shorteners"],
        "mentions" => &["on", "except"],
        "hidden-characters" => &["mixed_script"],
        "media" => &["require_alt", "max_images"],
        "counts" => &["max_hashtags", "max_mentions", "max_length"],
        "language" => &["languages"],
        "schedule" => &["timezone", "quiet", "days"],
        "rate" => &["max_per_hour", "max_per_day"],
        _ => &[],
    }
}

/// The kind-specific keys present in a raw rule, with their spans.
fn present(raw: &RawRule) -> Vec<(&'static str, std::ops::Range<usize>)> {
    fn span<T>(v: &Option<Spanned<T>>) -> Option<std::ops::Range<usize>> {
        v.as_ref().map(Spanned::span)
    }
    [
        ("terms", span(&raw.terms)),
        ("suggest", span(&raw.suggest)),
        ("patterns", span(&raw.patterns)),
        ("allow", span(&raw.allow)),
        ("deny", span(&raw.deny)),
        ("shorteners", span(&raw.shorteners)),
        ("on", span(&raw.on)),
        ("except", span(&raw.except)),
        ("mixed_script", span(&raw.mixed_script)),
        ("require_alt", span(&raw.require_alt)),
        ("max_images", span(&raw.max_images)),
        ("max_hashtags", span(&raw.max_hashtags)),
        ("max_mentions", span(&raw.max_mentions)),
        ("max_length", span(&raw.max_length)),
        ("languages", span(&raw.languages)),
        ("timezone", span(&raw.timezone)),
        ("quiet", span(&raw.quiet)),
        ("days", span(&raw.days)),
        ("max_per_hour", span(&raw.max_per_hour)),
        ("max_per_day", span(&raw.max_per_day)),
    ]
    .into_iter()
    .filter_map(|(k, s)| s.map(|s| (k, s)))
    .collect()
}

struct Builder {
    terms: Vec<String>,
    term_info: Vec<TermInfo>,
    patterns: Vec<String>,
    pattern_info: Vec<PatternInfo>,
    /// Where each pattern is written, when it is in the last layer (the file being checked).
    pattern_spans: Vec<Option<std::ops::Range<usize>>>,
    /// [`estimated_states`] of the patterns so far, against [`PATTERNS_STATE_LIMIT`].
    pattern_states: usize,
}

/// Validates and compiles the rules. `accounts` are the policy's account names, which a rule's
/// scope may name.
pub fn compile(text: &str, raw: &[Spanned<RawRule>], accounts: &[&str], diags: &mut Vec<Diagnostic>) -> RuleSet {
    compile_layers(
        &[Layer {
            text,
            rules: raw,
            system: false,
        }],
        accounts,
        diags,
    )
}

/// One policy file's rules: the system policy's, then the user's on top.
pub struct Layer<'a> {
    pub text: &'a str,
    pub rules: &'a [Spanned<RawRule>],
    pub system: bool,
}

/// Compiles the rules of every layer into one set. Only the last layer may be new: earlier
/// ones were validated on their own, so every diagnostic points into the last one's text.
pub fn compile_layers(layers: &[Layer], accounts: &[&str], diags: &mut Vec<Diagnostic>) -> RuleSet {
    let mut rules = Vec::new();
    let mut b = Builder {
        pattern_states: 0,
        terms: Vec::new(),
        term_info: Vec::new(),
        patterns: Vec::new(),
        pattern_info: Vec::new(),
        pattern_spans: Vec::new(),
    };
    let mut ids: HashMap<String, (usize, bool)> = HashMap::new();
    for (layer_index, layer) in layers.iter().enumerate() {
        let last_layer = layer_index + 1 == layers.len();
        let lines = LineIndex::new(layer.text);
        for spanned in layer.rules {
            let r = spanned.get_ref();
            let line = lines.line(spanned.span().start);
            let id = r.id.get_ref().clone();
            if !valid_id(&id) {
                diags.push(
                Diagnostic::new(
                    format!("invalid rule id `{}`", crate::sanitize::one_line(&id)),
                    r.id.span(),
                )
                .help("rule ids appear in messages and [[approvals.require]]: lowercase ASCII letters, digits, `-`, `_` and `.`"),
            );
            } else if let Some(&(first, system)) = ids.get(&id) {
                if system && !layer.system {
                    diags.push(
                    Diagnostic::new(
                        format!(
                            "rule `{id}` belongs to the system policy (its line {first}); a user policy cannot redefine, \
                             weaken or remove it"
                        ),
                        r.id.span(),
                    )
                    .help("rules only add up: give yours another id, and it applies on top of the system's"),
                );
                } else {
                    diags.push(
                        Diagnostic::new(format!("duplicate rule id `{id}`"), r.id.span())
                            .help(format!("first defined at line {first}")),
                    );
                }
            } else {
                ids.insert(id.clone(), (line, layer.system));
            }
            let level = Level::parse(r.level.get_ref());
            if level.is_none() {
                diags.push(
                    Diagnostic::new(
                        format!("unknown level `{}`", crate::sanitize::one_line(r.level.get_ref())),
                        r.level.span(),
                    )
                    .help(format!("use one of: {}", Level::NAMES.join(", "))),
                );
            }
            let kind = r.kind.get_ref().as_str();
            if !Check::KINDS.contains(&kind) {
                diags.push(
                    Diagnostic::new(
                        format!("unknown rule kind `{}`", crate::sanitize::one_line(kind)),
                        r.kind.span(),
                    )
                    .help(format!("use one of: {}", Check::KINDS.join(", "))),
                );
                continue;
            }
            let before = diags.len();
            for (key, span) in present(r) {
                if !keys_of(kind).contains(&key) {
                    diags.push(
                        Diagnostic::new(format!("`{key}` does not apply to a `{kind}` rule"), span)
                            .help(format!("a `{kind}` rule takes: {}", keys_of(kind).join(", "))),
                    );
                }
            }
            let scope = scope(r, accounts, diags);
            let index = rules.len();
            let check = match kind {
                "terms" => terms(r, index, &mut b, diags),
                "pattern" => patterns(r, index, last_layer, &mut b, diags),
                "links" => links(r, level.unwrap_or(Level::Warn), diags),
                "mentions" => mentions(r, diags),
                "hidden-characters" => Some(Check::HiddenCharacters {
                    mixed_script: r.mixed_script.as_ref().is_none_or(|m| *m.get_ref()),
                }),
                "media" => media(r, spanned, diags),
                "counts" => counts(r, spanned, diags),
                "language" => language(r, diags),
                "schedule" => schedule(r, spanned, diags),
                "rate" => rate(r, spanned, diags),
                _ => None,
            };
            if diags.len() > before {
                // Drop what this rule added to the shared automata, so indices stay consistent.
                b.term_info.retain(|t| t.rule != index);
                b.terms.truncate(b.term_info.len());
                b.pattern_info.retain(|p| p.rule != index);
                b.patterns.truncate(b.pattern_info.len());
                b.pattern_spans.truncate(b.pattern_info.len());
                continue;
            }
            if let (Some(level), Some(check)) = (level, check) {
                rules.push(Rule {
                    id,
                    level,
                    message: r.message.as_ref().map(|m| m.get_ref().clone()),
                    scope,
                    check,
                    line,
                    system: layer.system,
                });
            }
        }
    }
    // Only the automata that could fail to build are built here, to report it against the
    // policy as before; the rest is built per account on first use ([`RuleSet::check`]).
    let term_bytes: usize = b.terms.iter().map(String::len).sum();
    if term_bytes.saturating_mul(TERM_SLOTS_PER_BYTE) >= i32::MAX as usize
        && let Err(e) = term_automaton(b.terms.iter().map(String::as_str))
    {
        diags.push(Diagnostic {
            message: format!("the rules' terms cannot be compiled: {e}"),
            span: None,
            help: None,
        });
    }
    if !b.patterns.is_empty()
        && b.pattern_states.saturating_mul(SAFE_BYTES_PER_STATE) > set_size_limit(b.patterns.len())
        && let Err(e) = pattern_set(b.patterns.iter().map(String::as_str), b.patterns.len())
    {
        // Only now, on the way out, is each pattern compiled alone, to say which one is
        // too big: a policy that loads pays for one compilation, not two.
        let before = diags.len();
        if matches!(e, regex::Error::CompiledTooBig(_)) {
            too_big_patterns(&b, diags);
        }
        if diags.len() == before {
            diags.push(Diagnostic {
                message: format!("the rules' patterns cannot be compiled together: {}", regex_error(&e)),
                span: None,
                help: Some("fewer or simpler patterns".into()),
            });
        }
    }
    RuleSet {
        rules,
        terms: b.terms,
        term_info: b.term_info,
        pattern_info: b.pattern_info,
        built: Default::default(),
    }
}

/// What one byte of terms can take at most in the contiguous automaton: a state (a dense one
/// has a slot per byte class, at most 256, and a header) and a match. Below `i32::MAX` slots in
/// all, the automaton's state ids cannot overflow, which is the only way its build fails.
const TERM_SLOTS_PER_BYTE: usize = 261;

/// Four times [`estimated_states`]'s 16 bytes a state: below this, the set cannot reach its
/// size limit even if the estimate were off by that much, so it is built on first use only.
const SAFE_BYTES_PER_STATE: usize = 64;

/// A pattern's size once compiled, estimated from its syntax tree in NFA states, with every
/// repetition multiplied out as the compiler does it. An upper estimate: a Unicode class counts
/// four states per range, which is more than its UTF-8 automaton takes.
fn estimated_states(hir: &regex_syntax::hir::Hir) -> usize {
    use regex_syntax::hir::{Class, HirKind};
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => 1,
        HirKind::Literal(lit) => lit.0.len(),
        HirKind::Class(Class::Unicode(c)) => c.ranges().len().saturating_mul(4),
        HirKind::Class(Class::Bytes(c)) => c.ranges().len(),
        HirKind::Repetition(rep) => {
            let copies = match rep.max {
                Some(max) => max as usize,
                // `x{n,}` is n copies and a loop.
                None => rep.min as usize + 1,
            };
            estimated_states(&rep.sub)
                .saturating_mul(copies.max(1))
                .saturating_add(1)
        }
        HirKind::Capture(cap) => estimated_states(&cap.sub).saturating_add(2),
        HirKind::Concat(subs) | HirKind::Alternation(subs) => subs
            .iter()
            .fold(subs.len(), |sum, sub| sum.saturating_add(estimated_states(sub))),
    }
}

/// The most [`estimated_states`] one pattern may have: about [`PATTERN_SIZE_LIMIT`] at 16 bytes
/// a state.
const PATTERN_STATE_LIMIT: usize = PATTERN_SIZE_LIMIT / 16;

/// What all of a policy's patterns may take together, compiled, in MiB: many patterns each
/// under [`PATTERN_SIZE_LIMIT`] would otherwise add up to gigabytes on every run. Thousands of
/// ordinary patterns (a few hundred states each) fit many times over.
pub(super) const PATTERNS_SIZE_LIMIT: usize = 32 << 20;
const PATTERNS_STATE_LIMIT: usize = PATTERNS_SIZE_LIMIT / 16;

/// A located error for each pattern of the checked file that alone compiles past
/// [`PATTERN_SIZE_LIMIT`].
const TOO_BIG_HELP: &str = "a repetition of a repetition, or of a Unicode class like \\w, multiplies the size; \
                            bound it lower, or use an ASCII class such as [a-z0-9_]";

fn too_big_patterns(b: &Builder, diags: &mut Vec<Diagnostic>) {
    for (source, span) in b.patterns.iter().zip(&b.pattern_spans) {
        let Some(span) = span else { continue };
        if let Err(e @ regex::Error::CompiledTooBig(_)) =
            regex::RegexBuilder::new(source).size_limit(PATTERN_SIZE_LIMIT).build()
        {
            diags.push(Diagnostic::new(format!("invalid regex: {}", regex_error(&e)), span.clone()).help(TOO_BIG_HELP));
        }
    }
}

fn valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.".contains(c))
        && id.len() <= 64
}

fn scope(r: &RawRule, accounts: &[&str], diags: &mut Vec<Diagnostic>) -> Scope {
    let mut scope = Scope::default();
    if let Some(kinds) = &r.kinds {
        scope.kinds = kinds.get_ref().iter().map(|k| *k.get_ref()).collect();
        if scope.kinds.is_empty() {
            diags.push(
                Diagnostic::new("`kinds` is empty, so the rule would apply to nobody", kinds.span())
                    .help("remove `kinds` to apply the rule to every account"),
            );
        }
    }
    if let Some(names) = &r.accounts {
        for name in names.get_ref() {
            if !accounts.contains(&name.get_ref().as_str()) {
                diags.push(
                    Diagnostic::new(
                        format!("no account named `{}`", crate::sanitize::one_line(name.get_ref())),
                        name.span(),
                    )
                    .help(format!("accounts in this policy: {}", accounts.join(", "))),
                );
            }
            scope.accounts.push(name.get_ref().clone());
        }
        if names.get_ref().is_empty() {
            diags.push(
                Diagnostic::new("`accounts` is empty, so the rule would apply to nobody", names.span())
                    .help("remove `accounts` to apply the rule to every account"),
            );
        }
    }
    scope
}

fn terms(r: &RawRule, index: usize, b: &mut Builder, diags: &mut Vec<Diagnostic>) -> Option<Check> {
    let mut count = 0;
    let mut add =
        |term: &str, suggestion: Option<String>, span: std::ops::Range<usize>, diags: &mut Vec<Diagnostic>| {
            let folded = text::fold_term(term);
            if folded.is_empty() {
                diags.push(Diagnostic::new("empty term", span));
                return;
            }
            b.terms.push(folded);
            b.term_info.push(TermInfo {
                rule: index,
                suggestion,
            });
            count += 1;
        };
    if let Some(list) = &r.terms {
        for t in list.get_ref() {
            add(t.get_ref(), None, t.span(), diags);
        }
    }
    if let Some(map) = &r.suggest {
        for (term, suggestion) in map.get_ref() {
            add(term, Some(suggestion.clone()), map.span(), diags);
        }
    }
    let given = |n: Option<usize>| n.is_some_and(|n| n > 0);
    if !given(r.terms.as_ref().map(|t| t.get_ref().len())) && !given(r.suggest.as_ref().map(|t| t.get_ref().len())) {
        diags.push(
            Diagnostic::new("a `terms` rule needs `terms` or `suggest`", r.kind.span())
                .help("terms = [\"…\"], or a [rules.suggest] table of term = \"replacement\""),
        );
    }
    Some(Check::Terms { count })
}

/// The last line of a regex error is the reason; the rest repeats the pattern with a caret.
fn regex_error(e: &regex::Error) -> String {
    last_line(e.to_string())
}

fn syntax_error(e: &regex_syntax::Error) -> String {
    last_line(e.to_string())
}

fn last_line(text: String) -> String {
    let last = text.lines().last().unwrap_or(&text).trim();
    last.strip_prefix("error: ").unwrap_or(last).to_string()
}

fn patterns(
    r: &RawRule,
    index: usize,
    last_layer: bool,
    b: &mut Builder,
    diags: &mut Vec<Diagnostic>,
) -> Option<Check> {
    let Some(list) = &r.patterns else {
        diags.push(
            Diagnostic::new("a `pattern` rule needs `patterns`", r.kind.span())
                .help("patterns = [{ regex = \"…\", message = \"…\" }]"),
        );
        return None;
    };
    for p in list.get_ref() {
        let p = p.get_ref();
        // Parsing finds every syntax error, located; the set compiles the patterns once.
        match regex_syntax::Parser::new().parse(p.regex.get_ref()) {
            // Refused before the set is compiled, which would take seconds and gigabytes to find
            // out, and without saying which pattern it was.
            Ok(hir) if estimated_states(&hir) > PATTERN_STATE_LIMIT => diags.push(
                Diagnostic::new(
                    format!(
                        "invalid regex: compiled, it would exceed the size limit of {} MiB for one pattern",
                        PATTERN_SIZE_LIMIT >> 20
                    ),
                    p.regex.span(),
                )
                .help(TOO_BIG_HELP),
            ),
            Ok(hir) if b.pattern_states.saturating_add(estimated_states(&hir)) > PATTERNS_STATE_LIMIT => diags.push(
                Diagnostic::new(
                    format!(
                        "invalid regex: with the patterns before it, the policy's patterns would exceed {} MiB compiled",
                        PATTERNS_SIZE_LIMIT >> 20
                    ),
                    p.regex.span(),
                )
                .help("fewer patterns, or smaller repetitions; a list of words is a `terms` rule, which costs no regex"),
            ),
            Ok(hir) => {
                b.pattern_states = b.pattern_states.saturating_add(estimated_states(&hir));
                b.patterns.push(p.regex.get_ref().clone());
                b.pattern_spans.push(last_layer.then(|| p.regex.span()));
                b.pattern_info.push(PatternInfo {
                    rule: index,
                    source: p.regex.get_ref().clone(),
                    regex: std::sync::OnceLock::new(),
                    message: p.message.clone(),
                });
            }
            Err(e) => diags.push(
                Diagnostic::new(format!("invalid regex: {}", syntax_error(&e)), p.regex.span())
                    .help("regexes use the Rust regex syntax (no look-around); in TOML, prefer '…' strings so backslashes stay single"),
            ),
        }
    }
    if list.get_ref().is_empty() {
        diags.push(Diagnostic::new("`patterns` is empty", list.span()));
    }
    Some(Check::Pattern {
        count: list.get_ref().len(),
    })
}

fn domains(list: &Option<Spanned<Vec<Spanned<String>>>>, diags: &mut Vec<Diagnostic>) -> Vec<String> {
    let Some(list) = list else { return Vec::new() };
    list.get_ref()
        .iter()
        .filter_map(|d| {
            let domain = d
                .get_ref()
                .trim()
                .trim_start_matches("*.")
                .trim_end_matches('.')
                .to_ascii_lowercase();
            let ok = !domain.is_empty()
                && domain
                    .split('.')
                    .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
            if ok {
                Some(domain)
            } else {
                diags.push(
                    Diagnostic::new(
                        format!("`{}` is not a domain", crate::sanitize::one_line(d.get_ref())),
                        d.span(),
                    )
                    .help("write domains without scheme or path, like \"gouv.fr\"; subdomains are included"),
                );
                None
            }
        })
        .collect()
}

fn links(r: &RawRule, level: Level, diags: &mut Vec<Diagnostic>) -> Option<Check> {
    let shortener_level = match &r.shorteners {
        None => level,
        Some(s) => match Level::parse(s.get_ref()) {
            Some(l) => l,
            None => {
                diags.push(
                    Diagnostic::new(
                        format!("unknown level `{}`", crate::sanitize::one_line(s.get_ref())),
                        s.span(),
                    )
                    .help(format!("`shorteners` takes a level: {}", Level::NAMES.join(", "))),
                );
                level
            }
        },
    };
    Some(Check::Links {
        allow: domains(&r.allow, diags),
        deny: domains(&r.deny, diags),
        shortener_level,
    })
}

fn mentions(r: &RawRule, diags: &mut Vec<Diagnostic>) -> Option<Check> {
    let (mut mentions, mut replies) = (true, true);
    if let Some(on) = &r.on {
        (mentions, replies) = (false, false);
        for item in on.get_ref() {
            match item.get_ref().as_str() {
                "mentions" => mentions = true,
                "replies" => replies = true,
                other => diags.push(
                    Diagnostic::new(
                        format!("unknown `on` value `{}`", crate::sanitize::one_line(other)),
                        item.span(),
                    )
                    .help("use \"mentions\" (posts naming @someone), \"replies\", or both"),
                ),
            }
        }
        if on.get_ref().is_empty() {
            diags.push(Diagnostic::new("`on` is empty", on.span()).help("use [\"mentions\"], [\"replies\"] or both"));
        }
    }
    let except = r
        .except
        .as_ref()
        .map(|e| e.get_ref().iter().map(|h| h.get_ref().trim().to_string()).collect())
        .unwrap_or_default();
    Some(Check::Mentions {
        mentions,
        replies,
        except,
    })
}

/// A non-negative count from the policy.
fn count(v: &Option<Spanned<i64>>, min: i64, diags: &mut Vec<Diagnostic>) -> Option<usize> {
    let v = v.as_ref()?;
    if *v.get_ref() < min {
        diags.push(Diagnostic::new(format!("must be at least {min}"), v.span()));
        return None;
    }
    usize::try_from(*v.get_ref()).ok()
}

fn none_set(spanned: &Spanned<RawRule>, what: &str, diags: &mut Vec<Diagnostic>) {
    diags.push(
        Diagnostic::new(
            format!("this `{}` rule sets none of {what}", spanned.get_ref().kind.get_ref()),
            spanned.get_ref().kind.span(),
        )
        .help("a rule that checks nothing is a mistake; set at least one"),
    );
}

fn media(r: &RawRule, spanned: &Spanned<RawRule>, diags: &mut Vec<Diagnostic>) -> Option<Check> {
    let require_alt = r.require_alt.as_ref().is_some_and(|v| *v.get_ref());
    let max_images = count(&r.max_images, 0, diags);
    if !require_alt && r.max_images.is_none() {
        none_set(spanned, "require_alt = true, max_images", diags);
    }
    Some(Check::Media {
        require_alt,
        max_images,
    })
}

fn counts(r: &RawRule, spanned: &Spanned<RawRule>, diags: &mut Vec<Diagnostic>) -> Option<Check> {
    let check = Check::Counts {
        max_hashtags: count(&r.max_hashtags, 0, diags),
        max_mentions: count(&r.max_mentions, 0, diags),
        max_length: count(&r.max_length, 1, diags),
    };
    if r.max_hashtags.is_none() && r.max_mentions.is_none() && r.max_length.is_none() {
        none_set(spanned, "max_hashtags, max_mentions, max_length", diags);
    }
    Some(check)
}

fn language(r: &RawRule, diags: &mut Vec<Diagnostic>) -> Option<Check> {
    let mut allowed = Vec::new();
    if let Some(list) = &r.languages {
        for l in list.get_ref() {
            let code = l.get_ref().trim().to_ascii_lowercase();
            if (2..=3).contains(&code.len()) && code.chars().all(|c| c.is_ascii_lowercase()) {
                allowed.push(code);
            } else {
                diags.push(
                    Diagnostic::new(
                        format!("invalid language `{}`", crate::sanitize::one_line(l.get_ref())),
                        l.span(),
                    )
                    .help("use ISO 639 codes such as \"fr\" or \"en\""),
                );
            }
        }
    }
    Some(Check::Language { allowed })
}

/// `HH:MM`, with `24:00` allowed as an end.
fn minutes(text: &str, end: bool) -> Result<u16, String> {
    let (h, m) = text
        .trim()
        .split_once(':')
        .ok_or_else(|| format!("`{text}` is not HH:MM"))?;
    let h: u16 = h.parse().map_err(|_| format!("`{text}` is not HH:MM"))?;
    let m: u16 = m.parse().map_err(|_| format!("`{text}` is not HH:MM"))?;
    if m > 59 {
        return Err(format!("minute {m} does not exist"));
    }
    match h {
        0..=23 => Ok(h * 60 + m),
        24 if end && m == 0 => Ok(24 * 60),
        _ => Err(format!("hour {h} does not exist")),
    }
}

pub(crate) fn parse_quiet(text: &str) -> Result<(u16, u16), String> {
    let (start, end) = text
        .split_once(['-', '–'])
        .ok_or("write quiet hours as \"HH:MM-HH:MM\"")?;
    let (start, end) = (minutes(start, false)?, minutes(end, true)?);
    if start == end {
        return Err("the window is empty (start = end)".into());
    }
    Ok((start, end))
}

fn schedule(r: &RawRule, spanned: &Spanned<RawRule>, diags: &mut Vec<Diagnostic>) -> Option<Check> {
    let missing = |key: &str, diags: &mut Vec<Diagnostic>| {
        diags.push(
            Diagnostic::new(
                format!("a `schedule` rule needs `{key}`"),
                spanned.get_ref().kind.span(),
            )
            .help("timezone = \"Europe/Paris\" and quiet = \"22:00-07:00\""),
        );
    };
    let tz = match &r.timezone {
        None => {
            missing("timezone", diags);
            None
        }
        Some(name) => match timezone_exists(name.get_ref()) {
            true => Some(name.get_ref().clone()),
            false => {
                diags.push(
                    Diagnostic::new(
                        format!("unknown timezone `{}`", crate::sanitize::one_line(name.get_ref())),
                        name.span(),
                    )
                    .help("use an IANA name such as \"Europe/Paris\" or \"America/Cayenne\""),
                );
                None
            }
        },
    };
    let window = match &r.quiet {
        None => {
            missing("quiet", diags);
            None
        }
        Some(q) => match parse_quiet(q.get_ref()) {
            Ok(w) => Some(w),
            Err(why) => {
                diags.push(
                    Diagnostic::new(
                        format!(
                            "invalid quiet hours `{}`: {why}",
                            crate::sanitize::one_line(q.get_ref())
                        ),
                        q.span(),
                    )
                    .help("write them as \"22:00-07:00\" (24-hour clock; a window may cross midnight)"),
                );
                None
            }
        },
    };
    let mut days = [true; 7];
    if let Some(list) = &r.days {
        days = [false; 7];
        for d in list.get_ref() {
            const NAMES: [&str; 7] = [
                "monday",
                "tuesday",
                "wednesday",
                "thursday",
                "friday",
                "saturday",
                "sunday",
            ];
            let name = d.get_ref().trim().to_ascii_lowercase();
            match NAMES
                .iter()
                .position(|n| name == *n || (name.len() == 3 && n.starts_with(&name)))
            {
                Some(i) => days[i] = true,
                None => diags.push(
                    Diagnostic::new(
                        format!("unknown day `{}`", crate::sanitize::one_line(d.get_ref())),
                        d.span(),
                    )
                    .help("use mon, tue, wed, thu, fri, sat, sun"),
                ),
            }
        }
        if list.get_ref().is_empty() {
            diags.push(Diagnostic::new(
                "`days` is empty, so the quiet hours never apply",
                list.span(),
            ));
        }
    }
    let (tz_name, (start, end)) = (tz?, window?);
    Some(Check::Schedule(Quiet::new(tz_name, start, end, days)))
}

/// Whether [`load_timezone`] would find `name`, without reading the zone: the system's file is
/// there, or jiff's bundled copy has it. A system file that exists but does not parse falls back
/// to the bundled copy when read, and counts as in the quiet hours if neither works.
pub(super) fn timezone_exists(name: &str) -> bool {
    if !plausible_timezone(name) {
        return false;
    }
    std::fs::metadata(zoneinfo_dir().join(name)).is_ok_and(|m| m.is_file())
        || jiff::tz::TimeZoneDatabase::bundled().get(name).is_ok()
}

fn rate(r: &RawRule, spanned: &Spanned<RawRule>, diags: &mut Vec<Diagnostic>) -> Option<Check> {
    let check = Check::Rate {
        per_hour: count(&r.max_per_hour, 1, diags),
        per_day: count(&r.max_per_day, 1, diags),
    };
    if r.max_per_hour.is_none() && r.max_per_day.is_none() {
        none_set(spanned, "max_per_hour, max_per_day", diags);
    }
    Some(check)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_estimate_multiplies_repetitions_out() {
        let states =
            |p: &str| estimated_states(&regex_syntax::Parser::new().parse(p).unwrap_or_else(|e| panic!("{e}")));
        assert!(states(r"\w{1000}{1000}") > PATTERN_STATE_LIMIT);
        assert!(states(r"\w{300}") > PATTERN_STATE_LIMIT);
        // What the example policy and the benchmarks use stays far below.
        for p in [
            r"!{2,}",
            r"\b[A-ZÀ-ÖØ-ÞŒ]{5,}\b",
            r"\bword123\d{2,4}\b",
            r"(?i)candidat\w*",
        ] {
            assert!(states(p) < PATTERN_STATE_LIMIT / 100, "{p}: {}", states(p));
        }
    }

    #[test]
    fn when_the_set_is_too_big_each_pattern_of_the_file_is_located() {
        let b = Builder {
            pattern_states: 0,
            terms: Vec::new(),
            term_info: Vec::new(),
            patterns: vec!["ok".into(), r"\w{1000}".into(), r"\w{1000}".into()],
            pattern_info: Vec::new(),
            // The third is the system's, located in its own file when that was checked alone.
            pattern_spans: vec![Some(0..2), Some(10..20), None],
        };
        let mut diags = Vec::new();
        too_big_patterns(&b, &mut diags);
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert_eq!(diags[0].span, Some(10..20));
        assert!(diags[0].message.starts_with("invalid regex: "), "{}", diags[0].message);
    }
}
