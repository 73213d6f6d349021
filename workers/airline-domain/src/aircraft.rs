//! The fleet: which aircraft types fly, how many seats they have and how far they reach.

use std::fmt;

use crate::InputError;

/// An aircraft type by its ICAO type designator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AircraftType {
    /// ATR 72-600, turboprop for short regional hops.
    Atr72,
    /// Embraer E190, regional jet.
    E190,
    /// Airbus A320neo.
    A320Neo,
    /// Airbus A321neo.
    A321Neo,
    /// Boeing 737-800.
    B738,
    /// Boeing 787-9.
    B789,
    /// Airbus A350-900.
    A359,
    /// Boeing 777-300ER.
    B77W,
}

impl AircraftType {
    pub const ALL: [AircraftType; 8] = [
        Self::Atr72,
        Self::E190,
        Self::A320Neo,
        Self::A321Neo,
        Self::B738,
        Self::B789,
        Self::A359,
        Self::B77W,
    ];

    pub fn parse(field: &'static str, code: &str) -> Result<Self, InputError> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.code() == code)
            .ok_or_else(|| {
                InputError::new(
                    field,
                    format!("`{code}` is not an aircraft type in the fleet"),
                )
            })
    }

    /// The ICAO type designator, as stored.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Atr72 => "AT76",
            Self::E190 => "E190",
            Self::A320Neo => "A20N",
            Self::A321Neo => "A21N",
            Self::B738 => "B738",
            Self::B789 => "B789",
            Self::A359 => "A359",
            Self::B77W => "B77W",
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Self::Atr72 => "ATR 72-600",
            Self::E190 => "Embraer E190",
            Self::A320Neo => "Airbus A320neo",
            Self::A321Neo => "Airbus A321neo",
            Self::B738 => "Boeing 737-800",
            Self::B789 => "Boeing 787-9",
            Self::A359 => "Airbus A350-900",
            Self::B77W => "Boeing 777-300ER",
        }
    }

    /// Seats in this airline's configuration.
    pub fn seat_capacity(&self) -> u32 {
        match self {
            Self::Atr72 => 70,
            Self::E190 => 100,
            Self::A320Neo => 180,
            Self::A321Neo => 220,
            Self::B738 => 186,
            Self::B789 => 290,
            Self::A359 => 325,
            Self::B77W => 396,
        }
    }

    /// Practical range with a full cabin, in kilometres.
    pub fn range_km(&self) -> f64 {
        match self {
            Self::Atr72 => 1_400.0,
            Self::E190 => 4_000.0,
            Self::A320Neo => 6_000.0,
            Self::A321Neo => 6_500.0,
            Self::B738 => 5_400.0,
            Self::B789 => 14_000.0,
            Self::A359 => 15_000.0,
            Self::B77W => 13_600.0,
        }
    }
}

impl fmt::Display for AircraftType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknown_types_are_rejected() {
        for kind in AircraftType::ALL {
            assert_eq!(AircraftType::parse("aircraft", kind.code()).unwrap(), kind);
        }
        assert!(AircraftType::parse("aircraft", "B747").is_err());
    }
}
