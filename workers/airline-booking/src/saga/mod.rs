//! The booking saga as an explicit state machine: a [`Phase`], the facts its steps learned
//! (per flight, the seats; the payment; the booking reference; all in
//! [`BookingRecord`]), and one transition function that decides every next move.
//!
//! The booking's Durable Object is a thin loop around it: load the record, ask
//! [`BookingRecord::next_action`], persist, execute the steps it names, hand their
//! outcomes to [`BookingRecord::apply`], persist again. Every step is idempotent (keyed by
//! the booking id), so executing one again after a crash is always safe; every rule (the
//! deadline, the backoff, what compensation is owed, who may cancel until when) is here,
//! tested natively.
//!
//! One file on purpose: a state machine reads best with all its transitions in one place.
//! What the state is made of (steps, phases, failures, the status they come to) is in
//! [`state`], which the record holds without depending on the decisions made here.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::inventory::Hold;
use crate::record::{BookingRecord, FlightSeats, PaymentState, SeatChange};
use crate::seatmap::SeatId;

pub mod state;

pub use self::state::{
    BookingStatus, Failure, FailureCode, Phase, RetryPolicy, Saga, Step, StepRecord,
};

/// What executing a step came to, for the saga's decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepResult {
    Done,
    /// Worth retrying (network, 5xx, rate limit): retried with backoff.
    Transient(String),
    /// Final: starts compensation (forward steps only).
    Failed(Failure),
}

/// What a step learned, kept whatever its result (a hold on the outbound flight is worth
/// knowing when the return flight is sold out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fact {
    /// Flight `index` of the plan: its seats now stand so.
    Seats {
        index: usize,
        seats: FlightSeats,
    },
    Payment(PaymentState),
    /// The booking reference claimed for this booking; `None` forgets a claim that
    /// turned out taken, so the retry draws another.
    Reference(Option<String>),
}

/// A step's result and the facts it learned on the way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepOutcome {
    pub result: StepResult,
    pub facts: Vec<Fact>,
}

impl StepOutcome {
    pub fn new(result: StepResult) -> Self {
        Self {
            result,
            facts: Vec::new(),
        }
    }

    pub fn with(mut self, fact: Fact) -> Self {
        self.facts.push(fact);
        self
    }
}

/// What the executor should do now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Run these steps, all at once, and apply their outcomes together.
    Run(Vec<Step>),
    /// Nothing until then (a backoff); the executor sets its alarm for this instant.
    WaitUntil(DateTime<Utc>),
    /// Nothing to do: CONFIRMED, or CANCELLED and compensated.
    Finished,
}

/// An event the booking owes its listeners, written to its outbox in the same
/// transaction as the state that caused it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Emit {
    BookingConfirmed,
    BookingCancelled,
}

/// Why a booking cannot be cancelled now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CancelRefusal {
    AlreadyCancelled,
    /// The booking is still being made (or undone); cancel once it is confirmed.
    InProgress,
    /// The first flight has left: a booking can be cancelled until departure.
    Departed,
}

impl CancelRefusal {
    /// Words for the traveller.
    pub fn message(self) -> &'static str {
        match self {
            CancelRefusal::AlreadyCancelled => "the booking is already cancelled",
            CancelRefusal::InProgress => {
                "the booking is still being processed; try again in a moment"
            }
            CancelRefusal::Departed => {
                "the flight has departed; a booking can be cancelled until departure"
            }
        }
    }
}

/// Whether the traveller may cancel a booking that stands at `status` and whose first
/// flight leaves at `first_departure`: the one rule, used by the booking's object when
/// asked and by the API when it shows whether the button is there.
pub fn may_cancel(
    status: BookingStatus,
    first_departure: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<(), CancelRefusal> {
    match status {
        BookingStatus::Cancelled => Err(CancelRefusal::AlreadyCancelled),
        BookingStatus::Unconfirmed => Err(CancelRefusal::InProgress),
        BookingStatus::Confirmed if first_departure.is_some_and(|at| at <= now) => {
            Err(CancelRefusal::Departed)
        }
        BookingStatus::Confirmed => Ok(()),
    }
}

/// Seats can be changed until this long before the flight leaves, when check-in closes.
pub const SEAT_CHANGES_CLOSE_BEFORE_DEPARTURE: chrono::Duration = chrono::Duration::minutes(60);

/// A seat change is tried this many times (with the saga's backoff) before it is given up.
pub const SEAT_CHANGE_ATTEMPTS: u32 = 5;

/// Why a booking's seats cannot be changed now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SeatChangeRefusal {
    /// Only a confirmed booking has seats to change.
    NotConfirmed,
    /// Another change, or a cancellation, is under way.
    InProgress,
    /// The flight is not one of this booking's.
    UnknownFlight,
    /// Check-in has closed for the flight (an hour before departure).
    Closed,
    /// Not one seat per passenger.
    WrongCount,
}

impl SeatChangeRefusal {
    /// Words for the traveller.
    pub fn message(self) -> &'static str {
        match self {
            Self::NotConfirmed => "only a confirmed booking's seats can be changed",
            Self::InProgress => "the booking is being changed already; try again in a moment",
            Self::UnknownFlight => "that flight is not part of this booking",
            Self::Closed => "seats can be changed until check-in closes, an hour before departure",
            Self::WrongCount => "choose one seat for each passenger",
        }
    }
}

/// Who asks for a confirmed booking to be cancelled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CancelReason {
    /// Its owner (or an admin for them): refused once the first flight has departed.
    Customer,
    /// The airline cancelled this flight of the booking: allowed whenever it is confirmed.
    FlightCancelled { flight_id: String },
}

