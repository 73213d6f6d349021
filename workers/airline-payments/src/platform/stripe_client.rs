//! Stripe's API over `fetch` (or anything speaking it, at `STRIPE_API_BASE`): sends what
//! a [`StripeRequest`] describes and hands back the status and body for `stripe`'s
//! parsers.

use worker::wasm_bindgen::JsValue;
use worker::{Fetch, Headers, Method, Request, RequestInit};

use airline_platform::trace::{self, CallKind};

use crate::stripe::{self, StripeRequest};
use crate::PaymentError;

/// Stripe's API with one secret key.
pub struct StripeClient {
    secret_key: String,
    api_base: String,
}

impl StripeClient {
    /// A client for `api_base` (Stripe's own when `None`); refused without a key.
    pub fn new(secret_key: &str, api_base: Option<&str>) -> Result<Self, PaymentError> {
        if secret_key.is_empty() {
            return Err(PaymentError::Permanent(
                "STRIPE_SECRET_KEY is not set".to_owned(),
            ));
        }
        Ok(Self {
            secret_key: secret_key.to_owned(),
            api_base: stripe::api_base(api_base)?,
        })
    }

    /// Makes one call; its status and body, or a transient error if it never got an answer.
    pub async fn send(
        &self,
        request: &StripeRequest,
        driver: Option<&str>,
    ) -> Result<(u16, String), PaymentError> {
        trace::call(CallKind::OutgoingHttp, None, driver).await;
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
