//! Bookings stored before the saga had phases: their objects hold a record whose saga
//! is a step and a set of flags, and D1 held their truth. This reads such a record and
//! says what it is now, so a booking made then can still be read, cancelled and
//! refunded. Used once per object, when it first loads after the upgrade.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::inventory::Hold;
use crate::plan::BookingPlan;
use crate::record::{BookingRecord, FlightSeats, PaymentState};
use crate::saga::{Emit, Failure, Phase, RetryPolicy, Saga, Step, StepRecord};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LegacyRecord {
    plan: BookingPlan,
    saga: LegacySaga,
    reference: Option<String>,
    holds: Vec<Option<Hold>>,
    payment_id: Option<String>,
    updated_at: DateTime<Utc>,
}

#[derive(Deserialize)]
struct LegacySaga {
    step: Option<String>,
    failures: u32,
    retry_at: Option<DateTime<Utc>>,
    deadline: DateTime<Utc>,
    retry: RetryPolicy,
    seats_touched: bool,
    payment_touched: bool,
    captured: bool,
    confirmed: bool,
    marked_cancelled: bool,
    cancellation_published: bool,
    failure: Option<Failure>,
    history: Vec<LegacyStepRecord>,
}

#[derive(Deserialize)]
struct LegacyStepRecord {
    step: String,
    at: DateTime<Utc>,
    result: String,
}

