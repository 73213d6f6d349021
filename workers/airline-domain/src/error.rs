//! The one error type for input that does not parse: which field, and why, in words a
//! traveller can act on.

use std::fmt;

/// A value supplied from outside (a GraphQL argument, an admin's form) that was rejected.
///
/// `field` names the argument as the caller spelled it, so a client can put the message
/// next to the right input box.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    pub field: &'static str,
    pub message: String,
}

impl InputError {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for InputError {}
