//! How long a text is as people see it: grapheme clusters, the unit most platforms count in.

use unicode_segmentation::UnicodeSegmentation;

/// Post length as platforms count it: grapheme clusters.
pub fn count(text: &str) -> usize {
    text.graphemes(true).count()
}
