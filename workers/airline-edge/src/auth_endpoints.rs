//! The web app's session endpoints (`POST /auth/sign-up`, `/auth/sign-in`, `/auth/refresh`,
//! `/auth/sign-out`): the same account mutations as `/graphql`, with the refresh token
//! moved out of the JSON into an `HttpOnly` cookie, so script on the page (an injected one
//! included) can never read the token that outlives the access token.
//!
//! Everything here is pure: the cross-site request check, reading the cookie, the GraphQL
//! operation each endpoint runs, and turning its response into status, body and
//! `Set-Cookie`. The Worker reads the request, runs the operation through the same schema
//! and request context as `/graphql`, and writes the [`AuthReply`].
//!
//! One file on purpose: the four endpoints share the cookie, the origin check and the reply
//! shape.

use airline_auth::refresh::REFRESH_TOKEN_TTL_DAYS;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::http::{self, Rejection};
use airline_graphql::ErrorCode;

/// The cookie holding the refresh token.
pub const REFRESH_COOKIE: &str = "airline_refresh";
/// Sent only to the session endpoints: `/graphql` and the static files never see it.
pub const REFRESH_COOKIE_PATH: &str = "/auth";
/// The cookie lives as long as the refresh token in it.
pub const REFRESH_COOKIE_MAX_AGE: i64 = REFRESH_TOKEN_TTL_DAYS * 24 * 60 * 60;
/// Where the endpoints live; every path under it is the Worker's.
pub const PREFIX: &str = "/auth/";

/// Every field of a session the endpoints ask for; `refreshToken` goes to the cookie and
/// the rest to the body.
const SESSION_FIELDS: &str =
    "accessToken expiresAt refreshToken account { id email name role createdAt }";

/// One of the four session endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthEndpoint {
    /// `{email, password, name}` → a new account, signed in.
    SignUp,
    /// `{email, password}` → a session.
    SignIn,
    /// The cookie → a new session; the old refresh token is spent.
    Refresh,
    /// The cookie → that session ends; the cookie is cleared.
    SignOut,
}

impl AuthEndpoint {
    pub fn from_path(path: &str) -> Option<Self> {
        match path.strip_prefix(PREFIX)? {
            "sign-up" => Some(Self::SignUp),
            "sign-in" => Some(Self::SignIn),
            "refresh" => Some(Self::Refresh),
            "sign-out" => Some(Self::SignOut),
            _ => None,
        }
    }

    /// Whether the endpoint reads credentials from the body; the others need no body
    /// (the web app sends `{}`), so the Worker does not read one.
    pub fn reads_body(self) -> bool {
        matches!(self, Self::SignUp | Self::SignIn)
    }

    /// The GraphQL operation to run for a request with this body and `Cookie` header.
    /// `None` when there is nothing to run: signing out without a session is already done.
    pub fn operation(
        self,
        body: &[u8],
        cookie_header: Option<&str>,
    ) -> Result<Option<async_graphql::Request>, AuthRejection> {
        let (document, variables) = match self {
            Self::SignUp => {
                let mut fields = credentials(body, &["email", "password", "name"])?;
                (
                    format!(
                        "mutation SignUp($email: String!, $password: String!, $name: String!) \
                         {{ session: signUp(email: $email, password: $password, name: $name) \
                         {{ {SESSION_FIELDS} }} }}"
                    ),
                    json!({
                        "email": fields.remove("email"),
                        "password": fields.remove("password"),
                        "name": fields.remove("name"),
                    }),
                )
            }
            Self::SignIn => {
                let mut fields = credentials(body, &["email", "password"])?;
                (
                    format!(
                        "mutation SignIn($email: String!, $password: String!) \
                         {{ session: signIn(email: $email, password: $password) \
                         {{ {SESSION_FIELDS} }} }}"
                    ),
                    json!({
                        "email": fields.remove("email"),
                        "password": fields.remove("password"),
                    }),
                )
            }
            Self::Refresh => {
                let token = refresh_token(cookie_header).ok_or(AuthRejection::NoSession)?;
                (
                    format!(
                        "mutation Refresh($refreshToken: String!) \
                         {{ session: refreshSession(refreshToken: $refreshToken) \
                         {{ {SESSION_FIELDS} }} }}"
                    ),
                    json!({ "refreshToken": token }),
                )
            }
            Self::SignOut => {
                let Some(token) = refresh_token(cookie_header) else {
                    return Ok(None);
                };
                (
                    "mutation SignOut($refreshToken: String!) \
                     { signOut(refreshToken: $refreshToken) }"
                        .to_owned(),
                    json!({ "refreshToken": token }),
                )
            }
        };
        Ok(Some(
            async_graphql::Request::new(document)
                .variables(async_graphql::Variables::from_json(variables)),
        ))
    }

