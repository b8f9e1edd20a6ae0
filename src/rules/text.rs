//! What the rules look at in a post: folded words, links, mentions, hashtags.
//!
//! Every function returns byte ranges into the original text that start and end on character
//! boundaries, so a finding can always be sliced, highlighted and turned into line:col.

use super::small_capitals::SMALL_CAPITALS;
use std::ops::Range;
use unicode_normalization::char::{decompose_canonical, decompose_compatible, is_combining_mark};

/// Text folded for matching. Terms and posts go through the same folding, so a term matches
/// however the post spells it:
/// - compatibility forms are their letters (NFKC: fullwidth `ｃ`, mathematical `𝐜` and `𝖼`,
///   circled `ⓒ`, superscript `ᶜ`, ligatures);
/// - case is folded, and diacritics are dropped (`É` is `e`);
/// - look-alike letters NFKC leaves alone are their Latin letter: small capitals (`ᴄ`, from a
///   table generated from the UCD) and the UTS #39 confusables skeleton (Cyrillic `с`, Greek `ο`);
/// - characters the sanitizer hides as invisible (format, default-ignorable, control) are
///   removed, so `cand` + a tag character + `idat` is `candidat`;
/// - every run of whitespace (and of blanks such as U+3164) is one space;
/// - typographic apostrophes are `'`.
///
/// `map[i]` is the original character range behind folded byte `i`: a finding on the folded
/// text is reported on the text as written.
pub struct Folded {
    pub text: String,
    map: Vec<(u32, u32)>,
}

impl Folded {
    /// The original byte range behind a folded range.
    pub fn original(&self, folded: Range<usize>) -> Range<usize> {
        let start = self.map[folded.start].0 as usize;
        let end = self.map[folded.end - 1].1 as usize;
        start..end
    }
}

/// What a character of the original text becomes in the folded text.
enum Fold {
    Space,
    Removed,
    Chars,
}

/// Classifies `c`, and for [`Fold::Chars`] pushes its folded form.
fn fold_char(c: char, out: &mut String) -> Fold {
    if let Some(letter) = enclosed_letter(c) {
        out.push(letter);
        return Fold::Chars;
    }
    match c {
        // Typographic apostrophes and quotes used as apostrophes: l’élection = l'élection.
        '\u{2019}' | '\u{2018}' | '\u{02bc}' | '\u{2032}' | '`' | '\u{b4}' => out.push('\''),
        _ if c.is_whitespace() || crate::sanitize::is_blank(c) => return Fold::Space,
        _ if c.is_ascii_graphic() => out.push(c.to_ascii_lowercase()),
        'œ' | 'Œ' => out.push_str("oe"),
        'æ' | 'Æ' => out.push_str("ae"),
        'ß' | 'ẞ' => out.push_str("ss"),
        _ => {
            use crate::sanitize::Hidden;
            if matches!(
                crate::sanitize::classify(c),
                Some(Hidden::Control | Hidden::Bidi | Hidden::ZeroWidth)
            ) {
                return Fold::Removed;
            }
            // NFKD, then drop the marks: composing again (the C of NFKC) would only put back
            // the diacritics that matching ignores.
            decompose_compatible(c, |d| {
                if is_combining_mark(d) {
                    return;
                }
                // Case folding: the upper case first brings final `ς` to `Σ` and dotless `ı` to
                // `I`, which lower case alone keeps apart; the lower case of that is the fold.
                for upper in d.to_uppercase() {
                    for lower in upper.to_lowercase() {
                        decompose_canonical(lower, |l| {
                            if !is_combining_mark(l) {
                                push_letter(l, out);
                            }
                        });
                    }
                }
            });
        }
    }
    Fold::Chars
}

/// The Latin letter an enclosed letter stands for, where compatibility decomposition gives no
/// plain letter: parenthesized letters decompose to `(c)`, whose parentheses would split a
/// word, and the negative circled and squared letters and the regional indicators (which
/// spell flags in pairs, and words in longer runs) do not decompose at all. Letters only, so
/// `🇫🇷` folds to `fr`: a term that short would be a word of the text anyway.
fn enclosed_letter(c: char) -> Option<char> {
    let from = |first: u32| char::from_u32(u32::from('a') + (u32::from(c) - first));
    match u32::from(c) {
        0x249C..=0x24B5 => from(0x249C),    // ⒜ … ⒵ PARENTHESIZED LATIN SMALL LETTER
        0x1F110..=0x1F129 => from(0x1F110), // 🄐 … 🄩 PARENTHESIZED LATIN CAPITAL LETTER
        0x1F150..=0x1F169 => from(0x1F150), // 🅐 … 🅩 NEGATIVE CIRCLED LATIN CAPITAL LETTER
        0x1F170..=0x1F189 => from(0x1F170), // 🅰 … 🆉 NEGATIVE SQUARED LATIN CAPITAL LETTER
        0x1F1E6..=0x1F1FF => from(0x1F1E6), // 🇦 … 🇿 REGIONAL INDICATOR SYMBOL LETTER
        _ => None,
    }
}

