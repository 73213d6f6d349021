//! Text and groupings the app derives from the API's numbers and domain types: durations,
//! day offsets, money in a form field without `Intl`, which tab of My trips a booking is
//! in. Locale-aware formatting of dates and money uses the browser's `Intl` in the app;
//! these are the parts that need no browser.

use airline_booking::saga::BookingStatus;
use chrono::{DateTime, Utc};

use crate::{Locale, Msg};

/// "7h 05m" / "7 Std. 05 Min.".
pub fn duration(minutes: i64, locale: Locale) -> String {
    let (hours, rest) = (minutes / 60, minutes % 60);
    match locale {
        Locale::En => format!("{hours}h {rest:02}m"),
        Locale::De => format!("{hours} Std. {rest:02} Min."),
    }
}

/// "+1 day" under an arrival the next calendar day; nothing for the same day.
pub fn day_offset(days: i64, locale: Locale) -> Option<String> {
    match days {
        0 => None,
        d if d > 0 => Some(Msg::NextDay.fill(locale, &[&d.to_string()])),
        d => Some(d.to_string()),
    }
}

/// Major units as a decimal string for a form field: 12345 minor with 2 decimals is
/// "123.45"; JPY (0 decimals) stays whole.
pub fn minor_to_major(amount: i64, decimals: u32) -> String {
    if decimals == 0 {
        return amount.to_string();
    }
    let scale = 10i64.pow(decimals);
    let sign = if amount < 0 { "-" } else { "" };
    let abs = amount.unsigned_abs();
    let scale = scale.unsigned_abs();
    format!(
        "{sign}{}.{:0width$}",
        abs / scale,
        abs % scale,
        width = decimals as usize
    )
}

/// A typed amount ("450", "450.5", "450,50") to minor units; `None` if it is not money.
pub fn major_to_minor(text: &str, decimals: u32) -> Option<i64> {
    let text = text.trim().replace(',', ".");
    if text.is_empty() {
        return None;
    }
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    if fraction.len() > decimals as usize
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b.is_ascii_digit())
        || whole.is_empty()
    {
        return None;
    }
    let scale = 10i64.checked_pow(decimals)?;
    let whole: i64 = whole.parse().ok()?;
    let padded = format!("{fraction:0<width$}", width = decimals as usize);
    let fraction: i64 = if padded.is_empty() {
        0
    } else {
        padded.parse().ok()?
    };
    whole.checked_mul(scale)?.checked_add(fraction)
}

/// Which tab of My trips a booking belongs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TripGroup {
    Upcoming,
    Past,
    Cancelled,
}

impl TripGroup {
    pub const ALL: [TripGroup; 3] = [TripGroup::Upcoming, TripGroup::Past, TripGroup::Cancelled];

    pub fn key(self) -> &'static str {
        match self {
            Self::Upcoming => "upcoming",
            Self::Past => "past",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn from_key(key: &str) -> TripGroup {
        Self::ALL
            .into_iter()
            .find(|group| group.key() == key)
            .unwrap_or(Self::Upcoming)
    }

    pub fn label(self) -> Msg {
        match self {
            Self::Upcoming => Msg::Upcoming,
            Self::Past => Msg::Past,
            Self::Cancelled => Msg::Cancelled,
        }
    }

    /// A booking's group from its status and when its first flight leaves (`None` for a
    /// booking with no flights, which has nothing to wait for) against now.
    pub fn of(
        status: BookingStatus,
        first_departure: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> TripGroup {
        match (status, first_departure) {
            (BookingStatus::Cancelled, _) => Self::Cancelled,
            (_, Some(departure)) if departure >= now => Self::Upcoming,
            _ => Self::Past,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally_in_each_language() {
        assert_eq!(duration(425, Locale::En), "7h 05m");
        assert_eq!(duration(60, Locale::De), "1 Std. 00 Min.");
    }

    #[test]
    fn day_offsets_show_only_when_the_date_changes() {
        assert_eq!(day_offset(0, Locale::En), None);
        assert_eq!(day_offset(1, Locale::En).as_deref(), Some("+1 day"));
        assert_eq!(day_offset(1, Locale::De).as_deref(), Some("+1 Tag"));
        assert_eq!(day_offset(-1, Locale::En).as_deref(), Some("-1"));
    }

    #[test]
    fn money_round_trips_between_minor_units_and_form_text() {
        assert_eq!(minor_to_major(12345, 2), "123.45");
        assert_eq!(minor_to_major(5, 2), "0.05");
        assert_eq!(minor_to_major(15000, 0), "15000");
        assert_eq!(major_to_minor("123.45", 2), Some(12345));
        assert_eq!(major_to_minor("450", 2), Some(45000));
        assert_eq!(major_to_minor("450,5", 2), Some(45050));
        assert_eq!(major_to_minor("15000", 0), Some(15000));
        assert_eq!(major_to_minor("1.5", 0), None);
        assert_eq!(major_to_minor("12.345", 2), None);
        assert_eq!(major_to_minor("-3", 2), None);
        assert_eq!(major_to_minor("", 2), None);
        assert_eq!(major_to_minor("99999999999999999999", 2), None);
    }

    fn utc(text: &str) -> DateTime<Utc> {
        airline_domain::parse_utc("test", text).unwrap()
    }

    #[test]
    fn trips_are_grouped_by_status_and_departure() {
        let now = utc("2026-12-03T10:00:00Z");
        let later = Some(utc("2026-12-10T08:00:00Z"));
        let earlier = Some(utc("2026-12-01T08:00:00Z"));
        assert_eq!(
            TripGroup::of(BookingStatus::Confirmed, later, now),
            TripGroup::Upcoming
        );
        assert_eq!(
            TripGroup::of(BookingStatus::Unconfirmed, later, now),
            TripGroup::Upcoming
        );
        assert_eq!(
            TripGroup::of(BookingStatus::Confirmed, earlier, now),
            TripGroup::Past
        );
        assert_eq!(
            TripGroup::of(BookingStatus::Cancelled, later, now),
            TripGroup::Cancelled
        );
        assert_eq!(
            TripGroup::of(BookingStatus::Cancelled, earlier, now),
            TripGroup::Cancelled
        );
        // Leaving this very second is still to come.
        assert_eq!(
            TripGroup::of(BookingStatus::Confirmed, Some(now), now),
            TripGroup::Upcoming
        );
        // Instants compare as instants, whatever offset the API wrote them with.
        assert_eq!(
            TripGroup::of(
                BookingStatus::Confirmed,
                Some(utc("2026-12-03T11:30:00+02:00")),
                now
            ),
            TripGroup::Past
        );
        assert_eq!(
            TripGroup::of(BookingStatus::Confirmed, None, now),
            TripGroup::Past
        );
        assert_eq!(TripGroup::from_key("past"), TripGroup::Past);
        assert_eq!(TripGroup::from_key("nonsense"), TripGroup::Upcoming);
    }
}
