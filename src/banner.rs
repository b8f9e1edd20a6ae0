//! The banner: which account is about to receive the post, impossible to mistake.
//!
//! It is drawn on stderr before anything else happens, so the person sees the target before
//! typing anything. Official and personal accounts differ in frame, word and colour; the frame
//! and the word alone must be enough, because NO_COLOR users and screenshots lose the colour.
//! Everything that comes from the post or the policy goes through `sanitize` first, and each
//! preview line carries a gutter so a post cannot draw a fake banner of its own.

use crate::account::Kind;
use crate::policy::Account;
use crate::rules::{Finding, Level};
use crate::sanitize;
use colored::Colorize;
use std::fmt::Write as _;
use unicode_segmentation::UnicodeSegmentation;

const WIDTH: usize = 62;

/// Everything the banner shows.
pub struct BannerInfo<'a> {
    pub account: &'a Account,
    /// `CORRECT <post>` or `DELETE <post>`; none for a new post.
    pub action: Option<String>,
    pub text: &'a str,
    pub reply_to: Option<&'a str>,
    /// The post's length as the platform counts it.
    pub length: usize,
    pub max_characters: usize,
    /// Content warning, language and visibility, when set.
    pub content_warning: Option<&'a str>,
    pub language: Option<&'a str>,
    pub visibility: Option<&'a str>,
    pub images: &'a [crate::platform::Image],
    /// `none needed`, `keychain`, `environment`, or why it is missing.
    pub credential: &'a str,
    pub dry_run: bool,
    /// What the content rules found; their spans are highlighted in the preview.
    pub findings: &'a [Finding],
}

/// Post length as platforms count it: grapheme clusters.
pub fn length(text: &str) -> usize {
    text.graphemes(true).count()
}

