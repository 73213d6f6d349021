//! Structured logs: one JSON object per line, which Workers Logs indexes field by field
//! (`$metadata` aside, a query can filter on `event = "saga_step" AND outcome =
//! "transient"`, or follow one `request_id` from the Worker into the workflow object).
//!
//! Two kinds of line, with fixed field names:
//!
//! - `request`: every HTTP request the Worker answers: `request_id`, `method`, `path`,
//!   `status`, `duration_ms`.
//! - `saga_step`: every step a booking's workflow object runs: `request_id` (of the API
//!   request that drove it; absent when the object's alarm did), `booking_id`, `step`,
//!   `outcome` (`done`, `transient`, `failed`), `detail` (why it did not succeed),
//!   `attempt` (1 for the first try), `duration_ms`.
//!
//! Never a card number, a token, a password or a name: ids, codes and timings only.

use serde::Serialize;

/// The header that carries a request's id to the objects it calls, and back to the client.
pub const REQUEST_ID_HEADER: &str = "X-Request-Id";

/// One HTTP request the Worker answered.
#[derive(Debug, Serialize)]
pub struct RequestLine<'a> {
    pub request_id: &'a str,
    pub method: &'a str,
    pub path: &'a str,
    pub status: u16,
    pub duration_ms: i64,
}

/// How a saga step ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LoggedOutcome {
    Done,
    /// Worth retrying; the saga backs off and runs it again.
    Transient,
    /// Final: a forward step failing starts compensation.
    Failed,
}

/// One step a booking's saga ran.
#[derive(Debug, Serialize)]
pub struct SagaStepLine<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<&'a str>,
    pub booking_id: &'a str,
    pub step: &'a str,
    pub outcome: LoggedOutcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<&'a str>,
    pub attempt: u32,
    pub duration_ms: i64,
}

#[derive(Serialize)]
struct Tagged<'a, T> {
    event: &'a str,
    #[serde(flatten)]
    fields: &'a T,
}

impl RequestLine<'_> {
    pub fn to_line(&self) -> String {
        render("request", self)
    }
}

impl SagaStepLine<'_> {
    pub fn to_line(&self) -> String {
        render("saga_step", self)
    }
}

fn render<T: Serialize>(event: &str, fields: &T) -> String {
    serde_json::to_string(&Tagged { event, fields })
        // Every field is a string, a number or an enum: serialization cannot fail.
        .unwrap_or_else(|_| format!(r#"{{"event":"{event}"}}"#))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn parsed(line: &str) -> Value {
        assert!(!line.contains('\n'), "one line: {line}");
        serde_json::from_str(line).unwrap()
    }

    #[test]
    fn a_request_is_one_json_line_with_fixed_fields() {
        let line = RequestLine {
            request_id: "ab12",
            method: "POST",
            path: "/graphql",
            status: 200,
            duration_ms: 37,
        }
        .to_line();
        assert_eq!(
            parsed(&line),
            json!({"event": "request", "request_id": "ab12", "method": "POST",
                   "path": "/graphql", "status": 200, "duration_ms": 37})
        );
    }

    #[test]
    fn a_saga_step_names_its_booking_step_and_outcome() {
        let retried = SagaStepLine {
            request_id: Some("ab12"),
            booking_id: "bk_1",
            step: "AUTHORIZE_PAYMENT",
            outcome: LoggedOutcome::Transient,
            detail: Some("stripe 500 api_error: \"quoted\"\nnext line"),
            attempt: 2,
            duration_ms: 15,
        }
        .to_line();
        assert_eq!(
            parsed(&retried),
            json!({"event": "saga_step", "request_id": "ab12", "booking_id": "bk_1",
                   "step": "AUTHORIZE_PAYMENT", "outcome": "transient",
                   "detail": "stripe 500 api_error: \"quoted\"\nnext line",
                   "attempt": 2, "duration_ms": 15})
        );
        // Driven by the alarm, done: no request id, no detail.
        let done = SagaStepLine {
            request_id: None,
            booking_id: "bk_1",
            step: "CAPTURE_PAYMENT",
            outcome: LoggedOutcome::Done,
            detail: None,
            attempt: 1,
            duration_ms: 9,
        }
        .to_line();
        let done = parsed(&done);
        assert_eq!(done["outcome"], "done");
        assert!(done.get("request_id").is_none() && done.get("detail").is_none());
    }
}
