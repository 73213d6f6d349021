//! The sandbox's Stripe-compatible face, its pure half: which call a request is, what its
//! form says, and the answers in Stripe's wire format (PaymentIntents with manual capture,
//! refunds, errors). The Worker serves it under `/sandbox/stripe/v1/` over the sandbox's
//! D1 state, so the real Stripe adapter ([`crate::stripe`]) can be pointed at it with
//! `STRIPE_API_BASE` and its retries, idempotency keys and error mapping meet a server.
//!
//! Test cards are Stripe's test PaymentMethod ids ([`sandbox::TEST_PAYMENT_METHODS`]).
//! Idempotency follows Stripe: the first answer to a key is stored and replayed to every
//! retry with the same request; the same key with a different request is refused; 5xx
//! answers are not stored, so a retry runs again (this is how the "fails twice" card
//! reaches its third attempt).

use airline_domain::{BookingId, Currency};
use serde_json::{json, Value};

use crate::sandbox::{self, CardBehaviour};
use crate::sandbox_payment::{self, Charge, SandboxPayment, SandboxStatus};
use crate::stripe::{amount_from_wire, amount_on_wire};
use crate::PaymentError;
use airline_domain::Money;

/// The calls the sandbox answers (paths below `/sandbox/stripe`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Call {
    CreateIntent,
    RetrieveIntent(String),
    CaptureIntent(String),
    CancelIntent(String),
    CreateRefund,
}

impl Call {
    /// The call a method and path make; `None` for anything else (Stripe's 404).
    pub fn route(method: &str, path: &str) -> Option<Call> {
        let rest = path.strip_prefix("/v1/")?;
        let parts: Vec<&str> = rest.split('/').collect();
        match (method, parts.as_slice()) {
            ("POST", ["payment_intents"]) => Some(Call::CreateIntent),
            ("GET", ["payment_intents", id]) if valid_id(id) => {
                Some(Call::RetrieveIntent((*id).to_owned()))
            }
            ("POST", ["payment_intents", id, "capture"]) if valid_id(id) => {
                Some(Call::CaptureIntent((*id).to_owned()))
            }
            ("POST", ["payment_intents", id, "cancel"]) if valid_id(id) => {
                Some(Call::CancelIntent((*id).to_owned()))
            }
            ("POST", ["refunds"]) => Some(Call::CreateRefund),
            _ => None,
        }
    }

    /// Whether the call changes state, and so takes an `Idempotency-Key`.
    pub fn is_write(&self) -> bool {
        !matches!(self, Call::RetrieveIntent(_))
    }
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 200
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ':' | '%'))
}

/// An HTTP answer in Stripe's format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub body: String,
}

impl Answer {
    fn json(status: u16, body: Value) -> Self {
        Self {
            status,
            body: body.to_string(),
        }
    }

    /// Whether Stripe would keep this answer for its idempotency key: everything but a
    /// server error, which a retry runs again.
    pub fn is_stored(&self) -> bool {
        self.status < 500
    }

    /// The answer cut off half way, as a dropped connection leaves it: the status came
    /// through, the body cannot be read.
    pub fn cut_off(&self) -> Self {
        Self {
            status: self.status,
            body: self.body[..self.body.len() / 2].to_owned(),
        }
    }
}

fn error(status: u16, kind: &str, code: Option<&str>, message: &str, extra: Value) -> Answer {
    let mut error = json!({ "type": kind, "message": message });
    if let Some(code) = code {
        error["code"] = json!(code);
    }
    if let (Some(error), Value::Object(extra)) = (error.as_object_mut(), extra) {
        error.extend(extra);
    }
    Answer::json(status, json!({ "error": error }))
}

fn invalid(code: &str, param: &str, message: &str) -> Answer {
    error(
        400,
        "invalid_request_error",
        Some(code),
        message,
        json!({ "param": param }),
    )
}

