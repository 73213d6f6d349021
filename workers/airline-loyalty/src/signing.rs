//! How other services authenticate to the loyalty REST API: HMAC-SHA256 over the method,
//! path, a timestamp and the body's digest, with a shared secret distinct from any user
//! credential. Requests older or newer than the replay window are refused, and the
//! signature is compared in constant time.
//!
//! ```text
//! X-Airline-Key-Id:    billing
//! X-Airline-Timestamp: 1796000000
//! X-Airline-Signature: hex(HMAC-SHA256(secret, "v1\nGET\n/loyalty/acct_1\n1796000000\n" + hex(SHA-256(body))))
//! ```

use hmac::{Hmac, Mac};
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

pub const KEY_ID_HEADER: &str = "X-Airline-Key-Id";
pub const TIMESTAMP_HEADER: &str = "X-Airline-Timestamp";
pub const SIGNATURE_HEADER: &str = "X-Airline-Signature";

/// How far a request's timestamp may be from now, either way (clock skew included).
pub const REPLAY_WINDOW_SECONDS: i64 = 300;

/// The services allowed to call, each with its secret: `id:secret` entries separated by
/// commas (several, so a secret can rotate without downtime).
#[derive(Clone)]
pub struct ServiceKeys {
    keys: Vec<(String, Vec<u8>)>,
}

impl std::fmt::Debug for ServiceKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids: Vec<&str> = self.keys.iter().map(|(id, _)| id.as_str()).collect();
        f.debug_struct("ServiceKeys").field("ids", &ids).finish()
    }
}

impl ServiceKeys {
    /// Secrets must be at least 32 characters: short shared secrets can be guessed.
    pub fn parse(text: &str) -> Result<Self, String> {
        let keys = text
            .split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(|entry| {
                let (id, secret) = entry
                    .split_once(':')
                    .ok_or_else(|| "each entry is `id:secret`".to_owned())?;
                if id.is_empty()
                    || !id
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                {
                    return Err(format!("`{id}` is not a key id (letters, digits, - or _)"));
                }
                if secret.len() < 32 {
                    return Err(format!(
                        "the secret of `{id}` is shorter than 32 characters"
                    ));
                }
                Ok((id.to_owned(), secret.as_bytes().to_vec()))
            })
            .collect::<Result<Vec<_>, String>>()?;
        if keys.is_empty() {
            return Err("no service keys".to_owned());
        }
        Ok(Self { keys })
    }

    /// Checks a request's signature headers; the calling service's key id when valid.
    pub fn verify(
        &self,
        request: &SignedRequest<'_>,
        now_unix: i64,
    ) -> Result<String, SignatureError> {
        let key_id = request.key_id.ok_or(SignatureError::Missing)?;
        let timestamp = request.timestamp.ok_or(SignatureError::Missing)?;
        let signature = request.signature.ok_or(SignatureError::Missing)?;
        let timestamp: i64 = timestamp
            .trim()
            .parse()
            .map_err(|_| SignatureError::Malformed)?;
        let given = decode_hex(signature.trim()).ok_or(SignatureError::Malformed)?;
        let secret = self
            .keys
            .iter()
            .find(|(id, _)| id == key_id.trim())
            .map(|(_, secret)| secret)
            .ok_or(SignatureError::UnknownKey)?;
        if (now_unix - timestamp).abs() > REPLAY_WINDOW_SECONDS {
            return Err(SignatureError::OutsideWindow);
        }
        let expected = signature_bytes(
            secret,
            request.method,
            request.path,
            timestamp,
            request.body,
        );
        if expected.ct_eq(&given).into() {
            Ok(key_id.trim().to_owned())
        } else {
            Err(SignatureError::BadSignature)
        }
    }
}

/// What a request carries, as received.
pub struct SignedRequest<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub body: &'a [u8],
    pub key_id: Option<&'a str>,
    pub timestamp: Option<&'a str>,
    pub signature: Option<&'a str>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureError {
    Missing,
    Malformed,
    UnknownKey,
    /// Older or newer than the replay window.
    OutsideWindow,
    BadSignature,
}

impl std::fmt::Display for SignatureError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SignatureError::Missing => "the request is not signed",
            SignatureError::Malformed => "the signature headers are malformed",
            SignatureError::UnknownKey => "the key id is not known",
            SignatureError::OutsideWindow => "the request's timestamp is outside the replay window",
            SignatureError::BadSignature => "the signature does not match",
        })
    }
}

impl std::error::Error for SignatureError {}

