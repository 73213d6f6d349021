//! Seats and bookings through the GraphQL API, natively: real queries through
//! `airline_graphql::execute` against the seed timetable and the in-memory booking double
//! (`MemoryBookings`: a started booking confirms at once), with a fixed clock.
//!
//! Each test shares one `MemoryBookings` across its requests, so what one request books the
//! next one reads; the viewer is set per request, as the Worker does from the token.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use airline_testkit::{api, data, failure, signed_in, utc};

use std::cell::Cell;
use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use airline_auth::{Role, TokenError};
use airline_domain::{AirportCode, Flight, LocalDate};
use airline_graphql::Viewer;
use airline_testkit::{MemoryBookings, MemoryLoyalty, MemorySchedule, TestContext};
use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

/// First local date of the seed timetable, and how many days it covers.
const SEED_START: &str = "2026-11-24";
const SEED_DAYS: u32 = 10;
/// "Now" for every request: early morning of the first timetable day in London.
const NOW: &str = "2026-11-24T06:00:00Z";

const ALICE: &str = "acc_alice";
const BOB: &str = "acc_bob";
const ADMIN: &str = "acc_admin";

// ---------------------------------------------------------------------------------------
// Harness

struct Seed {
    catalog: Arc<MemorySchedule>,
    flights: Vec<Flight>,
}

/// The seed timetable, generated once per test binary.
fn seed() -> &'static Seed {
    static SEED: OnceLock<Seed> = OnceLock::new();
    SEED.get_or_init(|| {
        let airports = catalog_seed::airports().expect("the seed airports parse");
        let routes = catalog_seed::routes().expect("the seed routes build");
        let start = LocalDate::parse("date", SEED_START).unwrap();
        let flights = catalog_seed::schedule(&routes, start, SEED_DAYS);
        Seed {
            catalog: Arc::new(MemorySchedule::new(airports, flights.clone())),
            flights,
        }
    })
}

fn now() -> DateTime<Utc> {
    utc(NOW)
}

fn code(text: &str) -> AirportCode {
    AirportCode::parse("code", text).unwrap()
}

/// The earliest seed flight from `from` to `to` leaving at least a day after `now`.
fn flight(from: &str, to: &str) -> Flight {
    flight_after(from, to, now() + Duration::days(1))
}

fn flight_after(from: &str, to: &str, earliest: DateTime<Utc>) -> Flight {
    seed()
        .flights
        .iter()
        .filter(|f| f.origin.code == code(from) && f.destination.code == code(to))
        .filter(|f| f.departure >= earliest)
        .min_by_key(|f| f.departure)
        .unwrap_or_else(|| panic!("the seed flies {from} to {to} after {earliest}"))
        .clone()
}

fn customer(id: &str) -> Viewer {
    signed_in(id, Role::Customer)
}

fn admin() -> Viewer {
    signed_in(ADMIN, Role::Admin)
}

/// One test's booking service: shared by all of its requests, so state persists.
struct World {
    bookings: Arc<MemoryBookings>,
    loyalty: Arc<MemoryLoyalty>,
    /// The clock requests read; [`NOW`] unless a test moves it.
    clock: Cell<DateTime<Utc>>,
}

impl World {
    fn new() -> Self {
        Self {
            bookings: Arc::new(MemoryBookings::default()),
            loyalty: Arc::new(MemoryLoyalty::default()),
            clock: Cell::new(now()),
        }
    }

    /// Executes one request as `viewer` and returns the response as JSON.
    fn run(&self, viewer: Viewer, query: &str, variables: Value) -> Value {
        static NEXT_ID: AtomicUsize = AtomicUsize::new(1);
        let request_id = format!("bk-req-{:04}", NEXT_ID.fetch_add(1, Ordering::Relaxed));
        let context = TestContext::new()
            .schedule(seed().catalog.clone())
            .bookings(self.bookings.clone())
            .loyalty(self.loyalty.clone())
            .viewer(viewer)
            .now(self.clock.get())
            .request_id(&request_id)
            .build();
        let response = airline_testkit::execute(api(), context, query, variables);
        assert_eq!(
            response["extensions"]["requestId"], request_id,
            "every response names its request: {response:#}"
        );
        response
    }