/// Whether the `Authorization` header carries a test-mode secret key, the only kind the
/// sandbox takes (a live key sent here is a configuration mistake).
pub fn is_test_key(authorization: Option<&str>) -> bool {
    authorization
        .and_then(|header| header.strip_prefix("Bearer "))
        .is_some_and(|key| key.starts_with("sk_test_") && key.len() > "sk_test_".len())
}

pub fn unauthenticated() -> Answer {
    error(
        401,
        "invalid_request_error",
        None,
        "Invalid API Key provided: the sandbox takes test-mode secret keys (sk_test_...).",
        Value::Null,
    )
}

pub fn unknown_url() -> Answer {
    error(
        404,
        "invalid_request_error",
        None,
        "Unrecognized request URL.",
        Value::Null,
    )
}

/// A request body over `limit` bytes: refused before it is read as a form.
pub fn body_too_large(limit: usize) -> Answer {
    error(
        413,
        "invalid_request_error",
        None,
        &format!("The request body is larger than {limit} bytes."),
        Value::Null,
    )
}

pub fn missing_intent(id: &str) -> Answer {
    error(
        404,
        "invalid_request_error",
        Some("resource_missing"),
        &format!("No such payment_intent: '{id}'"),
        json!({ "param": "intent" }),
    )
}

pub fn missing_idempotency_key() -> Answer {
    invalid(
        "parameter_missing",
        "Idempotency-Key",
        "The sandbox requires an Idempotency-Key on every POST.",
    )
}

/// The same key was used for a different request.
pub fn idempotency_mismatch(key: &str) -> Answer {
    error(
        400,
        "idempotency_error",
        None,
        &format!(
            "Keys for idempotent requests can only be used with the same parameters they were first used with. Key: {key}"
        ),
        Value::Null,
    )
}

/// What an idempotency key's request is compared by.
pub fn fingerprint(method: &str, path: &str, body: &str) -> String {
    format!("{method} {path}\n{body}")
}

/// `application/x-www-form-urlencoded` pairs, in order.
pub fn parse_form(body: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(body.as_bytes())
        .map(|(key, value)| (key.into_owned(), value.into_owned()))
        .collect()
}

fn field<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

/// A PaymentIntent to create and confirm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewIntent {
    pub amount: Money,
    pub payment_method: String,
    pub behaviour: CardBehaviour,
    /// `metadata[booking_id]`, when the caller sent it.
    pub booking_id: Option<String>,
}

impl NewIntent {
    /// Reads `POST /v1/payment_intents`. The sandbox models what the adapter uses: a card
    /// PaymentMethod confirmed at once with manual capture; anything else is a 400 naming
    /// the parameter.
    pub fn from_form(form: &[(String, String)]) -> Result<Self, Answer> {
        let amount = field(form, "amount").ok_or_else(|| {
            invalid(
                "parameter_missing",
                "amount",
                "Missing required param: amount.",
            )
        })?;
        let amount = positive_amount(amount)?;
        let currency = field(form, "currency")
            .and_then(|code| Currency::parse("currency", &code.to_ascii_uppercase()).ok())
            .ok_or_else(|| {
                invalid(
                    "parameter_invalid_string",
                    "currency",
                    "Invalid currency: the sandbox takes the catalog's currencies.",
                )
            })?;
        let amount = money_from_wire(amount, currency)?;
        let payment_method = field(form, "payment_method").ok_or_else(|| {
            invalid(
                "parameter_missing",
                "payment_method",
                "Missing required param: payment_method.",
            )
        })?;
        let behaviour = sandbox::payment_method_behaviour(payment_method).ok_or_else(|| {
            invalid(
                "resource_missing",
                "payment_method",
                &format!("No such PaymentMethod: '{payment_method}'"),
            )
        })?;
        if field(form, "capture_method") != Some("manual") {
            return Err(invalid(
                "parameter_invalid_string",
                "capture_method",
                "The sandbox models manual capture only: send capture_method=manual.",
            ));
        }
        if field(form, "confirm") != Some("true") {
            return Err(invalid(
                "parameter_invalid_string",
                "confirm",
                "The sandbox confirms on creation only: send confirm=true.",
            ));
        }
        Ok(Self {
            amount,
            payment_method: payment_method.to_owned(),
            behaviour,
            booking_id: field(form, "metadata[booking_id]").map(str::to_owned),
        })
    }
}

