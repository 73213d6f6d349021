//! `cargo xtask bench [api | web] [OPTIONS]`: numbers from fresh local dev servers. It
//! fails only when a measurement cannot be taken, never on the numbers.
//!
//! - `bench [--searches N] [--bookings N] [--burst N] [--spread N] [--runtime wrangler|miniflare]`:
//!   the airline against the raw platform baseline, as ratios ([`ratios`]);
//! - `bench api [--requests N] [--events N]`: the API's own costs, call by call
//!   ([`api`]);
//! - `bench web`: the web app as built, its first-load size and Lighthouse scores
//!   ([`web`]).
//!
//! The first two build the Worker and the web app first (skipped while unchanged, or with
//! `AIRLINE_SKIP_BUILD=1`), then start their servers with the build skipped; `bench web`
//! measures what is built and builds nothing.

mod api;
mod far_edge;
mod ratios;
mod web;

use std::path::{Path, PathBuf};

use airline_e2e::Runtime;

use crate::wrangler_config::WranglerConfig;
use crate::Failure;

const USAGE: &str = "cargo xtask bench [--searches N] [--bookings N] [--burst N] [--spread N] [--runtime wrangler|miniflare]
       cargo xtask bench api [--requests N] [--events N]
       cargo xtask bench web";

/// Which measurement, with its options.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Bench {
    Ratios(RatioOptions),
    Api(ApiOptions),
    Web,
    Help,
}

/// The sizes of the ratio table's measurements, and what serves both Workers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RatioOptions {
    /// Sequential searches, alternating between the two servers.
    pub searches: usize,
    /// Sequential bookings, against an empty object call on the baseline.
    pub bookings: usize,
    /// Attempts at once on one 150-seat flight.
    pub burst: usize,
    /// Bookings at once over 100 flights with room for all.
    pub spread: usize,
    pub runtime: Runtime,
}

impl Default for RatioOptions {
    fn default() -> Self {
        Self {
            searches: 300,
            bookings: 100,
            burst: 1000,
            spread: 1000,
            runtime: Runtime::WranglerDev,
        }
    }
}

/// The sample sizes of the call-cost benchmarks: `None` leaves each its own default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ApiOptions {
    /// Requests of each kind (searches, sign-ins, bookings...).
    pub requests: Option<usize>,
    /// Loyalty events in the queue's burst (`--requests` when not given).
    pub events: Option<usize>,
}

impl Bench {
    fn parse(args: &[String]) -> Result<Self, Failure> {
        if args
            .iter()
            .any(|arg| matches!(arg.as_str(), "-h" | "--help"))
        {
            return Ok(Self::Help);
        }
        match args.first().map(String::as_str) {
            Some("web") if args.len() == 1 => Ok(Self::Web),
            Some("web") => Err(usage("bench web takes no options")),
            Some("api") => {
                let mut options = ApiOptions::default();
                let mut flags = Flags::new(&args[1..]);
                while let Some(flag) = flags.next_flag() {
                    match flag {
                        "--requests" => options.requests = Some(flags.number(flag)?),
                        "--events" => options.events = Some(flags.number(flag)?),
                        _ => return Err(unknown(flag)),
                    }
                }
                Ok(Self::Api(options))
            }
            _ => {
                let mut options = RatioOptions::default();
                let mut flags = Flags::new(args);
                while let Some(flag) = flags.next_flag() {
                    match flag {
                        "--searches" => options.searches = flags.number(flag)?,
                        "--bookings" => options.bookings = flags.number(flag)?,
                        "--burst" => options.burst = flags.number(flag)?,
                        "--spread" => options.spread = flags.number(flag)?,
                        "--runtime" => {
                            options.runtime = match flags.value(flag)? {
                                "wrangler" => Runtime::WranglerDev,
                                "miniflare" => Runtime::Miniflare,
                                other => {
                                    return Err(usage(&format!(
                                        "--runtime takes wrangler or miniflare, not '{other}'"
                                    )))
                                }
                            }
                        }
                        _ => return Err(unknown(flag)),
                    }
                }
                Ok(Self::Ratios(options))
            }
        }
    }
}

/// A command line read flag by flag, each with at most one value after it.
struct Flags<'a> {
    args: std::slice::Iter<'a, String>,
}

impl<'a> Flags<'a> {
    fn new(args: &'a [String]) -> Self {
        Self { args: args.iter() }
    }

