//! Bookings this browser made or changed moments ago. The lists the API reads (My trips,
//! the points ledger) are copies that reach their store a moment after the booking
//! itself changes; naming these bookings makes the API read them from the bookings
//! themselves, so the traveller sees at once what they just did.

use serde::{Deserialize, Serialize};

/// How long a change counts as recent: far longer than the copies take.
pub const KEEP_FOR_MS: f64 = 10.0 * 60.0 * 1000.0;
/// How many the API takes at once.
pub const MAX: usize = 10;

/// Booking ids with when they changed (ms since the epoch), newest first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RecentChanges {
    entries: Vec<(String, f64)>,
}

impl RecentChanges {
    /// Booking `id` changed at `now_ms`.
    pub fn note(&mut self, id: &str, now_ms: f64) {
        self.entries.retain(|(known, _)| known != id);
        self.entries.insert(0, (id.to_owned(), now_ms));
        self.prune(now_ms);
    }

    /// The bookings still recent at `now_ms`, newest first, at most [`MAX`].
    pub fn ids(&self, now_ms: f64) -> Vec<String> {
        self.entries
            .iter()
            .filter(|(_, at)| now_ms - at < KEEP_FOR_MS)
            .take(MAX)
            .map(|(id, _)| id.clone())
            .collect()
    }

    fn prune(&mut self, now_ms: f64) {
        self.entries.retain(|(_, at)| now_ms - at < KEEP_FOR_MS);
        self.entries.truncate(MAX);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_change_comes_first_and_counts_once() {
        let mut recent = RecentChanges::default();
        recent.note("bk_a", 1_000.0);
        recent.note("bk_b", 2_000.0);
        recent.note("bk_a", 3_000.0);
        assert_eq!(recent.ids(3_000.0), vec!["bk_a", "bk_b"]);
    }

    #[test]
    fn changes_stop_being_recent_after_ten_minutes_and_at_most_ten_are_named() {
        let mut recent = RecentChanges::default();
        recent.note("bk_old", 0.0);
        assert_eq!(recent.ids(KEEP_FOR_MS - 1.0), vec!["bk_old"]);
        assert!(recent.ids(KEEP_FOR_MS).is_empty());
        for i in 0..15 {
            recent.note(&format!("bk_{i}"), KEEP_FOR_MS + f64::from(i));
        }
        let ids = recent.ids(KEEP_FOR_MS + 20.0);
        assert_eq!(ids.len(), MAX);
        assert_eq!(ids[0], "bk_14");
        assert!(!ids.contains(&"bk_old".to_owned()));
    }

    #[test]
    fn it_survives_storage_as_json() {
        let mut recent = RecentChanges::default();
        recent.note("bk_a", 1_000.0);
        let text = serde_json::to_string(&recent).unwrap();
        assert_eq!(
            serde_json::from_str::<RecentChanges>(&text).unwrap(),
            recent
        );
    }
}
