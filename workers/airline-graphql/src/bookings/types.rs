//! The GraphQL objects of bookings and seats, and the inputs that start a booking.

use airline_booking::saga::{
    may_cancel, BookingStatus as DomainStatus, CancelRefusal as DomainRefusal,
};
use airline_booking::views::{self, BookingView};
use async_graphql::connection::PageInfo;
use async_graphql::{Context, Enum, InputObject, Object, SimpleObject, ID};

use super::cursor_of;
use crate::catalog::{Cabin, FareBrand, FareConditions, Flight, Money};
use crate::error::ApiResult;
use crate::store::BookingPage;
use crate::RequestContext;

#[derive(InputObject)]
pub struct CardInput {
    /// A sandbox test card, e.g. 4242 4242 4242 4242 (see the README for the others).
    pub number: String,
    pub exp_month: u32,
    pub exp_year: i32,
    pub cvc: String,
}

#[derive(SimpleObject)]
pub struct PaymentCard {
    /// Pass this as `paymentToken` to processBooking.
    pub token: String,
    pub brand: String,
    pub last4: String,
    pub exp_month: u32,
    pub exp_year: i32,
}

#[derive(InputObject)]
pub struct PassengerInputObject {
    pub first_name: String,
    pub last_name: String,
    /// YYYY-MM-DD.
    pub date_of_birth: Option<String>,
}

#[derive(InputObject, Default)]
pub struct SeatChoice {
    /// One seat per passenger on the outbound flight, e.g. ["12A", "12B"]; omit to have
    /// seats assigned side by side.
    pub outbound: Option<Vec<String>>,
    /// The same for the return flight.
    #[graphql(name = "return")]
    pub return_seats: Option<Vec<String>>,
}

#[derive(InputObject)]
#[graphql(name = "BookingInput")]
pub struct BookingInput {
    pub outbound_flight_id: ID,
    pub return_flight_id: Option<ID>,
    /// 1 to 9 travellers.
    #[graphql(name = "passengers")]
    pub passengers: Vec<PassengerInputObject>,
    pub seats: Option<SeatChoice>,
    /// The cabin the outbound fare buys (see `Flight.cabins`); chosen seats must be in it.
    #[graphql(default)]
    pub outbound_cabin: Cabin,
    /// The cabin the return fare buys; the outbound's if omitted.
    pub return_cabin: Option<Cabin>,
    /// The brand the outbound fare is sold in (see `Flight.fares`): FLEX, the full fare,
    /// if omitted.
    #[graphql(default)]
    pub outbound_brand: FareBrand,
    /// The brand of the return fare; the outbound's if omitted.
    pub return_brand: Option<FareBrand>,
    /// From tokenizeCard (sandbox) or a Stripe PaymentMethod id.
    pub payment_token: String,
    /// Any 8-64 characters of letters, digits, '-' or '_' unique to this booking attempt
    /// (a UUID): sending the same request again returns the same booking.
    pub idempotency_key: String,
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum BookingStatus {
    /// Being processed: seats may be held; nothing is final yet.
    Unconfirmed,
    Confirmed,
    Cancelled,
}

impl From<BookingStatus> for DomainStatus {
    fn from(status: BookingStatus) -> Self {
        match status {
            BookingStatus::Unconfirmed => DomainStatus::Unconfirmed,
            BookingStatus::Confirmed => DomainStatus::Confirmed,
            BookingStatus::Cancelled => DomainStatus::Cancelled,
        }
    }
}

impl From<DomainStatus> for BookingStatus {
    fn from(status: DomainStatus) -> Self {
        match status {
            DomainStatus::Unconfirmed => BookingStatus::Unconfirmed,
            DomainStatus::Confirmed => BookingStatus::Confirmed,
            DomainStatus::Cancelled => BookingStatus::Cancelled,
        }
    }
}

/// Whether a booking may be cancelled now.
#[derive(SimpleObject)]
pub struct Cancellable {
    pub allowed: bool,
    /// Why not, when it may not be.
    pub reason: Option<CancelRefusal>,
    /// The same, in words for the traveller.
    pub message: Option<String>,
    /// What cancelling now gives back, under the conditions the fares were sold with:
    /// the quote the traveller sees before confirming. Null when it may not be cancelled.
    pub refund: Option<Money>,
}

/// Why a booking cannot be cancelled now.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum CancelRefusal {
    AlreadyCancelled,
    /// Still being made (or undone): try again once it is confirmed.
    InProgress,
    /// Its first flight has left.
    Departed,
}

