//! D1's search read model of this flight: how many seats are left, written after every
//! change (versioned, so a late write never overwrites a newer count), with the alarm as the
//! repair for a write that failed.

use airline_booking::inventory;
use airline_platform::bindings::DATABASE;
use airline_platform::sql;
use airline_platform::trace::{self, CallKind};
use chrono::{DateTime, Duration, Utc};
use worker::{console_error, Result, SqlStorage, SqlStorageValue};

use crate::storage::{load_assignments, load_meta, seat_map};
use crate::FlightInventory;

/// After a failed D1 update, try again this soon.
const SYNC_RETRY: Duration = Duration::seconds(5);

/// How soon after a change D1 hears of it: long enough for a burst's changes to share one
/// write, short enough that search results stay current.
const SYNC_DELAY: Duration = Duration::milliseconds(100);

/// An alarm this far past its time has not fired and will not.
const LOST_AFTER: Duration = Duration::seconds(1);

impl FlightInventory {
    /// When D1 is behind (after a change, or after a crash lost a sync), makes sure the
    /// alarm fires within [`SYNC_DELAY`] to bring it up to date. An alarm already due that
    /// soon is left alone; one overdue by more than a second is taken as lost (the local
    /// runtime can drop alarms across a restart) and set again.
    pub(crate) async fn schedule_sync(&self, sql: &SqlStorage, now: DateTime<Utc>) -> Result<()> {
        let now_ms = now.timestamp_millis();
        if self
            .sync_due_at
            .get()
            .is_some_and(|due| due + LOST_AFTER.num_milliseconds() > now_ms)
        {
            return Ok(());
        }
        let Some(meta) = load_meta(sql)? else {
            return Ok(());
        };
        if meta.synced_version >= meta.version {
            return Ok(());
        }
        let soon = now + SYNC_DELAY;
        let storage = self.state.storage();
        let current = storage.get_alarm().await?;
        let pending = current.is_some_and(|at| {
            at <= soon.timestamp_millis() && at + LOST_AFTER.num_milliseconds() > now_ms
        });
        if !pending {
            storage.set_alarm(soon).await?;
        }
        self.sync_due_at.set(Some(soon.timestamp_millis()));
        Ok(())
    }

    /// Writes the current free-seat count to D1 when it is behind, and sets the alarm for
    /// the next hold expiry (or a retry of a failed write). A failed write is not the
    /// caller's problem: the seats are decided; the alarm repairs the count.
    pub(crate) async fn sync_read_model(&self, sql: &SqlStorage, now: DateTime<Utc>) -> Result<()> {
        let Some(meta) = load_meta(sql)? else {
            return Ok(());
        };
        let assignments = load_assignments(sql)?;
        let mut wake_at = inventory::next_expiry(&assignments, now);
        if meta.synced_version < meta.version {
            let map = seat_map(&meta)?;
            let available = inventory::seats_available(&map, &assignments, now);
            let version = meta.version as i64;
            match self
                .write_read_model(&meta.flight_id, available, version)
                .await
            {
                Ok(()) => {
                    sql.exec(
                        "UPDATE meta SET synced_version = max(synced_version, ?)",
                        vec![SqlStorageValue::Integer(version)],
                    )?;
                }
                Err(e) => {
                    console_error!("inventory {}: D1 update failed: {e}", meta.flight_id);
                    let retry = now + SYNC_RETRY;
                    wake_at = Some(wake_at.map_or(retry, |at| at.min(retry)));
                }
            }
        }
        // Reads (a seat map) usually leave the alarm as it is: touch it only on a change.
        let storage = self.state.storage();
        let current = storage.get_alarm().await?;
        match wake_at {
            Some(at) if current != Some(at.timestamp_millis()) => storage.set_alarm(at).await?,
            None if current.is_some() => storage.delete_alarm().await?,
            _ => {}
        }
        Ok(())
    }

    async fn write_read_model(&self, flight_id: &str, available: u32, version: i64) -> Result<()> {
        trace::call(CallKind::D1PrimaryWrite, None, None).await;
        let db = self.env.d1(DATABASE)?;
        // Versioned, so an older count arriving late never overwrites a newer one.
        db.prepare(sql::flights::SET_SEATS_AVAILABLE)
            .bind(&[available.into(), (version as f64).into(), flight_id.into()])?
            .run()
            .await?;
        Ok(())
    }
}
