//! The seed catalog: real airports and a deterministic timetable generated from rules.
//!
//! Given a start date the output is always the same, so a developer's local catalog,
//! CI's and the integration tests' expectations agree. Nothing here is random: variety
//! comes from hashing names and dates.
#![forbid(unsafe_code)]

pub mod airports;
mod sql;

use std::collections::BTreeSet;

use airline_domain::{
    geo, pricing, AircraftType, Airport, AirportCode, Currency, Flight, FlightId, FlightNumber,
    FlightStatus, GeoPoint, InputError, LocalDate, LocalTimeOfDay, TimeZone,
};
use chrono::{Datelike, Duration};

pub use crate::airports::{AirportRecord, AIRPORTS};
pub use crate::sql::to_sql;

/// The airline the seed schedules: a fictional carrier.
pub const AIRLINE_CODE: &str = "EA";
/// Days of timetable generated from the start date.
pub const DEFAULT_DAYS: u32 = 60;
/// Undirected airport pairs served (each flown both ways).
const CITY_PAIRS: usize = 240;
/// Airports closer than this are the same metropolitan area: no flights between them.
const MIN_ROUTE_KM: f64 = 250.0;
/// Longest nonstop the fleet flies with a full cabin.
const MAX_ROUTE_KM: f64 = 15_000.0;

/// The seed's airports as domain values; fails only if the reference table is wrong.
pub fn airports() -> Result<Vec<Airport>, InputError> {
    AIRPORTS.iter().map(to_airport).collect()
}

fn to_airport(record: &AirportRecord) -> Result<Airport, InputError> {
    Ok(Airport {
        code: AirportCode::parse("code", record.code)?,
        name: record.name.to_owned(),
        city: record.city.to_owned(),
        country: record.country.to_owned(),
        time_zone: TimeZone::parse("time_zone", record.time_zone)?,
        location: GeoPoint::new(record.latitude, record.longitude)?,
    })
}

/// One direction of a city pair, with everything that is the same every day.
#[derive(Debug, Clone)]
pub struct Route {
    pub origin: Airport,
    pub destination: Airport,
    pub distance_km: f64,
    pub aircraft: AircraftType,
    /// Local departure times at the origin, the same every operating day.
    pub departures: Vec<LocalTimeOfDay>,
    /// Operating days, Monday = bit 0.
    pub weekdays: u8,
    /// First flight number; departure `i` is `first_number + i`.
    pub first_number: u16,
    pub block_minutes: u32,
    /// This route's price level relative to the fare model, 0.9 to 1.1.
    pub price_level: f64,
    /// Fares are sold in the currency of the country of departure.
    pub currency: Currency,
    pub units_per_usd: f64,
}

/// The network: every airport connected to its nearest big hubs, then the strongest city
/// pairs by traffic and distance, each flown both ways.
pub fn routes() -> Result<Vec<Route>, InputError> {
    let airports = airports()?;
    let records = AIRPORTS;
    let n = airports.len();
    let distance = |a: usize, b: usize| airports[a].location.distance_km(&airports[b].location);
    let eligible = |a: usize, b: usize| {
        let d = distance(a, b);
        a != b && (MIN_ROUTE_KM..=MAX_ROUTE_KM).contains(&d)
    };

    let mut pairs: BTreeSet<(usize, usize)> = BTreeSet::new();
    // Every airport, however small, reaches its two nearest big hubs.
    for a in 0..n {
        let mut hubs: Vec<usize> = (0..n)
            .filter(|&b| records[b].hub_size >= 4 && eligible(a, b))
            .collect();
        hubs.sort_by(|&x, &y| distance(a, x).total_cmp(&distance(a, y)));
        for &b in hubs.iter().take(2) {
            pairs.insert((a.min(b), a.max(b)));
        }
    }
    // Then the strongest remaining pairs: big hubs at both ends, short enough to fly
    // often, with a little hashed variety so the network is not a pure formula.
    let mut candidates: Vec<(f64, usize, usize)> = Vec::new();
    for a in 0..n {
        for b in (a + 1)..n {
            if !eligible(a, b) || pairs.contains(&(a, b)) {
                continue;
            }
            let traffic = f64::from(records[a].hub_size) * f64::from(records[b].hub_size);
            let d = distance(a, b);
            let reach = if d < 2_000.0 {
                1.3
            } else if d < 6_000.0 {
                1.2
            } else {
                0.9
            };
            // Domestic trunk routes (JFK-LAX, HND-CTS) carry more than their hubs suggest.
            let domestic = if records[a].country == records[b].country {
                1.3
            } else {
                1.0
            };
            let variety = 0.75 + 0.5 * unit(hash(&[records[a].code, records[b].code]));
            candidates.push((traffic * reach * domestic * variety, a, b));
        }
    }
    candidates.sort_by(|x, y| y.0.total_cmp(&x.0).then((x.1, x.2).cmp(&(y.1, y.2))));
    for (_, a, b) in candidates {
        if pairs.len() >= CITY_PAIRS {
            break;
        }
        pairs.insert((a, b));
    }

    let mut routes = Vec::with_capacity(pairs.len() * 2);
    for &(a, b) in &pairs {
        for (from, to) in [(a, b), (b, a)] {
            let index = routes.len();
            routes.push(route(
                &airports[from],
                &airports[to],
                records[from].hub_size,
                records[to].hub_size,
                index,
            )?);
        }
    }
    Ok(routes)
}

