//! Loyalty end to end against wrangler dev with its real local Queue: booking events
//! become ledger points, a redelivered event counts once, a cancellation takes back what
//! its booking earned, tiers turn at their thresholds, a poison message lands in the dead
//! letters without holding up the others and replays once after it is fixed, and the REST
//! API answers only signed requests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use airline_e2e::{
    booking_input, ensure, new_key, run_suite, CardBehaviour, Customer, DevServer, ServerOptions,
    Test,
};
use airline_e2e::{TEST_SERVICE_KEY_ID, TEST_SERVICE_SECRET};
use airline_loyalty::signing::sign;
use libtest_mimic::Failed;
use serde_json::{json, Value};

fn main() {
    let tests: &[Test] = airline_e2e::tests![
        a_confirmed_booking_earns_points_within_seconds,
        a_fare_in_any_currency_the_catalog_takes_books_and_earns,
        a_cancellation_revokes_exactly_what_its_booking_earned,
        a_duplicate_event_counts_once,
        a_cancellation_arriving_first_leaves_nothing_earned,
        tiers_turn_at_their_thresholds,
        a_poison_message_is_dead_lettered_and_replays_once_fixed,
        the_rest_api_answers_only_signed_requests,
        loyalty_is_private,
        reconciliation_repairs_a_lost_ledger_entry_and_a_drifted_seat_count,
        a_cancelled_flight_refunds_revokes_and_notifies_each_booking_once,
        points_left_unused_for_two_years_expire_once,
    ];
    let mut options = ServerOptions::default();
    // The reconciliation run judges anything older than a second (120 s by default).
    options
        .vars
        .push(("RECONCILE_GRACE_SECONDS".into(), "1".into()));
    run_suite(options, tests)
}

const LOYALTY: &str = "query($c: ID) { loyalty(customerId: $c) { customerId points tier remainingPoints progress history(first: 20) { edges { node { id kind points bookingId booking { id status } } } } } }";
const PUBLISH: &str = "mutation($b: String!) { publishLoyaltyEvent(body: $b) }";

fn loyalty(server: &DevServer, who: &Customer) -> Value {
    let body = who.ask(server, LOYALTY, json!({}));
    assert!(body["errors"].is_null(), "loyalty: {body}");
    body["data"]["loyalty"].clone()
}

