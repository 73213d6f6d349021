//! The sandbox's Stripe-compatible API over HTTP, `/sandbox/stripe/v1/...`, served only
//! when `STRIPE_SANDBOX_API` is `on` (local runs and tests; never production). With
//! `PAYMENT_PROVIDER=stripe` and `STRIPE_API_BASE` pointing here, the real Stripe adapter
//! makes real HTTP calls: form-encoded requests, `Idempotency-Key`, Stripe's errors.
//!
//! The payments are the embedded sandbox's own D1 rows (`booking_workflow::sandbox_store`),
//! so both providers move money the same way; the wire format is
//! `airline_booking::payments::stripe_sandbox`'s. What this file adds is HTTP and Stripe's
//! idempotency: each key's first answer is kept and replayed.

use airline_booking::payments::stripe_sandbox::{
    already_refunded, body_too_large, failure, fingerprint, idempotency_mismatch, intent,
    is_test_key, missing_idempotency_key, missing_intent, parse_form, refund, refunded_intent,
    unauthenticated, unexpected_state, unknown_url, Answer, Call, NewIntent,
};
use airline_booking::payments::PaymentError;
use airline_domain::{utc_text, Currency, Money};
use airline_platform::bindings::DATABASE;
use airline_platform::config::{var, STRIPE_SANDBOX_API};
use booking_workflow::sandbox_store::{self, Charge, Payment};
use chrono::Utc;
use serde::Deserialize;
use worker::{Env, Request, Response, Result};

use crate::d1::D1Store;
use crate::handlers::{self, RequestId};

/// Where the API is mounted; `STRIPE_API_BASE` is this under the server's origin.
pub const PREFIX: &str = "/sandbox/stripe";

/// Request bodies larger than this are refused (the adapter's are a few hundred bytes).
const MAX_BODY_BYTES: usize = 16 * 1024;

pub async fn serve(
    mut request: Request,
    env: &Env,
    request_id: &RequestId,
    path: &str,
) -> Result<Response> {
    if var(env, STRIPE_SANDBOX_API).as_deref() != Some("on") {
        return handlers::not_found(request_id);
    }
    let (answer, replayed) = match answer(&mut request, env, request_id, path).await {
        Ok(answered) => answered,
        // The store failed: a server error, which Stripe's clients retry.
        Err(e) => (
            failure(
                &PaymentError::Transient(format!("sandbox store: {e}")),
                None,
            ),
            false,
        ),
    };
    let mut response = Response::ok(answer.body)?.with_status(answer.status);
    let headers = response.headers_mut();
    headers.set("Content-Type", "application/json")?;
    if replayed {
        headers.set("Idempotent-Replayed", "true")?;
    }
    Ok(response)
}

#[derive(Deserialize)]
struct StoredAnswer {
    request: String,
    status: f64,
    body: String,
}

/// The answer, and whether it is a replay of a stored one.
async fn answer(
    request: &mut Request,
    env: &Env,
    request_id: &RequestId,
    path: &str,
) -> std::result::Result<(Answer, bool), String> {
    let headers = request.headers();
    let authorization = headers.get("Authorization").ok().flatten();
    if !is_test_key(authorization.as_deref()) {
        return Ok((unauthenticated(), false));
    }
    let key = headers.get("Idempotency-Key").ok().flatten();
    let method = request.method().to_string();
    let Some(call) = Call::route(&method, path) else {
        return Ok((unknown_url(), false));
    };
    let body = request.text().await.map_err(|e| e.to_string())?;
    if body.len() > MAX_BODY_BYTES {
        return Ok((body_too_large(MAX_BODY_BYTES), false));
    }
    let store = D1Store::new(
        env.d1(DATABASE).map_err(|e| e.to_string())?,
        request_id.as_str(),
    );
    if !call.is_write() {
        return Ok((perform(&store, call, &[], "").await?.0, false));
    }
    let Some(key) = key.filter(|key| !key.is_empty() && key.len() <= 255) else {
        return Ok((missing_idempotency_key(), false));
    };
    let request_print = fingerprint(&method, path, &body);
    let stored: Vec<StoredAnswer> = store
        .rows(
            "stripe sandbox answer",
            "SELECT request, status, body FROM stripe_sandbox_answers WHERE idempotency_key = ?1",
            &[key.as_str().into()],
        )
        .await
        .map_err(|e| e.to_string())?;
    if let Some(stored) = stored.into_iter().next() {
        if stored.request != request_print {
            return Ok((idempotency_mismatch(&key), false));
        }
        let answer = Answer {
            status: stored.status as u16,
            body: stored.body,
        };
        return Ok((answer, true));
    }

    let (answer, lost) = perform(&store, call, &parse_form(&body), &key).await?;
    if answer.is_stored() {
        // First writer wins: a concurrent twin did the same idempotent work.
        store
            .execute(
                "stripe sandbox answer",
                "INSERT OR IGNORE INTO stripe_sandbox_answers (idempotency_key, request, status, body, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                &[
                    key.as_str().into(),
                    request_print.as_str().into(),
                    (answer.status as f64).into(),
                    answer.body.as_str().into(),
                    utc_text(Utc::now()).as_str().into(),
                ],
            )
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok((if lost { answer.cut_off() } else { answer }, false))
}

