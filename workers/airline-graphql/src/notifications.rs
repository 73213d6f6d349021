//! A traveller's notifications: what the airline told them about their bookings (a
//! cancelled flight, a new departure time), newest first.

use airline_domain::InputError;
use async_graphql::{Context, Object, ID};

use crate::error::{ApiError, ApiResult};
use crate::store::StoredNotification;
use crate::RequestContext;

const MAX_PAGE: i32 = 50;

#[derive(Default)]
pub struct NotificationQuery;

#[Object]
impl NotificationQuery {
    /// Your notifications, newest first.
    async fn notifications(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, desc = "How many, 1 to 50.")] first: Option<i32>,
    ) -> ApiResult<Vec<Notification>> {
        let request = RequestContext::of(ctx)?;
        let principal = request.signed_in()?;
        let limit = first.unwrap_or(20);
        if !(1..=MAX_PAGE).contains(&limit) {
            return Err(ApiError::BadUserInput(InputError::new(
                "first",
                format!("must be between 1 and {MAX_PAGE}"),
            )));
        }
        let stored = request
            .notifications
            .notifications(&principal.account_id, limit as usize)
            .await?;
        Ok(stored.into_iter().map(Notification).collect())
    }
}

pub struct Notification(StoredNotification);

#[Object]
impl Notification {
    async fn id(&self) -> ID {
        ID(self.0.notification.id.clone())
    }
    /// FLIGHT_CANCELLED or FLIGHT_RETIMED.
    async fn kind(&self) -> &str {
        self.0.notification.kind.as_str()
    }
    async fn booking_id(&self) -> ID {
        ID(self.0.notification.booking_id.clone())
    }
    async fn message(&self) -> &str {
        &self.0.notification.message
    }
    /// RFC 3339 UTC.
    async fn created_at(&self) -> String {
        airline_domain::utc_text(self.0.created_at)
    }
    /// When it was handed to email/SMS delivery (RFC 3339 UTC); null until then.
    async fn delivered_at(&self) -> Option<String> {
        self.0.delivered_at.map(airline_domain::utc_text)
    }
}