    /// The answer to the client, from the response of [`operation`](Self::operation).
    pub fn reply(self, response: &async_graphql::Response, request_id: &str) -> AuthReply {
        // Signing out always succeeds for the browser: whatever happened to the stored
        // token (an outage is logged with the request id by the store), the cookie goes.
        if self == Self::SignOut {
            return AuthReply::signed_out();
        }
        let parsed = serde_json::to_value(response)
            .ok()
            .and_then(|value| serde_json::from_value::<GraphqlReply>(value).ok());
        let Some(parsed) = parsed else {
            return AuthReply::internal(request_id);
        };
        if !parsed.errors.is_empty() {
            let status = parsed
                .errors
                .first()
                .and_then(|error| error.extensions.get("code"))
                .and_then(Value::as_str)
                .map_or(500, status_for);
            let mut reply = AuthReply::errors(status, parsed.errors, request_id);
            // A refused refresh token is gone for good (spent, revoked, expired, garbage),
            // so the browser should stop sending it. A failure on our side (5xx) says
            // nothing about the token, which stays for the next attempt.
            if self == Self::Refresh && status < 500 {
                reply.set_cookie = Some(cleared_refresh_cookie());
            }
            return reply;
        }
        match parsed.data.and_then(|data| data.session) {
            Some(session) if is_cookie_value(&session.refresh_token) => AuthReply {
                status: 200,
                body: Some(
                    json!({
                        "accessToken": session.access_token,
                        "expiresAt": session.expires_at,
                        "account": session.account,
                    })
                    .to_string(),
                ),
                set_cookie: Some(refresh_cookie(&session.refresh_token)),
                headers: Vec::new(),
            },
            // Cannot happen with the schema's own tokens; never put a header-breaking
            // value into Set-Cookie if it ever did.
            _ => AuthReply::internal(request_id),
        }
    }
}

/// What the Worker sends back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthReply {
    pub status: u16,
    /// JSON: the session, or errors in the GraphQL shape. `None` for 204.
    pub body: Option<String>,
    /// The `Set-Cookie` value when the cookie changes.
    pub set_cookie: Option<String>,
    /// Further headers (`Retry-After` with 429).
    pub headers: Vec<(&'static str, String)>,
}

impl AuthReply {
    /// 204 with the cookie cleared.
    pub fn signed_out() -> Self {
        Self {
            status: 204,
            body: None,
            set_cookie: Some(cleared_refresh_cookie()),
            headers: Vec::new(),
        }
    }

    fn internal(request_id: &str) -> Self {
        let error = ErrorItem {
            message: airline_graphql::error::internal_message(request_id),
            extensions: Map::from_iter([(
                "code".to_owned(),
                Value::from(ErrorCode::Internal.as_str()),
            )]),
        };
        Self::errors(500, vec![error], request_id)
    }

