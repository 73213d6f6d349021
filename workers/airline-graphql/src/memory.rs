//! In-memory account store and a native PBKDF2, so the API runs in native tests exactly
//! as it does in the Worker, minus D1 and WebCrypto. Enabled by the `memory` feature.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::sync::Mutex;

use airline_auth::password::HASH_BYTES;
use airline_auth::refresh::StoredRefreshToken;
use airline_auth::{RefreshTokenHash, SignInThrottle, ThrottleState};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::store::{AccountRecord, AccountStore, CreateAccountError, NewRefreshToken, PasswordKdf};
use crate::StoreError;

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
        let mut state = self.state.lock().unwrap();
        for account in state.accounts.iter_mut().filter(|a| a.email == email) {
            account.role = airline_auth::Role::Admin;
        }
    }
}

#[async_trait]
impl AccountStore for MemoryAccounts {
    async fn create_account(&self, account: &AccountRecord) -> Result<(), CreateAccountError> {
        let mut state = self.state.lock().unwrap();
        if state.accounts.iter().any(|a| a.email == account.email) {
            return Err(CreateAccountError::EmailTaken);
        }
        state.accounts.push(account.clone());
        Ok(())
    }

    async fn account_by_email(&self, email: &str) -> Result<Option<AccountRecord>, StoreError> {
        let state = self.state.lock().unwrap();
        Ok(state.accounts.iter().find(|a| a.email == email).cloned())
    }

    async fn account(&self, id: &str) -> Result<Option<AccountRecord>, StoreError> {
        let state = self.state.lock().unwrap();
        Ok(state.accounts.iter().find(|a| a.id == id).cloned())
    }

    async fn sign_in_failures(&self, email: &str) -> Result<Option<ThrottleState>, StoreError> {
        Ok(self.state.lock().unwrap().failures.get(email).copied())
    }

    async fn record_sign_in_failure(
        &self,
        email: &str,
        now: DateTime<Utc>,
        window: chrono::Duration,
    ) -> Result<(), StoreError> {
        let mut state = self.state.lock().unwrap();
        let throttle = SignInThrottle {
            window,
            ..SignInThrottle::default()
        };
        let next = throttle.after_failure(state.failures.get(email).copied(), now);
        state.failures.insert(email.to_owned(), next);
        Ok(())
    }

    async fn clear_sign_in_failures(&self, email: &str) -> Result<(), StoreError> {
        self.state.lock().unwrap().failures.remove(email);
        Ok(())
    }

    async fn insert_refresh_token(&self, token: &NewRefreshToken) -> Result<(), StoreError> {
        self.state
            .lock()
            .unwrap()
            .refresh
            .insert(token.hash.clone(), stored(token));
        Ok(())
    }

    async fn refresh_token(
        &self,
        hash: &RefreshTokenHash,
    ) -> Result<Option<StoredRefreshToken>, StoreError> {
        Ok(self.state.lock().unwrap().refresh.get(hash).cloned())
    }

    async fn rotate_refresh_token(
        &self,
        used: &RefreshTokenHash,
        next: &NewRefreshToken,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut state = self.state.lock().unwrap();
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
        let mut state = self.state.lock().unwrap();
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

/// Settings for tests: a fixed signing key and a cheap KDF (the rules are the same; only
/// the iteration count is lower, so debug-build tests stay fast).
pub fn test_auth_config() -> crate::AuthConfig {
    crate::AuthConfig {
        keys: airline_auth::KeyRing::parse("test-1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8")
            .expect("the test key parses"),
        tokens: airline_auth::TokenSettings {
            issuer: "https://airline.test".into(),
            audience: "airline-api".into(),
        },
        throttle: SignInThrottle::default(),
        password_iterations: 1_000,
    }
}
