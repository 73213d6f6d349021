//! The booking suite (`booking_suite`) with the embedded sandbox payment provider, and
//! the proof that its Stripe-compatible API stays off unless a server turns it on.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod booking_suite;

use airline_e2e::{ensure, DevServer, Failed, ServerOptions, Test};

fn main() {
    let own: &[Test] = airline_e2e::tests![the_stripe_compatible_sandbox_api_is_off_by_default];
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
