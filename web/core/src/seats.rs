//! The seat map as the traveller meets it: drawn from the aircraft's layout (the same
//! `SeatMap` the booking uses), walked with arrow keys, read aloud as "31A, window, free",
//! and "seat us together" answered by the booking's own assignment rule.

use std::collections::BTreeSet;

use airline_booking::seatmap::{assign_seats, SeatMap};
// The seat vocabulary the app draws with, from the booking itself.
pub use airline_booking::seatmap::{Cabin, Seat, SeatId};
use airline_domain::AircraftType;

use crate::{Locale, Msg};

/// What the traveller can do with a seat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeatState {
    Free,
    /// Sold, held by someone else, or not for sale on this flight.
    Taken,
    /// Chosen in this booking for the passenger with this 1-based number.
    Chosen(usize),
}

/// An arrow key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Left,
    Right,
    Up,
    Down,
}

impl Step {
    /// From `KeyboardEvent.key`.
    pub fn from_key(key: &str) -> Option<Step> {
        match key {
            "ArrowLeft" => Some(Self::Left),
            "ArrowRight" => Some(Self::Right),
            "ArrowUp" => Some(Self::Up),
            "ArrowDown" => Some(Self::Down),
            _ => None,
        }
    }
}

/// One flight's seats with who may have which.
#[derive(Debug, Clone)]
pub struct SeatPlan {
    map: SeatMap,
    taken: BTreeSet<SeatId>,
}

impl SeatPlan {
    /// Rebuilds the flight's seat map from its aircraft type and the number of seats for
    /// sale, then marks `taken` (held or sold) seats. `None` for an aircraft type this
    /// build does not know, so the page can say the map is unavailable.
    pub fn new<'a>(
        aircraft: &str,
        sellable: u32,
        taken: impl IntoIterator<Item = &'a str>,
    ) -> Option<SeatPlan> {
        let aircraft = AircraftType::parse("aircraft", aircraft).ok()?;
        let map = SeatMap::for_flight(aircraft, sellable);
        let taken = taken
            .into_iter()
            .filter_map(|id| SeatId::parse(id).ok())
            .collect();
        Some(SeatPlan { map, taken })
    }

    pub fn map(&self) -> &SeatMap {
        &self.map
    }

    pub fn is_free(&self, id: SeatId) -> bool {
        self.map
            .seat(id)
            .is_some_and(|seat| !seat.blocked && !self.taken.contains(&id))
    }

    /// Seats for the whole party side by side where possible, exactly as the booking
    /// assigns them when no seats are chosen. `None` when too few seats are free.
    pub fn together(&self, passengers: usize) -> Option<Vec<SeatId>> {
        assign_seats(&self.map, &self.taken, passengers, None).ok()
    }

    /// The seat an arrow key moves to: along the row, or to the nearest seat in the next
    /// row up or down (rows differ in width between cabins). Taken seats are stops too,
    /// so a screen reader hears them.
    pub fn step(&self, from: SeatId, step: Step) -> Option<SeatId> {
        let rows = self.map.rows();
        let row_index = rows.iter().position(|row| row.number == from.row())?;
        let row = &rows[row_index];
        let column = row.seats.iter().position(|seat| seat.id == from)?;
        match step {
            Step::Left => column.checked_sub(1).map(|c| row.seats[c].id),
            Step::Right => row.seats.get(column + 1).map(|seat| seat.id),
            Step::Up | Step::Down => {
                let target = if step == Step::Up {
                    row_index.checked_sub(1)?
                } else {
                    row_index + 1
                };
                let next = rows.get(target)?;
                // Same letter if the row has it, else the seat at the same relative place.
                next.seats
                    .iter()
                    .find(|seat| seat.id.letter() == from.letter())
                    .or_else(|| {
                        let width = row.seats.len().max(1);
                        let index = column * next.seats.len() / width;
                        next.seats
                            .get(index.min(next.seats.len().saturating_sub(1)))
                    })
                    .map(|seat| seat.id)
            }
        }
    }

    /// The first seat a keyboard lands on: the first free one, else the first.
    pub fn first_stop(&self) -> Option<SeatId> {
        let mut seats = self.map.seats().map(|seat| seat.id);
        let first = self.map.seats().next().map(|seat| seat.id);
        seats.find(|id| self.is_free(*id)).or(first)
    }
}

