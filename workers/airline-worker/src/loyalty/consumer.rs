//! The queue consumers: booking events applied to the ledger, and dead letters filed in D1
//! for an admin to read and replay.

use airline_booking::events::BookingEvent;
use airline_graphql::StoreError;
use airline_loyalty::{entry_for, BookingHistory, NewEntry};
use chrono::{DateTime, Utc};
use worker::{console_error, Env, MessageBatch, MessageExt, QueueRetryOptionsBuilder, Result};

use airline_platform::bindings::DATABASE;

use crate::d1::{utc_text, D1Store};

use super::ledger_store::HistoryRow;

/// Applies one booking event to the ledger. Idempotent: the entry id is the event id, so a
/// redelivery inserts nothing.
async fn apply(
    store: &D1Store,
    body: &serde_json::Value,
    now: DateTime<Utc>,
) -> std::result::Result<(), String> {
    let event: BookingEvent =
        serde_json::from_value(body.clone()).map_err(|e| format!("not a booking event: {e}"))?;
    let history: Vec<HistoryRow> = store
        .rows(
            "booking's ledger",
            "SELECT coalesce(sum(CASE WHEN kind = 'EARN' THEN points END), 0) AS earned,
                    count(CASE WHEN kind = 'REVOKE' THEN 1 END) AS revokes
             FROM loyalty_ledger WHERE booking_id = ?1",
            &[event.booking_id.as_str().into()],
        )
        .await
        .map_err(|e| e.to_string())?;
    let booking = history
        .first()
        .map(|row| BookingHistory {
            earned: row.earned as i64,
            cancelled: row.revokes > 0.0,
        })
        .unwrap_or_default();
    let entry = entry_for(&event, booking).map_err(|e| e.to_string())?;
    write_entry(store, &entry, now)
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Writes a ledger entry once: nothing if its id is there already. Returns whether it
/// was written.
pub(crate) async fn write_entry(
    store: &D1Store,
    entry: &NewEntry,
    now: DateTime<Utc>,
) -> std::result::Result<bool, StoreError> {
    let written = store
        .execute(
            "ledger entry",
            "INSERT INTO loyalty_ledger (entry_id, customer_id, booking_id, points, kind, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (entry_id) DO NOTHING",
            &[
                entry.entry_id.as_str().into(),
                entry.customer_id.as_str().into(),
                entry.booking_id.as_str().into(),
                (entry.points as f64).into(),
                entry.kind.as_str().into(),
                utc_text(now).as_str().into(),
            ],
        )
        .await?;
    Ok(written > 0)
}

/// The queue consumer. Each message is acknowledged or retried on its own, so one bad
/// message never holds back the rest of its batch. Retries back off with the message's
/// age (1 s, then roughly doubling, capped at a minute); after `max_retries` the queue
/// moves the message to the dead-letter queue, whose messages (`dead_letters`) are filed
/// in D1.
pub async fn consume(
    batch: MessageBatch<serde_json::Value>,
    env: Env,
    dead_letters: bool,
) -> Result<()> {
    let store = D1Store::new(env.d1(DATABASE)?, "queue");
    let now = Utc::now();
    // Raw, so a body that is not JSON fails alone instead of failing the whole batch.
    for message in batch.raw_iter() {
        let body = worker::js_sys::JSON::stringify(&message.body())
            .ok()
            .and_then(|text| text.as_string())
            .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
            .unwrap_or(serde_json::Value::Null);
        let result = if dead_letters {
            file_dead_letter(&store, &message.id(), &body, now).await
        } else {
            apply(&store, &body, now).await
        };
        match result {
            Ok(()) => message.ack(),
            Err(problem) => {
                console_error!("loyalty message {} failed: {problem}", message.id());
                let sent_at =
                    DateTime::<Utc>::from_timestamp_millis(message.timestamp().as_millis() as i64)
                        .unwrap_or(now);
                let age = (now - sent_at).num_seconds().clamp(1, 60) as u32;
                message.retry_with_options(
                    &QueueRetryOptionsBuilder::new()
                        .with_delay_seconds(age)
                        .build(),
                );
            }
        }
    }
    Ok(())
}

async fn file_dead_letter(
    store: &D1Store,
    message_id: &str,
    body: &serde_json::Value,
    now: DateTime<Utc>,
) -> std::result::Result<(), String> {
    // Why it failed, as the consumer sees it now (the same check, run once more).
    let error = match serde_json::from_value::<BookingEvent>(body.clone()) {
        Err(e) => format!("not a booking event: {e}"),
        Ok(event) => match entry_for(&event, BookingHistory::default()) {
            Err(e) => e.to_string(),
            Ok(_) => "failed on every delivery (see the Worker log)".to_owned(),
        },
    };
    store
        .execute(
            "file dead letter",
            "INSERT INTO loyalty_dead_letters (message_id, body, error, received_at)
             VALUES (?1, ?2, ?3, ?4) ON CONFLICT (message_id) DO NOTHING",
            &[
                message_id.into(),
                body.to_string().as_str().into(),
                error.as_str().into(),
                utc_text(now).as_str().into(),
            ],
        )
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}
