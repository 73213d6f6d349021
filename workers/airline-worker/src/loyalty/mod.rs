//! Loyalty at the edge, in three parts: the ledger over D1 and the queue, as the API sees it
//! ([`store`]); the queue consumers that apply booking events and file dead letters
//! ([`consumer`]); and the signed REST endpoint other services call ([`rest`]).

mod consumer;
mod ledger_store;
mod rest;

pub use consumer::consume;
pub(crate) use consumer::write_entry;
pub use ledger_store::EdgeLoyalty;
pub use rest::rest_summary;
