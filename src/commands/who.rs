//! `postgate log who URL|ID`: the whole trail of one published post, from the records that
//! made, corrected and deleted it.
//!
//! [`find`] is a pure function over records tagged with where they came from, so the local
//! file and a shared store feed the same code; [`render`] and [`to_json`] only format.

use crate::audit::{AuditLog, Outcome, Record};
use crate::cli::{Cli, WhoArgs};
use crate::error::Failure;
use crate::exit_codes::ExitCode;
use crate::output;
use crate::sanitize::one_line;
use anyhow::Result;
use serde_json::{Value, json};

/// Where a record came from: a log file's path, or (later) a store's chain id. Shown beside
/// each step, since a story can span several machines' logs.
pub type Origin = String;

/// One change to an account: the outcome record and the intent record that opened it.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub origin: Origin,
    /// `None` when the intent cannot be found (a log cut short, or a store that holds only
    /// part of a chain); the outcome still says who and when.
    pub intent: Option<Record>,
    pub outcome: Record,
}

/// What the logs say about one post.
#[derive(Debug, Clone)]
pub struct Story {
    pub post: Attempt,
    /// Oldest first; a correction of a correction is listed too.
    pub corrections: Vec<Attempt>,
    pub deletion: Option<Attempt>,
}

/// Whether `needle`, as a person would paste it, names the post with this id and url.
///
/// The id matches exactly. A url matches exactly, or with a trailing `/` or a `www.` before
/// the host added or removed, since browsers and people add and drop both. Nothing looser:
/// a substring or a case change could name another post.
pub fn names(needle: &str, id: &str, url: &str) -> bool {
    let needle = needle.trim();
    if needle.is_empty() {
        return false;
    }
    if needle == id {
        return true;
    }
    !url.is_empty() && normal_url(needle) == normal_url(url)
}

fn normal_url(url: &str) -> String {
    let url = url.trim_end_matches('/');
    match url.split_once("://") {
        Some((scheme, rest)) => format!("{scheme}://{}", rest.strip_prefix("www.").unwrap_or(rest)),
        None => url.to_string(),
    }
}

fn published(r: &Record) -> Option<(&str, &str)> {
    match &r.outcome {
        Outcome::Published { id, url } if !r.dry_run && r.event == "outcome" => Some((id, url)),
        _ => None,
    }
}

/// The story of the post `needle` names, from every record given, in each origin's order.
/// `None` when no published post matches.
pub fn find(records: impl IntoIterator<Item = (Origin, Record)>, needle: &str) -> Option<Story> {
    // The same log can arrive twice (named with --audit-log too, or a copy of it): a record
    // is one step of the story however many sources hold it.
    let mut seen = std::collections::HashSet::new();
    let all: Vec<(Origin, Record)> = records
        .into_iter()
        .filter(|(_, r)| r.hash.as_ref().is_none_or(|h| seen.insert(h.clone())))
        .collect();
    let matching: Vec<usize> = (0..all.len())
        .filter(|&i| published(&all[i].1).is_some_and(|(id, url)| names(needle, id, url)))
        .collect();
    // A correction shares its post's id when it is an edit, and names its post when it is a
    // reply: either way the story starts at the post that was corrected.
    let mut root = *matching
        .iter()
        .find(|&&i| all[i].1.action != "correct")
        .or(matching.first())?;
    let mut visited = vec![root];
    while let Some(target) = all[root]
        .1
        .acts_on
        .as_deref()
        .filter(|_| all[root].1.action == "correct")
    {
        let corrected =
            |i: &usize| !visited.contains(i) && published(&all[*i].1).is_some_and(|(id, url)| names(target, id, url));
        // The post itself if it is there, else the correction it replied to (an edit of an
        // edit shares the id, so the original wins when both are known).
        let Some(earlier) = (0..all.len())
            .filter(corrected)
            .find(|&i| all[i].1.action != "correct")
            .or_else(|| (0..all.len()).find(corrected))
        else {
            break;
        };
        visited.push(earlier);
        root = earlier;
    }

    let mut known: Vec<(String, String)> = published(&all[root].1)
        .map(|(id, url)| vec![(id.to_string(), url.to_string())])
        .unwrap_or_default();
    let acts_on_known = |r: &Record, known: &[(String, String)]| {
        r.acts_on
            .as_deref()
            .is_some_and(|t| known.iter().any(|(id, url)| names(t, id, url)))
    };
    let mut corrections: Vec<usize> = Vec::new();
    // A correction can itself be corrected: repeat until no new post joins.
    loop {
        let before = corrections.len();
        for (i, (_, r)) in all.iter().enumerate() {
            if i == root || corrections.contains(&i) || r.action != "correct" || !acts_on_known(r, &known) {
                continue;
            }
            if let Some((id, url)) = published(r) {
                corrections.push(i);
                known.push((id.to_string(), url.to_string()));
            }
        }
        if corrections.len() == before {
            break;
        }
    }
    corrections.sort_by_key(|&i| (all[i].1.effective_time(), i));
    let deletion = (0..all.len()).find(|&i| {
        let r = &all[i].1;
        r.event == "outcome" && !r.dry_run && matches!(r.outcome, Outcome::Deleted { .. }) && acts_on_known(r, &known)
    });

    let attempt = |i: usize| Attempt {
        origin: all[i].0.clone(),
        intent: intent_of(&all, i).cloned(),
        outcome: all[i].1.clone(),
    };
    Some(Story {
        post: attempt(root),
        corrections: corrections.into_iter().map(attempt).collect(),
        deletion: deletion.map(attempt),
    })
}

