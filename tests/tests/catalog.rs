//! The catalog API end to end: wrangler dev with a migrated, seeded local D1, queried
//! over HTTP exactly as a browser or another service would.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;

use airline_domain::{AirportCode, Flight, LocalDate};
use airline_e2e::{ensure, run_suite, DevServer, ServerOptions, Test};
use libtest_mimic::Failed;
use serde_json::{json, Value};

const ALLOWED_ORIGIN: &str = "https://app.example";
const CACHE_TTL_SECONDS: u64 = 2;

fn main() {
    let mut options = ServerOptions::default();
    options
        .vars
        .push(("CORS_ALLOWED_ORIGINS".into(), ALLOWED_ORIGIN.into()));
    // Short, so a test can watch a cached search expire.
    options.vars.push((
        "SEARCH_CACHE_TTL_SECONDS".into(),
        CACHE_TTL_SECONDS.to_string(),
    ));
    let tests: &[Test] = airline_e2e::tests![
        search_lists_a_seeded_route_cheapest_first,
        search_sorts_by_departure_and_duration,
        paging_returns_each_flight_exactly_once,
        filters_narrow_by_time_and_price,
        bad_search_input_gets_typed_errors,
        flight_by_id_renders_local_times,
        airport_autocomplete,
        http_rules_are_enforced,
        cors_allows_only_configured_origins,
        expensive_queries_are_refused,
        route_day_search_uses_the_index,
        every_response_has_its_own_request_id,
        an_anonymous_search_over_get_is_served_from_the_edge_cache,
        persisted_queries_keep_get_urls_short,
        graphql_response_json_gets_spec_status_codes,
    ];
    run_suite(options, tests)
}

const SEARCH: &str = r#"
query Search($from: String!, $to: String!, $date: String!, $passengers: Int, $sort: FlightSort,
             $filter: FlightFilter, $first: Int, $after: String) {
  searchFlights(from: $from, to: $to, date: $date, passengers: $passengers, sort: $sort,
                filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges {
      cursor
      totalPrice { amount currency }
      node {
        id flightNumber airlineCode durationMinutes arrivalDayOffset seatsAvailable seatCapacity status
        origin { code timeZone }
        destination { code }
        departure { utc local localDate localTime utcOffset timeZone }
        arrival { utc local localDate }
        fare { amount currency formatted }
        aircraft { code name }
      }
    }
  }
}"#;

/// The seed's flights on one route and local departure date, still to depart.
fn seeded(server: &DevServer, from: &str, to: &str, date: LocalDate) -> Vec<Flight> {
    let routes = catalog_seed::routes().unwrap();
    let from = AirportCode::parse("from", from).unwrap();
    let to = AirportCode::parse("to", to).unwrap();
    let route: Vec<_> = routes
        .into_iter()
        .filter(|r| r.origin.code == from && r.destination.code == to)
        .collect();
    let now = chrono::Utc::now();
    catalog_seed::schedule(&route, server.seed_start, catalog_seed::DEFAULT_DAYS)
        .into_iter()
        .filter(|f| f.origin.time_zone.date_at(f.departure) == date && f.departure > now)
        .collect()
}

/// The busiest seeded route out of LHR: several departures a day.
fn busy_route() -> (String, String) {
    let routes = catalog_seed::routes().unwrap();
    let busiest = routes
        .iter()
        .filter(|r| r.origin.code.as_str() == "LHR" && r.weekdays == 0b111_1111)
        .max_by_key(|r| r.departures.len())
        .unwrap();
    (
        busiest.origin.code.to_string(),
        busiest.destination.code.to_string(),
    )
}

fn tomorrow(server: &DevServer) -> LocalDate {
    server.seed_start.plus_days(1).unwrap()
}

fn edges(response: &Value) -> &Vec<Value> {
    response["data"]["searchFlights"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("no edges in {response}"))
}

fn ids(response: &Value) -> Vec<String> {
    edges(response)
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap().to_owned())
        .collect()
}

fn error_code(response: &Value) -> (&str, &str) {
    let extensions = &response["errors"][0]["extensions"];
    (
        extensions["code"].as_str().unwrap_or("<none>"),
        extensions["field"].as_str().unwrap_or("<none>"),
    )
}

