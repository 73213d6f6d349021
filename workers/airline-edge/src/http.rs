//! The HTTP rules around the API and the web app: which requests `/graphql` accepts, how
//! large they may be, which origins may call from a browser, how every answer is shaped,
//! the security headers on what the Worker serves, and which static files it checks itself.
//! Pure functions and constants, so the Worker applies them and native tests pin them.

use serde_json::json;

/// Largest request body accepted. A search query with variables is well under 2 KiB;
/// 64 KiB leaves room for persisted documents and admin mutations.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Why a request was refused before it reached GraphQL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejection {
    MethodNotAllowed,
    UnsupportedMediaType,
    PayloadTooLarge,
    /// The body is not one GraphQL request as JSON.
    BadRequest(String),
    /// A browser preflight from an origin that is not allowed.
    OriginNotAllowed,
    NotFound,
    /// Required configuration (a secret) is missing or invalid; the log says which.
    Misconfigured,
}

impl Rejection {
    pub fn status(&self) -> u16 {
        match self {
            Self::MethodNotAllowed => 405,
            Self::UnsupportedMediaType => 415,
            Self::PayloadTooLarge => 413,
            Self::BadRequest(_) => 400,
            Self::OriginNotAllowed => 403,
            Self::NotFound => 404,
            Self::Misconfigured => 503,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::MethodNotAllowed => "METHOD_NOT_ALLOWED",
            Self::UnsupportedMediaType => "UNSUPPORTED_MEDIA_TYPE",
            Self::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
            Self::BadRequest(_) => "BAD_REQUEST",
            Self::OriginNotAllowed => "FORBIDDEN",
            Self::NotFound => "NOT_FOUND",
            Self::Misconfigured => "INTERNAL",
        }
    }

    pub fn message(&self) -> String {
        match self {
            Self::MethodNotAllowed => {
                "send GraphQL queries as POST with Content-Type: application/json".into()
            }
            Self::UnsupportedMediaType => "the request body must be application/json".into(),
            Self::PayloadTooLarge => format!("the request body exceeds {MAX_BODY_BYTES} bytes"),
            Self::BadRequest(why) => why.clone(),
            Self::OriginNotAllowed => "this origin may not call the API from a browser".into(),
            Self::NotFound => "no such resource".into(),
            Self::Misconfigured => {
                "the service is not configured correctly; try again later".into()
            }
        }
    }

    /// A GraphQL-shaped error body, so clients parse every failure the same way.
    pub fn body(&self, request_id: &str) -> String {
        json!({
            "errors": [{
                "message": self.message(),
                "extensions": { "code": self.code() },
            }],
            "extensions": { "requestId": request_id },
        })
        .to_string()
    }
}

/// Accepts `application/json`, with an optional UTF-8 charset parameter.
pub fn check_content_type(header: Option<&str>) -> Result<(), Rejection> {
    let header = header.ok_or(Rejection::UnsupportedMediaType)?;
    let mut parts = header.split(';').map(str::trim);
    let media_type = parts.next().unwrap_or_default();
    if !media_type.eq_ignore_ascii_case("application/json") {
        return Err(Rejection::UnsupportedMediaType);
    }
    for parameter in parts {
        let (name, value) = parameter.split_once('=').unwrap_or((parameter, ""));
        let utf8 = name.trim().eq_ignore_ascii_case("charset")
            && value.trim().trim_matches('"').eq_ignore_ascii_case("utf-8");
        if !utf8 {
            return Err(Rejection::UnsupportedMediaType);
        }
    }
    Ok(())
}

/// Refuses early on a declared `Content-Length` over the limit, before reading the body.
pub fn check_declared_length(content_length: Option<&str>) -> Result<(), Rejection> {
    match content_length.map(|v| v.trim().parse::<u64>()) {
        Some(Ok(length)) if length > MAX_BODY_BYTES as u64 => Err(Rejection::PayloadTooLarge),
        Some(Err(_)) => Err(Rejection::BadRequest(
            "Content-Length is not a number".into(),
        )),
        _ => Ok(()),
    }
}

/// Parses one GraphQL request from a body already read. The length is checked again
/// here because a chunked body declares none.
pub fn parse_body(body: &[u8]) -> Result<async_graphql::Request, Rejection> {
    if body.len() > MAX_BODY_BYTES {
        return Err(Rejection::PayloadTooLarge);
    }
    if body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
        return Err(Rejection::BadRequest(
            "batched requests are not supported; send one query per request".into(),
        ));
    }
    let request = serde_json::from_slice::<async_graphql::Request>(body).map_err(|error| {
        Rejection::BadRequest(format!(
            "the body is not a GraphQL request ({{\"query\": ..., \"variables\": ...}}): {error}"
        ))
    })?;
    // async-graphql fills in an empty query when the field is missing.
    if request.query.trim().is_empty() {
        return Err(Rejection::BadRequest("the body has no `query`".into()));
    }
    Ok(request)
}