/// The intent record the outcome at `at` closes: the latest one before it, in the same origin,
/// under the same post key. The pipeline writes the key into the outcome; a fresh attempt's key
/// is its intent's own hash, a plan's or a retry's is written in the intent too. Records
/// without a key (older logs) fall back to the latest intent of the same account, action and
/// text.
fn intent_of(all: &[(Origin, Record)], at: usize) -> Option<&Record> {
    let (origin, outcome) = &all[at];
    let earlier = all[..at]
        .iter()
        .rev()
        .filter(|(o, r)| o == origin && r.event == "intent" && matches!(r.outcome, Outcome::Pending));
    match outcome.post_key.as_deref() {
        Some(key) => earlier
            .map(|(_, r)| r)
            .find(|r| r.post_key.as_deref().or(r.hash.as_deref()) == Some(key)),
        None => earlier.map(|(_, r)| r).find(|r| {
            r.action == outcome.action
                && r.text_sha256 == outcome.text_sha256
                && r.account.as_ref().map(|a| (&a.name, &a.handle))
                    == outcome.account.as_ref().map(|a| (&a.name, &a.handle))
        }),
    }
}

/// Every machine's records about the post, from the shared store: those that name it, then
/// those that name what they name (its ids and urls, its attempts' keys), so each step comes
/// with its intent and its corrections. Each is labelled with the machine and chain it is from.
fn from_store(cfg: &crate::store::Config, needle: &str) -> Result<Vec<(Origin, Record)>> {
    let parse = |rows: Vec<(String, String, String)>| -> Vec<(Origin, Record)> {
        rows.into_iter()
            .filter_map(|(chain, host, line)| {
                let record = serde_json::from_str::<Record>(&line).ok()?;
                let origin = format!(
                    "store {}, machine {host} (chain {})",
                    cfg.label(),
                    chain.get(..12).unwrap_or(&chain)
                );
                Some((origin, record))
            })
            .collect()
    };
    let mut pieces = vec![needle.to_string()];
    let first = parse(crate::store::lines_containing(cfg, &pieces)?);
    for (_, r) in &first {
        if let Outcome::Published { id, url } = &r.outcome {
            pieces.push(id.clone());
            if !url.is_empty() {
                pieces.push(url.clone());
            }
        }
        if let Some(key) = &r.post_key {
            pieces.push(format!("\"hash\":\"{key}\""));
            pieces.push(format!("\"post_key\":\"{key}\""));
        }
    }
    pieces.sort();
    pieces.dedup();
    Ok(parse(crate::store::lines_containing(cfg, &pieces)?))
}

pub fn run(cli: &Cli, args: &WhoArgs, log: &AuditLog) -> Result<ExitCode> {
    let mut paths = vec![log.path().to_path_buf()];
    for extra in &args.audit_logs {
        // A file named on purpose that is not there is a mistake, not an empty log.
        if let Err(e) = std::fs::metadata(extra) {
            return Err(Failure::new(
                ExitCode::Usage,
                format!("--audit-log {}: {e}", one_line(&extra.display().to_string())),
            )
            .into());
        }
        paths.push(extra.clone());
    }
    let mut records = Vec::new();
    for path in &paths {
        let origin = path.display().to_string();
        records.extend(AuditLog::new(path).read_all()?.into_iter().map(|r| (origin.clone(), r)));
    }
    if let Some(cfg) = log.shared() {
        match from_store(cfg, &args.post) {
            Ok(found) => {
                records.extend(found);
                paths.push(std::path::PathBuf::from(cfg.label()));
            }
            Err(e) => crate::store::warn_unreachable(&e),
        }
    }
    let foreign = foreign(&records, &args.post);
    let Some(story) = find(records, &args.post) else {
        let read: Vec<String> = paths.iter().map(|p| one_line(&p.display().to_string())).collect();
        let mut failure = Failure::new(
            ExitCode::NotFound,
            format!(
                "no post published as `{}` in the audit log(s) read: {}",
                one_line(&args.post),
                read.join(", ")
            ),
        );
        failure = match foreign {
            // The one answer the logs do have: it did not go through postgate.
            Some((origin, r)) => failure.hint(format!(
                "`postgate reconcile` recorded it as NOT MADE BY POSTGATE on {} at {} (record #{} of {}): see docs/incident.md",
                one_line(&r.account.as_ref().map_or_else(|| "?".to_string(), |a| format!("{} {}", a.name, a.handle))),
                one_line(&r.time),
                r.seq,
                one_line(&origin)
            )),
            None => failure.hint("a post made on another machine or by a CI runner is in that machine's log: add it with --audit-log FILE (repeatable)"),
        };
        return Err(failure.into());
    };
    if cli.json {
        output::json(&to_json(&story));
    } else {
        output::result(&render(&story));
    }
    Ok(ExitCode::Success)
}

