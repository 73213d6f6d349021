//! The GraphQL API end to end, natively: real queries through `airline_graphql::execute`
//! against an in-memory catalog built from the seed timetable, with a fixed clock.
//!
//! The in-memory store implements `CatalogStore` the way the D1 store does (same airport
//! ranking, same half-open departure window), so what passes here is what the Worker
//! serves, minus SQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use airline_testkit::{api, data, failure, utc};

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use airline_domain::{
    Airport, AirportCode, AirportQuery, Flight, FlightId, FlightStatus, LocalDate,
};
use airline_graphql::{CatalogStore, StoreError};
use airline_testkit::TestContext;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{json, Value};

/// First local date of the seed timetable, and how many days it covers.
const SEED_START: &str = "2026-11-24";
const SEED_DAYS: u32 = 10;
/// "Now" for every request: early morning of the first timetable day in London.
const NOW: &str = "2026-11-24T06:00:00Z";
/// The day most searches are for: tomorrow, so no flight has departed yet.
const TOMORROW: &str = "2026-11-25";

// ---------------------------------------------------------------------------------------
// Stores

/// The seed catalog in memory, queried the way `D1Catalog` queries D1.
struct MemoryCatalog {
    airports: Vec<Airport>,
    flights: Vec<Flight>,
    /// Calls made to the store: each is one D1 round trip in the Worker.
    round_trips: AtomicUsize,
}

impl MemoryCatalog {
    fn seed() -> Self {
        let airports = catalog_seed::airports().expect("the seed airports parse");
        let routes = catalog_seed::routes().expect("the seed routes build");
        let flights = catalog_seed::schedule(&routes, date(SEED_START), SEED_DAYS);
        Self {
            airports,
            flights,
            round_trips: AtomicUsize::new(0),
        }
    }
}

/// The D1 ranking (`workers/airline-worker/src/d1_catalog.rs`): `None` when the folded
/// query is not a substring of the search key, else 0 for the exact code, 1 for a code
/// prefix, 2 for a word prefix anywhere in the key, 3 for any other substring.
fn search_rank(airport: &Airport, query: &str) -> Option<u8> {
    let key = airport.search_key();
    if !key.contains(query) {
        return None;
    }
    let code = airport.code.as_str().to_ascii_lowercase();
    let rank = if code == query {
        0
    } else if code.starts_with(query) {
        1
    } else if format!(" {key}").contains(&format!(" {query}")) {
        2
    } else {
        3
    };
    Some(rank)
}

#[async_trait]
impl CatalogStore for MemoryCatalog {
    async fn airport(&self, code: &AirportCode) -> Result<Option<Airport>, StoreError> {
        self.round_trips.fetch_add(1, Ordering::Relaxed);
        Ok(self.airports.iter().find(|a| a.code == *code).cloned())
    }

    async fn search_airports(
        &self,
        query: Option<&AirportQuery>,
        limit: usize,
    ) -> Result<Vec<Airport>, StoreError> {
        self.round_trips.fetch_add(1, Ordering::Relaxed);
        let mut ranked: Vec<(u8, &Airport)> = match query {
            None => self.airports.iter().map(|a| (0, a)).collect(),
            Some(query) => self
                .airports
                .iter()
                .filter_map(|a| search_rank(a, query.folded()).map(|rank| (rank, a)))
                .collect(),
        };
        ranked.sort_by_key(|(rank, airport)| (*rank, airport.code));
        Ok(ranked
            .into_iter()
            .take(limit)
            .map(|(_, airport)| airport.clone())
            .collect())
    }

    async fn departures(
        &self,
        from: &AirportCode,
        to: &AirportCode,
        window: (DateTime<Utc>, DateTime<Utc>),
    ) -> Result<Vec<Flight>, StoreError> {
        self.round_trips.fetch_add(1, Ordering::Relaxed);
        Ok(self
            .flights
            .iter()
            .filter(|f| f.origin.code == *from && f.destination.code == *to)
            .filter(|f| window.0 <= f.departure && f.departure < window.1)
            .cloned()
            .collect())
    }

    async fn flight(&self, id: &FlightId) -> Result<Option<Flight>, StoreError> {
        self.round_trips.fetch_add(1, Ordering::Relaxed);
        Ok(self.flights.iter().find(|f| f.id == *id).cloned())
    }
}

/// A store whose every call fails with a message that must never reach a client.
struct FailingCatalog;

fn disk_on_fire() -> StoreError {
    StoreError::new("search flights", "disk on fire: SELECT * FROM secret")
}

#[async_trait]
impl CatalogStore for FailingCatalog {
    async fn airport(&self, _: &AirportCode) -> Result<Option<Airport>, StoreError> {
        Err(disk_on_fire())
    }

    async fn search_airports(
        &self,
        _: Option<&AirportQuery>,
        _: usize,
    ) -> Result<Vec<Airport>, StoreError> {
        Err(disk_on_fire())
    }

    async fn departures(
        &self,
        _: &AirportCode,
        _: &AirportCode,
        _: (DateTime<Utc>, DateTime<Utc>),
    ) -> Result<Vec<Flight>, StoreError> {
        Err(disk_on_fire())
    }

    async fn flight(&self, _: &FlightId) -> Result<Option<Flight>, StoreError> {
        Err(disk_on_fire())
    }
}

// ---------------------------------------------------------------------------------------
// Harness

/// Generating the timetable takes a moment: once per test binary.
fn catalog() -> &'static Arc<MemoryCatalog> {
    static CATALOG: OnceLock<Arc<MemoryCatalog>> = OnceLock::new();
    CATALOG.get_or_init(|| Arc::new(MemoryCatalog::seed()))
}

