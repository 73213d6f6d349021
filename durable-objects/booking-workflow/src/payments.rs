//! The payment providers the saga calls: the embedded sandbox (state in D1, rules in
//! `airline_booking::payments::sandbox`) and Stripe over HTTPS (wire format in
//! `airline_booking::payments::stripe`). Every call carries an idempotency key derived
//! from the booking id, so a retried step never charges twice.

use airline_booking::payments::sandbox::{self, CardBehaviour};
use airline_booking::payments::stripe::{self, StripeRequest};
use airline_booking::payments::{Authorization, PaymentError, PaymentRequest};
use serde::Deserialize;
use worker::wasm_bindgen::JsValue;
use worker::{D1Database, Env, Fetch, Headers, Method, Request, RequestInit};

use airline_platform::bindings::DATABASE;

use crate::config::PaymentProviderKind;

pub enum Provider {
    Sandbox(D1Database),
    Stripe { secret_key: String },
}

impl Provider {
    pub fn new(env: &Env, kind: &PaymentProviderKind) -> Result<Self, PaymentError> {
        match kind {
            PaymentProviderKind::Sandbox => env
                .d1(DATABASE)
                .map(Provider::Sandbox)
                .map_err(|e| PaymentError::Transient(format!("D1 binding: {e}"))),
            PaymentProviderKind::Stripe { secret_key } if secret_key.is_empty() => Err(
                PaymentError::Permanent("STRIPE_SECRET_KEY is not set".to_owned()),
            ),
            PaymentProviderKind::Stripe { secret_key } => Ok(Provider::Stripe {
                secret_key: secret_key.clone(),
            }),
        }
    }

    pub async fn authorize(&self, request: &PaymentRequest) -> Result<Authorization, PaymentError> {
        match self {
            Provider::Sandbox(db) => sandbox_authorize(db, request).await,
            Provider::Stripe { secret_key } => {
                let (status, body) = send(secret_key, &stripe::authorize_request(request)).await?;
                stripe::parse_authorize(status, &body)
            }
        }
    }

    pub async fn capture(&self, key: &str, payment_id: &str) -> Result<(), PaymentError> {
        match self {
            Provider::Sandbox(db) => sandbox_capture(db, key).await,
            Provider::Stripe { secret_key } => {
                let (status, body) =
                    send(secret_key, &stripe::capture_request(payment_id, key)).await?;
                stripe::parse_capture(status, &body)
            }
        }
    }

    /// Releases an authorization. Without a payment id (the authorization's answer was
    /// lost), Stripe's uncaptured PaymentIntents lapse on their own after 7 days; the
    /// sandbox finds the payment by key.
    pub async fn void(&self, key: &str, payment_id: Option<&str>) -> Result<(), PaymentError> {
        match self {
            Provider::Sandbox(db) => sandbox_settle(db, key).await,
            Provider::Stripe { secret_key } => match payment_id {
                None => Ok(()),
                Some(id) => {
                    let (status, body) = send(secret_key, &stripe::void_request(id, key)).await?;
                    stripe::parse_void(status, &body)
                }
            },
        }
    }

    pub async fn refund(&self, key: &str, payment_id: Option<&str>) -> Result<(), PaymentError> {
        match self {
            Provider::Sandbox(db) => sandbox_settle(db, key).await,
            Provider::Stripe { secret_key } => match payment_id {
                None => Err(PaymentError::Permanent(
                    "captured payment without an id".to_owned(),
                )),
                Some(id) => {
                    let (status, body) = send(secret_key, &stripe::refund_request(id, key)).await?;
                    stripe::parse_refund(status, &body)
                }
            },
        }
    }
}

async fn send(secret_key: &str, request: &StripeRequest) -> Result<(u16, String), PaymentError> {
    let transient = |e: worker::Error| PaymentError::Transient(format!("stripe: {e}"));
    let headers = Headers::new();
    for (name, value) in request.headers(secret_key) {
        headers.set(name, &value).map_err(transient)?;
    }
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_headers(headers)
        .with_body(Some(JsValue::from_str(&request.body())));
    let outgoing = Request::new_with_init(&request.url(), &init).map_err(transient)?;
    let mut response = Fetch::Request(outgoing).send().await.map_err(transient)?;
    let body = response.text().await.map_err(transient)?;
    Ok((response.status_code(), body))
}

fn store_error(e: worker::Error) -> PaymentError {
    PaymentError::Transient(format!("sandbox store: {e}"))
}

#[derive(Deserialize)]
struct TokenRow {
    behaviour: String,
    customer_id: String,
}

#[derive(Deserialize)]
struct PaymentRow {
    id: String,
    status: String,
    authorize_attempts: f64,
}