/// Does what the call asks; the answer, and whether it is to be lost on the way (the
/// `pm_card_sandbox_firstAnswerLost` card's first authorization).
async fn perform(
    store: &D1Store,
    call: Call,
    form: &[(String, String)],
    idempotency_key: &str,
) -> std::result::Result<(Answer, bool), String> {
    let db = &store.db;
    let answer = match call {
        Call::CreateIntent => {
            let new = match NewIntent::from_form(form) {
                Ok(new) => new,
                Err(answer) => return Ok((answer, false)),
            };
            // One payment per booking, as the embedded provider keeps them; a caller
            // that names no booking gets one per idempotency key.
            let key = new
                .booking_id
                .clone()
                .unwrap_or_else(|| idempotency_key.to_owned());
            let charge = Charge {
                key: &key,
                token: &new.payment_method,
                customer_id: "",
                amount: &new.amount,
                behaviour: new.behaviour,
            };
            return Ok(match sandbox_store::authorize(db, &charge).await {
                Ok(authorized) => (
                    intent(
                        &authorized.payment_id,
                        &new.amount,
                        "AUTHORIZED",
                        &new.payment_method,
                    ),
                    authorized.answer_lost,
                ),
                Err(e) => (failure(&e, Some(&format!("pi_sandbox_{key}"))), false),
            });
        }
        Call::RetrieveIntent(id) => match find(db, &id).await? {
            None => missing_intent(&id),
            Some((payment, amount)) => {
                intent(&payment.id, &amount, &payment.status, &payment.token)
            }
        },
        Call::CaptureIntent(id) => match find(db, &id).await? {
            None => missing_intent(&id),
            Some((payment, _)) if payment.status != "AUTHORIZED" => {
                unexpected_state(&payment.id, &payment.status, "capture")
            }
            Some((payment, amount)) => {
                match sandbox_store::capture(db, &payment.idempotency_key, &payment.token).await {
                    Ok(()) => intent(&payment.id, &amount, "CAPTURED", &payment.token),
                    Err(e) => failure(&e, None),
                }
            }
        },
        Call::CancelIntent(id) => match find(db, &id).await? {
            None => missing_intent(&id),
            Some((payment, amount))
                if matches!(payment.status.as_str(), "PENDING" | "AUTHORIZED") =>
            {
                match sandbox_store::settle(db, &payment.idempotency_key).await {
                    Ok(()) => intent(&payment.id, &amount, "VOIDED", &payment.token),
                    Err(e) => failure(&e, None),
                }
            }
            Some((payment, _)) => unexpected_state(&payment.id, &payment.status, "cancel"),
        },
        Call::CreateRefund => {
            let id = match refunded_intent(form) {
                Ok(id) => id,
                Err(answer) => return Ok((answer, false)),
            };
            match find(db, &id).await? {
                None => missing_intent(&id),
                Some((payment, _)) if payment.status == "REFUNDED" => already_refunded(&payment.id),
                Some((payment, amount)) if payment.status == "CAPTURED" => {
                    match sandbox_store::settle(db, &payment.idempotency_key).await {
                        Ok(()) => refund(&payment.id, &amount),
                        Err(e) => failure(&e, None),
                    }
                }
                Some((payment, _)) => unexpected_state(&payment.id, &payment.status, "refund"),
            }
        }
    };
    Ok((answer, false))
}

/// The payment behind a PaymentIntent id, and its amount; `None` if there is none.
async fn find(
    db: &worker::D1Database,
    id: &str,
) -> std::result::Result<Option<(Payment, Money)>, String> {
    let Some(payment) = sandbox_store::payment(db, id)
        .await
        .map_err(|e| e.to_string())?
    else {
        return Ok(None);
    };
    let currency = Currency::parse("currency", &payment.currency).map_err(|e| e.to_string())?;
    let amount = Money::from_minor(payment.amount as i64, currency);
    Ok(Some((payment, amount)))
}
