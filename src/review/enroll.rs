//! `postgate keys passkey enroll`: a one-time page where an approver's phone or laptop makes a
//! passkey for the review page, and the `[[approvers]]` entry that lists it.
//!
//! The page's URL carries a random token and works once. What the browser returns is checked
//! as WebAuthn Level 3 §7.1 "Registering a New Credential" says, less the attestation: postgate
//! asks for none, since what makes a passkey an approver's is the reviewed policy change that
//! adds the printed entry, not a vendor's certificate.

use crate::http::{Request, Response, escape};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use coset::AsCborValue;
use sha2::{Digest, Sha256};
use std::sync::Mutex;

/// authenticatorData flags (WebAuthn §6.1).
const FLAG_UP: u8 = 0x01;
const FLAG_UV: u8 = 0x04;
const FLAG_AT: u8 = 0x40;

/// A passkey made on the page.
#[derive(Debug, Clone)]
pub struct Enrolled {
    pub credential_id: Vec<u8>,
    /// The COSE_Key bytes as the authenticator gave them.
    pub cose: Vec<u8>,
    pub passkey: crate::approval::passkey::Passkey,
}

pub struct Enrolment {
    pub name: String,
    pub origin: String,
    pub rp_id: String,
    /// `/enroll/TOKEN`: the one URL served.
    pub path: String,
    challenge: [u8; 32],
    user_id: [u8; 16],
    csrf: String,
    pub done: Mutex<Option<Enrolled>>,
}

impl Enrolment {
    pub fn new(name: &str, origin: &str, rp_id: &str) -> anyhow::Result<Enrolment> {
        let mut challenge = [0u8; 32];
        let mut user_id = [0u8; 16];
        getrandom::fill(&mut challenge).map_err(|e| anyhow::anyhow!("no randomness from the OS: {e}"))?;
        getrandom::fill(&mut user_id).map_err(|e| anyhow::anyhow!("no randomness from the OS: {e}"))?;
        Ok(Enrolment {
            name: name.to_string(),
            origin: origin.to_string(),
            rp_id: rp_id.to_string(),
            path: format!("/enroll/{}", crate::http::token()?),
            challenge,
            user_id,
            csrf: crate::http::token()?,
            done: Mutex::new(None),
        })
    }

    pub fn url(&self) -> String {
        format!("{}{}", self.origin, self.path)
    }

    fn finished(&self) -> bool {
        self.done.lock().map(|d| d.is_some()).unwrap_or(true)
    }

    pub fn handle(&self, req: &Request) -> Response {
        match (req.method.as_str(), req.path.as_str()) {
            ("GET", "/app.js") => Response::new(200, "text/javascript; charset=utf-8", super::APP_JS),
            ("GET", "/style.css") => Response::new(200, "text/css; charset=utf-8", super::STYLE_CSS),
            ("GET", p) if p == self.path && !self.finished() => Response::html(self.page()),
            ("POST", p) if p == self.path && !self.finished() => self.post(req),
            _ => Response::text(
                404,
                "not found: this enrolment page works once, at the URL postgate printed",
            ),
        }
    }

    fn post(&self, req: &Request) -> Response {
        if req.header("origin") != Some(self.origin.as_str()) {
            return Response::error(403, "this request does not come from the enrolment page's origin");
        }
        if !crate::http::same_secret(req.header("x-csrf-token").unwrap_or_default(), &self.csrf) {
            return Response::error(403, "the request carries no valid CSRF token; reload the page");
        }
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Body {
            client_data_json: String,
            attestation_object: String,
        }
        let body: Body = match serde_json::from_slice(&req.body) {
            Ok(b) => b,
            Err(e) => return Response::error(400, &format!("not a registration: {e}")),
        };
        let decode = |v: &str| URL_SAFE_NO_PAD.decode(v);
        let (Ok(client), Ok(attestation)) = (decode(&body.client_data_json), decode(&body.attestation_object)) else {
            return Response::error(400, "the registration's values are not unpadded base64url");
        };
        match self.register(&client, &attestation) {
            Ok(enrolled) => {
                let fingerprint = enrolled.passkey.fingerprint();
                if let Ok(mut done) = self.done.lock() {
                    *done = Some(enrolled);
                }
                Response::json(200, &serde_json::json!({ "fingerprint": fingerprint }))
            }
            Err(why) => Response::error(422, &why),
        }
    }

