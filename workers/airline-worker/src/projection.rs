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
use airline_platform::bindings::DATABASE;
use airline_platform::read_model::{self, Param};
use chrono::{DateTime, Utc};
use worker::wasm_bindgen::JsValue;
use worker::{console_error, D1PreparedStatement, Env, MessageBatch, MessageExt, Result};

use crate::d1::{Access, D1Store};
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
        Ok(statements) => match store.batch(Access::Write, statements).await {
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
            Ok(statements) => store.batch(Access::Write, statements).await.map(drop),
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
        .batch(Access::Write, statements)
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

/// The statements that bring the read model up to `copy`
/// (`airline_platform::read_model`), prepared for D1.
fn statements_for(
    store: &D1Store,
    copy: &BookingCopy,
    now: DateTime<Utc>,
) -> Result<Vec<D1PreparedStatement>> {
    read_model::statements(copy, now)?
        .into_iter()
        .map(|statement| {
            let params: Vec<JsValue> = statement
                .params
                .into_iter()
                .map(|param| match param {
                    Param::Text(text) => JsValue::from(text),
                    // D1 takes JavaScript numbers; minor units and versions fit exactly.
                    Param::Integer(n) => JsValue::from(n as f64),
                    Param::Null => JsValue::NULL,
                })
                .collect();
            store.prepare(statement.sql).bind(&params)
        })
        .collect()
}
