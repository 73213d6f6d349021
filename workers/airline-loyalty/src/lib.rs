//! Loyalty rules: how many points a booking earns, what a cancellation takes back, when
//! unused points expire, which tier a balance reaches, and how other services sign their
//! requests for a customer's summary.
//!
//! Plain Rust with no I/O: the queue consumer, the ledger in D1 and the REST endpoint are
//! thin adapters around these functions.
#![forbid(unsafe_code)]

pub mod expiry;
pub mod ledger;
pub mod pending;
pub mod signing;
pub mod tiers;

pub use ledger::{
    balance, entry_for, points_for, BookingHistory, EntryKind, EventError, LedgerEntry, NewEntry,
};
pub use pending::{BookingNow, Pending};
pub use tiers::{LoyaltySummary, Tier};
