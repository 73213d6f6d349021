//! Stripe's PaymentIntents wire format: the form-encoded requests for authorize, capture,
//! void and refund, and how Stripe's JSON answers map onto [`Authorization`] and
//! [`PaymentError`].
//!
//! Pure: the Worker sends what [`StripeRequest`] describes over HTTPS and hands the status
//! and body back to the `parse_*` functions. Authorization uses manual capture, so money
//! is only held until the booking is recorded, and every call carries an idempotency key
//! derived from the booking's, so a retried call can never charge twice.
//!
//! One file on purpose: the requests and the parsing of their answers are one wire format.

use airline_domain::{Currency, Money};
use serde::Deserialize;

use crate::{Authorization, PaymentError, PaymentRequest};

/// Where Stripe's API lives; `STRIPE_API_BASE` points the adapter elsewhere (the
/// sandbox's Stripe-compatible face in local runs).
pub const API_BASE: &str = "https://api.stripe.com";

/// The API base to call: `configured` when set (an `http://` or `https://` URL without a
/// query or fragment; a trailing `/` is dropped), Stripe's own otherwise.
pub fn api_base(configured: Option<&str>) -> Result<String, PaymentError> {
    let Some(base) = configured.map(str::trim).filter(|base| !base.is_empty()) else {
        return Ok(API_BASE.to_owned());
    };
    let scheme_ok = base.starts_with("https://") || base.starts_with("http://");
    if !scheme_ok || base.contains(['?', '#', ' ']) {
        return Err(PaymentError::Permanent(format!(
            "STRIPE_API_BASE `{}` is not an http(s) URL",
            clean(base)
        )));
    }
    Ok(base.trim_end_matches('/').to_owned())
}

/// Pinned so that a change of the account's default API version cannot change the shapes
/// parsed here.
pub const API_VERSION: &str = "2024-06-20";

/// One call to Stripe's API, ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StripeRequest {
    pub method: &'static str,
    /// Starts with `/v1/`.
    pub path: String,
    /// In order; [`StripeRequest::body`] encodes them.
    pub form: Vec<(String, String)>,
    pub idempotency_key: String,
}

impl StripeRequest {
    /// The call's URL under `api_base` (from [`api_base`]).
    pub fn url(&self, api_base: &str) -> String {
        format!("{api_base}{}", self.path)
    }

    /// The form as `application/x-www-form-urlencoded`.
    pub fn body(&self) -> String {
        encode_form(&self.form)
    }

    /// Every header the call needs. The secret key is passed in rather than stored so that
    /// a request can be logged or persisted without it.
    pub fn headers(&self, secret_key: &str) -> Vec<(&'static str, String)> {
        vec![
            ("Authorization", format!("Bearer {secret_key}")),
            (
                "Content-Type",
                "application/x-www-form-urlencoded".to_owned(),
            ),
            ("Idempotency-Key", self.idempotency_key.clone()),
            ("Stripe-Version", API_VERSION.to_owned()),
        ]
    }
}

/// Creates and confirms a PaymentIntent with manual capture: the card is authorized now
/// and charged by [`capture_request`] once the booking is recorded.
pub fn authorize_request(req: &PaymentRequest) -> StripeRequest {
    let form = [
        ("amount", amount_on_wire(&req.amount).to_string()),
        (
            "currency",
            req.amount.currency().code().to_ascii_lowercase(),
        ),
        ("payment_method", req.payment_token.to_string()),
        ("confirm", "true".to_owned()),
        ("capture_method", "manual".to_owned()),
        ("description", req.description.clone()),
        ("metadata[booking_id]", req.booking_id.to_string()),
        // Cards only: a redirect-based method would need a return URL and a browser.
        ("payment_method_types[]", "card".to_owned()),
    ];
    StripeRequest {
        method: "POST",
        path: "/v1/payment_intents".to_owned(),
        form: form
            .into_iter()
            .map(|(key, value)| (key.to_owned(), value))
            .collect(),
        idempotency_key: format!("{}:authorize", req.idempotency_key),
    }
}

/// The amount in the unit Stripe expects, which is the currency's minor unit except for
/// ISK: Stripe still treats it as a two-decimal currency (an amount of 100 is 1 krona) and
/// requires whole krónur, while this system counts ISK with no decimals.
pub fn amount_on_wire(money: &Money) -> i64 {
    let minor = money.amount_minor();
    if money.currency().code() == "ISK" {
        // Saturating: an amount that large is far above Stripe's maximum and is refused
        // with a 400, never charged as a different amount.
        minor.saturating_mul(100)
    } else {
        minor
    }
}

