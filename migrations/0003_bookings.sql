-- Bookings, the sandbox payment provider's state, and the inventory's read-model version.
--
-- The truth about seats lives in each flight's inventory Durable Object and the truth
-- about a booking in progress in its workflow object; these tables are what the workflow
-- writes as it goes, for lists and for the payment sandbox.

-- A booking as recorded by its saga: UNCONFIRMED once recorded, then CONFIRMED with a
-- reference, or CANCELLED with a reason (also bookings that failed before being recorded).
CREATE TABLE bookings (
    id              TEXT PRIMARY KEY CHECK (id GLOB 'bk_*'),
    customer_id     TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('UNCONFIRMED', 'CONFIRMED', 'CANCELLED')),
    -- Six unambiguous characters; unique among all bookings.
    reference       TEXT UNIQUE CHECK (reference IS NULL OR length(reference) = 6),
    total_amount    INTEGER NOT NULL CHECK (total_amount >= 0),
    total_currency  TEXT NOT NULL CHECK (total_currency GLOB '[A-Z][A-Z][A-Z]'),
    -- The booking as the API shows it (JSON of airline_booking::record::BookingView).
    details         TEXT NOT NULL CHECK (json_valid(details)),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    CHECK (status <> 'CONFIRMED' OR reference IS NOT NULL)
) STRICT;

-- "My bookings, newest first, optionally by status" is one index range.
CREATE INDEX bookings_by_customer ON bookings (customer_id, created_at DESC, id DESC);
CREATE INDEX bookings_by_customer_and_status ON bookings (customer_id, status, created_at DESC, id DESC);

-- Sandbox provider: cards tokenized by tokenizeCard. Never the number: brand, last four
-- digits, expiry and which test behaviour the number selects.
CREATE TABLE payment_tokens (
    token        TEXT PRIMARY KEY CHECK (token GLOB 'tok_*'),
    customer_id  TEXT NOT NULL,
    brand        TEXT NOT NULL,
    last4        TEXT NOT NULL CHECK (length(last4) = 4),
    exp_month    INTEGER NOT NULL CHECK (exp_month BETWEEN 1 AND 12),
    exp_year     INTEGER NOT NULL,
    behaviour    TEXT NOT NULL,
    created_at   TEXT NOT NULL
) STRICT;

-- Sandbox provider: one payment per booking (the idempotency key), and its life:
-- PENDING -> AUTHORIZED -> CAPTURED -> REFUNDED, or DECLINED, or VOIDED.
CREATE TABLE payments (
    id                  TEXT PRIMARY KEY,
    idempotency_key     TEXT NOT NULL UNIQUE,
    customer_id         TEXT NOT NULL,
    token               TEXT NOT NULL,
    amount              INTEGER NOT NULL CHECK (amount >= 0),
    currency            TEXT NOT NULL,
    status              TEXT NOT NULL CHECK (status IN ('PENDING', 'AUTHORIZED', 'CAPTURED', 'DECLINED', 'VOIDED', 'REFUNDED')),
    authorize_attempts  INTEGER NOT NULL DEFAULT 0,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
) STRICT;

-- The inventory object numbers its changes; D1 keeps the number of the count it holds,
-- so a late update carrying an older count never overwrites a newer one.
ALTER TABLE flights ADD COLUMN inventory_version INTEGER NOT NULL DEFAULT 0;
