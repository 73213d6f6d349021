//! The flight inventory Durable Object: one instance per flight (named by flight id) owns
//! that flight's seats.
//!
//! Every request loads the seat rows from the object's SQLite storage, asks
//! `airline_booking::inventory` what to do, and writes the answer back, all synchronously:
//! there is no `.await` between the check and the write, so two bookings can never take
//! the same seat. Only after the write does the object `.await` anything (telling D1's
//! search read model how many seats are left, and setting its alarm).
//!
//! Holds expire by time: reads treat an expired hold as free, so correctness never waits
//! for the alarm. The alarm cleans expired holds up and repairs D1's `seats_available` if
//! an update to it was lost.

use airline_booking::inventory::{self, Assignment};
use airline_booking::protocol::{FlightSetup, InventoryReply, InventoryRequest};
use airline_booking::seatmap::{SeatError, SeatId, SeatMap};
use airline_domain::AircraftType;
use airline_platform::bindings::DATABASE;
use chrono::{DateTime, Duration, TimeZone as _, Utc};
use serde::Deserialize;
use worker::{
    console_error, durable_object, DurableObject, Env, Request, Response, Result, SqlStorage,
    SqlStorageValue, State,
};

/// After a failed D1 update, try again this soon.
const SYNC_RETRY: Duration = Duration::seconds(5);

#[durable_object]
pub struct FlightInventory {
    state: State,
    env: Env,
}

/// The flight this object serves and its change counter.
#[derive(Debug, Clone, Deserialize)]
struct Meta {
    flight_id: String,
    aircraft: String,
    capacity: f64,
    version: f64,
    synced_version: f64,
}

#[derive(Debug, Deserialize)]
struct AssignmentRow {
    seat: String,
    booking_id: String,
    expires_at: Option<f64>,
}

impl DurableObject for FlightInventory {
    fn new(state: State, env: Env) -> Self {
        Self { state, env }
    }

    async fn fetch(&self, mut request: Request) -> Result<Response> {
        let message: InventoryRequest = match request.json().await {
            Ok(message) => message,
            Err(e) => return Response::error(format!("bad inventory request: {e}"), 400),
        };
        let sql = self.sql()?;
        let now = Utc::now();
        let reply = handle(&sql, message, now)?;
        // The decision is written; now tell the read model and schedule the cleanup.
        self.sync_read_model(&sql, now).await?;
        Response::from_json(&reply)
    }

    async fn alarm(&self) -> Result<Response> {
        let sql = self.sql()?;
        let now = Utc::now();
        if purge_expired(&sql, now)? > 0 {
            bump_version(&sql)?;
        }
        self.sync_read_model(&sql, now).await?;
        Response::ok("ok")
    }
}

