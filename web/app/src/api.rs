//! Talking to the API: typed GraphQL operations (each checked against `schema.graphql` when
//! the app compiles), run as the signed-in traveller. Every failure becomes an
//! [`ApiError`] the pages can explain, with the input it belongs to when the API names one.

use graphql_client::GraphQLQuery;
use serde::de::DeserializeOwned;

pub use crate::http::{auth, post, ApiError};
use crate::http::{decode, get, sha256_hex};
use crate::session;

/// Runs one GraphQL operation, as the signed-in traveller when there is one. An access
/// token that expired in the meantime is refreshed once and the call repeated.
pub async fn run<Q: GraphQLQuery>(variables: Q::Variables) -> Result<Q::ResponseData, ApiError>
where
    Q::ResponseData: DeserializeOwned,
{
    let body = serde_json::to_string(&Q::build_query(variables))
        .map_err(|_| ApiError::internal("unencodable request"))?;
    let token = session::fresh_token().await;
    let (_, text) = post("/graphql", &body, token.as_deref()).await?;
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
) -> Result<Q::ResponseData, ApiError>
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
        .map_err(|_| ApiError::internal("unencodable request"))?;
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

// One type per operation in web/graphql/; the derive checks each against the schema.

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
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct ProcessBooking;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../../schema.graphql",
    query_path = "../graphql/booking_detail.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct BookingDetail;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../../schema.graphql",
    query_path = "../graphql/cancel_booking.graphql",
    response_derives = "Debug, Clone, PartialEq",
    variables_derives = "Debug, Clone"
)]
pub struct CancelBooking;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../../schema.graphql",
    query_path = "../graphql/trips.graphql",
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
