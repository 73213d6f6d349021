-- The flight catalog: airports and scheduled flights.
--
-- Instants are UTC text in one fixed form (YYYY-MM-DDTHH:MM:SSZ), so text order is time
-- order and range scans use the index; local times are derived from the airport's IANA
-- zone, never stored. Money is an integer count of minor units plus an ISO-4217 code.

CREATE TABLE airports (
    code        TEXT PRIMARY KEY CHECK (code GLOB '[A-Z][A-Z][A-Z]'),
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    city        TEXT NOT NULL CHECK (length(city) BETWEEN 1 AND 100),
    country     TEXT NOT NULL CHECK (country GLOB '[A-Z][A-Z]'),
    time_zone   TEXT NOT NULL CHECK (length(time_zone) BETWEEN 3 AND 64),
    latitude    REAL NOT NULL CHECK (latitude BETWEEN -90 AND 90),
    longitude   REAL NOT NULL CHECK (longitude BETWEEN -180 AND 180),
    -- "code city name country" folded to lower-case ASCII words, for autocomplete.
    search_key  TEXT NOT NULL
) STRICT;

CREATE TABLE flights (
    id               TEXT PRIMARY KEY,          -- flight number + local departure date: EA117-20261124
    flight_number    TEXT NOT NULL,
    airline_code     TEXT NOT NULL CHECK (length(airline_code) = 2),
    origin           TEXT NOT NULL REFERENCES airports (code),
    destination      TEXT NOT NULL REFERENCES airports (code),
    -- A real instant in the one canonical form, or the row is refused.
    departure_utc    TEXT NOT NULL CHECK (departure_utc = strftime('%Y-%m-%dT%H:%M:%SZ', departure_utc)),
    arrival_utc      TEXT NOT NULL CHECK (arrival_utc = strftime('%Y-%m-%dT%H:%M:%SZ', arrival_utc)),
    duration_minutes INTEGER NOT NULL CHECK (duration_minutes > 0),
    fare_amount      INTEGER NOT NULL CHECK (fare_amount >= 0),   -- minor units, one passenger
    fare_currency    TEXT NOT NULL CHECK (fare_currency GLOB '[A-Z][A-Z][A-Z]'),
    seat_capacity    INTEGER NOT NULL CHECK (seat_capacity > 0),
    -- Read model for search, kept in step by the flight's inventory object.
    seats_available  INTEGER NOT NULL CHECK (seats_available BETWEEN 0 AND seat_capacity),
    aircraft_type    TEXT NOT NULL,
    status           TEXT NOT NULL DEFAULT 'SCHEDULED' CHECK (status IN ('SCHEDULED', 'CANCELLED')),
    CHECK (origin <> destination),
    CHECK (arrival_utc > departure_utc)
) STRICT;

-- "From X to Y departing within this UTC window" (a local day at X) is one range scan.
CREATE INDEX flights_by_route_and_departure ON flights (origin, destination, departure_utc);
-- A flight number departs at most once at a given instant.
CREATE UNIQUE INDEX flights_by_number_and_departure ON flights (flight_number, departure_utc);
