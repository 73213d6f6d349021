//! Tokens from an external OpenID Connect issuer (configured with OIDC_* vars and a JWKS),
//! accepted next to our own, with its groups claim mapped to roles.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use airline_e2e::{ensure, run_suite, DevServer, ServerOptions, Test};
use chrono::{Duration, Utc};
use jwt_compact::alg::{Ed25519, Es256, Rsa};
use jwt_compact::jwk::JsonWebKey;
use jwt_compact::{AlgorithmExt as _, Claims, Header, TimeOptions};
use libtest_mimic::Failed;
use rsa::pkcs8::DecodePrivateKey as _;
use serde_json::{json, Value};

const ISSUER: &str = "https://login.partner.example/";
const AUDIENCE: &str = "airline-partner-app";

fn rsa_key() -> rsa::RsaPrivateKey {
    rsa::RsaPrivateKey::from_pkcs8_pem(include_str!(
        "../../workers/airline-auth/src/test_rsa_key.pem"
    ))
    .unwrap()
}

fn ec_key() -> p256::ecdsa::SigningKey {
    p256::ecdsa::SigningKey::from_slice(&[5u8; 32]).unwrap()
}

fn ed_key() -> ed25519_dalek::SigningKey {
    ed25519_dalek::SigningKey::from_bytes(&[6u8; 32])
}

fn jwks() -> String {
    let with_kid = |jwk: JsonWebKey<'_>, kid: &str| {
        let mut value = serde_json::to_value(jwk).unwrap();
        value["kid"] = json!(kid);
        value
    };
    let rsa_public = rsa_key().to_public_key();
    let ec = ec_key();
    let ed = ed_key().verifying_key();
    json!({"keys": [
        with_kid(JsonWebKey::from(&rsa_public), "partner-rsa"),
        with_kid(JsonWebKey::from(ec.verifying_key()), "partner-ec"),
        with_kid(JsonWebKey::from(&ed), "partner-ed"),
    ]})
    .to_string()
}

fn main() {
    let mut options = ServerOptions::default();
    options.vars.extend([
        ("OIDC_ISSUER".into(), ISSUER.into()),
        ("OIDC_AUDIENCE".into(), AUDIENCE.into()),
        ("OIDC_JWKS".into(), jwks()),
        ("OIDC_GROUPS_CLAIM".into(), "cognito:groups".into()),
        ("OIDC_ADMIN_GROUP".into(), "Admin".into()),
    ]);
    let tests: &[Test] = airline_e2e::tests![
        partner_tokens_of_every_algorithm_are_accepted,
        partner_groups_map_to_roles,
        partner_tokens_that_do_not_match_are_refused,
    ];
    run_suite(options, tests)
}

fn token(kid: &str, extra: Value) -> String {
    let mut body = json!({"sub": "partner-user-7", "iss": ISSUER, "aud": AUDIENCE});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let options = TimeOptions::new(Duration::seconds(0), Utc::now);
    let claims = Claims::new(body).set_duration_and_issuance(&options, Duration::minutes(10));
    let header = Header::empty().with_key_id(kid);
    match kid {
        "partner-rsa" => Rsa::rs256().token(&header, &claims, &rsa_key()).unwrap(),
        "partner-ec" => Es256.token(&header, &claims, &ec_key()).unwrap(),
        _ => Ed25519.token(&header, &claims, &ed_key()).unwrap(),
    }
}

fn audit_log(server: &DevServer, token: &str) -> Value {
    let bearer = format!("Bearer {token}");
    let body = json!({"query": "{ auditLog(first: 1) { action } }"}).to_string();
    server
        .request(
            "POST",
            "/graphql",
            &[
                ("Content-Type", "application/json"),
                ("Authorization", &bearer),
            ],
            body.as_bytes(),
        )
        .unwrap()
        .json()
}

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("ok")
}

fn partner_tokens_of_every_algorithm_are_accepted(server: &DevServer) -> Result<(), Failed> {
    for kid in ["partner-rsa", "partner-ec", "partner-ed"] {
        let body = audit_log(server, &token(kid, json!({"cognito:groups": ["Admin"]})));
        ensure!(body["errors"].is_null(), "{kid}: {body}");
    }
    Ok(())
}

fn partner_groups_map_to_roles(server: &DevServer) -> Result<(), Failed> {
    let traveller = audit_log(
        server,
        &token("partner-ec", json!({"cognito:groups": ["Travellers"]})),
    );
    ensure!(
        code(&traveller) == "FORBIDDEN",
        "a partner customer is not an admin: {traveller}"
    );
    let no_groups = audit_log(server, &token("partner-ed", json!({})));
    ensure!(code(&no_groups) == "FORBIDDEN", "{no_groups}");
    Ok(())
}

fn partner_tokens_that_do_not_match_are_refused(server: &DevServer) -> Result<(), Failed> {
    let admin = json!({"cognito:groups": ["Admin"]});
    let mut wrong_issuer = admin.clone();
    wrong_issuer["iss"] = json!("https://evil.example/");
    let mut wrong_audience = admin.clone();
    wrong_audience["aud"] = json!("someone-else");
    let mut expired = admin.clone();
    expired["exp"] = json!((Utc::now() - Duration::minutes(5)).timestamp());
    for (what, token) in [
        ("wrong issuer", token("partner-rsa", wrong_issuer)),
        ("wrong audience", token("partner-ec", wrong_audience)),
        ("expired", token("partner-ed", expired)),
        ("unknown kid", token("partner-unknown", admin.clone())),
    ] {
        let body = audit_log(server, &token);
        ensure!(code(&body) == "UNAUTHENTICATED", "{what}: {body}");
    }
    Ok(())
}
