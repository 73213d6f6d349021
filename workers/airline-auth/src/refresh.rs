//! Refresh tokens: long random secrets handed to the client once, stored only as hashes,
//! valid for one use. Each use rotates to a new token in the same family; presenting a
//! token that was already used means it leaked, so the whole family is revoked.

use airline_domain::AccountId;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use base64::Engine as _;
use chrono::{DateTime, Duration, Utc};
use sha2::{Digest as _, Sha256};

/// How long a session lasts without being refreshed.
pub const REFRESH_TOKEN_TTL_DAYS: i64 = 30;
const TOKEN_BYTES: usize = 32;

/// The secret the client holds.
#[derive(Clone, PartialEq, Eq)]
pub struct RefreshToken(String);

/// What the database holds instead of the token: its SHA-256, hex. A database leak does
/// not leak usable tokens, and 256 random bits need no slow hash.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RefreshTokenHash(pub String);

impl RefreshToken {
    pub fn generate() -> Result<Self, getrandom::Error> {
        let bytes = crate::random_bytes::<TOKEN_BYTES>()?;
        Ok(Self(B64URL.encode(bytes)))
    }

    /// Accepts only strings of the shape `generate` makes, so garbage never reaches SQL.
    pub fn parse(text: &str) -> Option<Self> {
        let bytes = B64URL.decode(text.trim()).ok()?;
        (bytes.len() == TOKEN_BYTES).then(|| Self(text.trim().to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> RefreshTokenHash {
        let digest = Sha256::digest(self.0.as_bytes());
        RefreshTokenHash(digest.iter().map(|b| format!("{b:02x}")).collect())
    }
}

/// Never print the secret, even in debug logs.
impl std::fmt::Debug for RefreshToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RefreshToken(…)")
    }
}

/// A stored refresh token's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRefreshToken {
    pub family_id: String,
    pub account_id: AccountId,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// What to do with a presented refresh token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshDecision {
    /// Valid: mark it used and issue a new token in the same family.
    Rotate,
    /// Already used: a copy is in someone else's hands. Revoke the family.
    Reused,
    /// Signed out, or its family was revoked.
    Revoked,
    Expired,
}

pub fn decide(stored: &StoredRefreshToken, now: DateTime<Utc>) -> RefreshDecision {
    if stored.revoked_at.is_some() {
        RefreshDecision::Revoked
    } else if stored.used_at.is_some() {
        RefreshDecision::Reused
    } else if now >= stored.expires_at {
        RefreshDecision::Expired
    } else {
        RefreshDecision::Rotate
    }
}

pub fn expiry_from(now: DateTime<Utc>) -> DateTime<Utc> {
    now + Duration::days(REFRESH_TOKEN_TTL_DAYS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed_now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-24T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn stored(now: DateTime<Utc>) -> StoredRefreshToken {
        StoredRefreshToken {
            family_id: "f".into(),
            account_id: AccountId::trusted("a"),
            expires_at: expiry_from(now),
            used_at: None,
            revoked_at: None,
        }
    }

    #[test]
    fn tokens_are_random_parseable_and_hashed() {
        let a = RefreshToken::generate().unwrap();
        let b = RefreshToken::generate().unwrap();
        assert_ne!(a, b);
        assert_eq!(RefreshToken::parse(a.as_str()), Some(a.clone()));
        assert_eq!(a.hash().0.len(), 64);
        assert_ne!(a.hash(), b.hash());
        assert!(!format!("{a:?}").contains(a.as_str()));
        for bad in ["", "short", "not base64 at all!!", &"A".repeat(44)] {
            assert!(RefreshToken::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn a_token_rotates_once_then_counts_as_reuse() {
        let now = fixed_now();
        let mut token = stored(now);
        assert_eq!(decide(&token, now), RefreshDecision::Rotate);
        token.used_at = Some(now);
        assert_eq!(decide(&token, now), RefreshDecision::Reused);
        token.revoked_at = Some(now);
        assert_eq!(decide(&token, now), RefreshDecision::Revoked);
        let fresh = stored(now);
        assert_eq!(
            decide(&fresh, now + Duration::days(REFRESH_TOKEN_TTL_DAYS)),
            RefreshDecision::Expired
        );
    }
}
