//! The content rules: the policy's `[[rules]]`, validated when the policy loads, run before
//! every publish and by `postgate check`.
//!
//! Levels and kinds follow Vale, the prose linter, adapted to posts. The `terms` of the rules in
//! scope of an account share one Aho-Corasick automaton and their `pattern` regexes one
//! `RegexSet`, built on the account's first check, so the cost of a check grows with the post,
//! not with the number of rules, and a command pays only for the rules of its account.

mod build;
pub mod compile;
pub mod raw;
#[rustfmt::skip]
mod small_capitals;
pub mod text;

use crate::account::Account;
use crate::account::Kind as AccountKind;
use aho_corasick::Anchored;
use aho_corasick::automaton::Automaton;
use aho_corasick::nfa::contiguous::NFA as ContiguousNfa;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use regex::{Regex, RegexSet};
use serde::{Deserialize, Serialize};
use std::ops::Range;
use unicode_security::MixedScript;

/// What a finding asks of the person publishing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Shown in the banner and recorded; the post goes out.
    Warn,
    /// Needs an approval: a signature on a plan (`postgate approve`); a direct post is refused.
    Approve,
    /// Refused.
    Deny,
}

impl Level {
    pub const NAMES: [&'static str; 3] = ["warn", "approve", "deny"];

    pub fn parse(text: &str) -> Option<Level> {
        match text {
            "warn" => Some(Level::Warn),
            "approve" => Some(Level::Approve),
            "deny" => Some(Level::Deny),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Warn => "warn",
            Level::Approve => "approve",
            Level::Deny => "deny",
        }
    }
}

/// Which accounts a rule applies to. Empty means every account; otherwise an account is in
/// scope when its kind or its name is listed.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    pub kinds: Vec<AccountKind>,
    pub accounts: Vec<String>,
}

impl Scope {
    pub fn applies(&self, account: &Account) -> bool {
        (self.kinds.is_empty() && self.accounts.is_empty())
            || self.kinds.contains(&account.kind)
            || self.accounts.contains(&account.name)
    }

    pub fn describe(&self) -> String {
        if self.kinds.is_empty() && self.accounts.is_empty() {
            return "all accounts".to_string();
        }
        let mut parts: Vec<String> = self.kinds.iter().map(|k| format!("{} accounts", k.as_str())).collect();
        parts.extend(self.accounts.iter().map(|a| format!("`{a}`")));
        parts.join(", ")
    }
}

/// Quiet hours: minutes since midnight, local to `tz_name`, and the days a window starts on.
#[derive(Debug, Clone)]
pub struct Quiet {
    /// Read on the first check that needs the local time: validating the policy only needs to
    /// know that the zone exists, and most commands never look at the clock.
    tz: std::sync::OnceLock<Option<TimeZone>>,
    pub tz_name: String,
    pub start: u16,
    pub end: u16,
    /// Monday first.
    pub days: [bool; 7],
}

impl Quiet {
    /// A window in the zone `tz_name`, which validation found to exist.
    pub fn new(tz_name: String, start: u16, end: u16, days: [bool; 7]) -> Quiet {
        Quiet {
            tz: std::sync::OnceLock::new(),
            tz_name,
            start,
            end,
            days,
        }
    }

    /// The zone, or `None` if it can no longer be read (its file removed since the policy
    /// was validated, say).
    pub fn tz(&self) -> Option<&TimeZone> {
        self.tz.get_or_init(|| build::load_timezone(&self.tz_name)).as_ref()
    }

