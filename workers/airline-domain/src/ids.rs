//! Identifiers that cross crate, storage and wire boundaries: an account, a booking, a
//! payment token. Each is its own type, so a customer id cannot be passed where a
//! booking id belongs; each serialises as the bare string it has always been, so stored
//! JSON, D1 rows and the Durable Objects' messages read the same as before.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::InputError;

/// Implements the plumbing every id shares: text access, `Display`, comparison with
/// `&str`, and transparent serde.
macro_rules! string_id {
    ($name:ident) => {
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }
    };
}

/// An account's id: ours are `acct_` and 24 hex digits, but an external OpenID issuer's
/// subject is taken as it comes, so the type promises only what every source keeps:
/// non-empty printable text of at most [`AccountId::MAX_LEN`] bytes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AccountId(String);

string_id!(AccountId);

impl AccountId {
    pub const MAX_LEN: usize = 255;

    /// An id the system issued or verified (a signed token's subject, a stored row).
    pub fn trusted(id: impl Into<String>) -> Self {
        Self(id.into())
    }

    /// An id a client typed, e.g. an admin naming a customer.
    pub fn parse(field: &'static str, text: &str) -> Result<Self, InputError> {
        if text.is_empty() || text.len() > Self::MAX_LEN || text.chars().any(char::is_control) {
            return Err(InputError::new(field, "is not an account id"));
        }
        Ok(Self(text.to_owned()))
    }
}

/// A booking's id: `bk_` and 24 lowercase hex digits, derived from the customer and
/// their idempotency key (see `airline_booking::plan::booking_id`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BookingId(String);

string_id!(BookingId);

impl BookingId {
    const PREFIX: &'static str = "bk_";
    const DIGEST_BYTES: usize = 12;

    /// The id for the first bytes of a digest; the digest decides, this type spells it.
    pub fn from_digest(digest: &[u8]) -> Self {
        let hex: String = digest
            .iter()
            .take(Self::DIGEST_BYTES)
            .map(|b| format!("{b:02x}"))
            .collect();
        Self(format!("{}{hex}", Self::PREFIX))
    }

    /// Whether `text` has the shape of a booking id, so a lookup by a foreign string is a
    /// plain NOT_FOUND and never reaches storage.
    pub fn is_valid(text: &str) -> bool {
        text.len() == Self::PREFIX.len() + 2 * Self::DIGEST_BYTES
            && text.starts_with(Self::PREFIX)
            && text[Self::PREFIX.len()..]
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    }

    /// The booking id in `text`, or `None` for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        Self::is_valid(text).then(|| Self(text.to_owned()))
    }
}

impl From<BookingId> for String {
    fn from(id: BookingId) -> Self {
        id.0
    }
}

impl TryFrom<String> for BookingId {
    type Error = String;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        if Self::is_valid(&text) {
            Ok(Self(text))
        } else {
            Err(format!("`{text}` is not a booking id"))
        }
    }
}

/// What pays for a booking: a token from `tokenizeCard` (`tok_…`) or a Stripe
/// PaymentMethod (`pm_…`). Never a card number; its shape is the provider's business.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PaymentToken(String);

string_id!(PaymentToken);

impl PaymentToken {
    pub const MAX_LEN: usize = 255;

    /// A token a client sent.
    pub fn parse(field: &'static str, text: &str) -> Result<Self, InputError> {
        if text.trim().is_empty() || text.len() > Self::MAX_LEN {
            return Err(InputError::new(
                field,
                "a payment token is required (from tokenizeCard, or Stripe's pm_...)",
            ));
        }
        Ok(Self(text.to_owned()))
    }

    /// A token the system issued or stored.
    pub fn trusted(token: impl Into<String>) -> Self {
        Self(token.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn booking_ids_are_bk_and_24_hex_digits() {
        let id = BookingId::from_digest(&[0xab; 32]);
        assert_eq!(id.as_str(), format!("bk_{}", "ab".repeat(12)));
        assert!(BookingId::is_valid(id.as_str()));
        assert_eq!(BookingId::parse(id.as_str()), Some(id.clone()));
        for bad in [
            "",
            "bk_",
            "BK_abababababababababababab",
            "bk_ABABABABABABABABABABABAB",
            "bk_abababababababababababa",
            "bk_ababababababababababababa",
            "bk_abababababababababababag",
            "acct_abababababababababab",
        ] {
            assert!(BookingId::parse(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn ids_serialise_as_their_bare_text() {
        let booking = BookingId::from_digest(&[1; 12]);
        let json = serde_json::to_string(&booking).unwrap();
        assert_eq!(json, format!("\"{booking}\""));
        assert_eq!(serde_json::from_str::<BookingId>(&json).unwrap(), booking);
        assert!(serde_json::from_str::<BookingId>("\"bk_nope\"").is_err());

        let account = AccountId::trusted("acct_1");
        assert_eq!(serde_json::to_string(&account).unwrap(), "\"acct_1\"");
        let token: PaymentToken = serde_json::from_str("\"tok_4242_0\"").unwrap();
        assert_eq!(token, "tok_4242_0");
    }

    #[test]
    fn typed_ids_refuse_empty_or_oversized_text() {
        assert!(AccountId::parse("customerId", "acct_1").is_ok());
        for bad in ["", "a\nb"] {
            assert_eq!(
                AccountId::parse("customerId", bad).unwrap_err().field,
                "customerId"
            );
        }
        assert!(AccountId::parse("customerId", &"a".repeat(256)).is_err());
        assert!(PaymentToken::parse("paymentToken", "pm_card_visa").is_ok());
        for bad in ["", "   ", &"t".repeat(256)] {
            assert!(PaymentToken::parse("paymentToken", bad).is_err(), "{bad:?}");
        }
    }
}
