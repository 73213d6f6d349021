//! Typed API errors: every error a client sees carries `extensions.code`, and nothing
//! from inside the system (SQL, stack traces, bindings) ever reaches its message.

use airline_booking::saga::FailureCode;
use airline_domain::InputError;
use async_graphql::{Error, ErrorExtensions, ServerError};

use crate::StoreError;

/// The machine-readable `extensions.code` of an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// An argument failed to parse or broke a rule; `extensions.field` names it.
    BadUserInput,
    NotFound,
    /// No valid credentials: no token, a refused token, or a wrong email or password.
    Unauthenticated,
    /// Signed in, but not allowed to do this (e.g. a customer calling an admin mutation).
    Forbidden,
    /// The request conflicts with existing state (an email already registered).
    Conflict,
    /// Too many attempts; `extensions.retryAfter` says how many seconds to wait.
    RateLimited,
    /// The query text did not parse or failed validation (unknown field, too deep, too
    /// complex, wrong argument type).
    GraphqlValidationFailed,
    /// Something failed inside; the message names only the request id.
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BadUserInput => "BAD_USER_INPUT",
            Self::NotFound => "NOT_FOUND",
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden => "FORBIDDEN",
            Self::Conflict => "CONFLICT",
            Self::RateLimited => "RATE_LIMITED",
            Self::GraphqlValidationFailed => "GRAPHQL_VALIDATION_FAILED",
            Self::Internal => "INTERNAL",
        }
    }
}

pub fn bad_input(error: InputError) -> Error {
    let field = error.field;
    Error::new(error.to_string()).extend_with(|_, ext| {
        ext.set("code", ErrorCode::BadUserInput.as_str());
        ext.set("field", field);
    })
}

pub fn not_found(what: impl std::fmt::Display) -> Error {
    Error::new(format!("{what} was not found"))
        .extend_with(|_, ext| ext.set("code", ErrorCode::NotFound.as_str()))
}

/// A failure inside, with nothing the client can act on. Resolvers rarely need this: a
/// [`StoreError`] passed up with `?` becomes the same error in [`finish`].
pub fn internal() -> Error {
    Error::new(INTERNAL_PLACEHOLDER)
        .extend_with(|_, ext| ext.set("code", ErrorCode::Internal.as_str()))
}

const INTERNAL_PLACEHOLDER: &str = "something went wrong on our side";

/// What a client reads for an INTERNAL error: only the request id, to quote.
pub fn internal_message(request_id: &str) -> String {
    format!("{INTERNAL_PLACEHOLDER}; quote request id {request_id} if you contact us")
}

/// Every error on its way to the client passes here, once ([`crate::execute`]):
/// - a storage failure a resolver passed up with `?` (async-graphql keeps it as the
///   error's source) becomes INTERNAL, and its text, meant for the log (the store has
///   logged it with the request id), is replaced by the request id to quote;
/// - an INTERNAL error gets the request id in its message;
/// - an error raised by async-graphql itself (parse, validation, limits, argument
///   coercion) has no code: it is about the query text, so GRAPHQL_VALIDATION_FAILED.
pub(crate) fn finish(error: &mut ServerError, request_id: &str) {
    let extensions = error.extensions.get_or_insert_with(Default::default);
    if error
        .source
        .as_ref()
        .is_some_and(|source| source.is::<StoreError>())
    {
        extensions.set("code", ErrorCode::Internal.as_str());
    }
    match extensions.get("code") {
        None => extensions.set("code", ErrorCode::GraphqlValidationFailed.as_str()),
        Some(code) if *code == async_graphql::Value::from(ErrorCode::Internal.as_str()) => {
            error.message = internal_message(request_id);
        }
        Some(_) => {}
    }
}

pub fn unauthenticated(message: &str) -> Error {
    Error::new(message).extend_with(|_, ext| ext.set("code", ErrorCode::Unauthenticated.as_str()))
}

pub fn forbidden() -> Error {
    Error::new("your account may not do this")
        .extend_with(|_, ext| ext.set("code", ErrorCode::Forbidden.as_str()))
}

pub fn conflict(message: &str) -> Error {
    Error::new(message).extend_with(|_, ext| ext.set("code", ErrorCode::Conflict.as_str()))
}

pub fn rate_limited(retry_after_seconds: i64) -> Error {
    Error::new(format!(
        "too many attempts; try again in {retry_after_seconds} seconds"
    ))
    .extend_with(|_, ext| {
        ext.set("code", ErrorCode::RateLimited.as_str());
        ext.set("retryAfter", retry_after_seconds);
    })
}

/// A booking that ended CANCELLED while it was being made: `code` is the saga's reason
/// (SOLD_OUT, SEAT_UNAVAILABLE, PAYMENT_DECLINED, ...), and the booking stays readable.
pub fn booking_failed(code: FailureCode, message: &str, booking_id: &str) -> Error {
    let booking_id = booking_id.to_owned();
    Error::new(message).extend_with(move |_, ext| {
        ext.set("code", code.as_str());
        ext.set("bookingId", booking_id.as_str());
    })
}
