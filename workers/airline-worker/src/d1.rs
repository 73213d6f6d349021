//! The D1 database as the API's store: one struct, with the catalog and the accounts
//! implemented in their own modules, sharing how queries run and how failures are logged.

use airline_graphql::StoreError;
use serde::Deserialize;
use worker::wasm_bindgen::JsValue;
use worker::{console_error, D1Database, D1PreparedStatement};

pub struct D1Store {
    pub(crate) db: D1Database,
    request_id: String,
}

impl D1Store {
    pub fn new(db: D1Database, request_id: &str) -> Self {
        Self {
            db,
            request_id: request_id.to_owned(),
        }
    }

    /// The id of the request this store serves (log lines and objects it calls carry it).
    pub fn request_id(&self) -> &str {
        &self.request_id
    }

    /// A cheap query proving the database is reachable and migrated.
    pub async fn ping(&self) -> Result<(), StoreError> {
        let statement = self.db.prepare("SELECT code FROM airports LIMIT 1");
        statement
            .all()
            .await
            .map(|_| ())
            .map_err(|e| self.fail("ping", e))
    }

    pub(crate) fn statement(
        &self,
        what: &'static str,
        sql: &str,
        params: &[JsValue],
    ) -> Result<D1PreparedStatement, StoreError> {
        self.db
            .prepare(sql)
            .bind(params)
            .map_err(|e| self.fail(what, e))
    }

    pub(crate) async fn rows<T: for<'de> Deserialize<'de>>(
        &self,
        what: &'static str,
        sql: &str,
        params: &[JsValue],
    ) -> Result<Vec<T>, StoreError> {
        let result = self
            .statement(what, sql, params)?
            .all()
            .await
            .map_err(|e| self.fail(what, e))?;
        result.results::<T>().map_err(|e| self.fail(what, e))
    }

    /// Runs a statement for its effect; returns the number of rows it changed.
    pub(crate) async fn execute(
        &self,
        what: &'static str,
        sql: &str,
        params: &[JsValue],
    ) -> Result<usize, StoreError> {
        let result = self
            .statement(what, sql, params)?
            .run()
            .await
            .map_err(|e| self.fail(what, e))?;
        let meta = result.meta().map_err(|e| self.fail(what, e))?;
        Ok(meta.and_then(|m| m.changes).unwrap_or(0))
    }

    /// Logs the cause with the request id; the client sees only the id.
    pub(crate) fn fail(&self, what: &str, cause: impl std::fmt::Display) -> StoreError {
        console_error!("[{}] store error: {what}: {cause}", self.request_id);
        StoreError::new(what.to_owned(), cause.to_string())
    }
}

pub use airline_domain::{parse_utc, utc_text};
