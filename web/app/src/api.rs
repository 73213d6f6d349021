//! Talking to the API: typed GraphQL operations (each checked against `schema.graphql` when
//! the app compiles) and the same-origin session endpoints. Every failure becomes an
//! [`ApiError`] the pages can explain, with the input it belongs to when the API names one.

use graphql_client::GraphQLQuery;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{RequestCredentials, RequestInit, Response};

use crate::session;

/// A failed call, as the traveller should hear about it.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// The request never got an answer (offline, DNS, a dropped connection).
    Network,
    /// The API answered with a typed error.
    Api {
        code: String,
        message: String,
        /// The input at fault, e.g. `passengers.lastName`.
        field: Option<String>,
        request_id: Option<String>,
        retry_after: Option<i64>,
        /// The booking a failed `processBooking` left behind (CANCELLED, with the reason).
        booking_id: Option<String>,
    },
}

impl ApiError {
    pub fn code(&self) -> &str {
        match self {
            Self::Network => "NETWORK",
            Self::Api { code, .. } => code,
        }
    }

    pub fn field(&self) -> Option<&str> {
        match self {
            Self::Api { field, .. } => field.as_deref(),
            Self::Network => None,
        }
    }

    pub fn booking_id(&self) -> Option<&str> {
        match self {
            Self::Api { booking_id, .. } => booking_id.as_deref(),
            Self::Network => None,
        }
    }

    /// An error of the app's own making, with words for the traveller.
    pub fn local(code: &str, message: &str) -> ApiError {
        ApiError::Api {
            code: code.into(),
            message: message.into(),
            field: None,
            request_id: None,
            retry_after: None,
            booking_id: None,
        }
    }

    fn internal(what: &str) -> ApiError {
        Self::local("INTERNAL", what)
    }
}

#[derive(Deserialize)]
struct Envelope<T> {
    data: Option<T>,
    #[serde(default)]
    errors: Vec<ErrorItem>,
}

#[derive(Deserialize)]
struct ErrorItem {
    message: String,
    #[serde(default)]
    extensions: Extensions,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Extensions {
    code: Option<String>,
    field: Option<String>,
    request_id: Option<String>,
    retry_after: Option<i64>,
    booking_id: Option<String>,
}

impl From<ErrorItem> for ApiError {
    fn from(item: ErrorItem) -> Self {
        ApiError::Api {
            code: item.extensions.code.unwrap_or_else(|| "INTERNAL".into()),
            message: item.message,
            field: item.extensions.field,
            request_id: item.extensions.request_id,
            retry_after: item.extensions.retry_after,
            booking_id: item.extensions.booking_id,
        }
    }
}

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

fn decode<T: DeserializeOwned>(text: &str) -> Result<T, ApiError> {
    let envelope: Envelope<T> = serde_json::from_str(text)
        .map_err(|_| ApiError::internal("the API's answer could not be read"))?;
    if let Some(first) = envelope.errors.into_iter().next() {
        return Err(first.into());
    }
    envelope
        .data
        .ok_or_else(|| ApiError::internal("the API answered without data"))
}

/// POSTs JSON to a same-origin endpoint, returning the status and body text.
pub async fn post(path: &str, body: &str, token: Option<&str>) -> Result<(u16, String), ApiError> {
    let window = web_sys::window().ok_or(ApiError::Network)?;
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_body(&JsValue::from_str(body));
    init.set_credentials(RequestCredentials::SameOrigin);
    let headers = web_sys::Headers::new().map_err(|_| ApiError::Network)?;
    headers
        .set("Content-Type", "application/json")
        .map_err(|_| ApiError::Network)?;
    if let Some(token) = token {
        headers
            .set("Authorization", &format!("Bearer {token}"))
            .map_err(|_| ApiError::Network)?;
    }
    init.set_headers(&headers);
    let request =
        web_sys::Request::new_with_str_and_init(path, &init).map_err(|_| ApiError::Network)?;
    let response: Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(|_| ApiError::Network)?
        .dyn_into()
        .map_err(|_| ApiError::Network)?;
    let text = JsFuture::from(response.text().map_err(|_| ApiError::Network)?)
        .await
        .map_err(|_| ApiError::Network)?
        .as_string()
        .unwrap_or_default();
    Ok((response.status(), text))
}

/// Calls a session endpoint (`/auth/...`): its success body is `T`, its failure the
/// GraphQL error shape.
pub async fn auth<T: DeserializeOwned>(path: &str, body: &str) -> Result<T, ApiError> {
    let (status, text) = post(path, body, None).await?;
    if (200..300).contains(&status) {
        serde_json::from_str(&text).map_err(|_| ApiError::internal("unreadable session"))
    } else {
        match serde_json::from_str::<Envelope<serde_json::Value>>(&text) {
            Ok(envelope) => Err(envelope
                .errors
                .into_iter()
                .next()
                .map(ApiError::from)
                .unwrap_or_else(|| ApiError::internal("refused"))),
            Err(_) => Err(ApiError::internal("refused")),
        }
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