/// The inverse of [`amount_on_wire`]: `None` for an ISK amount that is not whole krónur.
pub fn amount_from_wire(amount: i64, currency: Currency) -> Option<Money> {
    if currency.code() == "ISK" {
        (amount % 100 == 0).then(|| Money::from_minor(amount / 100, currency))
    } else {
        Some(Money::from_minor(amount, currency))
    }
}

/// Captures the full authorized amount.
pub fn capture_request(payment_id: &str, idempotency_key: &str) -> StripeRequest {
    StripeRequest {
        method: "POST",
        path: format!("/v1/payment_intents/{}/capture", path_segment(payment_id)),
        form: Vec::new(),
        idempotency_key: format!("{idempotency_key}:capture"),
    }
}

/// Cancels an uncaptured PaymentIntent, releasing the hold on the card.
pub fn void_request(payment_id: &str, idempotency_key: &str) -> StripeRequest {
    StripeRequest {
        method: "POST",
        path: format!("/v1/payment_intents/{}/cancel", path_segment(payment_id)),
        form: vec![("cancellation_reason".to_owned(), "abandoned".to_owned())],
        idempotency_key: format!("{idempotency_key}:void"),
    }
}

/// Refunds `amount` of a captured PaymentIntent: all of it, or what the fare's conditions
/// give back. One refund per booking, so one idempotency key.
pub fn refund_request(payment_id: &str, idempotency_key: &str, amount: &Money) -> StripeRequest {
    StripeRequest {
        method: "POST",
        path: "/v1/refunds".to_owned(),
        form: vec![
            ("payment_intent".to_owned(), payment_id.to_owned()),
            ("amount".to_owned(), amount_on_wire(amount).to_string()),
        ],
        idempotency_key: format!("{idempotency_key}:refund"),
    }
}

/// The answer to [`authorize_request`]: the PaymentIntent's id once the card is authorized
/// (`requires_capture`).
pub fn parse_authorize(status: u16, body: &str) -> Result<Authorization, PaymentError> {
    if !is_success(status) {
        return Err(map_error(status, body));
    }
    let intent: PaymentIntent = parse_success(status, body)?;
    expect_object(intent.object.as_deref(), "payment_intent")?;
    match intent.status.as_str() {
        "requires_capture" if intent.id.is_empty() => Err(PaymentError::Permanent(
            "stripe authorized a payment intent without an id".to_owned(),
        )),
        "requires_capture" => Ok(Authorization {
            payment_id: intent.id,
        }),
        // 3-D Secure asked for a challenge this server-side checkout cannot show; no money
        // is held, so to the traveller it is a decline that another card may not have.
        "requires_action" => Err(PaymentError::Declined {
            code: "authentication_required".to_owned(),
            message: "Your card was declined. This transaction requires authentication.".to_owned(),
        }),
        "requires_payment_method" => Err(declined(
            intent.last_payment_error.as_ref(),
            "card_declined",
            "Your card was declined.",
        )),
        other => Err(PaymentError::Permanent(format!(
            "stripe payment intent {} is `{}` after authorization, expected `requires_capture`",
            clean(&intent.id),
            clean(other)
        ))),
    }
}

/// The answer to [`capture_request`].
pub fn parse_capture(status: u16, body: &str) -> Result<(), PaymentError> {
    if !is_success(status) {
        // Already captured (a retry after a lost response with a fresh key, or a capture
        // done from the dashboard): the goal of the call is met.
        return if unexpected_state_with(body, "succeeded") {
            Ok(())
        } else {
            Err(map_error(status, body))
        };
    }
    let intent: PaymentIntent = parse_success(status, body)?;
    expect_object(intent.object.as_deref(), "payment_intent")?;
    expect_status(&intent, "succeeded", "capture")
}

/// The answer to [`void_request`]. A PaymentIntent that is already canceled counts as
/// voided, so compensation can run again safely.
pub fn parse_void(status: u16, body: &str) -> Result<(), PaymentError> {
    if !is_success(status) {
        return if unexpected_state_with(body, "canceled") {
            Ok(())
        } else {
            Err(map_error(status, body))
        };
    }
    let intent: PaymentIntent = parse_success(status, body)?;
    expect_object(intent.object.as_deref(), "payment_intent")?;
    expect_status(&intent, "canceled", "void")
}

