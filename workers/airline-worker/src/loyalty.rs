//! Loyalty at the edge: the ledger over D1 and the queue (for the API), the queue
//! consumers that apply booking events and file dead letters, and the signed REST endpoint
//! other services call.

use airline_booking::events::BookingEvent;
use airline_graphql::http::NOSNIFF;
use airline_graphql::store::DeadLetter;
use airline_graphql::{LoyaltyStore, StoreError};
use airline_loyalty::signing::{
    ServiceKeys, SignedRequest, KEY_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER,
};
use airline_loyalty::{entry_for, BookingHistory, EntryKind, LedgerEntry, LoyaltySummary};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use worker::send::SendFuture;
use worker::{
    console_error, Env, MessageBatch, MessageExt, QueueContentType, QueueRetryOptionsBuilder,
    RawMessageBuilder, Request, Response, Result,
};

use crate::d1::{parse_utc, utc_text, D1Store};

/// The queue binding events are published on (as in wrangler.toml).
pub const EVENTS_QUEUE: &str = "LOYALTY_EVENTS";
/// Queue names, as the consumer sees them.
const DEAD_LETTER_QUEUE_NAME: &str = "loyalty-events-dlq";
/// Secret: the services allowed to call `GET /loyalty/{customerId}` (`id:secret,...`).
const SERVICE_KEYS_SECRET: &str = "LOYALTY_SERVICE_KEYS";

pub struct EdgeLoyalty {
    env: Env,
    store: std::sync::Arc<D1Store>,
}

impl EdgeLoyalty {
    pub fn new(env: &Env, store: std::sync::Arc<D1Store>) -> Self {
        Self {
            env: env.clone(),
            store,
        }
    }
}

#[derive(Deserialize)]
struct SumRow {
    total: Option<f64>,
}

#[derive(Deserialize)]
struct HistoryRow {
    earned: f64,
    revokes: f64,
}

#[derive(Deserialize)]
struct EntryRow {
    entry_id: String,
    booking_id: String,
    points: f64,
    kind: String,
    created_at: String,
}

#[derive(Deserialize)]
struct DeadLetterRow {
    id: f64,
    message_id: String,
    body: String,
    error: String,
    received_at: String,
    replayed_at: Option<String>,
}

impl DeadLetterRow {
    fn into_letter(self) -> std::result::Result<DeadLetter, String> {
        Ok(DeadLetter {
            id: self.id as i64,
            message_id: self.message_id,
            body: self.body,
            error: self.error,
            received_at: parse_utc("received_at", &self.received_at).map_err(|e| e.to_string())?,
            replayed_at: self
                .replayed_at
                .map(|at| parse_utc("replayed_at", &at))
                .transpose()
                .map_err(|e| e.to_string())?,
        })
    }
}

async fn balance_of(store: &D1Store, customer_id: &str) -> std::result::Result<i64, StoreError> {
    let rows: Vec<SumRow> = store
        .rows(
            "loyalty balance",
            "SELECT sum(points) AS total FROM loyalty_ledger WHERE customer_id = ?1",
            &[customer_id.into()],
        )
        .await?;
    Ok(rows.first().and_then(|r| r.total).unwrap_or(0.0) as i64)
}

#[async_trait]
impl LoyaltyStore for EdgeLoyalty {
    async fn balance(&self, customer_id: &str) -> std::result::Result<i64, StoreError> {
        SendFuture::new(balance_of(&self.store, customer_id)).await
    }

    async fn history(
        &self,
        customer_id: &str,
        limit: usize,
        after: Option<(DateTime<Utc>, String)>,
    ) -> std::result::Result<(Vec<LedgerEntry>, bool), StoreError> {
        let (after_at, after_id) = match &after {
            Some((at, id)) => (utc_text(*at), id.clone()),
            None => ("9999-12-31T23:59:59Z".to_owned(), String::new()),
        };
        let rows: Vec<EntryRow> = SendFuture::new(self.store.rows(
            "loyalty history",
            "SELECT entry_id, booking_id, points, kind, created_at FROM loyalty_ledger
             WHERE customer_id = ?1
               AND (created_at < ?2 OR (created_at = ?2 AND entry_id < ?3 AND ?3 <> ''))
             ORDER BY created_at DESC, entry_id DESC LIMIT ?4",
            &[
                customer_id.into(),
                after_at.as_str().into(),
                after_id.as_str().into(),
                ((limit + 1) as f64).into(),
            ],
        ))
        .await?;
        let more = rows.len() > limit;
        let entries = rows
            .into_iter()
            .take(limit)
            .map(|row| {
                Ok(LedgerEntry {
                    kind: EntryKind::parse(&row.kind)
                        .ok_or_else(|| self.store.fail("ledger kind", &row.kind))?,
                    created_at: parse_utc("created_at", &row.created_at)
                        .map_err(|e| self.store.fail("ledger time", e))?,
                    entry_id: row.entry_id,
                    booking_id: row.booking_id,
                    points: row.points as i64,
                })
            })
            .collect::<std::result::Result<Vec<_>, StoreError>>()?;
        Ok((entries, more))
    }

