//! What a fare buys: a cabin, and a brand with its conditions. A flight's stored fare is
//! its Economy Flex fare; every other cabin's and brand's is derived from it here, so an
//! admin's reprice moves every fare together and a seat can never be sold at another
//! cabin's price.
//!
//! The conditions follow Duffel's offer conditions: per passenger, whether a refund or a
//! change before departure is allowed, and the penalty if so; plus the checked bags the
//! fare includes. They are worked out once, when the fare is sold, and the booking keeps
//! them: a later change to these rules never changes a ticket already sold.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{Currency, InputError, Money};

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

/// A fare brand: the same seat sold with more or fewer conditions. Flex is the flight's
/// full fare; the others are cheaper and give up refunds and changes.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "UPPERCASE")]
pub enum FareBrand {
    Light,
    Standard,
    /// The full fare: a booking made before brands were sold paid it, and keeps its
    /// conditions (a full refund until departure).
    #[default]
    Flex,
}

impl FareBrand {
    /// Cheapest first: the order results and pickers show them in.
    pub const ALL: [FareBrand; 3] = [FareBrand::Light, FareBrand::Standard, FareBrand::Flex];

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Light => "LIGHT",
            Self::Standard => "STANDARD",
            Self::Flex => "FLEX",
        }
    }

    /// `LIGHT`, `STANDARD` or `FLEX`, as the API writes it; anything else is refused under
    /// `field`.
    pub fn parse(field: &'static str, text: &str) -> Result<Self, InputError> {
        FareBrand::ALL
            .into_iter()
            .find(|brand| brand.as_str() == text)
            .ok_or_else(|| InputError::new(field, "a fare brand is LIGHT, STANDARD or FLEX"))
    }

    /// The brand's price as a share of the cabin's full (Flex) fare, in percent.
    fn percent_of_full_fare(self) -> i64 {
        match self {
            Self::Light => 70,
            Self::Standard => 85,
            Self::Flex => 100,
        }
    }

    /// The fare for one passenger in this brand, given the cabin's full fare: Flex is
    /// that fare exactly; the others their share of it, rounded down to a whole unit of
    /// the currency (the discount is never less than its share).
    pub fn fare(self, cabin_fare: Money) -> Money {
        match self {
            Self::Flex => cabin_fare,
            _ => whole_units_down(share(cabin_fare, self.percent_of_full_fare())),
        }
    }

    /// What this brand allows, sold at `fare` (one passenger's fare in this brand).
    pub fn conditions(self, fare: Money) -> FareConditions {
        let fee = |percent| Allowance::WithFee {
            fee_minor: whole_units_down(share(fare, percent)).amount_minor(),
        };
        match self {
            Self::Light => FareConditions {
                checked_bags: 0,
                refund: Allowance::NotAllowed,
                change: Allowance::NotAllowed,
            },
            Self::Standard => FareConditions {
                checked_bags: 1,
                refund: fee(STANDARD_REFUND_FEE_PERCENT),
                change: fee(STANDARD_CHANGE_FEE_PERCENT),
            },
            Self::Flex => FareConditions::FLEX,
        }
    }
}

impl fmt::Display for FareBrand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Light => "Light",
            Self::Standard => "Standard",
            Self::Flex => "Flex",
        })
    }
}

/// A Standard fare is refunded less this share of it (the airline keeps it as the fee).
pub const STANDARD_REFUND_FEE_PERCENT: i64 = 30;
/// A Standard fare is changed for this share of it, on top of any fare difference.
pub const STANDARD_CHANGE_FEE_PERCENT: i64 = 10;

/// Whether a refund or a change before departure is allowed, per passenger and flight,
/// and at what fee.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "allowed", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Allowance {
    NotAllowed,
    /// Allowed, less a fee in minor units of the fare's currency.
    #[serde(rename_all = "camelCase")]
    WithFee {
        fee_minor: i64,
    },
    Free,
}

impl Allowance {
    /// What comes back of `paid` (one passenger's fare) when this allowance is used for
    /// a refund: all of it, all less the fee (never below nothing), or nothing.
    pub fn refund_of(self, paid: Money) -> Money {
        let amount = match self {
            Allowance::NotAllowed => 0,
            Allowance::WithFee { fee_minor } => (paid.amount_minor() - fee_minor).max(0),
            Allowance::Free => paid.amount_minor(),
        };
        Money::from_minor(amount, paid.currency())
    }

    /// The fee in `currency`, if it is allowed at all.
    pub fn fee(self, currency: Currency) -> Option<Money> {
        match self {
            Allowance::NotAllowed => None,
            Allowance::WithFee { fee_minor } => Some(Money::from_minor(fee_minor, currency)),
            Allowance::Free => Some(Money::from_minor(0, currency)),
        }
    }
}

