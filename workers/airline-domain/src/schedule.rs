//! Admin changes to the timetable: a new flight, a retimed or repriced one, a cancelled
//! one. Every rule an admin's input must pass lives here, so the API can only ever write
//! a flight that search and booking can trust.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};

use crate::{
    AircraftType, Airport, Flight, FlightId, FlightNumber, FlightStatus, InputError, LocalDate,
    Money,
};

pub const MIN_DURATION_MINUTES: i64 = 20;
pub const MAX_DURATION_MINUTES: i64 = 22 * 60;
/// A fare above this (in minor units) is certainly a typo.
pub const MAX_FARE_MINOR: i64 = 100_000_000;

/// Parses `YYYY-MM-DDTHH:MM`, a wall-clock time at an airport.
pub fn parse_local_datetime(field: &'static str, text: &str) -> Result<NaiveDateTime, InputError> {
    let well_formed = text.len() == 16 && text.as_bytes().get(10) == Some(&b'T');
    well_formed
        .then(|| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M").ok())
        .flatten()
        .ok_or_else(|| {
            InputError::new(
                field,
                format!("`{text}` is not a local time like 2026-12-01T09:30"),
            )
        })
}

/// Everything an admin supplies for a new flight, already parsed.
#[derive(Debug, Clone)]
pub struct NewFlight {
    pub number: FlightNumber,
    pub origin: Airport,
    pub destination: Airport,
    /// Wall-clock departure at the origin.
    pub departure_local: NaiveDateTime,
    pub duration_minutes: i64,
    pub fare: Money,
    pub aircraft: AircraftType,
    /// Defaults to the aircraft's seats.
    pub seat_capacity: Option<u32>,
}

impl NewFlight {
    pub fn into_flight(self, now: DateTime<Utc>) -> Result<Flight, InputError> {
        if self.origin.code == self.destination.code {
            return Err(InputError::new(
                "to",
                "must be a different airport from `from`",
            ));
        }
        let departure = departure_instant(&self.origin, self.departure_local)?;
        check_future(departure, now)?;
        let duration = check_duration(self.duration_minutes)?;
        check_fare(&self.fare)?;
        let seat_capacity = self.seat_capacity.unwrap_or(self.aircraft.seat_capacity());
        check_capacity(seat_capacity, self.aircraft)?;
        let date = LocalDate::from_naive(self.departure_local.date());
        Ok(Flight {
            id: FlightId::new(&self.number, date),
            number: self.number,
            origin: self.origin,
            destination: self.destination,
            departure,
            arrival: departure + duration,
            fare: self.fare,
            seat_capacity,
            seats_available: seat_capacity,
            aircraft: self.aircraft,
            status: FlightStatus::Scheduled,
        })
    }
}

/// A change to a scheduled flight; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct FlightUpdate {
    pub departure_local: Option<NaiveDateTime>,
    pub duration_minutes: Option<i64>,
    pub fare: Option<Money>,
    pub seat_capacity: Option<u32>,
}

impl FlightUpdate {
    /// The flight after the change. A flight keeps its id (number + local date), so a
    /// retime stays on the same local day; capacity only grows, because seats may already
    /// be sold; a cancelled or departed flight cannot change.
    pub fn apply(&self, flight: &Flight, now: DateTime<Utc>) -> Result<Flight, InputError> {
        if flight.status == FlightStatus::Cancelled {
            return Err(InputError::new(
                "id",
                "the flight is cancelled and cannot change",
            ));
        }
        if flight.departure <= now {
            return Err(InputError::new("id", "the flight has already departed"));
        }
        let mut next = flight.clone();
        if let Some(local) = self.departure_local {
            let original_date = flight.origin.time_zone.date_at(flight.departure);
            if LocalDate::from_naive(local.date()) != original_date {
                return Err(InputError::new(
                    "input.departureLocal",
                    format!(
                        "must stay on {original_date}; cancel and create a flight to move days"
                    ),
                ));
            }
            next.departure = departure_instant(&flight.origin, local)?;
            check_future(next.departure, now)?;
        }
        let duration = match self.duration_minutes {
            Some(minutes) => check_duration(minutes)?,
            None => flight.duration(),
        };
        next.arrival = next.departure + duration;
        if let Some(fare) = self.fare {
            check_fare(&fare)?;
            if fare.currency() != flight.fare.currency() {
                return Err(InputError::new(
                    "input.fare.currency",
                    format!("must stay {}", flight.fare.currency()),
                ));
            }
            next.fare = fare;
        }
        if let Some(capacity) = self.seat_capacity {
            if capacity < flight.seat_capacity {
                return Err(InputError::new(
                    "input.seatCapacity",
                    format!("may only grow (it is {})", flight.seat_capacity),
                ));
            }
            check_capacity(capacity, flight.aircraft)?;
            next.seats_available = flight.seats_available + (capacity - flight.seat_capacity);
            next.seat_capacity = capacity;
        }
        Ok(next)
    }
}

