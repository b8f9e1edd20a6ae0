//! Passkey approvals: a WebAuthn assertion whose challenge is the plan hash's 32 bytes.
//!
//! An approver's passkey signs `authenticatorData ‖ SHA-256(clientDataJSON)`, and
//! `clientDataJSON` carries the challenge, so the signature binds the plan hash exactly as an
//! SSHSIG approval does. The browser only carries the assertion: every check is made here,
//! from the four values the assertion file holds and the key the policy lists, never from
//! anything the page says. The order of the checks follows the WebAuthn Level 3
//! "Verifying an Authentication Assertion" procedure (§7.2), less what only a live ceremony
//! has (the sign counter, which a file checked later cannot keep).
//!
//! Keys are COSE_Key structures (RFC 9053): ES256 (P-256, `alg` -7) and EdDSA (Ed25519,
//! `alg` -8). The cryptography is RustCrypto's `p256` and `ed25519-dalek`; COSE is read by
//! `coset`.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use coset::{CborSerializable, CoseKey, KeyType, Label, RegisteredLabelWithPrivate, iana};
use sha2::{Digest, Sha256};
use std::fmt;

/// The user-present flag of authenticatorData (WebAuthn §6.1, bit 0).
const FLAG_UP: u8 = 0x01;
/// The user-verified flag (bit 2): the approver unlocked the passkey with a PIN or biometric.
const FLAG_UV: u8 = 0x04;
/// rpIdHash (32), flags (1) and signCount (4): the shortest authenticatorData.
const AUTH_DATA_MIN: usize = 37;

/// A public key a passkey signs with.
#[derive(Clone)]
pub enum Key {
    Es256(p256::ecdsa::VerifyingKey),
    EdDsa(ed25519_dalek::VerifyingKey),
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.algorithm())
    }
}

impl Key {
    /// The COSE name of the algorithm.
    pub fn algorithm(&self) -> &'static str {
        match self {
            Key::Es256(_) => "ES256",
            Key::EdDsa(_) => "EdDSA",
        }
    }

    /// Reads a COSE_Key: an EC2 key on P-256 for ES256, an OKP key on Ed25519 for EdDSA. Any
    /// other key type, curve or algorithm is refused rather than guessed at.
    pub fn from_cose(bytes: &[u8]) -> Result<Key, String> {
        let key = CoseKey::from_slice(bytes).map_err(|e| format!("not a COSE key: {e}"))?;
        let int_param = |label: i64| key.params.iter().find(|(l, _)| *l == Label::Int(label)).map(|(_, v)| v);
        let bytes_param = |label: i64, what: &str| -> Result<Vec<u8>, String> {
            match int_param(label) {
                Some(v) => v
                    .as_bytes()
                    .cloned()
                    .ok_or_else(|| format!("its {what} is not a byte string")),
                None => Err(format!("it has no {what}")),
            }
        };
        let curve = match int_param(-1).and_then(|v| v.as_integer()) {
            Some(c) => i128::from(c),
            None => return Err("it names no curve".into()),
        };
        let alg = match &key.alg {
            Some(RegisteredLabelWithPrivate::Assigned(a)) => Some(*a),
            None => None,
            Some(other) => return Err(format!("its algorithm {other:?} is not ES256 or EdDSA")),
        };
        match key.kty {
            KeyType::Assigned(iana::KeyType::EC2) => {
                if curve != iana::EllipticCurve::P_256 as i128 {
                    return Err(format!("its curve {curve} is not P-256"));
                }
                if alg.is_some_and(|a| a != iana::Algorithm::ES256) {
                    return Err("an EC2 key on P-256 must be for ES256".into());
                }
                let x = bytes_param(-2, "x coordinate")?;
                let y = bytes_param(-3, "y coordinate")?;
                if x.len() != 32 || y.len() != 32 {
                    return Err("its coordinates are not 32 bytes each".into());
                }
                let point = p256::EncodedPoint::from_affine_coordinates(
                    p256::FieldBytes::from_slice(&x),
                    p256::FieldBytes::from_slice(&y),
                    false,
                );
                p256::ecdsa::VerifyingKey::from_encoded_point(&point)
                    .map(Key::Es256)
                    .map_err(|_| "its point is not on P-256".into())
            }
            KeyType::Assigned(iana::KeyType::OKP) => {
                if curve != iana::EllipticCurve::Ed25519 as i128 {
                    return Err(format!("its curve {curve} is not Ed25519"));
                }
                if alg.is_some_and(|a| a != iana::Algorithm::EdDSA) {
                    return Err("an OKP key on Ed25519 must be for EdDSA".into());
                }
                let x = bytes_param(-2, "public key")?;
                let x: [u8; 32] = x.try_into().map_err(|_| "its public key is not 32 bytes".to_string())?;
                ed25519_dalek::VerifyingKey::from_bytes(&x)
                    .map(Key::EdDsa)
                    .map_err(|_| "its public key is not an Ed25519 point".into())
            }
            ref other => Err(format!("its key type {other:?} is not EC2 or OKP")),
        }
    }

    fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        match self {
            Key::Es256(key) => {
                use p256::ecdsa::signature::Verifier;
                // WebAuthn's ES256 signatures are ASN.1 DER (§6.5.6), not the raw r‖s.
                match p256::ecdsa::Signature::from_der(signature) {
                    Ok(sig) => key.verify(message, &sig).is_ok(),
                    Err(_) => false,
                }
            }
            Key::EdDsa(key) => match ed25519_dalek::Signature::from_slice(signature) {
                Ok(sig) => key.verify_strict(message, &sig).is_ok(),
                Err(_) => false,
            },
        }
    }
}

