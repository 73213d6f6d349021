//! Admin-only parts of the schema: managing the timetable and reading the audit log.
//! Every mutation is validated like any input and audited (who, what, when) in the same
//! write.

use airline_domain::schedule::{check_cancellable, parse_local_datetime, FlightUpdate, NewFlight};
use airline_domain::{
    AccountId, AircraftType, AirportCode, Currency, FlightId, FlightNumber, FlightStatus,
    InputError, Money,
};
use async_graphql::{Context, InputObject, Object, SimpleObject, ID};
use serde_json::json;

use crate::catalog::Flight;
use crate::disruption;
use crate::error::{ApiError, ApiResult};
use crate::store::{AuditEntry, ReconciliationRun};
use crate::RequestContext;

const MAX_AUDIT_ENTRIES: i32 = 100;
const MAX_REASON_CHARS: usize = 500;

impl RequestContext {
    fn audit(
        &self,
        actor: &AccountId,
        action: &str,
        target: &str,
        details: serde_json::Value,
    ) -> AuditEntry {
        AuditEntry {
            actor_id: actor.clone(),
            action: action.to_owned(),
            target: target.to_owned(),
            details: details.to_string(),
            at: self.now,
        }
    }

    async fn existing_flight(&self, id: &ID) -> ApiResult<airline_domain::Flight> {
        let id = FlightId::parse("id", id)?;
        self.store
            .flight(&id)
            .await?
            .ok_or_else(|| ApiError::not_found(format_args!("flight {id}")))
    }
}

#[derive(Default)]
pub struct AdminQuery;

#[Object]
impl AdminQuery {
    /// Admins only: the audit log, newest first.
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only entries about this target, e.g. a flight id.")] target: Option<
            String,
        >,
        #[graphql(default = 20, desc = "How many entries, 1 to 100.")] first: Option<i32>,
    ) -> ApiResult<Vec<AuditLogEntry>> {
        let request = RequestContext::of(ctx)?;
        request.admin()?;
        let limit = first.unwrap_or(20);
        if !(1..=MAX_AUDIT_ENTRIES).contains(&limit) {
            return Err(ApiError::BadUserInput(InputError::new(
                "first",
                format!("must be between 1 and {MAX_AUDIT_ENTRIES}"),
            )));
        }
        let entries = request
            .schedule
            .audit_log(target.as_deref(), limit as usize)
            .await?;
        Ok(entries.into_iter().map(AuditLogEntry::from).collect())
    }

    /// Admins only: how far the bookings' read model (lists, admin search, reports) is
    /// behind the bookings themselves: how late the copies that arrived in the last
    /// `windowMinutes` were, how many bookings it still shows unfinished after the grace
    /// period, and what the latest reconciliation run repaired.
    async fn read_model_status(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 60, desc = "Minutes back, 1 to 1440.")] window_minutes: Option<i32>,
    ) -> ApiResult<ReadModelStatus> {
        let request = RequestContext::of(ctx)?;
        request.admin()?;
        let minutes = window_minutes.unwrap_or(60);
        if !(1..=1_440).contains(&minutes) {
            return Err(ApiError::BadUserInput(InputError::new(
                "windowMinutes",
                "must be between 1 and 1440",
            )));
        }
        let since = request.now - chrono::Duration::minutes(i64::from(minutes));
        let settled = airline_booking::reconcile::settled_before(
            request.now,
            airline_booking::reconcile::DEFAULT_GRACE,
        );
        let (lag, unfinished) = request.schedule.read_model_lag(since, settled).await?;
        let latest = request
            .schedule
            .reconciliation_runs(1)
            .await?
            .into_iter()
            .next();
        Ok(ReadModelStatus {
            copies: lag.copies,
            median_lag_ms: lag.median_ms,
            p99_lag_ms: lag.p99_ms,
            max_lag_ms: lag.max_ms,
            unfinished_after_grace: unfinished,
            latest_reconciliation: latest.map(ReconciliationRunView),
        })
    }

    /// Admins only: what the scheduled reconciliation runs found and repaired, newest
    /// first: booking events the loyalty ledger lacked (resent), seat counts that had
    /// drifted from the inventory (repaired), stalled bookings (driven on) and payments
    /// that do not match their booking (for you to look at).
    async fn reconciliation_runs(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 10, desc = "How many runs, 1 to 100.")] first: Option<i32>,
    ) -> ApiResult<Vec<ReconciliationRunView>> {
        let request = RequestContext::of(ctx)?;
        request.admin()?;
        let limit = first.unwrap_or(10);
        if !(1..=MAX_AUDIT_ENTRIES).contains(&limit) {
            return Err(ApiError::BadUserInput(InputError::new(
                "first",
                format!("must be between 1 and {MAX_AUDIT_ENTRIES}"),
            )));
        }
        let runs = request.schedule.reconciliation_runs(limit as usize).await?;
        Ok(runs.into_iter().map(ReconciliationRunView).collect())
    }
}

