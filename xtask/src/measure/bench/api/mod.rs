//! `cargo xtask bench api [--requests N] [--events N]`: the API's own costs, call by call,
//! each on a fresh local `wrangler dev` (workerd + local D1) measured from a client on the
//! same machine: [`search`], [`identity`], [`booking`] and the [`loyalty`] queue, in that
//! order. `--requests N` sets every sample size (the loyalty burst's too, unless
//! `--events N` sets it). Prints numbers; asserts nothing (speed is reported, not tested).

mod booking;
mod identity;
mod loyalty;
mod search;

use std::time::{Duration, Instant};

use airline_e2e::{DevServer, ServerOptions};

use super::ApiOptions;
use crate::Failure;

/// The sample sizes when `--requests` does not set them.
const SEARCHES: usize = 500;
const IDENTITY_REQUESTS: usize = 200;
const BOOKINGS: usize = 200;
const LOYALTY_EVENTS: usize = 1_000;

pub fn run(options: &ApiOptions) -> Result<(), Failure> {
    let requests = |default| options.requests.unwrap_or(default);
    search::run(requests(SEARCHES))?;
    identity::run(requests(IDENTITY_REQUESTS))?;
    booking::run(requests(BOOKINGS))?;
    loyalty::run(options.events.unwrap_or(requests(LOYALTY_EVENTS)))
}

/// A fresh dev server, migrated and seeded, as the end-to-end suites get it.
fn start_server() -> Result<DevServer, Failure> {
    DevServer::start(ServerOptions::default())
        .map_err(|e| Failure::new(format!("the dev server did not start: {e}")))
}

/// How long `f` took.
fn time<T>(f: impl FnOnce() -> T) -> (Duration, T) {
    let start = Instant::now();
    let value = f();
    (start.elapsed(), value)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1_000.0
}

/// A GraphQL answer with errors, as a failure of `what`.
fn answered(what: &str, body: serde_json::Value) -> Result<serde_json::Value, Failure> {
    if body["errors"].is_null() && body.get("error").is_none() {
        Ok(body)
    } else {
        Err(Failure::new(format!("{what} failed: {body}")))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use serde_json::json;

    use super::*;

    #[test]
    fn an_answer_with_errors_fails_its_step() {
        assert!(answered("search", json!({"data": {"x": 1}})).is_ok());
        let failure = answered("search", json!({"errors": [{"message": "no"}]})).unwrap_err();
        assert!(failure.to_string().starts_with("search failed: "));
        assert!(answered("search", json!({"error": "lost"})).is_err());
    }
}
