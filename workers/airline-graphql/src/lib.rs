//! The GraphQL API: schema, resolvers and typed errors. The HTTP around it (media types,
//! CORS, GET with persisted queries, the session endpoints) is `airline-edge`'s.
//!
//! It knows nothing of Workers: storage comes in through [`CatalogStore`], the clock and
//! request id through [`RequestContext`], so the whole API runs natively in tests and
//! the Worker only adapts requests and bindings to it.
#![forbid(unsafe_code)]

mod access;
pub mod accounts;
pub mod admin;
pub mod bookings;
pub mod catalog;
mod cursor;
pub mod disruption;
pub mod error;
pub mod loyalty;
pub mod notifications;
pub mod store;

use std::sync::Arc;

use airline_auth::{ExternalIssuer, KeyRing, Principal, SignInThrottle, TokenError, TokenSettings};
use async_graphql::{EmptySubscription, MergedObject, Schema, Value};
use chrono::{DateTime, Utc};

pub use crate::error::{ApiError, ApiResult, ErrorCode};
pub use crate::store::{
    AccountStore, BookingInputs, BookingService, CatalogStore, LoyaltyStore, NotificationStore,
    PasswordKdf, PaymentMode, ScheduleStore, StoreError,
};

/// Deepest selection nesting accepted; the deepest useful query today is 6 levels.
pub const MAX_DEPTH: usize = 10;
/// Most fields one query may resolve, counting list fields by their page size: one full
/// search page (50 flights with every field, about 3,000) fits, a handful of them does not.
pub const MAX_COMPLEXITY: usize = 4_000;

#[derive(MergedObject, Default)]
pub struct Query(
    catalog::CatalogQuery,
    accounts::AccountQuery,
    bookings::BookingQuery,
    loyalty::LoyaltyQuery,
    notifications::NotificationQuery,
    admin::AdminQuery,
);

#[derive(MergedObject, Default)]
pub struct Mutation(
    accounts::AccountMutation,
    bookings::BookingMutation,
    loyalty::LoyaltyMutation,
    admin::AdminMutation,
);

pub type ApiSchema = Schema<Query, Mutation, EmptySubscription>;

/// Builds the schema once per isolate; it holds no per-request state.
pub fn schema() -> ApiSchema {
    Schema::build(Query::default(), Mutation::default(), EmptySubscription)
        .limit_depth(MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY)
        .limit_directives(10)
        .finish()
}

/// The schema as SDL, as checked in at `schema.graphql`.
pub fn sdl() -> String {
    schema().sdl()
}

/// Identity settings, built once per isolate from configuration.
pub struct AuthConfig {
    pub keys: KeyRing,
    pub tokens: TokenSettings,
    pub throttle: SignInThrottle,
    /// PBKDF2 iterations for new password hashes (existing hashes keep their own).
    pub password_iterations: u32,
    /// An OpenID Connect issuer whose tokens are accepted too, when configured.
    pub external: Option<ExternalIssuer>,
}

/// Who sent the request, as far as its `Authorization` header says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Viewer {
    Anonymous,
    Signed(Principal),
    /// A token was sent and refused; protected fields answer UNAUTHENTICATED.
    Rejected(TokenError),
}

impl Viewer {
    /// Reads a bearer token, or anonymous without one.
    pub fn from_authorization(header: Option<&str>, auth: &AuthConfig, now: DateTime<Utc>) -> Self {
        let Some(header) = header.map(str::trim).filter(|h| !h.is_empty()) else {
            return Self::Anonymous;
        };
        let token = match header.split_once(' ') {
            Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
            _ => return Self::Rejected(TokenError::Malformed),
        };
        let ours = auth.keys.verify(&auth.tokens, token, now);
        // A token that is not ours by algorithm or key id may be the external issuer's.
        let result = match (ours, &auth.external) {
            (Err(TokenError::UnknownKey | TokenError::WrongAlgorithm(_)), Some(external)) => {
                external.verify(token, now)
            }
            (ours, _) => ours,
        };
        match result {
            Ok(principal) => Self::Signed(principal),
            Err(error) => Self::Rejected(error),
        }
    }
}

/// What one request brings to the resolvers.
pub struct RequestContext {
    pub store: Arc<dyn CatalogStore>,
    pub accounts: Arc<dyn AccountStore>,
    pub schedule: Arc<dyn ScheduleStore>,
    pub passwords: Arc<dyn PasswordKdf>,
    pub bookings: Arc<dyn BookingService>,
    pub loyalty: Arc<dyn LoyaltyStore>,
    pub notifications: Arc<dyn NotificationStore>,
    pub auth: Arc<AuthConfig>,
    pub viewer: Viewer,
    /// One clock reading per request, so "today" and "already departed" agree.
    pub now: DateTime<Utc>,
    pub request_id: String,
}

impl RequestContext {
    /// The context `execute` attached. Missing only if a caller bypassed `execute`,
    /// which is reported as INTERNAL rather than a panic.
    pub(crate) fn of<'a>(ctx: &'a async_graphql::Context<'_>) -> ApiResult<&'a RequestContext> {
        ctx.data::<RequestContext>()
            .map_err(|_| ApiError::internal("request context", "execute() was bypassed"))
    }
}

/// Runs one GraphQL request and returns the response with `extensions.requestId` set
/// and every error carrying an `extensions.code`.
pub async fn execute(
    schema: &ApiSchema,
    request: async_graphql::Request,
    context: RequestContext,
) -> async_graphql::Response {
    let request_id = context.request_id.clone();
    let mut response = schema.execute(request.data(context)).await;
    for error in &mut response.errors {
        error::finish(error, &request_id);
    }
    response
        .extensions
        .insert("requestId".to_owned(), Value::String(request_id));
    response
}
