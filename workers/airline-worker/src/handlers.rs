//! One function per endpoint: read the request, apply the library's HTTP rules, call the
//! API, shape the response.

use std::sync::{Arc, OnceLock};

use airline_auth::password::PBKDF2_ITERATIONS;
use airline_auth::{AccessTokenLifetime, ExternalIssuer, KeyRing, SignInThrottle, TokenSettings};
use airline_edge::http::{self, CorsPolicy, Rejection, NOSNIFF, SECURITY_HEADERS};
use airline_edge::over_get;
use airline_graphql::{ApiSchema, AuthConfig, RequestContext, Viewer};
use worker::{console_error, Env, Headers, Request, Response, Result};

use crate::booking_service::EdgeBookings;
use crate::d1::{D1Store, BOOKMARK_HEADER};
use airline_platform::bindings::DATABASE;
use airline_platform::config::{
    self, secret_or_var, var_or, ACCESS_TOKEN_TTL_SECONDS, CORS_ALLOWED_ORIGINS, JWT_AUDIENCE,
    JWT_ISSUER, JWT_SIGNING_KEYS, OIDC_ADMIN_GROUP, OIDC_AUDIENCE, OIDC_GROUPS_CLAIM, OIDC_ISSUER,
    OIDC_JWKS,
};

use crate::loyalty::EdgeLoyalty;
use crate::notification_delivery::EdgeNotifications;
use crate::webcrypto::WebCryptoKdf;

const GRAPHIQL_HTML: &str = include_str!("graphiql.html");

/// The schema is immutable, so one isolate builds it once and shares it.
fn schema() -> &'static ApiSchema {
    static SCHEMA: OnceLock<ApiSchema> = OnceLock::new();
    SCHEMA.get_or_init(airline_graphql::schema)
}

/// Identity settings from the environment, parsed once per isolate (secrets and vars do
/// not change while an isolate lives).
fn auth_config(env: &Env) -> std::result::Result<Arc<AuthConfig>, String> {
    static AUTH: OnceLock<std::result::Result<Arc<AuthConfig>, String>> = OnceLock::new();
    AUTH.get_or_init(|| {
        let keys = secret_or_var(env, JWT_SIGNING_KEYS)
            .ok_or_else(|| format!("the {JWT_SIGNING_KEYS} secret is not set"))?;
        let var = |name: &str, default: &str| var_or(env, name, default);
        // Optional: trust an external OpenID Connect issuer too.
        let external = match config::var(env, OIDC_ISSUER) {
            Some(issuer) if !issuer.trim().is_empty() => {
                let jwks = secret_or_var(env, OIDC_JWKS)
                    .ok_or_else(|| format!("{OIDC_ISSUER} is set but {OIDC_JWKS} is not"))?;
                let parsed = ExternalIssuer::parse(
                    &issuer,
                    &var(OIDC_AUDIENCE, ""),
                    &jwks,
                    &var(OIDC_GROUPS_CLAIM, "cognito:groups"),
                    &var(OIDC_ADMIN_GROUP, "admin"),
                )
                .map_err(|e| format!("external issuer: {e}"))?;
                Some(parsed)
            }
            _ => None,
        };
        let access_lifetime = match var(ACCESS_TOKEN_TTL_SECONDS, "").trim() {
            "" => AccessTokenLifetime::default(),
            seconds => AccessTokenLifetime::parse(seconds)
                .map_err(|e| format!("{ACCESS_TOKEN_TTL_SECONDS}: {e}"))?,
        };
        Ok(Arc::new(AuthConfig {
            keys: KeyRing::parse(&keys).map_err(|e| format!("{JWT_SIGNING_KEYS}: {e}"))?,
            tokens: TokenSettings {
                issuer: var(JWT_ISSUER, "edge-airline"),
                audience: var(JWT_AUDIENCE, "edge-airline-api"),
                access_lifetime,
            },
            throttle: SignInThrottle::default(),
            password_iterations: PBKDF2_ITERATIONS,
            external,
        }))
    })
    .clone()
}