    /// Whether `at` falls in the window. A window that crosses midnight (22:00–07:00) belongs
    /// to the day it starts on, so Friday night's window runs into Saturday morning. A zone
    /// that cannot be read counts as inside: a guard that cannot tell the time must not assume
    /// it is daytime.
    pub fn contains(&self, at: Timestamp) -> bool {
        let Some(tz) = self.tz() else { return true };
        let local = at.to_zoned(tz.clone());
        let minute = local.hour() as u16 * 60 + local.minute() as u16;
        let today = local.weekday().to_monday_zero_offset() as usize;
        let yesterday = (today + 6) % 7;
        if self.start < self.end {
            self.days[today] && (self.start..self.end).contains(&minute)
        } else {
            (self.days[today] && minute >= self.start) || (self.days[yesterday] && minute < self.end)
        }
    }

    pub fn window(&self) -> String {
        let hm = |m: u16| format!("{:02}:{:02}", m / 60, m % 60);
        format!("{}–{} {}", hm(self.start), hm(self.end), self.tz_name)
    }
}

/// What a rule looks at. Terms and patterns live in the shared automata of [`RuleSet`].
#[derive(Debug, Clone)]
pub enum Check {
    Terms {
        count: usize,
    },
    Pattern {
        count: usize,
    },
    Links {
        allow: Vec<String>,
        deny: Vec<String>,
        shortener_level: Level,
    },
    Mentions {
        mentions: bool,
        replies: bool,
        except: Vec<String>,
    },
    HiddenCharacters {
        mixed_script: bool,
    },
    Media {
        require_alt: bool,
        max_images: Option<usize>,
    },
    Counts {
        max_hashtags: Option<usize>,
        max_mentions: Option<usize>,
        max_length: Option<usize>,
    },
    Language {
        allowed: Vec<String>,
    },
    Schedule(Quiet),
    Rate {
        per_hour: Option<usize>,
        per_day: Option<usize>,
    },
}

impl Check {
    pub const KINDS: [&'static str; 10] = [
        "terms",
        "pattern",
        "links",
        "mentions",
        "hidden-characters",
        "media",
        "counts",
        "language",
        "schedule",
        "rate",
    ];

    pub fn kind(&self) -> &'static str {
        match self {
            Check::Terms { .. } => "terms",
            Check::Pattern { .. } => "pattern",
            Check::Links { .. } => "links",
            Check::Mentions { .. } => "mentions",
            Check::HiddenCharacters { .. } => "hidden-characters",
            Check::Media { .. } => "media",
            Check::Counts { .. } => "counts",
            Check::Language { .. } => "language",
            Check::Schedule(_) => "schedule",
            Check::Rate { .. } => "rate",
        }
    }

    /// One line for `policy show`.
    pub fn describe(&self) -> String {
        let opt = |label: &str, v: Option<usize>| v.map(|v| format!("{label} {v}"));
        match self {
            Check::Terms { count } => format!("{count} terms"),
            Check::Pattern { count } => format!("{count} patterns"),
            Check::Links {
                allow,
                deny,
                shortener_level,
            } => {
                let mut parts = Vec::new();
                if !allow.is_empty() {
                    parts.push(format!("allow {}", allow.join(", ")));
                }
                if !deny.is_empty() {
                    parts.push(format!("deny {}", deny.join(", ")));
                }
                parts.push(format!("shorteners: {}", shortener_level.as_str()));
                parts.join("; ")
            }
            Check::Mentions {
                mentions,
                replies,
                except,
            } => {
                let mut on = Vec::new();
                if *mentions {
                    on.push("mentions");
                }
                if *replies {
                    on.push("replies");
                }
                let mut s = on.join(" and ");
                if !except.is_empty() {
                    s.push_str(&format!(" (except {})", except.join(", ")));
                }
                s
            }
            Check::HiddenCharacters { mixed_script } => {
                if *mixed_script {
                    "control, bidi, invisible, blank, unassigned and private-use characters; mixed-script words".into()
                } else {
                    "control, bidi, invisible, blank, unassigned and private-use characters".into()
                }
            }
            Check::Media {
                require_alt,
                max_images,
            } => [
                require_alt.then(|| "alt text required".to_string()),
                opt("at most", *max_images).map(|s| format!("{s} images")),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("; "),
            Check::Counts {
                max_hashtags,
                max_mentions,
                max_length,
            } => [
                opt("hashtags ≤", *max_hashtags),
                opt("mentions ≤", *max_mentions),
                opt("length ≤", *max_length),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("; "),
            Check::Language { allowed } if allowed.is_empty() => "a language tag is required".into(),
            Check::Language { allowed } => format!("language one of {}", allowed.join(", ")),
            Check::Schedule(q) => {
                const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
                let days: Vec<&str> = DAYS.iter().zip(q.days).filter(|(_, on)| *on).map(|(d, _)| *d).collect();
                let days = if days.len() == 7 {
                    "every day".to_string()
                } else {
                    days.join(",")
                };
                format!("quiet hours {} ({days})", q.window())
            }
            Check::Rate { per_hour, per_day } => [opt("per hour ≤", *per_hour), opt("per day ≤", *per_day)]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join("; "),
        }
    }
}

/// One compiled rule.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub level: Level,
    /// Vale-style: `%s` stands for the matched text.
    pub message: Option<String>,
    pub scope: Scope,
    pub check: Check,
    /// Where the rule is defined, for `policy show`.
    pub line: usize,
    /// Defined by the system policy, which a user policy cannot override.
    pub system: bool,
}