/// The record `reconcile` wrote when it found this post on an account without postgate.
fn foreign(records: &[(Origin, Record)], needle: &str) -> Option<(Origin, Record)> {
    records
        .iter()
        .find(|(_, r)| matches!(&r.outcome, Outcome::Foreign { id, url, .. } if names(needle, id, url)))
        .cloned()
}

fn attempt_json(a: &Attempt) -> Value {
    let o = &a.outcome;
    let (id, url) = match &o.outcome {
        Outcome::Published { id, url } => (id.as_str(), Some(url.as_str())),
        Outcome::Deleted { id } => (id.as_str(), None),
        _ => ("", None),
    };
    json!({
        "origin": a.origin,
        "action": o.action,
        "id": id,
        "url": url,
        "acts_on": o.acts_on,
        "reason": o.reason,
        "account": o.account,
        "intent_seq": a.intent.as_ref().map(|i| i.seq),
        "intent_time": a.intent.as_ref().map(|i| i.time.as_str()),
        "outcome_seq": o.seq,
        "outcome_time": o.time,
        "user": o.user,
        "hostname": o.hostname,
        "version": o.version,
        "confirmation": o.confirmation,
        "credential_source": o.credential_source,
        "post_key": o.post_key,
        "plan_hash": o.plan_hash,
        "approvals": o.approvals,
        "author": o.author,
        "policy_sha256": o.policy_sha256,
        "text": o.text,
    })
}

/// The `--json` document: the post, its corrections and its deletion (or null).
pub fn to_json(story: &Story) -> Value {
    json!({
        "post": attempt_json(&story.post),
        "corrections": story.corrections.iter().map(attempt_json).collect::<Vec<_>>(),
        "deletion": story.deletion.as_ref().map(attempt_json),
    })
}

