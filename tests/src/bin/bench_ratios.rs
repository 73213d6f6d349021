//! `bench-ratios`: the airline against the raw platform baseline (`tests/baseline/`: plain
//! JavaScript, the same D1 schema and seed), in one run, on one machine, from one client,
//! so what it prints are ratios that survive a noisy machine. Both servers run at once;
//! the sequential measurements alternate between them request by request, the bursts run
//! one after the other. Prints a table; asserts nothing but that each measurement could be
//! taken (a burst that sells more seats than the flight has is reported, loudly).
//!
//! Options: `--searches N` (300), `--bookings N` (100), `--burst N` (1000 attempts on one
//! 150-seat flight), `--spread N` (1000 bookings over 100 flights), `--runtime miniflare`
//! (serve both through Miniflare directly instead of `wrangler dev`: the same workerd
//! without wrangler in front and its DevTools inspector attached, which forwards a report
//! of every D1 query and object call to node; closer to what the Worker itself costs).
//!
//! Requests that the local server loses (wrangler's proxy's 503 "worker restarted
//! mid-request", a dropped or disconnected connection) are sent again with the same
//! idempotency key and counted.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Barrier;
use std::time::{Duration, Instant};

use airline_e2e::{
    workspace_root, CardBehaviour, Customer, DevServer, Runtime, ServerOptions,
    RESULTS_PAGE_SEARCH, SEEDED_ROUTES,
};
use serde_json::{json, Value};

const BOOK: &str =
    "mutation($input: BookingInput!) { processBooking(input: $input) { id status failure { code } } }";
const CAPACITY: usize = 150;

fn option(name: &str, default: usize) -> usize {
    std::env::args()
        .skip_while(|a| a != name)
        .nth(1)
        .map(|n| {
            n.parse()
                .unwrap_or_else(|_| panic!("{name} takes a number"))
        })
        .unwrap_or(default)
}

/// Requests sent again because the local proxy lost them.
static RESENDS_AIRLINE: AtomicUsize = AtomicUsize::new(0);
static RESENDS_BASELINE: AtomicUsize = AtomicUsize::new(0);

fn lost(error: &str) -> bool {
    error.starts_with("HTTP 503") || error.contains("onnection") || error.contains("disconnected")
}

/// A GraphQL call to the airline, resent with the same body while the proxy loses it.
fn airline_call(server: &DevServer, token: Option<&str>, query: &str, variables: Value) -> Value {
    for attempt in 1..=6u64 {
        match server.try_graphql_as(token, query, variables.clone()) {
            Ok(body) => return body,
            Err(e) if lost(&e) => {
                RESENDS_AIRLINE.fetch_add(1, Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(100 * attempt));
            }
            Err(e) => return json!({"error": e}),
        }
    }
    json!({"error": "lost six times"})
}

/// A request to the baseline, resent while the proxy loses it.
fn baseline_call(server: &DevServer, method: &str, path: &str) -> Value {
    for attempt in 1..=6u64 {
        match server.request(method, path, &[], b"") {
            Ok(response) if response.status == 200 => {
                return serde_json::from_str(&response.body).unwrap_or(Value::Null)
            }
            Ok(response) if response.status == 503 => {}
            Ok(response) => return json!({"error": response.status}),
            Err(e) if lost(&e) => {}
            Err(e) => return json!({"error": e}),
        }
        RESENDS_BASELINE.fetch_add(1, Ordering::Relaxed);
        std::thread::sleep(Duration::from_millis(100 * attempt));
    }
    json!({"error": "lost six times"})
}

fn percentile(samples: &mut [Duration], q: f64) -> f64 {
    samples.sort();
    let index = ((samples.len() as f64 * q) as usize).min(samples.len().saturating_sub(1));
    samples.get(index).map_or(0.0, |d| d.as_secs_f64() * 1e3)
}

/// One row of the table: a measure, the airline's number, the baseline's, their ratio.
struct Row {
    what: String,
    airline: f64,
    baseline: f64,
    unit: &'static str,
    /// For a rate, higher is better: the ratio is shown as a share of the baseline.
    rate: bool,
}

fn row(what: impl Into<String>, airline: f64, baseline: f64, unit: &'static str) -> Row {
    Row {
        what: what.into(),
        airline,
        baseline,
        unit,
        rate: false,
    }
}

fn rate(what: impl Into<String>, airline: f64, baseline: f64, unit: &'static str) -> Row {
    Row {
        rate: true,
        ..row(what, airline, baseline, unit)
    }
}

