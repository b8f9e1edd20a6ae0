//! The review pages' HTML. Every text from a plan, a policy or the audit log goes through
//! [`shown`]: hidden characters made visible as the banner shows them (`⟨U+202E⟩`), then
//! HTML-escaped, so nothing a post contains can become markup or reorder the page.

use super::model::{Item, Loaded, Site};
use crate::account::Kind;
use crate::http::escape;
use crate::i18n::t;
use crate::rules::Level;
use crate::sanitize;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// A one-line field, made visible and escaped.
pub fn shown(text: &str) -> String {
    mark_hidden(&escape(&sanitize::one_line(text)))
}

/// Wraps each `⟨U+XXXX⟩` the sanitiser wrote in a span, so the page can make it stand out.
fn mark_hidden(escaped: &str) -> String {
    let mut out = String::with_capacity(escaped.len());
    let mut rest = escaped;
    while let Some(at) = rest.find("⟨U+") {
        let Some(len) = rest[at..].find('⟩') else { break };
        let end = at + len + '⟩'.len_utf8();
        out.push_str(&rest[..at]);
        out.push_str("<span class=\"hidden\">");
        out.push_str(&rest[at..end]);
        out.push_str("</span>");
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

fn layout(site: &Site, title: &str, kind: Option<Kind>, body: &str) -> String {
    let class = match kind {
        Some(Kind::Official) => "official",
        Some(Kind::Personal) => "personal",
        None => "neutral",
    };
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"csrf-token\" content=\"{csrf}\">\n<title>{title} · postgate review</title>\n\
         <link rel=\"stylesheet\" href=\"/style.css\">\n<script src=\"/app.js\" defer></script>\n</head>\n\
         <body class=\"{class}\">\n<nav><a href=\"/\">Plans</a> · <a href=\"/stats\">What approvals cost</a></nav>\n\
         {body}\n</body>\n</html>\n",
        csrf = escape(&site.csrf),
        title = escape(title),
    )
}

fn kind_banner(kind: Kind) -> String {
    let (word, meaning) = crate::confirm::kind_words(kind);
    let class = match kind {
        Kind::Official => "official",
        Kind::Personal => "personal",
    };
    format!(
        "<header class=\"kind {class}\" id=\"kind\"><strong>{}</strong> <span>{}</span></header>",
        escape(&t!("banner-frame-title", word = word)),
        escape(&meaning)
    )
}

/// `/`: every plan served, with its account, author, window and what it still needs.
pub fn list(site: &Site, items: &[Item]) -> String {
    let mut rows = String::new();
    for item in items {
        let file = shown(&item.path.display().to_string());
        match &item.loaded {
            Err(e) => rows.push_str(&format!(
                "<li class=\"item bad\"><span class=\"file\">{file}</span><p class=\"error\">{}</p></li>\n",
                shown(e)
            )),
            Ok(l) => {
                let (word, _) = crate::confirm::kind_words(l.account.kind);
                let kind = match l.account.kind {
                    Kind::Official => "official",
                    Kind::Personal => "personal",
                };
                rows.push_str(&format!(
                    "<li class=\"item\"><a href=\"/plan/{id}\"><span class=\"badge {kind}\">{word}</span> \
                     <strong>{account}</strong> {handle} <span class=\"file\">{file}</span></a>\
                     <p>{action} · author {author} · {window}</p><p class=\"status\">{status}</p></li>\n",
                    id = item.id,
                    word = escape(&word),
                    account = shown(&l.account.name),
                    handle = shown(&l.account.handle),
                    action = escape(&action(l)),
                    author = author(l),
                    window = window(l),
                    status = status(l),
                ));
            }
        }
    }
    if rows.is_empty() {
        rows.push_str("<li>No plan is waiting here.</li>");
    }
    layout(
        site,
        "Plans awaiting approval",
        None,
        &format!("<main><h1>Plans awaiting approval</h1>\n<ul class=\"items\">\n{rows}</ul></main>"),
    )
}

fn action(l: &Loaded) -> String {
    match &l.plan.post.corrects {
        Some(post) => format!("correction of {}", sanitize::one_line(post)),
        None if l.plan.post.reply_to.is_some() => "reply".into(),
        None => "new post".into(),
    }
}

fn author(l: &Loaded) -> String {
    match &l.signed {
        Ok(s) => match &s.author {
            Some(a) => format!("{} (signed)", shown(&a.name)),
            None => format!("{} (declared, not signed)", shown(&l.plan.author.describe())),
        },
        Err(_) => shown(&l.plan.author.describe()),
    }
}

fn window(l: &Loaded) -> String {
    let w = &l.plan.window;
    let from = w.not_before.map_or("now".to_string(), |t| t.to_string());
    let until = w.expires.map_or("no end".to_string(), |t| t.to_string());
    format!("publish from {} until {}", escape(&from), escape(&until))
}

fn status(l: &Loaded) -> String {
    if let Some(closed) = &l.closed {
        return format!("<span class=\"refused\">{}</span>", escape(closed));
    }
    if let Err(e) = &l.signed {
        return format!("<span class=\"refused\">signatures do not hold: {}</span>", shown(e));
    }
    if !l.declined.is_empty() {
        let who: Vec<String> = l.declined.iter().map(|d| shown(&d.approver)).collect();
        return format!("<span class=\"refused\">declined by {}</span>", who.join(", "));
    }
    let names = l.signed.as_ref().map(|s| s.names.clone()).unwrap_or_default();
    if l.missing.is_empty() {
        if names.is_empty() {
            "needs no approval".into()
        } else {
            format!(
                "<span class=\"ok\">{}</span>",
                shown(&crate::banner::approved_by(&names))
            )
        }
    } else {
        format!("needs {}", shown(&l.missing.join("; ")))
    }
}

/// The post's text, each finding's span marked with its level, hidden characters visible.
fn text_with_findings(l: &Loaded) -> String {
    let text = &l.draft.text;
    let mut spans: Vec<(std::ops::Range<usize>, Level)> = l
        .findings
        .iter()
        .filter_map(|f| f.span.clone().map(|s| (s, f.level)))
        .filter(|(s, _)| {
            s.start < s.end && s.end <= text.len() && text.is_char_boundary(s.start) && text.is_char_boundary(s.end)
        })
        .collect();
    spans.sort_by_key(|(s, _)| s.start);
    let mut out = String::new();
    let mut at = 0;
    for (span, level) in spans {
        if span.start < at {
            continue;
        }
        out.push_str(&mark_hidden(&escape(&sanitize::for_terminal(&text[at..span.start]))));
        out.push_str(&format!(
            "<mark class=\"{}\">{}</mark>",
            level.as_str(),
            mark_hidden(&escape(&sanitize::for_terminal(&text[span.clone()])))
        ));
        at = span.end;
    }
    out.push_str(&mark_hidden(&escape(&sanitize::for_terminal(&text[at..]))));
    out
}

fn field(label: &str, value: &str) -> String {
    format!("<dt>{}</dt><dd>{value}</dd>\n", escape(label))
}

/// `/plan/ID`: what the banner shows, and the passkey buttons.
pub fn plan(site: &Site, item: &Item) -> String {
    let file = shown(&item.path.display().to_string());
    let l = match &item.loaded {
        Ok(l) => l,
        Err(e) => {
            return layout(
                site,
                "Plan",
                None,
                &format!(
                    "<main><h1>{file}</h1><p class=\"error\">This plan cannot be reviewed: {}</p></main>",
                    shown(e)
                ),
            );
        }
    };
    let a = &l.account;
    let mut dl = String::new();
    dl.push_str(&field(
        &t!("banner-account"),
        &format!("<strong>{}</strong>", shown(&a.name)),
    ));
    dl.push_str(&field(
        &t!("banner-handle"),
        &format!("<strong class=\"handle\" id=\"handle\">{}</strong>", shown(&a.handle)),
    ));
    dl.push_str(&field(&t!("banner-display-name"), &shown(&a.display_name)));
    dl.push_str(&field(
        &t!("banner-platform"),
        &shown(&t!(
            "banner-platform-value",
            platform = a.platform.as_str(),
            host = a.host()
        )),
    ));
    dl.push_str(&field(&t!("banner-owner"), &shown(&a.owner)));
    dl.push_str(&field(&t!("banner-action"), &escape(&action(l))));
    if let Some(reply) = &l.draft.reply_to {
        dl.push_str(&field(&t!("banner-reply-to"), &shown(reply)));
    }
    if let Some(cw) = &l.draft.content_warning {
        dl.push_str(&field(&t!("banner-content-warning"), &shown(cw)));
    }
    if let Some(lang) = l.draft.language.as_deref().or(a.language.as_deref()) {
        dl.push_str(&field(&t!("banner-language"), &shown(lang)));
    }
    if let Some(v) = l.draft.visibility {
        dl.push_str(&field(&t!("banner-visibility"), &shown(v.as_str())));
    }
    dl.push_str(&field("author", &author(l)));
    dl.push_str(&field("window", &window(l)));
    dl.push_str(&field(
        "plan hash",
        &format!("<code id=\"plan-hash\">{}</code>", escape(&l.plan.plan_hash)),
    ));

    let hidden = sanitize::hidden_chars(&l.draft.text).len();
    let hidden_note = if hidden > 0 {
        format!(
            "<p class=\"warning\">{}</p>",
            escape(&t!("banner-hidden", count = hidden))
        )
    } else {
        String::new()
    };
    let mut images = String::new();
    for (i, image) in l.draft.images.iter().enumerate() {
        let alt = match &image.alt {
            Some(alt) => shown(alt),
            None => format!(
                "<strong class=\"refused\">{}</strong>",
                escape(&t!("banner-image-no-description"))
            ),
        };
        images.push_str(&format!(
            "<figure><img src=\"/plan/{id}/image/{i}\" alt=\"\"><figcaption>{} · {} KB · {}</figcaption></figure>\n",
            shown(&image.file_name),
            image.bytes.len().div_ceil(1024),
            alt,
            id = item.id,
        ));
    }
    let mut findings = String::new();
    for f in &l.findings {
        findings.push_str(&format!(
            "<li class=\"{level}\"><strong>{}</strong> {} {}</li>\n",
            escape(&match f.level {
                Level::Deny => t!("banner-level-deny"),
                Level::Approve => t!("banner-level-approve"),
                Level::Warn => t!("banner-level-warn"),
            }),
            shown(&f.rule),
            shown(&f.message),
            level = f.level.as_str(),
        ));
    }
    let findings = if findings.is_empty() {
        "<p>No rule matched.</p>".to_string()
    } else {
        format!("<ul class=\"findings\">{findings}</ul>")
    };
    let needs: Vec<String> = l
        .needs
        .iter()
        .map(|n| format!("<li>{}</li>", shown(&n.describe())))
        .collect();
    let has: Vec<String> = match &l.signed {
        Ok(s) => s.approvals.iter().map(|a| format!("<li>{}</li>", shown(a))).collect(),
        Err(e) => vec![format!(
            "<li class=\"refused\">signatures do not hold: {}</li>",
            shown(e)
        )],
    };
    let declined: Vec<String> = l
        .declined
        .iter()
        .map(|d| {
            format!(
                "<li class=\"refused\">declined by {}: {}</li>",
                shown(&d.approver),
                shown(&d.reason)
            )
        })
        .collect();
    let approvals = format!(
        "<h2>Approvals</h2><p>It needs:</p><ul>{}</ul><p>It has:</p><ul id=\"has\">{}{}</ul><p class=\"status\">{}</p>",
        if needs.is_empty() {
            "<li>none</li>".to_string()
        } else {
            needs.concat()
        },
        if has.is_empty() && declined.is_empty() {
            "<li>none</li>".to_string()
        } else {
            has.concat()
        },
        declined.concat(),
        status(l),
    );
    let body = format!(
        "{banner}\n<main>\n<h1>{file}</h1>\n<dl class=\"fields\">\n{dl}</dl>\n<h2>{post}</h2>\n{hidden_note}\
         <pre class=\"text\" id=\"text\">{text}</pre>\n{images}<h2>{checks}</h2>\n{findings}\n{approvals}\n{actions}\n</main>",
        banner = kind_banner(a.kind),
        post = escape(&t!("banner-post")),
        text = text_with_findings(l),
        checks = escape(&t!("banner-checks")),
        actions = actions(site, item, l),
    );
    layout(site, &format!("{} · {}", a.name, a.handle), Some(a.kind), &body)
}

/// The approve and decline buttons, with what the page's script needs to ask the passkey.
fn actions(site: &Site, item: &Item, l: &Loaded) -> String {
    if let Some(closed) = &l.closed {
        return format!("<p class=\"refused\">{}; it cannot be approved.</p>", escape(closed));
    }
    if l.signed.is_err() {
        return "<p class=\"refused\">Its signatures do not hold, so it cannot be approved here.</p>".into();
    }
    let approvers = site.passkey_approvers();
    if approvers.is_empty() {
        return format!(
            "<p>No approver in the policy has a passkey for {}; approve at a terminal with <code>postgate approve</code>.</p>",
            escape(&site.origin)
        );
    }
    let Some(challenge) = crate::approval::passkey::challenge_of(&l.plan.plan_hash) else {
        return "<p class=\"refused\">The plan hash is malformed.</p>".into();
    };
    let credentials: Vec<String> = approvers
        .iter()
        .filter_map(|a| a.passkey.as_ref())
        .map(|p| URL_SAFE_NO_PAD.encode(&p.credential_id))
        .collect();
    format!(
        "<section id=\"review\" data-plan-id=\"{id}\" data-plan-hash=\"{hash}\" data-challenge=\"{challenge}\" \
         data-rp-id=\"{rp}\" data-credentials=\"{creds}\">\n<h2>Your decision</h2>\n\
         <p>Your passkey signs this plan's hash, <code>{hash}</code>. It approves exactly the text above; any change \
         needs a new approval.</p>\n\
         <button type=\"button\" id=\"approve\">Approve with my passkey</button>\n\
         <details><summary>Decline</summary><label for=\"reason\">Why (the author reads this)</label>\n\
         <textarea id=\"reason\" maxlength=\"{max}\" rows=\"3\"></textarea>\n\
         <button type=\"button\" id=\"decline\">Decline with my passkey</button></details>\n\
         <p id=\"result\" role=\"status\" aria-live=\"polite\"></p>\n</section>",
        id = item.id,
        hash = escape(&l.plan.plan_hash),
        challenge = URL_SAFE_NO_PAD.encode(challenge),
        rp = escape(&site.rp_id),
        creds = escape(&credentials.join(" ")),
        max = crate::approval::decline::MAX_REASON_CHARS,
    )
}

/// `/stats?days=N`: what approvals cost per account, as `postgate log stats` counts it, with
/// the median time from plan to last approval drawn as inline SVG.
pub fn stats(site: &Site, days: i64) -> String {
    let log = crate::audit::AuditLog::of(&site.policy);
    let records = match log.read_all() {
        Ok(r) => r,
        Err(e) => {
            return layout(
                site,
                "What approvals cost",
                None,
                &format!(
                    "<main><h1>What approvals cost</h1><p class=\"error\">{}</p></main>",
                    shown(&format!("{e:#}"))
                ),
            );
        }
    };
    let until = crate::audit::observed_now(&log);
    let since = until - jiff::SignedDuration::from_hours(24 * days);
    let figures = crate::stats::compute(&records, since, until);
    let mut rows = String::new();
    for a in &figures.accounts {
        rows.push_str(&format!(
            "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            shown(&a.name),
            a.posts,
            a.corrections,
            a.deletions,
            a.refused,
            shown(&a.plan_to_approval.render()),
            shown(&a.approval_to_publish.render()),
            shown(&a.refusal_causes()),
        ));
    }
    let head: String = crate::stats::COLUMNS
        .iter()
        .map(|c| format!("<th scope=\"col\">{}</th>", escape(c)))
        .collect();
    let windows: String = [7, 30, 90, 365]
        .iter()
        .map(|d| {
            if *d == days {
                format!("<strong>{d} days</strong>")
            } else {
                format!("<a href=\"/stats?days={d}\">{d} days</a>")
            }
        })
        .collect::<Vec<_>>()
        .join(" · ");
    let body = if figures.is_empty() {
        format!("<p>Nothing to count from {since} to {until}.</p>")
    } else {
        format!(
            "<div class=\"chart\">{}</div>\n<div class=\"table\"><table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>",
            figures.plan_to_approval_svg()
        )
    };
    layout(
        site,
        "What approvals cost",
        None,
        &format!(
            "<main><h1>What approvals cost</h1>\n<p>{windows}</p>\n<p>From {since} to {until}. Times run from a plan's \
             author signature to its last approval, then to its publish: nearest-rank median and 90th percentile, as \
             <code>postgate log stats</code> gives them.</p>\n{body}</main>"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_and_hidden_characters_are_shown_not_run() {
        let out = shown("<script>alert(1)</script>\u{202e}\u{200b}");
        assert!(!out.contains("<script>"), "{out}");
        assert!(out.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{out}");
        assert!(out.contains("<span class=\"hidden\">⟨U+202E⟩</span>"), "{out}");
        assert!(out.contains("<span class=\"hidden\">⟨U+200B⟩</span>"), "{out}");
        assert!(!out.contains('\u{202e}') && !out.contains('\u{200b}'));
    }
}