#[derive(Debug, Clone)]
struct TermInfo {
    rule: usize,
    suggestion: Option<String>,
}

#[derive(Debug, Clone)]
struct PatternInfo {
    rule: usize,
    source: String,
    /// Compiled on the first post the set says it matches: compiling every pattern twice (in
    /// the set and alone) would double the policy's load time for spans rarely needed.
    regex: std::sync::OnceLock<Option<Regex>>,
    message: Option<String>,
}

impl PatternInfo {
    fn regex(&self) -> Option<&Regex> {
        self.regex
            .get_or_init(|| {
                regex::RegexBuilder::new(&self.source)
                    .size_limit(build::REGEX_SIZE_LIMIT)
                    .build()
                    .ok()
            })
            .as_ref()
    }
}

/// All the rules of a policy, validated. The expensive matchers (the terms' automaton, the
/// patterns' `RegexSet`) are built on the first check, for the rules in scope of the account
/// checked: a command about one account pays for that account's rules only.
#[derive(Debug, Default)]
pub struct RuleSet {
    pub rules: Vec<Rule>,
    /// Every rule's terms, folded, in the order of `term_info`.
    terms: Vec<String>,
    term_info: Vec<TermInfo>,
    pattern_info: Vec<PatternInfo>,
    /// Matchers already built, keyed by which rules are in scope (accounts of the same kind
    /// usually share one).
    built: std::sync::Mutex<Vec<(Vec<bool>, std::sync::Arc<Matchers>)>>,
}

/// The terms and patterns of the rules in scope of an account, compiled.
#[derive(Debug)]
struct Matchers {
    /// One Aho-Corasick automaton for the terms of every rule in scope, built when comparing
    /// the terms one by one has cost about as much as building it would ([`Matchers::automaton`]);
    /// `None` inside if it could not be built (then the terms are compared one by one).
    terms: std::sync::OnceLock<Option<ContiguousNfa>>,
    /// Term comparisons made without the automaton so far.
    compared: std::sync::atomic::AtomicUsize,
    /// Automaton pattern index → index in [`RuleSet::term_info`].
    terms_in_scope: Vec<usize>,
    /// `None` without patterns, or when the set could not be built (then each pattern is run
    /// alone: slower, same findings).
    patterns: Option<RegexSet>,
    /// Set index → index in [`RuleSet::pattern_info`].
    patterns_in_scope: Vec<usize>,
}

/// What is checked: the post as it would be sent.
#[derive(Debug, Clone, Copy, Default)]
pub struct Subject<'a> {
    pub text: &'a str,
    pub reply_to: Option<&'a str>,
    /// The post's language, or the account's default.
    pub language: Option<&'a str>,
    pub images: usize,
    pub images_without_alt: usize,
    /// The length as the platform counts it.
    pub length: usize,
}

