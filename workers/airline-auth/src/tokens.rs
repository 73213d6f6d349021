//! Access tokens: short-lived EdDSA (Ed25519) JWTs signed with the current key of a key
//! ring and accepted under any key still in it, so keys rotate without signing anyone out.
//!
//! Verification trusts nothing in the token before the signature checks out: the
//! algorithm is pinned to EdDSA (`none`, HS256 and friends are refused before any key is
//! touched), the key is chosen by `kid` from our own ring only, and then `exp`/`nbf` (with
//! a small leeway), `iss` and `aud` must all match.

use std::fmt;

use airline_domain::AccountId;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use base64::Engine as _;
use chrono::{DateTime, Duration, Utc};
use ed25519_dalek::{SigningKey, VerifyingKey};
use jwt_compact::alg::Ed25519;
use jwt_compact::{AlgorithmExt as _, Claims, Header, TimeOptions, Token, UntrustedToken};
use serde::{Deserialize, Serialize};

/// How long an access token lives unless configured otherwise; refresh tokens carry the
/// session beyond it.
pub const ACCESS_TOKEN_TTL_MINUTES: i64 = 15;
/// The lifetimes a deployment may configure, in seconds. Below 5 s a token could expire
/// on its way to the API; beyond a day a stolen token stays useful too long, since access
/// tokens cannot be revoked (signing out only ends the refresh token).
pub const ACCESS_TOKEN_TTL_RANGE_SECONDS: std::ops::RangeInclusive<i64> = 5..=86_400;
/// Clock skew tolerated between whoever signed and whoever checks.
pub const LEEWAY_SECONDS: i64 = 30;
const ALGORITHM: &str = "EdDSA";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Customer,
    Admin,
}

impl Role {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Customer => "customer",
            Self::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "customer" => Some(Self::Customer),
            "admin" => Some(Self::Admin),
            _ => None,
        }
    }
}

/// Who is calling, once a token checked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub account_id: AccountId,
    pub role: Role,
}

/// Why a token was refused. Clients all see the same UNAUTHENTICATED; the reason is for
/// logs and tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenError {
    Malformed,
    /// The header names an algorithm other than EdDSA (`none`, `HS256`, ...).
    WrongAlgorithm(String),
    /// No `kid`, or one not in the key ring (never issued, or rotated out).
    UnknownKey,
    BadSignature,
    Expired,
    NotYetValid,
    WrongIssuer,
    WrongAudience,
    MissingClaim(&'static str),
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed => f.write_str("malformed token"),
            Self::WrongAlgorithm(alg) => write!(f, "algorithm {alg} is not accepted"),
            Self::UnknownKey => f.write_str("unknown signing key"),
            Self::BadSignature => f.write_str("signature does not verify"),
            Self::Expired => f.write_str("token has expired"),
            Self::NotYetValid => f.write_str("token is not valid yet"),
            Self::WrongIssuer => f.write_str("token is from another issuer"),
            Self::WrongAudience => f.write_str("token is for another audience"),
            Self::MissingClaim(claim) => write!(f, "token lacks the {claim} claim"),
        }
    }
}

/// Ed25519 keys by id: the first signs, all verify. Parsed from the `JWT_SIGNING_KEYS`
/// secret: `kid:base64url(32-byte seed)` entries separated by commas, newest first.
/// Rotating = prepend a new entry, and drop the oldest once its tokens have expired
/// (one access-token lifetime later: 15 minutes by default).
pub struct KeyRing {
    keys: Vec<(String, SigningKey)>,
}

impl KeyRing {
    pub fn parse(secret: &str) -> Result<Self, String> {
        let mut keys = Vec::new();
        for entry in secret.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let (kid, seed) = entry
                .split_once(':')
                .ok_or_else(|| "each key is kid:base64url-seed".to_owned())?;
            let kid_ok = !kid.is_empty()
                && kid.len() <= 64
                && kid
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            if !kid_ok {
                return Err(format!("key id `{kid}` must be 1-64 of [A-Za-z0-9_-]"));
            }
            let seed: [u8; 32] = B64URL
                .decode(seed)
                .ok()
                .and_then(|bytes| bytes.try_into().ok())
                .ok_or_else(|| format!("key `{kid}` is not 32 bytes of base64url"))?;
            if keys.iter().any(|(existing, _)| existing == kid) {
                return Err(format!("key id `{kid}` appears twice"));
            }
            keys.push((kid.to_owned(), SigningKey::from_bytes(&seed)));
        }
        if keys.is_empty() {
            return Err("no signing keys configured".into());
        }
        Ok(Self { keys })
    }

    /// A new random key entry for the secret, e.g. for `.dev.vars`.
    pub fn generate_entry(kid: &str) -> Result<String, getrandom::Error> {
        let seed = crate::random_bytes::<32>()?;
        Ok(format!("{kid}:{}", B64URL.encode(seed)))
    }

    fn current(&self) -> (&str, &SigningKey) {
        let (kid, key) = &self.keys[0];
        (kid, key)
    }

    fn verifying_key(&self, kid: &str) -> Option<VerifyingKey> {
        self.keys
            .iter()
            .find(|(id, _)| id == kid)
            .map(|(_, key)| key.verifying_key())
    }
}