impl FlightInventory {
    fn sql(&self) -> Result<SqlStorage> {
        let sql = self.state.storage().sql();
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

    /// Writes the current free-seat count to D1 when it is behind, and sets the alarm for
    /// the next hold expiry (or a retry of a failed write). A failed write is not the
    /// caller's problem: the seats are decided; the alarm repairs the count.
    async fn sync_read_model(&self, sql: &SqlStorage, now: DateTime<Utc>) -> Result<()> {
        let Some(meta) = load_meta(sql)? else {
            return Ok(());
        };
        let assignments = load_assignments(sql)?;
        let mut wake_at = inventory::next_expiry(&assignments, now);
        if meta.synced_version < meta.version {
            let map = seat_map(&meta)?;
            let available = inventory::seats_available(&map, &assignments, now);
            let version = meta.version as i64;
            match self
                .write_read_model(&meta.flight_id, available, version)
                .await
            {
                Ok(()) => {
                    sql.exec(
                        "UPDATE meta SET synced_version = max(synced_version, ?)",
                        vec![SqlStorageValue::Integer(version)],
                    )?;
                }
                Err(e) => {
                    console_error!("inventory {}: D1 update failed: {e}", meta.flight_id);
                    let retry = now + SYNC_RETRY;
                    wake_at = Some(wake_at.map_or(retry, |at| at.min(retry)));
                }
            }
        }
        // Reads (a seat map) usually leave the alarm as it is: touch it only on a change.
        let storage = self.state.storage();
        let current = storage.get_alarm().await?;
        match wake_at {
            Some(at) if current != Some(at.timestamp_millis()) => storage.set_alarm(at).await?,
            None if current.is_some() => storage.delete_alarm().await?,
            _ => {}
        }
        Ok(())
    }

    async fn write_read_model(&self, flight_id: &str, available: u32, version: i64) -> Result<()> {
        let db = self.env.d1(DATABASE)?;
        // Versioned, so an older count arriving late never overwrites a newer one.
        db.prepare(
            "UPDATE flights SET seats_available = min(?1, seat_capacity), inventory_version = ?2
             WHERE id = ?3 AND inventory_version < ?2",
        )
        .bind(&[available.into(), (version as f64).into(), flight_id.into()])?
        .run()
        .await?;
        Ok(())
    }
}

/// Applies one request to the stored seats. Synchronous by construction: it cannot await.
fn handle(
    sql: &SqlStorage,
    message: InventoryRequest,
    now: DateTime<Utc>,
) -> Result<InventoryReply> {
    match message {
        InventoryRequest::SeatMap { flight } => {
            let meta = ensure_meta(sql, &flight)?;
            let map = seat_map(&meta)?;
            let assignments = load_assignments(sql)?;
            Ok(InventoryReply::SeatMap {
                seat_map: inventory::seat_map_view(&meta.flight_id, &map, &assignments, now),
            })
        }
        InventoryRequest::Hold {
            flight,
            booking_id,
            passengers,
            seats,
            ttl_seconds,
        } => {
            let meta = ensure_meta(sql, &flight)?;
            let map = seat_map(&meta)?;
            // Expired holds give their seats back before anyone looks for free ones.
            let purged = purge_expired(sql, now)?;
            let assignments = load_assignments(sql)?;
            let chosen = (!seats.is_empty()).then_some(seats.as_slice());
            let ttl = Duration::seconds(ttl_seconds.clamp(1, 24 * 3600));
            let decision = match inventory::hold(
                &map,
                &assignments,
                &booking_id,
                passengers,
                chosen,
                now,
                ttl,
            ) {
                Ok(decision) => decision,
                Err(refusal) => {
                    if purged > 0 {
                        bump_version(sql)?;
                    }
                    return Ok(refused(refusal));
                }
            };
            if decision.changed || purged > 0 {
                replace_rows(sql, &booking_id, &decision.rows)?;
                bump_version(sql)?;
            }
            Ok(InventoryReply::Held {
                hold: decision.hold,
            })
        }
        InventoryRequest::Confirm { booking_id } => {
            let assignments = load_assignments(sql)?;
            match inventory::confirm(&assignments, &booking_id, now) {
                Ok(rows) => {
                    if rows.iter().any(|row| !assignments.contains(row)) {
                        replace_rows(sql, &booking_id, &rows)?;
                        bump_version(sql)?;
                    }
                    Ok(InventoryReply::Confirmed {
                        seats: rows.iter().map(|a| a.seat).collect(),
                    })
                }
                Err(inventory::ConfirmError::Expired) => Ok(InventoryReply::HoldExpired),
                Err(inventory::ConfirmError::NoHold) => Ok(InventoryReply::NoHold),
            }
        }
        InventoryRequest::Release { booking_id } => {
            let released = sql
                .exec(
                    "DELETE FROM assignments WHERE booking_id = ?",
                    vec![SqlStorageValue::String(booking_id)],
                )?
                .rows_written();
            if released > 0 {
                bump_version(sql)?;
            }
            Ok(InventoryReply::Released)
        }
    }
}

fn refused(refusal: SeatError) -> InventoryReply {
    match refusal {
        SeatError::SoldOut {
            requested,
            available,
        } => InventoryReply::SoldOut {
            requested,
            available,
        },
        other => InventoryReply::SeatUnavailable {
            message: other.to_string(),
        },
    }
}

/// The flight's record, created on first use; capacity only ever grows (an admin may add
/// seats to a flight, never take sold ones away).
fn ensure_meta(sql: &SqlStorage, flight: &FlightSetup) -> Result<Meta> {
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

fn load_meta(sql: &SqlStorage) -> Result<Option<Meta>> {
    let rows: Vec<Meta> = sql
        .exec(
            "SELECT flight_id, aircraft, capacity, version, synced_version FROM meta WHERE id = 1",
            None,
        )?
        .to_array()?;
    Ok(rows.into_iter().next())
}

fn seat_map(meta: &Meta) -> Result<SeatMap> {
    let aircraft = AircraftType::parse("aircraft", &meta.aircraft)
        .map_err(|e| worker::Error::RustError(e.to_string()))?;
    Ok(SeatMap::for_flight(aircraft, meta.capacity as u32))
}

fn load_assignments(sql: &SqlStorage) -> Result<Vec<Assignment>> {
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

fn replace_rows(sql: &SqlStorage, booking_id: &str, rows: &[Assignment]) -> Result<()> {
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

fn purge_expired(sql: &SqlStorage, now: DateTime<Utc>) -> Result<usize> {
    Ok(sql
        .exec(
            "DELETE FROM assignments WHERE expires_at IS NOT NULL AND expires_at <= ?",
            vec![SqlStorageValue::Integer(now.timestamp_millis())],
        )?
        .rows_written())
}

fn bump_version(sql: &SqlStorage) -> Result<()> {
    sql.exec("UPDATE meta SET version = version + 1", None)?;
    Ok(())
}
