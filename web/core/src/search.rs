//! A flight search as the traveller states it, and its home in the URL: the search page,
//! the results, reload, Back and a shared link all read the same query string.

use airline_domain::search::{MAX_DAYS_AHEAD, MAX_PASSENGERS};
use chrono::{Duration, NaiveDate};

use crate::Msg;

/// Which input a problem belongs to, so the message sits next to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchField {
    From,
    To,
    Date,
    Return,
    Passengers,
}

impl SearchField {
    /// The input a GraphQL `extensions.field` names, when it is one of the search's.
    pub fn from_api(field: &str) -> Option<SearchField> {
        match field {
            "from" => Some(Self::From),
            "to" => Some(Self::To),
            "date" => Some(Self::Date),
            "passengers" => Some(Self::Passengers),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    Price,
    Departure,
    Duration,
}

impl Sort {
    pub const ALL: [Sort; 3] = [Sort::Price, Sort::Departure, Sort::Duration];

    /// The URL spelling.
    pub fn key(self) -> &'static str {
        match self {
            Self::Price => "price",
            Self::Departure => "departure",
            Self::Duration => "duration",
        }
    }

    pub fn from_key(key: &str) -> Option<Sort> {
        Self::ALL.into_iter().find(|sort| sort.key() == key)
    }

    pub fn label(self) -> Msg {
        match self {
            Self::Price => Msg::SortPrice,
            Self::Departure => Msg::SortDeparture,
            Self::Duration => Msg::SortDuration,
        }
    }
}

/// Narrowing of a result list; each is optional.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Filters {
    /// Local departure window at the origin, `HH:MM`.
    pub depart_after: Option<String>,
    pub depart_before: Option<String>,
    /// Highest fare per person in minor units of the route's currency.
    pub max_price: Option<i64>,
}

/// A complete, valid search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Search {
    pub from: String,
    pub to: String,
    pub depart: NaiveDate,
    /// `Some` for a return trip.
    pub return_date: Option<NaiveDate>,
    pub passengers: u32,
    pub sort: Sort,
    pub filters: Filters,
}

/// The search form as typed: every value still text.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SearchDraft {
    pub from: String,
    pub to: String,
    pub depart: String,
    pub return_date: String,
    pub round_trip: bool,
    pub passengers: String,
}

impl SearchDraft {
    /// Checks every input at once (so every problem shows, not just the first) against the
    /// same limits the API enforces.
    pub fn validate(&self, today: NaiveDate) -> Result<Search, Vec<(SearchField, Msg)>> {
        let mut problems = Vec::new();
        let from = airport_code(&self.from);
        let to = airport_code(&self.to);
        if from.is_none() {
            problems.push((SearchField::From, Msg::ErrAirport));
        }
        match (&from, &to) {
            (_, None) => problems.push((SearchField::To, Msg::ErrAirport)),
            (Some(a), Some(b)) if a == b => problems.push((SearchField::To, Msg::ErrSameAirport)),
            _ => {}
        }
        let depart = check_date(&self.depart, today);
        if let Err(problem) = depart {
            problems.push((SearchField::Date, problem));
        }
        let return_date = if self.round_trip {
            match check_date(&self.return_date, today) {
                Ok(date) if depart.is_ok_and(|d| date < d) => {
                    problems.push((SearchField::Return, Msg::ErrReturnBefore));
                    None
                }
                Ok(date) => Some(date),
                Err(problem) => {
                    problems.push((SearchField::Return, problem));
                    None
                }
            }
        } else {
            None
        };
        let passengers = self
            .passengers
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=MAX_PASSENGERS).contains(n));
        if passengers.is_none() {
            problems.push((SearchField::Passengers, Msg::ErrPassengers));
        }
        match (from, to, depart, passengers) {
            (Some(from), Some(to), Ok(depart), Some(passengers)) if problems.is_empty() => {
                Ok(Search {
                    from,
                    to,
                    depart,
                    return_date,
                    passengers,
                    sort: Sort::default(),
                    filters: Filters::default(),
                })
            }
            _ => Err(problems),
        }
    }
}

fn airport_code(text: &str) -> Option<String> {
    let code = text.trim();
    (code.len() == 3 && code.bytes().all(|b| b.is_ascii_alphabetic()))
        .then(|| code.to_ascii_uppercase())
}