fn route(
    origin: &Airport,
    destination: &Airport,
    hub_from: u8,
    hub_to: u8,
    index: usize,
) -> Result<Route, InputError> {
    let distance_km = origin.location.distance_km(&destination.location);
    let traffic = u32::from(hub_from) * u32::from(hub_to);
    let key = [origin.code.as_str(), destination.code.as_str()];
    let seed = hash(&key);

    let per_day = if distance_km < 1_500.0 {
        (traffic as f64 / 5.0).round().clamp(1.0, 5.0) as usize
    } else if distance_km < 5_000.0 {
        (traffic as f64 / 6.0).round().clamp(1.0, 4.0) as usize
    } else if traffic >= 20 {
        2
    } else {
        1
    };
    // Thin long-haul routes fly four or five days a week, not daily.
    let weekdays = if distance_km > 5_000.0 && traffic <= 6 {
        match seed % 3 {
            0 => 0b101_0101, // Mon Wed Fri Sun
            1 => 0b011_0110, // Tue Wed Fri Sat
            _ => 0b110_1011, // Mon Tue Thu Sat Sun
        }
    } else {
        0b111_1111
    };
    let departures = departure_times(per_day, distance_km, seed);
    let (currency_code, units_per_usd) = fare_currency(&origin.country);
    Ok(Route {
        origin: origin.clone(),
        destination: destination.clone(),
        distance_km,
        aircraft: aircraft_for(distance_km, traffic, seed),
        departures,
        weekdays,
        first_number: 100 + (index as u16) * 6,
        block_minutes: geo::block_time_minutes(
            distance_km,
            origin.location.is_eastward_to(&destination.location),
        ),
        price_level: 0.9 + 0.2 * unit(seed.rotate_left(17)),
        currency: Currency::parse("currency", currency_code)?,
        units_per_usd,
    })
}

/// Departure banks as airlines run them: short-haul spread from 06:00 to 21:30,
/// long-haul in the late morning or the evening (arriving early morning).
fn departure_times(per_day: usize, distance_km: f64, seed: u64) -> Vec<LocalTimeOfDay> {
    let minutes: Vec<u16> = if distance_km > 7_000.0 {
        const BANKS: [u16; 6] = [
            9 * 60 + 15,
            11 * 60 + 40,
            13 * 60 + 5,
            19 * 60 + 10,
            21 * 60 + 45,
            22 * 60 + 30,
        ];
        (0..per_day)
            .map(|i| BANKS[(seed as usize + i * 3) % BANKS.len()])
            .collect()
    } else {
        let first = 6 * 60;
        let span = 15 * 60 + 30;
        let gap = span / per_day.max(1) as u16;
        (0..per_day as u16)
            .map(|i| {
                let jitter = ((seed >> (i * 7)) % 9) as u16 * 5; // up to 40 minutes
                first + i * gap + jitter
            })
            .collect()
    };
    let mut times: Vec<LocalTimeOfDay> = minutes
        .into_iter()
        .filter_map(|m| LocalTimeOfDay::from_hm(m / 60, (m % 60) / 5 * 5))
        .collect();
    times.sort();
    times.dedup();
    times
}

fn aircraft_for(distance_km: f64, traffic: u32, seed: u64) -> AircraftType {
    use AircraftType::*;
    let choice = if distance_km < 700.0 && traffic <= 6 {
        Atr72
    } else if distance_km < 3_000.0 && traffic <= 6 {
        E190
    } else if distance_km < 5_000.0 {
        match (traffic >= 12, seed % 2) {
            (true, _) => A321Neo,
            (false, 0) => A320Neo,
            (false, _) => B738,
        }
    } else if distance_km < 6_400.0 && traffic < 12 {
        A321Neo
    } else if distance_km > 13_000.0 {
        A359
    } else if traffic >= 16 {
        B77W
    } else if seed.is_multiple_of(2) {
        B789
    } else {
        A359
    };
    debug_assert!(choice.range_km() >= distance_km);
    choice
}