impl BookingRecord {
    /// What to do at `now`. Past the deadline, a booking not yet confirmed gives up and
    /// compensation starts instead (so a booking never stays unconfirmed); that is the
    /// only transition that needs no step's outcome.
    pub fn next_action(&mut self, now: DateTime<Utc>) -> Action {
        // Once everything is settled, only the local confirmation is left: never time
        // that out (it would refund a booking that is paid for and seated).
        let settled = self.forward_steps() == [Step::ConfirmBooking];
        if self.saga.is_forward() && now >= self.saga.deadline && !settled {
            let steps = self.forward_steps();
            let step = steps.first().copied().unwrap_or(Step::ConfirmBooking);
            let message = match self.saga.history.last() {
                Some(last) if steps.contains(&last.step) => last.result.clone(),
                _ => "not started".to_owned(),
            };
            self.compensate(Failure::Timeout { step, message });
        }
        if let Some(at) = self.saga.retry_at.filter(|at| *at > now) {
            return Action::WaitUntil(at);
        }
        match self.pending_steps() {
            steps if steps.is_empty() => Action::Finished,
            steps => Action::Run(steps),
        }
    }

    /// When the saga next has something to do (`now` if at once: a step due, or a
    /// deadline passed); `None` once it is CONFIRMED or CANCELLED. Changes nothing.
    pub fn next_wake(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if self.pending_steps().is_empty() {
            return None;
        }
        Some(
            self.saga
                .retry_at
                .map_or(now, |at| at.max(now).min(self.saga.deadline.max(now))),
        )
    }

    /// The steps the saga waits on now (whether or not a backoff delays them): none once
    /// CONFIRMED or CANCELLED.
    pub fn pending_steps(&self) -> Vec<Step> {
        match &self.saga.phase {
            Phase::Confirmed if self.seat_change.is_some() => vec![Step::MoveSeats],
            Phase::Confirmed | Phase::Cancelled { .. } => Vec::new(),
            Phase::Compensating { .. } => vec![self.next_compensation()],
            _ => self.forward_steps(),
        }
    }

    /// The forward work left in the current phase.
    fn forward_steps(&self) -> Vec<Step> {
        match self.saga.phase {
            Phase::HoldingSeats => vec![Step::HoldSeats],
            Phase::Authorizing => vec![Step::AuthorizePayment],
            Phase::Settling => {
                let mut steps = Vec::with_capacity(3);
                if !matches!(self.payment, PaymentState::Captured { .. }) {
                    steps.push(Step::CapturePayment);
                }
                if !self
                    .seats
                    .iter()
                    .all(|s| matches!(s, FlightSeats::Sold { .. }))
                {
                    steps.push(Step::ConfirmSeats);
                }
                if self.reference.is_none() {
                    steps.push(Step::ClaimReference);
                }
                if steps.is_empty() {
                    steps.push(Step::ConfirmBooking);
                }
                steps
            }
            _ => Vec::new(),
        }
    }

    /// The first undo still owed, in reverse order of the forward steps; CANCELLED once
    /// nothing is.
    fn next_compensation(&self) -> Step {
        match self.payment {
            PaymentState::Authorizing | PaymentState::Authorized { .. } => {
                return Step::VoidPayment
            }
            PaymentState::Captured { .. } => return Step::RefundPayment,
            _ => {}
        }
        if self.seats.iter().any(FlightSeats::may_hold_seats) {
            return Step::ReleaseSeats;
        }
        Step::MarkCancelled
    }

    /// Marks `steps` as about to run: from here on their effects may exist, whether or
    /// not their answers ever arrive.
    pub fn begin(&mut self, steps: &[Step]) {
        for step in steps {
            match step {
                Step::HoldSeats => {
                    for seats in &mut self.seats {
                        if *seats == FlightSeats::NotAsked {
                            *seats = FlightSeats::Asked;
                        }
                    }
                }
                Step::AuthorizePayment if self.payment == PaymentState::NotStarted => {
                    self.payment = PaymentState::Authorizing;
                }
                _ => {}
            }
        }
    }

