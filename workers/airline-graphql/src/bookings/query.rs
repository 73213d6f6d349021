//! Reading bookings and seat maps: one booking, a customer's list, a flight's seats.

use airline_booking::protocol::FlightSetup;
use airline_booking::saga::BookingStatus as DomainStatus;
use airline_domain::InputError;
use async_graphql::{Context, Object, ID};

use super::types::{Booking, BookingConnection, BookingStatus, SeatMap};
use super::{decode_cursor, merge_fresh, MAX_PAGE};
use crate::error::{ApiError, ApiResult};
use crate::RequestContext;

#[derive(Default)]
pub struct BookingQuery;

#[Object]
impl BookingQuery {
    /// A flight's seats and whether each is free, held, sold or blocked. Public, like search.
    async fn seat_map(&self, ctx: &Context<'_>, flight_id: ID) -> ApiResult<SeatMap> {
        let request = RequestContext::of(ctx)?;
        let flight = request.catalog_flight("flightId", &flight_id).await?;
        let view = request
            .bookings
            .seat_map(&FlightSetup {
                flight_id: flight.id.as_str().to_owned(),
                aircraft: flight.aircraft.code().to_owned(),
                seat_capacity: flight.seat_capacity,
            })
            .await?;
        Ok(SeatMap::from(view))
    }

    /// One booking: yours, or any for an admin.
    async fn booking(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Booking> {
        let request = RequestContext::of(ctx)?;
        Ok(Booking(request.visible_booking(&id).await?))
    }

    /// Your bookings, newest first, optionally only those with one status. Admins may
    /// name another customer.
    async fn bookings(
        &self,
        ctx: &Context<'_>,
        status: Option<BookingStatus>,
        #[graphql(default = 20, desc = "Page size, 1 to 50.")] first: Option<i32>,
        after: Option<String>,
        #[graphql(desc = "Admins only: whose bookings.")] customer_id: Option<ID>,
        #[graphql(
            desc = "Bookings this client made or changed moments ago (at most 10): each is read from the booking itself, so the list shows it as it is even before the list's copy has caught up."
        )]
        recent: Option<Vec<ID>>,
    ) -> ApiResult<BookingConnection> {
        let request = RequestContext::of(ctx)?;
        let customer = request.customer_in_view(customer_id)?;
        let limit = first.unwrap_or(20);
        if !(1..=MAX_PAGE).contains(&limit) {
            return Err(ApiError::BadUserInput(InputError::new(
                "first",
                format!("must be between 1 and {MAX_PAGE}"),
            )));
        }
        let limit = limit as usize;
        let after = after.as_deref().map(decode_cursor).transpose()?;
        let status = status.map(DomainStatus::from);
        let recent = recent.unwrap_or_default();
        let (page, fresh) = futures_util::future::join(
            request
                .bookings
                .list(&customer, status, limit + recent.len(), after.clone()),
            request.fresh_views(&customer, &recent),
        )
        .await;
        let page = merge_fresh(page?, fresh?, status, after.as_ref(), limit);
        Ok(BookingConnection::new(page))
    }
}
