//! The catalog part of the schema: airports, flight search and single flights.

use airline_booking::seatmap::SeatMap;
use airline_domain::search::SearchRequest;
use airline_domain::{
    self as domain, AirportCode, AirportQuery, FlightId, FlightSearch, InputError,
};
use async_graphql::connection::PageInfo;
use async_graphql::{Context, Enum, InputObject, Object, SimpleObject, ID};
use chrono::{DateTime, SecondsFormat, Utc};

use crate::error::{ApiError, ApiResult};
use crate::RequestContext;

const DEFAULT_AIRPORTS: i32 = 10;
const MAX_AIRPORTS: i32 = 50;

#[derive(Default)]
pub struct CatalogQuery;

#[Object]
impl CatalogQuery {
    /// Airports for an autocomplete box: matches a code, city or airport name, ignoring
    /// case and accents ("zur" finds Zürich). Without `search`, airports by code.
    #[graphql(
        complexity = "first.unwrap_or(DEFAULT_AIRPORTS).clamp(1, MAX_AIRPORTS) as usize * child_complexity"
    )]
    async fn airports(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What the traveller typed: part of a code, city or name.")] search: Option<
            String,
        >,
        #[graphql(default = 10, desc = "How many airports to return, 1 to 50.")] first: Option<i32>,
    ) -> ApiResult<Vec<Airport>> {
        let request = RequestContext::of(ctx)?;
        let limit = first.unwrap_or(DEFAULT_AIRPORTS);
        if !(1..=MAX_AIRPORTS).contains(&limit) {
            return Err(ApiError::BadUserInput(InputError::new(
                "first",
                format!("must be between 1 and {MAX_AIRPORTS}"),
            )));
        }
        let query = search
            .as_deref()
            .map(|text| AirportQuery::parse("search", text))
            .transpose()?;
        let airports = request
            .store
            .search_airports(query.as_ref(), limit as usize)
            .await?;
        Ok(airports.into_iter().map(Airport).collect())
    }

    /// Flights from one airport to another on a local calendar date at the departure
    /// airport, for a number of passengers, sorted and filtered, one page at a time.
    #[graphql(
        complexity = "first.unwrap_or(domain::search::DEFAULT_PAGE_SIZE as i32).clamp(1, domain::search::MAX_PAGE_SIZE as i32) as usize * child_complexity"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn search_flights(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "IATA code of the departure airport, e.g. LHR.")] from: String,
        #[graphql(desc = "IATA code of the arrival airport, e.g. JFK.")] to: String,
        #[graphql(desc = "Departure date as YYYY-MM-DD, in the departure airport's zone.")]
        date: String,
        #[graphql(default = 1, desc = "Travellers, 1 to 9.")] passengers: Option<i32>,
        #[graphql(
            default_with = "Some(FlightSort::Price)",
            desc = "Order of the results."
        )]
        sort: Option<FlightSort>,
        #[graphql(desc = "Narrow by local departure time or fare.")] filter: Option<FlightFilter>,
        #[graphql(default = 20, desc = "Page size, 1 to 50.")] first: Option<i32>,
        #[graphql(desc = "`endCursor` of the previous page.")] after: Option<String>,
    ) -> ApiResult<FlightConnection> {
        let request = RequestContext::of(ctx)?;
        let filter = filter.unwrap_or_default();
        let search = FlightSearch::parse(&SearchRequest {
            from: &from,
            to: &to,
            date: &date,
            passengers: i64::from(passengers.unwrap_or(1)),
            sort: sort.unwrap_or_default().into(),
            max_price: filter.max_price,
            depart_after: filter.depart_after.as_deref(),
            depart_before: filter.depart_before.as_deref(),
            first: first.map(i64::from),
            after: after.as_deref(),
        })?;
        // One D1 round trip in the usual case: the departures of every zone's version of
        // the day, each carrying its origin airport, narrowed to the origin's own day once
        // it is known. The airports are looked up only when none came back, to tell an
        // unknown code from an empty day.
        let fetched = request
            .store
            .departures(&search.from, &search.to, search.widest_window())
            .await?;
        let origin = match fetched.first() {
            Some(flight) => flight.origin.clone(),
            None => {
                let origin = request.known_airport("from", &search.from).await?;
                request.known_airport("to", &search.to).await?;
                origin
            }
        };
        search.check_date(&origin, request.now)?;
        let departures = search.in_window(&origin, fetched);
        let page = search.select(departures, request.now);
        Ok(FlightConnection::new(page, search.passengers))
    }

    /// One flight by id (e.g. `EA117-20261124`).
    async fn flight(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Flight number and local departure date, e.g. EA117-20261124.")] id: ID,
    ) -> ApiResult<Flight> {
        let request = RequestContext::of(ctx)?;
        let id = FlightId::parse("id", &id)?;
        request
            .store
            .flight(&id)
            .await?
            .map(Flight)
            .ok_or_else(|| ApiError::not_found(format_args!("flight {id}")))
    }
}