impl From<DomainRefusal> for CancelRefusal {
    fn from(refusal: DomainRefusal) -> Self {
        match refusal {
            DomainRefusal::AlreadyCancelled => CancelRefusal::AlreadyCancelled,
            DomainRefusal::InProgress => CancelRefusal::InProgress,
            DomainRefusal::Departed => CancelRefusal::Departed,
        }
    }
}

/// Why a booking was cancelled.
#[derive(SimpleObject)]
pub struct BookingFailure {
    /// SOLD_OUT, SEAT_UNAVAILABLE, PAYMENT_DECLINED, PAYMENT_FAILED, HOLD_EXPIRED, TIMEOUT
    /// or CANCELLED_BY_CUSTOMER.
    pub code: String,
    pub message: String,
}

#[derive(SimpleObject)]
pub struct Passenger {
    pub first_name: String,
    pub last_name: String,
    pub date_of_birth: Option<String>,
}

/// A flight of a booking, and the booking's currency (the fare's, for a booking from
/// before each flight kept its own).
pub struct BookedFlight(views::BookedFlight, airline_domain::Currency);

#[Object]
impl BookedFlight {
    async fn flight(&self, ctx: &Context<'_>) -> ApiResult<Flight> {
        let request = RequestContext::of(ctx)?;
        Ok(Flight(
            request
                .catalog_flight("flightId", &self.0.flight_id)
                .await?,
        ))
    }
    /// The cabin the fare bought.
    async fn cabin(&self) -> Cabin {
        self.0.cabin.into()
    }
    /// The brand the fare was sold in (FLEX for bookings made before brands were sold).
    async fn brand(&self) -> FareBrand {
        self.0.brand.into()
    }
    /// The conditions the fare was sold with: cancellation and changes go by these, not
    /// by what the brand offers today.
    async fn conditions(&self) -> FareConditions {
        let currency = self
            .0
            .fare_currency
            .as_deref()
            .and_then(|code| airline_domain::Currency::parse("fareCurrency", code).ok())
            .unwrap_or(self.1);
        FareConditions::new(self.0.conditions, currency)
    }
    /// Seats held or sold to this booking, one per passenger in passenger order.
    async fn seats(&self) -> Vec<String> {
        self.0.seats.iter().map(ToString::to_string).collect()
    }
}

pub struct Booking(pub BookingView);

#[Object]
impl Booking {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Six characters, once confirmed, e.g. "K7MXRA".
    async fn reference(&self) -> Option<&str> {
        self.0.reference.as_deref()
    }
    async fn status(&self) -> BookingStatus {
        self.0.status.into()
    }
    /// Why it was cancelled, when it was.
    async fn failure(&self) -> Option<BookingFailure> {
        self.0.failure.as_ref().map(|f| BookingFailure {
            code: f.code.as_str().to_owned(),
            message: f.message.clone(),
        })
    }
    /// The step in progress (e.g. AUTHORIZE_PAYMENT), while not final.
    async fn step(&self) -> Option<&str> {
        self.0.step.as_deref()
    }
    /// Outbound first, then the return flight.
    async fn flights(&self) -> Vec<BookedFlight> {
        let currency = self.0.total.currency();
        self.0
            .flights
            .iter()
            .cloned()
            .map(|flight| BookedFlight(flight, currency))
            .collect()
    }
    async fn passengers(&self) -> Vec<Passenger> {
        self.0
            .passengers
            .iter()
            .map(|p| Passenger {
                first_name: p.first_name.clone(),
                last_name: p.last_name.clone(),
                date_of_birth: p.date_of_birth.map(|d| d.format("%Y-%m-%d").to_string()),
            })
            .collect()
    }
    /// What the booking costs (and, once confirmed, what was paid).
    async fn total(&self) -> Money {
        Money(self.0.total)
    }
    /// What the payment provider has captured for this booking.
    async fn captured(&self) -> Money {
        Money(self.0.amount(self.0.captured_amount))
    }
    /// What has been refunded of it.
    async fn refunded(&self) -> Money {
        Money(self.0.amount(self.0.refunded_amount))
    }
    /// What the traveller has paid and not had back: captured minus refunded.
    async fn amount_paid(&self) -> Money {
        Money(self.0.amount_paid())
    }
    /// Whether the traveller may cancel it now, and if not, why: the rule the booking
    /// itself applies when asked.
    async fn cancellable(&self, ctx: &Context<'_>) -> ApiResult<Cancellable> {
        let request = RequestContext::of(ctx)?;
        let first_departure = self.0.flights.first().map(|f| f.departure_utc);
        Ok(
            match may_cancel(self.0.status, first_departure, request.now) {
                Ok(()) => Cancellable {
                    allowed: true,
                    reason: None,
                    message: None,
                    refund: Some(Money(self.0.refund_on_cancellation())),
                },
                Err(refusal) => Cancellable {
                    allowed: false,
                    reason: Some(refusal.into()),
                    message: Some(refusal.message().to_owned()),
                    refund: None,
                },
            },
        )
    }
    /// Counts the booking's changes: a copy of it with a higher version is newer.
    async fn version(&self) -> u64 {
        self.0.version
    }
    /// While unconfirmed: when the held seats are released if payment has not completed.
    async fn hold_expires_at(&self) -> Option<String> {
        self.0.hold_expires_at.map(airline_domain::utc_text)
    }
    async fn created_at(&self) -> String {
        airline_domain::utc_text(self.0.created_at)
    }
    async fn updated_at(&self) -> String {
        airline_domain::utc_text(self.0.updated_at)
    }
}

