//! Bookings end to end: seat maps, the booking saga (hold seats, authorize, record,
//! capture, confirm) with every test card, compensation when a step fails, idempotent
//! retries (sequential and concurrent), a lost payment answer, cancellation with refund,
//! input checks, and who may see which booking, over HTTP against wrangler dev with its
//! Durable Objects and local D1, which is inspected directly to check what was really
//! written.
//!
//! One suite, two payment providers: `bookings` runs it with the embedded sandbox,
//! `bookings_stripe` with the real Stripe adapter calling the sandbox's Stripe-compatible
//! API over HTTP. Both keep their payments in the same D1 table, so the same checks hold.
//!
//! Every test books on flights of its own (a day of the seeded JFK-LHR timetable no other
//! test uses), so seat counts can be asserted exactly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use airline_domain::{Currency, Money};
use airline_e2e::{
    booking_input, booking_query, cancel_query, ensure, new_key, passengers, process_booking_query,
    CardBehaviour, Customer, DevServer, Payments, Test, BOOKINGS_LIST,
};
use libtest_mimic::Failed;
use serde_json::{json, Value};

pub const TESTS: &[Test] = airline_e2e::tests![
    one_way_booking_assigns_seats_side_by_side_and_captures,
    round_trip_books_the_chosen_seats_on_both_flights,
    a_seat_already_sold_is_seat_unavailable,
    a_declined_card_cancels_and_releases_the_seats,
    a_transient_card_failure_is_retried_until_confirmed,
    a_failed_capture_voids_the_payment_and_frees_the_seats,
    a_lost_authorization_answer_is_retried_and_charges_once,
    requests_and_saga_steps_are_logged_as_json_lines,
    idempotency_keys_make_retries_safe,
    cancelling_refunds_and_releases_the_seats,
    bad_booking_input_changes_nothing,
    listing_shows_only_your_own_bookings_newest_first,
    a_business_fare_sits_in_business_and_pays_its_fare,
    each_brand_refunds_what_its_fare_was_sold_to_refund,
    a_traveller_moves_their_seats_after_booking,
];

// Days after the seed's first day: one (or two) per test, so no two tests share a flight.
const ONE_WAY_DAY: i64 = 10;
const ROUND_TRIP_DAY: i64 = 11;
const ROUND_TRIP_RETURN_DAY: i64 = 18;
const SEAT_TAKEN_DAY: i64 = 12;
const DECLINE_DAY: i64 = 13;
const TRANSIENT_DAY: i64 = 14;
const CAPTURE_FAILS_DAY: i64 = 15;
const IDEMPOTENCY_DAY: i64 = 16;
const CANCELLATION_DAY: i64 = 17;
const BAD_INPUT_DAY: i64 = 19;
const LISTING_DAY: i64 = 20;
const LOST_ANSWER_DAY: i64 = 21;
const LOGS_DAY: i64 = 22;
const CABIN_DAY: i64 = 24;
const BRAND_DAY: i64 = 25;
const SEAT_CHANGE_DAY: i64 = 26;

const CARD_SUCCEEDS: CardBehaviour = CardBehaviour::Succeeds;
const CARD_DECLINED: CardBehaviour = CardBehaviour::Declined;
const CARD_INSUFFICIENT_FUNDS: CardBehaviour = CardBehaviour::InsufficientFunds;
const CARD_FAILS_TWICE: CardBehaviour = CardBehaviour::FailsTwiceThenSucceeds;
const CARD_CAPTURE_FAILS: CardBehaviour = CardBehaviour::CaptureFails;
const CARD_FIRST_ANSWER_LOST: CardBehaviour = CardBehaviour::FirstAnswerLost;
/// Booking references use these characters only (no 0/O, 1/I/L, 2/Z, 5/S, 8/B, ...).
const REFERENCE_ALPHABET: &str = "ACEFGHKMNPRTWXY34679";

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

fn error_code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("<none>")
}

fn error_field(body: &Value) -> &str {
    body["errors"][0]["extensions"]["field"]
        .as_str()
        .unwrap_or("<none>")
}

/// The bookingId a failed processBooking names.
fn failed_booking_id(body: &Value) -> Result<String, Failed> {
    let id = body["errors"][0]["extensions"]["bookingId"].as_str();
    ensure!(
        id.is_some_and(|id| id.starts_with("bk_")),
        "the error names the booking: {body}"
    );
    ensure!(
        body["data"].is_null() || body["data"]["processBooking"].is_null(),
        "a failed booking has no data: {body}"
    );
    Ok(id.unwrap().to_owned())
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {value}"))
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

fn is_reference(text: &str) -> bool {
    text.len() == 6 && text.chars().all(|c| REFERENCE_ALPHABET.contains(c))
}

/// A flight as search shows it.
#[derive(Debug, Clone)]
pub struct FlightInfo {
    pub id: String,
    fare: i64,
    currency: String,
    seats_available: i64,
    seat_capacity: i64,
}

fn date(server: &DevServer, offset: i64) -> String {
    server.seed_start.plus_days(offset).unwrap().to_string()
}

/// The flights of the seeded timetable from `from` to `to` on the seed's day `offset`.
fn flights_on(server: &DevServer, from: &str, to: &str, offset: i64) -> Vec<FlightInfo> {
    let body = server.graphql(
        "query($from: String!, $to: String!, $date: String!) {
           searchFlights(from: $from, to: $to, date: $date, passengers: 9, sort: DEPARTURE) {
             edges { node { id seatsAvailable seatCapacity fare { amount currency } } }
           }
         }",
        json!({"from": from, "to": to, "date": date(server, offset)}),
    );
    assert!(body["errors"].is_null(), "search failed: {body}");
    body["data"]["searchFlights"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|edge| {
            let node = &edge["node"];
            FlightInfo {
                id: node["id"].as_str().unwrap().to_owned(),
                fare: node["fare"]["amount"].as_i64().unwrap(),
                currency: node["fare"]["currency"].as_str().unwrap().to_owned(),
                seats_available: node["seatsAvailable"].as_i64().unwrap(),
                seat_capacity: node["seatCapacity"].as_i64().unwrap(),
            }
        })
        .collect()
}

/// A JFK-LHR (or the way back) flight on day `offset` with plenty of seats.
pub fn flight(server: &DevServer, from: &str, to: &str, offset: i64) -> Result<FlightInfo, Failed> {
    let flights = flights_on(server, from, to, offset);
    let found = flights.into_iter().max_by_key(|f| f.seats_available);
    ensure!(
        found.as_ref().is_some_and(|f| f.seats_available >= 50),
        "the seed flies {from}-{to} daily with seats to spare (day {offset}): {found:?}"
    );
    Ok(found.unwrap())
}

/// The seat map, as anyone (no token) sees it.
struct SeatMapView {
    available: i64,
    rows: Vec<Value>,
    status: HashMap<String, String>,
}

impl SeatMapView {
    fn status_of(&self, seat: &str) -> &str {
        self.status
            .get(seat)
            .map_or("<no such seat>", String::as_str)
    }

    fn count(&self, status: &str) -> usize {
        self.status
            .values()
            .filter(|s| s.as_str() == status)
            .count()
    }

    /// Free economy seats, front to back, skipping the first `skip_rows` economy rows.
    /// The free seats of a cabin, front to back.
    fn free_in(&self, cabin: &str) -> Vec<String> {
        self.rows
            .iter()
            .filter(|row| row["cabin"] == cabin)
            .flat_map(|row| row["seats"].as_array().unwrap().iter())
            .filter(|seat| seat["status"] == "FREE")
            .map(|seat| seat["id"].as_str().unwrap().to_owned())
            .collect()
    }

    /// The cabin a seat is in.
    fn cabin_of(&self, seat: &str) -> Option<&str> {
        self.rows
            .iter()
            .find(|row| {
                row["seats"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|s| s["id"] == seat)
            })
            .and_then(|row| row["cabin"].as_str())
    }

    fn free_economy(&self, skip_rows: usize) -> Vec<String> {
        self.rows
            .iter()
            .filter(|row| row["cabin"] == "ECONOMY")
            .skip(skip_rows)
            .flat_map(|row| row["seats"].as_array().unwrap().iter())
            .filter(|seat| seat["status"] == "FREE")
            .map(|seat| seat["id"].as_str().unwrap().to_owned())
            .collect()
    }

    fn layout_of_row(&self, number: u64) -> Option<String> {
        self.rows
            .iter()
            .find(|row| row["number"].as_u64() == Some(number))
            .and_then(|row| row["layout"].as_str())
            .map(str::to_owned)
    }
}

