//! Executing one saga step: the I/O behind each `Step`, and what came back as a
//! `StepOutcome` (a result, and the facts learned on the way). Nothing here decides what
//! happens next; `airline_booking::saga` does. Each step is idempotent, keyed by the
//! booking id: the inventory hands back a booking's existing hold, payments carry
//! `<booking id>:<op>` idempotency keys, and a reference claimed again by its own booking
//! is simply still its.

use airline_booking::protocol::{
    FlightSetup, InventoryReply, InventoryRequest, ReferenceReply, ReferenceRequest,
};
use airline_booking::record::{BookingRecord, FlightSeats, PaymentState};
use airline_booking::reference;
use airline_booking::saga::{Fact, Failure, Step, StepOutcome, StepResult};
use airline_payments::platform::Provider;
use airline_payments::sandbox::{self, CardBehaviour};
use airline_payments::{PaymentError, PaymentRequest};
use airline_platform::bindings::{DATABASE, FLIGHT_INVENTORY, REFERENCE_REGISTRY};
use airline_platform::call_object;
use airline_platform::trace::{self, CallKind};
use futures_util::future::join_all;
use serde::Deserialize;
use worker::Env;

use crate::storage::Store;
use crate::workflow_config::WorkflowConfig;

/// How many references one claim step draws before it backs off: a draw is taken by
/// another booking once in millions, twice in a row practically never.
const REFERENCE_DRAWS: usize = 3;

fn outcome(result: StepResult) -> StepOutcome {
    StepOutcome::new(result)
}

fn transient(what: &str, e: impl std::fmt::Display) -> StepOutcome {
    outcome(StepResult::Transient(format!("{what}: {e}")))
}

/// Runs `step` for `record`, on behalf of the request `driver` (none: the alarm). Local
/// steps have nothing to execute: what they decide is written with the state.
pub(crate) async fn run(
    env: &Env,
    config: &WorkflowConfig,
    store: &Store,
    record: &BookingRecord,
    step: Step,
    driver: Option<&str>,
) -> StepOutcome {
    let calls = Calls { env, driver };
    match step {
        Step::HoldSeats => hold_seats(&calls, config, record).await,
        Step::AuthorizePayment => authorize(&calls, config, store, record).await,
        Step::CapturePayment | Step::VoidPayment | Step::RefundPayment => {
            payment_call(&calls, config, store, record, step).await
        }
        Step::ConfirmSeats => confirm_seats(&calls, record).await,
        Step::MoveSeats => move_seats(&calls, record).await,
        Step::ClaimReference => claim_reference(&calls, record).await,
        Step::ReleaseSeats => release_seats(&calls, record).await,
        Step::ConfirmBooking | Step::MarkCancelled => outcome(StepResult::Done),
    }
}

/// Where a step's calls go, and the request they are made for (for the logs and traces
/// of the objects and services they reach).
struct Calls<'a> {
    env: &'a Env,
    driver: Option<&'a str>,
}

async fn inventory_call(
    calls: &Calls<'_>,
    flight_id: &str,
    message: &InventoryRequest,
) -> Result<InventoryReply, String> {
    call_object(
        calls.env,
        FLIGHT_INVENTORY,
        flight_id,
        message,
        calls.driver,
    )
    .await
    .map_err(|e| e.to_string())
}

