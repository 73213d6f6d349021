//! The traveller web app's rules, free of the browser: which pages there are and the path
//! to each, what a search URL means, which cabin and brand a fare buys, what it costs and what it allows, which form
//! input is valid (with the API's own rules), how a seat map is laid out for a fare and
//! walked with the keyboard, what each failure asks the
//! traveller to do next, and every word in two languages. They work on the API's domain
//! types (`BookingStatus`, `Cabin`, `Money`, `DateTime<Utc>`), never on its strings. The
//! Leptos crate renders these; this crate is tested natively in milliseconds.

pub mod brand;
pub mod cabin;
pub mod checkout;
pub mod fare;
pub mod format;
pub mod i18n;
pub mod pages;
pub mod recent;
pub mod retry;
pub mod search;
pub mod seats;
pub mod session;

pub use i18n::{Locale, Msg};

// The API's own types for what the web shows and decides on: the app maps its GraphQL
// answers into these once (web/app/src/api.rs) and names them through this crate.
pub use airline_booking::saga::BookingStatus;
pub use airline_domain::{Cabin, Currency, FareBrand, Money};