/// When the post would go out, and what the account already published. Without a time the
/// schedule rules are skipped; without counts the rate rules are.
#[derive(Debug, Clone, Copy, Default)]
pub struct Context {
    pub at: Option<Timestamp>,
    pub recent: Option<Recent>,
}

/// Posts the account published recently, from the audit log.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Recent {
    pub last_hour: usize,
    pub last_day: usize,
}

impl Recent {
    /// Counts the rate rules' posts from their publication times: `times` are the account's
    /// posts since a day before `now`, as the caller read them. With `until`, a post after it
    /// does not count (`check --at` a past time); without, every one counts, even one later
    /// than `now`, because a clock set back must not make earlier posts vanish from the count.
    pub fn count(times: &[Timestamp], now: Timestamp, until: Option<Timestamp>) -> Recent {
        // Checked: `now` may be a planned time, and must never panic near the calendar's start.
        let hour = now
            .checked_sub(jiff::SignedDuration::from_hours(1))
            .unwrap_or(Timestamp::MIN);
        let counted = || times.iter().filter(|t| until.is_none_or(|u| **t <= u));
        Recent {
            last_hour: counted().filter(|t| **t >= hour).count(),
            last_day: counted().count(),
        }
    }
}

/// One thing a rule found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub rule: String,
    pub level: Level,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
    /// Byte range in the post's text, on character boundaries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span: Option<Range<usize>>,
}

/// Findings per rule are capped so a pathological post cannot flood the screen or the log.
const MAX_PER_RULE: usize = 20;

/// Known link shorteners: they hide where a link goes, which is what the allowlist is about.
const SHORTENERS: &[&str] = &[
    "bit.ly",
    "bitly.com",
    "t.co",
    "tinyurl.com",
    "goo.gl",
    "ow.ly",
    "is.gd",
    "buff.ly",
    "rebrand.ly",
    "cutt.ly",
    "shorturl.at",
    "tiny.cc",
    "lnkd.in",
    "t.ly",
    "rb.gy",
    "v.gd",
    "dlvr.it",
    "bl.ink",
    "s.id",
    "urlz.fr",
    "frama.link",
    "tinyurl.fr",
    "shorturl.fr",
    "x.co",
    "qr.io",
    "short.io",
    "trib.al",
    "fb.me",
    "youtu.be",
    "amzn.to",
];

pub fn is_shortener(host: &str) -> bool {
    SHORTENERS.iter().any(|s| text::host_in(host, s))
}