/// Holds seats flight by flight, outbound first: a refusal stops there, and the flights
/// after it are not asked (so a sold-out outbound costs one call).
async fn hold_seats(
    calls: &Calls<'_>,
    config: &WorkflowConfig,
    record: &BookingRecord,
) -> StepOutcome {
    let mut facts = Vec::new();
    let flights = &record.plan.flights;
    for (index, flight) in flights.iter().enumerate() {
        if let Some(seats) = record.seats.get(index).filter(|s| s.hold().is_some()) {
            // Held by an earlier attempt: the inventory would hand the same hold back.
            facts.push(Fact::Seats {
                index,
                seats: seats.clone(),
            });
            continue;
        }
        let message = InventoryRequest::Hold {
            flight: FlightSetup {
                flight_id: flight.flight_id.clone(),
                aircraft: flight.aircraft.clone(),
                seat_capacity: flight.seat_capacity,
            },
            booking_id: record.plan.booking_id.clone(),
            passengers: record.plan.passengers.len(),
            cabin: flight.cabin,
            seats: flight.seats.clone(),
            ttl_seconds: config.hold_ttl.num_seconds(),
        };
        let result = match inventory_call(calls, &flight.flight_id, &message).await {
            Ok(InventoryReply::Held { hold }) => {
                facts.push(Fact::Seats {
                    index,
                    seats: FlightSeats::Held { hold },
                });
                continue;
            }
            Ok(InventoryReply::SoldOut { .. }) => StepResult::Failed(Failure::SoldOut {
                flight_id: flight.flight_id.clone(),
            }),
            Ok(InventoryReply::SeatUnavailable { message }) => {
                StepResult::Failed(Failure::SeatUnavailable {
                    flight_id: flight.flight_id.clone(),
                    message: format!("flight {}: {message}", flight.flight_id),
                })
            }
            Ok(other) => StepResult::Transient(format!("unexpected inventory reply {other:?}")),
            Err(e) => StepResult::Transient(e),
        };
        if matches!(result, StepResult::Failed(_)) {
            // A refusal is an answer: nothing is held there (the inventory hands an
            // existing hold back rather than refuse it), and the flights after it were
            // not asked.
            facts.push(Fact::Seats {
                index,
                seats: FlightSeats::Refused,
            });
            facts.extend((index + 1..flights.len()).map(|index| Fact::Seats {
                index,
                seats: FlightSeats::NotAsked,
            }));
        }
        return StepOutcome { result, facts };
    }
    StepOutcome {
        result: StepResult::Done,
        facts,
    }
}

/// Moves the booking's sold seats on one flight where the traveller asked
/// (`record.seat_change`). The flight's refusal is an answer, not a fault.
async fn move_seats(calls: &Calls<'_>, record: &BookingRecord) -> StepOutcome {
    let Some(change) = &record.seat_change else {
        return outcome(StepResult::Done);
    };
    let Some(flight) = record.plan.flights.get(change.flight_index) else {
        return outcome(StepResult::Failed(Failure::SeatUnavailable {
            flight_id: String::new(),
            message: "that flight is not part of this booking".to_owned(),
        }));
    };
    let message = InventoryRequest::Reseat {
        flight: FlightSetup {
            flight_id: flight.flight_id.clone(),
            aircraft: flight.aircraft.clone(),
            seat_capacity: flight.seat_capacity,
        },
        booking_id: record.plan.booking_id.clone(),
        cabin: flight.cabin,
        seats: change.seats.clone(),
    };
    let refused = |message: String| {
        outcome(StepResult::Failed(Failure::SeatUnavailable {
            flight_id: flight.flight_id.clone(),
            message,
        }))
    };
    match inventory_call(calls, &flight.flight_id, &message).await {
        Ok(InventoryReply::Confirmed { seats }) => outcome(StepResult::Done).with(Fact::Seats {
            index: change.flight_index,
            seats: FlightSeats::Sold { seats },
        }),
        Ok(InventoryReply::SeatUnavailable { message }) => refused(message),
        Ok(InventoryReply::NoHold) => {
            refused("the booking has no seats on this flight to move".to_owned())
        }
        Ok(other) => outcome(StepResult::Transient(format!(
            "unexpected inventory reply {other:?}"
        ))),
        Err(e) => outcome(StepResult::Transient(e)),
    }
}

fn payment_failure(error: PaymentError) -> StepResult {
    match error {
        PaymentError::Declined { message, .. } => {
            StepResult::Failed(Failure::PaymentDeclined { message })
        }
        PaymentError::Transient(why) => StepResult::Transient(why),
        PaymentError::Permanent(why) => StepResult::Failed(Failure::PaymentFailed {
            message: format!("the payment could not be completed ({why})"),
        }),
    }
}

#[derive(Deserialize)]
struct BehaviourRow {
    behaviour: String,
}