fn check_date(text: &str, today: NaiveDate) -> Result<NaiveDate, Msg> {
    let text = text.trim();
    if text.is_empty() {
        return Err(Msg::ErrDate);
    }
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| Msg::ErrDate)?;
    if date < today {
        Err(Msg::ErrPastDate)
    } else if date > today + Duration::days(MAX_DAYS_AHEAD) {
        Err(Msg::ErrFarDate)
    } else {
        Ok(date)
    }
}

/// The latest date the form offers (the `max` of its date inputs).
pub fn last_bookable_date(today: NaiveDate) -> NaiveDate {
    today + Duration::days(MAX_DAYS_AHEAD)
}

impl Search {
    /// The query string of the results page, in a fixed key order so equal searches have
    /// equal URLs.
    pub fn to_query(&self) -> String {
        let mut pairs = vec![
            ("from", self.from.clone()),
            ("to", self.to.clone()),
            ("date", self.depart.to_string()),
        ];
        if let Some(date) = self.return_date {
            pairs.push(("return", date.to_string()));
        }
        pairs.push(("passengers", self.passengers.to_string()));
        if self.sort != Sort::default() {
            pairs.push(("sort", self.sort.key().to_owned()));
        }
        if let Some(after) = &self.filters.depart_after {
            pairs.push(("after", after.clone()));
        }
        if let Some(before) = &self.filters.depart_before {
            pairs.push(("before", before.clone()));
        }
        if let Some(max) = self.filters.max_price {
            pairs.push(("max", max.to_string()));
        }
        pairs
            .into_iter()
            .map(|(key, value)| format!("{key}={}", encode(&value)))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// Reads a search back from its query values. A link that was edited by hand and no
    /// longer makes sense gives `None`, and the app shows the search form instead. Dates
    /// in the past are kept: the results page says the search needs a new date rather than
    /// forgetting what the traveller was looking for.
    pub fn from_query(get: impl Fn(&str) -> Option<String>) -> Option<Search> {
        let from = airport_code(&get("from")?)?;
        let to = airport_code(&get("to")?)?;
        let depart = NaiveDate::parse_from_str(&get("date")?, "%Y-%m-%d").ok()?;
        let return_date = match get("return") {
            Some(text) if !text.is_empty() => {
                Some(NaiveDate::parse_from_str(&text, "%Y-%m-%d").ok()?)
            }
            _ => None,
        };
        let passengers = get("passengers")
            .map_or(Some(1), |text| text.parse().ok())
            .filter(|n| (1..=MAX_PASSENGERS).contains(n))?;
        let time = |key: &str| get(key).filter(|t| is_time_of_day(t));
        Some(Search {
            from,
            to,
            depart,
            return_date,
            passengers,
            sort: get("sort")
                .and_then(|key| Sort::from_key(&key))
                .unwrap_or_default(),
            filters: Filters {
                depart_after: time("after"),
                depart_before: time("before"),
                max_price: get("max")
                    .and_then(|text| text.parse().ok())
                    .filter(|n: &i64| *n > 0),
            },
        })
    }

    /// The form pre-filled with this search, for "change search".
    pub fn draft(&self) -> SearchDraft {
        SearchDraft {
            from: self.from.clone(),
            to: self.to.clone(),
            depart: self.depart.to_string(),
            return_date: self.return_date.map(|d| d.to_string()).unwrap_or_default(),
            round_trip: self.return_date.is_some(),
            passengers: self.passengers.to_string(),
        }
    }
}

/// `HH:MM` on a 24-hour clock, `24:00` allowed as the end of the day.
pub fn is_time_of_day(text: &str) -> bool {
    let Some((hours, minutes)) = text.split_once(':') else {
        return false;
    };
    let (Ok(h), Ok(m)) = (hours.parse::<u32>(), minutes.parse::<u32>()) else {
        return false;
    };
    hours.len() == 2 && minutes.len() == 2 && ((h < 24 && m < 60) || (h == 24 && m == 0))
}

/// Percent-encodes a query value (RFC 3986 unreserved characters stay as they are).
pub fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 3).unwrap()
    }

    fn draft() -> SearchDraft {
        SearchDraft {
            from: "lhr".into(),
            to: "JFK".into(),
            depart: "2026-12-10".into(),
            return_date: "2026-12-17".into(),
            round_trip: true,
            passengers: "2".into(),
        }
    }

    fn parse(query: &str) -> Option<Search> {
        let pairs: HashMap<String, String> = query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.replace("%3A", ":")))
            .collect();
        Search::from_query(|key| pairs.get(key).cloned())
    }

    #[test]
    fn a_valid_round_trip_becomes_a_search_and_survives_the_url() {
        let mut search = draft().validate(today()).unwrap();
        assert_eq!(search.from, "LHR");
        assert_eq!(search.return_date, NaiveDate::from_ymd_opt(2026, 12, 17));
        search.sort = Sort::Duration;
        search.filters = Filters {
            depart_after: Some("06:00".into()),
            depart_before: Some("24:00".into()),
            max_price: Some(45_000),
        };
        let query = search.to_query();
        assert_eq!(
            query,
            "from=LHR&to=JFK&date=2026-12-10&return=2026-12-17&passengers=2&sort=duration&after=06%3A00&before=24%3A00&max=45000"
        );
        assert_eq!(parse(&query), Some(search));
    }

    #[test]
    fn a_one_way_search_has_no_return_and_default_sort_is_left_out() {
        let search = SearchDraft {
            round_trip: false,
            ..draft()
        }
        .validate(today())
        .unwrap();
        assert_eq!(search.return_date, None);
        assert_eq!(
            search.to_query(),
            "from=LHR&to=JFK&date=2026-12-10&passengers=2"
        );
    }

    #[test]
    fn every_problem_is_reported_next_to_its_input() {
        let problems = SearchDraft {
            from: "London".into(),
            to: "".into(),
            depart: "2026-12-02".into(),
            return_date: "".into(),
            round_trip: true,
            passengers: "10".into(),
        }
        .validate(today())
        .unwrap_err();
        assert_eq!(
            problems,
            vec![
                (SearchField::From, Msg::ErrAirport),
                (SearchField::To, Msg::ErrAirport),
                (SearchField::Date, Msg::ErrPastDate),
                (SearchField::Return, Msg::ErrDate),
                (SearchField::Passengers, Msg::ErrPassengers),
            ]
        );
    }

    #[test]
    fn dates_run_from_today_to_a_year_ahead_and_the_return_not_before_departure() {
        let at = |depart: &str, back: &str| {
            SearchDraft {
                depart: depart.into(),
                return_date: back.into(),
                ..draft()
            }
            .validate(today())
        };
        assert!(at("2026-12-03", "2026-12-03").is_ok(), "same-day return");
        assert_eq!(
            at("2026-12-10", "2026-12-09").unwrap_err(),
            vec![(SearchField::Return, Msg::ErrReturnBefore)]
        );
        assert_eq!(
            at("2027-12-04", "2027-12-04").unwrap_err()[0],
            (SearchField::Date, Msg::ErrFarDate)
        );
        assert!(at("2027-12-03", "2027-12-03").is_ok());
        assert_eq!(
            at("10/12/2026", "2026-12-17").unwrap_err(),
            vec![(SearchField::Date, Msg::ErrDate)]
        );
    }

    #[test]
    fn origin_and_destination_must_differ_and_party_is_one_to_nine() {
        let problems = SearchDraft {
            to: "LHR".into(),
            passengers: "0".into(),
            ..draft()
        }
        .validate(today())
        .unwrap_err();
        assert_eq!(
            problems,
            vec![
                (SearchField::To, Msg::ErrSameAirport),
                (SearchField::Passengers, Msg::ErrPassengers)
            ]
        );
    }

    #[test]
    fn a_mangled_link_is_refused_and_bad_options_fall_back_to_defaults() {
        assert_eq!(parse("from=LHR&to=JFK"), None);
        assert_eq!(parse("from=LHR&to=JFK&date=2026-13-01"), None);
        assert_eq!(parse("from=LHR&to=JFK&date=2026-12-10&passengers=12"), None);
        let search =
            parse("from=LHR&to=JFK&date=2026-12-10&sort=cheapest&after=25:00&max=-5").unwrap();
        assert_eq!(search.passengers, 1);
        assert_eq!(search.sort, Sort::Price);
        assert_eq!(search.filters, Filters::default());
    }

    #[test]
    fn api_fields_map_to_inputs() {
        assert_eq!(SearchField::from_api("date"), Some(SearchField::Date));
        assert_eq!(SearchField::from_api("filter.maxPrice"), None);
    }

    #[test]
    fn times_of_day_are_strict() {
        for ok in ["00:00", "23:59", "24:00"] {
            assert!(is_time_of_day(ok), "{ok}");
        }
        for bad in ["24:01", "7:00", "07:0", "ab:cd", "0700"] {
            assert!(!is_time_of_day(bad), "{bad}");
        }
    }
}
