//! Calendar dates and clock times as travellers read them: in the zone of the airport.
//!
//! Instants are stored in UTC; a local date or time exists only together with an IANA
//! zone. The hard cases live here: a local day is 23 or 25 hours long across a DST
//! change, and a local midnight may not exist at all in zones that shift at 00:00.

use std::fmt;
use std::str::FromStr;

use chrono::{
    DateTime, Duration, NaiveDate, NaiveTime, SecondsFormat, TimeZone as _, Timelike, Utc,
};
use chrono_tz::Tz;

use crate::InputError;

/// An IANA time zone known to the tz database compiled into this binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeZone(Tz);

impl TimeZone {
    pub fn parse(field: &'static str, name: &str) -> Result<Self, InputError> {
        Tz::from_str(name.trim())
            .map(Self)
            .map_err(|_| InputError::new(field, format!("`{name}` is not an IANA time zone")))
    }

    pub fn name(&self) -> &'static str {
        self.0.name()
    }

    /// The wall-clock reading of `instant` in this zone, with its UTC offset.
    pub fn local(&self, instant: DateTime<Utc>) -> DateTime<Tz> {
        instant.with_timezone(&self.0)
    }

    /// The calendar date it is in this zone at `instant`.
    pub fn date_at(&self, instant: DateTime<Utc>) -> LocalDate {
        LocalDate(self.local(instant).date_naive())
    }

    /// The first instant of `date` in this zone.
    ///
    /// Where local midnight is skipped by a DST change (e.g. America/Santiago in
    /// September), the day starts at the first wall-clock time that exists.
    pub fn start_of_day(&self, date: LocalDate) -> DateTime<Utc> {
        let midnight = date.0.and_time(NaiveTime::MIN);
        // DST gaps are at most two hours anywhere in the tz database; look in 15 minute
        // steps for the first local time that exists.
        for step in 0..=8 {
            let candidate = midnight + Duration::minutes(15 * step);
            if let Some(start) = self.0.from_local_datetime(&candidate).earliest() {
                return start.with_timezone(&Utc);
            }
        }
        // Unreachable with real tz data; fall back to reading the date as UTC rather than
        // failing a search.
        midnight.and_utc()
    }

    /// The instant the wall clock reads `time` on `date` in this zone; the earlier one
    /// when the reading happens twice (DST fall-back), `None` when it never happens
    /// (inside a spring-forward gap).
    pub fn instant_at(&self, date: LocalDate, time: LocalTimeOfDay) -> Option<DateTime<Utc>> {
        let minutes = u32::from(time.minutes_since_midnight());
        let local = date.0.and_hms_opt(minutes / 60, minutes % 60, 0)?;
        self.0
            .from_local_datetime(&local)
            .earliest()
            .map(|instant| instant.with_timezone(&Utc))
    }

    /// The half-open UTC interval `[start, end)` covering the local calendar `date`.
    /// It is 24 hours long on most days and 23 or 25 hours across a DST change.
    pub fn day_window(&self, date: LocalDate) -> (DateTime<Utc>, DateTime<Utc>) {
        let start = self.start_of_day(date);
        let end = match date.0.succ_opt() {
            Some(next) => self.start_of_day(LocalDate(next)),
            None => start + Duration::days(1),
        };
        (start, end)
    }

    /// The wall-clock time of day of `instant` in this zone, to the minute.
    pub fn time_of_day(&self, instant: DateTime<Utc>) -> LocalTimeOfDay {
        let local = self.local(instant);
        LocalTimeOfDay {
            minutes: (local.hour() * 60 + local.minute()) as u16,
        }
    }
}

