//! What a traveller is told when the airline changes one of their flights: which booking,
//! what happened, in words. Ids are derived from the booking and the change, so telling
//! someone twice (a retried admin action, a reconciliation run) stores and sends once.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum NotificationKind {
    FlightCancelled,
    FlightRetimed,
}

impl NotificationKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::FlightCancelled => "FLIGHT_CANCELLED",
            Self::FlightRetimed => "FLIGHT_RETIMED",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::FlightCancelled, Self::FlightRetimed]
            .into_iter()
            .find(|kind| kind.as_str() == text)
    }
}

/// One message to one traveller about one booking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    pub id: String,
    pub customer_id: String,
    pub booking_id: String,
    pub kind: NotificationKind,
    pub message: String,
}

/// The booking was cancelled because the airline cancelled `flight_id`.
pub fn flight_cancelled(
    booking_id: &str,
    customer_id: &str,
    flight_id: &str,
    reason: &str,
) -> Notification {
    Notification {
        id: format!("{booking_id}:flight-cancelled"),
        customer_id: customer_id.to_owned(),
        booking_id: booking_id.to_owned(),
        kind: NotificationKind::FlightCancelled,
        message: format!(
            "We are sorry: flight {flight_id} is cancelled ({reason}). Your booking is \
             cancelled and refunded in full."
        ),
    }
}

/// `flight_id` now leaves at `new_local` instead of `old_local` (local times at the
/// departure airport, as the timetable shows them).
pub fn flight_retimed(
    booking_id: &str,
    customer_id: &str,
    flight_id: &str,
    old_local: &str,
    new_local: &str,
) -> Notification {
    Notification {
        id: format!("{booking_id}:flight-retimed:{flight_id}:{new_local}"),
        customer_id: customer_id.to_owned(),
        booking_id: booking_id.to_owned(),
        kind: NotificationKind::FlightRetimed,
        message: format!(
            "Flight {flight_id} now departs at {new_local} local time (it was {old_local}). \
             Your booking and seats stay as they are; you may cancel for a full refund."
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_change_to_the_same_booking_is_one_notification() {
        let a = flight_cancelled("bk_1", "acct_1", "EA117-20261125", "crew shortage");
        let b = flight_cancelled("bk_1", "acct_1", "EA117-20261125", "crew shortage");
        assert_eq!(a.id, b.id);
        assert_ne!(
            a.id,
            flight_cancelled("bk_2", "acct_1", "EA117-20261125", "crew shortage").id
        );
        assert!(a.message.contains("crew shortage") && a.message.contains("refunded in full"));

        let first = flight_retimed(
            "bk_1",
            "acct_1",
            "EA117-20261125",
            "2026-11-25T10:00",
            "2026-11-25T10:40",
        );
        let again = flight_retimed(
            "bk_1",
            "acct_1",
            "EA117-20261125",
            "2026-11-25T10:00",
            "2026-11-25T10:40",
        );
        let later = flight_retimed(
            "bk_1",
            "acct_1",
            "EA117-20261125",
            "2026-11-25T10:40",
            "2026-11-25T11:30",
        );
        assert_eq!(first.id, again.id);
        assert_ne!(first.id, later.id, "each new time is news");
        assert!(first.message.contains("10:40") && first.message.contains("10:00"));
    }

    #[test]
    fn kinds_read_back() {
        for kind in [
            NotificationKind::FlightCancelled,
            NotificationKind::FlightRetimed,
        ] {
            assert_eq!(NotificationKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(NotificationKind::parse("SPAM"), None);
    }
}
