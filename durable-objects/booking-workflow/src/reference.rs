//! The booking reference Durable Object: one instance per reference (named by it), which
//! knows the one booking that holds it. A booking claims its reference here before it is
//! confirmed, so references are unique without a central table; the object is created
//! where the booking that drew it runs, so the claim is a call within the same place.

use airline_booking::protocol::{ReferenceReply, ReferenceRequest};
use airline_domain::BookingId;
use serde::Deserialize;
use worker::{
    durable_object, DurableObject, Env, Request, Response, Result, SqlStorageValue, State,
};

#[durable_object]
pub struct BookingReference {
    state: State,
}

#[derive(Deserialize)]
struct HolderRow {
    booking_id: String,
}

impl DurableObject for BookingReference {
    fn new(state: State, _env: Env) -> Self {
        Self { state }
    }

    async fn fetch(&self, mut request: Request) -> Result<Response> {
        let message: ReferenceRequest = match request.json().await {
            Ok(message) => message,
            Err(e) => return Response::error(format!("bad reference request: {e}"), 400),
        };
        let sql = self.state.storage().sql();
        sql.exec(
            "CREATE TABLE IF NOT EXISTS holder (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                booking_id TEXT NOT NULL
            )",
            None,
        )?;
        if let ReferenceRequest::Claim { booking_id } = &message {
            // Only the first claim writes; every later one reads who won.
            sql.exec(
                "INSERT INTO holder (id, booking_id) VALUES (1, ?) ON CONFLICT (id) DO NOTHING",
                vec![SqlStorageValue::String(booking_id.to_string())],
            )?;
        }
        let holder: Vec<HolderRow> = sql
            .exec("SELECT booking_id FROM holder WHERE id = 1", None)?
            .to_array()?;
        let holder = holder
            .into_iter()
            .next()
            .and_then(|row| BookingId::parse(&row.booking_id));
        let reply = match (message, holder) {
            (_, None) => ReferenceReply::Free,
            (ReferenceRequest::Claim { booking_id }, Some(holder)) if holder != booking_id => {
                ReferenceReply::Taken
            }
            (_, Some(booking_id)) => ReferenceReply::Held { booking_id },
        };
        Response::from_json(&reply)
    }
}