    /// The GraphQL error shape, each error's extensions carrying the request id too, so
    /// the web app reads `/auth/*` and `/graphql` failures with one type.
    fn errors(status: u16, errors: Vec<ErrorItem>, request_id: &str) -> Self {
        let retry_after = errors
            .first()
            .and_then(|error| error.extensions.get("retryAfter"))
            .and_then(Value::as_i64);
        let errors: Vec<Value> = errors
            .into_iter()
            .map(|mut error| {
                error
                    .extensions
                    .insert("requestId".to_owned(), Value::from(request_id));
                json!({ "message": error.message, "extensions": error.extensions })
            })
            .collect();
        Self {
            status,
            body: Some(
                json!({ "errors": errors, "extensions": { "requestId": request_id } }).to_string(),
            ),
            set_cookie: None,
            headers: retry_after
                .map(|seconds| ("Retry-After", seconds.to_string()))
                .into_iter()
                .collect(),
        }
    }
}

/// Why a request was refused before any mutation ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthRejection {
    /// Anything but POST.
    MethodNotAllowed,
    /// Not `application/json`, or sent from another origin: a cross-site request forgery
    /// attempt as far as this endpoint can tell.
    CrossSite(&'static str),
    /// The body is not a JSON object, or too large.
    Transport(Rejection),
    /// A credential that is not a string.
    NotAString(&'static str),
    /// `/auth/refresh` without the cookie.
    NoSession,
    /// The Worker could not build the request context; the log says why.
    Misconfigured,
}

impl AuthRejection {
    pub fn reply(&self, request_id: &str) -> AuthReply {
        let (status, code, message, field) = match self {
            Self::MethodNotAllowed => (
                405,
                Rejection::MethodNotAllowed.code(),
                "session endpoints accept POST with a JSON body only".to_owned(),
                None,
            ),
            Self::CrossSite(why) => (403, ErrorCode::Forbidden.as_str(), (*why).to_owned(), None),
            Self::Transport(rejection) => (
                rejection.status(),
                rejection.code(),
                rejection.message(),
                None,
            ),
            Self::NotAString(field) => (
                400,
                ErrorCode::BadUserInput.as_str(),
                format!("`{field}` must be a string"),
                Some(*field),
            ),
            Self::NoSession => (
                401,
                ErrorCode::Unauthenticated.as_str(),
                "there is no session to refresh; sign in".to_owned(),
                None,
            ),
            Self::Misconfigured => (
                Rejection::Misconfigured.status(),
                Rejection::Misconfigured.code(),
                Rejection::Misconfigured.message(),
                None,
            ),
        };
        let mut extensions = Map::from_iter([("code".to_owned(), Value::from(code))]);
        if let Some(field) = field {
            extensions.insert("field".to_owned(), Value::from(field));
        }
        let mut reply = AuthReply::errors(
            status,
            vec![ErrorItem {
                message,
                extensions,
            }],
            request_id,
        );
        match self {
            Self::NoSession => reply.set_cookie = Some(cleared_refresh_cookie()),
            Self::MethodNotAllowed => reply.headers.push(("Allow", "POST".to_owned())),
            _ => {}
        }
        reply
    }
}

/// The cross-site request forgery check. A JSON content type cannot be sent cross-site
/// without a CORS preflight (which this Worker never grants for `/auth/*`), and browsers
/// send `Origin` with every POST, so a forged form post or `fetch` fails one test or the
/// other. Requests without `Origin` come from non-browser clients, which carry no cookie
/// a third party could ride on. The `SameSite=Strict` cookie is a third line.
pub fn check_same_origin(
    content_type: Option<&str>,
    origin: Option<&str>,
    own_origin: &str,
) -> Result<(), AuthRejection> {
    http::check_content_type(content_type).map_err(|_| {
        AuthRejection::CrossSite("send session requests as Content-Type: application/json")
    })?;
    match origin {
        Some(origin) if !origin.trim().eq_ignore_ascii_case(own_origin) => Err(
            AuthRejection::CrossSite("session requests are accepted from this site only"),
        ),
        _ => Ok(()),
    }
}

/// The refresh token from a `Cookie` header, if one is there and not empty.
pub fn refresh_token(cookie_header: Option<&str>) -> Option<&str> {
    cookie_header?
        .split(';')
        .filter_map(|pair| pair.split_once('='))
        .find(|(name, _)| name.trim() == REFRESH_COOKIE)
        .map(|(_, value)| value.trim().trim_matches('"'))
        .filter(|value| !value.is_empty())
}

/// `Set-Cookie` for a new refresh token. `Secure` is honoured on `http://localhost` and
/// `127.0.0.1` too, so local development works unchanged.
pub fn refresh_cookie(token: &str) -> String {
    format!(
        "{REFRESH_COOKIE}={token}; Path={REFRESH_COOKIE_PATH}; HttpOnly; Secure; \
         SameSite=Strict; Max-Age={REFRESH_COOKIE_MAX_AGE}"
    )
}

/// `Set-Cookie` that deletes the refresh cookie (same name, path and attributes).
pub fn cleared_refresh_cookie() -> String {
    format!(
        "{REFRESH_COOKIE}=; Path={REFRESH_COOKIE_PATH}; HttpOnly; Secure; SameSite=Strict; \
         Max-Age=0"
    )
}

/// The HTTP status of a GraphQL error code on these endpoints.
pub fn status_for(code: &str) -> u16 {
    match code {
        "BAD_USER_INPUT" | "BAD_REQUEST" => 400,
        "UNAUTHENTICATED" => 401,
        "FORBIDDEN" => 403,
        "NOT_FOUND" => 404,
        "CONFLICT" => 409,
        "PAYLOAD_TOO_LARGE" => 413,
        "RATE_LIMITED" => 429,
        // GRAPHQL_VALIDATION_FAILED included: the documents are ours, so that is a bug.
        _ => 500,
    }
}

/// Only what a cookie value may hold (RFC 6265 cookie-octets), so a token can never
/// smuggle attributes or a header break into `Set-Cookie`.
fn is_cookie_value(value: &str) -> bool {
    !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_graphic() && !matches!(b, b'"' | b',' | b';' | b'\\'))
}

