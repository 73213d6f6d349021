//! One checkout from the chosen flights to a booking: the passengers' details checked with
//! the booking's own rules, the sandbox card form, the idempotency key that makes a double
//! click or a retry book once, and what each failure asks the traveller to do next.

use airline_booking::plan::{check_birth_date, check_name, party_total};
use airline_booking::saga::FailureCode;
use airline_domain::Money;
use airline_payments::sandbox::{CardBehaviour, TEST_CARDS};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::Msg;

/// Everything chosen so far, kept in session storage so a reload, a detour through sign-in
/// or a retry after a declined card resumes the same checkout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Checkout {
    /// The results page this checkout came from, to go back to.
    pub search_query: String,
    pub passengers: u32,
    pub outbound: Option<String>,
    pub inbound: Option<String>,
    /// Chosen seats per leg, one per passenger in passenger order; empty = assign for me.
    pub outbound_seats: Vec<String>,
    pub inbound_seats: Vec<String>,
    pub travellers: Vec<Traveller>,
    /// One key per attempt to pay: kept across reloads and retries of the same attempt,
    /// replaced only when the traveller changes what is being bought or after a failure.
    pub idempotency_key: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Traveller {
    pub first_name: String,
    pub last_name: String,
    pub date_of_birth: String,
}

/// Which traveller input a problem belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TravellerField {
    FirstName,
    LastName,
    DateOfBirth,
}

impl TravellerField {
    /// The input a GraphQL `extensions.field` names.
    pub fn from_api(field: &str) -> Option<TravellerField> {
        match field {
            "passengers.firstName" => Some(Self::FirstName),
            "passengers.lastName" => Some(Self::LastName),
            "passengers.dateOfBirth" => Some(Self::DateOfBirth),
            _ => None,
        }
    }
}

impl Traveller {
    /// The booking's own checks, so the form refuses exactly what the API would.
    pub fn problems(&self, today: NaiveDate) -> Vec<(TravellerField, Msg)> {
        let mut problems = Vec::new();
        if check_name("passengers.firstName", &self.first_name).is_err() {
            problems.push((TravellerField::FirstName, Msg::ErrName));
        }
        if check_name("passengers.lastName", &self.last_name).is_err() {
            problems.push((TravellerField::LastName, Msg::ErrName));
        }
        let birth = self.date_of_birth.trim();
        if !birth.is_empty() && check_birth_date(birth, today).is_err() {
            problems.push((TravellerField::DateOfBirth, Msg::ErrBirthDate));
        }
        problems
    }
}

impl Checkout {
    /// Starts a checkout for the flights chosen on a results page.
    pub fn start(
        search_query: String,
        passengers: u32,
        outbound: String,
        inbound: Option<String>,
        key: String,
    ) -> Checkout {
        Checkout {
            search_query,
            passengers,
            outbound: Some(outbound),
            inbound,
            travellers: vec![Traveller::default(); passengers as usize],
            idempotency_key: key,
            ..Checkout::default()
        }
    }

    /// Ready to pay: flights chosen, one valid traveller per passenger, seats either
    /// chosen for everyone or left to the airline.
    pub fn is_complete(&self, today: NaiveDate) -> bool {
        let count = self.passengers as usize;
        let seats_ok = |seats: &[String]| seats.is_empty() || seats.len() == count;
        self.outbound.is_some()
            && self.travellers.len() == count
            && self.travellers.iter().all(|t| t.problems(today).is_empty())
            && seats_ok(&self.outbound_seats)
            && seats_ok(&self.inbound_seats)
    }
}

/// What the booking will charge the party, computed by the booking's own rule (a return
/// fare in another currency converted at the reference rates); `None` where that rule
/// refuses (a total too large to hold).
pub fn party_price(outbound: Money, inbound: Option<Money>, passengers: u32) -> Option<Money> {
    party_total(outbound, inbound, passengers as usize).ok()
}

/// An idempotency key from 16 random bytes, in the UUID v4 layout the API documents.
pub fn idempotency_key(random: [u8; 16]) -> String {
    let mut bytes = random;
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// The sandbox card form, as typed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CardDraft {
    pub number: String,
    /// `MM/YY`.
    pub expiry: String,
    pub cvc: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardField {
    Number,
    Expiry,
    Cvc,
}

impl CardField {
    /// The input a `tokenizeCard` error's `extensions.field` names.
    pub fn from_api(field: &str) -> Option<CardField> {
        match field {
            "number" => Some(Self::Number),
            "expMonth" | "expYear" => Some(Self::Expiry),
            "cvc" => Some(Self::Cvc),
            _ => None,
        }
    }
}

/// A card whose shape is right; whether the number is a card is the API's call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardShape {
    pub number: String,
    pub exp_month: u32,
    pub exp_year: i32,
    pub cvc: String,
}

