//! The accounts and admin resolvers, natively: signing up, in and out, sessions that
//! rotate, who may read which account, and the admin's timetable changes with their
//! audit trail. Every store is in memory (`TestContext`); the end-to-end suites cover the
//! same paths against D1.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use airline_testkit::{api, data, execute, failure, signed_in, utc};

use std::sync::Arc;

use airline_auth::Role;
use airline_graphql::Viewer;
use airline_testkit::{MemoryAccounts, MemorySchedule, TestContext};
use serde_json::{json, Value};

const PASSWORD: &str = "correct horse battery";

const SIGN_UP: &str = "mutation($e: String!, $p: String!, $n: String!) {
  signUp(email: $e, password: $p, name: $n) { accessToken refreshToken account { id email name role } }
}";
const SIGN_IN: &str = "mutation($e: String!, $p: String!) {
  signIn(email: $e, password: $p) { accessToken refreshToken account { id } }
}";
const REFRESH: &str =
    "mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken refreshToken } }";
const ME: &str = "{ me { id email name role } }";
const ACCOUNT: &str = "query($id: ID!) { account(id: $id) { id email } }";
const CREATE_FLIGHT: &str = "mutation($input: CreateFlightInput!) {
  createFlight(input: $input) { id flightNumber status seatCapacity fare { amount currency } }
}";
const CANCEL_FLIGHT: &str = "mutation($id: ID!, $reason: String!) {
  cancelFlight(id: $id, reason: $reason) { id status }
}";
const AUDIT: &str =
    "query($target: String) { auditLog(target: $target) { actorId action target details } }";

/// One traveller's world: an account store that outlives single requests.
struct Accounts(Arc<MemoryAccounts>);

impl Accounts {
    fn new() -> Self {
        Self(Arc::new(MemoryAccounts::default()))
    }

    fn run(&self, viewer: Viewer, query: &str, variables: Value) -> Value {
        let context = TestContext::new()
            .accounts(self.0.clone())
            .viewer(viewer)
            .build();
        execute(api(), context, query, variables)
    }

    fn sign_up(&self, email: &str) -> Value {
        let response = self.run(
            Viewer::Anonymous,
            SIGN_UP,
            json!({"e": email, "p": PASSWORD, "n": "Ada Lovelace"}),
        );
        data(response)["signUp"].clone()
    }
}