/// What the sandbox card behind `token` does: the token says, or, for a token made
/// before tokens carried it, the token store does (read through a D1 session, so a
/// replica can answer). `None` for a token the sandbox does not know.
async fn card_behaviour(
    calls: &Calls<'_>,
    token: &str,
) -> Result<Option<CardBehaviour>, PaymentError> {
    if let Some(behaviour) = sandbox::token_behaviour(token) {
        return Ok(Some(behaviour));
    }
    trace::call(CallKind::D1SessionRead, None, calls.driver).await;
    let lookup = async {
        let session = calls
            .env
            .d1(DATABASE)?
            .with_session(Some("first-unconstrained"))?;
        let statement = session
            .prepare("SELECT behaviour FROM payment_tokens WHERE token = ?1")
            .bind(&[token.into()])?;
        statement.first::<BehaviourRow>(None).await
    };
    let row = lookup
        .await
        .map_err(|e| PaymentError::Transient(format!("token store: {e}")))?;
    row.map(|row| {
        CardBehaviour::parse("behaviour", &row.behaviour)
            .map_err(|e| PaymentError::Permanent(e.to_string()))
    })
    .transpose()
}

async fn authorize(
    calls: &Calls<'_>,
    config: &WorkflowConfig,
    store: &Store,
    record: &BookingRecord,
) -> StepOutcome {
    let sandbox = match store.sandbox() {
        Ok(sandbox) => sandbox,
        Err(e) => return transient("sandbox store", e),
    };
    let provider = match Provider::new(&config.payments, sandbox) {
        Ok(provider) => provider,
        Err(e) => return outcome(payment_failure(e)),
    };
    let card = match &provider {
        Provider::Sandbox(_) => {
            match card_behaviour(calls, record.plan.payment_token.as_str()).await {
                Ok(card) => card,
                Err(e) => return outcome(payment_failure(e)),
            }
        }
        Provider::Stripe(_) => None,
    };
    let request = PaymentRequest {
        idempotency_key: record.plan.booking_id.to_string(),
        amount: record.plan.total,
        payment_token: record.plan.payment_token.clone(),
        description: format!("Edge Airline booking {}", record.plan.booking_id),
        booking_id: record.plan.booking_id.clone(),
        customer_id: record.plan.customer_id.clone(),
    };
    match provider.authorize(&request, card, calls.driver).await {
        Ok(authorization) => {
            outcome(StepResult::Done).with(Fact::Payment(PaymentState::Authorized {
                id: authorization.payment_id,
            }))
        }
        Err(e) => outcome(payment_failure(e)),
    }
}

async fn payment_call(
    calls: &Calls<'_>,
    config: &WorkflowConfig,
    store: &Store,
    record: &BookingRecord,
    step: Step,
) -> StepOutcome {
    let sandbox = match store.sandbox() {
        Ok(sandbox) => sandbox,
        Err(e) => return transient("sandbox store", e),
    };
    let provider = match Provider::new(&config.payments, sandbox) {
        Ok(provider) => provider,
        Err(e) => return outcome(StepResult::Transient(e.to_string())),
    };
    let key = record.plan.booking_id.as_str();
    let payment_id = record.payment.id();
    let (result, after) = match step {
        Step::CapturePayment => (
            provider.capture(key, payment_id, calls.driver).await,
            PaymentState::Captured {
                id: payment_id.unwrap_or(key).to_owned(),
            },
        ),
        Step::VoidPayment => (
            provider.void(key, payment_id, calls.driver).await,
            PaymentState::Voided,
        ),
        // A refund gives back what is due: nothing, for fares that refund nothing, keeps
        // the payment instead.
        _ => {
            let id = payment_id.unwrap_or(key).to_owned();
            let due = record.refund_due();
            if due.amount_minor() == 0 {
                (provider.retain(key).await, PaymentState::Retained { id })
            } else {
                (
                    provider.refund(key, payment_id, &due, calls.driver).await,
                    PaymentState::Refunded {
                        id,
                        amount: Some(due.amount_minor()),
                    },
                )
            }
        }
    };
    match result {
        Ok(()) => outcome(StepResult::Done).with(Fact::Payment(after)),
        Err(e) => outcome(payment_failure(e)),
    }
}

