//! The scheduled reconciliation run (a Cron Trigger in wrangler.toml; locally
//! `/__scheduled` with `wrangler dev --test-scheduled`): resends booking events the
//! ledger lacks, brings D1's seat counts back to the inventory objects', drives stalled
//! sagas on, writes again from the bookings' own objects any copy the read model lacks,
//! registers references from before references had their own objects, and raises
//! payments that do not match their booking. Each run stores its report for admins
//! (GraphQL `reconciliationRuns`).
//!
//! What counts as wrong is decided in `airline_booking::reconcile` and in the queries of
//! `airline_platform::sql::reconciliation`; this module only runs them.

use airline_booking::protocol::{
    FlightSetup, InventoryReply, InventoryRequest, ReferenceReply, ReferenceRequest, WorkflowReply,
    WorkflowRequest,
};
use airline_booking::reconcile::{
    payment_problem, settled_before, PaymentMismatch, Report, SeatRepair, BATCH, DEFAULT_GRACE,
};
use airline_domain::{utc_text, BookingId, FlightId};
use airline_graphql::{disruption, LoyaltyStore, StoreError};
use airline_loyalty::expiry::{expiry_entry, DEFAULT_INACTIVITY};
use airline_platform::bindings::{
    BOOKING_WORKFLOW, DATABASE, FLIGHT_INVENTORY, REFERENCE_REGISTRY,
};
use airline_platform::config::{number_in, POINTS_EXPIRE_AFTER_DAYS, RECONCILE_GRACE_SECONDS};
use airline_platform::{call_object, sql};
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;
use std::sync::Arc;
use worker::{console_error, console_log, Env, Result};

use crate::booking_service::EdgeBookings;
use crate::d1::{parse_utc, D1Store};
use crate::loyalty::{write_entry, EdgeLoyalty};
use crate::notification_delivery::{EdgeNotifications, NotificationRow};
use crate::projection;

/// Runs every check once and stores the report.
pub async fn run(env: &Env) -> Result<Report> {
    let started = Utc::now();
    let store = Arc::new(D1Store::new(env.d1(DATABASE)?, "reconcile"));
    let grace = Duration::seconds(number_in(
        env,
        RECONCILE_GRACE_SECONDS,
        DEFAULT_GRACE.num_seconds(),
        0..=86_400,
    ));
    let settled = settled_before(started, grace);
    let mut report = Report::default();

    resend_unapplied_events(env, &store, settled, &mut report).await;
    repair_seat_counts(env, &store, started, &mut report).await;
    resume_stalled_sagas(env, &store, settled, &mut report).await;
    repair_bookings_the_read_model_lacks(env, &store, started, &mut report).await;
    register_legacy_references(env, &store, &mut report).await;
    cancel_bookings_left_on_cancelled_flights(env, &store, started, &mut report).await;
    resend_undelivered_notifications(env, &store, settled, &mut report).await;
    expire_unused_points(env, &store, started, &mut report).await;
    check_payments(&store, settled, &mut report).await;

    let finished = Utc::now();
    let json = serde_json::to_string(&report)?;
    store
        .execute(
            "store reconciliation report",
            sql::reconciliation::INSERT_RUN,
            &[
                utc_text(started).into(),
                utc_text(finished).into(),
                json.as_str().into(),
            ],
        )
        .await
        .map_err(|e| worker::Error::RustError(e.to_string()))?;
    if report.is_clean() {
        console_log!("reconcile: nothing to repair");
    } else {
        console_log!("reconcile: {json}");
    }
    Ok(report)
}

fn note(report: &mut Report, error: StoreError) {
    console_error!("reconcile: {error}");
    report.errors.push(error.to_string());
}

#[derive(Deserialize)]
struct OutboxRow {
    event_id: String,
    body: String,
}

async fn resend_unapplied_events(
    env: &Env,
    store: &Arc<D1Store>,
    settled: DateTime<Utc>,
    report: &mut Report,
) {
    let rows: Vec<OutboxRow> = match store
        .rows(
            "unapplied booking events",
            sql::booking_events::UNAPPLIED,
            &[utc_text(settled).into(), (BATCH as f64).into()],
        )
        .await
    {
        Ok(rows) => rows,
        Err(e) => return note(report, e),
    };
    let loyalty = EdgeLoyalty::new(env, store.clone());
    for row in rows {
        let body = match serde_json::from_str::<serde_json::Value>(&row.body) {
            Ok(body) => body,
            Err(e) => {
                note(report, StoreError::new("outbox body", e.to_string()));
                continue;
            }
        };
        if let Err(e) = loyalty.publish(&body).await {
            note(report, e);
            continue;
        }
        let marked = store
            .execute(
                "mark event resent",
                sql::booking_events::MARK_RESENT,
                &[row.event_id.as_str().into(), utc_text(Utc::now()).into()],
            )
            .await;
        if let Err(e) = marked {
            note(report, e);
        }
        report.events_resent.push(row.event_id);
    }
}

