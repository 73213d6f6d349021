//! Password rules and the stored form of a password.
//!
//! Passwords are derived with PBKDF2-HMAC-SHA256 at 100,000 iterations (the most the
//! Workers WebCrypto implementation accepts) with a 16-byte random salt per account, and
//! stored as `pbkdf2-sha256$<iterations>$<salt>$<hash>` so the cost can be raised later
//! without breaking existing accounts. Comparison is constant-time.

use std::fmt;

use base64::engine::general_purpose::STANDARD_NO_PAD as B64;
use base64::Engine as _;
use subtle::ConstantTimeEq as _;

use crate::Email;

pub const MIN_PASSWORD_CHARS: usize = 10;
pub const MAX_PASSWORD_CHARS: usize = 128;
/// The highest iteration count the Workers runtime's PBKDF2 accepts.
pub const PBKDF2_ITERATIONS: u32 = 100_000;
pub const SALT_BYTES: usize = 16;
pub const HASH_BYTES: usize = 32;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordPolicyError(pub String);

impl fmt::Display for PasswordPolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Checks a new password: 10 to 128 characters, not the email address.
pub fn check_new_password(password: &str, email: &Email) -> Result<(), PasswordPolicyError> {
    let chars = password.chars().count();
    if chars == 0 {
        return Err(PasswordPolicyError("enter a password".into()));
    }
    if chars < MIN_PASSWORD_CHARS {
        return Err(PasswordPolicyError(format!(
            "must be at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(PasswordPolicyError(format!(
            "must be at most {MAX_PASSWORD_CHARS} characters"
        )));
    }
    if password.trim().eq_ignore_ascii_case(email.as_str()) {
        return Err(PasswordPolicyError("must not be your email address".into()));
    }
    Ok(())
}

/// A password as stored: algorithm parameters, salt and derived key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordHash {
    pub iterations: u32,
    pub salt: [u8; SALT_BYTES],
    hash: [u8; HASH_BYTES],
}

impl PasswordHash {
    const PREFIX: &'static str = "pbkdf2-sha256";

    pub fn new(iterations: u32, salt: [u8; SALT_BYTES], hash: [u8; HASH_BYTES]) -> Self {
        Self {
            iterations,
            salt,
            hash,
        }
    }

    pub fn encode(&self) -> String {
        format!(
            "{}${}${}${}",
            Self::PREFIX,
            self.iterations,
            B64.encode(self.salt),
            B64.encode(self.hash)
        )
    }

    /// Parses a stored hash; `None` for anything not produced by [`encode`](Self::encode).
    pub fn parse(text: &str) -> Option<Self> {
        let mut parts = text.split('$');
        if parts.next()? != Self::PREFIX {
            return None;
        }
        let iterations: u32 = parts.next()?.parse().ok().filter(|&n| n > 0)?;
        let salt = B64.decode(parts.next()?).ok()?.try_into().ok()?;
        let hash = B64.decode(parts.next()?).ok()?.try_into().ok()?;
        parts.next().is_none().then_some(Self {
            iterations,
            salt,
            hash,
        })
    }

    /// Whether `derived` (the KDF's output for a candidate password with this hash's salt
    /// and iterations) is this hash, compared in constant time.
    pub fn matches(&self, derived: &[u8]) -> bool {
        self.hash.as_slice().ct_eq(derived).into()
    }
}

/// A person's name as shown in the app: 1 to 100 characters after trimming, no control
/// characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(text: &str) -> Result<Self, PasswordPolicyError> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(PasswordPolicyError("enter your name".into()));
        }
        if trimmed.chars().count() > Self::MAX_CHARS {
            return Err(PasswordPolicyError(format!(
                "must be at most {} characters",
                Self::MAX_CHARS
            )));
        }
        if trimmed.chars().any(char::is_control) {
            return Err(PasswordPolicyError(
                "must not contain control characters".into(),
            ));
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email() -> Email {
        Email::parse("ada@example.com").unwrap()
    }

    /// What the Worker's WebCrypto derivation computes, done natively for the tests.
    fn derive(password: &str, salt: &[u8], iterations: u32) -> [u8; HASH_BYTES] {
        let mut out = [0u8; HASH_BYTES];
        pbkdf2::pbkdf2_hmac::<sha2::Sha256>(password.as_bytes(), salt, iterations, &mut out);
        out
    }

    #[test]
    fn password_rules() {
        assert!(check_new_password("correct horse", &email()).is_ok());
        assert!(check_new_password("", &email()).is_err());
        assert!(check_new_password("short", &email()).is_err());
        assert!(check_new_password(&"x".repeat(129), &email()).is_err());
        assert!(check_new_password(&"x".repeat(128), &email()).is_ok());
        assert!(check_new_password("ADA@example.com", &email()).is_err());
        // Ten characters, counted as characters, not bytes.
        assert!(check_new_password("ééééééééé", &email()).is_err());
        assert!(check_new_password("éééééééééé", &email()).is_ok());
    }

    #[test]
    fn pbkdf2_sha256_matches_the_published_test_vector() {
        // RFC 7914 section 11: PBKDF2-HMAC-SHA256("passwd", "salt", 1, 64), first 32 bytes.
        let derived = derive("passwd", b"salt", 1);
        assert_eq!(
            derived[..8],
            [0x55, 0xac, 0x04, 0x6e, 0x56, 0xe3, 0x08, 0x9f]
        );
    }

    #[test]
    fn hashes_round_trip_and_verify_only_the_right_password() {
        let salt = [7u8; SALT_BYTES];
        let stored = PasswordHash::new(1_000, salt, derive("correct horse", &salt, 1_000));
        let parsed = PasswordHash::parse(&stored.encode()).unwrap();
        assert_eq!(parsed, stored);
        assert!(parsed.matches(&derive("correct horse", &parsed.salt, parsed.iterations)));
        assert!(!parsed.matches(&derive("correct horsf", &parsed.salt, parsed.iterations)));
        assert!(!parsed.matches(&[]));
    }

    #[test]
    fn foreign_or_damaged_hashes_do_not_parse() {
        let good = PasswordHash::new(10, [1; SALT_BYTES], [2; HASH_BYTES]).encode();
        assert!(PasswordHash::parse(&good).is_some());
        for bad in [
            "",
            "bcrypt$10$abc$def",
            &good.replace("$10$", "$0$"),
            &good.replace("$10$", "$x$"),
            &format!("{good}$extra"),
            &good[..good.len() - 4],
        ] {
            assert!(PasswordHash::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn display_names() {
        assert_eq!(
            DisplayName::parse("  Ada Lovelace ").unwrap().as_str(),
            "Ada Lovelace"
        );
        assert!(DisplayName::parse(" ").is_err());
        assert!(DisplayName::parse(&"a".repeat(101)).is_err());
        assert!(DisplayName::parse("Ada\u{7}").is_err());
    }
}
