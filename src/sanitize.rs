//! Make text from posts, policies and servers safe to print on a terminal.
//!
//! A post (or a server's answer) could carry escape sequences that clear the screen, move the
//! cursor over the banner, or reorder what the reader sees with bidi controls. Nothing from
//! outside is ever interpreted by the terminal: such characters are shown as `⟨U+XXXX⟩`.
//! The text that gets published is never changed; this is only for display.
//!
//! What is hidden is decided by Unicode property, not by a hand list, so a code point nobody
//! thought of is covered: every control (Cc), format (Cf), line or paragraph separator,
//! Default_Ignorable_Code_Point, unassigned (Cn) and private-use (Co) code point, plus the few
//! letters and symbols that draw nothing (Unicode has no property for those; see [`is_blank`]).
//! Two sequences are kept as they are because they are how emoji are written: see
//! [`for_terminal`].
//!
//! The properties come from `icu_properties` (ICU4X, maintained by the Unicode Consortium),
//! with its data compiled in: it was already in the dependency tree (2.4, the newest on
//! crates.io, Unicode 18.0 data) through `url`'s IDNA support, so it adds no crate; it needs no
//! build script, builds offline, and follows each Unicode release. A code point newer than its
//! data counts as unassigned and is shown: the safe side.

use icu_properties::props::{
    BidiControl, DefaultIgnorableCodePoint, Emoji, EmojiModifier, ExtendedPictographic, GeneralCategory, Ideographic,
    Script,
};
use icu_properties::{CodePointMapData, CodePointSetData};

/// Why a character is not printed as itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hidden {
    /// C0 and C1 controls (DEL and ESC among them), and the line and paragraph separators,
    /// which break lines on some terminals and not others.
    Control,
    /// Characters that reorder text (Bidi_Control): U+202A–202E, U+2066–2069, U+200E/F, U+061C.
    Bidi,
    /// Characters that take no room or only steer how others are drawn: every format
    /// character (Cf) and Default_Ignorable_Code_Point, such as U+200B, U+2060, U+FEFF, tag
    /// characters (U+E0000–E007F), variation selectors and U+034F.
    ZeroWidth,
    /// Letters and symbols that draw an empty cell, so a post of them looks blank: the Hangul
    /// fillers and U+2800 BRAILLE PATTERN BLANK.
    Blank,
    /// Code points no Unicode version has assigned (including noncharacters): no one knows
    /// how a terminal or a future font draws them.
    Unassigned,
    /// Private-use code points: their glyph is whatever a font decides.
    PrivateUse,
}

/// Letters and symbols with no ink. Unicode has no property for "draws nothing", so this is
/// the one hand-kept list; it holds only code points that are not already Default_Ignorable
/// (the Hangul fillers are, but are reported as blanks because that is what a reader sees).
pub fn is_blank(c: char) -> bool {
    matches!(
        c,
        '\u{115f}' | '\u{1160}' | '\u{3164}' | '\u{ffa0}' // Hangul choseong, jungseong, compatibility, halfwidth fillers
            | '\u{2800}' // BRAILLE PATTERN BLANK
            | '\u{1d159}' // MUSICAL SYMBOL NULL NOTEHEAD
    )
}

/// Classifies a character that must not reach the terminal as itself, out of context. A
/// zero-width joiner or a variation selector is hidden here; [`for_terminal`] and
/// [`hidden_chars`] keep them inside the sequences they belong to.
pub fn classify(c: char) -> Option<Hidden> {
    if c == '\n' || (' '..='~').contains(&c) {
        return None;
    }
    let category = CodePointMapData::<GeneralCategory>::new().get(c);
    match category {
        GeneralCategory::Control | GeneralCategory::LineSeparator | GeneralCategory::ParagraphSeparator => {
            return Some(Hidden::Control);
        }
        _ => {}
    }
    // Default-ignorable before unassigned: the unassigned code points of the ranges Unicode
    // reserves as ignorable (U+2065, U+E0080–E0FFF) are drawn as nothing, like the others.
    if CodePointSetData::new::<BidiControl>().contains(c) {
        Some(Hidden::Bidi)
    } else if is_blank(c) {
        Some(Hidden::Blank)
    } else if category == GeneralCategory::Format || CodePointSetData::new::<DefaultIgnorableCodePoint>().contains(c) {
        Some(Hidden::ZeroWidth)
    } else if category == GeneralCategory::Unassigned {
        Some(Hidden::Unassigned)
    } else if category == GeneralCategory::PrivateUse {
        Some(Hidden::PrivateUse)
    } else {
        None
    }
}

