//! The workflow's settings, from the Worker's vars and secrets.

use airline_booking::saga::RetryPolicy;
use airline_payments::PaymentProvider;
use airline_platform::config::{
    number_in, BOOKING_DEADLINE_SECONDS, HOLD_TTL_SECONDS, RETRY_FIRST_DELAY_MS,
};
use chrono::Duration;
use worker::Env;

#[derive(Debug, Clone)]
pub struct WorkflowConfig {
    /// How long seats stay held while payment runs (`HOLD_TTL_SECONDS`, default 600).
    pub hold_ttl: Duration,
    /// How long a booking may take to confirm before it compensates
    /// (`BOOKING_DEADLINE_SECONDS`, default 300).
    pub deadline: Duration,
    /// Backoff of transient failures (`RETRY_FIRST_DELAY_MS`, default 1000).
    pub retry: RetryPolicy,
    pub payments: PaymentProvider,
}

impl WorkflowConfig {
    pub fn from_env(env: &Env) -> Self {
        let first_delay_ms = number_in(env, RETRY_FIRST_DELAY_MS, 1_000, 10..=60_000);
        Self {
            hold_ttl: Duration::seconds(number_in(env, HOLD_TTL_SECONDS, 600, 1..=86_400)),
            deadline: Duration::seconds(number_in(env, BOOKING_DEADLINE_SECONDS, 300, 5..=86_400)),
            retry: RetryPolicy {
                first_delay_ms,
                max_delay_ms: 60_000.max(first_delay_ms),
            },
            payments: PaymentProvider::from_env(env),
        }
    }
}