fn search_lists_a_seeded_route_cheapest_first(server: &DevServer) -> Result<(), Failed> {
    let date = tomorrow(server);
    let mut expected = seeded(server, "LHR", "JFK", date);
    ensure!(!expected.is_empty(), "the seed flies LHR-JFK daily");
    expected.sort_by_key(|f| (f.fare.amount_minor(), f.departure, f.id.to_string()));

    let response = server.graphql(
        SEARCH,
        json!({"from": "LHR", "to": "JFK", "date": date.to_string(), "passengers": 2}),
    );
    ensure!(
        response["errors"].is_null(),
        "unexpected errors: {response}"
    );
    let expected_ids: Vec<String> = expected.iter().map(|f| f.id.to_string()).collect();
    ensure!(
        ids(&response) == expected_ids,
        "got {:?}, want {expected_ids:?}",
        ids(&response)
    );
    ensure!(
        response["data"]["searchFlights"]["totalCount"] == json!(expected.len()),
        "totalCount: {response}"
    );
    for (edge, flight) in edges(&response).iter().zip(&expected) {
        let node = &edge["node"];
        ensure!(
            node["origin"]["code"] == "LHR" && node["destination"]["code"] == "JFK",
            "{node}"
        );
        ensure!(
            node["fare"]["amount"] == json!(flight.fare.amount_minor()),
            "{node}"
        );
        ensure!(
            node["fare"]["currency"] == "GBP",
            "fares from London are in pounds: {node}"
        );
        ensure!(
            edge["totalPrice"]["amount"] == json!(flight.fare.amount_minor() * 2),
            "two passengers pay twice the fare: {edge}"
        );
        let departure = &node["departure"];
        ensure!(
            departure["localDate"] == json!(date.to_string()),
            "{departure}"
        );
        ensure!(departure["timeZone"] == "Europe/London", "{departure}");
        let local = departure["local"].as_str().unwrap();
        ensure!(
            local.ends_with(departure["utcOffset"].as_str().unwrap()),
            "local time carries its offset: {departure}"
        );
        ensure!(
            node["durationMinutes"] == json!(flight.duration().num_minutes()),
            "{node}"
        );
    }
    Ok(())
}

fn search_sorts_by_departure_and_duration(server: &DevServer) -> Result<(), Failed> {
    let (from, to) = busy_route();
    let date = tomorrow(server);
    let mut flights = seeded(server, &from, &to, date);
    ensure!(flights.len() >= 3, "{from}-{to} is busy");
    for sort in ["DEPARTURE", "DURATION"] {
        match sort {
            "DEPARTURE" => flights.sort_by_key(|f| (f.departure, f.id.to_string())),
            _ => flights.sort_by_key(|f| (f.duration(), f.departure, f.id.to_string())),
        }
        let want: Vec<String> = flights.iter().map(|f| f.id.to_string()).collect();
        let response = server.graphql(
            SEARCH,
            json!({"from": from, "to": to, "date": date.to_string(), "sort": sort}),
        );
        ensure!(
            ids(&response) == want,
            "{sort}: got {:?}, want {want:?}",
            ids(&response)
        );
    }
    Ok(())
}

fn paging_returns_each_flight_exactly_once(server: &DevServer) -> Result<(), Failed> {
    let (from, to) = busy_route();
    let date = tomorrow(server).to_string();
    for sort in ["PRICE", "DEPARTURE", "DURATION"] {
        let all = server.graphql(
            SEARCH,
            json!({"from": from, "to": to, "date": date, "sort": sort}),
        );
        let everything = ids(&all);
        let mut seen = Vec::new();
        let mut after = Value::Null;
        for page_number in 0.. {
            ensure!(page_number <= everything.len(), "paging does not terminate");
            let page = server.graphql(
                SEARCH,
                json!({"from": from, "to": to, "date": date, "sort": sort, "first": 2, "after": after}),
            );
            let info = &page["data"]["searchFlights"]["pageInfo"];
            ensure!(
                info["hasPreviousPage"] == json!(page_number > 0),
                "hasPreviousPage on page {page_number}: {info}"
            );
            seen.extend(ids(&page));
            if info["hasNextPage"] != json!(true) {
                break;
            }
            after = info["endCursor"].clone();
        }
        ensure!(
            seen == everything,
            "{sort}: paged {seen:?} vs all {everything:?}"
        );
        let unique: HashSet<_> = seen.iter().collect();
        ensure!(
            unique.len() == seen.len(),
            "a flight appeared twice: {seen:?}"
        );
    }
    Ok(())
}

