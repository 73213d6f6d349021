//! Bookings for the API: requests to the Durable Objects (a flight's inventory, a
//! booking's own object, which is its truth) and D1 (the read model's lists, the cards).
//! Everything here reads D1 through the request's session, so a replica near the
//! traveller can answer.

use airline_booking::protocol::{
    FlightSetup, InventoryReply, InventoryRequest, WorkflowReply, WorkflowRequest,
};
use airline_booking::saga::BookingStatus;
use airline_booking::views::{BookingView, SeatMapView};
use airline_domain::{AccountId, BookingId, FlightId, PaymentToken};
use airline_graphql::store::BookingPage;
use airline_graphql::{BookingInputs, BookingService, CatalogStore, PaymentMode, StoreError};
use airline_payments::sandbox::{self, TokenizedCard};
use airline_payments::PaymentProvider;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use worker::send::SendFuture;
use worker::wasm_bindgen::JsValue;
use worker::Env;

use airline_platform::bindings::{BOOKING_WORKFLOW, FLIGHT_INVENTORY};
use airline_platform::sql;

use crate::d1::{utc_text, Access, D1Store};

pub struct EdgeBookings {
    env: Env,
    store: std::sync::Arc<D1Store>,
    mode: PaymentMode,
}

impl EdgeBookings {
    pub fn new(env: &Env, store: std::sync::Arc<D1Store>) -> Self {
        let mode = match PaymentProvider::from_env(env) {
            PaymentProvider::Stripe { .. } => PaymentMode::Stripe,
            PaymentProvider::Sandbox => PaymentMode::Sandbox,
        };
        Self {
            env: env.clone(),
            store,
            mode,
        }
    }

    /// One JSON request to the object named `name` in `namespace`.
    async fn call<Q: Serialize, A: DeserializeOwned>(
        &self,
        namespace: &str,
        name: &str,
        message: &Q,
    ) -> Result<A, StoreError> {
        SendFuture::new(airline_platform::call_object(
            &self.env,
            namespace,
            name,
            message,
            Some(self.store.request_id()),
        ))
        .await
        .map_err(|e| self.store.fail(&format!("{namespace}/{name}"), e))
    }
}

#[derive(Deserialize)]
struct DetailsRow {
    details: String,
}

#[derive(Deserialize)]
struct OwnerRow {
    customer_id: AccountId,
}

#[derive(Deserialize)]
struct BookingOwnerRow {
    id: BookingId,
    customer_id: AccountId,
}

#[async_trait]
impl BookingService for EdgeBookings {
    fn payment_mode(&self) -> PaymentMode {
        self.mode
    }

    /// The flights and the card's owner in one D1 batch (D1 is both the catalog and the
    /// card store, so `catalog` is not asked): one round trip, through the request's
    /// session, so a replica near the traveller answers it.
    async fn booking_inputs(
        &self,
        _catalog: &dyn CatalogStore,
        flights: &[FlightId],
        token: Option<&PaymentToken>,
    ) -> Result<BookingInputs, StoreError> {
        let store = &self.store;
        let mut statements = vec![store.flights_by_id(flights)?];
        let sandbox_token = token.filter(|_| self.mode == PaymentMode::Sandbox);
        if let Some(token) = sandbox_token {
            statements.push(store.statement(
                "card owner",
                "SELECT customer_id FROM payment_tokens WHERE token = ?1",
                &[token.as_str().into()],
            )?);
        }
        let results = SendFuture::new(store.batch(Access::Read, statements))
            .await
            .map_err(|e| store.fail("booking inputs", e))?;
        let mut results = results.iter();
        let found = match results.next() {
            Some(result) => store.flights_of(result)?,
            None => Vec::new(),
        };
        let card_owner = match results.next() {
            Some(result) => result
                .results::<OwnerRow>()
                .map_err(|e| store.fail("card owner", e))?
                .into_iter()
                .next()
                .map(|row| row.customer_id),
            None => None,
        };
        Ok(BookingInputs {
            flights: flights
                .iter()
                .map(|id| found.iter().find(|f| &f.id == id).cloned())
                .collect(),
            card_owner,
        })
    }

