//! A post's length as X counts it: the weighted length of twitter-text's configuration v3.
//!
//! X documents the rules in "Counting characters" (docs.x.com, `fundamentals/counting-characters`)
//! and publishes them as data in twitter-text's `config/v3.json`: scale 100, default weight 200,
//! `maxWeightedTweetLength` 280, `transformedURLLength` 23, `emojiParsingEnabled` true, and four
//! ranges of weight 100. The text is NFC-normalised first; then, from left to right, a URL
//! weighs 23, an emoji sequence 2, and any other code point 1 or 2 by its range.
//!
//! Where the documentation is silent (what is a URL, where an emoji sequence ends) this module
//! follows what twitter-text does, since that is what X's own clients count with and what its
//! conformance vectors check; the tests compare it with npm `twitter-text` 3.1.0 on generated
//! texts (tests/x_counting.rs). The code is written from those rules and from what npm
//! twitter-text answers, not taken from it; the TLD list (tlds.txt) is its data.
//!
//! Emoji sequences come from the `emojis` crate: Unicode's emoji-test.txt (Emoji 18.0), looked
//! up in O(1) with the minimally-qualified and unqualified forms people type (`1⃣`, `🏳‍🌈`).
//! npm twitter-text's own table stops at Emoji 11.0, so 🐦‍🔥 is 5 there and 2 here, as X's
//! documentation says. `icu_properties`, already a dependency, has only Basic_Emoji, not the
//! RGI sequences.

use std::ops::Range;
use std::sync::LazyLock;

use unicode_normalization::UnicodeNormalization;

/// The most "characters" a post may weigh (`maxWeightedTweetLength` in config v3).
pub const MAX_WEIGHTED_LENGTH: usize = 280;

/// Weights are in hundredths of a character (`scale` in config v3), so the totals stay integers.
const SCALE: usize = 100;
/// The weight of a code point outside every range, and of an emoji sequence (`defaultWeight`).
const DEFAULT_WEIGHT: usize = 200;
/// A URL counts as the t.co link X replaces it with (`transformedURLLength` 23).
const URL_WEIGHT: usize = 23 * SCALE;
/// The code points of weight 100 (`ranges` in config v3): Latin, Greek, Cyrillic and the other
/// alphabets up to U+10FF, and the spaces, dashes, quotes and primes of General Punctuation.
const LIGHT_RANGES: [(u32, u32); 4] = [(0, 4351), (8192, 8205), (8208, 8223), (8242, 8247)];

/// The post's length in X's characters, as X counts it (config v3): what twitter-text's
/// `parseTweet(text).weightedLength` gives.
pub fn weighted_length(text: &str) -> usize {
    weigh(text, true)
}

/// The length with config v2, which is v3 without emoji parsing: each code point of an emoji
/// sequence weighs by its range. twitter-text's conformance group `WeightedTweetsCounterTest`
/// is counted this way; X itself counts with v3 ([`weighted_length`]).
pub fn weighted_length_v2(text: &str) -> usize {
    weigh(text, false)
}

fn weigh(text: &str, emoji_parsing: bool) -> usize {
    // NFC first (counting-characters: "normalized ... NFC"), so "é" typed as e + U+0301 is one.
    let text: String = text.nfc().collect();
    let chars: Vec<char> = text.chars().collect();
    // byte[k] is where chars[k] starts in `text`, and byte[len] its end, to slice emoji.
    let mut byte = Vec::with_capacity(chars.len() + 1);
    let mut at = 0;
    for c in &chars {
        byte.push(at);
        at += c.len_utf8();
    }
    byte.push(at);

    let urls = urls(&chars);
    let mut next_url = urls.iter().peekable();
    let mut total = 0;
    let mut i = 0;
    while i < chars.len() {
        // A URL that starts inside something already counted is not one (as twitter-text).
        while next_url.peek().is_some_and(|u| u.start < i) {
            next_url.next();
        }
        if let Some(url) = next_url.next_if(|u| u.start == i) {
            total += URL_WEIGHT;
            // twitter-text skips the URL's length in UTF-16 units; when that ends inside a
            // surrogate pair, the pair's second half is counted as a character of its own.
            let mut skipped = 0;
            while skipped < url.utf16_len && i < chars.len() {
                skipped += chars[i].len_utf16();
                i += 1;
            }
            if skipped > url.utf16_len {
                total += DEFAULT_WEIGHT;
            }
            continue;
        }
        if emoji_parsing && let Some(len) = emoji_at(&text, &byte, i) {
            total += DEFAULT_WEIGHT;
            i += len;
            continue;
        }
        total += weight(chars[i]);
        i += 1;
    }
    total / SCALE
}

