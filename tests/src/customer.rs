//! A signed-up traveller for the suites and benchmarks: an account, its access token, and
//! sandbox payment cards.

use serde_json::{json, Value};

use crate::DevServer;

/// The password every test account uses.
pub const PASSWORD: &str = "correct horse battery";

/// A signed-up customer and their access token.
pub struct Customer {
    pub id: String,
    pub email: String,
    pub token: String,
}

/// A short random hex string, for unique emails and idempotency keys.
pub fn nonce() -> String {
    airline_auth::random_bytes::<8>()
        .map(|bytes| bytes.iter().map(|b| format!("{b:02x}")).collect())
        .unwrap_or_else(|_| format!("{:x}", std::process::id()))
}

impl Customer {
    /// Signs up `<tag>.<random>@example.com`.
    pub fn sign_up(server: &DevServer, tag: &str) -> Customer {
        let email = format!("{tag}.{}@example.com", nonce());
        let body = server.graphql(
            "mutation($e: String!, $p: String!, $n: String!) { signUp(email: $e, password: $p, name: $n) { accessToken account { id } } }",
            json!({"e": email, "p": PASSWORD, "n": "Ada Lovelace"}),
        );
        assert!(body["errors"].is_null(), "sign-up failed: {body}");
        let session = &body["data"]["signUp"];
        Customer {
            id: session["account"]["id"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            email,
            token: session["accessToken"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        }
    }

    /// Signs up and makes the account an admin (in D1, as scripts/make-admin.sh does),
    /// then signs in again so the token carries the role.
    pub fn admin(server: &DevServer, tag: &str) -> Customer {
        let mut customer = Customer::sign_up(server, tag);
        server
            .d1(&format!(
                "UPDATE accounts SET role = 'admin' WHERE id = '{}'",
                customer.id
            ))
            .unwrap_or_else(|e| panic!("promote: {e}"));
        let body = server.graphql(
            "mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { accessToken } }",
            json!({"e": customer.email, "p": PASSWORD}),
        );
        customer.token = body["data"]["signIn"]["accessToken"]
            .as_str()
            .unwrap_or_else(|| panic!("sign-in: {body}"))
            .to_owned();
        customer
    }

    /// A GraphQL request with this customer's token; the JSON body.
    pub fn ask(&self, server: &DevServer, query: &str, variables: Value) -> Value {
        server.graphql_as(Some(&self.token), query, variables)
    }

    /// Tokenizes a sandbox test card and returns the payment token.
    pub fn card(&self, server: &DevServer, number: &str) -> String {
        let year = chrono::Datelike::year(&chrono::Utc::now()) + 3;
        let body = self.ask(
            server,
            "mutation($input: CardInput!) { tokenizeCard(input: $input) { token last4 } }",
            json!({"input": {"number": number, "expMonth": 12, "expYear": year, "cvc": "123"}}),
        );
        assert!(body["errors"].is_null(), "tokenizeCard failed: {body}");
        let card = &body["data"]["tokenizeCard"];
        assert_eq!(
            card["last4"],
            json!(&number[number.len().saturating_sub(4)..]),
            "{body}"
        );
        card["token"].as_str().unwrap_or_default().to_owned()
    }
}
