//! What a fare buys: a cabin. A flight's stored fare is its Economy fare; every other
//! cabin's is derived from it here, so an admin's reprice moves every cabin together and a
//! seat can never be sold at another cabin's price.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{InputError, Money};

/// A cabin class. A fare is sold for one, and a seat belongs to one.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
// Serialised the way `as_str` spells it, so JSON and GraphQL agree on the name.
#[serde(rename_all = "UPPERCASE")]
pub enum Cabin {
    Business,
    /// Every aircraft has it, and a booking made before cabins were sold was in it.
    #[default]
    Economy,
}

/// A Business fare is this many times the flight's Economy fare (about what the market
/// charges on the short and medium-haul routes the network flies). A whole multiple keeps
/// the fare in the rounded steps fares are displayed in.
pub const BUSINESS_FARE_MULTIPLE: u32 = 3;

impl Cabin {
    /// Economy first: the order results and pickers show them in.
    pub const ALL: [Cabin; 2] = [Cabin::Economy, Cabin::Business];

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Business => "BUSINESS",
            Self::Economy => "ECONOMY",
        }
    }

    /// `ECONOMY` or `BUSINESS`, as the API writes it; anything else is refused under
    /// `field`.
    pub fn parse(field: &'static str, text: &str) -> Result<Self, InputError> {
        Cabin::ALL
            .into_iter()
            .find(|cabin| cabin.as_str() == text)
            .ok_or_else(|| InputError::new(field, "a cabin is ECONOMY or BUSINESS"))
    }

    /// The fare for one passenger in this cabin, given the flight's Economy fare; `None`
    /// if it would overflow.
    pub fn fare(self, economy: Money) -> Option<Money> {
        match self {
            Cabin::Economy => Some(economy),
            Cabin::Business => economy.times(BUSINESS_FARE_MULTIPLE),
        }
    }
}

impl fmt::Display for Cabin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Business => "Business",
            Self::Economy => "Economy",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Currency;

    fn gbp(minor: i64) -> Money {
        Money::from_minor(minor, Currency::parse("currency", "GBP").unwrap())
    }

    #[test]
    fn economy_sells_at_the_flights_fare_and_business_at_its_multiple() {
        assert_eq!(Cabin::Economy.fare(gbp(36_000)), Some(gbp(36_000)));
        assert_eq!(Cabin::Business.fare(gbp(36_000)), Some(gbp(108_000)));
        assert_eq!(Cabin::Business.fare(gbp(i64::MAX / 2)), None);
    }

    #[test]
    fn cabins_read_and_write_as_the_api_spells_them() {
        for cabin in Cabin::ALL {
            assert_eq!(Cabin::parse("cabin", cabin.as_str()).unwrap(), cabin);
            assert_eq!(
                serde_json::to_string(&cabin).unwrap(),
                format!("\"{}\"", cabin.as_str())
            );
        }
        let error = Cabin::parse("outboundCabin", "FIRST").unwrap_err();
        assert_eq!(error.field, "outboundCabin");
        assert_eq!(Cabin::default(), Cabin::Economy);
        assert_eq!(Cabin::Business.to_string(), "Business");
    }
}
