//! The `/auth/*` session endpoints natively: each endpoint's operation runs through the
//! real schema and `execute` over in-memory accounts, and its reply is checked as the
//! browser would see it (status, body, `Set-Cookie`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use airline_testkit::{api, utc};

use std::sync::Arc;

use airline_auth::AccessTokenLifetime;
use airline_edge::auth_endpoints::{AuthEndpoint, AuthRejection, AuthReply, REFRESH_COOKIE};
use airline_graphql::AuthConfig;
use airline_testkit::{test_auth_config, MemoryAccounts, TestContext};
use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

const PASSWORD: &str = "correct horse battery";

fn now() -> DateTime<Utc> {
    utc("2026-11-24T12:00:00Z")
}

/// One deployment: its accounts and identity settings, shared by every request.
struct Site {
    accounts: Arc<MemoryAccounts>,
    auth: Arc<AuthConfig>,
}

impl Site {
    fn new(auth: AuthConfig) -> Self {
        Self {
            accounts: Arc::new(MemoryAccounts::default()),
            auth: Arc::new(auth),
        }
    }

    /// What the Worker does for `POST path` with this body and `Cookie` header, minus HTTP.
    fn post(&self, path: &str, body: Value, cookie: Option<&str>) -> AuthReply {
        let endpoint = AuthEndpoint::from_path(path).unwrap();
        let cookie_header = cookie.map(|token| format!("{REFRESH_COOKIE}={token}"));
        let operation =
            match endpoint.operation(body.to_string().as_bytes(), cookie_header.as_deref()) {
                Ok(Some(operation)) => operation,
                Ok(None) => return AuthReply::signed_out(),
                Err(rejection) => return rejection.reply("req-test"),
            };
        let mut context = TestContext::new()
            .accounts(self.accounts.clone())
            .now(now())
            .request_id("req-test")
            .build();
        context.auth = self.auth.clone();
        let response =
            futures_executor::block_on(airline_graphql::execute(api(), operation, context));
        endpoint.reply(&response, "req-test")
    }
}

fn body(reply: &AuthReply) -> Value {
    serde_json::from_str(reply.body.as_deref().unwrap_or("null")).unwrap()
}

/// The token a `Set-Cookie` value sets (`None` when it clears the cookie).
fn cookie_token(reply: &AuthReply) -> Option<String> {
    let set = reply.set_cookie.as_deref().expect("a Set-Cookie header");
    let value = set
        .strip_prefix(&format!("{REFRESH_COOKIE}="))
        .unwrap()
        .split(';')
        .next()
        .unwrap();
    (!value.is_empty()).then(|| value.to_owned())
}

fn sign_up(site: &Site, email: &str) -> AuthReply {
    site.post(
        "/auth/sign-up",
        json!({"email": email, "password": PASSWORD, "name": "Ada"}),
        None,
    )
}

#[test]
fn a_session_lives_in_the_cookie_from_sign_up_to_sign_out() {
    let site = Site::new(test_auth_config());
    let created = sign_up(&site, "ada@example.com");
    assert_eq!(created.status, 200, "{:?}", created.body);
    let first = cookie_token(&created).expect("sign-up sets the cookie");
    let session = body(&created);
    assert!(session.get("refreshToken").is_none(), "{session}");
    assert!(!created.body.as_deref().unwrap().contains(&first));
    assert_eq!(session["account"]["email"], "ada@example.com");
    assert_eq!(session["account"]["role"], "CUSTOMER");
    assert!(session["account"]["createdAt"].is_string());
    assert_eq!(session["expiresAt"], "2026-11-24T12:15:00Z");
    let principal = site
        .auth
        .keys
        .verify(
            &site.auth.tokens,
            session["accessToken"].as_str().unwrap(),
            now(),
        )
        .unwrap();
    assert_eq!(json!(principal.account_id), session["account"]["id"]);

    let refreshed = site.post("/auth/refresh", json!({}), Some(&first));
    assert_eq!(refreshed.status, 200, "{:?}", refreshed.body);
    let second = cookie_token(&refreshed).expect("a new cookie");
    assert_ne!(second, first, "the refresh token rotates");

    let signed_out = site.post("/auth/sign-out", json!({}), Some(&second));
    assert_eq!(signed_out, AuthReply::signed_out());
    let after = site.post("/auth/refresh", json!({}), Some(&second));
    assert_eq!(after.status, 401);
    assert_eq!(cookie_token(&after), None, "the dead cookie is cleared");
    assert_eq!(
        body(&after)["errors"][0]["extensions"]["code"],
        "UNAUTHENTICATED"
    );

    let again = site.post(
        "/auth/sign-in",
        json!({"email": "ada@example.com", "password": PASSWORD}),
        None,
    );
    assert_eq!(again.status, 200, "{:?}", again.body);
    assert!(cookie_token(&again).is_some());
}