/// Pushes a decomposed, lower-case character, as its Latin letter if it is a look-alike of one.
fn push_letter(c: char, out: &mut String) {
    // Spacing accents decompose to a space and a mark (`¨` is U+0020 U+0308): still one space.
    if c == ' ' && out.ends_with(' ') {
        return;
    }
    if c.is_ascii() || !c.is_alphabetic() {
        out.push(c);
        return;
    }
    if let Ok(i) = SMALL_CAPITALS.binary_search_by_key(&c, |&(sc, _)| sc) {
        out.push_str(SMALL_CAPITALS[i].1);
        return;
    }
    // The confusables skeleton maps to any prototype; only a Latin letter or digit is taken,
    // so punctuation and letters of other scripts keep their own identity.
    let mut buf = [0; 4];
    let mut skeleton = unicode_security::confusable_detection::skeleton(c.encode_utf8(&mut buf));
    match (skeleton.next(), skeleton.next()) {
        (Some(s), None) if s.is_ascii_alphanumeric() => out.push(s.to_ascii_lowercase()),
        _ => out.push(c),
    }
}

pub fn fold(text: &str) -> Folded {
    let mut folded = String::with_capacity(text.len());
    let mut map: Vec<(u32, u32)> = Vec::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        let range = (i as u32, (i + c.len_utf8()) as u32);
        let before = folded.len();
        match fold_char(c, &mut folded) {
            // A combining mark folds to nothing but belongs to the letter before it: a finding
            // ending on that letter covers its accent too.
            Fold::Chars if folded.len() == before => {
                if let Some(last) = map.last_mut().filter(|last| last.1 == range.0) {
                    last.1 = range.1;
                }
            }
            Fold::Chars => map.resize(folded.len(), range),
            Fold::Removed => {}
            Fold::Space => match map.last_mut() {
                // A run of whitespace is one space standing for the whole run.
                Some(last) if folded.ends_with(' ') => last.1 = range.1,
                _ => {
                    folded.push(' ');
                    map.push(range);
                }
            },
        }
        debug_assert!(folded.len() >= before && map.len() == folded.len());
    }
    Folded { text: folded, map }
}

/// The folded form of a term, as [`fold`] would produce inside a post.
pub fn fold_term(term: &str) -> String {
    fold(term).text.trim_matches(' ').to_string()
}

/// Letters and digits make words; an apostrophe does not, so `l'élection` holds `élection`.
pub fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Where a term may start: the start of each word, and each punctuation character (a term that
/// begins with one, like `#vote`, needs no word boundary before it).
pub fn match_starts(text: &str) -> impl Iterator<Item = usize> + '_ {
    let mut previous_in_word = false;
    text.char_indices().filter_map(move |(i, c)| {
        let in_word = is_word_char(c);
        let start = (in_word && !previous_in_word) || (!in_word && !c.is_whitespace());
        previous_in_word = in_word;
        start.then_some(i)
    })
}

/// Whether `range` of `text` is a whole word (or phrase): no word character just outside it
/// on a side where the match itself starts or ends with one.
pub fn on_word_boundaries(text: &str, range: &Range<usize>) -> bool {
    let inner = &text[range.clone()];
    let starts_in_word = inner.chars().next().is_some_and(is_word_char);
    let ends_in_word = inner.chars().next_back().is_some_and(is_word_char);
    let before = text[..range.start].chars().next_back();
    let after = text[range.end..].chars().next();
    let glued_before = starts_in_word && before.is_some_and(is_word_char);
    let glued_after = ends_in_word && after.is_some_and(is_word_char);
    !glued_before && !glued_after
}

/// A link found in a post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub span: Range<usize>,
    /// Lower case, without a trailing dot.
    pub host: String,
}

