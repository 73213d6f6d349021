//! Loyalty in the API: a customer's points, tier and ledger history (theirs, or anyone's
//! for an admin), and the admin tools around the event queue: the dead letters, replaying
//! one (optionally corrected), and publishing an event by hand.

use airline_domain::{utc_text, AccountId, BookingId, InputError};
use airline_loyalty::{BookingNow, LedgerEntry, LoyaltySummary, Pending};
use async_graphql::connection::PageInfo;
use async_graphql::{Context, Object, SimpleObject, ID};

use airline_booking::protocol::{WorkflowReply, WorkflowRequest};

use crate::bookings::Booking;
use crate::cursor::TimeCursor;
use crate::error::{ApiError, ApiResult};
use crate::store::DeadLetter;
use crate::RequestContext;

const MAX_PAGE: i32 = 50;
/// Largest event body an admin may publish by hand.
const MAX_EVENT_BYTES: usize = 16 * 1024;

#[derive(Default)]
pub struct LoyaltyQuery;

#[Object]
impl LoyaltyQuery {
    /// Your points and tier; admins may name any customer. Anyone else's id is NOT_FOUND.
    async fn loyalty(
        &self,
        ctx: &Context<'_>,
        customer_id: Option<ID>,
        #[graphql(
            desc = "Bookings this client made or cancelled moments ago (at most 10): read from the bookings themselves, so points a cancellation is taking back no longer count, and points not yet credited show as pending."
        )]
        recent: Option<Vec<ID>>,
    ) -> ApiResult<Loyalty> {
        let request = RequestContext::of(ctx)?;
        let customer = request.customer_in_view(customer_id)?;
        let recent = recent.unwrap_or_default();
        let (balance, fresh) = futures_util::future::join(
            request.loyalty.balance(&customer),
            request.fresh_views(&customer, &recent),
        )
        .await;
        let (balance, fresh) = (balance?, fresh?);
        let ids: Vec<BookingId> = fresh.iter().map(|view| view.id.clone()).collect();
        let histories = if ids.is_empty() {
            Vec::new()
        } else {
            request.loyalty.booking_histories(&customer, &ids).await?
        };
        let pending = Pending::of(fresh.iter().map(|view| {
            let ledger = histories
                .iter()
                .find(|(id, _)| *id == view.id)
                .map(|(_, history)| *history)
                .unwrap_or_default();
            let now = BookingNow {
                status: view.status,
                total: view.total,
            };
            (now, ledger)
        }));
        Ok(Loyalty {
            customer_id: customer,
            summary: LoyaltySummary::for_balance(pending.settled_balance(balance)),
            pending_points: pending.earn,
        })
    }

    /// Admins only: loyalty messages that failed every retry, newest first.
    async fn loyalty_dead_letters(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20)] first: Option<i32>,
    ) -> ApiResult<Vec<LoyaltyDeadLetter>> {
        let request = RequestContext::of(ctx)?;
        request.admin()?;
        let limit = page_size(first)?;
        let letters = request.loyalty.dead_letters(limit).await?;
        Ok(letters.into_iter().map(LoyaltyDeadLetter::from).collect())
    }
}

#[derive(Default)]
pub struct LoyaltyMutation;

#[Object]
impl LoyaltyMutation {
    /// Admins only: sends a dead letter back onto the loyalty queue, as it was or with a
    /// corrected `body`. Events are applied once by their id, so replaying twice is safe.
    async fn replay_loyalty_dead_letter(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(desc = "A corrected event (JSON); omit to replay the message as it was.")]
        body: Option<String>,
    ) -> ApiResult<LoyaltyDeadLetter> {
        let request = RequestContext::of(ctx)?;
        request.admin()?;
        let number: i64 = id
            .parse()
            .map_err(|_| ApiError::not_found(format_args!("dead letter {}", id.as_str())))?;
        let letter = request
            .loyalty
            .dead_letter(number)
            .await?
            .ok_or_else(|| ApiError::not_found(format_args!("dead letter {}", id.as_str())))?;
        let event = parse_event("body", body.as_deref().unwrap_or(&letter.body))?;
        request.loyalty.publish(&event).await?;
        request.loyalty.mark_replayed(number, request.now).await?;
        Ok(LoyaltyDeadLetter::from(DeadLetter {
            replayed_at: Some(request.now),
            ..letter
        }))
    }

    /// Admins only: publishes a booking event onto the loyalty queue by hand (to re-send
    /// one that was lost, or to correct a balance with a reviewed event). The consumer
    /// checks it like any other; a duplicate event id changes nothing.
    async fn publish_loyalty_event(&self, ctx: &Context<'_>, body: String) -> ApiResult<bool> {
        let request = RequestContext::of(ctx)?;
        request.admin()?;
        let event = parse_event("body", &body)?;
        request.loyalty.publish(&event).await?;
        Ok(true)
    }
}

/// Any JSON object up to 16 KiB: whether it is a valid event is the consumer's call, so a
/// bad one ends in the dead letters where an admin sees why.
fn parse_event(field: &'static str, text: &str) -> ApiResult<serde_json::Value> {
    if text.len() > MAX_EVENT_BYTES {
        return Err(ApiError::BadUserInput(InputError::new(
            field,
            "is larger than 16 KiB",
        )));
    }
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(value) if value.is_object() => Ok(value),
        _ => Err(ApiError::BadUserInput(InputError::new(
            field,
            "must be a JSON object",
        ))),
    }
}

