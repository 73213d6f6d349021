//! The booking's Durable Object: one instance per booking (named by booking id, so a
//! retried request reaches the same object), and that booking's system of record. Its
//! SQLite holds the booking, its payment state and its outbox; D1 only ever holds copies.
//!
//! A thin loop around `airline_booking::saga`: load the record, ask what to do, persist,
//! execute the steps (`steps`), apply their outcomes, persist again. If the process dies
//! mid-step, the persisted state still names that step, and because every step is
//! idempotent the object simply runs it again: on its alarm, or on the next request.
//! What the booking owes others (its events, its copy for the read model) is sent after
//! the answer, from the alarm (`outbox`).
//!
//! The crate also holds the reference registry (`reference`): one object per prefix of
//! the references it keeps, which is what keeps references unique.

mod outbox;
mod registry;
mod steps;
mod storage;
mod workflow_config;

use std::cell::{Cell, OnceCell, RefCell};

use airline_booking::events::{BookingEvent, EventKind};
use airline_booking::legacy;
use airline_booking::plan::BookingPlan;
use airline_booking::protocol::{ReferenceReply, ReferenceRequest, WorkflowReply, WorkflowRequest};
use airline_booking::record::BookingRecord;
use airline_booking::saga::{Action, CancelReason, Emit, Saga, Step, StepOutcome, StepResult};
use airline_booking::seatmap::SeatId;
use airline_payments::sandbox_payment::{SandboxPayment, SandboxStatus};
use airline_platform::bindings::{DATABASE, REFERENCE_REGISTRY};
use airline_platform::call_object;
use airline_platform::log::{LoggedOutcome, SagaStepLine, REQUEST_ID_HEADER};
use chrono::{DateTime, Duration, Utc};
use futures_util::future::join_all;
use serde::Deserialize;
use worker::{
    console_error, console_log, durable_object, DurableObject, Env, Request, Response, Result,
    State,
};

pub use crate::registry::ReferenceRegistry;
use crate::storage::Store;
pub use crate::workflow_config::WorkflowConfig;

/// Where bookings made before the object kept SQLite tables stored their record (JSON).
const LEGACY_RECORD_KEY: &str = "booking";
/// While a saga runs, the alarm is kept this far ahead as a safety net: if the process
/// dies, the alarm resumes the saga.
const WATCHDOG: Duration = Duration::seconds(5);

#[durable_object]
pub struct BookingWorkflow {
    state: State,
    env: Env,
    /// Read from the vars once, when the object starts (they cannot change while it lives).
    config: WorkflowConfig,
    store: OnceCell<Store>,
    /// The record as last persisted (or about to be); loaded on first use.
    record: RefCell<Option<BookingRecord>>,
    loaded: Cell<bool>,
    /// One driver at a time: a second request (a duplicate, the alarm) returns the current
    /// state instead of running steps in parallel.
    driving: Cell<bool>,
    /// The alarm as this instance last set it (ms), to avoid setting it again.
    alarm_at: Cell<Option<i64>>,
}

impl DurableObject for BookingWorkflow {
    fn new(state: State, env: Env) -> Self {
        airline_platform::trace::configure(&env);
        Self {
            config: WorkflowConfig::from_env(&env),
            state,
            env,
            store: OnceCell::new(),
            record: RefCell::new(None),
            loaded: Cell::new(false),
            driving: Cell::new(false),
            alarm_at: Cell::new(None),
        }
    }

