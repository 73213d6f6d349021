//! Executing one saga step: the I/O behind each `Step`, and the translation of what came
//! back into a `StepResult`. Each step is idempotent, keyed by the booking id: the
//! inventory recognises a booking's existing hold, payments carry `<booking id>:<op>`
//! idempotency keys, D1 writes are upserts, and queue events carry a stable event id.

use airline_booking::events::{BookingEvent, EventKind};
use airline_booking::inventory::Hold;
use airline_booking::payments::{PaymentError, PaymentRequest};
use airline_booking::protocol::{FlightSetup, InventoryReply, InventoryRequest};
use airline_booking::record::BookingRecord;
use airline_booking::reference;
use airline_booking::saga::{BookingStatus, Failure, Step, StepResult};
use airline_booking::views::BookingView;
use airline_domain::utc_text;
use chrono::Utc;
use worker::wasm_bindgen::JsValue;
use worker::{console_warn, Env};

use crate::config::WorkflowConfig;
use airline_platform::bindings::{DATABASE, FLIGHT_INVENTORY, LOYALTY_EVENTS};
use airline_platform::{call_object, sql};

use crate::payments::Provider;

/// What a step produced: its result for the saga, and facts to keep in the record.
pub struct StepOutcome {
    pub result: StepResult,
    pub update: RecordUpdate,
}

/// Facts a step learned, kept even when the step as a whole did not finish (a hold on
/// the outbound flight is worth remembering when the return flight is sold out).
#[derive(Default)]
pub struct RecordUpdate {
    holds: Vec<(usize, Option<Hold>)>,
    payment_id: Option<String>,
    reference: Option<Option<String>>,
    /// The first flight's inventory refused: nothing is held (see `Saga::nothing_held`).
    nothing_held: bool,
}

impl RecordUpdate {
    pub fn apply_to(&self, record: &mut BookingRecord) {
        if self.nothing_held {
            record.saga.nothing_held();
        }
        for (index, hold) in &self.holds {
            if let Some(slot) = record.holds.get_mut(*index) {
                *slot = hold.clone();
            }
        }
        if let Some(id) = &self.payment_id {
            record.payment_id = Some(id.clone());
        }
        if let Some(reference) = &self.reference {
            record.reference = reference.clone();
        }
    }
}

fn outcome(result: StepResult) -> StepOutcome {
    StepOutcome {
        result,
        update: RecordUpdate::default(),
    }
}

fn transient(what: &str, e: impl std::fmt::Display) -> StepOutcome {
    outcome(StepResult::Transient(format!("{what}: {e}")))
}

pub async fn run(
    env: &Env,
    config: &WorkflowConfig,
    record: &BookingRecord,
    step: Step,
) -> StepOutcome {
    match step {
        Step::HoldSeats => hold_seats(env, config, record).await,
        Step::AuthorizePayment => authorize(env, config, record).await,
        Step::RecordBooking => write_booking(env, record, step).await,
        Step::CapturePayment => payment_call(env, config, record, step).await,
        Step::ConfirmSeats => confirm_seats(env, record).await,
        Step::ConfirmBooking => confirm_booking(env, record).await,
        Step::Publish => publish(env, record, EventKind::BookingConfirmed).await,
        Step::VoidPayment | Step::RefundPayment => payment_call(env, config, record, step).await,
        Step::ReleaseSeats => release_seats(env, record).await,
        Step::MarkCancelled => write_booking(env, record, step).await,
        Step::PublishCancellation => publish(env, record, EventKind::BookingCancelled).await,
    }
}

async fn inventory_call(
    env: &Env,
    flight_id: &str,
    message: &InventoryRequest,
) -> Result<InventoryReply, String> {
    call_object(env, FLIGHT_INVENTORY, flight_id, message, None)
        .await
        .map_err(|e| e.to_string())
}

