//! The load test of the airline, built on goose. Two scenarios:
//!
//! - **traveller** (weight 3): signs up and signs in once, then over and over: searches a
//!   seeded route and day, reads the seat map of a flight it found, books one seat with
//!   the sandbox's test card, lists its bookings, reads its loyalty standing;
//! - **searcher** (weight 1): anonymous searches over GET, as the web app sends them
//!   (answered from the edge cache when one is warm).
//!
//! [`configuration`] reads goose's own flags: `--host URL` (a local `wrangler dev` or
//! staging), `--users N`, `--increase-rate N` (users started per second), `--run-time 30s`,
//! `--iterations N`, `--report-file report.md|.html|.json` (per-request p50/p95/p99,
//! throughput, errors). A GraphQL answer with errors counts as a failed request, not a
//! success. `cargo xtask load` (`./scripts/load.sh`) runs it against a fresh local server;
//! `tests/tests/load_smoke.rs` runs ten seconds of it in the test command.

use goose::prelude::*;
use serde_json::{json, Value};

pub use goose::config::GooseConfiguration;
pub use goose::metrics::GooseMetrics;
pub use goose::GooseError;

use crate::SEEDED_ROUTES;

const SEARCH: &str = "query($from: String!, $to: String!, $date: String!) { searchFlights(from: $from, to: $to, date: $date, first: 10) { edges { node { id seatsAvailable } } } }";

/// What a traveller keeps between its steps.
#[derive(Clone)]
struct Traveller {
    token: String,
    card: String,
    flight: Option<String>,
    round: u64,
}

/// Goose's command line (its flags, without a program name) as a configuration; `-h` or
/// `--help` is an error too (print [`help`] then).
pub fn configuration<S: AsRef<str>>(args: &[S]) -> Result<GooseConfiguration, GooseError> {
    GooseConfiguration::parse_args_default(args)
}

/// Whether `args` ask for help rather than a run.
pub fn asks_for_help<S: AsRef<str>>(args: &[S]) -> bool {
    args.iter()
        .any(|arg| matches!(arg.as_ref(), "-h" | "--help"))
}

/// Goose's help: every flag [`configuration`] takes, for a command named `name`.
pub fn help(name: &'static str) -> String {
    <GooseConfiguration as clap::CommandFactory>::command()
        .name(name)
        .render_help()
        .to_string()
}

/// Runs the load test as `configuration` says (the host, users, run time, report files)
/// on a runtime of its own, until it ends or Ctrl-C stops it (goose catches the first
/// Ctrl-C and still writes its reports); its metrics.
pub fn run(configuration: GooseConfiguration) -> Result<GooseMetrics, GooseError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(GooseError::Io)?;
    runtime.block_on(attack(configuration)?.execute())
}

/// The two scenarios, registered with `configuration`.
fn attack(configuration: GooseConfiguration) -> Result<GooseAttack, GooseError> {
    Ok(GooseAttack::initialize_with_config(configuration)?
        .register_scenario(
            scenario!("traveller")
                .set_weight(3)?
                .register_transaction(
                    transaction!(sign_up)
                        .set_on_start()
                        .set_name("sign up and in"),
                )
                .register_transaction(transaction!(search).set_name("search"))
                .register_transaction(transaction!(seat_map).set_name("seat map"))
                .register_transaction(transaction!(book).set_name("book"))
                .register_transaction(transaction!(list_bookings).set_name("list bookings"))
                .register_transaction(transaction!(read_loyalty).set_name("loyalty")),
        )
        .register_scenario(
            scenario!("searcher")
                .set_weight(1)?
                .register_transaction(transaction!(search_anonymously).set_name("search (GET)")),
        ))
}

/// One GraphQL call named `name` in the report; a GraphQL error marks it failed.
async fn graphql(
    user: &mut GooseUser,
    name: &str,
    query: &str,
    variables: Value,
    token: Option<&str>,
) -> Result<Value, Box<TransactionError>> {
    let mut builder = user
        .get_request_builder(&GooseMethod::Post, "/graphql")?
        .json(&json!({"query": query, "variables": variables}));
    if let Some(token) = token {
        builder = builder.bearer_auth(token);
    }
    let request = GooseRequest::builder()
        .set_request_builder(builder)
        .name(name)
        .build();
    let mut goose = user.request(request).await?;
    let body: Value = match goose.response {
        Ok(response) => response.json().await.unwrap_or(Value::Null),
        Err(_) => return Ok(Value::Null),
    };
    if body["data"].is_null() || !body["errors"].is_null() {
        let detail = body["errors"].to_string();
        return user
            .set_failure(name, &mut goose.request, None, Some(&detail))
            .map(|()| Value::Null);
    }
    Ok(body["data"].clone())
}

/// A seeded route and a day ahead, different for each user and round.
fn route_and_day(seed: u64) -> (&'static str, &'static str, String) {
    let (from, to) = SEEDED_ROUTES[(seed % SEEDED_ROUTES.len() as u64) as usize];
    let day = chrono::Utc::now().date_naive() + chrono::Duration::days(1 + (seed % 20) as i64);
    (from, to, day.to_string())
}

/// The traveller's state; `None` if signing up failed (already counted as a failure), so
/// the user's other steps do nothing rather than fail again.
fn traveller(user: &mut GooseUser) -> Option<&mut Traveller> {
    user.get_session_data_mut::<Traveller>()
}