fn filters_narrow_by_time_and_price(server: &DevServer) -> Result<(), Failed> {
    let (from, to) = busy_route();
    let date = tomorrow(server);
    let flights = seeded(server, &from, &to, date);
    let fares: Vec<i64> = flights.iter().map(|f| f.fare.amount_minor()).collect();
    let median = {
        let mut sorted = fares.clone();
        sorted.sort();
        sorted[sorted.len() / 2]
    };
    let response = server.graphql(
        SEARCH,
        json!({"from": from, "to": to, "date": date.to_string(),
               "filter": {"maxPrice": median, "departAfter": "09:00", "departBefore": "20:00"}}),
    );
    let want = flights
        .iter()
        .filter(|f| {
            let t = f.origin.time_zone.time_of_day(f.departure).to_string();
            f.fare.amount_minor() <= median && t.as_str() >= "09:00" && t.as_str() <= "20:00"
        })
        .count();
    let got = edges(&response);
    ensure!(got.len() == want, "want {want} flights, got {response}");
    for edge in got {
        let node = &edge["node"];
        let time = node["departure"]["localTime"].as_str().unwrap();
        ensure!(("09:00"..="20:00").contains(&time), "{node}");
        ensure!(node["fare"]["amount"].as_i64().unwrap() <= median, "{node}");
    }
    Ok(())
}

fn bad_search_input_gets_typed_errors(server: &DevServer) -> Result<(), Failed> {
    let date = tomorrow(server).to_string();
    let past = server.seed_start.plus_days(-2).unwrap().to_string();
    let ok = json!({"from": "LHR", "to": "JFK", "date": date});
    let with = |patch: Value| {
        let mut variables = ok.clone();
        for (key, value) in patch.as_object().unwrap() {
            variables[key] = value.clone();
        }
        variables
    };
    let cases = [
        (with(json!({"from": "ZZZ"})), "from"),
        (with(json!({"to": "QQQ"})), "to"),
        (with(json!({"from": "L1R"})), "from"),
        (with(json!({"to": "LHR"})), "to"),
        (with(json!({"date": "2026-13-01"})), "date"),
        (with(json!({"date": "25/11/2026"})), "date"),
        (with(json!({"date": past})), "date"),
        (with(json!({"passengers": 0})), "passengers"),
        (with(json!({"passengers": 10})), "passengers"),
        (with(json!({"first": 0})), "first"),
        (with(json!({"first": 51})), "first"),
        (with(json!({"after": "bm90LWEtY3Vyc29y"})), "after"),
        (with(json!({"filter": {"maxPrice": -1}})), "filter.maxPrice"),
        (
            with(json!({"filter": {"departAfter": "25:00"}})),
            "filter.departAfter",
        ),
        (
            with(json!({"filter": {"departAfter": "18:00", "departBefore": "08:00"}})),
            "filter.departBefore",
        ),
    ];
    for (variables, field) in cases {
        let response = server.graphql_response(SEARCH, variables.clone());
        ensure!(
            response.status == 200,
            "{variables}: HTTP {}",
            response.status
        );
        let body = response.json();
        ensure!(
            error_code(&body) == ("BAD_USER_INPUT", field),
            "{variables}: want BAD_USER_INPUT on {field}, got {body}"
        );
        ensure!(
            body["data"].is_null(),
            "{variables}: no partial data: {body}"
        );
    }
    // A wrong type is caught by GraphQL validation, also without a 500.
    let body = server.graphql(SEARCH, with(json!({"passengers": "two"})));
    ensure!(error_code(&body).0 == "GRAPHQL_VALIDATION_FAILED", "{body}");
    Ok(())
}