/// Where tokens come from, who they are for, and how long they live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenSettings {
    pub issuer: String,
    pub audience: String,
    pub access_lifetime: AccessTokenLifetime,
}

impl TokenSettings {
    /// Settings with the default access-token lifetime.
    pub fn new(issuer: impl Into<String>, audience: impl Into<String>) -> Self {
        Self {
            issuer: issuer.into(),
            audience: audience.into(),
            access_lifetime: AccessTokenLifetime::default(),
        }
    }
}

/// How long an issued access token is valid: [`ACCESS_TOKEN_TTL_MINUTES`] unless the
/// deployment sets a number of seconds in [`ACCESS_TOKEN_TTL_RANGE_SECONDS`] (browser
/// tests use a few seconds to see sessions refresh).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccessTokenLifetime(Duration);

impl AccessTokenLifetime {
    pub fn from_seconds(seconds: i64) -> Result<Self, String> {
        if ACCESS_TOKEN_TTL_RANGE_SECONDS.contains(&seconds) {
            Ok(Self(Duration::seconds(seconds)))
        } else {
            Err(format!(
                "an access token lifetime of {seconds} s is outside {}..={} s",
                ACCESS_TOKEN_TTL_RANGE_SECONDS.start(),
                ACCESS_TOKEN_TTL_RANGE_SECONDS.end()
            ))
        }
    }

    /// Parses a configured number of seconds, e.g. `"900"`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let seconds = text
            .trim()
            .parse::<i64>()
            .map_err(|_| format!("`{text}` is not a whole number of seconds"))?;
        Self::from_seconds(seconds)
    }

    pub fn duration(self) -> Duration {
        self.0
    }
}

