//! Bookings under pressure, end to end against wrangler dev: hundreds of concurrent
//! booking attempts on one small flight (no overselling, no seat sold twice, a final
//! answer for everyone, and D1's search count equal to the inventory's truth), and a
//! server killed while sagas are in flight (every booking still reaches a final state and
//! the seat counts agree afterwards). After both, every confirmed booking has its loyalty
//! ledger entry within a bound, with the reconciliation run allowed to resend what the
//! queue lost (the outbox keeps every event to resend).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Barrier;
use std::time::{Duration, Instant};

use airline_e2e::{
    ensure, nonce, run_suite, CardBehaviour, Customer, DevServer, ServerOptions, Test,
};
use libtest_mimic::Failed;
use serde_json::{json, Value};

fn main() {
    let tests: &[Test] = airline_e2e::tests![
        three_hundred_concurrent_attempts_never_oversell,
        sagas_interrupted_by_a_crash_finish_after_restart,
    ];
    let mut options = ServerOptions::default();
    // The reconciliation run judges anything older than a second (120 s by default).
    options
        .vars
        .push(("RECONCILE_GRACE_SECONDS".into(), "1".into()));
    run_suite(options, tests)
}

/// How long every confirmed booking's points may take after a burst, reconciliation
/// included.
const LEDGER_BOUND: Duration = Duration::from_secs(90);

