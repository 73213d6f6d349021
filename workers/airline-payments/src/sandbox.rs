//! The embedded sandbox payment provider's rules: which test cards exist, how a card form
//! is validated and tokenized, and what each test card does on authorize and capture.
//!
//! Modelled on Stripe's test cards so that the same card numbers behave the same way in
//! both providers. This module only decides; the Worker persists tokens and payments in
//! D1 and counts authorization attempts.

use airline_domain::InputError;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::PaymentError;

/// What a test card does when it is charged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
// Same spelling as `as_str`, so a behaviour reads the same in D1 rows and in JSON.
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CardBehaviour {
    Succeeds,
    Declined,
    InsufficientFunds,
    /// A processing error on the first two authorization attempts, then success: the
    /// card that exercises the saga's retries.
    FailsTwiceThenSucceeds,
    /// Authorizes, but every capture fails: the card that exercises compensation.
    CaptureFails,
    /// Authorizes and captures, but the answer to the first authorization is lost on the
    /// way: the provider did the work and the caller never heard. The card that proves a
    /// retry with the same idempotency key charges once.
    FirstAnswerLost,
}

impl CardBehaviour {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Succeeds => "SUCCEEDS",
            Self::Declined => "DECLINED",
            Self::InsufficientFunds => "INSUFFICIENT_FUNDS",
            Self::FailsTwiceThenSucceeds => "FAILS_TWICE_THEN_SUCCEEDS",
            Self::CaptureFails => "CAPTURE_FAILS",
            Self::FirstAnswerLost => "FIRST_ANSWER_LOST",
        }
    }

    pub fn parse(field: &'static str, text: &str) -> Result<Self, InputError> {
        match text {
            "SUCCEEDS" => Ok(Self::Succeeds),
            "DECLINED" => Ok(Self::Declined),
            "INSUFFICIENT_FUNDS" => Ok(Self::InsufficientFunds),
            "FAILS_TWICE_THEN_SUCCEEDS" => Ok(Self::FailsTwiceThenSucceeds),
            "CAPTURE_FAILS" => Ok(Self::CaptureFails),
            "FIRST_ANSWER_LOST" => Ok(Self::FirstAnswerLost),
            _ => Err(InputError::new(
                field,
                format!("`{text}` is not a test card behaviour"),
            )),
        }
    }
}

/// The sandbox's test cards: number, behaviour, and what it does (for the docs). Any
/// future expiry date and any 3- or 4-digit CVC work with every one of them.
pub const TEST_CARDS: &[(&str, CardBehaviour, &str)] = &[
    (
        "4242424242424242",
        CardBehaviour::Succeeds,
        "Visa: authorizes and captures",
    ),
    (
        "4000000000000002",
        CardBehaviour::Declined,
        "declined with card_declined",
    ),
    (
        "4000000000009995",
        CardBehaviour::InsufficientFunds,
        "declined with insufficient_funds",
    ),
    (
        "4000000000000119",
        CardBehaviour::FailsTwiceThenSucceeds,
        "processing error on the first two authorization attempts, then succeeds",
    ),
    (
        "4000000000000341",
        CardBehaviour::CaptureFails,
        "authorizes, but the capture fails",
    ),
    (
        "5555555555554444",
        CardBehaviour::Succeeds,
        "Mastercard: authorizes and captures",
    ),
    (
        "4000000000000077",
        CardBehaviour::FirstAnswerLost,
        "authorizes and captures, but the first authorization's answer is lost on the way",
    ),
];

/// The same behaviours as Stripe PaymentMethod ids, for the Stripe-compatible face of the
/// sandbox (`/sandbox/stripe/v1/...`): Stripe's own test PaymentMethods where Stripe has
/// one, `pm_card_sandbox_*` for the sandbox's extra behaviours.
pub const TEST_PAYMENT_METHODS: &[(&str, CardBehaviour)] = &[
    ("pm_card_visa", CardBehaviour::Succeeds),
    ("pm_card_mastercard", CardBehaviour::Succeeds),
    ("pm_card_chargeDeclined", CardBehaviour::Declined),
    (
        "pm_card_chargeDeclinedInsufficientFunds",
        CardBehaviour::InsufficientFunds,
    ),
    (
        "pm_card_sandbox_failsTwiceThenSucceeds",
        CardBehaviour::FailsTwiceThenSucceeds,
    ),
    ("pm_card_sandbox_captureFails", CardBehaviour::CaptureFails),
    (
        "pm_card_sandbox_firstAnswerLost",
        CardBehaviour::FirstAnswerLost,
    ),
];

