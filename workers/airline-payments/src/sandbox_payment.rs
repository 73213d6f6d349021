//! One sandbox payment's life, as a pure function of its stored row: PENDING ->
//! AUTHORIZED -> CAPTURED -> REFUNDED (some or all of it) or RETAINED (a cancelled fare
//! that refunds nothing), or DECLINED, or VOIDED. The store (a booking
//! object's SQLite, see `platform::sandbox_store`) loads the row, asks these functions
//! and writes the row they return, with no `.await` in between; so the embedded provider
//! and the sandbox's Stripe-compatible face move a payment the same way.

use airline_domain::Money;
use serde::{Deserialize, Serialize};

use crate::sandbox::{self, CardBehaviour};
use crate::PaymentError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SandboxStatus {
    /// Asked for, and failed transiently: the next attempt tries again.
    Pending,
    Authorized,
    Captured,
    Declined,
    Voided,
    Refunded,
    /// Captured, and kept when its booking was cancelled: the fare refunds nothing.
    Retained,
}

impl SandboxStatus {
    pub const ALL: [SandboxStatus; 7] = [
        Self::Pending,
        Self::Authorized,
        Self::Captured,
        Self::Declined,
        Self::Voided,
        Self::Refunded,
        Self::Retained,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Authorized => "AUTHORIZED",
            Self::Captured => "CAPTURED",
            Self::Declined => "DECLINED",
            Self::Voided => "VOIDED",
            Self::Refunded => "REFUNDED",
            Self::Retained => "RETAINED",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == text)
    }
}

/// A payment as the sandbox keeps it: one per key (a booking's id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxPayment {
    /// The PaymentIntent id the Stripe-compatible face shows (`pi_sandbox_<key>`).
    pub id: String,
    pub key: String,
    /// A sandbox token (`tok_...`) or a test PaymentMethod id (`pm_...`).
    pub token: String,
    pub customer_id: String,
    pub amount: Money,
    pub behaviour: CardBehaviour,
    pub status: SandboxStatus,
    pub authorize_attempts: u32,
}

/// What is charged: the payment's key (one payment per key), the card and its behaviour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Charge<'a> {
    pub key: &'a str,
    pub token: &'a str,
    pub customer_id: &'a str,
    pub amount: Money,
    pub behaviour: CardBehaviour,
}

/// An authorization the sandbox granted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorized {
    pub payment_id: String,
    /// The test card's answer to this attempt is lost on the way: the authorization
    /// stands, but the caller must be told something went wrong in transit.
    pub answer_lost: bool,
}

/// The payment id the sandbox gives the payment of `key`.
pub fn payment_id(key: &str) -> String {
    format!("pi_sandbox_{key}")
}

/// The key of the payment a sandbox payment id names (`None` for any other id).
pub fn key_of(payment_id: &str) -> Option<&str> {
    payment_id
        .strip_prefix("pi_sandbox_")
        .filter(|key| !key.is_empty())
}

fn status_after(outcome: &Result<(), PaymentError>) -> SandboxStatus {
    match outcome {
        Ok(()) => SandboxStatus::Authorized,
        Err(PaymentError::Declined { .. }) | Err(PaymentError::Permanent(_)) => {
            SandboxStatus::Declined
        }
        Err(PaymentError::Transient(_)) => SandboxStatus::Pending,
    }
}

fn declined() -> PaymentError {
    PaymentError::Declined {
        code: "card_declined".to_owned(),
        message: "Your card was declined.".to_owned(),
    }
}

/// Authorizes, counting attempts per payment so the "fails twice" card behaves the same
/// however often the step is retried. A payment already authorized or captured answers
/// with its id again; one declined or settled stays declined. Returns the row to store.
pub fn authorize(
    existing: Option<SandboxPayment>,
    charge: &Charge<'_>,
) -> (SandboxPayment, Result<Authorized, PaymentError>) {
    let mut payment = match existing {
        None => SandboxPayment {
            id: payment_id(charge.key),
            key: charge.key.to_owned(),
            token: charge.token.to_owned(),
            customer_id: charge.customer_id.to_owned(),
            amount: charge.amount,
            behaviour: charge.behaviour,
            status: SandboxStatus::Pending,
            authorize_attempts: 0,
        },
        Some(payment) => match payment.status {
            SandboxStatus::Authorized | SandboxStatus::Captured => {
                let answer = Ok(Authorized {
                    payment_id: payment.id.clone(),
                    answer_lost: false,
                });
                return (payment, answer);
            }
            SandboxStatus::Declined
            | SandboxStatus::Voided
            | SandboxStatus::Refunded
            | SandboxStatus::Retained => return (payment, Err(declined())),
            SandboxStatus::Pending => payment,
        },
    };
    payment.authorize_attempts += 1;
    let attempt = payment.authorize_attempts;
    let outcome = sandbox::authorize_outcome(payment.behaviour, attempt);
    payment.status = status_after(&outcome);
    let answer = outcome.map(|()| Authorized {
        payment_id: payment.id.clone(),
        answer_lost: sandbox::answer_lost(payment.behaviour, attempt),
    });
    (payment, answer)
}

/// Captures an authorized payment; capturing one already captured succeeds.
pub fn capture(
    existing: Option<SandboxPayment>,
) -> (Option<SandboxPayment>, Result<(), PaymentError>) {
    let Some(mut payment) = existing else {
        return (
            None,
            Err(PaymentError::Permanent(
                "no authorization to capture".to_owned(),
            )),
        );
    };
    let answer = match payment.status {
        SandboxStatus::Captured => Ok(()),
        SandboxStatus::Authorized => match sandbox::capture_outcome(payment.behaviour) {
            Ok(()) => {
                payment.status = SandboxStatus::Captured;
                Ok(())
            }
            Err(e) => Err(e),
        },
        other => Err(PaymentError::Permanent(format!(
            "cannot capture a {} payment",
            other.as_str()
        ))),
    };
    (Some(payment), answer)
}

