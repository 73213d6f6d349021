//! The booking suite (`booking_suite`) with the embedded sandbox payment provider, and
//! the proof that its Stripe-compatible API stays off unless a server turns it on.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod booking_suite;

use airline_e2e::{
    booking_input, ensure, new_key, CardBehaviour, Customer, DevServer, Failed, ServerOptions, Test,
};

/// A day of the seeded timetable after those the suite books on.
const LEGACY_TOKEN_DAY: i64 = 23;

fn main() {
    let own: &[Test] = airline_e2e::tests![
        the_stripe_compatible_sandbox_api_is_off_by_default,
        a_card_tokenized_before_tokens_named_their_behaviour_still_pays,
    ];
    let tests: Vec<Test> = booking_suite::TESTS.iter().chain(own).copied().collect();
    airline_e2e::run_suite(ServerOptions::default(), &tests)
}

fn the_stripe_compatible_sandbox_api_is_off_by_default(server: &DevServer) -> Result<(), Failed> {
    let response = server.request(
        "POST",
        "/sandbox/stripe/v1/payment_intents",
        &[
            ("Authorization", "Bearer sk_test_anything"),
            ("Idempotency-Key", "k"),
        ],
        b"amount=100&currency=eur&payment_method=pm_card_visa&capture_method=manual&confirm=true",
    )?;
    ensure!(
        response.status == 404,
        "{} {}",
        response.status,
        response.body
    );
    let rows = server.d1("SELECT count(*) AS n FROM payments WHERE token = 'pm_card_visa'")?;
    ensure!(rows[0]["n"] == 0, "nothing charged: {rows:?}");
    Ok(())
}

/// Tokens now say what their card does (`tok_succeeds_…`), so paying needs no lookup. A
/// card tokenized before that (`tok_` and random hex only) still pays: the sandbox looks
/// its behaviour up in the token store.
fn a_card_tokenized_before_tokens_named_their_behaviour_still_pays(
    server: &DevServer,
) -> Result<(), Failed> {
    let who = Customer::sign_up(server, "legacy-token");
    let card = who.card(server, CardBehaviour::Succeeds);
    ensure!(card.starts_with("tok_succeeds_"), "a new token: {card}");
    let random = card.rsplit('_').next().unwrap_or_default();
    let legacy = format!("tok_{random}");
    server.d1(&format!(
        "UPDATE payment_tokens SET token = '{legacy}' WHERE token = '{card}'"
    ))?;

    let flight = booking_suite::flight(server, "JFK", "LHR", LEGACY_TOKEN_DAY)?;
    let input = booking_input(&flight.id, None, 1, &legacy, &new_key());
    let booking = who.book_confirmed(server, &input)?;
    let id = booking["id"].as_str().unwrap_or_default();
    booking_suite::d1_booking(server, id)?;
    let payment = server.d1(&format!(
        "SELECT token, status FROM payments WHERE idempotency_key = '{id}'"
    ))?;
    ensure!(
        payment.len() == 1
            && payment[0]["token"] == legacy.as_str()
            && payment[0]["status"] == "CAPTURED",
        "paid with the old token: {payment:?}"
    );
    Ok(())
}
