//! What a booking costs in platform calls, and what that costs a traveller far from the
//! database: the bench's view of where a booking's writes go (`cargo xtask bench`, after
//! its ratio table).
//!
//! [`count_calls`] books one at a time against a server run with
//! `TRACE_PLATFORM_CALLS=on` and sorts every call it logs (`airline_platform::trace`)
//! into the answer's path (tagged with the booking's request id) and after it (the
//! outbox, the queues' consumers, the flight's read-model sync). [`MODEL`] and
//! [`modelled_ms`] turn counts into a traveller's wait; [`measure`] runs the same
//! bookings with those round trips waited for real (`FAR_EDGE_MODEL`).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use airline_e2e::{CardBehaviour, Customer, DevServer, ServerOptions};

use crate::Failure;

/// Round-trip times (ms) from a traveller's nearest Cloudflare location to D1's primary in
/// western Europe and to a flight's object (assumed to live there too: created by whoever
/// first asked about the flight, the airline's own admin in the worst case), and to a D1
/// read replica in the traveller's region. Rounded from public measurements: WonderProxy's
/// city-to-city pings (Paris-Sydney 349 ms, Paris-Brisbane 337 ms in 2011; today's
/// submarine cables bring London-Sydney to about 260-280 ms), London-São Paulo about
/// 190 ms, London-Frankfurt about 15 ms; a replica in the same region 10 ms.
pub const MODEL: [Location; 3] = [
    Location {
        name: "Sydney",
        primary_ms: 280,
        replica_ms: 10,
    },
    Location {
        name: "São Paulo",
        primary_ms: 190,
        replica_ms: 10,
    },
    Location {
        name: "Frankfurt",
        primary_ms: 15,
        replica_ms: 5,
    },
];

#[derive(Debug, Clone, Copy)]
pub struct Location {
    pub name: &'static str,
    /// To D1's primary and to the flight's object.
    pub primary_ms: u64,
    /// To a D1 replica nearby.
    pub replica_ms: u64,
}

impl Location {
    /// The `FAR_EDGE_MODEL` var that makes the Worker wait these round trips.
    pub fn var(&self) -> String {
        format!(
            "primary={},flight={},replica={}",
            self.primary_ms, self.primary_ms, self.replica_ms
        )
    }
}

/// The round trips a booking's answer waits for in sequence, by what they reach (calls
/// made at once count once).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CriticalPath {
    pub primary: u32,
    pub flight_object: u32,
    pub replica: u32,
    /// Objects created near the traveller (the booking's, a reference's): no WAN.
    pub local_object: u32,
}

/// The answer's path before the booking's object became its system of record, as the
/// code and its closing note counted it (sandbox payments in D1): processBooking's read
/// of the primary; the workflow object (local); the hold (flight object); authorize and
/// the UNCONFIRMED row at once (two primary writes, one round trip); capture (a primary
/// write) beside confirming the seats (flight object), one round trip; the CONFIRMED row
/// with its outbox entry (a primary write).
pub const BEFORE: CriticalPath = CriticalPath {
    primary: 4,
    flight_object: 1,
    replica: 0,
    local_object: 1,
};

/// The answer's path now, by the same reckoning: processBooking's read through a D1
/// session (a replica); the booking's object (local); the hold (flight object); the
/// sandbox's authorize (in the object's own storage); capture (local), confirming the
/// seats (flight object) and claiming the reference (an object created near the booking)
/// at once: one round trip to the flight's object. (The count below is measured; this is
/// its order.)
pub const AFTER: CriticalPath = CriticalPath {
    primary: 0,
    flight_object: 2,
    replica: 1,
    local_object: 2,
};

/// The wait `path` costs at `location`, in ms (the Worker's own time left out).
pub fn modelled_ms(path: CriticalPath, location: Location) -> u64 {
    u64::from(path.primary + path.flight_object) * location.primary_ms
        + u64::from(path.replica) * location.replica_ms
}

/// Calls of each kind (`d1_primary_write`, `object_call FLIGHT_INVENTORY`, ...): on the
/// answer's path, and after it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calls {
    pub answer: BTreeMap<String, usize>,
    pub after: BTreeMap<String, usize>,
}

fn kind_of(line: &Value) -> String {
    match line["target"].as_str() {
        Some(target) => format!("{} {target}", line["kind"].as_str().unwrap_or("?")),
        None => line["kind"].as_str().unwrap_or("?").to_owned(),
    }
}

const BOOK: &str =
    "mutation($input: BookingInput!) { processBooking(input: $input) { id status } }";

fn book_once(
    server: &DevServer,
    who: &Customer,
    card: &str,
    flight: &str,
) -> Result<(String, Duration), Failure> {
    let input = json!({
        "outboundFlightId": flight,
        "passengers": [{"firstName": "Far", "lastName": "Traveller"}],
        "paymentToken": card,
        "idempotencyKey": airline_e2e::new_key(),
    });
    let body = json!({"query": BOOK, "variables": {"input": input}}).to_string();
    let bearer = format!("Bearer {}", who.token);
    let started = Instant::now();
    let response = server
        .request(
            "POST",
            "/graphql",
            &[
                ("Content-Type", "application/json"),
                ("Authorization", bearer.as_str()),
            ],
            body.as_bytes(),
        )
        .map_err(|e| Failure::new(format!("booking: {e}")))?;
    let took = started.elapsed();
    let answer: Value = serde_json::from_str(&response.body).unwrap_or(Value::Null);
    if answer["data"]["processBooking"]["status"] != "CONFIRMED" {
        return Err(Failure::new(format!(
            "a booking was not confirmed (HTTP {}): {}",
            response.status, response.body
        )));
    }
    let request_id = response
        .header("X-Request-Id")
        .unwrap_or_default()
        .to_owned();
    Ok((request_id, took))
}

