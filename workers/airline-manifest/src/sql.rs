//! The SQL of the D1 tables that more than one crate reads or writes, one module per
//! table, so a table's statements are read and changed together. Parameters are numbered
//! (`?1`…); each statement's comment names them. Tables one crate owns alone keep their
//! SQL beside that crate's store.

/// `bookings`: the read model of the booking objects (each booking's truth), written by
/// the read model's consumer and the reconciliation run, listed by the Worker.
pub mod bookings {
    /// A booking's copy, kept only if it is newer than the one held (the object's
    /// version), so copies arriving twice, late or out of order never move it backwards.
    /// ?1 id, ?2 customer id, ?3 status, ?4 reference or NULL, ?5 total amount, ?6
    /// currency, ?7 the view as JSON, ?8 created at, ?9 updated at, ?10 version, ?11 when
    /// the copy arrived, ?12 whether the reference is registered (once registered, it
    /// stays so).
    pub const UPSERT_COPY: &str = "INSERT INTO bookings (id, customer_id, status, reference, total_amount,
             total_currency, details, created_at, updated_at, version, projected_at, reference_registered)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
         ON CONFLICT (id) DO UPDATE SET status = excluded.status, reference = excluded.reference,
             details = excluded.details, updated_at = excluded.updated_at,
             version = excluded.version, projected_at = excluded.projected_at,
             reference_registered = max(bookings.reference_registered, excluded.reference_registered)
         WHERE excluded.version > bookings.version";

    /// The bookings that include flight ?1 and are not cancelled, with their travellers.
    pub const ON_FLIGHT: &str = "SELECT b.id, b.customer_id
         FROM booking_flights bf JOIN bookings b ON b.id = bf.booking_id
         WHERE bf.flight_id = ?1 AND b.status <> 'CANCELLED'";

    /// A customer's bookings, newest first, a page after a cursor. ?1 customer id, ?2 a
    /// status or NULL, ?3 and ?4 the cursor's time and id (`''` for the first page), ?5
    /// the page size plus one (to see whether there is a next page).
    pub const PAGE_FOR_CUSTOMER: &str = "SELECT details FROM bookings
         WHERE customer_id = ?1 AND (?2 IS NULL OR status = ?2)
           AND (created_at < ?3 OR (created_at = ?3 AND id < ?4 AND ?4 <> ''))
         ORDER BY created_at DESC, id DESC
         LIMIT ?5";
}

/// `flights`: the catalog the Worker searches and admins change, and the seat count the
/// flight inventory objects keep current.
pub mod flights {
    /// Flight columns plus both airports, prefixed `o_` (origin) and `d_` (destination);
    /// a search or a look-up adds its `WHERE`.
    pub const SELECT_WITH_AIRPORTS: &str = "SELECT f.id, f.flight_number, f.departure_utc, f.arrival_utc, \
        f.fare_amount, f.fare_currency, f.seat_capacity, f.seats_available, f.aircraft_type, f.status, \
        o.code AS o_code, o.name AS o_name, o.city AS o_city, o.country AS o_country, \
        o.time_zone AS o_time_zone, o.latitude AS o_latitude, o.longitude AS o_longitude, \
        d.code AS d_code, d.name AS d_name, d.city AS d_city, d.country AS d_country, \
        d.time_zone AS d_time_zone, d.latitude AS d_latitude, d.longitude AS d_longitude \
        FROM flights f JOIN airports o ON o.code = f.origin JOIN airports d ON d.code = f.destination";

    /// The one statement that writes new flights, around its rows: the columns in the order
    /// a row gives them, and nothing written for a flight that exists. An admin's one
    /// flight ([`INSERT`]) and the seed's many ([`INSERT_MANY`]) both go through it.
    macro_rules! insert_new_flights {
        ($rows:literal) => {
            concat!(
                "INSERT INTO flights (id, flight_number, airline_code, origin, destination, \
                 departure_utc, arrival_utc, duration_minutes, fare_amount, fare_currency, \
                 seat_capacity, seats_available, aircraft_type, status) VALUES ",
                $rows,
                " ON CONFLICT DO NOTHING"
            )
        };
    }

