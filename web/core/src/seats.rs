//! The seat map as the traveller meets it: drawn from the aircraft's layout (the same
//! `SeatMap` the booking uses), walked with arrow keys, read aloud as "31A, window, free",
//! and "seat us together" answered by the booking's own assignment rule. A fare buys one
//! cabin: the other cabin's seats are shown, and said to be outside the fare, but cannot
//! be chosen.

use std::collections::BTreeSet;

use airline_booking::seatmap::{assign_seats, SeatMap};
// The seat vocabulary the app draws with, from the booking itself.
pub use airline_booking::seatmap::{Seat, SeatId};
use airline_domain::AircraftType;

pub use crate::cabin::{cabin_name, Cabin};

use crate::{Locale, Msg};

/// What the traveller can do with a seat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeatState {
    Free,
    /// Sold, held by someone else, or not for sale on this flight.
    Taken,
    /// Chosen in this booking for the passenger with this 1-based number.
    Chosen(usize),
    /// In a cabin the fare does not buy, free or not.
    OtherCabin,
}

impl SeatState {
    /// Whether choosing the seat does anything: a free seat or one already chosen (which
    /// unchooses it).
    pub fn selectable(self) -> bool {
        matches!(self, Self::Free | Self::Chosen(_))
    }
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

/// One flight's seats with who may have which, for a fare in one cabin.
#[derive(Debug, Clone)]
pub struct SeatPlan {
    map: SeatMap,
    taken: BTreeSet<SeatId>,
    /// The cabin the fare buys.
    cabin: Cabin,
}

impl SeatPlan {
    /// Rebuilds the flight's seat map from its aircraft type and the number of seats for
    /// sale, then marks `taken` (held or sold) seats, for a fare in `cabin`. `None` for an
    /// aircraft type this build does not know, so the page can say the map is unavailable.
    pub fn new<'a>(
        aircraft: &str,
        sellable: u32,
        taken: impl IntoIterator<Item = &'a str>,
        cabin: Cabin,
    ) -> Option<SeatPlan> {
        let aircraft = AircraftType::parse("aircraft", aircraft).ok()?;
        let map = SeatMap::for_flight(aircraft, sellable);
        let taken = taken
            .into_iter()
            .filter_map(|id| SeatId::parse(id).ok())
            .collect();
        Some(SeatPlan { map, taken, cabin })
    }

    pub fn map(&self) -> &SeatMap {
        &self.map
    }

    /// The cabin the fare buys.
    pub fn cabin(&self) -> Cabin {
        self.cabin
    }

    /// Whether the flight sells the fare's cabin at all (an ATR 72 sells Economy only):
    /// the booking refuses a fare in a cabin it does not.
    pub fn sells_fare_cabin(&self) -> bool {
        self.map.cabins().contains(&self.cabin)
    }

    /// The cabins on the aircraft other than the fare's, with seats drawn, front first:
    /// what the legend explains.
    pub fn other_cabins(&self) -> Vec<Cabin> {
        let mut cabins: Vec<Cabin> = Vec::new();
        for row in self.map.rows() {
            if row.cabin != self.cabin && !cabins.contains(&row.cabin) {
                cabins.push(row.cabin);
            }
        }
        cabins
    }

    /// Free for this fare: on the aircraft, in the fare's cabin, for sale, not taken.
    pub fn is_free(&self, id: SeatId) -> bool {
        self.map.seat(id).is_some_and(|seat| {
            seat.cabin == self.cabin && !seat.blocked && !self.taken.contains(&id)
        })
    }

    /// What the traveller can do with a seat, given the party's choice so far (one entry
    /// per passenger, in passenger order, `None` for a passenger without a seat yet).
    pub fn state(&self, id: SeatId, chosen: &[Option<String>]) -> SeatState {
        let position = chosen.iter().position(|seat| {
            seat.as_deref()
                .and_then(|text| SeatId::parse(text).ok())
                .is_some_and(|seat| seat == id)
        });
        match position {
            Some(index) => SeatState::Chosen(index + 1),
            None if self
                .map
                .seat(id)
                .is_some_and(|seat| seat.cabin != self.cabin) =>
            {
                SeatState::OtherCabin
            }
            None if self.is_free(id) => SeatState::Free,
            None => SeatState::Taken,
        }
    }

