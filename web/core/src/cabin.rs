//! The cabin a fare buys, from the results to the booking: the cabins a flight sells with
//! their fares, the traveller's choice for each flight, and that choice's home in the
//! booking pages' addresses (`/book/seats?cabin=BUSINESS&return_cabin=BUSINESS`), so a
//! reload, Back and a detour through sign-in keep it.

use airline_domain::Money;
use serde::{Deserialize, Serialize};

pub use airline_domain::Cabin;

use crate::{Locale, Msg};

/// The query key of the outbound flight's cabin, and of the return's.
const OUTBOUND_KEY: &str = "cabin";
const RETURN_KEY: &str = "return_cabin";

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

/// What one passenger pays to fly a flight in a cabin: the API's `CabinFare`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CabinFare {
    pub cabin: Cabin,
    pub fare: Money,
}

/// The fare for `cabin` among the cabins a flight sells; `None` if it does not sell it.
pub fn fare_in(cabins: &[CabinFare], cabin: Cabin) -> Option<Money> {
    cabins
        .iter()
        .find(|offer| offer.cabin == cabin)
        .map(|offer| offer.fare)
}

/// The cabin's name, in the traveller's language.
pub fn cabin_name(cabin: Cabin) -> Msg {
    match cabin {
        Cabin::Business => Msg::Business,
        Cabin::Economy => Msg::Economy,
    }
}

/// A trip's cabins in words, outbound first: "Business" when every flight is in it, else
/// each flight's, "Business / Economy".
pub fn cabins_text(cabins: &[Cabin], locale: Locale) -> String {
    let names: Vec<&str> = cabins
        .iter()
        .map(|cabin| cabin_name(*cabin).text(locale))
        .collect();
    match names.split_first() {
        Some((first, rest)) if rest.iter().all(|name| name == first) => (*first).to_owned(),
        _ => names.join(" / "),
    }
}

/// The cabin each chosen flight's fare buys. A one-way trip's return cabin is Economy and
/// means nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FareCabins {
    pub outbound: Cabin,
    pub inbound: Cabin,
}

impl FareCabins {
    /// The same cabin both ways.
    pub fn both(cabin: Cabin) -> FareCabins {
        FareCabins {
            outbound: cabin,
            inbound: cabin,
        }
    }

    pub fn of(self, leg: Leg) -> Cabin {
        match leg {
            Leg::Outbound => self.outbound,
            Leg::Return => self.inbound,
        }
    }

    /// The query string of a booking page: `cabin=BUSINESS`, and `return_cabin=…` on a
    /// round trip. Economy, the fare every flight sells and what a missing cabin reads as,
    /// is left out (as a search's default sort is), so an all-Economy trip's pages keep
    /// their plain addresses; empty then.
    pub fn to_query(self, round_trip: bool) -> String {
        let mut pairs = Vec::new();
        if self.outbound != Cabin::Economy {
            pairs.push(format!("{OUTBOUND_KEY}={}", self.outbound.as_str()));
        }
        if round_trip && self.inbound != Cabin::Economy {
            pairs.push(format!("{RETURN_KEY}={}", self.inbound.as_str()));
        }
        pairs.join("&")
    }

    /// Reads the cabins back from a booking page's query values. A missing or unknown
    /// cabin is Economy, the fare every flight sells, so a hand-edited or old link still
    /// opens (the page and the price then say Economy, and nothing is sold above it).
    pub fn from_query(get: impl Fn(&str) -> Option<String>) -> FareCabins {
        let cabin = |key: &str| {
            get(key)
                .and_then(|text| Cabin::parse(OUTBOUND_KEY, text.trim()).ok())
                .unwrap_or_default()
        };
        FareCabins {
            outbound: cabin(OUTBOUND_KEY),
            inbound: cabin(RETURN_KEY),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn parse(query: &str) -> FareCabins {
        let pairs: HashMap<&str, &str> = query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .collect();
        FareCabins::from_query(|key| pairs.get(key).map(|v| (*v).to_owned()))
    }

    #[test]
    fn cabins_survive_the_address_one_way_and_round_trip() {
        let business = FareCabins::both(Cabin::Business);
        assert_eq!(business.to_query(false), "cabin=BUSINESS");
        assert_eq!(parse(&business.to_query(false)).outbound, Cabin::Business);
        assert_eq!(
            business.to_query(true),
            "cabin=BUSINESS&return_cabin=BUSINESS"
        );
        assert_eq!(parse(&business.to_query(true)), business);
        let mixed = FareCabins {
            outbound: Cabin::Business,
            inbound: Cabin::Economy,
        };
        assert_eq!(mixed.to_query(true), "cabin=BUSINESS");
        assert_eq!(parse(&mixed.to_query(true)), mixed);
        let back = FareCabins {
            outbound: Cabin::Economy,
            inbound: Cabin::Business,
        };
        assert_eq!(back.to_query(true), "return_cabin=BUSINESS");
        assert_eq!(parse(&back.to_query(true)), back);
        // Economy is the default, left out as a search's default sort is.
        assert_eq!(FareCabins::default().to_query(true), "");
        assert_eq!(parse(""), FareCabins::default());
        assert_eq!(back.of(Leg::Return), Cabin::Business);
        assert_eq!(back.of(Leg::Outbound), Cabin::Economy);
    }

    #[test]
    fn a_missing_or_unknown_cabin_is_economy() {
        assert_eq!(parse(""), FareCabins::default());
        assert_eq!(FareCabins::default(), FareCabins::both(Cabin::Economy));
        for bad in ["FIRST", "business", "", "BUSINESS%20"] {
            assert_eq!(
                parse(&format!("cabin={bad}&return_cabin={bad}")),
                FareCabins::both(Cabin::Economy),
                "{bad}"
            );
        }
        // Each leg falls back on its own.
        assert_eq!(
            parse("cabin=BUSINESS&return_cabin=PREMIUM"),
            FareCabins {
                outbound: Cabin::Business,
                inbound: Cabin::Economy
            }
        );
        assert_eq!(parse("return_cabin=BUSINESS").outbound, Cabin::Economy);
    }

    #[test]
    fn a_cabin_a_flight_does_not_sell_has_no_fare() {
        let gbp = airline_domain::Currency::parse("test", "GBP").unwrap();
        let economy = Money::from_minor(36_000, gbp);
        let cabins: Vec<CabinFare> = Cabin::ALL
            .into_iter()
            .map(|cabin| CabinFare {
                cabin,
                fare: cabin.fare(economy).unwrap(),
            })
            .collect();
        assert_eq!(fare_in(&cabins, Cabin::Economy), Some(economy));
        assert_eq!(
            fare_in(&cabins, Cabin::Business),
            Some(Money::from_minor(108_000, gbp))
        );
        assert_eq!(fare_in(&cabins[..1], Cabin::Business), None);
    }

    #[test]
    fn a_trips_cabins_are_named_once_when_they_agree() {
        use Cabin::{Business, Economy};
        assert_eq!(cabins_text(&[Business], Locale::En), "Business");
        assert_eq!(cabins_text(&[Business, Business], Locale::En), "Business");
        assert_eq!(
            cabins_text(&[Business, Economy], Locale::De),
            "Business / Economy"
        );
        assert_eq!(cabins_text(&[], Locale::En), "");
    }

    #[test]
    fn legs_count_from_the_outbound() {
        assert_eq!(Leg::Outbound.index(), 0);
        assert_eq!(Leg::Return.index(), 1);
        assert_eq!(cabin_name(Cabin::Business), Msg::Business);
    }
}
