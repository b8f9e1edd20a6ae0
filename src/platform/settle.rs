//! Publishing exactly once where the platform has no idempotency key (X, Facebook, LinkedIn):
//! one loop, so that what one platform learned (the red team's findings on X) holds for all.
//!
//! When a send's outcome is unknown (a timeout, a reset, a 5xx) or the platform calls the post
//! a duplicate, the account's own posts since the intent are read first. Found: the post is
//! recorded as that one and nothing is sent again. Not there after an unknown outcome: sent
//! again, at most once. Not there after a duplicate: refused. A listing that cannot say:
//! postgate refuses to guess (exit 10). How each platform lists and compares its posts is its
//! own `look`.

use super::spec::{Published, RemotePost};
use crate::error::Failure;
use crate::exit_codes::ExitCode;
use anyhow::Result;

/// What one send came to.
pub enum Sent {
    Done(Published),
    /// The platform refused the text as a repeat of an earlier post; the words say how.
    Duplicate(String),
    /// Sent, with no usable answer: it may have landed. The words say what happened.
    Unknown(String),
    /// Refused: nothing was published.
    Refused(anyhow::Error),
}

/// What the account's posts say about the post being settled.
pub enum Look {
    Found(RemotePost),
    NotFound,
    /// The listing cannot say (it failed, was cut, or a post with this text has no time).
    Inconclusive(String),
}

/// The words a platform's messages need.
pub struct Place<'a> {
    /// The platform's registry name, which prefixes progress lines (`x`).
    pub platform: &'a str,
    /// Who refuses a duplicate (`X`, `Meta`, `LinkedIn`).
    pub refuser: &'a str,
    /// Where a post lands (`the account`, `the Page`).
    pub on: &'a str,
    /// What is listed (`the account's posts`).
    pub posts: &'a str,
    /// The address a person opens to check.
    pub address: String,
    /// The start of the listing, for messages.
    pub since: jiff::Timestamp,
}

/// Settles one publish that began with `first`: `send` sends the same request again, `look`
/// reads the account's posts for it.
pub fn settle(
    place: &Place,
    first: Sent,
    send: &mut dyn FnMut() -> Sent,
    look: &mut dyn FnMut() -> Look,
) -> Result<Published> {
    let p = place.platform;
    let mut attempt = first;
    let mut sent_again = false;
    loop {
        let (why, duplicate) = match attempt {
            Sent::Done(published) => return Ok(published),
            Sent::Refused(e) => return Err(e),
            Sent::Duplicate(why) => (why, true),
            Sent::Unknown(why) => (why, false),
        };
        match look() {
            Look::Found(post) => {
                eprintln!(
                    "postgate: {p}: {why}, and the post is on {}: {}; recorded as that post, nothing sent again",
                    place.on,
                    crate::sanitize::one_line(&post.url)
                );
                return Ok(Published {
                    id: post.id,
                    url: post.url,
                    replayed: true,
                });
            }
            Look::NotFound if !duplicate && !sent_again => {
                eprintln!(
                    "postgate: {p}: {why}; the post is not among {}, so postgate sends it again, once",
                    place.posts
                );
                sent_again = true;
                attempt = send();
            }
            Look::NotFound => return Err(not_found(place, &why, duplicate, sent_again).into()),
            Look::Inconclusive(listing) => {
                return Err(Failure::new(
                    ExitCode::Incomplete,
                    format!(
                        "{p}: {why}, and {} cannot say whether it landed ({listing}); postgate refuses to guess, \
                         and sent nothing more",
                        place.posts
                    ),
                )
                .hint(check_first(place))
                .into());
            }
        }
    }
}

fn check_first(place: &Place) -> String {
    format!(
        "look at {}: if the post is there, do not post it again (`postgate reconcile` will show it as in doubt); \
         if it is not, post it again",
        place.address
    )
}

