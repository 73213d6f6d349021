//! Seat holds that run out, end to end against wrangler dev configured with a two-second
//! hold: an expired hold counts as free at once (before any cleanup), and a booking whose
//! hold expired while its payment was being retried cannot confirm; it is compensated
//! (refunded, seats released, CANCELLED with HOLD_EXPIRED).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use airline_e2e::{
    ensure, eventually, run_suite, CardBehaviour, Customer, DevServer, ServerOptions, Test,
};
use libtest_mimic::Failed;
use serde_json::{json, Value};

fn main() {
    let mut options = ServerOptions::default();
    options.vars.extend([
        ("HOLD_TTL_SECONDS".to_owned(), "2".to_owned()),
        // Retries at 1.5 s and 3 s: the third authorization lands after the hold ran out.
        ("RETRY_FIRST_DELAY_MS".to_owned(), "1500".to_owned()),
    ]);
    let tests: &[Test] =
        airline_e2e::tests![a_hold_that_expires_frees_its_seats_and_cannot_confirm];
    run_suite(options, tests)
}

fn seat_map(server: &DevServer, flight: &str) -> Value {
    let body = server.graphql(
        "query($f: ID!) { seatMap(flightId: $f) { seatsAvailable rows { seats { id status } } } }",
        json!({"f": flight}),
    );
    body["data"]["seatMap"].clone()
}

fn seats_with(map: &Value, status: &str) -> Vec<String> {
    map["rows"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|row| row["seats"].as_array().unwrap())
        .filter(|seat| seat["status"] == status)
        .map(|seat| seat["id"].as_str().unwrap().to_owned())
        .collect()
}

fn a_hold_that_expires_frees_its_seats_and_cannot_confirm(
    server: &DevServer,
) -> Result<(), Failed> {
    let customer = Customer::sign_up(server, "expiry");
    let card = customer.card(server, CardBehaviour::FailsTwiceThenSucceeds);
    let token = customer.token.clone();
    let date = server.seed_start.plus_days(9).unwrap();
    let search = server.graphql(
        "query($d: String!) { searchFlights(from: \"JFK\", to: \"LHR\", date: $d) { edges { node { id } } } }",
        json!({"d": date.to_string()}),
    );
    let flight = search["data"]["searchFlights"]["edges"][0]["node"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no flight: {search}"))
        .to_owned();
    let before = seat_map(server, &flight);
    let free_before = before["seatsAvailable"].as_u64().unwrap();

    let answer = server.graphql_as(
        Some(&token),
        "mutation($input: BookingInput!) { processBooking(input: $input) { id status flights { seats } } }",
        json!({"input": {
            "outboundFlightId": flight,
            "passengers": [{"firstName": "Ada", "lastName": "Lovelace"}, {"firstName": "Mary", "lastName": "Somerville"}],
            "paymentToken": card, "idempotencyKey": "expiry-test-0001"
        }}),
    );
    let booking = &answer["data"]["processBooking"];
    ensure!(
        booking["status"] == "UNCONFIRMED",
        "the payment is being retried: {answer}"
    );
    let id = booking["id"].as_str().unwrap().to_owned();
    let held: Vec<String> = booking["flights"][0]["seats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect();
    ensure!(held.len() == 2, "two seats held: {answer}");
    let during = seat_map(server, &flight);
    ensure!(
        seats_with(&during, "HELD") == held,
        "the seat map shows the hold: {:?}",
        seats_with(&during, "HELD")
    );

    // Past the hold's two seconds but before the retry that would confirm it: the seats
    // read as free even though nothing has cleaned the hold up yet.
    std::thread::sleep(Duration::from_millis(2_300));
    let expired = seat_map(server, &flight);
    ensure!(
        seats_with(&expired, "HELD").is_empty(),
        "an expired hold is free"
    );
    ensure!(
        expired["seatsAvailable"].as_u64() == Some(free_before),
        "all {free_before} seats free again: {}",
        expired["seatsAvailable"]
    );

    let deadline = Instant::now() + Duration::from_secs(30);
    let final_booking = loop {
        let body = server.graphql_as(
            Some(&token),
            "query($id: ID!) { booking(id: $id) { status reference failure { code message } flights { seats } } }",
            json!({"id": id}),
        );
        let booking = body["data"]["booking"].clone();
        if booking["status"] == "CANCELLED" || booking["status"] == "CONFIRMED" {
            break booking;
        }
        ensure!(Instant::now() < deadline, "booking not final: {body}");
        std::thread::sleep(Duration::from_millis(300));
    };
    ensure!(
        final_booking["status"] == "CANCELLED"
            && final_booking["failure"]["code"] == "HOLD_EXPIRED",
        "a booking whose hold expired cannot confirm: {final_booking}"
    );
    ensure!(
        final_booking["reference"].is_null(),
        "no reference: {final_booking}"
    );
    // The read model follows the booking: once it shows it CANCELLED, its payment is the
    // booking's last one too.
    eventually(
        "the read model shows the booking cancelled",
        Duration::from_secs(20),
        || {
            let row = server.d1(&format!("SELECT status FROM bookings WHERE id = '{id}'"))?;
            Ok(if row.first().is_some_and(|r| r["status"] == "CANCELLED") {
                Ok(())
            } else {
                Err(format!("{row:?}"))
            })
        },
    )?;
    let payment = server
        .d1(&format!(
            "SELECT status FROM payments WHERE idempotency_key = '{id}'"
        ))
        .map_err(Failed::from)?;
    ensure!(
        payment.len() == 1
            && (payment[0]["status"] == "REFUNDED" || payment[0]["status"] == "VOIDED"),
        "nothing stays charged: {payment:?}"
    );
    let after = seat_map(server, &flight);
    ensure!(
        seats_with(&after, "SOLD")
            .iter()
            .all(|seat| !held.contains(seat)),
        "the expired seats were never sold"
    );
    ensure!(
        after["seatsAvailable"].as_u64() == Some(free_before),
        "seats free: {}",
        after["seatsAvailable"]
    );
    let row = server
        .d1(&format!("SELECT status FROM bookings WHERE id = '{id}'"))
        .map_err(Failed::from)?;
    ensure!(row[0]["status"] == "CANCELLED", "D1 agrees: {row:?}");
    Ok(())
}
