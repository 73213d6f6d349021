//! The booking saga as a pure transition function: which step runs next, what a step's
//! result does to the booking, when to retry, and how failures compensate in reverse.
//!
//! The booking workflow Durable Object persists a [`Saga`] after every transition and
//! executes the [`Step`] that [`Saga::next_action`] names; it never decides anything
//! itself. Every step is idempotent (keyed by booking id + step), so executing a step again
//! after a crash is always safe.
//!
//! One file on purpose: a state machine reads best with all its transitions in one place.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// One unit of work, forward or compensating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Step {
    /// Hold seats on every flight (outbound, then return) in the flights' inventory objects.
    HoldSeats,
    AuthorizePayment,
    /// The booking row in D1, status UNCONFIRMED.
    RecordBooking,
    CapturePayment,
    /// Turn the holds into sold seats.
    ConfirmSeats,
    /// CONFIRMED with its booking reference, in D1.
    ConfirmBooking,
    /// `BookingConfirmed` onto the loyalty queue.
    Publish,
    // Compensation, in the order it runs.
    VoidPayment,
    RefundPayment,
    ReleaseSeats,
    /// CANCELLED with the reason, in D1 (inserting the row if it was never recorded).
    MarkCancelled,
    /// `BookingCancelled` onto the loyalty queue (only for a booking that was confirmed).
    PublishCancellation,
}

impl Step {
    /// Steps that only tell others (the loyalty queue) about an outcome that is already
    /// final. The traveller's answer need not wait for them: the workflow answers first and
    /// runs them straight after, from its alarm; the booking shows no step in progress.
    pub fn follows_the_answer(self) -> bool {
        matches!(self, Step::Publish | Step::PublishCancellation)
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Step::HoldSeats => "HOLD_SEATS",
            Step::AuthorizePayment => "AUTHORIZE_PAYMENT",
            Step::RecordBooking => "RECORD_BOOKING",
            Step::CapturePayment => "CAPTURE_PAYMENT",
            Step::ConfirmSeats => "CONFIRM_SEATS",
            Step::ConfirmBooking => "CONFIRM_BOOKING",
            Step::Publish => "PUBLISH",
            Step::VoidPayment => "VOID_PAYMENT",
            Step::RefundPayment => "REFUND_PAYMENT",
            Step::ReleaseSeats => "RELEASE_SEATS",
            Step::MarkCancelled => "MARK_CANCELLED",
            Step::PublishCancellation => "PUBLISH_CANCELLATION",
        }
    }

    fn is_compensation(&self) -> bool {
        matches!(
            self,
            Step::VoidPayment
                | Step::RefundPayment
                | Step::ReleaseSeats
                | Step::MarkCancelled
                | Step::PublishCancellation
        )
    }

    /// The forward step that may run beside this one, as if this one had succeeded: its
    /// effect does not depend on this step's answer, running it again is harmless, and the
    /// compensation this step's failure starts undoes it. The UNCONFIRMED row beside an
    /// authorization (a decline's MARK_CANCELLED overwrites it); the seats confirmed beside
    /// a capture (a failed capture's RELEASE_SEATS frees sold seats as well as held ones).
    /// Each pair saves the booking's answer one round trip.
    ///
    /// The executor applies this step's result first and the companion's only if this step
    /// succeeded; otherwise the companion's answer is dropped (it runs again in its turn, or
    /// compensation undoes it).
    pub fn companion(self) -> Option<Step> {
        match self {
            Step::AuthorizePayment => Some(Step::RecordBooking),
            Step::CapturePayment => Some(Step::ConfirmSeats),
            _ => None,
        }
    }

    /// The forward step after this one.
    fn next_forward(&self) -> Option<Step> {
        match self {
            Step::HoldSeats => Some(Step::AuthorizePayment),
            Step::AuthorizePayment => Some(Step::RecordBooking),
            Step::RecordBooking => Some(Step::CapturePayment),
            Step::CapturePayment => Some(Step::ConfirmSeats),
            Step::ConfirmSeats => Some(Step::ConfirmBooking),
            Step::ConfirmBooking => Some(Step::Publish),
            _ => None,
        }
    }
}