#[derive(Deserialize)]
struct FlightRow {
    id: String,
    aircraft_type: String,
    seat_capacity: u32,
    seats_available: i64,
}

async fn repair_seat_counts(env: &Env, store: &D1Store, now: DateTime<Utc>, report: &mut Report) {
    let flights: Vec<FlightRow> = match store
        .rows(
            "inventoried flights",
            sql::reconciliation::INVENTORIED_FLIGHTS,
            &[utc_text(now).into(), (BATCH as f64).into()],
        )
        .await
    {
        Ok(rows) => rows,
        Err(e) => return note(report, e),
    };
    for flight in flights {
        let request = InventoryRequest::SeatMap {
            flight: FlightSetup {
                flight_id: flight.id.clone(),
                aircraft: flight.aircraft_type.clone(),
                seat_capacity: flight.seat_capacity,
            },
        };
        let reply =
            call_object::<_, InventoryReply>(env, FLIGHT_INVENTORY, &flight.id, &request, None);
        let free = match reply.await {
            Ok(InventoryReply::SeatMap { seat_map }) => i64::from(seat_map.seats_available),
            Ok(other) => {
                let error = StoreError::new("seat map", format!("unexpected reply {other:?}"));
                note(report, error);
                continue;
            }
            Err(e) => {
                note(report, StoreError::new("seat map", e.to_string()));
                continue;
            }
        };
        if free == flight.seats_available {
            continue;
        }
        let repaired = store
            .execute(
                "repair seats_available",
                sql::reconciliation::REPAIR_SEATS_AVAILABLE,
                &[(free as f64).into(), flight.id.as_str().into()],
            )
            .await;
        match repaired {
            Ok(0) => {} // moved on meanwhile: the next run looks again
            Ok(_) => report.seats_repaired.push(SeatRepair {
                flight_id: flight.id,
                was: flight.seats_available,
                now: free,
            }),
            Err(e) => note(report, e),
        }
    }
}

#[derive(Deserialize)]
struct IdRow {
    id: String,
}

async fn resume_stalled_sagas(
    env: &Env,
    store: &D1Store,
    settled: DateTime<Utc>,
    report: &mut Report,
) {
    let stalled: Vec<IdRow> = match store
        .rows(
            "stalled bookings",
            sql::reconciliation::STALLED_BOOKINGS,
            &[utc_text(settled).into(), (BATCH as f64).into()],
        )
        .await
    {
        Ok(rows) => rows,
        Err(e) => return note(report, e),
    };
    for booking in stalled {
        // Asking a booking for its copy resumes its saga (and its watchdog) where it
        // stopped; the copy then puts the read model right.
        match repair_from_object(env, store, &booking.id).await {
            Ok(repaired) => {
                report.sagas_resumed.push(booking.id.clone());
                if repaired {
                    report.read_model_repaired.push(booking.id);
                }
            }
            Err(e) => note(report, e),
        }
    }
}

/// Writes the booking's copy, as its object holds it now, to the read model (guarded by
/// version like every copy); whether that changed the read model.
pub(crate) async fn repair_from_object(
    env: &Env,
    store: &D1Store,
    booking_id: &str,
) -> std::result::Result<bool, StoreError> {
    let reply = call_object::<_, WorkflowReply>(
        env,
        BOOKING_WORKFLOW,
        booking_id,
        &WorkflowRequest::Copy,
        None,
    )
    .await
    .map_err(|e| StoreError::new("booking copy", e.to_string()))?;
    let copy = match reply {
        WorkflowReply::Copy { copy } => copy,
        other => {
            return Err(StoreError::new(
                "booking copy",
                format!("{booking_id}: {other:?}"),
            ))
        }
    };
    projection::write_copy(store, &copy, Utc::now()).await
}

#[derive(Deserialize)]
struct ChangedFlightRow {
    id: String,
    inventory_version: f64,
}

#[derive(Deserialize)]
struct ListedRow {
    id: String,
    status: String,
}

