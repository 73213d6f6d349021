//! A booking as its own Durable Object keeps it: the system of record for that booking.
//! What others see of it is in [`crate::views`] (D1's read model stores that view); the
//! messages about it, in [`crate::protocol`] and [`crate::events`]; the decisions on it,
//! in [`crate::saga`].

use airline_domain::Money;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::events::{BookingEvent, EventFlight, EventKind, VERSION};
use crate::inventory::Hold;
use crate::plan::BookingPlan;
use crate::saga::state::{BookingStatus, Saga, Step};
use crate::seatmap::SeatId;
use crate::views::{BookedFlight, BookingView, FailureView};

fn claimed() -> bool {
    true
}

/// Where the booking's seats stand on one of its flights, as far as the booking knows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FlightSeats {
    /// Not asked for yet.
    NotAsked,
    /// Asked for a hold with no answer yet: a hold may exist.
    Asked,
    Held {
        hold: Hold,
    },
    /// The flight refused (sold out, a chosen seat taken): nothing is held there.
    Refused,
    Sold {
        seats: Vec<SeatId>,
    },
    Released,
}

/// Where the booking's payment stands, as far as the booking knows. The provider's
/// payment id is kept once known; a lost answer leaves the state at the ask
/// (`Authorizing`), which compensation treats as "an authorization may exist".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PaymentState {
    NotStarted,
    Authorizing,
    Authorized {
        id: String,
    },
    Captured {
        id: String,
    },
    Voided,
    /// Some or all of it given back: `amount` in minor units of the total's currency
    /// (`None`, from before partial refunds, is all of it).
    Refunded {
        id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        amount: Option<i64>,
    },
    /// Kept whole when the booking was cancelled: its fares refund nothing.
    Retained {
        id: String,
    },
}

impl PaymentState {
    /// The provider's id of the payment, once known.
    pub fn id(&self) -> Option<&str> {
        match self {
            PaymentState::Authorized { id }
            | PaymentState::Captured { id }
            | PaymentState::Refunded { id, .. }
            | PaymentState::Retained { id } => Some(id),
            _ => None,
        }
    }
}

/// Seats a confirmed booking asked to move to on one of its flights.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SeatChange {
    /// The flight's place in `plan.flights`.
    pub flight_index: usize,
    /// One per passenger, in passenger order.
    pub seats: Vec<SeatId>,
}

/// Everything the booking's object persists for one booking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BookingRecord {
    pub plan: BookingPlan,
    pub saga: Saga,
    /// The seats on each flight, in the order of `plan.flights`.
    pub seats: Vec<FlightSeats>,
    pub payment: PaymentState,
    /// Claimed (unique among all bookings) before the booking is confirmed, and kept.
    pub reference: Option<String>,
    /// Whether `reference` is known to the reference registry as this booking's: always,
    /// for a reference this object claimed; for one from before the registry, once it has
    /// been registered.
    #[serde(default = "claimed")]
    pub reference_claimed: bool,
    /// What cancelling gives back, in minor units of the total's currency: fixed when the
    /// traveller's own cancellation is accepted, by the conditions each fare was sold
    /// with. `None` gives back all that was captured: the airline's cancellations, a
    /// booking that failed after its capture, and cancellations before brands were sold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund_due: Option<i64>,
    /// A seat change the traveller asked for and the flight has not yet made: the
    /// `MoveSeats` step's work, kept until it is done or refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seat_change: Option<SeatChange>,
    /// Why the last seat change was refused by the flight, for the answer to the
    /// traveller who asked; cleared by the next request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seat_change_refused: Option<String>,
    /// When it was confirmed; kept when it is cancelled later (its reference shows, and
    /// its cancellation is announced).
    pub confirmed_at: Option<DateTime<Utc>>,
    /// Counts every change the object persisted: the read model keeps the highest it
    /// has seen, so a late copy never overwrites a newer one.
    pub version: u64,
    pub updated_at: DateTime<Utc>,
}