/// The first test PaymentMethod that behaves this way (every behaviour has one).
pub fn test_payment_method(behaviour: CardBehaviour) -> &'static str {
    TEST_PAYMENT_METHODS
        .iter()
        .find(|(_, b)| *b == behaviour)
        .map_or("pm_card_visa", |(id, _)| id)
}

/// What a test PaymentMethod does; `None` for an id the sandbox does not know.
pub fn payment_method_behaviour(payment_method: &str) -> Option<CardBehaviour> {
    TEST_PAYMENT_METHODS
        .iter()
        .find(|(id, _)| *id == payment_method)
        .map(|(_, behaviour)| *behaviour)
}

/// A new sandbox token for a card that behaves this way: `tok_<behaviour>_<random hex>`,
/// e.g. `tok_succeeds_9f2c…`. Like Stripe's test ids (`pm_card_chargeDeclined`), the token
/// says what its card does, so a payment step knows it without a lookup. Whose card it
/// is stays in the token store, which the API checks before a booking starts, so a
/// made-up token is refused however it is spelled.
pub fn new_token(behaviour: CardBehaviour, random: &[u8; 16]) -> String {
    let hex: String = random.iter().map(|b| format!("{b:02x}")).collect();
    format!("tok_{}_{hex}", behaviour.as_str().to_ascii_lowercase())
}

/// What the card behind a payment token does, when the token says: a sandbox token from
/// [`new_token`] or a test PaymentMethod id. `None` for anything else (a token made before
/// tokens carried their behaviour is looked up in the token store instead).
pub fn token_behaviour(token: &str) -> Option<CardBehaviour> {
    if let Some(behaviour) = payment_method_behaviour(token) {
        return Some(behaviour);
    }
    let (slug, random) = token.strip_prefix("tok_")?.rsplit_once('_')?;
    if random.len() != 32 || !random.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    CardBehaviour::parse("token", &slug.to_ascii_uppercase()).ok()
}

/// The first test card that behaves this way (every behaviour has one).
pub fn test_card(behaviour: CardBehaviour) -> &'static str {
    TEST_CARDS
        .iter()
        .find(|(_, b, _)| *b == behaviour)
        .map_or("4242424242424242", |(number, _, _)| number)
}

/// A card as typed into the checkout form. Borrowed so that the full number is never
/// copied into anything that outlives [`tokenize`].
#[derive(Clone, Copy)]
pub struct CardInput<'a> {
    pub number: &'a str,
    pub exp_month: u32,
    pub exp_year: i32,
    pub cvc: &'a str,
}

// Hand-written so that a `{:?}` in a log line can never print the number or the CVC.
impl std::fmt::Debug for CardInput<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CardInput")
            .field("number", &"[redacted]")
            .field("exp_month", &self.exp_month)
            .field("exp_year", &self.exp_year)
            .field("cvc", &"[redacted]")
            .finish()
    }
}

/// What the sandbox keeps of a card: enough to show it back ("Visa ending 4242") and to
/// know how it behaves, never the number or the CVC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenizedCard {
    /// "visa" or "mastercard".
    pub brand: String,
    pub last4: String,
    pub exp_month: u32,
    /// Always four digits: a two-digit year from the form is read as 20xx.
    pub exp_year: i32,
    pub behaviour: CardBehaviour,
}

const NUMBER: &str = "number";
const EXP_MONTH: &str = "expMonth";
const EXP_YEAR: &str = "expYear";
const CVC: &str = "cvc";

