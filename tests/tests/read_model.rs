//! The booking's object is its truth and D1 a read model fed by a queue: what happens
//! when that feed fails half way through a batch, and when an object is evicted between
//! two steps of its saga.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use airline_domain::AccountId;
use airline_e2e::{
    booking_input, ensure, eventually, new_key, run_suite, CardBehaviour, Customer, DevServer,
    ServerOptions, Test,
};
use libtest_mimic::Failed;
use serde_json::{json, Value};

fn main() {
    let tests: &[Test] = airline_e2e::tests![
        a_batch_that_fails_half_way_loses_nothing_and_applies_nothing_twice,
        an_object_evicted_between_steps_resumes_from_its_own_storage,
    ];
    run_suite(ServerOptions::default(), tests)
}

/// A flight of the seeded JFK-LHR timetable `days` after the seed's first day.
fn flight(server: &DevServer, days: i64) -> String {
    let date = server.seed_start.plus_days(days).unwrap().to_string();
    let found = server.graphql(
        "query($d: String!) { searchFlights(from: \"JFK\", to: \"LHR\", date: $d) { edges { node { id } } } }",
        json!({"d": date}),
    );
    found["data"]["searchFlights"]["edges"][0]["node"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no flight: {found}"))
        .to_owned()
}

/// The read model's rows of `ids`: id -> (status, version).
fn read_model(
    server: &DevServer,
    ids: &[String],
) -> Result<BTreeMap<String, (String, i64)>, String> {
    let list = ids
        .iter()
        .map(|id| format!("'{id}'"))
        .collect::<Vec<_>>()
        .join(",");
    let rows = server.d1(&format!(
        "SELECT id, status, version FROM bookings WHERE id IN ({list})"
    ))?;
    Ok(rows
        .iter()
        .map(|row| {
            (
                row["id"].as_str().unwrap().to_owned(),
                (
                    row["status"].as_str().unwrap().to_owned(),
                    row["version"].as_i64().unwrap(),
                ),
            )
        })
        .collect())
}

/// Six bookings at once, so their copies reach the consumer in the same batch; D1
/// refuses one of them (a trigger, as a constraint or an outage of one row would). The
/// batch fails as a whole and nothing of it is applied; the consumer then applies the
/// copies one by one: five land, the refused one is retried, and lands once D1 takes it
/// again (or the reconciliation run writes it from its object). Every booking, payment
/// and event is in the read model once.
fn a_batch_that_fails_half_way_loses_nothing_and_applies_nothing_twice(
    server: &DevServer,
) -> Result<(), Failed> {
    let flight = flight(server, 23);
    let who = Customer::sign_up(server, "batch");
    let card = who.card(server, CardBehaviour::Succeeds);
    let keys: Vec<String> = (0..6).map(|_| new_key()).collect();
    let customer = AccountId::trusted(who.id.as_str());
    let ids: Vec<String> = keys
        .iter()
        .map(|key| airline_booking::plan::booking_id(&customer, key).into_string())
        .collect();
    let refused = ids[3].clone();
    for (name, when) in [("insert", "INSERT"), ("update", "UPDATE")] {
        server.d1(&format!(
            "CREATE TRIGGER refuse_{name} BEFORE {when} ON bookings WHEN NEW.id = '{refused}'
             BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
        ))?;
    }

    let answers: Vec<Value> = std::thread::scope(|scope| {
        let handles: Vec<_> = keys
            .iter()
            .map(|key| {
                let (who, card, flight) = (&who, &card, &flight);
                scope.spawn(move || who.book(server, &booking_input(flight, None, 1, card, key)))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for answer in &answers {
        ensure!(
            answer["data"]["processBooking"]["status"] == "CONFIRMED",
            "every booking is confirmed, whatever its copy meets: {answer}"
        );
    }

    let others: Vec<String> = ids.iter().filter(|id| **id != refused).cloned().collect();
    eventually(
        "the other five copies land",
        Duration::from_secs(20),
        || {
            let held = read_model(server, &ids)?;
            let landed = others
                .iter()
                .filter(|id| {
                    held.get(*id)
                        .is_some_and(|(status, _)| status == "CONFIRMED")
                })
                .count();
            Ok(if landed == others.len() {
                Ok(())
            } else {
                Err(format!("{held:?}"))
            })
        },
    )?;
    ensure!(
        !read_model(server, &ids)?.contains_key(&refused),
        "the refused copy is not there while D1 refuses it"
    );
    ensure!(
        server
            .log_lines()
            .iter()
            .any(|line| line.contains("read model: a batch of") && line.contains("one by one")),
        "a batch failed as a whole and was applied copy by copy:\n{}",
        server.log_tail()
    );

    server.d1("DROP TRIGGER refuse_insert")?;
    server.d1("DROP TRIGGER refuse_update")?;
    let started = Instant::now();
    let mut runs = 0;
    eventually(
        "the refused copy lands once D1 takes it",
        Duration::from_secs(60),
        || {
            let held = read_model(server, std::slice::from_ref(&refused))?;
            if held
                .get(&refused)
                .is_some_and(|(status, _)| status == "CONFIRMED")
            {
                return Ok(Ok(()));
            }
            // The queue retries it; should its retries run out first, the reconciliation run
            // writes it from its object.
            if started.elapsed() > Duration::from_secs(10 * (runs + 1)) {
                server.run_scheduled()?;
                runs += 1;
            }
            Ok(Err(format!("{held:?}")))
        },
    )?;
    eprintln!(
        "batch: the refused copy landed {:.1} s after D1 took it again ({runs} reconciliation runs)",
        started.elapsed().as_secs_f64()
    );

    let list = ids
        .iter()
        .map(|id| format!("'{id}'"))
        .collect::<Vec<_>>()
        .join(",");
    for (what, sql) in [
        ("booking", format!("SELECT count(*) AS n FROM bookings WHERE id IN ({list})")),
        (
            "payment",
            format!("SELECT count(*) AS n FROM payments WHERE idempotency_key IN ({list}) AND status = 'CAPTURED'"),
        ),
        (
            "confirmation event",
            format!("SELECT count(*) AS n FROM booking_events WHERE booking_id IN ({list})"),
        ),
    ] {
        let rows = server.d1(&sql)?;
        ensure!(rows[0]["n"] == 6, "one {what} per booking: {rows:?}");
    }
    let ledger = eventually("every booking earns once", Duration::from_secs(20), || {
        let rows = server.d1(&format!(
            "SELECT count(*) AS n FROM loyalty_ledger WHERE booking_id IN ({list})"
        ))?;
        Ok(if rows[0]["n"] == 6 {
            Ok(rows)
        } else {
            Err(format!("{rows:?}"))
        })
    })?;
    ensure!(ledger[0]["n"] == 6, "{ledger:?}");
    Ok(())
}

/// A booking waits for its payment's retry (the card fails twice first) when the runtime
/// dies and every object with it: nothing of the object survives but its storage. The
/// saga resumes from there: the seats it held are the seats it sells, it holds them
/// once, and the payment is captured once.
fn an_object_evicted_between_steps_resumes_from_its_own_storage(
    server: &DevServer,
) -> Result<(), Failed> {
    let flight = flight(server, 24);
    let who = Customer::sign_up(server, "evicted");
    let card = who.card(server, CardBehaviour::FailsTwiceThenSucceeds);
    let answer = who.book(server, &booking_input(&flight, None, 2, &card, &new_key()));
    let booking = &answer["data"]["processBooking"];
    ensure!(
        booking["status"] == "UNCONFIRMED" && booking["step"] == "AUTHORIZE_PAYMENT",
        "waiting for the payment's retry: {answer}"
    );
    let id = booking["id"].as_str().unwrap().to_owned();
    let held: Vec<Value> = booking["flights"][0]["seats"].as_array().unwrap().clone();

    server.kill_and_restart().map_err(Failed::from)?;

    let confirmed = eventually(
        "confirmed after the restart",
        Duration::from_secs(30),
        || {
            let now = who.booking(server, &id)["data"]["booking"].clone();
            Ok(if now["status"] == "CONFIRMED" {
                Ok(now)
            } else {
                Err(now.to_string())
            })
        },
    )?;
    ensure!(
        confirmed["flights"][0]["seats"].as_array() == Some(&held),
        "the seats it held are the seats it sold: {held:?} -> {confirmed}"
    );
    let holds = server
        .structured_logs("saga_step")
        .into_iter()
        .filter(|line| line["booking_id"] == id.as_str() && line["step"] == "HOLD_SEATS")
        .count();
    ensure!(
        holds <= 1,
        "the seats were held once, before the restart: {holds}"
    );
    let payment = eventually(
        "the payment in the read model",
        Duration::from_secs(20),
        || {
            let rows = server.d1(&format!(
                "SELECT status, authorize_attempts FROM payments WHERE idempotency_key = '{id}'"
            ))?;
            Ok(match rows.first() {
                Some(row) if row["status"] == "CAPTURED" => Ok(row.clone()),
                _ => Err(format!("{rows:?}")),
            })
        },
    )?;
    ensure!(
        payment["authorize_attempts"] == 3,
        "two failures, then one authorization: {payment}"
    );
    Ok(())
}
