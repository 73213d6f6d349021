//! One flight's seats: who holds or has bought which seat, and the rules for holding,
//! confirming and releasing them. The flight's Durable Object loads the rows, asks these
//! functions, and writes the answer back with no `.await` in between, so two requests can
//! never both take the last seat.

use std::collections::BTreeSet;

use airline_domain::Cabin;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::seatmap::{assign_seats, SeatError, SeatId, SeatMap};
use crate::views::{RowView, SeatMapView, SeatStatus, SeatView};

/// A seat taken by a booking: held until `expires_at`, or sold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    pub seat: SeatId,
    pub booking_id: String,
    /// `None` once sold.
    pub expires_at: Option<DateTime<Utc>>,
}

impl Assignment {
    pub fn is_sold(&self) -> bool {
        self.expires_at.is_none()
    }

    /// A hold past its expiry is free, whether or not the alarm has cleaned it up yet.
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        match self.expires_at {
            None => true,
            Some(at) => at > now,
        }
    }
}

/// The seats a booking holds (or bought) on this flight.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hold {
    pub seats: Vec<SeatId>,
    /// `None` when the seats are sold.
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfirmError {
    /// No hold for this booking (never held, released, or expired and cleaned up).
    NoHold,
    /// The hold ran out before the confirmation arrived.
    Expired,
}

/// What a hold decided: the seats, and the rows to write (this booking's rows replace
/// whatever it had before).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoldDecision {
    pub hold: Hold,
    pub rows: Vec<Assignment>,
    /// False when the booking already held these seats (an idempotent repeat).
    pub changed: bool,
}

/// The seats a booking asks to hold on one flight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeatRequest<'a> {
    pub passengers: usize,
    /// The cabin the fare buys: the only seats considered.
    pub cabin: Cabin,
    /// One seat per passenger, or `None` to assign seats side by side.
    pub chosen: Option<&'a [SeatId]>,
}

/// Holds seats for `booking_id`. Idempotent: a booking with a live hold or sold seats on
/// this flight gets those back unchanged. A hold that expired is replaced by a new one.
pub fn hold(
    map: &SeatMap,
    assignments: &[Assignment],
    booking_id: &str,
    request: SeatRequest<'_>,
    now: DateTime<Utc>,
    ttl: Duration,
) -> Result<HoldDecision, SeatError> {
    let own: Vec<&Assignment> = assignments
        .iter()
        .filter(|a| a.booking_id == booking_id && a.is_live(now))
        .collect();
    if !own.is_empty() {
        let rows: Vec<Assignment> = own.iter().map(|a| (*a).clone()).collect();
        return Ok(HoldDecision {
            hold: Hold {
                seats: rows.iter().map(|a| a.seat).collect(),
                expires_at: rows.iter().filter_map(|a| a.expires_at).min(),
            },
            rows,
            changed: false,
        });
    }
    let taken = taken_seats(assignments, now);
    let seats = assign_seats(
        map,
        &taken,
        request.passengers,
        request.cabin,
        request.chosen,
    )?;
    let expires_at = now + ttl;
    let rows = seats
        .iter()
        .map(|&seat| Assignment {
            seat,
            booking_id: booking_id.to_owned(),
            expires_at: Some(expires_at),
        })
        .collect();
    Ok(HoldDecision {
        hold: Hold {
            seats,
            expires_at: Some(expires_at),
        },
        rows,
        changed: true,
    })
}

/// Turns `booking_id`'s live hold into sold seats; the rows to write back. Idempotent:
/// seats already sold to the booking confirm again.
pub fn confirm(
    assignments: &[Assignment],
    booking_id: &str,
    now: DateTime<Utc>,
) -> Result<Vec<Assignment>, ConfirmError> {
    let own: Vec<&Assignment> = assignments
        .iter()
        .filter(|a| a.booking_id == booking_id)
        .collect();
    if own.is_empty() {
        return Err(ConfirmError::NoHold);
    }
    if own.iter().any(|a| !a.is_live(now)) {
        return Err(ConfirmError::Expired);
    }
    Ok(own
        .into_iter()
        .map(|a| Assignment {
            expires_at: None,
            ..a.clone()
        })
        .collect())
}

/// Why a booking's seats on a flight cannot be moved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReseatError {
    /// The booking has bought no seats on this flight (not confirmed, or released).
    NotSold,
    /// The seats asked for cannot be had: taken, in another cabin, unknown, blocked, or
    /// not one per passenger.
    Seat(SeatError),
}