/// Card forms refuse expiry years further ahead than any issuer prints; this also keeps
/// absurd values such as `i32::MAX` out of the token.
const MAX_YEARS_AHEAD: i32 = 50;

/// Validates a card like a real form would: digits with optional spaces/dashes, 13..=19
/// digits, Luhn check, month 1..=12, not expired at `today` (valid through the end of its
/// month), CVC 3 or 4 digits; then maps it to its test behaviour. A valid number that is
/// not a sandbox test card is refused (field "number"), pointing at 4242 4242 4242 4242.
///
/// Errors name the form's fields: "number", "expMonth", "expYear", "cvc"; no message ever
/// repeats the number or the CVC.
pub fn tokenize(card: CardInput<'_>, today: NaiveDate) -> Result<TokenizedCard, InputError> {
    let digits = card_digits(card.number)?;
    if !luhn_valid(&digits) {
        return Err(InputError::new(
            NUMBER,
            "this card number is not valid; check the digits",
        ));
    }
    let (exp_month, exp_year) = check_expiry(card.exp_month, card.exp_year, today)?;
    check_cvc(card.cvc)?;

    let behaviour = TEST_CARDS
        .iter()
        .find(|(number, _, _)| *number == digits)
        .map(|&(_, behaviour, _)| behaviour)
        .ok_or_else(|| {
            InputError::new(
                NUMBER,
                "the sandbox accepts only test cards: use a test card such as 4242 4242 4242 4242",
            )
        })?;

    // `digits` is 13..=19 ASCII digits here, so the last four are a char boundary.
    let last4 = digits
        .get(digits.len().saturating_sub(4)..)
        .unwrap_or_default()
        .to_owned();
    Ok(TokenizedCard {
        brand: brand(&digits).to_owned(),
        last4,
        exp_month,
        exp_year,
        behaviour,
    })
}

/// The number's digits without the spaces and dashes people type to group them.
fn card_digits(number: &str) -> Result<String, InputError> {
    let mut digits = String::with_capacity(19);
    for c in number.trim().chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' => {}
            _ => {
                return Err(InputError::new(
                    NUMBER,
                    "a card number has only digits (spaces and dashes are fine)",
                ))
            }
        }
        // Stop early so that a pasted wall of digits is not copied in full.
        if digits.len() > 19 {
            break;
        }
    }
    if digits.is_empty() {
        return Err(InputError::new(NUMBER, "enter the card number"));
    }
    if !(13..=19).contains(&digits.len()) {
        return Err(InputError::new(
            NUMBER,
            "a card number has between 13 and 19 digits",
        ));
    }
    Ok(digits)
}

