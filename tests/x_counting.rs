//! X's weighted length (`platform::x::count`) against twitter-text, Twitter's reference
//! implementation, two ways:
//! - its conformance vectors (validate.yml), every case of the two weighted-length groups, read
//!   from `$POSTGATE_TWITTER_TEXT_CONFORMANCE` (.ci/run and scripts/test.sh set it);
//! - npm `twitter-text` 3.1.0 itself, on 15,000 generated texts (a fifth of them pieces of URLs
//!   glued at random), run once in one `node`
//!   (installed by scripts/servers/twitter-text-install.sh; tests/support/twitter-text-count.js).
//!
//! Neither is skipped when missing: the test fails and says what to do.

use postgate::platform::x::count::{MAX_WEIGHTED_LENGTH, weighted_length, weighted_length_v2};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use yaml_rust2::YamlLoader;

const CONFORMANCE_VAR: &str = "POSTGATE_TWITTER_TEXT_CONFORMANCE";
const INSTALL: &str = "scripts/servers/twitter-text-install.sh";

/// (description, text, expected weightedLength, expected valid) of one group of validate.yml.
fn conformance(group: &str) -> Vec<(String, String, usize, bool)> {
    let path = std::env::var_os(CONFORMANCE_VAR).unwrap_or_else(|| {
        panic!(
            "{CONFORMANCE_VAR} is not set: set {CONFORMANCE_VAR} to a copy of validate.yml \
             (twitter/twitter-text, conformance/validate.yml at commit 30e2430); scripts/test.sh \
             downloads it, .ci/run points at ../shared/specs/twitter-text/validate.yml"
        )
    });
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{CONFORMANCE_VAR}={}: cannot read it: {e}",
            PathBuf::from(&path).display()
        )
    });
    let yaml = YamlLoader::load_from_str(&text)
        .expect("validate.yml is YAML")
        .remove(0);
    let cases = yaml["tests"][group]
        .as_vec()
        .unwrap_or_else(|| panic!("validate.yml has no group {group}"));
    let cases: Vec<_> = cases
        .iter()
        .map(|case| {
            let expected = &case["expected"];
            (
                case["description"].as_str().expect("a description").to_owned(),
                case["text"].as_str().expect("a text").to_owned(),
                usize::try_from(expected["weightedLength"].as_i64().expect("a weightedLength")).expect("a length"),
                expected["valid"].as_bool().expect("valid"),
            )
        })
        .collect();
    assert!(!cases.is_empty(), "group {group} of validate.yml is empty");
    cases
}

/// Runs every case of the group and reports all the failures at once.
fn check_group(group: &str, count: fn(&str) -> usize) {
    let cases = conformance(group);
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|(description, text, expected, valid)| {
            let got = count(text);
            let got_valid = got > 0 && got <= MAX_WEIGHTED_LENGTH;
            (got != *expected || got_valid != *valid).then(|| {
                format!(
                    "  {description}: weighted length {got}, expected {expected} (valid {got_valid}, expected {valid})"
                )
            })
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases of {group} fail:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn every_weighted_tweets_counter_case_passes_with_config_v2() {
    // twitter-text's own test suites count this group with config v2 (no emoji parsing).
    check_group("WeightedTweetsCounterTest", weighted_length_v2);
}

#[test]
fn every_discounted_emoji_case_passes_with_config_v3() {
    check_group("WeightedTweetsWithDiscountedEmojiCounterTest", weighted_length);
}

// ---- agreement with npm twitter-text ------------------------------------------------------

/// SplitMix64: small, seeded, the same texts on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).expect("fits")
    }
    fn pick<'a, T: ?Sized>(&mut self, items: &[&'a T]) -> &'a T {
        items[self.below(items.len())]
    }
}