/// The three headers a caller sends, for `secret` at `timestamp` (for clients and tests).
pub fn sign(
    key_id: &str,
    secret: &str,
    method: &str,
    path: &str,
    body: &[u8],
    timestamp: i64,
) -> [(&'static str, String); 3] {
    let signature = signature_bytes(secret.as_bytes(), method, path, timestamp, body);
    [
        (KEY_ID_HEADER, key_id.to_owned()),
        (TIMESTAMP_HEADER, timestamp.to_string()),
        (SIGNATURE_HEADER, encode_hex(&signature)),
    ]
}

fn signature_bytes(
    secret: &[u8],
    method: &str,
    path: &str,
    timestamp: i64,
    body: &[u8],
) -> Vec<u8> {
    let canonical = format!(
        "v1\n{}\n{path}\n{timestamp}\n{}",
        method.to_ascii_uppercase(),
        encode_hex(&Sha256::digest(body))
    );
    // HMAC accepts keys of any length; this cannot fail.
    let mut mac = match <Hmac<Sha256> as Mac>::new_from_slice(secret) {
        Ok(mac) => mac,
        Err(_) => return Vec::new(),
    };
    mac.update(canonical.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

fn encode_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "0123456789abcdef0123456789abcdef";
    const NOW: i64 = 1_796_000_000;

    fn keys() -> ServiceKeys {
        ServiceKeys::parse(&format!("billing:{SECRET}, old-billing:{}", "x".repeat(40))).unwrap()
    }

    fn check(
        headers: &[(&'static str, String); 3],
        method: &str,
        path: &str,
        body: &[u8],
        now: i64,
    ) -> Result<String, SignatureError> {
        let get = |name: &str| {
            headers
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.as_str())
        };
        keys().verify(
            &SignedRequest {
                method,
                path,
                body,
                key_id: get(KEY_ID_HEADER),
                timestamp: get(TIMESTAMP_HEADER),
                signature: get(SIGNATURE_HEADER),
            },
            now,
        )
    }

    #[test]
    fn a_signed_request_is_accepted_within_the_window() {
        let headers = sign("billing", SECRET, "GET", "/loyalty/acct_1", b"", NOW);
        assert_eq!(
            check(&headers, "GET", "/loyalty/acct_1", b"", NOW).as_deref(),
            Ok("billing")
        );
        assert!(check(&headers, "GET", "/loyalty/acct_1", b"", NOW + 300).is_ok());
        assert!(check(&headers, "GET", "/loyalty/acct_1", b"", NOW - 300).is_ok());
    }

    #[test]
    fn stale_future_or_tampered_requests_are_refused() {
        let headers = sign("billing", SECRET, "GET", "/loyalty/acct_1", b"", NOW);
        assert_eq!(
            check(&headers, "GET", "/loyalty/acct_1", b"", NOW + 301),
            Err(SignatureError::OutsideWindow)
        );
        assert_eq!(
            check(&headers, "GET", "/loyalty/acct_1", b"", NOW - 301),
            Err(SignatureError::OutsideWindow)
        );
        assert_eq!(
            check(&headers, "GET", "/loyalty/acct_2", b"", NOW),
            Err(SignatureError::BadSignature)
        );
        assert_eq!(
            check(&headers, "POST", "/loyalty/acct_1", b"", NOW),
            Err(SignatureError::BadSignature)
        );
        assert_eq!(
            check(&headers, "GET", "/loyalty/acct_1", b"{}", NOW),
            Err(SignatureError::BadSignature)
        );
        let wrong_secret = sign(
            "billing",
            &"y".repeat(32),
            "GET",
            "/loyalty/acct_1",
            b"",
            NOW,
        );
        assert_eq!(
            check(&wrong_secret, "GET", "/loyalty/acct_1", b"", NOW),
            Err(SignatureError::BadSignature)
        );
        let unknown = sign("stranger", SECRET, "GET", "/loyalty/acct_1", b"", NOW);
        assert_eq!(
            check(&unknown, "GET", "/loyalty/acct_1", b"", NOW),
            Err(SignatureError::UnknownKey)
        );
        let mut flipped = sign("billing", SECRET, "GET", "/loyalty/acct_1", b"", NOW);
        flipped[2].1.replace_range(
            0..1,
            if flipped[2].1.starts_with('0') {
                "1"
            } else {
                "0"
            },
        );
        assert_eq!(
            check(&flipped, "GET", "/loyalty/acct_1", b"", NOW),
            Err(SignatureError::BadSignature)
        );
    }

    #[test]
    fn missing_and_malformed_headers_are_refused() {
        let none = keys().verify(
            &SignedRequest {
                method: "GET",
                path: "/loyalty/a",
                body: b"",
                key_id: None,
                timestamp: None,
                signature: None,
            },
            NOW,
        );
        assert_eq!(none, Err(SignatureError::Missing));
        for (timestamp, signature) in [("soon", "00"), ("1796000000", "zz"), ("1796000000", "abc")]
        {
            let result = keys().verify(
                &SignedRequest {
                    method: "GET",
                    path: "/loyalty/a",
                    body: b"",
                    key_id: Some("billing"),
                    timestamp: Some(timestamp),
                    signature: Some(signature),
                },
                NOW,
            );
            assert_eq!(
                result,
                Err(SignatureError::Malformed),
                "{timestamp} {signature}"
            );
        }
    }

    #[test]
    fn key_lists_are_validated_and_never_printed() {
        assert!(ServiceKeys::parse("").is_err());
        assert!(ServiceKeys::parse("billing:short").is_err());
        assert!(ServiceKeys::parse(&format!("bad id:{SECRET}")).is_err());
        assert!(ServiceKeys::parse(SECRET).is_err());
        let printed = format!("{:?}", keys());
        assert!(
            printed.contains("billing") && !printed.contains(SECRET),
            "{printed}"
        );
    }

    #[test]
    fn the_signature_matches_an_independent_computation() {
        // HMAC-SHA256 test case 2 of RFC 4231: key "Jefe", data "what do ya want for nothing?".
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"what do ya want for nothing?");
        assert_eq!(
            encode_hex(&mac.finalize().into_bytes()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
