//! The static files the Worker serves itself (`/assets/*`, `/graphiql/*`): fetched from the
//! assets binding and passed through with their headers (from the build's `_headers`),
//! except that the single-page-app fallback standing in for a missing file becomes a 404.

use airline_edge::http::{self, NOSNIFF};
use airline_platform::bindings::ASSETS;
use worker::{Env, Headers, Request, Response, Result};

pub async fn serve(request: Request, env: &Env) -> Result<Response> {
    let found = env.assets(ASSETS)?.fetch_request(request).await?;
    let status = found.status_code();
    if !http::asset_found(status, found.headers().get("Content-Type")?.as_deref()) {
        return missing();
    }
    // A fetched response's headers are immutable, and the router adds X-Request-Id to
    // every response: the file goes out with a mutable copy of them.
    let headers = Headers::new();
    for (name, value) in found.headers().entries() {
        headers.append(&name, &value)?;
    }
    let (_, body) = found.into_parts();
    Ok(Response::builder()
        .with_status(status)
        .with_headers(headers)
        .body(body))
}

/// Not cached, so the file can appear with the next deploy; plain text, as no page or
/// script can use it.
fn missing() -> Result<Response> {
    let mut response = Response::ok("no such file\n")?.with_status(404);
    let headers = response.headers_mut();
    headers.set("Content-Type", "text/plain; charset=utf-8")?;
    headers.set("Cache-Control", "no-store")?;
    headers.set(NOSNIFF.0, NOSNIFF.1)?;
    Ok(response)
}
