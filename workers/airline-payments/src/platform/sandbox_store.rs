//! The sandbox's state in a booking object's own SQLite: that booking's payment (one row,
//! its life decided by [`crate::sandbox_payment`]) and, for the Stripe-compatible face,
//! each idempotency key's first answer. Everything here is synchronous: a row is read,
//! decided on and written with no `.await` in between, so two calls can never interleave.

use airline_domain::{Currency, Money};
use serde::Deserialize;
use worker::{SqlStorage, SqlStorageValue};

use crate::sandbox::CardBehaviour;
use crate::sandbox_payment::{self, Authorized, Charge, SandboxPayment, SandboxStatus};
use crate::stripe_api::{self, Answer, Call};
use crate::PaymentError;

/// The sandbox's tables in one object's storage.
pub struct SandboxStore {
    sql: SqlStorage,
}

#[derive(Deserialize)]
struct PaymentRow {
    key: String,
    id: String,
    token: String,
    customer_id: String,
    amount: f64,
    currency: String,
    behaviour: String,
    status: String,
    authorize_attempts: f64,
}

#[derive(Deserialize)]
struct AnswerRow {
    request: String,
    status: f64,
    body: String,
}

fn store_error(e: impl std::fmt::Display) -> PaymentError {
    PaymentError::Transient(format!("sandbox store: {e}"))
}

fn text(value: &str) -> SqlStorageValue {
    SqlStorageValue::String(value.to_owned())
}