async fn hold_seats(env: &Env, config: &WorkflowConfig, record: &BookingRecord) -> StepOutcome {
    let mut update = RecordUpdate::default();
    for (index, flight) in record.plan.flights.iter().enumerate() {
        let message = InventoryRequest::Hold {
            flight: FlightSetup {
                flight_id: flight.flight_id.clone(),
                aircraft: flight.aircraft.clone(),
                seat_capacity: flight.seat_capacity,
            },
            booking_id: record.plan.booking_id.clone(),
            passengers: record.plan.passengers.len(),
            seats: flight.seats.clone(),
            ttl_seconds: config.hold_ttl.num_seconds(),
        };
        let result = match inventory_call(env, &flight.flight_id, &message).await {
            Ok(InventoryReply::Held { hold }) => {
                update.holds.push((index, Some(hold)));
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
        // A refusal is an answer: on the first flight it means nothing is held anywhere.
        update.nothing_held = index == 0 && matches!(result, StepResult::Failed(_));
        return StepOutcome { result, update };
    }
    StepOutcome {
        result: StepResult::Done,
        update,
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

async fn authorize(env: &Env, config: &WorkflowConfig, record: &BookingRecord) -> StepOutcome {
    let provider = match Provider::new(env, &config.payments) {
        Ok(provider) => provider,
        Err(e) => return outcome(payment_failure(e)),
    };
    let request = PaymentRequest {
        idempotency_key: record.plan.booking_id.to_string(),
        amount: record.plan.total,
        payment_token: record.plan.payment_token.clone(),
        description: format!("Edge Airline booking {}", record.plan.booking_id),
        booking_id: record.plan.booking_id.clone(),
        customer_id: record.plan.customer_id.clone(),
    };
    match provider.authorize(&request).await {
        Ok(authorization) => StepOutcome {
            result: StepResult::Done,
            update: RecordUpdate {
                payment_id: Some(authorization.payment_id),
                ..RecordUpdate::default()
            },
        },
        Err(e) => outcome(payment_failure(e)),
    }
}

async fn payment_call(
    env: &Env,
    config: &WorkflowConfig,
    record: &BookingRecord,
    step: Step,
) -> StepOutcome {
    let provider = match Provider::new(env, &config.payments) {
        Ok(provider) => provider,
        Err(e) => return outcome(StepResult::Transient(e.to_string())),
    };
    let key = record.plan.booking_id.as_str();
    let payment_id = record.payment_id.as_deref();
    let result = match step {
        Step::CapturePayment => match payment_id {
            Some(id) => {
                provider
                    .capture(key, id, record.plan.payment_token.as_str())
                    .await
            }
            None => Err(PaymentError::Permanent("nothing was authorized".to_owned())),
        },
        Step::VoidPayment => provider.void(key, payment_id).await,
        _ => provider.refund(key, payment_id).await,
    };
    match result {
        Ok(()) => outcome(StepResult::Done),
        Err(e) => outcome(payment_failure(e)),
    }
}

async fn confirm_seats(env: &Env, record: &BookingRecord) -> StepOutcome {
    let mut update = RecordUpdate::default();
    for (index, flight) in record.plan.flights.iter().enumerate() {
        let message = InventoryRequest::Confirm {
            booking_id: record.plan.booking_id.clone(),
        };
        let result = match inventory_call(env, &flight.flight_id, &message).await {
            Ok(InventoryReply::Confirmed { seats }) => {
                update.holds.push((
                    index,
                    Some(Hold {
                        seats,
                        expires_at: None,
                    }),
                ));
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
        return StepOutcome { result, update };
    }
    StepOutcome {
        result: StepResult::Done,
        update,
    }
}

async fn release_seats(env: &Env, record: &BookingRecord) -> StepOutcome {
    let mut update = RecordUpdate::default();
    for (index, flight) in record.plan.flights.iter().enumerate() {
        let message = InventoryRequest::Release {
            booking_id: record.plan.booking_id.clone(),
        };
        match inventory_call(env, &flight.flight_id, &message).await {
            Ok(InventoryReply::Released) => update.holds.push((index, None)),
            Ok(other) => return transient("release", format!("unexpected reply {other:?}")),
            Err(e) => return transient("release", e),
        }
    }
    StepOutcome {
        result: StepResult::Done,
        update,
    }
}

/// The booking as D1 should show it once `step` has succeeded.
fn view_after(record: &BookingRecord, step: Step) -> airline_booking::views::BookingView {
    let mut next = record.clone();
    next.saga.apply(step, StepResult::Done, Utc::now());
    next.updated_at = Utc::now();
    next.view()
}

/// RECORD_BOOKING (UNCONFIRMED) and MARK_CANCELLED: one upsert of the booking row. The
/// cancellation of a confirmed booking records its BookingCancelled event in the same
/// transaction (the outbox), so the loyalty ledger cannot miss it.
async fn write_booking(env: &Env, record: &BookingRecord, step: Step) -> StepOutcome {
    let view = view_after(record, step);
    let event = (step == Step::MarkCancelled && record.saga.confirmed)
        .then(|| record.event(EventKind::BookingCancelled, Utc::now()));
    let written = write_view(
        env,
        sql::bookings::UPSERT,
        &view,
        event.as_ref(),
        |details| {
            vec![
                view.id.as_str().into(),
                view.customer_id.as_str().into(),
                view.status.as_str().into(),
                (view.total.amount_minor() as f64).into(),
                view.total.currency().code().into(),
                details.into(),
                utc_text(view.created_at).into(),
                utc_text(view.updated_at).into(),
            ]
        },
    );
    match written.await {
        Ok(()) => outcome(StepResult::Done),
        Err(why) => outcome(StepResult::Transient(why)),
    }
}

/// CONFIRMED with a booking reference, and the BookingConfirmed event in the outbox, in
/// one transaction. The reference is chosen once and kept in the record, so a retry writes
/// the same one; if another booking has it already, the step picks a new one and tries
/// again.
async fn confirm_booking(env: &Env, record: &BookingRecord) -> StepOutcome {
    let reference = match &record.reference {
        Some(reference) => reference.clone(),
        None => match new_reference() {
            Some(reference) => reference,
            None => return transient("reference", "no randomness"),
        },
    };
    let mut with_reference = record.clone();
    with_reference.reference = Some(reference.clone());
    let view = view_after(&with_reference, Step::ConfirmBooking);
    debug_assert_eq!(view.status, BookingStatus::Confirmed);
    let event = with_reference.event(EventKind::BookingConfirmed, Utc::now());
    let written = write_view(
        env,
        sql::bookings::CONFIRM,
        &view,
        Some(&event),
        |details| {
            vec![
                view.id.as_str().into(),
                reference.as_str().into(),
                details.into(),
                utc_text(view.updated_at).into(),
            ]
        },
    );
    match written.await {
        Ok(()) => StepOutcome {
            result: StepResult::Done,
            update: RecordUpdate {
                reference: Some(Some(reference)),
                ..RecordUpdate::default()
            },
        },
        Err(why) if why.contains("UNIQUE") => StepOutcome {
            // Taken by another booking: forget it; the retry draws a new one.
            result: StepResult::Transient("booking reference collision".to_owned()),
            update: RecordUpdate {
                reference: Some(None),
                ..RecordUpdate::default()
            },
        },
        Err(why) => StepOutcome {
            result: StepResult::Transient(why),
            update: RecordUpdate {
                reference: Some(Some(reference)),
                ..RecordUpdate::default()
            },
        },
    }
}

/// Writes a booking's view to its D1 row: `statement`, bound to what `bind` makes of the
/// view's JSON; with `event`, in one batch (a D1 transaction) with the event's outbox
/// row. The error names the part that failed ("serialize: …" or "D1: …").
async fn write_view(
    env: &Env,
    statement: &str,
    view: &BookingView,
    event: Option<&BookingEvent>,
    bind: impl FnOnce(&str) -> Vec<JsValue>,
) -> Result<(), String> {
    let details = serde_json::to_string(view).map_err(|e| format!("serialize: {e}"))?;
    let event_body = event
        .map(serde_json::to_string)
        .transpose()
        .map_err(|e| format!("serialize: {e}"))?;
    let run = async {
        let db = env.d1(DATABASE)?;
        let mut statements = vec![db.prepare(statement).bind(&bind(&details))?];
        if let (Some(event), Some(body)) = (event, &event_body) {
            statements.push(db.prepare(sql::booking_events::INSERT).bind(&[
                event.event_id.as_str().into(),
                event.booking_id.as_str().into(),
                body.as_str().into(),
                event.occurred_at.as_str().into(),
            ])?);
        }
        db.batch(statements).await
    };
    run.await.map(drop).map_err(|e| format!("D1: {e}"))
}

/// One D1 statement for its effect.
async fn run_statement(env: &Env, statement: &str, params: &[JsValue]) -> worker::Result<()> {
    env.d1(DATABASE)?
        .prepare(statement)
        .bind(params)?
        .run()
        .await?;
    Ok(())
}

fn new_reference() -> Option<String> {
    let mut bytes = [0_u8; 32];
    getrandom::fill(&mut bytes).ok()?;
    reference::from_random(&bytes)
}

/// Sends the event the outbox holds, then marks it sent. A failed send is retried by the
/// saga; an event the queue took but never delivered is resent by the reconciliation job,
/// which looks for events without a ledger entry, whether or not they are marked sent.
async fn publish(env: &Env, record: &BookingRecord, kind: EventKind) -> StepOutcome {
    let now = Utc::now();
    let event = record.event(kind, now);
    let sent = async { env.queue(LOYALTY_EVENTS)?.send(&event).await };
    if let Err(e) = sent.await {
        return transient("queue", e);
    }
    let marked = run_statement(
        env,
        sql::booking_events::MARK_SENT,
        &[event.event_id.as_str().into(), utc_text(now).into()],
    )
    .await;
    if let Err(e) = marked {
        // The event went out; an unmarked one is looked at again only if the ledger
        // lacks it, and then resending it is what should happen.
        console_warn!(
            "[{}] outbox: marking {} sent: {e}",
            record.plan.booking_id,
            event.event_id
        );
    }
    outcome(StepResult::Done)
}
