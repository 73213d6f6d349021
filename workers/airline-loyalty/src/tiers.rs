//! Tiers at the AWS sample's thresholds: bronze from the first point, silver at 50,000,
//! gold at 100,000; and how far a balance is from the next one.

use serde::Serialize;

pub const SILVER_AT: i64 = 50_000;
pub const GOLD_AT: i64 = 100_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Tier {
    Bronze,
    Silver,
    Gold,
}

impl Tier {
    /// The tier a balance reaches. A new member with no points yet is bronze too: the tier
    /// everyone starts in.
    pub fn for_points(points: i64) -> Tier {
        match points {
            p if p >= GOLD_AT => Tier::Gold,
            p if p >= SILVER_AT => Tier::Silver,
            _ => Tier::Bronze,
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Tier::Bronze => "BRONZE",
            Tier::Silver => "SILVER",
            Tier::Gold => "GOLD",
        }
    }

    /// Where the tier starts, and where the next one starts (`None` at the top).
    fn bounds(&self) -> (i64, Option<i64>) {
        match self {
            Tier::Bronze => (0, Some(SILVER_AT)),
            Tier::Silver => (SILVER_AT, Some(GOLD_AT)),
            Tier::Gold => (GOLD_AT, None),
        }
    }
}

/// What a customer (or a service asking about them) sees.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoyaltySummary {
    pub points: i64,
    pub tier: Tier,
    /// Points still needed for the next tier; 0 at gold.
    pub remaining_points: i64,
    /// How far through the current tier towards the next, 0.0 to 1.0 (1.0 at gold).
    pub progress: f64,
}

impl LoyaltySummary {
    /// The summary of a ledger balance. A balance below zero (which the ledger never
    /// writes, but a hand-edited row could) counts as zero.
    pub fn for_balance(balance: i64) -> Self {
        let points = balance.max(0);
        let tier = Tier::for_points(points);
        let (start, next) = tier.bounds();
        match next {
            None => Self {
                points,
                tier,
                remaining_points: 0,
                progress: 1.0,
            },
            Some(next) => Self {
                points,
                tier,
                remaining_points: next - points,
                progress: (points - start) as f64 / (next - start) as f64,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers_change_exactly_at_the_thresholds() {
        let cases = [
            (0, Tier::Bronze, 50_000),
            (1, Tier::Bronze, 49_999),
            (49_999, Tier::Bronze, 1),
            (50_000, Tier::Silver, 50_000),
            (99_999, Tier::Silver, 1),
            (100_000, Tier::Gold, 0),
            (5_000_000, Tier::Gold, 0),
        ];
        for (points, tier, remaining) in cases {
            let summary = LoyaltySummary::for_balance(points);
            assert_eq!(summary.tier, tier, "{points}");
            assert_eq!(summary.remaining_points, remaining, "{points}");
        }
    }

    #[test]
    fn progress_runs_from_zero_to_one_within_a_tier() {
        assert_eq!(LoyaltySummary::for_balance(0).progress, 0.0);
        assert_eq!(LoyaltySummary::for_balance(25_000).progress, 0.5);
        assert_eq!(LoyaltySummary::for_balance(50_000).progress, 0.0);
        assert_eq!(LoyaltySummary::for_balance(75_000).progress, 0.5);
        assert_eq!(LoyaltySummary::for_balance(100_000).progress, 1.0);
    }

    #[test]
    fn a_negative_balance_reads_as_zero() {
        let summary = LoyaltySummary::for_balance(-40);
        assert_eq!(summary.points, 0);
        assert_eq!(summary.tier, Tier::Bronze);
        assert_eq!(summary.remaining_points, SILVER_AT);
    }

    #[test]
    fn the_summary_serializes_for_the_rest_api() {
        let json = serde_json::to_value(LoyaltySummary::for_balance(50_001)).unwrap();
        assert_eq!(json["tier"], "SILVER");
        assert_eq!(json["remainingPoints"], 49_999);
    }
}
