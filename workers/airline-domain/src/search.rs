//! The flight search rules: what a valid search is, which flights match it, in what
//! order they come, and how a traveller pages through them with opaque cursors.
//!
//! The store fetches one route's departures on one local day (an index lookup, a few
//! dozen rows at most); filtering, ordering and paging happen here, in plain Rust.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, Utc};

use crate::{Airport, AirportCode, Flight, FlightStatus, InputError, LocalDate, LocalTimeOfDay};

/// How far ahead the timetable can be searched.
pub const MAX_DAYS_AHEAD: i64 = 365;
/// Passengers on one booking, as airlines allow online: the one limit the search, the
/// booking plan, the seat map and the web form all use.
pub const MAX_PASSENGERS: u32 = 9;
pub const DEFAULT_PAGE_SIZE: usize = 20;
pub const MAX_PAGE_SIZE: usize = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortOrder {
    /// Cheapest fare first; equal fares by earlier departure.
    #[default]
    Price,
    /// Earliest departure first.
    Departure,
    /// Shortest flight first; equal durations by earlier departure.
    Duration,
}

impl SortOrder {
    fn tag(self) -> &'static str {
        match self {
            Self::Price => "p",
            Self::Departure => "d",
            Self::Duration => "t",
        }
    }

    /// The total order flights are listed in: never two flights with equal keys, because
    /// the flight id breaks every tie. That is what makes cursors stable.
    fn key(self, flight: &Flight) -> SortKey {
        let departure = flight.departure.timestamp();
        let (primary, secondary) = match self {
            Self::Price => (flight.fare.amount_minor(), departure),
            Self::Departure => (departure, 0),
            Self::Duration => (flight.duration().num_minutes(), departure),
        };
        SortKey {
            primary,
            secondary,
            id: flight.id.as_str().to_owned(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct SortKey {
    primary: i64,
    secondary: i64,
    id: String,
}

/// A position in one search's result list, opaque to clients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchCursor {
    sort: SortOrder,
    key: SortKey,
}

impl SearchCursor {
    const VERSION: &'static str = "v1";

    pub fn encode(&self) -> String {
        let plain = format!(
            "{}:{}:{}:{}:{}",
            Self::VERSION,
            self.sort.tag(),
            self.key.primary,
            self.key.secondary,
            self.key.id
        );
        URL_SAFE_NO_PAD.encode(plain)
    }

    pub fn decode(field: &'static str, text: &str) -> Result<Self, InputError> {
        let bad = || InputError::new(field, "is not a cursor returned by this search");
        let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| bad())?;
        let plain = String::from_utf8(bytes).map_err(|_| bad())?;
        let mut parts = plain.splitn(5, ':');
        let (Some(version), Some(tag), Some(primary), Some(secondary), Some(id)) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(bad());
        };
        if version != Self::VERSION || id.is_empty() {
            return Err(bad());
        }
        let sort = [SortOrder::Price, SortOrder::Departure, SortOrder::Duration]
            .into_iter()
            .find(|sort| sort.tag() == tag)
            .ok_or_else(bad)?;
        Ok(Self {
            sort,
            key: SortKey {
                primary: primary.parse().map_err(|_| bad())?,
                secondary: secondary.parse().map_err(|_| bad())?,
                id: id.to_owned(),
            },
        })
    }
}

/// Optional narrowing of a search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchFilter {
    /// Highest fare per passenger, in minor units of the route's fare currency.
    pub max_price_minor: Option<i64>,
    /// Earliest local departure time at the origin, inclusive.
    pub depart_after: LocalTimeOfDay,
    /// Latest local departure time at the origin, inclusive.
    pub depart_before: LocalTimeOfDay,
}

impl Default for SearchFilter {
    fn default() -> Self {
        Self {
            max_price_minor: None,
            depart_after: LocalTimeOfDay::START_OF_DAY,
            depart_before: LocalTimeOfDay::END_OF_DAY,
        }
    }
}

/// A search as the client sent it, before anything is checked.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest<'a> {
    pub from: &'a str,
    pub to: &'a str,
    pub date: &'a str,
    pub passengers: i64,
    pub sort: SortOrder,
    pub max_price: Option<i64>,
    pub depart_after: Option<&'a str>,
    pub depart_before: Option<&'a str>,
    pub first: Option<i64>,
    pub after: Option<&'a str>,
}

