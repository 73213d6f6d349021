//! Admin writes to the timetable over D1, each in one transaction with its audit entry.

use airline_booking::read_model::ProjectionLag;
use airline_domain::{AccountId, Flight};
use airline_graphql::store::{AuditEntry, ReconciliationRun};
use airline_graphql::{ScheduleStore, StoreError};
use airline_platform::sql;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use worker::send::SendFuture;
use worker::wasm_bindgen::JsValue;
use worker::D1PreparedStatement;

use crate::d1::{parse_utc, utc_text, Access, D1Store};

/// The audit entry lands only if the statement before it in the batch changed a row.
const AUDIT_IF_CHANGED: &str = "INSERT INTO audit_log (actor_id, action, target, details, at) \
     SELECT ?1, ?2, ?3, ?4, ?5 WHERE changes() = 1";

impl D1Store {
    fn audit_statement(&self, audit: &AuditEntry) -> Result<D1PreparedStatement, StoreError> {
        self.statement(
            "audit",
            AUDIT_IF_CHANGED,
            &[
                audit.actor_id.as_str().into(),
                audit.action.as_str().into(),
                audit.target.as_str().into(),
                audit.details.as_str().into(),
                utc_text(audit.at).into(),
            ],
        )
    }

    /// Runs `write` then the audit insert as one transaction; true if `write` changed a row.
    async fn audited(
        &self,
        what: &'static str,
        write: D1PreparedStatement,
        audit: &AuditEntry,
    ) -> Result<bool, StoreError> {
        let results = self
            .batch(Access::Write, vec![write, self.audit_statement(audit)?])
            .await
            .map_err(|e| self.fail(what, e))?;
        let changed = results
            .first()
            .and_then(|r| r.meta().ok().flatten())
            .and_then(|m| m.changes)
            .unwrap_or(0);
        Ok(changed == 1)
    }
}

#[async_trait]
impl ScheduleStore for D1Store {
    async fn insert_flight(&self, flight: &Flight, audit: &AuditEntry) -> Result<bool, StoreError> {
        SendFuture::new(async move {
            let params: Vec<JsValue> = vec![
                flight.id.as_str().into(),
                flight.number.to_string().into(),
                flight.number.airline().into(),
                flight.origin.code.as_str().into(),
                flight.destination.code.as_str().into(),
                utc_text(flight.departure).into(),
                utc_text(flight.arrival).into(),
                (flight.duration().num_minutes() as f64).into(),
                (flight.fare.amount_minor() as f64).into(),
                flight.fare.currency().code().into(),
                flight.seat_capacity.into(),
                flight.aircraft.code().into(),
            ];
            let insert = self.statement("insert_flight", sql::flights::INSERT, &params)?;
            self.audited("insert_flight", insert, audit).await
        })
        .await
    }

    async fn replace_flight(
        &self,
        before: &Flight,
        after: &Flight,
        audit: &AuditEntry,
    ) -> Result<bool, StoreError> {
        SendFuture::new(async move {
            // Optimistic: only if the row still holds what the admin's change was based on.
            let params: Vec<JsValue> = vec![
                after.id.as_str().into(),
                utc_text(after.departure).into(),
                utc_text(after.arrival).into(),
                (after.duration().num_minutes() as f64).into(),
                (after.fare.amount_minor() as f64).into(),
                after.seat_capacity.into(),
                after.status.as_str().into(),
                utc_text(before.departure).into(),
                utc_text(before.arrival).into(),
                (before.fare.amount_minor() as f64).into(),
                before.seat_capacity.into(),
                before.status.as_str().into(),
            ];
            let update = self.statement("replace_flight", sql::flights::REPLACE, &params)?;
            self.audited("replace_flight", update, audit).await
        })
        .await
    }

    async fn audit_log(
        &self,
        target: Option<&str>,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        SendFuture::new(async move {
            let rows: Vec<AuditRow> = self
                .rows(
                    "audit_log",
                    "SELECT actor_id, action, target, details, at FROM audit_log \
                     WHERE ?1 IS NULL OR target = ?1 ORDER BY id DESC LIMIT ?2",
                    &[
                        target.map_or(JsValue::NULL, JsValue::from),
                        (limit as u32).into(),
                    ],
                )
                .await?;
            rows.into_iter()
                .map(|row| {
                    Ok(AuditEntry {
                        at: parse_utc("at", &row.at)
                            .map_err(|e| self.fail("corrupt audit row", e))?,
                        actor_id: row.actor_id,
                        action: row.action,
                        target: row.target,
                        details: row.details,
                    })
                })
                .collect()
        })
        .await
    }

    async fn read_model_lag(
        &self,
        since: DateTime<Utc>,
        settled: DateTime<Utc>,
    ) -> Result<(ProjectionLag, u64), StoreError> {
        #[derive(Deserialize)]
        struct LagRow {
            lag_ms: Option<f64>,
        }
        #[derive(Deserialize)]
        struct CountRow {
            n: f64,
        }
        SendFuture::new(async move {
            let lags: Vec<LagRow> = self
                .rows(
                    "read model lag",
                    sql::reconciliation::READ_MODEL_LAGS,
                    &[utc_text(since).into()],
                )
                .await?;
            let behind: Vec<CountRow> = self
                .rows(
                    "read model behind",
                    sql::reconciliation::UNFINISHED_BEFORE,
                    &[utc_text(settled).into()],
                )
                .await?;
            let lag = ProjectionLag::of(
                lags.iter()
                    .filter_map(|row| row.lag_ms)
                    .map(|ms| ms.max(0.0) as i64)
                    .collect(),
            );
            Ok((lag, behind.first().map_or(0, |row| row.n as u64)))
        })
        .await
    }

    async fn reconciliation_runs(
        &self,
        limit: usize,
    ) -> Result<Vec<ReconciliationRun>, StoreError> {
        SendFuture::new(async move {
            let rows: Vec<RunRow> = self
                .rows(
                    "reconciliation runs",
                    sql::reconciliation::RECENT_RUNS,
                    &[(limit as u32).into()],
                )
                .await?;
            rows.into_iter()
                .map(|row| {
                    let corrupt = |e: String| self.fail("corrupt reconciliation run", e);
                    Ok(ReconciliationRun {
                        id: row.id,
                        started_at: parse_utc("started_at", &row.started_at)
                            .map_err(|e| corrupt(e.to_string()))?,
                        finished_at: parse_utc("finished_at", &row.finished_at)
                            .map_err(|e| corrupt(e.to_string()))?,
                        report: serde_json::from_str(&row.report)
                            .map_err(|e| corrupt(e.to_string()))?,
                    })
                })
                .collect()
        })
        .await
    }
}

#[derive(Deserialize)]
struct AuditRow {
    actor_id: AccountId,
    action: String,
    target: String,
    details: String,
    at: String,
}

#[derive(Deserialize)]
struct RunRow {
    id: i64,
    started_at: String,
    finished_at: String,
    report: String,
}
