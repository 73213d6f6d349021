//! Loyalty through the GraphQL API, natively, over the in-memory ledger double: who may
//! read whose points, the summary at the tier thresholds, history paging, and the admin
//! tools for the event queue (publish, dead letters, replay).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use airline_testkit::{api, data, failure, signed_in};

use std::sync::Arc;

use airline_auth::Role;
use airline_graphql::store::DeadLetter;
use airline_graphql::Viewer;
use airline_loyalty::{EntryKind, LedgerEntry};
use airline_testkit::{MemoryLoyalty, TestContext};
use chrono::{DateTime, Duration, TimeZone as _, Utc};
use serde_json::{json, Value};

const LOYALTY: &str = "query($c: ID, $after: String) { loyalty(customerId: $c) { customerId points tier remainingPoints progress history(first: 2, after: $after) { edges { cursor node { id kind points bookingId } } pageInfo { hasNextPage endCursor } } } }";

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 29, 12, 0, 0).unwrap()
}

fn customer(id: &str) -> Viewer {
    signed_in(id, Role::Customer)
}

fn admin() -> Viewer {
    signed_in("acct_admin", Role::Admin)
}

fn run(loyalty: &Arc<MemoryLoyalty>, viewer: Viewer, query: &str, variables: Value) -> Value {
    let context = TestContext::new()
        .loyalty(loyalty.clone())
        .viewer(viewer)
        .now(now())
        .request_id("loyalty-test")
        .build();
    airline_testkit::execute(api(), context, query, variables)
}

fn ledger(entries: &[(&str, &str, i64, EntryKind, i64)]) -> Arc<MemoryLoyalty> {
    let loyalty = MemoryLoyalty::default();
    {
        let mut rows = loyalty.entries.lock().unwrap();
        for (customer, booking, points, kind, minutes) in entries {
            rows.push((
                (*customer).to_owned(),
                LedgerEntry {
                    entry_id: format!("{booking}:{}", kind.as_str().to_lowercase()),
                    booking_id: (*booking).to_owned(),
                    points: *points,
                    kind: *kind,
                    created_at: now() - Duration::minutes(*minutes),
                },
            ));
        }
    }
    Arc::new(loyalty)
}

#[test]
fn customers_read_their_own_summary_at_the_tier_thresholds() {
    for (points, tier, remaining) in [
        (49_999, "BRONZE", 1),
        (50_000, "SILVER", 50_000),
        (99_999, "SILVER", 1),
        (100_000, "GOLD", 0),
    ] {
        let loyalty = ledger(&[("acct_a", "bk_1", points, EntryKind::Earn, 5)]);
        let summary =
            data(run(&loyalty, customer("acct_a"), LOYALTY, json!({})))["loyalty"].clone();
        assert_eq!(summary["points"], points);
        assert_eq!(summary["tier"], tier, "{summary}");
        assert_eq!(summary["remainingPoints"], remaining, "{summary}");
    }
}

#[test]
fn nobody_else_reads_a_customers_points_but_an_admin() {
    let loyalty = ledger(&[("acct_a", "bk_1", 700, EntryKind::Earn, 5)]);
    let other = run(
        &loyalty,
        customer("acct_b"),
        LOYALTY,
        json!({"c": "acct_a"}),
    );
    failure(&other, "NOT_FOUND");
    let anonymous = run(&loyalty, Viewer::Anonymous, LOYALTY, json!({}));
    failure(&anonymous, "UNAUTHENTICATED");
    let seen = data(run(&loyalty, admin(), LOYALTY, json!({"c": "acct_a"})));
    assert_eq!(seen["loyalty"]["points"], 700);
    // A customer naming themselves is simply themselves.
    let own = data(run(
        &loyalty,
        customer("acct_a"),
        LOYALTY,
        json!({"c": "acct_a"}),
    ));
    assert_eq!(own["loyalty"]["customerId"], "acct_a");
}

