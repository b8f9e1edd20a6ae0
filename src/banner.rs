//! The banner: which account is about to receive the post, impossible to mistake.
//!
//! It is drawn on stderr before anything else happens, so the person sees the target before
//! typing anything. Official and personal accounts differ in frame, word and colour; the frame
//! and the word alone must be enough, because NO_COLOR users and screenshots lose the colour.
//! Everything that comes from the post or the policy goes through `sanitize` first.
//!
//! Nothing a post contains may start a screen row, or a post could draw a banner of its own.
//! So the banner does its own wrapping, to the terminal's width: every preview row carries the
//! `┃` gutter, and the rows of a long field (an alt text, a content warning, a finding that
//! quotes the post) are indented under their label. The terminal never wraps anything of the
//! post itself. The preview is also bounded in rows, so a long post cannot push the frame off
//! the screen before the prompt.

use crate::account::Account;
use crate::account::Kind;
use crate::i18n::t;
use crate::rules::{Finding, Level};
use crate::sanitize;
use colored::Colorize;
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// The narrowest banner drawn: the frame's words still fit inside it on two rows. On a
/// narrower terminal the banner is drawn at this width and the terminal wraps it.
pub const MIN_WIDTH: usize = 32;
/// The widest frame; a wider terminal gets this width, centred nowhere, drawn from column 0.
pub const MAX_WIDTH: usize = 80;
/// The frame's width when stderr is not a terminal (a log file, a pipe), where nothing wraps.
const UNSIZED_WIDTH: usize = 62;
/// The most preview rows shown; the rest is counted on a `… N more lines` row.
pub const MAX_PREVIEW_ROWS: usize = 20;
/// The fewest preview rows shown, however short the terminal.
pub const MIN_PREVIEW_ROWS: usize = 3;
/// The most rows one field or finding takes before it is cut the same way.
pub const MAX_FIELD_ROWS: usize = 4;
/// `  label········· `: where a field's value starts.
const FIELD_INDENT: usize = 16;
/// `    DENY    `: where a finding's text starts.
const FINDING_INDENT: usize = 12;
/// `  ┃ `
const GUTTER_WIDTH: usize = 4;

/// The terminal the banner is drawn on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Screen {
    /// Columns and rows, when stderr is a terminal that tells its size.
    pub size: Option<(usize, usize)>,
}

impl Screen {
    /// No terminal: nothing is wrapped, the preview keeps its default bound.
    pub const UNSIZED: Screen = Screen { size: None };

    pub fn of_stderr() -> Screen {
        let size = console::Term::stderr()
            .size_checked()
            .filter(|&(rows, columns)| rows > 0 && columns > 0)
            .map(|(rows, columns)| (usize::from(columns), usize::from(rows)));
        Screen { size }
    }

    /// The columns drawn on. The last one is left empty: a row that fills it leaves the cursor
    /// in a pending-wrap state that terminals handle differently, and a blank row in some.
    fn columns(self) -> Option<usize> {
        self.size.map(|(columns, _)| columns.saturating_sub(1).max(MIN_WIDTH))
    }

    fn frame_width(self) -> usize {
        self.columns().map_or(UNSIZED_WIDTH, |c| c.min(MAX_WIDTH))
    }

    /// How many screen rows `line` takes once the terminal has wrapped it.
    fn rows_of(self, line: &str) -> usize {
        let width = console::strip_ansi_codes(line).width();
        match self.size {
            Some((columns, _)) if width > columns => width.div_ceil(columns),
            _ => 1,
        }
    }
}

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
    /// What the length counts ("characters", "weighted characters").
    pub unit: &'static str,
    /// Content warning, language and visibility, when set.
    pub content_warning: Option<&'a str>,
    pub language: Option<&'a str>,
    pub visibility: Option<&'a str>,
    pub images: &'a [crate::content::Image],
    /// `none needed`, `keychain`, `environment`, or why it is missing.
    pub credential: &'a str,
    pub dry_run: bool,
    /// What the content rules found; their spans are highlighted in the preview.
    pub findings: &'a [Finding],
    /// The approvers whose signatures meet everything the post needs; empty otherwise.
    pub approved_by: &'a [String],
}