    fn page(&self) -> String {
        format!(
            "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <meta name=\"csrf-token\" content=\"{csrf}\">\n<title>Enrol a passkey · postgate</title>\n\
             <link rel=\"stylesheet\" href=\"/style.css\">\n<script src=\"/app.js\" defer></script>\n</head>\n\
             <body class=\"neutral\">\n<main>\n<h1>Enrol a passkey for approver <code>{name}</code></h1>\n\
             <p>Your phone or laptop makes a passkey for <code>{rp}</code>. Afterwards you approve plans on \
             <code>{origin}</code> with it, unlocking it with your PIN, face or fingerprint.</p>\n\
             <section id=\"enrolment\" data-challenge=\"{challenge}\" data-rp-id=\"{rp}\" data-user-id=\"{user}\" \
             data-name=\"{name}\" data-path=\"{path}\">\n\
             <button type=\"button\" id=\"enrol\">Make my passkey</button>\n\
             <p id=\"result\" role=\"status\" aria-live=\"polite\"></p>\n</section>\n</main>\n</body>\n</html>\n",
            csrf = escape(&self.csrf),
            name = escape(&self.name),
            rp = escape(&self.rp_id),
            origin = escape(&self.origin),
            challenge = URL_SAFE_NO_PAD.encode(self.challenge),
            user = URL_SAFE_NO_PAD.encode(self.user_id),
            path = escape(&self.path),
        )
    }

    /// Checks what `navigator.credentials.create` returned and reads the new passkey.
    pub fn register(&self, client_data_json: &[u8], attestation_object: &[u8]) -> Result<Enrolled, String> {
        #[derive(serde::Deserialize)]
        struct ClientData {
            #[serde(rename = "type")]
            kind: String,
            challenge: String,
            origin: String,
            #[serde(rename = "crossOrigin", default)]
            cross_origin: Option<bool>,
        }
        let client: ClientData =
            serde_json::from_slice(client_data_json).map_err(|e| format!("its clientDataJSON is not valid: {e}"))?;
        if client.kind != "webauthn.create" {
            return Err(format!(
                "its clientDataJSON type is `{}`, not `webauthn.create`",
                crate::sanitize::one_line(&client.kind)
            ));
        }
        if client.challenge != URL_SAFE_NO_PAD.encode(self.challenge) {
            return Err("its challenge is not this page's".into());
        }
        if client.origin != self.origin {
            return Err(format!(
                "it was made on {}, not on {}",
                crate::sanitize::one_line(&client.origin),
                self.origin
            ));
        }
        if client.cross_origin == Some(true) {
            return Err("it was made inside a frame of another origin".into());
        }
        let auth_data = auth_data_of(attestation_object)?;
        let (credential_id, cose) = read_auth_data(&auth_data, &self.rp_id)?;
        let passkey = crate::approval::passkey::Passkey::parse(
            &URL_SAFE_NO_PAD.encode(&credential_id),
            &URL_SAFE_NO_PAD.encode(&cose),
            &self.rp_id,
            &self.origin,
        )?;
        Ok(Enrolled {
            credential_id,
            cose,
            passkey,
        })
    }

    /// The `[[approvers]]` entry to add to the policy.
    pub fn entry(&self, enrolled: &Enrolled) -> String {
        format!(
            "[[approvers]]\nname = \"{}\"\npasskey = {{ credential_id = \"{}\", public_key = \"{}\", rp_id = \"{}\", origin = \"{}\" }}\nroles = []\n",
            self.name,
            URL_SAFE_NO_PAD.encode(&enrolled.credential_id),
            URL_SAFE_NO_PAD.encode(&enrolled.cose),
            self.rp_id,
            self.origin
        )
    }
}

/// `authData` of an attestation object, the CBOR map `{fmt, attStmt, authData}` (§6.5.4).
fn auth_data_of(attestation_object: &[u8]) -> Result<Vec<u8>, String> {
    use coset::cbor::value::Value;
    let value: Value = coset::cbor::de::from_reader(attestation_object)
        .map_err(|e| format!("its attestationObject is not CBOR: {e}"))?;
    let Value::Map(entries) = value else {
        return Err("its attestationObject is not a CBOR map".into());
    };
    entries
        .into_iter()
        .find_map(|(k, v)| match (k, v) {
            (Value::Text(k), Value::Bytes(b)) if k == "authData" => Some(b),
            _ => None,
        })
        .ok_or_else(|| "its attestationObject has no authData".into())
}