const FRENCH: &[&str] = &[
    "Bonjour",
    "à",
    "été",
    "garçon",
    "Noël",
    "œuvre",
    "ça",
    "déjà",
    "forêt",
    "L'État",
    "préfecture",
    "élève",
    "Île-de-France",
    "«",
    "»",
    "…",
    "’",
    "n°",
    "€",
    "10 %",
    "Ç",
    "ÉCOLE",
];
/// Decomposed text that NFC composes (or reorders).
const COMBINING: &[&str] = &[
    "e\u{301}",
    "a\u{300}",
    "c\u{327}",
    "o\u{302}",
    "n\u{303}",
    "A\u{30A}",
    "E\u{301}\u{301}",
    "\u{1112}\u{1161}\u{11AB}",
    "\u{5E9}\u{5BC}\u{5C1}",
    "u\u{308}",
    "\u{3046}\u{3099}",
    "q\u{307}\u{323}",
];
const CJK: &[&str] = &[
    "日本語",
    "中文",
    "한국어",
    "漢字",
    "、",
    "。",
    "，",
    "ｶﾀｶﾅ",
    "Ｆｕｌｌ",
    "東京都",
    "のりもの",
    "故人西辞黄鹤楼",
];
const MENTIONS: &[&str] = &[
    "@jack",
    "@Service_Public",
    "＠user",
    "#Paris2024",
    "#été",
    "＃タグ",
    "$TWTR",
    "@x.com",
    "#fr",
];
const PUNCTUATION: &[&str] = &[
    ".", ",", "!", "?", ";", ":", "—", "–", "-", "(", ")", "\"", "'", "/", "_", "&", "*", "[", "]", "‼", "™", "©", "®",
];
const SPACES: &[&str] = &[
    " ", "  ", "\n", "\t", "\u{A0}", "\u{3000}", "\u{2009}", "\u{200B}", "\r\n",
];
/// Emoji people type without the variation selector, and other oddities twitter-text knows.
const EMOJI_ODD: &[&str] = &[
    "1⃣",
    "☺",
    "❤",
    "©\u{FE0F}",
    "®\u{FE0F}",
    "😀\u{FE0F}",
    "0\u{FE0F}",
    "⭐",
    "🇦",
    "🇦🇦",
];

const SCHEMES: &[&str] = &["", "", "http://", "https://", "HTTPS://"];
const SUBDOMAINS: &[&str] = &["", "", "www.", "blog.", "a-b.", "x_y.", "m.fr."];
const NAMES: &[&str] = &[
    "example",
    "gouv",
    "service-public",
    "t",
    "xn--bcher-kva",
    "café",
    "例え",
    "münchen",
    "a1",
    "Example",
];
const TLDS: &[&str] = &[
    "com",
    "fr",
    "org",
    "co.uk",
    "gouv.fr",
    "io",
    "xyz",
    "museum",
    "中国",
    "みんな",
    "рф",
    "notatld",
    "co",
    "tv",
    "de",
    "onion",
    "COM",
    "paris",
    "РФ",
    "ÉCOLE",
];
const PORTS: &[&str] = &["", "", "", ":8080", ":"];
const PATHS: &[&str] = &[
    "",
    "",
    "/",
    "/a/b",
    "/wiki/Foo_(bar)",
    "/path.",
    "/ñandú",
    "/é/Ж",
    "/a(b(c)d)e",
    "/x,y",
    "/~user/",
    "/@name/",
    "/a–b",
    "/index.html",
    "/a!",
    "/%C3%A9",
];
const QUERIES: &[&str] = &["", "", "", "?q=1", "?a=b&c=d.", "?", "?x=(1)", "#frag"];