/// Serialises a GraphQL response. Always HTTP 200, as GraphQL over HTTP specifies for
/// `application/json`: errors are in the body with their codes.
pub fn response_body(response: &async_graphql::Response) -> String {
    serde_json::to_string(response).unwrap_or_else(|_| {
        // Serialising values the schema produced cannot fail; if it ever did, answer
        // with a well-formed INTERNAL error rather than a broken body.
        json!({"errors": [{"message": "response could not be encoded", "extensions": {"code": "INTERNAL"}}]})
            .to_string()
    })
}

/// Which browser origins may call the API cross-origin. The web app is served by the
/// same Worker, so by default no other origin is allowed; `*` allows any (for a public
/// API without cookies, which this is: tokens travel in the Authorization header).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CorsPolicy {
    any: bool,
    origins: Vec<String>,
}

impl CorsPolicy {
    /// Parses a comma-separated list such as `https://app.example,https://admin.example`.
    pub fn parse(config: &str) -> Self {
        let entries: Vec<String> = config
            .split(',')
            .map(|o| o.trim().trim_end_matches('/').to_ascii_lowercase())
            .filter(|o| !o.is_empty())
            .collect();
        Self {
            any: entries.iter().any(|o| o == "*"),
            origins: entries.into_iter().filter(|o| o != "*").collect(),
        }
    }

    pub fn allows(&self, origin: &str) -> bool {
        self.any || self.origins.iter().any(|o| o.eq_ignore_ascii_case(origin))
    }

    /// Headers for an actual (non-preflight) response to `origin`. Empty when the origin
    /// is not allowed, which makes the browser withhold the response from the page.
    pub fn response_headers(&self, origin: Option<&str>) -> Vec<(&'static str, String)> {
        match origin {
            Some(origin) if self.allows(origin) => vec![
                ("Access-Control-Allow-Origin", origin.to_owned()),
                ("Access-Control-Expose-Headers", "X-Request-Id".to_owned()),
                ("Vary", "Origin".to_owned()),
            ],
            _ => vec![("Vary", "Origin".to_owned())],
        }
    }

    /// Answers a preflight (`OPTIONS` with `Access-Control-Request-Method`).
    pub fn preflight(
        &self,
        origin: Option<&str>,
        requested_method: Option<&str>,
    ) -> Result<Vec<(&'static str, String)>, Rejection> {
        let origin = origin
            .filter(|o| self.allows(o))
            .ok_or(Rejection::OriginNotAllowed)?;
        if !requested_method.is_some_and(|m| m.eq_ignore_ascii_case("POST")) {
            return Err(Rejection::MethodNotAllowed);
        }
        Ok(vec![
            ("Access-Control-Allow-Origin", origin.to_owned()),
            ("Access-Control-Allow-Methods", "POST".to_owned()),
            (
                "Access-Control-Allow-Headers",
                "Content-Type, Authorization".to_owned(),
            ),
            ("Access-Control-Max-Age", "600".to_owned()),
            ("Vary", "Origin".to_owned()),
        ])
    }
}

pub use airline_manifest::edge::{
    APP_CONTENT_SECURITY_POLICY, APP_CONTENT_SECURITY_POLICY_STRIPE, CONTENT_SECURITY_POLICY,
    NOSNIFF, SECURITY_HEADERS, WORKER_FIRST_PATHS,
};

/// Static files the Worker fetches from the assets itself. Left to the assets, a missing
/// one would be answered with `index.html` and 200 (the single-page-app fallback), so a
/// page still running an older deploy would get HTML for its script, a MIME error instead
/// of a 404 it can recover from.
pub const CHECKED_ASSET_PREFIXES: [&str; 2] = ["/assets/", "/graphiql/"];

pub fn is_checked_asset(path: &str) -> bool {
    CHECKED_ASSET_PREFIXES
        .iter()
        .any(|prefix| path.starts_with(prefix))
}

