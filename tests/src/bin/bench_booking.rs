//! `bench-booking [--requests N]`: what a booking costs on a local `wrangler dev`.
//! Times sequential `processBooking` calls from request to CONFIRMED (seat hold in the
//! flight's inventory object, sandbox authorization and capture in D1, the booking rows,
//! the loyalty event), then a burst of concurrent attempts on one 60-seat flight.
//! Prints numbers; asserts nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Barrier;
use std::time::Instant;

use airline_e2e::{CardBehaviour, Customer, DevServer, ServerOptions};
use serde_json::{json, Value};

fn main() {
    let requests: usize = std::env::args()
        .skip_while(|a| a != "--requests")
        .nth(1)
        .map(|n| n.parse().expect("--requests takes a number"))
        .unwrap_or(200);
    let server = DevServer::start(ServerOptions::default()).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(1);
    });
    let customer = Customer::sign_up(&server, "bench-booking");
    let card = customer.card(&server, CardBehaviour::Succeeds);
    let token = customer.token.clone();

    // Sequential bookings of one passenger each, spread over a day's JFK-LHR flights so
    // no flight sells out.
    let date = server.seed_start.plus_days(20).unwrap();
    let flights: Vec<String> = ["JFK", "LHR", "CDG", "FRA"]
        .windows(2)
        .flat_map(|pair| {
            let found = server.graphql(
                "query($f: String!, $t: String!, $d: String!) { searchFlights(from: $f, to: $t, date: $d, first: 50) { edges { node { id } } } }",
                json!({"f": pair[0], "t": pair[1], "d": date.to_string()}),
            );
            found["data"]["searchFlights"]["edges"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .map(|edge| edge["node"]["id"].as_str().unwrap().to_owned())
        })
        .collect();
    assert!(!flights.is_empty(), "no flights to book");
    let mut latencies = Vec::with_capacity(requests);
    let cpu_before = server.cpu_time();
    for i in 0..requests {
        let flight = &flights[i % flights.len()];
        let start = Instant::now();
        let answer = book(&server, &token, &card, flight, 1, &format!("bench-seq-{i}"));
        latencies.push(start.elapsed());
        let status = &answer["data"]["processBooking"]["status"];
        assert_eq!(status, "CONFIRMED", "{answer}");
    }
    let cpu_per_booking =
        server.cpu_time().saturating_sub(cpu_before).as_secs_f64() * 1e3 / requests.max(1) as f64;
    airline_e2e::report("processBooking to CONFIRMED, sequential", latencies);
    println!("server CPU per booking (wrangler and workerd): {cpu_per_booking:.1} ms");
    report_steps(&server);

    // A burst on one small flight: how many attempts per second the inventory object
    // and the sagas answer when everyone wants the same seats.
    let burst = 300;
    let flight = flights[0].clone();
    let barrier = Barrier::new(burst);
    let requests_before = server.structured_logs("request").len();
    let start = Instant::now();
    let answers: Vec<(std::time::Duration, bool)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..burst)
            .map(|i| {
                let (server, token, card, flight, barrier) =
                    (&server, &token, &card, &flight, &barrier);
                scope.spawn(move || {
                    barrier.wait();
                    let asked = Instant::now();
                    let answer = book(server, token, card, flight, 1, &format!("bench-burst-{i}"));
                    let confirmed = answer["data"]["processBooking"]["status"] == "CONFIRMED";
                    (asked.elapsed(), confirmed)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let elapsed = start.elapsed();
    let confirmed = answers.iter().filter(|(_, confirmed)| *confirmed).count();
    airline_e2e::report(
        "burst: time to an answer, as the client saw it",
        answers.iter().map(|(took, _)| *took).collect(),
    );
    // The Worker's own measure of the same requests: where an answer's time was spent,
    // inside the Worker or waiting in front of it (in wrangler's proxy).
    let inside: Vec<std::time::Duration> = server
        .structured_logs("request")
        .iter()
        .skip(requests_before)
        .filter(|line| line["path"] == "/graphql")
        .filter_map(|line| line["duration_ms"].as_u64())
        .map(std::time::Duration::from_millis)
        .collect();
    airline_e2e::report("burst: time to an answer, inside the Worker", inside);
    println!(
        "burst: {burst} concurrent attempts on one flight answered in {:.1} s: {:.1} attempts/s, {confirmed} confirmed ({:.1} confirmed bookings/s)",
        elapsed.as_secs_f64(),
        burst as f64 / elapsed.as_secs_f64(),
        confirmed as f64 / elapsed.as_secs_f64()
    );
    server.stop();
}

/// The median time of each saga step, from the workflow's structured log lines: where a
/// booking's time goes.
fn report_steps(server: &DevServer) {
    let mut steps: Vec<(String, Vec<f64>)> = Vec::new();
    for line in server.structured_logs("saga_step") {
        let (Some(step), Some(ms)) = (line["step"].as_str(), line["duration_ms"].as_f64()) else {
            continue;
        };
        match steps.iter_mut().find(|(name, _)| name == step) {
            Some((_, samples)) => samples.push(ms),
            None => steps.push((step.to_owned(), vec![ms])),
        }
    }
    for (step, mut samples) in steps {
        samples.sort_by(f64::total_cmp);
        println!(
            "  step {step}: n={} p50 {:.1} ms",
            samples.len(),
            samples[samples.len() / 2]
        );
    }
}

fn book(
    server: &DevServer,
    token: &str,
    card: &str,
    flight: &str,
    passengers: usize,
    key: &str,
) -> Value {
    let people: Vec<Value> = (0..passengers)
        .map(|_| json!({"firstName": "Bench", "lastName": "Traveller"}))
        .collect();
    server
        .graphql_idempotent(
            Some(token),
            "mutation($input: BookingInput!) { processBooking(input: $input) { id status } }",
            json!({"input": {
                "outboundFlightId": flight, "passengers": people,
                "paymentToken": card, "idempotencyKey": key
            }}),
        )
        .unwrap_or_else(|e| json!({"error": e}))
}