impl fmt::Display for TimeZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A calendar date with no zone attached, as `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LocalDate(NaiveDate);

impl LocalDate {
    /// Parses exactly `YYYY-MM-DD`; anything else (`2026-1-5`, `05/01/2026`, a time) is
    /// rejected rather than guessed at.
    pub fn parse(field: &'static str, text: &str) -> Result<Self, InputError> {
        let well_formed = text.len() == 10
            && text.bytes().enumerate().all(|(i, b)| match i {
                4 | 7 => b == b'-',
                _ => b.is_ascii_digit(),
            });
        let date = well_formed
            .then(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok())
            .flatten();
        date.map(Self).ok_or_else(|| {
            InputError::new(
                field,
                format!("`{text}` is not a calendar date in the form YYYY-MM-DD"),
            )
        })
    }

    pub fn from_naive(date: NaiveDate) -> Self {
        Self(date)
    }

    pub fn naive(&self) -> NaiveDate {
        self.0
    }

    /// Whole days from `self` to `later` (negative when `later` is earlier).
    pub fn days_until(&self, later: LocalDate) -> i64 {
        (later.0 - self.0).num_days()
    }

    pub fn plus_days(&self, days: i64) -> Option<LocalDate> {
        self.0.checked_add_signed(Duration::days(days)).map(Self)
    }
}

impl fmt::Display for LocalDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d"))
    }
}

/// A wall-clock time of day, to the minute, as `HH:MM` (00:00 to 23:59, or 24:00 meaning
/// "end of day" so that a `departBefore: "24:00"` filter reads naturally).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LocalTimeOfDay {
    minutes: u16,
}

impl LocalTimeOfDay {
    pub const START_OF_DAY: Self = Self { minutes: 0 };
    pub const END_OF_DAY: Self = Self { minutes: 24 * 60 };

    pub fn parse(field: &'static str, text: &str) -> Result<Self, InputError> {
        let bad = || InputError::new(field, format!("`{text}` is not a time of day as HH:MM"));
        let bytes = text.as_bytes();
        if bytes.len() != 5 || bytes[2] != b':' {
            return Err(bad());
        }
        let number = |digits: &[u8]| -> Option<u16> {
            digits.iter().try_fold(0u16, |acc, b| {
                b.is_ascii_digit().then(|| acc * 10 + u16::from(b - b'0'))
            })
        };
        let (hours, minutes) = match (number(&bytes[..2]), number(&bytes[3..])) {
            (Some(h), Some(m)) => (h, m),
            _ => return Err(bad()),
        };
        let valid = minutes < 60 && (hours < 24 || (hours == 24 && minutes == 0));
        if !valid {
            return Err(bad());
        }
        Ok(Self {
            minutes: hours * 60 + minutes,
        })
    }

    pub fn from_hm(hours: u16, minutes: u16) -> Option<Self> {
        (hours < 24 && minutes < 60).then_some(Self {
            minutes: hours * 60 + minutes,
        })
    }

    pub fn minutes_since_midnight(&self) -> u16 {
        self.minutes
    }
}

impl fmt::Display for LocalTimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.minutes / 60, self.minutes % 60)
    }
}

/// The one text form of an instant everywhere it is stored or sent (D1, the API, events,
/// cursors): RFC 3339 in UTC to the second, `YYYY-MM-DDTHH:MM:SSZ`, which also sorts as text.
pub fn utc_text(instant: DateTime<Utc>) -> String {
    instant.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// An instant in any RFC 3339 form (an offset is converted to UTC); `field` names the input
/// in the error.
pub fn parse_utc(field: &'static str, text: &str) -> Result<DateTime<Utc>, InputError> {
    DateTime::parse_from_rfc3339(text)
        .map(|instant| instant.with_timezone(&Utc))
        .map_err(|_| InputError::new(field, format!("`{text}` is not an RFC 3339 instant")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn zone(name: &str) -> TimeZone {
        TimeZone::parse("timeZone", name).unwrap()
    }

    fn date(text: &str) -> LocalDate {
        LocalDate::parse("date", text).unwrap()
    }

    #[test]
    fn dates_parse_only_in_the_iso_form() {
        assert_eq!(date("2026-03-29").to_string(), "2026-03-29");
        for bad in [
            "2026-3-29",
            "29/03/2026",
            "2026-02-30",
            "2026-13-01",
            "2026-03-29T00:00",
            "",
            "２０２６-03-29",
            "+2026-03-2",
        ] {
            let error = LocalDate::parse("date", bad).unwrap_err();
            assert_eq!(error.field, "date", "{bad}");
        }
    }

    #[test]
    fn unknown_zones_are_rejected() {
        assert!(TimeZone::parse("timeZone", "Europe/Atlantis").is_err());
        assert_eq!(zone("Europe/London").name(), "Europe/London");
    }

    /// Only the catalog's zones are built in (CHRONO_TZ_TIMEZONE_FILTER in
    /// .cargo/config.toml): a real zone no airport uses is not there.
    #[test]
    fn only_the_catalogs_zones_are_shipped() {
        assert!(TimeZone::parse("timeZone", "Asia/Kabul").is_err());
        assert!(TimeZone::parse("timeZone", "UTC").is_ok());
    }

    #[test]
    fn an_ordinary_day_is_24_hours_starting_at_local_midnight() {
        let (start, end) = zone("Asia/Tokyo").day_window(date("2026-12-01"));
        assert_eq!(start, utc("2026-11-30T15:00:00Z"));
        assert_eq!(end - start, Duration::hours(24));
    }

    #[test]
    fn the_spring_forward_day_is_23_hours_long() {
        // Europe/London moves from GMT to BST at 01:00 UTC on 2026-03-29.
        let (start, end) = zone("Europe/London").day_window(date("2026-03-29"));
        assert_eq!(start, utc("2026-03-29T00:00:00Z"));
        assert_eq!(end, utc("2026-03-29T23:00:00Z"));
        assert_eq!(end - start, Duration::hours(23));
    }

    #[test]
    fn the_fall_back_day_is_25_hours_long() {
        // America/New_York moves from EDT to EST on 2026-11-01.
        let (start, end) = zone("America/New_York").day_window(date("2026-11-01"));
        assert_eq!(start, utc("2026-11-01T04:00:00Z"));
        assert_eq!(end, utc("2026-11-02T05:00:00Z"));
        assert_eq!(end - start, Duration::hours(25));
    }

    #[test]
    fn a_day_whose_midnight_does_not_exist_starts_at_the_first_real_minute() {
        // America/Santiago springs forward at local midnight on 2026-09-06: 00:00 -> 01:00.
        let santiago = zone("America/Santiago");
        let start = santiago.start_of_day(date("2026-09-06"));
        assert_eq!(
            santiago.local(start).to_rfc3339(),
            "2026-09-06T01:00:00-03:00"
        );
        let (_, end) = santiago.day_window(date("2026-09-05"));
        assert_eq!(end, start, "consecutive days tile without gap or overlap");
    }

    #[test]
    fn local_times_carry_the_offset_in_force_at_that_instant() {
        let london = zone("Europe/London");
        assert_eq!(
            london.local(utc("2026-03-29T00:30:00Z")).to_rfc3339(),
            "2026-03-29T00:30:00+00:00"
        );
        assert_eq!(
            london.local(utc("2026-03-29T01:30:00Z")).to_rfc3339(),
            "2026-03-29T02:30:00+01:00"
        );
    }

    #[test]
    fn the_local_date_depends_on_the_zone() {
        let instant = utc("2026-11-24T23:30:00Z");
        assert_eq!(zone("Europe/Berlin").date_at(instant), date("2026-11-25"));
        assert_eq!(zone("America/Denver").date_at(instant), date("2026-11-24"));
    }

    #[test]
    fn wall_clock_readings_in_gaps_and_overlaps() {
        let london = zone("Europe/London");
        let at = |d: &str, h, m| london.instant_at(date(d), LocalTimeOfDay::from_hm(h, m).unwrap());
        assert_eq!(at("2026-03-29", 1, 30), None, "01:30 is skipped in spring");
        assert_eq!(
            at("2026-10-25", 1, 30),
            Some(utc("2026-10-25T00:30:00Z")),
            "earlier of two"
        );
        assert_eq!(at("2026-11-24", 9, 5), Some(utc("2026-11-24T09:05:00Z")));
    }

    #[test]
    fn times_of_day_parse_strictly() {
        assert_eq!(
            LocalTimeOfDay::parse("t", "07:05")
                .unwrap()
                .minutes_since_midnight(),
            425
        );
        assert_eq!(
            LocalTimeOfDay::parse("t", "24:00").unwrap(),
            LocalTimeOfDay::END_OF_DAY
        );
        for bad in [
            "7:05", "07:60", "24:01", "25:00", "ab:cd", "07-05", "", "07:05:00",
        ] {
            assert!(LocalTimeOfDay::parse("t", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn instants_are_written_one_way_and_read_in_any_rfc_3339_form() {
        let at = super::parse_utc("at", "2026-03-29T03:30:00+02:00").unwrap();
        assert_eq!(super::utc_text(at), "2026-03-29T01:30:00Z");
        assert_eq!(super::parse_utc("at", "2026-03-29T01:30:00Z"), Ok(at));
        assert_eq!(super::parse_utc("at", "yesterday").unwrap_err().field, "at");
    }
}