impl SandboxStore {
    /// The store in `sql`, its tables created on first use.
    pub fn open(sql: SqlStorage) -> worker::Result<Self> {
        sql.exec(
            "CREATE TABLE IF NOT EXISTS sandbox_payments (
                key TEXT PRIMARY KEY,
                id TEXT NOT NULL,
                token TEXT NOT NULL,
                customer_id TEXT NOT NULL,
                amount INTEGER NOT NULL,
                currency TEXT NOT NULL,
                behaviour TEXT NOT NULL,
                status TEXT NOT NULL,
                authorize_attempts INTEGER NOT NULL
            )",
            None,
        )?;
        sql.exec(
            "CREATE TABLE IF NOT EXISTS sandbox_stripe_answers (
                idempotency_key TEXT PRIMARY KEY,
                request TEXT NOT NULL,
                status INTEGER NOT NULL,
                body TEXT NOT NULL
            )",
            None,
        )?;
        Ok(Self { sql })
    }

    /// The payment of `key`, if the sandbox has one.
    pub fn payment(&self, key: &str) -> Result<Option<SandboxPayment>, PaymentError> {
        let rows: Vec<PaymentRow> = self
            .sql
            .exec(
                "SELECT key, id, token, customer_id, amount, currency, behaviour, status,
                        authorize_attempts
                 FROM sandbox_payments WHERE key = ?",
                vec![text(key)],
            )
            .and_then(|cursor| cursor.to_array())
            .map_err(store_error)?;
        rows.into_iter().next().map(read_payment).transpose()
    }

    /// Stores `payment` as it now stands.
    pub fn save(&self, payment: &SandboxPayment) -> Result<(), PaymentError> {
        self.sql
            .exec(
                "INSERT INTO sandbox_payments
                    (key, id, token, customer_id, amount, currency, behaviour, status, authorize_attempts)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                 ON CONFLICT (key) DO UPDATE SET
                    status = excluded.status, authorize_attempts = excluded.authorize_attempts",
                vec![
                    text(&payment.key),
                    text(&payment.id),
                    text(&payment.token),
                    text(&payment.customer_id),
                    SqlStorageValue::Integer(payment.amount.amount_minor()),
                    text(payment.amount.currency().code()),
                    text(payment.behaviour.as_str()),
                    text(payment.status.as_str()),
                    SqlStorageValue::Integer(i64::from(payment.authorize_attempts)),
                ],
            )
            .map(drop)
            .map_err(store_error)
    }

    pub fn authorize(&self, charge: &Charge<'_>) -> Result<Authorized, PaymentError> {
        let (payment, answer) = sandbox_payment::authorize(self.payment(charge.key)?, charge);
        self.save(&payment)?;
        answer
    }

    pub fn capture(&self, key: &str) -> Result<(), PaymentError> {
        let (payment, answer) = sandbox_payment::capture(self.payment(key)?);
        if let Some(payment) = payment {
            self.save(&payment)?;
        }
        answer
    }

    /// Voids or refunds, whichever leaves nothing charged; harmless when nothing is.
    pub fn settle(&self, key: &str) -> Result<(), PaymentError> {
        if let Some(payment) = sandbox_payment::settle(self.payment(key)?) {
            self.save(&payment)?;
        }
        Ok(())
    }

    /// Keeps a captured payment (a fare that refunds nothing); harmless when it is not.
    pub fn retain(&self, key: &str) -> Result<(), PaymentError> {
        if let Some(payment) = sandbox_payment::retain(self.payment(key)?) {
            self.save(&payment)?;
        }
        Ok(())
    }

    /// One call to the sandbox's Stripe-compatible face (`method` and `path` below
    /// `/sandbox/stripe`), against this store, with Stripe's idempotency: each key's first
    /// answer is kept and replayed to a retry of the same request; the same key with
    /// another request is refused; server errors are not kept, so a retry runs again.
    /// Returns the answer and whether it is a replay. The caller checked the API key and
    /// that the call's payment lives here (`stripe_api::payment_key`).
    pub fn serve(
        &self,
        method: &str,
        path: &str,
        body: &str,
        idempotency_key: Option<&str>,
    ) -> Result<(Answer, bool), PaymentError> {
        let Some(call) = Call::route(method, path) else {
            return Ok((stripe_api::unknown_url(), false));
        };
        let form = stripe_api::parse_form(body);
        let key = match stripe_api::payment_key(&call, &form) {
            Ok(key) => key,
            Err(answer) => return Ok((answer, false)),
        };
        if !call.is_write() {
            let performed = stripe_api::perform(&call, &form, &key, self.payment(&key)?);
            return Ok((performed.answer, false));
        }
        let Some(idempotency_key) = idempotency_key.filter(|k| !k.is_empty() && k.len() <= 255)
        else {
            return Ok((stripe_api::missing_idempotency_key(), false));
        };
        let print = stripe_api::fingerprint(method, path, body);
        let stored: Vec<AnswerRow> = self
            .sql
            .exec(
                "SELECT request, status, body FROM sandbox_stripe_answers WHERE idempotency_key = ?",
                vec![text(idempotency_key)],
            )
            .and_then(|cursor| cursor.to_array())
            .map_err(store_error)?;
        if let Some(stored) = stored.into_iter().next() {
            if stored.request != print {
                return Ok((stripe_api::idempotency_mismatch(idempotency_key), false));
            }
            let answer = Answer {
                status: stored.status as u16,
                body: stored.body,
            };
            return Ok((answer, true));
        }
        let performed = stripe_api::perform(&call, &form, &key, self.payment(&key)?);
        if let Some(payment) = &performed.payment {
            self.save(payment)?;
        }
        if performed.answer.is_stored() {
            self.sql
                .exec(
                    "INSERT OR IGNORE INTO sandbox_stripe_answers (idempotency_key, request, status, body)
                     VALUES (?, ?, ?, ?)",
                    vec![
                        text(idempotency_key),
                        text(&print),
                        SqlStorageValue::Integer(i64::from(performed.answer.status)),
                        text(&performed.answer.body),
                    ],
                )
                .map_err(store_error)?;
        }
        let answer = if performed.lost {
            performed.answer.cut_off()
        } else {
            performed.answer
        };
        Ok((answer, false))
    }
}

fn read_payment(row: PaymentRow) -> Result<SandboxPayment, PaymentError> {
    let corrupt = |what: &str| PaymentError::Permanent(format!("sandbox store: bad {what}"));
    let currency = Currency::parse("currency", &row.currency).map_err(|_| corrupt("currency"))?;
    Ok(SandboxPayment {
        id: row.id,
        key: row.key,
        token: row.token,
        customer_id: row.customer_id,
        amount: Money::from_minor(row.amount as i64, currency),
        behaviour: CardBehaviour::parse("behaviour", &row.behaviour)
            .map_err(|_| corrupt("behaviour"))?,
        status: SandboxStatus::parse(&row.status).ok_or_else(|| corrupt("status"))?,
        authorize_attempts: row.authorize_attempts as u32,
    })
}