/// How a met approval is worded, on the banner and in `queue check`: who signed.
pub fn approved_by(names: &[String]) -> String {
    format!("approved by {}", names.join(", "))
}

fn framed(kind: Kind, width: usize) -> Vec<String> {
    let (top, side, bottom, h, tr, br) = match kind {
        Kind::Official => ("╔", "║", "╚", "═", "╗", "╝"),
        Kind::Personal => ("┌", "│", "└", "─", "┐", "┘"),
    };
    let (word, meaning) = crate::confirm::kind_words(kind);
    let inner = width - 2;
    // Measured in the language shown: French words are longer.
    let title = t!("banner-frame-title", word = word);
    let one = format!("  {title} · {meaning}");
    let labels = if one.width() <= inner {
        vec![one]
    } else {
        vec![format!("  {title}"), format!("  {meaning}")]
    };
    let mut lines = vec![format!("{top}{}{tr}", h.repeat(inner))];
    for label in labels {
        let pad = inner.saturating_sub(label.width());
        lines.push(format!("{side}{label}{}{side}", " ".repeat(pad)));
    }
    lines.push(format!("{bottom}{}{br}", h.repeat(inner)));
    lines.iter().map(|l| crate::confirm::paint_kind(kind, l)).collect()
}

/// One grapheme as drawn, with the level of the finding it belongs to.
struct Cell {
    text: String,
    width: usize,
    level: Option<Level>,
}

fn cells(text: &str, level: Option<Level>) -> impl Iterator<Item = Cell> + '_ {
    text.graphemes(true).map(move |g| Cell {
        text: g.to_string(),
        width: g.width(),
        level,
    })
}

/// Cuts `cells` into rows of at most `width` columns (no limit without a terminal), between
/// graphemes, never inside one: after the row's last space when there is one, so words stay
/// whole, else where the row is full. Every cell is kept, spaces too, in order. No cells make
/// one empty row.
fn wrap(cells: impl IntoIterator<Item = Cell>, width: Option<usize>) -> Vec<Vec<Cell>> {
    let mut rows: Vec<Vec<Cell>> = vec![Vec::new()];
    let mut used = 0;
    for cell in cells {
        if let Some(width) = width
            && used > 0
            && used + cell.width > width
        {
            let carry = match rows.last_mut() {
                Some(row) => match row.iter().rposition(|c| c.text == " ") {
                    Some(space) if space > 0 && cell.text != " " => row.split_off(space + 1),
                    _ => Vec::new(),
                },
                None => Vec::new(),
            };
            used = carry.iter().map(|c| c.width).sum();
            rows.push(carry);
        }
        used += cell.width;
        if let Some(row) = rows.last_mut() {
            row.push(cell);
        }
    }
    rows
}

/// A row's text, each finding's span in its level's colours when colour is on.
fn paint(row: &[Cell], colour: bool) -> String {
    let mut out = String::new();
    let mut rest = row;
    while let Some(first) = rest.first() {
        let run = rest.iter().take_while(|c| c.level == first.level).count();
        let text: String = rest[..run].iter().map(|c| c.text.as_str()).collect();
        out.push_str(&match first.level {
            Some(level) if colour => highlight(level, &text),
            _ => text,
        });
        rest = &rest[run..];
    }
    out
}

fn highlight(level: Level, text: &str) -> String {
    match level {
        Level::Deny => text.white().on_red().to_string(),
        Level::Approve => text.black().on_yellow().to_string(),
        Level::Warn => text.yellow().underline().to_string(),
    }
}

fn more_lines(n: usize) -> String {
    t!("banner-more-lines", count = n)
}

