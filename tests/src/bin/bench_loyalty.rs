//! `bench-loyalty [--events N]`: how fast the loyalty consumer drains a burst. Publishes N
//! (default 1,000) distinct BookingConfirmed events onto the local queue as fast as 8
//! clients can, then times until every one is in the ledger. Prints numbers; asserts
//! nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use airline_e2e::{Customer, DevServer, ServerOptions};
use serde_json::json;

fn main() {
    let events: usize = std::env::args()
        .skip_while(|a| a != "--events")
        .nth(1)
        .map(|n| n.parse().expect("--events takes a number"))
        .unwrap_or(1_000);
    let server = DevServer::start(ServerOptions::default()).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(1);
    });
    let admin = Customer::admin(&server, "bench-ops");
    let who = Customer::sign_up(&server, "bench-loyalty");
    let started = Instant::now();
    std::thread::scope(|scope| {
        for client in 0..8 {
            let (server, admin, who) = (&server, &admin, &who);
            scope.spawn(move || {
                for n in (client..events).step_by(8) {
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
                        .unwrap();
                    assert!(body["errors"].is_null(), "{body}");
                }
            });
        }
    });
    let published = started.elapsed();
    let target = events as i64;
    loop {
        let body = who.ask(&server, "{ loyalty { points } }", json!({}));
        if body["data"]["loyalty"]["points"].as_i64() == Some(target) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "not drained: {body}"
        );
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
}
