//! A booking's total as stored since the first release: two fields, `totalAmount` in
//! minor units and `totalCurrency` as an ISO code. The types hold a [`Money`]; this keeps
//! the JSON in D1 and in the workflow objects' storage as it was
//! (`#[serde(flatten, with = "crate::stored_total")]`).

use airline_domain::{Currency, Money};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StoredTotal<'a> {
    total_amount: i64,
    #[serde(borrow)]
    total_currency: std::borrow::Cow<'a, str>,
}

pub fn serialize<S: Serializer>(total: &Money, serializer: S) -> Result<S::Ok, S::Error> {
    StoredTotal {
        total_amount: total.amount_minor(),
        total_currency: total.currency().code().into(),
    }
    .serialize(serializer)
}

pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Money, D::Error> {
    let stored = StoredTotal::deserialize(deserializer)?;
    let currency = Currency::parse("totalCurrency", &stored.total_currency)
        .map_err(|e| D::Error::custom(e.to_string()))?;
    Ok(Money::from_minor(stored.total_amount, currency))
}