/// Authorizes against a sandbox token, counting attempts per payment so the "fails twice"
/// card behaves the same however often the step is retried.
async fn sandbox_authorize(
    db: &D1Database,
    request: &PaymentRequest,
) -> Result<Authorization, PaymentError> {
    let token: Option<TokenRow> = db
        .prepare("SELECT behaviour, customer_id FROM payment_tokens WHERE token = ?1")
        .bind(&[request.payment_token.as_str().into()])
        .map_err(store_error)?
        .first(None)
        .await
        .map_err(store_error)?;
    let Some(token) = token else {
        return Err(PaymentError::Declined {
            code: "invalid_token".to_owned(),
            message: "The payment token is not known.".to_owned(),
        });
    };
    let behaviour = CardBehaviour::parse("behaviour", &token.behaviour)
        .map_err(|e| PaymentError::Permanent(e.to_string()))?;
    let payment_id = format!("pi_sandbox_{}", request.idempotency_key);
    let row: Option<PaymentRow> = db
        .prepare(
            "INSERT INTO payments (id, idempotency_key, customer_id, token, amount, currency, status, authorize_attempts, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'PENDING', 1, strftime('%Y-%m-%dT%H:%M:%SZ'), strftime('%Y-%m-%dT%H:%M:%SZ'))
             ON CONFLICT (idempotency_key) DO UPDATE SET
                 authorize_attempts = authorize_attempts + (status = 'PENDING'),
                 updated_at = excluded.updated_at
             RETURNING id, status, authorize_attempts",
        )
        .bind(&[
            payment_id.as_str().into(),
            request.idempotency_key.as_str().into(),
            token.customer_id.as_str().into(),
            request.payment_token.as_str().into(),
            (request.amount.amount_minor() as f64).into(),
            request.amount.currency().code().into(),
        ])
        .map_err(store_error)?
        .first(None)
        .await
        .map_err(store_error)?;
    let Some(row) = row else {
        return Err(PaymentError::Transient(
            "sandbox payment row missing".to_owned(),
        ));
    };
    match row.status.as_str() {
        "AUTHORIZED" | "CAPTURED" => return Ok(Authorization { payment_id: row.id }),
        "DECLINED" | "VOIDED" | "REFUNDED" => {
            return Err(PaymentError::Declined {
                code: "card_declined".to_owned(),
                message: "Your card was declined.".to_owned(),
            })
        }
        _ => {}
    }
    let outcome = sandbox::authorize_outcome(behaviour, row.authorize_attempts as u32);
    let next = match &outcome {
        Ok(()) => Some("AUTHORIZED"),
        Err(PaymentError::Declined { .. }) | Err(PaymentError::Permanent(_)) => Some("DECLINED"),
        Err(PaymentError::Transient(_)) => None,
    };
    if let Some(status) = next {
        set_status(db, &request.idempotency_key, "PENDING", status).await?;
    }
    outcome.map(|()| Authorization { payment_id: row.id })
}

async fn sandbox_capture(db: &D1Database, key: &str) -> Result<(), PaymentError> {
    let row: Option<PaymentRow> = db
        .prepare("SELECT id, status, authorize_attempts FROM payments WHERE idempotency_key = ?1")
        .bind(&[key.into()])
        .map_err(store_error)?
        .first(None)
        .await
        .map_err(store_error)?;
    let Some(row) = row else {
        return Err(PaymentError::Permanent(
            "no authorization to capture".to_owned(),
        ));
    };
    match row.status.as_str() {
        "CAPTURED" => return Ok(()),
        "AUTHORIZED" => {}
        other => {
            return Err(PaymentError::Permanent(format!(
                "cannot capture a {other} payment"
            )))
        }
    }
    let behaviour: Option<TokenRow> = db
        .prepare(
            "SELECT t.behaviour, t.customer_id FROM payments p JOIN payment_tokens t ON t.token = p.token
             WHERE p.idempotency_key = ?1",
        )
        .bind(&[key.into()])
        .map_err(store_error)?
        .first(None)
        .await
        .map_err(store_error)?;
    let behaviour = behaviour
        .and_then(|t| CardBehaviour::parse("behaviour", &t.behaviour).ok())
        .ok_or_else(|| PaymentError::Permanent("payment token vanished".to_owned()))?;
    sandbox::capture_outcome(behaviour)?;
    set_status(db, key, "AUTHORIZED", "CAPTURED").await
}

/// Voids an authorization or refunds a capture, whichever the payment needs: either way
/// nothing stays charged. Settling something already settled (or never authorized)
/// succeeds, so the compensation is idempotent.
async fn sandbox_settle(db: &D1Database, key: &str) -> Result<(), PaymentError> {
    db.prepare(
        "UPDATE payments SET
             status = CASE status WHEN 'CAPTURED' THEN 'REFUNDED' ELSE 'VOIDED' END,
             updated_at = strftime('%Y-%m-%dT%H:%M:%SZ')
         WHERE idempotency_key = ?1 AND status IN ('PENDING', 'AUTHORIZED', 'CAPTURED')",
    )
    .bind(&[key.into()])
    .map_err(store_error)?
    .run()
    .await
    .map_err(store_error)?;
    Ok(())
}

async fn set_status(db: &D1Database, key: &str, from: &str, to: &str) -> Result<(), PaymentError> {
    db.prepare(
        "UPDATE payments SET status = ?3, updated_at = strftime('%Y-%m-%dT%H:%M:%SZ')
         WHERE idempotency_key = ?1 AND status = ?2",
    )
    .bind(&[key.into(), from.into(), to.into()])
    .map_err(store_error)?
    .run()
    .await
    .map_err(store_error)?;
    Ok(())
}
