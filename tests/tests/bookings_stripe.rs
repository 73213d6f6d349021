//! The booking suite (`booking_suite`) with `PAYMENT_PROVIDER=stripe`: the real Stripe
//! adapter makes HTTP calls (form-encoded, `Idempotency-Key`, Stripe's errors) to the
//! sandbox's Stripe-compatible API, served by the same dev server under
//! `/sandbox/stripe` (`STRIPE_API_BASE`). Then that API itself, as any Stripe client
//! meets it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod booking_suite;

use airline_e2e::{ensure, DevServer, Failed, HttpResponse, Payments, ServerOptions, Test};
use serde_json::Value;

fn main() {
    let options = ServerOptions {
        payments: Payments::StripeOverHttp,
        ..ServerOptions::default()
    };
    let own: &[Test] = airline_e2e::tests![the_sandbox_api_answers_as_stripe_does];
    let tests: Vec<Test> = booking_suite::TESTS.iter().chain(own).copied().collect();
    airline_e2e::run_suite(options, &tests)
}

const KEY: &str = "Bearer sk_test_airline_e2e";

fn post(server: &DevServer, path: &str, headers: &[(&str, &str)], form: &str) -> HttpResponse {
    let mut all = vec![("Content-Type", "application/x-www-form-urlencoded")];
    all.extend_from_slice(headers);
    server
        .request(
            "POST",
            &format!("/sandbox/stripe{path}"),
            &all,
            form.as_bytes(),
        )
        .unwrap()
}

fn json(response: &HttpResponse) -> Value {
    serde_json::from_str(&response.body).unwrap_or(Value::Null)
}

/// Test keys only, an `Idempotency-Key` on every write, the first answer replayed to a
/// retry, the same key refused for another request, Stripe's 404s and parameter errors.
fn the_sandbox_api_answers_as_stripe_does(server: &DevServer) -> Result<(), Failed> {
    // The sandbox keeps each payment with its booking (in the booking's own object), so a
    // payment names one, as the saga's adapter always does.
    let booking = format!("bk_{:0>24}", airline_e2e::nonce());
    let form = format!(
        "amount=1250&currency=eur&payment_method=pm_card_visa&capture_method=manual&confirm=true&metadata[booking_id]={booking}"
    );
    let form = form.as_str();
    let anonymous = post(
        server,
        "/v1/payment_intents",
        &[("Idempotency-Key", "k1")],
        form,
    );
    ensure!(anonymous.status == 401, "no key: {}", anonymous.body);
    let live = post(
        server,
        "/v1/payment_intents",
        &[
            ("Authorization", "Bearer sk_live_x"),
            ("Idempotency-Key", "k1"),
        ],
        form,
    );
    ensure!(live.status == 401, "a live key: {}", live.body);
    let keyless = post(
        server,
        "/v1/payment_intents",
        &[("Authorization", KEY)],
        form,
    );
    ensure!(
        keyless.status == 400 && json(&keyless)["error"]["param"] == "Idempotency-Key",
        "{}",
        keyless.body
    );

    let key = format!("e2e-sandbox-{}", airline_e2e::nonce());
    let headers = [("Authorization", KEY), ("Idempotency-Key", key.as_str())];
    let first = post(server, "/v1/payment_intents", &headers, form);
    let intent = json(&first);
    ensure!(
        first.status == 200
            && intent["status"] == "requires_capture"
            && intent["amount"] == 1250
            && intent["currency"] == "eur",
        "{}",
        first.body
    );
    let again = post(server, "/v1/payment_intents", &headers, form);
    ensure!(
        again.status == 200
            && again.body == first.body
            && again.header("Idempotent-Replayed") == Some("true"),
        "a retry gets the first answer again: {} {:?}",
        again.body,
        again.headers
    );
    let other = post(
        server,
        "/v1/payment_intents",
        &headers,
        &form.replace("1250", "9999"),
    );
    ensure!(
        other.status == 400 && json(&other)["error"]["type"] == "idempotency_error",
        "{}",
        other.body
    );
    let id = intent["id"].as_str().unwrap();
    ensure!(
        id == format!("pi_sandbox_{booking}"),
        "the intent is the booking's: {id}"
    );
    let unnamed = post(
        server,
        "/v1/payment_intents",
        &[("Authorization", KEY), ("Idempotency-Key", "k-unnamed")],
        &form.replace(&format!("&metadata[booking_id]={booking}"), ""),
    );
    ensure!(
        unnamed.status == 400 && json(&unnamed)["error"]["param"] == "metadata[booking_id]",
        "a payment names its booking: {}",
        unnamed.body
    );

    let retrieved = server
        .request(
            "GET",
            &format!("/sandbox/stripe/v1/payment_intents/{id}"),
            &[("Authorization", KEY)],
            b"",
        )
        .unwrap();
    ensure!(
        json(&retrieved)["status"] == "requires_capture",
        "{}",
        retrieved.body
    );
    let cancel_key = format!("{key}:void");
    let cancel = post(
        server,
        &format!("/v1/payment_intents/{id}/cancel"),
        &[("Authorization", KEY), ("Idempotency-Key", &cancel_key)],
        "",
    );
    ensure!(json(&cancel)["status"] == "canceled", "{}", cancel.body);
    let capture_key = format!("{key}:capture");
    let capture = post(
        server,
        &format!("/v1/payment_intents/{id}/capture"),
        &[("Authorization", KEY), ("Idempotency-Key", &capture_key)],
        "",
    );
    let error = &json(&capture)["error"];
    ensure!(
        capture.status == 400
            && error["code"] == "payment_intent_unexpected_state"
            && error["payment_intent"]["status"] == "canceled",
        "a canceled intent is not captured: {}",
        capture.body
    );

    let missing = post(
        server,
        "/v1/payment_intents/pi_nope/capture",
        &[("Authorization", KEY), ("Idempotency-Key", "k-missing")],
        "",
    );
    ensure!(
        missing.status == 404 && json(&missing)["error"]["code"] == "resource_missing",
        "{}",
        missing.body
    );
    let unknown_card = post(
        server,
        "/v1/payment_intents",
        &[("Authorization", KEY), ("Idempotency-Key", "k-card")],
        &form.replace("pm_card_visa", "pm_card_unknown"),
    );
    ensure!(
        unknown_card.status == 400 && json(&unknown_card)["error"]["param"] == "payment_method",
        "{}",
        unknown_card.body
    );
    let charges = server
        .request(
            "GET",
            "/sandbox/stripe/v1/charges",
            &[("Authorization", KEY)],
            b"",
        )
        .unwrap();
    ensure!(charges.status == 404, "{}", charges.body);
    let huge = format!("{form}&description={}", "x".repeat(20_000));
    let too_large = post(
        server,
        "/v1/payment_intents",
        &[("Authorization", KEY), ("Idempotency-Key", "k-huge")],
        &huge,
    );
    ensure!(too_large.status == 413, "{}", too_large.body);
    Ok(())
}
