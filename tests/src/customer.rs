//! A signed-up traveller for the suites and benchmarks: an account, its access token,
//! sandbox payment cards named by what they do, and the booking calls a traveller makes.

use airline_payments::sandbox::{test_card, test_payment_method, CardBehaviour};
use libtest_mimic::Failed;
use serde_json::{json, Value};

use crate::{ensure, DevServer, Payments};

/// What the booking calls below ask for of a booking.
pub const BOOKING_FIELDS: &str = "id reference status step holdExpiresAt createdAt \
     failure { code message } flights { cabin seats flight { id } } \
     passengers { firstName lastName dateOfBirth } total { amount currency }";

/// The booking operations, as the suites send them (also without a token, to see them
/// refused).
pub fn process_booking_query() -> String {
    format!("mutation($input: BookingInput!) {{ processBooking(input: $input) {{ {BOOKING_FIELDS} }} }}")
}

pub fn booking_query() -> String {
    format!("query($id: ID!) {{ booking(id: $id) {{ {BOOKING_FIELDS} }} }}")
}

pub fn cancel_query() -> String {
    format!("mutation($id: ID!) {{ cancelBooking(id: $id) {{ {BOOKING_FIELDS} }} }}")
}

pub const BOOKINGS_LIST: &str =
    "query($status: BookingStatus, $first: Int, $after: String, $customer: ID) {
  bookings(status: $status, first: $first, after: $after, customerId: $customer) {
    edges { cursor node { id status createdAt } }
    pageInfo { hasNextPage endCursor }
  }
}";

const NAMES: [(&str, &str); 10] = [
    ("Ada", "Lovelace"),
    ("Grace", "Hopper"),
    ("Alan", "Turing"),
    ("Katherine", "Johnson"),
    ("Edsger", "Dijkstra"),
    ("Barbara", "Liskov"),
    ("Donald", "Knuth"),
    ("Frances", "Allen"),
    ("John", "Backus"),
    ("Margaret", "Hamilton"),
];

/// `count` passengers with real names, as BookingInput wants them.
pub fn passengers(count: usize) -> Vec<Value> {
    NAMES
        .iter()
        .cycle()
        .take(count)
        .map(|(first, last)| json!({"firstName": first, "lastName": last}))
        .collect()
}

/// A BookingInput: `count` passengers on `outbound` (and `inbound`), seats assigned.
pub fn booking_input(
    outbound: &str,
    inbound: Option<&str>,
    count: usize,
    payment_token: &str,
    key: &str,
) -> Value {
    json!({
        "outboundFlightId": outbound,
        "returnFlightId": inbound,
        "passengers": passengers(count),
        "paymentToken": payment_token,
        "idempotencyKey": key,
    })
}

/// A fresh idempotency key, as a client makes one per booking attempt.
pub fn new_key() -> String {
    format!("e2e-{}", nonce())
}

/// The password every test account uses.
pub const PASSWORD: &str = "correct horse battery";

/// A signed-up customer and their access token.
pub struct Customer {
    pub id: String,
    pub email: String,
    pub token: String,
}

/// A short random hex string, for unique emails and idempotency keys.
pub fn nonce() -> String {
    airline_auth::random_bytes::<8>()
        .map(|bytes| bytes.iter().map(|b| format!("{b:02x}")).collect())
        .unwrap_or_else(|_| format!("{:x}", std::process::id()))
}

