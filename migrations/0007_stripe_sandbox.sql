-- The sandbox's Stripe-compatible API (/sandbox/stripe/v1/, local runs only) keeps each
-- idempotency key's first answer, as Stripe does, and replays it to every retry of the
-- same request; the same key with another request is refused.
CREATE TABLE stripe_sandbox_answers (
    idempotency_key  TEXT PRIMARY KEY,
    request          TEXT NOT NULL,
    status           INTEGER NOT NULL,
    body             TEXT NOT NULL,
    created_at       TEXT NOT NULL
) STRICT;
