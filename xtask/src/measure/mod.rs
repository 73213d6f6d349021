//! The measurements, compiled with the `measure` feature: each drives servers through the
//! end-to-end harness (`airline-e2e`) and prints numbers, or a verdict (smoke).
//!
//! - [`bench`]: `cargo xtask bench [api | web] [OPTIONS]`, the ratio table against the raw
//!   baseline, the call-by-call costs, the web's size and Lighthouse scores;
//! - [`load`]: `cargo xtask load [goose flags]`, the goose load test;
//! - [`smoke`]: `cargo xtask smoke --base-url URL …`, the deploy's smoke test.
//!
//! [`running`] stops what a measurement started, on success, failure or a signal.

mod bench;
mod load;
mod running;
mod smoke;

use std::path::Path;

use crate::Failure;

pub fn run(root: &Path, task: &str, args: &[String]) -> Result<(), Failure> {
    let outcome = match task {
        "smoke" => smoke::run(args),
        "bench" => bench::run(root, args),
        "load" => load::run(root, args),
        _ => Err(Failure::usage("cargo xtask bench | load | smoke")),
    };
    if outcome.is_err() && running::interrupted() {
        // Everything started has been stopped; exit as a shell does after a Ctrl-C.
        eprintln!("xtask: {task}: interrupted");
        std::process::exit(130);
    }
    outcome
}
