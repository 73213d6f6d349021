//! A flight's seat map, generated from its aircraft type, and the pure rule that picks seats
//! for a party.
//!
//! The seat map is derived, never stored: the aircraft type fixes the cabin layout, and the
//! number of seats the airline sells on the flight fixes which seats are blocked. The Durable
//! Object that holds a flight's seats only persists which seats are taken; everything else
//! is recomputed here, so the rules are tested natively and cannot drift between copies.
//!
//! Exit-row seats are sold like any other: the age and mobility rules for sitting in an
//! exit row are checked at check-in, and are out of scope here.
//!
//! One file on purpose: the layout and the assignment rule share the seat grid's types and
//! invariants, and the assignment is tested against layouts built here.

use std::collections::{BTreeSet, HashSet};
use std::fmt;
use std::ops::Range;

use airline_domain::{AircraftType, Cabin};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The most passengers one booking may hold: the domain's limit, as a count of seats.
pub const MAX_PARTY: usize = airline_domain::MAX_PASSENGERS as usize;

/// Rows above this would need four digits, which no seat number has.
const MAX_ROW: u16 = 999;

/// A seat by row number and letter, e.g. 12C. Ordered by (row, letter).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SeatId {
    // Field order matters: the derived `Ord` compares the row first, then the letter.
    row: u16,
    letter: char,
}

impl SeatId {
    /// A seat id as given; [`SeatId::parse`] is the checked way in from outside.
    pub fn new(row: u16, letter: char) -> Self {
        Self { row, letter }
    }

    /// Parses a seat number as a traveller types it: surrounding spaces are ignored and the
    /// letter may be lower-case (`" 12c "` is 12C). The row is 1 to 999 without leading
    /// zeros, so every accepted text has exactly one spelling once displayed.
    pub fn parse(text: &str) -> Result<SeatId, SeatError> {
        let malformed = || SeatError::Malformed(text.to_owned());
        let trimmed = text.trim();
        if !trimmed.is_ascii() {
            return Err(malformed());
        }
        let Some((&letter, digits)) = trimmed.as_bytes().split_last() else {
            return Err(malformed());
        };
        if !letter.is_ascii_alphabetic()
            || digits.is_empty()
            || digits.len() > 3
            || digits.first() == Some(&b'0')
            || !digits.iter().all(u8::is_ascii_digit)
        {
            return Err(malformed());
        }
        let row = digits
            .iter()
            .fold(0u16, |row, digit| row * 10 + u16::from(digit - b'0'));
        if row == 0 || row > MAX_ROW {
            return Err(malformed());
        }
        Ok(SeatId::new(row, char::from(letter.to_ascii_uppercase())))
    }

    pub fn row(&self) -> u16 {
        self.row
    }

    pub fn letter(&self) -> char {
        self.letter
    }
}

impl fmt::Display for SeatId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.row, self.letter)
    }
}

// By hand rather than derived: on the wire a seat is the string travellers read ("12C"),
// not a `{row, letter}` object.
impl Serialize for SeatId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for SeatId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SeatIdVisitor;

        impl serde::de::Visitor<'_> for SeatIdVisitor {
            type Value = SeatId;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a seat number like 12C")
            }

            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<SeatId, E> {
                SeatId::parse(text).map_err(E::custom)
            }
        }

        deserializer.deserialize_str(SeatIdVisitor)
    }
}

/// One seat and what a traveller choosing it wants to know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Seat {
    pub id: SeatId,
    pub cabin: Cabin,
    pub window: bool,
    pub aisle: bool,
    pub exit_row: bool,
    /// Not for sale on this flight (the airline sells fewer seats than the aircraft has).
    pub blocked: bool,
}

/// One row of seats, left to right.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub number: u16,
    pub cabin: Cabin,
    pub exit_row: bool,
    pub seats: Vec<Seat>,
    /// The seat blocks between aisles, as index ranges into `seats`: "side by side" means
    /// within one block, which letters alone cannot tell (C and D are adjacent letters on
    /// either side of an aisle).
    blocks: Vec<Range<usize>>,
}

impl Row {
    /// The row's seat blocks between aisles, left to right. A partial last row has only the
    /// blocks (and parts of blocks) that hold seats.
    pub fn blocks(&self) -> impl Iterator<Item = &[Seat]> {
        self.blocks
            .iter()
            .filter_map(|range| self.seats.get(range.clone()))
    }
}

/// The seats of one flight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeatMap {
    aircraft: AircraftType,
    rows: Vec<Row>,
}

/// The airline's cabin configuration for one aircraft type. Letters are written left to
/// right with `|` for an aisle; rows are numbered from 1 across both cabins.
struct Layout {
    business_rows: u16,
    business: &'static str,
    economy: &'static str,
    exit_rows: &'static [u16],
}

