//! The brand a fare is sold in (Light, Standard, Flex) and what it allows, from the
//! results to the trip: each brand's fare and conditions for a flight, worked out with the
//! API's own rule from the cabin's fare, so the page and the booking cannot disagree; the
//! traveller's choice per flight (`brand=`, `return_brand=` in a booking page's address);
//! and the conditions in the traveller's words.

use airline_domain::{Currency, Money};

pub use airline_domain::{Allowance, FareBrand, FareConditions};

use crate::fare::{LegChoice, PerLeg};
use crate::Msg;

/// The brand each chosen flight's fare is sold in. Flex, the full fare, is what a link
/// without one (and the API, told nothing) means.
pub type FareBrands = PerLeg<FareBrand>;

impl LegChoice for FareBrand {
    const KEYS: [&'static str; 2] = ["brand", "return_brand"];

    fn as_str(self) -> &'static str {
        FareBrand::as_str(&self)
    }

    fn parse(text: &str) -> Option<Self> {
        FareBrand::parse("brand", text).ok()
    }
}

/// One brand a flight sells in a cabin: its fare for one passenger and what it allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BrandOffer {
    pub brand: FareBrand,
    pub fare: Money,
    pub conditions: FareConditions,
}

/// Every brand of a cabin whose full fare is `cabin_fare`, cheapest first: what the API's
/// `Flight.fares` lists for that cabin.
pub fn brand_offers(cabin_fare: Money) -> Vec<BrandOffer> {
    FareBrand::ALL
        .into_iter()
        .map(|brand| {
            let fare = brand.fare(cabin_fare);
            BrandOffer {
                brand,
                fare,
                conditions: brand.conditions(fare),
            }
        })
        .collect()
}

/// The lowest fare a cabin whose full fare is `cabin_fare` sells (its cheapest brand's):
/// what the cabin's tile shows, "from £226".
pub fn lowest_fare(cabin_fare: Money) -> Money {
    FareBrand::ALL
        .into_iter()
        .map(|brand| brand.fare(cabin_fare))
        .min_by_key(Money::amount_minor)
        .unwrap_or(cabin_fare)
}

/// The brand's name, in the traveller's language.
pub fn brand_name(brand: FareBrand) -> Msg {
    match brand {
        FareBrand::Light => Msg::BrandLight,
        FareBrand::Standard => Msg::BrandStandard,
        FareBrand::Flex => Msg::BrandFlex,
    }
}

/// One condition in words: a message, and the amount it names (a fee), if any, which the
/// page formats in the traveller's locale and puts in its `{0}`.
pub type Condition = (Msg, Option<Money>);

/// A fare's conditions in words, per passenger and flight, in the order they are shown:
/// checked bags, refund, changes. Fees are in `currency`, the fare's.
pub fn conditions_in_words(conditions: FareConditions, currency: Currency) -> [Condition; 3] {
    let bags = match conditions.checked_bags {
        0 => (Msg::NoCheckedBag, None),
        1 => (Msg::OneCheckedBag, None),
        _ => (Msg::TwoCheckedBags, None),
    };
    let fee = |fee_minor: i64| Some(Money::from_minor(fee_minor, currency));
    let refund = match conditions.refund {
        Allowance::NotAllowed => (Msg::NoRefund, None),
        Allowance::WithFee { fee_minor } => (Msg::RefundLessFee, fee(fee_minor)),
        Allowance::Free => (Msg::FullRefund, None),
    };
    let change = match conditions.change {
        Allowance::NotAllowed => (Msg::NoChanges, None),
        Allowance::WithFee { fee_minor } => (Msg::ChangesForFee, fee(fee_minor)),
        Allowance::Free => (Msg::FreeChanges, None),
    };
    [bags, refund, change]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn gbp(minor: i64) -> Money {
        Money::from_minor(minor, Currency::parse("test", "GBP").unwrap())
    }

    fn parse(query: &str) -> FareBrands {
        let pairs: HashMap<&str, &str> = query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .collect();
        FareBrands::from_query(|key| pairs.get(key).map(|v| (*v).to_owned()))
    }

    #[test]
    fn a_cabin_sells_three_brands_cheapest_first_at_the_apis_prices() {
        let offers = brand_offers(gbp(36_000));
        let brands: Vec<FareBrand> = offers.iter().map(|o| o.brand).collect();
        assert_eq!(brands, FareBrand::ALL);
        let fares: Vec<i64> = offers.iter().map(|o| o.fare.amount_minor()).collect();
        assert_eq!(fares, [25_200, 30_600, 36_000]);
        assert_eq!(
            offers[1].conditions,
            FareBrand::Standard.conditions(gbp(30_600))
        );
        assert_eq!(lowest_fare(gbp(36_000)), gbp(25_200));
    }

    #[test]
    fn conditions_read_as_the_traveller_needs_them() {
        let [bags, refund, change] = conditions_in_words(
            FareBrand::Standard.conditions(gbp(30_600)),
            gbp(0).currency(),
        );
        assert_eq!(bags, (Msg::OneCheckedBag, None));
        assert_eq!(refund, (Msg::RefundLessFee, Some(gbp(9_100))));
        assert_eq!(change, (Msg::ChangesForFee, Some(gbp(3_000))));
        let light =
            conditions_in_words(FareBrand::Light.conditions(gbp(25_200)), gbp(0).currency());
        assert_eq!(
            light,
            [
                (Msg::NoCheckedBag, None),
                (Msg::NoRefund, None),
                (Msg::NoChanges, None)
            ]
        );
        let flex = conditions_in_words(FareConditions::FLEX, gbp(0).currency());
        assert_eq!(flex[1], (Msg::FullRefund, None));
        assert_eq!(flex[0], (Msg::TwoCheckedBags, None));
        assert_eq!(brand_name(FareBrand::Light), Msg::BrandLight);
    }

    #[test]
    fn brands_survive_the_address_and_flex_is_left_out() {
        let mixed = FareBrands {
            outbound: FareBrand::Light,
            inbound: FareBrand::Flex,
        };
        assert_eq!(mixed.to_query(true), "brand=LIGHT");
        assert_eq!(parse(&mixed.to_query(true)), mixed);
        let standard = FareBrands::both(FareBrand::Standard);
        assert_eq!(
            standard.to_query(true),
            "brand=STANDARD&return_brand=STANDARD"
        );
        assert_eq!(standard.to_query(false), "brand=STANDARD");
        assert_eq!(parse(""), FareBrands::both(FareBrand::Flex));
        // Anything the API would not take reads as Flex, each leg on its own.
        assert_eq!(
            parse("brand=BASIC&return_brand=LIGHT"),
            FareBrands {
                outbound: FareBrand::Flex,
                inbound: FareBrand::Light
            }
        );
    }
}