/// Whether the assets' answer for a checked asset path is that file. HTML is never one
/// of them, so HTML is the fallback standing in for a missing file. 304 passes: the
/// browser's copy is still current.
pub fn asset_found(status: u16, content_type: Option<&str>) -> bool {
    let html = content_type.is_some_and(|value| {
        value
            .split(';')
            .next()
            .is_some_and(|media| media.trim().eq_ignore_ascii_case("text/html"))
    });
    ((200..300).contains(&status) || status == 304) && !html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_json_bodies_are_accepted() {
        assert!(check_content_type(Some("application/json")).is_ok());
        assert!(check_content_type(Some("Application/JSON; charset=UTF-8")).is_ok());
        assert!(check_content_type(Some("application/json;charset=\"utf-8\"")).is_ok());
        for bad in [
            None,
            Some("text/plain"),
            Some("application/graphql"),
            Some("application/x-www-form-urlencoded"),
            Some("multipart/form-data; boundary=x"),
            Some("application/json; charset=latin1"),
        ] {
            assert_eq!(
                check_content_type(bad),
                Err(Rejection::UnsupportedMediaType),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn oversized_bodies_are_refused_declared_or_not() {
        assert_eq!(
            check_declared_length(Some("65537")),
            Err(Rejection::PayloadTooLarge)
        );
        assert!(check_declared_length(Some("65536")).is_ok());
        assert!(check_declared_length(None).is_ok());
        assert!(matches!(
            check_declared_length(Some("lots")),
            Err(Rejection::BadRequest(_))
        ));
        let body = format!(
            r#"{{"query":"{{ __typename }}","x":"{}"}}"#,
            "a".repeat(MAX_BODY_BYTES)
        );
        assert_eq!(
            parse_body(body.as_bytes()).unwrap_err(),
            Rejection::PayloadTooLarge
        );
    }

    #[test]
    fn bodies_must_be_one_graphql_request() {
        assert!(parse_body(br#"{"query":"{ __typename }"}"#).is_ok());
        for bad in [
            &b"not json"[..],
            b"{}",
            br#"{"query": 5}"#,
            br#"[{"query":"{ a }"}]"#,
            b"",
        ] {
            let rejection = parse_body(bad).unwrap_err();
            assert_eq!(
                rejection.status(),
                400,
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn rejections_are_graphql_shaped_with_a_code_and_request_id() {
        let body: serde_json::Value =
            serde_json::from_str(&Rejection::PayloadTooLarge.body("req-1")).unwrap();
        assert_eq!(body["errors"][0]["extensions"]["code"], "PAYLOAD_TOO_LARGE");
        assert_eq!(body["extensions"]["requestId"], "req-1");
    }

    #[test]
    fn cors_allows_only_configured_origins() {
        let none = CorsPolicy::parse("");
        assert!(!none.allows("https://evil.example"));
        assert_eq!(
            none.preflight(Some("https://evil.example"), Some("POST")),
            Err(Rejection::OriginNotAllowed)
        );
        assert!(!none
            .response_headers(Some("https://evil.example"))
            .iter()
            .any(|(name, _)| *name == "Access-Control-Allow-Origin"));

        let some = CorsPolicy::parse("https://app.example/, https://admin.example");
        assert!(some.allows("https://app.example"));
        assert!(!some.allows("https://app.example.evil"));
        let headers = some
            .preflight(Some("https://admin.example"), Some("POST"))
            .unwrap();
        assert!(headers.contains(&(
            "Access-Control-Allow-Origin",
            "https://admin.example".into()
        )));
        assert_eq!(
            some.preflight(Some("https://admin.example"), Some("DELETE")),
            Err(Rejection::MethodNotAllowed)
        );

        assert!(CorsPolicy::parse("*").allows("https://anyone.example"));
    }

    #[test]
    fn only_real_files_count_as_found_assets() {
        assert!(asset_found(200, Some("application/javascript")));
        assert!(asset_found(200, Some("application/wasm")));
        assert!(asset_found(200, Some("text/css; charset=utf-8")));
        assert!(asset_found(304, None));
        // The single-page-app fallback: index.html for a missing file.
        assert!(!asset_found(200, Some("text/html; charset=utf-8")));
        assert!(!asset_found(200, Some("Text/HTML")));
        assert!(!asset_found(404, Some("text/plain")));
        assert!(!asset_found(405, None));
        assert!(!asset_found(500, Some("application/javascript")));

        assert!(is_checked_asset("/assets/app-0123.js"));
        assert!(is_checked_asset("/graphiql/graphiql.min.js"));
        for other in ["/", "/assets", "/graphiql", "/search", "/assetsx/a.js"] {
            assert!(!is_checked_asset(other), "{other}");
        }
    }
}