#[derive(Default)]
pub struct AdminMutation;

#[Object]
impl AdminMutation {
    /// Admins only: adds a flight to the timetable.
    async fn create_flight(
        &self,
        ctx: &Context<'_>,
        input: CreateFlightInput,
    ) -> ApiResult<Flight> {
        let request = RequestContext::of(ctx)?;
        let actor = request.admin()?;
        let number = FlightNumber::parse("input.flightNumber", &input.flight_number)?;
        let from = AirportCode::parse("input.from", &input.from)?;
        let to = AirportCode::parse("input.to", &input.to)?;
        let draft = NewFlight {
            number,
            origin: request.known_airport("input.from", &from).await?,
            destination: request.known_airport("input.to", &to).await?,
            departure_local: parse_local_datetime("input.departureLocal", &input.departure_local)?,
            duration_minutes: i64::from(input.duration_minutes),
            fare: input.fare.parse()?,
            aircraft: AircraftType::parse("input.aircraftType", &input.aircraft_type)?,
            seat_capacity: input
                .seat_capacity
                .map(|n| positive("input.seatCapacity", n))
                .transpose()?,
        };
        let flight = draft.into_flight(request.now)?;
        let audit = request.audit(
            actor,
            "createFlight",
            flight.id.as_str(),
            json!({
                "flightNumber": flight.number.to_string(),
                "from": flight.origin.code.as_str(),
                "to": flight.destination.code.as_str(),
                "departureUtc": airline_domain::utc_text(flight.departure),
                "durationMinutes": flight.duration().num_minutes(),
                "fare": {"amount": flight.fare.amount_minor(), "currency": flight.fare.currency().code()},
                "aircraftType": flight.aircraft.code(),
                "seatCapacity": flight.seat_capacity,
            }),
        );
        let inserted = request.schedule.insert_flight(&flight, &audit).await?;
        if !inserted {
            return Err(ApiError::conflict(format!(
                "flight {} already exists",
                flight.id
            )));
        }
        Ok(Flight(flight))
    }

    /// Admins only: retimes (within the same local day), reprices or enlarges a flight.
    async fn update_flight(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The flight to change.")] id: ID,
        input: UpdateFlightInput,
    ) -> ApiResult<Flight> {
        let request = RequestContext::of(ctx)?;
        let actor = request.admin()?;
        let before = request.existing_flight(&id).await?;
        let update = FlightUpdate {
            departure_local: input
                .departure_local
                .as_deref()
                .map(|t| parse_local_datetime("input.departureLocal", t))
                .transpose()?,
            duration_minutes: input.duration_minutes.map(i64::from),
            fare: input.fare.map(|f| f.parse()).transpose()?,
            seat_capacity: input
                .seat_capacity
                .map(|n| positive("input.seatCapacity", n))
                .transpose()?,
        };
        let after = update.apply(&before, request.now)?;
        let audit = request.audit(
            actor,
            "updateFlight",
            before.id.as_str(),
            json!({
                "before": snapshot(&before),
                "after": snapshot(&after),
            }),
        );
        let flight = request.replace(&before, &after, &audit).await?;
        if after.departure != before.departure {
            let local = |flight: &airline_domain::Flight| {
                let at = flight.origin.time_zone.local(flight.departure);
                at.format("%Y-%m-%d %H:%M").to_string()
            };
            disruption::notify_retimed(
                request.bookings.as_ref(),
                request.notifications.as_ref(),
                &after.id,
                (&local(&before), &local(&after)),
                request.now,
            )
            .await?;
        }
        Ok(flight)
    }