#[test]
fn history_is_newest_first_and_pages_with_cursors() {
    let loyalty = ledger(&[
        ("acct_a", "bk_1", 300, EntryKind::Earn, 30),
        ("acct_a", "bk_2", 200, EntryKind::Earn, 20),
        ("acct_a", "bk_1", -300, EntryKind::Revoke, 10),
        ("acct_b", "bk_9", 999, EntryKind::Earn, 1),
    ]);
    let first = data(run(&loyalty, customer("acct_a"), LOYALTY, json!({})))["loyalty"].clone();
    assert_eq!(first["points"], 200, "earned 500, revoked 300: {first}");
    let edges = first["history"]["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 2);
    assert_eq!(edges[0]["node"]["kind"], "REVOKE");
    assert_eq!(edges[0]["node"]["points"], -300);
    assert_eq!(edges[1]["node"]["bookingId"], "bk_2");
    assert_eq!(first["history"]["pageInfo"]["hasNextPage"], true);
    let after = first["history"]["pageInfo"]["endCursor"].clone();
    let second = data(run(
        &loyalty,
        customer("acct_a"),
        LOYALTY,
        json!({"after": after}),
    ));
    let edges = second["loyalty"]["history"]["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 1);
    assert_eq!(edges[0]["node"]["bookingId"], "bk_1");
    assert_eq!(
        second["loyalty"]["history"]["pageInfo"]["hasNextPage"],
        false
    );
    // The summary still answers; only the history field fails.
    let bad = run(
        &loyalty,
        customer("acct_a"),
        LOYALTY,
        json!({"after": "not-a-cursor"}),
    );
    assert_eq!(
        bad["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{bad}"
    );
    assert_eq!(bad["errors"][0]["extensions"]["field"], "after", "{bad}");
    assert_eq!(
        bad["errors"][0]["path"],
        json!(["loyalty", "history"]),
        "{bad}"
    );
}

#[test]
fn only_admins_publish_events_and_only_json_objects() {
    let loyalty = Arc::new(MemoryLoyalty::default());
    let publish = "mutation($b: String!) { publishLoyaltyEvent(body: $b) }";
    failure(
        &run(&loyalty, customer("acct_a"), publish, json!({"b": "{}"})),
        "FORBIDDEN",
    );
    failure(
        &run(&loyalty, Viewer::Anonymous, publish, json!({"b": "{}"})),
        "UNAUTHENTICATED",
    );
    for bad in ["[1]", "not json", "42"] {
        let refused = run(&loyalty, admin(), publish, json!({"b": bad}));
        assert_eq!(
            failure(&refused, "BAD_USER_INPUT")["extensions"]["field"],
            "body"
        );
    }
    let too_big = format!("{{\"x\": \"{}\"}}", "a".repeat(17 * 1024));
    failure(
        &run(&loyalty, admin(), publish, json!({"b": too_big})),
        "BAD_USER_INPUT",
    );
    assert!(
        loyalty.published.lock().unwrap().is_empty(),
        "nothing refused was sent"
    );
    data(run(
        &loyalty,
        admin(),
        publish,
        json!({"b": "{\"eventId\": \"bk_1:confirmed\"}"}),
    ));
    assert_eq!(
        *loyalty.published.lock().unwrap(),
        vec![json!({"eventId": "bk_1:confirmed"})]
    );
}

#[test]
fn admins_list_and_replay_dead_letters_corrected_or_as_they_were() {
    let loyalty = Arc::new(MemoryLoyalty::default());
    loyalty.dead_letters.lock().unwrap().push(DeadLetter {
        id: 7,
        message_id: "msg-7".into(),
        body: "{\"eventId\": \"bk_x:confirmed\"}".into(),
        error: "inconsistent event".into(),
        received_at: now() - Duration::minutes(3),
        replayed_at: None,
    });
    let list = "{ loyaltyDeadLetters { id error replayedAt } }";
    failure(
        &run(&loyalty, customer("acct_a"), list, json!({})),
        "FORBIDDEN",
    );
    let letters = data(run(&loyalty, admin(), list, json!({})));
    assert_eq!(
        letters["loyaltyDeadLetters"][0]["error"],
        "inconsistent event"
    );

    let replay = "mutation($id: ID!, $b: String) { replayLoyaltyDeadLetter(id: $id, body: $b) { id replayedAt } }";
    failure(
        &run(&loyalty, admin(), replay, json!({"id": "8"})),
        "NOT_FOUND",
    );
    failure(
        &run(&loyalty, admin(), replay, json!({"id": "x"})),
        "NOT_FOUND",
    );
    failure(
        &run(&loyalty, customer("acct_a"), replay, json!({"id": "7"})),
        "FORBIDDEN",
    );
    let replayed = data(run(
        &loyalty,
        admin(),
        replay,
        json!({"id": "7", "b": "{\"eventId\": \"bk_y:confirmed\"}"}),
    ));
    assert_eq!(
        replayed["replayLoyaltyDeadLetter"]["replayedAt"],
        "2026-11-29T12:00:00Z"
    );
    data(run(&loyalty, admin(), replay, json!({"id": "7"})));
    assert_eq!(
        *loyalty.published.lock().unwrap(),
        vec![
            json!({"eventId": "bk_y:confirmed"}),
            json!({"eventId": "bk_x:confirmed"})
        ],
        "the correction, then the original as it was"
    );
}