fn layout(aircraft: AircraftType) -> Layout {
    let (business_rows, business, economy, exit_rows): (u16, _, _, &'static [u16]) = match aircraft
    {
        AircraftType::Atr72 => (0, "", "AC|DF", &[10]),
        AircraftType::E190 => (3, "A|CD", "AC|DF", &[12, 13]),
        AircraftType::A320Neo => (3, "AC|DF", "ABC|DEF", &[12, 13]),
        AircraftType::A321Neo => (4, "AC|DF", "ABC|DEF", &[11, 25]),
        AircraftType::B738 => (3, "AC|DF", "ABC|DEF", &[14, 15]),
        AircraftType::B789 => (7, "A|DG|K", "ABC|DEF|GHK", &[8, 26]),
        AircraftType::A359 => (8, "A|DG|K", "ABC|DEF|GHK", &[9, 28]),
        AircraftType::B77W => (10, "A|DG|K", "ABC|DEFG|HJK", &[11, 30]),
    };
    Layout {
        business_rows,
        business,
        economy,
        exit_rows,
    }
}

/// Builds a row from a layout, taking at most `limit` seats in letter order (the last row of
/// a cabin may be partial: it fills from the left window inward).
fn build_row(number: u16, cabin: Cabin, pattern: &str, exit_row: bool, limit: usize) -> Row {
    let letters: Vec<char> = pattern.chars().collect();
    let first = letters.iter().position(|c| *c != '|');
    let last = letters.iter().rposition(|c| *c != '|');
    let mut seats = Vec::new();
    let mut blocks = Vec::new();
    let mut block_start = 0;
    for (index, &letter) in letters.iter().enumerate() {
        if letter == '|' {
            if seats.len() > block_start {
                blocks.push(block_start..seats.len());
            }
            block_start = seats.len();
            continue;
        }
        if seats.len() >= limit {
            break;
        }
        let before_aisle = letters.get(index + 1) == Some(&'|');
        let after_aisle = index > 0 && letters.get(index - 1) == Some(&'|');
        seats.push(Seat {
            id: SeatId::new(number, letter),
            cabin,
            window: Some(index) == first || Some(index) == last,
            aisle: before_aisle || after_aisle,
            exit_row,
            blocked: false,
        });
    }
    if seats.len() > block_start {
        blocks.push(block_start..seats.len());
    }
    Row {
        number,
        cabin,
        exit_row,
        seats,
        blocks,
    }
}

fn seats_per_row(pattern: &str) -> usize {
    pattern.chars().filter(|c| *c != '|').count()
}

impl SeatMap {
    /// The aircraft's whole cabin (exactly `aircraft.seat_capacity()` seats), with every seat
    /// beyond `sellable` blocked, taken from the back (highest row, then highest letter,
    /// first): an airline may sell fewer seats than the aircraft has. `sellable` above the
    /// aircraft's capacity is clamped to it.
    pub fn for_flight(aircraft: AircraftType, sellable: u32) -> SeatMap {
        let layout = layout(aircraft);
        let capacity = usize::try_from(aircraft.seat_capacity()).unwrap_or(usize::MAX);
        let mut rows = Vec::new();
        let mut total = 0usize;
        let mut number: u16 = 0;
        let mut push_row = |rows: &mut Vec<Row>, total: &mut usize, cabin, pattern: &str| {
            number = number.saturating_add(1);
            let row = build_row(
                number,
                cabin,
                pattern,
                layout.exit_rows.contains(&number),
                capacity.saturating_sub(*total),
            );
            *total += row.seats.len();
            rows.push(row);
        };
        for _ in 0..layout.business_rows {
            if total >= capacity {
                break;
            }
            push_row(&mut rows, &mut total, Cabin::Business, layout.business);
        }
        // Economy fills the rest. The row-number cap only guards against a layout with no
        // seats; every real layout reaches its capacity in well under a hundred rows.
        if seats_per_row(layout.economy) > 0 {
            while total < capacity && rows.len() < usize::from(MAX_ROW) {
                push_row(&mut rows, &mut total, Cabin::Economy, layout.economy);
            }
        }

        // Seats in (row, letter) order: the first `sellable` are for sale, the rest (the
        // back of the aircraft) are blocked.
        let sellable = usize::try_from(sellable.min(aircraft.seat_capacity())).unwrap_or(0);
        for (index, seat) in rows
            .iter_mut()
            .flat_map(|row| row.seats.iter_mut())
            .enumerate()
        {
            seat.blocked = index >= sellable;
        }
        SeatMap { aircraft, rows }
    }

    pub fn aircraft(&self) -> AircraftType {
        self.aircraft
    }

    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    pub fn seat(&self, id: SeatId) -> Option<&Seat> {
        // Rows are numbered from 1 without gaps, so the row number is its index.
        let index = usize::from(id.row).checked_sub(1)?;
        let row = self.rows.get(index).filter(|row| row.number == id.row)?;
        row.seats.iter().find(|seat| seat.id == id)
    }

    pub fn seats(&self) -> impl Iterator<Item = &Seat> {
        self.rows.iter().flat_map(|row| row.seats.iter())
    }

    /// The cabins with seats for sale on this flight, Economy first: the fares it sells.
    pub fn cabins(&self) -> Vec<Cabin> {
        Cabin::ALL
            .into_iter()
            .filter(|&cabin| {
                self.seats()
                    .any(|seat| seat.cabin == cabin && !seat.blocked)
            })
            .collect()
    }

    /// Seats not blocked.
    pub fn sellable_count(&self) -> u32 {
        let count = self.seats().filter(|seat| !seat.blocked).count();
        u32::try_from(count).unwrap_or(u32::MAX)
    }
}

/// Why seats could not be given to a party.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SeatError {
    /// The text is not a seat number.
    Malformed(String),
    /// No such seat on this aircraft.
    UnknownSeat(SeatId),
    /// The seat exists but is not for sale on this flight.
    Blocked(SeatId),
    /// Chosen seats already held or sold; all of them, so the traveller can re-pick at once.
    Unavailable(Vec<SeatId>),
    /// The same seat chosen twice.
    Duplicate(SeatId),
    /// The number of seats chosen does not match the party, or the party itself is not
    /// 1 to [`MAX_PARTY`] passengers.
    WrongCount { passengers: usize, seats: usize },
    /// Fewer free seats than passengers in the fare's cabin.
    SoldOut { requested: usize, available: usize },
    /// A chosen seat in another cabin than the one the fare buys.
    OtherCabin {
        seat: SeatId,
        cabin: Cabin,
        fare: Cabin,
    },
}

