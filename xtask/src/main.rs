//! `cargo xtask …`: the repository's automation, in Rust (matklad's cargo-xtask pattern).
//! The scripts in `scripts/` that remain are entry points that install the tools first
//! (scripts/setup.sh) and then call this.
//!
//! ```text
//! cargo xtask build                         the Worker and the web app (each skipped while unchanged)
//! cargo xtask build-web                     the web app alone
//! cargo xtask inputs                        what each build reads, and where it writes
//! cargo xtask seed [--start DATE] [--days N] [--out FILE]   the seed catalog as SQL
//! cargo xtask deploy ENV [--dry-run | --preview ALIAS]
//! cargo xtask bench [api | web] [OPTIONS]   numbers: the airline against a raw baseline, call costs, web size
//! cargo xtask load [goose flags]            a load test against a fresh local server (or --host URL)
//! cargo xtask smoke --base-url URL [--header 'Name: value']... [--read-only]
//! ```
//!
//! bench, load and smoke drive servers through the end-to-end harness (crate
//! `airline-e2e`); they are compiled only when run (the `measure` feature), optimised, so
//! the build that `wrangler dev` runs stays small.

mod build;
mod deploy;
mod inputs;
#[cfg(feature = "measure")]
mod measure;
mod process;
mod seed;
mod tools;
mod web_build;
mod wrangler_config;

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::process::Cmd;

const USAGE: &str = "usage: cargo xtask build | build-web | inputs | seed [--start DATE] [--days N] [--out FILE] | deploy ENV [--dry-run | --preview ALIAS] | bench [api | web] [OPTIONS] | load [goose flags] | smoke --base-url URL [--header 'Name: value']... [--read-only]";

/// Why a task could not be done, in words for whoever ran it.
#[derive(Debug)]
pub struct Failure {
    message: String,
    /// The command line was wrong (exit status 2), not the work.
    usage: bool,
}

impl Failure {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            usage: false,
        }
    }

    pub fn usage(usage: &str) -> Self {
        Self {
            message: format!("usage: {usage}"),
            usage: true,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// The repository (this crate's parent folder).
fn repository() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// This tool again, with the measurements compiled in and optimised.
pub fn measure_command(root: &Path) -> Cmd {
    let mut cmd = Cmd::new("cargo", root);
    cmd.args([
        "run",
        "--quiet",
        "--release",
        "-p",
        "xtask",
        "--features",
        "measure",
        "--",
    ]);
    cmd
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = repository();
    let outcome = match args.first().map(String::as_str) {
        Some("build") if args.len() == 1 => build::build(&root),
        Some("build-web") if args.len() == 1 => {
            wrangler_config::WranglerConfig::load(&root).and_then(|c| web_build::build(&root, &c))
        }
        Some("inputs") if args.len() == 1 => build::describe(&root),
        Some("deploy") => {
            let canary = std::env::var("CANARY_PERCENT").ok();
            deploy::DeployArgs::parse(&args[1..], canary.as_deref())
                .and_then(|deploy| deploy::run(&root, &deploy))
        }
        Some("seed") => {
            let today = airline_domain::LocalDate::from_naive(chrono::Utc::now().date_naive());
            seed::SeedArgs::parse(&args[1..], today).and_then(|seed| seed::run(&seed))
        }
        Some(task @ ("bench" | "load" | "smoke")) => measure(&root, task, &args[1..]),
        _ => Err(Failure::usage(USAGE.trim_start_matches("usage: "))),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("xtask: {failure}");
            ExitCode::from(if failure.usage { 2 } else { 1 })
        }
    }
}

#[cfg(feature = "measure")]
fn measure(root: &Path, task: &str, args: &[String]) -> Result<(), Failure> {
    measure::run(root, task, args)
}

/// Without the measurements compiled in: this tool again, with them.
#[cfg(not(feature = "measure"))]
fn measure(root: &Path, task: &str, args: &[String]) -> Result<(), Failure> {
    measure_command(root).arg(task).args(args).run()
}