impl CardDraft {
    pub fn check(&self, today: NaiveDate) -> Result<CardShape, Vec<(CardField, Msg)>> {
        let mut problems = Vec::new();
        let digits: String = self
            .number
            .chars()
            .filter(|c| !matches!(c, ' ' | '-'))
            .collect();
        if !(13..=19).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
            problems.push((CardField::Number, Msg::ErrCardNumber));
        }
        let expiry = parse_expiry(&self.expiry)
            .filter(|&(month, year)| (year, month) >= (today.year(), today.month()));
        if expiry.is_none() {
            problems.push((CardField::Expiry, Msg::ErrCardExpiry));
        }
        let cvc = self.cvc.trim();
        if !(3..=4).contains(&cvc.len()) || !cvc.bytes().all(|b| b.is_ascii_digit()) {
            problems.push((CardField::Cvc, Msg::ErrCardCvc));
        }
        match expiry {
            Some((exp_month, exp_year)) if problems.is_empty() => Ok(CardShape {
                number: digits,
                exp_month,
                exp_year,
                cvc: cvc.to_owned(),
            }),
            _ => Err(problems),
        }
    }
}

/// `MM/YY` or `MM/YYYY` to (month, four-digit year).
fn parse_expiry(text: &str) -> Option<(u32, i32)> {
    let (month, year) = text.trim().split_once('/')?;
    let month: u32 = month.trim().parse().ok().filter(|m| (1..=12).contains(m))?;
    let year_text = year.trim();
    let year: i32 = year_text.parse().ok()?;
    match year_text.len() {
        2 => Some((month, 2000 + year)),
        4 => Some((month, year)),
        _ => None,
    }
}

/// The sandbox's test cards for the help panel: grouped number and what it does.
pub fn test_cards() -> Vec<(String, Msg)> {
    TEST_CARDS
        .iter()
        .filter_map(|&(number, behaviour, _)| {
            let outcome = match behaviour {
                CardBehaviour::Succeeds => Msg::CardSucceeds,
                CardBehaviour::Declined => Msg::CardDeclined,
                CardBehaviour::InsufficientFunds => Msg::CardNoFunds,
                // The retry and capture-failure cards test the saga, not the traveller.
                _ => return None,
            };
            let grouped = number
                .as_bytes()
                .chunks(4)
                .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
                .collect::<Vec<_>>()
                .join(" ");
            Some((grouped, outcome))
        })
        .collect()
}

/// Where a failed booking sends the traveller next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextStep {
    TryAnotherCard,
    BackToResults,
    PickSeatsAgain,
    StartOver,
}

impl NextStep {
    pub fn label(self) -> Msg {
        match self {
            Self::TryAnotherCard => Msg::TryAnotherCard,
            Self::BackToResults => Msg::BackToResults,
            Self::PickSeatsAgain => Msg::PickSeatsAgain,
            Self::StartOver => Msg::StartOver,
        }
    }
}

