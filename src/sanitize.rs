//! Make text from posts, policies and servers safe to print on a terminal.
//!
//! A post (or a server's answer) could carry escape sequences that clear the screen, move the
//! cursor over the banner, or reorder what the reader sees with bidi controls. Nothing from
//! outside is ever interpreted by the terminal: such characters are shown as `⟨U+XXXX⟩`.
//! The text that gets published is never changed; this is only for display.

/// Why a character is not printed as itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hidden {
    /// C0 and C1 controls, DEL, and ESC (which starts terminal escape sequences).
    Control,
    /// Characters that reorder text: U+202A–202E, U+2066–2069, U+200E/F, U+061C.
    Bidi,
    /// Characters that take no room: U+200B–200D, U+2060, U+FEFF, and a few look-alikes.
    ZeroWidth,
}

/// Classifies a character that must not reach the terminal as itself.
pub fn classify(c: char) -> Option<Hidden> {
    match c {
        '\n' => None,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' => Some(Hidden::Control),
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{61c}' => Some(Hidden::Bidi),
        '\u{200b}'..='\u{200d}' | '\u{2060}'..='\u{2064}' | '\u{feff}' | '\u{ad}' | '\u{180e}' => {
            Some(Hidden::ZeroWidth)
        }
        // Line and paragraph separators break lines on some terminals and not others.
        '\u{2028}' | '\u{2029}' => Some(Hidden::Control),
        _ => None,
    }
}

fn visible(c: char) -> String {
    format!("⟨U+{:04X}⟩", c as u32)
}

/// Returns `text` with every hidden character replaced by its visible form. Newlines are kept.
pub fn for_terminal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match classify(c) {
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

/// Lists the hidden characters of `text`, for warnings ("the post contains 2 bidi controls").
pub fn hidden_chars(text: &str) -> Vec<(usize, char, Hidden)> {
    text.char_indices()
        .filter_map(|(i, c)| classify(c).map(|h| (i, c, h)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