impl Default for AccessTokenLifetime {
    fn default() -> Self {
        Self(Duration::minutes(ACCESS_TOKEN_TTL_MINUTES))
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct AccessClaims {
    sub: String,
    role: Role,
    iss: String,
    aud: String,
    jti: String,
}

/// A freshly signed access token.
#[derive(Debug, Clone)]
pub struct AccessToken {
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

impl KeyRing {
    pub fn issue(
        &self,
        settings: &TokenSettings,
        principal: &Principal,
        now: DateTime<Utc>,
    ) -> Result<AccessToken, String> {
        let jti = B64URL.encode(crate::random_bytes::<16>().map_err(|e| e.to_string())?);
        let options = TimeOptions::new(Duration::seconds(LEEWAY_SECONDS), move || now);
        let claims = Claims::new(AccessClaims {
            sub: principal.account_id.to_string(),
            role: principal.role,
            iss: settings.issuer.clone(),
            aud: settings.audience.clone(),
            jti,
        })
        .set_duration_and_issuance(&options, settings.access_lifetime.duration())
        .set_not_before(now);
        let (kid, key) = self.current();
        let header = Header::empty().with_key_id(kid).with_token_type("JWT");
        let token = Ed25519
            .token(&header, &claims, key)
            .map_err(|e| e.to_string())?;
        Ok(AccessToken {
            token,
            expires_at: now + settings.access_lifetime.duration(),
        })
    }

    pub fn verify(
        &self,
        settings: &TokenSettings,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<Principal, TokenError> {
        let untrusted = UntrustedToken::new(token).map_err(|_| TokenError::Malformed)?;
        if untrusted.algorithm() != ALGORITHM {
            return Err(TokenError::WrongAlgorithm(untrusted.algorithm().to_owned()));
        }
        let kid = untrusted
            .header()
            .key_id
            .as_deref()
            .ok_or(TokenError::UnknownKey)?;
        let key = self.verifying_key(kid).ok_or(TokenError::UnknownKey)?;
        let token: Token<AccessClaims> =
            Ed25519
                .validator(&key)
                .validate(&untrusted)
                .map_err(|e| match e {
                    jwt_compact::ValidationError::MalformedClaims(_) => TokenError::Malformed,
                    _ => TokenError::BadSignature,
                })?;
        check_claims(token.claims(), settings, now)
    }
}

/// A token's `exp` (required) and `nbf` (when present), with [`LEEWAY_SECONDS`] of clock
/// skew either way: the same rule for our tokens and an external issuer's.
pub(crate) fn check_lifetime<T>(claims: &Claims<T>, now: DateTime<Utc>) -> Result<(), TokenError> {
    let options = TimeOptions::new(Duration::seconds(LEEWAY_SECONDS), move || now);
    claims.validate_expiration(&options).map_err(|e| match e {
        jwt_compact::ValidationError::NoClaim(_) => TokenError::MissingClaim("exp"),
        _ => TokenError::Expired,
    })?;
    if claims.not_before.is_some() {
        claims
            .validate_maturity(&options)
            .map_err(|_| TokenError::NotYetValid)?;
    }
    Ok(())
}

fn check_claims(
    claims: &Claims<AccessClaims>,
    settings: &TokenSettings,
    now: DateTime<Utc>,
) -> Result<Principal, TokenError> {
    check_lifetime(claims, now)?;
    let custom = &claims.custom;
    if custom.iss != settings.issuer {
        return Err(TokenError::WrongIssuer);
    }
    if custom.aud != settings.audience {
        return Err(TokenError::WrongAudience);
    }
    if custom.sub.is_empty() {
        return Err(TokenError::MissingClaim("sub"));
    }
    Ok(Principal {
        account_id: AccountId::trusted(custom.sub.clone()),
        role: custom.role,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jwt_compact::alg::{Hs256, Hs256Key};

    fn settings() -> TokenSettings {
        TokenSettings::new("https://airline.example", "airline-api")
    }

    fn ring(entries: &[&str]) -> KeyRing {
        KeyRing::parse(&entries.join(",")).unwrap()
    }

    fn alice() -> Principal {
        Principal {
            account_id: AccountId::trusted("acct-alice"),
            role: Role::Customer,
        }
    }

    const K1: &str = "k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
    const K2: &str = "k2:ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8";

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-24T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn forge(header: &str, claims: serde_json::Value, signature: &[u8]) -> String {
        format!(
            "{}.{}.{}",
            B64URL.encode(header),
            B64URL.encode(claims.to_string()),
            B64URL.encode(signature)
        )
    }

    fn claims_json(now: DateTime<Utc>) -> serde_json::Value {
        serde_json::json!({
            "sub": "acct-alice", "role": "admin", "iss": "https://airline.example",
            "aud": "airline-api", "jti": "x", "iat": now.timestamp(),
            "exp": (now + Duration::minutes(15)).timestamp(),
        })
    }

    #[test]
    fn an_issued_token_verifies_to_its_principal() {
        let keys = ring(&[K1]);
        let token = keys.issue(&settings(), &alice(), now()).unwrap();
        assert_eq!(token.expires_at, now() + Duration::minutes(15));
        assert_eq!(keys.verify(&settings(), &token.token, now()), Ok(alice()));
        let header = UntrustedToken::new(&token.token).unwrap();
        assert_eq!(header.header().key_id.as_deref(), Some("k1"));
        assert_eq!(header.algorithm(), "EdDSA");
    }

    #[test]
    fn tokens_expire_with_a_small_leeway() {
        let keys = ring(&[K1]);
        let token = keys.issue(&settings(), &alice(), now()).unwrap().token;
        let just_after = now() + Duration::minutes(15) + Duration::seconds(20);
        assert!(keys.verify(&settings(), &token, just_after).is_ok());
        let expired = now() + Duration::minutes(16);
        assert_eq!(
            keys.verify(&settings(), &token, expired),
            Err(TokenError::Expired)
        );
        let before_issue = now() - Duration::minutes(5);
        assert_eq!(
            keys.verify(&settings(), &token, before_issue),
            Err(TokenError::NotYetValid)
        );
    }

    #[test]
    fn wrong_issuer_or_audience_is_refused() {
        let keys = ring(&[K1]);
        let token = keys.issue(&settings(), &alice(), now()).unwrap().token;
        let other_issuer = TokenSettings {
            issuer: "https://evil.example".into(),
            ..settings()
        };
        assert_eq!(
            keys.verify(&other_issuer, &token, now()),
            Err(TokenError::WrongIssuer)
        );
        let other_audience = TokenSettings {
            audience: "billing".into(),
            ..settings()
        };
        assert_eq!(
            keys.verify(&other_audience, &token, now()),
            Err(TokenError::WrongAudience)
        );
    }

    #[test]
    fn keys_rotate_and_rotated_out_keys_stop_verifying() {
        let old = ring(&[K1]);
        let token = old.issue(&settings(), &alice(), now()).unwrap().token;
        let rotated = ring(&[K2, K1]);
        assert!(
            rotated.verify(&settings(), &token, now()).is_ok(),
            "previous key still accepted"
        );
        let new_token = rotated.issue(&settings(), &alice(), now()).unwrap().token;
        assert_eq!(
            UntrustedToken::new(&new_token)
                .unwrap()
                .header()
                .key_id
                .as_deref(),
            Some("k2")
        );
        let retired = ring(&[K2]);
        assert_eq!(
            retired.verify(&settings(), &token, now()),
            Err(TokenError::UnknownKey)
        );
        // A token claiming an unknown kid is refused before any signature work.
        let forged = new_token.replacen(
            &new_token[..new_token.find('.').unwrap()],
            &B64URL.encode(r#"{"alg":"EdDSA","kid":"k9"}"#),
            1,
        );
        assert_eq!(
            rotated.verify(&settings(), &forged, now()),
            Err(TokenError::UnknownKey)
        );
    }

    #[test]
    fn algorithm_confusion_is_refused() {
        let keys = ring(&[K1]);
        let claims = claims_json(now());
        let none = forge(r#"{"alg":"none","kid":"k1"}"#, claims.clone(), b"");
        assert_eq!(
            keys.verify(&settings(), &none, now()),
            Err(TokenError::WrongAlgorithm("none".into()))
        );
        // HS256 "signed" with the public key, the classic confusion attack.
        let public = keys.verifying_key("k1").unwrap();
        let hs_key = Hs256Key::new(public.as_bytes());
        let typed: Claims<serde_json::Value> = Claims::new(claims);
        let hs = Hs256
            .token(&Header::empty().with_key_id("k1"), &typed, &hs_key)
            .unwrap();
        assert_eq!(
            keys.verify(&settings(), &hs, now()),
            Err(TokenError::WrongAlgorithm("HS256".into()))
        );
    }

    #[test]
    fn tampering_breaks_the_signature() {
        let keys = ring(&[K1]);
        let token = keys.issue(&settings(), &alice(), now()).unwrap().token;
        let parts: Vec<&str> = token.split('.').collect();

        let mut signature = B64URL.decode(parts[2]).unwrap();
        signature[10] ^= 0x01;
        let flipped = format!("{}.{}.{}", parts[0], parts[1], B64URL.encode(&signature));
        assert_eq!(
            keys.verify(&settings(), &flipped, now()),
            Err(TokenError::BadSignature)
        );

        let mut claims: serde_json::Value =
            serde_json::from_slice(&B64URL.decode(parts[1]).unwrap()).unwrap();
        claims["role"] = "admin".into();
        let promoted = format!(
            "{}.{}.{}",
            parts[0],
            B64URL.encode(claims.to_string()),
            parts[2]
        );
        assert_eq!(
            keys.verify(&settings(), &promoted, now()),
            Err(TokenError::BadSignature)
        );

        for garbage in ["", "a.b", "a.b.c", "...", &format!("{token}.extra")] {
            assert!(
                keys.verify(&settings(), garbage, now()).is_err(),
                "{garbage}"
            );
        }
    }

    #[test]
    fn a_configured_lifetime_sets_expiry_and_is_enforced() {
        let keys = ring(&[K1]);
        let short = TokenSettings {
            access_lifetime: AccessTokenLifetime::parse(" 20 ").unwrap(),
            ..settings()
        };
        let token = keys.issue(&short, &alice(), now()).unwrap();
        assert_eq!(token.expires_at, now() + Duration::seconds(20));
        let claims = UntrustedToken::new(&token.token)
            .unwrap()
            .deserialize_claims_unchecked::<AccessClaims>()
            .unwrap();
        assert_eq!(
            claims.expiration.map(|exp| exp.timestamp()),
            Some((now() + Duration::seconds(20)).timestamp())
        );
        // Valid until its expiry plus the leeway, refused after.
        let within_leeway = now() + Duration::seconds(20 + LEEWAY_SECONDS - 1);
        assert!(keys.verify(&short, &token.token, within_leeway).is_ok());
        let after = now() + Duration::seconds(20 + LEEWAY_SECONDS + 1);
        assert_eq!(
            keys.verify(&short, &token.token, after),
            Err(TokenError::Expired)
        );
    }

    #[test]
    fn lifetimes_outside_the_range_are_refused() {
        assert_eq!(
            AccessTokenLifetime::default().duration(),
            Duration::minutes(15)
        );
        assert_eq!(
            AccessTokenLifetime::parse("900"),
            Ok(AccessTokenLifetime::default())
        );
        assert!(AccessTokenLifetime::parse("5").is_ok());
        assert!(AccessTokenLifetime::parse("86400").is_ok());
        for bad in ["4", "0", "-900", "86401", "", "15m", "9e2", "900.5"] {
            assert!(AccessTokenLifetime::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn key_ring_configuration_errors_are_explained() {
        assert!(KeyRing::parse("").is_err());
        assert!(KeyRing::parse("k1").is_err());
        assert!(KeyRing::parse("k1:short").is_err());
        assert!(KeyRing::parse("bad kid:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8").is_err());
        assert!(KeyRing::parse(&format!("{K1},{K1}")).is_err());
        let generated = KeyRing::generate_entry("dev").unwrap();
        assert!(KeyRing::parse(&generated).is_ok());
    }
}