/// Turns every flight's hold into sold seats, all flights at once.
async fn confirm_seats(calls: &Calls<'_>, record: &BookingRecord) -> StepOutcome {
    let calls = record
        .plan
        .flights
        .iter()
        .enumerate()
        .filter(|(index, _)| !matches!(record.seats.get(*index), Some(FlightSeats::Sold { .. })))
        .map(|(index, flight)| async move {
            let message = InventoryRequest::Confirm {
                booking_id: record.plan.booking_id.clone(),
            };
            (
                index,
                flight,
                inventory_call(calls, &flight.flight_id, &message).await,
            )
        });
    let mut result = StepResult::Done;
    let mut facts = Vec::new();
    for (index, flight, reply) in join_all(calls).await {
        let failed = match reply {
            Ok(InventoryReply::Confirmed { seats }) => {
                facts.push(Fact::Seats {
                    index,
                    seats: FlightSeats::Sold { seats },
                });
                continue;
            }
            Ok(InventoryReply::HoldExpired) | Ok(InventoryReply::NoHold) => {
                StepResult::Failed(Failure::HoldExpired {
                    flight_id: flight.flight_id.clone(),
                })
            }
            Ok(other) => StepResult::Transient(format!("unexpected inventory reply {other:?}")),
            Err(e) => StepResult::Transient(e),
        };
        // A refusal outweighs a flight to try again.
        if !matches!(result, StepResult::Failed(_)) {
            result = failed;
        }
    }
    StepOutcome { result, facts }
}

/// Frees whatever this booking may hold or own, on every flight at once.
async fn release_seats(calls: &Calls<'_>, record: &BookingRecord) -> StepOutcome {
    let calls = record
        .plan
        .flights
        .iter()
        .enumerate()
        .filter(|(index, _)| {
            record
                .seats
                .get(*index)
                .is_some_and(FlightSeats::may_hold_seats)
        })
        .map(|(index, flight)| async move {
            let message = InventoryRequest::Release {
                booking_id: record.plan.booking_id.clone(),
            };
            (
                index,
                inventory_call(calls, &flight.flight_id, &message).await,
            )
        });
    let mut result = StepResult::Done;
    let mut facts = Vec::new();
    for (index, reply) in join_all(calls).await {
        match reply {
            Ok(InventoryReply::Released) => facts.push(Fact::Seats {
                index,
                seats: FlightSeats::Released,
            }),
            Ok(other) => result = StepResult::Transient(format!("release: unexpected {other:?}")),
            Err(e) => result = StepResult::Transient(format!("release: {e}")),
        }
    }
    StepOutcome { result, facts }
}

/// Draws a reference and claims it in its registry; another draw if it is taken.
async fn claim_reference(calls: &Calls<'_>, record: &BookingRecord) -> StepOutcome {
    let booking_id = &record.plan.booking_id;
    for _ in 0..REFERENCE_DRAWS {
        let Some(drawn) = draw_reference() else {
            return transient("reference", "no randomness");
        };
        let message = ReferenceRequest::Claim {
            reference: drawn.clone(),
            booking_id: booking_id.clone(),
        };
        let registry = reference::shard(&drawn);
        match call_object(
            calls.env,
            REFERENCE_REGISTRY,
            registry,
            &message,
            calls.driver,
        )
        .await
        {
            Ok(ReferenceReply::Held { booking_id: holder }) if holder == *booking_id => {
                return outcome(StepResult::Done).with(Fact::Reference(Some(drawn)))
            }
            Ok(ReferenceReply::Taken) | Ok(ReferenceReply::Held { .. }) => continue,
            Ok(other) => return transient("reference", format!("unexpected {other:?}")),
            Err(e) => return transient("reference", e),
        }
    }
    outcome(StepResult::Transient(
        "every reference drawn was taken".to_owned(),
    ))
    .with(Fact::Reference(None))
}

fn draw_reference() -> Option<String> {
    let mut bytes = [0_u8; 32];
    getrandom::fill(&mut bytes).ok()?;
    reference::from_random(&bytes)
}