/// The human block. Every field comes from a file someone could have written, so each goes
/// through `one_line`: a bidi control or an escape in a record is shown, never obeyed.
pub fn render(story: &Story) -> String {
    let mut out = Vec::new();
    let line = |out: &mut Vec<String>, label: &str, value: &str| {
        out.push(format!("  {label:<13} {}", one_line(value)));
    };
    let trail = |out: &mut Vec<String>, a: &Attempt| {
        let o = &a.outcome;
        if let Some(acc) = &o.account {
            line(
                out,
                "account",
                &format!(
                    "{} {} ({}, {} {})",
                    acc.name, acc.handle, acc.kind, acc.platform, acc.host
                ),
            );
        }
        match &a.intent {
            Some(i) => line(out, "intent", &format!("{} (record #{})", i.time, i.seq)),
            None => line(out, "intent", "not found in this log"),
        }
        line(out, "outcome", &format!("{} (record #{})", o.time, o.seq));
        line(
            out,
            "by",
            &format!("{} on {} (postgate {})", o.user, o.hostname, o.version),
        );
        line(
            out,
            "confirmation",
            &format!(
                "{}, credential from {}",
                o.confirmation.as_deref().unwrap_or("none"),
                o.credential_source.as_deref().unwrap_or("none")
            ),
        );
        if let Some(plan) = &o.plan_hash {
            line(out, "plan", plan);
        }
        if let Some(author) = &o.author {
            line(out, "plan author", &author.describe());
        }
        for approval in &o.approvals {
            line(out, "approved by", approval);
        }
        line(out, "policy", o.policy_sha256.as_deref().unwrap_or("(not recorded)"));
        line(out, "log", &a.origin);
    };

    let p = &story.post;
    if let Outcome::Published { id, url } = &p.outcome.outcome {
        out.push(format!("post {} {}", one_line(id), one_line(url)));
    }
    trail(&mut out, p);
    if let Some(text) = &p.outcome.text {
        line(&mut out, "text", text);
    }
    for (n, c) in story.corrections.iter().enumerate() {
        if let Outcome::Published { id, url } = &c.outcome.outcome {
            out.push(format!("correction {} {} {}", n + 1, one_line(id), one_line(url)));
        }
        trail(&mut out, c);
        if let Some(text) = &c.outcome.text {
            line(&mut out, "text", text);
        }
    }
    match &story.deletion {
        Some(d) => {
            out.push("deleted".to_string());
            trail(&mut out, d);
            line(&mut out, "reason", d.outcome.reason.as_deref().unwrap_or(""));
        }
        None => out.push("not deleted (as far as these logs know)".to_string()),
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(seq: u64, event: &str, action: &str, outcome: Outcome) -> Record {
        let mut r = Record::new(event, action, outcome);
        r.seq = seq;
        r.hash = Some(format!("h{seq}"));
        r
    }

    fn published(seq: u64, action: &str, key: &str, id: &str, url: &str) -> Record {
        let mut r = rec(
            seq,
            "outcome",
            action,
            Outcome::Published {
                id: id.into(),
                url: url.into(),
            },
        );
        r.post_key = Some(key.into());
        r
    }

    fn log(records: Vec<Record>) -> Vec<(Origin, Record)> {
        records.into_iter().map(|r| ("a.jsonl".to_string(), r)).collect()
    }

    #[test]
    fn names_is_exact_but_forgives_a_trailing_slash_and_www() {
        let url = "https://example.org/@culture/111";
        assert!(names("111", "111", url));
        assert!(names("https://example.org/@culture/111/", "111", url));
        assert!(names("https://www.example.org/@culture/111", "111", url));
        assert!(!names("11", "111", url));
        assert!(!names("https://example.org/@culture/1111", "111", url));
        assert!(!names("https://example.org/@culture/", "111", url));
        assert!(!names("HTTPS://EXAMPLE.ORG/@culture/111", "111", url));
        assert!(!names("", "", ""));
        assert!(!names("/", "x", ""));
    }

    #[test]
    fn a_post_its_intent_its_corrections_and_its_deletion() {
        let mut correct = published(5, "correct", "h4", "222", "https://x/222");
        correct.acts_on = Some("https://x/111".into());
        let mut fix_fix = published(7, "correct", "h6", "333", "https://x/333");
        fix_fix.acts_on = Some("222".into());
        let mut delete = rec(9, "outcome", "delete", Outcome::Deleted { id: "111".into() });
        delete.acts_on = Some("111".into());
        delete.reason = Some("wrong".into());
        let records = log(vec![
            rec(1, "intent", "post", Outcome::Pending),
            rec(2, "intent", "post", Outcome::Pending),
            published(3, "post", "h2", "111", "https://x/111"),
            rec(4, "intent", "correct", Outcome::Pending),
            correct,
            rec(6, "intent", "correct", Outcome::Pending),
            fix_fix,
            published(8, "post", "h1", "999", "https://x/999"),
            delete,
        ]);
        for needle in ["111", "https://x/111", "222", "https://x/333"] {
            let s = find(records.clone(), needle).unwrap();
            assert_eq!(s.post.outcome.seq, 3, "{needle}");
            assert_eq!(s.post.intent.as_ref().map(|i| i.seq), Some(2));
            let seqs: Vec<u64> = s.corrections.iter().map(|c| c.outcome.seq).collect();
            assert_eq!(seqs, [5, 7]);
            assert_eq!(s.corrections[1].intent.as_ref().map(|i| i.seq), Some(6));
            assert_eq!(s.deletion.as_ref().map(|d| d.outcome.seq), Some(9));
        }
        let other = find(records.clone(), "999").unwrap();
        assert_eq!(other.post.intent.as_ref().map(|i| i.seq), Some(1));
        assert!(other.corrections.is_empty() && other.deletion.is_none());
        assert!(find(records, "11").is_none());
    }

    #[test]
    fn an_intent_is_looked_for_in_its_own_log_only() {
        let mut records = log(vec![published(2, "post", "h1", "1", "u")]);
        records.insert(0, ("b.jsonl".to_string(), rec(1, "intent", "post", Outcome::Pending)));
        assert!(find(records, "1").unwrap().post.intent.is_none());
    }

    #[test]
    fn a_log_read_twice_tells_each_step_once() {
        let mut correct = published(3, "correct", "h2", "1", "u");
        correct.acts_on = Some("1".into());
        let once = vec![published(1, "post", "h0", "1", "u"), correct];
        let mut twice = log(once.clone());
        twice.extend(once.into_iter().map(|r| ("copy.jsonl".to_string(), r)));
        assert_eq!(find(twice, "u").unwrap().corrections.len(), 1);
    }

    #[test]
    fn dry_runs_are_not_posts() {
        let mut r = published(2, "post", "h1", "1", "u");
        r.dry_run = true;
        assert!(find(log(vec![r]), "1").is_none());
    }
}
