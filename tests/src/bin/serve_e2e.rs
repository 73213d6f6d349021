//! `serve-e2e [--var NAME:VALUE]... [--seed-days N] [--log-tail FILE]`: one fresh dev
//! server, exactly as the end-to-end suites get it (migrated and seeded local D1 in a
//! temporary `--persist-to`, a free port, the test signing key), for test runners in other
//! languages: the Playwright browser tests and `scripts/bench.sh web`.
//!
//! Prints `READY <base url>` and `SEED_START <YYYY-MM-DD>` on stdout once the server answers,
//! then serves until its stdin reaches end of file (the parent closed it, or died) or it gets
//! SIGTERM, SIGINT or SIGHUP, and stops the server's whole process group before exiting. If
//! this process is killed outright, the harness's parent-death signal stops wrangler.
//! Run by hand in a terminal, Ctrl-C or Ctrl-D stops it; with stdin from `/dev/null` it
//! stops as soon as it is ready. `--log-tail FILE` keeps the end of wrangler's log there
//! when it stops (the log itself goes with the temporary state); `AIRLINE_E2E_LOG_LEVEL=debug`
//! makes it say more.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write as _;
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Instant;

use airline_e2e::signals::{block_stop_signals, wait_for_signal};
use airline_e2e::{DevServer, ServerOptions};

const USAGE: &str = "usage: serve-e2e [--var NAME:VALUE]... [--seed-days N] [--log-tail FILE]";

struct Args {
    options: ServerOptions,
    log_tail: Option<PathBuf>,
}

/// Why the server is being stopped.
enum Stop {
    StdinClosed,
    Signal(libc::c_int),
}

fn main() {
    let Args { options, log_tail } = parse_args().unwrap_or_else(|e| {
        eprintln!("serve-e2e: {e}\n{USAGE}");
        std::process::exit(2);
    });

    let (stop_tx, stop_rx) = mpsc::channel();
    // Before any other thread exists, so every thread inherits the mask and the signals
    // wait for the one thread that takes them with sigwait (no async handler). Children
    // start with a clear mask (std resets it), so wrangler still gets its signals.
    let signals = block_stop_signals();
    let signal_tx = stop_tx.clone();
    std::thread::spawn(move || {
        if let Some(signal) = wait_for_signal(&signals) {
            let _ = signal_tx.send(Stop::Signal(signal));
        }
    });
    std::thread::spawn(move || {
        // Whatever the parent writes is ignored; only the end of the stream matters.
        let _ = std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink());
        let _ = stop_tx.send(Stop::StdinClosed);
    });

    // On this (main) thread: the harness asks for wrangler's parent-death signal, which the
    // kernel sends when the *thread* that spawned it ends.
    let started = Instant::now();
    let server = DevServer::start(options).unwrap_or_else(|e| {
        eprintln!("serve-e2e: could not start the dev server: {e}");
        std::process::exit(1);
    });
    eprintln!(
        "serve-e2e: dev server ready (migrated, seeded) at {} in {:.1}s",
        server.base_url,
        started.elapsed().as_secs_f64()
    );
    let mut stdout = std::io::stdout().lock();
    // The parent may already be gone (then stdin is closed too, and we stop below).
    let _ = writeln!(stdout, "READY {}", server.base_url);
    let _ = writeln!(stdout, "SEED_START {}", server.seed_start);
    let _ = stdout.flush();
    drop(stdout);

    let reason = match stop_rx.recv() {
        Ok(Stop::StdinClosed) | Err(_) => "stdin closed".to_owned(),
        Ok(Stop::Signal(signal)) => format!("signal {signal}"),
    };
    eprintln!("serve-e2e: stopping the dev server ({reason})");
    server.stop();
    if let Some(path) = log_tail {
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        if let Err(e) = std::fs::write(&path, server.log_tail() + "\n") {
            eprintln!("serve-e2e: could not write {}: {e}", path.display());
        }
    }
}

fn parse_args() -> Result<Args, String> {
    let mut options = ServerOptions::default();
    let mut log_tail = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--var" => {
                let setting = args.next().ok_or("--var takes NAME:VALUE")?;
                let (name, value) = setting
                    .split_once(':')
                    .ok_or_else(|| format!("--var {setting}: expected NAME:VALUE"))?;
                // A later setting of the same name wins, as it would for wrangler.
                options.vars.retain(|(existing, _)| existing != name);
                options.vars.push((name.to_owned(), value.to_owned()));
            }
            "--seed-days" => {
                options.seed_days = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .ok_or("--seed-days takes a number of days")?;
            }
            "--log-tail" => {
                log_tail = Some(PathBuf::from(args.next().ok_or("--log-tail takes a file")?));
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unexpected argument {other:?}")),
        }
    }
    Ok(Args { options, log_tail })
}
