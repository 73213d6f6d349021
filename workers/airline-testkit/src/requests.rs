//! Running a GraphQL request against a context natively, and assertions on its answer:
//! what the API's and the edge's tests share.

use std::sync::OnceLock;

use airline_auth::{Principal, Role};
use airline_domain::AccountId;
use airline_graphql::{ApiSchema, RequestContext, Viewer};
use chrono::{DateTime, Utc};
use serde_json::Value;

/// The schema, built once per test binary.
pub fn api() -> &'static ApiSchema {
    static API: OnceLock<ApiSchema> = OnceLock::new();
    API.get_or_init(airline_graphql::schema)
}

/// An instant written as RFC 3339, e.g. "2026-11-24T06:00:00Z".
pub fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("an RFC 3339 instant")
        .with_timezone(&Utc)
}

/// Executes one request with `context` (see [`crate::TestContext`]) and
/// returns the response as JSON.
pub fn execute(
    schema: &ApiSchema,
    context: RequestContext,
    query: &str,
    variables: Value,
) -> Value {
    let request = async_graphql::Request::new(query)
        .variables(async_graphql::Variables::from_json(variables));
    let response = futures_executor::block_on(airline_graphql::execute(schema, request, context));
    serde_json::to_value(response).unwrap()
}

/// The `data` of a response that must have succeeded.
pub fn data(response: Value) -> Value {
    assert!(
        response.get("errors").is_none(),
        "unexpected errors: {response:#}"
    );
    response["data"].clone()
}

/// The first error of a response that must have failed as a whole with `code`.
pub fn failure(response: &Value, code: &str) -> Value {
    assert_eq!(
        response["data"],
        Value::Null,
        "no partial data: {response:#}"
    );
    let error = &response["errors"][0];
    assert_eq!(error["extensions"]["code"], code, "{response:#}");
    assert!(
        error["message"].as_str().is_some_and(|m| !m.is_empty()),
        "errors carry a message: {response:#}"
    );
    error.clone()
}

/// A viewer signed in as `account_id` with `role`, as a verified access token makes one.
pub fn signed_in(account_id: &str, role: Role) -> Viewer {
    Viewer::Signed(Principal {
        account_id: AccountId::trusted(account_id),
        role,
    })
}