impl RequestContext {
    pub(crate) async fn known_airport(
        &self,
        field: &'static str,
        code: &AirportCode,
    ) -> ApiResult<domain::Airport> {
        self.store.airport(code).await?.ok_or_else(|| {
            ApiError::BadUserInput(InputError::new(
                field,
                format!("no airport has the code {code}"),
            ))
        })
    }
}

#[derive(Enum, Clone, Copy, PartialEq, Eq, Default)]
pub enum FlightSort {
    /// Cheapest first.
    #[default]
    Price,
    /// Earliest departure first.
    Departure,
    /// Shortest flight first.
    Duration,
}

impl From<FlightSort> for domain::SortOrder {
    fn from(sort: FlightSort) -> Self {
        match sort {
            FlightSort::Price => Self::Price,
            FlightSort::Departure => Self::Departure,
            FlightSort::Duration => Self::Duration,
        }
    }
}

#[derive(InputObject, Default)]
pub struct FlightFilter {
    /// Highest fare per passenger, in minor units (cents) of the route's currency.
    max_price: Option<i64>,
    /// Earliest local departure time at the origin, as HH:MM, inclusive.
    depart_after: Option<String>,
    /// Latest local departure time at the origin, as HH:MM, inclusive (24:00 allowed).
    depart_before: Option<String>,
}

pub struct Airport(pub domain::Airport);

