//! A software passkey: what a phone's authenticator and its browser would return, made here
//! with a P-256 key, so apply's checks can be tested one spoiled field at a time. The browser
//! tests use Chromium's own virtual authenticator instead.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use coset::{CborSerializable, CoseKeyBuilder, iana};
use p256::ecdsa::SigningKey;
use sha2::{Digest, Sha256};

pub const UP: u8 = 0x01;
pub const UV: u8 = 0x04;

pub struct Authenticator {
    key: SigningKey,
    pub credential_id: Vec<u8>,
    pub rp_id: String,
    pub origin: String,
}

impl Authenticator {
    /// A passkey for `http://localhost:8750`, its key from `seed`, so each test's keys differ.
    pub fn new(seed: u8) -> Authenticator {
        let mut scalar = [seed; 32];
        scalar[0] = 1;
        Authenticator {
            key: SigningKey::from_bytes(&scalar.into()).expect("a valid scalar"),
            credential_id: format!("credential-{seed}").into_bytes(),
            rp_id: "localhost".into(),
            origin: "http://localhost:8750".into(),
        }
    }

    pub fn cose(&self) -> String {
        let point = self.key.verifying_key().to_encoded_point(false);
        let key = CoseKeyBuilder::new_ec2_pub_key(
            iana::EllipticCurve::P_256,
            point.x().expect("uncompressed").to_vec(),
            point.y().expect("uncompressed").to_vec(),
        )
        .algorithm(iana::Algorithm::ES256)
        .build();
        URL_SAFE_NO_PAD.encode(key.to_vec().expect("encodes"))
    }

    /// The `passkey = { … }` line of an `[[approvers]]` entry.
    pub fn policy_entry(&self) -> String {
        format!(
            "passkey = {{ credential_id = \"{}\", public_key = \"{}\", rp_id = \"{}\", origin = \"{}\" }}",
            URL_SAFE_NO_PAD.encode(&self.credential_id),
            self.cose(),
            self.rp_id,
            self.origin
        )
    }

    /// What `navigator.credentials.create` returns on the enrolment page whose challenge is
    /// `challenge` (base64url): `(clientDataJSON, attestationObject)`, base64url, attestation
    /// "none", the approver present and verified.
    pub fn register(&self, challenge: &str) -> (String, String) {
        use coset::cbor::value::Value;
        let client = serde_json::to_vec(&serde_json::json!({
            "type": "webauthn.create",
            "challenge": challenge,
            "origin": self.origin,
            "crossOrigin": false,
        }))
        .expect("json");
        let mut auth = Sha256::digest(self.rp_id.as_bytes()).to_vec();
        auth.push(UP | UV | 0x40);
        auth.extend_from_slice(&0u32.to_be_bytes());
        auth.extend_from_slice(&[0u8; 16]);
        auth.extend_from_slice(&(self.credential_id.len() as u16).to_be_bytes());
        auth.extend_from_slice(&self.credential_id);
        auth.extend_from_slice(&URL_SAFE_NO_PAD.decode(self.cose()).expect("base64url"));
        let object = Value::Map(vec![
            (Value::Text("fmt".into()), Value::Text("none".into())),
            (Value::Text("attStmt".into()), Value::Map(vec![])),
            (Value::Text("authData".into()), Value::Bytes(auth)),
        ]);
        let mut bytes = Vec::new();
        coset::cbor::ser::into_writer(&object, &mut bytes).expect("cbor");
        (URL_SAFE_NO_PAD.encode(client), URL_SAFE_NO_PAD.encode(bytes))
    }

    /// An approval of the plan whose hash is `plan_hash`, as the review page would write it;
    /// each field can be spoiled before [`Ceremony::json`].
    pub fn approve(&self, plan_hash: &str) -> Ceremony<'_> {
        let hex = plan_hash.strip_prefix("sha256:").expect("a plan hash");
        Ceremony {
            by: self,
            challenge: hex::decode(hex).expect("hex"),
            kind: "webauthn.get".into(),
            origin: self.origin.clone(),
            rp_id: self.rp_id.clone(),
            flags: UP | UV,
            flip_signature_byte: false,
        }
    }
}

pub struct Ceremony<'a> {
    by: &'a Authenticator,
    pub challenge: Vec<u8>,
    pub kind: String,
    pub origin: String,
    pub rp_id: String,
    pub flags: u8,
    pub flip_signature_byte: bool,
}

impl Ceremony<'_> {
    /// The content of `PLAN.NAME.webauthn.json`.
    pub fn json(&self) -> String {
        use p256::ecdsa::signature::Signer;
        let client = serde_json::to_vec(&serde_json::json!({
            "type": self.kind,
            "challenge": URL_SAFE_NO_PAD.encode(&self.challenge),
            "origin": self.origin,
            "crossOrigin": false,
        }))
        .expect("json");
        let mut auth = Sha256::digest(self.rp_id.as_bytes()).to_vec();
        auth.push(self.flags);
        auth.extend_from_slice(&1u32.to_be_bytes());
        let mut signed = auth.clone();
        signed.extend_from_slice(&Sha256::digest(&client));
        let sig: p256::ecdsa::Signature = self.by.key.sign(&signed);
        let mut sig = sig.to_der().as_bytes().to_vec();
        if self.flip_signature_byte {
            let last = sig.len() - 1;
            sig[last] ^= 0x01;
        }
        serde_json::to_string_pretty(&serde_json::json!({
            "credential_id": URL_SAFE_NO_PAD.encode(&self.by.credential_id),
            "authenticator_data": URL_SAFE_NO_PAD.encode(auth),
            "client_data_json": URL_SAFE_NO_PAD.encode(client),
            "signature": URL_SAFE_NO_PAD.encode(sig),
        }))
        .expect("json")
    }
}
