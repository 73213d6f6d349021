//! The black-box harness: starts `wrangler dev` (workerd with local D1) on a free port with
//! a fresh `--persist-to` directory, migrated and seeded, and talks to it over HTTP.
//!
//! Reused by every end-to-end suite and benchmark: a suite starts one [`DevServer`] in
//! `main`, runs its tests against it with [`run_suite`], and the server is stopped by pid
//! (its whole process group) whatever the tests did, including on panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod customer;
pub mod load;
mod server;
pub mod signals;
pub mod smoke;

pub use airline_payments::sandbox::CardBehaviour;
pub use customer::{
    booking_input, booking_query, cancel_query, new_key, nonce, passengers, process_booking_query,
    Customer, BOOKINGS_LIST, BOOKING_FIELDS, PASSWORD,
};

pub use server::{
    workspace_root, DevServer, HttpResponse, Payments, Runtime, ServerOptions, TEST_AUDIENCE,
    TEST_ISSUER, TEST_SERVICE_KEY_ID, TEST_SERVICE_SECRET, TEST_SIGNING_KEYS,
};

use std::sync::Arc;

use libtest_mimic::{Arguments, Trial};

/// A named test run against a shared server.
pub type Test = (&'static str, fn(&DevServer) -> Result<(), Failed>);

/// A suite's tests, each written once and named after its function:
/// `tests![first, second]` is `&[("first", first), ("second", second)]`.
#[macro_export]
macro_rules! tests {
    ($($test:ident),* $(,)?) => {
        &[$((stringify!($test), $test as fn(&$crate::DevServer) -> Result<(), $crate::Failed>)),*]
    };
}

pub use libtest_mimic::Failed;

/// Asks `probe` every 200 ms until it finds what it looks for (`Some`), for up to
/// `timeout`: how the suites wait for D1's read model, which follows the bookings'
/// objects through a queue a moment after they answer. The error says what was awaited
/// and what the last look found.
pub fn eventually<T>(
    what: &str,
    timeout: std::time::Duration,
    mut probe: impl FnMut() -> Result<Result<T, String>, String>,
) -> Result<T, String> {
    let deadline = std::time::Instant::now() + timeout;
    loop {
        match probe()? {
            Ok(found) => return Ok(found),
            Err(last) if std::time::Instant::now() >= deadline => {
                return Err(format!("{what}: not after {timeout:?}; last: {last}"))
            }
            Err(_) => std::thread::sleep(std::time::Duration::from_millis(200)),
        }
    }
}

/// Routes the seed flies every day: benchmarks and the load test spread their searches
/// over them.
pub const SEEDED_ROUTES: [(&str, &str); 6] = [
    ("LHR", "JFK"),
    ("JFK", "LAX"),
    ("LHR", "CDG"),
    ("SIN", "SYD"),
    ("DXB", "LHR"),
    ("HND", "SIN"),
];

/// The search the web app's results page makes (20 results, two passengers), for
/// benchmarks.
pub const RESULTS_PAGE_SEARCH: &str = r#"query($from: String!, $to: String!, $date: String!) {
  searchFlights(from: $from, to: $to, date: $date, passengers: 2, first: 20) {
    totalCount
    edges { cursor totalPrice { amount currency }
      node { id flightNumber departure { local } arrival { local } durationMinutes fare { amount currency } seatsAvailable } }
  }
}"#;

/// Starts a server, runs `tests` against it (one at a time unless `--test-threads` says
/// otherwise, with libtest's command-line filters and output), stops the server, and
/// exits with the suite's result.
pub fn run_suite(options: ServerOptions, tests: &[Test]) -> ! {
    let mut arguments = Arguments::from_args();
    // One test at a time by default: tests share the server, and some count rows or
    // move a clock in D1 that a test running beside them would disturb.
    arguments.test_threads.get_or_insert(1);
    if arguments.list {
        let trials: Vec<Trial> = tests
            .iter()
            .map(|(name, _)| Trial::test(*name, || Ok(())))
            .collect();
        libtest_mimic::run(&arguments, trials).exit();
    }
    let server = match DevServer::start(options) {
        Ok(server) => Arc::new(server),
        Err(error) => {
            eprintln!("could not start the dev server: {error}");
            std::process::exit(1);
        }
    };
    let trials = tests
        .iter()
        .map(|&(name, test)| {
            let server = Arc::clone(&server);
            Trial::test(name, move || test(&server))
        })
        .collect();
    let conclusion = libtest_mimic::run(&arguments, trials);
    // `exit` runs no destructors: drop the server (the last reference, now the trials are
    // done) so it stops and its temporary state, a ~95 MB copy of the seeded D1, goes too.
    drop(server);
    conclusion.exit()
}

/// Prints the p50/p90/p99 of `samples` in milliseconds (for the benchmark binaries) and
/// returns the p50.
pub fn report(what: &str, mut samples: Vec<std::time::Duration>) -> f64 {
    samples.sort();
    let at = |q: f64| {
        let index = ((samples.len() as f64 * q) as usize).min(samples.len().saturating_sub(1));
        samples.get(index).map_or(0.0, |d| d.as_secs_f64() * 1e3)
    };
    println!(
        "{what}: n={} p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms",
        samples.len(),
        at(0.5),
        at(0.9),
        at(0.99)
    );
    at(0.5)
}

/// Fails a test with a message, like `assert!` but returning instead of panicking.
#[macro_export]
macro_rules! ensure {
    ($condition:expr, $($message:tt)+) => {
        if !$condition {
            return Err(format!($($message)+).into());
        }
    };
}