fn framed(kind: Kind) -> String {
    let (top, side, bottom, label) = match kind {
        Kind::Official => ("╔", "║", "╚", "OFFICIAL ACCOUNT · speaks for the institution"),
        Kind::Personal => ("┌", "│", "└", "PERSONAL ACCOUNT · speaks for one person"),
    };
    let (h, tr, br) = match kind {
        Kind::Official => ("═", "╗", "╝"),
        Kind::Personal => ("─", "┐", "┘"),
    };
    let inner = WIDTH - 2;
    let label_line = format!("  {label}");
    let pad = inner.saturating_sub(label_line.chars().count());
    let lines = [
        format!("{top}{}{tr}", h.repeat(inner)),
        format!("{side}{label_line}{}{side}", " ".repeat(pad)),
        format!("{bottom}{}{br}", h.repeat(inner)),
    ];
    lines
        .iter()
        .map(|l| match kind {
            Kind::Official => l.white().on_red().bold().to_string(),
            Kind::Personal => l.black().on_cyan().to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Renders the banner as text for stderr.
pub fn render(info: &BannerInfo) -> String {
    let a = info.account;
    let mut out = String::new();
    let _ = writeln!(out, "{}", framed(a.kind));
    let row = |out: &mut String, label: &str, value: String| {
        let _ = writeln!(out, "  {:<13} {}", label.dimmed(), value);
    };
    row(&mut out, "account", sanitize::one_line(&a.name).bold().to_string());
    let handle = sanitize::one_line(&a.handle);
    row(
        &mut out,
        "handle",
        match a.kind {
            Kind::Official => handle.red().bold().to_string(),
            Kind::Personal => handle.cyan().bold().to_string(),
        },
    );
    row(&mut out, "display name", sanitize::one_line(&a.display_name));
    row(
        &mut out,
        "platform",
        format!("{} (host: {})", a.platform.as_str(), sanitize::one_line(&a.host())),
    );
    row(&mut out, "owner", sanitize::one_line(&a.owner));
    row(&mut out, "credential", sanitize::one_line(info.credential));
    if let Some(action) = &info.action {
        row(
            &mut out,
            "action",
            sanitize::one_line(action).yellow().bold().to_string(),
        );
    }
    if let Some(reply) = info.reply_to {
        row(&mut out, "reply to", sanitize::one_line(reply));
    }
    for (i, image) in info.images.iter().enumerate() {
        let alt = match &image.alt {
            Some(alt) => format!("alt: {}", sanitize::one_line(alt)),
            None => "NO DESCRIPTION".yellow().bold().to_string(),
        };
        row(
            &mut out,
            &format!("image {}", i + 1),
            format!(
                "{} ({} KB)  {alt}",
                sanitize::one_line(&image.file_name),
                image.bytes.len().div_ceil(1024)
            ),
        );
    }
    if let Some(visibility) = info.visibility {
        row(&mut out, "visibility", visibility.to_string());
    }
    if let Some(language) = info.language {
        row(&mut out, "language", sanitize::one_line(language));
    }
    if let Some(cw) = info.content_warning {
        row(&mut out, "warning (CW)", sanitize::one_line(cw));
    }
    if info.dry_run {
        row(
            &mut out,
            "mode",
            "DRY RUN: nothing will be published".yellow().bold().to_string(),
        );
    }

    let len = info.length;
    let count = format!("{len}/{} characters", info.max_characters);
    let count = if len > info.max_characters {
        format!("{count}: TOO LONG by {}", len - info.max_characters)
            .red()
            .bold()
            .to_string()
    } else {
        count
    };
    let hidden = sanitize::hidden_chars(info.text).len();
    let _ = writeln!(out);
    let _ = write!(out, "  {}  {}", "post".dimmed(), count);
    if hidden > 0 {
        let _ = write!(
            out,
            "  {}",
            format!("{hidden} hidden character(s) shown as ⟨U+…⟩").yellow()
        );
    }
    let _ = writeln!(out);
    for line in preview(info.text, info.findings) {
        let _ = writeln!(out, "  {} {}", "┃".dimmed(), line);
    }
    if !info.findings.is_empty() {
        let (deny, approve, warn) = crate::rules::tally(info.findings);
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "  {}  {deny} refused · {approve} need approval · {warn} warning(s)",
            "checks".dimmed()
        );
        for f in info.findings {
            let at = f.span.as_ref().map_or(String::new(), |s| {
                let (line, col) = crate::policy::diagnostic::line_col(info.text, s.start);
                format!("{line}:{col} ")
            });
            let suggestion = f
                .suggestion
                .as_ref()
                .map_or(String::new(), |s| format!(" (suggestion: {})", sanitize::one_line(s)));
            let _ = writeln!(
                out,
                "    {} {at}{}  {}{suggestion}",
                level_label(f.level),
                f.rule.bold(),
                sanitize::one_line(&f.message)
            );
        }
    }
    out
}

fn level_label(level: Level) -> String {
    match level {
        Level::Deny => "DENY   ".white().on_red().bold().to_string(),
        Level::Approve => "APPROVE".black().on_yellow().bold().to_string(),
        Level::Warn => "WARN   ".yellow().bold().to_string(),
    }
}

/// The post's lines, sanitized, with every finding's span highlighted by its level: colour
/// when colour is on, `⟦…⟧` otherwise (screenshots and NO_COLOR users still see where).
fn preview(text: &str, findings: &[Finding]) -> Vec<String> {
    let spans: Vec<(std::ops::Range<usize>, Level)> = findings
        .iter()
        .filter_map(|f| {
            f.span
                .clone()
                .filter(|s| s.start < s.end && s.end <= text.len())
                .map(|s| (s, f.level))
        })
        .collect();
    let mut cuts: Vec<usize> = spans.iter().flat_map(|(s, _)| [s.start, s.end]).collect();
    cuts.extend([0, text.len()]);
    cuts.sort_unstable();
    cuts.dedup();
    let colour = colored::control::SHOULD_COLORIZE.should_colorize();
    let mut lines = vec![String::new()];
    for pair in cuts.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let level = spans
            .iter()
            .filter(|(s, _)| s.start <= a && b <= s.end)
            .map(|(_, l)| *l)
            .max();
        for (i, piece) in sanitize::for_terminal(&text[a..b]).split('\n').enumerate() {
            if i > 0 {
                lines.push(String::new());
            }
            let styled = match level {
                None => piece.to_string(),
                Some(_) if piece.is_empty() => String::new(),
                Some(_) if !colour => format!("⟦{piece}⟧"),
                Some(Level::Deny) => piece.white().on_red().to_string(),
                Some(Level::Approve) => piece.black().on_yellow().to_string(),
                Some(Level::Warn) => piece.yellow().underline().to_string(),
            };
            if let Some(line) = lines.last_mut() {
                line.push_str(&styled);
            }
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::{Confirm, CredentialPolicy, NonInteractive};
    use crate::policy::{PlatformName, Target};

    fn account(kind: Kind) -> Account {
        Account {
            name: "demo".into(),
            handle: "@demo".into(),
            platform: PlatformName::Outbox,
            target: Target::Outbox { path: "/tmp/x".into() },
            kind,
            display_name: "Démo\u{202e}".into(),
            owner: "Comms".into(),
            confirm: Confirm::Handle,
            non_interactive: NonInteractive::Allow,
            credentials: CredentialPolicy::None,
            language: None,
            allow_delete: false,
            require_alt_text: true,
            rotate_after_days: None,
            max_credential_age_days: None,
            system: false,
            line: 1,
        }
    }

    fn render_plain(kind: Kind, text: &str) -> String {
        colored::control::set_override(false);
        let a = account(kind);
        render(&BannerInfo {
            account: &a,
            action: None,
            text,
            reply_to: None,
            length: length(text),
            max_characters: 10,
            content_warning: None,
            language: None,
            visibility: None,
            images: &[],
            credential: "none",
            dry_run: true,
            findings: &[],
        })
    }

    #[test]
    fn findings_are_marked_in_the_preview_and_listed() {
        colored::control::set_override(false);
        let a = account(Kind::Official);
        let text = "Votez\u{202e} pour le candidat\nX";
        let start = text.find("candidat").unwrap();
        let findings = [
            Finding {
                rule: "neutralite".into(),
                level: Level::Deny,
                message: "période de réserve".into(),
                suggestion: Some("la liste".into()),
                span: Some(start..start + 8),
            },
            Finding {
                rule: "caches".into(),
                level: Level::Warn,
                message: "caractère caché".into(),
                suggestion: None,
                span: Some(5..8),
            },
        ];
        let out = render(&BannerInfo {
            account: &a,
            action: None,
            text,
            reply_to: None,
            length: 10,
            max_characters: 100,
            content_warning: None,
            language: None,
            visibility: None,
            images: &[],
            credential: "none",
            dry_run: false,
            findings: &findings,
        });
        assert!(out.contains("  ┃ Votez⟦⟨U+202E⟩⟧ pour le ⟦candidat⟧\n  ┃ X\n"), "{out}");
        assert!(out.contains("1 refused · 0 need approval · 1 warning(s)"), "{out}");
        assert!(
            out.contains("DENY    1:16 neutralite  période de réserve (suggestion: la liste)"),
            "{out}"
        );
    }

    #[test]
    fn official_and_personal_differ_without_colour() {
        let o = render_plain(Kind::Official, "x");
        let p = render_plain(Kind::Personal, "x");
        assert!(o.contains("╔") && o.contains("OFFICIAL ACCOUNT"));
        assert!(p.contains("┌") && p.contains("PERSONAL ACCOUNT"));
        assert!(!o.contains("PERSONAL") && !p.contains("OFFICIAL"));
    }

    #[test]
    fn preview_is_sanitized_and_guttered() {
        let o = render_plain(Kind::Official, "a\x1b[2J\rb\nfake ╔══");
        assert!(!o.contains('\x1b') && !o.contains('\r') && !o.contains('\u{202e}'));
        assert!(o.contains("  ┃ a⟨U+001B⟩[2J⟨U+000D⟩b\n  ┃ fake ╔══\n"));
        assert!(o.contains("2 hidden character(s)"));
    }

    #[test]
    fn length_is_checked_against_the_limit() {
        let o = render_plain(Kind::Official, "0123456789é");
        assert!(o.contains("11/10 characters: TOO LONG by 1"), "{o}");
        assert!(o.contains("DRY RUN"));
    }
}
