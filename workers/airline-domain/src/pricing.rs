//! How fares are set: distance, time of day and day of week, priced in the currency of
//! the country the flight departs from and rounded the way fares are displayed.

use chrono::Weekday;

use crate::{Currency, LocalTimeOfDay, Money};

/// Economy fare for one passenger, in US cents, before demand adjustments: a fixed part
/// for the airport and handling costs plus a per-kilometre part that tapers with distance,
/// as real fares do (the first 1,000 km cost most per km).
pub fn base_fare_usd_cents(distance_km: f64) -> i64 {
    const FIXED: f64 = 4_900.0;
    let distance = distance_km.max(0.0);
    let short = distance.min(1_000.0);
    let medium = (distance - 1_000.0).clamp(0.0, 4_000.0);
    let long = (distance - 5_000.0).max(0.0);
    (FIXED + short * 11.0 + medium * 7.5 + long * 5.0).round() as i64
}

/// Demand multiplier for a departure at `local_time` on `weekday` at the origin.
/// Business peaks (06:00-09:59 and 16:00-19:59) and Friday/Sunday cost more; late
/// night and midweek cost less.
pub fn demand_factor(local_time: LocalTimeOfDay, weekday: Weekday) -> f64 {
    let hour = local_time.minutes_since_midnight() / 60;
    let by_hour = match hour {
        6..=9 | 16..=19 => 1.25,
        0..=5 | 22..=23 => 0.85,
        _ => 1.0,
    };
    let by_day = match weekday {
        Weekday::Fri | Weekday::Sun => 1.15,
        Weekday::Tue | Weekday::Wed => 0.9,
        _ => 1.0,
    };
    by_hour * by_day
}

/// Converts a US-cent amount into `currency` at `units_per_usd` and rounds it to a
/// displayable fare: whole units, or whole tens, hundreds or thousands for currencies
/// whose unit is worth little (so a yen fare reads 18,500, not 18,537).
pub fn fare_in(usd_cents: i64, currency: Currency, units_per_usd: f64) -> Money {
    let major = usd_cents as f64 / 100.0 * units_per_usd;
    let step = 10_f64.powi(units_per_usd.max(1.0).log10().floor() as i32);
    let rounded_major = ((major / step).round() * step).max(step);
    Money::from_minor(
        (rounded_major as i64).saturating_mul(currency.minor_per_major()),
        currency,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hm(h: u16, m: u16) -> LocalTimeOfDay {
        LocalTimeOfDay::from_hm(h, m).unwrap()
    }

    fn currency(code: &str) -> Currency {
        Currency::parse("currency", code).unwrap()
    }

    #[test]
    fn longer_flights_cost_more_but_less_per_kilometre() {
        let short = base_fare_usd_cents(500.0);
        let medium = base_fare_usd_cents(3_000.0);
        let long = base_fare_usd_cents(10_000.0);
        assert!(short < medium && medium < long);
        assert!((long as f64 / 10_000.0) < (short as f64 / 500.0));
        assert_eq!(base_fare_usd_cents(0.0), 4_900);
        assert_eq!(base_fare_usd_cents(-5.0), 4_900);
    }

    #[test]
    fn peaks_cost_more_than_red_eyes() {
        let peak = demand_factor(hm(8, 0), Weekday::Fri);
        let midday = demand_factor(hm(12, 0), Weekday::Mon);
        let red_eye = demand_factor(hm(23, 30), Weekday::Tue);
        assert!(peak > midday && midday > red_eye);
        assert_eq!(midday, 1.0);
    }

    #[test]
    fn fares_are_rounded_to_the_currency_s_display_step() {
        assert_eq!(fare_in(12_345, currency("USD"), 1.0).amount_minor(), 12_300);
        assert_eq!(
            fare_in(12_345, currency("JPY"), 150.0).amount_minor(),
            18_500
        );
        assert_eq!(
            fare_in(12_345, currency("INR"), 83.0).amount_minor(),
            1_025_000
        );
        assert_eq!(
            fare_in(12_345, currency("KWD"), 0.31).amount_minor(),
            38_000
        );
        // Never rounds a fare down to nothing.
        assert_eq!(fare_in(1, currency("KRW"), 1_350.0).amount_minor(), 1_000);
    }
}
