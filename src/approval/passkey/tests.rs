//! The verifier against assertions made here with fixed test keys. P-256 ECDSA signing is
//! deterministic (RFC 6979) and Ed25519 always is, so every assertion below is the same bytes at
//! every run.

use super::*;
use coset::CoseKeyBuilder;
use coset::cbor::value::Value;

const ORIGIN: &str = "https://review.example.org";
const RP_ID: &str = "review.example.org";
const PLAN_HASH: &str = "sha256:5f2b2d0c9a0e6c5c1f1e4d3b2a19080706050403020100ffeeddccbbaa998877";
const CREDENTIAL: &[u8] = b"credential-of-the-secretary-general";

fn es256_signer() -> p256::ecdsa::SigningKey {
    p256::ecdsa::SigningKey::from_bytes(&[7u8; 32].into()).expect("a valid scalar")
}

fn ed25519_signer() -> ed25519_dalek::SigningKey {
    ed25519_dalek::SigningKey::from_bytes(&[9u8; 32])
}

fn es256_cose() -> Vec<u8> {
    let point = es256_signer().verifying_key().to_encoded_point(false);
    let x = point.x().expect("uncompressed").to_vec();
    let y = point.y().expect("uncompressed").to_vec();
    CoseKeyBuilder::new_ec2_pub_key(iana::EllipticCurve::P_256, x, y)
        .algorithm(iana::Algorithm::ES256)
        .build()
        .to_vec()
        .expect("encodes")
}

fn ed25519_cose() -> Vec<u8> {
    let public = ed25519_signer().verifying_key().to_bytes().to_vec();
    CoseKeyBuilder::new_okp_key()
        .param(
            iana::OkpKeyParameter::Crv as i64,
            Value::from(iana::EllipticCurve::Ed25519 as i64),
        )
        .param(iana::OkpKeyParameter::X as i64, Value::Bytes(public))
        .algorithm(iana::Algorithm::EdDSA)
        .build()
        .to_vec()
        .expect("encodes")
}

fn passkey(cose: &[u8]) -> Passkey {
    Passkey::parse(
        &URL_SAFE_NO_PAD.encode(CREDENTIAL),
        &URL_SAFE_NO_PAD.encode(cose),
        RP_ID,
        ORIGIN,
    )
    .expect("a valid passkey")
}

/// What a browser and authenticator would return; each field can be spoiled by a test.
struct Ceremony {
    kind: &'static str,
    challenge: [u8; 32],
    origin: &'static str,
    rp_id: &'static str,
    flags: u8,
}

impl Default for Ceremony {
    fn default() -> Self {
        Ceremony {
            kind: "webauthn.get",
            challenge: challenge_of(PLAN_HASH).expect("a plan hash"),
            origin: ORIGIN,
            rp_id: RP_ID,
            flags: FLAG_UP | FLAG_UV,
        }
    }
}

impl Ceremony {
    fn parts(&self) -> (Vec<u8>, Vec<u8>) {
        let client = serde_json::json!({
            "type": self.kind,
            "challenge": URL_SAFE_NO_PAD.encode(self.challenge),
            "origin": self.origin,
            "crossOrigin": false,
        });
        let client = serde_json::to_vec(&client).expect("json");
        let mut auth = Sha256::digest(self.rp_id.as_bytes()).to_vec();
        auth.push(self.flags);
        auth.extend_from_slice(&41u32.to_be_bytes());
        (auth, client)
    }

    fn assertion(auth: Vec<u8>, client: Vec<u8>, signature: &[u8]) -> Assertion {
        Assertion {
            credential_id: URL_SAFE_NO_PAD.encode(CREDENTIAL),
            authenticator_data: URL_SAFE_NO_PAD.encode(auth),
            client_data_json: URL_SAFE_NO_PAD.encode(client),
            signature: URL_SAFE_NO_PAD.encode(signature),
        }
    }

    fn signed_input(auth: &[u8], client: &[u8]) -> Vec<u8> {
        let mut m = auth.to_vec();
        m.extend_from_slice(&Sha256::digest(client));
        m
    }

