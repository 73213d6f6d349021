//! A scheduled flight: one departure of one flight number, with its times, fare and seats.

use std::fmt;

use chrono::{DateTime, Duration, Utc};

use crate::{AircraftType, Airport, InputError, LocalDate, Money};

/// A flight's identity: its flight number and the local calendar date of departure, as
/// airlines name a flight ("EA117 on 24 November"), e.g. `EA117-20261124`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FlightId(String);

impl FlightId {
    pub const MAX_LEN: usize = 20;

    pub fn parse(field: &'static str, text: &str) -> Result<Self, InputError> {
        let bad = || {
            InputError::new(
                field,
                format!("`{text}` is not a flight id like EA117-20261124"),
            )
        };
        let (number, date) = text.split_once('-').ok_or_else(bad)?;
        let number = FlightNumber::parse(field, number).map_err(|_| bad())?;
        if date.len() != 8 || !date.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let iso = format!("{}-{}-{}", &date[..4], &date[4..6], &date[6..]);
        let date = LocalDate::parse(field, &iso).map_err(|_| bad())?;
        Ok(Self::new(&number, date))
    }

    pub fn new(number: &FlightNumber, local_departure_date: LocalDate) -> Self {
        Self(format!(
            "{}-{}",
            number,
            local_departure_date.naive().format("%Y%m%d")
        ))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for FlightId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An IATA flight number: a two-character airline designator and 1 to 4 digits (`EA117`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FlightNumber {
    airline: String,
    number: u16,
}

impl FlightNumber {
    pub fn parse(field: &'static str, text: &str) -> Result<Self, InputError> {
        let bad = || InputError::new(field, format!("`{text}` is not a flight number like EA117"));
        let text = text.trim();
        if !text.is_ascii() || text.len() < 3 {
            return Err(bad());
        }
        let (airline, digits) = text.split_at(2);
        let airline_ok = airline
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
            && !airline.bytes().all(|b| b.is_ascii_digit());
        let digits_ok =
            (1..=4).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
        if !airline_ok || !digits_ok {
            return Err(bad());
        }
        let number = digits.parse::<u16>().map_err(|_| bad())?;
        if number == 0 {
            return Err(bad());
        }
        Ok(Self {
            airline: airline.to_owned(),
            number,
        })
    }

    pub fn new(airline: &str, number: u16) -> Result<Self, InputError> {
        Self::parse("flightNumber", &format!("{airline}{number}"))
    }

    pub fn airline(&self) -> &str {
        &self.airline
    }
}

impl fmt::Display for FlightNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.airline, self.number)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlightStatus {
    Scheduled,
    Cancelled,
}

impl FlightStatus {
    pub fn parse(field: &'static str, text: &str) -> Result<Self, InputError> {
        match text {
            "SCHEDULED" => Ok(Self::Scheduled),
            "CANCELLED" => Ok(Self::Cancelled),
            _ => Err(InputError::new(
                field,
                format!("`{text}` is not a flight status"),
            )),
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Scheduled => "SCHEDULED",
            Self::Cancelled => "CANCELLED",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Flight {
    pub id: FlightId,
    pub number: FlightNumber,
    pub origin: Airport,
    pub destination: Airport,
    pub departure: DateTime<Utc>,
    pub arrival: DateTime<Utc>,
    /// Fare for one passenger.
    pub fare: Money,
    pub seat_capacity: u32,
    /// Seats not sold or held: an eventually consistent read model for search; the
    /// flight's inventory is the truth.
    pub seats_available: u32,
    pub aircraft: AircraftType,
    pub status: FlightStatus,
}

impl Flight {
    pub fn duration(&self) -> Duration {
        self.arrival - self.departure
    }

    /// Calendar days between local departure and local arrival: 1 for an overnight
    /// flight that lands "+1 day", -1 for one that lands on the previous local date
    /// (eastbound across the date line, e.g. Tokyo to Honolulu).
    pub fn arrival_day_offset(&self) -> i64 {
        let departed_on = self.origin.time_zone.date_at(self.departure);
        let arrived_on = self.destination.time_zone.date_at(self.arrival);
        departed_on.days_until(arrived_on)
    }

    /// Total for `passengers` travellers at this fare, or `None` on overflow.
    pub fn price_for(&self, passengers: u32) -> Option<Money> {
        self.fare.times(passengers)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::{AirportCode, Currency, GeoPoint, TimeZone};

    pub(crate) fn airport(code: &str, zone: &str) -> Airport {
        Airport {
            code: AirportCode::parse("code", code).unwrap(),
            name: format!("{code} International"),
            city: format!("{code} City"),
            country: "XX".into(),
            time_zone: TimeZone::parse("timeZone", zone).unwrap(),
            location: GeoPoint::new(0.0, 0.0).unwrap(),
        }
    }

    pub(crate) fn flight(number: &str, departure: &str, minutes: i64, fare: i64) -> Flight {
        let departure = DateTime::parse_from_rfc3339(departure)
            .unwrap()
            .with_timezone(&Utc);
        let origin = airport("LHR", "Europe/London");
        let number = FlightNumber::parse("n", number).unwrap();
        Flight {
            id: FlightId::new(&number, origin.time_zone.date_at(departure)),
            number,
            origin,
            destination: airport("JFK", "America/New_York"),
            departure,
            arrival: departure + Duration::minutes(minutes),
            fare: Money::from_minor(fare, Currency::parse("c", "GBP").unwrap()),
            seat_capacity: 180,
            seats_available: 180,
            aircraft: AircraftType::A321Neo,
            status: FlightStatus::Scheduled,
        }
    }

    #[test]
    fn flight_ids_round_trip() {
        let id = FlightId::parse("id", "EA117-20261124").unwrap();
        assert_eq!(id.as_str(), "EA117-20261124");
        for bad in [
            "EA117",
            "EA117-2026112",
            "EA117-20261341",
            "117-20261124",
            "EA0-20261124",
            "ea117-20261124",
            "EA12345-20261124",
            "",
        ] {
            assert!(FlightId::parse("id", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn flight_numbers_follow_iata_form() {
        assert_eq!(FlightNumber::parse("n", "EA117").unwrap().airline(), "EA");
        assert_eq!(FlightNumber::parse("n", "U21").unwrap().to_string(), "U21");
        for bad in ["EA", "E", "EA12345", "12345", "EA-1", "éA12"] {
            assert!(FlightNumber::parse("n", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn an_overnight_flight_arrives_plus_one_day() {
        // Departs London 18:30 GMT and lands 7h40 later at 21:10 the same evening in New
        // York; the red-eye to Singapore lands the next local day.
        let evening = flight("EA1", "2026-11-24T18:30:00Z", 460, 45_000);
        assert_eq!(evening.arrival_day_offset(), 0);
        let mut red_eye = flight("EA2", "2026-11-24T21:30:00Z", 460, 45_000);
        red_eye.destination = airport("SIN", "Asia/Singapore");
        red_eye.arrival = red_eye.departure + Duration::minutes(13 * 60 + 5);
        assert_eq!(red_eye.arrival_day_offset(), 1);
    }

    #[test]
    fn crossing_the_date_line_eastbound_can_arrive_the_day_before() {
        let mut hop = flight("EA3", "2026-11-24T11:00:00Z", 420, 80_000);
        hop.origin = airport("HND", "Asia/Tokyo"); // departs 20:00 on the 24th
        hop.destination = airport("HNL", "Pacific/Honolulu"); // lands 08:00 on the 24th
        assert_eq!(hop.arrival_day_offset(), 0);
        hop.departure = DateTime::parse_from_rfc3339("2026-11-24T15:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        hop.arrival = hop.departure + Duration::minutes(420); // departs 00:30 on the 25th
        assert_eq!(hop.arrival_day_offset(), -1);
    }
}