/// The credential id and COSE key of registration authenticator data (§6.1, §6.5.1), after
/// checking the RP id hash and the UP, UV and AT flags.
fn read_auth_data(auth: &[u8], rp_id: &str) -> Result<(Vec<u8>, Vec<u8>), String> {
    if auth.len() < 55 {
        return Err("its authenticatorData is too short to hold a credential".into());
    }
    if auth[..32] != Sha256::digest(rp_id.as_bytes())[..] {
        return Err(format!("its rpIdHash is not the hash of the RP id `{rp_id}`"));
    }
    let flags = auth[32];
    if flags & FLAG_UP == 0 {
        return Err("the authenticator did not see you present (UP flag unset)".into());
    }
    if flags & FLAG_UV == 0 {
        return Err("the passkey was not unlocked with a PIN or biometric (UV flag unset)".into());
    }
    if flags & FLAG_AT == 0 {
        return Err("its authenticatorData carries no credential (AT flag unset)".into());
    }
    let len = usize::from(u16::from_be_bytes([auth[53], auth[54]]));
    let id_end = 55 + len;
    if len == 0 || auth.len() <= id_end {
        return Err("its credential id runs past the authenticatorData".into());
    }
    let credential_id = auth[55..id_end].to_vec();
    let mut rest = &auth[id_end..];
    let before = rest.len();
    let key: coset::cbor::value::Value =
        coset::cbor::de::from_reader(&mut rest).map_err(|e| format!("its public key is not CBOR: {e}"))?;
    let cose = auth[id_end..id_end + (before - rest.len())].to_vec();
    // Read it as a COSE key once, so a malformed one is refused here rather than in the policy.
    coset::CoseKey::from_cbor_value(key).map_err(|e| format!("its public key is not a COSE key: {e}"))?;
    Ok((credential_id, cose))
}

#[cfg(test)]
mod tests {
    use super::*;
    use coset::{CborSerializable, CoseKeyBuilder, iana};

    fn cose() -> Vec<u8> {
        let key = p256::ecdsa::SigningKey::from_bytes(&[5u8; 32].into()).unwrap();
        let point = key.verifying_key().to_encoded_point(false);
        CoseKeyBuilder::new_ec2_pub_key(
            iana::EllipticCurve::P_256,
            point.x().unwrap().to_vec(),
            point.y().unwrap().to_vec(),
        )
        .algorithm(iana::Algorithm::ES256)
        .build()
        .to_vec()
        .unwrap()
    }

    fn registration(e: &Enrolment, flags: u8, rp: &str, origin: &str) -> (Vec<u8>, Vec<u8>) {
        let client = serde_json::json!({
            "type": "webauthn.create",
            "challenge": URL_SAFE_NO_PAD.encode(e.challenge),
            "origin": origin,
        })
        .to_string()
        .into_bytes();
        let mut auth = Sha256::digest(rp.as_bytes()).to_vec();
        auth.push(flags);
        auth.extend_from_slice(&0u32.to_be_bytes());
        auth.extend_from_slice(&[0u8; 16]);
        auth.extend_from_slice(&4u16.to_be_bytes());
        auth.extend_from_slice(b"cred");
        auth.extend_from_slice(&cose());
        use coset::cbor::value::Value;
        let object = Value::Map(vec![
            (Value::Text("fmt".into()), Value::Text("none".into())),
            (Value::Text("attStmt".into()), Value::Map(vec![])),
            (Value::Text("authData".into()), Value::Bytes(auth)),
        ]);
        let mut bytes = Vec::new();
        coset::cbor::ser::into_writer(&object, &mut bytes).unwrap();
        (client, bytes)
    }

    #[test]
    fn a_registration_gives_the_entry_for_the_policy() {
        let e = Enrolment::new("sg", "http://localhost:8750", "localhost").unwrap();
        let (client, object) = registration(&e, FLAG_UP | FLAG_UV | FLAG_AT, "localhost", "http://localhost:8750");
        let enrolled = e.register(&client, &object).unwrap();
        assert_eq!(enrolled.credential_id, b"cred");
        assert_eq!(enrolled.cose, cose());
        let entry = e.entry(&enrolled);
        assert!(entry.contains("credential_id = \"Y3JlZA\""), "{entry}");
        assert!(
            entry.contains("rp_id = \"localhost\", origin = \"http://localhost:8750\""),
            "{entry}"
        );
    }

    #[test]
    fn a_registration_is_refused_for_each_check() {
        let e = Enrolment::new("sg", "http://localhost:8750", "localhost").unwrap();
        let ok = FLAG_UP | FLAG_UV | FLAG_AT;
        let refused = |flags, rp: &str, origin: &str| {
            let (c, o) = registration(&e, flags, rp, origin);
            e.register(&c, &o).unwrap_err()
        };
        assert!(refused(FLAG_UP | FLAG_AT, "localhost", "http://localhost:8750").contains("UV flag unset"));
        assert!(refused(ok, "evil.example", "http://localhost:8750").contains("rpIdHash"));
        assert!(refused(ok, "localhost", "http://localhost:9999").contains("not on http://localhost:8750"));
        assert!(refused(FLAG_UP | FLAG_UV, "localhost", "http://localhost:8750").contains("AT flag"));
        let other = Enrolment::new("sg", "http://localhost:8750", "localhost").unwrap();
        let (c, o) = registration(&other, ok, "localhost", "http://localhost:8750");
        assert!(e.register(&c, &o).unwrap_err().contains("challenge"));
    }
}
