//! Stripe's wire format against recorded API traffic: the requests this crate builds must
//! match what Stripe expects byte for byte, and every recorded response must map onto the
//! outcome the booking saga relies on.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use airline_domain::{AccountId, BookingId, Currency, Money, PaymentToken};
use airline_payments::stripe::{
    self, api_base, authorize_request, capture_request, map_error, parse_authorize, parse_capture,
    parse_refund, parse_void, refund_request, void_request, API_BASE,
};
use airline_payments::{Authorization, PaymentError, PaymentRequest};

const AUTHORIZE_REQUEST: &str = include_str!("fixtures/stripe/authorize_request.txt");
const REQUIRES_CAPTURE: &str = include_str!("fixtures/stripe/payment_intent_requires_capture.json");
const REQUIRES_ACTION: &str = include_str!("fixtures/stripe/payment_intent_requires_action.json");
const CAPTURED: &str = include_str!("fixtures/stripe/payment_intent_captured.json");
const CANCELED: &str = include_str!("fixtures/stripe/payment_intent_canceled.json");
const REFUND_SUCCEEDED: &str = include_str!("fixtures/stripe/refund_succeeded.json");
const CARD_DECLINED: &str = include_str!("fixtures/stripe/error_card_declined.json");
const INSUFFICIENT_FUNDS: &str = include_str!("fixtures/stripe/error_insufficient_funds.json");
const RATE_LIMIT: &str = include_str!("fixtures/stripe/error_rate_limit.json");
const INVALID_REQUEST: &str = include_str!("fixtures/stripe/error_invalid_request.json");
const ALREADY_REFUNDED: &str = include_str!("fixtures/stripe/error_already_refunded.json");
const ALREADY_CANCELED: &str = include_str!("fixtures/stripe/error_already_canceled.json");
const IDEMPOTENCY: &str = include_str!("fixtures/stripe/error_idempotency.json");

const PAYMENT_ID: &str = "pi_3PbZt2LkdIwHu7ix1Jd7mQ0a";
const SECRET: &str = "sk_test_fixture";

fn payment_request() -> PaymentRequest {
    PaymentRequest {
        idempotency_key: "bk_0123456789abcdef01234567".to_owned(),
        amount: Money::from_minor(12345, Currency::parse("currency", "USD").unwrap()),
        payment_token: PaymentToken::trusted("pm_card_visa"),
        description: "Edge Airline booking bk_0123456789abcdef01234567".to_owned(),
        booking_id: BookingId::parse("bk_0123456789abcdef01234567").expect("a booking id"),
        customer_id: AccountId::trusted("acct_1"),
    }
}

fn gbp(minor: i64) -> Money {
    Money::from_minor(minor, Currency::parse("currency", "GBP").unwrap())
}

