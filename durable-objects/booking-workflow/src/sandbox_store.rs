//! The sandbox payment provider's state in D1: one `payments` row per payment key and its
//! life (PENDING -> AUTHORIZED -> CAPTURED -> REFUNDED, or DECLINED, or VOIDED). The rules
//! (what each test card does) are `airline_booking::payments::sandbox`'s; this module only
//! keeps the state, so that the saga's embedded provider and the Worker's Stripe-compatible
//! face of the sandbox (`/sandbox/stripe/v1/`) move the same payments the same way.

use airline_booking::payments::sandbox::{self, CardBehaviour};
use airline_booking::payments::PaymentError;
use airline_domain::Money;
use serde::Deserialize;
use worker::wasm_bindgen::JsValue;
use worker::D1Database;

/// What is charged: the payment's key (one payment per key), the card and its behaviour.
pub struct Charge<'a> {
    pub key: &'a str,
    /// A sandbox token (`tok_...`) or a test PaymentMethod id (`pm_...`).
    pub token: &'a str,
    pub customer_id: &'a str,
    pub amount: &'a Money,
    pub behaviour: CardBehaviour,
}

/// An authorization the sandbox granted.
#[derive(Debug)]
pub struct Authorized {
    pub payment_id: String,
    /// The test card's answer to this attempt is lost on the way: the authorization
    /// stands, but the caller must be told something went wrong in transit.
    pub answer_lost: bool,
}

/// A payment as its row holds it.
#[derive(Debug, Deserialize)]
pub struct Payment {
    pub id: String,
    pub idempotency_key: String,
    pub token: String,
    /// Minor units of `currency`.
    pub amount: f64,
    pub currency: String,
    /// PENDING, AUTHORIZED, CAPTURED, DECLINED, VOIDED or REFUNDED.
    pub status: String,
}

#[derive(Deserialize)]
struct BehaviourRow {
    behaviour: String,
}

/// What the card behind a payment token does: the token says (see
/// `sandbox::token_behaviour`), or, for a token made before tokens carried it, the token
/// store does. `None` for a token the sandbox does not know.
pub async fn behaviour(
    db: &D1Database,
    token: &str,
) -> Result<Option<CardBehaviour>, PaymentError> {
    if let Some(behaviour) = sandbox::token_behaviour(token) {
        return Ok(Some(behaviour));
    }
    let row: Option<BehaviourRow> = first_row(
        db,
        "SELECT behaviour FROM payment_tokens WHERE token = ?1",
        &[token.into()],
    )
    .await?;
    row.map(|row| {
        CardBehaviour::parse("behaviour", &row.behaviour)
            .map_err(|e| PaymentError::Permanent(e.to_string()))
    })
    .transpose()
}

fn store_error(e: worker::Error) -> PaymentError {
    PaymentError::Transient(format!("sandbox store: {e}"))
}

/// Runs `sql` with `params` bound for its effect; a failure is transient.
async fn execute(db: &D1Database, sql: &str, params: &[JsValue]) -> Result<(), PaymentError> {
    db.prepare(sql)
        .bind(params)
        .map_err(store_error)?
        .run()
        .await
        .map_err(store_error)?;
    Ok(())
}

/// The first row `sql` returns with `params` bound, if any; a failure is transient.
async fn first_row<T: for<'de> Deserialize<'de>>(
    db: &D1Database,
    sql: &str,
    params: &[JsValue],
) -> Result<Option<T>, PaymentError> {
    db.prepare(sql)
        .bind(params)
        .map_err(store_error)?
        .first(None)
        .await
        .map_err(store_error)
}

#[derive(Deserialize)]
struct AttemptRow {
    id: String,
    status: String,
    authorize_attempts: f64,
}

#[derive(Deserialize)]
struct IdRow {
    id: String,
}

/// The status an authorization attempt leaves its payment in; PENDING (a transient
/// failure) lets the next attempt try again.
fn status_after(outcome: &Result<(), PaymentError>) -> &'static str {
    match outcome {
        Ok(()) => "AUTHORIZED",
        Err(PaymentError::Declined { .. }) | Err(PaymentError::Permanent(_)) => "DECLINED",
        Err(PaymentError::Transient(_)) => "PENDING",
    }
}

/// Authorizes, counting attempts per payment so the "fails twice" card behaves the same
/// however often the step is retried. A payment already authorized or captured answers
/// with its id again; one declined or settled stays declined.
///
/// The first attempt is one statement: the new payment row already carries that
/// attempt's outcome. Only a payment that exists (a retry) is read and updated.
pub async fn authorize(db: &D1Database, charge: &Charge<'_>) -> Result<Authorized, PaymentError> {
    let payment_id = format!("pi_sandbox_{}", charge.key);
    let outcome = sandbox::authorize_outcome(charge.behaviour, 1);
    let inserted: Option<IdRow> = first_row(
        db,
        "INSERT INTO payments (id, idempotency_key, customer_id, token, amount, currency, status, authorize_attempts, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1, strftime('%Y-%m-%dT%H:%M:%SZ'), strftime('%Y-%m-%dT%H:%M:%SZ'))
         ON CONFLICT (idempotency_key) DO NOTHING
         RETURNING id",
        &[
            payment_id.as_str().into(),
            charge.key.into(),
            charge.customer_id.into(),
            charge.token.into(),
            (charge.amount.amount_minor() as f64).into(),
            charge.amount.currency().code().into(),
            status_after(&outcome).into(),
        ],
    )
    .await?;
    match inserted {
        Some(row) => outcome.map(|()| Authorized {
            payment_id: row.id,
            answer_lost: sandbox::answer_lost(charge.behaviour, 1),
        }),
        None => authorize_again(db, charge).await,
    }
}

