//! The accounts part of the schema: sign-up, sign-in, session refresh with rotation,
//! sign-out, and `me`.

use airline_auth::password::{check_new_password, PBKDF2_ITERATIONS, SALT_BYTES};
use airline_auth::refresh::{self, RefreshDecision};
use airline_auth::{random_bytes, DisplayName, Email, PasswordHash, Principal, RefreshToken, Role};
use airline_domain::{AccountId, InputError};
use async_graphql::{Context, Enum, Object, SimpleObject};

use crate::error::{ApiError, ApiResult};
use crate::store::{AccountRecord, CreateAccountError, NewRefreshToken};
use crate::RequestContext;

/// The one message for a wrong email or a wrong password, so neither reveals which
/// accounts exist.
const BAD_CREDENTIALS: &str = "the email or password is incorrect";
const SESSION_ENDED: &str = "this session has ended; sign in again";

#[derive(Default)]
pub struct AccountQuery;

#[Object]
impl AccountQuery {
    /// The signed-in account.
    async fn me(&self, ctx: &Context<'_>) -> ApiResult<Account> {
        let request = RequestContext::of(ctx)?;
        let principal = request.signed_in()?;
        request
            .accounts
            .account(&principal.account_id)
            .await?
            .map(Account)
            .ok_or_else(|| ApiError::not_found("your account"))
    }

    /// One account by id: your own, or any for an admin. Anyone else's is NOT_FOUND,
    /// exactly as if it did not exist.
    async fn account(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The account's id.")] id: async_graphql::ID,
    ) -> ApiResult<Account> {
        let request = RequestContext::of(ctx)?;
        let principal = request.signed_in()?;
        let visible = principal.role == Role::Admin || principal.account_id == id.as_str();
        let account = match AccountId::parse("id", &id) {
            Ok(id) if visible => request.accounts.account(&id).await?,
            _ => None,
        };
        account
            .map(Account)
            .ok_or_else(|| ApiError::not_found("the account"))
    }
}

#[derive(Default)]
pub struct AccountMutation;

#[Object]
impl AccountMutation {
    /// Creates a customer account and signs it in.
    async fn sign_up(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Becomes the sign-in name; compared without case.")] email: String,
        #[graphql(desc = "10 to 128 characters, not the email address.")] password: String,
        #[graphql(desc = "How the app addresses you.")] name: String,
    ) -> ApiResult<Session> {
        let request = RequestContext::of(ctx)?;
        let email = Email::parse(&email).map_err(|e| field_error("email", e))?;
        let name = DisplayName::parse(&name).map_err(|e| field_error("name", e))?;
        check_new_password(&password, &email).map_err(|e| field_error("password", e))?;

        let salt = random_bytes::<SALT_BYTES>().map_err(crate::StoreError::from)?;
        let iterations = request.auth.password_iterations;
        let derived = request
            .passwords
            .derive(&password, &salt, iterations)
            .await?;
        let id = AccountId::trusted(format!(
            "acct_{}",
            hex(&random_bytes::<12>().map_err(crate::StoreError::from)?)
        ));
        let account = AccountRecord {
            id,
            email: email.to_string(),
            display_name: name.as_str().to_owned(),
            password_hash: PasswordHash::new(iterations, salt, derived).encode(),
            role: Role::Customer,
            created_at: request.now,
        };
        match request.accounts.create_account(&account).await {
            Ok(()) => {}
            Err(CreateAccountError::EmailTaken) => {
                return Err(ApiError::conflict(
                    "an account with this email already exists; sign in instead",
                ))
            }
            Err(CreateAccountError::Store(e)) => return Err(e.into()),
        }
        request.start_session(&account, None).await
    }

    /// Signs in with email and password. After repeated failures the account is locked
    /// for a while (RATE_LIMITED with `retryAfter`), even for the right password.
    async fn sign_in(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The email the account signed up with.")] email: String,
        #[graphql(desc = "The account's password.")] password: String,
    ) -> ApiResult<Session> {
        let request = RequestContext::of(ctx)?;
        let email = Email::parse(&email).map_err(|e| field_error("email", e))?;
        let throttle = request.auth.throttle;
        let failures = request.accounts.sign_in_failures(email.as_str()).await?;
        if let Err(retry_after) = throttle.check(failures, request.now) {
            return Err(ApiError::RateLimited {
                retry_after_seconds: retry_after.num_seconds().max(1),
            });
        }
        let account = request.accounts.account_by_email(email.as_str()).await?;
        // Derive even for an unknown email, with the cost a real hash has, so the answer
        // takes as long either way.
        let stored = account
            .as_ref()
            .and_then(|a| PasswordHash::parse(&a.password_hash));
        let (salt, iterations) = stored.as_ref().map_or(
            (
                [0u8; SALT_BYTES],
                PBKDF2_ITERATIONS.min(request.auth.password_iterations),
            ),
            |h| (h.salt, h.iterations),
        );
        let derived = request
            .passwords
            .derive(&password, &salt, iterations)
            .await?;
        match (account, stored) {
            (Some(account), Some(hash)) if hash.matches(&derived) => {
                request
                    .accounts
                    .clear_sign_in_failures(email.as_str())
                    .await?;
                request.start_session(&account, None).await
            }
            _ => {
                request
                    .accounts
                    .record_sign_in_failure(email.as_str(), request.now, throttle.window)
                    .await?;
                Err(ApiError::Unauthenticated(BAD_CREDENTIALS))
            }
        }
    }

