//! In-memory stores and a native PBKDF2, so the API runs in native tests exactly as it
//! does in the Worker, minus D1, the Durable Objects and WebCrypto.
//!
//! Long because it implements every store trait; each implementation is a section of its own.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use airline_auth::password::HASH_BYTES;
use airline_auth::refresh::StoredRefreshToken;
use airline_auth::{RefreshTokenHash, SignInThrottle, ThrottleState};
use airline_domain::{AccountId, BookingId, PaymentToken};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

use airline_graphql::store::{
    AccountRecord, AccountStore, CreateAccountError, NewRefreshToken, PasswordKdf,
};
use airline_graphql::StoreError;

#[derive(Default)]
pub struct MemoryAccounts {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    accounts: Vec<AccountRecord>,
    failures: HashMap<String, ThrottleState>,
    refresh: HashMap<RefreshTokenHash, StoredRefreshToken>,
}

impl MemoryAccounts {
    /// Makes an account an admin (what the seed-admin command does in D1).
    pub fn promote(&self, email: &str) {
        let mut state = locked(&self.state);
        for account in state.accounts.iter_mut().filter(|a| a.email == email) {
            account.role = airline_auth::Role::Admin;
        }
    }
}

#[async_trait]
impl AccountStore for MemoryAccounts {
    async fn create_account(&self, account: &AccountRecord) -> Result<(), CreateAccountError> {
        let mut state = locked(&self.state);
        if state.accounts.iter().any(|a| a.email == account.email) {
            return Err(CreateAccountError::EmailTaken);
        }
        state.accounts.push(account.clone());
        Ok(())
    }

    async fn account_by_email(&self, email: &str) -> Result<Option<AccountRecord>, StoreError> {
        let state = locked(&self.state);
        Ok(state.accounts.iter().find(|a| a.email == email).cloned())
    }

    async fn account(&self, id: &AccountId) -> Result<Option<AccountRecord>, StoreError> {
        let state = locked(&self.state);
        Ok(state.accounts.iter().find(|a| &a.id == id).cloned())
    }

    async fn sign_in_failures(&self, email: &str) -> Result<Option<ThrottleState>, StoreError> {
        Ok(locked(&self.state).failures.get(email).copied())
    }

    async fn record_sign_in_failure(
        &self,
        email: &str,
        now: DateTime<Utc>,
        window: chrono::Duration,
    ) -> Result<(), StoreError> {
        let mut state = locked(&self.state);
        let throttle = SignInThrottle {
            window,
            ..SignInThrottle::default()
        };
        let next = throttle.after_failure(state.failures.get(email).copied(), now);
        state.failures.insert(email.to_owned(), next);
        Ok(())
    }

    async fn clear_sign_in_failures(&self, email: &str) -> Result<(), StoreError> {
        locked(&self.state).failures.remove(email);
        Ok(())
    }

    async fn insert_refresh_token(&self, token: &NewRefreshToken) -> Result<(), StoreError> {
        locked(&self.state)
            .refresh
            .insert(token.hash.clone(), stored(token));
        Ok(())
    }

    async fn refresh_token(
        &self,
        hash: &RefreshTokenHash,
    ) -> Result<Option<StoredRefreshToken>, StoreError> {
        Ok(locked(&self.state).refresh.get(hash).cloned())
    }

