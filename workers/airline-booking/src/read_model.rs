//! What a booking's object sends its read model: a copy of the booking as it stands (the
//! whole state, not a change), with its payment and its outbox, numbered by the object's
//! version. The consumer keeps a copy only if it is newer than the one it has, so copies
//! delivered twice, late or out of order never move a booking backwards, and a lost copy
//! is made good by any later one.

use serde::{Deserialize, Serialize};

use crate::record::{BookingRecord, PaymentState};
use crate::views::BookingView;

fn registered() -> bool {
    true
}

/// The one schema version of a copy this code writes and reads.
pub const COPY_SCHEMA: u32 = 1;

/// A booking as its object last persisted it, for D1's read model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BookingCopy {
    pub schema: u32,
    /// The object's version of this copy (`booking.version`).
    pub version: u64,
    pub booking: BookingView,
    /// Whether the booking's reference is in the reference registry (bookings from before
    /// the registry are registered later).
    #[serde(default = "registered")]
    pub reference_registered: bool,
    /// The payment as the provider keeps it, when the booking has one.
    pub payment: Option<PaymentCopy>,
    /// Every event the booking's outbox holds, oldest first.
    pub events: Vec<OutboxEntry>,
}

/// A payment as the read model's `payments` table shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentCopy {
    /// The provider's id (`pi_...`), or the booking's when none is known yet.
    pub id: String,
    /// The booking id: one payment per booking.
    pub key: String,
    pub customer_id: String,
    pub token: String,
    pub amount: i64,
    pub currency: String,
    /// PENDING, AUTHORIZED, CAPTURED, DECLINED, VOIDED, REFUNDED or RETAINED.
    pub status: String,
    pub authorize_attempts: u32,
}

impl PaymentCopy {
    /// The payment as the booking itself knows it (a provider whose own records are
    /// elsewhere, Stripe's); `None` before any payment was asked for.
    pub fn from_record(record: &BookingRecord) -> Option<Self> {
        let status = match record.payment {
            PaymentState::NotStarted => return None,
            PaymentState::Authorizing => "PENDING",
            PaymentState::Authorized { .. } => "AUTHORIZED",
            PaymentState::Captured { .. } => "CAPTURED",
            PaymentState::Voided => "VOIDED",
            PaymentState::Refunded { .. } => "REFUNDED",
            PaymentState::Retained { .. } => "RETAINED",
        };
        let key = record.plan.booking_id.to_string();
        Some(Self {
            id: record
                .payment
                .id()
                .map_or_else(|| key.clone(), str::to_owned),
            key,
            customer_id: record.plan.customer_id.to_string(),
            token: record.plan.payment_token.as_str().to_owned(),
            amount: record.plan.total.amount_minor(),
            currency: record.plan.total.currency().code().to_owned(),
            status: status.to_owned(),
            authorize_attempts: 0,
        })
    }
}

/// One event of a booking's outbox, exactly as it is (or was) sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboxEntry {
    pub event_id: String,
    /// The event's JSON, as sent.
    pub body: String,
    /// RFC 3339 UTC.
    pub created_at: String,
    /// When the queue took it; `None` while it waits.
    pub sent_at: Option<String>,
}

/// How far the read model is behind its objects, as the admin's report shows it: of the
/// copies that arrived in a window, the time from each booking's change to its copy
/// arriving.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProjectionLag {
    /// Copies that arrived in the window.
    pub copies: u64,
    pub median_ms: Option<i64>,
    pub p99_ms: Option<i64>,
    pub max_ms: Option<i64>,
}

impl ProjectionLag {
    /// The lag of each copy (ms, from its booking's change to its arrival).
    pub fn of(mut lags_ms: Vec<i64>) -> Self {
        lags_ms.sort_unstable();
        let at = |q: f64| -> Option<i64> {
            let last = lags_ms.len().checked_sub(1)?;
            lags_ms.get(((last as f64) * q).round() as usize).copied()
        };
        Self {
            copies: lags_ms.len() as u64,
            median_ms: at(0.5),
            p99_ms: at(0.99),
            max_ms: lags_ms.last().copied(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lag_report_reads_its_percentiles_off_the_samples() {
        assert_eq!(ProjectionLag::of(Vec::new()), ProjectionLag::default());
        let lag = ProjectionLag::of((1..=100).rev().collect());
        assert_eq!(
            (lag.copies, lag.median_ms, lag.p99_ms, lag.max_ms),
            (100, Some(51), Some(99), Some(100))
        );
    }

    #[test]
    fn a_copy_reads_back_as_it_was_sent() {
        let entry = OutboxEntry {
            event_id: "bk_1:confirmed".into(),
            body: r#"{"eventId":"bk_1:confirmed"}"#.into(),
            created_at: "2026-12-01T10:00:00Z".into(),
            sent_at: None,
        };
        let json = serde_json::to_value(&entry).unwrap();
        assert_eq!(json["eventId"], "bk_1:confirmed");
        assert_eq!(json["sentAt"], serde_json::Value::Null);
        assert_eq!(serde_json::from_value::<OutboxEntry>(json).unwrap(), entry);
    }
}
