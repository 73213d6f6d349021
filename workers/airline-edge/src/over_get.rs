//! GraphQL over HTTP GET, for queries only, so that anonymous reads (a flight search) can
//! be answered from the edge's cache: the URL parameters (`query`, `variables`,
//! `operationName`, `extensions`), automatic persisted queries (the query's SHA-256 stands
//! for its text, so a GET URL stays short), which answers may be cached, and the
//! `application/graphql-response+json` media type of the GraphQL-over-HTTP spec.
//!
//! A GET never changes anything: a mutation sent over GET is refused (405), so a link or
//! an image tag cannot make one. Tokens travel in the `Authorization` header, never in a
//! cookie, so a cross-site GET is anonymous; and only anonymous answers are ever cached.

use std::collections::HashMap;
use std::sync::Mutex;

use async_graphql::parser::types::OperationType;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::http::Rejection;

/// How long an anonymous answer is served from the edge cache, unless
/// `SEARCH_CACHE_TTL_SECONDS` says otherwise: seat counts in search results may be this
/// stale; the seat map and the booking itself never are.
pub const DEFAULT_CACHE_TTL_SECONDS: u32 = 10;

/// The media type of the GraphQL-over-HTTP spec, whose status codes say what failed.
pub const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";

/// Queries remembered per isolate for automatic persisted queries; beyond this the store
/// starts again (a client whose hash is forgotten sends its query once more).
const MAX_PERSISTED: usize = 512;

/// A GraphQL request as a GET's parameters carry it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GetRequest {
    pub query: Option<String>,
    pub operation_name: Option<String>,
    pub variables: Option<Value>,
    /// `extensions.persistedQuery.sha256Hash`, lower-case hex.
    pub persisted_hash: Option<String>,
}

/// Why a GET cannot run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GetFailure {
    Rejected(Rejection),
    /// The hash is not known here (yet): the client sends the query with it once.
    PersistedQueryNotFound,
}

impl From<Rejection> for GetFailure {
    fn from(rejection: Rejection) -> Self {
        GetFailure::Rejected(rejection)
    }
}

/// Whether a GET to `/graphql` is a GraphQL request (rather than a browser opening
/// GraphiQL): it carries `query` or `extensions`.
pub fn is_graphql_get(query_string: &str) -> bool {
    form_urlencoded::parse(query_string.as_bytes())
        .any(|(name, _)| name == "query" || name == "extensions")
}

/// Reads the parameters of a GET. `variables` and `extensions` are JSON.
pub fn parse_get(query_string: &str) -> Result<GetRequest, Rejection> {
    if query_string.len() > crate::http::MAX_BODY_BYTES {
        return Err(Rejection::PayloadTooLarge);
    }
    let mut request = GetRequest::default();
    for (name, value) in form_urlencoded::parse(query_string.as_bytes()) {
        let json = |what: &str| {
            serde_json::from_str::<Value>(&value)
                .map_err(|_| Rejection::BadRequest(format!("`{what}` is not JSON")))
        };
        match name.as_ref() {
            "query" => request.query = Some(value.into_owned()),
            "operationName" if !value.is_empty() => {
                request.operation_name = Some(value.into_owned())
            }
            "variables" if !value.is_empty() => {
                let variables = json("variables")?;
                if !variables.is_object() {
                    return Err(Rejection::BadRequest(
                        "`variables` must be a JSON object".into(),
                    ));
                }
                request.variables = Some(variables);
            }
            "extensions" if !value.is_empty() => {
                let extensions = json("extensions")?;
                let persisted = &extensions["persistedQuery"];
                if !persisted.is_null() {
                    if persisted["version"] != 1 {
                        return Err(Rejection::BadRequest(
                            "only version 1 of persisted queries is supported".into(),
                        ));
                    }
                    let hash = persisted["sha256Hash"]
                        .as_str()
                        .filter(|hash| {
                            hash.len() == 64 && hash.chars().all(|c| c.is_ascii_hexdigit())
                        })
                        .ok_or_else(|| {
                            Rejection::BadRequest(
                                "`persistedQuery.sha256Hash` must be 64 hex digits".into(),
                            )
                        })?;
                    request.persisted_hash = Some(hash.to_ascii_lowercase());
                }
            }
            _ => {}
        }
    }
    Ok(request)
}