fn main() {
    let searches = option("--searches", 300);
    let bookings = option("--bookings", 100);
    let burst = option("--burst", 1000);
    let spread = option("--spread", 1000);
    let runtime = match std::env::args()
        .skip_while(|a| a != "--runtime")
        .nth(1)
        .as_deref()
    {
        None | Some("wrangler") => Runtime::WranglerDev,
        Some("miniflare") => Runtime::Miniflare,
        Some(other) => {
            eprintln!("--runtime takes wrangler or miniflare, not {other}");
            std::process::exit(2);
        }
    };
    let server = match runtime {
        Runtime::WranglerDev => "wrangler dev",
        Runtime::Miniflare => "Miniflare",
    };
    let mut rows = Vec::new();
    let mut notes = Vec::new();

    let started = Instant::now();
    // A burst's answers all arrive late: wait for them rather than give up.
    let patient = ServerOptions {
        client_timeout: Duration::from_secs(600),
        runtime,
        ..ServerOptions::default()
    };
    let airline = DevServer::start(patient).unwrap_or_else(|e| {
        eprintln!("the airline's server did not start: {e}");
        std::process::exit(1);
    });
    let airline_ready = started.elapsed();
    let started = Instant::now();
    let baseline = DevServer::start(ServerOptions {
        config: Some(workspace_root().join("tests/baseline/wrangler.toml")),
        client_timeout: Duration::from_secs(600),
        runtime,
        ..ServerOptions::default()
    })
    .unwrap_or_else(|e| {
        eprintln!("the baseline's server did not start: {e}");
        std::process::exit(1);
    });
    let baseline_ready = started.elapsed();
    rows.push(row(
        format!("start to ready ({server}, /healthz)"),
        airline_ready.as_secs_f64(),
        baseline_ready.as_secs_f64(),
        "s",
    ));

    // First requests after start: the isolate's cold work (instantiating the wasm).
    let date = airline.seed_start.plus_days(1).unwrap().to_string();
    let window = |date: &str| {
        let day = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap();
        let midnight = day.and_hms_opt(0, 0, 0).unwrap().and_utc();
        let text = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
        (
            text(midnight - chrono::Duration::hours(14)),
            text(midnight + chrono::Duration::hours(36)),
        )
    };
    let search_airline = |from: &str, to: &str, date: &str| {
        let started = Instant::now();
        let body = airline_call(
            &airline,
            None,
            RESULTS_PAGE_SEARCH,
            json!({"from": from, "to": to, "date": date}),
        );
        assert!(
            body["errors"].is_null() && body.get("error").is_none(),
            "{body}"
        );
        started.elapsed()
    };
    let search_baseline = |from: &str, to: &str, date: &str| {
        let (start, end) = window(date);
        let started = Instant::now();
        let body = baseline_call(
            &baseline,
            "GET",
            &format!("/search?from={from}&to={to}&start={start}&end={end}"),
        );
        assert!(body["flights"].is_array(), "{body}");
        started.elapsed()
    };
    rows.push(row(
        "first request after start (a search)",
        search_airline("LHR", "JFK", &date).as_secs_f64() * 1e3,
        search_baseline("LHR", "JFK", &date).as_secs_f64() * 1e3,
        "ms",
    ));

    // Search, alternating request by request.
    let (cpu_a, cpu_b) = (airline.cpu_time(), baseline.cpu_time());
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for i in 0..searches {
        let (from, to) = SEEDED_ROUTES[i % SEEDED_ROUTES.len()];
        let date = airline
            .seed_start
            .plus_days(1 + (i % 20) as i64)
            .unwrap()
            .to_string();
        a.push(search_airline(from, to, &date));
        b.push(search_baseline(from, to, &date));
    }
    let cpu = |server: &DevServer, before: Duration, n: usize| {
        (server.cpu_time().saturating_sub(before)).as_secs_f64() * 1e3 / n.max(1) as f64
    };
    let (search_cpu_a, search_cpu_b) = (
        cpu(&airline, cpu_a, searches),
        cpu(&baseline, cpu_b, searches),
    );
    for (q, name) in [(0.5, "p50"), (0.9, "p90"), (0.99, "p99")] {
        rows.push(row(
            format!("search {name} (vs one D1 query)"),
            percentile(&mut a, q),
            percentile(&mut b, q),
            "ms",
        ));
    }

    // Bookings, one at a time, against an empty Durable Object call.
    let admin = Customer::admin(&airline, "bench-ops");
    let customer = Customer::sign_up(&airline, "bench");
    let card = customer.card(&airline, CardBehaviour::Succeeds);
    let flights: Vec<String> = (0..bookings.div_ceil(100).max(1))
        .map(|n| admin.create_flight(&airline, &format!("EA{}", 8000 + n), 25, "B738", 186))
        .collect();
    let (cpu_a, cpu_b) = (airline.cpu_time(), baseline.cpu_time());
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for i in 0..bookings {
        let input = booking(
            &flights[i / 100],
            &card,
            &format!("bench-seq-{i}-{}", airline_e2e::nonce()),
        );
        let started = Instant::now();
        let answer = airline_call(
            &airline,
            Some(&customer.token),
            BOOK,
            json!({"input": input}),
        );
        a.push(started.elapsed());
        assert_eq!(
            answer["data"]["processBooking"]["status"], "CONFIRMED",
            "{answer}"
        );
        let started = Instant::now();
        baseline_call(&baseline, "POST", "/empty");
        b.push(started.elapsed());
    }
    let (booking_cpu_a, empty_cpu_b) = (
        cpu(&airline, cpu_a, bookings),
        cpu(&baseline, cpu_b, bookings),
    );
    for (q, name) in [(0.5, "p50"), (0.9, "p90")] {
        rows.push(row(
            format!("booking {name} (vs an empty object call)"),
            percentile(&mut a, q),
            percentile(&mut b, q),
            "ms",
        ));
    }

    // Contention: `burst` attempts at once on one 150-seat flight.
    let buyers: Vec<(Customer, String)> = (0..20)
        .map(|n| {
            let who = Customer::sign_up(&airline, &format!("bench-burst-{n}"));
            let card = who.card(&airline, CardBehaviour::Succeeds);
            (who, card)
        })
        .collect();
    let contended = admin.create_flight(&airline, "EA8900", 26, "B738", CAPACITY);
    let cpu_before = airline.cpu_time();
    let airline_burst = run_burst(burst, |i| {
        let (who, card) = &buyers[i % buyers.len()];
        let input = booking(
            &contended,
            card,
            &format!("bench-burst-{i}-{}", airline_e2e::nonce()),
        );
        outcome(&airline_call(
            &airline,
            Some(&who.token),
            BOOK,
            json!({"input": input}),
        ))
    });
    let burst_cpu_a = cpu(&airline, cpu_before, burst);
    let cpu_before = baseline.cpu_time();
    let baseline_burst = run_burst(burst, |_| {
        let answer = baseline_call(
            &baseline,
            "POST",
            &format!("/take?flight=contended&seats=1&capacity={CAPACITY}"),
        );
        if answer["taken"] == true {
            "CONFIRMED".to_owned()
        } else {
            "SOLD_OUT".to_owned()
        }
    });
    let burst_cpu_b = cpu(&baseline, cpu_before, burst);
    for (name, result) in [("airline", &airline_burst), ("baseline", &baseline_burst)] {
        if result.sold != CAPACITY.min(burst) {
            notes.push(format!(
                "!! {name}: {} seats sold on a {CAPACITY}-seat flight to {burst} attempts",
                result.sold
            ));
        }
    }
    rows.push(row(
        format!("{burst} attempts on one {CAPACITY}-seat flight: wall"),
        airline_burst.wall.as_secs_f64(),
        baseline_burst.wall.as_secs_f64(),
        "s",
    ));
    rows.push(rate(
        "  attempts answered per second",
        burst as f64 / airline_burst.wall.as_secs_f64(),
        burst as f64 / baseline_burst.wall.as_secs_f64(),
        "/s",
    ));
    rows.push(row(
        "  median time to an answer",
        airline_burst.median_answer.as_secs_f64(),
        baseline_burst.median_answer.as_secs_f64(),
        "s",
    ));
    rows.push(row(
        "  seats sold (must be the capacity)",
        airline_burst.sold as f64,
        baseline_burst.sold as f64,
        "",
    ));

    // Spread: `spread` attempts at once over 100 flights with room for all.
    let spread_flights: Vec<String> = (0..100)
        .map(|n| admin.create_flight(&airline, &format!("EA{}", 8100 + n), 27, "B738", 186))
        .collect();
    let airline_spread = run_burst(spread, |i| {
        let (who, card) = &buyers[i % buyers.len()];
        let flight = &spread_flights[i % spread_flights.len()];
        let input = booking(
            flight,
            card,
            &format!("bench-spread-{i}-{}", airline_e2e::nonce()),
        );
        outcome(&airline_call(
            &airline,
            Some(&who.token),
            BOOK,
            json!({"input": input}),
        ))
    });
    let baseline_spread = run_burst(spread, |i| {
        let answer = baseline_call(
            &baseline,
            "POST",
            &format!("/take?flight=spread-{}&seats=1&capacity=186", i % 100),
        );
        if answer["taken"] == true {
            "CONFIRMED".to_owned()
        } else {
            "SOLD_OUT".to_owned()
        }
    });
    rows.push(rate(
        format!("{spread} bookings over 100 flights: confirmed per second"),
        airline_spread.sold as f64 / airline_spread.wall.as_secs_f64(),
        baseline_spread.sold as f64 / baseline_spread.wall.as_secs_f64(),
        "/s",
    ));
    // The read model (D1) follows the bookings' objects through a queue: how long after
    // the last answer it shows every confirmed booking of the burst.
    let listed = spread_flights
        .iter()
        .map(|f| format!("'{f}'"))
        .collect::<Vec<_>>()
        .join(",");
    let caught_up = Instant::now();
    loop {
        let rows = airline
            .d1(&format!(
                "SELECT count(DISTINCT b.id) AS n FROM booking_flights bf JOIN bookings b ON b.id = bf.booking_id
                 WHERE bf.flight_id IN ({listed}) AND b.status = 'CONFIRMED'"
            ))
            .unwrap_or_default();
        let shown = rows.first().and_then(|r| r["n"].as_u64()).unwrap_or(0) as usize;
        if shown >= airline_spread.sold || caught_up.elapsed() > Duration::from_secs(120) {
            notes.push(format!(
                "read model: showed {shown} of the spread's {} confirmed bookings {:.1} s after the last answer",
                airline_spread.sold,
                caught_up.elapsed().as_secs_f64()
            ));
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }

    rows.push(row(
        "server CPU per search",
        search_cpu_a,
        search_cpu_b,
        "ms",
    ));
    rows.push(row(
        "server CPU per booking (vs an empty object call)",
        booking_cpu_a,
        empty_cpu_b,
        "ms",
    ));
    rows.push(row(
        "server CPU per contended attempt (vs the seat object)",
        burst_cpu_a,
        burst_cpu_b,
        "ms",
    ));

    let (raw, gzip) = bundle_size();
    notes.push(format!(
        "bundle (workers/airline-worker/build, wasm + js): {raw:.0} KiB raw, {gzip:.0} KiB gzip"
    ));
    notes.push(format!(
        "requests resent after the local server lost them: airline {}, baseline {}",
        RESENDS_AIRLINE.load(Ordering::Relaxed),
        RESENDS_BASELINE.load(Ordering::Relaxed)
    ));
    notes.push(format!(
        "outcomes: burst {:?}; spread {:?}",
        airline_burst.outcomes, airline_spread.outcomes
    ));
    notes.push(format!(
        "server CPU is every process of each {server} (node + workerd), from /proc; confirmed bookings: sequential {bookings}, burst {}, spread {}",
        airline_burst.sold, airline_spread.sold
    ));
    airline.stop();
    baseline.stop();

    println!("\n| measure | airline | baseline | airline / baseline |\n|---|---:|---:|---:|");
    for row in &rows {
        let ratio = if row.baseline > 0.0 {
            row.airline / row.baseline
        } else {
            f64::NAN
        };
        let shown = if row.rate {
            format!("{:.0}% of baseline", ratio * 100.0)
        } else {
            format!("{ratio:.2}x")
        };
        println!(
            "| {} | {:.1} {} | {:.1} {} | {shown} |",
            row.what, row.airline, row.unit, row.baseline, row.unit
        );
    }
    println!();
    for note in notes {
        println!("{note}");
    }

    far_edge_tables(bookings.clamp(1, 5));
}

/// Where a booking's calls go, and what that costs a traveller far from the database:
/// the calls counted on a traced server, the wait modelled from them for three
/// travellers, before and after the booking's object became its system of record, and
/// the same wait measured with those round trips waited for real.
fn far_edge_tables(bookings: usize) {
    use airline_e2e::far_edge::{count_calls, measure, modelled_ms, AFTER, BEFORE, MODEL};
    let calls = count_calls(3);
    let kinds: std::collections::BTreeSet<&String> =
        calls.answer.keys().chain(calls.after.keys()).collect();
    println!("\nPlatform calls per booking (sandbox payments, one booking, traced):\n");
    println!("| call | on the answer's path | after the answer |\n|---|---:|---:|");
    for kind in kinds {
        println!(
            "| {kind} | {} | {} |",
            calls.answer.get(kind).copied().unwrap_or(0),
            calls.after.get(kind).copied().unwrap_or(0)
        );
    }
    let primary_on_path: usize = calls
        .answer
        .iter()
        .filter(|(kind, _)| kind.starts_with("d1_primary") || kind.starts_with("d1_session_write"))
        .map(|(_, n)| n)
        .sum();
    println!("\nD1 primary round trips on the answer's path: {primary_on_path} (before: 4: one read, three writes)");
    println!("\nTime to confirmation for a traveller far from D1's primary (western Europe), payment provider aside:\n");
    println!("| traveller | before, modelled | after, modelled | after, measured with the round trips waited (p50 of {bookings}) |\n|---|---:|---:|---:|");
    for location in MODEL {
        println!(
            "| {} ({} ms to the primary) | {} ms | {} ms | {:.0} ms |",
            location.name,
            location.primary_ms,
            modelled_ms(BEFORE, location),
            modelled_ms(AFTER, location),
            measure(location, bookings)
        );
    }
}

fn booking(flight: &str, card: &str, key: &str) -> Value {
    json!({
        "outboundFlightId": flight,
        "passengers": [{"firstName": "Bench", "lastName": "Traveller"}],
        "paymentToken": card,
        "idempotencyKey": key,
    })
}

struct Burst {
    wall: Duration,
    median_answer: Duration,
    sold: usize,
    /// How many attempts ended which way (CONFIRMED, a failure code, an error).
    outcomes: std::collections::BTreeMap<String, usize>,
}

/// What a processBooking answer says: its status, its failure code, or its error.
fn outcome(answer: &Value) -> String {
    let booking = &answer["data"]["processBooking"];
    if let Some(code) = booking["failure"]["code"].as_str() {
        return code.to_owned();
    }
    if let Some(status) = booking["status"].as_str() {
        return status.to_owned();
    }
    if let Some(code) = answer["errors"][0]["extensions"]["code"].as_str() {
        return code.to_owned();
    }
    let text = answer.to_string();
    text.chars().take(80).collect()
}

/// Runs `attempts` calls of `attempt` at once (one thread each, released together); how
/// long they took and how they ended (`CONFIRMED` counts as sold).
fn run_burst(attempts: usize, attempt: impl Fn(usize) -> String + Sync) -> Burst {
    let barrier = Barrier::new(attempts + 1);
    let (wall, mut answers, sold) = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..attempts)
            .map(|i| {
                let (barrier, attempt) = (&barrier, &attempt);
                std::thread::Builder::new()
                    .stack_size(256 * 1024)
                    .spawn_scoped(scope, move || {
                        barrier.wait();
                        let started = Instant::now();
                        let sold = attempt(i);
                        (started.elapsed(), sold)
                    })
                    .expect("a thread per attempt")
            })
            .collect();
        barrier.wait();
        let started = Instant::now();
        let results: Vec<(Duration, String)> =
            handles.into_iter().map(|h| h.join().unwrap()).collect();
        let wall = started.elapsed();
        let mut outcomes = std::collections::BTreeMap::new();
        for (_, outcome) in &results {
            *outcomes.entry(outcome.clone()).or_insert(0) += 1;
        }
        let answers: Vec<Duration> = results.into_iter().map(|(took, _)| took).collect();
        (wall, answers, outcomes)
    });
    answers.sort();
    Burst {
        wall,
        median_answer: answers[answers.len() / 2],
        sold: sold.get("CONFIRMED").copied().unwrap_or(0),
        outcomes: sold,
    }
}

/// The Worker's upload as built: raw and gzip KiB of its wasm and JavaScript.
fn bundle_size() -> (f64, f64) {
    let build = workspace_root().join("workers/airline-worker/build");
    let mut raw = 0u64;
    let mut gzip = 0u64;
    let mut files = vec![build.join("index.js")];
    if let Ok(entries) = std::fs::read_dir(build.join("worker")) {
        files.extend(entries.flatten().map(|e| e.path()));
    }
    if let Ok(entries) = std::fs::read_dir(&build) {
        files.extend(
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "wasm")),
        );
    }
    for file in files.iter().filter(|f| f.is_file()) {
        raw += std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
        let compressed = std::process::Command::new("gzip")
            .args(["-9", "-c"])
            .arg(file)
            .output()
            .map(|out| out.stdout.len() as u64)
            .unwrap_or(0);
        gzip += compressed;
    }
    (raw as f64 / 1024.0, gzip as f64 / 1024.0)
}
