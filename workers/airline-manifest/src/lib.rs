//! What the Worker asks of Cloudflare and promises at its edge, as constants: the names of
//! its bindings, queues, vars and secrets, the paths it answers before the static assets,
//! the headers on its pages, and the SQL of the D1 tables more than one crate writes.
//!
//! It depends on nothing, so the xtask checks `wrangler.toml` and writes the web app's
//! `_headers` from the very table the Worker reads, without compiling the Worker
//! (`airline_platform` and `airline_edge` re-export what they apply).
#![forbid(unsafe_code)]

pub mod edge;
pub mod settings;
pub mod sql;

/// The names `wrangler.toml` gives the Worker's bindings.
pub mod bindings {
    /// The D1 database: catalog, accounts, the loyalty ledger, and the read model of
    /// bookings and their payments.
    pub const DATABASE: &str = "DB";
    /// Workers Static Assets: the web app and GraphiQL's files (`web/dist`).
    pub const ASSETS: &str = "ASSETS";
    /// The queue booking events are published on.
    pub const LOYALTY_EVENTS: &str = "LOYALTY_EVENTS";
    /// Queue producer: notifications for travellers (`notifications`).
    pub const NOTIFICATIONS: &str = "NOTIFICATIONS";
    /// Queue producer: each booking object's copies of itself, for D1's read model
    /// (`booking-changes`).
    pub const BOOKING_CHANGES: &str = "BOOKING_CHANGES";
    /// Durable Objects: one per flight (its seats), one per booking (its saga, payment
    /// and outbox: the booking's system of record), one per reference prefix (which
    /// booking holds each reference).
    pub const FLIGHT_INVENTORY: &str = "FLIGHT_INVENTORY";
    pub const BOOKING_WORKFLOW: &str = "BOOKING_WORKFLOW";
    pub const REFERENCE_REGISTRY: &str = "REFERENCE_REGISTRY";

    /// Every binding the Worker reads: each environment in wrangler.toml must have them
    /// all (every build and deploy checks: xtask/src/wrangler_config.rs).
    pub const ALL: [&str; 8] = [
        DATABASE,
        ASSETS,
        LOYALTY_EVENTS,
        NOTIFICATIONS,
        BOOKING_CHANGES,
        FLIGHT_INVENTORY,
        BOOKING_WORKFLOW,
        REFERENCE_REGISTRY,
    ];
}

/// Which of the Worker's queues a batch came from. Each environment names its queues with
/// its own suffix (`loyalty-events-staging`), so the consumer goes by what a name starts
/// with, not by one spelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueKind {
    /// Booking events for the loyalty ledger (`loyalty-events[-ENV]`).
    LoyaltyEvents,
    /// Their dead letters (`loyalty-events-dlq[-ENV]`).
    LoyaltyDeadLetters,
    /// Notifications for travellers (`notifications[-ENV]`).
    Notifications,
    /// Booking objects' copies of themselves for the read model (`booking-changes[-ENV]`).
    BookingChanges,
}

impl QueueKind {
    pub fn of(queue_name: &str) -> Option<QueueKind> {
        let is = |base: &str| {
            queue_name == base
                || queue_name
                    .strip_prefix(base)
                    .is_some_and(|rest| rest.starts_with('-') && !rest[1..].contains('-'))
        };
        if is("loyalty-events-dlq") {
            Some(QueueKind::LoyaltyDeadLetters)
        } else if is("loyalty-events") {
            Some(QueueKind::LoyaltyEvents)
        } else if is("notifications") {
            Some(QueueKind::Notifications)
        } else if is("booking-changes") {
            Some(QueueKind::BookingChanges)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::QueueKind;

    #[test]
    fn queues_are_known_by_name_in_every_environment() {
        for (name, kind) in [
            ("loyalty-events", Some(QueueKind::LoyaltyEvents)),
            ("loyalty-events-staging", Some(QueueKind::LoyaltyEvents)),
            ("loyalty-events-dlq", Some(QueueKind::LoyaltyDeadLetters)),
            (
                "loyalty-events-dlq-production",
                Some(QueueKind::LoyaltyDeadLetters),
            ),
            ("notifications", Some(QueueKind::Notifications)),
            ("notifications-staging", Some(QueueKind::Notifications)),
            ("notifications-staging-old", None),
            ("booking-changes", Some(QueueKind::BookingChanges)),
            (
                "booking-changes-production",
                Some(QueueKind::BookingChanges),
            ),
            ("loyalty", None),
            ("other", None),
        ] {
            assert_eq!(QueueKind::of(name), kind, "{name}");
        }
    }
}