impl RuleSet {
    /// The rules that apply to an account, in policy order.
    pub fn for_account<'a>(&'a self, account: &'a Account) -> impl Iterator<Item = &'a Rule> + 'a {
        self.rules.iter().filter(|r| r.scope.applies(account))
    }

    /// Whether any rule for this account needs the audit log's counts.
    pub fn needs_recent(&self, account: &Account) -> bool {
        self.for_account(account).any(|r| matches!(r.check, Check::Rate { .. }))
    }

    /// Runs every rule that applies to `account`. Findings come back in text order, then by
    /// severity.
    pub fn check(&self, account: &Account, subject: &Subject, ctx: &Context) -> Vec<Finding> {
        let applies: Vec<bool> = self.rules.iter().map(|r| r.scope.applies(account)).collect();
        let m = self.matchers(&applies);
        self.check_with(&applies, &m, subject, ctx)
    }

    /// [`RuleSet::check`] with matchers that hold at least the rules in `applies`.
    fn check_with(&self, applies: &[bool], m: &Matchers, subject: &Subject, ctx: &Context) -> Vec<Finding> {
        let mut found = Findings {
            rules: &self.rules,
            out: Vec::new(),
            per_rule: vec![0; self.rules.len()],
        };
        let text = subject.text;

        if !m.terms_in_scope.is_empty() {
            let folded = text::fold(text);
            // Terms can only start where a word starts (or at punctuation, for terms like
            // `#tag`), so the automaton runs anchored from those places alone. Each search
            // walks a few states near the root, which stay in cache however many terms there
            // are; an unanchored scan would chase failure links all over a large automaton.
            let bytes = folded.text.as_bytes();
            let mut matches = Vec::new();
            let starts: Vec<usize> = text::match_starts(&folded.text).collect();
            let automaton = m.automaton(&self.terms, starts.len());
            for start in starts {
                match automaton {
                    Some(ac) => anchored_matches(ac, bytes, start, &mut matches),
                    None => naive_matches(&self.terms, &m.terms_in_scope, bytes, start, &mut matches),
                }
            }
            for (pattern, range) in matches {
                let index = m.terms_in_scope[pattern];
                let info = &self.term_info[index];
                if !applies[info.rule] || !text::on_word_boundaries(&folded.text, &range) {
                    continue;
                }
                let span = folded.original(range);
                let matched = &text[span.clone()];
                let default = match &info.suggestion {
                    Some(s) => format!("use \"{s}\" instead of \"{matched}\""),
                    None => format!("\"{matched}\" is on the list"),
                };
                found.push(info.rule, Some(span), info.suggestion.clone(), matched, default, None);
            }
        }

        if !m.patterns_in_scope.is_empty() {
            let hits: Vec<usize> = match &m.patterns {
                Some(set) => set.matches(text).iter().map(|i| m.patterns_in_scope[i]).collect(),
                None => m.patterns_in_scope.clone(),
            };
            for index in hits {
                let info = &self.pattern_info[index];
                if !applies[info.rule] {
                    continue;
                }
                let Some(regex) = info.regex() else { continue };
                for m in regex.find_iter(text).take(MAX_PER_RULE) {
                    let default = format!("\"{}\" matches /{}/", m.as_str(), info.source);
                    found.push(
                        info.rule,
                        Some(m.range()),
                        None,
                        m.as_str(),
                        default,
                        info.message.as_deref(),
                    );
                }
            }
        }

        for (i, rule) in self.rules.iter().enumerate() {
            if applies[i] {
                found.rule(i, rule, subject, ctx);
            }
        }

        let mut out = found.out;
        out.sort_by(|a, b| {
            let start = |f: &Finding| f.span.as_ref().map_or(usize::MAX, |s| s.start);
            start(a)
                .cmp(&start(b))
                .then(b.level.cmp(&a.level))
                .then(a.rule.cmp(&b.rule))
        });
        out.dedup();
        out
    }
}

impl RuleSet {
    /// The matchers for the rules marked in `applies`, built on first use and kept.
    fn matchers(&self, applies: &[bool]) -> std::sync::Arc<Matchers> {
        // A poisoned lock only means another thread panicked while building; what it left in
        // the list is complete entries only.
        let mut built = self.built.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((_, m)) = built.iter().find(|(key, _)| key == applies) {
            return m.clone();
        }
        let m = std::sync::Arc::new(self.build(applies));
        built.push((applies.to_vec(), m.clone()));
        m
    }

    fn build(&self, applies: &[bool]) -> Matchers {
        let terms_in_scope: Vec<usize> = (0..self.term_info.len())
            .filter(|&i| applies[self.term_info[i].rule])
            .collect();
        let patterns_in_scope: Vec<usize> = (0..self.pattern_info.len())
            .filter(|&i| applies[self.pattern_info[i].rule])
            .collect();
        let patterns = if patterns_in_scope.is_empty() {
            None
        } else {
            let sources = patterns_in_scope.iter().map(|&i| self.pattern_info[i].source.as_str());
            build::pattern_set(sources, self.pattern_info.len()).ok()
        };
        Matchers {
            terms: std::sync::OnceLock::new(),
            compared: std::sync::atomic::AtomicUsize::new(0),
            terms_in_scope,
            patterns,
            patterns_in_scope,
        }
    }

