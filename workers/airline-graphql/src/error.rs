//! Typed API errors: every error a client sees carries `extensions.code`, and nothing
//! from inside the system (SQL, stack traces, bindings) ever reaches its message.
//!
//! Resolvers return [`ApiResult`]; `?` turns an [`InputError`] into BAD_USER_INPUT and a
//! [`StoreError`] into INTERNAL. async-graphql keeps the [`ApiError`] as the error's
//! source, and [`finish`], run once per response, writes its code, its fields and (for
//! INTERNAL) the request id.

use airline_booking::saga::FailureCode;
use airline_domain::{BookingId, InputError};
use async_graphql::{Error, ErrorExtensions, ServerError};

use crate::StoreError;

/// What a resolver returns.
pub type ApiResult<T> = Result<T, ApiError>;

/// Every way a request can fail that a resolver decides. Errors about the query text
/// itself (parse, validation, limits, argument types) are async-graphql's own and come
/// out as GRAPHQL_VALIDATION_FAILED.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    /// An argument failed to parse or broke a rule; `extensions.field` names it.
    #[error(transparent)]
    BadUserInput(#[from] InputError),
    /// `what` names the thing sought, e.g. "booking bk_…".
    #[error("{what} was not found")]
    NotFound { what: String },
    /// No valid credentials: no token, a refused token, or a wrong email or password.
    #[error("{0}")]
    Unauthenticated(&'static str),
    /// Signed in, but not allowed to do this (e.g. a customer calling an admin mutation).
    #[error("your account may not do this")]
    Forbidden,
    /// The request conflicts with existing state (an email already registered).
    #[error("{0}")]
    Conflict(String),
    /// Too many attempts; `extensions.retryAfter` says how many seconds to wait.
    #[error("too many attempts; try again in {retry_after_seconds} seconds")]
    RateLimited { retry_after_seconds: i64 },
    /// A booking that ended CANCELLED while it was being made: the code is the saga's
    /// reason (SOLD_OUT, PAYMENT_DECLINED, ...), and the booking stays readable by its id.
    #[error("{message}")]
    BookingFailed {
        code: FailureCode,
        message: String,
        booking_id: BookingId,
    },
    /// Something failed inside. The cause is for the operator's log; the client reads
    /// only the request id to quote.
    #[error("{INTERNAL_PLACEHOLDER}")]
    Internal(#[from] StoreError),
}

impl ApiError {
    pub fn not_found(what: impl std::fmt::Display) -> Self {
        Self::NotFound {
            what: what.to_string(),
        }
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::Conflict(message.into())
    }

    /// A failure inside that has no storage error behind it, e.g. a reply the protocol
    /// does not allow.
    pub fn internal(operation: &'static str, cause: impl Into<String>) -> Self {
        Self::Internal(StoreError::new(operation, cause.into()))
    }

    /// The `extensions.code` a client reads.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadUserInput(_) => ErrorCode::BadUserInput.as_str(),
            Self::NotFound { .. } => ErrorCode::NotFound.as_str(),
            Self::Unauthenticated(_) => ErrorCode::Unauthenticated.as_str(),
            Self::Forbidden => ErrorCode::Forbidden.as_str(),
            Self::Conflict(_) => ErrorCode::Conflict.as_str(),
            Self::RateLimited { .. } => ErrorCode::RateLimited.as_str(),
            Self::BookingFailed { code, .. } => code.as_str(),
            Self::Internal(_) => ErrorCode::Internal.as_str(),
        }
    }
}

impl ErrorExtensions for ApiError {
    fn extend(&self) -> Error {
        Error::new(self.to_string()).extend_with(|_, ext| {
            ext.set("code", self.code());
            match self {
                Self::BadUserInput(input) => ext.set("field", input.field),
                Self::RateLimited {
                    retry_after_seconds,
                } => ext.set("retryAfter", *retry_after_seconds),
                Self::BookingFailed { booking_id, .. } => ext.set("bookingId", booking_id.as_str()),
                _ => {}
            }
        })
    }
}

/// The machine-readable `extensions.code` of an error, besides the booking failure codes
/// of [`FailureCode`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    BadUserInput,
    NotFound,
    Unauthenticated,
    Forbidden,
    Conflict,
    RateLimited,
    /// The query text did not parse or failed validation (unknown field, too deep, too
    /// complex, wrong argument type).
    GraphqlValidationFailed,
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

const INTERNAL_PLACEHOLDER: &str = "something went wrong on our side";

