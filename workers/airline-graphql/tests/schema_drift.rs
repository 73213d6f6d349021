//! The checked-in `schema.graphql` at the workspace root must be exactly what the code
//! serves: clients generate types from it and reviewers read API changes in its diff.
//!
//! After changing the schema on purpose, regenerate it with
//! `UPDATE_SCHEMA=1 cargo test -p airline-graphql --test schema_drift` and review the diff.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

const SCHEMA_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../schema.graphql");
const UPDATE_COMMAND: &str = "UPDATE_SCHEMA=1 cargo test -p airline-graphql --test schema_drift";

#[test]
fn checked_in_schema_matches_the_code() {
    let path = Path::new(SCHEMA_PATH);
    let actual = airline_graphql::sdl();

    if std::env::var("UPDATE_SCHEMA").is_ok_and(|v| v == "1") {
        std::fs::write(path, &actual)
            .unwrap_or_else(|e| panic!("could not write {}: {e}", path.display()));
        return;
    }

    let checked_in = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => panic!(
            "could not read {} ({e}); generate it with `{UPDATE_COMMAND}` and commit it",
            path.display()
        ),
    };
    // Compare line by line so a checkout with CRLF line endings is not a false alarm.
    if normalise(&checked_in) != normalise(&actual) {
        let first_difference = checked_in
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a.trim_end() != b.trim_end())
            .unwrap_or_else(|| checked_in.lines().count().min(actual.lines().count()));
        panic!(
            "{} is out of date with the schema the code serves (first difference at line {}).\n\
             If the change is intended, run `{UPDATE_COMMAND}`, review the diff of \
             schema.graphql and commit it.",
            path.display(),
            first_difference + 1,
        );
    }
}

fn normalise(text: &str) -> Vec<&str> {
    text.lines().map(str::trim_end).collect()
}
