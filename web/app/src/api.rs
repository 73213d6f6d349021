//! Talking to the API: typed GraphQL operations (each checked against `schema.graphql` when
//! the app compiles), run as the signed-in traveller. Every failure becomes a
//! [`CallError`] the pages can explain, with the input it belongs to when the API names one.
//!
//! The answers arrive in the domain's types, mapped here and nowhere else: a booking's
//! status and a cabin are the domain's [`BookingStatus`] and [`Cabin`] as they are read
//! (and a cabin as it is sent), and every operation's copy of `Money`, of a cabin's fare
//! and of an instant has one mapping below ([`ApiMoney`], [`ApiCabinFare`], `instant`), so
//! the pages and web/core never decide anything on the API's strings.

use airline_web_core::brand::{Allowance, FareConditions};
use airline_web_core::cabin::CabinFare;
use airline_web_core::retry;
use airline_web_core::{BookingStatus, Cabin, Currency, FareBrand, Money};
use chrono::{DateTime, Utc};
use graphql_client::GraphQLQuery;
use serde::de::DeserializeOwned;

pub use crate::http::{auth, post, CallError};
use crate::http::{decode, get, sha256_hex};
use crate::session;

/// Runs one GraphQL operation, as the signed-in traveller when there is one. An access
/// token that expired in the meantime is refreshed once and the call repeated.
pub async fn run<Q: GraphQLQuery>(variables: Q::Variables) -> Result<Q::ResponseData, CallError>
where
    Q::ResponseData: DeserializeOwned,
{
    let request = Q::build_query(variables);
    let body =
        serde_json::to_string(&request).map_err(|_| CallError::internal("unencodable request"))?;
    let token = session::fresh_token().await;
    let (status, text) = post("/graphql", &body, token.as_deref()).await?;
    // The platform (not the API) said to come back: a query is asked once more.
    let (_, text) =
        if retry::only_reads(request.query) && retry::is_platform_unavailable(status, &text) {
            session::sleep(retry::PLATFORM_RETRY_DELAY_MS).await;
            post("/graphql", &body, token.as_deref()).await?
        } else {
            (status, text)
        };
    match decode::<Q::ResponseData>(&text) {
        Err(error) if error.code() == "UNAUTHENTICATED" && token.is_some() => {
            // The token lapsed between our check and the server's: refresh, then try once
            // more (only once, so a server that keeps refusing cannot loop us).
            let Some(token) = session::refresh()
                .await
                .then(session::current_token)
                .flatten()
            else {
                return Err(error);
            };
            let (_, text) = post("/graphql", &body, Some(&token)).await?;
            decode(&text)
        }
        result => result,
    }
}