/// What a client reads for an INTERNAL error: only the request id, to quote.
pub fn internal_message(request_id: &str) -> String {
    format!("{INTERNAL_PLACEHOLDER}; quote request id {request_id} if you contact us")
}

/// Every error on its way to the client passes here, once ([`crate::execute`]):
/// - an [`ApiError`] a resolver returned (async-graphql keeps it as the error's source)
///   gets its message and extensions from [`ErrorExtensions::extend`];
/// - a bare [`StoreError`] (a resolver that bypassed [`ApiResult`]) is INTERNAL too;
/// - an INTERNAL error's message names the request id, and nothing else;
/// - an error raised by async-graphql itself (parse, validation, limits, argument
///   coercion) has no code: it is about the query text, so GRAPHQL_VALIDATION_FAILED.
pub(crate) fn finish(error: &mut ServerError, request_id: &str) {
    let source = error.source.as_ref();
    if let Some(api_error) = source.and_then(|source| source.downcast_ref::<ApiError>()) {
        let typed = api_error.extend();
        error.message = typed.message;
        error.extensions = typed.extensions;
    } else if source.is_some_and(|source| source.is::<StoreError>()) {
        error.extensions = None;
        error
            .extensions
            .get_or_insert_with(Default::default)
            .set("code", ErrorCode::Internal.as_str());
    }
    let extensions = error.extensions.get_or_insert_with(Default::default);
    match extensions.get("code") {
        None => extensions.set("code", ErrorCode::GraphqlValidationFailed.as_str()),
        Some(code) if *code == async_graphql::Value::from(ErrorCode::Internal.as_str()) => {
            error.message = internal_message(request_id);
        }
        Some(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::Value;

    use super::*;

    /// What a client receives for `error` once it went through a resolver and `finish`.
    fn delivered(error: ApiError) -> ServerError {
        let mut server_error = Error::from(error).into_server_error(Default::default());
        finish(&mut server_error, "req-42");
        server_error
    }

    fn extension(error: &ServerError, key: &str) -> Option<Value> {
        error.extensions.as_ref()?.get(key).cloned()
    }

    #[test]
    fn every_error_carries_its_code_and_fields() {
        let booking_id = BookingId::from_digest(&[7; 12]);
        let cases = [
            (
                ApiError::from(InputError::new("first", "must be between 1 and 50")),
                "BAD_USER_INPUT",
                Some(("field", Value::from("first"))),
            ),
            (ApiError::not_found("booking bk_1"), "NOT_FOUND", None),
            (
                ApiError::Unauthenticated("sign in to do this"),
                "UNAUTHENTICATED",
                None,
            ),
            (ApiError::Forbidden, "FORBIDDEN", None),
            (ApiError::conflict("taken"), "CONFLICT", None),
            (
                ApiError::RateLimited {
                    retry_after_seconds: 30,
                },
                "RATE_LIMITED",
                Some(("retryAfter", Value::from(30))),
            ),
            (
                ApiError::BookingFailed {
                    code: FailureCode::PaymentDeclined,
                    message: "the card was declined".into(),
                    booking_id: booking_id.clone(),
                },
                "PAYMENT_DECLINED",
                Some(("bookingId", Value::from(booking_id.as_str()))),
            ),
        ];
        for (error, code, field) in cases {
            let message = error.to_string();
            let delivered = delivered(error);
            assert_eq!(extension(&delivered, "code"), Some(Value::from(code)));
            assert_eq!(delivered.message, message, "{code}");
            if let Some((key, value)) = field {
                assert_eq!(extension(&delivered, key), Some(value), "{code}");
            }
        }
    }

    #[test]
    fn an_internal_error_shows_the_request_id_and_keeps_its_cause_for_the_log() {
        let cause = StoreError::new("list bookings", "D1_ERROR: no such table: bookings");
        let error = ApiError::from(cause);
        let source = std::error::Error::source(&error).map(ToString::to_string);
        assert_eq!(
            source.as_deref(),
            Some("list bookings: D1_ERROR: no such table: bookings")
        );

        let delivered = delivered(error);
        assert_eq!(extension(&delivered, "code"), Some(Value::from("INTERNAL")));
        assert_eq!(delivered.message, internal_message("req-42"));
        assert!(!delivered.message.contains("D1"), "{}", delivered.message);
    }

    #[test]
    fn errors_from_async_graphql_itself_are_validation_failures() {
        let mut error = ServerError::new("Unknown field \"nope\"", None);
        finish(&mut error, "req-42");
        assert_eq!(
            extension(&error, "code"),
            Some(Value::from("GRAPHQL_VALIDATION_FAILED"))
        );
    }
}