/// The answer to [`refund_request`]. A card refund is usually `pending` at first and
/// settles later; either way Stripe has accepted it. A payment that is already refunded
/// counts as refunded, so compensation can run again safely.
pub fn parse_refund(status: u16, body: &str) -> Result<(), PaymentError> {
    if !is_success(status) {
        let already_refunded = parse_error(body)
            .is_some_and(|error| error.code.as_deref() == Some("charge_already_refunded"));
        return if status == 400 && already_refunded {
            Ok(())
        } else {
            Err(map_error(status, body))
        };
    }
    let refund: Refund = parse_success(status, body)?;
    expect_object(refund.object.as_deref(), "refund")?;
    match refund.status.as_str() {
        "succeeded" | "pending" => Ok(()),
        other => Err(PaymentError::Permanent(format!(
            "stripe refund {} is `{}`",
            clean(&refund.id),
            clean(other)
        ))),
    }
}

/// Maps an error response onto what the saga should do about it:
///
/// - a `card_error` (402) is [`PaymentError::Declined`] with the decline code (or the
///   error code when there is none) and Stripe's message, which is written to be shown
///   to the customer;
/// - 409 (another request with the same idempotency key is still running), 429 (rate
///   limit) and 5xx are [`PaymentError::Transient`], whatever the body says;
/// - anything else is [`PaymentError::Permanent`], described by Stripe's status, type,
///   code and message (never the request, and with anything shaped like an API key
///   redacted).
///
/// A 402 `card_error` for `processing_error` stays a decline: Stripe stores the answer to
/// an idempotent request once it started executing, so retrying with the same key would
/// replay the same error.
pub fn map_error(status: u16, body: &str) -> PaymentError {
    let retry = matches!(status, 409 | 429 | 500..=599);
    match parse_error(body) {
        Some(error) if retry => PaymentError::Transient(describe(status, &error)),
        Some(error) if error.kind.as_deref() == Some("card_error") => {
            declined(Some(&error), "card_declined", "Your card was declined.")
        }
        Some(error) => PaymentError::Permanent(describe(status, &error)),
        None => {
            let detail = format!("stripe {status}: the response body is not a Stripe error");
            if retry {
                PaymentError::Transient(detail)
            } else {
                PaymentError::Permanent(detail)
            }
        }
    }
}

/// The parts of a PaymentIntent this module reads; serde skips the rest.
#[derive(Deserialize)]
struct PaymentIntent {
    object: Option<String>,
    #[serde(default)]
    id: String,
    status: String,
    last_payment_error: Option<StripeError>,
}

#[derive(Deserialize)]
struct Refund {
    object: Option<String>,
    #[serde(default)]
    id: String,
    status: String,
}

#[derive(Deserialize)]
struct ErrorEnvelope {
    error: StripeError,
}

/// Stripe's error object (also a PaymentIntent's `last_payment_error`).
#[derive(Deserialize)]
struct StripeError {
    #[serde(rename = "type")]
    kind: Option<String>,
    code: Option<String>,
    decline_code: Option<String>,
    message: Option<String>,
    /// Present on errors about a PaymentIntent, in the state it is in now.
    payment_intent: Option<IntentState>,
}

#[derive(Deserialize)]
struct IntentState {
    status: Option<String>,
}

fn is_success(status: u16) -> bool {
    (200..=299).contains(&status)
}

/// Parses a successful response. A 2xx whose body does not parse (cut off on the way) is
/// transient: the call was made with an idempotency key, so repeating it returns Stripe's
/// stored answer instead of doing the operation twice.
fn parse_success<T: for<'de> Deserialize<'de>>(status: u16, body: &str) -> Result<T, PaymentError> {
    serde_json::from_str(body).map_err(|_| {
        PaymentError::Transient(format!(
            "stripe {status}: the response body could not be read"
        ))
    })
}

fn parse_error(body: &str) -> Option<StripeError> {
    serde_json::from_str::<ErrorEnvelope>(body)
        .ok()
        .map(|envelope| envelope.error)
}

/// Whether `body` is Stripe's `payment_intent_unexpected_state` error for a PaymentIntent
/// that is already in `state`.
fn unexpected_state_with(body: &str, state: &str) -> bool {
    parse_error(body).is_some_and(|error| {
        error.code.as_deref() == Some("payment_intent_unexpected_state")
            && error
                .payment_intent
                .and_then(|intent| intent.status)
                .as_deref()
                == Some(state)
    })
}