/// `host.tld[:port][/path]` without a scheme: at least two labels, a letters-only top-level
/// domain. Hand-written, because a regex would be compiled at every run.
fn is_bare_domain(token: &str) -> bool {
    let host_port = token.split('/').next().unwrap_or_default();
    let (host, port) = match host_port.split_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (host_port, None),
    };
    if port.is_some_and(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit())) {
        return false;
    }
    let labels: Vec<&str> = host.split('.').collect();
    let tld = labels.last().copied().unwrap_or_default();
    labels.len() >= 2
        && (2..=24).contains(&tld.len())
        && tld.bytes().all(|b| b.is_ascii_alphabetic())
        && labels.iter().all(|l| {
            !l.is_empty()
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// Top-level domains common enough in posts that a bare `name.tld` is worth reading as a link
/// even without `www.` or a path (`bit.ly` is the reason). Prose like `fin.Puis` stays prose.
const BARE_TLDS: &[&str] = &[
    "fr", "com", "org", "net", "eu", "info", "io", "ly", "gl", "co", "me", "be", "ch", "ca", "de", "uk", "gd", "cc",
    "to", "at", "in", "link", "app", "social",
];

/// Links: `http(s)://…` tokens, and bare domains (`bit.ly/x`, `www.example.org`) that apps
/// turn into links anyway.
pub fn links(text: &str) -> Vec<Link> {
    let mut out = Vec::new();
    for (start, token) in tokens(text) {
        let lead = token.len() - token.trim_start_matches(['(', '«', '"', '\'', '[', '<']).len();
        let body = token[lead..].trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '»', '"', '\'', ']', '>']);
        if body.is_empty() {
            continue;
        }
        let span = start + lead..start + lead + body.len();
        let lower = body.to_ascii_lowercase();
        let host = if lower.starts_with("http://") || lower.starts_with("https://") {
            reqwest::Url::parse(body)
                .ok()
                .and_then(|u| u.host_str().map(str::to_string))
        } else if is_bare_domain(body) {
            let host = lower.split(['/', ':']).next().unwrap_or_default().to_string();
            let tld = host.rsplit('.').next().unwrap_or_default();
            (lower.starts_with("www.") || lower.contains('/') || BARE_TLDS.contains(&tld)).then_some(host)
        } else {
            None
        };
        if let Some(host) = host {
            out.push(Link {
                span,
                host: host.trim_end_matches('.').to_ascii_lowercase(),
            });
        }
    }
    out
}

/// Whitespace-separated tokens with their byte offsets.
fn tokens(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split_inclusive(char::is_whitespace).scan(0, |offset, token| {
        let start = *offset;
        *offset += token.len();
        Some((start, token.trim_end_matches(char::is_whitespace)))
    })
}

/// Whether `host` is `domain` or one of its subdomains.
pub fn host_in(host: &str, domain: &str) -> bool {
    host == domain || host.strip_suffix(domain).is_some_and(|rest| rest.ends_with('.'))
}

/// `@user`, `@user@instance` and `@handle.bsky.social`, but not e-mail addresses.
///
/// Hand-written rather than a regex: Unicode classes make a regex cost about a millisecond to
/// compile, which every `postgate check` and `post` would pay.
pub fn mentions(text: &str) -> Vec<Range<usize>> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    for (at, _) in text.match_indices('@') {
        let prev = text[..at].chars().next_back();
        if prev.is_some_and(|p| p.is_alphanumeric() || "_@/.".contains(p)) {
            continue;
        }
        let start = at + 1;
        if !b.get(start).is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_') {
            continue;
        }
        let mut end = start;
        while b
            .get(end)
            .is_some_and(|c| c.is_ascii_alphanumeric() || b"_.-".contains(c))
        {
            end += 1;
        }
        while matches!(b[end - 1], b'.' | b'-') {
            end -= 1;
        }
        if b.get(end) == Some(&b'@')
            && let Some(domain_end) = domain_end(b, end + 1)
        {
            end = domain_end;
        }
        out.push(at..end);
    }
    out
}

/// The end of a domain (two labels or more) starting at `start`, if there is one.
fn domain_end(b: &[u8], start: usize) -> Option<usize> {
    let label = |c: &u8| c.is_ascii_alphanumeric() || *c == b'-';
    let (mut j, mut labels, mut last_end) = (start, 0, start);
    loop {
        let label_start = j;
        while b.get(j).is_some_and(label) {
            j += 1;
        }
        if j == label_start {
            break;
        }
        labels += 1;
        last_end = j;
        if b.get(j) == Some(&b'.') && b.get(j + 1).is_some_and(label) {
            j += 1;
        } else {
            break;
        }
    }
    (labels >= 2).then_some(last_end)
}

/// `#tags` with at least one letter (`#1` is a number, not a tag).
pub fn hashtags(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    for (at, _) in text.match_indices('#') {
        let prev = text[..at].chars().next_back();
        if prev.is_some_and(|p| is_word_char(p) || "&/#".contains(p)) {
            continue;
        }
        let tag: &str = {
            let rest = &text[at + 1..];
            let len = rest.find(|c: char| !is_word_char(c)).unwrap_or(rest.len());
            &rest[..len]
        };
        if tag.chars().any(|c| c.is_alphabetic() || c == '_') {
            out.push(at..at + 1 + tag.len());
        }
    }
    out
}