#[test]
fn a_reused_refresh_cookie_ends_the_whole_session() {
    let site = Site::new(test_auth_config());
    let first = cookie_token(&sign_up(&site, "reuse@example.com")).unwrap();
    let second = cookie_token(&site.post("/auth/refresh", json!({}), Some(&first))).unwrap();
    let replay = site.post("/auth/refresh", json!({}), Some(&first));
    assert_eq!(replay.status, 401);
    assert_eq!(cookie_token(&replay), None);
    let victim = site.post("/auth/refresh", json!({}), Some(&second));
    assert_eq!(victim.status, 401, "reuse revoked the family");
}

#[test]
fn failures_have_the_graphql_error_shape_and_a_status() {
    let site = Site::new(test_auth_config());
    let bad_email = site.post(
        "/auth/sign-up",
        json!({"email": "not-an-email", "password": PASSWORD, "name": "Ada"}),
        None,
    );
    assert_eq!(bad_email.status, 400);
    assert_eq!(bad_email.set_cookie, None);
    let error = &body(&bad_email)["errors"][0];
    assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT");
    assert_eq!(error["extensions"]["field"], "email");
    assert_eq!(error["extensions"]["requestId"], "req-test");

    let no_name = site.post(
        "/auth/sign-up",
        json!({"email": "x@example.com", "password": PASSWORD}),
        None,
    );
    assert_eq!(body(&no_name)["errors"][0]["extensions"]["field"], "name");

    sign_up(&site, "taken@example.com");
    let taken = sign_up(&site, "TAKEN@example.com");
    assert_eq!(taken.status, 409);
    assert_eq!(body(&taken)["errors"][0]["extensions"]["code"], "CONFLICT");

    let wrong = |password: &str| {
        site.post(
            "/auth/sign-in",
            json!({"email": "taken@example.com", "password": password}),
            None,
        )
    };
    for _ in 0..5 {
        let refused = wrong("not the password");
        assert_eq!(refused.status, 401);
        assert_eq!(refused.set_cookie, None);
    }
    let locked = wrong(PASSWORD);
    assert_eq!(locked.status, 429, "{:?}", locked.body);
    let retry_after = body(&locked)["errors"][0]["extensions"]["retryAfter"]
        .as_i64()
        .unwrap();
    assert_eq!(
        locked.headers,
        vec![("Retry-After", retry_after.to_string())]
    );

    let no_cookie = AuthEndpoint::Refresh.operation(b"{}", None).unwrap_err();
    assert_eq!(no_cookie, AuthRejection::NoSession);
    let garbage = site.post("/auth/refresh", json!({}), Some("garbage"));
    assert_eq!(garbage.status, 401);
    assert_eq!(cookie_token(&garbage), None);
    assert_eq!(
        site.post("/auth/sign-out", json!({}), Some("garbage")),
        AuthReply::signed_out()
    );
}

#[test]
fn the_configured_access_token_lifetime_sets_expires_at() {
    let mut auth = test_auth_config();
    auth.tokens.access_lifetime = AccessTokenLifetime::from_seconds(20).unwrap();
    let site = Site::new(auth);
    let created = sign_up(&site, "short@example.com");
    let expires_at = body(&created)["expiresAt"].as_str().unwrap().to_owned();
    let expires_at = DateTime::parse_from_rfc3339(&expires_at).unwrap();
    assert_eq!(expires_at, now() + Duration::seconds(20));
}
