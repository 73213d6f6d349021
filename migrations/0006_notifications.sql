-- What travellers are told about their bookings when the airline changes a flight: a
-- cancellation (with its full refund) or a new departure time. Stored for the app
-- (GraphQL `notifications`) and handed to the `notifications` queue, whose consumer is
-- where an email or SMS sender plugs in; it sets `delivered_at`.
CREATE TABLE notifications (
    -- `<booking id>:<kind>[:<detail>]`: telling a traveller twice stores one row.
    id            TEXT PRIMARY KEY,
    customer_id   TEXT NOT NULL,
    booking_id    TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('FLIGHT_CANCELLED', 'FLIGHT_RETIMED')),
    message       TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    delivered_at  TEXT
) STRICT;

-- "My notifications, newest first" is one index range.
CREATE INDEX notifications_by_customer ON notifications (customer_id, created_at DESC, id DESC);