impl fmt::Display for SeatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed(text) => write!(
                f,
                "`{text}` is not a seat number (a row and a letter, like 12C)"
            ),
            Self::UnknownSeat(id) => write!(f, "there is no seat {id} on this aircraft"),
            Self::Blocked(id) => write!(f, "seat {id} is not for sale on this flight"),
            Self::Unavailable(ids) => match ids.as_slice() {
                [] => f.write_str("the chosen seats are no longer available"),
                [id] => write!(f, "seat {id} is no longer available"),
                ids => {
                    f.write_str("seats ")?;
                    for (index, id) in ids.iter().enumerate() {
                        if index > 0 {
                            f.write_str(", ")?;
                        }
                        write!(f, "{id}")?;
                    }
                    f.write_str(" are no longer available")
                }
            },
            Self::Duplicate(id) => write!(f, "seat {id} was chosen more than once"),
            Self::WrongCount { passengers, .. } if !party_size_ok(*passengers) => write!(
                f,
                "a booking is for 1 to {MAX_PARTY} passengers, not {passengers}"
            ),
            Self::WrongCount { passengers, seats } => write!(
                f,
                "{passengers} {} {} {passengers} {}, but {seats} {} chosen",
                plural(*passengers, "passenger", "passengers"),
                plural(*passengers, "needs", "need"),
                plural(*passengers, "seat", "seats"),
                plural(*seats, "was", "were"),
            ),
            Self::SoldOut { available: 0, .. } => f.write_str("the flight is sold out"),
            Self::SoldOut {
                requested,
                available,
            } => write!(
                f,
                "only {available} {} left, not enough for {requested} passengers",
                plural(*available, "seat is", "seats are"),
            ),
            Self::OtherCabin { seat, cabin, fare } => {
                let article = if *fare == Cabin::Economy { "an" } else { "a" };
                write!(
                    f,
                    "seat {seat} is in {cabin}; {article} {fare} fare sits in {fare}"
                )
            }
        }
    }
}

impl std::error::Error for SeatError {}

fn plural(count: usize, one: &'static str, many: &'static str) -> &'static str {
    if count == 1 {
        one
    } else {
        many
    }
}

fn party_size_ok(passengers: usize) -> bool {
    (1..=MAX_PARTY).contains(&passengers)
}

/// Seats for a party of `passengers` (1..=9) given the seats already `taken` (held or sold).
///
/// Only seats in `cabin`, the cabin the fare buys, are considered. With `chosen` seats:
/// exactly `passengers` of them, each existing, in the cabin, not blocked, not taken, no
/// duplicates -> those seats (in the order given). Without: auto-assign, preferring in
/// order (within the cabin: a fare never spills into another, up or down)
/// 1. the first block (seats between aisles), front to back, with the whole party side by
///    side, taking the leftmost such run in the block;
/// 2. the first row with room for the whole party, split across the aisle;
/// 3. the run of free seats, in (row, letter) order, that spans the fewest rows (the
///    frontmost of equals), so a party split over rows still sits close together.
///
/// Never returns a blocked or taken seat; returns `SoldOut` when fewer than `passengers`
/// sellable free seats remain in the cabin. A party size outside 1..=9 is `WrongCount`. Deterministic:
/// same inputs, same seats.
pub fn assign_seats(
    map: &SeatMap,
    taken: &BTreeSet<SeatId>,
    passengers: usize,
    cabin: Cabin,
    chosen: Option<&[SeatId]>,
) -> Result<Vec<SeatId>, SeatError> {
    if !party_size_ok(passengers) {
        return Err(SeatError::WrongCount {
            passengers,
            seats: chosen.map_or(0, <[SeatId]>::len),
        });
    }
    match chosen {
        Some(chosen) => check_chosen(map, taken, passengers, cabin, chosen),
        None => auto_assign(map, taken, passengers, cabin),
    }
}