/// Runs a query that anyone may make (a flight search) so that the edge can answer it
/// from its cache: when nobody is signed in, as a GET naming the query by its SHA-256
/// (a short URL; the text goes along once if the edge does not know it yet). Signed in,
/// or without WebCrypto, it is an ordinary [`run`]: a signed-in answer is never shared.
pub async fn run_shared<Q: GraphQLQuery>(
    variables: Q::Variables,
) -> Result<Q::ResponseData, CallError>
where
    Q::ResponseData: DeserializeOwned,
    Q::Variables: Clone,
{
    if session::current_token().is_some() {
        return run::<Q>(variables).await;
    }
    let body = Q::build_query(variables.clone());
    let Some(hash) = sha256_hex(body.query).await else {
        return run::<Q>(variables).await;
    };
    let encode = |text: &str| String::from(js_sys::encode_uri_component(text));
    let variables = serde_json::to_string(&body.variables)
        .map_err(|_| CallError::internal("unencodable request"))?;
    let extensions = format!(r#"{{"persistedQuery":{{"version":1,"sha256Hash":"{hash}"}}}}"#);
    let short = format!(
        "/graphql?operationName={}&variables={}&extensions={}",
        encode(body.operation_name),
        encode(&variables),
        encode(&extensions)
    );
    let (_, text) = get(&short).await?;
    match decode::<Q::ResponseData>(&text) {
        Err(error) if error.code() == "PERSISTED_QUERY_NOT_FOUND" => {
            let (_, text) = get(&format!("{short}&query={}", encode(body.query))).await?;
            decode(&text)
        }
        result => result,
    }
}

// One type per operation in web/graphql/; the derive checks each against the schema. A
// `BookingStatus`, a `Cabin` or a `FareBrand` in an answer (or a variable) is the
// domain's own type (`extern_enums`), which reads and writes the schema's values.

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../../schema.graphql",
    query_path = "../graphql/airports.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct Airports;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../../schema.graphql",
    query_path = "../graphql/search_flights.graphql",
    extern_enums("Cabin"),
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct SearchFlights;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../../schema.graphql",
    query_path = "../graphql/seat_plan.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct SeatPlan;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../../schema.graphql",
    query_path = "../graphql/flight_brief.graphql",
    extern_enums("Cabin"),
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct FlightBrief;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../../schema.graphql",
    query_path = "../graphql/tokenize_card.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct TokenizeCard;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../../schema.graphql",
    query_path = "../graphql/process_booking.graphql",
    extern_enums("BookingStatus", "Cabin", "FareBrand"),
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct ProcessBooking;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../../schema.graphql",
    query_path = "../graphql/booking_detail.graphql",
    extern_enums("BookingStatus", "Cabin", "FareBrand"),
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct BookingDetail;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../../schema.graphql",
    query_path = "../graphql/change_seats.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct ChangeSeats;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../../schema.graphql",
    query_path = "../graphql/cancel_booking.graphql",
    extern_enums("BookingStatus"),
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct CancelBooking;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../../schema.graphql",
    query_path = "../graphql/trips.graphql",
    extern_enums("BookingStatus", "Cabin"),
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct Trips;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../../schema.graphql",
    query_path = "../graphql/profile.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct Profile;

/// The API's `Money` as the generated code copies it, one type per operation that selects
/// it: each becomes the domain's [`Money`] through this one mapping.
pub trait ApiMoney {
    /// The amount as the domain's money; `None` for a currency this build does not know,
    /// which the API (built from the same currency table) does not send.
    fn money(&self) -> Option<Money>;
}

macro_rules! api_money {
    ($($selection:ty),+ $(,)?) => {$(
        impl ApiMoney for $selection {
            fn money(&self) -> Option<Money> {
                let currency = Currency::parse("currency", &self.currency).ok()?;
                Some(Money::from_minor(self.amount, currency))
            }
        }
    )+};
}

api_money!(
    search_flights::SearchFlightsSearchFlightsEdgesNodeFare,
    search_flights::SearchFlightsSearchFlightsEdgesNodeCabinsFare,
    flight_brief::FlightBriefFlightCabinsFare,
    booking_detail::BookingDetailBookingTotal,
    booking_detail::BookingDetailBookingCancellableRefund,
    trips::TripsBookingsEdgesNodeTotal,
);

/// The API's `CabinFare` as the generated code copies it, one type per operation that
/// selects it: each becomes web/core's [`CabinFare`] through this one mapping.
pub trait ApiCabinFare {
    /// `None` for a fare in a currency this build does not know (see [`ApiMoney`]).
    fn cabin_fare(&self) -> Option<CabinFare>;
}

macro_rules! api_cabin_fare {
    ($($selection:ty),+ $(,)?) => {$(
        impl ApiCabinFare for $selection {
            fn cabin_fare(&self) -> Option<CabinFare> {
                Some(CabinFare {
                    cabin: self.cabin,
                    fare: self.fare.money()?,
                })
            }
        }
    )+};
}

api_cabin_fare!(
    search_flights::SearchFlightsSearchFlightsEdgesNodeCabins,
    flight_brief::FlightBriefFlightCabins,
);

/// The cabins a flight sells, with their fares, Economy first as the API lists them.
pub fn cabin_fares(cabins: &[impl ApiCabinFare]) -> Vec<CabinFare> {
    cabins.iter().filter_map(ApiCabinFare::cabin_fare).collect()
}

/// The API's `FareConditions` as the booking's detail copies them: the domain's
/// [`FareConditions`] (the terms the fare was sold with), and the currency its fees are
/// in (`None` when it names no fee).
pub fn fare_conditions(
    api: &booking_detail::BookingDetailBookingFlightsConditions,
) -> (FareConditions, Option<Currency>) {
    let refund = &api.refund_before_departure;
    let change = &api.change_before_departure;
    let allowance = |allowed: bool, penalty: Option<i64>| match (allowed, penalty) {
        (false, _) => Allowance::NotAllowed,
        (true, Some(fee_minor)) if fee_minor > 0 => Allowance::WithFee { fee_minor },
        (true, _) => Allowance::Free,
    };
    let currency = [
        refund.penalty.as_ref().map(|p| p.currency.as_str()),
        change.penalty.as_ref().map(|p| p.currency.as_str()),
    ]
    .into_iter()
    .flatten()
    .find_map(|code| Currency::parse("currency", code).ok());
    let conditions = FareConditions {
        checked_bags: u8::try_from(api.checked_bags).unwrap_or(u8::MAX),
        refund: allowance(refund.allowed, refund.penalty.as_ref().map(|p| p.amount)),
        change: allowance(change.allowed, change.penalty.as_ref().map(|p| p.amount)),
    };
    (conditions, currency)
}

/// A time the API writes in RFC 3339 (a flight's `departure.utc`, a `createdAt`) as an
/// instant; `None` if it is not one, which the API does not send.
fn instant(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|instant| instant.with_timezone(&Utc))
}

impl trips::TripsBookingsEdgesNode {
    /// When the trip's first flight leaves; `None` for a booking without flights.
    pub fn first_departure(&self) -> Option<DateTime<Utc>> {
        let leg = self.flights.first()?;
        instant(&leg.flight.departure.utc)
    }
}

impl profile::ProfileMe {
    /// When the account was made.
    pub fn joined(&self) -> Option<DateTime<Utc>> {
        instant(&self.created_at)
    }
}

impl profile::ProfileLoyaltyHistoryEdgesNode {
    /// When the points were earned, revoked or expired.
    pub fn recorded(&self) -> Option<DateTime<Utc>> {
        instant(&self.created_at)
    }
}