    async fn seat_map(&self, flight: &FlightSetup) -> Result<SeatMapView, StoreError> {
        let message = InventoryRequest::SeatMap {
            flight: flight.clone(),
        };
        match self
            .call(FLIGHT_INVENTORY, &flight.flight_id, &message)
            .await?
        {
            InventoryReply::SeatMap { seat_map } => Ok(seat_map),
            other => Err(self.store.fail("seat map", format!("unexpected {other:?}"))),
        }
    }

    async fn workflow(
        &self,
        booking_id: &BookingId,
        request: WorkflowRequest,
    ) -> Result<WorkflowReply, StoreError> {
        self.call(BOOKING_WORKFLOW, booking_id.as_str(), &request)
            .await
    }

    async fn list(
        &self,
        customer_id: &AccountId,
        status: Option<BookingStatus>,
        limit: usize,
        after: Option<(DateTime<Utc>, BookingId)>,
    ) -> Result<BookingPage, StoreError> {
        let (after_at, after_id) = match &after {
            Some((at, id)) => (utc_text(*at), id.to_string()),
            // Later than any booking: the first page.
            None => ("9999-12-31T23:59:59Z".to_owned(), String::new()),
        };
        let rows: Vec<DetailsRow> = SendFuture::new(self.store.rows(
            "list bookings",
            sql::bookings::PAGE_FOR_CUSTOMER,
            &[
                customer_id.as_str().into(),
                status.map_or(JsValue::NULL, |s| s.as_str().into()),
                after_at.as_str().into(),
                after_id.as_str().into(),
                ((limit + 1) as f64).into(),
            ],
        ))
        .await?;
        let has_next_page = rows.len() > limit;
        let bookings = rows
            .into_iter()
            .take(limit)
            .map(|row| {
                serde_json::from_str::<BookingView>(&row.details)
                    .map_err(|e| self.store.fail("booking details", e))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(BookingPage {
            bookings,
            has_next_page,
        })
    }

    async fn save_card(
        &self,
        customer_id: &AccountId,
        card: &TokenizedCard,
        now: DateTime<Utc>,
    ) -> Result<PaymentToken, StoreError> {
        let mut random = [0_u8; 16];
        getrandom::fill(&mut random).map_err(|e| self.store.fail("token", e))?;
        let token = sandbox::new_token(card.behaviour, &random);
        SendFuture::new(self.store.execute(
                "save card",
                "INSERT INTO payment_tokens (token, customer_id, brand, last4, exp_month, exp_year, behaviour, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                &[
                    token.as_str().into(),
                    customer_id.as_str().into(),
                    card.brand.as_str().into(),
                    card.last4.as_str().into(),
                    card.exp_month.into(),
                    card.exp_year.into(),
                    card.behaviour.as_str().into(),
                    utc_text(now).as_str().into(),
                ],
            ))
            .await?;
        Ok(PaymentToken::trusted(token))
    }

    /// The flight's own list (its inventory object, the truth), with each traveller from
    /// the read model; a booking the read model has no copy of yet is asked itself.
    async fn on_flight(
        &self,
        flight_id: &FlightId,
    ) -> Result<Vec<(BookingId, AccountId)>, StoreError> {
        let on_flight = self.call::<_, InventoryReply>(
            FLIGHT_INVENTORY,
            flight_id.as_str(),
            &InventoryRequest::Bookings,
        );
        let params = [flight_id.as_str().into()];
        let listed = SendFuture::new(self.store.rows::<BookingOwnerRow>(
            "bookings on flight",
            sql::bookings::ON_FLIGHT,
            &params,
        ));
        let (on_flight, listed) = futures_util::future::join(on_flight, listed).await;
        let mut found: Vec<(BookingId, AccountId)> = listed?
            .into_iter()
            .map(|row| (row.id, row.customer_id))
            .collect();
        let holding = match on_flight? {
            InventoryReply::Bookings { bookings } => bookings,
            other => {
                return Err(self
                    .store
                    .fail("bookings on flight", format!("unexpected {other:?}")))
            }
        };
        for booking in holding {
            if found.iter().any(|(id, _)| *id == booking.booking_id) {
                continue;
            }
            let reply = self
                .call::<_, WorkflowReply>(
                    BOOKING_WORKFLOW,
                    booking.booking_id.as_str(),
                    &WorkflowRequest::Get,
                )
                .await?;
            if let WorkflowReply::Booking { booking: view } = reply {
                found.push((view.id, view.customer_id));
            }
        }
        Ok(found)
    }
}