/// A well-formed search: every field parsed, every rule that needs no data checked.
#[derive(Debug, Clone, PartialEq)]
pub struct FlightSearch {
    pub from: AirportCode,
    pub to: AirportCode,
    /// Local calendar date at the departure airport.
    pub date: LocalDate,
    pub passengers: u32,
    pub sort: SortOrder,
    pub filter: SearchFilter,
    pub first: usize,
    pub after: Option<SearchCursor>,
}

impl FlightSearch {
    pub fn parse(request: &SearchRequest<'_>) -> Result<Self, InputError> {
        let from = AirportCode::parse("from", request.from)?;
        let to = AirportCode::parse("to", request.to)?;
        if from == to {
            return Err(InputError::new(
                "to",
                "must be a different airport from `from`",
            ));
        }
        let date = LocalDate::parse("date", request.date)?;
        let passengers = u32::try_from(request.passengers)
            .ok()
            .filter(|n| (1..=MAX_PASSENGERS).contains(n))
            .ok_or_else(|| {
                InputError::new(
                    "passengers",
                    format!("must be between 1 and {MAX_PASSENGERS}"),
                )
            })?;
        let first = match request.first {
            None => DEFAULT_PAGE_SIZE,
            Some(n) => usize::try_from(n)
                .ok()
                .filter(|n| (1..=MAX_PAGE_SIZE).contains(n))
                .ok_or_else(|| {
                    InputError::new("first", format!("must be between 1 and {MAX_PAGE_SIZE}"))
                })?,
        };
        let after = request
            .after
            .map(|text| SearchCursor::decode("after", text))
            .transpose()?;
        if let Some(cursor) = &after {
            if cursor.sort != request.sort {
                return Err(InputError::new(
                    "after",
                    "belongs to a search with a different sort order",
                ));
            }
        }
        if let Some(max) = request.max_price {
            if max < 0 {
                return Err(InputError::new("filter.maxPrice", "must not be negative"));
            }
        }
        let depart_after = request
            .depart_after
            .map(|t| LocalTimeOfDay::parse("filter.departAfter", t))
            .transpose()?
            .unwrap_or(LocalTimeOfDay::START_OF_DAY);
        let depart_before = request
            .depart_before
            .map(|t| LocalTimeOfDay::parse("filter.departBefore", t))
            .transpose()?
            .unwrap_or(LocalTimeOfDay::END_OF_DAY);
        if depart_after > depart_before {
            return Err(InputError::new(
                "filter.departBefore",
                "must not be earlier than filter.departAfter",
            ));
        }
        Ok(Self {
            from,
            to,
            date,
            passengers,
            sort: request.sort,
            filter: SearchFilter {
                max_price_minor: request.max_price,
                depart_after,
                depart_before,
            },
            first,
            after,
        })
    }

    /// Rules that need the origin airport: the date is read in its zone, so "today" in
    /// Auckland may be "tomorrow" in Honolulu.
    pub fn check_date(&self, origin: &Airport, now: DateTime<Utc>) -> Result<(), InputError> {
        let today = origin.time_zone.date_at(now);
        let days_ahead = today.days_until(self.date);
        if days_ahead < 0 {
            return Err(InputError::new(
                "date",
                format!(
                    "{} is in the past at {} (it is {} there)",
                    self.date, origin.code, today
                ),
            ));
        }
        if days_ahead > MAX_DAYS_AHEAD {
            return Err(InputError::new(
                "date",
                format!("must be within {MAX_DAYS_AHEAD} days from today"),
            ));
        }
        Ok(())
    }

    /// The UTC interval to fetch departures for: the whole local day at the origin.
    pub fn departure_window(&self, origin: &Airport) -> (DateTime<Utc>, DateTime<Utc>) {
        origin.time_zone.day_window(self.date)
    }