/// The post is not among the account's posts, and will not be sent again.
fn not_found(place: &Place, why: &str, duplicate: bool, sent_again: bool) -> Failure {
    let (p, refuser, posts) = (place.platform, place.refuser, place.posts);
    match (duplicate, sent_again) {
        // Refused as a duplicate with nothing else sent: nothing is in doubt; the platform
        // turned the text down (exit 4).
        (true, false) => Failure::new(
            ExitCode::ContentRefused,
            format!(
                "{refuser} refused the post as a duplicate of an earlier one, and no post with this text is among \
                 {posts} since {}: nothing was published by this run",
                place.since.round(jiff::Unit::Second).unwrap_or(place.since)
            ),
        )
        .hint(format!(
            "look at {}: {refuser} does not say how long it remembers a text, so an older identical post may be \
             the one it means; reword the post, or leave it",
            place.address
        )),
        // The send before went unanswered: it may have landed and be the duplicate meant,
        // although the listing does not show it yet.
        (true, true) => Failure::new(
            ExitCode::Incomplete,
            format!(
                "{p}: the first send went unanswered and the second was refused as a duplicate: the first may be \
                 the post {refuser} means, although {posts} do not show it yet"
            ),
        )
        .hint(check_first(place)),
        (false, _) => Failure::new(
            ExitCode::Incomplete,
            format!("{p}: sent twice without an answer ({why}), and neither is among {posts}"),
        )
        .hint(check_first(place)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place() -> Place<'static> {
        Place {
            platform: "x",
            refuser: "X",
            on: "the account",
            posts: "the account's posts",
            address: "https://x.com/someone".into(),
            since: "2026-12-02T09:00:00Z".parse().unwrap(),
        }
    }

    fn post(id: &str) -> RemotePost {
        RemotePost {
            id: id.into(),
            url: format!("https://x.com/someone/status/{id}"),
            created_at: None,
            text: "Bonjour".into(),
        }
    }

    fn done(id: &str) -> Sent {
        Sent::Done(Published {
            id: id.into(),
            url: String::new(),
            replayed: false,
        })
    }

    fn code(e: anyhow::Error) -> ExitCode {
        crate::error::exit_code_of(&e)
    }

    #[test]
    fn an_unknown_outcome_is_looked_for_before_anything_is_sent_again() {
        let mut sends = 0;
        let found = settle(
            &place(),
            Sent::Unknown("500".into()),
            &mut || {
                sends += 1;
                done("2")
            },
            &mut || Look::Found(post("1")),
        )
        .unwrap();
        assert_eq!((found.id.as_str(), found.replayed, sends), ("1", true, 0));
        // Not there: sent again once, and that answer stands.
        let mut sends = 0;
        let again = settle(
            &place(),
            Sent::Unknown("503".into()),
            &mut || {
                sends += 1;
                done("3")
            },
            &mut || Look::NotFound,
        )
        .unwrap();
        assert_eq!((again.id.as_str(), sends), ("3", 1));
    }

    #[test]
    fn never_a_second_resend_and_never_a_guess() {
        let mut sends = 0;
        let e = settle(
            &place(),
            Sent::Unknown("timeout".into()),
            &mut || {
                sends += 1;
                Sent::Unknown("timeout".into())
            },
            &mut || Look::NotFound,
        )
        .unwrap_err();
        assert_eq!((code(e), sends), (ExitCode::Incomplete, 1));
        let mut sends = 0;
        let e = settle(
            &place(),
            Sent::Unknown("500".into()),
            &mut || {
                sends += 1;
                done("9")
            },
            &mut || Look::Inconclusive("the listing failed".into()),
        )
        .unwrap_err();
        assert_eq!((code(e), sends), (ExitCode::Incomplete, 0));
    }

    #[test]
    fn a_duplicate_is_refused_unless_an_unanswered_send_may_be_it() {
        let e = settle(
            &place(),
            Sent::Duplicate("X refused it as duplicate content".into()),
            &mut || done("never"),
            &mut || Look::NotFound,
        )
        .unwrap_err();
        assert_eq!(code(e), ExitCode::ContentRefused);
        let e = settle(
            &place(),
            Sent::Unknown("500".into()),
            &mut || Sent::Duplicate("X refused it as duplicate content".into()),
            &mut || Look::NotFound,
        )
        .unwrap_err();
        let shown = format!("{e:#}");
        assert_eq!(code(e), ExitCode::Incomplete, "{shown}");
        assert!(shown.contains("the first may be the post X means"), "{shown}");
    }
}
