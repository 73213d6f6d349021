//! The airline's domain: airports, flights, money, local time and the flight search rules.
//!
//! Everything here is plain Rust with no I/O, so the rules are tested natively in
//! milliseconds and the Worker and Durable Object crates stay thin adapters around it.
//! Types are parsed once at the edge of the system ("parse, don't validate"): an
//! [`AirportCode`] or a [`Money`] cannot hold a bad value.
#![forbid(unsafe_code)]

pub mod aircraft;
pub mod airport;
pub mod error;
pub mod fare;
pub mod flight;
pub mod geo;
pub mod ids;
pub mod money;
pub mod pricing;
pub mod schedule;
pub mod search;
pub mod time;

pub use aircraft::AircraftType;
pub use airport::{Airport, AirportCode, AirportQuery};
pub use error::InputError;
pub use fare::{Allowance, Cabin, FareBrand, FareConditions};
pub use flight::{Flight, FlightId, FlightNumber, FlightStatus};
pub use geo::GeoPoint;
pub use ids::{AccountId, BookingId, PaymentToken};
pub use money::{Currency, Money};
pub use search::{FlightSearch, SearchCursor, SearchFilter, SearchPage, SortOrder, MAX_PASSENGERS};
pub use time::{parse_utc, utc_text, LocalDate, LocalTimeOfDay, TimeZone};