/// Guards against a response handed to the wrong parser: a captured PaymentIntent and a
/// refund are both `succeeded`. Bodies without `object` are taken as what was asked for.
fn expect_object(object: Option<&str>, expected: &str) -> Result<(), PaymentError> {
    match object {
        Some(object) if object != expected => Err(PaymentError::Permanent(format!(
            "stripe answered with a `{}`, expected a `{expected}`",
            clean(object)
        ))),
        _ => Ok(()),
    }
}

fn expect_status(intent: &PaymentIntent, expected: &str, call: &str) -> Result<(), PaymentError> {
    if intent.status == expected {
        Ok(())
    } else {
        Err(PaymentError::Permanent(format!(
            "stripe payment intent {} is `{}` after {call}, expected `{expected}`",
            clean(&intent.id),
            clean(&intent.status)
        )))
    }
}

fn declined(error: Option<&StripeError>, code: &str, message: &str) -> PaymentError {
    let code = error
        .and_then(|e| e.decline_code.as_deref().or(e.code.as_deref()))
        .filter(|code| !code.is_empty())
        .unwrap_or(code);
    let message = error
        .and_then(|e| e.message.as_deref())
        .filter(|message| !message.is_empty())
        .unwrap_or(message);
    PaymentError::Declined {
        code: clean(code),
        message: clean(message),
    }
}

/// `stripe 400 invalid_request_error/resource_missing: No such PaymentMethod: 'pm_123'`.
fn describe(status: u16, error: &StripeError) -> String {
    let kind = error.kind.as_deref().unwrap_or("unknown_error");
    let code = error
        .code
        .as_deref()
        .map(|code| format!("/{code}"))
        .unwrap_or_default();
    let message = error.message.as_deref().unwrap_or("no message");
    clean(&format!("stripe {status} {kind}{code}: {message}"))
}

/// Longest text taken from a response into an error, so a hostile or broken body cannot
/// blow up logs or stored saga state.
const MAX_DETAIL_CHARS: usize = 500;

/// Text from a response made safe to log and store: bounded in length, and any word that
/// looks like a Stripe secret or restricted key replaced (Stripe masks keys in its own
/// messages; this guards against a message that echoes one in full).
fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_DETAIL_CHARS));
    let mut word = String::new();
    for c in text.chars().take(MAX_DETAIL_CHARS) {
        if c.is_ascii_alphanumeric() || c == '_' || c == '*' {
            word.push(c);
        } else {
            push_word(&mut out, &mut word);
            out.push(c);
        }
    }
    push_word(&mut out, &mut word);
    out
}

fn push_word(out: &mut String, word: &mut String) {
    const KEY_PREFIXES: [&str; 4] = ["sk_live_", "sk_test_", "rk_live_", "rk_test_"];
    if KEY_PREFIXES.iter().any(|prefix| word.starts_with(prefix)) {
        out.push_str("[redacted]");
    } else {
        out.push_str(word);
    }
    word.clear();
}

/// `application/x-www-form-urlencoded`, as Stripe's libraries send it: `key=value` pairs
/// joined by `&`, each side percent-encoded.
fn encode_form(pairs: &[(String, String)]) -> String {
    let mut out = String::new();
    for (index, (key, value)) in pairs.iter().enumerate() {
        if index > 0 {
            out.push('&');
        }
        encode_component(&mut out, key, true);
        out.push('=');
        encode_component(&mut out, value, true);
    }
    out
}

/// A payment id as one path segment, so that an id that is not Stripe's (`../refunds`,
/// `a/b`) cannot reach another endpoint.
fn path_segment(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    encode_component(&mut out, id, false);
    out
}

