//! The smoke test: what must work on any fresh deployment, against its base URL. The
//! health check, a flight search, and (unless read-only: production takes real money) a
//! new traveller who books a seat with the sandbox's test card and cancels it for a
//! refund. `cargo xtask deploy` runs it against the canary version (pinned with
//! Cloudflare's version-override header); the `smoke` suite runs it against a local
//! `wrangler dev` inside the test command, so it cannot rot.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// One step that passed, and how long it took.
#[derive(Debug)]
pub struct Step {
    pub name: &'static str,
    pub took: Duration,
    pub detail: String,
}

/// What to test, and how to reach it.
pub struct SmokeTarget {
    pub base_url: String,
    /// Sent with every request (e.g. `Cloudflare-Workers-Version-Overrides`).
    pub headers: Vec<(String, String)>,
    /// Only reads: no account, no booking.
    pub read_only: bool,
}

struct Client<'a> {
    target: &'a SmokeTarget,
    agent: ureq::Agent,
}

impl Client<'_> {
    fn send(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
        token: Option<&str>,
    ) -> Result<(u16, String), String> {
        let url = format!("{}{path}", self.target.base_url.trim_end_matches('/'));
        let mut request = ureq::http::Request::builder().method(method).uri(&url);
        for (name, value) in &self.target.headers {
            request = request.header(name, value);
        }
        if let Some(token) = token {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        let body = body.map(Value::to_string).unwrap_or_default();
        if !body.is_empty() {
            request = request.header("Content-Type", "application/json");
        }
        let request = request.body(body).map_err(|e| format!("{url}: {e}"))?;
        let mut response = self
            .agent
            .run(request)
            .map_err(|e| format!("{method} {url}: {e}"))?;
        let status = response.status().as_u16();
        let text = response
            .body_mut()
            .read_to_string()
            .map_err(|e| format!("{method} {url}: {e}"))?;
        Ok((status, text))
    }

    fn graphql(&self, query: &str, variables: Value, token: Option<&str>) -> Result<Value, String> {
        let (status, text) = self.send(
            "POST",
            "/graphql",
            Some(&json!({"query": query, "variables": variables})),
            token,
        )?;
        let body: Value =
            serde_json::from_str(&text).map_err(|_| format!("HTTP {status}, not JSON: {text}"))?;
        if !body["errors"].is_null() {
            return Err(format!("GraphQL errors: {}", body["errors"]));
        }
        Ok(body["data"].clone())
    }
}

/// Runs every step in order; the steps that passed, or what failed first.
pub fn run(target: &SmokeTarget) -> Result<Vec<Step>, String> {
    let client = Client {
        target,
        agent: ureq::Agent::new_with_config(
            ureq::Agent::config_builder()
                .http_status_as_error(false)
                .timeout_global(Some(Duration::from_secs(30)))
                .build(),
        ),
    };
    let mut steps = Vec::new();
    let mut step = |name: &'static str, action: &mut dyn FnMut() -> Result<String, String>| {
        let started = Instant::now();
        let detail = action().map_err(|e| format!("{name}: {e}"))?;
        steps.push(Step {
            name,
            took: started.elapsed(),
            detail,
        });
        Ok::<(), String>(())
    };

    step("health", &mut || {
        let (status, text) = client.send("GET", "/healthz", None, None)?;
        if status == 200 && text.contains("ok") {
            Ok("200 ok".to_owned())
        } else {
            Err(format!("HTTP {status}: {text}"))
        }
    })?;

    let mut flight = String::new();
    step("search", &mut || {
        let today = chrono::Utc::now().date_naive();
        for days in 1..=14 {
            let date = (today + chrono::Duration::days(days)).to_string();
            let data = client.graphql(
                "query($d: String!) { searchFlights(from: \"LHR\", to: \"JFK\", date: $d, first: 5) { edges { node { id seatsAvailable } } } }",
                json!({"d": date}),
                None,
            )?;
            let found = data["searchFlights"]["edges"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|edge| edge["node"]["seatsAvailable"].as_i64() > Some(0));
            if let Some(edge) = found {
                flight = edge["node"]["id"].as_str().unwrap_or_default().to_owned();
                return Ok(format!("{flight} on {date}"));
            }
        }
        Err("no LHR-JFK flight with a free seat in the next 14 days: is the catalog seeded?".into())
    })?;
    if target.read_only {
        return Ok(steps);
    }

    let mut token = String::new();
    step("sign up", &mut || {
        let data = client.graphql(
            "mutation($e: String!, $p: String!, $n: String!) { signUp(email: $e, password: $p, name: $n) { accessToken } }",
            json!({"e": format!("smoke.{}@example.com", crate::nonce()), "p": "smoke-test-password-1", "n": "Smoke Test"}),
            None,
        )?;
        token = data["signUp"]["accessToken"]
            .as_str()
            .ok_or("no access token")?
            .to_owned();
        Ok("a new traveller".to_owned())
    })?;

    let mut booking = String::new();
    step("book", &mut || {
        let year = chrono::Datelike::year(&chrono::Utc::now()) + 2;
        let card = client.graphql(
            "mutation($input: CardInput!) { tokenizeCard(input: $input) { token } }",
            json!({"input": {"number": "4242424242424242", "expMonth": 12, "expYear": year, "cvc": "123"}}),
            Some(&token),
        )?;
        let card = card["tokenizeCard"]["token"]
            .as_str()
            .ok_or("no card token")?;
        let data = client.graphql(
            "mutation($input: BookingInput!) { processBooking(input: $input) { id status reference } }",
            json!({"input": {
                "outboundFlightId": flight,
                "passengers": [{"firstName": "Smoke", "lastName": "Test"}],
                "paymentToken": card,
                "idempotencyKey": format!("smoke-{}", crate::nonce()),
            }}),
            Some(&token),
        )?;
        let answer = &data["processBooking"];
        booking = answer["id"].as_str().ok_or("no booking id")?.to_owned();
        match answer["status"].as_str() {
            Some("CONFIRMED") => Ok(format!("{} confirmed", answer["reference"])),
            other => Err(format!("booking {booking} is {other:?}, not CONFIRMED")),
        }
    })?;

    step("cancel", &mut || {
        let data = client.graphql(
            "mutation($id: ID!) { cancelBooking(id: $id) { status } }",
            json!({"id": booking}),
            Some(&token),
        )?;
        match data["cancelBooking"]["status"].as_str() {
            Some("CANCELLED") => Ok("cancelled and refunded".to_owned()),
            other => Err(format!("booking {booking} is {other:?} after cancelling")),
        }
    })?;
    Ok(steps)
}
