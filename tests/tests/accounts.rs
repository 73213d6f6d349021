//! Accounts end to end: sign-up, sign-in, refresh rotation, sign-out, throttling and every
//! token attack, over HTTP against wrangler dev with D1 and WebCrypto.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use airline_auth::{KeyRing, Principal, Role, TokenSettings};
use airline_e2e::{ensure, run_suite, DevServer, ServerOptions, Test};
use airline_e2e::{TEST_AUDIENCE, TEST_ISSUER, TEST_SIGNING_KEYS};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use base64::Engine as _;
use chrono::{Duration, Utc};
use jwt_compact::alg::{Hs256, Hs256Key};
use jwt_compact::{AlgorithmExt as _, Claims, Header};
use libtest_mimic::Failed;
use serde_json::{json, Value};

fn main() {
    let tests: &[Test] = airline_e2e::tests![
        a_session_signs_up_in_refreshes_and_out,
        reusing_a_refresh_token_ends_the_session,
        token_attacks_are_unauthenticated,
        wrong_email_and_wrong_password_look_alike,
        failed_sign_ins_are_throttled_across_requests,
        bad_sign_up_input_writes_nothing,
        authorization_matrix,
        admins_manage_the_timetable_with_an_audit_trail,
    ];
    run_suite(ServerOptions::default(), tests)
}

const SESSION: &str = "accessToken refreshToken expiresAt account { id email name role }";
const PASSWORD: &str = "correct horse battery";

fn sign_up(server: &DevServer, email: &str) -> Value {
    let body = server.graphql(
        &format!("mutation($e: String!, $p: String!, $n: String!) {{ signUp(email: $e, password: $p, name: $n) {{ {SESSION} }} }}"),
        json!({"e": email, "p": PASSWORD, "n": "Ada Lovelace"}),
    );
    assert!(body["errors"].is_null(), "sign-up failed: {body}");
    body["data"]["signUp"].clone()
}

fn sign_in(server: &DevServer, email: &str, password: &str) -> Value {
    server.graphql(
        &format!("mutation($e: String!, $p: String!) {{ signIn(email: $e, password: $p) {{ {SESSION} }} }}"),
        json!({"e": email, "p": password}),
    )
}

fn refresh(server: &DevServer, token: &str) -> Value {
    server.graphql(
        &format!("mutation($t: String!) {{ refreshSession(refreshToken: $t) {{ {SESSION} }} }}"),
        json!({"t": token}),
    )
}

/// `me` with `Authorization: Bearer <token>` (or no header for `None`).
fn me(server: &DevServer, token: Option<&str>) -> Value {
    let body = json!({"query": "{ me { id email role } }"}).to_string();
    let bearer = token.map(|t| format!("Bearer {t}"));
    let mut headers = vec![("Content-Type", "application/json")];
    if let Some(bearer) = &bearer {
        headers.push(("Authorization", bearer.as_str()));
    }
    let response = server
        .request("POST", "/graphql", &headers, body.as_bytes())
        .unwrap();
    assert_eq!(response.status, 200, "{}", response.body);
    response.json()
}

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("<none>")
}

fn unique_email(tag: &str) -> String {
    let nonce = B64URL
        .encode(airline_auth::random_bytes::<6>().unwrap())
        .to_lowercase()
        .replace(['-', '_'], "x");
    format!("{tag}.{nonce}@example.com")
}

