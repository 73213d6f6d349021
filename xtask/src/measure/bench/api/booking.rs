//! What a booking costs: sequential `processBooking` calls from request to CONFIRMED
//! (the seat hold in the flight's inventory object, the sandbox's authorization and
//! capture, the booking's object, the events), the median of each saga step from the
//! workflow's log, then a burst of 300 concurrent attempts on one flight.

use std::sync::Barrier;
use std::time::{Duration, Instant};

use airline_e2e::{CardBehaviour, Customer, DevServer};
use serde_json::{json, Value};

use super::start_server;
use crate::Failure;

/// Concurrent attempts in the burst.
const BURST: usize = 300;

pub fn run(requests: usize) -> Result<(), Failure> {
    let server = start_server()?;
    let customer = Customer::sign_up(&server, "bench-booking");
    let card = customer.card(&server, CardBehaviour::Succeeds);
    let token = customer.token.clone();

    // Sequential bookings of one passenger each, spread over a day's flights on three
    // routes so no flight sells out.
    let flights = flights_to_book(&server)?;
    let mut latencies = Vec::with_capacity(requests);
    let cpu_before = server.cpu_time();
    for (i, flight) in (0..requests).zip(flights.iter().cycle()) {
        let start = Instant::now();
        let answer = book(&server, &token, &card, flight, &format!("bench-seq-{i}"));
        latencies.push(start.elapsed());
        if answer["data"]["processBooking"]["status"] != "CONFIRMED" {
            return Err(Failure::new(format!(
                "a sequential booking was not confirmed: {answer}"
            )));
        }
    }
    let cpu_per_booking =
        server.cpu_time().saturating_sub(cpu_before).as_secs_f64() * 1e3 / requests.max(1) as f64;
    airline_e2e::report("processBooking to CONFIRMED, sequential", latencies);
    println!("server CPU per booking (wrangler and workerd): {cpu_per_booking:.1} ms");
    for (step, samples, p50) in saga_steps(&server.structured_logs("saga_step")) {
        println!("  step {step}: n={samples} p50 {p50:.1} ms");
    }

    // A burst on one flight: how many attempts per second the inventory object and the
    // sagas answer when everyone wants the same seats.
    let flight = &flights[0];
    let barrier = Barrier::new(BURST);
    let requests_before = server.structured_logs("request").len();
    let start = Instant::now();
    let answers: Vec<(Duration, bool)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..BURST)
            .map(|i| {
                let (server, token, card, barrier) = (&server, &token, &card, &barrier);
                scope.spawn(move || {
                    barrier.wait();
                    let asked = Instant::now();
                    let answer = book(server, token, card, flight, &format!("bench-burst-{i}"));
                    let confirmed = answer["data"]["processBooking"]["status"] == "CONFIRMED";
                    (asked.elapsed(), confirmed)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| {
                handle
                    .join()
                    .map_err(|_| Failure::new("an attempt of the burst panicked"))
            })
            .collect::<Result<_, _>>()
    })?;
    let elapsed = start.elapsed();
    let confirmed = answers.iter().filter(|(_, confirmed)| *confirmed).count();
    airline_e2e::report(
        "burst: time to an answer, as the client saw it",
        answers.iter().map(|(took, _)| *took).collect(),
    );
    // The Worker's own measure of the same requests: where an answer's time was spent,
    // inside the Worker or waiting in front of it (in wrangler's proxy).
    let inside: Vec<Duration> = server
        .structured_logs("request")
        .iter()
        .skip(requests_before)
        .filter(|line| line["path"] == "/graphql")
        .filter_map(|line| line["duration_ms"].as_u64())
        .map(Duration::from_millis)
        .collect();
    airline_e2e::report("burst: time to an answer, inside the Worker", inside);
    println!(
        "burst: {BURST} concurrent attempts on one flight answered in {:.1} s: {:.1} attempts/s, {confirmed} confirmed ({:.1} confirmed bookings/s)",
        elapsed.as_secs_f64(),
        BURST as f64 / elapsed.as_secs_f64(),
        confirmed as f64 / elapsed.as_secs_f64()
    );
    server.stop();
    Ok(())
}

/// A day's flights JFK-LHR, LHR-CDG and CDG-FRA, twenty days ahead.
fn flights_to_book(server: &DevServer) -> Result<Vec<String>, Failure> {
    let date = server
        .seed_start
        .plus_days(20)
        .ok_or_else(|| Failure::new("no date 20 days after the seed's first"))?;
    let mut flights = Vec::new();
    for pair in ["JFK", "LHR", "CDG", "FRA"].windows(2) {
        let found = server
            .try_graphql_as(
                None,
                "query($f: String!, $t: String!, $d: String!) { searchFlights(from: $f, to: $t, date: $d, first: 50) { edges { node { id } } } }",
                json!({"f": pair[0], "t": pair[1], "d": date.to_string()}),
            )
            .map_err(Failure::new)?;
        flights.extend(
            found["data"]["searchFlights"]["edges"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|edge| edge["node"]["id"].as_str())
                .map(str::to_owned),
        );
    }
    if flights.is_empty() {
        return Err(Failure::new(format!("no flights to book on {date}")));
    }
    Ok(flights)
}

/// The median time of each saga step, from the workflow's structured log lines (in the
/// order the steps first appear): where a booking's time goes. Each step's name, its
/// number of samples and their median in ms.
fn saga_steps(lines: &[Value]) -> Vec<(String, usize, f64)> {
    let mut steps: Vec<(String, Vec<f64>)> = Vec::new();
    for line in lines {
        let (Some(step), Some(ms)) = (line["step"].as_str(), line["duration_ms"].as_f64()) else {
            continue;
        };
        match steps.iter_mut().find(|(name, _)| name == step) {
            Some((_, samples)) => samples.push(ms),
            None => steps.push((step.to_owned(), vec![ms])),
        }
    }
    steps
        .into_iter()
        .map(|(step, mut samples)| {
            samples.sort_by(f64::total_cmp);
            let median = samples[samples.len() / 2];
            (step, samples.len(), median)
        })
        .collect()
}

/// One passenger on `flight`, paid with `card`; the answer (or the error, as JSON).
fn book(server: &DevServer, token: &str, card: &str, flight: &str, key: &str) -> Value {
    server
        .graphql_idempotent(
            Some(token),
            "mutation($input: BookingInput!) { processBooking(input: $input) { id status } }",
            json!({"input": {
                "outboundFlightId": flight,
                "passengers": [{"firstName": "Bench", "lastName": "Traveller"}],
                "paymentToken": card, "idempotencyKey": key
            }}),
        )
        .unwrap_or_else(|e| json!({"error": e}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saga_steps_are_listed_in_order_with_their_median() {
        let lines = [
            json!({"event": "saga_step", "step": "hold", "duration_ms": 9.0}),
            json!({"event": "saga_step", "step": "authorize", "duration_ms": 2.0}),
            json!({"event": "saga_step", "step": "hold", "duration_ms": 3.0}),
            json!({"event": "saga_step", "step": "hold", "duration_ms": 5.0}),
            json!({"event": "saga_step", "duration_ms": 5.0}),
        ];
        assert_eq!(
            saga_steps(&lines),
            [
                ("hold".to_owned(), 3, 5.0),
                ("authorize".to_owned(), 1, 2.0)
            ]
        );
    }
}