/// Checks a cancellation: only a scheduled flight that has not left can be cancelled.
pub fn check_cancellable(flight: &Flight, now: DateTime<Utc>) -> Result<(), InputError> {
    if flight.status == FlightStatus::Cancelled {
        return Err(InputError::new("id", "the flight is already cancelled"));
    }
    if flight.departure <= now {
        return Err(InputError::new("id", "the flight has already departed"));
    }
    Ok(())
}

fn departure_instant(origin: &Airport, local: NaiveDateTime) -> Result<DateTime<Utc>, InputError> {
    let date = LocalDate::from_naive(local.date());
    let time = crate::LocalTimeOfDay::from_hm(
        chrono::Timelike::hour(&local) as u16,
        chrono::Timelike::minute(&local) as u16,
    )
    .ok_or_else(|| InputError::new("input.departureLocal", "is not a time of day"))?;
    origin.time_zone.instant_at(date, time).ok_or_else(|| {
        InputError::new(
            "input.departureLocal",
            format!(
                "{local} does not exist in {} (a DST change skips it)",
                origin.time_zone
            ),
        )
    })
}

fn check_future(departure: DateTime<Utc>, now: DateTime<Utc>) -> Result<(), InputError> {
    if departure <= now {
        return Err(InputError::new(
            "input.departureLocal",
            "must be in the future",
        ));
    }
    Ok(())
}

fn check_duration(minutes: i64) -> Result<Duration, InputError> {
    if !(MIN_DURATION_MINUTES..=MAX_DURATION_MINUTES).contains(&minutes) {
        return Err(InputError::new(
            "input.durationMinutes",
            format!("must be between {MIN_DURATION_MINUTES} and {MAX_DURATION_MINUTES}"),
        ));
    }
    Ok(Duration::minutes(minutes))
}

fn check_fare(fare: &Money) -> Result<(), InputError> {
    if !(1..=MAX_FARE_MINOR).contains(&fare.amount_minor()) {
        return Err(InputError::new(
            "input.fare.amount",
            format!("must be between 1 and {MAX_FARE_MINOR} minor units"),
        ));
    }
    Ok(())
}

