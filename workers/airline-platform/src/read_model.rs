//! The read model's writes: the statements that bring D1 up to a booking's copy (see
//! `airline_booking::read_model`), with their parameters, in one place for the queue's
//! consumer and the reconciliation run, and for a native test that runs them against
//! the real migrations. Every statement keeps what it writes only if the copy is newer
//! than what D1 holds, so applying copies twice, late or out of order leaves the newest.

use airline_booking::read_model::BookingCopy;
use airline_domain::utc_text;
use chrono::{DateTime, SecondsFormat, Utc};

use crate::sql;

/// A parameter of a statement, as D1 (and SQLite) take it.
#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    Text(String),
    Integer(i64),
    Null,
}

impl From<&str> for Param {
    fn from(text: &str) -> Self {
        Param::Text(text.to_owned())
    }
}

/// One statement with its parameters, in order (`?1`, `?2`, ...).
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub sql: &'static str,
    pub params: Vec<Param>,
}

/// What writes `copy` (which arrived at `now`) to the read model: the booking, the
/// flights it names, its payment and its outbox. Run as one batch.
pub fn statements(
    copy: &BookingCopy,
    now: DateTime<Utc>,
) -> Result<Vec<Statement>, serde_json::Error> {
    let view = &copy.booking;
    let id = view.id.as_str();
    let version = copy.version as i64;
    let flights: Vec<&str> = view.flights.iter().map(|f| f.flight_id.as_str()).collect();
    let mut statements = vec![
        Statement {
            sql: sql::bookings::UPSERT_COPY,
            params: vec![
                id.into(),
                view.customer_id.as_str().into(),
                view.status.as_str().into(),
                view.reference.as_deref().map_or(Param::Null, Param::from),
                Param::Integer(view.total.amount_minor()),
                view.total.currency().code().into(),
                Param::Text(serde_json::to_string(view)?),
                Param::Text(utc_text(view.created_at)),
                Param::Text(utc_text(view.updated_at)),
                Param::Integer(version),
                // To the millisecond, for the lag report.
                Param::Text(now.to_rfc3339_opts(SecondsFormat::Millis, true)),
                Param::Integer(i64::from(copy.reference_registered)),
            ],
        },
        Statement {
            sql: sql::booking_flights::INSERT_ALL,
            params: vec![id.into(), Param::Text(serde_json::to_string(&flights)?)],
        },
    ];
    if let Some(payment) = &copy.payment {
        statements.push(Statement {
            sql: sql::payments::UPSERT_COPY,
            params: vec![
                payment.id.as_str().into(),
                payment.key.as_str().into(),
                payment.customer_id.as_str().into(),
                payment.token.as_str().into(),
                Param::Integer(payment.amount),
                payment.currency.as_str().into(),
                payment.status.as_str().into(),
                Param::Integer(i64::from(payment.authorize_attempts)),
                Param::Text(utc_text(view.created_at)),
                Param::Text(utc_text(view.updated_at)),
                Param::Integer(version),
            ],
        });
    }
    if !copy.events.is_empty() {
        statements.push(Statement {
            sql: sql::booking_events::UPSERT_ALL,
            params: vec![id.into(), Param::Text(serde_json::to_string(&copy.events)?)],
        });
    }
    Ok(statements)
}