fn flight_by_id_renders_local_times(server: &DevServer) -> Result<(), Failed> {
    let routes = catalog_seed::routes().unwrap();
    let day = server.seed_start.plus_days(2).unwrap();
    let flights = catalog_seed::schedule(&routes, day, 1);
    let overnight = flights
        .iter()
        .find(|f| f.arrival_day_offset() == 1)
        .expect("the seed has overnight flights");
    let query = "query($id: ID!) { flight(id: $id) { id flightNumber arrivalDayOffset
        departure { localDate timeZone utc } arrival { localDate timeZone utc } } }";
    let body = server.graphql(query, json!({"id": overnight.id.to_string()}));
    let flight = &body["data"]["flight"];
    ensure!(flight["id"] == json!(overnight.id.to_string()), "{body}");
    ensure!(flight["arrivalDayOffset"] == 1, "{body}");
    let departed =
        LocalDate::parse("d", flight["departure"]["localDate"].as_str().unwrap()).unwrap();
    let arrived = LocalDate::parse("d", flight["arrival"]["localDate"].as_str().unwrap()).unwrap();
    ensure!(
        departed.days_until(arrived) == 1,
        "arrives the next local day: {flight}"
    );
    ensure!(
        flight["departure"]["timeZone"] == json!(overnight.origin.time_zone.name()),
        "{flight}"
    );

    let missing = server.graphql(query, json!({"id": "EA9999-20261125"}));
    ensure!(error_code(&missing).0 == "NOT_FOUND", "{missing}");
    let malformed = server.graphql(query, json!({"id": "DROP TABLE flights"}));
    ensure!(
        error_code(&malformed) == ("BAD_USER_INPUT", "id"),
        "{malformed}"
    );
    Ok(())
}

fn airport_autocomplete(server: &DevServer) -> Result<(), Failed> {
    let query =
        "query($s: String, $n: Int) { airports(search: $s, first: $n) { code city timeZone } }";
    let codes = |search: &str| -> Vec<String> {
        let body = server.graphql(query, json!({"s": search, "n": 10}));
        body["data"]["airports"]
            .as_array()
            .unwrap_or_else(|| panic!("{body}"))
            .iter()
            .map(|a| a["code"].as_str().unwrap().to_owned())
            .collect()
    };
    ensure!(
        codes("jfk").first().map(String::as_str) == Some("JFK"),
        "{:?}",
        codes("jfk")
    );
    let london = codes("london");
    ensure!(
        london.contains(&"LHR".into()) && london.contains(&"LGW".into()),
        "{london:?}"
    );
    ensure!(codes("zur").contains(&"ZRH".into()), "{:?}", codes("zur"));
    ensure!(
        codes("Zürich").contains(&"ZRH".into()),
        "{:?}",
        codes("Zürich")
    );
    ensure!(codes("sao paulo") == ["GRU"], "{:?}", codes("sao paulo"));
    ensure!(codes("xyzzy").is_empty(), "no match is an empty list");
    let percent = server.graphql(query, json!({"s": "%", "n": 5}));
    ensure!(
        error_code(&percent) == ("BAD_USER_INPUT", "search"),
        "{percent}"
    );
    let too_many = server.graphql(query, json!({"s": "a", "n": 500}));
    ensure!(
        error_code(&too_many) == ("BAD_USER_INPUT", "first"),
        "{too_many}"
    );
    Ok(())
}

fn http_rules_are_enforced(server: &DevServer) -> Result<(), Failed> {
    let json_type = [("Content-Type", "application/json")];
    let query = br#"{"query":"{ __typename }"}"#;
    let check = |what: &str, response: airline_e2e::HttpResponse, status: u16, code: &str| {
        let ok = response.status == status
            && response
                .header("X-Request-Id")
                .is_some_and(|id| id.len() == 32)
            && response.json()["errors"][0]["extensions"]["code"] == code
            && response.json()["extensions"]["requestId"].is_string();
        if ok {
            Ok(())
        } else {
            Err(format!("{what}: want {status} {code}, got {response:?}"))
        }
    };
    let send = |method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]| {
        server.request(method, path, headers, body).unwrap()
    };

    check(
        "text/plain",
        send("POST", "/graphql", &[("Content-Type", "text/plain")], query),
        415,
        "UNSUPPORTED_MEDIA_TYPE",
    )?;
    check(
        "no content type",
        send("POST", "/graphql", &[], query),
        415,
        "UNSUPPORTED_MEDIA_TYPE",
    )?;
    let huge = format!(
        r#"{{"query":"{{ __typename }}","pad":"{}"}}"#,
        "x".repeat(70_000)
    );
    check(
        "70 kB body",
        send("POST", "/graphql", &json_type, huge.as_bytes()),
        413,
        "PAYLOAD_TOO_LARGE",
    )?;
    check(
        "not JSON",
        send("POST", "/graphql", &json_type, b"{query"),
        400,
        "BAD_REQUEST",
    )?;
    check(
        "batch",
        send(
            "POST",
            "/graphql",
            &json_type,
            br#"[{"query":"{ __typename }"}]"#,
        ),
        400,
        "BAD_REQUEST",
    )?;
    check(
        "PUT",
        send("PUT", "/graphql", &json_type, query),
        405,
        "METHOD_NOT_ALLOWED",
    )?;
    check(
        "a mutation over GET",
        send(
            "GET",
            "/graphql?query=mutation%7BsignOut(refreshToken%3A%22x%22)%7D",
            &[],
            b"",
        ),
        405,
        "METHOD_NOT_ALLOWED",
    )?;
    // A path under one the Worker owns (wrangler.toml's run_worker_first) that it does not
    // serve; any other path is the web app's, answered by the static assets (web_edge).
    check(
        "unknown path",
        send("GET", "/auth/nowhere", &[], b""),
        404,
        "NOT_FOUND",
    )?;

    let ok = send(
        "POST",
        "/graphql",
        &[("Content-Type", "application/json; charset=utf-8")],
        query,
    );
    ensure!(
        ok.status == 200 && ok.json()["data"]["__typename"] == "Query",
        "{ok:?}"
    );

    let graphiql = send("GET", "/graphql", &[("Accept", "text/html")], b"");
    ensure!(graphiql.status == 200, "{graphiql:?}");
    ensure!(
        graphiql
            .header("Content-Type")
            .is_some_and(|t| t.starts_with("text/html")),
        "{graphiql:?}"
    );
    ensure!(graphiql.body.contains("GraphiQL"), "GraphiQL page");
    Ok(())
}

