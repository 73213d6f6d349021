//! A 10-second smoke of the load test (`airline_e2e::load`, tests/src/load.rs), run in this
//! process against a local `wrangler dev`, so the tool and its scenarios keep working:
//! every step of the traveller journey and the anonymous search run, none fails, and the
//! report carries per-request percentiles. `cargo xtask load` (`./scripts/load.sh`) is the
//! real run.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use airline_e2e::{ensure, load, run_suite, DevServer, ServerOptions, Test};
use libtest_mimic::Failed;
use serde_json::Value;

fn main() {
    let tests: &[Test] = airline_e2e::tests![ten_seconds_of_load_run_every_step_without_failures];
    run_suite(ServerOptions::default(), tests)
}

fn ten_seconds_of_load_run_every_step_without_failures(server: &DevServer) -> Result<(), Failed> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let report = dir.path().join("report.json");
    let report_file = report.to_string_lossy();
    let configuration = load::configuration(&[
        "--host",
        &server.base_url,
        "--users",
        "4",
        "--increase-rate",
        "4",
        "--run-time",
        "10s",
        "--no-reset-metrics",
        "--quiet",
        "--report-file",
        &report_file,
    ])
    .map_err(|e| format!("the load test's flags: {e}"))?;
    load::run(configuration).map_err(|e| format!("the load test failed: {e}"))?;
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap())
        .map_err(|e| format!("report.json: {e}"))?;
    let requests = report["raw_request_metrics"]
        .as_array()
        .ok_or("request metrics")?;
    let percentiles = report["raw_response_metrics"]
        .as_array()
        .ok_or("response metrics")?;
    for step in [
        "sign up",
        "sign in",
        "tokenize card",
        "search",
        "seat map",
        "book",
        "list bookings",
        "loyalty",
        "search (GET)",
    ] {
        let metrics = requests
            .iter()
            .find(|r| r["name"] == step)
            .ok_or_else(|| format!("no requests named {step}: {requests:?}"))?;
        ensure!(
            metrics["number_of_requests"].as_u64() > Some(0) && metrics["number_of_failures"] == 0,
            "{step}: {metrics}"
        );
        let times = percentiles
            .iter()
            .find(|r| r["name"] == step)
            .ok_or_else(|| format!("no percentiles for {step}"))?;
        ensure!(
            times["percentile_50"].as_u64() <= times["percentile_99"].as_u64(),
            "{step}: {times}"
        );
    }
    let booked = server.d1(
        "SELECT count(*) AS n FROM bookings b JOIN accounts a ON a.id = b.customer_id
         WHERE a.email LIKE 'load.%' AND b.status = 'CONFIRMED'",
    )?;
    ensure!(
        booked[0]["n"].as_i64() > Some(0),
        "the travellers' bookings are confirmed: {booked:?}"
    );
    Ok(())
}