    /// Trades a refresh token for a new access token and a new refresh token. Each
    /// refresh token works once; presenting a used one ends the whole session.
    async fn refresh_session(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The refresh token of the latest session.")] refresh_token: String,
    ) -> ApiResult<Session> {
        let request = RequestContext::of(ctx)?;
        let token = RefreshToken::parse(&refresh_token)
            .ok_or_else(|| ApiError::Unauthenticated(SESSION_ENDED))?;
        let hash = token.hash();
        let stored = request
            .accounts
            .refresh_token(&hash)
            .await?
            .ok_or_else(|| ApiError::Unauthenticated(SESSION_ENDED))?;
        match refresh::decide(&stored, request.now) {
            RefreshDecision::Rotate => {}
            RefreshDecision::Reused => {
                request
                    .accounts
                    .revoke_refresh_family(&stored.family_id, request.now)
                    .await?;
                return Err(ApiError::Unauthenticated(SESSION_ENDED));
            }
            RefreshDecision::Revoked | RefreshDecision::Expired => {
                return Err(ApiError::Unauthenticated(SESSION_ENDED))
            }
        }
        let account = request
            .accounts
            .account(&stored.account_id)
            .await?
            .ok_or_else(|| ApiError::Unauthenticated(SESSION_ENDED))?;
        request
            .start_session(&account, Some((hash, stored.family_id)))
            .await
    }

    /// Ends the session the refresh token belongs to. Always succeeds, so it cannot be
    /// used to probe tokens.
    async fn sign_out(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The refresh token of the session to end.")] refresh_token: String,
    ) -> ApiResult<bool> {
        let request = RequestContext::of(ctx)?;
        if let Some(token) = RefreshToken::parse(&refresh_token) {
            let stored = request.accounts.refresh_token(&token.hash()).await?;
            if let Some(stored) = stored {
                request
                    .accounts
                    .revoke_refresh_family(&stored.family_id, request.now)
                    .await?;
            }
        }
        Ok(true)
    }
}

impl RequestContext {
    /// Issues an access token and a refresh token. With `rotating`, the new refresh
    /// token joins that family and the old one is spent in the same step.
    async fn start_session(
        &self,
        account: &AccountRecord,
        rotating: Option<(airline_auth::RefreshTokenHash, String)>,
    ) -> ApiResult<Session> {
        let principal = Principal {
            account_id: account.id.clone(),
            role: account.role,
        };
        let access = self
            .auth
            .keys
            .issue(&self.auth.tokens, &principal, self.now)
            .map_err(|cause| crate::StoreError::new("issue access token", cause))?;
        let refresh_token = RefreshToken::generate().map_err(crate::StoreError::from)?;
        let family_id = match &rotating {
            Some((_, family)) => family.clone(),
            None => format!(
                "fam_{}",
                hex(&random_bytes::<12>().map_err(crate::StoreError::from)?)
            ),
        };
        let next = NewRefreshToken {
            hash: refresh_token.hash(),
            family_id,
            account_id: account.id.clone(),
            created_at: self.now,
            expires_at: refresh::expiry_from(self.now),
        };
        match rotating {
            Some((used, _)) => {
                let rotated = self
                    .accounts
                    .rotate_refresh_token(&used, &next, self.now)
                    .await?;
                if !rotated {
                    // Another request spent this token a moment ago: treat it as reuse.
                    self.accounts
                        .revoke_refresh_family(&next.family_id, self.now)
                        .await?;
                    return Err(ApiError::Unauthenticated(SESSION_ENDED));
                }
            }
            None => self.accounts.insert_refresh_token(&next).await?,
        }
        Ok(Session {
            access_token: access.token,
            expires_at: airline_domain::utc_text(access.expires_at),
            refresh_token: refresh_token.as_str().to_owned(),
            account: Account(account.clone()),
        })
    }
}

impl From<getrandom::Error> for crate::StoreError {
    fn from(error: getrandom::Error) -> Self {
        crate::StoreError::new("random bytes", error.to_string())
    }
}

fn field_error(field: &'static str, error: impl std::fmt::Display) -> ApiError {
    ApiError::BadUserInput(InputError::new(field, error.to_string()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A signed-in session.
#[derive(SimpleObject)]
pub struct Session {
    /// Send as `Authorization: Bearer <accessToken>`; valid until `expiresAt` (15 minutes
    /// unless the deployment configures another lifetime).
    access_token: String,
    /// When the access token expires, RFC 3339 UTC.
    expires_at: String,
    /// Trade for a new session with `refreshSession` before or after the access token
    /// expires (within 30 days). Works once.
    refresh_token: String,
    account: Account,
}

pub struct Account(pub AccountRecord);

#[Object]
impl Account {
    async fn id(&self) -> &str {
        self.0.id.as_str()
    }
    async fn email(&self) -> &str {
        &self.0.email
    }
    async fn name(&self) -> &str {
        &self.0.display_name
    }
    async fn role(&self) -> AccountRole {
        match self.0.role {
            Role::Customer => AccountRole::Customer,
            Role::Admin => AccountRole::Admin,
        }
    }
    /// RFC 3339 UTC.
    async fn created_at(&self) -> String {
        airline_domain::utc_text(self.0.created_at)
    }
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum AccountRole {
    Customer,
    Admin,
}
