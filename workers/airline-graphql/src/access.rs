//! Who may do what: the one place a resolver asks whether the caller is signed in, is an
//! admin, or may read a given customer's data. Every answer that refuses is a typed
//! error (UNAUTHENTICATED, FORBIDDEN, or NOT_FOUND where FORBIDDEN would leak an id).

use airline_auth::{Principal, Role};
use async_graphql::{Result, ID};

use crate::error::{forbidden, not_found, unauthenticated};
use crate::{RequestContext, Viewer};

impl RequestContext {
    /// The signed-in principal, or UNAUTHENTICATED.
    pub(crate) fn signed_in(&self) -> Result<&Principal> {
        match &self.viewer {
            Viewer::Signed(principal) => Ok(principal),
            Viewer::Anonymous => Err(unauthenticated("sign in to do this")),
            Viewer::Rejected(_) => Err(unauthenticated(
                "the access token is invalid or expired; refresh the session or sign in",
            )),
        }
    }

    /// The signed-in admin's account id; UNAUTHENTICATED for anonymous callers and
    /// FORBIDDEN for customers.
    pub(crate) fn admin(&self) -> Result<&str> {
        let principal = self.signed_in()?;
        match principal.role {
            Role::Admin => Ok(&principal.account_id),
            Role::Customer => Err(forbidden()),
        }
    }

    /// Whose data a request reads: the viewer's own, or (admins only) the customer named.
    /// A customer naming someone else gets NOT_FOUND, never FORBIDDEN: ids do not leak.
    pub(crate) fn customer_in_view(&self, named: Option<ID>) -> Result<String> {
        let principal = self.signed_in()?;
        match named {
            Some(id) if *id != principal.account_id => {
                if principal.role != Role::Admin {
                    return Err(not_found(format_args!("customer {}", id.as_str())));
                }
                Ok(id.to_string())
            }
            _ => Ok(principal.account_id.clone()),
        }
    }
}