/// A booking failure code explained, with the way forward. Matched over the booking's own
/// codes, so a code the saga adds fails this build until it has words here.
pub fn explain_failure(code: &str) -> (Msg, NextStep) {
    match FailureCode::parse(code) {
        Some(FailureCode::PaymentDeclined) => (Msg::FailDeclined, NextStep::TryAnotherCard),
        Some(FailureCode::PaymentFailed) => (Msg::FailPayment, NextStep::TryAnotherCard),
        Some(FailureCode::SoldOut) => (Msg::FailSoldOut, NextStep::BackToResults),
        Some(FailureCode::FlightCancelled) => (Msg::FailFlightCancelled, NextStep::BackToResults),
        Some(FailureCode::SeatUnavailable) => (Msg::FailSeat, NextStep::PickSeatsAgain),
        Some(FailureCode::HoldExpired | FailureCode::Timeout) => {
            (Msg::FailExpired, NextStep::TryAnotherCard)
        }
        Some(FailureCode::CancelledByCustomer) | None => (Msg::FailOther, NextStep::StartOver),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 3).unwrap()
    }

    fn traveller(first: &str, last: &str, birth: &str) -> Traveller {
        Traveller {
            first_name: first.into(),
            last_name: last.into(),
            date_of_birth: birth.into(),
        }
    }

    #[test]
    fn travellers_are_checked_with_the_bookings_rules() {
        assert!(traveller("Zoë", "O'Neill-Brandt", "1990-02-28")
            .problems(today())
            .is_empty());
        assert!(traveller("José Luis", "Müller", "")
            .problems(today())
            .is_empty());
        assert_eq!(
            traveller("", "R2D2", "2027-01-01").problems(today()),
            vec![
                (TravellerField::FirstName, Msg::ErrName),
                (TravellerField::LastName, Msg::ErrName),
                (TravellerField::DateOfBirth, Msg::ErrBirthDate),
            ]
        );
        assert_eq!(
            traveller("Ann", "Lee", "1900-01-01").problems(today()),
            vec![(TravellerField::DateOfBirth, Msg::ErrBirthDate)]
        );
        assert_eq!(
            TravellerField::from_api("passengers.lastName"),
            Some(TravellerField::LastName)
        );
    }

    #[test]
    fn a_checkout_is_complete_with_everyone_named_and_seats_for_all_or_none() {
        let mut checkout = Checkout::start("q".into(), 2, "EA1-20261210".into(), None, "k".into());
        assert!(!checkout.is_complete(today()), "nobody named yet");
        checkout.travellers = vec![traveller("Ann", "Lee", ""), traveller("Bo", "Lee", "")];
        assert!(
            checkout.is_complete(today()),
            "seats assigned by the airline"
        );
        checkout.outbound_seats = vec!["12A".into()];
        assert!(!checkout.is_complete(today()), "one seat for two");
        checkout.outbound_seats.push("12B".into());
        assert!(checkout.is_complete(today()));
    }

    #[test]
    fn a_checkout_survives_storage() {
        let checkout = Checkout::start(
            "from=LHR".into(),
            1,
            "EA1-20261210".into(),
            Some("EA2-20261217".into()),
            "key".into(),
        );
        let text = serde_json::to_string(&checkout).unwrap();
        assert_eq!(serde_json::from_str::<Checkout>(&text).unwrap(), checkout);
    }

    #[test]
    fn the_price_is_the_bookings_total_even_across_currencies() {
        let currency = |code| airline_domain::Currency::parse("test", code).unwrap();
        let gbp = Money::from_minor(36_000, currency("GBP"));
        let usd = Money::from_minor(44_900, currency("USD"));
        assert_eq!(
            party_price(gbp, None, 2),
            Some(Money::from_minor(72_000, currency("GBP")))
        );
        let total = party_price(gbp, Some(usd), 2).unwrap();
        assert_eq!(total.currency(), currency("GBP"));
        assert!(
            total.amount_minor() > 72_000 && total.amount_minor() < 72_000 + 2 * 44_900,
            "converted, not added"
        );
        assert_eq!(
            party_price(Money::from_minor(i64::MAX, currency("GBP")), None, 2),
            None
        );
    }

    #[test]
    fn idempotency_keys_are_uuid_shaped_and_accepted_by_the_api() {
        let key = idempotency_key([0xff; 16]);
        assert_eq!(key, "ffffffff-ffff-4fff-bfff-ffffffffffff");
        assert_eq!(
            idempotency_key([0; 16]),
            "00000000-0000-4000-8000-000000000000"
        );
        assert!((8..=64).contains(&key.len()));
        assert!(key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
    }

    #[test]
    fn card_forms_catch_shape_errors_before_the_api() {
        let card = CardDraft {
            number: "4242 4242 4242 4242".into(),
            expiry: "12/26".into(),
            cvc: "123".into(),
        };
        assert_eq!(
            card.check(today()),
            Ok(CardShape {
                number: "4242424242424242".into(),
                exp_month: 12,
                exp_year: 2026,
                cvc: "123".into()
            })
        );
        let bad = CardDraft {
            number: "4242".into(),
            expiry: "11/26".into(),
            cvc: "12a".into(),
        };
        assert_eq!(
            bad.check(today()).unwrap_err(),
            vec![
                (CardField::Number, Msg::ErrCardNumber),
                (CardField::Expiry, Msg::ErrCardExpiry),
                (CardField::Cvc, Msg::ErrCardCvc),
            ]
        );
        assert_eq!(parse_expiry("01/2030"), Some((1, 2030)));
        assert_eq!(parse_expiry("13/30"), None);
        assert_eq!(CardField::from_api("expYear"), Some(CardField::Expiry));
    }

    #[test]
    fn the_help_panel_lists_the_sandbox_cards() {
        let cards = test_cards();
        assert!(cards.contains(&("4242 4242 4242 4242".into(), Msg::CardSucceeds)));
        assert!(cards.contains(&("4000 0000 0000 0002".into(), Msg::CardDeclined)));
    }

    #[test]
    fn every_failure_has_a_way_forward() {
        assert_eq!(
            explain_failure("PAYMENT_DECLINED").1,
            NextStep::TryAnotherCard
        );
        assert_eq!(explain_failure("SOLD_OUT").1, NextStep::BackToResults);
        assert_eq!(
            explain_failure("SEAT_UNAVAILABLE").1,
            NextStep::PickSeatsAgain
        );
        assert_eq!(
            explain_failure("SOMETHING_NEW"),
            (Msg::FailOther, NextStep::StartOver)
        );
    }
}