/// Moves `booking_id`'s sold seats on this flight to `seats` (one per passenger, in
/// passenger order, in the fare's `cabin`); the rows to write back, all sold. Its own
/// seats count as free to it, so passengers may swap; any other booking's, held or sold,
/// are taken. Idempotent: moving to the seats it already has changes nothing.
pub fn reseat(
    map: &SeatMap,
    assignments: &[Assignment],
    booking_id: &str,
    cabin: Cabin,
    seats: &[SeatId],
    now: DateTime<Utc>,
) -> Result<HoldDecision, ReseatError> {
    let own: Vec<&Assignment> = assignments
        .iter()
        .filter(|a| a.booking_id == booking_id && a.is_sold())
        .collect();
    if own.is_empty() {
        return Err(ReseatError::NotSold);
    }
    let current: Vec<SeatId> = own.iter().map(|a| a.seat).collect();
    let others: Vec<Assignment> = assignments
        .iter()
        .filter(|a| a.booking_id != booking_id)
        .cloned()
        .collect();
    let chosen = assign_seats(
        map,
        &taken_seats(&others, now),
        own.len(),
        cabin,
        Some(seats),
    )
    .map_err(ReseatError::Seat)?;
    let rows = chosen
        .iter()
        .map(|&seat| Assignment {
            seat,
            booking_id: booking_id.to_owned(),
            expires_at: None,
        })
        .collect();
    Ok(HoldDecision {
        changed: chosen != current,
        hold: Hold {
            seats: chosen,
            expires_at: None,
        },
        rows,
    })
}

/// Seats held or sold right now.
pub fn taken_seats(assignments: &[Assignment], now: DateTime<Utc>) -> BTreeSet<SeatId> {
    assignments
        .iter()
        .filter(|a| a.is_live(now))
        .map(|a| a.seat)
        .collect()
}

/// Sellable seats neither held nor sold: the number search shows.
pub fn seats_available(map: &SeatMap, assignments: &[Assignment], now: DateTime<Utc>) -> u32 {
    let taken = taken_seats(assignments, now);
    map.seats()
        .filter(|seat| !seat.blocked && !taken.contains(&seat.id))
        .count() as u32
}

/// The next instant a hold expires (when the object's alarm should clean up).
pub fn next_expiry(assignments: &[Assignment], now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    assignments
        .iter()
        .filter_map(|a| a.expires_at)
        .filter(|&at| at > now)
        .min()
}