fn check_capacity(capacity: u32, aircraft: AircraftType) -> Result<(), InputError> {
    if capacity == 0 || capacity > aircraft.seat_capacity() {
        return Err(InputError::new(
            "input.seatCapacity",
            format!(
                "must be between 1 and the {}'s {} seats",
                aircraft.name(),
                aircraft.seat_capacity()
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flight::tests::{airport, flight};
    use crate::Currency;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-24T08:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn gbp(amount: i64) -> Money {
        Money::from_minor(amount, Currency::parse("c", "GBP").unwrap())
    }

    fn draft() -> NewFlight {
        NewFlight {
            number: FlightNumber::parse("n", "EA7001").unwrap(),
            origin: airport("LHR", "Europe/London"),
            destination: airport("JFK", "America/New_York"),
            departure_local: parse_local_datetime("d", "2026-12-01T09:30").unwrap(),
            duration_minutes: 470,
            fare: gbp(42_000),
            aircraft: AircraftType::B789,
            seat_capacity: None,
        }
    }

    #[test]
    fn a_new_flight_is_placed_in_the_origin_s_zone() {
        let flight = draft().into_flight(now()).unwrap();
        assert_eq!(flight.id.as_str(), "EA7001-20261201");
        assert_eq!(flight.departure.to_rfc3339(), "2026-12-01T09:30:00+00:00");
        assert_eq!(flight.duration().num_minutes(), 470);
        assert_eq!(flight.seat_capacity, 290);
        assert_eq!(flight.seats_available, 290);
    }

    #[test]
    fn new_flights_are_validated() {
        let same = NewFlight {
            destination: airport("LHR", "Europe/London"),
            ..draft()
        };
        assert_eq!(same.into_flight(now()).unwrap_err().field, "to");
        let past = NewFlight {
            departure_local: parse_local_datetime("d", "2026-11-24T07:00").unwrap(),
            ..draft()
        };
        assert_eq!(
            past.into_flight(now()).unwrap_err().field,
            "input.departureLocal"
        );
        let skipped = NewFlight {
            departure_local: parse_local_datetime("d", "2027-03-28T01:30").unwrap(),
            ..draft()
        };
        assert_eq!(
            skipped.into_flight(now()).unwrap_err().field,
            "input.departureLocal"
        );
        let quick = NewFlight {
            duration_minutes: 5,
            ..draft()
        };
        assert_eq!(
            quick.into_flight(now()).unwrap_err().field,
            "input.durationMinutes"
        );
        let free = NewFlight {
            fare: gbp(0),
            ..draft()
        };
        assert_eq!(
            free.into_flight(now()).unwrap_err().field,
            "input.fare.amount"
        );
        let crammed = NewFlight {
            seat_capacity: Some(500),
            ..draft()
        };
        assert_eq!(
            crammed.into_flight(now()).unwrap_err().field,
            "input.seatCapacity"
        );
        for bad in [
            "2026-12-01 09:30",
            "2026-12-01T9:30",
            "2026-12-01T09:30:00",
            "tomorrow",
        ] {
            assert!(parse_local_datetime("d", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn updates_retime_within_the_day_reprice_and_only_grow_capacity() {
        let original = flight("EA10", "2026-11-25T08:00:00Z", 470, 52_000);
        let retimed = FlightUpdate {
            departure_local: Some(parse_local_datetime("d", "2026-11-25T10:15").unwrap()),
            ..FlightUpdate::default()
        }
        .apply(&original, now())
        .unwrap();
        assert_eq!(retimed.departure.to_rfc3339(), "2026-11-25T10:15:00+00:00");
        assert_eq!(
            retimed.duration(),
            original.duration(),
            "arrival moves with departure"
        );
        assert_eq!(retimed.id, original.id);

        let other_day = FlightUpdate {
            departure_local: Some(parse_local_datetime("d", "2026-11-26T10:15").unwrap()),
            ..FlightUpdate::default()
        };
        assert_eq!(
            other_day.apply(&original, now()).unwrap_err().field,
            "input.departureLocal"
        );

        let mut sold = original.clone();
        sold.seats_available = 100;
        let bigger = FlightUpdate {
            seat_capacity: Some(200),
            ..FlightUpdate::default()
        };
        let grown = bigger.apply(&sold, now()).unwrap();
        assert_eq!((grown.seat_capacity, grown.seats_available), (200, 120));
        let smaller = FlightUpdate {
            seat_capacity: Some(170),
            ..FlightUpdate::default()
        };
        assert_eq!(
            smaller.apply(&sold, now()).unwrap_err().field,
            "input.seatCapacity"
        );

        let euros = FlightUpdate {
            fare: Some(Money::from_minor(100, Currency::parse("c", "EUR").unwrap())),
            ..FlightUpdate::default()
        };
        assert_eq!(
            euros.apply(&original, now()).unwrap_err().field,
            "input.fare.currency"
        );
    }

    #[test]
    fn cancelled_or_departed_flights_do_not_change() {
        let mut cancelled = flight("EA10", "2026-11-25T08:00:00Z", 470, 52_000);
        cancelled.status = FlightStatus::Cancelled;
        assert!(FlightUpdate::default().apply(&cancelled, now()).is_err());
        assert!(check_cancellable(&cancelled, now()).is_err());
        let gone = flight("EA11", "2026-11-24T07:00:00Z", 470, 52_000);
        assert!(check_cancellable(&gone, now()).is_err());
        assert!(check_cancellable(&flight("EA12", "2026-11-25T07:00:00Z", 470, 1), now()).is_ok());
    }
}