/// The refund asked for: the PaymentIntent it refunds.
pub fn refunded_intent(form: &[(String, String)]) -> Result<String, Answer> {
    field(form, "payment_intent")
        .filter(|id| valid_id(id))
        .map(str::to_owned)
        .ok_or_else(|| {
            invalid(
                "parameter_missing",
                "payment_intent",
                "Missing required param: payment_intent.",
            )
        })
}

/// An `amount` parameter: a positive whole number, or the 400 Stripe answers.
fn positive_amount(text: &str) -> Result<i64, Answer> {
    text.parse::<i64>()
        .ok()
        .filter(|amount| *amount > 0)
        .ok_or_else(|| {
            invalid(
                "parameter_invalid_integer",
                "amount",
                "Invalid positive integer: amount.",
            )
        })
}

/// An amount on the wire as money of `currency`, or the 400 for an ISK amount that is not
/// whole krónur.
fn money_from_wire(amount: i64, currency: Currency) -> Result<Money, Answer> {
    amount_from_wire(amount, currency).ok_or_else(|| {
        invalid(
            "parameter_invalid_integer",
            "amount",
            "ISK amounts must be whole krónur (a multiple of 100).",
        )
    })
}

/// How much of `payment` a refund gives back: `amount` when the request names one (a
/// positive integer no larger than what was captured, as Stripe requires), else all of it.
pub fn refund_amount(form: &[(String, String)], payment: &SandboxPayment) -> Result<Money, Answer> {
    let Some(text) = field(form, "amount") else {
        return Ok(payment.amount);
    };
    let amount = money_from_wire(positive_amount(text)?, payment.amount.currency())?;
    if amount.amount_minor() > payment.amount.amount_minor() {
        return Err(invalid(
            "amount_too_large",
            "amount",
            &format!(
                "Refund amount ({amount}) is greater than charge amount ({}).",
                payment.amount
            ),
        ));
    }
    Ok(amount)
}

/// Stripe's status for a sandbox payment status.
pub fn intent_status(sandbox_status: &str) -> &'static str {
    match sandbox_status {
        "AUTHORIZED" => "requires_capture",
        "CAPTURED" | "REFUNDED" | "RETAINED" => "succeeded",
        "VOIDED" => "canceled",
        // PENDING (a transient failure left it unconfirmed) and DECLINED.
        _ => "requires_payment_method",
    }
}

/// A PaymentIntent as Stripe shows it.
pub fn intent(id: &str, amount: &Money, sandbox_status: &str, payment_method: &str) -> Answer {
    Answer::json(
        200,
        json!({
            "id": id,
            "object": "payment_intent",
            "amount": amount_on_wire(amount),
            "currency": amount.currency().code().to_ascii_lowercase(),
            "capture_method": "manual",
            "payment_method": payment_method,
            "status": intent_status(sandbox_status),
            "livemode": false,
        }),
    )
}

/// A failed operation in Stripe's terms: a decline is a 402 `card_error` (with the
/// PaymentIntent left needing a new method), a transient failure a 500 `api_error` that
/// a retry runs again, anything else a 400 whose code is the failure's first word.
pub fn failure(error_of: &PaymentError, intent_id: Option<&str>) -> Answer {
    let intent = intent_id.map_or(
        Value::Null,
        |id| json!({ "payment_intent": { "id": id, "status": "requires_payment_method" } }),
    );
    match error_of {
        PaymentError::Declined { code, message } => error(
            402,
            "card_error",
            Some("card_declined"),
            message,
            match intent {
                Value::Object(mut extra) => {
                    extra.insert("decline_code".to_owned(), json!(code));
                    Value::Object(extra)
                }
                _ => json!({ "decline_code": code }),
            },
        ),
        PaymentError::Transient(detail) => error(500, "api_error", None, detail, Value::Null),
        PaymentError::Permanent(detail) => {
            let code = detail
                .split_once(':')
                .map(|(code, _)| code)
                .filter(|code| code.chars().all(|c| c.is_ascii_lowercase() || c == '_'));
            error(400, "invalid_request_error", code, detail, Value::Null)
        }
    }
}

