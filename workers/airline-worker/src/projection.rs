//! The read model's consumer: each booking object's copies of itself, from the
//! `booking-changes` queue, written to D1 (`bookings`, `booking_flights`, `payments`,
//! `booking_events`) in one batch per queue batch, one transaction and one round trip.
//!
//! Every write keeps a copy only if it is newer than the one held (by the object's
//! version), so a copy delivered twice, late or out of order never moves a booking
//! backwards, and a batch applied twice changes nothing the second time. If one copy
//! breaks the batch (D1 refuses it), the transaction leaves nothing applied; the copies
//! are then applied one by one, so the others land and only the one that fails is retried.

use airline_booking::read_model::{BookingCopy, COPY_SCHEMA};
use airline_domain::utc_text;
use airline_platform::bindings::DATABASE;
use airline_platform::sql;
use chrono::{DateTime, Utc};
use worker::wasm_bindgen::JsValue;
use worker::{console_error, D1PreparedStatement, Env, MessageBatch, MessageExt, Result};

use crate::d1::D1Store;
use airline_graphql::StoreError;

pub async fn consume(batch: MessageBatch<serde_json::Value>, env: Env) -> Result<()> {
    let store = D1Store::new(env.d1(DATABASE)?, "read-model");
    let now = Utc::now();
    let mut copies = Vec::new();
    for message in batch.raw_iter() {
        match read_copy(&message.body()) {
            Ok(copy) => copies.push((message, copy)),
            Err(problem) => {
                // Only a bug makes one; retried, so the queue's retries show it in the log.
                console_error!("read model: message {} unreadable: {problem}", message.id());
                message.retry();
            }
        }
    }
    if copies.is_empty() {
        return Ok(());
    }
    let statements: Result<Vec<D1PreparedStatement>> = copies
        .iter()
        .map(|(_, copy)| statements_for(&store, copy, now))
        .collect::<Result<Vec<_>>>()
        .map(|all| all.into_iter().flatten().collect());
    match statements {
        Ok(statements) => match store.batch(statements).await {
            Ok(_) => {
                for (message, _) in &copies {
                    message.ack();
                }
                return Ok(());
            }
            Err(e) => console_error!(
                "read model: a batch of {} copies failed, applying them one by one: {e}",
                copies.len()
            ),
        },
        Err(e) => console_error!("read model: building the batch: {e}"),
    }
    for (message, copy) in &copies {
        let applied = match statements_for(&store, copy, now) {
            Ok(statements) => store.batch(statements).await.map(drop),
            Err(e) => Err(e),
        };
        match applied {
            Ok(()) => message.ack(),
            Err(e) => {
                console_error!(
                    "read model: copy {} of {} failed: {e}",
                    copy.version,
                    copy.booking.id
                );
                message.retry();
            }
        }
    }
    Ok(())
}

/// Writes one copy (the reconciliation run's repair); whether the read model's booking
/// changed, that is, whether it was behind.
pub(crate) async fn write_copy(
    store: &D1Store,
    copy: &BookingCopy,
    now: DateTime<Utc>,
) -> std::result::Result<bool, StoreError> {
    let statements =
        statements_for(store, copy, now).map_err(|e| store.fail("read model copy", e))?;
    let results = store
        .batch(statements)
        .await
        .map_err(|e| store.fail("read model copy", e))?;
    let changed = results
        .first()
        .and_then(|result| result.meta().ok().flatten())
        .and_then(|meta| meta.changes)
        .unwrap_or(0);
    Ok(changed > 0)
}

/// A copy as sent: JSON text (see `booking_workflow::outbox`).
fn read_copy(body: &JsValue) -> std::result::Result<BookingCopy, String> {
    let text = body.as_string().ok_or("not text")?;
    let copy: BookingCopy = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    if copy.schema != COPY_SCHEMA {
        return Err(format!("copy schema {} is not {COPY_SCHEMA}", copy.schema));
    }
    Ok(copy)
}

/// The statements that bring the read model up to `copy`, each guarded by its version.
fn statements_for(
    store: &D1Store,
    copy: &BookingCopy,
    now: DateTime<Utc>,
) -> Result<Vec<D1PreparedStatement>> {
    let view = &copy.booking;
    let details = serde_json::to_string(view)?;
    let version = copy.version as f64;
    let id = view.id.as_str();
    let flights = serde_json::to_string(
        &view
            .flights
            .iter()
            .map(|f| f.flight_id.as_str())
            .collect::<Vec<_>>(),
    )?;
    let mut statements = vec![
        store.prepare(sql::bookings::UPSERT_COPY).bind(&[
            id.into(),
            view.customer_id.as_str().into(),
            view.status.as_str().into(),
            view.reference
                .as_deref()
                .map_or(JsValue::NULL, JsValue::from),
            (view.total.amount_minor() as f64).into(),
            view.total.currency().code().into(),
            details.as_str().into(),
            utc_text(view.created_at).into(),
            utc_text(view.updated_at).into(),
            version.into(),
            utc_text(now).into(),
        ])?,
        store
            .prepare(sql::booking_flights::INSERT_ALL)
            .bind(&[id.into(), flights.as_str().into()])?,
    ];
    if let Some(payment) = &copy.payment {
        statements.push(store.prepare(sql::payments::UPSERT_COPY).bind(&[
            payment.id.as_str().into(),
            payment.key.as_str().into(),
            payment.customer_id.as_str().into(),
            payment.token.as_str().into(),
            (payment.amount as f64).into(),
            payment.currency.as_str().into(),
            payment.status.as_str().into(),
            f64::from(payment.authorize_attempts).into(),
            utc_text(view.created_at).into(),
            utc_text(view.updated_at).into(),
            version.into(),
        ])?);
    }
    if !copy.events.is_empty() {
        let events = serde_json::to_string(&copy.events)?;
        statements.push(
            store
                .prepare(sql::booking_events::UPSERT_ALL)
                .bind(&[id.into(), events.as_str().into()])?,
        );
    }
    Ok(statements)
}