fn page_size(first: Option<i32>) -> ApiResult<usize> {
    let limit = first.unwrap_or(20);
    if (1..=MAX_PAGE).contains(&limit) {
        Ok(limit as usize)
    } else {
        Err(ApiError::BadUserInput(InputError::new(
            "first",
            format!("must be between 1 and {MAX_PAGE}"),
        )))
    }
}

pub struct Loyalty {
    customer_id: AccountId,
    summary: LoyaltySummary,
    pending_points: i64,
}

#[Object]
impl Loyalty {
    async fn customer_id(&self) -> ID {
        ID(self.customer_id.to_string())
    }
    /// The balance; never below zero. Points a booking cancelled moments ago is taking
    /// back (named in `recent`) no longer count.
    async fn points(&self) -> i64 {
        self.summary.points
    }
    /// Points bookings confirmed moments ago (named in `recent`) will earn once the
    /// ledger has credited them; not part of `points` or the tier until then.
    async fn pending_points(&self) -> i64 {
        self.pending_points
    }
    /// BRONZE, SILVER (from 50,000) or GOLD (from 100,000).
    async fn tier(&self) -> &str {
        self.summary.tier.as_str()
    }
    /// Points still needed for the next tier; 0 at gold.
    async fn remaining_points(&self) -> i64 {
        self.summary.remaining_points
    }
    /// Progress through the current tier towards the next, 0 to 1.
    async fn progress(&self) -> f64 {
        self.summary.progress
    }
    /// Ledger entries, newest first.
    async fn history(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20)] first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<LedgerConnection> {
        let request = RequestContext::of(ctx)?;
        let limit = page_size(first)?;
        let after = after
            .as_deref()
            .map(|cursor| TimeCursor::decode(cursor).map(|c| (c.at, c.id)))
            .transpose()?;
        let (entries, has_next_page) = request
            .loyalty
            .history(&self.customer_id, limit, after)
            .await?;
        let edges: Vec<LedgerEdge> = entries
            .into_iter()
            .map(|entry| LedgerEdge {
                cursor: TimeCursor::new(entry.created_at, entry.entry_id.clone()).encode(),
                node: LedgerEntryView {
                    entry,
                    customer_id: self.customer_id.clone(),
                },
            })
            .collect();
        Ok(LedgerConnection {
            page_info: PageInfo {
                has_previous_page: false,
                has_next_page,
                start_cursor: edges.first().map(|e| e.cursor.clone()),
                end_cursor: edges.last().map(|e| e.cursor.clone()),
            },
            edges,
        })
    }
}

#[derive(SimpleObject)]
pub struct LedgerConnection {
    edges: Vec<LedgerEdge>,
    page_info: PageInfo,
}

#[derive(SimpleObject)]
pub struct LedgerEdge {
    cursor: String,
    node: LedgerEntryView,
}

/// One ledger line: points earned by a booking, or taken back when it was cancelled.
#[derive(Clone)]
pub struct LedgerEntryView {
    entry: LedgerEntry,
    /// Whose ledger this is (already checked to be the viewer's, or an admin's view).
    customer_id: AccountId,
}

#[Object(name = "LedgerEntry")]
impl LedgerEntryView {
    async fn id(&self) -> ID {
        ID(self.entry.entry_id.clone())
    }
    /// EARN, REVOKE or EXPIRE.
    async fn kind(&self) -> &str {
        self.entry.kind.as_str()
    }
    async fn points(&self) -> i64 {
        self.entry.points
    }
    /// The booking the entry is for; empty for an EXPIRE entry, which no booking caused.
    async fn booking_id(&self) -> ID {
        ID(self.entry.booking_id.clone())
    }
    /// The booking the points came from (null for an entry an admin published by hand for
    /// a booking that does not exist).
    async fn booking(&self, ctx: &Context<'_>) -> ApiResult<Option<Booking>> {
        let request = RequestContext::of(ctx)?;
        let Some(booking_id) = BookingId::parse(&self.entry.booking_id) else {
            return Ok(None);
        };
        let reply = request
            .bookings
            .workflow(&booking_id, WorkflowRequest::Get)
            .await?;
        Ok(match reply {
            WorkflowReply::Booking { booking } if booking.customer_id == self.customer_id => {
                Some(Booking(*booking))
            }
            _ => None,
        })
    }
    async fn created_at(&self) -> String {
        utc_text(self.entry.created_at)
    }
}

#[derive(SimpleObject)]
pub struct LoyaltyDeadLetter {
    id: ID,
    message_id: String,
    /// The message as it arrived (JSON).
    body: String,
    /// Why the consumer could not apply it.
    error: String,
    received_at: String,
    replayed_at: Option<String>,
}

impl From<DeadLetter> for LoyaltyDeadLetter {
    fn from(letter: DeadLetter) -> Self {
        Self {
            id: ID(letter.id.to_string()),
            message_id: letter.message_id,
            body: letter.body,
            error: letter.error,
            received_at: utc_text(letter.received_at),
            replayed_at: letter.replayed_at.map(utc_text),
        }
    }
}
