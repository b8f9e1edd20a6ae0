//! `postgate review serve`: the plans awaiting approval, as web pages an approver opens on a
//! laptop or a phone, and approval with a passkey.
//!
//! The page cannot approve anything. It shows the plan as the banner does and carries what the
//! approver's passkey signed (a WebAuthn assertion whose challenge is the plan hash) back to
//! this server, which checks it exactly as `apply` will ([`crate::approval::signature`]) and
//! only then writes `PLAN.NAME.webauthn.json` beside the plan. A page with forged script could
//! at worst send an assertion the passkey made; the passkey only makes one over the challenge,
//! the origin and the RP id the browser saw, and those are checked here.
//!
//! Only the plans named on the command line are served, by an id derived from their path; a
//! queue folder serves the items in it. Everything is read again from disk on each request,
//! so an approval made meanwhile at a terminal shows at the next reload.

pub mod enroll;
pub mod model;
pub mod page;

use crate::approval::{decline, signature};
use crate::audit::{AuditLog, Outcome, Record};
use crate::http::{Request, Response};
pub use model::{Item, Loaded, Signed, Site, id_of, load_any, reviewed};
use serde_json::json;

pub const APP_JS: &str = include_str!("app.js");
pub const STYLE_CSS: &str = include_str!("style.css");

impl Site {
    pub fn handle(&self, req: &Request) -> Response {
        let path = req.path.as_str();
        let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        match (req.method.as_str(), parts.as_slice()) {
            ("GET", [""]) => Response::html(page::list(self, &self.items())),
            ("GET", ["app.js"]) => Response::new(200, "text/javascript; charset=utf-8", APP_JS),
            ("GET", ["style.css"]) => Response::new(200, "text/css; charset=utf-8", STYLE_CSS),
            ("GET", ["stats"]) => {
                let days = req
                    .query
                    .as_deref()
                    .and_then(|q| q.strip_prefix("days="))
                    .and_then(|d| d.parse::<i64>().ok())
                    .filter(|d| (1..=3660).contains(d))
                    .unwrap_or(30);
                Response::html(page::stats(self, days))
            }
            ("GET", ["plan", id]) => match self.find(id) {
                Some(item) => Response::html(page::plan(self, &item)),
                None => not_found(),
            },
            ("GET", ["plan", id, "image", n]) => self.image(id, n),
            ("POST", ["plan", id, action @ ("approve" | "decline")]) => {
                if let Err(refusal) = self.check_post(req) {
                    return refusal;
                }
                let Some(item) = self.find(id) else {
                    return not_found();
                };
                if *action == "approve" {
                    self.approve(&item, &req.body)
                } else {
                    self.decline(&item, &req.body)
                }
            }
            ("GET" | "POST", _) => not_found(),
            _ => Response::text(405, "only GET and POST are served"),
        }
    }

    /// A POST must come from this site's own page: its origin, its CSRF token, JSON.
    fn check_post(&self, req: &Request) -> Result<(), Response> {
        if req.header("origin") != Some(self.origin.as_str()) {
            return Err(Response::error(
                403,
                "this request does not come from the review page's origin",
            ));
        }
        let token = req.header("x-csrf-token").unwrap_or_default();
        if !crate::http::same_secret(token, &self.csrf) {
            return Err(Response::error(
                403,
                "the request carries no valid CSRF token; reload the page",
            ));
        }
        let json = req.header("content-type").is_some_and(|t| {
            t.split(';')
                .next()
                .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
        });
        if !json {
            return Err(Response::error(415, "the request body must be application/json"));
        }
        Ok(())
    }

    fn image(&self, id: &str, n: &str) -> Response {
        let Some(item) = self.find(id) else {
            return not_found();
        };
        let Ok(loaded) = &item.loaded else {
            return not_found();
        };
        // `plan.draft` read the images and checked each against the hash the plan pins.
        match n.parse::<usize>().ok().and_then(|n| loaded.draft.images.get(n)) {
            Some(image) => Response::new(200, image.mime, image.bytes.clone()),
            None => not_found(),
        }
    }