/// An approver's passkey as the policy lists it.
#[derive(Debug, Clone)]
pub struct Passkey {
    pub credential_id: Vec<u8>,
    pub key: Key,
    /// The COSE_Key bytes, kept for the fingerprint.
    pub cose: Vec<u8>,
    /// The relying party id the passkey was made for, a domain such as `review.example.org`.
    pub rp_id: String,
    /// The one origin whose pages may carry its assertions, such as `https://review.example.org`.
    pub origin: String,
}

impl Passkey {
    /// Reads the policy's values: base64url credential id and COSE key, the RP id, the origin.
    pub fn parse(credential_id: &str, public_key: &str, rp_id: &str, origin: &str) -> Result<Passkey, String> {
        let credential_id = URL_SAFE_NO_PAD
            .decode(credential_id.trim())
            .map_err(|e| format!("the credential id is not unpadded base64url: {e}"))?;
        if credential_id.is_empty() {
            return Err("the credential id is empty".into());
        }
        let cose = URL_SAFE_NO_PAD
            .decode(public_key.trim())
            .map_err(|e| format!("the public key is not unpadded base64url: {e}"))?;
        let key = Key::from_cose(&cose).map_err(|e| format!("the public key is refused: {e}"))?;
        let rp_id = rp_id.trim().to_ascii_lowercase();
        if rp_id.is_empty() || rp_id.contains(['/', ':']) {
            return Err("the RP id is a domain name, such as `review.example.org`, with no scheme or port".into());
        }
        let origin = origin.trim().trim_end_matches('/').to_string();
        let parsed = url::Url::parse(&origin).map_err(|e| format!("the origin is not a URL: {e}"))?;
        let host = parsed.host_str().unwrap_or_default().to_ascii_lowercase();
        let secure = parsed.scheme() == "https" || (parsed.scheme() == "http" && host == "localhost");
        if !secure || parsed.path() != "/" || parsed.query().is_some() {
            return Err(
                "the origin is `https://HOST[:PORT]`, or `http://localhost:PORT` on the approver's own machine".into(),
            );
        }
        // WebAuthn §5.1.4.1: the RP id is the origin's host or a registrable suffix of it.
        if host != rp_id && !host.ends_with(&format!(".{rp_id}")) {
            return Err(format!(
                "the RP id `{rp_id}` is not the origin's host `{host}` or a parent domain of it"
            ));
        }
        Ok(Passkey {
            credential_id,
            key,
            cose,
            rp_id,
            // As browsers write it in clientDataJSON: lower-case host, no default port.
            origin: parsed.origin().ascii_serialization(),
        })
    }

    /// `passkey SHA256:…` of the COSE key, in the form `ssh-keygen -l` gives SSH keys, so an
    /// audit record names the key that signed whichever its kind.
    pub fn fingerprint(&self) -> String {
        format!("passkey SHA256:{}", STANDARD_NO_PAD.encode(Sha256::digest(&self.cose)))
    }
}

/// What `PLAN.APPROVER.webauthn.json` holds: the assertion exactly as the browser returned it,
/// each value unpadded base64url.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assertion {
    pub credential_id: String,
    pub authenticator_data: String,
    pub client_data_json: String,
    pub signature: String,
}

