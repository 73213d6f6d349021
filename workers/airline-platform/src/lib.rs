//! Cloudflare plumbing the Worker and the Durable Objects share, so each name wrangler.toml
//! binds is spelled once, every crate calls a Durable Object the same way, and a table
//! more than one of them writes has its SQL in one place. No rules here: those live in
//! the plain Rust crates.
#![forbid(unsafe_code)]

pub mod config;
pub mod log;
pub mod read_model;
pub mod sql;
pub mod trace;

use serde::de::DeserializeOwned;
use serde::Serialize;
use worker::{Env, Headers, Method, Request, RequestInit, Result};

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

/// Sends `message` as JSON to the Durable Object `name` of the namespace bound as
/// `binding`, and reads its JSON answer. Any status but 200 is an error that names the
/// object and carries what it said. `request_id`, when there is one, goes along as
/// [`log::REQUEST_ID_HEADER`], so the object's log lines name the request that drove it.
pub async fn call_object<Q: Serialize, A: DeserializeOwned>(
    env: &Env,
    binding: &str,
    name: &str,
    message: &Q,
    request_id: Option<&str>,
) -> Result<A> {
    trace::call(trace::CallKind::ObjectCall, Some(binding), request_id).await;
    let stub = env
        .durable_object(binding)?
        .id_from_name(name)?
        .get_stub()?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_body(Some(worker::wasm_bindgen::JsValue::from_str(
            &serde_json::to_string(message)?,
        )));
    if let Some(request_id) = request_id {
        let headers = Headers::new();
        headers.set(log::REQUEST_ID_HEADER, request_id)?;
        init.with_headers(headers);
    }
    let request = Request::new_with_init("https://object/", &init)?;
    let mut response = stub.fetch_with_request(request).await?;
    if response.status_code() != 200 {
        let text = response.text().await.unwrap_or_default();
        return Err(worker::Error::RustError(format!(
            "{binding}/{name} answered {}: {text}",
            response.status_code()
        )));
    }
    response.json::<A>().await
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
