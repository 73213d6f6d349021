//! What the reconciliation job reports: the scheduled run that finds what the booking
//! path left inconsistent and repairs what it can. Events whose ledger entry is missing
//! are resent, D1's seat counts are brought back to the inventory objects', stalled sagas
//! are driven on, the read model's copies of bookings are brought up to the bookings'
//! own objects (the read model is repaired, never the object), and payments that do not
//! match their booking are raised to an admin (money is never moved by a job).
//!
//! The Worker runs the queries and the calls; this module holds the report, how a
//! payment and its booking are judged, and how long anything is given to settle first.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// Nothing younger than this is judged: an event the consumer has not applied yet, a
/// booking a saga is still working on. Longer than the saga's retries take to reach its
/// deadline by default would mean stalled sagas wait for the watchdog alarm first.
pub const DEFAULT_GRACE: Duration = Duration::seconds(120);

/// At most this many rows of each kind per run, so one run stays well inside a Worker's
/// time limit; the next run takes the rest.
pub const BATCH: usize = 200;

/// One run's findings, stored as JSON and shown to admins.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Report {
    /// Booking events with no ledger entry after the grace period, sent again.
    pub events_resent: Vec<String>,
    /// Flights whose D1 `seats_available` differed from their inventory object's count.
    pub seats_repaired: Vec<SeatRepair>,
    /// Bookings still UNCONFIRMED after the grace period whose workflow was driven on.
    pub sagas_resumed: Vec<String>,
    /// Bookings whose copy in the read model was missing or older than the booking
    /// itself (a copy lost on the way), written again from the booking's object.
    pub read_model_repaired: Vec<String>,
    /// Booking references from before references had their own objects, registered
    /// there now (so no new booking can draw them).
    pub references_registered: Vec<String>,
    /// Confirmed bookings found on a cancelled flight (made while it was being
    /// cancelled), now cancelled and refunded like the rest.
    pub bookings_cancelled_for_flights: Vec<String>,
    /// Notifications stored but never delivered, handed to the queue again.
    pub notifications_resent: Vec<String>,
    /// Customers whose points expired after the inactivity period (EXPIRE entries).
    pub points_expired: Vec<String>,
    /// Payments that do not match their booking: for an admin to look at.
    pub payment_mismatches: Vec<PaymentMismatch>,
    /// What could not be checked or repaired this run (it is tried again next run).
    pub errors: Vec<String>,
}

impl Report {
    /// Whether the run found nothing wrong.
    pub fn is_clean(&self) -> bool {
        self.events_resent.is_empty()
            && self.seats_repaired.is_empty()
            && self.sagas_resumed.is_empty()
            && self.read_model_repaired.is_empty()
            && self.bookings_cancelled_for_flights.is_empty()
            && self.notifications_resent.is_empty()
            && self.points_expired.is_empty()
            && self.payment_mismatches.is_empty()
            && self.errors.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SeatRepair {
    pub flight_id: String,
    /// D1's count before the repair.
    pub was: i64,
    /// The inventory object's count, now D1's too.
    pub now: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentMismatch {
    pub booking_id: String,
    pub payment_status: String,
    /// `None` when the booking was never recorded.
    pub booking_status: Option<String>,
    pub problem: String,
}

/// What is wrong, if anything, with a settled payment and its booking. The same rule as
/// the query that picks candidates (`sql::reconciliation::PAYMENTS_TO_CHECK`), stated
/// once more in words so the report says why.
pub fn payment_problem(payment_status: &str, booking_status: Option<&str>) -> Option<&'static str> {
    match (payment_status, booking_status) {
        ("CAPTURED", Some("CONFIRMED")) => None,
        ("CAPTURED", None) => Some("money was taken for a booking that was never recorded"),
        ("CAPTURED", Some(_)) => Some("money was taken but the booking is not confirmed"),
        ("AUTHORIZED", Some("CONFIRMED" | "CANCELLED")) => {
            Some("an authorization is still held for a finished booking")
        }
        (_, Some("CONFIRMED")) => Some("the booking is confirmed but its payment was not captured"),
        _ => None,
    }
}

/// The instant before which a row has had its grace period.
pub fn settled_before(now: DateTime<Utc>, grace: Duration) -> DateTime<Utc> {
    now - grace
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_payment_matches_only_the_booking_state_it_belongs_with() {
        assert_eq!(payment_problem("CAPTURED", Some("CONFIRMED")), None);
        for fine in [
            ("VOIDED", Some("CANCELLED")),
            ("REFUNDED", Some("CANCELLED")),
            // Cancelled under a fare that refunds nothing: kept by its conditions.
            ("RETAINED", Some("CANCELLED")),
            ("DECLINED", Some("CANCELLED")),
            ("DECLINED", None),
            ("AUTHORIZED", Some("UNCONFIRMED")),
            ("PENDING", None),
        ] {
            assert_eq!(payment_problem(fine.0, fine.1), None, "{fine:?}");
        }
        for wrong in [
            ("CAPTURED", None),
            ("CAPTURED", Some("CANCELLED")),
            ("CAPTURED", Some("UNCONFIRMED")),
            ("AUTHORIZED", Some("CONFIRMED")),
            ("AUTHORIZED", Some("CANCELLED")),
            ("REFUNDED", Some("CONFIRMED")),
            ("RETAINED", Some("CONFIRMED")),
            ("VOIDED", Some("CONFIRMED")),
        ] {
            assert!(payment_problem(wrong.0, wrong.1).is_some(), "{wrong:?}");
        }
    }

    #[test]
    fn an_empty_report_is_clean_and_reads_back() {
        let mut report = Report::default();
        assert!(report.is_clean());
        report.seats_repaired.push(SeatRepair {
            flight_id: "EA117-20261125".into(),
            was: 3,
            now: 140,
        });
        assert!(!report.is_clean());
        let json = serde_json::to_string(&report).unwrap();
        assert!(json.contains("\"seatsRepaired\":[{\"flightId\""), "{json}");
        assert_eq!(serde_json::from_str::<Report>(&json).unwrap(), report);
    }
}