/// Voids an authorization or refunds a capture, whichever the payment needs: either way
/// nothing stays charged. Settling something already settled (or never authorized)
/// succeeds, so the compensation is idempotent.
pub fn settle(existing: Option<SandboxPayment>) -> Option<SandboxPayment> {
    existing.map(|mut payment| {
        payment.status = match payment.status {
            SandboxStatus::Captured => SandboxStatus::Refunded,
            SandboxStatus::Pending | SandboxStatus::Authorized => SandboxStatus::Voided,
            settled => settled,
        };
        payment
    })
}

/// Keeps a captured payment: its booking was cancelled under a fare that refunds nothing.
/// Anything else is left as it is, so the step is idempotent.
pub fn retain(existing: Option<SandboxPayment>) -> Option<SandboxPayment> {
    existing.map(|mut payment| {
        if payment.status == SandboxStatus::Captured {
            payment.status = SandboxStatus::Retained;
        }
        payment
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use airline_domain::Currency;

    fn charge(behaviour: CardBehaviour) -> Charge<'static> {
        Charge {
            key: "bk_1",
            token: "tok_x",
            customer_id: "acct_1",
            amount: Money::from_minor(45_000, Currency::parse("c", "GBP").unwrap()),
            behaviour,
        }
    }

    #[test]
    fn a_capture_kept_by_its_fare_stays_kept() {
        let (payment, _) = authorize(None, &charge(CardBehaviour::Succeeds));
        let captured = capture(Some(payment)).0.unwrap();
        let kept = retain(Some(captured)).unwrap();
        assert_eq!(kept.status, SandboxStatus::Retained);
        // Again, or settling it afterwards, changes nothing: the money was kept.
        assert_eq!(retain(Some(kept.clone())).unwrap(), kept);
        assert_eq!(settle(Some(kept.clone())).unwrap(), kept);
        // Only a capture is kept: an authorization is not money taken.
        let (authorized, _) = authorize(None, &charge(CardBehaviour::Succeeds));
        assert_eq!(
            retain(Some(authorized)).unwrap().status,
            SandboxStatus::Authorized
        );
    }

    #[test]
    fn a_good_card_authorizes_captures_and_refunds_once() {
        let (payment, answer) = authorize(None, &charge(CardBehaviour::Succeeds));
        assert_eq!(answer.unwrap().payment_id, "pi_sandbox_bk_1");
        assert_eq!(payment.status, SandboxStatus::Authorized);
        // A retry gets the same authorization and is not counted again.
        let (payment, again) = authorize(Some(payment), &charge(CardBehaviour::Succeeds));
        assert!(again.is_ok());
        assert_eq!(payment.authorize_attempts, 1);
        let (payment, captured) = capture(Some(payment));
        assert!(captured.is_ok());
        let (payment, twice) = capture(payment);
        assert!(twice.is_ok(), "capturing twice is harmless");
        let payment = settle(payment).unwrap();
        assert_eq!(payment.status, SandboxStatus::Refunded);
        assert_eq!(
            settle(Some(payment)).unwrap().status,
            SandboxStatus::Refunded
        );
    }

    #[test]
    fn the_flaky_card_fails_twice_then_authorizes_however_often_it_is_retried() {
        let card = charge(CardBehaviour::FailsTwiceThenSucceeds);
        let (payment, first) = authorize(None, &card);
        assert!(first.unwrap_err().is_transient());
        let (payment, second) = authorize(Some(payment), &card);
        assert!(second.unwrap_err().is_transient());
        let (payment, third) = authorize(Some(payment), &card);
        assert!(third.is_ok());
        assert_eq!(payment.authorize_attempts, 3);
    }

    #[test]
    fn a_lost_answer_authorizes_and_the_retry_hears_it() {
        let card = charge(CardBehaviour::FirstAnswerLost);
        let (payment, first) = authorize(None, &card);
        assert!(first.unwrap().answer_lost);
        let (payment, retry) = authorize(Some(payment), &card);
        assert!(!retry.unwrap().answer_lost);
        assert_eq!(payment.status, SandboxStatus::Authorized);
    }

    #[test]
    fn a_declined_card_stays_declined_and_voiding_it_is_harmless() {
        let card = charge(CardBehaviour::Declined);
        let (payment, answer) = authorize(None, &card);
        assert!(matches!(answer, Err(PaymentError::Declined { .. })));
        let (payment, again) = authorize(Some(payment), &card);
        assert!(matches!(again, Err(PaymentError::Declined { .. })));
        assert_eq!(
            settle(Some(payment)).unwrap().status,
            SandboxStatus::Declined
        );
        assert_eq!(settle(None), None);
    }

    #[test]
    fn a_capture_that_fails_leaves_the_authorization_to_void() {
        let card = charge(CardBehaviour::CaptureFails);
        let (payment, _) = authorize(None, &card);
        let (payment, captured) = capture(Some(payment));
        assert!(captured.is_err());
        let payment = settle(payment).unwrap();
        assert_eq!(payment.status, SandboxStatus::Voided);
        let (_, nothing) = capture(None);
        assert!(nothing.is_err());
    }

    #[test]
    fn payment_ids_name_their_key() {
        assert_eq!(key_of(&payment_id("bk_1")), Some("bk_1"));
        assert_eq!(key_of("pi_3Nx"), None);
        assert_eq!(key_of("pi_sandbox_"), None);
        for status in SandboxStatus::ALL {
            assert_eq!(SandboxStatus::parse(status.as_str()), Some(status));
        }
    }
}
