//! The sandbox's Stripe-compatible API over HTTP, `/sandbox/stripe/v1/...`, served only
//! when `STRIPE_SANDBOX_API` is `on` (local runs and tests; never production). With
//! `PAYMENT_PROVIDER=stripe` and `STRIPE_API_BASE` pointing here, the real Stripe adapter
//! makes real HTTP calls: form-encoded requests, `Idempotency-Key`, Stripe's errors.
//!
//! Each payment lives with its booking, in the booking's own object, as the embedded
//! sandbox keeps it (`airline_payments::platform::SandboxStore`), so both faces move money
//! the same way. This file checks the key, finds the booking a call is about, and hands
//! the call to that booking's object.

use airline_booking::protocol::{WorkflowReply, WorkflowRequest};
use airline_payments::stripe_api::{
    body_too_large, failure, is_test_key, parse_form, payment_key, unauthenticated, unknown_url,
    Answer, Call,
};
use airline_payments::PaymentError;
use airline_platform::bindings::BOOKING_WORKFLOW;
use airline_platform::call_object;
use airline_platform::config::{var, STRIPE_SANDBOX_API};
use worker::{Env, Request, Response, Result};

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
        // The booking's object failed: a server error, which Stripe's clients retry.
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
    let idempotency_key = headers.get("Idempotency-Key").ok().flatten();
    let method = request.method().to_string();
    let Some(call) = Call::route(&method, path) else {
        return Ok((unknown_url(), false));
    };
    let body = request.text().await.map_err(|e| e.to_string())?;
    if body.len() > MAX_BODY_BYTES {
        return Ok((body_too_large(MAX_BODY_BYTES), false));
    }
    let booking_id = match payment_key(&call, &parse_form(&body)) {
        Ok(key) => key,
        Err(answer) => return Ok((answer, false)),
    };
    let message = WorkflowRequest::SandboxStripe {
        method,
        path: path.to_owned(),
        body,
        idempotency_key,
    };
    let reply: WorkflowReply = call_object(
        env,
        BOOKING_WORKFLOW,
        &booking_id,
        &message,
        Some(request_id.as_str()),
    )
    .await
    .map_err(|e| e.to_string())?;
    match reply {
        WorkflowReply::SandboxAnswer {
            status,
            body,
            replayed,
        } => Ok((Answer { status, body }, replayed)),
        other => Err(format!("the booking's object answered {other:?}")),
    }
}