    /// A new flight, all seats free. ?1 id, ?2 number, ?3 airline, ?4 origin, ?5
    /// destination, ?6 departure, ?7 arrival, ?8 minutes, ?9 fare, ?10 currency, ?11 seats,
    /// ?12 aircraft.
    pub const INSERT: &str = insert_new_flights!(
        "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11, ?12, 'SCHEDULED')"
    );

    /// Many new flights at once (the seed's): [`ROWS`] replaced by `(…),\n(…)`, each row
    /// the fourteen columns in order, values as SQL literals.
    pub const INSERT_MANY: &str = insert_new_flights!("\n{rows}\n");
    /// Where [`INSERT_MANY`]'s rows go.
    pub const ROWS: &str = "{rows}";

    /// An admin's change, only if the row still holds what it was based on (optimistic).
    /// ?1 id; the new ?2 departure, ?3 arrival, ?4 minutes, ?5 fare, ?6 seats, ?7 status;
    /// the old ?8 departure, ?9 arrival, ?10 fare, ?11 seats, ?12 status.
    pub const REPLACE: &str =
        "UPDATE flights SET departure_utc = ?2, arrival_utc = ?3, duration_minutes = ?4, \
           fare_amount = ?5, seats_available = seats_available + (?6 - seat_capacity), \
           seat_capacity = ?6, status = ?7 \
         WHERE id = ?1 AND departure_utc = ?8 AND arrival_utc = ?9 AND fare_amount = ?10 \
           AND seat_capacity = ?11 AND status = ?12";

    /// The inventory object's free-seat count, versioned so a late write never overwrites
    /// a newer count. ?1 free seats, ?2 the inventory's version, ?3 flight id.
    pub const SET_SEATS_AVAILABLE: &str =
        "UPDATE flights SET seats_available = min(?1, seat_capacity), inventory_version = ?2
         WHERE id = ?3 AND inventory_version < ?2";
}

/// `booking_flights`: which bookings name which flight (from their copies).
pub mod booking_flights {
    /// Booking ?1 names the flights in ?2 (a JSON array of flight ids).
    pub const INSERT_ALL: &str = "INSERT OR IGNORE INTO booking_flights (flight_id, booking_id)
         SELECT value, ?1 FROM json_each(?2)";
}

/// `payments`: each booking's payment, from its copies (the sandbox's own rows, or what
/// the booking knows of a Stripe payment).
pub mod payments {
    /// Kept only if newer than the one held. ?1 id, ?2 key (the booking id), ?3 customer
    /// id, ?4 token, ?5 amount, ?6 currency, ?7 status, ?8 authorization attempts, ?9
    /// created at, ?10 updated at, ?11 the booking copy's version.
    pub const UPSERT_COPY: &str =
        "INSERT INTO payments (id, idempotency_key, customer_id, token, amount,
             currency, status, authorize_attempts, created_at, updated_at, version)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT (idempotency_key) DO UPDATE SET id = excluded.id, status = excluded.status,
             authorize_attempts = excluded.authorize_attempts, updated_at = excluded.updated_at,
             version = excluded.version
         WHERE excluded.version > payments.version";
}

/// `booking_events`: the booking objects' outboxes, copied with each booking, next to the
/// ledger, and what the reconciliation job resends.
pub mod booking_events {
    /// Booking ?1's outbox, ?2 (a JSON array of `OutboxEntry`): new events are added, and
    /// an event's `sent_at` is filled in once a copy knows it.
    pub const UPSERT_ALL: &str = "INSERT INTO booking_events (event_id, booking_id, body, created_at, sent_at)
         SELECT json_extract(value, '$.eventId'), ?1, json_extract(value, '$.body'),
                json_extract(value, '$.createdAt'), json_extract(value, '$.sentAt')
         FROM json_each(?2) WHERE true
         ON CONFLICT (event_id) DO UPDATE SET sent_at = coalesce(booking_events.sent_at, excluded.sent_at)";