/// The PaymentIntent is not in a state the call can act on; Stripe names its state.
pub fn unexpected_state(id: &str, sandbox_status: &str, call: &str) -> Answer {
    let status = intent_status(sandbox_status);
    error(
        400,
        "invalid_request_error",
        Some("payment_intent_unexpected_state"),
        &format!("You cannot {call} this PaymentIntent because it has a status of {status}."),
        json!({ "payment_intent": { "id": id, "status": status } }),
    )
}

pub fn already_refunded(id: &str) -> Answer {
    error(
        400,
        "invalid_request_error",
        Some("charge_already_refunded"),
        &format!("The charge of PaymentIntent {id} has already been refunded."),
        Value::Null,
    )
}

/// A refund of a captured PaymentIntent: all of it, or the amount asked for.
pub fn refund(intent_id: &str, amount: &Money) -> Answer {
    Answer::json(
        200,
        json!({
            "id": format!("re_{intent_id}"),
            "object": "refund",
            "amount": amount_on_wire(amount),
            "currency": amount.currency().code().to_ascii_lowercase(),
            "payment_intent": intent_id,
            "status": "succeeded",
        }),
    )
}

/// Where a call's payment lives: the key (a booking id) of the payment it names, read
/// from the form or the PaymentIntent id; or the answer when it names none the sandbox
/// could hold.
pub fn payment_key(call: &Call, form: &[(String, String)]) -> Result<String, Answer> {
    let of_intent = |id: &str| {
        sandbox_payment::key_of(id)
            .filter(|key| BookingId::is_valid(key))
            .map(str::to_owned)
            .ok_or_else(|| missing_intent(id))
    };
    match call {
        Call::CreateIntent => field(form, "metadata[booking_id]")
            .filter(|id| BookingId::is_valid(id))
            .map(str::to_owned)
            .ok_or_else(|| {
                invalid(
                    "parameter_missing",
                    "metadata[booking_id]",
                    "The sandbox keeps each payment with its booking: send metadata[booking_id].",
                )
            }),
        Call::RetrieveIntent(id) | Call::CaptureIntent(id) | Call::CancelIntent(id) => {
            of_intent(id)
        }
        Call::CreateRefund => of_intent(&refunded_intent(form)?),
    }
}

/// What a call did to the payment it names: the row to store (`None`: unchanged), the
/// answer, and whether that answer is to be lost on the way (the
/// `pm_card_sandbox_firstAnswerLost` card's first authorization).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Performed {
    pub payment: Option<SandboxPayment>,
    pub answer: Answer,
    pub lost: bool,
}

impl Performed {
    fn answer(answer: Answer) -> Self {
        Self {
            payment: None,
            answer,
            lost: false,
        }
    }
}