    /// The ids of the rules whose terms or patterns each build so far compiled, in build order.
    #[cfg(test)]
    fn builds(&self) -> Vec<Vec<String>> {
        let built = self.built.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        built
            .iter()
            .map(|(_, m)| {
                let mut ids: Vec<String> = m
                    .terms_in_scope
                    .iter()
                    .map(|&i| self.term_info[i].rule)
                    .chain(m.patterns_in_scope.iter().map(|&i| self.pattern_info[i].rule))
                    .map(|r| self.rules[r].id.clone())
                    .collect();
                ids.dedup();
                ids
            })
            .collect()
    }
}

/// What building the terms' automaton costs, in term comparisons, per term: about 15,000
/// instructions a term (measured with callgrind on the example policy's 18 terms), a comparison
/// about 10.
const COMPARISONS_PER_TERM: usize = 1_500;

impl Matchers {
    /// The terms' automaton for a text with `starts` places a term may start at, or `None` to
    /// compare the terms one by one. A policy's few terms on a post or two are compared faster
    /// than the automaton is built; past that the automaton is built, once, so comparing never
    /// costs more than about twice the best choice made in hindsight.
    fn automaton(&self, terms: &[String], starts: usize) -> Option<&ContiguousNfa> {
        use std::sync::atomic::Ordering;
        if let Some(built) = self.terms.get() {
            return built.as_ref();
        }
        let n = self.terms_in_scope.len();
        let work = starts.saturating_mul(n);
        let compared = self.compared.fetch_add(work, Ordering::Relaxed).saturating_add(work);
        if compared <= n.saturating_mul(COMPARISONS_PER_TERM) {
            return None;
        }
        self.terms
            .get_or_init(|| build::term_automaton(self.terms_in_scope.iter().map(|&i| terms[i].as_str())).ok())
            .as_ref()
    }
}

/// [`anchored_matches`] without the automaton: every term in scope compared at `start`, reported
/// in the automaton's order (shortest first, then in policy order).
fn naive_matches(
    terms: &[String],
    in_scope: &[usize],
    haystack: &[u8],
    start: usize,
    out: &mut Vec<(usize, Range<usize>)>,
) {
    let from = out.len();
    out.extend(
        in_scope
            .iter()
            .enumerate()
            .filter(|(_, t)| haystack[start..].starts_with(terms[**t].as_bytes()))
            .map(|(k, t)| (k, start..start + terms[*t].len())),
    );
    out[from..].sort_by_key(|(k, r)| (r.end, *k));
}

/// Every term that starts exactly at `start`: the anchored walk from the root, with no failure
/// transitions. (The crate's own iterators do not combine anchored and overlapping searches.)
fn anchored_matches(ac: &ContiguousNfa, haystack: &[u8], start: usize, out: &mut Vec<(usize, Range<usize>)>) {
    let Ok(mut sid) = ac.start_state(Anchored::Yes) else {
        return;
    };
    for (i, &byte) in haystack[start..].iter().enumerate() {
        sid = ac.next_state(Anchored::Yes, sid, byte);
        if ac.is_dead(sid) {
            return;
        }
        if ac.is_match(sid) {
            let end = start + i + 1;
            for k in 0..ac.match_len(sid) {
                let pattern = ac.match_pattern(sid, k);
                // A state's matches may include shorter suffixes; only those starting here count.
                if end - ac.pattern_len(pattern) == start {
                    out.push((pattern.as_usize(), start..end));
                }
            }
        }
    }
}

struct Findings<'a> {
    rules: &'a [Rule],
    out: Vec<Finding>,
    per_rule: Vec<usize>,
}

