//! Booking rules: seat maps and seat assignment, the booking saga as a state machine
//! (its phases, the facts its steps learn, the one transition function), booking
//! references, and what a booking shows and publishes. Payments are `airline-payments`'.
//!
//! Plain Rust with no I/O: the Durable Objects that hold seats and drive sagas are thin
//! adapters that persist what these functions decide.
#![forbid(unsafe_code)]

pub mod events;
pub mod inventory;
pub mod legacy;
pub mod notify;
pub mod plan;
pub mod protocol;
pub mod read_model;
pub mod reconcile;
pub mod record;
pub mod reference;
pub mod saga;
pub mod seatmap;
mod stored_total;
pub mod views;
