-- Fare brands: a booking cancelled under a fare that refunds nothing keeps its payment,
-- which the read model shows as RETAINED (captured, and kept by the fare's conditions),
-- so reconciliation tells it from money taken for a booking that is not confirmed.
-- SQLite cannot change a CHECK constraint in place: the table is rebuilt, rows kept.
CREATE TABLE payments_with_retained (
    id                  TEXT PRIMARY KEY,
    idempotency_key     TEXT NOT NULL UNIQUE,
    customer_id         TEXT NOT NULL,
    token               TEXT NOT NULL,
    amount              INTEGER NOT NULL CHECK (amount >= 0),
    currency            TEXT NOT NULL,
    status              TEXT NOT NULL CHECK (status IN ('PENDING', 'AUTHORIZED', 'CAPTURED', 'DECLINED', 'VOIDED', 'REFUNDED', 'RETAINED')),
    authorize_attempts  INTEGER NOT NULL DEFAULT 0,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    version             INTEGER NOT NULL DEFAULT 0
) STRICT;

INSERT INTO payments_with_retained
    (id, idempotency_key, customer_id, token, amount, currency, status, authorize_attempts,
     created_at, updated_at, version)
SELECT id, idempotency_key, customer_id, token, amount, currency, status, authorize_attempts,
       created_at, updated_at, version
FROM payments;

DROP TABLE payments;
ALTER TABLE payments_with_retained RENAME TO payments;
