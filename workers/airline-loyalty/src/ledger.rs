//! The points ledger's arithmetic: what a booking event writes. The ledger is append-only
//! and keyed by the event id, so a redelivered event changes nothing; a cancellation takes
//! back exactly what its booking earned.

use airline_booking::events::{BookingEvent, EventKind, VERSION};
use airline_domain::{Currency, Money};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// Points are counted in whole US dollars paid, whatever the fare's currency (converted
/// at the reference rates), so a yen fare does not earn 150 times a dollar fare. This is
/// the AWS sample's rule ("points = price paid in whole units") made currency-fair, in one
/// place so it can change.
pub fn points_for(amount: Money) -> Option<i64> {
    let usd = Currency::parse("currency", "USD").ok()?;
    let dollars = amount.convert_to(usd)?;
    Some(dollars.amount_minor().max(0) / usd.minor_per_major())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EntryKind {
    Earn,
    Revoke,
    Expire,
}

impl EntryKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            EntryKind::Earn => "EARN",
            EntryKind::Revoke => "REVOKE",
            EntryKind::Expire => "EXPIRE",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "EARN" => Some(EntryKind::Earn),
            "REVOKE" => Some(EntryKind::Revoke),
            "EXPIRE" => Some(EntryKind::Expire),
            _ => None,
        }
    }
}

/// A ledger row to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEntry {
    /// The event id: unique in the ledger, so a redelivery inserts nothing.
    pub entry_id: String,
    pub customer_id: String,
    pub booking_id: String,
    /// Positive to earn, negative to revoke.
    pub points: i64,
    pub kind: EntryKind,
}

/// A ledger row as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LedgerEntry {
    pub entry_id: String,
    pub booking_id: String,
    pub points: i64,
    pub kind: EntryKind,
    pub created_at: DateTime<Utc>,
}

/// Why an event cannot be applied. Such a message is retried and, if it keeps failing,
/// lands in the dead-letter queue for an operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventError {
    UnsupportedVersion(u32),
    UnknownCurrency(String),
    /// The event id does not match the booking and kind it claims.
    Inconsistent(String),
}

impl std::fmt::Display for EventError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EventError::UnsupportedVersion(v) => write!(f, "event version {v} is not supported"),
            EventError::UnknownCurrency(c) => {
                write!(f, "currency {c} is not one the airline sells in")
            }
            EventError::Inconsistent(why) => write!(f, "inconsistent event: {why}"),
        }
    }
}

impl std::error::Error for EventError {}

/// What the ledger already holds for the event's booking.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BookingHistory {
    /// Points credited for it (a cancellation revokes exactly these, so the balance never
    /// goes below what other bookings earned).
    pub earned: i64,
    /// Whether its cancellation was applied already: queues do not promise order, and a
    /// confirmation arriving after its booking's cancellation must earn nothing.
    pub cancelled: bool,
}

/// The entry an event writes, given what the ledger holds for its booking.
pub fn entry_for(event: &BookingEvent, booking: BookingHistory) -> Result<NewEntry, EventError> {
    if event.version != VERSION {
        return Err(EventError::UnsupportedVersion(event.version));
    }
    if event.event_id != BookingEvent::event_id(&event.booking_id, event.kind) {
        return Err(EventError::Inconsistent(format!(
            "event id {} for booking {}",
            event.event_id, event.booking_id
        )));
    }
    let (points, kind) = match event.kind {
        EventKind::BookingConfirmed => {
            let currency = Currency::parse("currency", &event.currency)
                .map_err(|_| EventError::UnknownCurrency(event.currency.clone()))?;
            let amount = Money::from_minor(event.amount, currency);
            let points = points_for(amount).ok_or_else(|| {
                EventError::Inconsistent(format!("{amount} is too large to convert to points"))
            })?;
            (if booking.cancelled { 0 } else { points }, EntryKind::Earn)
        }
        EventKind::BookingCancelled => (-booking.earned.max(0), EntryKind::Revoke),
    };
    Ok(NewEntry {
        entry_id: event.event_id.clone(),
        customer_id: event.customer_id.clone(),
        booking_id: event.booking_id.clone(),
        points,
        kind,
    })
}