fn weight(c: char) -> usize {
    let c = c as u32;
    if LIGHT_RANGES.iter().any(|&(lo, hi)| (lo..=hi).contains(&c)) {
        SCALE
    } else {
        DEFAULT_WEIGHT
    }
}

/// The longest emoji sequence of two code points or more starting at chars[i], as a number of
/// code points. A single code point is left to its range: the ones that could be read as emoji
/// and lie in the weight-100 ranges (©, ®) are text unless followed by U+FE0F, which is how
/// twitter-text counts them (`©` 1, `©️` 2); every other emoji code point weighs 2 either way.
fn emoji_at(text: &str, byte: &[usize], i: usize) -> Option<usize> {
    // The longest sequence in Unicode's emoji-test.txt (a kiss with two skin tones) has 10 code
    // points; 12 leaves room without making the search long.
    const LONGEST: usize = 12;
    let last = (i + LONGEST).min(byte.len() - 1);
    (i + 2..=last)
        .rev()
        .find(|&j| {
            let s = &text[byte[i]..byte[j]];
            emojis::get(s).is_some() && !keycap_base(s)
        })
        .map(|j| j - i)
}

/// `0`-`9`, `#` or `*` with U+FE0F and no U+20E3: emoji-variation-sequences.txt lists them, but
/// they are only the start of a keycap, and twitter-text counts them as two characters.
fn keycap_base(s: &str) -> bool {
    let mut c = s.chars();
    matches!(
        (c.next(), c.next(), c.next()),
        (Some('0'..='9' | '#' | '*'), Some('\u{FE0F}'), None)
    )
}

// ---- URLs --------------------------------------------------------------------------------
//
// counting-characters: "URLs ... count as 23 characters, even if the URL is shorter", and a
// URL is what twitter-text's extractor finds, with or without http(s)://. Its rules, as the
// functions below implement them (positions are in chars of the NFC text):
// - a URL starts at the beginning of the text or after a character that is not an ASCII letter
//   or digit, `@ ＠ $ # ＃` or U+FFFE/FEFF/FFFF;
// - it is an optional `http://` or `https://`, a domain (labels and a known TLD), an optional
//   `:port`, an optional `/path` and an optional `?query`;
// - without a scheme, it may not follow `- _ . /`, only the ASCII part of the domain counts
//   (a Japanese word glued to `example.com` stays text), and a query without a path is text;
// - each domain label must be 1 to 63 characters once punycode-encoded (RFC 3490 4.1);
// - a t.co link ends after its slug and query;
// - a scan that finds a URL it then rejects resumes after it, so the rejected text stays text.

/// The TLDs in the order twitter-text tries them: generic first, then country codes.
static TLDS: LazyLock<Vec<Vec<char>>> = LazyLock::new(|| {
    include_str!("tlds.txt")
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with('['))
        .map(|l| l.chars().collect())
        .collect()
});

struct Found {
    /// Where the URL itself starts (after the preceding character).
    start: usize,
    /// The end of everything matched, query included, where the scan resumes.
    end: usize,
    scheme: usize,
    domain: Range<usize>,
    has_path: bool,
}

/// A URL as twitter-text counts it: where it starts, and how much text it covers, in UTF-16
/// units (its length as a JavaScript string).
struct Url {
    start: usize,
    utf16_len: usize,
}

