//! The deploy pipeline's smoke test (`airline_e2e::smoke`, run by `cargo xtask deploy`
//! against the canary) against a local `wrangler dev`, so it is known to pass before it
//! ever judges a deploy: the full run (health, search, sign-up, a booking with the test
//! card, its cancellation) and production's read-only run.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use airline_e2e::smoke::{run, SmokeTarget};
use std::time::Duration;

use airline_e2e::{ensure, eventually, run_suite, DevServer, ServerOptions, Test};
use libtest_mimic::Failed;

fn main() {
    let tests: &[Test] = airline_e2e::tests![
        the_smoke_test_passes_against_a_fresh_server,
        the_read_only_smoke_test_books_nothing,
        the_smoke_test_fails_on_a_server_that_is_not_there,
    ];
    run_suite(ServerOptions::default(), tests)
}

fn target(server: &DevServer, read_only: bool) -> SmokeTarget {
    SmokeTarget {
        base_url: server.base_url.clone(),
        // What a deploy sends to reach the canary; a local server ignores it.
        headers: vec![(
            "Cloudflare-Workers-Version-Overrides".into(),
            "edge-airline=\"00000000-0000-0000-0000-000000000000\"".into(),
        )],
        read_only,
    }
}

fn the_smoke_test_passes_against_a_fresh_server(server: &DevServer) -> Result<(), Failed> {
    let steps = run(&target(server, false))?;
    let names: Vec<&str> = steps.iter().map(|step| step.name).collect();
    ensure!(
        names == ["health", "search", "sign up", "book", "cancel"],
        "{steps:?}"
    );
    // The read model follows the booking's object through a queue.
    eventually(
        "the booking it made is cancelled in the read model",
        Duration::from_secs(20),
        || {
            let cancelled = server.d1(
                "SELECT count(*) AS n FROM bookings b JOIN accounts a ON a.id = b.customer_id
                 WHERE a.email LIKE 'smoke.%' AND b.status = 'CANCELLED'",
            )?;
            Ok(if cancelled[0]["n"] == 1 {
                Ok(())
            } else {
                Err(format!("{cancelled:?}"))
            })
        },
    )?;
    Ok(())
}

fn the_read_only_smoke_test_books_nothing(server: &DevServer) -> Result<(), Failed> {
    let before = server.d1("SELECT count(*) AS n FROM accounts")?;
    let steps = run(&target(server, true))?;
    let names: Vec<&str> = steps.iter().map(|step| step.name).collect();
    ensure!(names == ["health", "search"], "{steps:?}");
    let after = server.d1("SELECT count(*) AS n FROM accounts")?;
    ensure!(before == after, "no account made: {before:?} -> {after:?}");
    Ok(())
}

fn the_smoke_test_fails_on_a_server_that_is_not_there(_server: &DevServer) -> Result<(), Failed> {
    let nowhere = SmokeTarget {
        base_url: "http://127.0.0.1:9".into(),
        headers: Vec::new(),
        read_only: true,
    };
    let failure = run(&nowhere).expect_err("nothing listens on port 9");
    ensure!(failure.starts_with("health: "), "{failure}");
    Ok(())
}