    fn next_flag(&mut self) -> Option<&'a str> {
        self.args.next().map(String::as_str)
    }

    fn value(&mut self, flag: &str) -> Result<&'a str, Failure> {
        self.args
            .next()
            .map(String::as_str)
            .ok_or_else(|| usage(&format!("{flag} takes a value")))
    }

    /// The flag's value as a count of at least 1.
    fn number(&mut self, flag: &str) -> Result<usize, Failure> {
        let value = self.value(flag)?;
        match value.parse::<usize>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(usage(&format!(
                "{flag} takes a number of at least 1, not '{value}'"
            ))),
        }
    }
}

fn usage(problem: &str) -> Failure {
    Failure::usage(&format!("{USAGE}\n{problem}"))
}

fn unknown(flag: &str) -> Failure {
    usage(&format!("unknown option '{flag}'"))
}

pub fn run(root: &Path, args: &[String]) -> Result<(), Failure> {
    match Bench::parse(args)? {
        Bench::Help => {
            println!("usage: {USAGE}");
            Ok(())
        }
        Bench::Web => web::run(root),
        Bench::Ratios(options) => {
            let worker = build_first(root)?;
            ratios::run(&options, &worker)
        }
        Bench::Api(options) => {
            build_first(root)?;
            api::run(&options)
        }
    }
}

/// Builds the Worker and the web app (each skipped while unchanged), and has the servers
/// this process starts reuse that build instead of running it again. The Worker's entry
/// point as built (wrangler.toml's `main`).
fn build_first(root: &Path) -> Result<PathBuf, Failure> {
    crate::build::build(root)?;
    // Before any thread starts: the dev servers' wrangler runs the build command, which
    // sees this and skips.
    std::env::set_var("AIRLINE_SKIP_BUILD", "1");
    Ok(root.join(WranglerConfig::load(root)?.main))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn parse(line: &str) -> Result<Bench, Failure> {
        let args: Vec<String> = line.split_whitespace().map(str::to_owned).collect();
        Bench::parse(&args)
    }

    #[test]
    fn no_options_is_the_ratio_table_at_its_default_sizes() {
        assert_eq!(parse("").unwrap(), Bench::Ratios(RatioOptions::default()));
        assert_eq!(
            RatioOptions::default(),
            RatioOptions {
                searches: 300,
                bookings: 100,
                burst: 1000,
                spread: 1000,
                runtime: Runtime::WranglerDev
            }
        );
    }

    #[test]
    fn the_ratio_table_takes_its_sizes_and_a_runtime() {
        assert_eq!(
            parse("--searches 20 --bookings 10 --burst 60 --spread 70 --runtime miniflare")
                .unwrap(),
            Bench::Ratios(RatioOptions {
                searches: 20,
                bookings: 10,
                burst: 60,
                spread: 70,
                runtime: Runtime::Miniflare
            })
        );
        assert_eq!(
            parse("--runtime wrangler --burst 5").unwrap(),
            Bench::Ratios(RatioOptions {
                burst: 5,
                ..RatioOptions::default()
            })
        );
    }

    #[test]
    fn api_and_web_are_named_first() {
        assert_eq!(parse("api").unwrap(), Bench::Api(ApiOptions::default()));
        assert_eq!(
            parse("api --requests 10").unwrap(),
            Bench::Api(ApiOptions {
                requests: Some(10),
                events: None
            })
        );
        assert_eq!(
            parse("api --events 50 --requests 10").unwrap(),
            Bench::Api(ApiOptions {
                requests: Some(10),
                events: Some(50)
            })
        );
        assert_eq!(parse("web").unwrap(), Bench::Web);
        assert_eq!(parse("api --help").unwrap(), Bench::Help);
    }

    #[test]
    fn unknown_options_and_bad_numbers_are_usage_errors() {
        for line in [
            "--searches",
            "--searches ten",
            "--searches 0",
            "--searches -3",
            "--bursts 10",
            "--runtime node",
            "--runtime",
            "api --searches 10",
            "api --requests 1.5",
            "web --requests 10",
            "ratios",
        ] {
            let failure = parse(line).expect_err(line);
            assert!(failure.usage, "{line}: {failure}");
            assert!(
                failure.to_string().starts_with("usage: "),
                "{line}: {failure}"
            );
        }
        assert!(parse("--searches x")
            .unwrap_err()
            .to_string()
            .ends_with("--searches takes a number of at least 1, not 'x'"));
    }
}