    /// Events whose ledger entry is still missing, recorded before ?1 (now minus the grace
    /// period), oldest first, at most ?2; not those an admin is looking at in the dead
    /// letters (resending a poison message would only file it again).
    pub const UNAPPLIED: &str = "SELECT e.event_id, e.body FROM booking_events e
         WHERE e.created_at < ?1
           AND NOT EXISTS (SELECT 1 FROM loyalty_ledger l WHERE l.entry_id = e.event_id)
           AND NOT EXISTS (SELECT 1 FROM loyalty_dead_letters d
                           WHERE d.replayed_at IS NULL AND json_valid(d.body)
                             AND json_extract(d.body, '$.eventId') = e.event_id)
         ORDER BY e.created_at LIMIT ?2";

    /// The reconciliation job sent it again. ?1 event id, ?2 when.
    pub const MARK_RESENT: &str = "UPDATE booking_events
         SET resent = resent + 1, sent_at = coalesce(sent_at, ?2) WHERE event_id = ?1";
}

/// What the reconciliation job reads of bookings, flights and payments, and its reports.
pub mod reconciliation {
    /// Flights whose inventory object has written a count (so it exists) and that have not
    /// left yet. ?1 now, ?2 at most.
    pub const INVENTORIED_FLIGHTS: &str =
        "SELECT id, aircraft_type, seat_capacity, seats_available FROM flights
         WHERE inventory_version > 0 AND departure_utc > ?1
         ORDER BY departure_utc LIMIT ?2";

    /// The count the inventory object holds, when D1's has drifted from it. ?1 free
    /// seats, ?2 flight id.
    pub const REPAIR_SEATS_AVAILABLE: &str =
        "UPDATE flights SET seats_available = min(?1, seat_capacity)
         WHERE id = ?2 AND seats_available <> min(?1, seat_capacity)";

    /// Bookings still UNCONFIRMED, last moved before ?1 (now minus the grace period). ?2
    /// at most.
    pub const STALLED_BOOKINGS: &str = "SELECT id FROM bookings
         WHERE status = 'UNCONFIRMED' AND updated_at < ?1 ORDER BY updated_at LIMIT ?2";

    /// Flights not yet departed (?1 now) whose inventory changed since their bookings
    /// were last compared with the read model, at most ?2.
    pub const FLIGHTS_TO_CHECK_BOOKINGS: &str = "SELECT id, inventory_version FROM flights
         WHERE inventory_version > bookings_checked_version AND departure_utc > ?1
         ORDER BY departure_utc LIMIT ?2";

    /// Flight ?1's bookings as the read model lists them.
    pub const LISTED_ON_FLIGHT: &str = "SELECT b.id, b.status
         FROM booking_flights bf JOIN bookings b ON b.id = bf.booking_id
         WHERE bf.flight_id = ?1";

    /// Flight ?1's bookings were compared at inventory version ?2.
    pub const MARK_BOOKINGS_CHECKED: &str = "UPDATE flights
         SET bookings_checked_version = max(bookings_checked_version, ?2) WHERE id = ?1";

    /// Bookings whose reference the reference objects do not know yet (made before they
    /// existed), at most ?1.
    pub const UNREGISTERED_REFERENCES: &str = "SELECT id, reference FROM bookings
         WHERE reference_registered = 0 AND reference IS NOT NULL LIMIT ?1";

    /// Booking ?1's reference is registered.
    pub const MARK_REFERENCE_REGISTERED: &str =
        "UPDATE bookings SET reference_registered = 1 WHERE id = ?1";