    /// A UTC interval that holds the local day `date` in every time zone on Earth (UTC-12
    /// to UTC+14): the departures can be fetched before the origin's zone is known, in the
    /// same query that brings it, and [`FlightSearch::in_window`] narrows them afterwards.
    pub fn widest_window(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        let midnight = self.date.naive().and_time(chrono::NaiveTime::MIN).and_utc();
        (
            midnight - chrono::Duration::hours(14),
            midnight + chrono::Duration::hours(24 + 12),
        )
    }

    /// The departures (fetched for [`FlightSearch::widest_window`]) that leave on the
    /// searched local day at `origin`.
    pub fn in_window(&self, origin: &Airport, departures: Vec<Flight>) -> Vec<Flight> {
        let (start, end) = self.departure_window(origin);
        departures
            .into_iter()
            .filter(|flight| start <= flight.departure && flight.departure < end)
            .collect()
    }

    fn matches(&self, flight: &Flight, now: DateTime<Utc>) -> bool {
        let local_time = flight.origin.time_zone.time_of_day(flight.departure);
        flight.status == FlightStatus::Scheduled
            && flight.departure > now
            && flight.seats_available >= self.passengers
            && local_time >= self.filter.depart_after
            && local_time <= self.filter.depart_before
            && self
                .filter
                .max_price_minor
                .is_none_or(|max| flight.fare.amount_minor() <= max)
    }

    /// Filters, orders and pages `departures` (one route, one local day, in any order).
    pub fn select(&self, departures: Vec<Flight>, now: DateTime<Utc>) -> SearchPage {
        let mut matching: Vec<(SortKey, Flight)> = departures
            .into_iter()
            .filter(|flight| self.matches(flight, now))
            .map(|flight| (self.sort.key(&flight), flight))
            .collect();
        matching.sort_by(|a, b| a.0.cmp(&b.0));
        let total_count = matching.len();
        let start = match &self.after {
            Some(cursor) => matching.partition_point(|(key, _)| *key <= cursor.key),
            None => 0,
        };
        let remaining = matching.len() - start;
        let edges = matching
            .into_iter()
            .skip(start)
            .take(self.first)
            .map(|(key, flight)| {
                let cursor = SearchCursor {
                    sort: self.sort,
                    key,
                };
                (cursor, flight)
            })
            .collect();
        SearchPage {
            edges,
            total_count,
            has_next_page: remaining > self.first,
            has_previous_page: start > 0,
        }
    }
}