/// Lays out `text` after `first` (whose width is `indent`), its further rows indented by as
/// much, at most [`MAX_FIELD_ROWS`] rows and then a `… N more lines` row. `style` paints each
/// row's text.
fn indented(
    out: &mut Vec<String>,
    screen: Screen,
    first: String,
    indent: usize,
    text: &str,
    style: &dyn Fn(&str) -> String,
) {
    let width = screen.columns().map(|c| c.saturating_sub(indent).max(1));
    let rows = wrap(cells(text, None), width);
    for (i, row) in rows.iter().take(MAX_FIELD_ROWS).enumerate() {
        let text: String = row.iter().map(|c| c.text.as_str()).collect();
        let lead = if i == 0 { first.clone() } else { " ".repeat(indent) };
        out.push(format!("{lead}{}", style(&text)));
    }
    if rows.len() > MAX_FIELD_ROWS {
        out.push(format!(
            "{}{}",
            " ".repeat(indent),
            more_lines(rows.len() - MAX_FIELD_ROWS)
        ));
    }
}

/// Renders the banner for stderr, fitted to the terminal stderr is on.
pub fn render(info: &BannerInfo) -> String {
    render_on(info, Screen::of_stderr())
}

/// Renders the banner for a terminal of the given size.
pub fn render_on(info: &BannerInfo, screen: Screen) -> String {
    let a = info.account;
    let mut head = framed(a.kind, screen.frame_width());
    let field = |out: &mut Vec<String>, label: &str, value: &str, style: &dyn Fn(&str) -> String| {
        indented(
            out,
            screen,
            format!("  {} ", pad(label, FIELD_INDENT - 3).dimmed()),
            FIELD_INDENT,
            value,
            style,
        );
    };
    let plain = |s: &str| s.to_string();
    field(&mut head, &t!("banner-account"), &sanitize::one_line(&a.name), &|s| {
        s.bold().to_string()
    });
    field(
        &mut head,
        &t!("banner-handle"),
        &sanitize::one_line(&a.handle),
        &|s| match a.kind {
            Kind::Official => s.red().bold().to_string(),
            Kind::Personal => s.cyan().bold().to_string(),
        },
    );
    field(
        &mut head,
        &t!("banner-display-name"),
        &sanitize::one_line(&a.display_name),
        &plain,
    );
    field(
        &mut head,
        &t!("banner-platform"),
        &t!(
            "banner-platform-value",
            platform = a.platform.as_str(),
            host = sanitize::one_line(&a.host())
        ),
        &plain,
    );
    field(&mut head, &t!("banner-owner"), &sanitize::one_line(&a.owner), &plain);
    field(
        &mut head,
        &t!("banner-credential"),
        &sanitize::one_line(info.credential),
        &plain,
    );
    if let Some(action) = &info.action {
        field(&mut head, &t!("banner-action"), &sanitize::one_line(action), &|s| {
            s.yellow().bold().to_string()
        });
    }
    if let Some(reply) = info.reply_to {
        field(&mut head, &t!("banner-reply-to"), &sanitize::one_line(reply), &plain);
    }
    for (i, image) in info.images.iter().enumerate() {
        let size = format!(
            "{} ({} KB)  ",
            sanitize::one_line(&image.file_name),
            image.bytes.len().div_ceil(1024)
        );
        match &image.alt {
            Some(alt) => field(
                &mut head,
                &t!("banner-image", number = i + 1),
                &format!("{size}{}", t!("banner-image-alt", alt = sanitize::one_line(alt))),
                &plain,
            ),
            None => {
                let missing = t!("banner-image-no-description");
                field(
                    &mut head,
                    &t!("banner-image", number = i + 1),
                    &format!("{size}{missing}"),
                    &|s| s.replace(&missing, &missing.yellow().bold().to_string()),
                )
            }
        }
    }
    if let Some(visibility) = info.visibility {
        field(
            &mut head,
            &t!("banner-visibility"),
            &sanitize::one_line(visibility),
            &plain,
        );
    }
    if let Some(language) = info.language {
        field(&mut head, &t!("banner-language"), &sanitize::one_line(language), &plain);
    }
    if let Some(cw) = info.content_warning {
        field(
            &mut head,
            &t!("banner-content-warning"),
            &sanitize::one_line(cw),
            &plain,
        );
    }
    if info.dry_run {
        field(&mut head, &t!("banner-mode"), &t!("banner-dry-run"), &|s| {
            s.yellow().bold().to_string()
        });
    }

    let len = info.length;
    let count = t!(
        "banner-count",
        length = len,
        max = info.max_characters,
        unit = unit_shown(info.unit)
    );
    let count = if len > info.max_characters {
        t!("banner-too-long", count = count, over = len - info.max_characters)
            .red()
            .bold()
            .to_string()
    } else {
        count
    };
    let hidden = sanitize::hidden_chars(info.text).len();
    head.push(String::new());
    let mut post_line = format!("  {}  {}", t!("banner-post").dimmed(), count);
    if hidden > 0 {
        post_line.push_str(&format!("  {}", t!("banner-hidden", count = hidden).yellow()));
    }
    head.push(post_line);

    let mut foot = Vec::new();
    if !info.findings.is_empty() || !info.approved_by.is_empty() {
        let (deny, approve, warn) = crate::rules::tally(info.findings);
        // Once the approvals are met, the tally names who gave them instead of counting a need.
        let approval = if info.approved_by.is_empty() {
            t!("banner-tally", deny = deny, approve = approve, warn = warn)
        } else {
            t!(
                "banner-tally-approved",
                deny = deny,
                names = info.approved_by.join(", "),
                warn = warn
            )
        };
        foot.push(String::new());
        foot.push(format!("  {}  {}", t!("banner-checks").dimmed(), approval));
        for f in info.findings {
            let at = f.span.as_ref().map_or(String::new(), |s| {
                let (line, col) = crate::diagnostic::line_col(info.text, s.start);
                format!("{line}:{col} ")
            });
            let suggestion = f.suggestion.as_ref().map_or(String::new(), |s| {
                format!(" {}", t!("banner-suggestion", suggestion = sanitize::one_line(s)))
            });
            indented(
                &mut foot,
                screen,
                format!("    {} ", level_label(f.level)),
                FINDING_INDENT,
                &format!(
                    "{at}{}  {}{suggestion}",
                    sanitize::one_line(&f.rule),
                    sanitize::one_line(&f.message)
                ),
                &plain,
            );
        }
    }

    let colour = colored::control::SHOULD_COLORIZE.should_colorize();
    let width = screen.columns().map(|c| c - GUTTER_WIDTH);
    let rows: Vec<Vec<Cell>> = preview(info.text, info.findings, colour)
        .into_iter()
        .flat_map(|line| wrap(line, width))
        .collect();
    let budget = match screen.size {
        Some((_, height)) => {
            let used: usize = head.iter().chain(&foot).map(|l| screen.rows_of(l)).sum();
            // Below the preview: the `… N more lines` row, then the prompt with an answer as
            // long as the handle, so the frame is still on screen while the person types.
            let prompt = format!("{}{}", crate::confirm::first_prompt(a), sanitize::one_line(&a.handle));
            let below = 1 + screen.rows_of(&prompt);
            height
                .saturating_sub(used + below)
                .clamp(MIN_PREVIEW_ROWS, MAX_PREVIEW_ROWS)
        }
        None => MAX_PREVIEW_ROWS,
    };

    let mut out = String::new();
    for line in &head {
        out.push_str(line);
        out.push('\n');
    }
    for row in rows.iter().take(budget) {
        out.push_str(&format!("  {} {}\n", "┃".dimmed(), paint(row, colour)));
    }
    if rows.len() > budget {
        // Outside the gutter, where no post can write: this row is postgate's own.
        let short = more_lines(rows.len() - budget);
        let long = t!("banner-more-lines-whole", lines = short.as_str());
        // One row, so that the room left for the prompt is right.
        let fits = screen.columns().is_none_or(|c| long.width() + 2 <= c);
        out.push_str(&format!("  {}\n", if fits { long } else { short }.dimmed()));
    }
    for line in &foot {
        out.push_str(line);
        out.push('\n');
    }
    out
}

