//! Points expire after a long time without activity, as airline programmes do: when a
//! customer has neither earned nor lost points for [`DEFAULT_INACTIVITY`], the scheduled
//! run writes one `EXPIRE` entry that takes the whole balance. Any entry (a new booking,
//! a cancellation) is activity and restarts the clock.

use chrono::{DateTime, Duration, Utc};

use crate::ledger::{EntryKind, NewEntry};

/// Two years, the usual programme rule; `POINTS_EXPIRE_AFTER_DAYS` changes it.
pub const DEFAULT_INACTIVITY: Duration = Duration::days(730);

/// The entry that expires `balance` points of `customer_id`, whose last ledger entry was
/// written at `last_activity`; `None` while the points are still alive or there are none.
/// Its id names the customer and the last activity, so a second run writes nothing.
pub fn expiry_entry(
    customer_id: &str,
    balance: i64,
    last_activity: DateTime<Utc>,
    now: DateTime<Utc>,
    inactivity: Duration,
) -> Option<NewEntry> {
    if balance <= 0 || now - last_activity < inactivity {
        return None;
    }
    Some(NewEntry {
        entry_id: format!(
            "{customer_id}:expire:{}",
            last_activity.format("%Y%m%dT%H%M%SZ")
        ),
        customer_id: customer_id.to_owned(),
        booking_id: String::new(),
        points: -balance,
        kind: EntryKind::Expire,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    fn at(year: i32, month: u32, day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(year, month, day, 12, 0, 0).unwrap()
    }

    #[test]
    fn points_expire_after_two_years_without_activity_and_only_once() {
        let last = at(2024, 11, 1);
        assert_eq!(
            expiry_entry("acct_1", 5_000, last, at(2026, 10, 31), DEFAULT_INACTIVITY),
            None
        );
        let entry = expiry_entry("acct_1", 5_000, last, at(2026, 11, 1), DEFAULT_INACTIVITY)
            .expect("two years on, the points expire");
        assert_eq!((entry.points, entry.kind), (-5_000, EntryKind::Expire));
        assert_eq!(entry.entry_id, "acct_1:expire:20241101T120000Z");
        // The same inactivity is the same entry, whenever the run sees it.
        let later = expiry_entry("acct_1", 5_000, last, at(2027, 3, 1), DEFAULT_INACTIVITY);
        assert_eq!(later.map(|e| e.entry_id), Some(entry.entry_id));
        // Nothing to expire.
        assert_eq!(
            expiry_entry("acct_1", 0, last, at(2027, 3, 1), DEFAULT_INACTIVITY),
            None
        );
        // A shorter programme rule.
        assert!(expiry_entry("acct_1", 10, last, at(2024, 12, 2), Duration::days(30)).is_some());
    }
}