/// The named string fields of a JSON object body. A missing field is empty, so the
/// mutation reports it as BAD_USER_INPUT on that field, like any other bad value.
fn credentials(body: &[u8], names: &[&'static str]) -> Result<Map<String, Value>, AuthRejection> {
    if body.len() > http::MAX_BODY_BYTES {
        return Err(AuthRejection::Transport(Rejection::PayloadTooLarge));
    }
    let mut object = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(object)) => object,
        _ => {
            return Err(AuthRejection::Transport(Rejection::BadRequest(format!(
                "the body must be a JSON object with {}",
                names.join(", ")
            ))))
        }
    };
    let mut fields = Map::new();
    for &name in names {
        let value = match object.remove(name) {
            None | Some(Value::Null) => Value::from(""),
            Some(Value::String(text)) => Value::String(text),
            Some(_) => return Err(AuthRejection::NotAString(name)),
        };
        fields.insert(name.to_owned(), value);
    }
    Ok(fields)
}

/// A GraphQL response, as far as these endpoints read it.
#[derive(Deserialize)]
struct GraphqlReply {
    #[serde(default)]
    data: Option<ReplyData>,
    #[serde(default)]
    errors: Vec<ErrorItem>,
}

#[derive(Deserialize)]
struct ReplyData {
    session: Option<SessionFields>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SessionFields {
    access_token: String,
    expires_at: String,
    refresh_token: String,
    account: Value,
}

#[derive(Deserialize)]
struct ErrorItem {
    message: String,
    #[serde(default)]
    extensions: Map<String, Value>,
}

#[cfg(test)]
mod tests {
    use super::*;

    const OWN: &str = "https://airline.example";

    #[test]
    fn endpoints_are_found_by_path() {
        assert_eq!(
            AuthEndpoint::from_path("/auth/sign-up"),
            Some(AuthEndpoint::SignUp)
        );
        assert_eq!(
            AuthEndpoint::from_path("/auth/sign-in"),
            Some(AuthEndpoint::SignIn)
        );
        assert_eq!(
            AuthEndpoint::from_path("/auth/refresh"),
            Some(AuthEndpoint::Refresh)
        );
        assert_eq!(
            AuthEndpoint::from_path("/auth/sign-out"),
            Some(AuthEndpoint::SignOut)
        );
        for other in [
            "/auth/",
            "/auth",
            "/auth/sign-in/",
            "/auth/SIGN-IN",
            "/sign-in",
        ] {
            assert_eq!(AuthEndpoint::from_path(other), None, "{other}");
        }
    }