fn seat_map(server: &DevServer, flight_id: &str) -> SeatMapView {
    let body = server.graphql(
        "query($id: ID!) { seatMap(flightId: $id) { seatsAvailable rows { number cabin layout seats { id status } } } }",
        json!({"id": flight_id}),
    );
    assert!(body["errors"].is_null(), "seatMap failed: {body}");
    let map = &body["data"]["seatMap"];
    let rows = map["rows"].as_array().unwrap().clone();
    let status = rows
        .iter()
        .flat_map(|row| row["seats"].as_array().unwrap().iter())
        .map(|seat| {
            (
                seat["id"].as_str().unwrap().to_owned(),
                seat["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    SeatMapView {
        available: map["seatsAvailable"].as_i64().unwrap(),
        rows,
        status,
    }
}

/// "12C" -> (12, 'C').
fn split_seat(seat: &str) -> (u64, char) {
    let letter = seat.chars().last().unwrap();
    let row = seat[..seat.len() - 1].parse().unwrap();
    (row, letter)
}

/// Whether `seats` sit side by side: one row, and letters that are a contiguous run of one
/// block of the row's layout (no aisle between them).
fn side_by_side(map: &SeatMapView, seats: &[String]) -> bool {
    let parsed: Vec<(u64, char)> = seats.iter().map(|s| split_seat(s)).collect();
    let row = parsed[0].0;
    if parsed.iter().any(|(r, _)| *r != row) {
        return false;
    }
    let Some(layout) = map.layout_of_row(row) else {
        return false;
    };
    let mut letters: Vec<char> = parsed.iter().map(|(_, l)| *l).collect();
    letters.sort_by_key(|l| layout.find(*l));
    let run: String = letters.into_iter().collect();
    layout.split('|').any(|block| block.contains(&run))
}

/// The search read model's free-seat count for a flight, from D1.
fn d1_seats_available(server: &DevServer, flight_id: &str) -> Result<i64, Failed> {
    let rows = server.d1(&format!(
        "SELECT seats_available FROM flights WHERE id = '{flight_id}'"
    ))?;
    ensure!(rows.len() == 1, "flight {flight_id} in D1: {rows:?}");
    Ok(rows[0]["seats_available"].as_i64().unwrap())
}

/// Waits (up to 20 s) for D1's `flights.seats_available` to read `want`: the inventory
/// object updates it just after each change.
fn await_seats_available(server: &DevServer, flight_id: &str, want: i64) -> Result<(), Failed> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let got = d1_seats_available(server, flight_id)?;
        if got == want {
            return Ok(());
        }
        ensure!(
            Instant::now() < deadline,
            "flights.seats_available of {flight_id} is {got}, want {want}"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// An admin to read any booking's own state with (one per suite: one server per suite).
fn admin(server: &DevServer) -> &'static Customer {
    static ADMIN: std::sync::OnceLock<Customer> = std::sync::OnceLock::new();
    ADMIN.get_or_init(|| Customer::admin(server, "suite-reader"))
}

/// The read model's row of booking `id`, once it has caught up with the booking itself
/// (its copy carries the version the booking's object is at): waits up to 20 s, since
/// copies reach D1 through a queue after the answer. Empty if the booking does not exist.
pub fn d1_booking(server: &DevServer, id: &str) -> Result<Vec<Value>, Failed> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let truth = admin(server).ask(
            server,
            "query($id: ID!) { booking(id: $id) { version } }",
            json!({"id": id}),
        );
        let want = truth["data"]["booking"]["version"].as_i64();
        let rows = server.d1(&format!(
            "SELECT id, customer_id, status, reference, total_amount, total_currency, details, version
             FROM bookings WHERE id = '{id}'"
        ))?;
        let caught_up = match (want, rows.first()) {
            (None, _) => true,
            (Some(want), Some(row)) => row["version"].as_i64() == Some(want),
            (Some(_), None) => false,
        };
        if caught_up {
            return Ok(rows);
        }
        ensure!(
            Instant::now() < deadline,
            "the read model of {id} did not catch up with version {want:?}: {rows:?}\n{}",
            server.log_tail()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// A booking's payments in the read model, once it has caught up with the booking.
fn d1_payments(server: &DevServer, booking_id: &str) -> Result<Vec<Value>, Failed> {
    d1_booking(server, booking_id)?;
    Ok(server.d1(&format!(
        "SELECT id, status, authorize_attempts, amount, currency FROM payments
         WHERE idempotency_key = '{booking_id}'"
    ))?)
}

/// The one sandbox payment of a booking.
fn d1_payment(server: &DevServer, booking_id: &str) -> Result<Value, Failed> {
    let rows = d1_payments(server, booking_id)?;
    ensure!(
        rows.len() == 1,
        "one payment for {booking_id}, got {rows:?}"
    );
    Ok(rows[0].clone())
}

/// How many rows of `table` the read model holds for `customer`.
fn d1_count(server: &DevServer, table: &str, customer: &Customer) -> Result<i64, Failed> {
    let rows = server.d1(&format!(
        "SELECT count(*) AS n FROM {table} WHERE customer_id = '{}'",
        customer.id
    ))?;
    Ok(rows[0]["n"].as_i64().unwrap())
}

/// Polls booking(id) until it has `status` (up to `timeout`); the booking.
fn await_status(
    server: &DevServer,
    customer: &Customer,
    id: &str,
    status: &str,
    timeout: Duration,
) -> Result<Value, Failed> {
    let deadline = Instant::now() + timeout;
    loop {
        let booking = customer.read_booking(server, id)?;
        if booking["status"] == status {
            return Ok(booking);
        }
        ensure!(
            Instant::now() < deadline,
            "booking {id} not {status} after {timeout:?}: {booking}"
        );
        std::thread::sleep(Duration::from_millis(300));
    }
}

/// The seats a booking holds on its `index`-th flight.
fn seats_of(booking: &Value, index: usize) -> Vec<String> {
    strings(&booking["flights"][index]["seats"])
}

/// After a failed booking: CANCELLED with `code`, nothing sold or held on the flight
/// beyond what `before` showed, nothing captured, D1 row CANCELLED without a reference.
fn assert_failed_and_compensated(
    server: &DevServer,
    customer: &Customer,
    body: &Value,
    code: &str,
    flight_id: &str,
    before: &SeatMapView,
    d1_before: i64,
) -> Result<String, Failed> {
    ensure!(error_code(body) == code, "want {code}: {body}");
    let id = failed_booking_id(body)?;
    let booking = customer.read_booking(server, &id)?;
    ensure!(booking["status"] == "CANCELLED", "{booking}");
    ensure!(booking["failure"]["code"] == code, "{booking}");
    ensure!(
        booking["failure"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "a reason for the traveller: {booking}"
    );
    ensure!(booking["reference"].is_null(), "no reference: {booking}");
    ensure!(booking["step"].is_null(), "nothing in progress: {booking}");

    let after = seat_map(server, flight_id);
    ensure!(
        after.available == before.available,
        "seatsAvailable back to {}, got {}",
        before.available,
        after.available
    );
    ensure!(
        after.count("HELD") == before.count("HELD") && after.count("SOLD") == before.count("SOLD"),
        "no seat held or sold for {id}: HELD {} -> {}, SOLD {} -> {}",
        before.count("HELD"),
        after.count("HELD"),
        before.count("SOLD"),
        after.count("SOLD")
    );
    await_seats_available(server, flight_id, d1_before)?;

    let rows = d1_booking(server, &id)?;
    ensure!(rows.len() == 1, "one booking row for {id}: {rows:?}");
    ensure!(rows[0]["status"] == "CANCELLED", "{rows:?}");
    ensure!(rows[0]["reference"].is_null(), "{rows:?}");
    ensure!(rows[0]["customer_id"] == json!(customer.id), "{rows:?}");
    for payment in d1_payments(server, &id)? {
        ensure!(
            payment["status"] != "CAPTURED" && payment["status"] != "AUTHORIZED",
            "nothing charged or left authorized: {payment}"
        );
    }
    Ok(id)
}

// ---------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------

fn one_way_booking_assigns_seats_side_by_side_and_captures(
    server: &DevServer,
) -> Result<(), Failed> {
    let flight = flight(server, "JFK", "LHR", ONE_WAY_DAY)?;
    let d1_before = d1_seats_available(server, &flight.id)?;
    ensure!(
        d1_before == flight.seats_available,
        "search shows D1's count: {flight:?} vs {d1_before}"
    );
    let before = seat_map(server, &flight.id);
    ensure!(
        before.available == flight.seats_available,
        "an untouched flight: seat map {} vs search {}",
        before.available,
        flight.seats_available
    );

    let alice = Customer::sign_up(server, "oneway");
    let card = alice.card(server, CARD_SUCCEEDS);
    let input = booking_input(&flight.id, None, 3, &card, &new_key());
    let booking = alice.book_confirmed(server, &input)?;

    let id = booking["id"].as_str().unwrap().to_owned();
    ensure!(id.starts_with("bk_") && id.len() == 27, "booking id: {id}");
    let reference = booking["reference"].as_str().unwrap_or_default().to_owned();
    ensure!(
        is_reference(&reference),
        "six characters from {REFERENCE_ALPHABET}: {booking}"
    );
    ensure!(booking["failure"].is_null(), "{booking}");
    ensure!(booking["step"].is_null(), "nothing left to do: {booking}");
    ensure!(
        booking["holdExpiresAt"].is_null(),
        "sold seats do not expire: {booking}"
    );
    let firsts: Vec<&str> = booking["passengers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["firstName"].as_str().unwrap())
        .collect();
    ensure!(
        firsts == ["Ada", "Grace", "Alan"],
        "passengers in order: {booking}"
    );
    ensure!(
        booking["flights"].as_array().unwrap().len() == 1,
        "one way: {booking}"
    );
    ensure!(
        booking["flights"][0]["flight"]["id"] == json!(flight.id),
        "{booking}"
    );
    let seats = seats_of(&booking, 0);
    let distinct: HashSet<&String> = seats.iter().collect();
    ensure!(
        seats.len() == 3 && distinct.len() == 3,
        "three distinct seats: {seats:?}"
    );
    ensure!(
        side_by_side(&before, &seats),
        "the party sits side by side (one row, no aisle between): {seats:?}"
    );
    ensure!(
        booking["total"] == json!({"amount": flight.fare * 3, "currency": flight.currency}),
        "three fares of {} {}: {booking}",
        flight.fare,
        flight.currency
    );

    let after = seat_map(server, &flight.id);
    for seat in &seats {
        ensure!(
            after.status_of(seat) == "SOLD",
            "{seat} is sold: {}",
            after.status_of(seat)
        );
        ensure!(
            before.status_of(seat) == "FREE",
            "{seat} was free before: {}",
            before.status_of(seat)
        );
    }
    ensure!(
        after.available == before.available - 3,
        "seat map: {} -> {}",
        before.available,
        after.available
    );
    ensure!(after.count("HELD") == 0, "no seat left merely held");

    let rows = d1_booking(server, &id)?;
    ensure!(rows.len() == 1, "one booking row: {rows:?}");
    let row = &rows[0];
    ensure!(row["status"] == "CONFIRMED", "{row}");
    ensure!(row["reference"] == json!(reference), "{row}");
    ensure!(row["customer_id"] == json!(alice.id), "{row}");
    ensure!(
        row["total_amount"].as_i64() == Some(flight.fare * 3),
        "{row}"
    );
    ensure!(row["total_currency"] == json!(flight.currency), "{row}");
    let details: Value = serde_json::from_str(row["details"].as_str().unwrap_or("null"))?;
    ensure!(details["status"] == "CONFIRMED", "details: {details}");

    let payment = d1_payment(server, &id)?;
    ensure!(payment["status"] == "CAPTURED", "{payment}");
    ensure!(
        payment["amount"].as_i64() == Some(flight.fare * 3),
        "{payment}"
    );
    ensure!(payment["currency"] == json!(flight.currency), "{payment}");
    ensure!(
        payment["authorize_attempts"].as_i64() == Some(1),
        "{payment}"
    );

    await_seats_available(server, &flight.id, d1_before - 3)?;
    let shown = server.graphql(
        "query($id: ID!) { flight(id: $id) { seatsAvailable seatCapacity } }",
        json!({"id": flight.id}),
    );
    ensure!(
        shown["data"]["flight"]["seatsAvailable"].as_i64() == Some(d1_before - 3),
        "flight(id) shows the new count: {shown}"
    );
    ensure!(
        shown["data"]["flight"]["seatCapacity"].as_i64() == Some(flight.seat_capacity),
        "{shown}"
    );

    let again = alice.read_booking(server, &id)?;
    ensure!(
        again["status"] == "CONFIRMED" && again["reference"] == json!(reference),
        "booking(id) reads the same booking: {again}"
    );
    ensure!(seats_of(&again, 0) == seats, "{again}");
    Ok(())
}

fn round_trip_books_the_chosen_seats_on_both_flights(server: &DevServer) -> Result<(), Failed> {
    let outbound = flight(server, "JFK", "LHR", ROUND_TRIP_DAY)?;
    let inbound = flight(server, "LHR", "JFK", ROUND_TRIP_RETURN_DAY)?;
    let out_before = seat_map(server, &outbound.id);
    let in_before = seat_map(server, &inbound.id);
    let out_d1 = d1_seats_available(server, &outbound.id)?;
    let in_d1 = d1_seats_available(server, &inbound.id)?;

    // Seats spread over a row (window, middle, far side), not what auto-assignment picks.
    let pick = |map: &SeatMapView| -> Vec<String> {
        let free = map.free_economy(6);
        vec![free[0].clone(), free[4].clone(), free[8].clone()]
    };
    let out_seats = pick(&out_before);
    let in_seats = pick(&in_before);

    let bob = Customer::sign_up(server, "roundtrip");
    let card = bob.card(server, CARD_SUCCEEDS);
    let mut input = booking_input(&outbound.id, Some(&inbound.id), 3, &card, &new_key());
    input["seats"] = json!({"outbound": out_seats, "return": in_seats});
    input["passengers"][0]["dateOfBirth"] = json!("1990-05-17");
    let booking = bob.book_confirmed(server, &input)?;

    ensure!(
        is_reference(booking["reference"].as_str().unwrap_or_default()),
        "{booking}"
    );
    let flights = booking["flights"].as_array().unwrap();
    ensure!(flights.len() == 2, "outbound and return: {booking}");
    ensure!(
        flights[0]["flight"]["id"] == json!(outbound.id),
        "{booking}"
    );
    ensure!(flights[1]["flight"]["id"] == json!(inbound.id), "{booking}");
    ensure!(
        seats_of(&booking, 0) == out_seats,
        "exactly the chosen outbound seats, in passenger order: {:?} vs {out_seats:?}",
        seats_of(&booking, 0)
    );
    ensure!(
        seats_of(&booking, 1) == in_seats,
        "exactly the chosen return seats: {:?} vs {in_seats:?}",
        seats_of(&booking, 1)
    );
    ensure!(
        booking["passengers"][0]["dateOfBirth"] == "1990-05-17",
        "{booking}"
    );

    // JFK sells in dollars, LHR in pounds: the return leg is converted to the outbound's
    // currency at the reference rates.
    ensure!(
        outbound.currency != inbound.currency,
        "the route prices each way in its own currency: {outbound:?} {inbound:?}"
    );
    let total = &booking["total"];
    ensure!(
        total["currency"] == json!(outbound.currency),
        "priced in the outbound currency: {total}"
    );
    let amount = total["amount"].as_i64().unwrap();
    ensure!(
        amount > outbound.fare * 3,
        "the return adds to the outbound fares: {amount}"
    );
    let out_currency = Currency::parse("currency", &outbound.currency).unwrap();
    let in_currency = Currency::parse("currency", &inbound.currency).unwrap();
    let expected = Money::from_minor(outbound.fare * 3, out_currency)
        .plus(
            Money::from_minor(inbound.fare * 3, in_currency)
                .convert_to(out_currency)
                .unwrap(),
        )
        .unwrap();
    ensure!(
        amount == expected.amount_minor(),
        "3 x {} {} + 3 x {} {} converted = {}, got {amount}",
        outbound.fare,
        outbound.currency,
        inbound.fare,
        inbound.currency,
        expected.amount_minor()
    );

    for (flight, before, seats, d1_before) in [
        (&outbound, &out_before, &out_seats, out_d1),
        (&inbound, &in_before, &in_seats, in_d1),
    ] {
        let after = seat_map(server, &flight.id);
        for seat in seats {
            ensure!(
                after.status_of(seat) == "SOLD",
                "{} {seat}: {}",
                flight.id,
                after.status_of(seat)
            );
        }
        ensure!(
            after.available == before.available - 3,
            "{}: {} -> {}",
            flight.id,
            before.available,
            after.available
        );
        await_seats_available(server, &flight.id, d1_before - 3)?;
    }

    let id = booking["id"].as_str().unwrap();
    let payment = d1_payment(server, id)?;
    ensure!(payment["status"] == "CAPTURED", "{payment}");
    ensure!(payment["amount"].as_i64() == Some(amount), "{payment}");
    ensure!(payment["currency"] == json!(outbound.currency), "{payment}");
    let rows = d1_booking(server, id)?;
    ensure!(
        rows.len() == 1
            && rows[0]["status"] == "CONFIRMED"
            && rows[0]["total_amount"].as_i64() == Some(amount),
        "{rows:?}"
    );
    Ok(())
}

fn a_seat_already_sold_is_seat_unavailable(server: &DevServer) -> Result<(), Failed> {
    let flight = flight(server, "JFK", "LHR", SEAT_TAKEN_DAY)?;
    let free = seat_map(server, &flight.id).free_economy(10);
    let (first, second, third) = (free[0].clone(), free[1].clone(), free[2].clone());

    let owner = Customer::sign_up(server, "firstcome");
    let owner_card = owner.card(server, CARD_SUCCEEDS);
    let mut input = booking_input(&flight.id, None, 2, &owner_card, &new_key());
    input["seats"] = json!({"outbound": [first, second]});
    let sold = owner.book_confirmed(server, &input)?;
    let sold_id = sold["id"].as_str().unwrap().to_owned();

    let before = seat_map(server, &flight.id);
    let d1_before = before.available;
    await_seats_available(server, &flight.id, d1_before)?;

    let late = Customer::sign_up(server, "latecomer");
    let card = late.card(server, CARD_SUCCEEDS);
    let mut input = booking_input(&flight.id, None, 2, &card, &new_key());
    input["seats"] = json!({"outbound": [second, third]});
    let body = late.book(server, &input);
    ensure!(
        body["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains(second.as_str())),
        "the message names the taken seat {second}: {body}"
    );
    let id = assert_failed_and_compensated(
        server,
        &late,
        &body,
        "SEAT_UNAVAILABLE",
        &flight.id,
        &before,
        d1_before,
    )?;
    let payments = d1_payments(server, &id)?;
    ensure!(
        payments.is_empty() || payments.iter().all(|p| p["status"] == "VOIDED"),
        "no payment was taken for a booking that never held its seats: {payments:?}"
    );

    let after = seat_map(server, &flight.id);
    ensure!(
        after.status_of(&second) == "SOLD",
        "still the first buyer's"
    );
    ensure!(
        after.status_of(&third) == "FREE",
        "{third} is not left held: {}",
        after.status_of(&third)
    );
    let first_booking = owner.read_booking(server, &sold_id)?;
    ensure!(
        first_booking["status"] == "CONFIRMED" && seats_of(&first_booking, 0) == [first, second],
        "the first booking keeps its seats: {first_booking}"
    );
    Ok(())
}

fn a_declined_card_cancels_and_releases_the_seats(server: &DevServer) -> Result<(), Failed> {
    let flight = flight(server, "JFK", "LHR", DECLINE_DAY)?;
    let carol = Customer::sign_up(server, "declined");
    for number in [CARD_DECLINED, CARD_INSUFFICIENT_FUNDS] {
        let before = seat_map(server, &flight.id);
        let d1_before = d1_seats_available(server, &flight.id)?;
        let card = carol.card(server, number);
        let body = carol.book(
            server,
            &booking_input(&flight.id, None, 2, &card, &new_key()),
        );
        let id = assert_failed_and_compensated(
            server,
            &carol,
            &body,
            "PAYMENT_DECLINED",
            &flight.id,
            &before,
            d1_before,
        )
        .map_err(|e| format!("card {number:?}: {}", e.message().unwrap_or_default()))?;
        let payment = d1_payment(server, &id)?;
        ensure!(
            payment["status"] == "DECLINED" || payment["status"] == "VOIDED",
            "card {number:?}: {payment}"
        );
        ensure!(
            payment["amount"].as_i64() == Some(flight.fare * 2),
            "{payment}"
        );
    }
    Ok(())
}

/// The provider authorizes but its answer never arrives: the saga retries the step with
/// the same idempotency key, the provider answers from what it already did, and the
/// traveller is charged once.
fn a_lost_authorization_answer_is_retried_and_charges_once(
    server: &DevServer,
) -> Result<(), Failed> {
    let flight = flight(server, "JFK", "LHR", LOST_ANSWER_DAY)?;
    let ivan = Customer::sign_up(server, "lostanswer");
    let card = ivan.card(server, CARD_FIRST_ANSWER_LOST);
    let body = ivan.book(
        server,
        &booking_input(&flight.id, None, 1, &card, &new_key()),
    );
    ensure!(
        body["errors"].is_null(),
        "a lost answer is no error: {body}"
    );
    let id = body["data"]["processBooking"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let confirmed = await_status(server, &ivan, &id, "CONFIRMED", Duration::from_secs(20))?;
    ensure!(confirmed["failure"].is_null(), "{confirmed}");
    let payment = d1_payment(server, &id)?;
    ensure!(
        payment["status"] == "CAPTURED" && payment["authorize_attempts"].as_i64() == Some(1),
        "authorized once and captured, whatever the retry asked: {payment}"
    );
    ensure!(payment["amount"].as_i64() == Some(flight.fare), "{payment}");
    if server.payments == Payments::StripeOverHttp {
        // Over HTTP the retry reached the same PaymentIntent, which Stripe shows captured.
        let intent = server.request(
            "GET",
            &format!("/sandbox/stripe/v1/payment_intents/pi_sandbox_{id}"),
            &[("Authorization", "Bearer sk_test_e2e")],
            b"",
        )?;
        ensure!(
            intent.status == 200 && intent.body.contains("\"status\":\"succeeded\""),
            "one intent, captured: {} {}",
            intent.status,
            intent.body
        );
    }
    Ok(())
}

/// A booking whose authorization fails twice leaves a trail in the logs: the API request
/// (its id is the response's `X-Request-Id`), then each saga step with its outcome and
/// attempt, the first ones tagged with that request id, the retries run by the alarm not.
/// No payment token is ever logged.
fn requests_and_saga_steps_are_logged_as_json_lines(server: &DevServer) -> Result<(), Failed> {
    let flight = flight(server, "JFK", "LHR", LOGS_DAY)?;
    let olga = Customer::sign_up(server, "logged");
    let card = olga.card(server, CARD_FAILS_TWICE);
    let body = json!({
        "query": process_booking_query(),
        "variables": {"input": booking_input(&flight.id, None, 1, &card, &new_key())},
    })
    .to_string();
    let bearer = format!("Bearer {}", olga.token);
    let response = server.request(
        "POST",
        "/graphql",
        &[
            ("Content-Type", "application/json"),
            ("Authorization", &bearer),
        ],
        body.as_bytes(),
    )?;
    let request_id = response
        .header("X-Request-Id")
        .ok_or("the response names its request")?
        .to_owned();
    let answer: Value = serde_json::from_str(&response.body).unwrap();
    let id = answer["data"]["processBooking"]["id"]
        .as_str()
        .ok_or_else(|| format!("a booking: {answer}"))?
        .to_owned();
    await_status(server, &olga, &id, "CONFIRMED", Duration::from_secs(20))?;

    let deadline = Instant::now() + Duration::from_secs(10);
    let steps = loop {
        let steps: Vec<Value> = server
            .structured_logs("saga_step")
            .into_iter()
            .filter(|line| line["booking_id"] == id.as_str())
            .collect();
        let confirmed = steps
            .iter()
            .any(|line| line["step"] == "CONFIRM_BOOKING" && line["outcome"] == "done");
        if confirmed || Instant::now() > deadline {
            break steps;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let trail: Vec<String> = steps
        .iter()
        .map(|line| {
            let text = |field: &str| line[field].as_str().unwrap_or("?").to_owned();
            format!("{}:{}:{}", text("step"), text("outcome"), line["attempt"])
        })
        .collect();
    let authorizations: Vec<&str> = trail
        .iter()
        .filter(|entry| entry.starts_with("AUTHORIZE_PAYMENT"))
        .map(String::as_str)
        .collect();
    ensure!(
        authorizations
            == [
                "AUTHORIZE_PAYMENT:transient:1",
                "AUTHORIZE_PAYMENT:transient:2",
                "AUTHORIZE_PAYMENT:done:3"
            ],
        "each attempt logged with its outcome: {trail:?}"
    );
    ensure!(
        trail.first().map(String::as_str) == Some("HOLD_SEATS:done:1")
            && trail.iter().any(|entry| entry == "CONFIRM_BOOKING:done:1"),
        "{trail:?}"
    );
    ensure!(
        steps[0]["request_id"] == request_id.as_str(),
        "the first step names the request that drove it ({request_id}): {}",
        steps[0]
    );
    ensure!(
        steps.iter().any(|line| line.get("request_id").is_none()),
        "retries run by the alarm have no request: {steps:?}"
    );
    ensure!(
        steps
            .iter()
            .all(|line| line["duration_ms"].as_i64().is_some_and(|ms| ms >= 0)),
        "{steps:?}"
    );
    let requests = server.structured_logs("request");
    let request = requests
        .iter()
        .find(|line| line["request_id"] == request_id.as_str())
        .ok_or_else(|| format!("a request line for {request_id}"))?;
    ensure!(
        request["method"] == "POST" && request["path"] == "/graphql" && request["status"] == 200,
        "{request}"
    );
    ensure!(
        !server.log_lines().iter().any(|line| line.contains(&card)),
        "the payment token {card} is never logged"
    );
    Ok(())
}

fn a_transient_card_failure_is_retried_until_confirmed(server: &DevServer) -> Result<(), Failed> {
    let flight = flight(server, "JFK", "LHR", TRANSIENT_DAY)?;
    let d1_before = d1_seats_available(server, &flight.id)?;
    let before = seat_map(server, &flight.id);
    let dave = Customer::sign_up(server, "transient");
    let card = dave.card(server, CARD_FAILS_TWICE);

    let started = Instant::now();
    let body = dave.book(
        server,
        &booking_input(&flight.id, None, 2, &card, &new_key()),
    );
    ensure!(
        body["errors"].is_null(),
        "a transient failure is no error: {body}"
    );
    let first = body["data"]["processBooking"].clone();
    let id = first["id"].as_str().unwrap().to_owned();
    match first["status"].as_str() {
        Some("UNCONFIRMED") => {
            ensure!(
                first["step"] == "AUTHORIZE_PAYMENT",
                "waiting to retry the authorization: {first}"
            );
            ensure!(first["reference"].is_null(), "{first}");
            ensure!(first["failure"].is_null(), "{first}");
            ensure!(
                first["holdExpiresAt"].is_string(),
                "the seats are held meanwhile: {first}"
            );
            let held = seats_of(&first, 0);
            ensure!(held.len() == 2, "{first}");
            let map = seat_map(server, &flight.id);
            for seat in &held {
                ensure!(
                    map.status_of(seat) == "HELD" || map.status_of(seat) == "SOLD",
                    "{seat} is held for the booking: {}",
                    map.status_of(seat)
                );
            }
        }
        Some("CONFIRMED") => {}
        _ => return Err(format!("unexpected first answer: {first}").into()),
    }

    let confirmed = await_status(server, &dave, &id, "CONFIRMED", Duration::from_secs(20))?;
    let waited = started.elapsed();
    ensure!(
        waited >= Duration::from_secs(2),
        "two retries back off 1 s then 2 s; confirmed after only {waited:?}"
    );
    ensure!(
        is_reference(confirmed["reference"].as_str().unwrap_or_default()),
        "{confirmed}"
    );
    ensure!(confirmed["failure"].is_null(), "{confirmed}");
    ensure!(confirmed["holdExpiresAt"].is_null(), "{confirmed}");
    let seats = seats_of(&confirmed, 0);
    let after = seat_map(server, &flight.id);
    for seat in &seats {
        ensure!(after.status_of(seat) == "SOLD", "{seat}");
    }
    ensure!(after.available == before.available - 2, "seats taken once");

    let payment = d1_payment(server, &id)?;
    ensure!(
        payment["authorize_attempts"].as_i64() == Some(3),
        "two transient failures, then success: {payment}"
    );
    ensure!(payment["status"] == "CAPTURED", "{payment}");
    let rows = d1_booking(server, &id)?;
    ensure!(
        rows.len() == 1
            && rows[0]["status"] == "CONFIRMED"
            && rows[0]["reference"] == confirmed["reference"],
        "{rows:?}"
    );
    await_seats_available(server, &flight.id, d1_before - 2)?;
    Ok(())
}

fn a_failed_capture_voids_the_payment_and_frees_the_seats(
    server: &DevServer,
) -> Result<(), Failed> {
    let flight = flight(server, "JFK", "LHR", CAPTURE_FAILS_DAY)?;
    let before = seat_map(server, &flight.id);
    let d1_before = d1_seats_available(server, &flight.id)?;
    let erin = Customer::sign_up(server, "capture");
    let card = erin.card(server, CARD_CAPTURE_FAILS);
    let body = erin.book(
        server,
        &booking_input(&flight.id, None, 3, &card, &new_key()),
    );
    let id = assert_failed_and_compensated(
        server,
        &erin,
        &body,
        "PAYMENT_FAILED",
        &flight.id,
        &before,
        d1_before,
    )?;
    let payment = d1_payment(server, &id)?;
    ensure!(
        payment["status"] == "VOIDED",
        "the authorization is voided: {payment}"
    );
    ensure!(
        payment["amount"].as_i64() == Some(flight.fare * 3),
        "{payment}"
    );
    Ok(())
}

fn idempotency_keys_make_retries_safe(server: &DevServer) -> Result<(), Failed> {
    let flight = flight(server, "JFK", "LHR", IDEMPOTENCY_DAY)?;
    let start = seat_map(server, &flight.id);
    let frank = Customer::sign_up(server, "retry");
    let card = frank.card(server, CARD_SUCCEEDS);

    // Sequential: the same request twice is the same booking, paid once.
    let key = new_key();
    let input = booking_input(&flight.id, None, 2, &card, &key);
    let first = frank.book_confirmed(server, &input)?;
    let second = frank.book_confirmed(server, &input)?;
    let id = first["id"].as_str().unwrap().to_owned();
    ensure!(
        second["id"] == first["id"],
        "same key, same booking: {second}"
    );
    ensure!(
        second["reference"] == first["reference"] && seats_of(&second, 0) == seats_of(&first, 0),
        "the replay shows the same booking: {first} vs {second}"
    );
    ensure!(
        seat_map(server, &flight.id).available == start.available - 2,
        "seats taken once"
    );
    ensure!(d1_booking(server, &id)?.len() == 1, "one booking row");
    let payment = d1_payment(server, &id)?;
    ensure!(
        payment["status"] == "CAPTURED" && payment["authorize_attempts"].as_i64() == Some(1),
        "charged once: {payment}"
    );

    // The same key with another request is a conflict, not a silent replay.
    let mut changed = input.clone();
    changed["passengers"][1]["firstName"] = json!("Augusta");
    let conflict = frank.book(server, &changed);
    ensure!(error_code(&conflict) == "CONFLICT", "{conflict}");
    let unchanged = frank.read_booking(server, &id)?;
    ensure!(
        unchanged["passengers"][1]["firstName"] == "Grace" && unchanged["status"] == "CONFIRMED",
        "the booking is untouched: {unchanged}"
    );

    // Another customer's key never reaches this booking.
    let grace = Customer::sign_up(server, "samekey");
    let grace_card = grace.card(server, CARD_SUCCEEDS);
    let theirs = grace.book_confirmed(
        server,
        &booking_input(&flight.id, None, 1, &grace_card, &key),
    )?;
    ensure!(
        theirs["id"] != first["id"],
        "keys of different customers never meet: {theirs}"
    );

    // Concurrent: eight clients send one request at once; one booking, one payment.
    let before = seat_map(server, &flight.id);
    let bookings_before = d1_count(server, "bookings", &frank)?;
    let payments_before = d1_count(server, "payments", &frank)?;
    let input = booking_input(&flight.id, None, 2, &card, &new_key());
    let request =
        json!({"query": process_booking_query(), "variables": {"input": input}}).to_string();
    let bearer = format!("Bearer {}", frank.token);
    let answers: Vec<Result<Value, String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|_| {
                scope.spawn(|| {
                    let response = server.request(
                        "POST",
                        "/graphql",
                        &[
                            ("Content-Type", "application/json"),
                            ("Authorization", bearer.as_str()),
                        ],
                        request.as_bytes(),
                    )?;
                    if response.status != 200 {
                        return Err(format!("HTTP {}: {}", response.status, response.body));
                    }
                    serde_json::from_str::<Value>(&response.body)
                        .map_err(|e| format!("{e}: {}", response.body))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err("thread panicked".into())))
            .collect()
    });
    let mut ids = HashSet::new();
    for answer in &answers {
        let body = answer.as_ref().map_err(Clone::clone)?;
        ensure!(
            body["errors"].is_null(),
            "every duplicate is answered: {body}"
        );
        let booking = &body["data"]["processBooking"];
        ensure!(
            booking["status"] == "CONFIRMED" || booking["status"] == "UNCONFIRMED",
            "{booking}"
        );
        ids.insert(booking["id"].as_str().unwrap_or_default().to_owned());
    }
    ensure!(ids.len() == 1, "all answers carry one booking id: {ids:?}");
    let id = ids.into_iter().next().unwrap();
    let booking = await_status(server, &frank, &id, "CONFIRMED", Duration::from_secs(20))?;
    ensure!(seats_of(&booking, 0).len() == 2, "{booking}");

    ensure!(
        d1_booking(server, &id)?.len() == 1
            && d1_count(server, "bookings", &frank)? == bookings_before + 1,
        "exactly one booking row"
    );
    let payments = d1_payments(server, &id)?;
    ensure!(
        payments.len() == 1 && d1_count(server, "payments", &frank)? == payments_before + 1,
        "exactly one payment row: {payments:?}"
    );
    ensure!(
        payments[0]["status"] == "CAPTURED"
            && payments[0]["authorize_attempts"].as_i64() == Some(1),
        "authorized and captured once: {payments:?}"
    );
    let after = seat_map(server, &flight.id);
    ensure!(
        after.available == before.available - 2 && after.count("SOLD") == before.count("SOLD") + 2,
        "seats taken once: available {} -> {}, sold {} -> {}",
        before.available,
        after.available,
        before.count("SOLD"),
        after.count("SOLD")
    );
    ensure!(after.count("HELD") == 0, "no stray holds");
    // 2 + 1 + 2 seats sold on this flight in all.
    await_seats_available(server, &flight.id, start.available - 5)?;
    Ok(())
}

fn cancelling_refunds_and_releases_the_seats(server: &DevServer) -> Result<(), Failed> {
    let flight = flight(server, "JFK", "LHR", CANCELLATION_DAY)?;
    let before = seat_map(server, &flight.id);
    let d1_before = d1_seats_available(server, &flight.id)?;
    let heidi = Customer::sign_up(server, "cancels");
    let card = heidi.card(server, CARD_SUCCEEDS);
    let booking = heidi.book_confirmed(
        server,
        &booking_input(&flight.id, None, 2, &card, &new_key()),
    )?;
    let id = booking["id"].as_str().unwrap().to_owned();
    let seats = seats_of(&booking, 0);
    await_seats_available(server, &flight.id, d1_before - 2)?;

    // Someone else cannot cancel it, nor tell that it exists.
    let ivan = Customer::sign_up(server, "intruder");
    let foreign = ivan.cancel(server, &id);
    ensure!(error_code(&foreign) == "NOT_FOUND", "{foreign}");
    let anonymous = server.graphql_as(None, &cancel_query(), json!({"id": id}));
    ensure!(error_code(&anonymous) == "UNAUTHENTICATED", "{anonymous}");
    let still = heidi.read_booking(server, &id)?;
    ensure!(still["status"] == "CONFIRMED", "untouched: {still}");
    ensure!(
        d1_payment(server, &id)?["status"] == "CAPTURED",
        "still paid"
    );

    let body = heidi.cancel(server, &id);
    ensure!(body["errors"].is_null(), "{body}");
    let cancelled = &body["data"]["cancelBooking"];
    ensure!(cancelled["id"] == json!(id), "{cancelled}");
    ensure!(cancelled["status"] == "CANCELLED", "{cancelled}");
    ensure!(
        cancelled["failure"]["code"] == "CANCELLED_BY_CUSTOMER",
        "{cancelled}"
    );
    let read = heidi.read_booking(server, &id)?;
    ensure!(
        read["status"] == "CANCELLED" && read["failure"]["code"] == "CANCELLED_BY_CUSTOMER",
        "{read}"
    );

    let payment = d1_payment(server, &id)?;
    ensure!(payment["status"] == "REFUNDED", "{payment}");
    let after = seat_map(server, &flight.id);
    for seat in &seats {
        ensure!(
            after.status_of(seat) == "FREE",
            "{seat} is for sale again: {}",
            after.status_of(seat)
        );
    }
    ensure!(
        after.available == before.available,
        "seat map back to {}: {}",
        before.available,
        after.available
    );
    await_seats_available(server, &flight.id, d1_before)?;
    let rows = d1_booking(server, &id)?;
    ensure!(
        rows.len() == 1 && rows[0]["status"] == "CANCELLED",
        "{rows:?}"
    );

    let twice = heidi.cancel(server, &id);
    ensure!(error_code(&twice) == "CONFLICT", "{twice}");
    ensure!(
        d1_payment(server, &id)?["status"] == "REFUNDED",
        "refunded once"
    );
    Ok(())
}

fn bad_booking_input_changes_nothing(server: &DevServer) -> Result<(), Failed> {
    let outbound = flight(server, "JFK", "LHR", BAD_INPUT_DAY)?;
    // The same day's flights back leave before the outbound flight has even landed.
    let too_soon = flight(server, "LHR", "JFK", BAD_INPUT_DAY)?;
    let judy = Customer::sign_up(server, "careless");
    let card = judy.card(server, CARD_SUCCEEDS);
    let mallory = Customer::sign_up(server, "cardowner");
    let foreign_card = mallory.card(server, CARD_SUCCEEDS);
    // Sandbox tokens belong to the customer who made them; Stripe test PaymentMethods
    // are anyone's, so with Stripe that case is an ordinary booking.
    let tokens_are_owned = server.payments == Payments::Sandbox;

    let d1_seats = d1_seats_available(server, &outbound.id)?;
    let map_before = seat_map(server, &outbound.id);
    let business_seat = map_before.free_in("BUSINESS")[0].clone();
    let economy_seat = map_before.free_in("ECONOMY")[0].clone();

    let key = new_key();
    let ok = booking_input(&outbound.id, None, 1, &card, &key);
    let with = |patch: Value| {
        let mut input = ok.clone();
        for (name, value) in patch.as_object().unwrap() {
            input[name] = value.clone();
        }
        input
    };
    let unknown_flight = format!("EA9999-{}", date(server, BAD_INPUT_DAY).replace('-', ""));
    let mut cases = vec![
        (
            "no passengers",
            with(json!({"passengers": []})),
            "BAD_USER_INPUT",
            "passengers",
        ),
        (
            "ten passengers",
            with(json!({"passengers": passengers(10)})),
            "BAD_USER_INPUT",
            "passengers",
        ),
        (
            "short idempotency key",
            with(json!({"idempotencyKey": "short"})),
            "BAD_USER_INPUT",
            "idempotencyKey",
        ),
        (
            "idempotency key with a space",
            with(json!({"idempotencyKey": "has a space in it"})),
            "BAD_USER_INPUT",
            "idempotencyKey",
        ),
        (
            "unknown flight",
            with(json!({"outboundFlightId": unknown_flight})),
            "NOT_FOUND",
            "<none>",
        ),
        (
            "malformed flight id",
            with(json!({"outboundFlightId": "not-a-flight"})),
            "BAD_USER_INPUT",
            "outboundFlightId",
        ),
        (
            "seat 99Z",
            with(json!({"seats": {"outbound": ["99Z"]}})),
            "BAD_USER_INPUT",
            "seats.outbound",
        ),
        (
            "a seat per passenger",
            with(json!({"seats": {"outbound": ["20A", "20B"]}})),
            "BAD_USER_INPUT",
            "seats.outbound",
        ),
        (
            "made-up payment token",
            with(json!({"paymentToken": "tok_0000000000000000"})),
            "BAD_USER_INPUT",
            "paymentToken",
        ),
        (
            "bad passenger name",
            with(json!({"passengers": [{"firstName": "R2-D2", "lastName": "Droid"}]})),
            "BAD_USER_INPUT",
            "passengers.firstName",
        ),
        (
            "return before the outbound lands",
            with(json!({"returnFlightId": too_soon.id})),
            "BAD_USER_INPUT",
            "returnFlightId",
        ),
        (
            "return on the same direction",
            with(json!({"returnFlightId": outbound.id})),
            "BAD_USER_INPUT",
            "returnFlightId",
        ),
        (
            "return seats without a return flight",
            with(json!({"seats": {"return": ["20A"]}})),
            "BAD_USER_INPUT",
            "seats.return",
        ),
        (
            "a Business seat on an Economy fare",
            with(json!({"seats": {"outbound": [business_seat]}})),
            "BAD_USER_INPUT",
            "seats.outbound",
        ),
        (
            "an Economy seat on a Business fare",
            with(json!({"outboundCabin": "BUSINESS", "seats": {"outbound": [economy_seat]}})),
            "BAD_USER_INPUT",
            "seats.outbound",
        ),
        (
            "a cabin no one sells",
            with(json!({"outboundCabin": "FIRST"})),
            "GRAPHQL_VALIDATION_FAILED",
            "<none>",
        ),
    ];
    if tokens_are_owned {
        cases.push((
            "another customer's payment token",
            with(json!({"paymentToken": foreign_card})),
            "BAD_USER_INPUT",
            "paymentToken",
        ));
        // A sandbox token names its card's behaviour; a name alone is not a card.
        cases.push((
            "a made-up token spelled like a real one",
            with(json!({"paymentToken": "tok_succeeds_0123456789abcdef0123456789abcdef"})),
            "BAD_USER_INPUT",
            "paymentToken",
        ));
    }
    let mut failures = Vec::new();
    for (what, input, code, field) in &cases {
        let body = judy.book(server, input);
        if error_code(&body) != *code || error_field(&body) != *field {
            failures.push(format!("{what}: want {code}/{field}, got {body}"));
        }
    }
    let anonymous = server.graphql_as(None, &process_booking_query(), json!({"input": ok}));
    if error_code(&anonymous) != "UNAUTHENTICATED" {
        failures.push(format!("anonymous: want UNAUTHENTICATED, got {anonymous}"));
    }
    let nonsense = judy.booking(server, "not-a-booking");
    if error_code(&nonsense) != "NOT_FOUND" {
        failures.push(format!(
            "booking(not-a-booking): want NOT_FOUND, got {nonsense}"
        ));
    }
    ensure!(failures.is_empty(), "{}", failures.join("\n"));

    let map_after = seat_map(server, &outbound.id);
    ensure!(
        map_after.available == map_before.available && map_after.count("HELD") == 0,
        "no seat held: {} -> {}",
        map_before.available,
        map_after.available
    );
    ensure!(
        d1_seats_available(server, &outbound.id)? == d1_seats,
        "the search count is unchanged"
    );
    // The key was never used: the valid request still makes a new booking with it.
    let booking = judy.book_confirmed(server, &ok)?;
    ensure!(
        booking["passengers"].as_array().map(Vec::len) == Some(1),
        "{booking}"
    );
    // Bad requests are refused before any booking object exists, so no copy of them can
    // arrive later; once the valid booking's copy is in, that booking is all there is.
    d1_booking(server, booking["id"].as_str().unwrap())?;
    for (who, bookings) in [(&judy, 1), (&mallory, 0)] {
        ensure!(
            d1_count(server, "bookings", who)? == bookings,
            "no booking row written for {}",
            who.id
        );
        ensure!(
            d1_count(server, "payments", who)? == bookings,
            "no payment row written for {}",
            who.id
        );
    }
    Ok(())
}

fn listing_shows_only_your_own_bookings_newest_first(server: &DevServer) -> Result<(), Failed> {
    let flight = flight(server, "JFK", "LHR", LISTING_DAY)?;
    let kim = Customer::sign_up(server, "lister");
    let good = kim.card(server, CARD_SUCCEEDS);
    let bad = kim.card(server, CARD_DECLINED);
    // A second apart: bookings are ordered by their creation time (to the second).
    let pause = || std::thread::sleep(Duration::from_millis(1_100));
    let oldest = kim.book_confirmed(
        server,
        &booking_input(&flight.id, None, 1, &good, &new_key()),
    )?;
    pause();
    let declined = kim.book(
        server,
        &booking_input(&flight.id, None, 1, &bad, &new_key()),
    );
    ensure!(error_code(&declined) == "PAYMENT_DECLINED", "{declined}");
    let declined_id = failed_booking_id(&declined)?;
    pause();
    let newest = kim.book_confirmed(
        server,
        &booking_input(&flight.id, None, 2, &good, &new_key()),
    )?;
    let oldest_id = oldest["id"].as_str().unwrap().to_owned();
    let newest_id = newest["id"].as_str().unwrap().to_owned();

    let leo = Customer::sign_up(server, "neighbour");
    let leo_card = leo.card(server, CARD_SUCCEEDS);
    let theirs = leo.book_confirmed(
        server,
        &booking_input(&flight.id, None, 1, &leo_card, &new_key()),
    )?;
    let theirs_id = theirs["id"].as_str().unwrap().to_owned();
    // Named as recent, the newest is listed at once, before its copy reaches the list.
    let at_once = kim.ask(
        server,
        "query($recent: [ID!]) { bookings(first: 1, recent: $recent) { edges { node { id status } } } }",
        json!({"recent": [newest_id]}),
    );
    ensure!(
        at_once["data"]["bookings"]["edges"][0]["node"]["id"] == newest_id.as_str()
            && at_once["data"]["bookings"]["edges"][0]["node"]["status"] == "CONFIRMED",
        "a booking named as recent is listed at once: {at_once}"
    );
    // The rest of this test reads the list alone: once the copies are in.
    for id in [&oldest_id, &declined_id, &newest_id, &theirs_id] {
        d1_booking(server, id)?;
    }

    let ids = |body: &Value| -> Vec<String> {
        body["data"]["bookings"]["edges"]
            .as_array()
            .map(|edges| {
                edges
                    .iter()
                    .map(|e| e["node"]["id"].as_str().unwrap_or_default().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    };

    let confirmed = kim.list(server, json!({"status": "CONFIRMED"}));
    ensure!(confirmed["errors"].is_null(), "{confirmed}");
    ensure!(
        ids(&confirmed) == [newest_id.clone(), oldest_id.clone()],
        "own confirmed bookings, newest first: {confirmed}"
    );
    ensure!(
        confirmed["data"]["bookings"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["node"]["status"] == "CONFIRMED"),
        "{confirmed}"
    );
    ensure!(
        confirmed["data"]["bookings"]["pageInfo"]["hasNextPage"] == false,
        "{confirmed}"
    );
    let cancelled = kim.list(server, json!({"status": "CANCELLED"}));
    ensure!(
        ids(&cancelled) == [declined_id.clone()],
        "the declined booking is listed as cancelled: {cancelled}"
    );
    let all = kim.list(server, json!({}));
    let everything = [newest_id.clone(), declined_id.clone(), oldest_id.clone()];
    ensure!(ids(&all) == everything, "all of them, newest first: {all}");

    // One at a time, following the cursor, gives the same list.
    let mut paged = Vec::new();
    let mut after = Value::Null;
    for page_number in 0..5 {
        let page = kim.list(server, json!({"first": 1, "after": after}));
        ensure!(page["errors"].is_null(), "page {page_number}: {page}");
        paged.extend(ids(&page));
        let info = &page["data"]["bookings"]["pageInfo"];
        if info["hasNextPage"] != true {
            break;
        }
        after = info["endCursor"].clone();
    }
    ensure!(paged == everything, "paged {paged:?}");

    let leos = leo.list(server, json!({"status": "CONFIRMED"}));
    ensure!(
        ids(&leos) == [theirs_id.clone()],
        "only their own booking: {leos}"
    );
    let peek = leo.booking(server, &oldest_id);
    ensure!(error_code(&peek) == "NOT_FOUND", "{peek}");
    let peek_list = leo.list(server, json!({"customer": kim.id}));
    ensure!(error_code(&peek_list) == "NOT_FOUND", "{peek_list}");
    let back = kim.booking(server, &theirs_id);
    ensure!(error_code(&back) == "NOT_FOUND", "{back}");

    let anonymous = server.graphql_as(None, BOOKINGS_LIST, json!({"status": "CONFIRMED"}));
    ensure!(error_code(&anonymous) == "UNAUTHENTICATED", "{anonymous}");
    let anonymous_one = server.graphql_as(None, &booking_query(), json!({"id": oldest_id}));
    ensure!(
        error_code(&anonymous_one) == "UNAUTHENTICATED",
        "{anonymous_one}"
    );
    let too_many = kim.list(server, json!({"first": 51}));
    ensure!(
        error_code(&too_many) == "BAD_USER_INPUT" && error_field(&too_many) == "first",
        "{too_many}"
    );
    Ok(())
}

fn a_business_fare_sits_in_business_and_pays_its_fare(server: &DevServer) -> Result<(), Failed> {
    let flight = flight(server, "JFK", "LHR", CABIN_DAY)?;
    let offered = server.graphql(
        "query($id: ID!) { flight(id: $id) { cabins { cabin fare { amount currency } } } }",
        json!({"id": flight.id}),
    );
    ensure!(offered["errors"].is_null(), "{offered}");
    let cabins = &offered["data"]["flight"]["cabins"];
    ensure!(
        *cabins
            == json!([
                {"cabin": "ECONOMY", "fare": {"amount": flight.fare, "currency": flight.currency}},
                {"cabin": "BUSINESS", "fare": {"amount": 3 * flight.fare, "currency": flight.currency}},
            ]),
        "Economy at the flight's fare, Business at three times it: {cabins}"
    );

    let before = seat_map(server, &flight.id);
    let business_free = before.free_in("BUSINESS").len();
    let economy_free = before.free_in("ECONOMY").len();
    let grace = Customer::sign_up(server, "business");
    let card = grace.card(server, CARD_SUCCEEDS);
    let mut input = booking_input(&flight.id, None, 2, &card, &new_key());
    input["outboundCabin"] = json!("BUSINESS");
    let booking = grace.book_confirmed(server, &input)?;

    // Assigned side by side, in Business, whatever Economy has free.
    let seats = seats_of(&booking, 0);
    let after = seat_map(server, &flight.id);
    ensure!(
        seats
            .iter()
            .all(|seat| after.cabin_of(seat) == Some("BUSINESS")),
        "both seats in Business: {seats:?}"
    );
    ensure!(side_by_side(&after, &seats), "side by side: {seats:?}");
    ensure!(
        after.free_in("BUSINESS").len() == business_free - 2
            && after.free_in("ECONOMY").len() == economy_free,
        "two Business seats sold, no Economy seat touched"
    );
    ensure!(
        booking["flights"][0]["cabin"] == "BUSINESS",
        "the booking says what the fare bought: {booking}"
    );

    // The money: two Business fares, captured once and in full.
    let total = &booking["total"];
    ensure!(
        *total == json!({"amount": 2 * 3 * flight.fare, "currency": flight.currency}),
        "two Business fares: {total}"
    );
    let id = booking["id"].as_str().unwrap();
    let payment = d1_payment(server, id)?;
    ensure!(
        payment["status"] == "CAPTURED" && payment["amount"] == json!(2 * 3 * flight.fare),
        "captured what the booking costs: {payment}"
    );
    let read = grace.read_booking(server, id)?;
    ensure!(read["flights"][0]["cabin"] == "BUSINESS", "{read}");
    Ok(())
}

/// Light, Standard and Flex on one flight: each priced as `Flight.fares` offers it, the
/// conditions stored on the booking, the refund quoted before cancelling, and exactly that
/// refunded. Per booking, what was captured less what was refunded is what the traveller
/// owes: nothing for Flex, the fee for Standard, the whole fare for Light.
fn each_brand_refunds_what_its_fare_was_sold_to_refund(server: &DevServer) -> Result<(), Failed> {
    let flight = flight(server, "JFK", "LHR", BRAND_DAY)?;
    let offered = server.graphql(
        "query($id: ID!) { flight(id: $id) { fares { cabin brand fare { amount currency }
           conditions { checkedBags
             refundBeforeDeparture { allowed penalty { amount } }
             changeBeforeDeparture { allowed penalty { amount } } } } } }",
        json!({"id": flight.id}),
    );
    ensure!(offered["errors"].is_null(), "{offered}");
    let fares = offered["data"]["flight"]["fares"]
        .as_array()
        .unwrap()
        .clone();
    let economy: Vec<&Value> = fares.iter().filter(|f| f["cabin"] == "ECONOMY").collect();
    let brands: Vec<&str> = economy
        .iter()
        .map(|f| f["brand"].as_str().unwrap())
        .collect();
    ensure!(
        brands == ["LIGHT", "STANDARD", "FLEX"],
        "cheapest first: {brands:?}"
    );
    ensure!(
        fares.len() == 6,
        "three brands in each of two cabins: {fares:?}"
    );
    let fare_of = |brand: &str| {
        economy
            .iter()
            .find(|f| f["brand"] == brand)
            .map(|f| f["fare"]["amount"].as_i64().unwrap())
            .unwrap()
    };
    ensure!(fare_of("FLEX") == flight.fare, "Flex is the flight's fare");
    ensure!(
        fare_of("LIGHT") < fare_of("STANDARD") && fare_of("STANDARD") < fare_of("FLEX"),
        "{economy:?}"
    );
    let light = economy[0];
    ensure!(
        light["conditions"]["checkedBags"] == 0
            && light["conditions"]["refundBeforeDeparture"]
                == json!({"allowed": false, "penalty": null}),
        "Light: no bag, no refund: {light}"
    );
    let standard_fee = economy[1]["conditions"]["refundBeforeDeparture"]["penalty"]["amount"]
        .as_i64()
        .unwrap();
    ensure!(
        standard_fee > 0 && standard_fee < fare_of("STANDARD"),
        "Standard refunds less a fee: {}",
        economy[1]
    );

    let olga = Customer::sign_up(server, "brands");
    let card = olga.card(server, CARD_SUCCEEDS);
    for (brand, refunded, payment_status) in [
        ("LIGHT", 0, "RETAINED"),
        ("STANDARD", fare_of("STANDARD") - standard_fee, "REFUNDED"),
        ("FLEX", fare_of("FLEX"), "REFUNDED"),
    ] {
        let mut input = booking_input(&flight.id, None, 1, &card, &new_key());
        input["outboundBrand"] = json!(brand);
        let booking = olga.book_confirmed(server, &input)?;
        let id = booking["id"].as_str().unwrap().to_owned();
        let read = server.graphql_as(
            Some(&olga.token),
            "query($id: ID!) { booking(id: $id) { total { amount }
               flights { brand conditions { checkedBags refundBeforeDeparture { allowed } } }
               cancellable { allowed refund { amount currency } } } }",
            json!({"id": id}),
        );
        let read = &read["data"]["booking"];
        ensure!(
            read["total"]["amount"] == fare_of(brand) && read["flights"][0]["brand"] == brand,
            "{brand} sold at its fare: {read}"
        );
        ensure!(
            read["cancellable"]["refund"]
                == json!({"amount": refunded, "currency": flight.currency}),
            "{brand}: the refund is quoted before cancelling: {read}"
        );

        let cancelled = olga.cancel(server, &id);
        ensure!(cancelled["errors"].is_null(), "{cancelled}");
        let money = server.graphql_as(
            Some(&olga.token),
            "query($id: ID!) { booking(id: $id) { status captured { amount } refunded { amount }
               amountPaid { amount } cancellable { allowed refund { amount } } } }",
            json!({"id": id}),
        );
        let money = &money["data"]["booking"];
        ensure!(money["status"] == "CANCELLED", "{brand}: {money}");
        let captured = money["captured"]["amount"].as_i64().unwrap();
        let refunded_now = money["refunded"]["amount"].as_i64().unwrap();
        ensure!(
            captured == fare_of(brand) && refunded_now == refunded,
            "{brand}: captured the fare, refunded {refunded}: {money}"
        );
        ensure!(
            money["amountPaid"]["amount"] == json!(captured - refunded_now),
            "{brand}: what is owed is captured less refunded: {money}"
        );
        ensure!(
            money["cancellable"] == json!({"allowed": false, "refund": null}),
            "{brand}: nothing more to refund: {money}"
        );
        let payment = d1_payment(server, &id)?;
        ensure!(
            payment["status"] == payment_status,
            "{brand}: the payment is {payment_status}: {payment}"
        );
    }

    // A brand that does not exist is refused and books nothing.
    let mut input = booking_input(&flight.id, None, 1, &card, &new_key());
    input["outboundBrand"] = json!("BASIC");
    let refused = olga.book(server, &input);
    ensure!(
        !refused["errors"].is_null() && refused["data"].is_null(),
        "an unknown brand is refused: {refused}"
    );
    Ok(())
}

const CHANGE_SEATS: &str = "mutation($booking: ID!, $flight: ID!, $seats: [String!]!) {
    changeSeats(bookingId: $booking, flightId: $flight, seats: $seats) {
      status version flights { seats flight { id } } } }";

/// After booking, a traveller moves the party's seats on a flight: to free seats in the
/// fare's cabin, or swapped between them. The flight's map follows (the old seats free,
/// the new ones sold), the booking says so, and nothing else moves. Seats someone else
/// has, in another cabin, not one per passenger or not seats at all are refused with the
/// reason, and change nothing; so is someone else's booking, or a cancelled one.
fn a_traveller_moves_their_seats_after_booking(server: &DevServer) -> Result<(), Failed> {
    let flight = flight(server, "JFK", "LHR", SEAT_CHANGE_DAY)?;
    let pat = Customer::sign_up(server, "reseats");
    let card = pat.card(server, CARD_SUCCEEDS);
    let booking = pat.book_confirmed(
        server,
        &booking_input(&flight.id, None, 2, &card, &new_key()),
    )?;
    let id = booking["id"].as_str().unwrap().to_owned();
    let before = seats_of(&booking, 0);
    let other = Customer::sign_up(server, "neighbour");
    let other_card = other.card(server, CARD_SUCCEEDS);
    let neighbour = other.book_confirmed(
        server,
        &booking_input(&flight.id, None, 1, &other_card, &new_key()),
    )?;
    let theirs = seats_of(&neighbour, 0)[0].clone();

    let change = |customer: &Customer, seats: &[&str]| {
        server.graphql_as(
            Some(&customer.token),
            CHANGE_SEATS,
            json!({"booking": id, "flight": flight.id, "seats": seats}),
        )
    };
    // Two free Economy seats at the back of the free list, away from where they sit.
    let map = seat_map(server, &flight.id);
    let free = map.free_in("ECONOMY");
    let wanted = [free[free.len() - 1].as_str(), free[free.len() - 2].as_str()];
    let moved = change(&pat, &wanted);
    ensure!(moved["errors"].is_null(), "{moved}");
    let moved = &moved["data"]["changeSeats"];
    ensure!(
        moved["status"] == "CONFIRMED" && strings(&moved["flights"][0]["seats"]) == wanted,
        "the booking has the seats asked for, in passenger order: {moved}"
    );
    let after = seat_map(server, &flight.id);
    for seat in &before {
        ensure!(after.status_of(seat) == "FREE", "{seat} is for sale again");
    }
    for seat in wanted {
        ensure!(after.status_of(seat) == "SOLD", "{seat} is theirs now");
    }
    ensure!(
        after.available == map.available,
        "as many seats for sale as before: {} vs {}",
        after.available,
        map.available
    );
    let read = pat.read_booking(server, &id)?;
    ensure!(strings(&read["flights"][0]["seats"]) == wanted, "{read}");

    // The two passengers swap; asking for the seats they have changes nothing.
    let swapped = change(&pat, &[wanted[1], wanted[0]]);
    ensure!(
        strings(&swapped["data"]["changeSeats"]["flights"][0]["seats"]) == [wanted[1], wanted[0]],
        "{swapped}"
    );
    let version = swapped["data"]["changeSeats"]["version"].clone();
    let again = change(&pat, &[wanted[1], wanted[0]]);
    ensure!(
        again["data"]["changeSeats"]["version"] == version,
        "the same seats: no change: {again}"
    );

    // Refused, with the reason, and nothing moves.
    let business = after.free_in("BUSINESS")[0].clone();
    for (seats, field, why) in [
        (
            vec![theirs.as_str(), wanted[0]],
            "seats",
            "someone else's seat",
        ),
        (
            vec![business.as_str(), wanted[0]],
            "seats",
            "a seat in another cabin",
        ),
        (vec![wanted[0]], "seats", "one seat for two passengers"),
        (vec!["ZZ", wanted[0]], "seats", "not a seat"),
    ] {
        let refused = change(&pat, &seats);
        ensure!(
            error_code(&refused) == "BAD_USER_INPUT" && error_field(&refused) == field,
            "{why}: {refused}"
        );
    }
    let wrong_flight = server.graphql_as(
        Some(&pat.token),
        CHANGE_SEATS,
        json!({"booking": id, "flight": format!("EA9999-{}", date(server, SEAT_CHANGE_DAY).replace('-', "")), "seats": wanted}),
    );
    ensure!(error_field(&wrong_flight) == "flightId", "{wrong_flight}");
    let foreign = change(&other, &wanted);
    ensure!(error_code(&foreign) == "NOT_FOUND", "{foreign}");
    let unchanged = pat.read_booking(server, &id)?;
    ensure!(
        strings(&unchanged["flights"][0]["seats"]) == [wanted[1], wanted[0]],
        "every refusal left the seats as they were: {unchanged}"
    );
    ensure!(
        seat_map(server, &flight.id).status_of(&theirs) == "SOLD",
        "the neighbour keeps theirs"
    );

    // A cancelled booking has no seats to move.
    let cancelled = pat.cancel(server, &id);
    ensure!(cancelled["errors"].is_null(), "{cancelled}");
    let late = change(&pat, &wanted);
    ensure!(error_code(&late) == "CONFLICT", "{late}");
    Ok(())
}
