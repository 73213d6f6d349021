//! The deployable Worker: a thin adapter from HTTP and bindings to the airline's API.
//!
//! Routing reads as a table of contents; everything with rules in it (the API, the HTTP
//! limits, CORS, sessions, security headers, the domain) lives in plain library crates
//! tested natively. Only the paths wrangler.toml's `run_worker_first` lists reach this
//! router; every other path is the web app's, served from the static assets directly.

mod assets;
mod auth;
mod booking_service;
mod d1;
mod d1_accounts;
mod d1_catalog;
mod d1_schedule;
mod graphql_get;
mod handlers;
mod loyalty;
mod notification_delivery;
mod projection;
mod reconciliation_run;
mod stripe_sandbox;
mod webcrypto;

use airline_edge::auth_endpoints;
use airline_edge::http::is_checked_asset;
use airline_platform::log::{RequestLine, REQUEST_ID_HEADER};
use airline_platform::QueueKind;
use worker::{
    console_error, console_log, event, Context, Date, Env, MessageBatch, Method, Request, Response,
    Result, ScheduleContext, ScheduledEvent,
};

// The Durable Object classes wrangler.toml binds must be exported by this Worker.
pub use booking_workflow::{BookingWorkflow, ReferenceRegistry};
pub use flight_inventory::FlightInventory;

use crate::handlers::RequestId;

#[event(start)]
fn start() {
    console_error_panic_hook::set_once();
}

#[event(fetch)]
async fn fetch(request: Request, env: Env, ctx: Context) -> Result<Response> {
    airline_platform::trace::configure(&env);
    let started = Date::now().as_millis();
    let request_id = RequestId::new();
    let method = request.method();
    let path = request.path();
    let response = match (method.clone(), path.as_str()) {
        (Method::Post, "/graphql") => handlers::graphql(request, &env, &request_id).await,
        (Method::Get, "/graphql") if graphql_get::is_graphql_get(&request) => {
            graphql_get::serve(request, &env, &ctx, &request_id).await
        }
        (Method::Get, "/graphql") => handlers::graphiql(),
        (Method::Options, "/graphql") => handlers::preflight(&request, &env, &request_id),
        (_, "/graphql") => handlers::method_not_allowed(&request, &env, &request_id),
        (Method::Get, "/healthz") => handlers::health(&env, &request_id).await,
        (Method::Get, p) if p.starts_with("/loyalty/") => {
            loyalty::rest_summary(&request, &env, &p["/loyalty/".len()..]).await
        }
        (_, p) if p.starts_with(auth_endpoints::PREFIX) => {
            auth::endpoint(request, &env, &request_id, p).await
        }
        (_, p) if p.starts_with(stripe_sandbox::PREFIX) => {
            let call = p[stripe_sandbox::PREFIX.len()..].to_owned();
            stripe_sandbox::serve(request, &env, &request_id, &call).await
        }
        (Method::Get | Method::Head, p) if is_checked_asset(p) => {
            assets::serve(request, &env).await
        }
        _ => handlers::not_found(&request_id),
    };
    let mut response = response?;
    response
        .headers_mut()
        .set(REQUEST_ID_HEADER, request_id.as_str())?;
    // Workers' clock moves only across I/O, which is what a request's time is made of.
    let line = RequestLine {
        request_id: request_id.as_str(),
        method: method.as_ref(),
        path: &path,
        status: response.status_code(),
        duration_ms: Date::now().as_millis().saturating_sub(started) as i64,
    };
    console_log!("{}", line.to_line());
    Ok(response)
}

/// The Cron Triggers in wrangler.toml: the reconciliation run.
#[event(scheduled)]
async fn scheduled(_event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
    airline_platform::trace::configure(&env);
    if let Err(e) = reconciliation_run::run(&env).await {
        console_error!("reconcile: the run failed: {e}");
    }
}

/// Booking events for the loyalty ledger and the dead letters of those that failed;
/// notifications for travellers; and the booking objects' copies for the read model.
#[event(queue)]
async fn queue(batch: MessageBatch<serde_json::Value>, env: Env, _ctx: Context) -> Result<()> {
    airline_platform::trace::configure(&env);
    match QueueKind::of(&batch.queue()) {
        Some(QueueKind::Notifications) => notification_delivery::consume(batch, env).await,
        Some(QueueKind::LoyaltyEvents) => loyalty::consume(batch, env, false).await,
        Some(QueueKind::LoyaltyDeadLetters) => loyalty::consume(batch, env, true).await,
        Some(QueueKind::BookingChanges) => projection::consume(batch, env).await,
        None => {
            console_error!("queue {}: not a queue this Worker consumes", batch.queue());
            Ok(())
        }
    }
}
