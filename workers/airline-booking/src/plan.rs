//! A booking request, checked and priced into a [`BookingPlan`]: the immutable input the
//! saga works from. Everything a traveller can get wrong is refused here, before any seat
//! or money moves.

use airline_domain::{
    AccountId, BookingId, Cabin, FareBrand, FareConditions, Flight, FlightStatus, InputError,
    Money, PaymentToken,
};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::seatmap::{SeatError, SeatId, SeatMap, MAX_PARTY};

/// Sales close this long before departure (check-in and boarding need the time).
pub const SALES_CLOSE_BEFORE_DEPARTURE: Duration = Duration::minutes(45);
/// A return flight must leave at least this long after the outbound lands.
pub const MIN_CONNECTION: Duration = Duration::hours(2);

/// A traveller as booked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Passenger {
    pub first_name: String,
    pub last_name: String,
    pub date_of_birth: Option<NaiveDate>,
}

/// A passenger as typed into the form.
#[derive(Debug, Clone, Default)]
pub struct PassengerInput {
    pub first_name: String,
    pub last_name: String,
    pub date_of_birth: Option<String>,
}

/// One flight of the booking, with what the saga needs to hold and price it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlannedFlight {
    pub flight_id: String,
    pub departure_utc: DateTime<Utc>,
    /// Aircraft type code and sellable seats, so the flight's inventory object can build
    /// its seat map on first use without reading the catalog.
    pub aircraft: String,
    pub seat_capacity: u32,
    /// The cabin the fare buys: its seats are the only ones held. Bookings made before
    /// cabins were sold read as Economy.
    #[serde(default)]
    pub cabin: Cabin,
    /// The fare's brand, and the conditions it was sold with (fees in `fare_currency`),
    /// which cancellation and changes go by. Bookings made before brands were sold paid
    /// the full fare, and read as Flex with its full refund.
    #[serde(default)]
    pub brand: FareBrand,
    #[serde(default)]
    pub conditions: FareConditions,
    /// Fare per passenger in the cabin and brand, minor units, in `fare_currency`.
    pub fare_amount: i64,
    pub fare_currency: String,
    /// Seats the traveller chose on this flight, one per passenger; empty = assign.
    pub seats: Vec<SeatId>,
}

/// Everything the saga needs, fixed when the booking starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BookingPlan {
    pub booking_id: BookingId,
    pub customer_id: AccountId,
    pub flights: Vec<PlannedFlight>,
    pub passengers: Vec<Passenger>,
    /// Stored as `totalAmount` (minor units) and `totalCurrency`, as it always was.
    #[serde(flatten, with = "crate::stored_total")]
    pub total: Money,
    pub payment_token: PaymentToken,
    pub created_at: DateTime<Utc>,
    /// A digest of the request: the same idempotency key with a different request is a
    /// conflict, not a silent replay of the first one.
    pub fingerprint: String,
}

/// The booking request as the API received it, before any check.
#[derive(Debug, Clone)]
pub struct BookingRequest {
    pub customer_id: AccountId,
    pub idempotency_key: String,
    pub passengers: Vec<PassengerInput>,
    /// Seats per flight as typed ("12C"), outbound first; empty = assign.
    pub outbound_seats: Vec<String>,
    pub return_seats: Vec<String>,
    /// The cabin each flight's fare buys; the return's defaults to the outbound's.
    pub outbound_cabin: Cabin,
    pub return_cabin: Option<Cabin>,
    /// The brand each flight's fare is sold in; the return's defaults to the outbound's.
    pub outbound_brand: FareBrand,
    pub return_brand: Option<FareBrand>,
    pub payment_token: String,
}

/// The booking id for a customer's idempotency key: the same key always reaches the same
/// booking (and so the same workflow object), and keys of different customers never meet.
pub fn booking_id(customer_id: &AccountId, idempotency_key: &str) -> BookingId {
    let digest = Sha256::digest(format!("{customer_id}\n{idempotency_key}").as_bytes());
    BookingId::from_digest(&digest)
}

/// Checks a request against the flights it names (outbound, then the optional return) and
/// prices it. `now` decides what is still on sale.
pub fn plan_booking(
    request: &BookingRequest,
    outbound: &Flight,
    inbound: Option<&Flight>,
    now: DateTime<Utc>,
) -> Result<BookingPlan, InputError> {
    check_idempotency_key(&request.idempotency_key)?;
    let passengers = check_passengers(&request.passengers, now.date_naive())?;
    let payment_token = PaymentToken::parse("paymentToken", request.payment_token.trim())?;
    check_on_sale("outboundFlightId", outbound, now)?;
    let outbound_cabin = check_cabin("outboundCabin", outbound, request.outbound_cabin)?;
    let mut flights = vec![planned(
        outbound,
        outbound_cabin,
        request.outbound_brand,
        parse_seats(
            "seats.outbound",
            &request.outbound_seats,
            passengers.len(),
            outbound,
            outbound_cabin,
        )?,
    )?];
    if let Some(inbound) = inbound {
        check_on_sale("returnFlightId", inbound, now)?;
        if inbound.origin.code != outbound.destination.code
            || inbound.destination.code != outbound.origin.code
        {
            return Err(InputError::new(
                "returnFlightId",
                format!(
                    "the return flight must fly {} to {}",
                    outbound.destination.code, outbound.origin.code
                ),
            ));
        }
        if inbound.departure < outbound.arrival + MIN_CONNECTION {
            return Err(InputError::new(
                "returnFlightId",
                "the return flight must leave at least 2 hours after the outbound flight lands",
            ));
        }
        let return_cabin = check_cabin(
            "returnCabin",
            inbound,
            request.return_cabin.unwrap_or(outbound_cabin),
        )?;
        flights.push(planned(
            inbound,
            return_cabin,
            request.return_brand.unwrap_or(request.outbound_brand),
            parse_seats(
                "seats.return",
                &request.return_seats,
                passengers.len(),
                inbound,
                return_cabin,
            )?,
        )?);
    } else if !request.return_seats.is_empty() {
        return Err(InputError::new(
            "seats.return",
            "return seats were chosen but there is no return flight",
        ));
    }
    let total = price(&flights, passengers.len())?;
    let fingerprint = fingerprint(&flights, &passengers, payment_token.as_str());
    Ok(BookingPlan {
        booking_id: booking_id(&request.customer_id, &request.idempotency_key),
        customer_id: request.customer_id.clone(),
        flights,
        passengers,
        total,
        payment_token,
        created_at: now,
        fingerprint,
    })
}

