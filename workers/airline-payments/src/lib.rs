//! Payments in one home: authorize, capture, void and refund in integer minor units, with
//! an idempotency key derived from the booking on every call, behind one provider.
//!
//! - [`PaymentProvider`]: which provider takes the money (the one enum that names it).
//! - [`stripe`]: Stripe's PaymentIntents wire format (requests, answers, errors).
//! - [`sandbox`]: the embedded test provider's cards and tokens; [`sandbox_payment`]: one
//!   sandbox payment's life; [`stripe_api`]: the sandbox's Stripe-compatible HTTP face.
//! - `platform` (the `platform` feature): what runs on Workers: the Stripe client over
//!   `fetch`, the sandbox's store in a booking object's SQLite, and the provider the
//!   booking's saga calls.
//!
//! Everything but `platform` is pure and tested natively.

use airline_domain::{AccountId, BookingId, Money, PaymentToken};
use serde::{Deserialize, Serialize};

#[cfg(feature = "platform")]
pub mod platform;
pub mod sandbox;
pub mod sandbox_payment;
pub mod stripe;
pub mod stripe_api;

/// Which provider takes the money, from the deployment's `PAYMENT_PROVIDER` (and, for
/// Stripe, `STRIPE_SECRET_KEY` and `STRIPE_API_BASE`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentProvider {
    /// The embedded test provider: Stripe-like test cards, its payments kept in each
    /// booking's own storage.
    Sandbox,
    /// Stripe's PaymentIntents API with this secret key, at `api_base` when set (the
    /// sandbox's Stripe-compatible face in local runs).
    Stripe {
        secret_key: String,
        api_base: Option<String>,
    },
}

impl PaymentProvider {
    /// `PAYMENT_PROVIDER`: `stripe` (with its key and base), or the sandbox for anything
    /// else, including unset.
    pub fn from_settings(
        kind: Option<&str>,
        secret_key: Option<String>,
        api_base: Option<String>,
    ) -> Self {
        match kind.map(str::trim) {
            Some("stripe") => PaymentProvider::Stripe {
                secret_key: secret_key.unwrap_or_default(),
                api_base,
            },
            _ => PaymentProvider::Sandbox,
        }
    }

    /// How a card becomes a payment token: `tokenizeCard` in the sandbox, Stripe.js with
    /// Stripe.
    pub fn is_sandbox(&self) -> bool {
        matches!(self, PaymentProvider::Sandbox)
    }
}

/// One authorization to make: `amount` on the card behind `payment_token`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRequest {
    /// Stable per booking, so a retried call can never charge twice. Each operation
    /// derives its own key from it (`<key>:authorize`, `<key>:capture`, ...).
    pub idempotency_key: String,
    pub amount: Money,
    /// A sandbox token (`tok_...`) or a Stripe PaymentMethod id (`pm_...`).
    pub payment_token: PaymentToken,
    /// Shown on the statement / dashboard, e.g. "Edge Airline booking 7f3a...".
    pub description: String,
    /// The booking this payment belongs to (sent as metadata).
    pub booking_id: BookingId,
    /// Who pays (the sandbox keeps it with the payment).
    pub customer_id: AccountId,
}

/// The provider's handle on an authorized payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Authorization {
    pub payment_id: String,
}

/// Why a payment call failed, sorted by what the saga should do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PaymentError {
    /// The card was refused (`card_declined`, `insufficient_funds`, ...): final, the
    /// traveller must use another card. `message` is safe to show them.
    Declined { code: String, message: String },
    /// Worth retrying with the same idempotency key: network, rate limit, 5xx.
    Transient(String),
    /// Will fail the same way again (bad request, unknown payment, auth): final.
    Permanent(String),
}

impl PaymentError {
    pub fn is_transient(&self) -> bool {
        matches!(self, PaymentError::Transient(_))
    }
}

impl std::fmt::Display for PaymentError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PaymentError::Declined { code, message } => write!(f, "declined ({code}): {message}"),
            PaymentError::Transient(detail) => write!(f, "transient: {detail}"),
            PaymentError::Permanent(detail) => write!(f, "failed: {detail}"),
        }
    }
}