/// Every flight of `routes` on the `days` local dates from `start`.
pub fn schedule(routes: &[Route], start: LocalDate, days: u32) -> Vec<Flight> {
    let mut flights = Vec::new();
    for day in 0..i64::from(days) {
        let Some(date) = start.plus_days(day) else {
            break;
        };
        let weekday_bit = 1u8 << date.naive().weekday().num_days_from_monday();
        for route in routes.iter().filter(|r| r.weekdays & weekday_bit != 0) {
            for (i, &time) in route.departures.iter().enumerate() {
                if let Some(flight) = departure(route, date, time, i as u16) {
                    flights.push(flight);
                }
            }
        }
    }
    flights
}

fn departure(route: &Route, date: LocalDate, time: LocalTimeOfDay, i: u16) -> Option<Flight> {
    // Timetable times are after 06:00, clear of every DST gap; skip rather than guess.
    let departure = route.origin.time_zone.instant_at(date, time)?;
    let arrival = departure + Duration::minutes(i64::from(route.block_minutes));
    let number = FlightNumber::new(AIRLINE_CODE, route.first_number + i).ok()?;
    let usd_cents = pricing::base_fare_usd_cents(route.distance_km) as f64
        * pricing::demand_factor(time, date.naive().weekday())
        * route.price_level;
    let capacity = route.aircraft.seat_capacity();
    Some(Flight {
        id: FlightId::new(&number, date),
        number,
        origin: route.origin.clone(),
        destination: route.destination.clone(),
        departure,
        arrival,
        fare: pricing::fare_in(
            usd_cents.round() as i64,
            route.currency,
            route.units_per_usd,
        ),
        seat_capacity: capacity,
        seats_available: capacity,
        aircraft: route.aircraft,
        status: FlightStatus::Scheduled,
    })
}

/// Fares are sold in the currency of the country of departure, converted at the domain's
/// reference rates. Markets that price air travel in dollars use USD.
fn fare_currency(country: &str) -> (&'static str, f64) {
    let code = match country {
        "AE" => "AED",
        "AR" => "ARS",
        "AU" => "AUD",
        "BR" => "BRL",
        "CA" => "CAD",
        "CH" => "CHF",
        "CL" => "CLP",
        "CN" => "CNY",
        "CO" => "COP",
        "DE" | "ES" | "FR" | "IE" | "IT" | "NL" | "PT" => "EUR",
        "EG" => "EGP",
        "ET" => "ETB",
        "GB" => "GBP",
        "HK" => "HKD",
        "IL" => "ILS",
        "IN" => "INR",
        "IS" => "ISK",
        "JO" => "JOD",
        "JP" => "JPY",
        "KE" => "KES",
        "KR" => "KRW",
        "MA" => "MAD",
        "MX" => "MXN",
        "NG" => "NGN",
        "NZ" => "NZD",
        "OM" => "OMR",
        "PE" => "PEN",
        "PL" => "PLN",
        "QA" => "QAR",
        "SA" => "SAR",
        "SE" => "SEK",
        "SG" => "SGD",
        "TH" => "THB",
        "TR" => "TRY",
        "VN" => "VND",
        "ZA" => "ZAR",
        _ => "USD",
    };
    let rate = Currency::parse("currency", code).map_or(1.0, |c| c.units_per_usd());
    (code, rate)
}