/// A booking as stored before phases, converted: the record, and the events it still
/// owed its listeners then (a confirmation or cancellation not yet published). Those
/// events keep their ids, so a listener that had them already ignores them.
pub fn convert(json: &str) -> Result<(BookingRecord, Vec<Emit>), serde_json::Error> {
    let old: LegacyRecord = serde_json::from_str(json)?;
    let step = old.saga.step.as_deref();
    let mut owed = Vec::new();
    let seats: Vec<FlightSeats> = old
        .holds
        .iter()
        .map(|hold| match (hold, old.saga.seats_touched) {
            (_, false) => FlightSeats::Released,
            (Some(hold), true) if hold.expires_at.is_none() => FlightSeats::Sold {
                seats: hold.seats.clone(),
            },
            (Some(hold), true) => FlightSeats::Held { hold: hold.clone() },
            (None, true) => FlightSeats::Asked,
        })
        .collect();
    let paid = |id: &Option<String>| id.clone().unwrap_or_default();
    let payment = match (old.saga.payment_touched, old.saga.captured, &old.payment_id) {
        (false, true, id) => PaymentState::Refunded {
            id: paid(id),
            amount: None,
        },
        (false, false, Some(_)) => PaymentState::Voided,
        (false, false, None) => PaymentState::NotStarted,
        (true, true, id) => PaymentState::Captured { id: paid(id) },
        (true, false, Some(id)) => PaymentState::Authorized { id: id.clone() },
        (true, false, None) => PaymentState::Authorizing,
    };
    let phase = match (&old.saga.failure, old.saga.confirmed) {
        (None, true) => {
            if step == Some("PUBLISH") {
                owed.push(Emit::BookingConfirmed);
            }
            Phase::Confirmed
        }
        (None, false) => match step {
            Some("HOLD_SEATS") | None => Phase::HoldingSeats,
            Some("AUTHORIZE_PAYMENT") => Phase::Authorizing,
            _ => Phase::Settling,
        },
        (Some(failure), confirmed) => {
            let finished = old.saga.marked_cancelled || step.is_none();
            if confirmed && finished && !old.saga.cancellation_published {
                owed.push(Emit::BookingCancelled);
            }
            if finished {
                Phase::Cancelled {
                    failure: failure.clone(),
                }
            } else {
                Phase::Compensating {
                    failure: failure.clone(),
                }
            }
        }
    };
    // Before phases, a reference was unique because D1 said so when the booking was
    // confirmed; one drawn but never confirmed was never checked, so it is drawn anew.
    let reference = old.reference.filter(|_| old.saga.confirmed);
    let history = old
        .saga
        .history
        .into_iter()
        .filter_map(|line| {
            let step = serde_json::from_value::<Step>(serde_json::Value::String(line.step)).ok()?;
            Some(StepRecord {
                step,
                at: line.at,
                result: line.result,
            })
        })
        .collect();
    let record = BookingRecord {
        saga: Saga {
            phase,
            failures: old.saga.failures,
            retry_at: old.saga.retry_at,
            deadline: old.saga.deadline,
            retry: old.saga.retry,
            history,
        },
        seats,
        payment,
        confirmed_at: old.saga.confirmed.then_some(old.updated_at),
        // Drawn before the registry existed: not in it until registered.
        reference_claimed: reference.is_none(),
        reference,
        // Refunded in full, as every cancellation was then.
        refund_due: None,
        seat_change: None,
        seat_change_refused: None,
        version: 1,
        updated_at: old.updated_at,
        plan: old.plan,
    };
    Ok((record, owed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::saga::{Action, BookingStatus};

    /// A record as the workflow object wrote it before phases: confirmed, its
    /// BookingConfirmed event not yet published.
    fn stored(step: Option<&str>, flags: &str, failure: &str) -> String {
        let step = step.map_or("null".to_owned(), |s| format!("\"{s}\""));
        format!(
            r#"{{
            "plan": {{
                "bookingId": "bk_0123456789abcdef01234567",
                "customerId": "acct_0a1b2c3d4e5f60718293a4b5",
                "flights": [{{"flightId": "EA117-20261225", "departureUtc": "2026-12-25T08:00:00Z",
                              "aircraft": "A320", "seatCapacity": 150, "fareAmount": 45000,
                              "fareCurrency": "GBP", "seats": []}}],
                "passengers": [{{"firstName": "Ada", "lastName": "Lovelace", "dateOfBirth": null}}],
                "totalAmount": 45000, "totalCurrency": "GBP",
                "paymentToken": "tok_succeeds_1",
                "createdAt": "2026-11-20T10:00:00Z",
                "fingerprint": "f"
            }},
            "saga": {{
                "step": {step}, "failures": 0, "retry_at": null,
                "deadline": "2026-11-20T10:05:00Z",
                "retry": {{"first_delay_ms": 1000, "max_delay_ms": 60000}},
                {flags},
                "failure": {failure},
                "history": [{{"step": "RECORD_BOOKING", "at": "2026-11-20T10:00:01Z", "result": "done"}},
                            {{"step": "CONFIRM_BOOKING", "at": "2026-11-20T10:00:02Z", "result": "done"}}]
            }},
            "reference": "K7MXRA",
            "holds": [{{"seats": ["12C"], "expires_at": null}}],
            "paymentId": "pay_1",
            "updatedAt": "2026-11-20T10:00:02Z"
        }}"#
        )
    }

    const CONFIRMED: &str = r#""seats_touched": true, "payment_touched": true, "captured": true,
        "recorded": true, "confirmed": true, "marked_cancelled": false, "cancellation_published": false"#;

    #[test]
    fn a_confirmed_booking_reads_as_confirmed_and_owes_its_unpublished_event() {
        let (mut record, owed) = convert(&stored(Some("PUBLISH"), CONFIRMED, "null")).unwrap();
        assert_eq!(owed, vec![Emit::BookingConfirmed]);
        assert_eq!(record.status(), BookingStatus::Confirmed);
        assert_eq!(record.view().reference.as_deref(), Some("K7MXRA"));
        assert!(
            !record.reference_claimed,
            "not in the registry until registered"
        );
        assert_eq!(
            record.payment,
            PaymentState::Captured { id: "pay_1".into() }
        );
        assert_eq!(record.seats[0].seats().len(), 1);
        assert_eq!(record.next_action(record.updated_at), Action::Finished);
        // History lines of steps that no longer exist are dropped, the rest kept.
        assert_eq!(record.saga.history.len(), 1);

        let (_, owed) = convert(&stored(None, CONFIRMED, "null")).unwrap();
        assert!(owed.is_empty(), "published already");
    }

    #[test]
    fn a_booking_being_cancelled_carries_on_refunding() {
        let (mut record, owed) = convert(&stored(
            Some("REFUND_PAYMENT"),
            CONFIRMED,
            r#"{"code": "CANCELLED_BY_CUSTOMER"}"#,
        ))
        .unwrap();
        assert!(owed.is_empty(), "not cancelled yet");
        assert_eq!(record.status(), BookingStatus::Confirmed);
        assert_eq!(
            record.next_action(record.updated_at),
            Action::Run(vec![Step::RefundPayment])
        );
    }

    #[test]
    fn a_cancelled_booking_whose_cancellation_was_not_published_owes_it() {
        let flags = r#""seats_touched": false, "payment_touched": false, "captured": true,
        "recorded": true, "confirmed": true, "marked_cancelled": true, "cancellation_published": false"#;
        let (mut record, owed) = convert(&stored(
            Some("PUBLISH_CANCELLATION"),
            flags,
            r#"{"code": "CANCELLED_BY_CUSTOMER"}"#,
        ))
        .unwrap();
        assert_eq!(owed, vec![Emit::BookingCancelled]);
        assert_eq!(record.status(), BookingStatus::Cancelled);
        assert!(matches!(record.payment, PaymentState::Refunded { .. }));
        assert_eq!(record.money_moved().0, record.money_moved().1);
        assert_eq!(record.next_action(record.updated_at), Action::Finished);
    }

    #[test]
    fn a_booking_half_way_through_settles_with_a_fresh_reference() {
        let flags = r#""seats_touched": true, "payment_touched": true, "captured": true,
        "recorded": true, "confirmed": false, "marked_cancelled": false, "cancellation_published": false"#;
        let (mut record, _) = convert(&stored(Some("CONFIRM_SEATS"), flags, "null")).unwrap();
        assert_eq!(record.saga.phase, Phase::Settling);
        assert_eq!(record.reference, None);
        assert_eq!(
            record.next_action(record.updated_at),
            Action::Run(vec![Step::ClaimReference])
        );
    }
}
