//! What the API and D1 show of bookings and seats: a booking as listed and read (its
//! object answers with it; D1's read model stores it as JSON in `bookings.details`), and a
//! flight's seat map.

use airline_domain::{AccountId, BookingId, Cabin, FareBrand, FareConditions, Money};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::plan::Passenger;
use crate::saga::state::{BookingStatus, FailureCode};
use crate::seatmap::SeatId;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FailureView {
    pub code: FailureCode,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BookedFlight {
    pub flight_id: String,
    pub departure_utc: DateTime<Utc>,
    /// The cabin the fare bought (Economy for a booking made before cabins were sold).
    #[serde(default)]
    pub cabin: Cabin,
    /// The brand the fare was sold in and its conditions, fees in `fare_currency` (Flex,
    /// with a full refund, for a booking made before brands were sold).
    #[serde(default)]
    pub brand: FareBrand,
    #[serde(default)]
    pub conditions: FareConditions,
    #[serde(default)]
    pub fare_currency: Option<String>,
    pub seats: Vec<SeatId>,
}

/// A booking as shown: stored as JSON in D1's `bookings.details` and returned by the
/// workflow object, so a list and a single booking read the same.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BookingView {
    pub id: BookingId,
    pub customer_id: AccountId,
    pub reference: Option<String>,
    pub status: BookingStatus,
    pub failure: Option<FailureView>,
    /// The saga step in progress (`None` when final).
    pub step: Option<String>,
    pub flights: Vec<BookedFlight>,
    pub passengers: Vec<Passenger>,
    /// Stored as `totalAmount` (minor units) and `totalCurrency`, as it always was.
    #[serde(flatten, with = "crate::stored_total")]
    pub total: Money,
    /// What the provider captured and what it refunded, in the total's minor units: the
    /// traveller owes the difference. (Absent from rows written before they were kept:
    /// read as nothing moved.)
    #[serde(default)]
    pub captured_amount: i64,
    #[serde(default)]
    pub refunded_amount: i64,
    /// What the traveller's own cancellation gives back under the fares' conditions, in
    /// the total's minor units (absent from rows written before brands: all of it).
    #[serde(default)]
    pub cancellation_refund: Option<i64>,
    pub hold_expires_at: Option<DateTime<Utc>>,
    /// The booking object's version of this view (see `BookingRecord::version`); 0 for
    /// rows written before versions.
    #[serde(default)]
    pub version: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl BookingView {
    /// `minor` units of the booking's currency.
    pub fn amount(&self, minor: i64) -> Money {
        Money::from_minor(minor, self.total.currency())
    }

    /// What the traveller's own cancellation gives back.
    pub fn refund_on_cancellation(&self) -> Money {
        self.cancellation_refund
            .map_or(self.total, |minor| self.amount(minor))
    }

    /// What the traveller has paid and not had back.
    pub fn amount_paid(&self) -> Money {
        self.amount(self.captured_amount - self.refunded_amount)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SeatStatus {
    Free,
    Held,
    Sold,
    Blocked,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SeatView {
    pub seat: SeatId,
    pub cabin: String,
    pub window: bool,
    pub aisle: bool,
    pub exit_row: bool,
    pub status: SeatStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RowView {
    pub number: u16,
    pub cabin: String,
    pub exit_row: bool,
    /// Seat letters with `|` where an aisle runs, e.g. `ABC|DEF`.
    pub layout: String,
    pub seats: Vec<SeatView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SeatMapView {
    pub flight_id: String,
    pub aircraft: String,
    pub seats_available: u32,
    pub rows: Vec<RowView>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A booking's `details` as the first release wrote it to D1: rows written then must
    /// still read, and rows written now must read the same way.
    const STORED_BEFORE_TYPED_IDS: &str = r#"{
        "id": "bk_0123456789abcdef01234567",
        "customerId": "acct_0a1b2c3d4e5f60718293a4b5",
        "reference": "K7MXRA",
        "status": "CONFIRMED",
        "failure": null,
        "step": null,
        "flights": [{"flightId": "EA117-20261125", "departureUtc": "2026-11-25T08:00:00Z", "seats": ["12C"]}],
        "passengers": [{"firstName": "Ada", "lastName": "Lovelace", "dateOfBirth": null}],
        "totalAmount": 45000,
        "totalCurrency": "GBP",
        "holdExpiresAt": null,
        "createdAt": "2026-11-20T10:00:00Z",
        "updatedAt": "2026-11-20T10:00:02Z"
    }"#;

    #[test]
    fn a_stored_booking_reads_with_typed_ids_and_money() {
        let view: BookingView = serde_json::from_str(STORED_BEFORE_TYPED_IDS).unwrap();
        assert_eq!(view.id, "bk_0123456789abcdef01234567");
        assert_eq!(view.customer_id, "acct_0a1b2c3d4e5f60718293a4b5");
        assert_eq!(view.total.amount_minor(), 45_000);
        assert_eq!(view.total.currency().code(), "GBP");

        assert_eq!(view.version, 0, "rows from before versions are the oldest");
        assert_eq!(view.amount_paid().amount_minor(), 0);

        // A booking from before cabins were sold flew Economy.
        assert_eq!(view.flights[0].cabin, Cabin::Economy);

        // What is written now reads back as it was, and keeps every field rows had.
        let written = serde_json::to_value(&view).unwrap();
        let stored: serde_json::Value = serde_json::from_str(STORED_BEFORE_TYPED_IDS).unwrap();
        for (field, value) in stored.as_object().unwrap() {
            if field == "flights" {
                // A flight gains its cabin (Economy), its brand (Flex) and Flex's
                // conditions: a full refund, as every cancellation was then.
                let mut with_fare = value.clone();
                with_fare[0]["cabin"] = "ECONOMY".into();
                with_fare[0]["brand"] = "FLEX".into();
                with_fare[0]["conditions"] =
                    serde_json::to_value(airline_domain::FareConditions::FLEX).unwrap();
                with_fare[0]["fareCurrency"] = serde_json::Value::Null;
                assert_eq!(written[field], with_fare, "{field}");
            } else {
                assert_eq!(&written[field], value, "{field}");
            }
        }
        assert_eq!(
            serde_json::from_value::<BookingView>(written).unwrap(),
            view
        );
    }

    #[test]
    fn a_stored_booking_with_a_foreign_id_or_currency_is_refused() {
        for (field, value) in [("id", "booking-1"), ("totalCurrency", "XXX")] {
            let mut stored: serde_json::Value =
                serde_json::from_str(STORED_BEFORE_TYPED_IDS).unwrap();
            stored[field] = value.into();
            let error = serde_json::from_value::<BookingView>(stored).unwrap_err();
            assert!(error.to_string().contains(value), "{field}: {error}");
        }
    }
}
