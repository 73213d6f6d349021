//! Changing bookings: tokenizing a sandbox card, starting a booking, moving its seats,
//! cancelling one.

use airline_booking::plan::{self, BookingRequest, PassengerInput};
use airline_booking::protocol::{WorkflowReply, WorkflowRequest};
use airline_booking::saga::{BookingStatus as DomainStatus, SeatChangeRefusal};
use airline_booking::seatmap::SeatId;
use airline_domain::{AccountId, InputError, PaymentToken};
use airline_payments::sandbox::{self, CardInput as SandboxCard};
use async_graphql::{Context, Object, ID};

use super::types::{Booking, BookingInput, CardInput, PaymentCard};
use crate::error::{ApiError, ApiResult};
use crate::store::PaymentMode;
use crate::RequestContext;

#[derive(Default)]
pub struct BookingMutation;

#[Object]
impl BookingMutation {
    /// Sandbox payments only: turns a test card into a payment token for processBooking.
    /// The card number is never stored. (With Stripe, the browser tokenizes with
    /// Stripe.js and passes the `pm_...` id instead.)
    async fn tokenize_card(&self, ctx: &Context<'_>, input: CardInput) -> ApiResult<PaymentCard> {
        let request = RequestContext::of(ctx)?;
        let principal = request.signed_in()?;
        if request.bookings.payment_mode() != PaymentMode::Sandbox {
            return Err(ApiError::BadUserInput(InputError::new(
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
        )?;
        let token = request
            .bookings
            .save_card(&principal.account_id, &card, request.now)
            .await?;
        Ok(PaymentCard {
            token: token.into_string(),
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
    async fn process_booking(&self, ctx: &Context<'_>, input: BookingInput) -> ApiResult<Booking> {
        let request = RequestContext::of(ctx)?;
        let principal = request.signed_in()?;
        // A token that does not parse has no owner; plan_booking says what is wrong with it.
        let token = PaymentToken::parse("paymentToken", input.payment_token.trim()).ok();
        let (outbound, inbound, card_owner) = request
            .booking_inputs(
                &input.outbound_flight_id,
                input.return_flight_id.as_ref().map(|id| id.as_str()),
                token.as_ref(),
            )
            .await?;
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
            outbound_cabin: input.outbound_cabin.into(),
            return_cabin: input.return_cabin.map(Into::into),
            outbound_brand: input.outbound_brand.into(),
            return_brand: input.return_brand.map(Into::into),
            payment_token: input.payment_token,
        };
        let reply =
            match plan::plan_booking(&booking_request, &outbound, inbound.as_ref(), request.now) {
                Ok(plan) => {
                    check_payment_token(
                        request.bookings.payment_mode(),
                        card_owner.as_ref(),
                        &principal.account_id,
                        &plan.payment_token,
                    )?;
                    request
                        .bookings
                        .workflow(
                            &plan.booking_id.clone(),
                            WorkflowRequest::Start {
                                plan: Box::new(plan),
                            },
                        )
                        .await?
                }
                // A retry of a booking already made must get that booking, even once the
                // request would no longer be accepted as new (sales closed meanwhile).
                Err(refusal) => {
                    let id = plan::booking_id(&principal.account_id, &input.idempotency_key);
                    let existing = request.bookings.workflow(&id, WorkflowRequest::Get).await?;
                    match existing {
                        WorkflowReply::Booking { .. } => existing,
                        _ => return Err(ApiError::BadUserInput(refusal)),
                    }
                }
            };
        match reply {
            WorkflowReply::Booking { booking } => match (&booking.status, &booking.failure) {
                (DomainStatus::Cancelled, Some(failure)) => Err(ApiError::BookingFailed {
                    code: failure.code,
                    message: failure.message.clone(),
                    booking_id: booking.id.clone(),
                }),
                _ => Ok(Booking(*booking)),
            },
            WorkflowReply::Conflict { message } => Err(ApiError::conflict(message)),
            WorkflowReply::NotFound
            | WorkflowReply::CannotCancel { .. }
            | WorkflowReply::Copy { .. }
            | WorkflowReply::SandboxAnswer { .. }
            | WorkflowReply::CannotChangeSeats { .. }
            | WorkflowReply::SeatsUnavailable { .. } => Err(ApiError::internal(
                "start booking",
                "the workflow object refused a new plan",
            )),
        }
    }

    /// Moves the passengers' seats on one flight of a confirmed booking, until check-in
    /// closes an hour before departure: one seat per passenger, in passenger order, in the
    /// cabin the fare bought (any seat there that nobody else has, the passengers' own
    /// included, so they may swap). Free within the fare; asking for the seats they have
    /// changes nothing. Owner or admin.
    async fn change_seats(
        &self,
        ctx: &Context<'_>,
        booking_id: ID,
        flight_id: ID,
        seats: Vec<String>,
    ) -> ApiResult<Booking> {
        let request = RequestContext::of(ctx)?;
        let booking = request.visible_booking(&booking_id).await?;
        let seats = seats
            .iter()
            .map(|text| {
                SeatId::parse(text.trim())
                    .map_err(|e| ApiError::BadUserInput(InputError::new("seats", e.to_string())))
            })
            .collect::<ApiResult<Vec<SeatId>>>()?;
        let reply = request
            .bookings
            .workflow(
                &booking.id,
                WorkflowRequest::ChangeSeats {
                    flight_id: flight_id.to_string(),
                    seats,
                },
            )
            .await?;
        match reply {
            WorkflowReply::Booking { booking } => Ok(Booking(*booking)),
            WorkflowReply::CannotChangeSeats { refusal, message } => Err(match refusal {
                SeatChangeRefusal::UnknownFlight => {
                    ApiError::BadUserInput(InputError::new("flightId", message))
                }
                SeatChangeRefusal::WrongCount => {
                    ApiError::BadUserInput(InputError::new("seats", message))
                }
                SeatChangeRefusal::NotConfirmed
                | SeatChangeRefusal::InProgress
                | SeatChangeRefusal::Closed => ApiError::conflict(message),
            }),
            // Taken, in another cabin, not on this aircraft: the booking keeps its seats.
            WorkflowReply::SeatsUnavailable { message } => {
                Err(ApiError::BadUserInput(InputError::new("seats", message)))
            }
            WorkflowReply::NotFound => Err(ApiError::not_found(format_args!(
                "booking {}",
                booking_id.as_str()
            ))),
            WorkflowReply::Conflict { message } => Err(ApiError::conflict(message)),
            WorkflowReply::CannotCancel { .. }
            | WorkflowReply::Copy { .. }
            | WorkflowReply::SandboxAnswer { .. } => Err(ApiError::internal(
                "change seats",
                "the workflow object answered another question",
            )),
        }
    }

    /// Cancels a confirmed booking before departure: the payment is refunded, the seats
    /// are released and a BookingCancelled event goes to the loyalty service. Owner or admin.
    async fn cancel_booking(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Booking> {
        let request = RequestContext::of(ctx)?;
        let booking = request.visible_booking(&id).await?;
        let reply = request
            .bookings
            .workflow(&booking.id, WorkflowRequest::Cancel)
            .await?;
        match reply {
            WorkflowReply::Booking { booking } => Ok(Booking(*booking)),
            WorkflowReply::CannotCancel { message, .. } => Err(ApiError::conflict(message)),
            WorkflowReply::NotFound => {
                Err(ApiError::not_found(format_args!("booking {}", id.as_str())))
            }
            WorkflowReply::Conflict { message } => Err(ApiError::conflict(message)),
            WorkflowReply::Copy { .. }
            | WorkflowReply::SandboxAnswer { .. }
            | WorkflowReply::CannotChangeSeats { .. }
            | WorkflowReply::SeatsUnavailable { .. } => Err(ApiError::internal(
                "cancel booking",
                "the workflow object answered another question",
            )),
        }
    }
}

/// A payment token must be usable by this customer: in the sandbox, one of their own
/// tokenized cards (`card_owner`, read with the flights); with Stripe, a PaymentMethod id.
fn check_payment_token(
    mode: PaymentMode,
    card_owner: Option<&AccountId>,
    customer: &AccountId,
    token: &PaymentToken,
) -> ApiResult<()> {
    let usable = match mode {
        PaymentMode::Sandbox => card_owner == Some(customer),
        PaymentMode::Stripe => token.as_str().starts_with("pm_"),
    };
    if usable {
        Ok(())
    } else {
        Err(ApiError::BadUserInput(InputError::new(
            "paymentToken",
            "is not a payment token of yours; tokenize a card first",
        )))
    }
}