impl Findings<'_> {
    /// Adds a finding: the rule's message (with `%s` as the match) if it has one, else the
    /// pattern's, else the default.
    fn push(
        &mut self,
        rule: usize,
        span: Option<Range<usize>>,
        suggestion: Option<String>,
        matched: &str,
        default: String,
        specific: Option<&str>,
    ) {
        self.push_at(
            rule,
            self.rules[rule].level,
            span,
            suggestion,
            matched,
            default,
            specific,
        );
    }

    #[allow(clippy::too_many_arguments)]
    fn push_at(
        &mut self,
        rule: usize,
        level: Level,
        span: Option<Range<usize>>,
        suggestion: Option<String>,
        matched: &str,
        default: String,
        specific: Option<&str>,
    ) {
        if self.per_rule[rule] >= MAX_PER_RULE {
            return;
        }
        self.per_rule[rule] += 1;
        let r = &self.rules[rule];
        let message = match specific.or(r.message.as_deref()) {
            Some(m) => m.replace("%s", matched),
            None => default,
        };
        self.out.push(Finding {
            rule: r.id.clone(),
            level,
            message,
            suggestion,
            span,
        });
    }

    fn rule(&mut self, i: usize, rule: &Rule, s: &Subject, ctx: &Context) {
        let text = s.text;
        match &rule.check {
            Check::Terms { .. } | Check::Pattern { .. } => {}
            Check::Links {
                allow,
                deny,
                shortener_level,
            } => {
                for link in text::links(text) {
                    let shown = &text[link.span.clone()];
                    if deny.iter().any(|d| text::host_in(&link.host, d)) {
                        let default = format!("link to {}, a denied domain", link.host);
                        self.push_at(i, Level::Deny, Some(link.span), None, shown, default, None);
                    } else if is_shortener(&link.host) {
                        let default = format!("{} is a link shortener: it hides where the link goes", link.host);
                        self.push_at(i, *shortener_level, Some(link.span), None, shown, default, None);
                    } else if !allow.is_empty() && !allow.iter().any(|a| text::host_in(&link.host, a)) {
                        let default = format!(
                            "link to {}, outside the allowed domains ({})",
                            link.host,
                            allow.join(", ")
                        );
                        self.push(i, Some(link.span), None, shown, default, None);
                    }
                }
            }
            Check::Mentions {
                mentions,
                replies,
                except,
            } => {
                if *mentions {
                    for span in text::mentions(text) {
                        let handle = &text[span.clone()];
                        if except.iter().any(|e| handle_excepted(handle, e)) {
                            continue;
                        }
                        let default = format!("{handle} names a person: get their consent before publishing");
                        self.push(i, Some(span), None, handle, default, None);
                    }
                }
                if *replies && let Some(target) = s.reply_to {
                    let default = "a reply: get approval before answering".to_string();
                    self.push(i, None, None, target, default, None);
                }
            }
            Check::HiddenCharacters { mixed_script } => {
                // Exactly what the banner shows as ⟨U+XXXX⟩ (emoji sequences stay themselves),
                // grouped in runs of adjacent characters.
                let mut runs: Vec<Range<usize>> = Vec::new();
                for (at, c, _) in crate::sanitize::hidden_chars(text) {
                    // A CRLF line end (a draft saved on Windows) is a line end, not a hidden character.
                    if c == '\r' && text[at + 1..].starts_with('\n') {
                        continue;
                    }
                    let end = at + c.len_utf8();
                    match runs.last_mut() {
                        Some(r) if r.end == at => r.end = end,
                        _ => runs.push(at..end),
                    }
                }
                for r in runs {
                    let shown = crate::sanitize::one_line(&text[r.clone()]);
                    let default = format!("hidden character(s) {shown}: they can reorder or hide text");
                    self.push(i, Some(r), None, &shown, default, None);
                }
                if *mixed_script {
                    for (r, word) in text::words(text) {
                        if !word.is_single_script() {
                            let default = format!("\"{word}\" mixes scripts: look-alike letters?");
                            self.push(i, Some(r), None, word, default, None);
                        }
                    }
                }
            }
            Check::Media {
                require_alt,
                max_images,
            } => {
                if *require_alt && s.images_without_alt > 0 {
                    let default = format!("{} image(s) without a description (--alt)", s.images_without_alt);
                    self.push(i, None, None, "", default, None);
                }
                if let Some(max) = max_images
                    && s.images > *max
                {
                    let default = format!("{} images; the policy allows {max}", s.images);
                    self.push(i, None, None, "", default, None);
                }
            }
            Check::Counts {
                max_hashtags,
                max_mentions,
                max_length,
            } => {
                for (max, found, what) in [
                    (max_hashtags, text::hashtags(text), "hashtags"),
                    (max_mentions, text::mentions(text), "mentions"),
                ] {
                    if let Some(max) = max
                        && found.len() > *max
                    {
                        let span = found[*max].clone();
                        let default = format!("{} {what}; the policy allows {max}", found.len());
                        let shown = text[span.clone()].to_string();
                        self.push(i, Some(span), None, &shown, default, None);
                    }
                }
                if let Some(max) = max_length
                    && s.length > *max
                {
                    let default = format!("{} characters; the policy allows {max}", s.length);
                    self.push(i, None, None, "", default, None);
                }
            }
            Check::Language { allowed } => match s.language {
                None => {
                    let default = "no language tag: pass --language or set the account's language".to_string();
                    self.push(i, None, None, "", default, None);
                }
                Some(lang) => {
                    let primary = lang.split('-').next().unwrap_or(lang).to_ascii_lowercase();
                    if !allowed.is_empty() && !allowed.iter().any(|a| *a == primary || a == lang) {
                        let default = format!("language `{lang}` is not one of {}", allowed.join(", "));
                        self.push(i, None, None, lang, default, None);
                    }
                }
            },
            Check::Schedule(quiet) => {
                if let Some(at) = ctx.at
                    && quiet.contains(at)
                {
                    let default = match quiet.tz() {
                        Some(tz) => format!(
                            "{} falls in the quiet hours {}",
                            at.to_zoned(tz.clone()).strftime("%a %H:%M"),
                            quiet.window()
                        ),
                        None => format!(
                            "the time zone {} cannot be read, so the post counts as in the quiet hours {}",
                            quiet.tz_name,
                            quiet.window()
                        ),
                    };
                    self.push(i, None, None, "", default, None);
                }
            }
            Check::Rate { per_hour, per_day } => {
                if let Some(recent) = ctx.recent {
                    for (max, count, what) in [
                        (per_hour, recent.last_hour, "hour"),
                        (per_day, recent.last_day, "24 hours"),
                    ] {
                        if let Some(max) = max
                            && count + 1 > *max
                        {
                            let default = format!("{count} posts in the last {what} already; the policy allows {max}");
                            self.push(i, None, None, "", default, None);
                        }
                    }
                }
            }
        }
    }
}

/// `except` entries: a handle (`@culture_gouv`, `@agence@social.gouv.fr`), or `*.domain` for
/// every handle on that domain.
fn handle_excepted(mention: &str, entry: &str) -> bool {
    let mention = mention.trim_start_matches('@').to_ascii_lowercase();
    let entry = entry.trim_start_matches('@').to_ascii_lowercase();
    match entry.strip_prefix("*.") {
        Some(domain) => {
            let host = mention.rsplit_once('@').map_or(mention.as_str(), |(_, h)| h);
            text::host_in(host, domain)
        }
        None => mention == entry,
    }
}

/// Counts of each level, for summaries: (deny, approve, warn).
pub fn tally(findings: &[Finding]) -> (usize, usize, usize) {
    findings.iter().fold((0, 0, 0), |(d, a, w), f| match f.level {
        Level::Deny => (d + 1, a, w),
        Level::Approve => (d, a + 1, w),
        Level::Warn => (d, a, w + 1),
    })
}

#[cfg(test)]
mod tests;