fn a_session_signs_up_in_refreshes_and_out(server: &DevServer) -> Result<(), Failed> {
    let email = unique_email("ada");
    let created = sign_up(server, &format!("  {}  ", email.to_uppercase()));
    ensure!(
        created["account"]["email"] == json!(email),
        "email is normalised: {created}"
    );
    ensure!(created["account"]["role"] == "CUSTOMER", "{created}");
    let account_id = created["account"]["id"].clone();

    let signed_in = sign_in(server, &email, PASSWORD);
    ensure!(signed_in["errors"].is_null(), "{signed_in}");
    let session = &signed_in["data"]["signIn"];
    let access = session["accessToken"].as_str().unwrap();
    let whoami = me(server, Some(access));
    ensure!(whoami["data"]["me"]["id"] == account_id, "{whoami}");

    let refreshed = refresh(server, session["refreshToken"].as_str().unwrap());
    ensure!(refreshed["errors"].is_null(), "{refreshed}");
    let next = &refreshed["data"]["refreshSession"];
    ensure!(
        next["refreshToken"] != session["refreshToken"],
        "the refresh token rotates"
    );
    ensure!(
        me(server, next["accessToken"].as_str())["data"]["me"]["id"] == account_id,
        "new access token works"
    );

    let signed_out = server.graphql(
        "mutation($t: String!) { signOut(refreshToken: $t) }",
        json!({"t": next["refreshToken"]}),
    );
    ensure!(signed_out["data"]["signOut"] == true, "{signed_out}");
    let after = refresh(server, next["refreshToken"].as_str().unwrap());
    ensure!(code(&after) == "UNAUTHENTICATED", "signed out: {after}");

    let stored = server.d1(&format!(
        "SELECT password_hash FROM accounts WHERE email = '{email}'"
    ))?;
    let hash = stored[0]["password_hash"].as_str().unwrap_or_default();
    ensure!(
        hash.starts_with("pbkdf2-sha256$100000$"),
        "PBKDF2 at 100,000 iterations: {hash}"
    );
    ensure!(!hash.contains(PASSWORD), "no plain password");
    Ok(())
}

