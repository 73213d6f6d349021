//! Every currency the airline sells in, walked from a fare through a booking to points:
//! a flight priced in it is planned (one way, and as a round trip with a return priced in
//! another currency), its confirmation event goes over the wire as JSON, and the ledger
//! credits whole dollars for it. One currency table serves the catalog, pricing and
//! loyalty, so a currency an admin can price a flight in always earns.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use airline_booking::events::{BookingEvent, EventKind};
use airline_booking::plan::{plan_booking, BookingRequest, PassengerInput};
use airline_booking::record::BookingRecord;
use airline_booking::saga::Saga;
use airline_domain::pricing::fare_in;
use airline_domain::{AccountId, Cabin, Currency, Flight, LocalDate, Money};
use airline_loyalty::ledger::{entry_for, points_for, BookingHistory};
use chrono::{DateTime, Duration, Utc};

/// A fare of `usd_cents` in `currency`, rounded as the catalog rounds fares.
fn fare(usd_cents: i64, currency: Currency) -> Money {
    fare_in(usd_cents, currency, currency.units_per_usd())
}

fn request(passengers: usize, key: &str) -> BookingRequest {
    BookingRequest {
        customer_id: AccountId::trusted("acct_traveller"),
        idempotency_key: format!("every-currency-{key}"),
        passengers: (0..passengers)
            .map(|i| PassengerInput {
                first_name: "Ada".into(),
                last_name: format!("Lovelace{}", "e".repeat(i)),
                date_of_birth: None,
            })
            .collect(),
        outbound_seats: Vec::new(),
        return_seats: Vec::new(),
        outbound_cabin: Cabin::Economy,
        return_cabin: None,
        outbound_brand: airline_domain::FareBrand::Flex,
        return_brand: None,
        payment_token: "tok_4242_0".into(),
    }
}

/// A seeded route and its return, a week ahead of `now`.
fn round_trip(now: DateTime<Utc>) -> (Flight, Flight) {
    let routes = catalog_seed::routes().unwrap();
    let start = LocalDate::parse(
        "date",
        &(now + Duration::days(7)).format("%Y-%m-%d").to_string(),
    )
    .unwrap();
    let flights = catalog_seed::schedule(&routes, start, 7);
    let outbound = flights[0].clone();
    let inbound = flights
        .iter()
        .find(|f| {
            f.origin.code == outbound.destination.code
                && f.destination.code == outbound.origin.code
                && f.departure > outbound.arrival + Duration::hours(3)
        })
        .expect("the seed flies every route both ways")
        .clone();
    (outbound, inbound)
}

/// The points the ledger credits for the booking `request` makes on these flights.
fn points_earned(
    request: &BookingRequest,
    outbound: &Flight,
    inbound: Option<&Flight>,
    now: DateTime<Utc>,
) -> (Money, i64) {
    let plan = plan_booking(request, outbound, inbound, now).expect("the booking is accepted");
    let total = plan.total;
    let record = BookingRecord::new(
        plan,
        Saga::new(now + Duration::minutes(5), Default::default()),
    );
    let wire = serde_json::to_string(&record.event(EventKind::BookingConfirmed, now)).unwrap();
    let event: BookingEvent = serde_json::from_str(&wire).unwrap();
    let entry = entry_for(&event, BookingHistory::default()).expect("the ledger accepts it");
    (total, entry.points)
}

#[test]
fn every_currency_books_and_earns_whole_dollars() {
    let now = Utc::now();
    let (mut outbound, mut inbound) = round_trip(now);
    let currencies: Vec<Currency> = Currency::all().collect();
    assert!(currencies.len() >= 40, "{} currencies", currencies.len());
    for (i, &currency) in currencies.iter().enumerate() {
        // $250 each way, in the outbound's currency; the return in the next one.
        outbound.fare = fare(25_000, currency);
        let (total, points) = points_earned(&request(2, &format!("ow-{i}")), &outbound, None, now);
        assert_eq!(total.currency(), currency);
        assert_eq!(Some(points), points_for(total), "{currency}");
        // Two $250 fares, as rounded for display in this currency: close to 500 dollars.
        assert!(
            (450..=550).contains(&points),
            "{currency}: {total} earned {points}"
        );

        let other = currencies[(i + 1) % currencies.len()];
        inbound.fare = fare(25_000, other);
        let (total, points) = points_earned(
            &request(2, &format!("rt-{i}")),
            &outbound,
            Some(&inbound),
            now,
        );
        assert_eq!(
            total.currency(),
            currency,
            "charged in the outbound's currency"
        );
        assert!(
            (900..=1_100).contains(&points),
            "{currency} + {other}: {total} earned {points}"
        );
    }
}
