//! What a traveller chooses for each flight of a trip (its cabin, its fare brand), and
//! that choice's home in the booking pages' addresses
//! (`/book/seats?cabin=BUSINESS&brand=LIGHT&return_brand=FLEX`), so a reload, Back and a
//! detour through sign-in keep it. The choices themselves are the API's domain types.

use serde::{Deserialize, Serialize};

/// One flight of a trip.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leg {
    Outbound,
    Return,
}

impl Leg {
    /// The flight's place in a booking's list of flights (outbound first).
    pub fn index(self) -> usize {
        match self {
            Self::Outbound => 0,
            Self::Return => 1,
        }
    }
}

/// Something chosen per flight that a booking page's address carries. Its default is
/// what the API assumes when nothing is said (Economy, Flex), and is left out of the
/// address, as a search's default sort is.
pub trait LegChoice: Copy + Eq + Default {
    /// The query keys of the outbound flight's choice and of the return's.
    const KEYS: [&'static str; 2];
    /// As the API spells it (`BUSINESS`, `LIGHT`).
    fn as_str(self) -> &'static str;
    /// `None` for anything the API would not take.
    fn parse(text: &str) -> Option<Self>;
}

/// One choice per flight of a trip. A one-way trip's return choice is the default and
/// means nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PerLeg<T> {
    pub outbound: T,
    pub inbound: T,
}

impl<T: LegChoice> PerLeg<T> {
    /// The same choice both ways.
    pub fn both(choice: T) -> Self {
        Self {
            outbound: choice,
            inbound: choice,
        }
    }

    pub fn of(self, leg: Leg) -> T {
        match leg {
            Leg::Outbound => self.outbound,
            Leg::Return => self.inbound,
        }
    }

    /// The query pairs of a booking page: the outbound's, and the return's on a round
    /// trip, each only when it is not the default.
    pub fn query_pairs(self, round_trip: bool) -> Vec<String> {
        let [outbound_key, return_key] = T::KEYS;
        let mut pairs = Vec::new();
        if self.outbound != T::default() {
            pairs.push(format!("{outbound_key}={}", self.outbound.as_str()));
        }
        if round_trip && self.inbound != T::default() {
            pairs.push(format!("{return_key}={}", self.inbound.as_str()));
        }
        pairs
    }

    /// [`PerLeg::query_pairs`] as one query string (empty when both are the default).
    pub fn to_query(self, round_trip: bool) -> String {
        self.query_pairs(round_trip).join("&")
    }

    /// Reads the choices back from a booking page's query values. A missing or unknown
    /// one is the default, each leg on its own, so a hand-edited or old link still opens
    /// (the page and the price then say so, and nothing is sold that was not shown).
    pub fn from_query(get: impl Fn(&str) -> Option<String>) -> Self {
        let [outbound_key, return_key] = T::KEYS;
        let choice = |key: &str| {
            get(key)
                .and_then(|text| T::parse(text.trim()))
                .unwrap_or_default()
        };
        Self {
            outbound: choice(outbound_key),
            inbound: choice(return_key),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legs_count_from_the_outbound() {
        assert_eq!(Leg::Outbound.index(), 0);
        assert_eq!(Leg::Return.index(), 1);
    }
}