#[Object]
impl Airport {
    /// Three-letter IATA code.
    async fn code(&self) -> &str {
        self.0.code.as_str()
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn city(&self) -> &str {
        &self.0.city
    }
    /// ISO 3166-1 alpha-2 country code.
    async fn country(&self) -> &str {
        &self.0.country
    }
    /// IANA time zone the airport's clocks keep, e.g. Europe/London.
    async fn time_zone(&self) -> &str {
        self.0.time_zone.name()
    }
    async fn latitude(&self) -> f64 {
        self.0.location.latitude()
    }
    async fn longitude(&self) -> f64 {
        self.0.location.longitude()
    }
}

pub struct Flight(pub domain::Flight);

#[Object]
impl Flight {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// IATA flight number, e.g. EA117.
    async fn flight_number(&self) -> String {
        self.0.number.to_string()
    }
    /// Two-character IATA code of the operating airline.
    async fn airline_code(&self) -> &str {
        self.0.number.airline()
    }
    async fn origin(&self) -> Airport {
        Airport(self.0.origin.clone())
    }
    async fn destination(&self) -> Airport {
        Airport(self.0.destination.clone())
    }
    /// Departure, in UTC and at the origin's local time.
    async fn departure(&self) -> FlightTime {
        FlightTime::new(self.0.departure, &self.0.origin)
    }
    /// Arrival, in UTC and at the destination's local time.
    async fn arrival(&self) -> FlightTime {
        FlightTime::new(self.0.arrival, &self.0.destination)
    }
    /// Local calendar days between departure and arrival: 1 means "+1 day".
    async fn arrival_day_offset(&self) -> i64 {
        self.0.arrival_day_offset()
    }
    async fn duration_minutes(&self) -> i64 {
        self.0.duration().num_minutes()
    }
    /// Fare for one passenger in Economy, the lowest: what results show first.
    async fn fare(&self) -> Money {
        Money(self.0.fare)
    }
    /// The cabins this flight sells, Economy first, each with its fare for one passenger.
    /// A fare buys its cabin: the seats it may take are that cabin's.
    async fn cabins(&self) -> Vec<CabinFare> {
        SeatMap::for_flight(self.0.aircraft, self.0.seat_capacity)
            .cabins()
            .into_iter()
            .filter_map(|cabin| {
                let fare = cabin.fare(self.0.fare)?;
                Some(CabinFare {
                    cabin: cabin.into(),
                    fare: Money(fare),
                })
            })
            .collect()
    }
    /// Every fare this flight sells for one passenger: each cabin in each brand, Economy
    /// first and cheapest first, with the conditions it is sold with.
    async fn fares(&self) -> Vec<FareOffer> {
        SeatMap::for_flight(self.0.aircraft, self.0.seat_capacity)
            .cabins()
            .into_iter()
            .filter_map(|cabin| cabin.fare(self.0.fare).map(|fare| (cabin, fare)))
            .flat_map(|(cabin, cabin_fare)| {
                domain::FareBrand::ALL.into_iter().map(move |brand| {
                    let fare = brand.fare(cabin_fare);
                    FareOffer {
                        cabin: cabin.into(),
                        brand: brand.into(),
                        fare: Money(fare),
                        conditions: FareConditions::new(brand.conditions(fare), fare.currency()),
                    }
                })
            })
            .collect()
    }
    async fn seat_capacity(&self) -> u32 {
        self.0.seat_capacity
    }
    /// Seats still for sale. Updated shortly after each booking; the seat map is exact.
    async fn seats_available(&self) -> u32 {
        self.0.seats_available
    }
    async fn aircraft(&self) -> Aircraft {
        Aircraft {
            code: self.0.aircraft.code(),
            name: self.0.aircraft.name(),
        }
    }
    async fn status(&self) -> FlightStatus {
        match self.0.status {
            domain::FlightStatus::Scheduled => FlightStatus::Scheduled,
            domain::FlightStatus::Cancelled => FlightStatus::Cancelled,
        }
    }
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum FlightStatus {
    Scheduled,
    Cancelled,
}

#[derive(SimpleObject)]
pub struct Aircraft {
    /// ICAO type designator, e.g. A21N.
    code: &'static str,
    name: &'static str,
}

/// A moment of a flight, as an instant and as the wall clock at the airport reads it.
#[derive(SimpleObject)]
pub struct FlightTime {
    /// RFC 3339 in UTC, e.g. 2026-11-24T18:30:00Z.
    utc: String,
    /// RFC 3339 at the airport with its offset, e.g. 2026-11-24T13:30:00-05:00.
    local: String,
    /// Local calendar date, YYYY-MM-DD.
    local_date: String,
    /// Local wall-clock time, HH:MM.
    local_time: String,
    /// UTC offset in force at that moment, e.g. -05:00.
    utc_offset: String,
    /// IANA time zone of the airport.
    time_zone: String,
}

impl FlightTime {
    fn new(instant: DateTime<Utc>, airport: &domain::Airport) -> Self {
        let local = airport.time_zone.local(instant);
        Self {
            utc: airline_domain::utc_text(instant),
            local: local.to_rfc3339_opts(SecondsFormat::Secs, false),
            local_date: local.format("%Y-%m-%d").to_string(),
            local_time: local.format("%H:%M").to_string(),
            utc_offset: local.format("%:z").to_string(),
            time_zone: airport.time_zone.name().to_owned(),
        }
    }
}

/// A cabin class. A fare buys one, and a seat belongs to one.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Default)]
pub enum Cabin {
    #[default]
    Economy,
    Business,
}

impl From<domain::Cabin> for Cabin {
    fn from(cabin: domain::Cabin) -> Self {
        match cabin {
            domain::Cabin::Economy => Cabin::Economy,
            domain::Cabin::Business => Cabin::Business,
        }
    }
}

impl From<Cabin> for domain::Cabin {
    fn from(cabin: Cabin) -> Self {
        match cabin {
            Cabin::Economy => domain::Cabin::Economy,
            Cabin::Business => domain::Cabin::Business,
        }
    }
}

/// A fare brand: the same seat with more or fewer conditions. FLEX is the full fare.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Default)]
pub enum FareBrand {
    /// The lowest fare: no checked bag, no refund, no changes.
    Light,
    /// A checked bag; refunds and changes for a fee.
    Standard,
    /// Two checked bags; a full refund and free changes until departure.
    #[default]
    Flex,
}

impl From<domain::FareBrand> for FareBrand {
    fn from(brand: domain::FareBrand) -> Self {
        match brand {
            domain::FareBrand::Light => FareBrand::Light,
            domain::FareBrand::Standard => FareBrand::Standard,
            domain::FareBrand::Flex => FareBrand::Flex,
        }
    }
}

impl From<FareBrand> for domain::FareBrand {
    fn from(brand: FareBrand) -> Self {
        match brand {
            FareBrand::Light => domain::FareBrand::Light,
            FareBrand::Standard => domain::FareBrand::Standard,
            FareBrand::Flex => domain::FareBrand::Flex,
        }
    }
}

/// One fare a flight sells: a cabin in a brand, for one passenger, and its conditions.
#[derive(SimpleObject)]
pub struct FareOffer {
    pub cabin: Cabin,
    pub brand: FareBrand,
    pub fare: Money,
    pub conditions: FareConditions,
}

/// What a fare allows, per passenger and flight (as Duffel's offer conditions).
#[derive(SimpleObject)]
pub struct FareConditions {
    /// Checked bags included, 23 kg each.
    pub checked_bags: u8,
    /// Cancelling before departure: allowed, and what is kept of the fare.
    pub refund_before_departure: FareCondition,
    /// Changing to another flight before departure: allowed, and the fee on top of any
    /// fare difference.
    pub change_before_departure: FareCondition,
}

/// Whether something is allowed, and its penalty if it is (zero when free).
#[derive(SimpleObject)]
pub struct FareCondition {
    pub allowed: bool,
    /// Null when it is not allowed.
    pub penalty: Option<Money>,
}

impl FareConditions {
    /// The conditions, their fees in `currency` (the fare's).
    pub fn new(conditions: domain::FareConditions, currency: domain::Currency) -> Self {
        let condition = |allowance: domain::Allowance| {
            let penalty = allowance.fee(currency);
            FareCondition {
                allowed: penalty.is_some(),
                penalty: penalty.map(Money),
            }
        };
        Self {
            checked_bags: conditions.checked_bags,
            refund_before_departure: condition(conditions.refund),
            change_before_departure: condition(conditions.change),
        }
    }
}

/// What one passenger pays to fly in a cabin.
#[derive(SimpleObject)]
pub struct CabinFare {
    pub cabin: Cabin,
    pub fare: Money,
}

/// An amount of money: an integer count of the currency's minor units.
pub struct Money(pub domain::Money);

#[Object]
impl Money {
    /// In minor units: cents for EUR, yen for JPY.
    async fn amount(&self) -> i64 {
        self.0.amount_minor()
    }
    /// ISO-4217 code.
    async fn currency(&self) -> &str {
        self.0.currency().code()
    }
    /// Decimal places of the minor unit (2 for EUR, 0 for JPY), for formatting.
    async fn decimals(&self) -> u8 {
        self.0.currency().decimals()
    }
    /// The amount as text, e.g. "EUR 129.00".
    async fn formatted(&self) -> String {
        self.0.to_string()
    }
}

/// One page of a flight search (Relay connection).
#[derive(SimpleObject)]
pub struct FlightConnection {
    edges: Vec<FlightEdge>,
    page_info: PageInfo,
    /// Flights matching the search across all pages.
    total_count: u32,
}

#[derive(SimpleObject)]
pub struct FlightEdge {
    cursor: String,
    node: Flight,
    /// The Economy fare times the number of passengers searched for (`node.cabins` gives
    /// every cabin's fare).
    total_price: Money,
}

impl FlightConnection {
    fn new(page: domain::SearchPage, passengers: u32) -> Self {
        let edges: Vec<FlightEdge> = page
            .edges
            .into_iter()
            .filter_map(|(cursor, flight)| {
                // A fare times at most nine cannot overflow i64 for any real fare; a row
                // that did would be dropped rather than shown with a wrong price.
                let total = flight.price_for(passengers)?;
                Some(FlightEdge {
                    cursor: cursor.encode(),
                    node: Flight(flight),
                    total_price: Money(total),
                })
            })
            .collect();
        let page_info = PageInfo {
            has_previous_page: page.has_previous_page,
            has_next_page: page.has_next_page,
            start_cursor: edges.first().map(|e| e.cursor.clone()),
            end_cursor: edges.last().map(|e| e.cursor.clone()),
        };
        Self {
            edges,
            page_info,
            total_count: u32::try_from(page.total_count).unwrap_or(u32::MAX),
        }
    }
}
