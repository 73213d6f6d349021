//! `bench-search [--requests N]`: latency of `searchFlights` on a local `wrangler dev`
//! (workerd + local D1), measured from a client on the same machine. Prints numbers; it
//! asserts nothing (speed is reported, not tested).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use airline_e2e::{DevServer, ServerOptions, RESULTS_PAGE_SEARCH, SEEDED_ROUTES};
use serde_json::json;

fn main() {
    let requests: usize = std::env::args()
        .skip_while(|a| a != "--requests")
        .nth(1)
        .map(|n| n.parse().expect("--requests takes a number"))
        .unwrap_or(500);
    let started = Instant::now();
    let server = DevServer::start(ServerOptions::default()).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(1);
    });
    println!(
        "dev server ready (migrated, seeded) in {:.1}s",
        started.elapsed().as_secs_f64()
    );

    let search = |i: usize| {
        let (from, to) = SEEDED_ROUTES[i % SEEDED_ROUTES.len()];
        let date = server
            .seed_start
            .plus_days(1 + (i % 20) as i64)
            .unwrap()
            .to_string();
        let begin = Instant::now();
        let body = server.graphql(
            RESULTS_PAGE_SEARCH,
            json!({"from": from, "to": to, "date": date}),
        );
        let elapsed = begin.elapsed();
        assert!(body["errors"].is_null(), "{body}");
        elapsed
    };
    let first = search(0);
    println!("first request after start: {:.1} ms", ms(first));
    for i in 0..20 {
        search(i);
    }
    let run = Instant::now();
    let mut latencies: Vec<Duration> = (0..requests).map(search).collect();
    let wall = run.elapsed();
    latencies.sort();
    let at =
        |q: f64| ms(latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)]);
    println!(
        "searchFlights x{requests} sequential: p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms, {:.0} req/s",
        at(0.50),
        at(0.90),
        at(0.99),
        ms(*latencies.last().unwrap()),
        requests as f64 / wall.as_secs_f64()
    );
    server.stop();
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1_000.0
}