fn now() -> DateTime<Utc> {
    utc(NOW)
}

fn date(text: &str) -> LocalDate {
    LocalDate::parse("date", text).unwrap()
}

fn code(text: &str) -> AirportCode {
    AirportCode::parse("code", text).unwrap()
}

/// Executes one request against `store` and returns the response as JSON.
fn execute_on(
    store: Arc<dyn CatalogStore>,
    request_id: &str,
    query: &str,
    variables: Value,
) -> Value {
    let context = TestContext::new()
        .catalog(store)
        .now(now())
        .request_id(request_id)
        .build();
    airline_testkit::execute(api(), context, query, variables)
}

/// Executes one request against the seed catalog with a fresh request id, and checks the
/// response carries that id back.
fn run(query: &str, variables: Value) -> Value {
    static NEXT_ID: AtomicUsize = AtomicUsize::new(1);
    let request_id = format!("req-{:04}", NEXT_ID.fetch_add(1, Ordering::Relaxed));
    let response = execute_on(catalog().clone(), &request_id, query, variables);
    assert_eq!(
        response["extensions"]["requestId"], request_id,
        "every response names its request: {response:#}"
    );
    response
}

const SEARCH: &str = r#"
query Search($from: String!, $to: String!, $date: String!, $passengers: Int! = 1,
             $sort: FlightSort! = PRICE, $filter: FlightFilter, $first: Int, $after: String) {
  searchFlights(from: $from, to: $to, date: $date, passengers: $passengers, sort: $sort,
                filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasPreviousPage hasNextPage startCursor endCursor }
    edges {
      cursor
      totalPrice { amount currency }
      node {
        id
        flightNumber
        origin { code timeZone }
        destination { code timeZone }
        departure { utc local localDate localTime utcOffset timeZone }
        arrival { utc local localDate localTime utcOffset }
        arrivalDayOffset
        durationMinutes
        fare { amount currency decimals formatted }
        seatsAvailable
        status
      }
    }
  }
}"#;

const SEARCH_COUNT: &str = r#"
query Count($from: String!, $to: String!, $date: String!, $passengers: Int! = 1,
            $sort: FlightSort! = PRICE, $filter: FlightFilter, $first: Int, $after: String) {
  searchFlights(from: $from, to: $to, date: $date, passengers: $passengers, sort: $sort,
                filter: $filter, first: $first, after: $after) {
    totalCount
  }
}"#;

/// Runs `SEARCH` and returns the connection.
fn search(variables: Value) -> Value {
    data(run(SEARCH, variables))["searchFlights"].clone()
}

fn edges(connection: &Value) -> &Vec<Value> {
    connection["edges"].as_array().expect("edges is a list")
}

fn ids(connection: &Value) -> Vec<String> {
    edges(connection)
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap().to_owned())
        .collect()
}

fn int(value: &Value) -> i64 {
    value
        .as_i64()
        .unwrap_or_else(|| panic!("{value} is not an integer"))
}

fn instant(value: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(value.as_str().unwrap())
        .unwrap()
        .with_timezone(&Utc)
}

fn naive_date(value: &Value) -> NaiveDate {
    NaiveDate::parse_from_str(value.as_str().unwrap(), "%Y-%m-%d").unwrap()
}

/// The flights a search should offer, straight from the catalog: scheduled, not yet
/// departed, with enough seats, leaving on the local `date` at the origin.
fn offered(from: &str, to: &str, on: &str, passengers: u32) -> Vec<&'static Flight> {
    let (from, to, on) = (code(from), code(to), date(on));
    catalog()
        .flights
        .iter()
        .filter(|f| f.origin.code == from && f.destination.code == to)
        .filter(|f| f.origin.time_zone.date_at(f.departure) == on)
        .filter(|f| f.status == FlightStatus::Scheduled && f.departure > now())
        .filter(|f| f.seats_available >= passengers)
        .collect()
}

/// The route with the most departures on `TOMORROW` (ties by codes), for sort and paging
/// tests that need more than a couple of flights.
fn busy_route() -> (String, String) {
    let mut per_route: BTreeMap<(String, String), usize> = BTreeMap::new();
    let tomorrow = date(TOMORROW);
    for f in &catalog().flights {
        if f.origin.time_zone.date_at(f.departure) == tomorrow {
            *per_route
                .entry((f.origin.code.to_string(), f.destination.code.to_string()))
                .or_default() += 1;
        }
    }
    let (route, count) = per_route
        .into_iter()
        .max_by_key(|(route, count)| (*count, std::cmp::Reverse(route.clone())))
        .unwrap();
    assert!(
        count >= 3,
        "the busiest route {route:?} has only {count} flights"
    );
    route
}

fn route_vars(route: &(String, String)) -> Value {
    json!({ "from": route.0, "to": route.1, "date": TOMORROW })
}

// ---------------------------------------------------------------------------------------
// Flight search

