//! The messages the Worker and the Durable Objects exchange: requests to a booking's
//! workflow object, a flight's inventory object and a booking reference's object, and
//! their replies. Both sides (de)serialise these types, so they cannot drift apart.

use airline_domain::{BookingId, Cabin};
use serde::{Deserialize, Serialize};

use crate::inventory::Hold;
use crate::plan::BookingPlan;
use crate::read_model::BookingCopy;
use crate::saga::{CancelRefusal, SeatChangeRefusal};
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
    /// The booking's copy for the read model, as it stands (resuming a stalled saga
    /// first): what the reconciliation run repairs the read model with.
    Copy,
    /// Move the passengers' seats on one of the booking's flights (one seat each, in
    /// passenger order). Asking for the seats they have changes nothing.
    ChangeSeats {
        flight_id: String,
        seats: Vec<SeatId>,
    },
    /// A call to the payment sandbox's Stripe-compatible face for this booking's payment,
    /// which the sandbox keeps in the booking's own storage (local runs and tests only).
    SandboxStripe {
        method: String,
        path: String,
        body: String,
        idempotency_key: Option<String>,
    },
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
        refusal: CancelRefusal,
        message: String,
    },
    Copy {
        copy: Box<BookingCopy>,
    },
    /// A seat change refused by the booking's rules (not confirmed, too late, …).
    CannotChangeSeats {
        refusal: SeatChangeRefusal,
        message: String,
    },
    /// A seat change the flight refused (a seat taken, in another cabin, …): the
    /// booking keeps its seats.
    SeatsUnavailable {
        message: String,
    },
    /// The sandbox's answer to a `SandboxStripe` call, and whether it is a replay.
    SandboxAnswer {
        status: u16,
        body: String,
        replayed: bool,
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
        /// The cabin the fare buys: the only seats held. Economy when a message from a
        /// version before cabins names none.
        #[serde(default)]
        cabin: Cabin,
        seats: Vec<SeatId>,
        ttl_seconds: i64,
    },
    Confirm {
        booking_id: BookingId,
    },
    Release {
        booking_id: BookingId,
    },
    /// Move a booking's sold seats to `seats` (one per passenger, in the fare's cabin).
    /// Idempotent.
    Reseat {
        flight: FlightSetup,
        booking_id: BookingId,
        #[serde(default)]
        cabin: Cabin,
        seats: Vec<SeatId>,
    },
    /// The bookings holding or owning seats on this flight now: its own list, which
    /// disruption and the reconciliation run trust over any copy.
    Bookings,
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
    Bookings { bookings: Vec<BookingOnFlight> },
}

/// A booking with seats on a flight, as its inventory knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BookingOnFlight {
    pub booking_id: BookingId,
    /// Sold (the booking is confirmed, or being cancelled) rather than held.
    pub sold: bool,
}

/// Requests to a reference registry (one per two-character prefix of the references it
/// keeps, see `reference::shard`): who holds a reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "camelCase")]
pub enum ReferenceRequest {
    /// Claim `reference` for `booking_id`; claiming it again for the same booking is
    /// harmless.
    Claim {
        reference: String,
        booking_id: BookingId,
    },
    /// Which booking holds `reference`, if any.
    Holder { reference: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "camelCase")]
pub enum ReferenceReply {
    /// Held by this booking (`Claim`), or by `booking_id` (`Holder`).
    Held {
        booking_id: BookingId,
    },
    /// Another booking holds it: draw another.
    Taken,
    Free,
}