impl Customer {
    /// Signs up `<tag>.<random>@example.com`.
    pub fn sign_up(server: &DevServer, tag: &str) -> Customer {
        let email = format!("{tag}.{}@example.com", nonce());
        let body = server.graphql(
            "mutation($e: String!, $p: String!, $n: String!) { signUp(email: $e, password: $p, name: $n) { accessToken account { id } } }",
            json!({"e": email, "p": PASSWORD, "n": "Ada Lovelace"}),
        );
        assert!(body["errors"].is_null(), "sign-up failed: {body}");
        let session = &body["data"]["signUp"];
        Customer {
            id: session["account"]["id"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            email,
            token: session["accessToken"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        }
    }

    /// Signs up and makes the account an admin (in D1, as scripts/make-admin.sh does),
    /// then signs in again so the token carries the role.
    pub fn admin(server: &DevServer, tag: &str) -> Customer {
        let mut customer = Customer::sign_up(server, tag);
        server
            .d1(&format!(
                "UPDATE accounts SET role = 'admin' WHERE id = '{}'",
                customer.id
            ))
            .unwrap_or_else(|e| panic!("promote: {e}"));
        let body = server.graphql(
            "mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { accessToken } }",
            json!({"e": customer.email, "p": PASSWORD}),
        );
        customer.token = body["data"]["signIn"]["accessToken"]
            .as_str()
            .unwrap_or_else(|| panic!("sign-in: {body}"))
            .to_owned();
        customer
    }

    /// A GraphQL request with this customer's token; the JSON body.
    pub fn ask(&self, server: &DevServer, query: &str, variables: Value) -> Value {
        server.graphql_as(Some(&self.token), query, variables)
    }

    /// The payment token of a test card that behaves as asked: the sandbox card,
    /// tokenized; or, with Stripe, the matching test PaymentMethod id.
    pub fn card(&self, server: &DevServer, behaviour: CardBehaviour) -> String {
        if server.payments == Payments::StripeOverHttp {
            return test_payment_method(behaviour).to_owned();
        }
        let number = test_card(behaviour);
        let year = chrono::Datelike::year(&chrono::Utc::now()) + 3;
        let body = self.ask(
            server,
            "mutation($input: CardInput!) { tokenizeCard(input: $input) { token last4 } }",
            json!({"input": {"number": number, "expMonth": 12, "expYear": year, "cvc": "123"}}),
        );
        assert!(body["errors"].is_null(), "tokenizeCard failed: {body}");
        let card = &body["data"]["tokenizeCard"];
        assert_eq!(
            card["last4"],
            json!(&number[number.len().saturating_sub(4)..]),
            "{body}"
        );
        card["token"].as_str().unwrap_or_default().to_owned()
    }

    /// As an admin: a new LHR-AMS flight `number` leaving at 09:00 local `days_ahead`
    /// days after the seed's first day, on `aircraft` sold with `seats` seats, so a test
    /// or a benchmark has seats no one else touches. Its id.
    pub fn create_flight(
        &self,
        server: &DevServer,
        number: &str,
        days_ahead: i64,
        aircraft: &str,
        seats: usize,
    ) -> String {
        let date = server
            .seed_start
            .plus_days(days_ahead)
            .expect("a date in range");
        let created = self.ask(
            server,
            "mutation($input: CreateFlightInput!) { createFlight(input: $input) { id } }",
            json!({"input": {
                "flightNumber": number, "from": "LHR", "to": "AMS",
                "departureLocal": format!("{date}T09:00"), "durationMinutes": 75,
                "fare": {"amount": 9900, "currency": "GBP"}, "aircraftType": aircraft,
                "seatCapacity": seats
            }}),
        );
        assert!(created["errors"].is_null(), "createFlight: {created}");
        created["data"]["createFlight"]["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// processBooking; the whole response body (data or errors).
    pub fn book(&self, server: &DevServer, input: &Value) -> Value {
        self.ask(server, &process_booking_query(), json!({"input": input}))
    }

    /// processBooking that must come back CONFIRMED; the booking.
    pub fn book_confirmed(&self, server: &DevServer, input: &Value) -> Result<Value, Failed> {
        let body = self.book(server, input);
        ensure!(body["errors"].is_null(), "booking failed: {body}");
        let booking = body["data"]["processBooking"].clone();
        ensure!(booking["status"] == "CONFIRMED", "not confirmed: {booking}");
        Ok(booking)
    }

    /// booking(id); the whole response body.
    pub fn booking(&self, server: &DevServer, id: &str) -> Value {
        self.ask(server, &booking_query(), json!({"id": id}))
    }

    /// booking(id), which must be visible; the booking.
    pub fn read_booking(&self, server: &DevServer, id: &str) -> Result<Value, Failed> {
        let body = self.booking(server, id);
        ensure!(body["errors"].is_null(), "booking({id}): {body}");
        Ok(body["data"]["booking"].clone())
    }

    /// cancelBooking(id); the whole response body.
    pub fn cancel(&self, server: &DevServer, id: &str) -> Value {
        self.ask(server, &cancel_query(), json!({"id": id}))
    }

    /// bookings(...) with these variables; the whole response body.
    pub fn list(&self, server: &DevServer, variables: Value) -> Value {
        self.ask(server, BOOKINGS_LIST, variables)
    }
}