fn utf16(chars: &[char]) -> usize {
    chars.iter().map(|c| c.len_utf16()).sum()
}

fn urls(chars: &[char]) -> Vec<Url> {
    let mut found = Vec::new();
    // Every domain has a dot; twitter-text skips the scan without one.
    if !chars.contains(&'.') {
        return found;
    }
    let mut from = 0;
    let mut domains = Domains::new(chars);
    while let Some((before, m)) = next_match(&mut domains, from) {
        from = m.end;
        if !valid_length(chars, &m) {
            continue;
        }
        if m.scheme == 0 {
            if before.is_some_and(|c| matches!(c, '-' | '_' | '.' | '/')) {
                continue;
            }
            let domain = &chars[m.domain.clone()];
            let ascii = ascii_domains(domain);
            let Some(last) = ascii.len().checked_sub(1) else {
                continue;
            };
            for (k, r) in ascii.into_iter().enumerate() {
                let start = m.domain.start + r.start;
                // With a path, the last ASCII domain takes it, and the URL is that domain and
                // what follows the whole domain: a non-ASCII tail of the domain (`.例え.co` in
                // `m.fr.例え.co/x`) is left out of its length, as twitter-text does, so the end
                // of the path is then counted as text.
                let after = if k == last && m.has_path {
                    utf16(&chars[m.domain.end..m.end])
                } else {
                    0
                };
                found.push(Url {
                    start,
                    utf16_len: utf16(&domain[r]) + after,
                });
            }
        } else {
            let end = match tco_end(chars, &m) {
                Some(Some(end)) => end,
                Some(None) => continue,
                None => m.end,
            };
            found.push(Url {
                start: m.start,
                utf16_len: utf16(&chars[m.start..end]),
            });
        }
    }
    found
}

/// The next candidate from `from` on, with the character before it (None at the text's start).
///
/// twitter-text scans UTF-16 units, so a code point outside the BMP is two steps: its first
/// half may precede a URL whose domain starts with its second half, a domain character like
/// any other (in `😀-t.co/x` that makes `-t.co/x` a URL). `lead` tries that first.
fn next_match(domains: &mut Domains, from: usize) -> Option<(Option<char>, Found)> {
    let chars = domains.chars;
    for (s, &c) in chars.iter().enumerate().skip(from) {
        if c.len_utf16() == 2
            && let Some(m) = url_at(domains, s, true)
        {
            return Some((Some(c), m));
        }
        if c.len_utf16() == 2
            && s == 0
            && let Some(m) = url_at(domains, 0, false)
        {
            return Some((None, m));
        }
        if may_precede(c)
            && let Some(m) = url_at(domains, s + 1, false)
        {
            return Some((Some(c), m));
        }
        if s == 0
            && let Some(m) = url_at(domains, 0, false)
        {
            return Some((None, m));
        }
    }
    None
}

fn may_precede(c: char) -> bool {
    directional(c) || !(c.is_ascii_alphanumeric() || matches!(c, '@' | '＠' | '$' | '#' | '＃') || invalid(c))
}

/// The URL at `start`; with `lead`, at the second half of chars[start] (see [`next_match`]).
fn url_at(domains: &mut Domains, start: usize, lead: bool) -> Option<Found> {
    let chars = domains.chars;
    let scheme = ["https://", "http://"]
        .iter()
        .find(|p| !lead && starts_with_ignore_case(chars, start, p))
        .map_or(0, |p| p.len());
    let domain_at = if lead { start + 1 } else { start };
    // With a scheme and no domain after it, the scheme's letters may still start a domain.
    let (scheme, domain_end) = match domains.end(domain_at + scheme, lead) {
        Some(end) => (scheme, end),
        None if scheme > 0 => (0, domains.end(start, false)?),
        None => return None,
    };
    let domain = start + scheme..domain_end;
    let mut end = domain_end;
    if chars.get(end) == Some(&':') && chars.get(end + 1).is_some_and(char::is_ascii_digit) {
        end += 1;
        while chars.get(end).is_some_and(char::is_ascii_digit) {
            end += 1;
        }
    }
    let has_path = chars.get(end) == Some(&'/');
    if has_path {
        end = path_end(chars, end + 1);
    }
    if chars.get(end) == Some(&'?') {
        end = query_end(chars, end + 1).unwrap_or(end);
    }
    Some(Found {
        start,
        end,
        scheme,
        domain,
        has_path,
    })
}