    /// Sandbox payments next to the booking they pay for (NULL status when the booking was
    /// never recorded), last changed before ?1, that may not match it: money taken
    /// without a confirmed booking, or a confirmed booking without money taken. ?2 at most.
    pub const PAYMENTS_TO_CHECK: &str =
        "SELECT p.idempotency_key AS booking_id, p.status AS payment_status,
             b.status AS booking_status
         FROM payments p LEFT JOIN bookings b ON b.id = p.idempotency_key
         WHERE p.updated_at < ?1
           AND ((p.status = 'CAPTURED' AND (b.status IS NULL OR b.status <> 'CONFIRMED'))
             OR (p.status = 'AUTHORIZED' AND b.status IN ('CONFIRMED', 'CANCELLED'))
             OR (b.status = 'CONFIRMED' AND p.status <> 'CAPTURED'))
         ORDER BY p.updated_at LIMIT ?2";

    /// Cancelled flights that still have confirmed bookings (made while the flight was
    /// being cancelled), at most ?1.
    pub const CANCELLED_FLIGHTS_WITH_BOOKINGS: &str = "SELECT DISTINCT f.id AS flight_id
         FROM bookings b, json_each(b.details, '$.flights') x
         JOIN flights f ON f.id = json_extract(x.value, '$.flightId')
         WHERE b.status = 'CONFIRMED' AND f.status = 'CANCELLED'
         LIMIT ?1";

    /// Customers with points whose last ledger entry is older than ?1 (now minus the
    /// inactivity period), at most ?2: their balance and when it last moved.
    pub const EXPIRABLE_BALANCES: &str = "SELECT customer_id, sum(points) AS balance,
             max(created_at) AS last_activity
         FROM loyalty_ledger GROUP BY customer_id
         HAVING sum(points) > 0 AND max(created_at) < ?1
         LIMIT ?2";

    /// How late each copy that arrived since ?1 was: from its booking's change (the
    /// view's `updatedAt`, to the millisecond) to its arrival, in ms; at most 10,000.
    pub const READ_MODEL_LAGS: &str = "SELECT
             (julianday(projected_at) - julianday(json_extract(details, '$.updatedAt'))) * 86400000.0
                 AS lag_ms
         FROM bookings WHERE projected_at >= ?1 LIMIT 10000";

    /// Bookings the read model shows unfinished (UNCONFIRMED) that last changed before ?1.
    pub const UNFINISHED_BEFORE: &str =
        "SELECT count(*) AS n FROM bookings WHERE status = 'UNCONFIRMED' AND updated_at < ?1";

    /// ?1 started at, ?2 finished at, ?3 the report as JSON.
    pub const INSERT_RUN: &str =
        "INSERT INTO reconciliation_runs (started_at, finished_at, report) VALUES (?1, ?2, ?3)";

    /// The newest runs first. ?1 at most.
    pub const RECENT_RUNS: &str =
        "SELECT id, started_at, finished_at, report FROM reconciliation_runs
         ORDER BY id DESC LIMIT ?1";
}

/// `notifications`: what travellers are told about their bookings; the table is also the
/// outbox of the `notifications` queue (`delivered_at` is set by its consumer).
pub mod notifications {
    /// ?1 id, ?2 customer id, ?3 booking id, ?4 kind, ?5 message, ?6 created at; nothing
    /// if that notification exists.
    pub const INSERT: &str =
        "INSERT INTO notifications (id, customer_id, booking_id, kind, message, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (id) DO NOTHING";

    /// A customer's, newest first. ?1 customer id, ?2 at most.
    pub const FOR_CUSTOMER: &str =
        "SELECT id, customer_id, booking_id, kind, message, created_at, delivered_at
         FROM notifications WHERE customer_id = ?1
         ORDER BY created_at DESC, id DESC LIMIT ?2";

    /// ?1 id, ?2 when.
    pub const MARK_DELIVERED: &str =
        "UPDATE notifications SET delivered_at = ?2 WHERE id = ?1 AND delivered_at IS NULL";

    /// Not delivered, created before ?1 (now minus the grace period), oldest first, at
    /// most ?2.
    pub const UNDELIVERED: &str =
        "SELECT id, customer_id, booking_id, kind, message, created_at, delivered_at
         FROM notifications WHERE delivered_at IS NULL AND created_at < ?1
         ORDER BY created_at LIMIT ?2";
}
