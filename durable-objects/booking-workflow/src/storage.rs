//! The booking object's own SQLite, the booking's system of record: the record (plan,
//! saga, facts), its version, its outbox of events, and how far its read model has been
//! sent; the payment sandbox keeps its tables beside them (`airline_payments`). Every
//! write is synchronous, and a state and the events it owes are written with no `.await`
//! between them, so they commit together.

use airline_booking::events::BookingEvent;
use airline_booking::read_model::OutboxEntry;
use airline_booking::record::BookingRecord;
use airline_domain::utc_text;
use airline_payments::platform::SandboxStore;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use std::cell::{Cell, OnceCell};
use worker::{Result, SqlStorage, SqlStorageValue, State};

pub(crate) struct Store {
    sql: SqlStorage,
    /// Whether the tables exist: made by the first write, so reading a booking that does
    /// not exist (any id a client may try) leaves no storage behind.
    tables: Cell<bool>,
    /// Whether the object has key-value storage at all, where bookings made before it
    /// kept SQLite tables stored their record: if not, there is none to look for.
    legacy: bool,
    sandbox: OnceCell<SandboxStore>,
}

#[derive(Deserialize)]
struct BookingRow {
    record: String,
}

#[derive(Deserialize)]
struct ProgressRow {
    version: f64,
    projected_version: f64,
    outbox_failures: f64,
}

#[derive(Deserialize)]
struct OutboxRow {
    event_id: String,
    body: String,
    created_at: String,
    sent_at: Option<String>,
}

/// How far the outbox has got: the booking's version, the version its read model was
/// last sent, and how often sending has failed in a row (for the backoff).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Progress {
    pub(crate) version: u64,
    pub(crate) projected_version: u64,
    pub(crate) failures: u32,
}

fn text(value: &str) -> SqlStorageValue {
    SqlStorageValue::String(value.to_owned())
}

fn unreadable(what: &str, e: impl std::fmt::Display) -> worker::Error {
    worker::Error::RustError(format!("stored {what} unreadable: {e}"))
}

impl Store {
    /// The object's storage; its tables are created by the first write.
    pub(crate) fn open(state: &State) -> Result<Self> {
        let sql = state.storage().sql();
        #[derive(Deserialize)]
        struct Table {
            name: String,
        }
        // The runtime keeps key-value pairs in `_cf_KV`, made by the first `put`.
        let found: Vec<Table> = sql
            .exec(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('booking', '_cf_KV')",
                None,
            )?
            .to_array()?;
        let has = |table: &str| found.iter().any(|t| t.name == table);
        Ok(Self {
            tables: Cell::new(has("booking")),
            legacy: has("_cf_KV"),
            sql,
            sandbox: OnceCell::new(),
        })
    }

    /// The payment sandbox's store, beside the booking's tables.
    pub(crate) fn sandbox(&self) -> Result<&SandboxStore> {
        if let Some(sandbox) = self.sandbox.get() {
            return Ok(sandbox);
        }
        let sandbox = SandboxStore::open(self.sql.clone())?;
        Ok(self.sandbox.get_or_init(|| sandbox))
    }

