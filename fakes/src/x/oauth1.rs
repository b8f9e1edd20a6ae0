//! OAuth 1.0a request verification (RFC 5849), HMAC-SHA1 only, written for the fake from the
//! RFC and X's "Authorizing a request" / "Creating a signature" pages
//! (docs.x.com `resources/fundamentals/authentication/oauth-1-0a/...`). It shares no code with
//! postgate's signer, so each checks the other.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha1::Sha1;

use crate::http::{Request, parse_form, percent_decode, percent_encode};

/// The `oauth_*` parameters of an `Authorization: OAuth ...` header (RFC 5849 §3.5.1), decoded.
/// `realm` is dropped: it is not signed (§3.4.1.3.1).
pub fn header_params(authorization: &str) -> Option<Vec<(String, String)>> {
    let rest = authorization.trim();
    let rest = rest.strip_prefix("OAuth ").or_else(|| rest.strip_prefix("oauth "))?;
    let mut out = Vec::new();
    for item in rest.split(',') {
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        let (k, v) = item.split_once('=')?;
        let v = v.trim().strip_prefix('"')?.strip_suffix('"')?;
        let k = percent_decode(k.trim());
        if k != "realm" {
            out.push((k, percent_decode(v)));
        }
    }
    Some(out)
}

/// The signature base string (RFC 5849 §3.4.1): method, base string URI, and the normalized
/// parameters from the query, a form body (only when the body is
/// `application/x-www-form-urlencoded`, §3.4.1.3.1) and the header's `oauth_*` except
/// `oauth_signature`.
pub fn base_string(request: &Request, oauth: &[(String, String)]) -> String {
    let host = request.header("host").unwrap_or("localhost").to_ascii_lowercase();
    // §3.4.1.2: the default port is left out.
    let host = host.strip_suffix(":80").unwrap_or(&host);
    let uri = format!("http://{host}{}", request.path);
    let mut params: Vec<(String, String)> = request.query_pairs();
    if request.content_type() == "application/x-www-form-urlencoded" {
        params.extend(parse_form(&String::from_utf8_lossy(&request.body)));
    }
    params.extend(oauth.iter().filter(|(k, _)| k != "oauth_signature").cloned());
    // §3.4.1.3.2: encode, then sort by name and by value.
    let mut encoded: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| (percent_encode(k), percent_encode(v)))
        .collect();
    encoded.sort();
    let normalized = encoded
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    format!(
        "{}&{}&{}",
        request.method.to_ascii_uppercase(),
        percent_encode(&uri),
        percent_encode(&normalized)
    )
}