    async fn fetch(&self, mut request: Request) -> Result<Response> {
        let request_id = request.headers().get(REQUEST_ID_HEADER).ok().flatten();
        let driver = request_id.as_deref();
        let message: WorkflowRequest = match request.json().await {
            Ok(message) => message,
            Err(e) => return Response::error(format!("bad workflow request: {e}"), 400),
        };
        let reply = match message {
            WorkflowRequest::Start { plan } => self.start(*plan, driver).await?,
            WorkflowRequest::Get => {
                self.load().await?;
                self.drive(driver, false).await?;
                self.reply()
            }
            WorkflowRequest::Copy => {
                self.load().await?;
                self.drive(driver, false).await?;
                let record = self.record.borrow().clone();
                match record {
                    None => WorkflowReply::NotFound,
                    Some(record) => match outbox::copy_of(self.store()?, &record) {
                        Ok(copy) => WorkflowReply::Copy {
                            copy: Box::new(copy),
                        },
                        Err(e) => return Response::error(format!("copy: {e}"), 500),
                    },
                }
            }
            WorkflowRequest::Cancel => self.cancel(CancelReason::Customer, driver).await?,
            WorkflowRequest::ChangeSeats { flight_id, seats } => {
                self.change_seats(&flight_id, seats, driver).await?
            }
            WorkflowRequest::CancelForFlight { flight_id } => {
                self.cancel(CancelReason::FlightCancelled { flight_id }, driver)
                    .await?
            }
            WorkflowRequest::SandboxStripe {
                method,
                path,
                body,
                idempotency_key,
            } => {
                let sandbox = self.store()?.sandbox()?;
                match sandbox.serve(&method, &path, &body, idempotency_key.as_deref()) {
                    Ok((answer, replayed)) => WorkflowReply::SandboxAnswer {
                        status: answer.status,
                        body: answer.body,
                        replayed,
                    },
                    Err(e) => return Response::error(format!("sandbox: {e}"), 500),
                }
            }
        };
        self.schedule().await?;
        Response::from_json(&reply)
    }

    async fn alarm(&self) -> Result<Response> {
        self.alarm_at.set(None);
        self.load().await?;
        self.drive(None, false).await?;
        self.send_outbox().await?;
        self.schedule().await?;
        Response::ok("ok")
    }
}

impl BookingWorkflow {
    fn store(&self) -> Result<&Store> {
        if let Some(store) = self.store.get() {
            return Ok(store);
        }
        let store = Store::open(&self.state)?;
        Ok(self.store.get_or_init(|| store))
    }

    async fn load(&self) -> Result<()> {
        if self.loaded.get() {
            return Ok(());
        }
        let store = self.store()?;
        let mut record = store.load()?;
        if record.is_none() && store.may_hold_legacy_record() {
            record = self.load_legacy().await?;
        }
        // Another request may have loaded or created the record while this one awaited.
        if !self.loaded.get() {
            *self.record.borrow_mut() = record;
            self.loaded.set(true);
        }
        Ok(())
    }

    /// A booking made before this object kept SQLite tables: its record, converted and
    /// stored anew, with whatever events it still owed; in the sandbox, its payment comes
    /// over from D1, where the sandbox kept payments then.
    async fn load_legacy(&self) -> Result<Option<BookingRecord>> {
        let stored: Option<String> = self.state.storage().get(LEGACY_RECORD_KEY).await?;
        let Some(text) = stored else {
            return Ok(None);
        };
        let (mut record, owed) = legacy::convert(&text)
            .map_err(|e| worker::Error::RustError(format!("stored booking unreadable: {e}")))?;
        if self.config.payments.is_sandbox() {
            self.import_legacy_payment(&record).await?;
        }
        self.register_legacy_reference(&mut record).await;
        let now = Utc::now();
        let events: Vec<BookingEvent> = owed.iter().map(|e| event_for(&record, *e, now)).collect();
        record.version += 1;
        let store = self.store()?;
        store.save(&record, &events)?;
        self.state.storage().delete(LEGACY_RECORD_KEY).await?;
        Ok(Some(record))
    }

    /// Puts the reference of a booking from before the registry in it, as this booking's,
    /// so no new booking can draw it. Best effort: should it fail, the reconciliation run
    /// registers it from the read model. One held by another booking is for an operator.
    async fn register_legacy_reference(&self, record: &mut BookingRecord) {
        let Some(reference) = record
            .reference
            .clone()
            .filter(|_| !record.reference_claimed)
        else {
            return;
        };
        let claim = ReferenceRequest::Claim {
            reference: reference.clone(),
            booking_id: record.plan.booking_id.clone(),
        };
        let registry = airline_booking::reference::shard(&reference);
        let reply: Result<ReferenceReply> =
            call_object(&self.env, REFERENCE_REGISTRY, registry, &claim, None).await;
        match reply {
            Ok(ReferenceReply::Held { booking_id }) if booking_id == record.plan.booking_id => {
                record.reference_claimed = true;
            }
            Ok(other) => console_error!(
                "[{}] reference {reference} is not this booking's in the registry: {other:?}",
                record.plan.booking_id
            ),
            Err(e) => console_error!(
                "[{}] registering reference {reference}: {e}",
                record.plan.booking_id
            ),
        }
    }

