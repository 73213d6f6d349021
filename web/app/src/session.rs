//! The signed-in traveller. The access token lives only in memory; the refresh token is an
//! `HttpOnly` cookie that page script never sees, so a reload restores the session by
//! asking `/auth/refresh`, and a timer refreshes the access token before it expires. One
//! refresh runs at a time: each refresh token works once, and a second use would end the
//! session.

use std::cell::{Cell, RefCell};

use airline_web_core::session::refresh_delay_ms;
use leptos::prelude::*;
use serde::Deserialize;

use crate::http::{self, CallError};

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    pub access_token: String,
    pub expires_at: String,
    pub account: Account,
}

/// What the app knows about the traveller.
#[derive(Debug, Clone, PartialEq)]
pub enum Auth {
    /// Still asking the server whether a session cookie is there.
    Unknown,
    SignedOut,
    SignedIn(Session),
}

thread_local! {
    // Reference-counted rather than owned by a component, so no page change can dispose
    // of the app's one session.
    static AUTH: ArcRwSignal<Auth> = ArcRwSignal::new(Auth::Unknown);
    static REFRESHING: Cell<bool> = const { Cell::new(false) };
    /// Bumped by every new session, so a timer set for an older one does nothing.
    static GENERATION: Cell<u32> = const { Cell::new(0) };
    static EXPIRES_AT_MS: RefCell<f64> = const { RefCell::new(0.0) };
}

pub fn auth() -> ArcRwSignal<Auth> {
    AUTH.with(ArcRwSignal::clone)
}

pub fn current_token() -> Option<String> {
    match auth().get_untracked() {
        Auth::SignedIn(session) => Some(session.access_token),
        _ => None,
    }
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// The access token to send now, refreshed first if it has run out (or about to).
pub async fn fresh_token() -> Option<String> {
    wait_for_refresh().await;
    let token = current_token()?;
    if EXPIRES_AT_MS.with(|at| *at.borrow()) - now_ms() < 2_000.0 {
        return if refresh().await {
            current_token()
        } else {
            None
        };
    }
    Some(token)
}

async fn wait_for_refresh() {
    while REFRESHING.with(Cell::get) {
        sleep(50).await;
    }
}

/// Trades the refresh cookie for a new session. `true` if signed in afterwards.
pub async fn refresh() -> bool {
    if REFRESHING.with(Cell::get) {
        wait_for_refresh().await;
        return current_token().is_some();
    }
    REFRESHING.with(|r| r.set(true));
    let result = across_tabs(http::auth::<Session>("/auth/refresh", "{}"))
        .await
        .unwrap_or(Err(CallError::Network));
    REFRESHING.with(|r| r.set(false));
    match result {
        Ok(session) => {
            start(session);
            true
        }
        // The server said the session is over (the refresh token is spent, revoked or
        // missing): signed out.
        Err(error) if matches!(error.code(), "UNAUTHENTICATED" | "FORBIDDEN") => {
            remember_session(false);
            auth().set(Auth::SignedOut);
            false
        }
        // Offline, or the server failed (a 5xx, an unreadable answer): that says nothing
        // about the session. Keep what we have and let the next call try again.
        Err(_) => current_token().is_some(),
    }
}

/// Runs `work` holding the browser-wide refresh lock (the Web Locks API), so two tabs
/// waking at once (after a laptop sleeps, say) do not both present the cookie's refresh
/// token: the second would count as reuse and end the session. The second tab waits, then
/// sends the cookie the first one received. Without Web Locks the work runs unlocked.
/// `None` only if the lock was granted and its work then vanished, which cannot happen.
async fn across_tabs<T: 'static>(
    work: impl std::future::Future<Output = T> + 'static,
) -> Option<T> {
    use std::cell::RefCell;
    use std::rc::Rc;

    use js_sys::{Function, Promise, Reflect};
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::{JsCast, JsValue};

    let request = web_sys::window()
        .and_then(|w| Reflect::get(&w.navigator(), &JsValue::from_str("locks")).ok())
        .filter(|locks| !locks.is_undefined() && !locks.is_null())
        .and_then(|locks| {
            let request = Reflect::get(&locks, &JsValue::from_str("request")).ok()?;
            Some((locks, request.dyn_into::<Function>().ok()?))
        });
    let Some((locks, request)) = request else {
        return Some(work.await);
    };
    // The lock is held until the promise the callback returns settles, i.e. until the work
    // is done. The work and its result stay on the Rust side, in these cells.
    let work = Rc::new(RefCell::new(Some(work)));
    let output = Rc::new(RefCell::new(None));
    let (to_run, slot) = (work.clone(), output.clone());
    let callback = Closure::<dyn FnMut(JsValue) -> Promise>::new(move |_lock: JsValue| {
        let job = to_run.borrow_mut().take();
        let slot = slot.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            if let Some(job) = job {
                let result = job.await;
                *slot.borrow_mut() = Some(result);
            }
            Ok(JsValue::UNDEFINED)
        })
    });
    let held = request
        .call2(
            &locks,
            &JsValue::from_str("edge-airline-session-refresh"),
            callback.as_ref(),
        )
        .ok()
        .and_then(|p| p.dyn_into::<Promise>().ok());
    if let Some(held) = held {
        let _ = wasm_bindgen_futures::JsFuture::from(held).await;
    }
    drop(callback);
    let done = output.borrow_mut().take();
    if done.is_some() {
        return done;
    }
    // The lock was refused or never granted: do the work unlocked rather than not at all.
    let job = work.borrow_mut().take();
    match job {
        Some(job) => Some(job.await),
        None => None,
    }
}

/// Adopts a session from sign-in, sign-up or refresh and schedules its refresh.
pub fn start(session: Session) {
    let now = now_ms();
    let expires = js_sys::Date::parse(&session.expires_at);
    let expires = if expires.is_nan() { now } else { expires };
    EXPIRES_AT_MS.with(|at| *at.borrow_mut() = expires);
    let generation = GENERATION.with(|g| {
        g.set(g.get().wrapping_add(1));
        g.get()
    });
    // The lifetime as issued; a token read back after a reload counts from now.
    let remaining = (expires - now) as i64;
    let delay = refresh_delay_ms(remaining.max(0), remaining);
    remember_session(true);
    auth().set(Auth::SignedIn(session));
    leptos::task::spawn_local(async move {
        sleep(delay as i32).await;
        if GENERATION.with(Cell::get) == generation {
            refresh().await;
        }
    });
}

/// Remembers (in local storage, no secret in it) that this browser holds a session cookie,
/// so a guest's page load does not ask `/auth/refresh` for a session that is not there.
const HAS_SESSION: &str = "has-session";

fn remember_session(present: bool) {
    if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = if present {
            storage.set_item(HAS_SESSION, "1")
        } else {
            storage.remove_item(HAS_SESSION)
        };
    }
}

fn may_have_session() -> bool {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item(HAS_SESSION).ok().flatten())
        .is_some()
}

/// On start-up: a session cookie, if there is one, becomes a session.
pub fn restore() {
    if !may_have_session() {
        auth().set(Auth::SignedOut);
        return;
    }
    leptos::task::spawn_local(async {
        if !refresh().await {
            auth().set(Auth::SignedOut);
        }
    });
}

pub async fn sign_out() {
    GENERATION.with(|g| g.set(g.get().wrapping_add(1)));
    // Always succeeds server-side; even offline the page forgets the session.
    let _ = http::post("/auth/sign-out", "{}", None).await;
    remember_session(false);
    auth().set(Auth::SignedOut);
}

/// Resolves after `ms` milliseconds.
pub async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
