//! Identity rules, with no I/O: what a valid email and password are, how passwords are
//! stored, how access tokens are signed and checked, how refresh tokens rotate, and when
//! sign-in attempts are throttled.
//!
//! The Worker supplies the two things that need the platform (the PBKDF2 derivation via
//! WebCrypto and the database); everything else is here and tested natively, including
//! every token attack the API must refuse.
#![forbid(unsafe_code)]

pub mod email;
pub mod external;
pub mod password;
pub mod refresh;
pub mod throttle;
pub mod tokens;

pub use email::Email;
pub use external::ExternalIssuer;
pub use password::{DisplayName, PasswordHash, PasswordPolicyError};
pub use refresh::{RefreshToken, RefreshTokenHash};
pub use throttle::{SignInThrottle, ThrottleState};
pub use tokens::{
    AccessToken, AccessTokenLifetime, KeyRing, Principal, Role, TokenError, TokenSettings,
};

/// `n` bytes from the platform's CSPRNG (crypto.getRandomValues in a Worker).
pub fn random_bytes<const N: usize>() -> Result<[u8; N], getrandom::Error> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes)?;
    Ok(bytes)
}
