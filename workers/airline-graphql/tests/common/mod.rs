//! Assertions both API test files use on GraphQL responses.
#![allow(dead_code)]

use serde_json::Value;

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