fn cors_allows_only_configured_origins(server: &DevServer) -> Result<(), Failed> {
    let preflight = |origin: &str| {
        server
            .request(
                "OPTIONS",
                "/graphql",
                &[
                    ("Origin", origin),
                    ("Access-Control-Request-Method", "POST"),
                    ("Access-Control-Request-Headers", "content-type"),
                ],
                b"",
            )
            .unwrap()
    };
    let allowed = preflight(ALLOWED_ORIGIN);
    ensure!(allowed.status == 204, "{allowed:?}");
    ensure!(
        allowed.header("Access-Control-Allow-Origin") == Some(ALLOWED_ORIGIN),
        "{allowed:?}"
    );
    ensure!(
        allowed.header("Access-Control-Allow-Methods") == Some("POST"),
        "{allowed:?}"
    );
    let refused = preflight("https://evil.example");
    ensure!(refused.status == 403, "{refused:?}");
    ensure!(
        refused.header("Access-Control-Allow-Origin").is_none(),
        "{refused:?}"
    );

    let post = |origin: &str| {
        server
            .request(
                "POST",
                "/graphql",
                &[("Content-Type", "application/json"), ("Origin", origin)],
                br#"{"query":"{ __typename }"}"#,
            )
            .unwrap()
    };
    let from_app = post(ALLOWED_ORIGIN);
    ensure!(
        from_app.header("Access-Control-Allow-Origin") == Some(ALLOWED_ORIGIN),
        "{from_app:?}"
    );
    let from_evil = post("https://evil.example");
    ensure!(
        from_evil.header("Access-Control-Allow-Origin").is_none(),
        "{from_evil:?}"
    );
    Ok(())
}