/// The Luhn checksum every card number carries: catches a mistyped or swapped digit.
fn luhn_valid(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(index, byte)| {
            let digit = u32::from(byte.wrapping_sub(b'0'));
            if index % 2 == 1 {
                let doubled = digit * 2;
                if doubled > 9 {
                    doubled - 9
                } else {
                    doubled
                }
            } else {
                digit
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Checks month and year and returns them with the year as four digits. A card is valid
/// through the last day of its expiry month, so only a month before `today`'s is expired.
fn check_expiry(month: u32, year: i32, today: NaiveDate) -> Result<(u32, i32), InputError> {
    if !(1..=12).contains(&month) {
        return Err(InputError::new(
            EXP_MONTH,
            "the expiry month is between 1 and 12",
        ));
    }
    // Cards print the year as two digits and many forms pass them on as typed.
    let year = if (0..=99).contains(&year) {
        2000 + year
    } else {
        year
    };
    let this_year = today.year();
    if year < this_year {
        return Err(InputError::new(EXP_YEAR, "this card has expired"));
    }
    if year == this_year && month < today.month() {
        return Err(InputError::new(EXP_MONTH, "this card has expired"));
    }
    if year > this_year + MAX_YEARS_AHEAD {
        return Err(InputError::new(
            EXP_YEAR,
            "the expiry year is too far in the future; check it",
        ));
    }
    Ok((month, year))
}

fn check_cvc(cvc: &str) -> Result<(), InputError> {
    let cvc = cvc.trim();
    if (3..=4).contains(&cvc.len()) && cvc.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(InputError::new(
            CVC,
            "the security code is the 3 or 4 digits printed on the card",
        ))
    }
}

/// The card network, from the number's prefix (its IIN range).
fn brand(digits: &str) -> &'static str {
    let prefix = |len: usize| -> u32 {
        digits
            .get(..len)
            .and_then(|p| p.parse().ok())
            .unwrap_or_default()
    };
    if digits.starts_with('4') {
        "visa"
    } else if (51..=55).contains(&prefix(2)) || (2221..=2720).contains(&prefix(4)) {
        "mastercard"
    } else {
        // Unreachable for the test cards, which are all Visa or Mastercard.
        "unknown"
    }
}

/// The outcome of authorization attempt number `attempt` (counting from 1) on a card.
pub fn authorize_outcome(behaviour: CardBehaviour, attempt: u32) -> Result<(), PaymentError> {
    match behaviour {
        CardBehaviour::Succeeds | CardBehaviour::CaptureFails | CardBehaviour::FirstAnswerLost => {
            Ok(())
        }
        CardBehaviour::Declined => Err(PaymentError::Declined {
            code: "card_declined".to_owned(),
            message: "Your card was declined.".to_owned(),
        }),
        CardBehaviour::InsufficientFunds => Err(PaymentError::Declined {
            code: "insufficient_funds".to_owned(),
            message: "Your card has insufficient funds.".to_owned(),
        }),
        // An attempt 0 (a caller counting from 0 by mistake) also fails, so the card
        // never succeeds sooner than its documentation promises.
        CardBehaviour::FailsTwiceThenSucceeds if attempt <= 2 => {
            Err(PaymentError::Transient("processing_error".to_owned()))
        }
        CardBehaviour::FailsTwiceThenSucceeds => Ok(()),
    }
}

/// The outcome of capturing an authorized payment on a card.
pub fn capture_outcome(behaviour: CardBehaviour) -> Result<(), PaymentError> {
    match behaviour {
        CardBehaviour::CaptureFails => Err(PaymentError::Permanent(
            "capture_failed: this test card authorizes but refuses every capture".to_owned(),
        )),
        CardBehaviour::Succeeds
        | CardBehaviour::Declined
        | CardBehaviour::InsufficientFunds
        | CardBehaviour::FailsTwiceThenSucceeds
        | CardBehaviour::FirstAnswerLost => Ok(()),
    }
}

/// Whether the answer to this authorization attempt (counted from 1) is lost after the
/// work is done: the provider keeps the authorization, the caller sees a transient error.
pub fn answer_lost(behaviour: CardBehaviour, attempt: u32) -> bool {
    behaviour == CardBehaviour::FirstAnswerLost && attempt <= 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).unwrap()
    }

    fn today() -> NaiveDate {
        date(2025, 6, 15)
    }

    fn card(number: &str) -> CardInput<'_> {
        CardInput {
            number,
            exp_month: 12,
            exp_year: 2030,
            cvc: "123",
        }
    }

    fn field_of(result: Result<TokenizedCard, InputError>) -> &'static str {
        result.unwrap_err().field
    }

    #[test]
    fn every_test_card_tokenizes_to_its_behaviour() {
        let expected = [
            ("4242424242424242", "visa", "4242", CardBehaviour::Succeeds),
            ("4000000000000002", "visa", "0002", CardBehaviour::Declined),
            (
                "4000000000009995",
                "visa",
                "9995",
                CardBehaviour::InsufficientFunds,
            ),
            (
                "4000000000000119",
                "visa",
                "0119",
                CardBehaviour::FailsTwiceThenSucceeds,
            ),
            (
                "4000000000000341",
                "visa",
                "0341",
                CardBehaviour::CaptureFails,
            ),
            (
                "5555555555554444",
                "mastercard",
                "4444",
                CardBehaviour::Succeeds,
            ),
            (
                "4000000000000077",
                "visa",
                "0077",
                CardBehaviour::FirstAnswerLost,
            ),
        ];
        assert_eq!(expected.len(), TEST_CARDS.len());
        for (number, brand, last4, behaviour) in expected {
            let token = tokenize(card(number), today()).unwrap();
            assert_eq!(
                token,
                TokenizedCard {
                    brand: brand.to_owned(),
                    last4: last4.to_owned(),
                    exp_month: 12,
                    exp_year: 2030,
                    behaviour,
                },
                "{number}"
            );
        }
    }

    #[test]
    fn test_cards_are_valid_unique_and_documented() {
        for (i, (number, _, docs)) in TEST_CARDS.iter().enumerate() {
            assert!(luhn_valid(number), "{number} fails Luhn");
            assert_ne!(brand(number), "unknown", "{number}");
            assert!(!docs.is_empty());
            assert!(TEST_CARDS[i + 1..]
                .iter()
                .all(|(other, _, _)| other != number));
        }
    }

    #[test]
    fn spaces_and_dashes_are_accepted() {
        for number in [
            "4242 4242 4242 4242",
            "4242-4242-4242-4242",
            " 4242 4242-4242 4242 ",
            "5555 5555 5555 4444",
        ] {
            assert!(tokenize(card(number), today()).is_ok(), "{number}");
        }
    }

    #[test]
    fn luhn_failures_are_refused() {
        for number in [
            "4242424242424241",
            "4242424242424243",
            "4000000000000003",
            "5555555555554445",
            // Two adjacent digits swapped.
            "2424424242424242",
        ] {
            let err = tokenize(card(number), today()).unwrap_err();
            assert_eq!(err.field, "number", "{number}");
            assert!(err.message.contains("not valid"), "{number}: {err}");
        }
    }

    #[test]
    fn malformed_numbers_are_refused() {
        for number in [
            "",
            "   ",
            "4242",
            "424242424242",           // 12 digits
            "42424242424242424242",   // 20 digits
            "4242424242424242424242", // far too long
            "4242 4242 4242 424a",
            "4242.4242.4242.4242",
            "４２４２４２４２４２４２４２４２", // full-width digits
        ] {
            assert_eq!(
                field_of(tokenize(card(number), today())),
                "number",
                "{number}"
            );
        }
    }

    #[test]
    fn a_valid_number_that_is_not_a_test_card_is_refused() {
        // 4111 1111 1111 1111 passes Luhn but is not in the sandbox's table.
        let err = tokenize(card("4111 1111 1111 1111"), today()).unwrap_err();
        assert_eq!(err.field, "number");
        assert!(err.message.contains("4242 4242 4242 4242"), "{err}");
    }

    #[test]
    fn errors_never_repeat_the_number_or_cvc() {
        let inputs = [
            ("4111111111111111", 12, 2030, "987"),
            ("4242424242424241", 12, 2030, "987"),
            ("4242424242424242", 13, 2030, "987"),
            ("4242424242424242", 1, 2020, "987"),
            ("4242424242424242", 12, 2030, "98"),
        ];
        for (number, exp_month, exp_year, cvc) in inputs {
            let input = CardInput {
                number,
                exp_month,
                exp_year,
                cvc,
            };
            let err = tokenize(input, today()).unwrap_err();
            assert!(!err.message.contains(number), "{err}");
            assert!(!err.message.contains(cvc), "{err}");
            let debug = format!("{input:?}");
            assert!(!debug.contains(number) && !debug.contains(cvc), "{debug}");
        }
    }

    #[test]
    fn expiring_this_month_is_valid_last_month_is_not() {
        let with_expiry = |exp_month, exp_year| CardInput {
            exp_month,
            exp_year,
            ..card("4242424242424242")
        };
        // Valid through the last day of the month.
        assert!(tokenize(with_expiry(6, 2025), date(2025, 6, 1)).is_ok());
        assert!(tokenize(with_expiry(6, 2025), date(2025, 6, 30)).is_ok());
        assert_eq!(
            field_of(tokenize(with_expiry(5, 2025), date(2025, 6, 1))),
            "expMonth"
        );
        assert_eq!(
            field_of(tokenize(with_expiry(6, 2025), date(2025, 7, 1))),
            "expMonth"
        );
        // Across the turn of the year.
        assert!(tokenize(with_expiry(1, 2026), date(2026, 1, 31)).is_ok());
        assert_eq!(
            field_of(tokenize(with_expiry(12, 2025), date(2026, 1, 1))),
            "expYear"
        );
        // A later year with an earlier month is fine.
        assert!(tokenize(with_expiry(1, 2026), date(2025, 12, 31)).is_ok());
    }

    #[test]
    fn bad_months_and_years_are_refused() {
        let with_expiry = |exp_month, exp_year| CardInput {
            exp_month,
            exp_year,
            ..card("4242424242424242")
        };
        assert_eq!(
            field_of(tokenize(with_expiry(0, 2030), today())),
            "expMonth"
        );
        assert_eq!(
            field_of(tokenize(with_expiry(13, 2030), today())),
            "expMonth"
        );
        assert_eq!(
            field_of(tokenize(with_expiry(u32::MAX, 2030), today())),
            "expMonth"
        );
        assert_eq!(
            field_of(tokenize(with_expiry(12, 2024), today())),
            "expYear"
        );
        assert_eq!(field_of(tokenize(with_expiry(12, -1), today())), "expYear");
        assert_eq!(
            field_of(tokenize(with_expiry(12, i32::MIN), today())),
            "expYear"
        );
        assert_eq!(
            field_of(tokenize(with_expiry(12, i32::MAX), today())),
            "expYear"
        );
        assert_eq!(
            field_of(tokenize(with_expiry(12, 2076), today())),
            "expYear"
        );
        assert!(tokenize(with_expiry(12, 2075), today()).is_ok());
    }

    #[test]
    fn two_digit_years_are_read_as_this_century() {
        let input = CardInput {
            exp_year: 30,
            ..card("4242424242424242")
        };
        assert_eq!(tokenize(input, today()).unwrap().exp_year, 2030);
        let expired = CardInput {
            exp_year: 24,
            ..card("4242424242424242")
        };
        assert_eq!(field_of(tokenize(expired, today())), "expYear");
    }

    #[test]
    fn cvc_must_be_three_or_four_digits() {
        for cvc in ["123", "1234", " 123 ", "000"] {
            let input = CardInput {
                cvc,
                ..card("4242424242424242")
            };
            assert!(tokenize(input, today()).is_ok(), "{cvc:?}");
        }
        for cvc in ["", "12", "12345", "12a", "1 23", "-12", "１２３"] {
            let input = CardInput {
                cvc,
                ..card("4242424242424242")
            };
            assert_eq!(field_of(tokenize(input, today())), "cvc", "{cvc:?}");
        }
    }

    #[test]
    fn authorize_outcomes() {
        assert_eq!(authorize_outcome(CardBehaviour::Succeeds, 1), Ok(()));
        assert_eq!(authorize_outcome(CardBehaviour::CaptureFails, 1), Ok(()));
        assert_eq!(
            authorize_outcome(CardBehaviour::Declined, 1),
            Err(PaymentError::Declined {
                code: "card_declined".to_owned(),
                message: "Your card was declined.".to_owned(),
            })
        );
        assert_eq!(
            authorize_outcome(CardBehaviour::InsufficientFunds, 1),
            Err(PaymentError::Declined {
                code: "insufficient_funds".to_owned(),
                message: "Your card has insufficient funds.".to_owned(),
            })
        );
        // A decline is final: asking again does not change the answer.
        assert!(matches!(
            authorize_outcome(CardBehaviour::Declined, 5),
            Err(PaymentError::Declined { .. })
        ));
    }

    #[test]
    fn the_flaky_card_fails_twice_then_succeeds() {
        let transient = Err(PaymentError::Transient("processing_error".to_owned()));
        let card = CardBehaviour::FailsTwiceThenSucceeds;
        assert_eq!(authorize_outcome(card, 0), transient);
        assert_eq!(authorize_outcome(card, 1), transient);
        assert_eq!(authorize_outcome(card, 2), transient);
        assert_eq!(authorize_outcome(card, 3), Ok(()));
        assert_eq!(authorize_outcome(card, 4), Ok(()));
        assert_eq!(authorize_outcome(card, u32::MAX), Ok(()));
        assert!(authorize_outcome(card, 1).unwrap_err().is_transient());
    }

    #[test]
    fn only_the_first_answer_of_the_lossy_card_is_lost() {
        let card = CardBehaviour::FirstAnswerLost;
        assert_eq!(authorize_outcome(card, 1), Ok(()));
        assert!(answer_lost(card, 1));
        assert!(!answer_lost(card, 2));
        assert!(!answer_lost(CardBehaviour::Succeeds, 1));
        assert_eq!(payment_method_behaviour("pm_card_unknown"), None);
    }

    #[test]
    fn a_token_says_what_its_card_does() {
        for &(_, behaviour, _) in TEST_CARDS {
            let token = new_token(behaviour, &[0xab; 16]);
            assert!(token.starts_with("tok_"), "{token}");
            assert_eq!(token_behaviour(&token), Some(behaviour), "{token}");
        }
        assert_eq!(
            new_token(CardBehaviour::FailsTwiceThenSucceeds, &[1; 16]),
            "tok_fails_twice_then_succeeds_01010101010101010101010101010101"
        );
        assert_eq!(
            token_behaviour("pm_card_chargeDeclined"),
            Some(CardBehaviour::Declined)
        );
        // Tokens from before (random only), made-up behaviours and short randoms say nothing.
        assert_eq!(
            token_behaviour("tok_0123456789abcdef0123456789abcdef"),
            None
        );
        assert_eq!(
            token_behaviour("tok_free_money_0123456789abcdef0123456789abcdef"),
            None
        );
        assert_eq!(token_behaviour("tok_succeeds_0123"), None);
        assert_eq!(
            token_behaviour("tok_succeeds_0123456789abcdef0123456789abcdeg"),
            None
        );
    }

    #[test]
    fn capture_outcomes() {
        for (_, behaviour, _) in TEST_CARDS {
            let outcome = capture_outcome(*behaviour);
            if *behaviour == CardBehaviour::CaptureFails {
                match outcome {
                    Err(PaymentError::Permanent(detail)) => {
                        assert!(detail.starts_with("capture_failed: "), "{detail}")
                    }
                    other => panic!("expected a permanent failure, got {other:?}"),
                }
            } else {
                assert_eq!(outcome, Ok(()), "{behaviour:?}");
            }
        }
    }

    #[test]
    fn behaviour_names_round_trip() {
        let all = [
            CardBehaviour::Succeeds,
            CardBehaviour::Declined,
            CardBehaviour::InsufficientFunds,
            CardBehaviour::FailsTwiceThenSucceeds,
            CardBehaviour::CaptureFails,
            CardBehaviour::FirstAnswerLost,
        ];
        for behaviour in all {
            // Every behaviour has a card and a Stripe test PaymentMethod.
            assert_eq!(
                TEST_CARDS
                    .iter()
                    .find(|(_, b, _)| *b == behaviour)
                    .map(|c| c.0),
                Some(test_card(behaviour))
            );
            let payment_method = test_payment_method(behaviour);
            assert_eq!(payment_method_behaviour(payment_method), Some(behaviour));
            assert_eq!(
                CardBehaviour::parse("behaviour", behaviour.as_str()),
                Ok(behaviour)
            );
            assert_eq!(
                serde_json::to_string(&behaviour).unwrap(),
                format!("\"{}\"", behaviour.as_str())
            );
        }
        let err = CardBehaviour::parse("behaviour", "succeeds").unwrap_err();
        assert_eq!(err.field, "behaviour");
    }

    #[test]
    fn tokenized_card_round_trips_through_json() {
        let token = tokenize(card("4000000000000341"), today()).unwrap();
        let json = serde_json::to_string(&token).unwrap();
        assert!(!json.contains("4000000000000341"), "{json}");
        assert_eq!(serde_json::from_str::<TokenizedCard>(&json).unwrap(), token);
    }
}