/// Where domains end, for one text. Each label start is worked out once: every position may
/// start a domain, and a text of many short labels (`a.a.a.…`) would otherwise be quadratic
/// in labels and TLD checks.
struct Domains<'a> {
    chars: &'a [char],
    /// run_end[k]: the first position from k on that cannot be in a label.
    run_end: Vec<usize>,
    /// chain[p]: for a label starting at p, the furthest domain end its chain of labels gives.
    chain: Vec<Option<Option<usize>>>,
    /// underscores[k]: how many `_` come before position k, to tell a label has one at once.
    underscores: Vec<usize>,
}

impl<'a> Domains<'a> {
    fn new(chars: &'a [char]) -> Self {
        let mut run_end = vec![chars.len(); chars.len() + 1];
        for k in (0..chars.len()).rev() {
            run_end[k] = if label_char(chars[k]) { run_end[k + 1] } else { k };
        }
        let mut underscores = Vec::with_capacity(chars.len() + 1);
        let mut seen = 0;
        underscores.push(0);
        for &c in chars {
            seen += usize::from(c == '_');
            underscores.push(seen);
        }
        Domains {
            chars,
            run_end,
            chain: vec![None; chars.len() + 1],
            underscores,
        }
    }

    /// The end of the label at `at` when it is one and a dot follows it. With `lead`, the
    /// label starts with a domain character just before `at`.
    fn label(&self, at: usize, lead: bool) -> Option<usize> {
        let chars = self.chars;
        let end = self.run_end[at];
        let ok = if lead {
            end == at || domain_char(chars[end - 1])
        } else {
            end > at && domain_char(chars[at]) && domain_char(chars[end - 1])
        };
        (ok && chars.get(end) == Some(&'.')).then_some(end)
    }

    /// A TLD after the label start..end when that label may come last (no underscore).
    fn name_then_tld(&self, start: usize, end: usize) -> Option<usize> {
        let chars = self.chars;
        if self.underscores[end] > self.underscores[start] {
            None
        } else {
            tld_end(chars, end + 1, chars.len())
        }
    }

    /// The end of the domain starting at `start`: labels each followed by a dot, then a TLD.
    /// The most labels that still end in a known TLD win; the last label before the TLD may
    /// not have an underscore (twitter-text's validDomainName against validSubdomain).
    fn end(&mut self, start: usize, lead: bool) -> Option<usize> {
        let end = self.label(start, lead)?;
        self.chain_end(end + 1).or_else(|| self.name_then_tld(start, end))
    }

    fn chain_end(&mut self, from: usize) -> Option<usize> {
        let mut labels = Vec::new();
        let mut at = from;
        let mut known = None;
        loop {
            if let Some(memo) = self.chain[at] {
                known = memo;
                break;
            }
            match self.label(at, false) {
                Some(end) => {
                    labels.push((at, end));
                    at = end + 1;
                }
                None => break,
            }
        }
        for (start, end) in labels.into_iter().rev() {
            known = known.or_else(|| self.name_then_tld(start, end));
            self.chain[start] = Some(known);
        }
        known
    }
}

