//! Whether an attempt that postgate could not record reached the platform: one search, used by
//! `reconcile` (which must not call such a post foreign) and by the publish pipeline on
//! platforms that recognise no repeat (look-before-write: a retry is sent only once the search
//! says the first try is not there).

use crate::audit::InDoubt;
use crate::platform::spec::{RemotePost, Session};
use anyhow::Result;

/// What the account's posts say about one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Search {
    /// A post that may be the attempt's: the same text, made no earlier than the attempt.
    Found(RemotePost),
    /// The listing reached back past the attempt and holds no such post.
    NotFound,
    /// The listing stopped before reaching the attempt (the reason given), so its absence
    /// proves nothing.
    Inconclusive(String),
}

/// Whether `post` may be the post of the attempt `doubt`. `reconcile` and the pipeline both
/// ask this, so they never disagree on what counts as the same post.
pub fn may_be(doubt: &InDoubt, post: &RemotePost) -> bool {
    doubt.may_be(&post.text, post.created_at)
}

/// Looks for the attempt `doubt` among the account's posts, as the session lists them,
/// leaving out those whose ids the audit log already accounts for (`known`), since a post
/// recorded as another attempt's is not this one's.
pub fn search(session: &dyn Session, doubt: &InDoubt, known: &dyn Fn(&str) -> bool) -> Result<Search> {
    let since = doubt
        .time
        .checked_sub(crate::audit::SERVER_CLOCK_MARGIN)
        .unwrap_or(doubt.time);
    let listing = session.recent_posts(since)?;
    if let Some(post) = listing.posts.into_iter().find(|p| !known(&p.id) && may_be(doubt, p)) {
        return Ok(Search::Found(post));
    }
    Ok(match listing.cut {
        Some(why) => Search::Inconclusive(why),
        None => Search::NotFound,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::spec::Listing;
    use crate::platform::spec::testing::Lists;

    fn at(s: &str) -> jiff::Timestamp {
        s.parse().unwrap()
    }

    fn doubt(text: &str, time: &str) -> InDoubt {
        InDoubt {
            seq: 7,
            time: at(time),
            key: "k".into(),
            action: "post".into(),
            plan_hash: None,
            text_sha256: Some(crate::digest::sha256_hex(text.as_bytes())),
            text: Some(text.into()),
            images: Vec::new(),
        }
    }

    fn post(id: &str, text: &str, time: &str) -> RemotePost {
        RemotePost {
            id: id.into(),
            url: format!("https://example.org/{id}"),
            created_at: Some(at(time)),
            text: text.into(),
        }
    }

    const T: &str = "2026-12-01T09:00:00Z";

    #[test]
    fn the_attempts_post_is_found_and_one_already_recorded_is_not_it() {
        let d = doubt("Bonjour", T);
        let listed = Lists(Listing::whole(vec![
            post("2", "Bonjour", "2026-12-01T09:00:05Z"),
            post("1", "Bonjour", "2026-12-01T09:00:01Z"),
        ]));
        let found = search(&listed, &d, &|_| false).unwrap();
        assert_eq!(found, Search::Found(post("2", "Bonjour", "2026-12-01T09:00:05Z")));
        let found = search(&listed, &d, &|id| id == "2").unwrap();
        assert_eq!(found, Search::Found(post("1", "Bonjour", "2026-12-01T09:00:01Z")));
        assert_eq!(search(&listed, &d, &|_| true).unwrap(), Search::NotFound);
    }

    #[test]
    fn other_text_or_an_older_post_is_not_the_attempt() {
        let d = doubt("Bonjour", T);
        let listed = Lists(Listing::whole(vec![
            post("3", "Bonsoir", "2026-12-01T09:00:05Z"),
            post("1", "Bonjour", "2026-12-01T08:00:00Z"),
        ]));
        assert_eq!(search(&listed, &d, &|_| false).unwrap(), Search::NotFound);
    }

    #[test]
    fn a_cut_listing_proves_nothing() {
        let d = doubt("Bonjour", T);
        let listed = Lists(Listing::cut(
            vec![post("3", "Bonsoir", "2026-12-01T09:30:00Z")],
            "25 pages",
        ));
        assert_eq!(
            search(&listed, &d, &|_| false).unwrap(),
            Search::Inconclusive("25 pages".into())
        );
        // What a cut listing does show still counts.
        let listed = Lists(Listing::cut(
            vec![post("4", "Bonjour", "2026-12-01T09:30:00Z")],
            "25 pages",
        ));
        assert!(matches!(search(&listed, &d, &|_| false).unwrap(), Search::Found(_)));
    }
}
