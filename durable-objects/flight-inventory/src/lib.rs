//! The flight inventory Durable Object: one instance per flight (named by flight id) owns
//! that flight's seats.
//!
//! Every request loads the seat rows from the object's SQLite storage, asks
//! `airline_booking::inventory` what to do, and writes the answer back, all synchronously:
//! there is no `.await` between the check and the write, so two bookings can never take
//! the same seat. The object answers as soon as its own write is done: D1's search read
//! model (`seats_available`) follows from the alarm a moment later, one write for however
//! many changes came in meanwhile. The seat map is exact; the search count may lag by that
//! moment, which is what a count shown in search results can afford (a booking is decided
//! here, never by it).
//!
//! Holds expire by time: reads treat an expired hold as free, so correctness never waits
//! for the alarm. The alarm also cleans expired holds up and retries a D1 write that
//! failed.

mod read_model;
mod storage;

use airline_booking::inventory;
use airline_booking::protocol::{BookingOnFlight, InventoryReply, InventoryRequest};
use airline_booking::seatmap::SeatError;
use airline_domain::BookingId;
use std::cell::Cell;

use chrono::{DateTime, Duration, Utc};
use worker::{
    durable_object, DurableObject, Env, Request, Response, Result, SqlStorage, SqlStorageValue,
    State,
};

use crate::storage::{
    bump_version, ensure_meta, load_assignments, purge_expired, replace_rows, seat_map,
};

#[durable_object]
pub struct FlightInventory {
    state: State,
    env: Env,
    /// When the alarm that syncs D1 is due (ms), so the requests of a burst set it once.
    sync_due_at: Cell<Option<i64>>,
}

impl DurableObject for FlightInventory {
    fn new(state: State, env: Env) -> Self {
        airline_platform::trace::configure(&env);
        Self {
            state,
            env,
            sync_due_at: Cell::new(None),
        }
    }

    async fn fetch(&self, mut request: Request) -> Result<Response> {
        let message: InventoryRequest = match request.json().await {
            Ok(message) => message,
            Err(e) => return Response::error(format!("bad inventory request: {e}"), 400),
        };
        let sql = self.sql()?;
        let now = Utc::now();
        let reply = handle(&sql, message, now)?;
        // The decision is written: answer now, and let the alarm bring D1 up to date.
        self.schedule_sync(&sql, now).await?;
        Response::from_json(&reply)
    }

    async fn alarm(&self) -> Result<Response> {
        self.sync_due_at.set(None);
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
        storage::open(&self.state)
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
            cabin,
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
                booking_id.as_str(),
                inventory::SeatRequest {
                    passengers,
                    cabin,
                    chosen,
                },
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
                replace_rows(sql, booking_id.as_str(), &decision.rows)?;
                bump_version(sql)?;
            }
            Ok(InventoryReply::Held {
                hold: decision.hold,
            })
        }
        InventoryRequest::Confirm { booking_id } => {
            let assignments = load_assignments(sql)?;
            match inventory::confirm(&assignments, booking_id.as_str(), now) {
                Ok(rows) => {
                    if rows.iter().any(|row| !assignments.contains(row)) {
                        replace_rows(sql, booking_id.as_str(), &rows)?;
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
        InventoryRequest::Reseat {
            flight,
            booking_id,
            cabin,
            seats,
        } => {
            let meta = ensure_meta(sql, &flight)?;
            let map = seat_map(&meta)?;
            let assignments = load_assignments(sql)?;
            match inventory::reseat(&map, &assignments, booking_id.as_str(), cabin, &seats, now) {
                Ok(decision) => {
                    if decision.changed {
                        replace_rows(sql, booking_id.as_str(), &decision.rows)?;
                        bump_version(sql)?;
                    }
                    Ok(InventoryReply::Confirmed {
                        seats: decision.hold.seats,
                    })
                }
                Err(inventory::ReseatError::NotSold) => Ok(InventoryReply::NoHold),
                Err(inventory::ReseatError::Seat(refusal)) => Ok(refused(refusal)),
            }
        }
        InventoryRequest::Bookings => {
            let assignments = load_assignments(sql)?;
            let mut bookings: Vec<BookingOnFlight> = Vec::new();
            for assignment in assignments.iter().filter(|a| a.is_live(now)) {
                let Some(booking_id) = BookingId::parse(&assignment.booking_id) else {
                    continue;
                };
                match bookings.iter_mut().find(|b| b.booking_id == booking_id) {
                    Some(booking) => booking.sold |= assignment.is_sold(),
                    None => bookings.push(BookingOnFlight {
                        booking_id,
                        sold: assignment.is_sold(),
                    }),
                }
            }
            Ok(InventoryReply::Bookings { bookings })
        }
        InventoryRequest::Release { booking_id } => {
            let released = sql
                .exec(
                    "DELETE FROM assignments WHERE booking_id = ?",
                    vec![SqlStorageValue::String(booking_id.into_string())],
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