    async fn import_legacy_payment(&self, record: &BookingRecord) -> Result<()> {
        #[derive(Deserialize)]
        struct LegacyPayment {
            id: String,
            token: String,
            customer_id: String,
            status: String,
            authorize_attempts: f64,
        }
        let key = record.plan.booking_id.as_str();
        let row: Option<LegacyPayment> = self
            .env
            .d1(DATABASE)?
            .prepare(
                "SELECT id, token, customer_id, status, authorize_attempts FROM payments
                 WHERE idempotency_key = ?1",
            )
            .bind(&[key.into()])?
            .first(None)
            .await?;
        let Some(row) = row else {
            return Ok(());
        };
        let behaviour = airline_payments::sandbox::token_behaviour(&row.token)
            .unwrap_or(airline_payments::sandbox::CardBehaviour::Succeeds);
        let payment = SandboxPayment {
            id: row.id,
            key: key.to_owned(),
            token: row.token,
            customer_id: row.customer_id,
            amount: record.plan.total,
            behaviour,
            status: SandboxStatus::parse(&row.status).unwrap_or(SandboxStatus::Pending),
            authorize_attempts: row.authorize_attempts as u32,
        };
        self.store()?
            .sandbox()?
            .save(&payment)
            .map_err(|e| worker::Error::RustError(e.to_string()))
    }

    fn reply(&self) -> WorkflowReply {
        match self.record.borrow().as_ref() {
            Some(record) => WorkflowReply::Booking {
                booking: Box::new(record.view()),
            },
            None => WorkflowReply::NotFound,
        }
    }

    async fn start(&self, plan: BookingPlan, driver: Option<&str>) -> Result<WorkflowReply> {
        self.load().await?;
        let existing_fingerprint = self
            .record
            .borrow()
            .as_ref()
            .map(|r| r.plan.fingerprint.clone());
        let created = match existing_fingerprint {
            Some(fingerprint) if fingerprint != plan.fingerprint => {
                return Ok(WorkflowReply::Conflict {
                    message: "this idempotency key was already used for a different booking \
                              request; use a new key for a new booking"
                        .to_owned(),
                })
            }
            // The same request again: the same booking, carried on if it is not finished.
            Some(_) => false,
            None => {
                let saga = Saga::new(plan.created_at + self.config.deadline, self.config.retry);
                *self.record.borrow_mut() = Some(BookingRecord::new(plan, saga));
                true
            }
        };
        self.drive(driver, created).await?;
        Ok(self.reply())
    }

    /// Cancels a confirmed booking, at its owner's request or because the airline
    /// cancelled one of its flights; the saga's rules say whether it may.
    async fn cancel(&self, reason: CancelReason, driver: Option<&str>) -> Result<WorkflowReply> {
        self.load().await?;
        // Let a saga that is due finish first: only a confirmed booking can be cancelled.
        self.drive(driver, false).await?;
        let refused = match self.record.borrow_mut().as_mut() {
            None => return Ok(WorkflowReply::NotFound),
            Some(record) => record.cancel(reason, Utc::now()).err(),
        };
        if let Some(refusal) = refused {
            return Ok(WorkflowReply::CannotCancel {
                refusal,
                message: refusal.message().to_owned(),
            });
        }
        self.drive(driver, true).await?;
        Ok(self.reply())
    }