impl BookingRecord {
    pub fn new(plan: BookingPlan, saga: Saga) -> Self {
        let flights = plan.flights.len();
        Self {
            updated_at: plan.created_at,
            plan,
            saga,
            seats: vec![FlightSeats::NotAsked; flights],
            payment: PaymentState::NotStarted,
            reference: None,
            reference_claimed: true,
            refund_due: None,
            seat_change: None,
            seat_change_refused: None,
            confirmed_at: None,
            version: 1,
        }
    }

    pub fn status(&self) -> BookingStatus {
        self.saga.status()
    }

    /// The step the saga is waiting on, for the traveller ("AUTHORIZE_PAYMENT"); `None`
    /// once confirmed or cancelled.
    pub fn step_in_progress(&self) -> Option<Step> {
        self.pending_steps().first().copied()
    }

    /// What was captured and what was refunded: the traveller owes the difference.
    pub fn money_moved(&self) -> (Money, Money) {
        let total = self.plan.total;
        let zero = Money::from_minor(0, total.currency());
        match self.payment {
            PaymentState::Captured { .. } | PaymentState::Retained { .. } => (total, zero),
            PaymentState::Refunded { amount, .. } => (
                total,
                amount.map_or(total, |minor| Money::from_minor(minor, total.currency())),
            ),
            _ => (zero, zero),
        }
    }

    /// What the refund owed now gives back of the captured total (see `refund_due`).
    pub fn refund_due(&self) -> Money {
        let total = self.plan.total;
        self.refund_due.map_or(total, |minor| {
            Money::from_minor(minor.clamp(0, total.amount_minor()), total.currency())
        })
    }

    /// What the customer, the API and the D1 list see.
    pub fn view(&self) -> BookingView {
        let status = self.status();
        let (captured, refunded) = self.money_moved();
        BookingView {
            id: self.plan.booking_id.clone(),
            customer_id: self.plan.customer_id.clone(),
            reference: self
                .reference
                .clone()
                .filter(|_| self.confirmed_at.is_some()),
            status,
            failure: self.saga.failure().map(|f| FailureView {
                code: f.code(),
                message: f.message(),
            }),
            step: self.step_in_progress().map(|s| s.as_str().to_owned()),
            flights: self
                .plan
                .flights
                .iter()
                .zip(&self.seats)
                .map(|(flight, seats)| BookedFlight {
                    flight_id: flight.flight_id.clone(),
                    departure_utc: flight.departure_utc,
                    cabin: flight.cabin,
                    brand: flight.brand,
                    conditions: flight.conditions,
                    fare_currency: Some(flight.fare_currency.clone()),
                    // Seats are shown while held or sold; a cancelled booking has none.
                    seats: match status {
                        BookingStatus::Cancelled => Vec::new(),
                        _ => seats.seats().to_vec(),
                    },
                })
                .collect(),
            passengers: self.plan.passengers.clone(),
            total: self.plan.total,
            captured_amount: captured.amount_minor(),
            refunded_amount: refunded.amount_minor(),
            cancellation_refund: Some(self.plan.refund_on_cancellation().amount_minor()),
            hold_expires_at: match status {
                BookingStatus::Unconfirmed => self
                    .seats
                    .iter()
                    .filter_map(FlightSeats::hold)
                    .filter_map(|h| h.expires_at)
                    .min(),
                _ => None,
            },
            version: self.version,
            created_at: self.plan.created_at,
            updated_at: self.updated_at,
        }
    }

    /// The event announcing this booking's confirmation or cancellation.
    pub fn event(&self, kind: EventKind, now: DateTime<Utc>) -> BookingEvent {
        BookingEvent {
            version: VERSION,
            event_id: BookingEvent::event_id(self.plan.booking_id.as_str(), kind),
            kind,
            booking_id: self.plan.booking_id.to_string(),
            reference: self.reference.clone(),
            customer_id: self.plan.customer_id.to_string(),
            amount: self.plan.total.amount_minor(),
            currency: self.plan.total.currency().code().to_owned(),
            flights: self
                .plan
                .flights
                .iter()
                .map(|f| EventFlight {
                    flight_id: f.flight_id.clone(),
                    departure_utc: airline_domain::utc_text(f.departure_utc),
                })
                .collect(),
            occurred_at: airline_domain::utc_text(now),
        }
    }
}