#[derive(SimpleObject)]
pub struct BookingConnection {
    edges: Vec<BookingEdge>,
    page_info: PageInfo,
}

#[derive(SimpleObject)]
pub struct BookingEdge {
    cursor: String,
    node: Booking,
}

impl BookingConnection {
    pub(super) fn new(page: BookingPage) -> Self {
        let edges: Vec<BookingEdge> = page
            .bookings
            .into_iter()
            .map(|view| BookingEdge {
                cursor: cursor_of(&view).encode(),
                node: Booking(view),
            })
            .collect();
        let page_info = PageInfo {
            has_previous_page: false,
            has_next_page: page.has_next_page,
            start_cursor: edges.first().map(|e| e.cursor.clone()),
            end_cursor: edges.last().map(|e| e.cursor.clone()),
        };
        Self { edges, page_info }
    }
}

#[derive(SimpleObject)]
pub struct SeatMap {
    pub flight_id: ID,
    /// ICAO type code, e.g. A20N.
    pub aircraft: String,
    pub seats_available: u32,
    pub rows: Vec<SeatRow>,
}

#[derive(SimpleObject)]
pub struct SeatRow {
    pub number: u16,
    /// BUSINESS or ECONOMY.
    pub cabin: String,
    pub exit_row: bool,
    /// Seat letters with "|" for each aisle, e.g. "ABC|DEF".
    pub layout: String,
    pub seats: Vec<Seat>,
}

#[derive(SimpleObject)]
pub struct Seat {
    /// e.g. "12C".
    pub id: String,
    pub cabin: String,
    pub window: bool,
    pub aisle: bool,
    pub exit_row: bool,
    pub status: SeatStatus,
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum SeatStatus {
    Free,
    Held,
    Sold,
    Blocked,
}

impl From<views::SeatMapView> for SeatMap {
    fn from(view: views::SeatMapView) -> Self {
        SeatMap {
            flight_id: ID(view.flight_id),
            aircraft: view.aircraft,
            seats_available: view.seats_available,
            rows: view
                .rows
                .into_iter()
                .map(|row| SeatRow {
                    number: row.number,
                    cabin: row.cabin,
                    exit_row: row.exit_row,
                    layout: row.layout,
                    seats: row
                        .seats
                        .into_iter()
                        .map(|seat| Seat {
                            id: seat.seat.to_string(),
                            cabin: seat.cabin,
                            window: seat.window,
                            aisle: seat.aisle,
                            exit_row: seat.exit_row,
                            status: match seat.status {
                                views::SeatStatus::Free => SeatStatus::Free,
                                views::SeatStatus::Held => SeatStatus::Held,
                                views::SeatStatus::Sold => SeatStatus::Sold,
                                views::SeatStatus::Blocked => SeatStatus::Blocked,
                            },
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}