    /// Moves the passengers' seats on one flight, if the booking's rules allow it now and
    /// the flight has the seats: the `MoveSeats` step, run like every other, so a crash
    /// part-way leaves it on record for the alarm to finish.
    async fn change_seats(
        &self,
        flight_id: &str,
        seats: Vec<SeatId>,
        driver: Option<&str>,
    ) -> Result<WorkflowReply> {
        self.load().await?;
        self.drive(driver, false).await?;
        let asked = match self.record.borrow_mut().as_mut() {
            None => return Ok(WorkflowReply::NotFound),
            Some(record) => record.change_seats(flight_id, seats, Utc::now()),
        };
        match asked {
            Err(refusal) => {
                return Ok(WorkflowReply::CannotChangeSeats {
                    refusal,
                    message: refusal.message().to_owned(),
                })
            }
            // The seats they have: nothing to do.
            Ok(false) => return Ok(self.reply()),
            Ok(true) => {}
        }
        self.drive(driver, true).await?;
        let refused = self
            .record
            .borrow()
            .as_ref()
            .and_then(|record| record.seat_change_refused.clone());
        Ok(match refused {
            Some(message) => WorkflowReply::SeatsUnavailable { message },
            None => self.reply(),
        })
    }

    /// Runs due steps until the saga finishes or must wait, persisting before each effect
    /// and after each outcome. `changed`: the record changed before the call and is not
    /// yet persisted. `driver` is the id of the API request that asked (none for the
    /// alarm), for the log lines.
    async fn drive(&self, driver: Option<&str>, changed: bool) -> Result<()> {
        if self.driving.get() || self.record.borrow().is_none() {
            if changed {
                self.persist(&mut Vec::new())?;
            }
            return Ok(());
        }
        self.driving.set(true);
        let result = self.drive_steps(driver, changed).await;
        self.driving.set(false);
        result
    }

    async fn drive_steps(&self, driver: Option<&str>, mut changed: bool) -> Result<()> {
        let store = self.store()?;
        let mut owed: Vec<BookingEvent> = Vec::new();
        // The watchdog this call armed; set again only when it gets close, not per step.
        let mut watchdog: Option<DateTime<Utc>> = None;
        loop {
            let now = Utc::now();
            let action = {
                let mut guard = self.record.borrow_mut();
                let Some(record) = guard.as_mut() else {
                    return Ok(());
                };
                let phase = record.saga.phase.clone();
                let action = record.next_action(now);
                // Past the deadline, next_action itself moves the saga on.
                changed |= record.saga.phase != phase;
                action
            };
            let steps = match action {
                Action::Finished | Action::WaitUntil(_) => {
                    if changed {
                        self.persist(&mut owed)?;
                    }
                    return Ok(());
                }
                Action::Run(steps) => steps,
            };
            if steps.iter().all(|step| step.is_local()) {
                // Decisions with no effect outside: applied now, written with the rest.
                let mut guard = self.record.borrow_mut();
                if let Some(record) = guard.as_mut() {
                    for step in &steps {
                        log_step(driver, record, *step, &StepResult::Done, Duration::zero());
                    }
                    let done = steps
                        .iter()
                        .map(|step| (*step, StepOutcome::new(StepResult::Done)))
                        .collect();
                    let emitted = record.apply(done, now);
                    owed.extend(emitted.into_iter().map(|e| event_for(record, e, now)));
                }
                changed = true;
                continue;
            }
            // What may happen from here on is on record before it happens.
            let snapshot = {
                let mut guard = self.record.borrow_mut();
                let Some(record) = guard.as_mut() else {
                    return Ok(());
                };
                let before = (record.seats.clone(), record.payment.clone());
                record.begin(&steps);
                changed |= (record.seats.clone(), record.payment.clone()) != before;
                record.clone()
            };
            if changed {
                self.persist(&mut owed)?;
            }
            if watchdog.is_none_or(|at| at - now < WATCHDOG / 2) {
                let at = now + WATCHDOG;
                self.set_alarm(at).await?;
                watchdog = Some(at);
            }
            let (env, config, snapshot) = (&self.env, &self.config, &snapshot);
            let outcomes = join_all(steps.iter().map(|step| async move {
                let started_at = Utc::now();
                let outcome = steps::run(env, config, store, snapshot, *step, driver).await;
                (*step, outcome, Utc::now() - started_at)
            }))
            .await;
            let finished_at = Utc::now();
            let mut guard = self.record.borrow_mut();
            let Some(record) = guard.as_mut() else {
                return Ok(());
            };
            for (step, outcome, took) in &outcomes {
                log_step(driver, snapshot, *step, &outcome.result, *took);
            }
            let outcomes = outcomes
                .into_iter()
                .map(|(step, outcome, _)| (step, outcome))
                .collect();
            let emitted = record.apply(outcomes, finished_at);
            owed.extend(
                emitted
                    .into_iter()
                    .map(|e| event_for(record, e, finished_at)),
            );
            changed = true;
        }
    }

