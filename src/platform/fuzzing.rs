//! Fuzz entry points for what the platforms make of a server's words; `src/fuzzing.rs` holds
//! the others. Here because they call each platform's own parsers.

use super::{bluesky, http, mastodon};

/// What postgate makes of a server's words outside serde: an error body's message, a field cut
/// to its cap, Mastodon's HTML as text, a Bluesky record key's time, and the facets computed
/// over a post. None panics; an error message and a cut field are bounded and show nothing
/// hidden; a record key postgate makes reads back to its time.
pub fn platform_responses(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let message = http::error_message(&text);
    // Each part is cut to MESSAGE_CAP characters (plus the cut marker) before it is made
    // visible, and a hidden character is shown in at most 8 (`⟨U+XXXX⟩`).
    let bound = 8 * (2 * (http::MESSAGE_CAP + 40) + 2);
    assert!(
        message.chars().count() <= bound,
        "an error message is bounded: {} chars",
        message.chars().count()
    );
    assert!(
        crate::sanitize::hidden_chars(&message).is_empty(),
        "an error message shows nothing hidden"
    );
    assert!(!message.contains('\n'), "an error message is one line");
    let cap = data.first().map_or(0, |&b| usize::from(b % 64));
    let cut = http::clip(&text, cap);
    if text.chars().count() <= cap {
        assert_eq!(cut, text, "a field within its cap is kept whole");
    } else {
        let kept: String = text.chars().take(cap).collect();
        assert!(
            cut.starts_with(&kept) && cut.contains("…[cut: "),
            "a cut field says so: {cut:?}"
        );
    }
    let _ = mastodon::plain_text(&text);
    let _ = mastodon::count(&text, 23);
    let _ = mastodon::status_id(&text);
    if let Some(time) = bluesky::tid_time(&text) {
        let key = super::spec::PostKey::at("abc", Some(time));
        assert_eq!(
            bluesky::tid_time(&bluesky::tid(time, &key)),
            Some(time),
            "a record key keeps its time"
        );
    }
    for facet in bluesky::facets(&text, &mut |h| Some(format!("did:plc:{}", h.len()))) {
        let start = facet["index"]["byteStart"].as_u64().unwrap_or(u64::MAX) as usize;
        let end = facet["index"]["byteEnd"].as_u64().unwrap_or(u64::MAX) as usize;
        assert!(start <= end && end <= text.len(), "a facet lies inside the text");
        assert!(
            text.is_char_boundary(start) && text.is_char_boundary(end),
            "a facet cuts no character"
        );
    }
}