/// A fresh server with `vars`, a customer, a card and a flight to book on.
fn server_with(vars: &[(&str, String)]) -> Result<(DevServer, Customer, String, String), Failure> {
    let mut options = ServerOptions::default();
    options.vars.extend(
        vars.iter()
            .map(|(name, value)| ((*name).to_owned(), value.clone())),
    );
    let server = DevServer::start(options).map_err(|e| Failure::new(format!("dev server: {e}")))?;
    let admin = Customer::admin(&server, "far-edge-ops");
    let flight = admin.create_flight(&server, "EA8950", 28, "B738", 186);
    let who = Customer::sign_up(&server, "far-edge");
    let card = who.card(&server, CardBehaviour::Succeeds);
    Ok((server, who, card, flight))
}

impl Calls {
    /// Sorts `lines` (the server's `platform_call` log lines, in order) into the answer's
    /// path of the request `request_id` and after it.
    fn sort(request_id: &str, lines: impl IntoIterator<Item = Value>) -> Self {
        let mut calls = Calls::default();
        for line in lines {
            let bucket = if line["request_id"] == request_id {
                &mut calls.answer
            } else {
                &mut calls.after
            };
            *bucket.entry(kind_of(&line)).or_default() += 1;
        }
        calls
    }

    /// Every kind of call, with how many were on the answer's path and after it.
    pub fn table(&self) -> Vec<(&str, usize, usize)> {
        let kinds: std::collections::BTreeSet<&String> =
            self.answer.keys().chain(self.after.keys()).collect();
        kinds
            .into_iter()
            .map(|kind| {
                (
                    kind.as_str(),
                    self.answer.get(kind).copied().unwrap_or(0),
                    self.after.get(kind).copied().unwrap_or(0),
                )
            })
            .collect()
    }

    /// Round trips to D1's primary on the answer's path (reads and writes).
    pub fn primary_on_path(&self) -> usize {
        self.answer
            .iter()
            .filter(|(kind, _)| {
                kind.starts_with("d1_primary") || kind.starts_with("d1_session_write")
            })
            .map(|(_, n)| n)
            .sum()
    }
}

/// Books `bookings` times, one at a time, on a server tracing its calls; the calls of
/// the last booking (all are alike), sorted into its answer's path and after it.
pub fn count_calls(bookings: usize) -> Result<Calls, Failure> {
    let (server, who, card, flight) = server_with(&[("TRACE_PLATFORM_CALLS", "on".to_owned())])?;
    let mut calls = Calls::default();
    for _ in 0..bookings.max(1) {
        let before = server.structured_logs("platform_call").len();
        let (request_id, _) = book_once(&server, &who, &card, &flight)?;
        // What follows the answer: the outbox from the alarm, the consumers, the
        // flight's count. Quiet for a second and a half means done.
        let mut seen = 0;
        let mut quiet_since = Instant::now();
        let deadline = Instant::now() + Duration::from_secs(15);
        while quiet_since.elapsed() < Duration::from_millis(1_500) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(100));
            let now = server.structured_logs("platform_call").len();
            if now != seen {
                seen = now;
                quiet_since = Instant::now();
            }
        }
        calls = Calls::sort(
            &request_id,
            server
                .structured_logs("platform_call")
                .into_iter()
                .skip(before),
        );
    }
    server.stop();
    Ok(calls)
}

/// Books `bookings` times, one at a time, with `location`'s round trips waited before
/// each call; the median time to a confirmation, in ms.
pub fn measure(location: Location, bookings: usize) -> Result<f64, Failure> {
    let (server, who, card, flight) = server_with(&[("FAR_EDGE_MODEL", location.var())])?;
    let mut took = (0..bookings.max(1))
        .map(|_| book_once(&server, &who, &card, &flight).map(|(_, took)| took))
        .collect::<Result<Vec<Duration>, Failure>>()?;
    server.stop();
    took.sort();
    Ok(took
        .get(took.len() / 2)
        .map_or(0.0, |median| median.as_secs_f64() * 1e3))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_model_counts_round_trips_to_the_primary_and_the_flight_at_their_distance() {
        let sydney = MODEL[0];
        assert_eq!(modelled_ms(BEFORE, sydney), 5 * 280);
        assert_eq!(modelled_ms(AFTER, sydney), 2 * 280 + 10);
        assert_eq!(sydney.var(), "primary=280,flight=280,replica=10");
    }

    #[test]
    fn calls_are_sorted_by_the_request_they_belong_to_and_named_with_their_target() {
        let calls = Calls::sort(
            "req-1",
            [
                json!({"request_id": "req-1", "kind": "d1_replica_read"}),
                json!({"request_id": "req-1", "kind": "object_call", "target": "FLIGHT_INVENTORY"}),
                json!({"request_id": "req-1", "kind": "object_call", "target": "FLIGHT_INVENTORY"}),
                json!({"request_id": "req-1", "kind": "d1_session_write"}),
                json!({"kind": "d1_primary_write"}),
                json!({"request_id": "req-2", "kind": "object_call", "target": "FLIGHT_INVENTORY"}),
            ],
        );
        assert_eq!(
            calls.table(),
            [
                ("d1_primary_write", 0, 1),
                ("d1_replica_read", 1, 0),
                ("d1_session_write", 1, 0),
                ("object_call FLIGHT_INVENTORY", 2, 1),
            ]
        );
        assert_eq!(calls.primary_on_path(), 1);
    }
}
