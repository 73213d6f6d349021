//! What runs on Workers: the provider a booking's saga calls ([`Provider`]), the Stripe
//! client over `fetch`, and the sandbox's store in the booking object's own SQLite. Every
//! call carries an idempotency key derived from the booking id, so a retried step never
//! charges twice; `driver` is the request a call is made for (the bench's call trace).

mod sandbox_store;
mod stripe_client;

pub use sandbox_store::SandboxStore;
pub use stripe_client::StripeClient;

use airline_domain::Money;
use airline_platform::config::{var, PAYMENT_PROVIDER, STRIPE_API_BASE, STRIPE_SECRET_KEY};
use worker::Env;

use crate::sandbox::CardBehaviour;
use crate::sandbox_payment::Charge;
use crate::{stripe, Authorization, PaymentError, PaymentProvider, PaymentRequest};

impl PaymentProvider {
    /// The deployment's provider, from its vars and secrets.
    pub fn from_env(env: &Env) -> Self {
        PaymentProvider::from_settings(
            var(env, PAYMENT_PROVIDER).as_deref(),
            env.secret(STRIPE_SECRET_KEY).ok().map(|s| s.to_string()),
            var(env, STRIPE_API_BASE),
        )
    }
}

/// The provider as a booking's saga calls it.
pub enum Provider<'a> {
    /// The sandbox, its payment kept in the booking's own storage: a call is a local
    /// write, not a round trip.
    Sandbox(&'a SandboxStore),
    Stripe(StripeClient),
}

impl<'a> Provider<'a> {
    /// The provider `kind` names; the sandbox keeps its state in `sandbox`.
    pub fn new(kind: &PaymentProvider, sandbox: &'a SandboxStore) -> Result<Self, PaymentError> {
        match kind {
            PaymentProvider::Sandbox => Ok(Provider::Sandbox(sandbox)),
            PaymentProvider::Stripe {
                secret_key,
                api_base,
            } => StripeClient::new(secret_key, api_base.as_deref()).map(Provider::Stripe),
        }
    }

    /// Authorizes `request`. `card` is what the sandbox card behind the token does (the
    /// caller resolves it; `None`: a token the sandbox does not know, declined as Stripe
    /// declines an unknown PaymentMethod). A lost answer (the test card that loses its
    /// first one) is a transient error, exactly as a dropped response would be.
    pub async fn authorize(
        &self,
        request: &PaymentRequest,
        card: Option<CardBehaviour>,
        driver: Option<&str>,
    ) -> Result<Authorization, PaymentError> {
        match self {
            Provider::Sandbox(store) => {
                let behaviour = card.ok_or_else(|| PaymentError::Declined {
                    code: "invalid_token".to_owned(),
                    message: "The payment token is not known.".to_owned(),
                })?;
                let authorized = store.authorize(&Charge {
                    key: &request.idempotency_key,
                    token: request.payment_token.as_str(),
                    customer_id: request.customer_id.as_str(),
                    amount: request.amount,
                    behaviour,
                })?;
                if authorized.answer_lost {
                    return Err(PaymentError::Transient(
                        "sandbox: the authorization's answer was lost".to_owned(),
                    ));
                }
                Ok(Authorization {
                    payment_id: authorized.payment_id,
                })
            }
            Provider::Stripe(client) => {
                let (status, body) = client
                    .send(&stripe::authorize_request(request), driver)
                    .await?;
                stripe::parse_authorize(status, &body)
            }
        }
    }

    /// Captures the authorization `payment_id` of the payment keyed `key`.
    pub async fn capture(
        &self,
        key: &str,
        payment_id: Option<&str>,
        driver: Option<&str>,
    ) -> Result<(), PaymentError> {
        match (self, payment_id) {
            (Provider::Sandbox(store), _) => store.capture(key),
            (Provider::Stripe(_), None) => {
                Err(PaymentError::Permanent("nothing was authorized".to_owned()))
            }
            (Provider::Stripe(client), Some(id)) => {
                let (status, body) = client
                    .send(&stripe::capture_request(id, key), driver)
                    .await?;
                stripe::parse_capture(status, &body)
            }
        }
    }

    /// Releases an authorization. Without a payment id (the authorization's answer was
    /// lost), Stripe's uncaptured PaymentIntents lapse on their own after 7 days; the
    /// sandbox finds the payment by key.
    pub async fn void(
        &self,
        key: &str,
        payment_id: Option<&str>,
        driver: Option<&str>,
    ) -> Result<(), PaymentError> {
        match (self, payment_id) {
            (Provider::Sandbox(store), _) => store.settle(key),
            (Provider::Stripe(_), None) => Ok(()),
            (Provider::Stripe(client), Some(id)) => {
                let (status, body) = client.send(&stripe::void_request(id, key), driver).await?;
                stripe::parse_void(status, &body)
            }
        }
    }

    /// Gives back `amount` of a captured payment (all of it, or what the fare's
    /// conditions refund; never nothing: see [`Provider::retain`]).
    pub async fn refund(
        &self,
        key: &str,
        payment_id: Option<&str>,
        amount: &Money,
        driver: Option<&str>,
    ) -> Result<(), PaymentError> {
        match (self, payment_id) {
            (Provider::Sandbox(store), _) => store.settle(key),
            (Provider::Stripe(_), None) => Err(PaymentError::Permanent(
                "captured payment without an id".to_owned(),
            )),
            (Provider::Stripe(client), Some(id)) => {
                let (status, body) = client
                    .send(&stripe::refund_request(id, key, amount), driver)
                    .await?;
                stripe::parse_refund(status, &body)
            }
        }
    }

    /// Keeps a captured payment whole: a cancellation under a fare that refunds nothing.
    /// Stripe needs no call (the PaymentIntent simply stays succeeded); the sandbox marks
    /// its payment RETAINED, so reconciliation sees it settled by the fare, not forgotten.
    pub async fn retain(&self, key: &str) -> Result<(), PaymentError> {
        match self {
            Provider::Sandbox(store) => store.retain(key),
            Provider::Stripe(_) => Ok(()),
        }
    }
}
