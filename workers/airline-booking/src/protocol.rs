//! The messages the Worker and the two Durable Objects exchange: requests to a booking's
//! workflow object and to a flight's inventory object, and their replies. Both sides
//! (de)serialise these types, so they cannot drift apart.

use airline_domain::BookingId;
use serde::{Deserialize, Serialize};

use crate::inventory::Hold;
use crate::plan::BookingPlan;
use crate::seatmap::SeatId;
use crate::views::{BookingView, SeatMapView};

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
    /// The airline cancelled `flight_id`, one of the booking's flights: the same path
    /// with a full refund and the reason FLIGHT_CANCELLED. Idempotent.
    CancelForFlight { flight_id: String },
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
        booking_id: BookingId,
        passengers: usize,
        seats: Vec<SeatId>,
        ttl_seconds: i64,
    },
    Confirm {
        booking_id: BookingId,
    },
    Release {
        booking_id: BookingId,
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