    async fn rotate_refresh_token(
        &self,
        used: &RefreshTokenHash,
        next: &NewRefreshToken,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut state = locked(&self.state);
        match state.refresh.get_mut(used) {
            Some(old) if old.used_at.is_none() && old.revoked_at.is_none() => {
                old.used_at = Some(now);
                state.refresh.insert(next.hash.clone(), stored(next));
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn revoke_refresh_family(
        &self,
        family_id: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut state = locked(&self.state);
        for token in state
            .refresh
            .values_mut()
            .filter(|t| t.family_id == family_id)
        {
            token.revoked_at.get_or_insert(now);
        }
        Ok(())
    }
}

fn stored(token: &NewRefreshToken) -> StoredRefreshToken {
    StoredRefreshToken {
        family_id: token.family_id.clone(),
        account_id: token.account_id.clone(),
        expires_at: token.expires_at,
        used_at: None,
        revoked_at: None,
    }
}

/// PBKDF2-HMAC-SHA256 in Rust: bit-for-bit what WebCrypto derives.
pub struct NativeKdf;

#[async_trait]
impl PasswordKdf for NativeKdf {
    async fn derive(
        &self,
        password: &str,
        salt: &[u8],
        iterations: u32,
    ) -> Result<[u8; HASH_BYTES], StoreError> {
        let mut out = [0u8; HASH_BYTES];
        pbkdf2::pbkdf2_hmac::<sha2::Sha256>(password.as_bytes(), salt, iterations, &mut out);
        Ok(out)
    }
}

const TEST_KEY: &str = "test-1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";

/// A lock that a panicking test thread cannot poison for the others: the doubles hold
/// plain data, which stays consistent whatever a panicking holder was doing.
fn locked<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Settings for tests: a fixed signing key and a cheap KDF (the rules are the same; only
/// the iteration count is lower, so debug-build tests stay fast).
pub fn test_auth_config() -> airline_graphql::AuthConfig {
    airline_graphql::AuthConfig {
        keys: airline_auth::KeyRing::parse(TEST_KEY)
            .unwrap_or_else(|e| unreachable!("the fixed test key parses: {e}")),
        tokens: airline_auth::TokenSettings::new("https://airline.test", "airline-api"),
        throttle: SignInThrottle::default(),
        password_iterations: 1_000,
        external: None,
    }
}

/// A request context for native tests with every store in memory, so a test names only
/// what it cares about: `TestContext::new().viewer(admin).schedule(timetable).build()`.
/// Unset, the stores are empty, the caller is anonymous, the clock is 2026-11-25 10:00 UTC
/// and the request id is `test`.
pub struct TestContext {
    context: airline_graphql::RequestContext,
}

impl Default for TestContext {
    fn default() -> Self {
        Self::new()
    }
}

impl TestContext {
    pub fn new() -> Self {
        let schedule = Arc::new(MemorySchedule::default());
        Self {
            context: airline_graphql::RequestContext {
                store: schedule.clone(),
                accounts: Arc::new(MemoryAccounts::default()),
                schedule,
                passwords: Arc::new(NativeKdf),
                bookings: Arc::new(MemoryBookings::default()),
                loyalty: Arc::new(MemoryLoyalty::default()),
                notifications: Arc::new(MemoryNotifications::default()),
                auth: Arc::new(test_auth_config()),
                viewer: airline_graphql::Viewer::Anonymous,
                now: DateTime::from_timestamp(1_795_600_800, 0).unwrap_or_default(),
                request_id: "test".to_owned(),
            },
        }
    }

    /// The catalog searches read (the schedule stays as it is).
    pub fn catalog(mut self, store: Arc<dyn airline_graphql::CatalogStore>) -> Self {
        self.context.store = store;
        self
    }

    /// A timetable serving as both the catalog and the schedule admins change.
    pub fn schedule(mut self, schedule: Arc<MemorySchedule>) -> Self {
        self.context.store = schedule.clone();
        self.context.schedule = schedule;
        self
    }

    pub fn accounts(mut self, accounts: Arc<dyn airline_graphql::AccountStore>) -> Self {
        self.context.accounts = accounts;
        self
    }

    pub fn bookings(mut self, bookings: Arc<dyn airline_graphql::BookingService>) -> Self {
        self.context.bookings = bookings;
        self
    }

    pub fn loyalty(mut self, loyalty: Arc<dyn airline_graphql::LoyaltyStore>) -> Self {
        self.context.loyalty = loyalty;
        self
    }

    pub fn notifications(
        mut self,
        notifications: Arc<dyn airline_graphql::NotificationStore>,
    ) -> Self {
        self.context.notifications = notifications;
        self
    }

    pub fn viewer(mut self, viewer: airline_graphql::Viewer) -> Self {
        self.context.viewer = viewer;
        self
    }

    pub fn now(mut self, now: DateTime<Utc>) -> Self {
        self.context.now = now;
        self
    }

    pub fn request_id(mut self, request_id: &str) -> Self {
        self.context.request_id = request_id.to_owned();
        self
    }

    pub fn build(self) -> airline_graphql::RequestContext {
        self.context
    }
}

/// A timetable that admins can change, with its audit log: serves as both the catalog
/// and the schedule store in tests.
#[derive(Default)]
pub struct MemorySchedule {
    pub airports: Vec<airline_domain::Airport>,
    flights: Mutex<Vec<airline_domain::Flight>>,
    audit: Mutex<Vec<airline_graphql::store::AuditEntry>>,
    /// Reconciliation runs, oldest first, as the scheduled job would have stored them.
    pub reconciliation_runs: Mutex<Vec<airline_graphql::store::ReconciliationRun>>,
}

impl MemorySchedule {
    pub fn new(
        airports: Vec<airline_domain::Airport>,
        flights: Vec<airline_domain::Flight>,
    ) -> Self {
        Self {
            airports,
            flights: Mutex::new(flights),
            audit: Mutex::new(Vec::new()),
            reconciliation_runs: Mutex::new(Vec::new()),
        }
    }
}

#[async_trait]
impl airline_graphql::CatalogStore for MemorySchedule {
    async fn airport(
        &self,
        code: &airline_domain::AirportCode,
    ) -> Result<Option<airline_domain::Airport>, StoreError> {
        Ok(self.airports.iter().find(|a| &a.code == code).cloned())
    }

    async fn search_airports(
        &self,
        _query: Option<&airline_domain::AirportQuery>,
        limit: usize,
    ) -> Result<Vec<airline_domain::Airport>, StoreError> {
        Ok(self.airports.iter().take(limit).cloned().collect())
    }

    async fn departures(
        &self,
        from: &airline_domain::AirportCode,
        to: &airline_domain::AirportCode,
        window: (DateTime<Utc>, DateTime<Utc>),
    ) -> Result<Vec<airline_domain::Flight>, StoreError> {
        let flights = locked(&self.flights);
        Ok(flights
            .iter()
            .filter(|f| &f.origin.code == from && &f.destination.code == to)
            .filter(|f| window.0 <= f.departure && f.departure < window.1)
            .cloned()
            .collect())
    }

    async fn flight(
        &self,
        id: &airline_domain::FlightId,
    ) -> Result<Option<airline_domain::Flight>, StoreError> {
        Ok(locked(&self.flights).iter().find(|f| &f.id == id).cloned())
    }
}

#[async_trait]
impl airline_graphql::ScheduleStore for MemorySchedule {
    async fn insert_flight(
        &self,
        flight: &airline_domain::Flight,
        audit: &airline_graphql::store::AuditEntry,
    ) -> Result<bool, StoreError> {
        let mut flights = locked(&self.flights);
        if flights.iter().any(|f| f.id == flight.id) {
            return Ok(false);
        }
        flights.push(flight.clone());
        locked(&self.audit).push(audit.clone());
        Ok(true)
    }

    async fn replace_flight(
        &self,
        before: &airline_domain::Flight,
        after: &airline_domain::Flight,
        audit: &airline_graphql::store::AuditEntry,
    ) -> Result<bool, StoreError> {
        let mut flights = locked(&self.flights);
        match flights.iter_mut().find(|f| *f == before) {
            Some(stored) => {
                *stored = after.clone();
                locked(&self.audit).push(audit.clone());
                Ok(true)
            }
            None => Ok(false),
        }
    }

    async fn audit_log(
        &self,
        target: Option<&str>,
        limit: usize,
    ) -> Result<Vec<airline_graphql::store::AuditEntry>, StoreError> {
        let audit = locked(&self.audit);
        Ok(audit
            .iter()
            .rev()
            .filter(|e| target.is_none_or(|t| e.target == t))
            .take(limit)
            .cloned()
            .collect())
    }

    async fn reconciliation_runs(
        &self,
        limit: usize,
    ) -> Result<Vec<airline_graphql::store::ReconciliationRun>, StoreError> {
        let runs = locked(&self.reconciliation_runs);
        Ok(runs.iter().rev().take(limit).cloned().collect())
    }

    async fn read_model_lag(
        &self,
        _since: DateTime<Utc>,
        _settled: DateTime<Utc>,
    ) -> Result<(airline_booking::read_model::ProjectionLag, u64), StoreError> {
        Ok((
            airline_booking::read_model::ProjectionLag::of(vec![120, 80, 300]),
            0,
        ))
    }
}

/// Bookings without Durable Objects: a started booking is confirmed at once (the saga
/// itself is tested in airline-booking and end to end), so native tests can exercise
/// the API's own rules: who may see or cancel what, input checks, idempotency conflicts.
#[derive(Default)]
pub struct MemoryBookings {
    state: Mutex<BookingState>,
}

#[derive(Default)]
struct BookingState {
    cards: HashMap<PaymentToken, AccountId>,
    /// The truth: each booking as its object holds it (with its plan's fingerprint).
    bookings: Vec<(String, airline_booking::views::BookingView)>,
    /// The read model's copies, which `list` reads.
    listed: Vec<airline_booking::views::BookingView>,
    /// While set, the read model keeps the copies it has (the queue is behind).
    read_model_lags: bool,
}

impl BookingState {
    /// Brings the read model up to the truth, unless it lags.
    fn project(&mut self) {
        if !self.read_model_lags {
            self.listed = self.bookings.iter().map(|(_, v)| v.clone()).collect();
        }
    }
}

impl MemoryBookings {
    /// Makes the read model fall behind (`true`: it keeps the copies it has, as when its
    /// queue is slow) or catch up (`false`).
    pub fn lag_read_model(&self, lags: bool) {
        let mut state = locked(&self.state);
        state.read_model_lags = lags;
        state.project();
    }
}

#[async_trait]
impl airline_graphql::BookingService for MemoryBookings {
    fn payment_mode(&self) -> airline_graphql::PaymentMode {
        airline_graphql::PaymentMode::Sandbox
    }

    async fn seat_map(
        &self,
        flight: &airline_booking::protocol::FlightSetup,
    ) -> Result<airline_booking::views::SeatMapView, StoreError> {
        let aircraft = airline_domain::AircraftType::parse("aircraft", &flight.aircraft)
            .map_err(|e| StoreError::new("seat map", e.to_string()))?;
        let map = airline_booking::seatmap::SeatMap::for_flight(aircraft, flight.seat_capacity);
        Ok(airline_booking::inventory::seat_map_view(
            &flight.flight_id,
            &map,
            &[],
            DateTime::<Utc>::UNIX_EPOCH,
        ))
    }

    async fn workflow(
        &self,
        booking_id: &BookingId,
        request: airline_booking::protocol::WorkflowRequest,
    ) -> Result<airline_booking::protocol::WorkflowReply, StoreError> {
        use airline_booking::protocol::{WorkflowReply, WorkflowRequest};
        use airline_booking::saga::BookingStatus;
        let mut state = locked(&self.state);
        let existing = state.bookings.iter().position(|(_, v)| &v.id == booking_id);
        let reply = |view: &airline_booking::views::BookingView| WorkflowReply::Booking {
            booking: Box::new(view.clone()),
        };
        let reply = match (request, existing) {
            (WorkflowRequest::Start { plan }, Some(i)) => {
                if state.bookings[i].0 == plan.fingerprint {
                    reply(&state.bookings[i].1)
                } else {
                    WorkflowReply::Conflict {
                        message: "idempotency key reused".to_owned(),
                    }
                }
            }
            (WorkflowRequest::Start { plan }, None) => {
                let fingerprint = plan.fingerprint.clone();
                let saga = airline_booking::saga::Saga::new(
                    plan.created_at + chrono::Duration::minutes(5),
                    Default::default(),
                );
                let mut view = airline_booking::record::BookingRecord::new(*plan, saga).view();
                view.status = BookingStatus::Confirmed;
                view.reference = Some("ACEFGH".to_owned());
                view.step = None;
                view.captured_amount = view.total.amount_minor();
                state.bookings.push((fingerprint, view.clone()));
                reply(&view)
            }
            (WorkflowRequest::Get, Some(i)) => reply(&state.bookings[i].1),
            (WorkflowRequest::CancelForFlight { flight_id }, Some(i)) => {
                let view = &mut state.bookings[i].1;
                if view.status == BookingStatus::Confirmed {
                    view.status = BookingStatus::Cancelled;
                    view.version += 1;
                    view.failure = Some(airline_booking::views::FailureView {
                        code: airline_booking::saga::FailureCode::FlightCancelled,
                        message: format!("flight {flight_id} was cancelled"),
                    });
                }
                reply(view)
            }
            (WorkflowRequest::Cancel, Some(i)) => {
                let view = &mut state.bookings[i].1;
                if view.status != BookingStatus::Confirmed {
                    let refusal = airline_booking::saga::CancelRefusal::InProgress;
                    WorkflowReply::CannotCancel {
                        refusal,
                        message: refusal.message().to_owned(),
                    }
                } else {
                    view.status = BookingStatus::Cancelled;
                    view.refunded_amount = view.captured_amount;
                    view.version += 1;
                    reply(view)
                }
            }
            (WorkflowRequest::Copy, Some(i)) => {
                let view = state.bookings[i].1.clone();
                WorkflowReply::Copy {
                    copy: Box::new(airline_booking::read_model::BookingCopy {
                        schema: airline_booking::read_model::COPY_SCHEMA,
                        version: view.version,
                        reference_registered: true,
                        booking: view,
                        payment: None,
                        events: Vec::new(),
                    }),
                }
            }
            // Moves the seats as asked on a confirmed booking's flight; the rules of who
            // may and which seats are the booking's object's and the flight's (tested
            // natively and end to end).
            (WorkflowRequest::ChangeSeats { flight_id, seats }, Some(i)) => {
                let view = &mut state.bookings[i].1;
                match view.flights.iter_mut().find(|f| f.flight_id == flight_id) {
                    Some(flight) if view.status == BookingStatus::Confirmed => {
                        flight.seats = seats;
                        view.version += 1;
                        reply(view)
                    }
                    _ => {
                        let refusal = airline_booking::saga::SeatChangeRefusal::NotConfirmed;
                        WorkflowReply::CannotChangeSeats {
                            refusal,
                            message: refusal.message().to_owned(),
                        }
                    }
                }
            }
            (WorkflowRequest::SandboxStripe { .. }, _) => WorkflowReply::SandboxAnswer {
                status: 404,
                body: "{}".to_owned(),
                replayed: false,
            },
            (_, None) => WorkflowReply::NotFound,
        };
        state.project();
        Ok(reply)
    }

    async fn list(
        &self,
        customer_id: &AccountId,
        status: Option<airline_booking::saga::BookingStatus>,
        limit: usize,
        after: Option<(DateTime<Utc>, BookingId)>,
    ) -> Result<airline_graphql::store::BookingPage, StoreError> {
        let state = locked(&self.state);
        let mut matching: Vec<_> = state
            .listed
            .iter()
            .filter(|v| &v.customer_id == customer_id)
            .filter(|v| status.is_none_or(|s| v.status == s))
            .cloned()
            .collect();
        matching.sort_by(|a, b| (b.created_at, &b.id).cmp(&(a.created_at, &a.id)));
        if let Some((at, id)) = after {
            matching.retain(|v| (v.created_at, v.id.clone()) < (at, id.clone()));
        }
        let has_next_page = matching.len() > limit;
        matching.truncate(limit);
        Ok(airline_graphql::store::BookingPage {
            bookings: matching,
            has_next_page,
        })
    }

    async fn save_card(
        &self,
        customer_id: &AccountId,
        card: &airline_payments::sandbox::TokenizedCard,
        _now: DateTime<Utc>,
    ) -> Result<PaymentToken, StoreError> {
        let mut state = locked(&self.state);
        let token = PaymentToken::trusted(format!("tok_{}_{}", card.last4, state.cards.len()));
        state.cards.insert(token.clone(), customer_id.clone());
        Ok(token)
    }

    async fn booking_inputs(
        &self,
        catalog: &dyn airline_graphql::CatalogStore,
        flights: &[airline_domain::FlightId],
        token: Option<&PaymentToken>,
    ) -> Result<airline_graphql::BookingInputs, StoreError> {
        let mut found = Vec::with_capacity(flights.len());
        for id in flights {
            found.push(catalog.flight(id).await?);
        }
        let card_owner = token.and_then(|token| locked(&self.state).cards.get(token).cloned());
        Ok(airline_graphql::BookingInputs {
            flights: found,
            card_owner,
        })
    }

    async fn on_flight(
        &self,
        flight_id: &airline_domain::FlightId,
    ) -> Result<Vec<(BookingId, AccountId)>, StoreError> {
        use airline_booking::saga::BookingStatus;
        let state = locked(&self.state);
        Ok(state
            .bookings
            .iter()
            .map(|(_, view)| view)
            .filter(|view| view.status != BookingStatus::Cancelled)
            .filter(|view| {
                view.flights
                    .iter()
                    .any(|f| f.flight_id == flight_id.as_str())
            })
            .map(|view| (view.id.clone(), view.customer_id.clone()))
            .collect())
    }
}

/// Notifications in memory, oldest first; `notify` stores each id once.
#[derive(Default)]
pub struct MemoryNotifications {
    pub sent: Mutex<Vec<airline_graphql::store::StoredNotification>>,
}

#[async_trait]
impl airline_graphql::NotificationStore for MemoryNotifications {
    async fn notify(
        &self,
        notification: &airline_booking::notify::Notification,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut sent = locked(&self.sent);
        if sent.iter().any(|n| n.notification.id == notification.id) {
            return Ok(false);
        }
        sent.push(airline_graphql::store::StoredNotification {
            notification: notification.clone(),
            created_at: now,
            delivered_at: None,
        });
        Ok(true)
    }

    async fn notifications(
        &self,
        customer_id: &AccountId,
        limit: usize,
    ) -> Result<Vec<airline_graphql::store::StoredNotification>, StoreError> {
        let sent = locked(&self.sent);
        Ok(sent
            .iter()
            .rev()
            .filter(|n| customer_id == n.notification.customer_id.as_str())
            .take(limit)
            .cloned()
            .collect())
    }
}

/// A loyalty ledger in memory, without a queue: `publish` records what was sent, so
/// native tests check the admin tools; the consumer is tested end to end.
#[derive(Default)]
pub struct MemoryLoyalty {
    pub entries: Mutex<Vec<(String, airline_loyalty::LedgerEntry)>>,
    pub published: Mutex<Vec<serde_json::Value>>,
    pub dead_letters: Mutex<Vec<airline_graphql::store::DeadLetter>>,
}

#[async_trait]
impl airline_graphql::LoyaltyStore for MemoryLoyalty {
    async fn balance(&self, customer_id: &AccountId) -> Result<i64, StoreError> {
        let entries = locked(&self.entries);
        Ok(entries
            .iter()
            .filter(|(customer, _)| customer_id == customer.as_str())
            .map(|(_, entry)| entry.points)
            .sum())
    }

    async fn booking_histories(
        &self,
        customer_id: &AccountId,
        booking_ids: &[BookingId],
    ) -> Result<Vec<(BookingId, airline_loyalty::BookingHistory)>, StoreError> {
        let entries = locked(&self.entries);
        Ok(booking_ids
            .iter()
            .filter_map(|id| {
                let mine: Vec<_> = entries
                    .iter()
                    .filter(|(customer, e)| {
                        customer_id == customer.as_str() && e.booking_id == id.as_str()
                    })
                    .map(|(_, e)| e)
                    .collect();
                (!mine.is_empty()).then(|| {
                    let history = airline_loyalty::BookingHistory {
                        earned: mine
                            .iter()
                            .filter(|e| e.kind == airline_loyalty::EntryKind::Earn)
                            .map(|e| e.points)
                            .sum(),
                        cancelled: mine
                            .iter()
                            .any(|e| e.kind == airline_loyalty::EntryKind::Revoke),
                    };
                    (id.clone(), history)
                })
            })
            .collect())
    }

    async fn history(
        &self,
        customer_id: &AccountId,
        limit: usize,
        after: Option<(DateTime<Utc>, String)>,
    ) -> Result<(Vec<airline_loyalty::LedgerEntry>, bool), StoreError> {
        let entries = locked(&self.entries);
        let mut mine: Vec<_> = entries
            .iter()
            .filter(|(customer, _)| customer_id == customer.as_str())
            .map(|(_, entry)| entry.clone())
            .filter(|e| {
                after
                    .as_ref()
                    .is_none_or(|(at, id)| (e.created_at, &e.entry_id) < (*at, id))
            })
            .collect();
        mine.sort_by(|a, b| (b.created_at, &b.entry_id).cmp(&(a.created_at, &a.entry_id)));
        let more = mine.len() > limit;
        mine.truncate(limit);
        Ok((mine, more))
    }

    async fn dead_letters(
        &self,
        limit: usize,
    ) -> Result<Vec<airline_graphql::store::DeadLetter>, StoreError> {
        let letters = locked(&self.dead_letters);
        Ok(letters.iter().rev().take(limit).cloned().collect())
    }

    async fn dead_letter(
        &self,
        id: i64,
    ) -> Result<Option<airline_graphql::store::DeadLetter>, StoreError> {
        let letters = locked(&self.dead_letters);
        Ok(letters.iter().find(|l| l.id == id).cloned())
    }

    async fn publish(&self, body: &serde_json::Value) -> Result<(), StoreError> {
        locked(&self.published).push(body.clone());
        Ok(())
    }

    async fn mark_replayed(&self, id: i64, at: DateTime<Utc>) -> Result<(), StoreError> {
        let mut letters = locked(&self.dead_letters);
        for letter in letters.iter_mut().filter(|l| l.id == id) {
            letter.replayed_at = Some(at);
        }
        Ok(())
    }
}
