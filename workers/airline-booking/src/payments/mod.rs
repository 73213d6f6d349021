//! Payments behind one interface: authorize, capture, void, refund, in integer minor
//! units, with an idempotency key on every call. `sandbox` holds the embedded test
//! provider's rules, `stripe` the wire format of Stripe's PaymentIntents API, and
//! `stripe_sandbox` the sandbox's Stripe-compatible answers to it.

use airline_domain::{AccountId, BookingId, Money, PaymentToken};
use serde::{Deserialize, Serialize};

pub mod sandbox;
pub mod stripe;
pub mod stripe_sandbox;

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