    fn ensure_tables(&self) -> Result<()> {
        if self.tables.get() {
            return Ok(());
        }
        let sql = &self.sql;
        sql.exec(
            "CREATE TABLE IF NOT EXISTS booking (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                record TEXT NOT NULL,
                version INTEGER NOT NULL,
                projected_version INTEGER NOT NULL DEFAULT 0,
                outbox_failures INTEGER NOT NULL DEFAULT 0
            )",
            None,
        )?;
        // Events a listener must get, in the order they were owed; `sent_at` once the
        // queue took them.
        sql.exec(
            "CREATE TABLE IF NOT EXISTS outbox (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                event_id TEXT NOT NULL UNIQUE,
                body TEXT NOT NULL,
                created_at TEXT NOT NULL,
                sent_at TEXT
            )",
            None,
        )?;
        self.tables.set(true);
        Ok(())
    }

    /// Whether a record from before the tables may be in key-value storage.
    pub(crate) fn may_hold_legacy_record(&self) -> bool {
        self.legacy && !self.tables.get()
    }

    pub(crate) fn load(&self) -> Result<Option<BookingRecord>> {
        if !self.tables.get() {
            return Ok(None);
        }
        let rows: Vec<BookingRow> = self
            .sql
            .exec("SELECT record FROM booking WHERE id = 1", None)?
            .to_array()?;
        rows.into_iter()
            .next()
            .map(|row| serde_json::from_str(&row.record).map_err(|e| unreadable("booking", e)))
            .transpose()
    }

    /// Writes `record` (whose version the caller moved on) and the events it owes, in
    /// one transaction.
    pub(crate) fn save(&self, record: &BookingRecord, owed: &[BookingEvent]) -> Result<()> {
        self.ensure_tables()?;
        let json = serde_json::to_string(record)?;
        self.sql.exec(
            "INSERT INTO booking (id, record, version) VALUES (1, ?, ?)
             ON CONFLICT (id) DO UPDATE SET record = excluded.record, version = excluded.version",
            vec![text(&json), SqlStorageValue::Integer(record.version as i64)],
        )?;
        for event in owed {
            self.sql.exec(
                "INSERT INTO outbox (event_id, body, created_at) VALUES (?, ?, ?)
                 ON CONFLICT (event_id) DO NOTHING",
                vec![
                    text(&event.event_id),
                    text(&serde_json::to_string(event)?),
                    text(&event.occurred_at),
                ],
            )?;
        }
        Ok(())
    }

    pub(crate) fn progress(&self) -> Result<Option<Progress>> {
        if !self.tables.get() {
            return Ok(None);
        }
        let rows: Vec<ProgressRow> = self
            .sql
            .exec(
                "SELECT version, projected_version, outbox_failures FROM booking WHERE id = 1",
                None,
            )?
            .to_array()?;
        Ok(rows.into_iter().next().map(|row| Progress {
            version: row.version as u64,
            projected_version: row.projected_version as u64,
            failures: row.outbox_failures as u32,
        }))
    }

    /// Every event of the outbox, oldest first.
    pub(crate) fn outbox(&self) -> Result<Vec<OutboxEntry>> {
        if !self.tables.get() {
            return Ok(Vec::new());
        }
        let rows: Vec<OutboxRow> = self
            .sql
            .exec(
                "SELECT event_id, body, created_at, sent_at FROM outbox ORDER BY seq",
                None,
            )?
            .to_array()?;
        Ok(rows
            .into_iter()
            .map(|row| OutboxEntry {
                event_id: row.event_id,
                body: row.body,
                created_at: row.created_at,
                sent_at: row.sent_at,
            })
            .collect())
    }

    /// Whether anything waits to be sent: an event, or a version the read model lacks.
    pub(crate) fn has_pending(&self) -> Result<bool> {
        let pending = self
            .progress()?
            .is_some_and(|p| p.projected_version < p.version);
        Ok(pending || self.outbox()?.iter().any(|e| e.sent_at.is_none()))
    }

    pub(crate) fn mark_sent(&self, event_ids: &[String], at: DateTime<Utc>) -> Result<()> {
        for id in event_ids {
            self.sql.exec(
                "UPDATE outbox SET sent_at = ? WHERE event_id = ? AND sent_at IS NULL",
                vec![text(&utc_text(at)), text(id)],
            )?;
        }
        Ok(())
    }

    /// The read model has been sent `version`.
    pub(crate) fn mark_projected(&self, version: u64) -> Result<()> {
        self.sql.exec(
            "UPDATE booking SET projected_version = max(projected_version, ?), outbox_failures = 0
             WHERE id = 1",
            vec![SqlStorageValue::Integer(version as i64)],
        )?;
        Ok(())
    }

    /// Sending failed once more; returns how often in a row.
    pub(crate) fn outbox_failed(&self) -> Result<u32> {
        self.sql.exec(
            "UPDATE booking SET outbox_failures = outbox_failures + 1 WHERE id = 1",
            None,
        )?;
        Ok(self.progress()?.map_or(0, |p| p.failures))
    }
}