    /// Tokenizes the 4242 test card for `customer` and returns the token.
    fn card(&self, customer_id: &str) -> String {
        let response = self.run(
            customer(customer_id),
            TOKENIZE,
            card_input("4242424242424242"),
        );
        data(response)["tokenizeCard"]["token"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Books `flight` for `customer` with a fresh card and returns the booking.
    fn book(&self, customer_id: &str, flight: &Flight, key: &str, passengers: usize) -> Value {
        let token = self.card(customer_id);
        let input = booking_input(flight, key, passengers, &token);
        data(self.run(customer(customer_id), BOOK, json!({ "input": input })))["processBooking"]
            .clone()
    }
}

/// A BAD_USER_INPUT failure naming `field`.
fn bad_input(response: &Value, field: &str) {
    let error = failure(response, "BAD_USER_INPUT");
    assert_eq!(error["extensions"]["field"], field, "{response:#}");
}

fn card_input(number: &str) -> Value {
    json!({ "input": { "number": number, "expMonth": 12, "expYear": 2030, "cvc": "123" } })
}

fn booking_input(flight: &Flight, key: &str, passengers: usize, token: &str) -> Value {
    json!({
        "outboundFlightId": flight.id.as_str(),
        "passengers": (0..passengers)
            .map(|i| json!({
                "firstName": "Ada",
                "lastName": format!("Lovelace{}", "e".repeat(i)),
                "dateOfBirth": "1990-05-17",
            }))
            .collect::<Vec<_>>(),
        "paymentToken": token,
        "idempotencyKey": key,
    })
}

fn id_of(booking: &Value) -> String {
    booking["id"].as_str().unwrap().to_owned()
}

fn ids(connection: &Value) -> Vec<String> {
    connection["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap().to_owned())
        .collect()
}

const TOKENIZE: &str = r#"
mutation Tokenize($input: CardInput!) {
  tokenizeCard(input: $input) { token brand last4 expMonth expYear }
}"#;

const BOOK: &str = r#"
mutation Book($input: BookingInput!) {
  processBooking(input: $input) {
    id
    reference
    status
    failure { code message }
    total { amount currency }
    flights { flight { id } seats }
    passengers { firstName lastName dateOfBirth }
    createdAt
  }
}"#;

const BOOKING: &str = r#"
query Booking($id: ID!) {
  booking(id: $id) { id status reference total { amount currency } flights { flight { id } } }
}"#;

const BOOKINGS: &str = r#"
query Bookings($status: BookingStatus, $first: Int, $after: String, $customerId: ID) {
  bookings(status: $status, first: $first, after: $after, customerId: $customerId) {
    edges { cursor node { id status } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"#;

const CANCEL: &str = r#"
mutation Cancel($id: ID!) {
  cancelBooking(id: $id) { id status }
}"#;

const SEAT_MAP: &str = r#"
query Seats($flightId: ID!) {
  seatMap(flightId: $flightId) {
    flightId
    aircraft
    seatsAvailable
    rows { number cabin exitRow layout seats { id cabin window aisle exitRow status } }
  }
}"#;

// ---------------------------------------------------------------------------------------
// tokenizeCard

#[test]
fn tokenizing_a_card_requires_sign_in() {
    let world = World::new();
    let response = world.run(Viewer::Anonymous, TOKENIZE, card_input("4242424242424242"));
    failure(&response, "UNAUTHENTICATED");
    let response = world.run(
        Viewer::Rejected(TokenError::Expired),
        TOKENIZE,
        card_input("4242424242424242"),
    );
    failure(&response, "UNAUTHENTICATED");
}

#[test]
fn only_sandbox_test_cards_are_tokenized() {
    let world = World::new();
    // A valid Visa number (Luhn passes) that is not one of the sandbox's test cards.
    let response = world.run(customer(ALICE), TOKENIZE, card_input("4111111111111111"));
    bad_input(&response, "number");
    let message = response["errors"][0]["message"].as_str().unwrap();
    assert!(!message.contains("4111111111111111"), "{message}");

    let response = world.run(customer(ALICE), TOKENIZE, card_input("4242424242424241"));
    bad_input(&response, "number");
}

#[test]
fn a_test_card_becomes_a_token_and_its_last_four_digits() {
    let world = World::new();
    let card = data(world.run(customer(ALICE), TOKENIZE, card_input("4242 4242 4242 4242")))
        ["tokenizeCard"]
        .clone();
    let token = card["token"].as_str().unwrap();
    assert!(token.starts_with("tok_"), "{card:#}");
    assert!(!token.contains("4242424242424242"), "{card:#}");
    assert_eq!(card["last4"], "4242");
    assert_eq!(card["brand"], "visa");
    assert_eq!(card["expMonth"], 12);
    assert_eq!(card["expYear"], 2030);

    let second = world.card(ALICE);
    assert_ne!(second, token, "every tokenization is a new token");
}

// ---------------------------------------------------------------------------------------
// processBooking

#[test]
fn booking_requires_sign_in() {
    let world = World::new();
    let token = world.card(ALICE);
    let input = booking_input(&flight("LHR", "JFK"), "anon-key-0001", 1, &token);
    let response = world.run(Viewer::Anonymous, BOOK, json!({ "input": input }));
    failure(&response, "UNAUTHENTICATED");
    assert!(ids(&data(world.run(customer(ALICE), BOOKINGS, json!({})))["bookings"]).is_empty());
}

#[test]
fn booking_an_unknown_flight_is_not_found() {
    let world = World::new();
    let token = world.card(ALICE);
    let mut input = booking_input(&flight("LHR", "JFK"), "unknown-flight-1", 1, &token);
    input["outboundFlightId"] = json!("EA9999-20261125");
    failure(
        &world.run(customer(ALICE), BOOK, json!({ "input": input.clone() })),
        "NOT_FOUND",
    );

    input["outboundFlightId"] = json!(flight("LHR", "JFK").id.as_str());
    input["returnFlightId"] = json!("EA9999-20261128");
    failure(
        &world.run(customer(ALICE), BOOK, json!({ "input": input.clone() })),
        "NOT_FOUND",
    );

    // An id that is not a flight id at all is bad input, naming the argument.
    input["returnFlightId"] = json!("not-a-flight");
    bad_input(
        &world.run(customer(ALICE), BOOK, json!({ "input": input })),
        "returnFlightId",
    );
}

#[test]
fn bad_booking_input_names_the_field() {
    let world = World::new();
    let token = world.card(ALICE);
    let outbound = flight("LHR", "JFK");
    let valid = booking_input(&outbound, "bad-input-0001", 2, &token);

    let mut cases: Vec<(Value, &str)> = Vec::new();
    let mut input = valid.clone();
    input["idempotencyKey"] = json!("short");
    cases.push((input, "idempotencyKey"));
    let mut input = valid.clone();
    input["idempotencyKey"] = json!("has spaces in it");
    cases.push((input, "idempotencyKey"));
    let mut input = valid.clone();
    input["passengers"] = json!([]);
    cases.push((input, "passengers"));
    let mut input = valid.clone();
    input["passengers"] = booking_input(&outbound, "x", 10, &token)["passengers"].clone();
    cases.push((input, "passengers"));
    let mut input = valid.clone();
    input["passengers"][1]["firstName"] = json!("R2D2");
    cases.push((input, "passengers.firstName"));
    let mut input = valid.clone();
    input["passengers"][0]["lastName"] = json!("");
    cases.push((input, "passengers.lastName"));
    let mut input = valid.clone();
    input["passengers"][0]["dateOfBirth"] = json!("2030-01-01");
    cases.push((input, "passengers.dateOfBirth"));
    let mut input = valid.clone();
    input["paymentToken"] = json!("  ");
    cases.push((input, "paymentToken"));
    let mut input = valid.clone();
    input["seats"] = json!({ "outbound": ["12A"] });
    cases.push((input, "seats.outbound"));
    let mut input = valid.clone();
    input["seats"] = json!({ "outbound": ["12A", "99Z"] });
    cases.push((input, "seats.outbound"));
    let mut input = valid.clone();
    input["seats"] = json!({ "return": ["12A", "12B"] });
    cases.push((input, "seats.return"));
    let mut input = valid.clone();
    // A flight the other way is not a return of this one.
    input["returnFlightId"] =
        json!(
            flight_after("LHR", "JFK", outbound.arrival + Duration::hours(3))
                .id
                .as_str()
        );
    cases.push((input, "returnFlightId"));
    let mut input = valid.clone();
    input["outboundFlightId"] = json!("EA117");
    cases.push((input, "outboundFlightId"));

    for (input, field) in cases {
        let response = world.run(customer(ALICE), BOOK, json!({ "input": input }));
        bad_input(&response, field);
    }
    // Nothing was booked by any of them.
    let list = data(world.run(customer(ALICE), BOOKINGS, json!({})))["bookings"].clone();
    assert!(ids(&list).is_empty(), "{list:#}");
}

#[test]
fn a_flight_that_has_departed_is_not_sold() {
    let world = World::new();
    let token = world.card(ALICE);
    let gone = seed()
        .flights
        .iter()
        .filter(|f| f.departure < now())
        .max_by_key(|f| f.departure)
        .expect("some seed flight left before now")
        .clone();
    let input = booking_input(&gone, "departed-0001", 1, &token);
    bad_input(
        &world.run(customer(ALICE), BOOK, json!({ "input": input })),
        "outboundFlightId",
    );
}

#[test]
fn paying_with_another_customer_s_card_is_refused() {
    let world = World::new();
    let bobs = world.card(BOB);
    let input = booking_input(&flight("LHR", "JFK"), "stolen-card-01", 1, &bobs);
    bad_input(
        &world.run(customer(ALICE), BOOK, json!({ "input": input })),
        "paymentToken",
    );

    let made_up = booking_input(&flight("LHR", "JFK"), "made-up-card-1", 1, "tok_4242_99");
    bad_input(
        &world.run(customer(ALICE), BOOK, json!({ "input": made_up })),
        "paymentToken",
    );
}

#[test]
fn a_booking_is_confirmed_and_priced_for_the_whole_party() {
    let world = World::new();
    let outbound = flight("LHR", "JFK");
    let booking = world.book(ALICE, &outbound, "happy-path-0001", 3);

    let id = id_of(&booking);
    assert!(id.starts_with("bk_"), "{booking:#}");
    assert_eq!(id.len(), 27, "{booking:#}");
    assert_eq!(booking["status"], "CONFIRMED");
    assert!(booking["reference"].as_str().is_some_and(|r| r.len() == 6));
    assert_eq!(booking["failure"], Value::Null);
    assert_eq!(
        booking["total"]["amount"],
        outbound.fare.amount_minor() * 3,
        "{booking:#}"
    );
    assert_eq!(
        booking["total"]["currency"],
        outbound.fare.currency().code()
    );
    assert_eq!(booking["flights"].as_array().unwrap().len(), 1);
    assert_eq!(booking["flights"][0]["flight"]["id"], outbound.id.as_str());
    assert_eq!(booking["passengers"].as_array().unwrap().len(), 3);
    assert_eq!(booking["passengers"][0]["firstName"], "Ada");
    assert_eq!(booking["passengers"][0]["dateOfBirth"], "1990-05-17");
    assert_eq!(booking["createdAt"], "2026-11-24T06:00:00Z");
}

#[test]
fn a_round_trip_is_priced_in_the_outbound_currency() {
    let world = World::new();
    let outbound = flight("LHR", "JFK");
    let inbound = flight_after("JFK", "LHR", outbound.arrival + Duration::hours(3));
    let token = world.card(ALICE);
    let mut input = booking_input(&outbound, "round-trip-0001", 2, &token);
    input["returnFlightId"] = json!(inbound.id.as_str());
    let booking =
        data(world.run(customer(ALICE), BOOK, json!({ "input": input })))["processBooking"].clone();

    let back = inbound
        .fare
        .times(2)
        .unwrap()
        .convert_to(outbound.fare.currency())
        .unwrap();
    assert_eq!(
        booking["total"]["amount"],
        outbound.fare.amount_minor() * 2 + back.amount_minor(),
        "{booking:#}"
    );
    assert_eq!(
        booking["total"]["currency"],
        outbound.fare.currency().code()
    );
    let flights: Vec<_> = booking["flights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["flight"]["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(flights, [outbound.id.to_string(), inbound.id.to_string()]);
}

#[test]
fn the_same_idempotency_key_returns_the_same_booking() {
    let world = World::new();
    let outbound = flight("LHR", "JFK");
    let token = world.card(ALICE);
    let input = booking_input(&outbound, "same-key-0001", 2, &token);
    let first = data(world.run(customer(ALICE), BOOK, json!({ "input": input.clone() })))
        ["processBooking"]
        .clone();
    let again = data(world.run(customer(ALICE), BOOK, json!({ "input": input.clone() })))
        ["processBooking"]
        .clone();
    assert_eq!(id_of(&first), id_of(&again));
    assert_eq!(first, again);

    let list = data(world.run(customer(ALICE), BOOKINGS, json!({})))["bookings"].clone();
    assert_eq!(ids(&list), [id_of(&first)], "booked once: {list:#}");

    // Another customer's identical key is another booking.
    let bobs = world.book(BOB, &outbound, "same-key-0001", 2);
    assert_ne!(id_of(&bobs), id_of(&first));
}

#[test]
fn the_same_key_for_a_different_request_is_a_conflict() {
    let world = World::new();
    let outbound = flight("LHR", "JFK");
    let token = world.card(ALICE);
    let input = booking_input(&outbound, "conflict-0001", 2, &token);
    let first = data(world.run(customer(ALICE), BOOK, json!({ "input": input.clone() })))
        ["processBooking"]
        .clone();

    let mut more = booking_input(&outbound, "conflict-0001", 3, &token);
    failure(
        &world.run(customer(ALICE), BOOK, json!({ "input": more.clone() })),
        "CONFLICT",
    );
    more["passengers"] = input["passengers"].clone();
    more["passengers"][0]["firstName"] = json!("Grace");
    failure(
        &world.run(customer(ALICE), BOOK, json!({ "input": more })),
        "CONFLICT",
    );

    // The first booking is untouched.
    let booking = data(world.run(customer(ALICE), BOOKING, json!({ "id": id_of(&first) })))
        ["booking"]
        .clone();
    assert_eq!(booking["status"], "CONFIRMED");
    assert_eq!(booking["total"], first["total"]);
}

// ---------------------------------------------------------------------------------------
// booking(id)

#[test]
fn a_booking_is_visible_to_its_owner_and_admins_only() {
    let world = World::new();
    let outbound = flight("LHR", "JFK");
    let booking = world.book(ALICE, &outbound, "visible-0001", 1);
    let id = id_of(&booking);

    let own = data(world.run(customer(ALICE), BOOKING, json!({ "id": id })))["booking"].clone();
    assert_eq!(own["id"], id.as_str());
    assert_eq!(own["status"], "CONFIRMED");
    assert_eq!(own["total"], booking["total"]);
    assert_eq!(own["flights"][0]["flight"]["id"], outbound.id.as_str());

    let bobs = world.run(customer(BOB), BOOKING, json!({ "id": id }));
    let error = failure(&bobs, "NOT_FOUND");
    let unknown = world.run(
        customer(BOB),
        BOOKING,
        json!({ "id": format!("bk_{}", "0".repeat(24)) }),
    );
    let unknown_error = failure(&unknown, "NOT_FOUND");
    assert_ne!(error["message"], Value::Null);
    assert_eq!(
        error["message"].as_str().unwrap().replace(&id, "ID"),
        unknown_error["message"]
            .as_str()
            .unwrap()
            .replace(&format!("bk_{}", "0".repeat(24)), "ID"),
        "someone else's booking looks like a missing one"
    );

    let admins = data(world.run(admin(), BOOKING, json!({ "id": id })))["booking"].clone();
    assert_eq!(admins["id"], id.as_str());

    failure(
        &world.run(Viewer::Anonymous, BOOKING, json!({ "id": id })),
        "UNAUTHENTICATED",
    );
}

#[test]
fn a_malformed_booking_id_is_not_found() {
    let world = World::new();
    let booking = world.book(ALICE, &flight("LHR", "JFK"), "malformed-0001", 1);
    let id = id_of(&booking);
    for bad in [
        String::new(),
        "bk_".to_owned(),
        id.to_uppercase(),
        format!("{id}0"),
        id[..26].to_owned(),
        "'; DROP TABLE bookings; --".to_owned(),
        "EA117-20261125".to_owned(),
    ] {
        for viewer in [customer(ALICE), admin()] {
            failure(
                &world.run(viewer, BOOKING, json!({ "id": bad })),
                "NOT_FOUND",
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// bookings()

#[test]
fn customers_list_only_their_own_bookings() {
    let world = World::new();
    let outbound = flight("LHR", "JFK");
    let a1 = id_of(&world.book(ALICE, &outbound, "list-alice-001", 1));
    let a2 = id_of(&world.book(ALICE, &outbound, "list-alice-002", 2));
    let b1 = id_of(&world.book(BOB, &outbound, "list-bob-00001", 1));

    let alice = data(world.run(customer(ALICE), BOOKINGS, json!({})))["bookings"].clone();
    let alices: HashSet<String> = ids(&alice).into_iter().collect();
    assert_eq!(alices, HashSet::from([a1.clone(), a2.clone()]), "{alice:#}");
    assert_eq!(alice["pageInfo"]["hasNextPage"], false);
    assert_eq!(alice["pageInfo"]["hasPreviousPage"], false);

    let bob = data(world.run(customer(BOB), BOOKINGS, json!({})))["bookings"].clone();
    assert_eq!(ids(&bob), std::slice::from_ref(&b1));

    // Naming yourself is the same as naming no one.
    let named = data(world.run(customer(ALICE), BOOKINGS, json!({ "customerId": ALICE })))
        ["bookings"]
        .clone();
    assert_eq!(named, alice);

    // A customer may not name someone else: it looks like no such customer.
    failure(
        &world.run(customer(ALICE), BOOKINGS, json!({ "customerId": BOB })),
        "NOT_FOUND",
    );
    // Admins may, and see only that customer's bookings.
    let as_admin =
        data(world.run(admin(), BOOKINGS, json!({ "customerId": BOB })))["bookings"].clone();
    assert_eq!(ids(&as_admin), [b1]);
    let admins_own = data(world.run(admin(), BOOKINGS, json!({})))["bookings"].clone();
    assert!(ids(&admins_own).is_empty(), "{admins_own:#}");

    failure(
        &world.run(Viewer::Anonymous, BOOKINGS, json!({})),
        "UNAUTHENTICATED",
    );
}

#[test]
fn bookings_filter_by_status() {
    let world = World::new();
    let outbound = flight("LHR", "JFK");
    let kept = id_of(&world.book(ALICE, &outbound, "status-keep-01", 1));
    let dropped = id_of(&world.book(ALICE, &outbound, "status-drop-01", 1));
    let cancelled =
        data(world.run(customer(ALICE), CANCEL, json!({ "id": dropped })))["cancelBooking"].clone();
    assert_eq!(cancelled["status"], "CANCELLED");

    let list = |status: &str| {
        ids(&data(world.run(customer(ALICE), BOOKINGS, json!({ "status": status })))["bookings"])
    };
    assert_eq!(list("CONFIRMED"), [kept]);
    assert_eq!(list("CANCELLED"), [dropped]);
    assert!(list("UNCONFIRMED").is_empty());
}

#[test]
fn bookings_page_with_first_and_after() {
    let world = World::new();
    let outbound = flight("LHR", "JFK");
    // Booked a minute apart, so newest first is a known order.
    let booked: Vec<String> = (1..=3)
        .map(|i| {
            world.clock.set(now() + Duration::minutes(i));
            id_of(&world.book(ALICE, &outbound, &format!("page-key-000{i}"), 1))
        })
        .collect();
    world.clock.set(now() + Duration::minutes(10));

    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    for page in 1..=3 {
        let response = world.run(
            customer(ALICE),
            BOOKINGS,
            json!({ "first": 1, "after": after }),
        );
        let connection = data(response)["bookings"].clone();
        let page_ids = ids(&connection);
        assert_eq!(page_ids.len(), 1, "page {page}: {connection:#}");
        assert_eq!(
            connection["pageInfo"]["hasNextPage"],
            page < 3,
            "page {page}: {connection:#}"
        );
        assert_eq!(
            connection["pageInfo"]["endCursor"],
            connection["edges"][0]["cursor"]
        );
        seen.extend(page_ids);
        after = Some(
            connection["pageInfo"]["endCursor"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let last = data(world.run(
        customer(ALICE),
        BOOKINGS,
        json!({ "first": 1, "after": after }),
    ))["bookings"]
        .clone();
    assert!(ids(&last).is_empty(), "{last:#}");
    assert_eq!(last["pageInfo"]["hasNextPage"], false);

    let newest_first: Vec<String> = booked.iter().rev().cloned().collect();
    assert_eq!(seen, newest_first, "each booking once, newest first");

    // The same pages as one list, in the same order.
    let all = data(world.run(customer(ALICE), BOOKINGS, json!({ "first": 3 })))["bookings"].clone();
    assert_eq!(ids(&all), newest_first);
    assert_eq!(all["pageInfo"]["hasNextPage"], false);

    for bad in [0, 51, -1] {
        bad_input(
            &world.run(customer(ALICE), BOOKINGS, json!({ "first": bad })),
            "first",
        );
    }
    for bad in ["not a cursor", "", "YWJj"] {
        bad_input(
            &world.run(customer(ALICE), BOOKINGS, json!({ "after": bad })),
            "after",
        );
    }
}

// ---------------------------------------------------------------------------------------
// cancelBooking

#[test]
fn only_the_owner_or_an_admin_cancels() {
    let world = World::new();
    let outbound = flight("LHR", "JFK");
    let id = id_of(&world.book(ALICE, &outbound, "cancel-0001", 1));

    failure(
        &world.run(customer(BOB), CANCEL, json!({ "id": id })),
        "NOT_FOUND",
    );
    failure(
        &world.run(Viewer::Anonymous, CANCEL, json!({ "id": id })),
        "UNAUTHENTICATED",
    );
    let still = data(world.run(customer(ALICE), BOOKING, json!({ "id": id })))["booking"].clone();
    assert_eq!(
        still["status"], "CONFIRMED",
        "Bob's attempt changed nothing"
    );

    let cancelled =
        data(world.run(customer(ALICE), CANCEL, json!({ "id": id })))["cancelBooking"].clone();
    assert_eq!(cancelled["id"], id.as_str());
    assert_eq!(cancelled["status"], "CANCELLED");
    let after = data(world.run(customer(ALICE), BOOKING, json!({ "id": id })))["booking"].clone();
    assert_eq!(after["status"], "CANCELLED");

    // Cancelling twice is refused, not repeated.
    failure(
        &world.run(customer(ALICE), CANCEL, json!({ "id": id })),
        "CONFLICT",
    );

    // An admin may cancel anyone's booking.
    let bobs = id_of(&world.book(BOB, &outbound, "cancel-0002", 1));
    let by_admin = data(world.run(admin(), CANCEL, json!({ "id": bobs })))["cancelBooking"].clone();
    assert_eq!(by_admin["status"], "CANCELLED");

    failure(
        &world.run(customer(ALICE), CANCEL, json!({ "id": "bk_nope" })),
        "NOT_FOUND",
    );
}

#[test]
fn a_booking_made_or_cancelled_moments_ago_is_listed_as_it_is_while_the_list_lags() {
    let world = World::new();
    let outbound = flight("LHR", "JFK");
    let older = id_of(&world.book(ALICE, &outbound, "fresh-0001", 1));
    world.bookings.lag_read_model(true);
    let fresh = id_of(&world.book(ALICE, &outbound, "fresh-0002", 1));
    let query = r#"query($recent: [ID!], $status: BookingStatus, $first: Int) {
        bookings(recent: $recent, status: $status, first: $first) {
            edges { node { id status version } } pageInfo { hasNextPage } } }"#;
    let list =
        |variables: Value| data(world.run(customer(ALICE), query, variables))["bookings"].clone();

    // The list's copy has not caught up: without naming it, the new booking is missing.
    assert_eq!(ids(&list(json!({}))), vec![older.clone()]);
    // Named as recent, it is read from the booking itself and sorted in, newest first.
    assert_eq!(
        ids(&list(json!({ "recent": [fresh] }))),
        vec![fresh.clone(), older.clone()]
    );
    // The page size still holds, and says there is more.
    let one = list(json!({ "recent": [fresh], "first": 1 }));
    assert_eq!(ids(&one), vec![fresh.clone()]);
    assert_eq!(one["pageInfo"]["hasNextPage"], true);

    // Cancelled moments ago: the fresh state replaces the list's older copy, and the
    // status filter sees it as it is now.
    data(world.run(customer(ALICE), CANCEL, json!({ "id": older })));
    let confirmed = list(json!({ "recent": [older, fresh], "status": "CONFIRMED" }));
    assert_eq!(ids(&confirmed), vec![fresh.clone()]);
    let cancelled = list(json!({ "recent": [older], "status": "CANCELLED" }));
    assert_eq!(ids(&cancelled), vec![older.clone()]);

    // Someone else's booking named as recent is not shown; bad ids are ignored; more
    // than ten are refused.
    let bobs = id_of(&world.book(BOB, &outbound, "fresh-0003", 1));
    let mine = list(json!({ "recent": [bobs, "not-a-booking"] }));
    assert!(!ids(&mine).contains(&bobs));
    let too_many: Vec<String> = (0..11).map(|i| format!("bk_{i:024}")).collect();
    bad_input(
        &world.run(customer(ALICE), query, json!({ "recent": too_many })),
        "recent",
    );

    world.bookings.lag_read_model(false);
    assert_eq!(
        ids(&list(json!({}))),
        vec![fresh.clone(), older.clone()],
        "caught up, the list alone shows both"
    );
}

#[test]
fn a_booking_says_what_was_paid_and_whether_it_may_be_cancelled() {
    let world = World::new();
    let outbound = flight("LHR", "JFK");
    let id = id_of(&world.book(ALICE, &outbound, "money-0001", 2));
    let query = r#"query($id: ID!) { booking(id: $id) {
        total { amount } captured { amount } refunded { amount } amountPaid { amount }
        cancellable { allowed reason message } } }"#;
    let booking = data(world.run(customer(ALICE), query, json!({ "id": id })))["booking"].clone();
    assert_eq!(booking["captured"], booking["total"]);
    assert_eq!(booking["amountPaid"], booking["total"]);
    assert_eq!(booking["refunded"]["amount"], 0.0);
    assert_eq!(booking["cancellable"]["allowed"], true);
    assert_eq!(booking["cancellable"]["reason"], Value::Null);

    data(world.run(customer(ALICE), CANCEL, json!({ "id": id })));
    let booking = data(world.run(customer(ALICE), query, json!({ "id": id })))["booking"].clone();
    // Captured minus refunded is what the traveller paid: nothing, once refunded.
    assert_eq!(booking["refunded"], booking["captured"]);
    assert_eq!(booking["amountPaid"]["amount"], 0.0);
    assert_eq!(booking["cancellable"]["allowed"], false);
    assert_eq!(booking["cancellable"]["reason"], "ALREADY_CANCELLED");

    // After departure it may not be cancelled, and says so.
    let other = id_of(&world.book(ALICE, &outbound, "money-0002", 1));
    world
        .clock
        .set(outbound.departure + chrono::Duration::minutes(1));
    let booking =
        data(world.run(customer(ALICE), query, json!({ "id": other })))["booking"].clone();
    assert_eq!(booking["cancellable"]["reason"], "DEPARTED");
    assert!(booking["cancellable"]["message"]
        .as_str()
        .unwrap()
        .contains("departed"));
}

#[test]
fn points_of_a_booking_changed_moments_ago_are_pending_until_the_ledger_has_them() {
    use airline_loyalty::{points_for, EntryKind, LedgerEntry};
    let world = World::new();
    let outbound = flight("LHR", "JFK");
    let booking = world.book(ALICE, &outbound, "points-0001", 2);
    let id = id_of(&booking);
    let total = airline_domain::Money::from_minor(
        booking["total"]["amount"].as_i64().unwrap(),
        airline_domain::Currency::parse("currency", booking["total"]["currency"].as_str().unwrap())
            .unwrap(),
    );
    let earned = points_for(total).unwrap();
    assert!(earned > 0);
    let query = "query($recent: [ID!]) { loyalty(recent: $recent) { points pendingPoints tier } }";
    let loyalty = |recent: Value| {
        data(world.run(customer(ALICE), query, json!({ "recent": recent })))["loyalty"].clone()
    };
    let ledger_entry = |kind: EntryKind, points: i64| {
        world.loyalty.entries.lock().unwrap().push((
            ALICE.to_owned(),
            LedgerEntry {
                entry_id: format!(
                    "{id}:{}",
                    if kind == EntryKind::Earn {
                        "confirmed"
                    } else {
                        "cancelled"
                    }
                ),
                booking_id: id.clone(),
                points,
                kind,
                created_at: now(),
            },
        ));
    };

    // Confirmed, not yet in the ledger: pending, not counted.
    let fresh = loyalty(json!([id]));
    assert_eq!(
        (fresh["points"].as_i64(), fresh["pendingPoints"].as_i64()),
        (Some(0), Some(earned))
    );
    assert_eq!(
        loyalty(Value::Null)["pendingPoints"],
        0,
        "unnamed, the ledger alone"
    );

    // Credited: counted, nothing pending.
    ledger_entry(EntryKind::Earn, earned);
    let credited = loyalty(json!([id]));
    assert_eq!(
        (
            credited["points"].as_i64(),
            credited["pendingPoints"].as_i64()
        ),
        (Some(earned), Some(0))
    );

    // Cancelled moments ago: the ledger still counts it, the traveller does not see it.
    data(world.run(customer(ALICE), CANCEL, json!({ "id": id })));
    let cancelled = loyalty(json!([id]));
    assert_eq!(
        (
            cancelled["points"].as_i64(),
            cancelled["pendingPoints"].as_i64()
        ),
        (Some(0), Some(0))
    );
    assert_eq!(
        loyalty(Value::Null)["points"].as_i64(),
        Some(earned),
        "the ledger is behind"
    );

    // Once the ledger has taken the points back, it agrees.
    ledger_entry(EntryKind::Revoke, -earned);
    assert_eq!(loyalty(json!([id]))["points"], 0);
    assert_eq!(loyalty(Value::Null)["points"], 0);
}

// ---------------------------------------------------------------------------------------
// seatMap

#[test]
fn the_seat_map_is_public_and_sells_the_flight_s_capacity() {
    let world = World::new();
    for (from, to) in [("LHR", "JFK"), ("JFK", "LHR")] {
        let flight = flight(from, to);
        let response = world.run(
            Viewer::Anonymous,
            SEAT_MAP,
            json!({ "flightId": flight.id.as_str() }),
        );
        let map = data(response)["seatMap"].clone();
        assert_eq!(map["flightId"], flight.id.as_str());
        assert_eq!(map["aircraft"], flight.aircraft.code());
        assert_eq!(map["seatsAvailable"], flight.seat_capacity, "{from}-{to}");

        let rows = map["rows"].as_array().unwrap();
        assert!(!rows.is_empty());
        let numbers: Vec<i64> = rows.iter().map(|r| r["number"].as_i64().unwrap()).collect();
        assert_eq!(
            numbers,
            (1..=rows.len() as i64).collect::<Vec<_>>(),
            "rows are numbered from 1 without gaps"
        );
        let seats: Vec<&Value> = rows
            .iter()
            .flat_map(|r| r["seats"].as_array().unwrap())
            .collect();
        assert_eq!(seats.len() as u32, flight.aircraft.seat_capacity());
        let free = seats.iter().filter(|s| s["status"] == "FREE").count();
        assert_eq!(free as u32, flight.seat_capacity);
        assert!(seats
            .iter()
            .all(|s| s["status"] == "FREE" || s["status"] == "BLOCKED"));
        let distinct: HashSet<&str> = seats.iter().map(|s| s["id"].as_str().unwrap()).collect();
        assert_eq!(distinct.len(), seats.len(), "seat ids are unique");
        assert!(rows[0]["layout"].as_str().unwrap().contains('|'));
    }

    // Signed-in viewers see the same map.
    let flight = flight("LHR", "JFK");
    let variables = json!({ "flightId": flight.id.as_str() });
    assert_eq!(
        data(world.run(customer(ALICE), SEAT_MAP, variables.clone())),
        data(world.run(Viewer::Anonymous, SEAT_MAP, variables))
    );
}

#[test]
fn the_seat_map_of_an_unknown_flight_is_not_found() {
    let world = World::new();
    failure(
        &world.run(
            Viewer::Anonymous,
            SEAT_MAP,
            json!({ "flightId": "EA9999-20261125" }),
        ),
        "NOT_FOUND",
    );
    bad_input(
        &world.run(Viewer::Anonymous, SEAT_MAP, json!({ "flightId": "EA117" })),
        "flightId",
    );
}

/// An admin cancels a flight with three bookings on it (their own copy of the timetable,
/// so no other test sees the cancellation): each booking is cancelled with the reason
/// FLIGHT_CANCELLED and its traveller notified once; cancelling again changes nothing.
/// Retiming a flight tells its travellers the new time.
#[test]
fn a_cancelled_flight_cancels_its_bookings_and_tells_each_traveller() {
    use airline_testkit::MemoryNotifications;

    let schedule = Arc::new(MemorySchedule::new(
        catalog_seed::airports().unwrap(),
        seed().flights.clone(),
    ));
    let bookings = Arc::new(MemoryBookings::default());
    let notifications = Arc::new(MemoryNotifications::default());
    let run = |viewer: Viewer, query: &str, variables: Value| {
        let context = TestContext::new()
            .schedule(schedule.clone())
            .bookings(bookings.clone())
            .notifications(notifications.clone())
            .viewer(viewer)
            .now(now())
            .build();
        airline_testkit::execute(api(), context, query, variables)
    };
    let cancelled_flight = flight("LHR", "JFK");
    let retimed_flight = flight("JFK", "LHR");
    let mut booked = Vec::new();
    for (i, who) in [ALICE, BOB, ALICE].into_iter().enumerate() {
        let card = data(run(customer(who), TOKENIZE, card_input("4242424242424242")))
            ["tokenizeCard"]["token"]
            .clone();
        let input = booking_input(
            &cancelled_flight,
            &format!("disrupt-{i:04}"),
            1,
            card.as_str().unwrap(),
        );
        let booking =
            data(run(customer(who), BOOK, json!({ "input": input })))["processBooking"].clone();
        assert_eq!(booking["status"], "CONFIRMED", "{booking}");
        booked.push((who, id_of(&booking)));
    }
    let card = data(run(customer(BOB), TOKENIZE, card_input("4242424242424242")))["tokenizeCard"]
        ["token"]
        .clone();
    let input = booking_input(
        &retimed_flight,
        "disrupt-retimed",
        1,
        card.as_str().unwrap(),
    );
    let on_retimed =
        data(run(customer(BOB), BOOK, json!({ "input": input })))["processBooking"].clone();

    let cancel =
        "mutation($id: ID!) { cancelFlight(id: $id, reason: \"crew shortage\") { status } }";
    let id = json!({ "id": cancelled_flight.id.as_str() });
    assert_eq!(
        data(run(admin(), cancel, id.clone()))["cancelFlight"]["status"],
        "CANCELLED"
    );
    for (who, booking_id) in &booked {
        let read = data(run(
            customer(who),
            "query($id: ID!) { booking(id: $id) { status failure { code } } }",
            json!({"id": booking_id}),
        ));
        assert_eq!(read["booking"]["status"], "CANCELLED", "{read}");
        assert_eq!(
            read["booking"]["failure"]["code"], "FLIGHT_CANCELLED",
            "{read}"
        );
    }
    let query = "{ notifications { kind bookingId message } }";
    let alice = data(run(customer(ALICE), query, json!({})))["notifications"].clone();
    let bob = data(run(customer(BOB), query, json!({})))["notifications"].clone();
    assert_eq!(alice.as_array().unwrap().len(), 2, "{alice}");
    assert_eq!(bob.as_array().unwrap().len(), 1, "{bob}");
    assert_eq!(bob[0]["kind"], "FLIGHT_CANCELLED");
    assert_eq!(bob[0]["bookingId"], json!(booked[1].1));
    assert!(
        bob[0]["message"]
            .as_str()
            .unwrap()
            .contains("crew shortage"),
        "{bob}"
    );

    // Again: refused, and nothing changes.
    let again = run(admin(), cancel, id);
    bad_input(&again, "id");
    assert_eq!(notifications.sent.lock().unwrap().len(), 3);

    // A new departure time: the traveller on that flight hears of it, once.
    let local = retimed_flight
        .origin
        .time_zone
        .local(retimed_flight.departure + Duration::minutes(40));
    let retime = "mutation($id: ID!, $at: String!) { updateFlight(id: $id, input: { departureLocal: $at }) { id } }";
    let vars = json!({ "id": retimed_flight.id.as_str(), "at": local.format("%Y-%m-%dT%H:%M").to_string() });
    data(run(admin(), retime, vars));
    let bob = data(run(customer(BOB), query, json!({})))["notifications"].clone();
    assert_eq!(bob.as_array().unwrap().len(), 2, "{bob}");
    assert_eq!(bob[0]["kind"], "FLIGHT_RETIMED", "newest first: {bob}");
    assert_eq!(bob[0]["bookingId"], on_retimed["id"]);
    assert!(
        bob[0]["message"]
            .as_str()
            .unwrap()
            .contains(&local.format("%H:%M").to_string()),
        "{bob}"
    );
    failure(&run(Viewer::Anonymous, query, json!({})), "UNAUTHENTICATED");
}