/// Does what `call` asks of the payment of `key`, which stands as `existing`.
pub fn perform(
    call: &Call,
    form: &[(String, String)],
    key: &str,
    existing: Option<SandboxPayment>,
) -> Performed {
    match call {
        Call::CreateIntent => {
            let new = match NewIntent::from_form(form) {
                Ok(new) => new,
                Err(answer) => return Performed::answer(answer),
            };
            let charge = Charge {
                key,
                token: &new.payment_method,
                customer_id: "",
                amount: new.amount,
                behaviour: new.behaviour,
            };
            let (payment, outcome) = sandbox_payment::authorize(existing, &charge);
            let (answer, lost) = match outcome {
                Ok(authorized) => (
                    intent(
                        &authorized.payment_id,
                        &new.amount,
                        payment.status.as_str(),
                        &new.payment_method,
                    ),
                    authorized.answer_lost,
                ),
                Err(e) => (failure(&e, Some(&payment.id)), false),
            };
            Performed {
                payment: Some(payment),
                answer,
                lost,
            }
        }
        Call::RetrieveIntent(id) => Performed::answer(match existing {
            None => missing_intent(id),
            Some(payment) => shown(&payment),
        }),
        Call::CaptureIntent(id) => match existing {
            None => Performed::answer(missing_intent(id)),
            Some(payment) if payment.status != SandboxStatus::Authorized => Performed::answer(
                unexpected_state(&payment.id, payment.status.as_str(), "capture"),
            ),
            Some(payment) => match sandbox_payment::capture(Some(payment)) {
                (Some(payment), Ok(())) => Performed {
                    answer: shown(&payment),
                    payment: Some(payment),
                    lost: false,
                },
                (_, outcome) => Performed::answer(failure(
                    &outcome.err().unwrap_or_else(|| {
                        PaymentError::Permanent("nothing to capture".to_owned())
                    }),
                    None,
                )),
            },
        },
        Call::CancelIntent(id) => match existing {
            None => Performed::answer(missing_intent(id)),
            Some(payment)
                if matches!(
                    payment.status,
                    SandboxStatus::Pending | SandboxStatus::Authorized
                ) =>
            {
                let voided = sandbox_payment::settle(Some(payment));
                Performed {
                    answer: voided.as_ref().map_or_else(|| missing_intent(id), shown),
                    payment: voided,
                    lost: false,
                }
            }
            Some(payment) => Performed::answer(unexpected_state(
                &payment.id,
                payment.status.as_str(),
                "cancel",
            )),
        },
        Call::CreateRefund => {
            let id = match refunded_intent(form) {
                Ok(id) => id,
                Err(answer) => return Performed::answer(answer),
            };
            match existing {
                None => Performed::answer(missing_intent(&id)),
                Some(payment) if payment.status == SandboxStatus::Refunded => {
                    Performed::answer(already_refunded(&payment.id))
                }
                Some(payment) if payment.status == SandboxStatus::Captured => {
                    let amount = match refund_amount(form, &payment) {
                        Ok(amount) => amount,
                        Err(answer) => return Performed::answer(answer),
                    };
                    let answer = refund(&payment.id, &amount);
                    Performed {
                        payment: sandbox_payment::settle(Some(payment)),
                        answer,
                        lost: false,
                    }
                }
                Some(payment) => Performed::answer(unexpected_state(
                    &payment.id,
                    payment.status.as_str(),
                    "refund",
                )),
            }
        }
    }
}

/// A stored payment as a PaymentIntent.
fn shown(payment: &SandboxPayment) -> Answer {
    intent(
        &payment.id,
        &payment.amount,
        payment.status.as_str(),
        &payment.token,
    )
}

#[cfg(test)]
mod tests {
    //! The sandbox's answers read back through the real adapter's parsers: the two halves
    //! of the wire format agree.
    use super::*;
    use crate::stripe::{
        authorize_request, capture_request, parse_authorize, parse_capture, parse_refund,
        parse_void, refund_request, void_request,
    };
    use crate::{Authorization, PaymentRequest};
    use airline_domain::{AccountId, BookingId, PaymentToken};

    fn request(behaviour: CardBehaviour, amount: Money) -> PaymentRequest {
        PaymentRequest {
            idempotency_key: "bk_0123456789abcdef01234567".to_owned(),
            amount,
            payment_token: PaymentToken::trusted(sandbox::test_payment_method(behaviour)),
            description: "Edge Airline booking".to_owned(),
            booking_id: BookingId::parse("bk_0123456789abcdef01234567").unwrap(),
            customer_id: AccountId::trusted("acct_1"),
        }
    }

    fn eur(minor: i64) -> Money {
        Money::from_minor(minor, Currency::parse("c", "EUR").unwrap())
    }