/// A balance from ledger points; never below zero.
pub fn balance(points: impl IntoIterator<Item = i64>) -> i64 {
    points.into_iter().fold(0_i64, i64::saturating_add).max(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use airline_booking::events::EventFlight;

    fn event(kind: EventKind, amount: i64, currency: &str) -> BookingEvent {
        BookingEvent {
            version: VERSION,
            event_id: BookingEvent::event_id("bk_1", kind),
            kind,
            booking_id: "bk_1".into(),
            reference: Some("ACEFGH".into()),
            customer_id: "acct_1".into(),
            amount,
            currency: currency.into(),
            flights: vec![EventFlight {
                flight_id: "EA1-20261201".into(),
                departure_utc: "2026-12-01T08:00:00Z".into(),
            }],
            occurred_at: "2026-11-29T12:00:00Z".into(),
        }
    }

    fn money(amount: i64, code: &str) -> Money {
        Money::from_minor(amount, Currency::parse("c", code).unwrap())
    }

    #[test]
    fn points_are_whole_dollars_paid_in_any_currency() {
        assert_eq!(points_for(money(134_700, "USD")), Some(1_347));
        assert_eq!(points_for(money(99, "USD")), Some(0));
        assert_eq!(points_for(money(150_000, "JPY")), Some(1_000));
        assert_eq!(points_for(money(79_000, "GBP")), Some(1_000));
        assert_eq!(points_for(money(-500, "USD")), Some(0));
    }

    #[test]
    fn a_confirmation_earns_and_a_cancellation_revokes_what_was_earned() {
        let none = BookingHistory::default();
        let earned = |points| BookingHistory {
            earned: points,
            cancelled: false,
        };
        let earn = entry_for(&event(EventKind::BookingConfirmed, 134_700, "USD"), none).unwrap();
        assert_eq!(earn.points, 1_347);
        assert_eq!(earn.kind, EntryKind::Earn);
        assert_eq!(earn.entry_id, "bk_1:confirmed");
        let revoke = entry_for(
            &event(EventKind::BookingCancelled, 134_700, "USD"),
            earned(1_347),
        )
        .unwrap();
        assert_eq!(revoke.points, -1_347);
        assert_eq!(revoke.kind, EntryKind::Revoke);
        assert_eq!(revoke.entry_id, "bk_1:cancelled");
        // A cancellation whose confirmation never arrived takes nothing.
        let nothing = entry_for(&event(EventKind::BookingCancelled, 134_700, "USD"), none).unwrap();
        assert_eq!(nothing.points, 0);
        // ...and a confirmation arriving after its cancellation earns nothing either.
        let late = BookingHistory {
            earned: 0,
            cancelled: true,
        };
        let late_earn =
            entry_for(&event(EventKind::BookingConfirmed, 134_700, "USD"), late).unwrap();
        assert_eq!((late_earn.points, late_earn.kind), (0, EntryKind::Earn));
    }

    #[test]
    fn unknown_versions_currencies_and_forged_ids_are_refused() {
        let mut future = event(EventKind::BookingConfirmed, 100, "USD");
        future.version = 2;
        assert_eq!(
            entry_for(&future, BookingHistory::default()),
            Err(EventError::UnsupportedVersion(2))
        );
        let odd = event(EventKind::BookingConfirmed, 100, "XAU");
        assert_eq!(
            entry_for(&odd, BookingHistory::default()),
            Err(EventError::UnknownCurrency("XAU".into()))
        );
        let huge = event(EventKind::BookingConfirmed, i64::MAX, "VND");
        assert!(matches!(
            entry_for(&huge, BookingHistory::default()),
            Err(EventError::Inconsistent(_))
        ));
        let mut forged = event(EventKind::BookingConfirmed, 100, "USD");
        forged.event_id = "bk_2:confirmed".into();
        assert!(matches!(
            entry_for(&forged, BookingHistory::default()),
            Err(EventError::Inconsistent(_))
        ));
    }

    #[test]
    fn balances_never_go_negative() {
        assert_eq!(balance([1_347, -1_347, 200]), 200);
        assert_eq!(balance([100, -300]), 0);
        assert_eq!(balance(Vec::<i64>::new()), 0);
        assert_eq!(balance([i64::MAX, 5]), i64::MAX);
    }
}