/// FNV-1a over the parts, finished with splitmix64 so nearby inputs spread out.
fn hash(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain([0xff]) {
            h ^= u64::from(byte);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// A hash mapped to [0, 1).
fn unit(h: u64) -> f64 {
    (h >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{HashMap, HashSet};

    fn start() -> LocalDate {
        LocalDate::parse("date", "2026-11-24").unwrap()
    }

    #[test]
    fn every_reference_airport_parses_with_a_real_zone() {
        let airports = airports().unwrap();
        assert!(airports.len() >= 60);
        let countries: HashSet<_> = airports.iter().map(|a| a.country.as_str()).collect();
        assert!(countries.len() >= 30);
        for airport in &airports {
            let (code, _) = fare_currency(&airport.country);
            assert!(Currency::parse("currency", code).is_ok(), "{code}");
        }
    }

    #[test]
    fn the_network_is_large_connected_both_ways_and_within_range() {
        let routes = routes().unwrap();
        assert!(routes.len() >= 300, "{} routes", routes.len());
        let directed: HashSet<_> = routes
            .iter()
            .map(|r| (r.origin.code, r.destination.code))
            .collect();
        assert_eq!(directed.len(), routes.len(), "no duplicate routes");
        for route in &routes {
            assert!(directed.contains(&(route.destination.code, route.origin.code)));
            assert!(route.distance_km >= MIN_ROUTE_KM);
            assert!(
                route.aircraft.range_km() >= route.distance_km,
                "{:?}",
                route.aircraft
            );
            assert!(!route.departures.is_empty());
        }
        let served: HashSet<_> = routes.iter().map(|r| r.origin.code).collect();
        assert_eq!(served.len(), AIRPORTS.len(), "every airport has flights");
        assert!(
            routes.iter().any(|r| r.departures.len() >= 4),
            "busy routes fly several times a day"
        );
    }

    #[test]
    fn the_schedule_is_deterministic_unique_and_realistic() {
        let routes = routes().unwrap();
        let flights = schedule(&routes, start(), DEFAULT_DAYS);
        assert_eq!(flights, schedule(&routes, start(), DEFAULT_DAYS));
        assert!(flights.len() > 10_000, "{} flights", flights.len());
        let ids: HashSet<_> = flights.iter().map(|f| f.id.clone()).collect();
        assert_eq!(ids.len(), flights.len(), "flight ids are unique");
        for flight in &flights {
            let local = flight.origin.time_zone.time_of_day(flight.departure);
            assert!(
                local >= LocalTimeOfDay::from_hm(6, 0).unwrap(),
                "{} departs at {local}",
                flight.id
            );
            let hours = flight.duration().num_minutes() as f64 / 60.0;
            assert!(
                (0.5..=19.0).contains(&hours),
                "{} takes {hours}h",
                flight.id
            );
            assert!(flight.fare.amount_minor() > 0);
            assert_eq!(flight.seats_available, flight.seat_capacity);
        }
    }

    #[test]
    fn the_schedule_covers_sixty_local_days() {
        let flights = schedule(&routes().unwrap(), start(), DEFAULT_DAYS);
        let dates: HashSet<_> = flights
            .iter()
            .map(|f| f.origin.time_zone.date_at(f.departure))
            .collect();
        assert_eq!(dates.len(), DEFAULT_DAYS as usize);
        assert!(dates.contains(&start()));
        assert!(dates.contains(&start().plus_days(59).unwrap()));
    }

    #[test]
    fn fares_grow_with_distance_and_use_the_origin_s_currency() {
        let flights = schedule(&routes().unwrap(), start(), 7);
        let mut per_route: HashMap<(AirportCode, AirportCode), Vec<&Flight>> = HashMap::new();
        for f in &flights {
            per_route
                .entry((f.origin.code, f.destination.code))
                .or_default()
                .push(f);
        }
        let lhr = AirportCode::parse("c", "LHR").unwrap();
        let from_london: Vec<_> = flights.iter().filter(|f| f.origin.code == lhr).collect();
        assert!(from_london
            .iter()
            .all(|f| f.fare.currency().code() == "GBP"));
        let usd = |f: &Flight| f.fare.amount_minor() as f64 / fare_currency(&f.origin.country).1;
        let short = from_london
            .iter()
            .filter(|f| f.duration().num_hours() < 2)
            .map(|f| usd(f));
        let long = from_london
            .iter()
            .filter(|f| f.duration().num_hours() > 10)
            .map(|f| usd(f));
        let (short_max, long_min) = (short.fold(0.0, f64::max), long.fold(f64::MAX, f64::min));
        assert!(
            short_max < long_min,
            "short-haul {short_max} vs long-haul {long_min}"
        );
    }

    #[test]
    fn a_dst_change_keeps_local_departure_times() {
        // Europe/London changes to GMT on 2026-10-25: the same slot is an hour later in UTC.
        let routes = routes().unwrap();
        let route = routes
            .iter()
            .find(|r| r.origin.code.as_str() == "LHR")
            .unwrap();
        let before = schedule(
            std::slice::from_ref(route),
            LocalDate::parse("d", "2026-10-24").unwrap(),
            1,
        );
        let after = schedule(
            std::slice::from_ref(route),
            LocalDate::parse("d", "2026-10-26").unwrap(),
            1,
        );
        let (a, b) = (&before[0], &after[0]);
        assert_eq!(
            a.origin.time_zone.time_of_day(a.departure),
            b.origin.time_zone.time_of_day(b.departure)
        );
        assert_eq!(
            (b.departure - Duration::days(2) - a.departure).num_minutes(),
            60
        );
    }
}