    #[test]
    fn only_same_origin_json_requests_pass() {
        let json = Some("application/json");
        assert!(check_same_origin(json, Some(OWN), OWN).is_ok());
        assert!(check_same_origin(json, Some("HTTPS://AIRLINE.EXAMPLE"), OWN).is_ok());
        assert!(check_same_origin(Some("application/json; charset=utf-8"), None, OWN).is_ok());
        for (content_type, origin) in [
            (json, Some("https://evil.example")),
            (json, Some("https://airline.example.evil.example")),
            (json, Some("http://airline.example")),
            (json, Some("https://airline.example:8443")),
            (json, Some("null")),
            (None, None),
            (None, Some(OWN)),
            (Some("text/plain"), Some(OWN)),
            (Some("application/x-www-form-urlencoded"), None),
            (Some("multipart/form-data; boundary=x"), None),
        ] {
            let refused = check_same_origin(content_type, origin, OWN);
            assert!(
                matches!(refused, Err(AuthRejection::CrossSite(_))),
                "{content_type:?} from {origin:?}: {refused:?}"
            );
            let reply = refused.unwrap_err().reply("req-1");
            assert_eq!(reply.status, 403);
            let body: Value = serde_json::from_str(reply.body.as_deref().unwrap()).unwrap();
            assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN");
            assert_eq!(reply.set_cookie, None, "a forged request changes nothing");
        }
    }

    #[test]
    fn only_post_is_allowed() {
        let reply = AuthRejection::MethodNotAllowed.reply("r");
        assert_eq!(reply.status, 405);
        assert_eq!(reply.headers, vec![("Allow", "POST".to_owned())]);
        let body: Value = serde_json::from_str(reply.body.as_deref().unwrap()).unwrap();
        assert_eq!(
            body["errors"][0]["extensions"]["code"],
            "METHOD_NOT_ALLOWED"
        );
    }

    #[test]
    fn the_refresh_token_is_read_from_its_cookie_only() {
        assert_eq!(refresh_token(Some("airline_refresh=abc")), Some("abc"));
        assert_eq!(
            refresh_token(Some("theme=dark; airline_refresh=abc-_9 ; other=1")),
            Some("abc-_9")
        );
        assert_eq!(refresh_token(Some("airline_refresh=\"abc\"")), Some("abc"));
        for none in [
            None,
            Some(""),
            Some("airline_refresh="),
            Some("xairline_refresh=abc"),
            Some("airline_refreshx=abc"),
            Some("other=airline_refresh=abc"),
        ] {
            assert_eq!(refresh_token(none), None, "{none:?}");
        }
    }

    #[test]
    fn cookies_are_http_only_strict_and_scoped_to_auth() {
        let set = refresh_cookie("tok");
        assert_eq!(
            set,
            "airline_refresh=tok; Path=/auth; HttpOnly; Secure; SameSite=Strict; Max-Age=2592000"
        );
        let cleared = cleared_refresh_cookie();
        assert!(cleared.starts_with("airline_refresh=; Path=/auth;"));
        assert!(cleared.ends_with("; Max-Age=0"));
        assert!(cleared.contains("HttpOnly; Secure; SameSite=Strict"));
    }

