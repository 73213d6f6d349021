//! What the API and D1 show of bookings and seats: a booking as listed and read (stored as
//! JSON in D1's `bookings.details`), and a flight's seat map.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::plan::Passenger;
use crate::saga::{BookingStatus, FailureCode};
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
    pub seats: Vec<SeatId>,
}

/// A booking as shown: stored as JSON in D1's `bookings.details` and returned by the
/// workflow object, so a list and a single booking read the same.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BookingView {
    pub id: String,
    pub customer_id: String,
    pub reference: Option<String>,
    pub status: BookingStatus,
    pub failure: Option<FailureView>,
    /// The saga step in progress (`None` when final).
    pub step: Option<String>,
    pub flights: Vec<BookedFlight>,
    pub passengers: Vec<Passenger>,
    pub total_amount: i64,
    pub total_currency: String,
    pub hold_expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
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
