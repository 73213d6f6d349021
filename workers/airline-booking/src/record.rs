//! A booking as its workflow object keeps it, the public view of it that D1 and the API
//! share, and the messages the Worker and the two Durable Objects exchange.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::events::{BookingEvent, EventFlight, EventKind, VERSION};
use crate::inventory::Hold;
use crate::plan::{BookingPlan, Passenger};
use crate::saga::{BookingStatus, Saga};
use crate::seatmap::SeatId;

/// Everything the workflow object persists for one booking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BookingRecord {
    pub plan: BookingPlan,
    pub saga: Saga,
    /// Chosen once (before CONFIRM_BOOKING writes it) so a retried step reuses it.
    pub reference: Option<String>,
    /// The seats held on each flight, in the order of `plan.flights`.
    pub holds: Vec<Option<Hold>>,
    /// The payment provider's id for the authorization.
    pub payment_id: Option<String>,
    pub updated_at: DateTime<Utc>,
}

impl BookingRecord {
    pub fn new(plan: BookingPlan, saga: Saga) -> Self {
        let flights = plan.flights.len();
        Self {
            updated_at: plan.created_at,
            plan,
            saga,
            reference: None,
            holds: vec![None; flights],
            payment_id: None,
        }
    }

    pub fn status(&self) -> BookingStatus {
        self.saga.status()
    }

    /// What the customer, the API and the D1 list see.
    pub fn view(&self) -> BookingView {
        let status = self.status();
        BookingView {
            id: self.plan.booking_id.clone(),
            customer_id: self.plan.customer_id.clone(),
            reference: self.reference.clone().filter(|_| self.saga.confirmed),
            status,
            failure: self.saga.failure.as_ref().map(|f| FailureView {
                code: f.code().to_owned(),
                message: f.message(),
            }),
            step: self.saga.step.map(|s| s.as_str().to_owned()),
            flights: self
                .plan
                .flights
                .iter()
                .zip(&self.holds)
                .map(|(flight, hold)| BookedFlight {
                    flight_id: flight.flight_id.clone(),
                    departure_utc: flight.departure_utc,
                    // Seats are shown while held or sold; a cancelled booking has none.
                    seats: match (status, hold) {
                        (BookingStatus::Cancelled, _) | (_, None) => Vec::new(),
                        (_, Some(hold)) => hold.seats.clone(),
                    },
                })
                .collect(),
            passengers: self.plan.passengers.clone(),
            total_amount: self.plan.total_amount,
            total_currency: self.plan.total_currency.clone(),
            hold_expires_at: match status {
                BookingStatus::Unconfirmed => self
                    .holds
                    .iter()
                    .flatten()
                    .filter_map(|h| h.expires_at)
                    .min(),
                _ => None,
            },
            created_at: self.plan.created_at,
            updated_at: self.updated_at,
        }
    }

    /// The event announcing this booking's confirmation or cancellation.
    pub fn event(&self, kind: EventKind, now: DateTime<Utc>) -> BookingEvent {
        BookingEvent {
            version: VERSION,
            event_id: BookingEvent::event_id(&self.plan.booking_id, kind),
            kind,
            booking_id: self.plan.booking_id.clone(),
            reference: self.reference.clone(),
            customer_id: self.plan.customer_id.clone(),
            amount: self.plan.total_amount,
            currency: self.plan.total_currency.clone(),
            flights: self
                .plan
                .flights
                .iter()
                .map(|f| EventFlight {
                    flight_id: f.flight_id.clone(),
                    departure_utc: f
                        .departure_utc
                        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                })
                .collect(),
            occurred_at: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FailureView {
    pub code: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BookedFlight {
    pub flight_id: String,
    pub departure_utc: DateTime<Utc>,
    pub seats: Vec<SeatId>,
}

/// A booking as shown: stored as JSON in D1's `bookings.details` and returned by the
/// workflow object, so a list and a single booking read the same.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BookingView {
    pub id: String,
    pub customer_id: String,
    pub reference: Option<String>,
    pub status: BookingStatus,
    pub failure: Option<FailureView>,
    /// The saga step in progress (`None` when final).
    pub step: Option<String>,
    pub flights: Vec<BookedFlight>,
    pub passengers: Vec<Passenger>,
    pub total_amount: i64,
    pub total_currency: String,
    pub hold_expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The Worker's requests to a booking's workflow object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "camelCase")]
pub enum WorkflowRequest {
    /// Start the booking, or return it if this plan's booking exists already.
    Start { plan: Box<BookingPlan> },
    /// The booking as it stands (resuming a stalled saga first).
    Get,
    /// Cancel a confirmed booking (refund, release, CANCELLED).
    Cancel,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "camelCase")]
pub enum WorkflowReply {
    Booking {
        booking: Box<BookingView>,
    },
    NotFound,
    /// The idempotency key was used for a different request.
    Conflict {
        message: String,
    },
    /// Cancellation refused: the booking is not (yet) confirmed, or has departed.
    CannotCancel {
        message: String,
    },
}

/// What identifies a flight's inventory and lets it build its seat map on first use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FlightSetup {
    pub flight_id: String,
    pub aircraft: String,
    pub seat_capacity: u32,
}

/// Requests to a flight's inventory object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "camelCase")]
pub enum InventoryRequest {
    SeatMap {
        flight: FlightSetup,
    },
    Hold {
        flight: FlightSetup,
        booking_id: String,
        passengers: usize,
        seats: Vec<SeatId>,
        ttl_seconds: i64,
    },
    Confirm {
        booking_id: String,
    },
    Release {
        booking_id: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "camelCase")]
pub enum InventoryReply {
    Held { hold: Hold },
    Confirmed { seats: Vec<SeatId> },
    Released,
    SeatMap { seat_map: SeatMapView },
    SoldOut { requested: usize, available: usize },
    SeatUnavailable { message: String },
    HoldExpired,
    NoHold,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SeatStatus {
    Free,
    Held,
    Sold,
    Blocked,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SeatView {
    pub seat: SeatId,
    pub cabin: String,
    pub window: bool,
    pub aisle: bool,
    pub exit_row: bool,
    pub status: SeatStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RowView {
    pub number: u16,
    pub cabin: String,
    pub exit_row: bool,
    /// Seat letters with `|` where an aisle runs, e.g. `ABC|DEF`.
    pub layout: String,
    pub seats: Vec<SeatView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SeatMapView {
    pub flight_id: String,
    pub aircraft: String,
    pub seats_available: u32,
    pub rows: Vec<RowView>,
}