    /// Seats for the whole party side by side where possible, in the fare's cabin, exactly
    /// as the booking assigns them when no seats are chosen. `None` when too few seats are
    /// free in that cabin.
    pub fn together(&self, passengers: usize) -> Option<Vec<SeatId>> {
        assign_seats(&self.map, &self.taken, passengers, self.cabin, None).ok()
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

    /// The first seat a keyboard lands on: the first free one in the fare's cabin, else
    /// the cabin's first seat, else the aircraft's first.
    pub fn first_stop(&self) -> Option<SeatId> {
        let mut seats = self.map.seats().map(|seat| seat.id);
        let first_in_cabin = self
            .map
            .seats()
            .find(|seat| seat.cabin == self.cabin)
            .map(|seat| seat.id);
        let first = self.map.seats().next().map(|seat| seat.id);
        seats
            .find(|id| self.is_free(*id))
            .or(first_in_cabin)
            .or(first)
    }

    /// The label over the first row of a cabin in the map: "Business · your fare", or
    /// "Economy · not in your fare".
    pub fn cabin_label(&self, cabin: Cabin, locale: Locale) -> String {
        let name = cabin_name(cabin).text(locale);
        if cabin == self.cabin {
            Msg::CabinYourFare.fill(locale, &[name])
        } else {
            Msg::CabinNotInFare.fill(locale, &[name])
        }
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
        SeatState::OtherCabin => Msg::SeatOtherCabin.text(locale).to_owned(),
    });
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(text: &str) -> SeatId {
        SeatId::parse(text).unwrap()
    }

    fn a320(taken: &[&str]) -> SeatPlan {
        SeatPlan::new("A20N", 180, taken.iter().copied(), Cabin::Economy).unwrap()
    }

    fn a320_business(taken: &[&str]) -> SeatPlan {
        SeatPlan::new("A20N", 180, taken.iter().copied(), Cabin::Business).unwrap()
    }

    fn cabin_of(plan: &SeatPlan, seat: SeatId) -> Cabin {
        plan.map().seat(seat).unwrap().cabin
    }

    #[test]
    fn unknown_aircraft_has_no_plan() {
        assert!(SeatPlan::new("ZZZZ", 10, [], Cabin::Economy).is_none());
    }

    #[test]
    fn taken_and_blocked_seats_are_not_free() {
        let plan = SeatPlan::new("A20N", 10, ["1A"], Cabin::Business).unwrap();
        let seats: Vec<SeatId> = plan.map().seats().map(|s| s.id).collect();
        assert!(!plan.is_free(seats[0]), "taken");
        assert!(plan.is_free(seats[1]));
        assert!(!plan.is_free(seats[10]), "beyond the 10 sellable seats");
        assert!(!plan.is_free(id("99Z")), "not on the aircraft");
    }

    #[test]
    fn a_fare_frees_only_its_own_cabins_seats() {
        // Rows 1 to 3 of an A320neo are Business, the rest Economy.
        let economy = a320(&[]);
        let business = a320_business(&[]);
        assert_eq!(cabin_of(&economy, id("1A")), Cabin::Business);
        assert_eq!(cabin_of(&economy, id("12C")), Cabin::Economy);
        assert_eq!(economy.cabin(), Cabin::Economy);
        assert!(!economy.is_free(id("1A")));
        assert!(economy.is_free(id("12C")));
        assert!(business.is_free(id("1A")));
        assert!(!business.is_free(id("12C")));
        assert_eq!(economy.other_cabins(), [Cabin::Business]);
        assert_eq!(business.other_cabins(), [Cabin::Economy]);
        assert!(economy.sells_fare_cabin() && business.sells_fare_cabin());
        // An ATR 72 has no Business cabin: a Business fare has nothing to sit in.
        let atr = SeatPlan::new("AT76", 70, [], Cabin::Business).unwrap();
        assert!(!atr.sells_fare_cabin());
        assert!(atr.map().seats().all(|seat| !atr.is_free(seat.id)));
        let atr = SeatPlan::new("AT76", 70, [], Cabin::Economy).unwrap();
        assert!(atr.sells_fare_cabin());
        assert!(atr.other_cabins().is_empty());
    }

