//! A booking as its workflow object keeps it. What others see of it is in [`crate::views`];
//! the messages about it, in [`crate::protocol`].

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::events::{BookingEvent, EventFlight, EventKind, VERSION};
use crate::inventory::Hold;
use crate::plan::BookingPlan;
use crate::saga::{BookingStatus, Saga};
use crate::views::{BookedFlight, BookingView, FailureView};

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
                code: f.code(),
                message: f.message(),
            }),
            // In progress for the traveller: not a step that follows a final answer.
            step: self
                .saga
                .step
                .filter(|s| !s.follows_the_answer())
                .map(|s| s.as_str().to_owned()),
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
            total: self.plan.total,
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