    fn es256(&self) -> Assertion {
        use p256::ecdsa::signature::Signer;
        let (auth, client) = self.parts();
        let sig: p256::ecdsa::Signature = es256_signer().sign(&Self::signed_input(&auth, &client));
        Self::assertion(auth, client, sig.to_der().as_bytes())
    }

    fn ed25519(&self) -> Assertion {
        use ed25519_dalek::Signer;
        let (auth, client) = self.parts();
        let sig = ed25519_signer().sign(&Self::signed_input(&auth, &client));
        Self::assertion(auth, client, &sig.to_bytes())
    }
}

fn challenge() -> [u8; 32] {
    challenge_of(PLAN_HASH).expect("a plan hash")
}

#[test]
fn a_good_es256_assertion_verifies() {
    assert_eq!(
        verify(&passkey(&es256_cose()), &challenge(), &Ceremony::default().es256()),
        Ok(())
    );
}

#[test]
fn a_good_eddsa_assertion_verifies() {
    let pk = passkey(&ed25519_cose());
    assert_eq!(pk.key.algorithm(), "EdDSA");
    assert_eq!(verify(&pk, &challenge(), &Ceremony::default().ed25519()), Ok(()));
}

#[test]
fn the_assertion_is_the_same_bytes_at_every_run() {
    // RFC 6979: a fixed key and message give a fixed signature, so these tests are fixed vectors.
    assert_eq!(Ceremony::default().es256(), Ceremony::default().es256());
}

#[test]
fn an_assertion_for_another_plan_is_refused() {
    let other =
        challenge_of("sha256:0000000000000000000000000000000000000000000000000000000000000001").expect("a plan hash");
    let a = Ceremony {
        challenge: other,
        ..Ceremony::default()
    }
    .es256();
    assert_eq!(
        verify(&passkey(&es256_cose()), &challenge(), &a),
        Err(Refused::WrongChallenge)
    );
}

#[test]
fn a_registration_passed_as_an_assertion_is_refused() {
    let a = Ceremony {
        kind: "webauthn.create",
        ..Ceremony::default()
    }
    .es256();
    assert_eq!(
        verify(&passkey(&es256_cose()), &challenge(), &a),
        Err(Refused::WrongType("webauthn.create".into()))
    );
}

#[test]
fn another_origin_is_refused() {
    let a = Ceremony {
        origin: "https://review.example.org.evil.test",
        ..Ceremony::default()
    }
    .es256();
    assert!(matches!(
        verify(&passkey(&es256_cose()), &challenge(), &a),
        Err(Refused::WrongOrigin { .. })
    ));
}

#[test]
fn an_rp_id_hash_for_another_rp_is_refused() {
    let a = Ceremony {
        rp_id: "example.org",
        ..Ceremony::default()
    }
    .es256();
    assert_eq!(
        verify(&passkey(&es256_cose()), &challenge(), &a),
        Err(Refused::WrongRpId(RP_ID.into()))
    );
}

#[test]
fn user_verification_unset_is_refused() {
    let a = Ceremony {
        flags: FLAG_UP,
        ..Ceremony::default()
    }
    .es256();
    assert_eq!(
        verify(&passkey(&es256_cose()), &challenge(), &a),
        Err(Refused::NotVerified)
    );
}

#[test]
fn user_presence_unset_is_refused() {
    let a = Ceremony {
        flags: FLAG_UV,
        ..Ceremony::default()
    }
    .es256();
    assert_eq!(
        verify(&passkey(&es256_cose()), &challenge(), &a),
        Err(Refused::NotPresent)
    );
}

#[test]
fn a_signature_with_one_byte_changed_is_refused() {
    let mut a = Ceremony::default().es256();
    let mut sig = URL_SAFE_NO_PAD.decode(&a.signature).expect("b64");
    let last = sig.len() - 1;
    sig[last] ^= 0x01;
    a.signature = URL_SAFE_NO_PAD.encode(sig);
    assert_eq!(
        verify(&passkey(&es256_cose()), &challenge(), &a),
        Err(Refused::BadSignature)
    );
}