    #[test]
    fn the_adapters_requests_route_and_parse() {
        let call = authorize_request(&request(CardBehaviour::Succeeds, eur(45_000)));
        assert_eq!(
            Call::route(call.method, &call.path),
            Some(Call::CreateIntent)
        );
        let intent = NewIntent::from_form(&parse_form(&call.body())).unwrap();
        assert_eq!(
            intent,
            NewIntent {
                amount: eur(45_000),
                payment_method: "pm_card_visa".to_owned(),
                behaviour: CardBehaviour::Succeeds,
                booking_id: Some("bk_0123456789abcdef01234567".to_owned()),
            }
        );
        for (call, expected) in [
            (
                capture_request("pi_1", "k"),
                Call::CaptureIntent("pi_1".to_owned()),
            ),
            (
                void_request("pi_1", "k"),
                Call::CancelIntent("pi_1".to_owned()),
            ),
            (refund_request("pi_1", "k", &eur(100)), Call::CreateRefund),
        ] {
            assert_eq!(Call::route(call.method, &call.path), Some(expected));
        }
        assert_eq!(
            refunded_intent(&parse_form(&refund_request("pi_1", "k", &eur(100)).body())),
            Ok("pi_1".to_owned())
        );
        assert_eq!(Call::route("GET", "/v1/charges"), None);
        assert_eq!(Call::route("DELETE", "/v1/payment_intents/pi_1"), None);
        assert_eq!(
            Call::route("GET", "/v1/payment_intents/pi_1"),
            Some(Call::RetrieveIntent("pi_1".to_owned()))
        );
    }

    #[test]
    fn a_refund_gives_back_what_it_names_and_never_more_than_was_taken() {
        let payment = SandboxPayment {
            id: "pi_sandbox_bk_1".to_owned(),
            key: "bk_1".to_owned(),
            token: "pm_card_visa".to_owned(),
            customer_id: "acct_1".to_owned(),
            amount: eur(45_000),
            behaviour: CardBehaviour::Succeeds,
            status: SandboxStatus::Captured,
            authorize_attempts: 1,
        };
        let form = |amount: &Money| parse_form(&refund_request("pi_1", "k", amount).body());
        assert_eq!(
            refund_amount(&form(&eur(31_500)), &payment),
            Ok(eur(31_500))
        );
        assert_eq!(
            refund_amount(&form(&eur(45_000)), &payment),
            Ok(eur(45_000))
        );
        // Without an amount, Stripe refunds all of it.
        assert_eq!(refund_amount(&[], &payment), Ok(eur(45_000)));
        for wrong in [eur(45_001), eur(0), eur(-5)] {
            let answer = refund_amount(&form(&wrong), &payment).unwrap_err();
            assert_eq!(answer.status, 400, "{wrong}");
            assert!(
                answer.body.contains("\"param\":\"amount\""),
                "{}",
                answer.body
            );
        }
        let garbage = vec![("amount".to_owned(), "12.5".to_owned())];
        assert_eq!(refund_amount(&garbage, &payment).unwrap_err().status, 400);
    }

    #[test]
    fn isk_crosses_the_wire_in_hundredths_and_back() {
        let isk = Currency::parse("c", "ISK").unwrap();
        let call = authorize_request(&request(
            CardBehaviour::Succeeds,
            Money::from_minor(15_000, isk),
        ));
        let intent = NewIntent::from_form(&parse_form(&call.body())).unwrap();
        assert_eq!(intent.amount, Money::from_minor(15_000, isk));
        assert!(NewIntent::from_form(&parse_form(
            "amount=150&currency=isk&payment_method=pm_card_visa&capture_method=manual&confirm=true"
        ))
        .is_err());
    }

    #[test]
    fn bad_requests_name_their_parameter() {
        let cases = [
            ("currency=eur&payment_method=pm_card_visa&capture_method=manual&confirm=true", "amount"),
            ("amount=-5&currency=eur&payment_method=pm_card_visa&capture_method=manual&confirm=true", "amount"),
            ("amount=500&currency=xyz&payment_method=pm_card_visa&capture_method=manual&confirm=true", "currency"),
            ("amount=500&currency=eur&capture_method=manual&confirm=true", "payment_method"),
            ("amount=500&currency=eur&payment_method=pm_nope&capture_method=manual&confirm=true", "payment_method"),
            ("amount=500&currency=eur&payment_method=pm_card_visa&confirm=true", "capture_method"),
            ("amount=500&currency=eur&payment_method=pm_card_visa&capture_method=manual", "confirm"),
        ];
        for (form, param) in cases {
            let answer = NewIntent::from_form(&parse_form(form)).unwrap_err();
            assert_eq!(answer.status, 400, "{form}");
            let body: Value = serde_json::from_str(&answer.body).unwrap();
            assert_eq!(body["error"]["param"], param, "{form}: {body}");
        }
    }