#[test]
fn a_new_account_signs_in_and_reads_itself() {
    let accounts = Accounts::new();
    let session = accounts.sign_up("ada@example.com");
    let id = session["account"]["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("acct_"), "{session}");
    assert_eq!(session["account"]["role"], "CUSTOMER");
    assert!(session["accessToken"]
        .as_str()
        .is_some_and(|t| !t.is_empty()));

    let signed = data(accounts.run(
        Viewer::Anonymous,
        SIGN_IN,
        json!({"e": "ada@example.com", "p": PASSWORD}),
    ));
    assert_eq!(signed["signIn"]["account"]["id"], id.as_str());

    let me = data(accounts.run(signed_in(&id, Role::Customer), ME, json!({})));
    assert_eq!(
        me["me"],
        json!({"id": id, "email": "ada@example.com", "name": "Ada Lovelace", "role": "CUSTOMER"})
    );
}

#[test]
fn sign_up_refuses_bad_input_field_by_field_and_a_taken_email() {
    let accounts = Accounts::new();
    for (email, password, name, field) in [
        ("not-an-email", PASSWORD, "Ada", "email"),
        ("ada@example.com", "short", "Ada", "password"),
        ("ada@example.com", PASSWORD, "", "name"),
    ] {
        let response = accounts.run(
            Viewer::Anonymous,
            SIGN_UP,
            json!({"e": email, "p": password, "n": name}),
        );
        let error = failure(&response, "BAD_USER_INPUT");
        assert_eq!(error["extensions"]["field"], field, "{response:#}");
    }
    accounts.sign_up("ada@example.com");
    let again = accounts.run(
        Viewer::Anonymous,
        SIGN_UP,
        json!({"e": "ada@example.com", "p": PASSWORD, "n": "Ada"}),
    );
    failure(&again, "CONFLICT");
}

#[test]
fn a_wrong_password_and_an_unknown_email_are_refused_alike() {
    let accounts = Accounts::new();
    accounts.sign_up("ada@example.com");
    let wrong = accounts.run(
        Viewer::Anonymous,
        SIGN_IN,
        json!({"e": "ada@example.com", "p": "not the password"}),
    );
    let unknown = accounts.run(
        Viewer::Anonymous,
        SIGN_IN,
        json!({"e": "nobody@example.com", "p": PASSWORD}),
    );
    let (wrong, unknown) = (
        failure(&wrong, "UNAUTHENTICATED"),
        failure(&unknown, "UNAUTHENTICATED"),
    );
    assert_eq!(
        wrong["message"], unknown["message"],
        "no hint which part was wrong"
    );
}

#[test]
fn a_refresh_token_works_once_and_its_reuse_ends_the_session() {
    let accounts = Accounts::new();
    let first = accounts.sign_up("ada@example.com")["refreshToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let rotated = data(accounts.run(Viewer::Anonymous, REFRESH, json!({"t": first})));
    let second = rotated["refreshSession"]["refreshToken"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(first, second, "each refresh issues a new token");

    // The spent token again: taken as theft, so the whole family is revoked.
    failure(
        &accounts.run(Viewer::Anonymous, REFRESH, json!({"t": first})),
        "UNAUTHENTICATED",
    );
    failure(
        &accounts.run(Viewer::Anonymous, REFRESH, json!({"t": second})),
        "UNAUTHENTICATED",
    );
}

#[test]
fn an_account_is_visible_to_itself_and_admins_only() {
    let accounts = Accounts::new();
    let ada = accounts.sign_up("ada@example.com")["account"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let bob = accounts.sign_up("bob@example.com")["account"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    failure(
        &accounts.run(Viewer::Anonymous, ME, json!({})),
        "UNAUTHENTICATED",
    );
    // Another customer's id reads as missing, so ids cannot be probed.
    failure(
        &accounts.run(signed_in(&bob, Role::Customer), ACCOUNT, json!({"id": ada})),
        "NOT_FOUND",
    );
    let seen = data(accounts.run(
        signed_in("acct_admin", Role::Admin),
        ACCOUNT,
        json!({"id": ada}),
    ));
    assert_eq!(seen["account"]["email"], "ada@example.com");
}

// ---------------------------------------------------------------------------------------
// Admin: the timetable

fn timetable() -> Arc<MemorySchedule> {
    let airports = catalog_seed::airports().expect("the seed airports parse");
    Arc::new(MemorySchedule::new(airports, Vec::new()))
}

fn run_on(schedule: &Arc<MemorySchedule>, viewer: Viewer, query: &str, variables: Value) -> Value {
    let context = TestContext::new()
        .schedule(schedule.clone())
        .viewer(viewer)
        .build();
    execute(api(), context, query, variables)
}

fn new_flight(number: &str) -> Value {
    json!({"input": {
        "flightNumber": number,
        "from": "LHR",
        "to": "JFK",
        "departureLocal": "2026-12-20T09:30",
        "durationMinutes": 480,
        "fare": {"amount": 45_000, "currency": "GBP"},
        "aircraftType": "A20N",
        "seatCapacity": 150,
    }})
}

#[test]
fn only_admins_change_the_timetable() {
    let schedule = timetable();
    failure(
        &run_on(
            &schedule,
            Viewer::Anonymous,
            CREATE_FLIGHT,
            new_flight("EA7001"),
        ),
        "UNAUTHENTICATED",
    );
    failure(
        &run_on(
            &schedule,
            signed_in("acct_customer", Role::Customer),
            CREATE_FLIGHT,
            new_flight("EA7001"),
        ),
        "FORBIDDEN",
    );
    let audit = data(run_on(
        &schedule,
        signed_in("acct_admin", Role::Admin),
        AUDIT,
        json!({}),
    ));
    assert_eq!(
        audit["auditLog"],
        json!([]),
        "a refused change leaves no trace"
    );
}

#[test]
fn an_admin_creates_and_cancels_a_flight_and_both_are_audited() {
    let schedule = timetable();
    let admin = signed_in("acct_admin", Role::Admin);
    let created = data(run_on(
        &schedule,
        admin.clone(),
        CREATE_FLIGHT,
        new_flight("EA7001"),
    ));
    let flight = &created["createFlight"];
    assert_eq!(flight["flightNumber"], "EA7001");
    assert_eq!(flight["status"], "SCHEDULED");
    assert_eq!(flight["fare"], json!({"amount": 45_000, "currency": "GBP"}));
    let id = flight["id"].as_str().unwrap().to_owned();

    // The same flight twice is a conflict, not a second flight.
    failure(
        &run_on(
            &schedule,
            admin.clone(),
            CREATE_FLIGHT,
            new_flight("EA7001"),
        ),
        "CONFLICT",
    );
    // A reason is required, and recorded.
    let no_reason = run_on(
        &schedule,
        admin.clone(),
        CANCEL_FLIGHT,
        json!({"id": id, "reason": ""}),
    );
    assert_eq!(
        failure(&no_reason, "BAD_USER_INPUT")["extensions"]["field"],
        "reason"
    );
    let cancelled = data(run_on(
        &schedule,
        admin.clone(),
        CANCEL_FLIGHT,
        json!({"id": id, "reason": "aircraft unavailable"}),
    ));
    assert_eq!(cancelled["cancelFlight"]["status"], "CANCELLED");

    let audit = data(run_on(&schedule, admin, AUDIT, json!({"target": id})));
    let actions: Vec<&str> = audit["auditLog"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| {
            assert_eq!(entry["actorId"], "acct_admin", "{entry}");
            entry["action"].as_str().unwrap()
        })
        .collect();
    assert_eq!(actions.len(), 2, "{audit:#}");
    assert!(
        audit.to_string().contains("aircraft unavailable"),
        "the reason is in the trail: {audit:#}"
    );
}

#[test]
fn a_flight_between_unknown_airports_is_refused_by_field() {
    let schedule = timetable();
    let mut input = new_flight("EA7002");
    input["input"]["to"] = json!("ZZZ");
    let response = run_on(
        &schedule,
        signed_in("acct_admin", Role::Admin),
        CREATE_FLIGHT,
        input,
    );
    assert_eq!(
        failure(&response, "BAD_USER_INPUT")["extensions"]["field"],
        "input.to"
    );
}

#[test]
fn admins_read_what_the_reconciliation_runs_found_newest_first() {
    use airline_booking::reconcile::{PaymentMismatch, Report, SeatRepair};
    use airline_graphql::store::ReconciliationRun;

    let schedule = Arc::new(MemorySchedule::default());
    let at = |minute: u32| utc(&format!("2026-11-25T10:{minute:02}:00Z"));
    let repaired = Report {
        events_resent: vec!["bk_0123456789abcdef01234567:confirmed".into()],
        seats_repaired: vec![SeatRepair {
            flight_id: "EA117-20261126".into(),
            was: 3,
            now: 140,
        }],
        payment_mismatches: vec![PaymentMismatch {
            booking_id: "bk_0123456789abcdef01234567".into(),
            payment_status: "CAPTURED".into(),
            booking_status: Some("CANCELLED".into()),
            problem: "money was taken but the booking is not confirmed".into(),
        }],
        ..Report::default()
    };
    for (id, report) in [(1, repaired), (2, Report::default())] {
        schedule
            .reconciliation_runs
            .lock()
            .unwrap()
            .push(ReconciliationRun {
                id,
                started_at: at(id as u32 * 5),
                finished_at: at(id as u32 * 5 + 1),
                report,
            });
    }
    let query = "query($n: Int) { reconciliationRuns(first: $n) { id startedAt clean eventsResent
        seatsRepaired { flightId was now } sagasResumed
        paymentMismatches { bookingId paymentStatus bookingStatus problem } errors } }";
    let run = |viewer: Viewer, first: i64| {
        let context = TestContext::new()
            .schedule(schedule.clone())
            .viewer(viewer)
            .build();
        execute(api(), context, query, json!({"n": first}))
    };

    let runs = data(run(signed_in("acct_ops", Role::Admin), 10))["reconciliationRuns"].clone();
    assert_eq!(runs[0]["id"], "2", "newest first: {runs}");
    assert_eq!(runs[0]["clean"], true, "{runs}");
    let found = &runs[1];
    assert_eq!(found["clean"], false, "{found}");
    assert_eq!(found["startedAt"], "2026-11-25T10:05:00Z");
    assert_eq!(
        found["seatsRepaired"],
        json!([{"flightId": "EA117-20261126", "was": 3, "now": 140}])
    );
    assert_eq!(found["paymentMismatches"][0]["bookingStatus"], "CANCELLED");
    assert_eq!(found["eventsResent"].as_array().unwrap().len(), 1);

    let one = data(run(signed_in("acct_ops", Role::Admin), 1))["reconciliationRuns"].clone();
    assert_eq!(one.as_array().unwrap().len(), 1, "{one}");
    failure(
        &run(signed_in("acct_ops", Role::Admin), 0),
        "BAD_USER_INPUT",
    );
    failure(&run(signed_in("acct_ada", Role::Customer), 10), "FORBIDDEN");
    failure(&run(Viewer::Anonymous, 10), "UNAUTHENTICATED");

    // The read model's status: the lag of its copies (the double reports 80, 120 and
    // 300 ms) and the latest run, with what it repaired.
    let status = "query($w: Int) { readModelStatus(windowMinutes: $w) { copies medianLagMs
        p99LagMs maxLagMs unfinishedAfterGrace latestReconciliation { id readModelRepaired } } }";
    let ask = |viewer: Viewer, window: i64| {
        let context = TestContext::new()
            .schedule(schedule.clone())
            .viewer(viewer)
            .build();
        execute(api(), context, status, json!({"w": window}))
    };
    let report = data(ask(signed_in("acct_ops", Role::Admin), 60))["readModelStatus"].clone();
    assert_eq!(
        (
            &report["copies"],
            &report["medianLagMs"],
            &report["maxLagMs"]
        ),
        (&json!(3), &json!(120), &json!(300)),
        "{report}"
    );
    assert_eq!(report["latestReconciliation"]["id"], "2", "{report}");
    failure(
        &ask(signed_in("acct_ops", Role::Admin), 0),
        "BAD_USER_INPUT",
    );
    failure(&ask(signed_in("acct_ada", Role::Customer), 60), "FORBIDDEN");
}
