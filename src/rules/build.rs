//! Building the matchers a rule set runs (the terms' automaton, the patterns' set) and reading a
//! time zone: what is done when an account's rules are first checked, apart from validating a
//! policy, so that the checker and the compiler both call down here.

use aho_corasick::MatchKind;
use aho_corasick::nfa::contiguous::NFA as ContiguousNfa;
use regex::RegexSetBuilder;

/// What the patterns of a policy may take together, compiled: big enough for tens of thousands
/// of patterns (the default 10 MB refuses large policies).
pub const REGEX_SIZE_LIMIT: usize = 1 << 30;

/// What one pattern may take, compiled: regex's own default for a single regex. The set gets
/// this much per pattern (up to [`REGEX_SIZE_LIMIT`]), so one pattern that explodes when
/// compiled (`\w{1000}{1000}`) fails in milliseconds instead of filling a gigabyte first.
pub const PATTERN_SIZE_LIMIT: usize = 10 << 20;

/// What a set of `patterns` patterns may take compiled: [`PATTERN_SIZE_LIMIT`] each, up to
/// [`REGEX_SIZE_LIMIT`].
pub fn set_size_limit(patterns: usize) -> usize {
    PATTERN_SIZE_LIMIT.saturating_mul(patterns).min(REGEX_SIZE_LIMIT)
}

/// The one automaton for `terms` (folded).
pub fn term_automaton<'a>(terms: impl Iterator<Item = &'a str>) -> Result<ContiguousNfa, aho_corasick::BuildError> {
    let terms: Vec<&str> = terms.collect();
    ContiguousNfa::builder()
        .match_kind(MatchKind::Standard)
        // Dense states near the root make the anchored walks one lookup per byte; they
        // only pay for themselves in big term lists.
        .dense_depth(if terms.len() > 1000 { 6 } else { 3 })
        .build(&terms)
}

/// The one set for `patterns`, given the size limit of a set of `of` patterns: an account's set
/// gets the limit of the whole policy's, so that it cannot fail where the whole one would not.
pub fn pattern_set<'a>(patterns: impl Iterator<Item = &'a str>, of: usize) -> Result<regex::RegexSet, regex::Error> {
    let patterns: Vec<&str> = patterns.collect();
    let limit = set_size_limit(of.max(patterns.len()));
    RegexSetBuilder::new(&patterns)
        .size_limit(limit)
        .dfa_size_limit(limit / 4)
        .build()
}

pub fn plausible_timezone(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('/')
        && name
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
        && name.chars().all(|c| c.is_ascii_alphanumeric() || "/_-+".contains(c))
}

pub fn zoneinfo_dir() -> std::path::PathBuf {
    std::env::var_os("TZDIR").map_or_else(|| std::path::PathBuf::from("/usr/share/zoneinfo"), Into::into)
}

/// An IANA time zone: the system's file for it, read directly, else jiff's bundled copy.
///
/// jiff's own lookup indexes the whole zoneinfo tree first (about 1.5 ms of directory reads),
/// which every run of a policy with quiet hours would pay for one zone.
pub fn load_timezone(name: &str) -> Option<jiff::tz::TimeZone> {
    if !plausible_timezone(name) {
        return None;
    }
    let dir = zoneinfo_dir();
    if let Ok(bytes) = std::fs::read(dir.join(name))
        && let Ok(tz) = jiff::tz::TimeZone::tzif(name, &bytes)
    {
        return Some(tz);
    }
    jiff::tz::TimeZoneDatabase::bundled().get(name).ok()
}
