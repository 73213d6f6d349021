//! The cabin a fare buys, from the results to the booking: the cabins a flight sells with
//! their fares, and the traveller's choice for each flight (`cabin=`, `return_cabin=` in
//! a booking page's address: see [`crate::fare`]).

use airline_domain::Money;

pub use airline_domain::Cabin;

use crate::fare::{LegChoice, PerLeg};
use crate::{Locale, Msg};

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

/// The cabin each chosen flight's fare buys (`cabin=`, `return_cabin=` in a booking
/// page's address). A one-way trip's return cabin is Economy and means nothing.
pub type FareCabins = PerLeg<Cabin>;

impl LegChoice for Cabin {
    const KEYS: [&'static str; 2] = ["cabin", "return_cabin"];

    fn as_str(self) -> &'static str {
        Cabin::as_str(&self)
    }

    fn parse(text: &str) -> Option<Self> {
        Cabin::parse("cabin", text).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fare::Leg;
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
}
