//! How fast the loyalty consumer drains a burst: publishes `events` distinct
//! BookingConfirmed events onto the local queue as fast as 8 clients can, then times until
//! every one is in the ledger.

use std::time::{Duration, Instant};

use airline_e2e::Customer;
use serde_json::json;

use super::{answered, start_server};
use crate::Failure;

const CLIENTS: usize = 8;
/// How long the ledger may take to show every event.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(600);

pub fn run(events: usize) -> Result<(), Failure> {
    let server = start_server()?;
    let admin = Customer::admin(&server, "bench-ops");
    let who = Customer::sign_up(&server, "bench-loyalty");
    let started = Instant::now();
    std::thread::scope(|scope| {
        let clients: Vec<_> = (0..CLIENTS)
            .map(|client| {
                let (server, admin, who) = (&server, &admin, &who);
                scope.spawn(move || {
                    for n in (client..events).step_by(CLIENTS) {
                        let booking = format!("bk_bench{n:06}");
                        let event = json!({
                            "version": 1, "eventId": format!("{booking}:confirmed"),
                            "kind": "BookingConfirmed", "bookingId": booking, "reference": null,
                            "customerId": who.id, "amount": 100, "currency": "USD",
                            "flights": [], "occurredAt": "2026-11-29T00:00:00Z"
                        });
                        let body = server
                            .graphql_idempotent(
                                Some(&admin.token),
                                "mutation($b: String!) { publishLoyaltyEvent(body: $b) }",
                                json!({"b": event.to_string()}),
                            )
                            .map_err(Failure::new)?;
                        answered("publishLoyaltyEvent", body)?;
                    }
                    Ok(())
                })
            })
            .collect();
        clients.into_iter().try_for_each(|client| {
            client
                .join()
                .map_err(|_| Failure::new("a publishing client panicked"))?
        })
    })?;
    let published = started.elapsed();
    let target = events as i64;
    loop {
        let body = server
            .try_graphql_as(Some(&who.token), "{ loyalty { points } }", json!({}))
            .map_err(Failure::new)?;
        if body["data"]["loyalty"]["points"].as_i64() == Some(target) {
            break;
        }
        if started.elapsed() > DRAIN_TIMEOUT {
            return Err(Failure::new(format!(
                "the ledger has not taken all {events} events after {DRAIN_TIMEOUT:?}: {body}"
            )));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let drained = started.elapsed();
    println!(
        "loyalty burst: {events} events published in {:.1} s; all in the ledger {:.1} s after the first: {:.0} events/s end to end",
        published.as_secs_f64(),
        drained.as_secs_f64(),
        events as f64 / drained.as_secs_f64()
    );
    server.stop();
    Ok(())
}