    /// Applies the outcomes of running `outcomes`' steps at `now` (the steps the last
    /// [`Action::Run`] named): first every fact they learned, then one decision. Returns
    /// the events the new state owes its listeners. Outcomes of steps the saga is no
    /// longer waiting for (a stale, duplicate execution) are ignored.
    pub fn apply(&mut self, outcomes: Vec<(Step, StepOutcome)>, now: DateTime<Utc>) -> Vec<Emit> {
        let expected = self.pending_steps();
        let outcomes: Vec<(Step, StepOutcome)> = outcomes
            .into_iter()
            .filter(|(step, _)| expected.contains(step))
            .collect();
        if outcomes.is_empty() {
            return Vec::new();
        }
        let mut failure = None;
        let mut transient = None;
        for (step, outcome) in &outcomes {
            for fact in &outcome.facts {
                self.learn(fact.clone());
            }
            let line = match &outcome.result {
                StepResult::Done => "done".to_owned(),
                StepResult::Transient(why) => {
                    transient.get_or_insert(why.clone());
                    format!("transient: {why}")
                }
                StepResult::Failed(f) => {
                    // The first failure named wins: a capture's over a seat's, as the
                    // steps are listed.
                    failure.get_or_insert(f.clone());
                    format!("failed: {}", f.code().as_str())
                }
            };
            self.saga.record(*step, line, now);
        }
        let mut emitted = Vec::new();
        match (&self.saga.phase, failure) {
            // Undoing and publishing cannot be abandoned: an undo that fails keeps
            // retrying (an operator sees it in the log).
            (Phase::Compensating { .. }, Some(_)) => self.back_off(now),
            // A seat change the flight refused: the booking keeps the seats it has, and
            // the traveller is told why. Nothing to undo.
            (Phase::Confirmed, Some(failure)) => {
                self.seat_change = None;
                self.seat_change_refused = Some(failure.message());
                self.saga.enter(Phase::Confirmed);
            }
            (_, Some(failure)) => self.compensate(failure),
            // A seat change the flight could not be reached for, again and again: given
            // up, the booking keeps its seats, and the traveller may ask again.
            (Phase::Confirmed, None)
                if transient.is_some() && self.saga.failures + 1 >= SEAT_CHANGE_ATTEMPTS =>
            {
                self.seat_change = None;
                self.seat_change_refused = Some(
                    "the seat change could not be made just now; your seats are unchanged, \
                     please try again"
                        .to_owned(),
                );
                self.saga.enter(Phase::Confirmed);
            }
            (_, None) if transient.is_some() => self.back_off(now),
            (phase, None) => match (phase.clone(), outcomes[0].0) {
                (Phase::HoldingSeats, _) => self.saga.enter(Phase::Authorizing),
                (Phase::Authorizing, _) => self.saga.enter(Phase::Settling),
                (Phase::Settling, Step::ConfirmBooking) => {
                    self.confirmed_at = Some(now);
                    self.saga.enter(Phase::Confirmed);
                    emitted.push(Emit::BookingConfirmed);
                }
                // Settling's other work: each done (or more to do next turn).
                (Phase::Settling, _) => self.saga.enter(Phase::Settling),
                // The seats moved (the flight's answer is among the facts).
                (Phase::Confirmed, _) => {
                    self.seat_change = None;
                    self.saga.enter(Phase::Confirmed);
                }
                (Phase::Compensating { failure }, Step::MarkCancelled) => {
                    if self.confirmed_at.is_some() {
                        emitted.push(Emit::BookingCancelled);
                    }
                    self.saga.enter(Phase::Cancelled { failure });
                }
                // An undo done: the next one is worked out from the facts.
                (phase, _) => self.saga.enter(phase),
            },
        }
        self.updated_at = self.updated_at.max(now);
        emitted
    }

    fn learn(&mut self, fact: Fact) {
        match fact {
            Fact::Seats { index, seats } => {
                if let Some(slot) = self.seats.get_mut(index) {
                    *slot = seats;
                }
            }
            Fact::Payment(state) => self.payment = state,
            Fact::Reference(reference) => self.reference = reference,
        }
    }

    fn back_off(&mut self, now: DateTime<Utc>) {
        self.saga.failures = self.saga.failures.saturating_add(1);
        self.saga.retry_at = Some(now + self.saga.retry.delay(self.saga.failures));
    }

    fn compensate(&mut self, failure: Failure) {
        self.saga.enter(Phase::Compensating { failure });
    }

    /// Starts cancelling a confirmed booking: refund (what the fares' conditions give
    /// back, or everything when the airline cancelled), release the seats, CANCELLED, and
    /// a `BookingCancelled` event. Refused unless the rules of [`may_cancel`] allow it
    /// (the airline's own cancellation of a flight is allowed after departure too).
    pub fn cancel(
        &mut self,
        reason: CancelReason,
        now: DateTime<Utc>,
    ) -> Result<(), CancelRefusal> {
        let departure = match reason {
            CancelReason::Customer => self.first_departure(),
            CancelReason::FlightCancelled { .. } => None,
        };
        may_cancel(self.status(), departure, now)?;
        if !matches!(self.saga.phase, Phase::Confirmed) {
            // Confirmed in status, but already being cancelled.
            return Err(CancelRefusal::AlreadyCancelled);
        }
        // The traveller's own cancellation refunds what the fares were sold to refund;
        // the airline's refunds everything, whatever the fares.
        // A seat change not yet made is dropped: the seats are released anyway.
        self.seat_change = None;
        self.refund_due = match reason {
            CancelReason::Customer => Some(self.plan.refund_on_cancellation().amount_minor()),
            CancelReason::FlightCancelled { .. } => None,
        };
        self.compensate(match reason {
            CancelReason::Customer => Failure::CancelledByCustomer,
            CancelReason::FlightCancelled { flight_id } => Failure::FlightCancelled { flight_id },
        });
        self.updated_at = self.updated_at.max(now);
        Ok(())
    }

    /// Asks to move the passengers' seats on flight `flight_id` to `seats` (one per
    /// passenger, in passenger order); the `MoveSeats` step does it. `Ok(false)` when those
    /// are the seats they have. Refused unless the rules of [`SeatChangeRefusal`] allow it;
    /// whether the seats are free and in the fare's cabin is the flight's to say.
    pub fn change_seats(
        &mut self,
        flight_id: &str,
        seats: Vec<SeatId>,
        now: DateTime<Utc>,
    ) -> Result<bool, SeatChangeRefusal> {
        if self.status() != BookingStatus::Confirmed {
            return Err(SeatChangeRefusal::NotConfirmed);
        }
        if !matches!(self.saga.phase, Phase::Confirmed) || self.seat_change.is_some() {
            return Err(SeatChangeRefusal::InProgress);
        }
        let Some(index) = self
            .plan
            .flights
            .iter()
            .position(|flight| flight.flight_id == flight_id)
        else {
            return Err(SeatChangeRefusal::UnknownFlight);
        };
        if self.plan.flights[index].departure_utc - SEAT_CHANGES_CLOSE_BEFORE_DEPARTURE <= now {
            return Err(SeatChangeRefusal::Closed);
        }
        if seats.len() != self.plan.passengers.len() {
            return Err(SeatChangeRefusal::WrongCount);
        }
        self.seat_change_refused = None;
        if self.seats.get(index).map(FlightSeats::seats) == Some(seats.as_slice()) {
            return Ok(false);
        }
        self.seat_change = Some(SeatChange {
            flight_index: index,
            seats,
        });
        self.updated_at = self.updated_at.max(now);
        Ok(true)
    }

