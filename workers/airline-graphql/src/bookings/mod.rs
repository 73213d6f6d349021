//! Seats and bookings: the seat map, starting a booking (the saga runs in its workflow
//! object), reading and listing bookings, cancelling, and the payment sandbox's card
//! tokenization. Owners see their own bookings, admins any; anyone else gets NOT_FOUND.
//!
//! [`query`] reads, [`mutation`] changes, [`types`] are the GraphQL objects both return.

mod mutation;
mod query;
mod types;

pub use mutation::BookingMutation;
pub use query::BookingQuery;
pub use types::*;

use airline_auth::Role;
use airline_booking::protocol::{WorkflowReply, WorkflowRequest};
use airline_booking::views::BookingView;
use airline_domain::{AccountId, BookingId, Flight, FlightId, InputError, PaymentToken};
use chrono::{DateTime, Utc};

use crate::cursor::TimeCursor;
use crate::error::{ApiError, ApiResult};
use crate::RequestContext;

const MAX_PAGE: i32 = 50;

impl RequestContext {
    async fn catalog_flight(
        &self,
        field: &'static str,
        id: &str,
    ) -> ApiResult<airline_domain::Flight> {
        let id = FlightId::parse(field, id)?;
        self.store
            .flight(&id)
            .await?
            .ok_or_else(|| ApiError::not_found(format_args!("flight {id}")))
    }

    /// The flights a new booking names (each NOT_FOUND if it does not exist) and the
    /// owner of its payment token, read together (see `BookingService::booking_inputs`).
    async fn booking_inputs(
        &self,
        outbound_id: &str,
        return_id: Option<&str>,
        token: Option<&PaymentToken>,
    ) -> ApiResult<(Flight, Option<Flight>, Option<AccountId>)> {
        let outbound_id = FlightId::parse("outboundFlightId", outbound_id)?;
        let return_id = return_id
            .map(|id| FlightId::parse("returnFlightId", id))
            .transpose()?;
        let ids: Vec<FlightId> = std::iter::once(outbound_id.clone())
            .chain(return_id.clone())
            .collect();
        let inputs = self
            .bookings
            .booking_inputs(self.store.as_ref(), &ids, token)
            .await?;
        let mut found = inputs.flights.into_iter();
        let mut next = |id: &FlightId| {
            found
                .next()
                .flatten()
                .ok_or_else(|| ApiError::not_found(format_args!("flight {id}")))
        };
        let outbound = next(&outbound_id)?;
        let inbound = return_id.as_ref().map(&mut next).transpose()?;
        Ok((outbound, inbound, inputs.card_owner))
    }

    /// The booking if the viewer may see it: its owner or an admin. Anyone else gets the
    /// same NOT_FOUND as for an id that does not exist.
    async fn visible_booking(&self, id: &str) -> ApiResult<BookingView> {
        let principal = self.signed_in()?;
        let missing = || ApiError::not_found(format_args!("booking {id}"));
        let id = BookingId::parse(id).ok_or_else(missing)?;
        let reply = self.bookings.workflow(&id, WorkflowRequest::Get).await?;
        match reply {
            WorkflowReply::Booking { booking }
                if booking.customer_id == principal.account_id || principal.role == Role::Admin =>
            {
                Ok(*booking)
            }
            _ => Err(missing()),
        }
    }
}

/// Where a booking sits in a list of bookings (newest first).
fn cursor_of(view: &BookingView) -> TimeCursor {
    TimeCursor::new(view.created_at, view.id.as_str())
}

/// A cursor from a list of bookings: a time, and an id that is a booking's.
fn decode_cursor(cursor: &str) -> Result<(DateTime<Utc>, BookingId), InputError> {
    let TimeCursor { at, id } = TimeCursor::decode(cursor)?;
    let id = BookingId::parse(&id)
        .ok_or_else(|| InputError::new("after", "is not a cursor from this list"))?;
    Ok((at, id))
}
