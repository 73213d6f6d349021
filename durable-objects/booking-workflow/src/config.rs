//! The workflow's settings, from the Worker's vars and secrets.

use airline_booking::saga::RetryPolicy;
use airline_platform::config::{
    number_in, var, BOOKING_DEADLINE_SECONDS, HOLD_TTL_SECONDS, PAYMENT_PROVIDER,
    RETRY_FIRST_DELAY_MS, STRIPE_API_BASE, STRIPE_SECRET_KEY,
};
use chrono::Duration;
use worker::Env;

/// Which payment provider takes the money.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentProviderKind {
    /// The embedded test provider (payments in D1, Stripe-like test cards).
    Sandbox,
    /// Stripe's PaymentIntents API with this secret key, at `STRIPE_API_BASE` when set.
    Stripe {
        secret_key: String,
        api_base: Option<String>,
    },
}

impl PaymentProviderKind {
    /// `PAYMENT_PROVIDER` (`sandbox`, the default, or `stripe` with `STRIPE_SECRET_KEY`
    /// and optionally `STRIPE_API_BASE`).
    pub fn from_env(env: &Env) -> Self {
        match var(env, PAYMENT_PROVIDER) {
            Some(kind) if kind.trim() == "stripe" => PaymentProviderKind::Stripe {
                secret_key: env
                    .secret(STRIPE_SECRET_KEY)
                    .map(|s| s.to_string())
                    .unwrap_or_default(),
                api_base: var(env, STRIPE_API_BASE),
            },
            _ => PaymentProviderKind::Sandbox,
        }
    }
}

#[derive(Debug, Clone)]
pub struct WorkflowConfig {
    /// How long seats stay held while payment runs (`HOLD_TTL_SECONDS`, default 600).
    pub hold_ttl: Duration,
    /// How long a booking may take to confirm before it compensates
    /// (`BOOKING_DEADLINE_SECONDS`, default 300).
    pub deadline: Duration,
    /// Backoff of transient failures (`RETRY_FIRST_DELAY_MS`, default 1000).
    pub retry: RetryPolicy,
    pub payments: PaymentProviderKind,
}

impl WorkflowConfig {
    pub fn from_env(env: &Env) -> Self {
        let payments = PaymentProviderKind::from_env(env);
        let first_delay_ms = number_in(env, RETRY_FIRST_DELAY_MS, 1_000, 10..=60_000);
        Self {
            hold_ttl: Duration::seconds(number_in(env, HOLD_TTL_SECONDS, 600, 1..=86_400)),
            deadline: Duration::seconds(number_in(env, BOOKING_DEADLINE_SECONDS, 300, 5..=86_400)),
            retry: RetryPolicy {
                first_delay_ms,
                max_delay_ms: 60_000.max(first_delay_ms),
            },
            payments,
        }
    }
}
