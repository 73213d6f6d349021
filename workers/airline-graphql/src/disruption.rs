//! When the airline changes a flight, the travellers on it hear about it and their
//! bookings follow: a cancelled flight cancels each booking on it through its saga (full
//! refund, seats released, points taken back, reason FLIGHT_CANCELLED); a new departure
//! time tells each traveller. Run by the admin mutations, and again by the reconciliation
//! run for any booking that was still being made when its flight was cancelled.
//!
//! Everything here is idempotent: a booking cancels once, a notification is stored once.

use airline_booking::notify;
use airline_booking::protocol::{WorkflowReply, WorkflowRequest};
use airline_booking::saga::{BookingStatus, FailureCode};
use chrono::{DateTime, Utc};

use crate::store::{BookingService, NotificationStore};
use crate::StoreError;

/// What cancelling a flight did to the bookings on it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FlightCancellation {
    /// Bookings cancelled now, each refunded in full and its traveller told.
    pub cancelled: Vec<String>,
    /// Bookings still being made: they cancel once made (the reconciliation run
    /// finds them, confirmed, on a cancelled flight).
    pub pending: Vec<String>,
}

/// Cancels every booking on `flight_id` and tells its traveller why.
pub async fn cancel_bookings_on_flight(
    bookings: &dyn BookingService,
    notifications: &dyn NotificationStore,
    flight_id: &airline_domain::FlightId,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<FlightCancellation, StoreError> {
    let mut outcome = FlightCancellation::default();
    for (booking_id, customer_id) in bookings.on_flight(flight_id).await? {
        let request = WorkflowRequest::CancelForFlight {
            flight_id: flight_id.to_string(),
        };
        match bookings.workflow(&booking_id, request).await? {
            WorkflowReply::Booking { booking }
                if booking.status == BookingStatus::Cancelled
                    && booking.failure.as_ref().map(|f| f.code)
                        == Some(FailureCode::FlightCancelled) =>
            {
                let message = notify::flight_cancelled(
                    booking_id.as_str(),
                    customer_id.as_str(),
                    flight_id.as_str(),
                    reason,
                );
                notifications.notify(&message, now).await?;
                outcome.cancelled.push(booking_id.into_string());
            }
            // Cancelled for another reason before, or not found: nothing to do.
            WorkflowReply::Booking { booking } if booking.status == BookingStatus::Cancelled => {}
            WorkflowReply::NotFound => {}
            // Still being made, or its confirmation event not out yet.
            _ => outcome.pending.push(booking_id.into_string()),
        }
    }
    Ok(outcome)
}

/// Tells every traveller on `flight_id` its new departure (local times at the origin).
pub async fn notify_retimed(
    bookings: &dyn BookingService,
    notifications: &dyn NotificationStore,
    flight_id: &airline_domain::FlightId,
    (old_local, new_local): (&str, &str),
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let mut told = 0;
    for (booking_id, customer_id) in bookings.on_flight(flight_id).await? {
        let message = notify::flight_retimed(
            booking_id.as_str(),
            customer_id.as_str(),
            flight_id.as_str(),
            old_local,
            new_local,
        );
        if notifications.notify(&message, now).await? {
            told += 1;
        }
    }
    Ok(told)
}
