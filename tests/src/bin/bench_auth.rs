//! `bench-auth [--requests N]`: what identity costs on a local `wrangler dev`. Times
//! sign-in (PBKDF2-SHA256 x 100,000 in WebCrypto plus D1), a query carrying an access
//! token against the same query without one (the difference is token verification), and
//! the verification alone in native Rust. Prints numbers; asserts nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use airline_auth::{KeyRing, Principal, Role, TokenSettings};
use airline_e2e::{DevServer, ServerOptions, TEST_AUDIENCE, TEST_ISSUER, TEST_SIGNING_KEYS};
use serde_json::json;

fn main() {
    let requests: usize = std::env::args()
        .skip_while(|a| a != "--requests")
        .nth(1)
        .map(|n| n.parse().expect("--requests takes a number"))
        .unwrap_or(200);

    // Native verification, for scale: the same code the Worker runs, compiled for x86.
    let ring = KeyRing::parse(TEST_SIGNING_KEYS).unwrap();
    let settings = TokenSettings::new(TEST_ISSUER, TEST_AUDIENCE);
    let principal = Principal {
        account_id: airline_domain::AccountId::trusted("acct_bench"),
        role: Role::Customer,
    };
    let now = chrono::Utc::now();
    let token = ring.issue(&settings, &principal, now).unwrap().token;
    let rounds = 2_000;
    let start = Instant::now();
    for _ in 0..rounds {
        ring.verify(&settings, &token, now).unwrap();
    }
    println!(
        "token verification, native release build: {:.1} µs each",
        start.elapsed().as_secs_f64() * 1e6 / f64::from(rounds)
    );

    let server = DevServer::start(ServerOptions::default()).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(1);
    });
    let email = "bench@example.com";
    let password = "correct horse battery";
    let signed_up = server.graphql(
        "mutation($e: String!, $p: String!) { signUp(email: $e, password: $p, name: \"Bench\") { accessToken } }",
        json!({"e": email, "p": password}),
    );
    let access = signed_up["data"]["signUp"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();

    let sign_ins = (0..requests.min(100))
        .map(|_| {
            time(|| {
                let body = server.graphql(
                    "mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { accessToken } }",
                    json!({"e": email, "p": password}),
                );
                assert!(body["errors"].is_null(), "{body}");
            })
        })
        .collect();
    airline_e2e::report(
        "signIn (PBKDF2 100k in WebCrypto + D1 reads/writes)",
        sign_ins,
    );

    let query = json!({"query": "{ __typename }"}).to_string();
    let bearer = format!("Bearer {access}");
    let plain = [("Content-Type", "application/json")];
    let with_token = [
        ("Content-Type", "application/json"),
        ("Authorization", bearer.as_str()),
    ];
    for _ in 0..20 {
        server
            .request("POST", "/graphql", &with_token, query.as_bytes())
            .unwrap();
    }
    let mut anonymous = Vec::new();
    let mut authenticated = Vec::new();
    for _ in 0..requests {
        anonymous.push(time(|| {
            server
                .request("POST", "/graphql", &plain, query.as_bytes())
                .unwrap();
        }));
        authenticated.push(time(|| {
            server
                .request("POST", "/graphql", &with_token, query.as_bytes())
                .unwrap();
        }));
    }
    let anonymous_p50 = airline_e2e::report("{ __typename } without a token", anonymous);
    let authenticated_p50 =
        airline_e2e::report("{ __typename } with a verified access token", authenticated);
    println!(
        "token verification in the Worker ≈ {:.2} ms (p50 difference)",
        authenticated_p50 - anonymous_p50
    );
    server.stop();
}

fn time(f: impl FnOnce()) -> Duration {
    let start = Instant::now();
    f();
    start.elapsed()
}
