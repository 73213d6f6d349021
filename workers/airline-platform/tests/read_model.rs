//! The read model's statements against the real migrations, in SQLite (what D1 runs): a
//! booking's copies applied twice, late, or out of order leave the newest one, and
//! nothing is written twice.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use airline_booking::read_model::{BookingCopy, OutboxEntry, PaymentCopy, COPY_SCHEMA};
use airline_booking::saga::BookingStatus;
use airline_booking::views::{BookedFlight, BookingView};
use airline_domain::{AccountId, BookingId, Currency, Money};
use airline_platform::read_model::{statements, Param};
use chrono::{DateTime, TimeZone as _, Utc};
use rusqlite::types::Value;
use rusqlite::Connection;

fn migrated() -> Connection {
    let db = Connection::open_in_memory().unwrap();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../migrations");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "sql"))
        .collect();
    files.sort();
    for file in files {
        db.execute_batch(&std::fs::read_to_string(&file).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    }
    db
}

fn at(minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 10, minute, 0).unwrap()
}

/// The booking's copy at `version`, standing at `status`, with the payment and the
/// events it had then.
fn copy(version: u64, status: BookingStatus) -> BookingCopy {
    let gbp = Currency::parse("currency", "GBP").unwrap();
    let confirmed = status != BookingStatus::Unconfirmed;
    let cancelled = status == BookingStatus::Cancelled;
    let booking = BookingView {
        id: BookingId::parse("bk_0123456789abcdef01234567").unwrap(),
        customer_id: AccountId::trusted("acct_1"),
        reference: confirmed.then(|| "K7MXRA".to_owned()),
        status,
        failure: None,
        step: None,
        flights: vec![BookedFlight {
            flight_id: "EA117-20261225".into(),
            departure_utc: at(0) + chrono::Duration::days(24),
            cabin: airline_domain::Cabin::Economy,
            brand: airline_domain::FareBrand::Flex,
            conditions: airline_domain::FareConditions::FLEX,
            fare_currency: Some("GBP".into()),
            seats: Vec::new(),
        }],
        passengers: Vec::new(),
        total: Money::from_minor(45_000, gbp),
        captured_amount: if confirmed { 45_000 } else { 0 },
        refunded_amount: if cancelled { 45_000 } else { 0 },
        cancellation_refund: Some(45_000),
        hold_expires_at: None,
        version,
        created_at: at(0),
        updated_at: at(version as u32),
    };
    let event = |kind: &str, sent: bool| OutboxEntry {
        event_id: format!("bk_0123456789abcdef01234567:{kind}"),
        body: format!(r#"{{"eventId":"bk_0123456789abcdef01234567:{kind}"}}"#),
        created_at: "2026-12-01T10:05:00Z".into(),
        sent_at: sent.then(|| "2026-12-01T10:05:01Z".to_owned()),
    };
    let mut events = Vec::new();
    if confirmed {
        // The confirmation goes out after the copy that first holds it.
        events.push(event("confirmed", version > 5));
    }
    if cancelled {
        events.push(event("cancelled", false));
    }
    BookingCopy {
        schema: COPY_SCHEMA,
        version,
        reference_registered: true,
        payment: Some(PaymentCopy {
            id: "pi_sandbox_bk_0123456789abcdef01234567".into(),
            key: booking.id.to_string(),
            customer_id: "acct_1".into(),
            token: "tok_succeeds_1".into(),
            amount: 45_000,
            currency: "GBP".into(),
            status: match status {
                BookingStatus::Unconfirmed => "AUTHORIZED",
                BookingStatus::Confirmed => "CAPTURED",
                BookingStatus::Cancelled => "REFUNDED",
            }
            .into(),
            authorize_attempts: 1,
        }),
        booking,
        events,
    }
}

/// Applies one copy as the consumer does: its statements in one transaction.
fn apply(db: &mut Connection, copy: &BookingCopy) {
    let tx = db.transaction().unwrap();
    for statement in statements(copy, at(30)).unwrap() {
        let params: Vec<Value> = statement
            .params
            .into_iter()
            .map(|param| match param {
                Param::Text(text) => Value::Text(text),
                Param::Integer(n) => Value::Integer(n),
                Param::Null => Value::Null,
            })
            .collect();
        tx.execute(statement.sql, rusqlite::params_from_iter(params))
            .unwrap_or_else(|e| panic!("{e}: {}", statement.sql));
    }
    tx.commit().unwrap();
}

/// What the read model holds of the booking: status, version, reference, payment status,
/// how many flight rows, and each event with whether it is marked sent.
type Held = (
    String,
    i64,
    Option<String>,
    String,
    i64,
    Vec<(String, bool)>,
);

fn held(db: &Connection) -> Held {
    let (status, version, reference) = db
        .query_row(
            "SELECT status, version, reference FROM bookings",
            [],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .unwrap();
    let payment: String = db
        .query_row("SELECT status FROM payments", [], |row| row.get(0))
        .unwrap();
    let flights: i64 = db
        .query_row("SELECT count(*) FROM booking_flights", [], |row| row.get(0))
        .unwrap();
    let mut events = db
        .prepare("SELECT event_id, sent_at IS NOT NULL FROM booking_events ORDER BY event_id")
        .unwrap();
    let events = events
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    (status, version, reference, payment, flights, events)
}

#[test]
fn copies_in_any_order_and_any_number_leave_the_newest() {
    let unconfirmed = copy(3, BookingStatus::Unconfirmed);
    let confirmed = copy(5, BookingStatus::Confirmed);
    let sent = copy(6, BookingStatus::Confirmed);
    let cancelled = copy(9, BookingStatus::Cancelled);
    let orders: [&[&BookingCopy]; 6] = [
        &[&unconfirmed, &confirmed, &sent, &cancelled],
        &[&cancelled, &sent, &confirmed, &unconfirmed],
        &[&confirmed, &cancelled, &unconfirmed, &sent],
        &[&cancelled, &cancelled, &unconfirmed, &sent, &confirmed],
        &[
            &unconfirmed,
            &unconfirmed,
            &sent,
            &confirmed,
            &cancelled,
            &cancelled,
        ],
        &[&sent, &confirmed, &cancelled, &sent],
    ];
    for order in orders {
        let mut db = migrated();
        for copy in order {
            apply(&mut db, copy);
        }
        let versions: Vec<u64> = order.iter().map(|c| c.version).collect();
        assert_eq!(
            held(&db),
            (
                "CANCELLED".to_owned(),
                9,
                Some("K7MXRA".to_owned()),
                "REFUNDED".to_owned(),
                1,
                vec![
                    ("bk_0123456789abcdef01234567:cancelled".to_owned(), false),
                    // Marked sent by the copy that knew it, whatever came after.
                    ("bk_0123456789abcdef01234567:confirmed".to_owned(), true),
                ]
            ),
            "copies {versions:?}"
        );
    }
}

#[test]
fn a_reference_once_registered_stays_registered() {
    let mut db = migrated();
    let mut legacy = copy(5, BookingStatus::Confirmed);
    legacy.reference_registered = false;
    apply(&mut db, &legacy);
    let registered = |db: &Connection| -> i64 {
        db.query_row("SELECT reference_registered FROM bookings", [], |row| {
            row.get(0)
        })
        .unwrap()
    };
    assert_eq!(registered(&db), 0, "a reference from before the registry");
    db.execute("UPDATE bookings SET reference_registered = 1", [])
        .unwrap();
    let mut later = copy(6, BookingStatus::Confirmed);
    later.reference_registered = false;
    apply(&mut db, &later);
    assert_eq!(
        registered(&db),
        1,
        "the reconciliation run's registration is kept"
    );
}

#[test]
fn a_late_copy_never_moves_a_booking_backwards() {
    let mut db = migrated();
    apply(&mut db, &copy(5, BookingStatus::Confirmed));
    apply(&mut db, &copy(3, BookingStatus::Unconfirmed));
    let (status, version, reference, payment, ..) = held(&db);
    assert_eq!(
        (
            status.as_str(),
            version,
            reference.as_deref(),
            payment.as_str()
        ),
        ("CONFIRMED", 5, Some("K7MXRA"), "CAPTURED")
    );
    let details: String = db
        .query_row("SELECT details FROM bookings", [], |row| row.get(0))
        .unwrap();
    let view: BookingView = serde_json::from_str(&details).unwrap();
    assert_eq!(view.version, 5, "the stored view is the newest one too");
    assert_eq!(view.amount_paid().amount_minor(), 45_000);
}

/// A booking cancelled under a fare that refunds nothing keeps its payment: the read model
/// takes it as RETAINED (a migration widened the table's check), and the payment that was
/// captured before it is replaced, never duplicated.
#[test]
fn a_payment_kept_by_its_fare_reads_as_retained() {
    let mut db = migrated();
    apply(&mut db, &copy(5, BookingStatus::Confirmed));
    let mut kept = copy(9, BookingStatus::Cancelled);
    if let Some(payment) = kept.payment.as_mut() {
        payment.status = "RETAINED".into();
    }
    apply(&mut db, &kept);
    let (status, version, _, payment, _, _) = held(&db);
    assert_eq!(
        (status.as_str(), version, payment.as_str()),
        ("CANCELLED", 9, "RETAINED")
    );
    let rows: i64 = db
        .query_row("SELECT count(*) FROM payments", [], |row| row.get(0))
        .unwrap();
    assert_eq!(rows, 1);
}
