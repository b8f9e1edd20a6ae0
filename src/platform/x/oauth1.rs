//! OAuth 1.0a request signing with HMAC-SHA1 (RFC 5849), for X's user-context tokens.
//!
//! Those tokens never expire, which is why CI runners use them: nothing has to be refreshed
//! between runs, and nothing is rotated under a job that runs while another holds the old one.
//!
//! Only the `Authorization` header is produced here; the caller sends the request. What is
//! signed is exactly what RFC 5849 §3.4.1 says: the method, the base string URI, the query
//! parameters, the protocol parameters and, for an `application/x-www-form-urlencoded` body
//! only, the form parameters. A JSON body (X's v2 API) is not signed: pass no form.

use crate::redacted::Secret;
use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::Url;
use sha1::Sha1;

/// The credentials of one account on one app. The consumer key and the token are identifiers
/// that travel in every request header; the two secrets only ever key the HMAC.
#[derive(Debug, Clone)]
pub struct Keys {
    pub consumer_key: String,
    pub consumer_secret: Secret,
    pub token: String,
    pub token_secret: Secret,
}

/// RFC 5849 §3.6: everything but the unreserved characters of RFC 3986 is escaped, as
/// uppercase `%XX` of its UTF-8 bytes. Not the `application/x-www-form-urlencoded` rules: a
/// space is `%20`, never `+`, and `*` is escaped.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// Percent-encodes `text` as RFC 5849 §3.6 asks.
pub fn encode(text: &str) -> String {
    utf8_percent_encode(text, UNRESERVED).to_string()
}

/// The base string URI of RFC 5849 §3.4.1.2: scheme and host in lowercase, the port only when
/// it is not the scheme's default, the path as sent; no query, no fragment, no user info.
pub fn base_string_uri(url: &Url) -> String {
    // `Url` already lowercases the scheme and a domain host, and reports no port when the port
    // is the scheme's default: the RFC's rules are its normal form.
    let mut uri = format!("{}://{}", url.scheme(), url.host_str().unwrap_or_default());
    if let Some(port) = url.port() {
        uri.push_str(&format!(":{port}"));
    }
    uri.push_str(url.path());
    uri
}

/// The parameters of RFC 5849 §3.4.1.3.2, given decoded: each name and value encoded, sorted by
/// encoded name then encoded value (bytewise), joined as `name=value` with `&`.
pub fn normalized_parameters(params: &[(&str, &str)]) -> String {
    let mut encoded: Vec<(String, String)> = params.iter().map(|(n, v)| (encode(n), encode(v))).collect();
    encoded.sort();
    let pairs: Vec<String> = encoded.into_iter().map(|(n, v)| format!("{n}={v}")).collect();
    pairs.join("&")
}

/// The signature base string of RFC 5849 §3.4.1.1. `form` holds the decoded pairs of an
/// `application/x-www-form-urlencoded` body (empty for any other body); `protocol` the `oauth_*`
/// parameters, without `oauth_signature` and without `realm`. The query comes from `url`,
/// decoded as a form (`+` is a space), which is how §3.4.1.3.1 reads it.
pub fn signature_base_string(method: &str, url: &Url, form: &[(&str, &str)], protocol: &[(&str, &str)]) -> String {
    let query: Vec<(String, String)> = url
        .query_pairs()
        .map(|(n, v)| (n.into_owned(), v.into_owned()))
        .collect();
    let mut params: Vec<(&str, &str)> = query.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    params.extend_from_slice(form);
    params.extend_from_slice(protocol);
    format!(
        "{}&{}&{}",
        encode(&method.to_ascii_uppercase()),
        encode(&base_string_uri(url)),
        encode(&normalized_parameters(&params))
    )
}

