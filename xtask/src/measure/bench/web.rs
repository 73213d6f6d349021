//! `cargo xtask bench web`: the web app as built (the Worker's build and the assets
//! folder; it builds neither): the first-load transfer size of `/` against the budget,
//! and Lighthouse's mobile scores of `/` and of a results page. `BENCH_RESULTS_PATH`
//! overrides that page (default `/flights?from=LHR&to=JFK&date=<seed + 7 days>&passengers=1`).
//! Lighthouse's reports: `target/bench/lighthouse-*.json`.
//!
//! The server is the end-to-end harness's `serve-e2e`, as the browser tests get it; the
//! numbers come from `scripts/bench-web.mjs` (Lighthouse is node). Everything started is
//! stopped by its pid when the run ends, fails or is interrupted: Lighthouse with SIGINT
//! (it closes its Chromium), the server by closing its stdin and SIGTERM (it stops its
//! dev server's process group).

use std::io::BufRead as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use chrono::NaiveDate;

use crate::measure::running::{self, Running, Stop};
use crate::process::Cmd;
use crate::wrangler_config::WranglerConfig;
use crate::{web_build, Failure};

/// How long the server may take to say it is ready (it migrates and seeds first).
const READY_TIMEOUT: Duration = Duration::from_secs(180);
/// serve-e2e gives wrangler 10 s to stop before it kills its group.
const SERVER_GRACE: Duration = Duration::from_secs(15);
const LIGHTHOUSE_GRACE: Duration = Duration::from_secs(10);
const CHROMIUM: &str = "/usr/bin/chromium";

pub fn run(root: &Path) -> Result<(), Failure> {
    running::catch_signals();
    let config = WranglerConfig::load(root)?;
    let missing = missing_builds(
        root.join(&config.main).is_file(),
        web_build::built(root, &config),
    );
    if !missing.is_empty() {
        return Err(Failure::new(format!(
            "bench web measures what is built; build first: {}",
            missing.join(", ")
        )));
    }
    let serve_e2e = build_server(root)?;
    running::check_interrupted()?;

    let mut command = Command::new(&serve_e2e);
    command
        .current_dir(root)
        // Measure what is built: the build wrangler runs at start does nothing.
        .env("AIRLINE_SKIP_BUILD", "1")
        // Its stdin is this task's pipe: if this process dies, the server stops too.
        .stdin(Stdio::piped())
        .stdout(Stdio::piped());
    let mut server = Running::start(
        "the dev server (serve-e2e)",
        &mut command,
        Stop::Terminate,
        SERVER_GRACE,
    )?;
    let lines = read_lines(&mut server)?;
    let ready = wait_until_ready(&mut server, &lines)?;

    let results = std::env::var("BENCH_RESULTS_PATH")
        .ok()
        .filter(|path| !path.is_empty())
        .map_or_else(|| results_path(ready.seed_start), Ok)?;
    println!();
    Cmd::new("node", root)
        .args(["scripts/bench-web.mjs", "sizes", &ready.base_url])
        .run()?;
    running::check_interrupted()?;

    let out = root.join("target/bench");
    std::fs::create_dir_all(&out).map_err(|e| Failure::new(format!("{}: {e}", out.display())))?;
    let mut reports = Vec::new();
    let mut failed = Vec::new();
    for (label, path) in [("home", "/"), ("results", results.as_str())] {
        let url = format!("{}{path}", ready.base_url);
        println!("\nlighthouse: {url}");
        let report = out.join(format!("lighthouse-{label}.json"));
        let _ = std::fs::remove_file(&report);
        let mut lighthouse = Running::start(
            "Lighthouse",
            &mut lighthouse_command(root, &url, &report),
            Stop::Interrupt,
            LIGHTHOUSE_GRACE,
        )?;
        let status = lighthouse.wait()?;
        if status.success() {
            reports.push(format!("{label}={}", report.display()));
        } else {
            eprintln!("bench web: lighthouse failed on {path} ({status})");
            failed.push(path.to_owned());
        }
    }
    println!();
    if !reports.is_empty() {
        Cmd::new("node", root)
            .args(["scripts/bench-web.mjs", "scores"])
            .args(&reports)
            .run()?;
    }
    drop(server);
    if failed.is_empty() {
        Ok(())
    } else {
        Err(Failure::new(format!(
            "bench web: lighthouse failed on {}",
            failed.join(" and ")
        )))
    }
}

/// What has to be built before the web can be measured, in words.
fn missing_builds(worker_built: bool, web_built: bool) -> Vec<&'static str> {
    let mut missing = Vec::new();
    if !worker_built {
        missing.push("the Worker (cargo xtask build)");
    }
    if !web_built {
        missing.push("the web app (cargo xtask build-web)");
    }
    missing
}

/// Builds the harness's `serve-e2e` (debug, as the browser tests use it) and returns
/// where cargo put it.
fn build_server(root: &Path) -> Result<PathBuf, Failure> {
    let messages = Cmd::new("cargo", root)
        .args([
            "build",
            "--quiet",
            "-p",
            "airline-e2e",
            "--bin",
            "serve-e2e",
            "--message-format=json",
        ])
        .stdout()?;
    executable(&messages, "serve-e2e")
        .ok_or_else(|| Failure::new("cargo built serve-e2e but named no executable"))
}

/// The executable of the binary target `name` among cargo's JSON messages.
fn executable(messages: &str, name: &str) -> Option<PathBuf> {
    messages
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|message| {
            message["reason"] == "compiler-artifact" && message["target"]["name"] == name
        })
        .find_map(|message| message["executable"].as_str().map(PathBuf::from))
}

