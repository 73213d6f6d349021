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
use airline_booking::saga::BookingStatus as DomainStatus;
use airline_booking::views::BookingView;
use airline_domain::{AccountId, BookingId, Flight, FlightId, InputError, PaymentToken};
use async_graphql::ID;
use chrono::{DateTime, Utc};

use crate::cursor::TimeCursor;
use crate::error::{ApiError, ApiResult};
use crate::store::BookingPage;
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

/// At most this many recently changed bookings may be named to read from their objects.
pub(crate) const MAX_RECENT: usize = 10;

impl RequestContext {
    /// The bookings of `customer` among `recent` (ids the client made or changed moments
    /// ago), read from their own objects, which are their truth: the read model may not
    /// have their copies yet. Ids that are not bookings, or not the customer's, are left
    /// out as if they did not exist.
    pub(crate) async fn fresh_views(
        &self,
        customer: &AccountId,
        recent: &[ID],
    ) -> ApiResult<Vec<BookingView>> {
        if recent.len() > MAX_RECENT {
            return Err(ApiError::BadUserInput(InputError::new(
                "recent",
                format!("names at most {MAX_RECENT} bookings"),
            )));
        }
        let mut ids: Vec<BookingId> = recent
            .iter()
            .filter_map(|id| BookingId::parse(id))
            .collect();
        ids.sort();
        ids.dedup();
        let replies = futures_util::future::join_all(
            ids.iter()
                .map(|id| self.bookings.workflow(id, WorkflowRequest::Get)),
        )
        .await;
        let mut views = Vec::with_capacity(replies.len());
        for reply in replies {
            if let WorkflowReply::Booking { booking } = reply? {
                if &booking.customer_id == customer {
                    views.push(*booking);
                }
            }
        }
        Ok(views)
    }
}

/// A page of the read model, with `fresh` views read from their bookings' objects: each
/// replaces an older copy of itself or joins the page where its order puts it, under the
/// page's status filter and cursor, so a booking made or cancelled moments ago shows as
/// it is. `page` was read with room for `fresh.len()` more than `limit`.
pub(crate) fn merge_fresh(
    page: BookingPage,
    fresh: Vec<BookingView>,
    status: Option<DomainStatus>,
    after: Option<&(DateTime<Utc>, BookingId)>,
    limit: usize,
) -> BookingPage {
    let mut bookings = page.bookings;
    for view in fresh {
        let stale = bookings
            .iter()
            .position(|listed| listed.id == view.id && listed.version <= view.version);
        let newer_listed = bookings
            .iter()
            .any(|listed| listed.id == view.id && listed.version > view.version);
        if newer_listed {
            continue;
        }
        if let Some(index) = stale {
            bookings.remove(index);
        }
        let in_filter = status.is_none_or(|s| view.status == s);
        let in_page = after.is_none_or(|(at, id)| (view.created_at, &view.id) < (*at, id));
        if in_filter && in_page {
            bookings.push(view);
        }
    }
    bookings.sort_by(|a, b| (b.created_at, &b.id).cmp(&(a.created_at, &a.id)));
    let has_next_page = page.has_next_page || bookings.len() > limit;
    bookings.truncate(limit);
    BookingPage {
        bookings,
        has_next_page,
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