/// A known TLD at `at`, not followed by a letter, digit, `@`, `+` or `-` (before `limit`), or a
/// punycode TLD.
fn tld_end(chars: &[char], at: usize, limit: usize) -> Option<usize> {
    let chars = &chars[..limit];
    let free = |k: usize| {
        chars
            .get(k)
            .is_none_or(|&c| !(c.is_ascii_alphanumeric() || matches!(c, '@' | '+' | '-')))
    };
    for tld in TLDS.iter() {
        let end = at + tld.len();
        if end <= chars.len() && chars[at..end].iter().zip(tld).all(|(a, b)| same_ignoring_case(*a, *b)) && free(end) {
            return Some(end);
        }
    }
    if starts_with_ignore_case(chars, at, "xn--") {
        let end = (at + 4..chars.len())
            .find(|&k| !(chars[k].is_ascii_alphanumeric() || chars[k] == '-'))
            .unwrap_or(chars.len());
        if end > at + 4 {
            return Some(end);
        }
    }
    None
}

/// The ASCII domains inside a domain, as ranges of it: runs of `[-a-z0-9]` and Latin letters
/// with accents, each followed by a dot, then a TLD.
fn ascii_domains(domain: &[char]) -> Vec<Range<usize>> {
    let mut found = Vec::new();
    let mut s = 0;
    while s < domain.len() {
        match ascii_domain_at(domain, s) {
            Some(end) => {
                found.push(s..end);
                s = end;
            }
            None => s += 1,
        }
    }
    found
}

fn ascii_domain_at(domain: &[char], start: usize) -> Option<usize> {
    let mut dots = Vec::new();
    let mut at = start;
    loop {
        let end = (at..domain.len())
            .find(|&k| !ascii_label_char(domain[k]))
            .unwrap_or(domain.len());
        if end == at || domain.get(end) != Some(&'.') {
            break;
        }
        dots.push(end);
        at = end + 1;
    }
    dots.iter()
        .rev()
        .find_map(|&dot| tld_end(domain, dot + 1, domain.len()))
}

/// `/` then the longest run of path characters and balanced parentheses that ends in a
/// character a path may end with (not `.`, `,`, `!` ...: the sentence's punctuation after a
/// link stays outside it) or in a closing parenthesis. `start` is just after the `/`.
///
/// A closing parenthesis ends the path only when its group starts where the path could
/// already end: twitter-text's validUrlPathEndingChars is spliced into validUrlPath without a
/// group, so its `|(?:balanced parens)` is an alternative of the whole path segment
/// (`/1(a)` is a path; in `/1'(a)` the path is `/1`).
fn path_end(chars: &[char], start: usize) -> usize {
    let mut best = start;
    let mut at = start;
    while at < chars.len() {
        if path_char(chars[at]) {
            at += 1;
            if path_ending_char(chars[at - 1]) {
                best = at;
            }
        } else if let Some(end) = balanced_parens(chars, at) {
            if best == at {
                best = end;
            }
            at = end;
        } else {
            break;
        }
    }
    best
}

/// `(x)` or one level deeper, `(a(b)c)`, of path characters.
fn balanced_parens(chars: &[char], at: usize) -> Option<usize> {
    let run = |from: usize| {
        (from..chars.len())
            .find(|&k| !path_char(chars[k]))
            .unwrap_or(chars.len())
    };
    if chars.get(at) != Some(&'(') {
        return None;
    }
    let first = run(at + 1);
    match chars.get(first) {
        Some(')') if first > at + 1 => Some(first + 1),
        Some('(') => {
            let inner = run(first + 1);
            if inner == first + 1 || chars.get(inner) != Some(&')') {
                return None;
            }
            let after = run(inner + 1);
            (chars.get(after) == Some(&')')).then_some(after + 1)
        }
        _ => None,
    }
}

/// The end of a query whose text starts at `start` (after `?`): its longest run of query
/// characters, cut back to the last one a query may end with. None when there is none.
fn query_end(chars: &[char], start: usize) -> Option<usize> {
    let run = (start..chars.len())
        .find(|&k| !query_char(chars[k]))
        .unwrap_or(chars.len());
    (start..run).rev().find(|&k| query_ending_char(chars[k])).map(|k| k + 1)
}

