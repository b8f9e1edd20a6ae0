//! `postgate log stats`: what approvals cost, per account, from the audit log.
//!
//! [`compute`] is a pure function over records, so the local file, a shared store or a test
//! feed the same code; [`Stats::to_json`], [`Stats::render_text`] and [`svg_bars`] only format.
//!
//! What is counted, for records in the window `[since, until]` (by their effective time, so a
//! clock set back does not move a record out of its place in the log's order):
//!
//! - posts and corrections: outcome records that published (`post`, `apply`, `queue publish`
//!   of a new post, and `correct` or a correcting plan);
//! - deletions: outcome records of a deletion;
//! - refusals: `refused` records, under each policy rule that denied the post when the
//!   refusal was the content rules' (exit code 4 with `deny` findings; a refusal two rules
//!   caused counts under both), and otherwise under the exit code's stable name, such as
//!   `not-confirmed (exit 5)`; rule ids have no spaces, so the two never collide;
//! - planned posts: a plan published in the window, with the time from its author's signature
//!   (`postgate sign` or `plan`: the first trace of a plan in the log, which does not see the
//!   file being written) to its last approval before the publish, and from that approval to
//!   the publish. A plan whose author signed or whose approvers approved on a machine whose
//!   log is not read has no figure for the part it lacks.
//!
//! Dry runs are left out: nothing was published, refused or waited for. A record read twice
//! (the same log from two sources) counts once.

use crate::audit::{Outcome, Record};
use crate::exit_codes::ExitCode;
use crate::sanitize::one_line;
use jiff::Timestamp;
use serde_json::{Value, json};
use std::borrow::Borrow;
use std::collections::{BTreeMap, HashMap, HashSet};

/// A set of durations, summarised.
///
/// Percentiles are by nearest rank on the sorted durations: the p-th percentile of n values is
/// the value at rank ⌈p/100 × n⌉ (1-based). It is always a duration that was observed, never an
/// interpolation; the median is the 50th percentile, so for an even count it is the lower of
/// the two middle values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Durations {
    /// Seconds, sorted ascending.
    seconds: Vec<i64>,
}

impl Durations {
    pub fn from_seconds(mut seconds: Vec<i64>) -> Durations {
        seconds.sort_unstable();
        Durations { seconds }
    }

    pub fn count(&self) -> usize {
        self.seconds.len()
    }

    /// The sorted durations, in seconds.
    pub fn seconds(&self) -> &[i64] {
        &self.seconds
    }

    pub fn median_s(&self) -> Option<i64> {
        percentile(&self.seconds, 50)
    }

    pub fn p90_s(&self) -> Option<i64> {
        percentile(&self.seconds, 90)
    }

    pub fn to_json(&self) -> Value {
        json!({ "count": self.count(), "median_s": self.median_s(), "p90_s": self.p90_s() })
    }

    /// `n 3, median 2h, p90 5h`, or `-` when there is nothing to summarise.
    pub fn render(&self) -> String {
        match (self.median_s(), self.p90_s()) {
            (Some(median), Some(p90)) => format!(
                "n {}, median {}, p90 {}",
                self.count(),
                human_duration(median),
                human_duration(p90)
            ),
            _ => "-".to_string(),
        }
    }
}

/// The nearest-rank `p`-th percentile (0 < p ≤ 100) of `sorted`; `None` when it is empty.
pub fn percentile(sorted: &[i64], p: u32) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let n = sorted.len();
    let p = usize::try_from(p.clamp(1, 100)).unwrap_or(100);
    // ⌈p × n / 100⌉ in integers, so no float rounds a rank off by one.
    let rank = (p * n).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

/// `2h 5m`, `3d 4h`, `45s`: the two largest units, truncated; `0s` for nothing.
pub fn human_duration(seconds: i64) -> String {
    let sign = if seconds < 0 { "-" } else { "" };
    let mut left = seconds.unsigned_abs();
    let mut parts = Vec::new();
    for (unit, size) in [("d", 86_400u64), ("h", 3_600), ("m", 60), ("s", 1)] {
        let n = left / size;
        left %= size;
        if n > 0 || !parts.is_empty() {
            parts.push((n, unit));
        }
        if parts.len() == 2 {
            break;
        }
    }
    let shown: Vec<String> = parts
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, unit)| format!("{n}{unit}"))
        .collect();
    if shown.is_empty() {
        "0s".to_string()
    } else {
        format!("{sign}{}", shown.join(" "))
    }
}