/// Waits until each of `confirmed` has its ledger entry. Delivery gets five seconds on its
/// own; after that, while entries are missing, the reconciliation run (every 5 minutes
/// deployed) is triggered every five seconds. Says how many arrived by which way.
fn every_confirmed_booking_earns(
    server: &DevServer,
    what: &str,
    confirmed: &BTreeSet<String>,
) -> Result<(), Failed> {
    let entries: Vec<String> = confirmed
        .iter()
        .map(|id| format!("{id}:confirmed"))
        .collect();
    let list = entries
        .iter()
        .map(|id| format!("'{id}'"))
        .collect::<Vec<_>>()
        .join(",");
    let started = Instant::now();
    let mut last_run = Instant::now();
    let mut runs = 0;
    let mut delivered_on_their_own = None;
    loop {
        let found = server
            .d1(&format!(
                "SELECT count(*) AS n FROM loyalty_ledger WHERE entry_id IN ({list})"
            ))
            .map_err(Failed::from)?[0]["n"]
            .as_u64()
            .unwrap() as usize;
        if found == entries.len() {
            eprintln!(
                "{what}: all {} confirmed bookings in the ledger after {:.1} s; {} by delivery alone, {runs} reconciliation runs",
                entries.len(),
                started.elapsed().as_secs_f64(),
                delivered_on_their_own.unwrap_or(found),
            );
            return Ok(());
        }
        ensure!(
            started.elapsed() < LEDGER_BOUND,
            "{what}: {found} of {} confirmed bookings in the ledger after {LEDGER_BOUND:?} and {runs} reconciliation runs",
            entries.len()
        );
        if started.elapsed() > Duration::from_secs(5) && last_run.elapsed() > Duration::from_secs(5)
        {
            delivered_on_their_own.get_or_insert(found);
            server.run_scheduled().map_err(Failed::from)?;
            runs += 1;
            last_run = Instant::now();
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// How long the read model may take to show every booking of a burst as it ended, the
/// reconciliation run included (README: "converges within a minute").
const READ_MODEL_BOUND: Duration = Duration::from_secs(60);

/// Waits until D1's read model shows each of `truth`'s bookings (id and final status) as
/// its object does. Copies get five seconds on their own; after that the reconciliation
/// run is triggered every five seconds. Says how long the copies took.
fn read_model_converges(
    server: &DevServer,
    what: &str,
    truth: &BTreeMap<String, String>,
) -> Result<(), Failed> {
    let list = truth
        .keys()
        .map(|id| format!("'{id}'"))
        .collect::<Vec<_>>()
        .join(",");
    let started = Instant::now();
    let mut last_run = Instant::now();
    let mut runs = 0;
    loop {
        let rows = server
            .d1(&format!(
                "SELECT id, status FROM bookings WHERE id IN ({list})"
            ))
            .map_err(Failed::from)?;
        let agreeing = rows
            .iter()
            .filter(|row| {
                let id = row["id"].as_str().unwrap_or_default();
                truth
                    .get(id)
                    .is_some_and(|status| row["status"] == status.as_str())
            })
            .count();
        if agreeing == truth.len() {
            eprintln!(
                "{what}: the read model shows all {} bookings as they ended {:.1} s after the last answer ({runs} reconciliation runs)",
                truth.len(),
                started.elapsed().as_secs_f64()
            );
            return Ok(());
        }
        ensure!(
            started.elapsed() < READ_MODEL_BOUND,
            "{what}: the read model shows {agreeing} of {} bookings as they ended after {READ_MODEL_BOUND:?} and {runs} reconciliation runs",
            truth.len()
        );
        if started.elapsed() > Duration::from_secs(5) && last_run.elapsed() > Duration::from_secs(5)
        {
            server.run_scheduled().map_err(Failed::from)?;
            runs += 1;
            last_run = Instant::now();
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

const CAPACITY: u32 = 60;
const BOOKING: &str = "id status failure { code } flights { seats } passengers { firstName }";

/// A customer with a sandbox card.
struct Buyer {
    account: Customer,
    card: String,
}

fn buyer(server: &DevServer, card: CardBehaviour) -> Buyer {
    let account = Customer::sign_up(server, "load");
    let card = account.card(server, card);
    Buyer { account, card }
}

/// An admin creates a small flight (an ATR 72 sold with 60 of its 70 seats) for a test
/// of its own, so no other test touches its seats.
fn small_flight(server: &DevServer, number: &str, days_ahead: i64) -> String {
    Customer::admin(server, "ops").create_flight(
        server,
        number,
        days_ahead,
        "AT76",
        CAPACITY as usize,
    )
}

fn book(
    server: &DevServer,
    who: &Buyer,
    flight: &str,
    passengers: usize,
    key: &str,
) -> Result<Value, String> {
    let people: Vec<Value> = (0..passengers)
        .map(
            |n| json!({"firstName": "Pat", "lastName": format!("Traveller {}", ["A", "B"][n % 2])}),
        )
        .collect();
    server.graphql_idempotent(
        Some(&who.account.token),
        &format!(
            "mutation($input: BookingInput!) {{ processBooking(input: $input) {{ {BOOKING} }} }}"
        ),
        json!({"input": {
            "outboundFlightId": flight, "passengers": people,
            "paymentToken": who.card, "idempotencyKey": key
        }}),
    )
}

fn get_booking(server: &DevServer, who: &Buyer, id: &str) -> Value {
    server
        .graphql_idempotent(
            Some(&who.account.token),
            &format!("query($id: ID!) {{ booking(id: $id) {{ {BOOKING} }} }}"),
            json!({"id": id}),
        )
        .unwrap_or_else(|e| panic!("booking({id}): {e}\n{}", server.log_tail()))
}

/// Polls a booking until it is CONFIRMED or CANCELLED.
fn final_state(
    server: &DevServer,
    who: &Buyer,
    id: &str,
    within: Duration,
) -> Result<Value, Failed> {
    let deadline = Instant::now() + within;
    loop {
        let body = get_booking(server, who, id);
        let booking = &body["data"]["booking"];
        match booking["status"].as_str() {
            Some("CONFIRMED") | Some("CANCELLED") => return Ok(booking.clone()),
            _ if Instant::now() > deadline => {
                return Err(format!("booking {id} not final after {within:?}: {body}").into())
            }
            _ => std::thread::sleep(Duration::from_millis(300)),
        }
    }
}

struct SeatCounts {
    available: u64,
    sold: BTreeSet<String>,
    held: usize,
}

fn seat_counts(server: &DevServer, flight: &str) -> SeatCounts {
    let body = server
        .graphql_idempotent(
            None,
            "query($f: ID!) { seatMap(flightId: $f) { seatsAvailable rows { seats { id status } } } }",
            json!({"f": flight}),
        )
        .unwrap_or_else(|e| panic!("seatMap: {e}\n{}", server.log_tail()));
    let map = &body["data"]["seatMap"];
    let seats: Vec<&Value> = map["rows"]
        .as_array()
        .unwrap_or_else(|| panic!("seatMap: {body}"))
        .iter()
        .flat_map(|row| row["seats"].as_array().unwrap())
        .collect();
    SeatCounts {
        available: map["seatsAvailable"].as_u64().unwrap(),
        sold: seats
            .iter()
            .filter(|s| s["status"] == "SOLD")
            .map(|s| s["id"].as_str().unwrap().to_owned())
            .collect(),
        held: seats.iter().filter(|s| s["status"] == "HELD").count(),
    }
}

/// D1's `seats_available` (the search read model) once it has caught up with `truth`.
fn read_model_matches(server: &DevServer, flight: &str, truth: u64) -> Result<(), Failed> {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let rows = server
            .d1(&format!(
                "SELECT seats_available FROM flights WHERE id = '{flight}'"
            ))
            .map_err(Failed::from)?;
        let in_d1 = rows[0]["seats_available"].as_u64().unwrap();
        if in_d1 == truth {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("D1 says {in_d1} seats available, the inventory {truth}").into());
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}

fn three_hundred_concurrent_attempts_never_oversell(server: &DevServer) -> Result<(), Failed> {
    const ATTEMPTS: usize = 300;
    let flight = small_flight(server, "XC300", 5);
    let customers: Vec<Buyer> = (0..10)
        .map(|_| buyer(server, CardBehaviour::Succeeds))
        .collect();
    let run = format!("contention-{}", nonce());
    let barrier = Barrier::new(ATTEMPTS);
    let started = Instant::now();
    let answers: Vec<(usize, usize, Result<Value, String>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..ATTEMPTS)
            .map(|i| {
                let (barrier, customers, flight, run) = (&barrier, &customers, &flight, &run);
                scope.spawn(move || {
                    let who = i % customers.len();
                    let passengers = 1 + i % 2;
                    barrier.wait();
                    let answer = book(
                        server,
                        &customers[who],
                        flight,
                        passengers,
                        &format!("{run}-{i}"),
                    );
                    (who, passengers, answer)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let elapsed = started.elapsed();

    let mut confirmed_passengers = 0;
    let mut confirmed_ids = BTreeSet::new();
    let mut sold_to: BTreeMap<String, String> = BTreeMap::new();
    let mut outcomes: BTreeMap<String, usize> = BTreeMap::new();
    // Every booking as it ended, for the read model to show.
    let mut ended: BTreeMap<String, String> = BTreeMap::new();
    for (who, passengers, answer) in &answers {
        let answer = answer
            .as_ref()
            .map_err(|e| format!("a booking request failed: {e}\n{}", server.log_tail()))?;
        let booking = match answer["errors"][0]["extensions"]["code"].as_str() {
            Some("SOLD_OUT") => {
                *outcomes.entry("SOLD_OUT".into()).or_default() += 1;
                if let Some(id) = answer["errors"][0]["extensions"]["bookingId"].as_str() {
                    ended.insert(id.to_owned(), "CANCELLED".to_owned());
                }
                continue;
            }
            Some(other) => return Err(format!("unexpected error {other}: {answer}").into()),
            None => {
                let booking = &answer["data"]["processBooking"];
                if booking["status"] == "CONFIRMED" {
                    booking.clone()
                } else {
                    // Still being processed (a step retrying): its final state counts.
                    let id = booking["id"].as_str().unwrap();
                    final_state(server, &customers[*who], id, Duration::from_secs(60))?
                }
            }
        };
        let status = booking["status"].as_str().unwrap_or("?").to_owned();
        ended.insert(
            booking["id"].as_str().unwrap_or_default().to_owned(),
            status.clone(),
        );
        let code = booking["failure"]["code"].as_str().unwrap_or("");
        ensure!(
            status == "CONFIRMED" || code == "SOLD_OUT",
            "every attempt ends CONFIRMED or SOLD_OUT: {booking}"
        );
        *outcomes
            .entry(if code.is_empty() {
                status.clone()
            } else {
                code.to_owned()
            })
            .or_default() += 1;
        if status == "CONFIRMED" {
            confirmed_ids.insert(booking["id"].as_str().unwrap().to_owned());
            confirmed_passengers += passengers;
            let seats = booking["flights"][0]["seats"].as_array().unwrap();
            ensure!(
                seats.len() == *passengers,
                "one seat per passenger: {booking}"
            );
            for seat in seats {
                let previous = sold_to.insert(
                    seat.as_str().unwrap().to_owned(),
                    booking["id"].as_str().unwrap().to_owned(),
                );
                ensure!(previous.is_none(), "seat {seat} sold twice");
            }
        }
    }
    ensure!(
        confirmed_passengers <= CAPACITY as usize,
        "sold {confirmed_passengers} seats of {CAPACITY}"
    );
    let truth = seat_counts(server, &flight);
    let answered_seats: BTreeSet<String> = sold_to.keys().cloned().collect();
    ensure!(
        truth.sold == answered_seats,
        "the seat map's sold seats are exactly the confirmed bookings' seats"
    );
    ensure!(
        truth.held == 0,
        "{} seats still held after every attempt ended",
        truth.held
    );
    ensure!(
        truth.available + truth.sold.len() as u64 == u64::from(CAPACITY),
        "available {} + sold {} = {CAPACITY}",
        truth.available,
        truth.sold.len()
    );
    // Half the attempts want one seat, so the flight sells out to the last seat or one short.
    ensure!(
        truth.available <= 1,
        "{} seats left unsold",
        truth.available
    );
    read_model_matches(server, &flight, truth.available)?;
    read_model_converges(server, "contention", &ended)?;
    let rows = server
        .d1(&format!(
            "SELECT count(*) AS n FROM payments p JOIN bookings b ON b.id = p.idempotency_key
             WHERE b.details LIKE '%{flight}%' AND p.status = 'CAPTURED'"
        ))
        .map_err(Failed::from)?;
    let captured = rows[0]["n"].as_u64().unwrap();
    let confirmed = outcomes.get("CONFIRMED").copied().unwrap_or(0) as u64;
    ensure!(
        captured == confirmed,
        "{captured} payments captured for {confirmed} bookings"
    );
    eprintln!(
        "contention: {ATTEMPTS} attempts in {:.1} s ({:.1} bookings/s answered), {outcomes:?}, {} seats sold",
        elapsed.as_secs_f64(),
        ATTEMPTS as f64 / elapsed.as_secs_f64(),
        truth.sold.len()
    );
    every_confirmed_booking_earns(server, "contention", &confirmed_ids)
}

fn sagas_interrupted_by_a_crash_finish_after_restart(server: &DevServer) -> Result<(), Failed> {
    const ATTEMPTS: usize = 40;
    let flight = small_flight(server, "XC301", 6);
    // Half pay with the card that fails twice before it works: those sagas are waiting
    // on their retry alarms (1 s, then 2 s) when the server dies.
    let steady = buyer(server, CardBehaviour::Succeeds);
    let flaky = buyer(server, CardBehaviour::FailsTwiceThenSucceeds);
    let run = format!("crash-{}", nonce());
    std::thread::scope(|scope| {
        for i in 0..ATTEMPTS {
            let (steady, flaky, flight, run) = (&steady, &flaky, &flight, &run);
            scope.spawn(move || {
                let who = if i % 2 == 0 { steady } else { flaky };
                // Requests cut off by the kill below fail; that is the point.
                let _ = book(server, who, flight, 1, &format!("{run}-{i}"));
            });
        }
        std::thread::sleep(Duration::from_millis(1_500));
        server.kill_and_restart().unwrap();
    });

    // What D1 shows right after the restart, before anything asks for the bookings.
    let final_in_d1 = server
        .d1(&format!(
            "SELECT count(*) AS n FROM bookings WHERE details LIKE '%{flight}%' AND status <> 'UNCONFIRMED'"
        ))
        .map_err(Failed::from)?[0]["n"]
        .as_u64()
        .unwrap();
    let mut confirmed = BTreeSet::new();
    let mut confirmed_ids = BTreeSet::new();
    let mut ended: BTreeMap<String, String> = BTreeMap::new();
    let mut found = 0;
    for i in 0..ATTEMPTS {
        let who = if i % 2 == 0 { &steady } else { &flaky };
        let customer = airline_domain::AccountId::trusted(who.account.id.as_str());
        let id = airline_booking::plan::booking_id(&customer, &format!("{run}-{i}")).into_string();
        let body = get_booking(server, who, &id);
        if body["errors"][0]["extensions"]["code"] == "NOT_FOUND" {
            continue; // the request died before its booking started: nothing to finish
        }
        found += 1;
        let booking = final_state(server, who, &id, Duration::from_secs(60))?;
        ended.insert(
            id.clone(),
            booking["status"].as_str().unwrap_or("?").to_owned(),
        );
        if booking["status"] == "CONFIRMED" {
            let seat = booking["flights"][0]["seats"][0]
                .as_str()
                .unwrap()
                .to_owned();
            ensure!(confirmed.insert(seat), "a seat sold twice: {booking}");
            confirmed_ids.insert(id.clone());
        } else {
            ensure!(
                booking["failure"]["code"].is_string(),
                "a cancelled booking says why: {booking}"
            );
        }
    }
    ensure!(
        found > 0,
        "no booking started before the crash; the test proved nothing"
    );
    let truth = seat_counts(server, &flight);
    ensure!(truth.held == 0, "{} seats still held", truth.held);
    ensure!(
        truth.sold == confirmed,
        "sold seats {:?} are the confirmed bookings' seats {:?}",
        truth.sold,
        confirmed
    );
    ensure!(
        truth.available == u64::from(CAPACITY) - confirmed.len() as u64,
        "available {} after {} confirmed",
        truth.available,
        confirmed.len()
    );
    read_model_matches(server, &flight, truth.available)?;
    read_model_converges(server, "crash", &ended)?;
    let captured = server
        .d1(&format!(
            "SELECT count(*) AS n FROM payments WHERE status = 'CAPTURED' AND idempotency_key IN
             (SELECT id FROM bookings WHERE details LIKE '%{flight}%' AND status = 'CONFIRMED')"
        ))
        .map_err(Failed::from)?[0]["n"]
        .as_u64()
        .unwrap();
    ensure!(
        captured == confirmed.len() as u64,
        "{captured} captured payments for {} confirmed bookings",
        confirmed.len()
    );
    let stray = server
        .d1(&format!(
            "SELECT count(*) AS n FROM payments WHERE status IN ('CAPTURED', 'AUTHORIZED') AND idempotency_key IN
             (SELECT id FROM bookings WHERE details LIKE '%{flight}%' AND status = 'CANCELLED')"
        ))
        .map_err(Failed::from)?[0]["n"]
        .as_u64()
        .unwrap();
    ensure!(stray == 0, "{stray} cancelled bookings kept money");
    eprintln!(
        "crash: {found} of {ATTEMPTS} bookings had started; {final_in_d1} were final in D1 just after the restart; {} confirmed in the end",
        confirmed.len()
    );
    every_confirmed_booking_earns(server, "crash", &confirmed_ids)
}