fn expensive_queries_are_refused(server: &DevServer) -> Result<(), Failed> {
    let date = tomorrow(server);
    let fields = "edges { node { id flightNumber durationMinutes departure { utc local localDate localTime utcOffset timeZone } arrival { utc local } fare { amount currency formatted } origin { code name city } destination { code name city } } }";
    let aliases: Vec<String> = (0..8)
        .map(|i| format!(r#"s{i}: searchFlights(from: "LHR", to: "JFK", date: "{date}", first: 50) {{ {fields} }}"#))
        .collect();
    let body = server.graphql(&format!("{{ {} }}", aliases.join(" ")), json!({}));
    ensure!(
        error_code(&body).0 == "GRAPHQL_VALIDATION_FAILED",
        "too complex: {body}"
    );
    ensure!(body["data"].is_null(), "nothing resolved: {body}");

    let deep = format!(
        "{{ __schema {{ types {{ {} name {} }} }} }}",
        "fields { type { ofType { ofType { ofType { ofType { ofType { ofType { ofType {",
        "} } } } } } } } }"
    );
    let body = server.graphql(&deep, json!({}));
    ensure!(
        error_code(&body).0 == "GRAPHQL_VALIDATION_FAILED",
        "too deep: {body}"
    );
    Ok(())
}

fn route_day_search_uses_the_index(server: &DevServer) -> Result<(), Failed> {
    let plan = server.d1(
        "EXPLAIN QUERY PLAN SELECT f.id FROM flights f JOIN airports o ON o.code = f.origin \
         JOIN airports d ON d.code = f.destination WHERE f.origin = 'LHR' AND f.destination = 'JFK' \
         AND f.departure_utc >= '2026-11-25T00:00:00Z' AND f.departure_utc < '2026-11-26T00:00:00Z'",
    )?;
    let details: Vec<&str> = plan
        .iter()
        .filter_map(|row| row["detail"].as_str())
        .collect();
    ensure!(
        details
            .iter()
            .any(|d| d.contains("SEARCH f USING INDEX flights_by_route_and_departure")),
        "route-day search should be an index range scan: {details:?}"
    );
    ensure!(
        !details.iter().any(|d| d.starts_with("SCAN")),
        "no table scans: {details:?}"
    );
    Ok(())
}

fn every_response_has_its_own_request_id(server: &DevServer) -> Result<(), Failed> {
    let ids: HashSet<String> = (0..5)
        .map(|_| {
            let response = server.graphql_response("{ __typename }", json!({}));
            let header = response
                .header("X-Request-Id")
                .unwrap_or_default()
                .to_owned();
            assert_eq!(response.json()["extensions"]["requestId"], json!(header));
            header
        })
        .collect();
    ensure!(ids.len() == 5, "request ids repeat: {ids:?}");
    Ok(())
}

/// `GET /graphql?query=…&variables=…`, URL-encoded.
fn get_path(query: &str, variables: &Value, extensions: Option<&Value>) -> String {
    let mut url = url_encoded(&[("query", query), ("variables", &variables.to_string())]);
    if let Some(extensions) = extensions {
        url.push('&');
        url.push_str(&url_encoded(&[("extensions", &extensions.to_string())]));
    }
    format!("/graphql?{url}")
}

fn url_encoded(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(name, value)| {
            let encoded: String = value
                .bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                        (b as char).to_string()
                    }
                    _ => format!("%{b:02X}"),
                })
                .collect();
            format!("{name}={encoded}")
        })
        .collect::<Vec<_>>()
        .join("&")
}

const SEATS: &str = "query($from: String!, $to: String!, $date: String!) { searchFlights(from: $from, to: $to, date: $date) { edges { node { id seatsAvailable } } } }";