/// Why a booking ended CANCELLED. The code is what the API reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Failure {
    /// Not enough free seats on a flight.
    SoldOut { flight_id: String },
    /// A chosen seat was taken (or does not exist / is blocked).
    SeatUnavailable { flight_id: String, message: String },
    /// The card was refused.
    PaymentDeclined { message: String },
    /// A permanent payment failure other than a decline (e.g. the capture failed).
    PaymentFailed { message: String },
    /// The seat hold ran out before the seats could be confirmed.
    HoldExpired { flight_id: String },
    /// Transient failures lasted past the booking's deadline.
    Timeout { step: Step, message: String },
    /// The owner (or an admin) cancelled a confirmed booking.
    CancelledByCustomer,
    /// The airline cancelled a flight of the booking: full refund, seats released.
    FlightCancelled { flight_id: String },
}

/// The code of a [`Failure`], as the API reports it (`extensions.code`) and the booking's
/// view stores it: serialised as the same SCREAMING_SNAKE_CASE text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FailureCode {
    SoldOut,
    SeatUnavailable,
    PaymentDeclined,
    PaymentFailed,
    HoldExpired,
    Timeout,
    CancelledByCustomer,
    FlightCancelled,
}

impl FailureCode {
    pub const ALL: [FailureCode; 8] = [
        Self::SoldOut,
        Self::SeatUnavailable,
        Self::PaymentDeclined,
        Self::PaymentFailed,
        Self::HoldExpired,
        Self::Timeout,
        Self::CancelledByCustomer,
        Self::FlightCancelled,
    ];

    /// The code a client read off the API; `None` for any other text.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|code| code.as_str() == text)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::SoldOut => "SOLD_OUT",
            Self::SeatUnavailable => "SEAT_UNAVAILABLE",
            Self::PaymentDeclined => "PAYMENT_DECLINED",
            Self::PaymentFailed => "PAYMENT_FAILED",
            Self::HoldExpired => "HOLD_EXPIRED",
            Self::Timeout => "TIMEOUT",
            Self::CancelledByCustomer => "CANCELLED_BY_CUSTOMER",
            Self::FlightCancelled => "FLIGHT_CANCELLED",
        }
    }
}

impl Failure {
    pub fn code(&self) -> FailureCode {
        match self {
            Failure::SoldOut { .. } => FailureCode::SoldOut,
            Failure::SeatUnavailable { .. } => FailureCode::SeatUnavailable,
            Failure::PaymentDeclined { .. } => FailureCode::PaymentDeclined,
            Failure::PaymentFailed { .. } => FailureCode::PaymentFailed,
            Failure::HoldExpired { .. } => FailureCode::HoldExpired,
            Failure::Timeout { .. } => FailureCode::Timeout,
            Failure::CancelledByCustomer => FailureCode::CancelledByCustomer,
            Failure::FlightCancelled { .. } => FailureCode::FlightCancelled,
        }
    }

    /// Words for the traveller.
    pub fn message(&self) -> String {
        match self {
            Failure::SoldOut { flight_id } => {
                format!("flight {flight_id} does not have enough free seats for this party")
            }
            Failure::SeatUnavailable { message, .. } => message.clone(),
            Failure::PaymentDeclined { message } => message.clone(),
            Failure::PaymentFailed { message } => message.clone(),
            Failure::HoldExpired { flight_id } => {
                format!("the seats held on flight {flight_id} expired before payment completed")
            }
            Failure::Timeout { step, .. } => format!(
                "the booking could not be completed in time (step {}); nothing was charged or kept",
                step.as_str()
            ),
            Failure::CancelledByCustomer => "cancelled by the customer".to_owned(),
            Failure::FlightCancelled { flight_id } => {
                format!("the airline cancelled flight {flight_id}; the booking is refunded in full")
            }
        }
    }
}

/// What executing a step came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepResult {
    Done,
    /// Worth retrying (network, 5xx, rate limit): retried with backoff.
    Transient(String),
    /// Final: starts compensation (forward steps only).
    Failed(Failure),
}

/// Where a booking stands, as the API reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum BookingStatus {
    /// The saga is running (or compensating); seats may be held, nothing is final.
    Unconfirmed,
    Confirmed,
    Cancelled,
}

impl BookingStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            BookingStatus::Unconfirmed => "UNCONFIRMED",
            BookingStatus::Confirmed => "CONFIRMED",
            BookingStatus::Cancelled => "CANCELLED",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "UNCONFIRMED" => Some(BookingStatus::Unconfirmed),
            "CONFIRMED" => Some(BookingStatus::Confirmed),
            "CANCELLED" => Some(BookingStatus::Cancelled),
            _ => None,
        }
    }
}

/// What the executor should do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Run(Step),
    /// Nothing until then (a backoff); the executor sets its alarm for this instant.
    WaitUntil(DateTime<Utc>),
    /// Terminal: CONFIRMED and published, or CANCELLED and compensated.
    Finished,
}