/// One page of search results.
#[derive(Debug, Clone)]
pub struct SearchPage {
    pub edges: Vec<(SearchCursor, Flight)>,
    /// Flights matching the search on all pages.
    pub total_count: usize,
    pub has_next_page: bool,
    pub has_previous_page: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flight::tests::{airport, flight};
    use chrono::Duration;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-24T08:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn request() -> SearchRequest<'static> {
        SearchRequest {
            from: "LHR",
            to: "JFK",
            date: "2026-11-25",
            passengers: 1,
            ..SearchRequest::default()
        }
    }

    fn search(request: SearchRequest<'_>) -> FlightSearch {
        FlightSearch::parse(&request).unwrap()
    }

    #[test]
    fn the_widest_window_holds_the_local_day_in_every_zone() {
        let searched = search(request());
        let (start, end) = searched.widest_window();
        // The catalog's easternmost and westernmost zones, and some between.
        for zone in [
            "Pacific/Auckland", // UTC+13 in the southern summer
            "Asia/Kathmandu",
            "Europe/London",
            "America/New_York",
            "Pacific/Honolulu", // UTC-10
        ] {
            let origin = airport("XXX", zone);
            let (day_start, day_end) = searched.departure_window(&origin);
            assert!(
                start <= day_start && day_end <= end,
                "{zone}: {day_start}..{day_end} not in {start}..{end}"
            );
        }
    }

    #[test]
    fn departures_are_narrowed_to_the_origins_local_day() {
        let searched = search(request()); // LHR, 2026-11-25
        let origin = airport("LHR", "Europe/London");
        let departures = vec![
            flight("EA1", "2026-11-24T23:59:00Z", 420, 10_000), // the day before in London
            flight("EA2", "2026-11-25T00:00:00Z", 420, 10_000),
            flight("EA3", "2026-11-25T23:59:00Z", 420, 10_000),
            flight("EA4", "2026-11-26T00:00:00Z", 420, 10_000), // the day after
        ];
        let kept: Vec<String> = searched
            .in_window(&origin, departures)
            .into_iter()
            .map(|f| f.number.to_string())
            .collect();
        assert_eq!(kept, ["EA2", "EA3"]);
    }

    fn error(request: SearchRequest<'_>) -> InputError {
        FlightSearch::parse(&request).unwrap_err()
    }

    fn day() -> Vec<Flight> {
        vec![
            flight("EA10", "2026-11-25T08:00:00Z", 470, 52_000),
            flight("EA12", "2026-11-25T11:00:00Z", 450, 39_000),
            flight("EA14", "2026-11-25T14:00:00Z", 465, 39_000),
            flight("EA16", "2026-11-25T18:30:00Z", 440, 61_000),
            flight("EA18", "2026-11-25T21:00:00Z", 455, 33_000),
        ]
    }

    fn numbers(page: &SearchPage) -> Vec<String> {
        page.edges
            .iter()
            .map(|(_, f)| f.number.to_string())
            .collect()
    }

    #[test]
    fn each_bad_argument_is_named_in_its_error() {
        let cases: Vec<(SearchRequest<'static>, &str)> = vec![
            (
                SearchRequest {
                    from: "LH",
                    ..request()
                },
                "from",
            ),
            (
                SearchRequest {
                    to: "J1K",
                    ..request()
                },
                "to",
            ),
            (
                SearchRequest {
                    to: "lhr",
                    ..request()
                },
                "to",
            ),
            (
                SearchRequest {
                    date: "25/11/2026",
                    ..request()
                },
                "date",
            ),
            (
                SearchRequest {
                    passengers: 0,
                    ..request()
                },
                "passengers",
            ),
            (
                SearchRequest {
                    passengers: 10,
                    ..request()
                },
                "passengers",
            ),
            (
                SearchRequest {
                    passengers: -1,
                    ..request()
                },
                "passengers",
            ),
            (
                SearchRequest {
                    first: Some(0),
                    ..request()
                },
                "first",
            ),
            (
                SearchRequest {
                    first: Some(51),
                    ..request()
                },
                "first",
            ),
            (
                SearchRequest {
                    after: Some("not-a-cursor"),
                    ..request()
                },
                "after",
            ),
            (
                SearchRequest {
                    max_price: Some(-1),
                    ..request()
                },
                "filter.maxPrice",
            ),
            (
                SearchRequest {
                    depart_after: Some("7am"),
                    ..request()
                },
                "filter.departAfter",
            ),
            (
                SearchRequest {
                    depart_after: Some("18:00"),
                    depart_before: Some("09:00"),
                    ..request()
                },
                "filter.departBefore",
            ),
        ];
        for (request, field) in cases {
            assert_eq!(error(request.clone()).field, field, "{request:?}");
        }
    }

    #[test]
    fn dates_are_checked_in_the_origin_s_zone() {
        // At 2026-11-24T08:00Z it is already the 24th in London and still the 23rd in
        // Honolulu.
        let now = now();
        let london = airport("LHR", "Europe/London");
        let honolulu = airport("HNL", "Pacific/Honolulu");
        let on = |date: &'static str| search(SearchRequest { date, ..request() });
        assert!(on("2026-11-24").check_date(&london, now).is_ok());
        assert_eq!(
            on("2026-11-23").check_date(&london, now).unwrap_err().field,
            "date"
        );
        assert!(on("2026-11-23").check_date(&honolulu, now).is_ok());
        assert!(on("2027-11-24").check_date(&london, now).is_ok());
        assert!(on("2027-11-25").check_date(&london, now).is_err());
    }

    #[test]
    fn sorting_by_price_breaks_ties_by_departure() {
        let page = search(request()).select(day(), now());
        assert_eq!(numbers(&page), ["EA18", "EA12", "EA14", "EA10", "EA16"]);
        assert_eq!(page.total_count, 5);
        assert!(!page.has_next_page && !page.has_previous_page);
    }

    #[test]
    fn sorting_by_departure_and_by_duration() {
        let by_departure = search(SearchRequest {
            sort: SortOrder::Departure,
            ..request()
        });
        assert_eq!(
            numbers(&by_departure.select(day(), now())),
            ["EA10", "EA12", "EA14", "EA16", "EA18"]
        );
        let by_duration = search(SearchRequest {
            sort: SortOrder::Duration,
            ..request()
        });
        assert_eq!(
            numbers(&by_duration.select(day(), now())),
            ["EA16", "EA12", "EA18", "EA14", "EA10"]
        );
    }

    #[test]
    fn paging_returns_every_flight_exactly_once() {
        for sort in [SortOrder::Price, SortOrder::Departure, SortOrder::Duration] {
            let mut seen = Vec::new();
            let mut after: Option<String> = None;
            loop {
                let page = search(SearchRequest {
                    sort,
                    first: Some(2),
                    after: after.as_deref(),
                    ..request()
                })
                .select(day(), now());
                assert_eq!(page.has_previous_page, after.is_some());
                seen.extend(numbers(&page));
                if !page.has_next_page {
                    break;
                }
                after = page.edges.last().map(|(cursor, _)| cursor.encode());
            }
            let all = numbers(&search(SearchRequest { sort, ..request() }).select(day(), now()));
            assert_eq!(seen, all, "{sort:?}");
        }
    }

    #[test]
    fn a_cursor_survives_a_flight_disappearing_before_it() {
        let first_page = search(SearchRequest {
            first: Some(2),
            ..request()
        })
        .select(day(), now());
        let cursor = first_page.edges[1].0.encode();
        let mut fewer = day();
        fewer.retain(|f| f.number.to_string() != "EA18");
        let next = search(SearchRequest {
            after: Some(&cursor),
            ..request()
        })
        .select(fewer, now());
        assert_eq!(numbers(&next), ["EA14", "EA10", "EA16"]);
    }

    #[test]
    fn cursors_round_trip_and_reject_tampering() {
        let page = search(request()).select(day(), now());
        let cursor = &page.edges[2].0;
        assert_eq!(
            &SearchCursor::decode("after", &cursor.encode()).unwrap(),
            cursor
        );
        let tampered = URL_SAFE_NO_PAD.encode("v9:p:1:2:EA1-20261125");
        assert!(SearchCursor::decode("after", &tampered).is_err());
        assert!(SearchCursor::decode("after", "%%%").is_err());
        assert!(SearchCursor::decode("after", &URL_SAFE_NO_PAD.encode("v1:p:x:2:A")).is_err());
        let by_departure = cursor.encode();
        let error = error(SearchRequest {
            sort: SortOrder::Departure,
            after: Some(&by_departure),
            ..request()
        });
        assert_eq!(error.field, "after");
    }

    #[test]
    fn filters_narrow_by_local_time_price_seats_and_status() {
        // London is on GMT in November, so local times equal UTC here.
        let window = search(SearchRequest {
            depart_after: Some("11:00"),
            depart_before: Some("18:30"),
            ..request()
        });
        assert_eq!(
            numbers(&window.select(day(), now())),
            ["EA12", "EA14", "EA16"]
        );

        let cheap = search(SearchRequest {
            max_price: Some(39_000),
            ..request()
        });
        assert_eq!(
            numbers(&cheap.select(day(), now())),
            ["EA18", "EA12", "EA14"]
        );

        let mut flights = day();
        flights[1].seats_available = 2; // EA12
        flights[2].status = FlightStatus::Cancelled; // EA14
        let three = search(SearchRequest {
            passengers: 3,
            ..request()
        });
        assert_eq!(
            numbers(&three.select(flights, now())),
            ["EA18", "EA10", "EA16"]
        );
    }

    #[test]
    fn flights_that_already_left_are_not_offered() {
        let later = now() + Duration::days(1) + Duration::hours(4); // 2026-11-25T12:00Z
        let page = search(request()).select(day(), later);
        assert_eq!(numbers(&page), ["EA18", "EA14", "EA16"]);
    }

    #[test]
    fn the_fetch_window_is_the_local_day_at_the_origin() {
        let tokyo = airport("HND", "Asia/Tokyo");
        let (start, end) = search(request()).departure_window(&tokyo);
        assert_eq!(start.to_rfc3339(), "2026-11-24T15:00:00+00:00");
        assert_eq!(end - start, Duration::hours(24));
    }
}