    /// When the booking's first flight leaves.
    pub fn first_departure(&self) -> Option<DateTime<Utc>> {
        self.plan.flights.first().map(|f| f.departure_utc)
    }
}

impl FlightSeats {
    /// Whether this booking may hold or own seats on the flight: an answer that never
    /// arrived counts, since the hold may exist. Compensation releases these.
    pub fn may_hold_seats(&self) -> bool {
        matches!(
            self,
            FlightSeats::Asked | FlightSeats::Held { .. } | FlightSeats::Sold { .. }
        )
    }

    /// The seats to show: held or sold ones.
    pub fn seats(&self) -> &[SeatId] {
        match self {
            FlightSeats::Held { hold } => &hold.seats,
            FlightSeats::Sold { seats } => seats,
            _ => &[],
        }
    }

    /// The hold, while it is one.
    pub fn hold(&self) -> Option<&Hold> {
        match self {
            FlightSeats::Held { hold } => Some(hold),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{BookingPlan, Passenger, PlannedFlight};
    use airline_domain::{AccountId, BookingId, Currency, Money, PaymentToken};
    use chrono::{Duration, TimeZone as _};
    use state::HISTORY_LIMIT;

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

    fn flight(id: &str, days: i64) -> PlannedFlight {
        PlannedFlight {
            flight_id: id.into(),
            departure_utc: t0() + Duration::days(days),
            aircraft: "A320".into(),
            seat_capacity: 150,
            cabin: airline_domain::Cabin::Economy,
            brand: airline_domain::FareBrand::Flex,
            conditions: airline_domain::FareConditions::FLEX,
            fare_amount: 45_000,
            fare_currency: "GBP".into(),
            seats: Vec::new(),
        }
    }

    pub(crate) fn record_with(flights: Vec<PlannedFlight>) -> BookingRecord {
        let plan = BookingPlan {
            booking_id: BookingId::parse("bk_0123456789abcdef01234567").unwrap(),
            customer_id: AccountId::trusted("acct_0a1b2c3d4e5f60718293a4b5"),
            flights,
            passengers: vec![Passenger {
                first_name: "Ada".into(),
                last_name: "Lovelace".into(),
                date_of_birth: None,
            }],
            total: Money::from_minor(45_000, Currency::parse("currency", "GBP").unwrap()),
            payment_token: PaymentToken::trusted("tok_succeeds_1"),
            created_at: t0(),
            fingerprint: "f".into(),
        };
        BookingRecord::new(
            plan,
            Saga::new(t0() + Duration::minutes(5), RetryPolicy::default()),
        )
    }

    fn record() -> BookingRecord {
        record_with(vec![flight("EA1-20261201", 2)])
    }

    fn round_trip() -> BookingRecord {
        record_with(vec![flight("EA1-20261201", 2), flight("EA2-20261205", 6)])
    }

    fn hold() -> Hold {
        Hold {
            seats: vec![SeatId::new(12, 'C')],
            expires_at: Some(t0() + Duration::minutes(10)),
        }
    }

    /// What a step does when it succeeds, as facts: what the object's executor reports.
    fn done(record: &BookingRecord, step: Step) -> StepOutcome {
        let mut outcome = StepOutcome::new(StepResult::Done);
        let flights = record.seats.len();
        match step {
            Step::HoldSeats => {
                for index in 0..flights {
                    outcome = outcome.with(Fact::Seats {
                        index,
                        seats: FlightSeats::Held { hold: hold() },
                    });
                }
            }
            Step::ConfirmSeats => {
                for index in 0..flights {
                    outcome = outcome.with(Fact::Seats {
                        index,
                        seats: FlightSeats::Sold {
                            seats: hold().seats,
                        },
                    });
                }
            }
            Step::ReleaseSeats => {
                for index in 0..flights {
                    outcome = outcome.with(Fact::Seats {
                        index,
                        seats: FlightSeats::Released,
                    });
                }
            }
            Step::AuthorizePayment => {
                outcome = outcome.with(Fact::Payment(PaymentState::Authorized {
                    id: "pay_1".into(),
                }))
            }
            Step::CapturePayment => {
                outcome = outcome.with(Fact::Payment(PaymentState::Captured { id: "pay_1".into() }))
            }
            Step::VoidPayment => outcome = outcome.with(Fact::Payment(PaymentState::Voided)),
            // As the executor does: what is due given back, or the payment kept.
            Step::RefundPayment => {
                let due = record.refund_due().amount_minor();
                outcome = outcome.with(Fact::Payment(if due == 0 {
                    PaymentState::Retained { id: "pay_1".into() }
                } else {
                    PaymentState::Refunded {
                        id: "pay_1".into(),
                        amount: Some(due),
                    }
                }))
            }
            Step::ClaimReference => outcome = outcome.with(Fact::Reference(Some("ACEFGH".into()))),
            // As the flight does: the booking's seats are where it asked.
            Step::MoveSeats => {
                if let Some(change) = &record.seat_change {
                    outcome = outcome.with(Fact::Seats {
                        index: change.flight_index,
                        seats: FlightSeats::Sold {
                            seats: change.seats.clone(),
                        },
                    });
                }
            }
            Step::ConfirmBooking | Step::MarkCancelled => {}
        }
        outcome
    }

    /// Answers every step with `answer` (`None`: succeed, with the facts success brings).
    /// Runs like the executor does: each action's steps at once, their outcomes applied
    /// together. Returns the steps run, in order, and the events emitted.
    fn drive(
        record: &mut BookingRecord,
        mut answer: impl FnMut(Step) -> Option<StepOutcome>,
    ) -> (Vec<Step>, Vec<Emit>) {
        let mut now = t0();
        let mut ran = Vec::new();
        let mut emitted = Vec::new();
        for _ in 0..500 {
            match record.next_action(now) {
                Action::Run(steps) => {
                    record.begin(&steps);
                    let outcomes = steps
                        .iter()
                        .map(|step| (*step, answer(*step).unwrap_or_else(|| done(record, *step))))
                        .collect();
                    ran.extend(&steps);
                    emitted.extend(record.apply(outcomes, now));
                }
                Action::WaitUntil(at) => now = at,
                Action::Finished => return (ran, emitted),
            }
        }
        panic!("saga did not finish: {record:?}");
    }

    fn fails_at(step: Step, failure: Failure) -> impl FnMut(Step) -> Option<StepOutcome> {
        move |ran| (ran == step).then(|| StepOutcome::new(StepResult::Failed(failure.clone())))
    }

    fn succeeds(_: Step) -> Option<StepOutcome> {
        None
    }

    #[test]
    fn happy_path_holds_authorizes_then_settles_three_things_at_once_and_confirms() {
        let mut record = record();
        let (ran, emitted) = drive(&mut record, succeeds);
        assert_eq!(
            ran,
            vec![
                Step::HoldSeats,
                Step::AuthorizePayment,
                Step::CapturePayment,
                Step::ConfirmSeats,
                Step::ClaimReference,
                Step::ConfirmBooking,
            ]
        );
        assert_eq!(emitted, vec![Emit::BookingConfirmed]);
        assert_eq!(record.status(), BookingStatus::Confirmed);
        assert_eq!(record.saga.phase, Phase::Confirmed);
        assert_eq!(record.reference.as_deref(), Some("ACEFGH"));
        assert_eq!(record.confirmed_at, Some(t0()));
    }

    #[test]
    fn settling_runs_again_only_what_is_still_missing() {
        let mut record = record();
        let mut claims = 0;
        let (ran, _) = drive(&mut record, |step| match step {
            // The first reference drawn is taken: the claim forgets it and tries again.
            Step::ClaimReference if claims == 0 => {
                claims += 1;
                Some(
                    StepOutcome::new(StepResult::Transient("reference taken".into()))
                        .with(Fact::Reference(None)),
                )
            }
            _ => None,
        });
        assert_eq!(
            &ran[2..],
            &[
                Step::CapturePayment,
                Step::ConfirmSeats,
                Step::ClaimReference,
                Step::ClaimReference,
                Step::ConfirmBooking
            ]
        );
        assert_eq!(record.status(), BookingStatus::Confirmed);
        assert_eq!(record.saga.failures, 0);
    }

    #[test]
    fn sold_out_on_the_first_flight_has_nothing_to_release() {
        // The inventory hands back an existing hold rather than refuse it, so a refusal on
        // the first flight means nothing is held anywhere: no second call to the flight
        // everyone is queueing for.
        let mut record = round_trip();
        let sold_out = Failure::SoldOut {
            flight_id: "EA1-20261201".into(),
        };
        let failure = sold_out.clone();
        let (ran, emitted) = drive(&mut record, move |step| {
            (step == Step::HoldSeats).then(|| {
                // The return flight is not asked once the outbound refused.
                StepOutcome::new(StepResult::Failed(failure.clone()))
                    .with(Fact::Seats {
                        index: 0,
                        seats: FlightSeats::Refused,
                    })
                    .with(Fact::Seats {
                        index: 1,
                        seats: FlightSeats::NotAsked,
                    })
            })
        });
        assert_eq!(ran, vec![Step::HoldSeats, Step::MarkCancelled]);
        assert!(emitted.is_empty(), "nothing was confirmed");
        assert_eq!(record.status(), BookingStatus::Cancelled);
        assert_eq!(record.saga.failure(), Some(&sold_out));
        assert_eq!(record.seats[1], FlightSeats::NotAsked);
    }

    #[test]
    fn sold_out_on_the_return_releases_the_outbound_hold() {
        let mut record = round_trip();
        let (ran, _) = drive(&mut record, |step| {
            (step == Step::HoldSeats).then(|| {
                StepOutcome::new(StepResult::Failed(Failure::SoldOut {
                    flight_id: "EA2-20261205".into(),
                }))
                .with(Fact::Seats {
                    index: 0,
                    seats: FlightSeats::Held { hold: hold() },
                })
                .with(Fact::Seats {
                    index: 1,
                    seats: FlightSeats::Refused,
                })
            })
        });
        assert_eq!(
            ran,
            vec![Step::HoldSeats, Step::ReleaseSeats, Step::MarkCancelled]
        );
        assert_eq!(record.status(), BookingStatus::Cancelled);
    }

    #[test]
    fn a_hold_whose_answer_was_lost_is_released() {
        let mut record = record();
        let (ran, _) = drive(&mut record, |step| {
            (step == Step::HoldSeats)
                .then(|| StepOutcome::new(StepResult::Transient("object unreachable".into())))
        });
        // Retried until the deadline, then compensated: the hold may exist.
        assert!(
            ran.ends_with(&[Step::ReleaseSeats, Step::MarkCancelled]),
            "{ran:?}"
        );
        assert!(matches!(
            record.saga.failure(),
            Some(Failure::Timeout {
                step: Step::HoldSeats,
                ..
            })
        ));
    }

    #[test]
    fn a_decline_voids_releases_and_cancels_with_the_reason() {
        let mut record = record();
        let declined = Failure::PaymentDeclined {
            message: "Your card was declined.".into(),
        };
        let (ran, emitted) = drive(
            &mut record,
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
        assert!(emitted.is_empty());
        assert_eq!(record.saga.failure(), Some(&declined));
        assert_eq!(record.payment, PaymentState::Voided);
    }

    #[test]
    fn a_failed_capture_voids_and_releases_the_seats_confirmed_beside_it() {
        let mut record = record();
        let (ran, _) = drive(
            &mut record,
            fails_at(
                Step::CapturePayment,
                Failure::PaymentFailed {
                    message: "capture failed".into(),
                },
            ),
        );
        assert_eq!(
            &ran[2..],
            &[
                Step::CapturePayment,
                Step::ConfirmSeats,
                Step::ClaimReference,
                Step::VoidPayment,
                Step::ReleaseSeats,
                Step::MarkCancelled
            ]
        );
        assert_eq!(record.status(), BookingStatus::Cancelled);
        assert!(record.seats.iter().all(|s| *s == FlightSeats::Released));
        assert_eq!(
            record.view().reference,
            None,
            "never confirmed: no reference"
        );
    }

    #[test]
    fn an_expired_hold_beside_a_capture_that_went_through_refunds() {
        let mut record = record();
        let (ran, _) = drive(
            &mut record,
            fails_at(
                Step::ConfirmSeats,
                Failure::HoldExpired {
                    flight_id: "EA1-20261201".into(),
                },
            ),
        );
        assert!(
            ran.ends_with(&[Step::RefundPayment, Step::ReleaseSeats, Step::MarkCancelled]),
            "{ran:?}"
        );
        assert_eq!(
            record.saga.failure().map(Failure::code),
            Some(FailureCode::HoldExpired)
        );
        assert!(matches!(record.payment, PaymentState::Refunded { .. }));
    }

    #[test]
    fn transient_failures_back_off_exponentially_then_succeed() {
        let mut record = record();
        let mut now = t0();
        assert_eq!(record.next_action(now), Action::Run(vec![Step::HoldSeats]));
        let held = done(&record, Step::HoldSeats);
        record.apply(vec![(Step::HoldSeats, held)], now);
        for (failures, delay_s) in [(1, 1), (2, 2), (3, 4)] {
            assert_eq!(
                record.next_action(now),
                Action::Run(vec![Step::AuthorizePayment])
            );
            record.apply(
                vec![(
                    Step::AuthorizePayment,
                    StepOutcome::new(StepResult::Transient("502".into())),
                )],
                now,
            );
            assert_eq!(record.saga.failures, failures);
            let at = now + Duration::seconds(delay_s);
            assert_eq!(record.next_action(now), Action::WaitUntil(at));
            assert_eq!(
                record.next_action(at - Duration::milliseconds(1)),
                Action::WaitUntil(at)
            );
            now = at;
        }
        let authorized = done(&record, Step::AuthorizePayment);
        record.apply(vec![(Step::AuthorizePayment, authorized)], now);
        assert_eq!(record.saga.failures, 0);
        assert_eq!(record.saga.phase, Phase::Settling);
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
        let mut record = record();
        let (ran, _) = drive(&mut record, |step| {
            (step == Step::AuthorizePayment)
                .then(|| StepOutcome::new(StepResult::Transient("gateway timeout".into())))
        });
        assert_eq!(ran.last(), Some(&Step::MarkCancelled));
        assert!(
            ran.contains(&Step::VoidPayment),
            "an authorization may exist: {ran:?}"
        );
        match record.saga.failure() {
            Some(Failure::Timeout { step, message }) => {
                assert_eq!(*step, Step::AuthorizePayment);
                assert!(message.contains("gateway timeout"), "{message}");
            }
            other => panic!("expected a timeout, got {other:?}"),
        }
    }

    #[test]
    fn compensation_steps_retry_until_they_succeed() {
        let mut record = record();
        let mut release_attempts = 0;
        drive(&mut record, |step| match step {
            Step::AuthorizePayment => Some(StepOutcome::new(StepResult::Failed(
                Failure::PaymentDeclined {
                    message: "no".into(),
                },
            ))),
            Step::ReleaseSeats => {
                release_attempts += 1;
                (release_attempts < 4)
                    .then(|| StepOutcome::new(StepResult::Transient("inventory busy".into())))
            }
            _ => None,
        });
        assert_eq!(release_attempts, 4);
        assert_eq!(record.status(), BookingStatus::Cancelled);
    }

    #[test]
    fn an_outcome_for_a_step_not_asked_for_changes_nothing() {
        let mut record = record();
        let before = record.clone();
        let captured = done(&record, Step::CapturePayment);
        assert!(record
            .apply(vec![(Step::CapturePayment, captured)], t0())
            .is_empty());
        assert_eq!(record, before);
    }

    #[test]
    fn customers_cancel_only_confirmed_bookings_before_departure_and_get_refunded() {
        let mut record = record();
        assert_eq!(
            record.cancel(CancelReason::Customer, t0()),
            Err(CancelRefusal::InProgress)
        );
        drive(&mut record, succeeds);
        let departure = record.first_departure().unwrap();
        assert_eq!(
            record.cancel(CancelReason::Customer, departure),
            Err(CancelRefusal::Departed)
        );
        record.cancel(CancelReason::Customer, t0()).unwrap();
        assert_eq!(
            record.status(),
            BookingStatus::Confirmed,
            "until it is marked"
        );
        assert_eq!(
            record.cancel(CancelReason::Customer, t0()),
            Err(CancelRefusal::AlreadyCancelled)
        );
        let (ran, emitted) = drive(&mut record, succeeds);
        assert_eq!(
            ran,
            vec![Step::RefundPayment, Step::ReleaseSeats, Step::MarkCancelled]
        );
        assert_eq!(emitted, vec![Emit::BookingCancelled]);
        assert_eq!(record.status(), BookingStatus::Cancelled);
        assert_eq!(
            record.view().reference.as_deref(),
            Some("ACEFGH"),
            "a booking that was confirmed keeps its reference"
        );
        assert_eq!(
            record.cancel(CancelReason::Customer, t0()),
            Err(CancelRefusal::AlreadyCancelled)
        );
    }

    /// A one-flight booking sold in `brand` at the full fare's share (GBP 450 Flex).
    fn record_in(brand: airline_domain::FareBrand) -> BookingRecord {
        let mut flight = flight("EA1-20261201", 3);
        let fare = brand.fare(Money::from_minor(
            45_000,
            Currency::parse("c", "GBP").unwrap(),
        ));
        flight.brand = brand;
        flight.conditions = brand.conditions(fare);
        flight.fare_amount = fare.amount_minor();
        let mut record = record_with(vec![flight]);
        record.plan.total = fare;
        record
    }

    #[test]
    fn the_travellers_cancellation_refunds_what_the_fare_was_sold_to_refund() {
        use airline_domain::FareBrand;
        // Standard (GBP 382): less its fee of 114. Light (GBP 315): nothing, the payment
        // kept. Flex: all of it. In each, what was captured less what was refunded is
        // what the traveller owes.
        for (brand, refunded, owed) in [
            (FareBrand::Standard, 26_800, 11_400),
            (FareBrand::Light, 0, 31_500),
            (FareBrand::Flex, 45_000, 0),
        ] {
            let mut record = record_in(brand);
            drive(&mut record, succeeds);
            record.cancel(CancelReason::Customer, t0()).unwrap();
            let (ran, _) = drive(&mut record, succeeds);
            assert_eq!(
                ran,
                vec![Step::RefundPayment, Step::ReleaseSeats, Step::MarkCancelled],
                "{brand}"
            );
            let view = record.view();
            assert_eq!(view.captured_amount, record.plan.total.amount_minor());
            assert_eq!(view.refunded_amount, refunded, "{brand}");
            assert_eq!(view.amount_paid().amount_minor(), owed, "{brand}");
            assert_eq!(
                matches!(record.payment, PaymentState::Retained { .. }),
                refunded == 0,
                "{brand}"
            );
        }
    }

    #[test]
    fn a_confirmed_booking_moves_its_seats_and_keeps_them_when_the_flight_refuses() {
        let seat = |text: &str| SeatId::parse(text).unwrap();
        let mut record = record();
        assert_eq!(
            record.change_seats("EA1-20261201", vec![seat("20C")], t0()),
            Err(SeatChangeRefusal::NotConfirmed)
        );
        drive(&mut record, succeeds);
        let seats_before = record.seats[0].seats().to_vec();
        assert_eq!(seats_before, [seat("12C")]);
        // The seats it has: nothing to do.
        assert_eq!(
            record.change_seats("EA1-20261201", vec![seat("12C")], t0()),
            Ok(false)
        );
        assert_eq!(record.pending_steps(), Vec::<Step>::new());

        assert_eq!(
            record.change_seats("EA1-20261201", vec![seat("20C")], t0()),
            Ok(true)
        );
        assert_eq!(
            record.change_seats("EA1-20261201", vec![seat("21C")], t0()),
            Err(SeatChangeRefusal::InProgress),
            "one change at a time"
        );
        assert_eq!(record.view().step.as_deref(), Some("MOVE_SEATS"));
        let (ran, emitted) = drive(&mut record, succeeds);
        assert_eq!(ran, vec![Step::MoveSeats]);
        assert!(
            emitted.is_empty(),
            "no event: the booking is the same purchase"
        );
        assert_eq!(record.view().flights[0].seats, [seat("20C")]);
        assert_eq!(record.status(), BookingStatus::Confirmed);
        assert_eq!(record.seat_change, None);

        // The flight refuses (taken meanwhile): the booking keeps its seats, stays
        // confirmed, and says why; nothing is compensated.
        record
            .change_seats("EA1-20261201", vec![seat("14A")], t0())
            .unwrap();
        let (ran, _) = drive(
            &mut record,
            fails_at(
                Step::MoveSeats,
                Failure::SeatUnavailable {
                    flight_id: "EA1-20261201".into(),
                    message: "seat 14A is taken".into(),
                },
            ),
        );
        assert_eq!(ran, vec![Step::MoveSeats]);
        assert_eq!(record.status(), BookingStatus::Confirmed);
        assert!(matches!(record.payment, PaymentState::Captured { .. }));
        assert_eq!(record.view().flights[0].seats, [seat("20C")]);
        assert!(record
            .seat_change_refused
            .as_deref()
            .is_some_and(|why| why.contains("14A")));

        // A flight that cannot be reached is retried with backoff, then given up: the
        // seats stay, and the booking stays confirmed.
        record
            .change_seats("EA1-20261201", vec![seat("22C")], t0())
            .unwrap();
        let (ran, _) = drive(&mut record, |step| {
            (step == Step::MoveSeats).then(|| StepOutcome::new(StepResult::Transient("503".into())))
        });
        assert_eq!(ran, vec![Step::MoveSeats; SEAT_CHANGE_ATTEMPTS as usize]);
        assert_eq!(record.view().flights[0].seats, [seat("20C")]);
        assert_eq!(record.seat_change, None);
        assert_eq!(record.status(), BookingStatus::Confirmed);
        assert!(record.seat_change_refused.is_some());

        // Wrong flight, wrong count, too late; and never once cancelled.
        assert_eq!(
            record.change_seats("EA9-20261201", vec![seat("20C")], t0()),
            Err(SeatChangeRefusal::UnknownFlight)
        );
        assert_eq!(
            record.change_seats("EA1-20261201", vec![seat("20C"), seat("20D")], t0()),
            Err(SeatChangeRefusal::WrongCount)
        );
        let departure = record.first_departure().unwrap();
        assert_eq!(
            record.change_seats(
                "EA1-20261201",
                vec![seat("21C")],
                departure - SEAT_CHANGES_CLOSE_BEFORE_DEPARTURE
            ),
            Err(SeatChangeRefusal::Closed)
        );
        record.cancel(CancelReason::Customer, t0()).unwrap();
        assert_eq!(
            record.change_seats("EA1-20261201", vec![seat("21C")], t0()),
            Err(SeatChangeRefusal::InProgress)
        );
    }

    #[test]
    fn the_airlines_cancellation_refunds_everything_whatever_the_fare() {
        let mut record = record_in(airline_domain::FareBrand::Light);
        drive(&mut record, succeeds);
        record
            .cancel(
                CancelReason::FlightCancelled {
                    flight_id: "EA1-20261201".into(),
                },
                t0(),
            )
            .unwrap();
        drive(&mut record, succeeds);
        let view = record.view();
        assert_eq!(view.refunded_amount, view.captured_amount);
        assert_eq!(view.amount_paid().amount_minor(), 0);
    }

    #[test]
    fn a_cancelled_flight_refunds_its_confirmed_bookings_in_full_once_even_after_departure() {
        let mut record = record();
        let reason = CancelReason::FlightCancelled {
            flight_id: "EA1-20261201".into(),
        };
        assert_eq!(
            record.cancel(reason.clone(), t0()),
            Err(CancelRefusal::InProgress)
        );
        drive(&mut record, succeeds);
        let late = record.first_departure().unwrap() + Duration::hours(1);
        record.cancel(reason.clone(), late).unwrap();
        let (ran, emitted) = drive(&mut record, succeeds);
        assert_eq!(
            ran,
            vec![Step::RefundPayment, Step::ReleaseSeats, Step::MarkCancelled]
        );
        assert_eq!(emitted, vec![Emit::BookingCancelled]);
        let failure = record.saga.failure().unwrap();
        assert_eq!(failure.code().as_str(), "FLIGHT_CANCELLED");
        assert!(failure.message().contains("EA1-20261201"));
        assert_eq!(
            record.cancel(reason, late),
            Err(CancelRefusal::AlreadyCancelled)
        );
        assert!(drive(&mut record, succeeds).0.is_empty());
    }

    #[test]
    fn the_one_cancellation_rule_reads_status_and_departure() {
        let departure = t0() + Duration::days(1);
        assert_eq!(
            may_cancel(BookingStatus::Confirmed, Some(departure), t0()),
            Ok(())
        );
        assert_eq!(
            may_cancel(BookingStatus::Confirmed, Some(departure), departure),
            Err(CancelRefusal::Departed)
        );
        assert_eq!(
            may_cancel(BookingStatus::Unconfirmed, Some(departure), t0()),
            Err(CancelRefusal::InProgress)
        );
        assert_eq!(
            may_cancel(BookingStatus::Cancelled, Some(departure), t0()),
            Err(CancelRefusal::AlreadyCancelled)
        );
    }

    #[test]
    fn the_state_survives_a_round_trip_through_json() {
        let mut record = round_trip();
        record.begin(&[Step::HoldSeats]);
        let held = done(&record, Step::HoldSeats);
        record.apply(vec![(Step::HoldSeats, held)], t0());
        let text = serde_json::to_string(&record).unwrap();
        let back: BookingRecord = serde_json::from_str(&text).unwrap();
        assert_eq!(back, record);
        assert!(text.contains("\"phase\":\"AUTHORIZING\""), "{text}");
    }

    #[test]
    fn history_is_bounded() {
        let mut record = record();
        for _ in 0..500 {
            record.apply(
                vec![(
                    Step::HoldSeats,
                    StepOutcome::new(StepResult::Transient("x".into())),
                )],
                t0(),
            );
        }
        assert_eq!(record.saga.history.len(), HISTORY_LIMIT);
    }
}
