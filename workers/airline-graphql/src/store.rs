//! What the API needs from storage, as a trait: the Worker implements it over D1, native
//! tests over an in-memory catalog. Resolvers never see SQL.

use airline_domain::{Airport, AirportCode, AirportQuery, Flight, FlightId};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// A storage failure. Its text is for the operator's log, never for the client: the
/// API reports it as INTERNAL with the request id, so an operator can find the detail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError(pub String);

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StoreError {}

/// Read access to the flight catalog.
#[async_trait]
pub trait CatalogStore: Send + Sync {
    async fn airport(&self, code: &AirportCode) -> Result<Option<Airport>, StoreError>;

    /// Airports matching a typed query, best match first: exact code, then code prefix,
    /// then a word of the search key starting with the text, then any substring; ties by
    /// code. `None` lists airports by code.
    async fn search_airports(
        &self,
        query: Option<&AirportQuery>,
        limit: usize,
    ) -> Result<Vec<Airport>, StoreError>;

    /// Every flight from `from` to `to` departing in `[window.0, window.1)`, in any order
    /// and any status.
    async fn departures(
        &self,
        from: &AirportCode,
        to: &AirportCode,
        window: (DateTime<Utc>, DateTime<Utc>),
    ) -> Result<Vec<Flight>, StoreError>;

    async fn flight(&self, id: &FlightId) -> Result<Option<Flight>, StoreError>;
}