    /// Writes the record as a new version, with the events it owes, in one transaction.
    fn persist(&self, owed: &mut Vec<BookingEvent>) -> Result<()> {
        let mut guard = self.record.borrow_mut();
        let Some(record) = guard.as_mut() else {
            return Ok(());
        };
        record.version += 1;
        self.store()?.save(record, owed)?;
        owed.clear();
        Ok(())
    }

    /// Sends what the outbox holds; a failure backs off and is tried again from the alarm.
    async fn send_outbox(&self) -> Result<()> {
        let Some(record) = self.record.borrow().clone() else {
            return Ok(());
        };
        let store = self.store()?;
        if let Err(e) = outbox::send(&self.env, store, &record).await {
            let failures = store.outbox_failed()?;
            console_error!(
                "[{}] outbox: sending failed ({failures} in a row): {e}",
                record.plan.booking_id
            );
        }
        Ok(())
    }

    /// Sets the alarm for whatever comes next: a step's retry, the watchdog of a saga
    /// still running, or the outbox (at once, or after a backoff when sending failed).
    async fn schedule(&self) -> Result<()> {
        let now = Utc::now();
        let saga_wake = if self.driving.get() {
            Some(now + WATCHDOG)
        } else {
            self.record
                .borrow()
                .as_ref()
                .and_then(|record| record.next_wake(now))
        };
        let store = self.store()?;
        let outbox_wake = match store.progress()? {
            Some(progress) if store.has_pending()? => Some(
                now + self
                    .config
                    .retry
                    .delay(progress.failures)
                    .min(Duration::minutes(10)),
            )
            .filter(|_| progress.failures > 0)
            .or(Some(now)),
            _ => None,
        };
        match saga_wake.into_iter().chain(outbox_wake).min() {
            Some(at) => self.set_alarm(at).await,
            None if self.alarm_at.get().is_some() => {
                self.state.storage().delete_alarm().await?;
                self.alarm_at.set(None);
                Ok(())
            }
            None => Ok(()),
        }
    }

    async fn set_alarm(&self, at: DateTime<Utc>) -> Result<()> {
        let ms = at.timestamp_millis();
        if self.alarm_at.get() == Some(ms) {
            return Ok(());
        }
        // A DateTime: a bare number would be read as an offset from now.
        self.state.storage().set_alarm(at).await?;
        self.alarm_at.set(Some(ms));
        Ok(())
    }
}

/// The event an [`Emit`] stands for.
fn event_for(record: &BookingRecord, emit: Emit, now: DateTime<Utc>) -> BookingEvent {
    let kind = match emit {
        Emit::BookingConfirmed => EventKind::BookingConfirmed,
        Emit::BookingCancelled => EventKind::BookingCancelled,
    };
    record.event(kind, now)
}

/// One structured line per step run (see `airline_platform::log`); failures go to the
/// error stream so they stand out in Workers Logs.
fn log_step(
    driver: Option<&str>,
    before: &BookingRecord,
    step: Step,
    result: &StepResult,
    took: Duration,
) {
    let failure_detail;
    let (outcome, detail) = match result {
        StepResult::Done => (LoggedOutcome::Done, None),
        StepResult::Transient(why) => (LoggedOutcome::Transient, Some(why.as_str())),
        StepResult::Failed(failure) => {
            failure_detail = failure.message();
            (LoggedOutcome::Failed, Some(failure_detail.as_str()))
        }
    };
    let line = SagaStepLine {
        request_id: driver,
        booking_id: before.plan.booking_id.as_str(),
        step: step.as_str(),
        outcome,
        detail,
        attempt: before.saga.failures + 1,
        duration_ms: took.num_milliseconds(),
    }
    .to_line();
    if outcome == LoggedOutcome::Done {
        console_log!("{line}");
    } else {
        console_error!("{line}");
    }
}