/// For a t.co link, the end of its slug and query: Some(None) when the slug is longer than
/// t.co makes (40), which twitter-text rejects; None when the URL is not a t.co link.
fn tco_end(chars: &[char], m: &Found) -> Option<Option<usize>> {
    let host = m.start + m.scheme;
    if !starts_with_ignore_case(chars, host, "t.co/") {
        return None;
    }
    let slug = host + 5;
    let slug_end = (slug..m.end)
        .find(|&k| !chars[k].is_ascii_alphanumeric())
        .unwrap_or(m.end);
    if slug_end == slug {
        return None;
    }
    if slug_end - slug > 40 {
        return Some(None);
    }
    let end = if chars.get(slug_end) == Some(&'?') {
        query_end(&chars[..m.end], slug_end + 1).unwrap_or(slug_end)
    } else {
        slug_end
    };
    Some(Some(end))
}

/// twitter-text's limits on a URL's size: each label 1 to 63 characters in punycode, and the
/// whole at most 4096 UTF-16 units with its scheme (https:// when it has none).
fn valid_length(chars: &[char], m: &Found) -> bool {
    let domain = &chars[m.domain.clone()];
    // A domain written in punycode must be ASCII.
    if domain.starts_with(&['x', 'n', '-', '-']) && ascii_domains(domain).is_empty() {
        return false;
    }
    let labels_ok = domain.split(|&c| c == '.').all(|label| {
        // punycode.toASCII also splits at the ideographic and full-width full stops.
        let parts = label.split(|&c| matches!(c, '\u{3002}' | '\u{FF0E}' | '\u{FF61}'));
        let mut len = 0;
        for (k, part) in parts.enumerate() {
            len += usize::from(k > 0);
            if part.iter().all(|c| (' '..='~').contains(c)) {
                len += part.len();
            } else {
                match idna::punycode::encode(part) {
                    Some(encoded) => len += 4 + encoded.len(),
                    None => return false,
                }
            }
        }
        (1..=63).contains(&len)
    });
    let scheme = if m.scheme == 0 { "https://".len() } else { m.scheme };
    labels_ok && scheme + utf16(&chars[m.start..m.end]) <= 4096
}

/// As a JavaScript regular expression with the `i` flag and no `u` compares: by upper case,
/// except that nothing outside ASCII matches an ASCII letter (so `РФ` is the TLD `рф`).
fn same_ignoring_case(a: char, b: char) -> bool {
    let upper = |c: char| {
        let mut u = c.to_uppercase();
        match (u.next(), u.next()) {
            (Some(x), None) if c.is_ascii() || !x.is_ascii() => x,
            _ => c,
        }
    };
    a == b || upper(a) == upper(b)
}

fn starts_with_ignore_case(chars: &[char], at: usize, prefix: &str) -> bool {
    let mut k = at;
    for p in prefix.chars() {
        match chars.get(k) {
            Some(c) if c.eq_ignore_ascii_case(&p) => k += 1,
            _ => return false,
        }
    }
    true
}

// ---- character classes (twitter-text's regexp/*.js, as sets) -------------------------------

fn space(c: char) -> bool {
    matches!(c, '\u{09}'..='\u{0D}' | ' ' | '\u{85}' | '\u{A0}' | '\u{1680}' | '\u{180E}' | '\u{2000}'..='\u{200A}' | '\u{2028}' | '\u{2029}' | '\u{202F}' | '\u{205F}' | '\u{3000}')
}

fn invalid(c: char) -> bool {
    matches!(c, '\u{FFFE}' | '\u{FEFF}' | '\u{FFFF}')
}

fn directional(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{2066}'..='\u{2069}')
}

/// Punctuation that cannot be in a domain label. `"` and `` ` `` are not in twitter-text's list.
fn punct(c: char) -> bool {
    "!'#%&()*+,\\-./:;<=>?@[]^_{|}~$".contains(c)
}

/// A character of a domain label other than `-` and `_`: anything but punctuation and spaces,
/// so internationalised domains (`http://例え.jp`) are domains.
fn domain_char(c: char) -> bool {
    !(punct(c) || space(c) || invalid(c) || directional(c))
}