/// A search that finds flights costs one store round trip (the departures bring their
/// airports); only an empty day looks the airports up, to tell an unknown code apart.
#[test]
fn a_search_is_one_round_trip_unless_the_day_is_empty() {
    let store = Arc::new(MemoryCatalog::seed());
    let trips = |variables: Value| {
        let before = store.round_trips.load(Ordering::Relaxed);
        let response = execute_on(store.clone(), "req-trips", SEARCH, variables);
        (response, store.round_trips.load(Ordering::Relaxed) - before)
    };
    let (found, cost) = trips(json!({"from": "LHR", "to": "JFK", "date": TOMORROW}));
    assert!(
        !edges(&data(found.clone())["searchFlights"]).is_empty(),
        "{found}"
    );
    assert_eq!(cost, 1, "flights found in one round trip");
    let (unknown, cost) = trips(json!({"from": "LHR", "to": "ZZZ", "date": TOMORROW}));
    assert_eq!(
        failure(&unknown, "BAD_USER_INPUT")["extensions"]["field"],
        "to"
    );
    assert_eq!(cost, 3, "an empty day checks both airports");
}

#[test]
fn search_lists_the_day_s_flights_cheapest_first_priced_for_every_passenger() {
    let expected = offered("LHR", "JFK", TOMORROW, 3);
    assert!(!expected.is_empty(), "the seed flies LHR-JFK daily");

    let connection = search(json!({
        "from": "LHR", "to": "JFK", "date": TOMORROW, "passengers": 3,
    }));
    let edges = edges(&connection);
    assert_eq!(int(&connection["totalCount"]), expected.len() as i64);
    assert_eq!(edges.len(), expected.len(), "one page holds them all");
    let expected_ids: HashSet<String> = expected.iter().map(|f| f.id.to_string()).collect();
    assert_eq!(
        ids(&connection).into_iter().collect::<HashSet<_>>(),
        expected_ids
    );

    for edge in edges {
        let node = &edge["node"];
        assert_eq!(node["origin"]["code"], "LHR");
        assert_eq!(node["destination"]["code"], "JFK");
        assert_eq!(node["status"], "SCHEDULED");
        assert!(int(&node["seatsAvailable"]) >= 3);

        let departure = &node["departure"];
        assert_eq!(departure["localDate"], TOMORROW);
        assert_eq!(departure["timeZone"], "Europe/London");
        // London keeps GMT in November: the local reading carries +00:00.
        assert_eq!(departure["utcOffset"], "+00:00");
        let local = departure["local"].as_str().unwrap();
        assert!(local.ends_with("+00:00"), "{local}");
        assert_eq!(instant(&departure["local"]), instant(&departure["utc"]));
        assert!(local.contains(&format!("T{}:", departure["localTime"].as_str().unwrap())));
        // New York keeps EST in November.
        let arrival = &node["arrival"];
        assert_eq!(arrival["utcOffset"], "-05:00");
        assert!(arrival["local"].as_str().unwrap().ends_with("-05:00"));
        assert_eq!(instant(&arrival["local"]), instant(&arrival["utc"]));
        assert_eq!(
            (instant(&arrival["utc"]) - instant(&departure["utc"])).num_minutes(),
            int(&node["durationMinutes"])
        );

        let fare = &node["fare"];
        assert_eq!(
            fare["currency"], "GBP",
            "fares are in the origin's currency"
        );
        assert_eq!(fare["decimals"], 2);
        assert!(int(&fare["amount"]) > 0);
        assert_eq!(int(&edge["totalPrice"]["amount"]), int(&fare["amount"]) * 3);
        assert_eq!(edge["totalPrice"]["currency"], fare["currency"]);

        let flight = expected
            .iter()
            .find(|f| f.id.as_str() == node["id"].as_str().unwrap())
            .unwrap();
        assert_eq!(int(&fare["amount"]), flight.fare.amount_minor());
        assert_eq!(instant(&departure["utc"]), flight.departure);
        assert_eq!(node["flightNumber"], flight.number.to_string());
    }

    let keys: Vec<(i64, DateTime<Utc>)> = edges
        .iter()
        .map(|e| {
            (
                int(&e["node"]["fare"]["amount"]),
                instant(&e["node"]["departure"]["utc"]),
            )
        })
        .collect();
    assert!(
        keys.windows(2).all(|w| w[0] <= w[1]),
        "by fare, then departure: {keys:?}"
    );
}

#[test]
fn every_sort_order_holds_on_a_busy_route() {
    let route = busy_route();
    let flights = offered(&route.0, &route.1, TOMORROW, 1);
    assert!(flights.len() >= 3);

    let by = |sort: &str| {
        let mut vars = route_vars(&route);
        vars["sort"] = json!(sort);
        vars["first"] = json!(50);
        search(vars)
    };
    let departure_key = |e: &Value| {
        (
            instant(&e["node"]["departure"]["utc"]),
            e["node"]["id"].as_str().unwrap().to_owned(),
        )
    };

    let price = by("PRICE");
    let departure = by("DEPARTURE");
    let duration = by("DURATION");
    for connection in [&price, &departure, &duration] {
        assert_eq!(int(&connection["totalCount"]), flights.len() as i64);
        let mut sorted = ids(connection);
        sorted.sort();
        let mut expected: Vec<String> = flights.iter().map(|f| f.id.to_string()).collect();
        expected.sort();
        assert_eq!(sorted, expected, "every order lists the same flights");
    }

    let price_keys: Vec<_> = edges(&price)
        .iter()
        .map(|e| (int(&e["node"]["fare"]["amount"]), departure_key(e)))
        .collect();
    assert!(price_keys.windows(2).all(|w| w[0] < w[1]), "{price_keys:?}");

    let departure_keys: Vec<_> = edges(&departure).iter().map(departure_key).collect();
    assert!(
        departure_keys.windows(2).all(|w| w[0].0 < w[1].0),
        "strictly earliest first: {departure_keys:?}"
    );
    let local_times: Vec<&str> = edges(&departure)
        .iter()
        .map(|e| e["node"]["departure"]["localTime"].as_str().unwrap())
        .collect();
    assert!(
        local_times.windows(2).all(|w| w[0] < w[1]),
        "{local_times:?}"
    );

    let duration_keys: Vec<_> = edges(&duration)
        .iter()
        .map(|e| (int(&e["node"]["durationMinutes"]), departure_key(e)))
        .collect();
    assert!(
        duration_keys.windows(2).all(|w| w[0] < w[1]),
        "{duration_keys:?}"
    );

    // The same orders derived from the catalog directly.
    let mut expected: Vec<&Flight> = flights.clone();
    expected.sort_by_key(|f| (f.departure, f.id.clone()));
    let expected_ids: Vec<String> = expected.iter().map(|f| f.id.to_string()).collect();
    assert_eq!(ids(&departure), expected_ids);
    expected.sort_by_key(|f| (f.fare.amount_minor(), f.departure, f.id.clone()));
    let expected_ids: Vec<String> = expected.iter().map(|f| f.id.to_string()).collect();
    assert_eq!(ids(&price), expected_ids);
    expected.sort_by_key(|f| (f.duration(), f.departure, f.id.clone()));
    let expected_ids: Vec<String> = expected.iter().map(|f| f.id.to_string()).collect();
    assert_eq!(ids(&duration), expected_ids);
}