/// Words (runs of letters and digits) with their byte ranges.
pub fn words(text: &str) -> impl Iterator<Item = (Range<usize>, &str)> {
    let mut start = None;
    let mut chars = text.char_indices().chain(std::iter::once((text.len(), ' ')));
    std::iter::from_fn(move || {
        for (i, c) in chars.by_ref() {
            match (start, c.is_alphanumeric()) {
                (None, true) => start = Some(i),
                (Some(s), false) => {
                    start = None;
                    return Some((s..i, &text[s..i]));
                }
                _ => {}
            }
        }
        None
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matched<'a>(text: &'a str, term: &str) -> Option<&'a str> {
        let f = fold(text);
        let t = fold_term(term);
        let at = f.text.find(&t)?;
        let r = at..at + t.len();
        on_word_boundaries(&f.text, &r).then(|| &text[f.original(r)])
    }

    #[test]
    fn folding_ignores_case_and_diacritics() {
        assert_eq!(fold("Élection ŒUVRE").text, "election oeuvre");
        assert_eq!(matched("L’ÉLECTION approche", "election"), Some("ÉLECTION"));
    }

    #[test]
    fn french_elisions_match_the_word() {
        assert_eq!(matched("avant l'élection", "élection"), Some("élection"));
        assert_eq!(matched("d’élections", "élections"), Some("élections"));
    }

    #[test]
    fn words_are_not_matched_inside_words() {
        assert_eq!(matched("réélection", "élection"), None);
        assert_eq!(matched("candidature", "candidat"), None);
        assert_eq!(matched("Le candidat.", "candidat"), Some("candidat"));
    }

    #[test]
    fn folded_ranges_map_back_to_the_original() {
        let text = "Œuvre d’art";
        let f = fold(text);
        assert_eq!(f.text, "oeuvre d'art");
        assert_eq!(&text[f.original(0..6)], "Œuvre");
        assert_eq!(&text[f.original(8..12)], "’art");
    }

    #[test]
    fn folding_collapses_whitespace_and_drops_invisibles_keeping_the_map() {
        let text = "Votez \n\t\u{3164}POUR ｃａｎｄ\u{e0020}ɪᴅᴀᴛ";
        let f = fold(text);
        assert_eq!(f.text, "votez pour candidat");
        assert_eq!(&text[f.original(5..6)], " \n\t\u{3164}");
        assert_eq!(&text[f.original(11..19)], "ｃａｎｄ\u{e0020}ɪᴅᴀᴛ");
        assert_eq!(fold("ς").text, fold("Σ").text);
        assert_eq!(fold_term("  ＶＯＴＥＺ\u{a0}\u{a0}pour\u{200b} "), "votez pour");
    }

    #[test]
    fn links_with_and_without_scheme() {
        let text = "Voir https://www.interieur.gouv.fr/elections, (bit.ly/3xY) et www.exemple.org. Fin.Puis";
        let found: Vec<(String, &str)> = links(text)
            .into_iter()
            .map(|l| (l.host.clone(), &text[l.span]))
            .collect();
        assert_eq!(
            found,
            vec![
                (
                    "www.interieur.gouv.fr".to_string(),
                    "https://www.interieur.gouv.fr/elections"
                ),
                ("bit.ly".to_string(), "bit.ly/3xY"),
                ("www.exemple.org".to_string(), "www.exemple.org"),
            ]
        );
    }

    #[test]
    fn bare_domains_need_labels_and_a_letter_tld() {
        assert!(is_bare_domain("bit.ly/3xY"));
        assert!(is_bare_domain("www.exemple.org:8080/a?b=c"));
        assert!(!is_bare_domain("v1.2"));
        assert!(!is_bare_domain("-x.fr"));
        assert!(!is_bare_domain("exemple.org:/a"));
        assert!(!is_bare_domain("fr"));
    }

    #[test]
    fn subdomains_are_in_their_domain() {
        assert!(host_in("www.interieur.gouv.fr", "gouv.fr"));
        assert!(host_in("gouv.fr", "gouv.fr"));
        assert!(!host_in("fakegouv.fr", "gouv.fr"));
        assert!(!host_in("gouv.fr.example.com", "gouv.fr"));
    }

    #[test]
    fn mentions_are_not_email_addresses() {
        let text = "Merci @alice, @bob@mastodon.social et @culture.gouv.fr ; écrire à contact@mairie.fr";
        let found: Vec<&str> = mentions(text).into_iter().map(|r| &text[r]).collect();
        assert_eq!(found, vec!["@alice", "@bob@mastodon.social", "@culture.gouv.fr"]);
    }

    #[test]
    fn hashtags_need_a_letter() {
        let text = "#Vote2026 #1 et #élection&#39;";
        let found: Vec<&str> = hashtags(text).into_iter().map(|r| &text[r]).collect();
        assert_eq!(found, vec!["#Vote2026", "#élection"]);
    }

    #[test]
    fn words_split_on_anything_but_letters_and_digits() {
        let found: Vec<&str> = words("l'État, 2026!").map(|(_, w)| w).collect();
        assert_eq!(found, vec!["l", "État", "2026"]);
    }
}
