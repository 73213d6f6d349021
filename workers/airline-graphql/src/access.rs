//! Who may do what: the one place a resolver asks whether the caller is signed in, is an
//! admin, or may read a given customer's data. Every answer that refuses is a typed
//! error (UNAUTHENTICATED, FORBIDDEN, or NOT_FOUND where FORBIDDEN would leak an id).

use airline_auth::{Principal, Role};
use airline_domain::AccountId;
use async_graphql::ID;

use crate::error::{ApiError, ApiResult};
use crate::{RequestContext, Viewer};

impl RequestContext {
    /// The signed-in principal, or UNAUTHENTICATED.
    pub(crate) fn signed_in(&self) -> ApiResult<&Principal> {
        match &self.viewer {
            Viewer::Signed(principal) => Ok(principal),
            Viewer::Anonymous => Err(ApiError::Unauthenticated("sign in to do this")),
            Viewer::Rejected(_) => Err(ApiError::Unauthenticated(
                "the access token is invalid or expired; refresh the session or sign in",
            )),
        }
    }

    /// The signed-in admin's account id; UNAUTHENTICATED for anonymous callers and
    /// FORBIDDEN for customers.
    pub(crate) fn admin(&self) -> ApiResult<&AccountId> {
        let principal = self.signed_in()?;
        match principal.role {
            Role::Admin => Ok(&principal.account_id),
            Role::Customer => Err(ApiError::Forbidden),
        }
    }

    /// Whose data a request reads: the viewer's own, or (admins only) the customer named.
    /// A customer naming someone else gets NOT_FOUND, never FORBIDDEN: ids do not leak.
    pub(crate) fn customer_in_view(&self, named: Option<ID>) -> ApiResult<AccountId> {
        let principal = self.signed_in()?;
        match named {
            Some(id) if principal.account_id != id.as_str() => {
                let missing = || ApiError::not_found(format_args!("customer {}", id.as_str()));
                if principal.role != Role::Admin {
                    return Err(missing());
                }
                AccountId::parse("customerId", &id).map_err(|_| missing())
            }
            _ => Ok(principal.account_id.clone()),
        }
    }
}