    async fn dead_letters(&self, limit: usize) -> std::result::Result<Vec<DeadLetter>, StoreError> {
        let rows: Vec<DeadLetterRow> = SendFuture::new(self.store.rows(
            "dead letters",
            "SELECT id, message_id, body, error, received_at, replayed_at FROM loyalty_dead_letters
             ORDER BY id DESC LIMIT ?1",
            &[(limit as f64).into()],
        ))
        .await?;
        rows.into_iter()
            .map(|row| {
                row.into_letter()
                    .map_err(|e| self.store.fail("dead letter", e))
            })
            .collect()
    }

    async fn dead_letter(&self, id: i64) -> std::result::Result<Option<DeadLetter>, StoreError> {
        let rows: Vec<DeadLetterRow> = SendFuture::new(self.store.rows(
            "dead letter",
            "SELECT id, message_id, body, error, received_at, replayed_at FROM loyalty_dead_letters WHERE id = ?1",
            &[(id as f64).into()],
        ))
        .await?;
        rows.into_iter()
            .next()
            .map(|row| {
                row.into_letter()
                    .map_err(|e| self.store.fail("dead letter", e))
            })
            .transpose()
    }

    async fn publish(&self, body: &serde_json::Value) -> std::result::Result<(), StoreError> {
        // As a plain JSON object: serde_wasm_bindgen would turn a serde_json map into a
        // JS Map, which the queue delivers as `{}`.
        let sent = async {
            let value = worker::js_sys::JSON::parse(&body.to_string())
                .map_err(|_| worker::Error::RustError("unparseable event".into()))?;
            let message =
                RawMessageBuilder::new(value).build_with_content_type(QueueContentType::Json);
            self.env.queue(EVENTS_QUEUE)?.send_raw(message).await
        };
        SendFuture::new(sent)
            .await
            .map_err(|e| self.store.fail("publish loyalty event", e))
    }

    async fn mark_replayed(
        &self,
        id: i64,
        at: DateTime<Utc>,
    ) -> std::result::Result<(), StoreError> {
        SendFuture::new(self.store.execute(
            "mark replayed",
            "UPDATE loyalty_dead_letters SET replayed_at = ?2 WHERE id = ?1",
            &[(id as f64).into(), utc_text(at).as_str().into()],
        ))
        .await
        .map(|_| ())
    }
}

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
    store
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
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// The queue consumer. Each message is acknowledged or retried on its own, so one bad
/// message never holds back the rest of its batch. Retries back off with the message's
/// age (1 s, then roughly doubling, capped at a minute); after `max_retries` the queue
/// moves the message to the dead-letter queue, whose messages are filed in D1.
pub async fn consume(batch: MessageBatch<serde_json::Value>, env: Env) -> Result<()> {
    let store = D1Store::new(env.d1("DB")?, "queue");
    let now = Utc::now();
    let dead_letters = batch.queue() == DEAD_LETTER_QUEUE_NAME;
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

/// `GET /loyalty/{customerId}`: the customer's summary as JSON, for services that sign
/// their requests (see `airline_loyalty::signing`). Anything unsigned, stale or tampered
/// is 401; an unknown customer is a zero balance, so ids cannot be probed.
pub async fn rest_summary(request: &Request, env: &Env, customer_id: &str) -> Result<Response> {
    let keys = match env
        .secret(SERVICE_KEYS_SECRET)
        .map(|s| s.to_string())
        .or_else(|_| env.var(SERVICE_KEYS_SECRET).map(|v| v.to_string()))
        .map_err(|e| e.to_string())
        .and_then(|text| ServiceKeys::parse(&text))
    {
        Ok(keys) => keys,
        Err(problem) => {
            console_error!("{SERVICE_KEYS_SECRET} unusable: {problem}");
            return json_status(
                503,
                &serde_json::json!({"error": "service authentication is not configured"}),
            );
        }
    };
    let headers = request.headers();
    let (key_id, timestamp, signature) = (
        headers.get(KEY_ID_HEADER)?,
        headers.get(TIMESTAMP_HEADER)?,
        headers.get(SIGNATURE_HEADER)?,
    );
    let path = request.path();
    let verified = keys.verify(
        &SignedRequest {
            method: "GET",
            path: &path,
            body: b"",
            key_id: key_id.as_deref(),
            timestamp: timestamp.as_deref(),
            signature: signature.as_deref(),
        },
        Utc::now().timestamp(),
    );
    if let Err(problem) = verified {
        return json_status(401, &serde_json::json!({"error": problem.to_string()}));
    }
    let valid_id = !customer_id.is_empty()
        && customer_id.len() <= 200
        && customer_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b':' | b'.'));
    let balance = if valid_id {
        let store = D1Store::new(env.d1("DB")?, "rest");
        match balance_of(&store, customer_id).await {
            Ok(balance) => balance,
            Err(_) => return json_status(500, &serde_json::json!({"error": "internal error"})),
        }
    } else {
        0
    };
    let summary = LoyaltySummary::for_balance(balance);
    json_status(
        200,
        &serde_json::json!({
            "customerId": customer_id,
            "points": summary.points,
            "tier": summary.tier.as_str(),
            "remainingPoints": summary.remaining_points,
            "progress": summary.progress,
        }),
    )
}

fn json_status(status: u16, body: &serde_json::Value) -> Result<Response> {
    let mut response = Response::from_json(body)?.with_status(status);
    let headers = response.headers_mut();
    headers.set("Cache-Control", "no-store")?;
    headers.set(NOSNIFF.0, NOSNIFF.1)?;
    Ok(response)
}