    #[test]
    fn bodies_must_be_objects_of_strings() {
        let run = |body: &[u8]| AuthEndpoint::SignUp.operation(body, None);
        let request = run(br#"{"email":"a@b.example","password":"p","name":"A"}"#)
            .unwrap()
            .unwrap();
        assert!(request.query.contains("signUp("));
        let variables = serde_json::to_value(&request.variables).unwrap();
        assert_eq!(
            variables,
            json!({"email": "a@b.example", "password": "p", "name": "A"})
        );
        // Missing fields become empty, for the mutation to report on that field.
        let partial = run(br#"{"email":"a@b.example","extra":1}"#)
            .unwrap()
            .unwrap();
        let variables = serde_json::to_value(&partial.variables).unwrap();
        assert_eq!(variables["name"], "");
        assert_eq!(variables["password"], "");

        for bad in [&b"not json"[..], b"[]", b"\"x\"", b"", b"null"] {
            let refused = run(bad).unwrap_err();
            assert!(
                matches!(refused, AuthRejection::Transport(Rejection::BadRequest(_))),
                "{refused:?}"
            );
            assert_eq!(refused.reply("r").status, 400);
        }
        let wrong_type = run(br#"{"email":5,"password":"p","name":"A"}"#).unwrap_err();
        assert_eq!(wrong_type, AuthRejection::NotAString("email"));
        let reply = wrong_type.reply("r");
        let body: Value = serde_json::from_str(reply.body.as_deref().unwrap()).unwrap();
        assert_eq!(reply.status, 400);
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
        assert_eq!(body["errors"][0]["extensions"]["field"], "email");
        assert_eq!(body["errors"][0]["extensions"]["requestId"], "r");

        let huge = format!(r#"{{"email":"{}"}}"#, "a".repeat(http::MAX_BODY_BYTES));
        assert_eq!(
            run(huge.as_bytes()).unwrap_err(),
            AuthRejection::Transport(Rejection::PayloadTooLarge)
        );
    }

    #[test]
    fn refresh_and_sign_out_take_the_cookie() {
        let refresh = AuthEndpoint::Refresh
            .operation(b"", Some("airline_refresh=tok"))
            .unwrap()
            .unwrap();
        assert!(refresh.query.contains("refreshSession("));
        assert_eq!(
            serde_json::to_value(&refresh.variables).unwrap(),
            json!({"refreshToken": "tok"})
        );
        // No cookie: nothing to refresh (401, and the cookie is cleared for good measure).
        let missing = AuthEndpoint::Refresh.operation(b"{}", None).unwrap_err();
        assert_eq!(missing, AuthRejection::NoSession);
        let reply = missing.reply("r");
        assert_eq!(reply.status, 401);
        assert_eq!(reply.set_cookie, Some(cleared_refresh_cookie()));

        assert!(AuthEndpoint::SignOut
            .operation(b"", None)
            .unwrap()
            .is_none());
        let sign_out = AuthEndpoint::SignOut
            .operation(b"", Some("airline_refresh=tok"))
            .unwrap()
            .unwrap();
        assert!(sign_out.query.contains("signOut("));
    }

    fn response(value: Value) -> async_graphql::Response {
        // The shape `execute` produces, built from JSON for the test.
        let mut response = async_graphql::Response::new(
            async_graphql::Value::from_json(value["data"].clone()).unwrap(),
        );
        for error in value["errors"].as_array().into_iter().flatten() {
            let mut server_error =
                async_graphql::ServerError::new(error["message"].as_str().unwrap(), None);
            let mut extensions = async_graphql::ErrorExtensionValues::default();
            for (name, value) in error["extensions"].as_object().into_iter().flatten() {
                extensions.set(
                    name,
                    async_graphql::Value::from_json(value.clone()).unwrap(),
                );
            }
            server_error.extensions = Some(extensions);
            response.errors.push(server_error);
        }
        response
    }

    #[test]
    fn a_session_moves_its_refresh_token_into_the_cookie() {
        let account = json!({"id": "acct_1", "email": "a@b.example", "name": "A",
            "role": "CUSTOMER", "createdAt": "2026-11-24T12:00:00Z"});
        let ok = response(json!({"data": {"session": {
            "accessToken": "acc", "expiresAt": "2026-11-24T12:15:00Z",
            "refreshToken": "ref-_9", "account": account,
        }}}));
        for endpoint in [
            AuthEndpoint::SignUp,
            AuthEndpoint::SignIn,
            AuthEndpoint::Refresh,
        ] {
            let reply = endpoint.reply(&ok, "r");
            assert_eq!(reply.status, 200);
            assert_eq!(reply.set_cookie, Some(refresh_cookie("ref-_9")));
            let body: Value = serde_json::from_str(reply.body.as_deref().unwrap()).unwrap();
            assert_eq!(
                body,
                json!({"accessToken": "acc", "expiresAt": "2026-11-24T12:15:00Z", "account": account})
            );
            assert!(!reply.body.unwrap().contains("ref-_9"));
        }
        // A token that could break the header is never written.
        let odd = response(json!({"data": {"session": {
            "accessToken": "acc", "expiresAt": "x", "refreshToken": "a; Domain=evil",
            "account": {},
        }}}));
        let reply = AuthEndpoint::SignIn.reply(&odd, "r");
        assert_eq!((reply.status, reply.set_cookie), (500, None));
    }

    #[test]
    fn errors_keep_their_code_and_field_and_get_a_status() {
        let bad_input = response(json!({"data": null, "errors": [{
            "message": "not an email", "extensions": {"code": "BAD_USER_INPUT", "field": "email"},
        }]}));
        let reply = AuthEndpoint::SignUp.reply(&bad_input, "req-9");
        assert_eq!(reply.status, 400);
        assert_eq!(reply.set_cookie, None);
        let body: Value = serde_json::from_str(reply.body.as_deref().unwrap()).unwrap();
        assert_eq!(
            body,
            json!({"errors": [{"message": "not an email", "extensions": {
                "code": "BAD_USER_INPUT", "field": "email", "requestId": "req-9"}}],
                "extensions": {"requestId": "req-9"}})
        );

        let limited = response(json!({"data": null, "errors": [{
            "message": "too many", "extensions": {"code": "RATE_LIMITED", "retryAfter": 120},
        }]}));
        let reply = AuthEndpoint::SignIn.reply(&limited, "r");
        assert_eq!(reply.status, 429);
        assert_eq!(reply.headers, vec![("Retry-After", "120".to_owned())]);

        for (code, status) in [
            ("UNAUTHENTICATED", 401),
            ("CONFLICT", 409),
            ("FORBIDDEN", 403),
            ("INTERNAL", 500),
            ("GRAPHQL_VALIDATION_FAILED", 500),
            ("SOMETHING_NEW", 500),
        ] {
            assert_eq!(status_for(code), status, "{code}");
        }
    }

    #[test]
    fn a_refused_refresh_clears_the_cookie_but_an_outage_keeps_it() {
        let refused = response(json!({"data": null, "errors": [{
            "message": "this session has ended", "extensions": {"code": "UNAUTHENTICATED"},
        }]}));
        let reply = AuthEndpoint::Refresh.reply(&refused, "r");
        assert_eq!(reply.status, 401);
        assert_eq!(reply.set_cookie, Some(cleared_refresh_cookie()));

        let outage = response(json!({"data": null, "errors": [{
            "message": "quote r", "extensions": {"code": "INTERNAL"},
        }]}));
        let reply = AuthEndpoint::Refresh.reply(&outage, "r");
        assert_eq!((reply.status, reply.set_cookie), (500, None));

        // A wrong password does not touch whatever session cookie the browser has.
        let reply = AuthEndpoint::SignIn.reply(&refused, "r");
        assert_eq!((reply.status, reply.set_cookie), (401, None));
    }

    #[test]
    fn signing_out_always_succeeds_and_clears_the_cookie() {
        let outage = response(json!({"data": null, "errors": [{
            "message": "quote r", "extensions": {"code": "INTERNAL"},
        }]}));
        let done = response(json!({"data": {"signOut": true}}));
        for response in [outage, done] {
            assert_eq!(
                AuthEndpoint::SignOut.reply(&response, "r"),
                AuthReply::signed_out()
            );
        }
        let reply = AuthReply::signed_out();
        assert_eq!((reply.status, reply.body), (204, None));
        assert_eq!(reply.set_cookie, Some(cleared_refresh_cookie()));
    }
}
