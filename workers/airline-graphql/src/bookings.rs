//! Seats and bookings: the seat map, starting a booking (the saga runs in its workflow
//! object), reading and listing bookings, cancelling, and the payment sandbox's card
//! tokenization. Owners see their own bookings, admins any; anyone else gets NOT_FOUND.

use airline_auth::Role;
use airline_booking::payments::sandbox::{self, CardInput as SandboxCard};
use airline_booking::plan::{self, BookingRequest, PassengerInput};
use airline_booking::protocol::{FlightSetup, WorkflowReply, WorkflowRequest};
use airline_booking::saga::BookingStatus as DomainStatus;
use airline_booking::views::{self, BookingView};
use airline_domain::{Currency, FlightId, InputError};
use async_graphql::connection::PageInfo;
use async_graphql::{Context, Enum, InputObject, Object, Result, SimpleObject, ID};
use chrono::{DateTime, SecondsFormat, Utc};

use crate::catalog::{Flight, Money};
use crate::cursor::TimeCursor;
use crate::error::{bad_input, booking_failed, conflict, not_found};
use crate::store::{BookingPage, PaymentMode};
use crate::RequestContext;

const MAX_PAGE: i32 = 50;

impl RequestContext {
    async fn catalog_flight(
        &self,
        field: &'static str,
        id: &str,
    ) -> Result<airline_domain::Flight> {
        let id = FlightId::parse(field, id).map_err(bad_input)?;
        self.store
            .flight(&id)
            .await
            .map_err(|e| self.internal(e))?
            .ok_or_else(|| not_found(format_args!("flight {id}")))
    }

