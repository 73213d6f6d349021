//! The catalog over D1: SQL in, domain values out.
//!
//! Every row is parsed into domain types on the way out, so a corrupt row becomes a
//! logged INTERNAL error for one request, never a wrong answer.

use airline_domain::{
    AircraftType, Airport, AirportCode, AirportQuery, Currency, Flight, FlightId, FlightNumber,
    FlightStatus, GeoPoint, InputError, Money, TimeZone,
};
use airline_graphql::{CatalogStore, StoreError};
use airline_platform::sql;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use worker::send::SendFuture;
use worker::wasm_bindgen::JsValue;
use worker::{D1PreparedStatement, D1Result};

use crate::d1::{parse_utc, utc_text, D1Store};

const AIRPORT_COLUMNS: &str = "code, name, city, country, time_zone, latitude, longitude";

/// Flight columns plus both airports (the SQL is shared: see `airline_platform::sql`).
const FLIGHT_SELECT: &str = sql::flights::SELECT_WITH_AIRPORTS;

impl D1Store {
    fn airports(&self, rows: Vec<AirportRow>) -> Result<Vec<Airport>, StoreError> {
        rows.into_iter()
            .map(|row| {
                let code = row.code.clone();
                row.into_airport()
                    .map_err(|e| self.fail("corrupt airport row", format!("{code}: {e}")))
            })
            .collect()
    }

    /// One statement reading the flights with these ids (in no particular order), for a
    /// batch; `flights_of` reads its result.
    pub(crate) fn flights_by_id(
        &self,
        ids: &[FlightId],
    ) -> Result<D1PreparedStatement, StoreError> {
        let placeholders: Vec<String> = (1..=ids.len()).map(|n| format!("?{n}")).collect();
        let sql = format!(
            "{FLIGHT_SELECT} WHERE f.id IN ({})",
            placeholders.join(", ")
        );
        let params: Vec<JsValue> = ids.iter().map(|id| id.as_str().into()).collect();
        self.statement("flights by id", &sql, &params)
    }

    pub(crate) fn flights_of(&self, result: &D1Result) -> Result<Vec<Flight>, StoreError> {
        let rows = result
            .results::<FlightRow>()
            .map_err(|e| self.fail("flights by id", e))?;
        self.flights(rows)
    }

    fn flights(&self, rows: Vec<FlightRow>) -> Result<Vec<Flight>, StoreError> {
        rows.into_iter()
            .map(|row| {
                let id = row.id.clone();
                row.into_flight()
                    .map_err(|e| self.fail("corrupt flight row", format!("{id}: {e}")))
            })
            .collect()
    }
}

#[async_trait]
impl CatalogStore for D1Store {
    async fn airport(&self, code: &AirportCode) -> Result<Option<Airport>, StoreError> {
        SendFuture::new(async move {
            let sql = format!("SELECT {AIRPORT_COLUMNS} FROM airports WHERE code = ?1");
            let rows = self.rows("airport", &sql, &[code.as_str().into()]).await?;
            Ok(self.airports(rows)?.into_iter().next())
        })
        .await
    }

    async fn search_airports(
        &self,
        query: Option<&AirportQuery>,
        limit: usize,
    ) -> Result<Vec<Airport>, StoreError> {
        SendFuture::new(async move {
            // Best match first: the exact code, a code prefix, a word prefix anywhere in
            // the folded "code city name country" key, then any substring.
            let sql = format!(
                "SELECT {AIRPORT_COLUMNS} FROM airports \
                 WHERE ?1 IS NULL OR search_key LIKE '%' || ?1 || '%' \
                 ORDER BY CASE \
                   WHEN ?1 IS NULL THEN 0 \
                   WHEN lower(code) = ?1 THEN 0 \
                   WHEN lower(code) LIKE ?1 || '%' THEN 1 \
                   WHEN ' ' || search_key LIKE '% ' || ?1 || '%' THEN 2 \
                   ELSE 3 END, code \
                 LIMIT ?2"
            );
            let term = query.map_or(JsValue::NULL, |q| q.folded().into());
            let rows = self
                .rows("search_airports", &sql, &[term, (limit as u32).into()])
                .await?;
            self.airports(rows)
        })
        .await
    }