fn check_chosen(
    map: &SeatMap,
    taken: &BTreeSet<SeatId>,
    passengers: usize,
    cabin: Cabin,
    chosen: &[SeatId],
) -> Result<Vec<SeatId>, SeatError> {
    if chosen.len() != passengers {
        return Err(SeatError::WrongCount {
            passengers,
            seats: chosen.len(),
        });
    }
    let mut seen = HashSet::with_capacity(chosen.len());
    for &id in chosen {
        if !seen.insert(id) {
            return Err(SeatError::Duplicate(id));
        }
        match map.seat(id) {
            None => return Err(SeatError::UnknownSeat(id)),
            Some(seat) if seat.blocked => return Err(SeatError::Blocked(id)),
            Some(seat) if seat.cabin != cabin => {
                return Err(SeatError::OtherCabin {
                    seat: id,
                    cabin: seat.cabin,
                    fare: cabin,
                })
            }
            Some(_) => {}
        }
    }
    // Taken seats are reported together (not just the first), so a traveller whose
    // choice went stale re-picks once, not once per seat.
    let unavailable: Vec<SeatId> = chosen
        .iter()
        .copied()
        .filter(|id| taken.contains(id))
        .collect();
    if !unavailable.is_empty() {
        return Err(SeatError::Unavailable(unavailable));
    }
    Ok(chosen.to_vec())
}