/// The HMAC-SHA1 signature of RFC 5849 §3.4.2, base64-encoded (not yet percent-encoded). The
/// key is `enc(consumer_secret)&enc(token_secret)`, the `&` present even when a secret is empty.
pub fn hmac_sha1(base_string: &str, consumer_secret: &Secret, token_secret: &Secret) -> String {
    // The key holds both secrets in clear: it is wiped when dropped, like the secrets.
    let key = zeroize::Zeroizing::new(format!(
        "{}&{}",
        encode(consumer_secret.expose()),
        encode(token_secret.expose())
    ));
    // HMAC takes a key of any length (longer ones are hashed first, RFC 2104 §2): this
    // constructor cannot fail.
    let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(key.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
    mac.update(base_string.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// The `Authorization` header value for a request, with the nonce and timestamp given: for
/// tests and for anyone who must reproduce a signature. See [`authorization`].
pub fn authorization_at(
    keys: &Keys,
    method: &str,
    url: &Url,
    form: &[(&str, &str)],
    nonce: &str,
    timestamp: u64,
) -> String {
    let timestamp = timestamp.to_string();
    // `oauth_version` is optional in RFC 5849 (§3.1) but X's own examples send it, so X is
    // sure to accept it; it is signed like the others.
    let mut protocol = vec![
        ("oauth_consumer_key", keys.consumer_key.as_str()),
        ("oauth_nonce", nonce),
        ("oauth_signature_method", "HMAC-SHA1"),
        ("oauth_timestamp", timestamp.as_str()),
        ("oauth_version", "1.0"),
    ];
    // RFC 5849 §2.1 lets a request made with the client credentials alone leave it out.
    if !keys.token.is_empty() {
        protocol.push(("oauth_token", keys.token.as_str()));
    }
    let base = signature_base_string(method, url, form, &protocol);
    let signature = hmac_sha1(&base, &keys.consumer_secret, &keys.token_secret);
    protocol.push(("oauth_signature", signature.as_str()));
    protocol.sort();
    // RFC 5849 §3.5.1: `name="value"` pairs, both encoded, separated by commas.
    let fields: Vec<String> = protocol
        .iter()
        .map(|(n, v)| format!("{}=\"{}\"", encode(n), encode(v)))
        .collect();
    format!("OAuth {}", fields.join(", "))
}

/// The `Authorization` header value for a request, with a fresh nonce and the current time.
/// `url` is the URL the request goes to, query included: a parameter added to the request
/// after signing makes X refuse it. `form` is the decoded body of an
/// `application/x-www-form-urlencoded` request, and must be sent as it is given here; for any
/// other body (JSON), pass `&[]`.
pub fn authorization(keys: &Keys, method: &str, url: &Url, form: &[(&str, &str)]) -> String {
    // A clock before 1970 is broken beyond what a signature can fix: X answers with its own
    // clock-skew error, which says more than anything said here.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    authorization_at(keys, method, url, form, &nonce(), now)
}

/// A nonce of 128 random bits, hex-encoded: unique per request (RFC 5849 §3.3), and made of
/// letters and digits only, which X's documentation asks for.
pub fn nonce() -> String {
    let mut bytes = [0u8; 16];
    // A signature with a predictable nonce is replayable: without the system's random source
    // there is no safe way on, so this stops the program rather than sign with a weak one.
    getrandom::fill(&mut bytes).unwrap_or_else(|e| panic!("the system's random source failed: {e}"));
    hex::encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).expect("test URLs parse")
    }

    fn secret(text: &str) -> Secret {
        Secret::new(text.into())
    }

    /// RFC 5849 §3.6, with the cases where form encoding differs: space, `+`, `*`, `~`, UTF-8.
    #[test]
    fn encoding_escapes_all_but_the_unreserved_set_in_uppercase_hex() {
        assert_eq!(encode("AZaz09-._~"), "AZaz09-._~");
        assert_eq!(encode("a b+c*d"), "a%20b%2Bc%2Ad");
        assert_eq!(encode("=%3D"), "%3D%253D");
        assert_eq!(encode("é☃"), "%C3%A9%E2%98%83");
        assert_eq!(encode("/?&=:@!'()"), "%2F%3F%26%3D%3A%40%21%27%28%29");
    }

    /// RFC 5849 §3.4.1.2's two examples, and the parts a URL may carry that are never signed.
    #[test]
    fn the_base_string_uri_drops_default_ports_query_fragment_and_user_info() {
        assert_eq!(
            base_string_uri(&url("HTTP://EXAMPLE.COM:80/r%20v/X?id=123")),
            "http://example.com/r%20v/X"
        );
        assert_eq!(
            base_string_uri(&url("https://www.example.net:8080/?q=1")),
            "https://www.example.net:8080/"
        );
        assert_eq!(
            base_string_uri(&url("https://api.x.com:443/2/tweets#top")),
            "https://api.x.com/2/tweets"
        );
        assert_eq!(
            base_string_uri(&url("https://user:pw@Api.X.com/2/tweets")),
            "https://api.x.com/2/tweets"
        );
        assert_eq!(
            base_string_uri(&url("http://example.com:443/")),
            "http://example.com:443/"
        );
    }

    /// RFC 5849 §3.4.1.1 (String Construction) and §3.4.1.3: the request
    /// `POST /request?b5=%3D%253D&a3=a&c%40=&a2=r%20b` with the form body `c2&a3=2+q`, and its
    /// published base string (printed over several lines in the RFC, joined here).
    #[test]
    fn rfc_5849_string_construction_example() {
        let request = url("http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b");
        // The body `c2&a3=2+q`, decoded: `+` is a space in a form.
        let form = [("c2", ""), ("a3", "2 q")];
        let protocol = [
            ("oauth_consumer_key", "9djdj82h48djs9d2"),
            ("oauth_token", "kkk9d7dh3k39sjv7"),
            ("oauth_signature_method", "HMAC-SHA1"),
            ("oauth_timestamp", "137131201"),
            ("oauth_nonce", "7d8f3e4a"),
        ];
        let expected = concat!(
            "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q",
            "%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_",
            "key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_m",
            "ethod%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk",
            "9d7dh3k39sjv7"
        );
        assert_eq!(signature_base_string("post", &request, &form, &protocol), expected);
        // §3.4.1.3.2's normalized parameters of the same request, before the last encoding.
        let mut all: Vec<(&str, &str)> = vec![("b5", "=%3D"), ("a3", "a"), ("c@", ""), ("a2", "r b")];
        all.extend_from_slice(&protocol);
        all.extend_from_slice(&form);
        assert_eq!(
            normalized_parameters(&all),
            "a2=r%20b&a3=2%20q&a3=a&b5=%3D%253D&c%40=&c2=&oauth_consumer_key=9djdj82h48djs9d2\
             &oauth_nonce=7d8f3e4a&oauth_signature_method=HMAC-SHA1&oauth_timestamp=137131201\
             &oauth_token=kkk9d7dh3k39sjv7"
        );
    }

    /// RFC 5849 §1.2: Jane's printer fetches `GET /photos?file=vacation.jpg&size=original` from
    /// photos.example.net with the token credentials `nnch734d00sl2jdk`/`pfkkdhi9sl3r4s00`; the
    /// RFC prints the signature as `MdpQcU8iPSUjWoN%2FUDMsK2sui9I%3D` in the header. It is the
    /// signature of the `http` base string URI; the request sends no `oauth_version`, so the
    /// protocol parameters are given here as the RFC has them.
    #[test]
    fn rfc_5849_photos_example_signature() {
        let request = url("http://photos.example.net/photos?file=vacation.jpg&size=original");
        let protocol = [
            ("oauth_consumer_key", "dpf43f3p2l4k3l03"),
            ("oauth_token", "nnch734d00sl2jdk"),
            ("oauth_signature_method", "HMAC-SHA1"),
            ("oauth_timestamp", "137131202"),
            ("oauth_nonce", "chapoH"),
        ];
        let base = signature_base_string("GET", &request, &[], &protocol);
        assert_eq!(
            base,
            "GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg%26oauth_consumer_key\
             %3Ddpf43f3p2l4k3l03%26oauth_nonce%3DchapoH%26oauth_signature_method%3DHMAC-SHA1\
             %26oauth_timestamp%3D137131202%26oauth_token%3Dnnch734d00sl2jdk%26size%3Doriginal"
        );
        let signature = hmac_sha1(&base, &secret("kd94hf93k423kf44"), &secret("pfkkdhi9sl3r4s00"));
        assert_eq!(signature, "MdpQcU8iPSUjWoN/UDMsK2sui9I=");
        assert_eq!(encode(&signature), "MdpQcU8iPSUjWoN%2FUDMsK2sui9I%3D");
    }

    fn x_doc_keys() -> Keys {
        Keys {
            consumer_key: "xvz1evFS4wEEPTGEFPHBog".into(),
            consumer_secret: secret("kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw"),
            token: "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb".into(),
            token_secret: secret("LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE"),
        }
    }

    /// X's "Creating a signature" page (developer.x.com, Authentication > OAuth 1.0a): a POST
    /// of `status=Hello Ladies + Gentlemen, a signed OAuth request!` as a form, with
    /// `include_entities=true` in the query, nonce `kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg`,
    /// timestamp 1318622958, documented signature `hCtSmYh+iHYCEqBWrE7C7hYmtUk=`. The page now
    /// names the host api.x.com, but that signature is the one of the api.twitter.com base URL
    /// that its earlier versions (developer.twitter.com) name: the host is part of what is
    /// signed, and with api.x.com the signature differs.
    #[test]
    fn x_documented_signature_example() {
        let keys = x_doc_keys();
        let request = url("https://api.twitter.com/1.1/statuses/update.json?include_entities=true");
        let form = [("status", "Hello Ladies + Gentlemen, a signed OAuth request!")];
        let header = authorization_at(
            &keys,
            "POST",
            &request,
            &form,
            "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg",
            1318622958,
        );
        assert_eq!(
            header,
            "OAuth oauth_consumer_key=\"xvz1evFS4wEEPTGEFPHBog\", \
             oauth_nonce=\"kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg\", \
             oauth_signature=\"hCtSmYh%2BiHYCEqBWrE7C7hYmtUk%3D\", \
             oauth_signature_method=\"HMAC-SHA1\", oauth_timestamp=\"1318622958\", \
             oauth_token=\"370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb\", oauth_version=\"1.0\""
        );
        // The same page's signing key and parameter string, step by step.
        let protocol = [
            ("oauth_consumer_key", "xvz1evFS4wEEPTGEFPHBog"),
            ("oauth_nonce", "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg"),
            ("oauth_signature_method", "HMAC-SHA1"),
            ("oauth_timestamp", "1318622958"),
            ("oauth_token", "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb"),
            ("oauth_version", "1.0"),
        ];
        let base = signature_base_string("POST", &request, &form, &protocol);
        assert!(base.starts_with(
            "POST&https%3A%2F%2Fapi.twitter.com%2F1.1%2Fstatuses%2Fupdate.json&include_entities%3Dtrue%26"
        ));
        assert!(base.ends_with(
            "%26status%3DHello%2520Ladies%2520%252B%2520Gentlemen%252C%2520a%2520signed%2520OAuth%2520request%2521"
        ));
    }

    /// Each signed part changes the signature: method, host, path, query, form, secrets.
    #[test]
    fn every_signed_part_changes_the_signature() {
        let keys = x_doc_keys();
        let at = |keys: &Keys, method: &str, u: &str, form: &[(&str, &str)]| {
            authorization_at(keys, method, &url(u), form, "n", 1)
        };
        let base = at(&keys, "POST", "https://api.x.com/2/tweets", &[]);
        assert_ne!(base, at(&keys, "GET", "https://api.x.com/2/tweets", &[]));
        assert_ne!(base, at(&keys, "POST", "https://upload.x.com/2/tweets", &[]));
        assert_ne!(base, at(&keys, "POST", "https://api.x.com/2/users/me", &[]));
        assert_ne!(base, at(&keys, "POST", "https://api.x.com/2/tweets?a=1", &[]));
        assert_ne!(base, at(&keys, "POST", "https://api.x.com/2/tweets", &[("a", "1")]));
        let mut other = keys.clone();
        other.token_secret = secret("another");
        assert_ne!(base, at(&other, "POST", "https://api.x.com/2/tweets", &[]));
        // What is not signed does not change it.
        assert_eq!(base, at(&keys, "POST", "https://API.X.COM:443/2/tweets#f", &[]));
    }

    #[test]
    fn fresh_headers_differ_and_secrets_never_show() {
        let keys = x_doc_keys();
        let request = url("https://api.x.com/2/tweets");
        let a = authorization(&keys, "POST", &request, &[]);
        let b = authorization(&keys, "POST", &request, &[]);
        assert_ne!(a, b, "two requests share a nonce");
        for shown in [a.clone(), format!("{keys:?}")] {
            assert!(
                !shown.contains("kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw"),
                "{shown}"
            );
            assert!(!shown.contains("LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE"), "{shown}");
        }
        assert!(format!("{keys:?}").contains("(redacted)"));
        let n = nonce();
        assert_eq!(n.len(), 32);
        assert!(n.bytes().all(|b| b.is_ascii_hexdigit()));
    }
}