    /// Admins only: cancels a flight that has not departed. Every booking on it is
    /// cancelled and refunded in full (reason FLIGHT_CANCELLED, points taken back) and its
    /// traveller notified; a booking still being made follows once it is made.
    async fn cancel_flight(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The flight to cancel.")] id: ID,
        #[graphql(desc = "Why, for the audit log and the travellers affected.")] reason: String,
    ) -> ApiResult<Flight> {
        let request = RequestContext::of(ctx)?;
        let actor = request.admin()?;
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > MAX_REASON_CHARS {
            return Err(ApiError::BadUserInput(InputError::new(
                "reason",
                format!("give a reason of 1 to {MAX_REASON_CHARS} characters"),
            )));
        }
        let before = request.existing_flight(&id).await?;
        check_cancellable(&before, request.now)?;
        let mut after = before.clone();
        after.status = FlightStatus::Cancelled;
        let audit = request.audit(
            actor,
            "cancelFlight",
            before.id.as_str(),
            json!({ "reason": reason }),
        );
        let flight = request.replace(&before, &after, &audit).await?;
        disruption::cancel_bookings_on_flight(
            request.bookings.as_ref(),
            request.notifications.as_ref(),
            &after.id,
            reason,
            request.now,
        )
        .await?;
        Ok(flight)
    }
}

impl RequestContext {
    async fn replace(
        &self,
        before: &airline_domain::Flight,
        after: &airline_domain::Flight,
        audit: &AuditEntry,
    ) -> ApiResult<Flight> {
        let replaced = self.schedule.replace_flight(before, after, audit).await?;
        if !replaced {
            return Err(ApiError::conflict(
                "the flight changed meanwhile; reload it and try again",
            ));
        }
        Ok(Flight(after.clone()))
    }
}

fn snapshot(flight: &airline_domain::Flight) -> serde_json::Value {
    json!({
        "departureUtc": airline_domain::utc_text(flight.departure),
        "durationMinutes": flight.duration().num_minutes(),
        "fare": flight.fare.amount_minor(),
        "seatCapacity": flight.seat_capacity,
        "status": flight.status.as_str(),
    })
}

fn positive(field: &'static str, value: i32) -> ApiResult<u32> {
    u32::try_from(value)
        .ok()
        .filter(|&n| n > 0)
        .ok_or_else(|| ApiError::BadUserInput(InputError::new(field, "must be a positive number")))
}

/// An amount in minor units of an ISO-4217 currency.
#[derive(InputObject)]
pub struct MoneyInput {
    /// Minor units (cents; yen for JPY).
    amount: i64,
    /// ISO-4217 code, e.g. GBP.
    currency: String,
}

impl MoneyInput {
    fn parse(&self) -> ApiResult<Money> {
        let currency = Currency::parse("input.fare.currency", &self.currency)?;
        Ok(Money::from_minor(self.amount, currency))
    }
}

#[derive(InputObject)]
pub struct CreateFlightInput {
    /// IATA flight number, e.g. EA7001.
    flight_number: String,
    /// Departure airport code.
    from: String,
    /// Arrival airport code.
    to: String,
    /// Local departure at the origin, YYYY-MM-DDTHH:MM.
    departure_local: String,
    /// Scheduled gate-to-gate minutes, 20 to 1,320.
    duration_minutes: i32,
    /// Fare for one passenger.
    fare: MoneyInput,
    /// ICAO type designator of a fleet aircraft, e.g. A21N.
    aircraft_type: String,
    /// Seats for sale; defaults to the aircraft's.
    seat_capacity: Option<i32>,
}

#[derive(InputObject)]
pub struct UpdateFlightInput {
    /// New local departure at the origin, on the same local date.
    departure_local: Option<String>,
    /// New gate-to-gate minutes.
    duration_minutes: Option<i32>,
    /// New fare, in the flight's currency.
    fare: Option<MoneyInput>,
    /// More seats (never fewer).
    seat_capacity: Option<i32>,
}

/// Who changed what, and when.
#[derive(SimpleObject)]
pub struct AuditLogEntry {
    actor_id: String,
    action: String,
    target: String,
    /// The change as JSON text.
    details: String,
    /// RFC 3339 UTC.
    at: String,
}

impl From<AuditEntry> for AuditLogEntry {
    fn from(entry: AuditEntry) -> Self {
        Self {
            actor_id: entry.actor_id.into_string(),
            action: entry.action,
            target: entry.target,
            details: entry.details,
            at: airline_domain::utc_text(entry.at),
        }
    }
}