/// A later attempt on an existing payment: counted while it is still PENDING.
async fn authorize_again(db: &D1Database, charge: &Charge<'_>) -> Result<Authorized, PaymentError> {
    let row: Option<AttemptRow> = first_row(
        db,
        "UPDATE payments SET
             authorize_attempts = authorize_attempts + (status = 'PENDING'),
             updated_at = strftime('%Y-%m-%dT%H:%M:%SZ')
         WHERE idempotency_key = ?1
         RETURNING id, status, authorize_attempts",
        &[charge.key.into()],
    )
    .await?;
    let Some(row) = row else {
        return Err(PaymentError::Transient(
            "sandbox payment row missing".to_owned(),
        ));
    };
    match row.status.as_str() {
        "AUTHORIZED" | "CAPTURED" => {
            return Ok(Authorized {
                payment_id: row.id,
                answer_lost: false,
            })
        }
        "DECLINED" | "VOIDED" | "REFUNDED" => {
            return Err(PaymentError::Declined {
                code: "card_declined".to_owned(),
                message: "Your card was declined.".to_owned(),
            })
        }
        _ => {}
    }
    let attempt = row.authorize_attempts as u32;
    let outcome = sandbox::authorize_outcome(charge.behaviour, attempt);
    let status = status_after(&outcome);
    if status != "PENDING" {
        set_status(db, charge.key, "PENDING", status).await?;
    }
    outcome.map(|()| Authorized {
        payment_id: row.id,
        answer_lost: sandbox::answer_lost(charge.behaviour, attempt),
    })
}

#[derive(Deserialize)]
struct StatusRow {
    status: String,
}

/// Captures an authorized payment made with `token`; capturing one already captured
/// succeeds. One statement when the payment is authorized and the token names its card's
/// behaviour.
pub async fn capture(db: &D1Database, key: &str, token: &str) -> Result<(), PaymentError> {
    let behaviour = behaviour(db, token)
        .await?
        .ok_or_else(|| PaymentError::Permanent("the payment's card is not known".to_owned()))?;
    sandbox::capture_outcome(behaviour)?;
    let captured: Option<IdRow> = first_row(
        db,
        "UPDATE payments SET status = 'CAPTURED', updated_at = strftime('%Y-%m-%dT%H:%M:%SZ')
         WHERE idempotency_key = ?1 AND status = 'AUTHORIZED'
         RETURNING id",
        &[key.into()],
    )
    .await?;
    if captured.is_some() {
        return Ok(());
    }
    let row: Option<StatusRow> = first_row(
        db,
        "SELECT status FROM payments WHERE idempotency_key = ?1",
        &[key.into()],
    )
    .await?;
    match row.as_ref().map(|row| row.status.as_str()) {
        Some("CAPTURED") => Ok(()),
        Some(other) => Err(PaymentError::Permanent(format!(
            "cannot capture a {other} payment"
        ))),
        None => Err(PaymentError::Permanent(
            "no authorization to capture".to_owned(),
        )),
    }
}

/// Voids an authorization or refunds a capture, whichever the payment needs: either way
/// nothing stays charged. Settling something already settled (or never authorized)
/// succeeds, so the compensation is idempotent.
pub async fn settle(db: &D1Database, key: &str) -> Result<(), PaymentError> {
    execute(
        db,
        "UPDATE payments SET
             status = CASE status WHEN 'CAPTURED' THEN 'REFUNDED' ELSE 'VOIDED' END,
             updated_at = strftime('%Y-%m-%dT%H:%M:%SZ')
         WHERE idempotency_key = ?1 AND status IN ('PENDING', 'AUTHORIZED', 'CAPTURED')",
        &[key.into()],
    )
    .await
}

/// The payment with this id, if there is one.
pub async fn payment(db: &D1Database, id: &str) -> Result<Option<Payment>, PaymentError> {
    first_row(
        db,
        "SELECT id, idempotency_key, token, amount, currency, status FROM payments WHERE id = ?1",
        &[id.into()],
    )
    .await
}

async fn set_status(db: &D1Database, key: &str, from: &str, to: &str) -> Result<(), PaymentError> {
    execute(
        db,
        "UPDATE payments SET status = ?3, updated_at = strftime('%Y-%m-%dT%H:%M:%SZ')
         WHERE idempotency_key = ?1 AND status = ?2",
        &[key.into(), from.into(), to.into()],
    )
    .await
}
