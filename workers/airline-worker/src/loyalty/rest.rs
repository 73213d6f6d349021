//! The signed REST endpoint other services call for a customer's loyalty summary.

use airline_edge::http::NOSNIFF;
use airline_loyalty::signing::{
    ServiceKeys, SignedRequest, KEY_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER,
};
use airline_loyalty::LoyaltySummary;
use chrono::Utc;
use worker::{console_error, Env, Request, Response, Result};

use airline_platform::bindings::DATABASE;
use airline_platform::config::{secret_or_var, LOYALTY_SERVICE_KEYS};

use crate::d1::D1Store;

use super::ledger_store::balance_of;

/// `GET /loyalty/{customerId}`: the customer's summary as JSON, for services that sign
/// their requests (see `airline_loyalty::signing`). Anything unsigned, stale or tampered
/// is 401; an unknown customer is a zero balance, so ids cannot be probed.
pub async fn rest_summary(request: &Request, env: &Env, customer_id: &str) -> Result<Response> {
    let keys = match secret_or_var(env, LOYALTY_SERVICE_KEYS)
        .ok_or_else(|| format!("{LOYALTY_SERVICE_KEYS} is not set"))
        .and_then(|text| ServiceKeys::parse(&text))
    {
        Ok(keys) => keys,
        Err(problem) => {
            console_error!("{LOYALTY_SERVICE_KEYS} unusable: {problem}");
            return json_status(
                503,
                &serde_json::json!({"error": "service authentication is not configured"}),
            );
        }
    };
    let headers = request.headers();
    let (key_id, timestamp, signature) = (
        headers.get(KEY_ID_HEADER)?,
        headers.get(TIMESTAMP_HEADER)?,
        headers.get(SIGNATURE_HEADER)?,
    );
    let path = request.path();
    let verified = keys.verify(
        &SignedRequest {
            method: "GET",
            path: &path,
            body: b"",
            key_id: key_id.as_deref(),
            timestamp: timestamp.as_deref(),
            signature: signature.as_deref(),
        },
        Utc::now().timestamp(),
    );
    if let Err(problem) = verified {
        return json_status(401, &serde_json::json!({"error": problem.to_string()}));
    }
    let valid_id = !customer_id.is_empty()
        && customer_id.len() <= 200
        && customer_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b':' | b'.'));
    let balance = if valid_id {
        let store = D1Store::new(env.d1(DATABASE)?, "rest");
        match balance_of(&store, customer_id).await {
            Ok(balance) => balance,
            Err(_) => return json_status(500, &serde_json::json!({"error": "internal error"})),
        }
    } else {
        0
    };
    let summary = LoyaltySummary::for_balance(balance);
    json_status(
        200,
        &serde_json::json!({
            "customerId": customer_id,
            "points": summary.points,
            "tier": summary.tier.as_str(),
            "remainingPoints": summary.remaining_points,
            "progress": summary.progress,
        }),
    )
}

fn json_status(status: u16, body: &serde_json::Value) -> Result<Response> {
    let mut response = Response::from_json(body)?.with_status(status);
    let headers = response.headers_mut();
    headers.set("Cache-Control", "no-store")?;
    headers.set(NOSNIFF.0, NOSNIFF.1)?;
    Ok(response)
}
