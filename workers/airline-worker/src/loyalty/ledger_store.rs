//! The loyalty ledger over D1, and publishing to the events queue: what the GraphQL API's
//! [`LoyaltyStore`] asks of the edge.

use airline_domain::{AccountId, BookingId};
use airline_graphql::store::DeadLetter;
use airline_graphql::{LoyaltyStore, StoreError};
use airline_loyalty::{BookingHistory, EntryKind, LedgerEntry};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use worker::send::SendFuture;
use worker::{Env, QueueContentType, RawMessageBuilder};

use crate::d1::{parse_utc, utc_text, D1Store};

use airline_platform::bindings::LOYALTY_EVENTS;

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
pub(super) struct HistoryRow {
    pub(super) earned: f64,
    pub(super) revokes: f64,
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

pub(super) async fn balance_of(
    store: &D1Store,
    customer_id: &str,
) -> std::result::Result<i64, StoreError> {
    let rows: Vec<SumRow> = store
        .rows(
            "loyalty balance",
            "SELECT sum(points) AS total FROM loyalty_ledger WHERE customer_id = ?1",
            &[customer_id.into()],
        )
        .await?;
    Ok(rows.first().and_then(|r| r.total).unwrap_or(0.0) as i64)
}

#[derive(Deserialize)]
struct BookingLedgerRow {
    booking_id: String,
    earned: f64,
    revokes: f64,
}

#[async_trait]
impl LoyaltyStore for EdgeLoyalty {
    async fn balance(&self, customer_id: &AccountId) -> std::result::Result<i64, StoreError> {
        SendFuture::new(balance_of(&self.store, customer_id.as_str())).await
    }

    async fn booking_histories(
        &self,
        customer_id: &AccountId,
        booking_ids: &[BookingId],
    ) -> std::result::Result<Vec<(BookingId, BookingHistory)>, StoreError> {
        if booking_ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids = serde_json::to_string(booking_ids)
            .map_err(|e| StoreError::new("booking ids", e.to_string()))?;
        let rows: Vec<BookingLedgerRow> = SendFuture::new(self.store.rows(
            "bookings' ledger",
            "SELECT booking_id,
                    coalesce(sum(CASE WHEN kind = 'EARN' THEN points END), 0) AS earned,
                    count(CASE WHEN kind = 'REVOKE' THEN 1 END) AS revokes
             FROM loyalty_ledger
             WHERE customer_id = ?1 AND booking_id IN (SELECT value FROM json_each(?2))
             GROUP BY booking_id",
            &[customer_id.as_str().into(), ids.as_str().into()],
        ))
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|row| {
                let id = BookingId::parse(&row.booking_id)?;
                Some((
                    id,
                    BookingHistory {
                        earned: row.earned as i64,
                        cancelled: row.revokes > 0.0,
                    },
                ))
            })
            .collect())
    }

    async fn history(
        &self,
        customer_id: &AccountId,
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
                customer_id.as_str().into(),
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
        SendFuture::new(airline_platform::trace::call(
            airline_platform::trace::CallKind::QueueSend,
            None,
            Some(self.store.request_id()),
        ))
        .await;
        let sent = async {
            let value = worker::js_sys::JSON::parse(&body.to_string())
                .map_err(|_| worker::Error::RustError("unparseable event".into()))?;
            let message =
                RawMessageBuilder::new(value).build_with_content_type(QueueContentType::Json);
            self.env.queue(LOYALTY_EVENTS)?.send_raw(message).await
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
