//! The reference registry Durable Object: one instance per two-character prefix of the
//! references it keeps (`airline_booking::reference::shard`: 400 of them), which knows the
//! one booking that holds each. A booking claims its reference here before it is
//! confirmed, so references are unique without a central table; a claim reaches an
//! object that is already running, and no registry keeps more than a four-hundredth of
//! all references.

use airline_booking::protocol::{ReferenceReply, ReferenceRequest};
use airline_domain::BookingId;
use serde::Deserialize;
use worker::{
    durable_object, DurableObject, Env, Request, Response, Result, SqlStorage, SqlStorageValue,
    State,
};

#[durable_object]
pub struct ReferenceRegistry {
    state: State,
}

#[derive(Deserialize)]
struct HolderRow {
    booking_id: String,
}

impl DurableObject for ReferenceRegistry {
    fn new(state: State, env: Env) -> Self {
        airline_platform::trace::configure(&env);
        Self { state }
    }

    async fn fetch(&self, mut request: Request) -> Result<Response> {
        let message: ReferenceRequest = match request.json().await {
            Ok(message) => message,
            Err(e) => return Response::error(format!("bad reference request: {e}"), 400),
        };
        let sql = self.state.storage().sql();
        sql.exec(
            "CREATE TABLE IF NOT EXISTS refs (
                reference TEXT PRIMARY KEY,
                booking_id TEXT NOT NULL
            ) WITHOUT ROWID",
            None,
        )?;
        let reply = match message {
            ReferenceRequest::Claim {
                reference,
                booking_id,
            } => {
                // Only the first claim writes; every later one reads who won.
                sql.exec(
                    "INSERT INTO refs (reference, booking_id) VALUES (?, ?)
                     ON CONFLICT (reference) DO NOTHING",
                    vec![
                        SqlStorageValue::String(reference.clone()),
                        SqlStorageValue::String(booking_id.to_string()),
                    ],
                )?;
                match holder(&sql, &reference)? {
                    Some(holder) if holder == booking_id => {
                        ReferenceReply::Held { booking_id: holder }
                    }
                    Some(_) => ReferenceReply::Taken,
                    None => ReferenceReply::Free,
                }
            }
            ReferenceRequest::Holder { reference } => match holder(&sql, &reference)? {
                Some(booking_id) => ReferenceReply::Held { booking_id },
                None => ReferenceReply::Free,
            },
        };
        Response::from_json(&reply)
    }
}

fn holder(sql: &SqlStorage, reference: &str) -> Result<Option<BookingId>> {
    let rows: Vec<HolderRow> = sql
        .exec(
            "SELECT booking_id FROM refs WHERE reference = ?",
            vec![SqlStorageValue::String(reference.to_owned())],
        )?
        .to_array()?;
    Ok(rows
        .into_iter()
        .next()
        .and_then(|row| BookingId::parse(&row.booking_id)))
}