/// 128 random bits in hex, attached to every response and every log line of a request.
pub struct RequestId(String);

impl RequestId {
    pub fn new() -> Self {
        let mut bytes = [0u8; 16];
        // getrandom maps to crypto.getRandomValues, which cannot fail in a Worker; if it
        // ever did, a zero id still lets the request through.
        let _ = getrandom::fill(&mut bytes);
        Self(bytes.iter().map(|b| format!("{b:02x}")).collect())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

pub async fn graphql(mut request: Request, env: &Env, id: &RequestId) -> Result<Response> {
    let headers = request.headers();
    let cors = cors_headers(env, headers);
    let checked = http::check_content_type(headers.get("Content-Type")?.as_deref()).and(
        http::check_declared_length(headers.get("Content-Length")?.as_deref()),
    );
    if let Err(rejection) = checked {
        return rejected(&rejection, id, cors);
    }
    let authorization = headers.get("Authorization")?;
    let bookmark = headers.get(BOOKMARK_HEADER)?;
    // Under the GraphQL-over-HTTP media type, a request that never ran is a 400.
    let graphql_response = over_get::wants_graphql_response(headers.get("Accept")?.as_deref());
    let body = request.bytes().await?;
    let graphql_request = match http::parse_body(&body) {
        Ok(parsed) => parsed,
        Err(rejection) => return rejected(&rejection, id, cors),
    };
    let (context, store) =
        match request_context(env, id, authorization.as_deref(), bookmark.as_deref()) {
            Ok(context) => context,
            Err(rejection) => return rejected(&rejection, id, cors),
        };
    let response = execute(graphql_request, context).await;
    let (status, body) = over_get::answer(&response, graphql_response);
    let mut response = with_media(json(status, &body, cors)?, graphql_response)?;
    with_bookmark(&mut response, &store)?;
    Ok(response)
}

/// Hands the client the bookmark of what this request's D1 session saw (its writes
/// included), to send back as `X-D1-Bookmark`: its next reads, wherever they are served,
/// see at least as much.
pub(crate) fn with_bookmark(response: &mut Response, store: &D1Store) -> Result<()> {
    if let Some(bookmark) = store.bookmark() {
        response.headers_mut().set(BOOKMARK_HEADER, &bookmark)?;
    }
    Ok(())
}

/// Labels a GraphQL answer `application/graphql-response+json` when the client asked for
/// that media type (its status and body were chosen by `over_get::answer`).
pub(crate) fn with_media(mut response: Response, graphql_response: bool) -> Result<Response> {
    if graphql_response {
        response.headers_mut().set(
            "Content-Type",
            &format!("{}; charset=utf-8", over_get::GRAPHQL_RESPONSE_JSON),
        )?;
    }
    Ok(response)
}

/// What every GraphQL execution of this request gets: the D1 stores (one D1 session from
/// `bookmark`, the client's last one), the Durable Object and queue adapters, the identity
/// settings, the caller (from `Authorization`, when given) and one clock reading; and the
/// store, for the bookmark to answer with. `/graphql` and the `/auth/*` endpoints both
/// build it here, so a session endpoint runs its mutation exactly as `/graphql` would.
pub fn request_context(
    env: &Env,
    id: &RequestId,
    authorization: Option<&str>,
    bookmark: Option<&str>,
) -> std::result::Result<(RequestContext, Arc<D1Store>), Rejection> {
    let misconfigured = |problem: String| {
        console_error!("[{}] misconfigured: {problem}", id.as_str());
        Rejection::Misconfigured
    };
    let auth = auth_config(env).map_err(misconfigured)?;
    let database = env
        .d1(DATABASE)
        .map_err(|e| misconfigured(format!("the {DATABASE} binding: {e}")))?;
    let now = chrono::Utc::now();
    let viewer = Viewer::from_authorization(authorization, &auth, now);
    let store = Arc::new(D1Store::session(database, id.as_str(), bookmark));
    let handle = store.clone();
    let context = RequestContext {
        store: store.clone(),
        accounts: store.clone(),
        schedule: store.clone(),
        passwords: Arc::new(WebCryptoKdf),
        bookings: Arc::new(EdgeBookings::new(env, store.clone())),
        loyalty: Arc::new(EdgeLoyalty::new(env, store.clone())),
        notifications: Arc::new(EdgeNotifications::new(env, store)),
        auth,
        viewer,
        now,
        request_id: id.as_str().to_owned(),
    };
    Ok((context, handle))
}

/// Runs one GraphQL request against the API's schema.
pub async fn execute(
    request: async_graphql::Request,
    context: RequestContext,
) -> async_graphql::Response {
    airline_graphql::execute(schema(), request, context).await
}

/// GraphiQL, for a GET to `/graphql` that carries no query (a browser opening it).
pub fn graphiql() -> Result<Response> {
    let mut response = Response::from_html(GRAPHIQL_HTML)?;
    let headers = response.headers_mut();
    headers.set("Cache-Control", "no-cache")?;
    for (name, value) in SECURITY_HEADERS {
        headers.set(name, value)?;
    }
    Ok(response)
}

pub fn preflight(request: &Request, env: &Env, id: &RequestId) -> Result<Response> {
    let headers = request.headers();
    let policy = cors_policy(env);
    let origin = headers.get("Origin")?;
    let method = headers.get("Access-Control-Request-Method")?;
    match policy.preflight(origin.as_deref(), method.as_deref()) {
        Ok(allowed) => {
            let mut response = Response::empty()?.with_status(204);
            set_all(response.headers_mut(), &allowed)?;
            Ok(response)
        }
        Err(rejection) => rejected(&rejection, id, Vec::new()),
    }
}

pub fn method_not_allowed(request: &Request, env: &Env, id: &RequestId) -> Result<Response> {
    let cors = cors_headers(env, request.headers());
    let mut response = rejected(&Rejection::MethodNotAllowed, id, cors)?;
    response.headers_mut().set("Allow", "GET, POST, OPTIONS")?;
    Ok(response)
}

pub async fn health(env: &Env, id: &RequestId) -> Result<Response> {
    let database = env.d1(DATABASE)?;
    match D1Store::new(database, id.as_str()).ping().await {
        Ok(()) => json(200, r#"{"status":"ok"}"#, Vec::new()),
        Err(_) => json(503, r#"{"status":"unavailable"}"#, Vec::new()),
    }
}

pub fn not_found(id: &RequestId) -> Result<Response> {
    rejected(&Rejection::NotFound, id, Vec::new())
}

pub(crate) fn rejected(
    rejection: &Rejection,
    id: &RequestId,
    cors: Vec<(&'static str, String)>,
) -> Result<Response> {
    json(rejection.status(), &rejection.body(id.as_str()), cors)
}

pub fn json(status: u16, body: &str, extra: Vec<(&'static str, String)>) -> Result<Response> {
    let mut response = Response::ok(body)?.with_status(status);
    let headers = response.headers_mut();
    headers.set("Content-Type", "application/json; charset=utf-8")?;
    headers.set("Cache-Control", "no-store")?;
    headers.set(NOSNIFF.0, NOSNIFF.1)?;
    set_all(headers, &extra)?;
    Ok(response)
}

pub fn set_all(headers: &mut Headers, pairs: &[(&'static str, String)]) -> Result<()> {
    for (name, value) in pairs {
        headers.set(name, value)?;
    }
    Ok(())
}

fn cors_policy(env: &Env) -> CorsPolicy {
    config::var(env, CORS_ALLOWED_ORIGINS)
        .map(|value| CorsPolicy::parse(&value))
        .unwrap_or_default()
}

pub(crate) fn cors_headers(env: &Env, headers: &Headers) -> Vec<(&'static str, String)> {
    match headers.get("Origin") {
        Ok(origin) => cors_policy(env).response_headers(origin.as_deref()),
        Err(error) => {
            console_error!("unreadable Origin header: {error}");
            Vec::new()
        }
    }
}
