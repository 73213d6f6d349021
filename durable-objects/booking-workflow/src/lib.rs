//! The booking workflow Durable Object: one instance per booking (named by booking id, so
//! a retried request reaches the same object) drives that booking's saga.
//!
//! The saga's rules live in `airline_booking::saga`; this object only persists the state
//! after every transition and executes the step it names (`steps`). If the process dies
//! mid-step, the persisted state still names that step, and because every step is
//! idempotent the object simply runs it again: on its alarm, or on the next request if
//! the local runtime lost the alarm.

mod config;
mod payments;
pub mod sandbox_store;
mod steps;

use std::cell::{Cell, RefCell};

use airline_booking::plan::BookingPlan;
use airline_booking::protocol::{WorkflowReply, WorkflowRequest};
use airline_booking::record::BookingRecord;
use airline_booking::saga::{Action, CancelRefusal, Saga, Step, StepResult};
use airline_platform::log::{SagaStepLine, StepOutcome, REQUEST_ID_HEADER};
use chrono::{DateTime, Duration, Utc};
use futures_util::future::{join, OptionFuture};
use worker::{
    console_error, console_log, durable_object, DurableObject, Env, Request, Response, Result,
    State,
};

pub use crate::config::{PaymentProviderKind, WorkflowConfig};

/// Storage key of the booking record (JSON).
const RECORD_KEY: &str = "booking";
/// While a saga runs, the alarm is kept this far ahead as a safety net: if the process
/// dies, the alarm resumes the saga.
const WATCHDOG: Duration = Duration::seconds(5);

#[durable_object]
pub struct BookingWorkflow {
    state: State,
    env: Env,
    /// Read from the vars once, when the object starts (they cannot change while it lives).
    config: WorkflowConfig,
    /// The record as last persisted; loaded on first use.
    record: RefCell<Option<BookingRecord>>,
    loaded: Cell<bool>,
    /// One driver at a time: a second request (a duplicate, the alarm) returns the current
    /// state instead of running steps in parallel.
    driving: Cell<bool>,
}

impl DurableObject for BookingWorkflow {
    fn new(state: State, env: Env) -> Self {
        Self {
            config: WorkflowConfig::from_env(&env),
            state,
            env,
            record: RefCell::new(None),
            loaded: Cell::new(false),
            driving: Cell::new(false),
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
                self.drive(driver, Answer::AfterEverything).await?;
                self.reply()
            }
            WorkflowRequest::Cancel => self.cancel(None, driver).await?,
            WorkflowRequest::CancelForFlight { flight_id } => {
                self.cancel(Some(flight_id), driver).await?
            }
        };
        Response::from_json(&reply)
    }

    async fn alarm(&self) -> Result<Response> {
        self.load().await?;
        self.drive(None, Answer::AfterEverything).await?;
        Response::ok("ok")
    }
}

impl BookingWorkflow {
    async fn load(&self) -> Result<()> {
        if self.loaded.get() {
            return Ok(());
        }
        let stored: Option<String> = self.state.storage().get(RECORD_KEY).await?;
        // Another request may have loaded or created the record while this one awaited.
        if !self.loaded.get() {
            let record = match stored {
                Some(text) => Some(serde_json::from_str(&text).map_err(|e| {
                    worker::Error::RustError(format!("stored booking unreadable: {e}"))
                })?),
                None => None,
            };
            *self.record.borrow_mut() = record;
            self.loaded.set(true);
        }
        Ok(())
    }

    async fn persist(&self) -> Result<()> {
        let text = match self.record.borrow().as_ref() {
            Some(record) => serde_json::to_string(record)?,
            None => return Ok(()),
        };
        self.state.storage().put(RECORD_KEY, text).await
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
        match existing_fingerprint {
            Some(fingerprint) if fingerprint != plan.fingerprint => {
                return Ok(WorkflowReply::Conflict {
                    message: "this idempotency key was already used for a different booking \
                              request; use a new key for a new booking"
                        .to_owned(),
                })
            }
            // The same request again: the same booking, carried on if it is not finished.
            Some(_) => {}
            None => {
                let saga = Saga::new(plan.created_at + self.config.deadline, self.config.retry);
                *self.record.borrow_mut() = Some(BookingRecord::new(plan, saga));
                self.persist().await?;
            }
        }
        self.drive(driver, Answer::WhenFinal).await?;
        Ok(self.reply())
    }

    /// Cancels a confirmed booking: at its owner's request (`None`: refused once the first
    /// flight has departed), or because the airline cancelled `flight`.
    async fn cancel(&self, flight: Option<String>, driver: Option<&str>) -> Result<WorkflowReply> {
        self.load().await?;
        // Let a saga that is due finish first: only a confirmed booking can be cancelled.
        self.drive(driver, Answer::AfterEverything).await?;
        let now = Utc::now();
        let refusal = {
            let mut guard = self.record.borrow_mut();
            let Some(record) = guard.as_mut() else {
                return Ok(WorkflowReply::NotFound);
            };
            let departed = record
                .plan
                .flights
                .first()
                .is_some_and(|f| f.departure_utc <= now);
            if departed && flight.is_none() {
                Some(
                    "the flight has departed; a booking can be cancelled until departure"
                        .to_owned(),
                )
            } else {
                let cancelled = match &flight {
                    Some(flight_id) => record.saga.cancel_for_flight(flight_id),
                    None => record.saga.cancel_confirmed(),
                };
                match cancelled {
                    Ok(()) => {
                        record.updated_at = now;
                        None
                    }
                    Err(CancelRefusal::AlreadyCancelled) => {
                        Some("the booking is already cancelled".to_owned())
                    }
                    Err(CancelRefusal::InProgress) => Some(
                        "the booking is still being processed; try again in a moment".to_owned(),
                    ),
                }
            }
        };
        if let Some(message) = refusal {
            return Ok(WorkflowReply::CannotCancel { message });
        }
        self.persist().await?;
        self.drive(driver, Answer::WhenFinal).await?;
        Ok(self.reply())
    }

