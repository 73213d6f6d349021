//! The bench's view of the platform calls a request makes (`scripts/bench.sh`); both
//! switches are vars only the bench sets, never a deployed environment:
//!
//! - `TRACE_PLATFORM_CALLS = "on"`: each call prints one structured line,
//!   `{"event":"platform_call","kind":"d1_primary_write","request_id":"…"}`, so the bench
//!   counts them per booking, on its answer's path and after it.
//! - `FAR_EDGE_MODEL = "primary=280,flight=280,replica=12"`: each call first waits the
//!   round trip a traveller far from the database would pay for it (to D1's primary, to
//!   a flight's object, to a nearby D1 replica; in ms), so the bench measures, rather than
//!   computes, what that traveller waits.
//!
//! Off, a call costs one relaxed atomic load.

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;
use worker::Env;

use crate::bindings::FLIGHT_INVENTORY;
use crate::config::{var, FAR_EDGE_MODEL, TRACE_PLATFORM_CALLS};

static ON: AtomicBool = AtomicBool::new(false);

thread_local! {
    static MODEL: RefCell<Option<FarEdge>> = const { RefCell::new(None) };
}

/// Round trips to simulate, in ms, by what a call reaches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FarEdge {
    /// D1's primary (reads and writes to it).
    pub primary: u64,
    /// A flight's inventory object (created wherever the flight was first asked about).
    pub flight: u64,
    /// A D1 read replica near the traveller.
    pub replica: u64,
}

impl FarEdge {
    /// `primary=280,flight=280,replica=12`; `None` for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        let mut model = FarEdge::default();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, ms) = part.split_once('=')?;
            let ms: u64 = ms.trim().parse().ok().filter(|ms| *ms <= 10_000)?;
            match name.trim() {
                "primary" => model.primary = ms,
                "flight" => model.flight = ms,
                "replica" => model.replica = ms,
                _ => return None,
            }
        }
        Some(model)
    }

    /// How long a call of `kind` to `target` (a binding name, for object calls) waits.
    pub fn delay(&self, kind: CallKind, target: Option<&str>) -> u64 {
        match kind {
            CallKind::D1PrimaryRead | CallKind::D1PrimaryWrite | CallKind::D1SessionWrite => {
                self.primary
            }
            CallKind::D1SessionRead => self.replica,
            CallKind::ObjectCall if target == Some(FLIGHT_INVENTORY) => self.flight,
            _ => 0,
        }
    }
}

/// What a call reaches: D1's one primary (the round trip a far traveller pays in full),
/// D1 through a session (a read a replica near the caller may serve; a write still goes
/// to the primary), another object, a queue, or the internet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CallKind {
    D1PrimaryRead,
    D1PrimaryWrite,
    D1SessionRead,
    D1SessionWrite,
    ObjectCall,
    QueueSend,
    OutgoingHttp,
}

/// Reads the switch from the environment (at each entry point: a request, a queue batch,
/// an object's start).
pub fn configure(env: &Env) {
    let trace = var(env, TRACE_PLATFORM_CALLS).is_some_and(|v| v.trim() == "on");
    let model = var(env, FAR_EDGE_MODEL).and_then(|text| FarEdge::parse(&text));
    ON.store(trace || model.is_some(), Ordering::Relaxed);
    MODEL.with_borrow_mut(|current| *current = model);
}

#[derive(Serialize)]
struct CallLine<'a> {
    event: &'static str,
    kind: CallKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    target: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    request_id: Option<&'a str>,
}

/// One call of `kind` (to `target`, for an object: its binding), made for the request
/// `request_id` (none: after an answer, from an alarm or a queue). Await it just before
/// the call.
pub async fn call(kind: CallKind, target: Option<&str>, request_id: Option<&str>) {
    if !ON.load(Ordering::Relaxed) {
        return;
    }
    let line = CallLine {
        event: "platform_call",
        kind,
        target,
        request_id,
    };
    if let Ok(text) = serde_json::to_string(&line) {
        worker::console_log!("{text}");
    }
    let wait = MODEL.with_borrow(|model| model.map_or(0, |m| m.delay(kind, target)));
    if wait > 0 {
        worker::Delay::from(std::time::Duration::from_millis(wait)).await;
    }
}

/// Whether `sql` only reads (a SELECT, or a WITH that selects).
pub fn reads_only(sql: &str) -> bool {
    let start = sql.trim_start().get(..6).unwrap_or("").to_ascii_uppercase();
    start == "SELECT" || (start.starts_with("WITH") && !sql.to_ascii_uppercase().contains("INSERT"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_far_edge_model_reads_its_round_trips() {
        let model = FarEdge::parse("primary=280, flight=270,replica=12").unwrap();
        assert_eq!(model.delay(CallKind::D1PrimaryWrite, None), 280);
        assert_eq!(model.delay(CallKind::D1SessionWrite, None), 280);
        assert_eq!(model.delay(CallKind::D1SessionRead, None), 12);
        assert_eq!(
            model.delay(CallKind::ObjectCall, Some(FLIGHT_INVENTORY)),
            270
        );
        assert_eq!(
            model.delay(CallKind::ObjectCall, Some("BOOKING_WORKFLOW")),
            0
        );
        assert_eq!(model.delay(CallKind::QueueSend, None), 0);
        for bad in ["primary", "primary=x", "moon=3", "primary=99999"] {
            assert_eq!(FarEdge::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn statements_are_told_apart_by_what_they_do() {
        assert!(reads_only("  select 1"));
        assert!(reads_only("WITH x AS (SELECT 1) SELECT * FROM x"));
        assert!(!reads_only("INSERT INTO t VALUES (1)"));
        assert!(!reads_only("UPDATE t SET a = 1 RETURNING a"));
        assert!(!reads_only(
            "WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x"
        ));
    }
}
