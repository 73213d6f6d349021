//! The web app's session endpoints, `POST /auth/{sign-up,sign-in,refresh,sign-out}`: read
//! the request, run the account mutation through the same request context as `/graphql`,
//! and write the reply with the refresh token in its `HttpOnly` cookie. The rules live in
//! `airline_edge::auth_endpoints`.

use airline_edge::auth_endpoints::{self, AuthEndpoint, AuthRejection, AuthReply};
use airline_edge::http::{self, NOSNIFF};
use worker::{Env, Method, Request, Response, Result};

use crate::d1::BOOKMARK_HEADER;
use crate::handlers::{self, RequestId};

/// Answers any request under `/auth/`.
pub async fn endpoint(
    mut request: Request,
    env: &Env,
    id: &RequestId,
    path: &str,
) -> Result<Response> {
    let Some(endpoint) = AuthEndpoint::from_path(path) else {
        return handlers::not_found(id);
    };
    if request.method() != Method::Post {
        return respond(AuthRejection::MethodNotAllowed.reply(id.as_str()));
    }
    let headers = request.headers();
    let own_origin = request.url()?.origin().ascii_serialization();
    let content_type = headers.get("Content-Type")?;
    let origin = headers.get("Origin")?;
    let declared_length = headers.get("Content-Length")?;
    let cookie = headers.get("Cookie")?;
    let checked =
        auth_endpoints::check_same_origin(content_type.as_deref(), origin.as_deref(), &own_origin)
            .and_then(|()| {
                http::check_declared_length(declared_length.as_deref())
                    .map_err(AuthRejection::Transport)
            });
    if let Err(rejection) = checked {
        return respond(rejection.reply(id.as_str()));
    }
    // Refresh and sign-out act on the cookie alone; their body is never read.
    let body = if endpoint.reads_body() {
        request.bytes().await?
    } else {
        Vec::new()
    };
    let operation = match endpoint.operation(&body, cookie.as_deref()) {
        Ok(Some(operation)) => operation,
        Ok(None) => return respond(AuthReply::signed_out()),
        Err(rejection) => return respond(rejection.reply(id.as_str())),
    };
    // Anonymous: the session endpoints act on credentials and cookies, never on a bearer
    // token the page may also hold.
    let bookmark = request.headers().get(BOOKMARK_HEADER)?;
    let (context, store) = match handlers::request_context(env, id, None, bookmark.as_deref()) {
        Ok(context) => context,
        Err(_) => return respond(AuthRejection::Misconfigured.reply(id.as_str())),
    };
    let response = handlers::execute(operation, context).await;
    let mut response = respond(endpoint.reply(&response, id.as_str()))?;
    // A new account or session was written: the client's next reads must see it.
    handlers::with_bookmark(&mut response, &store)?;
    Ok(response)
}

/// Writes a reply: never cached (it carries a session or a cookie change), never sniffed.
fn respond(reply: AuthReply) -> Result<Response> {
    let mut response = match &reply.body {
        Some(body) => handlers::json(reply.status, body, reply.headers)?,
        None => {
            let mut empty = Response::empty()?.with_status(reply.status);
            let headers = empty.headers_mut();
            headers.set("Cache-Control", "no-store")?;
            headers.set(NOSNIFF.0, NOSNIFF.1)?;
            handlers::set_all(headers, &reply.headers)?;
            empty
        }
    };
    if let Some(cookie) = &reply.set_cookie {
        response.headers_mut().append("Set-Cookie", cookie)?;
    }
    Ok(response)
}
