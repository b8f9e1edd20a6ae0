//! LinkedIn's "little text format", in which the Posts API takes a post's commentary.
//!
//! Characters that start a little element (mentions, hashtags, templates) are reserved and must
//! be escaped with `\` to stand for themselves (`…/shares/little-text-format`, "Text"); an
//! unescaped one makes LinkedIn cut the post short while still answering 201 (reported by the
//! crossposter project, release v1.1.5). postgate publishes plain text, so it escapes every one.

/// The reserved characters: `\ | { } @ [ ] ( ) < > # * _ ~`.
pub const RESERVED: &[char] = &[
    '\\', '|', '{', '}', '@', '[', ']', '(', ')', '<', '>', '#', '*', '_', '~',
];

/// The text as little text that reads as `text` itself.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        if RESERVED.contains(&c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// What an escaped little text reads as: every `\x` becomes `x`. For the commentary LinkedIn
/// gives back, so it can be compared with what the person wrote.
pub fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next() {
                    out.push(next);
                }
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reserved_character_is_escaped_and_comes_back() {
        let text = r"Exposition (Paris) #culture @ministere_c *gratuit* ~ [1] {x} <y> a|b \ fin";
        let escaped = escape(text);
        for c in RESERVED {
            let bare = escaped
                .char_indices()
                .filter(|(_, x)| x == c)
                .any(|(i, _)| !escaped[..i].ends_with('\\') && *c != '\\');
            assert!(!bare, "{c} left bare in {escaped}");
        }
        assert_eq!(unescape(&escaped), text);
        assert_eq!(escape("Bonjour à tous"), "Bonjour à tous");
        assert_eq!(escape("#a"), r"\#a");
        assert_eq!(escape(r"\"), r"\\");
    }
}
