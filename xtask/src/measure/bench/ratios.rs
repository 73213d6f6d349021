//! `cargo xtask bench`: the airline against the raw platform baseline (`tests/baseline/`:
//! plain JavaScript, the same D1 schema and seed), in one run, on one machine, from one
//! client, so what it prints are ratios that survive a noisy machine. Both servers run at
//! once; the sequential measurements alternate between them request by request, the
//! bursts run one after the other. Prints a table; fails only when a measurement cannot
//! be taken (a burst that sells more seats than the flight has is reported, loudly).
//!
//! Options ([`RatioOptions`]): `--searches N` (300), `--bookings N` (100), `--burst N`
//! (1000 attempts on one 150-seat flight), `--spread N` (1000 bookings over 100 flights),
//! `--runtime miniflare` (serve both through Miniflare directly instead of `wrangler dev`:
//! the same workerd without wrangler in front and its DevTools inspector attached, which
//! forwards a report of every D1 query and object call to node; closer to what the Worker
//! itself costs).
//!
//! Requests that the local server loses (wrangler's proxy's 503 "worker restarted
//! mid-request", a dropped or disconnected connection) are sent again with the same
//! idempotency key and counted.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{PoisonError, RwLock};
use std::time::{Duration, Instant};

use airline_booking::seatmap::SeatMap;
use airline_domain::{AircraftType, Cabin};
use airline_e2e::{
    workspace_root, CardBehaviour, Customer, DevServer, Runtime, ServerOptions,
    RESULTS_PAGE_SEARCH, SEEDED_ROUTES,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{json, Value};

use super::far_edge::{self, AFTER, BEFORE, MODEL};
use super::RatioOptions;
use crate::Failure;

const BOOK: &str =
    "mutation($input: BookingInput!) { processBooking(input: $input) { id status failure { code } } }";
const CAPACITY: usize = 150;
/// The contended flight's aircraft: a Boeing 737-800, whose first rows are Business.
const CONTENDED_AIRCRAFT: AircraftType = AircraftType::B738;

/// The contended flight's Business seats when `CAPACITY` are sold: a fare buys one cabin,
/// so the burst asks for Business in that share of its attempts, and both cabins sell out
/// (the raw baseline's seat object has no cabins and sells all `CAPACITY`).
fn contended_business_seats() -> usize {
    let sellable = u32::try_from(CAPACITY).unwrap_or(u32::MAX);
    SeatMap::for_flight(CONTENDED_AIRCRAFT, sellable)
        .seats()
        .filter(|seat| seat.cabin == Cabin::Business && !seat.blocked)
        .count()
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

/// The `q` quantile of `samples`, in ms.
fn percentile(samples: &mut [Duration], q: f64) -> f64 {
    samples.sort();
    let index = ((samples.len() as f64 * q) as usize).min(samples.len().saturating_sub(1));
    samples.get(index).map_or(0.0, |d| d.as_secs_f64() * 1e3)
}

/// One row of the table: a measure, the airline's number, the baseline's, their ratio.
#[derive(Debug)]
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

impl Row {
    /// The row as a line of the Markdown table.
    fn line(&self) -> String {
        let ratio = if self.baseline > 0.0 {
            self.airline / self.baseline
        } else {
            f64::NAN
        };
        let shown = if self.rate {
            format!("{:.0}% of baseline", ratio * 100.0)
        } else {
            format!("{ratio:.2}x")
        };
        format!(
            "| {} | {:.1} {} | {:.1} {} | {shown} |",
            self.what, self.airline, self.unit, self.baseline, self.unit
        )
    }
}

/// The day `days` after the seed's first, as the API takes it.
fn seed_day(server: &DevServer, days: i64) -> Result<String, Failure> {
    server
        .seed_start
        .plus_days(days)
        .map(|day| day.to_string())
        .ok_or_else(|| Failure::new(format!("no date {days} days after {}", server.seed_start)))
}

/// The baseline's search window for a day: the departures a traveller's local day can
/// hold, in UTC.
fn window(date: &str) -> Result<(String, String), Failure> {
    let day = NaiveDate::parse_from_str(date, "%Y-%m-%d")
        .map_err(|e| Failure::new(format!("{date}: {e}")))?;
    let midnight = day.and_time(chrono::NaiveTime::MIN).and_utc();
    let text = |t: DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    Ok((
        text(midnight - chrono::Duration::hours(14)),
        text(midnight + chrono::Duration::hours(36)),
    ))
}

/// Server CPU per request, in ms, since `before`.
fn cpu_per(server: &DevServer, before: Duration, requests: usize) -> f64 {
    server.cpu_time().saturating_sub(before).as_secs_f64() * 1e3 / requests.max(1) as f64
}

pub fn run(options: &RatioOptions, worker_entry: &Path) -> Result<(), Failure> {
    let RatioOptions {
        searches,
        bookings,
        burst,
        spread,
        runtime,
    } = *options;
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
    let airline = DevServer::start(patient)
        .map_err(|e| Failure::new(format!("the airline's server did not start: {e}")))?;
    let airline_ready = started.elapsed();
    let started = Instant::now();
    let baseline = DevServer::start(ServerOptions {
        config: Some(workspace_root().join("tests/baseline/wrangler.toml")),
        client_timeout: Duration::from_secs(600),
        runtime,
        ..ServerOptions::default()
    })
    .map_err(|e| Failure::new(format!("the baseline's server did not start: {e}")))?;
    let baseline_ready = started.elapsed();
    rows.push(row(
        format!("start to ready ({server}, /healthz)"),
        airline_ready.as_secs_f64(),
        baseline_ready.as_secs_f64(),
        "s",
    ));

    // First requests after start: the isolate's cold work (instantiating the wasm).
    let search_airline = |from: &str, to: &str, date: &str| {
        let started = Instant::now();
        let body = airline_call(
            &airline,
            None,
            RESULTS_PAGE_SEARCH,
            json!({"from": from, "to": to, "date": date}),
        );
        if !body["errors"].is_null() || body.get("error").is_some() {
            return Err(Failure::new(format!("the airline's search failed: {body}")));
        }
        Ok(started.elapsed())
    };
    let search_baseline = |from: &str, to: &str, date: &str| {
        let (start, end) = window(date)?;
        let started = Instant::now();
        let body = baseline_call(
            &baseline,
            "GET",
            &format!("/search?from={from}&to={to}&start={start}&end={end}"),
        );
        if !body["flights"].is_array() {
            return Err(Failure::new(format!(
                "the baseline's search failed: {body}"
            )));
        }
        Ok(started.elapsed())
    };
    let date = seed_day(&airline, 1)?;
    rows.push(row(
        "first request after start (a search)",
        search_airline("LHR", "JFK", &date)?.as_secs_f64() * 1e3,
        search_baseline("LHR", "JFK", &date)?.as_secs_f64() * 1e3,
        "ms",
    ));

    // Search, alternating request by request.
    let (cpu_a, cpu_b) = (airline.cpu_time(), baseline.cpu_time());
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for i in 0..searches {
        let (from, to) = SEEDED_ROUTES[i % SEEDED_ROUTES.len()];
        let date = seed_day(&airline, 1 + (i % 20) as i64)?;
        a.push(search_airline(from, to, &date)?);
        b.push(search_baseline(from, to, &date)?);
    }
    let (search_cpu_a, search_cpu_b) = (
        cpu_per(&airline, cpu_a, searches),
        cpu_per(&baseline, cpu_b, searches),
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
        if answer["data"]["processBooking"]["status"] != "CONFIRMED" {
            return Err(Failure::new(format!(
                "a sequential booking was not confirmed: {answer}"
            )));
        }
        let started = Instant::now();
        baseline_call(&baseline, "POST", "/empty");
        b.push(started.elapsed());
    }
    let (booking_cpu_a, empty_cpu_b) = (
        cpu_per(&airline, cpu_a, bookings),
        cpu_per(&baseline, cpu_b, bookings),
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
    let contended =
        admin.create_flight(&airline, "EA8900", 26, CONTENDED_AIRCRAFT.code(), CAPACITY);
    let business_seats = contended_business_seats();
    let cpu_before = airline.cpu_time();
    let airline_burst = run_burst(burst, |i| {
        let (who, card) = &buyers[i % buyers.len()];
        let mut input = booking(
            &contended,
            card,
            &format!("bench-burst-{i}-{}", airline_e2e::nonce()),
        );
        if i % CAPACITY < business_seats {
            input["outboundCabin"] = json!(Cabin::Business.as_str());
        }
        outcome(&airline_call(
            &airline,
            Some(&who.token),
            BOOK,
            json!({"input": input}),
        ))
    })?;
    let burst_cpu_a = cpu_per(&airline, cpu_before, burst);
    let cpu_before = baseline.cpu_time();
    let baseline_burst = run_burst(burst, |_| {
        taken(&baseline_call(
            &baseline,
            "POST",
            &format!("/take?flight=contended&seats=1&capacity={CAPACITY}"),
        ))
    })?;
    let burst_cpu_b = cpu_per(&baseline, cpu_before, burst);
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
    })?;
    let baseline_spread = run_burst(spread, |i| {
        taken(&baseline_call(
            &baseline,
            "POST",
            &format!("/take?flight=spread-{}&seats=1&capacity=186", i % 100),
        ))
    })?;
    rows.push(rate(
        format!("{spread} bookings over 100 flights: confirmed per second"),
        airline_spread.sold as f64 / airline_spread.wall.as_secs_f64(),
        baseline_spread.sold as f64 / baseline_spread.wall.as_secs_f64(),
        "/s",
    ));
    notes.push(read_model_catch_up(
        &airline,
        &spread_flights,
        airline_spread.sold,
    ));

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

    let bundle = Bundle::of(worker_entry);
    notes.push(format!(
        "bundle ({}, wasm + js): {:.0} KiB raw, {:.0} KiB gzip",
        bundle.folder, bundle.raw_kib, bundle.gzip_kib
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
        println!("{}", row.line());
    }
    println!();
    for note in notes {
        println!("{note}");
    }

    far_edge_tables(bookings.clamp(1, 5))
}

/// The read model (D1) follows the bookings' objects through a queue: how long after the
/// last answer it shows every confirmed booking of the spread.
fn read_model_catch_up(airline: &DevServer, flights: &[String], sold: usize) -> String {
    let listed = flights
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
        if shown >= sold || caught_up.elapsed() > Duration::from_secs(120) {
            return format!(
                "read model: showed {shown} of the spread's {sold} confirmed bookings {:.1} s after the last answer",
                caught_up.elapsed().as_secs_f64()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Where a booking's calls go, and what that costs a traveller far from the database:
/// the calls counted on a traced server, the wait modelled from them for three
/// travellers, before and after the booking's object became its system of record, and
/// the same wait measured with those round trips waited for real.
fn far_edge_tables(bookings: usize) -> Result<(), Failure> {
    let calls = far_edge::count_calls(3)?;
    println!("\nPlatform calls per booking (sandbox payments, one booking, traced):\n");
    println!("| call | on the answer's path | after the answer |\n|---|---:|---:|");
    for (kind, answer, after) in calls.table() {
        println!("| {kind} | {answer} | {after} |");
    }
    println!(
        "\nD1 primary round trips on the answer's path: {} (before: 4: one read, three writes)",
        calls.primary_on_path()
    );
    println!("\nTime to confirmation for a traveller far from D1's primary (western Europe), payment provider aside:\n");
    println!("| traveller | before, modelled | after, modelled | after, measured with the round trips waited (p50 of {bookings}) |\n|---|---:|---:|---:|");
    for location in MODEL {
        println!(
            "| {} ({} ms to the primary) | {} ms | {} ms | {:.0} ms |",
            location.name,
            location.primary_ms,
            far_edge::modelled_ms(BEFORE, location),
            far_edge::modelled_ms(AFTER, location),
            far_edge::measure(location, bookings)?
        );
    }
    Ok(())
}

fn booking(flight: &str, card: &str, key: &str) -> Value {
    json!({
        "outboundFlightId": flight,
        "passengers": [{"firstName": "Bench", "lastName": "Traveller"}],
        "paymentToken": card,
        "idempotencyKey": key,
    })
}

/// How a burst went.
#[derive(Debug)]
struct Burst {
    wall: Duration,
    median_answer: Duration,
    sold: usize,
    /// How many attempts ended which way (CONFIRMED, a failure code, an error).
    outcomes: BTreeMap<String, usize>,
}

impl Burst {
    /// From how long the whole burst took and each attempt's time and outcome.
    fn of(wall: Duration, results: Vec<(Duration, String)>) -> Self {
        let mut outcomes = BTreeMap::new();
        let mut answers = Vec::with_capacity(results.len());
        for (took, outcome) in results {
            *outcomes.entry(outcome).or_insert(0) += 1;
            answers.push(took);
        }
        answers.sort();
        Burst {
            wall,
            median_answer: answers.get(answers.len() / 2).copied().unwrap_or_default(),
            sold: outcomes.get("CONFIRMED").copied().unwrap_or(0),
            outcomes,
        }
    }
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
    answer.to_string().chars().take(80).collect()
}

/// What the baseline's seat object answered, in the airline's words.
fn taken(answer: &Value) -> String {
    if answer["taken"] == true {
        "CONFIRMED".to_owned()
    } else {
        "SOLD_OUT".to_owned()
    }
}

/// Runs `attempts` calls of `attempt` at once (one thread each, released together once
/// all have started); how long they took and how they ended (`CONFIRMED` counts as sold).
fn run_burst(attempts: usize, attempt: impl Fn(usize) -> String + Sync) -> Result<Burst, Failure> {
    let gate = RwLock::new(());
    let arrived = AtomicUsize::new(0);
    let cancelled = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let closed = gate.write().unwrap_or_else(PoisonError::into_inner);
        let mut handles = Vec::with_capacity(attempts);
        let mut could_not_start = None;
        for i in 0..attempts {
            let (gate, arrived, cancelled, attempt) = (&gate, &arrived, &cancelled, &attempt);
            let spawned = std::thread::Builder::new()
                .stack_size(256 * 1024)
                .spawn_scoped(scope, move || {
                    arrived.fetch_add(1, Ordering::SeqCst);
                    drop(gate.read().unwrap_or_else(PoisonError::into_inner));
                    if cancelled.load(Ordering::SeqCst) {
                        return None;
                    }
                    let started = Instant::now();
                    let outcome = attempt(i);
                    Some((started.elapsed(), outcome))
                });
            match spawned {
                Ok(handle) => handles.push(handle),
                Err(e) => {
                    could_not_start = Some(e);
                    break;
                }
            }
        }
        if let Some(e) = could_not_start {
            // Release the threads started, to do nothing.
            cancelled.store(true, Ordering::SeqCst);
            drop(closed);
            return Err(Failure::new(format!(
                "could not start a thread for each of {attempts} attempts: {e}"
            )));
        }
        while arrived.load(Ordering::SeqCst) < attempts {
            std::thread::sleep(Duration::from_millis(1));
        }
        drop(closed);
        let started = Instant::now();
        let mut results = Vec::with_capacity(attempts);
        for handle in handles {
            match handle.join() {
                Ok(Some(result)) => results.push(result),
                Ok(None) | Err(_) => {
                    return Err(Failure::new("an attempt of the burst panicked"));
                }
            }
        }
        Ok(Burst::of(started.elapsed(), results))
    })
}

/// The Worker's upload as built: raw and gzip KiB of its wasm and JavaScript (the entry
/// point, the files in its folder's `worker/`, and the `.wasm` files beside it).
struct Bundle {
    folder: String,
    raw_kib: f64,
    gzip_kib: f64,
}

impl Bundle {
    fn of(entry: &Path) -> Self {
        let folder = entry.parent().unwrap_or(entry);
        let mut files = vec![entry.to_path_buf()];
        if let Ok(entries) = std::fs::read_dir(folder.join("worker")) {
            files.extend(entries.flatten().map(|e| e.path()));
        }
        if let Ok(entries) = std::fs::read_dir(folder) {
            files.extend(
                entries
                    .flatten()
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|x| x == "wasm")),
            );
        }
        let (mut raw, mut gzip) = (0u64, 0u64);
        for file in files.iter().filter(|f| f.is_file()) {
            raw += std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
            gzip += std::process::Command::new("gzip")
                .args(["-9", "-c"])
                .arg(file)
                .output()
                .map(|out| out.stdout.len() as u64)
                .unwrap_or(0);
        }
        let shown = folder
            .strip_prefix(workspace_root())
            .unwrap_or(folder)
            .display()
            .to_string();
        Self {
            folder: shown,
            raw_kib: raw as f64 / 1024.0,
            gzip_kib: gzip as f64 / 1024.0,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn a_ratio_is_shown_as_times_and_a_rate_as_a_share_of_the_baseline() {
        assert_eq!(
            row("search p50", 12.0, 4.0, "ms").line(),
            "| search p50 | 12.0 ms | 4.0 ms | 3.00x |"
        );
        assert_eq!(
            rate("per second", 50.0, 200.0, "/s").line(),
            "| per second | 50.0 /s | 200.0 /s | 25% of baseline |"
        );
        assert!(row("x", 1.0, 0.0, "").line().ends_with("| NaNx |"));
    }

    #[test]
    fn a_burst_counts_confirmations_as_sold_and_takes_the_median_answer() {
        let ms = Duration::from_millis;
        let burst = Burst::of(
            ms(900),
            vec![
                (ms(300), "CONFIRMED".into()),
                (ms(100), "SOLD_OUT".into()),
                (ms(200), "CONFIRMED".into()),
            ],
        );
        assert_eq!(burst.sold, 2);
        assert_eq!(burst.median_answer, ms(200));
        assert_eq!(burst.outcomes["SOLD_OUT"], 1);
        assert_eq!(Burst::of(ms(1), Vec::new()).median_answer, Duration::ZERO);
    }

    #[test]
    fn an_answer_is_named_by_its_failure_then_its_status_then_its_error() {
        let failed = json!({"data": {"processBooking": {"status": "FAILED", "failure": {"code": "SOLD_OUT"}}}});
        assert_eq!(outcome(&failed), "SOLD_OUT");
        let confirmed =
            json!({"data": {"processBooking": {"status": "CONFIRMED", "failure": null}}});
        assert_eq!(outcome(&confirmed), "CONFIRMED");
        let refused = json!({"errors": [{"extensions": {"code": "UNAUTHENTICATED"}}]});
        assert_eq!(outcome(&refused), "UNAUTHENTICATED");
        assert_eq!(outcome(&json!({"error": "lost"})), r#"{"error":"lost"}"#);
        assert_eq!(taken(&json!({"taken": true})), "CONFIRMED");
        assert_eq!(taken(&json!({"taken": false})), "SOLD_OUT");
    }

    #[test]
    fn the_baseline_searches_the_departures_a_local_day_can_hold() {
        assert_eq!(
            window("2026-12-08").unwrap(),
            (
                "2026-12-07T10:00:00Z".to_owned(),
                "2026-12-09T12:00:00Z".to_owned()
            )
        );
        assert!(window("8 December").is_err());
    }

    #[test]
    fn percentiles_are_taken_from_the_sorted_samples() {
        let mut samples: Vec<Duration> = (1..=10).rev().map(Duration::from_millis).collect();
        assert_eq!(percentile(&mut samples, 0.5), 6.0);
        assert_eq!(percentile(&mut samples, 0.99), 10.0);
        assert_eq!(percentile(&mut [], 0.5), 0.0);
    }
}
