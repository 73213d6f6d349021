//! One checkout from the chosen flights to a booking: the cabin and brand each fare buys
//! and its price, the passengers' details checked with the booking's own rules, the sandbox card
//! form, the idempotency key that makes a double click or a retry book once, and what each
//! failure asks the traveller to do next.

use airline_booking::plan::{check_birth_date, check_name, party_total};
use airline_booking::saga::FailureCode;
use airline_domain::Money;
use airline_payments::sandbox::{CardBehaviour, TEST_CARDS};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::brand::{FareBrand, FareBrands};
use crate::cabin::{cabin_name, fare_in, Cabin, CabinFare, FareCabins};
use crate::fare::{Leg, LegChoice, PerLeg};
use crate::{Locale, Msg};

/// Everything chosen so far, kept in session storage so a reload, a detour through sign-in
/// or a retry after a declined card resumes the same checkout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Checkout {
    /// The results page this checkout came from, to go back to.
    pub search_query: String,
    pub passengers: u32,
    pub outbound: Option<String>,
    pub inbound: Option<String>,
    /// The cabin each flight's fare buys. A checkout kept from before cabins were sold
    /// reads as Economy, which is what it was buying.
    #[serde(default)]
    pub cabins: FareCabins,
    /// The brand each flight's fare is sold in. A checkout kept from before brands were
    /// sold reads as Flex, the full fare it was priced at.
    #[serde(default)]
    pub brands: FareBrands,
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
    /// Starts a checkout for the flights, cabins and brands chosen on a results page.
    pub fn start(
        search_query: String,
        passengers: u32,
        outbound: String,
        inbound: Option<String>,
        (cabins, brands): (FareCabins, FareBrands),
        key: String,
    ) -> Checkout {
        let mut checkout = Checkout {
            search_query,
            passengers,
            outbound: Some(outbound),
            inbound,
            travellers: vec![Traveller::default(); passengers as usize],
            idempotency_key: key,
            ..Checkout::default()
        };
        checkout.cabins = checkout.for_trip(cabins);
        checkout.brands = checkout.for_trip(brands);
        checkout
    }

    /// `choice` for this trip: a one-way trip has no return cabin or brand to speak of.
    fn for_trip<T: LegChoice>(&self, choice: PerLeg<T>) -> PerLeg<T> {
        PerLeg {
            inbound: if self.inbound.is_some() {
                choice.inbound
            } else {
                T::default()
            },
            ..choice
        }
    }

    /// Takes on the cabins and brands a booking page's address names (the address is
    /// what the traveller sees, reloads and goes Back to). A flight whose cabin changes
    /// loses the seats chosen on it, which were in the other cabin; and any change takes
    /// a new idempotency key from `new_key`, because another fare is another purchase,
    /// which the API refuses under a key already used. Returns whether anything changed.
    pub fn choose_fares(
        &mut self,
        (cabins, brands): (FareCabins, FareBrands),
        new_key: impl FnOnce() -> String,
    ) -> bool {
        let cabins = self.for_trip(cabins);
        let brands = self.for_trip(brands);
        if cabins == self.cabins && brands == self.brands {
            return false;
        }
        if cabins.outbound != self.cabins.outbound {
            self.outbound_seats.clear();
        }
        if cabins.inbound != self.cabins.inbound {
            self.inbound_seats.clear();
        }
        self.cabins = cabins;
        self.brands = brands;
        self.idempotency_key = new_key();
        true
    }

    /// A booking page's address for this checkout, with its cabins and brands:
    /// `/book/seats?cabin=BUSINESS&brand=LIGHT`, or plain `/book/seats` for Economy Flex.
    pub fn page_path(&self, path: &str) -> String {
        let round_trip = self.inbound.is_some();
        let mut pairs = self.cabins.query_pairs(round_trip);
        pairs.extend(self.brands.query_pairs(round_trip));
        if pairs.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{}", pairs.join("&"))
        }
    }

    /// The brands as `processBooking` takes them: the outbound's, and the return's on a
    /// round trip.
    pub fn booking_brands(&self) -> (FareBrand, Option<FareBrand>) {
        (
            self.brands.outbound,
            self.inbound.as_ref().map(|_| self.brands.inbound),
        )
    }

    /// The cabins as `processBooking` takes them: the outbound's, and the return's on a
    /// round trip.
    pub fn booking_cabins(&self) -> (Cabin, Option<Cabin>) {
        (
            self.cabins.outbound,
            self.inbound.as_ref().map(|_| self.cabins.inbound),
        )
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

/// Each flight's fare for one passenger in its chosen cabin and brand, outbound first,
/// from the cabins each flight sells (`flights`, outbound first). `Err` names the first
/// flight that does not sell its chosen cabin, which the booking would refuse.
pub fn leg_fares(
    flights: &[Vec<CabinFare>],
    cabins: FareCabins,
    brands: FareBrands,
) -> Result<Vec<Money>, Leg> {
    flights
        .iter()
        .zip([Leg::Outbound, Leg::Return])
        .map(|(sold, leg)| {
            fare_in(sold, cabins.of(leg))
                .map(|cabin_fare| brands.of(leg).fare(cabin_fare))
                .ok_or(leg)
        })
        .collect()
}

/// What the booking will charge the party for these fares (outbound first): the price
/// summary's total. `None` without a fare, or where the booking's rule refuses.
pub fn party_price_of(fares: &[Money], passengers: u32) -> Option<Money> {
    party_price(*fares.first()?, fares.get(1).copied(), passengers)
}

/// Where on the checkout a `processBooking` input problem belongs: with one flight's
/// cabin, or with the seats chosen on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlightField {
    Cabin(Leg),
    Seats(Leg),
}

