//! What the API's native tests run on: in-memory doubles of every store the API asks
//! for ([`stores`]), a request context to put them in ([`TestContext`]), and running a
//! request and checking its answer ([`requests`]). Used by the tests of `airline-graphql`
//! and `airline-edge` only: nothing deployed depends on it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod requests;
pub mod stores;

pub use requests::{api, data, execute, failure, signed_in, utc};
pub use stores::*;