fn is_variation_selector(c: char) -> bool {
    matches!(c, '\u{fe00}'..='\u{fe0f}' | '\u{e0100}'..='\u{e01ef}' | '\u{180b}'..='\u{180d}' | '\u{180f}')
}

/// Whether variation selector `vs` means something right after `base`: text or emoji
/// presentation (U+FE0E/FE0F) after an emoji, an ideographic variation (U+FE00–FE0D,
/// U+E0100–E01EF) after an ideograph, a Mongolian free variation selector after a Mongolian
/// letter. Other standardized variants (a few math symbols, Myanmar, Phags-pa) are rare in
/// posts and are shown: showing too much is the safe side.
fn selects_a_variant(base: char, vs: char) -> bool {
    match vs {
        '\u{fe0e}' | '\u{fe0f}' => CodePointSetData::new::<Emoji>().contains(base),
        '\u{fe00}'..='\u{fe0d}' | '\u{e0100}'..='\u{e01ef}' => CodePointSetData::new::<Ideographic>().contains(base),
        _ => CodePointMapData::<Script>::new().get(base) == Script::Mongolian && base.is_alphabetic(),
    }
}

/// Each character of `text` with its byte offset and why it is hidden, if it is, judged in
/// context. The exceptions (UTS #51 emoji sequences and variation sequences):
/// - a zero-width joiner between two emoji, the first one possibly followed by its
///   presentation selector or a skin-tone modifier (`👩‍🔬`, `🏳️‍🌈`, `🧑🏽‍💻`);
/// - one variation selector right after a base it is defined for (`❤️`, `1️⃣`, `葛󠄀`).
///
/// Tag characters are always shown, even in a subdivision flag: they can spell any text.
fn scan(text: &str) -> impl Iterator<Item = (usize, char, Option<Hidden>)> + '_ {
    let mut chars = text.char_indices().peekable();
    let mut previous: Option<char> = None;
    // The characters so far end an emoji that a zero-width joiner may join to the next one.
    let mut in_emoji = false;
    std::iter::from_fn(move || {
        let (at, c) = chars.next()?;
        let mut hidden = classify(c);
        let ext_pict = |c: char| CodePointSetData::new::<ExtendedPictographic>().contains(c);
        if hidden.is_some() {
            let kept = if is_variation_selector(c) {
                previous.is_some_and(|p| !is_variation_selector(p) && classify(p).is_none() && selects_a_variant(p, c))
            } else if c == '\u{200d}' {
                in_emoji && chars.peek().is_some_and(|&(_, next)| ext_pict(next))
            } else {
                false
            };
            if kept {
                hidden = None;
            }
        }
        in_emoji = if ext_pict(c) {
            true
        } else {
            in_emoji && hidden.is_none() && (c == '\u{fe0f}' || CodePointSetData::new::<EmojiModifier>().contains(c))
        };
        previous = Some(c);
        Some((at, c, hidden))
    })
}

fn visible(c: char) -> String {
    format!("⟨U+{:04X}⟩", c as u32)
}

/// Returns `text` with every hidden character replaced by its visible form. Newlines are kept,
/// and so are the emoji and variation sequences described at [`scan`]: a zero-width joiner
/// between two emoji, and a variation selector right after its base.
pub fn for_terminal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (_, c, hidden) in scan(text) {
        match hidden {
            Some(_) => out.push_str(&visible(c)),
            None => out.push(c),
        }
    }
    out
}

/// Like [`for_terminal`], but for one-line fields (names, handles): newlines are shown too.
pub fn one_line(text: &str) -> String {
    for_terminal(text).replace('\n', "⟨U+000A⟩")
}