/// For each flight changed since it was last looked at: the bookings its object holds
/// seats for, against the read model's. One the read model lacks, or shows unconfirmed
/// while its seats are sold (a copy lost on the way), is written again from its object.
async fn repair_bookings_the_read_model_lacks(
    env: &Env,
    store: &D1Store,
    now: DateTime<Utc>,
    report: &mut Report,
) {
    let flights: Vec<ChangedFlightRow> = match store
        .rows(
            "flights changed since checked",
            sql::reconciliation::FLIGHTS_TO_CHECK_BOOKINGS,
            &[utc_text(now).into(), (BATCH as f64).into()],
        )
        .await
    {
        Ok(rows) => rows,
        Err(e) => return note(report, e),
    };
    for flight in flights {
        let holding = match call_object::<_, InventoryReply>(
            env,
            FLIGHT_INVENTORY,
            &flight.id,
            &InventoryRequest::Bookings,
            None,
        )
        .await
        {
            Ok(InventoryReply::Bookings { bookings }) => bookings,
            Ok(other) => {
                note(
                    report,
                    StoreError::new("flight's bookings", format!("{other:?}")),
                );
                continue;
            }
            Err(e) => {
                note(report, StoreError::new("flight's bookings", e.to_string()));
                continue;
            }
        };
        let listed: Vec<ListedRow> = match store
            .rows(
                "read model of a flight",
                sql::reconciliation::LISTED_ON_FLIGHT,
                &[flight.id.as_str().into()],
            )
            .await
        {
            Ok(rows) => rows,
            Err(e) => {
                note(report, e);
                continue;
            }
        };
        let mut complete = true;
        for booking in holding {
            let id = booking.booking_id.as_str();
            let behind = match listed.iter().find(|row| row.id == id) {
                None => true,
                Some(row) => booking.sold && row.status != "CONFIRMED",
            };
            if !behind {
                continue;
            }
            match repair_from_object(env, store, id).await {
                Ok(true) => report.read_model_repaired.push(id.to_owned()),
                Ok(false) => {}
                Err(e) => {
                    complete = false;
                    note(report, e);
                }
            }
        }
        if complete {
            let checked = store
                .execute(
                    "flight checked",
                    sql::reconciliation::MARK_BOOKINGS_CHECKED,
                    &[flight.id.as_str().into(), flight.inventory_version.into()],
                )
                .await;
            if let Err(e) = checked {
                note(report, e);
            }
        }
    }
}

#[derive(Deserialize)]
struct ReferenceRow {
    id: String,
    reference: String,
}

/// References of bookings from before references had their own objects: claimed there
/// for their bookings, so no new booking can draw one. A reference already held by
/// another booking cannot be fixed by a job: it is reported.
async fn register_legacy_references(env: &Env, store: &D1Store, report: &mut Report) {
    let rows: Vec<ReferenceRow> = match store
        .rows(
            "unregistered references",
            sql::reconciliation::UNREGISTERED_REFERENCES,
            &[(BATCH as f64).into()],
        )
        .await
    {
        Ok(rows) => rows,
        Err(e) => return note(report, e),
    };
    for row in rows {
        let Some(booking_id) = BookingId::parse(&row.id) else {
            continue;
        };
        let claim = ReferenceRequest::Claim {
            reference: row.reference.clone(),
            booking_id: booking_id.clone(),
        };
        let registry = airline_booking::reference::shard(&row.reference);
        let reply =
            call_object::<_, ReferenceReply>(env, REFERENCE_REGISTRY, registry, &claim, None).await;
        match reply {
            Ok(ReferenceReply::Held { booking_id: holder }) if holder == booking_id => {
                let marked = store
                    .execute(
                        "reference registered",
                        sql::reconciliation::MARK_REFERENCE_REGISTERED,
                        &[row.id.as_str().into()],
                    )
                    .await;
                match marked {
                    Ok(_) => report.references_registered.push(row.reference),
                    Err(e) => note(report, e),
                }
            }
            Ok(other) => note(
                report,
                StoreError::new(
                    "reference registry",
                    format!("{} of {} is {other:?}", row.reference, row.id),
                ),
            ),
            Err(e) => note(report, StoreError::new("reference registry", e.to_string())),
        }
    }
}

#[derive(Deserialize)]
struct PaymentRow {
    booking_id: String,
    payment_status: String,
    booking_status: Option<String>,
}

