//! Where airports are, how far apart, and how long a jet takes between them.

use crate::InputError;

/// Mean Earth radius (IUGG), the usual choice for great-circle distances.
const EARTH_RADIUS_KM: f64 = 6_371.008_8;

/// A point on the globe in decimal degrees, north and east positive.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GeoPoint {
    latitude: f64,
    longitude: f64,
}

impl GeoPoint {
    pub fn new(latitude: f64, longitude: f64) -> Result<Self, InputError> {
        if !(-90.0..=90.0).contains(&latitude) {
            return Err(InputError::new(
                "latitude",
                "must be between -90 and 90 degrees",
            ));
        }
        if !(-180.0..=180.0).contains(&longitude) {
            return Err(InputError::new(
                "longitude",
                "must be between -180 and 180 degrees",
            ));
        }
        Ok(Self {
            latitude,
            longitude,
        })
    }

    pub fn latitude(&self) -> f64 {
        self.latitude
    }

    pub fn longitude(&self) -> f64 {
        self.longitude
    }

    /// Great-circle distance in kilometres (haversine formula).
    pub fn distance_km(&self, other: &GeoPoint) -> f64 {
        let (lat1, lat2) = (self.latitude.to_radians(), other.latitude.to_radians());
        let d_lat = lat2 - lat1;
        let d_lon = (other.longitude - self.longitude).to_radians();
        let h = (d_lat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (d_lon / 2.0).sin().powi(2);
        2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
    }

    /// Whether the shorter way to `other` heads east (the jet stream's direction).
    pub fn is_eastward_to(&self, other: &GeoPoint) -> bool {
        let delta = (other.longitude - self.longitude).rem_euclid(360.0);
        delta > 0.0 && delta < 180.0
    }
}

/// Scheduled gate-to-gate time for a jet flying `distance_km`: 30 minutes of taxi, climb
/// and approach plus cruise at 820 km/h, 6% quicker eastbound and 6% slower westbound
/// (prevailing westerlies), rounded up to 5 minutes as airline timetables are.
pub fn block_time_minutes(distance_km: f64, eastward: bool) -> u32 {
    const GROUND_AND_TERMINAL_MINUTES: f64 = 30.0;
    const CRUISE_KM_PER_MINUTE: f64 = 820.0 / 60.0;
    let wind = if eastward { 0.94 } else { 1.06 };
    let minutes = GROUND_AND_TERMINAL_MINUTES + distance_km.max(0.0) / CRUISE_KM_PER_MINUTE * wind;
    let minutes = minutes.ceil() as u32;
    minutes.div_ceil(5) * 5
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(lat: f64, lon: f64) -> GeoPoint {
        GeoPoint::new(lat, lon).unwrap()
    }

    #[test]
    fn distances_match_published_great_circle_figures() {
        let lhr = point(51.4700, -0.4543);
        let jfk = point(40.6413, -73.7781);
        let syd = point(-33.9399, 151.1753);
        let lax = point(33.9416, -118.4085);
        // Published great-circle distances: LHR-JFK 5,555 km, SYD-LAX 12,051 km.
        assert!((lhr.distance_km(&jfk) - 5_555.0).abs() < 15.0);
        assert!((syd.distance_km(&lax) - 12_051.0).abs() < 30.0);
        assert_eq!(lhr.distance_km(&lhr), 0.0);
    }

    #[test]
    fn heading_crosses_the_antimeridian_the_short_way() {
        let tokyo = point(35.55, 139.78);
        let honolulu = point(21.32, -157.92);
        assert!(tokyo.is_eastward_to(&honolulu));
        assert!(!honolulu.is_eastward_to(&tokyo));
    }

    #[test]
    fn westbound_flights_are_scheduled_longer_and_times_are_multiples_of_five() {
        let east = block_time_minutes(5_555.0, true);
        let west = block_time_minutes(5_555.0, false);
        assert!(west > east);
        assert_eq!(east % 5, 0);
        assert_eq!(west % 5, 0);
        // Real schedules: JFK-LHR about 7h, LHR-JFK about 8h.
        assert!((390..=450).contains(&east), "{east}");
        assert!((450..=510).contains(&west), "{west}");
    }

    #[test]
    fn out_of_range_coordinates_are_rejected() {
        assert!(GeoPoint::new(90.5, 0.0).is_err());
        assert!(GeoPoint::new(0.0, -181.0).is_err());
    }
}
