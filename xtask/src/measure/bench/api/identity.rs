//! What identity costs: sign-in (PBKDF2-SHA256 x 100,000 in WebCrypto plus D1), a query
//! carrying an access token against the same query without one (the difference is token
//! verification), and the verification alone in native Rust, for scale.

use airline_auth::{KeyRing, Principal, Role, TokenSettings};
use airline_e2e::{TEST_AUDIENCE, TEST_ISSUER, TEST_SIGNING_KEYS};
use serde_json::json;

use super::{answered, start_server, time};
use crate::Failure;

const EMAIL: &str = "bench@example.com";
const PASSWORD: &str = "correct horse battery";

pub fn run(requests: usize) -> Result<(), Failure> {
    native_verification()?;

    let server = start_server()?;
    let signed_up = answered(
        "signUp",
        server
            .try_graphql_as(
                None,
                "mutation($e: String!, $p: String!) { signUp(email: $e, password: $p, name: \"Bench\") { accessToken } }",
                json!({"e": EMAIL, "p": PASSWORD}),
            )
            .map_err(Failure::new)?,
    )?;
    let access = signed_up["data"]["signUp"]["accessToken"]
        .as_str()
        .ok_or_else(|| Failure::new(format!("signUp gave no access token: {signed_up}")))?
        .to_owned();

    let mut sign_ins = Vec::new();
    for _ in 0..requests.min(100) {
        let (took, body) = time(|| {
            server.try_graphql_as(
                None,
                "mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { accessToken } }",
                json!({"e": EMAIL, "p": PASSWORD}),
            )
        });
        answered("signIn", body.map_err(Failure::new)?)?;
        sign_ins.push(took);
    }
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
    let ask = |headers: &[(&str, &str)]| {
        let (took, response) =
            time(|| server.request("POST", "/graphql", headers, query.as_bytes()));
        response.map(|_| took).map_err(Failure::new)
    };
    for _ in 0..20 {
        ask(&with_token)?;
    }
    let mut anonymous = Vec::new();
    let mut authenticated = Vec::new();
    for _ in 0..requests {
        anonymous.push(ask(&plain)?);
        authenticated.push(ask(&with_token)?);
    }
    let anonymous_p50 = airline_e2e::report("{ __typename } without a token", anonymous);
    let authenticated_p50 =
        airline_e2e::report("{ __typename } with a verified access token", authenticated);
    println!(
        "token verification in the Worker ≈ {:.2} ms (p50 difference)",
        authenticated_p50 - anonymous_p50
    );
    server.stop();
    Ok(())
}

/// The same verification the Worker runs, compiled natively, timed over 2,000 rounds.
fn native_verification() -> Result<(), Failure> {
    let failed = |what: &str, e: &dyn std::fmt::Display| Failure::new(format!("{what}: {e}"));
    let ring = KeyRing::parse(TEST_SIGNING_KEYS).map_err(|e| failed("the test key ring", &e))?;
    let settings = TokenSettings::new(TEST_ISSUER, TEST_AUDIENCE);
    let principal = Principal {
        account_id: airline_domain::AccountId::trusted("acct_bench"),
        role: Role::Customer,
    };
    let now = chrono::Utc::now();
    let token = ring
        .issue(&settings, &principal, now)
        .map_err(|e| failed("issuing a token", &e))?
        .token;
    let rounds = 2_000;
    let (took, verified) =
        time(|| (0..rounds).try_for_each(|_| ring.verify(&settings, &token, now).map(|_| ())));
    verified.map_err(|e| failed("verifying a token", &e))?;
    println!(
        "token verification, native release build: {:.1} µs each",
        took.as_secs_f64() * 1e6 / f64::from(rounds)
    );
    Ok(())
}