/// Retry timing for transient failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetryPolicy {
    pub first_delay_ms: i64,
    pub max_delay_ms: i64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            first_delay_ms: 1_000,
            max_delay_ms: 60_000,
        }
    }
}

impl RetryPolicy {
    /// Delay before attempt `failures + 1`, after `failures` transient failures (>= 1):
    /// 1 s, 2 s, 4 s, ... capped.
    pub fn delay(&self, failures: u32) -> Duration {
        let exponent = failures.saturating_sub(1).min(20);
        let ms = self
            .first_delay_ms
            .saturating_mul(1_i64 << exponent)
            .min(self.max_delay_ms);
        Duration::milliseconds(ms)
    }
}

/// One line of the saga's history, for the operator and the tests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepRecord {
    pub step: Step,
    pub at: DateTime<Utc>,
    /// "done", "transient: ...", "failed: CODE".
    pub result: String,
}

/// The history keeps the most recent lines only: a step retried for days must not grow
/// the object without bound.
const HISTORY_LIMIT: usize = 50;

/// A booking's progress. Serialized as JSON into the workflow object's storage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Saga {
    /// The step to run next; `None` once terminal.
    pub step: Option<Step>,
    /// Transient failures of the current step so far.
    pub failures: u32,
    pub retry_at: Option<DateTime<Utc>>,
    /// Forward steps up to CONFIRM_BOOKING must finish by then, or the booking compensates.
    pub deadline: DateTime<Utc>,
    pub retry: RetryPolicy,
    /// Set once a step was attempted: its effect may exist even if its answer was lost, so
    /// compensation undoes it (every undo is idempotent and harmless when nothing happened).
    pub seats_touched: bool,
    pub payment_touched: bool,
    pub captured: bool,
    pub recorded: bool,
    pub confirmed: bool,
    pub marked_cancelled: bool,
    pub cancellation_published: bool,
    pub failure: Option<Failure>,
    pub history: Vec<StepRecord>,
}

impl Saga {
    pub fn new(deadline: DateTime<Utc>, retry: RetryPolicy) -> Self {
        Self {
            step: Some(Step::HoldSeats),
            failures: 0,
            retry_at: None,
            deadline,
            retry,
            seats_touched: false,
            payment_touched: false,
            captured: false,
            recorded: false,
            confirmed: false,
            marked_cancelled: false,
            cancellation_published: false,
            failure: None,
            history: Vec::new(),
        }
    }

    pub fn status(&self) -> BookingStatus {
        match (&self.failure, self.confirmed) {
            (None, true) => BookingStatus::Confirmed,
            (None, false) => BookingStatus::Unconfirmed,
            (Some(_), _) if self.marked_cancelled || self.step.is_none() => {
                BookingStatus::Cancelled
            }
            // A confirmed booking being cancelled stays confirmed until it is marked.
            (Some(_), true) => BookingStatus::Confirmed,
            (Some(_), false) => BookingStatus::Unconfirmed,
        }
    }

    pub fn is_terminal(&self) -> bool {
        self.step.is_none()
    }

    /// What to do at `now`. Past the deadline, a forward step that has not yet confirmed
    /// the booking gives up and compensation starts instead (so a booking never stays
    /// unconfirmed); this is the only transition that needs no step result.
    pub fn next_action(&mut self, now: DateTime<Utc>) -> Action {
        let Some(step) = self.step else {
            return Action::Finished;
        };
        let before_confirmation = !step.is_compensation() && step != Step::Publish;
        if before_confirmation && now >= self.deadline {
            let message = match self.history.last() {
                Some(last) if last.step == step => last.result.clone(),
                _ => "not started".to_owned(),
            };
            self.compensate(Failure::Timeout { step, message });
            return self.next_action(now);
        }
        match self.retry_at {
            Some(at) if at > now => Action::WaitUntil(at),
            _ => Action::Run(step),
        }
    }

    /// The saga as it will be if the current `step` succeeds at `now`, about to run that
    /// step's companion (`Step::companion`): the state the companion's effect is computed
    /// from. `None` if the step has none, or is not the current step.
    pub fn ahead_of(&self, step: Step, now: DateTime<Utc>) -> Option<(Saga, Step)> {
        let companion = step.companion()?;
        let mut ahead = self.clone();
        ahead.apply(step, StepResult::Done, now);
        (ahead.step == Some(companion)).then(|| {
            ahead.begin(companion);
            (ahead, companion)
        })
    }

