//! What a booking's saga is made of, as its record stores it: the steps, the phases, the
//! failures and the status they come to, its retry timing and history. The decisions on
//! it are in the saga module ([`crate::saga`]); the record ([`crate::record`]) holds one.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// One unit of work, forward or compensating. Most reach another object or the payment
/// provider; [`Step::is_local`] ones are decisions the booking's own storage records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Step {
    /// Hold seats on every flight (outbound, then return) in the flights' inventory objects.
    HoldSeats,
    AuthorizePayment,
    CapturePayment,
    /// Turn the holds into sold seats.
    ConfirmSeats,
    /// Claim a booking reference no other booking holds.
    ClaimReference,
    /// CONFIRMED with its reference, and `BookingConfirmed` in the outbox (local).
    ConfirmBooking,
    // Compensation, in the order it runs.
    VoidPayment,
    RefundPayment,
    ReleaseSeats,
    /// CANCELLED with the reason, and `BookingCancelled` in the outbox when the booking
    /// had been confirmed (local).
    MarkCancelled,
    // After confirmation, at the traveller's request.
    /// Move the booking's sold seats on one flight to the seats asked for.
    MoveSeats,
}

impl Step {
    pub fn as_str(&self) -> &'static str {
        match self {
            Step::HoldSeats => "HOLD_SEATS",
            Step::AuthorizePayment => "AUTHORIZE_PAYMENT",
            Step::CapturePayment => "CAPTURE_PAYMENT",
            Step::ConfirmSeats => "CONFIRM_SEATS",
            Step::ClaimReference => "CLAIM_REFERENCE",
            Step::ConfirmBooking => "CONFIRM_BOOKING",
            Step::VoidPayment => "VOID_PAYMENT",
            Step::RefundPayment => "REFUND_PAYMENT",
            Step::ReleaseSeats => "RELEASE_SEATS",
            Step::MarkCancelled => "MARK_CANCELLED",
            Step::MoveSeats => "MOVE_SEATS",
        }
    }

    /// A step with no effect outside the booking's own storage: what it decides is
    /// written with the state, in the same transaction, so it needs no executor.
    pub fn is_local(self) -> bool {
        matches!(self, Step::ConfirmBooking | Step::MarkCancelled)
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

/// Where the saga is. Each phase names what is being done; the facts in the record say
/// how far it got, so no flag can contradict the phase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "phase", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Phase {
    /// Holding seats on every flight.
    HoldingSeats,
    /// Seats held: authorizing the payment.
    Authorizing,
    /// Authorized: capturing, turning the holds into sold seats and claiming a booking
    /// reference, all three at once (none depends on another's answer, and the
    /// compensation a failure starts undoes whatever the others did).
    Settling,
    /// CONFIRMED with a reference. Final until someone cancels it.
    Confirmed,
    /// Undoing what was done, in reverse: void or refund, release the seats, then
    /// CANCELLED. Never abandoned: an undo that fails is retried until it succeeds.
    Compensating { failure: Failure },
    /// CANCELLED with the reason. Final.
    Cancelled { failure: Failure },
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
pub(super) const HISTORY_LIMIT: usize = 50;

/// A booking's progress through its phases, with its retry timing and history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Saga {
    pub phase: Phase,
    /// Transient failures of the phase's current work so far.
    pub failures: u32,
    pub retry_at: Option<DateTime<Utc>>,
    /// The booking must be confirmed by then, or it compensates.
    pub deadline: DateTime<Utc>,
    pub retry: RetryPolicy,
    pub history: Vec<StepRecord>,
}

impl Saga {
    pub fn new(deadline: DateTime<Utc>, retry: RetryPolicy) -> Self {
        Self {
            phase: Phase::HoldingSeats,
            failures: 0,
            retry_at: None,
            deadline,
            retry,
            history: Vec::new(),
        }
    }

    pub fn status(&self) -> BookingStatus {
        match &self.phase {
            Phase::Confirmed => BookingStatus::Confirmed,
            Phase::Cancelled { .. } => BookingStatus::Cancelled,
            // A confirmed booking being cancelled stays confirmed until it is marked.
            Phase::Compensating {
                failure: Failure::CancelledByCustomer | Failure::FlightCancelled { .. },
            } => BookingStatus::Confirmed,
            _ => BookingStatus::Unconfirmed,
        }
    }

    pub fn failure(&self) -> Option<&Failure> {
        match &self.phase {
            Phase::Compensating { failure } | Phase::Cancelled { failure } => Some(failure),
            _ => None,
        }
    }

    /// Whether the booking is on its way to CONFIRMED (not yet there, not failed).
    pub(super) fn is_forward(&self) -> bool {
        matches!(
            self.phase,
            Phase::HoldingSeats | Phase::Authorizing | Phase::Settling
        )
    }

    pub(super) fn record(&mut self, step: Step, result: String, at: DateTime<Utc>) {
        if self.history.len() >= HISTORY_LIMIT {
            self.history.remove(0);
        }
        self.history.push(StepRecord { step, at, result });
    }

    pub(super) fn enter(&mut self, phase: Phase) {
        self.phase = phase;
        self.failures = 0;
        self.retry_at = None;
    }
}