fn url(rng: &mut Rng) -> String {
    if rng.below(12) == 0 {
        let slug: String = (0..1 + rng.below(12))
            .map(|_| char::from(b'a' + u8::try_from(rng.below(26)).expect("a letter")))
            .collect();
        return format!("https://t.co/{slug}{}", rng.pick(&["", "?x=1", "-more", "/x"]));
    }
    let mut url = format!(
        "{}{}{}.{}{}{}{}",
        rng.pick(SCHEMES),
        rng.pick(SUBDOMAINS),
        rng.pick(NAMES),
        rng.pick(TLDS),
        rng.pick(PORTS),
        rng.pick(PATHS),
        rng.pick(QUERIES)
    );
    if rng.below(10) == 0 {
        let long = "/segment-of-a-long-path".repeat(1 + rng.below(12));
        url.push_str(&long);
    }
    url
}

/// Any emoji of the current Unicode data, or one of its skin tones.
fn emoji(rng: &mut Rng, all: &[&'static emojis::Emoji]) -> &'static str {
    let e = all[rng.below(all.len())];
    match e.skin_tones() {
        Some(tones) => {
            let tones: Vec<_> = tones.collect();
            tones[rng.below(tones.len())].as_str()
        }
        None => e.as_str(),
    }
}

/// Pieces of URLs and what borders them, glued at random: where a URL starts and ends.
const SOUP: &[&str] = &[
    "http://", "https://", "www.", "example", "t.co/", "com", "co", "fr", "uk", "xn--p1ai", "рф", "中国", ".", ".",
    "/", "-", "_", ":", "8080", "?", "=", "&", "#", "(", ")", "@", "$", "é", "日本", "😀", "👍🏽", " ", " ", "a", "x",
    "1", ",", "!", "'", "\"", "~", "Ж", "–", "\u{200E}", "\u{202A}", "\u{FEFF}", "%20", "1⃣",
];

/// A text, and the emoji sequences (two code points or more) put in it.
fn text(rng: &mut Rng, all: &[&'static emojis::Emoji]) -> (String, Vec<&'static str>) {
    if rng.below(5) == 0 {
        let text: String = (0..1 + rng.below(30)).map(|_| rng.pick(SOUP)).collect();
        return (text, vec!["👍🏽"]);
    }
    let mut text = String::new();
    let mut sequences = Vec::new();
    for _ in 0..1 + rng.below(16) {
        let piece = match rng.below(11) {
            0 | 1 => rng.pick(FRENCH).to_owned(),
            2 => rng.pick(COMBINING).to_owned(),
            3 => rng.pick(CJK).to_owned(),
            4 | 5 => url(rng),
            6 => rng.pick(MENTIONS).to_owned(),
            7 => rng.pick(PUNCTUATION).to_owned(),
            8 => rng.pick(EMOJI_ODD).to_owned(),
            _ => {
                let e = emoji(rng, all);
                if e.chars().count() > 1 {
                    sequences.push(e);
                }
                e.to_owned()
            }
        };
        text.push_str(&piece);
        // Glued to the next piece now and then: a URL after a word, an emoji after a letter.
        match rng.below(6) {
            0 => {}
            1 => text.push_str(rng.pick(SPACES)),
            _ => text.push(' '),
        }
    }
    (text, sequences)
}

fn oracle_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("POSTGATE_TWITTER_TEXT_DIR") {
        return dir.into();
    }
    // As scripts/servers/common.sh places it.
    let servers = std::env::var_os("POSTGATE_SERVERS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let cache = std::env::var_os("XDG_CACHE_HOME")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").expect("HOME is set")).join(".cache"));
            cache.join("postgate-servers")
        });
    servers.join("twitter-text")
}