    /// Runs due steps until the saga finishes or must wait, persisting after each one.
    /// `driver` is the id of the API request that asked (none for the alarm), for the
    /// log lines.
    async fn drive(&self, driver: Option<&str>, answer: Answer) -> Result<()> {
        if self.driving.get() || self.record.borrow().is_none() {
            return Ok(());
        }
        self.driving.set(true);
        let result = self.drive_steps(driver, answer).await;
        self.driving.set(false);
        result
    }

    async fn drive_steps(&self, driver: Option<&str>, answer: Answer) -> Result<()> {
        let storage = self.state.storage();
        // Reading a finished booking must not write anything.
        let mut changed = false;
        // The watchdog this call armed; set again only when it gets close, not per step.
        let mut watchdog: Option<DateTime<Utc>> = None;
        loop {
            let now = Utc::now();
            let action = match self.record.borrow_mut().as_mut() {
                Some(record) => {
                    let before = record.saga.step;
                    let action = record.saga.next_action(now);
                    // Past the deadline, next_action itself moves the saga on.
                    changed |= record.saga.step != before;
                    action
                }
                None => return Ok(()),
            };
            match action {
                Action::Finished => {
                    if changed {
                        self.persist().await?;
                        storage.delete_alarm().await?;
                    }
                    return Ok(());
                }
                Action::WaitUntil(at) => {
                    if changed {
                        self.persist().await?;
                    }
                    storage.set_alarm(at).await?;
                    return Ok(());
                }
                // The outcome is final: answer now, and tell the queue from the alarm, set
                // to fire at once. Should it be lost, the next read of the booking runs the
                // step, and the reconciliation resends what the outbox holds in any case.
                Action::Run(step) if answer == Answer::WhenFinal && step.follows_the_answer() => {
                    if changed {
                        self.persist().await?;
                    }
                    storage.set_alarm(now).await?;
                    return Ok(());
                }
                Action::Run(step) => {
                    changed = true;
                    let snapshot = {
                        let mut guard = self.record.borrow_mut();
                        let Some(record) = guard.as_mut() else {
                            return Ok(());
                        };
                        record.saga.begin(step);
                        record.clone()
                    };
                    // Persist "about to run" and arm the watchdog before any effect happens.
                    self.persist().await?;
                    if watchdog.is_none_or(|at| at - now < WATCHDOG / 2) {
                        let at = watchdog_at(now);
                        storage.set_alarm(at).await?;
                        watchdog = Some(at);
                    }
                    // The step's companion, if it has one, runs beside it on the state as it
                    // will be if the step succeeds (see `Step::companion`).
                    let ahead = snapshot.saga.ahead_of(step, now).map(|(saga, companion)| {
                        let mut ahead = snapshot.clone();
                        ahead.saga = saga;
                        (ahead, companion)
                    });
                    let (env, config) = (&self.env, &self.config);
                    let ((outcome, started_at, finished_at), beside) = join(
                        timed(env, config, &snapshot, step),
                        OptionFuture::from(
                            ahead
                                .as_ref()
                                .map(|(record, companion)| timed(env, config, record, *companion)),
                        ),
                    )
                    .await;
                    log_step(
                        driver,
                        &snapshot,
                        step,
                        &outcome.result,
                        finished_at - started_at,
                    );
                    let succeeded = outcome.result == StepResult::Done;
                    {
                        let mut guard = self.record.borrow_mut();
                        if let Some(record) = guard.as_mut() {
                            outcome.update.apply_to(record);
                            record.saga.apply(step, outcome.result.clone(), finished_at);
                            record.updated_at = finished_at;
                        }
                    }
                    if let (Some((ahead, companion)), Some((beside, started_at, finished_at))) =
                        (ahead, beside)
                    {
                        log_step(
                            driver,
                            &ahead,
                            companion,
                            &beside.result,
                            finished_at - started_at,
                        );
                        // Counted only once its step succeeded; otherwise it runs again in
                        // its turn, or compensation undoes it.
                        let mut guard = self.record.borrow_mut();
                        if let Some(record) = guard.as_mut().filter(|_| succeeded) {
                            beside.update.apply_to(record);
                            record.saga.apply(companion, beside.result, finished_at);
                            record.updated_at = record.updated_at.max(finished_at);
                        }
                    }
                }
            }
        }
    }
}

/// Runs one step; its outcome, and when it started and finished.
async fn timed(
    env: &Env,
    config: &WorkflowConfig,
    record: &BookingRecord,
    step: Step,
) -> (steps::StepOutcome, DateTime<Utc>, DateTime<Utc>) {
    let started_at = Utc::now();
    let outcome = steps::run(env, config, record, step).await;
    (outcome, started_at, Utc::now())
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
        StepResult::Done => (StepOutcome::Done, None),
        StepResult::Transient(why) => (StepOutcome::Transient, Some(why.as_str())),
        StepResult::Failed(failure) => {
            failure_detail = failure.message();
            (StepOutcome::Failed, Some(failure_detail.as_str()))
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
    if outcome == StepOutcome::Done {
        console_log!("{line}");
    } else {
        console_error!("{line}");
    }
}

/// When the request that drives a saga gets its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answer {
    /// Once the outcome is final (processBooking, cancelBooking): the steps that only
    /// notify others run right after, from the alarm.
    WhenFinal,
    /// Once nothing is left to run now (reads, the alarm itself).
    AfterEverything,
}

fn watchdog_at(now: DateTime<Utc>) -> DateTime<Utc> {
    now + WATCHDOG
}