/// The conditions a fare is sold with, per passenger and flight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FareConditions {
    /// Checked bags included (23 kg each).
    pub checked_bags: u8,
    /// Cancelling before departure: what comes back.
    pub refund: Allowance,
    /// Changing to another flight before departure: the fee on top of the fare difference.
    pub change: Allowance,
}

impl FareConditions {
    /// Flex's: a full refund and free changes until departure, two bags.
    pub const FLEX: FareConditions = FareConditions {
        checked_bags: 2,
        refund: Allowance::Free,
        change: Allowance::Free,
    };
}

/// Bookings made before brands were sold paid the full fare and keep its conditions.
impl Default for FareConditions {
    fn default() -> Self {
        Self::FLEX
    }
}

/// `percent` of `money`, exactly, rounded down to the minor unit.
fn share(money: Money, percent: i64) -> Money {
    let minor = i128::from(money.amount_minor()) * i128::from(percent) / 100;
    Money::from_minor(
        i64::try_from(minor).unwrap_or(money.amount_minor()),
        money.currency(),
    )
}

/// `money` rounded down to a whole unit of its currency.
fn whole_units_down(money: Money) -> Money {
    let per_major = money.currency().minor_per_major();
    Money::from_minor(
        money.amount_minor() - money.amount_minor().rem_euclid(per_major),
        money.currency(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn brands_are_shares_of_the_full_fare_in_whole_units() {
        // GBP 360 Economy: Flex 360, Standard 85% = 306, Light 70% = 252.
        let full = gbp(36_000);
        assert_eq!(FareBrand::Flex.fare(full), full);
        // The full fare is never rounded, whatever its minor units.
        assert_eq!(FareBrand::Flex.fare(gbp(12_345)), gbp(12_345));
        assert_eq!(FareBrand::Standard.fare(full), gbp(30_600));
        assert_eq!(FareBrand::Light.fare(full), gbp(25_200));
        // 85% of 123.45 is 104.9325: rounded down to a whole pound.
        assert_eq!(FareBrand::Standard.fare(gbp(12_345)), gbp(10_400));
        // Cheapest first, and every brand cheaper than the next.
        for pair in FareBrand::ALL.windows(2) {
            assert!(pair[0].fare(full).amount_minor() < pair[1].fare(full).amount_minor());
        }
        assert_eq!(FareBrand::default(), FareBrand::Flex);
    }

    #[test]
    fn each_brand_refunds_as_its_conditions_say() {
        let standard = FareBrand::Standard.fare(gbp(36_000));
        let conditions = FareBrand::Standard.conditions(standard);
        // 30% of 306 is 91.80: a fee of 91, so 215 comes back.
        assert_eq!(conditions.refund, Allowance::WithFee { fee_minor: 9_100 });
        assert_eq!(conditions.refund.refund_of(standard), gbp(21_500));
        assert_eq!(conditions.change, Allowance::WithFee { fee_minor: 3_000 });
        assert_eq!(conditions.checked_bags, 1);

        let light = FareBrand::Light.fare(gbp(36_000));
        let light_conditions = FareBrand::Light.conditions(light);
        assert_eq!(light_conditions.refund.refund_of(light), gbp(0));
        assert_eq!(light_conditions.change.fee(light.currency()), None);
        assert_eq!(light_conditions.checked_bags, 0);

        let flex = FareBrand::Flex.conditions(gbp(36_000));
        assert_eq!(flex.refund.refund_of(gbp(36_000)), gbp(36_000));
        assert_eq!(flex, FareConditions::default());
        // A fee larger than what was paid refunds nothing, never a negative amount.
        assert_eq!(
            Allowance::WithFee { fee_minor: 500 }.refund_of(gbp(300)),
            gbp(0)
        );
    }

    #[test]
    fn conditions_read_back_from_what_a_booking_stored() {
        let conditions = FareBrand::Standard.conditions(gbp(30_600));
        let json = serde_json::to_string(&conditions).unwrap();
        assert_eq!(
            json,
            r#"{"checkedBags":1,"refund":{"allowed":"WITH_FEE","feeMinor":9100},"change":{"allowed":"WITH_FEE","feeMinor":3000}}"#
        );
        assert_eq!(
            serde_json::from_str::<FareConditions>(&json).unwrap(),
            conditions
        );
        for brand in FareBrand::ALL {
            assert_eq!(FareBrand::parse("brand", brand.as_str()).unwrap(), brand);
        }
        assert_eq!(
            FareBrand::parse("outboundBrand", "BASIC")
                .unwrap_err()
                .field,
            "outboundBrand"
        );
    }
}