/// What one account's records in the window say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountStats {
    /// The account's name in the policy, as the records carry it.
    pub name: String,
    pub posts: u64,
    /// Refusal records.
    pub refused: u64,
    /// Refusals by rule id, or by `exit-name (exit N)` where no rule refused.
    pub refusals: BTreeMap<String, u64>,
    pub corrections: u64,
    pub deletions: u64,
    pub plan_to_approval: Durations,
    pub approval_to_publish: Durations,
}

impl AccountStats {
    pub fn to_json(&self) -> Value {
        json!({
            "name": self.name,
            "posts": self.posts,
            "refused": self.refused,
            "refusals": self.refusals,
            "corrections": self.corrections,
            "deletions": self.deletions,
            "plan_to_approval": self.plan_to_approval.to_json(),
            "approval_to_publish": self.approval_to_publish.to_json(),
        })
    }

    /// `no-sondage 2, not-confirmed (exit 5) 1`, or `-`.
    pub fn refusal_causes(&self) -> String {
        if self.refusals.is_empty() {
            return "-".to_string();
        }
        self.refusals
            .iter()
            .map(|(cause, n)| format!("{cause} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The figures of every account with a record in the window, by account name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stats {
    pub since: Timestamp,
    pub until: Timestamp,
    pub accounts: Vec<AccountStats>,
}

/// The columns of [`Stats::render_text`], in their stable order.
pub const COLUMNS: [&str; 8] = [
    "ACCOUNT",
    "POSTS",
    "CORRECTIONS",
    "DELETIONS",
    "REFUSED",
    "PLAN TO APPROVAL",
    "APPROVAL TO PUBLISH",
    "REFUSALS BY CAUSE",
];

impl Stats {
    /// No account had a record in the window.
    pub fn is_empty(&self) -> bool {
        self.accounts.is_empty()
    }

    pub fn account(&self, name: &str) -> Option<&AccountStats> {
        self.accounts.iter().find(|a| a.name == name)
    }

    /// `{since, until, accounts: [...]}`, durations in seconds.
    pub fn to_json(&self) -> Value {
        json!({
            "since": self.since.to_string(),
            "until": self.until.to_string(),
            "accounts": self.accounts.iter().map(AccountStats::to_json).collect::<Vec<_>>(),
        })
    }

    /// One row per account under a header, columns aligned; every text from the log made
    /// visible by the terminal sanitiser.
    pub fn render_text(&self) -> String {
        let mut rows = vec![COLUMNS.map(String::from).to_vec()];
        for a in &self.accounts {
            rows.push(vec![
                one_line(&a.name),
                a.posts.to_string(),
                a.corrections.to_string(),
                a.deletions.to_string(),
                a.refused.to_string(),
                a.plan_to_approval.render(),
                a.approval_to_publish.render(),
                one_line(&a.refusal_causes()),
            ]);
        }
        table(&rows)
    }

    /// [`svg_bars`] of each account's median time from plan to last approval.
    pub fn plan_to_approval_svg(&self) -> String {
        let bars: Vec<(&str, Option<i64>)> = self
            .accounts
            .iter()
            .map(|a| (a.name.as_str(), a.plan_to_approval.median_s()))
            .collect();
        svg_bars("Median time from plan to last approval", &bars)
    }
}

fn table(rows: &[Vec<String>]) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(i, cell)| format!("{cell:<w$}", w = widths[i]))
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

/// Why a refusal happened, as [`AccountStats::refusals`] keys it.
fn refusal_causes(record: &Record, exit_code: i32) -> Vec<String> {
    if exit_code == ExitCode::ContentRefused.code() {
        let mut rules: Vec<String> = record
            .findings
            .iter()
            .filter(|f| f.level == crate::rules::Level::Deny)
            .map(|f| f.rule.clone())
            .collect();
        rules.sort();
        rules.dedup();
        if !rules.is_empty() {
            return rules;
        }
    }
    let name = ExitCode::ALL
        .iter()
        .find(|c| c.code() == exit_code)
        .map_or("unknown", |c| c.name());
    vec![format!("{name} (exit {exit_code})")]
}

/// What the log says about one plan.
#[derive(Default)]
struct PlanTrail {
    authored: Vec<Timestamp>,
    approved: Vec<Timestamp>,
    /// The first publish, and the account it was published to.
    published: Option<(Timestamp, String)>,
}

/// The figures for `[since, until]`, from every record given (older ones too: a plan published
/// in the window may have been signed before it).
pub fn compute<I>(records: I, since: Timestamp, until: Timestamp) -> Stats
where
    I: IntoIterator,
    I::Item: Borrow<Record>,
{
    let mut seen = HashSet::new();
    let mut accounts: BTreeMap<String, AccountStats> = BTreeMap::new();
    let mut plans: HashMap<String, PlanTrail> = HashMap::new();
    for record in records {
        let r: &Record = record.borrow();
        if r.hash.as_ref().is_some_and(|h| !seen.insert(h.clone())) || r.dry_run {
            continue;
        }
        let (Some(account), Some(time)) = (&r.account, r.effective_time()) else {
            continue;
        };
        if let Some(hash) = &r.plan_hash {
            let plan = plans.entry(hash.clone()).or_default();
            match &r.outcome {
                Outcome::Authored { .. } => plan.authored.push(time),
                // Logs written before unlock signatures had their own kind recorded them so.
                Outcome::Approved { .. } if r.action != "unlock --sign" => plan.approved.push(time),
                Outcome::Published { .. } if r.event == "outcome" && plan.published.is_none() => {
                    plan.published = Some((time, account.name.clone()));
                }
                _ => {}
            }
        }
        if time < since || time > until {
            continue;
        }
        let entry = || AccountStats {
            name: account.name.clone(),
            ..AccountStats::default()
        };
        match &r.outcome {
            Outcome::Published { .. } if r.event == "outcome" => {
                let a = accounts.entry(account.name.clone()).or_insert_with(entry);
                if r.action == "correct" {
                    a.corrections += 1;
                } else {
                    a.posts += 1;
                }
            }
            Outcome::Deleted { .. } if r.event == "outcome" => {
                accounts.entry(account.name.clone()).or_insert_with(entry).deletions += 1;
            }
            Outcome::Refused { exit_code, .. } => {
                let a = accounts.entry(account.name.clone()).or_insert_with(entry);
                a.refused += 1;
                for cause in refusal_causes(r, *exit_code) {
                    *a.refusals.entry(cause).or_default() += 1;
                }
            }
            _ => {}
        }
    }

    let mut to_approval: HashMap<String, Vec<i64>> = HashMap::new();
    let mut to_publish: HashMap<String, Vec<i64>> = HashMap::new();
    for plan in plans.values() {
        let Some((published, name)) = &plan.published else {
            continue;
        };
        if *published < since || *published > until {
            continue;
        }
        // An approval after the publish approved nothing that was published.
        let Some(approved) = plan.approved.iter().filter(|t| *t <= published).max() else {
            continue;
        };
        to_publish
            .entry(name.clone())
            .or_default()
            .push(published.as_second() - approved.as_second());
        if let Some(authored) = plan.authored.iter().filter(|t| *t <= approved).min() {
            to_approval
                .entry(name.clone())
                .or_default()
                .push(approved.as_second() - authored.as_second());
        }
    }
    for (name, seconds) in to_approval {
        accounts
            .entry(name.clone())
            .or_insert_with(|| AccountStats {
                name,
                ..AccountStats::default()
            })
            .plan_to_approval = Durations::from_seconds(seconds);
    }
    for (name, seconds) in to_publish {
        accounts
            .entry(name.clone())
            .or_insert_with(|| AccountStats {
                name,
                ..AccountStats::default()
            })
            .approval_to_publish = Durations::from_seconds(seconds);
    }
    Stats {
        since,
        until,
        accounts: accounts.into_values().collect(),
    }
}

/// `text` safe inside an XML element or a quoted attribute. Hidden characters are made visible
/// first, as on a terminal: most control characters cannot appear in XML even escaped, and a
/// bidi control would reorder the chart's labels.
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in one_line(text).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// Width of the label column, in SVG user units.
const SVG_LABEL_WIDTH: u64 = 160;
/// Width of the longest bar.
pub const SVG_BAR_WIDTH: u64 = 240;
const SVG_ROW_HEIGHT: u64 = 22;
/// Room right of the bars for the value.
const SVG_VALUE_WIDTH: u64 = 80;

/// The width of a bar for `value` when the longest is `max`: proportional, rounded to the
/// nearest unit.
pub fn bar_width(value: i64, max: i64) -> u64 {
    if max <= 0 || value <= 0 {
        return 0;
    }
    let (value, max) = (value.unsigned_abs().min(max.unsigned_abs()), max.unsigned_abs());
    let scaled = (u128::from(value) * u128::from(SVG_BAR_WIDTH) + u128::from(max) / 2) / u128::from(max);
    u64::try_from(scaled).unwrap_or(SVG_BAR_WIDTH)
}

/// A horizontal bar chart as inline SVG: one row per `(label, seconds)`, bars proportional to
/// the largest value, the value written beside each bar in human form (`-` for `None`). No
/// script, no external reference, every text escaped, so a page can embed it as is.
pub fn svg_bars(title: &str, bars: &[(&str, Option<i64>)]) -> String {
    let max = bars.iter().filter_map(|(_, v)| *v).max().unwrap_or(0);
    let width = SVG_LABEL_WIDTH + SVG_BAR_WIDTH + SVG_VALUE_WIDTH;
    let rows = u64::try_from(bars.len()).unwrap_or(u64::MAX);
    let height = SVG_ROW_HEIGHT.saturating_mul(rows.saturating_add(1));
    let title = xml_escape(title);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{title}\" \
         font-family=\"sans-serif\" font-size=\"12\">\n<title>{title}</title>\n\
         <text x=\"0\" y=\"15\" font-weight=\"bold\">{title}</text>\n"
    );
    for (row, (label, value)) in (1u64..).zip(bars) {
        let y = row * SVG_ROW_HEIGHT;
        let w = value.map_or(0, |v| bar_width(v, max));
        let shown = value.map_or("-".to_string(), human_duration);
        svg.push_str(&format!(
            "<g>\n<text x=\"0\" y=\"{ty}\">{label}</text>\n\
             <rect x=\"{SVG_LABEL_WIDTH}\" y=\"{ry}\" width=\"{w}\" height=\"{bh}\" fill=\"#4a78b5\"/>\n\
             <text x=\"{vx}\" y=\"{ty}\">{shown}</text>\n</g>\n",
            ty = y + 15,
            ry = y + 4,
            bh = SVG_ROW_HEIGHT - 6,
            vx = SVG_LABEL_WIDTH + w + 6,
            label = xml_escape(label),
            shown = xml_escape(&shown),
        ));
    }
    svg.push_str("</svg>\n");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::AccountRef;

    fn at(hours: f64) -> Timestamp {
        let base = Timestamp::from_second(1_800_000_000).unwrap();
        base + jiff::SignedDuration::from_secs_f64(hours * 3600.0)
    }

    fn record(account: &str, event: &str, action: &str, outcome: Outcome, time: Timestamp) -> Record {
        let mut r = Record::new(event, action, outcome);
        r.time = time.to_string();
        r.account = Some(AccountRef {
            name: account.into(),
            handle: format!("@{account}"),
            kind: "official".into(),
            platform: "outbox".into(),
            host: "local".into(),
        });
        r
    }

    fn published(account: &str, action: &str, time: Timestamp) -> Record {
        let outcome = Outcome::Published {
            id: "1".into(),
            url: String::new(),
        };
        record(account, "outcome", action, outcome, time)
    }

    fn refused(account: &str, exit_code: i32, rules: &[&str], time: Timestamp) -> Record {
        let outcome = Outcome::Refused {
            reason: "refused".into(),
            exit_code,
        };
        let mut r = record(account, "refused", "post", outcome, time);
        r.findings = rules
            .iter()
            .map(|rule| crate::rules::Finding {
                rule: (*rule).into(),
                level: crate::rules::Level::Deny,
                message: "no".into(),
                suggestion: None,
                span: None,
            })
            .collect();
        r
    }

    /// A plan signed at `authored`, approved at each of `approved`, published at `published`
    /// (all in hours from the base).
    fn plan(account: &str, hash: &str, authored: f64, approved: &[f64], publish: Option<f64>) -> Vec<Record> {
        let mut out = Vec::new();
        let mut signed = record(
            account,
            "authorship",
            "sign",
            Outcome::Authored {
                signature: "a.sig".into(),
            },
            at(authored),
        );
        signed.plan_hash = Some(hash.into());
        out.push(signed);
        for (i, t) in approved.iter().enumerate() {
            let mut r = record(
                account,
                "approval",
                "approve",
                Outcome::Approved {
                    approver: format!("approver{i}"),
                    fingerprint: "SHA256:x".into(),
                    signature: "b.sig".into(),
                },
                at(*t),
            );
            r.plan_hash = Some(hash.into());
            out.push(r);
        }
        if let Some(t) = publish {
            let mut r = published(account, "post", at(t));
            r.plan_hash = Some(hash.into());
            out.push(r);
        }
        out
    }

    fn sorted_by_time(mut records: Vec<Record>) -> Vec<Record> {
        records.sort_by_key(|r| r.time.parse::<Timestamp>().unwrap());
        records
    }

    #[test]
    fn nearest_rank_percentiles() {
        let ten: Vec<i64> = (1..=10).collect();
        assert_eq!(percentile(&ten, 50), Some(5));
        assert_eq!(percentile(&ten, 90), Some(9));
        assert_eq!(percentile(&ten, 100), Some(10));
        assert_eq!(percentile(&[7], 90), Some(7));
        assert_eq!(percentile(&[1, 2], 50), Some(1), "the lower middle value");
        assert_eq!(percentile(&[1, 2, 3], 50), Some(2));
        assert_eq!(percentile(&[], 50), None);
        let d = Durations::from_seconds(vec![30, 10, 20]);
        assert_eq!(d.seconds(), &[10, 20, 30]);
        assert_eq!((d.median_s(), d.p90_s()), (Some(20), Some(30)));
    }

    #[test]
    fn durations_read_as_two_units() {
        assert_eq!(human_duration(0), "0s");
        assert_eq!(human_duration(45), "45s");
        assert_eq!(human_duration(7_500), "2h 5m");
        assert_eq!(human_duration(7_200), "2h");
        assert_eq!(human_duration(7_259), "2h");
        assert_eq!(human_duration(90_061), "1d 1h");
        assert_eq!(human_duration(86_400 + 59), "1d");
        assert_eq!(human_duration(65), "1m 5s");
        assert_eq!(human_duration(-65), "-1m 5s");
    }

    #[test]
    fn counts_posts_corrections_deletions_and_refusals_by_cause() {
        let records = vec![
            published("demo", "post", at(1.0)),
            published("demo", "post", at(2.0)),
            published("demo", "correct", at(3.0)),
            record(
                "demo",
                "outcome",
                "delete",
                Outcome::Deleted { id: "1".into() },
                at(4.0),
            ),
            refused("demo", 4, &["no-sondage", "reserve"], at(5.0)),
            refused("demo", 4, &["no-sondage"], at(5.5)),
            refused("demo", 5, &[], at(6.0)),
            // Findings of a refusal that was not the rules' are not its cause.
            refused("demo", 11, &["no-sondage"], at(6.5)),
            published("autre", "post", at(7.0)),
            // An intent is not a post.
            record("autre", "intent", "post", Outcome::Pending, at(7.5)),
        ];
        let stats = compute(&records, at(0.0), at(10.0));
        assert_eq!(
            stats.accounts.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(),
            ["autre", "demo"]
        );
        let demo = stats.account("demo").unwrap();
        assert_eq!(
            (demo.posts, demo.corrections, demo.deletions, demo.refused),
            (2, 1, 1, 4)
        );
        assert_eq!(
            demo.refusals,
            BTreeMap::from([
                ("no-sondage".to_string(), 2),
                ("reserve".to_string(), 1),
                ("not-confirmed (exit 5)".to_string(), 1),
                ("plan-refused (exit 11)".to_string(), 1),
            ])
        );
        let autre = stats.account("autre").unwrap();
        assert_eq!((autre.posts, autre.refused), (1, 0));
    }

    #[test]
    fn the_window_dry_runs_and_duplicates_are_left_out() {
        let mut dry = published("demo", "post", at(5.0));
        dry.dry_run = true;
        let mut twice = published("demo", "post", at(6.0));
        twice.hash = Some("h".into());
        let records = vec![
            published("demo", "post", at(1.0)),
            published("demo", "post", at(11.0)),
            dry,
            twice.clone(),
            twice,
            published("demo", "post", at(2.0)),
        ];
        let stats = compute(records, at(2.0), at(10.0));
        assert_eq!(stats.account("demo").unwrap().posts, 2, "{stats:?}");
        let empty = compute(Vec::<Record>::new(), at(0.0), at(1.0));
        assert!(empty.is_empty());
        assert_eq!(empty.render_text(), format!("{}\n", COLUMNS.join("  ")));
    }

    #[test]
    fn plan_times_are_from_signature_to_last_approval_to_publish() {
        let mut records = Vec::new();
        // Plan to last approval: 1h, 2h, 3h, 5h, 8h; last approval to publish: 10m each but one.
        records.extend(plan("demo", "p1", 0.0, &[0.5, 1.0], Some(1.5)));
        records.extend(plan("demo", "p2", 10.0, &[12.0], Some(12.5)));
        records.extend(plan("demo", "p3", 20.0, &[23.0], Some(25.0)));
        records.extend(plan("demo", "p4", 30.0, &[35.0], Some(35.5)));
        records.extend(plan("demo", "p5", 40.0, &[48.0], Some(48.5)));
        // Approved but not published: not a figure yet.
        records.extend(plan("demo", "p6", 50.0, &[51.0], None));
        // An approval after the publish approved nothing that was published.
        records.extend(plan("demo", "p7", 60.0, &[61.0, 70.0], Some(62.0)));
        // Signed elsewhere: only the part the log saw.
        let mut elsewhere = plan("demo", "p8", 0.0, &[64.0], Some(64.5));
        elsewhere.remove(0);
        records.extend(elsewhere);
        let stats = compute(sorted_by_time(records), at(0.0), at(100.0));
        let demo = stats.account("demo").unwrap();
        assert_eq!(demo.posts, 7);
        assert_eq!(
            demo.plan_to_approval.seconds(),
            &[3_600, 3_600, 7_200, 10_800, 18_000, 28_800]
        );
        assert_eq!(demo.plan_to_approval.median_s(), Some(7_200));
        assert_eq!(demo.plan_to_approval.p90_s(), Some(28_800));
        assert_eq!(
            demo.approval_to_publish.seconds(),
            &[1_800, 1_800, 1_800, 1_800, 1_800, 3_600, 7_200]
        );
        assert_eq!(demo.approval_to_publish.median_s(), Some(1_800));
        assert_eq!(demo.approval_to_publish.p90_s(), Some(7_200));
        assert_eq!(demo.plan_to_approval.render(), "n 6, median 2h, p90 8h");

        // A plan signed before the window but published in it counts whole.
        let late = compute(plan("demo", "p9", 0.0, &[2.0], Some(3.0)), at(2.5), at(4.0));
        let demo = late.account("demo").unwrap();
        assert_eq!(demo.plan_to_approval.seconds(), &[7_200]);
        assert_eq!(demo.approval_to_publish.seconds(), &[3_600]);
        // Published after the window: not counted.
        let before = compute(plan("demo", "p9", 0.0, &[2.0], Some(3.0)), at(0.0), at(2.5));
        assert!(before.is_empty(), "{before:?}");
    }

    #[test]
    fn json_has_the_documented_shape() {
        let mut records = plan("demo", "p1", 0.0, &[2.0], Some(2.5));
        records.push(refused("demo", 5, &[], at(3.0)));
        let v = compute(&records, at(0.0), at(4.0)).to_json();
        assert_eq!(v["since"], at(0.0).to_string());
        assert_eq!(v["until"], at(4.0).to_string());
        assert_eq!(
            v["accounts"],
            json!([{
                "name": "demo", "posts": 1, "refused": 1,
                "refusals": { "not-confirmed (exit 5)": 1 },
                "corrections": 0, "deletions": 0,
                "plan_to_approval": { "count": 1, "median_s": 7200, "p90_s": 7200 },
                "approval_to_publish": { "count": 1, "median_s": 1800, "p90_s": 1800 },
            }])
        );
        let none = compute(&records[..1], at(0.0), at(4.0));
        assert!(none.is_empty());
        let v = compute(&records[3..], at(0.0), at(4.0)).to_json();
        assert_eq!(
            v["accounts"][0]["plan_to_approval"],
            json!({ "count": 0, "median_s": null, "p90_s": null })
        );
    }

    #[test]
    fn the_table_has_stable_columns_and_shows_hidden_characters() {
        let records = vec![
            published("demo", "post", at(1.0)),
            published("ev\u{202e}il", "post", at(1.0)),
        ];
        let text = compute(&records, at(0.0), at(2.0)).render_text();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                "ACCOUNT       POSTS  CORRECTIONS  DELETIONS  REFUSED  PLAN TO APPROVAL  APPROVAL TO PUBLISH  REFUSALS BY CAUSE",
                "demo          1      0            0          0        -                 -                    -",
                "ev⟨U+202E⟩il  1      0            0          0        -                 -                    -",
            ]
        );
        assert!(!text.contains('\u{202e}'));
    }

    #[test]
    fn svg_escapes_every_text() {
        let svg = svg_bars("a <b> & \"c\"", &[("<script>&amp;", Some(60)), ("o'k\u{7}", None)]);
        assert!(!svg.contains("<script"), "{svg}");
        assert!(svg.contains("&lt;script&gt;&amp;amp;"), "{svg}");
        assert!(svg.contains("<title>a &lt;b&gt; &amp; &quot;c&quot;</title>"), "{svg}");
        assert!(svg.contains("o&apos;k⟨U+0007⟩"), "{svg}");
        assert!(!svg.contains('\u{7}'));
        // Every `<` and `&` left is markup or an entity.
        for (i, _) in svg.match_indices('&') {
            let entity = &svg[i..];
            assert!(
                ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"]
                    .iter()
                    .any(|e| entity.starts_with(e)),
                "{entity}"
            );
        }
        for (i, _) in svg.match_indices('<') {
            let tag = &svg[i + 1..];
            assert!(
                [
                    "svg ", "/svg>", "title>", "/title>", "text ", "/text>", "g>", "/g>", "rect "
                ]
                .iter()
                .any(|t| tag.starts_with(t)),
                "{tag}"
            );
        }
    }

    #[test]
    fn svg_bars_are_proportional_to_the_largest() {
        let svg = svg_bars(
            "t",
            &[("a", Some(3_600)), ("b", Some(7_200)), ("c", Some(1_800)), ("d", None)],
        );
        let widths: Vec<u64> = svg
            .match_indices("<rect ")
            .map(|(i, _)| {
                let rest = &svg[i..];
                let w = rest.split("width=\"").nth(1).unwrap();
                w[..w.find('"').unwrap()].parse().unwrap()
            })
            .collect();
        assert_eq!(widths, [SVG_BAR_WIDTH / 2, SVG_BAR_WIDTH, SVG_BAR_WIDTH / 4, 0]);
        assert!(svg.contains(">2h</text>") && svg.contains(">30m</text>") && svg.contains(">-</text>"));
        assert_eq!(bar_width(1, 3), 80);
        assert_eq!(bar_width(5, 0), 0);
        assert_eq!(bar_width(i64::MAX, i64::MAX), SVG_BAR_WIDTH);
    }

    #[test]
    fn the_chart_of_stats_is_the_median_plan_to_approval() {
        let mut records = plan("a&b", "p1", 0.0, &[1.0], Some(1.5));
        records.extend(plan("c", "p2", 0.0, &[2.0], Some(2.5)));
        let svg = compute(sorted_by_time(records), at(0.0), at(3.0)).plan_to_approval_svg();
        assert!(svg.contains(">a&amp;b</text>"), "{svg}");
        assert!(svg.contains("width=\"120\"") && svg.contains("width=\"240\""), "{svg}");
    }
}
