//! The events a booking publishes onto the loyalty queue: versioned JSON whose `eventId`
//! (booking id + kind) lets a consumer ignore redeliveries.

use serde::{Deserialize, Serialize};

/// The one schema version this code writes and reads.
pub const VERSION: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EventKind {
    BookingConfirmed,
    BookingCancelled,
}

impl EventKind {
    fn suffix(&self) -> &'static str {
        match self {
            EventKind::BookingConfirmed => "confirmed",
            EventKind::BookingCancelled => "cancelled",
        }
    }
}

/// A flight of the booking, by id and departure instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventFlight {
    pub flight_id: String,
    /// RFC 3339 UTC, e.g. `2026-12-01T08:30:00Z`.
    pub departure_utc: String,
}

/// `BookingConfirmed` or `BookingCancelled`, as it travels on the queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BookingEvent {
    pub version: u32,
    /// `<bookingId>:confirmed` or `<bookingId>:cancelled`: unique per event, stable across
    /// redeliveries and retries of the publishing step.
    pub event_id: String,
    pub kind: EventKind,
    pub booking_id: String,
    pub reference: Option<String>,
    pub customer_id: String,
    /// What the customer paid (for a cancellation: what was refunded), in minor units.
    pub amount: i64,
    pub currency: String,
    pub flights: Vec<EventFlight>,
    /// RFC 3339 UTC.
    pub occurred_at: String,
}

impl BookingEvent {
    pub fn event_id(booking_id: &str, kind: EventKind) -> String {
        format!("{booking_id}:{}", kind.suffix())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_serialize_to_the_documented_shape() {
        let event = BookingEvent {
            version: VERSION,
            event_id: BookingEvent::event_id("bk_1", EventKind::BookingConfirmed),
            kind: EventKind::BookingConfirmed,
            booking_id: "bk_1".into(),
            reference: Some("ACEFGH".into()),
            customer_id: "acc_1".into(),
            amount: 45_000,
            currency: "USD".into(),
            flights: vec![EventFlight {
                flight_id: "EA117-20261201".into(),
                departure_utc: "2026-12-01T08:30:00Z".into(),
            }],
            occurred_at: "2026-11-29T12:00:00Z".into(),
        };
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json["eventId"], "bk_1:confirmed");
        assert_eq!(json["kind"], "BookingConfirmed");
        assert_eq!(json["flights"][0]["departureUtc"], "2026-12-01T08:30:00Z");
        let back: BookingEvent = serde_json::from_value(json).unwrap();
        assert_eq!(back, event);
    }
}
