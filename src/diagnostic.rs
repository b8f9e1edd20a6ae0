//! Errors in a file postgate reads (a policy, a plan, a draft) that point at the exact spot: `file:line:col`, the line, and a caret.

use std::fmt::Write as _;
use std::ops::Range;
use std::path::Path;

/// One problem in a policy file, located by a byte span.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub message: String,
    pub span: Option<Range<usize>>,
    pub help: Option<String>,
}

impl Diagnostic {
    /// A TOML reader's error, where it points.
    pub fn of_toml(e: toml::de::Error) -> Self {
        Diagnostic {
            message: e.message().to_string(),
            span: e.span(),
            help: None,
        }
    }

    pub fn new(message: impl Into<String>, span: Range<usize>) -> Self {
        Diagnostic {
            message: message.into(),
            span: Some(span),
            help: None,
        }
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = text[line_start..offset].chars().count() + 1;
    (line, col)
}

/// 1-based line numbers of byte offsets, from an index built once: policies with thousands of
/// rules would otherwise rescan the file for each.
pub struct LineIndex(Vec<usize>);

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        // memchr, not `match_indices`: a commented policy is thousands of lines, indexed at
        // every run by each part that validates it.
        LineIndex(
            std::iter::once(0)
                .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1))
                .collect(),
        )
    }

    pub fn line(&self, offset: usize) -> usize {
        self.0.partition_point(|&start| start <= offset)
    }
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Renders diagnostics the way compilers do, so editors and people both find the spot.
pub fn render(path: &Path, text: &str, diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for (i, d) in diags.iter().enumerate() {
        if i > 0 {
            out.push_str("\nerror: ");
        }
        // Messages quote values from the file, which may hold escape sequences.
        out.push_str(&crate::sanitize::for_terminal(&d.message));
        out.push('\n');
        let Some(span) = &d.span else {
            let _ = writeln!(out, "  --> {}", path.display());
            continue;
        };
        let (line, col) = line_col(text, span.start);
        let _ = writeln!(out, "  --> {}:{}:{}", path.display(), line, col);
        let src_line = text.lines().nth(line - 1).unwrap_or("");
        let gutter = line.to_string().len();
        let pad = " ".repeat(gutter);
        // Underline the span on this line only; multi-line values get a caret at the start.
        let end = floor_char_boundary(text, span.end.min(text.len()));
        let (end_line, end_col) = line_col(text, end);
        let width = if end_line == line && end_col > col {
            end_col - col
        } else {
            1
        };
        let _ = writeln!(out, "{pad} |");
        let _ = writeln!(out, "{line} | {}", crate::sanitize::one_line(src_line));
        let _ = writeln!(out, "{pad} | {}{}", " ".repeat(col - 1), "^".repeat(width));
        if let Some(help) = &d.help {
            let _ = writeln!(out, "{pad} = help: {}", crate::sanitize::for_terminal(help));
        }
    }
    out.truncate(out.trim_end().len());
    if diags.len() > 1 {
        // Said last, as compilers do, so the end of a long report tells how much there is.
        let _ = write!(out, "\n\n{} errors in {}", diags.len(), path.display());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based_and_count_chars() {
        let text = "a = 1\nbé = \"x\"\n";
        assert_eq!(line_col(text, 0), (1, 1));
        let off = text.find('=').unwrap();
        assert_eq!(line_col(text, off), (1, 3));
        let off = text.find("\"x").unwrap();
        assert_eq!(line_col(text, off), (2, 6));
    }

    #[test]
    fn the_line_index_agrees_with_line_col() {
        let text = "a\nbé\n\nc";
        let index = LineIndex::new(text);
        for offset in 0..=text.len() {
            if text.is_char_boundary(offset) {
                assert_eq!(index.line(offset), line_col(text, offset).0, "offset {offset}");
            }
        }
    }

    #[test]
    fn several_errors_end_with_their_count() {
        let text = "a = 1\nb = 2\n";
        let d = |at: usize| Diagnostic::new("bad", at..at + 1);
        let out = render(Path::new("p.toml"), text, &[d(0), d(6)]);
        assert!(out.starts_with("bad\n  --> p.toml:1:1\n"), "{out}");
        assert!(out.contains("\nerror: bad\n  --> p.toml:2:1\n"), "{out}");
        assert!(out.ends_with("\n\n2 errors in p.toml"), "{out}");
        assert!(!render(Path::new("p.toml"), text, &[d(0)]).contains("errors in"));
    }

    #[test]
    fn render_points_at_the_span() {
        let text = "[x]\nkind = \"offical\"\n";
        let start = text.find("\"offical\"").unwrap();
        let d = Diagnostic::new("unknown kind", start..start + 9).help("use official");
        let out = render(Path::new("p.toml"), text, &[d]);
        assert_eq!(
            out,
            "unknown kind\n  --> p.toml:2:8\n  |\n2 | kind = \"offical\"\n  |        ^^^^^^^^^\n  = help: use official"
        );
    }
}