/// The seat map as a traveller sees it: every seat with its status right now.
pub fn seat_map_view(
    flight_id: &str,
    map: &SeatMap,
    assignments: &[Assignment],
    now: DateTime<Utc>,
) -> SeatMapView {
    let status_of = |seat: &crate::seatmap::Seat| {
        if seat.blocked {
            return SeatStatus::Blocked;
        }
        match assignments
            .iter()
            .find(|a| a.seat == seat.id && a.is_live(now))
        {
            None => SeatStatus::Free,
            Some(a) if a.is_sold() => SeatStatus::Sold,
            Some(_) => SeatStatus::Held,
        }
    };
    SeatMapView {
        flight_id: flight_id.to_owned(),
        aircraft: map.aircraft().code().to_owned(),
        seats_available: seats_available(map, assignments, now),
        rows: map
            .rows()
            .iter()
            .map(|row| RowView {
                number: row.number,
                cabin: row.cabin.as_str().to_owned(),
                exit_row: row.exit_row,
                layout: row
                    .blocks()
                    .map(|block| block.iter().map(|s| s.id.letter()).collect::<String>())
                    .collect::<Vec<_>>()
                    .join("|"),
                seats: row
                    .seats
                    .iter()
                    .map(|seat| SeatView {
                        seat: seat.id,
                        cabin: seat.cabin.as_str().to_owned(),
                        window: seat.window,
                        aisle: seat.aisle,
                        exit_row: seat.exit_row,
                        status: status_of(seat),
                    })
                    .collect(),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn economy(passengers: usize, chosen: Option<&[SeatId]>) -> SeatRequest<'_> {
        SeatRequest {
            passengers,
            cabin: Cabin::Economy,
            chosen,
        }
    }
    use airline_domain::AircraftType;
    use chrono::TimeZone as _;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 29, 12, 0, 0).unwrap()
    }

    fn ttl() -> Duration {
        Duration::minutes(10)
    }

    fn small() -> SeatMap {
        SeatMap::for_flight(AircraftType::Atr72, 6)
    }

    fn apply(assignments: &mut Vec<Assignment>, booking: &str, rows: Vec<Assignment>) {
        assignments.retain(|a| a.booking_id != booking);
        assignments.extend(rows);
    }

    #[test]
    fn holds_are_all_or_nothing_and_never_exceed_the_sellable_seats() {
        let map = small();
        let mut rows = Vec::new();
        let first = hold(&map, &rows, "b1", economy(4, None), now(), ttl()).unwrap();
        apply(&mut rows, "b1", first.rows);
        assert_eq!(seats_available(&map, &rows, now()), 2);
        let refused = hold(&map, &rows, "b2", economy(3, None), now(), ttl()).unwrap_err();
        assert_eq!(
            refused,
            SeatError::SoldOut {
                requested: 3,
                available: 2
            }
        );
        assert_eq!(
            seats_available(&map, &rows, now()),
            2,
            "a refused hold takes nothing"
        );
    }

    #[test]
    fn a_repeated_hold_returns_the_same_seats() {
        let map = small();
        let mut rows = Vec::new();
        let first = hold(&map, &rows, "b1", economy(2, None), now(), ttl()).unwrap();
        apply(&mut rows, "b1", first.rows.clone());
        let again = hold(
            &map,
            &rows,
            "b1",
            economy(2, None),
            now() + Duration::seconds(5),
            ttl(),
        )
        .unwrap();
        assert!(!again.changed);
        assert_eq!(again.hold, first.hold);
    }

    #[test]
    fn expired_holds_are_free_even_before_cleanup() {
        let map = small();
        let mut rows = Vec::new();
        let first = hold(&map, &rows, "b1", economy(6, None), now(), ttl()).unwrap();
        apply(&mut rows, "b1", first.rows);
        assert_eq!(seats_available(&map, &rows, now()), 0);
        let later = now() + ttl();
        assert_eq!(seats_available(&map, &rows, later), 6);
        let second = hold(&map, &rows, "b2", economy(6, None), later, ttl()).unwrap();
        assert!(second.changed);
        assert_eq!(confirm(&rows, "b1", later), Err(ConfirmError::Expired));
    }

    #[test]
    fn confirm_sells_a_live_hold_and_is_idempotent() {
        let map = small();
        let mut rows = Vec::new();
        let first = hold(&map, &rows, "b1", economy(2, None), now(), ttl()).unwrap();
        apply(&mut rows, "b1", first.rows);
        let sold = confirm(&rows, "b1", now()).unwrap();
        assert!(sold.iter().all(Assignment::is_sold));
        apply(&mut rows, "b1", sold.clone());
        // Sold seats never expire.
        let much_later = now() + Duration::days(30);
        assert_eq!(confirm(&rows, "b1", much_later).unwrap(), sold);
        assert_eq!(seats_available(&map, &rows, much_later), 4);
        assert_eq!(confirm(&rows, "nobody", now()), Err(ConfirmError::NoHold));
        assert_eq!(next_expiry(&rows, now()), None);
    }

    #[test]
    fn chosen_seats_taken_by_another_booking_are_refused() {
        let map = small();
        let mut rows = Vec::new();
        let first = hold(&map, &rows, "b1", economy(1, None), now(), ttl()).unwrap();
        let seat = first.hold.seats[0];
        apply(&mut rows, "b1", first.rows);
        let clash = hold(&map, &rows, "b2", economy(1, Some(&[seat])), now(), ttl()).unwrap_err();
        assert_eq!(clash, SeatError::Unavailable(vec![seat]));
    }

    #[test]
    fn a_booking_moves_its_sold_seats_to_free_ones_in_its_cabin() {
        let map = SeatMap::for_flight(airline_domain::AircraftType::A320Neo, 180);
        let now = now();
        let seat = |text: &str| SeatId::parse(text).unwrap();
        let sold = |seat_text: &str, booking: &str| Assignment {
            seat: seat(seat_text),
            booking_id: booking.into(),
            expires_at: None,
        };
        let held_by_other = Assignment {
            seat: seat("14A"),
            booking_id: "bk_other".into(),
            expires_at: Some(now + Duration::minutes(5)),
        };
        let rows = vec![
            sold("12A", "bk_1"),
            sold("12B", "bk_1"),
            sold("13A", "bk_2"),
            held_by_other,
        ];
        let moved = reseat(
            &map,
            &rows,
            "bk_1",
            Cabin::Economy,
            &[seat("20C"), seat("20D")],
            now,
        )
        .unwrap();
        assert!(moved.changed);
        assert_eq!(moved.hold.seats, [seat("20C"), seat("20D")]);
        assert!(moved
            .rows
            .iter()
            .all(|row| row.is_sold() && row.booking_id == "bk_1"));
        // Its own seats are free to it: the two passengers swap, or one keeps hers.
        let swapped = reseat(
            &map,
            &rows,
            "bk_1",
            Cabin::Economy,
            &[seat("12B"), seat("12A")],
            now,
        )
        .unwrap();
        assert_eq!(swapped.hold.seats, [seat("12B"), seat("12A")]);
        let same = reseat(
            &map,
            &rows,
            "bk_1",
            Cabin::Economy,
            &[seat("12A"), seat("12B")],
            now,
        )
        .unwrap();
        assert!(!same.changed, "the seats it has: nothing to do");
        // Another booking's seat, sold or held, is taken; so is a seat in another cabin,
        // and the count must be one per passenger.
        for taken in ["13A", "14A"] {
            assert!(matches!(
                reseat(
                    &map,
                    &rows,
                    "bk_1",
                    Cabin::Economy,
                    &[seat(taken), seat("20D")],
                    now
                ),
                Err(ReseatError::Seat(SeatError::Unavailable(_)))
            ));
        }
        assert!(matches!(
            reseat(
                &map,
                &rows,
                "bk_1",
                Cabin::Economy,
                &[seat("1A"), seat("20D")],
                now
            ),
            Err(ReseatError::Seat(SeatError::OtherCabin { .. }))
        ));
        assert!(matches!(
            reseat(&map, &rows, "bk_1", Cabin::Economy, &[seat("20D")], now),
            Err(ReseatError::Seat(SeatError::WrongCount { .. }))
        ));
        // A booking with no sold seats here (only a hold, or none) has nothing to move.
        assert_eq!(
            reseat(&map, &rows, "bk_other", Cabin::Economy, &[seat("20D")], now),
            Err(ReseatError::NotSold)
        );
    }
}
