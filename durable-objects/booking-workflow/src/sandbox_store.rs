//! The sandbox payment provider's state in D1: one `payments` row per payment key and its
//! life (PENDING -> AUTHORIZED -> CAPTURED -> REFUNDED, or DECLINED, or VOIDED). The rules
//! (what each test card does) are `airline_booking::payments::sandbox`'s; this module only
//! keeps the state, so that the saga's embedded provider and the Worker's Stripe-compatible
//! face of the sandbox (`/sandbox/stripe/v1/`) move the same payments the same way.

use airline_booking::payments::sandbox::{self, CardBehaviour};
use airline_booking::payments::PaymentError;
use airline_domain::Money;
use serde::Deserialize;
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

/// A tokenized sandbox card: whose it is and what it does.
pub struct Card {
    pub customer_id: String,
    pub behaviour: CardBehaviour,
}

#[derive(Deserialize)]
struct CardRow {
    behaviour: String,
    customer_id: String,
}

/// The card behind a sandbox token (`tok_...`), if there is one.
pub async fn card(db: &D1Database, token: &str) -> Result<Option<Card>, PaymentError> {
    let row: Option<CardRow> = db
        .prepare("SELECT behaviour, customer_id FROM payment_tokens WHERE token = ?1")
        .bind(&[token.into()])
        .map_err(store_error)?
        .first(None)
        .await
        .map_err(store_error)?;
    row.map(|row| {
        let behaviour = CardBehaviour::parse("behaviour", &row.behaviour)
            .map_err(|e| PaymentError::Permanent(e.to_string()))?;
        Ok(Card {
            customer_id: row.customer_id,
            behaviour,
        })
    })
    .transpose()
}

fn store_error(e: worker::Error) -> PaymentError {
    PaymentError::Transient(format!("sandbox store: {e}"))
}

#[derive(Deserialize)]
struct AttemptRow {
    id: String,
    status: String,
    authorize_attempts: f64,
}

/// Authorizes, counting attempts per payment so the "fails twice" card behaves the same
/// however often the step is retried. A payment already authorized or captured answers
/// with its id again; one declined or settled stays declined.
pub async fn authorize(db: &D1Database, charge: &Charge<'_>) -> Result<Authorized, PaymentError> {
    let payment_id = format!("pi_sandbox_{}", charge.key);
    let row: Option<AttemptRow> = db
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
            charge.key.into(),
            charge.customer_id.into(),
            charge.token.into(),
            (charge.amount.amount_minor() as f64).into(),
            charge.amount.currency().code().into(),
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
    let next = match &outcome {
        Ok(()) => Some("AUTHORIZED"),
        Err(PaymentError::Declined { .. }) | Err(PaymentError::Permanent(_)) => Some("DECLINED"),
        Err(PaymentError::Transient(_)) => None,
    };
    if let Some(status) = next {
        set_status(db, charge.key, "PENDING", status).await?;
    }
    outcome.map(|()| Authorized {
        payment_id: row.id,
        answer_lost: sandbox::answer_lost(charge.behaviour, attempt),
    })
}

#[derive(Deserialize)]
struct CaptureRow {
    status: String,
    token: String,
    /// The tokenized card's behaviour; null for a test PaymentMethod id.
    behaviour: Option<String>,
}

/// Captures an authorized payment; capturing one already captured succeeds.
pub async fn capture(db: &D1Database, key: &str) -> Result<(), PaymentError> {
    let row: Option<CaptureRow> = db
        .prepare(
            "SELECT p.status, p.token, t.behaviour
             FROM payments p LEFT JOIN payment_tokens t ON t.token = p.token
             WHERE p.idempotency_key = ?1",
        )
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
    let behaviour = match &row.behaviour {
        Some(behaviour) => CardBehaviour::parse("behaviour", behaviour).ok(),
        None => sandbox::payment_method_behaviour(&row.token),
    }
    .ok_or_else(|| PaymentError::Permanent("payment token vanished".to_owned()))?;
    sandbox::capture_outcome(behaviour)?;
    set_status(db, key, "AUTHORIZED", "CAPTURED").await
}

/// Voids an authorization or refunds a capture, whichever the payment needs: either way
/// nothing stays charged. Settling something already settled (or never authorized)
/// succeeds, so the compensation is idempotent.
pub async fn settle(db: &D1Database, key: &str) -> Result<(), PaymentError> {
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

/// The payment with this id, if there is one.
pub async fn payment(db: &D1Database, id: &str) -> Result<Option<Payment>, PaymentError> {
    db.prepare(
        "SELECT id, idempotency_key, token, amount, currency, status FROM payments WHERE id = ?1",
    )
    .bind(&[id.into()])
    .map_err(store_error)?
    .first(None)
    .await
    .map_err(store_error)
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
