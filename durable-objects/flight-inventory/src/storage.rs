//! The object's own SQLite storage: the flight's record (aircraft, capacity, change
//! counter) and its seat assignments, read and written synchronously.

use airline_booking::inventory::Assignment;
use airline_booking::protocol::FlightSetup;
use airline_booking::seatmap::{SeatId, SeatMap};
use airline_domain::AircraftType;
use chrono::{DateTime, TimeZone as _, Utc};
use serde::Deserialize;
use worker::{Result, SqlStorage, SqlStorageValue, State};

/// The object's SQLite storage, its tables created on first use.
pub(crate) fn open(state: &State) -> Result<SqlStorage> {
    let sql = state.storage().sql();
    sql.exec(
        "CREATE TABLE IF NOT EXISTS meta (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            flight_id TEXT NOT NULL,
            aircraft TEXT NOT NULL,
            capacity INTEGER NOT NULL,
            version INTEGER NOT NULL DEFAULT 0,
            synced_version INTEGER NOT NULL DEFAULT 0
        )",
        None,
    )?;
    // The seat is the key: storage itself refuses a seat taken twice.
    sql.exec(
        "CREATE TABLE IF NOT EXISTS assignments (
            seat TEXT PRIMARY KEY,
            booking_id TEXT NOT NULL,
            expires_at INTEGER
        )",
        None,
    )?;
    sql.exec(
        "CREATE INDEX IF NOT EXISTS assignments_by_booking ON assignments (booking_id)",
        None,
    )?;
    Ok(sql)
}

/// The flight this object serves and its change counter.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Meta {
    pub(crate) flight_id: String,
    pub(crate) aircraft: String,
    pub(crate) capacity: f64,
    pub(crate) version: f64,
    pub(crate) synced_version: f64,
}

#[derive(Debug, Deserialize)]
struct AssignmentRow {
    seat: String,
    booking_id: String,
    expires_at: Option<f64>,
}

/// The flight's record, created on first use; capacity only ever grows (an admin may add
/// seats to a flight, never take sold ones away).
pub(crate) fn ensure_meta(sql: &SqlStorage, flight: &FlightSetup) -> Result<Meta> {
    sql.exec(
        "INSERT INTO meta (id, flight_id, aircraft, capacity) VALUES (1, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET capacity = max(capacity, excluded.capacity)",
        vec![
            SqlStorageValue::String(flight.flight_id.clone()),
            SqlStorageValue::String(flight.aircraft.clone()),
            SqlStorageValue::Integer(i64::from(flight.seat_capacity)),
        ],
    )?;
    load_meta(sql)?.ok_or_else(|| worker::Error::RustError("inventory meta missing".into()))
}

pub(crate) fn load_meta(sql: &SqlStorage) -> Result<Option<Meta>> {
    let rows: Vec<Meta> = sql
        .exec(
            "SELECT flight_id, aircraft, capacity, version, synced_version FROM meta WHERE id = 1",
            None,
        )?
        .to_array()?;
    Ok(rows.into_iter().next())
}

pub(crate) fn seat_map(meta: &Meta) -> Result<SeatMap> {
    let aircraft = AircraftType::parse("aircraft", &meta.aircraft)
        .map_err(|e| worker::Error::RustError(e.to_string()))?;
    Ok(SeatMap::for_flight(aircraft, meta.capacity as u32))
}

pub(crate) fn load_assignments(sql: &SqlStorage) -> Result<Vec<Assignment>> {
    let rows: Vec<AssignmentRow> = sql
        .exec("SELECT seat, booking_id, expires_at FROM assignments", None)?
        .to_array()?;
    rows.into_iter()
        .map(|row| {
            let seat = SeatId::parse(&row.seat)
                .map_err(|e| worker::Error::RustError(format!("stored seat: {e}")))?;
            Ok(Assignment {
                seat,
                booking_id: row.booking_id,
                expires_at: row
                    .expires_at
                    .and_then(|ms| Utc.timestamp_millis_opt(ms as i64).single()),
            })
        })
        .collect()
}

pub(crate) fn replace_rows(sql: &SqlStorage, booking_id: &str, rows: &[Assignment]) -> Result<()> {
    sql.exec(
        "DELETE FROM assignments WHERE booking_id = ?",
        vec![SqlStorageValue::String(booking_id.to_owned())],
    )?;
    for row in rows {
        sql.exec(
            "INSERT INTO assignments (seat, booking_id, expires_at) VALUES (?, ?, ?)",
            vec![
                SqlStorageValue::String(row.seat.to_string()),
                SqlStorageValue::String(row.booking_id.clone()),
                match row.expires_at {
                    Some(at) => SqlStorageValue::Integer(at.timestamp_millis()),
                    None => SqlStorageValue::Null,
                },
            ],
        )?;
    }
    Ok(())
}

pub(crate) fn purge_expired(sql: &SqlStorage, now: DateTime<Utc>) -> Result<usize> {
    Ok(sql
        .exec(
            "DELETE FROM assignments WHERE expires_at IS NOT NULL AND expires_at <= ?",
            vec![SqlStorageValue::Integer(now.timestamp_millis())],
        )?
        .rows_written())
}

pub(crate) fn bump_version(sql: &SqlStorage) -> Result<()> {
    sql.exec("UPDATE meta SET version = version + 1", None)?;
    Ok(())
}