/// Polls the customer's balance until it equals `points`; how long that took.
fn wait_for_points(server: &DevServer, who: &Customer, points: i64) -> Result<Duration, Failed> {
    let started = Instant::now();
    loop {
        let summary = loyalty(server, who);
        if summary["points"].as_i64() == Some(points) {
            return Ok(started.elapsed());
        }
        // Generous: a message whose first delivery failed waits about as long again
        // before its retry, and the suite shares two cores with the browser tests.
        if started.elapsed() > Duration::from_secs(90) {
            return Err(format!(
                "balance never reached {points}: {summary}\nthe server's log ends:\n{}",
                server.log_tail()
            )
            .into());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A version-1 booking event as the booking workflow publishes it.
fn event(kind: &str, booking: &str, customer: &str, amount: i64, currency: &str) -> Value {
    let suffix = if kind == "BookingConfirmed" {
        "confirmed"
    } else {
        "cancelled"
    };
    json!({
        "version": 1, "eventId": format!("{booking}:{suffix}"), "kind": kind,
        "bookingId": booking, "reference": null, "customerId": customer,
        "amount": amount, "currency": currency,
        "flights": [{"flightId": "EA1-20261201", "departureUtc": "2026-12-01T08:00:00Z"}],
        "occurredAt": "2026-11-29T00:00:00Z"
    })
}

fn publish(server: &DevServer, admin: &Customer, event: &Value) {
    let body = admin.ask(server, PUBLISH, json!({"b": event.to_string()}));
    assert!(body["errors"].is_null(), "publish: {body}");
}

/// Books one passenger on a JFK-LHR flight (fares in USD, so points = whole dollars).
fn book(server: &DevServer, who: &Customer, days_ahead: i64, key: &str) -> Value {
    let date = server.seed_start.plus_days(days_ahead).unwrap();
    let found = server.graphql(
        "query($d: String!) { searchFlights(from: \"JFK\", to: \"LHR\", date: $d) { edges { node { id } } } }",
        json!({"d": date.to_string()}),
    );
    let flight = found["data"]["searchFlights"]["edges"][0]["node"]["id"].clone();
    let card = who.card(server, CardBehaviour::Succeeds);
    let body = who.ask(
        server,
        "mutation($input: BookingInput!) { processBooking(input: $input) { id status total { amount currency } } }",
        json!({"input": {
            "outboundFlightId": flight,
            "passengers": [{"firstName": "Ada", "lastName": "Lovelace"}],
            "paymentToken": card, "idempotencyKey": key
        }}),
    );
    let booking = body["data"]["processBooking"].clone();
    assert_eq!(booking["status"], "CONFIRMED", "{body}");
    assert_eq!(booking["total"]["currency"], "USD", "{body}");
    booking
}

fn a_confirmed_booking_earns_points_within_seconds(server: &DevServer) -> Result<(), Failed> {
    let who = Customer::sign_up(server, "earner");
    let booking = book(server, &who, 12, "loyalty-earn-0001");
    let expected = booking["total"]["amount"].as_i64().unwrap() / 100;
    let waited = wait_for_points(server, &who, expected)?;
    let summary = loyalty(server, &who);
    let entries = summary["history"]["edges"].as_array().unwrap();
    ensure!(entries.len() == 1, "one ledger entry: {summary}");
    ensure!(
        entries[0]["node"]["kind"] == "EARN" && entries[0]["node"]["bookingId"] == booking["id"],
        "the entry names its booking: {summary}"
    );
    ensure!(
        entries[0]["node"]["booking"]["id"] == booking["id"]
            && entries[0]["node"]["booking"]["status"] == "CONFIRMED",
        "and leads to it: {summary}"
    );
    ensure!(summary["tier"] == "BRONZE", "{summary}");
    ensure!(
        summary["remainingPoints"].as_i64() == Some(50_000 - expected),
        "{summary}"
    );
    eprintln!(
        "loyalty: CONFIRMED to points visible in {} ms",
        waited.as_millis()
    );
    Ok(())
}

/// The case that once charged a traveller and credited nothing: an admin prices a flight
/// in NOK (any currency the catalog accepts), a traveller books it one way and as the
/// return of a USD round trip, and both bookings earn whole dollars at the reference rate.
fn a_fare_in_any_currency_the_catalog_takes_books_and_earns(
    server: &DevServer,
) -> Result<(), Failed> {
    let admin = Customer::admin(server, "ops-nok");
    let who = Customer::sign_up(server, "nok");
    let date = server.seed_start.plus_days(14).unwrap();
    let created = admin.ask(
        server,
        "mutation($input: CreateFlightInput!) { createFlight(input: $input) { id fare { amount currency } } }",
        json!({"input": {
            "flightNumber": "EA4010", "from": "LHR", "to": "JFK",
            "departureLocal": format!("{date}T10:00"), "durationMinutes": 470,
            "fare": {"amount": 450_000, "currency": "NOK"}, "aircraftType": "B789"
        }}),
    );
    ensure!(
        created["errors"].is_null(),
        "an admin may price in NOK: {created}"
    );
    let nok_flight = created["data"]["createFlight"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let card = who.card(server, CardBehaviour::Succeeds);
    let one_way = who.book_confirmed(
        server,
        &booking_input(&nok_flight, None, 1, &card, &new_key()),
    )?;
    ensure!(one_way["total"]["currency"] == "NOK", "{one_way}");

    let outbound = server.graphql(
        "query($d: String!) { searchFlights(from: \"JFK\", to: \"LHR\", date: $d) { edges { node { id } } } }",
        json!({"d": server.seed_start.plus_days(11).unwrap().to_string()}),
    );
    let outbound = outbound["data"]["searchFlights"]["edges"][0]["node"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let round_trip = who.book_confirmed(
        server,
        &booking_input(&outbound, Some(&nok_flight), 1, &card, &new_key()),
    )?;
    ensure!(
        round_trip["total"]["currency"] == "USD",
        "charged in the outbound's currency: {round_trip}"
    );

    let earned: i64 = [&one_way, &round_trip]
        .iter()
        .map(|booking| points_for_total(&booking["total"]))
        .sum();
    ensure!(earned > 0, "{one_way} {round_trip}");
    wait_for_points(server, &who, earned)?;
    Ok(())
}

/// What the ledger's rule credits for a booking total as the API shows it.
fn points_for_total(total: &Value) -> i64 {
    let currency =
        airline_domain::Currency::parse("currency", total["currency"].as_str().unwrap()).unwrap();
    let minor = total["amount"].as_i64().unwrap();
    airline_loyalty::ledger::points_for(airline_domain::Money::from_minor(minor, currency)).unwrap()
}

fn a_cancellation_revokes_exactly_what_its_booking_earned(
    server: &DevServer,
) -> Result<(), Failed> {
    let who = Customer::sign_up(server, "canceller");
    let kept = book(server, &who, 13, "loyalty-keep-0001");
    let cancelled = book(server, &who, 14, "loyalty-drop-0001");
    let kept_points = kept["total"]["amount"].as_i64().unwrap() / 100;
    let dropped_points = cancelled["total"]["amount"].as_i64().unwrap() / 100;
    wait_for_points(server, &who, kept_points + dropped_points)?;
    let body = who.ask(
        server,
        "mutation($id: ID!) { cancelBooking(id: $id) { status } }",
        json!({"id": cancelled["id"]}),
    );
    ensure!(
        body["data"]["cancelBooking"]["status"] == "CANCELLED",
        "{body}"
    );
    wait_for_points(server, &who, kept_points)?;
    let summary = loyalty(server, &who);
    let revokes: Vec<&Value> = summary["history"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["node"]["kind"] == "REVOKE")
        .collect();
    ensure!(revokes.len() == 1, "one revoke entry: {summary}");
    ensure!(
        revokes[0]["node"]["points"].as_i64() == Some(-dropped_points)
            && revokes[0]["node"]["bookingId"] == cancelled["id"],
        "the revoke takes back what that booking earned: {summary}"
    );
    Ok(())
}

fn a_duplicate_event_counts_once(server: &DevServer) -> Result<(), Failed> {
    let admin = Customer::admin(server, "ops-dup");
    let who = Customer::sign_up(server, "duplicate");
    let confirmed = event("BookingConfirmed", "bk_dup1", &who.id, 12_345, "USD");
    publish(server, &admin, &confirmed);
    publish(server, &admin, &confirmed);
    wait_for_points(server, &who, 123)?;
    // A third copy, after the first was applied, still changes nothing.
    publish(server, &admin, &confirmed);
    std::thread::sleep(Duration::from_secs(3));
    let summary = loyalty(server, &who);
    ensure!(summary["points"] == 123, "counted once: {summary}");
    ensure!(
        summary["history"]["edges"].as_array().map(Vec::len) == Some(1),
        "one entry: {summary}"
    );
    Ok(())
}

/// Queues do not promise order: a cancellation may be applied before the confirmation of
/// its booking, which must then earn nothing.
fn a_cancellation_arriving_first_leaves_nothing_earned(server: &DevServer) -> Result<(), Failed> {
    let admin = Customer::admin(server, "ops-order");
    let who = Customer::sign_up(server, "reordered");
    publish(
        server,
        &admin,
        &event("BookingCancelled", "bk_order1", &who.id, 40_000, "USD"),
    );
    let started = Instant::now();
    while loyalty(server, &who)["history"]["edges"]
        .as_array()
        .is_none_or(Vec::is_empty)
    {
        ensure!(
            started.elapsed() < Duration::from_secs(30),
            "the cancellation never landed"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    publish(
        server,
        &admin,
        &event("BookingConfirmed", "bk_order1", &who.id, 40_000, "USD"),
    );
    let started = Instant::now();
    loop {
        let summary = loyalty(server, &who);
        let entries = summary["history"]["edges"].as_array().unwrap().len();
        if entries == 2 {
            ensure!(
                summary["points"] == 0,
                "a cancelled booking earns nothing: {summary}"
            );
            return Ok(());
        }
        ensure!(
            started.elapsed() < Duration::from_secs(30),
            "the confirmation never landed: {summary}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn tiers_turn_at_their_thresholds(server: &DevServer) -> Result<(), Failed> {
    let admin = Customer::admin(server, "ops-tiers");
    let who = Customer::sign_up(server, "tiers");
    // (dollars paid by the next booking, balance after it, tier, points to the next tier)
    let steps = [
        (49_999, 49_999, "BRONZE", 1),
        (1, 50_000, "SILVER", 50_000),
        (49_999, 99_999, "SILVER", 1),
        (1, 100_000, "GOLD", 0),
    ];
    for (n, (dollars, balance, tier, remaining)) in steps.into_iter().enumerate() {
        let booking = format!("bk_tier{n}");
        publish(
            server,
            &admin,
            &event("BookingConfirmed", &booking, &who.id, dollars * 100, "USD"),
        );
        wait_for_points(server, &who, balance)?;
        let summary = loyalty(server, &who);
        ensure!(
            summary["tier"] == tier && summary["remainingPoints"].as_i64() == Some(remaining),
            "at {balance}: expected {tier} with {remaining} to go, got {summary}"
        );
    }
    Ok(())
}

fn a_poison_message_is_dead_lettered_and_replays_once_fixed(
    server: &DevServer,
) -> Result<(), Failed> {
    let admin = Customer::admin(server, "ops-dlq");
    let who = Customer::sign_up(server, "poisoned");
    // The event id names another booking: the consumer refuses it on every delivery.
    let mut poison = event("BookingConfirmed", "bk_poison", &who.id, 50_000, "USD");
    poison["eventId"] = json!("bk_other:confirmed");
    publish(server, &admin, &poison);
    let good = event("BookingConfirmed", "bk_fine", &who.id, 10_000, "USD");
    publish(server, &admin, &good);
    // The good message is not held up by the poison one.
    wait_for_points(server, &who, 100)?;

    let started = Instant::now();
    let letter = loop {
        let body = admin.ask(
            server,
            "{ loyaltyDeadLetters(first: 50) { id body error replayedAt } }",
            json!({}),
        );
        let found = body["data"]["loyaltyDeadLetters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["body"].as_str().is_some_and(|b| b.contains("bk_poison")))
            .cloned();
        if let Some(letter) = found {
            break letter;
        }
        // Retries back off with the message's age (capped at a minute each), three times:
        // on a busy machine a late first delivery stretches every delay after it.
        ensure!(
            started.elapsed() < Duration::from_secs(240),
            "the poison message never reached the dead letters: {body}"
        );
        std::thread::sleep(Duration::from_millis(500));
    };
    ensure!(
        letter["error"].as_str().unwrap().contains("inconsistent"),
        "the dead letter says why: {letter}"
    );
    ensure!(
        loyalty(server, &who)["points"] == 100,
        "the poison earned nothing"
    );

    let fixed = event("BookingConfirmed", "bk_poison", &who.id, 50_000, "USD");
    for _ in 0..2 {
        let body = admin.ask(
            server,
            "mutation($id: ID!, $b: String) { replayLoyaltyDeadLetter(id: $id, body: $b) { replayedAt } }",
            json!({"id": letter["id"], "b": fixed.to_string()}),
        );
        ensure!(
            body["data"]["replayLoyaltyDeadLetter"]["replayedAt"].is_string(),
            "{body}"
        );
    }
    wait_for_points(server, &who, 600)?;
    std::thread::sleep(Duration::from_secs(3));
    ensure!(
        loyalty(server, &who)["points"] == 600,
        "replayed twice, applied once"
    );
    Ok(())
}

fn rest(server: &DevServer, path: &str, headers: &[(&str, String)]) -> (u16, Value) {
    let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let response = server.request("GET", path, &headers, b"").unwrap();
    (response.status, response.json())
}

fn signed(path: &str, at: i64, secret: &str) -> Vec<(&'static str, String)> {
    sign(TEST_SERVICE_KEY_ID, secret, "GET", path, b"", at).to_vec()
}

fn the_rest_api_answers_only_signed_requests(server: &DevServer) -> Result<(), Failed> {
    let admin = Customer::admin(server, "ops-rest");
    let who = Customer::sign_up(server, "rest");
    publish(
        server,
        &admin,
        &event("BookingConfirmed", "bk_rest", &who.id, 6_000_000, "USD"),
    );
    wait_for_points(server, &who, 60_000)?;
    let path = format!("/loyalty/{}", who.id);
    let now = chrono::Utc::now().timestamp();

    let (status, body) = rest(server, &path, &signed(&path, now, TEST_SERVICE_SECRET));
    ensure!(status == 200, "signed: {status} {body}");
    ensure!(
        body["points"] == 60_000 && body["tier"] == "SILVER" && body["remainingPoints"] == 40_000,
        "the same summary as GraphQL: {body}"
    );

    let unknown = "/loyalty/acct_nobody_at_all";
    let (status, body) = rest(server, unknown, &signed(unknown, now, TEST_SERVICE_SECRET));
    ensure!(
        status == 200 && body["points"] == 0 && body["tier"] == "BRONZE",
        "an unknown customer is a zero balance: {status} {body}"
    );

    let mut tampered = signed(&path, now, TEST_SERVICE_SECRET);
    let signature = &mut tampered[2].1;
    let first = if signature.starts_with('0') { "1" } else { "0" };
    signature.replace_range(0..1, first);
    let other_customer = signed("/loyalty/acct_someone_else", now, TEST_SERVICE_SECRET);
    let cases: Vec<(&str, Vec<(&str, String)>)> = vec![
        ("unsigned", Vec::new()),
        // A minute past the 300-second window either way: the requests before these take
        // a while on a loaded machine, and the server's clock moves on meanwhile.
        ("expired", signed(&path, now - 360, TEST_SERVICE_SECRET)),
        (
            "from the future",
            signed(&path, now + 360, TEST_SERVICE_SECRET),
        ),
        ("tampered signature", tampered),
        ("signed for another path", other_customer),
        (
            "wrong secret",
            signed(&path, now, "not-the-secret-0123456789abcdefgh"),
        ),
    ];
    for (what, headers) in cases {
        let (status, body) = rest(server, &path, &headers);
        ensure!(status == 401, "{what}: expected 401, got {status} {body}");
        ensure!(
            body.get("points").is_none(),
            "{what}: no data leaks: {body}"
        );
    }
    Ok(())
}

fn loyalty_is_private(server: &DevServer) -> Result<(), Failed> {
    let admin = Customer::admin(server, "ops-private");
    let alice = Customer::sign_up(server, "alice");
    let bob = Customer::sign_up(server, "bob");
    let asked = bob.ask(server, LOYALTY, json!({"c": alice.id}));
    ensure!(
        asked["errors"][0]["extensions"]["code"] == "NOT_FOUND",
        "another customer's loyalty is NOT_FOUND: {asked}"
    );
    let asked = admin.ask(server, LOYALTY, json!({"c": alice.id}));
    ensure!(
        asked["data"]["loyalty"]["customerId"] == json!(alice.id),
        "admins see anyone's: {asked}"
    );
    let anonymous = server.graphql(LOYALTY, json!({}));
    ensure!(
        anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED",
        "{anonymous}"
    );
    let forbidden = bob.ask(server, PUBLISH, json!({"b": "{}"}));
    ensure!(
        forbidden["errors"][0]["extensions"]["code"] == "FORBIDDEN",
        "customers cannot publish events: {forbidden}"
    );
    let not_json = admin.ask(server, PUBLISH, json!({"b": "[1, 2]"}));
    ensure!(
        not_json["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT",
        "{not_json}"
    );
    Ok(())
}

/// The outbox records a booking's event and marks it sent; when its ledger entry goes
/// missing anyway (a queue that lost the message) and D1's seat count drifts from the
/// inventory's, one reconciliation run puts both right and says so in its report.
fn reconciliation_repairs_a_lost_ledger_entry_and_a_drifted_seat_count(
    server: &DevServer,
) -> Result<(), Failed> {
    let admin = Customer::admin(server, "ops-reconcile");
    let who = Customer::sign_up(server, "reconcile");
    let booking = book(server, &who, 16, "loyalty-reconcile-0001");
    let booking_id = booking["id"].as_str().unwrap().to_owned();
    let points = booking["total"]["amount"].as_i64().unwrap() / 100;
    wait_for_points(server, &who, points)?;

    let event_id = format!("{booking_id}:confirmed");
    let outbox = server.d1(&format!(
        "SELECT sent_at, resent FROM booking_events WHERE event_id = '{event_id}'"
    ))?;
    ensure!(
        outbox.len() == 1 && outbox[0]["sent_at"].is_string() && outbox[0]["resent"] == 0,
        "the outbox holds the event, marked sent: {outbox:?}"
    );

    let flight_id = who.booking(server, &booking_id)["data"]["booking"]["flights"][0]["flight"]
        ["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let seats = |server: &DevServer| {
        let body = server.graphql(
            "query($id: ID!) { flight(id: $id) { seatsAvailable } }",
            json!({"id": flight_id}),
        );
        body["data"]["flight"]["seatsAvailable"].as_i64().unwrap()
    };
    let free = seats(server);
    server.d1(&format!(
        "DELETE FROM loyalty_ledger WHERE entry_id = '{event_id}'"
    ))?;
    server.d1(&format!(
        "UPDATE flights SET seats_available = 3 WHERE id = '{flight_id}'"
    ))?;
    ensure!(loyalty(server, &who)["points"] == 0, "the entry is gone");
    ensure!(seats(server) == 3, "the count has drifted");

    std::thread::sleep(Duration::from_millis(1_500)); // past the grace period
    server.run_scheduled()?;
    let runs = admin.ask(
        server,
        "{ reconciliationRuns(first: 5) { clean eventsResent seatsRepaired { flightId was now } errors } }",
        json!({}),
    );
    ensure!(
        seats(server) == free,
        "the seat count is the inventory's again ({free}): {runs}\n{}",
        server.log_tail()
    );
    wait_for_points(server, &who, points)?;

    let run = runs["data"]["reconciliationRuns"]
        .as_array()
        .and_then(|runs| {
            runs.iter().find(|run| {
                run["eventsResent"]
                    .as_array()
                    .is_some_and(|ids| ids.contains(&json!(event_id)))
            })
        })
        .cloned()
        .ok_or_else(|| format!("a run resent {event_id}: {runs}"))?;
    ensure!(run["clean"] == false, "{run}");
    ensure!(
        run["seatsRepaired"]
            .as_array()
            .unwrap()
            .contains(&json!({"flightId": flight_id, "was": 3, "now": free})),
        "the report names the repair: {run}"
    );
    let outbox = server.d1(&format!(
        "SELECT resent FROM booking_events WHERE event_id = '{event_id}'"
    ))?;
    ensure!(outbox[0]["resent"] == 1, "{outbox:?}");
    Ok(())
}

/// The airline cancels a flight with three bookings on it: three CANCELLED bookings
/// (FLIGHT_CANCELLED), three refunds, no points left, three notifications delivered; and
/// cancelling it again changes nothing.
fn a_cancelled_flight_refunds_revokes_and_notifies_each_booking_once(
    server: &DevServer,
) -> Result<(), Failed> {
    let admin = Customer::admin(server, "ops-disrupt");
    let date = server.seed_start.plus_days(20).unwrap();
    let created = admin.ask(
        server,
        "mutation($input: CreateFlightInput!) { createFlight(input: $input) { id } }",
        json!({"input": {
            "flightNumber": "EA5000", "from": "LHR", "to": "JFK",
            "departureLocal": format!("{date}T12:00"), "durationMinutes": 470,
            "fare": {"amount": 39_900, "currency": "GBP"}, "aircraftType": "B789"
        }}),
    );
    ensure!(created["errors"].is_null(), "{created}");
    let flight = created["data"]["createFlight"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let mut booked = Vec::new();
    for tag in ["disrupt-a", "disrupt-b", "disrupt-c"] {
        let who = Customer::sign_up(server, tag);
        let card = who.card(server, CardBehaviour::Succeeds);
        let booking =
            who.book_confirmed(server, &booking_input(&flight, None, 1, &card, &new_key()))?;
        wait_for_points(server, &who, points_for_total(&booking["total"]))?;
        booked.push((who, booking["id"].as_str().unwrap().to_owned()));
    }
    let ids = booked
        .iter()
        .map(|(_, id)| format!("'{id}'"))
        .collect::<Vec<_>>()
        .join(",");

    let cancel =
        "mutation($id: ID!) { cancelFlight(id: $id, reason: \"crew shortage\") { status } }";
    let body = admin.ask(server, cancel, json!({"id": flight}));
    ensure!(
        body["data"]["cancelFlight"]["status"] == "CANCELLED",
        "{body}"
    );
    for (who, id) in &booked {
        let booking = who.read_booking(server, id)?;
        ensure!(
            booking["status"] == "CANCELLED" && booking["failure"]["code"] == "FLIGHT_CANCELLED",
            "{booking}"
        );
        wait_for_points(server, who, 0)?;
        let notes = who.ask(server, "{ notifications { kind bookingId } }", json!({}));
        ensure!(
            notes["data"]["notifications"]
                == json!([{"kind": "FLIGHT_CANCELLED", "bookingId": id}]),
            "one notification for the booking: {notes}"
        );
    }
    let refunded = |server: &DevServer| -> Result<u64, Failed> {
        Ok(server.d1(&format!(
            "SELECT count(*) AS n FROM payments WHERE status = 'REFUNDED' AND idempotency_key IN ({ids})"
        ))?[0]["n"]
            .as_u64()
            .unwrap())
    };
    ensure!(refunded(server)? == 3, "three refunds");
    let started = Instant::now();
    loop {
        let delivered = server.d1(&format!(
            "SELECT count(*) AS n FROM notifications WHERE delivered_at IS NOT NULL AND booking_id IN ({ids})"
        ))?[0]["n"]
            .as_u64()
            .unwrap();
        if delivered == 3 {
            break;
        }
        ensure!(
            started.elapsed() < Duration::from_secs(30),
            "{delivered} of 3 notifications delivered"
        );
        std::thread::sleep(Duration::from_millis(200));
    }

    let again = admin.ask(server, cancel, json!({"id": flight}));
    ensure!(
        again["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT",
        "cancelling again is refused: {again}"
    );
    let notified = server.d1(&format!(
        "SELECT count(*) AS n FROM notifications WHERE booking_id IN ({ids})"
    ))?[0]["n"]
        .as_u64()
        .unwrap();
    ensure!(
        refunded(server)? == 3 && notified == 3,
        "and nothing changed"
    );
    Ok(())
}

/// A customer whose last ledger entry is older than the programme's 730 days loses the
/// balance to one EXPIRE entry, which history shows and the run's report names; a second
/// run expires nothing more.
fn points_left_unused_for_two_years_expire_once(server: &DevServer) -> Result<(), Failed> {
    let admin = Customer::admin(server, "ops-expiry");
    let who = Customer::sign_up(server, "expiry");
    let booking = book(server, &who, 17, "loyalty-expiry-0001");
    let points = booking["total"]["amount"].as_i64().unwrap() / 100;
    wait_for_points(server, &who, points)?;
    let customer_id = loyalty(server, &who)["customerId"]
        .as_str()
        .unwrap()
        .to_owned();

    // Three years ago, keeping the stored format ("YYYY-…").
    server.d1(&format!(
        "UPDATE loyalty_ledger SET created_at = printf('%04d', substr(created_at, 1, 4) - 3) || substr(created_at, 5)
         WHERE customer_id = '{customer_id}'"
    ))?;
    server.run_scheduled()?;
    server.run_scheduled()?;

    let summary = loyalty(server, &who);
    ensure!(summary["points"] == 0, "the balance expired: {summary}");
    let history = summary["history"]["edges"].as_array().unwrap();
    let expiries: Vec<&Value> = history
        .iter()
        .filter(|edge| edge["node"]["kind"] == "EXPIRE")
        .collect();
    ensure!(
        expiries.len() == 1 && expiries[0]["node"]["points"] == -points,
        "one EXPIRE entry of -{points}: {summary}"
    );
    ensure!(
        expiries[0]["node"]["booking"].is_null(),
        "no booking caused it: {summary}"
    );
    let runs = admin.ask(
        server,
        "{ reconciliationRuns(first: 5) { pointsExpired } }",
        json!({}),
    );
    let reported = runs["data"]["reconciliationRuns"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|run| {
            run["pointsExpired"]
                .as_array()
                .is_some_and(|ids| ids.contains(&json!(customer_id)))
        })
        .count();
    ensure!(reported == 1, "exactly one run expired the points: {runs}");
    Ok(())
}