/// What a screen reader says for a seat: "31A, window, exit row, free".
pub fn spoken_label(seat: &Seat, state: SeatState, locale: Locale) -> String {
    let position = if seat.window {
        Msg::SeatWindow
    } else if seat.aisle {
        Msg::SeatAisle
    } else {
        Msg::SeatMiddle
    };
    let mut parts = vec![seat.id.to_string(), position.text(locale).to_owned()];
    if seat.exit_row {
        parts.push(Msg::SeatExit.text(locale).to_owned());
    }
    parts.push(match state {
        SeatState::Free => Msg::SeatFree.text(locale).to_owned(),
        SeatState::Taken => Msg::SeatTaken.text(locale).to_owned(),
        SeatState::Chosen(passenger) => Msg::SeatChosen.fill(locale, &[&passenger.to_string()]),
    });
    parts.join(", ")
}

pub fn cabin_name(cabin: Cabin) -> Msg {
    match cabin {
        Cabin::Business => Msg::Business,
        Cabin::Economy => Msg::Economy,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(text: &str) -> SeatId {
        SeatId::parse(text).unwrap()
    }

    fn a320(taken: &[&str]) -> SeatPlan {
        SeatPlan::new("A20N", 180, taken.iter().copied()).unwrap()
    }

    #[test]
    fn unknown_aircraft_has_no_plan() {
        assert!(SeatPlan::new("ZZZZ", 10, []).is_none());
    }

    #[test]
    fn taken_and_blocked_seats_are_not_free() {
        let plan = SeatPlan::new("A20N", 10, ["1A"]).unwrap();
        let seats: Vec<SeatId> = plan.map().seats().map(|s| s.id).collect();
        assert!(!plan.is_free(seats[0]), "taken");
        assert!(plan.is_free(seats[1]));
        assert!(!plan.is_free(seats[10]), "beyond the 10 sellable seats");
        assert!(!plan.is_free(id("99Z")), "not on the aircraft");
    }

    #[test]
    fn together_is_the_bookings_own_assignment() {
        let plan = a320(&[]);
        let seats = plan.together(3).unwrap();
        let taken = BTreeSet::new();
        assert_eq!(
            Some(seats),
            assign_seats(plan.map(), &taken, 3, None).ok(),
            "same rule as the booking"
        );
        let full = SeatPlan::new("A20N", 2, []).unwrap();
        assert_eq!(full.together(3), None);
    }

    #[test]
    fn arrow_keys_walk_rows_and_columns() {
        let plan = a320(&[]);
        let first = plan.map().rows()[0].seats[0].id;
        assert_eq!(plan.step(first, Step::Left), None);
        let right = plan.step(first, Step::Right).unwrap();
        assert_eq!(right.row(), first.row());
        assert_ne!(right, first);
        let down = plan.step(first, Step::Down).unwrap();
        assert_eq!(down.row(), first.row() + 1);
        assert_eq!(plan.step(down, Step::Up), Some(first));
        assert_eq!(plan.step(first, Step::Up), None);
        let last_row = plan.map().rows().last().unwrap();
        assert_eq!(plan.step(last_row.seats[0].id, Step::Down), None);
    }

    #[test]
    fn moving_between_cabins_of_different_width_lands_on_a_seat() {
        let plan = a320(&[]);
        let rows = plan.map().rows();
        let boundary = rows
            .windows(2)
            .find(|pair| pair[0].seats.len() != pair[1].seats.len());
        if let Some(pair) = boundary {
            for seat in &pair[1].seats {
                let up = plan.step(seat.id, Step::Up).unwrap();
                assert_eq!(up.row(), pair[0].number);
            }
        }
    }

    #[test]
    fn the_first_stop_skips_taken_seats() {
        let plan = a320(&["1A"]);
        assert_ne!(plan.first_stop(), Some(id("1A")));
    }

    #[test]
    fn labels_say_place_and_state_in_the_travellers_language() {
        let plan = a320(&[]);
        let window = plan
            .map()
            .seats()
            .find(|s| s.window && !s.exit_row)
            .unwrap();
        let label = spoken_label(window, SeatState::Free, Locale::En);
        assert_eq!(label, format!("{}, window, free", window.id));
        let aisle = plan.map().seats().find(|s| s.aisle).unwrap();
        assert!(spoken_label(aisle, SeatState::Chosen(2), Locale::De)
            .ends_with("Gang, gewählt für Person 2"));
        let exit = plan.map().seats().find(|s| s.exit_row).unwrap();
        assert!(spoken_label(exit, SeatState::Taken, Locale::En).contains("exit row, taken"));
    }
}
