//! Files outside this crate that must say what its HTTP rules say:
//! - `workers/airline-worker/src/security-headers.txt`, from which the web build writes
//!   the static assets' `_headers`, so the app gets the headers GraphiQL gets;
//! - wrangler.toml's `[assets] run_worker_first`, which decides which paths reach the
//!   Worker at all (a path missing there never reaches its route).
//!
//! After changing the headers on purpose, regenerate the file with
//! `UPDATE_EDGE_FILES=1 cargo test -p airline-edge --test edge_files`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use airline_edge::http::{security_headers_file, WORKER_FIRST_PATHS};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
const HEADERS_PATH: &str = "workers/airline-worker/src/security-headers.txt";
const UPDATE_COMMAND: &str = "UPDATE_EDGE_FILES=1 cargo test -p airline-edge --test edge_files";

#[test]
fn the_checked_in_security_headers_match_the_code() {
    let path = Path::new(ROOT).join(HEADERS_PATH);
    let expected = security_headers_file();
    if std::env::var("UPDATE_EDGE_FILES").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &expected)
            .unwrap_or_else(|e| panic!("could not write {}: {e}", path.display()));
        return;
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "could not read {} ({e}); run `{UPDATE_COMMAND}`",
            path.display()
        )
    });
    let lines = |text: &str| {
        text.lines()
            .map(str::trim_end)
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(
        lines(&checked_in),
        lines(&expected),
        "{HEADERS_PATH} differs from airline_edge::http::SECURITY_HEADERS; if the code is \
         right, run `{UPDATE_COMMAND}` and review the diff"
    );
}

#[test]
fn wrangler_runs_the_worker_first_for_exactly_its_routes() {
    let path = Path::new(ROOT).join("wrangler.toml");
    let config = std::fs::read_to_string(&path).unwrap();
    let line = config
        .lines()
        .find(|line| line.trim_start().starts_with("run_worker_first"))
        .expect("wrangler.toml sets [assets] run_worker_first");
    let (_, list) = line.split_once('=').unwrap();
    let listed: Vec<&str> = list
        .trim()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .split(',')
        .map(|entry| entry.trim().trim_matches('"'))
        .filter(|entry| !entry.is_empty())
        .collect();
    assert_eq!(
        listed, WORKER_FIRST_PATHS,
        "wrangler.toml's run_worker_first and airline_edge::http::WORKER_FIRST_PATHS differ"
    );
}