#[test]
fn authenticator_data_changed_after_signing_is_refused() {
    // Flags and counter are signed: setting UV afterwards does not make an unverified assertion
    // pass.
    let mut a = Ceremony {
        flags: FLAG_UP,
        ..Ceremony::default()
    }
    .es256();
    let mut auth = URL_SAFE_NO_PAD.decode(&a.authenticator_data).expect("b64");
    auth[32] |= FLAG_UV;
    a.authenticator_data = URL_SAFE_NO_PAD.encode(auth);
    assert_eq!(
        verify(&passkey(&es256_cose()), &challenge(), &a),
        Err(Refused::BadSignature)
    );
}

#[test]
fn another_key_is_refused() {
    // Made by the Ed25519 key, checked against the approver's P-256 key.
    let a = Ceremony::default().ed25519();
    assert_eq!(
        verify(&passkey(&es256_cose()), &challenge(), &a),
        Err(Refused::BadSignature)
    );
}

#[test]
fn another_credential_is_refused() {
    let mut a = Ceremony::default().es256();
    a.credential_id = URL_SAFE_NO_PAD.encode(b"someone-else");
    assert_eq!(
        verify(&passkey(&es256_cose()), &challenge(), &a),
        Err(Refused::OtherCredential)
    );
}

#[test]
fn padded_or_standard_base64_is_refused() {
    let mut a = Ceremony::default().es256();
    a.signature.push('=');
    assert_eq!(
        verify(&passkey(&es256_cose()), &challenge(), &a),
        Err(Refused::NotBase64("signature"))
    );
}

#[test]
fn a_truncated_authenticator_data_is_refused_without_panic() {
    let mut a = Ceremony::default().es256();
    a.authenticator_data = URL_SAFE_NO_PAD.encode([0u8; 10]);
    assert_eq!(
        verify(&passkey(&es256_cose()), &challenge(), &a),
        Err(Refused::ShortAuthenticatorData)
    );
}

#[test]
fn the_policy_values_are_checked() {
    let id = URL_SAFE_NO_PAD.encode(CREDENTIAL);
    let key = URL_SAFE_NO_PAD.encode(es256_cose());
    let err = |rp: &str, origin: &str| Passkey::parse(&id, &key, rp, origin).expect_err("refused");
    assert!(err(RP_ID, "http://review.example.org").contains("https"));
    assert!(err("example.net", ORIGIN).contains("not the origin's host"));
    assert!(err("https://review.example.org", ORIGIN).contains("domain name"));
    assert!(
        Passkey::parse(&id, &key, "example.org", ORIGIN).is_ok(),
        "a parent domain is a valid RP id"
    );
    assert!(Passkey::parse(&id, &key, "localhost", "http://localhost:8750").is_ok());
    let bad = Passkey::parse(&id, &URL_SAFE_NO_PAD.encode(b"not cbor"), RP_ID, ORIGIN).expect_err("refused");
    assert!(bad.contains("public key"), "{bad}");
}

#[test]
fn a_cose_key_on_another_curve_is_refused() {
    let point = es256_signer().verifying_key().to_encoded_point(false);
    let cose = CoseKeyBuilder::new_ec2_pub_key(
        iana::EllipticCurve::P_384,
        point.x().expect("x").to_vec(),
        point.y().expect("y").to_vec(),
    )
    .build()
    .to_vec()
    .expect("encodes");
    let e = Key::from_cose(&cose).expect_err("refused");
    assert!(e.contains("not P-256"), "{e}");
}

#[test]
fn the_fingerprint_names_the_kind_and_the_key() {
    let a = passkey(&es256_cose()).fingerprint();
    let b = passkey(&ed25519_cose()).fingerprint();
    assert!(a.starts_with("passkey SHA256:"), "{a}");
    assert_ne!(a, b);
}

#[test]
fn a_plan_hash_gives_its_32_bytes() {
    assert_eq!(challenge_of(PLAN_HASH).map(|c| c[0]), Some(0x5f));
    assert_eq!(challenge_of("sha256:abcd"), None);
    assert_eq!(challenge_of("md5:00"), None);
}