fn label_char(c: char) -> bool {
    domain_char(c) || c == '-' || c == '_'
}

fn latin_accent(c: char) -> bool {
    matches!(c, '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{24F}' | '\u{253}' | '\u{254}' | '\u{256}' | '\u{257}' | '\u{259}' | '\u{25B}' | '\u{263}' | '\u{268}' | '\u{26F}' | '\u{272}' | '\u{289}' | '\u{28B}' | '\u{2BB}' | '\u{300}'..='\u{36F}' | '\u{1E00}'..='\u{1EFF}')
}

fn ascii_label_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || latin_accent(c)
}

fn cyrillic(c: char) -> bool {
    ('\u{400}'..='\u{4FF}').contains(&c)
}

fn path_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || cyrillic(c) || latin_accent(c) || "!*';:=+,.$/%#[]-\u{2013}_~@|&".contains(c)
}

fn path_ending_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || cyrillic(c) || latin_accent(c) || "+-=_#/".contains(c)
}

fn query_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!?*'@();:&=+$/%#[]-_.,~|".contains(c)
}

fn query_ending_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-_&=#/".contains(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_is_280() {
        assert_eq!(MAX_WEIGHTED_LENGTH, 280);
        assert_eq!(weighted_length(&"a".repeat(280)), MAX_WEIGHTED_LENGTH);
    }

    #[test]
    fn code_points_in_the_v3_ranges_weigh_one_and_the_others_two() {
        assert_eq!(weighted_length("Bonjour à tous"), 14);
        assert_eq!(weighted_length("\u{10FF}"), 1, "the last of 0-4351");
        assert_eq!(weighted_length("\u{1100}"), 2, "Hangul Jamo, just after it");
        assert_eq!(weighted_length("\u{2000}\u{200D}"), 2, "8192-8205");
        assert_eq!(weighted_length("\u{200E}"), 2, "8206 is outside");
        assert_eq!(weighted_length("\u{2010}\u{201F}"), 2, "8208-8223");
        assert_eq!(weighted_length("\u{2032}\u{2037}"), 2, "8242-8247");
        assert_eq!(weighted_length("\u{2038}"), 2);
        assert_eq!(weighted_length("日本語"), 6);
        assert_eq!(weighted_length("한국어"), 6);
    }

    #[test]
    fn nfc_comes_first() {
        // e + COMBINING ACUTE is one é; without NFC it would be 2.
        assert_eq!(weighted_length("e\u{301}"), 1);
        // Hangul jamo compose into one syllable: 2, not 4.
        assert_eq!(weighted_length("\u{1112}\u{1161}"), 2);
    }

    #[test]
    fn a_url_counts_23_with_or_without_a_scheme() {
        assert_eq!(weighted_length("http://example.com"), 23);
        assert_eq!(
            weighted_length("https://example.com/a/very/long/path/that/goes/on?and=on&more=1"),
            23
        );
        assert_eq!(weighted_length("voir example.com"), 28);
        assert_eq!(weighted_length("www.gouv.fr/x"), 23);
        assert_eq!(
            weighted_length("http://例え.jp"),
            23,
            "an internationalised domain with a scheme"
        );
        assert_eq!(weighted_length("example.РФ"), 23, "a TLD in capitals");
    }

    #[test]
    fn what_is_not_a_url_counts_by_its_characters() {
        assert_eq!(weighted_length("example.notatld"), 15);
        assert_eq!(weighted_length("@example.com"), 12, "after @");
        assert_eq!(weighted_length("-example.com"), 12, "without a scheme, not after -");
        assert_eq!(weighted_length("1.2.3.4"), 7);
        let label = "a".repeat(64);
        assert_eq!(
            weighted_length(&format!("{label}.com")),
            68,
            "a label over 63 characters"
        );
        assert_eq!(weighted_length(&format!("http://{label}.com")), 75);
    }

    #[test]
    fn punctuation_after_a_url_stays_outside_it() {
        assert_eq!(weighted_length("example.com/a."), 24);
        assert_eq!(
            weighted_length("example.com/wiki/A_(b),"),
            24,
            "balanced parentheses are in"
        );
        assert_eq!(weighted_length("example.com?x=1"), 27, "no path, so the query is text");
        assert_eq!(weighted_length("http://example.com?x=1."), 24);
    }

    #[test]
    fn parentheses_end_a_path_only_where_it_could_end_already() {
        assert_eq!(weighted_length("x.com/1(a)"), 23);
        assert_eq!(weighted_length("x.com/1'(a)"), 27, "the path is /1");
        assert_eq!(weighted_length("x.com/1'(a)b"), 23, "b ends it");
    }

    #[test]
    fn only_the_ascii_part_of_a_domain_without_scheme_is_a_url() {
        assert_eq!(weighted_length("日本example.com"), 27);
    }

    #[test]
    fn a_domain_without_scheme_whose_tail_is_not_ascii_leaves_the_end_of_its_path_out() {
        // The URL is "m.fr" and the path (11 units); the 6 units of ".例え.co" are counted at
        // the end of the path instead, as twitter-text does.
        assert_eq!(weighted_length("m.fr.例え.co/abcdef"), 29);
        // Ending the skip inside 😀's surrogate pair counts its second half as a character.
        assert_eq!(weighted_length("m.fr.x😀.co/ab"), 31);
    }

    #[test]
    fn a_domain_may_start_with_the_second_half_of_a_surrogate_pair() {
        // twitter-text reads UTF-16: after 😀's first half, "\u{DE00}-t.co/x" is a domain
        // whose ASCII part "-t.co" is the URL. Read by code points it would not be one.
        assert_eq!(weighted_length("😀-t.co/x"), 25);
    }

    #[test]
    fn a_tco_link_ends_after_its_slug() {
        assert_eq!(weighted_length("https://t.co/abc-def"), 27);
        let slug = "a".repeat(41);
        assert_eq!(
            weighted_length(&format!("https://t.co/{slug}")),
            8 + 5 + 41,
            "a slug t.co never makes"
        );
    }

    #[test]
    fn an_emoji_sequence_counts_2() {
        assert_eq!(weighted_length("👨‍👩‍👧‍👦"), 2, "a ZWJ family");
        assert_eq!(weighted_length("👍🏽"), 2, "a skin tone");
        assert_eq!(weighted_length("🇫🇷"), 2, "a flag");
        assert_eq!(weighted_length("🏴󠁧󠁢󠁳󠁣󠁴󠁿"), 2, "a tag sequence");
        assert_eq!(weighted_length("#️⃣"), 2, "a keycap");
        assert_eq!(weighted_length("1⃣"), 2, "a keycap without its variation selector");
        assert_eq!(weighted_length("🐦‍🔥"), 2, "Emoji 15.1");
        assert_eq!(weighted_length("🙂‍↔️"), 2);
        assert_eq!(weighted_length("😷"), 2);
        assert_eq!(weighted_length("🏳\u{200D}🌈"), 2, "minimally qualified, without U+FE0F");
    }

    #[test]
    fn a_lone_code_point_that_may_be_emoji_weighs_by_its_range() {
        assert_eq!(weighted_length("©"), 1);
        assert_eq!(weighted_length("©\u{FE0F}"), 2);
        assert_eq!(weighted_length("☺"), 2);
        assert_eq!(weighted_length("😀\u{FE0F}"), 4, "no such sequence: two code points");
        assert_eq!(weighted_length("0\u{FE0F}"), 3, "a keycap's start without U+20E3");
    }

    #[test]
    fn v2_weighs_each_code_point_of_an_emoji() {
        assert_eq!(weighted_length_v2("👨‍👩‍👧‍👦"), 11, "four of 2 and three ZWJ of 1");
        assert_eq!(weighted_length_v2("http://example.com é"), 25);
    }
}