/// The server's stdout, line by line, from a thread of its own (the wait for it can then
/// also watch the clock, the process and the signals).
fn read_lines(server: &mut Running) -> Result<Receiver<String>, Failure> {
    let stdout = server
        .take_stdout()
        .ok_or_else(|| Failure::new("the dev server's stdout is not a pipe"))?;
    let (lines, received) = mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    Ok(received)
}

/// What serve-e2e says once its server answers.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Ready {
    base_url: String,
    seed_start: NaiveDate,
}

/// One line of serve-e2e's stdout.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Said {
    Ready(String),
    SeedStart(NaiveDate),
    Other,
}

impl Said {
    fn parse(line: &str) -> Self {
        match line.trim_end().split_once(' ') {
            Some(("READY", url)) if url.starts_with("http") => Self::Ready(url.to_owned()),
            Some(("SEED_START", date)) => {
                NaiveDate::parse_from_str(date, "%Y-%m-%d").map_or(Self::Other, Self::SeedStart)
            }
            _ => Self::Other,
        }
    }
}

/// Waits for the server's `READY <url>` and `SEED_START <date>` lines.
fn wait_until_ready(server: &mut Running, lines: &Receiver<String>) -> Result<Ready, Failure> {
    let deadline = Instant::now() + READY_TIMEOUT;
    let (mut base_url, mut seed_start) = (None, None);
    loop {
        running::check_interrupted()?;
        match lines.recv_timeout(Duration::from_millis(200)) {
            Ok(line) => match Said::parse(&line) {
                Said::Ready(url) => base_url = Some(url),
                Said::SeedStart(date) => seed_start = Some(date),
                Said::Other => {}
            },
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => {
                let status = server.wait()?;
                return Err(Failure::new(format!(
                    "{} stopped before it was ready ({status}; see above)",
                    server.name()
                )));
            }
        }
        if let (Some(base_url), Some(seed_start)) = (&base_url, seed_start) {
            return Ok(Ready {
                base_url: base_url.clone(),
                seed_start,
            });
        }
        if Instant::now() > deadline {
            return Err(Failure::new(format!(
                "{} was not ready after {READY_TIMEOUT:?}",
                server.name()
            )));
        }
    }
}

/// The results page Lighthouse measures: a seeded route a week after the seed's first day.
fn results_path(seed_start: NaiveDate) -> Result<String, Failure> {
    let date = seed_start
        .checked_add_days(chrono::Days::new(7))
        .ok_or_else(|| Failure::new(format!("no date a week after {seed_start}")))?;
    Ok(format!(
        "/flights?from=LHR&to=JFK&date={}&passengers=1",
        date.format("%Y-%m-%d")
    ))
}

/// Lighthouse (mobile, the three categories the targets name) on the system Chromium,
/// writing its JSON report to `report`.
fn lighthouse_command(root: &Path, url: &str, report: &Path) -> Command {
    let mut command = Command::new(root.join("node_modules/.bin/lighthouse"));
    command
        .current_dir(root)
        .env("CHROME_PATH", CHROMIUM)
        .stdin(Stdio::null())
        .arg(url)
        .args(lighthouse_args(report));
    command
}

fn lighthouse_args(report: &Path) -> Vec<String> {
    vec![
        "--quiet".into(),
        "--only-categories=performance,accessibility,best-practices".into(),
        "--disable-full-page-screenshot".into(),
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage".into(),
        "--output=json".into(),
        format!("--output-path={}", report.display()),
    ]
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_server_says_where_it_is_and_the_seed_s_first_day() {
        assert_eq!(
            Said::parse("READY http://127.0.0.1:40123\n"),
            Said::Ready("http://127.0.0.1:40123".into())
        );
        assert_eq!(
            Said::parse("SEED_START 2026-12-08"),
            Said::SeedStart(day("2026-12-08"))
        );
        assert_eq!(Said::parse("SEED_START tomorrow"), Said::Other);
        assert_eq!(Said::parse("READY"), Said::Other);
        assert_eq!(Said::parse("serve-e2e: dev server ready"), Said::Other);
    }

    #[test]
    fn the_results_page_is_a_week_after_the_seed_starts() {
        assert_eq!(
            results_path(day("2026-12-28")).unwrap(),
            "/flights?from=LHR&to=JFK&date=2027-01-04&passengers=1"
        );
    }

    #[test]
    fn what_is_missing_is_named_with_the_command_that_builds_it() {
        assert!(missing_builds(true, true).is_empty());
        assert_eq!(
            missing_builds(false, true),
            ["the Worker (cargo xtask build)"]
        );
        assert_eq!(missing_builds(false, false).len(), 2);
    }

    #[test]
    fn cargo_s_messages_name_the_executable() {
        let messages = r#"{"reason":"compiler-artifact","target":{"name":"airline-e2e"},"executable":null}
{"reason":"compiler-artifact","target":{"name":"serve-e2e"},"executable":"/r/target/debug/serve-e2e"}
{"reason":"build-finished","success":true}"#;
        assert_eq!(
            executable(messages, "serve-e2e"),
            Some(PathBuf::from("/r/target/debug/serve-e2e"))
        );
        assert_eq!(executable(messages, "smoke"), None);
    }

    #[test]
    fn lighthouse_runs_headless_and_writes_json_where_asked() {
        let args = lighthouse_args(Path::new("/r/target/bench/lighthouse-home.json"));
        assert!(args.contains(&"--output=json".to_owned()));
        assert!(args.contains(&"--output-path=/r/target/bench/lighthouse-home.json".to_owned()));
        assert!(args
            .iter()
            .any(|a| a.starts_with("--chrome-flags=--headless=new ")));
    }
}