fn auto_assign(
    map: &SeatMap,
    taken: &BTreeSet<SeatId>,
    passengers: usize,
    cabin: Cabin,
) -> Result<Vec<SeatId>, SeatError> {
    let free = |seat: &Seat| seat.cabin == cabin && !seat.blocked && !taken.contains(&seat.id);
    let available = map.seats().filter(|seat| free(seat)).count();
    if available < passengers {
        return Err(SeatError::SoldOut {
            requested: passengers,
            available,
        });
    }

    let rows: Vec<&Row> = map.rows.iter().filter(|row| row.cabin == cabin).collect();

    // 1. The whole party side by side in one block.
    for row in &rows {
        for block in row.blocks() {
            let mut run_start = 0;
            for (index, seat) in block.iter().enumerate() {
                if !free(seat) {
                    run_start = index + 1;
                } else if index + 1 - run_start == passengers {
                    if let Some(run) = block.get(run_start..=index) {
                        return Ok(run.iter().map(|s| s.id).collect());
                    }
                }
            }
        }
    }

    // 2. The whole party in one row, across the aisle.
    for row in &rows {
        let seats: Vec<SeatId> = row
            .seats
            .iter()
            .filter(|seat| free(seat))
            .map(|seat| seat.id)
            .take(passengers)
            .collect();
        if seats.len() == passengers {
            return Ok(seats);
        }
    }

    // 3. The consecutive free seats (in row, letter order) spanning the fewest rows; the
    // earliest window among equals, which always starts at the first free seat of a row.
    let candidates: Vec<SeatId> = rows
        .iter()
        .flat_map(|row| row.seats.iter())
        .filter(|seat| free(seat))
        .map(|seat| seat.id)
        .collect();
    let best =
        candidates
            .windows(passengers)
            .min_by_key(|window| match (window.first(), window.last()) {
                (Some(first), Some(last)) => last.row.saturating_sub(first.row),
                _ => u16::MAX,
            });
    match best {
        Some(window) => Ok(window.to_vec()),
        // Unreachable: the cabins considered hold at least `passengers` free seats. Reported
        // as sold out rather than trusted.
        None => Err(SeatError::SoldOut {
            requested: passengers,
            available: candidates.len(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(text: &str) -> SeatId {
        SeatId::parse(text).unwrap()
    }

    fn ids(texts: &[&str]) -> Vec<SeatId> {
        texts.iter().map(|text| id(text)).collect()
    }

    fn set(texts: &[&str]) -> BTreeSet<SeatId> {
        ids(texts).into_iter().collect()
    }

    fn full(aircraft: AircraftType) -> SeatMap {
        SeatMap::for_flight(aircraft, aircraft.seat_capacity())
    }

    fn letters(row: &Row) -> String {
        row.seats.iter().map(|seat| seat.id.letter()).collect()
    }

    #[test]
    fn every_type_has_exactly_its_capacity_with_unique_ids() {
        for aircraft in AircraftType::ALL {
            let map = full(aircraft);
            assert_eq!(map.aircraft(), aircraft);
            let count = u32::try_from(map.seats().count()).unwrap();
            assert_eq!(count, aircraft.seat_capacity(), "{aircraft}");
            assert_eq!(map.sellable_count(), aircraft.seat_capacity(), "{aircraft}");
            let unique: HashSet<SeatId> = map.seats().map(|seat| seat.id).collect();
            assert_eq!(unique.len(), map.seats().count(), "{aircraft}");
            for (index, row) in map.rows().iter().enumerate() {
                assert_eq!(usize::from(row.number), index + 1, "{aircraft}");
                assert!(!row.seats.is_empty());
                for seat in &row.seats {
                    assert_eq!(seat.id.row(), row.number);
                    assert_eq!(seat.cabin, row.cabin);
                    assert_eq!(seat.exit_row, row.exit_row);
                    assert_ne!(seat.id.letter(), 'I');
                    assert_eq!(map.seat(seat.id), Some(seat));
                }
                let in_blocks: Vec<&Seat> = row.blocks().flatten().collect();
                assert_eq!(in_blocks, row.seats.iter().collect::<Vec<_>>());
            }
            // Business rows come first, then economy to the back.
            let cabins: Vec<Cabin> = map.rows().iter().map(|row| row.cabin).collect();
            let mut sorted = cabins.clone();
            sorted.sort();
            assert_eq!(cabins, sorted, "{aircraft}");
        }
    }

    #[test]
    fn layouts_follow_the_airline_configuration() {
        let a20n = full(AircraftType::A320Neo);
        assert_eq!(a20n.rows().len(), 31);
        assert_eq!(letters(&a20n.rows()[0]), "ACDF");
        assert_eq!(a20n.rows()[2].cabin, Cabin::Business);
        assert_eq!(letters(&a20n.rows()[3]), "ABCDEF");
        assert_eq!(a20n.rows()[3].cabin, Cabin::Economy);
        let exits: Vec<u16> = a20n
            .rows()
            .iter()
            .filter(|row| row.exit_row)
            .map(|row| row.number)
            .collect();
        assert_eq!(exits, vec![12, 13]);
        let blocks: Vec<String> = a20n.rows()[3]
            .blocks()
            .map(|block| block.iter().map(|seat| seat.id.letter()).collect())
            .collect();
        assert_eq!(blocks, vec!["ABC", "DEF"]);

        let flags = |map: &SeatMap, seat: &str| {
            let seat = map.seat(id(seat)).unwrap();
            (seat.window, seat.aisle)
        };
        assert_eq!(flags(&a20n, "4A"), (true, false));
        assert_eq!(flags(&a20n, "4B"), (false, false));
        assert_eq!(flags(&a20n, "4C"), (false, true));
        assert_eq!(flags(&a20n, "4D"), (false, true));
        assert_eq!(flags(&a20n, "4F"), (true, false));
        assert_eq!(flags(&a20n, "1C"), (false, true));

        let b77w = full(AircraftType::B77W);
        assert_eq!(letters(&b77w.rows()[0]), "ADGK");
        assert_eq!(flags(&b77w, "1A"), (true, true));
        assert_eq!(flags(&b77w, "1D"), (false, true));
        assert_eq!(flags(&b77w, "1K"), (true, true));
        assert_eq!(letters(&b77w.rows()[10]), "ABCDEFGHJK");
        assert_eq!(flags(&b77w, "11G"), (false, true));
        assert_eq!(flags(&b77w, "11E"), (false, false));
        assert!(b77w.seat(id("11A")).unwrap().exit_row);
        // 40 business + 35 rows of 10 + 6 in the last row.
        assert_eq!(b77w.rows().len(), 46);
        assert_eq!(letters(&b77w.rows()[45]), "ABCDEF");

        let e190 = full(AircraftType::E190);
        assert_eq!(letters(&e190.rows()[0]), "ACD");
        assert_eq!(flags(&e190, "1A"), (true, true));
        assert_eq!(flags(&e190, "1C"), (false, true));
        assert_eq!(flags(&e190, "1D"), (true, false));
        assert_eq!(letters(&e190.rows()[25]), "ACD");
        assert_eq!(e190.rows()[25].blocks().count(), 2);

        let at76 = full(AircraftType::Atr72);
        assert!(at76.rows().iter().all(|row| row.cabin == Cabin::Economy));
        assert_eq!(at76.rows().len(), 18);
        assert_eq!(letters(&at76.rows()[17]), "AC");
        assert_eq!(at76.rows()[17].blocks().count(), 1);
        assert!(at76.rows()[9].exit_row);

        let b789 = full(AircraftType::B789);
        assert_eq!(letters(&b789.rows()[36]), "A");
        assert_eq!(letters(&b789.rows()[7]), "ABCDEFGHK");
        let a359 = full(AircraftType::A359);
        assert_eq!(letters(&a359.rows()[40]), "ABCDE");

        assert_eq!(a20n.seat(id("1B")), None);
        assert_eq!(a20n.seat(id("32A")), None);
        assert_eq!(a20n.seat(SeatId::new(0, 'A')), None);
    }

    #[test]
    fn seat_ids_parse_display_and_serde_round_trip() {
        for text in ["1A", "12C", "999K", "46F"] {
            let seat = id(text);
            assert_eq!(seat.to_string(), text);
            let json = serde_json::to_string(&seat).unwrap();
            assert_eq!(json, format!("\"{text}\""));
            assert_eq!(serde_json::from_str::<SeatId>(&json).unwrap(), seat);
        }
        assert_eq!(id(" 12c\t"), SeatId::new(12, 'C'));
        assert_eq!(id("12c").row(), 12);
        assert_eq!(id("12c").letter(), 'C');
        assert!(SeatId::new(2, 'A') > SeatId::new(1, 'K'));
        assert!(SeatId::new(1, 'B') > SeatId::new(1, 'A'));

        for bad in [
            "", "   ", "0A", "C12", "12", "12CC", "1000A", "012A", "A", "12-C", "1 2C", "12É",
            "١٢C", "-1A", "+1A",
        ] {
            assert_eq!(
                SeatId::parse(bad),
                Err(SeatError::Malformed(bad.to_owned())),
                "{bad:?}"
            );
        }
        assert!(serde_json::from_str::<SeatId>("\"12CC\"").is_err());
        assert!(serde_json::from_str::<SeatId>("12").is_err());

        let seat = full(AircraftType::A320Neo).seat(id("4A")).cloned().unwrap();
        let json = serde_json::to_value(&seat).unwrap();
        assert_eq!(json["id"], "4A");
        assert_eq!(json["cabin"], "ECONOMY");
        assert_eq!(json["window"], true);

        assert_eq!(Cabin::Business.as_str(), "BUSINESS");
        assert_eq!(Cabin::Economy.to_string(), "Economy");
        assert_eq!(
            serde_json::from_str::<Cabin>("\"BUSINESS\"").unwrap(),
            Cabin::Business
        );
    }

    #[test]
    fn seats_beyond_sellable_are_blocked_from_the_back() {
        let map = SeatMap::for_flight(AircraftType::Atr72, 60);
        assert_eq!(map.sellable_count(), 60);
        assert_eq!(map.seats().count(), 70);
        let (open, blocked): (Vec<&Seat>, Vec<&Seat>) = map.seats().partition(|s| !s.blocked);
        // 15 rows of four are for sale; rows 16 to 18 are blocked.
        assert_eq!(open.last().unwrap().id, id("15F"));
        assert_eq!(blocked.first().unwrap().id, id("16A"));
        assert!(open.iter().all(|s| s.id.row() <= 15));
        assert!(blocked.iter().all(|s| s.id.row() >= 16));

        let odd = SeatMap::for_flight(AircraftType::A320Neo, 179);
        assert!(odd.seat(id("31F")).unwrap().blocked);
        assert!(!odd.seat(id("31E")).unwrap().blocked);

        assert_eq!(
            SeatMap::for_flight(AircraftType::Atr72, 1_000).sellable_count(),
            70
        );
        assert_eq!(
            SeatMap::for_flight(AircraftType::Atr72, u32::MAX).sellable_count(),
            70
        );
        let none = SeatMap::for_flight(AircraftType::Atr72, 0);
        assert_eq!(none.sellable_count(), 0);
        assert_eq!(
            assign_seats(&none, &BTreeSet::new(), 1, Cabin::Economy, None),
            Err(SeatError::SoldOut {
                requested: 1,
                available: 0
            })
        );
    }

    #[test]
    fn chosen_seats_are_checked_and_returned_in_the_order_given() {
        let map = SeatMap::for_flight(AircraftType::A320Neo, 170);
        let taken = set(&["10A", "10B", "11C"]);
        let assign = |passengers, chosen: &[&str]| {
            assign_seats(&map, &taken, passengers, Cabin::Economy, Some(&ids(chosen)))
        };

        assert_eq!(assign(2, &["12F", "5A"]), Ok(ids(&["12F", "5A"])));
        assert_eq!(
            assign(2, &["12F", "1B"]),
            Err(SeatError::UnknownSeat(id("1B")))
        );
        assert_eq!(assign(1, &["40A"]), Err(SeatError::UnknownSeat(id("40A"))));
        assert_eq!(
            assign(2, &["4A", "31F"]),
            Err(SeatError::Blocked(id("31F")))
        );
        assert_eq!(
            assign(3, &["11C", "4A", "10A"]),
            Err(SeatError::Unavailable(ids(&["11C", "10A"])))
        );
        assert_eq!(
            assign(2, &["4A", "4A"]),
            Err(SeatError::Duplicate(id("4A")))
        );
        assert_eq!(
            assign(3, &["4A", "4B"]),
            Err(SeatError::WrongCount {
                passengers: 3,
                seats: 2
            })
        );
        assert_eq!(
            assign(0, &[]),
            Err(SeatError::WrongCount {
                passengers: 0,
                seats: 0
            })
        );
        let ten: Vec<SeatId> = map.seats().skip(20).take(10).map(|s| s.id).collect();
        assert_eq!(
            assign_seats(&map, &taken, 10, Cabin::Economy, Some(&ten)),
            Err(SeatError::WrongCount {
                passengers: 10,
                seats: 10
            })
        );
        assert_eq!(
            assign_seats(&map, &taken, 10, Cabin::Economy, None),
            Err(SeatError::WrongCount {
                passengers: 10,
                seats: 0
            })
        );
    }

    #[test]
    fn a_party_sits_side_by_side_in_the_first_economy_row() {
        let map = full(AircraftType::A320Neo);
        let empty = BTreeSet::new();
        assert_eq!(
            assign_seats(&map, &empty, 3, Cabin::Economy, None),
            Ok(ids(&["4A", "4B", "4C"]))
        );
        assert_eq!(
            assign_seats(&map, &empty, 1, Cabin::Economy, None),
            Ok(ids(&["4A"]))
        );
        // Window side first in the left block; the right block when the left is too full.
        assert_eq!(
            assign_seats(&map, &set(&["4A"]), 2, Cabin::Economy, None),
            Ok(ids(&["4B", "4C"]))
        );
        assert_eq!(
            assign_seats(&map, &set(&["4A"]), 3, Cabin::Economy, None),
            Ok(ids(&["4D", "4E", "4F"]))
        );
        // Same inputs, same seats.
        assert_eq!(
            assign_seats(&map, &empty, 3, Cabin::Economy, None),
            assign_seats(&map, &empty, 3, Cabin::Economy, None)
        );
    }

    #[test]
    fn a_pair_skips_a_row_where_only_split_seats_remain() {
        let map = full(AircraftType::A320Neo);
        // Row 4 still has two seats, 4A and 4D, but not together.
        let taken = set(&["4B", "4C", "4E", "4F"]);
        assert_eq!(
            assign_seats(&map, &taken, 2, Cabin::Economy, None),
            Ok(ids(&["5A", "5B"]))
        );
        // A single traveller still gets the front seat.
        assert_eq!(
            assign_seats(&map, &taken, 1, Cabin::Economy, None),
            Ok(ids(&["4A"]))
        );
    }

    #[test]
    fn parties_that_fit_no_block_share_a_row_then_the_fewest_rows() {
        let map = full(AircraftType::Atr72);
        let empty = BTreeSet::new();
        // Blocks of two: three travellers split across the aisle in one row.
        assert_eq!(
            assign_seats(&map, &empty, 3, Cabin::Economy, None),
            Ok(ids(&["1A", "1C", "1D"]))
        );
        // Five cannot share a row of four: front to back.
        assert_eq!(
            assign_seats(&map, &empty, 5, Cabin::Economy, None),
            Ok(ids(&["1A", "1C", "1D", "1F", "2A"]))
        );
        // Rather than 1A plus row 3 (three rows apart), rows 3 and 4 together.
        let taken = set(&["1C", "1D", "1F", "2A", "2C", "2D", "2F"]);
        assert_eq!(
            assign_seats(&map, &taken, 5, Cabin::Economy, None),
            Ok(ids(&["3A", "3C", "3D", "3F", "4A"]))
        );
        // Only split seats are left everywhere: the closest rows win.
        let sparse = BTreeSet::from_iter(
            map.seats()
                .map(|s| s.id)
                .filter(|s| !(s.row() == 1 && s.letter() == 'A'))
                .filter(|s| !(s.row() >= 9 && s.letter() == 'F')),
        );
        assert_eq!(
            assign_seats(&map, &sparse, 2, Cabin::Economy, None),
            Ok(ids(&["9F", "10F"]))
        );
    }

    #[test]
    fn sold_out_reports_exactly_what_is_left() {
        let map = SeatMap::for_flight(AircraftType::Atr72, 5);
        let taken = set(&["1A", "2A"]);
        assert_eq!(
            assign_seats(&map, &taken, 4, Cabin::Economy, None),
            Err(SeatError::SoldOut {
                requested: 4,
                available: 3
            })
        );
        assert_eq!(
            assign_seats(&map, &taken, 3, Cabin::Economy, None),
            Ok(ids(&["1C", "1D", "1F"]))
        );
        // Taken seats that are blocked anyway do not count twice.
        let taken = set(&["1A", "18C"]);
        assert_eq!(
            assign_seats(&map, &taken, 5, Cabin::Economy, None),
            Err(SeatError::SoldOut {
                requested: 5,
                available: 4
            })
        );
    }

    #[test]
    fn a_fare_sits_in_its_own_cabin_and_never_spills_into_another() {
        let map = full(AircraftType::A320Neo);
        assert_eq!(map.cabins(), [Cabin::Economy, Cabin::Business]);
        assert_eq!(full(AircraftType::Atr72).cabins(), [Cabin::Economy]);
        let mut taken: BTreeSet<SeatId> = map
            .seats()
            .filter(|s| s.cabin == Cabin::Economy)
            .map(|s| s.id)
            .collect();
        taken.remove(&id("20C"));
        // One economy seat left: a single traveller gets it...
        assert_eq!(
            assign_seats(&map, &taken, 1, Cabin::Economy, None),
            Ok(ids(&["20C"]))
        );
        // ...a pair on an Economy fare is sold out, however empty Business is...
        assert_eq!(
            assign_seats(&map, &taken, 2, Cabin::Economy, None),
            Err(SeatError::SoldOut {
                requested: 2,
                available: 1
            })
        );
        // ...and a Business fare sits in Business, side by side at the front.
        assert_eq!(
            assign_seats(&map, &taken, 2, Cabin::Business, None),
            Ok(ids(&["1A", "1C"]))
        );
        // A chosen seat in the other cabin is refused, either way.
        assert_eq!(
            assign_seats(
                &map,
                &BTreeSet::new(),
                1,
                Cabin::Economy,
                Some(&ids(&["1A"]))
            ),
            Err(SeatError::OtherCabin {
                seat: id("1A"),
                cabin: Cabin::Business,
                fare: Cabin::Economy
            })
        );
        assert_eq!(
            assign_seats(
                &map,
                &BTreeSet::new(),
                1,
                Cabin::Business,
                Some(&ids(&["12C"]))
            ),
            Err(SeatError::OtherCabin {
                seat: id("12C"),
                cabin: Cabin::Economy,
                fare: Cabin::Business
            })
        );
        // Whatever the party, auto-assignment stays in the fare's cabin.
        for cabin in Cabin::ALL {
            for passengers in 1..=MAX_PARTY {
                let seats = assign_seats(&map, &BTreeSet::new(), passengers, cabin, None).unwrap();
                assert!(seats.iter().all(|s| map.seat(*s).unwrap().cabin == cabin));
            }
        }
        // An aircraft without Business sells no Business fare.
        assert_eq!(
            assign_seats(
                &full(AircraftType::Atr72),
                &BTreeSet::new(),
                1,
                Cabin::Business,
                None
            ),
            Err(SeatError::SoldOut {
                requested: 1,
                available: 0
            })
        );
    }

    #[test]
    fn filling_an_aircraft_never_gives_a_seat_twice() {
        for sellable in [70, 63, 1] {
            let map = SeatMap::for_flight(AircraftType::Atr72, sellable);
            let mut taken = BTreeSet::new();
            let mut sizes = (1..=4).cycle();
            let mut party = sizes.next().unwrap();
            loop {
                match assign_seats(&map, &taken, party, Cabin::Economy, None) {
                    Ok(seats) => {
                        assert_eq!(seats.len(), party);
                        for seat in seats {
                            assert!(!map.seat(seat).unwrap().blocked, "{seat}");
                            assert!(taken.insert(seat), "{seat} given twice");
                        }
                        party = sizes.next().unwrap();
                    }
                    Err(SeatError::SoldOut {
                        requested,
                        available,
                    }) => {
                        assert_eq!(requested, party);
                        assert!(available < party);
                        assert_eq!(available, usize::try_from(sellable).unwrap() - taken.len());
                        if available == 0 {
                            break;
                        }
                        // Seat whoever still fits, until the last seat is gone.
                        party = available;
                    }
                    Err(other) => panic!("unexpected {other:?}"),
                }
            }
            assert_eq!(taken.len(), usize::try_from(map.sellable_count()).unwrap());
        }
    }

    #[test]
    fn messages_read_well() {
        let cases = [
            (
                SeatError::Unavailable(ids(&["12C"])),
                "seat 12C is no longer available",
            ),
            (
                SeatError::Unavailable(ids(&["12C", "12D"])),
                "seats 12C, 12D are no longer available",
            ),
            (
                SeatError::Malformed("C12".into()),
                "`C12` is not a seat number (a row and a letter, like 12C)",
            ),
            (
                SeatError::UnknownSeat(id("1B")),
                "there is no seat 1B on this aircraft",
            ),
            (
                SeatError::Blocked(id("31F")),
                "seat 31F is not for sale on this flight",
            ),
            (
                SeatError::OtherCabin {
                    seat: id("1A"),
                    cabin: Cabin::Business,
                    fare: Cabin::Economy,
                },
                "seat 1A is in Business; an Economy fare sits in Economy",
            ),
            (
                SeatError::Duplicate(id("4A")),
                "seat 4A was chosen more than once",
            ),
            (
                SeatError::WrongCount {
                    passengers: 3,
                    seats: 1,
                },
                "3 passengers need 3 seats, but 1 was chosen",
            ),
            (
                SeatError::WrongCount {
                    passengers: 12,
                    seats: 0,
                },
                "a booking is for 1 to 9 passengers, not 12",
            ),
            (
                SeatError::SoldOut {
                    requested: 4,
                    available: 1,
                },
                "only 1 seat is left, not enough for 4 passengers",
            ),
            (
                SeatError::SoldOut {
                    requested: 2,
                    available: 0,
                },
                "the flight is sold out",
            ),
        ];
        for (error, message) in cases {
            assert_eq!(error.to_string(), message);
        }
    }
}