    fn approve(&self, item: &Item, body: &[u8]) -> Response {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Body {
            plan_hash: String,
            assertion: crate::approval::passkey::Assertion,
        }
        let body: Body = match serde_json::from_slice(body) {
            Ok(b) => b,
            Err(e) => return Response::error(400, &format!("not an approval: {e}")),
        };
        let loaded = match self.ready(item, &body.plan_hash) {
            Ok(l) => l,
            Err(r) => return r,
        };
        let author = match &loaded.signed {
            Ok(Signed { author: Some(a), .. }) => a.clone(),
            Ok(_) => {
                return Response::error(
                    409,
                    &format!(
                        "{} carries no author signature, so an approval could be its writer's own; its author signs it first",
                        item.path.display()
                    ),
                );
            }
            Err(e) => return Response::error(409, e),
        };
        let approval =
            match signature::verify_assertion(&self.policy.approvals, &loaded.plan, &body.assertion, "the assertion") {
                Ok(a) => a,
                Err(f) => return Response::error(422, &f.to_string()),
            };
        let approver = approval.approver;
        if approver.wrote(&author) || approver.is_author(&loaded.plan.author) {
            return Response::error(
                403,
                &format!(
                    "approver `{}` wrote this plan; nobody approves their own plan",
                    approver.name
                ),
            );
        }
        let path = signature::webauthn_path(&item.path, &approver.name);
        let text = match serde_json::to_string_pretty(&body.assertion) {
            Ok(t) => t + "\n",
            Err(e) => return Response::error(500, &e.to_string()),
        };
        if let Err(e) = crate::paths::write_atomic(&path, text.as_bytes()) {
            return Response::error(500, &format!("cannot write {}: {e:#}", path.display()));
        }
        // Checked again as apply will read it, from the file.
        if let Err(e) = signature::verify_file(&self.policy.approvals, &loaded.plan, &path) {
            let _ = std::fs::remove_file(&path);
            return Response::error(500, &format!("{e:#}"));
        }
        let mut record = Record::about(
            &self.policy,
            &loaded.account,
            "approval",
            "review serve",
            Outcome::Approved {
                approver: approver.name.clone(),
                fingerprint: approval.key.clone(),
                signature: path.display().to_string(),
            },
        );
        record.plan_hash = Some(loaded.plan.plan_hash.clone());
        record.author = Some(author);
        if let Err(e) = AuditLog::of(&self.policy).append(record) {
            let _ = std::fs::remove_file(&path);
            return Response::error(
                500,
                &format!("the approval could not be recorded, so it was removed: {e:#}"),
            );
        }
        crate::output::status(&format!(
            "{}: approved by `{}` with {} ({})",
            item.path.display(),
            approver.name,
            approval.key,
            path.display()
        ));
        let after = self.item(item.path.clone());
        let missing = after.loaded.map(|l| l.missing).unwrap_or_default();
        Response::json(
            200,
            &json!({ "approver": approver.name, "file": path.display().to_string(), "missing": missing }),
        )
    }

    fn decline(&self, item: &Item, body: &[u8]) -> Response {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Body {
            plan_hash: String,
            reason: String,
            assertion: crate::approval::passkey::Assertion,
        }
        let body: Body = match serde_json::from_slice(body) {
            Ok(b) => b,
            Err(e) => return Response::error(400, &format!("not a decline: {e}")),
        };
        if body.reason.trim().is_empty() {
            return Response::error(400, "a decline needs a reason, for the author");
        }
        if body.reason.chars().count() > decline::MAX_REASON_CHARS {
            return Response::error(
                400,
                &format!("the reason is longer than {} characters", decline::MAX_REASON_CHARS),
            );
        }
        let loaded = match self.ready(item, &body.plan_hash) {
            Ok(l) => l,
            Err(r) => return r,
        };
        let challenge = decline::challenge(&loaded.plan.plan_hash, &body.reason);
        let (approver, key) =
            match signature::verify_passkey_over(&self.policy.approvals, &challenge, &body.assertion, "the decline") {
                Ok(found) => found,
                Err((_, why)) => return Response::error(422, &why),
            };
        let path = decline::path_for(&item.path, &approver.name);
        let file = decline::Decline {
            reason: body.reason.clone(),
            assertion: body.assertion,
        };
        let text = match serde_json::to_string_pretty(&file) {
            Ok(t) => t + "\n",
            Err(e) => return Response::error(500, &e.to_string()),
        };
        if let Err(e) = crate::paths::write_atomic(&path, text.as_bytes()) {
            return Response::error(500, &format!("cannot write {}: {e:#}", path.display()));
        }
        let mut record = Record::about(
            &self.policy,
            &loaded.account,
            "decline",
            "review serve",
            Outcome::Declined {
                approver: approver.name.clone(),
                fingerprint: key.clone(),
                reason: body.reason.clone(),
                file: path.display().to_string(),
            },
        );
        record.plan_hash = Some(loaded.plan.plan_hash.clone());
        record.author = loaded.signed.as_ref().ok().and_then(|s| s.author.clone());
        if let Err(e) = AuditLog::of(&self.policy).append(record) {
            let _ = std::fs::remove_file(&path);
            return Response::error(
                500,
                &format!("the decline could not be recorded, so it was removed: {e:#}"),
            );
        }
        crate::output::status(&format!(
            "{}: declined by `{}` ({})",
            item.path.display(),
            approver.name,
            path.display()
        ));
        Response::json(
            200,
            &json!({ "approver": approver.name, "file": path.display().to_string() }),
        )
    }

    /// The item, loaded, still the plan the page showed, and open.
    fn ready<'i>(&self, item: &'i Item, plan_hash: &str) -> Result<&'i Loaded, Response> {
        let loaded = item.loaded.as_ref().map_err(|e| Response::error(409, e))?;
        if loaded.plan.plan_hash != plan_hash {
            return Err(Response::error(
                409,
                "the plan changed since this page was loaded; reload it and review it again",
            ));
        }
        if let Some(closed) = &loaded.closed {
            return Err(Response::error(409, &format!("{closed}; it cannot be approved")));
        }
        Ok(loaded)
    }
}

fn not_found() -> Response {
    Response::text(404, "not found: this server serves only the plans it was given")
}
