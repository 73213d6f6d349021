//! The payment providers the saga calls: the embedded sandbox (state in D1 through
//! [`sandbox_store`], rules in `airline_booking::payments::sandbox`) and Stripe over
//! HTTPS (wire format in `airline_booking::payments::stripe`). Every call carries an idempotency key derived
//! from the booking id, so a retried step never charges twice.

use airline_booking::payments::sandbox::CardBehaviour;
use airline_booking::payments::stripe::{self, StripeRequest};
use airline_booking::payments::{Authorization, PaymentError, PaymentRequest};
use worker::wasm_bindgen::JsValue;
use worker::{D1Database, Env, Fetch, Headers, Method, Request, RequestInit};

use airline_platform::bindings::DATABASE;

use crate::config::PaymentProviderKind;
use crate::sandbox_store;

pub enum Provider {
    Sandbox(D1Database),
    Stripe(StripeClient),
}

/// Stripe's API (or anything speaking it, at `STRIPE_API_BASE`) with one secret key.
pub struct StripeClient {
    secret_key: String,
    api_base: String,
}

impl Provider {
    pub fn new(env: &Env, kind: &PaymentProviderKind) -> Result<Self, PaymentError> {
        match kind {
            PaymentProviderKind::Sandbox => env
                .d1(DATABASE)
                .map(Provider::Sandbox)
                .map_err(|e| PaymentError::Transient(format!("D1 binding: {e}"))),
            PaymentProviderKind::Stripe { secret_key, .. } if secret_key.is_empty() => Err(
                PaymentError::Permanent("STRIPE_SECRET_KEY is not set".to_owned()),
            ),
            PaymentProviderKind::Stripe {
                secret_key,
                api_base,
            } => Ok(Provider::Stripe(StripeClient {
                secret_key: secret_key.clone(),
                api_base: stripe::api_base(api_base.as_deref())?,
            })),
        }
    }

    pub async fn authorize(&self, request: &PaymentRequest) -> Result<Authorization, PaymentError> {
        match self {
            Provider::Sandbox(db) => sandbox_authorize(db, request).await,
            Provider::Stripe(client) => {
                let (status, body) = client.send(&stripe::authorize_request(request)).await?;
                stripe::parse_authorize(status, &body)
            }
        }
    }

    /// Captures the authorization `payment_id` of a payment made with `token`.
    pub async fn capture(
        &self,
        key: &str,
        payment_id: &str,
        token: &str,
    ) -> Result<(), PaymentError> {
        match self {
            Provider::Sandbox(db) => sandbox_store::capture(db, key, token).await,
            Provider::Stripe(client) => {
                let (status, body) = client
                    .send(&stripe::capture_request(payment_id, key))
                    .await?;
                stripe::parse_capture(status, &body)
            }
        }
    }

    /// Releases an authorization. Without a payment id (the authorization's answer was
    /// lost), Stripe's uncaptured PaymentIntents lapse on their own after 7 days; the
    /// sandbox finds the payment by key.
    pub async fn void(&self, key: &str, payment_id: Option<&str>) -> Result<(), PaymentError> {
        match (self, payment_id) {
            (Provider::Sandbox(db), _) => sandbox_store::settle(db, key).await,
            (Provider::Stripe(_), None) => Ok(()),
            (Provider::Stripe(client), Some(id)) => {
                let (status, body) = client.send(&stripe::void_request(id, key)).await?;
                stripe::parse_void(status, &body)
            }
        }
    }

    pub async fn refund(&self, key: &str, payment_id: Option<&str>) -> Result<(), PaymentError> {
        match (self, payment_id) {
            (Provider::Sandbox(db), _) => sandbox_store::settle(db, key).await,
            (Provider::Stripe(_), None) => Err(PaymentError::Permanent(
                "captured payment without an id".to_owned(),
            )),
            (Provider::Stripe(client), Some(id)) => {
                let (status, body) = client.send(&stripe::refund_request(id, key)).await?;
                stripe::parse_refund(status, &body)
            }
        }
    }
}

impl StripeClient {
    /// Makes one call; its status and body, or a transient error if it never got an answer.
    async fn send(&self, request: &StripeRequest) -> Result<(u16, String), PaymentError> {
        let transient = |e: worker::Error| PaymentError::Transient(format!("stripe: {e}"));
        let headers = Headers::new();
        for (name, value) in request.headers(&self.secret_key) {
            headers.set(name, &value).map_err(transient)?;
        }
        let mut init = RequestInit::new();
        init.with_method(Method::Post)
            .with_headers(headers)
            .with_body(Some(JsValue::from_str(&request.body())));
        let outgoing =
            Request::new_with_init(&request.url(&self.api_base), &init).map_err(transient)?;
        let mut response = Fetch::Request(outgoing).send().await.map_err(transient)?;
        let body = response.text().await.map_err(transient)?;
        Ok((response.status_code(), body))
    }
}

/// Authorizes against a tokenized sandbox card. A lost answer (the test card that loses
/// its first one) is a transient error to the saga, exactly as a dropped response would be.
async fn sandbox_authorize(
    db: &D1Database,
    request: &PaymentRequest,
) -> Result<Authorization, PaymentError> {
    let token = request.payment_token.as_str();
    let behaviour = known_card(db, token).await?;
    let charge = sandbox_store::Charge {
        key: &request.idempotency_key,
        token,
        customer_id: request.customer_id.as_str(),
        amount: &request.amount,
        behaviour,
    };
    let authorized = sandbox_store::authorize(db, &charge).await?;
    if authorized.answer_lost {
        return Err(PaymentError::Transient(
            "sandbox: the authorization's answer was lost".to_owned(),
        ));
    }
    Ok(Authorization {
        payment_id: authorized.payment_id,
    })
}

/// What the card behind a sandbox token does; a token the sandbox does not know is
/// declined, as Stripe declines an unknown PaymentMethod.
async fn known_card(db: &D1Database, token: &str) -> Result<CardBehaviour, PaymentError> {
    sandbox_store::behaviour(db, token)
        .await?
        .ok_or_else(|| PaymentError::Declined {
            code: "invalid_token".to_owned(),
            message: "The payment token is not known.".to_owned(),
        })
}