/// The party's total for the planned flights' cabin fares, in the outbound fare's currency
/// (a return fare in another currency is converted at the reference rates).
fn price(flights: &[PlannedFlight], passengers: usize) -> Result<Money, InputError> {
    let fare = |flight: &PlannedFlight| {
        airline_domain::Currency::parse("fareCurrency", &flight.fare_currency)
            .map(|currency| Money::from_minor(flight.fare_amount, currency))
    };
    let (outbound, inbound) = match flights {
        [outbound] => (fare(outbound)?, None),
        [outbound, inbound] => (fare(outbound)?, Some(fare(inbound)?)),
        _ => {
            return Err(InputError::new(
                "outboundFlightId",
                "a booking has one or two flights",
            ))
        }
    };
    party_total(outbound, inbound, passengers)
}

impl BookingPlan {
    /// What the traveller's own cancellation gives back under the conditions each fare
    /// was sold with: per flight and passenger, the fare less its refund fee (nothing for
    /// a fare that refunds nothing), added up the way the total was. Never more than the
    /// total; all of it when every fare refunds in full.
    pub fn refund_on_cancellation(&self) -> Money {
        let refunded = |flight: &PlannedFlight| {
            airline_domain::Currency::parse("fareCurrency", &flight.fare_currency)
                .ok()
                .map(|currency| {
                    flight
                        .conditions
                        .refund
                        .refund_of(Money::from_minor(flight.fare_amount, currency))
                })
        };
        let (outbound, inbound) = match self.flights.as_slice() {
            [outbound] => (refunded(outbound), None),
            [outbound, inbound] => (refunded(outbound), refunded(inbound)),
            _ => (None, None),
        };
        outbound
            .and_then(|outbound| party_total(outbound, inbound, self.passengers.len()).ok())
            .filter(|refund| refund.currency() == self.total.currency())
            .map_or(self.total, |refund| {
                Money::from_minor(
                    refund.amount_minor().clamp(0, self.total.amount_minor()),
                    self.total.currency(),
                )
            })
    }
}

/// What a party pays for these fares: each fare times the party, the return converted to
/// the outbound fare's currency at the reference rates. Public so the web app's price
/// summary shows exactly the amount the booking will charge.
pub fn party_total(
    outbound: Money,
    inbound: Option<Money>,
    passengers: usize,
) -> Result<Money, InputError> {
    let too_large = || InputError::new("passengers", "the total is too large");
    let count = u32::try_from(passengers).map_err(|_| too_large())?;
    let mut total = outbound.times(count).ok_or_else(too_large)?;
    if let Some(inbound) = inbound {
        let leg = inbound
            .times(count)
            .and_then(|m| m.convert_to(total.currency()))
            .ok_or_else(|| {
                InputError::new(
                    "returnFlightId",
                    "this return flight cannot be priced in the outbound flight's currency",
                )
            })?;
        total = total.plus(leg).ok_or_else(too_large)?;
    }
    Ok(total)
}

fn planned(
    flight: &Flight,
    cabin: Cabin,
    brand: FareBrand,
    seats: Vec<SeatId>,
) -> Result<PlannedFlight, InputError> {
    let fare = brand.fare(
        cabin
            .fare(flight.fare)
            .ok_or_else(|| InputError::new("passengers", "the total is too large"))?,
    );
    Ok(PlannedFlight {
        flight_id: flight.id.as_str().to_owned(),
        departure_utc: flight.departure,
        aircraft: flight.aircraft.code().to_owned(),
        seat_capacity: flight.seat_capacity,
        cabin,
        brand,
        conditions: brand.conditions(fare),
        fare_amount: fare.amount_minor(),
        fare_currency: fare.currency().code().to_owned(),
        seats,
    })
}

/// The cabin, if the flight sells it: an aircraft without a Business cabin (or one whose
/// Business seats are all blocked) sells Economy only.
fn check_cabin(field: &'static str, flight: &Flight, cabin: Cabin) -> Result<Cabin, InputError> {
    let map = SeatMap::for_flight(flight.aircraft, flight.seat_capacity);
    if map.cabins().contains(&cabin) {
        Ok(cabin)
    } else {
        Err(InputError::new(
            field,
            format!(
                "flight {} has no {cabin} cabin on its {}",
                flight.id.as_str(),
                flight.aircraft.name()
            ),
        ))
    }
}

fn check_on_sale(
    field: &'static str,
    flight: &Flight,
    now: DateTime<Utc>,
) -> Result<(), InputError> {
    if flight.status != FlightStatus::Scheduled {
        return Err(InputError::new(
            field,
            format!("flight {} is cancelled", flight.id.as_str()),
        ));
    }
    if flight.departure - SALES_CLOSE_BEFORE_DEPARTURE <= now {
        return Err(InputError::new(
            field,
            format!(
                "flight {} has departed or closes for sale 45 minutes before departure",
                flight.id.as_str()
            ),
        ));
    }
    Ok(())
}

