//! `GET /graphql`: queries over GET (GraphQL over HTTP), with automatic persisted queries,
//! and anonymous answers kept in the edge cache (Cache API) for `SEARCH_CACHE_TTL_SECONDS`.
//! The rules (what may run, what may be shared, the cache key) are
//! `airline_edge::over_get`'s; this file applies them to the request and the cache.

use std::sync::OnceLock;

use airline_edge::over_get::{self, GetFailure, PersistedQueries, DEFAULT_CACHE_TTL_SECONDS};
use airline_platform::config::{number_in, SEARCH_CACHE_TTL_SECONDS};
use worker::{Cache, Context, Env, Request, Response, Result};

use crate::d1::BOOKMARK_HEADER;
use crate::handlers::{self, RequestId};

/// The queries this isolate has learned by hash.
fn persisted() -> &'static PersistedQueries {
    static PERSISTED: OnceLock<PersistedQueries> = OnceLock::new();
    PERSISTED.get_or_init(PersistedQueries::default)
}

pub async fn serve(request: Request, env: &Env, ctx: &Context, id: &RequestId) -> Result<Response> {
    let headers = request.headers();
    let cors = handlers::cors_headers(env, headers);
    let graphql_response = over_get::wants_graphql_response(headers.get("Accept")?.as_deref());
    let authorization = headers.get("Authorization")?;
    let url = request.url()?;
    let get = match over_get::parse_get(url.query().unwrap_or_default()) {
        Ok(get) => get,
        Err(rejection) => return handlers::rejected(&rejection, id, cors),
    };
    let query = match persisted().resolve(&get) {
        Ok(query) => query,
        Err(GetFailure::PersistedQueryNotFound) => {
            let body = over_get::persisted_query_not_found_body(id.as_str());
            return handlers::json(200, &body, cors);
        }
        Err(GetFailure::Rejected(rejection)) => return handlers::rejected(&rejection, id, cors),
    };
    if let Err(rejection) = over_get::check_read_only(&query, get.operation_name.as_deref()) {
        let mut response = handlers::rejected(&rejection, id, cors)?;
        response.headers_mut().set("Allow", "POST")?;
        return Ok(response);
    }

    let anonymous = authorization.is_none();
    let key = over_get::cache_key(&get, &query, graphql_response);
    let cache = Cache::default();
    if anonymous {
        if let Some(mut hit) = cache.get(key.as_str(), false).await? {
            // Rebuilt, not passed on: a cached response's headers cannot be changed.
            let body = hit.text().await?;
            let mut response = handlers::with_media(
                handlers::json(hit.status_code(), &body, cors)?,
                graphql_response,
            )?;
            let headers = response.headers_mut();
            if let Some(control) = hit.headers().get("Cache-Control")? {
                headers.set("Cache-Control", &control)?;
            }
            headers.set("X-Cache", "HIT")?;
            return Ok(response);
        }
    }

    let mut graphql_request = async_graphql::Request::new(query);
    if let Some(name) = get.operation_name {
        graphql_request = graphql_request.operation_name(name);
    }
    if let Some(variables) = get.variables {
        graphql_request = graphql_request.variables(async_graphql::Variables::from_json(variables));
    }
    let bookmark = request.headers().get(BOOKMARK_HEADER)?;
    let (context, store) =
        match handlers::request_context(env, id, authorization.as_deref(), bookmark.as_deref()) {
            Ok(context) => context,
            Err(rejection) => return handlers::rejected(&rejection, id, cors),
        };
    let answer = handlers::execute(graphql_request, context).await;
    let (status, body) = over_get::answer(&answer, graphql_response);
    let mut response =
        handlers::with_media(handlers::json(status, &body, cors)?, graphql_response)?;
    let ttl = number_in(
        env,
        SEARCH_CACHE_TTL_SECONDS,
        i64::from(DEFAULT_CACHE_TTL_SECONDS),
        0..=3_600,
    );
    if over_get::is_shareable(anonymous, &answer) && ttl > 0 {
        let headers = response.headers_mut();
        headers.set("Cache-Control", &format!("public, max-age={ttl}"))?;
        headers.set("X-Cache", "MISS")?;
        let stored = response.cloned()?;
        // Stored after the answer has gone out: the traveller does not wait for the cache.
        ctx.wait_until(async move {
            if let Err(e) = cache.put(key.as_str(), stored).await {
                worker::console_error!("edge cache: put failed: {e}");
            }
        });
    } else if !anonymous {
        response
            .headers_mut()
            .set("Cache-Control", "private, no-store")?;
        // Only a private answer carries the caller's bookmark; a shared one never does.
        handlers::with_bookmark(&mut response, &store)?;
    }
    Ok(response)
}

/// Whether a GET to `/graphql` is a GraphQL request (else it opens GraphiQL).
pub fn is_graphql_get(request: &Request) -> bool {
    request
        .url()
        .is_ok_and(|url| over_get::is_graphql_get(url.query().unwrap_or_default()))
}