/// npm twitter-text's weighted length of each text, from one node process.
fn npm_lengths(texts: &[String]) -> Vec<usize> {
    let dir = oracle_dir();
    assert!(
        dir.join("node_modules/twitter-text/package.json").is_file(),
        "npm twitter-text is not installed in {}: run {INSTALL} (or set POSTGATE_TWITTER_TEXT_DIR)",
        dir.display()
    );
    let node =
        std::fs::read_to_string(dir.join("node-path.txt")).map_or_else(|_| "node".to_owned(), |s| s.trim().to_owned());
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/twitter-text-count.js");
    let mut child = Command::new(&node)
        .arg(&script)
        .arg(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {node} (from {INSTALL}): {e}"));
    let mut input = String::new();
    for t in texts {
        input.push_str(&serde_json::to_string(t).expect("a JSON string"));
        input.push('\n');
    }
    let mut stdin = child.stdin.take().expect("piped stdin");
    // Written from a thread: node answers only once its input is closed, but a pipe holds little.
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().expect("node ran");
    writer.join().expect("the writer thread").expect("node read its input");
    assert!(output.status.success(), "{script:?} failed: {}", output.status);
    let lengths: Vec<usize> = String::from_utf8(output.stdout)
        .expect("UTF-8")
        .lines()
        .map(|l| l.parse().unwrap_or_else(|_| panic!("not a length from node: {l:?}")))
        .collect();
    assert_eq!(
        lengths.len(),
        texts.len(),
        "node answered for {} texts of {}",
        lengths.len(),
        texts.len()
    );
    lengths
}

#[test]
fn agrees_with_npm_twitter_text_on_generated_texts() {
    const TEXTS: usize = 15_000;
    const AT_LEAST: usize = 10_000;
    let all: Vec<&'static emojis::Emoji> = emojis::iter().collect();
    let mut rng = Rng(0x5EED_2026_0280);
    let corpus: Vec<(String, Vec<&'static str>)> = (0..TEXTS).map(|_| text(&mut rng, &all)).collect();

    // npm twitter-text 3.1.0 takes its emoji from twemoji-parser 11.0.2, that is Emoji 11.0, and
    // counts a sequence it does not know by its code points (🐦‍🔥 is 5 there). Which ones it
    // knows is asked of it, each sequence alone after the texts in the same run: a text with a
    // sequence it does not weigh as 2 is left out.
    let mut sequences: Vec<&'static str> = corpus.iter().flat_map(|(_, s)| s.iter().copied()).collect();
    sequences.sort_unstable();
    sequences.dedup();
    let mut input: Vec<String> = corpus.iter().map(|(t, _)| t.clone()).collect();
    input.extend(sequences.iter().map(|s| (*s).to_owned()));
    let lengths = npm_lengths(&input);
    let (text_lengths, sequence_lengths) = lengths.split_at(TEXTS);
    let unknown: BTreeMap<&str, usize> = sequences
        .iter()
        .zip(sequence_lengths)
        .filter(|&(_, &n)| n != 2)
        .map(|(s, &n)| (*s, n))
        .collect();
    let emoji_11 = emojis::EmojiVersion::new(11, 0);
    let (newer, older): (Vec<&str>, Vec<&str>) = unknown
        .keys()
        .partition(|s| emojis::get(s).is_some_and(|e| e.emoji_version() > emoji_11));

    let mut left_out = 0;
    let mut compared = 0;
    let mut disagree = Vec::new();
    for ((text, seqs), &npm) in corpus.iter().zip(text_lengths) {
        if seqs.iter().any(|s| unknown.contains_key(s)) {
            left_out += 1;
            continue;
        }
        compared += 1;
        let ours = weighted_length(text);
        if ours != npm {
            disagree.push(format!("  {text:?}: postgate {ours}, twitter-text {npm}"));
        }
    }
    eprintln!(
        "x_counting: {compared} texts compared with npm twitter-text 3.1.0, {left_out} left out for {} emoji sequences \
         it does not know ({} newer than Emoji 11.0, {} older: {older:?})",
        unknown.len(),
        newer.len(),
        older.len()
    );
    assert!(
        disagree.is_empty(),
        "{} of {compared} texts disagree with npm twitter-text; the first:\n{}",
        disagree.len(),
        disagree.iter().take(8).cloned().collect::<Vec<_>>().join("\n")
    );
    assert!(
        compared >= AT_LEAST,
        "only {compared} texts compared ({left_out} left out), fewer than {AT_LEAST}"
    );
}
