//! What the booking owes others, sent after the traveller has their answer (from the
//! object's alarm): the events in its outbox go to the loyalty queue, then a copy of the
//! booking as it stands goes to its read model. Each is marked sent only once a queue
//! took it, so a failure is simply tried again; listeners recognise a repeat (events by
//! id, copies by version).

use airline_booking::events::BookingEvent;
use airline_booking::read_model::{BookingCopy, PaymentCopy, COPY_SCHEMA};
use airline_booking::record::{BookingRecord, PaymentState};
use airline_payments::sandbox_payment::{SandboxPayment, SandboxStatus};
use airline_platform::bindings::{BOOKING_CHANGES, LOYALTY_EVENTS};
use airline_platform::trace::{self, CallKind};
use chrono::Utc;
use worker::Env;

use crate::storage::Store;

/// Sends whatever waits: unsent events, then the copy the read model lacks.
pub(crate) async fn send(env: &Env, store: &Store, record: &BookingRecord) -> Result<(), String> {
    let unsent: Vec<BookingEvent> = store
        .outbox()
        .map_err(|e| e.to_string())?
        .into_iter()
        .filter(|entry| entry.sent_at.is_none())
        .map(|entry| serde_json::from_str(&entry.body))
        .collect::<Result<_, _>>()
        .map_err(|e| format!("outbox event unreadable: {e}"))?;
    if !unsent.is_empty() {
        let ids: Vec<String> = unsent.iter().map(|e| e.event_id.clone()).collect();
        let queue = env.queue(LOYALTY_EVENTS).map_err(|e| e.to_string())?;
        trace::call(CallKind::QueueSend, None, None).await;
        queue
            .send_batch(unsent)
            .await
            .map_err(|e| format!("loyalty queue: {e}"))?;
        store
            .mark_sent(&ids, Utc::now())
            .map_err(|e| e.to_string())?;
    }
    let Some(progress) = store.progress().map_err(|e| e.to_string())? else {
        return Ok(());
    };
    if progress.projected_version >= record.version && progress.version == record.version {
        return Ok(());
    }
    let copy = copy_of(store, record)?;
    // As JSON text: the view flattens its total, which a structured-clone message
    // would carry as a Map.
    let text = serde_json::to_string(&copy).map_err(|e| e.to_string())?;
    trace::call(CallKind::QueueSend, None, None).await;
    env.queue(BOOKING_CHANGES)
        .map_err(|e| e.to_string())?
        .send(text)
        .await
        .map_err(|e| format!("booking-changes queue: {e}"))?;
    store
        .mark_projected(record.version)
        .map_err(|e| e.to_string())
}

/// The booking as the read model should hold it now, with its payment and its outbox.
pub(crate) fn copy_of(store: &Store, record: &BookingRecord) -> Result<BookingCopy, String> {
    let sandbox = store
        .sandbox()
        .map_err(|e| e.to_string())?
        .payment(record.plan.booking_id.as_str())
        .map_err(|e| e.to_string())?;
    Ok(BookingCopy {
        schema: COPY_SCHEMA,
        version: record.version,
        booking: record.view(),
        reference_registered: record.reference_claimed,
        payment: match sandbox {
            Some(payment) => Some(sandbox_copy(&payment, record)),
            None => PaymentCopy::from_record(record),
        },
        events: store.outbox().map_err(|e| e.to_string())?,
    })
}

/// The sandbox's own row, which knows more than the booking (its attempts).
fn sandbox_copy(payment: &SandboxPayment, record: &BookingRecord) -> PaymentCopy {
    PaymentCopy {
        id: payment.id.clone(),
        key: payment.key.clone(),
        // The Stripe-compatible face is not told whose card it charges; the booking is.
        customer_id: record.plan.customer_id.to_string(),
        token: payment.token.clone(),
        amount: payment.amount.amount_minor(),
        currency: payment.amount.currency().code().to_owned(),
        // Stripe is not called to keep a payment (a cancelled fare that refunds nothing):
        // its PaymentIntent stays captured, and the booking says why.
        status: match (&record.payment, payment.status) {
            (PaymentState::Retained { .. }, SandboxStatus::Captured) => SandboxStatus::Retained,
            (_, status) => status,
        }
        .as_str()
        .to_owned(),
        authorize_attempts: payment.authorize_attempts,
    }
}