fn level_label(level: Level) -> String {
    let width = FINDING_INDENT - 5;
    match level {
        Level::Deny => pad(&t!("banner-level-deny"), width).white().on_red().bold().to_string(),
        Level::Approve => pad(&t!("banner-level-approve"), width)
            .black()
            .on_yellow()
            .bold()
            .to_string(),
        Level::Warn => pad(&t!("banner-level-warn"), width).yellow().bold().to_string(),
    }
}

/// `label` padded with spaces to `columns`, measured as the terminal draws it (`{:<n}` counts
/// characters, and a translation may hold a combining mark).
fn pad(label: &str, columns: usize) -> String {
    format!("{label}{}", " ".repeat(columns.saturating_sub(label.width())))
}

/// The platform's unit of length in the language shown; an unknown unit as the platform says it.
fn unit_shown(unit: &str) -> String {
    match unit {
        "characters" => t!("banner-unit-characters"),
        "weighted characters" => t!("banner-unit-weighted"),
        other => other.to_string(),
    }
}

/// The post's lines as cells, sanitized, each finding's span marked by its level: colour when
/// colour is on, `⟦…⟧` otherwise (screenshots and NO_COLOR users still see where).
fn preview(text: &str, findings: &[Finding], colour: bool) -> Vec<Vec<Cell>> {
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
    cuts.retain(|&c| text.is_char_boundary(c));
    cuts.sort_unstable();
    cuts.dedup();
    let mut lines = vec![Vec::new()];
    for pair in cuts.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let level = spans
            .iter()
            .filter(|(s, _)| s.start <= a && b <= s.end)
            .map(|(_, l)| *l)
            .max();
        for (i, piece) in text[a..b].split('\n').enumerate() {
            if i > 0 {
                lines.push(Vec::new());
            }
            let Some(line) = lines.last_mut() else { continue };
            match level {
                Some(_) if !colour && !piece.is_empty() => {
                    line.extend(cells("⟦", None));
                    line.extend(sanitized_cells(piece, level));
                    line.extend(cells("⟧", None));
                }
                _ => line.extend(sanitized_cells(piece, level)),
            }
        }
    }
    lines
}

