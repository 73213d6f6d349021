-- Each booking's own Durable Object is now its system of record: its SQLite holds the
-- booking, its payment state and its outbox, and nothing on a booking's answer path
-- writes D1. These tables become the read model of those objects, fed through the
-- `booking-changes` queue in batches (workers/airline-worker/src/projection.rs) and
-- repaired from the objects by the reconciliation run; a copy never moves backwards,
-- because every copy carries the object's version and only a newer one is written.

-- bookings, rebuilt: `version` (the object's, of the copy held), `projected_at` (when the
-- copy arrived, for the lag report), and `reference` no longer UNIQUE here: references
-- are claimed in their own objects (one per reference) before a booking confirms, which
-- is what makes them unique now. `reference_registered` marks rows whose reference is
-- known to that registry: every row the read model writes, and older rows once the
-- reconciliation run has registered them.
CREATE TABLE bookings_v2 (
    id                    TEXT PRIMARY KEY CHECK (id GLOB 'bk_*'),
    customer_id           TEXT NOT NULL,
    status                TEXT NOT NULL CHECK (status IN ('UNCONFIRMED', 'CONFIRMED', 'CANCELLED')),
    reference             TEXT CHECK (reference IS NULL OR length(reference) = 6),
    total_amount          INTEGER NOT NULL CHECK (total_amount >= 0),
    total_currency        TEXT NOT NULL CHECK (total_currency GLOB '[A-Z][A-Z][A-Z]'),
    details               TEXT NOT NULL CHECK (json_valid(details)),
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL,
    version               INTEGER NOT NULL DEFAULT 0,
    projected_at          TEXT,
    reference_registered  INTEGER NOT NULL DEFAULT 0,
    CHECK (status <> 'CONFIRMED' OR reference IS NOT NULL)
) STRICT;

INSERT INTO bookings_v2 (id, customer_id, status, reference, total_amount, total_currency,
                         details, created_at, updated_at)
    SELECT id, customer_id, status, reference, total_amount, total_currency, details,
           created_at, updated_at
    FROM bookings;
DROP TABLE bookings;
ALTER TABLE bookings_v2 RENAME TO bookings;

CREATE INDEX bookings_by_customer ON bookings (customer_id, created_at DESC, id DESC);
CREATE INDEX bookings_by_customer_and_status ON bookings (customer_id, status, created_at DESC, id DESC);
CREATE INDEX bookings_by_reference ON bookings (reference) WHERE reference IS NOT NULL;
CREATE INDEX bookings_by_update ON bookings (updated_at);
CREATE INDEX bookings_unregistered ON bookings (id) WHERE reference_registered = 0 AND reference IS NOT NULL;

-- Which bookings name which flight, for "the bookings on this flight" (disruption) and
-- for the reconciliation run, which compares it with each flight object's own list.
CREATE TABLE booking_flights (
    flight_id   TEXT NOT NULL,
    booking_id  TEXT NOT NULL,
    PRIMARY KEY (flight_id, booking_id)
) STRICT, WITHOUT ROWID;

INSERT OR IGNORE INTO booking_flights (flight_id, booking_id)
    SELECT json_extract(f.value, '$.flightId'), b.id
    FROM bookings b, json_each(b.details, '$.flights') f;

-- The reconciliation run compares each flight object's list of bookings with the read
-- model when the flight has changed since it last looked (its inventory_version).
ALTER TABLE flights ADD COLUMN bookings_checked_version INTEGER NOT NULL DEFAULT 0;

-- payments: the sandbox provider's payments, now kept in each booking's object and
-- copied here with the booking (the version of the booking copy that carried it).
ALTER TABLE payments ADD COLUMN version INTEGER NOT NULL DEFAULT 0;

-- booking_events: the booking objects' outboxes, copied here with each booking (an
-- event's row arrives with the first copy that holds it, `sent_at` with the first copy
-- made after the queue took it), so the reconciliation run still sees every event next
-- to the ledger with one query.

-- The sandbox's Stripe-compatible face keeps its idempotency answers with the payment,
-- in the booking's object, now.
DROP TABLE stripe_sandbox_answers;