async fn check_payments(store: &D1Store, settled: DateTime<Utc>, report: &mut Report) {
    let rows: Vec<PaymentRow> = match store
        .rows(
            "payments to check",
            sql::reconciliation::PAYMENTS_TO_CHECK,
            &[utc_text(settled).into(), (BATCH as f64).into()],
        )
        .await
    {
        Ok(rows) => rows,
        Err(e) => return note(report, e),
    };
    for row in rows {
        if let Some(problem) = payment_problem(&row.payment_status, row.booking_status.as_deref()) {
            console_error!("reconcile: payment for {}: {problem}", row.booking_id);
            report.payment_mismatches.push(PaymentMismatch {
                booking_id: row.booking_id,
                payment_status: row.payment_status,
                booking_status: row.booking_status,
                problem: problem.to_owned(),
            });
        }
    }
}

#[derive(Deserialize)]
struct CancelledFlightRow {
    flight_id: String,
}

async fn cancel_bookings_left_on_cancelled_flights(
    env: &Env,
    store: &Arc<D1Store>,
    now: DateTime<Utc>,
    report: &mut Report,
) {
    let flights: Vec<CancelledFlightRow> = match store
        .rows(
            "cancelled flights with bookings",
            sql::reconciliation::CANCELLED_FLIGHTS_WITH_BOOKINGS,
            &[(BATCH as f64).into()],
        )
        .await
    {
        Ok(rows) => rows,
        Err(e) => return note(report, e),
    };
    let bookings = EdgeBookings::new(env, store.clone());
    let notifications = EdgeNotifications::new(env, store.clone());
    for row in flights {
        let Ok(flight_id) = FlightId::parse("flight_id", &row.flight_id) else {
            note(report, StoreError::new("cancelled flight", row.flight_id));
            continue;
        };
        let cancelled = disruption::cancel_bookings_on_flight(
            &bookings,
            &notifications,
            &flight_id,
            "the airline cancelled it",
            now,
        )
        .await;
        match cancelled {
            Ok(outcome) => report
                .bookings_cancelled_for_flights
                .extend(outcome.cancelled),
            Err(e) => note(report, e),
        }
    }
}

async fn resend_undelivered_notifications(
    env: &Env,
    store: &Arc<D1Store>,
    settled: DateTime<Utc>,
    report: &mut Report,
) {
    let rows: Vec<NotificationRow> = match store
        .rows(
            "undelivered notifications",
            sql::notifications::UNDELIVERED,
            &[utc_text(settled).into(), (BATCH as f64).into()],
        )
        .await
    {
        Ok(rows) => rows,
        Err(e) => return note(report, e),
    };
    let sender = EdgeNotifications::new(env, store.clone());
    for row in rows {
        let stored = match row.into_stored() {
            Ok(stored) => stored,
            Err(e) => {
                note(report, StoreError::new("corrupt notification", e));
                continue;
            }
        };
        match sender.enqueue(&stored.notification).await {
            Ok(()) => report.notifications_resent.push(stored.notification.id),
            Err(e) => note(report, e),
        }
    }
}

#[derive(Deserialize)]
struct BalanceRow {
    customer_id: String,
    balance: i64,
    last_activity: String,
}

async fn expire_unused_points(env: &Env, store: &D1Store, now: DateTime<Utc>, report: &mut Report) {
    let days = number_in(
        env,
        POINTS_EXPIRE_AFTER_DAYS,
        DEFAULT_INACTIVITY.num_days(),
        1..=36_500,
    );
    let inactivity = Duration::days(days);
    let rows: Vec<BalanceRow> = match store
        .rows(
            "expirable balances",
            sql::reconciliation::EXPIRABLE_BALANCES,
            &[utc_text(now - inactivity).into(), (BATCH as f64).into()],
        )
        .await
    {
        Ok(rows) => rows,
        Err(e) => return note(report, e),
    };
    for row in rows {
        let last_activity = match parse_utc("last_activity", &row.last_activity) {
            Ok(at) => at,
            Err(e) => {
                note(
                    report,
                    StoreError::new("corrupt ledger time", e.to_string()),
                );
                continue;
            }
        };
        let Some(entry) = expiry_entry(
            &row.customer_id,
            row.balance,
            last_activity,
            now,
            inactivity,
        ) else {
            continue;
        };
        match write_entry(store, &entry, now).await {
            Ok(true) => report.points_expired.push(row.customer_id),
            Ok(false) => {}
            Err(e) => note(report, e),
        }
    }
}
