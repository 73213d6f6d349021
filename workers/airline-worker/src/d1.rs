//! The D1 database as the API's store: one struct, with the catalog and the accounts
//! implemented in their own modules, sharing how queries run and how failures are logged.

use airline_graphql::StoreError;
use airline_platform::trace::{self, CallKind};
use serde::Deserialize;
use worker::wasm_bindgen::JsValue;
use worker::{console_error, D1Database, D1DatabaseSession, D1PreparedStatement};

pub struct D1Store {
    db: Connection,
    request_id: String,
}

/// How the store reaches D1: straight to the primary (background work: queue consumers,
/// the reconciliation run), or through a session (an API request).
enum Connection {
    Primary(D1Database),
    /// D1's Sessions API: reads may be served by a replica near the caller, never one
    /// older than the session's bookmark; writes go to the primary and move the bookmark
    /// on, so one session reads its own writes.
    Session(D1DatabaseSession),
}

/// Whether a batch only reads, or writes too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    Read,
    Write,
}

/// The request header a client sends back with the bookmark of its last answer, and the
/// response header that carries it: reads then see at least what that answer had seen.
pub const BOOKMARK_HEADER: &str = "X-D1-Bookmark";

impl D1Store {
    /// A store on the primary, for background work.
    pub fn new(db: D1Database, request_id: &str) -> Self {
        Self {
            db: Connection::Primary(db),
            request_id: request_id.to_owned(),
        }
    }

    /// A store for one request, in a D1 session that starts at `bookmark` (what the
    /// client's last answer had seen), or anywhere (`first-unconstrained`) without one.
    pub fn session(db: D1Database, request_id: &str, bookmark: Option<&str>) -> Self {
        let bookmark = bookmark.filter(|b| !b.is_empty() && b.len() <= 256);
        let connection = match db.with_session(Some(bookmark.unwrap_or("first-unconstrained"))) {
            Ok(session) => Connection::Session(session),
            // An unreadable bookmark is not the client's problem: start anywhere.
            Err(_) => match db.with_session(Some("first-unconstrained")) {
                Ok(session) => Connection::Session(session),
                Err(_) => Connection::Primary(db),
            },
        };
        Self {
            db: connection,
            request_id: request_id.to_owned(),
        }
    }

    /// The latest bookmark this store's session has seen, for the response.
    pub fn bookmark(&self) -> Option<String> {
        match &self.db {
            Connection::Session(session) => session.get_bookmark().ok().flatten(),
            Connection::Primary(_) => None,
        }
    }

    pub(crate) fn prepare(&self, sql: &str) -> D1PreparedStatement {
        match &self.db {
            Connection::Primary(db) => db.prepare(sql),
            Connection::Session(session) => session.prepare(sql),
        }
    }

    /// Notes one round trip to D1 for the bench's call trace.
    async fn trace(&self, reads_only: bool) {
        let kind = match (&self.db, reads_only) {
            (Connection::Primary(_), true) => CallKind::D1PrimaryRead,
            (Connection::Primary(_), false) => CallKind::D1PrimaryWrite,
            (Connection::Session(_), true) => CallKind::D1SessionRead,
            (Connection::Session(_), false) => CallKind::D1SessionWrite,
        };
        trace::call(kind, None, Some(&self.request_id)).await;
    }

    /// Runs `statements` as one batch (one transaction, one round trip); `access` says
    /// whether any of them writes.
    pub(crate) async fn batch(
        &self,
        access: Access,
        statements: Vec<D1PreparedStatement>,
    ) -> worker::Result<Vec<worker::D1Result>> {
        self.trace(access == Access::Read).await;
        match &self.db {
            Connection::Primary(db) => db.batch(statements).await,
            Connection::Session(session) => session.batch(statements).await,
        }
    }

    /// The id of the request this store serves (log lines and objects it calls carry it).
    pub fn request_id(&self) -> &str {
        &self.request_id
    }

    /// A cheap query proving the database is reachable and migrated.
    pub async fn ping(&self) -> Result<(), StoreError> {
        let statement = self.prepare("SELECT code FROM airports LIMIT 1");
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
        self.prepare(sql)
            .bind(params)
            .map_err(|e| self.fail(what, e))
    }

    pub(crate) async fn rows<T: for<'de> Deserialize<'de>>(
        &self,
        what: &'static str,
        sql: &str,
        params: &[JsValue],
    ) -> Result<Vec<T>, StoreError> {
        let statement = self.statement(what, sql, params)?;
        self.trace(trace::reads_only(sql)).await;
        let result = statement.all().await.map_err(|e| self.fail(what, e))?;
        result.results::<T>().map_err(|e| self.fail(what, e))
    }

    /// Runs a statement for its effect; returns the number of rows it changed.
    pub(crate) async fn execute(
        &self,
        what: &'static str,
        sql: &str,
        params: &[JsValue],
    ) -> Result<usize, StoreError> {
        let statement = self.statement(what, sql, params)?;
        self.trace(trace::reads_only(sql)).await;
        let result = statement.run().await.map_err(|e| self.fail(what, e))?;
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