fn header<'a>(headers: &'a [(&'static str, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.as_str())
}

fn assert_headers(request: &stripe::StripeRequest, idempotency_key: &str) {
    let headers = request.headers(SECRET);
    assert_eq!(
        header(&headers, "Authorization"),
        Some("Bearer sk_test_fixture")
    );
    assert_eq!(
        header(&headers, "Content-Type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(header(&headers, "Idempotency-Key"), Some(idempotency_key));
    assert_eq!(header(&headers, "Stripe-Version"), Some("2024-06-20"));
    assert_eq!(headers.len(), 4);
    // The request itself never carries the key, so it can be logged.
    assert!(!format!("{request:?}").contains(SECRET));
}

fn declined(code: &str, message: &str) -> PaymentError {
    PaymentError::Declined {
        code: code.to_owned(),
        message: message.to_owned(),
    }
}

fn permanent_detail(error: PaymentError) -> String {
    match error {
        PaymentError::Permanent(detail) => detail,
        other => panic!("expected a permanent failure, got {other:?}"),
    }
}

/// The PaymentIntent Stripe embeds in an error, as it would come back from a retrieve.
fn embedded_payment_intent(error_body: &str) -> String {
    let value: serde_json::Value = serde_json::from_str(error_body).unwrap();
    serde_json::to_string(&value["error"]["payment_intent"]).unwrap()
}

#[test]
fn authorize_request_matches_the_recording() {
    let request = authorize_request(&payment_request());
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/v1/payment_intents");
    assert_eq!(
        request.url(API_BASE),
        "https://api.stripe.com/v1/payment_intents"
    );
    assert_eq!(request.body(), AUTHORIZE_REQUEST.trim_end());
    assert_eq!(
        request.idempotency_key,
        "bk_0123456789abcdef01234567:authorize"
    );
    assert_headers(&request, "bk_0123456789abcdef01234567:authorize");
}

/// Stripe's own base by default; `STRIPE_API_BASE` may point at any http(s) base.
#[test]
fn the_api_base_is_stripe_unless_configured() {
    assert_eq!(api_base(None).unwrap(), API_BASE);
    assert_eq!(api_base(Some("  ")).unwrap(), API_BASE);
    let local = api_base(Some("http://127.0.0.1:8787/sandbox/stripe/")).unwrap();
    assert_eq!(local, "http://127.0.0.1:8787/sandbox/stripe");
    assert_eq!(
        refund_request(PAYMENT_ID, "bk_1", &gbp(100)).url(&local),
        "http://127.0.0.1:8787/sandbox/stripe/v1/refunds"
    );
    for bad in ["ftp://example.com", "api.stripe.com", "https://x/?a=1"] {
        assert!(
            matches!(api_base(Some(bad)), Err(PaymentError::Permanent(_))),
            "{bad}"
        );
    }
}

#[test]
fn capture_void_and_refund_requests() {
    let capture = capture_request(PAYMENT_ID, "bk_0123456789abcdef01234567");
    assert_eq!(capture.method, "POST");
    assert_eq!(
        capture.url(API_BASE),
        format!("https://api.stripe.com/v1/payment_intents/{PAYMENT_ID}/capture")
    );
    assert_eq!(capture.body(), "");
    assert_headers(&capture, "bk_0123456789abcdef01234567:capture");

    let void = void_request(PAYMENT_ID, "bk_0123456789abcdef01234567");
    assert_eq!(void.method, "POST");
    assert_eq!(
        void.url(API_BASE),
        format!("https://api.stripe.com/v1/payment_intents/{PAYMENT_ID}/cancel")
    );
    assert_eq!(void.body(), "cancellation_reason=abandoned");
    assert_headers(&void, "bk_0123456789abcdef01234567:void");

    // A Standard fare's refund: the fare less its fee, not the whole payment.
    let refund = refund_request(PAYMENT_ID, "bk_0123456789abcdef01234567", &gbp(21_500));
    assert_eq!(refund.method, "POST");
    assert_eq!(refund.url(API_BASE), "https://api.stripe.com/v1/refunds");
    assert_eq!(
        refund.body(),
        format!("payment_intent={PAYMENT_ID}&amount=21500")
    );
    assert_headers(&refund, "bk_0123456789abcdef01234567:refund");
}

#[test]
fn every_operation_has_its_own_idempotency_key() {
    let keys = [
        authorize_request(&payment_request()).idempotency_key,
        capture_request(PAYMENT_ID, "bk_0123456789abcdef01234567").idempotency_key,
        void_request(PAYMENT_ID, "bk_0123456789abcdef01234567").idempotency_key,
        refund_request(PAYMENT_ID, "bk_0123456789abcdef01234567", &gbp(100)).idempotency_key,
    ];
    for (i, key) in keys.iter().enumerate() {
        assert!(key.starts_with("bk_0123456789abcdef01234567:"), "{key}");
        assert!(keys[i + 1..].iter().all(|other| other != key), "{key}");
    }
}

#[test]
fn an_authorized_intent_yields_its_id() {
    assert_eq!(
        parse_authorize(200, REQUIRES_CAPTURE),
        Ok(Authorization {
            payment_id: PAYMENT_ID.to_owned(),
        })
    );
}

#[test]
fn an_intent_that_needs_3d_secure_is_declined() {
    assert_eq!(
        parse_authorize(200, REQUIRES_ACTION),
        Err(declined(
            "authentication_required",
            "Your card was declined. This transaction requires authentication."
        ))
    );
}

#[test]
fn an_intent_left_needing_a_payment_method_carries_its_decline() {
    assert_eq!(
        parse_authorize(200, &embedded_payment_intent(CARD_DECLINED)),
        Err(declined("generic_decline", "Your card was declined."))
    );
    assert_eq!(
        parse_authorize(200, &embedded_payment_intent(INSUFFICIENT_FUNDS)),
        Err(declined(
            "insufficient_funds",
            "Your card has insufficient funds."
        ))
    );
}

#[test]
fn card_errors_are_declines() {
    let expected_declined = declined("generic_decline", "Your card was declined.");
    assert_eq!(map_error(402, CARD_DECLINED), expected_declined);
    assert_eq!(parse_authorize(402, CARD_DECLINED), Err(expected_declined));

    let expected_funds = declined("insufficient_funds", "Your card has insufficient funds.");
    assert_eq!(map_error(402, INSUFFICIENT_FUNDS), expected_funds);
    assert_eq!(
        parse_authorize(402, INSUFFICIENT_FUNDS),
        Err(expected_funds)
    );
}

#[test]
fn rate_limits_and_idempotency_conflicts_are_transient() {
    for (status, body) in [(429, RATE_LIMIT), (409, IDEMPOTENCY)] {
        assert!(map_error(status, body).is_transient(), "{status}");
        assert!(parse_authorize(status, body).unwrap_err().is_transient());
        assert!(parse_capture(status, body).unwrap_err().is_transient());
        assert!(parse_void(status, body).unwrap_err().is_transient());
        assert!(parse_refund(status, body).unwrap_err().is_transient());
    }
    match map_error(409, IDEMPOTENCY) {
        PaymentError::Transient(detail) => assert!(
            detail.starts_with("stripe 409 idempotency_error/idempotency_key_in_use: "),
            "{detail}"
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn server_errors_are_transient() {
    let api_error = r#"{"error":{"message":"An unknown error occurred","type":"api_error"}}"#;
    for status in [500, 502, 503, 504] {
        assert!(map_error(status, api_error).is_transient(), "{status}");
        assert!(map_error(status, "<html>Bad gateway</html>").is_transient());
    }
}

#[test]
fn invalid_requests_are_permanent_and_described() {
    let detail = permanent_detail(map_error(400, INVALID_REQUEST));
    assert_eq!(
        detail,
        "stripe 400 invalid_request_error/resource_missing: No such PaymentMethod: 'pm_card_missing'"
    );
    for status in [401, 403, 404] {
        let detail = permanent_detail(map_error(status, INVALID_REQUEST));
        assert!(detail.starts_with(&format!("stripe {status} ")), "{detail}");
    }
    assert!(matches!(
        parse_authorize(400, INVALID_REQUEST),
        Err(PaymentError::Permanent(_))
    ));
    // An error body is never a success, whichever call it answers.
    assert!(parse_capture(400, INVALID_REQUEST).is_err());
    assert!(parse_void(404, INVALID_REQUEST).is_err());
    assert!(parse_refund(400, INVALID_REQUEST).is_err());
}

#[test]
fn capture_succeeds_on_a_captured_intent() {
    assert_eq!(parse_capture(200, CAPTURED), Ok(()));
    // A PaymentIntent still waiting for capture is not captured.
    assert!(matches!(
        parse_capture(200, REQUIRES_CAPTURE),
        Err(PaymentError::Permanent(_))
    ));
}

#[test]
fn void_succeeds_on_a_canceled_intent_and_when_already_canceled() {
    assert_eq!(parse_void(200, CANCELED), Ok(()));
    assert_eq!(parse_void(400, ALREADY_CANCELED), Ok(()));
    assert!(matches!(
        parse_void(200, CAPTURED),
        Err(PaymentError::Permanent(_))
    ));
    // Unexpected state, but for another reason: the capture did not happen.
    assert!(matches!(
        parse_capture(400, ALREADY_CANCELED),
        Err(PaymentError::Permanent(_))
    ));
}

#[test]
fn refund_succeeds_and_is_idempotent() {
    assert_eq!(parse_refund(200, REFUND_SUCCEEDED), Ok(()));
    assert_eq!(parse_refund(400, ALREADY_REFUNDED), Ok(()));
    // Only a refund counts as "already refunded".
    let detail = permanent_detail(map_error(400, ALREADY_REFUNDED));
    assert!(detail.contains("charge_already_refunded"), "{detail}");
}

#[test]
fn success_bodies_are_not_mistaken_for_other_operations() {
    assert!(parse_authorize(200, CAPTURED).is_err());
    assert!(parse_authorize(200, CANCELED).is_err());
    assert!(parse_capture(200, CANCELED).is_err());
    assert!(parse_refund(200, CAPTURED).is_err());
}