impl FlightField {
    const ALL: [FlightField; 4] = [
        Self::Cabin(Leg::Outbound),
        Self::Cabin(Leg::Return),
        Self::Seats(Leg::Outbound),
        Self::Seats(Leg::Return),
    ];

    /// The GraphQL `extensions.field` that names it.
    pub fn api_name(self) -> &'static str {
        match self {
            Self::Cabin(Leg::Outbound) => "outboundCabin",
            Self::Cabin(Leg::Return) => "returnCabin",
            Self::Seats(Leg::Outbound) => "seats.outbound",
            Self::Seats(Leg::Return) => "seats.return",
        }
    }

    /// The flight part a GraphQL `extensions.field` names.
    pub fn from_api(field: &str) -> Option<FlightField> {
        Self::ALL
            .into_iter()
            .find(|candidate| candidate.api_name() == field)
    }

    pub fn leg(self) -> Leg {
        match self {
            Self::Cabin(leg) | Self::Seats(leg) => leg,
        }
    }

    /// The way forward: another fare from the flights, or other seats.
    pub fn next_step(self) -> NextStep {
        match self {
            Self::Cabin(_) => NextStep::BackToResults,
            Self::Seats(_) => NextStep::PickSeatsAgain,
        }
    }

    /// The problem in words: a cabin the flight lacks is named in the traveller's
    /// language; a seat problem keeps the API's own account of it (which seat, and why),
    /// without the field name the API puts before it.
    pub fn explain(self, cabins: FareCabins, api_message: &str, locale: Locale) -> String {
        match self {
            Self::Cabin(leg) => {
                Msg::CabinNotSold.fill(locale, &[cabin_name(cabins.of(leg)).text(locale)])
            }
            Self::Seats(_) => {
                let prefix = format!("{}: ", self.api_name());
                let detail = api_message.strip_prefix(&prefix).unwrap_or(api_message);
                Msg::ErrSeatsRefused.fill(locale, &[detail])
            }
        }
    }
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

    fn economy() -> FareCabins {
        FareCabins::default()
    }

    fn flex() -> FareBrands {
        FareBrands::default()
    }

    #[test]
    fn a_checkout_is_complete_with_everyone_named_and_seats_for_all_or_none() {
        let mut checkout = Checkout::start(
            "q".into(),
            2,
            "EA1-20261210".into(),
            None,
            (economy(), flex()),
            "k".into(),
        );
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
            (
                FareCabins {
                    outbound: Cabin::Business,
                    inbound: Cabin::Economy,
                },
                FareBrands {
                    outbound: FareBrand::Light,
                    inbound: FareBrand::Standard,
                },
            ),
            "key".into(),
        );
        let text = serde_json::to_string(&checkout).unwrap();
        assert_eq!(serde_json::from_str::<Checkout>(&text).unwrap(), checkout);
        // One kept before cabins were sold was buying Economy.
        let old = text.replace(
            r#""cabins":{"outbound":"BUSINESS","inbound":"ECONOMY"},"#,
            "",
        );
        assert_ne!(old, text);
        assert_eq!(
            serde_json::from_str::<Checkout>(&old).unwrap().cabins,
            economy()
        );
        // And one kept before brands were sold, the full fare: Flex.
        let old = text.replace(r#""brands":{"outbound":"LIGHT","inbound":"STANDARD"},"#, "");
        assert_ne!(old, text);
        assert_eq!(
            serde_json::from_str::<Checkout>(&old).unwrap().brands,
            flex()
        );
    }

    fn round_trip(cabins: FareCabins) -> Checkout {
        Checkout::start(
            "from=LHR".into(),
            2,
            "EA1-20261210".into(),
            Some("EA2-20261217".into()),
            (cabins, flex()),
            "first-key".into(),
        )
    }

    #[test]
    fn booking_pages_carry_the_cabins_in_their_address() {
        let business = FareCabins::both(Cabin::Business);
        let checkout = round_trip(business);
        assert_eq!(
            checkout.page_path("/book/seats"),
            "/book/seats?cabin=BUSINESS&return_cabin=BUSINESS"
        );
        assert_eq!(
            checkout.booking_cabins(),
            (Cabin::Business, Some(Cabin::Business))
        );
        // One way: no return cabin, in the address or the booking.
        let one_way = Checkout::start(
            "q".into(),
            1,
            "EA1-20261210".into(),
            None,
            (business, flex()),
            "k".into(),
        );
        assert_eq!(
            one_way.page_path("/book/checkout"),
            "/book/checkout?cabin=BUSINESS"
        );
        assert_eq!(one_way.booking_cabins(), (Cabin::Business, None));
        // Economy both ways: the plain address.
        assert_eq!(
            round_trip(economy()).page_path("/book/seats"),
            "/book/seats"
        );
        assert_eq!(
            round_trip(economy()).booking_cabins(),
            (Cabin::Economy, Some(Cabin::Economy))
        );
        assert_eq!(one_way.cabins.inbound, Cabin::Economy);
        // What the address says is what the page reads back.
        let query = checkout.page_path("/book/seats");
        let (_, query) = query.split_once('?').unwrap();
        let read = FareCabins::from_query(|key| {
            query
                .split('&')
                .filter_map(|pair| pair.split_once('='))
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v.to_owned())
        });
        assert_eq!(read, checkout.cabins);
    }

    #[test]
    fn another_cabin_drops_that_flights_seats_and_is_a_new_purchase() {
        let mut checkout = round_trip(economy());
        checkout.outbound_seats = vec!["12A".into(), "12B".into()];
        checkout.inbound_seats = vec!["14A".into(), "14B".into()];
        let unchanged = checkout.clone();
        assert!(!checkout.choose_fares((economy(), flex()), || "new-key".into()));
        assert_eq!(checkout, unchanged, "the same cabins change nothing");

        let mut keys = 0;
        let changed = checkout.choose_fares(
            (
                FareCabins {
                    outbound: Cabin::Business,
                    inbound: Cabin::Economy,
                },
                flex(),
            ),
            || {
                keys += 1;
                "new-key".into()
            },
        );
        assert!(changed);
        assert_eq!(keys, 1);
        assert_eq!(checkout.idempotency_key, "new-key");
        assert!(checkout.outbound_seats.is_empty(), "they were in Economy");
        assert_eq!(checkout.inbound_seats, ["14A", "14B"], "still in Economy");
        assert_eq!(checkout.cabins.outbound, Cabin::Business);

        // A one-way trip ignores a return cabin in the address.
        let mut one_way = Checkout::start(
            "q".into(),
            1,
            "EA1-20261210".into(),
            None,
            (economy(), flex()),
            "k".into(),
        );
        assert!(!one_way.choose_fares(
            (
                FareCabins {
                    outbound: Cabin::Economy,
                    inbound: Cabin::Business
                },
                FareBrands {
                    outbound: FareBrand::Flex,
                    inbound: FareBrand::Light
                }
            ),
            || "new".into()
        ));
        assert_eq!(one_way.idempotency_key, "k");
    }

    #[test]
    fn another_brand_is_a_new_purchase_that_keeps_the_seats() {
        let mut checkout = round_trip(economy());
        checkout.outbound_seats = vec!["12A".into(), "12B".into()];
        let light = FareBrands {
            outbound: FareBrand::Light,
            inbound: FareBrand::Flex,
        };
        assert!(checkout.choose_fares((economy(), light), || "light-key".into()));
        assert_eq!(checkout.idempotency_key, "light-key");
        assert_eq!(checkout.outbound_seats, ["12A", "12B"], "the same cabin");
        assert_eq!(
            checkout.page_path("/book/checkout"),
            "/book/checkout?brand=LIGHT"
        );
        assert_eq!(
            checkout.booking_brands(),
            (FareBrand::Light, Some(FareBrand::Flex))
        );
        checkout.cabins = FareCabins::both(Cabin::Business);
        assert_eq!(
            checkout.page_path("/book/seats"),
            "/book/seats?cabin=BUSINESS&return_cabin=BUSINESS&brand=LIGHT"
        );
        // The fares are the brand's share of each cabin fare, as the booking prices them.
        let out = sold(gbp(36_000), &Cabin::ALL);
        let back = sold(gbp(30_000), &Cabin::ALL);
        let fares = leg_fares(&[out, back], economy(), light).unwrap();
        assert_eq!(fares, [gbp(25_200), gbp(30_000)]);
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

    fn gbp(minor: i64) -> Money {
        Money::from_minor(
            minor,
            airline_domain::Currency::parse("test", "GBP").unwrap(),
        )
    }

    /// The cabins a flight with this Economy fare sells, as the API lists them.
    fn sold(economy: Money, cabins: &[Cabin]) -> Vec<CabinFare> {
        cabins
            .iter()
            .map(|&cabin| CabinFare {
                cabin,
                fare: cabin.fare(economy).unwrap(),
            })
            .collect()
    }

    #[test]
    fn the_summary_prices_each_flight_in_its_cabin() {
        let out = sold(gbp(36_000), &Cabin::ALL);
        let back = sold(gbp(30_000), &Cabin::ALL);
        let business = FareCabins::both(Cabin::Business);
        let fares = leg_fares(&[out.clone(), back.clone()], business, flex()).unwrap();
        assert_eq!(fares, [gbp(108_000), gbp(90_000)]);
        assert_eq!(party_price_of(&fares, 2), Some(gbp(2 * (108_000 + 90_000))));
        let mixed = FareCabins {
            outbound: Cabin::Business,
            inbound: Cabin::Economy,
        };
        let fares = leg_fares(&[out.clone(), back], mixed, flex()).unwrap();
        assert_eq!(party_price_of(&fares, 3), Some(gbp(3 * (108_000 + 30_000))));
        // A flight that sells Economy only cannot be priced in Business: it is named.
        let atr = sold(gbp(12_000), &[Cabin::Economy]);
        assert_eq!(leg_fares(&[out, atr], business, flex()), Err(Leg::Return));
        assert_eq!(party_price_of(&[], 1), None);
    }

    #[test]
    fn the_summary_charges_exactly_what_the_booking_will() {
        use airline_booking::plan::{plan_booking, BookingRequest, PassengerInput};
        use airline_domain::{
            AccountId, AircraftType, Airport, AirportCode, Flight, FlightId, FlightNumber,
            FlightStatus, GeoPoint, TimeZone,
        };
        use chrono::{DateTime, Duration, Utc};

        let at = |text: &str| {
            DateTime::parse_from_rfc3339(text)
                .unwrap()
                .with_timezone(&Utc)
        };
        let airport = |code: &str, zone: &str| Airport {
            code: AirportCode::parse("code", code).unwrap(),
            name: code.into(),
            city: code.into(),
            country: "XX".into(),
            time_zone: TimeZone::parse("timeZone", zone).unwrap(),
            location: GeoPoint::new(0.0, 0.0).unwrap(),
        };
        let flight = |number: &str, from: Airport, to: Airport, departure: &str, fare: Money| {
            let departure = at(departure);
            let number = FlightNumber::parse("number", number).unwrap();
            let aircraft = AircraftType::A321Neo;
            Flight {
                id: FlightId::new(&number, from.time_zone.date_at(departure)),
                number,
                origin: from,
                destination: to,
                departure,
                arrival: departure + Duration::hours(7),
                fare,
                seat_capacity: aircraft.seat_capacity(),
                seats_available: aircraft.seat_capacity(),
                aircraft,
                status: FlightStatus::Scheduled,
            }
        };
        let lhr = || airport("LHR", "Europe/London");
        let jfk = || airport("JFK", "America/New_York");
        let usd = Money::from_minor(44_900, airline_domain::Currency::parse("t", "USD").unwrap());
        let outbound = flight("EA117", lhr(), jfk(), "2026-11-25T10:00:00Z", gbp(45_000));
        let inbound = flight("EA118", jfk(), lhr(), "2026-12-02T22:00:00Z", usd);
        let fares = Cabin::ALL
            .into_iter()
            .flat_map(|cabin| FareBrand::ALL.map(|brand| (cabin, brand)));
        for (out_cabin, out_brand) in fares.clone() {
            for (back_cabin, back_brand) in fares.clone() {
                let request = BookingRequest {
                    customer_id: AccountId::trusted("acc_alice"),
                    idempotency_key: "2b1f7c4e-0d3a-4c55-9e8b-6a7d1f00c0de".into(),
                    passengers: ["Ada", "Bo"]
                        .map(|first| PassengerInput {
                            first_name: first.into(),
                            last_name: "Lovelace".into(),
                            date_of_birth: None,
                        })
                        .into(),
                    outbound_seats: Vec::new(),
                    return_seats: Vec::new(),
                    outbound_cabin: out_cabin,
                    return_cabin: Some(back_cabin),
                    outbound_brand: out_brand,
                    return_brand: Some(back_brand),
                    payment_token: "tok_4242_0".into(),
                };
                let plan = plan_booking(
                    &request,
                    &outbound,
                    Some(&inbound),
                    at("2026-11-24T06:00:00Z"),
                )
                .unwrap();
                let cabins = FareCabins {
                    outbound: out_cabin,
                    inbound: back_cabin,
                };
                let brands = FareBrands {
                    outbound: out_brand,
                    inbound: back_brand,
                };
                let sells = |flight: &Flight| sold(flight.fare, &Cabin::ALL);
                let fares =
                    leg_fares(&[sells(&outbound), sells(&inbound)], cabins, brands).unwrap();
                assert_eq!(
                    party_price_of(&fares, 2),
                    Some(plan.total),
                    "{out_cabin} {out_brand} out, {back_cabin} {back_brand} back"
                );
            }
        }
    }

    #[test]
    fn cabin_and_seat_problems_from_the_api_sit_with_their_flight() {
        assert_eq!(
            FlightField::from_api("outboundCabin"),
            Some(FlightField::Cabin(Leg::Outbound))
        );
        assert_eq!(
            FlightField::from_api("seats.return"),
            Some(FlightField::Seats(Leg::Return))
        );
        assert_eq!(FlightField::from_api("passengers.lastName"), None);
        for field in FlightField::ALL {
            assert_eq!(FlightField::from_api(field.api_name()), Some(field));
        }
        assert_eq!(FlightField::Seats(Leg::Return).leg(), Leg::Return);
        let cabins = FareCabins {
            outbound: Cabin::Economy,
            inbound: Cabin::Business,
        };
        let no_cabin = FlightField::from_api("returnCabin").unwrap();
        assert_eq!(no_cabin.next_step(), NextStep::BackToResults);
        assert_eq!(
            no_cabin.explain(cabins, "flight EA2 has no Business cabin", Locale::En),
            "This flight has no Business cabin. Go back to the flights and choose another fare."
        );
        assert!(no_cabin
            .explain(cabins, "", Locale::De)
            .starts_with("Dieser Flug hat keine Business-Kabine."));
        let seats = FlightField::Seats(Leg::Outbound);
        assert_eq!(seats.next_step(), NextStep::PickSeatsAgain);
        let refused =
            "These seats cannot be booked: seat 1A is in Business; an Economy fare sits in Economy";
        assert_eq!(
            seats.explain(
                cabins,
                "seat 1A is in Business; an Economy fare sits in Economy",
                Locale::En
            ),
            refused
        );
        // The API writes the field before its message: the traveller needs only the words.
        assert_eq!(
            seats.explain(
                cabins,
                "seats.outbound: seat 1A is in Business; an Economy fare sits in Economy",
                Locale::En
            ),
            refused
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