/// Lists the hidden characters of `text`, for warnings ("the post contains 2 bidi controls"):
/// exactly those [`for_terminal`] shows as `⟨U+XXXX⟩`.
pub fn hidden_chars(text: &str) -> Vec<(usize, char, Hidden)> {
    scan(text).filter_map(|(i, c, h)| h.map(|h| (i, c, h))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use icu_properties::props::{DefaultIgnorableCodePoint, GeneralCategory};
    use icu_properties::{CodePointMapData, CodePointSetData};

    #[test]
    fn escape_sequences_are_shown_not_run() {
        let shown = for_terminal("a\x1b[2Jb");
        assert_eq!(shown, "a⟨U+001B⟩[2Jb");
        assert!(!shown.contains('\x1b'));
    }

    #[test]
    fn carriage_return_and_c1_are_visible() {
        assert_eq!(for_terminal("x\ry"), "x⟨U+000D⟩y");
        assert_eq!(for_terminal("\u{9b}31m"), "⟨U+009B⟩31m");
        assert_eq!(for_terminal("tab\there"), "tab⟨U+0009⟩here");
    }

    #[test]
    fn bidi_and_zero_width_are_visible() {
        assert_eq!(for_terminal("abc\u{202e}def"), "abc⟨U+202E⟩def");
        assert_eq!(for_terminal("pay\u{200b}pal"), "pay⟨U+200B⟩pal");
        for c in [
            '\u{2066}', '\u{2069}', '\u{200e}', '\u{200f}', '\u{2060}', '\u{feff}', '\u{200d}',
        ] {
            assert!(!for_terminal(&c.to_string()).contains(c), "{:04X} leaked", c as u32);
        }
    }

    #[test]
    fn newlines_and_ordinary_text_survive() {
        let text = "Élection : résultats à 20 h\nvoir https://www.interieur.gouv.fr 🗳️";
        assert_eq!(for_terminal(text), text);
    }

    #[test]
    fn one_line_shows_newlines() {
        assert_eq!(one_line("a\nb"), "a⟨U+000A⟩b");
    }

    #[test]
    fn hidden_chars_reports_byte_offsets() {
        let found = hidden_chars("é\u{202e}x");
        assert_eq!(found, vec![(2, '\u{202e}', Hidden::Bidi)]);
    }

    /// Issue 11, item 4: each of these reached the terminal raw.
    #[test]
    fn invisible_characters_found_by_hand_are_visible() {
        let tags = "Bonjour\u{e0069}\u{e0067}\u{e006e}\u{e006f}\u{e0072}\u{e0065}";
        assert_eq!(
            for_terminal(tags),
            "Bonjour⟨U+E0069⟩⟨U+E0067⟩⟨U+E006E⟩⟨U+E006F⟩⟨U+E0072⟩⟨U+E0065⟩"
        );
        let others = [
            '\u{206a}',
            '\u{206b}',
            '\u{206c}',
            '\u{206d}',
            '\u{206e}',
            '\u{206f}',
            '\u{fff9}',
            '\u{fffa}',
            '\u{fffb}',
            '\u{34f}',
            '\u{1d173}',
            '\u{fe0f}',
            '\u{115f}',
            '\u{1160}',
            '\u{17b4}',
            '\u{17b5}',
            '\u{3164}',
            '\u{2800}',
        ];
        for c in others {
            let text = format!("a{c}b");
            assert_eq!(for_terminal(&text), format!("a⟨U+{:04X}⟩b", c as u32));
            assert_eq!(hidden_chars(&text).len(), 1, "{:04X} not counted", c as u32);
        }
        // A post that is nothing but blanks shows what it is made of.
        assert_eq!(for_terminal("\u{3164}\u{3164}"), "⟨U+3164⟩⟨U+3164⟩");
        assert_eq!(for_terminal("\u{2800}"), "⟨U+2800⟩");
    }

    #[test]
    fn unassigned_and_private_use_code_points_are_visible() {
        for c in [
            '\u{378}',
            '\u{e000}',
            '\u{f8ff}',
            '\u{ffff}',
            '\u{fdd0}',
            '\u{10fffd}',
            '\u{e01f0}',
        ] {
            let shown = for_terminal(&c.to_string());
            assert_eq!(shown, format!("⟨U+{:04X}⟩", c as u32));
        }
        assert_eq!(classify('\u{e000}'), Some(Hidden::PrivateUse));
        assert_eq!(classify('\u{378}'), Some(Hidden::Unassigned));
        assert_eq!(classify('\u{2800}'), Some(Hidden::Blank));
        // Unassigned, but in a range Unicode reserves for ignorable characters.
        assert_eq!(classify('\u{e0080}'), Some(Hidden::ZeroWidth));
        assert_eq!(classify('\u{2065}'), Some(Hidden::ZeroWidth));
    }

    /// The decision is made by property, so no code point slips through a hand list: every
    /// default-ignorable, format and control code point is hidden out of context.
    #[test]
    fn every_ignorable_format_and_control_code_point_is_hidden() {
        let ignorable = CodePointSetData::new::<DefaultIgnorableCodePoint>();
        let category = CodePointMapData::<GeneralCategory>::new();
        let mut checked = 0;
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            let gc = category.get(c);
            let must_hide = ignorable.contains(c)
                || matches!(
                    gc,
                    GeneralCategory::Format
                        | GeneralCategory::Control
                        | GeneralCategory::Unassigned
                        | GeneralCategory::PrivateUse
                        | GeneralCategory::LineSeparator
                        | GeneralCategory::ParagraphSeparator
                );
            if must_hide && c != '\n' {
                checked += 1;
                assert!(classify(c).is_some(), "U+{:04X} is not hidden", c as u32);
                // Printing is the same code path for every unassigned one; checking a few is enough.
                if gc != GeneralCategory::Unassigned || (c as u32).is_multiple_of(4096) {
                    assert!(!for_terminal(&format!("x{c}")).contains(c), "U+{:04X} leaked", c as u32);
                }
            }
        }
        assert!(checked > 800_000, "only {checked} code points checked");
    }

    proptest::proptest! {
        /// Whatever the text, the output holds no hidden character but the two kept kinds
        /// (a joiner or a selector inside its sequence), and printing it again changes nothing.
        #[test]
        fn the_output_holds_nothing_hidden_but_emoji_and_variation_sequences(
            text in "(\\PC|[\u{0}-\u{1f}\u{7f}-\u{9f}\u{200b}-\u{200f}\u{202a}-\u{202e}\u{2066}-\u{206f}\u{e0000}-\u{e0080}\u{fe00}-\u{fe0f}\u{3164}\u{2800}\u{e000}\u{378}👩🔬❤☀1葛]){0,40}"
        ) {
            let shown = for_terminal(&text);
            for c in shown.chars() {
                if let Some(h) = classify(c) {
                    proptest::prop_assert!(
                        c == '\u{200d}' || is_variation_selector(c),
                        "raw U+{:04X} ({h:?}) in {shown:?}", c as u32
                    );
                }
            }
            proptest::prop_assert_eq!(for_terminal(&shown), shown.clone());
            proptest::prop_assert_eq!(shown.matches("⟨U+").count() - text.matches("⟨U+").count(), hidden_chars(&text).len());
        }
    }

    /// The two real exceptions: a zero-width joiner between two emoji, and one variation
    /// selector right after a base it is defined for. Everywhere else both are shown.
    #[test]
    fn emoji_sequences_and_variation_sequences_are_kept() {
        for kept in [
            "famille 👨\u{200d}👩\u{200d}👧 !",
            "drapeau 🏳\u{fe0f}\u{200d}🌈",
            "dev 🧑🏽\u{200d}💻",
            "cœur ❤\u{fe0f} et ☀\u{fe0e}",
            "touche 1\u{fe0f}\u{20e3}",
            "葛\u{e0100}城",
            "ᠠ\u{180b}",
        ] {
            assert_eq!(for_terminal(kept), kept);
            assert_eq!(hidden_chars(kept), vec![]);
        }
        assert_eq!(for_terminal("a\u{200d}b"), "a⟨U+200D⟩b");
        assert_eq!(for_terminal("👨\u{200d}"), "👨⟨U+200D⟩");
        assert_eq!(for_terminal("\u{200d}👩"), "⟨U+200D⟩👩");
        assert_eq!(for_terminal("👨\u{200d}\u{200d}👩"), "👨⟨U+200D⟩⟨U+200D⟩👩");
        assert_eq!(for_terminal("x\u{fe0f}"), "x⟨U+FE0F⟩");
        assert_eq!(for_terminal("❤\u{fe0f}\u{fe0f}"), "❤\u{fe0f}⟨U+FE0F⟩");
        assert_eq!(for_terminal("a\u{e0100}"), "a⟨U+E0100⟩");
        assert_eq!(for_terminal("\u{fe0f}"), "⟨U+FE0F⟩");
        // Tag characters are shown even in a flag sequence: they can spell anything.
        assert!(for_terminal("🏴\u{e0067}\u{e0062}\u{e007f}").contains("⟨U+E0067⟩"));
    }
}
