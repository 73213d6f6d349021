//! `cargo xtask load [goose flags]`: the load test (`airline_e2e::load`: the traveller
//! journey and anonymous searches, on goose), bounded in time, then its report: per-request
//! p50/p95/p99, throughput and errors, printed and in `target/load/report.{md,html,json}`.
//!
//! Without `--host` it builds (skipped while unchanged) and starts a fresh local server
//! (migrated, seeded, on a free port) and stops it afterwards; with `--host URL` it runs
//! against that deployment (staging). Without any flag it runs
//! `--users 20 --increase-rate 5 --run-time 30s --no-reset-metrics` (the sign-ups count
//! too). Every flag is goose's; `--help` lists them. The first Ctrl-C ends the run early
//! and still writes the report.

use std::path::Path;

use airline_e2e::load::{self, GooseConfiguration};
use airline_e2e::{DevServer, ServerOptions};

use crate::Failure;

const USAGE: &str = "cargo xtask load [goose flags] (without any: --users 20 --increase-rate 5 --run-time 30s --no-reset-metrics; --help lists goose's flags)";

/// The run when no flag is given.
const DEFAULT_FLAGS: [&str; 7] = [
    "--users",
    "20",
    "--increase-rate",
    "5",
    "--run-time",
    "30s",
    "--no-reset-metrics",
];

/// The reports written after every run, in `target/load/`.
const REPORTS: [&str; 3] = ["report.md", "report.html", "report.json"];

/// What to run: goose's configuration from the command line, or its help.
enum Load {
    Run(Box<GooseConfiguration>),
    Help,
}

impl Load {
    fn parse(args: &[String]) -> Result<Self, Failure> {
        let flags: Vec<&str> = if args.is_empty() {
            DEFAULT_FLAGS.to_vec()
        } else {
            args.iter().map(String::as_str).collect()
        };
        match load::configuration(&flags) {
            Ok(configuration) => Ok(Self::Run(Box::new(configuration))),
            Err(_) if load::asks_for_help(&flags) => Ok(Self::Help),
            Err(e) => Err(Failure::usage(&format!("{USAGE}\n{e}"))),
        }
    }
}

/// Quieter than goose's default (its report comes at the end), with the reports in
/// `out` besides any the command line asked for.
fn report_into(configuration: &mut GooseConfiguration, out: &Path) {
    configuration.quiet = configuration.quiet.saturating_add(1);
    configuration.report_file.extend(
        REPORTS
            .iter()
            .map(|name| out.join(name).to_string_lossy().into_owned()),
    );
}

pub fn run(root: &Path, args: &[String]) -> Result<(), Failure> {
    let mut configuration = match Load::parse(args)? {
        Load::Help => {
            print!("{}", load::help("cargo xtask load"));
            return Ok(());
        }
        Load::Run(configuration) => configuration,
    };
    let out = root.join("target/load");
    std::fs::create_dir_all(&out).map_err(|e| Failure::new(format!("{}: {e}", out.display())))?;
    report_into(&mut configuration, &out);

    // Against a fresh local server unless the command line names a host. The server is
    // stopped (its process group) when it is dropped, after the run.
    let server = match configuration.host {
        Some(_) => None,
        None => {
            crate::build::build(root)?;
            std::env::set_var("AIRLINE_SKIP_BUILD", "1");
            let server = DevServer::start(ServerOptions::default())
                .map_err(|e| Failure::new(format!("load: the dev server did not start: {e}")))?;
            eprintln!("load: a fresh local server at {}", server.base_url);
            configuration.host = Some(server.base_url.clone());
            Some(server)
        }
    };
    let outcome = load::run(*configuration);
    drop(server);
    outcome.map_err(|e| Failure::new(format!("load: {e}")))?;

    let report = out.join("report.md");
    let text = std::fs::read_to_string(&report)
        .map_err(|e| Failure::new(format!("{}: {e}", report.display())))?;
    print!("{text}");
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn parse(line: &str) -> Result<Load, Failure> {
        let args: Vec<String> = line.split_whitespace().map(str::to_owned).collect();
        Load::parse(&args)
    }

    fn configuration(line: &str) -> GooseConfiguration {
        match parse(line).unwrap() {
            Load::Run(configuration) => *configuration,
            Load::Help => panic!("{line}: help"),
        }
    }

    #[test]
    fn no_flags_is_a_bounded_run_that_counts_the_sign_ups() {
        let defaults = configuration("");
        assert_eq!(defaults.users, Some(20));
        assert_eq!(defaults.increase_rate.as_deref(), Some("5"));
        assert_eq!(defaults.run_time.as_deref(), Some("30s"));
        assert!(defaults.no_reset_metrics);
        assert_eq!(defaults.host, None);
    }

    #[test]
    fn flags_are_goose_s_and_replace_the_defaults() {
        let given = configuration("--host https://staging.example --users 4 --run-time 10s");
        assert_eq!(given.host.as_deref(), Some("https://staging.example"));
        assert_eq!(given.users, Some(4));
        assert_eq!(given.increase_rate, None);
        assert!(!given.no_reset_metrics);
    }

    #[test]
    fn unknown_flags_and_bad_values_are_usage_errors_and_help_is_not() {
        for line in ["--userz 4", "--users four", "--host"] {
            let failure = parse(line)
                .err()
                .unwrap_or_else(|| panic!("{line}: accepted"));
            assert!(failure.usage, "{line}: {failure}");
        }
        assert!(matches!(parse("--help").unwrap(), Load::Help));
        assert!(matches!(parse("--users 4 -h").unwrap(), Load::Help));
    }

    #[test]
    fn the_reports_go_to_the_folder_besides_any_asked_for_and_goose_says_less() {
        let mut given = configuration("--report-file mine.json -q");
        report_into(&mut given, Path::new("/r/target/load"));
        assert_eq!(
            given.report_file,
            [
                "mine.json",
                "/r/target/load/report.md",
                "/r/target/load/report.html",
                "/r/target/load/report.json"
            ]
        );
        assert_eq!(given.quiet, 2);
    }
}