/// Percent-encodes the UTF-8 bytes of `text`, leaving only RFC 3986's unreserved
/// characters (`A-Z a-z 0-9 - . _ ~`) as they are. In a form a space becomes `+`; in a
/// path it becomes `%20`. Brackets in keys (`metadata[booking_id]`) are encoded as `%5B`
/// and `%5D`, which Stripe decodes like literal brackets.
fn encode_component(out: &mut String, text: &str, form: bool) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(char::from(byte));
            }
            b' ' if form => out.push('+'),
            _ => {
                out.push('%');
                out.push(char::from(HEX[usize::from(byte >> 4)]));
                out.push(char::from(HEX[usize::from(byte & 0x0F)]));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use airline_domain::{AccountId, BookingId, Currency, Money, PaymentToken};

    use super::*;

    fn form(pairs: &[(&str, &str)]) -> String {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        encode_form(&pairs)
    }

    fn request(amount_minor: i64, currency: &str) -> PaymentRequest {
        PaymentRequest {
            idempotency_key: "bk_1".to_owned(),
            amount: Money::from_minor(amount_minor, Currency::parse("currency", currency).unwrap()),
            payment_token: PaymentToken::trusted("pm_card_visa"),
            description: "Edge Airline booking bk_1".to_owned(),
            booking_id: BookingId::parse("bk_0123456789abcdef01234567").expect("a booking id"),
            customer_id: AccountId::trusted("acct_1"),
        }
    }

    fn form_value<'a>(req: &'a StripeRequest, key: &str) -> Option<&'a str> {
        req.form
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    #[test]
    fn spaces_become_plus() {
        assert_eq!(
            form(&[("description", "Edge Airline  booking")]),
            "description=Edge+Airline++booking"
        );
    }

    #[test]
    fn separators_inside_values_are_encoded() {
        assert_eq!(form(&[("a", "x&y=z"), ("b", "1+1")]), "a=x%26y%3Dz&b=1%2B1");
        assert_eq!(form(&[("q", "50%?#/")]), "q=50%25%3F%23%2F");
    }

    #[test]
    fn brackets_in_keys_are_encoded() {
        assert_eq!(
            form(&[
                ("metadata[booking_id]", "bk_123"),
                ("payment_method_types[]", "card")
            ]),
            "metadata%5Bbooking_id%5D=bk_123&payment_method_types%5B%5D=card"
        );
    }

    #[test]
    fn unicode_is_encoded_as_utf8_bytes() {
        assert_eq!(form(&[("city", "Zürich")]), "city=Z%C3%BCrich");
        assert_eq!(
            form(&[("note", "✈ 東京")]),
            "note=%E2%9C%88+%E6%9D%B1%E4%BA%AC"
        );
        assert_eq!(form(&[("emoji", "😀")]), "emoji=%F0%9F%98%80");
    }

    #[test]
    fn unreserved_characters_stay_and_others_are_encoded() {
        assert_eq!(form(&[("k", "AZaz09-._~")]), "k=AZaz09-._~");
        assert_eq!(
            form(&[("k", "*'()!,;:@$")]),
            "k=%2A%27%28%29%21%2C%3B%3A%40%24"
        );
        assert_eq!(form(&[("k", "a\nb\tc\"d")]), "k=a%0Ab%09c%22d");
    }

    #[test]
    fn empty_forms_and_values() {
        assert_eq!(form(&[]), "");
        assert_eq!(form(&[("k", "")]), "k=");
    }

    #[test]
    fn payment_ids_cannot_escape_their_path_segment() {
        assert_eq!(
            capture_request("pi_123", "k").path,
            "/v1/payment_intents/pi_123/capture"
        );
        assert_eq!(
            capture_request("../customers", "k").path,
            "/v1/payment_intents/..%2Fcustomers/capture"
        );
        assert_eq!(
            void_request("a b?c#d", "k").path,
            "/v1/payment_intents/a%20b%3Fc%23d/cancel"
        );
    }

    #[test]
    fn amounts_use_stripes_minor_units() {
        let usd = authorize_request(&request(12345, "USD"));
        assert_eq!(form_value(&usd, "amount"), Some("12345"));
        assert_eq!(form_value(&usd, "currency"), Some("usd"));
        let jpy = authorize_request(&request(18500, "JPY"));
        assert_eq!(form_value(&jpy, "amount"), Some("18500"));
        assert_eq!(form_value(&jpy, "currency"), Some("jpy"));
        let kwd = authorize_request(&request(12250, "KWD"));
        assert_eq!(form_value(&kwd, "amount"), Some("12250"));
        // 5 000 krónur: Stripe counts ISK in hundredths.
        let isk = authorize_request(&request(5000, "ISK"));
        assert_eq!(form_value(&isk, "amount"), Some("500000"));
        let huge = authorize_request(&request(i64::MAX, "ISK"));
        assert_eq!(
            form_value(&huge, "amount"),
            Some(i64::MAX.to_string().as_str())
        );
    }

    #[test]
    fn secrets_in_messages_are_redacted() {
        let body = r#"{"error":{"type":"invalid_request_error","message":"Invalid API Key provided: sk_live_abc123XYZ, try rk_test_9 or sk_test_****1234"}}"#;
        match map_error(401, body) {
            PaymentError::Permanent(detail) => {
                assert_eq!(
                    detail,
                    "stripe 401 invalid_request_error: Invalid API Key provided: [redacted], try [redacted] or [redacted]"
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn long_messages_are_bounded() {
        let body = format!(
            r#"{{"error":{{"type":"api_error","message":"{}"}}}}"#,
            "é".repeat(10_000)
        );
        match map_error(500, &body) {
            PaymentError::Transient(detail) => {
                assert!(detail.chars().count() <= MAX_DETAIL_CHARS)
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn garbage_never_panics() {
        let bodies = [
            "",
            "null",
            "[]",
            "{}",
            "{\"error\":null}",
            "{\"error\":{}}",
            "{\"error\":{\"type\":7}}",
            "{\"status\":null}",
            "<html>502 Bad Gateway</html>",
            "{\"id\":\"pi_1\",\"status\":\"requires_capture\"",
        ];
        for status in [
            0,
            100,
            200,
            201,
            204,
            301,
            400,
            401,
            402,
            403,
            404,
            409,
            429,
            500,
            503,
            599,
            600,
            u16::MAX,
        ] {
            for body in bodies {
                let _ = parse_authorize(status, body);
                let _ = parse_capture(status, body);
                let _ = parse_void(status, body);
                let _ = parse_refund(status, body);
                let _ = map_error(status, body);
            }
        }
    }

    #[test]
    fn unreadable_bodies() {
        assert!(map_error(502, "<html>").is_transient());
        assert!(map_error(503, "").is_transient());
        assert!(map_error(429, "").is_transient());
        assert!(map_error(409, "").is_transient());
        assert!(matches!(
            map_error(400, "<html>"),
            PaymentError::Permanent(_)
        ));
        assert!(matches!(map_error(402, ""), PaymentError::Permanent(_)));
        // A 200 that was cut off is retried: the idempotency key makes that safe.
        assert!(parse_authorize(200, "{\"id\":\"pi_1\"")
            .unwrap_err()
            .is_transient());
        assert!(parse_capture(200, "").unwrap_err().is_transient());
    }

    #[test]
    fn an_empty_id_is_not_an_authorization() {
        assert!(matches!(
            parse_authorize(200, r#"{"id":"","status":"requires_capture"}"#),
            Err(PaymentError::Permanent(_))
        ));
        assert!(matches!(
            parse_authorize(200, r#"{"status":"requires_capture"}"#),
            Err(PaymentError::Permanent(_))
        ));
    }

    #[test]
    fn declines_without_details_get_a_generic_message() {
        assert_eq!(
            parse_authorize(
                200,
                r#"{"id":"pi_1","status":"requires_payment_method","last_payment_error":null}"#
            ),
            Err(PaymentError::Declined {
                code: "card_declined".to_owned(),
                message: "Your card was declined.".to_owned(),
            })
        );
        assert_eq!(
            map_error(
                402,
                r#"{"error":{"type":"card_error","code":"expired_card","message":"Your card has expired."}}"#
            ),
            PaymentError::Declined {
                code: "expired_card".to_owned(),
                message: "Your card has expired.".to_owned(),
            }
        );
    }

    #[test]
    fn captured_intents_count_as_captured_on_retry() {
        let body = r#"{"error":{"type":"invalid_request_error","code":"payment_intent_unexpected_state","message":"This PaymentIntent could not be captured because it has a status of succeeded.","payment_intent":{"id":"pi_1","object":"payment_intent","status":"succeeded"}}}"#;
        assert_eq!(parse_capture(400, body), Ok(()));
        // ...but not as voided.
        assert!(matches!(
            parse_void(400, body),
            Err(PaymentError::Permanent(_))
        ));
    }

    #[test]
    fn unexpected_statuses_are_permanent() {
        for status in [
            "succeeded",
            "canceled",
            "processing",
            "requires_confirmation",
        ] {
            let body = format!(r#"{{"id":"pi_1","status":"{status}"}}"#);
            assert!(
                matches!(parse_authorize(200, &body), Err(PaymentError::Permanent(_))),
                "{status}"
            );
        }
        assert!(matches!(
            parse_capture(200, r#"{"id":"pi_1","status":"requires_capture"}"#),
            Err(PaymentError::Permanent(_))
        ));
        assert!(matches!(
            parse_void(200, r#"{"id":"pi_1","status":"succeeded"}"#),
            Err(PaymentError::Permanent(_))
        ));
        assert_eq!(
            parse_refund(200, r#"{"id":"re_1","status":"pending"}"#),
            Ok(())
        );
        assert!(matches!(
            parse_refund(200, r#"{"id":"re_1","status":"failed"}"#),
            Err(PaymentError::Permanent(_))
        ));
    }
}