    #[test]
    fn answers_mean_to_the_adapter_what_the_sandbox_meant() {
        let amount = eur(45_000);
        let authorized = intent("pi_1", &amount, "AUTHORIZED", "pm_card_visa");
        assert_eq!(
            parse_authorize(authorized.status, &authorized.body),
            Ok(Authorization {
                payment_id: "pi_1".to_owned()
            })
        );
        let captured = intent("pi_1", &amount, "CAPTURED", "pm_card_visa");
        assert_eq!(parse_capture(captured.status, &captured.body), Ok(()));
        let canceled = intent("pi_1", &amount, "VOIDED", "pm_card_visa");
        assert_eq!(parse_void(canceled.status, &canceled.body), Ok(()));
        let refunded = refund("pi_1", &amount);
        assert_eq!(parse_refund(refunded.status, &refunded.body), Ok(()));

        for behaviour in [CardBehaviour::Declined, CardBehaviour::InsufficientFunds] {
            let declined = sandbox::authorize_outcome(behaviour, 1).unwrap_err();
            let answer = failure(&declined, Some("pi_1"));
            assert_eq!(answer.status, 402);
            assert_eq!(parse_authorize(answer.status, &answer.body), Err(declined));
        }
        let transient =
            sandbox::authorize_outcome(CardBehaviour::FailsTwiceThenSucceeds, 1).unwrap_err();
        let answer = failure(&transient, Some("pi_1"));
        assert!(!answer.is_stored());
        assert!(parse_authorize(answer.status, &answer.body)
            .unwrap_err()
            .is_transient());

        let capture_fails = sandbox::capture_outcome(CardBehaviour::CaptureFails).unwrap_err();
        let answer = failure(&capture_fails, Some("pi_1"));
        assert!(answer.is_stored());
        let body: Value = serde_json::from_str(&answer.body).unwrap();
        assert_eq!(body["error"]["code"], "capture_failed");
        assert!(matches!(
            parse_capture(answer.status, &answer.body),
            Err(PaymentError::Permanent(_))
        ));

        // Compensation that runs twice: already canceled, already refunded.
        let again = unexpected_state("pi_1", "VOIDED", "cancel");
        assert_eq!(parse_void(again.status, &again.body), Ok(()));
        let again = already_refunded("pi_1");
        assert_eq!(parse_refund(again.status, &again.body), Ok(()));
        let again = unexpected_state("pi_1", "CAPTURED", "capture");
        assert_eq!(parse_capture(again.status, &again.body), Ok(()));
        // Cancelling what was captured is not a void.
        let wrong = unexpected_state("pi_1", "CAPTURED", "cancel");
        assert!(parse_void(wrong.status, &wrong.body).is_err());
    }

    #[test]
    fn a_cut_off_answer_is_transient_to_the_adapter() {
        let authorized = intent("pi_1", &eur(100), "AUTHORIZED", "pm_card_visa");
        let lost = authorized.cut_off();
        assert_eq!(lost.status, 200);
        assert!(parse_authorize(lost.status, &lost.body)
            .unwrap_err()
            .is_transient());
    }

    #[test]
    fn only_test_keys_are_taken() {
        assert!(is_test_key(Some("Bearer sk_test_sandbox")));
        for header in [
            None,
            Some("Bearer sk_live_123"),
            Some("Bearer sk_test_"),
            Some("sk_test_abc"),
            Some("Basic abc"),
        ] {
            assert!(!is_test_key(header), "{header:?}");
        }
    }
}