#[test]
fn filters_narrow_by_local_departure_time_and_fare() {
    let route = busy_route();
    let all = search(json!({ "from": route.0, "to": route.1, "date": TOMORROW,
                             "sort": "DEPARTURE", "first": 50 }));
    let times: Vec<String> = edges(&all)
        .iter()
        .map(|e| {
            e["node"]["departure"]["localTime"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    let n = times.len();
    assert!(n >= 3);

    // Both bounds are inclusive: from the second departure to the second-last.
    let mut vars = route_vars(&route);
    vars["sort"] = json!("DEPARTURE");
    vars["filter"] = json!({ "departAfter": times[1], "departBefore": times[n - 2] });
    let window = search(vars);
    let window_times: Vec<&str> = edges(&window)
        .iter()
        .map(|e| e["node"]["departure"]["localTime"].as_str().unwrap())
        .collect();
    assert_eq!(
        window_times,
        times[1..n - 1]
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
    );
    assert_eq!(int(&window["totalCount"]), (n - 2) as i64);

    // maxPrice is per passenger and inclusive.
    let mut fares: Vec<i64> = edges(&all)
        .iter()
        .map(|e| int(&e["node"]["fare"]["amount"]))
        .collect();
    fares.sort_unstable();
    let cap = fares[n / 2];
    let mut vars = route_vars(&route);
    vars["passengers"] = json!(2);
    vars["filter"] = json!({ "maxPrice": cap });
    let cheap = search(vars);
    let cheap_fares: Vec<i64> = edges(&cheap)
        .iter()
        .map(|e| int(&e["node"]["fare"]["amount"]))
        .collect();
    assert_eq!(
        cheap_fares,
        fares
            .iter()
            .copied()
            .filter(|&f| f <= cap)
            .collect::<Vec<_>>()
    );
    assert!(cheap_fares.contains(&cap));

    // An empty result is a result, not an error.
    let mut vars = route_vars(&route);
    vars["filter"] = json!({ "maxPrice": 0 });
    let none = search(vars);
    assert_eq!(int(&none["totalCount"]), 0);
    assert!(edges(&none).is_empty());
    assert_eq!(none["pageInfo"]["hasNextPage"], false);
    assert_eq!(none["pageInfo"]["endCursor"], Value::Null);
}

#[test]
fn today_s_flights_that_already_left_are_not_offered() {
    // At 06:00 UTC the morning departures east of London are gone; pick a route with
    // some gone and some still to come.
    let today = date(SEED_START);
    let mut per_route: BTreeMap<(String, String), (usize, usize)> = BTreeMap::new();
    for f in &catalog().flights {
        if f.origin.time_zone.date_at(f.departure) == today {
            let entry = per_route
                .entry((f.origin.code.to_string(), f.destination.code.to_string()))
                .or_default();
            if f.departure > now() {
                entry.1 += 1;
            } else {
                entry.0 += 1;
            }
        }
    }
    let ((from, to), (gone, left)) = per_route
        .into_iter()
        .find(|(_, (gone, left))| *gone > 0 && *left > 0)
        .expect("some route has flights both before and after 06:00 UTC today");

    let connection = search(json!({ "from": from, "to": to, "date": SEED_START, "first": 50 }));
    assert_eq!(
        int(&connection["totalCount"]),
        left as i64,
        "{gone} already left"
    );
    for edge in edges(&connection) {
        assert!(instant(&edge["node"]["departure"]["utc"]) > now());
        assert_eq!(edge["node"]["departure"]["localDate"], SEED_START);
    }
}

#[test]
fn the_past_is_judged_in_the_origin_s_zone() {
    // 06:00 UTC on the 24th is still the evening of the 23rd in Honolulu.
    let honolulu = catalog()
        .flights
        .iter()
        .find(|f| f.origin.code == code("HNL"))
        .expect("the seed flies from Honolulu");
    let to = honolulu.destination.code.to_string();
    let yesterday_in_london = "2026-11-23";
    let connection = search(json!({ "from": "HNL", "to": to, "date": yesterday_in_london }));
    assert_eq!(
        int(&connection["totalCount"]),
        0,
        "the seed starts on the 24th"
    );

    let response = run(
        SEARCH_COUNT,
        json!({ "from": "LHR", "to": "JFK", "date": yesterday_in_london }),
    );
    assert_eq!(
        failure(&response, "BAD_USER_INPUT")["extensions"]["field"],
        "date"
    );
}

#[test]
fn cancelled_and_nearly_full_flights_are_not_offered() {
    // A small catalog of its own: the busy route tomorrow, one flight cancelled and one
    // with two seats left.
    let route = busy_route();
    let mut flights: Vec<Flight> = offered(&route.0, &route.1, TOMORROW, 1)
        .into_iter()
        .cloned()
        .collect();
    flights.sort_by_key(|f| f.departure);
    flights[0].status = FlightStatus::Cancelled;
    flights[1].seats_available = 2;
    let (cancelled, nearly_full) = (flights[0].id.to_string(), flights[1].id.to_string());
    let all: Vec<String> = flights.iter().map(|f| f.id.to_string()).collect();
    let store = Arc::new(MemoryCatalog {
        airports: catalog().airports.clone(),
        flights,
        round_trips: AtomicUsize::new(0),
    });
    let offered_to = |passengers: u32| {
        let mut vars = route_vars(&route);
        vars["passengers"] = json!(passengers);
        let response = execute_on(store.clone(), "small", SEARCH, vars);
        let connection = data(response)["searchFlights"].clone();
        assert_eq!(
            int(&connection["totalCount"]),
            edges(&connection).len() as i64
        );
        let mut found = ids(&connection);
        found.sort();
        found
    };
    let expect = |excluded: &[&String]| {
        let mut ids: Vec<String> = all
            .iter()
            .filter(|id| !excluded.contains(id))
            .cloned()
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(offered_to(2), expect(&[&cancelled]));
    assert_eq!(offered_to(3), expect(&[&cancelled, &nearly_full]));

    // Looked up by id, a cancelled flight is still there, marked as such.
    let response = execute_on(store.clone(), "small", FLIGHT, json!({ "id": cancelled }));
    assert_eq!(data(response)["flight"]["status"], "CANCELLED");
}

#[test]
fn explicit_nulls_mean_the_defaults() {
    let defaults = search(json!({ "from": "LHR", "to": "JFK", "date": TOMORROW }));
    let query = format!(
        r#"{{ searchFlights(from: "LHR", to: "JFK", date: "{TOMORROW}", passengers: null,
                            sort: null, filter: null, first: null, after: null) {{
                totalCount edges {{ node {{ id }} totalPrice {{ amount }} node {{ fare {{ amount }} }} }}
            }} }}"#
    );
    let nulls = data(run(&query, json!({})))["searchFlights"].clone();
    assert_eq!(nulls["totalCount"], defaults["totalCount"]);
    assert_eq!(ids(&nulls), ids(&defaults), "price order, first page");
    for edge in edges(&nulls) {
        assert_eq!(
            edge["totalPrice"]["amount"], edge["node"]["fare"]["amount"],
            "one passenger"
        );
    }
    let response = run(AIRPORTS, json!({ "search": null, "first": null }));
    assert_eq!(data(response)["airports"].as_array().unwrap().len(), 10);
}

#[test]
fn paging_one_at_a_time_visits_every_flight_exactly_once() {
    let route = busy_route();
    for sort in ["PRICE", "DEPARTURE", "DURATION"] {
        let mut vars = route_vars(&route);
        vars["sort"] = json!(sort);
        vars["first"] = json!(50);
        let unpaged = search(vars.clone());
        let all = ids(&unpaged);
        assert!(all.len() >= 3);
        assert_eq!(unpaged["pageInfo"]["hasNextPage"], false);
        assert_eq!(unpaged["pageInfo"]["hasPreviousPage"], false);

        let mut seen: Vec<String> = Vec::new();
        let mut after: Option<String> = None;
        loop {
            vars["first"] = json!(1);
            vars["after"] = json!(after);
            let page = search(vars.clone());
            let info = &page["pageInfo"];
            assert_eq!(edges(&page).len(), 1, "{sort}: {page:#}");
            assert_eq!(
                int(&page["totalCount"]),
                all.len() as i64,
                "counts every page"
            );
            assert_eq!(
                info["hasPreviousPage"],
                json!(!seen.is_empty()),
                "{sort} page {}",
                seen.len() + 1
            );
            let cursor = &edges(&page)[0]["cursor"];
            assert_eq!(&info["startCursor"], cursor);
            assert_eq!(&info["endCursor"], cursor);
            seen.extend(ids(&page));
            assert!(seen.len() <= all.len(), "{sort}: paging does not end");
            after = Some(info["endCursor"].as_str().unwrap().to_owned());
            let more = info["hasNextPage"].as_bool().unwrap();
            assert_eq!(more, seen.len() < all.len(), "{sort} page {}", seen.len());
            if !more {
                break;
            }
        }
        assert_eq!(seen, all, "{sort}");

        // After the last flight's cursor: an empty page that knows what came before.
        vars["after"] = json!(after);
        let beyond = search(vars.clone());
        assert!(edges(&beyond).is_empty());
        assert_eq!(beyond["pageInfo"]["hasPreviousPage"], true);
        assert_eq!(beyond["pageInfo"]["hasNextPage"], false);
    }
}

#[test]
fn a_cursor_only_fits_the_sort_order_it_came_from() {
    let route = busy_route();
    let mut vars = route_vars(&route);
    vars["first"] = json!(1);
    let page = search(vars.clone());
    vars["after"] = page["pageInfo"]["endCursor"].clone();
    vars["sort"] = json!("DEPARTURE");
    let response = run(SEARCH_COUNT, vars);
    assert_eq!(
        failure(&response, "BAD_USER_INPUT")["extensions"]["field"],
        "after"
    );
}

#[test]
fn every_bad_search_argument_is_named_in_its_error() {
    for unknown in ["ZZZ", "QQQ"] {
        assert!(
            !catalog().airports.iter().any(|a| a.code == code(unknown)),
            "{unknown} must not be a seed airport"
        );
    }
    let cases: Vec<(Value, &str)> = vec![
        (json!({ "from": "ZZZ" }), "from"),
        (json!({ "to": "QQQ" }), "to"),
        (json!({ "from": "ZZZ", "to": "QQQ" }), "from"),
        (json!({ "from": "L1R" }), "from"),
        (json!({ "to": "JFKX" }), "to"),
        (json!({ "from": "" }), "from"),
        (json!({ "date": "2026-13-01" }), "date"),
        (json!({ "date": "25/11/2026" }), "date"),
        (json!({ "date": "2026-11-25T10:00" }), "date"),
        (json!({ "date": "2026-11-20" }), "date"),
        (json!({ "date": "2027-12-01" }), "date"),
        (json!({ "to": "LHR" }), "to"),
        (json!({ "to": "lhr" }), "to"),
        (json!({ "passengers": 0 }), "passengers"),
        (json!({ "passengers": 10 }), "passengers"),
        (json!({ "passengers": -1 }), "passengers"),
        (json!({ "first": 0 }), "first"),
        (json!({ "first": 51 }), "first"),
        (json!({ "first": -5 }), "first"),
        (json!({ "after": "not-a-cursor" }), "after"),
        (json!({ "after": "djE6cDp4OnkK" }), "after"),
        (json!({ "after": "" }), "after"),
        (json!({ "filter": { "maxPrice": -1 } }), "filter.maxPrice"),
        (
            json!({ "filter": { "departAfter": "25:00" } }),
            "filter.departAfter",
        ),
        (
            json!({ "filter": { "departAfter": "7am" } }),
            "filter.departAfter",
        ),
        (
            json!({ "filter": { "departBefore": "24:01" } }),
            "filter.departBefore",
        ),
        (
            json!({ "filter": { "departAfter": "18:00", "departBefore": "09:00" } }),
            "filter.departBefore",
        ),
    ];
    for (overrides, field) in cases {
        let mut vars = json!({ "from": "LHR", "to": "JFK", "date": TOMORROW });
        for (name, value) in overrides.as_object().unwrap() {
            vars[name] = value.clone();
        }
        let response = run(SEARCH_COUNT, vars.clone());
        let error = failure(&response, "BAD_USER_INPUT");
        assert_eq!(error["extensions"]["field"], field, "{vars}: {response:#}");
        assert_eq!(error["path"], json!(["searchFlights"]), "{vars}");
        assert_eq!(response["errors"].as_array().unwrap().len(), 1, "{vars}");
    }

    // The edges of each range are accepted.
    for overrides in [
        json!({ "passengers": 1 }),
        json!({ "passengers": 9 }),
        json!({ "first": 1 }),
        json!({ "first": 50 }),
        json!({ "date": SEED_START }),
        json!({ "date": "2027-11-24" }),
        json!({ "from": "lhr", "to": " jfk " }),
        json!({ "filter": { "maxPrice": 0, "departAfter": "00:00", "departBefore": "24:00" } }),
        json!({ "filter": { "departAfter": "12:00", "departBefore": "12:00" } }),
    ] {
        let mut vars = json!({ "from": "LHR", "to": "JFK", "date": TOMORROW });
        for (name, value) in overrides.as_object().unwrap() {
            vars[name] = value.clone();
        }
        data(run(SEARCH_COUNT, vars));
    }
}

// ---------------------------------------------------------------------------------------
// Single flights

const FLIGHT: &str = r#"
query Flight($id: ID!) {
  flight(id: $id) {
    id flightNumber airlineCode
    origin { code } destination { code }
    departure { utc localDate utcOffset }
    arrival { utc localDate utcOffset }
    arrivalDayOffset durationMinutes
    fare { amount currency }
    seatCapacity seatsAvailable
    aircraft { code name }
    status
  }
}"#;

#[test]
fn a_flight_is_found_by_id_with_its_arrival_day_offset() {
    // One flight for each offset the seed produces: same day, +1 and, across the date
    // line, possibly -1.
    let mut by_offset: BTreeMap<i64, &Flight> = BTreeMap::new();
    for f in &catalog().flights {
        by_offset.entry(f.arrival_day_offset()).or_insert(f);
    }
    assert!(
        by_offset.contains_key(&0) && by_offset.contains_key(&1),
        "{:?}",
        by_offset.keys()
    );

    for (offset, flight) in by_offset {
        let node = data(run(FLIGHT, json!({ "id": flight.id.as_str() })))["flight"].clone();
        assert_eq!(node["id"], flight.id.as_str());
        assert_eq!(node["flightNumber"], flight.number.to_string());
        assert_eq!(node["airlineCode"], "EA");
        assert_eq!(node["origin"]["code"], flight.origin.code.as_str());
        assert_eq!(
            node["destination"]["code"],
            flight.destination.code.as_str()
        );
        assert_eq!(instant(&node["departure"]["utc"]), flight.departure);
        assert_eq!(instant(&node["arrival"]["utc"]), flight.arrival);
        assert_eq!(
            int(&node["durationMinutes"]),
            flight.duration().num_minutes()
        );
        assert_eq!(int(&node["fare"]["amount"]), flight.fare.amount_minor());
        assert_eq!(node["fare"]["currency"], flight.fare.currency().code());
        assert_eq!(int(&node["seatCapacity"]), i64::from(flight.seat_capacity));
        assert_eq!(node["aircraft"]["code"], flight.aircraft.code());
        assert_eq!(node["status"], "SCHEDULED");

        assert_eq!(int(&node["arrivalDayOffset"]), offset);
        let departed_on = naive_date(&node["departure"]["localDate"]);
        let arrived_on = naive_date(&node["arrival"]["localDate"]);
        assert_eq!(
            (arrived_on - departed_on).num_days(),
            offset,
            "the offset is between the local dates shown: {node:#}"
        );
        // The id names the local departure date.
        let id_date = flight.id.as_str().rsplit('-').next().unwrap();
        assert_eq!(departed_on.format("%Y%m%d").to_string(), id_date);
    }
}

#[test]
fn an_unknown_flight_is_not_found_and_a_malformed_id_is_bad_input() {
    let unknown = "EA9999-20261125";
    assert!(!catalog().flights.iter().any(|f| f.id.as_str() == unknown));
    let response = run(FLIGHT, json!({ "id": unknown }));
    let error = failure(&response, "NOT_FOUND");
    assert!(
        error["message"].as_str().unwrap().contains(unknown),
        "{error}"
    );
    assert_eq!(error["path"], json!(["flight"]));

    for malformed in [
        "EA117",
        "ea117-20261124",
        "EA117-20261341",
        "EA117-2026-11-24",
        "",
    ] {
        let response = run(FLIGHT, json!({ "id": malformed }));
        let error = failure(&response, "BAD_USER_INPUT");
        assert_eq!(error["extensions"]["field"], "id", "{malformed}");
    }
}

// ---------------------------------------------------------------------------------------
// Airports

const AIRPORTS: &str = r#"
query Airports($search: String, $first: Int) {
  airports(search: $search, first: $first) { code name city country timeZone latitude longitude }
}"#;

fn airport_codes(search: Option<&str>, first: Option<i32>) -> Vec<String> {
    let response = run(AIRPORTS, json!({ "search": search, "first": first }));
    data(response)["airports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["code"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn airport_search_ranks_city_matches_before_substrings() {
    let london: Vec<String> = {
        let mut codes: Vec<String> = catalog()
            .airports
            .iter()
            .filter(|a| a.city == "London")
            .map(|a| a.code.to_string())
            .collect();
        codes.sort();
        codes
    };
    assert!(london.contains(&"LHR".to_owned()), "{london:?}");

    let found = airport_codes(Some("lon"), None);
    assert_eq!(found[..london.len()], london[..], "London first: {found:?}");
    assert!(
        found.len() > london.len(),
        "a substring match (Barcelona) follows: {found:?}"
    );
    for code in &found[london.len()..] {
        let airport = catalog()
            .airports
            .iter()
            .find(|a| a.code.as_str() == code)
            .unwrap();
        assert_ne!(airport.city, "London");
        assert!(airport.search_key().contains("lon"), "{code}");
    }
    assert!(found.contains(&"BCN".to_owned()), "{found:?}");
}

#[test]
fn airport_search_ignores_case_and_accents() {
    for typed in ["zur", "Zürich", "ZURICH", "  zürich  "] {
        let found = airport_codes(Some(typed), None);
        assert_eq!(
            found.first().map(String::as_str),
            Some("ZRH"),
            "{typed}: {found:?}"
        );
    }
    let response = run(AIRPORTS, json!({ "search": "Zürich", "first": 1 }));
    let zurich = &data(response)["airports"][0];
    assert_eq!(zurich["name"], "Zürich Airport", "names keep their accents");
    assert_eq!(zurich["country"], "CH");
    assert_eq!(zurich["timeZone"], "Europe/Zurich");
    assert!((zurich["latitude"].as_f64().unwrap() - 47.46).abs() < 0.1);
}

#[test]
fn airport_search_puts_the_exact_code_first() {
    for typed in ["jfk", "JFK"] {
        let found = airport_codes(Some(typed), None);
        assert_eq!(
            found.first().map(String::as_str),
            Some("JFK"),
            "{typed}: {found:?}"
        );
    }
    // A code prefix comes before a word of a name.
    let found = airport_codes(Some("lh"), None);
    assert_eq!(found.first().map(String::as_str), Some("LHR"), "{found:?}");
}

#[test]
fn airports_without_a_search_are_listed_by_code_up_to_first() {
    let mut all: Vec<String> = catalog()
        .airports
        .iter()
        .map(|a| a.code.to_string())
        .collect();
    all.sort();
    assert_eq!(airport_codes(None, None), all[..10], "ten by default");
    assert_eq!(airport_codes(None, Some(3)), all[..3]);
    assert_eq!(airport_codes(None, Some(50)), all[..50.min(all.len())]);
    assert_eq!(airport_codes(Some("a"), Some(2)).len(), 2);
}

#[test]
fn bad_airport_arguments_are_named() {
    for (vars, field) in [
        (json!({ "first": 0 }), "first"),
        (json!({ "first": 51 }), "first"),
        (json!({ "search": "lon", "first": -1 }), "first"),
        (json!({ "search": "  " }), "search"),
        (json!({ "search": "" }), "search"),
        (json!({ "search": "---" }), "search"),
        (json!({ "search": "a".repeat(65) }), "search"),
    ] {
        let response = run(AIRPORTS, vars.clone());
        let error = failure(&response, "BAD_USER_INPUT");
        assert_eq!(error["extensions"]["field"], field, "{vars}: {response:#}");
    }
}

// ---------------------------------------------------------------------------------------
// Errors, request ids and limits

#[test]
fn a_storage_failure_is_internal_and_reveals_only_the_request_id() {
    let queries = [
        (
            SEARCH,
            json!({ "from": "LHR", "to": "JFK", "date": TOMORROW }),
        ),
        (AIRPORTS, json!({ "search": "lon" })),
        (AIRPORTS, json!({})),
        (FLIGHT, json!({ "id": "EA117-20261125" })),
    ];
    for (i, (query, vars)) in queries.into_iter().enumerate() {
        let request_id = format!("failing-{i}");
        let response = execute_on(Arc::new(FailingCatalog), &request_id, query, vars);
        let error = failure(&response, "INTERNAL");
        let message = error["message"].as_str().unwrap();
        assert!(message.contains(&request_id), "{message}");
        assert_eq!(response["extensions"]["requestId"], request_id.as_str());
        let text = response.to_string();
        for secret in ["disk", "SELECT", "secret"] {
            assert!(!text.contains(secret), "{secret:?} leaked: {text}");
        }
    }
}

#[test]
fn every_response_carries_the_request_id_it_was_given() {
    let cases = [
        ("ok", AIRPORTS, json!({ "search": "lon" })),
        ("bad-input", AIRPORTS, json!({ "first": 0 })),
        ("not-found", FLIGHT, json!({ "id": "EA9999-20261125" })),
        ("invalid", "{ nope }", json!({})),
        ("unparsable", "{ airports {", json!({})),
    ];
    for (request_id, query, vars) in cases {
        let response = execute_on(catalog().clone(), request_id, query, vars);
        assert_eq!(
            response["extensions"]["requestId"], request_id,
            "{response:#}"
        );
    }
    let response = execute_on(Arc::new(FailingCatalog), "store-down", AIRPORTS, json!({}));
    assert_eq!(response["extensions"]["requestId"], "store-down");
}

/// One search selecting most of a flight; its complexity is 50 (the page size) times the
/// fields under `searchFlights`, about 2,100.
fn heavy_search(alias: &str) -> String {
    format!(
        r#"{alias}: searchFlights(from: "LHR", to: "JFK", date: "{TOMORROW}", first: 50) {{
          totalCount
          pageInfo {{ hasPreviousPage hasNextPage startCursor endCursor }}
          edges {{
            cursor
            totalPrice {{ amount currency }}
            node {{
              id flightNumber
              origin {{ code timeZone }} destination {{ code timeZone }}
              departure {{ utc local localDate localTime utcOffset timeZone }}
              arrival {{ utc local localDate localTime utcOffset }}
              arrivalDayOffset durationMinutes
              fare {{ amount currency decimals formatted }}
              seatsAvailable status
            }}
          }}
        }}"#
    )
}