    /// The booking if the viewer may see it: its owner or an admin. Anyone else gets the
    /// same NOT_FOUND as for an id that does not exist.
    async fn visible_booking(&self, id: &str) -> Result<BookingView> {
        let principal = self.signed_in()?;
        let missing = || not_found(format_args!("booking {id}"));
        if !plan::is_booking_id(id) {
            return Err(missing());
        }
        let reply = self
            .bookings
            .workflow(id, WorkflowRequest::Get)
            .await
            .map_err(|e| self.internal(e))?;
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

#[derive(Default)]
pub struct BookingQuery;

#[Object]
impl BookingQuery {
    /// A flight's seats and whether each is free, held, sold or blocked. Public, like search.
    async fn seat_map(&self, ctx: &Context<'_>, flight_id: ID) -> Result<SeatMap> {
        let request = RequestContext::of(ctx)?;
        let flight = request.catalog_flight("flightId", &flight_id).await?;
        let view = request
            .bookings
            .seat_map(&FlightSetup {
                flight_id: flight.id.as_str().to_owned(),
                aircraft: flight.aircraft.code().to_owned(),
                seat_capacity: flight.seat_capacity,
            })
            .await
            .map_err(|e| request.internal(e))?;
        Ok(SeatMap::from(view))
    }

    /// One booking: yours, or any for an admin.
    async fn booking(&self, ctx: &Context<'_>, id: ID) -> Result<Booking> {
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
    ) -> Result<BookingConnection> {
        let request = RequestContext::of(ctx)?;
        let customer = request.customer_in_view(customer_id)?;
        let limit = first.unwrap_or(20);
        if !(1..=MAX_PAGE).contains(&limit) {
            return Err(bad_input(InputError::new(
                "first",
                format!("must be between 1 and {MAX_PAGE}"),
            )));
        }
        let after = after
            .as_deref()
            .map(decode_cursor)
            .transpose()
            .map_err(bad_input)?;
        let page = request
            .bookings
            .list(
                &customer,
                status.map(DomainStatus::from),
                limit as usize,
                after,
            )
            .await
            .map_err(|e| request.internal(e))?;
        Ok(BookingConnection::new(page))
    }
}

#[derive(Default)]
pub struct BookingMutation;

#[Object]
impl BookingMutation {
    /// Sandbox payments only: turns a test card into a payment token for processBooking.
    /// The card number is never stored. (With Stripe, the browser tokenizes with
    /// Stripe.js and passes the `pm_...` id instead.)
    async fn tokenize_card(&self, ctx: &Context<'_>, input: CardInput) -> Result<PaymentCard> {
        let request = RequestContext::of(ctx)?;
        let principal = request.signed_in()?;
        if request.bookings.payment_mode() != PaymentMode::Sandbox {
            return Err(bad_input(InputError::new(
                "input",
                "card details are not accepted here; tokenize the card with Stripe.js",
            )));
        }
        let card = sandbox::tokenize(
            SandboxCard {
                number: &input.number,
                exp_month: input.exp_month,
                exp_year: input.exp_year,
                cvc: &input.cvc,
            },
            request.now.date_naive(),
        )
        .map_err(bad_input)?;
        let token = request
            .bookings
            .save_card(&principal.account_id, &card, request.now)
            .await
            .map_err(|e| request.internal(e))?;
        Ok(PaymentCard {
            token,
            brand: card.brand,
            last4: card.last4,
            exp_month: card.exp_month,
            exp_year: card.exp_year,
        })
    }

    /// Books seats on a flight (and its return) and pays. The answer comes when the
    /// booking is final, normally within a second; if a step is being retried it comes
    /// as UNCONFIRMED and `booking(id)` shows the rest. The same `idempotencyKey` always
    /// gives the same booking. A booking that fails is CANCELLED with nothing kept or
    /// charged, and the error's code says why: SOLD_OUT, SEAT_UNAVAILABLE,
    /// PAYMENT_DECLINED, PAYMENT_FAILED, HOLD_EXPIRED or TIMEOUT.
    async fn process_booking(&self, ctx: &Context<'_>, input: BookingInput) -> Result<Booking> {
        let request = RequestContext::of(ctx)?;
        let principal = request.signed_in()?;
        let outbound = request
            .catalog_flight("outboundFlightId", &input.outbound_flight_id)
            .await?;
        let inbound = match &input.return_flight_id {
            Some(id) => Some(request.catalog_flight("returnFlightId", id).await?),
            None => None,
        };
        let seats = input.seats.unwrap_or_default();
        let booking_request = BookingRequest {
            customer_id: principal.account_id.clone(),
            idempotency_key: input.idempotency_key.clone(),
            passengers: input
                .passengers
                .into_iter()
                .map(|p| PassengerInput {
                    first_name: p.first_name,
                    last_name: p.last_name,
                    date_of_birth: p.date_of_birth,
                })
                .collect(),
            outbound_seats: seats.outbound.unwrap_or_default(),
            return_seats: seats.return_seats.unwrap_or_default(),
            payment_token: input.payment_token,
        };
        let reply =
            match plan::plan_booking(&booking_request, &outbound, inbound.as_ref(), request.now) {
                Ok(plan) => {
                    check_payment_token(request, &principal.account_id, &plan.payment_token)
                        .await?;
                    request
                        .bookings
                        .workflow(
                            &plan.booking_id.clone(),
                            WorkflowRequest::Start {
                                plan: Box::new(plan),
                            },
                        )
                        .await
                        .map_err(|e| request.internal(e))?
                }
                // A retry of a booking already made must get that booking, even once the
                // request would no longer be accepted as new (sales closed meanwhile).
                Err(refusal) => {
                    let id = plan::booking_id(&principal.account_id, &input.idempotency_key);
                    let existing = request
                        .bookings
                        .workflow(&id, WorkflowRequest::Get)
                        .await
                        .map_err(|e| request.internal(e))?;
                    match existing {
                        WorkflowReply::Booking { .. } => existing,
                        _ => return Err(bad_input(refusal)),
                    }
                }
            };
        match reply {
            WorkflowReply::Booking { booking } => match (&booking.status, &booking.failure) {
                (DomainStatus::Cancelled, Some(failure)) => {
                    Err(booking_failed(&failure.code, &failure.message, &booking.id))
                }
                _ => Ok(Booking(*booking)),
            },
            WorkflowReply::Conflict { message } => Err(conflict(&message)),
            WorkflowReply::NotFound | WorkflowReply::CannotCancel { .. } => {
                Err(crate::error::internal(&request.request_id))
            }
        }
    }

    /// Cancels a confirmed booking before departure: the payment is refunded, the seats
    /// are released and a BookingCancelled event goes to the loyalty service. Owner or admin.
    async fn cancel_booking(&self, ctx: &Context<'_>, id: ID) -> Result<Booking> {
        let request = RequestContext::of(ctx)?;
        let booking = request.visible_booking(&id).await?;
        let reply = request
            .bookings
            .workflow(&booking.id, WorkflowRequest::Cancel)
            .await
            .map_err(|e| request.internal(e))?;
        match reply {
            WorkflowReply::Booking { booking } => Ok(Booking(*booking)),
            WorkflowReply::CannotCancel { message } => Err(conflict(&message)),
            WorkflowReply::NotFound => Err(not_found(format_args!("booking {}", id.as_str()))),
            WorkflowReply::Conflict { message } => Err(conflict(&message)),
        }
    }
}

/// A payment token must be usable by this customer: in the sandbox, one of their own
/// tokenized cards; with Stripe, a PaymentMethod id.
async fn check_payment_token(request: &RequestContext, customer: &str, token: &str) -> Result<()> {
    let usable = match request.bookings.payment_mode() {
        PaymentMode::Sandbox => {
            request
                .bookings
                .card_owner(token)
                .await
                .map_err(|e| request.internal(e))?
                .as_deref()
                == Some(customer)
        }
        PaymentMode::Stripe => token.starts_with("pm_") && token.len() <= 255,
    };
    if usable {
        Ok(())
    } else {
        Err(bad_input(InputError::new(
            "paymentToken",
            "is not a payment token of yours; tokenize a card first",
        )))
    }
}

/// Where a booking sits in a list of bookings (newest first).
fn cursor_of(view: &BookingView) -> TimeCursor {
    TimeCursor::new(view.created_at, view.id.clone())
}

/// A cursor from a list of bookings: a time, and an id that is a booking's.
fn decode_cursor(cursor: &str) -> Result<(DateTime<Utc>, String), InputError> {
    let TimeCursor { at, id } = TimeCursor::decode(cursor)?;
    if !plan::is_booking_id(&id) {
        return Err(InputError::new("after", "is not a cursor from this list"));
    }
    Ok((at, id))
}

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

pub struct BookedFlight(views::BookedFlight);

#[Object]
impl BookedFlight {
    async fn flight(&self, ctx: &Context<'_>) -> Result<Flight> {
        let request = RequestContext::of(ctx)?;
        Ok(Flight(
            request
                .catalog_flight("flightId", &self.0.flight_id)
                .await?,
        ))
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
        ID(self.0.id.clone())
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
            code: f.code.clone(),
            message: f.message.clone(),
        })
    }
    /// The step in progress (e.g. AUTHORIZE_PAYMENT), while not final.
    async fn step(&self) -> Option<&str> {
        self.0.step.as_deref()
    }
    /// Outbound first, then the return flight.
    async fn flights(&self) -> Vec<BookedFlight> {
        self.0.flights.iter().cloned().map(BookedFlight).collect()
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
    async fn total(&self) -> Result<Money> {
        let currency = Currency::parse("currency", &self.0.total_currency).map_err(bad_input)?;
        Ok(Money(airline_domain::Money::from_minor(
            self.0.total_amount,
            currency,
        )))
    }
    /// While unconfirmed: when the held seats are released if payment has not completed.
    async fn hold_expires_at(&self) -> Option<String> {
        self.0
            .hold_expires_at
            .map(|at| at.to_rfc3339_opts(SecondsFormat::Secs, true))
    }
    async fn created_at(&self) -> String {
        self.0.created_at.to_rfc3339_opts(SecondsFormat::Secs, true)
    }
    async fn updated_at(&self) -> String {
        self.0.updated_at.to_rfc3339_opts(SecondsFormat::Secs, true)
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
    fn new(page: BookingPage) -> Self {
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
