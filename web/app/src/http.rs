//! HTTP to the same origin: POSTing JSON, reading the API's error shape into a
//! [`CallError`], and the session endpoints (`/auth/...`). Below both [`crate::session`] and
//! [`crate::api`], which use it.

use serde::de::DeserializeOwned;
use serde::Deserialize;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{RequestCredentials, RequestInit, Response};

/// A call to the API that failed, as the traveller should hear about it: no answer, or
/// the API's own typed error. (The client's side of a call; the server's errors are
/// `airline_graphql::ApiError`, which reach the app as [`CallError::Api`].)
#[derive(Debug, Clone, PartialEq)]
pub enum CallError {
    /// The request never got an answer (offline, DNS, a dropped connection).
    Network,
    /// The API answered with a typed error.
    Api {
        code: String,
        message: String,
        /// The input at fault, e.g. `passengers.lastName`.
        field: Option<String>,
        request_id: Option<String>,
        retry_after: Option<i64>,
        /// The booking a failed `processBooking` left behind (CANCELLED, with the reason).
        booking_id: Option<String>,
    },
}

impl CallError {
    pub fn code(&self) -> &str {
        match self {
            Self::Network => "NETWORK",
            Self::Api { code, .. } => code,
        }
    }

    pub fn field(&self) -> Option<&str> {
        match self {
            Self::Api { field, .. } => field.as_deref(),
            Self::Network => None,
        }
    }

    pub fn booking_id(&self) -> Option<&str> {
        match self {
            Self::Api { booking_id, .. } => booking_id.as_deref(),
            Self::Network => None,
        }
    }

    /// An error of the app's own making, with words for the traveller.
    pub fn local(code: &str, message: &str) -> CallError {
        CallError::Api {
            code: code.into(),
            message: message.into(),
            field: None,
            request_id: None,
            retry_after: None,
            booking_id: None,
        }
    }

    pub(crate) fn internal(what: &str) -> CallError {
        Self::local("INTERNAL", what)
    }
}

#[derive(Deserialize)]
struct Envelope<T> {
    data: Option<T>,
    #[serde(default)]
    errors: Vec<ErrorItem>,
}

#[derive(Deserialize)]
struct ErrorItem {
    message: String,
    #[serde(default)]
    extensions: Extensions,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Extensions {
    code: Option<String>,
    field: Option<String>,
    request_id: Option<String>,
    retry_after: Option<i64>,
    booking_id: Option<String>,
}

impl From<ErrorItem> for CallError {
    fn from(item: ErrorItem) -> Self {
        CallError::Api {
            code: item.extensions.code.unwrap_or_else(|| "INTERNAL".into()),
            message: item.message,
            field: item.extensions.field,
            request_id: item.extensions.request_id,
            retry_after: item.extensions.retry_after,
            booking_id: item.extensions.booking_id,
        }
    }
}

pub(crate) fn decode<T: DeserializeOwned>(text: &str) -> Result<T, CallError> {
    let envelope: Envelope<T> = serde_json::from_str(text)
        .map_err(|_| CallError::internal("the API's answer could not be read"))?;
    if let Some(first) = envelope.errors.into_iter().next() {
        return Err(first.into());
    }
    envelope
        .data
        .ok_or_else(|| CallError::internal("the API answered without data"))
}

/// POSTs JSON to a same-origin endpoint, returning the status and body text.
pub async fn post(path: &str, body: &str, token: Option<&str>) -> Result<(u16, String), CallError> {
    send("POST", path, Some(body), token).await
}

/// GETs a same-origin URL anonymously, returning the status and body text.
pub async fn get(path: &str) -> Result<(u16, String), CallError> {
    send("GET", path, None, None).await
}

/// The hex SHA-256 of `text`, by WebCrypto (no hashing code in the bundle); `None` where
/// the page has no WebCrypto (an insecure origin).
pub async fn sha256_hex(text: &str) -> Option<String> {
    let subtle = web_sys::window()?.crypto().ok()?.subtle();
    let promise = subtle
        .digest_with_str_and_u8_array("SHA-256", text.as_bytes())
        .ok()?;
    let digest = JsFuture::from(promise).await.ok()?;
    let bytes = js_sys::Uint8Array::new(&digest).to_vec();
    Some(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

thread_local! {
    /// The D1 bookmark of the last answer (`X-D1-Bookmark`): sent back with every POST, so
    /// whatever replica serves the next read has seen at least what that answer saw (a
    /// card just tokenized, an account just made).
    static BOOKMARK: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

const BOOKMARK_HEADER: &str = "X-D1-Bookmark";

async fn send(
    method: &str,
    path: &str,
    body: Option<&str>,
    token: Option<&str>,
) -> Result<(u16, String), CallError> {
    let window = web_sys::window().ok_or(CallError::Network)?;
    let init = RequestInit::new();
    init.set_method(method);
    init.set_credentials(RequestCredentials::SameOrigin);
    let headers = web_sys::Headers::new().map_err(|_| CallError::Network)?;
    if let Some(body) = body {
        init.set_body(&JsValue::from_str(body));
        headers
            .set("Content-Type", "application/json")
            .map_err(|_| CallError::Network)?;
    }
    if let Some(token) = token {
        headers
            .set("Authorization", &format!("Bearer {token}"))
            .map_err(|_| CallError::Network)?;
    }
    // Not on GETs: those may be answered from a cache shared by everyone.
    if let Some(bookmark) = BOOKMARK
        .with_borrow(Clone::clone)
        .filter(|_| method == "POST")
    {
        let _ = headers.set(BOOKMARK_HEADER, &bookmark);
    }
    init.set_headers(&headers);
    let request =
        web_sys::Request::new_with_str_and_init(path, &init).map_err(|_| CallError::Network)?;
    let response: Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(|_| CallError::Network)?
        .dyn_into()
        .map_err(|_| CallError::Network)?;
    if let Ok(Some(bookmark)) = response.headers().get(BOOKMARK_HEADER) {
        BOOKMARK.with_borrow_mut(|last| *last = Some(bookmark));
    }
    let text = JsFuture::from(response.text().map_err(|_| CallError::Network)?)
        .await
        .map_err(|_| CallError::Network)?
        .as_string()
        .unwrap_or_default();
    Ok((response.status(), text))
}

/// Calls a session endpoint (`/auth/...`): its success body is `T`, its failure the
/// GraphQL error shape.
pub async fn auth<T: DeserializeOwned>(path: &str, body: &str) -> Result<T, CallError> {
    let (status, text) = post(path, body, None).await?;
    if (200..300).contains(&status) {
        serde_json::from_str(&text).map_err(|_| CallError::internal("unreadable session"))
    } else {
        match serde_json::from_str::<Envelope<serde_json::Value>>(&text) {
            Ok(envelope) => Err(envelope
                .errors
                .into_iter()
                .next()
                .map(CallError::from)
                .unwrap_or_else(|| CallError::internal("refused"))),
            Err(_) => Err(CallError::internal("refused")),
        }
    }
}