#[test]
fn a_too_complex_query_is_refused_before_any_work() {
    let one = format!("{{ {} }}", heavy_search("only"));
    let response = run(&one, json!({}));
    assert!(
        int(&data(response)["only"]["totalCount"]) > 0,
        "one heavy search is allowed"
    );

    let six: Vec<String> = (0..6).map(|i| heavy_search(&format!("s{i}"))).collect();
    let query = format!("{{ {} }}", six.join("\n"));
    // Against a store that fails: had anything run, the error would be INTERNAL.
    let response = execute_on(Arc::new(FailingCatalog), "too-complex", &query, json!({}));
    let error = failure(&response, "GRAPHQL_VALIDATION_FAILED");
    assert_eq!(
        response["errors"].as_array().unwrap().len(),
        1,
        "{response:#}"
    );
    assert!(
        error["message"].as_str().unwrap().contains("complex"),
        "{error} (limit {})",
        airline_graphql::MAX_COMPLEXITY
    );
}

#[test]
fn a_too_deep_query_is_refused() {
    // Nothing in the schema nests ten deep; introspection's type chain does.
    let query = "{ __schema { types { fields { type { ofType { ofType { ofType { ofType { \
                 ofType { ofType { ofType { name } } } } } } } } } } } }";
    let response = execute_on(Arc::new(FailingCatalog), "too-deep", query, json!({}));
    let error = failure(&response, "GRAPHQL_VALIDATION_FAILED");
    assert!(
        error["message"].as_str().unwrap().contains("deep"),
        "{error} (limit {})",
        airline_graphql::MAX_DEPTH
    );
}

#[test]
fn malformed_queries_fail_validation() {
    for query in [
        // An unknown field.
        "{ airports { code iata } }",
        "{ searchFlight(from: \"LHR\", to: \"JFK\", date: \"2026-11-25\") { totalCount } }",
        // A wrong argument type, a missing argument, an unknown enum value.
        "{ searchFlights(from: \"LHR\", to: \"JFK\", date: \"2026-11-25\", passengers: \"three\") { totalCount } }",
        "{ searchFlights(from: \"LHR\", to: \"JFK\") { totalCount } }",
        "{ searchFlights(from: \"LHR\", to: \"JFK\", date: \"2026-11-25\", sort: CHEAPEST) { totalCount } }",
        // An object without a selection, and text that does not parse.
        "{ flight(id: \"EA117-20261125\") }",
        "{ airports {",
    ] {
        let response = run(query, json!({}));
        failure(&response, "GRAPHQL_VALIDATION_FAILED");
    }
}