    /// Marks `step` as about to run: from here on its effect may exist.
    pub fn begin(&mut self, step: Step) {
        match step {
            Step::HoldSeats => self.seats_touched = true,
            Step::AuthorizePayment => self.payment_touched = true,
            _ => {}
        }
    }

    /// The inventory refused the first flight outright (sold out, or a chosen seat taken):
    /// nothing is held for this booking anywhere, since a hold it still had there would
    /// have been handed back instead of refused, and the flights after it were not asked.
    /// So there is nothing to release: a sold-out attempt ends without a second call to the
    /// flight everyone is queueing for.
    pub fn nothing_held(&mut self) {
        self.seats_touched = false;
    }

    /// Applies the result of running `step` at `now`. A result for a step other than the
    /// current one (a stale, duplicate execution) changes nothing.
    pub fn apply(&mut self, step: Step, result: StepResult, now: DateTime<Utc>) {
        if self.step != Some(step) {
            return;
        }
        let line = match &result {
            StepResult::Done => "done".to_owned(),
            StepResult::Transient(why) => format!("transient: {why}"),
            StepResult::Failed(failure) => format!("failed: {}", failure.code().as_str()),
        };
        self.record(step, line, now);
        match result {
            StepResult::Done => {
                match step {
                    Step::CapturePayment => self.captured = true,
                    Step::RecordBooking => self.recorded = true,
                    Step::ConfirmBooking => self.confirmed = true,
                    Step::VoidPayment | Step::RefundPayment => self.payment_touched = false,
                    Step::ReleaseSeats => self.seats_touched = false,
                    Step::MarkCancelled => self.marked_cancelled = true,
                    Step::PublishCancellation => self.cancellation_published = true,
                    _ => {}
                }
                self.failures = 0;
                self.retry_at = None;
                self.step = if step.is_compensation() {
                    self.next_compensation()
                } else {
                    step.next_forward()
                };
            }
            StepResult::Transient(_) => {
                self.failures = self.failures.saturating_add(1);
                self.retry_at = Some(now + self.retry.delay(self.failures));
            }
            StepResult::Failed(failure) => {
                if step.is_compensation() || step == Step::Publish {
                    // Undoing and publishing cannot be abandoned: a refund or a seat
                    // release that fails keeps retrying (an operator sees it in the log).
                    self.failures = self.failures.saturating_add(1);
                    self.retry_at = Some(now + self.retry.delay(self.failures));
                } else {
                    self.compensate(failure);
                }
            }
        }
    }

    /// Starts cancelling a confirmed booking at its owner's request: refund, release the
    /// seats, CANCELLED, and a `BookingCancelled` event. Refused unless confirmed.
    pub fn cancel_confirmed(&mut self) -> Result<(), CancelRefusal> {
        self.cancel(Failure::CancelledByCustomer)
    }

    /// The same path when the airline cancels one of the booking's flights.
    pub fn cancel_for_flight(&mut self, flight_id: &str) -> Result<(), CancelRefusal> {
        self.cancel(Failure::FlightCancelled {
            flight_id: flight_id.to_owned(),
        })
    }

    fn cancel(&mut self, reason: Failure) -> Result<(), CancelRefusal> {
        match self.status() {
            BookingStatus::Cancelled => Err(CancelRefusal::AlreadyCancelled),
            BookingStatus::Unconfirmed => Err(CancelRefusal::InProgress),
            // The confirmation event is not out yet (a moment, normally): cancelling now
            // could put the cancellation before it, so the caller tries again shortly.
            BookingStatus::Confirmed if self.step.is_some() || self.failure.is_some() => {
                Err(CancelRefusal::InProgress)
            }
            BookingStatus::Confirmed => {
                self.compensate(reason);
                Ok(())
            }
        }
    }

    fn compensate(&mut self, failure: Failure) {
        self.failure = Some(failure);
        self.failures = 0;
        self.retry_at = None;
        self.step = self.next_compensation();
    }

    /// The first undo still owed, in reverse order of the forward steps.
    fn next_compensation(&self) -> Option<Step> {
        if self.payment_touched {
            return Some(if self.captured {
                Step::RefundPayment
            } else {
                Step::VoidPayment
            });
        }
        if self.seats_touched {
            return Some(Step::ReleaseSeats);
        }
        if !self.marked_cancelled {
            return Some(Step::MarkCancelled);
        }
        if self.confirmed && !self.cancellation_published {
            return Some(Step::PublishCancellation);
        }
        None
    }