fn check_idempotency_key(key: &str) -> Result<(), InputError> {
    let ok = (8..=64).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(InputError::new(
            "idempotencyKey",
            "must be 8 to 64 characters of letters, digits, '-' or '_' (a UUID works)",
        ))
    }
}

fn check_passengers(
    inputs: &[PassengerInput],
    today: NaiveDate,
) -> Result<Vec<Passenger>, InputError> {
    if inputs.is_empty() || inputs.len() > MAX_PARTY {
        return Err(InputError::new(
            "passengers",
            format!("a booking has 1 to {MAX_PARTY} passengers"),
        ));
    }
    inputs
        .iter()
        .map(|input| {
            Ok(Passenger {
                first_name: check_name("passengers.firstName", &input.first_name)?,
                last_name: check_name("passengers.lastName", &input.last_name)?,
                date_of_birth: match input.date_of_birth.as_deref().map(str::trim) {
                    None | Some("") => None,
                    Some(text) => Some(check_birth_date(text, today)?),
                },
            })
        })
        .collect()
}

/// Names as on a passport: letters of any script, spaces, hyphens, apostrophes and dots,
/// 1 to 50 characters, trimmed and with inner runs of spaces collapsed. Public so the web
/// app checks a name as it is typed with the very rule the booking applies.
pub fn check_name(field: &'static str, text: &str) -> Result<String, InputError> {
    let name = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let length = name.chars().count();
    if length == 0 || length > 50 {
        return Err(InputError::new(field, "must be 1 to 50 characters"));
    }
    let allowed = |c: char| c.is_alphabetic() || matches!(c, ' ' | '-' | '\'' | '’' | '.');
    if !name.chars().all(allowed) || !name.chars().any(char::is_alphabetic) {
        return Err(InputError::new(
            field,
            "may contain letters, spaces, hyphens, apostrophes and dots only",
        ));
    }
    Ok(name)
}

/// A passenger's birth date: a real date, not in the future, at most 120 years ago.
pub fn check_birth_date(text: &str, today: NaiveDate) -> Result<NaiveDate, InputError> {
    const FIELD: &str = "passengers.dateOfBirth";
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| InputError::new(FIELD, format!("`{text}` is not a date (YYYY-MM-DD)")))?;
    if date > today {
        return Err(InputError::new(FIELD, "is in the future"));
    }
    // Age in full years, as on a passport: 120 is the oldest accepted.
    if today.years_since(date).is_none_or(|age| age > 120) {
        return Err(InputError::new(FIELD, "gives an age over 120 years"));
    }
    Ok(date)
}

/// Seats as typed, checked against the flight's seat map: each must exist on the aircraft
/// and be for sale. Whether it is still free is the inventory's call, at hold time.
fn parse_seats(
    field: &'static str,
    texts: &[String],
    passengers: usize,
    flight: &Flight,
    cabin: Cabin,
) -> Result<Vec<SeatId>, InputError> {
    if texts.is_empty() {
        return Ok(Vec::new());
    }
    if texts.len() != passengers {
        return Err(InputError::new(
            field,
            format!("choose one seat per passenger ({passengers}), or none to have seats assigned"),
        ));
    }
    let map = SeatMap::for_flight(flight.aircraft, flight.seat_capacity);
    let mut seats = Vec::with_capacity(texts.len());
    for text in texts {
        let seat = SeatId::parse(text).map_err(|e| InputError::new(field, e.to_string()))?;
        if seats.contains(&seat) {
            return Err(InputError::new(
                field,
                format!("seat {seat} is chosen twice"),
            ));
        }
        match map.seat(seat) {
            None => {
                return Err(InputError::new(
                    field,
                    format!(
                        "seat {seat} does not exist on this {}",
                        flight.aircraft.name()
                    ),
                ))
            }
            Some(found) if found.blocked => {
                return Err(InputError::new(
                    field,
                    format!("seat {seat} is not for sale"),
                ))
            }
            Some(found) if found.cabin != cabin => {
                return Err(InputError::new(
                    field,
                    SeatError::OtherCabin {
                        seat,
                        cabin: found.cabin,
                        fare: cabin,
                    }
                    .to_string(),
                ))
            }
            Some(_) => {}
        }
        seats.push(seat);
    }
    Ok(seats)
}