    async fn departures(
        &self,
        from: &AirportCode,
        to: &AirportCode,
        window: (DateTime<Utc>, DateTime<Utc>),
    ) -> Result<Vec<Flight>, StoreError> {
        SendFuture::new(async move {
            let sql = format!(
                "{FLIGHT_SELECT} WHERE f.origin = ?1 AND f.destination = ?2 \
                 AND f.departure_utc >= ?3 AND f.departure_utc < ?4"
            );
            let params = [
                from.as_str().into(),
                to.as_str().into(),
                utc_text(window.0).into(),
                utc_text(window.1).into(),
            ];
            let rows: Vec<FlightRow> = self.rows("departures", &sql, &params).await?;
            self.flights(rows)
        })
        .await
    }

    async fn flight(&self, id: &FlightId) -> Result<Option<Flight>, StoreError> {
        SendFuture::new(async move {
            let sql = format!("{FLIGHT_SELECT} WHERE f.id = ?1");
            let rows: Vec<FlightRow> = self.rows("flight", &sql, &[id.as_str().into()]).await?;
            Ok(self.flights(rows)?.into_iter().next())
        })
        .await
    }
}

#[derive(Deserialize)]
struct AirportRow {
    code: String,
    name: String,
    city: String,
    country: String,
    time_zone: String,
    latitude: f64,
    longitude: f64,
}

impl AirportRow {
    fn into_airport(self) -> Result<Airport, InputError> {
        Ok(Airport {
            code: AirportCode::parse("code", &self.code)?,
            name: self.name,
            city: self.city,
            country: self.country,
            time_zone: TimeZone::parse("time_zone", &self.time_zone)?,
            location: GeoPoint::new(self.latitude, self.longitude)?,
        })
    }
}

#[derive(Deserialize)]
struct FlightRow {
    id: String,
    flight_number: String,
    departure_utc: String,
    arrival_utc: String,
    fare_amount: i64,
    fare_currency: String,
    seat_capacity: u32,
    seats_available: u32,
    aircraft_type: String,
    status: String,
    o_code: String,
    o_name: String,
    o_city: String,
    o_country: String,
    o_time_zone: String,
    o_latitude: f64,
    o_longitude: f64,
    d_code: String,
    d_name: String,
    d_city: String,
    d_country: String,
    d_time_zone: String,
    d_latitude: f64,
    d_longitude: f64,
}

impl FlightRow {
    fn into_flight(self) -> Result<Flight, InputError> {
        let origin = AirportRow {
            code: self.o_code,
            name: self.o_name,
            city: self.o_city,
            country: self.o_country,
            time_zone: self.o_time_zone,
            latitude: self.o_latitude,
            longitude: self.o_longitude,
        }
        .into_airport()?;
        let destination = AirportRow {
            code: self.d_code,
            name: self.d_name,
            city: self.d_city,
            country: self.d_country,
            time_zone: self.d_time_zone,
            latitude: self.d_latitude,
            longitude: self.d_longitude,
        }
        .into_airport()?;
        Ok(Flight {
            id: FlightId::parse("id", &self.id)?,
            number: FlightNumber::parse("flight_number", &self.flight_number)?,
            origin,
            destination,
            departure: parse_utc("departure_utc", &self.departure_utc)?,
            arrival: parse_utc("arrival_utc", &self.arrival_utc)?,
            fare: Money::from_minor(
                self.fare_amount,
                Currency::parse("fare_currency", &self.fare_currency)?,
            ),
            seat_capacity: self.seat_capacity,
            seats_available: self.seats_available,
            aircraft: AircraftType::parse("aircraft_type", &self.aircraft_type)?,
            status: FlightStatus::parse("status", &self.status)?,
        })
    }
}