/// HMAC-SHA1 of the base string with `consumer_secret&token_secret` (§3.4.2), base64.
pub fn sign(base: &str, consumer_secret: &str, token_secret: &str) -> String {
    let key = format!("{}&{}", percent_encode(consumer_secret), percent_encode(token_secret));
    let mut mac = Hmac::<Sha1>::new_from_slice(key.as_bytes()).expect("any key length");
    mac.update(base.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// Checks the signature in constant time.
pub fn signature_matches(base: &str, consumer_secret: &str, token_secret: &str, given: &str) -> bool {
    let Ok(given) = base64::engine::general_purpose::STANDARD.decode(given) else {
        return false;
    };
    let key = format!("{}&{}", percent_encode(consumer_secret), percent_encode(token_secret));
    let mut mac = Hmac::<Sha1>::new_from_slice(key.as_bytes()).expect("any key length");
    mac.update(base.as_bytes());
    mac.verify_slice(&given).is_ok()
}

/// What a signed request claims, once its header has been read.
#[derive(Debug, Clone, PartialEq)]
pub struct Claims {
    pub consumer_key: String,
    pub token: String,
    pub nonce: String,
    pub timestamp: i64,
    pub signature: String,
}

/// Reads the required `oauth_*` parameters (§3.1), or says which is wrong.
pub fn claims(oauth: &[(String, String)]) -> Result<Claims, String> {
    let get = |k: &str| {
        oauth
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .ok_or_else(|| format!("{k} is missing"))
    };
    let method = get("oauth_signature_method")?;
    if method != "HMAC-SHA1" {
        return Err(format!("oauth_signature_method {method} is not supported"));
    }
    if let Ok(v) = get("oauth_version")
        && v != "1.0"
    {
        return Err(format!("oauth_version {v} is not 1.0"));
    }
    Ok(Claims {
        consumer_key: get("oauth_consumer_key")?,
        token: get("oauth_token")?,
        nonce: get("oauth_nonce")?,
        timestamp: get("oauth_timestamp")?
            .parse()
            .map_err(|_| "oauth_timestamp is not a number".to_string())?,
        signature: get("oauth_signature")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(method: &str, host: &str, target: &str, ct: &str, body: &str) -> Request {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        Request {
            method: method.into(),
            path: path.into(),
            query: query.into(),
            headers: vec![("host".into(), host.into()), ("content-type".into(), ct.into())],
            body: body.as_bytes().to_vec(),
        }
    }

    /// RFC 5849 §3.4.1.1: the published example request and its signature base string.
    #[test]
    fn base_string_of_rfc_5849_example() {
        let r = request(
            "POST",
            "example.com",
            "/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b",
            "application/x-www-form-urlencoded",
            "c2&a3=2+q",
        );
        let oauth = header_params(
            r#"OAuth realm="Example", oauth_consumer_key="9djdj82h48djs9d2", oauth_token="kkk9d7dh3k39sjv7", oauth_signature_method="HMAC-SHA1", oauth_timestamp="137131201", oauth_nonce="7d8f3e4a", oauth_signature="djosJKDKJSD8743243%2Fjdk33klY%3D""#,
        )
        .unwrap();
        assert_eq!(
            base_string(&r, &oauth),
            "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q\
             %26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_\
             key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_m\
             ethod%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk\
             9d7dh3k39sjv7"
        );
        let c = claims(&oauth).unwrap();
        assert_eq!(c.consumer_key, "9djdj82h48djs9d2");
        assert_eq!(c.timestamp, 137131201);
        // A JSON body is not part of the signature (§3.4.1.3.1): only form bodies are.
        let json = request("POST", "example.com", "/request", "application/json", "c2&a3=2+q");
        assert!(!base_string(&json, &oauth).contains("c2"));
    }

    /// RFC 5849 §1.2's worked example (the photo request, signed with HMAC-SHA1).
    #[test]
    fn signature_of_rfc_5849_photos_example() {
        let r = request(
            "GET",
            "photos.example.net",
            "/photos?file=vacation.jpg&size=original",
            "",
            "",
        );
        let oauth = header_params(
            r#"OAuth realm="Photos", oauth_consumer_key="dpf43f3p2l4k3l03", oauth_token="nnch734d00sl2jdk", oauth_signature_method="HMAC-SHA1", oauth_timestamp="137131202", oauth_nonce="chapoH", oauth_signature="MdpQcU8iPSUjWoN%2FUDMsK2sui9I%3D""#,
        )
        .unwrap();
        let base = base_string(&r, &oauth);
        assert_eq!(
            base,
            "GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg%26\
             oauth_consumer_key%3Ddpf43f3p2l4k3l03%26oauth_nonce%3DchapoH%26oauth\
             _signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131202%26oauth_\
             token%3Dnnch734d00sl2jdk%26size%3Doriginal"
        );
        assert_eq!(
            sign(&base, "kd94hf93k423kf44", "pfkkdhi9sl3r4s00"),
            "MdpQcU8iPSUjWoN/UDMsK2sui9I="
        );
        let c = claims(&oauth).unwrap();
        assert!(signature_matches(
            &base,
            "kd94hf93k423kf44",
            "pfkkdhi9sl3r4s00",
            &c.signature
        ));
        assert!(!signature_matches(&base, "kd94hf93k423kf44", "wrong", &c.signature));
    }

    #[test]
    fn claims_need_hmac_sha1_and_every_parameter() {
        let oauth = header_params(r#"OAuth oauth_consumer_key="a", oauth_signature_method="PLAINTEXT""#).unwrap();
        assert!(claims(&oauth).unwrap_err().contains("PLAINTEXT"));
        let oauth = header_params(r#"OAuth oauth_consumer_key="a", oauth_signature_method="HMAC-SHA1""#).unwrap();
        assert!(claims(&oauth).is_err());
        assert!(header_params("Bearer abc").is_none());
    }
}
