//! Accounts, refresh tokens and sign-in throttling over D1.
//!
//! Anything two requests could race on is one statement or one batch (a transaction):
//! the failure counter is an upsert, and a refresh token is spent and replaced together.

use airline_auth::refresh::StoredRefreshToken;
use airline_auth::{RefreshTokenHash, Role, ThrottleState};
use airline_domain::AccountId;
use airline_graphql::store::{AccountRecord, CreateAccountError, NewRefreshToken};
use airline_graphql::{AccountStore, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use worker::send::SendFuture;
use worker::wasm_bindgen::JsValue;

use crate::d1::{parse_utc, utc_text, Access, D1Store};

const ACCOUNT_COLUMNS: &str = "id, email, display_name, password_hash, role, created_at";

#[async_trait]
impl AccountStore for D1Store {
    async fn create_account(&self, account: &AccountRecord) -> Result<(), CreateAccountError> {
        SendFuture::new(async move {
            let now = utc_text(account.created_at);
            let params = [
                account.id.as_str().into(),
                account.email.as_str().into(),
                account.display_name.as_str().into(),
                account.password_hash.as_str().into(),
                account.role.as_str().into(),
                now.as_str().into(),
            ];
            let statement = self
                .statement(
                    "create_account",
                    "INSERT INTO accounts (id, email, display_name, password_hash, role, created_at, updated_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
                    &params,
                )
                .map_err(CreateAccountError::Store)?;
            match statement.run().await {
                Ok(_) => Ok(()),
                Err(error) if error.to_string().contains("UNIQUE constraint failed: accounts.email") => {
                    Err(CreateAccountError::EmailTaken)
                }
                Err(error) => Err(CreateAccountError::Store(self.fail("create_account", error))),
            }
        })
        .await
    }

    async fn account_by_email(&self, email: &str) -> Result<Option<AccountRecord>, StoreError> {
        SendFuture::new(async move {
            let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE email = ?1");
            let rows: Vec<AccountRow> =
                self.rows("account_by_email", &sql, &[email.into()]).await?;
            self.first_account(rows)
        })
        .await
    }

    async fn account(&self, id: &AccountId) -> Result<Option<AccountRecord>, StoreError> {
        SendFuture::new(async move {
            let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = ?1");
            let rows: Vec<AccountRow> = self.rows("account", &sql, &[id.as_str().into()]).await?;
            self.first_account(rows)
        })
        .await
    }

    async fn sign_in_failures(&self, email: &str) -> Result<Option<ThrottleState>, StoreError> {
        SendFuture::new(async move {
            let rows: Vec<FailureRow> = self
                .rows(
                    "sign_in_failures",
                    "SELECT failures, window_started_at FROM sign_in_failures WHERE email = ?1",
                    &[email.into()],
                )
                .await?;
            rows.into_iter()
                .next()
                .map(|row| {
                    Ok(ThrottleState {
                        failures: row.failures,
                        window_started_at: parse_utc("window_started_at", &row.window_started_at)
                            .map_err(|e| {
                            self.fail("corrupt sign_in_failures row", e)
                        })?,
                    })
                })
                .transpose()
        })
        .await
    }

    async fn record_sign_in_failure(
        &self,
        email: &str,
        now: DateTime<Utc>,
        window: chrono::Duration,
    ) -> Result<(), StoreError> {
        SendFuture::new(async move {
            // One upsert, so concurrent failures all count: a window that started at or
            // before `now - window` has ended and the count restarts.
            let params = [
                email.into(),
                utc_text(now).into(),
                utc_text(now - window).into(),
            ];
            self.execute(
                "record_sign_in_failure",
                "INSERT INTO sign_in_failures (email, failures, window_started_at) VALUES (?1, 1, ?2) \
                 ON CONFLICT (email) DO UPDATE SET \
                   failures = CASE WHEN window_started_at <= ?3 THEN 1 ELSE failures + 1 END, \
                   window_started_at = CASE WHEN window_started_at <= ?3 THEN ?2 ELSE window_started_at END",
                &params,
            )
            .await
            .map(|_| ())
        })
        .await
    }

    async fn clear_sign_in_failures(&self, email: &str) -> Result<(), StoreError> {
        SendFuture::new(async move {
            self.execute(
                "clear_sign_in_failures",
                "DELETE FROM sign_in_failures WHERE email = ?1",
                &[email.into()],
            )
            .await
            .map(|_| ())
        })
        .await
    }

    async fn insert_refresh_token(&self, token: &NewRefreshToken) -> Result<(), StoreError> {
        SendFuture::new(async move {
            self.execute(
                "insert_refresh_token",
                "INSERT INTO refresh_tokens (token_hash, family_id, account_id, created_at, expires_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                &new_token_params(token),
            )
            .await
            .map(|_| ())
        })
        .await
    }

    async fn refresh_token(
        &self,
        hash: &RefreshTokenHash,
    ) -> Result<Option<StoredRefreshToken>, StoreError> {
        SendFuture::new(async move {
            let rows: Vec<RefreshRow> = self
                .rows(
                    "refresh_token",
                    "SELECT family_id, account_id, expires_at, used_at, revoked_at \
                     FROM refresh_tokens WHERE token_hash = ?1",
                    &[hash.0.as_str().into()],
                )
                .await?;
            rows.into_iter()
                .next()
                .map(|row| {
                    row.into_stored()
                        .map_err(|e| self.fail("corrupt refresh_tokens row", e))
                })
                .transpose()
        })
        .await
    }

    async fn rotate_refresh_token(
        &self,
        used: &RefreshTokenHash,
        next: &NewRefreshToken,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        SendFuture::new(async move {
            // One transaction: spend the old token only if nobody has, and store its
            // successor only if this statement did the spending.
            let spend = self.statement(
                "rotate_refresh_token",
                "UPDATE refresh_tokens SET used_at = ?2 \
                 WHERE token_hash = ?1 AND used_at IS NULL AND revoked_at IS NULL",
                &[used.0.as_str().into(), utc_text(now).into()],
            )?;
            let store_next = self.statement(
                "rotate_refresh_token",
                "INSERT INTO refresh_tokens (token_hash, family_id, account_id, created_at, expires_at) \
                 SELECT ?1, ?2, ?3, ?4, ?5 WHERE changes() = 1",
                &new_token_params(next),
            )?;
            let results = self
                .batch(Access::Write, vec![spend, store_next])
                .await
                .map_err(|e| self.fail("rotate_refresh_token", e))?;
            let spent = results
                .first()
                .and_then(|r| r.meta().ok().flatten())
                .and_then(|m| m.changes)
                .unwrap_or(0);
            Ok(spent == 1)
        })
        .await
    }

    async fn revoke_refresh_family(
        &self,
        family_id: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        SendFuture::new(async move {
            self.execute(
                "revoke_refresh_family",
                "UPDATE refresh_tokens SET revoked_at = ?2 WHERE family_id = ?1 AND revoked_at IS NULL",
                &[family_id.into(), utc_text(now).into()],
            )
            .await
            .map(|_| ())
        })
        .await
    }
}

impl D1Store {
    fn first_account(&self, rows: Vec<AccountRow>) -> Result<Option<AccountRecord>, StoreError> {
        rows.into_iter()
            .next()
            .map(|row| {
                let id = row.id.clone();
                row.into_record()
                    .map_err(|e| self.fail("corrupt accounts row", format!("{id}: {e}")))
            })
            .transpose()
    }
}

fn new_token_params(token: &NewRefreshToken) -> [JsValue; 5] {
    [
        token.hash.0.as_str().into(),
        token.family_id.as_str().into(),
        token.account_id.as_str().into(),
        utc_text(token.created_at).into(),
        utc_text(token.expires_at).into(),
    ]
}

#[derive(Deserialize)]
struct AccountRow {
    id: AccountId,
    email: String,
    display_name: String,
    password_hash: String,
    role: String,
    created_at: String,
}

impl AccountRow {
    fn into_record(self) -> Result<AccountRecord, String> {
        Ok(AccountRecord {
            role: Role::parse(&self.role).ok_or_else(|| format!("unknown role {}", self.role))?,
            created_at: parse_utc("created_at", &self.created_at).map_err(|e| e.to_string())?,
            id: self.id,
            email: self.email,
            display_name: self.display_name,
            password_hash: self.password_hash,
        })
    }
}

#[derive(Deserialize)]
struct FailureRow {
    failures: u32,
    window_started_at: String,
}

#[derive(Deserialize)]
struct RefreshRow {
    family_id: String,
    account_id: AccountId,
    expires_at: String,
    used_at: Option<String>,
    revoked_at: Option<String>,
}

impl RefreshRow {
    fn into_stored(self) -> Result<StoredRefreshToken, String> {
        let optional = |field, text: Option<String>| {
            text.map(|t| parse_utc(field, &t))
                .transpose()
                .map_err(|e| e.to_string())
        };
        Ok(StoredRefreshToken {
            expires_at: parse_utc("expires_at", &self.expires_at).map_err(|e| e.to_string())?,
            used_at: optional("used_at", self.used_at)?,
            revoked_at: optional("revoked_at", self.revoked_at)?,
            family_id: self.family_id,
            account_id: self.account_id,
        })
    }
}
