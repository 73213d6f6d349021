//! The benchmark's second configuration (`scripts/bench.sh --runtime miniflare`): the same
//! Worker, wrangler.toml and local state served through Miniflare directly
//! (tests/bench/miniflare-serve.mjs) instead of `wrangler dev`. The smoke test's full run
//! passes there too, so that configuration serves the same app and cannot rot unnoticed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use airline_e2e::smoke::{run, SmokeTarget};
use airline_e2e::{ensure, run_suite, DevServer, Runtime, ServerOptions, Test};
use libtest_mimic::Failed;

fn main() {
    let tests: &[Test] = airline_e2e::tests![the_smoke_test_passes_under_miniflare];
    run_suite(
        ServerOptions {
            runtime: Runtime::Miniflare,
            ..ServerOptions::default()
        },
        tests,
    )
}

fn the_smoke_test_passes_under_miniflare(server: &DevServer) -> Result<(), Failed> {
    let steps = run(&SmokeTarget {
        base_url: server.base_url.clone(),
        headers: Vec::new(),
        read_only: false,
    })?;
    let names: Vec<&str> = steps.iter().map(|step| step.name).collect();
    ensure!(
        names == ["health", "search", "sign up", "book", "cancel"],
        "{steps:?}"
    );
    // The Worker's structured log reaches the server's log as under wrangler dev.
    let requests = server.structured_logs("request");
    ensure!(
        requests
            .iter()
            .any(|line| line["path"] == "/graphql" && line["status"] == 200),
        "request lines in the log: {}",
        requests.len()
    );
    Ok(())
}