/// Digest of the request as understood (names cleaned up, dates parsed), so a retry that
/// differs only in spacing is the same request.
fn fingerprint(flights: &[PlannedFlight], passengers: &[Passenger], payment_token: &str) -> String {
    let mut hasher = Sha256::new();
    for flight in flights {
        hasher.update(flight.flight_id.as_bytes());
        hasher.update(b"|");
        // Economy, the only cabin sold before cabins were, adds nothing: a request made
        // then and repeated now still matches its booking.
        if flight.cabin != Cabin::Economy {
            hasher.update(flight.cabin.as_str().as_bytes());
            hasher.update(b"|");
        }
        // Likewise Flex, the full fare every booking paid before brands were sold.
        if flight.brand != FareBrand::Flex {
            hasher.update(flight.brand.as_str().as_bytes());
            hasher.update(b"|");
        }
        for seat in &flight.seats {
            hasher.update(seat.to_string().as_bytes());
            hasher.update(b",");
        }
        hasher.update(b"\n");
    }
    for p in passengers {
        for part in [&p.first_name, &p.last_name] {
            hasher.update(part.as_bytes());
            hasher.update(b"|");
        }
        if let Some(date) = p.date_of_birth {
            hasher.update(date.to_string().as_bytes());
        }
        hasher.update(b"\n");
    }
    hasher.update(payment_token.as_bytes());
    hasher
        .finalize()
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use airline_domain::{
        AircraftType, Airport, AirportCode, Currency, FlightId, FlightNumber, GeoPoint, TimeZone,
    };

    /// "Now" for every plan: early morning in London, a day before the flights below.
    fn now() -> DateTime<Utc> {
        at("2026-11-24T06:00:00Z")
    }

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn currency(code: &str) -> Currency {
        Currency::parse("currency", code).unwrap()
    }

    fn airport(code: &str, zone: &str) -> Airport {
        Airport {
            code: AirportCode::parse("code", code).unwrap(),
            name: format!("{code} International"),
            city: format!("{code} City"),
            country: "XX".into(),
            time_zone: TimeZone::parse("timeZone", zone).unwrap(),
            location: GeoPoint::new(0.0, 0.0).unwrap(),
        }
    }

    fn lhr() -> Airport {
        airport("LHR", "Europe/London")
    }

    fn jfk() -> Airport {
        airport("JFK", "America/New_York")
    }

    /// A scheduled A321neo flight selling every seat, 7 hours long.
    fn flight(
        number: &str,
        origin: Airport,
        destination: Airport,
        departure: &str,
        fare: Money,
    ) -> Flight {
        let departure = at(departure);
        let number = FlightNumber::parse("number", number).unwrap();
        let aircraft = AircraftType::A321Neo;
        Flight {
            id: FlightId::new(&number, origin.time_zone.date_at(departure)),
            number,
            origin,
            destination,
            departure,
            arrival: departure + Duration::hours(7),
            fare,
            seat_capacity: aircraft.seat_capacity(),
            seats_available: aircraft.seat_capacity(),
            aircraft,
            status: FlightStatus::Scheduled,
        }
    }

    /// LHR to JFK, tomorrow 10:00 UTC, GBP 450.00.
    fn outbound() -> Flight {
        flight(
            "EA117",
            lhr(),
            jfk(),
            "2026-11-25T10:00:00Z",
            Money::from_minor(45_000, currency("GBP")),
        )
    }

    /// JFK to LHR, three days later, GBP 380.00.
    fn inbound() -> Flight {
        flight(
            "EA118",
            jfk(),
            lhr(),
            "2026-11-28T22:00:00Z",
            Money::from_minor(38_000, currency("GBP")),
        )
    }

    fn passenger(first: &str, last: &str) -> PassengerInput {
        PassengerInput {
            first_name: first.into(),
            last_name: last.into(),
            date_of_birth: None,
        }
    }

    fn account(id: &str) -> AccountId {
        AccountId::trusted(id)
    }

    fn request(passengers: usize) -> BookingRequest {
        BookingRequest {
            customer_id: AccountId::trusted("acc_alice"),
            idempotency_key: "2b1f7c4e-0d3a-4c55-9e8b-6a7d1f00c0de".into(),
            passengers: (0..passengers)
                .map(|i| passenger("Ada", &format!("Lovelace{}", "e".repeat(i))))
                .collect(),
            outbound_seats: Vec::new(),
            return_seats: Vec::new(),
            outbound_cabin: Cabin::Economy,
            return_cabin: None,
            outbound_brand: FareBrand::Flex,
            return_brand: None,
            payment_token: "tok_4242_0".into(),
        }
    }

    fn seats(texts: &[&str]) -> Vec<String> {
        texts.iter().map(|s| (*s).to_owned()).collect()
    }

    /// The field a refused request names.
    fn refused(request: &BookingRequest, inbound: Option<&Flight>) -> &'static str {
        refused_on(request, &outbound(), inbound)
    }

    fn refused_on(
        request: &BookingRequest,
        outbound: &Flight,
        inbound: Option<&Flight>,
    ) -> &'static str {
        match plan_booking(request, outbound, inbound, now()) {
            Ok(plan) => panic!("expected a refusal, got {plan:?}"),
            Err(error) => {
                assert!(!error.message.is_empty(), "{error:?}");
                error.field
            }
        }
    }

    #[test]
    fn a_valid_one_way_request_is_planned_and_priced() {
        let mut request = request(3);
        request.passengers[0].first_name = "  Ada   Mary ".into();
        request.passengers[0].date_of_birth = Some("1990-05-17".into());
        request.payment_token = "  tok_4242_0 ".into();
        let plan = plan_booking(&request, &outbound(), None, now()).unwrap();

        assert_eq!(
            plan.booking_id,
            booking_id(
                &account("acc_alice"),
                "2b1f7c4e-0d3a-4c55-9e8b-6a7d1f00c0de"
            )
        );
        assert!(
            BookingId::is_valid(plan.booking_id.as_str()),
            "{}",
            plan.booking_id
        );
        assert_eq!(plan.customer_id, "acc_alice");
        assert_eq!(plan.total.amount_minor(), 3 * 45_000);
        assert_eq!(plan.total.currency().code(), "GBP");
        assert_eq!(plan.payment_token, "tok_4242_0");
        assert_eq!(plan.created_at, now());
        assert_eq!(plan.passengers.len(), 3);
        assert_eq!(plan.passengers[0].first_name, "Ada Mary");
        assert_eq!(plan.passengers[0].last_name, "Lovelace");
        assert_eq!(
            plan.passengers[0].date_of_birth,
            NaiveDate::from_ymd_opt(1990, 5, 17)
        );
        assert_eq!(plan.passengers[1].date_of_birth, None);

        let flight = outbound();
        assert_eq!(
            plan.flights,
            vec![PlannedFlight {
                flight_id: "EA117-20261125".into(),
                departure_utc: flight.departure,
                aircraft: "A21N".into(),
                seat_capacity: 220,
                cabin: Cabin::Economy,
                brand: FareBrand::Flex,
                conditions: FareConditions::FLEX,
                fare_amount: 45_000,
                fare_currency: "GBP".into(),
                seats: Vec::new(),
            }]
        );
        assert_eq!(plan.flights[0].flight_id, flight.id.as_str());
    }

    #[test]
    fn price_is_the_fare_times_the_party() {
        for count in 1..=MAX_PARTY {
            let total = plan_booking(&request(count), &outbound(), None, now())
                .unwrap()
                .total;
            assert_eq!(total.amount_minor(), 45_000 * count as i64);
            assert_eq!(total.currency(), currency("GBP"));
        }
        let mut huge = outbound();
        huge.fare = Money::from_minor(i64::MAX / 2, currency("GBP"));
        assert_eq!(refused_on(&request(3), &huge, None), "passengers");
        let mut business = request(1);
        business.outbound_cabin = Cabin::Business;
        assert_eq!(refused_on(&business, &huge, None), "passengers");
    }

    #[test]
    fn a_fare_buys_its_cabin_and_is_priced_for_it() {
        let mut r = request(2);
        r.outbound_cabin = Cabin::Business;
        let plan = plan_booking(&r, &outbound(), Some(&inbound()), now()).unwrap();
        // The return flies in the outbound's cabin unless told otherwise.
        assert_eq!(plan.flights[0].cabin, Cabin::Business);
        assert_eq!(plan.flights[1].cabin, Cabin::Business);
        assert_eq!(plan.flights[0].fare_amount, 3 * 45_000);
        assert_eq!(plan.flights[1].fare_amount, 3 * 38_000);
        assert_eq!(plan.total.amount_minor(), 2 * 3 * (45_000 + 38_000));

        r.return_cabin = Some(Cabin::Economy);
        let plan = plan_booking(&r, &outbound(), Some(&inbound()), now()).unwrap();
        assert_eq!(plan.flights[1].cabin, Cabin::Economy);
        assert_eq!(plan.total.amount_minor(), 2 * (3 * 45_000 + 38_000));

        // A Business fare is a different request from an Economy one with the same key.
        let economy = plan_booking(&request(2), &outbound(), None, now()).unwrap();
        let mut business = request(2);
        business.outbound_cabin = Cabin::Business;
        let business = plan_booking(&business, &outbound(), None, now()).unwrap();
        assert_ne!(economy.fingerprint, business.fingerprint);
    }

    #[test]
    fn a_brand_prices_the_fare_and_fixes_its_conditions() {
        let mut r = request(2);
        r.outbound_brand = FareBrand::Light;
        r.return_brand = Some(FareBrand::Standard);
        let plan = plan_booking(&r, &outbound(), Some(&inbound()), now()).unwrap();
        // Light is 70% of the full fare, Standard 85%, in whole pounds.
        assert_eq!(plan.flights[0].brand, FareBrand::Light);
        assert_eq!(plan.flights[0].fare_amount, 31_500);
        assert_eq!(plan.flights[1].fare_amount, 32_300);
        assert_eq!(plan.total.amount_minor(), 2 * (31_500 + 32_300));
        // The conditions are the brand's at the price sold: stored, not looked up later.
        let light = Money::from_minor(31_500, currency("GBP"));
        assert_eq!(
            plan.flights[0].conditions,
            FareBrand::Light.conditions(light)
        );
        assert_eq!(plan.flights[1].conditions.checked_bags, 1);

        // The return is sold in the outbound's brand unless told otherwise; a Business
        // brand is the brand's share of the Business fare.
        r.return_brand = None;
        r.outbound_cabin = Cabin::Business;
        r.outbound_brand = FareBrand::Standard;
        let plan = plan_booking(&r, &outbound(), Some(&inbound()), now()).unwrap();
        assert_eq!(plan.flights[1].brand, FareBrand::Standard);
        assert_eq!(plan.flights[0].fare_amount, 114_700);

        // A brand is part of the request: the same key with another brand is a conflict.
        let flex = plan_booking(&request(1), &outbound(), None, now()).unwrap();
        let mut light = request(1);
        light.outbound_brand = FareBrand::Light;
        let light = plan_booking(&light, &outbound(), None, now()).unwrap();
        assert_ne!(flex.fingerprint, light.fingerprint);
    }

    #[test]
    fn a_cancellation_refunds_what_each_fare_was_sold_to_refund() {
        let mut r = request(2);
        // Flex: everything back.
        let flex = plan_booking(&r, &outbound(), Some(&inbound()), now()).unwrap();
        assert_eq!(flex.refund_on_cancellation(), flex.total);
        // Light out (nothing back), Standard home: 323 less its fee of 96, per passenger.
        r.outbound_brand = FareBrand::Light;
        r.return_brand = Some(FareBrand::Standard);
        let mixed = plan_booking(&r, &outbound(), Some(&inbound()), now()).unwrap();
        assert_eq!(
            mixed.refund_on_cancellation().amount_minor(),
            2 * (32_300 - 9_600)
        );
        r.return_brand = None;
        let light = plan_booking(&r, &outbound(), Some(&inbound()), now()).unwrap();
        assert_eq!(light.refund_on_cancellation().amount_minor(), 0);
        // A plan stored before brands reads as Flex: a full refund.
        let stored = serde_json::to_value(&flex).unwrap();
        let mut old = stored.clone();
        for flight in old["flights"].as_array_mut().unwrap() {
            let flight = flight.as_object_mut().unwrap();
            flight.remove("brand");
            flight.remove("conditions");
        }
        let old: BookingPlan = serde_json::from_value(old).unwrap();
        assert_eq!(old.refund_on_cancellation(), old.total);
    }

    #[test]
    fn a_seat_outside_the_fares_cabin_is_refused() {
        // Row 1 of an A321neo is Business; row 12 Economy.
        let mut r = request(1);
        r.outbound_seats = seats(&["1A"]);
        let error = plan_booking(&r, &outbound(), None, now()).unwrap_err();
        assert_eq!(error.field, "seats.outbound");
        assert_eq!(
            error.message,
            "seat 1A is in Business; an Economy fare sits in Economy"
        );
        r.outbound_cabin = Cabin::Business;
        assert!(plan_booking(&r, &outbound(), None, now()).is_ok());
        r.outbound_seats = seats(&["12C"]);
        assert_eq!(refused(&r, None), "seats.outbound");
        // The return's seats are checked against the return's cabin.
        let mut r = request(1);
        r.return_cabin = Some(Cabin::Business);
        r.return_seats = seats(&["20A"]);
        assert_eq!(refused(&r, Some(&inbound())), "seats.return");
    }

    #[test]
    fn a_cabin_the_aircraft_lacks_is_not_sold() {
        let mut flight = outbound();
        flight.aircraft = AircraftType::Atr72;
        flight.seat_capacity = 70;
        let mut r = request(1);
        r.outbound_cabin = Cabin::Business;
        assert_eq!(refused_on(&r, &flight, None), "outboundCabin");
        let mut r = request(1);
        r.return_cabin = Some(Cabin::Business);
        let mut back = inbound();
        back.aircraft = AircraftType::Atr72;
        back.seat_capacity = 70;
        let error = plan_booking(&r, &outbound(), Some(&back), now()).unwrap_err();
        assert_eq!(error.field, "returnCabin");
    }

    #[test]
    fn chosen_seats_are_kept_in_passenger_order() {
        let mut request = request(2);
        request.outbound_seats = seats(&["12c", " 12D "]);
        let plan = plan_booking(&request, &outbound(), None, now()).unwrap();
        assert_eq!(
            plan.flights[0].seats,
            vec![SeatId::new(12, 'C'), SeatId::new(12, 'D')]
        );
    }

    #[test]
    fn booking_ids_are_stable_per_customer_and_key() {
        let key = "order-0001";
        assert_eq!(
            booking_id(&account("acc_alice"), key),
            booking_id(&account("acc_alice"), key)
        );
        assert_ne!(
            booking_id(&account("acc_alice"), key),
            booking_id(&account("acc_bob"), key)
        );
        assert_ne!(
            booking_id(&account("acc_alice"), key),
            booking_id(&account("acc_alice"), "order-0002")
        );

        let mut bob = request(1);
        let alice = plan_booking(&bob, &outbound(), None, now()).unwrap();
        bob.customer_id = AccountId::trusted("acc_bob");
        let bob = plan_booking(&bob, &outbound(), None, now()).unwrap();
        assert_ne!(alice.booking_id, bob.booking_id);
    }

    #[test]
    fn the_fingerprint_tells_requests_apart() {
        let first = plan_booking(&request(2), &outbound(), None, now()).unwrap();
        let again = plan_booking(&request(2), &outbound(), None, now()).unwrap();
        assert_eq!(first.fingerprint, again.fingerprint);
        assert_eq!(first, again);

        let mut renamed = request(2);
        renamed.passengers[1].first_name = "Augusta".into();
        let renamed = plan_booking(&renamed, &outbound(), None, now()).unwrap();
        assert_eq!(
            renamed.booking_id, first.booking_id,
            "same key, same booking"
        );
        assert_ne!(renamed.fingerprint, first.fingerprint);

        let fewer = plan_booking(&request(1), &outbound(), None, now()).unwrap();
        assert_ne!(fewer.fingerprint, first.fingerprint);

        let mut seated = request(2);
        seated.outbound_seats = seats(&["13A", "13C"]);
        let seated = plan_booking(&seated, &outbound(), None, now()).unwrap();
        assert_ne!(seated.fingerprint, first.fingerprint);

        let round = plan_booking(&request(2), &outbound(), Some(&inbound()), now()).unwrap();
        assert_ne!(round.fingerprint, first.fingerprint);

        let mut other_card = request(2);
        other_card.payment_token = "tok_5555_1".into();
        let other_card = plan_booking(&other_card, &outbound(), None, now()).unwrap();
        assert_ne!(other_card.fingerprint, first.fingerprint);
    }

    #[test]
    fn a_round_trip_in_one_currency_adds_both_fares() {
        let plan = plan_booking(&request(2), &outbound(), Some(&inbound()), now()).unwrap();
        assert_eq!(plan.total.amount_minor(), 2 * 45_000 + 2 * 38_000);
        assert_eq!(plan.total.currency().code(), "GBP");
        let ids: Vec<_> = plan.flights.iter().map(|f| f.flight_id.as_str()).collect();
        assert_eq!(ids, ["EA117-20261125", "EA118-20261128"]);
        assert_eq!(plan.flights[1].fare_amount, 38_000);
        assert_eq!(plan.flights[1].fare_currency, "GBP");
    }

    #[test]
    fn a_return_fare_in_another_currency_is_converted_to_the_outbound_one() {
        let usd = currency("USD");
        let gbp = currency("GBP");
        let mut out = outbound();
        out.fare = Money::from_minor(25_000, usd);
        let mut back = inbound();
        back.fare = Money::from_minor(7_900, gbp);

        let plan = plan_booking(&request(2), &out, Some(&back), now()).unwrap();
        let converted = Money::from_minor(2 * 7_900, gbp).convert_to(usd).unwrap();
        assert_eq!(converted, Money::from_minor(20_000, usd));
        assert_eq!(plan.total.currency().code(), "USD");
        assert_eq!(
            plan.total.amount_minor(),
            2 * 25_000 + converted.amount_minor()
        );
        assert_eq!(plan.total.amount_minor(), 70_000);
        // Each leg keeps its own fare and currency.
        assert_eq!(plan.flights[0].fare_currency, "USD");
        assert_eq!(plan.flights[1].fare_currency, "GBP");
        assert_eq!(plan.flights[1].fare_amount, 7_900);

        // Every currency the airline sells in has a reference rate, the 3-decimal ones too.
        back.fare = Money::from_minor(7_900, currency("KWD"));
        let plan = plan_booking(&request(2), &out, Some(&back), now()).unwrap();
        let converted = Money::from_minor(2 * 7_900, currency("KWD"))
            .convert_to(usd)
            .unwrap();
        assert_eq!(
            plan.total.amount_minor(),
            2 * 25_000 + converted.amount_minor()
        );
    }

    #[test]
    fn idempotency_keys_must_be_8_to_64_safe_characters() {
        for good in ["abcd1234", "A-b_9", "x".repeat(64).as_str()] {
            let mut r = request(1);
            r.idempotency_key = good.to_owned();
            let result = plan_booking(&r, &outbound(), None, now());
            if good.len() < 8 {
                assert_eq!(result.unwrap_err().field, "idempotencyKey", "{good}");
            } else {
                assert!(result.is_ok(), "{good}");
            }
        }
        for bad in [
            "",
            "short",
            "1234567",
            "x".repeat(65).as_str(),
            "has space in it",
            "semi;colon-key",
            "ünïcode-key-1",
            "slash/in/the/key",
        ] {
            let mut r = request(1);
            r.idempotency_key = bad.to_owned();
            assert_eq!(refused(&r, None), "idempotencyKey", "{bad:?}");
        }
    }

    #[test]
    fn a_booking_has_one_to_nine_passengers() {
        assert_eq!(refused(&request(0), None), "passengers");
        assert_eq!(refused(&request(MAX_PARTY + 1), None), "passengers");
        assert_eq!(refused(&request(10), None), "passengers");
        assert!(plan_booking(&request(MAX_PARTY), &outbound(), None, now()).is_ok());
        assert!(plan_booking(&request(1), &outbound(), None, now()).is_ok());
    }

    #[test]
    fn names_must_be_1_to_50_letters() {
        let cases: [(&str, &str, &str); 7] = [
            ("", "Lovelace", "passengers.firstName"),
            ("   ", "Lovelace", "passengers.firstName"),
            ("Ada", "", "passengers.lastName"),
            (&"A".repeat(51), "Lovelace", "passengers.firstName"),
            ("Ada", &"L".repeat(51), "passengers.lastName"),
            ("Ada2", "Lovelace", "passengers.firstName"),
            ("Ada", "L0velace", "passengers.lastName"),
        ];
        for (first, last, field) in cases {
            let mut r = request(2);
            r.passengers[1] = passenger(first, last);
            assert_eq!(refused(&r, None), field, "{first:?} {last:?}");
        }
        for (first, last) in [("-", "Lovelace"), ("Ada", "..."), ("Ada<script>", "X")] {
            let mut r = request(1);
            r.passengers[0] = passenger(first, last);
            assert!(
                plan_booking(&r, &outbound(), None, now()).is_err(),
                "{first:?} {last:?}"
            );
        }
        // Passport names: other scripts, hyphens, apostrophes, dots, exactly 50 letters.
        for (first, last) in [
            ("Zoë", "O'Brien-Smith"),
            ("Jean-Luc", "Picard Jr."),
            ("Łukasz", "Żółć"),
            ("太郎", "山田"),
            ("Ana", "D’Arc"),
            (&"A".repeat(50), "B"),
        ] {
            let mut r = request(1);
            r.passengers[0] = passenger(first, last);
            let plan = plan_booking(&r, &outbound(), None, now())
                .unwrap_or_else(|e| panic!("{first:?} {last:?}: {e}"));
            assert_eq!(plan.passengers[0].first_name, first);
        }
    }

    #[test]
    fn birth_dates_must_be_real_past_and_within_120_years() {
        let field = "passengers.dateOfBirth";
        for bad in [
            "2026-11-25",
            "2030-01-01",
            "1905-11-24",
            "1800-01-01",
            "24/11/1990",
            "1990-02-30",
            "yesterday",
        ] {
            let mut r = request(1);
            r.passengers[0].date_of_birth = Some(bad.into());
            assert_eq!(refused(&r, None), field, "{bad}");
        }
        // Today (a newborn), exactly 120 years, and blank (not given) are all accepted.
        for (good, expected) in [
            ("2026-11-24", NaiveDate::from_ymd_opt(2026, 11, 24)),
            ("1906-11-24", NaiveDate::from_ymd_opt(1906, 11, 24)),
            ("  ", None),
        ] {
            let mut r = request(1);
            r.passengers[0].date_of_birth = Some(good.into());
            let plan = plan_booking(&r, &outbound(), None, now())
                .unwrap_or_else(|e| panic!("{good:?}: {e}"));
            assert_eq!(plan.passengers[0].date_of_birth, expected, "{good:?}");
        }
    }

    #[test]
    fn a_payment_token_is_required() {
        for bad in [String::new(), "   ".into(), "t".repeat(256)] {
            let mut r = request(1);
            r.payment_token = bad;
            assert_eq!(refused(&r, None), "paymentToken");
        }
    }

    #[test]
    fn cancelled_flights_are_not_sold() {
        let mut cancelled = outbound();
        cancelled.status = FlightStatus::Cancelled;
        assert_eq!(
            refused_on(&request(1), &cancelled, None),
            "outboundFlightId"
        );

        let mut back = inbound();
        back.status = FlightStatus::Cancelled;
        assert_eq!(refused(&request(1), Some(&back)), "returnFlightId");
    }

    #[test]
    fn sales_close_45_minutes_before_departure() {
        let soon = |minutes: i64| {
            let mut f = outbound();
            f.departure = now() + Duration::minutes(minutes);
            f.arrival = f.departure + Duration::hours(7);
            f
        };
        for minutes in [-60, 0, 30, 44, 45] {
            assert_eq!(
                refused_on(&request(1), &soon(minutes), None),
                "outboundFlightId",
                "{minutes} minutes before departure"
            );
        }
        assert!(plan_booking(&request(1), &soon(46), None, now()).is_ok());

        let mut back = inbound();
        back.departure = now() + Duration::minutes(30);
        assert_eq!(refused(&request(1), Some(&back)), "returnFlightId");
    }

    #[test]
    fn the_return_flight_must_fly_the_route_back() {
        let mut elsewhere = inbound();
        elsewhere.origin = airport("BOS", "America/New_York");
        assert_eq!(refused(&request(1), Some(&elsewhere)), "returnFlightId");

        let mut elsewhere = inbound();
        elsewhere.destination = airport("LGW", "Europe/London");
        assert_eq!(refused(&request(1), Some(&elsewhere)), "returnFlightId");

        // The outbound flight again is not a return.
        let mut same_way = outbound();
        same_way.departure = inbound().departure;
        same_way.arrival = inbound().arrival;
        assert_eq!(refused(&request(1), Some(&same_way)), "returnFlightId");
    }

    #[test]
    fn the_return_leaves_at_least_two_hours_after_the_outbound_lands() {
        let landed = outbound().arrival;
        let back_at = |departure: DateTime<Utc>| {
            let mut f = inbound();
            f.departure = departure;
            f.arrival = departure + Duration::hours(7);
            f
        };
        for early in [
            landed - Duration::hours(10),
            landed,
            landed + Duration::minutes(119),
        ] {
            assert_eq!(
                refused(&request(1), Some(&back_at(early))),
                "returnFlightId",
                "{early}"
            );
        }
        let plan = plan_booking(
            &request(1),
            &outbound(),
            Some(&back_at(landed + MIN_CONNECTION)),
            now(),
        )
        .unwrap();
        assert_eq!(plan.flights.len(), 2);
    }

    #[test]
    fn seats_are_one_per_passenger_distinct_and_for_sale() {
        let field = "seats.outbound";
        let cases: [&[&str]; 6] = [
            &["12A"],
            &["12A", "12B", "12C"],
            &["12A", "12A"],
            &["12A", "12a"],
            &["12A", "99Z"],
            &["12A", "not a seat"],
        ];
        for chosen in cases {
            let mut r = request(2);
            r.outbound_seats = seats(chosen);
            assert_eq!(refused(&r, None), field, "{chosen:?}");
        }
    }

    #[test]
    fn seats_beyond_the_sellable_capacity_are_not_for_sale() {
        let mut flight = outbound();
        flight.seat_capacity = 180;
        let map = SeatMap::for_flight(flight.aircraft, flight.seat_capacity);
        let blocked = map.seats().find(|s| s.blocked).unwrap().id;
        let open = map.seats().filter(|s| !s.blocked).last().unwrap().id;
        assert_eq!(map.sellable_count(), 180);

        let mut r = request(1);
        r.outbound_seats = vec![blocked.to_string()];
        assert_eq!(refused_on(&r, &flight, None), "seats.outbound", "{blocked}");
        r.outbound_seats = vec![open.to_string()];
        let plan = plan_booking(&r, &flight, None, now()).unwrap();
        assert_eq!(plan.flights[0].seats, vec![open]);
        assert_eq!(plan.flights[0].seat_capacity, 180);

        // On the full aircraft the same seat is for sale.
        r.outbound_seats = vec![blocked.to_string()];
        assert!(plan_booking(&r, &outbound(), None, now()).is_ok());
    }

    #[test]
    fn return_seats_are_checked_against_the_return_flight() {
        let mut r = request(2);
        r.return_seats = seats(&["20A", "20B"]);
        assert_eq!(refused(&r, None), "seats.return", "no return flight");

        let plan = plan_booking(&r, &outbound(), Some(&inbound()), now()).unwrap();
        assert_eq!(plan.flights[0].seats, Vec::<SeatId>::new());
        assert_eq!(
            plan.flights[1].seats,
            vec![SeatId::new(20, 'A'), SeatId::new(20, 'B')]
        );

        r.return_seats = seats(&["20A"]);
        assert_eq!(refused(&r, Some(&inbound())), "seats.return");
        r.return_seats = seats(&["20A", "99Z"]);
        assert_eq!(refused(&r, Some(&inbound())), "seats.return");
    }

    #[test]
    fn booking_ids_have_one_shape() {
        for (customer, key) in [
            ("acc_alice", "order-0001"),
            ("acc_bob", "x".repeat(64).as_str()),
        ] {
            let id = booking_id(&account(customer), key);
            assert_eq!(id.as_str().len(), 27);
            assert!(BookingId::is_valid(id.as_str()), "{id}");
        }
        let good = booking_id(&account("acc_alice"), "order-0001").into_string();
        for bad in [
            String::new(),
            "bk_".into(),
            good.to_uppercase(),
            good.replace("bk_", "BK_"),
            good.replace("bk_", "bq_"),
            format!("{good}0"),
            good[..26].to_owned(),
            format!("bk_{}", "g".repeat(24)),
            format!("bk_{}", "A".repeat(24)),
            format!("bk_{}é", "a".repeat(22)),
            format!(" {}", &good[..26]),
            "EA117-20261125".into(),
        ] {
            assert!(!BookingId::is_valid(&bad), "{bad:?}");
        }
    }
}