/// An anonymous search over GET: the second identical one is answered from the edge
/// cache with the same body; a seat sold meanwhile shows once the short TTL has passed;
/// a signed-in GET is never cached.
fn an_anonymous_search_over_get_is_served_from_the_edge_cache(
    server: &DevServer,
) -> Result<(), Failed> {
    let date = server.seed_start.plus_days(12).unwrap().to_string();
    let path = get_path(
        SEATS,
        &json!({"from": "LHR", "to": "JFK", "date": date}),
        None,
    );
    let first = server.request("GET", &path, &[], b"")?;
    ensure!(
        first.status == 200 && first.header("X-Cache") == Some("MISS"),
        "{first:?}"
    );
    ensure!(
        first
            .header("Cache-Control")
            .is_some_and(|c| c == format!("public, max-age={CACHE_TTL_SECONDS}")),
        "{first:?}"
    );
    let before: Value = first.json();
    let flight = before["data"]["searchFlights"]["edges"][0]["node"].clone();
    let flight_id = flight["id"].as_str().ok_or("a flight")?.to_owned();
    let seats_before = flight["seatsAvailable"].as_i64().unwrap();

    // Wait for the cache put (done after the answer went out), then ask again.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(1);
    let second = loop {
        let again = server.request("GET", &path, &[], b"")?;
        if again.header("X-Cache") == Some("HIT") || std::time::Instant::now() > deadline {
            break again;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    ensure!(
        second.header("X-Cache") == Some("HIT"),
        "the same search again is a cache hit: {second:?}"
    );
    ensure!(
        second.json()["data"] == before["data"],
        "the hit is the same answer"
    );

    // A seat is sold: the count in D1 moves; the cached answer does not, until it expires.
    server.d1(&format!(
        "UPDATE flights SET seats_available = seats_available - 1 WHERE id = '{flight_id}'"
    ))?;
    let seats_of = |body: &Value| {
        body["data"]["searchFlights"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .find(|edge| edge["node"]["id"] == flight_id.as_str())
            .and_then(|edge| edge["node"]["seatsAvailable"].as_i64())
    };
    let cached = server.request("GET", &path, &[], b"")?;
    if cached.header("X-Cache") == Some("HIT") {
        ensure!(
            seats_of(&cached.json()) == Some(seats_before),
            "within the TTL the cached count is served"
        );
    }
    std::thread::sleep(std::time::Duration::from_millis(
        CACHE_TTL_SECONDS * 1000 + 500,
    ));
    let fresh = server.request("GET", &path, &[], b"")?;
    ensure!(
        fresh.header("X-Cache") == Some("MISS")
            && seats_of(&fresh.json()) == Some(seats_before - 1),
        "after the TTL the sale shows: {fresh:?}"
    );

    // Signed in: private, never from or into the shared cache.
    let token = airline_e2e::Customer::sign_up(server, "cache").token;
    let bearer = format!("Bearer {token}");
    let mine = server.request("GET", &path, &[("Authorization", &bearer)], b"")?;
    ensure!(
        mine.status == 200
            && mine.header("X-Cache").is_none()
            && mine.header("Cache-Control") == Some("private, no-store"),
        "{mine:?}"
    );
    Ok(())
}

/// Automatic persisted queries: a hash alone is unknown at first; sent once with its
/// query, the hash alone then works; a hash that is not the query's is refused.
fn persisted_queries_keep_get_urls_short(server: &DevServer) -> Result<(), Failed> {
    let query = "query Persisted($code: String!) { airports(search: $code, first: 1) { code } }";
    let hash = airline_edge::over_get::query_hash(query);
    let extensions = json!({"persistedQuery": {"version": 1, "sha256Hash": hash}});
    let variables = json!({"code": "LHR"});
    let short = format!(
        "/graphql?{}",
        url_encoded(&[
            ("variables", &variables.to_string()),
            ("extensions", &extensions.to_string())
        ])
    );
    let unknown = server.request("GET", &short, &[], b"")?;
    let body: Value = unknown.json();
    ensure!(
        body["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND",
        "{body}"
    );
    let full = server.request(
        "GET",
        &get_path(query, &variables, Some(&extensions)),
        &[],
        b"",
    )?;
    ensure!(
        full.json()["data"]["airports"][0]["code"] == "LHR",
        "{full:?}"
    );
    let known = server.request("GET", &short, &[], b"")?;
    ensure!(
        known.json()["data"]["airports"][0]["code"] == "LHR",
        "the hash alone now stands for the query: {known:?}"
    );
    let wrong = json!({"persistedQuery": {"version": 1, "sha256Hash": "0".repeat(64)}});
    let lying = server.request("GET", &get_path(query, &variables, Some(&wrong)), &[], b"")?;
    ensure!(lying.status == 400, "{lying:?}");
    Ok(())
}

/// Under `Accept: application/graphql-response+json` a query that does not validate is
/// a 400 with that media type and no `data` entry (it never ran); under plain JSON it
/// stays a 200 with `"data": null`.
fn graphql_response_json_gets_spec_status_codes(server: &DevServer) -> Result<(), Failed> {
    let body = br#"{"query":"{ noSuchField }"}"#;
    let spec = server.request(
        "POST",
        "/graphql",
        &[
            ("Content-Type", "application/json"),
            ("Accept", "application/graphql-response+json"),
        ],
        body,
    )?;
    ensure!(
        spec.status == 400
            && spec
                .header("Content-Type")
                .is_some_and(|t| t.starts_with("application/graphql-response+json")),
        "{spec:?}"
    );
    let spec_body = spec.json();
    ensure!(
        spec_body.get("data").is_none() && spec_body["errors"][0]["message"].is_string(),
        "a request that never ran has no data entry: {spec_body}"
    );
    let plain = server.request(
        "POST",
        "/graphql",
        &[("Content-Type", "application/json")],
        body,
    )?;
    ensure!(
        plain.status == 200
            && plain
                .header("Content-Type")
                .is_some_and(|t| t.starts_with("application/json")),
        "{plain:?}"
    );
    ensure!(
        plain.json().get("data") == Some(&Value::Null),
        "as application/json it keeps \"data\": null: {}",
        plain.body
    );
    let ok = server.request(
        "GET",
        &get_path("{ __typename }", &json!({}), None),
        &[("Accept", "application/graphql-response+json")],
        b"",
    )?;
    ensure!(ok.status == 200, "{ok:?}");
    Ok(())
}
