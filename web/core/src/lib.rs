//! The traveller web app's rules, free of the browser: what a search URL means, which form
//! input is valid (with the API's own rules), how a seat map is laid out and walked with the
//! keyboard, what each failure asks the traveller to do next, and every word in two
//! languages. The Leptos crate renders these; this crate is tested natively in milliseconds.

pub mod checkout;
pub mod format;
pub mod i18n;
pub mod recent;
pub mod search;
pub mod seats;
pub mod session;

pub use i18n::{Locale, Msg};