    #[test]
    fn each_seat_says_what_the_traveller_can_do_with_it() {
        let plan = a320(&["12A", "1C"]);
        let chosen = [Some("12B".to_owned()), None];
        assert_eq!(plan.state(id("12B"), &chosen), SeatState::Chosen(1));
        assert_eq!(plan.state(id("12C"), &chosen), SeatState::Free);
        assert_eq!(plan.state(id("12A"), &chosen), SeatState::Taken);
        // Another cabin's seat is out of the fare, whether free or taken.
        assert_eq!(plan.state(id("1A"), &chosen), SeatState::OtherCabin);
        assert_eq!(plan.state(id("1C"), &chosen), SeatState::OtherCabin);
        assert!(SeatState::Free.selectable() && SeatState::Chosen(2).selectable());
        assert!(!SeatState::Taken.selectable() && !SeatState::OtherCabin.selectable());
        // Seen from a Business fare, it is the other way round.
        let business = a320_business(&[]);
        assert_eq!(business.state(id("1A"), &[None]), SeatState::Free);
        assert_eq!(business.state(id("12C"), &[None]), SeatState::OtherCabin);
    }

    #[test]
    fn together_is_the_bookings_own_assignment_in_the_fares_cabin() {
        let taken = BTreeSet::new();
        for cabin in Cabin::ALL {
            let plan = SeatPlan::new("A20N", 180, [], cabin).unwrap();
            let seats = plan.together(3).unwrap();
            assert!(seats.iter().all(|seat| cabin_of(&plan, *seat) == cabin));
            assert_eq!(
                Some(seats),
                assign_seats(plan.map(), &taken, 3, cabin, None).ok(),
                "same rule as the booking"
            );
        }
        let full = SeatPlan::new("A20N", 2, [], Cabin::Business).unwrap();
        assert_eq!(full.together(3), None);
        // Economy full: an Economy fare is not moved up to Business.
        let economy_seats: Vec<String> = a320(&[])
            .map()
            .seats()
            .filter(|seat| seat.cabin == Cabin::Economy)
            .map(|seat| seat.id.to_string())
            .collect();
        let sold_out = SeatPlan::new(
            "A20N",
            180,
            economy_seats.iter().map(String::as_str),
            Cabin::Economy,
        )
        .unwrap();
        assert_eq!(sold_out.together(1), None);
        // A Business fare on an aircraft without Business has nowhere to sit.
        let atr = SeatPlan::new("AT76", 70, [], Cabin::Business).unwrap();
        assert_eq!(atr.together(1), None);
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
    fn the_first_stop_is_the_first_free_seat_of_the_fares_cabin() {
        let business = a320_business(&["1A"]);
        assert_eq!(business.first_stop(), Some(id("1C")));
        // Economy starts behind Business, whatever is free in front of it.
        let economy = a320(&[]);
        assert_eq!(economy.first_stop(), Some(id("4A")));
        let economy = a320(&["4A", "4B"]);
        assert_eq!(economy.first_stop(), Some(id("4C")));
        // Nothing free in the cabin: its first seat, so the keyboard starts where the
        // fare's seats are.
        let all_business: Vec<String> = (1..=3)
            .flat_map(|row| ["A", "C", "D", "F"].map(|letter| format!("{row}{letter}")))
            .collect();
        let full = SeatPlan::new(
            "A20N",
            180,
            all_business.iter().map(String::as_str),
            Cabin::Business,
        )
        .unwrap();
        assert_eq!(full.first_stop(), Some(id("1A")));
        let atr = SeatPlan::new("AT76", 70, [], Cabin::Business).unwrap();
        assert_eq!(
            atr.first_stop(),
            Some(id("1A")),
            "no cabin of its own: the first seat"
        );
    }

    #[test]
    fn cabin_labels_say_which_cabin_the_fare_buys() {
        let economy = a320(&[]);
        assert_eq!(
            economy.cabin_label(Cabin::Economy, Locale::En),
            "Economy — your fare"
        );
        assert_eq!(
            economy.cabin_label(Cabin::Business, Locale::En),
            "Business — not in your fare"
        );
        let business = a320_business(&[]);
        assert_eq!(
            business.cabin_label(Cabin::Business, Locale::De),
            "Business – Ihr Tarif"
        );
        assert_eq!(
            business.cabin_label(Cabin::Economy, Locale::De),
            "Economy – nicht in Ihrem Tarif"
        );
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
        let front = plan.map().seat(id("1A")).unwrap();
        assert_eq!(
            spoken_label(front, plan.state(front.id, &[]), Locale::En),
            "1A, window, not in your cabin"
        );
        assert_eq!(
            spoken_label(front, SeatState::OtherCabin, Locale::De),
            "1A, Fenster, nicht in Ihrer Kabine"
        );
    }
}