fn reusing_a_refresh_token_ends_the_session(server: &DevServer) -> Result<(), Failed> {
    let first = sign_up(server, &unique_email("reuse"));
    let r1 = first["refreshToken"].as_str().unwrap().to_owned();
    let second = refresh(server, &r1);
    let r2 = second["data"]["refreshSession"]["refreshToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let replay = refresh(server, &r1);
    ensure!(
        code(&replay) == "UNAUTHENTICATED",
        "a used token is refused: {replay}"
    );
    let victim = refresh(server, &r2);
    ensure!(
        code(&victim) == "UNAUTHENTICATED",
        "reuse revoked the whole family: {victim}"
    );
    let stored = server.d1(&format!(
        "SELECT count(*) AS n FROM refresh_tokens WHERE revoked_at IS NULL AND account_id = '{}'",
        first["account"]["id"].as_str().unwrap()
    ))?;
    ensure!(
        stored[0]["n"] == 0,
        "every token of the family is revoked: {stored:?}"
    );
    Ok(())
}

fn token_attacks_are_unauthenticated(server: &DevServer) -> Result<(), Failed> {
    let account = sign_up(server, &unique_email("target"));
    let valid = account["accessToken"].as_str().unwrap();
    ensure!(
        me(server, Some(valid))["errors"].is_null(),
        "the genuine token works"
    );

    let principal = Principal {
        account_id: airline_domain::AccountId::trusted(account["account"]["id"].as_str().unwrap()),
        role: Role::Customer,
    };
    let settings = TokenSettings::new(TEST_ISSUER, TEST_AUDIENCE);
    let ring = KeyRing::parse(TEST_SIGNING_KEYS).unwrap();
    let now = Utc::now();
    let mint = |ring: &KeyRing, settings: &TokenSettings, at| {
        ring.issue(settings, &principal, at).unwrap().token
    };

    let parts: Vec<&str> = valid.split('.').collect();
    let mut signature = B64URL.decode(parts[2]).unwrap();
    signature[0] ^= 0x80;
    let flipped = format!("{}.{}.{}", parts[0], parts[1], B64URL.encode(&signature));
    let mut claims: Value = serde_json::from_slice(&B64URL.decode(parts[1]).unwrap()).unwrap();
    claims["role"] = json!("admin");
    let promoted = format!(
        "{}.{}.{}",
        parts[0],
        B64URL.encode(claims.to_string()),
        parts[2]
    );
    let none = format!(
        "{}.{}.",
        B64URL.encode(r#"{"alg":"none","typ":"JWT"}"#),
        B64URL.encode(claims.to_string())
    );
    // HS256 keyed with the server's public key: the classic algorithm-confusion attack.
    let public_key = ed25519_public_key(TEST_SIGNING_KEYS);
    let hs256 = Hs256
        .token(
            &Header::empty().with_key_id("e2e-1"),
            &Claims::new(claims.clone()),
            &Hs256Key::new(public_key),
        )
        .unwrap();
    let other_issuer = TokenSettings {
        issuer: "https://evil.example".into(),
        ..settings.clone()
    };
    let other_audience = TokenSettings {
        audience: "someone-else".into(),
        ..settings.clone()
    };
    let unknown_kid = KeyRing::parse("e2e-9:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8").unwrap();
    let rotated_out = KeyRing::parse("e2e-0:ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8").unwrap();

    let attacks: Vec<(&str, Option<String>)> = vec![
        ("no token", None),
        ("alg none", Some(none)),
        ("HS256 with the public key", Some(hs256)),
        ("flipped signature byte", Some(flipped)),
        ("changed payload", Some(promoted)),
        (
            "expired",
            Some(mint(&ring, &settings, now - Duration::minutes(20))),
        ),
        (
            "not yet valid",
            Some(mint(&ring, &settings, now + Duration::minutes(10))),
        ),
        ("wrong iss", Some(mint(&ring, &other_issuer, now))),
        ("wrong aud", Some(mint(&ring, &other_audience, now))),
        ("unknown kid", Some(mint(&unknown_kid, &settings, now))),
        ("key rotated out", Some(mint(&rotated_out, &settings, now))),
        ("garbage", Some("not-a-token".into())),
    ];
    for (attack, token) in attacks {
        let body = me(server, token.as_deref());
        ensure!(code(&body) == "UNAUTHENTICATED", "{attack}: {body}");
        ensure!(body["data"].is_null(), "{attack} leaks nothing: {body}");
    }
    let public = server.graphql("{ airports(first: 1) { code } }", json!({}));
    ensure!(public["errors"].is_null(), "search stays public: {public}");
    Ok(())
}

fn ed25519_public_key(ring: &str) -> Vec<u8> {
    let seed: [u8; 32] = B64URL
        .decode(ring.split_once(':').unwrap().1)
        .unwrap()
        .try_into()
        .unwrap();
    ed25519_dalek::SigningKey::from_bytes(&seed)
        .verifying_key()
        .to_bytes()
        .to_vec()
}

fn wrong_email_and_wrong_password_look_alike(server: &DevServer) -> Result<(), Failed> {
    let email = unique_email("alike");
    sign_up(server, &email);
    let wrong_password = sign_in(server, &email, "not the password");
    let wrong_email = sign_in(server, &unique_email("nobody"), PASSWORD);
    ensure!(
        code(&wrong_password) == "UNAUTHENTICATED",
        "{wrong_password}"
    );
    ensure!(
        wrong_password["errors"][0]["message"] == wrong_email["errors"][0]["message"]
            && code(&wrong_email) == code(&wrong_password),
        "the same error: {wrong_password} vs {wrong_email}"
    );
    Ok(())
}

fn failed_sign_ins_are_throttled_across_requests(server: &DevServer) -> Result<(), Failed> {
    let email = unique_email("throttle");
    sign_up(server, &email);
    for attempt in 1..=5 {
        let body = sign_in(server, &email, "wrong password!");
        ensure!(
            code(&body) == "UNAUTHENTICATED",
            "attempt {attempt}: {body}"
        );
    }
    let locked = sign_in(server, &email, PASSWORD);
    ensure!(
        code(&locked) == "RATE_LIMITED",
        "the right password is refused while locked: {locked}"
    );
    let retry = locked["errors"][0]["extensions"]["retryAfter"]
        .as_i64()
        .unwrap_or(0);
    ensure!(
        (1..=900).contains(&retry),
        "retryAfter within the 15 minute window: {retry}"
    );

    // The window passing is simulated by moving its start back in D1.
    server.d1(&format!(
        "UPDATE sign_in_failures SET window_started_at = '2000-01-01T00:00:00Z' WHERE email = '{email}'"
    ))?;
    let open_again = sign_in(server, &email, PASSWORD);
    ensure!(
        open_again["errors"].is_null(),
        "after the window: {open_again}"
    );
    let cleared = server.d1(&format!(
        "SELECT count(*) AS n FROM sign_in_failures WHERE email = '{email}'"
    ))?;
    ensure!(
        cleared[0]["n"] == 0,
        "success clears the counter: {cleared:?}"
    );
    Ok(())
}

fn bad_sign_up_input_writes_nothing(server: &DevServer) -> Result<(), Failed> {
    let query = "mutation($e: String!, $p: String!, $n: String!) { signUp(email: $e, password: $p, name: $n) { accessToken } }";
    let email = unique_email("bad");
    let cases = [
        (json!({"e": "ada", "p": PASSWORD, "n": "Ada"}), "email"),
        (json!({"e": "", "p": PASSWORD, "n": "Ada"}), "email"),
        (
            json!({"e": "pаypal@example.com", "p": PASSWORD, "n": "Ada"}),
            "email",
        ),
        (
            json!({"e": format!("{}@example.com", "a".repeat(300)), "p": PASSWORD, "n": "Ada"}),
            "email",
        ),
        (json!({"e": email, "p": "", "n": "Ada"}), "password"),
        (json!({"e": email, "p": "short", "n": "Ada"}), "password"),
        (
            json!({"e": email, "p": "x".repeat(129), "n": "Ada"}),
            "password",
        ),
        (json!({"e": email, "p": email, "n": "Ada"}), "password"),
        (json!({"e": email, "p": PASSWORD, "n": "   "}), "name"),
        (
            json!({"e": email, "p": PASSWORD, "n": "n".repeat(101)}),
            "name",
        ),
    ];
    for (variables, field) in cases {
        let body = server.graphql(query, variables.clone());
        ensure!(
            code(&body) == "BAD_USER_INPUT" && body["errors"][0]["extensions"]["field"] == field,
            "{variables}: want BAD_USER_INPUT on {field}, got {body}"
        );
    }
    let rows = server.d1(&format!(
        "SELECT count(*) AS n FROM accounts WHERE email = '{email}'"
    ))?;
    ensure!(rows[0]["n"] == 0, "nothing was written: {rows:?}");
    let duplicate = {
        sign_up(server, &email);
        server.graphql(
            query,
            json!({"e": email.to_uppercase(), "p": PASSWORD, "n": "Ada"}),
        )
    };
    ensure!(code(&duplicate) == "CONFLICT", "{duplicate}");
    Ok(())
}

/// A caller and the access token it sends (`None` = anonymous).
struct Caller {
    name: &'static str,
    token: Option<String>,
    id: String,
}

fn call(server: &DevServer, caller: &Caller, query: &str, variables: Value) -> Value {
    let body = json!({"query": query, "variables": variables}).to_string();
    let bearer = caller.token.as_ref().map(|t| format!("Bearer {t}"));
    let mut headers = vec![("Content-Type", "application/json")];
    if let Some(bearer) = &bearer {
        headers.push(("Authorization", bearer.as_str()));
    }
    let response = server
        .request("POST", "/graphql", &headers, body.as_bytes())
        .unwrap();
    assert_eq!(response.status, 200, "{}", response.body);
    response.json()
}

/// Signs up a customer, or an admin (promoted in D1 as scripts/make-admin.sh does, then
/// signed in again so the token carries the role).
fn caller(server: &DevServer, name: &'static str, admin: bool) -> Caller {
    let email = unique_email(name);
    let session = sign_up(server, &email);
    let mut token = session["accessToken"].as_str().unwrap().to_owned();
    if admin {
        server
            .d1(&format!(
                "UPDATE accounts SET role = 'admin' WHERE email = '{email}'"
            ))
            .unwrap();
        let again = sign_in(server, &email, PASSWORD);
        token = again["data"]["signIn"]["accessToken"]
            .as_str()
            .unwrap()
            .to_owned();
    }
    Caller {
        name,
        token: Some(token),
        id: session["account"]["id"].as_str().unwrap().to_owned(),
    }
}

const CREATE: &str = "mutation($input: CreateFlightInput!) { createFlight(input: $input) { id status seatCapacity seatsAvailable departure { local } fare { amount currency } } }";
const UPDATE: &str = "mutation($id: ID!, $input: UpdateFlightInput!) { updateFlight(id: $id, input: $input) { id seatCapacity seatsAvailable departure { local } } }";
const CANCEL: &str =
    "mutation($id: ID!, $reason: String!) { cancelFlight(id: $id, reason: $reason) { id status } }";

fn new_flight(server: &DevServer, number: &str) -> Value {
    let date = server.seed_start.plus_days(3).unwrap();
    json!({"input": {
        "flightNumber": number, "from": "LHR", "to": "JFK",
        "departureLocal": format!("{date}T10:00"), "durationMinutes": 470,
        "fare": {"amount": 39900, "currency": "GBP"}, "aircraftType": "B789"
    }})
}

fn authorization_matrix(server: &DevServer) -> Result<(), Failed> {
    let anonymous = Caller {
        name: "anonymous",
        token: None,
        id: String::new(),
    };
    let alice = caller(server, "alice", false);
    let bob = caller(server, "bob", false);
    let admin = caller(server, "admin", true);
    let flight_id = {
        let created = call(server, &admin, CREATE, new_flight(server, "XQ100"));
        ensure!(created["errors"].is_null(), "{created}");
        created["data"]["createFlight"]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };

    // (operation, variables, expected outcome for anonymous, alice, bob, admin)
    // "ok" means no error; otherwise the expected extensions.code.
    let me_query = "{ me { id } }";
    let account_query = "query($id: ID!) { account(id: $id) { id email } }";
    let audit_query = "{ auditLog(first: 5) { action target actorId } }";
    let cases: Vec<(&str, &str, Value, [&str; 4])> = vec![
        (
            "me",
            me_query,
            json!({}),
            ["UNAUTHENTICATED", "ok", "ok", "ok"],
        ),
        (
            "alice's account",
            account_query,
            json!({"id": alice.id}),
            ["UNAUTHENTICATED", "ok", "NOT_FOUND", "ok"],
        ),
        (
            "auditLog",
            audit_query,
            json!({}),
            ["UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "ok"],
        ),
        (
            "createFlight",
            CREATE,
            new_flight(server, "XQ101"),
            ["UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "ok"],
        ),
        (
            "updateFlight",
            UPDATE,
            json!({"id": flight_id, "input": {"seatCapacity": 290}}),
            ["UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "ok"],
        ),
        (
            "cancelFlight",
            CANCEL,
            json!({"id": flight_id, "reason": "weather"}),
            ["UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "ok"],
        ),
    ];
    for (operation, query, variables, expected) in cases {
        for (who, want) in [&anonymous, &alice, &bob, &admin].into_iter().zip(expected) {
            let body = call(server, who, query, variables.clone());
            let got = if body["errors"].is_null() {
                "ok"
            } else {
                code(&body)
            };
            ensure!(
                got == want,
                "{operation} as {}: want {want}, got {body}",
                who.name
            );
        }
    }
    let me_as_alice = call(server, &alice, me_query, json!({}));
    ensure!(
        me_as_alice["data"]["me"]["id"] == json!(alice.id),
        "me is alice's own: {me_as_alice}"
    );

    // The refused callers changed nothing: only the admin's writes are in the audit log.
    // (Other tests write to the same log in parallel: look only at this test's flights.)
    let log = server.d1("SELECT actor_id FROM audit_log WHERE target LIKE 'XQ10_-%'")?;
    ensure!(
        log.len() == 4,
        "create, create, update, cancel by the admin: {log:?}"
    );
    ensure!(
        log.iter().all(|row| row["actor_id"] == json!(admin.id)),
        "{log:?}"
    );
    let created =
        server.d1("SELECT count(*) AS n FROM flights WHERE flight_number IN ('XQ100', 'XQ101')")?;
    ensure!(created[0]["n"] == 2, "{created:?}");
    Ok(())
}

fn admins_manage_the_timetable_with_an_audit_trail(server: &DevServer) -> Result<(), Failed> {
    let admin = caller(server, "ops", true);
    let created = call(server, &admin, CREATE, new_flight(server, "XQ200"));
    ensure!(created["errors"].is_null(), "{created}");
    let flight = &created["data"]["createFlight"];
    let id = flight["id"].as_str().unwrap().to_owned();
    ensure!(
        flight["seatCapacity"] == 290 && flight["status"] == "SCHEDULED",
        "{flight}"
    );
    ensure!(
        flight["departure"]["local"]
            .as_str()
            .unwrap()
            .ends_with("T10:00:00+00:00")
            || flight["departure"]["local"]
                .as_str()
                .unwrap()
                .ends_with("T10:00:00+01:00"),
        "placed at 10:00 London time: {flight}"
    );

    let search = |passengers: u32| {
        server.graphql(
            "query($d: String!, $p: Int) { searchFlights(from: \"LHR\", to: \"JFK\", date: $d, passengers: $p, first: 50) { edges { node { id } } } }",
            json!({"d": server.seed_start.plus_days(3).unwrap().to_string(), "p": passengers}),
        )
    };
    let listed = |body: &Value| body.to_string().contains(&id);
    ensure!(listed(&search(1)), "a new flight is searchable at once");

    let duplicate = call(server, &admin, CREATE, new_flight(server, "XQ200"));
    ensure!(code(&duplicate) == "CONFLICT", "{duplicate}");

    let audit_count = || server.d1("SELECT count(*) AS n FROM audit_log").unwrap()[0]["n"].clone();
    let before = audit_count();
    let mut bad_inputs = Vec::new();
    for (patch, field) in [
        (json!({"flightNumber": "X"}), "input.flightNumber"),
        (json!({"from": "ZZZ"}), "input.from"),
        (json!({"to": "LHR"}), "to"),
        (
            json!({"departureLocal": "2020-01-01T10:00"}),
            "input.departureLocal",
        ),
        (json!({"departureLocal": "soon"}), "input.departureLocal"),
        (json!({"durationMinutes": 5}), "input.durationMinutes"),
        (
            json!({"fare": {"amount": 0, "currency": "GBP"}}),
            "input.fare.amount",
        ),
        (
            json!({"fare": {"amount": 100, "currency": "XXX"}}),
            "input.fare.currency",
        ),
        (json!({"aircraftType": "B747"}), "input.aircraftType"),
        (json!({"seatCapacity": 1000}), "input.seatCapacity"),
    ] {
        let mut variables = new_flight(server, "XQ201");
        for (key, value) in patch.as_object().unwrap() {
            variables["input"][key] = value.clone();
        }
        let body = call(server, &admin, CREATE, variables);
        let got = (
            code(&body).to_owned(),
            body["errors"][0]["extensions"]["field"].clone(),
        );
        if got != ("BAD_USER_INPUT".to_owned(), json!(field)) {
            bad_inputs.push(format!("{patch}: {body}"));
        }
    }
    ensure!(
        bad_inputs.is_empty(),
        "typed errors expected: {bad_inputs:#?}"
    );
    ensure!(
        audit_count() == before,
        "refused input wrote nothing to the audit log"
    );

    let shrink = call(
        server,
        &admin,
        UPDATE,
        json!({"id": id, "input": {"seatCapacity": 10}}),
    );
    ensure!(
        code(&shrink) == "BAD_USER_INPUT",
        "capacity only grows: {shrink}"
    );
    let date = server.seed_start.plus_days(3).unwrap();
    let retimed = call(
        server,
        &admin,
        UPDATE,
        json!({"id": id, "input": {"departureLocal": format!("{date}T11:30")}}),
    );
    ensure!(retimed["errors"].is_null(), "{retimed}");
    ensure!(
        retimed["data"]["updateFlight"]["departure"]["local"]
            .as_str()
            .unwrap()
            .contains("T11:30:00"),
        "{retimed}"
    );

    let cancelled = call(
        server,
        &admin,
        CANCEL,
        json!({"id": id, "reason": "aircraft swap"}),
    );
    ensure!(
        cancelled["data"]["cancelFlight"]["status"] == "CANCELLED",
        "{cancelled}"
    );
    ensure!(!listed(&search(1)), "a cancelled flight is not offered");
    let again = call(server, &admin, CANCEL, json!({"id": id, "reason": "again"}));
    ensure!(
        code(&again) == "BAD_USER_INPUT",
        "cancelling twice is refused: {again}"
    );

    let log = call(
        server,
        &admin,
        "query($t: String) { auditLog(target: $t, first: 10) { action actorId details at } }",
        json!({"t": id}),
    );
    let actions: Vec<&str> = log["data"]["auditLog"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    ensure!(
        actions == ["cancelFlight", "updateFlight", "createFlight"],
        "newest first: {log}"
    );
    ensure!(
        log.to_string().contains("aircraft swap"),
        "the reason is recorded: {log}"
    );
    Ok(())
}