/// The hex SHA-256 of a query's text, as clients compute it for persisted queries.
pub fn query_hash(query: &str) -> String {
    Sha256::digest(query.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The queries this isolate has seen, by hash.
#[derive(Default)]
pub struct PersistedQueries {
    known: Mutex<HashMap<String, String>>,
}

impl PersistedQueries {
    /// The query text a GET stands for: its own `query` (remembered under its hash when it
    /// sends one, after checking the hash is the query's), or the text remembered for its
    /// hash.
    pub fn resolve(&self, request: &GetRequest) -> Result<String, GetFailure> {
        let mut known = self.known.lock().unwrap_or_else(|p| p.into_inner());
        match (&request.query, &request.persisted_hash) {
            (Some(query), Some(hash)) => {
                if query_hash(query) != *hash {
                    return Err(Rejection::BadRequest(
                        "`persistedQuery.sha256Hash` is not the SHA-256 of `query`".into(),
                    )
                    .into());
                }
                if known.len() >= MAX_PERSISTED {
                    known.clear();
                }
                known.insert(hash.clone(), query.clone());
                Ok(query.clone())
            }
            (Some(query), None) => Ok(query.clone()),
            (None, Some(hash)) => known
                .get(hash)
                .cloned()
                .ok_or(GetFailure::PersistedQueryNotFound),
            (None, None) => Err(Rejection::BadRequest(
                "a GET needs `query` or a persisted query's hash in `extensions`".into(),
            )
            .into()),
        }
    }
}

/// Refuses anything but a query over GET (405, as the spec says). A document that does
/// not parse is left to GraphQL, which explains the syntax error.
pub fn check_read_only(query: &str, operation_name: Option<&str>) -> Result<(), Rejection> {
    let Ok(document) = async_graphql::parser::parse_query(query) else {
        return Ok(());
    };
    let writes = document.operations.iter().any(|(name, operation)| {
        let selected = match operation_name {
            Some(wanted) => name.is_some_and(|name| name.as_str() == wanted),
            None => true,
        };
        selected && operation.node.ty != OperationType::Query
    });
    if writes {
        Err(Rejection::MethodNotAllowed)
    } else {
        Ok(())
    }
}

/// The answer to a persisted query this isolate does not know, in Apollo's shape: the
/// client sends the query with its hash once, and the short URL works from then on.
pub fn persisted_query_not_found_body(request_id: &str) -> String {
    json!({
        "errors": [{
            "message": "PersistedQueryNotFound",
            "extensions": { "code": "PERSISTED_QUERY_NOT_FOUND" },
        }],
        "extensions": { "requestId": request_id },
    })
    .to_string()
}

/// Whether the client asked for `application/graphql-response+json`.
pub fn wants_graphql_response(accept: Option<&str>) -> bool {
    accept.is_some_and(|accept| {
        accept.split(',').any(|media| {
            media
                .split(';')
                .next()
                .is_some_and(|t| t.trim().eq_ignore_ascii_case(GRAPHQL_RESPONSE_JSON))
        })
    })
}

/// Whether a request failed before it ran: its document did not parse or validate, so
/// it has errors and no data at all.
fn failed_before_running(response: &async_graphql::Response) -> bool {
    response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|error| {
            error
                .extensions
                .as_ref()
                .and_then(|extensions| extensions.get("code"))
                .is_some_and(|code| {
                    *code == async_graphql::Value::from("GRAPHQL_VALIDATION_FAILED")
                        || *code == async_graphql::Value::from("GRAPHQL_PARSE_FAILED")
                })
        })
}

/// The HTTP status of a GraphQL answer: always 200 as `application/json`; under
/// `application/graphql-response+json`, 400 when the request failed before it ran.
pub fn status_of(response: &async_graphql::Response, graphql_response_json: bool) -> u16 {
    if graphql_response_json && failed_before_running(response) {
        400
    } else {
        200
    }
}

/// A GraphQL answer as HTTP: its status ([`status_of`]) and its body. Under
/// `application/graphql-response+json`, a request that never ran has no `data` entry at
/// all (GraphQL over HTTP: the request did not execute, so there is no data to be null);
/// as `application/json` it keeps `"data": null`, as older clients expect.
pub fn answer(response: &async_graphql::Response, graphql_response_json: bool) -> (u16, String) {
    let status = status_of(response, graphql_response_json);
    if !(graphql_response_json && failed_before_running(response)) {
        return (status, crate::http::response_body(response));
    }
    let body = match serde_json::to_value(response) {
        Ok(serde_json::Value::Object(mut fields)) => {
            fields.remove("data");
            serde_json::Value::Object(fields).to_string()
        }
        _ => crate::http::response_body(response),
    };
    (status, body)
}

/// Whether an answer may be kept in the shared edge cache: a query's, over GET, for an
/// anonymous caller, that succeeded. Nobody's own data is ever shared, and an error is
/// never repeated to others.
pub fn is_shareable(anonymous: bool, response: &async_graphql::Response) -> bool {
    anonymous && response.errors.is_empty()
}

/// The cache key of a GET: everything that changes the answer (the query, its operation,
/// its variables, the media type asked for), in a canonical order, so two clients asking
/// the same thing share one entry.
pub fn cache_key(request: &GetRequest, query: &str, graphql_response_json: bool) -> String {
    let mut key = form_urlencoded::Serializer::new(String::new());
    key.append_pair("q", &query_hash(query));
    if let Some(name) = &request.operation_name {
        key.append_pair("op", name);
    }
    if let Some(variables) = &request.variables {
        // serde_json's maps are ordered by key: equal variables, equal text.
        key.append_pair("v", &variables.to_string());
    }
    if graphql_response_json {
        key.append_pair("media", GRAPHQL_RESPONSE_JSON);
    }
    format!("https://edge-cache.internal/graphql?{}", key.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(pairs: &[(&str, &str)]) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs {
            s.append_pair(k, v);
        }
        s.finish()
    }

    const SEARCH: &str = "query($from: String!) { airports(search: $from) { code } }";

    #[test]
    fn a_get_carries_query_variables_operation_and_persisted_hash() {
        let hash = query_hash(SEARCH);
        let text = encoded(&[
            ("query", SEARCH),
            ("variables", r#"{"from":"LHR"}"#),
            ("operationName", ""),
            (
                "extensions",
                &format!(r#"{{"persistedQuery":{{"version":1,"sha256Hash":"{hash}"}}}}"#),
            ),
        ]);
        assert!(is_graphql_get(&text));
        assert!(!is_graphql_get(""));
        assert!(!is_graphql_get("theme=dark"));
        let request = parse_get(&text).unwrap();
        assert_eq!(request.query.as_deref(), Some(SEARCH));
        assert_eq!(request.variables, Some(json!({"from": "LHR"})));
        assert_eq!(request.operation_name, None);
        assert_eq!(request.persisted_hash, Some(hash));
    }

    #[test]
    fn bad_parameters_are_bad_requests() {
        for text in [
            encoded(&[("query", "{a}"), ("variables", "not json")]),
            encoded(&[("query", "{a}"), ("variables", "[1]")]),
            encoded(&[(
                "extensions",
                r#"{"persistedQuery":{"version":2,"sha256Hash":"ab"}}"#,
            )]),
            encoded(&[(
                "extensions",
                r#"{"persistedQuery":{"version":1,"sha256Hash":"xyz"}}"#,
            )]),
        ] {
            assert!(
                matches!(parse_get(&text), Err(Rejection::BadRequest(_))),
                "{text}"
            );
        }
    }

    #[test]
    fn persisted_queries_are_learned_once_and_checked() {
        let store = PersistedQueries::default();
        let hash = query_hash(SEARCH);
        let by_hash = GetRequest {
            persisted_hash: Some(hash.clone()),
            ..GetRequest::default()
        };
        assert_eq!(
            store.resolve(&by_hash),
            Err(GetFailure::PersistedQueryNotFound)
        );
        let with_query = GetRequest {
            query: Some(SEARCH.to_owned()),
            ..by_hash.clone()
        };
        assert_eq!(store.resolve(&with_query).as_deref(), Ok(SEARCH));
        assert_eq!(store.resolve(&by_hash).as_deref(), Ok(SEARCH));
        let lying = GetRequest {
            query: Some("{ me { id } }".to_owned()),
            ..by_hash
        };
        assert!(matches!(
            store.resolve(&lying),
            Err(GetFailure::Rejected(Rejection::BadRequest(_)))
        ));
        assert!(store.resolve(&GetRequest::default()).is_err());
    }

    #[test]
    fn only_queries_run_over_get() {
        assert_eq!(check_read_only(SEARCH, None), Ok(()));
        assert_eq!(
            check_read_only("mutation { signOut(refreshToken: \"x\") }", None),
            Err(Rejection::MethodNotAllowed)
        );
        let both = "query A { __typename } mutation B { signOut(refreshToken: \"x\") }";
        assert_eq!(check_read_only(both, Some("A")), Ok(()));
        assert_eq!(
            check_read_only(both, Some("B")),
            Err(Rejection::MethodNotAllowed)
        );
        // Not GraphQL at all: GraphQL itself says why.
        assert_eq!(check_read_only("{{{", None), Ok(()));
    }

    #[test]
    fn the_cache_key_holds_everything_that_changes_the_answer() {
        let lhr = GetRequest {
            variables: Some(json!({"from": "LHR", "to": "JFK"})),
            ..GetRequest::default()
        };
        let same = GetRequest {
            variables: Some(serde_json::from_str(r#"{"to":"JFK","from":"LHR"}"#).unwrap()),
            ..GetRequest::default()
        };
        let cdg = GetRequest {
            variables: Some(json!({"from": "CDG", "to": "JFK"})),
            ..GetRequest::default()
        };
        assert_eq!(
            cache_key(&lhr, SEARCH, false),
            cache_key(&same, SEARCH, false)
        );
        assert_ne!(
            cache_key(&lhr, SEARCH, false),
            cache_key(&cdg, SEARCH, false)
        );
        assert_ne!(
            cache_key(&lhr, SEARCH, false),
            cache_key(&lhr, SEARCH, true)
        );
        assert_ne!(
            cache_key(&lhr, SEARCH, false),
            cache_key(&lhr, "{ __typename }", false)
        );
    }

    #[test]
    fn the_media_type_decides_the_status_of_a_request_that_never_ran() {
        assert!(wants_graphql_response(Some(
            "application/graphql-response+json;charset=utf-8, application/json;q=0.9"
        )));
        assert!(!wants_graphql_response(Some("application/json")));
        assert!(!wants_graphql_response(None));
        let mut invalid =
            async_graphql::Response::from_errors(vec![async_graphql::ServerError::new(
                "Unknown field",
                None,
            )]);
        invalid.errors[0].extensions = Some({
            let mut extensions = async_graphql::ErrorExtensionValues::default();
            extensions.set("code", "GRAPHQL_VALIDATION_FAILED");
            extensions
        });
        assert_eq!(status_of(&invalid, true), 400);
        assert_eq!(status_of(&invalid, false), 200);
        // Under GraphQL over HTTP's own media type, a request that never ran has no data
        // entry; as application/json it keeps "data": null.
        let (status, body) = answer(&invalid, true);
        let body: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(status, 400);
        assert!(body.get("data").is_none(), "{body}");
        assert_eq!(body["errors"][0]["message"], "Unknown field");
        let (status, body) = answer(&invalid, false);
        let body: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(status, 200);
        assert_eq!(body.get("data"), Some(&serde_json::Value::Null), "{body}");
        let fine = async_graphql::Response::new(async_graphql::Value::from("x"));
        assert_eq!(status_of(&fine, true), 200);
        let (_, body) = answer(&fine, true);
        assert!(
            body.contains("\"data\""),
            "an answer that ran keeps its data: {body}"
        );
        assert!(is_shareable(true, &fine));
        assert!(!is_shareable(false, &fine));
        assert!(!is_shareable(true, &invalid));
    }
}