/// The bookings' read model against the bookings themselves.
#[derive(SimpleObject)]
pub struct ReadModelStatus {
    /// Booking copies that reached the read model in the window.
    copies: u64,
    /// From a booking's change to its copy arriving, in milliseconds.
    median_lag_ms: Option<i64>,
    p99_lag_ms: Option<i64>,
    max_lag_ms: Option<i64>,
    /// Bookings the read model still shows UNCONFIRMED although they last changed before
    /// the grace period: the next reconciliation run looks at each.
    unfinished_after_grace: u64,
    /// What the latest run found and repaired (`readModelRepaired` among it).
    latest_reconciliation: Option<ReconciliationRunView>,
}

/// One run of the reconciliation job.
pub struct ReconciliationRunView(ReconciliationRun);

#[Object(name = "ReconciliationRun")]
impl ReconciliationRunView {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// RFC 3339 UTC.
    async fn started_at(&self) -> String {
        airline_domain::utc_text(self.0.started_at)
    }
    /// RFC 3339 UTC.
    async fn finished_at(&self) -> String {
        airline_domain::utc_text(self.0.finished_at)
    }
    /// Nothing was found wrong.
    async fn clean(&self) -> bool {
        self.0.report.is_clean()
    }
    /// Ids of booking events the ledger lacked after the grace period, sent again.
    async fn events_resent(&self) -> &[String] {
        &self.0.report.events_resent
    }
    async fn seats_repaired(&self) -> Vec<SeatCountRepair> {
        self.0
            .report
            .seats_repaired
            .iter()
            .map(|r| SeatCountRepair {
                flight_id: ID(r.flight_id.clone()),
                was: r.was,
                now: r.now,
            })
            .collect()
    }
    /// Bookings found UNCONFIRMED after the grace period whose saga was driven on.
    async fn sagas_resumed(&self) -> Vec<ID> {
        self.0
            .report
            .sagas_resumed
            .iter()
            .cloned()
            .map(ID)
            .collect()
    }
    /// Bookings whose copy in the read model was missing or behind the booking itself,
    /// written again from the booking's own object.
    async fn read_model_repaired(&self) -> Vec<ID> {
        let ids = &self.0.report.read_model_repaired;
        ids.iter().cloned().map(ID).collect()
    }
    /// Booking references from before references had their own objects, registered now.
    async fn references_registered(&self) -> &[String] {
        &self.0.report.references_registered
    }
    /// Confirmed bookings found on a cancelled flight, cancelled and refunded now.
    async fn bookings_cancelled_for_flights(&self) -> Vec<ID> {
        let ids = &self.0.report.bookings_cancelled_for_flights;
        ids.iter().cloned().map(ID).collect()
    }
    /// Ids of notifications never delivered, handed to delivery again.
    async fn notifications_resent(&self) -> &[String] {
        &self.0.report.notifications_resent
    }
    /// Customers whose points expired after the inactivity period.
    async fn points_expired(&self) -> Vec<ID> {
        self.0
            .report
            .points_expired
            .iter()
            .cloned()
            .map(ID)
            .collect()
    }
    async fn payment_mismatches(&self) -> Vec<PaymentMismatchView> {
        self.0
            .report
            .payment_mismatches
            .iter()
            .map(|m| PaymentMismatchView {
                booking_id: ID(m.booking_id.clone()),
                payment_status: m.payment_status.clone(),
                booking_status: m.booking_status.clone(),
                problem: m.problem.clone(),
            })
            .collect()
    }
    /// What could not be checked this run; the next run tries again.
    async fn errors(&self) -> &[String] {
        &self.0.report.errors
    }
}

/// A flight whose D1 seat count had drifted from its inventory object's.
#[derive(SimpleObject)]
pub struct SeatCountRepair {
    flight_id: ID,
    /// The count search showed.
    was: i64,
    /// The inventory's count, which search shows now.
    now: i64,
}

/// A payment that does not match its booking. Nothing is moved automatically.
#[derive(SimpleObject)]
#[graphql(name = "PaymentMismatch")]
pub struct PaymentMismatchView {
    booking_id: ID,
    /// PENDING, AUTHORIZED, CAPTURED, DECLINED, VOIDED, REFUNDED or RETAINED.
    payment_status: String,
    /// The booking's status; null when the booking was never recorded.
    booking_status: Option<String>,
    problem: String,
}