    fn record(&mut self, step: Step, result: String, at: DateTime<Utc>) {
        if self.history.len() >= HISTORY_LIMIT {
            self.history.remove(0);
        }
        self.history.push(StepRecord { step, at, result });
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancelRefusal {
    AlreadyCancelled,
    /// The booking is still being processed; cancel once it is confirmed.
    InProgress,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    #[test]
    fn failure_codes_read_as_they_are_written_in_json_and_by_the_api() {
        for code in FailureCode::ALL {
            assert_eq!(FailureCode::parse(code.as_str()), Some(code));
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
        assert_eq!(FailureCode::parse("NOT_A_CODE"), None);
    }

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 29, 12, 0, 0).unwrap()
    }

    fn saga() -> Saga {
        Saga::new(t0() + Duration::minutes(5), RetryPolicy::default())
    }

    /// Answers every step Done except `step`, which fails with `failure`.
    fn fails_at(step: Step, failure: Failure) -> impl FnMut(Step) -> StepResult {
        move |ran| {
            if ran == step {
                StepResult::Failed(failure.clone())
            } else {
                StepResult::Done
            }
        }
    }

    /// One step at a time.
    fn drive(saga: &mut Saga, outcome: impl FnMut(Step) -> StepResult) -> Vec<Step> {
        run_saga(saga, false, outcome)
    }

    /// Runs the saga like the executor does, answering each step from `outcome`, and
    /// returns the steps whose effects ran, in order. `with_companions`: a step and its
    /// companion at once, the companion's answer counted only if the step succeeded (a
    /// dropped companion is listed too).
    fn run_saga(
        saga: &mut Saga,
        with_companions: bool,
        mut outcome: impl FnMut(Step) -> StepResult,
    ) -> Vec<Step> {
        let mut now = t0();
        let mut ran = Vec::new();
        for _ in 0..200 {
            match saga.next_action(now) {
                Action::Run(step) => {
                    saga.begin(step);
                    let ahead = saga.ahead_of(step, now).filter(|_| with_companions);
                    let result = outcome(step);
                    ran.push(step);
                    let succeeded = result == StepResult::Done;
                    saga.apply(step, result, now);
                    if let Some((_, companion)) = ahead {
                        let result = outcome(companion);
                        ran.push(companion);
                        if succeeded {
                            saga.apply(companion, result, now);
                        }
                    }
                }
                Action::WaitUntil(at) => now = at,
                Action::Finished => return ran,
            }
        }
        panic!("saga did not finish: {saga:?}");
    }

    #[test]
    fn happy_path_runs_every_forward_step_once_and_confirms() {
        let mut saga = saga();
        let ran = drive(&mut saga, |_| StepResult::Done);
        assert_eq!(
            ran,
            vec![
                Step::HoldSeats,
                Step::AuthorizePayment,
                Step::RecordBooking,
                Step::CapturePayment,
                Step::ConfirmSeats,
                Step::ConfirmBooking,
                Step::Publish
            ]
        );
        assert_eq!(saga.status(), BookingStatus::Confirmed);
        assert!(saga.is_terminal());
    }

    fn drive_with_companions(
        saga: &mut Saga,
        outcome: impl FnMut(Step) -> StepResult,
    ) -> Vec<Step> {
        run_saga(saga, true, outcome)
    }

    #[test]
    fn a_companion_is_the_next_step_and_lands_where_running_one_by_one_does() {
        let forward = [
            Step::HoldSeats,
            Step::AuthorizePayment,
            Step::RecordBooking,
            Step::CapturePayment,
            Step::ConfirmSeats,
            Step::ConfirmBooking,
            Step::Publish,
        ];
        for step in forward {
            if let Some(companion) = step.companion() {
                assert_eq!(step.next_forward(), Some(companion), "{step:?}");
                assert_eq!(companion.companion(), None, "pairs, not chains: {step:?}");
            }
        }
        let mut one_by_one = saga();
        drive(&mut one_by_one, |_| StepResult::Done);
        let mut paired = saga();
        let ran = drive_with_companions(&mut paired, |_| StepResult::Done);
        assert_eq!(paired.status(), BookingStatus::Confirmed);
        assert_eq!(paired.step, one_by_one.step);
        assert_eq!(
            (paired.captured, paired.recorded, paired.confirmed),
            (true, true, true)
        );
        assert_eq!(ran.len(), 7, "every step once: {ran:?}");
    }

    #[test]
    fn what_a_companion_did_is_undone_when_its_step_fails() {
        // A declined authorization: the UNCONFIRMED row written beside it is overwritten.
        let mut declined = saga();
        let ran = drive_with_companions(
            &mut declined,
            fails_at(
                Step::AuthorizePayment,
                Failure::PaymentDeclined {
                    message: "declined".into(),
                },
            ),
        );
        assert!(ran.contains(&Step::RecordBooking), "{ran:?}");
        assert_eq!(ran.last(), Some(&Step::MarkCancelled), "{ran:?}");
        assert_eq!(declined.status(), BookingStatus::Cancelled);
        assert!(!declined.captured);

        // A failed capture: the seats confirmed beside it are released, nothing is charged.
        let mut refused = saga();
        let ran = drive_with_companions(
            &mut refused,
            fails_at(
                Step::CapturePayment,
                Failure::PaymentFailed {
                    message: "capture refused".into(),
                },
            ),
        );
        let confirmed_at = ran.iter().position(|s| *s == Step::ConfirmSeats);
        let released_at = ran.iter().position(|s| *s == Step::ReleaseSeats);
        assert!(
            confirmed_at < released_at && confirmed_at.is_some(),
            "{ran:?}"
        );
        assert!(ran.contains(&Step::VoidPayment) && !ran.contains(&Step::RefundPayment));
        assert_eq!(refused.status(), BookingStatus::Cancelled);

        // Seats that expired beside a capture that went through: refunded, then released.
        let mut expired = saga();
        let ran = drive_with_companions(
            &mut expired,
            fails_at(
                Step::ConfirmSeats,
                Failure::HoldExpired {
                    flight_id: "EA1-20261201".into(),
                },
            ),
        );
        assert!(ran.contains(&Step::RefundPayment), "{ran:?}");
        assert_eq!(expired.status(), BookingStatus::Cancelled);
    }

    #[test]
    fn a_companion_beside_a_step_to_retry_is_dropped_and_runs_again_in_turn() {
        let mut attempts = 0;
        let mut retried = saga();
        let ran = drive_with_companions(&mut retried, |step| match step {
            Step::AuthorizePayment if attempts < 2 => {
                attempts += 1;
                StepResult::Transient("processing_error".into())
            }
            _ => StepResult::Done,
        });
        assert_eq!(retried.status(), BookingStatus::Confirmed);
        let records = ran.iter().filter(|s| **s == Step::RecordBooking).count();
        assert_eq!(
            records, 3,
            "beside each of the three authorizations: {ran:?}"
        );
    }

    #[test]
    fn only_the_notifications_of_a_final_outcome_follow_the_answer() {
        // Everything up to the outcome must be done before the traveller hears it; what
        // comes after a final outcome only tells the loyalty queue.
        let mut saga = saga();
        let ran = drive(&mut saga, |_| StepResult::Done);
        let (last, before) = ran.split_last().unwrap();
        assert!(last.follows_the_answer());
        assert!(before.iter().all(|step| !step.follows_the_answer()));
        assert!(Step::PublishCancellation.follows_the_answer());
        for step in [
            Step::VoidPayment,
            Step::RefundPayment,
            Step::ReleaseSeats,
            Step::MarkCancelled,
        ] {
            assert!(!step.follows_the_answer(), "{step:?}");
        }
    }

    #[test]
    fn sold_out_releases_whatever_was_held_and_cancels_without_touching_payment() {
        let mut saga = saga();
        let sold_out = Failure::SoldOut {
            flight_id: "EA1-20261201".into(),
        };
        let ran = drive(&mut saga, fails_at(Step::HoldSeats, sold_out.clone()));
        assert_eq!(
            ran,
            vec![Step::HoldSeats, Step::ReleaseSeats, Step::MarkCancelled]
        );
        assert_eq!(saga.status(), BookingStatus::Cancelled);
        assert_eq!(saga.failure, Some(sold_out));
    }

    #[test]
    fn a_first_flight_refused_outright_has_nothing_to_release() {
        let mut saga = saga();
        let now = Utc.with_ymd_and_hms(2026, 11, 24, 6, 0, 0).unwrap();
        saga.begin(Step::HoldSeats);
        saga.nothing_held();
        saga.apply(
            Step::HoldSeats,
            StepResult::Failed(Failure::SoldOut {
                flight_id: "EA1-20261201".into(),
            }),
            now,
        );
        assert_eq!(saga.next_action(now), Action::Run(Step::MarkCancelled));
    }

    #[test]
    fn a_decline_voids_releases_and_cancels_with_the_reason() {
        let mut saga = saga();
        let declined = Failure::PaymentDeclined {
            message: "Your card was declined.".into(),
        };
        let ran = drive(
            &mut saga,
            fails_at(Step::AuthorizePayment, declined.clone()),
        );
        assert_eq!(
            ran,
            vec![
                Step::HoldSeats,
                Step::AuthorizePayment,
                Step::VoidPayment,
                Step::ReleaseSeats,
                Step::MarkCancelled
            ]
        );
        assert_eq!(
            saga.failure.as_ref().map(Failure::code),
            Some(FailureCode::PaymentDeclined)
        );
        assert!(!saga.captured);
    }

    #[test]
    fn a_failed_capture_voids_the_authorization() {
        let mut saga = saga();
        let ran = drive(
            &mut saga,
            fails_at(
                Step::CapturePayment,
                Failure::PaymentFailed {
                    message: "capture failed".into(),
                },
            ),
        );
        assert_eq!(
            &ran[3..],
            &[
                Step::CapturePayment,
                Step::VoidPayment,
                Step::ReleaseSeats,
                Step::MarkCancelled
            ]
        );
    }

    #[test]
    fn an_expired_hold_after_capture_refunds() {
        let mut saga = saga();
        let ran = drive(
            &mut saga,
            fails_at(
                Step::ConfirmSeats,
                Failure::HoldExpired {
                    flight_id: "EA1-20261201".into(),
                },
            ),
        );
        assert_eq!(
            &ran[4..],
            &[
                Step::ConfirmSeats,
                Step::RefundPayment,
                Step::ReleaseSeats,
                Step::MarkCancelled
            ]
        );
        assert_eq!(
            saga.failure.as_ref().map(Failure::code),
            Some(FailureCode::HoldExpired)
        );
    }

    #[test]
    fn transient_failures_back_off_exponentially_then_succeed() {
        let mut saga = saga();
        let mut now = t0();
        saga.next_action(now);
        saga.apply(Step::HoldSeats, StepResult::Done, now);
        for (failures, delay_s) in [(1, 1), (2, 2), (3, 4)] {
            assert_eq!(saga.next_action(now), Action::Run(Step::AuthorizePayment));
            saga.apply(
                Step::AuthorizePayment,
                StepResult::Transient("502".into()),
                now,
            );
            assert_eq!(saga.failures, failures);
            let at = now + Duration::seconds(delay_s);
            assert_eq!(saga.next_action(now), Action::WaitUntil(at));
            assert_eq!(
                saga.next_action(at - Duration::milliseconds(1)),
                Action::WaitUntil(at)
            );
            now = at;
        }
        assert_eq!(saga.next_action(now), Action::Run(Step::AuthorizePayment));
        saga.apply(Step::AuthorizePayment, StepResult::Done, now);
        assert_eq!(saga.failures, 0);
        assert_eq!(saga.next_action(now), Action::Run(Step::RecordBooking));
    }

    #[test]
    fn backoff_is_capped() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.delay(1), Duration::seconds(1));
        assert_eq!(policy.delay(6), Duration::seconds(32));
        assert_eq!(policy.delay(7), Duration::seconds(60));
        assert_eq!(policy.delay(u32::MAX), Duration::seconds(60));
    }

    #[test]
    fn the_deadline_forces_compensation_of_a_stuck_step() {
        let mut saga = saga();
        let ran = drive(&mut saga, |step| match step {
            Step::AuthorizePayment => StepResult::Transient("gateway timeout".into()),
            _ => StepResult::Done,
        });
        assert_eq!(ran.last(), Some(&Step::MarkCancelled));
        assert!(
            ran.contains(&Step::VoidPayment),
            "an authorization may exist: {ran:?}"
        );
        match &saga.failure {
            Some(Failure::Timeout { step, message }) => {
                assert_eq!(*step, Step::AuthorizePayment);
                assert!(message.contains("gateway timeout"), "{message}");
            }
            other => panic!("expected a timeout, got {other:?}"),
        }
    }

    #[test]
    fn publishing_a_confirmed_booking_is_never_abandoned() {
        let mut saga = saga();
        let mut publish_attempts = 0;
        let ran = drive(&mut saga, |step| match step {
            Step::Publish => {
                publish_attempts += 1;
                if publish_attempts < 12 {
                    StepResult::Transient("queue unavailable".into())
                } else {
                    StepResult::Done
                }
            }
            _ => StepResult::Done,
        });
        assert_eq!(ran.iter().filter(|s| **s == Step::Publish).count(), 12);
        assert_eq!(saga.status(), BookingStatus::Confirmed);
        assert!(saga.failure.is_none());
    }

    #[test]
    fn compensation_steps_retry_until_they_succeed() {
        let mut saga = saga();
        let mut release_attempts = 0;
        drive(&mut saga, |step| match step {
            Step::HoldSeats => StepResult::Failed(Failure::SoldOut {
                flight_id: "F".into(),
            }),
            Step::ReleaseSeats => {
                release_attempts += 1;
                if release_attempts < 4 {
                    StepResult::Failed(Failure::PaymentFailed {
                        message: "x".into(),
                    })
                } else {
                    StepResult::Done
                }
            }
            _ => StepResult::Done,
        });
        assert_eq!(release_attempts, 4);
        assert!(!saga.seats_touched);
        assert_eq!(saga.status(), BookingStatus::Cancelled);
    }

    #[test]
    fn a_stale_result_for_another_step_changes_nothing() {
        let mut saga = saga();
        let before = saga.clone();
        saga.apply(Step::CapturePayment, StepResult::Done, t0());
        assert_eq!(saga, before);
    }

    #[test]
    fn customers_cancel_only_confirmed_bookings_and_get_refunded() {
        let mut saga = saga();
        assert_eq!(saga.cancel_confirmed(), Err(CancelRefusal::InProgress));
        drive(&mut saga, |_| StepResult::Done);
        saga.cancel_confirmed().unwrap();
        let ran = drive(&mut saga, |_| StepResult::Done);
        assert_eq!(
            ran,
            vec![
                Step::RefundPayment,
                Step::ReleaseSeats,
                Step::MarkCancelled,
                Step::PublishCancellation
            ]
        );
        assert_eq!(saga.status(), BookingStatus::Cancelled);
        assert_eq!(
            saga.cancel_confirmed(),
            Err(CancelRefusal::AlreadyCancelled)
        );
    }

    #[test]
    fn a_cancelled_flight_refunds_its_confirmed_bookings_in_full_once() {
        let mut saga = saga();
        assert_eq!(
            saga.cancel_for_flight("EA117-20261125"),
            Err(CancelRefusal::InProgress)
        );
        drive(&mut saga, |_| StepResult::Done);
        saga.cancel_for_flight("EA117-20261125").unwrap();
        let ran = drive(&mut saga, |_| StepResult::Done);
        assert_eq!(
            ran,
            vec![
                Step::RefundPayment,
                Step::ReleaseSeats,
                Step::MarkCancelled,
                Step::PublishCancellation
            ]
        );
        assert_eq!(saga.status(), BookingStatus::Cancelled);
        let failure = saga.failure.as_ref().unwrap();
        assert_eq!(failure.code().as_str(), "FLIGHT_CANCELLED");
        assert!(
            failure.message().contains("EA117-20261125"),
            "{}",
            failure.message()
        );
        // A second cancellation of the flight refunds nothing more.
        assert_eq!(
            saga.cancel_for_flight("EA117-20261125"),
            Err(CancelRefusal::AlreadyCancelled)
        );
        assert!(drive(&mut saga, |_| StepResult::Done).is_empty());
    }

    #[test]
    fn cancelling_waits_for_the_confirmation_event() {
        let mut saga = saga();
        let mut now = t0();
        loop {
            match saga.next_action(now) {
                Action::Run(Step::Publish) => break,
                Action::Run(step) => saga.apply(step, StepResult::Done, now),
                Action::WaitUntil(at) => now = at,
                Action::Finished => unreachable!(),
            }
        }
        assert_eq!(saga.status(), BookingStatus::Confirmed);
        assert_eq!(saga.cancel_confirmed(), Err(CancelRefusal::InProgress));
    }

    #[test]
    fn the_state_survives_a_round_trip_through_json() {
        let mut saga = saga();
        saga.begin(Step::HoldSeats);
        saga.apply(Step::HoldSeats, StepResult::Done, t0());
        let text = serde_json::to_string(&saga).unwrap();
        let back: Saga = serde_json::from_str(&text).unwrap();
        assert_eq!(back, saga);
        assert!(text.contains("\"AUTHORIZE_PAYMENT\""), "{text}");
    }

    #[test]
    fn history_is_bounded() {
        let mut saga = saga();
        for _ in 0..500 {
            saga.apply(Step::HoldSeats, StepResult::Transient("x".into()), t0());
        }
        assert_eq!(saga.history.len(), HISTORY_LIMIT);
    }
}
