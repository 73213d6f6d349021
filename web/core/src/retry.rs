//! When a call is worth making again by itself. The platform in front of the Worker (an
//! isolate being restarted, a data centre shedding load) can answer 502, 503 or 504 before
//! the Worker has run; that answer is not the API's (it carries no GraphQL result), and a
//! query changes nothing, so asking once more, a moment later, is safe and usually enough.
//! A mutation is never repeated here: the traveller sees the error and decides (the
//! booking's idempotency key makes their retry safe).

/// How long to wait before asking again, in milliseconds.
pub const PLATFORM_RETRY_DELAY_MS: i32 = 500;

/// Whether an answer came from the platform rather than the API, and says to come back:
/// 502, 503 or 504 without a GraphQL result (`data` or `errors`) in its body.
pub fn is_platform_unavailable(status: u16, body: &str) -> bool {
    let from_the_api = serde_json::from_str::<serde_json::Value>(body)
        .is_ok_and(|value| value.get("data").is_some() || value.get("errors").is_some());
    matches!(status, 502..=504) && !from_the_api
}

/// Whether a GraphQL document only reads: its operation is a `query` (or the `{ … }`
/// shorthand for one), after any comments.
pub fn only_reads(document: &str) -> bool {
    let operation = document
        .lines()
        .map(str::trim_start)
        .find(|line| !line.is_empty() && !line.starts_with('#'))
        .unwrap_or_default();
    operation.starts_with("query") || operation.starts_with('{')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_platforms_unavailable_answers_are_told_from_the_apis() {
        assert!(is_platform_unavailable(503, "Service Unavailable"));
        assert!(is_platform_unavailable(502, ""));
        assert!(is_platform_unavailable(504, "<html>Gateway Timeout</html>"));
        // The API's own answer, whatever its status, is the API's to explain.
        assert!(!is_platform_unavailable(
            503,
            r#"{"errors":[{"message":"busy","extensions":{"code":"UNAVAILABLE"}}]}"#
        ));
        assert!(!is_platform_unavailable(502, r#"{"data":null}"#));
        // Other statuses are not "come back".
        assert!(!is_platform_unavailable(500, "Internal Server Error"));
        assert!(!is_platform_unavailable(200, "not json"));
    }

    #[test]
    fn only_queries_read() {
        assert!(only_reads(
            "query FlightBrief($id: ID!) { flight(id: $id) { id } }"
        ));
        assert!(only_reads("# the brief\n\n  query Q { a }"));
        assert!(only_reads("{ me { id } }"));
        assert!(!only_reads(
            "mutation ProcessBooking { processBooking { id } }"
        ));
        assert!(!only_reads("# query in a comment\nmutation M { m }"));
        assert!(!only_reads(""));
    }
}
