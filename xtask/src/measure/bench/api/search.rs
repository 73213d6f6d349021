//! The cost of `searchFlights` as the web app's results page asks it (20 results, two
//! passengers), over the seeded routes and twenty days: the first request after start,
//! then `requests` sequential ones after a warm-up of 20.

use std::time::Duration;

use airline_e2e::{DevServer, RESULTS_PAGE_SEARCH, SEEDED_ROUTES};
use serde_json::json;

use super::{answered, ms, start_server, time};
use crate::Failure;

pub fn run(requests: usize) -> Result<(), Failure> {
    let (took, server) = time(start_server);
    let server = server?;
    println!(
        "dev server ready (migrated, seeded) in {:.1}s",
        took.as_secs_f64()
    );

    let first = search(&server, 0)?;
    println!("first request after start: {:.1} ms", ms(first));
    for i in 0..20 {
        search(&server, i)?;
    }
    let (wall, latencies) = time(|| {
        (0..requests)
            .map(|i| search(&server, i))
            .collect::<Result<Vec<Duration>, Failure>>()
    });
    let mut latencies = latencies?;
    latencies.sort();
    let at = |q: f64| {
        let index = ((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1));
        latencies.get(index).copied().map_or(0.0, ms)
    };
    println!(
        "searchFlights x{requests} sequential: p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms, {:.0} req/s",
        at(0.50),
        at(0.90),
        at(0.99),
        latencies.last().copied().map_or(0.0, ms),
        requests as f64 / wall.as_secs_f64()
    );
    server.stop();
    Ok(())
}

/// The `i`th search: a seeded route and a day ahead, both taken round-robin; its time.
fn search(server: &DevServer, i: usize) -> Result<Duration, Failure> {
    let (from, to) = SEEDED_ROUTES[i % SEEDED_ROUTES.len()];
    let date = server
        .seed_start
        .plus_days(1 + (i % 20) as i64)
        .ok_or_else(|| Failure::new("a search date past the calendar"))?;
    let (took, body) = time(|| {
        server.try_graphql_as(
            None,
            RESULTS_PAGE_SEARCH,
            json!({"from": from, "to": to, "date": date.to_string()}),
        )
    });
    answered("searchFlights", body.map_err(Failure::new)?)?;
    Ok(took)
}