/// Why an assertion does not approve, one variant per check, so each refusal names its check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    NotBase64(&'static str),
    OtherCredential,
    ClientData(String),
    WrongType(String),
    WrongChallenge,
    WrongOrigin { got: String, want: String },
    CrossOrigin,
    ShortAuthenticatorData,
    WrongRpId(String),
    NotPresent,
    NotVerified,
    BadSignature,
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::sanitize::one_line;
        match self {
            Refused::NotBase64(what) => write!(f, "its {what} is not unpadded base64url"),
            Refused::OtherCredential => f.write_str("it was made by another passkey than the approver's"),
            Refused::ClientData(e) => write!(f, "its clientDataJSON is not valid: {}", one_line(e)),
            Refused::WrongType(t) => write!(f, "its clientDataJSON type is `{}`, not `webauthn.get`", one_line(t)),
            Refused::WrongChallenge => f.write_str("its challenge is not this plan's hash: it approves another plan"),
            Refused::WrongOrigin { got, want } => {
                write!(f, "it was made on the page at {}, not at {want}", one_line(got))
            }
            Refused::CrossOrigin => f.write_str("it was made inside a frame of another origin"),
            Refused::ShortAuthenticatorData => f.write_str("its authenticatorData is shorter than 37 bytes"),
            Refused::WrongRpId(want) => write!(f, "its rpIdHash is not the hash of the RP id `{want}`"),
            Refused::NotPresent => f.write_str("the authenticator did not see the approver present (UP flag unset)"),
            Refused::NotVerified => {
                f.write_str("the approver did not unlock the passkey with a PIN or biometric (UV flag unset)")
            }
            Refused::BadSignature => f.write_str("its signature does not verify with the approver's key"),
        }
    }
}

/// The 32 bytes a plan hash `sha256:<hex>` names: the challenge its approvals sign.
pub fn challenge_of(plan_hash: &str) -> Option<[u8; 32]> {
    let hex = plan_hash.strip_prefix("sha256:")?;
    let bytes = hex::decode(hex).ok()?;
    bytes.try_into().ok()
}

#[derive(serde::Deserialize)]
struct ClientData {
    #[serde(rename = "type")]
    kind: String,
    challenge: String,
    origin: String,
    #[serde(rename = "crossOrigin", default)]
    cross_origin: Option<bool>,
}

/// Checks that `assertion` was made by `passkey` over `challenge`, on the passkey's origin, for
/// its RP id, with the approver present and verified.
pub fn verify(passkey: &Passkey, challenge: &[u8; 32], assertion: &Assertion) -> Result<(), Refused> {
    let decode = |value: &str, what: &'static str| URL_SAFE_NO_PAD.decode(value).map_err(|_| Refused::NotBase64(what));
    let credential_id = decode(&assertion.credential_id, "credential id")?;
    let auth_data = decode(&assertion.authenticator_data, "authenticatorData")?;
    let client_data_json = decode(&assertion.client_data_json, "clientDataJSON")?;
    let signature = decode(&assertion.signature, "signature")?;
    if credential_id != passkey.credential_id {
        return Err(Refused::OtherCredential);
    }
    let client: ClientData =
        serde_json::from_slice(&client_data_json).map_err(|e| Refused::ClientData(e.to_string()))?;
    if client.kind != "webauthn.get" {
        return Err(Refused::WrongType(client.kind));
    }
    // The browser encodes the challenge as unpadded base64url (WebAuthn §5.8.1); comparing the
    // decoded bytes would accept other spellings of the same bytes, comparing text does not.
    if client.challenge != URL_SAFE_NO_PAD.encode(challenge) {
        return Err(Refused::WrongChallenge);
    }
    if client.origin != passkey.origin {
        return Err(Refused::WrongOrigin {
            got: client.origin,
            want: passkey.origin.clone(),
        });
    }
    if client.cross_origin == Some(true) {
        return Err(Refused::CrossOrigin);
    }
    if auth_data.len() < AUTH_DATA_MIN {
        return Err(Refused::ShortAuthenticatorData);
    }
    if auth_data[..32] != Sha256::digest(passkey.rp_id.as_bytes())[..] {
        return Err(Refused::WrongRpId(passkey.rp_id.clone()));
    }
    let flags = auth_data[32];
    if flags & FLAG_UP == 0 {
        return Err(Refused::NotPresent);
    }
    if flags & FLAG_UV == 0 {
        return Err(Refused::NotVerified);
    }
    let mut signed = auth_data;
    signed.extend_from_slice(&Sha256::digest(&client_data_json));
    if !passkey.key.verify(&signed, &signature) {
        return Err(Refused::BadSignature);
    }
    Ok(())
}

#[cfg(test)]
mod tests;
