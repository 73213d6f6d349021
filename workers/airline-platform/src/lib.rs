//! Cloudflare plumbing the Worker and the Durable Objects share: reading the configuration,
//! calling a Durable Object the same way from every crate, structured logs and call traces,
//! and the read model's statements. The names wrangler.toml binds and the SQL of shared
//! tables are `airline_manifest`'s, re-exported here. No rules here: those live in the
//! plain Rust crates.
#![forbid(unsafe_code)]

pub mod config;
pub mod log;
pub mod read_model;
pub mod trace;

use serde::de::DeserializeOwned;
use serde::Serialize;
use worker::{Env, Headers, Method, Request, RequestInit, Result};

pub use airline_manifest::{bindings, sql, QueueKind};

/// Sends `message` as JSON to the Durable Object `name` of the namespace bound as
/// `binding`, and reads its JSON answer. Any status but 200 is an error that names the
/// object and carries what it said. `request_id`, when there is one, goes along as
/// [`log::REQUEST_ID_HEADER`], so the object's log lines name the request that drove it.
pub async fn call_object<Q: Serialize, A: DeserializeOwned>(
    env: &Env,
    binding: &str,
    name: &str,
    message: &Q,
    request_id: Option<&str>,
) -> Result<A> {
    trace::call(trace::CallKind::ObjectCall, Some(binding), request_id).await;
    let stub = env
        .durable_object(binding)?
        .id_from_name(name)?
        .get_stub()?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_body(Some(worker::wasm_bindgen::JsValue::from_str(
            &serde_json::to_string(message)?,
        )));
    if let Some(request_id) = request_id {
        let headers = Headers::new();
        headers.set(log::REQUEST_ID_HEADER, request_id)?;
        init.with_headers(headers);
    }
    let request = Request::new_with_init("https://object/", &init)?;
    let mut response = stub.fetch_with_request(request).await?;
    if response.status_code() != 200 {
        let text = response.text().await.unwrap_or_default();
        return Err(worker::Error::RustError(format!(
            "{binding}/{name} answered {}: {text}",
            response.status_code()
        )));
    }
    response.json::<A>().await
}
