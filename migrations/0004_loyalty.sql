-- Loyalty: an append-only points ledger fed by booking events, and the dead letters the
-- consumer could not apply.

-- One row per applied event. The entry id is the event id (`<booking id>:confirmed` or
-- `:cancelled`), so a redelivered event inserts nothing.
CREATE TABLE loyalty_ledger (
    entry_id     TEXT PRIMARY KEY,
    customer_id  TEXT NOT NULL,
    booking_id   TEXT NOT NULL,
    points       INTEGER NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('EARN', 'REVOKE', 'EXPIRE')),
    created_at   TEXT NOT NULL,
    CHECK ((kind = 'EARN') = (points >= 0) OR points = 0)
) STRICT;

-- A customer's balance and history are one index range.
CREATE INDEX loyalty_ledger_by_customer ON loyalty_ledger (customer_id, created_at DESC, entry_id DESC);
CREATE INDEX loyalty_ledger_by_booking ON loyalty_ledger (booking_id);

-- Messages that failed every retry, as the dead-letter queue delivered them, for admins
-- to inspect and replay.
CREATE TABLE loyalty_dead_letters (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id   TEXT NOT NULL UNIQUE,
    body         TEXT NOT NULL,
    error        TEXT NOT NULL,
    received_at  TEXT NOT NULL,
    replayed_at  TEXT
) STRICT;
