-- Events that cannot be lost, and the job that checks they were not.
--
-- booking_events is the booking saga's transactional outbox: the event a booking must
-- publish is written in the same D1 batch (one transaction) as the booking's CONFIRMED or
-- CANCELLED row, before it is sent; `sent_at` is set once the queue accepted it. The
-- reconciliation job resends any event whose ledger entry is still missing after a grace
-- period, sent or not; the ledger applies an event id once, so resending is always safe.
CREATE TABLE booking_events (
    event_id     TEXT PRIMARY KEY,
    booking_id   TEXT NOT NULL,
    -- The event as JSON (airline_booking::events::BookingEvent), exactly as sent.
    body         TEXT NOT NULL CHECK (json_valid(body)),
    created_at   TEXT NOT NULL,
    sent_at      TEXT,
    -- How many times the reconciliation job sent it again.
    resent       INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE INDEX booking_events_by_created ON booking_events (created_at);

-- What each reconciliation run found and fixed, for admins (GraphQL `reconciliationRuns`).
CREATE TABLE reconciliation_runs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at   TEXT NOT NULL,
    finished_at  TEXT NOT NULL,
    -- airline_booking::reconcile::Report as JSON.
    report       TEXT NOT NULL CHECK (json_valid(report))
) STRICT;
