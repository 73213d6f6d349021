//! Notifications for travellers: stored in D1 (which the app reads and which is also the
//! queue's outbox), handed to the `notifications` queue, and delivered by its consumer.
//! The consumer is the one place an email or SMS provider plugs in; today it writes the
//! message to the log and marks it delivered.

use airline_booking::notify::{Notification, NotificationKind};
use airline_domain::AccountId;
use airline_graphql::store::StoredNotification;
use airline_graphql::{NotificationStore, StoreError};
use airline_platform::bindings::{DATABASE, NOTIFICATIONS};
use airline_platform::sql;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use worker::send::SendFuture;
use worker::{console_error, console_log, Env, MessageBatch, MessageExt as _, Result};

use crate::d1::{parse_utc, utc_text, D1Store};

pub struct EdgeNotifications {
    env: Env,
    store: std::sync::Arc<D1Store>,
}

impl EdgeNotifications {
    pub fn new(env: &Env, store: std::sync::Arc<D1Store>) -> Self {
        Self {
            env: env.clone(),
            store,
        }
    }

    /// Hands a stored notification to the queue. A failure leaves it undelivered, and the
    /// reconciliation run sends it again.
    pub async fn enqueue(
        &self,
        notification: &Notification,
    ) -> std::result::Result<(), StoreError> {
        SendFuture::new(airline_platform::trace::call(
            airline_platform::trace::CallKind::QueueSend,
            None,
            Some(self.store.request_id()),
        ))
        .await;
        let sent = async { self.env.queue(NOTIFICATIONS)?.send(notification).await };
        sent.await
            .map_err(|e| self.store.fail("queue notification", e))
    }
}

#[async_trait]
impl NotificationStore for EdgeNotifications {
    async fn notify(
        &self,
        notification: &Notification,
        now: DateTime<Utc>,
    ) -> std::result::Result<bool, StoreError> {
        SendFuture::new(async move {
            let inserted = self
                .store
                .execute(
                    "store notification",
                    sql::notifications::INSERT,
                    &[
                        notification.id.as_str().into(),
                        notification.customer_id.as_str().into(),
                        notification.booking_id.as_str().into(),
                        notification.kind.as_str().into(),
                        notification.message.as_str().into(),
                        utc_text(now).as_str().into(),
                    ],
                )
                .await?;
            if inserted == 0 {
                return Ok(false);
            }
            if let Err(e) = self.enqueue(notification).await {
                console_error!(
                    "notification {} stays undelivered for now: {e}",
                    notification.id
                );
            }
            Ok(true)
        })
        .await
    }

    async fn notifications(
        &self,
        customer_id: &AccountId,
        limit: usize,
    ) -> std::result::Result<Vec<StoredNotification>, StoreError> {
        SendFuture::new(async move {
            let rows: Vec<NotificationRow> = self
                .store
                .rows(
                    "notifications",
                    sql::notifications::FOR_CUSTOMER,
                    &[customer_id.as_str().into(), (limit as f64).into()],
                )
                .await?;
            rows.into_iter()
                .map(|row| {
                    row.into_stored()
                        .map_err(|e| self.store.fail("corrupt notification", e))
                })
                .collect()
        })
        .await
    }
}

#[derive(Deserialize)]
pub(crate) struct NotificationRow {
    id: String,
    customer_id: String,
    booking_id: String,
    kind: String,
    message: String,
    created_at: String,
    delivered_at: Option<String>,
}

impl NotificationRow {
    pub(crate) fn into_stored(self) -> std::result::Result<StoredNotification, String> {
        let kind = NotificationKind::parse(&self.kind)
            .ok_or_else(|| format!("unknown notification kind {}", self.kind))?;
        Ok(StoredNotification {
            created_at: parse_utc("created_at", &self.created_at).map_err(|e| e.to_string())?,
            delivered_at: self
                .delivered_at
                .map(|at| parse_utc("delivered_at", &at))
                .transpose()
                .map_err(|e| e.to_string())?,
            notification: Notification {
                id: self.id,
                customer_id: self.customer_id,
                booking_id: self.booking_id,
                kind,
                message: self.message,
            },
        })
    }
}

/// The `notifications` queue's consumer: delivers each message and marks it delivered.
pub async fn consume(batch: MessageBatch<serde_json::Value>, env: Env) -> Result<()> {
    let store = D1Store::new(env.d1(DATABASE)?, "notifications");
    for message in batch.messages()? {
        let notification: Notification = match serde_json::from_value(message.body().clone()) {
            Ok(notification) => notification,
            Err(e) => {
                // Not ours to deliver; retrying would not make it readable.
                console_error!("notification message {} unreadable: {e}", message.id());
                message.ack();
                continue;
            }
        };
        // The one place a real sender (email, SMS, push) goes.
        console_log!(
            "notify {} about {}: {}",
            notification.customer_id,
            notification.booking_id,
            notification.message
        );
        let marked = store
            .execute(
                "mark notification delivered",
                sql::notifications::MARK_DELIVERED,
                &[
                    notification.id.as_str().into(),
                    utc_text(Utc::now()).as_str().into(),
                ],
            )
            .await;
        match marked {
            Ok(_) => message.ack(),
            Err(_) => message.retry(),
        }
    }
    Ok(())
}
