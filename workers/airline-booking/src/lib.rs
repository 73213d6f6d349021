//! Booking rules: seat maps and seat assignment, the booking saga as a pure transition
//! function, payment providers' rules (the sandbox's test cards, Stripe's wire format),
//! booking references and the events a booking publishes.
//!
//! Plain Rust with no I/O: the Durable Objects that hold seats and drive sagas are thin
//! adapters that persist what these functions decide.
#![forbid(unsafe_code)]

pub mod events;
pub mod inventory;
pub mod notify;
pub mod payments;
pub mod plan;
pub mod protocol;
pub mod reconcile;
pub mod record;
pub mod reference;
pub mod saga;
pub mod seatmap;
mod stored_total;
pub mod views;