async fn sign_up(user: &mut GooseUser) -> TransactionResult {
    let email = format!("load.{}@example.com", crate::nonce());
    let data = graphql(
        user,
        "sign up",
        "mutation($e: String!, $p: String!, $n: String!) { signUp(email: $e, password: $p, name: $n) { accessToken } }",
        json!({"e": email, "p": "load-test-password-1", "n": "Load Test"}),
        None,
    )
    .await?;
    if data["signUp"].is_null() {
        return Ok(());
    }
    // Then signs in, as a returning traveller would (the token used from here on).
    let data = graphql(
        user,
        "sign in",
        "mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { accessToken } }",
        json!({"e": email, "p": "load-test-password-1"}),
        None,
    )
    .await?;
    let token = data["signIn"]["accessToken"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let year = chrono::Datelike::year(&chrono::Utc::now()) + 2;
    let card = graphql(
        user,
        "tokenize card",
        "mutation($input: CardInput!) { tokenizeCard(input: $input) { token } }",
        json!({"input": {"number": "4242424242424242", "expMonth": 12, "expYear": year, "cvc": "123"}}),
        Some(&token),
    )
    .await?;
    let card = card["tokenizeCard"]["token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let round = u64::from(user.weighted_users_index as u32) * 7919;
    user.set_session_data(Traveller {
        token,
        card,
        flight: None,
        round,
    });
    Ok(())
}

async fn search(user: &mut GooseUser) -> TransactionResult {
    let Some(me) = traveller(user) else {
        return Ok(());
    };
    me.round += 1;
    let (from, to, date) = route_and_day(me.round);
    let token = me.token.clone();
    let data = graphql(
        user,
        "search",
        SEARCH,
        json!({"from": from, "to": to, "date": date}),
        Some(&token),
    )
    .await?;
    let flight = data["searchFlights"]["edges"]
        .as_array()
        .and_then(|edges| {
            edges
                .iter()
                .find(|edge| edge["node"]["seatsAvailable"].as_i64() > Some(0))
        })
        .and_then(|edge| edge["node"]["id"].as_str())
        .map(str::to_owned);
    if let Some(me) = traveller(user) {
        me.flight = flight;
    }
    Ok(())
}

async fn seat_map(user: &mut GooseUser) -> TransactionResult {
    let Some(me) = traveller(user) else {
        return Ok(());
    };
    let (Some(flight), token) = (me.flight.clone(), me.token.clone()) else {
        return Ok(());
    };
    graphql(
        user,
        "seat map",
        "query($id: ID!) { seatMap(flightId: $id) { seatsAvailable rows { number } } }",
        json!({"id": flight}),
        Some(&token),
    )
    .await?;
    Ok(())
}

async fn book(user: &mut GooseUser) -> TransactionResult {
    let Some(me) = traveller(user) else {
        return Ok(());
    };
    let (Some(flight), token, card) = (me.flight.clone(), me.token.clone(), me.card.clone()) else {
        return Ok(());
    };
    graphql(
        user,
        "book",
        "mutation($input: BookingInput!) { processBooking(input: $input) { id status } }",
        json!({"input": {
            "outboundFlightId": flight,
            "passengers": [{"firstName": "Load", "lastName": "Test"}],
            "paymentToken": card,
            "idempotencyKey": format!("load-{}", crate::nonce()),
        }}),
        Some(&token),
    )
    .await?;
    Ok(())
}

async fn list_bookings(user: &mut GooseUser) -> TransactionResult {
    read_as_traveller(
        user,
        "list bookings",
        "{ bookings(first: 10) { edges { node { id status } } } }",
    )
    .await
}

async fn read_loyalty(user: &mut GooseUser) -> TransactionResult {
    read_as_traveller(user, "loyalty", "{ loyalty { points tier } }").await
}

/// A query without variables, as the signed-in traveller.
async fn read_as_traveller(user: &mut GooseUser, name: &str, query: &str) -> TransactionResult {
    let Some(token) = traveller(user).map(|me| me.token.clone()) else {
        return Ok(());
    };
    graphql(user, name, query, json!({}), Some(&token)).await?;
    Ok(())
}

/// An anonymous search over GET, so the edge cache can answer it.
async fn search_anonymously(user: &mut GooseUser) -> TransactionResult {
    let seed = u64::from(user.weighted_users_index as u32) + rand_seed();
    let (from, to, date) = route_and_day(seed);
    let variables = json!({"from": from, "to": to, "date": date}).to_string();
    let mut path = String::from("/graphql?");
    path.push_str(
        &url::form_urlencoded::Serializer::new(String::new())
            .append_pair("query", SEARCH)
            .append_pair("variables", &variables)
            .finish(),
    );
    let request = GooseRequest::builder()
        .method(GooseMethod::Get)
        .path(path.as_str())
        .name("search (GET)")
        .build();
    let mut goose = user.request(request).await?;
    if let Ok(response) = goose.response {
        let body: Value = response.json().await.unwrap_or(Value::Null);
        if body["data"].is_null() {
            return user.set_failure(
                "search (GET)",
                &mut goose.request,
                None,
                Some(&body.to_string()),
            );
        }
    }
    Ok(())
}

/// A little variety between a searcher's rounds (the clock's nanoseconds).
fn rand_seed() -> u64 {
    u64::from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0),
    )
}
