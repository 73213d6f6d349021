//! What the API needs from storage and the platform, as traits: the Worker implements
//! them over D1 and WebCrypto, native tests in memory. Resolvers never see SQL.

use std::borrow::Cow;
use std::sync::Arc;

use airline_auth::refresh::StoredRefreshToken;
use airline_auth::{RefreshTokenHash, ThrottleState};
use airline_domain::{
    AccountId, Airport, AirportCode, AirportQuery, BookingId, Flight, FlightId, PaymentToken,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// A storage or platform failure: what was being done, and why it failed. Both are for
/// the operator's log, never for the client: the API reports it as INTERNAL with the
/// request id, so an operator can find the detail. Its text includes the cause, so one
/// log line says everything; the cause stays reachable as `source()` too.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{operation}: {cause}")]
pub struct StoreError {
    operation: Cow<'static, str>,
    /// Shared, so the error is `Clone` as async-graphql's resolver results must be.
    #[source]
    cause: Arc<dyn std::error::Error + Send + Sync>,
}

impl StoreError {
    /// `operation` names the step ("insert booking"); `cause` is the platform's error,
    /// kept as the source, or its text where the platform's error cannot cross threads
    /// (a `worker::Error` holds a JavaScript value).
    pub fn new(
        operation: impl Into<Cow<'static, str>>,
        cause: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Self {
            operation: operation.into(),
            cause: Arc::from(cause.into()),
        }
    }

    pub fn operation(&self) -> &str {
        &self.operation
    }
}

/// Read access to the flight catalog.
#[async_trait]
pub trait CatalogStore: Send + Sync {
    async fn airport(&self, code: &AirportCode) -> Result<Option<Airport>, StoreError>;

    /// Airports matching a typed query, best match first: exact code, then code prefix,
    /// then a word of the search key starting with the text, then any substring; ties by
    /// code. `None` lists airports by code.
    async fn search_airports(
        &self,
        query: Option<&AirportQuery>,
        limit: usize,
    ) -> Result<Vec<Airport>, StoreError>;

    /// Every flight from `from` to `to` departing in `[window.0, window.1)`, in any order
    /// and any status.
    async fn departures(
        &self,
        from: &AirportCode,
        to: &AirportCode,
        window: (DateTime<Utc>, DateTime<Utc>),
    ) -> Result<Vec<Flight>, StoreError>;

    async fn flight(&self, id: &FlightId) -> Result<Option<Flight>, StoreError>;
}

/// An account as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRecord {
    pub id: AccountId,
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: airline_auth::Role,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub enum CreateAccountError {
    EmailTaken,
    Store(StoreError),
}

/// Accounts, sessions and sign-in throttling.
#[async_trait]
pub trait AccountStore: Send + Sync {
    async fn create_account(&self, account: &AccountRecord) -> Result<(), CreateAccountError>;
    async fn account_by_email(&self, email: &str) -> Result<Option<AccountRecord>, StoreError>;
    async fn account(&self, id: &AccountId) -> Result<Option<AccountRecord>, StoreError>;

    async fn sign_in_failures(&self, email: &str) -> Result<Option<ThrottleState>, StoreError>;
    /// Counts one failure atomically, restarting the count once `window` has passed
    /// since the first failure (the rule of [`airline_auth::SignInThrottle::after_failure`]).
    async fn record_sign_in_failure(
        &self,
        email: &str,
        now: DateTime<Utc>,
        window: chrono::Duration,
    ) -> Result<(), StoreError>;
    async fn clear_sign_in_failures(&self, email: &str) -> Result<(), StoreError>;

    async fn insert_refresh_token(&self, token: &NewRefreshToken) -> Result<(), StoreError>;
    async fn refresh_token(
        &self,
        hash: &RefreshTokenHash,
    ) -> Result<Option<StoredRefreshToken>, StoreError>;
    /// Marks `used` as used and stores `next`, atomically and only if `used` was still
    /// unused and unrevoked. `false` means another request used it first.
    async fn rotate_refresh_token(
        &self,
        used: &RefreshTokenHash,
        next: &NewRefreshToken,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    async fn revoke_refresh_family(
        &self,
        family_id: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRefreshToken {
    pub hash: RefreshTokenHash,
    pub family_id: String,
    pub account_id: AccountId,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// PBKDF2-HMAC-SHA256; the Worker runs it in WebCrypto, native tests in Rust.
#[async_trait]
pub trait PasswordKdf: Send + Sync {
    async fn derive(
        &self,
        password: &str,
        salt: &[u8],
        iterations: u32,
    ) -> Result<[u8; airline_auth::password::HASH_BYTES], StoreError>;
}

/// One line of the admin audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub actor_id: AccountId,
    /// The mutation, e.g. `createFlight`.
    pub action: String,
    /// What it acted on, e.g. a flight id.
    pub target: String,
    /// The change, as JSON.
    pub details: String,
    pub at: DateTime<Utc>,
}

/// Admin writes to the timetable (each write and its audit entry land together or not
/// at all), and what admins read about operations: the audit log and the reconciliation
/// runs.
#[async_trait]
pub trait ScheduleStore: Send + Sync {
    /// `false` when a flight with that id already exists.
    async fn insert_flight(&self, flight: &Flight, audit: &AuditEntry) -> Result<bool, StoreError>;
    /// Writes `after` over `before`; `false` when the stored flight no longer matches
    /// `before` (someone else changed it first). Seats available move by the capacity
    /// change, so sales recorded meanwhile are kept.
    async fn replace_flight(
        &self,
        before: &Flight,
        after: &Flight,
        audit: &AuditEntry,
    ) -> Result<bool, StoreError>;
    /// Newest first, optionally only for one target.
    async fn audit_log(
        &self,
        target: Option<&str>,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, StoreError>;

    /// The newest reconciliation runs first.
    async fn reconciliation_runs(&self, limit: usize)
        -> Result<Vec<ReconciliationRun>, StoreError>;

    /// The bookings' read model: how late the copies that arrived since `since` were,
    /// and how many bookings it still shows unfinished although they last changed before
    /// `settled` (the reconciliation run looks at those).
    async fn read_model_lag(
        &self,
        since: DateTime<Utc>,
        settled: DateTime<Utc>,
    ) -> Result<(airline_booking::read_model::ProjectionLag, u64), StoreError>;
}

/// One reconciliation run (see `airline_booking::reconcile`), as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReconciliationRun {
    pub id: i64,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub report: airline_booking::reconcile::Report,
}

/// Which payment provider the deployment uses (it decides how a card becomes a token).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentMode {
    Sandbox,
    Stripe,
}

/// One page of a customer's bookings, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingPage {
    pub bookings: Vec<airline_booking::views::BookingView>,
    pub has_next_page: bool,
}

/// What starting a booking reads before its saga runs.
#[derive(Debug, Clone, PartialEq)]
pub struct BookingInputs {
    /// The flights asked for, in the order asked; `None` for one that does not exist.
    pub flights: Vec<Option<Flight>>,
    /// Whose sandbox card the payment token is (`None` when it is not a known sandbox
    /// token, or with Stripe, whose PaymentMethod ids have no owner here).
    pub card_owner: Option<AccountId>,
}

/// Seats and bookings: the Worker implements this over the Durable Objects (a flight's
/// inventory, a booking's workflow) and D1.
#[async_trait]
pub trait BookingService: Send + Sync {
    fn payment_mode(&self) -> PaymentMode;

    /// Reads what starting a booking needs: each flight (from `catalog`, or in the same
    /// round trip where the store is the catalog too, as D1 is) and, in the sandbox, whose
    /// card `token` is. One round trip matters: it is most of a sold-out attempt's cost.
    async fn booking_inputs(
        &self,
        catalog: &dyn CatalogStore,
        flights: &[FlightId],
        token: Option<&PaymentToken>,
    ) -> Result<BookingInputs, StoreError>;

    async fn seat_map(
        &self,
        flight: &airline_booking::protocol::FlightSetup,
    ) -> Result<airline_booking::views::SeatMapView, StoreError>;

    /// Sends one request to the workflow object of `booking_id`.
    async fn workflow(
        &self,
        booking_id: &BookingId,
        request: airline_booking::protocol::WorkflowRequest,
    ) -> Result<airline_booking::protocol::WorkflowReply, StoreError>;

    /// `customer_id`'s bookings, newest first, after the `(created_at, id)` cursor.
    async fn list(
        &self,
        customer_id: &AccountId,
        status: Option<airline_booking::saga::BookingStatus>,
        limit: usize,
        after: Option<(DateTime<Utc>, BookingId)>,
    ) -> Result<BookingPage, StoreError>;

    /// Stores a sandbox card (never its number) and returns its new token.
    async fn save_card(
        &self,
        customer_id: &AccountId,
        card: &airline_payments::sandbox::TokenizedCard,
        now: DateTime<Utc>,
    ) -> Result<PaymentToken, StoreError>;

    /// The bookings that include `flight_id` and are not cancelled: (booking, owner).
    async fn on_flight(
        &self,
        flight_id: &FlightId,
    ) -> Result<Vec<(BookingId, AccountId)>, StoreError>;
}

/// A dead letter: a loyalty message that failed every retry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetter {
    pub id: i64,
    pub message_id: String,
    pub body: String,
    pub error: String,
    pub received_at: DateTime<Utc>,
    pub replayed_at: Option<DateTime<Utc>>,
}

/// The loyalty ledger and its queue: the Worker implements this over D1 and Queues.
#[async_trait]
pub trait LoyaltyStore: Send + Sync {
    /// The sum of a customer's ledger entries (may be below zero only if rows were edited).
    async fn balance(&self, customer_id: &AccountId) -> Result<i64, StoreError>;

    /// What the ledger holds for each of `booking_ids` (the customer's), as the consumer
    /// judges an event: points earned, and whether a cancellation was applied. Bookings
    /// the ledger has nothing for are left out.
    async fn booking_histories(
        &self,
        customer_id: &AccountId,
        booking_ids: &[BookingId],
    ) -> Result<Vec<(BookingId, airline_loyalty::BookingHistory)>, StoreError>;

    /// Ledger entries, newest first, after the `(created_at, entry_id)` cursor; and whether
    /// more follow.
    async fn history(
        &self,
        customer_id: &AccountId,
        limit: usize,
        after: Option<(DateTime<Utc>, String)>,
    ) -> Result<(Vec<airline_loyalty::LedgerEntry>, bool), StoreError>;

    async fn dead_letters(&self, limit: usize) -> Result<Vec<DeadLetter>, StoreError>;

    async fn dead_letter(&self, id: i64) -> Result<Option<DeadLetter>, StoreError>;

    /// Sends `body` (a JSON event) onto the loyalty queue.
    async fn publish(&self, body: &serde_json::Value) -> Result<(), StoreError>;

    async fn mark_replayed(&self, id: i64, at: DateTime<Utc>) -> Result<(), StoreError>;
}

/// A notification as stored for its traveller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredNotification {
    pub notification: airline_booking::notify::Notification,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

/// What travellers are told when the airline changes their flights: the Worker stores
/// them in D1 and hands each to the `notifications` queue.
#[async_trait]
pub trait NotificationStore: Send + Sync {
    /// Stores `notification` and queues it for delivery, unless one with its id exists;
    /// returns whether it was new.
    async fn notify(
        &self,
        notification: &airline_booking::notify::Notification,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// A customer's notifications, newest first.
    async fn notifications(
        &self,
        customer_id: &AccountId,
        limit: usize,
    ) -> Result<Vec<StoredNotification>, StoreError>;
}