/// The widest visible form kept on one row whole; a longer one (a letter carrying many
/// invisible marks) is cut like text.
const MAX_WHOLE: usize = 24;

/// `text` sanitized grapheme by grapheme, each grapheme's visible form (`⟨U+200B⟩`) one cell,
/// so that wrapping never cuts it in two.
fn sanitized_cells(text: &str, level: Option<Level>) -> Vec<Cell> {
    let mut out = Vec::new();
    for g in text.graphemes(true) {
        let shown = sanitize::for_terminal(g);
        let width = shown.width();
        if shown == g || width > MAX_WHOLE {
            out.extend(cells(&shown, level));
        } else {
            out.push(Cell {
                text: shown,
                width,
                level,
            });
        }
    }
    out
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::{Confirm, CredentialPolicy, NonInteractive, PlatformName};

    /// The banner never looks at where an account publishes.
    #[derive(Debug)]
    struct Nowhere;

    impl crate::account::Destination for Nowhere {
        fn host(&self) -> String {
            "local".into()
        }
        fn pinned_id(&self) -> Option<&str> {
            None
        }
    }

    fn account(kind: Kind) -> Account {
        Account {
            name: "demo".into(),
            handle: "@demo".into(),
            platform: PlatformName::new("local"),
            destination: std::sync::Arc::new(Nowhere),
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
        render_sized(kind, text, Screen::UNSIZED)
    }

    fn render_sized(kind: Kind, text: &str, screen: Screen) -> String {
        colored::control::set_override(false);
        let a = account(kind);
        render_on(
            &BannerInfo {
                account: &a,
                action: None,
                text,
                reply_to: None,
                length: crate::graphemes::count(text),
                max_characters: 10,
                unit: "characters",
                content_warning: None,
                language: None,
                visibility: None,
                images: &[],
                credential: "none",
                dry_run: true,
                findings: &[],
                approved_by: &[],
            },
            screen,
        )
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
        let out = render_on(
            &BannerInfo {
                account: &a,
                action: None,
                text,
                reply_to: None,
                length: 10,
                max_characters: 100,
                unit: "characters",
                content_warning: None,
                language: None,
                visibility: None,
                images: &[],
                credential: "none",
                dry_run: false,
                findings: &findings,
                approved_by: &[],
            },
            Screen::UNSIZED,
        );
        assert!(out.contains("  ┃ Votez⟦⟨U+202E⟩⟧ pour le ⟦candidat⟧\n  ┃ X\n"), "{out}");
        assert!(out.contains("1 refused · 0 need approval · 1 warning(s)"), "{out}");
        assert!(
            out.contains("DENY    1:16 neutralite  période de réserve (suggestion: la liste)"),
            "{out}"
        );
    }

    #[test]
    fn a_met_approval_names_its_approvers_instead_of_counting_a_need() {
        colored::control::set_override(false);
        let a = account(Kind::Official);
        let findings = [Finding {
            rule: "consentement".into(),
            level: Level::Approve,
            message: "une personne".into(),
            suggestion: None,
            span: None,
        }];
        let approved_by = ["sg".to_string(), "dg".to_string()];
        let info = |approved_by| BannerInfo {
            account: &a,
            action: None,
            text: "Merci @jeanne",
            reply_to: None,
            length: 13,
            max_characters: 100,
            unit: "characters",
            content_warning: None,
            language: None,
            visibility: None,
            images: &[],
            credential: "none",
            dry_run: false,
            findings: &findings,
            approved_by,
        };
        let out = render_on(&info(&approved_by), Screen::UNSIZED);
        assert!(
            out.contains("checks  0 refused · approved by sg, dg · 0 warning(s)"),
            "{out}"
        );
        let out = render_on(&info(&[]), Screen::UNSIZED);
        assert!(
            out.contains("checks  0 refused · 1 need approval · 0 warning(s)"),
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

    fn width(line: &str) -> usize {
        UnicodeWidthStr::width(line)
    }

    #[test]
    fn every_row_fits_and_every_preview_row_has_the_gutter() {
        let post = format!("{}╔══ PERSONAL\n{}", " ".repeat(50), "é".repeat(45));
        let out = render_sized(Kind::Official, &post, Screen { size: Some((40, 30)) });
        let lines: Vec<&str> = out.lines().collect();
        let post_row = lines.iter().position(|l| l.starts_with("  post")).unwrap();
        // postgate's own count may be wrapped by the terminal; nothing else needs to be.
        assert!(
            lines.iter().enumerate().all(|(i, l)| i == post_row || width(l) <= 39),
            "{out}"
        );
        assert!(
            out.contains("  mode          DRY RUN: nothing will \n                be published\n"),
            "{out}"
        );
        let preview = &lines[post_row + 1..];
        // 50 blanks and the fake frame on two rows; 45 é on two rows.
        assert_eq!(preview.len(), 4, "{out}");
        assert!(preview.iter().all(|l| l.starts_with("  ┃ ")), "{out}");
        assert_eq!(preview[1], format!("  ┃ {}╔══ PERSONAL", " ".repeat(15)));
        assert_eq!(preview[3], format!("  ┃ {}", "é".repeat(10)));
    }

    #[test]
    fn wide_characters_and_graphemes_are_never_split() {
        // 35 columns of text per row at 40 columns: a row of 17 wide characters (34 columns)
        // cannot take an 18th, and an e with its combining accent stays whole.
        let post = format!("{}e\u{301}{}", "界".repeat(17), "x".repeat(40));
        let out = render_sized(Kind::Official, &post, Screen { size: Some((40, 30)) });
        let rows: Vec<&str> = out.lines().filter(|l| l.starts_with("  ┃ ")).collect();
        assert_eq!(rows[0], format!("  ┃ {}e\u{301}", "界".repeat(17)));
        assert_eq!(rows[1], format!("  ┃ {}", "x".repeat(35)));
        assert_eq!(rows[2], "  ┃ xxxxx");
    }

    #[test]
    fn a_visible_form_is_never_cut() {
        // 30 letters, then U+200B: its 8 columns do not fit in the 5 left, so all move on.
        let post = format!("{}\u{200b}b", "a".repeat(30));
        let out = render_sized(Kind::Official, &post, Screen { size: Some((40, 30)) });
        let rows: Vec<&str> = out.lines().filter(|l| l.starts_with("  ┃ ")).collect();
        assert_eq!(rows, [format!("  ┃ {}", "a".repeat(30)), "  ┃ ⟨U+200B⟩b".to_string()]);
    }

    #[test]
    fn the_preview_is_bounded_by_the_screen() {
        let post = "ligne\n".repeat(100);
        for (rows, shown) in [(40, 20), (24, 10), (5, MIN_PREVIEW_ROWS)] {
            let out = render_sized(
                Kind::Official,
                &post,
                Screen {
                    size: Some((100, rows)),
                },
            );
            let preview = out.lines().filter(|l| l.starts_with("  ┃")).count();
            assert_eq!(preview, shown, "{rows} rows:\n{out}");
            let more = format!(
                "  … {} more lines; the whole post is checked and published",
                101 - shown
            );
            assert!(out.contains(&more), "{out}");
        }
        // No terminal: nothing wraps, and the bound still holds.
        let out = render_plain(Kind::Official, &post);
        assert_eq!(out.lines().filter(|l| l.starts_with("  ┃")).count(), MAX_PREVIEW_ROWS);
        assert!(out.contains("  … 81 more lines"), "{out}");
    }

    #[test]
    fn the_frame_is_fitted_to_the_width() {
        for (columns, expected) in [(20, MIN_WIDTH), (40, 39), (62, 61), (200, MAX_WIDTH)] {
            let out = render_sized(
                Kind::Personal,
                "x",
                Screen {
                    size: Some((columns, 30)),
                },
            );
            let frame: Vec<&str> = out.lines().take_while(|l| !l.starts_with("  account")).collect();
            assert!(frame.iter().all(|l| width(l) == expected), "{columns}: {frame:#?}");
            assert_eq!(frame.len(), if expected < 44 { 4 } else { 3 }, "{frame:#?}");
            assert!(frame.concat().contains("PERSONAL ACCOUNT") && frame.concat().contains("speaks for one person"));
        }
    }

    #[test]
    fn the_french_banner_is_measured_in_french_at_40_and_80_columns() {
        use crate::i18n::{Language, with_language};
        for (columns, frame_rows) in [(40, 4), (80, 3)] {
            let out = with_language(Language::French, || {
                render_sized(
                    Kind::Official,
                    "x",
                    Screen {
                        size: Some((columns, 30)),
                    },
                )
            });
            let lines: Vec<&str> = out.lines().collect();
            let frame: Vec<&str> = lines
                .iter()
                .copied()
                .take_while(|l| !l.starts_with("  compte"))
                .collect();
            assert_eq!(frame.len(), frame_rows, "{columns}: {frame:#?}");
            assert!(frame.iter().all(|l| width(l) == columns - 1), "{columns}: {frame:#?}");
            assert!(frame.concat().contains("COMPTE OFFICIEL") && frame.concat().contains("parle pour l'institution"));
            assert!(lines.iter().all(|l| width(l) < columns), "{out}");
            assert!(out.contains("  identifiant   @demo\n"), "{out}");
            assert!(out.contains("  publication  1/10 caractères"), "{out}");
            assert!(!out.contains("OFFICIAL") && !out.contains("handle"), "{out}");
        }
    }

    #[test]
    fn every_label_fits_its_column_in_every_language() {
        use crate::i18n::{Language, text_in};
        let labels = [
            "banner-account",
            "banner-handle",
            "banner-display-name",
            "banner-platform",
            "banner-owner",
            "banner-credential",
            "banner-action",
            "banner-reply-to",
            "banner-visibility",
            "banner-language",
            "banner-content-warning",
            "banner-mode",
        ];
        for language in [Language::English, Language::French] {
            for id in labels {
                let label = text_in(language, id, &[]);
                assert!(label.width() <= FIELD_INDENT - 3, "{language:?} {id}: {label:?}");
            }
            let image = text_in(language, "banner-image", &[("number", 9.into())]);
            assert!(image.width() <= FIELD_INDENT - 3, "{image:?}");
            for id in ["banner-level-deny", "banner-level-approve", "banner-level-warn"] {
                let label = text_in(language, id, &[]);
                assert!(label.width() <= FINDING_INDENT - 5, "{language:?} {id}: {label:?}");
            }
            // The frame's words fit the narrowest banner on two rows.
            for (word, meaning) in [
                ("banner-official", "banner-official-meaning"),
                ("banner-personal", "banner-personal-meaning"),
            ] {
                let word = text_in(language, word, &[]);
                let title = text_in(language, "banner-frame-title", &[("word", word.into())]);
                let meaning = text_in(language, meaning, &[]);
                assert!(2 + title.width() <= MIN_WIDTH - 2, "{title:?}");
                assert!(2 + meaning.width() <= MIN_WIDTH - 2, "{meaning:?}");
            }
        }
    }

    #[test]
    fn french_findings_keep_the_policys_words() {
        use crate::i18n::{Language, with_language};
        colored::control::set_override(false);
        let a = account(Kind::Official);
        let text = "Votez pour le candidat";
        let findings = [Finding {
            rule: "neutralite".into(),
            level: Level::Deny,
            message: "période de réserve".into(),
            suggestion: None,
            span: Some(14..22),
        }];
        let out = with_language(Language::French, || {
            render_on(
                &BannerInfo {
                    account: &a,
                    action: None,
                    text,
                    reply_to: None,
                    length: 22,
                    max_characters: 100,
                    unit: "characters",
                    content_warning: None,
                    language: None,
                    visibility: None,
                    images: &[],
                    credential: "none",
                    dry_run: false,
                    findings: &findings,
                    approved_by: &[],
                },
                Screen::UNSIZED,
            )
        });
        assert!(
            out.contains("  contrôles  1 refus · 0 à approuver · 0 avertissement\n"),
            "{out}"
        );
        assert!(
            out.contains("    REFUS   1:15 neutralite  période de réserve\n"),
            "{out}"
        );
    }

    #[test]
    fn long_fields_wrap_under_their_label_and_are_cut() {
        let mut a = account(Kind::Official);
        a.owner = format!("{}╔══ fake", " ".repeat(40)) + &"o".repeat(300);
        colored::control::set_override(false);
        let out = render_on(
            &BannerInfo {
                account: &a,
                action: None,
                text: "x",
                reply_to: None,
                length: 1,
                max_characters: 10,
                unit: "characters",
                content_warning: None,
                language: None,
                visibility: None,
                images: &[],
                credential: "none",
                dry_run: false,
                findings: &[],
                approved_by: &[],
            },
            Screen { size: Some((40, 30)) },
        );
        let lines: Vec<&str> = out.lines().collect();
        let owner = lines.iter().position(|l| l.starts_with("  owner")).unwrap();
        for row in &lines[owner + 1..owner + MAX_FIELD_ROWS] {
            assert!(row.starts_with(&" ".repeat(FIELD_INDENT)) && width(row) <= 39, "{out}");
        }
        assert!(
            lines[owner + MAX_FIELD_ROWS].starts_with(&format!("{}… ", " ".repeat(FIELD_INDENT))),
            "{out}"
        );
    }
}
